//! Errors toward the browser, in the contract's shape:
//! `{"type": "...", "errors": [{"code", "parameter"?, "message"}]}`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

/// What the shopper sees when the provider cannot be reached or misbehaves.
pub const UNAVAILABLE_MESSAGE: &str = "The payment service is unavailable. Please try again.";

/// An error answer: a status, a contract-shaped body and maybe `Retry-After`.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// The JSON body.
    pub body: Value,
    /// `Retry-After`, for 503.
    pub retry_after: Option<HeaderValue>,
}

impl ApiError {
    /// An error with one entry.
    pub fn new(
        status: StatusCode,
        kind: &str,
        code: &str,
        parameter: Option<&str>,
        message: &str,
    ) -> Self {
        let mut entry = Map::new();
        entry.insert("code".into(), code.into());
        if let Some(p) = parameter {
            entry.insert("parameter".into(), p.into());
        }
        entry.insert("message".into(), message.into());
        Self {
            status,
            body: json!({"type": kind, "errors": [entry]}),
            retry_after: None,
        }
    }

    /// 400 `bad_request` naming a parameter.
    pub fn bad_param(code: &str, parameter: &str, message: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            code,
            Some(parameter),
            message,
        )
    }

    /// The same error with `parameter` set on its entries.
    pub fn with_param(mut self, parameter: &str) -> Self {
        if let Some(errors) = self.body.get_mut("errors").and_then(Value::as_array_mut) {
            for e in errors.iter_mut().filter_map(Value::as_object_mut) {
                e.insert("parameter".into(), parameter.into());
            }
        }
        self
    }

    /// 400 `bad_request` without a parameter.
    pub fn bad_request(code: &str, message: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", code, None, message)
    }

    /// 404 `not_found` (also what a session gets for someone else's resource).
    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "not_found",
            None,
            &format!("{what} not found."),
        )
    }

    /// 405 `method_not_allowed`.
    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "method_not_allowed",
            None,
            "Method not allowed.",
        )
    }

    /// 413: the request body is larger than [`crate::MAX_BODY`].
    pub fn too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "bad_request",
            "request_too_large",
            None,
            "The request body is too large.",
        )
    }

    /// 502 `upstream_unavailable`: the generic answer for provider trouble.
    pub fn unavailable() -> Self {
        Self::new(
            StatusCode::BAD_GATEWAY,
            "server_error",
            "upstream_unavailable",
            None,
            UNAVAILABLE_MESSAGE,
        )
    }

    /// 503 `upstream_unavailable` with `Retry-After` (the provider's, else 1 s).
    pub fn unavailable_retry(retry_after: Option<HeaderValue>) -> Self {
        let mut e = Self::unavailable();
        e.status = StatusCode::SERVICE_UNAVAILABLE;
        e.retry_after = Some(retry_after.unwrap_or(HeaderValue::from_static("1")));
        e
    }

    /// The provider's error body reduced to what may reach the browser: `type`
    /// and, per entry, `code`, `parameter` and `message` (strings only).
    /// `None` when it is not a contract-shaped error.
    pub fn from_provider(status: StatusCode, body: &[u8]) -> Option<Self> {
        let v: Value = serde_json::from_slice(body).ok()?;
        let kind = v.get("type")?.as_str()?;
        let errors = v.get("errors")?.as_array()?;
        let mut out = Vec::with_capacity(errors.len());
        for e in errors {
            let e = e.as_object()?;
            let mut entry = Map::new();
            for key in ["code", "parameter", "message"] {
                if let Some(s) = e.get(key).and_then(Value::as_str) {
                    entry.insert(key.into(), s.into());
                }
            }
            out.push(Value::Object(entry));
        }
        Some(Self {
            status,
            body: json!({"type": kind, "errors": out}),
            retry_after: None,
        })
    }

    /// A serde error on a request body: 400 naming the field when serde names
    /// one (unknown or missing field), with `prefix` (e.g. `items[0].`) before it.
    pub fn from_serde(e: &serde_json::Error, prefix: &str) -> Self {
        let msg = e.to_string();
        let field = msg.split('`').nth(1).filter(|f| !f.is_empty());
        let (code, message) = if msg.starts_with("unknown field") {
            ("invalid_parameter", "This field is not accepted.")
        } else if msg.starts_with("missing field") {
            ("missing_parameter", "This field is required.")
        } else {
            ("invalid_parameter", "Invalid value.")
        };
        match field {
            Some(f) if !msg.starts_with("invalid type") && !msg.starts_with("invalid value") => {
                Self::bad_param(code, &format!("{prefix}{f}"), message)
            }
            _ if !prefix.is_empty() => Self::bad_param(code, prefix.trim_end_matches('.'), message),
            _ => Self::bad_request("invalid_json", "The request body is not valid."),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = (self.status, axum::Json(self.body)).into_response();
        if let Some(v) = self.retry_after {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        resp
    }
}
