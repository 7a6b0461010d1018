//! HTTP only: the frame's two calls to the payments base, through gloo-net,
//! each with an AbortSignal time limit, classified by the contract's rules
//! ([`crate::model::classify`]), through the exchange the widget uses too
//! ([`crate::http`]).

use gloo_net::http::Method;
use web_sys::AbortController;

use crate::card_frame::core::SourceCall;
use crate::http::{encode, exchange};
use crate::model::{classify, ApiError, Source};

/// How long one call may take before it is aborted and reported as a timeout.
const REQUEST_TIMEOUT_MS: i32 = 15_000;

/// The payments base and the public key from the widget's init.
pub struct Client {
    base: String,
    authorization: Option<String>,
}

impl Client {
    /// A client for `base` (no trailing slash), with `Bearer <public_key>`.
    pub fn new(base: String, public_key: Option<String>) -> Self {
        Self {
            base,
            authorization: public_key.map(|k| format!("Bearer {k}")),
        }
    }

    /// Makes one call of the core and returns the source, or why there is none.
    pub async fn run(&self, call: SourceCall) -> Result<Source, ApiError> {
        let (method, url, body) = match call {
            SourceCall::Create(request) => {
                // Card data lives in this body only until it is handed to fetch.
                let body = request.body();
                drop(request);
                (Method::POST, format!("{}/sources", self.base), Some(body))
            }
            SourceCall::Read { id, client_secret } => (
                Method::GET,
                format!(
                    "{}/sources/{}?clientSecret={}",
                    self.base,
                    encode(id.as_str()),
                    encode(client_secret.expose())
                ),
                None,
            ),
        };
        let controller = AbortController::new().map_err(|_| ApiError::Network)?;
        let (status, text, retry_after) = exchange(
            &controller,
            REQUEST_TIMEOUT_MS,
            method,
            &url,
            body,
            self.authorization.as_deref(),
        )
        .await?;
        classify(status, &text, retry_after)
    }
}
