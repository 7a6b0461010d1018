//! PURE: the messages between the widget (merchant page) and the card frame
//! (payments origin), one module for both sides.
//!
//! The handshake (embedding.md, "Two origins"): the widget frames
//! `<payments origin>/card-frame.html?origin=<merchant origin>#<nonce>`; on the
//! iframe's `load` it posts one [`Handshake::Init`] with that nonce, and a
//! `MessagePort`, to the frame's exact origin. The frame accepts exactly one
//! init, only from `window.parent`, only with the matching nonce and only from
//! the origin in its `origin` parameter; from then on both sides talk over the
//! port alone. Every message is a JSON object `{"v": 1, "type": "...", ...}`;
//! [`decode`] drops anything else (another version, another shape, unknown
//! types), so a forged or garbled message is simply not an event.
//!
//! Card numbers and security codes never appear here: the frame answers a
//! tokenization with a [`CardSource`] (brand, last four, expiry, name).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::ClientSecret;

/// The protocol version every message carries as `v`.
pub const VERSION: u64 = 1;

/// A card input inside the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CardField {
    /// `Name on card`.
    Name,
    /// `Card number`.
    Number,
    /// `Expiration date` (MM/YY).
    Expiry,
    /// `Security code`.
    Cvc,
}

impl CardField {
    /// Every card field, in the frame's order.
    pub const ALL: [CardField; 4] = [
        CardField::Name,
        CardField::Number,
        CardField::Expiry,
        CardField::Cvc,
    ];
}

/// The first message, posted with `window.postMessage` (not over the port),
/// with the port transferred alongside.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Handshake {
    /// What the frame needs to work.
    Init {
        /// The random nonce the widget put into the frame URL's fragment.
        nonce: String,
        /// Where `POST /sources` and `GET /sources/{id}` go (the payments
        /// base URL, on the frame's own origin).
        payments_base: String,
        /// Sent by the frame as `Authorization: Bearer <publicKey>`, if set.
        #[serde(default)]
        public_key: Option<String>,
        /// BCP 47 locale for the frame's labels and messages.
        locale: String,
        /// Allow-listed appearance values (`--cw-*` custom property name →
        /// value), already checked by the widget; the frame checks again.
        #[serde(default)]
        appearance: Vec<(String, String)>,
        /// The merchant's `translations` for the frame's message keys, already
        /// resolved for `locale` (key → text); the frame checks the keys again.
        #[serde(default)]
        translations: Vec<(String, String)>,
    },
}

/// The owner data the widget hands the frame for `POST /sources` (the frame
/// adds the name on card).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Owner {
    /// Shopper email.
    pub email: String,
    /// Billing address, in the contract's shape.
    pub address: Value,
}

/// Widget → frame, over the port.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum ToFrame {
    /// Create a source from the card typed into the frame, against `session_id`.
    /// Answered by [`FromFrame::Tokenized`], [`FromFrame::TokenizeFailed`] or
    /// [`FromFrame::ChallengeStarted`] with the same `request`.
    Tokenize {
        /// Ties the answer to this request; stale answers are ignored.
        request: u32,
        /// The checkout's payment session id.
        session_id: String,
        /// Email and billing address.
        owner: Owner,
    },
    /// Make a registered shopper's saved source usable on this session
    /// (`POST /sources/{id}/authentications`), with a 3-D Secure challenge
    /// when the answer is `requires_action`. Answered by
    /// [`FromFrame::Authenticated`], [`FromFrame::TokenizeFailed`], or
    /// [`FromFrame::ChallengeStarted`] then [`FromFrame::ChallengeEnded`]
    /// (whose `source` is then `None`: the widget knows the card already).
    /// The frame never sees the card number; the secret goes nowhere else.
    Authenticate {
        /// Ties the answer to this request; stale answers are ignored.
        request: u32,
        /// The checkout's payment session id.
        session_id: String,
        /// The saved source.
        source_id: String,
        /// The saved source's `clientSecret` (from the merchant backend; its
        /// `Debug` is redacted, so no log of a message prints it).
        client_secret: ClientSecret,
    },
    /// Show the 3-D Secure challenge of `request` again (after a cancel or a
    /// time-out). Answered like a tokenization.
    Challenge {
        /// The tokenization whose challenge to show.
        request: u32,
    },
    /// Close the challenge of `request` (the widget's time limit ran out).
    CancelChallenge {
        /// The tokenization whose challenge to close.
        request: u32,
    },
    /// Show every field's problem (the shopper pressed `Continue`).
    Validate,
    /// Move keyboard focus to a card field.
    Focus {
        /// Which field.
        field: CardField,
    },
    /// Forget the card (a fresh checkout after a decline, or another card).
    Reset,
    /// The name the checkout bills to: the frame puts it into `Name on card`
    /// when that field is empty (never over what the shopper typed).
    Prefill {
        /// The billing name.
        name: String,
    },
}

/// A card field's problem, in the frame's locale (shown and announced next to
/// the input inside the frame, and in the widget's summary).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldError {
    /// Which field.
    pub field: CardField,
    /// Shopper text.
    pub message: String,
}

/// The frame's form as the widget needs to see it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FrameState {
    /// Nothing typed.
    pub empty: bool,
    /// Every field valid: a tokenization can go ahead.
    pub complete: bool,
    /// Problems the frame shows now (after blur or `Validate`).
    pub errors: Vec<FieldError>,
    /// Every field that is not valid now, shown or not, in the frame's order
    /// (where focus goes when the shopper presses `Continue`).
    pub invalid: Vec<CardField>,
    /// Detected brand, e.g. `Visa`.
    pub brand: Option<String>,
    /// The field with keyboard focus, if any.
    pub focused: Option<CardField>,
    /// The frame's content height in CSS pixels (the widget sizes the iframe).
    pub height: u32,
}

/// What a tokenization hands the widget: never the number or the code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CardSource {
    /// The chargeable source's id.
    pub source_id: String,
    /// e.g. `Visa`.
    pub brand: String,
    /// Last four digits.
    pub last4: String,
    /// Expiry month.
    pub expiration_month: u32,
    /// Expiry year (four digits).
    pub expiration_year: u32,
    /// Name on card.
    pub name: String,
}

/// Why a tokenization failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TokenizeFailure {
    /// The provider refused the card (a 4xx or a `failed` source): another card.
    Refused,
    /// No response.
    Network,
    /// The request took too long.
    Timeout,
    /// The provider failed (5xx).
    Server,
    /// The provider answered with something unreadable.
    Decode,
    /// The card form is not complete (the frame shows why).
    Incomplete,
}

/// How a 3-D Secure challenge ended, as `GET /sources/{id}` says (the
/// redirect's `outcome` is only a hint).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ChallengeOutcome {
    /// The source is `chargeable`.
    Passed,
    /// The source is `failed`: the card could not be verified.
    Failed,
    /// Still `requires_action`: cancelled, abandoned, or timed out.
    Abandoned,
}

/// Frame → widget, over the port.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum FromFrame {
    /// The init was accepted; the form is on screen.
    Ready,
    /// The form changed (typing, blur, focus, size).
    State(FrameState),
    /// The source exists and is chargeable.
    Tokenized {
        /// The request answered.
        request: u32,
        /// What the widget may know of the card.
        source: CardSource,
    },
    /// No usable source.
    TokenizeFailed {
        /// The request answered.
        request: u32,
        /// Why.
        failure: TokenizeFailure,
        /// The provider's shopper-presentable message, if any (render as text).
        #[serde(default)]
        message: Option<String>,
    },
    /// The saved source of an [`ToFrame::Authenticate`] may be attached
    /// (`complete` or `authentication_not_required`).
    Authenticated {
        /// The request answered.
        request: u32,
    },
    /// The card needs 3-D Secure: the challenge is showing inside the frame.
    ChallengeStarted {
        /// The request in progress.
        request: u32,
    },
    /// The challenge ended.
    ChallengeEnded {
        /// The request in progress.
        request: u32,
        /// As the source's state says.
        outcome: ChallengeOutcome,
        /// With [`ChallengeOutcome::Passed`]: the source.
        #[serde(default)]
        source: Option<CardSource>,
    },
}

/// The JSON text of `msg` with `"v": 1` added (`msg` serialises to an object).
pub fn encode<T: Serialize>(msg: &T) -> String {
    match serde_json::to_value(msg) {
        Ok(Value::Object(mut fields)) => {
            fields.insert("v".into(), VERSION.into());
            Value::Object(fields).to_string()
        }
        _ => String::new(),
    }
}

/// Reads a message: `None` unless `json` is an object with `"v": 1` and a
/// known `type` of the right shape.
pub fn decode<T: DeserializeOwned>(json: &str) -> Option<T> {
    let value: Value = serde_json::from_str(json).ok()?;
    if value.get("v").and_then(Value::as_u64) != Some(VERSION) {
        return None;
    }
    serde_json::from_value(value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Both sides read what the other writes, `v` included.
    #[test]
    fn messages_round_trip_with_the_version() {
        let msgs = [
            FromFrame::Ready,
            FromFrame::State(FrameState {
                complete: true,
                brand: Some("Visa".into()),
                errors: vec![FieldError {
                    field: CardField::Expiry,
                    message: "In the past".into(),
                }],
                height: 240,
                ..FrameState::default()
            }),
            FromFrame::Tokenized {
                request: 3,
                source: CardSource {
                    source_id: "src_1".into(),
                    brand: "Visa".into(),
                    last4: "1111".into(),
                    expiration_month: 7,
                    expiration_year: 2030,
                    name: "Jane Doe".into(),
                },
            },
            FromFrame::ChallengeEnded {
                request: 4,
                outcome: ChallengeOutcome::Abandoned,
                source: None,
            },
        ];
        for m in msgs {
            let text = encode(&m);
            let v: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(v["v"], 1, "{text}");
            assert_eq!(decode::<FromFrame>(&text), Some(m));
        }
        let t = ToFrame::Tokenize {
            request: 1,
            session_id: "ses_1".into(),
            owner: Owner {
                email: "j@example.com".into(),
                address: json!({"postalCode": "55343"}),
            },
        };
        let text = encode(&t);
        assert!(text.contains(r#""type":"tokenize""#), "{text}");
        assert!(text.contains(r#""sessionId":"ses_1""#), "{text}");
        assert_eq!(decode::<ToFrame>(&text), Some(t));
        let focus = encode(&ToFrame::Focus {
            field: CardField::Number,
        });
        assert!(focus.contains(r#""field":"number""#), "{focus}");
    }

    /// Off-schema, other versions, unknown types and non-objects are dropped.
    #[test]
    fn anything_off_the_schema_is_dropped() {
        for bad in [
            r#"{"type":"ready"}"#,
            r#"{"v":2,"type":"ready"}"#,
            r#"{"v":"1","type":"ready"}"#,
            r#"{"v":1,"type":"hello"}"#,
            r#"{"v":1,"type":"tokenized","request":1}"#,
            r#"{"v":1,"type":"tokenized","request":"x","source":{}}"#,
            r#"[1]"#,
            r#""ready""#,
            "",
            "{",
        ] {
            assert_eq!(decode::<FromFrame>(bad), None, "{bad}");
            assert_eq!(decode::<ToFrame>(bad), None, "{bad}");
        }
        assert_eq!(
            decode::<FromFrame>(r#"{"v":1,"type":"ready","extra":true}"#),
            Some(FromFrame::Ready),
            "unknown fields are ignored, as everywhere in the contract"
        );
    }

    /// The init carries no card data and round-trips.
    #[test]
    fn init_round_trips() {
        let init = Handshake::Init {
            nonce: "n0nce".into(),
            payments_base: "http://localhost:9/api".into(),
            public_key: Some("pk_test_1".into()),
            locale: "en-US".into(),
            appearance: vec![("--cw-color-primary".into(), "#0a7".into())],
            translations: vec![("card.number".into(), "Kartennr.".into())],
        };
        let text = encode(&init);
        assert!(text.contains(r#""type":"init""#));
        assert_eq!(decode::<Handshake>(&text), Some(init));
    }
}
