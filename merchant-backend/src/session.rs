//! Browser sessions: a signed cookie naming an in-memory record of the
//! checkouts the session created and the customer it is signed in as, and the
//! pluggable [`SignIn`].

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};

use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// The session cookie's name.
pub const COOKIE: &str = "mb_session";

/// What one browser session may touch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionData {
    /// Checkout ids this session created.
    pub checkouts: HashSet<String>,
    /// The signed-in shopper, if any.
    pub customer_id: Option<String>,
}

/// The id of the current request's session (a request extension).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionId(pub String);

/// All sessions, in memory, and the key that signs their cookies.
pub struct Sessions {
    key: [u8; 32],
    map: Mutex<HashMap<String, SessionData>>,
}

impl Default for Sessions {
    fn default() -> Self {
        Self::new()
    }
}

impl Sessions {
    /// No sessions, and a fresh random signing key.
    pub fn new() -> Self {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).expect("the OS random source");
        Self {
            key,
            map: Mutex::default(),
        }
    }

    fn map(&self) -> MutexGuard<'_, HashMap<String, SessionData>> {
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A fresh session id. Nothing is stored until the session records
    /// something (a checkout, a sign-in), so cookie-less requests cost no memory.
    pub fn create(&self) -> String {
        crate::random_hex(16)
    }

    /// Whether session `id` has been stored (recorded something).
    pub fn exists(&self, id: &str) -> bool {
        self.map().contains_key(id)
    }

    /// How many sessions are stored.
    pub fn len(&self) -> usize {
        self.map().len()
    }

    /// Whether no session is stored.
    pub fn is_empty(&self) -> bool {
        self.map().is_empty()
    }

    /// The cookie value for session `id`: `id.signature`.
    pub fn cookie_value(&self, id: &str) -> String {
        format!("{id}.{}", crate::hex(&hmac(&self.key, id.as_bytes())))
    }

    /// The full `Set-Cookie` header value for session `id`.
    pub fn set_cookie(&self, id: &str) -> String {
        format!(
            "{COOKIE}={}; HttpOnly; SameSite=Lax; Path=/",
            self.cookie_value(id)
        )
    }

    /// The session a cookie value names, if its signature is right and the
    /// session exists.
    pub fn verify(&self, value: &str) -> Option<String> {
        let (id, sig) = value.split_once('.')?;
        let expected = crate::hex(&hmac(&self.key, id.as_bytes()));
        if !constant_time_eq(expected.as_bytes(), sig.as_bytes()) {
            return None;
        }
        self.map().contains_key(id).then(|| id.to_owned())
    }

    /// A copy of session `id`'s data.
    pub fn get(&self, id: &str) -> SessionData {
        self.map().get(id).cloned().unwrap_or_default()
    }

    /// Whether session `id` created checkout `checkout_id`.
    pub fn owns_checkout(&self, id: &str, checkout_id: &str) -> bool {
        self.map()
            .get(id)
            .is_some_and(|s| s.checkouts.contains(checkout_id))
    }

    /// Records that session `id` created `checkout_id`.
    pub fn add_checkout(&self, id: &str, checkout_id: &str) {
        self.map()
            .entry(id.to_owned())
            .or_default()
            .checkouts
            .insert(checkout_id.to_owned());
    }

    /// The customer session `id` is signed in as.
    pub fn customer(&self, id: &str) -> Option<String> {
        self.map().get(id).and_then(|s| s.customer_id.clone())
    }

    /// Signs session `id` in as `customer_id` under a new session id (against
    /// session fixation); the old id stops working. Returns the new id.
    pub fn sign_in(&self, id: &str, customer_id: &str) -> String {
        let new_id = crate::random_hex(16);
        let mut map = self.map();
        let mut data = map.remove(id).unwrap_or_default();
        data.customer_id = Some(customer_id.to_owned());
        map.insert(new_id.clone(), data);
        new_id
    }

    /// Ends session `id` entirely (its checkouts included).
    pub fn sign_out(&self, id: &str) {
        self.map().remove(id);
    }
}

/// HMAC-SHA256 (RFC 2104) with a 32-byte key.
fn hmac(key: &[u8; 32], msg: &[u8]) -> [u8; 32] {
    let mut ipad = [0x36u8; 64];
    let mut opad = [0x5cu8; 64];
    for (i, k) in key.iter().enumerate() {
        ipad[i] ^= k;
        opad[i] ^= k;
    }
    let inner = Sha256::new()
        .chain_update(ipad)
        .chain_update(msg)
        .finalize();
    Sha256::new()
        .chain_update(opad)
        .chain_update(inner)
        .finalize()
        .into()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// How a shopper proves who they are. A real merchant plugs its own login in
/// here; the backend only trusts the customer id this returns.
pub trait SignIn: Send + Sync {
    /// The customer id the claimed `customer_id` signs in as, or an error
    /// answer (e.g. 401) to send to the browser.
    fn sign_in(&self, customer_id: &str) -> Result<String, ApiError>;
}

/// The demo page's sign-in: any well-formed customer id is accepted as is.
/// Only for demos (enable with [`crate::Config::demo_sign_in`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct DemoSignIn;

impl SignIn for DemoSignIn {
    fn sign_in(&self, customer_id: &str) -> Result<String, ApiError> {
        if crate::api::safe_id(customer_id) {
            Ok(customer_id.to_owned())
        } else {
            Err(ApiError::bad_param(
                "invalid_parameter",
                "customerId",
                "Invalid customer id.",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc4231_test_case_2() {
        // Key "Jefe" (zero-padded, as HMAC pads short keys anyway).
        let mut key = [0u8; 32];
        key[..4].copy_from_slice(b"Jefe");
        let mac = crate::hex(&hmac(&key, b"what do ya want for nothing?"));
        assert_eq!(
            mac,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn cookies_verify_only_with_the_right_signature() {
        let s = Sessions::new();
        let id = s.create();
        assert_eq!(s.verify(&s.cookie_value(&id)), None, "not stored yet");
        s.add_checkout(&id, "chk_1");
        assert!(s.owns_checkout(&id, "chk_1"));
        let v = s.cookie_value(&id);
        assert_eq!(s.verify(&v), Some(id.clone()));
        let forged = format!("{id}.{}", "0".repeat(64));
        assert_eq!(s.verify(&forged), None);
        let other = Sessions::new();
        assert_eq!(other.verify(&v), None, "another key");
        let new_id = s.sign_in(&id, "cus_1");
        assert_eq!(s.verify(&v), None, "rotated on sign-in");
        assert_eq!(s.customer(&new_id).as_deref(), Some("cus_1"));
    }
}
