//! PURE: what the card frame accepts from outside its own document, checked
//! here so the rules are tested on the host: the one `init` from the widget,
//! its appearance values, and the 3-D Secure return page's hint.
//!
//! The shell adds the checks that need the DOM: `event.source` is
//! `window.parent` (for the init) or the challenge iframe's window (for the
//! return), and the init carries a `MessagePort`.

use serde::Deserialize;

use crate::card_frame::protocol::{self, Handshake};

/// What an accepted init configures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameConfig {
    /// Where `POST /sources` and `GET /sources/{id}` go, without a trailing `/`.
    pub payments_base: String,
    /// Sent as `Authorization: Bearer <publicKey>`, if set.
    pub public_key: Option<String>,
    /// BCP 47 locale (a malformed one reads as `en`).
    pub locale: String,
    /// Allow-listed `--cw-*` custom properties with safe values only.
    pub appearance: Vec<(String, String)>,
    /// The merchant's words for the frame's message keys (other keys and
    /// overlong texts dropped); shown as text, never as HTML.
    pub translations: Vec<(String, String)>,
}

/// Where the frame stands, from its own URL: `?origin=<merchant origin>#<nonce>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected<'a> {
    /// The `origin` query parameter: the only origin an init may come from.
    pub origin: &'a str,
    /// The URL fragment without `#`: the nonce the init must carry.
    pub nonce: &'a str,
    /// The frame's own origin: the payments base must be on it, so card data
    /// goes nowhere the payments server did not serve the frame from.
    pub own_origin: &'a str,
}

/// Accepts `data` (the message's data as JSON text) posted from `origin` as the
/// frame's init, or says no (`None`): wrong origin, wrong nonce, not an init, or
/// a payments base on another origin.
pub fn accept_init(expected: &Expected<'_>, origin: &str, data: &str) -> Option<FrameConfig> {
    let usable = |s: &str| !s.is_empty() && s != "null";
    if !usable(expected.origin) || !usable(expected.nonce) || origin != expected.origin {
        return None;
    }
    let Handshake::Init {
        nonce,
        payments_base,
        public_key,
        locale,
        appearance,
        translations,
    } = protocol::decode::<Handshake>(data)?;
    if nonce != expected.nonce {
        return None;
    }
    let payments_base = payments_base.trim_end_matches('/').to_owned();
    let on_own_origin = payments_base
        .strip_prefix(expected.own_origin)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
    if !usable(expected.own_origin) || !on_own_origin {
        return None;
    }
    let well_formed = !locale.is_empty()
        && locale.len() <= 35
        && locale
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    Some(FrameConfig {
        payments_base,
        public_key: public_key.filter(|k| !k.is_empty()),
        locale: if well_formed { locale } else { "en".into() },
        appearance: appearance
            .into_iter()
            .filter(|(name, value)| appearance_allowed(name, value))
            .collect(),
        translations: translations
            .into_iter()
            .filter(|(key, text)| crate::i18n::is_frame_key(key) && text.len() <= 500)
            .take(64)
            .collect(),
    })
}

/// The custom properties a merchant may set inside the frame (embedding.md,
/// "Styling and security"; the README's "Theming" lists their defaults).
pub const APPEARANCE_VARIABLES: [&str; 12] = [
    "--cw-color-primary",
    "--cw-color-primary-text",
    "--cw-color-text",
    "--cw-color-muted",
    "--cw-color-danger",
    "--cw-color-bg",
    "--cw-color-input-bg",
    "--cw-color-border",
    "--cw-focus-ring",
    "--cw-radius",
    "--cw-spacing",
    "--cw-font-family",
];

/// Whether `value` may be set as `name` inside the frame: a known variable, and
/// a value that cannot load anything (`url(`, `image-set(`, escapes) or break
/// out of its declaration (`;`, `{`, `}`). `--cw-theme` (the widget's
/// `appearance.theme`, which the frame turns into a class) is one of `light`,
/// `dark`, `auto`.
pub fn appearance_allowed(name: &str, value: &str) -> bool {
    if name == "--cw-theme" {
        return matches!(value, "light" | "dark" | "auto");
    }
    let lower = value.to_ascii_lowercase();
    APPEARANCE_VARIABLES.contains(&name)
        && !value.trim().is_empty()
        && value.len() <= 200
        && !value
            .chars()
            .any(|c| matches!(c, ';' | '{' | '}' | '<' | '>' | '\\' | '@') || c.is_control())
        && !["url(", "image", "expression(", "src(", "element("]
            .iter()
            .any(|f| lower.contains(f))
}

/// The return page's message: `{"type": "cw-3ds-return", "sourceId", "outcome"}`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChallengeReturn {
    #[serde(rename = "type")]
    kind: String,
    source_id: String,
}

/// The source id of a `cw-3ds-return` message (its `outcome` is a hint the
/// frame does not need: it re-reads the source), or `None` for anything else.
pub fn challenge_return(data: &str) -> Option<String> {
    let msg: ChallengeReturn = serde_json::from_str(data).ok()?;
    (msg.kind == "cw-3ds-return" && !msg.source_id.is_empty()).then_some(msg.source_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card_frame::protocol::encode;

    const EXPECTED: Expected<'static> = Expected {
        origin: "http://localhost:8787",
        nonce: "n0nce",
        own_origin: "http://localhost:8788",
    };

    fn init(nonce: &str, base: &str, appearance: Vec<(&str, &str)>) -> String {
        encode(&Handshake::Init {
            nonce: nonce.into(),
            payments_base: base.into(),
            public_key: Some("pk_test_1".into()),
            locale: "he-IL".into(),
            appearance: appearance
                .into_iter()
                .map(|(n, v)| (n.into(), v.into()))
                .collect(),
            translations: vec![
                ("card.number".into(), "Kartennr.".into()),
                ("button.continue".into(), "not a frame key".into()),
            ],
        })
    }

    /// The right origin, nonce and shape: accepted, with a clean base.
    #[test]
    fn the_widgets_init_is_accepted() {
        let data = init("n0nce", "http://localhost:8788/api/", vec![]);
        let config = accept_init(&EXPECTED, "http://localhost:8787", &data).unwrap();
        assert_eq!(config.payments_base, "http://localhost:8788/api");
        assert_eq!(config.public_key.as_deref(), Some("pk_test_1"));
        assert_eq!(config.locale, "he-IL");
        // Only the frame's keys travel.
        assert_eq!(
            config.translations,
            [("card.number".to_owned(), "Kartennr.".to_owned())]
        );
        let bare = init("n0nce", "http://localhost:8788", vec![]);
        assert!(accept_init(&EXPECTED, "http://localhost:8787", &bare).is_some());
    }

    /// Another origin, another nonce, a look-alike base, or not an init: no.
    #[test]
    fn anything_else_is_refused() {
        let good = init("n0nce", "http://localhost:8788/api", vec![]);
        assert_eq!(accept_init(&EXPECTED, "http://evil.example", &good), None);
        assert_eq!(accept_init(&EXPECTED, "null", &good), None);
        let wrong_nonce = init("other", "http://localhost:8788/api", vec![]);
        assert_eq!(
            accept_init(&EXPECTED, "http://localhost:8787", &wrong_nonce),
            None
        );
        for base in [
            "http://evil.example/api",
            "http://localhost:8788.evil.example/api",
            "http://localhost:87889",
            "",
        ] {
            let data = init("n0nce", base, vec![]);
            assert_eq!(
                accept_init(&EXPECTED, "http://localhost:8787", &data),
                None,
                "{base}: card data must not leave the payments origin"
            );
        }
        for data in [r#"{"v":1,"type":"validate"}"#, r#"{"type":"init"}"#, "x"] {
            assert_eq!(accept_init(&EXPECTED, "http://localhost:8787", data), None);
        }
        let no_nonce = Expected {
            nonce: "",
            ..EXPECTED
        };
        let empty = init("", "http://localhost:8788/api", vec![]);
        assert_eq!(
            accept_init(&no_nonce, "http://localhost:8787", &empty),
            None
        );
        let framed_by_null = Expected {
            origin: "null",
            ..EXPECTED
        };
        assert_eq!(accept_init(&framed_by_null, "null", &good), None);
    }

    /// Only allow-listed names with values that load nothing survive.
    #[test]
    fn appearance_is_filtered() {
        let data = init(
            "n0nce",
            "http://localhost:8788/api",
            vec![
                ("--cw-color-primary", "#0a7"),
                ("--cw-radius", "4px"),
                ("--cw-font-family", "\"Segoe UI\", sans-serif"),
                ("--cw-color-bg", "url(https://evil.example/x.png)"),
                ("--cw-color-text", "red; background: url(x)"),
                ("--cw-spacing", "1px}body{display:none"),
                ("--cw-color-danger", "image-set(\"x.png\" 1x)"),
                ("--cw-color-text", "u\\72l(x)"),
                ("color", "red"),
                ("--cw-other", "red"),
            ],
        );
        let config = accept_init(&EXPECTED, "http://localhost:8787", &data).unwrap();
        assert_eq!(
            config.appearance,
            vec![
                ("--cw-color-primary".to_owned(), "#0a7".to_owned()),
                ("--cw-radius".to_owned(), "4px".to_owned()),
                (
                    "--cw-font-family".to_owned(),
                    "\"Segoe UI\", sans-serif".to_owned()
                ),
            ]
        );
        assert!(appearance_allowed(
            "--cw-color-primary",
            "color-mix(in srgb, #0a7 80%, black)"
        ));
        assert!(!appearance_allowed("--cw-color-primary", "URL(x)"));
    }

    #[test]
    fn a_malformed_locale_reads_as_english() {
        let data = encode(&Handshake::Init {
            nonce: "n0nce".into(),
            payments_base: "http://localhost:8788".into(),
            public_key: Some(String::new()),
            locale: "en\" onload=\"x".into(),
            appearance: vec![],
            translations: vec![],
        });
        let config = accept_init(&EXPECTED, "http://localhost:8787", &data).unwrap();
        assert_eq!(config.locale, "en");
        assert_eq!(config.public_key, None, "an empty key is no key");
    }

    #[test]
    fn the_return_hint_names_its_source() {
        assert_eq!(
            challenge_return(r#"{"type":"cw-3ds-return","sourceId":"src_1","outcome":"passed"}"#),
            Some("src_1".into())
        );
        for bad in [
            r#"{"type":"cw-3ds-return","sourceId":""}"#,
            r#"{"type":"other","sourceId":"src_1"}"#,
            r#"{"v":1,"type":"ready"}"#,
            "null",
        ] {
            assert_eq!(challenge_return(bad), None, "{bad}");
        }
    }
}
