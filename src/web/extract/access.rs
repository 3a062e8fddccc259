//! Access by construction: every group of the route table carries one of these layers, so a
//! handler that forgets its own check still cannot be reached by the wrong role. The layer
//! resolves who is asking once and leaves it in the request for [`super::Ctx`]; handlers then
//! check only the unit scope.

use axum::extract::{FromRequestParts, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hocvuso_domain::Role;

use crate::services::accounts::sign_in::SessionUser;
use crate::state::AppState;
use crate::web::error::WebError;

/// Who may reach a group of routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone logged in (every account is a learner).
    LoggedIn,
    /// Staff who help residents: helpers of the community teams and unit officers.
    Helper,
    /// Staff who reset residents' passwords: helpers, unit officers and the province admin.
    Staff,
    /// Unit officers (their unit and below, checked by the handler) and the province admin.
    Officer,
    /// The province admin only.
    Province,
    /// Authors of the handbook and courses, and the province admin.
    Author,
}

impl Access {
    pub fn allows(self, user: &SessionUser) -> bool {
        let officer = user.officer_units().next().is_some();
        let helper = user.has(Role::Helper);
        let admin = user.is_province_admin();
        match self {
            Access::LoggedIn => true,
            Access::Helper => helper || officer,
            Access::Staff => helper || officer || admin,
            Access::Officer => officer || admin,
            Access::Province => admin,
            Access::Author => crate::services::handbook::articles::may_author(user),
        }
    }
}

/// The user a layer already looked up, for `Ctx` (one lookup per request).
#[derive(Clone)]
pub struct Resolved(pub Option<SessionUser>);

/// The layer: an anonymous visitor goes to the login page (and back here after it); a
/// logged-in person without the role gets 403.
pub async fn guard(
    State((state, access)): State<(AppState, Access)>,
    req: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = req.into_parts();
    let ctx = match super::Ctx::from_request_parts(&mut parts, &state).await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    match &ctx.user {
        None => {
            return WebError::LoginRequired {
                back_to: if parts.method == axum::http::Method::GET {
                    ctx.path.clone()
                } else {
                    "/".to_owned()
                },
            }
            .into_response()
        }
        Some(_) if ctx.held_for_password_change() => {
            return WebError::PasswordChangeRequired.into_response()
        }
        Some(u) if !access.allows(u) => return WebError::Forbidden.into_response(),
        Some(_) => {}
    }
    parts.extensions.insert(Resolved(ctx.user.clone()));
    next.run(Request::from_parts(parts, body)).await
}
