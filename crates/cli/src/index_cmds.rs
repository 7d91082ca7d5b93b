//! `ingest`, `docs`, `rm`, `search`, `eval`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context};
use policyqa_chunker::ClauseChunker;
use policyqa_core::{ChunkWarning, Embedder, PassageStore};
use policyqa_index::{ChineseSegmenter, EdgeStore, IngestOptions, Indexer, Progress, RemoteStore};
use policyqa_answer::Answerer;
use policyqa_retrieval::{Lexicon, RetrievalConfig, Retriever};

use crate::settings::Settings;

/// The configured store: a Qdrant server when `QDRANT_URL` is set, else the embedded index.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Arc<dyn PassageStore>> {
    open_store_with(settings, &settings.data_dir, None).await
}

async fn open_store_with(settings: &Settings, data_dir: &Path, dense_dim: Option<usize>) -> anyhow::Result<Arc<dyn PassageStore>> {
    Ok(match &settings.qdrant {
        Some(remote) => Arc::new(RemoteStore::open(remote.clone(), dense_dim).await?),
        None => Arc::new(EdgeStore::open(data_dir, dense_dim)?),
    })
}

/// Opens the store for writing: with dense vectors of the endpoint's dimension when an
/// embeddings endpoint is configured (asked once, with a probe).
async fn open_store_for_ingest(settings: &Settings, data_dir: &Path, embedder: Option<&Arc<dyn Embedder>>) -> anyhow::Result<Arc<dyn PassageStore>> {
    let dim = match embedder {
        Some(e) => Some(e.embed_query("维度").await.context("cannot reach the embeddings endpoint")?.len()),
        None => None,
    };
    open_store_with(settings, data_dir, dim).await
}

fn indexer(store: Arc<dyn PassageStore>, embedder: Option<Arc<dyn Embedder>>) -> Indexer {
    Indexer { chunker: ClauseChunker::default(), store, embedder, segmenter: ChineseSegmenter::default() }
}

/// A progress bar on a terminal; nothing otherwise.
struct Bar(Option<indicatif::ProgressBar>);

impl Progress for Bar {
    fn start(&self, files: usize) {
        if let Some(b) = &self.0 {
            b.set_length(files as u64);
        }
    }
    fn file(&self, source: &str) {
        if let Some(b) = &self.0 {
            b.set_message(source.to_string());
            b.inc(1);
        }
    }
    fn warning(&self, w: &ChunkWarning) {
        tracing::debug!("{}:{}: {}", w.source, w.line, w.message);
    }
    fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

fn bar() -> Bar {
    Bar(std::io::stderr().is_terminal().then(|| {
        let b = indicatif::ProgressBar::new(0);
        b.set_style(indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} files {wide_msg}").expect("valid template"));
        b
    }))
}

#[derive(clap::Args)]
pub struct IngestArgs {
    /// Files or folders of .txt/.md.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Remove documents whose files are gone.
    #[arg(long)]
    prune: bool,
    /// Start the index afresh.
    #[arg(long)]
    rebuild: bool,
    #[arg(long)]
    json: bool,
}

pub async fn ingest(settings: &Settings, args: IngestArgs) -> anyhow::Result<ExitCode> {
    if args.rebuild {
        match &settings.qdrant {
            Some(remote) => RemoteStore::drop_collection(remote).await?,
            None => {
                let dir = settings.data_dir.join("index");
                if dir.exists() {
                    std::fs::remove_dir_all(&dir).with_context(|| format!("cannot remove {}", dir.display()))?;
                }
            }
        }
    }
    let embedder = settings.embedder()?;
    let store = open_store_for_ingest(settings, &settings.data_dir, embedder.as_ref()).await?;
    let summary = indexer(store, embedder).ingest(&args.paths, &IngestOptions { prune: args.prune }, &bar()).await?;
    for (s, e) in &summary.unreadable {
        eprintln!("error: {s}: {e}");
    }
    for (s, o) in &summary.duplicates {
        eprintln!("note: {s} has the same content as {o}; indexed once");
    }
    for s in &summary.pruned {
        eprintln!("pruned: {s}");
    }
    if args.json {
        println!("{}", serde_json::to_string(&summary)?);
    } else {
        println!(
            "{} file(s): {} indexed, {} unchanged, {} unreadable; {} document(s), {} passage(s), {} warning(s) in {:.2} s",
            summary.files,
            summary.indexed,
            summary.unchanged,
            summary.unreadable.len(),
            summary.documents,
            summary.passages,
            summary.warnings,
            summary.seconds
        );
    }
    Ok(if summary.files > 0 && summary.indexed + summary.unchanged + summary.duplicates.len() == 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

#[derive(clap::Args)]
pub struct DocsArgs {
    #[arg(long)]
    json: bool,
}

pub async fn docs(settings: &Settings, args: DocsArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(settings).await?;
    let mut docs: Vec<_> = store.files().await?.into_iter().flat_map(|f| f.documents).collect();
    docs.sort_by(|a, b| a.source.cmp(&b.source).then(a.title.cmp(&b.title)));
    if args.json {
        println!("{}", serde_json::to_string(&docs)?);
    } else {
        for d in &docs {
            println!("{}\t{}\t{}\t{}", d.id, d.passages, d.title, d.source);
        }
        eprintln!(
            "{} document(s), {} passage(s); the index holds {} passage(s)",
            docs.len(),
            docs.iter().map(|d| d.passages).sum::<usize>(),
            store.count().await?
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct RmArgs {
    /// A document id (see `policyqa docs`) or a source path: every document of that file.
    doc: String,
}

pub async fn rm(settings: &Settings, args: RmArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(settings).await?;
    let removed = indexer(store, None).remove(&args.doc).await?;
    for t in removed {
        println!("removed 《{t}》");
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct SearchArgs {
    query: String,
    #[arg(long, default_value_t = 5)]
    top_k: usize,
    #[arg(long)]
    json: bool,
}

pub async fn retriever(store: Arc<dyn PassageStore>, embedder: Option<Arc<dyn Embedder>>) -> anyhow::Result<Retriever> {
    Ok(Retriever::open(store, embedder, Lexicon::builtin(), RetrievalConfig::default()).await?)
}

pub async fn search(settings: &Settings, args: SearchArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(settings).await?;
    if store.count().await? == 0 {
        bail!("the {} is empty; run `policyqa ingest PATH...` first", store.describe());
    }
    let r = retriever(store, settings.embedder()?).await?.search(&args.query, args.top_k).await?;
    for w in &r.warnings {
        eprintln!("warning: {w}");
    }
    if args.json {
        #[derive(serde::Serialize)]
        struct Out<'a> {
            query: &'a str,
            passages: &'a [policyqa_retrieval::Ranked],
            #[serde(skip_serializing_if = "Option::is_none")]
            clause_lookup: Option<&'a policyqa_retrieval::retriever::ClauseLookup>,
        }
        println!("{}", serde_json::to_string(&Out { query: &r.query, passages: &r.passages, clause_lookup: r.clause_lookup.as_ref() })?);
    } else {
        if let Some(c) = &r.clause_lookup
            && !c.found {
                eprintln!("note: {} is not in the index{}", c.asked.join("、"), c.available.as_ref().map(|a| format!(" (it has {a})")).unwrap_or_default());
            }
        for p in &r.passages {
            let text: String = p.passage.text.chars().take(60).collect::<String>().replace('\n', " ");
            println!("{:>2}. {:<8.3} {}\n    {text}…", p.rank, p.score, p.passage.label);
        }
        eprintln!("{} result(s) in {:.2} ms", r.passages.len(), r.millis);
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct EvalArgs {
    /// Question sets (JSON Lines with id, question, gold, facts, kind).
    #[arg(long = "dataset", required = true)]
    datasets: Vec<PathBuf>,
    /// Build a fresh index of this corpus for the run (a temporary folder) instead of using
    /// the configured index; also what the peer is run on.
    #[arg(long)]
    corpus: Option<PathBuf>,
    #[arg(long, default_value_t = 10)]
    top_k: usize,
    /// Also run the peer (jieba + rank_bm25, eval/bm25_peer.py) on the same corpus and questions.
    #[arg(long)]
    peer: bool,
    /// Fail (exit 1) when Recall@5 falls below this.
    #[arg(long)]
    min_recall5: Option<f64>,
    /// Fail (exit 1) when MRR@10 falls below this.
    #[arg(long)]
    min_mrr: Option<f64>,
    /// Fail when a clause_ref question's clause is not at rank 1.
    #[arg(long)]
    clause_refs_first: bool,
    /// Turn a retrieval method off to measure what it brings: lexicon, cleanup (scaffolding
    /// and function words), scope (searching within named documents).
    #[arg(long, value_delimiter = ',')]
    without: Vec<String>,
    /// Weight of lexicon expansions relative to the question's own words.
    #[arg(long)]
    expansion_weight: Option<f32>,
    /// Retrieval metrics only: do not answer the questions.
    #[arg(long)]
    retrieval_only: bool,
    /// Answer every question without the evidence threshold and print, for a sweep of
    /// thresholds, the refusal accuracy and false-refusal rate it would give.
    #[arg(long)]
    calibrate: bool,
    /// Fail when citation precision falls below this.
    #[arg(long)]
    min_citation_precision: Option<f64>,
    /// Fail when fact recall falls below this.
    #[arg(long)]
    min_fact_recall: Option<f64>,
    /// Fail when refusal accuracy (unanswerable questions refused) falls below this.
    #[arg(long)]
    min_refusal_accuracy: Option<f64>,
    /// Fail when the false-refusal rate (answerable questions refused) rises above this.
    #[arg(long)]
    max_false_refusals: Option<f64>,
    #[arg(long)]
    json: bool,
}

pub async fn eval(settings: &Settings, args: EvalArgs) -> anyhow::Result<ExitCode> {
    let tmp;
    let embedder = settings.embedder()?;
    let store = match &args.corpus {
        Some(corpus) => {
            // A fresh embedded index, whatever the configured store: the run is hermetic.
            tmp = tempfile::tempdir()?;
            let local = Settings { qdrant: None, ..settings.clone() };
            let store = open_store_for_ingest(&local, tmp.path(), embedder.as_ref()).await?;
            let s = indexer(store.clone(), embedder.clone()).ingest(std::slice::from_ref(corpus), &IngestOptions::default(), &bar()).await?;
            eprintln!("indexed {}: {} document(s), {} passage(s) in {:.2} s", corpus.display(), s.documents, s.passages, s.seconds);
            store
        }
        None => open_store(settings).await?,
    };
    let mut config = RetrievalConfig::default();
    if let Some(w) = args.expansion_weight {
        config.expansion_weight = w;
    }
    for w in &args.without {
        match w.as_str() {
            "lexicon" => config.use_lexicon = false,
            "cleanup" => config.clean_query = false,
            "scope" => config.scope_to_named_documents = false,
            other => bail!("--without {other}: expected lexicon, cleanup or scope"),
        }
    }
    let retriever = Arc::new(Retriever::open(store, embedder.clone(), Lexicon::builtin(), config).await?);
    println!("retrieval: {}", if retriever.dense() { "hybrid (BM25 + dense, RRF)" } else { "BM25" });
    let mut answer_config = settings.answer_config();
    if args.calibrate {
        answer_config.min_evidence = -1.0;
    }
    let chat = settings.chat()?;
    if !args.retrieval_only {
        println!("answers: {}", if chat.is_some() { "chat model (extractive fallback)" } else { "extractive" });
    }
    let answerer = Answerer::new(retriever.clone(), chat, settings.prompts()?, answer_config);
    let mut ok = true;
    let mut reports = Vec::new();
    let mut answer_reports = Vec::new();
    for path in &args.datasets {
        let questions = policyqa_eval::load(path)?;
        let name = path.display().to_string();
        let report = policyqa_eval::evaluate(&retriever, &name, &questions, args.top_k).await?;
        let m = &report.overall;
        println!("{name}: {} questions ({} answerable)", questions.len(), m.questions);
        println!("  policyqa  Recall@1 {:.3}  Recall@5 {:.3}  MRR@10 {:.3}  latency median {:.2} ms  p99 {:.2} ms", m.recall_at_1, m.recall_at_5, m.mrr_at_10, report.latency_median_ms, report.latency_p99_ms);
        if args.peer {
            match (&args.corpus, run_peer(args.corpus.as_deref(), path)) {
                (Some(_), Ok(p)) => println!(
                    "  peer      Recall@1 {:.3}  Recall@5 {:.3}  MRR@10 {:.3}  latency median {:.2} ms  p99 {:.2} ms\n  ours/peer Recall@5 {:.2}x  latency {:.4}x",
                    p.r1, p.r5, p.mrr, p.median_ms, p.p99_ms, m.recall_at_5 / p.r5.max(1e-9), report.latency_median_ms / p.median_ms.max(1e-9)
                ),
                (_, Err(e)) => eprintln!("  peer: not run: {e:#}"),
                (None, _) => {}
            }
        }
        for (kind, km) in &report.per_kind {
            println!("  {kind:<13} n={:<3} Recall@1 {:.3}  Recall@5 {:.3}  MRR@10 {:.3}", km.questions, km.recall_at_1, km.recall_at_5, km.mrr_at_10);
        }
        let misses: Vec<_> = report.questions.iter().filter(|q| !q.gold.is_empty() && q.rank.is_none_or(|r| r > 5)).collect();
        if !misses.is_empty() {
            println!("  missed at 5: {}", misses.iter().map(|q| q.id.as_str()).collect::<Vec<_>>().join(" "));
        }
        if let Some(min) = args.min_recall5
            && m.recall_at_5 < min {
                eprintln!("FAIL: {name}: Recall@5 {:.3} < {min}", m.recall_at_5);
                ok = false;
            }
        if let Some(min) = args.min_mrr
            && m.mrr_at_10 < min {
                eprintln!("FAIL: {name}: MRR@10 {:.3} < {min}", m.mrr_at_10);
                ok = false;
            }
        if args.clause_refs_first {
            for q in report.questions.iter().filter(|q| q.kind == "clause_ref" && !q.gold.is_empty() && q.rank != Some(1)) {
                eprintln!("FAIL: {name}: {} ({}) has its clause at rank {:?}", q.id, q.question, q.rank);
                ok = false;
            }
        }
        if !args.retrieval_only {
            let answers = policyqa_eval::evaluate_answers(&answerer, &name, &questions).await?;
            let a = &answers.overall;
            println!(
                "  answers   citation precision {:.3}  fact recall {:.3}  refusal accuracy {:.3} (n={})  false refusals {:.3}  cited {:.3}  quotes in clause {:.3}  flagged {}  latency median {:.2} ms  p99 {:.2} ms",
                a.citation_precision, a.fact_recall, a.refusal_accuracy, a.unanswerable, a.false_refusal_rate, a.answers_with_citation, a.quotes_in_clause, a.flagged_sentences, a.latency_median_ms, a.latency_p99_ms
            );
            let wrong: Vec<String> = answers
                .questions
                .iter()
                .filter(|r| (r.kind == "unanswerable") != r.refused || !r.facts_missing.is_empty() || r.citations.iter().any(|c| !c.has_gold))
                .map(|r| r.id.clone())
                .collect();
            if !wrong.is_empty() {
                println!("  answer misses: {}", wrong.join(" "));
            }
            if args.calibrate {
                println!("  evidence threshold sweep (refusal accuracy / false refusals):");
                for t in (0..=16).map(|i| i as f32 * 0.05) {
                    let (acc, fr) = answers.refusals_at(t);
                    println!("    {t:.2}  {acc:.3} / {fr:.3}");
                }
            }
            let gate = |what: &str, value: f64, limit: Option<f64>, below: bool, ok: &mut bool| {
                if let Some(l) = limit
                    && ((below && value < l) || (!below && value > l))
                {
                    eprintln!("FAIL: {name}: {what} {value:.3} {} {l}", if below { "<" } else { ">" });
                    *ok = false;
                }
            };
            gate("citation precision", a.citation_precision, args.min_citation_precision, true, &mut ok);
            gate("fact recall", a.fact_recall, args.min_fact_recall, true, &mut ok);
            gate("refusal accuracy", a.refusal_accuracy, args.min_refusal_accuracy, true, &mut ok);
            gate("false-refusal rate", a.false_refusal_rate, args.max_false_refusals, false, &mut ok);
            if a.answers_with_citation < 1.0 || a.quotes_in_clause < 1.0 {
                eprintln!("FAIL: {name}: every answer needs a citation and every quote must be in its clause");
                ok = false;
            }
            answer_reports.push(answers);
        }
        reports.push(report);
    }
    if args.json {
        println!("{}", serde_json::json!({"retrieval": reports, "answers": answer_reports}));
    }
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

struct PeerFigures {
    r1: f64,
    r5: f64,
    mrr: f64,
    median_ms: f64,
    p99_ms: f64,
}

/// The corpus as the peer can read it: it reads UTF-8 only, so GBK/GB18030 (and BOM, CR)
/// files are given to it decoded, in a temporary copy; the same text policyqa indexes.
fn utf8_copy(corpus: &Path) -> anyhow::Result<tempfile::TempDir> {
    let tmp = tempfile::tempdir()?;
    let files = policyqa_index::ingest::collect_files(&[corpus.to_path_buf()])?;
    for (i, f) in files.iter().enumerate() {
        let Ok(decoded) = policyqa_chunker::decode(&std::fs::read(f)?) else { continue };
        let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        std::fs::write(tmp.path().join(format!("{i:04}_{name}")), decoded.text.replace("\r\n", "\n").replace('\r', "\n"))?;
    }
    Ok(tmp)
}

fn run_peer(corpus: Option<&Path>, questions: &Path) -> anyhow::Result<PeerFigures> {
    let corpus = utf8_copy(corpus.context("--peer needs --corpus")?)?;
    let out = std::process::Command::new("python3")
        .arg("eval/bm25_peer.py")
        .arg("--corpus")
        .arg(corpus.path())
        .arg("--questions")
        .arg(questions)
        .output()
        .context("cannot run python3 eval/bm25_peer.py")?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        bail!("the peer failed: {}", String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or(""));
    }
    let num_after = |line: &str, key: &str| -> Option<f64> {
        let rest = &line[line.find(key)? + key.len()..];
        rest.trim_start().split([' ', ',']).next()?.trim_end_matches("ms").parse().ok()
    };
    let mut f = PeerFigures { r1: 0.0, r5: 0.0, mrr: 0.0, median_ms: 0.0, p99_ms: 0.0 };
    for line in text.lines() {
        if line.starts_with("answerable:") {
            f.r1 = num_after(line, "Recall@1").unwrap_or(0.0);
            f.r5 = num_after(line, "Recall@5").unwrap_or(0.0);
            f.mrr = num_after(line, "MRR@10").unwrap_or(0.0);
        }
        if line.starts_with("queries:") {
            f.median_ms = num_after(line, "median").unwrap_or(0.0);
            f.p99_ms = num_after(line, "p99").unwrap_or(0.0);
        }
    }
    Ok(f)
}
