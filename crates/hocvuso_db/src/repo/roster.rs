//! Rosters: finding people by citizen ID or phone, adding and updating them in batches, moving
//! memberships, and the record of each import and of uploads waiting for confirmation.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

use crate::dialect::{bulk_insert, in_text_list, BulkRows, BulkTxn, BulkValue};
use crate::entity::{achievement, membership, pending_upload, person, roster_import};

pub use pending_upload::Model as PendingUpload;
pub use roster_import::Model as RosterImport;

/// Keys per `IN (…)` list.
const KEYS_PER_QUERY: usize = 500;

/// The people with any of these citizen IDs or phone numbers.
pub async fn people_by_keys<C: ConnectionTrait>(
    conn: &C,
    citizen_ids: &[String],
    phones: &[String],
) -> Result<Vec<person::Model>, DbErr> {
    let backend = conn.get_database_backend();
    let mut any = Condition::any();
    if !citizen_ids.is_empty() {
        any = any.add(in_text_list(backend, "citizen_id", citizen_ids));
    }
    if !phones.is_empty() {
        any = any.add(in_text_list(backend, "phone", phones));
    }
    if citizen_ids.is_empty() && phones.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = person::Entity::find().filter(any).all(conn).await?;
    out.sort_by_key(|p| p.id);
    out.dedup_by_key(|p| p.id);
    Ok(out)
}

/// A person as a roster row describes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterPerson {
    pub full_name: String,
    pub phone: Option<String>,
    pub citizen_id: Option<String>,
    pub gender: Option<String>,
    pub birth_year: i32,
    pub birth_date: String,
    pub residence_unit_id: i64,
}

const PERSON_COLUMNS: [&str; 11] = [
    "id",
    "full_name",
    "phone",
    "birth_year",
    "residence_unit_id",
    "created_at",
    "citizen_id",
    "gender",
    "birth_date",
    "confirmed_via",
    "confirmed_at",
];

/// New people (with ids from [`crate::dialect::IdReserver`]) as rows for
/// [`insert_people`], prepared outside the import's transaction.
pub fn people_rows<'a>(
    backend: DbBackend,
    people: impl IntoIterator<Item = (i64, &'a RosterPerson)>,
    now: DateTime<Utc>,
) -> BulkRows {
    let at = stored_time(now);
    let mut rows = BulkRows::new(backend, &PERSON_COLUMNS);
    for (id, p) in people {
        rows.push(&[
            BulkValue::Int(id),
            BulkValue::Text(&p.full_name),
            p.phone.as_deref().into(),
            BulkValue::Int(i64::from(p.birth_year)),
            BulkValue::Int(p.residence_unit_id),
            BulkValue::Text(&at),
            p.citizen_id.as_deref().into(),
            p.gender.as_deref().into(),
            BulkValue::Text(&p.birth_date),
            // Put in by an officer: confirmed.
            BulkValue::Text("roster"),
            BulkValue::Text(&at),
        ]);
    }
    rows
}

/// Inserts the people of [`people_rows`].
pub async fn insert_people(txn: &BulkTxn, rows: BulkRows) -> Result<(), DbErr> {
    bulk_insert(txn, "person", rows).await
}

/// A timestamp as both backends store it from a bound value (RFC 3339, UTC).
fn stored_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

/// Writes a person's roster fields.
pub async fn update_person<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    p: &RosterPerson,
) -> Result<(), DbErr> {
    person::Entity::update(person::ActiveModel {
        id: Set(id),
        full_name: Set(p.full_name.clone()),
        phone: Set(p.phone.clone()),
        birth_year: Set(Some(p.birth_year)),
        residence_unit_id: Set(Some(p.residence_unit_id)),
        citizen_id: Set(p.citizen_id.clone()),
        gender: Set(p.gender.clone()),
        birth_date: Set(Some(p.birth_date.clone())),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    Ok(())
}

const MEMBERSHIP_COLUMNS: [&str; 5] = [
    "person_id",
    "group_code",
    "unit_id",
    "created_at",
    "class_name",
];

/// Memberships `(person, group, unit, class)` as rows for [`insert_memberships`].
pub fn membership_rows<'a>(
    backend: DbBackend,
    members: impl IntoIterator<Item = (i64, &'a str, i64, Option<&'a str>)>,
    now: DateTime<Utc>,
) -> BulkRows {
    let at = stored_time(now);
    let mut rows = BulkRows::new(backend, &MEMBERSHIP_COLUMNS);
    for (person, group, unit, class) in members {
        rows.push(&[
            BulkValue::Int(person),
            BulkValue::Text(group),
            BulkValue::Int(unit),
            BulkValue::Text(&at),
            class.into(),
        ]);
    }
    rows
}

/// Names a pupil's class (on their membership of the school).
pub async fn set_class<C: ConnectionTrait>(
    conn: &C,
    membership_id: i64,
    class: &str,
) -> Result<(), DbErr> {
    membership::Entity::update_many()
        .col_expr(membership::Column::ClassName, Expr::value(class))
        .filter(membership::Column::Id.eq(membership_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// A class of a school: how many pupils, how many achieved digital skills.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClassProgress {
    pub pupils: i64,
    pub achieved: i64,
}

/// The students of a unit (a school) class by class (`None`: no class named).
pub async fn class_progress<C: ConnectionTrait>(
    conn: &C,
    unit_id: i64,
) -> Result<std::collections::BTreeMap<Option<String>, ClassProgress>, DbErr> {
    use sea_orm::sea_query::Query;
    use sea_orm::QuerySelect;
    let counted = |achieved: bool| {
        let mut q = membership::Entity::find()
            .select_only()
            .column(membership::Column::ClassName)
            .column_as(membership::Column::Id.count(), "n")
            .filter(membership::Column::UnitId.eq(unit_id))
            .filter(membership::Column::GroupCode.eq("students"))
            .group_by(membership::Column::ClassName);
        if achieved {
            // Per member, one lookup of the achievement's primary key (person, group,
            // indicator), not a scan of every student's achievement.
            q = q.filter(Expr::exists(
                Query::select()
                    .expr(Expr::val(1))
                    .from(achievement::Entity)
                    .and_where(
                        Expr::col((achievement::Entity, achievement::Column::PersonId))
                            .equals((membership::Entity, membership::Column::PersonId)),
                    )
                    .and_where(achievement::Column::GroupCode.eq("students"))
                    .and_where(achievement::Column::IndicatorCode.eq("digital_skills"))
                    .to_owned(),
            ));
        }
        q.into_tuple::<(Option<String>, i64)>().all(conn)
    };
    let mut out: std::collections::BTreeMap<Option<String>, ClassProgress> = Default::default();
    for (class, n) in counted(false).await? {
        out.entry(class).or_default().pupils = n;
    }
    for (class, n) in counted(true).await? {
        out.entry(class).or_default().achieved = n;
    }
    Ok(out)
}

/// Adds the memberships of [`membership_rows`].
pub async fn insert_memberships(txn: &BulkTxn, rows: BulkRows) -> Result<(), DbErr> {
    bulk_insert(txn, "membership", rows).await
}

/// Moves a membership to another unit.
pub async fn move_membership<C: ConnectionTrait>(
    conn: &C,
    membership_id: i64,
    unit_id: i64,
) -> Result<(), DbErr> {
    membership::Entity::update_many()
        .col_expr(membership::Column::UnitId, Expr::value(unit_id))
        .filter(membership::Column::Id.eq(membership_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// `(person, group, indicator, week)` of everything these people achieved (the week as
/// [`week_of`](super::stats::week_of) gives it).
pub async fn achievements_of<C: ConnectionTrait>(
    conn: &C,
    person_ids: &[i64],
) -> Result<Vec<(i64, String, String, String)>, DbErr> {
    let mut out = Vec::new();
    for chunk in person_ids.chunks(KEYS_PER_QUERY) {
        out.extend(
            achievement::Entity::find()
                .filter(achievement::Column::PersonId.is_in(chunk.iter().copied()))
                .all(conn)
                .await?
                .into_iter()
                .map(|a| {
                    (
                        a.person_id,
                        a.group_code,
                        a.indicator_code,
                        super::stats::week_of(a.achieved_at),
                    )
                }),
        );
    }
    Ok(out)
}

/// What one applied import did.
pub struct NewRosterImport<'a> {
    pub actor_id: Option<i64>,
    pub scope_unit_id: i64,
    pub file_name: &'a str,
    pub sha256: &'a str,
    pub rows: i64,
    pub added: i64,
    pub updated: i64,
    pub moved: i64,
    pub unchanged: i64,
}

pub async fn insert_import<C: ConnectionTrait>(
    conn: &C,
    i: NewRosterImport<'_>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    roster_import::Entity::insert(roster_import::ActiveModel {
        actor_id: Set(i.actor_id),
        scope_unit_id: Set(i.scope_unit_id),
        file_name: Set(i.file_name.to_owned()),
        sha256: Set(i.sha256.to_owned()),
        rows: Set(i.rows),
        added: Set(i.added),
        updated: Set(i.updated),
        moved: Set(i.moved),
        unchanged: Set(i.unchanged),
        at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// The latest imports into units whose ids are given (the importer's scope and below).
pub async fn recent_imports<C: ConnectionTrait>(
    conn: &C,
    unit_ids: &[i64],
    limit: u64,
) -> Result<Vec<RosterImport>, DbErr> {
    let mut cond = Condition::any();
    for chunk in unit_ids.chunks(KEYS_PER_QUERY) {
        cond = cond.add(roster_import::Column::ScopeUnitId.is_in(chunk.iter().copied()));
    }
    roster_import::Entity::find()
        .filter(cond)
        .order_by_desc(roster_import::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

pub async fn put_pending<C: ConnectionTrait>(
    conn: &C,
    token: &str,
    actor_id: i64,
    kind: &str,
    file_name: &str,
    bytes: Vec<u8>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    keep_newest_pending(conn, actor_id, PENDING_PER_PERSON - 1).await?;
    pending_upload::Entity::insert(pending_upload::ActiveModel {
        token: Set(token.to_owned()),
        actor_id: Set(actor_id),
        kind: Set(kind.to_owned()),
        file_name: Set(file_name.to_owned()),
        bytes: Set(bytes),
        created_at: Set(now),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Uploads waiting for confirmation one person keeps at most (older ones are forgotten when a
/// new one arrives).
pub const PENDING_PER_PERSON: u64 = 3;

/// Forgets all but the newest `keep` pending uploads of a person (of any kind), so that one
/// officer cannot fill the database with files never confirmed.
pub async fn keep_newest_pending<C: ConnectionTrait>(
    conn: &C,
    actor_id: i64,
    keep: u64,
) -> Result<(), DbErr> {
    use sea_orm::{QueryOrder, QuerySelect};
    let tokens: Vec<String> = pending_upload::Entity::find()
        .select_only()
        .column(pending_upload::Column::Token)
        .filter(pending_upload::Column::ActorId.eq(actor_id))
        .order_by_desc(pending_upload::Column::CreatedAt)
        .into_tuple::<String>()
        .all(conn)
        .await?
        .into_iter()
        .skip(usize::try_from(keep).unwrap_or(usize::MAX))
        .collect();
    if !tokens.is_empty() {
        pending_upload::Entity::delete_many()
            .filter(pending_upload::Column::Token.is_in(tokens))
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// The pending upload with this token, if it belongs to this person and is of this kind.
pub async fn pending<C: ConnectionTrait>(
    conn: &C,
    token: &str,
    actor_id: i64,
    kind: &str,
) -> Result<Option<PendingUpload>, DbErr> {
    pending_upload::Entity::find_by_id(token.to_owned())
        .filter(pending_upload::Column::ActorId.eq(actor_id))
        .filter(pending_upload::Column::Kind.eq(kind))
        .one(conn)
        .await
}

pub async fn delete_pending<C: ConnectionTrait>(conn: &C, token: &str) -> Result<(), DbErr> {
    pending_upload::Entity::delete_by_id(token.to_owned())
        .exec(conn)
        .await?;
    Ok(())
}

/// Forgets uploads older than `before` (never confirmed).
pub async fn delete_pending_before<C: ConnectionTrait>(
    conn: &C,
    before: DateTime<Utc>,
) -> Result<u64, DbErr> {
    Ok(pending_upload::Entity::delete_many()
        .filter(pending_upload::Column::CreatedAt.lt(before))
        .exec(conn)
        .await?
        .rows_affected)
}
