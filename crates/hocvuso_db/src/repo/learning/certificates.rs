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

/// The certificates whose code starts with `prefix` (at most two: one is the answer, two say
/// the short code is not enough). A range on the unique index, on both databases.
pub async fn certificates_by_prefix<C: ConnectionTrait>(
    conn: &C,
    prefix: &str,
) -> Result<Vec<Certificate>, DbErr> {
    use sea_orm::QuerySelect;
    certificate::Entity::find()
        .filter(certificate::Column::Code.gte(prefix))
        .filter(certificate::Column::Code.lt(format!("{prefix}~")))
        .limit(2)
        .all(conn)
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

/// Revokes a certificate (once: a revoked certificate keeps its first reason), the reason
/// public or not. True when this call revoked it.
pub async fn revoke_certificate<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    reason: &str,
    public: bool,
    by: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let r = certificate::Entity::update_many()
        .col_expr(certificate::Column::RevokedAt, Expr::value(now))
        .col_expr(certificate::Column::RevokeReason, Expr::value(reason))
        .col_expr(certificate::Column::RevokeReasonPublic, Expr::value(public))
        .col_expr(certificate::Column::RevokedBy, Expr::value(by))
        .filter(certificate::Column::Id.eq(id))
        .filter(certificate::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(r.rows_affected == 1)
}

/// Undoes a revocation. True when this call did it.
pub async fn reinstate_certificate<C: ConnectionTrait>(conn: &C, id: i64) -> Result<bool, DbErr> {
    let r = certificate::Entity::update_many()
        .col_expr(
            certificate::Column::RevokedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            certificate::Column::RevokeReason,
            Expr::value(Option::<String>::None),
        )
        .col_expr(certificate::Column::RevokeReasonPublic, Expr::value(false))
        .col_expr(
            certificate::Column::RevokedBy,
            Expr::value(Option::<i64>::None),
        )
        .filter(certificate::Column::Id.eq(id))
        .filter(certificate::Column::RevokedAt.is_not_null())
        .exec(conn)
        .await?;
    Ok(r.rows_affected == 1)
}

/// Moves the completion a certificate attests into `withdrawn_completion` (kept whole for an
/// undo). False when there was none to move.
pub async fn withdraw_completion<C: ConnectionTrait>(
    conn: &C,
    c: &Certificate,
) -> Result<bool, DbErr> {
    let Some(done) = course_completion::Entity::find_by_id((c.person_id, c.course_id))
        .one(conn)
        .await?
    else {
        return Ok(false);
    };
    withdrawn_completion::Entity::insert(withdrawn_completion::ActiveModel {
        certificate_id: Set(c.id),
        person_id: Set(done.person_id),
        course_id: Set(done.course_id),
        attempt_id: Set(done.attempt_id),
        completed_at: Set(done.completed_at),
        import_id: Set(done.import_id),
    })
    .exec_without_returning(conn)
    .await?;
    course_completion::Entity::delete_by_id((c.person_id, c.course_id))
        .exec(conn)
        .await?;
    Ok(true)
}

/// Puts back the completion withdrawn with a certificate's revocation; returns when it was
/// completed (`None`: nothing was withdrawn).
pub async fn restore_completion<C: ConnectionTrait>(
    conn: &C,
    certificate_id: i64,
) -> Result<Option<DateTime<Utc>>, DbErr> {
    let Some(w) = withdrawn_completion::Entity::find_by_id(certificate_id)
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    course_completion::Entity::insert(course_completion::ActiveModel {
        person_id: Set(w.person_id),
        course_id: Set(w.course_id),
        attempt_id: Set(w.attempt_id),
        completed_at: Set(w.completed_at),
        import_id: Set(w.import_id),
    })
    .on_conflict(
        OnConflict::columns([
            course_completion::Column::PersonId,
            course_completion::Column::CourseId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    withdrawn_completion::Entity::delete_by_id(certificate_id)
        .exec(conn)
        .await?;
    Ok(Some(w.completed_at))
}

/// Which of these people hold a revoked certificate of this course (they may not start its
/// quiz again until the province undoes the revocation).
pub async fn revoked_holders<C: ConnectionTrait>(
    conn: &C,
    person_ids: &[i64],
    course_id: i64,
) -> Result<std::collections::HashSet<i64>, DbErr> {
    let mut out = std::collections::HashSet::new();
    for chunk in person_ids.chunks(500) {
        out.extend(
            certificate::Entity::find()
                .filter(certificate::Column::CourseId.eq(course_id))
                .filter(certificate::Column::PersonId.is_in(chunk.iter().copied()))
                .filter(certificate::Column::RevokedAt.is_not_null())
                .all(conn)
                .await?
                .into_iter()
                .map(|c| c.person_id),
        );
    }
    Ok(out)
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

/// Retires every key that signs (they stay this installation's for checking old files).
pub async fn retire_issuer_keys<C: ConnectionTrait>(
    conn: &C,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    use sea_orm::sea_query::Expr;
    Ok(issuer_key::Entity::update_many()
        .col_expr(issuer_key::Column::RetiredAt, Expr::value(Some(now)))
        .filter(issuer_key::Column::RetiredAt.is_null())
        .exec(conn)
        .await?
        .rows_affected)
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
