//! What the proxy and the operator ask the server:
//! * `GET /healthz`: 200 when the database answers, 503 when it does not (is it alive?);
//! * `GET /readyz`: 200 when this process can serve a page and record a pass now: the
//!   database answers on its read and write connections within two seconds (a proxy takes a
//!   server out of rotation on 503, e.g. while its writer is stuck);
//! * `GET /metrics`: the counters in Prometheus's text format, only with the configured token
//!   or from a configured address (404 otherwise: the page is not there for anyone else).

use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

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

pub async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    let wait = std::time::Duration::from_secs(2);
    match tokio::time::timeout(wait, hocvuso_db::ping_both(&state.db)).await {
        Ok(Ok(())) => (StatusCode::OK, "ready\n"),
        Ok(Err(e)) => {
            tracing::error!("readiness: database unreachable: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable\n")
        }
        Err(_) => {
            tracing::warn!("readiness: the database did not answer within {wait:?}");
            (StatusCode::SERVICE_UNAVAILABLE, "database busy\n")
        }
    }
}

pub async fn metrics(State(state): State<AppState>, parts: Parts) -> Response {
    if !may_read_metrics(&state, &parts) {
        return StatusCode::NOT_FOUND.into_response();
    }
    // One count on the index of the send queue (shared by every process).
    let queue = crate::services::reminders::sender::queue_depth(&state)
        .await
        .inspect_err(|e| tracing::warn!("metrics: the send queue's depth: {e}"))
        .ok();
    let body = crate::services::shared::metrics::render(&state, queue);
    let mut res = body.into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    res
}

/// The configured token in `Authorization: Bearer …`, or a configured client address.
fn may_read_metrics(state: &AppState, parts: &Parts) -> bool {
    let config = &state.config;
    if let Some(token) = &config.metrics_token {
        let given = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if let Some(given) = given {
            // Digests compared, so the time taken says nothing about the token.
            use sha2::{Digest, Sha256};
            if Sha256::digest(given.trim().as_bytes()) == Sha256::digest(token.as_bytes()) {
                return true;
            }
        }
    }
    !config.metrics_allow.is_empty()
        && config
            .metrics_allow
            .contains(&crate::web::extract::client_ip(parts, config))
}
