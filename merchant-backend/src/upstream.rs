//! The payment provider client: `Authorization: Bearer <secret>` on every call,
//! a timeout per call, GETs retried on network errors and 5xx, nothing else
//! retried.

use std::time::Duration;

use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

use crate::SecretKey;

/// Largest provider answer read.
const MAX_ANSWER: usize = 4 << 20;

/// How many times a GET is retried after the first try.
pub const GET_RETRIES: u32 = 2;

/// A provider answer (any status).
#[derive(Debug, Clone)]
pub struct Answer {
    /// HTTP status.
    pub status: StatusCode,
    /// Response headers.
    pub headers: HeaderMap,
    /// The whole body.
    pub body: Bytes,
}

impl Answer {
    /// The body as JSON, when it is.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// The provider gave no (complete) answer: connection refused or dropped,
/// timeout, or a body cut short. The outcome of a POST is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoAnswer;

/// The provider client.
pub struct Upstream {
    client: Client<HttpConnector, Full<Bytes>>,
    base: String,
    auth: HeaderValue,
    timeout: Duration,
}

impl Upstream {
    /// A client for the API at `base` (no trailing slash needed).
    pub fn new(base: &str, secret: SecretKey, timeout: Duration) -> Self {
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", secret.expose()))
            .unwrap_or(HeaderValue::from_static("Bearer invalid"));
        auth.set_sensitive(true);
        Self {
            client: Client::builder(TokioExecutor::new()).build_http(),
            base: base.trim_end_matches('/').to_owned(),
            auth,
            timeout,
        }
    }

    /// One call, no retry. `path` starts with `/` and may carry a query.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        idempotency_key: Option<&str>,
    ) -> Result<Answer, NoAnswer> {
        let mut b = Request::builder()
            .method(method)
            .uri(format!("{}{}", self.base, path))
            .header(header::AUTHORIZATION, self.auth.clone())
            .header(header::ACCEPT, "application/json");
        if let Some(key) = idempotency_key {
            b = b.header("Idempotency-Key", key);
        }
        let bytes = match body {
            Some(v) => {
                b = b.header(header::CONTENT_TYPE, "application/json");
                Bytes::from(serde_json::to_vec(v).map_err(|_| NoAnswer)?)
            }
            None => Bytes::new(),
        };
        let req = b.body(Full::new(bytes)).map_err(|_| NoAnswer)?;
        let call = async {
            let resp = self.client.request(req).await.map_err(|_| NoAnswer)?;
            let (parts, body) = resp.into_parts();
            let body = Limited::new(body, MAX_ANSWER)
                .collect()
                .await
                .map_err(|_| NoAnswer)?
                .to_bytes();
            Ok(Answer {
                status: parts.status,
                headers: parts.headers,
                body,
            })
        };
        tokio::time::timeout(self.timeout, call)
            .await
            .map_err(|_| NoAnswer)?
    }

    /// A GET, retried up to [`GET_RETRIES`] times (100 ms, then 200 ms apart)
    /// on no answer or a 5xx. The last outcome is returned.
    pub async fn get(&self, path: &str) -> Result<Answer, NoAnswer> {
        let mut attempt = 0;
        loop {
            let out = self.send(Method::GET, path, None, None).await;
            let retry = match &out {
                Err(NoAnswer) => true,
                Ok(a) => a.status.is_server_error(),
            };
            if !retry || attempt >= GET_RETRIES {
                return out;
            }
            tokio::time::sleep(Duration::from_millis(100 << attempt)).await;
            attempt += 1;
        }
    }

    /// A POST, never retried.
    pub async fn post(
        &self,
        path: &str,
        body: Option<&Value>,
        idempotency_key: Option<&str>,
    ) -> Result<Answer, NoAnswer> {
        self.send(Method::POST, path, body, idempotency_key).await
    }

    /// A DELETE, never retried.
    pub async fn delete(&self, path: &str) -> Result<Answer, NoAnswer> {
        self.send(Method::DELETE, path, None, None).await
    }
}
