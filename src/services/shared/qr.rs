//! QR codes as SVG (drawn as one path, so they print sharp at any size).

use qrcode::{Color, EcLevel, QrCode};

/// An SVG QR code for `data` with a quiet zone of four modules, or `None` if the data is too
/// long for a QR code.
pub fn svg(data: &str, title: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M).ok()?;
    let width = code.width();
    let colors = code.to_colors();
    let size = width + 8;
    let mut path = String::with_capacity(width * width * 6);
    for (i, c) in colors.iter().enumerate() {
        if *c == Color::Dark {
            let (x, y) = (i % width + 4, i / width + 4);
            path.push_str(&format!("M{x} {y}h1v1h-1z"));
        }
    }
    let title = title
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" width=\"{px}\" \
         height=\"{px}\" shape-rendering=\"crispEdges\" role=\"img\"><title>{title}</title>\
         <rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/><path fill=\"#000\" d=\"{path}\"/></svg>",
        px = size * 6
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn draws_a_code() {
        let s = super::svg("https://example.vn/so-tay/cai-dat-vneid", "Mã QR").unwrap_or_default();
        assert!(s.starts_with("<svg"));
        assert!(s.contains("<path"));
        assert!(s.contains("<title>Mã QR</title>"));
    }
}
