//! `eval`: argument parsing and printing. The run itself (the in-process pipeline or a running
//! server, the peer beside, the gates, the baseline, the reports) is `policyqa_eval::run`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use policyqa_eval::http::HttpTarget;
use policyqa_eval::judge::Judge;
use policyqa_eval::peer::PeerError;
use policyqa_eval::report::{self, DatasetReport};
use policyqa_eval::run::{run, write_reports, CorpusIndex, Gates, Observer, RunPlan};
use policyqa_eval::{AnswerReport, EvalTarget, InProcess};
use policyqa_pipeline::Pipeline;

use crate::index_cmds::bar;
use crate::settings::Settings;

#[derive(clap::Args)]
pub struct EvalArgs {
    /// Question sets (JSON Lines with id, question, gold, facts, kind); files joined with `+`
    /// are measured as one set (`seed_dev.jsonl+seed_wide.jsonl`).
    #[arg(long = "dataset", required = true, num_args = 1..)]
    datasets: Vec<PathBuf>,
    /// Only the tuning half (`tune`) or the test half (`test`) of every set, split by a fixed
    /// hash of the question id: choose knobs on `tune`, report `test`.
    #[arg(long)]
    half: Option<policyqa_eval::Half>,
    /// Read statuses on this date (YYYY-MM-DD) for every question that gives none: which
    /// documents are in force, so a run measures the same on any day. Today by default.
    #[arg(long, value_name = "DATE")]
    as_of: Option<policyqa_core::validity::Date>,
    /// Build a fresh index of this corpus for the run (a temporary folder) instead of using
    /// the configured index; also what the peer is run on.
    #[arg(long)]
    corpus: Option<PathBuf>,
    /// Ask a running policyqa server (its /v1/search and /v1/ask) instead of the in-process
    /// pipeline, e.g. http://127.0.0.1:8080. Latencies are then round trips.
    #[arg(long, conflicts_with_all = ["without", "expansion_weight", "knobs", "calibrate"])]
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
    /// and function words), scope (preferring named documents), characters (the words'
    /// candidates scored again by shared characters).
    #[arg(long, value_delimiter = ',')]
    without: Vec<String>,
    /// Weight of lexicon expansions relative to the question's own words.
    #[arg(long)]
    expansion_weight: Option<f32>,
    /// Set a knob for a tuning run: the retrieval's expansion_weight, scope_boost,
    /// focus_weight, character_weight, bigram_weight, and the answer's min_supported_share
    /// (`--knob scope_boost=2`); choose on `--half tune`.
    #[arg(long = "knob", value_name = "NAME=VALUE")]
    knobs: Vec<String>,
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
        Some(p) => Some((report::load_baseline(p)?, p.display().to_string())),
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
    let mut plan = RunPlan {
        datasets: args.datasets.clone(),
        half: args.half,
        top_k: args.top_k,
        answers: !args.retrieval_only,
        as_of: args.as_of,
        peer: args.peer,
        corpus: args.corpus.clone(),
        judge: judge.as_ref(),
        gates: Gates {
            min_recall5: args.min_recall5,
            min_mrr: args.min_mrr,
            clause_refs_first: args.clause_refs_first,
            min_citation_precision: args.min_citation_precision,
            min_fact_recall: args.min_fact_recall,
            min_refusal_accuracy: args.min_refusal_accuracy,
            max_false_refusals: args.max_false_refusals,
        },
        baseline,
        retrieval_mode: "server".into(),
        answer_mode: (!args.retrieval_only).then(|| "server".into()),
    };
    if let Some(url) = &args.url {
        let target = HttpTarget::new(url, args.key.clone())?;
        target.check().await?;
        println!("target: {url}");
        return finish(&target, &plan, &args).await;
    }
    let mut config = settings.pipeline_config();
    if let Some(w) = args.expansion_weight {
        config.retrieval.expansion_weight = w;
    }
    for k in &args.knobs {
        let (name, value) = k.split_once('=').with_context(|| format!("--knob {k}: expected NAME=VALUE"))?;
        let (name, value) = (name.trim(), value.trim());
        if name == "min_supported_share" {
            // The answer's knob: how much of a chat model's answer must pass the checks.
            config.answer.min_supported_share = value.parse::<f32>().ok().filter(|x| (0.0..=1.0).contains(x)).with_context(|| format!("--knob {k}: expected a number between 0 and 1"))?;
            continue;
        }
        config.retrieval.set(name, value).map_err(|e| anyhow::anyhow!("--knob {e}"))?;
    }
    for w in &args.without {
        match w.as_str() {
            "lexicon" => config.retrieval.use_lexicon = false,
            "cleanup" => config.retrieval.clean_query = false,
            "scope" => config.retrieval.scope_to_named_documents = false,
            "characters" => config.retrieval.character_weight = 0.0,
            other => bail!("--without {other}: expected lexicon, cleanup, scope or characters"),
        }
    }
    if args.calibrate {
        config.answer.min_evidence = -1.0;
    }
    let backends = settings.backends()?;
    let answer_mode = if backends.chat.is_some() { "chat model (extractive fallback)" } else { "extractive" };
    // A corpus gets a fresh index for the run, whatever store is configured.
    let (index, opened);
    let pipeline: &Pipeline = match &args.corpus {
        Some(corpus) => {
            index = CorpusIndex::build(corpus, backends, config, &bar()).await?;
            let s = &index.summary;
            eprintln!("indexed {}: {} document(s), {} passage(s) in {:.2} s", corpus.display(), s.documents, s.passages, s.seconds);
            &index.pipeline
        }
        None => {
            opened = Pipeline::open(settings.store_location().open().await?, backends, config).await?;
            &opened
        }
    };
    let retrieval_mode = if pipeline.retriever().dense() { "hybrid (BM25 + dense, RRF)" } else { "BM25" };
    println!("retrieval: {retrieval_mode}");
    if !args.retrieval_only {
        println!("answers: {answer_mode}");
    }
    plan.retrieval_mode = retrieval_mode.into();
    plan.answer_mode = (!args.retrieval_only).then(|| answer_mode.into());
    finish(&InProcess::new(pipeline), &plan, &args).await
}

/// Runs the plan, prints as it goes, writes the reports; exit 1 when a gate failed.
async fn finish(target: &impl EvalTarget, plan: &RunPlan<'_>, args: &EvalArgs) -> anyhow::Result<ExitCode> {
    let outcome = run(target, plan, &mut Printer { calibrate: args.calibrate }).await?;
    if let Some(c) = &outcome.report.baseline {
        print_comparison(c);
    }
    if let Some(dir) = &args.report {
        write_reports(dir, &outcome.report)?;
        println!("reports: {}", ["report.json", "report.md", "report.html"].map(|f| dir.join(f).display().to_string()).join(", "));
    }
    if args.json {
        println!("{}", serde_json::to_string(&outcome.report)?);
    }
    Ok(if outcome.failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// Prints each dataset's figures as it is done; failed gates on stderr.
struct Printer {
    calibrate: bool,
}

impl Observer for Printer {
    fn peer_not_run(&mut self, _dataset: &str, why: &PeerError) {
        eprintln!("  peer: not run: {why}");
    }

    fn dataset(&mut self, d: &DatasetReport, failures: &[String]) {
        let report = &d.retrieval;
        let m = &report.overall;
        println!("{}: {} questions ({} answerable)", d.name, report.questions.len(), m.questions);
        println!("  policyqa  Recall@1 {:.3}  Recall@5 {:.3}  MRR@10 {:.3}  latency median {:.2} ms  p99 {:.2} ms", m.recall_at_1, m.recall_at_5, m.mrr_at_10, report.latency_median_ms, report.latency_p99_ms);
        if let Some(p) = &d.peer {
            println!(
                "  peer      Recall@1 {:.3}  Recall@5 {:.3}  MRR@10 {:.3}  latency median {:.2} ms  p99 {:.2} ms\n  ours/peer Recall@5 {:.2}x  latency {:.4}x",
                p.recall_at_1, p.recall_at_5, p.mrr_at_10, p.latency_median_ms, p.latency_p99_ms,
                m.recall_at_5 / p.recall_at_5.max(1e-9), report.latency_median_ms / p.latency_median_ms.max(1e-9)
            );
        }
        for (kind, km) in &report.per_kind {
            let peer = d.peer.as_ref().and_then(|p| p.per_kind.get(kind)).map(|p| format!("   peer Recall@5 {:.3}", p.recall_at_5)).unwrap_or_default();
            println!("  {kind:<13} n={:<3} Recall@1 {:.3}  Recall@5 {:.3}  MRR@10 {:.3}{peer}", km.questions, km.recall_at_1, km.recall_at_5, km.mrr_at_10);
        }
        let misses: Vec<_> = report.questions.iter().filter(|q| !q.gold.is_empty() && q.rank.is_none_or(|r| r > 5)).collect();
        if !misses.is_empty() {
            println!("  missed at 5: {}", misses.iter().map(|q| q.id.as_str()).collect::<Vec<_>>().join(" "));
        }
        if let Some(a) = &d.answers {
            print_answers(a, self.calibrate);
        }
        for f in failures {
            eprintln!("FAIL: {f}");
        }
    }
}

fn print_answers(answers: &AnswerReport, calibrate: bool) {
    let a = &answers.overall;
    println!(
        "  answers   citation precision {:.3}  fact recall {:.3}  refusal accuracy {:.3} (n={})  false refusals {:.3}  cited {:.3}  quotes in clause {:.3}  flagged {}  latency median {:.2} ms  p99 {:.2} ms",
        a.citation_precision, a.fact_recall, a.refusal_accuracy, a.unanswerable, a.false_refusal_rate, a.answers_with_citation, a.quotes_in_clause, a.flagged_sentences, a.latency_median_ms, a.latency_p99_ms
    );
    if a.model_answers > 0 || !a.fallbacks.is_empty() {
        let fell: Vec<String> = a.fallbacks.iter().map(|(why, n)| format!("{why} {n}")).collect();
        println!("  model     {} answer(s) the chat model's; fell back to extractive: {}", a.model_answers, if fell.is_empty() { "none".to_string() } else { fell.join(", ") });
    }
    if let Some(f) = a.faithfulness_model_judged {
        println!("  faithfulness {f:.3} over {} answers (MODEL-JUDGED, not measured)", a.judged);
    }
    let wrong: Vec<&str> = answers.questions.iter().filter(|r| !r.is_right()).map(|r| r.id.as_str()).collect();
    if !wrong.is_empty() {
        println!("  answer misses: {}", wrong.join(" "));
    }
    if calibrate {
        println!("  evidence threshold sweep (refusal accuracy / false refusals):");
        for t in (0..=16).map(|i| i as f32 * 0.05) {
            let (acc, fr) = answers.refusals_at(t);
            println!("    {t:.2}  {acc:.3} / {fr:.3}");
        }
    }
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
