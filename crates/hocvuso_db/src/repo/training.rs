//! Training classes, their sessions, places and attendance (`training_*`).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};

use crate::entity::{training_attendance, training_class, training_place, training_session};

pub use training_attendance::Model as Attendance;
pub use training_class::Model as Class;
pub use training_place::Model as Place;
pub use training_session::Model as Session;

pub const REGISTERED: &str = "registered";
pub const WAITING: &str = "waiting";
pub const CANCELLED: &str = "cancelled";

pub const BY_QR: &str = "qr";
pub const BY_LIST: &str = "list";

/// A class to add.
pub struct NewClass<'a> {
    pub unit_id: i64,
    pub course_id: i64,
    pub title: &'a str,
    pub groups: &'a str,
    pub capacity: i32,
    pub trainer: &'a str,
    pub min_attendance: i32,
    pub needs_quiz: bool,
}

pub async fn insert_class<C: ConnectionTrait>(
    conn: &C,
    c: &NewClass<'_>,
    by: i64,
    now: DateTime<Utc>,
) -> Result<i64, DbErr> {
    let res = training_class::Entity::insert(training_class::ActiveModel {
        unit_id: Set(c.unit_id),
        course_id: Set(c.course_id),
        title: Set(c.title.to_owned()),
        groups: Set(c.groups.to_owned()),
        capacity: Set(c.capacity),
        trainer: Set(c.trainer.to_owned()),
        min_attendance: Set(c.min_attendance),
        needs_quiz: Set(c.needs_quiz),
        created_by: Set(by),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    Ok(res.last_insert_id)
}

pub async fn insert_session<C: ConnectionTrait>(
    conn: &C,
    class_id: i64,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    place: &str,
    secret: &str,
) -> Result<(), DbErr> {
    training_session::Entity::insert(training_session::ActiveModel {
        class_id: Set(class_id),
        starts_at: Set(starts_at),
        ends_at: Set(ends_at),
        place: Set(place.to_owned()),
        secret: Set(secret.to_owned()),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Holds a class's row until the transaction ends (a no-op update: a row lock on PostgreSQL;
/// SQLite has one writer anyway), so that places are counted and taken one at a time.
pub async fn lock_class<C: ConnectionTrait>(conn: &C, id: i64) -> Result<(), DbErr> {
    training_class::Entity::update_many()
        .col_expr(
            training_class::Column::Capacity,
            Expr::col(training_class::Column::Capacity).into(),
        )
        .filter(training_class::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn class_by_id<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<Class>, DbErr> {
    training_class::Entity::find_by_id(id).one(conn).await
}

/// Classes organised by these units (every unit: `None`), newest first.
pub async fn classes<C: ConnectionTrait>(
    conn: &C,
    units: Option<&[i64]>,
) -> Result<Vec<Class>, DbErr> {
    let mut q = training_class::Entity::find();
    if let Some(units) = units {
        q = q.filter(training_class::Column::UnitId.is_in(units.iter().copied()));
    }
    q.order_by_desc(training_class::Column::Id).all(conn).await
}

/// A class's sessions, in time order.
pub async fn sessions<C: ConnectionTrait>(conn: &C, class_id: i64) -> Result<Vec<Session>, DbErr> {
    training_session::Entity::find()
        .filter(training_session::Column::ClassId.eq(class_id))
        .order_by_asc(training_session::Column::StartsAt)
        .order_by_asc(training_session::Column::Id)
        .all(conn)
        .await
}

/// Every session of these classes, in time order.
pub async fn sessions_of_classes<C: ConnectionTrait>(
    conn: &C,
    class_ids: &[i64],
) -> Result<Vec<Session>, DbErr> {
    training_session::Entity::find()
        .filter(training_session::Column::ClassId.is_in(class_ids.iter().copied()))
        .order_by_asc(training_session::Column::StartsAt)
        .all(conn)
        .await
}

/// A class's places (every status), in the order taken.
pub async fn places<C: ConnectionTrait>(conn: &C, class_id: i64) -> Result<Vec<Place>, DbErr> {
    training_place::Entity::find()
        .filter(training_place::Column::ClassId.eq(class_id))
        .order_by_asc(training_place::Column::At)
        .order_by_asc(training_place::Column::Id)
        .all(conn)
        .await
}

/// A person's places in every class.
pub async fn places_of_person<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
) -> Result<Vec<Place>, DbErr> {
    training_place::Entity::find()
        .filter(training_place::Column::PersonId.eq(person_id))
        .all(conn)
        .await
}

pub async fn place_of<C: ConnectionTrait>(
    conn: &C,
    class_id: i64,
    person_id: i64,
) -> Result<Option<Place>, DbErr> {
    training_place::Entity::find()
        .filter(training_place::Column::ClassId.eq(class_id))
        .filter(training_place::Column::PersonId.eq(person_id))
        .one(conn)
        .await
}

/// How many places of a class are taken (registered, not waiting).
pub async fn registered_count<C: ConnectionTrait>(conn: &C, class_id: i64) -> Result<u64, DbErr> {
    training_place::Entity::find()
        .filter(training_place::Column::ClassId.eq(class_id))
        .filter(training_place::Column::Status.eq(REGISTERED))
        .count(conn)
        .await
}

/// Gives a person a place (`status`: registered or waiting); one who had cancelled takes a place
/// again. The database keeps one place per person and class.
pub async fn take_place<C: ConnectionTrait>(
    conn: &C,
    class_id: i64,
    person_id: i64,
    status: &str,
    by: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if let Some(p) = place_of(conn, class_id, person_id).await? {
        training_place::Entity::update_many()
            .col_expr(training_place::Column::Status, Expr::value(status))
            .col_expr(training_place::Column::EnrolledBy, Expr::value(by))
            .col_expr(training_place::Column::At, Expr::value(now))
            .filter(training_place::Column::Id.eq(p.id))
            .exec(conn)
            .await?;
        return Ok(());
    }
    training_place::Entity::insert(training_place::ActiveModel {
        class_id: Set(class_id),
        person_id: Set(person_id),
        status: Set(status.to_owned()),
        enrolled_by: Set(by),
        at: Set(now),
        completed_at: Set(None),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

pub async fn set_place_status<C: ConnectionTrait>(
    conn: &C,
    place_id: i64,
    status: &str,
) -> Result<(), DbErr> {
    training_place::Entity::update_many()
        .col_expr(training_place::Column::Status, Expr::value(status))
        .filter(training_place::Column::Id.eq(place_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// The first person waiting for a place in a class.
pub async fn first_waiting<C: ConnectionTrait>(
    conn: &C,
    class_id: i64,
) -> Result<Option<Place>, DbErr> {
    training_place::Entity::find()
        .filter(training_place::Column::ClassId.eq(class_id))
        .filter(training_place::Column::Status.eq(WAITING))
        .order_by_asc(training_place::Column::At)
        .order_by_asc(training_place::Column::Id)
        .one(conn)
        .await
}

pub async fn set_completed<C: ConnectionTrait>(
    conn: &C,
    place_id: i64,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    training_place::Entity::update_many()
        .col_expr(training_place::Column::CompletedAt, Expr::value(at))
        .filter(training_place::Column::Id.eq(place_id))
        .filter(training_place::Column::CompletedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// Marks a person present at a session (once: the database keeps one mark per person and
/// session). Returns whether the mark is new.
pub async fn attend<C: ConnectionTrait>(
    conn: &C,
    session_id: i64,
    person_id: i64,
    how: &str,
    by: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let n = training_attendance::Entity::insert(training_attendance::ActiveModel {
        session_id: Set(session_id),
        person_id: Set(person_id),
        how: Set(how.to_owned()),
        by_id: Set(by),
        at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::columns([
            training_attendance::Column::SessionId,
            training_attendance::Column::PersonId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(n == 1)
}

/// Takes a mark off. Returns whether there was one.
pub async fn unattend<C: ConnectionTrait>(
    conn: &C,
    session_id: i64,
    person_id: i64,
) -> Result<bool, DbErr> {
    let res = training_attendance::Entity::delete_many()
        .filter(training_attendance::Column::SessionId.eq(session_id))
        .filter(training_attendance::Column::PersonId.eq(person_id))
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Every mark at these sessions.
pub async fn attendance<C: ConnectionTrait>(
    conn: &C,
    session_ids: &[i64],
) -> Result<Vec<Attendance>, DbErr> {
    training_attendance::Entity::find()
        .filter(training_attendance::Column::SessionId.is_in(session_ids.iter().copied()))
        .all(conn)
        .await
}

/// Classes that teach one of these courses and ask for its quiz to be passed.
pub async fn quiz_classes<C: ConnectionTrait>(
    conn: &C,
    course_ids: &[i64],
) -> Result<Vec<Class>, DbErr> {
    training_class::Entity::find()
        .filter(training_class::Column::CourseId.is_in(course_ids.iter().copied()))
        .filter(training_class::Column::NeedsQuiz.eq(true))
        .all(conn)
        .await
}

/// These people's registered places not completed yet in these classes.
pub async fn open_places_of<C: ConnectionTrait>(
    conn: &C,
    class_ids: &[i64],
    person_ids: &[i64],
) -> Result<Vec<Place>, DbErr> {
    let mut out = Vec::new();
    for chunk in person_ids.chunks(500) {
        out.extend(
            training_place::Entity::find()
                .filter(training_place::Column::ClassId.is_in(class_ids.iter().copied()))
                .filter(training_place::Column::PersonId.is_in(chunk.iter().copied()))
                .filter(training_place::Column::Status.eq(REGISTERED))
                .filter(training_place::Column::CompletedAt.is_null())
                .all(conn)
                .await?,
        );
    }
    Ok(out)
}
