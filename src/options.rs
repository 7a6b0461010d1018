//! PURE: the options a merchant passes to `mount` (or as `data-*` attributes),
//! validated into a typed value with a clear message for every mistake.

use serde_json::{Map, Value};

use crate::i18n::{self, Overrides};
use crate::model::CheckoutId;

pub mod appearance;

pub use appearance::{Appearance, Theme};

/// How the widget gets its checkout.
#[derive(Debug, Clone, PartialEq)]
pub enum Start {
    /// Read an existing checkout.
    Existing(CheckoutId),
    /// Create one from a cart (a `POST /checkouts` create body).
    Cart(Value),
}

/// Validated mount options. Defaults: `paymentsBase` = `apiBase`, `review` = true.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// The merchant backend every API path is relative to (no trailing slash).
    pub api_base: String,
    /// The payments origin's API base (the card frame's `POST /sources`, no
    /// trailing slash); the card frame page is served from its origin.
    pub payments_base: String,
    /// Sent as `Authorization: Bearer` with `POST /sources` only.
    pub public_key: Option<String>,
    /// BCP 47 locale override.
    pub locale: Option<String>,
    /// `false`: a single `Pay <amount>` button, no review step.
    pub review: bool,
    /// How long to wait for the payment session before offering `Try again`.
    pub readiness_timeout_ms: Option<u64>,
    /// How long one request may take before it is aborted (default 15 s).
    pub request_timeout_ms: Option<u64>,
    /// How long a 3-D Secure challenge may stay open (default 10 minutes).
    pub challenge_timeout_ms: Option<u64>,
    /// Another URL for the card frame page (on the payments origin).
    pub card_frame_url: Option<String>,
    /// The checkout to work on.
    pub start: Start,
    /// `appearance`: the theme and the merchant's `--cw-*` variables.
    pub appearance: Appearance,
    /// `translations`: the merchant's words for message keys, per locale
    /// (`{ "de": { "button.continue": "Weiter zur Prüfung" } }`).
    pub translations: Overrides,
    /// What the merchant should hear about on the console (unknown message
    /// keys in `translations`, which are ignored).
    pub warnings: Vec<String>,
}

/// `translations`: an object of locale tags, each an object of message keys
/// (src/i18n/en.rs) to strings; also a JSON string (a `data-translations`
/// attribute). A malformed shape is an error; unknown keys are dropped with
/// one warning that lists them (a key from another version of the widget
/// must not stop a checkout).
fn translations(obj: &Map<String, Value>) -> Result<(Overrides, Vec<String>), String> {
    let parsed;
    let value = match obj.get("translations") {
        None | Some(Value::Null) => return Ok((Vec::new(), Vec::new())),
        Some(Value::String(s)) if s.trim().is_empty() => return Ok((Vec::new(), Vec::new())),
        Some(Value::String(s)) => {
            parsed = serde_json::from_str::<Value>(s).map_err(|_| {
                "checkout-widget: option `translations` must be an object (or its JSON)".to_owned()
            })?;
            &parsed
        }
        Some(v) => v,
    };
    let shape = || {
        "checkout-widget: option `translations` must be an object of locales, each an object \
         of message keys to strings, e.g. { \"de\": { \"button.continue\": \"Weiter\" } }"
            .to_owned()
    };
    let locales = value.as_object().ok_or_else(shape)?;
    let mut out = Vec::new();
    let mut unknown = Vec::new();
    for (tag, messages) in locales {
        let well_formed = !tag.is_empty()
            && tag.len() <= 35
            && tag
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !well_formed {
            return Err(format!(
                "checkout-widget: option `translations` has `{tag}`, which is not a locale tag \
                 (like `de` or `pt-BR`)"
            ));
        }
        let messages = messages.as_object().ok_or_else(shape)?;
        let mut pairs = Vec::new();
        for (key, text) in messages {
            let text = text.as_str().ok_or_else(|| {
                format!("checkout-widget: option `translations`: `{tag}`.`{key}` must be a string")
            })?;
            if i18n::is_key(key) {
                pairs.push((key.clone(), text.to_owned()));
            } else {
                unknown.push(format!("{tag}.{key}"));
            }
        }
        out.push((i18n::bcp47(tag), pairs));
    }
    let warnings = if unknown.is_empty() {
        Vec::new()
    } else {
        vec![format!(
            "checkout-widget: option `translations` has unknown message keys, ignored: {}",
            unknown.join(", ")
        )]
    };
    Ok((out, warnings))
}

fn text(obj: &Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
        Some(_) => Err(format!("checkout-widget: option `{key}` must be a string")),
    }
}

/// An optional whole number of milliseconds (a number, or a numeric string from a
/// `data-*` attribute).
fn millis(obj: &Map<String, Value>, key: &str) -> Result<Option<u64>, String> {
    let ms = match obj.get(key) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        Some(_) => None,
    };
    ms.filter(|ms| *ms > 0).map(Some).ok_or_else(|| {
        format!("checkout-widget: option `{key}` must be a whole number of milliseconds")
    })
}

/// A URL option: absolute `http(s)://…`, or a path on the page's origin.
fn url(obj: &Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    let Some(u) = text(obj, key)? else {
        return Ok(None);
    };
    let lower = u.to_ascii_lowercase();
    let absolute = ["http://", "https://"]
        .iter()
        .any(|scheme| lower.starts_with(scheme) && u.len() > scheme.len());
    let path = u.starts_with('/') && !u.starts_with("//");
    if (absolute || path) && !u.chars().any(char::is_whitespace) {
        Ok(Some(u))
    } else {
        Err(format!(
            "checkout-widget: option `{key}` must be a URL (https://… or a path starting with /)"
        ))
    }
}

impl Options {
    /// Validates the options object passed to `mount`.
    pub fn from_json(v: &Value) -> Result<Self, String> {
        let obj = v
            .as_object()
            .ok_or("checkout-widget: options must be an object, e.g. { apiBase, checkoutId }")?;
        let api_base = text(obj, "apiBase")?
            .ok_or("checkout-widget: option `apiBase` is required (the merchant backend URL)")?
            .trim_end_matches('/')
            .to_owned();
        let payments_base = url(obj, "paymentsBase")?
            .map(|p| p.trim_end_matches('/').to_owned())
            .unwrap_or_else(|| api_base.clone());
        let start = match (text(obj, "checkoutId")?, obj.get("cart")) {
            (Some(_), Some(c)) if !c.is_null() => {
                return Err("checkout-widget: pass either `checkoutId` or `cart`, not both".into())
            }
            (Some(id), _) => Start::Existing(CheckoutId(id)),
            (None, Some(cart @ Value::Object(_))) => Start::Cart(cart.clone()),
            (None, Some(c)) if !c.is_null() => {
                return Err("checkout-widget: option `cart` must be an object".into())
            }
            _ => {
                return Err(
                    "checkout-widget: pass `checkoutId` (an existing checkout) or `cart` (to create one)"
                        .into(),
                )
            }
        };
        let review = match obj.get("review") {
            None | Some(Value::Null) => true,
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => s != "false",
            Some(_) => return Err("checkout-widget: option `review` must be true or false".into()),
        };
        let readiness_timeout_ms = millis(obj, "readinessTimeoutMs")?;
        let request_timeout_ms = millis(obj, "requestTimeoutMs")?;
        let challenge_timeout_ms = millis(obj, "challengeTimeoutMs")?;
        let (translations, warnings) = translations(obj)?;
        Ok(Self {
            readiness_timeout_ms,
            request_timeout_ms,
            challenge_timeout_ms,
            card_frame_url: url(obj, "cardFrameUrl")?,
            appearance: Appearance::from_json(obj.get("appearance"))?,
            translations,
            warnings,
            api_base,
            payments_base,
            public_key: text(obj, "publicKey")?,
            locale: text(obj, "locale")?,
            review,
            start,
        })
    }

    /// Options from an element's `data-*` attributes, given as (attribute, value) pairs.
    pub fn from_attributes<'a>(
        attrs: impl IntoIterator<Item = (&'a str, String)>,
    ) -> Result<Self, String> {
        let mut obj = Map::new();
        for (name, value) in attrs {
            let key = match name {
                "data-api-base" => "apiBase",
                "data-checkout-id" => "checkoutId",
                "data-payments-base" => "paymentsBase",
                "data-public-key" => "publicKey",
                "data-locale" => "locale",
                "data-review" => "review",
                "data-readiness-timeout-ms" => "readinessTimeoutMs",
                "data-request-timeout-ms" => "requestTimeoutMs",
                "data-challenge-timeout-ms" => "challengeTimeoutMs",
                "data-translations" => "translations",
                _ => continue,
            };
            obj.insert(key.into(), Value::String(value));
        }
        Self::from_json(&Value::Object(obj))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn minimal_options_get_defaults() {
        let o = Options::from_json(&json!({"apiBase": "/api/", "checkoutId": "chk_1"})).unwrap();
        assert_eq!(o.api_base, "/api");
        assert_eq!(o.payments_base, "/api");
        assert!(o.review);
        assert_eq!(o.start, Start::Existing(CheckoutId("chk_1".into())));
    }

    #[test]
    fn cart_and_overrides() {
        let o = Options::from_json(&json!({
            "apiBase": "https://shop.example/api", "cart": {"currency": "EUR", "items": []},
            "paymentsBase": "https://pay.example", "publicKey": "pk_test_1", "review": false,
            "locale": "de-DE"
        }))
        .unwrap();
        assert_eq!(o.payments_base, "https://pay.example");
        assert_eq!(o.public_key.as_deref(), Some("pk_test_1"));
        assert!(!o.review);
        assert!(matches!(o.start, Start::Cart(_)));
    }

    /// Each merchant mistake gets a message that names the option.
    #[test]
    fn bad_options_are_explained() {
        let err = |v: Value| Options::from_json(&v).unwrap_err();
        assert!(err(json!({"checkoutId": "c"})).contains("apiBase"));
        assert!(err(json!({"apiBase": "/api"})).contains("checkoutId"));
        assert!(
            err(json!({"apiBase": "/api", "checkoutId": "c", "cart": {}})).contains("not both")
        );
        assert!(err(json!({"apiBase": 3, "checkoutId": "c"})).contains("apiBase"));
        assert!(err(json!({"apiBase": "/api", "cart": "x"})).contains("cart"));
        assert!(err(json!(null)).contains("object"));
        assert!(
            err(json!({"apiBase": "/a", "checkoutId": "c", "readinessTimeoutMs": "soon"}))
                .contains("readinessTimeoutMs")
        );
        let o = Options::from_json(
            &json!({"apiBase": "/a", "checkoutId": "c", "readinessTimeoutMs": 5000}),
        )
        .unwrap();
        assert_eq!(o.readiness_timeout_ms, Some(5000));
        assert!(
            err(json!({"apiBase": "/a", "checkoutId": "c", "requestTimeoutMs": -1}))
                .contains("requestTimeoutMs")
        );
        let o = Options::from_json(
            &json!({"apiBase": "/a", "checkoutId": "c", "requestTimeoutMs": "1500"}),
        )
        .unwrap();
        assert_eq!(o.request_timeout_ms, Some(1500));
    }

    /// `paymentsBase` and `cardFrameUrl` must be URLs; the challenge limit is
    /// a number of milliseconds.
    #[test]
    fn payments_options_are_checked() {
        let with = |extra: Value| {
            let mut v = json!({"apiBase": "/a", "checkoutId": "c"});
            v.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            Options::from_json(&v)
        };
        for bad in [
            "pay.example",
            "javascript:alert(1)",
            "//pay.example",
            "https://",
            "/a b",
        ] {
            let e = with(json!({ "paymentsBase": bad })).unwrap_err();
            assert!(e.contains("paymentsBase"), "{bad}: {e}");
        }
        let o = with(
            json!({"paymentsBase": "http://localhost:8788/api/", "challengeTimeoutMs": 60000,
                            "cardFrameUrl": "https://pay.example/frame.html"}),
        )
        .unwrap();
        assert_eq!(o.payments_base, "http://localhost:8788/api");
        assert_eq!(o.challenge_timeout_ms, Some(60_000));
        assert_eq!(
            o.card_frame_url.as_deref(),
            Some("https://pay.example/frame.html")
        );
        assert!(with(json!({"cardFrameUrl": "frame.html"}))
            .unwrap_err()
            .contains("cardFrameUrl"));
        assert!(with(json!({"challengeTimeoutMs": 0}))
            .unwrap_err()
            .contains("challengeTimeoutMs"));
    }

    /// `translations`: an object of objects of strings; unknown keys are
    /// dropped with one warning naming them.
    #[test]
    fn translations_are_checked() {
        let with = |t: Value| {
            Options::from_json(&json!({"apiBase": "/a", "checkoutId": "c", "translations": t}))
        };
        let o = with(json!({
            "de": {"button.continue": "Weiter zur Prüfung", "button.contine": "x"},
            "en_GB": {"summary.total": "Total due"}
        }))
        .unwrap();
        assert_eq!(
            o.translations,
            vec![
                (
                    "de".to_owned(),
                    vec![(
                        "button.continue".to_owned(),
                        "Weiter zur Prüfung".to_owned()
                    )]
                ),
                (
                    "en-GB".to_owned(),
                    vec![("summary.total".to_owned(), "Total due".to_owned())]
                ),
            ]
        );
        assert_eq!(o.warnings.len(), 1);
        assert!(
            o.warnings[0].contains("de.button.contine"),
            "{:?}",
            o.warnings
        );
        let none = with(Value::Null).unwrap();
        assert!(none.translations.is_empty() && none.warnings.is_empty());
        for bad in [
            json!("nope"),
            json!(["de"]),
            json!({"de": "Weiter"}),
            json!({"de": {"button.continue": 3}}),
            json!({"de fr": {}}),
        ] {
            let e = with(bad.clone()).unwrap_err();
            assert!(e.contains("translations"), "{bad}: {e}");
        }
        let o = Options::from_attributes([
            ("data-api-base", "/api".to_string()),
            ("data-checkout-id", "chk_9".to_string()),
            (
                "data-translations",
                r#"{"fr": {"button.place_order": "Commander"}}"#.to_string(),
            ),
        ])
        .unwrap();
        assert_eq!(o.translations[0].1[0].1, "Commander");
    }

    #[test]
    fn attributes_map_to_options() {
        let o = Options::from_attributes([
            ("data-api-base", "/api".to_string()),
            ("data-checkout-id", "chk_9".to_string()),
            ("data-review", "false".to_string()),
            ("data-checkout-widget", String::new()),
        ])
        .unwrap();
        assert_eq!(o.start, Start::Existing(CheckoutId("chk_9".into())));
        assert!(!o.review);
    }
}
