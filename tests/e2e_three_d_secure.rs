//! 3-D Secure in the real browser, across the three origins: the merchant page
//! frames the card frame (payments origin), which frames the issuer's challenge
//! (the ACS, a third origin). Each outcome must end in exactly one order.

mod browser;

use browser::Rig;

/// A 3-D Secure test card of the contract.
const THREE_DS: &str = "5454 5454 5454 5454";
const VISA: &str = "4444 2222 3333 1111";

/// Opens a fresh checkout and submits the 3-D Secure card; `query` adds options.
async fn start(rig: &Rig, query: &str) -> String {
    let id = rig.create_checkout("jdoe@example.com", "55343").await;
    rig.open(&format!("?checkoutId={id}{query}")).await;
    rig.enter_card(THREE_DS, "07/30", "123").await;
    rig.click("Continue").await;
    id
}

async fn steps(rig: &Rig) -> String {
    rig.events().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_passed_challenge_places_exactly_one_order() {
    let rig = Rig::start().await;
    let id = start(&rig, "").await;
    rig.answer_challenge(Some("password")).await;
    rig.click("Place order").await;
    let order = rig.wait_for_order_placed().await;
    let orders = rig.orders_for(&id);
    assert_eq!(orders.len(), 1, "{orders:?}");
    assert_eq!(orders[0]["id"], order.as_str());
    let events = steps(&rig).await;
    assert!(
        events.contains(r#"checkout-step {"step":"authenticating"}"#),
        "{events}"
    );
    // The frame trusted the source's state, and only a chargeable source was attached.
    assert_eq!(rig.requests("GET", "/sources/*").len(), 1);
    assert_eq!(rig.requests("POST", "/checkouts/*/sources/*").len(), 1);
    rig.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_challenge_returns_to_payment_then_another_card_orders_once() {
    let rig = Rig::start().await;
    let id = start(&rig, "").await;
    rig.answer_challenge(Some("wrong")).await;
    rig.wait_for_text("[role=alert]", "couldn't verify").await;
    assert!(
        rig.requests("POST", "/checkouts/*/sources/*").is_empty(),
        "a failed source is never attached"
    );
    assert!(
        rig.card_number_empty().await,
        "the unverified card is cleared"
    );
    rig.enter_card(VISA, "07/30", "123").await;
    rig.click("Continue").await;
    rig.click("Place order").await;
    rig.wait_for_order_placed().await;
    assert_eq!(rig.orders_for(&id).len(), 1);
    rig.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_challenge_can_be_verified_again() {
    let rig = Rig::start().await;
    let id = start(&rig, "").await;
    rig.answer_challenge(None).await;
    rig.wait_for_text("[role=alert]", "cancelled").await;
    rig.button("Use another card").await;
    rig.click("Verify again").await;
    rig.answer_challenge(Some("password")).await;
    rig.click("Place order").await;
    rig.wait_for_order_placed().await;
    assert_eq!(rig.orders_for(&id).len(), 1);
    rig.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_challenge_left_open_times_out_and_can_be_verified_again() {
    let rig = Rig::start().await;
    let id = start(&rig, "&challengeTimeoutMs=1500").await;
    rig.wait_for_text("[role=alert]", "took too long").await;
    rig.click("Verify again").await;
    rig.answer_challenge(Some("password")).await;
    rig.click("Place order").await;
    rig.wait_for_order_placed().await;
    assert_eq!(rig.orders_for(&id).len(), 1);
    assert_eq!(rig.page_errors().await, serde_json::json!([]));
    rig.close().await;
}
