//! The browser-facing API under `/api`, plus `/healthz` and `/readyz`.
//!
//! Every route parses its body into its own typed request with
//! `deny_unknown_fields` (an unknown field is a 400 naming it) and builds the
//! provider's request body itself. Fields the contract lets a browser send but
//! whose value the server owns are accepted and **ignored**: an item's `price`
//! and `productDetails` (the catalogue prices it), a shipping choice's `amount`
//! and `description` (the catalogue prices its `serviceLevel`), and
//! `customerId` (the signed-in shopper's is used).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{
    MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_sessions::{Session, SessionStore};
use tower_sessions_moka_store::MokaStore;
use tracing::Level;

use crate::error::ApiError;
use crate::session;
use crate::upstream::{Answer, Call, NoAnswer};
use crate::{AppState, MAX_BODY};

type St = State<Arc<AppState>>;
type ApiResult = Result<Response, ApiError>;

/// The request id header: a fresh UUID per request (one a browser sends is
/// replaced), echoed back, logged, and passed to the provider.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole app with in-memory sessions (one instance, at most
/// [`session::MAX_SESSIONS`]): see [`router_with_store`].
pub fn router(state: Arc<AppState>) -> Router {
    router_with_store(state, MokaStore::new(Some(session::MAX_SESSIONS)))
}

/// The whole app, its sessions in `store` (a Redis store for several
/// instances): `/api/...`, `/healthz`, `/readyz`, and the demo store's pages
/// when [`crate::Config::site`] is set. Serve it with [`crate::serve`] (or
/// `into_make_service_with_connect_info::<SocketAddr>()`) so `browserIp` can
/// be taken from the connection.
pub fn router_with_store<S: SessionStore + Clone>(state: Arc<AppState>, store: S) -> Router {
    let mut api = Router::new()
        .route("/checkouts", post(create_checkout))
        .route("/checkouts/{id}", get(get_checkout).post(update_checkout))
        .route("/checkouts/{id}/sources/{source_id}", post(attach_source))
        .route("/orders", post(create_order).get(list_orders))
        .route("/customers/{id}", get(get_customer))
        .route(
            "/customers/{id}/sources/{source_id}",
            post(save_source).delete(remove_source),
        );
    if state.config.demo_sign_in {
        api = api
            .route("/demo/sign-in", post(demo_sign_in))
            .route("/demo/sign-out", post(demo_sign_out));
    }
    let mut api = api
        .fallback(|| async { ApiError::not_found("Resource") })
        .method_not_allowed_fallback(|| async { ApiError::method_not_allowed() })
        .layer(session::layer(&state.config, store))
        .layer(RequestBodyLimitLayer::new(MAX_BODY))
        .layer(middleware::map_response(contract_errors))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    if let Some(cors) = cors(&state.config.storefront_origins) {
        api = api.layer(cors);
    }
    let mut app = Router::new()
        .nest("/api", api)
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz));
    if let Some(site) = &state.config.site {
        app = app.merge(crate::web::site(site));
    }
    app.with_state(state)
        .layer(middleware::map_response(crate::web::security_headers))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &axum::http::Request<_>| {
                    let id = req
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default();
                    // The path only: no query, no headers, no body.
                    tracing::info_span!(
                        "request",
                        method = %req.method(),
                        path = req.uri().path(),
                        request_id = id,
                    )
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        // Ours, always: a browser does not get to plant ids in the logs.
        .layer(middleware::map_request(
            |mut req: axum::http::Request<axum::body::Body>| async move {
                req.headers_mut().remove(REQUEST_ID);
                req
            },
        ))
}

/// CORS for the configured storefront origins only, with cookies; `None`
/// when there are none (same-origin use needs no CORS).
fn cors(origins: &[String]) -> Option<CorsLayer> {
    let list: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok())
        .collect();
    if list.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(list))
            .allow_credentials(true)
            .allow_methods([Method::GET, Method::POST, Method::DELETE])
            .allow_headers([header::CONTENT_TYPE, header::ACCEPT, REQUEST_ID])
            .expose_headers([REQUEST_ID, header::RETRY_AFTER])
            .max_age(std::time::Duration::from_secs(600)),
    )
}

/// Answers that did not come from a handler in the contract's error shape:
/// tower-http's 413 (a body over [`MAX_BODY`], with `Connection: close`, as
/// the rest of the body is not read), axum's plain-text rejections (a path
/// that is not UTF-8, a body that is not JSON), and the session layer's empty
/// 500 when the session store cannot save (503 with `Retry-After`).
async fn contract_errors(resp: Response) -> Response {
    let status = resp.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        let mut r = ApiError::too_large().into_response();
        r.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        return r;
    }
    let json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if status.is_client_error() && !json {
        let mut e = ApiError::bad_request("invalid_request", "The request is not valid.");
        e.status = status;
        return e.into_response();
    }
    if status.is_server_error() && !json {
        return ApiError::unavailable_retry(None).into_response();
    }
    resp
}

/// What every API handler needs from the request: the session, the client's
/// IP (for `browserIp`) and the request id.
pub struct Cx {
    /// The browser's session.
    pub session: Session,
    /// The client: the peer, or the `X-Forwarded-For` client when the peer is
    /// a trusted proxy.
    pub ip: Option<IpAddr>,
    /// The request id (`X-Request-Id`).
    pub request_id: Option<String>,
}

impl FromRequestParts<Arc<AppState>> for Cx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, s: &Arc<AppState>) -> Result<Self, ApiError> {
        let session = parts
            .extensions
            .get::<Session>()
            .cloned()
            .ok_or_else(ApiError::unavailable)?;
        session::touch(&session, s.config.session_idle).await?;
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let ip = client_ip(peer, &parts.headers, &s.config.trusted_proxies);
        let request_id = parts
            .extensions
            .get::<RequestId>()
            .and_then(|r| r.header_value().to_str().ok())
            .map(str::to_owned);
        Ok(Self {
            session,
            ip,
            request_id,
        })
    }
}

impl Cx {
    fn rid(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
}

/// Whether an id from a path or body is safe to put in an upstream path:
/// 1 to 128 ASCII letters, digits, `_` or `-`.
pub fn safe_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The client's IP: the peer's, unless the peer is a trusted proxy, in which
/// case the right-most `X-Forwarded-For` entry that is not a trusted proxy.
pub fn client_ip(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpAddr]) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let mut hops: Vec<IpAddr> = Vec::new();
    for v in headers.get_all("x-forwarded-for") {
        let Ok(v) = v.to_str() else { return Some(peer) };
        for part in v.split(',') {
            match part.trim().parse() {
                Ok(ip) => hops.push(ip),
                Err(_) => return Some(peer),
            }
        }
    }
    Some(
        hops.into_iter()
            .rev()
            .find(|ip| !trusted.contains(ip))
            .unwrap_or(peer),
    )
}

/// Parses a JSON body into `T` (an empty body counts as `{}`).
fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    let v: Value = if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        serde_json::from_slice(body).map_err(|_| {
            ApiError::bad_request("invalid_json", "The request body is not valid JSON.")
        })?
    };
    // serde would read an array as a positional struct: the contract's bodies
    // are objects.
    if !v.is_object() {
        return Err(ApiError::bad_request(
            "invalid_json",
            "The request body must be a JSON object.",
        ));
    }
    typed(v, "")
}

/// `v` as a `T`; errors name the field after `prefix`.
fn typed<T: DeserializeOwned>(v: Value, prefix: &str) -> Result<T, ApiError> {
    serde_json::from_value(v).map_err(|e| ApiError::from_serde(&e, prefix))
}

/// An address as the browser may send it.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Address {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    line1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    line2: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    country: Option<String>,
}

/// A billing or shipping contact as the browser may send it.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Contact {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    address: Option<Value>,
}

/// A shipping choice as the browser may send it: the service level counts;
/// `amount` and `description` are the server's (from the catalogue).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ShippingChoice {
    service_level: String,
    #[serde(default)]
    #[allow(dead_code)]
    amount: Option<IgnoredAny>,
    #[serde(default)]
    #[allow(dead_code)]
    description: Option<IgnoredAny>,
}

/// A cart line: a SKU and a quantity. `price` and `productDetails` may come
/// along (the widget carries them over after a 409) and are ignored: the
/// catalogue prices and names the SKU.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CartItem {
    sku_id: String,
    #[serde(default = "one")]
    quantity: u32,
    #[serde(default)]
    #[allow(dead_code)]
    price: Option<IgnoredAny>,
    #[serde(default)]
    #[allow(dead_code)]
    product_details: Option<IgnoredAny>,
}

fn one() -> u32 {
    1
}

/// A checkout body as the browser may send it: `POST /api/checkouts` (where
/// `items` is required) and `POST /api/checkouts/{id}` (only the fields to
/// change).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CheckoutFields {
    /// Must be the catalogue's, when given: prices are in that currency.
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    locale: Option<String>,
    #[serde(default)]
    bill_to: Option<Value>,
    #[serde(default)]
    ship_to: Option<Value>,
    #[serde(default)]
    shipping_choice: Option<Value>,
    #[serde(default)]
    upstream_id: Option<String>,
    #[serde(default)]
    metadata: Option<Map<String, Value>>,
    /// Ignored: the signed-in shopper's id is used.
    #[serde(default)]
    #[allow(dead_code)]
    customer_id: Option<IgnoredAny>,
    #[serde(default)]
    items: Option<Vec<Value>>,
}

/// `POST /api/orders`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CreateOrder {
    checkout_id: String,
}

/// An empty body (`POST /api/checkouts/{id}/sources/{sourceId}`, customer sources, sign-out).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Empty {}

/// `POST /api/demo/sign-in`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct DemoSignInBody {
    customer_id: String,
}

/// Longest `upstreamId`, and most `metadata` entries, forwarded.
const MAX_UPSTREAM_ID: usize = 100;
const MAX_METADATA: usize = 20;

/// A contact, checked and re-serialised (only known fields reach the provider).
fn contact(v: Value, name: &str) -> Result<Value, ApiError> {
    let mut c: Contact = typed(v, &format!("{name}."))?;
    if let Some(a) = c.address.take() {
        let a: Address = typed(a, &format!("{name}.address."))?;
        c.address = Some(serde_json::to_value(a).unwrap_or_default());
    }
    Ok(serde_json::to_value(c).unwrap_or_default())
}

/// Money in major units, as the provider takes it.
fn major(cents: u64) -> f64 {
    cents as f64 / 100.0
}

/// The provider's request items, priced from the catalogue.
fn priced_items(s: &AppState, items: Vec<Value>) -> Result<Value, ApiError> {
    if items.is_empty() {
        return Err(ApiError::bad_param(
            "missing_parameter",
            "items",
            "A checkout needs at least one item.",
        ));
    }
    if items.len() > 100 {
        return Err(ApiError::bad_param(
            "invalid_parameter",
            "items",
            "A checkout takes at most 100 items.",
        ));
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, v) in items.into_iter().enumerate() {
        let it: CartItem = typed(v, &format!("items[{i}]."))?;
        let product = s.config.catalogue.get(&it.sku_id).ok_or_else(|| {
            ApiError::bad_param(
                "invalid_parameter",
                &format!("items[{i}].skuId"),
                "Unknown product.",
            )
        })?;
        if !(1..=999).contains(&it.quantity) {
            return Err(ApiError::bad_param(
                "invalid_parameter",
                &format!("items[{i}].quantity"),
                "Quantity must be between 1 and 999.",
            ));
        }
        let mut details = Map::new();
        details.insert("name".into(), product.name.clone().into());
        if let Some(img) = &product.image {
            details.insert("image".into(), img.clone().into());
        }
        out.push(json!({
            "skuId": it.sku_id,
            "quantity": it.quantity,
            "price": major(product.price),
            "productDetails": details,
        }));
    }
    Ok(Value::Array(out))
}

/// The browser's checkout fields (create or update), checked and priced from
/// the catalogue, into the provider's `body`.
fn checkout_fields(
    s: &AppState,
    body: &mut Map<String, Value>,
    f: CheckoutFields,
) -> ApiResultOf<()> {
    let currency = &s.config.catalogue.currency;
    if f.currency
        .as_ref()
        .is_some_and(|c| !c.eq_ignore_ascii_case(currency))
    {
        return Err(ApiError::bad_param(
            "invalid_parameter",
            "currency",
            &format!("This store sells in {currency}."),
        ));
    }
    if let Some(items) = f.items {
        body.insert("items".into(), priced_items(s, items)?);
    }
    if let Some(e) = f.email {
        body.insert("email".into(), e.into());
    }
    if let Some(l) = f.locale {
        body.insert("locale".into(), l.into());
    }
    if let Some(b) = f.bill_to {
        body.insert("billTo".into(), contact(b, "billTo")?);
    }
    if let Some(b) = f.ship_to {
        body.insert("shipTo".into(), contact(b, "shipTo")?);
    }
    if let Some(c) = f.shipping_choice {
        let c: ShippingChoice = typed(c, "shippingChoice.")?;
        let option = s
            .config
            .catalogue
            .shipping(&c.service_level)
            .ok_or_else(|| {
                ApiError::bad_param(
                    "invalid_parameter",
                    "shippingChoice.serviceLevel",
                    "Unknown shipping option.",
                )
            })?;
        body.insert(
            "shippingChoice".into(),
            json!({
                "serviceLevel": c.service_level,
                "amount": major(option.amount),
                "description": option.description,
            }),
        );
    }
    if let Some(id) = f.upstream_id {
        if id.chars().count() > MAX_UPSTREAM_ID {
            return Err(ApiError::bad_param(
                "invalid_parameter",
                "upstreamId",
                "Invalid value.",
            ));
        }
        body.insert("upstreamId".into(), id.into());
    }
    if let Some(m) = f.metadata {
        let flat = m
            .values()
            .all(|v| v.is_string() || v.is_number() || v.is_boolean());
        if m.len() > MAX_METADATA || !flat {
            return Err(ApiError::bad_param(
                "invalid_parameter",
                "metadata",
                "Invalid value.",
            ));
        }
        body.insert("metadata".into(), Value::Object(m));
    }
    Ok(())
}

type ApiResultOf<T> = Result<T, ApiError>;

/// A provider answer made fit for the browser: 2xx JSON passes through (204
/// stays empty); a contract-shaped 4xx (not 401/403) passes through reduced to
/// `type`/`code`/`parameter`/`message`; 503 and an open circuit become 503 +
/// `Retry-After`; anything else (401, 403, 5xx, HTML, garbage, no answer) the
/// generic 502.
fn relay(out: Result<Answer, NoAnswer>) -> ApiResult {
    let a = match out {
        Ok(a) => a,
        Err(NoAnswer::Lost) => return Err(ApiError::unavailable()),
        Err(NoAnswer::Refused(r)) => {
            return Err(ApiError::unavailable_retry(Some(HeaderValue::from(
                r.retry_after_secs(),
            ))))
        }
    };
    let status = a.status;
    if status == StatusCode::NO_CONTENT {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    if status.is_success() {
        let v = a.json().ok_or_else(ApiError::unavailable)?;
        return Ok((status, Json(v)).into_response());
    }
    if status == StatusCode::SERVICE_UNAVAILABLE {
        let retry = a.headers.get(header::RETRY_AFTER).cloned();
        return Err(ApiError::unavailable_retry(retry));
    }
    if status.is_client_error()
        && status != StatusCode::UNAUTHORIZED
        && status != StatusCode::FORBIDDEN
    {
        if let Some(e) = ApiError::from_provider(status, &a.body) {
            return Err(e);
        }
    }
    if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
        tracing::error!(
            status = status.as_u16(),
            "the provider refused the secret key"
        );
    }
    Err(ApiError::unavailable())
}

async fn owned_checkout(cx: &Cx, id: &str) -> ApiResultOf<()> {
    if safe_id(id) && session::owns_checkout(&cx.session, id).await? {
        Ok(())
    } else {
        Err(ApiError::not_found("Checkout"))
    }
}

async fn owned_customer(cx: &Cx, id: &str) -> ApiResultOf<()> {
    if safe_id(id) && session::customer(&cx.session).await?.as_deref() == Some(id) {
        Ok(())
    } else {
        Err(ApiError::not_found("Customer"))
    }
}

fn source_id(id: &str) -> ApiResultOf<()> {
    if safe_id(id) {
        Ok(())
    } else {
        Err(ApiError::not_found("Source"))
    }
}

async fn create_checkout(State(s): St, cx: Cx, body: Bytes) -> ApiResult {
    let req: CheckoutFields = parse(&body)?;
    if req.items.is_none() {
        return Err(ApiError::bad_param(
            "missing_parameter",
            "items",
            "This field is required.",
        ));
    }
    let mut up = Map::new();
    up.insert(
        "currency".into(),
        s.config.catalogue.currency.clone().into(),
    );
    checkout_fields(&s, &mut up, req)?;
    if let Some(c) = session::customer(&cx.session).await? {
        up.insert("customerId".into(), c.into());
    }
    if let Some(ip) = cx.ip {
        up.insert("browserIp".into(), ip.to_string().into());
    }
    let key = crate::random_hex(16);
    let body = Value::Object(up);
    let out = s
        .upstream
        .call(
            Call::post("/checkouts", Some(&body))
                .idempotent(&key)
                .for_request(cx.rid()),
        )
        .await;
    if let Ok(a) = &out {
        if a.status.is_success() {
            let id = a
                .json()
                .and_then(|v| v.get("id").and_then(Value::as_str).map(str::to_owned));
            match id {
                Some(id) if safe_id(&id) => session::add_checkout(&cx.session, &id).await?,
                _ => return Err(ApiError::unavailable()),
            }
        }
    }
    relay(out)
}

async fn get_checkout(State(s): St, cx: Cx, Path(id): Path<String>) -> ApiResult {
    owned_checkout(&cx, &id).await?;
    let path = format!("/checkouts/{id}");
    relay(
        s.upstream
            .call(Call::get(&path).for_request(cx.rid()))
            .await,
    )
}

async fn update_checkout(State(s): St, cx: Cx, Path(id): Path<String>, body: Bytes) -> ApiResult {
    owned_checkout(&cx, &id).await?;
    let req: CheckoutFields = parse(&body)?;
    let mut up = Map::new();
    checkout_fields(&s, &mut up, req)?;
    let path = format!("/checkouts/{id}");
    let body = Value::Object(up);
    relay(
        s.upstream
            .call(Call::post(&path, Some(&body)).for_request(cx.rid()))
            .await,
    )
}

async fn attach_source(
    State(s): St,
    cx: Cx,
    Path((id, source)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    owned_checkout(&cx, &id).await?;
    source_id(&source)?;
    let _: Empty = parse(&body)?;
    let path = format!("/checkouts/{id}/sources/{source}");
    relay(
        s.upstream
            .call(Call::post(&path, None).for_request(cx.rid()))
            .await,
    )
}

/// `POST /orders`, never retried. When the provider gives no answer, a 5xx or
/// an unreadable success, the outcome is unknown: the order is looked up by
/// checkout id, and found means 201 with it.
async fn create_order(State(s): St, cx: Cx, body: Bytes) -> ApiResult {
    let req: CreateOrder = parse(&body)?;
    owned_checkout(&cx, &req.checkout_id)
        .await
        .map_err(|_| ApiError::not_found("Checkout").with_param("checkoutId"))?;
    let id = req.checkout_id;
    let body = json!({"checkoutId": id});
    // One checkout makes at most one order, so the key is the checkout's: the
    // same on every instance and every retry by the browser, no shared store.
    let key = format!("order_{id}");
    let out = s
        .upstream
        .call(
            Call::post("/orders", Some(&body))
                .idempotent(&key)
                .for_request(cx.rid()),
        )
        .await;
    // No answer, a 5xx, or a success whose body cannot be read: the order may
    // exist. Anything else is the provider's definite answer.
    let unknown = match &out {
        Err(NoAnswer::Lost) => true,
        Err(NoAnswer::Refused(_)) => false,
        Ok(a) => a.status.is_server_error() || (a.status.is_success() && a.json().is_none()),
    };
    if !unknown {
        return relay(out);
    }
    let path = format!("/orders?checkoutId={id}");
    let found = s
        .upstream
        .call(Call::get(&path).for_request(cx.rid()))
        .await
        .ok()
        .filter(|a| a.status.is_success())
        .and_then(|a| a.json())
        .and_then(|v| v.get("data")?.as_array()?.first().cloned());
    match found {
        Some(order) => Ok((StatusCode::CREATED, Json(order)).into_response()),
        None => relay(out),
    }
}

async fn list_orders(State(s): St, cx: Cx, Query(q): Query<HashMap<String, String>>) -> ApiResult {
    if let Some(k) = q.keys().find(|k| k.as_str() != "checkoutId") {
        return Err(ApiError::bad_param(
            "invalid_parameter",
            k,
            "This parameter is not accepted.",
        ));
    }
    let id = q.get("checkoutId").ok_or_else(|| {
        ApiError::bad_param(
            "missing_parameter",
            "checkoutId",
            "A checkoutId is required.",
        )
    })?;
    owned_checkout(&cx, id).await?;
    let path = format!("/orders?checkoutId={id}");
    relay(
        s.upstream
            .call(Call::get(&path).for_request(cx.rid()))
            .await,
    )
}

async fn get_customer(State(s): St, cx: Cx, Path(id): Path<String>) -> ApiResult {
    owned_customer(&cx, &id).await?;
    let path = format!("/customers/{id}");
    relay(
        s.upstream
            .call(Call::get(&path).for_request(cx.rid()))
            .await,
    )
}

async fn save_source(
    State(s): St,
    cx: Cx,
    Path((id, source)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    owned_customer(&cx, &id).await?;
    source_id(&source)?;
    let _: Empty = parse(&body)?;
    let path = format!("/customers/{id}/sources/{source}");
    relay(
        s.upstream
            .call(Call::post(&path, None).for_request(cx.rid()))
            .await,
    )
}

async fn remove_source(
    State(s): St,
    cx: Cx,
    Path((id, source)): Path<(String, String)>,
) -> ApiResult {
    owned_customer(&cx, &id).await?;
    source_id(&source)?;
    let path = format!("/customers/{id}/sources/{source}");
    relay(
        s.upstream
            .call(Call::delete(&path).for_request(cx.rid()))
            .await,
    )
}

/// `POST /api/demo/sign-in {"customerId"}`: signs the session in (under a new
/// session id) as whoever [`crate::SignIn`] says.
async fn demo_sign_in(State(s): St, cx: Cx, body: Bytes) -> ApiResult {
    let req: DemoSignInBody = parse(&body)?;
    let customer = s.sign_in.sign_in(&req.customer_id)?;
    session::sign_in(&cx.session, &customer).await?;
    Ok(Json(json!({"customerId": customer})).into_response())
}

/// `POST /api/demo/sign-out`: ends the session (its checkouts too).
async fn demo_sign_out(cx: Cx, body: Bytes) -> ApiResult {
    let _: Empty = parse(&body)?;
    session::sign_out(&cx.session).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// How long a readiness answer is reused: probes (or anyone) calling
/// `/readyz` often cost the provider one call per second at most.
const READY_FOR: std::time::Duration = std::time::Duration::from_secs(1);

/// 200 when the provider answers (anything but 401, 403, 5xx or nothing),
/// checked at most once per [`READY_FOR`].
async fn readyz(State(s): St) -> Response {
    let mut last = s.readiness.lock().await;
    let ready = match *last {
        Some((at, ready)) if at.elapsed() < READY_FOR => ready,
        _ => {
            let out = s
                .upstream
                .send(Call::get("/orders?checkoutId=readyz"))
                .await;
            let ready = out.is_ok_and(|a| {
                !a.status.is_server_error()
                    && a.status != StatusCode::UNAUTHORIZED
                    && a.status != StatusCode::FORBIDDEN
            });
            *last = Some((std::time::Instant::now(), ready));
            ready
        }
    };
    drop(last);
    if ready {
        (StatusCode::OK, "ready").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "upstream unavailable").into_response()
    }
}
