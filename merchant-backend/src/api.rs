//! The browser-facing API under `/api`, plus `/healthz` and `/readyz`.
//!
//! Every route parses its body into its own typed request with
//! `deny_unknown_fields` (an unknown field is a 400 naming it: notably a
//! `price` on an item and a `customerId` on a checkout are **rejected**, never
//! forwarded), and builds the provider's request body itself.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::error::ApiError;
use crate::session::{SessionId, COOKIE};
use crate::upstream::{Answer, NoAnswer};
use crate::{AppState, MAX_BODY};

type St = State<Arc<AppState>>;
type ApiResult = Result<Response, ApiError>;

/// The address the request came from: the peer, or the `X-Forwarded-For`
/// client when the peer is a trusted proxy (a request extension).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub Option<IpAddr>);

/// The whole app: `/api/...`, `/healthz`, `/readyz`. Serve it with
/// [`crate::serve`] (or `into_make_service_with_connect_info::<SocketAddr>()`)
/// so `browserIp` can be taken from the connection.
pub fn router(state: Arc<AppState>) -> Router {
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
    let api = api
        .fallback(|| async { ApiError::not_found("Resource") })
        .method_not_allowed_fallback(|| async { ApiError::method_not_allowed() })
        .layer(middleware::from_fn_with_state(state.clone(), session_layer))
        .layer(middleware::from_fn(limit_body))
        .layer(middleware::map_response(no_store));
    Router::new()
        .nest("/api", api)
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .with_state(state)
}

/// Whether an id from a path or body is safe to put in an upstream path:
/// 1 to 128 ASCII letters, digits, `_` or `-`.
pub fn safe_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

async fn no_store(mut resp: Response) -> Response {
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// Reads at most [`MAX_BODY`] bytes of the body; more is a 413.
async fn limit_body(req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BODY) {
        return ApiError::too_large().into_response();
    }
    match Limited::new(body, MAX_BODY).collect().await {
        Ok(c) => {
            next.run(Request::from_parts(parts, Body::from(c.to_bytes())))
                .await
        }
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
            ApiError::too_large().into_response()
        }
        Err(_) => ApiError::bad_request("invalid_request", "The request body could not be read.")
            .into_response(),
    }
}

/// Finds or starts the session, works out the client IP, and sets the cookie
/// on the answer when a new session recorded something.
async fn session_layer(State(s): St, mut req: Request, next: Next) -> Response {
    let existing = req
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().strip_prefix(COOKIE)?.strip_prefix('='))
        .find_map(|v| s.sessions.verify(v));
    let (id, fresh) = match existing {
        Some(id) => (id, false),
        None => (s.sessions.create(), true),
    };
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let ip = client_ip(peer, req.headers(), &s.config.trusted_proxies);
    req.extensions_mut().insert(ClientIp(ip));
    req.extensions_mut().insert(SessionId(id.clone()));
    let mut resp = next.run(req).await;
    if fresh && s.sessions.exists(&id) && !resp.headers().contains_key(header::SET_COOKIE) {
        if let Ok(v) = HeaderValue::from_str(&s.sessions.set_cookie(&id)) {
            resp.headers_mut().insert(header::SET_COOKIE, v);
        }
    }
    resp
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

/// A shipping choice as the browser may send it.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ShippingChoice {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    amount: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    service_level: Option<String>,
}

/// A cart line: a SKU and a quantity; the price comes from the catalogue.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CartItem {
    sku_id: String,
    #[serde(default = "one")]
    quantity: u32,
}

fn one() -> u32 {
    1
}

/// `POST /api/checkouts`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CreateCheckout {
    currency: String,
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
    items: Vec<Value>,
}

/// `POST /api/checkouts/{id}`: only the fields to change.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct UpdateCheckout {
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

/// A contact, checked and re-serialised (only known fields reach the provider).
fn contact(v: Value, name: &str) -> Result<Value, ApiError> {
    let mut c: Contact = typed(v, &format!("{name}."))?;
    if let Some(a) = c.address.take() {
        let a: Address = typed(a, &format!("{name}.address."))?;
        c.address = Some(serde_json::to_value(a).unwrap_or_default());
    }
    Ok(serde_json::to_value(c).unwrap_or_default())
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
            "price": product.price as f64 / 100.0,
            "productDetails": details,
        }));
    }
    Ok(Value::Array(out))
}

/// The shared optional fields of create and update, into `body`.
fn common_fields(
    body: &mut Map<String, Value>,
    email: Option<String>,
    locale: Option<String>,
    bill_to: Option<Value>,
    ship_to: Option<Value>,
    shipping_choice: Option<Value>,
) -> Result<(), ApiError> {
    if let Some(e) = email {
        body.insert("email".into(), e.into());
    }
    if let Some(l) = locale {
        body.insert("locale".into(), l.into());
    }
    if let Some(b) = bill_to {
        body.insert("billTo".into(), contact(b, "billTo")?);
    }
    if let Some(b) = ship_to {
        body.insert("shipTo".into(), contact(b, "shipTo")?);
    }
    if let Some(c) = shipping_choice {
        let c: ShippingChoice = typed(c, "shippingChoice.")?;
        body.insert(
            "shippingChoice".into(),
            serde_json::to_value(c).unwrap_or_default(),
        );
    }
    Ok(())
}

/// A provider answer made fit for the browser: 2xx JSON passes through (204
/// stays empty); a contract-shaped 4xx (not 401/403) passes through reduced to
/// `type`/`code`/`parameter`/`message`; 503 becomes 503 + `Retry-After`;
/// anything else (401, 403, 5xx, HTML, garbage, no answer) the generic 502.
fn relay(out: Result<Answer, NoAnswer>) -> ApiResult {
    let a = out.map_err(|NoAnswer| ApiError::unavailable())?;
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
    Err(ApiError::unavailable())
}

fn owned_checkout(s: &AppState, sid: &SessionId, id: &str) -> Result<(), ApiError> {
    if safe_id(id) && s.sessions.owns_checkout(&sid.0, id) {
        Ok(())
    } else {
        Err(ApiError::not_found("Checkout"))
    }
}

fn owned_customer(s: &AppState, sid: &SessionId, id: &str) -> Result<(), ApiError> {
    if safe_id(id) && s.sessions.customer(&sid.0).as_deref() == Some(id) {
        Ok(())
    } else {
        Err(ApiError::not_found("Customer"))
    }
}

async fn create_checkout(
    State(s): St,
    Extension(sid): Extension<SessionId>,
    Extension(ip): Extension<ClientIp>,
    body: Bytes,
) -> ApiResult {
    let req: CreateCheckout = parse(&body)?;
    let mut up = Map::new();
    up.insert("currency".into(), req.currency.into());
    common_fields(
        &mut up,
        req.email,
        req.locale,
        req.bill_to,
        req.ship_to,
        req.shipping_choice,
    )?;
    up.insert("items".into(), priced_items(&s, req.items)?);
    if let Some(c) = s.sessions.customer(&sid.0) {
        up.insert("customerId".into(), c.into());
    }
    if let Some(ip) = ip.0 {
        up.insert("browserIp".into(), ip.to_string().into());
    }
    let key = crate::random_hex(16);
    let out = s
        .upstream
        .post("/checkouts", Some(&Value::Object(up)), Some(&key))
        .await;
    if let Ok(a) = &out {
        if a.status.is_success() {
            let id = a
                .json()
                .and_then(|v| v.get("id").and_then(Value::as_str).map(str::to_owned));
            match id {
                Some(id) if safe_id(&id) => s.sessions.add_checkout(&sid.0, &id),
                _ => return Err(ApiError::unavailable()),
            }
        }
    }
    relay(out)
}

async fn get_checkout(
    State(s): St,
    Extension(sid): Extension<SessionId>,
    Path(id): Path<String>,
) -> ApiResult {
    owned_checkout(&s, &sid, &id)?;
    relay(s.upstream.get(&format!("/checkouts/{id}")).await)
}

async fn update_checkout(
    State(s): St,
    Extension(sid): Extension<SessionId>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    owned_checkout(&s, &sid, &id)?;
    let req: UpdateCheckout = parse(&body)?;
    let mut up = Map::new();
    common_fields(
        &mut up,
        req.email,
        req.locale,
        req.bill_to,
        req.ship_to,
        req.shipping_choice,
    )?;
    if let Some(items) = req.items {
        up.insert("items".into(), priced_items(&s, items)?);
    }
    relay(
        s.upstream
            .post(&format!("/checkouts/{id}"), Some(&Value::Object(up)), None)
            .await,
    )
}

async fn attach_source(
    State(s): St,
    Extension(sid): Extension<SessionId>,
    Path((id, source)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    owned_checkout(&s, &sid, &id)?;
    if !safe_id(&source) {
        return Err(ApiError::not_found("Source"));
    }
    let _: Empty = parse(&body)?;
    relay(
        s.upstream
            .post(&format!("/checkouts/{id}/sources/{source}"), None, None)
            .await,
    )
}

/// `POST /orders`, never retried. When the provider gives no answer or a 5xx,
/// the outcome is unknown: the order is looked up by checkout id first, and
/// found means 201 with it.
async fn create_order(
    State(s): St,
    Extension(sid): Extension<SessionId>,
    body: Bytes,
) -> ApiResult {
    let req: CreateOrder = parse(&body)?;
    owned_checkout(&s, &sid, &req.checkout_id)
        .map_err(|_| ApiError::not_found("Checkout").with_param("checkoutId"))?;
    let id = req.checkout_id;
    let out = s
        .upstream
        .post("/orders", Some(&json!({"checkoutId": id})), None)
        .await;
    let unknown = match &out {
        Err(NoAnswer) => true,
        Ok(a) => a.status.is_server_error(),
    };
    if !unknown {
        return relay(out);
    }
    let found = s
        .upstream
        .get(&format!("/orders?checkoutId={id}"))
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

async fn list_orders(
    State(s): St,
    Extension(sid): Extension<SessionId>,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult {
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
    owned_checkout(&s, &sid, id)?;
    relay(s.upstream.get(&format!("/orders?checkoutId={id}")).await)
}

async fn get_customer(
    State(s): St,
    Extension(sid): Extension<SessionId>,
    Path(id): Path<String>,
) -> ApiResult {
    owned_customer(&s, &sid, &id)?;
    relay(s.upstream.get(&format!("/customers/{id}")).await)
}

async fn save_source(
    State(s): St,
    Extension(sid): Extension<SessionId>,
    Path((id, source)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    owned_customer(&s, &sid, &id)?;
    if !safe_id(&source) {
        return Err(ApiError::not_found("Source"));
    }
    let _: Empty = parse(&body)?;
    relay(
        s.upstream
            .post(&format!("/customers/{id}/sources/{source}"), None, None)
            .await,
    )
}

async fn remove_source(
    State(s): St,
    Extension(sid): Extension<SessionId>,
    Path((id, source)): Path<(String, String)>,
) -> ApiResult {
    owned_customer(&s, &sid, &id)?;
    if !safe_id(&source) {
        return Err(ApiError::not_found("Source"));
    }
    relay(
        s.upstream
            .delete(&format!("/customers/{id}/sources/{source}"))
            .await,
    )
}

/// `POST /api/demo/sign-in {"customerId"}`: signs the session in (under a new
/// session id) as whoever [`crate::SignIn`] says.
async fn demo_sign_in(
    State(s): St,
    Extension(sid): Extension<SessionId>,
    body: Bytes,
) -> ApiResult {
    let req: DemoSignInBody = parse(&body)?;
    let customer = s.sign_in.sign_in(&req.customer_id)?;
    let new_id = s.sessions.sign_in(&sid.0, &customer);
    let mut resp = Json(json!({"customerId": customer})).into_response();
    if let Ok(v) = HeaderValue::from_str(&s.sessions.set_cookie(&new_id)) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(resp)
}

/// `POST /api/demo/sign-out`: ends the session (its checkouts too).
async fn demo_sign_out(
    State(s): St,
    Extension(sid): Extension<SessionId>,
    body: Bytes,
) -> ApiResult {
    let _: Empty = parse(&body)?;
    s.sessions.sign_out(&sid.0);
    let mut resp = StatusCode::NO_CONTENT.into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0"
    )) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(resp)
}

/// 200 when the provider answers (anything but 401, 403, 5xx or nothing).
async fn readyz(State(s): St) -> Response {
    let out = s
        .upstream
        .send(
            axum::http::Method::GET,
            "/orders?checkoutId=readyz",
            None,
            None,
        )
        .await;
    let ready = out.is_ok_and(|a| {
        !a.status.is_server_error()
            && a.status != StatusCode::UNAUTHORIZED
            && a.status != StatusCode::FORBIDDEN
    });
    if ready {
        (StatusCode::OK, "ready").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "upstream unavailable").into_response()
    }
}
