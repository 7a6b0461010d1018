//! The payment provider client: `Authorization: Bearer <secret>` on every call,
//! a timeout per call (a longer one for `POST /orders`), GETs retried with
//! backoff on network errors and 5xx within a time budget, nothing else
//! retried, and a [`Breaker`] that refuses calls while the provider is down.

use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use secrecy::ExposeSecret;
use serde_json::Value;
use tracing::Instrument;

use crate::breaker::{Breaker, Refused};
use crate::Config;

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

/// Why a call has no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoAnswer {
    /// The provider gave no (complete) answer: connection refused or dropped,
    /// timeout, or a body cut short. The outcome of a POST is unknown.
    Lost,
    /// The circuit is open: the call was not made (a POST changed nothing).
    Refused(Refused),
}

/// One call to the provider.
#[derive(Debug, Clone)]
pub struct Call<'a> {
    /// Method.
    pub method: Method,
    /// Path under the API base, starting with `/`; may carry a query.
    pub path: &'a str,
    /// JSON body.
    pub body: Option<&'a Value>,
    /// `Idempotency-Key`, on creating calls.
    pub idempotency_key: Option<&'a str>,
    /// The browser request's id, passed on as `X-Request-Id`.
    pub request_id: Option<&'a str>,
}

impl<'a> Call<'a> {
    /// A GET of `path`.
    pub fn get(path: &'a str) -> Self {
        Self {
            method: Method::GET,
            path,
            body: None,
            idempotency_key: None,
            request_id: None,
        }
    }

    /// A POST of `body` (or an empty body) to `path`.
    pub fn post(path: &'a str, body: Option<&'a Value>) -> Self {
        Self {
            method: Method::POST,
            body,
            ..Self::get(path)
        }
    }

    /// A DELETE of `path`.
    pub fn delete(path: &'a str) -> Self {
        Self {
            method: Method::DELETE,
            ..Self::get(path)
        }
    }

    /// With an `Idempotency-Key`.
    pub fn idempotent(self, key: &'a str) -> Self {
        Self {
            idempotency_key: Some(key),
            ..self
        }
    }

    /// With the browser request's id.
    pub fn for_request(self, request_id: Option<&'a str>) -> Self {
        Self { request_id, ..self }
    }
}

/// The provider client.
pub struct Upstream {
    client: Client<HttpConnector, Full<Bytes>>,
    base: String,
    auth: HeaderValue,
    timeout: Duration,
    order_timeout: Duration,
    retry_budget: Duration,
    /// The circuit breaker every call goes through.
    pub breaker: Breaker,
}

impl Upstream {
    /// A client for `config.upstream` with its key, timeouts and breaker.
    pub fn new(config: &Config) -> Self {
        let mut auth =
            HeaderValue::from_str(&format!("Bearer {}", config.secret_key.expose_secret()))
                .unwrap_or(HeaderValue::from_static("Bearer invalid"));
        auth.set_sensitive(true);
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        Self {
            client: Client::builder(TokioExecutor::new()).build(connector),
            base: config.upstream.trim_end_matches('/').to_owned(),
            auth,
            timeout: config.upstream_timeout,
            order_timeout: config.order_timeout,
            retry_budget: config.retry_budget,
            breaker: Breaker::new(config.breaker_threshold, config.breaker_cool_down),
        }
    }

    /// One call, no retry, through the breaker.
    pub async fn send(&self, call: Call<'_>) -> Result<Answer, NoAnswer> {
        self.breaker
            .admit(Instant::now())
            .map_err(NoAnswer::Refused)?;
        let span = tracing::info_span!(
            "upstream",
            method = %call.method,
            path = call.path.split('?').next().unwrap_or_default(),
            status = tracing::field::Empty,
        );
        let out = self.exchange(call).instrument(span.clone()).await;
        let ok = matches!(&out, Ok(a) if !a.status.is_server_error());
        self.breaker.record(ok, Instant::now());
        match &out {
            Ok(a) => {
                span.record("status", a.status.as_u16());
                tracing::debug!(parent: &span, "answered");
            }
            Err(_) => tracing::warn!(parent: &span, "no answer"),
        }
        out
    }

    async fn exchange(&self, call: Call<'_>) -> Result<Answer, NoAnswer> {
        let timeout = if call.method == Method::POST && call.path == "/orders" {
            self.order_timeout
        } else {
            self.timeout
        };
        let mut b = Request::builder()
            .method(call.method)
            .uri(format!("{}{}", self.base, call.path))
            .header(header::AUTHORIZATION, self.auth.clone())
            .header(header::ACCEPT, "application/json");
        if let Some(key) = call.idempotency_key {
            b = b.header("Idempotency-Key", key);
        }
        if let Some(id) = call.request_id {
            b = b.header("X-Request-Id", id);
        }
        let body = call.body;
        let bytes = match body {
            Some(v) => {
                b = b.header(header::CONTENT_TYPE, "application/json");
                Bytes::from(serde_json::to_vec(v).map_err(|_| NoAnswer::Lost)?)
            }
            None => Bytes::new(),
        };
        let req = b.body(Full::new(bytes)).map_err(|_| NoAnswer::Lost)?;
        let call = async {
            let resp = self.client.request(req).await.map_err(|_| NoAnswer::Lost)?;
            let (parts, body) = resp.into_parts();
            let body = Limited::new(body, MAX_ANSWER)
                .collect()
                .await
                .map_err(|_| NoAnswer::Lost)?
                .to_bytes();
            Ok(Answer {
                status: parts.status,
                headers: parts.headers,
                body,
            })
        };
        tokio::time::timeout(timeout, call)
            .await
            .map_err(|_| NoAnswer::Lost)?
    }

    /// A call, retried when it is a GET: up to [`GET_RETRIES`] times (100 ms,
    /// then 200 ms apart) on no answer or a 5xx, while the retry budget lasts
    /// and the circuit lets calls through. The last outcome is returned. Any
    /// other method is sent once.
    pub async fn call(&self, call: Call<'_>) -> Result<Answer, NoAnswer> {
        if call.method != Method::GET {
            return self.send(call).await;
        }
        let start = Instant::now();
        let mut attempt = 0;
        loop {
            let out = self.send(call.clone()).await;
            let retry = match &out {
                Err(NoAnswer::Lost) => true,
                Err(NoAnswer::Refused(_)) => false,
                Ok(a) => a.status.is_server_error(),
            };
            let pause = Duration::from_millis(100 << attempt);
            if !retry || attempt >= GET_RETRIES || start.elapsed() + pause > self.retry_budget {
                return out;
            }
            tokio::time::sleep(pause).await;
            attempt += 1;
        }
    }
}
