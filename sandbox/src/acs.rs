//! The card issuer's 3-D Secure server (the ACS): the challenge page the card
//! frame shows in a nested iframe, and its form. The test password is `password`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;

use crate::faults::Origin;
use crate::routes::{api_layer, escape_html, html_page, AllowFraming, ApiCtx, Shr};
use crate::store::ChallengeOutcome;
use crate::{csp, Shared};

/// The test password that passes a challenge.
const PASSWORD: &str = "password";

/// `/challenge` (GET: the page; POST: the form) and `/acs.css`, logged and
/// faultable as origin `acs`. Relative links, so it also works under `/acs`.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let ctx = ApiCtx {
        shared: shared.clone(),
        origin: Origin::Acs,
        payments_here: false,
    };
    Router::new()
        .route("/challenge", get(show).post(submit))
        .route("/acs.css", get(stylesheet))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(ctx, api_layer))
        .with_state(shared)
}

/// The ACS's answers: its CSP, framable by the card frame inside an allowed
/// merchant page.
fn page(s: &Shared, status: StatusCode, title: &str, body: &str) -> Response {
    let policy = csp::acs_csp(&s.origins.payments, &s.origins.allowed);
    let html = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} \u{2013} Sandbox Bank</title>\n\
         <link rel=\"stylesheet\" href=\"acs.css\">\n</head>\n<body>\n<main aria-label=\"Card verification\">\n{body}\n</main>\n\
         </body>\n</html>\n"
    );
    let mut resp = html_page(status, html, &policy);
    resp.extensions_mut().insert(AllowFraming);
    resp
}

fn bad_link(s: &Shared) -> Response {
    page(
        s,
        StatusCode::BAD_REQUEST,
        "Verification link not valid",
        "<h1>This verification link is not valid</h1>\n\
         <p>It may have been used already. Go back to the checkout and try again.</p>",
    )
}

/// `GET /challenge?sourceId=&token=`.
async fn show(State(s): Shr, Query(q): Query<HashMap<String, String>>) -> Response {
    let (Some(source_id), Some(token)) = (q.get("sourceId"), q.get("token")) else {
        return bad_link(&s);
    };
    let Some(info) = s.store().challenge(source_id, token) else {
        return bad_link(&s);
    };
    let body = format!(
        "<h1>Verify your card</h1>\n\
         <p>Sandbox Bank needs to check that it is you paying {amount} with your {brand} \
         ending in {last4}.</p>\n\
         <form method=\"post\" action=\"challenge\">\n\
         <input type=\"hidden\" name=\"sourceId\" value=\"{id}\">\n\
         <input type=\"hidden\" name=\"token\" value=\"{token}\">\n\
         <label for=\"password\">Password</label>\n\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"off\" \
         aria-describedby=\"hint\" autofocus>\n\
         <p id=\"hint\" class=\"hint\">This is a test bank: the password is \
         <code>{PASSWORD}</code>.</p>\n\
         <div class=\"actions\">\n\
         <button type=\"submit\" name=\"action\" value=\"submit\">Submit</button>\n\
         <button type=\"submit\" name=\"action\" value=\"cancel\" formnovalidate>Cancel</button>\n\
         </div>\n</form>",
        amount = escape_html(&info.amount),
        brand = escape_html(info.brand),
        last4 = escape_html(&info.last_four),
        id = escape_html(source_id),
        token = escape_html(token),
    );
    page(&s, StatusCode::OK, "Verify your card", &body)
}

/// The challenge form.
#[derive(Deserialize)]
struct Challenge {
    #[serde(rename = "sourceId")]
    source_id: String,
    token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    action: String,
}

/// `POST /challenge`: checks the password, then sends the browser to the payments
/// origin's `/3ds/return` (that fixed URL only).
async fn submit(State(s): Shr, form: Result<Form<Challenge>, FormRejection>) -> Response {
    let Ok(Form(form)) = form else {
        return bad_link(&s);
    };
    let outcome = if form.action == "cancel" {
        ChallengeOutcome::Cancelled
    } else if form.password == PASSWORD {
        ChallengeOutcome::Passed
    } else {
        ChallengeOutcome::Failed
    };
    if s.store()
        .finish_challenge(&form.source_id, &form.token, outcome)
        .is_err()
    {
        return bad_link(&s);
    }
    let location = format!(
        "{}/3ds/return?sourceId={}&outcome={}",
        s.origins.payments,
        encode_component(&form.source_id),
        outcome.as_str()
    );
    let mut resp = StatusCode::SEE_OTHER.into_response();
    match HeaderValue::from_str(&location) {
        Ok(v) => resp.headers_mut().insert(header::LOCATION, v),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp.extensions_mut().insert(AllowFraming);
    resp
}

/// Percent-encodes everything but unreserved characters.
fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

const STYLESHEET: &str = "\
:root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.4; }
body { margin: 0; padding: 1rem; }
main { max-inline-size: 26rem; margin-inline: auto; }
h1 { font-size: 1.25rem; margin-block: 0 0.5rem; }
label { display: block; font-weight: 600; margin-block-end: 0.25rem; }
input[type=password] { font: inherit; inline-size: 100%; box-sizing: border-box;
  padding: 0.5rem; border: 1px solid; border-radius: 4px; }
.hint { font-size: 0.875rem; margin-block: 0.25rem 0; }
.actions { display: flex; gap: 0.5rem; margin-block-start: 1rem; }
button { font: inherit; padding: 0.5rem 1rem; border: 1px solid; border-radius: 4px; cursor: pointer; }
button[value=submit] { background: #0b5cad; color: #fff; border-color: #0b5cad; }
:focus-visible { outline: 3px solid #0b5cad; outline-offset: 2px; }
@media (forced-colors: active) { button[value=submit] { background: ButtonFace; color: ButtonText; } }
";

async fn stylesheet() -> Response {
    let mut resp = STYLESHEET.into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    resp
}

async fn not_found(State(s): Shr) -> Response {
    page(
        &s,
        StatusCode::NOT_FOUND,
        "Not found",
        "<h1>Not found</h1>\n<p>This page does not exist.</p>",
    )
}

#[cfg(test)]
mod tests {
    use super::encode_component;

    #[test]
    fn components_are_percent_encoded() {
        assert_eq!(encode_component("src_01ab"), "src_01ab");
        assert_eq!(encode_component("a&b=c d/é"), "a%26b%3Dc%20d%2F%C3%A9");
    }
}
