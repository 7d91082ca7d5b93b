//! PDF files with a text layer (exported from Word or WPS, printed by a browser): the
//! characters of each page read by `pdf_oxide` with their positions (from its spans), laid into lines by
//! baseline, running headers, footers and page numbers ("— 3 —", "第3页") removed, and the
//! lines of a paragraph joined again — across page breaks too — where a line runs to the
//! right margin and the next one neither is indented nor starts a numbered item (a line
//! break in Chinese is no space). Chosen over `pdf-extract` (lopdf), which on the same
//! LibreOffice exports put a space between every digit and Chinese character ("2025 年 3 月")
//! and an empty line after every line. The text's page starts are kept, so a passage knows its
//! pages. Pages without a text layer (a scan) go through the OCR engine when the caller
//! gives one, and their lines through the same steps; without one a scan is refused with
//! that reason, and so is an encrypted PDF that needs a password, or a damaged one.

use std::collections::HashMap;
use std::sync::LazyLock;

use policyqa_core::{DocumentMeta, Ocr, OcrLine, SourceRef, WarningKind};
use regex::Regex;

use crate::meta;
use crate::text::{is_wide, squash};
use crate::{Extracted, ExtractError, Format, Note};

const FORMAT: &str = "PDF";

/// A line of a page: its text and where it sits.
#[derive(Debug, Clone)]
struct Line {
    text: String,
    left: f32,
    right: f32,
    size: f32,
    /// The baseline, in points above the page's bottom edge.
    y: f32,
}

static PAGE_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[—–\-－~～]*\s*\d{1,4}\s*[—–\-－~～]*|第\s*\d{1,4}\s*页(?:\s*[/，,]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4}|[Pp]age\s*\d+(?:\s*of\s*\d+)?)$").expect("valid")
});

/// A numbered item starts a paragraph of its own: 第一条, 一、, （一）, 1., （1）.
static ITEM_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:第[一二三四五六七八九十百千零〇两\d]+[条章节编款]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．]\D)").expect("valid")
});

fn damaged(reason: String) -> ExtractError {
    ExtractError::Damaged { format: FORMAT, reason }
}

pub fn extract(bytes: &[u8], ocr: Option<&dyn Ocr>) -> Result<Extracted, ExtractError> {
    let doc = pdf_oxide::PdfDocument::from_bytes(bytes.to_vec()).map_err(|e| damaged(format!("cannot open it ({e})")))?;
    if doc.is_encrypted() && !doc.authenticate(b"").unwrap_or(false) {
        return Err(ExtractError::Unsupported("the PDF is encrypted and needs a password to open: remove the protection first".into()));
    }
    let pages = doc.page_count().map_err(|e| damaged(format!("cannot read its pages ({e})")))?;
    let mut page_lines: Vec<Vec<Line>> = Vec::with_capacity(pages);
    let mut unreadable = 0;
    for i in 0..pages {
        match page_lines_of(&doc, i) {
            Ok(lines) => page_lines.push(lines),
            Err(_) => {
                unreadable += 1;
                page_lines.push(Vec::new());
            }
        }
    }
    if pages > 0 && unreadable == pages {
        return Err(damaged("none of its pages can be read".into()));
    }
    // Pages that are images (a scan, or a scanned page inside an exported file).
    let has_text = |lines: &[Line]| lines.iter().any(|l| l.text.chars().any(char::is_alphanumeric));
    let imaged: Vec<usize> = (0..page_lines.len()).filter(|&i| !has_text(&page_lines[i])).collect();
    let mut notes = Vec::new();
    if !imaged.is_empty() {
        match ocr {
            Some(ocr) => {
                let mut read = 0;
                let mut failed = Vec::new();
                for &i in &imaged {
                    match ocr_page(&doc, i, ocr) {
                        Ok(lines) if has_text(&lines) => {
                            page_lines[i] = lines;
                            read += 1;
                        }
                        Ok(_) => {}
                        Err(why) => failed.push(format!("page {}: {why}", i + 1)),
                    }
                }
                if read > 0 {
                    notes.push(Note::new(
                        WarningKind::Extracted,
                        format!("read {read} page(s) without a text layer by OCR ({}): recognised text may hold errors", ocr.name()),
                    ));
                }
                if !failed.is_empty() {
                    notes.push(Note::new(WarningKind::Extracted, format!("OCR failed on {} page(s): {}", failed.len(), failed.join("; "))));
                }
                if !page_lines.iter().any(|l| has_text(l)) {
                    let why = failed.first().cloned().unwrap_or_else(|| "it read no text off them".into());
                    return Err(ExtractError::Scanned(format!("OCR ({}) found no text: {why}", ocr.name())));
                }
            }
            None if imaged.len() == page_lines.len() => {
                return Err(ExtractError::Scanned("OCR it first, or turn OCR on (POLICYQA_OCR=tesseract)".into()));
            }
            None => notes.push(Note::new(
                WarningKind::Extracted,
                format!(
                    "{} page(s) without a text layer (images) left out: {}; turn OCR on (POLICYQA_OCR=tesseract) to read them",
                    imaged.len(),
                    imaged.iter().map(|i| (i + 1).to_string()).collect::<Vec<_>>().join(", ")
                ),
            )),
        }
    }
    let removed = remove_furniture(&mut page_lines);
    if removed > 0 {
        notes.push(Note::new(WarningKind::Extracted, format!("removed {removed} running header, footer and page-number line(s)")));
    }
    if unreadable > 0 {
        notes.push(Note::new(WarningKind::Extracted, format!("{unreadable} of {pages} page(s) could not be read")));
    }
    // A web page printed to PDF ("Save as PDF"): its title (the PDF's Title, the page's
    // <title> without the site's name) starts the document; the site's header and menu
    // above it and the related links and site footer after the text are not the document.
    let title = info_title(&doc).map(|t| meta::site_title(&t)).filter(|t| t.chars().count() >= 6);
    let mut stated = DocumentMeta::default();
    if let Some(t) = &title {
        // A page whose title stands only in its metadata table (gov.cn's 索引号 … 标题 …
        // 发文字号 box above the text): the table's fields are the document's, and its title
        // starts the text in the table's place.
        let mut cut = cut_metadata_table(&mut page_lines, t, &mut stated);
        cut += trim_page_chrome(&mut page_lines, t);
        if cut > 0 {
            notes.push(Note::new(WarningKind::RemovedWebChrome, format!("removed {cut} line(s) of a printed web page's header, menu, related links and footer")));
        }
    }
    let (text, page_starts, origins, joined) = paragraphs(&page_lines);
    if joined > 0 {
        notes.push(Note::new(WarningKind::Extracted, format!("joined {joined} line(s) broken at the page edge or across pages")));
    }
    let from_text = meta::from_text(&text);
    let meta = DocumentMeta {
        format: "pdf".into(),
        doc_number: stated.doc_number.or(from_text.doc_number),
        effective: stated.effective.or(from_text.effective),
        ..stated
    };
    let garbled = garbled_chars(&text);
    if garbled * 100 > text.chars().count().max(1) {
        notes.push(Note::new(
            WarningKind::Extracted,
            format!("{garbled} character(s) of the text layer look garbled (a font whose character map the PDF reader decodes wrongly, such as a browser's Type 3 fonts): OCR the PDF, or index the web page it was printed from"),
        ));
    }
    let title = title.filter(|t| squash(&text).contains(&squash(t)));
    Ok(Extracted { format: Format::Pdf, text, title, meta, notes, page_starts, origins })
}

/// A page's lines. From its characters; when some of them look garbled, from its spans'
/// characters instead: `extract_chars` runs a marked-content ActualText (which Chromium writes
/// for each ideograph its Type 3 font maps to a radical, 人 drawn as ⼈) through the font as
/// UTF-8 bytes, and 人民 comes out "ä”æ°"; the spans decode it as text. They cost twice
/// the time, so only such pages pay it.
fn page_lines_of(doc: &pdf_oxide::PdfDocument, page: usize) -> pdf_oxide::Result<Vec<Line>> {
    let lines = lines_of(&doc.extract_chars(page)?);
    if lines.iter().all(|l| garbled_chars(&l.text) == 0) {
        return Ok(lines);
    }
    let chars: Vec<_> = doc.extract_spans(page)?.iter().flat_map(|s| s.to_chars()).collect();
    Ok(lines_of(&chars))
}

/// The most pixels one page image may have to go through OCR (an A4 page at 600 dpi is
/// 35 million): decoding past it costs more memory than a page is worth.
const MAX_OCR_PIXELS: u64 = 60_000_000;

/// A page's images read by OCR, as lines in the page's points, top to bottom.
fn ocr_page(doc: &pdf_oxide::PdfDocument, page: usize, ocr: &dyn Ocr) -> Result<Vec<Line>, String> {
    let mut images = doc.extract_images(page).map_err(|e| format!("cannot read its images ({e})"))?;
    // Small images are logos and seals, not the page's text.
    images.retain(|im| u64::from(im.width()) * u64::from(im.height()) >= 40_000);
    if images.is_empty() {
        return Err("no image large enough to hold text".into());
    }
    // Top of the page first (PDF space grows upwards).
    images.sort_by(|a, b| b.bbox().map_or(0.0, |r| r.y + r.height).total_cmp(&a.bbox().map_or(0.0, |r| r.y + r.height)));
    let mut lines = Vec::new();
    for im in &images {
        if u64::from(im.width()) * u64::from(im.height()) > MAX_OCR_PIXELS {
            return Err(format!("an image of {}×{} pixels, past the {MAX_OCR_PIXELS} OCR reads", im.width(), im.height()));
        }
        let png = im.to_png_bytes().map_err(|e| format!("cannot decode an image ({e})"))?;
        let read = ocr.read_image(&png).map_err(|e| e.to_string())?;
        // Pixels to the page's points: the image's width on the page over its width in
        // pixels (a scan at 200 dpi: 0.36); without a placement, 200 dpi.
        let (scale, x0, y0) = match im.bbox() {
            Some(r) if r.width > 0.0 => (r.width / im.width() as f32, r.x, r.y),
            _ => (72.0 / 200.0, 0.0, 0.0),
        };
        lines.extend(ocr_lines(&read, scale, (x0, y0), im.height()));
    }
    Ok(lines)
}

/// OCR lines as page lines: words spaced as `lines_of` spaces characters, ASCII
/// punctuation beside Chinese made full-width again (OCR reads "（一）" as "(一)"), and one
/// size for every line whose height is within a fifth of the page's usual one, so that the
/// lines of a paragraph join.
fn ocr_lines(read: &[OcrLine], scale: f32, (x0, y0): (f32, f32), height_px: u32) -> Vec<Line> {
    let mut heights: Vec<u32> = read.iter().flat_map(|l| l.words.iter().map(|w| w.height)).collect();
    heights.sort_unstable();
    let usual = heights.get(heights.len() / 2).copied().unwrap_or(0) as f32;
    read.iter()
        .filter(|l| !l.words.is_empty())
        .map(|l| {
            let mut hs: Vec<u32> = l.words.iter().map(|w| w.height).collect();
            hs.sort_unstable();
            let h = hs[hs.len() / 2] as f32;
            let h = if usual > 0.0 && (h - usual).abs() <= 0.2 * usual { usual } else { h };
            let mut text = String::new();
            let mut prev: Option<(char, u32)> = None;
            for w in &l.words {
                let first = w.text.chars().next().unwrap_or(' ');
                if let Some((pc, end)) = prev {
                    let gap = w.left.saturating_sub(end) as f32;
                    if let Some(space) = space_between(pc, first, gap, h) {
                        text.push(space);
                    }
                }
                text.push_str(&w.text);
                prev = w.text.chars().last().map(|c| (c, w.left + w.width));
            }
            let left = l.words.iter().map(|w| w.left).min().unwrap_or(0) as f32;
            let right = l.words.iter().map(|w| w.left + w.width).max().unwrap_or(0) as f32;
            // Image rows count down from its top; the page's points up from its bottom.
            let bottom = l.words.iter().map(|w| w.top + w.height).max().unwrap_or(0);
            let y = y0 + height_px.saturating_sub(bottom) as f32 * scale;
            Line { text: full_width_punctuation(&text), left: x0 + left * scale, right: x0 + right * scale, size: h * scale, y }
        })
        .filter(|l| !l.text.trim().is_empty())
        .collect()
}

/// The space, if any, between two characters `gap` apart on a line of characters `size`
/// high: a typed space of a character's width or more ("第一条　为了…"), or a narrower one
/// between two Latin letters or digits.
fn space_between(before: char, after: char, gap: f32, size: f32) -> Option<char> {
    if gap > 0.8 * size {
        Some(typed_space_between(before, after))
    } else if gap > 0.25 * size && !is_wide(before) && !is_wide(after) {
        Some(' ')
    } else {
        None
    }
}

/// A typed space: a 全角空格 beside a Chinese character, else a plain one.
fn typed_space_between(before: char, after: char) -> char {
    if is_wide(before) || is_wide(after) { '\u{3000}' } else { ' ' }
}

/// "(一)", "如下:", "站点;" → "（一）", "如下：", "站点；": ASCII punctuation next to a Chinese
/// character is the full-width mark a 公文 prints.
fn full_width_punctuation(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let han = |i: Option<usize>| i.and_then(|i| chars.get(i)).is_some_and(|c| crate::text::is_han(*c));
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let beside = han(i.checked_sub(1)) || han(Some(i + 1)) || (c == '(' && han(Some(i + 2))) || (c == ')' && han(i.checked_sub(2)));
            match c {
                '(' if beside => '（',
                ')' if beside => '）',
                ':' if beside => '：',
                ';' if beside => '；',
                ',' if beside => '，',
                '?' if beside => '？',
                '!' if beside => '！',
                _ => c,
            }
        })
        .collect()
}

/// The PDF's Title (its Info dictionary), when it has one.
fn info_title(doc: &pdf_oxide::PdfDocument) -> Option<String> {
    let info = doc.trailer().as_dict()?.get("Info")?.clone();
    let info = doc.resolve_object(&info).ok()?;
    match info.as_dict()?.get("Title")? {
        pdf_oxide::object::Object::String(s) => Some(pdf_oxide::optional_content::decode_pdf_text_string(s).trim().to_string()).filter(|t| !t.is_empty()),
        _ => None,
    }
}


/// After the text of a printed page: its related links and the site's footer.
static TAIL_CHROME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:【?(?:相关(?:新闻|链接|阅读|文章|文件|稿件|解读|政策|附件)|延伸阅读|推荐阅读|热点推荐|网站地图|网站标识码|主办单位|承办单位|版权所有|Copyright|©)|.*ICP备|.*公网安备)").expect("valid")
});

/// For a page printed from a browser: drops the lines above the title's first appearance
/// (the site's header, search box, menu, breadcrumb) and, from the related links or the
/// site's footer on, the lines after the text. Returns how many lines went.
fn trim_page_chrome(pages: &mut [Vec<Line>], title: &str) -> usize {
    let want = squash(title);
    let lines: Vec<(usize, usize)> = pages.iter().enumerate().flat_map(|(p, ls)| (0..ls.len()).map(move |i| (p, i))).collect();
    let text_of = |(p, i): (usize, usize)| squash(&pages[p][i].text);
    // The title may wrap over two or three lines.
    let start = (0..(lines.len() * 2 / 5 + 1).min(lines.len())).find(|&k| {
        let mut joined = String::new();
        for &at in lines.iter().skip(k).take(3) {
            joined.push_str(&text_of(at));
            if joined.starts_with(&want) {
                return true;
            }
            if !want.starts_with(&joined) {
                return false;
            }
        }
        false
    });
    let Some(start) = start else { return 0 };
    let end = (start + 1..lines.len()).find(|&k| k >= lines.len() * 3 / 5 && TAIL_CHROME.is_match(&text_of(lines[k]))).unwrap_or(lines.len());
    let keep: std::collections::HashSet<(usize, usize)> = lines[start..end].iter().copied().collect();
    let mut removed = 0;
    for (p, page) in pages.iter_mut().enumerate() {
        let before = page.len();
        let mut i = 0;
        page.retain(|_| {
            let kept = keep.contains(&(p, i));
            i += 1;
            kept
        });
        removed += before - page.len();
    }
    removed
}

/// Finds, in the first two fifths of the lines, a metadata table whose 标题 is `title`,
/// reads its fields into `meta`, and drops it and every line above it, the title put in
/// its place. Returns how many lines went (none when there is no such table).
fn cut_metadata_table(pages: &mut [Vec<Line>], title: &str, meta: &mut DocumentMeta) -> usize {
    let want = squash(title);
    let at: Vec<(usize, usize)> = pages.iter().enumerate().flat_map(|(p, ls)| (0..ls.len()).map(move |i| (p, i))).collect();
    let labelled = |k: usize| {
        let (p, i) = at[k];
        let mut fields = (DocumentMeta::default(), None);
        meta::read_labelled_line(&pages[p][i].text, &mut fields.0, &mut fields.1).then_some(fields.1)
    };
    let Some(k) = (0..(at.len() * 2 / 5 + 1).min(at.len())).find(|&k| labelled(k).flatten().is_some_and(|t| squash(&t) == want)) else {
        return 0;
    };
    // The table's rows around it; a short line between two rows is a wrapped value.
    let row = |k: usize| labelled(k).is_some();
    let short = |k: usize| pages[at[k].0][at[k].1].text.chars().count() <= 24;
    let mut first = k;
    while first > 0 && (row(first - 1) || (first >= 2 && short(first - 1) && row(first - 2))) {
        first -= 1;
    }
    let mut last = k;
    while last + 1 < at.len() && (row(last + 1) || (last + 2 < at.len() && short(last + 1) && row(last + 2))) {
        last += 1;
    }
    let mut found_title = None;
    for &(p, i) in &at[first..=last] {
        meta::read_labelled_line(&pages[p][i].text, meta, &mut found_title);
    }
    let (tp, ti) = at[k];
    let title_line = Line { text: found_title.unwrap_or_else(|| title.to_string()), ..pages[tp][ti].clone() };
    let (lp, li) = at[last];
    for page in pages.iter_mut().take(lp) {
        page.clear();
    }
    pages[lp].drain(..=li);
    pages[lp].insert(0, title_line);
    last
}

/// Characters that have no business in a Chinese 公文 and show a font map decoded wrongly:
/// Latin letters with diacritics, Arabic, symbols from the private use area, C1 controls.
fn garbled_chars(text: &str) -> usize {
    text.chars().filter(|c| matches!(*c as u32, 0x80..=0x9F | 0xC0..=0x24F | 0x600..=0x6FF | 0xE000..=0xF8FF | 0xFFFD)).count()
}


/// A page's characters as lines: grouped by baseline (top of the page first), left to
/// right, a space kept only between two Latin letters or digits that stand apart.
fn lines_of(chars: &[pdf_oxide::layout::TextChar]) -> Vec<Line> {
    let mut chars: Vec<&pdf_oxide::layout::TextChar> = chars.iter().filter(|c| c.font_size > 0.0).collect();
    chars.sort_by(|a, b| b.origin_y.total_cmp(&a.origin_y).then(a.origin_x.total_cmp(&b.origin_x)));
    let mut groups: Vec<Vec<&pdf_oxide::layout::TextChar>> = Vec::new();
    for c in chars {
        match groups.last_mut() {
            Some(g) if (g[0].origin_y - c.origin_y).abs() <= 0.4 * g[0].font_size.max(c.font_size) => g.push(c),
            _ => groups.push(vec![c]),
        }
    }
    groups
        .into_iter()
        .filter_map(|mut g| {
            // Stable: the characters one glyph maps to keep their order.
            g.sort_by(|a, b| a.origin_x.total_cmp(&b.origin_x));
            let size = g.iter().map(|c| c.font_size).fold(0.0, f32::max);
            let mut text = String::new();
            let mut prev: Option<(char, &pdf_oxide::layout::TextChar)> = None;
            let mut typed_space = false;
            for (ch, c) in g.iter().map(|c| (c.char, *c)) {
                if ch.is_whitespace() {
                    typed_space = prev.is_some();
                    continue;
                }
                if ch.is_control() {
                    continue;
                }
                if let Some((pc, _)) = prev.filter(|_| typed_space) {
                    // A space the author typed between two words stays one.
                    text.push(typed_space_between(pc, ch));
                } else if let Some((pc, p)) = prev {
                    let gap = c.origin_x - (p.origin_x + p.advance_width.max(p.bbox.width));
                    if let Some(space) = space_between(pc, ch, gap, size) {
                        text.push(space);
                    }
                }
                text.push(ch);
                prev = Some((ch, c));
                typed_space = false;
            }
            let left = g.iter().map(|c| c.origin_x).fold(f32::MAX, f32::min);
            let right = g.iter().map(|c| c.origin_x + c.advance_width.max(c.bbox.width)).fold(f32::MIN, f32::max);
            let y = g[0].origin_y;
            (!text.is_empty()).then_some(Line { text, left, right, size, y })
        })
        .collect()
}

/// Removes running headers and footers (the same line, digits aside, at the top or the
/// bottom of at least two pages) and page numbers; returns how many lines went.
fn remove_furniture(pages: &mut [Vec<Line>]) -> usize {
    let key = |l: &Line| l.text.chars().map(|c| if c.is_ascii_digit() { '#' } else { c }).filter(|c| !c.is_whitespace()).collect::<String>();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for page in pages.iter() {
        let n = page.len();
        for l in page.iter().take(2).chain(page.iter().skip(n.saturating_sub(2))) {
            *seen.entry(key(l)).or_default() += 1;
        }
    }
    let several = pages.len() > 1;
    let repeated = |l: &Line| several && seen.get(&key(l)).is_some_and(|n| *n >= 2);
    let mut removed = 0;
    for page in pages.iter_mut() {
        let n = page.len();
        let mut keep = Vec::with_capacity(n);
        for (i, l) in page.drain(..).enumerate() {
            let edge = i < 2 || i + 2 >= n;
            let number = PAGE_NUMBER.is_match(l.text.trim());
            if edge && (number || repeated(&l)) {
                removed += 1;
            } else {
                keep.push(l);
            }
        }
        *page = keep;
    }
    removed
}

/// The pages' lines as paragraphs, one per line of text, where each page starts (a
/// character offset in the text), and each paragraph's first line on its page.
fn paragraphs(pages: &[Vec<Line>]) -> (String, Vec<usize>, Vec<(usize, SourceRef)>, usize) {
    // The body's right margin: the rightmost edge lines of the body size reach.
    let body_size = {
        let mut sizes: HashMap<i32, usize> = HashMap::new();
        for l in pages.iter().flatten() {
            *sizes.entry((l.size * 2.0).round() as i32).or_default() += l.text.chars().count();
        }
        sizes.into_iter().max_by_key(|(_, n)| *n).map_or(12.0, |(s, _)| s as f32 / 2.0)
    };
    let margin_right = pages.iter().flatten().filter(|l| (l.size - body_size).abs() < 0.5).map(|l| l.right).fold(f32::MIN, f32::max);
    let margin_left = pages.iter().flatten().filter(|l| (l.size - body_size).abs() < 0.5).map(|l| l.left).fold(f32::MAX, f32::min);
    let mut text = String::new();
    let mut chars = 0usize;
    let mut page_starts = Vec::with_capacity(pages.len());
    let mut origins = Vec::new();
    let mut joined = 0;
    let mut prev: Option<&Line> = None;
    for (p, page) in pages.iter().enumerate() {
        page_starts.push(chars);
        for l in page {
            let join = prev.is_some_and(|p| continues(p, l, margin_left, margin_right));
            if join {
                joined += 1;
                let (a, b) = (text.chars().last().unwrap_or(' '), l.text.chars().next().unwrap_or(' '));
                if !is_wide(a) && !is_wide(b) {
                    text.push(' ');
                    chars += 1;
                }
            } else if !text.is_empty() {
                text.push('\n');
                chars += 1;
            }
            if !join {
                origins.push((chars, SourceRef::Line { page: p as u32 + 1, y: l.y.max(0.0).round() as u32 }));
            }
            text.push_str(&l.text);
            chars += l.text.chars().count();
            prev = Some(l);
        }
    }
    (text, page_starts, origins, joined)
}

/// Whether `next` goes on the paragraph `line` is in: `line` runs to the right margin, both
/// have the same size, and `next` is neither indented (relative to the margin, a new
/// paragraph) nor a numbered item — unless both are centred (a long title wrapped).
fn continues(line: &Line, next: &Line, margin_left: f32, margin_right: f32) -> bool {
    let size = line.size.max(1.0);
    if (line.size - next.size).abs() > 0.5 || ITEM_START.is_match(&next.text) {
        return false;
    }
    // Runs to the right margin from (about) the left one: a right-aligned sign-off or date
    // reaches the margin too, but is no paragraph's first line.
    let full = line.right >= margin_right - 1.5 * size && line.left <= margin_left + 2.5 * size;
    let centred = |l: &Line| ((l.left - margin_left) - (margin_right - l.right)).abs() < 1.5 * size && l.left > margin_left + size;
    let indented = next.left > line.left.min(margin_left + 0.5 * size) + 0.8 * size;
    let ends = line.text.ends_with(['。', '！', '？', '：', ':']);
    full && !ends && (!indented || centred(next))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str, left: f32, right: f32) -> Line {
        Line { text: text.into(), left, right, size: 16.0, y: 0.0 }
    }

    #[test]
    fn garbled_text_is_counted() {
        assert_eq!(garbled_chars("中国政府网"), 0);
        assert_eq!(garbled_chars("中国政府ç‰ æ°政部"), 2);
    }

    #[test]
    fn page_numbers_and_items() {
        for n in ["— 3 —", "-3-", "3", "第 3 页", "第3页 共12页", "3/12"] {
            assert!(PAGE_NUMBER.is_match(n), "{n}");
        }
        assert!(!PAGE_NUMBER.is_match("2025年3月"));
        assert!(ITEM_START.is_match("第十二条 本决定自"));
        assert!(ITEM_START.is_match("（三）日均客流量"));
    }

    #[test]
    fn a_line_to_the_margin_goes_on_unless_the_next_is_indented_or_numbered() {
        let full = line("第五条　自动体外除颤器应当安装在醒目、便于取用的位置，", 90.0, 505.0);
        assert!(continues(&full, &line("确保从场所内任意地点出发。", 90.0, 300.0), 90.0, 505.0));
        assert!(!continues(&full, &line("第六条　配置单位负责", 122.0, 505.0), 90.0, 505.0));
        assert!(!continues(&full, &line("　　配置单位负责", 122.0, 505.0), 90.0, 505.0));
        let short = line("送配置信息。", 90.0, 190.0);
        assert!(!continues(&short, &line("第六条", 122.0, 505.0), 90.0, 505.0));
        // A right-aligned date, then a centred title: two paragraphs.
        let date = line("2025年1月20日", 400.0, 505.0);
        assert!(!continues(&date, &line("江州市既有住宅加装电梯实施办法", 180.0, 420.0), 90.0, 505.0));
    }
}
