//! The provider client against a raw-TCP fake provider: headers, timeouts, retries.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{assert_generic, SECRET};
use hyper::Method;
use merchant_backend::{AppState, Config, SecretKey};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A fake provider: records each request head; answers `POST /checkouts` with a
/// checkout and never answers anything else.
async fn fake_provider() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/api", listener.local_addr().unwrap());
    let heads = Arc::new(Mutex::new(Vec::new()));
    let seen = heads.clone();
    tokio::spawn(async move {
        loop {
            let (mut sock, _) = listener.accept().await.unwrap();
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let Ok(n) = sock.read(&mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buf[..end]).into_owned();
                        seen.lock().unwrap().push(head.clone());
                        if head.starts_with("POST /api/checkouts ") {
                            let body = r#"{"id":"chk_fake","items":[]}"#;
                            let resp = format!(
                                "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                                body.len()
                            );
                            let _ = sock.write_all(resp.as_bytes()).await;
                            return;
                        }
                        // Hang: hold the connection open, never answer.
                        tokio::time::sleep(Duration::from_secs(60)).await;
                        return;
                    }
                }
            });
        }
    });
    (base, heads)
}

async fn backend(upstream: String) -> (String, tokio::task::JoinHandle<std::io::Result<()>>) {
    backend_with(upstream, |_| {}).await
}

async fn backend_with(
    upstream: String,
    tweak: impl FnOnce(&mut Config),
) -> (String, tokio::task::JoinHandle<std::io::Result<()>>) {
    let mut config = Config::new(upstream, SecretKey::from(SECRET), common::catalogue());
    config.upstream_timeout = Duration::from_millis(200);
    config.order_timeout = Duration::from_millis(300);
    tweak(&mut config);
    let app = merchant_backend::router(AppState::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let api = format!("http://{}/api", listener.local_addr().unwrap());
    (api, tokio::spawn(merchant_backend::serve(listener, app)))
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

#[tokio::test]
async fn every_call_carries_the_secret_and_creates_carry_a_fresh_idempotency_key() {
    let (upstream, heads) = fake_provider().await;
    let (api, _task) = backend(upstream).await;
    let mut rig_browser = common::Browser::new(api);
    let a = rig_browser.create(json!({})).await;
    assert_eq!(a.status, 201, "{}", a.text);
    let b = rig_browser.create(json!({})).await;
    assert_eq!(b.status, 201, "{}", b.text);
    let heads = heads.lock().unwrap().clone();
    assert_eq!(heads.len(), 2);
    let keys: Vec<&str> = heads
        .iter()
        .map(|h| {
            assert_eq!(
                header(h, "authorization"),
                Some(format!("Bearer {SECRET}").as_str())
            );
            header(h, "idempotency-key").expect("an Idempotency-Key")
        })
        .collect();
    assert_ne!(keys[0], keys[1], "one key per browser request");
    // The browser request's id goes along, and comes back to the browser.
    let rid = a.headers["x-request-id"].to_str().unwrap();
    assert_eq!(header(&heads[0], "x-request-id"), Some(rid));
    assert_ne!(Some(rid), header(&heads[1], "x-request-id"));
    assert!(keys
        .iter()
        .all(|k| k.len() == 32 && k.bytes().all(|c| c.is_ascii_hexdigit())));
}

#[tokio::test]
async fn a_silent_provider_times_out_gets_are_retried_orders_are_not() {
    let (upstream, heads) = fake_provider().await;
    let (api, _task) = backend(upstream).await;
    let mut b = common::Browser::new(api);
    assert_eq!(b.create(json!({})).await.status, 201);
    let t = Instant::now();
    let r = b.call(Method::GET, "/checkouts/chk_fake", None).await;
    assert_generic(&r, 502);
    assert!(t.elapsed() < Duration::from_secs(3), "timeouts apply");
    let r = b
        .call(
            Method::POST,
            "/orders",
            Some(r#"{"checkoutId":"chk_fake"}"#),
        )
        .await;
    assert_generic(&r, 502);
    let heads = heads.lock().unwrap().clone();
    let count = |p: &str| heads.iter().filter(|h| h.starts_with(p)).count();
    assert_eq!(
        count("GET /api/checkouts/chk_fake "),
        3,
        "1 try + 2 retries"
    );
    assert_eq!(count("POST /api/orders "), 1, "never retried");
    let order = heads
        .iter()
        .find(|h| h.starts_with("POST /api/orders "))
        .unwrap();
    assert_eq!(
        header(order, "idempotency-key"),
        Some("order_chk_fake"),
        "the checkout's key: the same from any instance, on any retry"
    );
    assert_eq!(
        count("GET /api/orders?checkoutId=chk_fake "),
        3,
        "looked up (with retries)"
    );
}

#[test]
fn the_secret_is_never_printed() {
    let key = SecretKey::from(SECRET);
    assert!(!format!("{key:?}").contains(SECRET));
    let config = Config::new("http://x/api", key, common::catalogue());
    assert!(!format!("{config:?}").contains(SECRET));
}

#[tokio::test]
async fn a_provider_that_stays_down_opens_the_circuit_and_nothing_more_is_sent() {
    let (upstream, heads) = fake_provider().await;
    let (api, _task) = backend_with(upstream, |c| {
        c.breaker_threshold = 3;
        c.breaker_cool_down = Duration::from_millis(1500);
    })
    .await;
    let mut b = common::Browser::new(api);
    assert_eq!(b.create(json!({})).await.status, 201);
    // 1 try + 2 retries, all silent: three failures in a row.
    let r = b.call(Method::GET, "/checkouts/chk_fake", None).await;
    assert_generic(&r, 502);
    let sent = heads.lock().unwrap().len();
    assert_eq!(sent, 4);
    let r = b.call(Method::GET, "/checkouts/chk_fake", None).await;
    assert_generic(&r, 503);
    let retry: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry), "Retry-After {retry}");
    let r = b
        .call(
            Method::POST,
            "/orders",
            Some(r#"{"checkoutId":"chk_fake"}"#),
        )
        .await;
    assert_generic(&r, 503);
    assert_eq!(
        heads.lock().unwrap().len(),
        sent,
        "refused calls are not sent"
    );
    // After the cool-down one trial goes through; it fails, the circuit opens again.
    tokio::time::sleep(Duration::from_millis(1600)).await;
    // (its retry is refused by the reopened circuit: 503).
    let r = b.call(Method::GET, "/checkouts/chk_fake", None).await;
    assert_generic(&r, 503);
    assert_eq!(heads.lock().unwrap().len(), sent + 1, "one trial");
    let r = b.call(Method::GET, "/checkouts/chk_fake", None).await;
    assert_generic(&r, 503);
}
