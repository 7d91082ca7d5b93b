//! Questions about laws the 民法典 repealed (合同法, 物权法: not indexed, only named by its
//! repeal clause): the answer says they were repealed, citing 第一千二百六十条, and answers
//! from the 民法典 where it can. A repealed law the index holds (环境保护法, repealed by the
//! 生态环境法典 on 2026-08-15): its clause as it stood, then the successor's clause found by
//! its words. Over an index of these laws, the 劳动合同法 and the seed page.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use policyqa_answer::{AnswerConfig, AnswerEvent, Answerer, AskRequest, Prompts};
use policyqa_chunker::ClauseChunker;
use policyqa_core::PassageStore;
use policyqa_index::{ChineseSegmenter, EdgeStore, IngestOptions, Indexer, NoProgress};
use policyqa_retrieval::{Lexicon, RetrievalConfig, Retriever};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

async fn answerer() -> (tempfile::TempDir, Answerer) {
    let dir = tempfile::tempdir().unwrap();
    let files = dir.path().join("files");
    std::fs::create_dir(&files).unwrap();
    std::fs::copy(repo().join("corpus/000_99d6042c77b000db.txt"), files.join("seed.txt")).unwrap();
    for law in ["中华人民共和国民法典", "中华人民共和国劳动合同法", "中华人民共和国环境保护法", "中华人民共和国生态环境法典"] {
        std::fs::copy(repo().join(format!("eval/corpus/laws/{law}.txt")), files.join(format!("{law}.txt"))).unwrap();
    }
    let store: Arc<dyn PassageStore> = Arc::new(EdgeStore::open(&dir.path().join("index"), None).unwrap());
    let ix = Indexer { chunker: ClauseChunker::default(), store: store.clone(), embedder: None, segmenter: ChineseSegmenter::default() };
    ix.ingest(&[files], &IngestOptions::default(), &NoProgress).await.unwrap();
    let r = Retriever::open(store, None, Lexicon::builtin(), RetrievalConfig::default()).await.unwrap();
    (dir, Answerer::new(Arc::new(r), None, Prompts::builtin(), AnswerConfig::default()))
}

const REPEAL: &str = "《中华人民共和国民法典》第一千二百六十条";

#[tokio::test(flavor = "multi_thread")]
async fn a_repealed_law_is_answered_with_its_repeal_and_its_successor() {
    let (_dir, a) = answerer().await;

    // Asked by article: the article numbers of the old law mean nothing in the new one.
    let ans = a.ask(&AskRequest { question: "合同法第四十四条是怎么规定的".into(), ..Default::default() }, None).await.unwrap();
    assert!(!ans.refused, "{}", ans.answer);
    assert_eq!(ans.citations[0].label, REPEAL, "{:?}", ans.citations);
    assert!(ans.answer.starts_with("《合同法》已被废止：") && ans.answer.contains("《中华人民共和国合同法》") && ans.answer.contains("同时废止[1]"), "{}", ans.answer);
    assert!(ans.citations[0].quote.contains("同时废止"), "{:?}", ans.citations[0]);
    assert!(ans.warnings.iter().any(|w| w.starts_with("《合同法》 is not indexed") && w.contains("2021-01-01") && w.contains("《中华人民共和国民法典》")), "{:?}", ans.warnings);
    assert!(ans.citations.iter().all(|c| c.doc_title == "中华人民共和国民法典"), "{:?}", ans.citations);

    // Asked about a matter: the 民法典's clause on it follows, cited.
    let ans = a.ask(&AskRequest { question: "按照物权法，业主对建筑物内的住宅、经营性用房等专有部分享有什么权利？".into(), ..Default::default() }, None).await.unwrap();
    assert_eq!(ans.citations[0].label, REPEAL, "{:?}", ans.citations);
    assert!(ans.answer.starts_with("《物权法》已被废止"), "{}", ans.answer);
    assert!(ans.citations.len() >= 2 && ans.citations[1].label.starts_with("《中华人民共和国民法典》第") && ans.citations[1].marker == 2, "{:?}", ans.citations);
    assert!(ans.citations[1].text.contains("专有部分享有所有权"), "{}", ans.citations[1].text);
    assert!(ans.answer.contains("[2]"), "{}", ans.answer);

    // Streamed: the same answer, its citations after it.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let streamed = a.ask(&AskRequest { question: "《中华人民共和国合同法》第五十二条".into(), ..Default::default() }, Some(&tx)).await.unwrap();
    drop(tx);
    let mut events = Vec::new();
    while let Some(e) = rx.recv().await {
        events.push(e);
    }
    assert!(matches!(events.first(), Some(AnswerEvent::Retrieval(_))));
    let text: String = events.iter().filter_map(|e| if let AnswerEvent::Delta(t) = e { Some(t.as_str()) } else { None }).collect();
    assert_eq!(text, streamed.answer);
    assert_eq!(events.iter().filter(|e| matches!(e, AnswerEvent::Citation(_))).count(), streamed.citations.len());
    assert_eq!(streamed.citations[0].label, REPEAL);

    // An indexed law whose name ends like a repealed one's is that law (劳动合同法, not 合同法).
    let ans = a.ask(&AskRequest { question: "劳动合同法第十九条".into(), ..Default::default() }, None).await.unwrap();
    assert!(ans.citations[0].label.starts_with("《中华人民共和国劳动合同法》第十九条"), "{:?}", ans.citations);
    assert!(!ans.warnings.iter().any(|w| w.contains("is not indexed")), "{:?}", ans.warnings);
    // Before the repeal took effect it was not repealed: nothing said of it then.
    let mut before = AskRequest { question: "合同法第四十四条是怎么规定的".into(), ..Default::default() };
    before.filter.set("as_of", "2020-06-01").unwrap();
    let ans = a.ask(&before, None).await.unwrap();
    assert!(!ans.citations.iter().any(|c| c.label == REPEAL), "{:?}", ans.citations);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_indexed_repealed_law_is_quoted_as_it_stood_and_its_successor_found_by_its_words() {
    let (_dir, a) = answerer().await;
    let mut q = AskRequest { question: "环境保护法第六条是怎么规定的".into(), ..Default::default() };
    q.filter.set("as_of", "2026-12-01").unwrap();
    let ans = a.ask(&q, None).await.unwrap();
    let labels: Vec<&str> = ans.citations.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(labels[0], "《中华人民共和国生态环境法典》第一千二百四十二条", "{labels:?}");
    assert!(ans.answer.starts_with("《环境保护法》已被废止："), "{}", ans.answer);
    assert_eq!(labels[1], "《中华人民共和国环境保护法》第六条", "{labels:?}");
    assert!(ans.answer.contains("废止前，其第六条规定："), "{}", ans.answer);
    // Its four paragraphs are the code's 第七条 ("任何单位和个人都有保护生态环境的义务。") to 第十条
    // ("公民应当增强生态环境保护意识……").
    for article in ["第七条", "第八条", "第九条", "第十条"] {
        let label = format!("《中华人民共和国生态环境法典》{article}");
        assert!(labels[2..].iter().any(|l| l.starts_with(&label)), "{label} not in {labels:?}\n{}", ans.answer);
    }
    assert!(ans.answer.contains("现行《中华人民共和国生态环境法典》的相应规定："), "{}", ans.answer);
    for c in &ans.citations {
        assert!(ans.answer.contains(&format!("[{}]", c.marker)), "marker {} of {} not in {}", c.marker, c.label, ans.answer);
    }
    assert!(ans.warnings.iter().any(|w| w.starts_with("《环境保护法》 was repealed on 2026-08-15")), "{:?}", ans.warnings);

    // Before the code took effect the law was in force: answered from it, nothing said of a repeal.
    let mut before = AskRequest { question: "环境保护法第六条是怎么规定的".into(), ..Default::default() };
    before.filter.set("as_of", "2025-06-01").unwrap();
    let ans = a.ask(&before, None).await.unwrap();
    assert!(ans.citations[0].label.starts_with("《中华人民共和国环境保护法》第六条"), "{:?}", ans.citations);
    assert!(!ans.answer.contains("已被废止"), "{}", ans.answer);
}
