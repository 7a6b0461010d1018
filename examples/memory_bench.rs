//! Memory benchmark: in one page, mount the release widget, check out, and
//! unmount, 50 times. Reports the JS heap and the wasm memory after rounds
//! 10..50 and fails if either grew more than 5 % after round 10, or if any
//! request reached the sandbox after the last unmount (a leaked timer or fetch).
//!
//! The sandbox runs on one origin here, so the card frame is same-origin with
//! the page and the rounds can type the card from the page's own script: all
//! rounds stay in one WebDriver call (see `ROUNDS_JS`). The widget and the frame
//! are the same code as across origins (the widget warns once that the card is
//! not isolated, which is true of this setup).
//!
//! Run: `make bench-memory` (needs the release `dist/` and Chromium, like the tests).

#[path = "../tests/browser/mod.rs"]
mod browser;

use std::time::Duration;

use browser::Rig;
use serde_json::Value;

const ROUNDS: u32 = 50;
const BASELINE_ROUND: u32 = 10;
const MAX_GROWTH: f64 = 0.05;

/// All rounds in one script: one WebDriver call, so the driver's own per-call
/// allocations (about 26 KB each, measured with a no-op round) stay out of the
/// figures. Samples the JS heap and the wasm memory after every tenth round.
const ROUNDS_JS: &str = r#"
const [rounds, mode] = arguments;
const mod = await import('/checkout-widget.js');
const wasm = await mod.default();
const host = document.getElementById('bench');
const samples = [];
// Types into the card frame's input labelled `label` (same-origin here).
const typeCard = (label, value) => {
  const doc = host.querySelector('iframe.cw-card-frame').contentDocument;
  const l = [...doc.querySelectorAll('label')].find(l => l.textContent.trim() === label);
  const input = doc.getElementById(l.htmlFor);
  input.value = value;
  input.dispatchEvent(new Event('input', {bubbles: true}));
};
const frameReady = () => {
  const f = host.querySelector('iframe.cw-card-frame');
  const doc = f && f.contentDocument;
  return doc && [...doc.querySelectorAll('label')].some(l => l.textContent.trim() === 'Card number');
};
try {
  for (let round = 1; round <= rounds; round++) {
    if (mode !== 'control') {
      const widget = mod.mount(host, {apiBase: '/api', cart: {currency: 'USD', email: 'jdoe@example.com',
        billTo: {name: 'Jane Doe', address: {line1: '1 Main St', city: 'Minnetonka', postalCode: '55343', state: 'MN', country: 'US'}},
        items: [{skuId: 'sku_mug', quantity: 1, price: 10}]}});
      await until(frameReady);
      typeCard('Name on card', 'Jane Doe'); typeCard('Card number', '4444222233331111');
      typeCard('Expiration date', '07/30'); typeCard('Security code', '123');
      // The frame reports its form over the port (a task later): let it land.
      await new Promise(r => setTimeout(r, 50));
      (await until(() => button('Continue'))).click();
      (await until(() => button('Place order'))).click();
      await until(() => host.querySelector('.cw-confirmation__heading'));
      widget.unmount();
      if (host.querySelectorAll('.cw-root').length) throw new Error(`round ${round}: widget left in the page`);
    }
    if (round % 10 === 0) {
      window.gc(); window.gc();
      await new Promise(r => setTimeout(r, 50));
      window.gc();
      samples.push([round, performance.memory.usedJSHeapSize, wasm.memory.buffer.byteLength]);
    }
  }
  return {ok: true, samples};
} catch (e) {
  return {ok: false, error: String(e), text: host.textContent};
}
"#;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let rig = Rig::start_with(sandbox::Config {
        ready_after: Duration::ZERO,
        ..sandbox::Config::single_origin()
    })
    .await;
    rig.client
        .goto(&rig.url("/bench.html"))
        .await
        .expect("open the benchmark page");
    // BENCH_MODE=control: the same loop without the widget (the harness's own drift).
    let mode = std::env::var("BENCH_MODE").unwrap_or_else(|_| "full".into());
    let r: Value = rig
        .client
        .execute(
            &format!("{}{ROUNDS_JS}", browser::PAGE_HELPERS_JS),
            vec![Value::from(ROUNDS), Value::from(mode.as_str())],
        )
        .await
        .expect("benchmark script");
    assert_eq!(r["ok"], true, "benchmark failed: {r}");
    let samples: Vec<(u32, f64, f64)> = serde_json::from_value(r["samples"].clone()).unwrap();
    let before = rig.api_log().len();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after = rig.api_log().len();
    let orders = rig.sandbox.shared.store().list_orders(None)["data"]
        .as_array()
        .map_or(0, Vec::len);
    rig.close().await;

    println!("memory after mount + checkout + unmount, {ROUNDS} rounds in one page");
    println!(
        "{:>6} {:>14} {:>14}",
        "round", "JS heap (B)", "wasm mem (B)"
    );
    for (round, heap, wasm) in &samples {
        println!("{round:>6} {heap:>14.0} {wasm:>14.0}");
    }
    let base = samples.iter().find(|s| s.0 == BASELINE_ROUND).unwrap();
    let last = samples.last().unwrap();
    let heap_growth = last.1 / base.1 - 1.0;
    let wasm_growth = last.2 / base.2 - 1.0;
    println!(
        "growth after round {BASELINE_ROUND}: JS heap {:+.2} %, wasm memory {:+.2} %",
        heap_growth * 100.0,
        wasm_growth * 100.0
    );
    println!(
        "orders placed: {orders}; API requests after the last unmount: {}",
        after - before
    );
    let mut failed = false;
    if mode != "control" && orders != ROUNDS as usize {
        println!("FAIL: expected {ROUNDS} orders");
        failed = true;
    }
    if after != before {
        println!("FAIL: requests kept arriving after unmount");
        failed = true;
    }
    if heap_growth > MAX_GROWTH || wasm_growth > MAX_GROWTH {
        println!("FAIL: memory grew more than {:.0} %", MAX_GROWTH * 100.0);
        failed = true;
    }
    if failed {
        std::process::exit(1);
    }
}
