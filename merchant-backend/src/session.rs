//! Browser sessions (tower-sessions): what a session may touch (the checkouts
//! it created, the customer it is signed in as), the cookie's settings, and the
//! pluggable [`SignIn`].
//!
//! The store is a bounded in-memory cache (`tower-sessions-moka-store`: at
//! most [`MAX_SESSIONS`], each dropped when it expires) for one instance, or a
//! Redis store (`tower-sessions-redis-store`) shared by several instances
//! behind a load balancer. A session is stored only once it records something (a
//! checkout, a sign-in), so requests without a cookie cost no memory.

use serde::{Deserialize, Serialize};
use tower_sessions::cookie::{Key, SameSite};
use tower_sessions::{Expiry, Session, SessionManagerLayer, SessionStore};

use crate::error::ApiError;
use crate::Config;

/// The session cookie's name.
pub const COOKIE: &str = "mb_session";

/// Checkouts one session keeps; creating more forgets the oldest (their
/// routes then answer 404 to this session too).
pub const MAX_CHECKOUTS: usize = 50;

/// Sessions one instance keeps in memory; beyond, the least useful go first
/// (use Redis for more).
pub const MAX_SESSIONS: u64 = 100_000;

/// The session record's key.
const KEY: &str = "shopper";

/// What one browser session may touch.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionData {
    /// Checkout ids this session created, oldest first.
    pub checkouts: Vec<String>,
    /// The signed-in shopper, if any.
    pub customer_id: Option<String>,
    /// When the session was last saved (Unix seconds): its expiry was moved on.
    #[serde(default)]
    pub touched: u64,
}

impl SessionData {
    /// Whether there is anything to keep.
    pub fn is_empty(&self) -> bool {
        self.checkouts.is_empty() && self.customer_id.is_none()
    }
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The session layer for `config` over `store`: the cookie [`COOKIE`],
/// `HttpOnly`, `SameSite=Lax` (`None` when storefronts are configured and the
/// cookie is `Secure`), `Secure` as configured, signed with the configured key, ending after
/// [`Config::session_idle`] without a request.
pub fn layer<S: SessionStore + Clone>(
    config: &Config,
    store: S,
) -> SessionManagerLayer<S, tower_sessions::service::SignedCookie> {
    use secrecy::ExposeSecret;
    let key = match &config.session_key {
        Some(k) => Key::from(k.expose_secret().as_bytes()),
        None => {
            let mut bytes = [0u8; 64];
            getrandom::fill(&mut bytes).expect("the OS random source");
            Key::from(&bytes)
        }
    };
    // Storefronts on other sites (over HTTPS) need `SameSite=None; Secure`;
    // on the same site (another port or subdomain) `Lax` is sent with CORS
    // requests that include credentials.
    let cross_site = config.secure_cookie && !config.storefront_origins.is_empty();
    let idle = tower_sessions::cookie::time::Duration::try_from(config.session_idle)
        .unwrap_or(tower_sessions::cookie::time::Duration::minutes(30));
    SessionManagerLayer::new(store)
        .with_name(COOKIE)
        .with_http_only(true)
        .with_same_site(if cross_site {
            SameSite::None
        } else {
            SameSite::Lax
        })
        .with_secure(config.secure_cookie)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(idle))
        .with_signed(key)
}

/// A Redis pool for the session store at `url` (`redis://host:port`),
/// connected: commands fail at once while Redis is unreachable (the browser
/// gets 503 with `Retry-After`, never a hang) and time out after 2 s, and a
/// lost connection is re-established, without end, 100 ms to 5 s apart.
pub async fn redis_pool(
    url: &str,
) -> Result<
    tower_sessions_redis_store::fred::prelude::Pool,
    tower_sessions_redis_store::fred::error::Error,
> {
    use tower_sessions_redis_store::fred::prelude::{
        ClientLike, Config, PerformanceConfig, Pool, ReconnectPolicy,
    };
    let mut config = Config::from_url(url)?;
    config.fail_fast = true;
    let performance = PerformanceConfig {
        default_command_timeout: std::time::Duration::from_secs(2),
        ..PerformanceConfig::default()
    };
    let reconnect = ReconnectPolicy::new_exponential(0, 100, 5_000, 2);
    let pool = Pool::new(config, Some(performance), None, Some(reconnect), 4)?;
    pool.connect();
    pool.wait_for_connect().await?;
    Ok(pool)
}

fn store_error(e: tower_sessions::session::Error) -> ApiError {
    tracing::error!(error = %e, "session store");
    ApiError::unavailable_retry(None)
}

/// The session's record (empty when it has none).
pub async fn data(session: &Session) -> Result<SessionData, ApiError> {
    Ok(session
        .get::<SessionData>(KEY)
        .await
        .map_err(store_error)?
        .unwrap_or_default())
}

/// Stores `data`, which moves the session's expiry (and the cookie's
/// `Max-Age`) on.
async fn save(session: &Session, data: &mut SessionData) -> Result<(), ApiError> {
    data.touched = now_secs();
    session.insert(KEY, &*data).await.map_err(store_error)
}

/// Called on every API request: moves a session's expiry on when it was last
/// moved more than a tenth of `idle` ago, so a session ends between 0.9 and 1
/// times `idle` after its last request. (Saving on every request would cost a
/// store write each, and half the throughput, measured.)
pub async fn touch(session: &Session, idle: std::time::Duration) -> Result<(), ApiError> {
    let mut d = data(session).await?;
    if d.is_empty() {
        return Ok(());
    }
    let every = (idle.as_secs() / 10).max(1);
    if now_secs().saturating_sub(d.touched) >= every {
        save(session, &mut d).await?;
    }
    Ok(())
}

/// Whether the session created `checkout_id`.
pub async fn owns_checkout(session: &Session, checkout_id: &str) -> Result<bool, ApiError> {
    Ok(data(session)
        .await?
        .checkouts
        .iter()
        .any(|c| c == checkout_id))
}

/// Records that the session created `checkout_id` (forgetting the oldest
/// beyond [`MAX_CHECKOUTS`]).
pub async fn add_checkout(session: &Session, checkout_id: &str) -> Result<(), ApiError> {
    let mut d = data(session).await?;
    d.checkouts.push(checkout_id.to_owned());
    if d.checkouts.len() > MAX_CHECKOUTS {
        let extra = d.checkouts.len() - MAX_CHECKOUTS;
        d.checkouts.drain(..extra);
    }
    save(session, &mut d).await
}

/// The customer the session is signed in as.
pub async fn customer(session: &Session) -> Result<Option<String>, ApiError> {
    Ok(data(session).await?.customer_id)
}

/// Signs the session in as `customer_id` under a new session id (against
/// session fixation); the old id stops working. A guest's checkouts stay
/// (they become the shopper's cart); signing in as another customer than the
/// session's drops them, so nothing passes between shoppers on one device.
pub async fn sign_in(session: &Session, customer_id: &str) -> Result<(), ApiError> {
    let mut d = data(session).await?;
    if d.customer_id.as_deref().is_some_and(|c| c != customer_id) {
        d.checkouts.clear();
    }
    d.customer_id = Some(customer_id.to_owned());
    save(session, &mut d).await?;
    session.cycle_id().await.map_err(store_error)
}

/// Ends the session entirely (its checkouts included).
pub async fn sign_out(session: &Session) -> Result<(), ApiError> {
    session.flush().await.map_err(store_error)
}

/// How a shopper proves who they are. A real merchant plugs its own login in
/// here; the backend only trusts the customer id this returns.
pub trait SignIn: Send + Sync {
    /// The customer id the claimed `customer_id` signs in as, or an error
    /// answer (e.g. 401) to send to the browser.
    fn sign_in(&self, customer_id: &str) -> Result<String, ApiError>;
}

/// The demo page's sign-in: any well-formed customer id is accepted as is.
/// Only for demos (enable with [`crate::Config::demo_sign_in`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct DemoSignIn;

impl SignIn for DemoSignIn {
    fn sign_in(&self, customer_id: &str) -> Result<String, ApiError> {
        if crate::api::safe_id(customer_id) {
            Ok(customer_id.to_owned())
        } else {
            Err(ApiError::bad_param(
                "invalid_parameter",
                "customerId",
                "Invalid customer id.",
            ))
        }
    }
}
