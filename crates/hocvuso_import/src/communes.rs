//! The national list of commune-level units (`code,name,type`), as shipped in `seed/`.

/// Kind of a commune-level unit after the 2025 reorganisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommuneType {
    Xa,
    Phuong,
    DacKhu,
}

impl CommuneType {
    pub fn code(self) -> &'static str {
        match self {
            CommuneType::Xa => "xa",
            CommuneType::Phuong => "phuong",
            CommuneType::DacKhu => "dac_khu",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "xa" => Some(CommuneType::Xa),
            "phuong" => Some(CommuneType::Phuong),
            "dac_khu" => Some(CommuneType::DacKhu),
            _ => None,
        }
    }

    /// The prefix used when the name is written in full: "Xã", "Phường", "Đặc khu".
    pub fn prefix_vi(self) -> &'static str {
        match self {
            CommuneType::Xa => "Xã",
            CommuneType::Phuong => "Phường",
            CommuneType::DacKhu => "Đặc khu",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commune {
    /// 5-digit government code.
    pub code: String,
    /// Name without the type prefix, e.g. "Mũi Né".
    pub name: String,
    pub kind: CommuneType,
}

impl Commune {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.kind.prefix_vi(), self.name)
    }
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum CommuneFileError {
    #[error("Dòng 1: tiêu đề phải là \"code,name,type\".")]
    BadHeader,
    #[error("Dòng {row}: {message}")]
    Row { row: usize, message: String },
}

/// One population row (`lam-dong-communes-population.csv`): the population is rough, for
/// demo weights only; the predecessors are the units merged into this commune in 2025 (their
/// names, e.g. "Phường Hàm Tiến"), used to read old records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommunePopulation {
    pub code: String,
    pub population: u64,
    pub predecessors: Vec<String>,
}

/// Prefixes of commune-level names, folded (to match a name with or without it).
const PREFIXES: [&str; 4] = ["xa ", "phuong ", "thi tran ", "dac khu "];

/// The keys a commune name is found by: folded, with and without its prefix.
pub fn name_keys(name: &str) -> Vec<String> {
    let folded: String = hocvuso_domain::text::fold(name)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let mut keys = vec![folded.clone()];
    for p in PREFIXES {
        if let Some(bare) = folded.strip_prefix(p) {
            keys.push(bare.to_owned());
        }
    }
    keys
}

/// Parses `code,name,type`. Every row error is collected; the whole file is rejected on any.
pub fn parse_communes(text: &str) -> Result<Vec<Commune>, Vec<CommuneFileError>> {
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let header_ok = reader
        .headers()
        .map(|h| h.iter().collect::<Vec<_>>() == ["code", "name", "type"])
        .unwrap_or(false);
    if !header_ok {
        return Err(vec![CommuneFileError::BadHeader]);
    }
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, record) in reader.records().enumerate() {
        let row = i + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(CommuneFileError::Row {
                    row,
                    message: format!("không đọc được dòng ({e})."),
                });
                continue;
            }
        };
        let code = record.get(0).unwrap_or("").trim();
        let name = record.get(1).unwrap_or("").trim();
        let kind = record.get(2).unwrap_or("").trim();
        if code.len() != 5 || !code.bytes().all(|b| b.is_ascii_digit()) {
            errors.push(CommuneFileError::Row {
                row,
                message: format!("mã \"{code}\" phải gồm đúng 5 chữ số."),
            });
            continue;
        }
        if name.is_empty() {
            errors.push(CommuneFileError::Row {
                row,
                message: "thiếu tên đơn vị.".to_owned(),
            });
            continue;
        }
        let Some(kind) = CommuneType::from_code(kind) else {
            errors.push(CommuneFileError::Row {
                row,
                message: format!("loại \"{kind}\" không hợp lệ (xa, phuong hoặc dac_khu)."),
            });
            continue;
        };
        if !seen.insert(code.to_owned()) {
            errors.push(CommuneFileError::Row {
                row,
                message: format!("mã {code} bị trùng."),
            });
            continue;
        }
        out.push(Commune {
            code: code.to_owned(),
            name: name.to_owned(),
            kind,
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Parses the population file's `code` and `population_sapnhap` columns.
pub fn parse_populations(text: &str) -> Result<Vec<CommunePopulation>, CommuneFileError> {
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|_| CommuneFileError::BadHeader)?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(code_col), Some(pop_col)) = (col("code"), col("population_sapnhap")) else {
        return Err(CommuneFileError::BadHeader);
    };
    let pred_col = col("predecessor_units");
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let row = i + 2;
        let record = record.map_err(|e| CommuneFileError::Row {
            row,
            message: format!("không đọc được dòng ({e})."),
        })?;
        let code = record.get(code_col).unwrap_or("").trim().to_owned();
        let population = record
            .get(pop_col)
            .unwrap_or("")
            .trim()
            .parse()
            .map_err(|_| CommuneFileError::Row {
                row,
                message: "dân số không phải là số.".to_owned(),
            })?;
        let predecessors = pred_col
            .and_then(|c| record.get(c))
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            // "giữ nguyên": the commune kept its name (found by its current name).
            .filter(|p| !p.is_empty() && hocvuso_domain::text::fold(p) != "giu nguyen")
            .map(str::to_owned)
            .collect();
        out.push(CommunePopulation {
            code,
            population,
            predecessors,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_shipped_file() {
        let text = include_str!("../../../seed/lam-dong-communes.csv");
        let communes = parse_communes(text).unwrap_or_default();
        assert_eq!(communes.len(), 124);
        let xa = communes
            .iter()
            .filter(|c| c.kind == CommuneType::Xa)
            .count();
        let phuong = communes
            .iter()
            .filter(|c| c.kind == CommuneType::Phuong)
            .count();
        assert_eq!((xa, phuong), (103, 20));
        let phu_quy = communes.iter().find(|c| c.code == "23272");
        assert_eq!(
            phu_quy.map(Commune::full_name),
            Some("Đặc khu Phú Quý".to_owned())
        );
    }

    #[test]
    fn parses_the_population_file() {
        let text = include_str!("../../../seed/lam-dong-communes-population.csv");
        let pops = parse_populations(text).unwrap_or_default();
        assert_eq!(pops.len(), 124);
        assert!(pops.iter().all(|p| p.population > 0));
        let mui_ne = pops.iter().find(|p| p.code == "22918");
        assert_eq!(
            mui_ne.map(|p| p.predecessors.clone()),
            Some(vec![
                "Phường Hàm Tiến".to_owned(),
                "Phường Mũi Né".to_owned(),
                "Xã Thiện Nghiệp".to_owned()
            ])
        );
        assert_eq!(
            name_keys("Phường  Hàm Tiến"),
            vec!["phuong ham tien".to_owned(), "ham tien".to_owned()]
        );
    }

    #[test]
    fn rejects_bad_rows_with_row_numbers() {
        let text = "code,name,type\n1234,A,xa\n22918,,xa\n22919,B,town\n22920,C,xa\n22920,D,xa\n";
        let errors = parse_communes(text).err().unwrap_or_default();
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            vec![
                "Dòng 2: mã \"1234\" phải gồm đúng 5 chữ số.",
                "Dòng 3: thiếu tên đơn vị.",
                "Dòng 4: loại \"town\" không hợp lệ (xa, phuong hoặc dac_khu).",
                "Dòng 6: mã 22920 bị trùng.",
            ]
        );
        assert_eq!(
            parse_communes("ma,ten\n"),
            Err(vec![CommuneFileError::BadHeader])
        );
    }
}
