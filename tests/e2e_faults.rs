//! The fault matrix: every endpoint the widget calls x every fault, in the
//! browser against the sandbox. For each pair, once the fault clears, the shopper
//! finishes the purchase; the sandbox ends with exactly one order; what the
//! shopper typed was not lost; and every message they saw was non-technical.
//! The README's table lists each pair with its behaviour and test name.

mod browser;

use std::time::Duration;

use browser::Rig;
use serde_json::{json, Value};

const VISA: &str = "4444 2222 3333 1111";
/// The widget's request timeout in these tests (`?requestTimeoutMs=`); the
/// `slow` fault answers later than this.
const TIMEOUT_MS: u64 = 1_500;

/// The faults, by name.
fn fault(name: &str) -> Value {
    match name {
        "500-json" => json!({"kind": "status", "status": 500, "contentType": "application/json",
            "body": r#"{"type":"internal_error","errors":[{"code":"internal","message":"Internal Server Error: NullPointerException at Foo.java:42"}]}"#}),
        "502-html" => json!({"kind": "status", "status": 502, "contentType": "text/html",
            "body": "<html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>"}),
        "503-retry-after" => json!({"kind": "status", "status": 503, "retryAfter": 1,
            "body": r#"{"type":"unavailable","errors":[{"code":"unavailable","message":"Service Unavailable"}]}"#}),
        "slow" => json!({"kind": "delay", "ms": TIMEOUT_MS + 1_000}),
        "close" => json!({"kind": "close"}),
        "malformed" => json!({"kind": "malformed"}),
        "empty" => json!({"kind": "empty"}),
        "lost" => json!({"kind": "lost"}),
        other => panic!("unknown fault {other}"),
    }
}

/// Faults every endpoint gets; state-changing calls also get `lost`.
const FAULTS: [&str; 7] = [
    "500-json",
    "502-html",
    "503-retry-after",
    "slow",
    "close",
    "malformed",
    "empty",
];

/// Text a shopper must never see.
const TECHNICAL: [&str; 12] = [
    "500",
    "502",
    "503",
    "<",
    "Internal",
    "Gateway",
    "nginx",
    "NullPointer",
    "internal",
    "unavailable",
    "null",
    "undefined",
];

/// Runs every fault on one endpoint. `existing`: open a checkout made by the
/// merchant (so the first call is `GET /checkouts/{id}`) instead of the demo cart.
/// `email`: a new email the shopper types (so `POST /checkouts/{id}` happens).
async fn matrix(method: &str, path: &str, faults: &[&str], existing: bool, email: Option<&str>) {
    let rig = Rig::start().await;
    let mut failures = vec![];
    for name in faults {
        rig.reset_sandbox();
        // A browser silently retries a request (even a POST) when a connection
        // closes before any byte of the answer: four closes in a row make sure
        // the widget itself sees the failure.
        let times = if *name == "close" { 4 } else { 1 };
        rig.fault(json!({"method": method, "path": path, "times": times, "fault": fault(name)}));
        let query = if existing {
            let id = rig.create_checkout("jdoe@example.com", "55343").await;
            format!("?checkoutId={id}&requestTimeoutMs={TIMEOUT_MS}")
        } else {
            format!("?requestTimeoutMs={TIMEOUT_MS}")
        };
        rig.open(&query).await;
        let p = rig
            .finish_purchase(VISA, email, Duration::from_secs(40))
            .await;

        let hit = rig
            .api_log()
            .iter()
            .filter(|e| e["fault"].is_object())
            .count();
        let orders = rig.sandbox.shared.store().list_orders(None)["data"]
            .as_array()
            .cloned()
            .unwrap();
        let case = format!("{method} {path} x {name}");
        let mut problems = vec![];
        if hit == 0 {
            problems.push("the fault never fired".to_owned());
        }
        if orders.len() != 1 {
            problems.push(format!("{} orders", orders.len()));
        } else {
            let o = &orders[0];
            if o["id"] != p.order_id.as_str() {
                problems.push(format!("shown {} but placed {}", p.order_id, o["id"]));
            }
            if o["email"] != email.unwrap_or("jdoe@example.com")
                || o["billTo"]["name"] != "Jane Doe"
            {
                problems.push(format!(
                    "typed data lost: {} / {}",
                    o["email"], o["billTo"]["name"]
                ));
            }
        }
        if p.card_entries != 1 {
            problems.push(format!("the card was typed {} times", p.card_entries));
        }
        for a in &p.alerts {
            if let Some(t) = TECHNICAL.iter().find(|t| a.contains(*t)) {
                problems.push(format!("technical text `{t}` shown: {a}"));
            }
        }
        if p.retries > 0 && p.alerts.is_empty() {
            problems.push("`Try again` without a message".to_owned());
        }
        println!(
            "{case}: {} (fault hit x{hit}, Try again x{}, alerts: {:?})",
            if problems.is_empty() { "ok" } else { "FAILED" },
            p.retries,
            p.alerts
        );
        if !problems.is_empty() {
            failures.push(format!("{case}: {}", problems.join("; ")));
        }
    }
    rig.close().await;
    assert!(
        failures.is_empty(),
        "fault matrix failures:\n{}",
        failures.join("\n")
    );
}

fn with_lost() -> Vec<&'static str> {
    FAULTS.iter().copied().chain(["lost"]).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_on_get_checkout() {
    matrix("GET", "/checkouts/*", &FAULTS, true, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_on_create_checkout() {
    matrix("POST", "/checkouts", &with_lost(), false, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_on_update_checkout() {
    matrix(
        "POST",
        "/checkouts/*",
        &with_lost(),
        true,
        Some("jane.doe@example.com"),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_on_create_source() {
    matrix("POST", "/sources", &with_lost(), false, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_on_attach_source() {
    matrix("POST", "/checkouts/*/sources/*", &with_lost(), false, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_on_place_order() {
    matrix("POST", "/orders", &with_lost(), false, None).await;
}
