use leptos::prelude::*;

use crate::flow::Failure;
use crate::i18n;

/// An alert with a shopper-worded failure and, when retrying can help, `Try again`.
#[component]
pub fn ErrorPanel(
    /// The failure to explain.
    #[prop(into)]
    failure: Signal<Option<Failure>>,
    /// Called when the shopper presses `Try again`.
    on_retry: Callback<()>,
) -> impl IntoView {
    move || {
        let f = failure.get()?;
        let retry = f.retryable().then(|| {
            view! {
                <button type="button" class="cw-button cw-button--primary" on:click=move |_| on_retry.run(())>
                    "Try again"
                </button>
            }
        });
        Some(view! {
            <div class="cw-alert" role="alert">
                <p class="cw-alert__message">{i18n::failure_message(&f)}</p>
                {retry}
            </div>
        })
    }
}
