//! The curriculum in memory. Courses, lessons (with their Markdown already rendered to safe
//! HTML), questions and options change only when content is loaded, so every learner page reads
//! them from here instead of the database. The database stays the source of truth: the catalog
//! is built from it at start (`hocvuso::open`), after seeding, and rebuilt when an author
//! publishes a course version ([`CatalogStore`], see `services::learning::course_edit`).

use std::collections::BTreeMap;

use hocvuso_db::repo::learning::{self, Course, Lesson, Question, QuestionOption};
use hocvuso_db::{ConnectionTrait, DbErr};

use crate::services::runtime::Runtime;
use crate::services::shared::markdown;
use crate::services::Internal;

pub struct CatalogLesson {
    pub lesson: Lesson,
    /// The lesson's Markdown rendered and sanitised once, cut at its check questions.
    pub parts: Vec<markdown::Part>,
}

pub struct CatalogQuestion {
    pub question: Question,
    /// In display order; `is_correct` never leaves the server before submission.
    pub options: Vec<QuestionOption>,
}

pub struct CatalogCourse {
    pub course: Course,
    /// The lessons of the published version, in order.
    pub lessons: Vec<CatalogLesson>,
    /// Every question the course ever had (see [`CatalogCourse::bank_questions`]).
    pub questions: Vec<CatalogQuestion>,
    /// Pairs of bank questions that ask nearly the same thing
    /// (`hocvuso_domain::text::near_duplicates`): an attempt draws at most one of each pair.
    pub twins: Vec<(i64, i64)>,
}

impl CatalogCourse {
    pub fn lesson_at(&self, position: i32) -> Option<&CatalogLesson> {
        self.lessons.iter().find(|l| l.lesson.position == position)
    }

    pub fn question(&self, id: i64) -> Option<&CatalogQuestion> {
        self.questions.iter().find(|q| q.question.id == id)
    }

    /// The questions of the published version, the bank new attempts draw from (retired
    /// questions stay in [`Self::questions`] for the attempts that were given them).
    pub fn bank_questions(&self) -> impl Iterator<Item = &CatalogQuestion> {
        self.questions
            .iter()
            .filter(|q| q.question.retired_at.is_none())
    }

    /// The ids of [`Self::bank_questions`], in order.
    pub fn bank(&self) -> Vec<i64> {
        self.bank_questions().map(|q| q.question.id).collect()
    }

    /// The questions of a new attempt (see [`crate::services::learning::quiz::draw_questions`]).
    pub fn draw(&self) -> Vec<i64> {
        let bank: Vec<(i64, &str)> = self
            .bank_questions()
            .map(|q| (q.question.id, q.question.competences.as_str()))
            .collect();
        let quotas =
            hocvuso_domain::competence::parse_quotas(&self.course.quiz_draw_by).unwrap_or_default();
        crate::services::learning::quiz::draw_questions(
            &bank,
            self.course.quiz_draw,
            &quotas,
            &self.twins,
        )
    }
}

/// The pairs of current questions that ask nearly the same thing (once, when the catalogue
/// loads: the draw only looks them up).
fn twins_of(questions: &[CatalogQuestion]) -> Vec<(i64, i64)> {
    let bank: Vec<&CatalogQuestion> = questions
        .iter()
        .filter(|q| q.question.retired_at.is_none())
        .collect();
    let mut out = Vec::new();
    for (i, a) in bank.iter().enumerate() {
        for b in &bank[i + 1..] {
            if hocvuso_domain::text::near_duplicates(&a.question.prompt, &b.question.prompt) {
                out.push((a.question.id, b.question.id));
            }
        }
    }
    out
}

#[derive(Default)]
pub struct Catalog {
    courses: Vec<CatalogCourse>,
    /// `(group, course id)` for every course a group requires.
    required: Vec<(String, i64)>,
}

impl Catalog {
    pub async fn load<C: ConnectionTrait>(conn: &C) -> Result<Self, DbErr> {
        let mut courses = Vec::new();
        for course in learning::courses(conn).await? {
            let lessons = learning::lessons(conn, course.id)
                .await?
                .into_iter()
                .map(|lesson| CatalogLesson {
                    parts: markdown::lesson_parts(&lesson.body_md),
                    lesson,
                })
                .collect();
            let questions = learning::questions(conn, course.id).await?;
            let ids: Vec<i64> = questions.iter().map(|q| q.id).collect();
            let mut options: BTreeMap<i64, Vec<QuestionOption>> = BTreeMap::new();
            for o in learning::options_of(conn, &ids).await? {
                options.entry(o.question_id).or_default().push(o);
            }
            let questions: Vec<CatalogQuestion> = questions
                .into_iter()
                .map(|question| CatalogQuestion {
                    options: options.remove(&question.id).unwrap_or_default(),
                    question,
                })
                .collect();
            let twins = twins_of(&questions);
            courses.push(CatalogCourse {
                course,
                lessons,
                questions,
                twins,
            });
        }
        Ok(Catalog {
            courses,
            required: learning::required_courses(conn).await?,
        })
    }

    /// The courses learners see: published at least once (`version` ≥ 1). A course created in
    /// the browser stays out of sight until its first version is published.
    pub fn courses(&self) -> impl Iterator<Item = &CatalogCourse> {
        self.courses.iter().filter(|c| c.course.version >= 1)
    }

    /// Every course, unpublished new ones too (for authors).
    pub fn all(&self) -> &[CatalogCourse] {
        &self.courses
    }

    /// A course learners may see, by slug.
    pub fn by_slug(&self, slug: &str) -> Option<&CatalogCourse> {
        self.courses().find(|c| c.course.slug == slug)
    }

    /// A course learners may see, by id.
    pub fn by_id(&self, id: i64) -> Option<&CatalogCourse> {
        self.courses().find(|c| c.course.id == id)
    }

    /// The groups that require a course.
    pub fn groups_requiring(&self, course_id: i64) -> Vec<String> {
        self.required
            .iter()
            .filter(|(_, c)| *c == course_id)
            .map(|(g, _)| g.clone())
            .collect()
    }

    /// The courses a group requires (empty: the group cannot achieve `digital_skills` here yet).
    pub fn required_for(&self, group: &str) -> Vec<i64> {
        self.required
            .iter()
            .filter(|(g, _)| g == group)
            .map(|(_, c)| *c)
            .collect()
    }

    /// Whether someone who completed the courses for which `completed` is true meets every
    /// requirement of a group (a course taught elsewhere meets the requirement of the course it
    /// counts as). False for a group that requires nothing.
    pub fn meets(&self, group: &str, completed: impl Fn(i64) -> bool) -> bool {
        self.met_at(group, |c| completed(c).then_some(())).is_some()
    }

    /// When someone met every requirement of a group, given `done(course)`: when they completed
    /// a course, if they did. Each requirement is met at the earliest completion of the course
    /// or of a course that counts as it; the group's at the **latest** of its requirements
    /// (an achievement is dated by the last course it needed). None if a requirement is unmet
    /// or the group requires nothing.
    pub fn met_at<T: Ord + Copy>(&self, group: &str, done: impl Fn(i64) -> Option<T>) -> Option<T> {
        let needed = self.required_for(group);
        let mut last: Option<T> = None;
        for c in needed {
            let earliest = std::iter::once(c)
                .chain(
                    self.courses
                        .iter()
                        .filter(|k| k.course.counts_as_id == Some(c))
                        .map(|k| k.course.id),
                )
                .filter_map(&done)
                .min()?;
            last = last.max(Some(earliest));
        }
        last
    }
}

/// The current [`Catalog`], swapped whole when an author publishes a course version, with the
/// content version it was built from (setting `catalog_version`).
pub type CatalogStore = crate::services::shared::live::Live<Catalog>;

/// The setting that changes whenever a course's published content does.
const VERSION_KEY: &str = "catalog_version";

/// The curriculum's content version as stored (empty before any course was published here).
pub async fn stored_version<C: ConnectionTrait>(conn: &C) -> Result<String, DbErr> {
    crate::services::shared::live::stored_version(conn, VERSION_KEY).await
}

/// Marks the curriculum changed (call inside the transaction that changes it).
pub async fn mark_changed<C: ConnectionTrait>(conn: &C) -> Result<(), DbErr> {
    crate::services::shared::live::mark_changed(conn, VERSION_KEY).await
}

/// Rebuilds the in-memory curriculum from the database, then the handbook (its search index
/// holds the courses' outlines).
/// Then tells the other server processes (see [`crate::services::shared::live`]).
pub async fn reload(state: &Runtime) -> Result<(), Internal> {
    rebuild(state).await?;
    crate::services::shared::live::announce(state).await;
    Ok(())
}

/// Rebuilds the curriculum and the handbook from the database.
async fn rebuild(state: &Runtime) -> Result<(), Internal> {
    let conn = state.db.read();
    let version = stored_version(conn).await?;
    state.catalog.replace(Catalog::load(conn).await?, version);
    crate::services::handbook::articles::rebuild(state).await
}

/// Rebuilds the curriculum if another process changed it since this copy was built.
pub async fn refresh_if_changed(state: &Runtime) -> Result<bool, Internal> {
    if stored_version(state.db.read()).await? == state.catalog.version() {
        return Ok(false);
    }
    rebuild(state).await?;
    Ok(true)
}
