//! Small tables every dashboard reads whole — the org tree, a year's denominators — kept in
//! memory and checked against their version counter on every read.
//!
//! Every change of these tables adds one to a counter in the `setting` table, in its own
//! transaction (`hocvuso_db::repo::settings::bump`, called by the repo functions that change
//! them). A read first reads the counter (one primary-key lookup), then uses the copy in memory
//! if it was loaded at that counter, else loads the table again. Reading the counter before the
//! table means a copy is never stored under a newer counter than the data it holds, so a change
//! by any server process is seen by the very next read everywhere — no refresh delay, unlike
//! [`live`](super::live) content. On the 4 M dataset this turns 7–8 ms of row decoding per
//! province page into ≈ 0.1 ms (docs/PERFORMANCE.md).

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use hocvuso_db::ConnectionTrait;
use hocvuso_db::DbErr;

/// At most this many copies per table (e.g. years of denominators): the slot comes from a URL.
const MAX_SLOTS: usize = 8;

/// Copies of one table, each under a slot (the year for denominators, 0 for the org tree).
pub struct Versioned<T> {
    key: &'static str,
    slots: Mutex<BTreeMap<i64, (String, Arc<T>)>>,
}

impl<T> Versioned<T> {
    /// Copies checked against the counter stored under `key`.
    pub fn new(key: &'static str) -> Self {
        Versioned {
            key,
            slots: Mutex::new(BTreeMap::new()),
        }
    }

    /// The copy of `slot` as of the stored counter, loading it with `load` when it is missing
    /// or older.
    pub async fn get<C, F, Fut>(&self, conn: &C, slot: i64, load: F) -> Result<Arc<T>, DbErr>
    where
        C: ConnectionTrait,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, DbErr>>,
    {
        let version = hocvuso_db::repo::settings::get(conn, self.key)
            .await?
            .unwrap_or_default();
        if let Some(copy) = self.held(slot, &version) {
            return Ok(copy);
        }
        let copy = Arc::new(load().await?);
        let mut slots = match self.slots.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        if !slots.contains_key(&slot) && slots.len() >= MAX_SLOTS {
            slots.clear();
        }
        slots.insert(slot, (version, copy.clone()));
        Ok(copy)
    }

    fn held(&self, slot: i64, version: &str) -> Option<Arc<T>> {
        let slots = match self.slots.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        slots
            .get(&slot)
            .filter(|(v, _)| v == version)
            .map(|(_, copy)| copy.clone())
    }
}
