//! Domain types shared by every policyqa crate. No IO, no async, no wire formats:
//! the server decides how these travel over HTTP, the CLI how they print.

use serde::{Deserialize, Serialize};

/// What kind of unit a passage is cut from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PassageKind {
    /// A numbered clause: a 条 of a law, a （十）-level item of an 意见, …
    Clause,
    /// Running text that belongs to no clause: news paragraphs, preambles, section intros.
    Paragraph,
}

/// One retrievable, citable unit of a document.
///
/// Offsets are in Unicode scalar values (characters) of the decoded source text, so a
/// citation can highlight the exact span; `spans` lists every source piece the text was
/// assembled from (more than one when layout repair joined or moved text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Passage {
    /// Stable: the same file content always yields the same ids, whatever other files exist.
    pub id: String,
    /// Stable id of the document (one file may hold several documents).
    pub doc_id: String,
    pub doc_title: String,
    /// Heading path from the document title down to the clause.
    pub address: Vec<String>,
    /// The citation a person reads: `《…意见》（十）`, `《中华人民共和国劳动合同法》第十九条`.
    pub label: String,
    /// Clause number where there is one (（十） → 10, 第十九条 → 19).
    pub number: Option<u32>,
    /// 1-based part number when a long clause was split, with the total.
    pub part: Option<u32>,
    pub parts: Option<u32>,
    pub kind: PassageKind,
    pub text: String,
    /// The file path as given.
    pub source: String,
    pub start: usize,
    pub end: usize,
    pub spans: Vec<[usize; 2]>,
}

/// What a layout repair or a reading problem was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// A sentence broken by a blank line or column break was joined.
    JoinedBrokenSentence,
    /// A short fragment repeating the end of the previous paragraph was dropped.
    DroppedDuplicateFragment,
    /// Web-page chrome (来源/浏览字号/打印/分享…) was removed.
    RemovedWebChrome,
    /// A page continuation mark such as (上接第1版) was removed.
    RemovedContinuationMark,
    /// A table of contents that only repeats the headings was removed.
    RemovedTableOfContents,
    /// Paragraphs the page layout put inside another article went back to their own.
    MovedParagraphs,
    /// The file was not UTF-8 and was decoded from another encoding.
    Decoded,
}

/// A repair or notice, with where it happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkWarning {
    pub source: String,
    pub kind: WarningKind,
    /// 1-based line in the decoded source.
    pub line: usize,
    /// Character offset in the decoded source.
    pub offset: usize,
    pub message: String,
}

/// A document found in a file, as listed by `policyqa docs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentInfo {
    pub id: String,
    pub title: String,
    pub source: String,
    pub passages: usize,
}
