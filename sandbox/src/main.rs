//! `sandbox`: run the local backend. See `--help`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use sandbox::Config;

const HELP: &str = "sandbox: the local DR-shaped checkout backend for checkout-widget

USAGE: sandbox [--port N] [--payments-port N] [--acs-port N] [--single-origin]
               [--allow-origin URL]... [--latency-ms N] [--ready-after-ms N]
               [--dist DIR] [--control]

Three origins by default, sharing one state:
  merchant  http://127.0.0.1:PORT           demo pages (dist/), the merchant API
                                            under /api, /sandbox.json
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
    let config = match parse(&args) {
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
    let running = match sandbox::start(config).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("sandbox: cannot listen: {e}");
            std::process::exit(1);
        }
    };
    let (url, pay, acs) = (running.url(), running.payments_url(), running.acs_url());
    if has_dist {
        println!("sandbox: merchant  {url}/  (demo; API at {url}/api)");
    } else {
        println!("sandbox: merchant  {url}/api");
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
