//! The learner's pages: my courses, a course, a lesson, the quiz, an attempt and its result.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::services::learning::catalog::Catalog;
use crate::services::learning::progress::{self, LearnError};
use crate::services::learning::quiz::{self, SubmitError};
use crate::state::AppState;
use crate::web::error::WebError;
use crate::web::extract::{CsrfForm, Ctx};
use crate::web::page::{render, see_other, Chrome};
use crate::web::pages::accounts::sign_in::Empty;
use crate::web::pages::Errors;

impl From<LearnError> for WebError {
    fn from(e: LearnError) -> Self {
        match e {
            LearnError::NotFound => WebError::NotFound,
            LearnError::NoAttemptsLeft(_)
            | LearnError::Locked(_)
            | LearnError::LessonsFirst(_)
            | LearnError::CertificateRevoked => WebError::Forbidden,
            LearnError::Internal(i) => WebError::Internal(i),
        }
    }
}

/// A path segment that must be a number; anything else is "not found", not a 400.
fn number<T: std::str::FromStr>(s: &str) -> Result<T, WebError> {
    s.parse().map_err(|_| WebError::NotFound)
}

pub struct CourseCard {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub finished: usize,
    pub total: usize,
    pub certificate: Option<String>,
    /// Where the course is taught, when it is taught on another platform.
    pub external_url: Option<String>,
    /// "dd/mm/yyyy" when completed (here or through imported results).
    pub completed: Option<String>,
    /// The first lesson not read yet, once the learner has started.
    pub resume_at: Option<i32>,
    pub level: String,
    /// Estimated minutes for all lessons (0 for a course taught elsewhere).
    pub minutes: i32,
    /// What its lessons teach, in words (the areas of the national digital-competence
    /// framework its lessons build).
    pub competences: Vec<&'static str>,
    /// The target groups that need it (empty: open to everyone, required of no group).
    pub groups: Vec<&'static str>,
    /// Required of a group the learner belongs to: shown first, under "Dành cho bạn".
    pub for_you: bool,
    /// The lesson "Bắt đầu học" / "Học tiếp" opens.
    pub start_at: i32,
    /// Courses elsewhere that count as this one (the national platform's), shown inside this
    /// card rather than as cards of their own: `(slug, title, address there, completed on)`.
    pub alternatives: Vec<(String, String, String, Option<String>)>,
    /// The course's id, and the one it counts as (for folding alternatives in).
    id: i64,
    counts_as: Option<i64>,
}

/// A target group the catalogue can be narrowed to.
pub struct GroupFilter {
    pub code: &'static str,
    pub name: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "learning/learn/my_courses.html")]
pub struct MyCoursesPage {
    pub l: Chrome,
    /// The newest news addressed to the learner.
    pub news: Vec<crate::services::news::items::Card>,
    /// Notifications (reminders) the learner has not seen.
    pub unread: u64,
    /// The contest prizes the learner won: `(contest id, contest, prize)`.
    pub awards: Vec<(i64, String, String)>,
    pub courses: Vec<CourseCard>,
    pub groups: Vec<GroupFilter>,
    /// Nothing narrowed: every course.
    pub all: bool,
}

/// The groups that need a course: those that require it, or — for a course taught elsewhere —
/// the course it counts as.
fn groups_of(catalog: &Catalog, course: &progress::Course) -> Vec<&'static str> {
    let id = course.counts_as_id.unwrap_or(course.id);
    let codes = catalog.groups_requiring(id);
    hocvuso_domain::TargetGroup::ALL
        .iter()
        .filter(|g| codes.iter().any(|c| c == g.code()))
        .map(|g| g.code())
        .collect()
}

/// The catalogue with the learner's progress, narrowed to one target group with `?nhom=`.
pub async fn my_courses(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let catalog = state.catalog.current();
    let only = match query.get("nhom").map(String::as_str) {
        None | Some("") => None,
        Some(code) => Some(
            hocvuso_domain::TargetGroup::from_code(code)
                .ok_or(WebError::NotFound)?
                .code(),
        ),
    };
    let mine = progress::groups_of_person(&state, user.person_id).await?;
    let mut offered: Vec<&'static str> = Vec::new();
    let courses: Vec<CourseCard> = progress::my_courses(&state, &catalog, user.person_id)
        .await?
        .into_iter()
        .filter_map(|c| {
            let groups = groups_of(&catalog, &c.course.course);
            offered.extend(groups.iter().copied());
            let shown = match only {
                None => true,
                // Narrowed to a group: what that group needs (an optional course shows in the
                // whole catalogue only).
                Some(g) => groups.contains(&g),
            };
            shown.then_some((c, groups))
        })
        .map(|(c, groups)| CourseCard {
            level: c.course.course.level.clone(),
            minutes: c.lessons.iter().map(|(l, _)| l.lesson.minutes).sum(),
            competences: {
                let mut codes: Vec<&str> = c
                    .lessons
                    .iter()
                    .flat_map(|(l, _)| l.lesson.competences.split_whitespace())
                    .collect();
                codes.sort_by_key(|c| hocvuso_domain::competence::order_of(c));
                codes.dedup();
                // The framework's areas, in words (a few plain names, not nine codes).
                let mut areas: Vec<&'static str> = Vec::new();
                for code in codes {
                    let number = code.split('.').next().and_then(|n| n.parse::<u8>().ok());
                    if let Some(d) = hocvuso_domain::competence::FRAMEWORK
                        .iter()
                        .find(|d| Some(d.number) == number)
                    {
                        if !areas.contains(&d.name) {
                            areas.push(d.name);
                        }
                    }
                }
                areas
            },
            for_you: groups.iter().any(|g| mine.iter().any(|m| m == g)),
            start_at: c.resume_at().unwrap_or(1),
            alternatives: Vec::new(),
            id: c.course.course.id,
            counts_as: c.course.course.counts_as_id,
            groups: groups
                .iter()
                .filter_map(|g| hocvuso_domain::TargetGroup::from_code(g))
                .map(|g| g.name_vi())
                .collect(),
            resume_at: c.resume_at().filter(|_| c.finished_count() > 0),
            finished: c.finished_count(),
            total: c.lessons.len(),
            certificate: c.certificate.map(|x| x.code),
            external_url: c.course.course.external_url.clone(),
            completed: c.completed_at.map(crate::clock::format_date),
            slug: c.course.course.slug.clone(),
            title: c.course.course.title.clone(),
            summary: c.course.course.summary.clone(),
        })
        .collect();
    // One card per course to take: a course taught elsewhere that counts as one listed goes
    // inside that one's card ("or learn it on the national platform"); a course taught here
    // that counts as another (one per school level) keeps its own card.
    let ids: Vec<i64> = courses.iter().map(|c| c.id).collect();
    let (folded, mut courses): (Vec<CourseCard>, Vec<CourseCard>) = courses
        .into_iter()
        .partition(|c| c.external_url.is_some() && c.counts_as.is_some_and(|id| ids.contains(&id)));
    for alt in folded {
        if let Some(main) = courses.iter_mut().find(|c| Some(c.id) == alt.counts_as) {
            main.alternatives.push((
                alt.slug,
                alt.title,
                alt.external_url.unwrap_or_default(),
                alt.completed,
            ));
        }
    }
    // The courses the learner's groups need come first (the sort keeps the catalogue's order
    // otherwise).
    courses.sort_by_key(|c| !c.for_you);
    let page = MyCoursesPage {
        l: ctx.chrome("Khóa học của tôi"),
        news: crate::services::news::items::for_home(&state, user).await?,
        unread: crate::services::reminders::inbox::unread(&state, user.person_id).await?,
        awards: crate::services::contests::public::my_awards(&state, user).await?,
        courses,
        groups: hocvuso_domain::TargetGroup::ALL
            .iter()
            .filter(|g| offered.contains(&g.code()))
            .map(|g| GroupFilter {
                code: g.code(),
                name: g.name_vi(),
                selected: only == Some(g.code()),
            })
            .collect(),
        all: only.is_none(),
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "learning/learn/competences.html")]
pub struct CompetencesPage {
    pub l: Chrome,
    pub domains: Vec<progress::CompetenceDomain>,
    pub learned: usize,
}

/// "Năng lực số của tôi": the learner's profile against the national framework.
pub async fn competences(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let domains = progress::competence_profile(&state, user.person_id).await?;
    let learned = domains
        .iter()
        .flat_map(|d| &d.competences)
        .filter(|c| !c.learned.is_empty())
        .count();
    let page = CompetencesPage {
        l: ctx.chrome("Năng lực số của tôi"),
        domains,
        learned,
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}

pub struct LessonLine {
    pub position: i32,
    pub title: String,
    pub minutes: i32,
    pub done: bool,
    /// False for a lesson of a sequential course whose earlier lessons are not all read.
    pub open: bool,
}

/// Consecutive lessons with the same module title (an untitled group when the course has no
/// modules).
pub struct ModuleView {
    pub title: String,
    /// The number of its first lesson (for `<ol start>`).
    pub start: i32,
    pub lessons: Vec<LessonLine>,
}

/// Groups a course's lessons into its modules, in order.
fn modules(c: &progress::CourseProgress) -> Vec<ModuleView> {
    let mut out: Vec<ModuleView> = Vec::new();
    for (i, (l, done)) in c.lessons.iter().enumerate() {
        let line = LessonLine {
            position: l.lesson.position,
            title: l.lesson.title.clone(),
            minutes: l.lesson.minutes,
            done: *done,
            open: c.is_open(i),
        };
        match out.last_mut() {
            Some(m) if m.title == l.lesson.module => m.lessons.push(line),
            _ => out.push(ModuleView {
                title: l.lesson.module.clone(),
                start: l.lesson.position,
                lessons: vec![line],
            }),
        }
    }
    out
}

#[derive(Template)]
#[template(path = "learning/learn/course.html")]
pub struct CoursePage {
    pub l: Chrome,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub level: String,
    pub minutes: i32,
    pub modules: Vec<ModuleView>,
    pub lesson_count: usize,
    pub finished: usize,
    /// The first lesson not read yet.
    pub resume_at: Option<i32>,
    pub sequential: bool,
    pub require_lessons: bool,
    pub certificate: Option<String>,
    pub license: String,
    pub external_url: Option<String>,
    pub completed: Option<String>,
}

pub async fn course(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let catalog = state.catalog.current();
    let c = progress::course_progress(&state, &catalog, user.person_id, &slug).await?;
    let k = &c.course.course;
    let page = CoursePage {
        l: ctx.chrome(k.title.clone()),
        minutes: c.lessons.iter().map(|(l, _)| l.lesson.minutes).sum(),
        slug: k.slug.clone(),
        title: k.title.clone(),
        summary: k.summary.clone(),
        level: k.level.clone(),
        modules: modules(&c),
        lesson_count: c.lessons.len(),
        finished: c.finished_count(),
        resume_at: c.resume_at(),
        sequential: k.sequential,
        require_lessons: k.require_lessons,
        certificate: c.certificate.map(|x| x.code),
        license: k.license.clone(),
        external_url: k.external_url.clone(),
        completed: c.completed_at.map(crate::clock::format_date),
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "learning/learn/lesson.html")]
pub struct LessonPage<'a> {
    pub l: Chrome,
    pub slug: &'a str,
    pub course_title: &'a str,
    pub position: i32,
    pub total: i32,
    pub title: &'a str,
    pub minutes: i32,
    pub parts: Vec<PartView<'a>>,
    /// The lesson just marked as read (`?da-hoc=N`), confirmed at the top.
    pub done_lesson: Option<i32>,
    /// Where a check question's answer goes (this lesson's address).
    pub check_action: String,
}

/// A piece of a lesson: safe HTML, or a check question.
pub struct PartView<'a> {
    pub html: Option<&'a str>,
    pub check: Option<CheckView<'a>>,
}

/// A check question inside a lesson, answered with a GET form (nothing is stored; the right
/// option is named only after the learner has chosen). Rendered by
/// `templates/learning/_check_form.html`, for learners and in an author's preview.
pub struct CheckView<'a> {
    /// `kt1`, `kt2`, … (the query parameter and the anchor).
    pub name: String,
    pub prompt: &'a str,
    pub options: Vec<(usize, &'a str, bool)>,
    /// After an answer: right or not, the right option, and why.
    pub feedback: Option<(bool, &'a str, &'a str)>,
    /// "Kiểm tra" was pressed with no option chosen.
    pub unanswered: bool,
}

/// A lesson's parts as the lesson page shows them, answers from `query` (`kt1=2`).
pub(crate) fn part_views<'a>(
    parts: &'a [crate::services::shared::markdown::Part],
    query: &HashMap<String, String>,
) -> Vec<PartView<'a>> {
    use crate::services::shared::markdown::Part;
    let mut n = 0;
    parts
        .iter()
        .map(|p| match p {
            Part::Html(h) => PartView {
                html: Some(h),
                check: None,
            },
            Part::Check(c) => {
                n += 1;
                let name = format!("kt{n}");
                let chosen: Option<usize> = query
                    .get(&name)
                    .and_then(|v| v.parse().ok())
                    .filter(|i| *i < c.options.len());
                PartView {
                    html: None,
                    check: Some(CheckView {
                        prompt: &c.prompt,
                        options: c
                            .options
                            .iter()
                            .enumerate()
                            .map(|(i, o)| (i, o.as_str(), chosen == Some(i)))
                            .collect(),
                        unanswered: chosen.is_none()
                            && query.get("da-kiem-tra").is_some_and(|v| *v == name),
                        feedback: chosen.map(|i| {
                            (
                                i == c.right,
                                c.options[c.right].as_str(),
                                c.explanation.as_str(),
                            )
                        }),
                        name,
                    }),
                }
            }
        })
        .collect()
}

pub async fn lesson(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, n)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let catalog = state.catalog.current();
    let p = match progress::lesson(&state, &catalog, user.person_id, &slug, number(&n)?).await {
        Ok(p) => p,
        Err(LearnError::Locked(first)) => return Ok(locked(&ctx, &catalog, &slug, first)),
        Err(e) => return Err(e.into()),
    };
    let (k, lesson) = (&p.course.course, &p.lesson.lesson);
    let page = LessonPage {
        l: ctx.chrome(lesson.title.clone()),
        slug: &k.slug,
        course_title: &k.title,
        position: lesson.position,
        total: p.total,
        parts: part_views(&p.lesson.parts, &query),
        title: &lesson.title,
        minutes: lesson.minutes,
        done_lesson: done_lesson(&query),
        check_action: format!("/khoa-hoc/{}/bai/{}", k.slug, lesson.position),
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}

/// The lesson just marked as read, from `?da-hoc=N`.
fn done_lesson(query: &HashMap<String, String>) -> Option<i32> {
    query.get("da-hoc").and_then(|v| v.parse().ok())
}

/// "Đã học xong": marks the lesson and goes on to the next one, or to the quiz after the last.
pub async fn finish_lesson(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, n)): Path<(String, String)>,
    _form: CsrfForm<Empty>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let next = match progress::finish_lesson(&state, user.person_id, &slug, number(&n)?).await {
        Ok(next) => next,
        Err(LearnError::Locked(first)) => {
            return Ok(locked(&ctx, &state.catalog.current(), &slug, first));
        }
        Err(e) => return Err(e.into()),
    };
    Ok(match next {
        Some(p) => see_other(&format!("/khoa-hoc/{slug}/bai/{p}?da-hoc={n}")),
        None => see_other(&format!("/khoa-hoc/{slug}/kiem-tra?da-hoc={n}")),
    })
}

#[derive(Template)]
#[template(path = "learning/learn/locked.html")]
pub struct LockedPage {
    pub l: Chrome,
    pub slug: String,
    pub course_title: String,
    /// The lesson to read first.
    pub first: i32,
}

/// A lesson not open yet (403), with the way to the lesson to read first.
fn locked(ctx: &Ctx, catalog: &Catalog, slug: &str, first: i32) -> Response {
    let page = LockedPage {
        l: ctx.chrome("Bài này chưa mở"),
        slug: slug.to_owned(),
        course_title: catalog
            .by_slug(slug)
            .map(|c| c.course.title.clone())
            .unwrap_or_default(),
        first,
    };
    render(ctx, StatusCode::FORBIDDEN, &page)
}

#[derive(Template)]
#[template(path = "learning/learn/quiz.html")]
pub struct QuizPage {
    pub l: Chrome,
    pub slug: String,
    pub course_title: String,
    pub questions: usize,
    pub pass_percent: i32,
    pub unfinished_lessons: usize,
    pub certificate: Option<String>,
    /// Minutes to submit an attempt, when the quiz has a time limit.
    pub minutes: Option<i32>,
    /// The attempt limit and the attempts left, when the quiz has one.
    pub attempts: Option<(i32, i64)>,
    /// Why the learner may not start (shown at the top).
    pub error: Option<String>,
    /// The lesson just marked as read (`?da-hoc=N`), confirmed at the top.
    pub done_lesson: Option<i32>,
    /// Attempts are left (or unlimited), and the lessons the quiz needs are read.
    pub can_start: bool,
    /// The quiz opens once every lesson is read.
    pub require_lessons: bool,
}

fn quiz_page(ctx: &Ctx, c: &progress::CourseProgress, error: Option<String>) -> QuizPage {
    let k = &c.course.course;
    let bank = c.course.bank_questions().count();
    QuizPage {
        l: ctx.chrome(format!("Bài kiểm tra: {}", k.title)),
        unfinished_lessons: c.lessons.len() - c.finished_count(),
        slug: k.slug.clone(),
        course_title: k.title.clone(),
        questions: k
            .quiz_draw
            .and_then(|n| usize::try_from(n).ok())
            .map_or(bank, |n| n.min(bank)),
        pass_percent: k.pass_percent,
        certificate: c.certificate.as_ref().map(|x| x.code.clone()),
        minutes: k.quiz_minutes,
        attempts: k.quiz_attempts.zip(c.attempts_left()),
        can_start: c.attempts_left() != Some(0) && !(k.require_lessons && c.unread() > 0),
        require_lessons: k.require_lessons,
        error,
        done_lesson: None,
    }
}

pub async fn quiz(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let catalog = state.catalog.current();
    let c = progress::course_progress(&state, &catalog, user.person_id, &slug).await?;
    if c.course.course.external_url.is_some() {
        return Err(WebError::NotFound);
    }
    let mut page = quiz_page(&ctx, &c, None);
    page.done_lesson = done_lesson(&query);
    Ok(render(&ctx, StatusCode::OK, &page))
}

/// Starts an attempt (or goes back to the open one). With the attempts used up, the quiz page
/// again, saying so (409).
pub async fn start_quiz(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    _form: CsrfForm<Empty>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let catalog = state.catalog.current();
    match quiz::start_attempt(&state, user.person_id, &slug).await {
        Ok(id) => Ok(see_other(&format!("/bai-lam/{id}"))),
        Err(
            e @ (LearnError::NoAttemptsLeft(_)
            | LearnError::LessonsFirst(_)
            | LearnError::CertificateRevoked),
        ) => {
            let c = progress::course_progress(&state, &catalog, user.person_id, &slug).await?;
            let page = quiz_page(&ctx, &c, Some(e.to_string()));
            Ok(render(&ctx, StatusCode::CONFLICT, &page))
        }
        Err(e) => Err(e.into()),
    }
}

pub struct OptionView {
    pub input_id: String,
    pub value: i64,
    pub text: String,
    /// A picture option: its description and address.
    pub image: Option<(String, String)>,
    pub checked: bool,
}

pub struct QuestionView {
    pub name: String,
    pub number: i32,
    pub prompt: String,
    /// Checkboxes (choose every right option) instead of radio buttons.
    pub multiple: bool,
    pub options: Vec<OptionView>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "learning/learn/attempt.html")]
pub struct AttemptPage {
    pub l: Chrome,
    pub id: i64,
    pub course_title: String,
    pub errors: Errors,
    pub questions: Vec<QuestionView>,
    /// The deadline in Vietnam time ("14:35, 04/12/2026") and the minutes allowed.
    pub deadline: Option<(String, i32)>,
    /// Seconds left until the deadline, for the countdown (JavaScript; the text above says it
    /// without).
    pub seconds_left: i64,
}

fn attempt_page(
    now: chrono::DateTime<chrono::Utc>,
    ctx: &Ctx,
    view: quiz::AttemptView,
    chosen: &HashMap<i64, Vec<i64>>,
    errors: Errors,
    unanswered: &[i32],
) -> AttemptPage {
    let questions = view
        .questions
        .into_iter()
        .map(|q| QuestionView {
            name: format!("q{}", q.question_id),
            number: q.number,
            error: unanswered.contains(&q.number).then(|| {
                if q.multiple {
                    format!("Hãy chọn các phương án đúng cho câu {}.", q.number)
                } else {
                    format!("Hãy chọn một câu trả lời cho câu {}.", q.number)
                }
            }),
            multiple: q.multiple,
            options: q
                .options
                .into_iter()
                .map(|(id, text)| OptionView {
                    input_id: format!("q{}-{}", q.question_id, id),
                    value: id,
                    image: crate::services::shared::markdown::option_image(&text)
                        .map(|(alt, url)| (alt.to_owned(), url.to_owned())),
                    text,
                    checked: chosen.get(&q.question_id).is_some_and(|c| c.contains(&id)),
                })
                .collect(),
            prompt: q.prompt,
        })
        .collect();
    AttemptPage {
        l: ctx.chrome(format!("Làm bài: {}", view.course.title)),
        id: view.attempt.id,
        course_title: view.course.title.clone(),
        errors,
        questions,
        seconds_left: view.deadline.map_or(0, |d| (d - now).num_seconds().max(0)),
        deadline: view.deadline.zip(view.course.quiz_minutes).map(|(d, m)| {
            (
                crate::clock::vietnam_time(d)
                    .format("%H:%M, %d/%m/%Y")
                    .to_string(),
                m,
            )
        }),
    }
}

pub async fn attempt(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let catalog = state.catalog.current();
    let view = quiz::attempt_view(&state, &catalog, user.person_id, number(&id)?).await?;
    if view.attempt.submitted_at.is_some() {
        return Ok(see_other(&format!("/bai-lam/{}/ket-qua", view.attempt.id)));
    }
    let page = attempt_page(
        state.clock.now(),
        &ctx,
        view,
        &HashMap::new(),
        Errors::default(),
        &[],
    );
    Ok(render(&ctx, StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "learning/learn/already_submitted.html")]
pub struct AlreadySubmittedPage {
    pub l: Chrome,
    pub id: i64,
    pub message: String,
}

/// Reads `q{question_id}=option_id` answers. A field that is not a number is an answer to no
/// question of this attempt.
/// `q{question}=option` pairs (several for a question whose right options must all be
/// chosen) → question → chosen options.
pub(crate) fn parse_answers(
    pairs: &[(String, String)],
) -> Result<HashMap<i64, Vec<i64>>, SubmitError> {
    let mut answers: HashMap<i64, Vec<i64>> = HashMap::new();
    for (k, v) in pairs {
        let Some(q) = k.strip_prefix('q') else {
            continue;
        };
        let (Ok(q), Ok(o)) = (q.parse::<i64>(), v.parse::<i64>()) else {
            return Err(SubmitError::ForeignAnswer);
        };
        answers.entry(q).or_default().push(o);
    }
    Ok(answers)
}

pub async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: CsrfForm<Empty>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let catalog = state.catalog.current();
    let attempt_id: i64 = number(&id)?;
    let result = match parse_answers(&form.pairs) {
        Ok(answers) => quiz::submit_attempt(&state, user.person_id, attempt_id, answers).await,
        Err(e) => Err(e),
    };
    let (message, unanswered) = match result {
        Ok(_) => return Ok(see_other(&format!("/bai-lam/{attempt_id}/ket-qua"))),
        Err(SubmitError::NotFound) => return Err(WebError::NotFound),
        Err(SubmitError::Internal(e)) => return Err(e.into()),
        Err(e @ SubmitError::AlreadySubmitted) => {
            let page = AlreadySubmittedPage {
                l: ctx.chrome("Bài làm đã được nộp"),
                id: attempt_id,
                message: e.to_string(),
            };
            return Ok(render(&ctx, StatusCode::CONFLICT, &page));
        }
        Err(SubmitError::Unanswered(numbers)) => {
            let list: Vec<String> = numbers.iter().map(i32::to_string).collect();
            let message = format!(
                "Bạn chưa trả lời câu {}. Hãy chọn một đáp án cho mỗi câu.",
                list.join(", ")
            );
            (message, numbers)
        }
        Err(e @ SubmitError::ForeignAnswer) => (e.to_string(), Vec::new()),
    };
    // The form again, with the message on top; answers the learner chose stay chosen (a refused
    // sheet whose answers cannot be read keeps none).
    let chosen = if unanswered.is_empty() {
        HashMap::new()
    } else {
        parse_answers(&form.pairs).unwrap_or_default()
    };
    let view = quiz::attempt_view(&state, &catalog, user.person_id, attempt_id).await?;
    let mut errors = Errors::default();
    errors.push("bai-lam", message);
    let page = attempt_page(state.clock.now(), &ctx, view, &chosen, errors, &unanswered);
    Ok(render(&ctx, StatusCode::UNPROCESSABLE_ENTITY, &page))
}

pub struct WrongAnswer {
    pub number: i32,
    pub prompt: String,
    pub chosen: String,
    pub explanation: String,
}

#[derive(Template)]
#[template(path = "learning/learn/result.html")]
pub struct ResultPage {
    pub l: Chrome,
    pub slug: String,
    pub course_title: String,
    pub passed: bool,
    pub correct: i32,
    pub total: i32,
    pub pass_percent: i32,
    pub wrong: Vec<WrongAnswer>,
    pub certificate: Option<String>,
    /// The certificate's short code, as printed on it (`7K3M-PQX9-T2AB`).
    pub short_code: String,
    /// The answers came after the deadline: nothing was graded.
    pub late: bool,
    /// Attempts left under the quiz's limit (`None`: no limit).
    pub attempts_left: Option<i64>,
}

pub async fn result(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let user = ctx.user()?;
    let catalog = state.catalog.current();
    let view = quiz::attempt_view(&state, &catalog, user.person_id, number(&id)?).await?;
    if view.attempt.submitted_at.is_none() {
        return Ok(see_other(&format!("/bai-lam/{}", view.attempt.id)));
    }
    let wrong = view
        .questions
        .iter()
        .filter(|q| q.correct == Some(false))
        .map(|q| WrongAnswer {
            number: q.number,
            prompt: q.prompt.clone(),
            chosen: q
                .options
                .iter()
                .filter(|(id, _)| q.chosen.contains(id))
                .map(|(_, t)| crate::services::shared::markdown::option_words(t).to_owned())
                .collect::<Vec<_>>()
                .join("; "),
            explanation: q.explanation.clone(),
        })
        .collect();
    let passed = view.attempt.passed == Some(true);
    let progress =
        progress::course_progress(&state, &catalog, user.person_id, &view.course.slug).await?;
    let page = ResultPage {
        l: ctx.chrome(if passed {
            "Kết quả: Đạt"
        } else if view.late {
            "Kết quả: Hết giờ"
        } else {
            "Kết quả: Chưa đạt"
        }),
        slug: view.course.slug.clone(),
        course_title: view.course.title.clone(),
        passed,
        correct: view.attempt.correct_count.unwrap_or(0),
        total: view.attempt.question_count,
        pass_percent: view.course.pass_percent,
        wrong,
        short_code: view
            .certificate
            .as_ref()
            .map(|c| crate::services::credentials::credential::short_code(&c.code))
            .unwrap_or_default(),
        certificate: view.certificate.map(|c| c.code),
        late: view.late,
        attempts_left: progress.attempts_left(),
    };
    Ok(render(&ctx, StatusCode::OK, &page))
}
