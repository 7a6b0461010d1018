use leptos::prelude::*;

use crate::components::ctx;
use crate::flow::{Alert, Event};
use crate::i18n;

/// The message above the current step (`role="alert"`), with `Try again` when
/// the core offers a retry. Server text renders as text, never as HTML.
#[component]
pub fn AlertBanner() -> impl IntoView {
    let c = ctx();
    let alert = Memo::new(move |_| c.state.with(|s| s.alert.clone()));

    move || {
        let a = alert.get()?;
        let tone = match a {
            Alert::StillWaiting | Alert::Invalid => "cw-alert cw-alert--warning",
            _ => "cw-alert",
        };
        let retry = move || {
            c.state.with(|s| s.retry.is_some()).then(|| {
                view! {
                    <button type="button" class="cw-button cw-button--secondary"
                        on:click=move |_| c.on_event.run(Event::Retry)>
                        "Try again"
                    </button>
                }
            })
        };
        Some(view! {
            <div class=tone role="alert">
                <p class="cw-alert__message">{i18n::alert_message(&a)}</p>
                {retry}
            </div>
        })
    }
}
