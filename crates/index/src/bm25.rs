//! BM25 sparse vectors, computed in-process the same way for both stores: our Chinese
//! segmentation, then qdrant-edge's BM25 with a white-space tokenizer (the same murmur3 term
//! ids a Qdrant server uses), IDF applied by the store (the `Idf` modifier).

use std::collections::HashMap;

use policyqa_core::SparseVector;
use qdrant_edge::bm25_embed::{EdgeBm25, EdgeBm25Config};

use crate::segment::ChineseSegmenter;

/// Particles in nearly every passage: their IDF is close to zero, so they add nothing to a
/// ranking, but every one of them costs qdrant-edge a posting-list update as long as the
/// corpus (its appendable segment updates weights along the whole list). Content words
/// such as 规定, 应当, 不得 stay: in legal text they matter.
const UBIQUITOUS: &[&str] = &["的", "和", "或者", "在", "是", "对", "为", "由", "其", "及", "与", "并", "之", "了"];

/// Turns text into BM25 sparse vectors.
pub struct Bm25Encoder {
    segmenter: ChineseSegmenter,
    bm25: EdgeBm25,
    avg_len: f64,
}

impl std::fmt::Debug for Bm25Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bm25Encoder(avg_len={})", self.avg_len)
    }
}

impl Bm25Encoder {
    /// `avg_len`: the corpus's average passage length in tokens (BM25's length norm).
    pub fn new(segmenter: ChineseSegmenter, avg_len: f64) -> Self {
        let config: EdgeBm25Config = serde_json::from_value(serde_json::json!({
            "tokenizer": "whitespace",
            "stopwords": {"custom": []},
            "lowercase": false,
            "k": 1.2,
            "b": 0.75,
            "avg_len": avg_len.max(1.0),
        }))
        .expect("a valid BM25 configuration");
        let bm25 = EdgeBm25::new(config).expect("a valid BM25 configuration");
        Bm25Encoder { segmenter, bm25, avg_len }
    }

    pub fn segmenter(&self) -> &ChineseSegmenter {
        &self.segmenter
    }

    pub fn document(&self, text: &str) -> SparseVector {
        self.document_tokens(&self.segmenter.tokens(text))
    }

    /// The vector of a text already segmented with this encoder's segmenter.
    pub fn document_tokens(&self, tokens: &[String]) -> SparseVector {
        self.document_segmented(&Self::joined_tokens(tokens).0)
    }

    /// The tokens BM25 indexes, joined by spaces, and how many they are.
    pub fn joined_tokens(tokens: &[String]) -> (String, usize) {
        let kept: Vec<&str> = tokens.iter().map(String::as_str).filter(|t| !UBIQUITOUS.contains(t)).collect();
        (kept.join(" "), kept.len())
    }

    /// The vector of [`Bm25Encoder::joined_tokens`]' text.
    pub fn document_segmented(&self, joined: &str) -> SparseVector {
        convert(self.bm25.embed_document(joined))
    }

    /// A query from weighted terms (each term segmented; weights of repeated ids add up).
    pub fn query(&self, terms: &[(String, f32)]) -> SparseVector {
        let mut weights: HashMap<u32, f32> = HashMap::new();
        for (term, w) in terms {
            let tokens = self.segmenter.tokens(term);
            if tokens.is_empty() {
                continue;
            }
            let v = self.bm25.embed_query(&tokens.join(" "));
            for (i, _) in v.indices.iter().zip(&v.values) {
                let e = weights.entry(*i).or_insert(0.0);
                *e = e.max(*w);
            }
        }
        let mut pairs: Vec<(u32, f32)> = weights.into_iter().collect();
        pairs.sort_by_key(|(i, _)| *i);
        SparseVector { indices: pairs.iter().map(|p| p.0).collect(), values: pairs.iter().map(|p| p.1).collect() }
    }
}

fn convert(v: qdrant_edge::SparseVector) -> SparseVector {
    SparseVector { indices: v.indices, values: v.values }
}
