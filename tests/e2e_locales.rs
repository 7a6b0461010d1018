//! Shoppers in other languages, in the real browser: a whole purchase in German
//! and in Arabic (right to left: labels and inputs aligned to the right edge,
//! in the page and in the card frame, and nothing overflowing at 360 px), and a
//! merchant's override of one message.

mod browser;

use browser::Rig;
use serde_json::{json, Value};

/// (label, text) of the card frame's inputs, typed as a shopper would.
async fn type_card(rig: &Rig, fields: [(&str, &str); 4]) {
    rig.enter_card_frame().await;
    for (label, text) in fields {
        let el = rig.field(label).await;
        el.clear().await.unwrap();
        el.send_keys(text).await.unwrap();
    }
    rig.leave_frame().await;
}

/// For each label in this document: is it right-aligned with its input
/// (both end at the right edge, within 2 px), and is there no horizontal
/// overflow? Returns `{aligned: [...], overflow: bool, dir}`.
const RTL_JS: &str = r#"
const root = document.querySelector('.cw-root') || document.documentElement;
const aligned = [...root.querySelectorAll('label[for]')].map(l => {
  const input = document.getElementById(l.htmlFor);
  if (!input || input.type === 'radio' || input.type === 'checkbox') return null;
  const a = l.getBoundingClientRect(), b = input.getBoundingClientRect();
  return { label: l.textContent.trim(), ok: Math.abs(a.right - b.right) <= 2 && a.left >= b.left - 2 };
}).filter(Boolean);
const overflow = document.documentElement.scrollWidth > document.documentElement.clientWidth + 1
  || root.scrollWidth > root.clientWidth + 1;
return { aligned, overflow, dir: getComputedStyle(root).direction };
"#;

fn assert_rtl(v: &Value, where_: &str) {
    assert_eq!(v["dir"], "rtl", "{where_}: {v}");
    assert_eq!(v["overflow"], false, "{where_}: horizontal overflow {v}");
    let aligned = v["aligned"].as_array().unwrap();
    assert!(!aligned.is_empty(), "{where_}: no labelled inputs {v}");
    for a in aligned {
        assert_eq!(a["ok"], true, "{where_}: not aligned to the right edge {a}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_purchase_in_german() {
    let rig = Rig::start().await;
    let id = rig.create_checkout("jdoe@example.com", "55343").await;
    rig.open(&format!("?checkoutId={id}&locale=de")).await;
    rig.field("E-Mail").await;
    type_card(
        &rig,
        [
            ("Name auf der Karte", "Jane Doe"),
            ("Kartennummer", "4444 2222 3333 1111"),
            ("Ablaufdatum", "07/30"),
            ("Sicherheitscode", "123"),
        ],
    )
    .await;
    rig.click("Weiter").await;
    rig.click("Zahlungspflichtig bestellen").await;
    rig.wait_for_text(".cw-confirmation__heading", "Bestellung aufgegeben")
        .await;
    assert_eq!(rig.orders_for(&id).len(), 1);
    let lang = rig
        .client
        .execute("return document.querySelector('.cw-root').lang", vec![])
        .await
        .unwrap();
    assert_eq!(lang, "de");
    rig.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_purchase_in_arabic_reads_right_to_left_even_at_360_px() {
    let rig = Rig::start().await;
    rig.client.set_window_size(360, 900).await.unwrap();
    let id = rig.create_checkout("jdoe@example.com", "55343").await;
    rig.open(&format!("?checkoutId={id}&locale=ar")).await;
    rig.field("البريد الإلكتروني").await;
    let page = rig.client.execute(RTL_JS, vec![]).await.unwrap();
    assert_rtl(&page, "merchant page");
    rig.enter_card_frame().await;
    rig.field("رقم البطاقة").await;
    let frame = rig.client.execute(RTL_JS, vec![]).await.unwrap();
    rig.leave_frame().await;
    assert_rtl(&frame, "card frame");
    type_card(
        &rig,
        [
            ("الاسم على البطاقة", "Jane Doe"),
            ("رقم البطاقة", "4444 2222 3333 1111"),
            ("تاريخ انتهاء الصلاحية", "07/30"),
            ("رمز الأمان", "123"),
        ],
    )
    .await;
    rig.click("متابعة").await;
    rig.click("إتمام الطلب").await;
    rig.wait_for_text(".cw-confirmation__heading", "تم تقديم الطلب")
        .await;
    assert_eq!(rig.orders_for(&id).len(), 1);
    rig.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_merchant_override_of_one_message_shows() {
    let rig = Rig::start().await;
    let id = rig.create_checkout("jdoe@example.com", "55343").await;
    rig.client.goto(&rig.url("/bench.html")).await.unwrap();
    rig.client
        .execute(
            r#"const mod = await import('/checkout-widget.js');
               await mod.default();
               const { paymentsBase } = await (await fetch('/store.json')).json();
               window.widget = mod.mount(document.getElementById('bench'), {
                 apiBase: '/api', paymentsBase, checkoutId: arguments[0],
                 translations: { en: { "button.continue": "Next: review", "card.number": "Card no." } },
               });
               return true;"#,
            vec![json!(id)],
        )
        .await
        .unwrap();
    rig.button("Next: review").await;
    // The frame gets the override of its own key too.
    rig.enter_card_frame().await;
    rig.field("Card no.").await;
    rig.leave_frame().await;
    // Everything else is still English.
    rig.field("Email").await;
    rig.close().await;
}
