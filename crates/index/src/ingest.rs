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

use policyqa_core::SparseVector;
use rayon::prelude::*;

use crate::bm25::Bm25Encoder;
use crate::segment::ChineseSegmenter;

pub const SCHEMA: u32 = 1;
/// Passages per durable write. qdrant-edge's write segment costs O(posting-list length) per
/// insert until an optimisation folds it away, so smaller batches are cheaper per passage;
/// much smaller ones pay the flush and optimiser overhead instead (2048 measured best of
/// 1024–30,000 on the laws).
const BATCH: usize = 2048;
/// Files chunked together on every core: enough to keep both busy, few enough that the raw
/// bytes of a large folder are never all in memory at once.
const GROUP_FILES: usize = 64;
const GROUP_BYTES: usize = 32 << 20;
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

        // Read, chunk and segment everything first, so a new index gets its BM25 length norm
        // from the whole corpus before the first vector is computed. Files are read and
        // checked in order (the first of two identical files wins); chunking and
        // segmentation, the costly part, run on every core a group of files at a time.
        let mut todo: Vec<Prepared> = Vec::new();
        let mut seen_sources = HashSet::new();
        let mut group: Vec<(String, String, Vec<u8>)> = Vec::new();
        let mut group_bytes = 0usize;
        for (i, file) in files.iter().enumerate() {
            let source = source_key(file);
            seen_sources.insert(source.clone());
            match std::fs::read(file) {
                Err(e) => summary.unreadable.push((source, format!("cannot read: {e}"))),
                Ok(bytes) => {
                    let hash = content_hash(&bytes);
                    if recorded.get(&source).is_some_and(|r| r.content_hash == hash) {
                        summary.unchanged += 1;
                        progress.file(&source);
                    } else if let Some(owner) = hash_owner.get(&hash).filter(|o| **o != source) {
                        summary.duplicates.push((source.clone(), owner.clone()));
                        progress.file(&source);
                    } else {
                        hash_owner.insert(hash.clone(), source.clone());
                        group_bytes += bytes.len();
                        group.push((source, hash, bytes));
                    }
                }
            }
            if !group.is_empty() && (group_bytes >= GROUP_BYTES || group.len() >= GROUP_FILES || i + 1 == files.len()) {
                let chunker = self.chunker.clone();
                let segmenter = self.segmenter.clone();
                let files = std::mem::take(&mut group);
                group_bytes = 0;
                // Off the async threads: a long PDF takes a while, and its image pages go
                // through OCR, seconds a page.
                let prepared = tokio::task::spawn_blocking(move || prepare_files(&chunker, &segmenter, files))
                    .await
                    .map_err(|e| IngestError::Path { path: "ingest".into(), message: format!("chunking stopped: {e}") })?;
                for p in prepared {
                    match p {
                        Ok(p) => todo.push(p),
                        Err((source, message)) => {
                            // A later copy of an unreadable file is as unreadable as it.
                            hash_owner.retain(|_, owner| *owner != source);
                            let (copies, others): (Vec<_>, Vec<_>) = std::mem::take(&mut summary.duplicates).into_iter().partition(|(_, owner)| *owner == source);
                            summary.duplicates = others;
                            summary.unreadable.push((source, message.clone()));
                            summary.unreadable.extend(copies.into_iter().map(|(copy, _)| (copy, message.clone())));
                        }
                    }
                }
            }
        }

        tracing::debug!(files = todo.len(), seconds = started.elapsed().as_secs_f64(), "read, chunked and segmented");
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
                let lengths: Vec<usize> = todo.iter().flat_map(|p| p.tokens.iter().map(|t| t.len)).collect();
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
            let texts: Vec<String> = todo.iter().flat_map(|p| p.out.passages.iter().map(index_text)).collect();
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
            while end < todo.len() && (end == start || size + todo[end].out.passages.len() <= BATCH) {
                size += todo[end].out.passages.len();
                end += 1;
            }
            let batch = &todo[start..end];
            let sources: Vec<String> = batch.iter().map(|p| p.source.clone()).collect();
            self.store.delete_sources(&sources).await?;
            let mut points = Vec::with_capacity(size);
            for Prepared { source, hash, out, tokens } in batch {
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
                // Per passage and independent: on every core.
                let sparse: Vec<SparseVector> = tokens.par_iter().map(|t| bm25.document_segmented(&t.joined)).collect();
                points.extend(out.passages.iter().zip(sparse.into_iter().zip(dense)).map(|(p, (sparse, dense))| IndexedPassage {
                    passage: p.clone(),
                    content_hash: hash.clone(),
                    sparse,
                    dense,
                }));
            }
            let writing = Instant::now();
            self.store.upsert(points).await?;
            tracing::debug!(passages = size, seconds = writing.elapsed().as_secs_f64(), "batch written");
            let records: Vec<FileRecord> = batch
                .iter()
                .map(|p| FileRecord { source: p.source.clone(), content_hash: p.hash.clone(), documents: with_validity(&p.out) })
                .collect();
            self.store.put_files(&records).await?;
            for p in batch {
                summary.indexed += 1;
                summary.documents += p.out.documents.len();
                summary.passages += p.out.passages.len();
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

/// A file read, chunked and segmented, waiting for its vectors.
struct Prepared {
    source: String,
    hash: String,
    out: policyqa_chunker::ChunkOutput,
    /// Per passage, in order.
    tokens: Vec<Segmented>,
}

/// A passage's index tokens as BM25 takes them: joined by spaces (one allocation rather than
/// one per token: the whole corpus is held until the length norm is known).
struct Segmented {
    joined: String,
    len: usize,
}

/// Chunks and segments a group of files on every core, in order. A reader that panics on a
/// hostile file costs that file only.
fn prepare_files(chunker: &ClauseChunker, segmenter: &ChineseSegmenter, files: Vec<(String, String, Vec<u8>)>) -> Vec<Result<Prepared, (String, String)>> {
    files
        .into_par_iter()
        .map(|(source, hash, bytes)| {
            let chunked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| chunker.chunk_file(&source, &bytes)))
                .unwrap_or_else(|_| Err(policyqa_chunker::ExtractError::Damaged { format: "document", reason: "its reader failed on it".into() }));
            match chunked {
                Ok(out) => {
                    let tokens = out
                        .passages
                        .iter()
                        .map(|p| {
                            let (joined, len) = Bm25Encoder::joined_tokens(&segmenter.tokens(&index_text(p)));
                            Segmented { joined, len }
                        })
                        .collect();
                    Ok(Prepared { source, hash, out, tokens })
                }
                Err(e) => Err((source, e.to_string())),
            }
        })
        .collect()
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
