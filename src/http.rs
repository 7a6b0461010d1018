//! HTTP only: one exchange through gloo-net with an `AbortSignal` time limit,
//! shared by the widget's API client ([`crate::api`]) and the card frame's.
//! Every failure before a status is "no response"; a time-out is told apart.

use std::cell::Cell;
use std::rc::Rc;

use gloo_net::http::{Method, RequestBuilder};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{AbortController, RequestCredentials};

use crate::model::ApiError;

/// Status, body text and `Retry-After` seconds of one response.
pub type Exchange = (u16, String, Option<u32>);

/// One request, aborted through `controller` (by the caller, e.g. on unmount,
/// or after `timeout_ms`, which then reads as [`ApiError::Timeout`]). Not
/// generic over the answer's type, so the bundle holds one copy of it.
/// `credentials`: whether cookies go along (the widget's calls to the
/// merchant backend carry its session cookie, also to an `apiBase` on another
/// origin; the card frame's calls carry none across origins).
pub async fn exchange(
    controller: &AbortController,
    timeout_ms: i32,
    method: Method,
    url: &str,
    body: Option<String>,
    authorization: Option<&str>,
    credentials: RequestCredentials,
) -> Result<Exchange, ApiError> {
    let window = web_sys::window().ok_or(ApiError::Network)?;
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
            timeout_ms,
        )
        .ok();
    let signal = controller.signal();
    let mut builder = RequestBuilder::new(url)
        .method(method)
        .header("Accept", "application/json")
        .credentials(credentials)
        .abort_signal(Some(&signal));
    if let Some(auth) = authorization {
        builder = builder.header("Authorization", auth);
    }
    let result = async {
        // Every failure before a status (offline, refused, reset, aborted) is
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
        // A body that cannot be read (connection dropped mid-way) is no response.
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

/// Percent-encodes one path segment or query value.
pub fn encode(segment: &str) -> String {
    js_sys::encode_uri_component(segment).into()
}
