use leptos::prelude::*;

use crate::components::ctx;
use crate::components::el::{dynamic, el, el_class, nothing};

/// The confirmation: a heading with `Order placed` and the order id.
pub fn confirmation() -> AnyView {
    let c = ctx();
    let order = Memo::new(move |_| c.state.with(|s| s.order.clone()));
    dynamic(move || {
        let Some(o) = order.get() else {
            return nothing();
        };
        let note = match o.state.as_str() {
            "in_review" => "We're reviewing your order and will email you when it ships.",
            "pending_payment" => "We'll confirm your order once the payment completes.",
            _ => "A confirmation is on its way to your inbox.",
        };
        let mut section = el_class("section", "cw-confirmation").child(
            el_class("h2", "cw-heading cw-confirmation__heading")
                .text("Order placed")
                .child(
                    el_class("span", "cw-confirmation__id")
                        .text(format!("Order number {}", o.id.as_str()))
                        .view(),
                )
                .view(),
        );
        if let Some(t) = o.total_amount {
            section = section.child(
                el_class("p", "cw-confirmation__total")
                    .text(format!("Total charged: {}", c.money(t)))
                    .view(),
            );
        }
        section.child(el("p").text(note).view()).view()
    })
}
