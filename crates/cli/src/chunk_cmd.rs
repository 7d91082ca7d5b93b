//! `policyqa chunk FILE... [--json]`

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use policyqa_chunker::{ChunkerConfig, ClauseChunker};

use crate::settings::Settings;

#[derive(clap::Args)]
pub struct ChunkArgs {
    /// Files or folders (folders are read recursively for .txt, .md, .html/.htm, .docx and .pdf files;
    /// the format is read from the content).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// One JSON object per passage per line, instead of a table.
    #[arg(long)]
    json: bool,
    /// Split clauses longer than this many characters.
    #[arg(long, default_value_t = ChunkerConfig::default().max_chars)]
    max_chars: usize,
    /// Print no warnings.
    #[arg(long, short)]
    quiet: bool,
}

pub fn run(settings: &Settings, args: ChunkArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let chunker = ClauseChunker::new(ChunkerConfig { max_chars: args.max_chars, ..ChunkerConfig::default() }).with_ocr(settings.ocr()?);
    let mut files = Vec::new();
    let mut failed = 0usize;
    for p in &args.paths {
        match policyqa_index::ingest::collect_files(std::slice::from_ref(p)) {
            Ok(f) => files.extend(f),
            Err(e) => {
                eprintln!("error: {e:#}");
                failed += 1;
            }
        }
    }
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let (mut read, mut passages, mut documents, mut warnings) = (0usize, 0usize, 0usize, 0usize);
    for file in &files {
        let source = file.display().to_string();
        let bytes = match std::fs::read(file) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("error: {source}: cannot read: {e}");
                failed += 1;
                continue;
            }
        };
        let result = match chunker.chunk_file(&source, &bytes) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: {source}: {e}");
                failed += 1;
                continue;
            }
        };
        read += 1;
        documents += result.documents.len();
        passages += result.passages.len();
        warnings += result.warnings.len();
        if !args.quiet {
            for w in &result.warnings {
                eprintln!("warning: {}:{}: {}", w.source, w.line, w.message);
            }
        }
        let mut shown_doc = None;
        for p in &result.passages {
            if !args.json && shown_doc != Some(&p.doc_id) {
                // Each document's title and what it states about itself, above its passages.
                shown_doc = Some(&p.doc_id);
                if let Some(d) = result.documents.iter().find(|d| d.id == p.doc_id) {
                    let fields: String = d.meta.fields().iter().map(|(k, v)| format!("\t{k}：{v}")).collect();
                    let format = if d.meta.format.is_empty() { String::new() } else { format!(" [{}]", d.meta.format) };
                    writeln!(out, "== 《{}》{format}{fields}", d.title)?;
                }
            }
            if args.json {
                serde_json::to_writer(&mut out, p)?;
                writeln!(out)?;
            } else {
                let text: String = p.text.chars().take(40).collect::<String>().replace('\n', " ");
                let part = match (p.part, p.parts) {
                    (Some(i), Some(n)) => format!(" [{i}/{n}]"),
                    _ => String::new(),
                };
                writeln!(out, "{}{part}\t{}\t{}-{}\t{}…", p.label, p.address[1..].join(" › "), p.start, p.end, text)?;
            }
        }
    }
    out.flush()?;
    eprintln!(
        "{read} file(s), {documents} document(s), {passages} passage(s), {warnings} warning(s), {failed} unreadable, in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    Ok(if read == 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}
