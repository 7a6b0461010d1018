//! Test rig: the sandbox as the upstream provider and the backend in front of
//! it, both in-process on free ports, and a cookie-keeping browser.

#![allow(dead_code)]

use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{HeaderMap, Method, Request, StatusCode};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use merchant_backend::{AppState, Catalogue, Config, SecretKey};
use serde_json::Value;

/// The secret the backend is configured with.
pub const SECRET: &str = "sk_test_0123456789abcdef";

/// A running pair: the sandbox (upstream) and the backend.
pub struct Rig {
    /// The provider.
    pub sandbox: sandbox::Running,
    /// `http://127.0.0.1:P/api` of the backend.
    pub api: String,
    /// `http://127.0.0.1:P` of the backend.
    pub root: String,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Drop for Rig {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The test catalogue: `sku_poster` is unknown to the sandbox, so its price
/// can only come from here.
pub fn catalogue() -> Catalogue {
    Catalogue::from_json(
        r#"{
            "products": {
                "sku_poster": {"name": "Poster", "price": 1250, "image": "https://example.com/poster.png"},
                "sku_mug": {"name": "Mug", "price": 1000}
            },
            "shipping": {
                "standard": {"description": "Standard", "amount": 500},
                "express": {"description": "Express", "amount": 1500}
            }
        }"#,
    )
    .unwrap()
}

/// Starts the sandbox and a backend whose config `tweak` may change.
pub async fn start(tweak: impl FnOnce(&mut Config)) -> Rig {
    let sandbox = sandbox::start(sandbox::Config {
        ready_after: Duration::ZERO,
        secret_key: Some(SECRET.into()),
        merchant_pages: false,
        ..sandbox::Config::single_origin()
    })
    .await
    .unwrap();
    let mut config = Config::new(
        format!("{}/api", sandbox.url()),
        SecretKey::from(SECRET),
        catalogue(),
    );
    config.upstream_timeout = Duration::from_secs(3);
    config.demo_sign_in = true;
    tweak(&mut config);
    let app = merchant_backend::router(AppState::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(merchant_backend::serve(listener, app));
    Rig {
        sandbox,
        api: format!("http://{addr}/api"),
        root: format!("http://{addr}"),
        task,
    }
}

impl Rig {
    /// A new browser (no cookie yet).
    pub fn browser(&self) -> Browser {
        Browser::new(self.api.clone())
    }

    /// The sandbox's request log entries for `method path`.
    pub fn upstream_log(&self, method: &str, path: &str) -> Vec<sandbox::faults::LogEntry> {
        self.sandbox
            .shared
            .log()
            .iter()
            .filter(|e| e.method == method && e.path == path)
            .cloned()
            .collect()
    }

    /// The JSON body of the first `method path` call the provider received.
    pub fn sent(&self, method: &str, path: &str) -> Value {
        let log = self.upstream_log(method, path);
        let first = log
            .first()
            .unwrap_or_else(|| panic!("no {method} {path} reached the provider"));
        first.json.clone().expect("a JSON body")
    }

    /// Arms a sandbox fault.
    pub fn fault(&self, json: Value) {
        let rule: sandbox::faults::Rule = serde_json::from_value(json).unwrap();
        self.sandbox.shared.faults().push(rule);
    }
}

/// One answer as the browser sees it.
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
    pub json: Value,
}

/// A browser: keeps the session cookie.
pub struct Browser {
    client: Client<HttpConnector, Full<Bytes>>,
    /// The API base this browser calls.
    pub api: String,
    /// `name=value` of the session cookie.
    pub cookie: Option<String>,
}

impl Browser {
    /// A browser for the backend API at `api`.
    pub fn new(api: String) -> Self {
        Self {
            client: Client::builder(TokioExecutor::new()).build_http(),
            api,
            cookie: None,
        }
    }

    /// A call to `path` under `/api`, with extra headers.
    pub async fn call_with(
        &mut self,
        method: Method,
        path: &str,
        body: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let mut b = Request::builder()
            .method(method)
            .uri(format!("{}{}", self.api, path));
        if let Some(c) = &self.cookie {
            b = b.header("cookie", c);
        }
        if body.is_some() {
            b = b.header("content-type", "application/json");
        }
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let req = b
            .body(Full::new(Bytes::from(body.unwrap_or("").to_owned())))
            .unwrap();
        let resp = self.client.request(req).await.unwrap();
        let (parts, body) = resp.into_parts();
        if let Some(set) = parts.headers.get("set-cookie") {
            let set = set.to_str().unwrap();
            let pair = set.split(';').next().unwrap().to_owned();
            self.cookie = Some(pair);
        }
        let bytes = body.collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        Resp {
            status: parts.status,
            headers: parts.headers,
            json: serde_json::from_str(&text).unwrap_or(Value::Null),
            text,
        }
    }

    /// A call without extra headers.
    pub async fn call(&mut self, method: Method, path: &str, body: Option<&str>) -> Resp {
        self.call_with(method, path, body, &[]).await
    }

    /// `POST /api/demo/sign-in` as `customer`.
    pub async fn sign_in(&mut self, customer: &str) -> Resp {
        let body = serde_json::json!({ "customerId": customer }).to_string();
        self.call(Method::POST, "/demo/sign-in", Some(&body)).await
    }

    /// `POST /api/checkouts` with a one-poster cart and extra fields merged in.
    pub async fn create(&mut self, extra: Value) -> Resp {
        let mut body = cart();
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                b.insert(k.clone(), v.clone());
            }
        }
        self.call(Method::POST, "/checkouts", Some(&body.to_string()))
            .await
    }
}

/// A cart as the widget sends it: no prices.
pub fn cart() -> Value {
    serde_json::json!({
        "currency": "USD",
        "email": "jdoe@example.com",
        "locale": "en_US",
        "billTo": {"name": "Jane Doe", "phone": "", "address": {"line1": "10380 Bren Rd W",
            "city": "Minnetonka", "postalCode": "55343", "state": "MN", "country": "US"}},
        "shipTo": {"name": "Jane Doe", "address": {"line1": "10380 Bren Rd W",
            "city": "Minnetonka", "postalCode": "55343", "state": "MN", "country": "US"}},
        "items": [{"skuId": "sku_poster", "quantity": 2}]
    })
}

/// Asserts the contract's error shape and returns the first entry's parameter.
pub fn error_param(r: &Resp) -> Option<String> {
    assert!(r.json["type"].is_string(), "error shape: {}", r.text);
    let e = &r.json["errors"][0];
    assert!(
        e["code"].is_string() && e["message"].is_string(),
        "{}",
        r.text
    );
    e["parameter"].as_str().map(str::to_owned)
}

/// Asserts the generic upstream error.
pub fn assert_generic(r: &Resp, status: u16) {
    assert_eq!(r.status.as_u16(), status, "{}", r.text);
    assert_eq!(
        r.json,
        serde_json::json!({"type": "server_error", "errors": [{"code": "upstream_unavailable",
            "message": "The payment service is unavailable. Please try again."}]}),
        "{}",
        r.text
    );
}
