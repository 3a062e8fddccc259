//! What the audit log records: a closed set of actions, each stored by its stable code and
//! read in Vietnamese on the audit log page. A new action is added here, so it cannot be
//! written without a name people can read.

code_enum!(
    /// One kind of entry of the audit log.
    AuditAction {
        ViewPeople = "view_people" => "Xem danh sách người",
        ExportPeople = "export_people" => "Tải danh sách người",
        ViewPerson = "view_person" => "Xem thông tin một người",
        ExportPerson = "export_person" => "Tải dữ liệu của một người",
        EditPerson = "edit_person" => "Sửa thông tin một người",
        ErasePerson = "erase_person" => "Xoá dữ liệu cá nhân",
        ImportRoster = "import_roster" => "Nhập danh sách",
        ImportRosterDryRun = "import_roster_dry_run" => "Kiểm tra danh sách (chưa nhập)",
        RosterUpdate = "roster_update" => "Danh sách sửa thông tin",
        RosterMove = "roster_move" => "Danh sách chuyển đơn vị",
        RosterJoin = "roster_join" => "Danh sách thêm vào nhóm",
        ImportCompletions = "import_completions" => "Nhập kết quả từ nền tảng quốc gia",
        ResetPassword = "reset_password" => "Đặt lại mật khẩu",
        ResetPasswordSms = "reset_password_sms" => "Tự đặt lại mật khẩu (mã SMS)",
        ChangePassword = "change_password" => "Đổi mật khẩu",
        TransferAsk = "transfer_ask" => "Đề nghị chuyển đơn vị",
        TransferApprove = "transfer_approve" => "Đồng ý chuyển đơn vị",
        TransferRefuse = "transfer_refuse" => "Từ chối chuyển đơn vị",
        RevokeCertificate = "revoke_certificate" => "Thu hồi chứng nhận",
        ReinstateCertificate = "reinstate_certificate" => "Khôi phục chứng nhận",
        ChangeRequirements = "change_requirements" => "Đổi khóa học bắt buộc của một nhóm",
        ClassCode = "class_code" => "Tạo mã lớp",
        ClassPins = "class_pins" => "Tạo mã đăng nhập cho học sinh",
        ParentConsent = "parent_consent" => "Ghi nhận đồng ý của cha mẹ",
        ContestCreate = "contest_create" => "Tạo cuộc thi",
        ContestRoundAdd = "contest_round_add" => "Thêm vòng thi",
        ContestRoundEnd = "contest_round_end" => "Kết thúc vòng thi sớm",
        ContestPrizes = "contest_prizes" => "Đặt cơ cấu giải",
        ContestAwards = "contest_awards" => "Công bố danh sách đạt giải",
        ContestAwardsExport = "contest_awards_export" => "Tải quyết định trao giải",
        TrainingClassCreate = "training_class_create" => "Mở lớp học",
        TrainingListExport = "training_list_export" => "Tải danh sách lớp học",
        TrainingReportExport = "training_report_export" => "Tải báo cáo lớp học theo đơn vị",
        HonourPropose = "honour_propose" => "Đề nghị tôn vinh",
        HonourResubmit = "honour_resubmit" => "Gửi lại đề nghị tôn vinh",
        HonourReturn = "honour_return" => "Trả lại đề nghị tôn vinh",
        HonourAccept = "honour_accept" => "Công nhận đề nghị tôn vinh",
        HonourDecline = "honour_decline" => "Không công nhận đề nghị tôn vinh",
        ReportPeriodCreate = "report_period_create" => "Tạo kỳ báo cáo định kỳ",
        PeriodReportSave = "period_report_save" => "Lưu bản nháp báo cáo định kỳ",
        PeriodReportSubmit = "period_report_submit" => "Gửi báo cáo định kỳ",
        PeriodReportReturn = "period_report_return" => "Trả lại báo cáo định kỳ",
        PeriodReportFile = "period_report_file" => "Đính kèm tệp vào báo cáo định kỳ",
        PeriodReportFileRemove = "period_report_file_remove" => "Bỏ tệp khỏi báo cáo định kỳ",
        PeriodReportApprove = "period_report_approve" => "Duyệt báo cáo định kỳ",
        NewsCreate = "news_create" => "Đăng tin",
        NewsEdit = "news_edit" => "Sửa tin",
        NewsWithdraw = "news_withdraw" => "Gỡ tin",
        NewsRestore = "news_restore" => "Đăng lại tin đã gỡ",
        PlanProgress = "plan_progress" => "Ghi tiến độ nhiệm vụ kế hoạch",
        PlanLeadUnit = "plan_lead_unit" => "Giao đơn vị ghi tiến độ",
        PlanTaskCreate = "plan_task_create" => "Thêm nhiệm vụ kế hoạch",
        TrainingPlace = "training_place" => "Ghi danh lớp học",
        TrainingCancel = "training_cancel" => "Hủy đăng ký lớp học",
        TrainingPresent = "training_present" => "Điểm danh bằng mã",
        TrainingMark = "training_mark" => "Điểm danh trên danh sách",
        ReminderQueue = "reminder_queue" => "Gửi lời nhắc",
        ReminderLogView = "reminder_log_view" => "Xem nhật ký gửi lời nhắc",
        ReminderOptOut = "reminder_opt_out" => "Tắt nhận lời nhắc",
        ReminderOptIn = "reminder_opt_in" => "Bật lại nhận lời nhắc",
        ReminderEmailSet = "reminder_email_set" => "Nhận lời nhắc qua thư điện tử",
        ReminderEmailRemoved = "reminder_email_removed" => "Bỏ thư điện tử, nhận lời nhắc bằng tin nhắn",
        ReminderScheduleCreate = "reminder_schedule_create" => "Đặt lời nhắc hằng tuần",
        ReminderSchedulePause = "reminder_schedule_pause" => "Tạm dừng lời nhắc hằng tuần",
        ReminderScheduleResume = "reminder_schedule_resume" => "Chạy lại lời nhắc hằng tuần",
        ReminderScheduleRun = "reminder_schedule_run" => "Gửi lời nhắc hằng tuần",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_distinct() {
        let mut codes = std::collections::BTreeSet::new();
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::from_code(a.code()), Some(*a));
            assert!(codes.insert(a.code()), "{} twice", a.code());
        }
    }
}
