//! PURE: shopper-facing text, per locale (embedding.md, "Locales").
//!
//! One table per locale (`en.rs` is built in and is the key list; every other
//! table has exactly its keys and `{placeholders}`), shared by the widget and
//! the card frame. [`Messages`] picks the text of a key for one locale: the
//! merchant's override for the locale, the locale's table, then the same for
//! its language (`de-AT` → `de`), then English. Money and country names come
//! from the browser's `Intl` (`intl.rs`, wasm only).

mod ar;
mod de;
mod en;
mod es;
mod fr;
mod he;
#[cfg(all(target_arch = "wasm32", feature = "widget"))]
pub mod intl;
mod it;
mod ja;
mod nl;
mod pl;
mod pt_br;
mod sv;
mod zh_cn;

use crate::flow::{Alert, Failure, Field};
use crate::validation::Problem;

/// A message table: key → text.
pub type Table = &'static [(&'static str, &'static str)];

/// One part of the text: its English table (the fallback and the key list)
/// and the shipped tables besides English, by BCP 47 tag. Each locale file
/// has two: the widget's keys and the card frame's, so the frame's bundle
/// (which only ever names [`FRAME`]) carries none of the widget's text.
#[derive(Debug, PartialEq)]
pub struct Part {
    /// English.
    pub en: Table,
    /// The other locales.
    pub tables: &'static [(&'static str, Table)],
}

/// The widget's keys.
pub static WIDGET: Part = Part {
    en: en::TABLE,
    tables: &[
        ("de", de::TABLE),
        ("fr", fr::TABLE),
        ("es", es::TABLE),
        ("it", it::TABLE),
        ("nl", nl::TABLE),
        ("pt-BR", pt_br::TABLE),
        ("sv", sv::TABLE),
        ("pl", pl::TABLE),
        ("ja", ja::TABLE),
        ("zh-CN", zh_cn::TABLE),
        ("ar", ar::TABLE),
        ("he", he::TABLE),
    ],
};

/// The card frame's keys (the card fields, their problems, the challenge).
pub static FRAME: Part = Part {
    en: en::FRAME,
    tables: &[
        ("de", de::FRAME),
        ("fr", fr::FRAME),
        ("es", es::FRAME),
        ("it", it::FRAME),
        ("nl", nl::FRAME),
        ("pt-BR", pt_br::FRAME),
        ("sv", sv::FRAME),
        ("pl", pl::FRAME),
        ("ja", ja::FRAME),
        ("zh-CN", zh_cn::FRAME),
        ("ar", ar::FRAME),
        ("he", he::FRAME),
    ],
};

/// The merchant's `translations`: per locale tag, key → text.
pub type Overrides = Vec<(String, Vec<(String, String)>)>;

/// Whether `key` is a message key.
pub fn is_key(key: &str) -> bool {
    WIDGET.en.iter().any(|(k, _)| *k == key) || is_frame_key(key)
}

/// Keys the card frame shows (the ones the widget may hand it overrides for).
pub fn is_frame_key(key: &str) -> bool {
    FRAME.en.iter().any(|(k, _)| *k == key)
}

/// A BCP 47 tag from a provider locale (`en_US` -> `en-US`).
pub fn bcp47(locale: &str) -> String {
    locale.trim().replace('_', "-")
}

/// The language of a tag (`pt-BR` -> `pt`).
fn language(locale: &str) -> &str {
    locale.split(['-', '_']).next().unwrap_or_default()
}

/// `rtl` for Arabic and Hebrew, else `ltr`.
pub fn direction(locale: &str) -> &'static str {
    let language = language(locale.trim());
    if language.eq_ignore_ascii_case("ar") || language.eq_ignore_ascii_case("he") {
        "rtl"
    } else {
        "ltr"
    }
}

/// The active locale: the `locale` option, else the checkout's (`en_US`), else
/// the page's (`navigator.language`), else `en`.
pub fn choose_locale(option: Option<&str>, checkout: Option<&str>, page: Option<&str>) -> String {
    [option, checkout, page]
        .into_iter()
        .flatten()
        .map(bcp47)
        .find(|l| !l.is_empty())
        .unwrap_or_else(|| "en".into())
}

/// Fills `{name}` placeholders from `args`; other braces stay as they are.
/// Values are inserted as they are (never read as templates).
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            args.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v, close))
        });
        match value {
            Some((v, close)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// One step of a lookup: a tag's overrides, then its table.
#[derive(Debug, Clone, PartialEq)]
struct Level {
    overrides: Vec<(String, String)>,
    tables: Vec<Table>,
}

/// The text of one locale, with the merchant's overrides.
#[derive(Debug, Clone, PartialEq)]
pub struct Messages {
    locale: String,
    /// Most specific first: the locale, its language, English.
    levels: Vec<Level>,
}

impl Default for Messages {
    /// The card frame's English (the widget builds its own with [`Messages::new`]).
    fn default() -> Self {
        Self::with_resolved("en", Vec::new())
    }
}

impl Messages {
    /// The widget's messages for `locale` (BCP 47 or `en_US`), with
    /// `overrides` (every key, the frame's too: they are handed to it).
    pub fn new(locale: &str, overrides: &[(String, Vec<(String, String)>)]) -> Self {
        Self::build(locale, overrides, &[&WIDGET, &FRAME])
    }

    fn build(
        locale: &str,
        overrides: &[(String, Vec<(String, String)>)],
        parts: &[&'static Part],
    ) -> Self {
        let locale = bcp47(locale);
        let mut tags: Vec<String> = vec![locale.clone()];
        let lang = language(&locale).to_owned();
        if !tags[0].eq_ignore_ascii_case(&lang) {
            tags.push(lang);
        }
        if !tags.iter().any(|t| t.eq_ignore_ascii_case("en")) {
            tags.push("en".into());
        }
        let levels = tags
            .iter()
            .filter(|t| !t.is_empty())
            .map(|tag| Level {
                overrides: overrides
                    .iter()
                    .filter(|(t, _)| bcp47(t).eq_ignore_ascii_case(tag))
                    .flat_map(|(_, pairs)| pairs.iter().cloned())
                    .collect(),
                tables: parts
                    .iter()
                    .filter_map(|part| {
                        if tag.eq_ignore_ascii_case("en") {
                            Some(part.en)
                        } else {
                            part.tables
                                .iter()
                                .find(|(t, _)| t.eq_ignore_ascii_case(tag))
                                .map(|(_, table)| *table)
                        }
                    })
                    .collect(),
            })
            .filter(|l| !l.overrides.is_empty() || !l.tables.is_empty())
            .collect();
        Self { locale, levels }
    }

    /// The messages for the card frame: `locale`, with the overrides the
    /// widget handed over (already resolved for this locale).
    /// Only the frame's tables: the frame's bundle carries no other text.
    pub fn with_resolved(locale: &str, overrides: Vec<(String, String)>) -> Self {
        Self::build(locale, &[(bcp47(locale), overrides)], &[&FRAME])
    }

    /// The active locale (BCP 47).
    pub fn locale(&self) -> &str {
        &self.locale
    }

    /// `rtl` or `ltr` for the active locale.
    pub fn direction(&self) -> &'static str {
        direction(&self.locale)
    }

    /// The text of `key` (the key itself if no table has it: a bug).
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        for level in &self.levels {
            if let Some((_, v)) = level.overrides.iter().find(|(k, _)| k == key) {
                return v;
            }
            for table in &level.tables {
                if let Some((_, v)) = table.iter().find(|(k, _)| *k == key) {
                    return v;
                }
            }
        }
        key
    }

    /// The text of `key`, its placeholders filled from `args`.
    pub fn fill(&self, key: &str, args: &[(&str, &str)]) -> String {
        fill(self.get(key), args)
    }

    /// The overrides that win for frame keys in this locale, to hand the
    /// card frame (it has the tables; only the merchant's words travel).
    pub fn frame_overrides(&self) -> Vec<(String, String)> {
        FRAME
            .en
            .iter()
            .map(|(k, _)| *k)
            .filter_map(|key| {
                for level in &self.levels {
                    if let Some((_, v)) = level.overrides.iter().find(|(k, _)| k == key) {
                        return Some((key.to_owned(), v.clone()));
                    }
                    if level
                        .tables
                        .iter()
                        .any(|t| t.iter().any(|(k, _)| *k == key))
                    {
                        return None;
                    }
                }
                None
            })
            .collect()
    }

    /// A failure, in words.
    pub fn failure(&self, f: &Failure) -> String {
        let key = match f {
            Failure::CheckoutNotFound => "failure.not_found",
            Failure::Network => "failure.network",
            Failure::Timeout => "failure.timeout",
            Failure::Server | Failure::Decode => "failure.server",
            Failure::Rejected(Some(msg)) => return msg.clone(),
            Failure::Rejected(None) => "failure.rejected",
            Failure::OrderNotPlaced => "failure.order_not_placed",
            Failure::FrameFailed => "failure.frame_failed",
        };
        self.get(key).to_owned()
    }

    /// The text of an alert above the current step (and of the events'
    /// `message`). Server text is inserted as it is.
    pub fn alert(&self, a: &Alert) -> String {
        let or = |m: &Option<String>, key: &str| {
            m.clone()
                .filter(|m| !m.is_empty())
                .unwrap_or_else(|| self.get(key).to_owned())
        };
        let key = match a {
            Alert::Declined { hard: true, .. } => "alert.declined_hard",
            Alert::Declined { message, .. } => {
                let m = or(message, "alert.declined_default");
                return self.fill("alert.declined", &[("message", &m)]);
            }
            Alert::NeedsInput { message } => return or(message, "alert.needs_input"),
            Alert::CardFailed { message } => return or(message, "alert.card_failed"),
            Alert::PaymentAgain => "alert.payment_again",
            Alert::StillWaiting => "alert.still_waiting",
            Alert::NotPlaced => "alert.not_placed",
            Alert::Invalid => "alert.invalid",
            Alert::CardNotVerified => "alert.card_not_verified",
            Alert::ChallengeAbandoned { timed_out: false } => "alert.challenge_cancelled",
            Alert::ChallengeAbandoned { timed_out: true } => "alert.challenge_timed_out",
            Alert::FrameFailed => return self.failure(&Failure::FrameFailed),
            Alert::FrameLoading => "alert.frame_loading",
            Alert::RemoveFailed { message: Some(m) } if !m.is_empty() => {
                return self.fill("alert.remove_failed_reason", &[("message", m)]);
            }
            Alert::RemoveFailed { .. } => "alert.remove_failed",
            Alert::Failed(f) => return self.failure(f),
            Alert::Retrying(f) => {
                return self.fill("alert.retrying", &[("message", &self.failure(f))]);
            }
        };
        self.get(key).to_owned()
    }

    /// The visible label of a field (also its accessible name).
    pub fn label(&self, f: Field) -> &str {
        self.get(match f {
            Field::Name => "label.name",
            Field::Email => "label.email",
            Field::Line1 => "label.line1",
            Field::City => "label.city",
            Field::PostalCode => "label.postal_code",
            Field::Country => "label.country",
            Field::State => "label.state",
        })
    }

    /// What is wrong with a field, in words.
    pub fn problem(&self, f: Field, p: Problem) -> String {
        let key = match p {
            Problem::Required => match f {
                Field::Name => "problem.name_required",
                Field::Email => "problem.email_required",
                Field::Line1 => "problem.line1_required",
                Field::City => "problem.city_required",
                Field::PostalCode => "problem.postal_code_required",
                Field::Country => "problem.country_required",
                Field::State => "problem.state_required",
            },
            other => problem_key(other),
        };
        self.get(key).to_owned()
    }

    /// A saved card's name: `Visa ending in 1111`.
    pub fn card_name(&self, brand: &str, last4: &str) -> String {
        let brand = if brand.trim().is_empty() {
            self.get("wallet.card")
        } else {
            brand
        };
        self.fill("wallet.card_name", &[("brand", brand), ("last4", last4)])
    }

    /// A saved card's expiry: `Expires 07/2030`, or `Expired 01/2024`.
    pub fn card_expiry(&self, month: u32, year: u32, expired: bool) -> String {
        let key = if expired {
            "wallet.expired"
        } else {
            "wallet.expires"
        };
        let month = format!("{month:02}");
        self.fill(key, &[("month", &month), ("year", &year.to_string())])
    }
}

/// The key of a problem that reads the same for every field.
pub fn problem_key(p: Problem) -> &'static str {
    match p {
        Problem::Required => "problem.name_required",
        Problem::CardNumberInvalid => "problem.card_number_invalid",
        Problem::ExpiryInvalid => "problem.expiry_invalid",
        Problem::ExpiryPast => "problem.expiry_past",
        Problem::CvcInvalid => "problem.cvc_invalid",
        Problem::EmailInvalid => "problem.email_invalid",
        Problem::PostalCodeInvalid => "problem.postal_code_invalid",
        Problem::CountryInvalid => "problem.country_invalid",
        Problem::TooLong => "problem.too_long",
    }
}

/// ISO 3166-1 alpha-2 codes: the countries the provider accepts (names come
/// from `Intl.DisplayNames` in the active locale).
pub static COUNTRY_CODES: &[&str] = &[
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
];

#[cfg(test)]
mod tests;
