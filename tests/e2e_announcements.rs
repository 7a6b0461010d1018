//! The polite live region (`role="status"`) announces each step change and
//! outcome, in words, so a screen-reader user hears the journey: what the
//! region said is recorded in the page as it changes, and checked in order.

mod browser;

use browser::Rig;
use serde_json::Value;

/// Records every text the widget's live region shows, in order.
const RECORD_JS: &str = r#"
window.__cwStatus = [];
const seen = new WeakSet();
const watch = () => {
  const region = document.querySelector('.cw-root > [role=status]');
  if (!region || seen.has(region)) return;
  seen.add(region);
  const note = () => {
    const t = region.textContent.trim();
    if (t && window.__cwStatus[window.__cwStatus.length - 1] !== t) window.__cwStatus.push(t);
  };
  note();
  new MutationObserver(note).observe(region, { childList: true, characterData: true, subtree: true });
};
watch();
new MutationObserver(watch).observe(document.body, { childList: true, subtree: true });
return true;
"#;

async fn announced(rig: &Rig) -> Vec<String> {
    let v = rig
        .client
        .execute("return window.__cwStatus || []", vec![])
        .await
        .unwrap_or(Value::Null);
    serde_json::from_value(v).unwrap_or_default()
}

/// The index of the first announcement containing `text`, after `from`.
fn position(said: &[String], text: &str, from: usize) -> Option<usize> {
    said.iter()
        .enumerate()
        .skip(from)
        .find(|(_, s)| s.contains(text))
        .map(|(i, _)| i)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_live_region_announces_every_step_and_the_outcome() {
    let rig = Rig::start().await;
    let id = rig.create_checkout("jdoe@example.com", "55343").await;
    rig.open(&format!("?checkoutId={id}")).await;
    rig.field("Email").await;
    rig.client.execute(RECORD_JS, vec![]).await.unwrap();
    rig.enter_card("4444 2222 3333 1111", "07/30", "123").await;
    rig.click("Continue").await;
    rig.click("Place order").await;
    rig.wait_for_order_placed().await;
    let said = announced(&rig).await;
    let mut at = 0;
    for step in [
        "Confirming your payment details",
        "Your payment details are confirmed. Review your order.",
        "Placing your order",
        "Order placed.",
    ] {
        at = position(&said, step, at)
            .unwrap_or_else(|| panic!("never announced `{step}` in order: {said:?}"));
    }

    // A decline is announced too (an outcome, not only a step).
    let id = rig.create_checkout("jdoe@example.com", "55343").await;
    rig.open(&format!("?checkoutId={id}")).await;
    rig.field("Email").await;
    rig.client.execute(RECORD_JS, vec![]).await.unwrap();
    rig.enter_card("4000 0000 0000 3600", "07/30", "123").await;
    rig.click("Continue").await;
    rig.click("Place order").await;
    rig.wait_for_text(".cw-alert", "declined").await;
    rig.wait_for_text(".cw-root > [role=status]", "declined")
        .await;
    let said = announced(&rig).await;
    assert!(
        said.iter().any(|s| s.contains("declined")),
        "the decline is announced: {said:?}"
    );
    rig.close().await;
}
