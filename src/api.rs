//! HTTP only: the contract's calls, each with a timeout and an abort handle,
//! returning typed results. No signals, no decisions about what happens next.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_net::http::{Method, RequestBuilder};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::AbortController;

use crate::flow::{Call, Reply};
use crate::model::{classify, ApiError, CheckoutId};

/// How long one request may take, by default, before it is aborted and reported
/// as a timeout.
pub const REQUEST_TIMEOUT_MS: u64 = 15_000;

/// The API client of one widget. Every request it starts can be aborted at once.
pub struct Api {
    api_base: String,
    timeout_ms: i32,
    inflight: RefCell<Vec<AbortController>>,
}

impl Api {
    /// A client for the merchant backend at `api_base` (no trailing slash).
    /// The payments origin's calls are the card frame's, not this client's.
    pub fn new(api_base: String, timeout_ms: u64) -> Rc<Self> {
        Rc::new(Self {
            api_base,
            timeout_ms: i32::try_from(timeout_ms).unwrap_or(i32::MAX),
            inflight: RefCell::default(),
        })
    }

    /// Aborts every request still in flight (on unmount).
    pub fn abort_all(&self) {
        for c in self.inflight.borrow_mut().drain(..) {
            c.abort();
        }
    }

    /// Makes one call of the core and returns its typed answer.
    pub async fn run(&self, call: Call) -> Reply {
        let base = &self.api_base;
        match call {
            Call::GetCheckout(id) => {
                let url = format!("{base}/checkouts/{}", encode(id.as_str()));
                Reply::Checkout(typed(self.send(Method::GET, &url, None).await))
            }
            Call::CreateCheckout(body) => {
                let url = format!("{base}/checkouts");
                Reply::Checkout(typed(
                    self.send(Method::POST, &url, Some(body.to_string())).await,
                ))
            }
            Call::UpdateCheckout(id, body) => {
                let url = format!("{base}/checkouts/{}", encode(id.as_str()));
                Reply::Checkout(typed(
                    self.send(Method::POST, &url, Some(body.to_string())).await,
                ))
            }
            Call::AttachSource(id, source) => {
                let url = format!(
                    "{base}/checkouts/{}/sources/{}",
                    encode(id.as_str()),
                    encode(source.as_str())
                );
                Reply::Source(typed(self.send(Method::POST, &url, None).await))
            }
            Call::PlaceOrder(id) => {
                let url = format!("{base}/orders");
                #[derive(Serialize)]
                #[serde(rename_all = "camelCase")]
                struct OrderRequest<'a> {
                    checkout_id: &'a CheckoutId,
                }
                let body =
                    serde_json::to_string(&OrderRequest { checkout_id: &id }).unwrap_or_default();
                Reply::Order(typed(self.send(Method::POST, &url, Some(body)).await))
            }
            Call::FindOrders(id) => {
                let url = format!("{base}/orders?checkoutId={}", encode(id.as_str()));
                Reply::Orders(typed(self.send(Method::GET, &url, None).await))
            }
        }
    }

    /// One exchange through gloo-net: status, body text and `Retry-After`
    /// seconds, or why there was no response. Not generic over the answer's
    /// type, so the bundle holds one copy of it; [`typed`] decodes.
    async fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<String>,
    ) -> Result<Exchange, ApiError> {
        let controller = AbortController::new().map_err(|_| ApiError::Network)?;
        self.inflight.borrow_mut().push(controller.clone());
        let timed_out = Rc::new(Cell::new(false));
        let timer = {
            let controller = controller.clone();
            let timed_out = timed_out.clone();
            let cb = Closure::once(move || {
                timed_out.set(true);
                controller.abort();
            });
            let id = web_sys::window().and_then(|w| {
                w.set_timeout_with_callback_and_timeout_and_arguments_0(
                    cb.as_ref().unchecked_ref(),
                    self.timeout_ms,
                )
                .ok()
            });
            (id, cb)
        };
        let signal = controller.signal();
        let builder = RequestBuilder::new(url)
            .method(method)
            .header("Accept", "application/json")
            .abort_signal(Some(&signal));
        let result = async {
            // Every failure before a status (offline, refused, reset, aborted)
            // is "no response".
            let request = match body {
                Some(b) => builder.header("Content-Type", "application/json").body(b),
                None => builder.build(),
            }
            .map_err(|_| ApiError::Network)?;
            let response = request.send().await.map_err(|_| ApiError::Network)?;
            let status = response.status();
            let retry_after = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.trim().parse::<u32>().ok());
            // A body that cannot be read (connection dropped mid-way) is no response.
            let text = response.text().await.map_err(|_| ApiError::Network)?;
            Ok((status, text, retry_after))
        }
        .await;
        if let (Some(id), Some(w)) = (timer.0, web_sys::window()) {
            w.clear_timeout_with_handle(id);
        }
        drop(timer.1);
        self.inflight
            .borrow_mut()
            .retain(|c| !js_sys::Object::is(c, &controller));
        match result {
            Err(ApiError::Network) if timed_out.get() => Err(ApiError::Timeout),
            other => other,
        }
    }
}

/// Status, body text and `Retry-After` seconds of one response.
type Exchange = (u16, String, Option<u32>);

/// The typed answer of an exchange (serde_json through [`classify`]).
fn typed<T: DeserializeOwned>(r: Result<Exchange, ApiError>) -> Result<T, ApiError> {
    let (status, text, retry_after) = r?;
    classify(status, &text, retry_after)
}

/// Percent-encodes an id for use as one path segment.
fn encode(segment: &str) -> String {
    js_sys::encode_uri_component(segment).into()
}
