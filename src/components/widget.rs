use leptos::prelude::*;

use crate::components::{ErrorPanel, OrderSummary};
use crate::flow::{Event, State, Step};

/// The root of one mounted widget: a live region for progress, and the view of
/// the current step. The view branches on a memoised step, so state changes
/// within a step never rebuild the step's DOM.
#[component]
pub fn Widget(
    /// The widget state, owned by the shell.
    #[prop(into)]
    state: Signal<State>,
    /// Sends shopper events to the shell.
    on_event: Callback<Event>,
    /// The configured locale override (BCP 47), if any.
    locale: Option<String>,
) -> impl IntoView {
    let step = Memo::new(move |_| state.with(|s| s.step));
    let checkout = Memo::new(move |_| state.with(|s| s.checkout.clone()));
    let failure = Memo::new(move |_| state.with(|s| s.failure.clone()));
    let status = move || match step.get() {
        Step::Loading => "Loading your checkout…",
        _ => "",
    };
    let body = move || {
        match step.get() {
        Step::Loading => view! { <div class="cw-skeleton" aria-hidden="true"></div> }.into_any(),
        Step::Summary => {
            view! { <OrderSummary checkout=checkout locale=locale.clone() /> }.into_any()
        }
        Step::Error => view! {
            <ErrorPanel failure=failure on_retry=Callback::new(move |()| on_event.run(Event::RetryPressed)) />
        }
        .into_any(),
    }
    };
    view! {
        <div class="cw-root">
            <p class="cw-visually-hidden" role="status" aria-live="polite">{status}</p>
            {body}
        </div>
    }
}
