use leptos::prelude::*;

use crate::components::ctx;
use crate::components::el::{dynamic, el_class, nothing, text};
use crate::flow::{Alert, Event};
use crate::i18n;

/// The message above the current step (`role="alert"`), with `Try again` when
/// the core offers a retry. Server text renders as text, never as HTML.
pub fn alert_banner() -> AnyView {
    let c = ctx();
    let alert = Memo::new(move |_| c.state.with(|s| s.alert.clone()));
    let retry = Memo::new(move |_| c.state.with(|s| s.retry.is_some()));
    dynamic(move || {
        let Some(a) = alert.get() else {
            return nothing();
        };
        let tone = match a {
            Alert::StillWaiting | Alert::Invalid => "cw-alert cw-alert--warning",
            _ => "cw-alert",
        };
        el_class("div", tone)
            .attr("role", "alert")
            .child(
                el_class("p", "cw-alert__message")
                    .child(text(i18n::alert_message(&a)))
                    .view(),
            )
            .child(dynamic(move || {
                if !retry.get() {
                    return nothing();
                }
                el_class("button", "cw-button cw-button--secondary")
                    .attr("type", "button")
                    .on("click", move |_| c.on_event.run(Event::Retry))
                    .text("Try again")
                    .view()
            }))
            .view()
    })
}
