//! `--judge`: a chat model scores each answer's faithfulness; its verdicts land in the
//! report as model-judged, and a model that answers nonsense leaves answers unjudged with the
//! reason, not the run failed. The model is a test double (the HTTP protocol of chat models
//! is tested in crates/answer/tests/answers.rs).

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use policyqa_answer::{AnswerConfig, Answerer, Prompts};
use policyqa_core::{ChatError, ChatModel, ChatRequest, PassageStore, TextStream};
use policyqa_eval::judge::Judge;
use policyqa_eval::InProcess;
use policyqa_index::{ChineseSegmenter, EdgeStore, IngestOptions, Indexer, NoProgress};
use policyqa_retrieval::{Lexicon, RetrievalConfig, Retriever};

struct Replies {
    reply: &'static str,
    calls: AtomicUsize,
    saw_clauses: AtomicUsize,
}

#[async_trait::async_trait]
impl ChatModel for Replies {
    fn model(&self) -> &str {
        "judge-double"
    }
    async fn stream(&self, request: &ChatRequest) -> Result<TextStream, ChatError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if request.messages.iter().any(|m| m.content.contains("<<<条文1开始>>>") && m.content.contains("<<<回答开始>>>")) {
            self.saw_clauses.fetch_add(1, Ordering::SeqCst);
        }
        // In two pieces, as a stream would.
        let mid = self.reply.char_indices().nth(self.reply.chars().count() / 2).map_or(0, |(i, _)| i);
        let (a, b) = self.reply.split_at(mid);
        Ok(Box::pin(futures::stream::iter(vec![Ok(a.to_string()), Ok(b.to_string())])))
    }
}

async fn target(dir: &Path) -> InProcess {
    let store: Arc<dyn PassageStore> = Arc::new(EdgeStore::open(dir, None).unwrap());
    let ix = Indexer { chunker: policyqa_chunker::ClauseChunker::default(), store: store.clone(), embedder: None, segmenter: ChineseSegmenter::default() };
    ix.ingest(&[Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus")], &IngestOptions::default(), &NoProgress).await.unwrap();
    let retriever = Arc::new(Retriever::open(store, None, Lexicon::builtin(), RetrievalConfig::default()).await.unwrap());
    InProcess { answerer: Arc::new(Answerer::new(retriever, None, Prompts::builtin(), AnswerConfig::default())) }
}

#[tokio::test]
async fn a_judge_scores_every_answer_and_a_confused_one_scores_none() {
    let dir = tempfile::tempdir().unwrap();
    let t = target(dir.path()).await;
    let questions = policyqa_eval::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../eval/datasets/seed_dev.jsonl")).unwrap();
    let questions = &questions[..12];

    let good = Arc::new(Replies { reply: "```json\n{\"score\": 0.8, \"unsupported\": [\"某句。\"]}\n```", calls: AtomicUsize::new(0), saw_clauses: AtomicUsize::new(0) });
    let judge = Judge::new(good.clone(), Prompts::builtin());
    let r = policyqa_eval::evaluate_answers(&t, "seed", questions, Some(&judge)).await.unwrap();
    let answered = r.questions.iter().filter(|q| !q.refused).count();
    assert!(answered >= 10, "{answered}");
    assert_eq!(good.calls.load(Ordering::SeqCst), answered, "refusals are not judged");
    assert_eq!(good.saw_clauses.load(Ordering::SeqCst), answered, "the judge sees the answer and its clauses");
    assert_eq!(r.overall.judged, answered);
    assert!((r.overall.faithfulness_model_judged.unwrap() - 0.8).abs() < 1e-6);
    let q = r.questions.iter().find(|q| !q.refused).unwrap();
    assert_eq!(q.faithfulness_model_judged, Some(0.8));
    assert_eq!(q.judge_notes, ["unsupported: 某句。"]);

    let confused = Arc::new(Replies { reply: "这个回答很好。", calls: AtomicUsize::new(0), saw_clauses: AtomicUsize::new(0) });
    let r = policyqa_eval::evaluate_answers(&t, "seed", questions, Some(&Judge::new(confused, Prompts::builtin()))).await.unwrap();
    assert_eq!(r.overall.judged, 0);
    assert_eq!(r.overall.faithfulness_model_judged, None);
    assert!(r.questions.iter().filter(|q| !q.refused).all(|q| q.faithfulness_model_judged.is_none() && q.judge_notes[0].contains("not a verdict")));
    // Without a judge nothing is said about faithfulness at all.
    let r = policyqa_eval::evaluate_answers(&t, "seed", questions, None).await.unwrap();
    assert!(r.overall.faithfulness_model_judged.is_none() && !serde_json::to_string(&r).unwrap().contains("faithfulness"));
}
