//! HTTP: the routers of the three origins, the fault/latency/log layer, the
//! merchant API, the control surface and the static `dist/`.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::error::ApiError;
use crate::faults::{Fault, LogEntry, Origin, Rule};
use crate::{acs, csp, payments, KillSwitch, Shared};

pub(crate) type Shr = State<Arc<Shared>>;
pub(crate) type ApiResult = Result<Response, ApiError>;

/// Largest request body the API reads.
pub(crate) const MAX_BODY: usize = 1 << 20;

/// Marks a response as meant to be framed by another origin: it carries its own
/// CSP `frame-ancestors` and must not get `X-Frame-Options`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AllowFraming;

/// The merchant origin: `dist/` at `/`, the merchant API under `/api` (at `/`
/// too without `dist/`), `/sandbox.json` and `/store.json`, the control surface
/// when enabled, and in single-origin mode the payments pages and the ACS
/// (under `/acs`) as well.
///
/// Without [`crate::Config::merchant_pages`] ("only the provider"): the API under
/// `/api` only, the control surface when enabled and, in single-origin mode, the
/// payments pages (with the rest of `dist/` served as the payments origin serves
/// it) and the ACS; anything else is a contract-shaped 404.
pub fn merchant_router(shared: Arc<Shared>) -> Router {
    let api = api_router(shared.clone(), Origin::Merchant);
    let pages = shared.config.merchant_pages;
    let separate_payments = shared.origins.separate_payments;
    let mut app = Router::new().nest("/api", api.clone());
    if pages {
        app = app.merge(
            Router::new()
                .route("/sandbox.json", get(sandbox_json))
                .route("/store.json", get(sandbox_json))
                .with_state(shared.clone()),
        );
    }
    if !separate_payments {
        app = app.merge(payments::pages(shared.clone()));
    } else if pages {
        app = app.merge(
            Router::new()
                .route("/card-frame.html", get(card_frame_elsewhere))
                .with_state(shared.clone()),
        );
    }
    if !shared.origins.separate_acs {
        app = app.nest("/acs", acs::router(shared.clone()));
    }
    if shared.config.control {
        app = app.nest("/__sandbox", control_router(shared.clone()));
    }
    let app = match (&shared.config.dist, pages) {
        (Some(dist), true) => {
            app.fallback_service(Router::new().fallback_service(ServeDir::new(dist)).layer(
                middleware::map_response_with_state(shared.clone(), merchant_page_headers),
            ))
        }
        (None, true) => app.merge(api),
        // Only the provider, and the payments side lives here: its files, as
        // the payments origin would serve them (the card frame needs its bundle).
        (Some(dist), false) if !separate_payments => app.fallback_service(
            Router::new()
                .fallback_service(ServeDir::new(dist))
                .layer(middleware::map_response(payments_page_headers)),
        ),
        (_, false) => app.fallback(|| async { ApiError::not_found("Resource", None) }),
    };
    app.layer(middleware::map_response(security_headers))
}

/// The payments origin: the same `dist/` (`card-frame.html` only for allowed
/// merchant origins), the card frame's API under `/api` (at `/` too without
/// `dist/`), and `/3ds/return`.
pub fn payments_router(shared: Arc<Shared>) -> Router {
    let api = api_router(shared.clone(), Origin::Payments);
    let app = Router::new()
        .nest("/api", api.clone())
        .merge(payments::pages(shared.clone()));
    let app = match &shared.config.dist {
        Some(dist) => app.fallback_service(
            Router::new()
                .fallback_service(ServeDir::new(dist))
                .layer(middleware::map_response(payments_page_headers)),
        ),
        None => app.merge(api),
    };
    app.layer(middleware::map_response(security_headers))
}

/// The ACS origin: the 3-D Secure challenge page at `/challenge`.
pub fn acs_router(shared: Arc<Shared>) -> Router {
    acs::router(shared).layer(middleware::map_response(security_headers))
}

/// `nosniff` and `no-referrer` everywhere; `X-Frame-Options: SAMEORIGIN` on
/// everything not meant to be framed across origins.
async fn security_headers(mut resp: Response) -> Response {
    let framable = resp.extensions().get::<AllowFraming>().is_some();
    let h = resp.headers_mut();
    h.entry(header::X_CONTENT_TYPE_OPTIONS)
        .or_insert(HeaderValue::from_static("nosniff"));
    h.entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("no-referrer"));
    if framable {
        h.remove(header::X_FRAME_OPTIONS);
    } else {
        h.entry(header::X_FRAME_OPTIONS)
            .or_insert(HeaderValue::from_static("SAMEORIGIN"));
    }
    resp
}

fn is_html(resp: &Response) -> bool {
    resp.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// Merchant pages get the strict Content-Security-Policy; every static file is
/// revalidated so a rebuilt bundle is picked up at once.
async fn merchant_page_headers(State(s): Shr, mut resp: Response) -> Response {
    if is_html(&resp) {
        if let Ok(v) = HeaderValue::from_str(&s.origins.merchant_csp()) {
            resp.headers_mut()
                .insert(header::CONTENT_SECURITY_POLICY, v);
        }
    }
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    resp
}

/// Pages of the payments origin other than the card frame: strict, unframable.
async fn payments_page_headers(mut resp: Response) -> Response {
    if is_html(&resp) {
        resp.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(csp::PAYMENTS_PAGE_CSP),
        );
    }
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    resp
}

/// `/card-frame.html` on the merchant origin when the payments origin is separate.
async fn card_frame_elsewhere(State(s): Shr) -> Response {
    let body = format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Not here</title>\
         <h1>The card frame is served by the payments origin</h1>\
         <p>{}/card-frame.html</p></html>",
        escape_html(&s.origins.payments)
    );
    html_page(StatusCode::NOT_FOUND, body, csp::REFUSED_FRAME_CSP)
}

/// `GET /sandbox.json`, and the same at `GET /store.json` (the name a merchant
/// backend serving the demo pages answers too): where the payments origin and
/// the ACS are, for the demo page. Only while [`crate::Config::merchant_pages`].
async fn sandbox_json(State(s): Shr) -> Response {
    let o = &s.origins;
    let mut resp = ok(json!({
        "merchantOrigin": o.merchant,
        "paymentsBase": o.payments_base(),
        "paymentsOrigin": o.payments,
        "acsOrigin": o.acs,
    }));
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// An HTML answer with its CSP, never cached.
pub(crate) fn html_page(status: StatusCode, body: String, csp: &str) -> Response {
    let mut resp = (status, body).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    resp
}

/// Text made safe for HTML content and attribute values.
pub(crate) fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The API of one origin: the merchant's calls, or the payments calls (which the
/// merchant origin also serves in single-origin mode, logged as `payments`).
fn api_router(shared: Arc<Shared>, origin: Origin) -> Router {
    let payments_here = origin == Origin::Payments || !shared.origins.separate_payments;
    let mut r = Router::new();
    if origin == Origin::Merchant {
        r = r
            .route("/checkouts", post(create_checkout))
            .route("/checkouts/{id}", get(get_checkout).post(update_checkout))
            .route("/checkouts/{id}/sources/{source_id}", post(attach_source))
            .route("/orders", post(create_order).get(list_orders))
            .route("/customers/{id}", get(get_customer))
            .route(
                "/customers/{id}/sources/{source_id}",
                post(save_source).delete(remove_source),
            );
    }
    if payments_here {
        r = payments::api_routes(r);
    }
    let ctx = ApiCtx {
        shared: shared.clone(),
        origin,
        payments_here,
    };
    r.fallback(|| async { ApiError::not_found("Resource", None) })
        .method_not_allowed_fallback(|| async { ApiError::method_not_allowed() })
        .layer(middleware::from_fn_with_state(ctx, api_layer))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .with_state(shared)
}

pub(crate) fn parse_json(body: &Bytes) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    serde_json::from_slice(body)
        .map_err(|_| ApiError::bad_request("invalid_json", "The request body is not valid JSON."))
}

pub(crate) fn created(v: Value) -> Response {
    (StatusCode::CREATED, Json(v)).into_response()
}

pub(crate) fn ok(v: Value) -> Response {
    Json(v).into_response()
}

async fn create_checkout(State(s): Shr, body: Bytes) -> ApiResult {
    let body = parse_json(&body)?;
    s.store().create_checkout(&body).map(created)
}

async fn get_checkout(State(s): Shr, Path(id): Path<String>) -> ApiResult {
    s.store().get_checkout(&id).map(ok)
}

async fn update_checkout(State(s): Shr, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let body = parse_json(&body)?;
    s.store().update_checkout(&id, &body).map(ok)
}

async fn attach_source(State(s): Shr, Path((id, source)): Path<(String, String)>) -> ApiResult {
    s.store().attach_source(&id, &source).map(ok)
}

async fn create_order(State(s): Shr, body: Bytes) -> ApiResult {
    let body = parse_json(&body)?;
    s.store().create_order(&body).map(created)
}

async fn list_orders(State(s): Shr, Query(q): Query<HashMap<String, String>>) -> Response {
    ok(s.store()
        .list_orders(q.get("checkoutId").map(String::as_str)))
}

async fn get_customer(State(s): Shr, Path(id): Path<String>) -> ApiResult {
    s.store().get_customer(&id).map(ok)
}

async fn save_source(State(s): Shr, Path((id, source)): Path<(String, String)>) -> ApiResult {
    s.store().save_source(&id, &source).map(ok)
}

async fn remove_source(State(s): Shr, Path((id, source)): Path<(String, String)>) -> ApiResult {
    s.store().remove_source(&id, &source)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// What the fault/log layer knows about the API it wraps.
#[derive(Clone)]
pub(crate) struct ApiCtx {
    pub(crate) shared: Arc<Shared>,
    /// The role of the listener.
    pub(crate) origin: Origin,
    /// Whether `/sources...` here are payments calls (logged as `payments`).
    pub(crate) payments_here: bool,
}

impl ApiCtx {
    fn origin_of(&self, path: &str) -> Origin {
        let sources = path == "/sources" || path.starts_with("/sources/");
        if self.payments_here && sources {
            Origin::Payments
        } else {
            self.origin
        }
    }
}

/// Whether `headers` carry exactly one `Authorization` header, and it is exactly
/// `Bearer <key>`. Compared without stopping at the first differing byte.
fn has_secret_key(headers: &HeaderMap, key: &str) -> bool {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let (Some(got), None) = (values.next(), values.next()) else {
        return false;
    };
    let got = got.as_bytes();
    let want = format!("Bearer {key}");
    let want = want.as_bytes();
    got.len() == want.len()
        && got
            .iter()
            .zip(want)
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}

/// Latency, request log and scripted faults around every API (and ACS)
/// request; on the merchant origin's API, the secret key check
/// ([`crate::Config::secret_key`]): a refused call is logged (status 401) but
/// not processed.
pub(crate) async fn api_layer(State(ctx): State<ApiCtx>, req: Request, next: Next) -> Response {
    let s = &ctx.shared;
    let latency = s.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return ApiError::bad_request("invalid_request", "Body too large.").into_response();
    };
    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path().to_owned();
    let origin = ctx.origin_of(&path);
    let authorized = origin != Origin::Merchant
        || s.config
            .secret_key
            .as_deref()
            .is_none_or(|key| has_secret_key(&parts.headers, key));
    // A refused call is not processed, so it takes no fault either.
    let fault = if authorized {
        s.faults().take(origin, &method, &path)
    } else {
        None
    };
    let seq = s.seq.fetch_add(1, Ordering::Relaxed) + 1;
    let body_text = String::from_utf8_lossy(&bytes).into_owned();
    s.log().push(LogEntry {
        seq,
        at_ms: s.started.elapsed().as_millis() as u64,
        origin,
        json: serde_json::from_slice(&bytes).ok(),
        body: body_text,
        method,
        path,
        query: parts.uri.query().map(str::to_owned),
        authorization: parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        status: 0,
        fault: fault.clone(),
    });
    let set_status = |status: u16| {
        if let Some(e) = s.log().iter_mut().rev().find(|e| e.seq == seq) {
            e.status = status;
        }
    };
    if !authorized {
        set_status(StatusCode::UNAUTHORIZED.as_u16());
        let mut resp = ApiError::secret_key_required().into_response();
        resp.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return resp;
    }
    let kill = parts.extensions.get::<KillSwitch>().cloned();
    match &fault {
        Some(Fault::Status {
            status,
            body,
            content_type,
            retry_after,
        }) => {
            set_status(*status);
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut resp = (status, body.clone()).into_response();
            let h = resp.headers_mut();
            if let Ok(ct) = HeaderValue::from_str(content_type) {
                h.insert(header::CONTENT_TYPE, ct);
            }
            if let Some(secs) = retry_after {
                h.insert(header::RETRY_AFTER, HeaderValue::from(*secs));
            }
            return resp;
        }
        Some(Fault::Close) => {
            return match &kill {
                Some(k) => {
                    k.kill();
                    std::future::pending::<Response>().await
                }
                // Not behind a real connection (in-process tests): closest we can do.
                None => StatusCode::BAD_GATEWAY.into_response(),
            };
        }
        Some(Fault::Delay { ms }) => tokio::time::sleep(Duration::from_millis(*ms)).await,
        _ => {}
    }
    let resp = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    set_status(resp.status().as_u16());
    match fault {
        Some(Fault::Lost) => {
            // Committed; the answer starts, then the connection dies mid-body.
            // (Closing before any byte would let a browser silently retry the
            // request on a fresh connection: that is `close`, not a lost answer.)
            let (mut parts, body) = resp.into_parts();
            let full = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            let head = full.slice(..full.len() / 2);
            parts.headers.remove(header::CONTENT_LENGTH);
            let chunks = futures_util::stream::unfold(0u8, move |n| {
                let head = head.clone();
                async move {
                    match n {
                        0 => Some((Ok::<_, std::io::Error>(head), 1)),
                        1 => {
                            // Let the head and first chunk reach the client first.
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            Some((Err(std::io::Error::other("response lost")), 2))
                        }
                        _ => None,
                    }
                }
            });
            Response::from_parts(parts, Body::from_stream(chunks))
        }
        Some(Fault::Malformed) => {
            let (mut parts, body) = resp.into_parts();
            let full = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            // Any strict prefix of a JSON object is invalid JSON.
            let cut = full.slice(..(full.len() / 2).max(1).min(full.len()));
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(cut))
        }
        Some(Fault::Empty) => {
            let (mut parts, _) = resp.into_parts();
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::empty())
        }
        _ => resp,
    }
}

fn control_router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/log", get(read_log).delete(clear_log))
        .route(
            "/faults",
            get(list_faults).post(add_faults).delete(clear_faults),
        )
        .route("/settings", post(settings))
        .route("/customers", post(create_customer))
        .route("/reset", post(reset))
        .fallback(|| async { ApiError::not_found("Control endpoint", None) })
        .with_state(shared)
}

async fn read_log(State(s): Shr) -> Response {
    ok(json!(*s.log()))
}

async fn clear_log(State(s): Shr) -> StatusCode {
    s.log().clear();
    StatusCode::NO_CONTENT
}

async fn list_faults(State(s): Shr) -> Response {
    ok(json!(s.faults().rules()))
}

/// Accepts one rule or a list of rules.
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(Rule),
    Many(Vec<Rule>),
}

async fn add_faults(State(s): Shr, body: Bytes) -> Result<StatusCode, ApiError> {
    let rules = match serde_json::from_slice::<OneOrMany>(&body) {
        Ok(OneOrMany::One(r)) => vec![r],
        Ok(OneOrMany::Many(rs)) => rs,
        Err(e) => return Err(ApiError::bad_request("invalid_rule", &e.to_string())),
    };
    let mut faults = s.faults();
    for r in rules {
        faults.push(r);
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn clear_faults(State(s): Shr) -> StatusCode {
    s.faults().clear();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Settings {
    ready_after_ms: Option<u64>,
    latency_ms: Option<u64>,
}

async fn settings(State(s): Shr, body: Bytes) -> Result<StatusCode, ApiError> {
    let set: Settings = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request("invalid_settings", &e.to_string()))?;
    if let Some(ms) = set.ready_after_ms {
        s.store().ready_after = Duration::from_millis(ms);
    }
    if let Some(ms) = set.latency_ms {
        s.set_latency(ms);
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /__sandbox/customers`: a registered shopper with saved cards (see
/// [`crate::store::Store::create_customer`]); 201 with the customer.
async fn create_customer(State(s): Shr, body: Bytes) -> ApiResult {
    let body = parse_json(&body)?;
    s.store().create_customer(&body).map(created)
}

async fn reset(State(s): Shr) -> StatusCode {
    s.store().reset();
    s.faults().clear();
    s.log().clear();
    s.set_latency(s.config.latency.as_millis() as u64);
    StatusCode::NO_CONTENT
}
