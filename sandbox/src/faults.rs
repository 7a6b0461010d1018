//! Scripted faults and the request log: the test-only control surface's data.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What a matching request gets instead of (or on top of) normal handling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Fault {
    /// Answer at once with this status and body; nothing is processed.
    #[serde(rename_all = "camelCase")]
    Status {
        /// HTTP status.
        status: u16,
        /// Raw body (JSON, HTML, anything).
        #[serde(default)]
        body: String,
        /// Content type of `body`.
        #[serde(default = "json_type")]
        content_type: String,
        /// Seconds for a `Retry-After` header.
        #[serde(default)]
        retry_after: Option<u32>,
    },
    /// Wait this long, then process normally.
    Delay {
        /// Milliseconds.
        ms: u64,
    },
    /// Close the connection without processing or answering.
    Close,
    /// Process normally (commit), then cut the connection halfway through the
    /// response body: the client cannot know the outcome.
    Lost,
    /// Process normally, then send a truncated, unparseable JSON body.
    Malformed,
    /// Process normally, then send the status with an empty body.
    Empty,
}

/// Which of the sandbox's three roles served a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// The merchant's backend (`/api` on the merchant origin).
    Merchant,
    /// The payment provider's browser-facing API (`POST /sources`, ...).
    Payments,
    /// The card issuer's 3-D Secure server (the challenge page).
    Acs,
}

impl Origin {
    /// `merchant`, `payments` or `acs`, as in the log and in rules.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Merchant => "merchant",
            Self::Payments => "payments",
            Self::Acs => "acs",
        }
    }
}

fn json_type() -> String {
    "application/json".into()
}

/// A rule: which requests a fault applies to, and how many times.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    /// Only requests served by this origin; absent means any origin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
    /// HTTP method, e.g. `POST`.
    pub method: String,
    /// Path relative to the origin's API base (`/api`; the ACS: its root);
    /// `*` matches one segment, e.g. `/checkouts/*/sources/*`.
    pub path: String,
    /// How many matching requests get the fault (default 1).
    #[serde(default = "one")]
    pub times: u32,
    /// Let this many matching requests through untouched first (default 0).
    #[serde(default)]
    pub skip: u32,
    /// The fault.
    pub fault: Fault,
}

fn one() -> u32 {
    1
}

/// Whether `path` matches `pattern` segment by segment.
pub fn path_matches(pattern: &str, path: &str) -> bool {
    let mut p = pattern.trim_end_matches('/').split('/');
    let mut s = path.trim_end_matches('/').split('/');
    loop {
        match (p.next(), s.next()) {
            (None, None) => return true,
            (Some(a), Some(b)) if a == "*" || a == b => {}
            _ => return false,
        }
    }
}

/// The active rules, consumed as they fire.
#[derive(Debug, Default)]
pub struct Faults {
    rules: Vec<Rule>,
}

impl Faults {
    /// Adds a rule after the existing ones.
    pub fn push(&mut self, rule: Rule) {
        self.rules.push(rule);
    }

    /// Removes every rule.
    pub fn clear(&mut self) {
        self.rules.clear();
    }

    /// The rules still armed.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The fault for this request, if a rule fires; decrements its count.
    pub fn take(&mut self, origin: Origin, method: &str, path: &str) -> Option<Fault> {
        let idx = self.rules.iter().position(|r| {
            r.origin.is_none_or(|o| o == origin)
                && r.method.eq_ignore_ascii_case(method)
                && path_matches(&r.path, path)
        })?;
        let rule = &mut self.rules[idx];
        if rule.skip > 0 {
            rule.skip -= 1;
            return None;
        }
        let fault = rule.fault.clone();
        rule.times = rule.times.saturating_sub(1);
        if rule.times == 0 {
            self.rules.remove(idx);
        }
        Some(fault)
    }
}

/// One API request as the sandbox received it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEntry {
    /// Order of arrival, from 1.
    pub seq: u64,
    /// Milliseconds since the sandbox started.
    pub at_ms: u64,
    /// The origin that served it.
    pub origin: Origin,
    /// HTTP method.
    pub method: String,
    /// Path relative to the origin's API base, e.g. `/orders`, `/sources`
    /// (payments) or `/challenge` (ACS).
    pub path: String,
    /// Raw query string, if any.
    pub query: Option<String>,
    /// The `Authorization` header, if any.
    pub authorization: Option<String>,
    /// The body as text (the sandbox is a test double: it keeps card data in
    /// memory so tests can prove it went only to `POST /sources`).
    pub body: String,
    /// Parsed body, when it was JSON.
    pub json: Option<Value>,
    /// Status sent; 0 when the connection was closed without a response.
    pub status: u16,
    /// The fault applied, if any.
    pub fault: Option<Fault>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_one_segment() {
        assert!(path_matches("/checkouts/*", "/checkouts/chk_1"));
        assert!(path_matches(
            "/checkouts/*/sources/*",
            "/checkouts/a/sources/b"
        ));
        assert!(!path_matches("/checkouts/*", "/checkouts/a/sources/b"));
        assert!(!path_matches("/checkouts/*", "/checkouts"));
        assert!(path_matches("/orders", "/orders/"));
    }

    #[test]
    fn rules_fire_the_given_number_of_times_after_skipping() {
        let mut f = Faults::default();
        f.push(Rule {
            origin: None,
            method: "POST".into(),
            path: "/orders".into(),
            times: 2,
            skip: 1,
            fault: Fault::Close,
        });
        let m = Origin::Merchant;
        assert_eq!(f.take(m, "GET", "/orders"), None, "method must match");
        assert_eq!(f.take(m, "POST", "/orders"), None, "first one skipped");
        assert_eq!(f.take(m, "post", "/orders"), Some(Fault::Close));
        assert_eq!(
            f.take(Origin::Payments, "POST", "/orders"),
            Some(Fault::Close),
            "no origin: any origin"
        );
        assert_eq!(f.take(m, "POST", "/orders"), None, "exhausted");
        assert!(f.rules().is_empty());
    }

    #[test]
    fn a_rule_with_an_origin_fires_only_there() {
        let mut f = Faults::default();
        f.push(
            serde_json::from_str(
                r#"{"origin":"payments","method":"POST","path":"/sources","fault":{"kind":"close"}}"#,
            )
            .unwrap(),
        );
        assert_eq!(f.take(Origin::Merchant, "POST", "/sources"), None);
        assert_eq!(f.take(Origin::Acs, "POST", "/sources"), None);
        assert_eq!(f.rules().len(), 1, "a miss elsewhere does not use it up");
        assert_eq!(
            f.take(Origin::Payments, "POST", "/sources"),
            Some(Fault::Close)
        );
        assert!(serde_json::from_str::<Rule>(
            r#"{"origin":"elsewhere","method":"GET","path":"/","fault":{"kind":"close"}}"#
        )
        .is_err());
    }

    #[test]
    fn fault_json_shape() {
        let r: Rule = serde_json::from_str(
            r#"{"method":"POST","path":"/orders","fault":{"kind":"status","status":503,"retryAfter":2}}"#,
        )
        .unwrap();
        assert_eq!(r.times, 1);
        assert_eq!(r.origin, None);
        assert_eq!(
            r.fault,
            Fault::Status {
                status: 503,
                body: String::new(),
                content_type: "application/json".into(),
                retry_after: Some(2)
            }
        );
    }
}
