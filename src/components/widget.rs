use leptos::prelude::*;

use crate::components::{
    ctx, AlertBanner, CardFrame, Confirmation, Ctx, FixForm, OrderSummary, PaymentForm, Review,
    SavedCards,
};
use crate::flow::{Event, State, Step};
use crate::i18n;

/// The root of one mounted widget: a polite live region for progress, the
/// order summary, the alert, and the view of the current step. The view branches
/// on a memoised step, so typing never rebuilds the form or loses focus.
#[component]
pub fn Widget(
    /// The widget state, owned by the shell.
    #[prop(into)]
    state: Signal<State>,
    /// Sends shopper events to the shell.
    on_event: Callback<Event>,
    /// The configured locale override (BCP 47), if any.
    locale: Option<String>,
    /// Prefix for this widget's element ids.
    prefix: String,
    /// The card frame's `src`, owned by the shell.
    frame_src: Signal<String>,
    /// Tells the shell that the card frame's iframe loaded.
    on_frame_load: Callback<web_sys::HtmlIFrameElement>,
) -> impl IntoView {
    let locale = Memo::new(move |_| {
        locale.clone().unwrap_or_else(|| {
            state
                .with(|s| {
                    s.checkout
                        .as_ref()
                        .and_then(|c| c.locale.as_deref().map(i18n::bcp47))
                })
                .unwrap_or_else(i18n::page_locale)
        })
    });
    provide_context(Ctx {
        state,
        on_event,
        prefix,
        locale,
        frame_src,
        on_frame_load,
    });
    let step = Memo::new(move |_| state.with(|s| s.step));
    let busy = Memo::new(move |_| state.with(|s| s.pending.is_some()));
    let status = move || match step.get() {
        Step::Loading => "Loading your checkout…",
        Step::Authenticating => "Verify this payment with your bank in the card form.",
        Step::Waiting => "Confirming your payment details…",
        Step::Review => "Your payment details are confirmed. Review your order.",
        Step::Submitting => "Placing your order…",
        Step::Complete => "Order placed.",
        Step::Payment | Step::Fix | Step::Error => "",
    };
    let body = move || match step.get() {
        Step::Loading => view! { <div class="cw-skeleton" aria-hidden="true"></div> }.into_any(),
        Step::Payment => view! { <PaymentForm /> }.into_any(),
        // The challenge shows inside the card frame, above.
        Step::Authenticating => ().into_any(),
        Step::Waiting => view! { <Progress text="Confirming your payment details…" /> }.into_any(),
        Step::Review => view! { <Review /> }.into_any(),
        Step::Submitting => view! { <Progress text="Placing your order…" /> }.into_any(),
        Step::Fix => view! { <FixForm /> }.into_any(),
        Step::Complete => view! { <Confirmation /> }.into_any(),
        Step::Error => ().into_any(),
    };
    let show_summary = move || !matches!(step.get(), Step::Loading | Step::Complete);
    view! {
        <div class="cw-root" aria-busy=move || busy.get().to_string()>
            <p class="cw-visually-hidden" role="status" aria-live="polite">{status}</p>
            <Show when=show_summary>
                <OrderSummary />
            </Show>
            <AlertBanner />
            <SavedCards />
            <CardFrame />
            {body}
        </div>
    }
}

/// A visible progress line with a spinner (the live region says it too).
#[component]
fn Progress(
    /// What is happening.
    text: &'static str,
) -> impl IntoView {
    let c = ctx();
    let stalled = Memo::new(move |_| {
        c.state
            .with(|s| matches!(s.alert, Some(crate::flow::Alert::StillWaiting)))
    });
    view! {
        <div class="cw-progress" aria-hidden="true">
            <span class="cw-spinner" class:cw-spinner--stopped=move || stalled.get()></span>
            <span>{text}</span>
        </div>
    }
}
