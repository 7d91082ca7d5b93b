//! The citation verifier: any text (a lawyer's draft, another model's answer) → each citation
//! it makes (《劳动合同法》第十九条, 劳动合同法第十九条第二款, 《…意见》（十）, 本法第十条 after a
//! named law, "第十九条、第二十条" after one), resolved against the index: found (which clause),
//! no such article (with the document's range), document not indexed, or repealed (by what,
//! since when, the clause that says so); with the cited document's status on the text's date,
//! and whether the clause bears out the sentence that cites it (its figures, dates and quoted
//! terms must occur there, and enough of its wording), with the supporting quote.
//!
//! Pure over the catalogue and the cited documents' clauses: [`cited_documents`] says which
//! documents' clauses are needed, [`verify_text`] does the rest; [`verify`] fetches them
//! from a retriever.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use policyqa_chunker::lines::fold;
use policyqa_chunker::numerals::parse_number;
use policyqa_core::validity::{Date, Evidence, Status};
use policyqa_core::Passage;
use policyqa_retrieval::{Catalog, Retriever, SearchError};
use regex::Regex;
use serde::Serialize;

use crate::citations::{ClauseIndex, MIN_LEXICAL_SUPPORT};
use crate::text::{bigram_support, bigrams, char_offset, checkable_facts, norm, sentences};

/// Texts longer than this are refused (1 MB verifies well under a second; this is 4 MB).
pub const MAX_VERIFY_BYTES: usize = 4 * 1024 * 1024;

/// What became of one citation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The document is indexed, has the article and is not repealed on the date.
    Found,
    /// The document is indexed but has no such article (or paragraph): see `range`.
    NoSuchArticle,
    /// No indexed document has that name, and no indexed clause repeals it.
    NotIndexed,
    /// Repealed on the date: by an indexed document's clause (`repealed`), indexed or not.
    Repealed,
}

/// The clause a citation resolved to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResolvedClause {
    pub passage_id: String,
    pub label: String,
    pub doc_id: String,
    pub doc_title: String,
    /// The article's text (all its parts; only the cited paragraph when one is cited).
    pub text: String,
}

/// Why a document no longer applies, and what took its place.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Repealed {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<Date>,
    /// The document that repealed it or took its place, when indexed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub successor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub successor_title: Option<String>,
    /// The clauses that say so.
    pub evidence: Vec<Evidence>,
}

/// Whether the cited clause bears out the sentence that cites it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Support {
    /// The citing sentence, as written.
    pub sentence: String,
    pub supported: bool,
    /// Share of the sentence's wording (its citations left out) found in the clause.
    pub share: f32,
    /// Figures, dates and quoted terms of the sentence the clause lacks.
    pub missing: Vec<String>,
    /// The clause's sentence that best supports it.
    pub quote: String,
}

/// One citation found in the text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerifiedCitation {
    /// As written ("《劳动合同法》第十九条", "本法第十条", "第二十条" after another).
    pub text: String,
    /// Character offsets in the text.
    pub start: usize,
    pub end: usize,
    /// The document's name as written (what 本法 stands for, for a reference).
    pub document: String,
    /// The article (条) or, for a 意见's clause, its number ((十) → 10).
    pub article: u32,
    /// 之一, 之二: the article inserted after `article`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub article_suffix: Option<u32>,
    /// 第M款.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paragraph: Option<u32>,
    pub outcome: Outcome,
    /// The indexed document the name resolved to (the version in force on the date).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc_title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clause: Option<ResolvedClause>,
    /// The document's articles ("第一条–第九十八条"), when the cited one is not among them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range: Option<String>,
    /// The indexed document's status on the date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repealed: Option<Repealed>,
    /// For a citing sentence that claims something, whether the clause bears it out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub support: Option<Support>,
    /// What the verifier found, in a sentence.
    pub message: String,
}

/// The verifier's report on one text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verification {
    /// The date statuses are read on.
    pub as_of: Date,
    pub citations: Vec<VerifiedCitation>,
    /// Citations per outcome, and sentences the cited clause does not bear out.
    pub found: usize,
    pub no_such_article: usize,
    pub not_indexed: usize,
    pub repealed: usize,
    pub unsupported: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("the text is {0} bytes; at most {MAX_VERIFY_BYTES} can be verified at once")]
    TooLong(usize),
    #[error(transparent)]
    Search(#[from] SearchError),
}

const NUM: &str = "[零〇一二三四五六七八九十百千两0-9]+";

/// A citation: a name (《…》, or Chinese characters ending in a document type, including
/// 本法/该条例) or a list connector after another citation, then 第N条[之一][第M款][第K项],
/// or, after a bracketed name, a 意见's clause （十）.
static CITATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?:《(?P<bracketed>[^《》\n]{{1,80}})》|(?P<named>\p{{Han}}{{0,40}}?(?:法典|法|条例|规定|办法|细则|规则|解释|决定)))?\s*(?:第\s*(?P<article>{NUM})\s*条(?:之(?P<suffix>[一二三四五六七八九十]+))?(?:\s*第\s*(?P<paragraph>{NUM})\s*款)?(?:\s*第\s*(?P<item>{NUM})\s*项)?|[（(](?P<clause>[一二三四五六七八九十百]+)[）)])"
    ))
    .expect("valid")
});

/// What may stand between two citations of one document: "第十九条、第二十条", "和第三十条".
static CONTINUATION: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\s*(?:、|，|,|和|及|以及|或者|或|与|至|到)\s*$").expect("valid"));

/// Words that refer back to the last named document.
const BACK_REFERENCES: &[&str] = &["本法典", "本法", "该法", "此法", "同法", "本条例", "该条例", "本规定", "该规定", "本办法", "该办法", "本细则", "该细则", "本规则", "本解释", "本决定", "该决定"];

/// Words a name is read after ("根据劳动合同法", "违反本法"): what precedes them is not the name.
static LEAD_IN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^.*(?:根据|依据|依照|按照|参照|适用|违反|对照|遵守|按|依|据|照|由|对|和|与|及|或|的|是|在|了|从|条)").expect("valid"));

/// How a citation names its document.
#[derive(Debug, Clone, PartialEq)]
enum Named {
    Indexed { doc_id: String, name: String },
    /// Not indexed; maybe known repealed.
    Unindexed { name: String },
}

#[derive(Debug, Clone)]
struct Reference {
    range: (usize, usize),
    document: Named,
    article: u32,
    /// Written as a 意见's clause, （十）.
    clause_form: bool,
    suffix: Option<u32>,
    paragraph: Option<u32>,
}

fn number(s: &str) -> Option<u32> {
    if s.chars().all(|c| c.is_ascii_digit()) {
        s.parse().ok()
    } else {
        parse_number(&s.replace('两', "二"))
    }
}

/// The document a run of characters before 第N条 names, and where in the run its name
/// starts: the longest of the run's endings that is an indexed document's name, a repealed
/// one's, or a back reference (本法: the last named document); else what follows the run's
/// last lead-in word ("根据某某条例" → 某某条例), when that is long enough to be a name.
fn name_in(run: &str, catalog: &Catalog, last: Option<&Named>) -> Option<(Named, usize)> {
    for (i, _) in run.char_indices() {
        let tail = &run[i..];
        if BACK_REFERENCES.contains(&tail) {
            return last.cloned().map(|n| (n, i));
        }
        if let Some(d) = catalog.document_named(tail) {
            return Some((Named::Indexed { doc_id: d.id.clone(), name: tail.to_string() }, i));
        }
        if tail.chars().count() >= 3 && catalog.validity.repeal_of(tail).is_some() {
            return Some((Named::Unindexed { name: tail.to_string() }, i));
        }
    }
    let lead = LEAD_IN.find(run).map_or(0, |m| m.end());
    let name = &run[lead..];
    (name.chars().count() >= 4).then(|| (Named::Unindexed { name: name.to_string() }, lead))
}

fn bracketed_name(name: &str, catalog: &Catalog) -> Named {
    match catalog.document_named(name) {
        Some(d) => Named::Indexed { doc_id: d.id.clone(), name: name.to_string() },
        None => Named::Unindexed { name: name.to_string() },
    }
}

/// The citations of a text, each with the document it names (resolved by name only).
fn references(text: &str, catalog: &Catalog) -> Vec<Reference> {
    // Names repeat in a long text: each run of characters is resolved once (a back
    // reference depends on what came before, so is never cached).
    let mut resolved: HashMap<String, Option<(Named, usize)>> = HashMap::new();
    let mut out: Vec<Reference> = Vec::new();
    let mut last: Option<Named> = None;
    let mut last_end: Option<usize> = None;
    // 本法 may refer to a law the text named without citing an article ("《劳动合同法》对试用期
    // 有规定……本法第十九条").
    let mentions: Vec<(usize, String)> = MENTION.captures_iter(text).map(|c| (c.get(0).expect("match").start(), fold(&c[1]).trim().to_string())).collect();
    let mut mentioned = 0;
    let mut last_at = 0;
    for c in CITATION.captures_iter(text) {
        let whole = c.get(0).expect("match");
        while mentioned < mentions.len() && mentions[mentioned].0 < whole.start() {
            if mentions[mentioned].0 >= last_at {
                last = Some(bracketed_name(&mentions[mentioned].1, catalog));
            }
            mentioned += 1;
        }
        let clause_form = c.name("clause").is_some();
        let (document, start) = if let Some(b) = c.name("bracketed") {
            (Some(bracketed_name(fold(b.as_str()).trim(), catalog)), whole.start())
        } else if let Some(run) = c.name("named")
            && !clause_form
        {
            // Full-width forms are folded only where they are not Chinese characters, so the
            // run keeps its byte offsets.
            let r = run.as_str();
            let found = if BACK_REFERENCES.iter().any(|b| r.ends_with(b)) {
                name_in(r, catalog, last.as_ref())
            } else {
                resolved.entry(r.to_string()).or_insert_with(|| name_in(r, catalog, None)).clone()
            };
            match found {
                Some((n, at)) => (Some(n), run.start() + at),
                None => (None, whole.start()),
            }
        } else {
            (None, whole.start())
        };
        // A bare 第N条 belongs to the citation it follows in a list; a bare (十) to none.
        let document = match document {
            Some(d) => Some(d),
            None if !clause_form && last_end.is_some_and(|e| e <= whole.start() && CONTINUATION.is_match(&text[e..whole.start()])) => last.clone(),
            None => None,
        };
        let Some(document) = document else { continue };
        if clause_form && c.name("bracketed").is_none() {
            continue;
        }
        let Some(article) = c.name("article").or(c.name("clause")).and_then(|m| number(m.as_str())) else { continue };
        // A list's bare 第N条 starts at its 第, not at the connector.
        let start = if c.name("bracketed").is_none() && c.name("named").is_none() { c.name("article").map_or(start, |m| text[..m.start()].rfind('第').unwrap_or(start)) } else { start };
        out.push(Reference {
            range: (start, whole.end()),
            document: document.clone(),
            article,
            clause_form,
            suffix: c.name("suffix").and_then(|m| number(m.as_str())),
            paragraph: c.name("paragraph").and_then(|m| number(m.as_str())),
        });
        last = Some(document);
        last_end = Some(whole.end());
        last_at = whole.end();
    }
    out
}

static MENTION: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"《([^《》\n]{1,80})》").expect("valid"));

/// The indexed documents whose clauses [`verify_text`] needs: those cited, in the version
/// in force on `date`.
pub fn cited_documents(text: &str, catalog: &Catalog, date: Date) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in references(text, catalog) {
        if let Named::Indexed { doc_id, .. } = &r.document {
            let id = version_on(catalog, doc_id, date);
            if !out.contains(&id) {
                out.push(id);
            }
        }
    }
    out
}

fn version_on(catalog: &Catalog, doc_id: &str, date: Date) -> String {
    catalog.validity.version_in_force(doc_id, date).map_or_else(|| doc_id.to_string(), |v| v.doc_id.clone())
}

/// A document's articles, by number and suffix, their parts in order.
struct Articles {
    by_number: HashMap<(u32, Option<u32>), Vec<Passage>>,
    range: Option<String>,
}

static ARTICLE_SUFFIX: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"条之([一二三四五六七八九十]+)$").expect("valid"));

impl Articles {
    fn new(clauses: &[Passage]) -> Self {
        let mut by_number: HashMap<(u32, Option<u32>), Vec<Passage>> = HashMap::new();
        for p in clauses {
            let Some(n) = p.number else { continue };
            let suffix = ARTICLE_SUFFIX.captures(&p.label).and_then(|c| number(&c[1]));
            by_number.entry((n, suffix)).or_default().push(p.clone());
        }
        for parts in by_number.values_mut() {
            parts.sort_by_key(|p| p.part.unwrap_or(0));
        }
        let label = |p: &Passage| p.label.rsplit('》').next().unwrap_or("").to_string();
        let first = by_number.iter().filter(|(k, _)| k.1.is_none()).min_by_key(|(k, _)| k.0).map(|(_, v)| label(&v[0]));
        let last = by_number.iter().filter(|(k, _)| k.1.is_none()).max_by_key(|(k, _)| k.0).map(|(_, v)| label(&v[0]));
        let range = match (first, last) {
            (Some(a), Some(b)) if a != b => Some(format!("{a}–{b}")),
            (Some(a), _) => Some(a),
            _ => None,
        };
        Articles { by_number, range }
    }
}

/// Verifies every citation of `text` against the catalogue and the cited documents' clauses
/// (`clauses`: doc id → its clauses, for the ids [`cited_documents`] gave).
pub fn verify_text(text: &str, catalog: &Catalog, date: Date, clauses: &HashMap<String, Vec<Passage>>) -> Verification {
    let refs = references(text, catalog);
    let articles: HashMap<&str, Articles> = clauses.iter().map(|(id, c)| (id.as_str(), Articles::new(c))).collect();
    let spans = sentences(text);
    let sentence_of = |at: usize| spans.iter().copied().find(|&(a, b)| a <= at && at < b).unwrap_or((at, at));
    let mut indexes: HashMap<String, ClauseIndex> = HashMap::new();
    let mut citations = Vec::new();
    for r in &refs {
        let (a, b) = r.range;
        let written = text[a..b].to_string();
        let label = |name: &str| {
            if r.clause_form {
                return format!("《{name}》（{}）", chinese(r.article));
            }
            let mut s = format!("《{name}》第{}条", chinese(r.article));
            if let Some(x) = r.suffix {
                s.push_str(&format!("之{}", chinese(x)));
            }
            if let Some(p) = r.paragraph {
                s.push_str(&format!("第{}款", chinese(p)));
            }
            s
        };
        let mut v = VerifiedCitation {
            text: written,
            start: char_offset(text, a),
            end: char_offset(text, b),
            document: String::new(),
            article: r.article,
            article_suffix: r.suffix,
            paragraph: r.paragraph,
            outcome: Outcome::NotIndexed,
            doc_id: None,
            doc_title: None,
            clause: None,
            range: None,
            status: None,
            repealed: None,
            support: None,
            message: String::new(),
        };
        match &r.document {
            Named::Unindexed { name } => {
                v.document = name.clone();
                match catalog.validity.repeal_of(name) {
                    Some(rep) => {
                        v.outcome = Outcome::Repealed;
                        let successor_title = catalog.documents.iter().find(|d| d.id == rep.by_doc_id).map(|d| d.title.clone());
                        v.message = format!(
                            "《{name}》 is not indexed; it was repealed{} by {}{}",
                            rep.since.map(|d| format!(" on {d}")).unwrap_or_default(),
                            rep.evidence.label,
                            successor_title.as_ref().map(|t| format!(" (see 《{t}》)")).unwrap_or_default()
                        );
                        v.repealed = Some(Repealed { since: rep.since, successor: Some(rep.by_doc_id.clone()), successor_title, evidence: vec![rep.evidence.clone()] });
                    }
                    None => v.message = format!("no indexed document is named 《{name}》"),
                }
            }
            Named::Indexed { doc_id, name } => {
                v.document = name.clone();
                let id = version_on(catalog, doc_id, date);
                let title = catalog.documents.iter().find(|d| d.id == id).map(|d| d.title.clone()).unwrap_or_else(|| name.clone());
                v.doc_id = Some(id.clone());
                v.doc_title = Some(title.clone());
                let report = catalog.validity.status(&id, date);
                v.status = report.as_ref().map(|s| s.status);
                let docs = articles.get(id.as_str());
                let parts = docs.and_then(|d| d.by_number.get(&(r.article, r.suffix)));
                match parts {
                    None => {
                        v.outcome = Outcome::NoSuchArticle;
                        v.range = docs.and_then(|d| d.range.clone());
                        let asked = label(&title);
                        v.message = format!("no {asked} (no such article){}", v.range.as_ref().map(|r| format!("; its articles: {r}")).unwrap_or_default());
                    }
                    Some(parts) => {
                        let whole: String = parts.iter().map(|p| p.text.as_str()).collect::<Vec<_>>().join("\n");
                        let paragraphs: Vec<&str> = whole.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
                        let cited = match r.paragraph {
                            Some(m) => paragraphs.get(m as usize - 1).map(|s| s.to_string()),
                            None => Some(whole.clone()),
                        };
                        match cited {
                            None => {
                                v.outcome = Outcome::NoSuchArticle;
                                v.range = Some(format!("{}款", chinese(paragraphs.len() as u32)));
                                v.message = format!("{} has {} paragraph(s) (款)", parts[0].label, paragraphs.len());
                            }
                            Some(clause_text) => {
                                v.outcome = Outcome::Found;
                                v.message = format!("{} found", label(&title));
                                v.clause = Some(ResolvedClause { passage_id: parts[0].id.clone(), label: label(&title), doc_id: id.clone(), doc_title: title.clone(), text: clause_text.clone() });
                                let (sa, sb) = sentence_of(a);
                                let sentence = &text[sa..sb];
                                // The claim is the sentence without its citations.
                                let mut claim = sentence.to_string();
                                for other in refs.iter().filter(|o| o.range.0 >= sa && o.range.1 <= sb) {
                                    claim = claim.replace(&text[other.range.0..other.range.1], "");
                                }
                                let claim = claim.replace(['《', '》'], "");
                                if claim.chars().filter(|c| c.is_alphanumeric()).count() >= 6 {
                                    let index = indexes.entry(format!("{}|{:?}", parts[0].id, r.paragraph)).or_insert_with(|| ClauseIndex::new(&clause_text));
                                    let missing: Vec<String> = checkable_facts(&claim).into_iter().filter(|f| !index.holds_fact(f)).collect();
                                    let claim_bigrams = bigrams(&norm(&claim));
                                    let share = bigram_support(&claim_bigrams, &index.all);
                                    let quote = index.best_sentence(&clause_text, &claim_bigrams);
                                    let supported = missing.is_empty() && share >= MIN_LEXICAL_SUPPORT;
                                    v.support = Some(Support { sentence: sentence.to_string(), supported, share, missing, quote });
                                }
                            }
                        }
                    }
                }
                if let Some(s) = report.filter(|s| matches!(s.status, Status::Repealed | Status::Superseded)) {
                    let successor_title = s.successor.as_deref().and_then(|sid| catalog.documents.iter().find(|d| d.id == sid)).map(|d| d.title.clone());
                    // A repealed law's missing article is still no such article.
                    if s.status == Status::Repealed && v.outcome == Outcome::Found {
                        v.outcome = Outcome::Repealed;
                    }
                    v.message = format!(
                        "{}; 《{title}》 is {} on {date}{}",
                        v.message,
                        s.status.chinese(),
                        successor_title.as_ref().map(|t| format!(" (see 《{t}》)")).unwrap_or_default()
                    );
                    v.repealed = Some(Repealed { since: s.since, successor: s.successor, successor_title, evidence: s.evidence });
                }
            }
        }
        citations.push(v);
    }
    let count = |o: Outcome| citations.iter().filter(|c| c.outcome == o).count();
    Verification {
        as_of: date,
        found: count(Outcome::Found),
        no_such_article: count(Outcome::NoSuchArticle),
        not_indexed: count(Outcome::NotIndexed),
        repealed: count(Outcome::Repealed),
        unsupported: citations.iter().filter(|c| c.support.as_ref().is_some_and(|s| !s.supported)).count(),
        citations,
    }
}

/// Verifies a text against a retriever's index on `date`.
pub async fn verify(retriever: &Retriever, text: &str, date: Date) -> Result<Verification, VerifyError> {
    if text.len() > MAX_VERIFY_BYTES {
        return Err(VerifyError::TooLong(text.len()));
    }
    let catalog = retriever.catalog();
    let mut clauses = HashMap::new();
    let mut seen = HashSet::new();
    for id in cited_documents(text, catalog, date) {
        if seen.insert(id.clone()) {
            clauses.insert(id.clone(), retriever.clauses_of(&id).await?);
        }
    }
    Ok(verify_text(text, catalog, date, &clauses))
}

/// 19 → 十九, 1260 → 一千二百六十 (as laws number their articles).
fn chinese(n: u32) -> String {
    const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    if n == 0 {
        return "零".into();
    }
    let units = [(1000, '千'), (100, '百'), (10, '十')];
    let mut out = String::new();
    let mut rest = n;
    let mut zero = false;
    for (value, unit) in units {
        let d = rest / value;
        rest %= value;
        if d > 0 {
            if zero {
                out.push('零');
                zero = false;
            }
            if !(value == 10 && d == 1 && out.is_empty()) {
                out.push(DIGITS[d as usize]);
            }
            out.push(unit);
        } else if !out.is_empty() {
            zero = true;
        }
    }
    if rest > 0 {
        if zero {
            out.push('零');
        }
        out.push(DIGITS[rest as usize]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::chinese;

    #[test]
    fn article_numbers_are_written_as_laws_write_them() {
        for (n, s) in [(1, "一"), (10, "十"), (19, "十九"), (20, "二十"), (101, "一百零一"), (110, "一百一十"), (1260, "一千二百六十"), (1079, "一千零七十九"), (1005, "一千零五")] {
            assert_eq!(chinese(n), s, "{n}");
        }
    }
}
