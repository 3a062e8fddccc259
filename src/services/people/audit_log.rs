//! The audit log as the province reads it, in Vietnamese: who did what, about whom, in which
//! unit (by name), and the details in words — whatever the format the entry was written in
//! (`group=adults rows=77`, a person's id, a unit's code).

use std::collections::HashMap;

use hocvuso_db::repo::{audit, org, people};
use hocvuso_domain::{AuditAction, TargetGroup};

use crate::services::Internal;

/// One entry, ready to show.
pub struct AuditLine {
    pub at: String,
    pub who: String,
    pub action: &'static str,
    /// The person concerned (their name), a file, or a certificate.
    pub about: String,
    /// The unit concerned, by name.
    pub unit: String,
    pub detail: String,
}

/// What a kind of entry is about.
enum Subject {
    Person,
    Unit,
    File,
    Certificate,
    Group,
    /// A record of an area, named by its kind (“cuộc thi”, “lớp học”, “đề nghị”).
    Record(&'static str),
}

/// What an action's subject names.
fn subject_of(action: AuditAction) -> Subject {
    use AuditAction as A;
    match action {
        A::ViewPeople => Subject::Unit,
        A::ExportPeople => Subject::Unit,
        A::ViewPerson => Subject::Person,
        A::ExportPerson => Subject::Person,
        A::EditPerson => Subject::Person,
        A::ErasePerson => Subject::Person,
        A::ImportRoster => Subject::File,
        A::ImportRosterDryRun => Subject::File,
        A::RosterUpdate => Subject::Person,
        A::RosterMove => Subject::Person,
        A::RosterJoin => Subject::Person,
        A::ImportCompletions => Subject::File,
        A::ResetPassword => Subject::Person,
        A::ResetPasswordSms => Subject::Person,
        A::ChangePassword => Subject::Person,
        A::TransferAsk => Subject::Person,
        A::TransferApprove => Subject::Person,
        A::TransferRefuse => Subject::Person,
        A::RevokeCertificate => Subject::Certificate,
        A::ReinstateCertificate => Subject::Certificate,
        A::ChangeRequirements => Subject::Group,
        A::ClassCode => Subject::Unit,
        A::ClassPins => Subject::Unit,
        A::ParentConsent => Subject::Person,
        A::ContestCreate => Subject::Record("cuộc thi"),
        A::ContestRoundAdd => Subject::Record("cuộc thi"),
        A::ContestRoundEnd => Subject::Record("cuộc thi"),
        A::ContestPrizes => Subject::Record("cuộc thi"),
        A::ContestAwards => Subject::Record("cuộc thi"),
        A::ContestAwardsExport => Subject::Record("cuộc thi"),
        A::TrainingClassCreate => Subject::Record("lớp học"),
        A::TrainingListExport => Subject::Record("lớp học"),
        A::TrainingReportExport => Subject::File,
        A::HonourPropose => Subject::Record("đề nghị"),
        A::HonourResubmit => Subject::Record("đề nghị"),
        A::HonourReturn => Subject::Record("đề nghị"),
        A::HonourAccept => Subject::Record("đề nghị"),
        A::HonourDecline => Subject::Record("đề nghị"),
        A::ReportPeriodCreate => Subject::Record("kỳ báo cáo"),
        A::PeriodReportSave => Subject::Record("báo cáo"),
        A::PeriodReportSubmit => Subject::Record("báo cáo"),
        A::PeriodReportReturn => Subject::Record("báo cáo"),
        A::PeriodReportFile => Subject::Record("báo cáo"),
        A::PeriodReportFileRemove => Subject::Record("báo cáo"),
        A::PeriodReportApprove => Subject::Record("báo cáo"),
        A::NewsCreate => Subject::Record("tin"),
        A::NewsEdit => Subject::Record("tin"),
        A::NewsWithdraw => Subject::Record("tin"),
        A::NewsRestore => Subject::Record("tin"),
        A::PlanProgress => Subject::Record("nhiệm vụ"),
        A::PlanLeadUnit => Subject::Record("nhiệm vụ"),
        A::PlanTaskCreate => Subject::Record("nhiệm vụ"),
        A::TrainingPlace => Subject::Person,
        A::TrainingCancel => Subject::Person,
        A::TrainingPresent => Subject::Person,
        A::TrainingMark => Subject::Person,
        A::ReminderQueue => Subject::Unit,
        A::ReminderLogView => Subject::Record("lời nhắc"),
        A::ReminderOptOut => Subject::Person,
        A::ReminderOptIn => Subject::Person,
        A::ReminderEmailSet => Subject::Person,
        A::ReminderEmailRemoved => Subject::Person,
        A::ReminderScheduleCreate => Subject::Record("lời nhắc hằng tuần"),
        A::ReminderSchedulePause => Subject::Record("lời nhắc hằng tuần"),
        A::ReminderScheduleResume => Subject::Record("lời nhắc hằng tuần"),
        A::ReminderScheduleRun => Subject::Record("lời nhắc hằng tuần"),
    }
}

/// A group code in words (`adults` → `Người dân`); anything else as it is.
fn group_name(code: &str) -> String {
    TargetGroup::from_code(code).map_or_else(|| code.to_owned(), |g| g.name_vi().to_owned())
}

/// The details in words: `key=value` pairs translated (a `unit=` pair goes to the unit
/// column), "nhóm adults" named, the few English notes said in Vietnamese.
fn detail_in_words(detail: &str, unit: &mut String) -> String {
    let detail = detail.trim();
    match detail {
        "temporary password handed over" => return "đã giao mật khẩu tạm cho người dân".to_owned(),
        "other sessions ended" => return "các phiên đăng nhập khác đã kết thúc".to_owned(),
        _ => {}
    }
    if !detail.contains('=') || detail.contains('→') {
        // Free text; name the groups it mentions ("nhóm adults: A → B").
        return detail
            .split(' ')
            .map(|w| {
                let (word, tail) = w.split_at(w.trim_end_matches([':', ',', ';']).len());
                match TargetGroup::from_code(word) {
                    Some(g) => format!("{}{tail}", g.name_vi()),
                    None => w.to_owned(),
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
    }
    let mut parts = Vec::new();
    // Values may hold spaces (`unit=Phường Mũi Né rows=3`): a pair runs to the next `key=`.
    let mut pairs: Vec<(String, String)> = Vec::new();
    for word in detail.split(' ') {
        match word.split_once('=') {
            Some((k, v))
                if !k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase() || c == '_') =>
            {
                pairs.push((k.to_owned(), v.to_owned()));
            }
            _ => {
                if let Some((_, v)) = pairs.last_mut() {
                    v.push(' ');
                    v.push_str(word);
                }
            }
        }
    }
    for (k, v) in pairs {
        let n = |label: &str| format!("{label} {v}");
        parts.push(match k.as_str() {
            "group" => format!("nhóm {}", group_name(&v)),
            "unfinished" if v == "true" => "chỉ người chưa đạt".to_owned(),
            "unfinished" => continue,
            "page" => n("trang"),
            "rows" => format!("{v} dòng"),
            "added" => n("thêm mới"),
            "updated" => n("cập nhật"),
            "moved" => n("chuyển đơn vị"),
            "unchanged" => n("không đổi"),
            "skipped" => n("bỏ qua"),
            "errors" => format!("{v} lỗi"),
            "course" => n("khóa học"),
            "source" => n("nguồn"),
            "before" => n("khóa bắt buộc trước đây:"),
            "after" => n("nay:"),
            "gained" => n("thêm người đạt"),
            "lost" => n("bớt người đạt"),
            "redated" => n("tính đạt muộn hơn"),
            "class" => n("lớp"),
            "pupils" => format!("{v} học sinh"),
            "unit" => {
                *unit = v;
                continue;
            }
            _ => format!("{k}: {v}"),
        });
    }
    parts.join(", ")
}

/// The latest `limit` entries, newest first.
pub async fn recent<C: hocvuso_db::ConnectionTrait>(
    conn: &C,
    limit: u64,
) -> Result<Vec<AuditLine>, Internal> {
    let units = org::all(conn).await?;
    let unit_by_code: HashMap<&str, &str> = units
        .iter()
        .map(|u| (u.code.as_str(), u.name.as_str()))
        .collect();
    let unit_by_id: HashMap<i64, &str> = units.iter().map(|u| (u.id, u.name.as_str())).collect();
    // person id → (name, their commune's name)
    let mut known: HashMap<i64, (String, String)> = HashMap::new();
    let mut out = Vec::new();
    for e in audit::recent(conn, limit).await? {
        let mut ids = vec![e.actor_id];
        // An entry written by an older version under a code since retired reads "Việc khác".
        let (label, subject) = match AuditAction::from_code(&e.action) {
            Some(a) => (a.name_vi(), subject_of(a)),
            None => ("Việc khác", Subject::File),
        };
        let person_subject = match subject {
            Subject::Person => e.subject.parse::<i64>().ok(),
            _ => None,
        };
        ids.extend(person_subject);
        for id in ids {
            if let std::collections::hash_map::Entry::Vacant(v) = known.entry(id) {
                let found = people::person_by_id(conn, id).await?;
                v.insert(found.map_or_else(
                    || ("(đã xoá)".to_owned(), String::new()),
                    |p| {
                        let unit = p
                            .residence_unit_id
                            .and_then(|u| unit_by_id.get(&u))
                            .map_or_else(String::new, |n| (*n).to_owned());
                        (p.full_name, unit)
                    },
                ));
            }
        }
        let who = known
            .get(&e.actor_id)
            .map_or_else(String::new, |(n, _)| n.clone());
        let mut unit = String::new();
        let about = match subject {
            Subject::Person => match person_subject.and_then(|id| known.get(&id)) {
                Some((name, home)) => {
                    unit.clone_from(home);
                    name.clone()
                }
                None => e.subject.clone(),
            },
            Subject::Unit => {
                unit = unit_by_code
                    .get(e.subject.as_str())
                    .map_or_else(|| e.subject.clone(), |n| (*n).to_owned());
                String::new()
            }
            Subject::File if e.subject.is_empty() => String::new(),
            Subject::File => format!("tệp “{}”", e.subject),
            Subject::Certificate => format!("chứng nhận {}", e.subject),
            Subject::Record(kind) => format!("{kind} số {}", e.subject),
            Subject::Group => TargetGroup::from_code(&e.subject)
                .map_or_else(|| e.subject.clone(), |g| format!("nhóm {}", g.name_vi())),
        };
        let detail = detail_in_words(&e.detail, &mut unit);
        out.push(AuditLine {
            at: crate::clock::format_date_time(e.at),
            who,
            action: label,
            about,
            unit,
            detail,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::detail_in_words;

    #[test]
    fn details_read_as_words() {
        let mut unit = String::new();
        assert_eq!(
            detail_in_words("group=adults unfinished=true page=2 rows=77", &mut unit),
            "nhóm Người dân trong độ tuổi trưởng thành, chỉ người chưa đạt, trang 2, 77 dòng"
        );
        assert_eq!(
            detail_in_words(
                "unit=Phường Mũi Né rows=3 added=1 updated=2 moved=0",
                &mut unit
            ),
            "3 dòng, thêm mới 1, cập nhật 2, chuyển đơn vị 0"
        );
        assert_eq!(unit, "Phường Mũi Né");
        assert_eq!(
            detail_in_words("nhóm adults: Xã A → Xã B", &mut unit),
            "nhóm Người dân trong độ tuổi trưởng thành: Xã A → Xã B"
        );
        assert_eq!(
            detail_in_words("temporary password handed over", &mut unit),
            "đã giao mật khẩu tạm cho người dân"
        );
    }
}
