//! Courses, their lessons and questions, settings and versions (drafts and published).

use super::*;

pub struct NewCourse<'a> {
    pub slug: &'a str,
    pub title: &'a str,
    pub summary: &'a str,
    pub level: &'a str,
    pub pass_percent: i32,
    pub license: &'a str,
    /// Where the course is taught, when it is taught on another platform.
    pub external_url: Option<&'a str>,
    /// The course whose requirement a completion of this one also meets.
    pub counts_as_id: Option<i64>,
    /// Questions drawn per attempt (`None`: every question).
    pub quiz_draw: Option<i32>,
    /// Attempts a learner may start (`None`: no limit).
    pub quiz_attempts: Option<i32>,
    /// Minutes to submit an attempt (`None`: no limit).
    pub quiz_minutes: Option<i32>,
    pub sequential: bool,
    pub require_lessons: bool,
    /// `code=n` separated by spaces (see `course.quiz_draw_by`).
    pub quiz_draw_by: &'a str,
    /// 1 for shipped content; 0 for a course created in the browser, unseen by learners until
    /// its first version is published.
    pub version: i32,
}

pub async fn insert_course<C: ConnectionTrait>(
    conn: &C,
    c: NewCourse<'_>,
    now: DateTime<Utc>,
) -> Result<Course, DbErr> {
    course::Entity::insert(course::ActiveModel {
        slug: Set(c.slug.to_owned()),
        title: Set(c.title.to_owned()),
        summary: Set(c.summary.to_owned()),
        level: Set(c.level.to_owned()),
        pass_percent: Set(c.pass_percent),
        license: Set(c.license.to_owned()),
        created_at: Set(now),
        external_url: Set(c.external_url.map(str::to_owned)),
        counts_as_id: Set(c.counts_as_id),
        quiz_draw: Set(c.quiz_draw),
        quiz_attempts: Set(c.quiz_attempts),
        quiz_minutes: Set(c.quiz_minutes),
        version: Set(c.version),
        sequential: Set(c.sequential),
        require_lessons: Set(c.require_lessons),
        quiz_draw_by: Set(c.quiz_draw_by.to_owned()),
        ..Default::default()
    })
    .exec_with_returning(conn)
    .await
}

/// A lesson's content as stored.
pub struct LessonContent<'a> {
    pub position: i32,
    pub module: &'a str,
    pub title: &'a str,
    pub body_md: &'a str,
    pub minutes: i32,
    pub competences: &'a [String],
}

pub async fn insert_lesson<C: ConnectionTrait>(
    conn: &C,
    course_id: i64,
    l: LessonContent<'_>,
) -> Result<(), DbErr> {
    lesson::Entity::insert(lesson::ActiveModel {
        course_id: Set(course_id),
        position: Set(l.position),
        module: Set(l.module.to_owned()),
        title: Set(l.title.to_owned()),
        body_md: Set(l.body_md.to_owned()),
        minutes: Set(l.minutes),
        competences: Set(l.competences.join(" ")),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Changes a lesson of the published version in place (its id, and so everyone's progress on
/// it, stays).
pub async fn update_lesson<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    l: LessonContent<'_>,
) -> Result<(), DbErr> {
    lesson::Entity::update_many()
        .col_expr(lesson::Column::Position, Expr::value(l.position))
        .col_expr(lesson::Column::Module, Expr::value(l.module))
        .col_expr(lesson::Column::Title, Expr::value(l.title))
        .col_expr(lesson::Column::BodyMd, Expr::value(l.body_md))
        .col_expr(lesson::Column::Minutes, Expr::value(l.minutes))
        .col_expr(
            lesson::Column::Competences,
            Expr::value(l.competences.join(" ")),
        )
        .filter(lesson::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Moves every current lesson of a course out of the way (position = -id) so that new
/// positions can be given one by one without meeting the unique (course, position) index.
pub async fn park_lessons<C: ConnectionTrait>(conn: &C, course_id: i64) -> Result<(), DbErr> {
    lesson::Entity::update_many()
        .col_expr(
            lesson::Column::Position,
            Expr::col(lesson::Column::Id).mul(-1),
        )
        .filter(lesson::Column::CourseId.eq(course_id))
        .filter(lesson::Column::RetiredAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// Retires lessons a new version no longer has (call after [`park_lessons`]: they keep their
/// parked position).
pub async fn retire_lessons<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    lesson::Entity::update_many()
        .col_expr(lesson::Column::RetiredAt, Expr::value(Some(now)))
        .filter(lesson::Column::Id.is_in(ids.iter().copied()))
        .exec(conn)
        .await?;
    Ok(())
}

/// Retires questions a new version changed or removed: new attempts no longer draw them, and
/// attempts that were given them keep them.
pub async fn retire_questions<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    question::Entity::update_many()
        .col_expr(question::Column::RetiredAt, Expr::value(Some(now)))
        .filter(question::Column::Id.is_in(ids.iter().copied()))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn set_question_position<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    position: i32,
) -> Result<(), DbErr> {
    question::Entity::update_many()
        .col_expr(question::Column::Position, Expr::value(position))
        .filter(question::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// A course's settings as a version publishes them.
pub struct CourseSettings<'a> {
    pub title: &'a str,
    pub summary: &'a str,
    pub pass_percent: i32,
    pub quiz_draw: Option<i32>,
    pub quiz_attempts: Option<i32>,
    pub quiz_minutes: Option<i32>,
    pub sequential: bool,
    pub require_lessons: bool,
    pub quiz_draw_by: &'a str,
}

pub async fn set_course_settings<C: ConnectionTrait>(
    conn: &C,
    course_id: i64,
    c: CourseSettings<'_>,
    version: i32,
) -> Result<(), DbErr> {
    course::Entity::update_many()
        .col_expr(course::Column::Title, Expr::value(c.title))
        .col_expr(course::Column::Summary, Expr::value(c.summary))
        .col_expr(course::Column::PassPercent, Expr::value(c.pass_percent))
        .col_expr(course::Column::QuizDraw, Expr::value(c.quiz_draw))
        .col_expr(course::Column::QuizAttempts, Expr::value(c.quiz_attempts))
        .col_expr(course::Column::QuizMinutes, Expr::value(c.quiz_minutes))
        .col_expr(course::Column::Sequential, Expr::value(c.sequential))
        .col_expr(
            course::Column::RequireLessons,
            Expr::value(c.require_lessons),
        )
        .col_expr(course::Column::Version, Expr::value(version))
        .filter(course::Column::Id.eq(course_id))
        .exec(conn)
        .await?;
    Ok(())
}

pub const VERSION_DRAFT: &str = "draft";
pub const VERSION_PUBLISHED: &str = "published";

/// A course's versions, newest first (the draft, if any, is the newest).
pub async fn versions_of<C: ConnectionTrait>(
    conn: &C,
    course_id: i64,
) -> Result<Vec<CourseVersion>, DbErr> {
    course_version::Entity::find()
        .filter(course_version::Column::CourseId.eq(course_id))
        .order_by_desc(course_version::Column::Number)
        .all(conn)
        .await
}

pub async fn draft_of<C: ConnectionTrait>(
    conn: &C,
    course_id: i64,
) -> Result<Option<CourseVersion>, DbErr> {
    course_version::Entity::find()
        .filter(course_version::Column::CourseId.eq(course_id))
        .filter(course_version::Column::Status.eq(VERSION_DRAFT))
        .one(conn)
        .await
}

/// A new version row (a draft, or the record of a version already published).
pub struct NewVersion<'a> {
    pub course_id: i64,
    pub number: i32,
    pub status: &'a str,
    pub content: &'a str,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

pub async fn insert_version<C: ConnectionTrait>(
    conn: &C,
    v: NewVersion<'_>,
) -> Result<CourseVersion, DbErr> {
    course_version::Entity::insert(course_version::ActiveModel {
        course_id: Set(v.course_id),
        number: Set(v.number),
        status: Set(v.status.to_owned()),
        content: Set(v.content.to_owned()),
        note: Set(String::new()),
        created_by: Set(v.created_by),
        created_at: Set(v.created_at),
        updated_at: Set(v.created_at),
        published_by: Set(None),
        published_at: Set(v.published_at),
        ..Default::default()
    })
    .exec_with_returning(conn)
    .await
}

/// Replaces a draft's content only if it still holds `expected` (another author's change in
/// between makes this return false and change nothing).
pub async fn update_draft<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    expected: &str,
    content: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = course_version::Entity::update_many()
        .col_expr(course_version::Column::Content, Expr::value(content))
        .col_expr(course_version::Column::UpdatedAt, Expr::value(now))
        .filter(course_version::Column::Id.eq(id))
        .filter(course_version::Column::Status.eq(VERSION_DRAFT))
        .filter(course_version::Column::Content.eq(expected))
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

pub async fn delete_draft<C: ConnectionTrait>(conn: &C, id: i64) -> Result<bool, DbErr> {
    let res = course_version::Entity::delete_many()
        .filter(course_version::Column::Id.eq(id))
        .filter(course_version::Column::Status.eq(VERSION_DRAFT))
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Marks a draft published (only if it is still the draft). Returns whether it was.
pub async fn mark_published<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    by: i64,
    note: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = course_version::Entity::update_many()
        .col_expr(
            course_version::Column::Status,
            Expr::value(VERSION_PUBLISHED),
        )
        .col_expr(course_version::Column::PublishedBy, Expr::value(Some(by)))
        .col_expr(course_version::Column::PublishedAt, Expr::value(Some(now)))
        .col_expr(course_version::Column::Note, Expr::value(note))
        .filter(course_version::Column::Id.eq(id))
        .filter(course_version::Column::Status.eq(VERSION_DRAFT))
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

/// A question whose one right option must be chosen.
pub const KIND_SINGLE: &str = "single";
/// A question whose right options must all be chosen, and no wrong one.
pub const KIND_MULTIPLE: &str = "multiple";

/// A question with its options; `correct` indexes `options`.
pub struct NewQuestion<'a> {
    pub course_id: i64,
    pub position: i32,
    pub prompt: &'a str,
    pub explanation: &'a str,
    pub options: &'a [String],
    pub correct: &'a [usize],
    /// All right options to choose (else exactly one).
    pub multiple: bool,
    /// Competence codes (Thông tư 02/2025/TT-BGDĐT).
    pub competences: &'a [String],
}

/// Inserts a question with its options.
pub async fn insert_question<C: ConnectionTrait>(
    conn: &C,
    NewQuestion {
        course_id,
        position,
        prompt,
        explanation,
        options,
        correct,
        multiple,
        competences,
    }: NewQuestion<'_>,
) -> Result<i64, DbErr> {
    let q = question::Entity::insert(question::ActiveModel {
        course_id: Set(course_id),
        position: Set(position),
        prompt: Set(prompt.to_owned()),
        explanation: Set(explanation.to_owned()),
        competences: Set(competences.join(" ")),
        kind: Set(if multiple { KIND_MULTIPLE } else { KIND_SINGLE }.to_owned()),
        ..Default::default()
    })
    .exec_with_returning(conn)
    .await?;
    let rows = options
        .iter()
        .enumerate()
        .map(|(i, body)| question_option::ActiveModel {
            question_id: Set(q.id),
            position: Set(i as i32 + 1),
            body: Set(body.clone()),
            is_correct: Set(correct.contains(&i)),
            ..Default::default()
        });
    question_option::Entity::insert_many(rows)
        .exec_without_returning(conn)
        .await?;
    Ok(q.id)
}

pub async fn require_course_for_group<C: ConnectionTrait>(
    conn: &C,
    group_code: &str,
    course_id: i64,
) -> Result<(), DbErr> {
    group_course::Entity::insert(group_course::ActiveModel {
        group_code: Set(group_code.to_owned()),
        course_id: Set(course_id),
    })
    .on_conflict(
        OnConflict::columns([
            group_course::Column::GroupCode,
            group_course::Column::CourseId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Makes `course_ids` the courses a group requires (in the caller's transaction).
pub async fn set_group_courses<C: ConnectionTrait>(
    conn: &C,
    group_code: &str,
    course_ids: &[i64],
) -> Result<(), DbErr> {
    group_course::Entity::delete_many()
        .filter(group_course::Column::GroupCode.eq(group_code))
        .exec(conn)
        .await?;
    for id in course_ids {
        require_course_for_group(conn, group_code, *id).await?;
    }
    Ok(())
}

/// One change of a group's required courses, for the history.
pub struct NewRequirementChange<'a> {
    pub group_code: &'a str,
    pub courses_before: &'a str,
    pub courses_after: &'a str,
    pub reason: &'a str,
    pub gained: i64,
    pub lost: i64,
    pub redated: i64,
    pub changed_by: Option<i64>,
    pub changed_at: DateTime<Utc>,
}

pub async fn insert_requirement_change<C: ConnectionTrait>(
    conn: &C,
    c: NewRequirementChange<'_>,
) -> Result<(), DbErr> {
    requirement_change::Entity::insert(requirement_change::ActiveModel {
        group_code: Set(c.group_code.to_owned()),
        courses_before: Set(c.courses_before.to_owned()),
        courses_after: Set(c.courses_after.to_owned()),
        reason: Set(c.reason.to_owned()),
        gained: Set(c.gained),
        lost: Set(c.lost),
        redated: Set(c.redated),
        changed_by: Set(c.changed_by),
        changed_at: Set(c.changed_at),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Whether a group's required courses were ever changed (by the province, or by an upgrade).
pub async fn requirements_ever_changed<C: ConnectionTrait>(
    conn: &C,
    group_code: &str,
) -> Result<bool, DbErr> {
    Ok(requirement_change::Entity::find()
        .filter(requirement_change::Column::GroupCode.eq(group_code))
        .one(conn)
        .await?
        .is_some())
}

/// The latest `limit` changes of the groups' required courses, newest first.
pub async fn requirement_changes<C: ConnectionTrait>(
    conn: &C,
    limit: u64,
) -> Result<Vec<RequirementChange>, DbErr> {
    use sea_orm::QuerySelect;
    requirement_change::Entity::find()
        .order_by_desc(requirement_change::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

/// `(group_code, course_id)` for every course a group requires.
pub async fn required_courses<C: ConnectionTrait>(conn: &C) -> Result<Vec<(String, i64)>, DbErr> {
    Ok(group_course::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|g| (g.group_code, g.course_id))
        .collect())
}

pub async fn courses<C: ConnectionTrait>(conn: &C) -> Result<Vec<Course>, DbErr> {
    course::Entity::find()
        .order_by_asc(course::Column::Id)
        .all(conn)
        .await
}

pub async fn course_by_slug<C: ConnectionTrait>(
    conn: &C,
    slug: &str,
) -> Result<Option<Course>, DbErr> {
    course::Entity::find()
        .filter(course::Column::Slug.eq(slug))
        .one(conn)
        .await
}

/// The lessons of a course's published version, in order (retired lessons left out).
pub async fn lessons<C: ConnectionTrait>(conn: &C, course_id: i64) -> Result<Vec<Lesson>, DbErr> {
    lesson::Entity::find()
        .filter(lesson::Column::CourseId.eq(course_id))
        .filter(lesson::Column::RetiredAt.is_null())
        .order_by_asc(lesson::Column::Position)
        .all(conn)
        .await
}
