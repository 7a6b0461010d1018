//! The look in the real browser: the dark theme reaches the page and the card
//! frame, a merchant colour reaches the page's button and the frame's focus
//! ring, nothing overflows at 360 px, errors appearing move nothing in the
//! form (each field reserves its error line), and motion stops under
//! `prefers-reduced-motion` (emulated through DevTools).

mod browser;

use std::time::Duration;

use browser::Rig;
use serde_json::{json, Value};

/// Opens the demo with `query` and waits for payment entry and a ready frame.
async fn open(rig: &Rig, query: &str) {
    let id = rig.create_checkout("jdoe@example.com", "55343").await;
    rig.open(&format!("?checkoutId={id}{query}")).await;
    rig.button("Continue").await;
    rig.field("Email").await;
    // The frame is up once its inputs are.
    rig.enter_card_frame().await;
    rig.field("Card number").await;
    rig.leave_frame().await;
}

const ROOT_BG: &str = "return getComputedStyle(document.querySelector('.cw-root')).backgroundColor";
const FRAME_INPUT_BG: &str =
    "return getComputedStyle(document.querySelector('input[name=cc-number]')).backgroundColor";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dark_theme_reaches_the_page_and_the_frame() {
    let rig = Rig::start().await;
    open(&rig, "").await;
    let light = (
        rig.js(ROOT_BG).await,
        rig.card_frame_js(FRAME_INPUT_BG).await,
    );
    open(&rig, "&theme=dark").await;
    let root_class = rig
        .js("return document.querySelector('.cw-root').className")
        .await;
    assert!(
        root_class.as_str().unwrap().contains("cw-root--dark"),
        "{root_class}"
    );
    let dark = (
        rig.js(ROOT_BG).await,
        rig.card_frame_js(FRAME_INPUT_BG).await,
    );
    assert_ne!(light.0, dark.0, "the widget's background follows the theme");
    assert_ne!(light.1, dark.1, "the frame's inputs follow the theme");
    assert_eq!(dark.0, "rgb(22, 25, 29)");
    let frame_class = rig
        .card_frame_js("return document.documentElement.className")
        .await;
    assert_eq!(frame_class, "cw-theme-dark");
    rig.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_merchant_colour_reaches_the_button_and_the_frames_focus_ring() {
    let rig = Rig::start().await;
    open(&rig, "&primary=%23aa3300").await;
    let button = rig
        .js("return getComputedStyle([...document.querySelectorAll('.cw-root button')].find(b => b.textContent.trim() === 'Continue')).backgroundColor")
        .await;
    assert_eq!(button, "rgb(170, 51, 0)");
    let ring = rig
        .card_frame_js(
            "const i = document.querySelector('input[name=cc-number]'); i.focus();
             const s = getComputedStyle(i);
             return [s.outlineColor, s.borderTopColor];",
        )
        .await;
    assert_eq!(
        ring,
        json!(["rgb(170, 51, 0)", "rgb(170, 51, 0)"]),
        "{ring}"
    );
    rig.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_overflows_at_360_px() {
    let rig = Rig::start().await;
    rig.cdp(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": 360, "height": 800, "deviceScaleFactor": 1, "mobile": false}),
    )
    .await;
    for query in ["", "&customer=cus_demo"] {
        let id = if query.is_empty() {
            rig.create_checkout("jdoe@example.com", "55343").await
        } else {
            rig.create_registered_checkout("cus_demo").await
        };
        rig.open(&format!("?checkoutId={id}")).await;
        rig.button("Continue").await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let page = rig
            .js("const r = document.querySelector('.cw-root');
                 return {inner: innerWidth, doc: document.documentElement.scrollWidth,
                         page: [...document.body.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > innerWidth + 0.5).map(e => e.tagName + '.' + e.className).slice(0, 8),
                         root: [r.scrollWidth, r.clientWidth],
                         wide: [...r.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > innerWidth + 0.5).map(e => e.className.baseVal ?? e.className)};")
            .await;
        assert_eq!(page["inner"], 360, "{page}");
        assert!(
            page["root"][0].as_u64() <= page["root"][1].as_u64(),
            "{query}: {page}"
        );
        assert_eq!(page["wide"], json!([]), "{query}: {page}");
        assert!(
            page["doc"].as_u64() <= page["inner"].as_u64(),
            "the demo page overflows: {page}"
        );
        if query.is_empty() {
            let frame = rig
                .card_frame_js(
                    "const d = document.documentElement;
                     return [d.scrollWidth, d.clientWidth];",
                )
                .await;
            assert!(frame[0].as_u64() <= frame[1].as_u64(), "{frame}");
        }
    }
    rig.close().await;
}

/// Where Continue is, relative to the form's first field, and the frame's height.
const POSITIONS: &str = "const r = document.querySelector('.cw-root');
  const b = [...r.querySelectorAll('button')].find(b => b.textContent.trim() === 'Continue');
  const e = r.querySelector('input[name=email]');
  const f = r.querySelector('.cw-card-frame');
  return [Math.round(b.getBoundingClientRect().top - e.getBoundingClientRect().top), f.getBoundingClientRect().height];";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_appearing_move_nothing_in_the_form() {
    let rig = Rig::start().await;
    open(&rig, "").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = rig.js(POSITIONS).await;
    // Emptied as by a shopper's keys (WebDriver's clear sends no `input`).
    rig.js(
        "const e = document.querySelector('.cw-root input[name=email]'); e.value = '';
            e.dispatchEvent(new Event('input', {bubbles: true})); return true;",
    )
    .await;
    rig.click("Continue").await;
    // The page's error and the frame's (an empty card number).
    let mut shown = Value::Null;
    for _ in 0..100 {
        shown = rig
            .js("return [...document.querySelectorAll('.cw-root .cw-field__error')].map(e => e.textContent).join('|') + ' / ' + document.querySelector('.cw-root').innerText")
            .await;
        if shown.as_str().unwrap_or_default().contains("mail") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        shown
            .as_str()
            .unwrap_or_default()
            .split(" / ")
            .next()
            .unwrap()
            .contains("mail"),
        "{shown}"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let frame_error = rig
        .card_frame_js("return [...document.querySelectorAll('.cw-field__error')].filter(e => e.textContent.trim()).length")
        .await;
    assert!(frame_error.as_u64() > Some(0), "the frame shows its errors");
    let after = rig.js(POSITIONS).await;
    // Only the alert summary above the form appears; within the form (and
    // in the frame) nothing moves, so the frame keeps its height.
    assert_eq!(before, after, "errors moved the form: {before} → {after}");
    rig.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reduced_motion_stops_the_spinner_and_the_skeleton() {
    let rig = Rig::start().await;
    open(&rig, "").await;
    // The spinner and the skeleton show only briefly: probe the style sheet
    // with elements of the same classes inside the widget's root.
    const PROBE: &str = "const r = document.querySelector('.cw-root');
      const s = document.createElement('span'); s.className = 'cw-spinner';
      const k = document.createElement('div'); k.className = 'cw-skeleton';
      r.append(s, k);
      const out = [getComputedStyle(s).animationName, getComputedStyle(k).animationName];
      s.remove(); k.remove();
      return out;";
    assert_eq!(rig.js(PROBE).await, json!(["cw-spin", "cw-shimmer"]));
    rig.cdp(
        "Emulation.setEmulatedMedia",
        json!({"features": [{"name": "prefers-reduced-motion", "value": "reduce"}]}),
    )
    .await;
    assert_eq!(rig.js(PROBE).await, json!(["none", "none"]));
    // Forced colours: the inputs' borders use a system colour.
    rig.cdp(
        "Emulation.setEmulatedMedia",
        json!({"features": [{"name": "forced-colors", "value": "active"}]}),
    )
    .await;
    let forced = rig
        .js("return matchMedia('(forced-colors: active)').matches")
        .await;
    assert_eq!(forced, true);
    rig.close().await;
}
