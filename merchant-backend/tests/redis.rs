//! Sessions across two backend instances sharing one Redis (a real
//! `redis-server`, started here on a free port and stopped by its pid), as
//! behind a load balancer: a shopper's checkouts and sign-in follow them from
//! one instance to the other; an instance with another cookie key knows nobody.

mod common;

use std::net::TcpListener as StdListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{catalogue, Browser, SECRET};
use hyper::Method;
use merchant_backend::{AppState, Config, SecretKey};
use serde_json::json;
use tower_sessions_redis_store::RedisStore;

/// A redis-server of our own; killed (by pid) when dropped.
struct Redis {
    child: Child,
    url: String,
    dir: std::path::PathBuf,
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn start_redis() -> Redis {
    let bin = std::env::var("REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
    let port = StdListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = std::env::temp_dir().join(format!("mb-redis-{}-{port}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let child = Command::new(&bin)
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no", "--dir"])
        .arg(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot start {bin}: {e} (scripts/setup.sh installs Debian's redis-server)")
        });
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "redis-server did not listen");
        std::thread::sleep(Duration::from_millis(20));
    }
    Redis {
        child,
        url: format!("redis://127.0.0.1:{port}"),
        dir,
    }
}

/// One backend instance on `upstream`, its sessions in Redis at `url`, its
/// cookies signed with `key`; returns its API base.
async fn instance(
    upstream: &str,
    url: &str,
    key: &str,
) -> (String, tokio::task::JoinHandle<std::io::Result<()>>) {
    let pool = merchant_backend::session::redis_pool(url).await.unwrap();
    let mut config = Config::new(upstream, SecretKey::from(SECRET), catalogue());
    config.demo_sign_in = true;
    config.session_key = Some(SecretKey::from(key.repeat(64)));
    let app =
        merchant_backend::api::router_with_store(AppState::new(config), RedisStore::new(pool));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let api = format!("http://{}/api", listener.local_addr().unwrap());
    (api, tokio::spawn(merchant_backend::serve(listener, app)))
}

#[tokio::test]
async fn a_session_follows_the_shopper_across_instances_sharing_redis() {
    let redis = start_redis();
    let provider = common::start(|_| {}).await; // the sandbox (and a backend we do not use)
    let upstream = format!("{}/api", provider.sandbox.url());
    let (a, _ta) = instance(&upstream, &redis.url, "k").await;
    let (b, _tb) = instance(&upstream, &redis.url, "k").await;
    let (c, _tc) = instance(&upstream, &redis.url, "other").await;

    let mut on_a = Browser::new(a);
    let r = on_a.create(json!({})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.json["id"].as_str().unwrap().to_owned();

    // The same cookie, the other instance.
    let mut on_b = Browser::new(b);
    on_b.cookie = on_a.cookie.clone();
    let r = on_b
        .call(Method::GET, &format!("/checkouts/{id}"), None)
        .await;
    assert_eq!(r.status, 200, "instance B knows A's session: {}", r.text);

    // Signing in on B rotates the id; A sees the new session, not the old one.
    let old = on_b.cookie.clone();
    let r = on_b.sign_in("cus_demo").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_ne!(on_b.cookie, old, "a new session id on sign-in");
    on_a.cookie = on_b.cookie.clone();
    let r = on_a.call(Method::GET, "/customers/cus_demo", None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = on_a
        .call(Method::GET, &format!("/checkouts/{id}"), None)
        .await;
    assert_eq!(r.status, 200, "checkouts survive the sign-in: {}", r.text);
    let mut stale = Browser::new(on_a.api.clone());
    stale.cookie = old;
    let r = stale
        .call(Method::GET, &format!("/checkouts/{id}"), None)
        .await;
    assert_eq!(r.status, 404, "the pre-sign-in id is gone: {}", r.text);

    // Another key: the cookie does not verify, the session is unknown.
    let mut on_c = Browser::new(c);
    on_c.cookie = on_a.cookie.clone();
    let r = on_c
        .call(Method::GET, &format!("/checkouts/{id}"), None)
        .await;
    assert_eq!(r.status, 404, "{}", r.text);

    // Redis gone: a clear 503 in the contract's shape, not a hang or a crash.
    drop(redis);
    let r = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        on_a.call(Method::GET, &format!("/checkouts/{id}"), None),
    )
    .await
    .expect("an answer while Redis is down");
    assert_eq!(r.status, 503, "{}", r.text);
    assert_eq!(
        r.json["errors"][0]["code"], "upstream_unavailable",
        "{}",
        r.text
    );
    assert!(r.headers.contains_key("retry-after"));
}
