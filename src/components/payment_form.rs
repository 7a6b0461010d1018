use leptos::prelude::*;

use crate::components::{ctx, Fieldset, FormField};
use crate::flow::{Event, Field};
use crate::validation;

/// Payment entry: card details, then contact and billing (prefilled from the
/// checkout). Submitting sends `Continue` (or `Pay <amount>` without review);
/// the core validates, and ignores repeats while a request is in flight.
#[component]
pub fn PaymentForm() -> impl IntoView {
    let c = ctx();
    let review = c.state.with_untracked(|s| s.config.review);
    let brand = Memo::new(move |_| {
        c.state
            .with(|s| validation::brand(s.form.get(Field::CardNumber)).map(validation::Brand::name))
    });
    let needs_state = Memo::new(move |_| {
        c.state
            .with(|s| validation::needs_state(s.form.get(Field::Country)))
    });
    let total = Memo::new(move |_| {
        c.state
            .with(|s| s.checkout.as_ref().and_then(|c| c.total_amount))
    });
    let cc = c.clone();
    let button = move || {
        if review {
            "Continue".to_owned()
        } else {
            match total.get() {
                Some(t) => format!("Pay {}", cc.money(t)),
                None => "Pay".to_owned(),
            }
        }
    };
    let busy = Memo::new(move |_| c.state.with(|s| s.pending.is_some()));
    view! {
        <form class="cw-form" novalidate
            on:submit=move |ev| {
                ev.prevent_default();
                c.on_event.run(Event::Continue);
            }>
            <Fieldset legend="Payment details">
                <FormField field=Field::Name />
                <div class="cw-card-number">
                    <FormField field=Field::CardNumber />
                    <span class="cw-brand" aria-live="polite">{move || brand.get()}</span>
                </div>
                <div class="cw-row">
                    <FormField field=Field::Expiry />
                    <FormField field=Field::Cvc />
                </div>
            </Fieldset>
            <Fieldset legend="Contact and billing">
                <FormField field=Field::Email />
                <FormField field=Field::Line1 />
                <FormField field=Field::City />
                <div class="cw-row">
                    <FormField field=Field::PostalCode />
                    <FormField field=Field::Country />
                </div>
                <Show when=move || needs_state.get()>
                    <FormField field=Field::State />
                </Show>
            </Fieldset>
            <button type="submit" class="cw-button cw-button--primary cw-button--block"
                class:cw-button--busy=move || busy.get()>
                {button}
            </button>
        </form>
    }
}
