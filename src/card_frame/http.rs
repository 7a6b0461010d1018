//! HTTP only: the frame's two calls to the payments base, through gloo-net,
//! each with an AbortSignal time limit, classified by the contract's rules
//! ([`crate::model::classify`]). The same exchange as the widget's `api.rs`.

use std::cell::Cell;
use std::rc::Rc;

use gloo_net::http::{Method, RequestBuilder};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::AbortController;

use crate::card_frame::core::SourceCall;
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
        let (status, text, retry_after) = self.send(method, &url, body).await?;
        classify(status, &text, retry_after)
    }

    async fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<String>,
    ) -> Result<(u16, String, Option<u32>), ApiError> {
        let window = web_sys::window().ok_or(ApiError::Network)?;
        let controller = AbortController::new().map_err(|_| ApiError::Network)?;
        let timed_out = Rc::new(Cell::new(false));
        let on_timeout = {
            let controller = controller.clone();
            let timed_out = timed_out.clone();
            Closure::once(move || {
                timed_out.set(true);
                controller.abort();
            })
        };
        let timer = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                on_timeout.as_ref().unchecked_ref(),
                REQUEST_TIMEOUT_MS,
            )
            .ok();
        let signal = controller.signal();
        let mut builder = RequestBuilder::new(url)
            .method(method)
            .header("Accept", "application/json")
            .abort_signal(Some(&signal));
        if let Some(auth) = &self.authorization {
            builder = builder.header("Authorization", auth);
        }
        let result = async {
            // Every failure before a status (offline, refused, aborted) is
            // "no response".
            let request = match body {
                Some(b) => builder.header("Content-Type", "application/json").body(b),
                None => builder.build(),
            }
            .map_err(|_| ApiError::Network)?;
            let response = request.send().await.map_err(|_| ApiError::Network)?;
            let retry_after = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.trim().parse::<u32>().ok());
            let text = response.text().await.map_err(|_| ApiError::Network)?;
            Ok((response.status(), text, retry_after))
        }
        .await;
        if let Some(id) = timer {
            window.clear_timeout_with_handle(id);
        }
        drop(on_timeout);
        match result {
            Err(ApiError::Network) if timed_out.get() => Err(ApiError::Timeout),
            other => other,
        }
    }
}

/// Percent-encodes one path segment or query value.
fn encode(s: &str) -> String {
    js_sys::encode_uri_component(s).into()
}
