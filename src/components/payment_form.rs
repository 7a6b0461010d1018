use crate::reactive::*;

use crate::components::el::{el, el_class, live_text, show, View};
use crate::components::{fieldset, form_field, Ctx};
use crate::flow::{Event, Field};
use crate::validation;

/// Payment entry: card details, then contact and billing (prefilled from the
/// checkout). Submitting sends `Continue` (or `Pay <amount>` without review);
/// the core validates, and ignores repeats while a request is in flight.
pub fn payment_form(c: &Ctx) -> View {
    let c = c.clone();
    let review = c.state.with_untracked(|s| s.config.review);
    // Plain closures, not memos: each is cheap, and a live value only touches the
    // DOM when the text or class actually changes.
    let brand = move || {
        c.state
            .with(|s| validation::brand(s.form.get(Field::CardNumber)).map(validation::Brand::name))
            .unwrap_or_default()
            .to_owned()
    };
    let needs_state = Memo::new(move |_| {
        c.state
            .with(|s| validation::needs_state(s.form.get(Field::Country)))
    });
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
    let row = |a: Field, b: Field| {
        el_class("div", "cw-row")
            .child(form_field(&c, a))
            .child(form_field(&c, b))
            .view()
    };
    let card = fieldset("Payment details")
        .child(form_field(&c, Field::Name))
        .child(
            el_class("div", "cw-card-number")
                .child(form_field(&c, Field::CardNumber))
                .child(
                    el_class("span", "cw-brand")
                        .attr("aria-live", "polite")
                        .child(live_text(brand))
                        .view(),
                )
                .view(),
        )
        .child(row(Field::Expiry, Field::Cvc));
    let billing = fieldset("Contact and billing")
        .child(form_field(&c, Field::Email))
        .child(form_field(&c, Field::Line1))
        .child(form_field(&c, Field::City))
        .child(row(Field::PostalCode, Field::Country))
        .child(show(needs_state, {
            let c = c.clone();
            move || form_field(&c, Field::State)
        }));
    el_class("form", "cw-form")
        .attr("novalidate", "")
        .on("submit", move |ev| {
            ev.prevent_default();
            c.on_event.run(Event::Continue);
        })
        .child(card.view())
        .child(billing.view())
        .child(
            el("button")
                .class_when(
                    "cw-button cw-button--primary cw-button--block",
                    "cw-button--busy",
                    busy,
                )
                .attr("type", "submit")
                .child(live_text(button))
                .view(),
        )
        .view()
}
