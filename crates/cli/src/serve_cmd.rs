//! `policyqa serve`: the HTTP service, and `policyqa mcp`: the MCP tools over stdio. On first
//! start with an empty index either ingests the bundled corpus (progress in the log), then
//! serves until Ctrl-C or SIGTERM (`mcp`: until the client closes stdin).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use policyqa_index::{IngestOptions, Progress};
use policyqa_pipeline::Pipeline;
use policyqa_server::{AppState, ServerConfig};

use crate::settings::Settings;

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "POLICYQA_ADDR", default_value = "127.0.0.1:8080", value_parser = parse_addr)]
    addr: SocketAddr,
    /// Ingested when the index is empty.
    #[arg(long, env = "POLICYQA_CORPUS", default_value = "corpus")]
    corpus: PathBuf,
    /// Largest request body in bytes (JSON or an uploaded document).
    #[arg(long, env = "POLICYQA_MAX_BODY_BYTES", default_value_t = 8 * 1024 * 1024, value_parser = parse_bytes)]
    max_body_bytes: usize,
    /// Listen on a non-loopback address without API keys (every route, document removal
    /// included, open to anyone who can reach it).
    #[arg(long)]
    insecure: bool,
}

/// Clap names the flag when a value is malformed; these name the variable too, since the
/// value often comes from the environment.
fn parse_addr(v: &str) -> Result<SocketAddr, String> {
    v.parse().map_err(|_| "expected an address such as 127.0.0.1:8080 (--addr or POLICYQA_ADDR)".to_string())
}

fn parse_bytes(v: &str) -> Result<usize, String> {
    v.parse().ok().filter(|n| *n > 0).ok_or_else(|| "expected a whole number of bytes above 0, such as 8388608 (--max-body-bytes or POLICYQA_MAX_BODY_BYTES)".to_string())
}

struct LogProgress;
impl Progress for LogProgress {
    fn start(&self, files: usize) {
        tracing::info!("ingesting {files} file(s)");
    }
    fn file(&self, source: &str) {
        tracing::info!("ingesting {source}");
    }
}

/// The configured pipeline; an empty index is given the bundled corpus first (progress in
/// the log, on stderr).
pub async fn open_with_corpus(settings: &Settings, corpus: &Path) -> anyhow::Result<Pipeline> {
    let mut pipeline = settings.pipeline().await?;
    let empty = pipeline.store().count().await? == 0;
    if empty && !corpus.exists() {
        tracing::warn!("the index is empty and {} does not exist: every answer will be a refusal until documents are added", corpus.display());
    }
    if empty && corpus.exists() {
        tracing::warn!("the index is empty: ingesting {}", corpus.display());
        let s = pipeline.indexer().ingest(&[corpus.to_path_buf()], &IngestOptions::default(), &LogProgress).await.context("ingesting the bundled corpus")?;
        tracing::warn!("ingested {} document(s), {} passage(s) in {:.1} s", s.documents, s.passages, s.seconds);
        pipeline = pipeline.reopen().await?;
    }
    Ok(pipeline)
}

#[derive(clap::Args)]
pub struct McpArgs {
    /// Ingested when the index is empty.
    #[arg(long, env = "POLICYQA_CORPUS", default_value = "corpus")]
    corpus: PathBuf,
}

/// `policyqa mcp`: the MCP tools over stdin/stdout, on the index and configuration `serve`
/// uses. Stdout carries the protocol only; every log line goes to stderr.
pub async fn mcp(settings: &Settings, args: McpArgs) -> anyhow::Result<ExitCode> {
    let pipeline = open_with_corpus(settings, &args.corpus).await?;
    let config = ServerConfig::new(settings.data_dir.join("uploads"));
    let state = AppState::new(pipeline, config);
    policyqa_server::mcp::serve_stdio(state).await.context("serving MCP over stdio")?;
    Ok(ExitCode::SUCCESS)
}

pub async fn serve(settings: &Settings, args: ServeArgs) -> anyhow::Result<ExitCode> {
    // Access first: a server that would be open to the network refuses to start before it
    // opens anything.
    let access = settings.access.clone();
    if access.is_open() {
        if !args.addr.ip().is_loopback() && !args.insecure {
            bail!("no API keys configured (POLICYQA_API_KEYS): refusing to listen on {}, which is not loopback; set keys, or pass --insecure to serve it open", args.addr);
        }
        if args.addr.ip().is_loopback() {
            tracing::warn!("no API keys configured: listening on loopback only, every route open to local clients");
        } else {
            tracing::warn!("no API keys configured and --insecure: every route, documents included, is open to anyone who can reach {}", args.addr);
        }
    }
    let pipeline = open_with_corpus(settings, &args.corpus).await?;
    let mut config = ServerConfig::new(settings.data_dir.join("uploads"));
    config.max_body_bytes = args.max_body_bytes;
    config.access = access;
    config.rate_limit_per_minute = settings.rate_limit;
    config.widget_origins = settings.widget_origins.clone();
    config.model_name = settings.model_name.clone();
    config.mcp_hosts = settings.mcp_hosts.clone();
    if let Some(c) = &settings.chat {
        config.dependencies.push(("chat".into(), c.base_url.clone()));
    }
    if let Some(e) = &settings.embed {
        config.dependencies.push(("embeddings".into(), e.base_url.clone()));
    }
    let state = AppState::new(pipeline, config);
    let listener = tokio::net::TcpListener::bind(args.addr).await.with_context(|| format!("cannot listen on {}", args.addr))?;
    let addr = listener.local_addr()?;
    // Printed (not only logged) so scripts and tests started with port 0 learn the address.
    println!("policyqa listening on http://{addr}");
    tracing::warn!("listening on http://{addr} (demo page and widget at /)");
    policyqa_server::serve(listener, state, shutdown()).await?;
    Ok(ExitCode::SUCCESS)
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
