//! The card frame as a security boundary, in the real browser across the
//! sandbox's three origins (embedding.md, "Two origins"): the merchant page
//! cannot read the card; forged handshake and protocol messages change
//! nothing; a page the frame does not allow gets no usable frame; a shopper can
//! pay with the keyboard alone across the frame's edges; and the whole journey,
//! 3-D Secure included, runs under the strict CSPs without a violation.

mod browser;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use browser::Rig;
use fantoccini::key::Key;
use serde_json::{json, Value};

const VISA: &str = "4444 2222 3333 1111";
const VISA_DIGITS: &str = "4444222233331111";
const CVC: &str = "123";
/// A 3-D Secure test card of the contract (password `password`).
const THREE_DS: &str = "5454 5454 5454 5454";

/// Whether `token` occurs in `hay` on its own: not inside a longer word,
/// number or id (`123` is in a hex id or `812.1234`, which is no leak; a leak
/// reads `"123"`, `=123&`, `>123<`).
fn has_token(hay: &str, token: &str) -> bool {
    let edge =
        |c: Option<char>| c.is_none_or(|c| !(c.is_ascii_alphanumeric() || "_.-".contains(c)));
    hay.match_indices(token).any(|(i, _)| {
        edge(hay[..i].chars().next_back()) && edge(hay[i + token.len()..].chars().next())
    })
}

/// Which forms of the test card's number and code `text` contains.
fn card_traces(text: &str) -> Vec<&'static str> {
    let mut found = Vec::new();
    if text.contains(VISA) {
        found.push("the number (grouped)");
    }
    if text.contains(VISA_DIGITS) {
        found.push("the number (digits)");
    }
    if has_token(text, CVC) {
        found.push("the security code");
    }
    found
}

/// What a script on the merchant page can learn of the card frame: card inputs
/// in its own document, and the frame's document through either door.
const PROBE_JS: &str = r#"
const cards = ['cc-number', 'cc-csc', 'cc-exp', 'cc-name']
  .flatMap(t => [`input[name="${t}"]`, `[autocomplete~="${t}"]`]).join(', ');
return {
  cardInputs: document.querySelectorAll(cards).length,
  frames: [...document.querySelectorAll('iframe.cw-card-frame')].map(f => {
    let viaWindow;
    try { viaWindow = f.contentWindow.document ? 'readable' : 'none'; } catch (e) { viaWindow = e.name; }
    return { contentDocument: f.contentDocument === null ? null : 'readable', viaWindow };
  }),
};"#;

/// Everything the merchant page kept or said, by place. The demo page's own
/// "Test cards" table (which prints the test numbers for people) is left out.
const TRACES_JS: &str = r#"
const page = document.documentElement.cloneNode(true);
page.querySelectorAll('.test-cards').forEach(e => e.remove());
return JSON.stringify({
  html: page.outerHTML,
  fieldValues: [...document.querySelectorAll('input, textarea, select')].map(e => e.value),
  localStorage: Object.entries(localStorage),
  sessionStorage: Object.entries(sessionStorage),
  cookies: document.cookie,
  url: location.href,
  console: window.__cwConsole,
  eventDetails: (window.__cwEventDetails || []).map(e => ({ name: e.name, detail: e.detail })),
});"#;

/// The merchant page cannot reach the card frame's document, and none of the
/// card's traces is anywhere on it.
async fn assert_isolated(rig: &Rig, when: &str) {
    let probe = rig.js(PROBE_JS).await;
    assert_eq!(
        probe,
        json!({"cardInputs": 0, "frames": [{"contentDocument": null, "viaWindow": "SecurityError"}]}),
        "{when}: the merchant page must see no card input and a closed card frame"
    );
    let traces: Value =
        serde_json::from_str(rig.js(TRACES_JS).await.as_str().expect("traces")).unwrap();
    for (place, value) in traces.as_object().unwrap() {
        let found = card_traces(&value.to_string());
        assert!(
            found.is_empty(),
            "{when}: {found:?} found in the page's {place}: {value}"
        );
    }
}

/// Nothing the merchant origin's API received carries the card.
fn assert_merchant_api_clean(rig: &Rig) {
    let merchant: Vec<Value> = rig
        .api_log()
        .into_iter()
        .filter(|e| e["origin"] == "merchant")
        .collect();
    assert!(!merchant.is_empty(), "the widget talks to the merchant API");
    for e in merchant {
        let seen = format!("{} {} {}", e["body"], e["query"], e["authorization"]);
        let found = card_traces(&seen);
        assert!(
            found.is_empty(),
            "{found:?} sent to the merchant origin: {} {} {seen}",
            e["method"],
            e["path"]
        );
    }
}

/// Pins the isolation of embedding.md: a script on the merchant page finds no
/// card input, cannot open the frame's document, and finds neither the number
/// nor the code in the page, its storage, cookies, URL, console, events, or any
/// request to the merchant origin, while the card is typed and after the
/// purchase; the payments origin's `POST /sources` does carry them (so the
/// checks would see a leak).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_merchant_page_never_sees_the_card() {
    let rig = Rig::start().await;
    let id = rig.create_checkout("jdoe@example.com", "55343").await;
    rig.open(&format!("?checkoutId={id}")).await;
    rig.enter_card(VISA, "07/30", CVC).await;
    assert_eq!(rig.value("Card number").await, VISA, "typed in the frame");
    assert_isolated(&rig, "with the card typed").await;
    rig.click("Continue").await;
    rig.click("Place order").await;
    rig.wait_for_order_placed().await;
    assert_isolated(&rig, "after the purchase").await;
    assert_merchant_api_clean(&rig);

    let sources = rig.requests("POST", "/sources");
    assert_eq!(sources.len(), 1, "{sources:?}");
    assert_eq!(sources[0]["origin"], "payments");
    assert_eq!(sources[0]["json"]["creditCard"]["number"], VISA_DIGITS);
    assert_eq!(sources[0]["json"]["creditCard"]["cvv"], CVC);
    assert_eq!(rig.orders_for(&id).len(), 1);
    rig.close().await;
}

/// The widget's card frame: its origin and the nonce in its URL's fragment.
async fn frame_origin_and_nonce(rig: &Rig) -> (String, String) {
    let v = rig
        .js("const u = new URL(document.querySelector('iframe.cw-card-frame').src); return [u.origin, u.hash.slice(1)];")
        .await;
    let (origin, nonce) = (v[0].as_str().unwrap(), v[1].as_str().unwrap());
    assert!(nonce.len() >= 16, "the frame URL carries a nonce: {v}");
    (origin.to_owned(), nonce.to_owned())
}

/// The checkout-step events so far.
async fn steps(rig: &Rig) -> Value {
    rig.js("return (window.__cwEventDetails || []).filter(e => e.name === 'checkout-step').map(e => e.detail.step);")
        .await
}

/// Posts a second `init` with the real nonce (and then `validate` and
/// `tokenize` over its port) to the widget's frame; returns what came back.
const SECOND_INIT_JS: &str = r#"
const [base, sessionId, wait] = arguments;
const f = document.querySelector('iframe.cw-card-frame');
const u = new URL(f.src);
const ch = new MessageChannel();
const got = [];
ch.port1.onmessage = e => got.push(e.data);
f.contentWindow.postMessage({ v: 1, type: 'init', nonce: u.hash.slice(1), paymentsBase: base,
  publicKey: null, locale: 'en-US', appearance: [] }, u.origin, [ch.port2]);
await new Promise(r => setTimeout(r, 200));
ch.port1.postMessage({ v: 1, type: 'validate' });
ch.port1.postMessage({ v: 1, type: 'tokenize', request: 1, sessionId,
  owner: { email: 'evil@example.com', address: {} } });
await new Promise(r => setTimeout(r, wait));
return got;"#;

/// Frames a card frame of its own from the merchant page (an allowed origin)
/// and sends it a wrong-nonce init, the right one (the positive control: a
/// `ready` does come back), and the right one again on a new port.
const OWN_FRAME_JS: &str = r#"
const [page, base, wait] = arguments;
const nonce = Array.from(crypto.getRandomValues(new Uint8Array(16)), b => b.toString(16).padStart(2, '0')).join('');
const f = document.createElement('iframe');
f.title = 'Test frame';
const loaded = new Promise(r => f.addEventListener('load', r, { once: true }));
f.src = page + '#' + nonce;
document.body.append(f);
await loaded;
const origin = new URL(page).origin;
const ask = async (n, ms) => {
  const ch = new MessageChannel();
  const got = [];
  ch.port1.onmessage = e => got.push(e.data);
  f.contentWindow.postMessage({ v: 1, type: 'init', nonce: n, paymentsBase: base, publicKey: null,
    locale: 'en-US', appearance: [] }, origin, [ch.port2]);
  const t0 = performance.now();
  while (performance.now() - t0 < ms && !got.some(m => m && m.type === 'ready')) {
    await new Promise(r => setTimeout(r, 25));
  }
  return got;
};
const wrong = await ask(nonce.slice(1) + '0', wait);
const empty = await ask('', wait);
const right = await ask(nonce, 15000);
const again = await ask(nonce, wait);
f.remove();
return { wrong, empty, right: right.map(m => m && m.type), again };"#;

/// Protocol-shaped messages posted to the card frame's window (not over the
/// port), as objects and as JSON text, to its origin and to `*`.
const FRAME_WINDOW_JS: &str = r#"
const [sessionId, wait] = arguments;
const f = document.querySelector('iframe.cw-card-frame');
const origin = new URL(f.src).origin;
const owner = { email: 'evil@example.com', address: {} };
const msgs = [
  { v: 1, type: 'tokenize', request: 1, sessionId, owner },
  { v: 1, type: 'tokenize', request: 2, sessionId, owner },
  { v: 1, type: 'reset' },
  { v: 1, type: 'challenge', request: 1 },
];
for (const m of msgs) {
  for (const data of [m, JSON.stringify(m)]) {
    f.contentWindow.postMessage(data, origin);
    f.contentWindow.postMessage(data, '*');
  }
}
await new Promise(r => setTimeout(r, wait));
return msgs.length;"#;

/// Frame answers forged on the merchant window (from the page itself, or from
/// the card frame's window when run there), for every plausible request id.
const FORGED_ANSWERS_JS: &str = r#"
const [sourceId, wait] = arguments;
const target = window.parent;
const source = { sourceId, brand: 'Visa', last4: '1111', expirationMonth: 7, expirationYear: 2030, name: 'Jane Doe' };
const msgs = [{ v: 1, type: 'ready' },
  { v: 1, type: 'state', empty: false, complete: false, errors: [{ field: 'number', message: 'Forged error' }],
    invalid: ['number'], height: 7 }];
for (let request = 0; request <= 10; request++) {
  msgs.push({ v: 1, type: 'tokenized', request, source });
  msgs.push({ v: 1, type: 'challengeStarted', request });
  msgs.push({ v: 1, type: 'challengeEnded', request, outcome: 'passed', source });
  msgs.push({ v: 1, type: 'tokenizeFailed', request, failure: 'refused', message: 'Forged refusal' });
}
for (const m of msgs) {
  target.postMessage(m, '*');
  target.postMessage(JSON.stringify(m), '*');
}
await new Promise(r => setTimeout(r, wait));
return msgs.length;"#;

/// Off-schema objects and non-objects, to the card frame's window and the
/// merchant window.
const GARBAGE_JS: &str = r#"
const f = document.querySelector('iframe.cw-card-frame');
const bad = [{ v: 2, type: 'reset' }, { type: 'reset' }, { v: '1', type: 'reset' }, { v: 1, type: 'hello' },
  { v: 1, type: 'tokenized', request: 'x', source: {} }, { v: 1, type: 'tokenized', request: 1 },
  { v: 1, type: 'tokenize' }, '{"v":1,"type":"reset"}', [1], [{ v: 1, type: 'reset' }], null, 42, true,
  'ready', undefined, new Blob(['x'])];
for (const m of bad) {
  f.contentWindow.postMessage(m, '*');
  window.postMessage(m, '*');
}
await new Promise(r => setTimeout(r, arguments[0]));
return bad.length;"#;

/// The card as typed is still in the frame.
async fn assert_card_still_typed(rig: &Rig, after: &str) {
    for (label, want) in [
        ("Name on card", "Jane Doe"),
        ("Card number", VISA),
        ("Expiration date", "07/30"),
        ("Security code", CVC),
    ] {
        assert_eq!(rig.value(label).await, want, "{label} after {after}");
    }
}

/// Pins the handshake's and the protocol's refusals: a second `init` with the
/// real nonce, a wrong or empty nonce, protocol messages on the frame's window
/// instead of its port, forged frame answers on the merchant window (from the
/// page and from the frame's window, idle and while a tokenization is in
/// flight), and off-schema messages all change nothing; the widget then
/// completes exactly one purchase with the real card.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_messages_change_nothing() {
    let rig = Rig::start().await;
    let id = rig.create_checkout("jdoe@example.com", "55343").await;
    let checkout = rig.sandbox.shared.store().get_checkout(&id).unwrap();
    let session = checkout["payment"]["session"]["id"].clone();
    assert!(session.is_string(), "{checkout}");
    rig.open(&format!("?checkoutId={id}")).await;
    rig.enter_card(VISA, "07/30", CVC).await;
    let (origin, _) = frame_origin_and_nonce(&rig).await;
    assert_eq!(origin, rig.sandbox.payments_url());
    let base = json!(rig.sandbox.payments_base());
    let requests_before = rig.api_log().len();
    let steps_before = steps(&rig).await;
    assert_eq!(steps_before, json!(["payment"]));

    // (a) A second init with the real nonce and a new port: never answered.
    let got = rig
        .js_with(
            SECOND_INIT_JS,
            vec![base.clone(), session.clone(), json!(1500)],
        )
        .await;
    assert_eq!(got, json!([]), "the frame answered a second init");

    // (b) A frame of the test's own: a wrong or empty nonce gets nothing, the
    // right one gets `ready` (so silence above means refusal), once only.
    let page = json!(format!(
        "{}/card-frame.html?origin={}",
        rig.sandbox.payments_url(),
        rig.merchant.clone()
    ));
    let own = rig
        .js_with(OWN_FRAME_JS, vec![page, base.clone(), json!(1500)])
        .await;
    assert_eq!(own["wrong"], json!([]), "a wrong nonce was answered: {own}");
    assert_eq!(
        own["empty"],
        json!([]),
        "an empty nonce was answered: {own}"
    );
    assert!(
        own["right"].as_array().unwrap().contains(&json!("ready")),
        "the positive control: the right init gets `ready`: {own}"
    );
    assert_eq!(
        own["again"],
        json!([]),
        "a repeated init was answered: {own}"
    );

    // (c) Protocol messages on the frame's window, not its port.
    rig.js_with(FRAME_WINDOW_JS, vec![session.clone(), json!(1000)])
        .await;
    assert!(
        rig.requests("POST", "/sources").is_empty(),
        "a message outside the port tokenized the card"
    );
    assert_card_still_typed(&rig, "a forged reset").await;

    // (e) Off-schema objects and non-objects, to both windows.
    rig.js_with(GARBAGE_JS, vec![json!(1000)]).await;
    assert_eq!(rig.page_errors().await, json!([]), "garbage broke the page");
    assert_card_still_typed(&rig, "off-schema messages").await;

    // (d) Forged frame answers on the merchant window, from the page and from
    // the frame's own window, with nothing in flight.
    rig.js_with(FORGED_ANSWERS_JS, vec![json!("src_forged"), json!(500)])
        .await;
    rig.enter_card_frame().await;
    rig.js_with(FORGED_ANSWERS_JS, vec![json!("src_forged"), json!(500)])
        .await;
    rig.leave_frame().await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        rig.api_log().len(),
        requests_before,
        "forged messages caused requests: {:?}",
        &rig.api_log()[requests_before..]
    );
    assert_eq!(steps(&rig).await, steps_before, "the step changed");
    let text = rig.text().await;
    assert!(
        !text.contains("Forged"),
        "a forged message was shown: {text}"
    );
    rig.button("Continue").await;
    assert_card_still_typed(&rig, "forged answers").await;

    // (d) ...and while the real tokenization is in flight.
    rig.fault(
        json!({"origin": "payments", "method": "POST", "path": "/sources",
                     "fault": {"kind": "delay", "ms": 3000}}),
    );
    rig.click("Continue").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while rig.requests("POST", "/sources").is_empty() {
        assert!(Instant::now() < deadline, "no POST /sources after Continue");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    rig.js_with(FORGED_ANSWERS_JS, vec![json!("src_forged"), json!(300)])
        .await;
    assert_eq!(
        rig.requests("POST", "/sources")[0]["status"],
        0,
        "the forgeries arrived while the tokenization was pending"
    );
    rig.wait_for_text(".cw-review__card", "Visa ending in 1111")
        .await;
    let attached = rig.requests("POST", "/checkouts/*/sources/*");
    assert_eq!(attached.len(), 1, "{attached:?}");
    assert!(
        !attached[0]["path"].as_str().unwrap().contains("src_forged"),
        "a forged source was attached: {attached:?}"
    );
    let all_steps = steps(&rig).await;
    assert!(
        !all_steps
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "authenticating" || s == "error"),
        "{all_steps}"
    );
    rig.click("Place order").await;
    rig.wait_for_order_placed().await;
    assert_eq!(rig.orders_for(&id).len(), 1);
    assert_eq!(rig.requests("POST", "/sources").len(), 1);
    assert_eq!(rig.requests("POST", "/orders").len(), 1);
    assert!(!rig.text().await.contains("Forged"));
    rig.close().await;
}

/// One HTTP/1.1 GET on a fresh connection: status, lower-cased headers, body.
fn http_get(addr: SocketAddr, host: &str, path: &str) -> (u16, Vec<(String, String)>, String) {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).expect("read the answer");
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (status, headers, body.to_owned())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// From a page on another origin: frames `card-frame.html` twice (with the
/// allowed merchant origin in `?origin=`, and with this page's own origin),
/// sends each an init with the nonce `n` and a port, and reports what came
/// back and whether the frame's document is the served page.
const FOREIGN_PARENT_JS: &str = r#"
const [pages, base, wait] = arguments;
const frame = src => new Promise(resolve => {
  const f = document.createElement('iframe');
  f.title = 'Test frame';
  const done = () => resolve(f);
  f.addEventListener('load', done, { once: true });
  setTimeout(done, 8000);
  f.src = src + '#n';
  document.body.append(f);
});
const out = [];
for (const page of pages) {
  const f = await frame(page);
  const ch = new MessageChannel();
  const got = [];
  ch.port1.onmessage = e => got.push(e.data);
  const init = { v: 1, type: 'init', nonce: 'n', paymentsBase: base, publicKey: null, locale: 'en-US', appearance: [] };
  let posted = 'posted';
  try { f.contentWindow.postMessage(init, '*', [ch.port2]); } catch (e) { posted = e.name; }
  await new Promise(r => setTimeout(r, wait));
  let href;
  try { href = f.contentWindow.location.href; } catch (e) { href = e.name; }
  out.push({ page, posted, got, href });
}
return out;"#;

/// Pins `frame-ancestors` and the origin allow-list: a page on an origin the
/// frame does not allow (the payments origin's own `bench.html`) gets no usable
/// card frame, neither with the allowed merchant origin in `?origin=` (served,
/// but the browser refuses to frame it here) nor with its own origin (403,
/// framable by nobody): no `ready` comes back, the frame never holds the
/// served page (it would be same-origin, and readable, here), and the console
/// names the `frame-ancestors` policy that refused each. The raw answers are
/// checked over HTTP too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parent_the_frame_does_not_allow_gets_no_usable_frame() {
    let rig = Rig::start().await;
    let merchant = rig.merchant.clone();
    let payments = rig.sandbox.payments_url();
    let host = payments.trim_start_matches("http://").to_owned();
    let addr = rig.sandbox.payments_addr;

    // Over HTTP: the allowed origin gets the page, framable by that origin only;
    // any other origin, or none, a 403 that nothing may frame.
    let (m, p, h) = (merchant.clone(), payments.clone(), host.clone());
    let answers = tokio::task::spawn_blocking(move || {
        [
            format!("/card-frame.html?origin={m}"),
            format!("/card-frame.html?origin={p}"),
            "/card-frame.html?origin=http://evil.example".to_owned(),
            "/card-frame.html".to_owned(),
        ]
        .map(|path| (path.clone(), http_get(addr, &h, &path)))
    })
    .await
    .unwrap();
    let (path, (status, headers, _)) = &answers[0];
    assert_eq!(*status, 200, "{path}");
    let csp = header(headers, "content-security-policy").unwrap_or_default();
    assert!(
        csp.ends_with(&format!("frame-ancestors {merchant}")),
        "{path}: {csp}"
    );
    for (path, (status, headers, body)) in &answers[1..] {
        assert_eq!(*status, 403, "{path}: {body}");
        let csp = header(headers, "content-security-policy").unwrap_or_default();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
    }

    // In the browser, from a page on the payments origin itself.
    rig.client
        .goto(&format!("{payments}/bench.html"))
        .await
        .expect("open bench.html on the payments origin");
    let pages = json!([
        format!("{payments}/card-frame.html?origin={merchant}"),
        format!("{payments}/card-frame.html?origin={payments}"),
    ]);
    let out = rig
        .js_with(
            FOREIGN_PARENT_JS,
            vec![pages, json!(rig.sandbox.payments_base()), json!(2000)],
        )
        .await;
    for frame in out.as_array().expect("two frames") {
        assert_eq!(frame["got"], json!([]), "the frame answered: {frame}");
        let href = frame["href"].as_str().unwrap_or_default();
        assert!(
            !href.starts_with(&payments),
            "the browser framed the page here: {frame}"
        );
    }
    assert_eq!(out.as_array().unwrap().len(), 2);
    // And it was the browser's frame-ancestors check that refused both: the
    // served page's (framable by the merchant only) and the 403's (by nobody).
    let console = rig.console_log().await;
    for policy in [
        format!("frame-ancestors {merchant}\""),
        "frame-ancestors 'none'\"".into(),
    ] {
        assert!(
            console
                .iter()
                .any(|(level, m)| level == "SEVERE" && m.contains(&policy)),
            "no refusal under `{policy}` in the console: {console:#?}"
        );
    }
    rig.close().await;
}

/// Tabs until `done(focused)` holds for what has focus on the merchant page.
async fn tab_until(rig: &Rig, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..40 {
        rig.press_tab().await;
        tokio::time::sleep(Duration::from_millis(30)).await;
        let f = rig.focused().await;
        if done(&f) {
            return f;
        }
    }
    panic!(
        "40 Tabs never reached {what}; focus is on {}",
        rig.focused().await
    );
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
            "focus should be on `{label}` in the card frame; page: {top}, frame: {inner}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the merchant page's focused element is the field named `name`.
async fn assert_page_focus(rig: &Rig, name: &str) {
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let top = rig.focused().await;
        if top["name"] == name {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "focus should be on the page's `{name}` field, is on {top}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Pins the keyboard path across the frame's edges: with Tab, Shift+Tab,
/// typing, Enter and Space only (real key events), a shopper tabs into the
/// frame, fills the card, leaves it to the page's Email, comes back with
/// Shift+Tab to the Security code, continues, and places exactly one order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keyboard_alone_completes_a_purchase() {
    let rig = Rig::start().await;
    let id = rig.create_checkout("jdoe@example.com", "55343").await;
    rig.open(&format!("?checkoutId={id}")).await;
    // Wait for the frame's form (no interaction: a look only).
    rig.field("Email").await;
    rig.value("Card number").await;

    tab_until(&rig, "the card frame", |f| f["cardFrame"] == true).await;
    assert_frame_focus(&rig, "Name on card").await;
    // Keyboard focus selects a field's text, so typing replaces the prefill.
    rig.press_keys("Jane Doe").await;
    rig.press_tab().await;
    assert_frame_focus(&rig, "Card number").await;
    rig.press_keys(VISA_DIGITS).await;
    rig.press_tab().await;
    assert_frame_focus(&rig, "Expiration date").await;
    rig.press_keys("0730").await;
    rig.press_tab().await;
    assert_frame_focus(&rig, "Security code").await;
    rig.press_keys(CVC).await;
    rig.press_tab().await;
    assert_page_focus(&rig, "email").await;
    rig.press_shift_tab().await;
    assert_frame_focus(&rig, "Security code").await;
    rig.press_tab().await;
    assert_page_focus(&rig, "email").await;
    for (label, want) in [
        ("Name on card", "Jane Doe"),
        ("Card number", VISA),
        ("Expiration date", "07/30"),
        ("Security code", CVC),
    ] {
        assert_eq!(rig.value(label).await, want, "{label} as typed");
    }

    tab_until(&rig, "Continue", |f| {
        f["tag"] == "button" && f["text"] == "Continue"
    })
    .await;
    rig.press_keys(&Key::Enter).await;
    // Only a look: the button is enabled once the payment session is ready.
    rig.button("Place order").await;
    tab_until(&rig, "Place order", |f| {
        f["tag"] == "button" && f["text"] == "Place order"
    })
    .await;
    rig.press_keys(&Key::Space).await;
    rig.wait_for_order_placed().await;
    assert_eq!(rig.orders_for(&id).len(), 1);
    assert_eq!(rig.requests("POST", "/sources").len(), 1);
    assert_eq!(rig.requests("POST", "/orders").len(), 1);
    rig.close().await;
}

/// Pins the strict CSPs end to end: the merchant page carries
/// `merchant_csp()` (framing only the payments origin), and a purchase through
/// a 3-D Secure challenge (three origins, two nested frames) records no CSP
/// violation on the page and nothing SEVERE in the browser's console, which
/// also reports what happens inside the frames.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_three_d_secure_purchase_under_the_strict_csp_has_no_violations() {
    let rig = Rig::start().await;
    let id = rig.create_checkout("jdoe@example.com", "55343").await;
    rig.open(&format!("?checkoutId={id}")).await;
    let policy = rig.sandbox.merchant_csp();
    assert_eq!(policy, sandbox::merchant_csp(&rig.sandbox.payments_url()));
    assert!(
        policy.contains(&format!("frame-src {};", rig.sandbox.payments_url())),
        "{policy}"
    );
    let served = rig
        .js("const r = await fetch(location.href); return r.headers.get('content-security-policy');")
        .await;
    assert_eq!(
        served,
        json!(policy),
        "the page is served with the strict policy"
    );

    rig.enter_card(THREE_DS, "07/30", CVC).await;
    rig.click("Continue").await;
    rig.answer_challenge(Some("password")).await;
    rig.click("Place order").await;
    rig.wait_for_order_placed().await;
    assert_eq!(rig.orders_for(&id).len(), 1);
    assert_eq!(
        rig.requests("GET", "/challenge").len(),
        1,
        "a challenge ran"
    );

    assert_eq!(rig.js("return window.__cspViolations").await, json!([]));
    assert_eq!(rig.page_errors().await, json!([]));
    let severe: Vec<_> = rig
        .console_log()
        .await
        .into_iter()
        .filter(|(level, _)| level == "SEVERE")
        .collect();
    assert!(severe.is_empty(), "the console reported: {severe:#?}");
    rig.close().await;
}
