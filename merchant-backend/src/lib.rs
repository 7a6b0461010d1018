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
pub mod error;
pub mod session;
pub mod upstream;

use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;

pub use api::router;
pub use error::ApiError;
pub use session::{DemoSignIn, SignIn};

/// Largest request body the browser-facing API accepts (64 KiB); larger → 413.
pub const MAX_BODY: usize = 64 * 1024;

/// The provider's secret API key. It is never printed: `Debug` and `Display`
/// both show `[redacted]`.
#[derive(Clone)]
pub struct SecretKey(String);

impl SecretKey {
    /// Wraps a secret key.
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// The key itself, for the `Authorization` header only.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

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

/// The merchant's products by SKU id: the only source of prices.
///
/// The JSON form is an object keyed by SKU id:
/// `{"sku_mug": {"name": "Mug", "price": 1000, "image": "https://..."}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Catalogue(HashMap<String, Product>);

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
        self.0.get(sku)
    }

    /// Adds or replaces a product.
    pub fn insert(&mut self, sku: impl Into<String>, product: Product) {
        self.0.insert(sku.into(), product);
    }
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
    /// Serves `POST /api/demo/sign-in` and `POST /api/demo/sign-out`.
    pub demo_sign_in: bool,
}

impl Config {
    /// A configuration with no trusted proxies, a 10 s upstream timeout and the
    /// demo sign-in disabled.
    pub fn new(upstream: impl Into<String>, secret_key: SecretKey, catalogue: Catalogue) -> Self {
        Self {
            upstream: upstream.into().trim_end_matches('/').to_owned(),
            secret_key,
            catalogue,
            trusted_proxies: Vec::new(),
            upstream_timeout: Duration::from_secs(10),
            demo_sign_in: false,
        }
    }
}

/// Everything the handlers share.
pub struct AppState {
    /// The configuration.
    pub config: Config,
    /// The provider client.
    pub upstream: upstream::Upstream,
    /// Browser sessions.
    pub sessions: session::Sessions,
    /// How shoppers sign in.
    pub sign_in: Arc<dyn SignIn>,
}

impl AppState {
    /// State for `config`, with the [`DemoSignIn`].
    pub fn new(config: Config) -> Arc<Self> {
        Self::with_sign_in(config, Arc::new(DemoSignIn))
    }

    /// State for `config` with another sign-in.
    pub fn with_sign_in(config: Config, sign_in: Arc<dyn SignIn>) -> Arc<Self> {
        Arc::new(Self {
            upstream: upstream::Upstream::new(
                &config.upstream,
                config.secret_key.clone(),
                config.upstream_timeout,
            ),
            sessions: session::Sessions::new(),
            sign_in,
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
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
