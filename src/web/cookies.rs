//! Signed cookies (HMAC-SHA256 with the installation's key) and their headers.

use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const SESSION: &str = "hv_session";
pub const CSRF: &str = "hv_csrf";
/// Set at a successful login: this browser is known for that phone number (its tries are
/// counted apart from everyone else's, and the per-number limit does not hold it back).
pub const DEVICE: &str = "hv_device";
/// A phone number proved by a code sent by SMS, for finishing a registration (30 minutes).
pub const PHONE: &str = "hv_phone";

type HmacSha256 = Hmac<Sha256>;

fn mac(key: &[u8], name: &str, value: &str) -> Option<HmacSha256> {
    let mut m = HmacSha256::new_from_slice(key).ok()?;
    m.update(name.as_bytes());
    m.update(b"=");
    m.update(value.as_bytes());
    Some(m)
}

/// `value.signature` (first 16 bytes of the MAC, hex).
pub fn sign(key: &[u8], name: &str, value: &str) -> String {
    let sig = mac(key, name, value)
        .map(|m| crate::services::hex(&m.finalize().into_bytes()[..16]))
        .unwrap_or_default();
    format!("{value}.{sig}")
}

/// The value of a signed cookie, if its signature is right.
pub fn verify(key: &[u8], name: &str, signed: &str) -> Option<String> {
    let (value, sig) = signed.rsplit_once('.')?;
    if sig.len() != 32 {
        return None;
    }
    let sig_bytes = crate::services::unhex(sig)?;
    mac(key, name, value)?
        .verify_truncated_left(&sig_bytes)
        .ok()
        .map(|()| value.to_owned())
}

/// A cookie's raw value from the request.
pub fn get<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Adds a `Set-Cookie` header. `max_age` None = until the browser closes; Some(0) deletes.
pub fn set(headers: &mut HeaderMap, name: &str, value: &str, max_age: Option<i64>, secure: bool) {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    if let Ok(v) = HeaderValue::from_str(&c) {
        headers.append(SET_COOKIE, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_and_verify() {
        let key = [7u8; 32];
        let s = sign(&key, SESSION, "abc");
        assert_eq!(verify(&key, SESSION, &s), Some("abc".to_owned()));
        assert_eq!(verify(&key, CSRF, &s), None, "bound to the cookie name");
        assert_eq!(verify(&[8u8; 32], SESSION, &s), None);
        assert_eq!(verify(&key, SESSION, "abc.00"), None);
        let tampered = s.replacen("abc", "abd", 1);
        assert_eq!(verify(&key, SESSION, &tampered), None);
    }

    #[test]
    fn reads_cookie_header() {
        let mut h = HeaderMap::new();
        h.insert(COOKIE, HeaderValue::from_static("a=1; hv_session=x.y; b=2"));
        assert_eq!(get(&h, SESSION), Some("x.y"));
        assert_eq!(get(&h, "c"), None);
    }
}
