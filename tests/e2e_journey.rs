//! The shopper journey in a real browser: the release bundle in headless
//! Chromium against the real sandbox. Each test asserts what the shopper sees
//! and what the sandbox received.

mod browser;

use std::time::Duration;

use browser::Rig;
use serde_json::json;

const VISA: &str = "4444 2222 3333 1111";
const VISA_DIGITS: &str = "4444222233331111";
const DECLINE: &str = "4000 0000 0000 3600";

/// Card digits must appear in `POST /sources` bodies and nowhere else.
fn assert_card_only_in_sources(rig: &Rig, digits: &str) {
    for e in rig.api_log() {
        let body = e["body"].as_str().unwrap_or_default();
        let query = e["query"].as_str().unwrap_or_default();
        if e["method"] == "POST" && e["path"] == "/sources" {
            continue;
        }
        assert!(
            !body.contains(digits) && !query.contains(digits),
            "card number sent to {} {}",
            e["method"],
            e["path"]
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn happy_path_places_one_order() {
    let rig = Rig::start().await;
    rig.open("").await;
    rig.wait_for_text(".cw-summary__row--total", "$53.40").await;
    assert_eq!(
        rig.value("Name on card").await,
        "Jane Doe",
        "prefilled from the checkout"
    );
    assert_eq!(rig.value("Email").await, "jdoe@example.com");
    rig.enter_card("4444222233331111", "0730", "123").await;
    assert_eq!(rig.value("Card number").await, VISA, "grouped as typed");
    assert_eq!(rig.value("Expiration date").await, "07/30");
    rig.click("Continue").await;
    rig.wait_for_text(".cw-review__card", "Visa ending in 1111")
        .await;
    rig.click("Place order").await;
    let order_id = rig.wait_for_order_placed().await;

    let sources = rig.requests("POST", "/sources");
    assert_eq!(sources.len(), 1);
    let src = &sources[0]["json"];
    assert_eq!(src["creditCard"]["number"], VISA_DIGITS);
    assert_eq!(src["creditCard"]["expirationMonth"], 7);
    assert_eq!(src["creditCard"]["expirationYear"], 2030);
    let orders = rig.requests("POST", "/orders");
    assert_eq!(orders.len(), 1, "exactly one order request");
    let checkout_id = orders[0]["json"]["checkoutId"].as_str().unwrap().to_owned();
    let placed = rig.orders_for(&checkout_id);
    assert_eq!(placed.len(), 1);
    assert_eq!(placed[0]["id"], order_id.as_str());
    assert_card_only_in_sources(&rig, VISA_DIGITS);
    assert!(
        !rig.html().await.contains(VISA_DIGITS),
        "no card number left in the DOM"
    );
    let events = rig.events().await;
    assert!(events.contains(&format!(r#"checkout-order-created {{"orderId":"{order_id}","checkoutId":"{checkout_id}","state":"accepted"}}"#)), "{events}");
    for step in ["payment", "waiting", "review", "submitting", "complete"] {
        assert!(
            events.contains(&format!(r#"checkout-step {{"step":"{step}"}}"#)),
            "step {step}: {events}"
        );
    }
    rig.close().await;
}

/// One decline; returns (declined checkout id, ordered checkout id).
async fn decline_then(rig: &Rig, declines: usize) -> Vec<String> {
    rig.open("").await;
    rig.wait_for_text(".cw-summary__row--total", "$53.40").await;
    for n in 0..declines {
        rig.enter_card(DECLINE, "07/30", "123").await;
        rig.click("Continue").await;
        rig.click("Place order").await;
        let alert = rig.wait_for_text(".cw-alert", "declined").await;
        let text = alert.text().await.unwrap();
        assert!(
            !text.contains("failed-request"),
            "the code is never shown: {text}"
        );
        assert_eq!(
            rig.value("Card number").await,
            "",
            "card fields empty after decline {n}"
        );
        assert_eq!(rig.value("Security code").await, "");
        assert_eq!(rig.value("Name on card").await, "Jane Doe", "name kept");
        assert_eq!(rig.value("Email").await, "jdoe@example.com", "email kept");
        assert_eq!(
            rig.wait_for_card_focus("cc-number").await.as_deref(),
            Some("cc-number"),
            "focus on the card number, in the card frame"
        );
    }
    rig.enter_card(VISA, "07/30", "123").await;
    rig.click("Continue").await;
    rig.click("Place order").await;
    rig.wait_for_order_placed().await;
    rig.requests("POST", "/orders")
        .iter()
        .map(|o| o["json"]["checkoutId"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decline_then_success_on_a_fresh_checkout() {
    let rig = Rig::start().await;
    let ordered = decline_then(&rig, 1).await;
    assert_eq!(ordered.len(), 2, "{ordered:?}");
    assert_ne!(
        ordered[0], ordered[1],
        "the order after a 409 uses a new checkout"
    );
    // The fresh checkout was created with the shopper's data and no ids or totals.
    let creates = rig.requests("POST", "/checkouts");
    assert_eq!(creates.len(), 2, "the demo cart, then the fresh checkout");
    let fresh = &creates[1]["json"];
    assert_eq!(fresh["email"], "jdoe@example.com");
    assert_eq!(fresh["billTo"]["name"], "Jane Doe");
    assert!(fresh.get("totalAmount").is_none() && fresh["items"][0].get("id").is_none());
    assert_eq!(fresh["items"][0]["skuId"], "sku_mug");
    // The second source was made against the new checkout's session.
    let sources = rig.requests("POST", "/sources");
    assert_eq!(sources.len(), 2);
    assert_ne!(
        sources[0]["json"]["sessionId"],
        sources[1]["json"]["sessionId"]
    );
    assert_eq!(rig.orders_for(&ordered[1]).len(), 1);
    assert!(rig.orders_for(&ordered[0]).is_empty());
    let events = rig.events().await;
    assert!(
        events.contains(&format!(r#""checkoutId":"{}""#, ordered[0]))
            && events.contains(&format!(r#""newCheckoutId":"{}""#, ordered[1])),
        "checkout-declined names both checkouts: {events}"
    );
    assert!(!rig.html().await.contains("failed-request"));
    rig.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_declines_then_success() {
    let rig = Rig::start().await;
    let ordered = decline_then(&rig, 2).await;
    assert_eq!(ordered.len(), 3);
    assert!(
        ordered[0] != ordered[1] && ordered[1] != ordered[2] && ordered[0] != ordered[2],
        "{ordered:?}"
    );
    assert_eq!(rig.orders_for(&ordered[2]).len(), 1);
    rig.close().await;
}

/// Pays on an existing checkout and presses `Place order`.
async fn pay_existing(rig: &Rig, checkout_id: &str) {
    rig.open(&format!("?checkoutId={checkout_id}")).await;
    rig.enter_card(VISA, "07/30", "123").await;
    rig.click("Continue").await;
    rig.click("Place order").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejected_email_is_fixed_and_the_same_checkout_resubmitted() {
    let rig = Rig::start().await;
    let id = rig.create_checkout("shopper@reject.example", "55343").await;
    pay_existing(&rig, &id).await;
    rig.button("Save and place order").await;
    assert_eq!(
        rig.value("Email").await,
        "shopper@reject.example",
        "prefilled"
    );
    let active = rig.client.active_element().await.unwrap();
    assert_eq!(
        active.attr("name").await.unwrap().as_deref(),
        Some("email"),
        "focus on the field to fix"
    );
    assert!(
        rig.text().await.contains("Use another one"),
        "the provider's message is shown"
    );
    rig.fill("Email", "jane@example.com").await;
    rig.click("Save and place order").await;
    rig.wait_for_order_placed().await;

    let updates = rig.requests("POST", "/checkouts/*");
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0]["path"], format!("/checkouts/{id}"));
    assert_eq!(
        updates[0]["json"],
        json!({"email": "jane@example.com"}),
        "only the corrected field"
    );
    let orders: Vec<_> = rig
        .requests("POST", "/orders")
        .iter()
        .map(|o| o["json"]["checkoutId"].clone())
        .collect();
    assert_eq!(
        orders,
        vec![json!(id), json!(id)],
        "the same checkout, twice"
    );
    assert_eq!(
        rig.requests("POST", "/checkouts").len(),
        1,
        "no new checkout (only the merchant's own, before the page opened)"
    );
    assert_eq!(rig.orders_for(&id).len(), 1);
    assert!(rig
        .events()
        .await
        .contains(r#"checkout-needs-input {"checkoutId""#));
    rig.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejected_billing_postal_code_is_fixed() {
    let rig = Rig::start().await;
    let id = rig.create_checkout("jdoe@example.com", "00000").await;
    pay_existing(&rig, &id).await;
    rig.button("Save and place order").await;
    assert_eq!(rig.value("Postal code").await, "00000");
    let field = rig.field("Postal code").await;
    assert_eq!(
        field.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    rig.fill("Postal code", "55401").await;
    rig.click("Save and place order").await;
    rig.wait_for_order_placed().await;
    let updates = rig.requests("POST", "/checkouts/*");
    assert_eq!(
        updates[0]["json"]["billTo"]["address"]["postalCode"],
        "55401"
    );
    assert_eq!(
        updates[0]["json"].as_object().unwrap().len(),
        1,
        "only billTo"
    );
    let orders = rig.requests("POST", "/orders");
    assert_eq!(orders.len(), 2);
    assert!(orders
        .iter()
        .all(|o| o["json"]["checkoutId"] == id.as_str()));
    rig.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_that_cannot_be_used_returns_to_the_form() {
    let rig = Rig::start().await;
    rig.open("").await;
    rig.enter_card("4000 0000 0000 3295", "07/30", "123").await;
    rig.click("Continue").await;
    rig.wait_for_text(".cw-alert", "cannot be used").await;
    assert_eq!(
        rig.wait_for_card_focus("cc-number").await.as_deref(),
        Some("cc-number"),
        "focus on the card number, in the card frame"
    );
    rig.enter_card(VISA, "07/30", "123").await;
    rig.click("Continue").await;
    rig.click("Place order").await;
    rig.wait_for_order_placed().await;
    assert_eq!(rig.requests("POST", "/sources").len(), 2);
    assert_eq!(
        rig.requests("POST", "/checkouts/*/sources/*").len(),
        1,
        "the failed card was never attached"
    );
    rig.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_session_readiness_shows_waiting_then_review() {
    let rig = Rig::start().await;
    rig.sandbox.shared.store().ready_after = Duration::from_millis(2_500);
    rig.open("").await;
    rig.enter_card(VISA, "07/30", "123").await;
    rig.click("Continue").await;
    rig.wait_for_text(".cw-progress", "Confirming your payment details")
        .await;
    let status = rig
        .client
        .find(fantoccini::Locator::Css("[role=status]"))
        .await
        .unwrap();
    assert!(status
        .html(true)
        .await
        .unwrap()
        .contains("Confirming your payment details"));
    rig.click("Place order").await;
    rig.wait_for_order_placed().await;
    let polls = rig.requests("GET", "/checkouts/*").len();
    assert!(
        (2..=15).contains(&polls),
        "backed-off polling, not a busy loop: {polls} reads"
    );
    rig.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_time_limit_offers_try_again() {
    let rig = Rig::start().await;
    rig.sandbox.shared.store().ready_after = Duration::from_millis(4_000);
    rig.open("?readinessTimeoutMs=1000").await;
    rig.enter_card(VISA, "07/30", "123").await;
    rig.click("Continue").await;
    rig.wait_for_text(".cw-alert", "still confirming").await;
    tokio::time::sleep(Duration::from_millis(3_200)).await;
    rig.click("Try again").await;
    rig.click("Place order").await;
    rig.wait_for_order_placed().await;
    rig.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_order_response_is_resolved_to_exactly_one_order() {
    let rig = Rig::start().await;
    rig.fault(json!({"method": "POST", "path": "/orders", "fault": {"kind": "lost"}}));
    rig.open("").await;
    rig.enter_card(VISA, "07/30", "123").await;
    rig.click("Continue").await;
    rig.click("Place order").await;
    let order_id = rig.wait_for_order_placed().await;
    let orders = rig.requests("POST", "/orders");
    assert_eq!(orders.len(), 1, "never re-sent");
    let id = orders[0]["json"]["checkoutId"].as_str().unwrap().to_owned();
    assert_eq!(rig.requests("GET", "/orders").len(), 1, "looked up instead");
    let placed = rig.orders_for(&id);
    assert_eq!(placed.len(), 1);
    assert_eq!(placed[0]["id"], order_id.as_str());
    rig.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_404_on_order_is_resolved_by_lookup() {
    let rig = Rig::start().await;
    let id = rig.create_checkout("jdoe@example.com", "55343").await;
    rig.open(&format!("?checkoutId={id}")).await;
    rig.enter_card(VISA, "07/30", "123").await;
    rig.click("Continue").await;
    let place = rig.button("Place order").await;
    // Another tab placed the order meanwhile: this checkout is consumed.
    let other = rig
        .sandbox
        .shared
        .store()
        .create_order(&json!({"checkoutId": id}))
        .unwrap();
    place.click().await.unwrap();
    let shown = rig.wait_for_order_placed().await;
    assert_eq!(
        shown,
        other["id"].as_str().unwrap(),
        "the existing order is shown"
    );
    assert_eq!(rig.requests("POST", "/orders").len(), 1);
    assert_eq!(rig.requests("POST", "/orders")[0]["status"], 404);
    assert_eq!(rig.requests("GET", "/orders").len(), 1);
    assert_eq!(rig.orders_for(&id).len(), 1);
    rig.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_lookup_is_retried_and_finds_the_single_order() {
    let rig = Rig::start().await;
    // The first answer is lost, the lookups fail, and then the shopper's retry
    // finds the order: still exactly one. The merchant backend looks the order
    // up itself (1 try + its retries) before it answers the widget 502, and
    // retries the widget's own lookup the same way: that many failed GETs
    // twice make the widget offer `Try again`.
    let failed_gets = 2 * (merchant_backend::upstream::GET_RETRIES + 1);
    rig.fault(json!([
        {"method": "POST", "path": "/orders", "fault": {"kind": "lost"}},
        {"method": "GET", "path": "/orders", "times": failed_gets, "fault": {"kind": "status", "status": 502,
         "body": "<html>Bad gateway</html>", "contentType": "text/html"}}
    ]));
    rig.open("").await;
    rig.enter_card(VISA, "07/30", "123").await;
    rig.click("Continue").await;
    rig.click("Place order").await;
    rig.click("Try again").await;
    rig.wait_for_order_placed().await;
    assert_eq!(rig.requests("POST", "/orders").len(), 1);
    assert_eq!(
        rig.requests("GET", "/orders").len(),
        failed_gets as usize + 1,
        "the failed lookups, then the one that found the order"
    );
    rig.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rapid_double_submit_gives_one_order() {
    let rig = Rig::start().await;
    rig.open("").await;
    rig.enter_card(VISA, "07/30", "123").await;
    // Continue: click twice and press Enter in the same task, before any re-render.
    rig.button("Continue").await;
    rig.client
        .execute(
            "const b = [...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Continue');
             b.click(); b.click(); b.form.requestSubmit();",
            vec![],
        )
        .await
        .unwrap();
    rig.button("Place order").await;
    rig.client
        .execute(
            "const b = [...document.querySelectorAll('button')].find(b => b.textContent.trim() === 'Place order');
             b.click(); b.click(); b.dispatchEvent(new MouseEvent('click', {bubbles: true}));",
            vec![],
        )
        .await
        .unwrap();
    rig.wait_for_order_placed().await;
    assert_eq!(rig.requests("POST", "/sources").len(), 1);
    assert_eq!(rig.requests("POST", "/checkouts/*/sources/*").len(), 1);
    assert_eq!(rig.requests("POST", "/orders").len(), 1);
    rig.close().await;
}
