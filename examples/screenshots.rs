//! Pictures of the widget for the README: every step a shopper sees (payment
//! entry, the errors shown, saved cards, the 3-D Secure challenge, review,
//! confirmation), at desktop width, at 360 px, in Arabic (right to left) and
//! in the dark theme, cropped to the checkout column, into `docs/screenshots/`.
//!
//! It builds nothing: it drives the release `dist/` through the test rig (the
//! sandbox and headless Chromium), like the browser tests. Run
//! `make screenshots` (or `scripts/screenshots.sh`) after `make build`.
//!
//! Everything is found by CSS, not by English text, so the Arabic pictures
//! work whatever the locale tables say.

#[path = "../tests/browser/mod.rs"]
mod browser;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use browser::Rig;
use fantoccini::Locator;
use serde_json::{json, Value};

const THREE_DS: &str = "5454 5454 5454 5454";

/// One set of pictures: a name, a viewport width and the demo's query.
struct Variant {
    name: &'static str,
    width: u32,
    query: &'static str,
}

const VARIANTS: [Variant; 4] = [
    Variant {
        name: "desktop",
        width: 1200,
        query: "",
    },
    Variant {
        name: "mobile-360",
        width: 360,
        query: "",
    },
    Variant {
        name: "arabic",
        width: 1200,
        query: "locale=ar",
    },
    Variant {
        name: "dark",
        width: 1200,
        query: "theme=dark",
    },
];

/// Polls `script` until it returns something truthy, for up to 20 s.
async fn try_until(rig: &Rig, script: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        let v = rig
            .client
            .execute(script, vec![])
            .await
            .unwrap_or(Value::Null);
        if !v.is_null() && v != false {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

async fn until(rig: &Rig, what: &str, script: &str) {
    assert!(
        try_until(rig, script).await,
        "{what} did not happen within 20 s; widget says: {}",
        rig.text().await
    );
}

/// Types into the card frame by the inputs' `autocomplete` tokens.
async fn enter_card(rig: &Rig, number: &str) {
    rig.enter_card_frame().await;
    for (name, text) in [
        ("cc-name", "Jane Doe"),
        ("cc-number", number),
        ("cc-exp", "07/30"),
        ("cc-csc", "123"),
    ] {
        let el = rig
            .client
            .find(Locator::Css(&format!("input[name={name}]")))
            .await
            .expect("a card input");
        el.clear().await.unwrap();
        el.send_keys(text).await.unwrap();
    }
    rig.leave_frame().await;
}

async fn click_css(rig: &Rig, css: &str) {
    let script = format!(
        "const b = document.querySelector('{css}'); if (!b || b.disabled) return false; b.click(); return true;"
    );
    until(rig, css, &script).await;
}

/// Saves the checkout column (the widget and its frame) as a PNG.
async fn shot(rig: &Rig, dir: &std::path::Path, variant: &str, step: &str) {
    // Let the frame report its height and images decode.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let el = rig
        .client
        .find(Locator::Css(".store-checkout"))
        .await
        .expect("the checkout column");
    let png = el.screenshot().await.expect("a screenshot");
    let path = dir.join(format!("{variant}-{step}.png"));
    std::fs::write(&path, png).expect("write the screenshot");
    println!("{}", path.display());
}

async fn open(rig: &Rig, v: &Variant, extra: &str) {
    let mut q: Vec<&str> = [v.query, extra]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    q.retain(|s| !s.is_empty());
    let query = if q.is_empty() {
        String::new()
    } else {
        format!("?{}", q.join("&"))
    };
    rig.open(&query).await;
    until(
        rig,
        "the payment form",
        "return !!document.querySelector('.cw-root button[type=submit]')",
    )
    .await;
    // Hide the demo's event log: it is not the widget.
    let _ = rig
        .client
        .execute(
            "document.querySelectorAll('.event-log').forEach(e => e.hidden = true); return true;",
            vec![],
        )
        .await;
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let rig = Rig::start().await;
    for v in &VARIANTS {
        rig.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": v.width, "height": 1800, "deviceScaleFactor": 1, "mobile": false}),
        )
        .await;
        // 1. Payment entry.
        open(&rig, v, "").await;
        rig.enter_card_frame().await;
        rig.leave_frame().await;
        shot(&rig, &dir, v.name, "1-payment").await;
        // 2. Errors shown: no email, no card.
        // Emptied with an `input` event (WebDriver's clear sends none).
        let email = rig
            .client
            .find(Locator::Css(".cw-root input[name=email]"))
            .await
            .unwrap();
        rig.js(
            "const e = document.querySelector('.cw-root input[name=email]'); e.value = '';
                e.dispatchEvent(new Event('input', {bubbles: true})); return true;",
        )
        .await;
        click_css(&rig, ".cw-root button[type=submit]").await;
        until(&rig, "the errors", "return [...document.querySelectorAll('.cw-field__error')].some(e => e.textContent.trim())").await;
        shot(&rig, &dir, v.name, "2-errors").await;
        // 4. 3-D Secure challenge, 5. review, 6. confirmation.
        email.send_keys("jdoe@example.com").await.unwrap();
        enter_card(&rig, THREE_DS).await;
        click_css(&rig, ".cw-root button[type=submit]").await;
        rig.enter_challenge().await;
        rig.leave_challenge().await;
        shot(&rig, &dir, v.name, "4-challenge").await;
        rig.answer_challenge(Some("password")).await;
        let reviewed = try_until(
            &rig,
            "return !!document.querySelector('.cw-review button:not([disabled])')",
        )
        .await;
        if !reviewed {
            eprintln!(
                "{}: no review after the challenge (widget says: {}); skipping review and confirmation",
                v.name,
                rig.text().await
            );
        }
        if reviewed {
            shot(&rig, &dir, v.name, "5-review").await;
            click_css(&rig, ".cw-review button").await;
            until(
                &rig,
                "the confirmation",
                "return !!document.querySelector('.cw-confirmation')",
            )
            .await;
            shot(&rig, &dir, v.name, "6-confirmation").await;
        }
        // 3. Saved cards (the demo's registered shopper).
        open(&rig, v, "customer=cus_demo").await;
        until(
            &rig,
            "the saved cards",
            "return !!document.querySelector('.cw-wallet__option')",
        )
        .await;
        shot(&rig, &dir, v.name, "3-saved-cards").await;
    }
    rig.close().await;
}
