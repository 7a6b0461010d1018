//! The merchant backend binary.
//!
//! Environment (see the README's "Deploying the merchant backend"):
//! - `MERCHANT_SECRET_KEY` (required): the provider's secret key;
//! - `MERCHANT_CATALOGUE` (required): path of the catalogue JSON;
//! - `MERCHANT_UPSTREAM`: the provider's API (default `http://127.0.0.1:8080/api`);
//! - `MERCHANT_ADDR`: where to listen (default `127.0.0.1:3000`);
//! - `MERCHANT_TRUSTED_PROXIES`: comma-separated IPs whose `X-Forwarded-For` counts;
//! - `MERCHANT_STOREFRONT_ORIGINS`: comma-separated origins allowed by CORS;
//! - `MERCHANT_REDIS_URL`: sessions in Redis (`redis://127.0.0.1:6379`), for
//!   several instances; in memory without it;
//! - `MERCHANT_SESSION_KEY`: signs session cookies (64+ bytes; shared by all
//!   instances); random per process without it;
//! - `MERCHANT_SESSION_IDLE_SECS` (default 1800), `MERCHANT_SECURE_COOKIE=1`;
//! - `MERCHANT_UPSTREAM_TIMEOUT_MS` (default 10000), `MERCHANT_ORDER_TIMEOUT_MS`
//!   (default 30000), `MERCHANT_RETRY_BUDGET_MS` (default 3000);
//! - `MERCHANT_BREAKER_THRESHOLD` (default 8), `MERCHANT_BREAKER_COOL_DOWN_MS`
//!   (default 5000);
//! - `MERCHANT_DIST` and `MERCHANT_PAYMENTS_BASE`: also serve the demo store's
//!   pages from `dist/`, framing the card frame from that payments base
//!   (`MERCHANT_DIST_API_ORIGIN`: the pages may call an `apiBase` there too);
//! - `MERCHANT_DEMO_SIGN_IN=1`: the demo sign-in routes;
//! - `MERCHANT_LOG`: `error`, `warn`, `info` (default) or `debug`.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::str::FromStr;
use std::time::Duration;

use merchant_backend::{AppState, Catalogue, Config, SecretKey, Site};
use tower_sessions_redis_store::RedisStore;

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn number<T: FromStr>(name: &str) -> Result<Option<T>, String>
where
    T::Err: std::fmt::Display,
{
    env(name)
        .map(|v| v.trim().parse::<T>().map_err(|e| format!("{name}: {e}")))
        .transpose()
}

fn millis(name: &str, into: &mut Duration) -> Result<(), String> {
    if let Some(ms) = number::<u64>(name)? {
        *into = Duration::from_millis(ms);
    }
    Ok(())
}

fn list(name: &str) -> Vec<String> {
    env(name)
        .map(|v| {
            v.split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

fn config() -> Result<(Config, SocketAddr), String> {
    let secret = env("MERCHANT_SECRET_KEY").ok_or("MERCHANT_SECRET_KEY is not set")?;
    let path = env("MERCHANT_CATALOGUE").ok_or("MERCHANT_CATALOGUE is not set")?;
    let catalogue = Catalogue::load(&PathBuf::from(&path))
        .map_err(|e| format!("cannot read the catalogue {path}: {e}"))?;
    let upstream = env("MERCHANT_UPSTREAM").unwrap_or_else(|| "http://127.0.0.1:8080/api".into());
    let addr: SocketAddr = env("MERCHANT_ADDR")
        .unwrap_or_else(|| "127.0.0.1:3000".into())
        .parse()
        .map_err(|e| format!("MERCHANT_ADDR: {e}"))?;
    let mut config = Config::new(upstream, SecretKey::from(secret), catalogue);
    config.trusted_proxies = list("MERCHANT_TRUSTED_PROXIES")
        .iter()
        .map(|s| s.parse::<IpAddr>())
        .collect::<Result<_, _>>()
        .map_err(|e| format!("MERCHANT_TRUSTED_PROXIES: {e}"))?;
    config.storefront_origins = list("MERCHANT_STOREFRONT_ORIGINS");
    if let Some(key) = env("MERCHANT_SESSION_KEY") {
        if key.len() < 64 {
            return Err("MERCHANT_SESSION_KEY must be at least 64 bytes".into());
        }
        config.session_key = Some(SecretKey::from(key));
    }
    if let Some(s) = number::<u64>("MERCHANT_SESSION_IDLE_SECS")? {
        config.session_idle = Duration::from_secs(s);
    }
    config.secure_cookie = env("MERCHANT_SECURE_COOKIE").as_deref() == Some("1");
    millis("MERCHANT_UPSTREAM_TIMEOUT_MS", &mut config.upstream_timeout)?;
    millis("MERCHANT_ORDER_TIMEOUT_MS", &mut config.order_timeout)?;
    millis("MERCHANT_RETRY_BUDGET_MS", &mut config.retry_budget)?;
    millis(
        "MERCHANT_BREAKER_COOL_DOWN_MS",
        &mut config.breaker_cool_down,
    )?;
    if let Some(n) = number::<u32>("MERCHANT_BREAKER_THRESHOLD")? {
        config.breaker_threshold = n;
    }
    config.site = match (env("MERCHANT_DIST"), env("MERCHANT_PAYMENTS_BASE")) {
        (Some(dist), Some(payments_base)) => Some(Site {
            dist: PathBuf::from(dist),
            payments_base,
            api_origin: env("MERCHANT_DIST_API_ORIGIN"),
        }),
        (None, None) => None,
        _ => return Err("MERCHANT_DIST and MERCHANT_PAYMENTS_BASE go together".into()),
    };
    config.demo_sign_in = env("MERCHANT_DEMO_SIGN_IN").as_deref() == Some("1");
    Ok((config, addr))
}

fn log_level() -> tracing::Level {
    env("MERCHANT_LOG")
        .and_then(|v| v.parse().ok())
        .unwrap_or(tracing::Level::INFO)
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_max_level(log_level())
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
    let (config, addr) = match config() {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let upstream = config.upstream.clone();
    let state = AppState::new(config);
    let app = match env("MERCHANT_REDIS_URL") {
        Some(url) => {
            let pool = match merchant_backend::session::redis_pool(&url).await {
                Ok(p) => p,
                Err(e) => {
                    tracing::error!("cannot reach Redis at {url}: {e}");
                    return ExitCode::FAILURE;
                }
            };
            tracing::info!("sessions in Redis");
            merchant_backend::api::router_with_store(state, RedisStore::new(pool))
        }
        None => merchant_backend::router(state),
    };
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            tracing::error!("cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!("http://{addr}/api -> {upstream}");
    tokio::select! {
        r = merchant_backend::serve(listener, app) => {
            if let Err(e) = r {
                tracing::error!("{e}");
                return ExitCode::FAILURE;
            }
        }
        _ = tokio::signal::ctrl_c() => {}
    }
    ExitCode::SUCCESS
}
