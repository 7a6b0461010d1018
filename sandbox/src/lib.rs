//! The sandbox: a local stand-in for the merchant backend and the payment provider
//! behind it, speaking the DR-shaped API of `shared/api-contract.md`.
//!
//! It serves the API under `/api` (and at `/` when no `dist/` is served), the
//! widget's release `dist/` at `/` for the demo and the browser tests, and, only
//! when enabled, a control surface under `/__sandbox` that scripts faults and
//! exposes a log of every API request.

pub mod cards;
pub mod error;
pub mod faults;
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

pub use routes::{router, CSP};

/// How a sandbox is started.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to bind; port 0 picks a free port.
    pub addr: SocketAddr,
    /// Added to every API response.
    pub latency: Duration,
    /// How long a payment session stays `pending` after a covering source is attached.
    pub ready_after: Duration,
    /// The widget's `dist/`, served at `/` (the API then lives only under `/api`).
    pub dist: Option<PathBuf>,
    /// Enables `/__sandbox/*` (faults, request log, reset). Tests only.
    pub control: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            latency: Duration::ZERO,
            ready_after: Duration::from_millis(400),
            dist: None,
            control: false,
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
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding a lock must not take the whole sandbox down.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    /// Fresh state for `config`.
    pub fn new(config: Config) -> Arc<Self> {
        Arc::new(Self {
            store: Mutex::new(store::Store::new(config.ready_after)),
            faults: Mutex::default(),
            log: Mutex::default(),
            latency_ms: AtomicU64::new(config.latency.as_millis() as u64),
            started: Instant::now(),
            seq: AtomicU64::new(0),
            config,
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

/// A running sandbox; aborting it stops accepting connections.
pub struct Running {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Shared state, for tests that inspect it directly.
    pub shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl Running {
    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting connections.
    pub fn stop(&self) {
        self.task.abort();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Binds and serves in the background of the current tokio runtime.
pub async fn start(config: Config) -> std::io::Result<Running> {
    let listener = TcpListener::bind(config.addr).await?;
    let addr = listener.local_addr()?;
    let shared = Shared::new(config);
    let app = router(shared.clone());
    let task = tokio::spawn(serve(listener, app));
    Ok(Running { addr, shared, task })
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
