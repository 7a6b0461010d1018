//! What the backend logs, at every level: a span per browser request with its
//! request id and path (and one per provider call inside it), and never the
//! secret key, an `Authorization` value, the shopper's data, the session
//! cookie, a query string or a request body.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::SECRET;
use hyper::Method;
use serde_json::json;
use tracing_subscriber::fmt::MakeWriter;

/// Everything the subscriber writes, in memory.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = Capture;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

const EMAIL: &str = "zelda.quux@example.com";
const NAME: &str = "Zelda Quux";
const PHONE: &str = "+1 555 0199";
const LINE1: &str = "742 Evergreen Terrace";

/// The `request_id="..."` values of the line's request spans.
fn request_ids(line: &str) -> Vec<&str> {
    line.match_indices("request{")
        .filter_map(|(i, _)| {
            let span = &line[i..];
            let span = &span[..span.find('}').unwrap_or(span.len())];
            let v = span.split("request_id=").nth(1)?;
            Some(v.trim_matches('"'))
        })
        .collect()
}

#[test]
fn logs_carry_request_ids_and_paths_but_no_secrets_shopper_data_or_bodies() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(capture.clone())
        .finish();
    // Thread-local: everything below runs on this thread (a current-thread
    // runtime), the sandbox and the backend included, so every span is seen.
    let _guard = tracing::subscriber::set_default(subscriber);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut bodies = Vec::new();
    let mut cookie = String::new();
    rt.block_on(async {
        let rig = common::start(|_| {}).await;
        let mut b = rig.browser();
        let extra = json!({
            "email": EMAIL,
            "billTo": {"name": NAME, "phone": PHONE, "address": {"line1": LINE1,
                "city": "Springfield", "postalCode": "49007", "state": "MI", "country": "US"}},
        });
        let r = b.create(extra.clone()).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let id = r.json["id"].as_str().unwrap().to_owned();
        bodies.push(extra.to_string());
        let sign_in = r#"{"customerId":"cus_demo"}"#;
        let r = b.call(Method::POST, "/demo/sign-in", Some(sign_in)).await;
        assert_eq!(r.status, 200, "{}", r.text);
        bodies.push(sign_in.to_owned());
        let r = b.call(Method::GET, "/customers/cus_demo", None).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let r = b
            .call(Method::GET, &format!("/orders?checkoutId={id}"), None)
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        // No card attached: the provider may refuse it, which is fine here.
        let order = json!({"checkoutId": id}).to_string();
        let r = b.call(Method::POST, "/orders", Some(&order)).await;
        assert!(
            r.status.is_client_error() || r.status.is_success(),
            "{}",
            r.text
        );
        bodies.push(order);
        cookie = b.cookie.clone().unwrap_or_default();
    });
    drop(rt);
    let log = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(!log.is_empty(), "nothing was logged");

    // Request spans, each with a request id and the path.
    for path in [
        "/api/checkouts",
        "/api/demo/sign-in",
        "/api/customers/cus_demo",
        "/api/orders",
    ] {
        assert!(
            log.lines()
                .any(|l| l.contains("request{") && l.contains(&format!("path=\"{path}\""))),
            "no request span for {path}:\n{log}"
        );
    }
    let ids: Vec<&str> = log.lines().flat_map(request_ids).collect();
    assert!(!ids.is_empty(), "no request ids:\n{log}");
    for id in &ids {
        assert!(
            id.len() == 36 && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-'),
            "request_id {id:?} is not a UUID:\n{log}"
        );
    }
    // Provider calls are logged inside the browser request's span.
    for (method, path) in [
        ("POST", "/checkouts"),
        ("GET", "/customers/cus_demo"),
        ("GET", "/orders"),
        ("POST", "/orders"),
    ] {
        let call = format!("upstream{{method={method} path=\"{path}\"");
        assert!(
            log.lines()
                .any(|l| l.contains(&call) && !request_ids(l).is_empty()),
            "no {method} {path} provider span inside a request span:\n{log}"
        );
    }

    // And nothing that must not be there.
    let session = cookie.split_once('=').map(|(_, v)| v).unwrap_or_default();
    assert!(session.len() > 8, "the journey kept a session cookie");
    let mut forbidden: Vec<(&str, String)> = vec![
        ("the secret key", SECRET.to_owned()),
        ("an Authorization value", "Bearer".to_owned()),
        ("an Authorization header", "authorization".to_owned()),
        ("the email address", EMAIL.to_owned()),
        ("the shopper's name", NAME.to_owned()),
        ("the shopper's name", "Zelda".to_owned()),
        ("the phone number", PHONE.to_owned()),
        ("the address", LINE1.to_owned()),
        ("the session cookie", session.to_owned()),
        ("a query string", "checkoutId=".to_owned()),
        ("a request body", "\"checkoutId\"".to_owned()),
        ("a request body", "\"customerId\"".to_owned()),
        ("a request body", "\"billTo\"".to_owned()),
        ("a request body", "\"skuId\"".to_owned()),
        ("a request body", "\"currency\"".to_owned()),
    ];
    for b in &bodies {
        forbidden.push(("a request body", b.clone()));
    }
    let lower = log.to_lowercase();
    for (what, s) in &forbidden {
        assert!(
            !lower.contains(&s.to_lowercase()),
            "the log holds {what} ({s:?}):\n{log}"
        );
    }
}
