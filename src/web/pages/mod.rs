//! Page handlers, grouped by the same areas as `services`: `pages/<area>/<module>.rs` renders
//! the templates in `templates/<area>/<module>/`. The helpers below (downloads, uploads, form
//! errors, the group and indicator choices) serve every area.

pub mod accounts;
pub mod contests;
pub mod credentials;
pub mod handbook;
pub mod honours;
pub mod learning;
pub mod monitoring;
pub mod news;
pub mod people;
pub mod plan;
pub mod reminders;
pub mod site;
pub mod training;

/// A file to save (`attachment`), never cached.
pub fn download(
    bytes: Vec<u8>,
    content_type: &'static str,
    file_name: &str,
) -> axum::response::Response {
    use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
    use axum::http::HeaderValue;
    use axum::response::IntoResponse;
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        h.insert(CONTENT_DISPOSITION, v);
    }
    res
}

/// An evidence file sent back (`services::shared::evidence`): an attachment named
/// `{stem}.{ext}` (ASCII), typed as its bytes proved at upload; whatever it holds, the browser
/// neither guesses its type nor runs it (`nosniff`, `Content-Security-Policy: sandbox`).
pub fn evidence_download(
    bytes: Vec<u8>,
    stored_type: &str,
    stem: &str,
) -> axum::response::Response {
    use crate::services::shared::evidence;
    use axum::http::{HeaderName, HeaderValue};
    let mut res = download(
        bytes,
        evidence::content_type(stored_type),
        &format!("{stem}.{}", evidence::ext(stored_type)),
    );
    let h = res.headers_mut();
    h.insert(
        HeaderName::from_static("x-content-type-options"),
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        axum::http::header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    res
}

/// A `multipart/form-data` form with one file: its text fields, the file's name and bytes.
/// Accepted only when its `csrf_token` matches the CSRF cookie (as `CsrfForm` does for
/// urlencoded forms).
pub struct Upload {
    pub fields: std::collections::BTreeMap<String, String>,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

impl Upload {
    /// Reads a form whose file (field `tep`) is evidence: a PDF or a photo of at most
    /// [`evidence::MAX_BYTES`](crate::services::shared::evidence::MAX_BYTES).
    pub async fn read_evidence(
        state: &crate::state::AppState,
        ctx: &crate::web::extract::Ctx,
        multipart: axum::extract::Multipart,
    ) -> Result<Self, crate::web::error::WebError> {
        let max_mb = crate::services::shared::evidence::MAX_BYTES / 1024 / 1024;
        Self::read(state, ctx, multipart, "tep", max_mb).await
    }

    /// Reads the form, counted against the sender's uploads of the hour
    /// ([`crate::services::shared::limits::UPLOADS_PER_HOUR`]) before a byte of it is read.
    pub async fn read(
        state: &crate::state::AppState,
        ctx: &crate::web::extract::Ctx,
        mut multipart: axum::extract::Multipart,
        file_field: &str,
        max_mb: usize,
    ) -> Result<Self, crate::web::error::WebError> {
        use crate::web::error::WebError;
        let key = ctx.user.as_ref().map_or_else(
            || format!("client:{}", ctx.client),
            |u| format!("person:{}", u.person_id),
        );
        state
            .limits
            .upload
            .check(&key, state.clock.now())
            .map_err(WebError::TooMany)?;
        let broken = || {
            WebError::Refused(format!(
                "Tệp quá lớn hoặc bị hỏng khi gửi (tối đa {max_mb} MB)."
            ))
        };
        let mut upload = Upload {
            fields: std::collections::BTreeMap::new(),
            file_name: String::new(),
            bytes: Vec::new(),
        };
        while let Some(field) = multipart.next_field().await.map_err(|_| broken())? {
            let name = field.name().unwrap_or("").to_owned();
            if name == file_field {
                upload.file_name = field.file_name().unwrap_or("").to_owned();
                upload.bytes = field.bytes().await.map_err(|_| broken())?.to_vec();
            } else {
                let text = field.text().await.map_err(|_| broken())?;
                upload.fields.insert(name, text);
            }
        }
        if !ctx.csrf_matches(upload.field("csrf_token")) {
            return Err(WebError::Csrf);
        }
        Ok(upload)
    }

    /// A text field ("" when absent).
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }

    /// The file read as a table of counts per unit (XLSX or CSV): the rows and every error.
    pub fn count_rows(
        &self,
    ) -> (
        Vec<hocvuso_import::denominators::DenominatorRow>,
        Vec<hocvuso_import::denominators::RowError>,
    ) {
        match hocvuso_import::table::read_table(&self.bytes) {
            Ok(table) => hocvuso_import::denominators::parse_denominators(&table),
            Err(e) => (
                Vec::new(),
                vec![hocvuso_import::denominators::RowError {
                    line: e.line(),
                    message: e.to_string(),
                }],
            ),
        }
    }
}

/// Where a form sent the person after it succeeded (`?xong=…`): each page turns the code into
/// its sentence ("Đã lưu …"); an unknown code shows nothing.
#[derive(Default, serde::Deserialize)]
pub struct DoneQuery {
    #[serde(default, rename = "xong")]
    pub done: String,
}

impl DoneQuery {
    /// The sentence `done` names in the page's table (`(code, sentence)`), if any.
    pub fn message(&self, table: &[(&str, &'static str)]) -> Option<&'static str> {
        done_sentence(&self.done, table)
    }
}

/// The sentence a `?xong=` code names in a page's table (`(code, sentence)`), if any.
pub fn done_sentence(code: &str, table: &[(&str, &'static str)]) -> Option<&'static str> {
    table
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, sentence)| *sentence)
}

/// One choice in a `<select>` (the `select` macro of `templates/_components.html`).
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
    /// Each year, with `selected` marked.
    pub fn years(years: &[i32], selected: i32) -> Vec<Choice> {
        years
            .iter()
            .map(|y| Choice {
                value: y.to_string(),
                label: y.to_string(),
                selected: *y == selected,
            })
            .collect()
    }
}

/// Every target group, with `selected` marked.
pub fn group_options(selected: hocvuso_domain::TargetGroup) -> Vec<Choice> {
    hocvuso_domain::TargetGroup::ALL
        .iter()
        .map(|g| Choice {
            value: g.code().to_owned(),
            label: g.name_vi().to_owned(),
            selected: *g == selected,
        })
        .collect()
}

/// The group asked for in a query (`nhom`), adults when none; `None` for an unknown code.
pub fn group_of(code: &str) -> Option<hocvuso_domain::TargetGroup> {
    if code.is_empty() {
        Some(hocvuso_domain::TargetGroup::Adults)
    } else {
        hocvuso_domain::TargetGroup::from_code(code)
    }
}

/// Every indicator, with `selected` marked.
pub fn indicator_options(selected: hocvuso_domain::Indicator) -> Vec<Choice> {
    hocvuso_domain::Indicator::ALL
        .iter()
        .map(|i| Choice {
            value: i.code().to_owned(),
            label: i.name_vi().to_owned(),
            selected: *i == selected,
        })
        .collect()
}

/// The indicator asked for in a query (`chi-so`), digital skills when none.
pub fn indicator_of(code: &str) -> Option<hocvuso_domain::Indicator> {
    if code.is_empty() {
        Some(hocvuso_domain::Indicator::DigitalSkills)
    } else {
        hocvuso_domain::Indicator::from_code(code)
    }
}

/// A message shown next to one form field (and in the summary at the top).
pub struct FieldMsg {
    pub field: &'static str,
    pub message: String,
}

/// The errors of one form submission, in form order.
#[derive(Default)]
pub struct Errors(Vec<FieldMsg>);

impl Errors {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, FieldMsg> {
        self.0.iter()
    }

    /// The message for a field, if it has one.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    pub fn push(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push(FieldMsg {
            field,
            message: message.into(),
        });
    }
}

impl From<Vec<(&'static str, String)>> for Errors {
    fn from(v: Vec<(&'static str, String)>) -> Self {
        Errors(
            v.into_iter()
                .map(|(field, message)| FieldMsg { field, message })
                .collect(),
        )
    }
}

/// Only paths on this site may be returned to after logging in: one leading `/`, then no
/// second `/` or `\\` at the start, and no whitespace or control characters anywhere
/// (browsers drop tabs and newlines, so `/\t/evil.example` would become `//evil.example`).
pub fn local_path(p: &str) -> Option<&str> {
    let rest = p.strip_prefix('/')?;
    let ok = !rest.starts_with(['/', '\\'])
        && !p.contains('\\')
        && !p.chars().any(|c| c.is_whitespace() || c.is_control());
    ok.then_some(p)
}

/// An import's row errors as its pages list them.
pub struct ErrorList {
    /// `("Dòng N", message)`, or `("Tệp", message)` for the file as a whole.
    pub errors: Vec<(String, String)>,
    /// How many errors there are beyond those shown, formatted; empty when none.
    pub more: String,
    /// How many errors in all, formatted.
    pub count: String,
}

impl ErrorList {
    pub fn of(errors: &[hocvuso_import::RowError], count: usize) -> Self {
        let n = |x: usize| hocvuso_domain::format::number(x as i64);
        ErrorList {
            errors: errors
                .iter()
                .map(|e| {
                    (
                        if e.line == 0 {
                            "Tệp".to_owned()
                        } else {
                            format!("Dòng {}", e.line)
                        },
                        e.message.clone(),
                    )
                })
                .collect(),
            more: if count > errors.len() {
                n(count - errors.len())
            } else {
                String::new()
            },
            count: n(count),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_local_paths() {
        assert_eq!(super::local_path("/hoc"), Some("/hoc"));
        assert_eq!(super::local_path("//evil.example"), None);
        assert_eq!(super::local_path("https://evil.example"), None);
        assert_eq!(super::local_path("/\\evil.example"), None);
    }
}
