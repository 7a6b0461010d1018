//! PURE: the rules for what a shopper types: card number (brand, grouping, Luhn,
//! length), expiry, security code, email, postal code and address. Each rule
//! returns a typed problem; the view turns problems into words.

/// Card brands the widget recognises from the leading digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Brand {
    /// Visa (4).
    Visa,
    /// Mastercard (51-55, 2221-2720).
    Mastercard,
    /// American Express (34, 37).
    Amex,
    /// Discover (6011, 644-649, 65).
    Discover,
    /// JCB (3528-3589).
    Jcb,
    /// Diners Club (300-305, 36, 38-39).
    Diners,
    /// UnionPay (62).
    UnionPay,
}

impl Brand {
    /// The brand's display name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Visa => "Visa",
            Self::Mastercard => "Mastercard",
            Self::Amex => "American Express",
            Self::Discover => "Discover",
            Self::Jcb => "JCB",
            Self::Diners => "Diners Club",
            Self::UnionPay => "UnionPay",
        }
    }

    /// Security code length.
    pub fn cvc_len(self) -> usize {
        if self == Self::Amex {
            4
        } else {
            3
        }
    }

    /// Whether a number of `n` digits can be a complete card of this brand.
    fn valid_len(self, n: usize) -> bool {
        match self {
            Self::Visa => matches!(n, 13 | 16 | 19),
            Self::Mastercard => n == 16,
            Self::Amex => n == 15,
            Self::Diners => (14..=19).contains(&n),
            Self::Discover | Self::Jcb | Self::UnionPay => (16..=19).contains(&n),
        }
    }

    /// Group sizes for display.
    fn groups(self) -> &'static [usize] {
        match self {
            Self::Amex => &[4, 6, 5],
            Self::Diners => &[4, 6, 9],
            _ => &[4, 4, 4, 4, 3],
        }
    }
}

/// Keeps only ASCII digits.
pub fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// The brand of a (partial) card number, once its prefix says so.
pub fn brand(number: &str) -> Option<Brand> {
    let d = digits(number);
    let p = |n: usize| d.get(..n).and_then(|s| s.parse::<u32>().ok());
    let within = |n: usize, lo: u32, hi: u32| p(n).is_some_and(|v| (lo..=hi).contains(&v));
    if d.starts_with('4') {
        Some(Brand::Visa)
    } else if within(2, 51, 55) || within(4, 2221, 2720) {
        Some(Brand::Mastercard)
    } else if p(2) == Some(34) || p(2) == Some(37) {
        Some(Brand::Amex)
    } else if p(4) == Some(6011) || p(2) == Some(65) || within(3, 644, 649) {
        Some(Brand::Discover)
    } else if within(4, 3528, 3589) {
        Some(Brand::Jcb)
    } else if within(3, 300, 305) || p(2) == Some(36) || within(2, 38, 39) {
        Some(Brand::Diners)
    } else if p(2) == Some(62) {
        Some(Brand::UnionPay)
    } else {
        None
    }
}

/// Most digits any card number has.
pub const MAX_CARD_DIGITS: usize = 19;

/// Groups a card number as it is typed: Amex 4-6-5, others 4-4-4-4.
pub fn format_card_number(input: &str) -> String {
    let mut d = digits(input);
    let groups = brand(&d).map_or(&[4, 4, 4, 4, 3][..], Brand::groups);
    let max = match brand(&d) {
        Some(Brand::Amex) => 15,
        _ => MAX_CARD_DIGITS,
    };
    d.truncate(max);
    let mut out = String::with_capacity(d.len() + 4);
    let mut rest = d.as_str();
    for &g in groups {
        if rest.is_empty() {
            break;
        }
        let (head, tail) = rest.split_at(g.min(rest.len()));
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(head);
        rest = tail;
    }
    out
}

/// The Luhn checksum.
pub fn luhn(number: &str) -> bool {
    let d = digits(number);
    let sum: u32 = d
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let v = u32::from(b - b'0');
            match (i % 2 == 1, v * 2) {
                (true, x) if x > 9 => x - 9,
                (true, x) => x,
                (false, _) => v,
            }
        })
        .sum();
    !d.is_empty() && sum.is_multiple_of(10)
}

/// Formats an expiry as typed: `MM/YY`.
pub fn format_expiry(input: &str) -> String {
    let mut d = digits(input);
    // "4" -> "04/" is presumptuous while typing; only "2".."9" alone are months.
    if d.len() == 1 && d != "0" && d != "1" {
        d.insert(0, '0');
    }
    d.truncate(4);
    if d.len() > 2 {
        format!("{}/{}", &d[..2], &d[2..])
    } else {
        d
    }
}

/// `(month, four-digit year)` from `MM/YY`, `MM / YY`, `MMYY` or `MM/YYYY`.
pub fn parse_expiry(input: &str) -> Option<(u32, u32)> {
    let (m, y) = match input.split_once('/') {
        Some((m, y)) => (digits(m), digits(y)),
        None => {
            let d = digits(input);
            if d.len() != 4 {
                return None;
            }
            (d[..2].to_owned(), d[2..].to_owned())
        }
    };
    let month: u32 = m.parse().ok().filter(|m| (1..=12).contains(m))?;
    let year: u32 = match y.len() {
        2 => 2000 + y.parse::<u32>().ok()?,
        4 => y.parse().ok()?,
        _ => return None,
    };
    Some((month, year))
}

/// A problem with one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// Nothing entered.
    Required,
    /// Card number fails Luhn, length or brand.
    CardNumberInvalid,
    /// Expiry not in `MM/YY` form.
    ExpiryInvalid,
    /// Expiry in the past.
    ExpiryPast,
    /// Security code of the wrong length for the brand.
    CvcInvalid,
    /// Not an email address.
    EmailInvalid,
    /// Postal code not valid for the country.
    PostalCodeInvalid,
    /// Not a two-letter country code.
    CountryInvalid,
    /// Longer than the field allows.
    TooLong,
}

/// Card number: brand known, length right for it, Luhn valid.
pub fn check_card_number(input: &str) -> Result<Brand, Problem> {
    let d = digits(input);
    if d.is_empty() {
        return Err(Problem::Required);
    }
    match brand(&d) {
        Some(b) if b.valid_len(d.len()) && luhn(&d) => Ok(b),
        _ => Err(Problem::CardNumberInvalid),
    }
}

/// Expiry: well formed and not before `today` (year, month).
pub fn check_expiry(input: &str, today: (u32, u32)) -> Result<(u32, u32), Problem> {
    if input.trim().is_empty() {
        return Err(Problem::Required);
    }
    let (month, year) = parse_expiry(input).ok_or(Problem::ExpiryInvalid)?;
    if (year, month) < today {
        return Err(Problem::ExpiryPast);
    }
    if year > today.0 + 30 {
        return Err(Problem::ExpiryInvalid);
    }
    Ok((month, year))
}

/// Security code: digits, 4 for Amex, else 3 (3 or 4 while the brand is unknown).
pub fn check_cvc(input: &str, brand: Option<Brand>) -> Result<(), Problem> {
    let t = input.trim();
    if t.is_empty() {
        return Err(Problem::Required);
    }
    let ok_len = match brand {
        Some(b) => t.len() == b.cvc_len(),
        None => t.len() == 3 || t.len() == 4,
    };
    if ok_len && t.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(Problem::CvcInvalid)
    }
}

/// Email: one `@`, non-empty local part, a dotted domain, no spaces.
pub fn check_email(input: &str) -> Result<(), Problem> {
    let s = input.trim();
    if s.is_empty() {
        return Err(Problem::Required);
    }
    if s.len() > 254 {
        return Err(Problem::TooLong);
    }
    let valid = s.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
    }) && !s.chars().any(char::is_whitespace);
    if valid {
        Ok(())
    } else {
        Err(Problem::EmailInvalid)
    }
}

/// Postal code for a country: US ZIP / ZIP+4, Canadian A1A 1A1, UK-style and
/// others by a permissive pattern (letters, digits, space, dash; 3 to 10).
pub fn check_postal_code(input: &str, country: &str) -> Result<(), Problem> {
    let s = input.trim();
    if s.is_empty() {
        return Err(Problem::Required);
    }
    let ok = match country.trim().to_ascii_uppercase().as_str() {
        "US" => {
            let b = s.as_bytes();
            (b.len() == 5 && b.iter().all(u8::is_ascii_digit))
                || (b.len() == 10
                    && b[5] == b'-'
                    && b[..5].iter().chain(&b[6..]).all(u8::is_ascii_digit))
        }
        "CA" => {
            let c: Vec<char> = s.chars().filter(|c| *c != ' ').collect();
            c.len() == 6
                && c.iter().enumerate().all(|(i, ch)| {
                    if i % 2 == 0 {
                        ch.is_ascii_alphabetic()
                    } else {
                        ch.is_ascii_digit()
                    }
                })
        }
        _ => {
            (3..=10).contains(&s.len())
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
        }
    };
    if ok {
        Ok(())
    } else {
        Err(Problem::PostalCodeInvalid)
    }
}

/// Countries whose addresses need a state or province.
pub fn needs_state(country: &str) -> bool {
    matches!(
        country.trim().to_ascii_uppercase().as_str(),
        "US" | "CA" | "AU" | "BR" | "MX" | "IN"
    )
}

/// A required free-text field of at most `max` characters.
pub fn check_text(input: &str, max: usize) -> Result<(), Problem> {
    let s = input.trim();
    if s.is_empty() {
        Err(Problem::Required)
    } else if s.chars().count() > max {
        Err(Problem::TooLong)
    } else {
        Ok(())
    }
}

/// A two-letter country code.
pub fn check_country(input: &str) -> Result<(), Problem> {
    let s = input.trim();
    if s.is_empty() {
        Err(Problem::Required)
    } else if s.len() == 2 && s.chars().all(|c| c.is_ascii_alphabetic()) {
        Ok(())
    } else {
        Err(Problem::CountryInvalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brands_from_prefixes() {
        let cases = [
            ("4444222233331111", Some(Brand::Visa)),
            ("5466160000000008", Some(Brand::Mastercard)),
            ("2221000000000009", Some(Brand::Mastercard)),
            ("2720990000000007", Some(Brand::Mastercard)),
            ("2721000000000000", None),
            ("343456789012341", Some(Brand::Amex)),
            ("371449635398431", Some(Brand::Amex)),
            ("6011987698769876", Some(Brand::Discover)),
            ("6445000000000000", Some(Brand::Discover)),
            ("6500000000000002", Some(Brand::Discover)),
            ("3530111333300000", Some(Brand::Jcb)),
            ("30569309025904", Some(Brand::Diners)),
            ("36227206271667", Some(Brand::Diners)),
            ("6200000000000005", Some(Brand::UnionPay)),
            ("9", None),
            ("", None),
        ];
        for (n, b) in cases {
            assert_eq!(brand(n), b, "{n}");
        }
    }

    /// Every test card of the contract passes the widget's own checks, or a
    /// shopper could not use them.
    #[test]
    fn contract_test_cards_pass() {
        for n in [
            "4444 2222 3333 1111",
            "5466 1600 0000 0008",
            "3434 567890 12341",
            "6011 9876 9876 9876",
            "4000 0000 0000 3600",
            "4000 0000 0000 3295",
            "5454 5454 5454 5454",
            "4917 6100 0000 0000",
        ] {
            assert!(check_card_number(n).is_ok(), "{n}");
        }
    }

    #[test]
    fn card_number_problems() {
        assert_eq!(check_card_number(""), Err(Problem::Required));
        assert_eq!(
            check_card_number("4444 2222 3333 1112"),
            Err(Problem::CardNumberInvalid)
        );
        assert_eq!(
            check_card_number("4444 2222 3333"),
            Err(Problem::CardNumberInvalid)
        );
        assert_eq!(
            check_card_number("9999 9999 9999 9995"),
            Err(Problem::CardNumberInvalid)
        );
    }

    #[test]
    fn grouping_as_typed() {
        assert_eq!(
            format_card_number("4444222233331111"),
            "4444 2222 3333 1111"
        );
        assert_eq!(format_card_number("44442"), "4444 2");
        assert_eq!(format_card_number("343456789012341"), "3434 567890 12341");
        assert_eq!(
            format_card_number("3434 5678 9012 3419999"),
            "3434 567890 12341"
        );
        assert_eq!(format_card_number("4-4x4 4"), "4444");
        assert_eq!(format_card_number(""), "");
        assert_eq!(
            format_card_number("4444222233331111999999"),
            "4444 2222 3333 1111 999"
        );
    }

    #[test]
    fn luhn_checks() {
        assert!(luhn("4444222233331111"));
        assert!(!luhn("4444222233331112"));
        assert!(!luhn(""));
    }

    #[test]
    fn expiry_parsing_and_checks() {
        assert_eq!(format_expiry("1"), "1");
        assert_eq!(format_expiry("4"), "04");
        assert_eq!(format_expiry("123"), "12/3");
        assert_eq!(format_expiry("12/30"), "12/30");
        assert_eq!(format_expiry("12/3099"), "12/30");
        assert_eq!(parse_expiry("07/30"), Some((7, 2030)));
        assert_eq!(parse_expiry("07 / 2030"), Some((7, 2030)));
        assert_eq!(parse_expiry("0730"), Some((7, 2030)));
        assert_eq!(parse_expiry("13/30"), None);
        assert_eq!(parse_expiry("00/30"), None);
        let today = (2026, 11);
        assert_eq!(
            check_expiry("11/26", today),
            Ok((11, 2026)),
            "this month is still valid"
        );
        assert_eq!(check_expiry("10/26", today), Err(Problem::ExpiryPast));
        assert_eq!(check_expiry("", today), Err(Problem::Required));
        assert_eq!(check_expiry("1/", today), Err(Problem::ExpiryInvalid));
        assert_eq!(check_expiry("12/99", today), Err(Problem::ExpiryInvalid));
    }

    #[test]
    fn cvc_by_brand() {
        assert!(check_cvc("123", Some(Brand::Visa)).is_ok());
        assert_eq!(
            check_cvc("1234", Some(Brand::Visa)),
            Err(Problem::CvcInvalid)
        );
        assert!(check_cvc("1234", Some(Brand::Amex)).is_ok());
        assert_eq!(
            check_cvc("123", Some(Brand::Amex)),
            Err(Problem::CvcInvalid)
        );
        assert_eq!(check_cvc("12a", None), Err(Problem::CvcInvalid));
        assert_eq!(check_cvc(" ", None), Err(Problem::Required));
    }

    #[test]
    fn emails() {
        assert!(check_email("jdoe@example.com").is_ok());
        assert!(check_email(" jdoe@example.com ").is_ok());
        for bad in [
            "jdoe",
            "jdoe@",
            "@example.com",
            "a@b",
            "a@b..com",
            "a b@c.com",
            "a@b@c.com",
        ] {
            assert_eq!(check_email(bad), Err(Problem::EmailInvalid), "{bad}");
        }
        assert_eq!(check_email(""), Err(Problem::Required));
    }

    #[test]
    fn postal_codes_by_country() {
        assert!(check_postal_code("55343", "US").is_ok());
        assert!(check_postal_code("55343-1234", "us").is_ok());
        assert_eq!(
            check_postal_code("5534", "US"),
            Err(Problem::PostalCodeInvalid)
        );
        assert!(check_postal_code("K1A 0B1", "CA").is_ok());
        assert_eq!(
            check_postal_code("K1A 0B", "CA"),
            Err(Problem::PostalCodeInvalid)
        );
        assert!(check_postal_code("SW1A 1AA", "GB").is_ok());
        assert!(check_postal_code("10115", "DE").is_ok());
        assert_eq!(
            check_postal_code("<script>", "DE"),
            Err(Problem::PostalCodeInvalid)
        );
        assert_eq!(check_postal_code("", "US"), Err(Problem::Required));
    }

    #[test]
    fn address_parts() {
        assert!(needs_state("us"));
        assert!(!needs_state("DE"));
        assert!(check_country("US").is_ok());
        assert_eq!(check_country("USA"), Err(Problem::CountryInvalid));
        assert_eq!(check_text("  ", 10), Err(Problem::Required));
        assert_eq!(check_text("abcdefghijk", 10), Err(Problem::TooLong));
    }
}
