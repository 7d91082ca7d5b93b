//! The one place the pipeline is built. Every caller (the server, the CLI's commands, the
//! evaluation, the benchmark) opens its store through [`StoreLocation`] and gets its
//! indexer, retriever and answerer from [`Pipeline::open`], so they all search and answer
//! alike, with the same configuration.

use std::path::PathBuf;
use std::sync::Arc;

use policyqa_answer::{AnswerConfig, Answerer, Prompts};
use policyqa_chunker::ClauseChunker;
use policyqa_core::{ChatModel, EmbedError, Embedder, Ocr, PassageStore, StoreError};
use policyqa_index::{ChineseSegmenter, EdgeStore, Indexer, RemoteConfig, RemoteStore};
use policyqa_retrieval::{Lexicon, RetrievalConfig, Retriever};

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot reach the embeddings endpoint: {0}")]
    Embed(#[from] EmbedError),
}

impl PipelineError {
    pub fn is_transient(&self) -> bool {
        match self {
            PipelineError::Store(e) => e.is_transient(),
            PipelineError::Embed(e) => e.is_transient(),
        }
    }
}

/// Where the index lives: the embedded engine in a folder, or a Qdrant server.
#[derive(Debug, Clone)]
pub enum StoreLocation {
    /// `qdrant-edge` under `DIR/index`.
    Embedded(PathBuf),
    Remote(RemoteConfig),
}

impl StoreLocation {
    /// Opens the store as it is (dense vectors as the index was created with).
    pub async fn open(&self) -> Result<Arc<dyn PassageStore>, StoreError> {
        self.open_with(None).await
    }

    /// Opens the store for writing: with dense vectors of the endpoint's dimension when an
    /// embeddings endpoint is configured (asked once, with a probe).
    pub async fn open_for_ingest(&self, embedder: Option<&Arc<dyn Embedder>>) -> Result<Arc<dyn PassageStore>, PipelineError> {
        let dim = match embedder {
            Some(e) => Some(e.embed_query("维度").await?.len()),
            None => None,
        };
        Ok(self.open_with(dim).await?)
    }

    async fn open_with(&self, dense_dim: Option<usize>) -> Result<Arc<dyn PassageStore>, StoreError> {
        Ok(match self {
            StoreLocation::Embedded(dir) => {
                // Both take a while and neither needs the other: on two cores at once.
                ChineseSegmenter::preload();
                Arc::new(EdgeStore::open(dir, dense_dim)?)
            }
            StoreLocation::Remote(remote) => Arc::new(RemoteStore::open(remote.clone(), dense_dim).await?),
        })
    }

    /// Deletes the index (the folder, or the server's collection), for a rebuild.
    pub async fn remove(&self) -> Result<(), StoreError> {
        match self {
            StoreLocation::Remote(remote) => RemoteStore::drop_collection(remote).await,
            StoreLocation::Embedded(dir) => {
                let index = dir.join("index");
                if index.exists() {
                    std::fs::remove_dir_all(&index).map_err(|e| StoreError::Failed(format!("cannot remove {}: {e}", index.display())))?;
                }
                Ok(())
            }
        }
    }
}

/// What a pipeline runs on beside its store, each chosen by configuration.
#[derive(Clone)]
pub struct Backends {
    /// Dense vectors, when an embeddings endpoint is configured.
    pub embedder: Option<Arc<dyn Embedder>>,
    /// Model answers, when a chat endpoint is configured (extractive otherwise).
    pub chat: Option<Arc<dyn ChatModel>>,
    pub prompts: Prompts,
    /// Reads a PDF's pages that are images, when configured (refused otherwise).
    pub ocr: Option<Arc<dyn Ocr>>,
}

impl Default for Backends {
    /// BM25 retrieval, extractive answers, the built-in prompts, no OCR.
    fn default() -> Self {
        Backends { embedder: None, chat: None, prompts: Prompts::builtin(), ocr: None }
    }
}

/// How the pipeline retrieves and answers.
#[derive(Debug, Clone, Default)]
pub struct PipelineConfig {
    pub retrieval: RetrievalConfig,
    pub answer: AnswerConfig,
}

/// Files in, answers out: the indexer, and the retriever and answerer over the index as it
/// was when the pipeline was opened (its catalogue of document names). After documents
/// change, [`Pipeline::reopen`] gives one that knows them.
pub struct Pipeline {
    store: Arc<dyn PassageStore>,
    backends: Backends,
    config: PipelineConfig,
    indexer: Indexer,
    answerer: Arc<Answerer>,
}

impl Pipeline {
    pub async fn open(store: Arc<dyn PassageStore>, backends: Backends, config: PipelineConfig) -> Result<Self, StoreError> {
        let retriever = Retriever::open(store.clone(), backends.embedder.clone(), Lexicon::builtin(), config.retrieval.clone()).await?;
        let answerer = Answerer::new(Arc::new(retriever), backends.chat.clone(), backends.prompts.clone(), config.answer.clone());
        let indexer = Indexer { chunker: ClauseChunker::default().with_ocr(backends.ocr.clone()), store: store.clone(), embedder: backends.embedder.clone(), segmenter: ChineseSegmenter::default() };
        Ok(Pipeline { store, backends, config, indexer, answerer: Arc::new(answerer) })
    }

    /// The same store, backends and configuration over the index as it is now.
    pub async fn reopen(&self) -> Result<Self, StoreError> {
        Pipeline::open(self.store.clone(), self.backends.clone(), self.config.clone()).await
    }

    pub fn answerer(&self) -> &Arc<Answerer> {
        &self.answerer
    }

    pub fn retriever(&self) -> &Arc<Retriever> {
        self.answerer.retriever()
    }

    pub fn indexer(&self) -> &Indexer {
        &self.indexer
    }

    pub fn store(&self) -> &Arc<dyn PassageStore> {
        &self.store
    }

    pub fn backends(&self) -> &Backends {
        &self.backends
    }

    pub fn config(&self) -> &PipelineConfig {
        &self.config
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_reopened_pipeline_knows_the_documents_added_since() {
        let dir = tempfile::tempdir().unwrap();
        let store = StoreLocation::Embedded(dir.path().to_path_buf()).open().await.unwrap();
        let pipeline = Pipeline::open(store, Backends::default(), PipelineConfig::default()).await.unwrap();
        assert!(pipeline.retriever().catalog().documents.is_empty());
        let file = dir.path().join("notice.txt");
        std::fs::write(&file, "# 关于做好失业保险工作的通知\n\n一、失业保险金按月发放。\n\n二、领取期限最长为二十四个月。\n").unwrap();
        pipeline.indexer().ingest(&[file], &Default::default(), &policyqa_index::NoProgress).await.unwrap();
        let reopened = pipeline.reopen().await.unwrap();
        assert_eq!(reopened.retriever().catalog().documents.len(), 1);
        let r = reopened.retriever().search("领取期限最长是多久", 3).await.unwrap();
        assert!(r.passages[0].passage.text.contains("二十四个月"), "{:?}", r.passages);
    }
}
