//! Layout repair across the documents of one file: sentences broken by a blank line or a
//! column break are joined, stray duplicated fragments dropped, and paragraphs that the page
//! layout put inside another article go back to their own.
//!
//! The evidence is textual, never positional rules for one page: a paragraph that stops
//! mid-sentence, the paragraph that completes it (the two characters across the break form
//! a pair that occurs elsewhere in the file), and, for a misplaced run of paragraphs, which
//! article's vocabulary each paragraph shares.

use std::collections::{HashMap, HashSet};

use policyqa_core::WarningKind;

use crate::document::{clip, Doc, Unit, UnitKind};
use crate::lines::{self, Family};
use crate::Notes;

pub fn repair(src: &str, docs: &mut [Doc], notes: &mut Notes) {
    drop_duplicate_fragments(src, docs, notes);
    let pairs = char_pairs(src);
    // Each relocation removes a unit, so this loop ends.
    loop {
        join_broken_sentences(src, docs, &pairs, notes);
        if !relocate_one(src, docs, &pairs, notes) {
            break;
        }
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{f900}'..='\u{faff}')
}

/// How often each pair of adjacent CJK characters occurs in the file.
fn char_pairs(src: &str) -> HashMap<(char, char), u32> {
    let mut m = HashMap::new();
    let mut prev: Option<char> = None;
    for c in src.chars() {
        if is_cjk(c) {
            if let Some(p) = prev {
                *m.entry((p, c)).or_insert(0) += 1;
            }
            prev = Some(c);
        } else {
            prev = None;
        }
    }
    m
}

/// Characters that do not begin a Chinese sentence: particles and closing punctuation.
fn cannot_start(c: char) -> bool {
    "的了地得之着过们么呢吧吗，。、；：！？,;:）)」』”’》】".contains(c)
}

/// A paragraph that starts something of its own: a list dash, a bullet, a quotation.
fn is_opener(text: &str) -> bool {
    text.starts_with(['—', '─', '-', '•', '·', '●', '○', '■', '□', '◆', '◇', '★', '☆', '※', '“', '"', '「', '【', '>'])
}

/// Running prose (not a title, byline or heading) that may continue after a break.
fn is_prose(text: &str) -> bool {
    let n = text.chars().count();
    n >= 40 || (n >= 12 && text.chars().skip(1).any(|c| "，,、；;：:。".contains(c)))
}

/// A table row or a list of names: fields apart by white space or bars, no sentence marks.
fn is_tabular(text: &str) -> bool {
    text.contains(['|', '｜', '\t'])
        || text.contains("  ")
        || (text.split_whitespace().count() >= 2 && !text.contains(['，', '。', '；', ',', ';']))
}

/// Does `unit` stop mid-sentence? Numbered headings (第一章 总则, 二、主要任务) end without a
/// mark by nature and never do.
fn is_dangling(unit: &Unit, src: &str) -> bool {
    let heading = unit.marker.as_ref().is_some_and(|m| {
        matches!(m.family, Family::Part | Family::SubPart | Family::Chapter | Family::Division | Family::Section)
    }) && unit.chars(src) <= 50;
    unit.is_text() && !heading && !lines::ends_sentence(unit.last_piece(src)) && !is_tabular(unit.last_piece(src))
}

/// Whether the document's clause lines are whole sentences ("（六）健全…机制。推进…"): then
/// a clause line that stops without a mark ("（二十三）吸引更多青年加入产业") was broken.
fn clause_lines_are_sentences(doc: &Doc, src: &str) -> bool {
    let clause_lines: Vec<&Unit> = doc
        .units
        .iter()
        .filter(|u| u.is_text() && u.marker.as_ref().is_some_and(|m| matches!(m.family, Family::Article | Family::Item)))
        .collect();
    let sentences = clause_lines.iter().filter(|u| u.text(src).contains(['。', '；', '！', '？'])).count();
    clause_lines.len() >= 3 && sentences * 3 >= clause_lines.len() * 2
}

/// Would `next` plausibly complete the sentence that `unit` leaves open?
fn continues(unit: &Unit, next: &Unit, src: &str, pairs: &HashMap<(char, char), u32>, sentence_clauses: bool) -> bool {
    if !next.is_text() || next.marker.is_some() {
        return false;
    }
    let next_text = next.text(src);
    // An attachment heading ("附件二") starts something; it continues no sentence.
    if is_opener(&next_text) || is_tabular(&next_text) || lines::is_attachment_line(&lines::fold(&next_text)) {
        return false;
    }
    let (Some(a), Some(b)) = (unit.last_char(src), next.first_char(src)) else { return false };
    // Only a break between two Chinese characters (or before a particle or closing mark) is
    // a broken sentence; table rows, dates in brackets and dashes are left alone.
    if !is_cjk(a) || !(is_cjk(b) || cannot_start(b)) {
        return false;
    }
    // Prose that stops mid-sentence continues; a short line (a heading-like clause title)
    // only when the two characters across the break are a pair the file uses repeatedly.
    let text = unit.text(src);
    cannot_start(b)
        || is_prose(&text)
        || (sentence_clauses && unit.marker.is_some())
        || (pairs.get(&(a, b)).copied().unwrap_or(0) >= 3 && text.chars().count() >= 8)
}

fn drop_duplicate_fragments(src: &str, docs: &mut [Doc], notes: &mut Notes) {
    for doc in docs.iter_mut() {
        let mut i = 1;
        while i < doc.units.len() {
            let (prev, cur) = (&doc.units[i - 1], &doc.units[i]);
            let frag = cur.text(src);
            let n = frag.chars().count();
            if cur.is_text()
                && prev.is_text()
                && cur.marker.is_none()
                && n <= 20
                && prev.chars(src) >= 2 * n
                && prev.last_piece(src).ends_with(frag.as_str())
            {
                notes.warn(WarningKind::DroppedDuplicateFragment, cur.pieces[0].range.start, format!("dropped stray fragment \"{frag}\" that repeats the end of the paragraph before it"));
                doc.units.remove(i);
            } else {
                i += 1;
            }
        }
    }
}

fn join_broken_sentences(src: &str, docs: &mut [Doc], pairs: &HashMap<(char, char), u32>, notes: &mut Notes) {
    for doc in docs.iter_mut() {
        let sentence_clauses = clause_lines_are_sentences(doc, src);
        let mut i = 0;
        while i + 1 < doc.units.len() {
            let (unit, next) = (&doc.units[i], &doc.units[i + 1]);
            if is_dangling(unit, src) && continues(unit, next, src, pairs, sentence_clauses) {
                let next = doc.units.remove(i + 1);
                let at = next.pieces[0].range.start;
                notes.warn(WarningKind::JoinedBrokenSentence, at, format!("joined a sentence broken across lines {} and {}: \"…{}\" + \"{}…\"", doc.units[i].line, next.line, tail(doc.units[i].last_piece(src)), head(&next.text(src))));
                let unit = &mut doc.units[i];
                let mut pieces = next.pieces.into_iter();
                if let Some(mut first) = pieces.next() {
                    first.joiner = "";
                    unit.pieces.push(first);
                }
                unit.pieces.extend(pieces);
                // Stay on this unit: it may still be open.
            } else {
                i += 1;
            }
        }
    }
}

/// The first unit of a section: after a heading, a title, a byline or the document start.
fn opens_section(doc: &Doc, j: usize, src: &str) -> bool {
    if j == 0 {
        return true;
    }
    let prev = &doc.units[j - 1];
    match prev.kind {
        UnitKind::Heading(_) | UnitKind::SignOff => true,
        UnitKind::Text => {
            let t = prev.text(src);
            t.chars().count() < 30 && !lines::ends_sentence(&t) && !is_prose(&t) && prev.marker.is_none()
        }
    }
}

fn pair_set(text: &str) -> HashSet<(char, char)> {
    let cs: Vec<char> = text.chars().collect();
    cs.windows(2).filter(|w| is_cjk(w[0]) && is_cjk(w[1])).map(|w| (w[0], w[1])).collect()
}

/// Finds one paragraph that stops mid-sentence with no plausible continuation after it, and
/// whose continuation opens a section elsewhere; moves it, with the paragraphs before it that
/// share the other article's vocabulary, in front of that continuation and joins the two.
fn relocate_one(src: &str, docs: &mut [Doc], pairs: &HashMap<(char, char), u32>, notes: &mut Notes) -> bool {
    let mut found = None;
    'search: for (h, doc) in docs.iter().enumerate() {
        for (i, unit) in doc.units.iter().enumerate() {
            if !is_dangling(unit, src) || !is_prose(&unit.text(src)) {
                continue;
            }
            if doc.units.get(i + 1).is_some_and(|n| continues(unit, n, src, pairs, clause_lines_are_sentences(doc, src))) {
                continue;
            }
            let a = unit.last_char(src).unwrap_or(' ');
            let mut best: Option<(u32, usize, usize)> = None;
            // Only across articles: inside one document a stop mid-sentence is far more often
            // a table or an appendix than a paragraph the layout carried off.
            for (t, tdoc) in docs.iter().enumerate().filter(|(t, _)| *t != h) {
                for (j, cand) in tdoc.units.iter().enumerate() {
                    if !cand.is_text() || cand.marker.is_some() {
                        continue;
                    }
                    let text = cand.text(src);
                    if is_opener(&text) || !opens_section(tdoc, j, src) {
                        continue;
                    }
                    let b = cand.first_char(src).unwrap_or(' ');
                    let score = pairs.get(&(a, b)).copied().unwrap_or(0);
                    if score > 0 && best.is_none_or(|(s, _, _)| score > s) {
                        best = Some((score, t, j));
                    }
                }
            }
            if let Some((_, t, j)) = best {
                found = Some((h, i, t, j));
                break 'search;
            }
        }
    }
    let Some((h, i, t, j)) = found else { return false };

    // Walk back from the broken paragraph while each paragraph shares more of its character
    // pairs with the target article than with the host. The host's vocabulary is taken from
    // outside the stretch that could have been misplaced (back to the nearest heading or
    // clause), so misplaced neighbours do not vote for the host.
    let units = &docs[h].units;
    let region_start = units[..i].iter().rposition(|u| !u.is_text() || u.marker.is_some()).map_or(0, |x| x + 1);
    let host_text: String = units
        .iter()
        .enumerate()
        .filter(|(x, u)| (*x < region_start || *x > i) && u.is_text())
        .map(|(_, u)| u.text(src))
        .collect();
    let host = pair_set(&host_text);
    let target_text: String = docs[t].units.iter().filter(|u| u.is_text()).map(|u| u.text(src)).collect();
    let mut target = pair_set(&target_text);
    target.extend(pair_set(&units[i].text(src)));
    let mut k = i;
    while k > region_start {
        let own = pair_set(&units[k - 1].text(src));
        let to_target = own.iter().filter(|p| target.contains(p) && !host.contains(p)).count();
        let to_host = own.iter().filter(|p| host.contains(p) && !target.contains(p)).count();
        if to_target <= to_host {
            break;
        }
        target.extend(own);
        k -= 1;
    }

    let moved: Vec<Unit> = docs[h].units.drain(k..=i).collect();
    let first_line = moved[0].line;
    let last_line = moved[moved.len() - 1].line;
    let at = moved[0].pieces[0].range.start;
    let (from, to) = (docs[h].title.clone(), docs[t].title.clone());
    let cont = docs[t].units.remove(j);
    notes.warn(WarningKind::MovedParagraphs, at, format!("moved {} paragraph(s) (lines {first_line}–{last_line}) from 《{from}》 to 《{to}》: line {last_line} stops mid-sentence (\"…{}\") and line {} completes it (\"{}…\")", moved.len(), tail(moved[moved.len() - 1].last_piece(src)), cont.line, head(&cont.text(src))));
    notes.warn(WarningKind::JoinedBrokenSentence, cont.pieces[0].range.start, format!("joined a sentence broken across lines {last_line} and {}", cont.line));
    let mut moved = moved;
    let last = moved.last_mut().expect("at least the broken paragraph moves");
    let mut pieces = cont.pieces.into_iter();
    if let Some(mut p) = pieces.next() {
        p.joiner = "";
        last.pieces.push(p);
    }
    last.pieces.extend(pieces);
    docs[t].units.splice(j..j, moved);
    true
}

fn tail(s: &str) -> String {
    let cs: Vec<char> = s.chars().collect();
    cs[cs.len().saturating_sub(8)..].iter().collect()
}

fn head(s: &str) -> String {
    clip(&s.chars().take(8).collect::<String>())
}
