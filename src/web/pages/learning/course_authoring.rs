//! Authoring courses (authors and the province administrator): the course's draft with its
//! settings, lessons and questions, publishing it as the next version, and the versions so far.
//! The rules live in `services::learning::course_edit`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use hocvuso_db::repo::learning::{CourseVersion, VERSION_DRAFT};
use serde::Deserialize;

use crate::clock::format_date_time;
use crate::services::accounts::sign_in::SessionUser;
use crate::services::handbook::articles::may_author;
use crate::services::learning::course_edit::{
    self, CourseDoc, EditError, Editing, LessonInput, NewCourseInput, Part, QuestionInput,
    SettingsInput,
};
use crate::services::shared::markdown;
use crate::state::AppState;
use crate::web::error::WebError;
use crate::web::extract::{CsrfForm, Ctx};
use crate::web::page::{render, see_other, Chrome};
use crate::web::pages::accounts::sign_in::Empty;
use crate::web::pages::{Choice, Errors};

fn author(ctx: &Ctx) -> Result<&SessionUser, WebError> {
    let user = ctx.user()?;
    if may_author(user) {
        Ok(user)
    } else {
        Err(WebError::Forbidden)
    }
}

/// Errors other than a form's own field errors.
fn web_error(e: EditError) -> WebError {
    match e {
        EditError::Internal(i) => WebError::Internal(i),
        _ => WebError::NotFound,
    }
}

/// `moi` (a new one) or a 1-based place; anything else is "not found".
fn place(s: &str) -> Result<Option<usize>, WebError> {
    if s == "moi" {
        return Ok(None);
    }
    match s.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(Some(n)),
        _ => Err(WebError::NotFound),
    }
}

pub struct CourseRow {
    pub slug: String,
    pub title: String,
    pub version: i32,
    pub has_draft: bool,
    pub lessons: usize,
    pub questions: usize,
}

#[derive(Template)]
#[template(path = "learning/course_authoring/courses.html")]
pub struct CoursesPage {
    pub l: Chrome,
    pub rows: Vec<CourseRow>,
    pub errors: Errors,
    pub input: NewCourseInput,
    pub levels: Vec<Choice>,
}

pub async fn list(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    author(&ctx)?;
    let page = courses_page(&state, &ctx, Errors::default(), NewCourseInput::default()).await?;
    Ok(render(&ctx, StatusCode::OK, &page))
}

/// "Tạo khóa học mới": an empty course, unseen by learners until its first version.
pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    form: CsrfForm<NewCourseInput>,
) -> Result<Response, WebError> {
    author(&ctx)?;
    match course_edit::create(&state, &form.data).await {
        Ok(slug) => Ok(see_other(&format!("/bien-tap/khoa-hoc/{slug}"))),
        Err(EditError::Invalid(errors)) => {
            let page = courses_page(&state, &ctx, errors.into(), form.data).await?;
            Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(web_error(e)),
    }
}

async fn courses_page(
    state: &AppState,
    ctx: &Ctx,
    errors: Errors,
    input: NewCourseInput,
) -> Result<CoursesPage, WebError> {
    let catalog = state.catalog.current();
    let mut rows = Vec::new();
    for c in course_edit::editable(&catalog) {
        let e = course_edit::editing(state, &c.course.slug)
            .await
            .map_err(web_error)?;
        rows.push(CourseRow {
            slug: c.course.slug.clone(),
            title: c.course.title.clone(),
            version: e.course.version,
            has_draft: e.draft.is_some(),
            lessons: e.doc.lessons.len(),
            questions: e.doc.questions.len(),
        });
    }
    let levels = course_edit::LEVELS
        .iter()
        .map(|v| Choice {
            value: (*v).to_owned(),
            label: (*v).to_owned(),
            selected: *v == input.level,
        })
        .collect();
    Ok(CoursesPage {
        l: ctx.chrome("Biên tập khóa học"),
        rows,
        errors,
        input,
        levels,
    })
}

pub struct PartRow {
    pub number: usize,
    pub title: String,
    pub detail: String,
    pub is_new: bool,
}

pub struct VersionRow {
    pub number: i32,
    pub state: &'static str,
    pub by: String,
    pub at: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "learning/course_authoring/course.html")]
pub struct CoursePage {
    pub l: Chrome,
    pub errors: Errors,
    pub slug: String,
    pub title: String,
    pub published: i32,
    /// The draft's number and when it was last saved.
    pub draft: Option<(i32, String)>,
    pub input: SettingsInput,
    pub lessons: Vec<PartRow>,
    pub questions: Vec<PartRow>,
    /// What stops the draft from being published.
    pub problems: Vec<String>,
    pub versions: Vec<VersionRow>,
    /// A notice after a redirect ("Đã lưu …").
    pub notice: Option<String>,
}

/// How a version stands: the draft, the one learners see, or one replaced since.
fn version_state(v: &CourseVersion, published: i32) -> &'static str {
    if v.status == VERSION_DRAFT {
        "Bản nháp"
    } else if v.number == published {
        "Người học đang thấy"
    } else {
        "Đã thay"
    }
}

async fn person_name(state: &AppState, id: Option<i64>) -> Result<String, WebError> {
    Ok(crate::services::people::person::author_name(state.db.read(), id).await?)
}

async fn course_page(
    state: &AppState,
    ctx: &Ctx,
    e: Editing,
    input: Option<SettingsInput>,
    errors: Errors,
    notice: Option<String>,
) -> Result<CoursePage, WebError> {
    let mut versions = Vec::new();
    for v in &e.versions {
        versions.push(VersionRow {
            number: v.number,
            state: version_state(v, e.course.version),
            by: person_name(state, v.published_by.or(v.created_by)).await?,
            at: format_date_time(v.published_at.unwrap_or(v.updated_at)),
            note: v.note.clone(),
        });
    }
    let doc = &e.doc;
    Ok(CoursePage {
        l: ctx.chrome(format!("Biên tập: {}", doc.title)),
        errors,
        slug: e.course.slug.clone(),
        title: doc.title.clone(),
        published: e.course.version,
        draft: e
            .draft
            .as_ref()
            .map(|d| (d.number, format_date_time(d.updated_at))),
        input: input.unwrap_or_else(|| SettingsInput::of(doc)),
        lessons: doc
            .lessons
            .iter()
            .enumerate()
            .map(|(i, l)| PartRow {
                number: i + 1,
                title: l.title.clone(),
                detail: format!(
                    "{} phút · năng lực {}",
                    l.minutes,
                    codes_or_dash(&l.competences)
                ),
                is_new: l.id.is_none(),
            })
            .collect(),
        questions: doc
            .questions
            .iter()
            .enumerate()
            .map(|(i, q)| PartRow {
                number: i + 1,
                title: q.prompt.clone(),
                detail: format!(
                    "{} phương án · năng lực {}",
                    q.options.len(),
                    codes_or_dash(&q.competences)
                ),
                is_new: q.id.is_none(),
            })
            .collect(),
        problems: if e.draft.is_some() {
            doc.problems()
        } else {
            Vec::new()
        },
        versions,
        notice,
    })
}

fn codes_or_dash(codes: &[String]) -> String {
    if codes.is_empty() {
        "—".to_owned()
    } else {
        codes.join(", ")
    }
}

/// The notice for `?da-luu=1` / `?da-xuat-ban=1` / `?da-bo=1` after a redirect.
fn notice_of(ctx: &Ctx, published: i32) -> Option<String> {
    let q = ctx.path.split_once('?').map(|(_, q)| q).unwrap_or("");
    match q {
        "da-luu=1" => Some("Đã lưu vào bản nháp. Người học chưa thấy thay đổi này cho đến khi bạn xuất bản.".to_owned()),
        "da-xuat-ban=1" => Some(format!(
            "Đã xuất bản phiên bản {published}. Người học thấy ngay; tiến độ và bài đang làm của họ được giữ nguyên."
        )),
        "da-bo=1" => Some("Đã bỏ bản nháp. Khóa học giữ nguyên như phiên bản đang xuất bản.".to_owned()),
        _ => None,
    }
}

pub async fn course(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    author(&ctx)?;
    let e = course_edit::editing(&state, &slug)
        .await
        .map_err(web_error)?;
    let notice = notice_of(&ctx, e.course.version);
    let page = course_page(&state, &ctx, e, None, Errors::default(), notice).await?;
    Ok(render(&ctx, StatusCode::OK, &page))
}

/// A form refused: the same page again with the errors (422), or with the conflict (409).
async fn refused_course(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
    input: Option<SettingsInput>,
    e: EditError,
) -> Result<Response, WebError> {
    let (status, errors) = refusal(e, "title")?;
    let editing = course_edit::editing(state, slug).await.map_err(web_error)?;
    let page = course_page(state, ctx, editing, input, errors, None).await?;
    Ok(render(ctx, status, &page))
}

pub async fn save_settings(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    form: CsrfForm<SettingsInput>,
) -> Result<Response, WebError> {
    let user = author(&ctx)?;
    match course_edit::save_settings(&state, user, &slug, &form.data).await {
        Ok(()) => Ok(see_other(&format!("/bien-tap/khoa-hoc/{slug}?da-luu=1"))),
        Err(e) => refused_course(&state, &ctx, &slug, Some(form.data), e).await,
    }
}

#[derive(Deserialize)]
pub struct PublishForm {
    #[serde(default, rename = "ghi_chu")]
    note: String,
}

pub async fn publish(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    form: CsrfForm<PublishForm>,
) -> Result<Response, WebError> {
    let user = author(&ctx)?;
    match course_edit::publish(&state, user, &slug, &form.data.note).await {
        Ok(_) => Ok(see_other(&format!(
            "/bien-tap/khoa-hoc/{slug}?da-xuat-ban=1"
        ))),
        Err(e) => refused_course(&state, &ctx, &slug, None, e).await,
    }
}

pub async fn discard(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    _form: CsrfForm<Empty>,
) -> Result<Response, WebError> {
    author(&ctx)?;
    course_edit::discard(&state, &slug)
        .await
        .map_err(web_error)?;
    Ok(see_other(&format!("/bien-tap/khoa-hoc/{slug}?da-bo=1")))
}

#[derive(Template)]
#[template(path = "learning/course_authoring/course_lesson.html")]
pub struct LessonPage {
    pub l: Chrome,
    pub errors: Errors,
    pub slug: String,
    pub course_title: String,
    /// `None` for a new lesson.
    pub number: Option<usize>,
    pub input: LessonInput,
    /// The lesson cut into its parts, as learners will see it (check questions as forms).
    pub preview: Vec<crate::services::shared::markdown::Part>,
    /// The course's module titles so far (offered while typing).
    pub modules: Vec<String>,
    /// Empty: the preview's check questions cannot be sent.
    pub check_action: String,
}

impl LessonPage {
    /// The preview's parts as the lesson page shows them (nothing answered).
    pub fn preview_parts(&self) -> Vec<crate::web::pages::learning::learn::PartView<'_>> {
        crate::web::pages::learning::learn::part_views(&self.preview, &Default::default())
    }
}

/// "Sửa bài học 3" for a part being changed, "Thêm bài học" for a new one.
fn editing_title(what: &str, number: Option<usize>) -> String {
    match number {
        Some(n) => format!("Sửa {what} {n}"),
        None => format!("Thêm {what}"),
    }
}

fn lesson_page(
    ctx: &Ctx,
    e: &Editing,
    number: Option<usize>,
    input: LessonInput,
    errors: Errors,
) -> LessonPage {
    LessonPage {
        l: ctx.chrome(editing_title("bài học", number)),
        errors,
        slug: e.course.slug.clone(),
        course_title: e.doc.title.clone(),
        number,
        preview: markdown::lesson_parts(&input.body),
        check_action: String::new(),
        input,
        modules: e.doc.lessons.iter().fold(Vec::new(), |mut v, l| {
            if !l.module.is_empty() && !v.contains(&l.module) {
                v.push(l.module.clone());
            }
            v
        }),
    }
}

pub async fn lesson_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, n)): Path<(String, String)>,
) -> Result<Response, WebError> {
    author(&ctx)?;
    let number = place(&n)?;
    let e = course_edit::editing(&state, &slug)
        .await
        .map_err(web_error)?;
    let input = match number {
        Some(n) => {
            let l = e.doc.lessons.get(n - 1).ok_or(WebError::NotFound)?;
            LessonInput::of(l, n)
        }
        None => LessonInput::default(),
    };
    let page = lesson_page(&ctx, &e, number, input, Errors::default());
    Ok(render(&ctx, StatusCode::OK, &page))
}

/// The status and errors of a refused form (field errors or a conflict).
fn refusal(e: EditError, field: &'static str) -> Result<(StatusCode, Errors), WebError> {
    match e {
        EditError::Invalid(errors) => Ok((StatusCode::UNPROCESSABLE_ENTITY, errors.into())),
        EditError::Conflict => {
            let mut errors = Errors::default();
            errors.push(field, e.to_string());
            Ok((StatusCode::CONFLICT, errors))
        }
        other => Err(web_error(other)),
    }
}

/// After saving a lesson or a question into the draft: back to the course, or the form again
/// with why (`field` takes a conflict's message).
async fn saved_or_again<T, P: Template>(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
    saved: Result<T, EditError>,
    field: &'static str,
    page: impl FnOnce(&Editing, Errors) -> P,
) -> Result<Response, WebError> {
    match saved {
        Ok(_) => Ok(see_other(&format!("/bien-tap/khoa-hoc/{slug}?da-luu=1"))),
        Err(e) => {
            let (status, errors) = refusal(e, field)?;
            let editing = course_edit::editing(state, slug).await.map_err(web_error)?;
            Ok(render(ctx, status, &page(&editing, errors)))
        }
    }
}

pub async fn save_lesson(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, n)): Path<(String, String)>,
    form: CsrfForm<LessonInput>,
) -> Result<Response, WebError> {
    let user = author(&ctx)?;
    let number = place(&n)?;
    let saved = course_edit::save_lesson(&state, user, &slug, number, &form.data).await;
    saved_or_again(&state, &ctx, &slug, saved, "title", |editing, errors| {
        lesson_page(&ctx, editing, number, form.data, errors)
    })
    .await
}

async fn remove(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
    n: &str,
    part: Part,
) -> Result<Response, WebError> {
    let user = author(ctx)?;
    let number = place(n)?.ok_or(WebError::NotFound)?;
    match course_edit::remove(state, user, slug, part, number).await {
        Ok(()) => Ok(see_other(&format!("/bien-tap/khoa-hoc/{slug}?da-luu=1"))),
        Err(e) => refused_course(state, ctx, slug, None, e).await,
    }
}

pub async fn remove_lesson(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, n)): Path<(String, String)>,
    _form: CsrfForm<Empty>,
) -> Result<Response, WebError> {
    remove(&state, &ctx, &slug, &n, Part::Lesson).await
}

#[derive(Template)]
#[template(path = "learning/course_authoring/course_question.html")]
pub struct QuestionPage {
    pub l: Chrome,
    pub errors: Errors,
    pub slug: String,
    pub course_title: String,
    pub number: Option<usize>,
    pub input: QuestionInput,
}

fn question_page(
    ctx: &Ctx,
    e: &Editing,
    number: Option<usize>,
    input: QuestionInput,
    errors: Errors,
) -> QuestionPage {
    QuestionPage {
        l: ctx.chrome(editing_title("câu hỏi", number)),
        errors,
        slug: e.course.slug.clone(),
        course_title: e.doc.title.clone(),
        number,
        input,
    }
}

pub async fn question_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, n)): Path<(String, String)>,
) -> Result<Response, WebError> {
    author(&ctx)?;
    let number = place(&n)?;
    let e = course_edit::editing(&state, &slug)
        .await
        .map_err(web_error)?;
    let input = match number {
        Some(n) => QuestionInput::of(e.doc.questions.get(n - 1).ok_or(WebError::NotFound)?),
        None => QuestionInput::default(),
    };
    let page = question_page(&ctx, &e, number, input, Errors::default());
    Ok(render(&ctx, StatusCode::OK, &page))
}

pub async fn save_question(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, n)): Path<(String, String)>,
    form: CsrfForm<QuestionInput>,
) -> Result<Response, WebError> {
    let user = author(&ctx)?;
    let number = place(&n)?;
    let saved = course_edit::save_question(&state, user, &slug, number, &form.data).await;
    saved_or_again(&state, &ctx, &slug, saved, "prompt", |editing, errors| {
        question_page(&ctx, editing, number, form.data, errors)
    })
    .await
}

pub async fn remove_question(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, n)): Path<(String, String)>,
    _form: CsrfForm<Empty>,
) -> Result<Response, WebError> {
    remove(&state, &ctx, &slug, &n, Part::Question).await
}

pub struct ShownLesson {
    pub title: String,
    pub minutes: i32,
    pub html: String,
}

pub struct ShownQuestion {
    pub prompt: String,
    /// Each option and whether it is the right one.
    pub options: Vec<(String, bool)>,
    pub explanation: String,
}

#[derive(Template)]
#[template(path = "learning/course_authoring/course_version.html")]
pub struct VersionPage {
    pub l: Chrome,
    pub slug: String,
    pub number: i32,
    pub state: &'static str,
    pub by: String,
    pub at: String,
    pub note: String,
    pub title: String,
    pub summary: String,
    pub rules: String,
    pub lessons: Vec<ShownLesson>,
    pub questions: Vec<ShownQuestion>,
}

fn rules_of(doc: &CourseDoc) -> String {
    let mut parts = vec![format!("đạt từ {}% câu đúng", doc.pass_percent)];
    if let Some(n) = doc.quiz_draw {
        parts.push(format!("mỗi lượt rút {n} câu"));
    }
    if let Some(m) = doc.quiz_minutes {
        parts.push(format!("làm trong {m} phút"));
    }
    if let Some(a) = doc.quiz_attempts {
        parts.push(format!("tối đa {a} lượt"));
    }
    if doc.sequential {
        parts.push("các bài mở lần lượt".to_owned());
    }
    if doc.require_lessons {
        parts.push("phải học hết các bài trước".to_owned());
    }
    parts.join(", ")
}

/// What one version holds (authors read it to compare with the draft).
pub async fn version(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, n)): Path<(String, String)>,
) -> Result<Response, WebError> {
    author(&ctx)?;
    let number: i32 = n.parse().map_err(|_| WebError::NotFound)?;
    let (e, v, doc) = course_edit::version(&state, &slug, number)
        .await
        .map_err(web_error)?;
    let page = VersionPage {
        l: ctx.chrome(format!("Phiên bản {number}: {}", doc.title)),
        slug: e.course.slug.clone(),
        number,
        state: version_state(&v, e.course.version),
        by: person_name(&state, v.published_by.or(v.created_by)).await?,
        at: format_date_time(v.published_at.unwrap_or(v.updated_at)),
        note: v.note.clone(),
        title: doc.title.clone(),
        summary: doc.summary.clone(),
        rules: rules_of(&doc),
        lessons: doc
            .lessons
            .iter()
            .map(|l| ShownLesson {
                title: l.title.clone(),
                minutes: l.minutes,
                html: markdown::to_html(&l.body_md),
            })
            .collect(),
        questions: doc
            .questions
            .iter()
            .map(|q| ShownQuestion {
                prompt: q.prompt.clone(),
                options: q
                    .options
                    .iter()
                    .enumerate()
                    .map(|(i, o)| (o.clone(), q.correct.contains(&i)))
                    .collect(),
                explanation: q.explanation.clone(),
            })
            .collect(),
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}
