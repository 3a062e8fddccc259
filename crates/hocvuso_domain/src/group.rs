//! Target groups, indicators and roles: closed sets with stable codes stored in the database.

code_enum!(
    /// Nhóm đối tượng of the plan.
    TargetGroup {
        Officials = "officials" => "Cán bộ, công chức, viên chức, người lao động trong cơ quan",
        Students = "students" => "Học sinh, sinh viên",
        Adults = "adults" => "Người dân trong độ tuổi trưởng thành",
        EnterpriseWorkers = "enterprise_workers" => "Người lao động trong doanh nghiệp, hợp tác xã",
        YouthMembers = "youth_members" => "Đoàn viên, thanh niên",
        ArmedForces = "armed_forces" => "Lực lượng vũ trang",
    }
);

code_enum!(
    /// Chỉ số: what is counted per (unit, group).
    Indicator {
        DigitalSkills = "digital_skills" => "Có kiến thức và kỹ năng số",
        VneidConfirmed = "vneid_confirmed" => "Được xác nhận phổ cập kỹ năng số trên VNeID",
    }
);

code_enum!(
    /// What an account may do. Every account is a learner; the others are granted.
    Role {
        Learner = "learner" => "Người học",
        Helper = "helper" => "Thành viên Tổ Công nghệ số cộng đồng",
        UnitOfficer = "unit_officer" => "Cán bộ phụ trách đơn vị",
        ProvinceAdmin = "province_admin" => "Quản trị cấp tỉnh",
        Author = "author" => "Biên tập viên",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for g in TargetGroup::ALL {
            assert_eq!(TargetGroup::from_code(g.code()), Some(*g));
        }
        for r in Role::ALL {
            assert_eq!(Role::from_code(r.code()), Some(*r));
        }
        assert_eq!(Indicator::from_code("nope"), None);
    }
}
