//! Domain types shared by every policyqa crate. No IO, no async, no wire formats:
//! the server decides how these travel over HTTP, the CLI how they print.

pub mod validity;

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
    /// The (1-based) page of a PDF the passage starts on, and the one it ends on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_end: Option<u32>,
    /// Where the passage starts in its file, for a web page, a Word file or a PDF: the
    /// element, the paragraph or the page's line its text begins in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<SourceRef>,
    /// What the passage's document states about itself (文号, 发文机关, dates, its URL):
    /// attached by retrieval from the document catalogue, never stored with the passage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_meta: Option<DocumentMeta>,
}

/// A place in a file the extracted text came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SourceRef {
    /// A web page's element: its position among the page's elements in document order
    /// (0-based, `<html>` first) and its tag.
    Element { index: usize, tag: String },
    /// A Word file's body paragraph (0-based, in order, the paragraphs of tables counted).
    Paragraph { index: usize },
    /// A PDF page's line: the page (1-based) and the line's baseline, in points above the
    /// page's bottom edge (PDF user space).
    Line { page: u32, y: u32 },
}

/// Whether a string can be a passage id: the 16 lower-case hex digits the chunker makes
/// (the first 8 bytes of a SHA-256). Anything else names no passage.
pub fn is_passage_id(s: &str) -> bool {
    s.len() == 16 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
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
    /// What reading a web page or a Word file did: where its main content was found, what
    /// was left out (navigation, scripts, share bars), numbering rebuilt.
    Extracted,
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentInfo {
    pub id: String,
    pub title: String,
    pub source: String,
    pub passages: usize,
    /// What the document says about itself (文号, 发文机关, dates…), where it says it.
    #[serde(default, skip_serializing_if = "DocumentMeta::is_empty")]
    pub meta: DocumentMeta,
    /// What its own clauses say about its validity (read at ingest; absent in indexes built
    /// before it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validity: Option<validity::DocumentValidity>,
}

/// A document's metadata as the document itself states it: a web page's metadata table or
/// meta tags, the 文号 line under a title, a Word file's properties. Values are as written
/// (dates too: 2024年03月12日, 2024-03-12).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentMeta {
    /// The format the file was read as: `text`, `html`, `docx`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub format: String,
    /// 发文字号, e.g. 国办发〔2024〕10号.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_number: Option<String>,
    /// 发文机关.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// 成文日期.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub written: Option<String>,
    /// 发布日期.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// 施行日期.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective: Option<String>,
    /// 索引号.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_number: Option<String>,
    /// 主题分类.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Where the document was published (a saved page's canonical link).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl DocumentMeta {
    pub fn is_empty(&self) -> bool {
        *self == DocumentMeta::default()
    }

    /// The stated fields as (Chinese name, value), in the order a 公文 gives them.
    pub fn fields(&self) -> Vec<(&'static str, &str)> {
        [
            ("发文字号", &self.doc_number),
            ("发文机关", &self.issuer),
            ("成文日期", &self.written),
            ("发布日期", &self.published),
            ("施行日期", &self.effective),
            ("索引号", &self.index_number),
            ("主题分类", &self.subject),
            ("来源网址", &self.url),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_deref().map(|v| (k, v)))
        .collect()
    }
}

// ------------------------------------------------------------------ retrieval and storage

/// A sparse vector: term ids (murmur3 of the token, as Qdrant's BM25) and weights.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SparseVector {
    pub indices: Vec<u32>,
    pub values: Vec<f32>,
}

/// A passage with what the index stores beside it.
#[derive(Debug, Clone)]
pub struct IndexedPassage {
    pub passage: Passage,
    /// Content hash of the file the passage came from (incremental ingest).
    pub content_hash: String,
    pub sparse: SparseVector,
    pub dense: Option<Vec<f32>>,
}

/// What the index records about an ingested file, written only after all its passages are
/// durable: its presence means the file is completely indexed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    pub source: String,
    pub content_hash: String,
    pub documents: Vec<DocumentInfo>,
}

/// Settings fixed when the index is created.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IndexMeta {
    pub schema: u32,
    /// Average passage length in tokens, for BM25 length normalisation.
    pub avg_len: f64,
    /// How the corpus's Chinese characters are spread, for scoring candidates by the
    /// characters they share with a question (absent in indexes built before it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub characters: Option<CharacterStats>,
    /// Dense vector model and dimension, when dense vectors are stored.
    pub dense_model: Option<String>,
    pub dense_dim: Option<usize>,
}

/// Document frequencies of the Chinese characters of the indexed passages (their indexed
/// text: title, headings, body), their number and average length in characters. Kept up
/// to date by additions; a replaced or removed passage is not subtracted (IDF estimates).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CharacterStats {
    pub passages: u64,
    pub avg_len: f64,
    /// Each character and the number of passages holding it.
    pub df: std::collections::BTreeMap<char, u32>,
}

impl CharacterStats {
    /// Adds passages' indexed texts.
    pub fn add<'a>(&mut self, texts: impl Iterator<Item = &'a str>) {
        let total_before = self.avg_len * self.passages as f64;
        let mut added_len = 0u64;
        for t in texts {
            let mut seen: Vec<char> = t.chars().filter(|c| is_han(*c)).collect();
            added_len += seen.len() as u64;
            seen.sort_unstable();
            seen.dedup();
            for c in seen {
                *self.df.entry(c).or_default() += 1;
            }
            self.passages += 1;
        }
        self.avg_len = if self.passages == 0 { 0.0 } else { (total_before + added_len as f64) / self.passages as f64 };
    }
}

/// A Chinese (Han) character.
pub fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{f900}'..='\u{faff}')
}

/// Which documents a search or an answer draws on. Every condition given must hold; the
/// empty filter restricts nothing. Statuses are read on `as_of` (today in China when absent).
/// Without a `status` condition a search serves the documents in force on that date (and
/// those of unknown status), plus any the question names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentFilter {
    /// Only these documents.
    pub doc_ids: Vec<String>,
    /// 发文机关 containing this text (国务院 matches 国务院办公厅 too).
    pub issuer: Option<String>,
    /// Document types: the type word the title ends in (意见, 通知, 办法, 条例, 决定, 法…);
    /// 法律 means 法 and 法典.
    pub types: Vec<String>,
    /// Statuses on `as_of`.
    pub status: Vec<validity::Status>,
    /// 成文日期, 发布日期, 施行日期 within a range (both ends included).
    pub written: DateRange,
    pub published: DateRange,
    pub effective: DateRange,
    /// The date statuses are read on: the versions in force then are served.
    pub as_of: Option<validity::Date>,
}

impl DocumentFilter {
    /// The names [`DocumentFilter::set`] takes, as the CLI's flags, the HTTP API's `filters`
    /// fields and the eval datasets' spell them.
    pub const FIELDS: [&'static str; 11] =
        ["doc_id", "issuer", "type", "status", "written_from", "written_to", "published_from", "published_to", "effective_from", "effective_to", "as_of"];

    /// Sets one condition by its name; a list field (doc_id, type, status) gains a value.
    /// The error names the field and what it expects.
    pub fn set(&mut self, field: &str, value: &str) -> Result<(), String> {
        let value = value.trim();
        let date = || value.parse::<validity::Date>().map(Some).map_err(|_| format!("{field}: {:?} is not a date (YYYY-MM-DD)", value.chars().take(40).collect::<String>()));
        let text = || if value.is_empty() { Err(format!("{field}: empty")) } else { Ok(value.to_string()) };
        match field {
            "doc_id" | "doc_ids" => self.doc_ids.push(text()?),
            "issuer" => self.issuer = Some(text()?),
            "type" => self.types.push(text()?),
            "status" => self.status.push(value.parse().map_err(|e| format!("{field}: {e}"))?),
            "written_from" => self.written.from = date()?,
            "written_to" => self.written.to = date()?,
            "published_from" => self.published.from = date()?,
            "published_to" => self.published.to = date()?,
            "effective_from" => self.effective.from = date()?,
            "effective_to" => self.effective.to = date()?,
            "as_of" => self.as_of = date()?,
            other => return Err(format!("{other}: not a filter (expected one of {})", Self::FIELDS.join(", "))),
        }
        Ok(())
    }

    /// Whether it has a condition on the documents (a date to read statuses on is not one).
    pub fn restricts(&self) -> bool {
        !self.doc_ids.is_empty() || self.issuer.is_some() || !self.types.is_empty() || !self.status.is_empty() || !self.written.is_open() || !self.published.is_open() || !self.effective.is_open()
    }
}

/// Dates from one to another, both included; an absent end is open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DateRange {
    pub from: Option<validity::Date>,
    pub to: Option<validity::Date>,
}

impl DateRange {
    pub fn is_open(&self) -> bool {
        self.from.is_none() && self.to.is_none()
    }

    /// Whether a date is in the range; an unknown date is in no range with an end.
    pub fn holds(&self, date: Option<validity::Date>) -> bool {
        self.is_open() || date.is_some_and(|d| self.from.is_none_or(|f| f <= d) && self.to.is_none_or(|t| d <= t))
    }
}

/// One query against the store: a sparse vector, optionally a dense one (fused by RRF inside
/// the store), optionally restricted to documents and clause numbers.
#[derive(Debug, Clone, Default)]
pub struct StoreQuery {
    pub sparse: Option<SparseVector>,
    pub dense: Option<Vec<f32>>,
    pub doc_ids: Vec<String>,
    /// Only these documents as well (a request's filters, resolved to documents): a second
    /// payload condition on `doc_id`, so both must hold. `None`: no such restriction.
    pub within: Option<Vec<String>>,
    /// Documents left out (superseded historical versions).
    pub exclude_doc_ids: Vec<String>,
    pub numbers: Vec<u32>,
    pub limit: usize,
}

/// A passage found by a query, with the store's score.
#[derive(Debug, Clone)]
pub struct StoreHit {
    pub passage: Passage,
    pub score: f32,
}

/// Why a store operation failed. Transient errors may succeed when retried.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("index unavailable: {0}")]
    Unavailable(String),
    #[error("index data is damaged or from another version: {0}")]
    Corrupt(String),
    #[error("index configuration mismatch: {0}")]
    Mismatch(String),
    #[error("index operation failed: {0}")]
    Failed(String),
}

impl StoreError {
    pub fn is_transient(&self) -> bool {
        matches!(self, StoreError::Unavailable(_))
    }
}

/// Where passages live: embedded Qdrant or a Qdrant server. Every write is durable when it
/// returns.
#[async_trait::async_trait]
pub trait PassageStore: Send + Sync {
    /// Human-readable location, for messages ("./data/index", "http://host:6334 › policyqa").
    fn describe(&self) -> String;
    async fn meta(&self) -> Result<Option<IndexMeta>, StoreError>;
    async fn set_meta(&self, meta: &IndexMeta) -> Result<(), StoreError>;
    async fn upsert(&self, passages: Vec<IndexedPassage>) -> Result<(), StoreError>;
    /// Removes every passage and the file record of each source.
    async fn delete_sources(&self, sources: &[String]) -> Result<(), StoreError>;
    /// Removes every passage of one document.
    async fn delete_doc(&self, doc_id: &str) -> Result<(), StoreError>;
    async fn put_files(&self, records: &[FileRecord]) -> Result<(), StoreError>;
    async fn files(&self) -> Result<Vec<FileRecord>, StoreError>;
    async fn query(&self, query: &StoreQuery) -> Result<Vec<StoreHit>, StoreError>;
    async fn get(&self, ids: &[String]) -> Result<Vec<Passage>, StoreError>;
    async fn count(&self) -> Result<usize, StoreError>;
    /// How many passages contain any term of `sparse`, counted up to `cap` (how common a
    /// term is, for weighting evidence; exact counts are not needed above the cap).
    async fn count_matching(&self, sparse: &SparseVector, cap: usize) -> Result<usize, StoreError>;
}

/// Dense embeddings from an OpenAI-compatible endpoint.
#[async_trait::async_trait]
pub trait Embedder: Send + Sync {
    fn model(&self) -> &str;
    /// Vectors for passages being indexed.
    async fn embed_passages(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError>;
    /// The vector of a question (some models embed questions differently).
    async fn embed_query(&self, text: &str) -> Result<Vec<f32>, EmbedError>;
}

#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    /// Transient: unreachable or overloaded (429/5xx after the retries).
    #[error("embeddings endpoint unreachable or overloaded: {0}")]
    Unavailable(String),
    /// Transient: no answer in time.
    #[error("embeddings endpoint timed out: {0}")]
    Timeout(String),
    /// Permanent: the endpoint refused the request (4xx other than 429).
    #[error("embeddings request refused: {0}")]
    Refused(String),
    #[error("embeddings response malformed: {0}")]
    Malformed(String),
}

impl EmbedError {
    pub fn is_transient(&self) -> bool {
        matches!(self, EmbedError::Unavailable(_) | EmbedError::Timeout(_))
    }
}

/// A word an OCR engine read off a page image, with its box in the image's pixels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OcrWord {
    pub text: String,
    pub left: u32,
    pub top: u32,
    pub width: u32,
    pub height: u32,
}

/// A line of words, as the engine grouped them, in reading order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OcrLine {
    pub words: Vec<OcrWord>,
}

/// An OCR engine (Tesseract, run as a program), for PDF pages that are images. Blocking:
/// it is called from inside extraction, which runs off the async threads.
pub trait Ocr: Send + Sync + std::fmt::Debug {
    /// What the engine is, for warnings ("tesseract chi_sim").
    fn name(&self) -> String;
    /// The lines of an image (PNG bytes), top to bottom.
    fn read_image(&self, png: &[u8]) -> Result<Vec<OcrLine>, OcrError>;
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OcrError {
    /// The engine could not be run (not installed, no language data).
    #[error("the OCR engine cannot be run: {0}")]
    Unavailable(String),
    /// It ran and failed on this image, or ran past its time.
    #[error("OCR failed: {0}")]
    Failed(String),
}

/// Who said a message to the chat model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChatRole {
    System,
    User,
    Assistant,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub role: ChatRole,
    pub content: String,
}

/// One request to a chat model.
#[derive(Debug, Clone)]
pub struct ChatRequest {
    pub messages: Vec<ChatMessage>,
    pub max_tokens: Option<u32>,
    pub temperature: Option<f32>,
}

/// The answer text as it arrives, piece by piece.
pub type TextStream = std::pin::Pin<Box<dyn futures_core::Stream<Item = Result<String, ChatError>> + Send>>;

/// A chat model (any OpenAI-compatible endpoint in production, scripted in tests).
#[async_trait::async_trait]
pub trait ChatModel: Send + Sync {
    fn model(&self) -> &str;
    /// Starts a streamed completion. Errors before the first piece come from here; errors
    /// during the stream come as items.
    async fn stream(&self, request: &ChatRequest) -> Result<TextStream, ChatError>;
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum ChatError {
    /// Transient: unreachable, overloaded (429/5xx after the retries), timed out.
    #[error("chat model unavailable: {0}")]
    Unavailable(String),
    #[error("chat model timed out: {0}")]
    Timeout(String),
    /// Permanent: the endpoint refused the request (4xx other than 429).
    #[error("chat request refused: {0}")]
    Refused(String),
    #[error("chat response malformed: {0}")]
    Malformed(String),
}

impl ChatError {
    pub fn is_transient(&self) -> bool {
        matches!(self, ChatError::Unavailable(_) | ChatError::Timeout(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_set_by_name_and_errors_name_the_field() {
        let mut f = DocumentFilter::default();
        assert!(!f.restricts());
        f.set("as_of", "2019-06-01").unwrap();
        assert!(!f.restricts(), "a date to read statuses on restricts nothing");
        for (k, v) in [("type", "意见"), ("type", "法律"), ("status", "在施行"), ("issuer", " 国务院 "), ("published_from", "2024-01-01"), ("doc_id", "abc")] {
            f.set(k, v).unwrap();
        }
        assert!(f.restricts());
        assert_eq!(f.types, ["意见", "法律"]);
        assert_eq!(f.status, [validity::Status::InForce]);
        assert_eq!(f.issuer.as_deref(), Some("国务院"));
        assert!(f.published.holds(validity::Date::new(2024, 3, 12)) && !f.published.holds(validity::Date::new(2023, 12, 31)) && !f.published.holds(None));
        assert!(DateRange::default().holds(None));
        assert_eq!(f.set("published_to", "2024-13-01").unwrap_err(), "published_to: \"2024-13-01\" is not a date (YYYY-MM-DD)");
        assert!(f.set("status", "abolished").unwrap_err().starts_with("status: \"abolished\": expected in_force"));
        assert!(f.set("issuer", " ").unwrap_err().contains("issuer: empty"));
        assert!(f.set("colour", "red").unwrap_err().starts_with("colour: not a filter (expected one of doc_id, issuer"));
    }
}
