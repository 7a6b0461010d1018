//! The payments origin: the card frame's API (`POST /sources`, the source
//! re-read and authentication), `card-frame.html` for allowed merchant origins,
//! and the `/3ds/return` page the ACS sends the browser back to.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tower::ServiceExt;
use tower_http::services::ServeDir;

use crate::error::ApiError;
use crate::routes::{
    created, escape_html, html_page, ok, parse_json, AllowFraming, ApiResult, Shr, MAX_BODY,
};
use crate::{csp, Shared};

/// Adds the payments calls of the contract to an API router.
pub(crate) fn api_routes(r: Router<Arc<Shared>>) -> Router<Arc<Shared>> {
    r.route("/sources", post(create_source))
        .route("/sources/{id}", get(get_source))
        .route("/sources/{id}/authentications", post(authenticate_source))
}

/// `card-frame.html`, `/3ds/return` and its script.
pub(crate) fn pages(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/card-frame.html", get(card_frame))
        .route("/3ds/return", get(three_ds_return))
        .route("/3ds/return.js", get(three_ds_return_js))
        .with_state(shared)
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

async fn get_source(
    State(s): Shr,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult {
    s.store()
        .get_source(&id, q.get("clientSecret").map(String::as_str))
        .map(ok)
}

async fn authenticate_source(State(s): Shr, Path(id): Path<String>, body: Bytes) -> ApiResult {
    let body = parse_json(&body)?;
    s.store().authenticate_source(&id, &body).map(ok)
}

/// `card-frame.html?origin=<merchant origin>`: the file from `dist/`, framable
/// by that origin only, or 403 when the origin is missing or not allowed.
async fn card_frame(State(s): Shr, req: Request) -> Response {
    let origin = Query::<HashMap<String, String>>::try_from_uri(req.uri())
        .ok()
        .and_then(|Query(mut q)| q.remove("origin"));
    let origins = &s.origins;
    let Some(origin) = origin.filter(|o| origins.is_allowed(o)) else {
        let body = "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\">\
            <title>Merchant origin not allowed</title>\
            <h1>This merchant origin is not allowed</h1>\
            <p>The card frame is only shown on the pages of a merchant origin this \
            payment provider allows (the <code>origin</code> query parameter).</p></html>";
        return html_page(StatusCode::FORBIDDEN, body.into(), csp::REFUSED_FRAME_CSP);
    };
    let Some(dist) = &s.config.dist else {
        return ApiError::not_found("card-frame.html", None).into_response();
    };
    let Ok(resp) = ServeDir::new(dist).oneshot(req).await;
    let mut resp = resp.map(Body::new);
    let policy = csp::card_frame_csp(&origins.acs, &origin);
    let h = resp.headers_mut();
    match HeaderValue::from_str(&policy) {
        Ok(v) => h.insert(header::CONTENT_SECURITY_POLICY, v),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    resp.extensions_mut().insert(AllowFraming);
    resp
}

const OUTCOMES: [&str; 3] = ["passed", "failed", "cancelled"];

/// `GET /3ds/return?sourceId=&outcome=`: where the ACS sends the challenge
/// iframe back; its script tells the card frame (same origin) how it ended.
async fn three_ds_return(State(s): Shr, Query(q): Query<HashMap<String, String>>) -> Response {
    let policy = csp::three_ds_return_csp(&s.origins.allowed);
    let source_ok = q
        .get("sourceId")
        .is_some_and(|id| !id.is_empty() && id.len() <= 200);
    let outcome_ok = q
        .get("outcome")
        .is_some_and(|o| OUTCOMES.contains(&o.as_str()));
    let mut resp = if source_ok && outcome_ok {
        let body = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
            <title>Returning to the checkout</title>\
            <script src=\"/3ds/return.js\"></script></head>\
            <body><p>Returning to the checkout\u{2026}</p></body></html>";
        html_page(StatusCode::OK, body.into(), &policy)
    } else {
        let body = format!(
            "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\">\
             <title>Bad request</title><h1>Bad request</h1>\
             <p>Expected <code>sourceId</code> and an <code>outcome</code> of {}.</p></html>",
            escape_html(&OUTCOMES.join(", "))
        );
        html_page(StatusCode::BAD_REQUEST, body, &policy)
    };
    resp.extensions_mut().insert(AllowFraming);
    resp
}

/// The script of `/3ds/return`: reads its own query and posts it to its parent,
/// to this origin only. The card frame treats it as a hint and re-reads the source.
const RETURN_JS: &str = r#"// 3-D Secure return: tell the card frame (the parent, same origin) how the challenge ended.
(function () {
  "use strict";
  var q = new URLSearchParams(location.search);
  var sourceId = q.get("sourceId");
  var outcome = q.get("outcome");
  if (!sourceId || ["passed", "failed", "cancelled"].indexOf(outcome) < 0) return;
  if (window.parent === window) return;
  parent.postMessage({ type: "cw-3ds-return", sourceId: sourceId, outcome: outcome }, location.origin);
})();
"#;

async fn three_ds_return_js() -> Response {
    let mut resp = RETURN_JS.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    resp
}
