use leptos::prelude::*;

use crate::components::{ctx, FormField};
use crate::flow::{Event, Field};
use crate::validation;

/// Payment entry: card details, then contact and billing (prefilled from the
/// checkout). Submitting sends `Continue` (or `Pay <amount>` without review);
/// the core validates, and ignores repeats while a request is in flight.
#[component]
pub fn PaymentForm() -> impl IntoView {
    let c = ctx();
    let review = c.state.with_untracked(|s| s.config.review);
    // Plain closures, not memos: each is cheap, and tachys only touches the
    // DOM when the text or class actually changes.
    let brand = move || {
        c.state
            .with(|s| validation::brand(s.form.get(Field::CardNumber)).map(validation::Brand::name))
    };
    let needs_state = move || {
        c.state
            .with(|s| validation::needs_state(s.form.get(Field::Country)))
    };
    let cc = c.clone();
    let button = move || {
        if review {
            return "Continue".to_owned();
        }
        match cc
            .state
            .with(|s| s.checkout.as_ref().and_then(|c| c.total_amount))
        {
            Some(t) => format!("Pay {}", cc.money(t)),
            None => "Pay".to_owned(),
        }
    };
    let busy = move || c.state.with(|s| s.pending.is_some());
    view! {
        <form class="cw-form" novalidate
            on:submit=move |ev| {
                ev.prevent_default();
                c.on_event.run(Event::Continue);
            }>
            <fieldset class="cw-fieldset">
                <legend class="cw-legend">"Payment details"</legend>
                <FormField field=Field::Name />
                <div class="cw-card-number">
                    <FormField field=Field::CardNumber />
                    <span class="cw-brand" aria-live="polite">{brand}</span>
                </div>
                <div class="cw-row">
                    <FormField field=Field::Expiry />
                    <FormField field=Field::Cvc />
                </div>
            </fieldset>
            <fieldset class="cw-fieldset">
                <legend class="cw-legend">"Contact and billing"</legend>
                <FormField field=Field::Email />
                <FormField field=Field::Line1 />
                <FormField field=Field::City />
                <div class="cw-row">
                    <FormField field=Field::PostalCode />
                    <FormField field=Field::Country />
                </div>
                <Show when=needs_state>
                    <FormField field=Field::State />
                </Show>
            </fieldset>
            <button type="submit" class="cw-button cw-button--primary cw-button--block"
                class:cw-button--busy=busy>
                {button}
            </button>
        </form>
    }
}
