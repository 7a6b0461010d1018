//! A storefront on another origin of the store's site (another port): its
//! page, under a CSP whose `connect-src` names the merchant backend's origin,
//! mounts the widget with that backend as `apiBase`. The widget's calls carry
//! the backend's session cookie across origins, the backend allows exactly
//! that storefront with CORS, and the purchase goes through.

mod browser;

use browser::Rig;

const VISA: &str = "4444 2222 3333 1111";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storefront_on_another_origin_checks_out_through_the_merchant_api() {
    let rig = Rig::start_storefront().await;
    let shop = rig.storefront.clone().expect("a storefront origin");
    assert_ne!(shop, rig.merchant);
    let api = format!("{}/api", rig.merchant);
    rig.client
        .goto(&format!("{shop}/?apiBase={api}"))
        .await
        .expect("open the storefront");
    rig.enter_card(VISA, "07/30", "123").await;
    rig.click("Continue").await;
    rig.click("Place order").await;
    let shown = rig.wait_for_order_placed().await;

    // The storefront's own backend has no provider: every call went to the
    // merchant origin, in one session (the order's checkout is the one the
    // page's session created, or the backend would have answered 404).
    let orders = rig.sandbox.shared.store().list_orders(None)["data"]
        .as_array()
        .cloned()
        .unwrap();
    assert_eq!(orders.len(), 1, "{orders:?}");
    assert_eq!(orders[0]["id"], shown.as_str());
    assert_eq!(rig.requests("POST", "/checkouts").len(), 1);
    assert!(!rig.requests("GET", "/checkouts/*").is_empty());

    // Nothing was refused (CORS, CSP) or failed on the way.
    let errors: Vec<_> = rig
        .console_log()
        .await
        .into_iter()
        .filter(|(level, _)| level == "SEVERE")
        .collect();
    assert!(errors.is_empty(), "the console reported: {errors:#?}");
    rig.close().await;
}
