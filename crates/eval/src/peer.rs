//! The peer: jieba + rank_bm25 (`eval/bm25_peer.py`), run on the same corpus and questions
//! as policyqa, for the figures beside ours (the eval) and its time and memory (the bench).

use std::path::Path;
use std::process::Command;

use crate::report::PeerFigures;

/// The peer's script, relative to the repository root.
pub const SCRIPT: &str = "eval/bm25_peer.py";

#[derive(Debug, thiserror::Error)]
pub enum PeerError {
    #[error("the peer needs the corpus it is to search (--corpus)")]
    NoCorpus,
    #[error("preparing the peer's copy of the corpus: {0}")]
    Copy(#[from] std::io::Error),
    #[error("cannot run python3 {SCRIPT}: {0}")]
    Start(std::io::Error),
    #[error("the peer failed: {0}")]
    Failed(String),
}

/// The corpus as the peer can read it: it reads UTF-8 only, so GBK/GB18030 (and BOM, CR)
/// files are given to it decoded, in a temporary copy; the same text policyqa indexes.
pub fn utf8_copy(corpus: &Path) -> Result<tempfile::TempDir, PeerError> {
    let tmp = tempfile::tempdir()?;
    let files = policyqa_index::ingest::collect_files(&[corpus.to_path_buf()]).map_err(|e| PeerError::Copy(std::io::Error::other(e.to_string())))?;
    for (i, f) in files.iter().enumerate() {
        let Ok(decoded) = policyqa_chunker::decode(&std::fs::read(f)?) else { continue };
        let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        std::fs::write(tmp.path().join(format!("{i:04}_{name}")), decoded.text.replace("\r\n", "\n").replace('\r', "\n"))?;
    }
    Ok(tmp)
}

/// The peer's command line over a UTF-8 copy of the corpus (see [`utf8_copy`]).
pub fn command(utf8_corpus: &Path, questions: &Path) -> Command {
    let mut cmd = Command::new("python3");
    cmd.arg(SCRIPT).arg("--corpus").arg(utf8_corpus).arg("--questions").arg(questions);
    cmd
}

/// Runs the peer on the corpus and questions and reads its figures.
pub fn run(corpus: Option<&Path>, questions: &Path) -> Result<PeerFigures, PeerError> {
    let copy = utf8_copy(corpus.ok_or(PeerError::NoCorpus)?)?;
    let out = command(copy.path(), questions).output().map_err(PeerError::Start)?;
    if !out.status.success() {
        return Err(PeerError::Failed(String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or("").to_string()));
    }
    Ok(parse(&String::from_utf8_lossy(&out.stdout)))
}

/// Runs the peer on exactly these questions (a half, or several files joined), with its
/// figures per kind of question by our hit rule (from its rankings).
pub fn run_questions(corpus: Option<&Path>, questions: &[crate::Question]) -> Result<PeerFigures, PeerError> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("questions.jsonl");
    let rankings = dir.path().join("rankings.json");
    let lines: Vec<String> = questions.iter().map(|q| serde_json::to_string(q).map_err(std::io::Error::other)).collect::<Result<_, _>>()?;
    std::fs::write(&file, lines.join("\n") + "\n")?;
    let copy = utf8_copy(corpus.ok_or(PeerError::NoCorpus)?)?;
    let mut cmd = command(copy.path(), &file);
    cmd.arg("--json").arg(&rankings);
    let out = cmd.output().map_err(PeerError::Start)?;
    if !out.status.success() {
        return Err(PeerError::Failed(String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or("").to_string()));
    }
    let mut figures = parse(&String::from_utf8_lossy(&out.stdout));
    figures.per_kind = per_kind(&std::fs::read_to_string(&rankings)?, questions);
    Ok(figures)
}

/// The peer's rankings (its `--json` file) scored per kind of question.
fn per_kind(rankings: &str, questions: &[crate::Question]) -> std::collections::BTreeMap<String, crate::Metrics> {
    let v: serde_json::Value = serde_json::from_str(rankings).unwrap_or_default();
    let mut ranks: std::collections::BTreeMap<String, Vec<Option<usize>>> = Default::default();
    for r in v["results"].as_array().into_iter().flatten() {
        let Some(q) = questions.iter().find(|q| Some(q.id.as_str()) == r["id"].as_str()) else { continue };
        if q.gold.is_empty() {
            continue;
        }
        let texts: Vec<&str> = r["passages"].as_array().into_iter().flatten().filter_map(|p| p["text"].as_str()).collect();
        ranks.entry(q.kind.clone()).or_default().push(crate::first_hit(&q.gold, &texts));
    }
    ranks.into_iter().map(|(k, r)| (k, crate::Metrics::from_ranks(&r))).collect()
}

/// The figures of the peer's summary lines ("answerable: …, Recall@1 …", "queries: …, median …").
pub fn parse(text: &str) -> PeerFigures {
    let mut f = PeerFigures::default();
    for line in text.lines() {
        if line.starts_with("answerable:") {
            f.recall_at_1 = number_after(line, "Recall@1").unwrap_or(0.0);
            f.recall_at_5 = number_after(line, "Recall@5").unwrap_or(0.0);
            f.mrr_at_10 = number_after(line, "MRR@10").unwrap_or(0.0);
        }
        if line.starts_with("queries:") {
            f.latency_median_ms = number_after(line, "median").unwrap_or(0.0);
            f.latency_p99_ms = number_after(line, "p99").unwrap_or(0.0);
        }
    }
    f
}

/// Seconds the peer took to build its index ("index build 6.9 s").
pub fn build_seconds(text: &str) -> f64 {
    text.lines().find_map(|l| l.split("index build ").nth(1)?.trim_end_matches(" s").trim().parse().ok()).unwrap_or(0.0)
}

fn number_after(line: &str, key: &str) -> Option<f64> {
    let rest = &line[line.find(key)? + key.len()..];
    rest.trim_start().split([' ', ',']).next()?.trim_end_matches("ms").parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_lines_are_read() {
        let text = "corpus: 378 files, 26196 passages, index build 6.90 s\nqueries: 59, median 116.20 ms, p99 201.00 ms\nanswerable: 53, Recall@1 0.302, Recall@5 0.475, MRR@10 0.388\n";
        let f = parse(text);
        assert_eq!((f.recall_at_1, f.recall_at_5, f.mrr_at_10), (0.302, 0.475, 0.388));
        assert_eq!((f.latency_median_ms, f.latency_p99_ms), (116.2, 201.0));
        assert_eq!(build_seconds(text), 6.9);
    }
}
