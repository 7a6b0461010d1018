//! The TypeScript types merchants get: `dist/checkout-widget.d.ts` (from
//! `types/checkout-widget.d.ts`, copied by Trunk through index.html) must let a
//! merchant script that uses every option, the handle and every event's `detail`
//! compile under `tsc --strict`, and must reject the mistakes `mount` would throw
//! on (or that read what no event carries), so the types cannot pass trivially.
//!
//! Hermetic: the .d.ts from dist/ and the scripts are written into a fresh temp
//! directory, type-checked there with no `@types` and no tsconfig. `tsc` comes
//! from npm (`scripts/setup.sh` installs `typescript` globally): `$TSC`, else
//! `$(npm root -g)/typescript/bin/tsc`, else `tsc` on PATH.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What every check uses: strict, an ES2020 browser page, a bundler-style import.
const FLAGS: &[&str] = &[
    "--noEmit",
    "--pretty",
    "false",
    "--strict",
    "--target",
    "es2020",
    "--module",
    "es2020",
    "--moduleResolution",
    "bundler",
    "--lib",
    "es2020,dom",
    // No ambient @types from any node_modules above the temp directory.
    "--typeRoots",
    "./no-types",
];

/// Stricter options some merchants turn on: the good script must pass them too.
const EXTRA_STRICT: &[&str] = &[
    "--exactOptionalPropertyTypes",
    "--noUncheckedIndexedAccess",
    "--verbatimModuleSyntax",
];

/// The first lines of every wrong script (they compile on their own).
const PRELUDE: &str = "import { mount, WidgetHandle } from \"./checkout-widget.js\";\n\
                       declare const el: HTMLElement;\n";

/// Wrong scripts: (name, the line after the prelude, the error tsc must report).
const WRONG: &[(&str, &str, &str)] = &[
    (
        "both_checkout_id_and_cart",
        r#"mount(el, { apiBase: "/api", checkoutId: "chk_1", cart: { currency: "USD", items: [] } });"#,
        "TS2345",
    ),
    (
        "neither_checkout_id_nor_cart",
        r#"mount(el, { apiBase: "/api" });"#,
        "TS2345",
    ),
    (
        "no_api_base",
        r#"mount(el, { checkoutId: "chk_1" });"#,
        "TS2345",
    ),
    (
        "unknown_theme",
        r#"mount(el, { apiBase: "/api", checkoutId: "chk_1", appearance: { theme: "sepia" } });"#,
        "TS2322",
    ),
    (
        "unknown_appearance_variable",
        r##"mount(el, { apiBase: "/api", checkoutId: "c", appearance: { variables: { colourPrimary: "#0a7" } } });"##,
        "TS2561",
    ),
    (
        "misspelt_option",
        r#"mount(el, { apiBase: "/api", checkoutId: "chk_1", reveiw: false });"#,
        "TS2561",
    ),
    (
        "timeout_not_a_number",
        r#"mount(el, { apiBase: "/api", checkoutId: "chk_1", requestTimeoutMs: "15s" });"#,
        "TS2322",
    ),
    (
        "translation_not_a_string",
        r#"mount(el, { apiBase: "/api", checkoutId: "c", translations: { en: { "button.continue": 1 } } });"#,
        "TS2322",
    ),
    (
        "item_without_sku_or_details",
        r#"mount(el, { apiBase: "/api", cart: { currency: "USD", items: [{ quantity: 1, price: 5 }] } });"#,
        "TS2322",
    ),
    (
        "selector_instead_of_element",
        r##"mount("#checkout", { apiBase: "/api", checkoutId: "chk_1" });"##,
        "TS2345",
    ),
    (
        "card_number_in_detail",
        r#"el.addEventListener("checkout-order-created", (e) => console.log(e.detail.cardNumber));"#,
        "TS2339",
    ),
    (
        "unknown_error_kind",
        r#"el.addEventListener("checkout-error", (e) => { if (e.detail.kind === "offline") throw e; });"#,
        "TS2367",
    ),
    (
        "unknown_step",
        r#"el.addEventListener("checkout-step", (e) => { if (e.detail.step === "paid") throw e; });"#,
        "TS2367",
    ),
    (
        "handle_constructed",
        r#"new WidgetHandle().unmount();"#,
        "TS2673",
    ),
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The TypeScript compiler, as a command ready for arguments.
fn tsc() -> Command {
    let missing = "TypeScript's `tsc` is missing: run scripts/setup.sh (it installs the npm \
                   package `typescript` globally), or set TSC to a tsc";
    if let Some(path) = std::env::var_os("TSC") {
        return Command::new(path);
    }
    let global = Command::new("npm")
        .args(["root", "-g"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .map(|root| root.join("typescript").join("bin").join("tsc"))
        .filter(|tsc| tsc.is_file());
    if let Some(tsc) = global {
        let mut cmd = Command::new("node");
        cmd.arg(tsc);
        return cmd;
    }
    let on_path = Command::new("tsc")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(on_path, "{missing}");
    Command::new("tsc")
}

/// A fresh directory holding the widget's .d.ts (from dist/) and `files`.
fn workspace(name: &str, files: &[(String, String)]) -> PathBuf {
    let dts = root().join("dist").join("checkout-widget.d.ts");
    let types = fs::read_to_string(&dts).unwrap_or_else(|e| {
        panic!(
            "cannot read {} ({e}): run `make build` (index.html copies \
             types/checkout-widget.d.ts into dist/)",
            dts.display()
        )
    });
    let dir = std::env::temp_dir().join(format!("cw-typescript-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("checkout-widget.d.ts"), types).unwrap();
    for (file, text) in files {
        fs::write(dir.join(file), text).unwrap();
    }
    dir
}

/// Runs tsc in `dir` on `files`; returns whether it passed, and its report.
fn check(dir: &Path, flags: &[&str], files: &[String]) -> (bool, String) {
    let out = tsc()
        .current_dir(dir)
        .args(FLAGS)
        .args(flags)
        .args(files)
        .output()
        .unwrap_or_else(|e| panic!("cannot run tsc ({e}): run scripts/setup.sh"));
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), report)
}

fn version() -> String {
    let out = tsc()
        .arg("--version")
        .output()
        .expect("tsc --version: run scripts/setup.sh");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// dist/ holds exactly the hand-written types (not stale, not wasm-bindgen's own:
/// Trunk writes those only for a `data-typescript` rust link).
#[test]
fn dist_ships_the_hand_written_types() {
    let source = fs::read_to_string(root().join("types/checkout-widget.d.ts")).unwrap();
    let dist = root().join("dist/checkout-widget.d.ts");
    let shipped = fs::read_to_string(&dist)
        .unwrap_or_else(|e| panic!("cannot read {} ({e}): run `make build`", dist.display()));
    assert!(
        shipped == source,
        "dist/checkout-widget.d.ts differs from types/checkout-widget.d.ts: run `make build`"
    );
    let index = fs::read_to_string(root().join("index.html")).unwrap();
    assert!(
        index.contains(r#"<link data-trunk rel="copy-file" href="types/checkout-widget.d.ts">"#),
        "index.html no longer copies types/checkout-widget.d.ts into dist/"
    );
    let rust_link = index
        .lines()
        .find(|l| l.contains(r#"rel="rust""#))
        .expect("index.html has a rust link");
    assert!(
        !rust_link.contains("data-typescript"),
        "wasm-bindgen's own checkout-widget.d.ts would clash with types/checkout-widget.d.ts"
    );
}

/// The merchant script, with every option, the handle and every event, compiles.
#[test]
fn merchant_script_type_checks() {
    let script = fs::read_to_string(root().join("tests/typescript/merchant.ts")).unwrap();
    let dir = workspace("good", &[("merchant.ts".into(), script)]);
    let (ok, report) = check(&dir, EXTRA_STRICT, &["merchant.ts".into()]);
    let _ = fs::remove_dir_all(&dir);
    assert!(
        ok,
        "tests/typescript/merchant.ts does not type-check against dist/checkout-widget.d.ts \
         ({}):\n{report}",
        version()
    );
}

/// Each wrong script fails, on its own line, with the expected error.
#[test]
fn wrong_scripts_do_not_compile() {
    let files: Vec<(String, String)> = WRONG
        .iter()
        .map(|(name, line, _)| (format!("wrong_{name}.ts"), format!("{PRELUDE}{line}\n")))
        .collect();
    let names: Vec<String> = files.iter().map(|(f, _)| f.clone()).collect();
    let dir = workspace("wrong", &files);
    let (ok, report) = check(&dir, &[], &names);
    let _ = fs::remove_dir_all(&dir);
    assert!(
        !ok,
        "every wrong script compiled ({}):\n{report}",
        version()
    );
    // Errors (not their indented elaborations) name their file and line: `f.ts(3,11): error TS…`.
    let errors: Vec<&str> = report
        .lines()
        .filter(|l| l.contains(": error TS"))
        .collect();
    let stray: Vec<&&str> = errors.iter().filter(|l| !l.starts_with("wrong_")).collect();
    assert!(
        stray.is_empty(),
        "errors outside the wrong scripts (in the .d.ts itself?):\n{report}"
    );
    let prelude_lines = PRELUDE.lines().count();
    for (name, line, code) in WRONG {
        let file = format!("wrong_{name}.ts(");
        let hit = errors.iter().any(|e| {
            let Some(rest) = e.strip_prefix(&file) else {
                return false;
            };
            let at: usize = rest
                .split(',')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            at > prelude_lines && e.contains(&format!("error {code}:"))
        });
        assert!(
            hit,
            "`{line}` should fail with {code} on its own line, but tsc said:\n{report}"
        );
    }
}
