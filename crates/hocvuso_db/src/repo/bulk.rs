//! Bulk loading for generators and importers: one batch of people with their memberships and
//! learning records, written in multi-row statements. The caller runs it in a transaction and
//! keeps the live counts right (see `services::demo`).

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Set};

use crate::entity::{achievement, course_completion, lesson_progress, membership, person};

/// Rows per INSERT statement (well under SQLite's and PostgreSQL's bound-parameter limits).
const ROWS_PER_STATEMENT: usize = 500;

/// A membership to load: (person, group, unit, since, a pupil's class).
pub type BulkMembership = (i64, &'static str, i64, DateTime<Utc>, Option<String>);

pub struct BulkPerson {
    pub id: i64,
    pub full_name: String,
    pub birth_year: i32,
    pub residence_unit_id: i64,
    pub created_at: DateTime<Utc>,
}

/// One batch; every vector may be empty.
#[derive(Default)]
pub struct Batch {
    pub people: Vec<BulkPerson>,
    pub memberships: Vec<BulkMembership>,
    /// (person, lesson, completed at)
    pub lessons_finished: Vec<(i64, i64, DateTime<Utc>)>,
    /// (person, course, completed at, certificate code)
    pub completions: Vec<(i64, i64, DateTime<Utc>, String)>,
    /// (person, group, indicator, achieved at)
    pub achievements: Vec<(i64, &'static str, &'static str, DateTime<Utc>)>,
}

impl Batch {
    pub fn rows(&self) -> usize {
        self.people.len()
            + self.memberships.len()
            + self.lessons_finished.len()
            + self.completions.len() * 2
            + self.achievements.len()
    }
}

pub async fn insert_batch<C: ConnectionTrait>(conn: &C, b: &Batch) -> Result<(), DbErr> {
    for chunk in b.people.chunks(ROWS_PER_STATEMENT) {
        person::Entity::insert_many(chunk.iter().map(|p| person::ActiveModel {
            id: Set(p.id),
            full_name: Set(p.full_name.clone()),
            phone: Set(None),
            birth_year: Set(Some(p.birth_year)),
            residence_unit_id: Set(Some(p.residence_unit_id)),
            created_at: Set(p.created_at),
            citizen_id: Set(None),
            gender: Set(None),
            birth_date: Set(None),
            confirmed_via: Set(Some("roster".to_owned())),
            confirmed_at: Set(Some(p.created_at)),
        }))
        .exec_without_returning(conn)
        .await?;
    }
    for chunk in b.memberships.chunks(ROWS_PER_STATEMENT) {
        membership::Entity::insert_many(chunk.iter().map(|(p, g, u, at, class)| {
            membership::ActiveModel {
                person_id: Set(*p),
                group_code: Set((*g).to_owned()),
                unit_id: Set(*u),
                created_at: Set(*at),
                class_name: Set(class.clone()),
                ..Default::default()
            }
        }))
        .exec_without_returning(conn)
        .await?;
    }
    for chunk in b.lessons_finished.chunks(ROWS_PER_STATEMENT) {
        lesson_progress::Entity::insert_many(chunk.iter().map(|(p, l, at)| {
            lesson_progress::ActiveModel {
                person_id: Set(*p),
                lesson_id: Set(*l),
                completed_at: Set(*at),
            }
        }))
        .exec_without_returning(conn)
        .await?;
    }
    for chunk in b.completions.chunks(ROWS_PER_STATEMENT) {
        course_completion::Entity::insert_many(chunk.iter().map(|(p, c, at, _)| {
            course_completion::ActiveModel {
                person_id: Set(*p),
                course_id: Set(*c),
                attempt_id: Set(None),
                completed_at: Set(*at),
                import_id: Set(None),
            }
        }))
        .exec_without_returning(conn)
        .await?;
        let certificates: Vec<(String, i64, i64, DateTime<Utc>)> = chunk
            .iter()
            .map(|(p, c, at, code)| (code.clone(), *p, *c, *at))
            .collect();
        super::learning::insert_certificates(conn, &certificates).await?;
    }
    for chunk in b.achievements.chunks(ROWS_PER_STATEMENT) {
        achievement::Entity::insert_many(chunk.iter().map(|(p, g, i, at)| {
            achievement::ActiveModel {
                person_id: Set(*p),
                group_code: Set((*g).to_owned()),
                indicator_code: Set((*i).to_owned()),
                achieved_at: Set(*at),
            }
        }))
        .exec_without_returning(conn)
        .await?;
    }
    Ok(())
}
