use leptos::prelude::*;

use crate::components::{ctx, t, BrandMark};
use crate::flow::Event;

/// The review step: the masked card and `Place order`, enabled exactly when
/// the core would act on it ([`State::can_place_order`](crate::flow::State::can_place_order)).
#[component]
pub fn Review() -> impl IntoView {
    let c = ctx();
    let card = Memo::new(move |_| c.state.with(|s| s.card.clone()));
    let email = Memo::new(move |_| {
        c.state.with(|s| {
            s.checkout
                .as_ref()
                .and_then(|c| c.email.clone())
                .unwrap_or_default()
        })
    });
    let ready = Memo::new(move |_| c.state.with(|s| s.can_place_order()));
    // A refused save, said plainly; the purchase goes on with the card.
    let save_refused = Memo::new(move |_| c.state.with(|s| s.wallet.save_refused.clone()));
    let text = c.text;
    view! {
        <section class="cw-review" aria-labelledby=format!("{}-review", c.prefix)>
            <h2 class="cw-heading" id=format!("{}-review", c.prefix)>{t("review.heading")}</h2>
            <p class="cw-review__card">
                {move || card.get().map(|k| view! { <BrandMark brand=k.brand /> })}
                {move || card.get().map(|k| text.with(|m| {
                    m.fill("review.paying_with", &[("brand", &k.brand), ("last4", &k.last_four_digits)])
                }))}
            </p>
            {move || save_refused.get().map(|m| {
                let note = text.with(|t| if m.is_empty() {
                    t.get("review.save_refused").to_owned()
                } else {
                    t.fill("review.save_refused_reason", &[("message", &m)])
                });
                view! { <p class="cw-review__note">{note}</p> }
            })}
            <p class="cw-review__email">{move || text.with(|m| m.fill("review.receipt", &[("email", &email.get())]))}</p>
            <button type="button" class="cw-button cw-button--primary cw-button--block"
                disabled=move || !ready.get()
                on:click=move |_| c.on_event.run(Event::PlaceOrder)>
                {t("button.place_order")}
            </button>
        </section>
    }
}
