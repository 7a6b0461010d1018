use leptos::prelude::*;

use crate::components::{ctx, t};
use crate::flow::{Alert, Event};

/// The message above the current step (`role="alert"`), with `Try again` when
/// the core offers a retry, and `Verify again` / `Use another card` after a
/// 3-D Secure challenge was cancelled or ran out of time. Server text renders
/// as text, never as HTML.
///
/// The banner appears with an alert and goes with it; while it stays, its tone
/// and text follow the current alert in place, so the `role="alert"` region
/// announces the change instead of being rebuilt.
#[component]
pub fn AlertBanner() -> impl IntoView {
    let c = ctx();
    let shown = Memo::new(move |_| c.state.with(|s| s.alert.is_some()));
    let can_retry = Memo::new(move |_| c.state.with(|s| s.retry.is_some()));
    let warning = Memo::new(move |_| {
        c.state
            .with(|s| matches!(s.alert, Some(Alert::StillWaiting | Alert::Invalid)))
    });
    let abandoned = Memo::new(move |_| {
        c.state
            .with(|s| matches!(s.alert, Some(Alert::ChallengeAbandoned { .. })))
    });
    let message = Memo::new(move |_| {
        c.text
            .with(|t| c.state.with(|s| s.alert.as_ref().map(|a| t.alert(a))))
            .unwrap_or_default()
    });
    view! {
        <Show when=move || shown.get()>
            <div class="cw-alert" class:cw-alert--warning=move || warning.get() role="alert">
                <p class="cw-alert__message">{move || message.get()}</p>
                <Show when=move || can_retry.get()>
                    <button type="button" class="cw-button cw-button--secondary"
                        on:click=move |_| c.on_event.run(Event::Retry)>
                        {t("button.try_again")}
                    </button>
                </Show>
                <Show when=move || abandoned.get()>
                    <div class="cw-alert__actions">
                        <button type="button" class="cw-button cw-button--primary"
                            on:click=move |_| c.on_event.run(Event::VerifyAgain)>
                            {t("button.verify_again")}
                        </button>
                        <button type="button" class="cw-button cw-button--secondary"
                            on:click=move |_| c.on_event.run(Event::UseAnotherCard)>
                            {t("button.use_another_card")}
                        </button>
                    </div>
                </Show>
            </div>
        </Show>
    }
}
