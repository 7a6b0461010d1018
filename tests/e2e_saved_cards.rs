//! Registered shoppers in the real browser: saved cards at payment entry (and
//! as the way back from a decline), saving a new card, removing one, and a
//! reload after paying that shows the order. The card frame authenticates a
//! saved card; no card number is typed for it.

mod browser;

use std::time::{Duration, Instant};

use browser::Rig;
use fantoccini::Locator;
use serde_json::{json, Value};

const VISA: &str = "4444 2222 3333 1111";
const MASTERCARD: &str = "5466 1600 0000 0008";
const THREE_DS: &str = "5454 5454 5454 5454";
const DECLINE: &str = "4000 0000 0000 3600";

/// The saved-card options as the page shows them: label text, checked, disabled.
async fn options(rig: &Rig) -> Vec<(String, bool, bool)> {
    let v = rig
        .client
        .execute(
            "return [...document.querySelectorAll('.cw-wallet__option')].map(o => {
               const i = o.querySelector('input');
               return [o.querySelector('label').textContent.trim(), i.checked, i.disabled];
             });",
            vec![],
        )
        .await
        .unwrap_or(Value::Null);
    serde_json::from_value(v).unwrap_or_default()
}

/// Waits until the saved-card list shows an option starting with `label`.
async fn wait_for_option(rig: &Rig, label: &str) -> (String, bool, bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(o) = options(rig)
            .await
            .into_iter()
            .find(|o| o.0.starts_with(label))
        {
            return o;
        }
        assert!(
            Instant::now() < deadline,
            "no saved card `{label}`; widget says: {}",
            rig.text().await
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Clicks the radio whose label starts with `label`.
async fn choose(rig: &Rig, label: &str) {
    wait_for_option(rig, label).await;
    let xpath = format!("//label[starts-with(normalize-space(), '{label}')]");
    let for_id = rig
        .client
        .find(Locator::XPath(&xpath))
        .await
        .expect("the option's label")
        .attr("for")
        .await
        .unwrap()
        .unwrap();
    rig.client
        .find(Locator::Id(&for_id))
        .await
        .unwrap()
        .click()
        .await
        .expect("choose");
}

/// Opens a checkout of a new customer with these saved cards.
async fn open_registered(rig: &Rig, customer: &str, cards: &[(&str, u32, u32)]) -> String {
    rig.create_customer(customer, cards);
    let id = rig.create_registered_checkout(customer).await;
    rig.open(&format!("?checkoutId={id}")).await;
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_saved_card_pays_with_nothing_typed() {
    let rig = Rig::start().await;
    let id = open_registered(&rig, "cus_t1", &[(VISA, 7, 2030), (MASTERCARD, 11, 2029)]).await;
    let visa = wait_for_option(&rig, "Visa ending in 1111").await;
    assert!(visa.1, "the default is preselected: {visa:?}");
    assert!(visa.0.contains("Expires 07/2030"), "{visa:?}");
    let new = wait_for_option(&rig, "Use a new card").await;
    assert!(!new.1);
    rig.click("Continue").await;
    rig.click("Place order").await;
    rig.wait_for_order_placed().await;
    assert_eq!(rig.orders_for(&id).len(), 1);
    assert!(
        rig.requests("POST", "/sources").is_empty(),
        "no card was typed or tokenized"
    );
    assert_eq!(rig.requests("POST", "/sources/*/authentications").len(), 1);
    // The saved card's secret stays in the frame: not in the page, nor its events.
    let customer = rig.sandbox.shared.store().get_customer("cus_t1").unwrap();
    let secret = customer["sources"][0]["clientSecret"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!rig.html().await.contains(&secret));
    let details = rig
        .client
        .execute("return JSON.stringify(window.__cwEventDetails)", vec![])
        .await
        .unwrap();
    assert!(!details.as_str().unwrap_or_default().contains(&secret));
    rig.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_three_d_secure_card_runs_its_challenge() {
    let rig = Rig::start().await;
    let id = open_registered(&rig, "cus_t2", &[(THREE_DS, 3, 2031)]).await;
    wait_for_option(&rig, "MasterCard ending in 5454").await;
    rig.click("Continue").await;
    rig.answer_challenge(Some("password")).await;
    rig.click("Place order").await;
    rig.wait_for_order_placed().await;
    assert_eq!(rig.orders_for(&id).len(), 1);
    assert!(rig.events().await.contains(r#"{"step":"authenticating"}"#));
    rig.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_card_saved_for_later_is_listed_on_the_next_checkout() {
    let rig = Rig::start().await;
    open_registered(&rig, "cus_t3", &[(VISA, 7, 2030)]).await;
    choose(&rig, "Use a new card").await;
    rig.field("Save this card for future purchases")
        .await
        .click()
        .await
        .expect("tick save");
    let ticked = rig
        .js("return document.querySelector('input[type=checkbox]:checked') !== null")
        .await;
    assert_eq!(ticked, json!(true), "the click ticked the box");
    rig.enter_card(MASTERCARD, "11/29", "123").await;
    rig.click("Continue").await;
    rig.click("Place order").await;
    rig.wait_for_order_placed().await;
    let saves = rig.requests("POST", "/customers/*/sources/*");
    assert_eq!(
        saves.len(),
        1,
        "the new card was saved once: {saves:?}; widget events: {}",
        rig.events().await
    );
    let customer = rig.sandbox.shared.store().get_customer("cus_t3").unwrap();
    assert_eq!(
        customer["sources"].as_array().unwrap().len(),
        2,
        "{customer}"
    );
    // The next checkout lists it.
    let next = rig.create_registered_checkout("cus_t3").await;
    rig.open(&format!("?checkoutId={next}")).await;
    wait_for_option(&rig, "MasterCard ending in 0008").await;
    rig.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_a_saved_card_asks_first() {
    let rig = Rig::start().await;
    open_registered(&rig, "cus_t4", &[(VISA, 7, 2030), (MASTERCARD, 11, 2029)]).await;
    wait_for_option(&rig, "MasterCard ending in 0008").await;
    rig.click("Remove MasterCard ending in 0008").await;
    rig.wait_for_text(
        ".cw-wallet__confirm",
        "Remove MasterCard ending in 0008 from your saved cards?",
    )
    .await;
    rig.click("Keep it").await;
    assert_eq!(
        rig.sandbox.shared.store().get_customer("cus_t4").unwrap()["sources"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    rig.click("Remove MasterCard ending in 0008").await;
    rig.click("Yes, remove").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while options(&rig)
        .await
        .iter()
        .any(|o| o.0.starts_with("MasterCard"))
    {
        assert!(
            Instant::now() < deadline,
            "the removed card is still listed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let left = rig.sandbox.shared.store().get_customer("cus_t4").unwrap();
    assert_eq!(left["sources"].as_array().unwrap().len(), 1, "{left}");
    assert_eq!(rig.requests("DELETE", "/customers/*/sources/*").len(), 1);
    rig.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decline_on_a_saved_card_then_another_saved_card_orders_once_on_the_new_checkout() {
    let rig = Rig::start().await;
    let first = open_registered(&rig, "cus_t5", &[(DECLINE, 7, 2030), (VISA, 7, 2030)]).await;
    wait_for_option(&rig, "Visa ending in 3600").await;
    rig.click("Continue").await;
    rig.click("Place order").await;
    rig.wait_for_text(".cw-alert", "declined").await;
    let declined = wait_for_option(&rig, "Visa ending in 3600").await;
    assert!(declined.0.contains("Declined just now"), "{declined:?}");
    assert!(
        declined.2 && !declined.1,
        "marked, not selectable, not chosen: {declined:?}"
    );
    choose(&rig, "Visa ending in 1111").await;
    rig.click("Continue").await;
    rig.click("Place order").await;
    rig.wait_for_order_placed().await;
    let orders = rig.requests("POST", "/orders");
    let second = orders.last().unwrap()["json"]["checkoutId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(second, first, "the order went to the fresh checkout");
    assert_eq!(rig.orders_for(&second).len(), 1);
    assert!(rig.orders_for(&first).is_empty());
    rig.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_saved_card_is_shown_but_not_selectable() {
    let rig = Rig::start().await;
    open_registered(
        &rig,
        "cus_t6",
        &[("3434 567890 12341", 1, 2024), (VISA, 7, 2030)],
    )
    .await;
    let expired = wait_for_option(&rig, "American Express ending in 2341").await;
    assert!(expired.2 && !expired.1, "{expired:?}");
    assert!(expired.0.contains("Expired 01/2024"), "{expired:?}");
    rig.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_failing_to_load_still_lets_the_shopper_pay_with_a_new_card() {
    let rig = Rig::start().await;
    for fault in [
        json!({"kind": "status", "status": 500, "body": "{\"type\":\"server_error\",\"errors\":[]}"}),
        json!({"kind": "status", "status": 502, "body": "<html><body>Bad gateway</body></html>", "contentType": "text/html"}),
        json!({"kind": "delay", "ms": 2500}),
    ] {
        rig.reset_sandbox();
        rig.create_customer("cus_t7", &[(VISA, 7, 2030)]);
        let id = rig.create_registered_checkout("cus_t7").await;
        rig.fault(json!({"method": "GET", "path": "/customers/*", "times": 10, "fault": fault}));
        rig.open(&format!("?checkoutId={id}&requestTimeoutMs=1500"))
            .await;
        rig.wait_for_text(".cw-wallet__note", "couldn't load your saved cards")
            .await;
        rig.enter_card(MASTERCARD, "11/29", "123").await;
        rig.click("Continue").await;
        rig.click("Place order").await;
        rig.wait_for_order_placed().await;
        assert_eq!(rig.orders_for(&id).len(), 1, "{fault}");
    }
    rig.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_after_paying_shows_the_order_and_orders_nothing_more() {
    let rig = Rig::start().await;
    let id = rig.create_checkout("jdoe@example.com", "55343").await;
    rig.open(&format!("?checkoutId={id}")).await;
    rig.enter_card(VISA, "07/30", "123").await;
    rig.click("Continue").await;
    rig.click("Place order").await;
    let order = rig.wait_for_order_placed().await;
    rig.open(&format!("?checkoutId={id}")).await;
    assert_eq!(rig.wait_for_order_placed().await, order);
    assert_eq!(rig.requests("POST", "/orders").len(), 1);
    assert!(rig
        .events()
        .await
        .contains(&format!(r#"checkout-order-created {{"orderId":"{order}""#)));

    // Unmounted while POST /orders was in flight (and committed), then
    // mounted again on the same checkout.
    let id = rig.create_checkout("jdoe@example.com", "55343").await;
    rig.open(&format!("?checkoutId={id}")).await;
    rig.enter_card(VISA, "07/30", "123").await;
    rig.click("Continue").await;
    rig.button("Place order").await;
    // The order is committed, and the answer never comes back (the
    // connection dies); the widget is unmounted at once.
    rig.fault(json!({"method": "POST", "path": "/orders", "fault": {"kind": "lost"}}));
    rig.client
        .execute(
            "document.querySelector('.cw-review button').click();
             window.checkoutWidget.unmount();",
            vec![],
        )
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while rig.orders_for(&id).is_empty() {
        assert!(Instant::now() < deadline, "the order was never committed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    rig.open(&format!("?checkoutId={id}")).await;
    rig.wait_for_order_placed().await;
    assert_eq!(rig.orders_for(&id).len(), 1);
    assert_eq!(
        rig.requests("POST", "/orders")
            .iter()
            .filter(|o| o["json"]["checkoutId"] == id.as_str())
            .count(),
        1,
        "no second POST /orders for it"
    );

    // A checkout that never existed: said plainly, kind `not_found`.
    rig.open("?checkoutId=chk_never").await;
    rig.wait_for_text("[role=alert]", "no longer available")
        .await;
    let kinds = rig
        .client
        .execute(
            "return window.__cwEventDetails.filter(e => e.name === 'checkout-error').map(e => e.detail.kind)",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(kinds, json!(["not_found"]));
    rig.close().await;
}
