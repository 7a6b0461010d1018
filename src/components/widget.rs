use leptos::prelude::*;

use crate::components::{
    ctx, AlertBanner, CardFrame, Confirmation, Ctx, FixForm, OrderSummary, PaymentForm, Review,
    SavedCards,
};
use crate::flow::{Event, State, Step};
use crate::i18n::Messages;

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
    /// The shopper's text, in the active locale (the shell's, for events too).
    text: Memo<Messages>,
    /// Prefix for this widget's element ids.
    prefix: String,
    /// The card frame's `src`, owned by the shell.
    frame_src: Signal<String>,
    /// Tells the shell that the card frame's iframe loaded.
    on_frame_load: Callback<web_sys::HtmlIFrameElement>,
) -> impl IntoView {
    let locale = Memo::new(move |_| text.with(|m| m.locale().to_owned()));
    provide_context(Ctx {
        state,
        on_event,
        prefix,
        locale,
        text,
        frame_src,
        on_frame_load,
    });
    let step = Memo::new(move |_| state.with(|s| s.step));
    let busy = Memo::new(move |_| state.with(|s| s.pending.is_some()));
    let declined = Memo::new(move |_| {
        state.with(|s| matches!(s.alert, Some(crate::flow::Alert::Declined { .. })))
    });
    let status = move || {
        let key = match step.get() {
            Step::Loading => "status.loading",
            Step::Authenticating => "status.authenticating",
            Step::Waiting => "status.waiting",
            Step::Review => "status.review",
            Step::Submitting => "status.submitting",
            Step::Complete => "status.complete",
            Step::Fix => "status.fix",
            // Back at payment entry after a decline: the outcome, said politely
            // (the alert carries the provider's words).
            Step::Payment if declined.get() => "status.declined",
            Step::Payment | Step::Error => return String::new(),
        };
        text.with(|m| m.get(key).to_owned())
    };
    // Arabic and Hebrew read right to left whatever the page; other locales
    // follow the page's direction.
    let dir = move || text.with(|m| (m.direction() == "rtl").then_some("rtl"));
    let lang = move || text.with(|m| m.locale().to_owned());
    let body = move || match step.get() {
        Step::Loading => view! { <div class="cw-skeleton" aria-hidden="true"></div> }.into_any(),
        Step::Payment => view! { <PaymentForm /> }.into_any(),
        // The challenge shows inside the card frame, above.
        Step::Authenticating => ().into_any(),
        Step::Waiting => view! { <Progress text="status.waiting" /> }.into_any(),
        Step::Review => view! { <Review /> }.into_any(),
        Step::Submitting => view! { <Progress text="status.submitting" /> }.into_any(),
        Step::Fix => view! { <FixForm /> }.into_any(),
        Step::Complete => view! { <Confirmation /> }.into_any(),
        Step::Error => ().into_any(),
    };
    let show_summary = move || !matches!(step.get(), Step::Loading | Step::Complete);
    view! {
        <div class="cw-root" lang=lang dir=dir aria-busy=move || busy.get().to_string()>
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
    /// The message key of what is happening.
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
            <span>{crate::components::t(text)}</span>
        </div>
    }
}
