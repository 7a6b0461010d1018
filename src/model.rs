//! PURE: the API contract's types, as the widget decodes them, and the typed
//! classification of every HTTP outcome. No web-sys, no Leptos.
//!
//! Decoders ignore unknown fields and never fail on a missing optional field.

use serde::{Deserialize, Serialize};
use serde_json::Value;

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

/// A postal address.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
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
}

/// Billing or shipping contact.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Contact {
    /// Full name.
    pub name: String,
    /// Phone.
    pub phone: String,
    /// Address.
    pub address: Address,
}

/// Product details of an item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProductDetails {
    /// Display name (server text: rendered as text only).
    pub name: String,
    /// Image URL.
    pub image: Option<String>,
}

/// Tax on an item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Tax {
    /// Amount in major units.
    pub amount: f64,
}

/// A checkout line item.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Item {
    /// Item id (server's; never sent back).
    pub id: String,
    /// SKU.
    pub sku_id: Option<String>,
    /// Quantity.
    pub quantity: u32,
    /// Unit price.
    pub price: Option<f64>,
    /// Line amount (price x quantity).
    pub amount: f64,
    /// Name and image.
    pub product_details: ProductDetails,
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
        assert_eq!(c.items[0].product_details.name, "Mug");
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
