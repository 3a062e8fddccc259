//! The draft document: a whole course as its authors edit it ([`CourseDoc`]), made from a
//! published version and checked before it may be published.

use hocvuso_db::repo::learning as repo;
use serde::{Deserialize, Serialize};

use crate::services::learning::catalog::CatalogCourse;
use crate::services::Internal;

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
    pub(super) fn same_as(&self, other: &LessonDoc) -> bool {
        self.module == other.module
            && self.title == other.title
            && self.minutes == other.minutes
            && self.competences == other.competences
            && self.body_md.trim_end() == other.body_md.trim_end()
    }

    pub(super) fn content(&self, position: i32) -> repo::LessonContent<'_> {
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
    pub(super) fn same_as(&self, other: &QuestionDoc) -> bool {
        self.prompt == other.prompt
            && self.options == other.options
            && self.correct == other.correct
            && self.multiple == other.multiple
            && self.explanation == other.explanation
            && self.competences == other.competences
    }
}

/// The 0-based places of a question's right options.
pub(super) fn right_indexes(options: &[repo::QuestionOption]) -> Vec<usize> {
    options
        .iter()
        .enumerate()
        .filter(|(_, o)| o.is_correct)
        .map(|(i, _)| i)
        .collect()
}

pub(super) fn codes(s: &str) -> Vec<String> {
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

    pub(super) fn to_json(&self) -> Result<String, Internal> {
        serde_json::to_string(self).map_err(|e| Internal::Other(e.to_string()))
    }

    pub(super) fn from_json(s: &str) -> Result<CourseDoc, Internal> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
