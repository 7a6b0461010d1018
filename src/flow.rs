//! PURE: the checkout journey as a state machine. `update(state, event)` decides;
//! the shell runs the returned commands (HTTP, timers, DOM events) and feeds the
//! results back as events. No Leptos, no web-sys: tested with plain `cargo test`.

use serde_json::Value;

use crate::model::{ApiError, Checkout, CheckoutId};
use crate::options::Start;

/// Where the shopper is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Loading or creating the checkout.
    Loading,
    /// The checkout is shown.
    Summary,
    /// Something failed; the shopper can try again.
    Error,
}

/// Why a step failed, in terms the view can put into shopper words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The checkout does not exist (any more).
    CheckoutNotFound,
    /// No response: network down or request aborted.
    Network,
    /// The request took too long.
    Timeout,
    /// The server failed (5xx).
    Server,
    /// The server answered with something unreadable.
    Decode,
    /// The server refused the request; its shopper-presentable message, if any.
    Rejected(Option<String>),
}

impl Failure {
    fn from_api(e: &ApiError) -> Self {
        match e {
            ApiError::NotFound(_) => Self::CheckoutNotFound,
            ApiError::Network => Self::Network,
            ApiError::Timeout => Self::Timeout,
            ApiError::Server { .. } => Self::Server,
            ApiError::Decode => Self::Decode,
            ApiError::Conflict(errs) | ApiError::Rejected { errors: errs, .. } => Self::Rejected(
                errs.first()
                    .map(|e| e.message.clone())
                    .filter(|m| !m.is_empty()),
            ),
        }
    }

    /// The `kind` of a `checkout-error` event.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Network => "network",
            Self::Timeout => "timeout",
            Self::Server | Self::Rejected(_) | Self::CheckoutNotFound => "server",
            Self::Decode => "decode",
        }
    }

    /// Whether trying the same thing again can help.
    pub fn retryable(&self) -> bool {
        matches!(
            self,
            Self::Network | Self::Timeout | Self::Server | Self::Decode
        )
    }
}

/// The whole widget state.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// How the checkout is obtained.
    pub start: Start,
    /// Current step.
    pub step: Step,
    /// The checkout, once loaded.
    pub checkout: Option<Checkout>,
    /// The last failure, shown on the error step.
    pub failure: Option<Failure>,
}

/// Something that happened: shopper input or an I/O result.
// Events are moved once per input or response; boxing the checkout would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The widget was mounted.
    Mounted,
    /// `GET /checkouts/{id}` or `POST /checkouts` finished.
    CheckoutLoaded(Result<Checkout, ApiError>),
    /// The shopper pressed `Try again`.
    RetryPressed,
}

/// Something for the shell to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// `GET /checkouts/{id}`.
    FetchCheckout(CheckoutId),
    /// `POST /checkouts` with this create body.
    CreateCheckout(Value),
    /// Dispatch a DOM event on the mount element.
    Emit(Notice),
}

/// A public event (see embedding.md). Never carries card data.
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    /// `checkout-ready`.
    Ready(CheckoutId),
    /// `checkout-step`.
    Step(&'static str),
    /// `checkout-error`.
    Error(Failure),
}

impl State {
    /// The state before anything happened.
    pub fn new(start: Start) -> Self {
        Self {
            start,
            step: Step::Loading,
            checkout: None,
            failure: None,
        }
    }

    fn load(&self) -> Command {
        match (&self.checkout, &self.start) {
            // Once created, a cart's checkout is re-read, never created twice.
            (Some(c), _) => Command::FetchCheckout(c.id.clone()),
            (None, Start::Existing(id)) => Command::FetchCheckout(id.clone()),
            (None, Start::Cart(cart)) => Command::CreateCheckout(cart.clone()),
        }
    }
}

/// The transition function.
pub fn update(state: &mut State, event: Event) -> Vec<Command> {
    match event {
        Event::Mounted => {
            state.step = Step::Loading;
            vec![state.load()]
        }
        Event::RetryPressed if state.step == Step::Error => {
            state.step = Step::Loading;
            state.failure = None;
            vec![state.load()]
        }
        Event::RetryPressed => vec![],
        Event::CheckoutLoaded(_) if state.step != Step::Loading => vec![],
        Event::CheckoutLoaded(Ok(checkout)) => {
            let id = checkout.id.clone();
            state.checkout = Some(checkout);
            state.step = Step::Summary;
            vec![Command::Emit(Notice::Ready(id))]
        }
        Event::CheckoutLoaded(Err(e)) => {
            let failure = Failure::from_api(&e);
            state.failure = Some(failure.clone());
            state.step = Step::Error;
            vec![
                Command::Emit(Notice::Step("error")),
                Command::Emit(Notice::Error(failure)),
            ]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn checkout(id: &str) -> Checkout {
        Checkout {
            id: CheckoutId(id.into()),
            total_amount: Some(26.51),
            ..Default::default()
        }
    }

    #[test]
    fn existing_checkout_is_fetched_then_ready() {
        let mut s = State::new(Start::Existing(CheckoutId("chk_1".into())));
        assert_eq!(
            update(&mut s, Event::Mounted),
            vec![Command::FetchCheckout(CheckoutId("chk_1".into()))]
        );
        let cmds = update(&mut s, Event::CheckoutLoaded(Ok(checkout("chk_1"))));
        assert_eq!(s.step, Step::Summary);
        assert_eq!(
            cmds,
            vec![Command::Emit(Notice::Ready(CheckoutId("chk_1".into())))]
        );
    }

    #[test]
    fn cart_is_created_once() {
        let cart = json!({"currency": "USD"});
        let mut s = State::new(Start::Cart(cart.clone()));
        assert_eq!(
            update(&mut s, Event::Mounted),
            vec![Command::CreateCheckout(cart)]
        );
        update(&mut s, Event::CheckoutLoaded(Ok(checkout("chk_new"))));
        // A late duplicate result changes nothing.
        assert!(update(&mut s, Event::CheckoutLoaded(Ok(checkout("chk_other")))).is_empty());
        assert_eq!(s.checkout.unwrap().id.as_str(), "chk_new");
    }

    #[test]
    fn failures_are_typed_and_retryable() {
        let mut s = State::new(Start::Existing(CheckoutId("chk_1".into())));
        update(&mut s, Event::Mounted);
        let cmds = update(
            &mut s,
            Event::CheckoutLoaded(Err(ApiError::Server {
                status: 502,
                retry_after: None,
            })),
        );
        assert_eq!(s.step, Step::Error);
        assert!(cmds.contains(&Command::Emit(Notice::Error(Failure::Server))));
        assert!(Failure::Server.retryable());
        assert_eq!(
            update(&mut s, Event::RetryPressed),
            vec![Command::FetchCheckout(CheckoutId("chk_1".into()))]
        );
        assert_eq!(s.step, Step::Loading);
        // Retry outside the error step does nothing.
        assert!(update(&mut s, Event::RetryPressed).is_empty());
    }

    #[test]
    fn not_found_is_not_retryable_and_server_text_is_kept_as_data() {
        let mut s = State::new(Start::Existing(CheckoutId("chk_x".into())));
        update(&mut s, Event::Mounted);
        update(
            &mut s,
            Event::CheckoutLoaded(Err(ApiError::NotFound(vec![]))),
        );
        assert_eq!(s.failure, Some(Failure::CheckoutNotFound));
        assert!(!Failure::CheckoutNotFound.retryable());
    }
}
