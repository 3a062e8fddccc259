//! Sessions: starting and ending them, the signed-in person with their roles
//! (`SessionUser`), the cache of recently seen sessions and the batched lookup of the others,
//! and telling the other server processes which sessions to forget.

use chrono::{DateTime, Duration, Utc};
use hocvuso_db::repo::people;
use hocvuso_db::TransactionTrait;
use hocvuso_domain::Role;
use sha2::{Digest, Sha256};

use crate::services::runtime::Runtime;
use crate::services::{hex, random_bytes, Internal};

use super::*;

/// SHA-256 of a session id, which is all the database keeps.
pub fn session_hash(raw_id: &str) -> String {
    hex(&Sha256::digest(raw_id.as_bytes()))
}
/// Starts a session of [`SESSION_DAYS`]; returns the raw id for the cookie.
pub async fn start_session(state: &Runtime, person_id: i64) -> Result<String, Internal> {
    start_session_for(state, person_id, Duration::days(SESSION_DAYS)).await
}
/// Starts a session that lasts `length` (a pupil's on a shared device: a lesson's time).
pub async fn start_session_for(
    state: &Runtime,
    person_id: i64,
    length: Duration,
) -> Result<String, Internal> {
    let now = state.clock.now();
    let raw = hex(&random_bytes::<32>());
    people::insert_session(
        state.db.write(),
        &session_hash(&raw),
        person_id,
        now,
        now + length,
    )
    .await?;
    Ok(raw)
}
/// `hocvuso keys rotate-cookie`: a new key for signing cookies, and every session ended, in
/// one transaction: everyone is logged out and every cookie signed before is refused. Servers
/// read the key when they start: they must be stopped before and started after. Returns how
/// many sessions were ended.
pub async fn rotate_cookie_key(db: &hocvuso_db::Db) -> Result<u64, Internal> {
    let txn = db.write().begin().await?;
    hocvuso_db::repo::settings::set(&txn, "cookie_key", &hex(&random_bytes::<32>())).await?;
    let ended = people::delete_all_sessions(&txn).await?;
    txn.commit().await?;
    Ok(ended)
}
pub async fn end_session(state: &Runtime, raw_id: &str) -> Result<(), Internal> {
    let hash = session_hash(raw_id);
    people::delete_session(state.db.write(), &hash).await?;
    forget_everywhere(state, Forget::Session(hash)).await;
    Ok(())
}
/// Cached sessions to forget after their database rows changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Forget {
    /// One session (by its hash): a logout.
    Session(String),
    /// Every session of a person: their rights, password or unit changed.
    Person(i64),
}
/// The channel on which server processes tell each other which cached sessions to forget.
pub(super) const SESSIONS_CHANNEL: &str = "hocvuso_sessions";
impl Forget {
    fn payload(&self) -> String {
        match self {
            Forget::Session(hash) => format!("s:{hash}"),
            Forget::Person(id) => format!("p:{id}"),
        }
    }

    fn from_payload(payload: &str) -> Option<Self> {
        match payload.split_once(':')? {
            ("s", hash) => Some(Forget::Session(hash.to_owned())),
            ("p", id) => id.parse().ok().map(Forget::Person),
            _ => None,
        }
    }
}
/// Forgets cached sessions here AND in every other server process on this database
/// (PostgreSQL `NOTIFY`, heard by [`listen_for_forgotten`]) before the caller answers, so a
/// logout or a withdrawn right holds on the very next request whichever server takes it. Called
/// after the change is committed; if the notice cannot be sent, the other processes still drop
/// the session within [`SESSION_CACHE_SECONDS`] (logged).
pub async fn forget_everywhere(state: &Runtime, what: Forget) {
    state.sessions.forget_here(&what);
    if let Err(e) = state.db.notify(SESSIONS_CHANNEL, &what.payload()).await {
        tracing::error!("cannot tell the other servers to forget {what:?}: {e}");
    }
}
/// Keeps this process's session cache in step with the other processes': every session they
/// forget is forgotten here too; if the listening connection is lost, everything cached is
/// dropped (a notice may have been missed). Returns the sender whose drop stops the listening
/// (held by the app state), or `None` on SQLite.
pub async fn listen_for_forgotten(
    db: &hocvuso_db::Db,
    cache: std::sync::Arc<SessionCache>,
) -> Result<Option<tokio::sync::oneshot::Sender<()>>, Internal> {
    let Some(mut listener) = db.listen(SESSIONS_CHANNEL).await? else {
        return Ok(None);
    };
    let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = &mut stopped => break,
                heard = listener.next() => match heard {
                    hocvuso_db::dialect::Heard::Message(payload) => {
                        if let Some(what) = Forget::from_payload(&payload) {
                            cache.forget_here(&what);
                        }
                    }
                    hocvuso_db::dialect::Heard::Lost => cache.clear(),
                },
            }
        }
    });
    Ok(Some(stop))
}
/// How long a looked-up session is trusted without asking the database again. A logout or a
/// change of rights is forgotten at once in every process (see [`forget_everywhere`]); this
/// bounds the wait only if that notice is lost.
pub const SESSION_CACHE_SECONDS: i64 = 10;
pub(super) const SESSION_CACHE_MAX: usize = 200_000;
/// Sessions looked up in the last few seconds, so that a page view does not always cost two
/// queries before any work. Keyed by the session hash.
#[derive(Default)]
pub struct SessionCache {
    entries: std::sync::Mutex<std::collections::HashMap<String, (SessionUser, DateTime<Utc>)>>,
    /// Counts the forgettings: a lookup that began before one is not cached (it may have read
    /// the row just before it changed).
    generation: std::sync::atomic::AtomicU64,
}
impl SessionCache {
    fn get(&self, hash: &str, now: DateTime<Utc>) -> Option<SessionUser> {
        let entries = self.entries.lock().ok()?;
        let (user, seen) = entries.get(hash)?;
        (now - *seen < Duration::seconds(SESSION_CACHE_SECONDS)).then(|| user.clone())
    }

    fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Caches a lookup that began at `generation`, unless something was forgotten since.
    fn put(&self, hash: String, user: SessionUser, now: DateTime<Utc>, generation: u64) {
        if let Ok(mut entries) = self.entries.lock() {
            if self.generation() != generation {
                return;
            }
            if entries.len() >= SESSION_CACHE_MAX {
                entries
                    .retain(|_, (_, seen)| now - *seen < Duration::seconds(SESSION_CACHE_SECONDS));
                if entries.len() >= SESSION_CACHE_MAX {
                    entries.clear();
                }
            }
            entries.insert(hash, (user, now));
        }
    }

    /// Forgets in this process only; callers use [`forget_everywhere`].
    fn forget_here(&self, what: &Forget) {
        if let Ok(mut entries) = self.entries.lock() {
            self.generation
                .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
            match what {
                Forget::Session(hash) => {
                    entries.remove(hash);
                }
                Forget::Person(person_id) => {
                    entries.retain(|_, (user, _)| user.person_id != *person_id);
                }
            }
        }
    }

    fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            self.generation
                .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
            entries.clear();
        }
    }
}
/// Who is behind a session, with what they may do.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub person_id: i64,
    pub full_name: String,
    /// (role, unit it is scoped to; None = no unit).
    pub roles: Vec<(Role, Option<i64>)>,
    /// The password is a temporary one (a staff reset, an assisted registration): nothing but
    /// its change and logging out is open until it is replaced.
    pub must_change_password: bool,
}
impl SessionUser {
    pub fn has(&self, role: Role) -> bool {
        self.roles.iter().any(|(r, _)| *r == role)
    }

    /// Units where this user is a unit officer.
    pub fn officer_units(&self) -> impl Iterator<Item = i64> + '_ {
        self.roles
            .iter()
            .filter(|(r, _)| *r == Role::UnitOfficer)
            .filter_map(|(_, u)| *u)
    }

    pub fn is_province_admin(&self) -> bool {
        self.has(Role::ProvinceAdmin)
    }
}
pub async fn session_user(state: &Runtime, raw_id: &str) -> Result<Option<SessionUser>, Internal> {
    let now = state.clock.now();
    let hash = session_hash(raw_id);
    if let Some(user) = state.sessions.get(&hash, now) {
        return Ok(Some(user));
    }
    let generation = state.sessions.generation();
    let Some(login) = state.session_lookup.get(hash.clone()).await? else {
        return Ok(None);
    };
    let roles = login
        .grants
        .into_iter()
        .filter_map(|(role, unit)| Role::from_code(&role).map(|r| (r, unit)))
        .collect();
    let user = SessionUser {
        person_id: login.person.id,
        full_name: login.person.full_name,
        roles,
        must_change_password: login.must_change_password,
    };
    state.sessions.put(hash, user.clone(), now, generation);
    Ok(Some(user))
}
pub(super) type LookupReply =
    tokio::sync::oneshot::Sender<Result<Option<people::SessionLogin>, String>>;
/// Looks up sessions that are not in the cache, in bursts: every lookup waiting at that moment
/// is answered by ONE query (`people::sessions_login`). Under light load a lookup runs alone at
/// once; under a storm of new visitors the round trips do not multiply.
#[derive(Clone)]
pub struct SessionLookup {
    queue: tokio::sync::mpsc::Sender<(String, LookupReply)>,
}
impl SessionLookup {
    pub fn start(db: hocvuso_db::Db, clock: std::sync::Arc<dyn crate::clock::Clock>) -> Self {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<(String, LookupReply)>(8192);
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut batch = vec![first];
                while batch.len() < 512 {
                    match rx.try_recv() {
                        Ok(item) => batch.push(item),
                        Err(_) => break,
                    }
                }
                let hashes: Vec<String> = batch.iter().map(|(h, _)| h.clone()).collect();
                match people::sessions_login(db.read(), &hashes, clock.now()).await {
                    Ok(found) => {
                        for (hash, reply) in batch {
                            let _ = reply.send(Ok(found.get(&hash).cloned()));
                        }
                    }
                    Err(e) => {
                        for (_, reply) in batch {
                            let _ = reply.send(Err(e.to_string()));
                        }
                    }
                }
            }
        });
        SessionLookup { queue: tx }
    }

    pub async fn get(&self, hash: String) -> Result<Option<people::SessionLogin>, Internal> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.queue
            .send((hash, tx))
            .await
            .map_err(|_| Internal::Other("session lookup stopped".into()))?;
        rx.await
            .map_err(|_| Internal::Other("session lookup abandoned".into()))?
            .map_err(Internal::Other)
    }
}
