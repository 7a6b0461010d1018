use leptos::prelude::*;

use crate::i18n;
use crate::model::Checkout;

/// The order summary: items, subtotal, tax, shipping, discount and total, in the
/// checkout's currency. Product names are server text and render as text.
#[component]
pub fn OrderSummary(
    /// The loaded checkout (`None` renders nothing).
    #[prop(into)]
    checkout: Signal<Option<Checkout>>,
    /// Locale override; else the checkout's locale; else the page's.
    locale: Option<String>,
) -> impl IntoView {
    let locale = Memo::new(move |_| {
        locale.clone().unwrap_or_else(|| {
            checkout
                .with(|c| {
                    c.as_ref()
                        .and_then(|c| c.locale.as_deref().map(i18n::bcp47))
                })
                .unwrap_or_else(i18n::page_locale)
        })
    });
    move || {
        let c = checkout.get()?;
        let loc = locale.get();
        let fmt = move |amount: Option<f64>| match amount {
            Some(a) => i18n::money(a, &c.currency, &loc),
            None => "—".to_owned(),
        };
        let items = c
            .items
            .iter()
            .map(|item| {
                view! {
                    <li class="cw-summary__item">
                        <span class="cw-summary__name">{item.product_details.name.clone()}</span>
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
        let discount = c.total_discount.filter(|d| *d > 0.0);
        Some(view! {
            <section class="cw-summary" aria-label="Order summary">
                <h2 class="cw-heading">"Order summary"</h2>
                <ul class="cw-summary__items">{items}</ul>
                <dl class="cw-summary__totals">
                    {row("Subtotal", fmt(c.subtotal), "")}
                    {row("Tax", fmt(c.total_tax), "")}
                    {row("Shipping", fmt(c.total_shipping), "")}
                    {discount.map(|d| row("Discount", format!("−{}", fmt(Some(d))), ""))}
                    {row("Total", fmt(c.total_amount), "cw-summary__row--total")}
                </dl>
            </section>
        })
    }
}
