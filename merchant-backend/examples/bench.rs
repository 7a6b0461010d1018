//! What the backend adds to a read: `GET /api/checkouts/{id}` on the provider
//! (the sandbox) directly with the secret key, then the same read through the
//! backend with a session cookie. Both run in this process on free ports; each
//! loop is 1,000 warm-up requests, then 20,000 with 64 in flight over
//! keep-alive connections: the targets are judged on those two loops. Then,
//! for scale, the same two reads unloaded (one at a time, 5,000 each): with 64
//! in flight on a saturated machine, latency is mostly queueing (Little's law:
//! 64 / throughput), and the unloaded rows show what one request costs.
//!
//! Prints a markdown table and one machine-readable line:
//! `BENCH merchant-backend p50_added_us=.. p99_added_us=.. throughput_ratio=..`.
//! Exits non-zero when any response is not a 200 (a 404 in the diagnostic rows).
//!
//! `cargo run --release -p merchant-backend --example bench`

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{header, Method, Request, StatusCode, Uri};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use merchant_backend::{AppState, Catalogue, Config, SecretKey};

const SECRET: &str = "sk_test_bench_0123456789abcdef";
const WARM_UP: usize = 1_000;
const REQUESTS: usize = 20_000;
const IN_FLIGHT: usize = 64;
/// The unloaded comparison: one request at a time (no queueing).
const SERIAL: usize = 5_000;

type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// One loop's outcome.
struct Run {
    /// Latency of each request answered as expected, sorted.
    latencies: Vec<Duration>,
    /// Requests not answered as expected (another status or no answer).
    failures: usize,
    /// Of the warm-up before it.
    warm_up_failures: usize,
    /// Wall time of the whole loop.
    elapsed: Duration,
}

impl Run {
    fn throughput(&self) -> f64 {
        (self.latencies.len() + self.failures) as f64 / self.elapsed.as_secs_f64()
    }

    /// Nearest-rank percentile, in microseconds.
    fn percentile_us(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let rank = ((p / 100.0) * self.latencies.len() as f64).ceil() as usize;
        let i = rank.clamp(1, self.latencies.len()) - 1;
        self.latencies[i].as_secs_f64() * 1e6
    }
}

/// One loop: GETs of `uri` with these headers, each expected to be answered `expect`.
#[derive(Clone)]
struct Target {
    uri: Uri,
    headers: Vec<(header::HeaderName, String)>,
    expect: StatusCode,
}

/// `total` requests to `target`, `in_flight` at a time.
async fn run(client: &HttpClient, target: &Target, total: usize, in_flight: usize) -> Run {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(in_flight);
    for _ in 0..in_flight {
        let (client, target, next) = (client.clone(), target.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(total / in_flight + 1);
            let mut failures = 0;
            while next.fetch_add(1, Ordering::Relaxed) < total {
                let mut req = Request::builder()
                    .method(Method::GET)
                    .uri(target.uri.clone());
                for (k, v) in &target.headers {
                    req = req.header(k, v);
                }
                let req = req.body(Full::new(Bytes::new())).expect("a valid request");
                let t0 = Instant::now();
                let ok = match client.request(req).await {
                    Ok(resp) => {
                        let status = resp.status();
                        let body = resp.into_body().collect().await;
                        status == target.expect && body.is_ok()
                    }
                    Err(_) => false,
                };
                if ok {
                    latencies.push(t0.elapsed());
                } else {
                    failures += 1;
                }
            }
            (latencies, failures)
        }));
    }
    let mut latencies = Vec::with_capacity(total);
    let mut failures = 0;
    for t in tasks {
        let (l, f) = t.await.expect("a bench task");
        latencies.extend(l);
        failures += f;
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    Run {
        latencies,
        failures,
        warm_up_failures: 0,
        elapsed,
    }
}

/// A warm-up, then the measured loop.
async fn measure(client: &HttpClient, target: &Target, total: usize, in_flight: usize) -> Run {
    let warm = run(client, target, WARM_UP, in_flight).await;
    let mut out = run(client, target, total, in_flight).await;
    out.warm_up_failures = warm.failures;
    out
}

fn catalogue() -> Catalogue {
    Catalogue::from_json(
        r#"{"products": {"sku_poster": {"name": "Poster", "price": 1250, "image": "https://example.com/poster.png"}},
            "shipping": {"standard": {"description": "Standard", "amount": 500}}}"#,
    )
    .expect("the bench catalogue")
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // The provider: the sandbox, secret-keyed, no added latency.
    let sandbox = sandbox::start(sandbox::Config {
        ready_after: Duration::ZERO,
        latency: Duration::ZERO,
        secret_key: Some(SECRET.into()),
        merchant_pages: false,
        ..sandbox::Config::single_origin()
    })
    .await
    .expect("the sandbox starts");
    let upstream = format!("{}/api", sandbox.url());
    // The backend in front of it.
    let config = Config::new(upstream.clone(), SecretKey::from(SECRET), catalogue());
    let app = merchant_backend::router(AppState::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let api = format!("http://{}/api", listener.local_addr().expect("an address"));
    let _backend = tokio::spawn(merchant_backend::serve(listener, app));

    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    let client: HttpClient = Client::builder(TokioExecutor::new()).build(connector);

    // One checkout, created through the backend: its id and the session cookie.
    let cart = r#"{"currency":"USD","email":"bench@example.com","items":[{"skuId":"sku_poster","quantity":2}]}"#;
    let req = Request::builder()
        .method(Method::POST)
        .uri(format!("{api}/checkouts"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from_static(cart.as_bytes())))
        .expect("a valid request");
    let resp = client.request(req).await.expect("the backend answers");
    let status = resp.status();
    let cookie = resp
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_owned);
    let body = resp.into_body().collect().await.expect("a body").to_bytes();
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let (Some(cookie), Some(id), true) =
        (cookie, json["id"].as_str(), status == StatusCode::CREATED)
    else {
        eprintln!(
            "creating the checkout failed: {status} {}",
            String::from_utf8_lossy(&body)
        );
        return std::process::ExitCode::FAILURE;
    };

    let target = |uri: String, header: header::HeaderName, value: String, expect| Target {
        uri: uri.parse().expect("a URI"),
        headers: vec![(header, value)],
        expect,
    };
    let direct = target(
        format!("{upstream}/checkouts/{id}"),
        header::AUTHORIZATION,
        format!("Bearer {SECRET}"),
        StatusCode::OK,
    );
    let through = target(
        format!("{api}/checkouts/{id}"),
        header::COOKIE,
        cookie.clone(),
        StatusCode::OK,
    );
    // Diagnostic: the backend's own share, a read it answers without the
    // provider (a checkout that is not this session's: 404).
    let own = target(
        format!("{api}/checkouts/chk_not_this_sessions"),
        header::COOKIE,
        cookie,
        StatusCode::NOT_FOUND,
    );
    let direct_64 = measure(&client, &direct, REQUESTS, IN_FLIGHT).await;
    let backend_64 = measure(&client, &through, REQUESTS, IN_FLIGHT).await;
    let own_64 = measure(&client, &own, REQUESTS, IN_FLIGHT).await;
    let direct_1 = measure(&client, &direct, SERIAL, 1).await;
    let backend_1 = measure(&client, &through, SERIAL, 1).await;
    let own_1 = measure(&client, &own, SERIAL, 1).await;
    let (direct, backend) = (&direct_64, &backend_64);

    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let added = |a: &Run, b: &Run, p: f64| b.percentile_us(p) - a.percentile_us(p);
    let (p50_added, p99_added) = (added(direct, backend, 50.0), added(direct, backend, 99.0));
    let ratio = backend.throughput() / direct.throughput();
    let (p50_added_1, p99_added_1) = (
        added(&direct_1, &backend_1, 50.0),
        added(&direct_1, &backend_1, 99.0),
    );
    let ratio_1 = backend_1.throughput() / direct_1.throughput();
    let failures = [direct, backend, &own_64, &direct_1, &backend_1, &own_1]
        .iter()
        .map(|r| r.failures + r.warm_up_failures)
        .sum::<usize>();

    println!(
        "merchant-backend: GET /api/checkouts/{{id}} ({WARM_UP} warm-up requests per loop first), \
         keep-alive, client, backend and provider in one process on {cores} cores"
    );
    println!();
    println!("| loop | in flight | requests | wrong status (incl. warm-up) | throughput (req/s) | p50 (µs) | p99 (µs) |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let row = |name: &str, n: usize, r: &Run| {
        println!(
            "| {name} | {n} | {} | {} | {:.0} | {:.0} | {:.0} |",
            r.latencies.len() + r.failures,
            r.failures + r.warm_up_failures,
            r.throughput(),
            r.percentile_us(50.0),
            r.percentile_us(99.0),
        );
    };
    row("provider alone (Bearer key)", IN_FLIGHT, direct);
    row("through the backend (cookie)", IN_FLIGHT, backend);
    println!("| **added by the backend** | {IN_FLIGHT} | | | **×{ratio:.2}** | **+{p50_added:.0}** | **+{p99_added:.0}** |");
    row("provider alone, unloaded", 1, &direct_1);
    row("through the backend, unloaded", 1, &backend_1);
    println!("| added by the backend, unloaded | 1 | | | ×{ratio_1:.2} | +{p50_added_1:.0} | +{p99_added_1:.0} |");
    row(
        "diagnostic: backend alone (404, no provider call)",
        IN_FLIGHT,
        &own_64,
    );
    row("diagnostic: backend alone, unloaded", 1, &own_1);
    println!();
    let verdict = |ok: bool| if ok { "met" } else { "NOT met" };
    println!(
        "target p99 added <= 1000 µs ({IN_FLIGHT} in flight): {} ({p99_added:.0} µs)",
        verdict(p99_added <= 1000.0)
    );
    println!(
        "target throughput >= 0.5 × the provider alone ({IN_FLIGHT} in flight): {} (×{ratio:.3})",
        verdict(ratio >= 0.5)
    );
    println!(
        "BENCH merchant-backend p50_added_us={p50_added:.0} p99_added_us={p99_added:.0} \
         throughput_ratio={ratio:.3} unloaded_p50_added_us={p50_added_1:.0} \
         unloaded_p99_added_us={p99_added_1:.0} failures={failures}"
    );
    if failures > 0 {
        eprintln!("{failures} responses were not the expected status");
        return std::process::ExitCode::FAILURE;
    }
    std::process::ExitCode::SUCCESS
}
