//! HTTP only: the contract's calls, each with a timeout and an abort handle,
//! returning typed results. No signals, no decisions about what happens next.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_net::http::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use web_sys::AbortController;

use crate::flow::{Call, Reply};
use crate::http::{encode, exchange, Exchange};
use crate::model::{classify, classify_empty, ApiError, CheckoutId};

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
            Call::GetCustomer(id) => {
                let url = format!("{base}/customers/{}", encode(&id));
                Reply::Customer(typed(self.send(Method::GET, &url, None).await))
            }
            Call::SaveSource(customer, source) => {
                let url = format!(
                    "{base}/customers/{}/sources/{}",
                    encode(&customer),
                    encode(source.as_str())
                );
                Reply::Source(typed(self.send(Method::POST, &url, None).await))
            }
            Call::RemoveSource(customer, source) => {
                let url = format!(
                    "{base}/customers/{}/sources/{}",
                    encode(&customer),
                    encode(source.as_str())
                );
                let r = self.send(Method::DELETE, &url, None).await;
                Reply::Removed(r.and_then(|(status, text, retry_after)| {
                    classify_empty(status, &text, retry_after)
                }))
            }
            Call::FindOrders(id) => {
                let url = format!("{base}/orders?checkoutId={}", encode(id.as_str()));
                Reply::Orders(typed(self.send(Method::GET, &url, None).await))
            }
        }
    }

    /// One exchange, registered so [`Api::abort_all`] can abort it.
    async fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<String>,
    ) -> Result<Exchange, ApiError> {
        let controller = AbortController::new().map_err(|_| ApiError::Network)?;
        self.inflight.borrow_mut().push(controller.clone());
        // The merchant backend keeps the shopper's session in a cookie: it goes
        // along even when `apiBase` is on another origin (which must then
        // allow it with CORS credentials, as merchant-backend does).
        let result = exchange(
            &controller,
            self.timeout_ms,
            method,
            url,
            body,
            None,
            web_sys::RequestCredentials::Include,
        )
        .await;
        self.inflight
            .borrow_mut()
            .retain(|c| !js_sys::Object::is(c, &controller));
        result
    }
}

/// The typed answer of an exchange (serde_json through [`classify`]).
fn typed<T: DeserializeOwned>(r: Result<Exchange, ApiError>) -> Result<T, ApiError> {
    let (status, text, retry_after) = r?;
    classify(status, &text, retry_after)
}
