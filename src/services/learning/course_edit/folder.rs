//! A course as a folder of files (`course.toml`, `quiz.toml`, `lessons/NN-….md`): export of a
//! version or the draft, and import of a folder into the draft with a dry run.

use std::collections::BTreeSet;

use hocvuso_db::repo::learning as repo;

use crate::services::runtime::Runtime;
use crate::services::Internal;

use super::draft::{CourseDoc, LessonDoc, QuestionDoc};
use super::editing::{change_draft, editable_course, editing, EditError};

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
    state: &Runtime,
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
    state: &Runtime,
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
