use leptos::prelude::*;

use crate::components::{ctx, t, Fieldset, FormField};
use crate::flow::{Event, Field};
use crate::validation;

/// Payment entry on this page: contact and billing (prefilled from the
/// checkout), below the card frame that holds the card itself. Submitting
/// sends `Continue` (or `Pay <amount>` without review); the core checks this
/// form and the frame's report together, and ignores repeats while a request
/// is in flight.
#[component]
pub fn PaymentForm() -> impl IntoView {
    let c = ctx();
    let review = c.state.with_untracked(|s| s.config.review);
    let needs_state = Memo::new(move |_| {
        c.state
            .with(|s| validation::needs_state(s.form.get(Field::Country)))
    });
    let total = Memo::new(move |_| {
        c.state
            .with(|s| s.checkout.as_ref().and_then(|c| c.total_amount))
    });
    let cc = c.clone();
    let text = c.text;
    let button = move || {
        text.with(|m| {
            if review {
                m.get("button.continue").to_owned()
            } else {
                match total.get() {
                    Some(t) => m.fill("button.pay", &[("amount", &cc.money(t))]),
                    None => m.get("button.pay_no_amount").to_owned(),
                }
            }
        })
    };
    let busy = Memo::new(move |_| c.state.with(|s| s.pending.is_some()));
    // For a registered shopper paying with a new card.
    let can_save = Memo::new(move |_| {
        c.state
            .with(|s| s.wallet.customer.is_some() && s.wallet.choice.is_none())
    });
    let save = Memo::new(move |_| c.state.with(|s| s.wallet.save_new));
    let save_id = format!("{}-save-card", c.prefix);
    view! {
        <form class="cw-form" novalidate
            on:submit=move |ev| {
                ev.prevent_default();
                c.on_event.run(Event::Continue);
            }>
            <Show when=move || can_save.get()>
                <div class="cw-check">
                    <input type="checkbox" class="cw-check__input" id=save_id.clone()
                        prop:checked=move || save.get()
                        on:change:target=move |ev| {
                            c.on_event.run(Event::SaveNewCard(ev.target().checked()))
                        } />
                    <label class="cw-check__label" for=save_id.clone()>
                        {t("label.save_card")}
                    </label>
                </div>
            </Show>
            <Fieldset legend="legend.contact_billing">
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
