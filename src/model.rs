//! PURE: the API contract's types, as the widget decodes them, and the typed
//! classification of every HTTP outcome. No web-sys, no Leptos.
//!
//! Decoders ignore unknown fields and never fail on a missing optional field.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

macro_rules! id_type {
    ($(#[$doc:meta] $name:ident),*) => {$(
        #[$doc]
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// The raw id.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
    )*};
}

id_type!(
    /// A checkout's opaque id.
    CheckoutId,
    /// A payment session's opaque id.
    SessionId,
    /// A payment source's opaque id.
    SourceId,
    /// An order's opaque id.
    OrderId
);

/// A postal address. Unknown fields are kept in `extra`, so a fresh checkout
/// after a decline carries them over intact. (Read and written through a JSON
/// object, not `#[serde(flatten)]`, whose buffering costs bytes on every type.)
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "Map<String, Value>", into = "Map<String, Value>")]
pub struct Address {
    /// First line.
    pub line1: String,
    /// Second line.
    pub line2: String,
    /// City.
    pub city: String,
    /// Postal code.
    pub postal_code: String,
    /// State or province, where the country has them.
    pub state: String,
    /// ISO 3166 alpha-2 country.
    pub country: String,
    /// Fields this widget does not know, kept so they are carried over intact.
    pub extra: Map<String, Value>,
}

/// Takes the text under `key` out of `fields` (anything but text reads as empty).
fn take_text(fields: &mut Map<String, Value>, key: &str) -> String {
    match fields.remove(key) {
        Some(Value::String(s)) => s,
        _ => String::new(),
    }
}

/// `known` followed by the unknown fields a value was read with.
fn with_extra<const N: usize>(
    known: [(&str, Value); N],
    extra: Map<String, Value>,
) -> Map<String, Value> {
    let mut fields = extra;
    fields.extend(known.into_iter().map(|(k, v)| (k.to_owned(), v)));
    fields
}

impl From<Map<String, Value>> for Address {
    fn from(mut fields: Map<String, Value>) -> Self {
        Address {
            line1: take_text(&mut fields, "line1"),
            line2: take_text(&mut fields, "line2"),
            city: take_text(&mut fields, "city"),
            postal_code: take_text(&mut fields, "postalCode"),
            state: take_text(&mut fields, "state"),
            country: take_text(&mut fields, "country"),
            extra: fields,
        }
    }
}

impl From<Address> for Map<String, Value> {
    fn from(a: Address) -> Self {
        with_extra(
            [
                ("line1", a.line1.into()),
                ("line2", a.line2.into()),
                ("city", a.city.into()),
                ("postalCode", a.postal_code.into()),
                ("state", a.state.into()),
                ("country", a.country.into()),
            ],
            a.extra,
        )
    }
}

/// Billing or shipping contact; unknown fields are kept, as for [`Address`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "Map<String, Value>", into = "Map<String, Value>")]
pub struct Contact {
    /// Full name.
    pub name: String,
    /// Phone.
    pub phone: String,
    /// Address.
    pub address: Address,
    /// Fields this widget does not know, kept so they are carried over intact.
    pub extra: Map<String, Value>,
}

impl From<Map<String, Value>> for Contact {
    fn from(mut fields: Map<String, Value>) -> Self {
        let address = match fields.remove("address") {
            Some(Value::Object(a)) => Address::from(a),
            _ => Address::default(),
        };
        Contact {
            name: take_text(&mut fields, "name"),
            phone: take_text(&mut fields, "phone"),
            address,
            extra: fields,
        }
    }
}

impl From<Contact> for Map<String, Value> {
    fn from(c: Contact) -> Self {
        let address = Value::Object(c.address.into());
        with_extra(
            [
                ("name", c.name.into()),
                ("phone", c.phone.into()),
                ("address", address),
            ],
            c.extra,
        )
    }
}

/// Tax on an item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Tax {
    /// Amount in major units.
    pub amount: f64,
}

fn clamped_quantity<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let v = f64::deserialize(d)?;
    Ok(if v.is_nan() || v <= 0.0 {
        0
    } else if v >= f64::from(u32::MAX) {
        u32::MAX
    } else {
        v as u32
    })
}

/// Any JSON value: a finite number is kept, anything else reads as missing.
fn finite_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(Value::deserialize(d)?.as_f64().filter(|n| n.is_finite()))
}

impl Item {
    /// The product name (server text: render as text only).
    pub fn name(&self) -> &str {
        self.product_details
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    /// Unit price: the item's `price`, else its amount over its quantity.
    pub fn unit_price(&self) -> f64 {
        self.price.unwrap_or_else(|| {
            let q = f64::from(self.quantity.max(1));
            (self.amount / q * 100.0).round() / 100.0
        })
    }
}

/// A checkout line item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Item {
    /// Item id (server's; never sent back).
    pub id: String,
    /// SKU.
    pub sku_id: Option<String>,
    /// Quantity (a negative or oversized number is clamped rather than failing
    /// the whole checkout).
    #[serde(deserialize_with = "clamped_quantity")]
    pub quantity: u32,
    /// Unit price (a price that is not a number reads as missing).
    #[serde(deserialize_with = "finite_number")]
    pub price: Option<f64>,
    /// Line amount (price x quantity).
    pub amount: f64,
    /// Name, image and whatever else the merchant sent (carried over verbatim).
    pub product_details: Value,
    /// Tax on the line.
    pub tax: Tax,
}

/// Card details the provider returns: never the full number.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CardSummary {
    /// Brand, e.g. `Visa`.
    pub brand: String,
    /// Last four digits.
    pub last_four_digits: String,
    /// Expiry month.
    pub expiration_month: u32,
    /// Expiry year.
    pub expiration_year: u32,
}

/// A payment source.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Source {
    /// Source id.
    pub id: SourceId,
    /// Type, e.g. `creditCard`.
    #[serde(rename = "type")]
    pub kind: String,
    /// State, e.g. `chargeable`.
    pub state: String,
    /// Amount the source contributes.
    pub amount: Option<f64>,
    /// Card details.
    pub credit_card: Option<CardSummary>,
    /// Proves the right to read or authenticate this source (only the card
    /// frame holds it; its `Debug` never prints it).
    pub client_secret: Option<ClientSecret>,
    /// What the shopper must do before the source is usable (3-D Secure:
    /// `{"action": "three_d_secure", "data": {"challengeUrl": "..."}}`).
    pub next_action: Option<NextAction>,
}

/// A source's client secret. Kept out of logs: its `Debug` is redacted.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClientSecret(pub String);

impl ClientSecret {
    /// The secret itself, for the one request that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<&str> for ClientSecret {
    fn from(secret: &str) -> Self {
        Self(secret.to_owned())
    }
}

impl std::fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientSecret([redacted])")
    }
}

/// The checkout's payment session.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PaymentSession {
    /// Session id (sources are created against it).
    pub id: SessionId,
    /// State: `requires_source`, `requires_confirmation`, `pending`, ...
    pub state: String,
    /// Amount contributed by sources.
    pub amount_contributed: Option<f64>,
    /// Amount still to be contributed.
    pub amount_remaining_to_be_contributed: Option<f64>,
}

impl PaymentSession {
    /// The contract's readiness rule: `requires_confirmation` with nothing left.
    pub fn is_ready(&self) -> bool {
        self.state == "requires_confirmation"
            && self.amount_remaining_to_be_contributed == Some(0.0)
    }
}

/// The checkout's payment block.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Payment {
    /// Attached sources.
    pub sources: Vec<Source>,
    /// The session.
    pub session: Option<PaymentSession>,
}

/// A checkout, as much of it as the widget uses.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Checkout {
    /// Id.
    pub id: CheckoutId,
    /// ISO 4217 currency.
    pub currency: String,
    /// Provider locale, e.g. `en_US`.
    pub locale: Option<String>,
    /// Shopper email.
    pub email: Option<String>,
    /// Customer id.
    pub customer_id: Option<String>,
    /// Billing contact.
    pub bill_to: Option<Contact>,
    /// Shipping contact.
    pub ship_to: Option<Contact>,
    /// Shipping choice (opaque; carried over to a fresh checkout).
    pub shipping_choice: Option<Value>,
    /// Merchant's own id.
    pub upstream_id: Option<String>,
    /// Merchant metadata (opaque).
    pub metadata: Option<Value>,
    /// Line items.
    pub items: Vec<Item>,
    /// Sum of item amounts.
    pub subtotal: Option<f64>,
    /// Tax.
    pub total_tax: Option<f64>,
    /// Shipping.
    pub total_shipping: Option<f64>,
    /// Discount.
    pub total_discount: Option<f64>,
    /// What the shopper pays.
    pub total_amount: Option<f64>,
    /// Sources and session.
    pub payment: Payment,
}

/// What the provider asks the shopper to do next on an order (e.g. a redirect).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NextAction {
    /// e.g. `redirect`.
    pub action: String,
    /// e.g. `{"redirectUrl": "..."}`.
    pub data: Value,
}

/// An order's payment session, as far as the widget reads it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OrderSession {
    /// Session state, e.g. `complete`.
    pub state: String,
    /// A step the shopper must still take.
    pub next_action: Option<NextAction>,
}

/// An order's payment block.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OrderPayment {
    /// The session.
    pub session: Option<OrderSession>,
}

/// An order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Order {
    /// Order id.
    pub id: OrderId,
    /// The checkout it was created from.
    pub checkout_id: CheckoutId,
    /// `accepted`, `in_review`, `pending_payment`, ...
    pub state: String,
    /// Total charged.
    pub total_amount: Option<f64>,
    /// Currency.
    pub currency: String,
    /// Payment details.
    pub payment: OrderPayment,
}

impl Order {
    /// The states that mean "the order is placed" right after creation.
    pub fn is_placed(&self) -> bool {
        matches!(
            self.state.as_str(),
            "accepted" | "in_review" | "pending_payment" | "complete" | "fulfilled"
        )
    }
}

/// `GET /customers/{id}`: a registered shopper and their saved sources.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Customer {
    /// Customer id.
    pub id: String,
    /// Email on file.
    pub email: Option<String>,
    /// The source preselected at payment entry.
    pub default_source_id: Option<SourceId>,
    /// Saved (reusable) sources; an expired one is listed but unusable.
    pub sources: Vec<Source>,
}

/// `GET /orders?checkoutId=` answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OrderList {
    /// More pages exist.
    pub has_more: bool,
    /// The orders.
    pub data: Vec<Order>,
}

/// The body of `POST /sources`. Holds the card number and security code only
/// until it is sent; its `Debug` never prints them.
#[derive(Clone, PartialEq)]
pub struct SourceRequest {
    /// The checkout's payment session.
    pub session_id: SessionId,
    /// Cardholder first name.
    pub first_name: String,
    /// Cardholder last name.
    pub last_name: String,
    /// Shopper email.
    pub email: String,
    /// Billing address.
    pub address: Address,
    /// Card number, digits only.
    pub number: String,
    /// Expiry month.
    pub expiration_month: u32,
    /// Expiry year (four digits).
    pub expiration_year: u32,
    /// Security code.
    pub cvv: String,
}

impl std::fmt::Debug for SourceRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceRequest")
            .field("session_id", &self.session_id)
            .field("number", &"[redacted]")
            .field("cvv", &"[redacted]")
            .finish_non_exhaustive()
    }
}

impl SourceRequest {
    /// The JSON body of the contract, written straight from the request (no
    /// intermediate copy of the card data).
    pub fn body(&self) -> String {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Body<'a> {
            #[serde(rename = "type")]
            kind: &'static str,
            session_id: &'a SessionId,
            owner: Owner<'a>,
            credit_card: Card<'a>,
        }
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Owner<'a> {
            first_name: &'a str,
            last_name: &'a str,
            email: &'a str,
            address: &'a Address,
        }
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Card<'a> {
            number: &'a str,
            expiration_month: u32,
            expiration_year: u32,
            cvv: &'a str,
        }
        let body = Body {
            kind: "creditCard",
            session_id: &self.session_id,
            owner: Owner {
                first_name: &self.first_name,
                last_name: &self.last_name,
                email: &self.email,
                address: &self.address,
            },
            credit_card: Card {
                number: &self.number,
                expiration_month: self.expiration_month,
                expiration_year: self.expiration_year,
                cvv: &self.cvv,
            },
        };
        serde_json::to_string(&body).unwrap_or_default()
    }
}

/// One entry of an error body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ErrorEntry {
    /// Machine code: for decisions, never shown.
    pub code: String,
    /// The field at fault, e.g. `billTo.address.postalCode`.
    pub parameter: Option<String>,
    /// Shopper-presentable text.
    pub message: String,
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    errors: Vec<ErrorEntry>,
}

/// Every way an API call can fail, kept apart because each leads somewhere else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// 409: the resource is in a state that forbids this (e.g. a declined order).
    Conflict(Vec<ErrorEntry>),
    /// 404.
    NotFound(Vec<ErrorEntry>),
    /// Any other 4xx: the request (or the data behind it) needs fixing.
    Rejected {
        /// HTTP status.
        status: u16,
        /// Error entries (possibly empty when the body was not the contract's).
        errors: Vec<ErrorEntry>,
    },
    /// 5xx, or a status outside the contract: the outcome may be unknown.
    Server {
        /// HTTP status.
        status: u16,
        /// Seconds from a `Retry-After` header.
        retry_after: Option<u32>,
    },
    /// No response at all (connection refused, reset, offline).
    Network,
    /// The widget gave up waiting and aborted the request.
    Timeout,
    /// A success status whose body is not the expected JSON.
    Decode,
}

impl ApiError {
    /// Classifies a non-success response. The body may be anything: JSON of
    /// the contract's shape, other JSON, an HTML proxy page, or empty.
    pub fn from_status(status: u16, body: &str, retry_after: Option<u32>) -> Self {
        let errors = || {
            serde_json::from_str::<ErrorBody>(body)
                .map(|b| b.errors)
                .unwrap_or_default()
        };
        match status {
            409 => Self::Conflict(errors()),
            404 => Self::NotFound(errors()),
            400..=499 => Self::Rejected {
                status,
                errors: errors(),
            },
            _ => Self::Server {
                status,
                retry_after,
            },
        }
    }

    /// The error entries the body carried, if any.
    pub fn errors(&self) -> &[ErrorEntry] {
        match self {
            Self::Conflict(e) | Self::NotFound(e) | Self::Rejected { errors: e, .. } => e,
            _ => &[],
        }
    }
}

/// Decodes a success body, or says it is not what the contract promised.
pub fn decode<T: serde::de::DeserializeOwned>(body: &str) -> Result<T, ApiError> {
    serde_json::from_str(body).map_err(|_| ApiError::Decode)
}

/// Turns a completed HTTP exchange into a typed result.
pub fn classify<T: serde::de::DeserializeOwned>(
    status: u16,
    body: &str,
    retry_after: Option<u32>,
) -> Result<T, ApiError> {
    if (200..300).contains(&status) {
        decode(body)
    } else {
        Err(ApiError::from_status(status, body, retry_after))
    }
}

/// Turns an exchange whose success has no body (`DELETE`, 204) into a result.
pub fn classify_empty(status: u16, body: &str, retry_after: Option<u32>) -> Result<(), ApiError> {
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(ApiError::from_status(status, body, retry_after))
    }
}

#[cfg(test)]
mod fuzz {
    //! Arbitrary bytes, truncated and mutated provider JSON into every decoder:
    //! never a panic, always a typed result.

    use super::*;
    use proptest::prelude::*;

    const SAMPLES: [&str; 4] = [
        r#"{"id":"chk_1","currency":"USD","items":[{"id":"i","quantity":2,"amount":20.0,"productDetails":{"name":"Mug"}}],"totalAmount":26.51,"payment":{"sources":[{"id":"s","creditCard":{"brand":"Visa","lastFourDigits":"1111"}}],"session":{"id":"ses","state":"requires_confirmation","amountRemainingToBeContributed":0}}}"#,
        r#"{"id":"src_1","type":"creditCard","state":"chargeable","creditCard":{"brand":"Visa","lastFourDigits":"1111","expirationMonth":7,"expirationYear":2030}}"#,
        r#"{"id":"ord_1","checkoutId":"chk_1","state":"accepted","totalAmount":26.51,"payment":{"session":{"state":"complete"}}}"#,
        r#"{"type":"bad_request","errors":[{"code":"invalid_parameter","parameter":"email","message":"Bad"}]}"#,
    ];

    fn all_decoders(status: u16, body: &str) {
        let _ = classify::<Checkout>(status, body, None);
        let _ = classify::<Source>(status, body, None);
        let _ = classify::<Order>(status, body, None);
        let _ = classify::<OrderList>(status, body, None);
        let e = ApiError::from_status(status.max(400), body, None);
        let _ = e.errors();
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2_000, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_text_never_panics(body in ".{0,300}", status in 100u16..600) {
            all_decoders(status, &body);
        }

        #[test]
        fn truncated_and_mutated_json_never_panics(
            which in 0..SAMPLES.len(), cut in 0usize..400, at in 0usize..400, byte in any::<u8>(),
        ) {
            let sample = SAMPLES[which];
            let cut = cut.min(sample.len());
            let truncated = &sample.as_bytes()[..cut];
            all_decoders(200, &String::from_utf8_lossy(truncated));
            let mut mutated = sample.as_bytes().to_vec();
            let at = at % mutated.len();
            mutated[at] = byte;
            all_decoders(201, &String::from_utf8_lossy(&mutated));
            if cut < sample.len() {
                // A strict prefix of a JSON object is never a success.
                prop_assert_eq!(classify::<Checkout>(200, std::str::from_utf8(truncated).unwrap_or(""), None), Err(ApiError::Decode));
            }
        }

        #[test]
        fn absurd_values_decode_or_fail_cleanly(
            amount in any::<f64>(), qty in any::<i64>(), name_len in 0usize..100_000,
        ) {
            let body = serde_json::json!({
                "id": "chk_1", "totalAmount": if amount.is_finite() { serde_json::json!(amount) } else { serde_json::Value::Null },
                "items": [{"quantity": qty, "amount": 1.0, "productDetails": {"name": "x".repeat(name_len)}}],
            })
            .to_string();
            match classify::<Checkout>(200, &body, None) {
                Ok(c) => {
                    prop_assert_eq!(c.items[0].name().len(), name_len);
                    let expected = qty.clamp(0, i64::from(u32::MAX)) as u32;
                    prop_assert_eq!(c.items[0].quantity, expected, "clamped, never wrapped");
                }
                Err(e) => prop_assert_eq!(e, ApiError::Decode),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONTRACT_CHECKOUT: &str = r#"{
      "id": "chk_7d1c", "currency": "USD", "locale": "en_US", "email": "jdoe@example.com",
      "customerId": null,
      "billTo": {"name": "Jane Doe", "phone": "", "address": {"line1": "10380 Bren Rd W",
                 "line2": "", "city": "Minnetonka", "postalCode": "55343", "state": "MN", "country": "US"}},
      "shipTo": {"name": "Jane Doe", "address": {"line1": "x", "country": "US"}},
      "items": [{"id": "itm_1", "skuId": "sku_mug", "quantity": 2, "amount": 20.0,
                 "productDetails": {"name": "Mug", "image": "https://example.com/m.png"}, "tax": {"amount": 1.51}}],
      "subtotal": 20.0, "totalTax": 1.51, "totalShipping": 5.0, "totalDiscount": 0.0, "totalAmount": 26.51,
      "somethingNew": {"nested": [1, 2]},
      "payment": {
        "sources": [{"id": "src_1", "type": "creditCard", "amount": 26.51,
                     "creditCard": {"brand": "Visa", "lastFourDigits": "1111", "expirationMonth": 7, "expirationYear": 2030}}],
        "session": {"id": "ses_9f2a", "clientSecret": "ses_9f2a_51c0", "state": "requires_source",
                    "amountContributed": 0.0, "amountRemainingToBeContributed": 26.51}
      }
    }"#;

    /// The contract's own example must decode, unknown fields and all.
    #[test]
    fn decodes_the_contract_checkout() {
        let c: Checkout = decode(CONTRACT_CHECKOUT).unwrap();
        assert_eq!(c.id.as_str(), "chk_7d1c");
        assert_eq!(c.total_amount, Some(26.51));
        assert_eq!(c.items[0].name(), "Mug");
        assert_eq!(c.items[0].unit_price(), 10.0);
        assert_eq!(c.items[0].quantity, 2);
        assert_eq!(c.bill_to.unwrap().address.postal_code, "55343");
        let session = c.payment.session.unwrap();
        assert_eq!(session.id.as_str(), "ses_9f2a");
        assert!(!session.is_ready());
        let card = c.payment.sources[0].credit_card.clone().unwrap();
        assert_eq!(card.last_four_digits, "1111");
    }

    /// Missing optional fields must not fail decoding; missing totals stay unknown.
    #[test]
    fn decodes_a_minimal_checkout() {
        let c: Checkout = decode(r#"{"id": "chk_1"}"#).unwrap();
        assert_eq!(c.id.as_str(), "chk_1");
        assert_eq!(c.total_amount, None);
        assert!(c.payment.session.is_none());
    }

    #[test]
    fn readiness_needs_both_state_and_nothing_remaining() {
        let s = |state: &str, rem: Option<f64>| PaymentSession {
            state: state.into(),
            amount_remaining_to_be_contributed: rem,
            ..Default::default()
        };
        assert!(s("requires_confirmation", Some(0.0)).is_ready());
        assert!(!s("requires_confirmation", Some(1.0)).is_ready());
        assert!(!s("requires_confirmation", None).is_ready());
        assert!(!s("pending", Some(0.0)).is_ready());
        assert!(!s("something_new", Some(0.0)).is_ready());
    }

    /// Unknown contact fields survive a decode/encode round trip, so a fresh
    /// checkout after a decline carries them over intact.
    #[test]
    fn contacts_keep_unknown_fields() {
        let c: Contact = decode(
            r#"{"name":"A","organization":"Acme","address":{"line1":"x","additionalAddressDetails":"Apt 3"}}"#,
        )
        .unwrap();
        assert_eq!(c.address.line1, "x");
        let back = serde_json::to_value(&c).unwrap();
        assert_eq!(back["organization"], "Acme");
        assert_eq!(back["address"]["additionalAddressDetails"], "Apt 3");
        assert_eq!(back["address"]["line1"], "x");
        assert_eq!(back["name"], "A");
        assert_eq!(decode::<Option<Contact>>("null"), Ok(None));
    }

    /// Prices go back as they came; a missing price is the amount over the
    /// quantity, to the cent; wrong types read as missing.
    #[test]
    fn prices_are_carried_exactly() {
        let c: Checkout = decode(
            r#"{"id":"c","items":[{"price":10.5,"quantity":3,"amount":31.5},
                {"quantity":3,"amount":10},{"price":"7","quantity":-2,"amount":7},{"price":null}]}"#,
        )
        .unwrap();
        let prices: Vec<f64> = c.items.iter().map(Item::unit_price).collect();
        assert_eq!(prices, [10.5, 3.33, 7.0, 0.0]);
        let written: Vec<String> = prices
            .iter()
            .map(|p| serde_json::json!(p).to_string())
            .collect();
        assert_eq!(
            written,
            ["10.5", "3.33", "7.0", "0.0"],
            "shortest round-trip form"
        );
        assert_eq!(c.items[2].quantity, 0, "negative quantities clamp to zero");
    }

    #[test]
    fn decodes_orders_and_placed_states() {
        let o: Order = decode(
            r#"{"id":"ord_1","checkoutId":"chk_1","state":"pending_payment","totalAmount":26.51,
                "payment":{"charges":[{"state":"capturable"}],"session":{"state":"pending_redirect",
                "nextAction":{"action":"redirect","data":{"redirectUrl":"https://x"}}}},"futureField":1}"#,
        )
        .unwrap();
        assert!(o.is_placed());
        assert_eq!(o.checkout_id.as_str(), "chk_1");
        let next = o.payment.session.unwrap().next_action.unwrap();
        assert_eq!(next.action, "redirect");
        for (state, placed) in [
            ("accepted", true),
            ("in_review", true),
            ("blocked", false),
            ("", false),
        ] {
            let o = Order {
                state: state.into(),
                ..Default::default()
            };
            assert_eq!(o.is_placed(), placed, "{state}");
        }
        let list: OrderList =
            decode(r#"{"hasMore":false,"data":[{"id":"ord_1","checkoutId":"c"}]}"#).unwrap();
        assert_eq!(list.data.len(), 1);
    }

    /// A source's client secret and 3-D Secure step decode, and the secret
    /// never reaches logs through Debug.
    #[test]
    fn source_client_secret_and_next_action() {
        let s: Source = decode(
            r#"{"id":"src_1","clientSecret":"src_1_s3cr3t","state":"requires_action",
                "nextAction":{"action":"three_d_secure","data":{"challengeUrl":"https://acs.example/c"}}}"#,
        )
        .unwrap();
        assert_eq!(
            s.client_secret.as_ref().map(ClientSecret::expose),
            Some("src_1_s3cr3t")
        );
        let next = s.next_action.clone().unwrap();
        assert_eq!(next.data["challengeUrl"], "https://acs.example/c");
        assert!(!format!("{s:?}").contains("s3cr3t"), "{s:?}");
        let plain: Source = decode(r#"{"id":"src_2","state":"chargeable"}"#).unwrap();
        assert_eq!((plain.client_secret, plain.next_action), (None, None));
    }

    /// Card data must never reach logs through Debug.
    #[test]
    fn source_request_debug_redacts_card_data() {
        let r = SourceRequest {
            session_id: SessionId("ses_1".into()),
            first_name: "Jane".into(),
            last_name: "Doe".into(),
            email: "j@example.com".into(),
            address: Address::default(),
            number: "4444222233331111".into(),
            expiration_month: 7,
            expiration_year: 2030,
            cvv: "123".into(),
        };
        let dbg = format!("{r:?}");
        assert!(
            !dbg.contains("4444222233331111") && !dbg.contains("123"),
            "{dbg}"
        );
        let body: Value = serde_json::from_str(&r.body()).unwrap();
        assert_eq!(body["creditCard"]["number"], "4444222233331111");
        assert_eq!(body["sessionId"], "ses_1");
        assert_eq!(body["type"], "creditCard");
    }

    #[test]
    fn classifies_statuses_and_bodies() {
        let body =
            r#"{"type":"conflict","errors":[{"code":"failed-request","message":"Declined"}]}"#;
        assert_eq!(
            ApiError::from_status(409, body, None),
            ApiError::Conflict(vec![ErrorEntry {
                code: "failed-request".into(),
                parameter: None,
                message: "Declined".into()
            }])
        );
        let body = r#"{"type":"bad_request","errors":[{"code":"invalid_parameter","parameter":"email","message":"Bad"}]}"#;
        match ApiError::from_status(400, body, None) {
            ApiError::Rejected {
                status: 400,
                errors,
            } => {
                assert_eq!(errors[0].parameter.as_deref(), Some("email"))
            }
            other => panic!("{other:?}"),
        }
        // An HTML page from a proxy is still an error with its status.
        assert_eq!(
            ApiError::from_status(502, "<html><body>Bad gateway</body></html>", None),
            ApiError::Server {
                status: 502,
                retry_after: None
            }
        );
        assert_eq!(
            ApiError::from_status(400, "<html>", None),
            ApiError::Rejected {
                status: 400,
                errors: vec![]
            }
        );
        assert_eq!(
            ApiError::from_status(404, "", None),
            ApiError::NotFound(vec![])
        );
        assert_eq!(
            ApiError::from_status(503, "", Some(3)),
            ApiError::Server {
                status: 503,
                retry_after: Some(3)
            }
        );
    }

    #[test]
    fn success_with_bad_body_is_a_decode_error() {
        assert_eq!(
            classify::<Checkout>(200, "{\"id\": \"chk", None),
            Err(ApiError::Decode)
        );
        assert_eq!(classify::<Checkout>(201, "", None), Err(ApiError::Decode));
        assert_eq!(
            classify::<Checkout>(200, "<html>", None),
            Err(ApiError::Decode)
        );
        assert!(classify::<Checkout>(200, "{\"id\":\"c\"}", None).is_ok());
    }
}
