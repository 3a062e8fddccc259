//! Everything a request or a command needs, passed explicitly (no globals).

use std::sync::Arc;

use hocvuso_db::Db;

use crate::clock::Clock;
use crate::config::Config;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    /// Key that signs session and CSRF cookies (kept in the database, made on first start).
    pub cookie_key: Arc<[u8; 32]>,
}
