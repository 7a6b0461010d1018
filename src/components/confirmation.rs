use leptos::prelude::*;

use crate::components::{ctx, BrandMark};

/// The confirmation: a heading with `Order placed` and the order id.
#[component]
pub fn Confirmation() -> impl IntoView {
    let c = ctx();
    let order = Memo::new(move |_| c.state.with(|s| s.order.clone()));
    let card = Memo::new(move |_| c.state.with(|s| s.card.clone()));
    move || {
        let o = order.get()?;
        let text = c.text.get();
        let note = text
            .get(match o.state.as_str() {
                "in_review" => "confirmation.in_review",
                "pending_payment" => "confirmation.pending_payment",
                _ => "confirmation.sent",
            })
            .to_owned();
        // In the order's own currency: after a reload there is no checkout.
        let total = o
            .total_amount
            .map(|t| crate::i18n::intl::money(t, &o.currency, &c.locale.get()));
        Some(view! {
            <section class="cw-confirmation">
                <h2 class="cw-heading cw-confirmation__heading">
                    {text.get("confirmation.heading").to_owned()}
                    <span class="cw-confirmation__id">
                        {text.fill("confirmation.order_number", &[("id", o.id.as_str())])}
                    </span>
                </h2>
                {total.map(|t| view! {
                    <p class="cw-confirmation__total">{text.fill("confirmation.total", &[("total", &t)])}</p>
                })}
                {card.get().map(|k| view! {
                    <p class="cw-confirmation__card">
                        <BrandMark brand=k.brand.clone() />
                        {text.card_name(&k.brand, &k.last_four_digits)}
                    </p>
                })}
                <p>{note}</p>
            </section>
        })
    }
}
