//! In-memory provider state: checkouts, payment sessions, sources, orders and
//! registered customers with their saved sources, with the rules of the API
//! contract. No HTTP here: handlers call these methods.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::cards::{self, Behaviour};
use crate::error::ApiError;

/// Amounts are kept in minor units so totals add up exactly.
pub type Cents = i64;

/// Flat sales tax rate of the sandbox, in basis points (7.55 %).
const TAX_BPS: Cents = 755;
/// Shipping charged when a checkout ships somewhere and names no shipping choice.
const DEFAULT_SHIPPING: Cents = 500;
/// Upper bound for any single money value the sandbox accepts (10 million).
const MAX_CENTS: Cents = 1_000_000_000;

/// A postal address, as the provider spells it.
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
    /// State or province.
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
    /// Email on the contact (optional in the contract).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Address.
    pub address: Address,
}

/// A line item as stored.
#[derive(Debug, Clone)]
struct Item {
    id: String,
    sku_id: Option<String>,
    quantity: i64,
    price: Cents,
    product_details: Value,
}

/// Lifecycle of a checkout from the provider's side.
#[derive(Debug, Clone, PartialEq, Eq)]
enum CheckoutStatus {
    Open,
    /// An order was declined (409): this checkout can never be ordered.
    Dead,
    /// An order was created from it: it no longer exists as a checkout.
    Consumed,
}

/// The payment session states of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SessionState {
    RequiresSource,
    RequiresConfirmation,
    Pending,
}

impl SessionState {
    fn as_str(self) -> &'static str {
        match self {
            Self::RequiresSource => "requires_source",
            Self::RequiresConfirmation => "requires_confirmation",
            Self::Pending => "pending",
        }
    }
}

#[derive(Debug, Clone)]
struct Session {
    id: String,
    client_secret: String,
    state: SessionState,
    ready_at: Option<Instant>,
}

#[derive(Debug, Clone)]
struct Checkout {
    id: String,
    created: String,
    currency: String,
    locale: String,
    email: Option<String>,
    customer_id: Option<String>,
    bill_to: Option<Contact>,
    ship_to: Option<Contact>,
    shipping_choice: Option<Value>,
    upstream_id: Option<String>,
    metadata: Option<Value>,
    items: Vec<Item>,
    session: Session,
    sources: Vec<Attached>,
    status: CheckoutStatus,
}

/// A source attached to a checkout, with the amount it contributes.
#[derive(Debug, Clone)]
struct Attached {
    id: String,
    amount: Cents,
}

/// How far a saved source's authentication on one payment session got.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Auth {
    /// An ordinary card: usable on the session without a challenge.
    NotRequired,
    /// A 3-D Secure challenge is open, with this single-use token.
    Challenge(String),
    /// The challenge passed: usable on the session.
    Passed,
    /// The challenge failed: not usable on the session.
    Failed,
}

/// A registered shopper.
#[derive(Debug, Clone)]
struct Customer {
    id: String,
    email: String,
    default_source: Option<String>,
    /// Saved source ids, in the order they were saved (removed ones included,
    /// so a repeated removal is harmless; they are not listed).
    sources: Vec<String>,
}

#[derive(Debug, Clone)]
struct Source {
    id: String,
    client_secret: String,
    /// The session it was created for (`None` for a saved card made by the
    /// control surface).
    session_id: Option<String>,
    /// The customer who saved it: a saved (`reusable`) source.
    customer_id: Option<String>,
    /// A saved source's authentication, per payment session.
    auths: HashMap<String, Auth>,
    amount: Cents,
    currency: String,
    owner: Value,
    brand: &'static str,
    last_four: String,
    expiration_month: i64,
    expiration_year: i64,
    behaviour: Behaviour,
    state: &'static str,
    /// The current single-use 3-D Secure challenge token, while `requires_action`
    /// (single-use sources; a saved source keeps its tokens in `auths`).
    challenge_token: Option<String>,
}

impl Source {
    fn saved(&self) -> bool {
        self.customer_id.is_some()
    }

    /// Whether the card's expiry month is over.
    fn expired(&self) -> bool {
        (self.expiration_year, self.expiration_month) < current_year_month()
    }
}

/// How a 3-D Secure challenge ended at the ACS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallengeOutcome {
    /// The right password: the source becomes `chargeable`.
    Passed,
    /// A wrong password: the source becomes `failed`.
    Failed,
    /// The shopper cancelled: the source stays `requires_action` (with a fresh token).
    Cancelled,
}

impl ChallengeOutcome {
    /// `passed`, `failed` or `cancelled`, as `/3ds/return` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Passed => "passed",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }
}

/// What the ACS challenge page shows about the card being verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeInfo {
    /// Card brand, e.g. `MasterCard`.
    pub brand: &'static str,
    /// Last four digits of the card number.
    pub last_four: String,
    /// Amount and currency being authorized, e.g. `53.40 USD`.
    pub amount: String,
}

/// Sums a checkout's money.
struct Totals {
    subtotal: Cents,
    tax: Cents,
    shipping: Cents,
    total: Cents,
}

/// The whole provider state.
pub struct Store {
    checkouts: HashMap<String, Checkout>,
    sessions: HashMap<String, String>,
    sources: HashMap<String, Source>,
    customers: HashMap<String, Customer>,
    orders: Vec<Value>,
    ids: IdGen,
    /// How long a session stays `pending` after a covering source is attached.
    pub ready_after: Duration,
    /// The ACS challenge page (absolute URL, no query) that a 3-D Secure
    /// source's `nextAction.data.challengeUrl` points to.
    pub challenge_url: String,
}

/// Opaque, unguessable-looking ids: a counter mixed with a per-process random key.
struct IdGen {
    n: u64,
    key: RandomState,
}

impl IdGen {
    fn next(&mut self, prefix: &str) -> String {
        self.n += 1;
        let mut h = self.key.build_hasher();
        h.write_u64(self.n);
        format!("{prefix}_{:012x}", h.finish() & 0xffff_ffff_ffff)
    }
}

/// Today as ISO-8601 UTC with a trailing `Z`.
pub fn now_iso() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The current UTC year and month, for expiry checks.
fn current_year_month() -> (i64, i64) {
    let iso = now_iso();
    (
        iso[0..4].parse().unwrap_or(1970),
        iso[5..7].parse().unwrap_or(1),
    )
}

fn money(c: Cents) -> Value {
    json!(c as f64 / 100.0)
}

/// Major units (JSON number) to cents, rejecting negative, fractional-cent or absurd values.
fn cents(v: &Value, parameter: &str) -> Result<Cents, ApiError> {
    let bad = || ApiError::bad_param("invalid_parameter", parameter, "Invalid amount.");
    let f = v.as_f64().ok_or_else(bad)?;
    let c = (f * 100.0).round();
    if !f.is_finite() || f < 0.0 || c > MAX_CENTS as f64 || (f * 100.0 - c).abs() > 1e-6 {
        return Err(bad());
    }
    Ok(c as Cents)
}

/// A plausible email: one `@`, a non-empty local part, a dotted domain, no spaces.
pub fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(char::is_whitespace)
        && s.len() <= 254
}

/// Reads an optional typed field of a JSON object, naming it in the error.
fn field<T: serde::de::DeserializeOwned>(
    obj: &Map<String, Value>,
    name: &str,
) -> Result<Option<T>, ApiError> {
    match obj.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => serde_json::from_value(v.clone()).map(Some).map_err(|_| {
            ApiError::bad_param("invalid_parameter", name, &format!("Invalid {name}."))
        }),
    }
}

fn checked_email(obj: &Map<String, Value>) -> Result<Option<String>, ApiError> {
    let email: Option<String> = field(obj, "email")?;
    match email {
        Some(e) if !valid_email(&e) => Err(ApiError::bad_param(
            "invalid_parameter",
            "email",
            "Enter a valid email address.",
        )),
        other => Ok(other),
    }
}

/// A known catalog, so carts may name only a SKU.
fn catalog(sku: &str) -> Option<(Cents, Value)> {
    match sku {
        "sku_mug" => Some((1000, json!({"name": "Mug", "image": "/img/mug.svg"}))),
        "sku_tee" => Some((
            2500,
            json!({"name": "Organic T-shirt", "image": "/img/tee.svg"}),
        )),
        _ => None,
    }
}

impl Default for Store {
    fn default() -> Self {
        Self::new(Duration::from_millis(400))
    }
}

/// The registered shopper every store starts with: [`DEMO_CUSTOMER`] and its
/// four saved cards (a default Visa, a Mastercard, an expired Amex and a
/// 3-D Secure Mastercard), with stable ids.
pub fn demo_customer() -> Value {
    json!({
        "id": DEMO_CUSTOMER,
        "email": "jdoe@example.com",
        "owner": {"firstName": "Jane", "lastName": "Doe", "email": "jdoe@example.com"},
        "cards": [
            {"id": "src_demo_visa", "number": "4444 2222 3333 1111",
             "expirationMonth": 7, "expirationYear": 2030, "default": true},
            {"id": "src_demo_mastercard", "number": "5466 1600 0000 0008",
             "expirationMonth": 11, "expirationYear": 2029},
            {"id": "src_demo_amex_expired", "number": "3434 567890 12341",
             "expirationMonth": 1, "expirationYear": 2024},
            {"id": "src_demo_3ds", "number": "5454 5454 5454 5454",
             "expirationMonth": 3, "expirationYear": 2031},
        ]
    })
}

/// The id of the demo storefront's registered shopper.
pub const DEMO_CUSTOMER: &str = "cus_demo";

impl Store {
    /// A store with only the demo customer ([`demo_customer`]), whose sessions
    /// become ready `ready_after` after a source is attached.
    pub fn new(ready_after: Duration) -> Self {
        let mut store = Self {
            checkouts: HashMap::new(),
            sessions: HashMap::new(),
            sources: HashMap::new(),
            customers: HashMap::new(),
            orders: Vec::new(),
            ids: IdGen {
                n: 0,
                key: RandomState::new(),
            },
            ready_after,
            challenge_url: "/acs/challenge".into(),
        };
        store
            .create_customer(&demo_customer())
            .expect("the demo customer is valid");
        store
    }

    /// Back to a fresh store with the demo customer (keeps settings and the
    /// challenge URL).
    pub fn reset(&mut self) {
        *self = Self {
            ready_after: self.ready_after,
            challenge_url: std::mem::take(&mut self.challenge_url),
            ..Self::default()
        };
    }

    fn new_token(&mut self) -> String {
        let a = self.ids.next("tds");
        let b = self.ids.next("t");
        format!("{a}{}", &b[2..])
    }

    fn parse_items(&mut self, v: &Value) -> Result<Vec<Item>, ApiError> {
        let Some(list) = v.as_array() else {
            return Err(ApiError::bad_param(
                "invalid_parameter",
                "items",
                "Items must be a list.",
            ));
        };
        if list.is_empty() {
            return Err(ApiError::bad_param(
                "missing_parameter",
                "items",
                "A checkout needs at least one item.",
            ));
        }
        let mut items = Vec::with_capacity(list.len());
        for (i, it) in list.iter().enumerate() {
            let p = |f: &str| format!("items[{i}].{f}");
            let obj = it.as_object().ok_or_else(|| {
                ApiError::bad_param("invalid_parameter", &format!("items[{i}]"), "Invalid item.")
            })?;
            let sku_id = obj.get("skuId").and_then(Value::as_str).map(str::to_owned);
            let known = sku_id.as_deref().and_then(catalog);
            let details = obj.get("productDetails").filter(|d| d.is_object()).cloned();
            let price = match obj.get("price") {
                Some(v) => cents(v, &p("price"))?,
                None => match &known {
                    Some((price, _)) => *price,
                    None => {
                        return Err(ApiError::bad_param(
                            "missing_parameter",
                            &p("price"),
                            "An item needs a price or a known skuId.",
                        ))
                    }
                },
            };
            let product_details = match (details, known) {
                (Some(d), _) => d,
                (None, Some((_, d))) => d,
                (None, None) => {
                    return Err(ApiError::bad_param(
                        "missing_parameter",
                        &p("skuId"),
                        "An item needs a skuId or productDetails.",
                    ))
                }
            };
            let quantity = obj.get("quantity").map_or(Some(1), Value::as_i64);
            let quantity = match quantity {
                Some(q) if (1..=999).contains(&q) => q,
                _ => {
                    return Err(ApiError::bad_param(
                        "invalid_parameter",
                        &p("quantity"),
                        "Quantity must be between 1 and 999.",
                    ))
                }
            };
            items.push(Item {
                id: self.ids.next("itm"),
                sku_id,
                quantity,
                price,
                product_details,
            });
        }
        Ok(items)
    }

    /// `POST /checkouts`.
    pub fn create_checkout(&mut self, body: &Value) -> Result<Value, ApiError> {
        let obj = body.as_object().ok_or_else(invalid_body)?;
        let email = checked_email(obj)?;
        let items = self.parse_items(obj.get("items").unwrap_or(&Value::Null))?;
        let currency: Option<String> = field(obj, "currency")?;
        let currency = currency.unwrap_or_else(|| "USD".into()).to_uppercase();
        if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(ApiError::bad_param(
                "invalid_parameter",
                "currency",
                "Invalid currency.",
            ));
        }
        let id = self.ids.next("chk");
        let session_id = self.ids.next("ses");
        let checkout = Checkout {
            id: id.clone(),
            created: now_iso(),
            currency,
            locale: field(obj, "locale")?.unwrap_or_else(|| "en_US".into()),
            email,
            customer_id: field(obj, "customerId")?,
            bill_to: field(obj, "billTo")?,
            ship_to: field(obj, "shipTo")?,
            shipping_choice: shipping_choice(obj)?,
            upstream_id: field(obj, "upstreamId")?,
            metadata: field(obj, "metadata")?,
            items,
            session: Session {
                client_secret: format!("{session_id}_{}", &self.ids.next("s")[2..]),
                id: session_id.clone(),
                state: SessionState::RequiresSource,
                ready_at: None,
            },
            sources: Vec::new(),
            status: CheckoutStatus::Open,
        };
        self.sessions.insert(session_id, id.clone());
        self.checkouts.insert(id.clone(), checkout);
        Ok(self.checkout_json(&id))
    }

    /// The live (not consumed) checkout, refreshed for the passage of time.
    fn live(&mut self, id: &str) -> Result<&mut Checkout, ApiError> {
        let now = Instant::now();
        match self.checkouts.get_mut(id) {
            Some(c) if c.status != CheckoutStatus::Consumed => {
                if c.session.state == SessionState::Pending
                    && c.session.ready_at.is_some_and(|t| t <= now)
                {
                    c.session.state = SessionState::RequiresConfirmation;
                    c.session.ready_at = None;
                }
                Ok(c)
            }
            _ => Err(ApiError::not_found("Checkout", Some("checkoutId"))),
        }
    }

    /// `GET /checkouts/{id}`.
    pub fn get_checkout(&mut self, id: &str) -> Result<Value, ApiError> {
        self.live(id)?;
        Ok(self.checkout_json(id))
    }

    /// `POST /checkouts/{id}`: applies only the fields present.
    pub fn update_checkout(&mut self, id: &str, body: &Value) -> Result<Value, ApiError> {
        let obj = body.as_object().ok_or_else(invalid_body)?.clone();
        self.live(id)?;
        // Validate everything before changing anything.
        let email = checked_email(&obj)?;
        let items = match obj.get("items") {
            Some(v) => Some(self.parse_items(v)?),
            None => None,
        };
        let bill_to: Option<Contact> = field(&obj, "billTo")?;
        let ship_to: Option<Contact> = field(&obj, "shipTo")?;
        let locale: Option<String> = field(&obj, "locale")?;
        let customer_id: Option<String> = field(&obj, "customerId")?;
        let upstream_id: Option<String> = field(&obj, "upstreamId")?;
        let metadata: Option<Value> = field(&obj, "metadata")?;
        let choice = shipping_choice(&obj)?;
        if obj.contains_key("currency") {
            return Err(ApiError::bad_param(
                "invalid_parameter",
                "currency",
                "The currency of a checkout cannot change.",
            ));
        }
        let ready_after = self.ready_after;
        let c = self.live(id)?;
        macro_rules! set {
            ($($f:ident),*) => {$( if let Some(v) = $f { c.$f = Some(v); } )*};
        }
        set!(email, bill_to, ship_to, customer_id, upstream_id, metadata);
        if let Some(l) = locale {
            c.locale = l;
        }
        if let Some(ch) = choice {
            c.shipping_choice = Some(ch);
        }
        if let Some(items) = items {
            c.items = items;
        }
        let total = totals(c).total;
        let contributed = self.contributed(id);
        let c = self.checkouts.get_mut(id).expect("checked live above");
        if contributed < total {
            c.session.state = SessionState::RequiresSource;
            c.session.ready_at = None;
        } else if c.session.state == SessionState::RequiresSource {
            start_readiness(&mut c.session, ready_after);
        }
        Ok(self.checkout_json(id))
    }

    /// `POST /sources` (the card details arrive here and nowhere else).
    pub fn create_source(&mut self, body: &Value) -> Result<Value, ApiError> {
        let obj = body.as_object().ok_or_else(invalid_body)?;
        let kind: Option<String> = field(obj, "type")?;
        if kind.as_deref() != Some("creditCard") {
            return Err(ApiError::bad_param(
                "invalid_parameter",
                "type",
                "Only creditCard sources are supported.",
            ));
        }
        let session_id: String = field(obj, "sessionId")?.ok_or_else(|| {
            ApiError::bad_param("missing_parameter", "sessionId", "A sessionId is required.")
        })?;
        let checkout_id = self.sessions.get(&session_id).cloned().ok_or_else(|| {
            ApiError::bad_param("invalid_parameter", "sessionId", "Unknown payment session.")
        })?;
        let (currency, remaining) = {
            let total = {
                let c = self.live(&checkout_id)?;
                if c.status == CheckoutStatus::Dead {
                    return Err(ApiError::conflict(
                        "failed-request",
                        "This checkout can no longer be paid. Start a new checkout.",
                    ));
                }
                totals(c).total
            };
            let c = &self.checkouts[&checkout_id];
            (c.currency.clone(), total)
        };
        let card = obj
            .get("creditCard")
            .and_then(Value::as_object)
            .ok_or_else(|| {
                ApiError::bad_param(
                    "missing_parameter",
                    "creditCard",
                    "Card details are required.",
                )
            })?;
        let number = card
            .get("number")
            .and_then(Value::as_str)
            .and_then(cards::normalize)
            .filter(|d| cards::luhn_valid(d))
            .ok_or_else(|| {
                ApiError::bad_param(
                    "invalid_parameter",
                    "creditCard.number",
                    "The card number is not valid.",
                )
            })?;
        let month = card.get("expirationMonth").and_then(Value::as_i64);
        let year = card.get("expirationYear").and_then(Value::as_i64);
        let (month, year) = match (month, year) {
            (Some(m), Some(y)) if (1..=12).contains(&m) && (2000..=2100).contains(&y) => (m, y),
            _ => {
                return Err(ApiError::bad_param(
                    "invalid_parameter",
                    "creditCard.expirationMonth",
                    "The expiration date is not valid.",
                ))
            }
        };
        if (year, month) < current_year_month() {
            return Err(ApiError::bad_param(
                "invalid_parameter",
                "creditCard.expirationYear",
                "The card has expired.",
            ));
        }
        let brand = cards::brand(&number);
        let cvv_ok = card.get("cvv").and_then(Value::as_str).is_some_and(|c| {
            c.len() == cards::cvv_len(brand) && c.bytes().all(|b| b.is_ascii_digit())
        });
        if !cvv_ok {
            return Err(ApiError::bad_param(
                "invalid_parameter",
                "creditCard.cvv",
                "The security code is not valid.",
            ));
        }
        let behaviour = cards::behaviour(&number);
        if behaviour == Behaviour::FailSource {
            return Err(ApiError::bad_param(
                "source_failed",
                "creditCard.number",
                "This card cannot be used. Try another card.",
            ));
        }
        let id = self.ids.next("src");
        let (state, challenge_token) = if behaviour == Behaviour::ThreeDSecure {
            ("requires_action", Some(self.new_token()))
        } else {
            ("chargeable", None)
        };
        let source = Source {
            client_secret: format!("{id}_{}", &self.ids.next("cs")[3..]),
            id: id.clone(),
            session_id: Some(session_id),
            customer_id: None,
            auths: HashMap::new(),
            amount: remaining,
            currency,
            owner: obj.get("owner").cloned().unwrap_or(Value::Null),
            brand,
            last_four: number[number.len() - 4..].to_owned(),
            expiration_month: month,
            expiration_year: year,
            behaviour,
            state,
            challenge_token,
        };
        let out = source_json(&source, &self.challenge_url);
        self.sources.insert(id, source);
        Ok(out)
    }

    /// `POST /checkouts/{id}/sources/{sourceId}`. Attaching the same source twice is
    /// harmless, so a retried attach after a lost response succeeds. A saved source
    /// attaches only to a session it was authenticated on, and contributes the
    /// checkout's total; a single-use source only to the session it was made for.
    pub fn attach_source(&mut self, checkout_id: &str, source_id: &str) -> Result<Value, ApiError> {
        let ready_after = self.ready_after;
        let (session_id, total, currency) = {
            let c = self.live(checkout_id)?;
            (c.session.id.clone(), totals(c).total, c.currency.clone())
        };
        let source = self
            .sources
            .get(source_id)
            .ok_or_else(|| ApiError::not_found("Source", Some("sourceId")))?;
        if source.saved() {
            if source.state != "chargeable" {
                return Err(removed());
            }
            if source.expired() {
                return Err(expired());
            }
            match source.auths.get(&session_id) {
                Some(Auth::NotRequired | Auth::Passed) => {}
                _ => {
                    return Err(ApiError::conflict(
                        "source_not_chargeable",
                        "This saved card must be confirmed for this payment first.",
                    ))
                }
            }
        } else {
            if source.session_id.as_deref() != Some(session_id.as_str()) {
                return Err(ApiError::bad_param(
                    "invalid_parameter",
                    "sourceId",
                    "This source belongs to another payment session.",
                ));
            }
            match source.state {
                "chargeable" => {}
                "requires_action" => {
                    return Err(ApiError::conflict(
                        "source_not_chargeable",
                        "This card must be verified with its bank first.",
                    ))
                }
                _ => {
                    return Err(ApiError::conflict(
                        "source_not_chargeable",
                        "This payment method can no longer be used.",
                    ))
                }
            }
        }
        if self.checkouts[checkout_id].status == CheckoutStatus::Dead {
            return Err(ApiError::conflict(
                "failed-request",
                "This checkout can no longer be paid. Start a new checkout.",
            ));
        }
        let source = self.sources.get_mut(source_id).expect("checked above");
        if source.saved() {
            // A saved card pays whatever this checkout costs.
            source.amount = total;
            source.currency = currency;
        }
        let amount = source.amount;
        let out = source_json(source, &self.challenge_url);
        let c = self.checkouts.get_mut(checkout_id).expect("live");
        if !c.sources.iter().any(|s| s.id == source_id) {
            // One card pays the whole amount: a new card replaces the previous one.
            c.sources = vec![Attached {
                id: source_id.to_owned(),
                amount,
            }];
        }
        let contributed = self.contributed(checkout_id);
        let c = self.checkouts.get_mut(checkout_id).expect("live");
        if contributed >= total && c.session.state == SessionState::RequiresSource {
            start_readiness(&mut c.session, ready_after);
        }
        Ok(out)
    }

    /// `GET /sources/{id}?clientSecret=`: the source, only to who holds its secret.
    pub fn get_source(&self, id: &str, client_secret: Option<&str>) -> Result<Value, ApiError> {
        match self.sources.get(id) {
            Some(s) if client_secret == Some(s.client_secret.as_str()) => {
                Ok(source_json(s, &self.challenge_url))
            }
            _ => Err(ApiError::not_found("Source", Some("sourceId"))),
        }
    }

    /// `POST /sources/{id}/authentications` with `{"sessionId", "clientSecret"}`:
    /// whether the source may pay on that session, and the challenge if one is due.
    /// A single-use source only authenticates on the session it was created for; a
    /// saved source on a session of its customer's checkouts.
    pub fn authenticate_source(&mut self, id: &str, body: &Value) -> Result<Value, ApiError> {
        let obj = body.as_object().ok_or_else(invalid_body)?;
        let secret: Option<String> = field(obj, "clientSecret")?;
        let source = match self.sources.get(id) {
            Some(s) if secret.as_deref() == Some(s.client_secret.as_str()) => s,
            _ => return Err(ApiError::not_found("Source", Some("sourceId"))),
        };
        let saved = source.saved();
        let session_id: String = field(obj, "sessionId")?.ok_or_else(|| {
            ApiError::bad_param("missing_parameter", "sessionId", "A sessionId is required.")
        })?;
        let Some(checkout_id) = self.sessions.get(&session_id).cloned() else {
            return Err(ApiError::bad_param(
                "invalid_parameter",
                "sessionId",
                "Unknown payment session.",
            ));
        };
        if saved {
            return self.authenticate_saved(id, &session_id, &checkout_id);
        }
        let source = &self.sources[id];
        if source.session_id.as_deref() != Some(session_id.as_str()) {
            return Err(ApiError::conflict(
                "nonreusable_source",
                "This payment method cannot be used for another payment.",
            ));
        }
        match source.state {
            "chargeable" if source.behaviour == Behaviour::ThreeDSecure => {
                Ok(json!({"status": "complete"}))
            }
            "chargeable" => Ok(json!({"status": "authentication_not_required"})),
            "failed" => Ok(json!({"status": "failed"})),
            "requires_action" => {
                let full = source_json(source, &self.challenge_url);
                Ok(json!({"status": "requires_action", "nextAction": full["nextAction"]}))
            }
            _ => Err(ApiError::conflict(
                "source_not_chargeable",
                "This payment method can no longer be used.",
            )),
        }
    }

    /// A saved source on `session_id`: its customer must own the checkout; a
    /// 3-D Secure card needs a challenge passed on this very session.
    fn authenticate_saved(
        &mut self,
        id: &str,
        session_id: &str,
        checkout_id: &str,
    ) -> Result<Value, ApiError> {
        if self.sources[id].state != "chargeable" {
            return Err(removed());
        }
        let (dead, checkout_customer) = {
            let c = self.live(checkout_id)?;
            (c.status == CheckoutStatus::Dead, c.customer_id.clone())
        };
        if dead {
            return Err(ApiError::conflict(
                "failed-request",
                "This checkout can no longer be paid. Start a new checkout.",
            ));
        }
        let source = &self.sources[id];
        if checkout_customer != source.customer_id {
            return Err(in_use());
        }
        if source.expired() {
            return Err(expired());
        }
        if source.behaviour != Behaviour::ThreeDSecure {
            let source = self.sources.get_mut(id).expect("checked above");
            source
                .auths
                .insert(session_id.to_owned(), Auth::NotRequired);
            return Ok(json!({"status": "authentication_not_required"}));
        }
        let auth = match source.auths.get(session_id).cloned() {
            Some(a) => a,
            None => {
                let token = self.new_token();
                let source = self.sources.get_mut(id).expect("checked above");
                source
                    .auths
                    .insert(session_id.to_owned(), Auth::Challenge(token.clone()));
                Auth::Challenge(token)
            }
        };
        Ok(match auth {
            Auth::NotRequired => json!({"status": "authentication_not_required"}),
            Auth::Passed => json!({"status": "complete"}),
            Auth::Failed => json!({"status": "failed"}),
            Auth::Challenge(token) => json!({"status": "requires_action",
                "nextAction": three_ds_action(&self.challenge_url, id, &token)}),
        })
    }

    /// The card behind a pending challenge, if `token` is the source's current one
    /// (for a saved source: of one of the sessions it is being authenticated on).
    pub fn challenge(&self, source_id: &str, token: &str) -> Option<ChallengeInfo> {
        let s = self.sources.get(source_id)?;
        if token.is_empty() {
            return None;
        }
        let (amount, currency) = if s.saved() {
            let session = pending_session(s, token)?;
            let c = self.checkouts.get(self.sessions.get(session)?)?;
            (s.state == "chargeable").then(|| (totals(c).total, c.currency.clone()))?
        } else {
            let current = s.challenge_token.as_deref()?;
            (s.state == "requires_action" && current == token)
                .then(|| (s.amount, s.currency.clone()))?
        };
        Some(ChallengeInfo {
            brand: s.brand,
            last_four: s.last_four.clone(),
            amount: format!("{:.2} {currency}", amount as f64 / 100.0),
        })
    }

    /// Ends a challenge: uses `token` up and applies `outcome` to the source (to a
    /// saved source's authentication on that session). A cancelled challenge
    /// leaves it `requires_action` with a new token.
    pub fn finish_challenge(
        &mut self,
        source_id: &str,
        token: &str,
        outcome: ChallengeOutcome,
    ) -> Result<(), ApiError> {
        if self.challenge(source_id, token).is_none() {
            return Err(ApiError::bad_param(
                "invalid_parameter",
                "token",
                "This verification link is not valid.",
            ));
        }
        let next = match outcome {
            ChallengeOutcome::Cancelled => Some(self.new_token()),
            _ => None,
        };
        let s = self.sources.get_mut(source_id).expect("checked above");
        if s.saved() {
            let session = pending_session(s, token).expect("checked above").to_owned();
            let auth = match (outcome, next) {
                (ChallengeOutcome::Passed, _) => Auth::Passed,
                (ChallengeOutcome::Failed, _) => Auth::Failed,
                (ChallengeOutcome::Cancelled, t) => Auth::Challenge(t.expect("a new token")),
            };
            s.auths.insert(session, auth);
            return Ok(());
        }
        s.challenge_token = next;
        s.state = match outcome {
            ChallengeOutcome::Passed => "chargeable",
            ChallengeOutcome::Failed => "failed",
            ChallengeOutcome::Cancelled => "requires_action",
        };
        Ok(())
    }

    fn contributed(&self, checkout_id: &str) -> Cents {
        self.checkouts[checkout_id]
            .sources
            .iter()
            .map(|s| s.amount)
            .sum()
    }

    /// `POST /orders`.
    pub fn create_order(&mut self, body: &Value) -> Result<Value, ApiError> {
        let obj = body.as_object().ok_or_else(invalid_body)?;
        let checkout_id: String = field(obj, "checkoutId")?.ok_or_else(|| {
            ApiError::bad_param(
                "missing_parameter",
                "checkoutId",
                "A checkoutId is required.",
            )
        })?;
        let c = self.live(&checkout_id)?.clone();
        if c.status == CheckoutStatus::Dead {
            return Err(ApiError::conflict(
                "failed-request",
                "This checkout can no longer be ordered. Start a new checkout.",
            ));
        }
        // Shopper data first, as the provider validates the order before charging.
        match c.email.as_deref() {
            None | Some("") => {
                return Err(ApiError::bad_param(
                    "missing_parameter",
                    "email",
                    "An email address is required.",
                ))
            }
            Some(e) if e.to_ascii_lowercase().ends_with("@reject.example") => {
                return Err(ApiError::bad_param(
                    "order_create_failed",
                    "email",
                    "We could not use this email address for the order. Use another one.",
                ))
            }
            Some(_) => {}
        }
        if c.bill_to.as_ref().map(|b| b.address.postal_code.trim()) == Some("00000") {
            return Err(ApiError::bad_param(
                "invalid_parameter",
                "billTo.address.postalCode",
                "The billing postal code is not valid.",
            ));
        }
        let t = totals(&c);
        if c.session.state != SessionState::RequiresConfirmation
            || self.contributed(&c.id) < t.total
        {
            return Err(ApiError::bad_request(
                "order_submit_failed",
                "The payment is not ready yet.",
            ));
        }
        let sources: Vec<&Source> = c
            .sources
            .iter()
            .filter_map(|s| self.sources.get(&s.id))
            .collect();
        // A saved card charges only for its own customer.
        if sources
            .iter()
            .any(|s| s.saved() && s.customer_id != c.customer_id)
        {
            self.kill(&c.id);
            return Err(in_use());
        }
        if sources
            .iter()
            .any(|s| s.behaviour == Behaviour::DeclineAtOrder)
        {
            self.kill(&c.id);
            for s in &c.sources {
                if let Some(src) = self.sources.get_mut(&s.id).filter(|s| !s.saved()) {
                    src.state = "failed";
                }
            }
            return Err(ApiError::conflict(
                "failed-request",
                "Your card was declined. Use a different card.",
            ));
        }
        let paid: Vec<(String, Cents)> =
            c.sources.iter().map(|s| (s.id.clone(), s.amount)).collect();
        let charges: Vec<Value> = paid
            .into_iter()
            .map(|(source_id, amount)| {
                json!({"id": self.ids.next("chg"), "amount": money(amount), "state": "capturable",
                       "sourceId": source_id, "type": "customer_initiated"})
            })
            .collect();
        let checkout = self.checkout_json(&c.id);
        let id = self.ids.next("ord");
        let order = json!({
            "id": id,
            "checkoutId": c.id,
            "createdTime": now_iso(),
            "state": "accepted",
            "fraudState": "passed",
            "currency": c.currency,
            "email": c.email,
            "locale": c.locale,
            "billTo": checkout["billTo"],
            "shipTo": checkout["shipTo"],
            "items": checkout["items"],
            "subtotal": money(t.subtotal),
            "totalTax": money(t.tax),
            "totalShipping": money(t.shipping),
            "totalAmount": money(t.total),
            "upstreamId": c.upstream_id,
            "payment": {
                "charges": charges,
                "sources": checkout["payment"]["sources"],
                "session": {"id": c.session.id, "state": "complete",
                            "amountContributed": money(t.total),
                            "amountRemainingToBeContributed": 0.0}
            }
        });
        for s in &c.sources {
            if let Some(src) = self.sources.get_mut(&s.id) {
                if src.saved() {
                    // Saved cards stay usable; this session's authentication is spent.
                    src.auths.remove(&c.session.id);
                } else {
                    src.state = "consumed";
                }
            }
        }
        self.checkouts.get_mut(&c.id).expect("live").status = CheckoutStatus::Consumed;
        self.orders.push(order.clone());
        Ok(order)
    }

    /// `GET /orders[?checkoutId=]`.
    pub fn list_orders(&self, checkout_id: Option<&str>) -> Value {
        let data: Vec<&Value> = self
            .orders
            .iter()
            .filter(|o| checkout_id.is_none_or(|id| o["checkoutId"] == id))
            .collect();
        json!({"hasMore": false, "data": data})
    }

    /// Every order, for the control surface.
    pub fn orders(&self) -> &[Value] {
        &self.orders
    }

    /// A 409 on `POST /orders`: this checkout can never be ordered.
    fn kill(&mut self, checkout_id: &str) {
        if let Some(c) = self.checkouts.get_mut(checkout_id) {
            c.status = CheckoutStatus::Dead;
        }
    }

    /// `GET /customers/{id}`.
    pub fn get_customer(&self, id: &str) -> Result<Value, ApiError> {
        let c = self
            .customers
            .get(id)
            .ok_or_else(|| ApiError::not_found("Customer", Some("customerId")))?;
        Ok(self.customer_json(c))
    }

    /// `POST /customers/{id}/sources/{sourceId}`: saves a chargeable, not yet used
    /// source of one of this customer's checkouts. Saving it again is harmless.
    /// It stays usable on the session it was made for.
    pub fn save_source(&mut self, customer_id: &str, source_id: &str) -> Result<Value, ApiError> {
        if !self.customers.contains_key(customer_id) {
            return Err(ApiError::not_found("Customer", Some("customerId")));
        }
        let source = self
            .sources
            .get(source_id)
            .ok_or_else(|| ApiError::not_found("Source", Some("sourceId")))?;
        let cannot = || {
            ApiError::conflict(
                "nonreusable_source",
                "This payment method cannot be saved for later.",
            )
        };
        if let Some(owner) = &source.customer_id {
            return if owner == customer_id && source.state == "chargeable" {
                Ok(source_json(source, &self.challenge_url))
            } else {
                Err(cannot())
            };
        }
        let checkout_customer = source
            .session_id
            .as_ref()
            .and_then(|s| self.sessions.get(s))
            .and_then(|c| self.checkouts.get(c))
            .and_then(|c| c.customer_id.as_deref());
        if checkout_customer != Some(customer_id) {
            return Err(cannot());
        }
        match source.state {
            "chargeable" => {}
            "requires_action" | "failed" => {
                return Err(ApiError::conflict(
                    "source_not_chargeable",
                    "This card cannot be saved until it is ready to pay.",
                ))
            }
            _ => return Err(cannot()),
        }
        let source = self.sources.get_mut(source_id).expect("checked above");
        source.customer_id = Some(customer_id.to_owned());
        if let Some(session) = source.session_id.clone() {
            // Its own session already verified it (a 3-D Secure card is
            // chargeable only after its challenge passed).
            let auth = if source.behaviour == Behaviour::ThreeDSecure {
                Auth::Passed
            } else {
                Auth::NotRequired
            };
            source.auths.insert(session, auth);
        }
        let out = source_json(source, &self.challenge_url);
        let customer = self.customers.get_mut(customer_id).expect("checked above");
        customer.sources.push(source_id.to_owned());
        if customer.default_source.is_none() {
            customer.default_source = Some(source_id.to_owned());
        }
        Ok(out)
    }

    /// `DELETE /customers/{id}/sources/{sourceId}`: the source becomes `cancelled`,
    /// leaves the list and is detached from any open checkout. Removing it again
    /// is harmless.
    pub fn remove_source(&mut self, customer_id: &str, source_id: &str) -> Result<(), ApiError> {
        let customer = self
            .customers
            .get(customer_id)
            .ok_or_else(|| ApiError::not_found("Customer", Some("customerId")))?;
        if !customer.sources.iter().any(|s| s == source_id) {
            return Err(ApiError::not_found("Source", Some("sourceId")));
        }
        let source = self.sources.get_mut(source_id).expect("a saved source");
        if source.state == "cancelled" {
            return Ok(());
        }
        source.state = "cancelled";
        source.auths.clear();
        let next_default = customer
            .sources
            .iter()
            .filter(|s| *s != source_id)
            .find(|s| {
                self.sources
                    .get(*s)
                    .is_some_and(|s| s.state == "chargeable" && !s.expired())
            })
            .cloned();
        let customer = self.customers.get_mut(customer_id).expect("checked above");
        if customer.default_source.as_deref() == Some(source_id) {
            customer.default_source = next_default;
        }
        let open: Vec<String> = self
            .checkouts
            .values()
            .filter(|c| {
                c.status == CheckoutStatus::Open && c.sources.iter().any(|s| s.id == source_id)
            })
            .map(|c| c.id.clone())
            .collect();
        for id in open {
            let c = self.checkouts.get_mut(&id).expect("listed above");
            c.sources.retain(|s| s.id != source_id);
            let total = totals(c).total;
            if self.contributed(&id) < total {
                let c = self.checkouts.get_mut(&id).expect("listed above");
                c.session.state = SessionState::RequiresSource;
                c.session.ready_at = None;
            }
        }
        Ok(())
    }

    /// Creates a registered customer with saved cards, answering it as
    /// `GET /customers/{id}` would (with the sources' client secrets). The body:
    /// `{"id"?, "email", "owner"?, "cards": [{"id"?, "number", "expirationMonth",
    /// "expirationYear", "default"?}]}`. Expired cards are saved too (listed,
    /// unusable); the default is the first card marked `default`, else the first.
    /// Control surface (`POST /__sandbox/customers`) and in-process tests only.
    pub fn create_customer(&mut self, body: &Value) -> Result<Value, ApiError> {
        let obj = body.as_object().ok_or_else(invalid_body)?;
        let email = checked_email(obj)?.ok_or_else(|| {
            ApiError::bad_param("missing_parameter", "email", "An email is required.")
        })?;
        let id: Option<String> = field(obj, "id")?;
        if let Some(id) = &id {
            if id.trim().is_empty() || id.len() > 200 {
                return Err(ApiError::bad_param(
                    "invalid_parameter",
                    "id",
                    "Invalid id.",
                ));
            }
            if self.customers.contains_key(id) {
                return Err(ApiError::conflict(
                    "customer_exists",
                    "A customer with this id exists already.",
                ));
            }
        }
        let owner: Value = field(obj, "owner")?.unwrap_or_else(|| json!({"email": email}));
        let list = match obj.get("cards") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(l)) => l.clone(),
            Some(_) => {
                return Err(ApiError::bad_param(
                    "invalid_parameter",
                    "cards",
                    "Cards must be a list.",
                ))
            }
        };
        // Validate every card before creating anything.
        struct Card {
            id: Option<String>,
            number: String,
            month: i64,
            year: i64,
            default: bool,
        }
        let mut cards = Vec::with_capacity(list.len());
        for (i, card) in list.iter().enumerate() {
            let p = |f: &str| format!("cards[{i}].{f}");
            let obj = card.as_object().ok_or_else(|| {
                ApiError::bad_param("invalid_parameter", &format!("cards[{i}]"), "Invalid card.")
            })?;
            let number = obj
                .get("number")
                .and_then(Value::as_str)
                .and_then(cards::normalize)
                .filter(|d| cards::luhn_valid(d))
                .ok_or_else(|| {
                    ApiError::bad_param(
                        "invalid_parameter",
                        &p("number"),
                        "The card number is not valid.",
                    )
                })?;
            if cards::behaviour(&number) == Behaviour::FailSource {
                return Err(ApiError::bad_param(
                    "source_failed",
                    &p("number"),
                    "This card cannot be used.",
                ));
            }
            let month = obj.get("expirationMonth").and_then(Value::as_i64);
            let year = obj.get("expirationYear").and_then(Value::as_i64);
            let (month, year) = match (month, year) {
                (Some(m), Some(y)) if (1..=12).contains(&m) && (2000..=2100).contains(&y) => (m, y),
                _ => {
                    return Err(ApiError::bad_param(
                        "invalid_parameter",
                        &p("expirationMonth"),
                        "The expiration date is not valid.",
                    ))
                }
            };
            let card_id = match obj.get("id") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) if !s.trim().is_empty() && s.len() <= 200 => {
                    let taken = self.sources.contains_key(s)
                        || cards.iter().any(|c: &Card| c.id.as_ref() == Some(s));
                    if taken {
                        return Err(ApiError::conflict(
                            "source_exists",
                            &format!("A source with the id {s} exists already."),
                        ));
                    }
                    Some(s.clone())
                }
                Some(_) => {
                    return Err(ApiError::bad_param(
                        "invalid_parameter",
                        &p("id"),
                        "Invalid id.",
                    ))
                }
            };
            cards.push(Card {
                id: card_id,
                number,
                month,
                year,
                default: obj.get("default").and_then(Value::as_bool) == Some(true),
            });
        }
        let id = id.unwrap_or_else(|| self.ids.next("cus"));
        let mut saved = Vec::with_capacity(cards.len());
        for card in &cards {
            let source_id = card.id.clone().unwrap_or_else(|| self.ids.next("src"));
            let brand = cards::brand(&card.number);
            let source = Source {
                client_secret: format!("{source_id}_{}", &self.ids.next("cs")[3..]),
                id: source_id.clone(),
                session_id: None,
                customer_id: Some(id.clone()),
                auths: HashMap::new(),
                amount: 0,
                currency: "USD".into(),
                owner: owner.clone(),
                brand,
                last_four: card.number[card.number.len() - 4..].to_owned(),
                expiration_month: card.month,
                expiration_year: card.year,
                behaviour: cards::behaviour(&card.number),
                state: "chargeable",
                challenge_token: None,
            };
            self.sources.insert(source_id.clone(), source);
            saved.push(source_id);
        }
        let default_source = cards
            .iter()
            .position(|c| c.default)
            .or((!saved.is_empty()).then_some(0))
            .map(|i| saved[i].clone());
        let customer = Customer {
            id: id.clone(),
            email,
            default_source,
            sources: saved,
        };
        let out = self.customer_json(&customer);
        self.customers.insert(id, customer);
        Ok(out)
    }

    fn customer_json(&self, c: &Customer) -> Value {
        let sources: Vec<Value> = c
            .sources
            .iter()
            .filter_map(|s| self.sources.get(s))
            .filter(|s| s.state != "cancelled")
            .map(|s| source_json(s, &self.challenge_url))
            .collect();
        let default = c
            .default_source
            .as_ref()
            .filter(|d| sources.iter().any(|s| s["id"] == d.as_str()));
        json!({
            "id": c.id,
            "email": c.email,
            "defaultSourceId": default,
            "sources": sources,
        })
    }

    fn checkout_json(&self, id: &str) -> Value {
        let c = &self.checkouts[id];
        let t = totals(c);
        let contributed = self.contributed(id).min(t.total);
        let items: Vec<Value> = c
            .items
            .iter()
            .map(|i| {
                let amount = i.price * i.quantity;
                json!({"id": i.id, "skuId": i.sku_id, "quantity": i.quantity,
                       "price": money(i.price), "amount": money(amount),
                       "productDetails": i.product_details,
                       "tax": {"amount": money(tax(amount))}})
            })
            .collect();
        let sources: Vec<Value> = c
            .sources
            .iter()
            .filter_map(|a| self.sources.get(&a.id).map(|s| (a, s)))
            .map(|(a, s)| {
                json!({"id": s.id, "type": "creditCard", "amount": money(a.amount),
                       "creditCard": card_json(s)})
            })
            .collect();
        json!({
            "id": c.id,
            "createdTime": c.created,
            "currency": c.currency,
            "locale": c.locale,
            "email": c.email,
            "customerId": c.customer_id,
            "billTo": c.bill_to,
            "shipTo": c.ship_to,
            "shippingChoice": c.shipping_choice,
            "upstreamId": c.upstream_id,
            "metadata": c.metadata,
            "items": items,
            "subtotal": money(t.subtotal),
            "totalTax": money(t.tax),
            "totalShipping": money(t.shipping),
            "totalDiscount": 0.0,
            "totalAmount": money(t.total),
            "payment": {
                "sources": sources,
                "session": {
                    "id": c.session.id,
                    "clientSecret": c.session.client_secret,
                    "state": c.session.state.as_str(),
                    "amountContributed": money(contributed),
                    "amountRemainingToBeContributed": money(t.total - contributed),
                }
            }
        })
    }
}

fn invalid_body() -> ApiError {
    ApiError::bad_request("invalid_request", "The request body must be a JSON object.")
}

fn shipping_choice(obj: &Map<String, Value>) -> Result<Option<Value>, ApiError> {
    match obj.get("shippingChoice") {
        None | Some(Value::Null) => Ok(None),
        Some(v @ Value::Object(o)) => {
            if let Some(a) = o.get("amount") {
                cents(a, "shippingChoice.amount")?;
            }
            Ok(Some(v.clone()))
        }
        Some(_) => Err(ApiError::bad_param(
            "invalid_parameter",
            "shippingChoice",
            "Invalid shippingChoice.",
        )),
    }
}

fn start_readiness(session: &mut Session, ready_after: Duration) {
    if ready_after.is_zero() {
        session.state = SessionState::RequiresConfirmation;
        session.ready_at = None;
    } else {
        session.state = SessionState::Pending;
        session.ready_at = Some(Instant::now() + ready_after);
    }
}

/// Tax on an amount, rounded half up to the cent.
fn tax(amount: Cents) -> Cents {
    (amount * TAX_BPS + 5_000) / 10_000
}

fn totals(c: &Checkout) -> Totals {
    let subtotal: Cents = c.items.iter().map(|i| i.price * i.quantity).sum();
    let tax: Cents = c.items.iter().map(|i| tax(i.price * i.quantity)).sum();
    let shipping = match &c.shipping_choice {
        Some(ch) => ch
            .get("amount")
            .and_then(|a| cents(a, "shippingChoice.amount").ok())
            .unwrap_or(0),
        None if c.ship_to.is_some() => DEFAULT_SHIPPING,
        None => 0,
    };
    Totals {
        subtotal,
        tax,
        shipping,
        total: subtotal + tax + shipping,
    }
}

fn card_json(s: &Source) -> Value {
    json!({"brand": s.brand, "lastFourDigits": s.last_four,
           "expirationMonth": s.expiration_month, "expirationYear": s.expiration_year})
}

fn source_json(s: &Source, challenge_url: &str) -> Value {
    let mut v = json!({
        "id": s.id,
        "clientSecret": s.client_secret,
        "type": "creditCard",
        "state": s.state,
        "reusable": s.saved(),
        "amount": money(s.amount),
        "currency": s.currency,
        "owner": s.owner,
        "creditCard": card_json(s),
    });
    if let Some(customer) = &s.customer_id {
        v["customerId"] = json!(customer);
    }
    if let (Some(token), "requires_action") = (&s.challenge_token, s.state) {
        v["nextAction"] = three_ds_action(challenge_url, &s.id, token);
    }
    v
}

/// The `nextAction` of a pending 3-D Secure challenge.
fn three_ds_action(challenge_url: &str, source_id: &str, token: &str) -> Value {
    let url = format!("{challenge_url}?sourceId={source_id}&token={token}");
    json!({"action": "three_d_secure", "data": {"challengeUrl": url}})
}

/// The session a saved source's open challenge with `token` is for.
fn pending_session<'a>(s: &'a Source, token: &str) -> Option<&'a str> {
    s.auths.iter().find_map(|(session, auth)| match auth {
        Auth::Challenge(t) if t == token => Some(session.as_str()),
        _ => None,
    })
}

fn removed() -> ApiError {
    ApiError::conflict(
        "source_not_chargeable",
        "This saved payment method was removed. Use another one.",
    )
}

fn expired() -> ApiError {
    ApiError::conflict("source_expired", "This card has expired. Use another card.")
}

fn in_use() -> ApiError {
    ApiError::conflict(
        "source_in_use",
        "This saved card cannot pay for this order. Use a different card.",
    )
}
