//! Editing a course's draft: creating a course, its settings, lessons and questions, removing
//! parts and discarding the draft. Every change goes into the ONE draft.

use hocvuso_db::repo::learning::{self as repo, CourseVersion};
use hocvuso_db::{DbErr, TransactionTrait};
use hocvuso_domain::text::nfc;
use serde::Deserialize;

use crate::services::accounts::sign_in::SessionUser;
use crate::services::learning::catalog::{Catalog, CatalogCourse};
use crate::services::runtime::Runtime;
use crate::services::shared::form::FieldErrors;
use crate::services::Internal;

use super::draft::{CourseDoc, LessonDoc, QuestionDoc};

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

pub(super) fn editable_course<'a>(
    catalog: &'a Catalog,
    slug: &str,
) -> Result<&'a CatalogCourse, EditError> {
    editable(catalog)
        .find(|c| c.course.slug == slug)
        .ok_or(EditError::NotFound)
}

pub async fn editing(state: &Runtime, slug: &str) -> Result<Editing, EditError> {
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
    state: &Runtime,
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
pub(super) async fn change_draft<T>(
    state: &Runtime,
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
pub async fn create(state: &Runtime, input: &NewCourseInput) -> Result<String, EditError> {
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
    state: &Runtime,
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
    state: &Runtime,
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
    state: &Runtime,
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
    state: &Runtime,
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
pub async fn discard(state: &Runtime, slug: &str) -> Result<bool, EditError> {
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
}
