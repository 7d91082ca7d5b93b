//! Clause-level chunker for Chinese policy documents and laws.
//!
//! Bytes → [`policyqa_extract`] (format by content: text decoded, a web page's, a Word
//! file's or a PDF's text and metadata) → lines → units (web chrome, page marks and tables of contents
//! dropped) → documents → layout [`repair`] → clause structure → passages. Every step after
//! decoding is pure and total: whatever the text, [`ClauseChunker::chunk`] returns passages
//! plus warnings and never panics (property-tested).

mod document;
pub mod lines;
pub mod numerals;
mod passages;
mod repair;
mod structure;

use std::sync::Arc;

use policyqa_core::{ChunkWarning, DocumentInfo, DocumentMeta, Ocr, Passage, PassageKind, WarningKind};

pub use policyqa_extract::{decode, decode::Decoded, extract, extract_with, DecodeError, ExtractError, Limits};

/// Sizes, in characters.
#[derive(Debug, Clone)]
pub struct ChunkerConfig {
    /// A clause longer than this is split at 款 / 项 / sentence boundaries.
    pub max_chars: usize,
    /// Running text (news, preambles) is packed into passages of about this size.
    pub paragraph_chars: usize,
}

impl Default for ChunkerConfig {
    fn default() -> Self {
        ChunkerConfig { max_chars: 600, paragraph_chars: 400 }
    }
}

/// What chunking one file produced.
#[derive(Debug, Clone, Default)]
pub struct ChunkOutput {
    pub documents: Vec<DocumentInfo>,
    pub passages: Vec<Passage>,
    pub warnings: Vec<ChunkWarning>,
}

/// Warnings as they are found, positioned by byte offset until the end.
#[derive(Default)]
pub(crate) struct Notes {
    items: Vec<(WarningKind, usize, String)>,
}

impl Notes {
    pub(crate) fn warn(&mut self, kind: WarningKind, byte_offset: usize, message: String) {
        self.items.push((kind, byte_offset, message));
    }
}

/// Splits documents into clause-level passages that keep their address and source offsets.
#[derive(Debug, Clone, Default)]
pub struct ClauseChunker {
    config: ChunkerConfig,
    /// Reads a PDF's pages that are images, when configured.
    ocr: Option<Arc<dyn Ocr>>,
}

impl ClauseChunker {
    pub fn new(config: ChunkerConfig) -> Self {
        ClauseChunker { config, ocr: None }
    }

    /// The same chunker, reading a PDF's image pages with `ocr`.
    pub fn with_ocr(mut self, ocr: Option<Arc<dyn Ocr>>) -> Self {
        self.ocr = ocr;
        self
    }

    /// Whether image pages are read (an OCR engine is configured).
    pub fn reads_images(&self) -> bool {
        self.ocr.is_some()
    }

    /// Reads a file of any supported format (text, HTML, DOCX) and chunks its text. Fails
    /// only when the bytes cannot be read as a document (binary, empty, damaged, a format
    /// not supported), with a message that says why.
    pub fn chunk_file(&self, source: &str, bytes: &[u8]) -> Result<ChunkOutput, ExtractError> {
        let extracted = policyqa_extract::extract_with(bytes, &Limits::default(), self.ocr.as_deref())?;
        let mut out = self.chunk(source, &extracted.text);
        // A PDF's passages know their pages; a web page's, a Word file's and a PDF's know
        // where in the file they start.
        for p in &mut out.passages {
            p.page = extracted.page_of(p.start);
            p.page_end = extracted.page_of(p.end.saturating_sub(1).max(p.start));
            p.origin = extracted.origin_of(p.start).cloned();
        }
        // What the file states about itself (a page's metadata table, the 文号 under the
        // first title) is its first document's: a notice with the measures it issues is one
        // page. The format is every document's.
        for (i, d) in out.documents.iter_mut().enumerate() {
            d.meta = if i == 0 { extracted.meta.clone() } else { DocumentMeta { format: extracted.meta.format.clone(), ..Default::default() } };
        }
        let notes = extracted.notes.into_iter().map(|n| ChunkWarning { source: source.to_string(), kind: n.kind, line: 1, offset: 0, message: n.message });
        out.warnings.splice(0..0, notes);
        Ok(out)
    }

    /// Chunks decoded text. `source` is the path as given; it names the file in passages and
    /// warnings but does not enter ids.
    pub fn chunk(&self, source: &str, text: &str) -> ChunkOutput {
        let mut notes = Notes::default();
        let lines = lines::split_lines(text);
        let units = document::read_units(text, &lines, &mut notes);
        let mut docs = document::split_documents(text, units, &fallback_title(source));
        repair::repair(text, &mut docs, &mut notes);

        let content_id = passages::stable_id(&[text.as_bytes()]);
        let mut out = ChunkOutput::default();
        let mut byte_spans: Vec<Vec<std::ops::Range<usize>>> = Vec::new();
        for (di, doc) in docs.iter().enumerate() {
            // 《学习〈决定〉每日问答》: a title quoting another keeps its inner marks apart.
            let cite = doc.title.replace('《', "〈").replace('》', "〉");
            let doc_id = passages::stable_id(&[content_id.as_bytes(), di.to_string().as_bytes()]);
            let blocks = structure::blocks(text, doc);
            let labels = clause_labels(&blocks);
            let before = out.passages.len();
            for (block, clause_label) in blocks.iter().zip(labels) {
                let mut address = vec![doc.title.clone()];
                address.extend(block.path.iter().cloned());
                let (label, number, kind) = match (&block.kind, clause_label) {
                    (structure::BlockKind::Clause { number, .. }, Some(l)) => {
                        (format!("《{cite}》{l}"), Some(*number), PassageKind::Clause)
                    }
                    _ => {
                        let label = match block.path.last() {
                            Some(h) => format!("《{cite}》{h}"),
                            None => format!("《{cite}》"),
                        };
                        (label, None, PassageKind::Paragraph)
                    }
                };
                for draft in passages::drafts(text, block, &self.config) {
                    let ordinal = out.passages.len() - before;
                    let id = passages::stable_id(&[
                        doc_id.as_bytes(),
                        ordinal.to_string().as_bytes(),
                        label.as_bytes(),
                        draft.part.unwrap_or(0).to_string().as_bytes(),
                    ]);
                    byte_spans.push(draft.spans);
                    out.passages.push(Passage {
                        id,
                        doc_id: doc_id.clone(),
                        doc_title: doc.title.clone(),
                        address: address.clone(),
                        label: label.clone(),
                        number,
                        part: draft.part,
                        parts: draft.parts,
                        kind,
                        text: draft.text,
                        source: source.to_string(),
                        start: 0,
                        end: 0,
                        spans: Vec::new(),
                        page: None,
                        page_end: None,
                        origin: None,
                        doc_meta: None,
                    });
                }
            }
            out.documents.push(DocumentInfo {
                id: doc_id,
                title: doc.title.clone(),
                source: source.to_string(),
                passages: out.passages.len() - before,
                meta: Default::default(),
                validity: None,
            });
        }
        out.documents.retain(|d| d.passages > 0);

        // Byte offsets → character offsets and line numbers, in one pass over the text.
        let mut wanted: Vec<usize> = byte_spans.iter().flatten().flat_map(|r| [r.start, r.end]).collect();
        wanted.extend(notes.items.iter().map(|(_, b, _)| *b));
        let pos = Positions::new(text, wanted);
        for (p, spans) in out.passages.iter_mut().zip(&byte_spans) {
            p.spans = spans.iter().map(|r| [pos.char_of(r.start), pos.char_of(r.end)]).collect();
            p.start = p.spans.iter().map(|s| s[0]).min().unwrap_or(0);
            p.end = p.spans.iter().map(|s| s[1]).max().unwrap_or(0);
        }
        notes.items.sort_by_key(|(_, b, _)| *b);
        out.warnings.extend(notes.items.into_iter().map(|(kind, b, message)| ChunkWarning {
            source: source.to_string(),
            kind,
            line: pos.line_of(b),
            offset: pos.char_of(b),
            message,
        }));
        out
    }
}

/// Citation labels of the clause blocks: （十）, 第十九条, 第四部分, 第3点. Where numbering
/// restarts under each section (一、（一）（二） 二、（一）…) the section is named too:
/// 二、（一）.
fn clause_labels(blocks: &[structure::Block]) -> Vec<Option<String>> {
    use std::collections::HashMap;
    let plain = |b: &structure::Block| match &b.kind {
        structure::BlockKind::Clause { label, number } => Some(if label.ends_with('、') {
            format!("第{}部分", numerals::to_chinese(*number))
        } else if label.ends_with('.') {
            format!("第{number}点")
        } else {
            label.clone()
        }),
        structure::BlockKind::Paragraphs => None,
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    for b in blocks {
        if let Some(l) = plain(b) {
            *seen.entry(l).or_default() += 1;
        }
    }
    // One repeated label means numbering restarts per section: name the section everywhere.
    let restarts = seen.values().any(|&n| n > 1);
    blocks
        .iter()
        .map(|b| {
            let l = plain(b)?;
            if !restarts {
                return Some(l);
            }
            // The nearest numbered heading above the clause.
            let parent = b.path.iter().rev().skip(1).find_map(|h| {
                let m = lines::marker(&lines::fold(h))?;
                Some(m.label())
            });
            Some(match parent {
                Some(p) => format!("{p}{l}"),
                None => l,
            })
        })
        .collect()
}

/// Byte offset → character offset and 1-based line, for a sorted batch of offsets.
struct Positions {
    map: std::collections::HashMap<usize, (usize, usize)>,
}

impl Positions {
    fn new(text: &str, mut wanted: Vec<usize>) -> Self {
        wanted.sort_unstable();
        wanted.dedup();
        let mut map = std::collections::HashMap::with_capacity(wanted.len());
        let (mut chars, mut line) = (0usize, 1usize);
        let mut w = wanted.into_iter().peekable();
        let mut prev_cr = false;
        for (b, c) in text.char_indices() {
            while w.peek().is_some_and(|&x| x <= b) {
                map.insert(w.next().unwrap_or(b), (chars, line));
            }
            if c == '\n' && !prev_cr || c == '\r' {
                line += 1;
            }
            prev_cr = c == '\r';
            chars += 1;
        }
        for x in w {
            map.insert(x, (chars, line));
        }
        Positions { map }
    }
    fn char_of(&self, b: usize) -> usize {
        self.map.get(&b).map_or(0, |v| v.0)
    }
    fn line_of(&self, b: usize) -> usize {
        self.map.get(&b).map_or(1, |v| v.1)
    }
}

fn fallback_title(source: &str) -> String {
    let name = source.rsplit(['/', '\\']).next().unwrap_or(source);
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    if stem.is_empty() { "未命名文件".into() } else { stem.to_string() }
}
