//! Word files (DOCX): the body's paragraphs in order, tables as rows, running headers,
//! footers and footnotes left out, and automatic numbering rebuilt from `numbering.xml`
//! (`第%1条`, `%1、`, `（%1）` with Chinese counting), so an auto-numbered 第一条 reads like a
//! typed one. Every part is unpacked within [`Limits`]: a zip bomb stops there.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use policyqa_core::{DocumentMeta, SourceRef, WarningKind};
use roxmltree::{Document, Node};

use crate::meta;
use crate::text::squash;
use crate::{Extracted, ExtractError, Format, Limits, Note};

const FORMAT: &str = "DOCX";

/// What kind of zip archive the bytes are: a Word document, an OFD, something else. An
/// archive that cannot be opened is taken for a damaged Word file (the common case: a
/// truncated download), so its error says so.
pub fn zip_kind(bytes: &[u8]) -> Format {
    let Ok(archive) = zip::ZipArchive::new(Cursor::new(bytes)) else { return Format::Docx };
    let names: Vec<String> = archive.file_names().filter_map(Result::ok).map(|n| n.into_owned()).collect();
    if names.iter().any(|n| n == "word/document.xml") {
        Format::Docx
    } else if names.iter().any(|n| n.eq_ignore_ascii_case("OFD.xml")) {
        Format::Ofd
    } else {
        Format::OtherZip
    }
}

struct Parts<'a> {
    archive: zip::ZipArchive<Cursor<&'a [u8]>>,
    limits: Limits,
    total: u64,
}

impl Parts<'_> {
    /// One part as text, `None` when the archive does not have it.
    fn read(&mut self, name: &str) -> Result<Option<String>, ExtractError> {
        let file = match self.archive.by_name(name) {
            Ok(f) => f,
            Err(zip::result::ZipError::FileNotFound) => return Ok(None),
            Err(e) => return Err(damaged(format!("cannot read {name}: {e}"))),
        };
        let too_large = |limit: u64| ExtractError::TooLarge { format: FORMAT, part: name.to_string(), limit_mb: limit >> 20 };
        if file.size() > self.limits.max_part_bytes {
            return Err(too_large(self.limits.max_part_bytes));
        }
        // The declared size may lie: read at most one byte past the limit.
        let mut buf = Vec::new();
        file.take(self.limits.max_part_bytes + 1).read_to_end(&mut buf).map_err(|e| damaged(format!("cannot unpack {name}: {e}")))?;
        if buf.len() as u64 > self.limits.max_part_bytes {
            return Err(too_large(self.limits.max_part_bytes));
        }
        self.total += buf.len() as u64;
        if self.total > self.limits.max_total_bytes {
            return Err(too_large(self.limits.max_total_bytes));
        }
        String::from_utf8(buf).map(Some).map_err(|_| damaged(format!("{name} is not UTF-8 XML")))
    }
}

fn damaged(reason: String) -> ExtractError {
    ExtractError::Damaged { format: FORMAT, reason }
}

fn parse<'x>(name: &str, xml: &'x str) -> Result<Document<'x>, ExtractError> {
    Document::parse(xml).map_err(|e| damaged(format!("{name}: {e}")))
}

pub fn extract(bytes: &[u8], limits: &Limits) -> Result<Extracted, ExtractError> {
    let archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| damaged(format!("not a readable zip archive ({e})")))?;
    let mut parts = Parts { archive, limits: *limits, total: 0 };
    let mut notes = Vec::new();
    let left_out: Vec<&str> = ["header", "footer", "footnotes", "endnotes", "comments"]
        .into_iter()
        .filter(|kind| parts.archive.file_names().filter_map(Result::ok).any(|n| n.starts_with(&format!("word/{kind}"))))
        .collect();
    let document = parts.read("word/document.xml")?.ok_or_else(|| damaged("it has no word/document.xml".into()))?;
    let numbering_xml = parts.read("word/numbering.xml")?;
    let styles_xml = parts.read("word/styles.xml")?;
    let core_xml = parts.read("docProps/core.xml")?;

    let numbering = match &numbering_xml {
        Some(x) => Numbering::read(&parse("word/numbering.xml", x)?),
        None => Numbering::default(),
    };
    let styles = match &styles_xml {
        Some(x) => StyleNumbering::read(&parse("word/styles.xml", x)?),
        None => StyleNumbering::default(),
    };
    let doc = parse("word/document.xml", &document)?;
    let body = doc.descendants().find(|n| is(n, "body")).ok_or_else(|| damaged("word/document.xml has no body".into()))?;
    let mut reader = BodyReader { numbering: &numbering, styles: &styles, counters: HashMap::new(), lines: Vec::new(), numbered: 0, paragraphs: 0 };
    reader.blocks(body);
    if reader.numbered > 0 {
        notes.push(Note::new(WarningKind::Extracted, format!("automatic numbering rebuilt for {} paragraphs", reader.numbered)));
    }
    if !left_out.is_empty() {
        notes.push(Note::new(WarningKind::Extracted, format!("left out of the Word file: {}", left_out.join(", "))));
    }
    let origins = crate::line_origins(&reader.lines.iter().map(|(l, p)| (l.as_str(), Some(SourceRef::Paragraph { index: *p }))).collect::<Vec<_>>());
    let lines: Vec<String> = reader.lines.into_iter().map(|(l, _)| l).collect();
    if !lines.iter().any(|l| l.chars().any(char::is_alphanumeric)) {
        return Err(ExtractError::NoText(FORMAT));
    }
    // The title property, when the document's first paragraphs bear it out (a property
    // left over from a template, "文档1", is not a title).
    let property = core_xml.as_deref().and_then(|x| Document::parse(x).ok()).and_then(|d| {
        d.descendants().find(|n| is(n, "title")).and_then(|n| n.text()).map(str::trim).filter(|t| !t.is_empty()).map(str::to_string)
    });
    let title = property.filter(|t| lines.iter().take(5).any(|l| squash(l) == squash(t)));
    let text = lines.join("\n");
    let meta = DocumentMeta { format: "docx".into(), ..meta::from_text(&text) };
    Ok(Extracted { format: Format::Docx, text, title, meta, notes, page_starts: Vec::new(), origins })
}

fn is(n: &Node, local: &str) -> bool {
    n.is_element() && n.tag_name().name() == local
}

/// The `w:val` (any namespace) of a node's child element.
fn child_val<'a>(n: &Node<'a, '_>, local: &str) -> Option<&'a str> {
    n.children().find(|c| is(c, local)).and_then(|c| val(&c))
}

fn val<'a>(n: &Node<'a, '_>) -> Option<&'a str> {
    n.attributes().find(|a| a.name() == "val").map(|a| a.value())
}

fn attr<'a>(n: &Node<'a, '_>, local: &str) -> Option<&'a str> {
    n.attributes().find(|a| a.name() == local).map(|a| a.value())
}

#[derive(Debug, Clone)]
struct Level {
    format: String,
    text: String,
    start: u32,
    suffix: String,
}

/// `numbering.xml`: abstract numberings' levels, and the numberings that use them.
#[derive(Debug, Default)]
struct Numbering {
    abstracts: HashMap<String, HashMap<u8, Level>>,
    /// numId → (abstractNumId, start overrides per level).
    nums: HashMap<String, (String, HashMap<u8, u32>)>,
}

impl Numbering {
    fn read(doc: &Document) -> Self {
        let mut out = Numbering::default();
        for a in doc.descendants().filter(|n| is(n, "abstractNum")) {
            let Some(id) = attr(&a, "abstractNumId") else { continue };
            let mut levels = HashMap::new();
            for l in a.children().filter(|n| is(n, "lvl")) {
                let Some(ilvl) = attr(&l, "ilvl").and_then(|v| v.parse::<u8>().ok()) else { continue };
                levels.insert(
                    ilvl,
                    Level {
                        format: child_val(&l, "numFmt").unwrap_or("decimal").to_string(),
                        text: child_val(&l, "lvlText").unwrap_or("").to_string(),
                        start: child_val(&l, "start").and_then(|v| v.parse().ok()).unwrap_or(1),
                        suffix: child_val(&l, "suff").unwrap_or("tab").to_string(),
                    },
                );
            }
            out.abstracts.insert(id.to_string(), levels);
        }
        for n in doc.descendants().filter(|n| is(n, "num")) {
            let (Some(id), Some(abs)) = (attr(&n, "numId"), child_val(&n, "abstractNumId")) else { continue };
            let overrides = n
                .children()
                .filter(|c| is(c, "lvlOverride"))
                .filter_map(|o| Some((attr(&o, "ilvl")?.parse::<u8>().ok()?, child_val(&o, "startOverride")?.parse::<u32>().ok()?)))
                .collect();
            out.nums.insert(id.to_string(), (abs.to_string(), overrides));
        }
        out
    }

    fn level(&self, num: &str, ilvl: u8) -> Option<(Level, u32)> {
        let (abs, overrides) = self.nums.get(num)?;
        let level = self.abstracts.get(abs)?.get(&ilvl)?.clone();
        let start = overrides.get(&ilvl).copied().unwrap_or(level.start);
        Some((level, start))
    }
}

/// Paragraph styles that carry numbering (a 条 style numbered by the style, not per
/// paragraph).
#[derive(Debug, Default)]
struct StyleNumbering {
    styles: HashMap<String, (String, u8)>,
}

impl StyleNumbering {
    fn read(doc: &Document) -> Self {
        let mut styles = HashMap::new();
        for s in doc.descendants().filter(|n| is(n, "style")) {
            let Some(id) = attr(&s, "styleId") else { continue };
            if let Some(num_pr) = s.descendants().find(|n| is(n, "numPr"))
                && let Some(num) = child_val(&num_pr, "numId")
            {
                let ilvl = child_val(&num_pr, "ilvl").and_then(|v| v.parse().ok()).unwrap_or(0);
                styles.insert(id.to_string(), (num.to_string(), ilvl));
            }
        }
        StyleNumbering { styles }
    }
}

struct BodyReader<'n> {
    numbering: &'n Numbering,
    styles: &'n StyleNumbering,
    /// numId → the current count at each level (0: not used yet).
    counters: HashMap<String, [u32; 9]>,
    /// Each line, with the body paragraph (0-based) it starts in.
    lines: Vec<(String, usize)>,
    numbered: usize,
    /// Paragraphs read so far.
    paragraphs: usize,
}

impl BodyReader<'_> {
    fn blocks(&mut self, parent: Node) {
        for n in parent.children().filter(Node::is_element) {
            match n.tag_name().name() {
                "p" => {
                    let at = self.paragraphs;
                    let line = self.paragraph(&n);
                    if !line.trim().is_empty() {
                        self.lines.push((line, at));
                    }
                }
                "tbl" => {
                    for row in n.children().filter(|r| is(r, "tr")) {
                        let at = self.paragraphs;
                        let cells: Vec<String> = row
                            .children()
                            .filter(|c| is(c, "tc"))
                            .map(|c| c.children().filter(|p| is(p, "p")).map(|p| self.paragraph(&p)).filter(|t| !t.trim().is_empty()).collect::<Vec<_>>().join(" "))
                            .filter(|c| !c.trim().is_empty())
                            .collect();
                        if !cells.is_empty() {
                            self.lines.push((cells.join("　"), at));
                        }
                    }
                }
                // Content controls and inserted revisions hold ordinary blocks.
                "sdt" | "sdtContent" | "ins" | "customXml" => self.blocks(n),
                _ => {}
            }
        }
    }

    /// A paragraph's text, its automatic number in front.
    fn paragraph(&mut self, p: &Node) -> String {
        self.paragraphs += 1;
        let mut text = String::new();
        for n in p.descendants().filter(Node::is_element) {
            match n.tag_name().name() {
                // Deleted revisions (w:delText) and field codes (w:instrText) are not text.
                "t" if !n.ancestors().any(|a| is(&a, "del")) => text.push_str(n.text().unwrap_or("")),
                "tab" if n.parent().is_some_and(|r| is(&r, "r")) => text.push('\u{3000}'),
                "br" | "cr" if attr(&n, "type").is_none_or(|t| t == "textWrapping") => text.push(' '),
                _ => {}
            }
        }
        match self.number(p) {
            Some(label) if !text.trim().is_empty() => {
                self.numbered += 1;
                format!("{label}{}", text.trim_start())
            }
            _ => text,
        }
    }

    fn number(&mut self, p: &Node) -> Option<String> {
        let ppr = p.children().find(|c| is(c, "pPr"));
        let direct = ppr.as_ref().and_then(|pr| pr.children().find(|c| is(c, "numPr")));
        let (num, ilvl) = match direct {
            Some(np) => (child_val(&np, "numId")?.to_string(), child_val(&np, "ilvl").and_then(|v| v.parse().ok()).unwrap_or(0u8)),
            None => {
                let style = ppr.as_ref().and_then(|pr| child_val(pr, "pStyle"))?;
                self.styles.styles.get(style).cloned()?
            }
        };
        if num == "0" || ilvl > 8 {
            return None;
        }
        let (level, start) = self.numbering.level(&num, ilvl)?;
        let counters = self.counters.entry(num.clone()).or_insert([0; 9]);
        let i = ilvl as usize;
        counters[i] = if counters[i] == 0 { start } else { counters[i] + 1 };
        for deeper in counters.iter_mut().skip(i + 1) {
            *deeper = 0;
        }
        if matches!(level.format.as_str(), "bullet" | "none") || level.text.is_empty() {
            return None;
        }
        let counters = *counters;
        let mut label = level.text.clone();
        for l in (0..=i).rev() {
            let placeholder = format!("%{}", l + 1);
            if label.contains(&placeholder) {
                let format = self.numbering.level(&num, l as u8).map(|(lv, _)| lv.format).unwrap_or_else(|| "decimal".into());
                label = label.replace(&placeholder, &format_number(counters[l].max(1), &format));
            }
        }
        let separator = match level.suffix.as_str() {
            "nothing" => "",
            _ => "\u{3000}",
        };
        // "一、" and "（一）" end in their own mark; a bare "第一条" is followed by a space.
        let separator = if label.ends_with(['、', '）', ')', '.', '．']) { "" } else { separator };
        Some(format!("{label}{separator}"))
    }
}

/// A counter in one of Word's number formats.
fn format_number(n: u32, format: &str) -> String {
    match format {
        "chineseCounting" | "chineseCountingThousand" | "chineseLegalSimplified" | "taiwaneseCounting" | "taiwaneseCountingThousand" | "japaneseCounting" => chinese(n),
        "ideographTraditional" => ["甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "壬", "癸"].get(n as usize - 1).map_or_else(|| n.to_string(), |s| s.to_string()),
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" => char::from_u32(0x2460 + n - 1).filter(|_| n <= 20).map_or_else(|| n.to_string(), String::from),
        "decimalFullWidth" | "decimalFullWidth2" => n.to_string().chars().map(|c| char::from_u32(c as u32 - '0' as u32 + 0xff10).unwrap_or(c)).collect(),
        "decimalZero" => format!("{n:02}"),
        "upperLetter" => letters(n, b'A'),
        "lowerLetter" => letters(n, b'a'),
        "upperRoman" => roman(n),
        "lowerRoman" => roman(n).to_lowercase(),
        _ => n.to_string(),
    }
}

/// 1 → 一, 10 → 十, 19 → 十九, 20 → 二十, 105 → 一百零五.
fn chinese(n: u32) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    if n == 0 {
        return "零".into();
    }
    if n >= 10_000 {
        return n.to_string();
    }
    let parts = [(n / 1000, "千"), (n / 100 % 10, "百"), (n / 10 % 10, "十"), (n % 10, "")];
    let mut out = String::new();
    let mut zero = false;
    for (d, unit) in parts {
        if d == 0 {
            zero = !out.is_empty();
            continue;
        }
        if zero {
            out.push('零');
            zero = false;
        }
        if !(d == 1 && unit == "十" && out.is_empty()) {
            out.push_str(DIGITS[d as usize]);
        }
        out.push_str(unit);
    }
    out
}

fn letters(n: u32, base: u8) -> String {
    let c = (base + ((n - 1) % 26) as u8) as char;
    c.to_string().repeat(((n - 1) / 26 + 1) as usize)
}

fn roman(mut n: u32) -> String {
    let table = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")];
    let mut out = String::new();
    for (v, s) in table {
        while n >= v {
            out.push_str(s);
            n -= v;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_in_words_formats() {
        assert_eq!(chinese(1), "一");
        assert_eq!(chinese(10), "十");
        assert_eq!(chinese(19), "十九");
        assert_eq!(chinese(20), "二十");
        assert_eq!(chinese(105), "一百零五");
        assert_eq!(chinese(110), "一百一十");
        assert_eq!(format_number(3, "chineseCounting"), "三");
        assert_eq!(format_number(2, "ideographTraditional"), "乙");
        assert_eq!(format_number(4, "upperRoman"), "IV");
        assert_eq!(format_number(3, "decimalEnclosedCircle"), "③");
    }
}
