use leptos::prelude::*;

use super::CHALLENGE_ID;
use crate::card_frame::text;

/// The card issuer's 3-D Secure challenge, in a nested iframe. Its return page
/// (on the payments origin) posts `cw-3ds-return` to this frame, which accepts
/// it only from this iframe's window.
#[component]
pub fn ChallengeFrame(
    /// The issuer's challenge page (an http(s) URL, as the core checked).
    url: String,
    /// The frame's text, in its locale.
    messages: crate::i18n::Messages,
) -> impl IntoView {
    view! {
        <div class="cw-challenge">
            <p class="cw-challenge__note">{text::challenge_note(&messages).to_owned()}</p>
            // Scripts and forms for the issuer's page; its own origin kept, so
            // the return page can post as the payments origin. No popups, no
            // navigating the top page.
            <iframe id=CHALLENGE_ID class="cw-challenge__frame" title=text::challenge_title(&messages).to_owned()
                src=url sandbox="allow-scripts allow-forms allow-same-origin"></iframe>
        </div>
    }
}
