//! What every file import shares (rosters, completions, denominators, counts confirmed on
//! VNeID; the readers' bounds are in `hocvuso_import`):
//! - the capped error list: every error counted, the first [`ERRORS_SHOWN`] kept for showing;
//! - the stash between the dry run and the officer's "Nhập": the uploaded file, kept in the
//!   database so that any server process can apply it, named by a random token and bound to
//!   the person who uploaded it and to the kind of import. It is forgotten when applied,
//!   after [`HOURS`], or when the person stashes more than
//!   [`PENDING_PER_PERSON`](hocvuso_db::repo::roster::PENDING_PER_PERSON) files.

use chrono::{DateTime, Utc};
use hocvuso_db::repo::roster as repo;
use hocvuso_db::Db;

use hocvuso_import::RowError;

use crate::services::{hex, random_bytes, Internal};

/// Errors kept for showing in an import's report (all are counted).
pub const ERRORS_SHOWN: usize = 500;

/// Counts an error and keeps it when fewer than [`ERRORS_SHOWN`] are kept already.
pub fn note_error(shown: &mut Vec<RowError>, count: &mut usize, e: RowError) {
    *count += 1;
    if shown.len() < ERRORS_SHOWN {
        shown.push(e);
    }
}

/// How long a dry run may wait for its confirmation.
pub const HOURS: i64 = 24;

/// The message when a token names nothing (applied already, too old, someone else's).
pub const GONE: &str =
    "Không còn tệp chờ nhập (đã nhập rồi, hoặc quá 24 giờ). Hãy tải tệp lên lại.";

/// Which import a stashed file is for: a token of one kind never applies as another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportKind {
    Roster,
    Completions,
    Denominators,
    /// Counts confirmed on VNeID.
    Vneid,
}

impl ImportKind {
    pub fn code(self) -> &'static str {
        match self {
            ImportKind::Roster => "roster",
            ImportKind::Completions => "completions",
            ImportKind::Denominators => "denominators",
            ImportKind::Vneid => "vneid",
        }
    }
}

/// A file waiting for its confirmation.
pub struct Stashed {
    pub token: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// Keeps a file whose dry run passed; returns the token the confirmation form carries.
pub async fn stash(
    db: &Db,
    now: DateTime<Utc>,
    actor_id: i64,
    kind: ImportKind,
    file_name: &str,
    bytes: Vec<u8>,
) -> Result<String, Internal> {
    let token = hex(&random_bytes::<16>());
    let conn = db.write();
    repo::delete_pending_before(conn, now - chrono::Duration::hours(HOURS)).await?;
    repo::put_pending(conn, &token, actor_id, kind.code(), file_name, bytes, now).await?;
    Ok(token)
}

/// The stashed file named by `token`, if this person stashed it for this kind of import.
pub async fn stashed(
    db: &Db,
    token: &str,
    actor_id: i64,
    kind: ImportKind,
) -> Result<Option<Stashed>, Internal> {
    Ok(repo::pending(db.read(), token, actor_id, kind.code())
        .await?
        .map(|p| Stashed {
            token: p.token,
            file_name: p.file_name,
            bytes: p.bytes,
        }))
}

/// Forgets a file once its import is applied.
pub async fn forget(db: &Db, token: &str) -> Result<(), Internal> {
    repo::delete_pending(db.write(), token).await?;
    Ok(())
}
