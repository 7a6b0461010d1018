//! HTTP-level tests of the sandbox: a real server on 127.0.0.1 and a minimal
//! HTTP/1.1 client over a raw socket, so connection-level faults (closed with no
//! response, response lost after commit) are observed exactly as a browser would.

use std::time::{Duration, Instant};

use sandbox::{Config, Running};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// What came back: `None` when the connection closed with no response.
#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    /// The first error entry of a contract error body.
    fn error(&self) -> Value {
        let v = self.json();
        assert!(v["type"].is_string(), "error body needs a type: {v}");
        v["errors"][0].clone()
    }
}

async fn raw(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    body: Option<&str>,
    extra: &str,
) -> Option<Reply> {
    let mut s = TcpStream::connect(addr).await.unwrap();
    let body = body.unwrap_or("");
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\n{extra}Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut buf))
        .await
        .expect("server neither answered nor closed within 10 s");
    if buf.is_empty() {
        return None;
    }
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("a full response head");
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    Some(Reply {
        status,
        headers,
        body: body.to_owned(),
    })
}

struct Sandbox {
    running: Running,
}

impl Sandbox {
    async fn start(ready_after_ms: u64) -> Self {
        Self::with(Config {
            ready_after: Duration::from_millis(ready_after_ms),
            control: true,
            ..Config::default()
        })
        .await
    }
    async fn with(config: Config) -> Self {
        Self {
            running: sandbox::start(config).await.unwrap(),
        }
    }
    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        let b = body.map(|b| b.to_string());
        raw(self.running.addr, method, path, b.as_deref(), "")
            .await
            .unwrap_or_else(|| panic!("{method} {path}: connection closed without a response"))
    }
    async fn try_call(&self, method: &str, path: &str, body: Option<Value>) -> Option<Reply> {
        let b = body.map(|b| b.to_string());
        raw(self.running.addr, method, path, b.as_deref(), "").await
    }
    async fn fault(&self, rule: Value) {
        let r = self.call("POST", "/__sandbox/faults", Some(rule)).await;
        assert_eq!(r.status, 204, "{}", r.body);
    }
    async fn log(&self) -> Vec<Value> {
        self.call("GET", "/__sandbox/log", None)
            .await
            .json()
            .as_array()
            .unwrap()
            .clone()
    }
    /// A checkout from the demo cart.
    async fn checkout(&self, email: &str, postal: &str) -> Value {
        let address = json!({"line1": "10380 Bren Rd W", "city": "Minnetonka", "postalCode": postal,
                             "state": "MN", "country": "US"});
        let r = self
            .call(
                "POST",
                "/api/checkouts",
                Some(json!({
                    "currency": "USD", "email": email, "locale": "en_US",
                    "billTo": {"name": "Jane Doe", "address": address},
                    "shipTo": {"name": "Jane Doe", "address": address},
                    "items": [{"skuId": "sku_mug", "quantity": 2, "price": 10.0},
                              {"productDetails": {"name": "Tee"}, "quantity": 1, "price": 25.0}]
                })),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        r.json()
    }
    async fn pay(&self, checkout: &Value, card: &str, cvv: &str) -> Reply {
        self.call("POST", "/api/sources", Some(json!({
            "type": "creditCard", "sessionId": checkout["payment"]["session"]["id"],
            "owner": {"firstName": "Jane", "lastName": "Doe", "email": "jdoe@example.com"},
            "creditCard": {"number": card, "expirationMonth": 7, "expirationYear": 2040, "cvv": cvv}
        })))
        .await
    }
    /// Creates and attaches a source; returns the checkout id.
    async fn paid_checkout(&self, email: &str, postal: &str, card: &str) -> String {
        let c = self.checkout(email, postal).await;
        let id = c["id"].as_str().unwrap().to_owned();
        let src = self.pay(&c, card, "123").await;
        assert_eq!(src.status, 201, "{}", src.body);
        let src_id = src.json()["id"].as_str().unwrap().to_owned();
        let a = self
            .call(
                "POST",
                &format!("/api/checkouts/{id}/sources/{src_id}"),
                None,
            )
            .await;
        assert_eq!(a.status, 200, "{}", a.body);
        id
    }
    async fn order(&self, id: &str) -> Reply {
        self.call("POST", "/api/orders", Some(json!({"checkoutId": id})))
            .await
    }
    async fn orders_for(&self, id: &str) -> Vec<Value> {
        let r = self
            .call("GET", &format!("/api/orders?checkoutId={id}"), None)
            .await;
        assert_eq!(r.status, 200);
        let v = r.json();
        assert_eq!(v["hasMore"], false);
        v["data"].as_array().unwrap().clone()
    }
}

const VISA: &str = "4444 2222 3333 1111";

#[tokio::test]
async fn happy_path_computes_totals_waits_for_readiness_and_consumes_the_checkout() {
    let sb = Sandbox::start(150).await;
    let c = sb.checkout("jdoe@example.com", "55343").await;
    // 2 x 10.00 + 25.00; tax 7.55 % per line (1.51 + 1.89); flat shipping 5.00.
    assert_eq!(c["subtotal"], 45.0);
    assert_eq!(c["totalTax"], 3.4);
    assert_eq!(c["totalShipping"], 5.0);
    assert_eq!(c["totalAmount"], 53.4);
    assert_eq!(c["items"][0]["amount"], 20.0);
    assert!(c["items"][0]["id"].as_str().unwrap().starts_with("itm_"));
    let session = &c["payment"]["session"];
    assert_eq!(session["state"], "requires_source");
    assert_eq!(session["amountRemainingToBeContributed"], 53.4);
    let id = c["id"].as_str().unwrap();

    let src = sb.pay(&c, VISA, "123").await;
    assert_eq!(src.status, 201);
    assert!(
        !src.body.contains("4444222233331111") && !src.body.contains("\"123\""),
        "only the last four come back"
    );
    let src = src.json();
    assert_eq!(src["creditCard"]["lastFourDigits"], "1111");
    assert_eq!(src["creditCard"]["brand"], "Visa");
    assert_eq!(src["state"], "chargeable");
    assert_eq!(src["reusable"], false);

    // Ordering before a source is attached is refused as "not ready".
    let early = sb.order(id).await;
    assert_eq!(early.status, 400);
    assert_eq!(early.error()["code"], "order_submit_failed");

    let path = format!(
        "/api/checkouts/{id}/sources/{}",
        src["id"].as_str().unwrap()
    );
    assert_eq!(sb.call("POST", &path, None).await.status, 200);
    // Attaching the same source again (a retry after a lost response) is harmless.
    assert_eq!(sb.call("POST", &path, None).await.status, 200);
    let pending = sb
        .call("GET", &format!("/api/checkouts/{id}"), None)
        .await
        .json();
    assert_eq!(pending["payment"]["session"]["state"], "pending");
    assert_eq!(
        pending["payment"]["sources"][0]["creditCard"]["lastFourDigits"],
        "1111"
    );
    assert_eq!(sb.order(id).await.error()["code"], "order_submit_failed");

    tokio::time::sleep(Duration::from_millis(200)).await;
    let ready = sb
        .call("GET", &format!("/api/checkouts/{id}"), None)
        .await
        .json();
    assert_eq!(
        ready["payment"]["session"]["state"],
        "requires_confirmation"
    );
    assert_eq!(
        ready["payment"]["session"]["amountRemainingToBeContributed"],
        0.0
    );

    let order = sb.order(id).await;
    assert_eq!(order.status, 201, "{}", order.body);
    let order = order.json();
    assert_eq!(order["state"], "accepted");
    assert_eq!(order["checkoutId"], id);
    assert_eq!(order["totalAmount"], 53.4);
    assert_eq!(order["payment"]["session"]["state"], "complete");
    assert!(order["createdTime"].as_str().unwrap().ends_with('Z'));

    // The checkout is consumed: gone for reads, updates and orders.
    let again = sb.order(id).await;
    assert_eq!(again.status, 404);
    assert_eq!(again.error()["code"], "not_found");
    assert_eq!(
        sb.call("GET", &format!("/api/checkouts/{id}"), None)
            .await
            .status,
        404
    );
    assert_eq!(sb.orders_for(id).await.len(), 1);
    assert!(sb.orders_for("chk_unknown").await.is_empty());
}

#[tokio::test]
async fn decline_card_gives_409_and_kills_the_checkout() {
    let sb = Sandbox::start(0).await;
    let id = sb
        .paid_checkout("jdoe@example.com", "55343", "4000 0000 0000 3600")
        .await;
    let r = sb.order(&id).await;
    assert_eq!(r.status, 409);
    assert_eq!(r.json()["type"], "conflict");
    assert_eq!(r.error()["code"], "failed-request");
    // A dead checkout never yields an order.
    assert_eq!(sb.order(&id).await.status, 409);
    assert!(sb.orders_for(&id).await.is_empty());
}

#[tokio::test]
async fn failing_card_is_refused_at_source_creation() {
    let sb = Sandbox::start(0).await;
    let c = sb.checkout("jdoe@example.com", "55343").await;
    let r = sb.pay(&c, "4000000000003295", "123").await;
    assert_eq!(r.status, 400);
    assert_eq!(r.error()["parameter"], "creditCard.number");
    // Invalid card data is refused with the field named.
    assert_eq!(
        sb.pay(&c, "4444222233331112", "123").await.error()["parameter"],
        "creditCard.number"
    );
    assert_eq!(
        sb.pay(&c, VISA, "12").await.error()["parameter"],
        "creditCard.cvv"
    );
    assert_eq!(
        sb.pay(&c, "3434 567890 12341", "123").await.error()["parameter"],
        "creditCard.cvv"
    );
    assert_eq!(sb.pay(&c, "3434 567890 12341", "1234").await.status, 201);
}

#[tokio::test]
async fn rejected_email_is_fixed_on_the_same_checkout() {
    let sb = Sandbox::start(0).await;
    let id = sb
        .paid_checkout("shopper@reject.example", "55343", VISA)
        .await;
    let r = sb.order(&id).await;
    assert_eq!(r.status, 400);
    let e = r.error();
    assert_eq!(e["code"], "order_create_failed");
    assert_eq!(e["parameter"], "email");
    // Invalid syntax is refused by the update itself.
    let bad = sb
        .call(
            "POST",
            &format!("/api/checkouts/{id}"),
            Some(json!({"email": "nope"})),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.error()["parameter"], "email");
    let fixed = sb
        .call(
            "POST",
            &format!("/api/checkouts/{id}"),
            Some(json!({"email": "jane@example.com"})),
        )
        .await;
    assert_eq!(fixed.status, 200);
    let fixed = fixed.json();
    assert_eq!(fixed["email"], "jane@example.com");
    assert_eq!(fixed["billTo"]["name"], "Jane Doe", "untouched fields stay");
    assert_eq!(
        fixed["payment"]["session"]["state"],
        "requires_confirmation"
    );
    let order = sb.order(&id).await;
    assert_eq!(order.status, 201, "{}", order.body);
    assert_eq!(order.json()["checkoutId"], id.as_str());
}

#[tokio::test]
async fn rejected_postal_code_and_missing_email() {
    let sb = Sandbox::start(0).await;
    let id = sb.paid_checkout("jdoe@example.com", "00000", VISA).await;
    let e = sb.order(&id).await.error();
    assert_eq!(e["code"], "invalid_parameter");
    assert_eq!(e["parameter"], "billTo.address.postalCode");

    let c = sb
        .call(
            "POST",
            "/api/checkouts",
            Some(json!({"items": [{"skuId": "sku_mug"}]})),
        )
        .await;
    assert_eq!(c.status, 201);
    let c = c.json();
    assert_eq!(
        c["totalAmount"], 10.76,
        "catalog price 10.00 + 7.55 % tax, no shipping"
    );
    let e = sb.order(c["id"].as_str().unwrap()).await.error();
    assert_eq!(e["code"], "missing_parameter");
    assert_eq!(e["parameter"], "email");
}

#[tokio::test]
async fn updating_items_reopens_the_session() {
    let sb = Sandbox::start(0).await;
    let id = sb.paid_checkout("jdoe@example.com", "55343", VISA).await;
    let c = sb
        .call(
            "POST",
            &format!("/api/checkouts/{id}"),
            Some(json!({"items": [{"skuId": "sku_tee", "quantity": 3}]})),
        )
        .await
        .json();
    assert_eq!(c["subtotal"], 75.0);
    assert_eq!(c["payment"]["session"]["state"], "requires_source");
    assert_eq!(sb.order(&id).await.error()["code"], "order_submit_failed");
    let cur = sb
        .call(
            "POST",
            &format!("/api/checkouts/{id}"),
            Some(json!({"currency": "EUR"})),
        )
        .await;
    assert_eq!(cur.error()["parameter"], "currency");
}

#[tokio::test]
async fn bad_requests_get_the_error_shape() {
    let sb = Sandbox::start(0).await;
    let r = raw(
        sb.running.addr,
        "POST",
        "/api/checkouts",
        Some("{not json"),
        "",
    )
    .await
    .unwrap();
    assert_eq!(r.status, 400);
    assert_eq!(r.error()["code"], "invalid_json");
    let r = sb.call("POST", "/api/checkouts", Some(json!([1, 2]))).await;
    assert_eq!(r.status, 400);
    let r = sb
        .call("POST", "/api/checkouts", Some(json!({"items": []})))
        .await;
    assert_eq!(r.error()["parameter"], "items");
    let r = sb
        .call(
            "POST",
            "/api/checkouts",
            Some(json!({"items": [{"skuId": "sku_x"}]})),
        )
        .await;
    assert_eq!(r.error()["parameter"], "items[0].price");
    let r = sb
        .call(
            "POST",
            "/api/checkouts",
            Some(json!({"items": [{"skuId": "sku_mug", "price": -1}]})),
        )
        .await;
    assert_eq!(r.error()["parameter"], "items[0].price");
    let r = sb
        .call(
            "POST",
            "/api/checkouts",
            Some(json!({"email": 7, "items": [{"skuId": "sku_mug"}]})),
        )
        .await;
    assert_eq!(r.error()["parameter"], "email");
    let r = sb.call("POST", "/api/orders", Some(json!({}))).await;
    assert_eq!(r.error()["parameter"], "checkoutId");
    let r = sb
        .call(
            "POST",
            "/api/orders",
            Some(json!({"checkoutId": "chk_nope"})),
        )
        .await;
    assert_eq!(r.status, 404);
    let r = sb.call("GET", "/api/nothing-here", None).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["type"], "not_found");
    let r = sb.call("DELETE", "/api/orders", None).await;
    assert_eq!(r.status, 405);
    assert_eq!(r.json()["type"], "method_not_allowed");
    let r = sb
        .call(
            "POST",
            "/api/sources",
            Some(json!({"type": "creditCard", "sessionId": "ses_nope"})),
        )
        .await;
    assert_eq!(r.error()["parameter"], "sessionId");
    let r = raw(
        sb.running.addr,
        "POST",
        "/api/sources",
        Some("{}"),
        "Authorization: Bearer sk_secret\r\n",
    )
    .await
    .unwrap();
    assert_eq!(
        r.status, 401,
        "a secret key must never be accepted from a browser"
    );
    assert_eq!(r.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn status_faults_answer_without_processing() {
    let sb = Sandbox::start(0).await;
    sb.fault(json!([
        {"method": "POST", "path": "/checkouts", "fault": {"kind": "status", "status": 502,
         "body": "<html><h1>Bad Gateway</h1></html>", "contentType": "text/html"}},
        {"method": "POST", "path": "/checkouts", "fault": {"kind": "status", "status": 503, "retryAfter": 2}}
    ]))
    .await;
    let body = json!({"email": "a@b.example", "items": [{"skuId": "sku_mug"}]});
    let r = sb.call("POST", "/api/checkouts", Some(body.clone())).await;
    assert_eq!(r.status, 502);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    assert!(r.body.contains("Bad Gateway"));
    let r = sb.call("POST", "/api/checkouts", Some(body.clone())).await;
    assert_eq!(r.status, 503);
    assert_eq!(r.header("retry-after"), Some("2"));
    // Rules are used up; nothing was created by the faulted calls.
    let r = sb.call("POST", "/api/checkouts", Some(body)).await;
    assert_eq!(r.status, 201);
    let log = sb.log().await;
    let statuses: Vec<u64> = log.iter().map(|e| e["status"].as_u64().unwrap()).collect();
    assert_eq!(statuses, vec![502, 503, 201]);
    assert_eq!(log[0]["fault"]["kind"], "status");
    assert_eq!(log[0]["json"]["email"], "a@b.example");
}

#[tokio::test]
async fn close_drops_the_connection_without_processing() {
    let sb = Sandbox::start(0).await;
    let id = sb.paid_checkout("jdoe@example.com", "55343", VISA).await;
    sb.fault(json!({"method": "POST", "path": "/orders", "fault": {"kind": "close"}}))
        .await;
    let r = sb
        .try_call("POST", "/api/orders", Some(json!({"checkoutId": id})))
        .await;
    assert!(r.is_none(), "expected no response, got {r:?}");
    assert!(sb.orders_for(&id).await.is_empty(), "close must not commit");
    assert_eq!(sb.order(&id).await.status, 201);
}

#[tokio::test]
async fn lost_commits_then_drops_the_response() {
    let sb = Sandbox::start(0).await;
    let id = sb.paid_checkout("jdoe@example.com", "55343", VISA).await;
    sb.fault(json!({"method": "POST", "path": "/orders", "fault": {"kind": "lost"}}))
        .await;
    // The answer starts (201) and dies mid-body: the client cannot read it.
    let r = sb
        .try_call("POST", "/api/orders", Some(json!({"checkoutId": id})))
        .await;
    if let Some(r) = r {
        assert_eq!(r.status, 201);
        assert!(
            serde_json::from_str::<Value>(&r.body).is_err(),
            "the body must be cut: {}",
            r.body
        );
    }
    // The order exists: this is the "unknown outcome" the widget resolves by lookup.
    assert_eq!(sb.orders_for(&id).await.len(), 1);
    assert_eq!(sb.order(&id).await.status, 404);
    let log = sb.log().await;
    let lost = log.iter().find(|e| e["fault"]["kind"] == "lost").unwrap();
    assert_eq!(
        lost["status"], 201,
        "the log shows what the server committed"
    );
}

#[tokio::test]
async fn malformed_and_empty_bodies_still_commit() {
    let sb = Sandbox::start(0).await;
    sb.fault(json!([
        {"method": "POST", "path": "/checkouts", "fault": {"kind": "malformed"}},
        {"method": "GET", "path": "/checkouts/*", "fault": {"kind": "empty"}}
    ]))
    .await;
    let r = sb
        .call(
            "POST",
            "/api/checkouts",
            Some(json!({"items": [{"skuId": "sku_mug"}]})),
        )
        .await;
    assert_eq!(r.status, 201);
    assert!(!r.body.is_empty());
    assert!(
        serde_json::from_str::<Value>(&r.body).is_err(),
        "body must be invalid JSON: {}",
        r.body
    );
    // The checkout was created all the same: its id is still in the truncated text.
    let at = r
        .body
        .find("\"id\":\"chk_")
        .expect("the id survives the truncation")
        + 6;
    let id: String = r.body[at..].chars().take_while(|c| *c != '"').collect();
    let r = sb.call("GET", &format!("/api/checkouts/{id}"), None).await;
    assert_eq!(r.status, 200);
    assert!(r.body.is_empty());
    assert_eq!(
        sb.call("GET", &format!("/api/checkouts/{id}"), None)
            .await
            .json()["id"],
        id.as_str()
    );
}

#[tokio::test]
async fn delay_skip_and_wildcards() {
    let sb = Sandbox::start(0).await;
    let id = sb.paid_checkout("jdoe@example.com", "55343", VISA).await;
    sb.fault(
        json!({"method": "GET", "path": "/checkouts/*", "skip": 1, "times": 1,
                    "fault": {"kind": "delay", "ms": 300}}),
    )
    .await;
    let t = Instant::now();
    sb.call("GET", &format!("/api/checkouts/{id}"), None).await;
    let first = t.elapsed();
    let t = Instant::now();
    let r = sb.call("GET", &format!("/api/checkouts/{id}"), None).await;
    assert!(
        t.elapsed() >= Duration::from_millis(300),
        "the second GET is delayed"
    );
    assert!(
        first < Duration::from_millis(300),
        "the first GET was skipped"
    );
    assert_eq!(r.status, 200);
    let rules = sb.call("GET", "/__sandbox/faults", None).await.json();
    assert_eq!(rules, json!([]));
}

#[tokio::test]
async fn latency_settings_and_reset() {
    let sb = Sandbox::start(0).await;
    let r = sb
        .call(
            "POST",
            "/__sandbox/settings",
            Some(json!({"latencyMs": 120, "readyAfterMs": 0})),
        )
        .await;
    assert_eq!(r.status, 204);
    let t = Instant::now();
    sb.checkout("jdoe@example.com", "55343").await;
    assert!(t.elapsed() >= Duration::from_millis(120));
    assert_eq!(sb.call("POST", "/__sandbox/reset", None).await.status, 204);
    assert!(sb.log().await.is_empty());
    let t = Instant::now();
    sb.checkout("jdoe@example.com", "55343").await;
    assert!(
        t.elapsed() < Duration::from_millis(1000),
        "reset restores the configured latency (0)"
    );
    let bad = sb
        .call("POST", "/__sandbox/faults", Some(json!({"method": "GET"})))
        .await;
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn control_surface_is_off_unless_enabled() {
    let sb = Sandbox::with(Config::default()).await;
    let r = sb.call("GET", "/__sandbox/log", None).await;
    assert_eq!(r.status, 404);
    let r = sb
        .call(
            "POST",
            "/__sandbox/faults",
            Some(json!({"method": "GET", "path": "/x", "fault": {"kind": "close"}})),
        )
        .await;
    assert_eq!(r.status, 404);
    // Without dist/, the API is served at / as well as under /api.
    let r = sb
        .call(
            "POST",
            "/checkouts",
            Some(json!({"items": [{"skuId": "sku_mug"}]})),
        )
        .await;
    assert_eq!(r.status, 201);
}

#[tokio::test]
async fn serves_dist_with_security_headers_and_the_api_under_api() {
    let dir = std::env::temp_dir().join(format!("sandbox-dist-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html><title>t</title>").unwrap();
    std::fs::write(dir.join("checkout-widget_bg.wasm"), b"\0asm").unwrap();
    let sb = Sandbox::with(Config {
        dist: Some(dir.clone()),
        ..Config::default()
    })
    .await;
    let page = sb.call("GET", "/", None).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<title>t</title>"));
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(page.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(page.header("content-security-policy"), Some(sandbox::CSP));
    assert!(sandbox::CSP.contains("script-src 'self' 'wasm-unsafe-eval'"));
    let wasm = sb.call("GET", "/checkout-widget_bg.wasm", None).await;
    assert_eq!(wasm.header("content-type"), Some("application/wasm"));
    let api = sb
        .call(
            "POST",
            "/api/checkouts",
            Some(json!({"items": [{"skuId": "sku_mug"}]})),
        )
        .await;
    assert_eq!(api.status, 201);
    let root = sb.call("POST", "/checkouts", Some(json!({}))).await;
    assert_ne!(
        root.status, 201,
        "with dist/, the API lives only under /api"
    );
    std::fs::remove_dir_all(dir).unwrap();
}
