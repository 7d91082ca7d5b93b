//! Query analysis and hybrid retrieval.

pub mod analysis;
pub mod characters;
pub mod filter;
pub mod lexicon;
pub mod retriever;

pub use analysis::{analyse, Analysis, Catalog, ClauseRef};
pub use filter::{doc_type, Eligible};
pub use lexicon::Lexicon;
pub use retriever::{question_parts, RetrievalConfig, Ranked, Retriever, SearchError, SearchResult, WeightedTerm, DF_CAP, MAX_QUERY_CHARS, MAX_TOP_K};
