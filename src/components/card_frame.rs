use leptos::prelude::*;

use crate::components::{ctx, t};
use crate::flow::Step;

/// Height of the card frame before it reports its own (CSS pixels).
const INITIAL_HEIGHT: u32 = 232;

/// The card frame: an iframe from the payments origin holding the card inputs
/// (and, during 3-D Secure, the issuer's challenge). Card data is typed there
/// and never reaches this page. Shown at payment entry and while the card is
/// being verified; kept (hidden) in other steps, so the shopper's card stays
/// typed across them. The frame reports its height; a new `src` (a reload
/// after it failed) is a new iframe.
#[component]
pub fn CardFrame() -> impl IntoView {
    let c = ctx();
    // At payment entry with `Use a new card`, and during any challenge (a
    // saved card's too); kept, hidden, otherwise.
    let shown = Memo::new(move |_| {
        c.state.with(|s| match s.step {
            Step::Payment => s.wallet.choice.is_none(),
            Step::Authenticating => true,
            _ => false,
        })
    });
    let height = Memo::new(move |_| {
        c.state.with(|s| match s.frame.state.height {
            0 => INITIAL_HEIGHT,
            h => h.min(4_000),
        })
    });
    let on_load = c.on_frame_load;
    move || {
        let src = c.frame_src.get();
        view! {
            <iframe class="cw-card-frame" class:cw-card-frame--hidden=move || !shown.get()
                title=t("label.card_frame") src=src
                // The `height` attribute, not a style: no inline style under the CSP.
                height=move || height.get().to_string()
                on:load:target=move |ev| on_load.run(ev.target())>
            </iframe>
        }
    }
}
