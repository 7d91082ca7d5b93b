//! Blocks → passages: clean text assembled from source pieces, long clauses split at 款 /
//! 项 / sentence boundaries with `text-splitter`, running text packed into paragraph
//! passages, each with source spans and a stable id.

use std::ops::Range;

use sha2::{Digest, Sha256};
use text_splitter::{ChunkCapacity, ChunkConfig, TextSplitter};

use crate::document::Unit;
use crate::structure::{Block, BlockKind};
use crate::ChunkerConfig;

/// Clean text of a block and where each stretch of it came from in the source.
pub struct Assembled {
    pub text: String,
    /// (offset in `text`, source byte range) for every copied stretch.
    segments: Vec<(usize, Range<usize>)>,
}

impl Assembled {
    pub fn new(src: &str, units: &[Unit]) -> Self {
        let mut text = String::new();
        let mut segments = Vec::new();
        for (ui, unit) in units.iter().enumerate() {
            if ui > 0 {
                text.push('\n');
            }
            for (pi, piece) in unit.pieces.iter().enumerate() {
                if pi > 0 {
                    text.push_str(piece.joiner);
                }
                segments.push((text.len(), piece.range.clone()));
                text.push_str(&src[piece.range.clone()]);
            }
        }
        Assembled { text, segments }
    }

    /// Source byte spans covering `range` of the clean text; spans separated in the source
    /// only by white space are merged.
    pub fn source_spans(&self, src: &str, range: Range<usize>) -> Vec<Range<usize>> {
        let mut spans: Vec<Range<usize>> = Vec::new();
        for (at, srange) in &self.segments {
            let seg = *at..*at + srange.len();
            let (s, e) = (range.start.max(seg.start), range.end.min(seg.end));
            if s >= e {
                continue;
            }
            let span = srange.start + (s - seg.start)..srange.start + (e - seg.start);
            match spans.last_mut() {
                Some(last) if last.end <= span.start && src[last.end..span.start].chars().all(char::is_whitespace) => {
                    last.end = span.end
                }
                _ => spans.push(span),
            }
        }
        spans
    }
}

pub struct Draft {
    pub text: String,
    pub spans: Vec<Range<usize>>,
    pub part: Option<u32>,
    pub parts: Option<u32>,
}

/// Cuts a block into passage drafts.
pub fn drafts(src: &str, block: &Block, config: &ChunkerConfig) -> Vec<Draft> {
    let asm = Assembled::new(src, &block.units);
    let total = asm.text.chars().count();
    let max = config.max_chars.max(16);
    let pieces: Vec<(usize, &str)> = match block.kind {
        BlockKind::Clause { .. } if total <= max => vec![(0, asm.text.as_str())],
        BlockKind::Clause { .. } => {
            // Balanced parts: aim at an even share, never above the limit.
            let n = total.div_ceil(max);
            let desired = total.div_ceil(n).min(max);
            split(&asm.text, desired, max)
        }
        BlockKind::Paragraphs => split(&asm.text, config.paragraph_chars.min(max), max),
    };
    let pieces: Vec<(usize, &str)> = pieces.into_iter().filter(|(_, t)| !t.trim().is_empty()).collect();
    let n = pieces.len() as u32;
    pieces
        .into_iter()
        .enumerate()
        .map(|(i, (at, t))| Draft {
            text: t.to_string(),
            spans: asm.source_spans(src, at..at + t.len()),
            part: (n > 1).then_some(i as u32 + 1),
            parts: (n > 1).then_some(n),
        })
        .collect()
}

fn split(text: &str, desired: usize, max: usize) -> Vec<(usize, &str)> {
    let capacity = ChunkCapacity::new(desired).with_max(max).unwrap_or_else(|_| ChunkCapacity::new(max));
    let splitter = TextSplitter::new(ChunkConfig::new(capacity));
    // text-splitter's word segmentation is quadratic in the length of one sentence (a 10 MB
    // line of commas takes minutes), so it gets windows of a few thousand characters, cut at
    // the best boundary available: a line end, a sentence end, a comma, else anywhere.
    windows(text, 8 * max)
        .into_iter()
        .flat_map(|(at, w)| splitter.chunk_indices(w).map(move |(i, c)| (at + i, c)).collect::<Vec<_>>())
        .collect()
}

fn windows(text: &str, max_chars: usize) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let rest = &text[start..];
        let Some((limit, _)) = rest.char_indices().nth(max_chars) else {
            out.push((start, rest));
            break;
        };
        let window = &rest[..limit];
        let cut = [&['\n'][..], &['。', '！', '？', '；', '!', '?', ';'][..], &['，', '、', ',', ' '][..]]
            .iter()
            .find_map(|marks| window.rfind(*marks).map(|i| i + window[i..].chars().next().map_or(1, char::len_utf8)))
            .filter(|&i| i > limit / 2)
            .unwrap_or(limit);
        out.push((start, &rest[..cut]));
        start += cut;
    }
    out
}

/// First 16 hex digits of SHA-256 over the parts, each followed by a separator byte.
pub fn stable_id(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
        h.update([0x1f]);
    }
    h.finalize()[..8].iter().map(|b| format!("{b:02x}")).collect()
}
