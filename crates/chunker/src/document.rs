//! Lines → units → documents. A unit is one paragraph line, or several source pieces once
//! layout repair has joined them; a document is a titled run of units (a file may hold
//! several: the seed page holds four articles).

use std::ops::Range;

use policyqa_core::WarningKind;

use crate::lines::{self, Line, Marker};
use crate::Notes;

/// A piece of source text, with what joins it to the piece before it in the clean text.
#[derive(Debug, Clone)]
pub struct Piece {
    pub range: Range<usize>,
    /// "" for a sentence broken by the layout, " " for a label alone on its line.
    pub joiner: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitKind {
    /// Markdown heading of this level.
    Heading(u8),
    /// Running text.
    Text,
    /// A sign-off ("新华社北京电") or a date alone on its line: it ends what came before.
    SignOff,
}

#[derive(Debug, Clone)]
pub struct Unit {
    pub kind: UnitKind,
    pub pieces: Vec<Piece>,
    /// 1-based source line of the first piece.
    pub line: usize,
    /// Syntactic marker at the start of the first piece; the sequence check comes later.
    pub marker: Option<Marker>,
    /// Leading white space of the first line, in characters.
    pub indent: usize,
}

impl Unit {
    pub fn text(&self, src: &str) -> String {
        let mut out = String::new();
        for (i, p) in self.pieces.iter().enumerate() {
            if i > 0 {
                out.push_str(p.joiner);
            }
            out.push_str(&src[p.range.clone()]);
        }
        out
    }
    pub fn first_char(&self, src: &str) -> Option<char> {
        self.pieces.first().and_then(|p| src[p.range.clone()].chars().next())
    }
    pub fn last_char(&self, src: &str) -> Option<char> {
        self.pieces.last().and_then(|p| src[p.range.clone()].chars().next_back())
    }
    pub fn last_piece<'a>(&self, src: &'a str) -> &'a str {
        self.pieces.last().map_or("", |p| &src[p.range.clone()])
    }
    pub fn chars(&self, src: &str) -> usize {
        self.pieces.iter().map(|p| src[p.range.clone()].chars().count()).sum()
    }
    pub fn is_text(&self) -> bool {
        self.kind == UnitKind::Text
    }
}

#[derive(Debug, Clone)]
pub struct Doc {
    pub title: String,
    /// "——国家级经开区40年发展综述" under a news title.
    pub subtitle: Option<String>,
    pub units: Vec<Unit>,
    /// Whether `title` came from the text (not the file name).
    pub titled: bool,
}

/// Reads lines into units, dropping web chrome, continuation marks and a table of contents
/// that only repeats the headings, each with a warning.
pub fn read_units(src: &str, lines: &[Line], notes: &mut Notes) -> Vec<Unit> {
    let mut units = Vec::new();
    for line in lines {
        if line.range.is_empty() {
            continue;
        }
        let raw = &src[line.range.clone()];
        if let Some((level, r)) = lines::markdown_heading(raw) {
            let range = line.range.start + r.start..line.range.start + r.end;
            let folded = lines::fold(&src[range.clone()]);
            units.push(Unit {
                kind: UnitKind::Heading(level),
                pieces: vec![Piece { range, joiner: "" }],
                line: line.no,
                marker: lines::marker(&folded),
                indent: 0,
            });
            continue;
        }
        let folded = lines::fold(raw);
        if lines::is_web_chrome(&folded) {
            notes.warn(WarningKind::RemovedWebChrome, line.range.start, format!("removed web-page chrome \"{}\"", clip(raw)));
            continue;
        }
        let mut range = line.range.clone();
        let mut folded = folded;
        if let Some(chars) = lines::continuation_mark(&folded) {
            let cut = byte_len_of_chars(raw, chars);
            notes.warn(WarningKind::RemovedContinuationMark, line.range.start, format!("removed page continuation mark \"{}\"", &raw[..cut]));
            let rest = &raw[cut..];
            let lead = rest.len() - rest.trim_start_matches(lines::is_edge_space).len();
            range.start += cut + lead;
            if range.is_empty() {
                continue;
            }
            folded = lines::fold(&src[range.clone()]);
        }
        let kind = if lines::is_end_marker(&folded) || lines::is_date_line(&folded) {
            UnitKind::SignOff
        } else {
            UnitKind::Text
        };
        units.push(Unit { kind, pieces: vec![Piece { range, joiner: "" }], line: line.no, marker: lines::marker(&folded), indent: line.indent });
    }
    drop_tables_of_contents(src, &mut units, notes);
    units
}

/// "目 录" followed by lines that each repeat a heading found later: the whole block goes.
fn drop_tables_of_contents(src: &str, units: &mut Vec<Unit>, notes: &mut Notes) {
    let key = |u: &Unit| -> String {
        let t = lines::fold(&u.text(src));
        // "第一章 总则 ........ 3" → "第一章总则"
        let t = t.trim_end_matches(|c: char| c.is_ascii_digit() || c.is_whitespace() || ".·…-—".contains(c));
        t.chars().filter(|c| !c.is_whitespace()).collect()
    };
    let mut i = 0;
    while i < units.len() {
        if !(units[i].is_text() && lines::is_toc_heading(&lines::fold(&units[i].text(src)))) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < units.len() && units[j].chars(src) <= 60 {
            let k = key(&units[j]);
            if k.is_empty() || !units[j + 1..].iter().any(|u| u.chars(src) <= 80 && key(u) == k) {
                break;
            }
            j += 1;
        }
        if j > i + 1 {
            let start = units[i].pieces[0].range.start;
            notes.warn(WarningKind::RemovedTableOfContents, start, format!("removed a table of contents of {} entries that repeat the headings", j - i - 1));
            units.drain(i..j);
        } else {
            i += 1;
        }
    }
}

/// Splits units into documents: at a level-1 Markdown heading; at a title line right after a
/// sign-off ("新华社北京电", a date under a signature); at a centred title line. A document's
/// title is its first title-like line near the top (metadata lines before it stay as its
/// preamble); a repeat of the title is dropped.
pub fn split_documents(src: &str, units: Vec<Unit>, fallback_title: &str) -> Vec<Doc> {
    const TITLE_WINDOW: usize = 8;
    let mut docs: Vec<Doc> = Vec::new();
    let mut after_signoff = false;
    let new_doc = |title: String, titled: bool| Doc { title, subtitle: None, units: Vec::new(), titled };
    for unit in units {
        let text = unit.text(src);
        let folded = lines::fold(&text);
        let was_after_signoff = after_signoff;
        after_signoff = unit.kind == UnitKind::SignOff;
        let plain_text = unit.kind == UnitKind::Text && unit.marker.is_none();
        let titleish = plain_text && lines::looks_like_title(&folded);
        let starts_doc = match unit.kind {
            UnitKind::Heading(1) => true,
            UnitKind::Heading(_) => was_after_signoff,
            _ => titleish && (was_after_signoff || (unit.indent >= 4 && docs.last().is_some_and(|d| d.titled && clean_title(&text) != d.title))),
        };
        if starts_doc {
            docs.push(new_doc(clean_title(&text), true));
            continue;
        }
        if docs.is_empty() {
            docs.push(new_doc(fallback_title.to_string(), false));
        }
        let doc = docs.last_mut().expect("a document exists");
        if plain_text
            && !doc.titled
            && doc.units.len() < TITLE_WINDOW
            && (titleish || (doc.units.is_empty() && is_plain_title(&folded)))
        {
            doc.title = clean_title(&text);
            doc.titled = true;
            continue;
        }
        if plain_text && doc.titled && doc.units.iter().all(|u| !u.is_text()) && clean_title(&text) == doc.title {
            continue; // the title again, centred under a breadcrumb or a table of contents
        }
        if doc.units.is_empty()
            && doc.subtitle.is_none()
            && matches!(unit.kind, UnitKind::Heading(l) if l > 1)
            && text.starts_with(['—', '-', '─'])
        {
            doc.subtitle = Some(text);
            continue;
        }
        // The signature line above a date ("国务院办公厅" / "2024年5月10日") signs off too.
        if unit.kind == UnitKind::SignOff && lines::is_date_line(&folded)
            && let Some(prev) = doc.units.last_mut() {
                let p = lines::fold(&prev.text(src));
                if prev.is_text() && prev.marker.is_none() && p.chars().count() <= 30 && !lines::ends_sentence(&p) && !p.contains(['，', ',']) {
                    prev.kind = UnitKind::SignOff;
                }
            }
        doc.units.push(unit);
    }
    docs
}

/// A first line short and unpunctuated enough to be a title even without a 通知/法 ending.
fn is_plain_title(folded: &str) -> bool {
    let n = folded.chars().count();
    (2..=60).contains(&n) && !lines::ends_sentence(folded) && !folded.contains(['，', ',', '。', ':'])
}

fn clean_title(t: &str) -> String {
    let t = t.trim_matches(lines::is_edge_space);
    let t = t.strip_prefix('《').and_then(|x| x.strip_suffix('》')).unwrap_or(t);
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub fn byte_len_of_chars(s: &str, chars: usize) -> usize {
    s.char_indices().nth(chars).map_or(s.len(), |(i, _)| i)
}

pub fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(24).collect();
    if s.chars().count() > 24 {
        out.push('…');
    }
    out
}
