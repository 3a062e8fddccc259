//! Certificates, their revocation, and the keys that sign credentials.

use super::*;

pub async fn certificate_by_code<C: ConnectionTrait>(
    conn: &C,
    code: &str,
) -> Result<Option<Certificate>, DbErr> {
    certificate::Entity::find()
        .filter(certificate::Column::Code.eq(code))
        .one(conn)
        .await
}

pub async fn certificate_of<C: ConnectionTrait>(
    conn: &C,
    person_id: i64,
    course_id: i64,
) -> Result<Option<Certificate>, DbErr> {
    certificate::Entity::find()
        .filter(certificate::Column::PersonId.eq(person_id))
        .filter(certificate::Column::CourseId.eq(course_id))
        .one(conn)
        .await
}

/// Revokes a certificate (once: a revoked certificate keeps its first reason). True when this
/// call revoked it.
pub async fn revoke_certificate<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    reason: &str,
    by: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let r = certificate::Entity::update_many()
        .col_expr(certificate::Column::RevokedAt, Expr::value(now))
        .col_expr(certificate::Column::RevokeReason, Expr::value(reason))
        .col_expr(certificate::Column::RevokedBy, Expr::value(by))
        .filter(certificate::Column::Id.eq(id))
        .filter(certificate::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(r.rows_affected == 1)
}

/// The key that signs new credentials.
pub async fn current_issuer_key<C: ConnectionTrait>(
    conn: &C,
) -> Result<Option<issuer_key::Model>, DbErr> {
    issuer_key::Entity::find()
        .filter(issuer_key::Column::RetiredAt.is_null())
        .order_by_desc(issuer_key::Column::Id)
        .one(conn)
        .await
}

/// Every key this installation has signed with (`did`s), newest first.
pub async fn issuer_dids<C: ConnectionTrait>(conn: &C) -> Result<Vec<String>, DbErr> {
    Ok(issuer_key::Entity::find()
        .order_by_desc(issuer_key::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|k| k.did)
        .collect())
}

pub async fn insert_issuer_key<C: ConnectionTrait>(
    conn: &C,
    did: &str,
    secret_hex: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    issuer_key::Entity::insert(issuer_key::ActiveModel {
        did: Set(did.to_owned()),
        secret_hex: Set(secret_hex.to_owned()),
        created_at: Set(now),
        retired_at: Set(None),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// How many of the given attempts are submitted.
pub async fn submitted_among<C: ConnectionTrait>(conn: &C, ids: &[i64]) -> Result<usize, DbErr> {
    use sea_orm::PaginatorTrait;
    Ok(quiz_attempt::Entity::find()
        .filter(quiz_attempt::Column::Id.is_in(ids.iter().copied()))
        .filter(quiz_attempt::Column::SubmittedAt.is_not_null())
        .count(conn)
        .await? as usize)
}
