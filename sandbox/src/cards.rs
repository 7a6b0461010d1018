//! Card rules of the sandbox provider: Luhn, brand, and what each test card does.

/// What the sandbox does with a card at `POST /sources` and `POST /orders`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Source is chargeable and orders succeed.
    Approve,
    /// Source is fine; `POST /orders` answers 409 `failed-request`.
    DeclineAtOrder,
    /// `POST /sources` fails: the card cannot be used.
    FailSource,
    /// A 3-D Secure card: the source starts `requires_action` and needs the
    /// ACS challenge (password `password`); once passed it behaves as `Approve`.
    ThreeDSecure,
}

/// Digits only, spaces and dashes removed; `None` if anything else is present.
pub fn normalize(number: &str) -> Option<String> {
    let digits: String = number.chars().filter(|c| *c != ' ' && *c != '-').collect();
    (!digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())).then_some(digits)
}

/// The Luhn checksum, over a digits-only string.
pub fn luhn_valid(digits: &str) -> bool {
    if digits.len() < 12 || digits.len() > 19 {
        return false;
    }
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// The card brand as the provider names it, from the leading digits.
pub fn brand(digits: &str) -> &'static str {
    let prefix = |n: usize| {
        digits
            .get(..n)
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(0)
    };
    match () {
        _ if digits.starts_with('4') => "Visa",
        _ if (51..=55).contains(&prefix(2)) || (2221..=2720).contains(&prefix(4)) => "MasterCard",
        _ if prefix(2) == 34 || prefix(2) == 37 => "American Express",
        _ if prefix(4) == 6011 || prefix(2) == 65 || (644..=649).contains(&prefix(3)) => "Discover",
        _ if (3528..=3589).contains(&prefix(4)) => "JCB",
        _ if prefix(2) == 36 || prefix(2) == 38 || (300..=305).contains(&prefix(3)) => {
            "Diners Club"
        }
        _ if prefix(2) == 62 => "China UnionPay",
        _ => "Unknown",
    }
}

/// The security code length a brand requires.
pub fn cvv_len(brand: &str) -> usize {
    if brand == "American Express" {
        4
    } else {
        3
    }
}

/// The scripted behaviour of a (normalized) card number.
pub fn behaviour(digits: &str) -> Behaviour {
    match digits {
        "4000000000003600" => Behaviour::DeclineAtOrder,
        "4000000000003295" => Behaviour::FailSource,
        "5454545454545454" | "4917610000000000" => Behaviour::ThreeDSecure,
        _ => Behaviour::Approve,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every test card in the contract must pass Luhn and get the right brand,
    /// or the widget's own checks and the sandbox would disagree.
    #[test]
    fn contract_test_cards_are_valid_and_branded() {
        for (n, b) in [
            ("4444 2222 3333 1111", "Visa"),
            ("5466 1600 0000 0008", "MasterCard"),
            ("3434 567890 12341", "American Express"),
            ("6011 9876 9876 9876", "Discover"),
            ("4000 0000 0000 3600", "Visa"),
            ("4000 0000 0000 3295", "Visa"),
            ("5454 5454 5454 5454", "MasterCard"),
            ("4917 6100 0000 0000", "Visa"),
        ] {
            let d = normalize(n).unwrap();
            assert!(luhn_valid(&d), "{n} should pass Luhn");
            assert_eq!(brand(&d), b, "{n}");
        }
    }

    #[test]
    fn luhn_rejects_a_changed_digit_and_bad_lengths() {
        assert!(!luhn_valid("4444222233331112"));
        assert!(!luhn_valid("42"));
        assert!(normalize("4444x222").is_none());
        assert!(normalize("").is_none());
    }

    #[test]
    fn brands_by_prefix() {
        assert_eq!(brand("2221000000000009"), "MasterCard");
        assert_eq!(brand("3530111333300000"), "JCB");
        assert_eq!(brand("30569309025904"), "Diners Club");
        assert_eq!(brand("6200000000000005"), "China UnionPay");
        assert_eq!(brand("9999"), "Unknown");
        assert_eq!(cvv_len("American Express"), 4);
        assert_eq!(cvv_len("Visa"), 3);
    }

    #[test]
    fn scripted_behaviours() {
        assert_eq!(behaviour("4000000000003600"), Behaviour::DeclineAtOrder);
        assert_eq!(behaviour("4000000000003295"), Behaviour::FailSource);
        assert_eq!(behaviour("5454545454545454"), Behaviour::ThreeDSecure);
        assert_eq!(behaviour("4444222233331111"), Behaviour::Approve);
    }
}
