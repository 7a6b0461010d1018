//! HTTP only: the frame's calls to the payments base (`POST /sources`,
//! `GET /sources/{id}`, `POST /sources/{id}/authentications`), through
//! gloo-net, each with an AbortSignal time limit, classified by the
//! contract's rules ([`crate::model::classify`]), through the exchange the
//! widget uses too ([`crate::http`]).

use gloo_net::http::Method;
use web_sys::AbortController;

use crate::card_frame::core::{FrameEvent, SourceCall};
use crate::http::{encode, exchange, Exchange};
use crate::model::{classify, ApiError};

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

    /// Makes call number `call` of the core and returns its answer, as the
    /// event the core takes.
    pub async fn run(&self, call: u32, request: SourceCall) -> FrameEvent {
        let authentication = matches!(request, SourceCall::Authenticate { .. });
        let exchanged = self.send(request).await;
        if authentication {
            let result = exchanged.and_then(|(status, text, retry)| classify(status, &text, retry));
            FrameEvent::Authentication { call, result }
        } else {
            let result = exchanged.and_then(|(status, text, retry)| classify(status, &text, retry));
            FrameEvent::Answer { call, result }
        }
    }

    async fn send(&self, request: SourceCall) -> Result<Exchange, ApiError> {
        // Card data and client secrets live in this body (and the read's URL)
        // only until they are handed to fetch.
        let body = request.body();
        let (method, url) = match &request {
            SourceCall::Create(_) => (Method::POST, format!("{}/sources", self.base)),
            SourceCall::Read { id, client_secret } => (
                Method::GET,
                format!(
                    "{}/sources/{}?clientSecret={}",
                    self.base,
                    encode(id.as_str()),
                    encode(client_secret.expose())
                ),
            ),
            SourceCall::Authenticate { id, .. } => (
                Method::POST,
                format!(
                    "{}/sources/{}/authentications",
                    self.base,
                    encode(id.as_str())
                ),
            ),
        };
        drop(request);
        let controller = AbortController::new().map_err(|_| ApiError::Network)?;
        exchange(
            &controller,
            REQUEST_TIMEOUT_MS,
            method,
            &url,
            body,
            self.authorization.as_deref(),
            web_sys::RequestCredentials::SameOrigin,
        )
        .await
    }
}
