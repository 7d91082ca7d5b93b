//! The `policyqa` command. The only crate that reads the environment and sets up tracing;
//! everything else is a library call.

mod answer_cmds;
mod bench_cmd;
mod chunk_cmd;
mod eval_cmd;
mod index_cmds;
mod serve_cmd;
mod settings;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "policyqa", version, about = "Answers questions about Chinese policy documents, citing the exact clause.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Split files into clause-level passages (JSON Lines with --json); warnings go to stderr.
    Chunk(chunk_cmd::ChunkArgs),
    /// Index files or folders (incremental: unchanged files are skipped).
    Ingest(index_cmds::IngestArgs),
    /// List the indexed documents.
    Docs(index_cmds::DocsArgs),
    /// Remove a document (by id) or a file's documents (by source path) from the index.
    Rm(index_cmds::RmArgs),
    /// Retrieve the passages that answer a question.
    Search(index_cmds::SearchArgs),
    /// Answer a question with citations to the clauses (a chat model when configured,
    /// extractive otherwise).
    Ask(answer_cmds::AskArgs),
    /// Check the citations of any text (a draft, another model's answer): each resolved to its
    /// clause or reported as no such article, not indexed or repealed, and each citing
    /// sentence checked against its clause.
    Verify(answer_cmds::VerifyArgs),
    /// Run the HTTP service (API, OpenAI-compatible endpoint, chat widget); ingests the
    /// bundled corpus first when the index is empty.
    Serve(serve_cmd::ServeArgs),
    /// Serve the MCP tools (search_clauses, get_clause, ask, list_documents,
    /// verify_citations) and the documents as resources over stdin/stdout, for desktop
    /// agents; logs go to stderr.
    Mcp(serve_cmd::McpArgs),
    /// Run question sets through retrieval and answers (in process or against a server with
    /// --url), print the metrics, gate them, and write reports (--report DIR).
    Eval(eval_cmd::EvalArgs),
    /// Measure ingest, search and HTTP load (with oha) on the laws and the seed page, beside
    /// the peer; prints a table and writes bench.json.
    Bench(bench_cmd::BenchArgs),
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("POLICYQA_LOG").unwrap_or_else(|_| "warn,qdrant_edge=error,pdf_oxide=off".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    // A .env beside the working directory fills in what the environment does not set.
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    let settings = match settings::Settings::from_env() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = match cli.command {
        Command::Chunk(args) => chunk_cmd::run(&settings, args),
        Command::Ingest(args) => runtime.block_on(index_cmds::ingest(&settings, args)),
        Command::Docs(args) => runtime.block_on(index_cmds::docs(&settings, args)),
        Command::Rm(args) => runtime.block_on(index_cmds::rm(&settings, args)),
        Command::Search(args) => runtime.block_on(index_cmds::search(&settings, args)),
        Command::Ask(args) => runtime.block_on(answer_cmds::ask(&settings, args)),
        Command::Verify(args) => runtime.block_on(answer_cmds::verify(&settings, args)),
        Command::Serve(args) => runtime.block_on(serve_cmd::serve(&settings, args)),
        Command::Mcp(args) => runtime.block_on(serve_cmd::mcp(&settings, args)),
        Command::Eval(args) => runtime.block_on(eval_cmd::eval(&settings, args)),
        Command::Bench(args) => runtime.block_on(bench_cmd::bench(&settings, args)),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
