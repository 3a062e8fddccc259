//! Evidence files (of an honour proposal, of a plan task's progress): a PDF or a photo (PNG,
//! JPEG, WebP), checked to be what its name says before a byte is stored. The type stored (and
//! later sent) is the one the bytes prove, never the one the browser claimed.

/// The largest evidence file.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// The most files one proposal may carry.
pub const MAX_FILES: u64 = 5;

/// A file that passed the checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The name shown (the file's own name, without any folder, at most 120 characters).
    pub file_name: String,
    pub content_type: &'static str,
    /// The extension a download gets.
    pub ext: &'static str,
}

/// Checks an uploaded evidence file; the error is a sentence in Vietnamese for the form.
pub fn check(file_name: &str, bytes: &[u8]) -> Result<Checked, String> {
    let base = file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(120)
        .collect::<String>();
    if bytes.is_empty() {
        return Err("Hãy chọn một tệp minh chứng (PDF hoặc ảnh).".to_owned());
    }
    let shown = if base.is_empty() {
        "tệp đã chọn".to_owned()
    } else {
        format!("«{base}»")
    };
    if bytes.len() > MAX_BYTES {
        return Err(format!(
            "Tệp {shown} lớn quá {} MB. Hãy thu nhỏ tệp rồi tải lại.",
            MAX_BYTES / 1024 / 1024
        ));
    }
    let ext = base
        .rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .unwrap_or_default();
    let (content_type, ext) = match ext.as_str() {
        "pdf" => {
            if !is_pdf(bytes) {
                return Err(format!(
                    "Tệp {shown} có đuôi .pdf nhưng không phải là tệp PDF. Hãy xuất lại tệp PDF rồi tải lên."
                ));
            }
            ("application/pdf", "pdf")
        }
        "png" | "jpg" | "jpeg" | "webp" => {
            let want = if ext == "jpeg" { "jpg" } else { ext.as_str() };
            // The header is at the start: sniffing a bounded prefix keeps the 2 MB limit of
            // pictures in lessons out of this check.
            let head = &bytes[..bytes
                .len()
                .min(crate::services::shared::media::MAX_IMAGE_BYTES)];
            match crate::services::shared::media::sniff(head) {
                Ok(kind) if kind.ext == want => (kind.content_type, kind.ext),
                _ => {
                    return Err(format!(
                        "Tệp {shown} có đuôi .{ext} nhưng không phải là ảnh {}. Hãy chụp hoặc lưu lại ảnh rồi tải lên.",
                        ext.to_uppercase()
                    ))
                }
            }
        }
        _ => {
            return Err(format!(
                "Tệp {shown} không nhận được: chỉ nhận tệp PDF hoặc ảnh PNG, JPEG, WebP."
            ))
        }
    };
    Ok(Checked {
        file_name: if base.is_empty() {
            format!("minh-chung.{ext}")
        } else {
            base
        },
        content_type,
        ext,
    })
}

/// A PDF starts with `%PDF-` and has an end-of-file marker near its end.
fn is_pdf(b: &[u8]) -> bool {
    let tail = &b[b.len().saturating_sub(2048)..];
    b.starts_with(b"%PDF-") && tail.windows(5).any(|w| w == b"%%EOF")
}

/// The type of a stored file as a fixed header value.
pub fn content_type(stored: &str) -> &'static str {
    match stored {
        "application/pdf" => "application/pdf",
        "image/png" => "image/png",
        "image/jpeg" => "image/jpeg",
        "image/webp" => "image/webp",
        _ => "application/octet-stream",
    }
}

/// The extension a download of a stored file gets.
pub fn ext(stored: &str) -> &'static str {
    match stored {
        "application/pdf" => "pdf",
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/webp" => "webp",
        _ => "bin",
    }
}

/// A file's size the Vietnamese way: "350 KB", "1,2 MB".
pub fn size_text(bytes: i64) -> String {
    if bytes < 1024 * 1024 {
        format!("{} KB", (bytes + 1023) / 1024)
    } else {
        let tenths = (bytes * 10 + 512 * 1024) / (1024 * 1024);
        format!("{},{} MB", tenths / 10, tenths % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x10\0\0\0\x10\x08\x02\0\0\0";

    #[test]
    fn a_file_must_be_what_its_name_says() {
        let ok = check("C:\\Ho so\\Bien ban.pdf", PDF).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ok.file_name, "Bien ban.pdf");
        assert_eq!(ok.content_type, "application/pdf");
        assert_eq!(
            check("anh.PNG", PNG).map(|c| c.content_type),
            Ok("image/png")
        );
        for (name, bytes, says) in [
            ("gia.pdf", PNG, "không phải là tệp PDF"),
            (
                "gia.pdf",
                b"%PDF-1.4 but cut short".as_slice(),
                "không phải là tệp PDF",
            ),
            ("gia.jpg", PNG, "không phải là ảnh JPG"),
            (
                "trang.html",
                b"<html><script>".as_slice(),
                "chỉ nhận tệp PDF",
            ),
            ("khong-duoi", PDF, "chỉ nhận tệp PDF"),
            ("rong.pdf", b"".as_slice(), "Hãy chọn một tệp"),
        ] {
            let e = check(name, bytes).err().unwrap_or_default();
            assert!(e.contains(says), "{name}: {e}");
        }
        assert_eq!(size_text(2_000), "2 KB");
        assert_eq!(size_text(1_258_291), "1,2 MB");
        let big = [PDF, &vec![b' '; MAX_BYTES]].concat();
        assert!(check("lon.pdf", &big)
            .err()
            .unwrap_or_default()
            .contains("lớn quá 5 MB"));
    }
}
