//! A reference merchant backend for checkout-widget.
//!
//! The widget's `apiBase` points here. This backend holds the provider's secret
//! key, builds every upstream request body itself (items priced from its own
//! [`Catalogue`], the customer taken from the signed-in shopper, the browser's
//! IP from the connection), and only lets a browser session touch the checkouts
//! it created and the customer it is signed in as.
//!
//! The browser-facing API is served under `/api` by [`router`]; see
//! `shared/api-contract.md` for the endpoints and error shapes.

#![deny(missing_docs)]

pub mod api;
pub mod breaker;
pub mod error;
pub mod session;
pub mod upstream;
pub mod web;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use serde::Deserialize;

pub use api::router;
pub use error::ApiError;
pub use session::{DemoSignIn, SignIn};

/// Largest request body the browser-facing API accepts (64 KiB); larger → 413.
pub const MAX_BODY: usize = 64 * 1024;

/// The provider's secret API key, held so that it is never printed (`Debug`
/// shows `[REDACTED]`) and is zeroed when dropped.
pub type SecretKey = SecretString;

/// One product the merchant sells.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    /// Display name, sent to the provider as `productDetails.name`.
    pub name: String,
    /// Unit price in cents (minor units).
    pub price: u64,
    /// Image URL, sent as `productDetails.image`.
    #[serde(default)]
    pub image: Option<String>,
}

/// One way to ship, priced by the merchant.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShippingOption {
    /// What the shopper reads, sent as `shippingChoice.description`.
    pub description: String,
    /// Price in cents, sent as `shippingChoice.amount`.
    pub amount: u64,
}

/// The merchant's products by SKU id and shipping options by service level,
/// in one currency: the only source of prices.
///
/// The JSON form:
/// `{"currency": "USD",
///   "products": {"sku_mug": {"name": "Mug", "price": 1000, "image": "https://..."}},
///   "shipping": {"standard": {"description": "Standard", "amount": 500}}}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    /// The ISO 4217 currency every price is in (default `USD`); a checkout in
    /// another currency is refused.
    #[serde(default = "usd")]
    pub currency: String,
    /// Products by SKU id.
    pub products: HashMap<String, Product>,
    /// Shipping options by service level (`shippingChoice.serviceLevel`).
    #[serde(default)]
    pub shipping: HashMap<String, ShippingOption>,
}

fn usd() -> String {
    "USD".into()
}

impl Catalogue {
    /// Parses the JSON form.
    pub fn from_json(json: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(json)
    }

    /// Reads and parses a JSON file.
    pub fn load(path: &Path) -> std::io::Result<Self> {
        let text = std::fs::read_to_string(path)?;
        Self::from_json(&text).map_err(std::io::Error::other)
    }

    /// The product with this SKU id.
    pub fn get(&self, sku: &str) -> Option<&Product> {
        self.products.get(sku)
    }

    /// The shipping option of this service level.
    pub fn shipping(&self, level: &str) -> Option<&ShippingOption> {
        self.shipping.get(level)
    }
}

/// Where the demo store's pages come from, when this backend serves them.
#[derive(Debug, Clone)]
pub struct Site {
    /// The widget's `dist/` (demo pages and the bundle), served at `/`.
    pub dist: PathBuf,
    /// The provider's payments base (where `card-frame.html` lives), e.g.
    /// `http://localhost:8788/api`: the pages' `frame-src` and `/store.json`.
    pub payments_base: String,
    /// The origin of an `apiBase` elsewhere (another instance's API), added to
    /// the pages' `connect-src`; `None` when the pages call this origin's `/api`.
    pub api_origin: Option<String>,
}

/// How the backend is configured.
#[derive(Debug, Clone)]
pub struct Config {
    /// Base URL of the provider's API, e.g. `http://127.0.0.1:8080/api`.
    pub upstream: String,
    /// The provider's secret key (`MERCHANT_SECRET_KEY` in the binary).
    pub secret_key: SecretKey,
    /// Products and prices (`MERCHANT_CATALOGUE` names the file in the binary).
    pub catalogue: Catalogue,
    /// Peers whose `X-Forwarded-For` is believed; from anyone else it is ignored.
    pub trusted_proxies: Vec<IpAddr>,
    /// Time limit of one upstream call (each retry gets its own).
    pub upstream_timeout: Duration,
    /// Time limit of `POST /orders` (an authorization may take longer).
    pub order_timeout: Duration,
    /// How long a GET may keep being retried, backoff included.
    pub retry_budget: Duration,
    /// Consecutive upstream failures (no answer, 5xx) that open the circuit.
    pub breaker_threshold: u32,
    /// How long an open circuit refuses calls (503 + `Retry-After`) before
    /// letting one trial call through.
    pub breaker_cool_down: Duration,
    /// Serves `POST /api/demo/sign-in` and `POST /api/demo/sign-out`.
    pub demo_sign_in: bool,
    /// Storefront origins (`https://shop.example`) allowed to call the API
    /// from their pages (CORS, with cookies). Empty: same origin only.
    pub storefront_origins: Vec<String>,
    /// A session ends after this long without a request.
    pub session_idle: Duration,
    /// Signs the session cookie; instances behind one load balancer share it
    /// (at least 64 bytes). `None`: a random key per process.
    pub session_key: Option<SecretString>,
    /// Marks the session cookie `Secure` (serve over HTTPS in production).
    pub secure_cookie: bool,
    /// Serve the demo store's pages too (`dist/`, with the strict CSP).
    pub site: Option<Site>,
}

impl Config {
    /// A configuration with no trusted proxies, a 10 s upstream timeout (30 s
    /// for orders), a 3 s retry budget, a circuit that opens after 8 failures
    /// in a row for 5 s, 30-minute sessions, no CORS, no pages, and the demo
    /// sign-in disabled.
    pub fn new(upstream: impl Into<String>, secret_key: SecretKey, catalogue: Catalogue) -> Self {
        Self {
            upstream: upstream.into().trim_end_matches('/').to_owned(),
            secret_key,
            catalogue,
            trusted_proxies: Vec::new(),
            upstream_timeout: Duration::from_secs(10),
            order_timeout: Duration::from_secs(30),
            retry_budget: Duration::from_secs(3),
            breaker_threshold: 8,
            breaker_cool_down: Duration::from_secs(5),
            demo_sign_in: false,
            storefront_origins: Vec::new(),
            session_idle: Duration::from_secs(30 * 60),
            session_key: None,
            secure_cookie: false,
            site: None,
        }
    }
}

/// Everything the handlers share.
pub struct AppState {
    /// The configuration.
    pub config: Config,
    /// The provider client.
    pub upstream: upstream::Upstream,
    /// How shoppers sign in.
    pub sign_in: Arc<dyn SignIn>,
    /// The last readiness check: when, and whether the provider answered.
    pub readiness: tokio::sync::Mutex<Option<(std::time::Instant, bool)>>,
}

impl AppState {
    /// State for `config`, with the [`DemoSignIn`].
    pub fn new(config: Config) -> Arc<Self> {
        Self::with_sign_in(config, Arc::new(DemoSignIn))
    }

    /// State for `config` with another sign-in.
    pub fn with_sign_in(config: Config, sign_in: Arc<dyn SignIn>) -> Arc<Self> {
        Arc::new(Self {
            upstream: upstream::Upstream::new(&config),
            sign_in,
            readiness: tokio::sync::Mutex::new(None),
            config,
        })
    }
}

/// Serves `app` on `listener` with the peer address available to handlers
/// (needed for `browserIp`), until the task is dropped.
pub async fn serve(listener: tokio::net::TcpListener, app: axum::Router) -> std::io::Result<()> {
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
}

/// Random bytes as lowercase hex (ids, idempotency keys).
pub(crate) fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the OS random source");
    hex(&buf)
}

/// Lowercase hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
