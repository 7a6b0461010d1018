//! The release bundles must not grow past their recorded budgets. Sizes are
//! deterministic for a given toolchain, so this is not a timed test. (The raw
//! wasm is byte-for-byte the same size from any `CARGO_HOME`; its brotli size
//! moved by 62 B between two.) A shopper on a cold cache downloads both: the
//! widget from the merchant's origin and the card frame from the payments
//! origin (two origins, two caches). Each budget is the size measured plus 2 %.
//! History: the card frame came in (issue 12) at widget 167,822 B and frame
//! 101,689 B; saved cards (issue 13: the radio group, saving, removing,
//! resuming, and the frame's saved-source authentication) took them to
//! 178,494 B (+10.7 KB) and 104,418 B (+2.7 KB); the 13 locales, the
//! appearance API, brand marks and product images (issue 14) to 214,847 B
//! (+36.4 KB, of which the 12 non-English widget tables are about 30 KB) and
//! 110,274 B (+5.9 KB: the frame carries only its own 16 keys per locale).
//! Lower them as bytes are won (see `make bench` for the comparison with the
//! peers); never raise one without saying where the bytes went.

use std::path::Path;
use std::process::Command;

/// Brotli (-q 11) bytes of the widget's wasm + js + css.
const WIDGET_BUDGET: usize = 219_144;
/// Brotli (-q 11) bytes of the card frame's page assets: wasm + js (glue and
/// boot script) + css.
const FRAME_BUDGET: usize = 112_479;

fn brotli_len(path: &Path) -> usize {
    let out = Command::new("brotli")
        .args(["-q", "11", "-c"])
        .arg(path)
        .output()
        .expect("the brotli CLI (scripts/setup.sh installs it)");
    assert!(out.status.success(), "brotli failed on {}", path.display());
    out.stdout.len()
}

/// The brotli total of `assets` in dist/.
fn total(assets: &[&str]) -> usize {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("dist");
    let mut total = 0;
    for asset in assets {
        let path = dist.join(asset);
        assert!(
            path.is_file(),
            "{} is missing: run make build",
            path.display()
        );
        let n = brotli_len(&path);
        println!("{asset}: {n} B brotli");
        total += n;
    }
    total
}

#[test]
fn release_bundles_fit_their_brotli_budgets() {
    let widget = total(&[
        "checkout-widget_bg.wasm",
        "checkout-widget.js",
        "checkout-widget.css",
    ]);
    let frame = total(&[
        "card-frame_bg.wasm",
        "card-frame.js",
        "card-frame-boot.js",
        "card-frame.css",
    ]);
    println!("widget: {widget} B brotli (budget {WIDGET_BUDGET})");
    println!("card frame: {frame} B brotli (budget {FRAME_BUDGET})");
    println!("both, cold cache: {} B brotli", widget + frame);
    assert!(
        widget <= WIDGET_BUDGET,
        "the widget grew to {widget} B brotli, over its budget of {WIDGET_BUDGET} B"
    );
    assert!(
        frame <= FRAME_BUDGET,
        "the card frame grew to {frame} B brotli, over its budget of {FRAME_BUDGET} B"
    );
}
