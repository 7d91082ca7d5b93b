//! `eval`: dataset runs through the in-process pipeline or a running server, gates, the peer
//! beside, and the reports (`--report DIR`: report.json, report.md, report.html).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use policyqa_answer::Answerer;
use policyqa_eval::judge::Judge;
use policyqa_eval::report::{self, DatasetReport, EvalReport, PeerFigures, REPORT_VERSION};
use policyqa_eval::{AnswerReport, Answered, AnsweredCitation, EvalError, EvalTarget, InProcess, Retrieved, RetrievedPassage};
use policyqa_index::IngestOptions;
use policyqa_retrieval::{Lexicon, RetrievalConfig, Retriever};

use crate::index_cmds::{bar, indexer, open_store, open_store_for_ingest};
use crate::settings::Settings;

#[derive(clap::Args)]
pub struct EvalArgs {
    /// Question sets (JSON Lines with id, question, gold, facts, kind).
    #[arg(long = "dataset", required = true, num_args = 1..)]
    datasets: Vec<PathBuf>,
    /// Build a fresh index of this corpus for the run (a temporary folder) instead of using
    /// the configured index; also what the peer is run on.
    #[arg(long)]
    corpus: Option<PathBuf>,
    /// Ask a running policyqa server (its /v1/search and /v1/ask) instead of the in-process
    /// pipeline, e.g. http://127.0.0.1:8080. Latencies are then round trips.
    #[arg(long, conflicts_with_all = ["without", "expansion_weight", "calibrate"])]
    url: Option<String>,
    /// Bearer key for --url, when the server requires one.
    #[arg(long, env = "POLICYQA_EVAL_KEY", hide_env_values = true)]
    key: Option<String>,
    /// Write report.json, report.md and report.html into this folder (created if missing).
    #[arg(long)]
    report: Option<PathBuf>,
    /// An earlier report.json: print the change per metric and the questions that got better
    /// or worse (and put them in the reports).
    #[arg(long)]
    baseline: Option<PathBuf>,
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
    /// Also have the configured chat model (POLICYQA_CHAT_MODEL) judge each answer's
    /// faithfulness to the clauses it cites; reported as model-judged, beside the measured
    /// citation checks.
    #[arg(long, conflicts_with = "retrieval_only")]
    judge: bool,
    /// Print the whole report as JSON on stdout (as report.json).
    #[arg(long)]
    json: bool,
}

pub async fn eval(settings: &Settings, args: EvalArgs) -> anyhow::Result<ExitCode> {
    // Read the baseline first: a wrong path should not cost a whole run.
    let baseline = match &args.baseline {
        Some(p) => Some(report::load_baseline(p)?),
        None => None,
    };
    let judge = if args.judge {
        let chat = settings.chat()?.context("--judge needs a chat model: set POLICYQA_CHAT_MODEL (and OPENAI_BASE_URL)")?;
        let j = Judge::new(chat, settings.prompts()?);
        println!("faithfulness: judged by {} (model-judged, not measured)", j.model());
        Some(j)
    } else {
        None
    };
    if let Some(url) = &args.url {
        let target = HttpTarget::new(url, args.key.clone())?;
        target.check().await?;
        println!("target: {url}");
        return run(&target, "server".into(), (!args.retrieval_only).then(|| "server".into()), &args, baseline, judge.as_ref()).await;
    }
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
    let retrieval_mode = if retriever.dense() { "hybrid (BM25 + dense, RRF)" } else { "BM25" };
    println!("retrieval: {retrieval_mode}");
    let mut answer_config = settings.answer_config();
    if args.calibrate {
        answer_config.min_evidence = -1.0;
    }
    let chat = settings.chat()?;
    let answer_mode = if chat.is_some() { "chat model (extractive fallback)" } else { "extractive" };
    if !args.retrieval_only {
        println!("answers: {answer_mode}");
    }
    let target = InProcess { answerer: Arc::new(Answerer::new(retriever, chat, settings.prompts()?, answer_config)) };
    run(&target, retrieval_mode.into(), (!args.retrieval_only).then(|| answer_mode.into()), &args, baseline, judge.as_ref()).await
}

async fn run(target: &impl EvalTarget, retrieval_mode: String, answer_mode: Option<String>, args: &EvalArgs, baseline: Option<EvalReport>, judge: Option<&Judge>) -> anyhow::Result<ExitCode> {
    let mut ok = true;
    let mut datasets = Vec::new();
    for path in &args.datasets {
        let questions = policyqa_eval::load(path)?;
        let name = path.display().to_string();
        let report = policyqa_eval::evaluate(target, &name, &questions, args.top_k).await?;
        let m = &report.overall;
        println!("{name}: {} questions ({} answerable)", questions.len(), m.questions);
        println!("  policyqa  Recall@1 {:.3}  Recall@5 {:.3}  MRR@10 {:.3}  latency median {:.2} ms  p99 {:.2} ms", m.recall_at_1, m.recall_at_5, m.mrr_at_10, report.latency_median_ms, report.latency_p99_ms);
        let mut peer = None;
        if args.peer {
            match run_peer(args.corpus.as_deref(), path) {
                Ok(p) => {
                    println!(
                        "  peer      Recall@1 {:.3}  Recall@5 {:.3}  MRR@10 {:.3}  latency median {:.2} ms  p99 {:.2} ms\n  ours/peer Recall@5 {:.2}x  latency {:.4}x",
                        p.recall_at_1, p.recall_at_5, p.mrr_at_10, p.latency_median_ms, p.latency_p99_ms,
                        m.recall_at_5 / p.recall_at_5.max(1e-9), report.latency_median_ms / p.latency_median_ms.max(1e-9)
                    );
                    peer = Some(p);
                }
                Err(e) => eprintln!("  peer: not run: {e:#}"),
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
            && m.recall_at_5 < min
        {
            eprintln!("FAIL: {name}: Recall@5 {:.3} < {min}", m.recall_at_5);
            ok = false;
        }
        if let Some(min) = args.min_mrr
            && m.mrr_at_10 < min
        {
            eprintln!("FAIL: {name}: MRR@10 {:.3} < {min}", m.mrr_at_10);
            ok = false;
        }
        if args.clause_refs_first {
            for q in report.questions.iter().filter(|q| q.kind == "clause_ref" && !q.gold.is_empty() && q.rank != Some(1)) {
                eprintln!("FAIL: {name}: {} ({}) has its clause at rank {:?}", q.id, q.question, q.rank);
                ok = false;
            }
        }
        let mut answers = None;
        if !args.retrieval_only {
            let a = policyqa_eval::evaluate_answers(target, &name, &questions, judge).await?;
            ok &= print_and_gate_answers(&name, &a, args);
            answers = Some(a);
        }
        datasets.push(DatasetReport { name, retrieval: report, answers, peer });
    }
    let mut report = EvalReport {
        version: REPORT_VERSION,
        generated_at: jiff::Timestamp::now().round(jiff::Unit::Second).map(|t| t.to_string()).unwrap_or_default(),
        target: target.describe(),
        retrieval_mode,
        answer_mode,
        datasets,
        baseline: None,
    };
    if let (Some(old), Some(path)) = (&baseline, &args.baseline) {
        let c = report::compare(old, &report, &path.display().to_string());
        print_comparison(&c);
        report.baseline = Some(c);
    }
    if let Some(dir) = &args.report {
        write_reports(dir, &report)?;
        println!("reports: {}", ["report.json", "report.md", "report.html"].map(|f| dir.join(f).display().to_string()).join(", "));
    }
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    }
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// Prints the answer figures and checks the answer gates; false when one fails.
fn print_and_gate_answers(name: &str, answers: &AnswerReport, args: &EvalArgs) -> bool {
    let a = &answers.overall;
    println!(
        "  answers   citation precision {:.3}  fact recall {:.3}  refusal accuracy {:.3} (n={})  false refusals {:.3}  cited {:.3}  quotes in clause {:.3}  flagged {}  latency median {:.2} ms  p99 {:.2} ms",
        a.citation_precision, a.fact_recall, a.refusal_accuracy, a.unanswerable, a.false_refusal_rate, a.answers_with_citation, a.quotes_in_clause, a.flagged_sentences, a.latency_median_ms, a.latency_p99_ms
    );
    if let Some(f) = a.faithfulness_model_judged {
        println!("  faithfulness {f:.3} over {} answers (MODEL-JUDGED, not measured)", a.judged);
    }
    let wrong: Vec<&str> = answers.questions.iter().filter(|r| !r.is_right()).map(|r| r.id.as_str()).collect();
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
    let mut ok = true;
    let mut gate = |what: &str, value: f64, limit: Option<f64>, below: bool| {
        if let Some(l) = limit
            && ((below && value < l) || (!below && value > l))
        {
            eprintln!("FAIL: {name}: {what} {value:.3} {} {l}", if below { "<" } else { ">" });
            ok = false;
        }
    };
    gate("citation precision", a.citation_precision, args.min_citation_precision, true);
    gate("fact recall", a.fact_recall, args.min_fact_recall, true);
    gate("refusal accuracy", a.refusal_accuracy, args.min_refusal_accuracy, true);
    gate("false-refusal rate", a.false_refusal_rate, args.max_false_refusals, false);
    if a.answers_with_citation < 1.0 || a.quotes_in_clause < 1.0 {
        eprintln!("FAIL: {name}: every answer needs a citation and every quote must be in its clause");
        ok = false;
    }
    ok
}

fn print_comparison(c: &report::Comparison) {
    println!("change since {} ({}):", c.path, c.generated_at);
    for d in &c.datasets {
        println!("  {}", d.name);
        for m in &d.metrics {
            let mark = match m.direction() {
                std::cmp::Ordering::Greater => "better",
                std::cmp::Ordering::Less => "worse",
                std::cmp::Ordering::Equal => "",
            };
            println!("    {:<20} {:>9.3} → {:>9.3}  {:+.3} {mark}", m.metric, m.before, m.after, m.delta());
        }
        for (what, list) in [("better", &d.better), ("worse", &d.worse)] {
            if !list.is_empty() {
                println!("    {what}: {}", list.iter().map(|q| format!("{} ({})", q.id, q.change)).collect::<Vec<_>>().join(", "));
            }
        }
    }
}

/// report.json, report.md, report.html, each written whole (a temporary file renamed), so a
/// reader never sees half a report.
fn write_reports(dir: &Path, report: &EvalReport) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let files = [
        ("report.json", serde_json::to_string_pretty(report)?),
        ("report.md", policyqa_eval::render::markdown(report)),
        ("report.html", policyqa_eval::render::html(report)),
    ];
    for (name, text) in files {
        let path = dir.join(name);
        let tmp = dir.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// A running policyqa server, asked over its public API.
struct HttpTarget {
    base: String,
    key: Option<String>,
    client: reqwest::Client,
}

impl HttpTarget {
    fn new(url: &str, key: Option<String>) -> anyhow::Result<Self> {
        let base = url.trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            bail!("--url {url}: expected http://host:port");
        }
        let client = reqwest::Client::builder().timeout(Duration::from_secs(180)).build()?;
        Ok(HttpTarget { base, key, client })
    }

    /// Fails early, with the server's answer, when it is not up.
    async fn check(&self) -> anyhow::Result<()> {
        let r = self.client.get(format!("{}/healthz", self.base)).send().await.with_context(|| format!("cannot reach {}", self.base))?;
        if !r.status().is_success() {
            bail!("{}/healthz answered {}", self.base, r.status());
        }
        Ok(())
    }

    async fn post(&self, path: &str, body: serde_json::Value) -> Result<(serde_json::Value, f64), EvalError> {
        let started = Instant::now();
        let mut req = self.client.post(format!("{}{path}", self.base)).json(&body);
        if let Some(k) = &self.key {
            req = req.bearer_auth(k);
        }
        let r = req.send().await.map_err(|e| EvalError::Unavailable(format!("{path}: {e}")))?;
        let status = r.status();
        let text = r.text().await.map_err(|e| EvalError::Unavailable(format!("{path}: {e}")))?;
        let millis = started.elapsed().as_secs_f64() * 1000.0;
        if status.is_server_error() || status.as_u16() == 429 {
            return Err(EvalError::Unavailable(format!("{path}: {status}: {text}")));
        }
        if !status.is_success() {
            return Err(EvalError::Failed(format!("{path}: {status}: {text}")));
        }
        let v = serde_json::from_str(&text).map_err(|e| EvalError::Failed(format!("{path}: not JSON: {e}")))?;
        Ok((v, millis))
    }
}

fn passage(v: &serde_json::Value) -> RetrievedPassage {
    let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or_default().to_string();
    RetrievedPassage { id: s("id"), label: s("label"), text: s("text") }
}

impl EvalTarget for HttpTarget {
    fn describe(&self) -> String {
        self.base.clone()
    }

    async fn search(&self, question: &str, top_k: usize) -> Result<Retrieved, EvalError> {
        let (v, millis) = self.post("/v1/search", serde_json::json!({ "query": question, "top_k": top_k })).await?;
        let passages = v.get("passages").and_then(|p| p.as_array()).map(|a| a.iter().map(passage).collect()).unwrap_or_default();
        let clause_found = v.get("clause_lookup").and_then(|c| c.get("found")).and_then(|f| f.as_bool());
        Ok(Retrieved { passages, millis, clause_found })
    }

    async fn ask(&self, question: &str) -> Result<Answered, EvalError> {
        let (v, millis) = self.post("/v1/ask", serde_json::json!({ "question": question })).await?;
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or_default().to_string();
        let citations = v
            .get("citations")
            .and_then(|c| c.as_array())
            .map(|a| {
                a.iter()
                    .map(|c| {
                        let t = |k: &str| c.get(k).and_then(|x| x.as_str()).unwrap_or_default().to_string();
                        AnsweredCitation { marker: c.get("marker").and_then(|m| m.as_u64()).unwrap_or(0) as usize, label: t("label"), text: t("text"), quote: t("quote") }
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(Answered {
            answer: s("answer"),
            refused: v.get("refused").and_then(|r| r.as_bool()).unwrap_or(false),
            mode: s("mode"),
            evidence: v.get("evidence").and_then(|e| e.as_f64()).unwrap_or(0.0) as f32,
            citations,
            flags: v.get("flags").and_then(|f| f.as_array()).map_or(0, |f| f.len()),
            warnings: v.get("warnings").and_then(|w| w.as_array()).map(|w| w.iter().filter_map(|x| x.as_str().map(String::from)).collect()).unwrap_or_default(),
            millis,
        })
    }
}

/// The corpus as the peer can read it: it reads UTF-8 only, so GBK/GB18030 (and BOM, CR)
/// files are given to it decoded, in a temporary copy; the same text policyqa indexes.
pub(crate) fn utf8_copy(corpus: &Path) -> anyhow::Result<tempfile::TempDir> {
    let tmp = tempfile::tempdir()?;
    let files = policyqa_index::ingest::collect_files(&[corpus.to_path_buf()])?;
    for (i, f) in files.iter().enumerate() {
        let Ok(decoded) = policyqa_chunker::decode(&std::fs::read(f)?) else { continue };
        let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        std::fs::write(tmp.path().join(format!("{i:04}_{name}")), decoded.text.replace("\r\n", "\n").replace('\r', "\n"))?;
    }
    Ok(tmp)
}

/// Runs eval/bm25_peer.py on the corpus and questions and reads its figures.
pub(crate) fn run_peer(corpus: Option<&Path>, questions: &Path) -> anyhow::Result<PeerFigures> {
    let corpus = utf8_copy(corpus.context("--peer needs --corpus")?)?;
    let out = std::process::Command::new("python3")
        .arg("eval/bm25_peer.py")
        .arg("--corpus")
        .arg(corpus.path())
        .arg("--questions")
        .arg(questions)
        .output()
        .context("cannot run python3 eval/bm25_peer.py")?;
    if !out.status.success() {
        bail!("the peer failed: {}", String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or(""));
    }
    Ok(parse_peer(&String::from_utf8_lossy(&out.stdout)))
}

/// The figures of the peer's summary lines ("answerable: …, Recall@1 …", "queries: …, median …").
pub(crate) fn parse_peer(text: &str) -> PeerFigures {
    let num_after = |line: &str, key: &str| -> Option<f64> {
        let rest = &line[line.find(key)? + key.len()..];
        rest.trim_start().split([' ', ',']).next()?.trim_end_matches("ms").parse().ok()
    };
    let mut f = PeerFigures::default();
    for line in text.lines() {
        if line.starts_with("answerable:") {
            f.recall_at_1 = num_after(line, "Recall@1").unwrap_or(0.0);
            f.recall_at_5 = num_after(line, "Recall@5").unwrap_or(0.0);
            f.mrr_at_10 = num_after(line, "MRR@10").unwrap_or(0.0);
        }
        if line.starts_with("queries:") {
            f.latency_median_ms = num_after(line, "median").unwrap_or(0.0);
            f.latency_p99_ms = num_after(line, "p99").unwrap_or(0.0);
        }
    }
    f
}
