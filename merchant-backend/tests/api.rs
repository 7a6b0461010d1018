//! The backend end to end, in-process, with the sandbox as the provider.

mod common;

use common::{assert_generic, error_param, start, SECRET};
use hyper::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn a_cart_becomes_a_checkout_priced_from_the_catalogue() {
    let rig = start(|_| {}).await;
    let mut b = rig.browser();
    let r = b.create(json!({})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let set_cookie = r.headers["set-cookie"].to_str().unwrap();
    assert!(
        set_cookie.contains("HttpOnly")
            && set_cookie.contains("SameSite=Lax")
            && set_cookie.contains("Path=/")
    );
    assert_eq!(r.json["items"][0]["amount"], json!(25.0), "{}", r.text);
    assert_eq!(r.json["items"][0]["productDetails"]["name"], "Poster");
    let log = rig.upstream_log("POST", "/checkouts");
    assert_eq!(log.len(), 1);
    let sent = log[0].json.clone().unwrap();
    assert_eq!(sent["items"][0]["price"], json!(12.5));
    assert_eq!(sent["customerId"], Value::Null, "a guest has no customer");
    assert!(log[0].authorization.as_deref() == Some(&format!("Bearer {SECRET}")));
    // A read goes through for the session that created it.
    let id = r.json["id"].as_str().unwrap();
    let r = b.call(Method::GET, &format!("/checkouts/{id}"), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn client_prices_and_customer_ids_are_ignored_and_unknown_fields_are_a_400() {
    let rig = start(|_| {}).await;
    let mut b = rig.browser();
    // What the widget carries over after a 409: prices, names, a customerId,
    // the shipping choice's amount. The server's own values go upstream.
    let r = b
        .create(json!({
            "customerId": "cus_demo",
            "items": [{"skuId": "sku_poster", "quantity": 2, "price": 0.01,
                       "productDetails": {"name": "Free poster", "image": "https://evil.example/x.png"}}],
            "shippingChoice": {"serviceLevel": "express", "amount": 0, "description": "Free"},
            "upstreamId": "cart-42",
            "metadata": {"campaign": "winter"}
        }))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let sent = rig.sent("POST", "/checkouts");
    assert_eq!(sent["items"][0]["price"], json!(12.5));
    assert_eq!(sent["items"][0]["productDetails"]["name"], "Poster");
    assert_eq!(
        sent["items"][0]["productDetails"]["image"],
        "https://example.com/poster.png"
    );
    assert_eq!(
        sent["shippingChoice"],
        json!({"serviceLevel": "express", "amount": 15.0, "description": "Express"})
    );
    assert_eq!(sent["customerId"], Value::Null, "a guest stays a guest");
    assert_eq!(sent["upstreamId"], "cart-42");
    assert_eq!(r.json["totalShipping"], json!(15.0), "{}", r.text);
    let r = b
        .create(json!({"shippingChoice": {"serviceLevel": "teleport"}}))
        .await;
    assert_eq!(
        error_param(&r).as_deref(),
        Some("shippingChoice.serviceLevel")
    );
    let r = b.create(json!({"currency": "JPY"})).await;
    assert_eq!(error_param(&r).as_deref(), Some("currency"), "{}", r.text);
    let r = b.create(json!({"totalAmount": 0})).await;
    assert_eq!(r.status, 400);
    assert_eq!(error_param(&r).as_deref(), Some("totalAmount"));
    let r = b
        .create(json!({"items": [{"skuId": "sku_mug", "id": "itm_1"}]}))
        .await;
    assert_eq!(error_param(&r).as_deref(), Some("items[0].id"));
    let r = b
        .create(json!({"billTo": {"name": "x", "address": {"zip": "1"}}}))
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(error_param(&r).as_deref(), Some("billTo.address.zip"));
    let r = b
        .create(json!({"items": [{"skuId": "sku_nope", "quantity": 1}]}))
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(error_param(&r).as_deref(), Some("items[0].skuId"));
    let r = b.create(json!({"metadata": {"deep": {"x": 1}}})).await;
    assert_eq!(error_param(&r).as_deref(), Some("metadata"));
    let r = b
        .call(
            Method::POST,
            "/orders",
            Some(r#"{"checkoutId":"x","extra":1}"#),
        )
        .await;
    assert_eq!(error_param(&r).as_deref(), Some("extra"));
    assert_eq!(
        rig.upstream_log("POST", "/checkouts").len(),
        1,
        "only the valid create reached the provider"
    );
    assert!(rig.sandbox.shared.log().iter().all(|e| e
        .json
        .as_ref()
        .is_none_or(|j| j.get("customerId").is_none() && !j.to_string().contains("0.01"))));
}

#[tokio::test]
async fn a_signed_in_shopper_gets_their_own_customer_id_never_the_bodys() {
    let rig = start(|_| {}).await;
    let mut b = rig.browser();
    let r = b.sign_in("cus_demo").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = b.create(json!({"customerId": "cus_someone_else"})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let sent = rig.sent("POST", "/checkouts");
    assert_eq!(sent["customerId"], "cus_demo");
    let r = b.call(Method::GET, "/customers/cus_demo", None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = b
        .call(Method::GET, "/customers/cus_someone_else", None)
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    assert!(rig
        .sandbox
        .shared
        .log()
        .iter()
        .all(|e| !e.path.contains("someone_else") && !e.body.contains("someone_else")));
}

#[tokio::test]
async fn another_sessions_checkout_is_not_found_everywhere() {
    let rig = start(|_| {}).await;
    let mut owner = rig.browser();
    let id = owner.create(json!({})).await.json["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut other = rig.browser();
    other.create(json!({})).await; // has a session of its own
    assert!(other.cookie.is_some() && other.cookie != owner.cookie);
    let before = rig.sandbox.shared.log().len();
    let calls: Vec<(Method, String, Option<String>)> = vec![
        (Method::GET, format!("/checkouts/{id}"), None),
        (
            Method::POST,
            format!("/checkouts/{id}"),
            Some(r#"{"email":"x@example.com"}"#.into()),
        ),
        (Method::POST, format!("/checkouts/{id}/sources/src_1"), None),
        (
            Method::POST,
            "/orders".into(),
            Some(json!({"checkoutId": id}).to_string()),
        ),
        (Method::GET, format!("/orders?checkoutId={id}"), None),
        (Method::GET, "/customers/cus_demo".into(), None),
    ];
    for (m, path, body) in calls {
        let r = other.call(m.clone(), &path, body.as_deref()).await;
        assert_eq!(r.status, 404, "{m} {path}: {}", r.text);
        assert_eq!(r.json["type"], "not_found");
        error_param(&r);
    }
    assert_eq!(
        rig.sandbox.shared.log().len(),
        before,
        "none reached the provider"
    );
    let r = owner
        .call(Method::GET, &format!("/orders?checkoutId={id}"), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[tokio::test]
async fn the_secret_goes_upstream_only() {
    let rig = start(|_| {}).await;
    let mut b = rig.browser();
    let r = b.create(json!({})).await;
    let id = r.json["id"].as_str().unwrap().to_owned();
    let mut seen = vec![r];
    seen.push(b.call(Method::GET, &format!("/checkouts/{id}"), None).await);
    rig.fault(json!({"method": "GET", "path": "/checkouts/*", "times": 3,
        "fault": {"kind": "status", "status": 401, "body": format!("{{\"type\":\"unauthorized\",\"errors\":[{{\"code\":\"bad_key\",\"message\":\"Bearer {SECRET} is wrong\"}}]}}")}}));
    let r = b.call(Method::GET, &format!("/checkouts/{id}"), None).await;
    assert_generic(&r, 502);
    seen.push(r);
    for r in &seen {
        assert!(!r.text.contains(SECRET));
        assert!(r
            .headers
            .iter()
            .all(|(_, v)| !v.to_str().unwrap_or("").contains(SECRET)));
    }
    let log = rig.sandbox.shared.log().clone();
    assert!(!log.is_empty());
    for e in &log {
        assert_eq!(
            e.authorization.as_deref(),
            Some(format!("Bearer {SECRET}").as_str()),
            "{e:?}"
        );
    }
    let key = rig.upstream_log("POST", "/checkouts");
    assert_eq!(key.len(), 1);
}

#[tokio::test]
async fn provider_trouble_becomes_the_generic_error() {
    let rig = start(|_| {}).await;
    let mut b = rig.browser();
    // A JSON 500 with a code of its own: not passed through.
    rig.fault(json!({"method": "POST", "path": "/checkouts",
        "fault": {"kind": "status", "status": 500, "body": "{\"type\":\"server_error\",\"errors\":[{\"code\":\"db_down\",\"message\":\"stack trace\"}]}"}}));
    assert_generic(&b.create(json!({})).await, 502);
    // An HTML page from a proxy.
    rig.fault(json!({"method": "POST", "path": "/checkouts",
        "fault": {"kind": "status", "status": 400, "body": "<html>oops</html>", "contentType": "text/html"}}));
    assert_generic(&b.create(json!({})).await, 502);
    // A dropped connection.
    rig.fault(json!({"method": "POST", "path": "/checkouts", "fault": {"kind": "close"}}));
    assert_generic(&b.create(json!({})).await, 502);
    // 503 keeps its Retry-After.
    rig.fault(json!({"method": "POST", "path": "/checkouts",
        "fault": {"kind": "status", "status": 503, "retryAfter": 7}}));
    let r = b.create(json!({})).await;
    assert_generic(&r, 503);
    assert_eq!(r.headers["retry-after"], "7");
    // GETs are retried: two dropped connections, then the answer.
    let id = b.create(json!({})).await.json["id"]
        .as_str()
        .unwrap()
        .to_owned();
    rig.fault(
        json!({"method": "GET", "path": "/checkouts/*", "times": 2, "fault": {"kind": "close"}}),
    );
    let r = b.call(Method::GET, &format!("/checkouts/{id}"), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    // A 4xx in the contract's shape passes through, reduced to the public fields.
    rig.fault(json!({"method": "POST", "path": "/checkouts/*",
        "fault": {"kind": "status", "status": 400, "body": "{\"type\":\"bad_request\",\"internal\":1,\"errors\":[{\"code\":\"invalid_parameter\",\"parameter\":\"email\",\"message\":\"Bad email.\",\"debug\":\"x\"}]}"}}));
    let r = b
        .call(
            Method::POST,
            &format!("/checkouts/{id}"),
            Some(r#"{"email":"a@example.com"}"#),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.json,
        json!({"type":"bad_request","errors":[{"code":"invalid_parameter","parameter":"email","message":"Bad email."}]})
    );
}

#[tokio::test]
async fn a_persistent_5xx_on_a_get_is_tried_three_times() {
    let rig = start(|_| {}).await;
    let mut b = rig.browser();
    let id = b.create(json!({})).await.json["id"]
        .as_str()
        .unwrap()
        .to_owned();
    rig.fault(json!({"method": "GET", "path": "/checkouts/*", "times": 5,
        "fault": {"kind": "status", "status": 500}}));
    let r = b.call(Method::GET, &format!("/checkouts/{id}"), None).await;
    assert_generic(&r, 502);
    assert_eq!(
        rig.upstream_log("GET", &format!("/checkouts/{id}")).len(),
        3
    );
}

#[tokio::test]
async fn forwarded_for_counts_only_from_a_trusted_proxy() {
    let rig = start(|_| {}).await;
    let mut b = rig.browser();
    let body = common::cart().to_string();
    let r = b
        .call_with(
            Method::POST,
            "/checkouts",
            Some(&body),
            &[("x-forwarded-for", "203.0.113.9")],
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let sent = rig.sent("POST", "/checkouts");
    assert_eq!(sent["browserIp"], "127.0.0.1");

    let rig = start(|c| c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()]).await;
    let mut b = rig.browser();
    let r = b
        .call_with(
            Method::POST,
            "/checkouts",
            Some(&body),
            &[("x-forwarded-for", "198.51.100.1, 203.0.113.9")],
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let sent = rig.sent("POST", "/checkouts");
    assert_eq!(
        sent["browserIp"], "203.0.113.9",
        "the right-most untrusted hop"
    );
}

#[tokio::test]
async fn an_oversized_body_is_a_413() {
    let rig = start(|_| {}).await;
    let mut b = rig.browser();
    let big = json!({"currency": "USD", "email": "x".repeat(70 * 1024), "items": []}).to_string();
    let r = b.call(Method::POST, "/checkouts", Some(&big)).await;
    assert_eq!(r.status, 413, "{}", r.text);
    error_param(&r);
    assert!(rig.upstream_log("POST", "/checkouts").is_empty());
}

#[tokio::test]
async fn a_full_order_through_the_backend() {
    let rig = start(|_| {}).await;
    let mut b = rig.browser();
    let r = b.sign_in("cus_demo").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = b.create(json!({})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        r.json["customerId"], "cus_demo",
        "from the signed-in shopper"
    );
    let id = r.json["id"].as_str().unwrap().to_owned();
    let session = r.json["payment"]["session"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let source = rig
        .sandbox
        .shared
        .store()
        .create_source(&json!({"type": "creditCard", "sessionId": session,
            "owner": {"firstName": "Jane", "lastName": "Doe", "email": "jdoe@example.com"},
            "creditCard": {"number": "4444222233331111", "expirationMonth": 7, "expirationYear": 2030, "cvv": "123"}}))
        .unwrap();
    let src = source["id"].as_str().unwrap();
    let r = b
        .call(
            Method::POST,
            &format!("/checkouts/{id}/sources/{src}"),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = b.call(Method::GET, &format!("/checkouts/{id}"), None).await;
    assert_eq!(
        r.json["payment"]["session"]["state"], "requires_confirmation",
        "{}",
        r.text
    );
    let r = b
        .call(
            Method::POST,
            "/orders",
            Some(&json!({"checkoutId": id}).to_string()),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["checkoutId"], id.as_str());
    let r = b
        .call(Method::GET, &format!("/orders?checkoutId={id}"), None)
        .await;
    assert_eq!(r.json["data"][0]["checkoutId"], id.as_str());
    // The signed-in shopper's own customer only.
    let r = b.call(Method::GET, "/customers/cus_demo", None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = b.call(Method::GET, "/customers/cus_other", None).await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn a_lost_order_answer_is_looked_up_not_retried() {
    let rig = start(|_| {}).await;
    let mut b = rig.browser();
    let r = b.create(json!({})).await;
    let id = r.json["id"].as_str().unwrap().to_owned();
    let session = r.json["payment"]["session"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let source = rig.sandbox.shared.store().create_source(&json!({"type": "creditCard", "sessionId": session,
        "creditCard": {"number": "4444222233331111", "expirationMonth": 7, "expirationYear": 2030, "cvv": "123"}})).unwrap();
    let src = source["id"].as_str().unwrap();
    b.call(
        Method::POST,
        &format!("/checkouts/{id}/sources/{src}"),
        None,
    )
    .await;
    rig.fault(json!({"method": "POST", "path": "/orders", "fault": {"kind": "lost"}}));
    let r = b
        .call(
            Method::POST,
            "/orders",
            Some(&json!({"checkoutId": id}).to_string()),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["checkoutId"], id.as_str());
    assert_eq!(
        rig.upstream_log("POST", "/orders").len(),
        1,
        "never retried"
    );
    assert_eq!(rig.upstream_log("GET", "/orders").len(), 1, "looked up");
}

#[tokio::test]
async fn health_and_readiness() {
    let rig = start(|_| {}).await;
    let mut b = rig.browser();
    let get = |path: &str| format!("{}{path}", rig.root);
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<http_body_util::Empty<hyper::body::Bytes>>();
    let r = client.get(get("/healthz").parse().unwrap()).await.unwrap();
    assert_eq!(r.status(), 200);
    let r = client.get(get("/readyz").parse().unwrap()).await.unwrap();
    assert_eq!(r.status(), 200);
    rig.fault(
        json!({"method": "GET", "path": "/orders", "fault": {"kind": "status", "status": 500}}),
    );
    // (the answer above is reused for a second)
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let r = client.get(get("/readyz").parse().unwrap()).await.unwrap();
    assert_eq!(r.status(), 503, "a 5xx upstream is not ready");
    // Nothing listening upstream.
    let dead = start(|c| c.upstream = "http://127.0.0.1:9/api".into()).await;
    let r = client
        .get(format!("{}/readyz", dead.root).parse().unwrap())
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    let r = client
        .get(format!("{}/healthz", dead.root).parse().unwrap())
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = b.call(Method::GET, "/nope", None).await;
    assert_eq!(r.status, 404);
    assert!(
        r.headers.get("set-cookie").is_none(),
        "no session for nothing"
    );
    assert_eq!(r.json["type"], "not_found");
}

#[tokio::test]
async fn a_session_ends_after_the_idle_time_without_a_request_and_requests_extend_it() {
    let rig = start(|c| c.session_idle = std::time::Duration::from_secs(2)).await;
    let mut b = rig.browser();
    let id = b.create(json!({})).await.json["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/checkouts/{id}");
    for _ in 0..3 {
        // 3 x 1.2 s: longer than the idle time in all, never idle that long.
        tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
        let r = b.call(Method::GET, &path, None).await;
        assert_eq!(r.status, 200, "a read extends the session: {}", r.text);
        assert!(r.headers["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=2"));
    }
    tokio::time::sleep(std::time::Duration::from_millis(2300)).await;
    let r = b.call(Method::GET, &path, None).await;
    assert_eq!(r.status, 404, "{}", r.text);
}

#[tokio::test]
async fn a_session_keeps_its_latest_checkouts_only() {
    let rig = start(|_| {}).await;
    let mut b = rig.browser();
    let mut ids = vec![];
    for _ in 0..=merchant_backend::session::MAX_CHECKOUTS {
        ids.push(
            b.create(json!({})).await.json["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let r = b
        .call(Method::GET, &format!("/checkouts/{}", ids[0]), None)
        .await;
    assert_eq!(r.status, 404, "the oldest is forgotten");
    let r = b
        .call(Method::GET, &format!("/checkouts/{}", ids[1]), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

/// A checkout of `b`'s session with a chargeable card attached (ready to order).
async fn ready_checkout(rig: &common::Rig, b: &mut common::Browser) -> String {
    let r = b.create(json!({})).await;
    let id = r.json["id"].as_str().unwrap().to_owned();
    let session = r.json["payment"]["session"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let source = rig.sandbox.shared.store().create_source(&json!({"type": "creditCard", "sessionId": session,
        "creditCard": {"number": "4444222233331111", "expirationMonth": 7, "expirationYear": 2030, "cvv": "123"}})).unwrap();
    let src = source["id"].as_str().unwrap();
    let r = b
        .call(
            Method::POST,
            &format!("/checkouts/{id}/sources/{src}"),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    id
}

#[tokio::test]
async fn every_provider_fault_on_an_order_ends_in_exactly_one_order() {
    let rig = start(|c| c.order_timeout = std::time::Duration::from_millis(400)).await;
    let faults = [
        (
            "500-json",
            json!({"kind": "status", "status": 500, "body": "{\"type\":\"server_error\",\"errors\":[{\"code\":\"boom\",\"message\":\"NullPointerException\"}]}"}),
        ),
        (
            "502-html",
            json!({"kind": "status", "status": 502, "body": "<html>Bad gateway</html>", "contentType": "text/html"}),
        ),
        (
            "503",
            json!({"kind": "status", "status": 503, "retryAfter": 2}),
        ),
        ("slow", json!({"kind": "delay", "ms": 800})),
        ("close", json!({"kind": "close"})),
        ("lost", json!({"kind": "lost"})),
        ("malformed", json!({"kind": "malformed"})),
        ("empty", json!({"kind": "empty"})),
    ];
    for (name, fault) in faults {
        let mut b = rig.browser();
        let id = ready_checkout(&rig, &mut b).await;
        rig.fault(json!({"method": "POST", "path": "/orders", "fault": fault}));
        let body = json!({"checkoutId": id}).to_string();
        let first = b.call(Method::POST, "/orders", Some(&body)).await;
        assert!(
            first.status == 201 || [502, 503].contains(&first.status.as_u16()),
            "{name}: {} {}",
            first.status,
            first.text
        );
        if first.status != 201 {
            assert_eq!(
                first.json["errors"][0]["code"], "upstream_unavailable",
                "{name}"
            );
            assert!(
                !first.text.contains("NullPointer") && !first.text.contains('<'),
                "{name}"
            );
        }
        // What the widget does next: look the order up, and only if there is
        // none, order again on the same checkout.
        let mut placed = (first.status == 201).then(|| first.json.clone());
        for _ in 0..10 {
            if placed.is_some() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(150)).await;
            let r = b
                .call(Method::GET, &format!("/orders?checkoutId={id}"), None)
                .await;
            assert_eq!(r.status, 200, "{name}: {}", r.text);
            if let Some(o) = r.json["data"].as_array().and_then(|d| d.first()) {
                placed = Some(o.clone());
            } else {
                let r = b.call(Method::POST, "/orders", Some(&body)).await;
                if r.status == 201 {
                    placed = Some(r.json.clone());
                }
            }
        }
        let placed = placed.unwrap_or_else(|| panic!("{name}: no order in the end"));
        let orders = rig.sandbox.shared.store().list_orders(Some(&id))["data"]
            .as_array()
            .cloned()
            .unwrap();
        assert_eq!(orders.len(), 1, "{name}: exactly one order");
        assert_eq!(
            orders[0]["id"], placed["id"],
            "{name}: the shopper sees that one"
        );
    }
}

#[tokio::test]
async fn cors_answers_the_storefront_origin_only() {
    let rig = start(|c| {
        c.storefront_origins = vec!["http://shop.example".into()];
        c.secure_cookie = true;
    })
    .await;
    let mut b = rig.browser();
    let preflight = |origin: &'static str| {
        [
            ("origin", origin),
            ("access-control-request-method", "POST"),
            ("access-control-request-headers", "content-type"),
        ]
    };
    let r = b
        .call_with(
            Method::OPTIONS,
            "/checkouts",
            None,
            &preflight("http://shop.example"),
        )
        .await;
    assert_eq!(
        r.headers["access-control-allow-origin"],
        "http://shop.example"
    );
    assert_eq!(r.headers["access-control-allow-credentials"], "true");
    let r = b
        .call_with(
            Method::OPTIONS,
            "/checkouts",
            None,
            &preflight("http://evil.example"),
        )
        .await;
    assert!(
        r.headers.get("access-control-allow-origin").is_none(),
        "{:?}",
        r.headers
    );
    let r = b.create(json!({})).await;
    let cookie = r.headers["set-cookie"].to_str().unwrap();
    assert!(
        cookie.contains("SameSite=None") && cookie.contains("Secure"),
        "{cookie}"
    );
    // Without storefronts configured there is no CORS at all.
    let rig = start(|_| {}).await;
    let mut b = rig.browser();
    let r = b
        .call_with(
            Method::OPTIONS,
            "/checkouts",
            None,
            &preflight("http://shop.example"),
        )
        .await;
    assert!(r.headers.get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn the_store_pages_get_the_strict_csp_and_every_answer_the_security_headers() {
    let dist = std::env::temp_dir().join(format!("mb-dist-{}", std::process::id()));
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>Shop</title>",
    )
    .unwrap();
    std::fs::write(dist.join("app.js"), "export {};").unwrap();
    let site = merchant_backend::Site {
        dist: dist.clone(),
        payments_base: "http://localhost:9/api".into(),
        api_origin: None,
    };
    let rig = start(move |c| c.site = Some(site)).await;
    let mut page = common::Browser::new(rig.root.clone());
    let r = page.call(Method::GET, "/", None).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.headers["content-security-policy"],
        merchant_backend::web::page_csp("http://localhost:9", None).as_str()
    );
    assert!(r.headers["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("frame-src http://localhost:9;"));
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("x-frame-options", "SAMEORIGIN"),
        ("cache-control", "no-cache"),
    ] {
        assert_eq!(r.headers[name], value, "{name}");
    }
    let r = page.call(Method::GET, "/app.js", None).await;
    assert!(r.headers.get("content-security-policy").is_none());
    assert_eq!(r.headers["x-content-type-options"], "nosniff");
    let r = page.call(Method::GET, "/store.json", None).await;
    assert_eq!(r.json, json!({"paymentsBase": "http://localhost:9/api"}));
    let r = page.call(Method::GET, "/favicon.ico", None).await;
    assert_eq!(r.status, 204);
    let r = page.call(Method::GET, "/api/checkouts/chk_x", None).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.headers["cache-control"], "no-store");
    assert_eq!(r.headers["x-content-type-options"], "nosniff");
    assert!(r.headers.contains_key("x-request-id"));
    let _ = std::fs::remove_dir_all(&dist);
}

#[tokio::test]
async fn signing_in_as_someone_else_leaves_the_last_shoppers_checkouts_behind() {
    let rig = start(|_| {}).await;
    let mut b = rig.browser();
    let guest = b.create(json!({})).await.json["id"]
        .as_str()
        .unwrap()
        .to_owned();
    b.sign_in("cus_demo").await;
    let r = b
        .call(Method::GET, &format!("/checkouts/{guest}"), None)
        .await;
    assert_eq!(r.status, 200, "a guest's cart becomes the shopper's");
    let theirs = b.create(json!({})).await.json["id"]
        .as_str()
        .unwrap()
        .to_owned();
    b.sign_in("cus_demo").await;
    let r = b
        .call(Method::GET, &format!("/checkouts/{theirs}"), None)
        .await;
    assert_eq!(
        r.status, 200,
        "signing in again as the same shopper keeps them"
    );
    b.sign_in("cus_other").await;
    for id in [&guest, &theirs] {
        let r = b.call(Method::GET, &format!("/checkouts/{id}"), None).await;
        assert_eq!(r.status, 404, "{}", r.text);
    }
}

#[tokio::test]
async fn odd_requests_get_the_contracts_error_shape() {
    let rig = start(|_| {}).await;
    let mut b = rig.browser();
    // An array is not a body, even where its items would fit positionally.
    let r = b.call(Method::POST, "/orders", Some(r#"["chk_1"]"#)).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json["errors"][0]["code"], "invalid_json", "{}", r.text);
    // A path that is not UTF-8.
    let r = b.call(Method::GET, "/checkouts/%FF", None).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json["type"], "bad_request", "{}", r.text);
    // Too large: the contract's 413, and the connection is not reused.
    let big = json!({"email": "x".repeat(70 * 1024)}).to_string();
    let r = b.call(Method::POST, "/checkouts", Some(&big)).await;
    assert_eq!(r.status, 413);
    assert_eq!(r.headers["connection"], "close");
    // The request id is ours, not the browser's.
    let r = b
        .call_with(
            Method::GET,
            "/checkouts/chk_x",
            None,
            &[("x-request-id", "planted")],
        )
        .await;
    let id = r.headers["x-request-id"].to_str().unwrap();
    assert_ne!(id, "planted");
    assert_eq!(id.len(), 36, "a UUID: {id}");
}

#[tokio::test]
async fn readiness_asks_the_provider_at_most_once_a_second() {
    let rig = start(|_| {}).await;
    let mut probe = common::Browser::new(rig.root.clone());
    for _ in 0..5 {
        assert_eq!(probe.call(Method::GET, "/readyz", None).await.status, 200);
    }
    assert_eq!(rig.upstream_log("GET", "/orders").len(), 1);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(probe.call(Method::GET, "/readyz", None).await.status, 200);
    assert_eq!(rig.upstream_log("GET", "/orders").len(), 2);
}
