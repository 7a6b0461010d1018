//! Accessibility in the real browser, across the card frame's edge: axe-core
//! finds nothing on the merchant page and inside the card frame (and the
//! issuer's challenge inside that) at every step a shopper sees; the frame has
//! a short accessible name and live regions that exist before they speak; and
//! the Tab order through the frame has no stop the page does not show.
//!
//! axe-core comes from npm (`scripts/setup.sh` installs it globally); set
//! `AXE_CORE_JS` to use another copy of `axe.min.js`.

mod browser;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use browser::Rig;
use fantoccini::Locator;
use serde_json::{json, Value};

const THREE_DS: &str = "5454 5454 5454 5454";

/// The source of `axe.min.js`: `$AXE_CORE_JS`, or `$(npm root -g)/axe-core/`.
fn axe_source() -> String {
    let path = match std::env::var_os("AXE_CORE_JS") {
        Some(p) => PathBuf::from(p),
        None => {
            let out = std::process::Command::new("npm")
                .args(["root", "-g"])
                .output()
                .unwrap_or_else(|e| {
                    panic!("cannot run `npm root -g` to find axe-core ({e}): run scripts/setup.sh")
                });
            let root = String::from_utf8_lossy(&out.stdout).trim().to_owned();
            PathBuf::from(root).join("axe-core").join("axe.min.js")
        }
    };
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "axe-core is missing: cannot read {} ({e}). Run scripts/setup.sh \
             (it installs the npm package axe-core globally), or set AXE_CORE_JS",
            path.display()
        )
    })
}

/// Loads axe into the current document once, and lets it talk to axe in
/// frames of other origins (the card frame, the challenge) and back. WebDriver
/// scripts run outside the page's CSP, so the source goes in as the body of
/// the script itself (`eval` would be refused).
fn injector(axe: &str) -> String {
    format!(
        "if (window.axe) return window.axe.version;\n{axe}\n;\
         window.axe.configure({{ allowedOrigins: ['<unsafe_all_origins>'] }});\n\
         return window.axe.version;"
    )
}

/// Loads axe into the current browsing context.
async fn inject(rig: &Rig, injector: &str) {
    let v = rig.js(injector).await;
    assert!(v.is_string(), "axe did not load: {v}");
}

/// Injects axe into the page and into every frame in it, two levels deep
/// (the card frame, and the challenge inside it).
async fn inject_everywhere(rig: &Rig, injector: &str) {
    inject(rig, injector).await;
    for frame in rig.client.find_all(Locator::Css("iframe")).await.unwrap() {
        frame.enter_frame().await.expect("enter a frame");
        inject(rig, injector).await;
        for inner in rig.client.find_all(Locator::Css("iframe")).await.unwrap() {
            inner.enter_frame().await.expect("enter a nested frame");
            inject(rig, injector).await;
            rig.client.enter_parent_frame().await.unwrap();
        }
        rig.client.enter_parent_frame().await.unwrap();
    }
}

/// Runs axe over the whole page, frames included (page-level rules such as
/// "one main landmark" are judged for the page as a whole, as axe does), and
/// returns `{violations, unreachable, depth}`: `depth` is how many documents
/// deep axe looked (2: the card frame; 3: the challenge inside it).
const RUN_JS: &str = r#"
const r = await axe.run(document, { frameWaitTime: 15000 });
const brief = list => list.map(v => ({ id: v.id, impact: v.impact, help: v.help,
  nodes: v.nodes.map(n => ({ target: n.target, failure: n.failureSummary })) }));
const all = [...r.passes, ...r.incomplete, ...r.violations];
return {
  violations: brief(r.violations),
  unreachable: brief(r.incomplete.filter(x => x.id === 'frame-tested')),
  depth: Math.max(0, ...all.flatMap(x => x.nodes.map(n => n.target.length))),
};"#;

/// One step's scan: injects axe everywhere, runs it, and returns the problems
/// found (violations, frames axe could not reach, documents it did not reach).
async fn scan(rig: &Rig, injector: &str, step: &str, min_depth: u64) -> Vec<String> {
    // Let transitions and the frame's resizing settle.
    tokio::time::sleep(Duration::from_millis(400)).await;
    inject_everywhere(rig, injector).await;
    let r = rig.js(RUN_JS).await;
    let mut problems = Vec::new();
    for v in r["violations"].as_array().unwrap() {
        problems.push(format!("{step}: violation {v}"));
    }
    for v in r["unreachable"].as_array().unwrap() {
        problems.push(format!("{step}: axe could not test a frame: {v}"));
    }
    let depth = r["depth"].as_u64().unwrap_or(0);
    if depth < min_depth {
        problems.push(format!(
            "{step}: axe looked {depth} document(s) deep, not {min_depth}: the frames were not tested"
        ));
    }
    problems
}

/// Waits until `script` (run in the current context) returns `true`.
async fn wait_until(rig: &Rig, what: &str, script: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while rig.js(script).await != json!(true) {
        assert!(
            Instant::now() < deadline,
            "not within 15 s: {what}; widget says: {}",
            rig.text().await
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits for the widget's alert to say something.
async fn wait_for_alert(rig: &Rig) {
    wait_until(
        rig,
        "an alert on the page",
        "return [...document.querySelectorAll('.cw-root [role=alert]')].some(e => e.textContent.trim());",
    )
    .await;
}

/// Pins zero axe-core violations, on the merchant page and inside the card
/// frame, at payment entry, with errors shown, during a 3-D Secure challenge
/// (the challenge page too), at review and at confirmation. Every step is
/// scanned before the test fails, so one report lists them all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axe_finds_nothing_at_any_step() {
    let injector = injector(&axe_source());
    let rig = Rig::start().await;
    let id = rig.create_checkout("jdoe@example.com", "55343").await;
    rig.open(&format!("?checkoutId={id}")).await;
    rig.field("Email").await;
    rig.value("Card number").await;
    let mut problems = scan(&rig, &injector, "payment entry", 2).await;

    rig.click("Continue").await;
    wait_for_alert(&rig).await;
    rig.enter_card_frame().await;
    wait_until(
        &rig,
        "the card frame shows its errors",
        "return [...document.querySelectorAll('.cw-field__error')].some(e => e.textContent.trim());",
    )
    .await;
    rig.leave_frame().await;
    problems.extend(scan(&rig, &injector, "errors shown", 2).await);

    rig.enter_card(THREE_DS, "07/30", "123").await;
    rig.click("Continue").await;
    rig.enter_challenge().await;
    rig.leave_challenge().await;
    problems.extend(scan(&rig, &injector, "3-D Secure challenge", 3).await);

    rig.enter_challenge().await;
    rig.fill("Password", "password").await;
    rig.click("Submit").await;
    rig.leave_challenge().await;
    rig.button("Place order").await;
    problems.extend(scan(&rig, &injector, "review", 1).await);

    rig.click("Place order").await;
    rig.wait_for_order_placed().await;
    problems.extend(scan(&rig, &injector, "confirmation", 1).await);
    assert_eq!(rig.orders_for(&id).len(), 1);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    rig.close().await;
}

/// Marks the live region(s) of the current document (an expando, not an
/// attribute) and reports them: `[{marked, live, text}]`, `marked` saying
/// whether it had been marked before.
const LIVE_REGIONS_JS: &str = r#"
return [...document.querySelectorAll('[role=status]')].map(e => {
  const marked = e.__cwSeen === true;
  e.__cwSeen = true;
  return { marked, live: e.getAttribute('aria-live'), text: e.textContent.trim() };
});"#;

/// Pins the frame's accessible name (a short iframe `title`, and the
/// challenge's), and live regions that exist from the first render: the
/// frame's and the widget's `role="status"` are there, empty, at payment
/// entry, and the very same elements later announce the card errors and the
/// 3-D Secure challenge (a region created together with its message is not
/// announced by screen readers).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_frame_is_named_and_its_live_region_is_there_before_it_speaks() {
    let rig = Rig::start().await;
    rig.open(&format!(
        "?checkoutId={}",
        rig.create_checkout("jdoe@example.com", "55343").await
    ))
    .await;
    rig.field("Email").await;
    rig.value("Card number").await;
    let title = rig
        .js("return document.querySelector('iframe.cw-card-frame').title")
        .await;
    let title = title.as_str().unwrap_or_default().trim().to_owned();
    assert!(
        (4..=40).contains(&title.chars().count()),
        "the card frame needs a short title, has `{title}`"
    );

    let first = rig.card_frame_js(LIVE_REGIONS_JS).await;
    assert_eq!(
        first,
        json!([{"marked": false, "live": "polite", "text": ""}]),
        "the frame's live region at first render"
    );
    let widget = rig
        .js(&LIVE_REGIONS_JS.replace(
            "document.querySelectorAll('",
            "document.querySelectorAll('.cw-root ",
        ))
        .await;
    assert_eq!(
        widget,
        json!([{"marked": false, "live": "polite", "text": ""}]),
        "the widget's live region at payment entry"
    );

    rig.click("Continue").await;
    wait_for_alert(&rig).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now = rig.card_frame_js(LIVE_REGIONS_JS).await;
        let region = &now[0];
        assert_eq!(now.as_array().map(Vec::len), Some(1), "{now}");
        assert_eq!(
            region["marked"], true,
            "the frame's live region was replaced: {now}"
        );
        if region["text"]
            .as_str()
            .is_some_and(|t| t.contains("Enter the card number."))
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the frame's live region did not announce the errors: {now}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    rig.enter_card(THREE_DS, "07/30", "123").await;
    rig.click("Continue").await;
    rig.enter_challenge().await;
    rig.leave_challenge().await;
    let now = rig.card_frame_js(LIVE_REGIONS_JS).await;
    assert_eq!(now.as_array().map(Vec::len), Some(1), "{now}");
    assert_eq!(
        now[0]["marked"], true,
        "the frame's live region was replaced: {now}"
    );
    assert!(
        now[0]["text"]
            .as_str()
            .unwrap_or_default()
            .contains("Verify this payment with your card issuer."),
        "the challenge is announced: {now}"
    );
    let challenge_title = rig
        .card_frame_js("return document.querySelector('iframe').title")
        .await;
    let challenge_title = challenge_title
        .as_str()
        .unwrap_or_default()
        .trim()
        .to_owned();
    assert!(
        (4..=40).contains(&challenge_title.chars().count()),
        "the challenge iframe needs a short title, has `{challenge_title}`"
    );
    let widget = rig
        .js(&LIVE_REGIONS_JS.replace(
            "document.querySelectorAll('",
            "document.querySelectorAll('.cw-root ",
        ))
        .await;
    assert_eq!(widget.as_array().map(Vec::len), Some(1), "{widget}");
    assert_eq!(
        widget[0]["marked"], true,
        "the widget's live region was replaced: {widget}"
    );
    assert!(
        widget[0]["text"]
            .as_str()
            .unwrap_or_default()
            .contains("Verify"),
        "the widget announces the verification: {widget}"
    );
    rig.close().await;
}

/// The merchant page's Tab sequence as the page shows it (no positive
/// `tabindex` allowed, so DOM order): focuses the stop just before the card
/// iframe and returns `{before, after, positive}` descriptions.
const AROUND_FRAME_JS: &str = r#"
const describe = a => ({ tag: a.tagName.toLowerCase(), id: a.id || null, name: a.getAttribute('name'),
  text: (a.textContent || '').trim().slice(0, 60) });
const tabbable = [...document.querySelectorAll('a[href], button, input, select, textarea, iframe, summary, [tabindex]')]
  .filter(e => e.tabIndex >= 0 && !e.disabled && !e.closest('[inert]') && e.getClientRects().length > 0
    && getComputedStyle(e).visibility !== 'hidden');
const i = tabbable.findIndex(e => e.matches('iframe.cw-card-frame'));
if (i < 1) return { error: 'no stop before the card frame', stops: tabbable.map(describe) };
tabbable[i - 1].focus();
return { before: describe(tabbable[i - 1]), after: describe(tabbable[i + 1]),
  positive: document.querySelectorAll('[tabindex]:not([tabindex="0"]):not([tabindex^="-"])').length,
  focused: describe(document.activeElement) };"#;

/// What has focus on the page, as `AROUND_FRAME_JS` describes it.
async fn page_focus(rig: &Rig) -> Value {
    let f = rig.focused().await;
    json!({"tag": f["tag"], "id": f["id"], "name": f["name"], "text": f["text"]})
}

/// Waits until the card frame's focused element is the field labelled `label`.
async fn assert_frame_focus(rig: &Rig, label: &str) {
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let top = rig.focused().await;
        let inner = rig.focused_in_card_frame().await;
        if top["cardFrame"] == true && inner["label"] == label {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "one key press should land on `{label}` in the card frame; page: {top}, frame: {inner}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the page's focused element is `want`.
async fn assert_page_focus(rig: &Rig, want: &Value, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let now = page_focus(rig).await;
        if &now == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "one key press should land on {what} {want}, focus is on {now}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Pins the Tab order through the frame: from the page's last stop before the
/// iframe, one Tab reaches `Name on card`, one each the frame's next fields,
/// one more the page's next stop (Email); Shift+Tab walks the same way back.
/// No hidden or extra stop (the frame document, a wrapper, the brand, a hidden
/// challenge frame) sits in between.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tab_order_through_the_frame_has_no_extra_stops() {
    let rig = Rig::start().await;
    rig.open(&format!(
        "?checkoutId={}",
        rig.create_checkout("jdoe@example.com", "55343").await
    ))
    .await;
    rig.field("Email").await;
    rig.value("Card number").await;
    let around = rig.js(AROUND_FRAME_JS).await;
    assert!(around.get("error").is_none(), "{around}");
    assert_eq!(
        around["positive"], 0,
        "a positive tabindex reorders the page"
    );
    assert_eq!(
        around["after"]["name"], "email",
        "the page's stop after the frame: {around}"
    );
    let (before, after) = (&around["before"], &around["after"]);
    assert_page_focus(&rig, before, "the stop before the frame").await;

    let fields = [
        "Name on card",
        "Card number",
        "Expiration date",
        "Security code",
    ];
    for label in fields {
        rig.press_tab().await;
        assert_frame_focus(&rig, label).await;
    }
    rig.press_tab().await;
    assert_page_focus(&rig, after, "the stop after the frame").await;
    for label in fields.iter().rev() {
        rig.press_shift_tab().await;
        assert_frame_focus(&rig, label).await;
    }
    rig.press_shift_tab().await;
    assert_page_focus(&rig, before, "the stop before the frame").await;
    rig.close().await;
}

/// The saved-card list of a registered shopper: axe finds nothing with the
/// list shown, with a removal waiting for confirmation, and with `Use a new
/// card` (the frame shown); and a keyboard alone picks another saved card
/// (arrow keys move within the radio group) and completes the purchase with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_saved_card_list_passes_axe_and_works_with_the_keyboard() {
    let injector = injector(&axe_source());
    let rig = Rig::start().await;
    let customer = rig.create_customer(
        "cus_a11y",
        &[
            ("4444 2222 3333 1111", 7, 2030),
            ("5466 1600 0000 0008", 11, 2029),
            ("3434 567890 12341", 1, 2024),
        ],
    );
    let id = rig.create_registered_checkout("cus_a11y").await;
    rig.open(&format!("?checkoutId={id}")).await;
    rig.wait_for_text(".cw-wallet", "Visa ending in 1111").await;
    let mut problems = scan(&rig, &injector, "saved cards", 1).await;
    rig.click("Remove American Express ending in 2341").await;
    rig.wait_for_text(".cw-wallet__confirm", "from your saved cards?")
        .await;
    problems.extend(scan(&rig, &injector, "confirm removal", 1).await);
    rig.click("Keep it").await;
    rig.field("Use a new card").await.click().await.unwrap();
    rig.value("Card number").await;
    problems.extend(scan(&rig, &injector, "a new card", 2).await);
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // Keyboard only, from a fresh page: Tab to the chosen radio, ArrowDown to
    // the Mastercard, Tab on to Continue, Enter; then Space on Place order.
    rig.open(&format!("?checkoutId={id}")).await;
    rig.wait_for_text(".cw-wallet", "Visa ending in 1111").await;
    let mut on_radio = false;
    for _ in 0..30 {
        rig.press_tab().await;
        let f = rig.focused().await;
        if f["label"]
            .as_str()
            .is_some_and(|l| l.starts_with("Visa ending in 1111"))
        {
            on_radio = true;
            break;
        }
    }
    assert!(on_radio, "Tab never reached the chosen saved card");
    rig.press_keys(&fantoccini::key::Key::Down).await;
    let f = rig.focused().await;
    assert!(
        f["label"]
            .as_str()
            .is_some_and(|l| l.starts_with("MasterCard ending in 0008")),
        "ArrowDown moves to the next card: {f}"
    );
    let mut on_continue = false;
    for _ in 0..30 {
        rig.press_tab().await;
        if rig.focused().await["text"] == "Continue" {
            on_continue = true;
            break;
        }
    }
    assert!(on_continue, "Tab never reached Continue");
    rig.press_keys(&fantoccini::key::Key::Enter).await;
    rig.button("Place order").await;
    let mut on_place = false;
    for _ in 0..30 {
        if rig.focused().await["text"] == "Place order" {
            on_place = true;
            break;
        }
        rig.press_tab().await;
    }
    assert!(on_place, "Tab never reached Place order");
    rig.press_keys(" ").await;
    rig.wait_for_order_placed().await;
    let mastercard = customer["sources"][1]["id"].as_str().unwrap();
    let attached = rig.requests("POST", "/checkouts/*/sources/*");
    assert_eq!(attached.len(), 1);
    assert!(
        attached[0]["path"].as_str().unwrap().ends_with(mastercard),
        "paid with the card chosen by keyboard: {attached:?}"
    );
    rig.close().await;
}

/// Types a card into the frame by its fields' autocomplete tokens (the labels
/// are in the page's language).
async fn type_card_anywhere(rig: &Rig, number: &str) {
    rig.enter_card_frame().await;
    for (token, text) in [
        ("cc-name", "Jane Doe"),
        ("cc-number", number),
        ("cc-exp", "07/30"),
        ("cc-csc", "123"),
    ] {
        let deadline = Instant::now() + Duration::from_secs(15);
        let el = loop {
            if let Ok(el) = rig
                .client
                .find(fantoccini::Locator::Css(&format!(
                    "input[autocomplete={token}]"
                )))
                .await
            {
                break el;
            }
            assert!(Instant::now() < deadline, "no {token} input in the frame");
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        el.clear().await.unwrap();
        el.send_keys(text).await.unwrap();
    }
    rig.leave_frame().await;
}

/// Presses the widget's primary action of the step (Continue / Pay, Save
/// and place order: the form's submit button; Place order: the review's).
async fn press_primary(rig: &Rig, css: &str) {
    wait_until(
        rig,
        &format!("an enabled `{css}`"),
        &format!("const b = document.querySelector('{css}'); return !!b && !b.disabled;"),
    )
    .await;
    rig.js(&format!("document.querySelector('{css}').click()"))
        .await;
}

/// Pins zero axe-core violations at every step a shopper can reach (payment,
/// errors shown, waiting, review, declined, fix, error, confirmation), in the
/// widget and the card frame, in English, German and Arabic (right to left).
/// The saved cards and the challenge are scanned by the tests above.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axe_finds_nothing_at_every_step_in_english_german_and_arabic() {
    let injector = injector(&axe_source());
    let rig = Rig::start().await;
    let mut problems = Vec::new();
    for locale in ["en", "de", "ar"] {
        rig.reset_sandbox();
        // Payment, errors shown, waiting, review, declined.
        rig.sandbox.shared.store().ready_after = Duration::from_millis(1500);
        let id = rig.create_checkout("jdoe@example.com", "55343").await;
        rig.open(&format!("?checkoutId={id}&locale={locale}")).await;
        let tag = |step: &str| format!("{locale} {step}");
        rig.enter_card_frame().await;
        rig.leave_frame().await;
        problems.extend(scan(&rig, &injector, &tag("payment entry"), 2).await);
        press_primary(&rig, ".cw-root form button[type=submit]").await;
        wait_for_alert(&rig).await;
        problems.extend(scan(&rig, &injector, &tag("errors shown"), 2).await);
        type_card_anywhere(&rig, "4000 0000 0000 3600").await;
        press_primary(&rig, ".cw-root form button[type=submit]").await;
        wait_until(
            &rig,
            "waiting",
            "return !!document.querySelector('.cw-progress');",
        )
        .await;
        problems.extend(scan(&rig, &injector, &tag("waiting"), 1).await);
        press_primary(&rig, ".cw-review button").await;
        wait_for_alert(&rig).await;
        wait_until(
            &rig,
            "payment entry again after the decline",
            "return !!document.querySelector('.cw-root form button[type=submit]');",
        )
        .await;
        problems.extend(scan(&rig, &injector, &tag("declined"), 2).await);

        // Fix: an email the sandbox rejects at the order.
        rig.sandbox.shared.store().ready_after = Duration::ZERO;
        let id = rig.create_checkout("jane@reject.example", "55343").await;
        rig.open(&format!("?checkoutId={id}&locale={locale}")).await;
        type_card_anywhere(&rig, "4444 2222 3333 1111").await;
        press_primary(&rig, ".cw-root form button[type=submit]").await;
        wait_until(
            &rig,
            "review",
            "const b = document.querySelector('.cw-review button'); return !!b && !b.disabled;",
        )
        .await;
        problems.extend(scan(&rig, &injector, &tag("review"), 1).await);
        press_primary(&rig, ".cw-review button").await;
        wait_until(
            &rig,
            "the fix step",
            "return !!document.querySelector('.cw-root input[name=email]') && !!document.querySelector('.cw-root [role=alert]');",
        )
        .await;
        problems.extend(scan(&rig, &injector, &tag("fix"), 1).await);
        rig.js(
            "const e = document.querySelector('.cw-root input[name=email]');
             e.value = 'jane@example.com'; e.dispatchEvent(new Event('input', {bubbles: true}));",
        )
        .await;
        press_primary(&rig, ".cw-root form button[type=submit]").await;
        wait_until(
            &rig,
            "the confirmation",
            "return !!document.querySelector('.cw-confirmation__heading');",
        )
        .await;
        problems.extend(scan(&rig, &injector, &tag("confirmation"), 1).await);

        // Error: a checkout the store cannot load.
        rig.fault(json!({"method": "GET", "path": "/checkouts/*", "times": 20,
                         "fault": {"kind": "status", "status": 500, "body": "{}"}}));
        let id = rig.create_checkout("jdoe@example.com", "55343").await;
        rig.open(&format!(
            "?checkoutId={id}&locale={locale}&readinessTimeoutMs=1000"
        ))
        .await;
        wait_for_alert(&rig).await;
        problems.extend(scan(&rig, &injector, &tag("error"), 1).await);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    rig.close().await;
}
