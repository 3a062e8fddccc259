//! `GET /healthz`: 200 when the database answers, 503 when it does not.

use axum::extract::State;
use axum::http::StatusCode;

use crate::state::AppState;

pub async fn healthz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match hocvuso_db::ping(&state.db).await {
        Ok(()) => (StatusCode::OK, "ok\n"),
        Err(e) => {
            tracing::error!("health check: database unreachable: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable\n")
        }
    }
}
