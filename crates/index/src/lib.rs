//! The passage index: Chinese segmentation, BM25 sparse vectors, the stores (embedded
//! qdrant-edge; a Qdrant server), and incremental ingest. Dense vectors come through the
//! `Embedder` trait (the OpenAI-compatible client is `policyqa-openai`).

pub mod bm25;
pub mod edge;
pub mod remote;
pub mod ingest;
mod records;
pub mod segment;

pub use bm25::Bm25Encoder;
pub use edge::EdgeStore;
pub use remote::{RemoteConfig, RemoteStore};
pub use ingest::{IngestError, IngestOptions, IngestSummary, Indexer, NoProgress, Progress};
pub use segment::ChineseSegmenter;
