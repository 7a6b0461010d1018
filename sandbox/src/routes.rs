//! HTTP: the API routes, the fault/latency/log layer, the control surface and
//! the static `dist/`.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::error::ApiError;
use crate::faults::{Fault, LogEntry, Rule};
use crate::{KillSwitch, Shared};

type Shr = State<Arc<Shared>>;
type ApiResult = Result<Response, ApiError>;

/// Largest request body the API reads.
const MAX_BODY: usize = 1 << 20;

/// The whole application for `shared.config`.
pub fn router(shared: Arc<Shared>) -> Router {
    let api = api_router(shared.clone());
    let mut app = Router::new().nest("/api", api.clone());
    if shared.config.control {
        app = app.nest("/__sandbox", control_router(shared.clone()));
    }
    let app = match &shared.config.dist {
        Some(dist) => app.fallback_service(
            Router::new()
                .fallback_service(ServeDir::new(dist))
                .layer(middleware::map_response(page_headers)),
        ),
        None => app.merge(api),
    };
    app.layer(SetResponseHeaderLayer::if_not_present(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    ))
    .layer(SetResponseHeaderLayer::if_not_present(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    ))
    .layer(SetResponseHeaderLayer::if_not_present(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("SAMEORIGIN"),
    ))
}

/// The strict policy of embedding.md (plus the obvious extras): no inline
/// script or style, no eval, wasm allowed, requests to this origin only.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self'; connect-src 'self'; img-src 'self' data:; object-src 'none'; \
    base-uri 'none'; form-action 'self'; frame-ancestors 'self'";

/// Pages get the strict Content-Security-Policy; every static file is
/// revalidated so a rebuilt bundle is picked up at once.
async fn page_headers(mut resp: Response) -> Response {
    let html = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let h = resp.headers_mut();
    if html {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    resp
}

fn api_router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/checkouts", post(create_checkout))
        .route("/checkouts/{id}", get(get_checkout).post(update_checkout))
        .route("/checkouts/{id}/sources/{source_id}", post(attach_source))
        .route("/sources", post(create_source))
        .route("/orders", post(create_order).get(list_orders))
        .fallback(|| async { ApiError::not_found("Resource", None) })
        .method_not_allowed_fallback(|| async { ApiError::method_not_allowed() })
        .layer(middleware::from_fn_with_state(shared.clone(), api_layer))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .with_state(shared)
}

fn parse_json(body: &Bytes) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    serde_json::from_slice(body)
        .map_err(|_| ApiError::bad_request("invalid_json", "The request body is not valid JSON."))
}

fn created(v: Value) -> Response {
    (StatusCode::CREATED, Json(v)).into_response()
}

fn ok(v: Value) -> Response {
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

async fn create_source(State(s): Shr, req: Request) -> ApiResult {
    let auth = req.headers().get(header::AUTHORIZATION).cloned();
    if let Some(auth) = auth {
        let ok = auth
            .to_str()
            .ok()
            .and_then(|a| a.strip_prefix("Bearer "))
            .is_some_and(|k| k.starts_with("pk_"));
        if !ok {
            return Err(ApiError::unauthorized(
                "Only a public key (Bearer pk_...) may create sources.",
            ));
        }
    }
    let body = axum::body::to_bytes(req.into_body(), MAX_BODY)
        .await
        .map_err(|_| ApiError::bad_request("invalid_request", "Body too large."))?;
    let body = parse_json(&body)?;
    s.store().create_source(&body).map(created)
}

async fn create_order(State(s): Shr, body: Bytes) -> ApiResult {
    let body = parse_json(&body)?;
    s.store().create_order(&body).map(created)
}

async fn list_orders(State(s): Shr, Query(q): Query<HashMap<String, String>>) -> Response {
    ok(s.store()
        .list_orders(q.get("checkoutId").map(String::as_str)))
}

/// Latency, request log and scripted faults around every API request.
async fn api_layer(State(s): Shr, req: Request, next: Next) -> Response {
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
    let fault = s.faults().take(&method, &path);
    let seq = s.seq.fetch_add(1, Ordering::Relaxed) + 1;
    let body_text = String::from_utf8_lossy(&bytes).into_owned();
    s.log().push(LogEntry {
        seq,
        at_ms: s.started.elapsed().as_millis() as u64,
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

async fn reset(State(s): Shr) -> StatusCode {
    s.store().reset();
    s.faults().clear();
    s.log().clear();
    s.set_latency(s.config.latency.as_millis() as u64);
    StatusCode::NO_CONTENT
}
