//! The kinds of unit in the org tree: the province, its communes, and the units under them.

code_enum!(
    /// What a unit of the org tree is.
    UnitKind {
        Province = "province" => "Tỉnh",
        Commune = "commune" => "Xã, phường",
        Department = "department" => "Sở, ban, ngành",
        School = "school" => "Trường học",
        Enterprise = "enterprise" => "Doanh nghiệp",
        Cooperative = "cooperative" => "Hợp tác xã",
        YouthBranch = "youth_branch" => "Chi đoàn, đoàn cơ sở",
        DigitalTeam = "digital_team" => "Tổ Công nghệ số cộng đồng",
        Village = "village" => "Thôn, tổ dân phố",
    }
);

impl UnitKind {
    /// Whether a unit of this kind may be added under a unit of the kind `parent`: the
    /// province and communes are made from the government's list, never added; departments sit
    /// under the province, cooperatives, teams and villages under a commune, and schools,
    /// enterprises and youth branches under either.
    pub fn may_sit_under(self, parent: UnitKind) -> bool {
        use UnitKind as K;
        match parent {
            K::Province => matches!(
                self,
                K::Department | K::School | K::Enterprise | K::YouthBranch
            ),
            K::Commune => matches!(
                self,
                K::School
                    | K::Enterprise
                    | K::Cooperative
                    | K::YouthBranch
                    | K::DigitalTeam
                    | K::Village
            ),
            _ => false,
        }
    }

    /// The province and its communes come from the government's list (codes of Quyết định
    /// 19/2025/QĐ-TTg); other units are the province's own.
    pub fn is_official(self) -> bool {
        matches!(self, UnitKind::Province | UnitKind::Commune)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_province_and_communes_hold_units() {
        for k in UnitKind::ALL {
            assert_eq!(UnitKind::from_code(k.code()), Some(*k));
            assert!(!k.may_sit_under(UnitKind::Village));
            assert!(!k.may_sit_under(UnitKind::School));
            assert!(!UnitKind::Commune.may_sit_under(*k));
        }
        assert!(UnitKind::DigitalTeam.may_sit_under(UnitKind::Commune));
        assert!(!UnitKind::DigitalTeam.may_sit_under(UnitKind::Province));
        assert!(UnitKind::Department.may_sit_under(UnitKind::Province));
    }
}
