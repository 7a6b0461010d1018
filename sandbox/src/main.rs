//! `sandbox`: run the local backend. See `--help`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use sandbox::Config;

const HELP: &str = "sandbox: the local DR-shaped checkout backend for checkout-widget

USAGE: sandbox [--port N] [--latency-ms N] [--ready-after-ms N] [--dist DIR] [--control]

  --port N            port on 127.0.0.1 (default 8787; 0 picks a free one)
  --latency-ms N      added to every API response (default 0)
  --ready-after-ms N  a payment session becomes ready N ms after a source is attached (default 400)
  --dist DIR          serve the widget's dist/ at / and the API under /api
  --control           enable /__sandbox/* (faults, request log, reset); for tests only
";

fn parse(args: &[String]) -> Result<Config, String> {
    let mut config = Config {
        addr: SocketAddr::from(([127, 0, 0, 1], 8787)),
        ..Config::default()
    };
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
        match flag.as_str() {
            "--port" => {
                let port = number(value()?)?;
                let port =
                    u16::try_from(port).map_err(|_| format!("--port: {port} is too large"))?;
                config.addr.set_port(port);
            }
            "--latency-ms" => config.latency = Duration::from_millis(number(value()?)?),
            "--ready-after-ms" => config.ready_after = Duration::from_millis(number(value()?)?),
            "--dist" => config.dist = Some(PathBuf::from(value()?)),
            "--control" => config.control = true,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown flag {other}")),
        }
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
    }
    let has_dist = config.dist.is_some();
    let running = match sandbox::start(config).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("sandbox: cannot listen: {e}");
            std::process::exit(1);
        }
    };
    let url = running.url();
    if has_dist {
        println!("sandbox: demo at {url}/  (API at {url}/api)");
    } else {
        println!("sandbox: API at {url}/api");
    }
    let _ = tokio::signal::ctrl_c().await;
    running.stop();
}
