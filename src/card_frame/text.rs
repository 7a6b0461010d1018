//! PURE: the card frame's shopper text, in English, in the same words as the
//! widget's own card fields (src/i18n.rs), so a shopper reads one voice on both
//! sides of the iframe.

use crate::card_frame::protocol::CardField;
use crate::validation::Problem;

/// The visible label of a card input (also its accessible name).
pub fn label(field: CardField) -> &'static str {
    match field {
        CardField::Name => "Name on card",
        CardField::Number => "Card number",
        CardField::Expiry => "Expiration date",
        CardField::Cvc => "Security code",
    }
}

/// What is wrong with a card input, in words.
pub fn problem_message(field: CardField, problem: Problem) -> String {
    match problem {
        Problem::Required => format!("Enter {}.", required_noun(field)),
        Problem::CardNumberInvalid => "This card number is not valid.".into(),
        Problem::ExpiryInvalid => "Enter the expiration date as MM/YY.".into(),
        Problem::ExpiryPast => "This card has expired.".into(),
        Problem::CvcInvalid => "The security code is not valid for this card.".into(),
        _ => "This is too long.".into(),
    }
}

fn required_noun(field: CardField) -> &'static str {
    match field {
        CardField::Name => "the name on the card",
        CardField::Number => "the card number",
        CardField::Expiry => "the expiration date",
        CardField::Cvc => "the security code",
    }
}

/// The challenge iframe's title (its accessible name).
pub const CHALLENGE_TITLE: &str = "Card verification";

/// Shown above the challenge, and announced when it opens.
pub const CHALLENGE_NOTE: &str = "Verify this payment with your card issuer.";

/// `rtl` for Arabic and Hebrew, else `ltr` (embedding.md, "Locales").
pub fn direction(locale: &str) -> &'static str {
    let language = locale.split(['-', '_']).next().unwrap_or_default();
    if language.eq_ignore_ascii_case("ar") || language.eq_ignore_ascii_case("he") {
        "rtl"
    } else {
        "ltr"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The labels are the accessible names the browser tests look for.
    #[test]
    fn labels_are_the_contract_names() {
        let labels: Vec<_> = CardField::ALL.iter().map(|f| label(*f)).collect();
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
            problem_message(CardField::Cvc, Problem::Required),
            "Enter the security code."
        );
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
