//! The card frame's components, one per file. They render the frame's model
//! and send the shopper's typing, focus and blur up; they decide nothing.

mod card_input;
mod challenge_frame;
mod form;

use crate::card_frame::protocol::CardField;

pub use card_input::CardInput;
pub use challenge_frame::ChallengeFrame;
pub use form::CardFrame;

/// The frame's root element (its size is the frame's content height).
pub const ROOT_ID: &str = "cw-frame";

/// The challenge iframe (only its window may post the 3-D Secure return).
pub const CHALLENGE_ID: &str = "cw-challenge";

/// The element id of a card input (one form per document: no prefix needed).
pub fn input_id(field: CardField) -> &'static str {
    match field {
        CardField::Name => "cw-name",
        CardField::Number => "cw-number",
        CardField::Expiry => "cw-expiry",
        CardField::Cvc => "cw-cvc",
    }
}
