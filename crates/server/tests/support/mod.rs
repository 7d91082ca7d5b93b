//! The servers the HTTP tests run: the seed page indexed into a store (an embedded index in
//! a temporary folder unless a test brings its own), served on a loopback port.
#![allow(dead_code)] // each test binary uses part of it

use std::path::{Path, PathBuf};
use std::sync::Arc;

use policyqa_answer::Prompts;
use policyqa_core::{ChatModel, Embedder, Ocr, PassageStore};
use policyqa_index::{EdgeStore, IngestOptions, NoProgress};
use policyqa_pipeline::{Backends, Pipeline, PipelineConfig};
use policyqa_server::{AppState, ServerConfig};
use serde_json::Value;

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub struct Server {
    pub url: String,
    pub state: Arc<AppState>,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    pub dir: tempfile::TempDir,
}

impl Server {
    /// Shuts the server down, so the index is closed (and flushed) before its folder goes.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        self.task.await.unwrap().unwrap();
    }
}

/// Changes to the default server configuration (given the temporary folder).
pub type Configure = Box<dyn FnOnce(&mut ServerConfig, &Path)>;

#[derive(Default)]
pub struct Setup {
    pub config: Option<Configure>,
    pub store: Option<Arc<dyn PassageStore>>,
    pub embedder: Option<Arc<dyn Embedder>>,
    pub chat: Option<Arc<dyn ChatModel>>,
    pub ocr: Option<Arc<dyn Ocr>>,
}

/// The seed page indexed into `store` (an embedded index in the temporary folder when none
/// is given), served on a loopback port.
pub async fn start(setup: Setup) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let store = setup.store.unwrap_or_else(|| Arc::new(EdgeStore::open(&dir.path().join("index"), None).unwrap()));
    let backends = Backends { embedder: setup.embedder, chat: setup.chat, prompts: Prompts::builtin(), ocr: setup.ocr };
    let pipeline = Pipeline::open(store, backends, PipelineConfig::default()).await.unwrap();
    pipeline.indexer().ingest(&[repo().join("corpus")], &IngestOptions::default(), &NoProgress).await.unwrap();
    let pipeline = pipeline.reopen().await.unwrap();
    let mut config = ServerConfig::new(dir.path().join("uploads"));
    if let Some(f) = setup.config {
        f(&mut config, dir.path());
    }
    let state = AppState::new(pipeline, config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(policyqa_server::serve(listener, state.clone(), async move {
        let _ = stopped.await;
    }));
    Server { url, state, stop, task, dir }
}

pub fn with_config(f: impl FnOnce(&mut ServerConfig, &Path) + 'static) -> Setup {
    Setup { config: Some(Box::new(f)), ..Default::default() }
}

/// The error body every failure has.
pub fn assert_error(status: u16, body: &Value, want: u16, code: &str) {
    assert_eq!(status, want, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
}

/// Server-sent events of a response body: (event, data).
pub fn events(text: &str) -> Vec<(String, String)> {
    text.split("\n\n")
        .filter(|b| !b.trim().is_empty())
        .map(|block| {
            let mut event = String::new();
            let mut data = Vec::new();
            for line in block.lines() {
                if let Some(e) = line.strip_prefix("event:") {
                    event = e.trim().to_string();
                } else if let Some(d) = line.strip_prefix("data:") {
                    data.push(d.strip_prefix(' ').unwrap_or(d).to_string());
                }
            }
            (event, data.join("\n"))
        })
        .filter(|(e, d)| !e.is_empty() || !d.is_empty())
        .collect()
}
