//! `sandbox`: run the local backend. See `--help`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use sandbox::Config;

const HELP: &str = "sandbox: the local DR-shaped checkout backend for checkout-widget

USAGE: sandbox [--port N] [--payments-port N] [--acs-port N] [--single-origin]
               [--allow-origin URL]... [--latency-ms N] [--ready-after-ms N]
               [--dist DIR] [--control] [--secret-key KEY] [--provider-only]

Three origins by default, sharing one state:
  merchant  http://127.0.0.1:PORT           demo pages (dist/), the merchant API
                                            under /api, /sandbox.json (= /store.json)
  payments  http://localhost:PAYMENTS_PORT  card-frame.html (dist/), POST /api/sources,
                                            GET /api/sources/{id}, /3ds/return
  ACS       http://127.0.0.1:ACS_PORT       the 3-D Secure challenge, /challenge

  --port N            merchant port on 127.0.0.1 (default 8787; 0 picks a free one)
  --payments-port N   payments port on 127.0.0.1 and [::1], advertised as localhost,
                      another site (default 8788; 0 picks a free one)
  --acs-port N        ACS port on 127.0.0.1 (default 8789; 0 picks a free one)
  --single-origin     serve everything on the merchant origin (the ACS under /acs):
                      simpler, but the card frame is not isolated
  --allow-origin URL  a merchant origin (http://host:port) allowed to frame
                      card-frame.html; repeatable; replaces the default, which is
                      the merchant origin alone
  --latency-ms N      added to every API response (default 0)
  --ready-after-ms N  a payment session becomes ready N ms after a source is attached (default 400)
  --dist DIR          serve the widget's dist/ at / and the APIs under /api
  --control           enable /__sandbox/* on the merchant origin (faults, request
                      log, customers, reset); for tests only
  --secret-key KEY    the merchant API (checkouts, orders, customers) answers 401
                      unless the call carries Authorization: Bearer KEY; the card
                      frame's /sources calls, the pages and /__sandbox never need
                      it (default: env SANDBOX_SECRET_KEY if set, else no key)
  --provider-only     the merchant origin serves only the provider API (for use
                      behind merchant-backend, which serves the pages): /api (and
                      /__sandbox with --control); no dist/, /sandbox.json,
                      /store.json. The payments origin still serves dist/; with
                      --single-origin, the merchant origin serves it as the
                      payments origin would, for the card frame

A registered demo shopper, cus_demo (jdoe@example.com), always exists with four
saved cards: src_demo_visa (default), src_demo_mastercard, src_demo_amex_expired
and src_demo_3ds (a 3-D Secure card).
";

/// `http://host[:port]` or `https://...`, without a path; the trailing `/` dropped.
fn origin_arg(v: &str) -> Result<String, String> {
    let v = v.trim_end_matches('/');
    let rest = v
        .strip_prefix("http://")
        .or_else(|| v.strip_prefix("https://"))
        .ok_or_else(|| format!("--allow-origin: '{v}' must start with http:// or https://"))?;
    if rest.is_empty() || rest.contains(['/', '?', '#', ' ']) {
        return Err(format!(
            "--allow-origin: '{v}' must be an origin (scheme://host:port), no path"
        ));
    }
    Ok(v.to_owned())
}

/// A secret key from `source` (the flag or the variable): printable ASCII, no
/// spaces, not empty, so it fits an `Authorization` header as is.
fn secret_key_arg(source: &str, v: &str) -> Result<String, String> {
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(format!(
            "{source}: the secret key must be printable ASCII with no spaces"
        ));
    }
    Ok(v.to_owned())
}

/// `SANDBOX_SECRET_KEY` (`env`) as the secret key, when `--secret-key` was not
/// given; an empty variable counts as unset.
fn with_env_secret(mut config: Config, env: Option<String>) -> Result<Config, String> {
    if config.secret_key.is_none() {
        if let Some(v) = env.filter(|v| !v.is_empty()) {
            config.secret_key = Some(secret_key_arg("SANDBOX_SECRET_KEY", &v)?);
        }
    }
    Ok(config)
}

fn parse(args: &[String]) -> Result<Config, String> {
    let loopback = |port| SocketAddr::from(([127, 0, 0, 1], port));
    let mut config = Config {
        addr: loopback(8787),
        payments_addr: Some(loopback(8788)),
        acs_addr: Some(loopback(8789)),
        ..Config::default()
    };
    let mut single = false;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        let number = |v: String| {
            v.parse::<u64>()
                .map_err(|_| format!("{flag}: '{v}' is not a whole number"))
        };
        let port = |n: u64| u16::try_from(n).map_err(|_| format!("{flag}: {n} is too large"));
        match flag.as_str() {
            "--port" => config.addr.set_port(port(number(value()?)?)?),
            "--payments-port" => config.payments_addr = Some(loopback(port(number(value()?)?)?)),
            "--acs-port" => config.acs_addr = Some(loopback(port(number(value()?)?)?)),
            "--single-origin" => single = true,
            "--allow-origin" => config.allowed_origins.push(origin_arg(&value()?)?),
            "--latency-ms" => config.latency = Duration::from_millis(number(value()?)?),
            "--ready-after-ms" => config.ready_after = Duration::from_millis(number(value()?)?),
            "--dist" => config.dist = Some(PathBuf::from(value()?)),
            "--control" => config.control = true,
            "--secret-key" => config.secret_key = Some(secret_key_arg(flag, &value()?)?),
            "--provider-only" => config.merchant_pages = false,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown flag {other}")),
        }
    }
    if single {
        config.payments_addr = None;
        config.acs_addr = None;
    }
    let ports = [
        Some(config.addr.port()),
        config.payments_addr.map(|a| a.port()),
        config.acs_addr.map(|a| a.port()),
    ];
    let fixed: Vec<u16> = ports.into_iter().flatten().filter(|p| *p != 0).collect();
    if (1..fixed.len()).any(|i| fixed[..i].contains(&fixed[i])) {
        return Err("the merchant, payments and ACS ports must differ".into());
    }
    Ok(config)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let env_secret = std::env::var("SANDBOX_SECRET_KEY").ok();
    let config = match parse(&args).and_then(|c| with_env_secret(c, env_secret)) {
        Ok(c) => c,
        Err(e) if e.is_empty() => {
            print!("{HELP}");
            return;
        }
        Err(e) => {
            eprintln!("sandbox: {e}\n\n{HELP}");
            std::process::exit(2);
        }
    };
    if let Some(dist) = &config.dist {
        if !dist.join("index.html").is_file() {
            eprintln!(
                "sandbox: {} has no index.html; build the widget first (make build)",
                dist.display()
            );
            std::process::exit(2);
        }
        if !dist.join("card-frame.html").is_file() {
            eprintln!(
                "sandbox: warning: {} has no card-frame.html; the card frame will not load",
                dist.display()
            );
        }
    }
    let has_dist = config.dist.is_some();
    let pages = config.merchant_pages;
    let keyed = config.secret_key.is_some();
    let running = match sandbox::start(config).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("sandbox: cannot listen: {e}");
            std::process::exit(1);
        }
    };
    let (url, pay, acs) = (running.url(), running.payments_url(), running.acs_url());
    let mut notes = Vec::new();
    if has_dist && pages {
        notes.push(format!("demo; API at {url}/api"));
    } else if !pages {
        notes.push("provider only".to_owned());
    }
    if keyed {
        notes.push("secret key required".to_owned());
    }
    let at = if has_dist && pages { "/" } else { "/api" };
    if notes.is_empty() {
        println!("sandbox: merchant  {url}{at}");
    } else {
        println!("sandbox: merchant  {url}{at}  ({})", notes.join("; "));
    }
    if pay == url {
        println!("sandbox: single origin: payments API at {url}/api, ACS at {url}/acs/challenge");
    } else {
        if has_dist {
            println!("sandbox: payments  {pay}/card-frame.html  (API at {pay}/api)");
        } else {
            println!("sandbox: payments  {pay}/api");
        }
        println!("sandbox: ACS       {acs}/challenge");
    }
    let _ = tokio::signal::ctrl_c().await;
    running.stop();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn three_origins_by_default() {
        let c = parse(&[]).unwrap();
        assert_eq!(c.addr.port(), 8787);
        assert_eq!(c.payments_addr.map(|a| a.port()), Some(8788));
        assert_eq!(c.acs_addr.map(|a| a.port()), Some(8789));
        assert!(c.allowed_origins.is_empty());
        assert_eq!(c.secret_key, None, "no key: the merchant API is open");
        assert!(c.merchant_pages);
    }

    #[test]
    fn secret_key_and_provider_only_flags() {
        let c = parse(&args(&["--secret-key", "sk_test_1", "--provider-only"])).unwrap();
        assert_eq!(c.secret_key.as_deref(), Some("sk_test_1"));
        assert!(!c.merchant_pages);
        let c = parse(&args(&["--provider-only", "--single-origin"])).unwrap();
        assert!(!c.merchant_pages);
        assert_eq!((c.payments_addr, c.acs_addr), (None, None));
        for bad in [
            &["--secret-key"][..],
            &["--secret-key", ""],
            &["--secret-key", "sk test"],
            &["--secret-key", "sk_\u{e9}"],
        ] {
            assert!(parse(&args(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_secret_key_comes_from_the_environment_when_the_flag_is_absent() {
        let env = |v: &str| Some(v.to_owned());
        let from_env = with_env_secret(parse(&[]).unwrap(), env("sk_env")).unwrap();
        assert_eq!(from_env.secret_key.as_deref(), Some("sk_env"));
        let flag = parse(&args(&["--secret-key", "sk_flag"])).unwrap();
        let flag = with_env_secret(flag, env("sk_env")).unwrap();
        assert_eq!(flag.secret_key.as_deref(), Some("sk_flag"), "the flag wins");
        let unset = with_env_secret(parse(&[]).unwrap(), None).unwrap();
        assert_eq!(unset.secret_key, None);
        let empty = with_env_secret(parse(&[]).unwrap(), env("")).unwrap();
        assert_eq!(empty.secret_key, None, "an empty variable counts as unset");
        let err = with_env_secret(parse(&[]).unwrap(), env("sk bad")).unwrap_err();
        assert!(err.contains("SANDBOX_SECRET_KEY"), "{err}");
    }

    #[test]
    fn flags() {
        let c = parse(&args(&[
            "--port",
            "9000",
            "--payments-port",
            "9001",
            "--acs-port",
            "0",
            "--allow-origin",
            "http://127.0.0.1:9000/",
            "--allow-origin",
            "https://shop.example",
        ]))
        .unwrap();
        assert_eq!(c.addr.port(), 9000);
        assert_eq!(c.payments_addr.unwrap().port(), 9001);
        assert_eq!(c.acs_addr.unwrap().port(), 0);
        assert_eq!(
            c.allowed_origins,
            vec!["http://127.0.0.1:9000", "https://shop.example"]
        );
        let single = parse(&args(&["--single-origin", "--payments-port", "1"])).unwrap();
        assert_eq!((single.payments_addr, single.acs_addr), (None, None));
    }

    #[test]
    fn bad_flags_are_refused() {
        for bad in [
            &["--allow-origin", "shop.example"][..],
            &["--allow-origin", "http://shop.example/pay"],
            &["--payments-port", "70000"],
            &["--acs-port", "8787"],
            &["--port"],
            &["--nope"],
        ] {
            assert!(parse(&args(bad)).is_err(), "{bad:?}");
        }
        assert_eq!(parse(&args(&["--help"])).unwrap_err(), "");
    }
}
