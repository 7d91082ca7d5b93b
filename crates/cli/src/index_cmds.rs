//! `ingest`, `docs`, `rm`, `search`.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;
use policyqa_core::ChunkWarning;
use policyqa_index::{IngestOptions, Progress};
use policyqa_pipeline::{Pipeline, StoreLocation};

use crate::settings::Settings;

/// Opens the store for writing (dense vectors when an embeddings endpoint is configured) and
/// the pipeline over it.
pub(crate) async fn pipeline_for_ingest(settings: &Settings, location: &StoreLocation) -> anyhow::Result<Pipeline> {
    let backends = settings.backends()?;
    let store = location.open_for_ingest(backends.embedder.as_ref()).await?;
    Ok(Pipeline::open(store, backends, settings.pipeline_config()).await?)
}

/// The configured pipeline, refusing an empty index (nothing to search or answer from).
pub(crate) async fn pipeline_with_documents(settings: &Settings) -> anyhow::Result<Pipeline> {
    let pipeline = settings.pipeline().await?;
    if pipeline.store().count().await? == 0 {
        bail!("the {} is empty; run `policyqa ingest PATH...` first", pipeline.store().describe());
    }
    Ok(pipeline)
}

/// A progress bar on a terminal; nothing otherwise.
pub(crate) struct Bar(Option<indicatif::ProgressBar>);

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

pub(crate) fn bar() -> Bar {
    Bar(std::io::stderr().is_terminal().then(|| {
        let b = indicatif::ProgressBar::new(0);
        b.set_style(indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} files {wide_msg}").expect("valid template"));
        b
    }))
}

#[derive(clap::Args)]
pub struct IngestArgs {
    /// Files or folders: text (.txt, .md), web pages (.html, .htm), Word files (.docx) and PDFs,
    /// the format read from the content.
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
    let location = settings.store_location();
    if args.rebuild {
        location.remove().await?;
    }
    let pipeline = pipeline_for_ingest(settings, &location).await?;
    let summary = pipeline.indexer().ingest(&args.paths, &IngestOptions { prune: args.prune }, &bar()).await?;
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
    let store = settings.store_location().open().await?;
    let mut docs: Vec<_> = store.files().await?.into_iter().flat_map(|f| f.documents).collect();
    docs.sort_by(|a, b| a.source.cmp(&b.source).then(a.title.cmp(&b.title)));
    let graph = policyqa_validity::Graph::from_documents(&docs);
    let today = policyqa_validity::date_in_china(std::time::SystemTime::now());
    let standing = |id: &str| today.and_then(|t| graph.standing(id, t));
    if args.json {
        #[derive(serde::Serialize)]
        struct Listed<'a> {
            #[serde(flatten)]
            document: &'a policyqa_core::DocumentInfo,
            /// On today's date; absent for documents ingested before validity was read.
            #[serde(skip_serializing_if = "Option::is_none")]
            standing: Option<policyqa_validity::Standing>,
        }
        let listed: Vec<Listed> = docs.iter().map(|d| Listed { document: d, standing: standing(&d.id) }).collect();
        println!("{}", serde_json::to_string(&listed)?);
    } else {
        for d in &docs {
            // What the document states about itself (文号, 发文机关, dates…) after the source,
            // then whether it is in force today.
            let fields: String = d.meta.fields().iter().map(|(k, v)| format!("\t{k}：{v}")).collect();
            let status = match standing(&d.id) {
                Some(s) => {
                    let since = s.since.map(|d| format!(" 自{d}")).unwrap_or_default();
                    let by = s.successor_title.map(|t| format!("（《{t}》）")).unwrap_or_default();
                    format!("\t{}{since}{by}", s.status_zh)
                }
                None => String::new(),
            };
            println!("{}\t{}\t{}\t{}{fields}{status}", d.id, d.passages, d.title, d.source);
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
    let pipeline = settings.pipeline().await?;
    let removed = pipeline.indexer().remove(&args.doc).await?;
    for t in removed {
        println!("removed 《{t}》");
    }
    Ok(ExitCode::SUCCESS)
}

/// Which documents to search or answer from (`search`, `ask`): every condition given must
/// hold. Without --status, the documents in force on --as-of (today by default) and those
/// the question names.
#[derive(clap::Args, Default)]
pub(crate) struct FilterArgs {
    /// Only this document (an id from `policyqa docs`); repeatable.
    #[arg(long = "doc-id", value_name = "ID")]
    doc_ids: Vec<String>,
    /// 发文机关 containing this text.
    #[arg(long)]
    issuer: Option<String>,
    /// Document type, the type word its title ends in (意见, 通知, 办法, 条例, 法…; 法律 = 法
    /// and 法典); repeatable.
    #[arg(long = "type", value_name = "TYPE")]
    types: Vec<String>,
    /// in_force, repealed, superseded, not_yet_in_force or unknown (在施行, 已废止…); repeatable.
    #[arg(long)]
    status: Vec<String>,
    #[arg(long, value_name = "DATE")]
    written_from: Option<String>,
    #[arg(long, value_name = "DATE")]
    written_to: Option<String>,
    #[arg(long, value_name = "DATE")]
    published_from: Option<String>,
    #[arg(long, value_name = "DATE")]
    published_to: Option<String>,
    #[arg(long, value_name = "DATE")]
    effective_from: Option<String>,
    #[arg(long, value_name = "DATE")]
    effective_to: Option<String>,
    /// Read statuses on this date (YYYY-MM-DD) and use the versions in force then.
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
}

impl FilterArgs {
    /// The filter; a malformed value is named by its flag.
    pub(crate) fn filter(&self) -> anyhow::Result<policyqa_core::DocumentFilter> {
        let mut out = policyqa_core::DocumentFilter::default();
        let lists = [("doc_id", &self.doc_ids), ("type", &self.types), ("status", &self.status)];
        let single = [
            ("issuer", &self.issuer),
            ("written_from", &self.written_from),
            ("written_to", &self.written_to),
            ("published_from", &self.published_from),
            ("published_to", &self.published_to),
            ("effective_from", &self.effective_from),
            ("effective_to", &self.effective_to),
            ("as_of", &self.as_of),
        ];
        let values = lists.into_iter().flat_map(|(n, vs)| vs.iter().map(move |v| (n, v))).chain(single.into_iter().filter_map(|(n, v)| v.as_ref().map(|v| (n, v))));
        for (name, value) in values {
            // The message starts with the field's name: the flag's instead.
            out.set(name, value).map_err(|e| anyhow::anyhow!("--{}{}", name.replace('_', "-"), e.strip_prefix(name).unwrap_or(&e)))?;
        }
        Ok(out)
    }
}

#[derive(clap::Args)]
pub struct SearchArgs {
    query: String,
    #[arg(long, default_value_t = 5)]
    top_k: usize,
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    filter: FilterArgs,
}

pub async fn search(settings: &Settings, args: SearchArgs) -> anyhow::Result<ExitCode> {
    let filter = args.filter.filter()?;
    let r = pipeline_with_documents(settings).await?.retriever().search_filtered(&args.query, args.top_k, &filter).await?;
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
