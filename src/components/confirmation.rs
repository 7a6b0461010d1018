use leptos::prelude::*;

use crate::components::ctx;

/// The confirmation: a heading with `Order placed` and the order id.
#[component]
pub fn Confirmation() -> impl IntoView {
    let c = ctx();
    let order = Memo::new(move |_| c.state.with(|s| s.order.clone()));
    move || {
        let o = order.get()?;
        let note = match o.state.as_str() {
            "in_review" => "We're reviewing your order and will email you when it ships.",
            "pending_payment" => "We'll confirm your order once the payment completes.",
            _ => "A confirmation is on its way to your inbox.",
        };
        // In the order's own currency: after a reload there is no checkout.
        let total = o
            .total_amount
            .map(|t| crate::i18n::money(t, &o.currency, &c.locale.get()));
        Some(view! {
            <section class="cw-confirmation">
                <h2 class="cw-heading cw-confirmation__heading">
                    "Order placed"
                    <span class="cw-confirmation__id">{format!("Order number {}", o.id.as_str())}</span>
                </h2>
                {total.map(|t| view! { <p class="cw-confirmation__total">{format!("Total charged: {t}")}</p> })}
                <p>{note}</p>
            </section>
        })
    }
}
