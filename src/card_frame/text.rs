//! PURE: the card frame's shopper text, from the shared message tables
//! (src/i18n/), so a shopper reads one voice on both sides of the iframe. The
//! frame's locale and the merchant's overrides for its keys come in the init.

use crate::card_frame::protocol::CardField;
use crate::i18n::{self, Messages};
use crate::validation::Problem;

pub use crate::i18n::direction;

/// The message key of a card input's label.
fn label_key(field: CardField) -> &'static str {
    match field {
        CardField::Name => "card.name",
        CardField::Number => "card.number",
        CardField::Expiry => "card.expiry",
        CardField::Cvc => "card.cvc",
    }
}

/// The visible label of a card input (also its accessible name).
pub fn label(t: &Messages, field: CardField) -> &str {
    t.get(label_key(field))
}

/// What is wrong with a card input, in words.
pub fn problem_message(t: &Messages, field: CardField, problem: Problem) -> String {
    let key = match problem {
        Problem::Required => match field {
            CardField::Name => "card.name_required",
            CardField::Number => "card.number_required",
            CardField::Expiry => "card.expiry_required",
            CardField::Cvc => "card.cvc_required",
        },
        Problem::CardNumberInvalid
        | Problem::ExpiryInvalid
        | Problem::ExpiryPast
        | Problem::CvcInvalid => i18n::problem_key(problem),
        _ => "problem.too_long",
    };
    t.get(key).to_owned()
}

/// The expiry input's placeholder (`MM/YY`, `MM/JJ`, …).
pub fn expiry_placeholder(t: &Messages) -> &str {
    t.get("card.expiry_placeholder")
}

/// The challenge iframe's title (its accessible name).
pub fn challenge_title(t: &Messages) -> &str {
    t.get("card.challenge_title")
}

/// Shown above the challenge, and announced when it opens.
pub fn challenge_note(t: &Messages) -> &str {
    t.get("card.challenge_note")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The labels are the accessible names the browser tests look for.
    #[test]
    fn labels_are_the_contract_names() {
        let en = Messages::default();
        let labels: Vec<_> = CardField::ALL.iter().map(|f| label(&en, *f)).collect();
        assert_eq!(
            labels,
            [
                "Name on card",
                "Card number",
                "Expiration date",
                "Security code"
            ]
        );
        assert_eq!(
            problem_message(&en, CardField::Cvc, Problem::Required),
            "Enter the security code."
        );
        assert_eq!(
            problem_message(&en, CardField::Number, Problem::CardNumberInvalid),
            "This card number is not valid."
        );
        assert_eq!(challenge_title(&en), "Card verification");
        assert_eq!(
            challenge_note(&en),
            "Verify this payment with your card issuer."
        );
    }

    #[test]
    fn the_frame_speaks_its_locale_with_overrides() {
        let de = Messages::with_resolved("de-DE", vec![("card.cvc".into(), "CVC".into())]);
        assert_eq!(label(&de, CardField::Number), "Kartennummer");
        assert_eq!(label(&de, CardField::Cvc), "CVC");
        assert_eq!(expiry_placeholder(&de), "MM/JJ");
        let ar = Messages::new("ar", &[]);
        assert_eq!(label(&ar, CardField::Number), "رقم البطاقة");
        assert_eq!(direction(ar.locale()), "rtl");
    }

    #[test]
    fn direction_follows_the_language() {
        for (locale, dir) in [
            ("ar", "rtl"),
            ("ar-EG", "rtl"),
            ("he_IL", "rtl"),
            ("HE", "rtl"),
            ("en-US", "ltr"),
            ("hr", "ltr"),
            ("", "ltr"),
        ] {
            assert_eq!(direction(locale), dir, "{locale}");
        }
    }
}
