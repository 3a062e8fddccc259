//! Laid-out pages → PDF objects: subset Type0/CIDFontType2 fonts with ToUnicode CMaps,
//! Flate-compressed content streams, outline, TOC links, document information.

use std::collections::BTreeMap;

use miniz_oxide::deflate::compress_to_vec_zlib;
use pdf_writer::types::{
    ActionType, AnnotationType, CidFontType, FontFlags, PageMode, SystemInfo, UnicodeCmap,
};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use subsetter::GlyphRemapper;

use crate::font::{FontFace, FontId, Fonts, Glyph, UsedGlyphs};
use crate::layout::{Layout, Op};
use crate::{Document, PdfError};

const COMPRESSION_LEVEL: u8 = 6;

fn deflate(data: &[u8]) -> Vec<u8> {
    compress_to_vec_zlib(data, COMPRESSION_LEVEL)
}

/// A text op turned into glyphs of the original font.
struct GlyphRun<'a> {
    op: &'a Op,
    glyphs: Vec<u16>,
}

pub(crate) fn write(doc: &Document, fonts: &Fonts, layout: &Layout) -> Result<Vec<u8>, PdfError> {
    // 1. Map all text to glyphs, noting which glyphs each font needs.
    let mut used: BTreeMap<FontId, UsedGlyphs> = BTreeMap::new();
    let mut pages_runs: Vec<Vec<GlyphRun<'_>>> = Vec::with_capacity(layout.pages.len());
    let mut scratch: Vec<Glyph> = Vec::new();
    for page in &layout.pages {
        let mut runs = Vec::with_capacity(page.ops.len());
        for op in &page.ops {
            let glyphs = match op {
                Op::Text { font, text, .. } => {
                    let face = fonts.get(*font);
                    scratch.clear();
                    for c in text.chars() {
                        face.push_char(c, &mut scratch);
                    }
                    let set = used.entry(*font).or_default();
                    scratch.iter().for_each(|g| set.add(g));
                    scratch.iter().map(|g| g.id).collect()
                }
                _ => Vec::new(),
            };
            runs.push(GlyphRun { op, glyphs });
        }
        pages_runs.push(runs);
    }

    let mut alloc = Ref::new(1);
    let catalog_id = alloc.bump();
    let page_tree_id = alloc.bump();
    let info_id = alloc.bump();
    let mut pdf = Pdf::new();

    // 2. Fonts: one subset per face used.
    let mut remappers: BTreeMap<FontId, GlyphRemapper> = BTreeMap::new();
    let mut font_refs: Vec<(FontId, Ref)> = Vec::new();
    for (id, glyphs) in &used {
        let face = fonts.get(*id);
        let mut remapper = GlyphRemapper::new();
        for gid in glyphs.glyphs.keys() {
            remapper.remap(*gid);
        }
        let type0 = write_font(&mut pdf, &mut alloc, face, glyphs, &remapper)?;
        remappers.insert(*id, remapper);
        font_refs.push((*id, type0));
    }

    // 3. Pages.
    let page_ids: Vec<Ref> = layout.pages.iter().map(|_| alloc.bump()).collect();
    let media_box = Rect::new(0.0, 0.0, layout.width, layout.height);
    for (index, (page, runs)) in layout.pages.iter().zip(&pages_runs).enumerate() {
        let content = page_content(runs, &remappers);
        let content_id = alloc.bump();
        pdf.stream(content_id, &deflate(&content))
            .filter(Filter::FlateDecode);

        let mut annotation_ids = Vec::with_capacity(page.links.len());
        for link in &page.links {
            let Some(target) = layout.targets.get(link.target) else {
                continue;
            };
            let Some(&dest_page) = page_ids.get(target.page) else {
                continue;
            };
            let annot_id = alloc.bump();
            let [x1, y1, x2, y2] = link.rect;
            let mut annot = pdf.annotation(annot_id);
            annot
                .subtype(AnnotationType::Link)
                .rect(Rect::new(x1, y1, x2, y2))
                .border(0.0, 0.0, 0.0, None);
            annot
                .action()
                .action_type(ActionType::GoTo)
                .destination()
                .page(dest_page)
                .xyz(layout.left(), target.top, None);
            annot.finish();
            annotation_ids.push(annot_id);
        }

        let page_id = page_ids[index];
        let mut p = pdf.page(page_id);
        p.media_box(media_box)
            .parent(page_tree_id)
            .contents(content_id);
        if !annotation_ids.is_empty() {
            p.annotations(annotation_ids);
        }
        let mut resources = p.resources();
        let mut font_dict = resources.fonts();
        for (id, r) in &font_refs {
            font_dict.pair(Name(id.resource_name()), *r);
        }
        font_dict.finish();
        resources.finish();
        p.finish();
    }
    pdf.pages(page_tree_id)
        .kids(page_ids.iter().copied())
        .count(i32::try_from(page_ids.len()).unwrap_or(i32::MAX));

    // 4. Outline: "Mục lục", then chapters (level 1) with their articles (level 2).
    let outline_id = write_outline(&mut pdf, &mut alloc, layout, &page_ids);

    // 5. Catalog and document information.
    let mut catalog = pdf.catalog(catalog_id);
    catalog.pages(page_tree_id).lang(TextStr("vi"));
    if let Some(outline_id) = outline_id {
        catalog
            .outlines(outline_id)
            .page_mode(PageMode::UseOutlines);
    }
    catalog.viewer_preferences().display_doc_title(true);
    catalog.finish();
    pdf.document_info(info_id)
        .title(TextStr(&doc.title))
        .author(TextStr(&doc.author))
        .creator(TextStr("hocvuso"))
        .producer(TextStr("hocvuso_pdf"));
    Ok(pdf.finish())
}

fn page_content(runs: &[GlyphRun<'_>], remappers: &BTreeMap<FontId, GlyphRemapper>) -> Vec<u8> {
    let mut content = Content::new();
    let mut bytes = Vec::new();
    for run in runs {
        match run.op {
            Op::Text {
                font,
                size,
                color,
                x,
                y,
                ..
            } => {
                if run.glyphs.is_empty() {
                    continue;
                }
                let Some(remapper) = remappers.get(font) else {
                    continue;
                };
                bytes.clear();
                for gid in &run.glyphs {
                    let cid = remapper.get(*gid).unwrap_or(0);
                    bytes.extend_from_slice(&cid.to_be_bytes());
                }
                content
                    .begin_text()
                    .set_fill_rgb(color.0, color.1, color.2)
                    .set_font(Name(font.resource_name()), *size)
                    .set_text_matrix([1.0, 0.0, 0.0, 1.0, *x, *y])
                    .show(Str(&bytes))
                    .end_text();
            }
            Op::Rects { rects, color } => {
                if rects.is_empty() {
                    continue;
                }
                content.set_fill_rgb(color.0, color.1, color.2);
                for [x, y, w, h] in rects {
                    content.rect(*x, *y, *w, *h);
                }
                content.fill_nonzero();
            }
            Op::Line {
                from,
                to,
                width,
                color,
            } => {
                content
                    .set_stroke_rgb(color.0, color.1, color.2)
                    .set_line_width(*width)
                    .move_to(from.0, from.1)
                    .line_to(to.0, to.1)
                    .stroke();
            }
            Op::Path {
                rings,
                closed,
                fill,
                stroke,
                width,
                dashed,
            } => {
                let mut any = false;
                for ring in rings {
                    let mut points = ring.iter();
                    let Some(first) = points.next() else {
                        continue;
                    };
                    content.move_to(first.0, first.1);
                    for p in points {
                        content.line_to(p.0, p.1);
                    }
                    if *closed {
                        content.close_path();
                    }
                    any = true;
                }
                if !any {
                    continue;
                }
                if let Some(c) = fill {
                    content.set_fill_rgb(c.0, c.1, c.2);
                }
                if let Some(c) = stroke {
                    content.set_stroke_rgb(c.0, c.1, c.2).set_line_width(*width);
                    if *dashed {
                        content.set_dash_pattern([4.0, 3.0], 0.0);
                    }
                }
                match (fill.is_some(), stroke.is_some()) {
                    (true, true) => {
                        content.fill_even_odd_and_stroke();
                    }
                    (true, false) => {
                        content.fill_even_odd();
                    }
                    (false, true) => {
                        content.stroke();
                    }
                    (false, false) => {
                        content.end_path();
                    }
                }
                if *dashed {
                    content.set_dash_pattern([], 0.0);
                }
            }
            // Resolved by the layout before writing.
            Op::TocNumber { .. } => {}
        }
    }
    content.finish().into_vec()
}

/// Six capital letters naming a subset, derived from its glyphs (PDF 9.6.4).
fn subset_tag(face: &FontFace, glyphs: &UsedGlyphs) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in face
        .postscript_name
        .bytes()
        .chain(glyphs.glyphs.keys().flat_map(|g| g.to_be_bytes()))
    {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    (0..6)
        .map(|i| char::from(b'A' + ((hash >> (i * 8)) % 26) as u8))
        .collect()
}

/// Writes a Type0 font with an Identity-H CIDFontType2 descendant whose CIDs are the glyph ids
/// of the subset; returns the Type0 font's reference.
fn write_font(
    pdf: &mut Pdf,
    alloc: &mut Ref,
    face: &FontFace,
    glyphs: &UsedGlyphs,
    remapper: &GlyphRemapper,
) -> Result<Ref, PdfError> {
    let type0_id = alloc.bump();
    let cid_id = alloc.bump();
    let descriptor_id = alloc.bump();
    let cmap_id = alloc.bump();
    let file_id = alloc.bump();

    let base_font = format!("{}+{}", subset_tag(face, glyphs), face.postscript_name);
    let base_font = Name(base_font.as_bytes());
    let system_info = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };

    pdf.type0_font(type0_id)
        .base_font(base_font)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid_id)
        .to_unicode(cmap_id);

    // Widths of the subset's glyphs, in CID (= new glyph id) order.
    let widths: Vec<f32> = remapper
        .remapped_gids()
        .map(|old| face.pdf_advance(old).round())
        .collect();
    let mut cid = pdf.cid_font(cid_id);
    cid.subtype(CidFontType::Type2)
        .base_font(base_font)
        .system_info(system_info)
        .font_descriptor(descriptor_id)
        .default_width(0.0)
        .cid_to_gid_map_predefined(Name(b"Identity"));
    cid.widths().consecutive(0, widths);
    cid.finish();

    let f = &face.face;
    let bbox = f.global_bounding_box();
    let to_pdf = |v: i16| face.to_pdf_units(f32::from(v));
    let mut flags = FontFlags::SYMBOLIC;
    if face.bold {
        flags |= FontFlags::FORCE_BOLD;
    }
    let cap_height = f.capital_height().unwrap_or(f.ascender());
    pdf.font_descriptor(descriptor_id)
        .name(base_font)
        .flags(flags)
        .bbox(Rect::new(
            to_pdf(bbox.x_min),
            to_pdf(bbox.y_min),
            to_pdf(bbox.x_max),
            to_pdf(bbox.y_max),
        ))
        .italic_angle(f.italic_angle())
        .ascent(to_pdf(f.ascender()))
        .descent(to_pdf(f.descender()))
        .cap_height(to_pdf(cap_height))
        .stem_v(if face.bold { 140.0 } else { 80.0 })
        .font_file2(file_id);

    // ToUnicode: each CID → the character it was drawn for.
    let mut cmap = UnicodeCmap::new(Name(b"Custom"), system_info);
    for (old, ch) in &glyphs.glyphs {
        if let Some(new) = remapper.get(*old) {
            cmap.pair(new, *ch);
        }
    }
    let cmap = deflate(cmap.finish().as_slice());
    pdf.cmap(cmap_id, &cmap).filter(Filter::FlateDecode);

    let subset = subsetter::subset(face.data, 0, remapper)
        .map_err(|e| PdfError::Subset(format!("{}: {e}", face.postscript_name)))?;
    let compressed = deflate(&subset);
    pdf.stream(file_id, &compressed)
        .filter(Filter::FlateDecode)
        .pair(
            Name(b"Length1"),
            i32::try_from(subset.len()).unwrap_or(i32::MAX),
        );
    Ok(type0_id)
}

struct OutlineEntry<'a> {
    title: &'a str,
    page: usize,
    top: f32,
    children: Vec<OutlineEntry<'a>>,
}

fn write_outline(pdf: &mut Pdf, alloc: &mut Ref, layout: &Layout, page_ids: &[Ref]) -> Option<Ref> {
    let mut top_level: Vec<OutlineEntry<'_>> = Vec::new();
    if let Some((page, top)) = layout.toc {
        top_level.push(OutlineEntry {
            title: "Mục lục",
            page,
            top,
            children: Vec::new(),
        });
    }
    let mut in_chapter = false;
    for t in &layout.targets {
        let entry = OutlineEntry {
            title: &t.title,
            page: t.page,
            top: t.top,
            children: Vec::new(),
        };
        if t.level == 1 {
            top_level.push(entry);
            in_chapter = true;
        } else if let (true, Some(chapter)) = (in_chapter, top_level.last_mut()) {
            chapter.children.push(entry);
        } else {
            top_level.push(entry);
        }
    }
    if top_level.is_empty() {
        return None;
    }
    let root = alloc.bump();
    let ids = write_outline_level(pdf, alloc, root, &top_level, layout, page_ids);
    let mut outline = pdf.outline(root);
    if let (Some(first), Some(last)) = (ids.first(), ids.last()) {
        outline.first(*first).last(*last);
    }
    outline.count(i32::try_from(ids.len()).unwrap_or(i32::MAX));
    Some(root)
}

/// Writes sibling outline items under `parent`; chapters start closed. Returns their refs.
fn write_outline_level(
    pdf: &mut Pdf,
    alloc: &mut Ref,
    parent: Ref,
    entries: &[OutlineEntry<'_>],
    layout: &Layout,
    page_ids: &[Ref],
) -> Vec<Ref> {
    let ids: Vec<Ref> = entries.iter().map(|_| alloc.bump()).collect();
    for (i, entry) in entries.iter().enumerate() {
        let children = write_outline_level(pdf, alloc, ids[i], &entry.children, layout, page_ids);
        let mut item = pdf.outline_item(ids[i]);
        item.title(TextStr(entry.title)).parent(parent);
        if i > 0 {
            item.prev(ids[i - 1]);
        }
        if let Some(next) = ids.get(i + 1) {
            item.next(*next);
        }
        if let (Some(first), Some(last)) = (children.first(), children.last()) {
            item.first(*first)
                .last(*last)
                .count(-i32::try_from(children.len()).unwrap_or(i32::MAX));
        }
        if let Some(page) = page_ids.get(entry.page) {
            item.dest().page(*page).xyz(layout.left(), entry.top, None);
        }
    }
    ids
}
