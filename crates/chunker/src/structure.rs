//! Units of one document → blocks: clauses (with their heading path) and runs of running
//! text. Numbering is checked level by level against the running sequence, so a line is a
//! heading or a clause start only when it fits it (（七） after （六）, 第十条 after 第九条, a
//! lower level restarting at 1 under a new higher one).

use std::collections::{HashMap, HashSet};

use crate::document::{Doc, Piece, Unit, UnitKind};
use crate::lines::{Family, Marker};

#[derive(Debug, Clone)]
pub enum BlockKind {
    Clause { label: String, number: u32 },
    Paragraphs,
}

#[derive(Debug, Clone)]
pub struct Block {
    pub kind: BlockKind,
    /// Heading path below the document title (the clause label last, for clauses).
    pub path: Vec<String>,
    pub units: Vec<Unit>,
}

/// Running numbering per family.
#[derive(Default)]
struct Sequences {
    last: HashMap<Family, (u32, u32)>,
    may_restart: HashSet<Family>,
}

impl Sequences {
    fn accept(&mut self, m: &Marker) -> bool {
        let sub = m.sub.unwrap_or(0);
        let ok = match self.last.get(&m.family) {
            None => true,
            Some(&(n, s)) => {
                // A marker set apart by a space (or alone on its line) is never a cross
                // reference, so it may skip a few numbers the source lost.
                let gap = if m.strong { 10 } else { 1 };
                (m.number > n && m.number <= n + gap && sub == 0)
                    || (m.number == n && sub == s + 1)
                    || (m.number == 1 && sub == 0 && self.may_restart.contains(&m.family))
            }
        };
        if ok {
            self.last.insert(m.family, (m.number, sub));
            self.may_restart.remove(&m.family);
            for f in Family::ALL.iter().filter(|f| **f > m.family) {
                self.may_restart.insert(*f);
            }
        }
        ok
    }
}

/// Rank in the heading stack: smaller is outer.
fn rank_of(family: Option<Family>, md_level: Option<u8>) -> u8 {
    match family {
        Some(Family::Part) => 2,
        Some(Family::SubPart) => 3,
        Some(Family::Chapter) => 4,
        Some(Family::Division) => 5,
        Some(Family::Article) => 6,
        Some(Family::Section) => 7,
        Some(Family::Item) => 8,
        Some(Family::Point) => 9,
        Some(Family::SubPoint) => 10,
        None => md_level.unwrap_or(2) + 2,
    }
}

/// Heading text for the address: white space collapsed ("第一章　总　则" → "第一章 总则": a
/// numbered heading keeps one space after its number), and a long heading line keeps its
/// first phrase.
fn heading_text(text: &str) -> String {
    let folded: String = text.split(crate::lines::is_edge_space).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ");
    let text = match crate::lines::marker(&crate::lines::fold(&folded)) {
        Some(m) if matches!(m.family, Family::Part | Family::SubPart | Family::Chapter | Family::Division) => {
            let cut = crate::document::byte_len_of_chars(&folded, m.chars);
            let rest: String = folded[cut..].chars().filter(|c| !c.is_whitespace()).collect();
            if rest.is_empty() { folded[..cut].to_string() } else { format!("{} {rest}", &folded[..cut]) }
        }
        _ => folded,
    };
    if text.chars().count() <= 50 {
        return text;
    }
    let cut = text.find(['。', '；', ';', '：', ':']).unwrap_or(text.len());
    let short: String = text[..cut].chars().take(40).collect();
    short
}

/// The heading of a notice's attachment list.
const ATTACHMENTS: &str = "附件";
/// The longest line taken as one more title of an attachment list ("2．零工市场建设规范").
const ATTACHMENT_TITLE_CHARS: usize = 40;
/// "附件", "附件三": a heading alone on its line.
const ATTACHMENT_HEADING_CHARS: usize = 5;

pub fn blocks(src: &str, doc: &Doc) -> Vec<Block> {
    // Pass 1: which markers fit their running sequence.
    let mut seq = Sequences::default();
    let accepted: Vec<Option<Marker>> = doc
        .units
        .iter()
        .map(|u| match (&u.marker, u.kind) {
            (Some(m), UnitKind::Text | UnitKind::Heading(_)) if seq.accept(m) => Some(m.clone()),
            _ => None,
        })
        .collect();

    // The clause level: articles if there are any, else （一） items, else 一、 sections,
    // else 1. points; none for news.
    let count = |f: Family| {
        doc.units.iter().zip(&accepted).filter(|(u, m)| u.is_text() && m.as_ref().is_some_and(|m| m.family == f)).count()
    };
    // One stray 第N条 line in a notice with （一） items is a quotation, not the structure.
    let articles = if count(Family::Article) >= 2 || count(Family::Item) == 0 { 1 } else { 2 };
    let clause_family = [(Family::Article, articles), (Family::Item, 1), (Family::Section, 2), (Family::Point, 2)]
        .into_iter()
        .find(|&(f, min)| count(f) >= min)
        .map(|(f, _)| f);
    let is_heading_family = |f: Family| {
        f <= Family::Division || clause_family.is_some_and(|c| f < c && f != Family::Article)
    };

    let mut out: Vec<Block> = Vec::new();
    let mut stack: Vec<(u8, String)> = Vec::new();
    let mut in_clause = false;
    let mut signed_off = false;
    let mut in_attachments = false;
    let path_of = |stack: &[(u8, String)]| stack.iter().map(|(_, t)| t.clone()).collect::<Vec<_>>();

    for (unit, m) in doc.units.iter().zip(accepted) {
        let text = unit.text(src);
        match unit.kind {
            UnitKind::SignOff => {
                // A sign-off is not part of any clause; it closes the body and its headings.
                in_clause = false;
                signed_off = true;
                stack.clear();
                continue;
            }
            UnitKind::Heading(level) => {
                let family = m.as_ref().map(|m| m.family);
                let rank = rank_of(family, Some(level));
                stack.retain(|(r, _)| *r < rank);
                stack.push((rank, heading_text(&text)));
                in_clause = false;
                continue;
            }
            UnitKind::Text => {}
        }
        // The attachment list ("附件：1．…" and the short numbered titles under it) is a
        // passage of its own, under the heading 附件: it names documents, it says nothing, and
        // glued to the last clause it made that clause look like it answered questions about
        // the attachments' contents. A bare "附件一" or "附件：" heads the attachment's own
        // text, which follows (a law's annex): the heading of what comes after, not a passage.
        let folded = crate::lines::fold(&text);
        if crate::lines::is_attachment_line(&folded) {
            in_clause = false;
            stack.clear();
            let heading = folded.trim().trim_end_matches([':', '：']).trim();
            if heading.chars().count() <= ATTACHMENT_HEADING_CHARS {
                stack.push((0, heading.to_string()));
                continue;
            }
            // It follows the body: what comes after (the issuers' names) is under no heading.
            in_attachments = true;
            out.push(Block { kind: BlockKind::Paragraphs, path: vec![ATTACHMENTS.to_string()], units: vec![unit.clone()] });
            continue;
        }
        if in_attachments {
            if unit.marker.is_some() && folded.chars().count() <= ATTACHMENT_TITLE_CHARS {
                out.last_mut().expect("the attachment list").units.push(unit.clone());
                continue;
            }
            in_attachments = false;
        }
        if let Some(m) = m.filter(|_| !signed_off) {
            if clause_family == Some(m.family) {
                let label = m.label();
                let rank = rank_of(Some(m.family), None);
                stack.retain(|(r, _)| *r < rank);
                let mut path = path_of(&stack);
                path.push(label.clone());
                out.push(Block { kind: BlockKind::Clause { label, number: m.number }, path, units: vec![unit.clone()] });
                in_clause = true;
                continue;
            }
            if is_heading_family(m.family) {
                let rank = rank_of(Some(m.family), None);
                stack.retain(|(r, _)| *r < rank);
                stack.push((rank, heading_text(&text)));
                in_clause = false;
                // A long numbered heading line carries body text: keep it as text too.
                if text.chars().count() <= 50 {
                    continue;
                }
            }
        }
        if in_clause {
            let block = out.last_mut().expect("in a clause");
            // "第一条" alone on its line joins the body on the next line.
            if block.units.len() == 1 && block.units[0].pieces.len() == 1 && block.units[0].marker.as_ref().is_some_and(|m| m.alone) {
                let mut pieces = unit.pieces.clone();
                pieces[0] = Piece { range: pieces[0].range.clone(), joiner: " " };
                block.units[0].pieces.extend(pieces);
            } else {
                block.units.push(unit.clone());
            }
            continue;
        }
        let path = path_of(&stack);
        match out.last_mut() {
            Some(b) if matches!(b.kind, BlockKind::Paragraphs) && b.path == path => b.units.push(unit.clone()),
            _ => out.push(Block { kind: BlockKind::Paragraphs, path, units: vec![unit.clone()] }),
        }
    }
    out
}
