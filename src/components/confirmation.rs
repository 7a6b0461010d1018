use crate::reactive::*;

use crate::components::el::{el, el_class, nothing, View};
use crate::components::Ctx;

/// The confirmation: a heading with `Order placed` and the order id.
/// Built when the journey completes; the order it shows no longer changes.
pub fn confirmation(c: &Ctx) -> View {
    let Some(o) = c.state.with_untracked(|s| s.order.clone()) else {
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
}
