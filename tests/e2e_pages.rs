//! Every page in `dist/` opens clean: nothing in the browser's console at
//! error level (a refused stylesheet, a stale SRI hash, a CSP violation, an
//! uncaught exception, a failed load), and the widget on it is styled by
//! `checkout-widget.css`. This is what a newcomer sees first (`make demo`), and
//! the class of failure only a real browser on the release bundle shows.

mod browser;

use std::time::{Duration, Instant};

use browser::Rig;
use serde_json::{json, Value};

/// The widget root's computed style, or `null` while there is none. Only the
/// stylesheet gives `.cw-root` padding and `overflow-wrap: anywhere`: an
/// unstyled widget has neither.
const ROOT_STYLE_JS: &str = r#"
const root = document.querySelector(arguments[0] + ' .cw-root');
if (!root) return null;
const s = getComputedStyle(root);
return { padding: s.paddingTop, wrap: s.overflowWrap, sheets: [...document.styleSheets].map(x => x.href) };
"#;

/// Waits until the widget inside `host` (a CSS selector) has rendered, and
/// returns its computed style.
async fn root_style(rig: &Rig, host: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let style = rig
            .client
            .execute(ROOT_STYLE_JS, vec![Value::from(host)])
            .await
            .unwrap_or(Value::Null);
        if !style.is_null() {
            return style;
        }
        assert!(
            Instant::now() < deadline,
            "no widget in `{host}` within 15 s; console: {:?}",
            rig.console_log().await
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Asserts the widget in `host` carries the stylesheet's rules.
async fn assert_styled(rig: &Rig, page: &str, host: &str) {
    let style = root_style(rig, host).await;
    assert_eq!(
        (&style["padding"], &style["wrap"]),
        (&json!("16px"), &json!("anywhere")),
        "{page}: the widget is not styled by checkout-widget.css ({style})"
    );
}

/// Asserts the console showed nothing at error level since the last read.
async fn assert_clean_console(rig: &Rig, page: &str) {
    let log = rig.console_log().await;
    let errors: Vec<_> = log.iter().filter(|(level, _)| level == "SEVERE").collect();
    assert!(errors.is_empty(), "{page}: console errors: {errors:#?}");
    assert_eq!(
        rig.page_errors().await,
        json!([]),
        "{page}: uncaught errors"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_in_dist_loads_styled_with_a_clean_console() {
    let rig = Rig::start().await;
    let mut pages: Vec<String> = std::fs::read_dir(browser::dist_dir())
        .expect("dist/")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".html"))
        .collect();
    pages.sort();
    assert_eq!(
        pages,
        [
            "automount.html",
            "bench.html",
            "card-frame.html",
            "index.html"
        ],
        "a new page in dist/ needs a case here"
    );

    // The demo store: the widget mounted from the cart, through `mount`.
    rig.client.goto(&rig.url("/")).await.expect("open /");
    assert_styled(&rig, "index.html", "#checkout").await;
    rig.wait_for_text(".cw-summary__row--total", "$53.40").await;
    // The card frame (card-frame.html, from the payments origin) inside it,
    // styled by card-frame.css.
    rig.enter_card_frame().await;
    rig.field("Card number").await;
    let frame_style = rig
        .client
        .execute(
            "const s = getComputedStyle(document.querySelector('.cw-root'));
             return [location.origin, s.overflowWrap];",
            vec![],
        )
        .await
        .expect("frame style");
    rig.leave_frame().await;
    assert_eq!(
        frame_style,
        json!([rig.sandbox.payments_url(), "anywhere"]),
        "card-frame.html is served by the payments origin and styled"
    );
    assert_clean_console(&rig, "index.html").await;

    // Auto-mount from data-* attributes (the second element is misconfigured
    // on purpose: that is a `checkout-error` event, not a console error).
    let id = rig.create_checkout("jdoe@example.com", "55343").await;
    rig.client
        .goto(&rig.url(&format!("/automount.html?checkoutId={id}")))
        .await
        .expect("open automount.html");
    assert_styled(&rig, "automount.html", "#auto").await;
    assert_clean_console(&rig, "automount.html").await;

    // The benchmark page holds no widget of its own: mount one as the
    // benchmarks do.
    rig.client
        .goto(&rig.url("/bench.html"))
        .await
        .expect("open bench.html");
    let id = rig.create_checkout("jdoe@example.com", "55343").await;
    let mounted = rig
        .client
        .execute(
            r#"const mod = await import('/checkout-widget.js');
               await mod.default();
               const { paymentsBase } = await (await fetch('/store.json')).json();
               window.widget = mod.mount(document.getElementById('bench'),
                                         {apiBase: '/api', paymentsBase, checkoutId: arguments[0]});
               return true;"#,
            vec![Value::from(id)],
        )
        .await
        .expect("mount on bench.html");
    assert_eq!(mounted, true);
    assert_styled(&rig, "bench.html", "#bench").await;
    rig.wait_for_text("#bench .cw-summary__row--total", "Total")
        .await;
    assert_clean_console(&rig, "bench.html").await;
    rig.close().await;
}
