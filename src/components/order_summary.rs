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
                // The merchant's product image, beside the name (so decorative:
                // `alt=""`), at a fixed size so nothing shifts when it loads.
                let image = item
                    .product_details
                    .get("image")
                    .and_then(|i| i.as_str())
                    .filter(|i| !i.trim().is_empty())
                    .map(str::to_owned);
                let with_image = image.is_some();
                view! {
                    <li class="cw-summary__item" class:cw-summary__item--image=with_image>
                        {image.map(|src| view! {
                            <img class="cw-summary__image" src=src alt="" width="48" height="48"
                                decoding="async" />
                        })}
                        <span class="cw-summary__name">{item.name().to_owned()}</span>
                        <span class="cw-summary__qty">{format!("× {}", item.quantity)}</span>
                        <span class="cw-summary__amount">{fmt(Some(item.amount))}</span>
                    </li>
                }
            })
            .collect_view();
        let text = c.text.get();
        let row = |key: &'static str, value: String, modifier: &'static str| {
            view! {
                <div class=format!("cw-summary__row {modifier}")>
                    <dt>{text.get(key).to_owned()}</dt>
                    <dd>{value}</dd>
                </div>
            }
        };
        let discount = k.total_discount.filter(|d| *d > 0.0);
        Some(view! {
            <section class="cw-summary" aria-label=text.get("label.order_summary").to_owned()>
                <ul class="cw-summary__items">{items}</ul>
                <dl class="cw-summary__totals">
                    {row("summary.subtotal", fmt(k.subtotal), "")}
                    {row("summary.tax", fmt(k.total_tax), "")}
                    {row("summary.shipping", fmt(k.total_shipping), "")}
                    {discount.map(|d| row("summary.discount", format!("−{}", fmt(Some(d))), ""))}
                    {row("summary.total", fmt(k.total_amount), "cw-summary__row--total")}
                </dl>
            </section>
        })
    }
}
