//! A learner's progress: the courses with what they have read, the lessons (opened in order in
//! a sequential course), finishing a lesson, and the digital-competence profile. Course content
//! comes from the in-memory [`Catalog`](crate::services::learning::catalog::Catalog). Quizzes
//! are in [`quiz`](super::quiz), what a pass changes in [`spine`](super::spine).

use std::collections::BTreeSet;

use hocvuso_db::repo::{learning, people};

use crate::services::learning::catalog::{Catalog, CatalogCourse, CatalogLesson};
use crate::services::runtime::Runtime;
use crate::services::shared::writer::WriteError;
use crate::services::Internal;

pub use learning::{Certificate, Course};

#[derive(Debug, thiserror::Error)]
pub enum LearnError {
    #[error("not found")]
    NotFound,
    /// The quiz's attempt limit is reached.
    #[error("Bạn đã dùng hết {0} lượt làm bài kiểm tra của khóa học này.")]
    NoAttemptsLeft(i32),
    /// A lesson of a sequential course whose earlier lessons are not all read; the position of
    /// the lesson to read first.
    #[error("Bài này mở khi bạn học xong các bài trước.")]
    Locked(i32),
    /// The quiz opens once every lesson is read; how many are left.
    #[error("Khóa học này yêu cầu học hết các bài trước khi làm bài kiểm tra. Bạn còn {0} bài chưa học.")]
    LessonsFirst(usize),
    /// The learner's certificate of this course was revoked: no new attempt until the province
    /// undoes it.
    #[error("Chứng nhận khóa học này của bạn đã bị thu hồi nên chưa làm lại bài kiểm tra được. Hãy liên hệ cán bộ xã, phường hoặc Sở Khoa học và Công nghệ.")]
    CertificateRevoked,
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl From<hocvuso_db::DbErr> for LearnError {
    fn from(e: hocvuso_db::DbErr) -> Self {
        LearnError::Internal(e.into())
    }
}

impl<E: Into<LearnError>> From<WriteError<E>> for LearnError {
    fn from(e: WriteError<E>) -> Self {
        match e {
            WriteError::Refused(e) => e.into(),
            WriteError::Db(m) => LearnError::Internal(Internal::Other(m)),
        }
    }
}

/// A course as one learner sees it.
pub struct CourseProgress<'a> {
    pub course: &'a CatalogCourse,
    /// Each lesson and whether this learner finished it.
    pub lessons: Vec<(&'a CatalogLesson, bool)>,
    pub certificate: Option<Certificate>,
    /// When the learner completed the course (here, or elsewhere through imported results).
    pub completed_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Attempts this learner has started at the quiz.
    pub attempts_used: i64,
}

impl CourseProgress<'_> {
    pub fn finished_count(&self) -> usize {
        self.lessons.iter().filter(|(_, done)| *done).count()
    }

    /// Where to go on: the first lesson not read yet (`None`: all read).
    pub fn resume_at(&self) -> Option<i32> {
        first_unread(&self.lessons)
    }

    /// Whether the lesson at `index` (0-based) may be opened (see [`is_open`]).
    pub fn is_open(&self, index: usize) -> bool {
        is_open(self.course.course.sequential, &self.lessons, index)
    }

    /// Lessons not read yet.
    pub fn unread(&self) -> usize {
        self.lessons.len() - self.finished_count()
    }

    /// Attempts left under the quiz's limit (`None`: no limit).
    pub fn attempts_left(&self) -> Option<i64> {
        self.course
            .course
            .quiz_attempts
            .map(|limit| (i64::from(limit) - self.attempts_used).max(0))
    }
}

/// A course's lessons, each with whether this learner has read it (one query).
pub(super) async fn lessons_read<'a>(
    state: &Runtime,
    person_id: i64,
    c: &'a CatalogCourse,
) -> Result<Vec<(&'a CatalogLesson, bool)>, LearnError> {
    let ids: Vec<i64> = c.lessons.iter().map(|l| l.lesson.id).collect();
    let finished: BTreeSet<i64> = learning::finished_among(state.db.read(), person_id, &ids)
        .await?
        .into_iter()
        .collect();
    Ok(c.lessons
        .iter()
        .map(|l| (l, finished.contains(&l.lesson.id)))
        .collect())
}

/// The first lesson not read yet.
fn first_unread(lessons: &[(&CatalogLesson, bool)]) -> Option<i32> {
    lessons
        .iter()
        .find(|(_, done)| !*done)
        .map(|(l, _)| l.lesson.position)
}

/// Whether the lesson at `index` (0-based) may be opened: always in a course that is not
/// sequential; otherwise once read, or once every lesson before it is read.
fn is_open(sequential: bool, lessons: &[(&CatalogLesson, bool)], index: usize) -> bool {
    !sequential
        || lessons.get(index).is_some_and(|(_, done)| *done)
        || lessons.iter().take(index).all(|(_, done)| *done)
}

pub(super) fn course<'a>(
    catalog: &'a Catalog,
    slug: &str,
) -> Result<&'a CatalogCourse, LearnError> {
    catalog.by_slug(slug).ok_or(LearnError::NotFound)
}

pub async fn course_progress<'a>(
    state: &Runtime,
    catalog: &'a Catalog,
    person_id: i64,
    slug: &str,
) -> Result<CourseProgress<'a>, LearnError> {
    let db = state.db.read();
    let c = course(catalog, slug)?;
    let lessons = lessons_read(state, person_id, c).await?;
    // A revoked certificate no longer says the course was completed.
    let certificate = learning::certificate_of(db, person_id, c.course.id)
        .await?
        .filter(|c| c.revoked_at.is_none());
    let completed_at = learning::completion_of(db, person_id, c.course.id).await?;
    let attempts_used = learning::attempt_counts(db, &[person_id], c.course.id)
        .await?
        .first()
        .map_or(0, |(_, n)| *n);
    Ok(CourseProgress {
        course: c,
        lessons,
        certificate,
        completed_at,
        attempts_used,
    })
}

/// Every course with this learner's progress.
pub async fn my_courses<'a>(
    state: &Runtime,
    catalog: &'a Catalog,
    person_id: i64,
) -> Result<Vec<CourseProgress<'a>>, LearnError> {
    let mut out = Vec::new();
    for c in catalog.courses() {
        out.push(course_progress(state, catalog, person_id, &c.course.slug).await?);
    }
    Ok(out)
}

/// The target groups a person belongs to (their group codes, each once).
pub async fn groups_of_person(state: &Runtime, person_id: i64) -> Result<Vec<String>, Internal> {
    let mut codes: Vec<String> = people::memberships(state.db.read(), person_id)
        .await?
        .into_iter()
        .map(|m| m.group_code)
        .collect();
    codes.sort();
    codes.dedup();
    Ok(codes)
}

/// One competence of the framework in a learner's profile.
pub struct CompetenceLine {
    pub code: &'static str,
    pub name: &'static str,
    /// Lessons finished that build it: `(course title, lesson title)`.
    pub learned: Vec<(String, String)>,
    /// Courses here that teach it and the learner has not finished all of: `(slug, title)`.
    pub offered: Vec<(String, String)>,
}

pub struct CompetenceDomain {
    pub number: u8,
    pub name: &'static str,
    pub competences: Vec<CompetenceLine>,
}

/// The learner's digital-competence profile (Thông tư 02/2025/TT-BGDĐT): for every competence,
/// the finished lessons that build it, else the courses that teach it.
pub async fn competence_profile(
    state: &Runtime,
    person_id: i64,
) -> Result<Vec<CompetenceDomain>, LearnError> {
    let catalog = state.catalog.current();
    let progress = my_courses(state, &catalog, person_id).await?;
    let has =
        |l: &CatalogLesson, code: &str| l.lesson.competences.split_whitespace().any(|c| c == code);
    Ok(hocvuso_domain::competence::FRAMEWORK
        .iter()
        .map(|d| CompetenceDomain {
            number: d.number,
            name: d.name,
            competences: d
                .competences
                .iter()
                .map(|(code, name)| {
                    let mut learned = Vec::new();
                    let mut offered = Vec::new();
                    for p in &progress {
                        let title = &p.course.course.title;
                        let mut teaches_unfinished = false;
                        for (lesson, done) in p.lessons.iter().filter(|(l, _)| has(l, code)) {
                            if *done {
                                learned.push((title.clone(), lesson.lesson.title.clone()));
                            } else {
                                teaches_unfinished = true;
                            }
                        }
                        if teaches_unfinished {
                            offered.push((p.course.course.slug.clone(), title.clone()));
                        }
                    }
                    CompetenceLine {
                        code,
                        name,
                        learned,
                        offered,
                    }
                })
                .collect(),
        })
        .collect())
}

pub struct LessonPage<'a> {
    pub course: &'a CatalogCourse,
    pub lesson: &'a CatalogLesson,
    pub total: i32,
}

/// A lesson is content: it reads only the in-memory catalog (no query), which keeps the page
/// that learners open most the cheapest. Per-person progress is on the course page — except in
/// a sequential course, where the learner's progress says whether the lesson is open yet.
pub async fn lesson<'a>(
    state: &Runtime,
    catalog: &'a Catalog,
    person_id: i64,
    slug: &str,
    position: i32,
) -> Result<LessonPage<'a>, LearnError> {
    let c = course(catalog, slug)?;
    let lesson = c.lesson_at(position).ok_or(LearnError::NotFound)?;
    if c.course.sequential {
        check_open(state, catalog, person_id, slug, position).await?;
    }
    Ok(LessonPage {
        total: c.lessons.len() as i32,
        course: c,
        lesson,
    })
}

/// In a sequential course, refuses a lesson whose earlier lessons are not all read.
async fn check_open(
    state: &Runtime,
    catalog: &Catalog,
    person_id: i64,
    slug: &str,
    position: i32,
) -> Result<(), LearnError> {
    let c = course(catalog, slug)?;
    let lessons = lessons_read(state, person_id, c).await?;
    let index = lessons
        .iter()
        .position(|(l, _)| l.lesson.position == position)
        .ok_or(LearnError::NotFound)?;
    if is_open(c.course.sequential, &lessons, index) {
        Ok(())
    } else {
        Err(LearnError::Locked(first_unread(&lessons).unwrap_or(1)))
    }
}

/// Marks a lesson finished. Returns the position of the next lesson, if any.
pub async fn finish_lesson(
    state: &Runtime,
    person_id: i64,
    slug: &str,
    position: i32,
) -> Result<Option<i32>, LearnError> {
    let catalog = state.catalog.current();
    let c = course(&catalog, slug)?;
    let lesson = c.lesson_at(position).ok_or(LearnError::NotFound)?;
    if c.course.sequential {
        check_open(state, &catalog, person_id, slug, position).await?;
    }
    learning::mark_lesson_finished(
        state.db.write(),
        person_id,
        lesson.lesson.id,
        state.clock.now(),
    )
    .await?;
    Ok((position < c.lessons.len() as i32).then_some(position + 1))
}
