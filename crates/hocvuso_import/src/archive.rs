//! The guard in front of every .xlsx an upload brings: an .xlsx is a zip archive, and a few
//! hundred kilobytes of it can inflate to gigabytes (a "zip bomb"). Before calamine reads
//! anything, every entry is inflated once here, in blocks, and its bytes are **counted while
//! reading** (the sizes an archive declares are written by whoever made it and may lie), against
//! the caps below. The same pass finds the worksheets' formula and merged-cell elements (so the
//! worksheets, the biggest entries, are inflated only once more, by the reader itself).
//!
//! What calamine keeps in memory from an archive is the shared strings (every text cell of the
//! workbook, as `String`s), the styles and the workbook's index; worksheets are streamed. Hence a
//! tighter cap on the shared strings and the other entries than on a worksheet.

use std::io::{Cursor, Read};

use crate::table::TableError;

/// Largest inflated size of one worksheet (streamed, never held whole). A roster of a million
/// rows written by Excel is ≈ 300 MB of worksheet XML.
pub const MAX_SHEET_BYTES: u64 = 1 << 30;
/// Largest inflated size of the shared strings, which calamine holds in memory (a million
/// rows of distinct names and addresses is ≈ 100 MB).
pub const MAX_SHARED_STRINGS_BYTES: u64 = 192 << 20;
/// Largest inflated size of any other entry (styles, workbook, relations, themes…).
pub const MAX_OTHER_ENTRY_BYTES: u64 = 32 << 20;
/// Largest inflated size of all entries together (the time one upload may cost).
pub const MAX_TOTAL_BYTES: u64 = 3 << 29;
/// Entries above this inflated size must not inflate more than [`MAX_RATIO`] times.
pub const RATIO_FROM_BYTES: u64 = 1 << 20;
/// Largest ratio of inflated to compressed size (Excel's own files stay below ≈ 30).
pub const MAX_RATIO: u64 = 100;
/// Most entries in one archive (an Excel workbook has a dozen or so).
pub const MAX_ENTRIES: usize = 10_000;
/// Most merged-cell ranges in the worksheets (calamine keeps every one in memory; a roster
/// has a few, in its title).
pub const MAX_MERGED: usize = 10_000;

/// What the pass over the worksheets' XML found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SheetScan {
    /// Some worksheet may hold a formula (an `f` element).
    pub may_have_formulas: bool,
    /// Some worksheet may have merged cells (a `mergeCell` element).
    pub may_merge: bool,
}

fn refused(message: String) -> TableError {
    TableError::Archive(message)
}

fn mb(bytes: u64) -> String {
    format!("{} MB", bytes.div_ceil(1 << 20))
}

/// An entry's name as calamine matches it: a backslash read as `/`, case ignored.
fn normal(name: &str) -> String {
    name.replace('\\', "/").to_ascii_lowercase()
}

/// The cap of one entry, by its [`normal`] name.
fn cap_of(name: &str) -> u64 {
    if name.starts_with("xl/worksheets/") {
        MAX_SHEET_BYTES
    } else if name == "xl/sharedstrings.xml" {
        MAX_SHARED_STRINGS_BYTES
    } else {
        MAX_OTHER_ENTRY_BYTES
    }
}

/// Checks every entry of the archive against the caps (declared sizes first, then the bytes
/// counted while inflating) and searches the worksheets for formulas and merged cells. Any
/// entry that cannot be inflated refuses the file (calamine could not read it either).
pub fn check(bytes: &[u8]) -> Result<SheetScan, TableError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|_| TableError::Xlsx(DAMAGED.to_owned()))?;
    if archive.len() > MAX_ENTRIES {
        return Err(refused(format!(
            "tệp có {} phần nén, nhiều hơn mức cho phép ({MAX_ENTRIES})",
            archive.len()
        )));
    }
    let finders = |patterns: &[&'static [u8]]| -> Vec<memchr::memmem::Finder<'static>> {
        patterns
            .iter()
            .map(|p| memchr::memmem::Finder::new(*p))
            .collect()
    };
    let formula = finders(&[b"<f>", b"<f ", b":f>", b":f "]);
    let merge = finders(&[b"<mergeCell ", b":mergeCell "]);
    let mut found = SheetScan {
        may_have_formulas: false,
        may_merge: false,
    };
    let mut total: u64 = 0;
    let mut merged = 0usize;
    let mut buf = vec![0u8; 1 << 20];
    for i in 0..archive.len() {
        let mut file = archive
            .by_index(i)
            .map_err(|_| TableError::Xlsx(DAMAGED.to_owned()))?;
        let name = file.name().to_owned();
        let normal = normal(&name);
        let cap = cap_of(&normal);
        let compressed = file.compressed_size().max(1);
        let too_big = |size: u64| {
            refused(format!(
                "phần “{name}” giải nén ra hơn {}, quá mức cho phép ({}); tệp có thể là “bom nén”",
                mb(size),
                mb(cap)
            ))
        };
        let too_dense = |size: u64| {
            refused(format!(
                "phần “{name}” giải nén ra gấp hơn {} lần cỡ nén ({} từ {} byte), quá mức cho phép ({MAX_RATIO} lần); tệp có thể là “bom nén”",
                size / compressed,
                mb(size),
                compressed
            ))
        };
        // What the archive declares, before reading a byte of it.
        let declared = file.size();
        if declared > cap {
            return Err(too_big(declared));
        }
        if declared > RATIO_FROM_BYTES && declared / compressed > MAX_RATIO {
            return Err(too_dense(declared));
        }
        let is_sheet = normal.starts_with("xl/worksheets/") && normal.ends_with(".xml");
        // Blocks overlap by the longest pattern less one byte, so that a pattern across a
        // boundary is seen, and none is counted twice.
        const OVERLAP: usize = 10;
        let mut kept = 0;
        let mut read: u64 = 0;
        loop {
            let n = match file.read(&mut buf[kept..]) {
                Ok(0) => break,
                Ok(n) => n,
                Err(_) => {
                    return Err(TableError::Xlsx(format!(
                        "không giải nén được phần “{name}”; {DAMAGED}"
                    )))
                }
            };
            // What is really inflated, whatever was declared.
            read += n as u64;
            total += n as u64;
            if read > cap {
                return Err(too_big(read));
            }
            if read > RATIO_FROM_BYTES && read / compressed > MAX_RATIO {
                return Err(too_dense(read));
            }
            if total > MAX_TOTAL_BYTES {
                return Err(refused(format!(
                    "cả tệp giải nén ra hơn {}, quá mức cho phép",
                    mb(MAX_TOTAL_BYTES)
                )));
            }
            if !is_sheet {
                continue;
            }
            let block = &buf[..kept + n];
            found.may_have_formulas |= formula.iter().any(|f| f.find(block).is_some());
            merged += merge
                .iter()
                .map(|f| f.find_iter(block).count())
                .sum::<usize>();
            if merged > MAX_MERGED {
                return Err(refused(format!(
                    "bảng có hơn {MAX_MERGED} vùng ô gộp, quá mức cho phép"
                )));
            }
            found.may_merge |= merged > 0;
            kept = block.len().min(OVERLAP);
            let start = block.len() - kept;
            buf.copy_within(start..start + kept, 0);
        }
    }
    Ok(found)
}

/// The archive's entry whose [`normal`] name is `want`, as a reader.
fn entry<'a, 'b>(
    archive: &'a mut zip::ZipArchive<Cursor<&'b [u8]>>,
    want: &str,
) -> Result<Option<zip::read::ZipFile<'a, Cursor<&'b [u8]>>>, TableError> {
    let Some(i) = (0..archive.len()).find(|i| {
        archive
            .name_for_index(*i)
            .is_some_and(|n| normal(n) == want)
    }) else {
        return Ok(None);
    };
    archive
        .by_index(i)
        .map(Some)
        .map_err(|_| TableError::Xlsx(format!("không giải nén được phần “{want}”; {DAMAGED}")))
}

/// What a damaged workbook is told, in the officer's words (the zip and XML libraries' own
/// messages are English and technical).
pub const DAMAGED: &str = "tệp bị hỏng, chưa tải về hết, hoặc không phải tệp Excel .xlsx (một tệp .xls hay .csv đổi tên thành .xlsx)";

fn xml_error(_: impl std::fmt::Display) -> TableError {
    TableError::Xlsx(format!("nội dung bên trong tệp bị hỏng; {DAMAGED}"))
}

/// The value of the attribute whose local name is `name` (any prefix).
fn attribute(e: &quick_xml::events::BytesStart<'_>, name: &[u8]) -> Option<Vec<u8>> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .map(|a| a.value.into_owned())
}

/// The first value `pick` finds in an element (start or empty tag) of the XML entry `name`;
/// `None` when the entry or such an element is missing.
fn first_in<T>(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
    mut pick: impl FnMut(&quick_xml::events::BytesStart<'_>) -> Option<T>,
) -> Result<Option<T>, TableError> {
    use quick_xml::events::Event;
    let Some(file) = entry(archive, name)? else {
        return Ok(None);
    };
    let mut xml = quick_xml::Reader::from_reader(std::io::BufReader::new(file));
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).map_err(xml_error)? {
            Event::Start(e) | Event::Empty(e) => {
                if let Some(found) = pick(&e) {
                    return Ok(Some(found));
                }
            }
            Event::Eof => return Ok(None),
            _ => {}
        }
    }
}

/// The path of the workbook's first visible sheet (the one the officer sees on opening it; a
/// hidden one is often last year's list), as a [`normal`] entry name.
fn first_sheet_path(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
) -> Result<Option<String>, TableError> {
    let first_id = first_in(archive, "xl/workbook.xml", |e| {
        let visible = !matches!(
            attribute(e, b"state").as_deref(),
            Some(b"hidden" | b"veryHidden")
        );
        (e.local_name().as_ref() == b"sheet" && visible).then(|| attribute(e, b"id"))
    })?
    .flatten();
    let Some(first_id) = first_id else {
        return Ok(None);
    };
    first_in(archive, "xl/_rels/workbook.xml.rels", |e| {
        let ours = e.local_name().as_ref() == b"Relationship"
            && attribute(e, b"Id").as_deref() == Some(first_id.as_slice());
        ours.then(|| {
            let target =
                String::from_utf8_lossy(&attribute(e, b"Target").unwrap_or_default()).into_owned();
            let path = match target.strip_prefix('/') {
                Some(absolute) => absolute.to_owned(),
                None => format!("xl/{target}"),
            };
            normal(&path)
        })
    })
}

/// A cell reference such as `B12` as `(line, column)` from 1, `None` when it is not one or
/// lies beyond Excel's limits (checked before any arithmetic can overflow).
pub fn cell_ref(r: &[u8]) -> Option<(usize, usize)> {
    let letters = r.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let digits = &r[letters..];
    if !(1..=3).contains(&letters)
        || digits.is_empty()
        || digits.len() > 7
        || !digits.iter().all(u8::is_ascii_digit)
    {
        return None;
    }
    let col = r[..letters].iter().fold(0usize, |acc, b| {
        acc * 26 + usize::from(b.to_ascii_uppercase() - b'A' + 1)
    });
    let line = digits
        .iter()
        .fold(0usize, |acc, b| acc * 10 + usize::from(b - b'0'));
    let within = (1..=crate::stream::EXCEL_MAX_ROWS).contains(&line)
        && col <= crate::stream::EXCEL_MAX_COLUMNS;
    within.then_some((line, col))
}

/// The formula cells of the workbook's first visible sheet, `(line, column)` from 1: the first
/// `keep` of them and how many there are in all. Read here rather than with calamine's formula
/// reader, which grows a vector to a shared formula's index (`si`) and fills a map across its
/// range (`ref`), both as the file says, without a bound.
pub fn formula_cells(
    bytes: &[u8],
    keep: usize,
) -> Result<(Vec<(usize, usize)>, usize), TableError> {
    use quick_xml::events::Event;
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|_| TableError::Xlsx(DAMAGED.to_owned()))?;
    let Some(path) = first_sheet_path(&mut archive)? else {
        return Ok((Vec::new(), 0));
    };
    let Some(file) = entry(&mut archive, &path)? else {
        return Ok((Vec::new(), 0));
    };
    let mut xml = quick_xml::Reader::from_reader(std::io::BufReader::new(file));
    let mut buf = Vec::new();
    // The next row and column (from 1) when a reference is left out, as Excel allows.
    let (mut line, mut col) = (1usize, 1usize);
    let mut cell: Option<(usize, usize)> = None;
    let (mut found, mut count) = (Vec::new(), 0usize);
    let bad_ref = |r: &[u8]| {
        TableError::Xlsx(format!(
            "ô có địa chỉ “{}” không hợp lệ hoặc ngoài giới hạn của Excel (cột XFD, dòng 1.048.576)",
            String::from_utf8_lossy(&r[..r.len().min(20)])
        ))
    };
    loop {
        buf.clear();
        let (e, empty) = match xml.read_event_into(&mut buf).map_err(xml_error)? {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(e) => {
                match e.local_name().as_ref() {
                    b"row" => {
                        line = line.saturating_add(1);
                        col = 1;
                    }
                    b"c" => cell = None,
                    _ => {}
                }
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        match e.local_name().as_ref() {
            b"row" => {
                if let Some(r) = attribute(&e, b"r") {
                    line = std::str::from_utf8(&r)
                        .ok()
                        .and_then(|s| s.parse().ok())
                        .filter(|l| (1..=crate::stream::EXCEL_MAX_ROWS).contains(l))
                        .ok_or_else(|| bad_ref(&r))?;
                }
                col = 1;
                if empty {
                    line = line.saturating_add(1);
                }
            }
            b"c" => {
                let at = match attribute(&e, b"r") {
                    Some(r) => cell_ref(&r).ok_or_else(|| bad_ref(&r))?,
                    None => (line, col),
                };
                col = at.1.saturating_add(1);
                cell = (!empty).then_some(at);
            }
            b"f" => {
                if let Some(at) = cell {
                    count += 1;
                    if found.len() < keep {
                        found.push(at);
                    }
                }
            }
            _ => {}
        }
    }
    Ok((found, count))
}
