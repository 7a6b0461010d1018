//! The sandbox: a local stand-in for the merchant backend, the payment provider
//! behind it and the card issuer's 3-D Secure server, speaking the DR-shaped API
//! of `shared/api-contract.md`.
//!
//! By default one [`start`] plays three origins on the loopback, sharing one
//! store, one fault list and one request log (see `shared/embedding.md`):
//!
//! - the **merchant** origin `http://127.0.0.1:P1`: the widget's `dist/` at `/`
//!   (demo pages), the merchant API under `/api` (and at `/` when no `dist/` is
//!   served), `GET /sandbox.json` and its alias `GET /store.json` (where the
//!   other two origins are) and, only when enabled, the control surface under
//!   `/__sandbox` (faults, request log, customers, reset). With
//!   [`Config::merchant_pages`] off it serves only the API under `/api` (and the
//!   control surface), for a merchant backend in front of it; with
//!   [`Config::secret_key`] set, its API needs `Authorization: Bearer <key>`;
//! - the **payments** origin `http://localhost:P2` (another *site*): the same
//!   `dist/` (`card-frame.html` only for allowed merchant origins), the card
//!   frame's API under `/api` (`POST /sources`, `GET /sources/{id}`,
//!   `POST /sources/{id}/authentications`) and the 3-D Secure `/3ds/return` page;
//! - the **ACS** origin `http://127.0.0.1:P3`: the challenge page `/challenge`.
//!
//! In single-origin mode ([`Config::single_origin`]) everything is served on the
//! merchant origin, the ACS under `/acs`.

mod acs;
pub mod cards;
pub mod csp;
pub mod error;
pub mod faults;
mod payments;
mod routes;
pub mod store;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

pub use csp::{merchant_csp, CSP};
pub use faults::Origin;
pub use routes::{acs_router, merchant_router, payments_router};

/// How a sandbox is started.
#[derive(Debug, Clone)]
pub struct Config {
    /// The merchant origin's address; port 0 picks a free port.
    pub addr: SocketAddr,
    /// The payments origin's address, advertised as `http://localhost:PORT` when
    /// it is a loopback address (and also bound on `[::1]` when it is
    /// `127.0.0.1`); `None` serves the payments side on the merchant origin.
    pub payments_addr: Option<SocketAddr>,
    /// The ACS (3-D Secure challenge server) origin's address; `None` serves the
    /// ACS on the merchant origin under `/acs`.
    pub acs_addr: Option<SocketAddr>,
    /// Merchant origins (`http://host:port`) allowed to frame `card-frame.html`;
    /// empty means just the merchant origin.
    pub allowed_origins: Vec<String>,
    /// Added to every API response.
    pub latency: Duration,
    /// How long a payment session stays `pending` after a covering source is attached.
    pub ready_after: Duration,
    /// The widget's `dist/`, served at `/` (the API then lives only under `/api`).
    pub dist: Option<PathBuf>,
    /// Enables `/__sandbox/*` (faults, request log, customers, reset). Tests only.
    /// The demo customer `cus_demo` exists either way.
    pub control: bool,
    /// The provider's secret key. `None` (the default): the merchant API is
    /// open, as a browser-facing demo needs it. `Some(key)`: every request to the
    /// merchant origin's API (`/checkouts...`, `/orders`, `/customers/...`, and
    /// any other path served by that API, unknown ones included) must carry
    /// exactly `Authorization: Bearer <key>`, else it is answered
    /// `401 {"type":"unauthorized","errors":[{"code":"unauthorized","message":"A valid secret key is required."}]}`
    /// (see [`error::ApiError::secret_key_required`]) and logged like any other
    /// API request, without taking a fault. The card frame's calls
    /// (`/sources...`, also when served on the merchant origin in single-origin
    /// mode), the ACS, the pages, `/sandbox.json` and `/__sandbox/*` never need it.
    pub secret_key: Option<String>,
    /// Whether the merchant origin serves the merchant's pages (the default):
    /// `dist/` at `/`, `/sandbox.json` and `/store.json`, and the
    /// `/card-frame.html` notice. `false` makes the sandbox "only the provider",
    /// for use behind `merchant-backend`, which serves the pages: the merchant
    /// origin then serves the merchant API under `/api` only (not at `/`), the
    /// control surface when [`Config::control`] is on and, in single-origin
    /// mode, the payments side as the payments origin would (the card frame and
    /// the rest of `dist/` with the payments origin's headers, `/3ds/return`,
    /// the card frame's API) and the ACS under `/acs`. The payments origin
    /// serves `dist/` either way.
    pub merchant_pages: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            payments_addr: Some(SocketAddr::from(([127, 0, 0, 1], 0))),
            acs_addr: Some(SocketAddr::from(([127, 0, 0, 1], 0))),
            allowed_origins: Vec::new(),
            latency: Duration::ZERO,
            ready_after: Duration::from_millis(400),
            dist: None,
            control: false,
            secret_key: None,
            merchant_pages: true,
        }
    }
}

impl Config {
    /// Everything on one origin (the merchant's), the ACS under `/acs`: the
    /// simple setup, without card isolation.
    pub fn single_origin() -> Self {
        Self {
            payments_addr: None,
            acs_addr: None,
            ..Self::default()
        }
    }
}

/// Where the three roles of a running sandbox are, as a browser sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origins {
    /// `http://127.0.0.1:P1`.
    pub merchant: String,
    /// `http://localhost:P2`, or the merchant origin when not separate.
    pub payments: String,
    /// `http://127.0.0.1:P3`, or the merchant origin when not separate.
    pub acs: String,
    /// Whether the payments side has its own origin.
    pub separate_payments: bool,
    /// Whether the ACS has its own origin (else it lives under `/acs`).
    pub separate_acs: bool,
    /// Merchant origins allowed to frame the card frame.
    pub allowed: Vec<String>,
}

impl Origins {
    /// The origins of a single-origin sandbox at `merchant`.
    pub fn single(merchant: &str) -> Self {
        Self {
            merchant: merchant.to_owned(),
            payments: merchant.to_owned(),
            acs: merchant.to_owned(),
            separate_payments: false,
            separate_acs: false,
            allowed: vec![merchant.to_owned()],
        }
    }

    /// The widget's `paymentsBase`: the payments origin + `/api`.
    pub fn payments_base(&self) -> String {
        format!("{}/api", self.payments)
    }

    /// The ACS challenge page, without query.
    pub fn challenge_url(&self) -> String {
        if self.separate_acs {
            format!("{}/challenge", self.acs)
        } else {
            format!("{}/acs/challenge", self.acs)
        }
    }

    /// Whether `origin` may frame `card-frame.html`.
    pub fn is_allowed(&self, origin: &str) -> bool {
        self.allowed.iter().any(|a| a == origin)
    }

    /// The CSP of the merchant origin's pages.
    pub fn merchant_csp(&self) -> String {
        if self.separate_payments {
            csp::merchant_csp(&self.payments)
        } else {
            CSP.to_owned()
        }
    }
}

/// State shared by every connection.
pub struct Shared {
    store: Mutex<store::Store>,
    faults: Mutex<faults::Faults>,
    log: Mutex<Vec<faults::LogEntry>>,
    latency_ms: AtomicU64,
    started: Instant,
    seq: AtomicU64,
    /// The configuration it was started with.
    pub config: Config,
    /// Where the three origins are.
    pub origins: Origins,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding a lock must not take the whole sandbox down.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    /// Fresh state for `config`, served at `origins`.
    pub fn new(config: Config, origins: Origins) -> Arc<Self> {
        let mut store = store::Store::new(config.ready_after);
        store.challenge_url = origins.challenge_url();
        Arc::new(Self {
            store: Mutex::new(store),
            faults: Mutex::default(),
            log: Mutex::default(),
            latency_ms: AtomicU64::new(config.latency.as_millis() as u64),
            started: Instant::now(),
            seq: AtomicU64::new(0),
            config,
            origins,
        })
    }

    /// The provider state.
    pub fn store(&self) -> MutexGuard<'_, store::Store> {
        lock(&self.store)
    }

    /// The armed faults.
    pub fn faults(&self) -> MutexGuard<'_, faults::Faults> {
        lock(&self.faults)
    }

    /// The request log.
    pub fn log(&self) -> MutexGuard<'_, Vec<faults::LogEntry>> {
        lock(&self.log)
    }

    fn latency(&self) -> Duration {
        Duration::from_millis(self.latency_ms.load(Ordering::Relaxed))
    }

    /// Sets the latency added to every API answer.
    pub fn set_latency(&self, ms: u64) {
        self.latency_ms.store(ms, Ordering::Relaxed);
    }
}

/// Closes the connection a request arrived on, without a response.
#[derive(Clone, Default)]
pub struct KillSwitch(Arc<Notify>);

impl KillSwitch {
    /// Drops the connection at the next await point of its task.
    pub fn kill(&self) {
        self.0.notify_one();
    }
}

/// A running sandbox; dropping or stopping it stops accepting connections.
pub struct Running {
    /// Where the merchant origin listens.
    pub addr: SocketAddr,
    /// Where the payments origin listens (IPv4); `addr` when not separate.
    pub payments_addr: SocketAddr,
    /// Where the ACS listens; `addr` when not separate.
    pub acs_addr: SocketAddr,
    /// Shared state, for tests that inspect it directly.
    pub shared: Arc<Shared>,
    tasks: Vec<JoinHandle<()>>,
}

impl Running {
    /// The merchant origin, `http://127.0.0.1:P1`.
    pub fn url(&self) -> String {
        self.shared.origins.merchant.clone()
    }

    /// The payments origin, `http://localhost:P2` (`url()` in single-origin mode).
    pub fn payments_url(&self) -> String {
        self.shared.origins.payments.clone()
    }

    /// The widget's `paymentsBase`: `payments_url()` + `/api`.
    pub fn payments_base(&self) -> String {
        self.shared.origins.payments_base()
    }

    /// The ACS origin, `http://127.0.0.1:P3` (`url()` in single-origin mode).
    pub fn acs_url(&self) -> String {
        self.shared.origins.acs.clone()
    }

    /// The Content-Security-Policy the merchant origin's pages carry:
    /// [`merchant_csp`]`(payments_url())`, or [`CSP`] in single-origin mode.
    pub fn merchant_csp(&self) -> String {
        self.shared.origins.merchant_csp()
    }

    /// Stops accepting connections.
    pub fn stop(&self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `http://127.0.0.1:P`; a loopback address is advertised as `localhost` when
/// `localhost` is asked for.
fn origin_of(addr: SocketAddr, localhost: bool) -> String {
    if localhost && addr.ip().is_loopback() {
        format!("http://localhost:{}", addr.port())
    } else {
        format!("http://{addr}")
    }
}

/// Binds the payments origin: `addr`, plus `[::1]` on the same port when `addr`
/// is `127.0.0.1` (a browser may try either for `localhost`). With port 0, a
/// port that is free on IPv4 but taken on `[::1]` is given up for another.
async fn bind_payments(addr: SocketAddr) -> std::io::Result<Vec<TcpListener>> {
    let v6_too = addr.ip() == std::net::Ipv4Addr::LOCALHOST;
    for _ in 0..8 {
        let v4 = TcpListener::bind(addr).await?;
        if !v6_too {
            return Ok(vec![v4]);
        }
        let port = v4.local_addr()?.port();
        match TcpListener::bind((std::net::Ipv6Addr::LOCALHOST, port)).await {
            Ok(v6) => return Ok(vec![v4, v6]),
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse && addr.port() == 0 => continue,
            // No IPv6 loopback here (or the port is fixed): IPv4 only.
            Err(_) => return Ok(vec![v4]),
        }
    }
    Ok(vec![TcpListener::bind(addr).await?])
}

/// Binds every origin of `config` and serves them in the background of the
/// current tokio runtime.
pub async fn start(config: Config) -> std::io::Result<Running> {
    let merchant = TcpListener::bind(config.addr).await?;
    let addr = merchant.local_addr()?;
    let payments = match config.payments_addr {
        Some(a) => bind_payments(a).await?,
        None => Vec::new(),
    };
    let acs = match config.acs_addr {
        Some(a) => Some(TcpListener::bind(a).await?),
        None => None,
    };
    let payments_addr = match payments.first() {
        Some(l) => l.local_addr()?,
        None => addr,
    };
    let acs_addr = match &acs {
        Some(l) => l.local_addr()?,
        None => addr,
    };
    let merchant_origin = origin_of(addr, false);
    let mut origins = Origins::single(&merchant_origin);
    if !payments.is_empty() {
        origins.payments = origin_of(payments_addr, true);
        origins.separate_payments = true;
    }
    if acs.is_some() {
        origins.acs = origin_of(acs_addr, false);
        origins.separate_acs = true;
    }
    if !config.allowed_origins.is_empty() {
        origins.allowed = config
            .allowed_origins
            .iter()
            .map(|o| o.trim_end_matches('/').to_owned())
            .collect();
    }
    let shared = Shared::new(config, origins);
    let mut tasks = vec![tokio::spawn(serve(
        merchant,
        merchant_router(shared.clone()),
    ))];
    if !payments.is_empty() {
        let app = payments_router(shared.clone());
        for l in payments {
            tasks.push(tokio::spawn(serve(l, app.clone())));
        }
    }
    if let Some(l) = acs {
        tasks.push(tokio::spawn(serve(l, acs_router(shared.clone()))));
    }
    Ok(Running {
        addr,
        payments_addr,
        acs_addr,
        shared,
        tasks,
    })
}

/// Accepts connections forever. Each connection carries a [`KillSwitch`] so a
/// fault can drop it mid-request, which `axum::serve` cannot do.
pub async fn serve(listener: TcpListener, app: axum::Router) {
    use hyper_util::rt::TokioIo;
    use hyper_util::service::TowerToHyperService;
    use tower::ServiceExt;

    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let kill = KillSwitch::default();
        let notified = kill.0.clone();
        let svc =
            app.clone()
                .map_request(move |mut req: axum::http::Request<hyper::body::Incoming>| {
                    req.extensions_mut().insert(kill.clone());
                    req
                });
        tokio::spawn(async move {
            let conn = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), TowerToHyperService::new(svc));
            tokio::select! {
                _ = conn => {}
                // Dropping the connection future closes the socket with no response.
                _ = notified.notified() => {}
            }
        });
    }
}
