//! The evaluation report: everything one `policyqa eval` run measured, per dataset and per
//! question, as written to `report.json`; and the comparison with an earlier report
//! (`--baseline`). Rendering it for people (`report.md`, `report.html`) is in [`crate::render`].

use serde::{Deserialize, Serialize};

use crate::{AnswerReport, RetrievalReport};

/// Bumped when a field changes meaning; a baseline of another version is refused.
pub const REPORT_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EvalReport {
    pub version: u32,
    /// RFC 3339, UTC.
    pub generated_at: String,
    /// "in-process" or the URL of the server the questions went to.
    pub target: String,
    /// "BM25" or "hybrid (BM25 + dense, RRF)"; "server" when evaluated over HTTP.
    pub retrieval_mode: String,
    /// "extractive", "chat model (extractive fallback)", or the modes a server answered in;
    /// `None` with `--retrieval-only`.
    pub answer_mode: Option<String>,
    /// The half of every dataset the run measured (all of it when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub half: Option<crate::Half>,
    pub datasets: Vec<DatasetReport>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Comparison>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DatasetReport {
    /// The dataset's path as given.
    pub name: String,
    pub retrieval: RetrievalReport,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answers: Option<AnswerReport>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer: Option<PeerFigures>,
}

/// The peer (jieba + rank_bm25) on the same corpus and questions.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PeerFigures {
    pub recall_at_1: f64,
    pub recall_at_5: f64,
    pub mrr_at_10: f64,
    pub latency_median_ms: f64,
    pub latency_p99_ms: f64,
    /// Per kind of question, by the same hit rule as ours.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub per_kind: std::collections::BTreeMap<String, crate::Metrics>,
}

/// This run against an earlier report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Comparison {
    /// Path of the earlier report.json.
    pub path: String,
    pub generated_at: String,
    pub datasets: Vec<DatasetComparison>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DatasetComparison {
    pub name: String,
    pub metrics: Vec<MetricChange>,
    /// Questions whose retrieval rank or answer got better / worse.
    pub better: Vec<QuestionChange>,
    pub worse: Vec<QuestionChange>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MetricChange {
    pub metric: String,
    pub before: f64,
    pub after: f64,
    /// Whether a rise is an improvement (false for latency and false refusals).
    pub higher_is_better: bool,
}

impl MetricChange {
    pub fn delta(&self) -> f64 {
        self.after - self.before
    }

    /// Better, worse or the same, allowing for rounding.
    pub fn direction(&self) -> std::cmp::Ordering {
        let d = self.delta();
        let eps = if self.metric.contains("ms") { 0.05 * self.before.abs().max(0.01) } else { 1e-9 };
        if d.abs() <= eps {
            std::cmp::Ordering::Equal
        } else if (d > 0.0) == self.higher_is_better {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Less
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QuestionChange {
    pub id: String,
    pub question: String,
    /// What changed, e.g. "rank 3 → 1", "answer wrong → right".
    pub change: String,
}

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("{path}: cannot read: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}: not a policyqa eval report: {message}")]
    Parse { path: String, message: String },
    #[error("{path}: report version {found}, this policyqa writes version {REPORT_VERSION}")]
    Version { path: String, found: u32 },
}

pub fn load_baseline(path: &std::path::Path) -> Result<EvalReport, BaselineError> {
    let p = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Read { path: p.clone(), source })?;
    let report: EvalReport = serde_json::from_str(&text).map_err(|e| BaselineError::Parse { path: p.clone(), message: e.to_string() })?;
    if report.version != REPORT_VERSION {
        return Err(BaselineError::Version { path: p, found: report.version });
    }
    Ok(report)
}

/// Per dataset present in both (matched by file name), every metric's change and the
/// questions that moved.
pub fn compare(old: &EvalReport, new: &EvalReport, old_path: &str) -> Comparison {
    let file_name = |n: &str| std::path::Path::new(n).file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_else(|| n.to_string());
    let datasets = new
        .datasets
        .iter()
        .filter_map(|d| {
            let o = old.datasets.iter().find(|o| file_name(&o.name) == file_name(&d.name))?;
            Some(compare_dataset(o, d))
        })
        .collect();
    Comparison { path: old_path.to_string(), generated_at: old.generated_at.clone(), datasets }
}

fn compare_dataset(old: &DatasetReport, new: &DatasetReport) -> DatasetComparison {
    let m = |metric: &str, before: f64, after: f64, higher_is_better: bool| MetricChange { metric: metric.into(), before, after, higher_is_better };
    let (a, b) = (&old.retrieval, &new.retrieval);
    let mut metrics = vec![
        m("Recall@1", a.overall.recall_at_1, b.overall.recall_at_1, true),
        m("Recall@5", a.overall.recall_at_5, b.overall.recall_at_5, true),
        m("MRR@10", a.overall.mrr_at_10, b.overall.mrr_at_10, true),
        m("search median ms", a.latency_median_ms, b.latency_median_ms, false),
    ];
    if let (Some(x), Some(y)) = (&old.answers, &new.answers) {
        let (x, y) = (&x.overall, &y.overall);
        metrics.extend([
            m("citation precision", x.citation_precision, y.citation_precision, true),
            m("fact recall", x.fact_recall, y.fact_recall, true),
            m("refusal accuracy", x.refusal_accuracy, y.refusal_accuracy, true),
            m("false-refusal rate", x.false_refusal_rate, y.false_refusal_rate, false),
            m("answer median ms", x.latency_median_ms, y.latency_median_ms, false),
        ]);
    }
    let (mut better, mut worse) = (Vec::new(), Vec::new());
    let rank = |r: Option<usize>| r.map_or("not found".to_string(), |r| format!("rank {r}"));
    for q in &b.questions {
        let Some(p) = a.questions.iter().find(|p| p.id == q.id) else { continue };
        if q.gold.is_empty() || p.rank == q.rank {
            continue;
        }
        let change = QuestionChange { id: q.id.clone(), question: q.question.clone(), change: format!("{} → {}", rank(p.rank), rank(q.rank)) };
        // Not found counts as worse than any rank.
        if q.rank.unwrap_or(usize::MAX) < p.rank.unwrap_or(usize::MAX) { better.push(change) } else { worse.push(change) }
    }
    if let (Some(x), Some(y)) = (&old.answers, &new.answers) {
        let verdict = |right: bool| if right { "right" } else { "wrong" };
        for q in &y.questions {
            let Some(p) = x.questions.iter().find(|p| p.id == q.id) else { continue };
            if p.is_right() == q.is_right() {
                continue;
            }
            let change = QuestionChange { id: q.id.clone(), question: q.question.clone(), change: format!("answer {} → {}", verdict(p.is_right()), verdict(q.is_right())) };
            if q.is_right() { better.push(change) } else { worse.push(change) }
        }
    }
    DatasetComparison { name: new.name.clone(), metrics, better, worse }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Metrics, QuestionResult};

    fn dataset(ranks: &[Option<usize>], median: f64) -> DatasetReport {
        let questions = ranks
            .iter()
            .enumerate()
            .map(|(i, r)| QuestionResult { id: format!("q{i}"), kind: "lookup".into(), question: format!("问题{i}"), gold: vec!["金".into()], rank: *r, millis: median, retrieved: vec![], clause_found: None })
            .collect();
        DatasetReport {
            name: "eval/datasets/x.jsonl".into(),
            retrieval: RetrievalReport {
                dataset: "x".into(),
                top_k: 10,
                overall: Metrics::from_ranks(ranks),
                recall_curve: vec![],
                per_kind: Default::default(),
                latency_median_ms: median,
                latency_p99_ms: median,
                questions,
            },
            answers: None,
            peer: None,
        }
    }

    fn report(d: DatasetReport) -> EvalReport {
        EvalReport { version: REPORT_VERSION, generated_at: "t".into(), target: "in-process".into(), retrieval_mode: "BM25".into(), answer_mode: None, half: None, datasets: vec![d], baseline: None }
    }

    #[test]
    fn a_comparison_lists_metric_changes_and_the_questions_that_moved() {
        let old = report(dataset(&[Some(1), Some(3), None], 1.0));
        let new = report(dataset(&[Some(1), Some(1), Some(2)], 2.0));
        let c = compare(&old, &new, "old/report.json");
        let d = &c.datasets[0];
        let r1 = d.metrics.iter().find(|m| m.metric == "Recall@1").unwrap();
        assert!((r1.delta() - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(r1.direction(), std::cmp::Ordering::Greater);
        let lat = d.metrics.iter().find(|m| m.metric == "search median ms").unwrap();
        assert_eq!(lat.direction(), std::cmp::Ordering::Less, "slower is worse");
        assert_eq!(d.better.iter().map(|q| q.change.as_str()).collect::<Vec<_>>(), vec!["rank 3 → rank 1", "not found → rank 2"]);
        assert!(d.worse.is_empty());
        // The other way round, the same questions got worse.
        let back = compare(&new, &old, "new/report.json");
        assert_eq!(back.datasets[0].worse.len(), 2);
    }

    #[test]
    fn a_report_reads_back_and_a_wrong_version_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        let mut r = report(dataset(&[Some(1)], 1.0));
        std::fs::write(&path, serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(load_baseline(&path).unwrap().datasets[0].retrieval.overall.recall_at_1, 1.0);
        r.version = 99;
        std::fs::write(&path, serde_json::to_string(&r).unwrap()).unwrap();
        assert!(matches!(load_baseline(&path), Err(BaselineError::Version { found: 99, .. })));
        std::fs::write(&path, "{").unwrap();
        assert!(matches!(load_baseline(&path), Err(BaselineError::Parse { .. })));
    }
}
