//! The browser rig: the real sandbox (serving the release `dist/`) on a free
//! port, `/usr/bin/chromedriver` on another, and headless Debian Chromium driven
//! over WebDriver. Everything it starts is stopped when the rig is dropped,
//! whether the test passed or panicked.

#![allow(dead_code)]

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

/// Where Debian installs the browser and its driver (override with env vars).
fn tool(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The release bundle the tests drive.
pub fn dist_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("dist")
}

const SIGKILL: i32 = 9;

unsafe extern "C" {
    /// libc's kill(2). Never the `kill` program: procps-ng 4.0.2 reads
    /// `kill -KILL -5459` as `kill(-5, SIGKILL)`, and a group id starting with 1
    /// becomes `kill(-1, SIGKILL)`, which ends every process on the machine.
    fn kill(pid: i32, sig: i32) -> i32;
}

/// SIGKILL to the process group `pgid` (never to 0, 1 or "everything").
fn kill_group(pgid: u32) {
    if let Ok(id @ 2..) = i32::try_from(pgid) {
        // SAFETY: kill(2) has no memory effects; -1 and 0 cannot reach it.
        unsafe { kill(-id, SIGKILL) };
    }
}

/// SIGKILL to the single process `pid` (never to 0, 1 or a group).
fn kill_process(pid: u32) {
    if let Ok(id @ 2..) = i32::try_from(pid) {
        // SAFETY: kill(2) has no memory effects; only ids > 1 reach it.
        unsafe { kill(id, SIGKILL) };
    }
}

/// Kills a process group and anything still running with our profile dir.
struct Processes {
    driver: Child,
    profile: PathBuf,
}

impl Drop for Processes {
    fn drop(&mut self) {
        let pid = self.driver.id();
        // chromedriver leads its own process group; Chromium starts inside it.
        kill_group(pid);
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        // Belt and braces: any Chromium process still using this run's profile.
        let marker = format!("--user-data-dir={}", self.profile.display());
        if let Ok(dir) = std::fs::read_dir("/proc") {
            for entry in dir.flatten() {
                let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
                    continue;
                };
                let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
                let is_ours = cmdline
                    .split(|b| *b == 0)
                    .any(|arg| arg == marker.as_bytes());
                if is_ours && pid != std::process::id() {
                    kill_process(pid);
                }
            }
        }
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// The provider's secret key in the rig: the sandbox asks for it, the
/// merchant backend holds it.
pub const SECRET: &str = "sk_test_rig_0123456789";

/// A SKU of the rig's catalogue (not the demo's) whose name is markup, for
/// the tests that prove server strings render as text.
pub const MARKUP_SKU: &str = "sku_markup";

/// One browser, the merchant backend (serving the demo store and its API) and
/// the sandbox behind it as the provider.
pub struct Rig {
    /// The sandbox (the provider: its API, the payments origin, the ACS), with
    /// its control surface on.
    pub sandbox: sandbox::Running,
    /// The merchant origin, `http://127.0.0.1:P`: the merchant backend in
    /// front of the sandbox, or the sandbox itself in single-origin mode.
    pub merchant: String,
    /// A storefront on another origin of the same site ([`Rig::start_storefront`]):
    /// its pages call the merchant origin's API across origins.
    pub storefront: Option<String>,
    /// The WebDriver session.
    pub client: Client,
    backends: Vec<tokio::task::JoinHandle<std::io::Result<()>>>,
    processes: Processes,
}

impl Drop for Rig {
    fn drop(&mut self) {
        for t in &self.backends {
            t.abort();
        }
    }
}

/// The demo store's catalogue (`merchant-backend/catalogue.json`) plus the
/// rig's [`MARKUP_SKU`] with the given product name.
pub fn rig_catalogue(markup_name: &str) -> merchant_backend::Catalogue {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("merchant-backend/catalogue.json");
    let mut c = merchant_backend::Catalogue::load(&path).expect("the demo catalogue");
    c.products.insert(
        MARKUP_SKU.into(),
        merchant_backend::Product {
            name: markup_name.into(),
            price: 1000,
            image: None,
        },
    );
    c
}

/// The name of [`MARKUP_SKU`]: an image with an error handler and a script.
pub const MARKUP_NAME: &str =
    "Mug <img src=x onerror=window.__xss=1><script>window.__xss=2</script>";

/// Starts the merchant backend on `listener` in front of `sandbox`, serving
/// `dist/` with the strict CSP and the demo sign-in.
fn start_backend(
    listener: tokio::net::TcpListener,
    sandbox: &sandbox::Running,
    dist: PathBuf,
    tweak: impl FnOnce(&mut merchant_backend::Config),
) -> tokio::task::JoinHandle<std::io::Result<()>> {
    let mut config = merchant_backend::Config::new(
        format!("{}/api", sandbox.url()),
        merchant_backend::SecretKey::from(SECRET),
        rig_catalogue(MARKUP_NAME),
    );
    config.demo_sign_in = true;
    config.site = Some(merchant_backend::Site {
        dist,
        payments_base: sandbox.payments_base(),
        api_origin: None,
    });
    tweak(&mut config);
    let app = merchant_backend::router(merchant_backend::AppState::new(config));
    tokio::spawn(merchant_backend::serve(listener, app))
}

impl Rig {
    /// Starts everything, or panics with what is missing.
    pub async fn start() -> Rig {
        Self::start_with(sandbox::Config::default()).await
    }

    /// Starts with a custom sandbox configuration (dist and control are forced
    /// on). With a separate payments origin (the default), the merchant backend
    /// serves the merchant origin and the sandbox plays only the provider
    /// (secret-keyed API, payments origin, ACS); in single-origin mode the
    /// sandbox serves everything itself.
    pub async fn start_with(config: sandbox::Config) -> Rig {
        Self::start_inner(config, false).await
    }

    /// Also a storefront on another origin of the same site (another port):
    /// a second backend instance serving only the store's pages, whose CSP
    /// lets them call the merchant origin's API, which allows the storefront
    /// with CORS. Its own API has no provider behind it, so a page that
    /// called it could not check out.
    pub async fn start_storefront() -> Rig {
        Self::start_inner(sandbox::Config::default(), true).await
    }

    async fn start_inner(mut config: sandbox::Config, with_storefront: bool) -> Rig {
        let chromium = tool("CHROMIUM", "/usr/bin/chromium");
        let chromedriver = tool("CHROMEDRIVER", "/usr/bin/chromedriver");
        for (path, pkg) in [(&chromium, "chromium"), (&chromedriver, "chromium-driver")] {
            assert!(
                path.is_file(),
                "{} is missing: install Debian's {pkg} (scripts/setup.sh does), or set {}",
                path.display(),
                if pkg == "chromium" {
                    "CHROMIUM"
                } else {
                    "CHROMEDRIVER"
                }
            );
        }
        let dist = dist_dir();
        for f in [
            "index.html",
            "checkout-widget.js",
            "checkout-widget_bg.wasm",
            "checkout-widget.css",
        ] {
            assert!(
                dist.join(f).is_file(),
                "{} is missing: build the release bundle first (make build)",
                dist.join(f).display()
            );
        }
        config.dist = Some(dist.clone());
        config.control = true;
        let through_backend = config.payments_addr.is_some();
        let mut backends = Vec::new();
        let mut storefront = None;
        let (sandbox, merchant) = if through_backend {
            let bind = || async {
                tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("a port for the merchant backend")
            };
            let listener = bind().await;
            let merchant = format!("http://{}", listener.local_addr().unwrap());
            config.allowed_origins = vec![merchant.clone()];
            let shop = if with_storefront {
                let l = bind().await;
                let origin = format!("http://{}", l.local_addr().unwrap());
                config.allowed_origins.push(origin.clone());
                Some((l, origin))
            } else {
                None
            };
            config.secret_key = Some(SECRET.into());
            config.merchant_pages = false;
            let sandbox = sandbox::start(config).await.expect("start the sandbox");
            let origins: Vec<String> = shop.iter().map(|(_, o)| o.clone()).collect();
            backends.push(start_backend(listener, &sandbox, dist.clone(), |c| {
                c.storefront_origins = origins;
            }));
            if let Some((l, origin)) = shop {
                let api = merchant.clone();
                backends.push(start_backend(l, &sandbox, dist, |c| {
                    c.upstream = "http://127.0.0.1:9/api".into();
                    if let Some(site) = &mut c.site {
                        site.api_origin = Some(api);
                    }
                }));
                storefront = Some(origin);
            }
            (sandbox, merchant)
        } else {
            let sandbox = sandbox::start(config).await.expect("start the sandbox");
            let merchant = sandbox.url();
            (sandbox, merchant)
        };

        let port = free_port();
        let profile =
            std::env::temp_dir().join(format!("cw-chromium-{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&profile);
        std::fs::create_dir_all(&profile).unwrap();
        let driver = {
            use std::os::unix::process::CommandExt;
            Command::new(&chromedriver)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromedriver.display()))
        };
        let processes = Processes {
            driver,
            profile: profile.clone(),
        };
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + Duration::from_secs(15);
        while std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen on {addr} within 15 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let caps = json!({
            "browserName": "chrome",
            // Everything the page's console shows (script output, refused
            // resources, SRI and CSP failures), for `console_log`.
            "goog:loggingPrefs": {"browser": "ALL"},
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--disable-quic", "--no-first-run", "--window-size=1200,900",
                    // Exact heap figures and gc() for the memory benchmark.
                    "--enable-precise-memory-info", "--js-flags=--expose-gc",
                    format!("--user-data-dir={}", profile.display())
                ]
            }
        });
        let caps = caps.as_object().unwrap().clone().into_iter().collect();
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = tokio::time::timeout(
            Duration::from_secs(30),
            ClientBuilder::new(connector)
                .capabilities(caps)
                .connect(&format!("http://{addr}")),
        )
        .await
        .expect("Chromium did not start within 30 s")
        .expect("WebDriver session");
        Rig {
            sandbox,
            merchant,
            storefront,
            client,
            backends,
            processes,
        }
    }

    /// The merchant origin + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.merchant)
    }

    /// Ends the WebDriver session politely (the rig's drop kills everything anyway).
    pub async fn close(self) {
        let _ = tokio::time::timeout(Duration::from_secs(5), self.client.clone().close()).await;
    }

    /// Waits until `css` matches an element whose text contains `text`.
    pub async fn wait_for_text(&self, css: &str, text: &str) -> Element {
        let deadline = Instant::now() + Duration::from_secs(15);
        let mut last = String::new();
        loop {
            if let Ok(els) = self.client.find_all(Locator::Css(css)).await {
                for el in els {
                    let t = el.text().await.unwrap_or_default();
                    if t.contains(text) {
                        return el;
                    }
                    last = t;
                }
            }
            if Instant::now() > deadline {
                let log = self.page_errors().await;
                let widget = self.text().await;
                panic!("no `{css}` with text `{text}` within 15 s (last text: `{last}`; widget says: `{widget}`; page errors: {log})");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Console errors and uncaught exceptions recorded by the test page hook.
    pub async fn page_errors(&self) -> Value {
        self.client
            .execute("return window.__cwErrors || []", vec![])
            .await
            .unwrap_or(Value::Null)
    }

    /// What the browser's console showed since the last call, as
    /// `(level, message)`: script output and what the browser itself reports
    /// (a refused stylesheet, an SRI or CSP failure, a failed load), which no
    /// page script can see. ChromeDriver's log endpoint; it drains as it reads.
    pub async fn console_log(&self) -> Vec<(String, String)> {
        let entries = self
            .client
            .issue_cmd(BrowserLog)
            .await
            .expect("read the browser's console log");
        entries
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                let text = |k: &str| e[k].as_str().unwrap_or_default().to_owned();
                (text("level"), text("message"))
            })
            .collect()
    }

    /// Runs one Chrome DevTools command (e.g. `Emulation.setEmulatedMedia`).
    pub async fn cdp(&self, cmd: &'static str, params: Value) {
        self.client
            .issue_cmd(Cdp(cmd, params))
            .await
            .unwrap_or_else(|e| panic!("{cmd}: {e}"));
    }

    /// Every API request the sandbox received, in order.
    pub fn api_log(&self) -> Vec<Value> {
        self.sandbox
            .shared
            .log()
            .iter()
            .map(|e| serde_json::to_value(e).unwrap())
            .collect()
    }
}

/// ChromeDriver's `POST /session/{id}/se/log` for the `browser` log (needs the
/// `goog:loggingPrefs` capability the rig sets).
#[derive(Debug)]
struct BrowserLog;

impl fantoccini::wd::WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.into()))
    }
}

/// ChromeDriver's `POST /session/{id}/goog/cdp/execute`: one DevTools
/// command (viewport, emulated media), for [`Rig::cdp`].
#[derive(Debug)]
struct Cdp(&'static str, Value);

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({"cmd": self.0, "params": self.1});
        (http::Method::POST, Some(body.to_string()))
    }
}

/// A shopper's view of the page: find things the way a person does, by label
/// and by visible text.
impl Rig {
    /// Opens the demo page with a query string (e.g. `?checkoutId=chk_1`).
    pub async fn open(&self, query: &str) {
        self.client
            .goto(&self.url(&format!("/{query}")))
            .await
            .expect("navigate");
    }

    /// Creates a checkout through the merchant backend, in the browser's own
    /// session (as the store's page would before mounting the widget), and
    /// returns its id. `email` and `postal` vary per test.
    pub async fn create_checkout(&self, email: &str, postal: &str) -> String {
        self.checkout_with(email, postal, None).await
    }

    /// A checkout of the registered shopper `customer` (the browser signs in
    /// as them first); returns its id.
    pub async fn create_registered_checkout(&self, customer: &str) -> String {
        self.checkout_with("jdoe@example.com", "55343", Some(customer))
            .await
    }

    async fn checkout_with(&self, email: &str, postal: &str, customer: Option<&str>) -> String {
        let address = json!({"line1": "10380 Bren Rd W", "line2": "", "city": "Minnetonka",
                             "postalCode": postal, "state": "MN", "country": "US"});
        let body = json!({
            "currency": "USD", "locale": "en_US", "email": email,
            "billTo": {"name": "Jane Doe", "phone": "", "address": address},
            "shipTo": {"name": "Jane Doe", "address": address},
            "items": [{"skuId": "sku_mug", "quantity": 2}]
        });
        if let Some(c) = customer {
            self.sign_in(c).await;
        }
        let c = self.create_checkout_with(body).await;
        c["id"].as_str().unwrap().to_owned()
    }

    /// `POST /api/checkouts` with `body` from the browser (its session owns
    /// the checkout); returns the checkout. Stays on the current page when it
    /// is on the merchant origin, else opens `/healthz` there first.
    pub async fn create_checkout_with(&self, body: Value) -> Value {
        let r = self.merchant_fetch("/api/checkouts", body).await;
        assert_eq!(r["status"], 201, "create a checkout: {r}");
        r["json"].clone()
    }

    /// Signs the browser's session in as `customer` (the demo sign-in).
    pub async fn sign_in(&self, customer: &str) {
        let r = self
            .merchant_fetch("/api/demo/sign-in", json!({"customerId": customer}))
            .await;
        assert_eq!(r["status"], 200, "sign in: {r}");
    }

    /// A same-origin `POST` of JSON from a merchant page: `{status, json}`.
    async fn merchant_fetch(&self, path: &str, body: Value) -> Value {
        // The top-level page (from the challenge, two frames deep, at most).
        for _ in 0..2 {
            let _ = self.client.enter_parent_frame().await;
        }
        let here = self.client.current_url().await.ok();
        if !here.is_some_and(|u| u.as_str().starts_with(&format!("{}/", self.merchant))) {
            self.client
                .goto(&self.url("/healthz"))
                .await
                .expect("navigate");
        }
        self.js_with(
            "return fetch(arguments[0], {method: 'POST', headers: {'content-type': 'application/json'}, \
               body: JSON.stringify(arguments[1])}) \
               .then(async (r) => ({status: r.status, json: await r.json().catch(() => null)}))",
            vec![json!(path), body],
        )
        .await
    }

    /// A registered shopper with these saved cards (`[(number, month, year)]`,
    /// the first the default) through the sandbox's control API; returns the
    /// customer's JSON (ids and secrets).
    pub fn create_customer(&self, id: &str, cards: &[(&str, u32, u32)]) -> Value {
        let cards: Vec<Value> = cards
            .iter()
            .enumerate()
            .map(|(i, (number, month, year))| {
                json!({"number": number, "expirationMonth": month, "expirationYear": year,
                       "default": i == 0})
            })
            .collect();
        self.sandbox
            .shared
            .store()
            .create_customer(&json!({"id": id, "email": "jdoe@example.com", "cards": cards}))
            .expect("create customer")
    }

    /// The input labelled `label` (its accessible name), waiting for it to appear.
    pub async fn field(&self, label: &str) -> Element {
        let xpath = format!("//label[normalize-space()='{label}']");
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Ok(l) = self.client.find(Locator::XPath(&xpath)).await {
                if let Ok(Some(id)) = l.attr("for").await {
                    if let Ok(el) = self.client.find(Locator::Id(&id)).await {
                        return el;
                    }
                }
            }
            if Instant::now() > deadline {
                panic!(
                    "no field labelled `{label}` within 15 s; page errors: {}",
                    self.page_errors().await
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Replaces the value of the field labelled `label` by typing `text`
    /// (inside the card frame for the card's fields, as a shopper would).
    pub async fn fill(&self, label: &str, text: &str) {
        let card = is_card_label(label);
        if card {
            self.enter_card_frame().await;
        }
        let el = self.field(label).await;
        el.clear().await.expect("clear");
        el.send_keys(text).await.expect("type");
        if card {
            self.leave_frame().await;
        }
    }

    /// The current value of the field labelled `label` (in the card frame for
    /// the card's fields).
    pub async fn value(&self, label: &str) -> String {
        let card = is_card_label(label);
        if card {
            self.enter_card_frame().await;
        }
        let value = self
            .field(label)
            .await
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default();
        if card {
            self.leave_frame().await;
        }
        value
    }

    /// Moves WebDriver into the (visible) card frame of the first widget.
    pub async fn enter_card_frame(&self) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Ok(frames) = self.client.find_all(Locator::Css(".cw-card-frame")).await {
                for f in frames {
                    if f.is_displayed().await.unwrap_or(false) {
                        f.enter_frame().await.expect("enter the card frame");
                        return;
                    }
                }
            }
            if Instant::now() > deadline {
                panic!(
                    "no visible card frame within 15 s; widget says: {}; errors: {}",
                    self.text().await,
                    self.page_errors().await
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Moves WebDriver into the 3-D Secure challenge inside the card frame,
    /// once its password field is there.
    pub async fn enter_challenge(&self) {
        self.enter_card_frame().await;
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Ok(f) = self.client.find(Locator::Css("iframe")).await {
                f.enter_frame().await.expect("enter the challenge");
                if self.client.find(Locator::Id("password")).await.is_ok() {
                    return;
                }
                self.client.enter_parent_frame().await.expect("leave");
            }
            assert!(
                Instant::now() < deadline,
                "no challenge inside the card frame within 15 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Back to the merchant page from the challenge (challenge → frame → page).
    pub async fn leave_challenge(&self) {
        self.client
            .enter_parent_frame()
            .await
            .expect("leave the challenge");
        self.leave_frame().await;
    }

    /// Answers the challenge as a shopper: `Some(password)` submits it, `None`
    /// presses Cancel; then back on the merchant page.
    pub async fn answer_challenge(&self, password: Option<&str>) {
        self.enter_challenge().await;
        match password {
            Some(p) => {
                self.fill("Password", p).await;
                self.click("Submit").await;
            }
            None => self.click("Cancel").await,
        }
        self.leave_challenge().await;
    }

    /// Back from the card frame to the merchant page.
    pub async fn leave_frame(&self) {
        self.client
            .enter_parent_frame()
            .await
            .expect("leave the card frame");
    }

    /// Where keyboard focus is when it is in the card frame: the focused
    /// input's `autocomplete` token (`cc-number`, ...), or `None` when focus
    /// is not in the frame.
    pub async fn focused_card_field(&self) -> Option<String> {
        let top = self.client.active_element().await.ok()?;
        let class = top.attr("class").await.ok().flatten().unwrap_or_default();
        if !class.split_whitespace().any(|c| c == "cw-card-frame") {
            return None;
        }
        top.enter_frame().await.ok()?;
        let token = match self.client.active_element().await {
            Ok(el) => el.attr("autocomplete").await.ok().flatten(),
            Err(_) => None,
        };
        self.leave_frame().await;
        token
    }

    /// Waits (up to 5 s) until keyboard focus is on the card frame's field
    /// with this `autocomplete` token; returns where focus was last.
    pub async fn wait_for_card_focus(&self, token: &str) -> Option<String> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let now = self.focused_card_field().await;
            if now.as_deref() == Some(token) || Instant::now() > deadline {
                return now;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Whether the card frame's card number is empty.
    pub async fn card_number_empty(&self) -> bool {
        self.value("Card number").await.is_empty()
    }

    /// The button whose visible text is `text`, once it exists and is enabled.
    pub async fn button(&self, text: &str) -> Element {
        let xpath = format!("//button[normalize-space()='{text}']");
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Ok(b) = self.client.find(Locator::XPath(&xpath)).await {
                if b.is_enabled().await.unwrap_or(false) {
                    return b;
                }
            }
            if Instant::now() > deadline {
                let text_now = self.text().await;
                let busy = self
                    .client
                    .execute(
                        "const r = document.querySelector('.cw-root'); return r && [r.getAttribute('aria-busy'), r.querySelector('[role=status]').textContent, [...r.querySelectorAll('[role=alert]')].map(a => a.textContent)];",
                        vec![],
                    )
                    .await
                    .unwrap_or(Value::Null);
                panic!(
                    "no enabled button `{text}` within 15 s; page says: {text_now}; busy, status, alerts: {busy}; errors: {}; console: {:?}",
                    self.page_errors().await,
                    self.console_log().await
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Clicks the button whose visible text is `text`.
    pub async fn click(&self, text: &str) {
        let button = self.button(text).await;
        // WebDriver clicks at the element's centre as measured just before: if
        // the page moves meanwhile (the card frame resizing itself as its form
        // updates), the click lands beside the button. A person clicks where
        // the button is, so wait until it stays put first (at most 2 s).
        let mut last = None;
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            let rect = button.rectangle().await.ok();
            if rect.is_some() && rect == last {
                break;
            }
            last = rect;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        button.click().await.expect("click");
    }

    /// Types a card into the card frame (the name on card too).
    pub async fn enter_card(&self, number: &str, expiry: &str, cvc: &str) {
        self.enter_card_frame().await;
        for (label, text) in [
            ("Name on card", "Jane Doe"),
            ("Card number", number),
            ("Expiration date", expiry),
            ("Security code", cvc),
        ] {
            let el = self.field(label).await;
            el.clear().await.expect("clear");
            el.send_keys(text).await.expect("type");
        }
        self.leave_frame().await;
    }

    /// The widget's visible text.
    pub async fn text(&self) -> String {
        match self.client.find(Locator::Css(".cw-root")).await {
            Ok(el) => el.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// The page's whole HTML, as the browser has it now.
    pub async fn html(&self) -> String {
        self.client.source().await.unwrap_or_default()
    }

    /// Waits for the confirmation and returns the order id it shows.
    pub async fn wait_for_order_placed(&self) -> String {
        let h = self
            .wait_for_text(".cw-confirmation__heading", "Order placed")
            .await;
        let text = h.text().await.unwrap();
        text.split_whitespace()
            .find(|w| w.starts_with("ord_"))
            .unwrap_or_else(|| panic!("no order id in `{text}`"))
            .to_owned()
    }

    /// API requests matching `method` and `path` (wildcards as in fault rules).
    pub fn requests(&self, method: &str, path: &str) -> Vec<Value> {
        self.api_log()
            .into_iter()
            .filter(|e| {
                e["method"] == method
                    && sandbox::faults::path_matches(path, e["path"].as_str().unwrap_or(""))
            })
            .collect()
    }

    /// The widget's DOM events so far, from the demo page's event log.
    pub async fn events(&self) -> String {
        let v = self
            .client
            .execute(
                "return document.getElementById('event-log').textContent",
                vec![],
            )
            .await
            .unwrap_or(Value::Null);
        v.as_str().unwrap_or_default().to_owned()
    }

    /// Orders the sandbox holds for a checkout.
    pub fn orders_for(&self, checkout_id: &str) -> Vec<Value> {
        let v = self.sandbox.shared.store().list_orders(Some(checkout_id));
        v["data"].as_array().cloned().unwrap_or_default()
    }

    /// Arms a sandbox fault rule, or a list of them.
    pub fn fault(&self, rules: Value) {
        let rules = match rules {
            Value::Array(list) => list,
            one => vec![one],
        };
        for rule in rules {
            let rule: sandbox::faults::Rule = serde_json::from_value(rule).expect("a fault rule");
            self.sandbox.shared.faults().push(rule);
        }
    }
}

/// The card's fields, which live in the card frame.
pub fn is_card_label(label: &str) -> bool {
    [
        "Name on card",
        "Card number",
        "Expiration date",
        "Security code",
    ]
    .contains(&label)
}

/// What a persistent shopper went through to get an order placed.
#[derive(Debug, Default)]
pub struct Purchase {
    /// The order id on the confirmation.
    pub order_id: String,
    /// How often the card had to be typed in.
    pub card_entries: u32,
    /// How often `Try again` was pressed.
    pub retries: u32,
    /// Every alert text shown.
    pub alerts: Vec<String>,
}

impl Rig {
    /// Presses whatever moves the purchase forward (typing the card only when
    /// its field is empty, `Continue`, `Try again`, `Place order`, `Pay ...`)
    /// until the confirmation shows, or panics after `limit`.
    pub async fn finish_purchase(
        &self,
        card: &str,
        email: Option<&str>,
        limit: Duration,
    ) -> Purchase {
        let mut p = Purchase::default();
        let mut auto_waits = 0;
        let deadline = Instant::now() + limit;
        loop {
            assert!(
                Instant::now() < deadline,
                "no order within {limit:?}: {p:?}; widget says: {}; errors: {}",
                self.text().await,
                self.page_errors().await
            );
            let state = self
                .client
                .execute(
                    r#"const root = document.querySelector('.cw-root');
                       if (!root) return {};
                       const btn = t => [...root.querySelectorAll('button')].find(b => b.textContent.trim().startsWith(t) && !b.disabled);
                       const email = root.querySelector('input[name=email]');
                       return {
                         done: !!root.querySelector('.cw-confirmation__heading'),
                         busy: root.getAttribute('aria-busy') === 'true',
                         retry: !!btn('Try again'),
                         auto: [...root.querySelectorAll('[role=alert]')].some(a => a.textContent.includes('automatically')),
                         place: !!btn('Place order'), pay: !!btn('Continue') || !!btn('Pay'),
                         email: email ? email.value : null,
                       };"#,
                    vec![],
                )
                .await
                .unwrap_or(Value::Null);
            if state["done"] == true {
                break;
            }
            if state["busy"] == true {
                tokio::time::sleep(Duration::from_millis(60)).await;
                continue;
            }
            if state["retry"] == true && state["auto"] == true && auto_waits < 40 {
                // The widget retries by itself: a patient shopper waits.
                auto_waits += 1;
            } else if state["retry"] == true {
                auto_waits = 0;
                p.retries += 1;
                self.click("Try again").await;
            } else if state["place"] == true {
                self.click("Place order").await;
            } else if state["pay"] == true {
                if let Some(e) = email {
                    if state["email"] != e {
                        self.fill("Email", e).await;
                    }
                }
                if self.card_number_empty().await {
                    p.card_entries += 1;
                    self.enter_card(card, "07/30", "123").await;
                }
                let pay = self
                    .client
                    .execute(
                        "const b = [...document.querySelectorAll('.cw-root button[type=submit]')][0]; if (b) b.click(); return !!b;",
                        vec![],
                    )
                    .await
                    .unwrap_or(Value::Null);
                assert_eq!(pay, true);
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
        p.order_id = self.wait_for_order_placed().await;
        let alerts = self
            .client
            .execute("return window.__cwAlerts || []", vec![])
            .await
            .unwrap_or(Value::Null);
        p.alerts = serde_json::from_value(alerts).unwrap_or_default();
        p
    }

    /// Forgets all sandbox state, rules and log (between cases of one test).
    pub fn reset_sandbox(&self) {
        self.sandbox.shared.store().reset();
        self.sandbox.shared.faults().clear();
        self.sandbox.shared.log().clear();
    }
}

/// In-page helpers for the benchmark scripts (prepend to a script that defines
/// `host`): `until(f)` polls every 10 ms until `f()` is truthy, `set(name, v)`
/// types into a widget field, `button(text)` finds an enabled button.
pub const PAGE_HELPERS_JS: &str = r#"
const until = (f, ms = 20000) => new Promise((ok, fail) => {
  const t0 = performance.now();
  const tick = () => { const v = f(); if (v) return ok(v); if (performance.now() - t0 > ms) return fail(new Error('timeout ' + f)); setTimeout(tick, 10); };
  tick();
});
const set = (name, value) => {
  const el = host.querySelector(`[name=${name}]`);
  el.value = value;
  el.dispatchEvent(new Event('input', {bubbles: true}));
};
const button = (text) => [...host.querySelectorAll('button')].find(b => b.textContent.trim() === text && !b.disabled);
"#;

/// Scripts in the card frame, the keyboard, and where focus is (the card
/// frame's isolation, keyboard and accessibility tests).
impl Rig {
    /// Runs `script` (a function body; `arguments` are `args`) in the current
    /// browsing context and returns what it returns, panicking on a script error.
    pub async fn js_with(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// [`Rig::js_with`] without arguments.
    pub async fn js(&self, script: &str) -> Value {
        self.js_with(script, vec![]).await
    }

    /// Runs `script` inside the (visible) card frame and comes back to the page.
    pub async fn card_frame_js(&self, script: &str) -> Value {
        self.enter_card_frame().await;
        let v = self.client.execute(script, vec![]).await;
        self.leave_frame().await;
        v.unwrap_or_else(|e| panic!("script in the card frame failed: {e}\n{script}"))
    }

    /// Presses and releases each key of `keys` in turn, as real key events
    /// (WebDriver actions): characters, or `fantoccini::key::Key` values as chars.
    pub async fn press_keys(&self, keys: &str) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let mut seq = KeyActions::new("keyboard".into());
        for value in keys.chars() {
            seq = seq
                .then(KeyAction::Down { value })
                .then(KeyAction::Up { value });
        }
        self.client.perform_actions(seq).await.expect("key presses");
        self.client.release_actions().await.expect("release keys");
    }

    /// Tab, as a real key press.
    pub async fn press_tab(&self) {
        self.press_keys(&fantoccini::key::Key::Tab).await;
    }

    /// Shift+Tab, as a real key chord.
    pub async fn press_shift_tab(&self) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        use fantoccini::key::Key;
        let (shift, tab) = (char::from(Key::Shift), char::from(Key::Tab));
        let seq = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: shift })
            .then(KeyAction::Down { value: tab })
            .then(KeyAction::Up { value: tab })
            .then(KeyAction::Up { value: shift });
        self.client.perform_actions(seq).await.expect("Shift+Tab");
        self.client.release_actions().await.expect("release keys");
    }

    /// What has keyboard focus in the current browsing context:
    /// `{tag, id, name, label, text, cardFrame}` (`cardFrame`: it is the
    /// widget's card iframe; `label`: the text of its first `<label>`).
    pub async fn focused(&self) -> Value {
        self.js(
            r#"const a = document.activeElement;
               if (!a) return null;
               return { tag: a.tagName.toLowerCase(), id: a.id || null, name: a.getAttribute('name'),
                        label: a.labels && a.labels[0] ? a.labels[0].textContent.trim() : null,
                        text: (a.textContent || '').trim().slice(0, 60),
                        cardFrame: a.matches('iframe.cw-card-frame') };"#,
        )
        .await
    }

    /// What has focus inside the (visible) card frame (see [`Rig::focused`]).
    pub async fn focused_in_card_frame(&self) -> Value {
        self.enter_card_frame().await;
        let v = self.focused().await;
        self.leave_frame().await;
        v
    }
}
