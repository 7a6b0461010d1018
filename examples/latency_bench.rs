//! Latency benchmark: the release widget in headless Chromium against the
//! sandbox with a fixed latency added to every API answer. Reports medians of
//! several journeys for three stretches, each against its floor (the requests
//! the contract makes unavoidable on that stretch x the injected latency), then
//! the startup cost with no injected latency. Timestamps come from the page
//! (`performance.now()` around the widget's events), not from the driver.
//!
//! Prints `key value` lines (read by scripts/bench.sh) and a table.
//! Run: `make bench` (or `cargo run --example latency_bench`).

#[path = "../tests/browser/mod.rs"]
mod browser;

use std::time::Duration;

use browser::Rig;
use serde_json::Value;

const LATENCY_MS: u64 = 100;
const RUNS: usize = 7;

/// Mounts the widget in the page and waits until it is ready; the card is then
/// typed into the card frame by WebDriver (a page script cannot reach it).
/// Both scripts run after `host` and the page helpers are defined.
const MOUNT_JS: &str = r#"
const [checkoutId] = arguments;
const mod = await import('/checkout-widget.js');
await mod.default();
const { paymentsBase } = await (await fetch('/store.json')).json();
const seen = {};
for (const name of ['checkout-ready', 'checkout-step', 'checkout-order-created']) {
  host.addEventListener(name, (e) => {
    const key = name === 'checkout-step' ? `step:${e.detail.step}` : name;
    if (!(key in seen)) seen[key] = performance.now();
  });
}
const t_mount = performance.now();
const widget = mod.mount(host, {apiBase: '/api', paymentsBase, checkoutId});
window.bench = {seen, widget, t_mount};
await until(() => seen['checkout-ready']);
return true;
"#;

/// After the card is typed: Continue, Place order; returns the three
/// stretches in milliseconds.
const JOURNEY_JS: &str = r#"
const {seen, widget, t_mount} = window.bench;
try {
  const continueButton = await until(() => button('Continue'));
  const t_continue = performance.now();
  continueButton.click();
  const place = await until(() => button('Place order'));
  const t_enabled = performance.now();
  const t_place = performance.now();
  place.click();
  await until(() => host.querySelector('.cw-confirmation__heading'));
  const t_placed = performance.now();
  widget.unmount();
  // The widget's own events mark the ends; polling (one frame) only drives the test.
  await until(() => seen['checkout-order-created']);
  return {ok: true, ready: seen['checkout-ready'] - t_mount, review: seen['step:review'] - t_continue,
          placed: seen['checkout-order-created'] - t_place, enabled_lag: t_enabled - seen['step:review'],
          placed_lag: t_placed - seen['checkout-order-created']};
} catch (e) {
  return {ok: false, error: String(e), text: host.textContent};
}
"#;

/// A fresh page load: navigation start to `checkout-ready`, and compile +
/// instantiate of the wasm alone (from bytes already fetched).
const STARTUP_JS: &str = r#"
const [checkoutId] = arguments;
const bytes = await (await fetch('/checkout-widget_bg.wasm')).arrayBuffer();
const mod = await import('/checkout-widget.js');
const t0 = performance.now();
const module = await WebAssembly.compile(bytes);
const t1 = performance.now();
mod.initSync({module});
const t2 = performance.now();
return {compile: t1 - t0, instantiate: t2 - t1};
"#;

const PAGE_READY_JS: &str = r#"
const [checkoutId] = arguments;
const until = (f, ms = 20000) => new Promise((ok, fail) => {
  const t0 = performance.now();
  const tick = () => { const v = f(); if (v) return ok(v); if (performance.now() - t0 > ms) return fail(new Error('timeout')); setTimeout(tick, 5); };
  tick();
});
const ready = await until(() => (window.__cwEventDetails || []).find(e => e.name === 'checkout-ready'));
return ready.t;
"#;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let rig = Rig::start_with(sandbox::Config {
        latency: Duration::from_millis(LATENCY_MS),
        ready_after: Duration::ZERO,
        ..sandbox::Config::default()
    })
    .await;

    // Latency over the floor.
    let (mut ready, mut review, mut placed) = (vec![], vec![], vec![]);
    for _ in 0..RUNS {
        let id = rig.create_checkout("jdoe@example.com", "55343").await;
        rig.client.goto(&rig.url("/bench.html")).await.unwrap();
        let host = "const host = document.getElementById('bench');";
        rig.client
            .execute(
                &format!("{host}{}{MOUNT_JS}", browser::PAGE_HELPERS_JS),
                vec![Value::from(id)],
            )
            .await
            .expect("mount script");
        rig.enter_card("4444 2222 3333 1111", "07/30", "123").await;
        let r: Value = rig
            .client
            .execute(
                &format!("{host}{}{JOURNEY_JS}", browser::PAGE_HELPERS_JS),
                vec![],
            )
            .await
            .expect("journey script");
        assert_eq!(r["ok"], true, "journey failed: {r}");
        ready.push(r["ready"].as_f64().unwrap());
        review.push(r["review"].as_f64().unwrap());
        placed.push(r["placed"].as_f64().unwrap());
    }

    // Startup, with no injected latency.
    rig.sandbox.shared.store().ready_after = Duration::ZERO;
    let (mut page_ready, mut compile, mut instantiate) = (vec![], vec![], vec![]);
    for _ in 0..RUNS {
        let id = rig.create_checkout("jdoe@example.com", "55343").await;
        set_latency(&rig, 0);
        rig.client
            .goto(&rig.url(&format!("/?checkoutId={id}")))
            .await
            .unwrap();
        let t: Value = rig
            .client
            .execute(PAGE_READY_JS, vec![Value::from(id.clone())])
            .await
            .expect("startup script");
        page_ready.push(t.as_f64().unwrap());
        rig.client.goto(&rig.url("/bench.html")).await.unwrap();
        let c: Value = rig
            .client
            .execute(STARTUP_JS, vec![Value::from(id)])
            .await
            .expect("compile script");
        compile.push(c["compile"].as_f64().unwrap());
        instantiate.push(c["instantiate"].as_f64().unwrap());
    }
    rig.close().await;

    let rows = [
        ("mount_to_ready", median(ready), 1),
        ("continue_to_place_order_enabled", median(review), 3),
        ("place_order_to_order_placed", median(placed), 1),
    ];
    println!(
        "latency: sandbox adds {LATENCY_MS} ms to every API answer; medians of {RUNS} journeys"
    );
    println!(
        "{:<34} {:>10} {:>10} {:>8}",
        "stretch", "median ms", "floor ms", "ratio"
    );
    for (name, ms, requests) in rows {
        let floor = (requests * LATENCY_MS) as f64;
        println!("{name:<34} {ms:>10.1} {floor:>10.0} {:>8.2}", ms / floor);
        println!("BENCH {name}_ms {ms:.1}");
        println!("BENCH {name}_floor_ms {floor:.0}");
    }
    let (p, c, i) = (median(page_ready), median(compile), median(instantiate));
    println!("startup (no injected latency), medians of {RUNS} page loads");
    println!("{:<34} {:>10.1}", "navigation_to_ready_ms", p);
    println!("{:<34} {:>10.1}", "wasm_compile_ms", c);
    println!("{:<34} {:>10.1}", "wasm_instantiate_ms", i);
    println!("BENCH navigation_to_ready_ms {p:.1}");
    println!("BENCH wasm_compile_ms {c:.1}");
    println!("BENCH wasm_instantiate_ms {i:.1}");
}

fn set_latency(rig: &Rig, ms: u64) {
    rig.sandbox.shared.set_latency(ms);
}
