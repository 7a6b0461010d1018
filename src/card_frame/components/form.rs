use leptos::prelude::*;

use super::{CardInput, ChallengeFrame, ROOT_ID};
use crate::card_frame::core::{FrameEvent, FrameModel};
use crate::card_frame::protocol::CardField;

/// The frame's whole document: a polite live region (there from the first
/// render), then either the four card inputs in one form (so autofill and the
/// native Tab order work) or, while 3-D Secure runs, the issuer's challenge.
/// The body branches on a memoised challenge URL, so typing never rebuilds
/// the form or loses focus.
#[component]
pub fn CardFrame(
    /// The frame's model, owned by the shell.
    #[prop(into)]
    model: Signal<FrameModel>,
    /// Sends the shopper's typing, focus and blur to the shell.
    on_event: Callback<FrameEvent>,
) -> impl IntoView {
    let challenge = Memo::new(move |_| model.with(|m| m.challenge_url().map(str::to_owned)));
    let announcement = Memo::new(move |_| model.with(|m| m.announcement().to_owned()));
    let brand = Memo::new(move |_| model.with(FrameModel::brand));
    let body = move || match challenge.get() {
        Some(url) => {
            view! { <ChallengeFrame url=url messages=model.with_untracked(|m| m.text().clone()) /> }
                .into_any()
        }
        None => view! {
            // Enter in a field submits nothing: the widget's button does.
            <form class="cw-form" novalidate on:submit=|ev| ev.prevent_default()>
                <CardInput field=CardField::Name model=model on_event=on_event />
                <div class="cw-card-number">
                    <CardInput field=CardField::Number model=model on_event=on_event />
                    <span class="cw-brand" aria-live="polite">{move || brand.get()}</span>
                </div>
                <div class="cw-row">
                    <CardInput field=CardField::Expiry model=model on_event=on_event />
                    <CardInput field=CardField::Cvc model=model on_event=on_event />
                </div>
            </form>
        }
        .into_any(),
    };
    view! {
        <div class="cw-root cw-frame" id=ROOT_ID>
            <p class="cw-visually-hidden" role="status" aria-live="polite">
                {move || announcement.get()}
            </p>
            {body}
        </div>
    }
}
