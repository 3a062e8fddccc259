//! What a request needs, passed explicitly (no globals): the services' [`Runtime`] and what
//! only the web layer holds. Handlers pass `&state` to services, which take `&Runtime` (the
//! reference converts through `Deref`).

use std::sync::Arc;

use crate::services::runtime::Runtime;

/// Everything a request needs, behind ONE reference count: handlers and layers clone the state
/// for every request, and cloning a dozen `Arc`s (each an atomic increment and, at the drop, a
/// decrement, on cache lines both cores fight over) cost the lesson page about a tenth of its
/// time (a `perf` profile of P1, 2026-12-06).
#[derive(Clone)]
pub struct AppState(Arc<AppStateInner>);

impl AppState {
    pub fn new(runtime: Runtime, cookie_key: Arc<[u8; 32]>) -> Self {
        AppState(Arc::new(AppStateInner {
            runtime,
            cookie_key,
        }))
    }

    /// The services' context (a clone for a task that outlives the request).
    pub fn runtime(&self) -> &Runtime {
        &self.0.runtime
    }
}

impl std::ops::Deref for AppState {
    type Target = AppStateInner;

    // Inlined: without it the two hops (AppState → Runtime) cost the lesson page 15 % of its
    // rate (PERFORMANCE.md, "Issue 22, 2026-12-08").
    #[inline]
    fn deref(&self) -> &AppStateInner {
        &self.0
    }
}

pub struct AppStateInner {
    runtime: Runtime,
    /// Key that signs session and CSRF cookies (kept in the database, made on first start).
    pub cookie_key: Arc<[u8; 32]>,
}

impl std::ops::Deref for AppStateInner {
    type Target = Runtime;

    // Inlined: without it the two hops (AppState → Runtime) cost the lesson page 15 % of its
    // rate (PERFORMANCE.md, "Issue 22, 2026-12-08").
    #[inline]
    fn deref(&self) -> &Runtime {
        &self.runtime
    }
}
