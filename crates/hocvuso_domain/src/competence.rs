//! The national digital-competence framework for learners (Khung năng lực số, Thông tư
//! 02/2025/TT-BGDĐT): six domains and 24 competences, coded `1.1` … `6.3`. Lessons and
//! questions carry these codes; profiles and coverage are counted by them.

/// A domain (miền năng lực) and its competences, as `(code, name)`.
pub struct Domain {
    pub number: u8,
    pub name: &'static str,
    pub competences: &'static [(&'static str, &'static str)],
}

/// The framework, in order.
pub const FRAMEWORK: [Domain; 6] = [
    Domain {
        number: 1,
        name: "Khai thác dữ liệu và thông tin",
        competences: &[
            (
                "1.1",
                "Duyệt, tìm kiếm và lọc dữ liệu, thông tin và nội dung số",
            ),
            ("1.2", "Đánh giá dữ liệu, thông tin và nội dung số"),
            ("1.3", "Quản lý dữ liệu, thông tin và nội dung số"),
        ],
    },
    Domain {
        number: 2,
        name: "Giao tiếp và hợp tác trong môi trường số",
        competences: &[
            ("2.1", "Tương tác thông qua công nghệ số"),
            ("2.2", "Chia sẻ thông qua công nghệ số"),
            (
                "2.3",
                "Tham gia với tư cách công dân thông qua công nghệ số",
            ),
            ("2.4", "Hợp tác thông qua công nghệ số"),
            ("2.5", "Quy tắc ứng xử trên mạng"),
            ("2.6", "Quản lý danh tính số"),
        ],
    },
    Domain {
        number: 3,
        name: "Sáng tạo nội dung số",
        competences: &[
            ("3.1", "Phát triển nội dung số"),
            ("3.2", "Tích hợp và tạo lập lại nội dung số"),
            ("3.3", "Bản quyền và giấy phép"),
            ("3.4", "Lập trình"),
        ],
    },
    Domain {
        number: 4,
        name: "An toàn",
        competences: &[
            ("4.1", "Bảo vệ thiết bị"),
            ("4.2", "Bảo vệ dữ liệu cá nhân và quyền riêng tư"),
            ("4.3", "Bảo vệ sức khỏe và an sinh số"),
            ("4.4", "Bảo vệ môi trường"),
        ],
    },
    Domain {
        number: 5,
        name: "Giải quyết vấn đề",
        competences: &[
            ("5.1", "Giải quyết các vấn đề kỹ thuật"),
            ("5.2", "Xác định nhu cầu và phản hồi công nghệ"),
            ("5.3", "Sử dụng sáng tạo công nghệ số"),
            ("5.4", "Xác định các vấn đề cần cải thiện về năng lực số"),
        ],
    },
    Domain {
        number: 6,
        name: "Ứng dụng trí tuệ nhân tạo",
        competences: &[
            ("6.1", "Hiểu biết về trí tuệ nhân tạo"),
            ("6.2", "Sử dụng trí tuệ nhân tạo"),
            ("6.3", "Đánh giá trí tuệ nhân tạo"),
        ],
    },
];

/// The name of a competence code, or `None` when the framework has no such code.
pub fn name_of(code: &str) -> Option<&'static str> {
    FRAMEWORK
        .iter()
        .flat_map(|d| d.competences.iter())
        .find(|(c, _)| *c == code)
        .map(|(_, n)| *n)
}

/// A code's place in the framework (for sorting codes as the framework lists them; unknown
/// codes last).
pub fn order_of(code: &str) -> usize {
    FRAMEWORK
        .iter()
        .flat_map(|d| d.competences.iter())
        .position(|(c, _)| *c == code)
        .unwrap_or(usize::MAX)
}

/// Questions drawn per competence, as stored (`4.2=4 2.3=2`) or typed (`4.2: 4, 2.3: 2`):
/// `(code, count)` pairs; `None` when a part is not `code=n` / `code: n` with n ≥ 1.
pub fn parse_quotas(s: &str) -> Option<Vec<(String, usize)>> {
    let mut out: Vec<(String, usize)> = Vec::new();
    let normalised = s
        .replace(": ", ":")
        .replace(" :", ":")
        .replace(" =", "=")
        .replace("= ", "=");
    for part in normalised
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|p| !p.is_empty())
    {
        let (code, n) = part.split_once(['=', ':'])?;
        let n: usize = n.parse().ok().filter(|n| *n > 0)?;
        match out.iter_mut().find(|(c, _)| c == code) {
            Some(q) => q.1 += n,
            None => out.push((code.to_owned(), n)),
        }
    }
    Some(out)
}

/// Quotas as stored: `4.2=4 2.3=2`.
pub fn format_quotas(quotas: &[(String, usize)]) -> String {
    quotas
        .iter()
        .map(|(c, n)| format!("{c}={n}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_framework_has_24_competences_coded_by_domain() {
        let all: Vec<&str> = FRAMEWORK
            .iter()
            .flat_map(|d| d.competences.iter().map(|(c, _)| *c))
            .collect();
        assert_eq!(all.len(), 24);
        for d in &FRAMEWORK {
            for (c, _) in d.competences {
                assert!(c.starts_with(&format!("{}.", d.number)), "{c}");
            }
        }
        assert_eq!(name_of("6.3"), Some("Đánh giá trí tuệ nhân tạo"));
        assert_eq!(name_of("7.1"), None);
        assert_eq!(name_of("1"), None);
    }

    #[test]
    fn quotas_read_as_stored_and_as_typed() {
        let want = vec![("4.2".to_owned(), 4), ("2.3".to_owned(), 2)];
        assert_eq!(parse_quotas("4.2=4 2.3=2"), Some(want.clone()));
        assert_eq!(parse_quotas("4.2: 4, 2.3 : 2"), Some(want.clone()));
        assert_eq!(format_quotas(&want), "4.2=4 2.3=2");
        assert_eq!(parse_quotas(""), Some(Vec::new()));
        assert_eq!(parse_quotas("4.2"), None);
        assert_eq!(parse_quotas("4.2=0"), None);
        assert_eq!(parse_quotas("4.2=ba"), None);
    }
}
