//! The JSON the HTTP API speaks. These structs are the API's own, mapped from the domain
//! types (which may change shape without the API noticing), documented in the OpenAPI
//! document, and read back strictly by clients: the eval's `--url` client deserialises these
//! same structs, so a field the server stopped sending is an error there, not a silent zero.
//! Optional fields are `Option`s; everything else is required.

use std::collections::BTreeMap;

use policyqa_answer::{Answer as DomainAnswer, Citation as DomainCitation, Mode as DomainMode, SentenceFlag};
use policyqa_core::{DocumentInfo, DocumentMeta, Passage as DomainPassage, PassageKind, SourceRef};
use policyqa_retrieval::{Ranked, SearchResult, WeightedTerm};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a passage is cut from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A numbered clause (a 条, a （十）).
    Clause,
    /// Running text that belongs to no clause (news, preambles).
    Paragraph,
}

/// One citable passage with its address and its character offsets in the source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Passage {
    pub id: String,
    pub doc_id: String,
    pub doc_title: String,
    /// Heading path from the document title down to the clause.
    pub address: Vec<String>,
    /// The citation: `《…意见》（十）`, `《中华人民共和国劳动合同法》第十九条`.
    pub label: String,
    pub number: Option<u32>,
    pub part: Option<u32>,
    pub parts: Option<u32>,
    pub kind: Kind,
    pub text: String,
    pub source: String,
    /// Character offsets in the decoded source.
    pub start: usize,
    pub end: usize,
    /// Each source stretch the text came from: `[start, end]` character offsets.
    #[schema(value_type = Vec<Vec<usize>>)]
    pub spans: Vec<[usize; 2]>,
    /// For a passage of a PDF: the (1-based) page it starts on and the one it ends on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_end: Option<u32>,
    /// What its document states about itself, as on [`Document::metadata`].
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, String>,
    /// Where in its file (a web page, a Word file, a PDF) the passage starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

/// A place in a file: `{"kind": "element", "index": 57, "tag": "p"}` (a web page's element,
/// 0-based in document order), `{"kind": "paragraph", "index": 12}` (a Word file's body
/// paragraph, 0-based), `{"kind": "line", "page": 2, "y": 540}` (a PDF page's line, its
/// baseline in points above the bottom edge).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Origin {
    Element { index: usize, tag: String },
    Paragraph { index: usize },
    Line { page: u32, y: u32 },
}

impl From<SourceRef> for Origin {
    fn from(r: SourceRef) -> Self {
        match r {
            SourceRef::Element { index, tag } => Origin::Element { index, tag },
            SourceRef::Paragraph { index } => Origin::Paragraph { index },
            SourceRef::Line { page, y } => Origin::Line { page, y },
        }
    }
}

/// A passage in a ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RankedPassage {
    /// 1-based.
    pub rank: usize,
    pub score: f32,
    #[serde(flatten)]
    pub passage: Passage,
}

/// How the clause-address path went, for a question that names a clause.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ClauseLookup {
    /// The clauses asked for, as written.
    pub asked: Vec<String>,
    pub found: bool,
    /// The clauses the named documents do have, when the asked one is missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available: Option<String>,
}

/// `POST /v1/search`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Search {
    pub query: String,
    pub passages: Vec<RankedPassage>,
    /// `null` unless the question names a clause.
    pub clause_lookup: Option<ClauseLookup>,
    pub warnings: Vec<String>,
}

/// One cited clause.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Citation {
    /// The marker number as it appears in the answer (`[1]`).
    pub marker: usize,
    pub id: String,
    pub label: String,
    pub doc_title: String,
    pub address: Vec<String>,
    /// The sentence of the clause that supports the sentence citing it (a substring of `text`).
    pub quote: String,
    /// Character offsets of `quote` within `text`.
    pub quote_start: usize,
    pub quote_end: usize,
    pub text: String,
    pub source: String,
    /// Character offsets of the clause in its source.
    pub start: usize,
    pub end: usize,
    /// For a clause of a PDF: the (1-based) pages it is on, shown as 第3页.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_end: Option<u32>,
    /// What its document states about itself (文号, 发文机关, dates, URL), as on
    /// [`Document::metadata`]; the widget's citation view shows it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, String>,
}

/// A sentence that failed a check, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Flag {
    pub sentence: String,
    pub reason: String,
}

/// A content word of the question and its weight, as the evidence was read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EvidenceTerm {
    pub term: String,
    pub df: usize,
    pub weight: f32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<String>,
    pub specific: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<String>,
}

/// Who wrote the answer's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// The chat model, every sentence checked.
    Llm,
    /// Sentences copied from the clauses (no model, or the model's answer was unusable).
    Extractive,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Timings {
    pub retrieval_ms: f64,
    pub generation_ms: f64,
    pub total_ms: f64,
}

/// `POST /v1/ask`, and the `done` event of its stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Answer {
    pub question: String,
    /// The question as retrieval saw it, when the history changed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_question: Option<String>,
    pub answer: String,
    pub refused: bool,
    pub mode: Mode,
    pub citations: Vec<Citation>,
    /// The clauses consulted, cited or not.
    pub passages: Vec<RankedPassage>,
    /// Sentences of a chat model's answer left out, each with its reason.
    pub flags: Vec<Flag>,
    /// How many sentences were left out (`flags` lists them).
    #[serde(default)]
    pub dropped_sentences: usize,
    /// Why a configured chat model's answer was not used (`mode` is then `extractive`):
    /// `model_failed`, `echoed_prompt`, `uncited` or `unsupported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<String>,
    /// Of a chat model's answer that was used or left out as unsupported: the share of its
    /// claims' characters that passed the citation checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supported_share: Option<f32>,
    /// The chat model's text as it came, when the request asked for `debug`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_answer_raw: Option<String>,
    pub warnings: Vec<String>,
    /// Evidence strength in [0, 1].
    pub evidence: f32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence_terms: Vec<EvidenceTerm>,
    pub timings: Timings,
}

/// The `retrieval` event of a streamed ask.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RetrievalEvent {
    pub passages: Vec<RankedPassage>,
}

/// The `delta` event of a streamed ask: a sentence that passed the checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DeltaEvent {
    pub text: String,
}

/// A document in the index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Document {
    pub id: String,
    pub title: String,
    pub source: String,
    pub passages: usize,
    /// The format the file was read as: `text`, `html`, `docx`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// What the document states about itself, where it does: `doc_number` (发文字号),
    /// `issuer` (发文机关), `written` (成文日期), `published` (发布日期), `effective` (施行日期),
    /// `index_number` (索引号), `subject` (主题分类), `url` (where it was published).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub metadata: std::collections::BTreeMap<String, String>,
    /// Whether it is in force today, read from the indexed documents' own clauses (absent
    /// for an index built before policyqa read them: ingest again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validity: Option<Validity>,
}

/// A document's validity on a date, with the clauses that say so.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Validity {
    /// `in_force`, `repealed`, `superseded` (a later version applies), `not_yet_in_force`,
    /// `unknown` (nothing indexed says).
    pub status: String,
    /// 在施行 / 已废止 / 已被修订 / 尚未施行 / unknown.
    pub status_zh: String,
    /// The date the status is read on (today in China).
    pub as_of: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// The document that repealed it or took its place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successor_title: Option<String>,
    /// Its 施行日期 as stated (a date, or `on_publication`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// The documents it repeals, as named.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repeals: Vec<String>,
    /// Its versions by id, oldest first, when it has several.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
    pub evidence: Vec<ValidityEvidence>,
}

/// The clause a validity fact was read from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ValidityEvidence {
    pub passage_id: String,
    pub label: String,
    pub quote: String,
}

impl From<policyqa_validity::Evidence> for ValidityEvidence {
    fn from(e: policyqa_validity::Evidence) -> Self {
        ValidityEvidence { passage_id: e.passage_id, label: e.label, quote: e.quote }
    }
}

impl From<policyqa_validity::Standing> for Validity {
    fn from(s: policyqa_validity::Standing) -> Self {
        Validity {
            status: s.status.as_str().to_string(),
            status_zh: s.status_zh.to_string(),
            as_of: s.as_of.to_string(),
            since: s.since.map(|d| d.to_string()),
            successor: s.successor,
            successor_title: s.successor_title,
            effective: s.effective.map(|e| match e {
                policyqa_validity::Effective::On(d) => d.to_string(),
                policyqa_validity::Effective::OnPublication(Some(d)) => format!("{d} (on_publication)"),
                policyqa_validity::Effective::OnPublication(None) => "on_publication".to_string(),
            }),
            expires: s.expires.map(|d| d.to_string()),
            repeals: s.repeals,
            versions: s.versions,
            evidence: s.evidence.into_iter().map(ValidityEvidence::from).collect(),
        }
    }
}

/// `POST /v1/documents`: what the upload became.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AddedDocuments {
    pub documents: Vec<Document>,
    pub passages: Vec<Passage>,
    /// The source already indexed with the same content, when there is one.
    pub duplicate_of: Option<String>,
}

/// `GET /v1/models/{id}`, and each entry of `GET /v1/models` (OpenAI's shape).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Model {
    pub id: String,
    /// Always `"model"`.
    pub object: String,
    /// Unix seconds.
    pub created: u64,
    pub owned_by: String,
}

/// `GET /v1/models`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ModelList {
    /// Always `"list"`.
    pub object: String,
    pub data: Vec<Model>,
}

/// `GET /healthz`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Health {
    pub status: String,
}

/// One check of `GET /readyz`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Check {
    pub ok: bool,
    /// For the index: how many passages it holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passages: Option<usize>,
}

/// `GET /readyz`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Ready {
    pub ready: bool,
    /// `index`, and `chat` / `embeddings` when configured.
    pub checks: BTreeMap<String, Check>,
}

/// Every failure: `{"error": {"code", "message"}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, for programs: `invalid_question`, `not_found`, `index_unavailable`, …
    pub code: String,
    /// For people.
    pub message: String,
}

// ------------------------------------------------------------------ from the domain types

impl From<PassageKind> for Kind {
    fn from(k: PassageKind) -> Self {
        match k {
            PassageKind::Clause => Kind::Clause,
            PassageKind::Paragraph => Kind::Paragraph,
        }
    }
}

impl From<DomainPassage> for Passage {
    fn from(p: DomainPassage) -> Self {
        Passage {
            id: p.id,
            doc_id: p.doc_id,
            doc_title: p.doc_title,
            address: p.address,
            label: p.label,
            number: p.number,
            part: p.part,
            parts: p.parts,
            kind: p.kind.into(),
            text: p.text,
            source: p.source,
            start: p.start,
            end: p.end,
            spans: p.spans,
            page: p.page,
            page_end: p.page_end,
            metadata: p.doc_meta.as_ref().map(metadata_of).unwrap_or_default(),
            origin: p.origin.map(Into::into),
        }
    }
}

impl From<Ranked> for RankedPassage {
    fn from(r: Ranked) -> Self {
        RankedPassage { rank: r.rank, score: r.score, passage: r.passage.into() }
    }
}

impl From<SearchResult> for Search {
    fn from(r: SearchResult) -> Self {
        Search {
            query: r.query,
            passages: r.passages.into_iter().map(Into::into).collect(),
            clause_lookup: r.clause_lookup.map(|c| ClauseLookup { asked: c.asked, found: c.found, available: c.available }),
            warnings: r.warnings,
        }
    }
}

impl From<DomainCitation> for Citation {
    fn from(c: DomainCitation) -> Self {
        Citation {
            marker: c.marker,
            id: c.id,
            label: c.label,
            doc_title: c.doc_title,
            address: c.address,
            quote: c.quote,
            quote_start: c.quote_start,
            quote_end: c.quote_end,
            text: c.text,
            source: c.source,
            start: c.start,
            end: c.end,
            page: c.page,
            page_end: c.page_end,
            metadata: c.doc_meta.as_ref().map(metadata_of).unwrap_or_default(),
        }
    }
}

impl From<SentenceFlag> for Flag {
    fn from(f: SentenceFlag) -> Self {
        Flag { sentence: f.sentence, reason: f.reason }
    }
}

impl From<WeightedTerm> for EvidenceTerm {
    fn from(t: WeightedTerm) -> Self {
        EvidenceTerm { term: t.term, df: t.df, weight: t.weight, alternatives: t.alternatives, specific: t.specific, parts: t.parts }
    }
}

impl From<DomainMode> for Mode {
    fn from(m: DomainMode) -> Self {
        match m {
            DomainMode::Llm => Mode::Llm,
            DomainMode::Extractive => Mode::Extractive,
        }
    }
}

impl From<DomainAnswer> for Answer {
    fn from(a: DomainAnswer) -> Self {
        Answer {
            question: a.question,
            resolved_question: a.resolved_question,
            answer: a.answer,
            refused: a.refused,
            mode: a.mode.into(),
            citations: a.citations.into_iter().map(Into::into).collect(),
            passages: a.passages.into_iter().map(Into::into).collect(),
            flags: a.flags.into_iter().map(Into::into).collect(),
            dropped_sentences: a.dropped_sentences,
            fallback: a.fallback.map(|f| f.as_str().to_string()),
            supported_share: a.supported_share,
            model_answer_raw: a.model_answer_raw,
            warnings: a.warnings,
            evidence: a.evidence,
            evidence_terms: a.evidence_terms.into_iter().map(Into::into).collect(),
            timings: Timings { retrieval_ms: a.timings.retrieval_ms, generation_ms: a.timings.generation_ms, total_ms: a.timings.total_ms },
        }
    }
}

/// A document's stated fields by their wire names, those it states.
fn metadata_of(m: &DocumentMeta) -> BTreeMap<String, String> {
    [
        ("doc_number", &m.doc_number),
        ("issuer", &m.issuer),
        ("written", &m.written),
        ("published", &m.published),
        ("effective", &m.effective),
        ("index_number", &m.index_number),
        ("subject", &m.subject),
        ("url", &m.url),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.clone().map(|v| (k.to_string(), v)))
    .collect()
}

impl From<DocumentInfo> for Document {
    fn from(d: DocumentInfo) -> Self {
        let metadata = metadata_of(&d.meta);
        let format = (!d.meta.format.is_empty()).then(|| d.meta.format.clone());
        Document { id: d.id, title: d.title, source: d.source, passages: d.passages, format, metadata, validity: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The API's field names are its own: a domain answer maps onto exactly the JSON keys
    /// clients read (the widget, the eval's client, the OpenAI-compatible route).
    #[test]
    fn an_answer_has_the_documented_keys() {
        let a = Answer {
            question: "q".into(),
            resolved_question: None,
            answer: "a[1]。".into(),
            refused: false,
            mode: Mode::Extractive,
            citations: vec![],
            passages: vec![],
            flags: vec![],
            dropped_sentences: 0,
            fallback: None,
            supported_share: None,
            model_answer_raw: None,
            warnings: vec![],
            evidence: 0.5,
            evidence_terms: vec![],
            timings: Timings { retrieval_ms: 1.0, generation_ms: 0.0, total_ms: 1.0 },
        };
        let v = serde_json::to_value(&a).unwrap();
        let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["answer", "citations", "dropped_sentences", "evidence", "flags", "mode", "passages", "question", "refused", "timings", "warnings"]);
        assert_eq!(v["mode"], "extractive");
        let back: Answer = serde_json::from_value(v).unwrap();
        assert_eq!(back, a);
    }

    #[test]
    fn a_missing_required_field_is_an_error() {
        let err = serde_json::from_str::<Search>(r#"{"query": "q", "passages": [], "clause_lookup": null}"#).unwrap_err();
        assert!(err.to_string().contains("missing field `warnings`"), "{err}");
    }
}

/// `POST /v1/verify`: each citation of the text, and counts by outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Verification {
    pub as_of: String,
    pub citations: Vec<VerifiedCitation>,
    pub found: usize,
    pub no_such_article: usize,
    pub not_indexed: usize,
    pub repealed: usize,
    /// Citing sentences their clause does not bear out.
    pub unsupported: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct VerifiedCitation {
    /// As written ("《劳动合同法》第十九条", "本法第十条", "第二十条" in a list).
    pub text: String,
    /// Character offsets in the text.
    pub start: usize,
    pub end: usize,
    /// The document's name as written (what 本法 stands for).
    pub document: String,
    pub article: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article_suffix: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paragraph: Option<u32>,
    /// `found`, `no_such_article`, `not_indexed`, `repealed`.
    pub outcome: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_title: Option<String>,
    /// The clause it resolved to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clause: Option<VerifiedClause>,
    /// The document's articles, when the cited one is not among them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<String>,
    /// The indexed document's status on `as_of` (as in `GET /v1/documents`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repealed: Option<RepealedBy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support: Option<CitationSupport>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct VerifiedClause {
    pub passage_id: String,
    pub label: String,
    pub doc_id: String,
    pub doc_title: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RepealedBy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successor_title: Option<String>,
    pub evidence: Vec<ValidityEvidence>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CitationSupport {
    pub sentence: String,
    pub supported: bool,
    pub share: f32,
    pub missing: Vec<String>,
    pub quote: String,
}

impl From<policyqa_answer::Verification> for Verification {
    fn from(v: policyqa_answer::Verification) -> Self {
        let outcome = |o: policyqa_answer::Outcome| match o {
            policyqa_answer::Outcome::Found => "found",
            policyqa_answer::Outcome::NoSuchArticle => "no_such_article",
            policyqa_answer::Outcome::NotIndexed => "not_indexed",
            policyqa_answer::Outcome::Repealed => "repealed",
        };
        Verification {
            as_of: v.as_of.to_string(),
            found: v.found,
            no_such_article: v.no_such_article,
            not_indexed: v.not_indexed,
            repealed: v.repealed,
            unsupported: v.unsupported,
            citations: v
                .citations
                .into_iter()
                .map(|c| VerifiedCitation {
                    text: c.text,
                    start: c.start,
                    end: c.end,
                    document: c.document,
                    article: c.article,
                    article_suffix: c.article_suffix,
                    paragraph: c.paragraph,
                    outcome: outcome(c.outcome).to_string(),
                    doc_id: c.doc_id,
                    doc_title: c.doc_title,
                    clause: c.clause.map(|k| VerifiedClause { passage_id: k.passage_id, label: k.label, doc_id: k.doc_id, doc_title: k.doc_title, text: k.text }),
                    range: c.range,
                    status: c.status.map(|s| s.as_str().to_string()),
                    repealed: c.repealed.map(|r| RepealedBy {
                        since: r.since.map(|d| d.to_string()),
                        successor: r.successor,
                        successor_title: r.successor_title,
                        evidence: r.evidence.into_iter().map(ValidityEvidence::from).collect(),
                    }),
                    support: c.support.map(|s| CitationSupport { sentence: s.sentence, supported: s.supported, share: s.share, missing: s.missing, quote: s.quote }),
                    message: c.message,
                })
                .collect(),
        }
    }
}
