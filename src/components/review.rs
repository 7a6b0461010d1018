use crate::reactive::*;

use crate::components::el::{el_class, live_text, View};
use crate::components::Ctx;
use crate::flow::Event;

/// The review step: the masked card and `Place order`, enabled exactly when
/// the core would act on it ([`State::can_place_order`](crate::flow::State::can_place_order)).
pub fn review(c: &Ctx) -> View {
    let c = c.clone();
    let card = move || {
        c.state.with(|s| {
            s.card
                .as_ref()
                .map(|k| format!("Paying with {} ending in {}", k.brand, k.last_four_digits))
                .unwrap_or_default()
        })
    };
    let email = move || {
        c.state.with(|s| {
            let email = s.checkout.as_ref().and_then(|c| c.email.as_deref());
            format!("Receipt to {}", email.unwrap_or_default())
        })
    };
    let not_ready = move || c.state.with(|s| !s.can_place_order());
    let heading = format!("{}-review", c.prefix);
    el_class("section", "cw-review")
        .attr("aria-labelledby", heading.clone())
        .child(
            el_class("h2", "cw-heading")
                .attr("id", heading)
                .text("Review your order")
                .view(),
        )
        .child(
            el_class("p", "cw-review__card")
                .child(live_text(card))
                .view(),
        )
        .child(
            el_class("p", "cw-review__email")
                .child(live_text(email))
                .view(),
        )
        .child(
            el_class("button", "cw-button cw-button--primary cw-button--block")
                .attr("type", "button")
                .attr_live("disabled", move || not_ready().then(String::new))
                .on("click", move |_| c.on_event.run(Event::PlaceOrder))
                .text("Place order")
                .view(),
        )
        .view()
}
