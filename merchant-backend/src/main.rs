//! The merchant backend binary.
//!
//! Environment: `MERCHANT_SECRET_KEY` (required), `MERCHANT_CATALOGUE` (path of
//! the catalogue JSON, required), `MERCHANT_UPSTREAM` (default
//! `http://127.0.0.1:8080/api`), `MERCHANT_ADDR` (default `127.0.0.1:3000`),
//! `MERCHANT_TRUSTED_PROXIES` (comma-separated IPs), `MERCHANT_UPSTREAM_TIMEOUT_MS`
//! (default 10000), `MERCHANT_DEMO_SIGN_IN` (`1` enables the demo sign-in).

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use merchant_backend::{AppState, Catalogue, Config, SecretKey};

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
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
    let mut config = Config::new(upstream, SecretKey::new(secret), catalogue);
    if let Some(list) = env("MERCHANT_TRUSTED_PROXIES") {
        config.trusted_proxies = list
            .split(',')
            .map(|s| s.trim().parse::<IpAddr>())
            .collect::<Result<_, _>>()
            .map_err(|e| format!("MERCHANT_TRUSTED_PROXIES: {e}"))?;
    }
    if let Some(ms) = env("MERCHANT_UPSTREAM_TIMEOUT_MS") {
        let ms: u64 = ms
            .parse()
            .map_err(|e| format!("MERCHANT_UPSTREAM_TIMEOUT_MS: {e}"))?;
        config.upstream_timeout = Duration::from_millis(ms);
    }
    config.demo_sign_in = env("MERCHANT_DEMO_SIGN_IN").as_deref() == Some("1");
    Ok((config, addr))
}

#[tokio::main]
async fn main() -> ExitCode {
    let (config, addr) = match config() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("merchant-backend: {e}");
            return ExitCode::FAILURE;
        }
    };
    let upstream = config.upstream.clone();
    let app = merchant_backend::router(AppState::new(config));
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("merchant-backend: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!("merchant-backend: http://{addr}/api -> {upstream}");
    tokio::select! {
        r = merchant_backend::serve(listener, app) => {
            if let Err(e) = r {
                eprintln!("merchant-backend: {e}");
                return ExitCode::FAILURE;
            }
        }
        _ = tokio::signal::ctrl_c() => {}
    }
    ExitCode::SUCCESS
}
