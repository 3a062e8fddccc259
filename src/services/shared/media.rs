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

/// The longest side an uploaded image keeps: wider than any phone screen shows at twice its
/// CSS width, small enough for a weak 3G link.
pub const MAX_SIDE: u32 = 1280;

/// Shrinks a PNG or JPEG whose longest side is over [`MAX_SIDE`] to that size (the same format;
/// JPEG at quality 80), and leaves smaller ones as they are. A WebP over the size is refused (no
/// WebP encoder here): the message says to send it as JPEG or PNG. CPU-bound: call it on a
/// blocking thread.
pub fn fit_for_phones(bytes: &[u8], kind: ImageKind) -> Result<(Vec<u8>, ImageKind), &'static str> {
    fit(bytes, kind, false)
}

/// As [`fit_for_phones`], but a PNG or JPEG is always decoded and encoded again, whatever its
/// size: nothing the camera wrote beside the picture (the place it was taken, the phone's
/// make) is kept. For pictures shown to the public (news). A WebP is kept as it came (no WebP
/// encoder here) when it is small enough.
pub fn redraw(bytes: &[u8], kind: ImageKind) -> Result<(Vec<u8>, ImageKind), &'static str> {
    fit(bytes, kind, true)
}

fn fit(bytes: &[u8], kind: ImageKind, always: bool) -> Result<(Vec<u8>, ImageKind), &'static str> {
    use image::{ImageFormat, ImageReader, Limits};
    let longest = kind
        .width
        .max(kind.height)
        .and_then(|s| u32::try_from(s).ok());
    let small = longest.is_some_and(|s| s <= MAX_SIDE);
    if small && (!always || kind.ext == "webp") {
        return Ok((bytes.to_vec(), kind));
    }
    let format = match kind.ext {
        "png" => ImageFormat::Png,
        "jpg" => ImageFormat::Jpeg,
        _ => {
            return Err(
                "Ảnh WebP này lớn quá 1280 điểm ảnh. Hãy lưu ảnh dạng JPEG hoặc PNG rồi tải lại, hệ thống sẽ tự thu nhỏ.",
            )
        }
    };
    const UNREADABLE: &str =
        "Không đọc được ảnh này. Hãy mở ảnh trên máy, lưu lại dạng JPEG hoặc PNG rồi tải lên.";
    let mut reader = ImageReader::with_format(std::io::Cursor::new(bytes), format);
    let mut limits = Limits::default();
    // A small file can claim a huge picture: refuse more than 10,000 px a side or 256 MB.
    limits.max_image_width = Some(10_000);
    limits.max_image_height = Some(10_000);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let img = reader.decode().map_err(|_| UNREADABLE)?;
    let small = if small {
        img
    } else {
        img.resize(MAX_SIDE, MAX_SIDE, image::imageops::FilterType::Triangle)
    };
    let mut out = Vec::new();
    match format {
        ImageFormat::Jpeg => {
            let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80);
            small
                .to_rgb8()
                .write_with_encoder(encoder)
                .map_err(|_| UNREADABLE)?
        }
        _ => small
            .write_to(&mut std::io::Cursor::new(&mut out), ImageFormat::Png)
            .map_err(|_| UNREADABLE)?,
    }
    let fitted = ImageKind {
        width: i32::try_from(small.width()).ok(),
        height: i32::try_from(small.height()).ok(),
        ..kind
    };
    Ok((out, fitted))
}

/// Largest video or audio file accepted (about 10 minutes of phone-quality video).
pub const MAX_AV_BYTES: usize = 50 * 1024 * 1024;

/// A recognised video or audio file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AvKind {
    pub content_type: &'static str,
    pub ext: &'static str,
    pub is_video: bool,
}

/// Accepts MP4/M4A, WebM, MP3 and Ogg up to [`MAX_AV_BYTES`], by their bytes; anything else
/// gets a message in Vietnamese.
pub fn sniff_av(b: &[u8]) -> Result<AvKind, &'static str> {
    if b.is_empty() {
        return Err("Hãy chọn một tệp video hoặc âm thanh.");
    }
    if b.len() > MAX_AV_BYTES {
        return Err("Tệp lớn quá 50 MB. Hãy cắt ngắn hoặc nén video (khoảng 480p là đủ xem trên điện thoại).");
    }
    let kind = |content_type, ext, is_video| AvKind {
        content_type,
        ext,
        is_video,
    };
    if b.len() > 12 && &b[4..8] == b"ftyp" {
        return Ok(if &b[8..11] == b"M4A" {
            kind("audio/mp4", "m4a", false)
        } else {
            kind("video/mp4", "mp4", true)
        });
    }
    if b.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        return Ok(kind("video/webm", "webm", true));
    }
    if b.starts_with(b"ID3") || (b.len() > 2 && b[0] == 0xFF && b[1] & 0xE0 == 0xE0) {
        return Ok(kind("audio/mpeg", "mp3", false));
    }
    if b.starts_with(b"OggS") {
        return Ok(kind("audio/ogg", "ogg", false));
    }
    Err("Chỉ nhận video MP4 hoặc WebM, âm thanh MP3, M4A hoặc OGG.")
}

/// Checks captions in WebVTT (the text file browsers show under a video).
pub fn check_vtt(text: &str) -> Result<(), &'static str> {
    let t = text.trim_start_matches('\u{feff}');
    if !t.starts_with("WEBVTT") {
        return Err("Phụ đề phải là tệp WebVTT (.vtt), dòng đầu là WEBVTT.");
    }
    if !t.contains("-->") {
        return Err("Tệp phụ đề chưa có dòng thời gian nào (ví dụ 00:00.000 --> 00:04.000).");
    }
    if t.len() > 512 * 1024 {
        return Err("Tệp phụ đề lớn quá 512 KB.");
    }
    Ok(())
}

/// The most one answer to a range request carries; players ask again for the rest.
pub const MAX_PART: u64 = 4 * 1024 * 1024;

/// What a `Range` header asks of a file of `size` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeAsk {
    /// No (usable) range: the whole file.
    Whole,
    /// Bytes `start..=end` (at most [`MAX_PART`] of them).
    Part { start: u64, end: u64 },
    /// Nothing of the file is in the range (416).
    Outside,
}

/// The bytes `start..start + len` of a stored file as a stream read from the database one part
/// ([`hocvuso_db::repo::handbook::MEDIA_PART`] bytes) at a time, so that no answer holds a
/// whole file; `permit` (a place in [`crate::services::shared::limits::Limits::media_streams`]) is held until
/// the last part is sent or the client goes away.
pub fn stream(
    db: hocvuso_db::DatabaseConnection,
    media_id: i64,
    start: u64,
    len: u64,
    permit: tokio::sync::OwnedSemaphorePermit,
) -> impl futures_util::Stream<Item = Result<bytes::Bytes, std::io::Error>> + Send + 'static {
    let part = hocvuso_db::repo::handbook::MEDIA_PART as u64;
    let first = (start / part, start % part, len);
    // Fused: the compression layer polls once more after the end, which `unfold` forbids.
    let parts = futures_util::stream::unfold(Some((db, first, permit)), move |at| async move {
        let (db, (seq, skip, left), permit) = at?;
        if left == 0 {
            return None;
        }
        let seq32 = i32::try_from(seq).ok()?;
        let bytes = match hocvuso_db::repo::handbook::media_part(&db, media_id, seq32).await {
            Ok(b) => bytes::Bytes::from(b),
            Err(e) => return Some((Err(std::io::Error::other(e.to_string())), None)),
        };
        let from = usize::try_from(skip).unwrap_or(usize::MAX).min(bytes.len());
        let take = (bytes.len() - from).min(usize::try_from(left).unwrap_or(usize::MAX));
        if take == 0 {
            let lost = std::io::Error::other(format!("part {seq} of file {media_id} is missing"));
            return Some((Err(lost), None));
        }
        let next = (seq + 1, 0, left - take as u64);
        Some((Ok(bytes.slice(from..from + take)), Some((db, next, permit))))
    });
    futures_util::StreamExt::fuse(parts)
}

/// Reads `bytes=a-b`, `bytes=a-` and `bytes=-n` (the first range of a list); anything else is
/// ignored, as HTTP allows.
pub fn range_ask(header: Option<&str>, size: u64) -> RangeAsk {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return RangeAsk::Whole;
    };
    let first = spec.split(',').next().unwrap_or("").trim();
    let Some((a, b)) = first.split_once('-') else {
        return RangeAsk::Whole;
    };
    let (a, b) = (a.trim(), b.trim());
    let (start, end) = match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(s), Ok(e)) if s <= e => (s, e.min(size.saturating_sub(1))),
        (Ok(s), Err(_)) if b.is_empty() => (s, size.saturating_sub(1)),
        (Err(_), Ok(n)) if a.is_empty() && n > 0 => {
            (size.saturating_sub(n), size.saturating_sub(1))
        }
        _ => return RangeAsk::Whole,
    };
    if size == 0 || start >= size {
        return RangeAsk::Outside;
    }
    RangeAsk::Part {
        start,
        end: end.min(start + MAX_PART - 1),
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

    /// A picture of `w` × `h` in `format`, with some detail so JPEG has work to do.
    fn picture(w: u32, h: u32, format: image::ImageFormat) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([
                (x / 11 % 256) as u8,
                (y / 11 % 256) as u8,
                ((x + y) / 23 % 256) as u8,
            ])
        });
        let mut out = Vec::new();
        image::DynamicImage::ImageRgb8(img)
            .write_to(&mut std::io::Cursor::new(&mut out), format)
            .unwrap_or_else(|e| panic!("{e}"));
        out
    }

    #[test]
    fn large_pictures_are_shrunk_for_phones_and_small_ones_kept() {
        use image::ImageFormat;
        let wide = picture(2600, 900, ImageFormat::Png);
        let kind = sniff(&wide).unwrap_or_else(|e| panic!("{e}"));
        let (out, fitted) = fit_for_phones(&wide, kind).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((fitted.width, fitted.height), (Some(1280), Some(443)));
        assert_eq!(fitted.content_type, "image/png");
        let back = sniff(&out).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (back.width, back.height),
            (Some(1280), Some(443)),
            "the stored file says so too"
        );

        let tall = picture(1500, 2400, ImageFormat::Jpeg);
        let kind = sniff(&tall).unwrap_or_else(|e| panic!("{e}"));
        let (out, fitted) = fit_for_phones(&tall, kind).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((fitted.width, fitted.height), (Some(800), Some(1280)));
        assert_eq!(sniff(&out).map(|k| k.content_type), Ok("image/jpeg"));
        assert!(out.len() < tall.len(), "{} → {}", tall.len(), out.len());

        let small = picture(640, 480, ImageFormat::Png);
        let kind = sniff(&small).unwrap_or_else(|e| panic!("{e}"));
        let (out, same) = fit_for_phones(&small, kind).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(out, small, "small pictures are stored as sent");
        assert_eq!(same, kind);
    }

    #[test]
    fn pictures_that_cannot_be_shrunk_are_refused_with_a_reason() {
        // A big WebP (no encoder here) and a PNG whose header claims a huge picture.
        let webp = ImageKind {
            content_type: "image/webp",
            ext: "webp",
            width: Some(3000),
            height: Some(2000),
        };
        assert!(fit_for_phones(b"RIFF", webp).is_err_and(|m| m.contains("JPEG hoặc PNG")));
        let mut bomb = picture(2000, 10, image::ImageFormat::Png);
        bomb[16..20].copy_from_slice(&60_000u32.to_be_bytes());
        let kind = sniff(&bomb).unwrap_or_else(|e| panic!("{e}"));
        assert!(fit_for_phones(&bomb, kind).is_err_and(|m| m.contains("Không đọc được")));
    }

    #[test]
    fn range_requests_are_read_as_http_says() {
        use super::{range_ask, RangeAsk::*, MAX_PART};
        assert_eq!(range_ask(None, 100), Whole);
        assert_eq!(range_ask(Some("bytes=0-9"), 100), Part { start: 0, end: 9 });
        assert_eq!(
            range_ask(Some("bytes=90-"), 100),
            Part { start: 90, end: 99 }
        );
        assert_eq!(
            range_ask(Some("bytes=-10"), 100),
            Part { start: 90, end: 99 }
        );
        assert_eq!(
            range_ask(Some("bytes=95-200"), 100),
            Part { start: 95, end: 99 }
        );
        assert_eq!(range_ask(Some("bytes=100-"), 100), Outside);
        assert_eq!(range_ask(Some("bytes=5-1"), 100), Whole);
        assert_eq!(range_ask(Some("items=0-1"), 100), Whole);
        assert_eq!(
            range_ask(Some("bytes=0-1, 5-6"), 100),
            Part { start: 0, end: 1 }
        );
        let big = 50 * 1024 * 1024;
        assert_eq!(
            range_ask(Some("bytes=0-"), big),
            Part {
                start: 0,
                end: MAX_PART - 1
            }
        );
    }

    #[test]
    fn video_audio_and_captions_are_recognised_by_their_bytes() {
        let mp4 = [&[0, 0, 0, 0x20][..], b"ftypisom", &[0; 8]].concat();
        assert_eq!(
            sniff_av(&mp4).map(|k| (k.ext, k.is_video)),
            Ok(("mp4", true))
        );
        let m4a = [&[0, 0, 0, 0x20][..], b"ftypM4A ", &[0; 8]].concat();
        assert_eq!(sniff_av(&m4a).map(|k| k.content_type), Ok("audio/mp4"));
        assert_eq!(sniff_av(b"ID3\x04\0\0").map(|k| k.ext), Ok("mp3"));
        assert_eq!(
            sniff_av(&[0x1A, 0x45, 0xDF, 0xA3, 1]).map(|k| k.ext),
            Ok("webm")
        );
        assert!(sniff_av(b"%PDF-1.7").is_err());
        assert!(check_vtt("WEBVTT\n\n00:00.000 --> 00:02.000\nXin chào").is_ok());
        assert!(check_vtt("1\n00:00:00,000 --> 00:00:02,000\nSRT").is_err());
    }
}
