//! A urlencoded form body that is accepted only when its `csrf_token` field matches the
//! signed CSRF cookie (the signed double-submit pattern). Every POST handler takes one.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use crate::state::AppState;
use crate::web::cookies;
use crate::web::error::WebError;

/// The form's fields as `T`; `pairs` keeps every field in order, for forms whose field names
/// are data (a quiz's `q{id}` answers).
pub struct CsrfForm<T> {
    pub data: T,
    pub pairs: Vec<(String, String)>,
}

/// Compares without stopping at the first difference.
pub(crate) fn same(a: &str, b: &str) -> bool {
    crate::services::same_text(a, b)
}

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, WebError> {
        let cookie_token = cookies::get(req.headers(), cookies::CSRF)
            .and_then(|signed| cookies::verify(state.cookie_key.as_ref(), cookies::CSRF, signed));
        let body = Bytes::from_request(req, state)
            .await
            .map_err(|e| WebError::BadRequest(e.to_string()))?;
        let pairs: Vec<(String, String)> = form_urlencoded::parse(&body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let form_token = pairs
            .iter()
            .find(|(k, _)| k == "csrf_token")
            .map(|(_, v)| v.as_str());
        match (cookie_token, form_token) {
            (Some(c), Some(f)) if same(&c, f) => {}
            _ => return Err(WebError::Csrf),
        }
        let data = serde_urlencoded_from_pairs(&pairs)?;
        Ok(CsrfForm { data, pairs })
    }
}

/// Builds `T` from the pairs through a plain map (later fields win), so that unknown fields
/// are ignored and missing ones take their serde defaults.
fn serde_urlencoded_from_pairs<T: DeserializeOwned>(
    pairs: &[(String, String)],
) -> Result<T, WebError> {
    use serde::de::value::{Error, MapDeserializer};
    let map: std::collections::BTreeMap<&str, &str> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    T::deserialize(MapDeserializer::<_, Error>::new(map.into_iter()))
        .map_err(|e| WebError::BadRequest(e.to_string()))
}
