//! Evaluation datasets, retrieval and answer metrics, and the reports people read.
//!
//! A dataset is JSON Lines of `{"id", "question", "gold": [spans], "facts": [...], "kind"}`.
//! A retrieved passage is a hit when its text contains a gold span after NFKC normalisation
//! with all white space removed (the same rule as the peer benchmark).
//!
//! The questions go to an [`EvalTarget`]: the in-process pipeline ([`InProcess`], the same
//! retriever and answerer the server uses) or a running server ([`http::HttpTarget`], reading
//! the server's own wire structs). [`run`] is a whole run: datasets, the peer
//! ([`peer`]), the gates, the baseline and the report files.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use policyqa_answer::{Answerer, AskRequest};
use policyqa_pipeline::Pipeline;
use serde::{Deserialize, Serialize};

pub mod http;
pub mod judge;
pub mod peer;
pub mod render;
pub mod report;
pub mod run;

/// One retrieved passage, as much as the metrics and the reports need.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RetrievedPassage {
    pub id: String,
    pub label: String,
    pub text: String,
}

/// What a target's search returned.
#[derive(Debug, Clone)]
pub struct Retrieved {
    pub passages: Vec<RetrievedPassage>,
    pub millis: f64,
    /// For a question naming a clause: whether the clause exists.
    pub clause_found: Option<bool>,
}

/// One citation of an answer.
#[derive(Debug, Clone)]
pub struct AnsweredCitation {
    pub marker: usize,
    pub label: String,
    pub text: String,
    pub quote: String,
}

/// What a target's answer was.
#[derive(Debug, Clone)]
pub struct Answered {
    pub answer: String,
    pub refused: bool,
    pub mode: String,
    /// Why a configured chat model's answer was not used.
    pub fallback: Option<String>,
    /// The share of a chat model's claims that passed the citation checks.
    pub supported_share: Option<f32>,
    pub evidence: f32,
    pub citations: Vec<AnsweredCitation>,
    pub flags: usize,
    pub warnings: Vec<String>,
    pub millis: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// The target failed for a reason that may pass (a server restarting, a timeout).
    #[error("the target is unavailable: {0}")]
    Unavailable(String),
    /// The target answered with something unusable (a 4xx, a malformed body).
    #[error("the target failed: {0}")]
    Failed(String),
    /// The target cannot be used as given (a URL that is not http(s)).
    #[error("{0}")]
    InvalidTarget(String),
}

/// Where the questions go: the in-process pipeline, or a server over HTTP.
pub trait EvalTarget {
    /// "in-process" or the server's URL.
    fn describe(&self) -> String;
    fn search(&self, question: &str, top_k: usize, filters: &Filters) -> impl Future<Output = Result<Retrieved, EvalError>> + Send;
    fn ask(&self, question: &str, filters: &Filters) -> impl Future<Output = Result<Answered, EvalError>> + Send;
}

/// The retriever and answerer the server uses, called directly.
pub struct InProcess {
    pub answerer: Arc<Answerer>,
}

impl InProcess {
    pub fn new(pipeline: &Pipeline) -> Self {
        InProcess { answerer: pipeline.answerer().clone() }
    }
}

/// How an answer's mode reads in reports: its name on the wire ("llm", "extractive").
pub(crate) fn mode_name(mode: impl Serialize) -> String {
    serde_json::to_value(mode).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()
}

impl EvalTarget for InProcess {
    fn describe(&self) -> String {
        "in-process".into()
    }

    async fn search(&self, question: &str, top_k: usize, filters: &Filters) -> Result<Retrieved, EvalError> {
        let filter = document_filter(filters).map_err(EvalError::Failed)?;
        let r = self.answerer.retriever().search_filtered(question, top_k, &filter).await.map_err(|e| EvalError::Failed(e.to_string()))?;
        Ok(Retrieved {
            passages: r.passages.iter().map(|p| RetrievedPassage { id: p.passage.id.clone(), label: p.passage.label.clone(), text: p.passage.text.clone() }).collect(),
            millis: r.millis,
            clause_found: r.clause_lookup.as_ref().map(|c| c.found),
        })
    }

    async fn ask(&self, question: &str, filters: &Filters) -> Result<Answered, EvalError> {
        let filter = document_filter(filters).map_err(EvalError::Failed)?;
        let a = self.answerer.ask(&AskRequest { question: question.to_string(), filter, ..Default::default() }, None).await.map_err(|e| EvalError::Failed(e.to_string()))?;
        Ok(Answered {
            answer: a.answer,
            refused: a.refused,
            mode: mode_name(a.mode),
            fallback: a.fallback.map(|f| f.as_str().to_string()),
            supported_share: a.supported_share,
            evidence: a.evidence,
            citations: a.citations.into_iter().map(|c| AnsweredCitation { marker: c.marker, label: c.label, text: c.text, quote: c.quote }).collect(),
            flags: a.flags.len(),
            warnings: a.warnings,
            millis: a.timings.total_ms,
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Question {
    pub id: String,
    pub question: String,
    #[serde(default)]
    pub gold: Vec<String>,
    #[serde(default)]
    pub facts: Vec<String>,
    #[serde(default = "default_kind")]
    pub kind: String,
    /// Conditions on the documents the question is asked of, as the HTTP API's `filters`
    /// fields and `as_of` (`{"type": "意见", "as_of": "2019-06-01"}`); a value is a string
    /// or a list of them. Checked when the dataset is read.
    #[serde(default, skip_serializing_if = "Filters::is_empty")]
    pub filters: Filters,
}

/// A question's document filters by field name.
pub type Filters = BTreeMap<String, FilterValue>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FilterValue {
    One(String),
    Many(Vec<String>),
}

impl FilterValue {
    pub fn values(&self) -> &[String] {
        match self {
            FilterValue::One(v) => std::slice::from_ref(v),
            FilterValue::Many(v) => v,
        }
    }
}

/// The filter the pipeline takes; the error names the field.
pub fn document_filter(filters: &Filters) -> Result<policyqa_core::DocumentFilter, String> {
    let mut out = policyqa_core::DocumentFilter::default();
    for (field, value) in filters {
        for v in value.values() {
            out.set(field, v)?;
        }
    }
    Ok(out)
}

fn default_kind() -> String {
    "lookup".into()
}

#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    #[error("{path}: cannot read: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}:{line}: not a question object: {message}")]
    Parse { path: String, line: usize, message: String },
    #[error("{0}: no questions")]
    Empty(String),
}

/// Which half of a dataset a question belongs to, by a fixed hash of its id (the lowest bit
/// of the first byte of its SHA-256): the same split on every machine and in every run,
/// chosen by nobody. Every knob is tuned on the tuning half; figures are reported, and the
/// gates run, on the test half.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Half {
    Tune,
    Test,
}

impl Half {
    pub fn of(id: &str) -> Half {
        use sha2::Digest;
        if sha2::Sha256::digest(id.as_bytes())[0] & 1 == 0 { Half::Tune } else { Half::Test }
    }

    pub fn name(self) -> &'static str {
        match self {
            Half::Tune => "tuning half",
            Half::Test => "test half",
        }
    }
}

impl std::str::FromStr for Half {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "tune" => Ok(Half::Tune),
            "test" => Ok(Half::Test),
            other => Err(format!("{other:?}: expected tune or test")),
        }
    }
}

/// A dataset as named on the command line: one JSON Lines file, or several joined with `+`
/// (`seed_dev.jsonl+seed_wide.jsonl`, measured as one set); with `half`, only that half.
pub fn load_dataset(spec: &Path, half: Option<Half>) -> Result<Vec<Question>, DatasetError> {
    let text = spec.to_string_lossy();
    let parts: Vec<&Path> = if spec.exists() || !text.contains('+') { vec![spec] } else { text.split('+').map(Path::new).collect() };
    let mut out = Vec::new();
    for p in parts {
        out.extend(load(p)?.into_iter().filter(|q| half.is_none_or(|h| Half::of(&q.id) == h)));
    }
    if out.is_empty() {
        return Err(DatasetError::Empty(format!("{text}{}", half.map(|h| format!(" ({})", h.name())).unwrap_or_default())));
    }
    Ok(out)
}

pub fn load(path: &Path) -> Result<Vec<Question>, DatasetError> {
    let p = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| DatasetError::Read { path: p.clone(), source })?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let q: Question = serde_json::from_str(line).map_err(|e| DatasetError::Parse { path: p.clone(), line: i + 1, message: e.to_string() })?;
        document_filter(&q.filters).map_err(|e| DatasetError::Parse { path: p.clone(), line: i + 1, message: format!("filters: {e}") })?;
        out.push(q);
    }
    if out.is_empty() {
        return Err(DatasetError::Empty(p));
    }
    Ok(out)
}

/// NFKC, white space removed: the same comparison the citation checks use.
pub use policyqa_answer::text::norm;

/// Rank (1-based) of the first passage containing a gold span.
pub fn first_hit(gold: &[String], texts: &[&str]) -> Option<usize> {
    let gold: Vec<String> = gold.iter().map(|g| norm(g)).filter(|g| !g.is_empty()).collect();
    texts.iter().position(|t| {
        let t = norm(t);
        gold.iter().any(|g| t.contains(g.as_str()))
    }).map(|i| i + 1)
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Metrics {
    pub questions: usize,
    pub recall_at_1: f64,
    pub recall_at_5: f64,
    pub mrr_at_10: f64,
}

impl Metrics {
    pub(crate) fn from_ranks(ranks: &[Option<usize>]) -> Self {
        let n = ranks.len();
        if n == 0 {
            return Metrics::default();
        }
        let at = |k: usize| ranks.iter().filter(|r| r.is_some_and(|r| r <= k)).count() as f64 / n as f64;
        let mrr = ranks.iter().map(|r| r.filter(|&r| r <= 10).map_or(0.0, |r| 1.0 / r as f64)).sum::<f64>() / n as f64;
        Metrics { questions: n, recall_at_1: at(1), recall_at_5: at(5), mrr_at_10: mrr }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QuestionResult {
    pub id: String,
    pub kind: String,
    pub question: String,
    pub gold: Vec<String>,
    /// Rank (1-based) of the first passage holding a gold span, within `top_k`.
    pub rank: Option<usize>,
    pub millis: f64,
    pub retrieved: Vec<RetrievedPassage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clause_found: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RetrievalReport {
    pub dataset: String,
    pub top_k: usize,
    pub overall: Metrics,
    /// Recall@k for k = 1..=top_k, over the answerable questions.
    pub recall_curve: Vec<f64>,
    pub per_kind: BTreeMap<String, Metrics>,
    pub latency_median_ms: f64,
    pub latency_p99_ms: f64,
    pub questions: Vec<QuestionResult>,
}

/// The `p` quantile (0–1) of sorted values, nearest rank; 0 for none.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

/// Runs every question through the target's search. Unanswerable questions (no gold) are
/// timed and listed but do not count in recall.
pub async fn evaluate(target: &impl EvalTarget, dataset: &str, questions: &[Question], top_k: usize) -> Result<RetrievalReport, EvalError> {
    let mut results = Vec::new();
    for q in questions {
        let r = target.search(&q.question, top_k, &q.filters).await?;
        let texts: Vec<&str> = r.passages.iter().map(|p| p.text.as_str()).collect();
        results.push(QuestionResult {
            id: q.id.clone(),
            kind: q.kind.clone(),
            question: q.question.clone(),
            gold: q.gold.clone(),
            rank: if q.gold.is_empty() { None } else { first_hit(&q.gold, &texts) },
            millis: r.millis,
            retrieved: r.passages,
            clause_found: r.clause_found,
        });
    }
    let answerable: Vec<&QuestionResult> = results.iter().filter(|r| !r.gold.is_empty()).collect();
    let overall = Metrics::from_ranks(&answerable.iter().map(|r| r.rank).collect::<Vec<_>>());
    let mut per_kind: BTreeMap<String, Vec<Option<usize>>> = BTreeMap::new();
    for r in &answerable {
        per_kind.entry(r.kind.clone()).or_default().push(r.rank);
    }
    let mut lat: Vec<f64> = results.iter().map(|r| r.millis).collect();
    lat.sort_by(|a, b| a.total_cmp(b));
    let ranks: Vec<Option<usize>> = answerable.iter().map(|r| r.rank).collect();
    let recall_curve = (1..=top_k).map(|k| ratio(ranks.iter().filter(|r| r.is_some_and(|r| r <= k)).count(), ranks.len())).collect();
    Ok(RetrievalReport {
        dataset: dataset.to_string(),
        top_k,
        overall,
        recall_curve,
        per_kind: per_kind.into_iter().map(|(k, v)| (k, Metrics::from_ranks(&v))).collect(),
        latency_median_ms: percentile(&lat, 0.5),
        latency_p99_ms: percentile(&lat, 0.99),
        questions: results,
    })
}

/// Answer quality on one dataset.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AnswerMetrics {
    pub answerable: usize,
    pub unanswerable: usize,
    /// Cited clauses that contain a gold span, over all citations of answered questions.
    pub citation_precision: f64,
    /// Facts found in the answers, over all facts of answerable questions (a refusal finds none).
    pub fact_recall: f64,
    /// Unanswerable questions refused.
    pub refusal_accuracy: f64,
    /// Answerable questions refused.
    pub false_refusal_rate: f64,
    /// Answers (not refusals) with at least one citation.
    pub answers_with_citation: f64,
    /// Citations whose quote is a substring of their clause.
    pub quotes_in_clause: f64,
    pub flagged_sentences: usize,
    pub latency_median_ms: f64,
    pub latency_p99_ms: f64,
    /// With `--judge`: the mean faithfulness a chat model gave the answers (model-judged,
    /// not a measurement), and how many answers it judged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub faithfulness_model_judged: Option<f64>,
    #[serde(default)]
    pub judged: usize,
    /// With a chat model: answers that are the model's, and fallbacks to the extractive
    /// answer by reason.
    #[serde(default)]
    pub model_answers: usize,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fallbacks: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CitedClause {
    pub marker: usize,
    pub label: String,
    pub quote: String,
    pub has_gold: bool,
    pub quote_in_clause: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnswerResult {
    pub id: String,
    pub kind: String,
    pub question: String,
    pub answer: String,
    pub refused: bool,
    pub mode: String,
    /// Why a configured chat model's answer was not used (the answer is then extractive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<String>,
    /// The share of a chat model's claims that passed the citation checks, where it was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supported_share: Option<f32>,
    #[serde(default)]
    pub warnings: Vec<String>,
    pub evidence: f32,
    pub citations: Vec<CitedClause>,
    pub facts_found: Vec<String>,
    pub facts_missing: Vec<String>,
    pub flags: usize,
    pub millis: f64,
    /// With `--judge`: the chat model's faithfulness score for this answer (model-judged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub faithfulness_model_judged: Option<f32>,
    /// Sentences the judge found unsupported, or why it gave no verdict.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub judge_notes: Vec<String>,
}

impl AnswerResult {
    /// Answered as it should be: an unanswerable question refused; an answerable one answered
    /// with every fact and only clauses holding a gold span cited.
    pub fn is_right(&self) -> bool {
        if self.kind == "unanswerable" {
            return self.refused;
        }
        !self.refused && self.facts_missing.is_empty() && self.citations.iter().all(|c| c.has_gold)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnswerReport {
    pub dataset: String,
    pub overall: AnswerMetrics,
    pub questions: Vec<AnswerResult>,
}

impl AnswerReport {
    /// Refusal accuracy and false-refusal rate had the evidence threshold been `t` (the run
    /// itself used a threshold of 0 or lower): for calibrating it.
    pub fn refusals_at(&self, t: f32) -> (f64, f64) {
        let refused = |r: &AnswerResult| r.refused || r.evidence < t;
        let (mut un, mut un_ok, mut an, mut an_bad) = (0, 0, 0, 0);
        for r in &self.questions {
            if r.kind == "unanswerable" {
                un += 1;
                un_ok += refused(r) as usize;
            } else {
                an += 1;
                an_bad += refused(r) as usize;
            }
        }
        (ratio(un_ok, un), ratio(an_bad, an))
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Runs every question through the target's answerer (the same pipeline as `policyqa ask` and
/// the server) and scores the answers against the gold spans and facts.
/// With a `judge`, every answer that is not a refusal also gets a model-judged faithfulness
/// score (a judge that fails on one answer leaves it unjudged, with the reason).
pub async fn evaluate_answers(target: &impl EvalTarget, dataset: &str, questions: &[Question], judge: Option<&judge::Judge>) -> Result<AnswerReport, EvalError> {
    let mut results = Vec::new();
    for q in questions {
        let a = target.ask(&q.question, &q.filters).await?;
        let (mut faithfulness, mut judge_notes) = (None, Vec::new());
        if let Some(j) = judge
            && !a.refused
        {
            match j.judge(&q.question, &a.answer, &a.citations).await {
                Ok(v) => {
                    faithfulness = Some(v.score);
                    judge_notes = v.unsupported.into_iter().map(|s| format!("unsupported: {s}")).collect();
                }
                Err(e) => judge_notes.push(e.to_string()),
            }
        }
        let answer_norm = norm(&a.answer);
        let gold: Vec<String> = q.gold.iter().map(|g| norm(g)).filter(|g| !g.is_empty()).collect();
        let citations = a
            .citations
            .iter()
            .map(|c| {
                let text = norm(&c.text);
                CitedClause {
                    marker: c.marker,
                    label: c.label.clone(),
                    quote: c.quote.clone(),
                    has_gold: gold.iter().any(|g| text.contains(g.as_str())),
                    quote_in_clause: !c.quote.is_empty() && c.text.contains(&c.quote),
                }
            })
            .collect();
        let (found, missing): (Vec<String>, Vec<String>) = q.facts.iter().cloned().partition(|f| !a.refused && answer_norm.contains(&norm(f)));
        results.push(AnswerResult {
            id: q.id.clone(),
            kind: q.kind.clone(),
            question: q.question.clone(),
            answer: a.answer.clone(),
            refused: a.refused,
            mode: a.mode.clone(),
            fallback: a.fallback.clone(),
            supported_share: a.supported_share,
            warnings: a.warnings.clone(),
            evidence: a.evidence,
            citations,
            facts_found: found,
            facts_missing: missing,
            flags: a.flags,
            millis: a.millis,
            faithfulness_model_judged: faithfulness,
            judge_notes,
        });
    }
    let answerable: Vec<&AnswerResult> = results.iter().filter(|r| r.kind != "unanswerable").collect();
    let unanswerable: Vec<&AnswerResult> = results.iter().filter(|r| r.kind == "unanswerable").collect();
    let answered: Vec<&&AnswerResult> = answerable.iter().filter(|r| !r.refused).collect();
    let cited: Vec<&CitedClause> = answered.iter().flat_map(|r| r.citations.iter()).collect();
    let all_citations: Vec<&CitedClause> = results.iter().flat_map(|r| r.citations.iter()).collect();
    let facts: usize = answerable.iter().map(|r| r.facts_found.len() + r.facts_missing.len()).sum();
    let answers: Vec<&AnswerResult> = results.iter().filter(|r| !r.refused).collect();
    let mut lat: Vec<f64> = results.iter().map(|r| r.millis).collect();
    lat.sort_by(|a, b| a.total_cmp(b));
    let overall = AnswerMetrics {
        answerable: answerable.len(),
        unanswerable: unanswerable.len(),
        citation_precision: ratio(cited.iter().filter(|c| c.has_gold).count(), cited.len()),
        fact_recall: ratio(answerable.iter().map(|r| r.facts_found.len()).sum(), facts),
        refusal_accuracy: ratio(unanswerable.iter().filter(|r| r.refused).count(), unanswerable.len()),
        false_refusal_rate: ratio(answerable.iter().filter(|r| r.refused).count(), answerable.len()),
        answers_with_citation: ratio(answers.iter().filter(|r| !r.citations.is_empty()).count(), answers.len()),
        quotes_in_clause: ratio(all_citations.iter().filter(|c| c.quote_in_clause).count(), all_citations.len()),
        flagged_sentences: results.iter().map(|r| r.flags).sum(),
        latency_median_ms: percentile(&lat, 0.5),
        latency_p99_ms: percentile(&lat, 0.99),
        faithfulness_model_judged: None,
        judged: 0,
        model_answers: results.iter().filter(|r| r.mode == "llm" && !r.refused).count(),
        fallbacks: results.iter().filter_map(|r| r.fallback.clone()).fold(BTreeMap::new(), |mut m, f| {
            *m.entry(f).or_default() += 1;
            m
        }),
    };
    let scores: Vec<f64> = results.iter().filter_map(|r| r.faithfulness_model_judged.map(f64::from)).collect();
    let overall = AnswerMetrics {
        judged: scores.len(),
        faithfulness_model_judged: (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64),
        ..overall
    };
    Ok(AnswerReport { dataset: dataset.to_string(), overall, questions: results })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_halves_split_by_id_evenly_and_for_good() {
        let ids: Vec<String> = (1..=400).map(|i| format!("laws-{i:03}")).collect();
        let test = ids.iter().filter(|id| Half::of(id) == Half::Test).count();
        assert!((170..=230).contains(&test), "{test} of 400 in the test half");
        // Fixed: these ids are in these halves on every machine, in every run.
        assert_eq!(Half::of("seed-001"), Half::of("seed-001"));
        assert_eq!([Half::of("laws-001"), Half::of("laws-002"), Half::of("seed-014")].map(|h| h.name()), ["tuning half", "test half", "tuning half"]);
    }

    #[test]
    fn hits_compare_after_nfkc_without_white_space() {
        let gold = vec!["确保60%以上用于一线".to_string()];
        assert_eq!(first_hit(&gold, &["无关", "确保６０％以上\n用于 一线职工"]), Some(2));
        assert_eq!(first_hit(&gold, &["无关"]), None);
        let m = Metrics::from_ranks(&[Some(1), Some(3), None, Some(12)]);
        assert_eq!((m.recall_at_1, m.recall_at_5), (0.25, 0.5));
        assert!((m.mrr_at_10 - (1.0 + 1.0 / 3.0) / 4.0).abs() < 1e-9);
    }
}
