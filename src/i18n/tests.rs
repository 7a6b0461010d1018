use std::collections::BTreeSet;

use super::*;

fn placeholders(s: &str) -> BTreeSet<&str> {
    let mut out = BTreeSet::new();
    let mut rest = s;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        out.insert(&after[..close]);
        rest = &after[close + 1..];
    }
    out
}

/// Every table has exactly English's keys, in its order, each once, with the
/// same placeholders, and no empty text; in both parts (the widget's and the
/// frame's), and no key is in both.
#[test]
fn every_table_has_the_english_keys_and_placeholders() {
    for (name, part) in [("widget", &WIDGET), ("frame", &FRAME)] {
        let english: Vec<_> = part.en.iter().map(|(k, _)| *k).collect();
        let unique: BTreeSet<_> = english.iter().collect();
        assert_eq!(unique.len(), english.len(), "{name}: a key twice in en.rs");
        for (tag, table) in part.tables {
            let keys: Vec<_> = table.iter().map(|(k, _)| *k).collect();
            assert_eq!(keys, english, "{name} {tag}: keys differ from en.rs");
            for ((key, text), (_, en)) in table.iter().zip(part.en) {
                assert!(!text.trim().is_empty(), "{tag} {key}: empty");
                assert_eq!(
                    placeholders(text),
                    placeholders(en),
                    "{tag} {key}: placeholders"
                );
            }
        }
        assert_eq!(part.tables.len(), 12, "{name}");
    }
    for (key, _) in FRAME.en {
        assert!(
            !WIDGET.en.iter().any(|(k, _)| k == key),
            "{key} is in both parts"
        );
    }
    // The frame's messages know only the frame's keys.
    let frame = Messages::with_resolved("de", Vec::new());
    assert_eq!(frame.get("card.number"), "Kartennummer");
    assert_eq!(frame.get("button.continue"), "button.continue");
}

/// Every key is used by the code, and every key-shaped literal the code uses
/// is a key: a scan of the sources outside the tables.
#[test]
fn the_code_uses_exactly_the_keys() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut sources = String::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                // The tables (and these tests) are not the code that uses them.
                let table = path.parent() == Some(&root.join("i18n")) && !path.ends_with("mod.rs");
                if path.extension().is_some_and(|e| e == "rs") && !table {
                    sources.push_str(&std::fs::read_to_string(&path).unwrap());
                }
            }
        }
    }
    for (key, _) in WIDGET.en.iter().chain(FRAME.en) {
        assert!(sources.contains(&format!("\"{key}\"")), "{key} is unused");
    }
    let prefixes = [
        "button.",
        "label.",
        "legend.",
        "status.",
        "alert.",
        "failure.",
        "problem.",
        "card.",
        "review.",
        "confirmation.",
        "summary.",
        "wallet.",
    ];
    for literal in sources.split('"').skip(1).step_by(2) {
        let key_shaped = prefixes.iter().any(|p| literal.starts_with(p))
            && literal.len() > 7
            && literal
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'_');
        assert!(!key_shaped || is_key(literal), "{literal:?} is not a key");
    }
}

#[test]
fn english_is_todays_text() {
    let en = Messages::new("en", &[]);
    assert_eq!(en.get("button.continue"), "Continue");
    assert_eq!(en.label(Field::Email), "Email");
    assert_eq!(
        en.problem(Field::City, Problem::Required),
        "Enter your city."
    );
    assert_eq!(
        en.alert(&Alert::Declined {
            hard: false,
            message: None,
        }),
        "Your card was declined. Please enter your card details again."
    );
    assert_eq!(
        en.alert(&Alert::RemoveFailed {
            message: Some("Busy.".into())
        }),
        "We couldn't remove this card. Busy. It is still saved."
    );
    assert_eq!(
        en.alert(&Alert::RemoveFailed { message: None }),
        "We couldn't remove this card. It is still saved."
    );
    assert_eq!(
        en.alert(&Alert::Retrying(Failure::Timeout)),
        "The store is taking too long to answer. Please try again. Trying again automatically…"
    );
    assert_eq!(en.card_name("", "4242"), "Card ending in 4242");
    assert_eq!(en.card_name("Visa", "1111"), "Visa ending in 1111");
    assert_eq!(en.card_expiry(7, 2030, false), "Expires 07/2030");
    assert_eq!(en.card_expiry(1, 2024, true), "Expired 01/2024");
    assert_eq!(
        en.failure(&Failure::Rejected(Some("Out of stock.".into()))),
        "Out of stock."
    );
}

#[test]
fn lookups_fall_back_to_the_language_then_english() {
    assert_eq!(Messages::new("de", &[]).get("button.continue"), "Weiter");
    assert_eq!(Messages::new("de-AT", &[]).get("button.continue"), "Weiter");
    assert_eq!(Messages::new("de_CH", &[]).get("button.continue"), "Weiter");
    assert_eq!(
        Messages::new("pt-BR", &[]).get("button.continue"),
        "Continuar"
    );
    assert_eq!(
        Messages::new("pt_br", &[]).get("card.number"),
        "Número do cartão"
    );
    // No `pt` table: Portugal's Portuguese reads English rather than Brazil's.
    assert_eq!(
        Messages::new("pt-PT", &[]).get("button.continue"),
        "Continue"
    );
    assert_eq!(Messages::new("zh-CN", &[]).get("button.continue"), "继续");
    assert_eq!(Messages::new("xx", &[]).get("button.continue"), "Continue");
    assert_eq!(Messages::new("", &[]).get("button.continue"), "Continue");
    assert_eq!(Messages::new("ar-EG", &[]).get("button.continue"), "متابعة");
    // A key no table has reads as itself (a bug, but visible).
    assert_eq!(Messages::default().get("nope.nope"), "nope.nope");
}

#[test]
fn overrides_win_per_locale_with_the_same_fallback() {
    let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect()
    };
    let overrides: Overrides = vec![
        (
            "de".into(),
            pairs(&[("button.continue", "Weiter zur Prüfung")]),
        ),
        ("de-AT".into(), pairs(&[("summary.total", "Summe")])),
        (
            "en".into(),
            pairs(&[
                ("button.place_order", "Buy now"),
                ("button.continue", "Next"),
            ]),
        ),
    ];
    let at = Messages::new("de-AT", &overrides);
    assert_eq!(at.get("button.continue"), "Weiter zur Prüfung");
    assert_eq!(at.get("summary.total"), "Summe");
    // The German table wins over an English override.
    assert_eq!(at.get("button.place_order"), "Zahlungspflichtig bestellen");
    let de = Messages::new("de", &overrides);
    assert_eq!(de.get("summary.total"), "Gesamt");
    let en = Messages::new("en-GB", &overrides);
    assert_eq!(en.get("button.place_order"), "Buy now");
    assert_eq!(en.get("button.continue"), "Next");
    let fr = Messages::new("fr", &overrides);
    assert_eq!(fr.get("button.continue"), "Continuer");
    // A key the tag's table lacks... none do; an unknown tag reads English's override.
    assert_eq!(
        Messages::new("xx", &overrides).get("button.place_order"),
        "Buy now"
    );
}

#[test]
fn the_frame_gets_only_winning_overrides_of_its_keys() {
    let overrides: Overrides = vec![
        (
            "de".into(),
            vec![
                ("card.number".into(), "Kartennr.".into()),
                ("button.continue".into(), "Los".into()),
            ],
        ),
        ("en".into(), vec![("card.cvc".into(), "CVC".into())]),
    ];
    let de = Messages::new("de-DE", &overrides);
    assert_eq!(
        de.frame_overrides(),
        [("card.number".to_owned(), "Kartennr.".to_owned())]
    );
    let en = Messages::new("en-US", &overrides);
    assert_eq!(
        en.frame_overrides(),
        [("card.cvc".to_owned(), "CVC".to_owned())]
    );
    let frame = Messages::with_resolved("de-DE", de.frame_overrides());
    assert_eq!(frame.get("card.number"), "Kartennr.");
    assert_eq!(frame.get("card.cvc"), "Sicherheitscode");
}

#[test]
fn placeholders_are_filled_once_and_literally() {
    assert_eq!(
        fill("Pay {amount}", &[("amount", "{amount}$")]),
        "Pay {amount}$"
    );
    assert_eq!(fill("{a}{b}", &[("a", "1"), ("b", "2")]), "12");
    assert_eq!(fill("{x} and {", &[("a", "1")]), "{x} and {");
    assert_eq!(fill("no braces", &[]), "no braces");
    let de = Messages::new("de", &[]);
    assert_eq!(
        de.fill("button.pay", &[("amount", "12,00 €")]),
        "12,00 € bezahlen"
    );
    assert_eq!(de.card_name("Visa", "1111"), "Visa mit den Endziffern 1111");
}

#[test]
fn direction_and_bcp47() {
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
    assert_eq!(Messages::new("he-IL", &[]).direction(), "rtl");
    assert_eq!(bcp47("en_US"), "en-US");
    assert_eq!(bcp47(" pt_BR "), "pt-BR");
    assert_eq!(
        choose_locale(Some("fr"), Some("de_DE"), Some("en-US")),
        "fr"
    );
    assert_eq!(choose_locale(None, Some("de_DE"), Some("en-US")), "de-DE");
    assert_eq!(choose_locale(Some(" "), None, Some("ja")), "ja");
    assert_eq!(choose_locale(None, None, None), "en");
}

#[test]
fn every_country_code_is_alpha_2_and_once() {
    let set: BTreeSet<_> = COUNTRY_CODES.iter().collect();
    assert_eq!(set.len(), COUNTRY_CODES.len());
    assert_eq!(COUNTRY_CODES.len(), 249);
    assert!(COUNTRY_CODES
        .iter()
        .all(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase())));
    for code in ["US", "DE", "JP", "BR", "IN", "AE", "IL"] {
        assert!(COUNTRY_CODES.contains(&code), "{code}");
    }
}
