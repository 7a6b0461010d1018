use crate::reactive::*;

use crate::components::el::{el, el_class, live_text, show, View};
use crate::components::Ctx;
use crate::flow::{Alert, Event};
use crate::i18n;

/// The message above the current step (`role="alert"`), with `Try again` when
/// the core offers a retry. Server text renders as text, never as HTML.
///
/// The banner appears when an alert does and goes with it; while it stays, its
/// tone and text follow the current alert in place (a `role="alert"` region
/// announces the change). Bool memos only: no memo over the `Alert` itself.
pub fn alert_banner(c: &Ctx) -> View {
    let c = c.clone();
    let shown = Memo::new(move |_| c.state.with(|s| s.alert.is_some()));
    let retry = Memo::new(move |_| c.state.with(|s| s.retry.is_some()));
    let warning = move || {
        c.state
            .with(|s| matches!(s.alert, Some(Alert::StillWaiting | Alert::Invalid)))
    };
    let message = move || {
        c.state
            .with(|s| s.alert.as_ref().map(i18n::alert_message))
            .unwrap_or_default()
    };
    show(shown, move || {
        el("div")
            .class_when("cw-alert", "cw-alert--warning", warning)
            .attr("role", "alert")
            .child(
                el_class("p", "cw-alert__message")
                    .child(live_text(message))
                    .view(),
            )
            .child(show(retry, move || {
                el_class("button", "cw-button cw-button--secondary")
                    .attr("type", "button")
                    .on("click", move |_| c.on_event.run(Event::Retry))
                    .text("Try again")
                    .view()
            }))
            .view()
    })
}
