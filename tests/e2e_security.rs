//! Security in the browser: card data goes to `POST /sources` and nowhere else;
//! server strings render as text; the page runs under the strict CSP with no
//! violation; repeated clicks and Enter presses never duplicate a request.

mod browser;

use std::time::Duration;

use browser::Rig;
use serde_json::{json, Value};

const VISA: &str = "4444 2222 3333 1111";
const DECLINE: &str = "4000 0000 0000 3600";

async fn js(rig: &Rig, script: &str) -> Value {
    rig.client.execute(script, vec![]).await.expect("script")
}

/// Everything the page could have kept or said, as one string.
async fn page_traces(rig: &Rig) -> String {
    let v = js(
        rig,
        r#"return JSON.stringify({
             local: Object.entries(localStorage), session: Object.entries(sessionStorage),
             cookies: document.cookie, url: location.href, history: history.length,
             console: window.__cwConsole, events: window.__cwEventDetails,
             errors: window.__cwErrors,
             widget: [...document.querySelectorAll('.cw-root')].map(e => e.outerHTML).join('') });"#,
    )
    .await;
    v.as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn card_data_goes_to_post_sources_only() {
    let rig = Rig::start().await;
    rig.open("").await;
    // A decline first (card one), then a success (card two).
    rig.enter_card(DECLINE, "07/30", "123").await;
    rig.click("Continue").await;
    rig.click("Place order").await;
    rig.wait_for_text(".cw-alert", "declined").await;
    rig.enter_card(VISA, "08/31", "987").await;
    // While typed, the number is in the field (that is what a field is for)...
    rig.click("Continue").await;
    rig.wait_for_text(".cw-review__card", "ending in 1111")
        .await;
    // ...and once the source exists it is nowhere in the page.
    let at_review = page_traces(&rig).await;
    rig.click("Place order").await;
    rig.wait_for_order_placed().await;
    let at_end = page_traces(&rig).await;
    for (number, cvc) in [("4000000000003600", "123"), ("4444222233331111", "987")] {
        for traces in [&at_review, &at_end] {
            assert!(
                !traces.contains(number),
                "card number {number} left a trace"
            );
            assert!(
                !traces.contains("4444 2222 3333 1111") && !traces.contains("4000 0000 0000 3600")
            );
            assert!(
                !traces.contains(&format!("\"{cvc}\"")),
                "security code {cvc} left a trace"
            );
        }
        for e in rig.api_log() {
            if e["method"] == "POST" && e["path"] == "/sources" {
                continue;
            }
            let seen = format!("{} {} {}", e["body"], e["query"], e["authorization"]);
            assert!(
                !seen.contains(number),
                "card number sent to {} {}",
                e["method"],
                e["path"]
            );
        }
    }
    let sources = rig.requests("POST", "/sources");
    assert_eq!(sources.len(), 2);
    assert_eq!(sources[1]["json"]["creditCard"]["cvv"], "987");
    // The right autocomplete tokens, so browsers and password managers fill the
    // right fields: the card's in the card frame, the rest on the page.
    rig.open("").await;
    let tokens = js(
        &rig,
        "await new Promise(r => setTimeout(r, 500));
         return Object.fromEntries([...document.querySelectorAll('.cw-root [autocomplete]')].map(e => [e.name, e.autocomplete]));",
    )
    .await;
    assert_eq!(
        tokens,
        json!({"email": "email", "address": "billing address-line1", "city": "billing address-level2",
               "postal-code": "billing postal-code", "country": "billing country", "state": "billing address-level1"})
    );
    rig.field("Email").await;
    rig.enter_card_frame().await;
    rig.field("Card number").await;
    let card_tokens = js(
        &rig,
        "return [...document.querySelectorAll('[autocomplete]')].map(e => e.autocomplete).sort();",
    )
    .await;
    rig.leave_frame().await;
    assert_eq!(
        card_tokens,
        json!(["cc-csc", "cc-exp", "cc-name", "cc-number"])
    );
    rig.close().await;
}

const IMG: &str = "<img src=x onerror=window.__xss=1>";
const SCRIPT: &str = "<script>window.__xss=2</script>";

/// No element was injected and nothing ran.
async fn assert_no_injection(rig: &Rig) {
    let v = js(
        rig,
        "return [window.__xss === undefined, document.querySelectorAll('.cw-root img, .cw-root script, .cw-root iframe:not(.cw-card-frame)').length]",
    )
    .await;
    assert_eq!(v, json!([true, 0]), "server text was interpreted as HTML");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_strings_render_as_text() {
    let rig = Rig::start().await;
    // Product name and email from the server, with markup in them.
    let email = "x<img/src=x/onerror=window.__xss=3>@example.com";
    let body = json!({
        "currency": "USD", "email": email,
        "billTo": {"name": "Jane Doe", "address": {"line1": "1 Main St", "city": "Minnetonka",
                   "postalCode": "55343", "state": "MN", "country": "US"}},
        "items": [{"skuId": browser::MARKUP_SKU, "quantity": 1}]
    });
    assert_eq!(browser::MARKUP_NAME, format!("Mug {IMG}{SCRIPT}"));
    let c = rig.create_checkout_with(body).await;
    let id = c["id"].as_str().unwrap().to_owned();
    // The brand comes back from POST /sources: answer with markup in it, for a
    // real source of this session so the journey can go on.
    let real = rig
        .sandbox
        .shared
        .store()
        .create_source(&json!({"type": "creditCard", "sessionId": c["payment"]["session"]["id"],
            "creditCard": {"number": "4444222233331111", "expirationMonth": 7, "expirationYear": 2030, "cvv": "123"}}))
        .unwrap();
    let forged = json!({"id": real["id"], "type": "creditCard", "state": "chargeable",
        "creditCard": {"brand": IMG, "lastFourDigits": SCRIPT}});

    // And the rejected order's message carries markup too.
    let rejection = json!({"type": "bad_request", "errors": [{"code": "invalid_parameter", "parameter": "email",
        "message": format!("Bad {IMG} {SCRIPT}")}]});
    rig.fault(json!([
        {"method": "POST", "path": "/sources", "fault": {"kind": "status", "status": 201, "body": forged.to_string()}},
        {"method": "POST", "path": "/checkouts/*/sources/*", "fault": {"kind": "status", "status": 200, "body": forged.to_string()}},
        {"method": "POST", "path": "/orders", "fault": {"kind": "status", "status": 400, "body": rejection.to_string()}}
    ]));
    rig.open(&format!("?checkoutId={id}")).await;
    let item = rig.wait_for_text(".cw-summary__name", "Mug").await;
    assert_eq!(item.text().await.unwrap(), format!("Mug {IMG}{SCRIPT}"));
    assert_eq!(rig.value("Email").await, email);
    rig.enter_card(VISA, "07/30", "123").await;
    // The source is attached for real here (the widget's own attach call gets
    // the forged answer), after the page has loaded the unpaid checkout.
    rig.sandbox
        .shared
        .store()
        .attach_source(&id, real["id"].as_str().unwrap())
        .unwrap();
    rig.click("Continue").await;
    let card = rig.wait_for_text(".cw-review__card", "ending in").await;
    assert_eq!(
        card.text().await.unwrap(),
        format!("Paying with {IMG} ending in {SCRIPT}")
    );
    let receipt = rig.wait_for_text(".cw-review__email", "Receipt to").await;
    assert_eq!(receipt.text().await.unwrap(), format!("Receipt to {email}"));
    assert_no_injection(&rig).await;
    rig.click("Place order").await;
    let alert = rig.wait_for_text(".cw-alert", "Bad").await;
    assert_eq!(alert.text().await.unwrap(), format!("Bad {IMG} {SCRIPT}"));
    rig.wait_for_text(".cw-field__error", "Bad").await;
    assert_no_injection(&rig).await;
    rig.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purchase_under_the_strict_csp_has_no_violations() {
    let rig = Rig::start().await;
    rig.open("").await;
    let csp = js(
        &rig,
        "const r = await fetch(location.href); return r.headers.get('content-security-policy');",
    )
    .await;
    assert_eq!(
        csp,
        json!(rig.sandbox.merchant_csp()),
        "the page is served with the strict policy, framing only the payments origin"
    );
    rig.enter_card(DECLINE, "07/30", "123").await;
    rig.click("Continue").await;
    rig.click("Place order").await;
    rig.wait_for_text(".cw-alert", "declined").await;
    rig.enter_card(VISA, "07/30", "123").await;
    rig.click("Continue").await;
    rig.click("Place order").await;
    rig.wait_for_order_placed().await;
    assert_eq!(js(&rig, "return window.__cspViolations").await, json!([]));
    assert_eq!(js(&rig, "return window.__cwErrors").await, json!([]));
    // The widget uses no inline style attribute anywhere.
    assert_eq!(
        js(
            &rig,
            "return document.querySelectorAll('.cw-root [style]').length"
        )
        .await,
        json!(0)
    );
    rig.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_rapid_clicks_and_enters_send_one_request_each() {
    let rig = Rig::start().await;
    rig.sandbox.shared.store().ready_after = Duration::from_millis(100);
    rig.open("").await;
    rig.enter_card(VISA, "07/30", "123").await;
    let burst = |label: &str| {
        format!(
            "const b = [...document.querySelectorAll('.cw-root button')].find(b => b.textContent.trim() === '{label}');
             for (let i = 0; i < 20; i++) {{
               b.click();
               if (b.form) b.form.requestSubmit();
               b.dispatchEvent(new KeyboardEvent('keydown', {{key: 'Enter', bubbles: true}}));
             }}
             return true;"
        )
    };
    rig.button("Continue").await;
    assert_eq!(js(&rig, &burst("Continue")).await, json!(true));
    rig.button("Place order").await;
    assert_eq!(js(&rig, &burst("Place order")).await, json!(true));
    rig.wait_for_order_placed().await;
    // Real key presses too, on the button that is now gone: nothing more happens.
    let _ = rig
        .client
        .active_element()
        .await
        .unwrap()
        .send_keys("\u{E007}")
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(rig.requests("POST", "/sources").len(), 1);
    assert_eq!(rig.requests("POST", "/checkouts/*/sources/*").len(), 1);
    assert_eq!(rig.requests("POST", "/orders").len(), 1);
    rig.close().await;
}
