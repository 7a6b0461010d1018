//! PURE: the checkout journey as a state machine. `update(state, event)` decides;
//! the shell runs the returned commands (HTTP, timers, focus, DOM events) and
//! feeds the results back as events. No Leptos, no web-sys: every rule of the
//! contract is tested here with plain `cargo test`.
//!
//! The rules that matter most are enforced here, not in the view:
//! - at most one request is in flight, ever (so one click, a double click or an
//!   Enter press yields at most one `POST /orders`);
//! - a checkout that was declined (409) or produced an order is never ordered again;
//! - after a 409 the next order goes to a fresh checkout; after another 4xx, to
//!   the same checkout once the named fields are fixed;
//! - an order whose outcome is unknown is looked up before it is ever re-sent;
//! - card data never enters this state: the card frame (another origin) holds
//!   it, creates the source and runs 3-D Secure; the core asks it to, over
//!   [`Command::ToFrame`], and hears back through [`Event::Frame`]. Only the
//!   brand, last four digits and expiry come back.

use serde_json::{json, Map, Value};

use crate::card_frame::protocol::{
    CardField, CardSource, ChallengeOutcome, FrameState, FromFrame, Owner, ToFrame, TokenizeFailure,
};
use crate::model::{
    Address, ApiError, CardSummary, Checkout, CheckoutId, ClientSecret, Contact, Customer,
    ErrorEntry, Order, OrderList, Source, SourceId,
};
use crate::options::Start;
use crate::validation::{self as v, Problem};

/// Tunables of the journey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `false`: one `Pay <amount>` button and no review step.
    pub review: bool,
    /// How long to wait for the payment session before saying "still waiting".
    pub readiness_timeout_ms: u64,
    /// First delay between readiness checks (after the immediate first check).
    pub poll_first_ms: u64,
    /// Largest delay between readiness checks.
    pub poll_cap_ms: u64,
    /// How long a 3-D Secure challenge may stay open before it counts as abandoned.
    pub challenge_timeout_ms: u64,
    /// (year, month) when the widget was mounted: saved cards before it are expired.
    pub today: (u32, u32),
}

impl Default for Config {
    fn default() -> Self {
        Self {
            review: true,
            readiness_timeout_ms: 30_000,
            poll_first_ms: 250,
            poll_cap_ms: 2_000,
            challenge_timeout_ms: 600_000,
            today: (1970, 1),
        }
    }
}

/// Where the shopper is. The `checkout-step` names are in [`Step::name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Loading or creating the checkout.
    Loading,
    /// Entering payment details (and contact/billing data).
    Payment,
    /// The card frame is running the card's 3-D Secure challenge.
    Authenticating,
    /// Waiting for the payment session to become ready.
    Waiting,
    /// Reviewing before `Place order`.
    Review,
    /// Placing the order, looking it up, or opening a fresh checkout after a decline.
    Submitting,
    /// Fixing fields the provider rejected, on the same checkout.
    Fix,
    /// The order is placed.
    Complete,
    /// Something failed that the current step cannot absorb.
    Error,
}

impl Step {
    /// The public `checkout-step` name (`None` while loading).
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            Self::Loading => return None,
            Self::Payment => "payment",
            Self::Authenticating => "authenticating",
            Self::Waiting => "waiting",
            Self::Review => "review",
            Self::Submitting => "submitting",
            Self::Fix => "fix",
            Self::Complete => "complete",
            Self::Error => "error",
        })
    }
}

/// The fields a shopper can type into on the merchant page. The card fields
/// ([`CardField`]) live in the card frame and never here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// The billing name (shown when a rejected order names it).
    Name,
    /// Email.
    Email,
    /// Address line.
    Line1,
    /// City.
    City,
    /// Postal code.
    PostalCode,
    /// Country (ISO alpha-2).
    Country,
    /// State or province.
    State,
}

impl Field {
    /// Every field.
    pub const ALL: [Field; 7] = [
        Field::Name,
        Field::Email,
        Field::Line1,
        Field::City,
        Field::PostalCode,
        Field::Country,
        Field::State,
    ];

    /// The fields of payment entry, in form order (below the card frame).
    pub const PAYMENT: [Field; 6] = [
        Field::Email,
        Field::Line1,
        Field::City,
        Field::PostalCode,
        Field::Country,
        Field::State,
    ];

    /// Contact and billing fields: what a rejected order can ask to fix.
    pub const CONTACT: [Field; 7] = [
        Field::Email,
        Field::Name,
        Field::Line1,
        Field::City,
        Field::PostalCode,
        Field::Country,
        Field::State,
    ];

    /// A short stable slug (element ids, tests).
    pub fn slug(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Email => "email",
            Field::Line1 => "address",
            Field::City => "city",
            Field::PostalCode => "postal-code",
            Field::Country => "country",
            Field::State => "state",
        }
    }

    /// The contract's parameter name for this field.
    pub fn parameter(self) -> &'static str {
        match self {
            Field::Name => "billTo.name",
            Field::Email => "email",
            Field::Line1 => "billTo.address.line1",
            Field::City => "billTo.address.city",
            Field::PostalCode => "billTo.address.postalCode",
            Field::Country => "billTo.address.country",
            Field::State => "billTo.address.state",
        }
    }

    /// The fields an error's `parameter` names (a whole object names all its fields).
    pub fn from_parameter(p: &str) -> Vec<Field> {
        let p = p.trim();
        match p {
            "email" | "billTo.email" => vec![Field::Email],
            "billTo.name" => vec![Field::Name],
            "billTo.address.line1" | "billTo.address.line2" => vec![Field::Line1],
            "billTo.address.city" => vec![Field::City],
            "billTo.address.postalCode" => vec![Field::PostalCode],
            "billTo.address.country" => vec![Field::Country],
            "billTo.address.state" => vec![Field::State],
            "billTo" | "billTo.address" => Field::CONTACT[1..].to_vec(),
            _ => vec![],
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Whether an error's `parameter` names card data (the card frame's fields:
/// the card must be entered again, in the frame).
pub fn names_card(parameter: &str) -> bool {
    let p = parameter.trim();
    p.starts_with("creditCard") || p == "owner.firstName" || p == "owner.lastName"
}

/// What the shopper typed, and which fields they have left (errors show then).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Form {
    values: [String; 7],
    touched: [bool; 7],
}

/// Longest value accepted in a free-text field.
const MAX_TEXT: usize = 200;

impl Form {
    /// A field's current value.
    pub fn get(&self, f: Field) -> &str {
        &self.values[f.index()]
    }

    /// Whether the field was left (blurred) or the form submitted.
    pub fn touched(&self, f: Field) -> bool {
        self.touched[f.index()]
    }

    /// Sets a value, normalised the way the field is displayed.
    pub fn set(&mut self, f: Field, raw: &str) {
        let value = match f {
            Field::Country => raw.trim().to_ascii_uppercase().chars().take(2).collect(),
            _ => raw.chars().take(MAX_TEXT).collect(),
        };
        self.values[f.index()] = value;
    }

    fn touch(&mut self, f: Field) {
        self.touched[f.index()] = true;
    }

    /// The problem with one field, if any.
    pub fn problem(&self, f: Field) -> Option<Problem> {
        let val = self.get(f);
        let r = match f {
            Field::Name => v::check_text(val, MAX_TEXT),
            Field::Email => v::check_email(val),
            Field::Line1 | Field::City => v::check_text(val, MAX_TEXT),
            Field::PostalCode => v::check_postal_code(val, self.get(Field::Country)),
            Field::Country => v::check_country(val),
            Field::State if v::needs_state(self.get(Field::Country)) => {
                v::check_text(val, MAX_TEXT)
            }
            Field::State => Ok(()),
        };
        r.err()
    }

    /// The first field among `fields` with a problem.
    fn first_problem(&self, fields: &[Field]) -> Option<Field> {
        fields.iter().copied().find(|f| self.problem(*f).is_some())
    }

    fn prefill(&mut self, c: &Checkout) {
        let bill = c.bill_to.clone().unwrap_or_default();
        let pairs = [
            (Field::Name, bill.name.as_str()),
            (Field::Email, c.email.as_deref().unwrap_or_default()),
            (Field::Line1, bill.address.line1.as_str()),
            (Field::City, bill.address.city.as_str()),
            (Field::PostalCode, bill.address.postal_code.as_str()),
            (Field::Country, bill.address.country.as_str()),
            (Field::State, bill.address.state.as_str()),
        ];
        for (f, value) in pairs {
            // Never overwrite what the shopper typed.
            if self.get(f).is_empty() {
                self.set(f, value);
            }
        }
    }

    /// The billing contact as the form says, on top of what the checkout has.
    fn bill_to(&self, base: Option<&Contact>) -> Contact {
        let mut c = base.cloned().unwrap_or_default();
        c.name = self.get(Field::Name).trim().to_owned();
        c.address = Address {
            line1: self.get(Field::Line1).trim().to_owned(),
            city: self.get(Field::City).trim().to_owned(),
            postal_code: self.get(Field::PostalCode).trim().to_owned(),
            country: self.get(Field::Country).trim().to_owned(),
            state: self.get(Field::State).trim().to_owned(),
            ..c.address
        };
        c
    }
}

/// Why a step failed, in terms the view can put into shopper words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The checkout does not exist (any more).
    CheckoutNotFound,
    /// No response: network down or connection dropped.
    Network,
    /// The request took too long.
    Timeout,
    /// The server failed (5xx or an unexpected status).
    Server,
    /// The server answered with something unreadable.
    Decode,
    /// The server refused the request; its shopper-presentable message, if any.
    Rejected(Option<String>),
    /// An order exists for this checkout but is not placed (e.g. `blocked`).
    OrderNotPlaced,
    /// The secure card form (the card frame) did not load.
    FrameFailed,
}

impl Failure {
    fn from_api(e: &ApiError) -> Self {
        match e {
            ApiError::NotFound(_) => Self::CheckoutNotFound,
            ApiError::Network => Self::Network,
            ApiError::Timeout => Self::Timeout,
            ApiError::Server { .. } => Self::Server,
            ApiError::Decode => Self::Decode,
            ApiError::Conflict(errs) | ApiError::Rejected { errors: errs, .. } => {
                Self::Rejected(first_message(errs))
            }
        }
    }

    /// The `kind` of a `checkout-error` event.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Network | Self::FrameFailed => "network",
            Self::Timeout => "timeout",
            Self::Decode => "decode",
            Self::CheckoutNotFound => "not_found",
            Self::Server | Self::Rejected(_) | Self::OrderNotPlaced => "server",
        }
    }

    /// Whether trying the same thing again can help.
    pub fn retryable(&self) -> bool {
        matches!(
            self,
            Self::Network | Self::Timeout | Self::Server | Self::Decode | Self::FrameFailed
        )
    }
}

fn first_message(errs: &[ErrorEntry]) -> Option<String> {
    errs.iter()
        .map(|e| e.message.trim())
        .find(|m| !m.is_empty())
        .map(str::to_owned)
}

/// A message shown above the current step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Alert {
    /// The order was declined (409); payment is asked for again on a fresh checkout.
    Declined {
        /// The provider's message, if any.
        message: Option<String>,
        /// A hard decline (fraud, blocked): another card or method is needed.
        hard: bool,
    },
    /// The provider rejected some shopper data (other 4xx).
    NeedsInput {
        /// The provider's message, if any.
        message: Option<String>,
    },
    /// The card could not be turned into a usable source.
    CardFailed {
        /// The provider's message, if any.
        message: Option<String>,
    },
    /// 3-D Secure failed: the card could not be verified.
    CardNotVerified,
    /// The 3-D Secure challenge was cancelled or ran out of time: `Verify
    /// again` or `Use another card`.
    ChallengeAbandoned {
        /// It ran out of time (else the shopper cancelled it).
        timed_out: bool,
    },
    /// The secure card form did not load.
    FrameFailed,
    /// The secure card form is still loading.
    FrameLoading,
    /// A saved card could not be removed (it stays listed).
    RemoveFailed {
        /// The provider's message, if any.
        message: Option<String>,
    },
    /// The session needs new payment details (on the same checkout).
    PaymentAgain,
    /// The session is still not ready after the time limit.
    StillWaiting,
    /// The order was not found after an unknown outcome: nothing was placed.
    NotPlaced,
    /// Some fields need attention before continuing.
    Invalid,
    /// A request failed.
    Failed(Failure),
    /// A request failed and will be retried automatically (or now, with `Try again`).
    Retrying(Failure),
}

/// What `Try again` does.
#[derive(Debug, Clone, PartialEq)]
pub enum Retry {
    /// Load (or create) the checkout again.
    Load,
    /// Create the fresh checkout after a decline again.
    Fresh(Value),
    /// Submit the payment form again.
    Continue,
    /// Load the card frame again.
    Frame,
    /// Attach the created source again.
    Attach,
    /// Start waiting for the session again.
    Poll,
    /// Look the order up again (its outcome is unknown).
    Lookup,
    /// Place the order again (known not to exist).
    PlaceOrder,
    /// Save the fixed fields again.
    Fix,
}

/// The one kind of request that may be in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pending {
    /// Initial `GET /checkouts/{id}` or `POST /checkouts`.
    Load,
    /// `POST /checkouts/{id}` with contact changes, before creating a source.
    SaveContact,
    /// The card frame's tokenization (`POST /sources`, and 3-D Secure while
    /// the challenge is open).
    CreateSource,
    /// `POST /checkouts/{id}/sources/{sourceId}`.
    Attach,
    /// `GET /checkouts/{id}` while waiting for readiness.
    Poll,
    /// `POST /orders`.
    Order,
    /// `GET /orders?checkoutId=`.
    Lookup,
    /// `POST /checkouts` after a decline.
    Fresh,
    /// `POST /checkouts/{id}` with fixed fields.
    SaveFix,
    /// `GET /customers/{id}`: the registered shopper's saved cards.
    Customer,
    /// `POST /customers/{id}/sources/{sourceId}`: keep the new card for later.
    SaveCard,
    /// `DELETE /customers/{id}/sources/{sourceId}`.
    RemoveCard,
}

/// Why an order is being looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookupReason {
    /// `POST /orders` answered 404 for a checkout we had submitted.
    NotFound,
    /// `POST /orders` got no usable answer.
    Unknown,
    /// The checkout the widget was mounted on is gone (404): did it become an order?
    Resume,
}

/// Readiness polling.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Poll {
    /// Checks made so far.
    pub attempt: u32,
    /// Milliseconds of delay scheduled so far.
    pub waited_ms: u64,
}

/// The whole widget state.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// Tunables.
    pub config: Config,
    /// How the checkout is obtained.
    pub start: Start,
    /// Current step.
    pub step: Step,
    rng: u64,
    /// The live checkout.
    pub checkout: Option<Checkout>,
    /// What the shopper typed.
    pub form: Form,
    /// Field messages from the server, until the shopper edits the field.
    pub server_errors: Vec<(Field, String)>,
    /// The message above the step.
    pub alert: Option<Alert>,
    /// Brand and last four of the card in use (the only card data kept).
    pub card: Option<CardSummary>,
    /// The source created for the current checkout.
    pub source: Option<SourceId>,
    /// The request in flight, if any.
    pub pending: Option<Pending>,
    /// The card frame, as far as the core knows it.
    pub frame: Frame,
    /// `Continue` was pressed while the frame was still loading: go on once it
    /// reports a complete card.
    pub continue_when_ready: bool,
    /// Id of the latest tokenization asked of the frame (answers to others are stale).
    pub request: u32,
    /// The tokenization whose 3-D Secure challenge is open or was abandoned.
    pub challenge: Option<u32>,
    /// A registered shopper's saved cards and what they chose.
    pub wallet: Wallet,
    /// Checkouts that must never be ordered again (declined, or ordered).
    pub dead: Vec<CheckoutId>,
    /// Checkout ids sent to `POST /orders` at least once.
    pub submitted: Vec<CheckoutId>,
    /// The fields the Fix step shows.
    pub fix_fields: Vec<Field>,
    /// The placed order.
    pub order: Option<Order>,
    /// Why the current lookup runs.
    pub lookup: Option<LookupReason>,
    /// Readiness polling.
    pub poll: Poll,
    /// What `Try again` does, when offered.
    pub retry: Option<Retry>,
    /// Generation of the one armed timer: a fired timer of another generation is stale.
    pub timer: u32,
    /// What the armed timer does when it fires.
    pub timer_action: Option<TimerAction>,
    /// Automatic retries made since the last successful answer.
    pub auto_retries: u32,
    /// `Retry-After` of the last `POST /orders` that failed with 503, in seconds.
    pub order_retry_after: Option<u32>,
}

/// What a timer does when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimerAction {
    /// Check the payment session again.
    Poll,
    /// Run the offered retry automatically.
    Retry,
    /// The 3-D Secure challenge ran out of time.
    ChallengeTimeout,
    /// The card frame never answered a tokenization ([`FRAME_ANSWER_MS`]).
    FrameSilent,
}

/// How long the card frame may take to answer a tokenization outside a
/// 3-D Secure challenge: its own time limit is 15 s per request, and it makes
/// at most two (create or authenticate, then re-read). A frame silent for
/// longer is treated as gone: reload it, nothing was attached.
pub const FRAME_ANSWER_MS: u64 = 35_000;

/// A registered shopper's saved cards (checkouts with a `customerId`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Wallet {
    /// Whose cards these are (`None`: a guest checkout, nothing to show).
    pub customer: Option<String>,
    /// Where the list stands.
    pub list: WalletList,
    /// The saved cards, in the provider's order.
    pub cards: Vec<SavedCard>,
    /// The card to pay with: `None` is `Use a new card` (the card frame).
    pub choice: Option<SourceId>,
    /// The customer's default source.
    pub default: Option<SourceId>,
    /// The saved card the frame is authenticating now.
    pub paying_with: Option<SourceId>,
    /// The saved card being removed now.
    pub removing: Option<SourceId>,
    /// `Save this card for future purchases` (off by default).
    pub save_new: bool,
    /// The card whose `Remove` waits for confirmation.
    pub confirm_remove: Option<SourceId>,
    /// Sources declined (409) on this visit: marked, never preselected.
    pub declined: Vec<SourceId>,
    /// The new card's save was refused: said in plain words; the purchase went on.
    pub save_refused: Option<String>,
}

/// Where the saved-card list stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum WalletList {
    /// Not asked (a guest, or not yet).
    #[default]
    None,
    /// Read.
    Loaded,
    /// The list could not be read: the new-card form still works.
    Failed,
}

/// A saved card as the widget shows and uses it.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedCard {
    /// The saved source.
    pub id: SourceId,
    /// Brand, last four, expiry.
    pub card: CardSummary,
    /// Past its expiry: listed, not selectable.
    pub expired: bool,
    /// What the card frame needs to authenticate it (goes only there; its
    /// `Debug` is redacted).
    pub client_secret: ClientSecret,
}

impl Wallet {
    /// The saved card `id`, if listed.
    pub fn card(&self, id: &SourceId) -> Option<&SavedCard> {
        self.cards.iter().find(|c| &c.id == id)
    }

    /// Whether `id` may be chosen now: listed, not expired, not declined just now.
    pub fn usable(&self, id: &SourceId) -> bool {
        self.card(id).is_some_and(|c| !c.expired) && !self.declined.contains(id)
    }

    /// The card preselected: the default if usable, else none (a new card).
    fn preselect(&mut self) {
        self.choice = self.default.clone().filter(|d| self.usable(d));
    }
}

/// The card frame as the core knows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frame {
    /// It accepted the init and shows the card form.
    pub ready: bool,
    /// It did not load (the shell gave up waiting, or the iframe failed).
    pub failed: bool,
    /// Its last report.
    pub state: FrameState,
}

/// Automatic retries (idempotent reads, 503 with `Retry-After`) before the
/// shopper is asked to press `Try again`.
pub const AUTO_RETRIES: u32 = 3;
/// The longest `Retry-After` honoured automatically, in seconds.
const MAX_RETRY_AFTER_S: u32 = 30;

/// Something that happened: shopper input, an I/O result, a timer.
// Events are moved once per input or response; boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The widget was mounted; `seed` feeds the jitter.
    Mounted {
        /// Random seed.
        seed: u64,
    },
    /// The shopper typed into a field.
    Input(Field, String),
    /// The shopper left a field.
    Blur(Field),
    /// `Continue` (or `Pay <amount>`) on the payment form.
    Continue,
    /// `Place order`.
    PlaceOrder,
    /// `Save and place order` on the Fix step.
    SaveFix,
    /// `Try again`.
    Retry,
    /// `Verify again` (the 3-D Secure challenge, after a cancel or a time-out).
    VerifyAgain,
    /// `Use another card` (after a cancelled or timed-out challenge).
    UseAnotherCard,
    /// The shopper chose a saved card (`None`: `Use a new card`).
    ChooseCard(Option<SourceId>),
    /// `Save this card for future purchases`, ticked or not.
    SaveNewCard(bool),
    /// `Remove` on a saved card: asks for confirmation.
    AskRemove(SourceId),
    /// The confirmation's `Remove`.
    ConfirmRemove,
    /// The confirmation's `Keep`.
    CancelRemove,
    /// A readiness timer of this generation fired.
    Timer(u32),
    /// The request in flight answered.
    Reply(Reply),
    /// The card frame said something (decoded and checked by the shell).
    Frame(FromFrame),
    /// The card frame did not come up.
    FrameFailed,
}

/// An answer to a [`Call`].
// Moved once per response; boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// A checkout (load, create, update, poll).
    Checkout(Result<Checkout, ApiError>),
    /// A source (create, attach).
    Source(Result<Source, ApiError>),
    /// An order.
    Order(Result<Order, ApiError>),
    /// An order lookup.
    Orders(Result<OrderList, ApiError>),
    /// A registered shopper's saved cards.
    Customer(Result<Customer, ApiError>),
    /// A saved card removed (204).
    Removed(Result<(), ApiError>),
}

impl Reply {
    /// Whether the call succeeded (whatever the body means for the journey).
    pub fn is_ok(&self) -> bool {
        match self {
            Self::Checkout(r) => r.is_ok(),
            Self::Source(r) => r.is_ok(),
            Self::Order(r) => r.is_ok(),
            Self::Orders(r) => r.is_ok(),
            Self::Customer(r) => r.is_ok(),
            Self::Removed(r) => r.is_ok(),
        }
    }
}

/// An HTTP call for the shell to make.
#[derive(Debug, Clone, PartialEq)]
pub enum Call {
    /// `GET /checkouts/{id}` → [`Reply::Checkout`].
    GetCheckout(CheckoutId),
    /// `POST /checkouts` → [`Reply::Checkout`].
    CreateCheckout(Value),
    /// `POST /checkouts/{id}` with only the changed fields → [`Reply::Checkout`].
    UpdateCheckout(CheckoutId, Value),
    /// `POST /checkouts/{id}/sources/{sourceId}` → [`Reply::Source`].
    AttachSource(CheckoutId, SourceId),
    /// `POST /orders` → [`Reply::Order`].
    PlaceOrder(CheckoutId),
    /// `GET /orders?checkoutId=` → [`Reply::Orders`].
    FindOrders(CheckoutId),
    /// `GET /customers/{id}` → [`Reply::Customer`].
    GetCustomer(String),
    /// `POST /customers/{id}/sources/{sourceId}` → [`Reply::Source`].
    SaveSource(String, SourceId),
    /// `DELETE /customers/{id}/sources/{sourceId}` → [`Reply::Removed`].
    RemoveSource(String, SourceId),
}

/// Something for the shell to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Make this call and feed the answer back as [`Event::Reply`].
    Send(Call),
    /// Fire [`Event::Timer`] with this generation after `ms`.
    Schedule {
        /// Generation.
        generation: u32,
        /// Delay.
        ms: u64,
    },
    /// Move keyboard focus to a field.
    Focus(Field),
    /// Post this message to the card frame (for [`ToFrame::Focus`], focus the
    /// frame first).
    ToFrame(ToFrame),
    /// Replace the card frame with a fresh one (a new handshake).
    ReloadFrame,
    /// Dispatch a DOM event on the mount element.
    Emit(Notice),
}

/// A public event (see embedding.md). Never carries card data.
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    /// `checkout-ready`.
    Ready(CheckoutId),
    /// `checkout-step`.
    Step(&'static str),
    /// `checkout-declined`.
    Declined {
        /// The dead checkout.
        checkout_id: CheckoutId,
        /// The fresh one.
        new_checkout_id: CheckoutId,
        /// What the shopper was told.
        alert: Alert,
    },
    /// `checkout-needs-input`.
    NeedsInput {
        /// The (same) checkout.
        checkout_id: CheckoutId,
        /// Contract parameter names of the fields to fix.
        fields: Vec<String>,
        /// What the shopper was told.
        alert: Alert,
    },
    /// `checkout-order-created`.
    OrderCreated(Order),
    /// `checkout-error`.
    Error(Failure),
}

impl State {
    /// The state before anything happened.
    pub fn new(start: Start, config: Config) -> Self {
        Self {
            config,
            start,
            step: Step::Loading,
            rng: 0x9e37_79b9_7f4a_7c15,
            checkout: None,
            form: Form::default(),
            server_errors: Vec::new(),
            alert: None,
            card: None,
            source: None,
            pending: None,
            frame: Frame::default(),
            continue_when_ready: false,
            request: 0,
            challenge: None,
            wallet: Wallet::default(),
            dead: Vec::new(),
            submitted: Vec::new(),
            fix_fields: Vec::new(),
            order: None,
            lookup: None,
            poll: Poll::default(),
            retry: None,
            timer: 0,
            timer_action: None,
            auto_retries: 0,
            order_retry_after: None,
        }
    }

    /// The live checkout's id.
    pub fn checkout_id(&self) -> Option<&CheckoutId> {
        self.checkout.as_ref().map(|c| &c.id)
    }

    /// The saved card chosen to pay with, if it may be used.
    pub fn saved_choice(&self) -> Option<&SavedCard> {
        let id = self.wallet.choice.as_ref()?;
        self.wallet
            .usable(id)
            .then(|| self.wallet.card(id))
            .flatten()
    }

    /// The checkout whose order is looked up: the live one, or, while
    /// resuming, the one the widget was mounted on.
    fn order_checkout_id(&self) -> Option<CheckoutId> {
        match (&self.checkout, &self.start, self.lookup) {
            (Some(c), _, _) => Some(c.id.clone()),
            (None, Start::Existing(id), Some(LookupReason::Resume)) => Some(id.clone()),
            _ => None,
        }
    }

    /// Whether a field should show its problem now.
    pub fn visible_problem(&self, f: Field) -> Option<Problem> {
        if self.form.touched(f) {
            self.form.problem(f)
        } else {
            None
        }
    }

    /// The server's message for a field, if it rejected it.
    pub fn server_error(&self, f: Field) -> Option<&str> {
        self.server_errors
            .iter()
            .find(|(g, _)| *g == f)
            .map(|(_, m)| m.as_str())
    }

    /// Whether `Place order` does anything now: the review step, the payment
    /// session ready, and nothing in flight. The review button shows this.
    pub fn can_place_order(&self) -> bool {
        self.step == Step::Review && self.pending.is_none() && self.session_ready()
    }

    /// Whether the session of the live checkout is ready for an order.
    pub fn session_ready(&self) -> bool {
        self.checkout
            .as_ref()
            .and_then(|c| c.payment.session.as_ref())
            .is_some_and(|s| s.is_ready())
    }

    fn is_dead(&self, id: &CheckoutId) -> bool {
        self.dead.contains(id)
    }

    fn send(&mut self, pending: Pending, call: Call) -> Vec<Command> {
        debug_assert!(self.pending.is_none(), "one request at a time");
        self.pending = Some(pending);
        vec![Command::Send(call)]
    }

    /// A pseudo-random number in `0..n` (xorshift; the seed comes from the shell).
    fn random(&mut self, n: u64) -> u64 {
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng = x;
        if n == 0 {
            0
        } else {
            x % n
        }
    }

    /// Delay before the next readiness check: exponential (x1.6), capped, ±20 % jitter.
    fn poll_delay(&mut self) -> u64 {
        let mut base = self.config.poll_first_ms.max(1);
        for _ in 0..self.poll.attempt.saturating_sub(1).min(20) {
            base = (base * 8 / 5).min(self.config.poll_cap_ms);
        }
        let base = base.min(self.config.poll_cap_ms.max(1));
        let spread = base * 2 / 5; // ±20 %
        base - base / 5 + self.random(spread + 1)
    }
}

/// The transition function: applies `event` and returns what the shell must do.
/// Emits `checkout-step` whenever the step changes.
pub fn update(state: &mut State, event: Event) -> Vec<Command> {
    let before = state.step;
    let mut out = step(state, event);
    if state.step != before {
        if let Some(name) = state.step.name() {
            out.insert(0, Command::Emit(Notice::Step(name)));
        }
    }
    out
}

fn step(s: &mut State, event: Event) -> Vec<Command> {
    match event {
        Event::Mounted { seed } => {
            s.rng = seed | 1;
            load(s)
        }
        Event::Input(f, value) => {
            if matches!(s.step, Step::Payment | Step::Fix) {
                s.form.set(f, &value);
                s.server_errors.retain(|(g, _)| *g != f);
            }
            vec![]
        }
        Event::Blur(f) => {
            if !s.form.get(f).is_empty() {
                s.form.touch(f);
            }
            vec![]
        }
        Event::Continue => continue_payment(s),
        Event::PlaceOrder => place_order(s),
        Event::SaveFix => save_fix(s),
        Event::Retry => retry(s),
        Event::VerifyAgain => verify_again(s),
        Event::UseAnotherCard => use_another_card(s),
        Event::ChooseCard(choice) => choose_card(s, choice),
        Event::SaveNewCard(on) => {
            if s.step == Step::Payment && s.wallet.customer.is_some() {
                s.wallet.save_new = on;
            }
            vec![]
        }
        Event::AskRemove(id) => {
            let idle = s.step == Step::Payment && s.pending.is_none();
            if idle && s.wallet.card(&id).is_some() {
                s.wallet.confirm_remove = Some(id);
            }
            vec![]
        }
        Event::CancelRemove => {
            s.wallet.confirm_remove = None;
            vec![]
        }
        Event::ConfirmRemove => confirm_remove(s),
        Event::Timer(generation) => {
            if generation != s.timer {
                return vec![];
            }
            if s.timer_action == Some(TimerAction::ChallengeTimeout) {
                s.timer_action = None;
                return challenge_timed_out(s);
            }
            if s.timer_action == Some(TimerAction::FrameSilent) {
                s.timer_action = None;
                if s.pending == Some(Pending::CreateSource) && s.challenge.is_none() {
                    return frame_failed(s);
                }
                return vec![];
            }
            if s.pending.is_some() {
                return vec![];
            }
            match s.timer_action.take() {
                Some(TimerAction::Poll) if s.step == Step::Waiting => poll_now(s),
                Some(TimerAction::Retry) => retry(s),
                _ => vec![],
            }
        }
        Event::Reply(reply) => match s.pending {
            // Nothing asked over HTTP (a stale answer, or the frame is working).
            None | Some(Pending::CreateSource) => vec![],
            Some(p) => {
                s.pending = None;
                if reply.is_ok() {
                    s.auto_retries = 0;
                }
                on_reply(s, p, reply)
            }
        },
        Event::Frame(msg) => on_frame(s, msg),
        Event::FrameFailed => frame_failed(s),
    }
}

fn load(s: &mut State) -> Vec<Command> {
    if s.pending.is_some() {
        return vec![];
    }
    s.step = Step::Loading;
    s.alert = None;
    s.retry = None;
    let call = match (&s.checkout, &s.start) {
        // Once created, a cart's checkout is re-read, never created twice.
        (Some(c), _) => Call::GetCheckout(c.id.clone()),
        (None, Start::Existing(id)) => Call::GetCheckout(id.clone()),
        (None, Start::Cart(cart)) => Call::CreateCheckout(cart.clone()),
    };
    s.send(Pending::Load, call)
}

/// Arms the one timer; any earlier timer becomes stale.
fn schedule(s: &mut State, action: TimerAction, ms: u64) -> Command {
    s.timer = s.timer.wrapping_add(1);
    s.timer_action = Some(action);
    Command::Schedule {
        generation: s.timer,
        ms,
    }
}

/// When to retry `e` by itself, if at all: idempotent calls that failed in a
/// way that can pass, and any call answered 503 with a `Retry-After`.
fn auto_retry_delay(s: &mut State, e: &ApiError, idempotent: bool) -> Option<u64> {
    if s.auto_retries >= AUTO_RETRIES {
        return None;
    }
    match e {
        ApiError::Server {
            status: 503,
            retry_after: Some(secs),
        } => (*secs <= MAX_RETRY_AFTER_S).then(|| u64::from(*secs.max(&1)) * 1000),
        _ if idempotent && Failure::from_api(e).retryable() => {
            // 500 ms, 1 s, 2 s, ±20 %.
            let base = 500u64 << s.auto_retries.min(4);
            Some(base - base / 5 + s.random(base * 2 / 5 + 1))
        }
        _ => None,
    }
}

/// A failure the current step absorbs: a message, `Try again`, typed data kept,
/// and an automatic retry when it is safe.
fn recover(s: &mut State, e: &ApiError, retry: Retry, idempotent: bool) -> Vec<Command> {
    let failure = Failure::from_api(e);
    s.retry = Some(retry);
    let mut out = vec![Command::Emit(Notice::Error(failure.clone()))];
    match auto_retry_delay(s, e, idempotent) {
        Some(ms) => {
            s.auto_retries += 1;
            s.alert = Some(Alert::Retrying(failure));
            out.push(schedule(s, TimerAction::Retry, ms));
        }
        None => {
            s.auto_retries = 0;
            s.alert = Some(Alert::Failed(failure));
        }
    }
    out
}

fn fail(s: &mut State, failure: Failure, retry: Retry) -> Vec<Command> {
    s.step = Step::Error;
    s.retry = failure.retryable().then_some(retry);
    s.alert = Some(Alert::Failed(failure.clone()));
    vec![Command::Emit(Notice::Error(failure))]
}

/// A failure of a state-changing call: `Try again` (automatic only for 503 + `Retry-After`).
fn soft_fail(s: &mut State, e: &ApiError, retry: Retry) -> Vec<Command> {
    recover(s, e, retry, false)
}

fn on_reply(s: &mut State, p: Pending, reply: Reply) -> Vec<Command> {
    match (p, reply) {
        (Pending::Load, Reply::Checkout(r)) => on_loaded(s, r),
        (Pending::SaveContact, Reply::Checkout(r)) => on_contact_saved(s, r),
        (Pending::Attach, Reply::Source(r)) => on_attached(s, r),
        (Pending::Poll, Reply::Checkout(r)) => on_polled(s, r),
        (Pending::Order, Reply::Order(r)) => on_order(s, r),
        (Pending::Lookup, Reply::Orders(r)) => on_lookup(s, r),
        (Pending::Fresh, Reply::Checkout(r)) => on_fresh(s, r),
        (Pending::SaveFix, Reply::Checkout(r)) => on_fix_saved(s, r),
        (Pending::Customer, Reply::Customer(r)) => on_customer(s, r),
        (Pending::SaveCard, Reply::Source(r)) => on_card_saved(s, r),
        (Pending::RemoveCard, Reply::Removed(r)) => on_removed(s, r),
        // An answer of the wrong shape for what was asked: treat it as unreadable.
        (p, _) => {
            let unreadable = match p {
                Pending::Load
                | Pending::SaveContact
                | Pending::Poll
                | Pending::Fresh
                | Pending::SaveFix => Reply::Checkout(Err(ApiError::Decode)),
                // The frame's work, never an HTTP reply of ours (see `step`).
                Pending::CreateSource => return vec![],
                Pending::Attach => Reply::Source(Err(ApiError::Decode)),
                Pending::Order => Reply::Order(Err(ApiError::Decode)),
                Pending::Lookup => Reply::Orders(Err(ApiError::Decode)),
                Pending::Customer => Reply::Customer(Err(ApiError::Decode)),
                Pending::SaveCard => Reply::Source(Err(ApiError::Decode)),
                Pending::RemoveCard => Reply::Removed(Err(ApiError::Decode)),
            };
            on_reply(s, p, unreadable)
        }
    }
}

fn on_loaded(s: &mut State, r: Result<Checkout, ApiError>) -> Vec<Command> {
    let c = match r {
        Ok(c) if c.id.as_str().is_empty() => return load_failed(s, &ApiError::Decode),
        Ok(c) => c,
        Err(e) => return load_failed(s, &e),
    };
    let id = c.id.clone();
    let first = s.checkout.is_none();
    s.form.prefill(&c);
    let has_source = c
        .payment
        .sources
        .iter()
        .find_map(|src| src.credit_card.clone());
    let ready = c.payment.session.as_ref().is_some_and(|x| x.is_ready());
    s.checkout = Some(c);
    let mut out = if first {
        vec![Command::Emit(Notice::Ready(id))]
    } else {
        vec![]
    };
    out.extend(prefill_card(s));
    match has_source {
        Some(card) if ready => {
            s.card = Some(card);
            s.step = Step::Review;
        }
        Some(card) => {
            s.card = Some(card);
            out.extend(start_waiting(s));
        }
        None => {
            s.step = Step::Payment;
            out.extend(load_wallet(s));
        }
    }
    out
}

/// A registered checkout's saved cards, read once per customer.
fn load_wallet(s: &mut State) -> Vec<Command> {
    let Some(customer) = s.checkout.as_ref().and_then(|c| c.customer_id.clone()) else {
        return vec![];
    };
    let known =
        s.wallet.customer.as_ref() == Some(&customer) && s.wallet.list == WalletList::Loaded;
    if known || s.pending.is_some() {
        return vec![];
    }
    s.wallet.customer = Some(customer.clone());
    s.send(Pending::Customer, Call::GetCustomer(customer))
}

fn on_customer(s: &mut State, r: Result<Customer, ApiError>) -> Vec<Command> {
    let today = s.config.today;
    match r {
        Ok(c) => {
            s.wallet.list = WalletList::Loaded;
            s.wallet.cards = c
                .sources
                .into_iter()
                .filter(|src| src.state.is_empty() || src.state == "chargeable")
                .filter_map(|src| {
                    let card = src.credit_card?;
                    let client_secret = src.client_secret?;
                    let expired = (card.expiration_year, card.expiration_month) < today;
                    Some(SavedCard {
                        id: src.id,
                        card,
                        expired,
                        client_secret,
                    })
                })
                .collect();
            s.wallet.default = c.default_source_id;
            s.wallet.preselect();
        }
        // Not fatal: the new-card form works; the view says the list is missing.
        Err(_) => s.wallet.list = WalletList::Failed,
    }
    vec![]
}

fn choose_card(s: &mut State, choice: Option<SourceId>) -> Vec<Command> {
    if s.step != Step::Payment || s.pending.is_some() {
        return vec![];
    }
    if let Some(id) = &choice {
        if !s.wallet.usable(id) {
            return vec![];
        }
    }
    s.wallet.choice = choice;
    s.wallet.confirm_remove = None;
    if matches!(s.alert, Some(Alert::Invalid | Alert::CardFailed { .. })) {
        s.alert = None;
    }
    vec![]
}

fn confirm_remove(s: &mut State) -> Vec<Command> {
    let (Some(id), Some(customer)) = (s.wallet.confirm_remove.take(), s.wallet.customer.clone())
    else {
        return vec![];
    };
    if s.step != Step::Payment || s.pending.is_some() {
        return vec![];
    }
    s.wallet.removing = Some(id.clone());
    s.send(Pending::RemoveCard, Call::RemoveSource(customer, id))
}

fn on_removed(s: &mut State, r: Result<(), ApiError>) -> Vec<Command> {
    let Some(id) = s.wallet.removing.take() else {
        return vec![];
    };
    match r {
        Ok(()) => {
            s.wallet.cards.retain(|c| c.id != id);
            if s.wallet.choice.as_ref() == Some(&id) {
                s.wallet.choice = None;
            }
            if s.wallet.default.as_ref() == Some(&id) {
                s.wallet.default = None;
            }
            if matches!(s.alert, Some(Alert::RemoveFailed { .. })) {
                s.alert = None;
            }
        }
        // The card stays listed; the shopper is told why.
        Err(e) => {
            s.alert = Some(Alert::RemoveFailed {
                message: first_message(e.errors()),
            });
        }
    }
    vec![]
}

/// The new card is chargeable and the shopper asked to keep it: saved, or said
/// why not; the purchase goes on with the card either way.
fn on_card_saved(s: &mut State, r: Result<Source, ApiError>) -> Vec<Command> {
    match r {
        Ok(src) => {
            s.wallet.save_refused = None;
            if let (Some(card), Some(secret)) = (src.credit_card, src.client_secret) {
                if s.wallet.card(&src.id).is_none() {
                    s.wallet.cards.push(SavedCard {
                        id: src.id,
                        card,
                        expired: false,
                        client_secret: secret,
                    });
                }
            }
        }
        Err(e) => {
            s.wallet.save_refused = Some(first_message(e.errors()).unwrap_or_default());
        }
    }
    attach(s)
}

fn load_failed(s: &mut State, e: &ApiError) -> Vec<Command> {
    if let (ApiError::NotFound(_), None, Start::Existing(id)) = (e, &s.checkout, &s.start) {
        // A checkout that produced an order is gone: a reload after paying
        // must show that order, never an unpaid form.
        let id = id.clone();
        s.lookup = Some(LookupReason::Resume);
        return s.send(Pending::Lookup, Call::FindOrders(id));
    }
    if matches!(e, ApiError::NotFound(_)) {
        return fail(s, Failure::CheckoutNotFound, Retry::Load);
    }
    // Reading is idempotent; creating from the cart is not (a lost answer may
    // have created a checkout, and a second one would be harmless but untidy).
    let idempotent = s.checkout.is_some() || matches!(s.start, Start::Existing(_));
    s.step = Step::Error;
    recover(s, e, Retry::Load, idempotent)
}

/// Only the contact fields that differ from the checkout: `{"email"}`, `{"billTo"}`.
fn contact_changes(s: &State, fields: &[Field]) -> Map<String, Value> {
    let mut body = Map::new();
    let Some(c) = &s.checkout else { return body };
    if fields.contains(&Field::Email) {
        let email = s.form.get(Field::Email).trim();
        if c.email.as_deref() != Some(email) {
            body.insert("email".into(), json!(email));
        }
    }
    if fields.iter().any(|f| *f != Field::Email) {
        let bill = s.form.bill_to(c.bill_to.as_ref());
        if c.bill_to.as_ref() != Some(&bill) {
            body.insert(
                "billTo".into(),
                serde_json::to_value(bill).unwrap_or(Value::Null),
            );
        }
    }
    body
}

fn continue_payment(s: &mut State) -> Vec<Command> {
    let live = s.checkout_id().is_some_and(|id| !s.dead.contains(id));
    if s.step != Step::Payment || s.pending.is_some() || !live {
        return vec![];
    }
    if !s.frame.ready {
        if s.frame.failed {
            s.retry = Some(Retry::Frame);
            s.alert = Some(Alert::FrameFailed);
        } else {
            s.alert = Some(Alert::FrameLoading);
            s.continue_when_ready = true;
        }
        return vec![];
    }
    s.continue_when_ready = false;
    // A saved card needs no typing; a new card needs the frame's complete form.
    let card_complete = s.saved_choice().is_some() || s.frame.state.complete;
    let first = s.form.first_problem(&Field::PAYMENT);
    if !card_complete || first.is_some() {
        for f in Field::PAYMENT {
            s.form.touch(f);
        }
        s.alert = Some(Alert::Invalid);
        // The frame shows its own problems; focus goes to the first problem of
        // the form, and the card comes first.
        let mut out = vec![Command::ToFrame(ToFrame::Validate)];
        out.push(match first {
            _ if !card_complete => focus_card(s),
            Some(f) => Command::Focus(f),
            None => focus_card(s),
        });
        return out;
    }
    s.alert = None;
    s.retry = None;
    s.server_errors.clear();
    let changes = contact_changes(s, &Field::CONTACT);
    if changes.is_empty() {
        create_source(s)
    } else {
        let id = s.checkout_id().cloned().unwrap_or_default();
        s.send(
            Pending::SaveContact,
            Call::UpdateCheckout(id, Value::Object(changes)),
        )
    }
}

/// Focus to the card frame's first field with a problem (else its first field).
fn focus_card(s: &State) -> Command {
    let st = &s.frame.state;
    let field = st
        .invalid
        .first()
        .or_else(|| st.errors.first().map(|e| &e.field))
        .copied()
        .unwrap_or(CardField::Name);
    Command::ToFrame(ToFrame::Focus { field })
}

/// Asks the card frame to create the source against the live session. The
/// frame answers with [`FromFrame::Tokenized`], [`FromFrame::TokenizeFailed`]
/// or a 3-D Secure challenge; until then this counts as the request in flight.
fn create_source(s: &mut State) -> Vec<Command> {
    let Some(c) = &s.checkout else { return vec![] };
    let Some(session) = &c.payment.session else {
        return soft_fail(s, &ApiError::Decode, Retry::Continue);
    };
    // The card may have changed while the contact data was saved: only a
    // live frame with a complete card is asked.
    if !s.frame.ready {
        s.frame.failed = true;
        s.retry = Some(Retry::Frame);
        s.alert = Some(Alert::FrameFailed);
        return vec![];
    }
    let session_id = session.id.as_str().to_owned();
    if let Some(saved) = s.saved_choice().cloned() {
        return authenticate_saved(s, session_id, saved);
    }
    if !s.frame.state.complete {
        s.alert = Some(Alert::Invalid);
        return vec![Command::ToFrame(ToFrame::Validate), focus_card(s)];
    }
    let owner = Owner {
        email: s.form.get(Field::Email).trim().to_owned(),
        address: serde_json::to_value(s.form.bill_to(c.bill_to.as_ref()).address)
            .unwrap_or(Value::Null),
    };
    debug_assert!(s.pending.is_none(), "one request at a time");
    s.request = s.request.wrapping_add(1);
    s.pending = Some(Pending::CreateSource);
    s.wallet.paying_with = None;
    vec![
        Command::ToFrame(ToFrame::Tokenize {
            request: s.request,
            session_id,
            owner,
        }),
        schedule(s, TimerAction::FrameSilent, FRAME_ANSWER_MS),
    ]
}

/// The billing name into the frame's `Name on card` (the frame keeps what
/// the shopper typed), once both the frame and the checkout are there.
fn prefill_card(s: &State) -> Vec<Command> {
    let name = s.form.get(Field::Name).trim();
    if !s.frame.ready || s.checkout.is_none() || name.is_empty() {
        return vec![];
    }
    vec![Command::ToFrame(ToFrame::Prefill {
        name: name.to_owned(),
    })]
}

/// Asks the card frame to make the saved card usable on this session (no card
/// number involved; its secret goes to the frame only).
fn authenticate_saved(s: &mut State, session_id: String, saved: SavedCard) -> Vec<Command> {
    debug_assert!(s.pending.is_none(), "one request at a time");
    s.request = s.request.wrapping_add(1);
    s.pending = Some(Pending::CreateSource);
    s.wallet.paying_with = Some(saved.id.clone());
    vec![
        Command::ToFrame(ToFrame::Authenticate {
            request: s.request,
            session_id,
            source_id: saved.id.0,
            client_secret: saved.client_secret,
        }),
        schedule(s, TimerAction::FrameSilent, FRAME_ANSWER_MS),
    ]
}

/// The saved card is usable on this session: pay with it.
fn on_saved_ready(s: &mut State) -> Vec<Command> {
    let Some(saved) = s
        .wallet
        .paying_with
        .take()
        .and_then(|id| s.wallet.card(&id).cloned())
    else {
        return soft_fail(s, &ApiError::Decode, Retry::Continue);
    };
    s.challenge = None;
    disarm_frame_timer(s);
    if s.step == Step::Authenticating {
        s.step = Step::Waiting;
    }
    s.card = Some(saved.card);
    s.source = Some(saved.id);
    attach(s)
}

/// Whether the frame's answer belongs to the tokenization in flight.
fn tokenizing(s: &State, request: u32) -> bool {
    s.pending == Some(Pending::CreateSource) && s.request == request
}

fn on_frame(s: &mut State, msg: FromFrame) -> Vec<Command> {
    match msg {
        FromFrame::Ready => {
            // A fresh frame: an empty form until it reports otherwise.
            s.frame = Frame {
                ready: true,
                ..Frame::default()
            };
            if matches!(s.alert, Some(Alert::FrameFailed | Alert::FrameLoading)) {
                s.alert = None;
            }
            if s.retry == Some(Retry::Frame) {
                s.retry = None;
            }
            prefill_card(s)
        }
        FromFrame::State(state) => {
            s.frame.state = state;
            if s.continue_when_ready && s.frame.ready && s.frame.state.complete {
                // The shopper already asked to go on.
                return continue_payment(s);
            }
            vec![]
        }
        FromFrame::Tokenized { request, source }
            if tokenizing(s, request) && s.wallet.paying_with.is_none() =>
        {
            s.pending = None;
            on_tokenized(s, source)
        }
        FromFrame::Authenticated { request }
            if tokenizing(s, request) && s.wallet.paying_with.is_some() =>
        {
            s.pending = None;
            on_saved_ready(s)
        }
        FromFrame::TokenizeFailed {
            request,
            failure,
            message,
        } if tokenizing(s, request) => {
            s.pending = None;
            disarm_frame_timer(s);
            let saved = s.wallet.paying_with.take().is_some();
            on_tokenize_failed(s, failure, message, saved)
        }
        FromFrame::ChallengeStarted { request } if tokenizing(s, request) => {
            s.step = Step::Authenticating;
            s.challenge = Some(request);
            s.alert = None;
            let ms = s.config.challenge_timeout_ms;
            vec![schedule(s, TimerAction::ChallengeTimeout, ms)]
        }
        FromFrame::ChallengeEnded {
            request,
            outcome,
            source,
        } if tokenizing(s, request) && s.challenge == Some(request) => {
            s.pending = None;
            disarm_frame_timer(s);
            let saved = s.wallet.paying_with.is_some();
            match (outcome, source) {
                (ChallengeOutcome::Passed, _) if saved => on_saved_ready(s),
                (ChallengeOutcome::Passed, Some(source)) => on_tokenized(s, source),
                (ChallengeOutcome::Passed, None) => {
                    s.challenge = None;
                    payment_again(s, Some(Alert::Failed(Failure::Decode)))
                }
                (ChallengeOutcome::Failed, _) => payment_again(s, Some(Alert::CardNotVerified)),
                (ChallengeOutcome::Abandoned, _) => {
                    s.alert = Some(Alert::ChallengeAbandoned { timed_out: false });
                    vec![]
                }
            }
        }
        // An answer to another (earlier) request, or none asked: stale.
        _ => vec![],
    }
}

/// Disarms the timer that waits on the card frame (a challenge's, or the
/// frame's answer to a tokenization), if armed.
fn disarm_frame_timer(s: &mut State) {
    if matches!(
        s.timer_action,
        Some(TimerAction::ChallengeTimeout | TimerAction::FrameSilent)
    ) {
        s.timer = s.timer.wrapping_add(1);
        s.timer_action = None;
    }
}

/// The frame made a chargeable source: keep only its summary and attach it.
fn on_tokenized(s: &mut State, source: CardSource) -> Vec<Command> {
    s.challenge = None;
    disarm_frame_timer(s);
    if s.step == Step::Authenticating {
        // Verified: the challenge is over; what follows is confirming.
        s.step = Step::Waiting;
    }
    if source.source_id.is_empty() {
        return soft_fail(s, &ApiError::Decode, Retry::Continue);
    }
    s.card = Some(CardSummary {
        brand: source.brand,
        last_four_digits: source.last4,
        expiration_month: source.expiration_month,
        expiration_year: source.expiration_year,
    });
    let id = SourceId(source.source_id);
    s.source = Some(id.clone());
    match s.wallet.customer.clone() {
        // Kept for later first, then attached (whatever the save says).
        Some(customer) if s.wallet.save_new => {
            s.send(Pending::SaveCard, Call::SaveSource(customer, id))
        }
        _ => attach(s),
    }
}

fn on_tokenize_failed(
    s: &mut State,
    failure: TokenizeFailure,
    message: Option<String>,
    saved: bool,
) -> Vec<Command> {
    let e = match failure {
        // A saved card refused: said; the shopper picks another or a new one.
        TokenizeFailure::Refused if saved => {
            s.alert = Some(Alert::CardFailed { message });
            return vec![];
        }
        TokenizeFailure::Refused => {
            s.alert = Some(Alert::CardFailed { message });
            return vec![Command::ToFrame(ToFrame::Focus {
                field: CardField::Number,
            })];
        }
        TokenizeFailure::Incomplete => {
            s.alert = Some(Alert::Invalid);
            return vec![Command::ToFrame(ToFrame::Validate), focus_card(s)];
        }
        TokenizeFailure::Network => ApiError::Network,
        TokenizeFailure::Timeout => ApiError::Timeout,
        TokenizeFailure::Server => ApiError::Server {
            status: 502,
            retry_after: None,
        },
        TokenizeFailure::Decode => ApiError::Decode,
    };
    // Creating a source is not idempotent: `Try again`, never by itself.
    soft_fail(s, &e, Retry::Continue)
}

fn challenge_timed_out(s: &mut State) -> Vec<Command> {
    let Some(request) = s.challenge else {
        return vec![];
    };
    if s.step != Step::Authenticating || !tokenizing(s, request) {
        return vec![];
    }
    // Decided here: the challenge is abandoned, whatever the frame says later.
    s.pending = None;
    s.alert = Some(Alert::ChallengeAbandoned { timed_out: true });
    vec![Command::ToFrame(ToFrame::CancelChallenge { request })]
}

fn verify_again(s: &mut State) -> Vec<Command> {
    let Some(request) = s.challenge else {
        return vec![];
    };
    let abandoned = matches!(s.alert, Some(Alert::ChallengeAbandoned { .. }));
    if s.step != Step::Authenticating || s.pending.is_some() || !abandoned {
        return vec![];
    }
    s.pending = Some(Pending::CreateSource);
    s.request = request;
    s.alert = None;
    let ms = s.config.challenge_timeout_ms;
    vec![
        Command::ToFrame(ToFrame::Challenge { request }),
        schedule(s, TimerAction::ChallengeTimeout, ms),
    ]
}

fn use_another_card(s: &mut State) -> Vec<Command> {
    if s.step != Step::Authenticating || s.pending.is_some() {
        return vec![];
    }
    payment_again(s, None)
}

fn frame_failed(s: &mut State) -> Vec<Command> {
    s.frame = Frame {
        failed: true,
        ..Frame::default()
    };
    if s.pending == Some(Pending::CreateSource) {
        // Whatever the frame was doing is lost with it; nothing was attached.
        s.pending = None;
        s.wallet.paying_with = None;
        disarm_frame_timer(s);
    }
    if !matches!(s.step, Step::Payment | Step::Authenticating) || s.pending.is_some() {
        return vec![];
    }
    s.step = Step::Payment;
    s.challenge = None;
    s.alert = Some(Alert::FrameFailed);
    s.retry = Some(Retry::Frame);
    vec![Command::Emit(Notice::Error(Failure::FrameFailed))]
}

/// Maps an error's parameters onto fields; server messages go next to them.
fn field_errors(errors: &[ErrorEntry]) -> Vec<(Field, String)> {
    let mut out = Vec::new();
    for e in errors {
        for f in e
            .parameter
            .as_deref()
            .map(Field::from_parameter)
            .unwrap_or_default()
        {
            if !out.iter().any(|(g, _)| *g == f) {
                out.push((f, e.message.trim().to_owned()));
            }
        }
    }
    out
}

fn on_contact_saved(s: &mut State, r: Result<Checkout, ApiError>) -> Vec<Command> {
    match r {
        Ok(c) if c.id.as_str().is_empty() => soft_fail(s, &ApiError::Decode, Retry::Continue),
        Ok(c) => {
            s.checkout = Some(c);
            create_source(s)
        }
        Err(ApiError::Rejected { errors, .. }) => {
            let fields = field_errors(&errors);
            s.alert = Some(Alert::NeedsInput {
                message: first_message(&errors),
            });
            let focus = fields.first().map(|(f, _)| *f);
            s.server_errors = fields;
            focus.map(Command::Focus).into_iter().collect()
        }
        Err(ApiError::NotFound(_)) => fail(s, Failure::CheckoutNotFound, Retry::Load),
        Err(e) => soft_fail(s, &e, Retry::Continue),
    }
}

fn attach(s: &mut State) -> Vec<Command> {
    let (Some(id), Some(src)) = (s.checkout_id().cloned(), s.source.clone()) else {
        return vec![];
    };
    s.send(Pending::Attach, Call::AttachSource(id, src))
}

/// Back to payment entry on the same checkout, the card frame emptied.
fn payment_again(s: &mut State, alert: Option<Alert>) -> Vec<Command> {
    s.card = None;
    s.source = None;
    s.challenge = None;
    s.wallet.paying_with = None;
    s.wallet.choice = None;
    s.step = Step::Payment;
    s.alert = alert;
    new_card(s)
}

/// Empties the card frame and puts focus on its card number: the form is
/// incomplete from now on, until the frame reports otherwise.
fn new_card(s: &mut State) -> Vec<Command> {
    s.frame.state = FrameState::default();
    vec![
        Command::ToFrame(ToFrame::Reset),
        Command::ToFrame(ToFrame::Focus {
            field: CardField::Number,
        }),
    ]
}

fn on_attached(s: &mut State, r: Result<Source, ApiError>) -> Vec<Command> {
    match r {
        Ok(src) => {
            if src.credit_card.is_some() {
                s.card = src.credit_card;
            }
            start_waiting(s)
        }
        Err(ApiError::Rejected { errors, .. } | ApiError::Conflict(errors)) => payment_again(
            s,
            Some(Alert::CardFailed {
                message: first_message(&errors),
            }),
        ),
        Err(ApiError::NotFound(_)) => fail(s, Failure::CheckoutNotFound, Retry::Load),
        // Attaching is idempotent: `Try again` attaches the same source again.
        Err(e) => soft_fail(s, &e, Retry::Attach),
    }
}

fn start_waiting(s: &mut State) -> Vec<Command> {
    s.step = Step::Waiting;
    s.alert = None;
    s.retry = None;
    s.poll = Poll::default();
    // The first look is immediate: no fixed sleep before it.
    poll_now(s)
}

fn poll_now(s: &mut State) -> Vec<Command> {
    let Some(id) = s.checkout_id().cloned() else {
        return vec![];
    };
    s.poll.attempt += 1;
    s.send(Pending::Poll, Call::GetCheckout(id))
}

fn schedule_poll(s: &mut State) -> Vec<Command> {
    let delay = s.poll_delay();
    if s.poll.waited_ms + delay > s.config.readiness_timeout_ms {
        s.alert = Some(Alert::StillWaiting);
        s.retry = Some(Retry::Poll);
        return vec![];
    }
    s.poll.waited_ms += delay;
    vec![schedule(s, TimerAction::Poll, delay)]
}

fn on_polled(s: &mut State, r: Result<Checkout, ApiError>) -> Vec<Command> {
    match r {
        Ok(c) if c.id.as_str().is_empty() => schedule_poll(s),
        Ok(c) => {
            let session = c.payment.session.clone().unwrap_or_default();
            s.checkout = Some(c);
            if session.is_ready() {
                s.alert = None;
                if s.config.review {
                    s.step = Step::Review;
                    vec![]
                } else {
                    send_order(s)
                }
            } else if session.state == "requires_source" {
                payment_again(s, Some(Alert::PaymentAgain))
            } else {
                schedule_poll(s)
            }
        }
        Err(ApiError::NotFound(_)) => fail(s, Failure::CheckoutNotFound, Retry::Load),
        // Reads retry by themselves, within the same time limit.
        Err(_) => schedule_poll(s),
    }
}

fn place_order(s: &mut State) -> Vec<Command> {
    if !s.can_place_order() {
        return vec![];
    }
    send_order(s)
}

fn send_order(s: &mut State) -> Vec<Command> {
    let Some(id) = s.checkout_id().cloned() else {
        return vec![];
    };
    if s.is_dead(&id) || s.pending.is_some() {
        return vec![];
    }
    s.step = Step::Submitting;
    s.alert = None;
    s.retry = None;
    if s.lookup.is_some() {
        // The last attempt's outcome is unknown: look before placing again.
        return s.send(Pending::Lookup, Call::FindOrders(id));
    }
    if !s.submitted.contains(&id) {
        s.submitted.push(id.clone());
    }
    s.send(Pending::Order, Call::PlaceOrder(id))
}

fn complete(s: &mut State, order: Order) -> Vec<Command> {
    if let Some(id) = s.checkout_id().cloned() {
        if !s.dead.contains(&id) {
            s.dead.push(id);
        }
    }
    s.lookup = None;
    s.retry = None;
    if order.is_placed() {
        s.step = Step::Complete;
        s.alert = None;
        s.order = Some(order.clone());
        vec![Command::Emit(Notice::OrderCreated(order))]
    } else {
        s.order = Some(order);
        fail(s, Failure::OrderNotPlaced, Retry::Load)
    }
}

fn is_hard_decline(errors: &[ErrorEntry]) -> bool {
    errors.iter().any(|e| {
        let c = e.code.to_ascii_lowercase();
        c.contains("fraud") || c.contains("blocked") || c.contains("hard") || c.contains("stolen")
    })
}

/// The create body of a fresh checkout carrying over the shopper's data: no
/// sources, no item ids, no taxes or totals.
pub fn fresh_checkout_body(c: &Checkout) -> Value {
    let mut body = Map::new();
    let mut put = |k: &str, v: Value| {
        if !v.is_null() {
            body.insert(k.into(), v);
        }
    };
    put("currency", json!(c.currency));
    put("locale", json!(c.locale));
    put("email", json!(c.email));
    put("customerId", json!(c.customer_id));
    put(
        "billTo",
        serde_json::to_value(&c.bill_to).unwrap_or(Value::Null),
    );
    put(
        "shipTo",
        serde_json::to_value(&c.ship_to).unwrap_or(Value::Null),
    );
    put(
        "shippingChoice",
        c.shipping_choice.clone().unwrap_or(Value::Null),
    );
    put("upstreamId", json!(c.upstream_id));
    put("metadata", c.metadata.clone().unwrap_or(Value::Null));
    let items: Vec<Value> = c
        .items
        .iter()
        .map(|i| {
            let mut item = Map::new();
            if let Some(sku) = &i.sku_id {
                item.insert("skuId".into(), json!(sku));
            }
            if !i.product_details.is_null() {
                item.insert("productDetails".into(), i.product_details.clone());
            }
            item.insert("quantity".into(), json!(i.quantity.max(1)));
            item.insert("price".into(), json!(i.unit_price()));
            Value::Object(item)
        })
        .collect();
    put("items", Value::Array(items));
    Value::Object(body)
}

fn on_order(s: &mut State, r: Result<Order, ApiError>) -> Vec<Command> {
    let Some(id) = s.checkout_id().cloned() else {
        return vec![];
    };
    match r {
        Ok(order) => complete(s, order),
        Err(ApiError::Conflict(errors)) => {
            // The checkout is dead: never sent again. Open a fresh one. A saved
            // card that was declined is marked and not offered first again.
            s.dead.push(id);
            if let Some(src) = s.source.clone() {
                if s.wallet.card(&src).is_some() && !s.wallet.declined.contains(&src) {
                    s.wallet.declined.push(src);
                }
            }
            s.alert = Some(Alert::Declined {
                message: first_message(&errors),
                hard: is_hard_decline(&errors),
            });
            s.card = None;
            s.source = None;
            let body = s
                .checkout
                .as_ref()
                .map(fresh_checkout_body)
                .unwrap_or_default();
            s.send(Pending::Fresh, Call::CreateCheckout(body))
        }
        Err(ApiError::NotFound(_)) => {
            s.lookup = Some(LookupReason::NotFound);
            s.send(Pending::Lookup, Call::FindOrders(id))
        }
        Err(ApiError::Rejected { errors, .. }) => {
            if errors.iter().any(|e| e.code == "order_submit_failed") {
                return start_waiting(s);
            }
            if errors
                .iter()
                .any(|e| e.parameter.as_deref().is_some_and(names_card))
            {
                return payment_again(
                    s,
                    Some(Alert::CardFailed {
                        message: first_message(&errors),
                    }),
                );
            }
            let mut fields: Vec<Field> =
                field_errors(&errors).into_iter().map(|(f, _)| f).collect();
            if fields.is_empty() {
                fields = Field::CONTACT.to_vec();
            }
            s.server_errors = field_errors(&errors);
            let alert = Alert::NeedsInput {
                message: first_message(&errors),
            };
            s.alert = Some(alert.clone());
            s.step = Step::Fix;
            s.fix_fields = fields.clone();
            let params = fields.iter().map(|f| f.parameter().to_owned()).collect();
            vec![
                Command::Emit(Notice::NeedsInput {
                    checkout_id: id,
                    fields: params,
                    alert,
                }),
                Command::Focus(fields[0]),
            ]
        }
        // No usable answer: the order may exist. Look before anything else.
        Err(e) => {
            s.order_retry_after = match e {
                ApiError::Server {
                    status: 503,
                    retry_after,
                } => retry_after,
                _ => None,
            };
            s.lookup = Some(LookupReason::Unknown);
            s.send(Pending::Lookup, Call::FindOrders(id))
        }
    }
}

fn on_lookup(s: &mut State, r: Result<OrderList, ApiError>) -> Vec<Command> {
    let Some(id) = s.order_checkout_id() else {
        return vec![];
    };
    match r {
        Ok(list) => {
            if let Some(order) = list.data.into_iter().find(|o| o.checkout_id == id) {
                return complete(s, order);
            }
            let reason = s.lookup.take();
            if reason == Some(LookupReason::Resume) {
                return fail(s, Failure::CheckoutNotFound, Retry::Load);
            }
            if reason == Some(LookupReason::NotFound) {
                // Gone without an order: nothing more to do with this checkout.
                s.dead.push(id);
                return fail(s, Failure::CheckoutNotFound, Retry::Load);
            }
            // Known not to exist: the same checkout may be submitted again.
            s.step = Step::Review;
            s.retry = Some(Retry::PlaceOrder);
            if let Some(secs) = s.order_retry_after.take() {
                // The provider said when to come back: do so, once asked-for.
                let e = ApiError::Server {
                    status: 503,
                    retry_after: Some(secs),
                };
                if let Some(ms) = auto_retry_delay(s, &e, false) {
                    s.auto_retries += 1;
                    s.alert = Some(Alert::Retrying(Failure::Server));
                    return vec![schedule(s, TimerAction::Retry, ms)];
                }
            }
            s.alert = Some(Alert::NotPlaced);
            vec![]
        }
        // Still unknown: look again (by itself first); never re-send blindly.
        Err(e) => {
            s.step = Step::Error;
            recover(s, &e, Retry::Lookup, true)
        }
    }
}

fn on_fresh(s: &mut State, r: Result<Checkout, ApiError>) -> Vec<Command> {
    match r {
        Ok(c) if !c.id.as_str().is_empty() && !s.dead.contains(&c.id) => {
            let old = s.checkout_id().cloned().unwrap_or_default();
            let new = c.id.clone();
            s.checkout = Some(c);
            s.step = Step::Payment;
            s.retry = None;
            s.wallet.paying_with = None;
            s.wallet.preselect();
            let alert = s.alert.clone().unwrap_or(Alert::Declined {
                message: None,
                hard: false,
            });
            let mut out = vec![Command::Emit(Notice::Declined {
                checkout_id: old,
                new_checkout_id: new,
                alert,
            })];
            // A new card, in an emptied frame.
            out.extend(new_card(s));
            out
        }
        Ok(_) => fail_fresh(s, &ApiError::Decode),
        Err(e) => fail_fresh(s, &e),
    }
}

fn fail_fresh(s: &mut State, e: &ApiError) -> Vec<Command> {
    let body = s
        .checkout
        .as_ref()
        .map(fresh_checkout_body)
        .unwrap_or_default();
    s.step = Step::Error;
    let e = match e {
        ApiError::NotFound(_) => &ApiError::Server {
            status: 404,
            retry_after: None,
        },
        e => e,
    };
    recover(s, e, Retry::Fresh(body), false)
}

fn save_fix(s: &mut State) -> Vec<Command> {
    let live = s.checkout_id().is_some_and(|id| !s.dead.contains(id));
    if s.step != Step::Fix || s.pending.is_some() || !live {
        return vec![];
    }
    let fields = s.fix_fields.clone();
    if let Some(first) = s.form.first_problem(&fields) {
        for f in fields {
            s.form.touch(f);
        }
        return vec![Command::Focus(first)];
    }
    s.retry = None;
    let changes = contact_changes(s, &fields);
    if changes.is_empty() {
        // Nothing changed: the same data would be rejected the same way.
        for f in &fields {
            s.form.touch(*f);
        }
        s.alert = Some(Alert::NeedsInput {
            message: s.server_errors.first().map(|(_, m)| m.clone()),
        });
        return vec![Command::Focus(fields[0])];
    }
    let id = s.checkout_id().cloned().unwrap_or_default();
    s.alert = None;
    s.send(
        Pending::SaveFix,
        Call::UpdateCheckout(id, Value::Object(changes)),
    )
}

fn on_fix_saved(s: &mut State, r: Result<Checkout, ApiError>) -> Vec<Command> {
    match r {
        Ok(c) if c.id.as_str().is_empty() => soft_fail(s, &ApiError::Decode, Retry::Fix),
        Ok(c) => {
            s.checkout = Some(c);
            s.server_errors.clear();
            // The same checkout, ordered again.
            send_order(s)
        }
        Err(ApiError::Rejected { errors, .. }) => {
            let extra: Vec<Field> = field_errors(&errors).iter().map(|(f, _)| *f).collect();
            for f in &extra {
                if !s.fix_fields.contains(f) {
                    s.fix_fields.push(*f);
                }
            }
            s.server_errors = field_errors(&errors);
            s.alert = Some(Alert::NeedsInput {
                message: first_message(&errors),
            });
            let focus = extra.first().copied().unwrap_or(s.fix_fields[0]);
            vec![Command::Focus(focus)]
        }
        Err(ApiError::NotFound(_)) => {
            let id = s.checkout_id().cloned().unwrap_or_default();
            s.step = Step::Submitting;
            s.lookup = Some(LookupReason::NotFound);
            s.send(Pending::Lookup, Call::FindOrders(id))
        }
        Err(e) => soft_fail(s, &e, Retry::Fix),
    }
}

fn retry(s: &mut State) -> Vec<Command> {
    if s.pending.is_some() {
        return vec![];
    }
    let Some(r) = s.retry.take() else {
        return vec![];
    };
    // Whatever was armed (an automatic retry) is superseded.
    s.timer = s.timer.wrapping_add(1);
    s.timer_action = None;
    match r {
        Retry::Load => load(s),
        Retry::Fresh(body) => {
            s.step = Step::Submitting;
            s.alert = None;
            s.send(Pending::Fresh, Call::CreateCheckout(body))
        }
        Retry::Continue => continue_payment(s),
        Retry::Frame => {
            s.frame = Frame::default();
            s.alert = None;
            vec![Command::ReloadFrame]
        }
        Retry::Attach => {
            s.alert = None;
            attach(s)
        }
        Retry::Poll => start_waiting(s),
        Retry::Lookup => {
            let Some(id) = s.order_checkout_id() else {
                return vec![];
            };
            s.step = Step::Submitting;
            s.alert = None;
            s.send(Pending::Lookup, Call::FindOrders(id))
        }
        Retry::PlaceOrder => {
            s.step = Step::Review;
            place_order(s)
        }
        Retry::Fix => save_fix(s),
    }
}

#[cfg(test)]
mod tests;
