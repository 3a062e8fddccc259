//! The two embedded DejaVu Sans faces: char → glyph mapping (no shaping), advances, metrics.

use std::collections::BTreeMap;

use ttf_parser::{Face, GlyphId};
use unicode_normalization::UnicodeNormalization;

use crate::PdfError;

static REGULAR_TTF: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
static BOLD_TTF: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// Which of the embedded faces a piece of text uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum FontId {
    Regular,
    Bold,
}

impl FontId {
    #[cfg(test)]
    pub(crate) const ALL: [FontId; 2] = [FontId::Regular, FontId::Bold];

    pub(crate) fn of(bold: bool) -> Self {
        if bold {
            FontId::Bold
        } else {
            FontId::Regular
        }
    }

    /// Resource name in page dictionaries.
    pub(crate) fn resource_name(self) -> &'static [u8] {
        match self {
            FontId::Regular => b"F1",
            FontId::Bold => b"F2",
        }
    }
}

/// One glyph to draw and the text it stands for (for the ToUnicode CMap).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Glyph {
    pub id: u16,
    /// Advance in em (font units / units per em).
    pub advance: f32,
    pub ch: char,
}

pub(crate) struct FontFace {
    pub data: &'static [u8],
    pub face: Face<'static>,
    pub postscript_name: &'static str,
    pub bold: bool,
    upem: f32,
    question: Glyph,
}

impl FontFace {
    fn load(
        data: &'static [u8],
        postscript_name: &'static str,
        bold: bool,
    ) -> Result<Self, PdfError> {
        let face =
            Face::parse(data, 0).map_err(|e| PdfError::Font(format!("{postscript_name}: {e}")))?;
        let upem = f32::from(face.units_per_em());
        let qid = face
            .glyph_index('?')
            .ok_or_else(|| PdfError::Font(format!("{postscript_name}: no glyph for '?'")))?;
        let question = Glyph {
            id: qid.0,
            advance: f32::from(face.glyph_hor_advance(qid).unwrap_or(0)) / upem,
            ch: '?',
        };
        Ok(Self {
            data,
            face,
            postscript_name,
            bold,
            upem,
            question,
        })
    }

    /// Font units → 1/1000 em (PDF glyph space).
    pub(crate) fn to_pdf_units(&self, v: f32) -> f32 {
        v * 1000.0 / self.upem
    }

    /// Advance of a glyph id in PDF glyph-space units (1/1000 em).
    pub(crate) fn pdf_advance(&self, id: u16) -> f32 {
        self.to_pdf_units(f32::from(
            self.face.glyph_hor_advance(GlyphId(id)).unwrap_or(0),
        ))
    }

    fn direct(&self, c: char) -> Option<Glyph> {
        let id = self.face.glyph_index(c).filter(|g| g.0 != 0)?;
        Some(Glyph {
            id: id.0,
            advance: f32::from(self.face.glyph_hor_advance(id).unwrap_or(0)) / self.upem,
            ch: c,
        })
    }

    /// Maps one (NFC) character to glyphs: the precomposed glyph if the font has it, else its
    /// canonical decomposition if every part has a glyph, else '?'. Characters that draw nothing
    /// (controls, zero-width format characters, soft hyphen) give no glyph.
    pub(crate) fn push_char(&self, c: char, out: &mut Vec<Glyph>) {
        if is_invisible(c) {
            return;
        }
        let c = if c.is_whitespace() { ' ' } else { c };
        if let Some(g) = self.direct(c) {
            out.push(g);
            return;
        }
        let mut decomposed = Vec::new();
        let mut parts = 0;
        for part in std::iter::once(c).nfd() {
            parts += 1;
            match self.direct(part) {
                Some(g) => decomposed.push(g),
                None => {
                    decomposed.clear();
                    break;
                }
            }
        }
        if parts > 1 && !decomposed.is_empty() {
            out.extend(decomposed);
        } else {
            out.push(self.question);
        }
    }

    #[cfg(test)]
    pub(crate) fn glyphs(&self, text: &str) -> Vec<Glyph> {
        let mut out = Vec::with_capacity(text.len());
        for c in text.chars() {
            self.push_char(c, &mut out);
        }
        out
    }

    /// Width of `text` in em.
    pub(crate) fn width_em(&self, text: &str) -> f32 {
        let mut buf = Vec::with_capacity(4);
        let mut total = 0.0;
        for c in text.chars() {
            buf.clear();
            self.push_char(c, &mut buf);
            total += buf.iter().map(|g| g.advance).sum::<f32>();
        }
        total
    }

    pub(crate) fn ascent_em(&self) -> f32 {
        f32::from(self.face.ascender()) / self.upem
    }

    pub(crate) fn descent_em(&self) -> f32 {
        f32::from(self.face.descender()) / self.upem
    }
}

/// Characters that are dropped instead of drawn.
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}'
    ) || (c.is_control() && !c.is_whitespace())
}

pub(crate) struct Fonts {
    pub regular: FontFace,
    pub bold: FontFace,
}

impl Fonts {
    pub(crate) fn load() -> Result<Self, PdfError> {
        Ok(Self {
            regular: FontFace::load(REGULAR_TTF, "DejaVuSans", false)?,
            bold: FontFace::load(BOLD_TTF, "DejaVuSans-Bold", true)?,
        })
    }

    pub(crate) fn get(&self, id: FontId) -> &FontFace {
        match id {
            FontId::Regular => &self.regular,
            FontId::Bold => &self.bold,
        }
    }

    /// Width of `text` in points at `size`.
    pub(crate) fn width(&self, id: FontId, text: &str, size: f32) -> f32 {
        self.get(id).width_em(text) * size
    }
}

/// Glyphs a document uses in one font, with the text each stands for.
#[derive(Debug, Default)]
pub(crate) struct UsedGlyphs {
    pub glyphs: BTreeMap<u16, char>,
}

impl UsedGlyphs {
    pub(crate) fn add(&mut self, g: &Glyph) {
        self.glyphs.entry(g.id).or_insert(g.ch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VIETNAMESE: &str = "Kỹ năng số cơ bản cho người dân — Sổ tay điện tử: Đăng ký tài khoản định danh điện tử mức 2, thanh toán bằng mã QR, phòng chống lừa đảo. ỳ ỷ ỹ ỵ Ỳ Ỷ Ỹ Ỵ ữ ự ừ ứ ử ơ ờ ớ ở ỡ ợ";

    #[test]
    fn every_vietnamese_char_has_a_real_glyph_in_both_faces() -> Result<(), PdfError> {
        let fonts = Fonts::load()?;
        for id in FontId::ALL {
            let face = fonts.get(id);
            for c in VIETNAMESE.chars() {
                let glyphs = face.glyphs(&c.to_string());
                assert_eq!(glyphs.len(), 1, "{c:?} in {}", face.postscript_name);
                let g = glyphs[0];
                assert_ne!(g.id, 0, "{c:?} maps to .notdef");
                assert_eq!(g.ch, c, "{c:?} fell back in {}", face.postscript_name);
                assert!(g.advance > 0.0, "{c:?} has no advance");
            }
        }
        Ok(())
    }

    #[test]
    fn all_vietnamese_letters_are_precomposed() -> Result<(), PdfError> {
        let fonts = Fonts::load()?;
        let vowels = "aăâeêioôơuưy";
        let tones = ['\u{0300}', '\u{0301}', '\u{0303}', '\u{0309}', '\u{0323}'];
        let mut letters: Vec<char> = "đĐ".chars().collect();
        for v in vowels.chars().chain(vowels.to_uppercase().chars()) {
            letters.push(v);
            for t in tones {
                let composed: String = [v, t].iter().collect::<String>().nfc().collect();
                let cs: Vec<char> = composed.chars().collect();
                assert_eq!(cs.len(), 1, "{v}+{t:?} does not compose");
                letters.extend(cs);
            }
        }
        assert_eq!(letters.len(), 2 + 24 * 6);
        for id in FontId::ALL {
            for &c in &letters {
                assert!(fonts.get(id).direct(c).is_some(), "{c} missing");
            }
        }
        Ok(())
    }

    #[test]
    fn missing_chars_fall_back() -> Result<(), PdfError> {
        let fonts = Fonts::load()?;
        // DejaVu Sans has no CJK: '?' instead.
        let g = fonts.regular.glyphs("中");
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].ch, '?');
        assert_ne!(g[0].id, 0);
        // Invisible characters draw nothing; other whitespace becomes a space.
        assert!(fonts.regular.glyphs("\u{00AD}\u{200B}\u{0007}").is_empty());
        assert_eq!(fonts.regular.glyphs("\u{00A0}")[0].ch, ' ');
        Ok(())
    }

    #[test]
    fn decomposes_when_only_the_parts_exist() -> Result<(), PdfError> {
        let fonts = Fonts::load()?;
        let face = &fonts.regular;
        // Find a precomposed character the font lacks but whose parts it has.
        let candidate = ('\u{00C0}'..='\u{FFFF}').find(|&c| {
            face.direct(c).is_none()
                && std::iter::once(c).nfd().count() > 1
                && std::iter::once(c).nfd().all(|p| face.direct(p).is_some())
        });
        // DejaVu Sans has every precomposed Latin letter; U+06C0 (ۀ) is one such character.
        let Some(c) = candidate else {
            panic!("no character to test the decomposition fallback with");
        };
        let glyphs = face.glyphs(&c.to_string());
        let expected: Vec<char> = std::iter::once(c).nfd().collect();
        assert_eq!(glyphs.iter().map(|g| g.ch).collect::<Vec<_>>(), expected);
        assert!(glyphs.iter().all(|g| g.id != 0));
        Ok(())
    }
}
