//! Page handlers, one module per feature; templates live in `templates/<feature>/`.

pub mod account;
pub mod authoring;
pub mod certificate;
pub mod dashboard;
pub mod denominators;
pub mod handbook;
pub mod health;
pub mod home;
pub mod learn;
pub mod targets;
pub mod vneid;

/// A target group as a choice in a `<select>`.
pub struct GroupOption {
    pub code: &'static str,
    pub name: &'static str,
    pub selected: bool,
}

/// Every target group, with `selected` marked.
pub fn group_options(selected: hocvuso_domain::TargetGroup) -> Vec<GroupOption> {
    hocvuso_domain::TargetGroup::ALL
        .iter()
        .map(|g| GroupOption {
            code: g.code(),
            name: g.name_vi(),
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

/// An indicator as a choice in a `<select>`.
pub struct IndicatorOption {
    pub code: &'static str,
    pub name: &'static str,
    pub selected: bool,
}

pub fn indicator_options(selected: hocvuso_domain::Indicator) -> Vec<IndicatorOption> {
    hocvuso_domain::Indicator::ALL
        .iter()
        .map(|i| IndicatorOption {
            code: i.code(),
            name: i.name_vi(),
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

/// Only paths on this site may be returned to after logging in (no `//host` or `http:`).
pub fn local_path(p: &str) -> Option<&str> {
    (p.starts_with('/') && !p.starts_with("//") && !p.starts_with("/\\")).then_some(p)
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
