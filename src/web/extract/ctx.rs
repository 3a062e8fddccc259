//! The request context every page handler takes.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::HeaderMap;

use crate::services::accounts::sign_in::{self, SessionUser};
use crate::services::{hex, random_bytes};
use crate::state::AppState;
use crate::web::cookies;
use crate::web::error::WebError;
use crate::web::page::Chrome;

/// Who is asking (if logged in), the CSRF token their forms must carry, and a fresh nonce for
/// this response's Content-Security-Policy.
pub struct Ctx {
    pub user: Option<SessionUser>,
    pub csrf: String,
    pub nonce: String,
    /// The path asked for, to come back to after logging in.
    pub path: String,
    /// The client's address as a rate-limit key (see `client_key`).
    pub client: String,
    /// The raw value of a validly signed device cookie (set at a login on this browser).
    pub device: Option<String>,
    /// The logged-in user's new notifications (the header's count).
    pub unread: u64,
    /// The raw id of this browser's session, if its cookie is validly signed.
    session: Option<String>,
    new_csrf: bool,
    key: std::sync::Arc<[u8; 32]>,
    secure: bool,
}

impl Ctx {
    /// The logged-in user, or a redirect to the login page — or to the change of a temporary
    /// password, which comes before anything else.
    pub fn user(&self) -> Result<&SessionUser, WebError> {
        let user = self.user.as_ref().ok_or_else(|| WebError::LoginRequired {
            back_to: self.path.clone(),
        })?;
        if self.held_for_password_change() {
            return Err(WebError::PasswordChangeRequired);
        }
        Ok(user)
    }

    /// Paths open while a temporary password waits to be replaced.
    const OPEN_BEFORE_CHANGE: [&'static str; 2] = ["/doi-mat-khau", "/dang-xuat"];

    /// True when the user has a temporary password and asks for anything but its change or
    /// logging out.
    pub fn held_for_password_change(&self) -> bool {
        let path = self.path.split('?').next().unwrap_or_default();
        self.user.as_ref().is_some_and(|u| u.must_change_password)
            && !Self::OPEN_BEFORE_CHANGE.contains(&path)
    }

    pub fn chrome(&self, title: impl Into<String>) -> Chrome {
        Chrome {
            title: title.into(),
            user_name: self.user.as_ref().map(|u| u.full_name.clone()),
            is_staff: self
                .user
                .as_ref()
                .is_some_and(|u| u.is_province_admin() || u.officer_units().next().is_some()),
            is_helper: self
                .user
                .as_ref()
                .is_some_and(|u| u.has(hocvuso_domain::Role::Helper)),
            show_account_links: true,
            is_author: self
                .user
                .as_ref()
                .is_some_and(crate::services::handbook::articles::may_author),
            unread: self.unread,
            csrf: self.csrf.clone(),
            nonce: self.nonce.clone(),
        }
    }

    /// The stored hash of this browser's session (to keep it when the others end).
    pub fn session_hash(&self) -> Option<String> {
        self.session.as_deref().map(sign_in::session_hash)
    }

    /// Whether a form's `csrf_token` matches this request's CSRF cookie (for forms the
    /// `CsrfForm` extractor cannot read, such as file uploads).
    pub fn csrf_matches(&self, token: &str) -> bool {
        !self.new_csrf && super::form::same(&self.csrf, token)
    }

    /// Sets the CSRF cookie when this request had none (called by the response helper).
    pub fn set_cookies(&self, headers: &mut HeaderMap) {
        if self.new_csrf {
            let signed = cookies::sign(self.key.as_ref(), cookies::CSRF, &self.csrf);
            cookies::set(headers, cookies::CSRF, &signed, None, self.secure);
        }
    }
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let key = state.cookie_key.as_ref();
        let session = cookies::get(&parts.headers, cookies::SESSION)
            .and_then(|signed| cookies::verify(key, cookies::SESSION, signed));
        let resolved = parts
            .extensions
            .get::<super::access::Resolved>()
            .map(|r| r.0.clone());
        let user = match (resolved, &session) {
            // The route group's access layer looked the session up already.
            (Some(user), _) => user,
            (None, Some(raw)) => sign_in::session_user(state, raw).await?,
            (None, None) => None,
        };
        let existing = cookies::get(&parts.headers, cookies::CSRF)
            .and_then(|signed| cookies::verify(key, cookies::CSRF, signed));
        let (csrf, new_csrf) = match existing {
            Some(token) => (token, false),
            None => (hex(&random_bytes::<16>()), true),
        };
        let client = super::client_key(parts, &state.config);
        let device = cookies::get(&parts.headers, cookies::DEVICE)
            .and_then(|signed| cookies::verify(key, cookies::DEVICE, signed));
        let path = parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_owned(), |p| p.as_str().to_owned());
        let unread = match &user {
            Some(u) if !u.must_change_password => {
                crate::services::reminders::inbox::unread_for_header(state, u.person_id).await
            }
            _ => 0,
        };
        Ok(Ctx {
            unread,
            user,
            csrf,
            nonce: hex(&random_bytes::<12>()),
            path,
            client,
            device,
            session,
            new_csrf,
            key: state.cookie_key.clone(),
            secure: state.config.https(),
        })
    }
}
