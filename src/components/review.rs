use leptos::prelude::*;

use crate::components::ctx;
use crate::flow::Event;

/// The review step: the masked card and `Place order`, enabled only while the
/// payment session is ready and nothing is in flight.
#[component]
pub fn Review() -> impl IntoView {
    let c = ctx();
    // Plain closures, not memos: each is cheap, and tachys only touches the
    // DOM when the text or attribute actually changes.
    let card = move || {
        c.state.with(|s| {
            s.card
                .as_ref()
                .map(|k| format!("Paying with {} ending in {}", k.brand, k.last_four_digits))
        })
    };
    let email = move || {
        c.state.with(|s| {
            let email = s.checkout.as_ref().and_then(|c| c.email.as_deref());
            format!("Receipt to {}", email.unwrap_or_default())
        })
    };
    let not_ready = move || c.state.with(|s| !s.session_ready() || s.pending.is_some());
    view! {
        <section class="cw-review" aria-labelledby=format!("{}-review", c.prefix)>
            <h2 class="cw-heading" id=format!("{}-review", c.prefix)>"Review your order"</h2>
            <p class="cw-review__card">
                {card}
            </p>
            <p class="cw-review__email">{email}</p>
            <button type="button" class="cw-button cw-button--primary cw-button--block"
                disabled=not_ready
                on:click=move |_| c.on_event.run(Event::PlaceOrder)>
                "Place order"
            </button>
        </section>
    }
}
