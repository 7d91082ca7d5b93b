//! Citation checking, for model answers and extractive ones alike.
//!
//! Markers `[n]` point into the clauses the answer was given (clause `n` is `passages[n-1]`).
//! The checker reads the answer sentence by sentence, as it streams: a marker outside the
//! given clauses is removed and reported; markers are renumbered in order of first use (the
//! reader sees [1], [2], … as footnotes); each cited sentence is checked against its clauses
//! (its numbers, dates and quoted terms must occur in one of them, and enough of its wording
//! must) and a sentence that fails is flagged. Each citation carries `quote`: the sentence of
//! the clause that best supports the sentence that cites it.

use std::collections::HashSet;
use std::sync::LazyLock;

use policyqa_core::{DocumentMeta, Passage};
use regex::Regex;
use serde::Serialize;

use crate::text::{bigram_support, bigrams, char_offset, checkable_facts, is_closer, is_terminator, norm, sentences};

/// Below this share of its wording found in the cited clause, a sentence is unsupported.
pub const MIN_LEXICAL_SUPPORT: f32 = 0.35;

static MARKER: LazyLock<Regex> = LazyLock::new(|| {
    // [3], 【3】, [1,3], [1、3], [1][3]; also the full-width ［3］.
    Regex::new(r"[\[【［]\s*(\d{1,3}(?:\s*[,，、]\s*\d{1,3})*)\s*[\]】］]").unwrap()
});

/// The clause numbers a text's markers refer to ("[1]", "【2、3】"), in order of first use.
pub fn marker_numbers(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    for c in MARKER.captures_iter(text) {
        for n in c[1].split([',', '，', '、']).filter_map(|x| x.trim().parse::<usize>().ok()) {
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    out
}

/// One cited clause, as the reader gets it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Citation {
    /// The marker number as it appears in the answer.
    pub marker: usize,
    pub id: String,
    pub label: String,
    pub doc_title: String,
    pub address: Vec<String>,
    /// The part of the clause that supports the sentence citing it (a substring of `text`).
    pub quote: String,
    /// Character offsets of `quote` within `text`.
    pub quote_start: usize,
    pub quote_end: usize,
    pub text: String,
    pub source: String,
    /// Character offsets of the clause in its source file.
    pub start: usize,
    pub end: usize,
    /// The pages of a PDF the clause is on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_end: Option<u32>,
    /// What the clause's document states about itself (文号, 发文机关, dates, URL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc_meta: Option<DocumentMeta>,
}

/// What the checker found wrong with one sentence.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SentenceFlag {
    pub sentence: String,
    pub reason: String,
}

/// The checker's output for one finished sentence.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    /// The sentence as the reader gets it (bad markers removed, markers renumbered).
    pub text: String,
    /// Citations used for the first time in this sentence.
    pub new_citations: Vec<Citation>,
}

pub struct CitationChecker<'a> {
    passages: &'a [Passage],
    /// Bigram sets of each clause and of each of its sentences, computed on first use.
    clause_bigrams: Vec<Option<ClauseIndex>>,
    buffer: String,
    /// Old marker (1-based into `passages`) → new marker.
    renumbered: Vec<(usize, usize)>,
    pub citations: Vec<Citation>,
    pub flags: Vec<SentenceFlag>,
    pub warnings: Vec<String>,
    pub text: String,
    /// Sentences with a claim and at least one valid marker (their own, or the marker that
    /// ends the run of sentences they open).
    pub cited_sentences: usize,
    pub uncited_sentences: usize,
    /// Sentences left out of the answer: a claim without a marker to a given clause, or one
    /// whose figures, dates or quoted terms are not in its clause, or too little of whose
    /// wording is (each listed in `flags` with its reason).
    pub dropped_sentences: usize,
    /// Characters of claims that passed and of those dropped: how much of a model's answer
    /// its citations bear out.
    pub passed_chars: usize,
    pub dropped_chars: usize,
    /// Sentences without a marker, waiting for the marker that ends their run ("A。B。C[1]。":
    /// one marker for consecutive sentences of one clause). They are checked against it, and
    /// released with it; at the end of the answer, left uncited.
    pending: Vec<String>,
}

/// A sentence's byte range in its clause, with its bigrams.
type SentenceBigrams = ((usize, usize), HashSet<(char, char)>);

pub(crate) struct ClauseIndex {
    norm: String,
    /// Digits written out: 六个月 → 6个月, for comparing figures written either way.
    norm_digits: String,
    sentences: Vec<SentenceBigrams>,
    pub(crate) all: HashSet<(char, char)>,
}

impl ClauseIndex {
    pub(crate) fn new(text: &str) -> Self {
        let n = norm(text);
        let sentences = sentences(text).into_iter().map(|(a, b)| ((a, b), bigrams(&norm(&text[a..b])))).collect();
        ClauseIndex { norm_digits: chinese_numbers_to_digits(&n), all: bigrams(&n), norm: n, sentences }
    }

    pub(crate) fn holds_fact(&self, fact: &str) -> bool {
        self.norm.contains(fact) || self.norm_digits.contains(fact) || self.norm_digits.contains(&chinese_numbers_to_digits(fact))
    }

    /// The sentence of the clause (`text`, the one indexed) whose wording best supports a claim.
    pub(crate) fn best_sentence(&self, text: &str, claim: &HashSet<(char, char)>) -> String {
        let best = self.sentences.iter().map(|(range, b)| (*range, bigram_support(claim, b))).fold(None::<((usize, usize), f32)>, |best, (r, s)| match best {
            Some((_, bs)) if bs >= s => best,
            _ => Some((r, s)),
        });
        best.map_or_else(|| text.to_string(), |((a, b), _)| text[a..b].to_string())
    }
}

static CHINESE_NUMBER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[零〇一二两三四五六七八九十百千]+").unwrap());

fn chinese_numbers_to_digits(s: &str) -> String {
    CHINESE_NUMBER
        .replace_all(s, |c: &regex::Captures| {
            let m = &c[0];
            match policyqa_chunker::numerals::parse_number(&m.replace('两', "二")) {
                Some(n) if m.chars().count() > 1 || !"一二两".contains(m) => n.to_string(),
                _ => m.to_string(),
            }
        })
        .into_owned()
}

/// Whether a sentence has nothing to check: punctuation, a lead-in such as "根据规定：".
fn is_claim(s: &str) -> bool {
    s.chars().filter(|c| c.is_alphanumeric()).count() >= 6
}

impl<'a> CitationChecker<'a> {
    /// The share of the claims' characters that passed (1 when nothing claimed anything).
    pub fn supported_share(&self) -> f32 {
        let claims = self.passed_chars + self.dropped_chars;
        if claims == 0 { 1.0 } else { self.passed_chars as f32 / claims as f32 }
    }

    pub fn new(passages: &'a [Passage]) -> Self {
        CitationChecker {
            passages,
            clause_bigrams: (0..passages.len()).map(|_| None).collect(),
            buffer: String::new(),
            renumbered: Vec::new(),
            citations: Vec::new(),
            flags: Vec::new(),
            warnings: Vec::new(),
            text: String::new(),
            cited_sentences: 0,
            uncited_sentences: 0,
            dropped_sentences: 0,
            passed_chars: 0,
            dropped_chars: 0,
            pending: Vec::new(),
        }
    }

    /// Feeds streamed text; returns the sentences it completed (a sentence without a marker
    /// comes out with the marker that ends its run).
    pub fn push(&mut self, delta: &str) -> Vec<Checked> {
        self.buffer.push_str(delta);
        let mut out = Vec::new();
        while let Some(end) = self.complete_sentence_end() {
            let sentence: String = self.buffer.drain(..end).collect();
            out.extend(self.sentence(&sentence));
        }
        out
    }

    /// Ends the stream: checks what is left; sentences still waiting for a marker are uncited.
    pub fn finish(&mut self) -> Vec<Checked> {
        let rest = std::mem::take(&mut self.buffer);
        let mut out = if rest.is_empty() { vec![] } else { self.sentence(&rest) };
        for p in std::mem::take(&mut self.pending) {
            out.push(self.check_sentence(&p, &[]));
        }
        out
    }

    /// One finished sentence: held while it waits for a marker, or checked with those that
    /// waited for it.
    fn sentence(&mut self, sentence: &str) -> Vec<Checked> {
        let own = self.valid_markers(sentence);
        let claim = is_claim(&norm(&MARKER.replace_all(sentence, "")));
        if own.is_empty() && (claim || !self.pending.is_empty()) {
            self.pending.push(sentence.to_string());
            return vec![];
        }
        let mut out: Vec<Checked> = std::mem::take(&mut self.pending).into_iter().map(|p| self.check_sentence(&p, &own)).collect();
        out.push(self.check_sentence(sentence, &[]));
        out
    }

    /// The markers of a sentence that point to a given clause, in order, once each.
    fn valid_markers(&self, sentence: &str) -> Vec<usize> {
        let mut cited = Vec::new();
        for c in MARKER.captures_iter(sentence) {
            for n in c[1].split([',', '，', '、']).filter_map(|s| s.trim().parse::<usize>().ok()) {
                if n >= 1 && n <= self.passages.len() && !cited.contains(&n) {
                    cited.push(n);
                }
            }
        }
        cited
    }

    /// The byte end of the first finished sentence in the buffer: a terminator, its closing
    /// marks and the markers right after it, followed by something that is not a marker (so a
    /// marker written after the full stop stays with its sentence).
    fn complete_sentence_end(&self) -> Option<usize> {
        let b = &self.buffer;
        let (i, c) = b.char_indices().find(|&(_, c)| is_terminator(c))?;
        let mut end = i + c.len_utf8();
        loop {
            let rest = &b[end..];
            let trimmed = rest.trim_start_matches([' ', '　']);
            if trimmed.is_empty() {
                return None; // more may come
            }
            if let Some(m) = MARKER.find(trimmed).filter(|m| m.start() == 0) {
                end += rest.len() - trimmed.len() + m.end();
                continue;
            }
            // An unfinished marker ("[", "[1") at the end of the buffer: wait for it.
            if trimmed.len() < 6 && trimmed.starts_with(['[', '【', '［']) && !trimmed.contains([']', '】', '］']) {
                return None;
            }
            let closer = trimmed.chars().next().filter(|&c| is_closer(c));
            if let Some(c) = closer {
                end += rest.len() - trimmed.len() + c.len_utf8();
                continue;
            }
            return Some(end);
        }
    }

    fn index(&mut self, i: usize) -> &ClauseIndex {
        if self.clause_bigrams[i].is_none() {
            self.clause_bigrams[i] = Some(ClauseIndex::new(&self.passages[i].text));
        }
        self.clause_bigrams[i].as_ref().expect("just built")
    }

    /// Checks one sentence; `inherited`: the markers of the sentence that ends its run, when
    /// it has none of its own.
    fn check_sentence(&mut self, sentence: &str, inherited: &[usize]) -> Checked {
        // 1. Markers: keep the valid ones (in order, once each), drop and report the rest.
        let mut cited: Vec<usize> = Vec::new();
        let mut bad: Vec<String> = Vec::new();
        for c in MARKER.captures_iter(sentence) {
            for n in c[1].split([',', '，', '、']).filter_map(|s| s.trim().parse::<usize>().ok()) {
                if n >= 1 && n <= self.passages.len() {
                    if !cited.contains(&n) {
                        cited.push(n);
                    }
                } else {
                    bad.push(format!("[{n}]"));
                }
            }
        }
        for b in &bad {
            self.warnings.push(format!("marker {b} does not point to a retrieved clause; removed"));
        }
        let claim = MARKER.replace_all(sentence, "").to_string();
        let claim_norm = norm(&claim);
        let mut new_citations = Vec::new();
        // A sentence that states something checkable (a claim: six letters or digits or more)
        // ships only with a marker to a clause that bears it out; a connective ("具体如下：")
        // states nothing and passes without one.
        if is_claim(&claim_norm) {
            let support = if cited.is_empty() { inherited.to_vec() } else { cited.clone() };
            let failed = if support.is_empty() {
                self.uncited_sentences += 1;
                Some("cites no clause".to_string())
            } else {
                self.check_support(&claim, &claim_norm, &support)
            };
            let chars = claim_norm.chars().count();
            if let Some(reason) = failed {
                self.dropped_sentences += 1;
                self.dropped_chars += chars;
                self.flags.push(SentenceFlag { sentence: claim.trim().to_string(), reason: format!("dropped: {reason}") });
                return Checked::default();
            }
            self.cited_sentences += 1;
            self.passed_chars += chars;
        }
        // 2. Renumber and attach citations (quote: the best-supporting sentence of the clause).
        let claim_bigrams = bigrams(&claim_norm);
        for &old in &cited {
            if !self.renumbered.iter().any(|(o, _)| *o == old) {
                let n = self.renumbered.len() + 1;
                self.renumbered.push((old, n));
                let citation = self.citation(old - 1, n, &claim_bigrams);
                self.citations.push(citation.clone());
                new_citations.push(citation);
            }
        }
        // 3. The sentence as the reader gets it: markers in place, renumbered; removed markers gone.
        let text = MARKER
            .replace_all(sentence, |c: &regex::Captures| {
                let mut s = String::new();
                for n in c[1].split([',', '，', '、']).filter_map(|s| s.trim().parse::<usize>().ok()) {
                    if let Some(&(_, new)) = self.renumbered.iter().find(|(o, _)| *o == n)
                        && cited.contains(&n)
                    {
                        s.push_str(&format!("[{new}]"));
                    }
                }
                s
            })
            .to_string();
        self.text.push_str(&text);
        Checked { text, new_citations }
    }

    /// Why the cited clauses do not bear the claim out, if they do not: a figure, date or
    /// quoted term they lack, or too little of its wording.
    fn check_support(&mut self, claim: &str, claim_norm: &str, cited: &[usize]) -> Option<String> {
        let facts = checkable_facts(claim);
        let claim_bigrams = bigrams(claim_norm);
        let mut missing: Vec<String> = Vec::new();
        for f in &facts {
            let found = cited.iter().any(|&n| self.index(n - 1).holds_fact(f));
            if !found {
                missing.push(f.clone());
            }
        }
        let support = cited.iter().map(|&n| bigram_support(&claim_bigrams, &self.index(n - 1).all)).fold(0.0f32, f32::max);
        if !missing.is_empty() {
            return Some(format!("not in the cited clause: {}", missing.join("、")));
        }
        (support < MIN_LEXICAL_SUPPORT).then(|| format!("weakly supported by the cited clause ({:.0}% of its wording)", support * 100.0))
    }

    fn citation(&mut self, i: usize, marker: usize, claim: &HashSet<(char, char)>) -> Citation {
        let p = &self.passages[i];
        let idx = self.index(i);
        let best = idx
            .sentences
            .iter()
            .map(|(range, b)| (*range, bigram_support(claim, b)))
            .fold(None::<((usize, usize), f32)>, |best, (r, s)| match best {
                Some((_, bs)) if bs >= s => best,
                _ => Some((r, s)),
            });
        let (a, b) = best.map_or((0, p.text.len()), |(r, _)| r);
        Citation {
            marker,
            id: p.id.clone(),
            label: p.label.clone(),
            doc_title: p.doc_title.clone(),
            address: p.address.clone(),
            quote: p.text[a..b].to_string(),
            quote_start: char_offset(&p.text, a),
            quote_end: char_offset(&p.text, b),
            text: p.text.clone(),
            source: p.source.clone(),
            start: p.start,
            end: p.end,
            page: p.page,
            page_end: p.page_end,
            doc_meta: p.doc_meta.clone(),
        }
    }
}

/// Checks a whole answer at once.
pub fn check_answer<'a>(answer: &str, passages: &'a [Passage]) -> CitationChecker<'a> {
    let mut checker = CitationChecker::new(passages);
    checker.push(answer);
    checker.finish();
    checker
}
