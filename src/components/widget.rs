use crate::reactive::*;

use crate::components::el::{dynamic, el, el_class, live_text, nothing, show, View};
use crate::components::{
    alert_banner, confirmation, fix_form, order_summary, payment_form, review, Ctx,
};
use crate::flow::{Alert, Event, State, Step};
use crate::i18n;

/// The root of one mounted widget: a polite live region for progress, the
/// order summary, the alert, and the view of the current step. The view
/// branches on a memoised step, so typing never rebuilds the form or loses focus.
///
/// `state` is owned by the shell, `on_event` sends shopper events to it,
/// `locale` is the configured locale override (BCP 47) and `prefix` prefixes
/// this widget's element ids.
pub fn widget(
    state: RwSignal<State>,
    on_event: Callback<Event>,
    locale: Option<String>,
    prefix: String,
) -> View {
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
    let c = Ctx {
        state,
        on_event,
        prefix,
        locale,
    };
    let step = Memo::new(move |_| state.with(|s| s.step));
    let status = move || {
        match step.get() {
            Step::Loading => "Loading your checkout…",
            Step::Waiting => "Confirming your payment details…",
            Step::Review => "Your payment details are confirmed. Review your order.",
            Step::Submitting => "Placing your order…",
            Step::Complete => "Order placed.",
            Step::Payment | Step::Fix | Step::Error => "",
        }
        .to_owned()
    };
    let body = {
        let c = c.clone();
        move || match step.get() {
            Step::Loading => el_class("div", "cw-skeleton")
                .attr("aria-hidden", "true")
                .view(),
            Step::Payment => payment_form(&c),
            Step::Waiting => progress(state, "Confirming your payment details…"),
            Step::Review => review(&c),
            Step::Submitting => progress(state, "Placing your order…"),
            Step::Fix => fix_form(&c),
            Step::Complete => confirmation(&c),
            Step::Error => nothing(),
        }
    };
    let show_summary = Memo::new(move |_| !matches!(step.get(), Step::Loading | Step::Complete));
    el_class("div", "cw-root")
        .attr_live("aria-busy", move || {
            Some(state.with(|s| s.pending.is_some()).to_string())
        })
        .child(
            el_class("p", "cw-visually-hidden")
                .attr("role", "status")
                .attr("aria-live", "polite")
                .child(live_text(status))
                .view(),
        )
        .child(show(show_summary, {
            let c = c.clone();
            move || order_summary(&c)
        }))
        .child(alert_banner(&c))
        .child(dynamic(body))
        .view()
}

/// A visible progress line with a spinner (the live region says it too).
fn progress(state: RwSignal<State>, what: &'static str) -> View {
    let stalled = Memo::new(move |_| state.with(|s| matches!(s.alert, Some(Alert::StillWaiting))));
    el_class("div", "cw-progress")
        .attr("aria-hidden", "true")
        .child(
            el("span")
                .class_when("cw-spinner", "cw-spinner--stopped", move || stalled.get())
                .view(),
        )
        .child(el("span").text(what).view())
        .view()
}
