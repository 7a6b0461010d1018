//! The contract's error shape: `{"type", "errors": [{"code", "parameter", "message"}]}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An API error as the provider sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// The body's `type`, e.g. `bad_request`, `conflict`, `not_found`.
    pub kind: &'static str,
    /// Machine code (never shown to shoppers).
    pub code: String,
    /// The field at fault, e.g. `billTo.address.postalCode`.
    pub parameter: Option<String>,
    /// Shopper-presentable message.
    pub message: String,
}

impl ApiError {
    fn new(status: StatusCode, kind: &'static str, code: &str, message: &str) -> Self {
        Self {
            status,
            kind,
            code: code.into(),
            parameter: None,
            message: message.into(),
        }
    }

    /// 400 `bad_request` naming the offending parameter.
    pub fn bad_param(code: &str, parameter: &str, message: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", code, message).with_param(parameter)
    }

    /// 400 `bad_request` with no parameter.
    pub fn bad_request(code: &str, message: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", code, message)
    }

    /// 404 `not_found`.
    pub fn not_found(what: &str, parameter: Option<&str>) -> Self {
        let e = Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "not_found",
            &format!("{what} not found."),
        );
        match parameter {
            Some(p) => e.with_param(p),
            None => e,
        }
    }

    /// 409 `conflict`.
    pub fn conflict(code: &str, message: &str) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", code, message)
    }

    /// 401 `unauthorized`.
    pub fn unauthorized(message: &str) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "unauthorized",
            message,
        )
    }

    /// 401 `unauthorized` for a merchant API call without the sandbox's secret
    /// key ([`crate::Config::secret_key`]): the body is exactly
    /// `{"type":"unauthorized","errors":[{"code":"unauthorized","message":"A valid secret key is required."}]}`.
    pub fn secret_key_required() -> Self {
        Self::unauthorized("A valid secret key is required.")
    }

    /// 405 `method_not_allowed`.
    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "method_not_allowed",
            "That method is not allowed on this resource.",
        )
    }

    /// Names the parameter at fault.
    pub fn with_param(mut self, parameter: &str) -> Self {
        self.parameter = Some(parameter.into());
        self
    }

    /// The JSON body.
    pub fn body(&self) -> serde_json::Value {
        let mut err = json!({"code": self.code, "message": self.message});
        if let Some(p) = &self.parameter {
            err["parameter"] = json!(p);
        }
        json!({"type": self.kind, "errors": [err]})
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body())).into_response()
    }
}
