//! Browser smoke test: the release bundle, mounted by the demo page through the
//! public `mount` API, loads its checkout from the real sandbox over HTTP and
//! shows the total the sandbox computed.

mod browser;

use browser::Rig;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_page_mounts_the_widget_and_shows_the_checkout_total() {
    let rig = Rig::start().await;
    rig.client
        .goto(&rig.url("/"))
        .await
        .expect("open the demo page");

    // The demo cart: 2 x Mug at 10.00 and a T-shirt at 25.00, shipped to MN.
    // The sandbox computes 45.00 + 3.40 tax + 5.00 shipping.
    let total = rig.wait_for_text(".cw-summary__row--total", "$53.40").await;
    assert_eq!(
        total.text().await.unwrap().replace('\n', " "),
        "Total $53.40"
    );
    rig.wait_for_text(".cw-summary__item", "Mug").await;

    // It really went over HTTP: exactly one checkout was created, from the cart.
    let log = rig.api_log();
    let creates: Vec<_> = log
        .iter()
        .filter(|e| e["method"] == "POST" && e["path"] == "/checkouts")
        .collect();
    assert_eq!(creates.len(), 1, "one POST /checkouts, got {log:?}");
    assert_eq!(creates[0]["status"], 201);
    assert_eq!(creates[0]["json"]["items"][0]["skuId"], "sku_mug");

    // The widget announced readiness with the new checkout's id, as a DOM event.
    let events = rig
        .client
        .execute(
            "return document.getElementById('event-log').textContent",
            vec![],
        )
        .await
        .unwrap();
    let events = events.as_str().unwrap_or_default().to_owned();
    assert!(
        events.contains(r#"checkout-ready {"checkoutId":"chk_"#),
        "events: {events}"
    );
    assert_eq!(
        rig.page_errors().await,
        serde_json::json!([]),
        "no page errors"
    );
    rig.close().await;
}
