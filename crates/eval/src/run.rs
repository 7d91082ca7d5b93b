//! One evaluation run, whole: each dataset through the target's search and answers, the
//! peer beside it, the gates, the comparison with a baseline, and the report files. The
//! binary parses the arguments into a [`RunPlan`] and prints what its [`Observer`] is shown.

use std::path::{Path, PathBuf};

use policyqa_index::{IngestSummary, Progress};
use policyqa_pipeline::{Backends, Pipeline, PipelineConfig, StoreLocation};

use crate::judge::Judge;
use crate::peer::PeerError;
use crate::report::{self, DatasetReport, EvalReport, REPORT_VERSION};
use crate::{DatasetError, EvalError, EvalTarget, Half};

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Dataset(#[from] DatasetError),
    #[error(transparent)]
    Target(#[from] EvalError),
    #[error("indexing {corpus}: {message}")]
    Index { corpus: String, message: String },
    #[error("writing the reports: {0}")]
    Reports(std::io::Error),
}

/// Thresholds a run must meet; `None` gates nothing.
#[derive(Debug, Clone, Default)]
pub struct Gates {
    pub min_recall5: Option<f64>,
    pub min_mrr: Option<f64>,
    /// Every `clause_ref` question has its clause first.
    pub clause_refs_first: bool,
    pub min_citation_precision: Option<f64>,
    pub min_fact_recall: Option<f64>,
    pub min_refusal_accuracy: Option<f64>,
    pub max_false_refusals: Option<f64>,
}

impl Gates {
    /// What one dataset failed, a line each (empty: it passed). Answers, when there are any,
    /// must also all be cited with every quote inside its clause.
    pub fn check(&self, d: &DatasetReport) -> Vec<String> {
        let name = &d.name;
        let below = |what: &str, value: f64, limit: Option<f64>| limit.filter(|l| value < *l).map(|l| format!("{name}: {what} {value:.3} < {l}"));
        let m = &d.retrieval.overall;
        let mut out: Vec<String> = [below("Recall@5", m.recall_at_5, self.min_recall5), below("MRR@10", m.mrr_at_10, self.min_mrr)].into_iter().flatten().collect();
        if self.clause_refs_first {
            for q in d.retrieval.questions.iter().filter(|q| q.kind == "clause_ref" && !q.gold.is_empty() && q.rank != Some(1)) {
                out.push(format!("{name}: {} ({}) has its clause at rank {:?}", q.id, q.question, q.rank));
            }
        }
        if let Some(a) = &d.answers {
            let a = &a.overall;
            out.extend(below("citation precision", a.citation_precision, self.min_citation_precision));
            out.extend(below("fact recall", a.fact_recall, self.min_fact_recall));
            out.extend(below("refusal accuracy", a.refusal_accuracy, self.min_refusal_accuracy));
            if let Some(l) = self.max_false_refusals.filter(|l| a.false_refusal_rate > *l) {
                out.push(format!("{name}: false-refusal rate {:.3} > {l}", a.false_refusal_rate));
            }
            if a.answers_with_citation < 1.0 || a.quotes_in_clause < 1.0 {
                out.push(format!("{name}: every answer needs a citation and every quote must be in its clause"));
            }
        }
        out
    }
}

/// What to run.
pub struct RunPlan<'a> {
    /// Each a file, or files joined with `+` measured as one set.
    pub datasets: Vec<PathBuf>,
    /// Only this half of every dataset (see [`Half`]).
    pub half: Option<Half>,
    pub top_k: usize,
    /// Answer the questions too (not only retrieve).
    pub answers: bool,
    /// The date statuses are read on for every question that gives none (`as_of` in its
    /// filters); `None`: today, as the service reads them.
    pub as_of: Option<policyqa_core::validity::Date>,
    /// Also run the peer, on `corpus`, beside every dataset.
    pub peer: bool,
    pub corpus: Option<PathBuf>,
    pub judge: Option<&'a Judge>,
    pub gates: Gates,
    /// An earlier report and its path, to compare with.
    pub baseline: Option<(EvalReport, String)>,
    /// How the target retrieves and answers, as the report says it.
    pub retrieval_mode: String,
    pub answer_mode: Option<String>,
}

/// Told of each dataset as it is done (the binary prints it).
pub trait Observer {
    fn dataset(&mut self, _report: &DatasetReport, _failures: &[String]) {}
    fn peer_not_run(&mut self, _dataset: &str, _why: &PeerError) {}
}

pub struct RunOutcome {
    pub report: EvalReport,
    /// Every gate that failed, a line each.
    pub failures: Vec<String>,
}

pub async fn run(target: &impl EvalTarget, plan: &RunPlan<'_>, observer: &mut dyn Observer) -> Result<RunOutcome, RunError> {
    let mut failures = Vec::new();
    let mut datasets = Vec::new();
    for path in &plan.datasets {
        let mut questions = crate::load_dataset(path, plan.half)?;
        if let Some(date) = plan.as_of {
            for q in &mut questions {
                q.filters.entry("as_of".into()).or_insert_with(|| crate::FilterValue::One(date.to_string()));
            }
        }
        let name = match plan.half {
            Some(h) => format!("{} ({})", path.display(), h.name()),
            None => path.display().to_string(),
        };
        let retrieval = crate::evaluate(target, &name, &questions, plan.top_k).await?;
        let peer = if plan.peer {
            match crate::peer::run_questions(plan.corpus.as_deref(), &questions) {
                Ok(p) => Some(p),
                Err(e) => {
                    observer.peer_not_run(&name, &e);
                    None
                }
            }
        } else {
            None
        };
        let answers = if plan.answers { Some(crate::evaluate_answers(target, &name, &questions, plan.judge).await?) } else { None };
        let dataset = DatasetReport { name, retrieval, answers, peer };
        let failed = plan.gates.check(&dataset);
        observer.dataset(&dataset, &failed);
        failures.extend(failed);
        datasets.push(dataset);
    }
    let mut report = EvalReport {
        version: REPORT_VERSION,
        generated_at: jiff::Timestamp::now().round(jiff::Unit::Second).map(|t| t.to_string()).unwrap_or_default(),
        target: target.describe(),
        retrieval_mode: plan.retrieval_mode.clone(),
        answer_mode: plan.answer_mode.clone(),
        half: plan.half,
        datasets,
        baseline: None,
    };
    if let Some((old, path)) = &plan.baseline {
        report.baseline = Some(report::compare(old, &report, path));
    }
    Ok(RunOutcome { report, failures })
}

/// report.json, report.md, report.html into `dir` (created if missing), each written whole
/// (a temporary file renamed), so a reader never sees half a report.
pub fn write_reports(dir: &Path, report: &EvalReport) -> Result<(), RunError> {
    let json = serde_json::to_string_pretty(report).map_err(|e| RunError::Reports(std::io::Error::other(e)))?;
    let files = [("report.json", json), ("report.md", crate::render::markdown(report)), ("report.html", crate::render::html(report))];
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        for (name, text) in &files {
            let tmp = dir.join(format!(".{name}.tmp"));
            std::fs::write(&tmp, text)?;
            std::fs::rename(&tmp, dir.join(name))?;
        }
        Ok(())
    };
    write().map_err(|e| RunError::Reports(std::io::Error::new(e.kind(), format!("{}: {e}", dir.display()))))
}

/// A fresh embedded index of a corpus, in a temporary folder whatever store is configured
/// (the run is hermetic), and the pipeline over it. The folder goes when this is dropped.
pub struct CorpusIndex {
    pub pipeline: Pipeline,
    pub summary: IngestSummary,
    _dir: tempfile::TempDir,
}

impl CorpusIndex {
    pub async fn build(corpus: &Path, backends: Backends, config: PipelineConfig, progress: &dyn Progress) -> Result<Self, RunError> {
        let failed = |message: String| RunError::Index { corpus: corpus.display().to_string(), message };
        let dir = tempfile::tempdir().map_err(|e| failed(e.to_string()))?;
        let store = StoreLocation::Embedded(dir.path().to_path_buf()).open_for_ingest(backends.embedder.as_ref()).await.map_err(|e| failed(e.to_string()))?;
        let pipeline = Pipeline::open(store, backends, config).await.map_err(|e| failed(e.to_string()))?;
        let summary = pipeline.indexer().ingest(&[corpus.to_path_buf()], &Default::default(), progress).await.map_err(|e| failed(e.to_string()))?;
        let pipeline = pipeline.reopen().await.map_err(|e| failed(e.to_string()))?;
        Ok(CorpusIndex { pipeline, summary, _dir: dir })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AnswerMetrics, AnswerReport, Metrics, QuestionResult, RetrievalReport};

    fn dataset(recall_at_5: f64, clause_rank: Option<usize>, answers: Option<AnswerMetrics>) -> DatasetReport {
        let q = QuestionResult { id: "q-1".into(), kind: "clause_ref".into(), question: "第十条".into(), gold: vec!["x".into()], rank: clause_rank, millis: 1.0, retrieved: vec![], clause_found: Some(true) };
        DatasetReport {
            name: "set.jsonl".into(),
            retrieval: RetrievalReport {
                dataset: "set.jsonl".into(),
                top_k: 10,
                overall: Metrics { questions: 1, recall_at_1: 0.0, recall_at_5, mrr_at_10: 0.5 },
                recall_curve: vec![],
                per_kind: Default::default(),
                latency_median_ms: 1.0,
                latency_p99_ms: 1.0,
                questions: vec![q],
            },
            answers: answers.map(|overall| AnswerReport { dataset: "set.jsonl".into(), overall, questions: vec![] }),
            peer: None,
        }
    }

    #[test]
    fn gates_name_what_failed() {
        let gates = Gates { min_recall5: Some(0.9), clause_refs_first: true, max_false_refusals: Some(0.05), min_citation_precision: Some(0.9), ..Default::default() };
        assert!(gates.check(&dataset(0.95, Some(1), None)).is_empty());
        let failed = gates.check(&dataset(0.8, Some(2), None));
        assert_eq!(failed, ["set.jsonl: Recall@5 0.800 < 0.9", "set.jsonl: q-1 (第十条) has its clause at rank Some(2)"]);
        let answers = AnswerMetrics { citation_precision: 0.5, false_refusal_rate: 0.1, answers_with_citation: 1.0, quotes_in_clause: 0.9, ..Default::default() };
        let failed = gates.check(&dataset(0.95, Some(1), Some(answers)));
        assert_eq!(failed.len(), 3, "{failed:?}");
        assert!(failed[0].contains("citation precision 0.500 < 0.9") && failed[1].contains("false-refusal rate 0.100 > 0.05") && failed[2].contains("every quote"), "{failed:?}");
    }
}
