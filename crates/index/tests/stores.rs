//! One contract for both stores: the embedded one always, a Qdrant server when `QDRANT_URL`
//! is set (a fresh collection per run, dropped afterwards).

use std::sync::Arc;
use std::time::{Duration, Instant};

use policyqa_chunker::ClauseChunker;
use policyqa_core::{FileRecord, IndexMeta, IndexedPassage, PassageStore, StoreError, StoreQuery};
use policyqa_index::{Bm25Encoder, ChineseSegmenter, EdgeStore, RemoteConfig, RemoteStore};

fn passages() -> (Vec<IndexedPassage>, FileRecord) {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../corpus/000_99d6042c77b000db.txt")).unwrap();
    let out = ClauseChunker::default().chunk("corpus/seed.txt", &text);
    let bm25 = Bm25Encoder::new(ChineseSegmenter::default(), 60.0);
    let indexed = out
        .passages
        .iter()
        .map(|p| IndexedPassage { passage: p.clone(), content_hash: "h".into(), sparse: bm25.document(&p.text), dense: None })
        .collect();
    (indexed, FileRecord { source: "corpus/seed.txt".into(), content_hash: "h".into(), documents: out.documents })
}

async fn contract(store: Arc<dyn PassageStore>) {
    assert_eq!(store.count().await.unwrap(), 0);
    assert!(store.meta().await.unwrap().is_none());
    let meta = IndexMeta { schema: 1, avg_len: 61.5, ..Default::default() };
    store.set_meta(&meta).await.unwrap();
    assert_eq!(store.meta().await.unwrap(), Some(meta));

    let (points, record) = passages();
    let n = points.len();
    store.upsert(points.clone()).await.unwrap();
    store.put_files(std::slice::from_ref(&record)).await.unwrap();
    assert_eq!(store.count().await.unwrap(), n, "records are not passages");
    assert_eq!(store.files().await.unwrap(), vec![record.clone()]);
    // Upserting again is idempotent.
    store.upsert(points.clone()).await.unwrap();
    assert_eq!(store.count().await.unwrap(), n);

    // Sparse search.
    let bm25 = Bm25Encoder::new(ChineseSegmenter::default(), 60.0);
    let q = bm25.query(&[("职工教育经费".to_string(), 1.0), ("一线".to_string(), 1.0)]);
    let hits = store.query(&StoreQuery { sparse: Some(q.clone()), limit: 3, ..Default::default() }).await.unwrap();
    assert!(hits[0].passage.text.contains("60%"), "{}", hits[0].passage.label);
    // Counting the passages that hold a term, up to a cap.
    let holding = points.iter().filter(|p| policyqa_index::ingest::index_text(&p.passage).contains("产业工人")).count();
    assert!(holding > 3);
    let term = bm25.query(&[("产业工人".to_string(), 1.0)]);
    assert_eq!(store.count_matching(&term, 1000).await.unwrap(), holding);
    assert_eq!(store.count_matching(&term, 3).await.unwrap(), 3);
    assert_eq!(store.count_matching(&bm25.query(&[("摇号".to_string(), 1.0)]), 10).await.unwrap(), 0);
    // Address lookup by filter, and exclusion.
    let opinion = record.documents[0].id.clone();
    let hits = store.query(&StoreQuery { doc_ids: vec![opinion.clone()], numbers: vec![14], limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].passage.number, Some(14));
    let hits = store.query(&StoreQuery { sparse: Some(q), exclude_doc_ids: vec![opinion.clone()], limit: 50, ..Default::default() }).await.unwrap();
    assert!(hits.iter().all(|h| h.passage.doc_id != opinion));
    // Restricted to documents (a request's filters, resolved), alone and with a scope inside.
    let news: Vec<String> = record.documents[1..].iter().map(|d| d.id.clone()).collect();
    let hits = store.query(&StoreQuery { sparse: Some(term.clone()), within: Some(news.clone()), limit: 50, ..Default::default() }).await.unwrap();
    assert!(!hits.is_empty() && hits.iter().all(|h| news.contains(&h.passage.doc_id)), "{}", hits.len());
    let everyone = store.query(&StoreQuery { sparse: Some(term.clone()), limit: 50, ..Default::default() }).await.unwrap();
    assert!(everyone.iter().any(|h| h.passage.doc_id == opinion), "the restriction is the query's, not the store's");
    let both = StoreQuery { sparse: Some(term.clone()), doc_ids: vec![opinion.clone()], within: Some(news.clone()), limit: 50, ..Default::default() };
    assert!(store.query(&both).await.unwrap().is_empty(), "a scope outside the restriction finds nothing");
    let hits = store.query(&StoreQuery { doc_ids: vec![opinion.clone()], numbers: vec![14], within: Some(vec![opinion.clone()]), limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!(hits.len(), 1, "address lookup inside the restriction");

    // get keeps the asked order and skips unknown ids.
    let ids = vec![points[3].passage.id.clone(), "00000000000000ff".to_string(), points[1].passage.id.clone()];
    let got = store.get(&ids).await.unwrap();
    assert_eq!(got.iter().map(|p| p.id.clone()).collect::<Vec<_>>(), [ids[0].clone(), ids[2].clone()]);
    // An id no passage can have is unknown too, not a failure.
    assert!(store.get(&["does-not-exist".to_string(), "ZZ".repeat(8)]).await.unwrap().is_empty());

    // Deleting a document, then the file.
    store.delete_doc(&opinion).await.unwrap();
    assert_eq!(store.count().await.unwrap(), n - record.documents[0].passages);
    store.delete_sources(std::slice::from_ref(&record.source)).await.unwrap();
    assert_eq!(store.count().await.unwrap(), 0);
    assert!(store.files().await.unwrap().is_empty(), "the file record goes with its source");
}

#[tokio::test(flavor = "multi_thread")]
async fn embedded_store_keeps_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    contract(Arc::new(EdgeStore::open(dir.path(), None).unwrap())).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn qdrant_server_keeps_the_contract_when_configured() {
    let Ok(url) = std::env::var("QDRANT_URL") else {
        eprintln!("QDRANT_URL not set: the remote store contract runs against a Qdrant server only");
        return;
    };
    let config = RemoteConfig {
        url,
        api_key: std::env::var("QDRANT_API_KEY").ok(),
        collection: format!("policyqa_test_{}", std::process::id()),
        shards: None,
        replicas: None,
        timeout: Duration::from_secs(10),
    };
    let store = RemoteStore::open(config.clone(), None).await.unwrap();
    contract(Arc::new(store)).await;
    RemoteStore::drop_collection(&config).await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_server_is_named_within_five_seconds() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    let config = RemoteConfig { url: url.clone(), api_key: None, collection: "policyqa".into(), shards: None, replicas: None, timeout: Duration::from_secs(30) };
    let err = RemoteStore::open(config, None).await.err().expect("nothing listens there");
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    assert!(err.to_string().contains(&url), "{err}");
}
