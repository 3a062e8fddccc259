//! Images: which uploads are accepted (checked by their bytes, not their name) and their size
//! in pixels, so pages can reserve the space before the image arrives.

/// A recognised image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageKind {
    pub content_type: &'static str,
    pub ext: &'static str,
    pub width: Option<i32>,
    pub height: Option<i32>,
}

/// Largest upload accepted.
pub const MAX_IMAGE_BYTES: usize = 2 * 1024 * 1024;

fn be16(b: &[u8], at: usize) -> Option<i32> {
    Some(i32::from(u16::from_be_bytes([
        *b.get(at)?,
        *b.get(at + 1)?,
    ])))
}

fn be32(b: &[u8], at: usize) -> Option<i32> {
    let v = u32::from_be_bytes([
        *b.get(at)?,
        *b.get(at + 1)?,
        *b.get(at + 2)?,
        *b.get(at + 3)?,
    ]);
    i32::try_from(v).ok()
}

fn le16(b: &[u8], at: usize) -> Option<i32> {
    Some(i32::from(u16::from_le_bytes([
        *b.get(at)?,
        *b.get(at + 1)?,
    ])))
}

fn le24(b: &[u8], at: usize) -> Option<i32> {
    Some(
        i32::from(*b.get(at)?) | i32::from(*b.get(at + 1)?) << 8 | i32::from(*b.get(at + 2)?) << 16,
    )
}

fn jpeg_size(b: &[u8]) -> Option<(i32, i32)> {
    let mut i = 2;
    while i + 9 < b.len() {
        if b[i] != 0xFF {
            return None;
        }
        let marker = b[i + 1];
        let len = usize::try_from(be16(b, i + 2)?).ok()?;
        // SOF0..SOF15 except DHT (C4), JPG (C8), DAC (CC).
        if (0xC0..=0xCF).contains(&marker) && ![0xC4, 0xC8, 0xCC].contains(&marker) {
            return Some((be16(b, i + 7)?, be16(b, i + 5)?));
        }
        i += 2 + len;
    }
    None
}

fn webp_size(b: &[u8]) -> Option<(i32, i32)> {
    match b.get(12..16)? {
        b"VP8 " => Some((le16(b, 26)? & 0x3FFF, le16(b, 28)? & 0x3FFF)),
        b"VP8L" => {
            let bits = u32::from_le_bytes([*b.get(21)?, *b.get(22)?, *b.get(23)?, *b.get(24)?]);
            let w = (bits & 0x3FFF) + 1;
            let h = ((bits >> 14) & 0x3FFF) + 1;
            Some((i32::try_from(w).ok()?, i32::try_from(h).ok()?))
        }
        b"VP8X" => Some((le24(b, 24)? + 1, le24(b, 27)? + 1)),
        _ => None,
    }
}

/// Accepts PNG, JPEG and WebP up to [`MAX_IMAGE_BYTES`]; anything else gets a message in
/// Vietnamese. (SVG is not accepted from uploads: it can carry scripts.)
pub fn sniff(b: &[u8]) -> Result<ImageKind, &'static str> {
    if b.is_empty() {
        return Err("Hãy chọn một tệp ảnh.");
    }
    if b.len() > MAX_IMAGE_BYTES {
        return Err("Ảnh lớn quá 2 MB. Hãy thu nhỏ ảnh rồi tải lại.");
    }
    let kind = |content_type, ext, size: Option<(i32, i32)>| ImageKind {
        content_type,
        ext,
        width: size.map(|s| s.0),
        height: size.map(|s| s.1),
    };
    if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        let size = be32(b, 16).zip(be32(b, 20));
        return Ok(kind("image/png", "png", size));
    }
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(kind("image/jpeg", "jpg", jpeg_size(b)));
    }
    if b.len() > 16 && &b[0..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        return Ok(kind("image/webp", "webp", webp_size(b)));
    }
    Err("Chỉ nhận ảnh PNG, JPEG hoặc WebP.")
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let rest = &tag[start..];
    Some(rest[..rest.find('"')?].to_owned())
}

/// `width` and `height` of a shipped SVG's root element (whole pixels).
pub fn svg_size(svg: &str) -> Option<(i32, i32)> {
    let start = svg.find("<svg")?;
    let tag = &svg[start..start + svg[start..].find('>')?];
    let px = |v: String| {
        v.trim_end_matches("px")
            .parse::<f32>()
            .ok()
            .map(|f| f as i32)
    };
    Some((px(attr(tag, "width")?)?, px(attr(tag, "height")?)?))
}

/// The `<title>` of a shipped SVG (its description).
pub fn svg_title(svg: &str) -> Option<String> {
    let start = svg.find("<title>")? + 7;
    let end = svg[start..].find("</title>")?;
    Some(svg[start..start + end].trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_images_by_their_bytes() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&640u32.to_be_bytes());
        png.extend_from_slice(&480u32.to_be_bytes());
        let k = sniff(&png).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((k.ext, k.width, k.height), ("png", Some(640), Some(480)));
        let jpeg = [
            0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 0, 0, 0xFF, 0xC0, 0, 17, 8, 0, 120, 0, 160, 3, 0, 0,
        ];
        let k = sniff(&jpeg).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((k.ext, k.width, k.height), ("jpg", Some(160), Some(120)));
        assert!(sniff(b"<svg onload=alert(1)>").is_err());
        assert!(sniff(b"GIF89a").is_err());
        assert!(sniff(&[]).is_err());
        assert!(sniff(&vec![0xFF; MAX_IMAGE_BYTES + 1]).is_err());
    }

    #[test]
    fn svg_facts() {
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="320" height="200" viewBox="0 0 320 200"><title>Ba bước</title></svg>"#;
        assert_eq!(svg_size(svg), Some((320, 200)));
        assert_eq!(svg_title(svg).as_deref(), Some("Ba bước"));
    }
}
