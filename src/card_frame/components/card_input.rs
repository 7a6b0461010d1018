use leptos::prelude::*;

use super::input_id;
use crate::card_frame::core::{FrameEvent, FrameModel};
use crate::card_frame::protocol::CardField;
use crate::card_frame::text;

/// One labelled card input: its visible label (the accessible name), the
/// value as the core normalised it (grouped number, `MM/YY`), the browser's
/// `cc-*` autofill token, and its problem tied to it with `aria-invalid` and
/// `aria-describedby`.
#[component]
pub fn CardInput(
    /// Which card field.
    field: CardField,
    /// The frame's model, owned by the shell.
    #[prop(into)]
    model: Signal<FrameModel>,
    /// Sends the shopper's typing, focus and blur to the shell.
    on_event: Callback<FrameEvent>,
) -> impl IntoView {
    let id = input_id(field);
    let error_id = format!("{id}-error");
    let value = Memo::new(move |_| model.with(|m| m.value(field).to_owned()));
    let message = Memo::new(move |_| model.with(|m| m.visible_error(field)));
    let cvc_len = Memo::new(move |_| model.with(FrameModel::cvc_len));
    let (autocomplete, mode, placeholder) = match field {
        CardField::Name => ("cc-name", "text", ""),
        CardField::Number => ("cc-number", "numeric", "1234 1234 1234 1234"),
        CardField::Expiry => ("cc-exp", "numeric", ""),
        CardField::Cvc => ("cc-csc", "numeric", ""),
    };
    let placeholder = match field {
        CardField::Expiry => {
            model.with_untracked(|m| text::expiry_placeholder(m.text()).to_owned())
        }
        _ => placeholder.to_owned(),
    };
    // Digits read left to right whatever the page's direction.
    let dir = (field != CardField::Name).then_some("ltr");
    let invalid = move || message.with(Option::is_some);
    let described = {
        let error_id = error_id.clone();
        move || invalid().then(|| error_id.clone())
    };
    view! {
        <div class="cw-field" class:cw-field--invalid=invalid>
            <label class="cw-field__label" for=id>{model.with_untracked(|m| text::label(m.text(), field).to_owned())}</label>
            <input class="cw-field__input" id=id name=autocomplete type="text" inputmode=mode
                autocomplete=autocomplete placeholder=placeholder spellcheck="false" dir=dir
                maxlength=move || (field == CardField::Cvc).then(|| cvc_len.get().to_string())
                prop:value=move || value.get()
                aria-invalid=move || invalid().to_string()
                aria-describedby=described
                on:input:target=move |ev| on_event.run(FrameEvent::Input(field, ev.target().value()))
                on:focus=move |_| on_event.run(FrameEvent::Focused(field))
                on:blur=move |_| on_event.run(FrameEvent::Blurred(field)) />
            <p class="cw-field__error" id=error_id>{move || message.get()}</p>
        </div>
    }
}
