//! Courses edited in the browser (authors and the province administrator), Open edX style:
//! every change goes into the course's ONE draft — the whole course as a [`CourseDoc`] in a
//! `course_version` row — while learners keep seeing the published version; "Xuất bản"
//! publishes the draft as the next version in one transaction.
//!
//! Publishing never breaks a learner in the middle of the course:
//! - a lesson that the new version keeps is changed in place, so everyone's progress on it
//!   stays; a removed lesson is retired (kept for the progress that points at it);
//! - a question is never changed in place: a changed one is retired and its new text is a new
//!   question, so an open attempt shows, and is graded on, exactly the questions it was given;
//!   new attempts draw from the new bank;
//! - settings (pass mark, draw, limits) apply to attempts started after publishing, except the
//!   time limit, which the server reads when an answer sheet arrives.
//!
//! Every published version keeps its whole content, so the history says what learners saw.

use std::collections::{BTreeMap, BTreeSet};

use hocvuso_db::repo::learning::{self as repo, CourseVersion};
use hocvuso_db::{ConnectionTrait, DbErr, TransactionTrait};
use hocvuso_domain::text::nfc;
use serde::{Deserialize, Serialize};

use crate::services::accounts::sign_in::{FieldErrors, SessionUser};
use crate::services::learning::catalog::{Catalog, CatalogCourse};
use crate::services::Internal;
use crate::state::AppState;

/// A whole course as an author edits it. `id`s name the published lesson or question an entry
/// came from (`None`: new in this draft).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourseDoc {
    pub title: String,
    pub summary: String,
    pub pass_percent: i32,
    pub quiz_draw: Option<i32>,
    pub quiz_attempts: Option<i32>,
    pub quiz_minutes: Option<i32>,
    #[serde(default)]
    pub sequential: bool,
    #[serde(default)]
    pub require_lessons: bool,
    /// Questions drawn per competence before the rest: `(code, count)`.
    #[serde(default)]
    pub draw_by: Vec<(String, usize)>,
    pub lessons: Vec<LessonDoc>,
    pub questions: Vec<QuestionDoc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonDoc {
    pub id: Option<i64>,
    #[serde(default)]
    pub module: String,
    pub title: String,
    pub minutes: i32,
    pub competences: Vec<String>,
    pub body_md: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionDoc {
    pub id: Option<i64>,
    pub prompt: String,
    pub options: Vec<String>,
    /// 0-based indexes into `options` of the right ones.
    pub correct: Vec<usize>,
    /// The learner must choose every right option (else exactly one is right).
    #[serde(default)]
    pub multiple: bool,
    pub explanation: String,
    pub competences: Vec<String>,
}

impl LessonDoc {
    /// The same lesson, whatever blank lines end its text.
    fn same_as(&self, other: &LessonDoc) -> bool {
        self.module == other.module
            && self.title == other.title
            && self.minutes == other.minutes
            && self.competences == other.competences
            && self.body_md.trim_end() == other.body_md.trim_end()
    }

    fn content(&self, position: i32) -> repo::LessonContent<'_> {
        repo::LessonContent {
            position,
            module: &self.module,
            title: &self.title,
            body_md: &self.body_md,
            minutes: self.minutes,
            competences: &self.competences,
        }
    }
}

impl QuestionDoc {
    /// Whether two questions ask and grade the same thing (then the published one is kept).
    fn same_as(&self, other: &QuestionDoc) -> bool {
        self.prompt == other.prompt
            && self.options == other.options
            && self.correct == other.correct
            && self.multiple == other.multiple
            && self.explanation == other.explanation
            && self.competences == other.competences
    }
}

/// The 0-based places of a question's right options.
fn right_indexes(options: &[repo::QuestionOption]) -> Vec<usize> {
    options
        .iter()
        .enumerate()
        .filter(|(_, o)| o.is_correct)
        .map(|(i, _)| i)
        .collect()
}

fn codes(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_owned).collect()
}

impl CourseDoc {
    /// The published version of a course as held in memory.
    pub fn published(c: &CatalogCourse) -> CourseDoc {
        let k = &c.course;
        CourseDoc {
            title: k.title.clone(),
            summary: k.summary.clone(),
            pass_percent: k.pass_percent,
            quiz_draw: k.quiz_draw,
            quiz_attempts: k.quiz_attempts,
            quiz_minutes: k.quiz_minutes,
            sequential: k.sequential,
            require_lessons: k.require_lessons,
            draw_by: hocvuso_domain::competence::parse_quotas(&k.quiz_draw_by).unwrap_or_default(),
            lessons: c
                .lessons
                .iter()
                .map(|l| LessonDoc {
                    id: Some(l.lesson.id),
                    module: l.lesson.module.clone(),
                    title: l.lesson.title.clone(),
                    minutes: l.lesson.minutes,
                    competences: codes(&l.lesson.competences),
                    body_md: l.lesson.body_md.clone(),
                })
                .collect(),
            questions: c
                .bank_questions()
                .map(|q| QuestionDoc {
                    id: Some(q.question.id),
                    prompt: q.question.prompt.clone(),
                    options: q.options.iter().map(|o| o.body.clone()).collect(),
                    correct: right_indexes(&q.options),
                    multiple: q.question.kind == repo::KIND_MULTIPLE,
                    explanation: q.question.explanation.clone(),
                    competences: codes(&q.question.competences),
                })
                .collect(),
        }
    }

    fn to_json(&self) -> Result<String, Internal> {
        serde_json::to_string(self).map_err(|e| Internal::Other(e.to_string()))
    }

    fn from_json(s: &str) -> Result<CourseDoc, Internal> {
        serde_json::from_str(s).map_err(|e| Internal::Other(format!("course version: {e}")))
    }

    /// What stops this draft from being published, in Vietnamese (empty: it can be).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.summary.trim().is_empty() {
            out.push("Khóa học cần lời giới thiệu ngắn (ở phần Thông tin chung).".to_owned());
        }
        if self.lessons.is_empty() {
            out.push("Khóa học cần ít nhất một bài học.".to_owned());
        }
        if self.questions.is_empty() {
            out.push("Bài kiểm tra cần ít nhất một câu hỏi.".to_owned());
        }
        for (code, n) in &self.draw_by {
            let tagged = self
                .questions
                .iter()
                .filter(|q| q.competences.contains(code))
                .count();
            if *n > tagged {
                out.push(format!(
                    "Mỗi lượt cần {n} câu về năng lực {code} nhưng chỉ có {tagged} câu gắn mã này."
                ));
            }
        }
        let quotas: usize = self.draw_by.iter().map(|(_, n)| n).sum();
        let per_attempt = self
            .quiz_draw
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(self.questions.len());
        if quotas > per_attempt {
            out.push(format!(
                "Số câu theo năng lực ({quotas}) nhiều hơn số câu mỗi lượt ({per_attempt})."
            ));
        }
        if let Some(n) = self.quiz_draw {
            if usize::try_from(n).map_or(true, |n| n > self.questions.len()) {
                out.push(format!(
                    "Mỗi lượt rút {n} câu nhưng ngân hàng chỉ có {} câu: hãy thêm câu hỏi hoặc giảm số câu rút.",
                    self.questions.len()
                ));
            }
        }
        out
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error("not found")]
    NotFound,
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// Another author changed the draft (or published it) between reading and saving.
    #[error(
        "Bản nháp vừa được người khác thay đổi. Hãy mở lại trang để xem bản mới nhất rồi sửa tiếp."
    )]
    Conflict,
    #[error(transparent)]
    Internal(#[from] Internal),
}

impl From<DbErr> for EditError {
    fn from(e: DbErr) -> Self {
        EditError::Internal(e.into())
    }
}

/// A course as its authors see it: the draft if there is one, otherwise the published version.
pub struct Editing {
    pub course: repo::Course,
    pub doc: CourseDoc,
    /// The draft's row (`None`: nothing changed since the published version).
    pub draft: Option<CourseVersion>,
    /// Every version, newest first (the draft included).
    pub versions: Vec<CourseVersion>,
}

impl Editing {
    /// The number the draft will have when published.
    pub fn next_number(&self) -> i32 {
        self.course.version + 1
    }
}

/// Courses an author may edit here (not the courses taught elsewhere).
pub fn editable(catalog: &Catalog) -> impl Iterator<Item = &CatalogCourse> {
    catalog
        .all()
        .iter()
        .filter(|c| c.course.external_url.is_none())
}

fn editable_course<'a>(catalog: &'a Catalog, slug: &str) -> Result<&'a CatalogCourse, EditError> {
    editable(catalog)
        .find(|c| c.course.slug == slug)
        .ok_or(EditError::NotFound)
}

pub async fn editing(state: &AppState, slug: &str) -> Result<Editing, EditError> {
    let catalog = state.catalog.current();
    let c = editable_course(&catalog, slug)?;
    let conn = state.db.read();
    let course = repo::course_by_slug(conn, slug)
        .await?
        .ok_or(EditError::NotFound)?;
    let versions = repo::versions_of(conn, course.id).await?;
    let draft = versions
        .iter()
        .find(|v| v.status == repo::VERSION_DRAFT)
        .cloned();
    let doc = match &draft {
        Some(d) => CourseDoc::from_json(&d.content)?,
        None => CourseDoc::published(c),
    };
    Ok(Editing {
        course,
        doc,
        draft,
        versions,
    })
}

/// One published version's content (for the history page).
pub async fn version(
    state: &AppState,
    slug: &str,
    number: i32,
) -> Result<(Editing, CourseVersion, CourseDoc), EditError> {
    let e = editing(state, slug).await?;
    let v = e
        .versions
        .iter()
        .find(|v| v.number == number)
        .cloned()
        .ok_or(EditError::NotFound)?;
    let doc = CourseDoc::from_json(&v.content)?;
    Ok((e, v, doc))
}

/// Applies `change` to the course's draft (made from the published version first if there is
/// none) and saves it, all in one write transaction. `change` may refuse with field errors.
async fn change_draft<T>(
    state: &AppState,
    author: Option<i64>,
    slug: &str,
    change: impl FnOnce(&mut CourseDoc) -> Result<T, FieldErrors>,
) -> Result<T, EditError> {
    let catalog = state.catalog.current();
    let c = editable_course(&catalog, slug)?;
    let now = state.clock.now();
    let txn = state.db.write().begin().await?;
    let course = repo::course_by_slug(&txn, slug)
        .await?
        .ok_or(EditError::NotFound)?;
    if course.version != c.course.version {
        // Another server process published; its catalog is not ours yet.
        return Err(EditError::Conflict);
    }
    let draft = repo::draft_of(&txn, course.id).await?;
    let mut doc = match &draft {
        Some(d) => CourseDoc::from_json(&d.content)?,
        None => CourseDoc::published(c),
    };
    let out = change(&mut doc).map_err(EditError::Invalid)?;
    let json = doc.to_json()?;
    match draft {
        Some(d) => {
            if !repo::update_draft(&txn, d.id, &d.content, &json, now).await? {
                return Err(EditError::Conflict);
            }
        }
        None => {
            if course.version >= 1 && repo::versions_of(&txn, course.id).await?.is_empty() {
                // The history starts with what learners see now.
                repo::insert_version(
                    &txn,
                    repo::NewVersion {
                        course_id: course.id,
                        number: course.version,
                        status: repo::VERSION_PUBLISHED,
                        content: &CourseDoc::published(c).to_json()?,
                        created_by: None,
                        created_at: course.created_at,
                        published_at: Some(course.created_at),
                    },
                )
                .await?;
            }
            repo::insert_version(
                &txn,
                repo::NewVersion {
                    course_id: course.id,
                    number: course.version + 1,
                    status: repo::VERSION_DRAFT,
                    content: &json,
                    created_by: author,
                    created_at: now,
                    published_at: None,
                },
            )
            .await?;
        }
    }
    txn.commit().await?;
    Ok(out)
}

/// A new course as typed on the form.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct NewCourseInput {
    #[serde(default)]
    pub title: String,
    /// Empty: made from the title.
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub level: String,
}

/// The levels a course may have.
pub const LEVELS: [&str; 2] = ["Cơ bản", "Nâng cao"];

/// Creates an empty course, unseen by learners until an author publishes its first version.
/// Returns its slug.
pub async fn create(state: &AppState, input: &NewCourseInput) -> Result<String, EditError> {
    let mut errors = Vec::new();
    let title = text_field(&mut errors, "new_title", &input.title, 150, "tên khóa học");
    let slug = if input.slug.trim().is_empty() {
        crate::services::handbook::articles::slug_from(&title)
    } else {
        input.slug.trim().to_ascii_lowercase()
    };
    if !title.is_empty() && !crate::content::is_slug(&slug) {
        errors.push((
            "new_slug",
            "Mã khóa học chỉ gồm chữ thường không dấu, chữ số và dấu gạch ngang, ví dụ ky-nang-so-nang-cao.".to_owned(),
        ));
    }
    if !LEVELS.contains(&input.level.as_str()) {
        errors.push(("new_level", "Hãy chọn trình độ.".to_owned()));
    }
    let txn = state.db.write().begin().await?;
    if errors.is_empty() && repo::course_by_slug(&txn, &slug).await?.is_some() {
        errors.push((
            "new_slug",
            format!("Đã có khóa học với mã \"{slug}\"; hãy chọn mã khác."),
        ));
    }
    if !errors.is_empty() {
        return Err(EditError::Invalid(errors));
    }
    repo::insert_course(
        &txn,
        repo::NewCourse {
            slug: &slug,
            title: &title,
            summary: "",
            level: &input.level,
            pass_percent: 80,
            license: "CC BY 4.0",
            external_url: None,
            counts_as_id: None,
            quiz_draw: None,
            quiz_attempts: None,
            quiz_minutes: None,
            sequential: false,
            require_lessons: false,
            quiz_draw_by: "",
            version: 0,
        },
        state.clock.now(),
    )
    .await?;
    crate::services::learning::catalog::mark_changed(&txn).await?;
    txn.commit().await?;
    crate::services::learning::catalog::reload(state).await?;
    Ok(slug)
}

/// The course's settings as typed on the form.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct SettingsInput {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub pass_percent: String,
    #[serde(default)]
    pub draw: String,
    #[serde(default)]
    pub attempts: String,
    #[serde(default)]
    pub minutes: String,
    /// Questions per competence, typed as `4.2: 4, 2.3: 2`.
    #[serde(default)]
    pub draw_by: String,
    /// A checkbox: sent (non-empty) only when ticked.
    #[serde(default)]
    pub sequential: String,
    #[serde(default)]
    pub require_lessons: String,
}

impl SettingsInput {
    pub fn of(doc: &CourseDoc) -> Self {
        let opt = |n: Option<i32>| n.map(|n| n.to_string()).unwrap_or_default();
        SettingsInput {
            title: doc.title.clone(),
            summary: doc.summary.clone(),
            pass_percent: doc.pass_percent.to_string(),
            draw: opt(doc.quiz_draw),
            attempts: opt(doc.quiz_attempts),
            minutes: opt(doc.quiz_minutes),
            draw_by: doc
                .draw_by
                .iter()
                .map(|(c, n)| format!("{c}: {n}"))
                .collect::<Vec<_>>()
                .join(", "),
            sequential: if doc.sequential { "1" } else { "" }.to_owned(),
            require_lessons: if doc.require_lessons { "1" } else { "" }.to_owned(),
        }
    }
}

/// A whole number in `range` typed in a field; empty is `None` when `optional`.
fn whole_number(
    errors: &mut FieldErrors,
    field: &'static str,
    typed: &str,
    range: std::ops::RangeInclusive<i32>,
    what: &str,
) -> Option<i32> {
    let t = typed.trim();
    if t.is_empty() {
        return None;
    }
    match t.parse::<i32>() {
        Ok(n) if range.contains(&n) => Some(n),
        _ => {
            errors.push((
                field,
                format!(
                    "{what} phải là số nguyên từ {} đến {}.",
                    range.start(),
                    range.end()
                ),
            ));
            None
        }
    }
}

fn text_field(
    errors: &mut FieldErrors,
    field: &'static str,
    typed: &str,
    max: usize,
    what: &str,
) -> String {
    let t = nfc(typed.trim()).replace("\r\n", "\n");
    match t.chars().count() {
        0 => errors.push((field, format!("Hãy nhập {what}."))),
        n if n > max => errors.push((field, format!("{what} dài quá {max} ký tự."))),
        _ => {}
    }
    t
}

/// Competence codes typed as "4.2, 1.1" or "4.2 1.1".
fn competence_codes(errors: &mut FieldErrors, field: &'static str, typed: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut unknown = Vec::new();
    for c in typed
        .split(|ch: char| ch == ',' || ch == ';' || ch.is_whitespace())
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        if hocvuso_domain::competence::name_of(c).is_none() {
            unknown.push(c.to_owned());
        } else if !out.iter().any(|o| o == c) {
            out.push(c.to_owned());
        }
    }
    if !unknown.is_empty() {
        errors.push((
            field,
            format!(
                "Không có mã năng lực: {}. Dùng mã của Thông tư 02/2025/TT-BGDĐT, từ 1.1 đến 6.3, ví dụ 4.2.",
                unknown.join(", ")
            ),
        ));
    }
    out
}

pub async fn save_settings(
    state: &AppState,
    author: &SessionUser,
    slug: &str,
    input: &SettingsInput,
) -> Result<(), EditError> {
    change_draft(state, Some(author.person_id), slug, |doc| {
        let mut errors = Vec::new();
        let title = text_field(&mut errors, "title", &input.title, 150, "tên khóa học");
        let summary = text_field(&mut errors, "summary", &input.summary, 500, "giới thiệu");
        let pass = whole_number(
            &mut errors,
            "pass_percent",
            &input.pass_percent,
            1..=100,
            "Tỉ lệ đúng để đạt",
        );
        if input.pass_percent.trim().is_empty() {
            errors.push((
                "pass_percent",
                "Hãy nhập tỉ lệ câu đúng cần để đạt, ví dụ 80.".to_owned(),
            ));
        }
        let draw = whole_number(&mut errors, "draw", &input.draw, 1..=200, "Số câu mỗi lượt");
        let attempts = whole_number(
            &mut errors,
            "attempts",
            &input.attempts,
            1..=100,
            "Số lượt làm bài",
        );
        let minutes = whole_number(
            &mut errors,
            "minutes",
            &input.minutes,
            1..=600,
            "Thời gian làm bài",
        );
        let draw_by = match hocvuso_domain::competence::parse_quotas(&input.draw_by) {
            Some(q) if q.iter().all(|(c, _)| hocvuso_domain::competence::name_of(c).is_some()) => q,
            _ => {
                errors.push((
                    "draw_by",
                    "Ghi theo mẫu “4.2: 4, 2.3: 2” — mã năng lực (1.1 đến 6.3) và số câu, cách nhau bằng dấu phẩy.".to_owned(),
                ));
                Vec::new()
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        doc.draw_by = draw_by;
        doc.title = title;
        doc.summary = summary;
        doc.pass_percent = pass.unwrap_or(doc.pass_percent);
        doc.quiz_draw = draw;
        doc.quiz_attempts = attempts;
        doc.quiz_minutes = minutes;
        doc.sequential = !input.sequential.is_empty();
        doc.require_lessons = !input.require_lessons.is_empty();
        Ok(())
    })
    .await
}

/// A lesson as typed on the form.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct LessonInput {
    /// The module (part of the course); empty: none.
    #[serde(default)]
    pub module: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub minutes: String,
    #[serde(default)]
    pub competences: String,
    #[serde(default)]
    pub body: String,
    /// 1-based place in the course (empty: keep it, or last for a new lesson).
    #[serde(default)]
    pub position: String,
}

impl LessonInput {
    pub fn of(l: &LessonDoc, position: usize) -> Self {
        LessonInput {
            module: l.module.clone(),
            title: l.title.clone(),
            minutes: l.minutes.to_string(),
            competences: l.competences.join(", "),
            body: l.body_md.clone(),
            position: position.to_string(),
        }
    }
}

/// Moves the entry at `from` to the 1-based `to` (clamped). Returns its new 1-based place.
fn move_to<T>(list: &mut Vec<T>, from: usize, to: Option<i32>) -> usize {
    let Some(to) = to else {
        return from + 1;
    };
    let item = list.remove(from);
    let at = usize::try_from(to - 1).unwrap_or(0).min(list.len());
    list.insert(at, item);
    at + 1
}

/// Saves a lesson into the draft: `index` is its 1-based place, `None` adds one. Returns its
/// place afterwards.
pub async fn save_lesson(
    state: &AppState,
    author: &SessionUser,
    slug: &str,
    index: Option<usize>,
    input: &LessonInput,
) -> Result<usize, EditError> {
    change_draft(state, Some(author.person_id), slug, |doc| {
        let mut errors = Vec::new();
        let module = nfc(input.module.trim());
        if module.chars().count() > 150 {
            errors.push(("module", "Tên phần dài quá 150 ký tự.".to_owned()));
        }
        let title = text_field(&mut errors, "title", &input.title, 150, "tên bài học");
        let minutes = whole_number(
            &mut errors,
            "minutes",
            &input.minutes,
            1..=240,
            "Thời lượng",
        );
        if input.minutes.trim().is_empty() {
            errors.push((
                "minutes",
                "Hãy nhập thời lượng ước tính (phút), ví dụ 10.".to_owned(),
            ));
        }
        let competences = competence_codes(&mut errors, "competences", &input.competences);
        let body = text_field(&mut errors, "body", &input.body, 30_000, "nội dung bài học");
        for e in crate::services::shared::markdown::check_errors(&body) {
            errors.push(("body", e));
        }
        let position = whole_number(
            &mut errors,
            "position",
            &input.position,
            1..=i32::try_from(doc.lessons.len() + 1).unwrap_or(i32::MAX),
            "Vị trí",
        );
        let at = match index {
            Some(i) if i == 0 || i > doc.lessons.len() => {
                errors.push(("title", "Không có bài học này trong bản nháp.".to_owned()));
                0
            }
            Some(i) => i - 1,
            None => doc.lessons.len(),
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let entry = LessonDoc {
            id: doc
                .lessons
                .get(at)
                .and_then(|l| l.id)
                .filter(|_| index.is_some()),
            module,
            title,
            minutes: minutes.unwrap_or(1),
            competences,
            body_md: body,
        };
        if index.is_some() {
            doc.lessons[at] = entry;
        } else {
            doc.lessons.push(entry);
        }
        Ok(move_to(&mut doc.lessons, at, position))
    })
    .await
}

/// A question as typed on the form: options one per line, the right one by its number.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct QuestionInput {
    #[serde(default)]
    pub prompt: String,
    #[serde(default)]
    pub options: String,
    #[serde(default)]
    pub correct: String,
    /// A checkbox: sent (non-empty) only when ticked.
    #[serde(default)]
    pub multiple: String,
    #[serde(default)]
    pub explanation: String,
    #[serde(default)]
    pub competences: String,
}

impl QuestionInput {
    pub fn of(q: &QuestionDoc) -> Self {
        QuestionInput {
            prompt: q.prompt.clone(),
            options: q.options.join("\n"),
            correct: q
                .correct
                .iter()
                .map(|i| (i + 1).to_string())
                .collect::<Vec<_>>()
                .join(", "),
            multiple: if q.multiple { "1" } else { "" }.to_owned(),
            explanation: q.explanation.clone(),
            competences: q.competences.join(", "),
        }
    }
}

/// Saves a question into the draft: `index` is its 1-based place, `None` adds one.
pub async fn save_question(
    state: &AppState,
    author: &SessionUser,
    slug: &str,
    index: Option<usize>,
    input: &QuestionInput,
) -> Result<usize, EditError> {
    // Picture options: `![description](/anh/name)`, an image already uploaded.
    let mut picture_errors = Vec::new();
    for line in input.options.lines().map(str::trim) {
        if !line.starts_with("![") {
            continue;
        }
        match crate::services::shared::markdown::option_image(line) {
            None => picture_errors.push(format!(
                "Phương án “{line}”: phương án là ảnh phải viết ![mô tả ngắn](/anh/tên-ảnh), có mô tả."
            )),
            Some((_, url)) => {
                let name = url.trim_start_matches("/anh/");
                if hocvuso_db::repo::handbook::media_by_name(state.db.read(), name)
                    .await?
                    .is_none()
                {
                    picture_errors.push(format!(
                        "Chưa có ảnh {name}: hãy tải ảnh lên ở trang Ảnh cho bài viết trước."
                    ));
                }
            }
        }
    }
    change_draft(state, Some(author.person_id), slug, |doc| {
        let mut errors = Vec::new();
        let prompt = text_field(&mut errors, "prompt", &input.prompt, 500, "câu hỏi");
        errors.extend(picture_errors.into_iter().map(|e| ("options", e)));
        let options: Vec<String> = input
            .options
            .lines()
            .map(|l| nfc(l.trim()))
            .filter(|l| !l.is_empty())
            .collect();
        if !(2..=6).contains(&options.len()) {
            errors.push((
                "options",
                "Hãy nhập từ 2 đến 6 phương án, mỗi phương án một dòng.".to_owned(),
            ));
        } else if options.iter().any(|o| o.chars().count() > 300) {
            errors.push(("options", "Mỗi phương án dài tối đa 300 ký tự.".to_owned()));
        } else if options
            .iter()
            .enumerate()
            .any(|(i, o)| options[..i].contains(o))
        {
            errors.push(("options", "Có hai phương án giống nhau.".to_owned()));
        }
        let multiple = !input.multiple.is_empty();
        let typed: Vec<&str> = input
            .correct
            .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
            .filter(|t| !t.is_empty())
            .collect();
        let mut correct: Vec<usize> = typed
            .iter()
            .filter_map(|t| t.parse::<usize>().ok())
            .filter(|n| (1..=options.len()).contains(n))
            .map(|n| n - 1)
            .collect();
        correct.sort_unstable();
        correct.dedup();
        if typed.is_empty() || correct.len() != typed.len() {
            errors.push((
                "correct",
                format!(
                    "Hãy ghi số thứ tự của phương án đúng, từ 1 đến {}{}.",
                    options.len().max(2),
                    if multiple { ", cách nhau bằng dấu phẩy" } else { "" }
                ),
            ));
        } else if !multiple && correct.len() > 1 {
            errors.push((
                "correct",
                "Câu một đáp án chỉ có một phương án đúng. Nếu có nhiều phương án đúng, hãy đánh dấu “Chọn nhiều đáp án”.".to_owned(),
            ));
        } else if multiple && correct.len() == options.len() {
            errors.push((
                "correct",
                "Phải có ít nhất một phương án sai.".to_owned(),
            ));
        }
        let explanation = text_field(
            &mut errors,
            "explanation",
            &input.explanation,
            1000,
            "giải thích",
        );
        let competences = competence_codes(&mut errors, "competences", &input.competences);
        let at = match index {
            Some(i) if i == 0 || i > doc.questions.len() => {
                errors.push(("prompt", "Không có câu hỏi này trong bản nháp.".to_owned()));
                0
            }
            Some(i) => i - 1,
            None => doc.questions.len(),
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let entry = QuestionDoc {
            id: doc
                .questions
                .get(at)
                .and_then(|q| q.id)
                .filter(|_| index.is_some()),
            prompt,
            options,
            correct,
            multiple,
            explanation,
            competences,
        };
        if index.is_some() {
            doc.questions[at] = entry;
        } else {
            doc.questions.push(entry);
        }
        Ok(at + 1)
    })
    .await
}

/// What an author may remove from the draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Lesson,
    Question,
}

/// Removes a lesson or question (1-based `index`) from the draft.
pub async fn remove(
    state: &AppState,
    author: &SessionUser,
    slug: &str,
    part: Part,
    index: usize,
) -> Result<(), EditError> {
    change_draft(state, Some(author.person_id), slug, |doc| {
        let len = match part {
            Part::Lesson => doc.lessons.len(),
            Part::Question => doc.questions.len(),
        };
        if index == 0 || index > len {
            return Err(vec![(
                "part",
                "Không có mục này trong bản nháp.".to_owned(),
            )]);
        }
        match part {
            Part::Lesson => {
                doc.lessons.remove(index - 1);
            }
            Part::Question => {
                doc.questions.remove(index - 1);
            }
        }
        Ok(())
    })
    .await
}

/// Throws the draft away: the published version stays as it is.
pub async fn discard(state: &AppState, slug: &str) -> Result<bool, EditError> {
    let catalog = state.catalog.current();
    let c = editable_course(&catalog, slug)?;
    let txn = state.db.write().begin().await?;
    let gone = match repo::draft_of(&txn, c.course.id).await? {
        Some(d) => repo::delete_draft(&txn, d.id).await?,
        None => false,
    };
    txn.commit().await?;
    Ok(gone)
}

/// Publishes the draft as the next version (see the module's notes on what learners keep).
/// Returns the new version's number.
pub async fn publish(
    state: &AppState,
    author: &SessionUser,
    slug: &str,
    note: &str,
) -> Result<i32, EditError> {
    let catalog = state.catalog.current();
    editable_course(&catalog, slug)?;
    let now = state.clock.now();
    let note = nfc(note.trim());
    if note.chars().count() > 300 {
        return Err(EditError::Invalid(vec![(
            "note",
            "Ghi chú dài quá 300 ký tự.".to_owned(),
        )]));
    }
    let txn = state.db.write().begin().await?;
    let course = repo::course_by_slug(&txn, slug)
        .await?
        .ok_or(EditError::NotFound)?;
    let Some(draft) = repo::draft_of(&txn, course.id).await? else {
        return Err(EditError::Invalid(vec![(
            "note",
            "Chưa có thay đổi nào để xuất bản.".to_owned(),
        )]));
    };
    let doc = CourseDoc::from_json(&draft.content)?;
    let problems = doc.problems();
    if !problems.is_empty() {
        return Err(EditError::Invalid(
            problems.into_iter().map(|p| ("note", p)).collect(),
        ));
    }
    let number = course.version + 1;
    if draft.number != number
        || !repo::mark_published(&txn, draft.id, author.person_id, &note, now).await?
    {
        return Err(EditError::Conflict);
    }
    apply(&txn, &course, &doc, number, now).await?;
    crate::services::learning::catalog::mark_changed(&txn).await?;
    txn.commit().await?;
    crate::services::learning::catalog::reload(state).await?;
    Ok(number)
}

/// Makes `doc` the published content of `course` (inside the caller's transaction).
async fn apply<C: ConnectionTrait>(
    conn: &C,
    course: &repo::Course,
    doc: &CourseDoc,
    number: i32,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), DbErr> {
    // Lessons: kept ones change in place, new ones are added, the rest retire.
    let live: BTreeSet<i64> = repo::lessons(conn, course.id)
        .await?
        .into_iter()
        .map(|l| l.id)
        .collect();
    repo::park_lessons(conn, course.id).await?;
    let mut kept = BTreeSet::new();
    for (i, l) in doc.lessons.iter().enumerate() {
        let position = i as i32 + 1;
        match l.id.filter(|id| live.contains(id) && !kept.contains(id)) {
            Some(id) => {
                kept.insert(id);
                repo::update_lesson(conn, id, l.content(position)).await?;
            }
            None => {
                repo::insert_lesson(conn, course.id, l.content(position)).await?;
            }
        }
    }
    let gone: Vec<i64> = live.difference(&kept).copied().collect();
    repo::retire_lessons(conn, &gone, now).await?;

    // Questions: unchanged ones stay (moved if need be); changed ones retire and come back as
    // new questions; the rest retire.
    let bank: Vec<repo::Question> = repo::questions(conn, course.id)
        .await?
        .into_iter()
        .filter(|q| q.retired_at.is_none())
        .collect();
    let ids: Vec<i64> = bank.iter().map(|q| q.id).collect();
    let mut options: BTreeMap<i64, Vec<repo::QuestionOption>> = BTreeMap::new();
    for o in repo::options_of(conn, &ids).await? {
        options.entry(o.question_id).or_default().push(o);
    }
    let published: BTreeMap<i64, QuestionDoc> = bank
        .iter()
        .map(|q| {
            let opts = options.remove(&q.id).unwrap_or_default();
            (
                q.id,
                QuestionDoc {
                    id: Some(q.id),
                    prompt: q.prompt.clone(),
                    correct: right_indexes(&opts),
                    multiple: q.kind == repo::KIND_MULTIPLE,
                    options: opts.into_iter().map(|o| o.body).collect(),
                    explanation: q.explanation.clone(),
                    competences: codes(&q.competences),
                },
            )
        })
        .collect();
    let mut kept = BTreeSet::new();
    for (i, q) in doc.questions.iter().enumerate() {
        let position = i as i32 + 1;
        let same =
            q.id.filter(|id| !kept.contains(id))
                .and_then(|id| published.get(&id))
                .filter(|p| p.same_as(q));
        match same.and_then(|p| p.id) {
            Some(id) => {
                kept.insert(id);
                repo::set_question_position(conn, id, position).await?;
            }
            None => {
                repo::insert_question(
                    conn,
                    repo::NewQuestion {
                        course_id: course.id,
                        position,
                        prompt: &q.prompt,
                        explanation: &q.explanation,
                        options: &q.options,
                        correct: &q.correct,
                        multiple: q.multiple,
                        competences: &q.competences,
                    },
                )
                .await?;
            }
        }
    }
    let gone: Vec<i64> = ids.into_iter().filter(|id| !kept.contains(id)).collect();
    repo::retire_questions(conn, &gone, now).await?;

    repo::set_course_settings(
        conn,
        course.id,
        repo::CourseSettings {
            title: &doc.title,
            summary: &doc.summary,
            pass_percent: doc.pass_percent,
            quiz_draw: doc.quiz_draw,
            quiz_attempts: doc.quiz_attempts,
            quiz_minutes: doc.quiz_minutes,
            sequential: doc.sequential,
            require_lessons: doc.require_lessons,
            quiz_draw_by: &hocvuso_domain::competence::format_quotas(&doc.draw_by),
        },
        number,
    )
    .await
}

/// A lesson file's name in an exported folder: its place and a slug of its title.
fn lesson_file(position: usize, title: &str) -> String {
    let slug = crate::services::handbook::articles::slug_from(title);
    let slug: String = slug.chars().take(50).collect();
    format!("{position:02}-{}.md", slug.trim_end_matches('-'))
}

/// A course as a folder of files — `course.toml`, `quiz.toml`, `lessons/NN-….md`, the layout of
/// the shipped curriculum (content/README.md, decision 0008) — as `(path, contents)`.
pub fn to_folder(
    course: &repo::Course,
    doc: &CourseDoc,
    required_for: Vec<String>,
) -> Result<Vec<(String, String)>, Internal> {
    use crate::content::{Correct, CourseFile, LessonEntry, QuestionEntry, QuizFile};
    let files: Vec<String> = doc
        .lessons
        .iter()
        .enumerate()
        .map(|(i, l)| lesson_file(i + 1, &l.title))
        .collect();
    let file = CourseFile {
        slug: course.slug.clone(),
        title: doc.title.clone(),
        summary: doc.summary.clone(),
        level: course.level.clone(),
        pass_percent: doc.pass_percent,
        required_for,
        license: course.license.clone(),
        external_url: None,
        counts_as: None,
        sequential: doc.sequential,
        require_lessons: doc.require_lessons,
        lessons: doc
            .lessons
            .iter()
            .zip(&files)
            .map(|(l, f)| LessonEntry {
                file: f.clone(),
                module: l.module.clone(),
                title: l.title.clone(),
                minutes: l.minutes,
                competences: l.competences.clone(),
            })
            .collect(),
    };
    let count = |n: Option<i32>| n.and_then(|n| usize::try_from(n).ok());
    let quiz = QuizFile {
        draw: count(doc.quiz_draw),
        attempts: count(doc.quiz_attempts),
        minutes: count(doc.quiz_minutes),
        draw_by: doc.draw_by.iter().cloned().collect(),
        questions: doc
            .questions
            .iter()
            .map(|q| QuestionEntry {
                prompt: q.prompt.clone(),
                options: q.options.clone(),
                correct: if q.multiple {
                    Correct::All(q.correct.clone())
                } else {
                    Correct::One(q.correct.first().copied().unwrap_or(0))
                },
                explanation: q.explanation.clone(),
                competences: q.competences.clone(),
            })
            .collect(),
    };
    let toml = |v: &dyn erased::Toml| v.to_toml().map_err(Internal::Other);
    let mut out = vec![
        ("course.toml".to_owned(), toml(&file)?),
        ("quiz.toml".to_owned(), toml(&quiz)?),
    ];
    for (l, f) in doc.lessons.iter().zip(files) {
        let mut body = l.body_md.clone();
        if !body.ends_with('\n') {
            body.push('\n');
        }
        out.push((format!("lessons/{f}"), body));
    }
    Ok(out)
}

mod erased {
    /// Serialises either metadata file as TOML.
    pub trait Toml {
        fn to_toml(&self) -> Result<String, String>;
    }

    impl<T: serde::Serialize> Toml for T {
        fn to_toml(&self) -> Result<String, String> {
            toml::to_string(self).map_err(|e| e.to_string())
        }
    }
}

/// A course's published version (or its draft, when `draft` and there is one) as a folder.
pub async fn export(
    state: &AppState,
    slug: &str,
    draft: bool,
) -> Result<Vec<(String, String)>, EditError> {
    let e = editing(state, slug).await?;
    let doc = if draft || e.draft.is_none() {
        e.doc.clone()
    } else {
        let catalog = state.catalog.current();
        CourseDoc::published(editable_course(&catalog, slug)?)
    };
    let groups = state.catalog.current().groups_requiring(e.course.id);
    Ok(to_folder(&e.course, &doc, groups)?)
}

/// The course a folder describes, as a draft of `current`: lessons with the title of a current
/// lesson keep its id (and everyone's progress on it); questions identical to a current one keep
/// it, the rest are new.
pub fn doc_from_folder(content: &crate::content::CourseContent, current: &CourseDoc) -> CourseDoc {
    let mut taken = BTreeSet::new();
    let lessons = content
        .lessons
        .iter()
        .map(|(entry, body)| {
            let id = current
                .lessons
                .iter()
                .filter_map(|l| l.id.filter(|_| l.title == entry.title))
                .find(|id| !taken.contains(id));
            if let Some(id) = id {
                taken.insert(id);
            }
            LessonDoc {
                id,
                module: entry.module.clone(),
                title: entry.title.clone(),
                minutes: entry.minutes,
                competences: entry.competences.clone(),
                body_md: body.trim_end().to_owned(),
            }
        })
        .collect();
    let mut taken = BTreeSet::new();
    let questions = content
        .quiz
        .questions
        .iter()
        .map(|q| {
            let mut doc = QuestionDoc {
                id: None,
                prompt: q.prompt.clone(),
                options: q.options.clone(),
                correct: q.correct.indexes(),
                multiple: q.correct.is_multiple(),
                explanation: q.explanation.clone(),
                competences: q.competences.clone(),
            };
            doc.correct.sort_unstable();
            doc.id = current
                .questions
                .iter()
                .filter(|c| c.same_as(&doc))
                .filter_map(|c| c.id)
                .find(|id| !taken.contains(id));
            if let Some(id) = doc.id {
                taken.insert(id);
            }
            doc
        })
        .collect();
    let count = |n: Option<usize>| n.and_then(|n| i32::try_from(n).ok());
    CourseDoc {
        title: content.course.title.clone(),
        summary: content.course.summary.clone(),
        pass_percent: content.course.pass_percent,
        quiz_draw: count(content.quiz.draw),
        quiz_attempts: count(content.quiz.attempts),
        quiz_minutes: count(content.quiz.minutes),
        sequential: content.course.sequential,
        require_lessons: content.course.require_lessons,
        draw_by: content
            .quiz
            .draw_by
            .iter()
            .map(|(c, n)| (c.clone(), *n))
            .collect(),
        lessons,
        questions,
    }
}

/// What importing a folder changes, compared with what the course has now (its draft, or the
/// published version).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportPlan {
    pub settings_changed: bool,
    pub lessons_kept: usize,
    pub lessons_changed: usize,
    pub lessons_added: usize,
    pub lessons_removed: usize,
    pub questions_kept: usize,
    pub questions_added: usize,
    pub questions_removed: usize,
}

impl ImportPlan {
    pub fn is_empty(&self) -> bool {
        !self.settings_changed
            && self.lessons_changed + self.lessons_added + self.lessons_removed == 0
            && self.questions_added + self.questions_removed == 0
    }

    fn of(current: &CourseDoc, new: &CourseDoc) -> ImportPlan {
        let settings = |d: &CourseDoc| {
            (
                d.title.clone(),
                d.summary.clone(),
                d.pass_percent,
                d.quiz_draw,
                d.quiz_attempts,
                d.quiz_minutes,
                d.sequential,
                d.require_lessons,
                d.draw_by.clone(),
            )
        };
        let mut plan = ImportPlan {
            settings_changed: settings(current) != settings(new),
            ..ImportPlan::default()
        };
        for l in &new.lessons {
            match current
                .lessons
                .iter()
                .find(|c| c.id.is_some() && c.id == l.id)
            {
                None => plan.lessons_added += 1,
                Some(c) if c.same_as(l) => plan.lessons_kept += 1,
                Some(_) => plan.lessons_changed += 1,
            }
        }
        plan.lessons_removed = current
            .lessons
            .iter()
            .filter(|c| c.id.is_none() || !new.lessons.iter().any(|l| l.id == c.id))
            .count();
        plan.questions_kept = new.questions.iter().filter(|q| q.id.is_some()).count();
        plan.questions_added = new.questions.len() - plan.questions_kept;
        plan.questions_removed = current.questions.len() - plan.questions_kept;
        // Lessons moved to another place count as changed.
        let order = |d: &CourseDoc| d.lessons.iter().filter_map(|l| l.id).collect::<Vec<_>>();
        if plan.lessons_changed == 0 && order(current) != order(new) && plan.lessons_kept > 0 {
            plan.lessons_changed = 1;
        }
        plan
    }
}

/// Imports a course folder into the course's draft (all or nothing; `dry_run` writes nothing).
/// The folder's name must be the slug of a course taught here; learners see the change only
/// once an author publishes the draft.
pub async fn import(
    state: &AppState,
    content: &crate::content::CourseContent,
    dry_run: bool,
) -> Result<ImportPlan, EditError> {
    let slug = content.course.slug.clone();
    let current = editing(state, &slug).await?.doc;
    let new = doc_from_folder(content, &current);
    let plan = ImportPlan::of(&current, &new);
    if dry_run || plan.is_empty() {
        return Ok(plan);
    }
    change_draft(state, None, &slug, |doc| {
        *doc = new;
        Ok(())
    })
    .await?;
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moving_an_entry_clamps_to_the_list() {
        let mut v = vec!['a', 'b', 'c', 'd'];
        assert_eq!(move_to(&mut v, 3, Some(1)), 1);
        assert_eq!(v, vec!['d', 'a', 'b', 'c']);
        assert_eq!(move_to(&mut v, 0, Some(99)), 4);
        assert_eq!(v, vec!['a', 'b', 'c', 'd']);
        assert_eq!(move_to(&mut v, 1, None), 2);
        assert_eq!(v, vec!['a', 'b', 'c', 'd']);
    }

    #[test]
    fn competence_codes_are_checked_and_deduplicated() {
        let mut errors = Vec::new();
        assert_eq!(
            competence_codes(&mut errors, "c", "4.2, 1.1 4.2;"),
            vec!["4.2".to_owned(), "1.1".to_owned()]
        );
        assert!(errors.is_empty());
        competence_codes(&mut errors, "c", "4.2 7.1 x");
        assert_eq!(errors.len(), 1);
        assert!(errors[0].1.contains("7.1, x"), "{}", errors[0].1);
    }

    #[test]
    fn a_draft_that_draws_more_than_its_bank_cannot_be_published() {
        let doc = CourseDoc {
            title: "T".into(),
            summary: "S".into(),
            pass_percent: 80,
            quiz_draw: Some(3),
            quiz_attempts: None,
            quiz_minutes: None,
            sequential: false,
            require_lessons: false,
            draw_by: vec![("4.2".into(), 2)],
            lessons: vec![],
            questions: vec![QuestionDoc {
                id: None,
                prompt: "P".into(),
                options: vec!["a".into(), "b".into()],
                correct: vec![0],
                multiple: false,
                explanation: "E".into(),
                competences: vec![],
            }],
        };
        let p = doc.problems();
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(p[0].contains("ít nhất một bài học"));
        assert!(p[1].contains("cần 2 câu về năng lực 4.2 nhưng chỉ có 0"));
        assert!(p[2].contains("rút 3 câu"));
    }
}
