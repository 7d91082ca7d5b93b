//! Files → chunk → embed → upsert, incrementally. A file counts as indexed only when its
//! file record is written, after all its passages are durable; a file whose record is missing
//! or stale is re-indexed from scratch (its old passages removed first), so a killed ingest
//! leaves no orphan or duplicate passage behind and the next one completes it.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use policyqa_chunker::ClauseChunker;
use policyqa_core::{
    CharacterStats, ChunkWarning, EmbedError, Embedder, FileRecord, IndexMeta, IndexedPassage, Passage, PassageStore, StoreError,
};

use crate::bm25::Bm25Encoder;
use crate::segment::ChineseSegmenter;

pub const SCHEMA: u32 = 1;
const BATCH: usize = 4096;
const EMBED_BATCH: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("dense embeddings failed: {0}; nothing of the failed file was committed")]
    Embed(#[from] EmbedError),
    #[error("{path}: {message}")]
    Path { path: String, message: String },
    #[error("{0}")]
    Mismatch(String),
}

/// What happened to each file.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct IngestSummary {
    pub files: usize,
    pub indexed: usize,
    pub unchanged: usize,
    pub duplicates: Vec<(String, String)>,
    pub unreadable: Vec<(String, String)>,
    pub pruned: Vec<String>,
    pub documents: usize,
    pub passages: usize,
    pub warnings: usize,
    pub seconds: f64,
}

/// Progress callbacks, for a progress bar on a terminal.
pub trait Progress: Send + Sync {
    fn start(&self, _files: usize) {}
    fn file(&self, _source: &str) {}
    fn warning(&self, _w: &ChunkWarning) {}
    fn finish(&self) {}
}

pub struct NoProgress;
impl Progress for NoProgress {}

#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// Remove documents whose files are gone.
    pub prune: bool,
}

pub struct Indexer {
    pub chunker: ClauseChunker,
    pub store: Arc<dyn PassageStore>,
    pub embedder: Option<Arc<dyn Embedder>>,
    pub segmenter: ChineseSegmenter,
}

/// The text a passage is indexed with: its document title and heading path in front, since
/// a clause's own words often miss its topic.
pub fn index_text(p: &Passage) -> String {
    let mut s = String::new();
    for a in &p.address {
        // The clause label is already at the start of the text.
        if Some(a) != p.address.last() || p.kind == policyqa_core::PassageKind::Paragraph {
            s.push_str(a);
            s.push(' ');
        }
    }
    s.push_str(&p.text);
    s
}

/// What a folder walk picks up. The format is then read from the content, not from the
/// name; .doc, WPS and OFD files are picked up so that each gets its own clear refusal
/// instead of being passed over in silence.
pub const DOCUMENT_EXTENSIONS: &[&str] = &["txt", "md", "html", "htm", "xhtml", "shtml", "docx", "pdf", "doc", "wps", "ofd"];

/// Lists the documents under the given paths (folders recursively; see
/// [`DOCUMENT_EXTENSIONS`]), sorted.
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, IngestError> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                walk(&path, out)?;
            } else if path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| DOCUMENT_EXTENSIONS.iter().any(|x| e.eq_ignore_ascii_case(x)))
                && path.file_name().and_then(|n| n.to_str()) != Some("README.md")
            {
                out.push(path);
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| IngestError::Path { path: p.display().to_string(), message: format!("cannot read: {e}") })?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found).map_err(|e| IngestError::Path { path: p.display().to_string(), message: format!("cannot list: {e}") })?;
            found.sort();
            files.extend(found);
        } else {
            files.push(p.clone());
        }
    }
    Ok(files)
}

/// The path as given, without a leading "./".
pub fn source_key(p: &Path) -> String {
    let s = p.display().to_string();
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

fn content_hash(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes).iter().take(16).map(|b| format!("{b:02x}")).collect()
}

impl Indexer {
    pub async fn ingest(&self, paths: &[PathBuf], opts: &IngestOptions, progress: &dyn Progress) -> Result<IngestSummary, IngestError> {
        let started = Instant::now();
        let files = collect_files(paths)?;
        let mut summary = IngestSummary { files: files.len(), ..Default::default() };
        progress.start(files.len());

        let recorded: HashMap<String, FileRecord> = self.store.files().await?.into_iter().map(|r| (r.source.clone(), r)).collect();
        let mut hash_owner: HashMap<String, String> = recorded.values().map(|r| (r.content_hash.clone(), r.source.clone())).collect();

        // Read, chunk and segment everything first (fast), so a new index gets its BM25
        // length norm from the whole corpus before the first vector is computed.
        let mut todo: Vec<(String, String, policyqa_chunker::ChunkOutput)> = Vec::new();
        let mut tokens: HashMap<String, Vec<String>> = HashMap::new();
        let mut seen_sources = HashSet::new();
        for file in &files {
            let source = source_key(file);
            seen_sources.insert(source.clone());
            let bytes = match std::fs::read(file) {
                Ok(b) => b,
                Err(e) => {
                    summary.unreadable.push((source, format!("cannot read: {e}")));
                    continue;
                }
            };
            let hash = content_hash(&bytes);
            if recorded.get(&source).is_some_and(|r| r.content_hash == hash) {
                summary.unchanged += 1;
                progress.file(&source);
                continue;
            }
            if let Some(owner) = hash_owner.get(&hash).filter(|o| **o != source) {
                summary.duplicates.push((source.clone(), owner.clone()));
                progress.file(&source);
                continue;
            }
            // Off the async threads: a long PDF takes a while, and its image pages go
            // through OCR, seconds a page.
            let chunker = self.chunker.clone();
            let name = source.clone();
            let chunked = tokio::task::spawn_blocking(move || chunker.chunk_file(&name, &bytes))
                .await
                .unwrap_or_else(|_| Err(policyqa_chunker::ExtractError::Damaged { format: "document", reason: "its reader failed on it".into() }));
            match chunked {
                Ok(out) => {
                    for p in &out.passages {
                        tokens.insert(p.id.clone(), self.segmenter.tokens(&index_text(p)));
                    }
                    hash_owner.insert(hash.clone(), source.clone());
                    todo.push((source, hash, out));
                }
                Err(e) => summary.unreadable.push((source.clone(), e.to_string())),
            }
        }

        let meta = match self.store.meta().await? {
            Some(m) => {
                if m.schema != SCHEMA {
                    return Err(IngestError::Mismatch(format!(
                        "the index was built by another version of policyqa (schema {}); rebuild it with --rebuild",
                        m.schema
                    )));
                }
                let model = self.embedder.as_ref().map(|e| e.model().to_string());
                if m.dense_model.is_some() && model.is_some() && m.dense_model != model {
                    return Err(IngestError::Mismatch(format!(
                        "the index holds dense vectors of {:?} but {:?} is configured; rebuild it with --rebuild",
                        m.dense_model.unwrap_or_default(),
                        model.unwrap_or_default()
                    )));
                }
                m
            }
            None => {
                let lengths: Vec<usize> = tokens.values().map(|t| Bm25Encoder::indexed_len(t)).collect();
                let avg_len = if lengths.is_empty() { 60.0 } else { lengths.iter().sum::<usize>() as f64 / lengths.len() as f64 };
                let meta = IndexMeta {
                    schema: SCHEMA,
                    avg_len,
                    characters: Some(CharacterStats::default()),
                    dense_model: self.embedder.as_ref().map(|e| e.model().to_string()),
                    dense_dim: None,
                };
                self.store.set_meta(&meta).await?;
                meta
            }
        };
        // The characters of what is added now (before its passages, so that the statistics
        // never lag what a query can find).
        let mut meta = meta;
        if let Some(stats) = meta.characters.as_mut().filter(|_| !todo.is_empty()) {
            let texts: Vec<String> = todo.iter().flat_map(|(_, _, out)| out.passages.iter().map(index_text)).collect();
            stats.add(texts.iter().map(String::as_str));
            self.store.set_meta(&meta).await?;
        }
        let bm25 = Bm25Encoder::new(self.segmenter.clone(), meta.avg_len);

        // Files go in batches of about BATCH passages. Per batch: old passages of its files
        // (and any half-written ones of a killed run) removed, new passages upserted, then the
        // file records; each step flushed. A file is complete once its record is durable.
        let mut start = 0;
        while start < todo.len() {
            let mut end = start;
            let mut size = 0;
            while end < todo.len() && (end == start || size + todo[end].2.passages.len() <= BATCH) {
                size += todo[end].2.passages.len();
                end += 1;
            }
            let batch = &todo[start..end];
            let sources: Vec<String> = batch.iter().map(|(s, _, _)| s.clone()).collect();
            self.store.delete_sources(&sources).await?;
            let mut points = Vec::with_capacity(size);
            for (source, hash, out) in batch {
                progress.file(source);
                for w in &out.warnings {
                    progress.warning(w);
                }
                summary.warnings += out.warnings.len();
                let texts: Vec<String> = out.passages.iter().map(index_text).collect();
                let dense: Vec<Option<Vec<f32>>> = match &self.embedder {
                    Some(e) => {
                        let mut all = Vec::with_capacity(texts.len());
                        for chunk in texts.chunks(EMBED_BATCH) {
                            let vectors = e.embed_passages(chunk).await?;
                            let dim = vectors.first().map(Vec::len);
                            if meta.dense_dim.is_none() && dim.is_some() {
                                meta.dense_dim = dim;
                                self.store.set_meta(&meta).await?;
                            } else if dim.is_some() && meta.dense_dim != dim {
                                return Err(IngestError::Mismatch(format!(
                                    "the embeddings endpoint returns {}-dimensional vectors but the index holds {}; rebuild it with --rebuild",
                                    dim.unwrap_or(0),
                                    meta.dense_dim.unwrap_or(0)
                                )));
                            }
                            all.extend(vectors.into_iter().map(Some));
                        }
                        all
                    }
                    None => vec![None; texts.len()],
                };
                points.extend(out.passages.iter().zip(texts.iter().zip(dense)).map(|(p, (t, d))| IndexedPassage {
                    passage: p.clone(),
                    content_hash: hash.clone(),
                    sparse: match tokens.get(&p.id) {
                        Some(tok) => bm25.document_tokens(tok),
                        None => bm25.document(t),
                    },
                    dense: d,
                }));
            }
            self.store.upsert(points).await?;
            let records: Vec<FileRecord> = batch
                .iter()
                .map(|(source, hash, out)| FileRecord { source: source.clone(), content_hash: hash.clone(), documents: with_validity(out) })
                .collect();
            self.store.put_files(&records).await?;
            for (_, _, out) in batch {
                summary.indexed += 1;
                summary.documents += out.documents.len();
                summary.passages += out.passages.len();
            }
            start = end;
        }

        if opts.prune {
            for source in recorded.keys() {
                if !seen_sources.contains(source) && !Path::new(source).exists() {
                    summary.pruned.push(source.clone());
                }
            }
        }
        self.store.delete_sources(&summary.pruned).await?;
        progress.finish();
        summary.seconds = started.elapsed().as_secs_f64();
        Ok(summary)
    }

    /// Removes one document (by id) or every document of a file (by its source path).
    pub async fn remove(&self, what: &str) -> Result<Vec<String>, IngestError> {
        let files = self.store.files().await?;
        if let Some(f) = files.iter().find(|f| f.source == what) {
            self.store.delete_sources(std::slice::from_ref(&f.source)).await?;
            return Ok(f.documents.iter().map(|d| d.title.clone()).collect());
        }
        for f in files {
            if let Some(doc) = f.documents.iter().find(|d| d.id == what) {
                let title = doc.title.clone();
                self.store.delete_doc(what).await?;
                let mut rest = f.clone();
                rest.documents.retain(|d| d.id != what);
                if rest.documents.is_empty() {
                    self.store.delete_sources(std::slice::from_ref(&f.source)).await?;
                } else {
                    self.store.put_files(std::slice::from_ref(&rest)).await?;
                }
                return Ok(vec![title]);
            }
        }
        Err(IngestError::Path { path: what.to_string(), message: "no such document id or source in the index (see `policyqa docs`)".into() })
    }
}

/// A file's documents, each with what its own clauses say about its validity.
fn with_validity(out: &policyqa_chunker::ChunkOutput) -> Vec<policyqa_core::DocumentInfo> {
    out.documents
        .iter()
        .map(|d| {
            let passages = out.passages.iter().filter(|p| p.doc_id == d.id);
            policyqa_core::DocumentInfo { validity: Some(policyqa_validity::read(&d.id, &d.title, Some(&d.meta), passages)), ..d.clone() }
        })
        .collect()
}
