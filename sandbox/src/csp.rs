//! The Content-Security-Policy of every page the sandbox serves (embedding.md,
//! "Styling and security").
//!
//! `frame-ancestors` is checked by browsers against *every* ancestor of a frame,
//! not only its parent. The pages that load inside the card frame (the ACS
//! challenge and `/3ds/return`) therefore list the merchant origins too: their
//! top-level ancestor is the merchant page.

/// The merchant page policy of a single-origin sandbox (the card frame on the
/// page's own origin): [`merchant_csp`]`("'self'")`.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-src 'self'; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'";

/// The merchant page policy: no inline script or style, no eval, wasm allowed,
/// requests to this origin only, frames from the payments origin only.
pub fn merchant_csp(payments_origin: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
         connect-src 'self'; img-src 'self' data:; frame-src {payments_origin}; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
    )
}

/// `card-frame.html` on the payments origin, framed by `merchant_origin` only;
/// it frames the ACS challenge, which comes back to `/3ds/return` ('self').
pub fn card_frame_csp(acs_origin: &str, merchant_origin: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; frame-src {acs_origin} 'self'; \
         frame-ancestors {merchant_origin}"
    )
}

/// The answer to a `card-frame.html` request from a merchant origin that is not
/// allowed: nothing may frame it.
pub const REFUSED_FRAME_CSP: &str =
    "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Any other page of the payments origin's `dist/`: strict, and not frameable.
pub const PAYMENTS_PAGE_CSP: &str = "default-src 'self'; \
    script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'; \
    img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; \
    frame-ancestors 'none'";

/// `/3ds/return` on the payments origin: one external script, framed by the
/// card frame ('self') inside an allowed merchant page.
pub fn three_ds_return_csp(merchant_origins: &[String]) -> String {
    format!(
        "default-src 'none'; script-src 'self'; base-uri 'none'; form-action 'none'; \
         frame-ancestors 'self' {}",
        merchant_origins.join(" ")
    )
}

/// The ACS challenge page: its own stylesheet, a form that posts to itself and
/// is redirected to the payments origin, framed by the card frame (payments
/// origin) inside an allowed merchant page.
pub fn acs_csp(payments_origin: &str, merchant_origins: &[String]) -> String {
    format!(
        "default-src 'self'; style-src 'self'; form-action 'self' {payments_origin}; \
         frame-ancestors {payments_origin} {}",
        merchant_origins.join(" ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_single_origin_policy_is_the_merchant_policy_framing_self() {
        assert_eq!(CSP, merchant_csp("'self'"));
        let p = merchant_csp("http://localhost:8788");
        assert!(p.contains("; frame-src http://localhost:8788;"), "{p}");
        assert!(!p.contains("unsafe-inline") && !p.contains("'unsafe-eval'"));
    }

    #[test]
    fn frame_policies_name_their_ancestors() {
        let p = card_frame_csp("http://127.0.0.1:3", "http://127.0.0.1:1");
        assert!(p.ends_with("frame-ancestors http://127.0.0.1:1"), "{p}");
        assert!(p.contains("frame-src http://127.0.0.1:3 'self'"), "{p}");
        let m = vec![
            "http://127.0.0.1:1".to_owned(),
            "http://a.example".to_owned(),
        ];
        assert!(three_ds_return_csp(&m)
            .ends_with("frame-ancestors 'self' http://127.0.0.1:1 http://a.example"));
        let a = acs_csp("http://localhost:2", &m);
        assert!(a.contains("form-action 'self' http://localhost:2;"), "{a}");
        assert!(
            a.ends_with("frame-ancestors http://localhost:2 http://127.0.0.1:1 http://a.example")
        );
    }
}
