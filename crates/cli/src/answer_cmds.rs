//! `policyqa ask`: one answer with its citations, readable or as JSON.

use std::path::PathBuf;
use std::process::ExitCode;
use anyhow::Context;
use policyqa_answer::{Answer, AskRequest, Turn};

use crate::index_cmds::{pipeline_with_documents, FilterArgs};
use crate::settings::Settings;

#[derive(clap::Args)]
pub struct AskArgs {
    /// The question.
    question: String,
    /// Earlier turns, for a follow-up: a JSON file of [{"role": "user"|"assistant", "content": "…"}].
    #[arg(long)]
    history: Option<PathBuf>,
    /// How many clauses to retrieve and answer from.
    #[arg(long)]
    top_k: Option<usize>,
    #[arg(long)]
    json: bool,
    /// With --json: the chat model's text as it came, before any check (model_answer_raw).
    #[arg(long)]
    debug: bool,
    #[command(flatten)]
    filter: FilterArgs,
}

pub async fn ask(settings: &Settings, args: AskArgs) -> anyhow::Result<ExitCode> {
    let history: Vec<Turn> = match &args.history {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("{}: cannot read the history", path.display()))?;
            serde_json::from_str(&text).with_context(|| format!("{}: expected [{{\"role\", \"content\"}}, …]", path.display()))?
        }
        None => Vec::new(),
    };
    let filter = args.filter.filter()?;
    let pipeline = pipeline_with_documents(settings).await?;
    let a = pipeline.answerer().ask(&AskRequest { question: args.question.clone(), history, top_k: args.top_k, debug: args.debug, filter }, None).await?;
    for w in &a.warnings {
        eprintln!("warning: {w}");
    }
    if args.json {
        println!("{}", serde_json::to_string(&a)?);
    } else {
        print_readable(&a);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_readable(a: &Answer) {
    if let Some(r) = &a.resolved_question {
        println!("（理解为：{r}）");
    }
    println!("{}", a.answer);
    if !a.citations.is_empty() {
        println!("\n引用：");
        for c in &a.citations {
            println!("[{}] {}", c.marker, c.label);
            println!("    “{}”", c.quote.trim());
        }
    }
    for f in &a.flags {
        println!("\n注意：“{}” {}", f.sentence, f.reason);
    }
    let cited: Vec<&str> = a.citations.iter().map(|c| c.id.as_str()).collect();
    let consulted = consulted(a.passages.iter().map(|r| &r.passage).filter(|p| !cited.contains(&p.id.as_str())));
    if !consulted.is_empty() {
        println!("\n参考：{}", consulted.join("；"));
    }
    eprintln!(
        "{} answer in {:.1} ms (retrieval {:.1} ms), evidence {:.2}",
        match a.mode {
            policyqa_answer::Mode::Llm => "model",
            policyqa_answer::Mode::Extractive => "extractive",
        },
        a.timings.total_ms,
        a.timings.retrieval_ms,
        a.evidence
    );
}

/// The consulted passages, one entry per label: a news piece's paragraphs (a long clause's
/// parts) are one entry with their numbers, "《…》第1、3段".
fn consulted<'a>(passages: impl Iterator<Item = &'a policyqa_core::Passage>) -> Vec<String> {
    let mut groups: Vec<(&str, Vec<&policyqa_core::Passage>)> = Vec::new();
    for p in passages {
        match groups.iter_mut().find(|(l, _)| *l == p.label) {
            Some((_, v)) => v.push(p),
            None => groups.push((&p.label, vec![p])),
        }
    }
    groups
        .into_iter()
        .map(|(label, mut ps)| {
            if ps.len() == 1 {
                return label.to_string();
            }
            ps.sort_by_key(|p| p.start);
            let numbers: Vec<String> = ps.iter().enumerate().map(|(i, p)| p.part.map_or(i + 1, |n| n as usize).to_string()).collect();
            let unit = if ps[0].kind == policyqa_core::PassageKind::Paragraph { "段" } else { "部分" };
            format!("{label}第{}{unit}", numbers.join("、"))
        })
        .collect()
}
#[derive(clap::Args)]
pub struct VerifyArgs {
    /// The text whose citations to check: a file, or - for standard input.
    input: PathBuf,
    /// Read statuses on this date (YYYY-MM-DD: the text's date); today in China by default.
    #[arg(long)]
    as_of: Option<policyqa_core::validity::Date>,
    #[arg(long)]
    json: bool,
}

/// Checks every citation of a text against the index: found, no such article, not indexed,
/// repealed; and whether the cited clause bears out the sentence citing it. Exits 1 when any
/// citation is not found or a sentence is not borne out.
pub async fn verify(settings: &Settings, args: VerifyArgs) -> anyhow::Result<ExitCode> {
    let bytes = if args.input.as_os_str() == "-" {
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut b).context("reading standard input")?;
        b
    } else {
        std::fs::read(&args.input).with_context(|| format!("reading {}", args.input.display()))?
    };
    // Drafts come as GBK as often as UTF-8: decoded as the chunker decodes files.
    let text = policyqa_chunker::decode(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", args.input.display()))?.text;
    let date = match args.as_of {
        Some(d) => d,
        None => policyqa_validity::date_in_china(std::time::SystemTime::now()).context("the system clock is before 1970")?,
    };
    let pipeline = pipeline_with_documents(settings).await?;
    let v = policyqa_answer::verify(pipeline.retriever(), &text, date).await?;
    if args.json {
        println!("{}", serde_json::to_string(&v)?);
    } else {
        for c in &v.citations {
            let outcome = serde_json::to_value(c.outcome)?.as_str().unwrap_or_default().to_string();
            println!("{}\t{}\t{outcome}\t{}", c.start, c.text, c.message);
            if let Some(s) = &c.support {
                let verdict = if s.supported { "supported" } else { "NOT supported" };
                let missing = if s.missing.is_empty() { String::new() } else { format!("; not in the clause: {}", s.missing.join("、")) };
                println!("\t{verdict} ({:.0}% of its wording{missing}): {}", s.share * 100.0, s.quote);
            }
        }
        eprintln!(
            "{} citation(s) on {}: {} found, {} no such article, {} not indexed, {} repealed; {} sentence(s) not borne out",
            v.citations.len(),
            v.as_of,
            v.found,
            v.no_such_article,
            v.not_indexed,
            v.repealed,
            v.unsupported
        );
    }
    Ok(if v.no_such_article + v.unsupported > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}
