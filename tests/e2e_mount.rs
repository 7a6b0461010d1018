//! The public mount API in a real browser: options errors, unmount, several
//! widgets on one page, auto-mount from data-* attributes, and `review: false`.

mod browser;

use browser::Rig;
use serde_json::Value;

async fn run(rig: &Rig, script: &str) -> Value {
    rig.client.execute(script, vec![]).await.expect("script")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_options_throw_clear_errors_and_render_nothing() {
    let rig = Rig::start().await;
    rig.open("").await;
    rig.wait_for_text(".cw-summary__row--total", "$53.40").await;
    let messages = run(
        &rig,
        r#"const { mount } = await import('/checkout-widget.js');
           const el = document.createElement('div');
           document.body.append(el);
           const out = [];
           for (const [target, opts] of [[el, {checkoutId: 'c'}], [el, {apiBase: '/api'}],
                                         [null, {apiBase: '/api', checkoutId: 'c'}], [el, undefined],
                                         [document.getElementById('checkout'), {apiBase: '/api', checkoutId: 'c'}]]) {
             try { mount(target, opts); out.push('no error'); }
             catch (e) { out.push(`${e instanceof Error}:${e.message}`); }
           }
           out.push(el.innerHTML);
           return out;"#,
    )
    .await;
    let m: Vec<String> = serde_json::from_value(messages).unwrap();
    assert!(
        m[0].starts_with("true:") && m[0].contains("apiBase"),
        "{m:?}"
    );
    assert!(
        m[1].contains("checkoutId") && m[1].contains("cart"),
        "{m:?}"
    );
    assert!(m[2].contains("element"), "{m:?}");
    assert!(m[3].contains("options"), "{m:?}");
    assert!(m[4].contains("already hosts a widget"), "{m:?}");
    assert_eq!(m[5], "", "nothing rendered for bad options");
    rig.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unmount_removes_the_widget_and_stops_its_work() {
    let rig = Rig::start().await;
    rig.sandbox.shared.store().ready_after = std::time::Duration::from_secs(3);
    rig.open("").await;
    rig.enter_card("4444 2222 3333 1111", "07/30", "123").await;
    rig.click("Continue").await;
    rig.wait_for_text(".cw-progress", "Confirming").await;
    // Unmount while the widget is polling for readiness.
    run(
        &rig,
        "window.checkoutWidget.unmount(); window.checkoutWidget.unmount();",
    )
    .await;
    let roots = run(&rig, "return document.querySelectorAll('.cw-root').length").await;
    assert_eq!(roots, 0);
    let polls_then = rig.requests("GET", "/checkouts/*").len();
    tokio::time::sleep(std::time::Duration::from_millis(2_500)).await;
    assert_eq!(
        rig.requests("GET", "/checkouts/*").len(),
        polls_then,
        "no polling after unmount"
    );
    // The element can host a new widget.
    let remounted = run(
        &rig,
        r#"const { mount } = await import('/checkout-widget.js');
           const { paymentsBase } = await (await fetch('/store.json')).json();
           window.checkoutWidget = mount(document.getElementById('checkout'), {apiBase: '/api', paymentsBase, cart: {items: [{skuId: 'sku_tee'}]}});
           return true;"#,
    )
    .await;
    assert_eq!(remounted, true);
    rig.wait_for_text(".cw-summary__item", "Organic T-shirt")
        .await;
    rig.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_mount_reads_data_attributes_and_reports_bad_ones() {
    let rig = Rig::start().await;
    let id = rig.create_checkout("jdoe@example.com", "55343").await;
    rig.client
        .goto(&rig.url(&format!("/automount.html?checkoutId={id}")))
        .await
        .unwrap();
    rig.wait_for_text(".cw-summary__row--total", "$26.51").await;
    // data-review="false": one Pay button with the amount.
    rig.enter_card("4444 2222 3333 1111", "07/30", "123").await;
    rig.click("Pay $26.51").await;
    rig.wait_for_order_placed().await;
    let events = run(&rig, "return window.__cwEvents").await;
    let events = events.as_array().unwrap();
    let ready = events
        .iter()
        .find(|e| e["name"] == "checkout-ready")
        .unwrap();
    assert_eq!(ready["target"], "auto");
    assert_eq!(ready["detail"]["checkoutId"], id.as_str());
    let broken = events
        .iter()
        .find(|e| e["target"] == "broken")
        .expect("an error for the bad element");
    assert_eq!(broken["name"], "checkout-error");
    assert_eq!(broken["detail"]["kind"], "config");
    assert!(broken["detail"]["message"]
        .as_str()
        .unwrap()
        .contains("apiBase"));
    assert!(rig.requests("POST", "/orders").len() == 1);
    assert!(rig.requests("POST", "/checkouts/*").is_empty());
    rig.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_widgets_on_one_page_are_independent() {
    let rig = Rig::start().await;
    let a = rig.create_checkout("a@example.com", "55343").await;
    let b = rig.create_checkout("b@example.com", "55343").await;
    rig.open(&format!("?checkoutId={a}")).await;
    rig.wait_for_text(".cw-summary__row--total", "$26.51").await;
    run(
        &rig,
        &format!(
            r#"const {{ mount }} = await import('/checkout-widget.js');
               const {{ paymentsBase }} = await (await fetch('/store.json')).json();
               const el = document.createElement('div'); el.id = 'second';
               document.querySelector('.store-checkout').append(el);
               window.second = mount(el, {{apiBase: '/api', paymentsBase, checkoutId: '{b}'}});
               return true;"#
        ),
    )
    .await;
    // Both forms are on the page (once the second checkout has loaded); each
    // label points at its own input, and each widget has its own card frame
    // (its own nonce, so its own channel).
    rig.wait_for_text("#second .cw-summary__row--total", "$26.51")
        .await;
    let ids = run(
        &rig,
        "return [...document.querySelectorAll('input[name=email]')].map(i => i.id)",
    )
    .await;
    assert_eq!(ids, serde_json::json!(["cw1-email", "cw2-email"]));
    let frames = run(
        &rig,
        "return [...document.querySelectorAll('iframe.cw-card-frame')].map(f => new URL(f.src).hash)",
    )
    .await;
    let frames: Vec<String> = serde_json::from_value(frames).unwrap();
    assert_eq!(frames.len(), 2, "{frames:?}");
    assert!(
        frames[0].len() == 33 && frames[1].len() == 33 && frames[0] != frames[1],
        "two frames with their own 128-bit nonces: {frames:?}"
    );
    run(&rig, "window.second.unmount()").await;
    assert_eq!(
        run(&rig, "return document.querySelectorAll('.cw-root').length").await,
        1
    );
    rig.enter_card("4444 2222 3333 1111", "07/30", "123").await;
    rig.click("Continue").await;
    rig.click("Place order").await;
    rig.wait_for_order_placed().await;
    assert_eq!(rig.orders_for(&a).len(), 1);
    assert!(rig.orders_for(&b).is_empty());
    rig.close().await;
}
