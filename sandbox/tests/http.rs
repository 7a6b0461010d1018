//! HTTP-level tests of the sandbox: a real server on 127.0.0.1 and a minimal
//! HTTP/1.1 client over a raw socket, so connection-level faults (closed with no
//! response, response lost after commit) are observed exactly as a browser would.
//! A default sandbox plays three origins (merchant, payments, ACS).

use std::net::SocketAddr;
use std::path::PathBuf;
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
    let content_type = if extra.to_ascii_lowercase().contains("content-type:") {
        ""
    } else {
        "Content-Type: application/json\r\n"
    };
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{content_type}{extra}Content-Length: {}\r\n\r\n{body}",
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
    /// A call to the merchant origin.
    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        at(self.running.addr, method, path, body).await
    }
    /// A call to the payments origin.
    async fn pcall(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        at(self.running.payments_addr, method, path, body).await
    }
    /// A call to the ACS origin.
    async fn acs(&self, method: &str, path: &str, body: Option<&str>) -> Reply {
        let form = "Content-Type: application/x-www-form-urlencoded\r\n";
        raw(self.running.acs_addr, method, path, body, form)
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
        self.create_checkout(cart(email, postal)).await
    }
    /// `POST /checkouts` with `body`, which must succeed.
    async fn create_checkout(&self, body: Value) -> Value {
        let r = self.call("POST", "/api/checkouts", Some(body)).await;
        assert_eq!(r.status, 201, "{}", r.body);
        r.json()
    }
    /// `POST /sources` on the payments origin.
    async fn pay(&self, checkout: &Value, card: &str, cvv: &str) -> Reply {
        self.pcall("POST", "/api/sources", Some(json!({
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

/// The demo cart as a `POST /checkouts` body (total 53.40 USD).
fn cart(email: &str, postal: &str) -> Value {
    let address = json!({"line1": "10380 Bren Rd W", "city": "Minnetonka", "postalCode": postal,
                         "state": "MN", "country": "US"});
    json!({
        "currency": "USD", "email": email, "locale": "en_US",
        "billTo": {"name": "Jane Doe", "address": address},
        "shipTo": {"name": "Jane Doe", "address": address},
        "items": [{"skuId": "sku_mug", "quantity": 2, "price": 10.0},
                  {"productDetails": {"name": "Tee"}, "quantity": 1, "price": 25.0}]
    })
}

async fn at(addr: SocketAddr, method: &str, path: &str, body: Option<Value>) -> Reply {
    let b = body.map(|b| b.to_string());
    raw(addr, method, path, b.as_deref(), "")
        .await
        .unwrap_or_else(|| panic!("{method} {path}: connection closed without a response"))
}

const VISA: &str = "4444 2222 3333 1111";
const THREE_DS: &str = "5454 5454 5454 5454";

/// A temporary `dist/` with a demo page, a stub card frame and a wasm file.
struct Dist(PathBuf);

impl Dist {
    fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("sandbox-dist-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), "<!doctype html><title>t</title>").unwrap();
        std::fs::write(
            dir.join("card-frame.html"),
            "<!doctype html><title>card frame stub</title>",
        )
        .unwrap();
        std::fs::write(dir.join("checkout-widget_bg.wasm"), b"\0asm").unwrap();
        Self(dir)
    }
}

impl Drop for Dist {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `?origin=` as a browser would encode it.
fn enc(s: &str) -> String {
    s.replace(':', "%3A").replace('/', "%2F")
}

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
        .pcall(
            "POST",
            "/api/sources",
            Some(json!({"type": "creditCard", "sessionId": "ses_nope"})),
        )
        .await;
    assert_eq!(r.error()["parameter"], "sessionId");
    let r = raw(
        sb.running.payments_addr,
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
    let dist = Dist::new("merchant");
    let sb = Sandbox::with(Config {
        dist: Some(dist.0.clone()),
        ..Config::default()
    })
    .await;
    let page = sb.call("GET", "/", None).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<title>t</title>"));
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(page.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(page.header("x-frame-options"), Some("SAMEORIGIN"));
    let pay = sb.running.payments_url();
    let csp = page.header("content-security-policy").unwrap();
    assert_eq!(csp, sandbox::merchant_csp(&pay));
    assert_eq!(csp, sb.running.merchant_csp());
    assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval'"));
    assert!(
        csp.contains(&format!("; frame-src {pay};")),
        "the merchant page frames the payments origin only: {csp}"
    );
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
}

#[tokio::test]
async fn the_three_origins_and_sandbox_json() {
    let sb = Sandbox::start(0).await;
    let (url, pay, acs) = (
        sb.running.url(),
        sb.running.payments_url(),
        sb.running.acs_url(),
    );
    assert_eq!(url, format!("http://127.0.0.1:{}", sb.running.addr.port()));
    assert_eq!(
        pay,
        format!("http://localhost:{}", sb.running.payments_addr.port()),
        "the payments origin is another site"
    );
    assert_eq!(
        acs,
        format!("http://127.0.0.1:{}", sb.running.acs_addr.port())
    );
    assert!(url != pay && url != acs && pay != acs);
    let j = sb.call("GET", "/sandbox.json", None).await;
    assert_eq!(j.status, 200);
    assert_eq!(j.header("cache-control"), Some("no-store"));
    let j = j.json();
    assert_eq!(j["paymentsBase"], format!("{pay}/api"));
    assert_eq!(j["paymentsOrigin"], pay);
    assert_eq!(j["acsOrigin"], acs);
    assert_eq!(sb.running.payments_base(), format!("{pay}/api"));
    // Each API lives on its own origin only.
    let c = sb.checkout("jdoe@example.com", "55343").await;
    let body = json!({"type": "creditCard", "sessionId": c["payment"]["session"]["id"]});
    let merchant_sources = sb.call("POST", "/api/sources", Some(body)).await;
    assert_eq!(
        merchant_sources.status, 404,
        "card data never goes to the merchant"
    );
    let payments_checkouts = sb
        .pcall(
            "POST",
            "/api/checkouts",
            Some(json!({"items": [{"skuId": "sku_mug"}]})),
        )
        .await;
    assert_eq!(payments_checkouts.status, 404);
    assert_eq!(sb.pcall("GET", "/__sandbox/log", None).await.status, 404);
    assert_eq!(sb.acs("GET", "/__sandbox/log", None).await.status, 404);
    assert_eq!(sb.pcall("GET", "/sandbox.json", None).await.status, 404);
    // The payments origin is also reachable on [::1] when this host has IPv6 loopback.
    let v6 = SocketAddr::from(([0, 0, 0, 0, 0, 0, 0, 1], sb.running.payments_addr.port()));
    if TcpStream::connect(v6).await.is_ok() {
        let r = at(
            v6,
            "GET",
            &format!("/card-frame.html?origin={}", enc(&url)),
            None,
        )
        .await;
        assert_eq!(r.status, 404, "no dist/ here, but the origin was accepted");
        let r = at(v6, "GET", "/card-frame.html", None).await;
        assert_eq!(r.status, 403);
    }
}

#[tokio::test]
async fn the_card_frame_is_framable_by_allowed_merchant_origins_only() {
    let dist = Dist::new("frame");
    let sb = Sandbox::with(Config {
        dist: Some(dist.0.clone()),
        ..Config::default()
    })
    .await;
    let (url, pay, acs) = (
        sb.running.url(),
        sb.running.payments_url(),
        sb.running.acs_url(),
    );
    for query in [enc(&url), url.clone()] {
        let r = sb
            .pcall("GET", &format!("/card-frame.html?origin={query}"), None)
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(r.body.contains("card frame stub"));
        let csp = r.header("content-security-policy").unwrap();
        assert_eq!(
            csp,
            format!(
                "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
                 img-src 'self' data:; connect-src 'self'; frame-src {acs} 'self'; \
                 frame-ancestors {url}"
            )
        );
        assert_eq!(
            r.header("x-frame-options"),
            None,
            "CSP frame-ancestors instead"
        );
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    }
    for bad in [
        "/card-frame.html".to_owned(),
        "/card-frame.html?origin=".to_owned(),
        "/card-frame.html?origin=http%3A%2F%2Fevil.example".to_owned(),
        format!("/card-frame.html?origin={}", enc(&pay)),
        format!("/card-frame.html?origin={}%2F", enc(&url)),
    ] {
        let r = sb.pcall("GET", &bad, None).await;
        assert_eq!(r.status, 403, "{bad}");
        assert!(r.header("content-type").unwrap().starts_with("text/html"));
        assert!(r.body.contains("not allowed"), "{}", r.body);
        assert!(!r.body.contains("card frame stub"));
        let csp = r.header("content-security-policy").unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    }
    // The rest of dist/ is served there too, with a policy nobody may frame.
    let page = sb.pcall("GET", "/", None).await;
    assert_eq!(page.status, 200);
    let csp = page.header("content-security-policy").unwrap();
    assert!(csp.ends_with("frame-ancestors 'none'"), "{csp}");
    let wasm = sb.pcall("GET", "/checkout-widget_bg.wasm", None).await;
    assert_eq!(wasm.header("content-type"), Some("application/wasm"));
    // The merchant origin does not serve the card frame: it lives on the payments origin.
    let here = sb
        .call(
            "GET",
            &format!("/card-frame.html?origin={}", enc(&url)),
            None,
        )
        .await;
    assert_eq!(here.status, 404);
    assert!(here.body.contains(&pay));
}

#[tokio::test]
async fn allowed_origins_replace_the_merchant_origin() {
    let dist = Dist::new("allowed");
    let sb = Sandbox::with(Config {
        dist: Some(dist.0.clone()),
        allowed_origins: vec!["http://shop.example:8080/".into()],
        ..Config::default()
    })
    .await;
    let r = sb
        .pcall(
            "GET",
            "/card-frame.html?origin=http%3A%2F%2Fshop.example%3A8080",
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(r
        .header("content-security-policy")
        .unwrap()
        .ends_with("frame-ancestors http://shop.example:8080"));
    let own = format!("/card-frame.html?origin={}", enc(&sb.running.url()));
    assert_eq!(sb.pcall("GET", &own, None).await.status, 403);
    // The pages the card frame nests name the allowed origins as ancestors.
    let ret = sb
        .pcall("GET", "/3ds/return?sourceId=src_1&outcome=passed", None)
        .await;
    assert!(ret
        .header("content-security-policy")
        .unwrap()
        .ends_with("frame-ancestors 'self' http://shop.example:8080"));
}

/// The path and query of an ACS challenge URL, checked to be on the ACS origin.
fn challenge_path(sb: &Sandbox, source: &Value) -> String {
    assert_eq!(source["state"], "requires_action", "{source}");
    assert_eq!(source["nextAction"]["action"], "three_d_secure");
    let url = source["nextAction"]["data"]["challengeUrl"]
        .as_str()
        .unwrap();
    let prefix = format!(
        "{}/challenge?sourceId={}&token=",
        sb.running.acs_url(),
        source["id"].as_str().unwrap()
    );
    assert!(url.starts_with(&prefix), "{url} should start with {prefix}");
    assert!(url.len() > prefix.len(), "a token");
    url[sb.running.acs_url().len()..].to_owned()
}

/// `token` of a challenge path.
fn token_of(path: &str) -> String {
    path.split("token=").nth(1).unwrap().to_owned()
}

impl Sandbox {
    /// A checkout and a 3-D Secure source on it: (checkout, source).
    async fn three_ds_source(&self) -> (Value, Value) {
        let c = self.checkout("jdoe@example.com", "55343").await;
        let src = self.pay(&c, THREE_DS, "123").await;
        assert_eq!(src.status, 201, "{}", src.body);
        (c, src.json())
    }
    /// Submits the challenge form.
    async fn answer(&self, source_id: &str, token: &str, password: &str, action: &str) -> Reply {
        let form =
            format!("sourceId={source_id}&token={token}&password={password}&action={action}");
        self.acs("POST", "/challenge", Some(&form)).await
    }
    async fn source(&self, source: &Value) -> Reply {
        let path = format!(
            "/api/sources/{}?clientSecret={}",
            source["id"].as_str().unwrap(),
            source["clientSecret"].as_str().unwrap()
        );
        self.pcall("GET", &path, None).await
    }
    async fn attach(&self, checkout: &Value, source: &Value) -> Reply {
        let path = format!(
            "/api/checkouts/{}/sources/{}",
            checkout["id"].as_str().unwrap(),
            source["id"].as_str().unwrap()
        );
        self.call("POST", &path, None).await
    }
}

#[tokio::test]
async fn a_three_d_secure_card_passes_the_challenge_with_the_password() {
    let sb = Sandbox::start(0).await;
    let (c, src) = sb.three_ds_source().await;
    let id = src["id"].as_str().unwrap();
    let path = challenge_path(&sb, &src);
    // Not chargeable yet: attaching is refused like the provider would.
    let a = sb.attach(&c, &src).await;
    assert_eq!(a.status, 409, "{}", a.body);
    assert_eq!(a.json()["type"], "conflict");
    assert_eq!(a.error()["code"], "source_not_chargeable");

    let page = sb.acs("GET", &path, None).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    for needle in [
        "<html lang=\"en\">",
        "<title>Verify your card",
        "<h1>Verify your card</h1>",
        "<label for=\"password\">Password</label>",
        "<input id=\"password\" name=\"password\" type=\"password\"",
        ">Submit</button>",
        ">Cancel</button>",
        "the password is <code>password</code>",
        "<link rel=\"stylesheet\" href=\"acs.css\">",
        "<form method=\"post\" action=\"challenge\">",
        "ending in 5454",
    ] {
        assert!(
            page.body.contains(needle),
            "{needle} missing in {}",
            page.body
        );
    }
    assert!(!page.body.contains("<script") && !page.body.contains("style="));
    let pay = sb.running.payments_url();
    assert_eq!(
        page.header("content-security-policy").unwrap(),
        format!(
            "default-src 'self'; style-src 'self'; form-action 'self' {pay}; \
             frame-ancestors {pay} {}",
            sb.running.url()
        )
    );
    assert_eq!(page.header("x-frame-options"), None);
    let css = sb.acs("GET", "/acs.css", None).await;
    assert_eq!(css.status, 200);
    assert!(css.header("content-type").unwrap().starts_with("text/css"));
    assert!(css.body.contains("label"));

    let token = token_of(&path);
    let r = sb.answer(id, &token, "password", "submit").await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        r.header("location").unwrap(),
        format!("{pay}/3ds/return?sourceId={id}&outcome=passed")
    );
    let now = sb.source(&src).await;
    assert_eq!(now.status, 200);
    let now = now.json();
    assert_eq!(now["state"], "chargeable");
    assert!(now.get("nextAction").is_none(), "{now}");
    assert_eq!(now["creditCard"]["lastFourDigits"], "5454");

    // The token was used up: the same answer again is refused, the source unchanged.
    let again = sb.answer(id, &token, "wrong", "submit").await;
    assert_eq!(again.status, 400);
    assert!(again.body.contains("not valid"));
    assert_eq!(sb.acs("GET", &path, None).await.status, 400);
    assert_eq!(sb.source(&src).await.json()["state"], "chargeable");

    // Now it pays like any card.
    assert_eq!(sb.attach(&c, &src).await.status, 200);
    let order = sb.order(c["id"].as_str().unwrap()).await;
    assert_eq!(order.status, 201, "{}", order.body);
}

#[tokio::test]
async fn a_wrong_password_fails_and_cancel_leaves_it_requiring_action() {
    let sb = Sandbox::start(0).await;
    let pay = sb.running.payments_url();
    // Wrong password: failed, for good.
    let (c, src) = sb.three_ds_source().await;
    let id = src["id"].as_str().unwrap();
    let r = sb
        .answer(
            id,
            &token_of(&challenge_path(&sb, &src)),
            "hunter2",
            "submit",
        )
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        r.header("location").unwrap(),
        format!("{pay}/3ds/return?sourceId={id}&outcome=failed")
    );
    let failed = sb.source(&src).await.json();
    assert_eq!(failed["state"], "failed");
    assert!(failed.get("nextAction").is_none());
    assert_eq!(sb.attach(&c, &src).await.status, 409);

    // Cancel: still requires_action, with a fresh challenge; the old link is spent.
    let (c, src) = sb.three_ds_source().await;
    let id = src["id"].as_str().unwrap();
    let first = challenge_path(&sb, &src);
    let r = sb.answer(id, &token_of(&first), "password", "cancel").await;
    assert_eq!(r.status, 303);
    assert_eq!(
        r.header("location").unwrap(),
        format!("{pay}/3ds/return?sourceId={id}&outcome=cancelled")
    );
    let now = sb.source(&src).await.json();
    let second = challenge_path(&sb, &now);
    assert_ne!(second, first, "a new token for the next attempt");
    assert_eq!(sb.acs("GET", &first, None).await.status, 400);
    assert_eq!(
        sb.answer(id, &token_of(&first), "password", "submit")
            .await
            .status,
        400
    );
    assert_eq!(sb.source(&src).await.json()["state"], "requires_action");
    let a = sb.attach(&c, &src).await;
    assert_eq!(a.status, 409);
    assert_eq!(a.error()["code"], "source_not_chargeable");
    assert_eq!(sb.acs("GET", &second, None).await.status, 200);
    let r = sb
        .answer(id, &token_of(&second), "password", "submit")
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(sb.source(&src).await.json()["state"], "chargeable");
}

#[tokio::test]
async fn challenge_tokens_belong_to_one_source_and_bad_links_are_refused() {
    let sb = Sandbox::start(0).await;
    let (_, a) = sb.three_ds_source().await;
    let (_, b) = sb.three_ds_source().await;
    let a_token = token_of(&challenge_path(&sb, &a));
    let b_id = b["id"].as_str().unwrap();
    let cross = sb.answer(b_id, &a_token, "password", "submit").await;
    assert_eq!(cross.status, 400, "a's token cannot verify b");
    assert!(
        cross.header("location").is_none(),
        "no redirect on a bad link"
    );
    assert_eq!(sb.source(&b).await.json()["state"], "requires_action");
    for bad in [
        "/challenge".to_owned(),
        format!("/challenge?sourceId={b_id}"),
        format!("/challenge?sourceId={b_id}&token="),
        format!("/challenge?sourceId=src_nope&token={a_token}"),
        format!("/challenge?sourceId={b_id}&token={a_token}"),
    ] {
        let r = sb.acs("GET", &bad, None).await;
        assert_eq!(r.status, 400, "{bad}");
        assert!(r.body.contains("not valid"));
        assert!(r.header("content-security-policy").is_some());
    }
    assert_eq!(
        sb.acs("POST", "/challenge", Some("garbage")).await.status,
        400
    );
    assert_eq!(sb.acs("GET", "/elsewhere", None).await.status, 404);
    // An ordinary card has no challenge.
    let c = sb.checkout("jdoe@example.com", "55343").await;
    let visa = sb.pay(&c, VISA, "123").await.json();
    assert_eq!(visa["state"], "chargeable");
    assert!(visa.get("nextAction").is_none());
    let other = sb.pay(&c, "4917 6100 0000 0000", "123").await.json();
    challenge_path(&sb, &other);
}

#[tokio::test]
async fn a_source_is_reread_only_with_its_client_secret() {
    let sb = Sandbox::start(0).await;
    let (_, src) = sb.three_ds_source().await;
    let id = src["id"].as_str().unwrap();
    let ok = sb.source(&src).await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.json()["id"], id);
    assert_eq!(ok.header("cache-control"), Some("no-store"));
    for bad in [
        format!("/api/sources/{id}?clientSecret=nope"),
        format!("/api/sources/{id}"),
        format!(
            "/api/sources/src_nope?clientSecret={}",
            src["clientSecret"].as_str().unwrap()
        ),
    ] {
        let r = sb.pcall("GET", &bad, None).await;
        assert_eq!(r.status, 404, "{bad}");
        assert_eq!(r.error()["code"], "not_found");
    }
    assert_eq!(
        sb.call("GET", &format!("/api/sources/{id}?clientSecret=x"), None)
            .await
            .status,
        404,
        "not a merchant call"
    );
}

#[tokio::test]
async fn authentications_report_what_the_source_needs() {
    let sb = Sandbox::start(0).await;
    let (c, src) = sb.three_ds_source().await;
    let id = src["id"].as_str().unwrap();
    let path = format!("/api/sources/{id}/authentications");
    let session = c["payment"]["session"]["id"].clone();
    let body = json!({"sessionId": session, "clientSecret": src["clientSecret"]});
    let r = sb.pcall("POST", &path, Some(body.clone())).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = r.json();
    assert_eq!(r["status"], "requires_action");
    assert_eq!(r["nextAction"], src["nextAction"]);
    let wrong = json!({"sessionId": session, "clientSecret": "nope"});
    assert_eq!(sb.pcall("POST", &path, Some(wrong)).await.status, 404);
    let other = sb.checkout("jdoe@example.com", "55343").await;
    let elsewhere = json!({"sessionId": other["payment"]["session"]["id"],
                           "clientSecret": src["clientSecret"]});
    let r = sb.pcall("POST", &path, Some(elsewhere)).await;
    assert_eq!(r.status, 409);
    assert_eq!(r.error()["code"], "nonreusable_source");
    sb.answer(
        id,
        &token_of(&challenge_path(&sb, &src)),
        "password",
        "submit",
    )
    .await;
    let r = sb.pcall("POST", &path, Some(body)).await.json();
    assert_eq!(r["status"], "complete");
    let visa = sb.pay(&c, VISA, "123").await.json();
    let r = sb
        .pcall(
            "POST",
            &format!(
                "/api/sources/{}/authentications",
                visa["id"].as_str().unwrap()
            ),
            Some(json!({"sessionId": session, "clientSecret": visa["clientSecret"]})),
        )
        .await
        .json();
    assert_eq!(r["status"], "authentication_not_required");
}

#[tokio::test]
async fn the_3ds_return_page_posts_to_its_parent_from_an_external_script() {
    let sb = Sandbox::start(0).await;
    let r = sb
        .pcall("GET", "/3ds/return?sourceId=src_1&outcome=passed", None)
        .await;
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    assert_eq!(
        r.body.matches("<script").count(),
        1,
        "one script: {}",
        r.body
    );
    assert!(r.body.contains("<script src=\"/3ds/return.js\"></script>"));
    assert!(!r.body.contains("src_1"), "the page echoes nothing");
    let csp = r.header("content-security-policy").unwrap();
    assert_eq!(
        csp,
        format!(
            "default-src 'none'; script-src 'self'; base-uri 'none'; form-action 'none'; \
             frame-ancestors 'self' {}",
            sb.running.url()
        )
    );
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(r.header("x-frame-options"), None);
    for bad in [
        "/3ds/return",
        "/3ds/return?sourceId=src_1",
        "/3ds/return?sourceId=src_1&outcome=maybe",
        "/3ds/return?sourceId=&outcome=passed",
    ] {
        let r = sb.pcall("GET", bad, None).await;
        assert_eq!(r.status, 400, "{bad}");
        assert!(!r.body.contains("<script"));
    }
    let js = sb.pcall("GET", "/3ds/return.js", None).await;
    assert_eq!(js.status, 200);
    assert!(js
        .header("content-type")
        .unwrap()
        .starts_with("text/javascript"));
    assert!(js.body.contains("parent.postMessage("));
    assert!(js.body.contains("type: \"cw-3ds-return\""));
    assert!(js.body.contains("sourceId: sourceId, outcome: outcome"));
    assert!(js.body.contains("}, location.origin);"), "{}", js.body);
    assert!(!js.body.contains("\"*\""), "never to any origin");
    assert!(js.body.contains("new URLSearchParams(location.search)"));
}

#[tokio::test]
async fn faults_can_target_one_origin() {
    let sb = Sandbox::start(0).await;
    let c = sb.checkout("jdoe@example.com", "55343").await;
    let id = c["id"].as_str().unwrap();
    sb.fault(json!([
        {"origin": "payments", "method": "GET", "path": "/checkouts/*",
         "fault": {"kind": "status", "status": 500}},
        {"origin": "payments", "method": "POST", "path": "/sources",
         "fault": {"kind": "status", "status": 503, "retryAfter": 1}},
        {"origin": "payments", "method": "POST", "path": "/sources", "fault": {"kind": "close"}},
        {"origin": "acs", "method": "GET", "path": "/challenge",
         "fault": {"kind": "status", "status": 502, "body": "<h1>Bad Gateway</h1>",
                   "contentType": "text/html"}}
    ]))
    .await;
    // A payments rule does not touch the merchant API, and stays armed.
    let r = sb.call("GET", &format!("/api/checkouts/{id}"), None).await;
    assert_eq!(r.status, 200);
    let rules = sb.call("GET", "/__sandbox/faults", None).await.json();
    assert_eq!(rules.as_array().unwrap().len(), 4);
    assert_eq!(rules[0]["origin"], "payments");
    let r = sb.pay(&c, VISA, "123").await;
    assert_eq!(r.status, 503);
    assert_eq!(r.header("retry-after"), Some("1"));
    // The kill switch works on the payments listener too.
    let body = json!({"type": "creditCard", "sessionId": c["payment"]["session"]["id"],
        "creditCard": {"number": VISA, "expirationMonth": 7, "expirationYear": 2040, "cvv": "123"}});
    let closed = raw(
        sb.running.payments_addr,
        "POST",
        "/api/sources",
        Some(&body.to_string()),
        "",
    )
    .await;
    assert!(closed.is_none(), "expected no response, got {closed:?}");
    let (_, src) = sb.three_ds_source().await;
    let path = challenge_path(&sb, &src);
    let r = sb.acs("GET", &path, None).await;
    assert_eq!(r.status, 502);
    assert!(r.body.contains("Bad Gateway"));
    assert_eq!(sb.acs("GET", &path, None).await.status, 200, "used up");
    let left = sb.call("GET", "/__sandbox/faults", None).await.json();
    assert_eq!(left.as_array().unwrap().len(), 1, "{left}");
    assert_eq!(left[0]["path"], "/checkouts/*");
}

#[tokio::test]
async fn the_log_names_the_origin_of_every_request() {
    let sb = Sandbox::start(0).await;
    let (_, src) = sb.three_ds_source().await;
    let path = challenge_path(&sb, &src);
    sb.acs("GET", &path, None).await;
    sb.answer(
        src["id"].as_str().unwrap(),
        &token_of(&path),
        "password",
        "submit",
    )
    .await;
    sb.source(&src).await;
    let log = sb.log().await;
    let seen: Vec<(String, String, String)> = log
        .iter()
        .map(|e| {
            (
                e["origin"].as_str().unwrap().to_owned(),
                e["method"].as_str().unwrap().to_owned(),
                e["path"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let id = src["id"].as_str().unwrap();
    let want = [
        ("merchant", "POST", "/checkouts".to_owned()),
        ("payments", "POST", "/sources".to_owned()),
        ("acs", "GET", "/challenge".to_owned()),
        ("acs", "POST", "/challenge".to_owned()),
        ("payments", "GET", format!("/sources/{id}")),
    ];
    let want: Vec<(String, String, String)> = want
        .into_iter()
        .map(|(o, m, p)| (o.to_owned(), m.to_owned(), p))
        .collect();
    assert_eq!(seen, want);
    assert_eq!(log[1]["status"], 201);
    assert_eq!(log[3]["status"], 303);
    assert!(log[4]["query"]
        .as_str()
        .unwrap()
        .starts_with("clientSecret="));
}

#[tokio::test]
async fn single_origin_mode_serves_everything_on_one_origin() {
    let dist = Dist::new("single");
    let sb = Sandbox::with(Config {
        dist: Some(dist.0.clone()),
        control: true,
        ready_after: Duration::ZERO,
        ..Config::single_origin()
    })
    .await;
    let url = sb.running.url();
    assert_eq!(sb.running.payments_url(), url);
    assert_eq!(sb.running.acs_url(), url);
    assert_eq!(sb.running.payments_addr, sb.running.addr);
    let j = sb.call("GET", "/sandbox.json", None).await.json();
    assert_eq!(j["paymentsBase"], format!("{url}/api"));
    assert_eq!(j["acsOrigin"], url);
    let page = sb.call("GET", "/", None).await;
    assert_eq!(page.header("content-security-policy"), Some(sandbox::CSP));
    assert_eq!(sb.running.merchant_csp(), sandbox::CSP);
    let frame = sb
        .call(
            "GET",
            &format!("/card-frame.html?origin={}", enc(&url)),
            None,
        )
        .await;
    assert_eq!(frame.status, 200);
    assert_eq!(
        frame.header("content-security-policy").unwrap(),
        sandbox::csp::card_frame_csp(&url, &url)
    );
    assert_eq!(sb.call("GET", "/card-frame.html", None).await.status, 403);

    let c = sb.checkout("jdoe@example.com", "55343").await;
    let body = |card: &str| {
        json!({"type": "creditCard", "sessionId": c["payment"]["session"]["id"],
            "creditCard": {"number": card, "expirationMonth": 7, "expirationYear": 2040, "cvv": "123"}})
    };
    let visa = sb.call("POST", "/api/sources", Some(body(VISA))).await;
    assert_eq!(visa.status, 201, "{}", visa.body);
    let src = sb
        .call("POST", "/api/sources", Some(body(THREE_DS)))
        .await
        .json();
    let challenge = src["nextAction"]["data"]["challengeUrl"].as_str().unwrap();
    let prefix = format!(
        "{url}/acs/challenge?sourceId={}&token=",
        src["id"].as_str().unwrap()
    );
    assert!(challenge.starts_with(&prefix), "{challenge}");
    let page = sb.call("GET", &challenge[url.len()..], None).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("action=\"challenge\""),
        "posts to /acs/challenge"
    );
    assert_eq!(sb.call("GET", "/acs/acs.css", None).await.status, 200);
    let form = format!(
        "sourceId={}&token={}&password=password&action=submit",
        src["id"].as_str().unwrap(),
        token_of(challenge)
    );
    let r = raw(
        sb.running.addr,
        "POST",
        "/acs/challenge",
        Some(&form),
        "Content-Type: application/x-www-form-urlencoded\r\n",
    )
    .await
    .unwrap();
    assert_eq!(r.status, 303, "{}", r.body);
    let location = r.header("location").unwrap();
    assert!(location.starts_with(&format!("{url}/3ds/return?sourceId=")));
    assert_eq!(
        sb.call("GET", &location[url.len()..], None).await.status,
        200
    );
    let reread = format!(
        "/api/sources/{}?clientSecret={}",
        src["id"].as_str().unwrap(),
        src["clientSecret"].as_str().unwrap()
    );
    assert_eq!(
        sb.call("GET", &reread, None).await.json()["state"],
        "chargeable"
    );
    let a = sb.attach(&c, &src).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(sb.order(c["id"].as_str().unwrap()).await.status, 201);
    let origins: Vec<(String, String)> = sb
        .log()
        .await
        .iter()
        .map(|e| {
            (
                e["origin"].as_str().unwrap().into(),
                e["path"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(
        origins.contains(&("payments".into(), "/sources".into())),
        "{origins:?}"
    );
    assert!(
        origins.contains(&("acs".into(), "/challenge".into())),
        "{origins:?}"
    );
    assert!(
        origins.contains(&("merchant".into(), "/orders".into())),
        "{origins:?}"
    );
}

// Registered shoppers and their saved sources (issue 13).

const DEMO: &str = "cus_demo";
const DEMO_SOURCES: [&str; 4] = [
    "src_demo_visa",
    "src_demo_mastercard",
    "src_demo_amex_expired",
    "src_demo_3ds",
];

impl Sandbox {
    /// `GET /customers/{id}` on the merchant origin.
    async fn customer(&self, id: &str) -> Reply {
        self.call("GET", &format!("/api/customers/{id}"), None)
            .await
    }
    /// The ids of a customer's listed sources, in order.
    async fn saved_ids(&self, customer: &str) -> Vec<String> {
        let r = self.customer(customer).await;
        assert_eq!(r.status, 200, "{}", r.body);
        r.json()["sources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_owned())
            .collect()
    }
    /// One of a customer's listed sources (with its client secret).
    async fn saved(&self, customer: &str, id: &str) -> Value {
        let c = self.customer(customer).await.json();
        c["sources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap_or_else(|| panic!("{id} not listed in {c}"))
            .clone()
    }
    /// A checkout from the demo cart for a registered shopper.
    async fn checkout_for(&self, customer: &str) -> Value {
        let mut body = cart("jdoe@example.com", "55343");
        body["customerId"] = json!(customer);
        let c = self.create_checkout(body).await;
        assert_eq!(c["customerId"], customer);
        c
    }
    /// `POST /sources/{id}/authentications` on the payments origin, for the
    /// checkout's session.
    async fn authenticate(&self, source: &Value, checkout: &Value) -> Reply {
        let body = json!({"sessionId": checkout["payment"]["session"]["id"],
                          "clientSecret": source["clientSecret"]});
        self.pcall(
            "POST",
            &format!(
                "/api/sources/{}/authentications",
                source["id"].as_str().unwrap()
            ),
            Some(body),
        )
        .await
    }
    /// The status of an authentication that must answer 200.
    async fn auth_status(&self, source: &Value, checkout: &Value) -> Value {
        let r = self.authenticate(source, checkout).await;
        assert_eq!(r.status, 200, "{}", r.body);
        r.json()
    }
    async fn save(&self, customer: &str, source: &Value) -> Reply {
        let path = format!(
            "/api/customers/{customer}/sources/{}",
            source["id"].as_str().unwrap()
        );
        self.call("POST", &path, None).await
    }
    async fn remove(&self, customer: &str, source_id: &str) -> Reply {
        let path = format!("/api/customers/{customer}/sources/{source_id}");
        self.call("DELETE", &path, None).await
    }
    async fn get_checkout(&self, checkout: &Value) -> Reply {
        let path = format!("/api/checkouts/{}", checkout["id"].as_str().unwrap());
        self.call("GET", &path, None).await
    }
    /// Creates a customer through the control surface.
    async fn new_customer(&self, body: Value) -> Value {
        let r = self.call("POST", "/__sandbox/customers", Some(body)).await;
        assert_eq!(r.status, 201, "{}", r.body);
        r.json()
    }
}

/// Asserts a contract error with `status` and `code`.
fn assert_error(r: &Reply, status: u16, code: &str) {
    assert_eq!(r.status, status, "{}", r.body);
    assert_eq!(r.error()["code"], code, "{}", r.body);
    let kind = match status {
        400 => "bad_request",
        404 => "not_found",
        409 => "conflict",
        _ => unreachable!(),
    };
    assert_eq!(r.json()["type"], kind);
    assert!(r.error()["message"].as_str().is_some_and(|m| !m.is_empty()));
}

#[tokio::test]
async fn the_demo_customer_is_seeded_with_four_saved_cards() {
    // Also without the control surface: the demo page needs it.
    let sb = Sandbox::with(Config::default()).await;
    let r = sb.customer(DEMO).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let c = r.json();
    assert_eq!(c["id"], DEMO);
    assert_eq!(c["email"], "jdoe@example.com");
    assert_eq!(c["defaultSourceId"], "src_demo_visa");
    let sources = c["sources"].as_array().unwrap();
    let ids: Vec<&str> = sources.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, DEMO_SOURCES);
    let expected = [
        ("Visa", "1111", 7, 2030),
        ("MasterCard", "0008", 11, 2029),
        ("American Express", "2341", 1, 2024),
        ("MasterCard", "5454", 3, 2031),
    ];
    for (s, (brand, last4, month, year)) in sources.iter().zip(expected) {
        assert_eq!(s["reusable"], true, "{s}");
        assert_eq!(s["state"], "chargeable", "{s}");
        assert_eq!(s["type"], "creditCard");
        assert_eq!(s["customerId"], DEMO);
        let secret = s["clientSecret"].as_str().unwrap();
        assert!(
            secret.len() > s["id"].as_str().unwrap().len() + 4,
            "{secret}"
        );
        assert_eq!(
            s["creditCard"],
            json!({"brand": brand, "lastFourDigits": last4,
                   "expirationMonth": month, "expirationYear": year})
        );
        assert!(s.get("nextAction").is_none());
    }
    for full in ["4444222233331111", "5466160000000008", "5454545454545454"] {
        assert!(!r.body.contains(full), "only the last four come back");
    }
    let secrets: std::collections::HashSet<&str> = sources
        .iter()
        .map(|s| s["clientSecret"].as_str().unwrap())
        .collect();
    assert_eq!(secrets.len(), 4, "a secret per source");
    let missing = sb.customer("cus_nobody").await;
    assert_error(&missing, 404, "not_found");
    assert_eq!(missing.error()["parameter"], "customerId");
    // The payments origin does not serve merchant calls.
    assert_eq!(
        sb.pcall("GET", &format!("/api/customers/{DEMO}"), None)
            .await
            .status,
        404
    );
    assert_eq!(
        sb.call(
            "POST",
            "/__sandbox/customers",
            Some(json!({"email": "a@b.example"}))
        )
        .await
        .status,
        404,
        "no control surface"
    );
}

#[tokio::test]
async fn reset_restores_the_demo_customer() {
    let sb = Sandbox::start(0).await;
    let before = sb.saved(DEMO, "src_demo_visa").await;
    assert_eq!(sb.remove(DEMO, "src_demo_visa").await.status, 204);
    assert_eq!(sb.remove(DEMO, "src_demo_3ds").await.status, 204);
    sb.new_customer(json!({"id": "cus_temp", "email": "t@example.com"}))
        .await;
    assert_eq!(
        sb.saved_ids(DEMO).await,
        ["src_demo_mastercard", "src_demo_amex_expired"]
    );
    let r = sb.call("POST", "/__sandbox/reset", None).await;
    assert_eq!(r.status, 204);
    assert_eq!(sb.saved_ids(DEMO).await, DEMO_SOURCES);
    let c = sb.customer(DEMO).await.json();
    assert_eq!(c["defaultSourceId"], "src_demo_visa");
    assert_eq!(c["sources"][0]["state"], "chargeable");
    assert_eq!(c["sources"][0]["creditCard"], before["creditCard"]);
    assert_eq!(sb.customer("cus_temp").await.status, 404);
    // The in-process reset (the browser rig's) does the same.
    sb.remove(DEMO, "src_demo_visa").await;
    sb.running.shared.store().reset();
    assert_eq!(sb.saved_ids(DEMO).await, DEMO_SOURCES);
}

#[tokio::test]
async fn the_control_surface_creates_customers_with_saved_cards() {
    let sb = Sandbox::start(0).await;
    let c = sb
        .new_customer(json!({"email": "sam@example.com", "cards": [
            {"number": "4444 2222 3333 1111", "expirationMonth": 7, "expirationYear": 2040},
            {"number": "4000000000003600", "expirationMonth": 2, "expirationYear": 2041, "default": true},
            {"id": "src_sam_old", "number": "6011 9876 9876 9876", "expirationMonth": 12, "expirationYear": 2020}
        ]}))
        .await;
    let id = c["id"].as_str().unwrap();
    assert!(id.starts_with("cus_"), "{id}");
    assert_eq!(c["email"], "sam@example.com");
    let sources = c["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 3);
    assert_eq!(c["defaultSourceId"], sources[1]["id"]);
    assert_eq!(sources[1]["creditCard"]["lastFourDigits"], "3600");
    assert_eq!(sources[2]["id"], "src_sam_old");
    assert_eq!(sources[2]["creditCard"]["brand"], "Discover");
    assert_eq!(sources[2]["creditCard"]["expirationYear"], 2020);
    for s in sources {
        assert_eq!(s["reusable"], true);
        assert_eq!(s["state"], "chargeable");
        assert!(s["clientSecret"].is_string());
    }
    // Answered exactly as GET /customers/{id} answers it.
    assert_eq!(sb.customer(id).await.json(), c);

    // With an id, no default named: the first card is the default.
    let named = sb
        .new_customer(
            json!({"id": "cus_named", "email": "n@example.com", "cards": [
                {"number": "5466 1600 0000 0008", "expirationMonth": 1, "expirationYear": 2039},
                {"number": "4444 2222 3333 1111", "expirationMonth": 1, "expirationYear": 2039}
            ]}),
        )
        .await;
    assert_eq!(named["id"], "cus_named");
    assert_eq!(named["defaultSourceId"], named["sources"][0]["id"]);
    // No cards at all: an empty list and no default.
    let bare = sb.new_customer(json!({"email": "b@example.com"})).await;
    assert_eq!(bare["sources"], json!([]));
    assert_eq!(bare["defaultSourceId"], Value::Null);

    let post = |body: Value| sb.call("POST", "/__sandbox/customers", Some(body));
    let dup = post(json!({"id": "cus_named", "email": "n@example.com"})).await;
    assert_error(&dup, 409, "customer_exists");
    let dup_card = post(json!({"email": "d@example.com", "cards": [
        {"id": "src_demo_visa", "number": VISA, "expirationMonth": 1, "expirationYear": 2039}]}))
    .await;
    assert_error(&dup_card, 409, "source_exists");
    let no_email = post(json!({"cards": []})).await;
    assert_error(&no_email, 400, "missing_parameter");
    assert_eq!(no_email.error()["parameter"], "email");
    let bad_number = post(
        json!({"id": "cus_partial", "email": "x@example.com", "cards": [
        {"id": "src_partial", "number": VISA, "expirationMonth": 1, "expirationYear": 2039},
        {"number": "4444 2222 3333 1112", "expirationMonth": 1, "expirationYear": 2039}]}),
    )
    .await;
    assert_error(&bad_number, 400, "invalid_parameter");
    assert_eq!(bad_number.error()["parameter"], "cards[1].number");
    let bad_expiry = post(json!({"email": "x@example.com", "cards": [
        {"number": VISA, "expirationMonth": 13, "expirationYear": 2039}]}))
    .await;
    assert_eq!(bad_expiry.error()["parameter"], "cards[0].expirationMonth");
    let unusable = post(json!({"email": "x@example.com", "cards": [
        {"number": "4000 0000 0000 3295", "expirationMonth": 1, "expirationYear": 2039}]}))
    .await;
    assert_error(&unusable, 400, "source_failed");
    // A refused body creates nothing, not even its valid cards.
    assert_error(&sb.customer("cus_partial").await, 404, "not_found");
    let retry = sb
        .new_customer(
            json!({"id": "cus_partial", "email": "x@example.com", "cards": [
            {"id": "src_partial", "number": VISA, "expirationMonth": 1, "expirationYear": 2039}]}),
        )
        .await;
    assert_eq!(retry["sources"][0]["id"], "src_partial");

    // The Rust API of the in-process tests answers the same shape.
    let rust = sb
        .running
        .shared
        .store()
        .create_customer(
            &json!({"id": "cus_rust", "email": "r@example.com", "cards": [
            {"id": "src_rust_3ds", "number": "4917 6100 0000 0000",
             "expirationMonth": 5, "expirationYear": 2035, "default": true}]}),
        )
        .unwrap();
    assert_eq!(rust["defaultSourceId"], "src_rust_3ds");
    assert_eq!(sb.customer("cus_rust").await.json(), rust);
}

#[tokio::test]
async fn saving_a_new_card_adds_it_to_the_customer_and_it_still_pays_now() {
    let sb = Sandbox::start(0).await;
    let c = sb.checkout_for(DEMO).await;
    let src = sb.pay(&c, "6011 9876 9876 9876", "123").await.json();
    assert_eq!(src["reusable"], false);
    let r = sb.save(DEMO, &src).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let saved = r.json();
    assert_eq!(saved["id"], src["id"]);
    assert_eq!(saved["reusable"], true);
    assert_eq!(saved["state"], "chargeable");
    assert_eq!(saved["customerId"], DEMO);
    assert_eq!(saved["clientSecret"], src["clientSecret"]);
    // Saving again (a retry after a lost answer) is harmless.
    assert_eq!(sb.save(DEMO, &src).await.status, 200);
    let ids = sb.saved_ids(DEMO).await;
    assert_eq!(ids.len(), 5);
    assert_eq!(ids[4], src["id"].as_str().unwrap());
    let listed = sb.saved(DEMO, src["id"].as_str().unwrap()).await;
    assert_eq!(listed["creditCard"]["lastFourDigits"], "9876");

    // It pays on its own checkout right away, with no authentication.
    assert_eq!(sb.attach(&c, &src).await.status, 200);
    assert_eq!(sb.order(c["id"].as_str().unwrap()).await.status, 201);
    // Saved, so not consumed: still listed and usable on the next checkout.
    assert_eq!(sb.source(&src).await.json()["state"], "chargeable");
    let next = sb.checkout_for(DEMO).await;
    assert_eq!(
        sb.auth_status(&src, &next).await["status"],
        "authentication_not_required"
    );
    assert_eq!(sb.attach(&next, &src).await.status, 200);
    let order = sb.order(next["id"].as_str().unwrap()).await;
    assert_eq!(order.status, 201, "{}", order.body);
    assert_eq!(order.json()["payment"]["charges"][0]["sourceId"], src["id"]);
    assert_eq!(order.json()["totalAmount"], 53.4);

    // A customer without cards gets its first saved card as the default.
    let bare = sb
        .new_customer(json!({"id": "cus_bare", "email": "b@example.com"}))
        .await;
    assert_eq!(bare["defaultSourceId"], Value::Null);
    let c = sb.checkout_for("cus_bare").await;
    let src = sb.pay(&c, VISA, "123").await.json();
    assert_eq!(sb.save("cus_bare", &src).await.status, 200);
    assert_eq!(
        sb.customer("cus_bare").await.json()["defaultSourceId"],
        src["id"]
    );
}

#[tokio::test]
async fn saving_is_refused_for_cards_that_cannot_be_kept() {
    let sb = Sandbox::start(0).await;
    // Already used by an order.
    let c = sb.checkout_for(DEMO).await;
    let used = sb.pay(&c, VISA, "123").await.json();
    sb.attach(&c, &used).await;
    assert_eq!(sb.order(c["id"].as_str().unwrap()).await.status, 201);
    assert_error(&sb.save(DEMO, &used).await, 409, "nonreusable_source");
    // From a guest checkout, and from another customer's.
    let guest = sb.checkout("jdoe@example.com", "55343").await;
    let g = sb.pay(&guest, VISA, "123").await.json();
    assert_error(&sb.save(DEMO, &g).await, 409, "nonreusable_source");
    sb.new_customer(json!({"id": "cus_other", "email": "o@example.com"}))
        .await;
    let theirs = sb.checkout_for("cus_other").await;
    let t = sb.pay(&theirs, VISA, "123").await.json();
    assert_error(&sb.save(DEMO, &t).await, 409, "nonreusable_source");
    // Another customer's saved card cannot be saved again elsewhere.
    assert_eq!(sb.save("cus_other", &t).await.status, 200);
    assert_error(&sb.save(DEMO, &t).await, 409, "nonreusable_source");
    let demo_visa = json!({"id": "src_demo_visa"});
    assert_error(
        &sb.save("cus_other", &demo_visa).await,
        409,
        "nonreusable_source",
    );
    // Not chargeable yet (3-D Secure pending), or failed.
    let c = sb.checkout_for(DEMO).await;
    let pending = sb.pay(&c, THREE_DS, "123").await.json();
    assert_error(&sb.save(DEMO, &pending).await, 409, "source_not_chargeable");
    let token = token_of(&challenge_path(&sb, &pending));
    sb.answer(pending["id"].as_str().unwrap(), &token, "wrong", "submit")
        .await;
    assert_eq!(sb.source(&pending).await.json()["state"], "failed");
    assert_error(&sb.save(DEMO, &pending).await, 409, "source_not_chargeable");
    // Unknown customer or source.
    let c = sb.checkout_for(DEMO).await;
    let fine = sb.pay(&c, VISA, "123").await.json();
    assert_error(&sb.save("cus_nobody", &fine).await, 404, "not_found");
    assert_error(
        &sb.save(DEMO, &json!({"id": "src_nope"})).await,
        404,
        "not_found",
    );
    // None of the refused ones joined the list.
    assert_eq!(sb.saved_ids(DEMO).await, DEMO_SOURCES);
    // A 3-D Secure card saved once its challenge passed pays on its session.
    let c = sb.checkout_for(DEMO).await;
    let three = sb.pay(&c, THREE_DS, "123").await.json();
    let token = token_of(&challenge_path(&sb, &three));
    sb.answer(three["id"].as_str().unwrap(), &token, "password", "submit")
        .await;
    assert_eq!(sb.save(DEMO, &three).await.status, 200);
    assert_eq!(sb.auth_status(&three, &c).await["status"], "complete");
    assert_eq!(sb.attach(&c, &three).await.status, 200);
    assert_eq!(sb.order(c["id"].as_str().unwrap()).await.status, 201);
}

#[tokio::test]
async fn removing_a_saved_card_cancels_it_and_takes_it_off_the_list() {
    let sb = Sandbox::start(0).await;
    let visa = sb.saved(DEMO, "src_demo_visa").await;
    // Attached to an open checkout, then removed: the checkout needs a card again.
    let c = sb.checkout_for(DEMO).await;
    sb.auth_status(&visa, &c).await;
    assert_eq!(sb.attach(&c, &visa).await.status, 200);
    assert_eq!(
        sb.get_checkout(&c).await.json()["payment"]["session"]["state"],
        "requires_confirmation"
    );
    let r = sb.remove(DEMO, "src_demo_visa").await;
    assert_eq!(r.status, 204, "{}", r.body);
    assert!(r.body.is_empty());
    let now = sb.customer(DEMO).await.json();
    assert_eq!(
        sb.saved_ids(DEMO).await,
        [
            "src_demo_mastercard",
            "src_demo_amex_expired",
            "src_demo_3ds"
        ]
    );
    // The default moves to the next usable card.
    assert_eq!(now["defaultSourceId"], "src_demo_mastercard");
    assert_eq!(sb.source(&visa).await.json()["state"], "cancelled");
    let after = sb.get_checkout(&c).await.json();
    assert_eq!(after["payment"]["sources"], json!([]));
    assert_eq!(after["payment"]["session"]["state"], "requires_source");
    assert_error(
        &sb.order(c["id"].as_str().unwrap()).await,
        400,
        "order_submit_failed",
    );
    // A removed card can neither authenticate nor attach.
    let fresh = sb.checkout_for(DEMO).await;
    assert_error(
        &sb.authenticate(&visa, &fresh).await,
        409,
        "source_not_chargeable",
    );
    assert_error(
        &sb.attach(&fresh, &visa).await,
        409,
        "source_not_chargeable",
    );
    // Removing it again is harmless (a retry after a lost answer).
    assert_eq!(sb.remove(DEMO, "src_demo_visa").await.status, 204);

    // Not this customer's: 404, and nothing changes.
    sb.new_customer(
        json!({"id": "cus_other", "email": "o@example.com", "cards": [
        {"id": "src_other", "number": VISA, "expirationMonth": 1, "expirationYear": 2039}]}),
    )
    .await;
    assert_error(&sb.remove(DEMO, "src_other").await, 404, "not_found");
    assert_error(
        &sb.remove("cus_other", "src_demo_mastercard").await,
        404,
        "not_found",
    );
    assert_error(&sb.remove(DEMO, "src_nope").await, 404, "not_found");
    assert_error(
        &sb.remove("cus_nobody", "src_demo_mastercard").await,
        404,
        "not_found",
    );
    let guest = sb.checkout("jdoe@example.com", "55343").await;
    let single = sb.pay(&guest, VISA, "123").await.json();
    assert_error(
        &sb.remove(DEMO, single["id"].as_str().unwrap()).await,
        404,
        "not_found",
    );
    assert_eq!(sb.saved_ids("cus_other").await, ["src_other"]);
    assert_eq!(sb.saved_ids(DEMO).await.len(), 3);
    assert_eq!(sb.source(&single).await.json()["state"], "chargeable");
}

#[tokio::test]
async fn saved_cards_authenticate_only_on_their_customers_checkouts() {
    let sb = Sandbox::start(0).await;
    let visa = sb.saved(DEMO, "src_demo_visa").await;
    let c = sb.checkout_for(DEMO).await;
    // Not authenticated on this session yet: the attach is refused.
    let early = sb.attach(&c, &visa).await;
    assert_error(&early, 409, "source_not_chargeable");
    let r = sb.auth_status(&visa, &c).await;
    assert_eq!(r, json!({"status": "authentication_not_required"}));
    // Asking again answers the same.
    assert_eq!(sb.auth_status(&visa, &c).await, r);
    let a = sb.attach(&c, &visa).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.json()["reusable"], true);
    assert_eq!(a.json()["amount"], 53.4);
    let checkout = sb.get_checkout(&c).await.json();
    assert_eq!(checkout["payment"]["sources"][0]["id"], "src_demo_visa");
    assert_eq!(checkout["payment"]["sources"][0]["amount"], 53.4);
    assert_eq!(
        checkout["payment"]["session"]["amountRemainingToBeContributed"],
        0.0
    );
    // Authenticated on one session does not mean on another.
    let other = sb.checkout_for(DEMO).await;
    assert_error(
        &sb.attach(&other, &visa).await,
        409,
        "source_not_chargeable",
    );

    // Wrong secret, missing or unknown session.
    let mut wrong = visa.clone();
    wrong["clientSecret"] = json!("src_demo_visa_nope");
    assert_error(&sb.authenticate(&wrong, &c).await, 404, "not_found");
    let path = "/api/sources/src_demo_visa/authentications";
    let no_session = sb
        .pcall(
            "POST",
            path,
            Some(json!({"clientSecret": visa["clientSecret"]})),
        )
        .await;
    assert_error(&no_session, 400, "missing_parameter");
    assert_eq!(no_session.error()["parameter"], "sessionId");
    let unknown = sb
        .pcall(
            "POST",
            path,
            Some(json!({"sessionId": "ses_nope", "clientSecret": visa["clientSecret"]})),
        )
        .await;
    assert_error(&unknown, 400, "invalid_parameter");
    // A guest's checkout, or another customer's.
    let guest = sb.checkout("jdoe@example.com", "55343").await;
    assert_error(&sb.authenticate(&visa, &guest).await, 409, "source_in_use");
    assert_error(
        &sb.attach(&guest, &visa).await,
        409,
        "source_not_chargeable",
    );
    sb.new_customer(json!({"id": "cus_other", "email": "o@example.com"}))
        .await;
    let theirs = sb.checkout_for("cus_other").await;
    assert_error(&sb.authenticate(&visa, &theirs).await, 409, "source_in_use");
    // An expired card is listed but cannot be used.
    let amex = sb.saved(DEMO, "src_demo_amex_expired").await;
    assert_eq!(amex["state"], "chargeable");
    assert_error(&sb.authenticate(&amex, &c).await, 409, "source_expired");
    assert_error(&sb.attach(&c, &amex).await, 409, "source_expired");

    // The authenticated one pays; it stays saved and usable.
    let order = sb.order(c["id"].as_str().unwrap()).await;
    assert_eq!(order.status, 201, "{}", order.body);
    assert_eq!(sb.saved_ids(DEMO).await, DEMO_SOURCES);
    assert_eq!(sb.source(&visa).await.json()["state"], "chargeable");
    // The card frame's re-read answers the saved source too.
    assert_eq!(sb.source(&visa).await.json()["reusable"], true);
}

#[tokio::test]
async fn a_saved_three_d_secure_card_is_challenged_on_each_session() {
    let sb = Sandbox::start(0).await;
    let pay = sb.running.payments_url();
    let card = sb.saved(DEMO, "src_demo_3ds").await;
    let c = sb.checkout_for(DEMO).await;
    let r = sb.auth_status(&card, &c).await;
    assert_eq!(r["status"], "requires_action", "{r}");
    let mut as_source = r.clone();
    as_source["id"] = json!("src_demo_3ds");
    as_source["state"] = json!("requires_action");
    let path = challenge_path(&sb, &as_source);
    // Asking again before the challenge ends answers the same challenge.
    assert_eq!(sb.auth_status(&card, &c).await, r);
    assert_error(&sb.attach(&c, &card).await, 409, "source_not_chargeable");
    // The same ACS page as for a new card, with this checkout's amount.
    let page = sb.acs("GET", &path, None).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("ending in 5454"), "{}", page.body);
    assert!(page.body.contains("53.40 USD"), "{}", page.body);
    // The saved card itself stays chargeable meanwhile.
    assert_eq!(sb.source(&card).await.json()["state"], "chargeable");
    let token = token_of(&path);
    let done = sb
        .answer("src_demo_3ds", &token, "password", "submit")
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(
        done.header("location").unwrap(),
        format!("{pay}/3ds/return?sourceId=src_demo_3ds&outcome=passed")
    );
    assert_eq!(sb.acs("GET", &path, None).await.status, 400, "token spent");
    assert_eq!(
        sb.auth_status(&card, &c).await,
        json!({"status": "complete"})
    );
    assert_eq!(sb.attach(&c, &card).await.status, 200);
    let order = sb.order(c["id"].as_str().unwrap()).await;
    assert_eq!(order.status, 201, "{}", order.body);

    // A new session needs its own challenge: cancel it, then fail it.
    let next = sb.checkout_for(DEMO).await;
    let r = sb.auth_status(&card, &next).await;
    assert_eq!(r["status"], "requires_action");
    let url = r["nextAction"]["data"]["challengeUrl"].as_str().unwrap();
    let first = token_of(url);
    assert_ne!(first, token);
    let cancel = sb.answer("src_demo_3ds", &first, "", "cancel").await;
    assert_eq!(
        cancel.header("location").unwrap(),
        format!("{pay}/3ds/return?sourceId=src_demo_3ds&outcome=cancelled")
    );
    let again = sb.auth_status(&card, &next).await;
    assert_eq!(
        again["status"], "requires_action",
        "abandoned: still requires_action"
    );
    let second = token_of(
        again["nextAction"]["data"]["challengeUrl"]
            .as_str()
            .unwrap(),
    );
    assert_ne!(second, first, "a fresh challenge");
    assert_eq!(
        sb.answer("src_demo_3ds", &first, "password", "submit")
            .await
            .status,
        400
    );
    let failed = sb
        .answer("src_demo_3ds", &second, "hunter2", "submit")
        .await;
    assert_eq!(
        failed.header("location").unwrap(),
        format!("{pay}/3ds/return?sourceId=src_demo_3ds&outcome=failed")
    );
    assert_eq!(
        sb.auth_status(&card, &next).await,
        json!({"status": "failed"})
    );
    assert_error(&sb.attach(&next, &card).await, 409, "source_not_chargeable");
    // A failed challenge on one session leaves the saved card itself usable.
    assert_eq!(sb.saved(DEMO, "src_demo_3ds").await["state"], "chargeable");
    let third = sb.checkout_for(DEMO).await;
    assert_eq!(
        sb.auth_status(&card, &third).await["status"],
        "requires_action"
    );
    // A token of one session's challenge does not pass another's.
    assert_eq!(
        sb.answer("src_demo_3ds", &second, "password", "submit")
            .await
            .status,
        400
    );
    assert_eq!(sb.auth_status(&card, &next).await["status"], "failed");
}

#[tokio::test]
async fn a_saved_card_on_another_customers_checkout_is_refused_at_the_order() {
    let sb = Sandbox::start(0).await;
    let visa = sb.saved(DEMO, "src_demo_visa").await;
    let c = sb.checkout_for(DEMO).await;
    let id = c["id"].as_str().unwrap();
    sb.auth_status(&visa, &c).await;
    assert_eq!(sb.attach(&c, &visa).await.status, 200);
    // The checkout changes hands after the card was attached.
    let r = sb
        .call(
            "POST",
            &format!("/api/checkouts/{id}"),
            Some(json!({"customerId": "cus_other"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.json()["payment"]["session"]["state"],
        "requires_confirmation"
    );
    let order = sb.order(id).await;
    assert_error(&order, 409, "source_in_use");
    // The 409 path: the checkout is dead.
    assert_error(&sb.order(id).await, 409, "failed-request");
    assert!(sb.orders_for(id).await.is_empty());
    assert_error(&sb.attach(&c, &visa).await, 409, "failed-request");
    // The card itself is untouched.
    assert_eq!(sb.saved(DEMO, "src_demo_visa").await["state"], "chargeable");
}

#[tokio::test]
async fn a_saved_decline_card_declines_at_the_order_like_a_typed_one() {
    let sb = Sandbox::start(0).await;
    let cus = sb
        .new_customer(
            json!({"id": "cus_decline", "email": "d@example.com", "cards": [
            {"id": "src_decline", "number": "4000 0000 0000 3600",
             "expirationMonth": 4, "expirationYear": 2039}]}),
        )
        .await;
    let card = cus["sources"][0].clone();
    let c = sb.checkout_for("cus_decline").await;
    assert_eq!(
        sb.auth_status(&card, &c).await["status"],
        "authentication_not_required"
    );
    assert_eq!(sb.attach(&c, &card).await.status, 200);
    let id = c["id"].as_str().unwrap();
    assert_error(&sb.order(id).await, 409, "failed-request");
    assert!(sb.orders_for(id).await.is_empty());
    // A fresh checkout carries the customerId; the saved card is still listed
    // (and would decline again).
    let checkout = sb.get_checkout(&c).await.json();
    let mut body = cart("d@example.com", "55343");
    body["customerId"] = checkout["customerId"].clone();
    let fresh = sb.create_checkout(body).await;
    assert_eq!(fresh["customerId"], "cus_decline");
    assert_eq!(sb.saved_ids("cus_decline").await, ["src_decline"]);
    assert_eq!(
        sb.auth_status(&card, &fresh).await["status"],
        "authentication_not_required"
    );
    assert_eq!(sb.attach(&fresh, &card).await.status, 200);
    assert_error(
        &sb.order(fresh["id"].as_str().unwrap()).await,
        409,
        "failed-request",
    );
}

#[tokio::test]
async fn a_checkout_that_produced_an_order_is_gone_but_its_order_is_found() {
    let sb = Sandbox::start(0).await;
    let visa = sb.saved(DEMO, "src_demo_visa").await;
    let c = sb.checkout_for(DEMO).await;
    let id = c["id"].as_str().unwrap();
    let live = sb.get_checkout(&c).await;
    assert_eq!(live.status, 200);
    assert_eq!(live.json()["customerId"], DEMO);
    sb.auth_status(&visa, &c).await;
    sb.attach(&c, &visa).await;
    let order = sb.order(id).await;
    assert_eq!(order.status, 201, "{}", order.body);
    let gone = sb.get_checkout(&c).await;
    assert_error(&gone, 404, "not_found");
    assert_eq!(gone.error()["parameter"], "checkoutId");
    let update = sb
        .call(
            "POST",
            &format!("/api/checkouts/{id}"),
            Some(json!({"email": "x@example.com"})),
        )
        .await;
    assert_error(&update, 404, "not_found");
    assert_error(&sb.attach(&c, &visa).await, 404, "not_found");
    assert_error(&sb.authenticate(&visa, &c).await, 404, "not_found");
    let found = sb.orders_for(id).await;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["id"], order.json()["id"]);
    assert_eq!(found[0]["checkoutId"], id);
    // The in-process API agrees.
    assert!(sb.running.shared.store().get_checkout(id).is_err());
}

// Playing only the provider, behind a merchant backend: the secret key, the
// provider-only merchant origin, `/store.json`.

const SECRET: &str = "sk_test_sandbox_1";

/// The body of a call refused for want of the secret key (as JSON: key order aside).
const UNAUTHORIZED: &str = r#"{"type":"unauthorized","errors":[{"code":"unauthorized","message":"A valid secret key is required."}]}"#;

impl Sandbox {
    /// A call to `addr` with `Authorization: <authorization>` when given.
    async fn call_auth(
        &self,
        addr: SocketAddr,
        authorization: Option<&str>,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Reply {
        let b = body.map(|b| b.to_string());
        let extra = authorization
            .map(|a| format!("Authorization: {a}\r\n"))
            .unwrap_or_default();
        raw(addr, method, path, b.as_deref(), &extra)
            .await
            .unwrap_or_else(|| panic!("{method} {path}: connection closed without a response"))
    }
    /// A call to the merchant origin with the secret key.
    async fn keyed(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        let auth = format!("Bearer {SECRET}");
        self.call_auth(self.running.addr, Some(&auth), method, path, body)
            .await
    }
}

/// Asserts the secret key's 401, body byte for byte.
fn assert_unauthorized(r: &Reply) {
    assert_eq!(r.status, 401, "{}", r.body);
    assert_eq!(
        r.json(),
        serde_json::from_str::<Value>(UNAUTHORIZED).unwrap()
    );
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn the_secret_key_guards_every_merchant_api_call() {
    let sb = Sandbox::with(Config {
        control: true,
        ready_after: Duration::ZERO,
        secret_key: Some(SECRET.into()),
        ..Config::default()
    })
    .await;
    let addr = sb.running.addr;
    let calls: [(&str, &str, Option<Value>); 9] = [
        (
            "POST",
            "/api/checkouts",
            Some(cart("jdoe@example.com", "55343")),
        ),
        ("GET", "/api/checkouts/chk_1", None),
        ("POST", "/api/checkouts/chk_1", Some(json!({}))),
        ("POST", "/api/checkouts/chk_1/sources/src_1", None),
        ("POST", "/api/orders", Some(json!({"checkoutId": "chk_1"}))),
        ("GET", "/api/orders?checkoutId=chk_1", None),
        ("GET", &format!("/api/customers/{DEMO}"), None),
        (
            "POST",
            &format!("/api/customers/{DEMO}/sources/src_demo_visa"),
            None,
        ),
        (
            "DELETE",
            &format!("/api/customers/{DEMO}/sources/src_demo_visa"),
            None,
        ),
    ];
    let wrong = [
        None,
        Some(String::new()),
        Some("Bearer".to_owned()),
        Some("Bearer ".to_owned()),
        Some(SECRET.to_owned()),
        Some(format!("bearer {SECRET}")),
        Some(format!("Bearer  {SECRET}")),
        Some(format!("Bearer {SECRET}x")),
        Some(format!("Bearer {}", &SECRET[..SECRET.len() - 1])),
        Some(format!("Bearer {}", SECRET.to_uppercase())),
        Some(format!("Basic {SECRET}")),
        Some("Bearer pk_test_sandbox_1".to_owned()),
    ];
    for (method, path, body) in &calls {
        for auth in &wrong {
            let r = sb
                .call_auth(addr, auth.as_deref(), method, path, body.clone())
                .await;
            assert_unauthorized(&r);
        }
    }
    // Two Authorization headers, even with one right, are refused.
    let twice = format!("Authorization: Bearer {SECRET}\r\nAuthorization: Bearer nope\r\n");
    let r = raw(addr, "GET", "/api/orders", None, &twice).await.unwrap();
    assert_unauthorized(&r);
    // Unknown paths and methods of the merchant API too: nothing leaks unkeyed.
    assert_unauthorized(&sb.call("GET", "/api/nothing-here", None).await);
    assert_unauthorized(&sb.call("PUT", "/api/orders", None).await);
    assert_error(
        &sb.keyed("GET", "/api/nothing-here", None).await,
        404,
        "not_found",
    );
    assert_eq!(sb.keyed("PUT", "/api/orders", None).await.status, 405);
    // Without dist/ the API is served at / too, keyed the same way.
    assert_unauthorized(&sb.call("GET", &format!("/customers/{DEMO}"), None).await);
    assert_eq!(
        sb.keyed("GET", &format!("/customers/{DEMO}"), None)
            .await
            .status,
        200
    );
    // Nothing was processed: no checkout, and the demo card is still saved.
    assert!(sb.running.shared.store().get_checkout("chk_1").is_err());
    let demo = sb
        .keyed("GET", &format!("/api/customers/{DEMO}"), None)
        .await;
    assert_eq!(demo.status, 200, "{}", demo.body);
    assert!(demo.body.contains("src_demo_visa"));

    // With the key, the whole flow; the card frame's calls need no key.
    let r = sb
        .keyed(
            "POST",
            "/api/checkouts",
            Some(cart("jdoe@example.com", "55343")),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let c = r.json();
    let id = c["id"].as_str().unwrap().to_owned();
    let src = sb.pay(&c, VISA, "123").await;
    assert_eq!(src.status, 201, "{}", src.body);
    let src = src.json();
    let reread = format!(
        "/api/sources/{}?clientSecret={}",
        src["id"].as_str().unwrap(),
        src["clientSecret"].as_str().unwrap()
    );
    assert_eq!(sb.pcall("GET", &reread, None).await.status, 200);
    let attach = format!(
        "/api/checkouts/{id}/sources/{}",
        src["id"].as_str().unwrap()
    );
    assert_unauthorized(&sb.call("POST", &attach, None).await);
    assert_eq!(sb.keyed("POST", &attach, None).await.status, 200);
    let order = sb
        .keyed("POST", "/api/orders", Some(json!({"checkoutId": id})))
        .await;
    assert_eq!(order.status, 201, "{}", order.body);
    let listed = sb
        .keyed("GET", &format!("/api/orders?checkoutId={id}"), None)
        .await;
    assert_eq!(listed.json()["data"][0]["id"], order.json()["id"]);
    // Neither the other origins, the page data nor the control surface need it.
    assert_eq!(sb.call("GET", "/sandbox.json", None).await.status, 200);
    assert_eq!(sb.call("GET", "/store.json", None).await.status, 200);
    assert_eq!(sb.acs("GET", "/acs.css", None).await.status, 200);

    // Refused calls are logged like the others, with what they carried.
    let log = sb.log().await;
    let refused: Vec<&Value> = log.iter().filter(|e| e["status"] == 401).collect();
    assert_eq!(refused.len(), calls.len() * wrong.len() + 5, "{log:?}");
    assert!(refused.iter().all(|e| e["origin"] == "merchant"));
    let first = refused[0];
    assert_eq!(
        (&first["method"], &first["path"]),
        (&json!("POST"), &json!("/checkouts"))
    );
    assert_eq!(first["authorization"], Value::Null);
    assert_eq!(first["json"]["email"], "jdoe@example.com");
    assert!(refused
        .iter()
        .any(|e| e["authorization"] == format!("bearer {SECRET}")));
    let attached = log
        .iter()
        .filter(|e| e["path"] == attach["/api".len()..])
        .map(|e| (e["status"].as_u64().unwrap(), e["authorization"].clone()))
        .collect::<Vec<_>>();
    assert_eq!(
        attached,
        [(401, Value::Null), (200, json!(format!("Bearer {SECRET}")))]
    );
    let sources: Vec<&Value> = log.iter().filter(|e| e["path"] == "/sources").collect();
    assert_eq!(sources.len(), 1);
    assert_eq!(
        (&sources[0]["origin"], &sources[0]["status"]),
        (&json!("payments"), &json!(201))
    );
}

#[tokio::test]
async fn a_refused_call_takes_no_fault() {
    let sb = Sandbox::with(Config {
        control: true,
        secret_key: Some(SECRET.into()),
        ..Config::default()
    })
    .await;
    sb.fault(
        json!({"method": "GET", "path": "/orders", "fault": {"kind": "status", "status": 503}}),
    )
    .await;
    assert_unauthorized(&sb.call("GET", "/api/orders", None).await);
    assert_eq!(sb.keyed("GET", "/api/orders", None).await.status, 503);
    assert_eq!(sb.keyed("GET", "/api/orders", None).await.status, 200);
    let log = sb.log().await;
    let seen: Vec<(u64, bool)> = log
        .iter()
        .map(|e| (e["status"].as_u64().unwrap(), e["fault"].is_null()))
        .collect();
    assert_eq!(seen, [(401, true), (503, false), (200, true)]);
}

#[tokio::test]
async fn without_a_secret_key_the_merchant_api_stays_open() {
    let sb = Sandbox::with(Config::default()).await;
    assert_eq!(sb.running.shared.config.secret_key, None);
    let r = sb
        .call(
            "POST",
            "/api/checkouts",
            Some(cart("jdoe@example.com", "55343")),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    // Whatever a caller sends is not checked.
    let r = sb
        .call_auth(
            sb.running.addr,
            Some("Bearer anything"),
            "GET",
            "/api/orders",
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
async fn in_single_origin_mode_the_card_frame_calls_need_no_secret_key() {
    let dist = Dist::new("single-keyed");
    let sb = Sandbox::with(Config {
        dist: Some(dist.0.clone()),
        control: true,
        ready_after: Duration::ZERO,
        secret_key: Some(SECRET.into()),
        ..Config::single_origin()
    })
    .await;
    let url = sb.running.url();
    let r = sb
        .keyed(
            "POST",
            "/api/checkouts",
            Some(cart("jdoe@example.com", "55343")),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let c = r.json();
    assert_unauthorized(
        &sb.call(
            "GET",
            &format!("/api/checkouts/{}", c["id"].as_str().unwrap()),
            None,
        )
        .await,
    );
    // POST /sources, its re-read and authentications, on the merchant origin.
    let src = sb
        .call("POST", "/api/sources", Some(json!({
            "type": "creditCard", "sessionId": c["payment"]["session"]["id"],
            "creditCard": {"number": THREE_DS, "expirationMonth": 7, "expirationYear": 2040, "cvv": "123"}
        })))
        .await;
    assert_eq!(src.status, 201, "{}", src.body);
    let src = src.json();
    let src_id = src["id"].as_str().unwrap();
    let reread = format!(
        "/api/sources/{src_id}?clientSecret={}",
        src["clientSecret"].as_str().unwrap()
    );
    assert_eq!(sb.call("GET", &reread, None).await.status, 200);
    let auth = sb
        .call(
            "POST",
            &format!("/api/sources/{src_id}/authentications"),
            Some(json!({"sessionId": c["payment"]["session"]["id"],
                        "clientSecret": src["clientSecret"]})),
        )
        .await;
    assert_eq!(auth.status, 200, "{}", auth.body);
    // The ACS and the payments pages neither.
    let challenge = src["nextAction"]["data"]["challengeUrl"].as_str().unwrap();
    assert_eq!(
        sb.call("GET", &challenge[url.len()..], None).await.status,
        200
    );
    let ret = format!("/3ds/return?sourceId={src_id}&outcome=passed");
    assert_eq!(sb.call("GET", &ret, None).await.status, 200);
    let frame = format!("/card-frame.html?origin={}", enc(&url));
    assert_eq!(sb.call("GET", &frame, None).await.status, 200);
    // The merchant calls do.
    let attach = format!(
        "/api/checkouts/{}/sources/{src_id}",
        c["id"].as_str().unwrap()
    );
    assert_unauthorized(&sb.call("POST", &attach, None).await);
    let log = sb.log().await;
    let statuses: Vec<(String, String, u64)> = log
        .iter()
        .map(|e| {
            (
                e["origin"].as_str().unwrap().into(),
                e["path"].as_str().unwrap().into(),
                e["status"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(
        statuses.contains(&("payments".into(), "/sources".into(), 201)),
        "{statuses:?}"
    );
    assert!(
        statuses.contains(&("merchant".into(), attach["/api".len()..].into(), 401)),
        "{statuses:?}"
    );
    assert!(statuses
        .iter()
        .filter(|(o, _, _)| o != "merchant")
        .all(|(_, _, s)| *s != 401));
}

#[tokio::test]
async fn provider_only_the_merchant_origin_serves_just_the_api() {
    let dist = Dist::new("provider-only");
    let sb = Sandbox::with(Config {
        dist: Some(dist.0.clone()),
        control: true,
        merchant_pages: false,
        ..Config::default()
    })
    .await;
    let url = sb.running.url();
    for path in [
        "/".to_owned(),
        "/index.html".to_owned(),
        "/checkout-widget_bg.wasm".to_owned(),
        "/sandbox.json".to_owned(),
        "/store.json".to_owned(),
        "/card-frame.html".to_owned(),
        format!("/card-frame.html?origin={}", enc(&url)),
        "/acs/challenge".to_owned(),
    ] {
        let r = sb.call("GET", &path, None).await;
        assert_error(&r, 404, "not_found");
        assert!(!r.body.contains("<title>"), "{path}: {}", r.body);
        assert!(
            !r.body.contains(&sb.running.payments_url()),
            "{path}: no notice"
        );
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    }
    // The API under /api only, the control surface as configured.
    let api = sb
        .call(
            "POST",
            "/api/checkouts",
            Some(json!({"items": [{"skuId": "sku_mug"}]})),
        )
        .await;
    assert_eq!(api.status, 201, "{}", api.body);
    assert_eq!(api.header("cache-control"), Some("no-store"));
    assert_error(
        &sb.call("GET", "/api/nothing-here", None).await,
        404,
        "not_found",
    );
    assert_eq!(sb.call("GET", "/__sandbox/log", None).await.status, 200);
    // The payments origin still serves dist/ and the card frame.
    let pay = sb.pcall("GET", "/", None).await;
    assert_eq!(pay.status, 200);
    assert!(pay.body.contains("<title>t</title>"));
    let frame = sb
        .pcall(
            "GET",
            &format!("/card-frame.html?origin={}", enc(&url)),
            None,
        )
        .await;
    assert_eq!(frame.status, 200, "{}", frame.body);
    assert!(frame.body.contains("card frame stub"));
    assert_eq!(
        sb.pcall("GET", "/checkout-widget_bg.wasm", None)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn provider_only_without_dist_or_control() {
    let sb = Sandbox::with(Config {
        merchant_pages: false,
        secret_key: Some(SECRET.into()),
        ..Config::default()
    })
    .await;
    // Not at / as it is without dist/ otherwise: under /api only.
    let root = sb
        .keyed(
            "POST",
            "/checkouts",
            Some(json!({"items": [{"skuId": "sku_mug"}]})),
        )
        .await;
    assert_error(&root, 404, "not_found");
    let api = sb
        .keyed(
            "POST",
            "/api/checkouts",
            Some(json!({"items": [{"skuId": "sku_mug"}]})),
        )
        .await;
    assert_eq!(api.status, 201, "{}", api.body);
    assert_unauthorized(&sb.call("GET", "/api/orders", None).await);
    for path in [
        "/sandbox.json",
        "/store.json",
        "/__sandbox/log",
        "/card-frame.html",
    ] {
        assert_error(&sb.keyed("GET", path, None).await, 404, "not_found");
    }
}

#[tokio::test]
async fn provider_only_in_single_origin_mode_keeps_the_payments_side() {
    let dist = Dist::new("provider-single");
    let sb = Sandbox::with(Config {
        dist: Some(dist.0.clone()),
        merchant_pages: false,
        allowed_origins: vec!["http://shop.example:8080".into()],
        ..Config::single_origin()
    })
    .await;
    // Not found in dist/ either, as on the payments origin.
    assert_eq!(sb.call("GET", "/sandbox.json", None).await.status, 404);
    assert_eq!(sb.call("GET", "/store.json", None).await.status, 404);
    // The card frame, for the merchant backend's origin, and the bundle it loads.
    let frame = sb
        .call(
            "GET",
            "/card-frame.html?origin=http%3A%2F%2Fshop.example%3A8080",
            None,
        )
        .await;
    assert_eq!(frame.status, 200, "{}", frame.body);
    assert!(frame.body.contains("card frame stub"));
    assert_eq!(
        frame.header("content-security-policy").unwrap(),
        sandbox::csp::card_frame_csp(&sb.running.url(), "http://shop.example:8080")
    );
    let wasm = sb.call("GET", "/checkout-widget_bg.wasm", None).await;
    assert_eq!(wasm.status, 200);
    assert_eq!(wasm.header("content-type"), Some("application/wasm"));
    // Any other page is the payments origin's: nobody may frame it, and it is
    // not given the merchant pages' policy.
    let page = sb.call("GET", "/", None).await;
    assert_eq!(page.status, 200);
    let csp = page.header("content-security-policy").unwrap();
    assert!(csp.ends_with("frame-ancestors 'none'"), "{csp}");
    assert_ne!(csp, sandbox::CSP);
    // The 3-D Secure pages and the card frame's API.
    let ret = sb
        .call("GET", "/3ds/return?sourceId=src_1&outcome=passed", None)
        .await;
    assert_eq!(ret.status, 200);
    assert_eq!(sb.call("GET", "/acs/acs.css", None).await.status, 200);
    let c = sb.checkout("jdoe@example.com", "55343").await;
    let src = sb
        .call("POST", "/api/sources", Some(json!({
            "type": "creditCard", "sessionId": c["payment"]["session"]["id"],
            "creditCard": {"number": VISA, "expirationMonth": 7, "expirationYear": 2040, "cvv": "123"}
        })))
        .await;
    assert_eq!(src.status, 201, "{}", src.body);
}

#[tokio::test]
async fn store_json_answers_what_sandbox_json_answers() {
    for config in [
        Config::default(),
        Config::single_origin(),
        Config {
            secret_key: Some(SECRET.into()),
            ..Config::default()
        },
    ] {
        let dist = Dist::new("store-json");
        let sb = Sandbox::with(Config {
            dist: Some(dist.0.clone()),
            ..config
        })
        .await;
        let sandbox_json = sb.call("GET", "/sandbox.json", None).await;
        let store_json = sb.call("GET", "/store.json", None).await;
        assert_eq!(store_json.status, 200);
        assert_eq!(store_json.body, sandbox_json.body);
        assert_eq!(store_json.header("cache-control"), Some("no-store"));
        assert_eq!(
            store_json.header("content-type"),
            sandbox_json.header("content-type")
        );
        let j = store_json.json();
        assert_eq!(j["merchantOrigin"], sb.running.url());
        assert_eq!(j["paymentsBase"], sb.running.payments_base());
        assert_eq!(j["paymentsOrigin"], sb.running.payments_url());
        assert_eq!(j["acsOrigin"], sb.running.acs_url());
        if sb.running.payments_url() != sb.running.url() {
            assert_eq!(sb.pcall("GET", "/store.json", None).await.status, 404);
        }
    }
}
