use crate::reactive::*;

use crate::components::el::{dynamic, el, el_class, nothing, View};
use crate::components::Ctx;

/// The order summary: items, subtotal, tax, shipping, discount and total, in the
/// checkout's currency and locale. Product names are server text: rendered as text.
pub fn order_summary(c: &Ctx) -> View {
    let c = c.clone();
    let checkout = Memo::new(move |_| c.state.with(|s| s.checkout.clone()));
    dynamic(move || {
        let Some(k) = checkout.get() else {
            return nothing();
        };
        let fmt = |amount: Option<f64>| match amount {
            Some(a) => c.money(a),
            None => "—".to_owned(),
        };
        let items = k.items.iter().map(|item| {
            let cell = |class, text: String| el_class("span", class).text(text).view();
            el_class("li", "cw-summary__item")
                .child(cell("cw-summary__name", item.name().to_owned()))
                .child(cell("cw-summary__qty", format!("× {}", item.quantity)))
                .child(cell("cw-summary__amount", fmt(Some(item.amount))))
                .view()
        });
        let row = |label: &'static str, value: String, class: &'static str| {
            el_class("div", class)
                .child(el("dt").text(label).view())
                .child(el("dd").text(value).view())
                .view()
        };
        let plain = "cw-summary__row";
        let mut totals = el_class("dl", "cw-summary__totals")
            .child(row("Subtotal", fmt(k.subtotal), plain))
            .child(row("Tax", fmt(k.total_tax), plain))
            .child(row("Shipping", fmt(k.total_shipping), plain));
        if let Some(d) = k.total_discount.filter(|d| *d > 0.0) {
            totals = totals.child(row("Discount", format!("−{}", fmt(Some(d))), plain));
        }
        let totals = totals.child(row(
            "Total",
            fmt(k.total_amount),
            "cw-summary__row cw-summary__row--total",
        ));
        el_class("section", "cw-summary")
            .attr("aria-label", "Order summary")
            .child(el_class("ul", "cw-summary__items").children(items).view())
            .child(totals.view())
            .view()
    })
}
