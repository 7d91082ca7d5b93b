//! Ingest and retrieval against the embedded store in a temporary folder: incremental
//! ingest, removal, the clause-address path, bad input, a damaged index, an interrupted ingest.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use policyqa_chunker::ClauseChunker;
use policyqa_core::{IndexedPassage, PassageStore, SparseVector};
use policyqa_index::{ChineseSegmenter, EdgeStore, IngestOptions, Indexer, NoProgress};
use policyqa_retrieval::{Lexicon, RetrievalConfig, Retriever, SearchError};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn seed() -> PathBuf {
    repo().join("corpus/000_99d6042c77b000db.txt")
}

fn indexer(store: Arc<dyn PassageStore>) -> Indexer {
    Indexer { chunker: ClauseChunker::default(), store, embedder: None, segmenter: ChineseSegmenter::default() }
}

async fn retriever(store: Arc<dyn PassageStore>) -> Retriever {
    Retriever::open(store, None, Lexicon::builtin(), RetrievalConfig::default()).await.unwrap()
}

#[tokio::test]
async fn ingest_is_incremental_and_removal_works() {
    let dir = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let a = files.path().join("seed.txt");
    std::fs::copy(seed(), &a).unwrap();
    let b = files.path().join("law.md");
    std::fs::write(&b, "# 示例法\n\n第一条 本法自公布之日起施行。\n\n第二条 用人单位应当支付劳动报酬。\n").unwrap();
    let store: Arc<dyn PassageStore> = Arc::new(EdgeStore::open(dir.path(), None).unwrap());
    let ix = indexer(store.clone());
    let paths = [files.path().to_path_buf()];

    let s = ix.ingest(&paths, &IngestOptions::default(), &NoProgress).await.unwrap();
    assert_eq!((s.files, s.indexed, s.unchanged, s.documents, s.passages), (2, 2, 0, 5, 36));
    assert_eq!(store.count().await.unwrap(), 36);

    // Unchanged: skipped.
    let s = ix.ingest(&paths, &IngestOptions::default(), &NoProgress).await.unwrap();
    assert_eq!((s.indexed, s.unchanged), (0, 2));

    // Changed: its passages replaced, not added.
    std::fs::write(&b, "# 示例法\n\n第一条 本法自公布之日起施行。\n").unwrap();
    let s = ix.ingest(&paths, &IngestOptions::default(), &NoProgress).await.unwrap();
    assert_eq!((s.indexed, s.unchanged, s.passages), (1, 1, 1));
    assert_eq!(store.count().await.unwrap(), 35);

    // A duplicate file is indexed once.
    std::fs::copy(&a, files.path().join("copy.txt")).unwrap();
    let s = ix.ingest(&paths, &IngestOptions::default(), &NoProgress).await.unwrap();
    assert_eq!(s.duplicates.len(), 1);
    assert_eq!(store.count().await.unwrap(), 35);
    std::fs::remove_file(files.path().join("copy.txt")).unwrap();

    // Gone: pruned only when asked.
    std::fs::remove_file(&b).unwrap();
    let s = ix.ingest(&paths, &IngestOptions::default(), &NoProgress).await.unwrap();
    assert!(s.pruned.is_empty());
    assert_eq!(store.count().await.unwrap(), 35);
    let s = ix.ingest(&paths, &IngestOptions { prune: true }, &NoProgress).await.unwrap();
    assert_eq!(s.pruned.len(), 1);
    assert_eq!(store.count().await.unwrap(), 34);

    // rm one document by id.
    let files_now = store.files().await.unwrap();
    let news = files_now[0].documents.iter().find(|d| d.title.starts_with("以改革促开放")).unwrap().clone();
    let removed = ix.remove(&news.id).await.unwrap();
    assert_eq!(removed, std::slice::from_ref(&news.title));
    assert_eq!(store.count().await.unwrap(), 34 - news.passages);
    assert!(ix.remove("no-such-doc").await.is_err());
}

#[tokio::test]
async fn clause_address_path_and_bad_queries() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn PassageStore> = Arc::new(EdgeStore::open(dir.path(), None).unwrap());
    indexer(store.clone()).ingest(&[seed()], &IngestOptions::default(), &NoProgress).await.unwrap();
    let r = retriever(store).await;
    for (q, label) in [
        ("意见第十四条的内容", "（十四）"),
        ("意见第(十三)条", "（十三）"),
        ("第十四条讲了什么", "（十四）"),
        ("（二十二）是关于什么的", "（二十二）"),
        ("意见里第17条怎么说的", "（十七）"),
    ] {
        let res = r.search(q, 5).await.unwrap();
        assert!(res.passages[0].passage.label.ends_with(label), "{q}: {}", res.passages[0].passage.label);
        assert_eq!(res.clause_lookup.as_ref().map(|c| c.found), Some(true));
    }
    // A clause the page does not have matches nothing, not a neighbour.
    let res = r.search("意见第三条", 5).await.unwrap();
    let lookup = res.clause_lookup.unwrap();
    assert!(!lookup.found);
    assert_eq!(lookup.available.as_deref(), Some("《中共中央国务院关于深化产业工人队伍建设改革的意见》（六）–（二十七）"));
    assert!(res.passages.iter().all(|p| p.passage.number != Some(3)));

    let res = r.search("企业职工教育经费用于一线的比例", 5).await.unwrap();
    assert!(res.passages[0].passage.text.contains("60%"), "{}", res.passages[0].passage.label);

    assert!(matches!(r.search("  ", 5).await, Err(SearchError::Empty)));
    let long = "问".repeat(2001);
    let err = r.search(&long, 5).await.unwrap_err();
    assert_eq!(err.to_string(), "the question is 2001 characters long; the limit is 2000");
    // top_k is clamped, not trusted.
    assert!(r.search("劳动", 1_000_000_000).await.unwrap().passages.len() <= 100);
}

#[tokio::test]
async fn an_interrupted_ingest_is_completed_without_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn PassageStore> = Arc::new(EdgeStore::open(dir.path(), None).unwrap());
    // What a killed ingest leaves: passages durable, no file record.
    let out = ClauseChunker::default().chunk_file(&seed().display().to_string(), &std::fs::read(seed()).unwrap()).unwrap();
    let partial: Vec<IndexedPassage> = out.passages[..10]
        .iter()
        .map(|p| IndexedPassage { passage: p.clone(), content_hash: "x".into(), sparse: SparseVector::default(), dense: None })
        .collect();
    store.upsert(partial).await.unwrap();
    drop(store);
    // Reopened: it opens and the next ingest completes it.
    let store: Arc<dyn PassageStore> = Arc::new(EdgeStore::open(dir.path(), None).unwrap());
    assert_eq!(store.count().await.unwrap(), 10);
    let s = indexer(store.clone()).ingest(&[seed()], &IngestOptions::default(), &NoProgress).await.unwrap();
    assert_eq!(s.indexed, 1);
    assert_eq!(store.count().await.unwrap(), 34);
}

#[tokio::test]
async fn a_damaged_index_says_how_to_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = EdgeStore::open(dir.path(), None).unwrap();
        indexer(Arc::new(store)).ingest(&[seed()], &IngestOptions::default(), &NoProgress).await.unwrap();
    }
    // Scribble over every file of the index.
    for entry in walk(&dir.path().join("index")) {
        std::fs::write(entry, b"garbage").unwrap();
    }
    let err = EdgeStore::open(dir.path(), None).err().expect("a damaged index does not open");
    let msg = err.to_string();
    assert!(msg.contains("--rebuild"), "{msg}");
}

/// In a small index, a question that shares hardly a word with its clause ("把饭给她送到
/// 家里" for 上门送餐服务) still finds it: the passages the words miss follow their hits,
/// ranked by the characters they share; the words' own hits keep their order ahead.
#[tokio::test]
async fn in_a_small_index_the_characters_find_what_the_words_miss() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn PassageStore> = Arc::new(EdgeStore::open(dir.path(), None).unwrap());
    indexer(store.clone()).ingest(&[repo().join("eval/corpus/formats/texts")], &IngestOptions::default(), &NoProgress).await.unwrap();
    let r = retriever(store.clone()).await;
    let found = r.search("我妈腿脚不好一个人住，能不能有人把饭给她送到家里？", 5).await.unwrap();
    assert_eq!(found.passages.len(), 5, "a full ranking, not only the word hits");
    assert!(found.passages.iter().any(|p| p.passage.text.contains("应当组织提供上门送餐服务")), "{:?}", found.passages.iter().map(|p| &p.passage.label).collect::<Vec<_>>());
    // With the characters off, the words alone find fewer than five, and not the clause.
    let words_only = Retriever::open(store, None, Lexicon::builtin(), RetrievalConfig { character_weight: 0.0, ..RetrievalConfig::default() }).await.unwrap();
    let few = words_only.search("我妈腿脚不好一个人住，能不能有人把饭给她送到家里？", 5).await.unwrap();
    assert!(few.passages.len() < 5 && !few.passages.iter().any(|p| p.passage.text.contains("上门送餐服务")), "{}", few.passages.len());
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Files are chunked on every core a group at a time; what comes out must not depend on
/// that: the same passages, ids and vectors as files ingested one at a time, duplicates
/// named against the first copy, and the copy of an unreadable file unreadable too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ingest_on_every_core_matches_one_file_at_a_time() {
    let laws = repo().join("eval/corpus/laws");
    let mut picked: Vec<PathBuf> = std::fs::read_dir(&laws).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "txt")).collect();
    picked.sort();
    picked.truncate(80); // more than one group of files
    let files = tempfile::tempdir().unwrap();
    for p in &picked {
        std::fs::copy(p, files.path().join(p.file_name().unwrap())).unwrap();
    }
    std::fs::copy(&picked[0], files.path().join("龥copy.txt")).unwrap();
    std::fs::write(files.path().join("龥binary.txt"), [0u8, 159, 146, 150, 0, 0, 1, 2, 3, 0, 255, 254]).unwrap();
    std::fs::write(files.path().join("龥binary_copy.txt"), [0u8, 159, 146, 150, 0, 0, 1, 2, 3, 0, 255, 254]).unwrap();

    let together = tempfile::tempdir().unwrap();
    let store: Arc<dyn PassageStore> = Arc::new(EdgeStore::open(together.path(), None).unwrap());
    let s = indexer(store.clone()).ingest(&[files.path().to_path_buf()], &IngestOptions::default(), &NoProgress).await.unwrap();
    assert_eq!(s.indexed, 80, "{s:?}");
    assert_eq!(s.duplicates.len(), 1, "{s:?}");
    assert!(s.duplicates[0].0.ends_with("龥copy.txt") && s.duplicates[0].1.ends_with(picked[0].file_name().unwrap().to_str().unwrap()), "{s:?}");
    let unreadable: Vec<&str> = s.unreadable.iter().map(|(f, _)| f.rsplit('/').next().unwrap()).collect();
    assert_eq!(unreadable, ["龥binary.txt", "龥binary_copy.txt"], "{s:?}");

    // The same files one ingest each, into a second index with the first one's length norm.
    let apart = tempfile::tempdir().unwrap();
    let single: Arc<dyn PassageStore> = Arc::new(EdgeStore::open(apart.path(), None).unwrap());
    single.set_meta(&store.meta().await.unwrap().unwrap()).await.unwrap();
    let ix = indexer(single.clone());
    let mut names: Vec<PathBuf> = std::fs::read_dir(files.path()).unwrap().map(|e| e.unwrap().path()).collect();
    names.sort();
    for f in names.iter().filter(|f| !f.to_string_lossy().contains("龥")) {
        ix.ingest(std::slice::from_ref(f), &IngestOptions::default(), &NoProgress).await.unwrap();
    }
    assert_eq!(store.count().await.unwrap(), single.count().await.unwrap());
    let probe = policyqa_index::Bm25Encoder::new(ChineseSegmenter::default(), 60.0).query(&[("用人单位应当支付劳动报酬".to_string(), 1.0)]);
    let q = policyqa_core::StoreQuery { sparse: Some(probe), limit: 20, ..Default::default() };
    let a: Vec<(String, f32)> = store.query(&q).await.unwrap().into_iter().map(|h| (h.passage.id, h.score)).collect();
    let b: Vec<(String, f32)> = single.query(&q).await.unwrap().into_iter().map(|h| (h.passage.id, h.score)).collect();
    assert_eq!(a.len(), 20);
    // The same passages in the same order. Scores are sums of the same terms, but the store
    // adds them up segment by segment, and the two indexes were written in different
    // batches, so they may differ in the last float bit and no more.
    assert_eq!(a.iter().map(|x| &x.0).collect::<Vec<_>>(), b.iter().map(|x| &x.0).collect::<Vec<_>>());
    for ((id, x), (_, y)) in a.iter().zip(&b) {
        assert!((x - y).abs() <= 1e-5 * x.abs(), "{id}: {x} against {y}");
    }
}
