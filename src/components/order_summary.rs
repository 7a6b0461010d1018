use leptos::prelude::*;

use crate::components::ctx;

/// The order summary: items, subtotal, tax, shipping, discount and total, in the
/// checkout's currency and locale. Product names are server text: rendered as text.
#[component]
pub fn OrderSummary() -> impl IntoView {
    let c = ctx();
    let checkout = Memo::new(move |_| c.state.with(|s| s.checkout.clone()));
    move || {
        let k = checkout.get()?;
        let cc = c.clone();
        let fmt = move |amount: Option<f64>| match amount {
            Some(a) => cc.money(a),
            None => "—".to_owned(),
        };
        let items = k
            .items
            .iter()
            .map(|item| {
                view! {
                    <li class="cw-summary__item">
                        <span class="cw-summary__name">{item.name().to_owned()}</span>
                        <span class="cw-summary__qty">{format!("× {}", item.quantity)}</span>
                        <span class="cw-summary__amount">{fmt(Some(item.amount))}</span>
                    </li>
                }
            })
            .collect_view();
        let row = |label: &'static str, value: String, modifier: &'static str| {
            view! {
                <div class=format!("cw-summary__row {modifier}")>
                    <dt>{label}</dt>
                    <dd>{value}</dd>
                </div>
            }
        };
        let discount = k.total_discount.filter(|d| *d > 0.0);
        Some(view! {
            <section class="cw-summary" aria-label="Order summary">
                <ul class="cw-summary__items">{items}</ul>
                <dl class="cw-summary__totals">
                    {row("Subtotal", fmt(k.subtotal), "")}
                    {row("Tax", fmt(k.total_tax), "")}
                    {row("Shipping", fmt(k.total_shipping), "")}
                    {discount.map(|d| row("Discount", format!("−{}", fmt(Some(d))), ""))}
                    {row("Total", fmt(k.total_amount), "cw-summary__row--total")}
                </dl>
            </section>
        })
    }
}
