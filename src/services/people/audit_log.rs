//! The audit log as the province reads it, in Vietnamese: who did what, about whom, in which
//! unit (by name), and the details in words — whatever the format the entry was written in
//! (`group=adults rows=77`, a person's id, a unit's code).

use std::collections::HashMap;

use hocvuso_db::repo::{audit, org, people};
use hocvuso_domain::TargetGroup;

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

/// The action in words, and what its subject names.
fn action(code: &str) -> (&'static str, Subject) {
    match code {
        "view_people" => ("Xem danh sách người", Subject::Unit),
        "export_people" => ("Tải danh sách người", Subject::Unit),
        "view_person" => ("Xem thông tin một người", Subject::Person),
        "export_person" => ("Tải dữ liệu của một người", Subject::Person),
        "edit_person" => ("Sửa thông tin một người", Subject::Person),
        "erase_person" => ("Xoá dữ liệu cá nhân", Subject::Person),
        "import_roster" => ("Nhập danh sách", Subject::File),
        "import_roster_dry_run" => ("Kiểm tra danh sách (chưa nhập)", Subject::File),
        "roster_update" => ("Danh sách sửa thông tin", Subject::Person),
        "roster_move" => ("Danh sách chuyển đơn vị", Subject::Person),
        "roster_join" => ("Danh sách thêm vào nhóm", Subject::Person),
        "import_completions" => ("Nhập kết quả từ nền tảng quốc gia", Subject::File),
        "reset_password" => ("Đặt lại mật khẩu", Subject::Person),
        "reset_password_sms" => ("Tự đặt lại mật khẩu (mã SMS)", Subject::Person),
        "change_password" => ("Đổi mật khẩu", Subject::Person),
        "transfer_ask" => ("Đề nghị chuyển đơn vị", Subject::Person),
        "transfer_approve" => ("Đồng ý chuyển đơn vị", Subject::Person),
        "transfer_refuse" => ("Từ chối chuyển đơn vị", Subject::Person),
        "revoke_certificate" => ("Thu hồi chứng nhận", Subject::Certificate),
        "reinstate_certificate" => ("Khôi phục chứng nhận", Subject::Certificate),
        "change_requirements" => ("Đổi khóa học bắt buộc của một nhóm", Subject::Group),
        "class_code" => ("Tạo mã lớp", Subject::Unit),
        "class_pins" => ("Tạo mã đăng nhập cho học sinh", Subject::Unit),
        "parent_consent" => ("Ghi nhận đồng ý của cha mẹ", Subject::Person),
        "contest_create" => ("Tạo cuộc thi", Subject::Record("cuộc thi")),
        "contest_round_add" => ("Thêm vòng thi", Subject::Record("cuộc thi")),
        "contest_round_end" => ("Kết thúc vòng thi sớm", Subject::Record("cuộc thi")),
        "contest_prizes" => ("Đặt cơ cấu giải", Subject::Record("cuộc thi")),
        "contest_awards" => ("Công bố danh sách đạt giải", Subject::Record("cuộc thi")),
        "contest_awards_export" => ("Tải quyết định trao giải", Subject::Record("cuộc thi")),
        "training_class_create" => ("Mở lớp học", Subject::Record("lớp học")),
        "training_list_export" => ("Tải danh sách lớp học", Subject::Record("lớp học")),
        "training_report_export" => ("Tải báo cáo lớp học theo đơn vị", Subject::File),
        "honour_propose" => ("Đề nghị tôn vinh", Subject::Record("đề nghị")),
        "honour_resubmit" => ("Gửi lại đề nghị tôn vinh", Subject::Record("đề nghị")),
        "honour_return" => ("Trả lại đề nghị tôn vinh", Subject::Record("đề nghị")),
        "honour_accept" => ("Công nhận đề nghị tôn vinh", Subject::Record("đề nghị")),
        "honour_decline" => (
            "Không công nhận đề nghị tôn vinh",
            Subject::Record("đề nghị"),
        ),
        "report_period_create" => ("Tạo kỳ báo cáo định kỳ", Subject::Record("kỳ báo cáo")),
        "period_report_save" => ("Lưu bản nháp báo cáo định kỳ", Subject::Record("báo cáo")),
        "period_report_submit" => ("Gửi báo cáo định kỳ", Subject::Record("báo cáo")),
        "period_report_return" => ("Trả lại báo cáo định kỳ", Subject::Record("báo cáo")),
        "period_report_file" => (
            "Đính kèm tệp vào báo cáo định kỳ",
            Subject::Record("báo cáo"),
        ),
        "period_report_file_remove" => ("Bỏ tệp khỏi báo cáo định kỳ", Subject::Record("báo cáo")),
        "period_report_approve" => ("Duyệt báo cáo định kỳ", Subject::Record("báo cáo")),
        "news_create" => ("Đăng tin", Subject::Record("tin")),
        "news_edit" => ("Sửa tin", Subject::Record("tin")),
        "news_withdraw" => ("Gỡ tin", Subject::Record("tin")),
        "news_restore" => ("Đăng lại tin đã gỡ", Subject::Record("tin")),
        "plan_progress" => ("Ghi tiến độ nhiệm vụ kế hoạch", Subject::Record("nhiệm vụ")),
        "plan_lead_unit" => ("Giao đơn vị ghi tiến độ", Subject::Record("nhiệm vụ")),
        "plan_task_create" => ("Thêm nhiệm vụ kế hoạch", Subject::Record("nhiệm vụ")),
        "training_place" => ("Ghi danh lớp học", Subject::Person),
        "training_cancel" => ("Hủy đăng ký lớp học", Subject::Person),
        "training_present" => ("Điểm danh bằng mã", Subject::Person),
        "training_mark" => ("Điểm danh trên danh sách", Subject::Person),
        _ => ("Việc khác", Subject::File),
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
        let (label, subject) = action(&e.action);
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
