//! The demo store's pages, when this backend also serves the widget's
//! `dist/`: the files with the strict Content-Security-Policy of
//! `shared/embedding.md`, `/store.json` (where the card frame lives), and the
//! security headers on every answer.

use axum::http::{header, HeaderValue};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use std::sync::Arc;
use tower_http::services::ServeDir;

use crate::{AppState, Site};

/// The merchant page policy: no inline script or style, no eval, wasm
/// allowed, requests to this origin (and `api_origin`, the `apiBase` on
/// another origin) only, frames from the payments origin only.
pub fn page_csp(payments_origin: &str, api_origin: Option<&str>) -> String {
    let api = api_origin.map(|o| format!(" {o}")).unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
         connect-src 'self'{api}; img-src 'self' data:; frame-src {payments_origin}; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
    )
}

/// `scheme://host[:port]` of a URL (the payments base's origin).
pub fn origin_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(i) => &url[..after_scheme + i],
        None => url,
    }
}

/// `dist/` at `/` (HTML with [`page_csp`], everything revalidated so a rebuilt
/// bundle is picked up at once) and `GET /store.json`.
pub fn site(site: &Site) -> Router<Arc<AppState>> {
    let csp = HeaderValue::from_str(&page_csp(
        origin_of(&site.payments_base),
        site.api_origin.as_deref(),
    ))
    .unwrap_or(HeaderValue::from_static("default-src 'none'"));
    let store = json!({ "paymentsBase": site.payments_base });
    let favicon = site.dist.join("favicon.ico");
    Router::new()
        // Browsers ask every page's origin for one; no icon is a 204, not a 404.
        .route(
            "/favicon.ico",
            get(move || {
                let favicon = favicon.clone();
                async move {
                    match tokio::fs::read(&favicon).await {
                        Ok(bytes) => {
                            ([(header::CONTENT_TYPE, "image/x-icon")], bytes).into_response()
                        }
                        Err(_) => axum::http::StatusCode::NO_CONTENT.into_response(),
                    }
                }
            }),
        )
        .route(
            "/store.json",
            get(move || {
                let store = store.clone();
                async move {
                    let mut resp = Json(store).into_response();
                    resp.headers_mut()
                        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                    resp
                }
            }),
        )
        .fallback_service(ServeDir::new(&site.dist).append_index_html_on_directories(true))
        .layer(middleware::map_response(move |mut resp: Response| {
            let csp = csp.clone();
            async move {
                let h = resp.headers_mut();
                let html = h
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.starts_with("text/html"));
                if html {
                    h.insert(header::CONTENT_SECURITY_POLICY, csp);
                }
                h.entry(header::CACHE_CONTROL)
                    .or_insert(HeaderValue::from_static("no-cache"));
                resp
            }
        }))
}

/// On every answer: `nosniff`, `no-referrer`, not framable by other origins,
/// and a cross-origin opener policy for pages.
pub async fn security_headers(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    h.entry(header::X_CONTENT_TYPE_OPTIONS)
        .or_insert(HeaderValue::from_static("nosniff"));
    h.entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("no-referrer"));
    h.entry(header::X_FRAME_OPTIONS)
        .or_insert(HeaderValue::from_static("SAMEORIGIN"));
    h.entry("cross-origin-opener-policy")
        .or_insert(HeaderValue::from_static("same-origin"));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_of_urls() {
        assert_eq!(
            origin_of("http://localhost:8788/api"),
            "http://localhost:8788"
        );
        assert_eq!(origin_of("https://pay.example"), "https://pay.example");
        assert_eq!(origin_of("https://pay.example/"), "https://pay.example");
    }
}
