//! Bytes of a document → the structured text the chunker reads (one block per line, the
//! title first), the document's title and metadata, and notes on what was left out.
//!
//! The format is found from the content, never from the file name: a saved page named
//! `.txt` is read as HTML, a Word 97 file renamed `.docx` is refused by name. Every reader is
//! pure and bounded (a zip bomb stops at [`Limits`]) but for the OCR engine a caller may
//! hand in for a PDF's image pages, and a panic inside a dependency on hostile input
//! becomes an [`ExtractError`], never a crash.

pub mod decode;
mod docx;
mod html;
mod meta;
mod pdf;
mod text;

use policyqa_core::{DocumentMeta, Ocr, SourceRef, WarningKind};

pub use decode::{decode, DecodeError, Decoded};

/// What the bytes are, read from their content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Html,
    Docx,
    Pdf,
    /// OFD, the national e-document format (zip + XML).
    Ofd,
    /// A compound-file document: Word 97–2003 .doc, WPS, Excel…
    LegacyOffice,
    /// Another zip archive (xlsx, pptx, a plain zip).
    OtherZip,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Html => "html",
            Format::Docx => "docx",
            Format::Pdf => "pdf",
            Format::Ofd => "ofd",
            Format::LegacyOffice => "doc",
            Format::OtherZip => "zip",
        }
    }
}

/// Why a document could not be read. Every message names what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error("{0}")]
    Unsupported(String),
    #[error("the {format} file is damaged: {reason}")]
    Damaged { format: &'static str, reason: String },
    #[error("the {format} file would unpack to more than {limit_mb} MB ({part}); refused as a possible zip bomb")]
    TooLarge { format: &'static str, part: String, limit_mb: u64 },
    #[error("the {0} file holds no text")]
    NoText(&'static str),
    /// A PDF whose pages are images, and no OCR engine to read them (or one that read
    /// nothing off them).
    #[error("no text layer: a scanned PDF (its pages are images); {0}")]
    Scanned(String),
}

/// Bounds on what reading one file may unpack.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The most one part of an archive (word/document.xml) may unpack to.
    pub max_part_bytes: u64,
    /// The most all the parts read may unpack to together.
    pub max_total_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_part_bytes: 64 << 20, max_total_bytes: 128 << 20 }
    }
}

/// What extraction noticed, for the chunker's warnings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub kind: WarningKind,
    pub message: String,
}

impl Note {
    fn new(kind: WarningKind, message: impl Into<String>) -> Self {
        Note { kind, message: message.into() }
    }
}

/// A document read into text.
#[derive(Debug, Clone)]
pub struct Extracted {
    pub format: Format,
    /// One block (paragraph, heading, table row) per line; the title on the first line when
    /// the document states one.
    pub text: String,
    /// The document's title as it states it (a page's ArticleTitle or heading, a Word file's
    /// title property), when it does.
    pub title: Option<String>,
    pub meta: DocumentMeta,
    pub notes: Vec<Note>,
    /// For a PDF: the character offset in `text` where each page starts (page 1 first);
    /// empty for the other formats.
    pub page_starts: Vec<usize>,
    /// Where each line of `text` came from in the file (the element, the paragraph, the
    /// page's line), by the character offset it starts at, in order; empty for text files.
    pub origins: Vec<(usize, SourceRef)>,
}

impl Extracted {
    /// The 1-based page of a PDF that a character offset of `text` is on.
    pub fn page_of(&self, offset: usize) -> Option<u32> {
        if self.page_starts.is_empty() {
            return None;
        }
        Some(self.page_starts.partition_point(|&s| s <= offset).max(1) as u32)
    }

    /// Where in the file the line holding a character offset of `text` came from.
    pub fn origin_of(&self, offset: usize) -> Option<&SourceRef> {
        let i = self.origins.partition_point(|(s, _)| *s <= offset);
        self.origins.get(i.checked_sub(1)?).map(|(_, r)| r)
    }
}

/// The character offset each line of `lines` starts at in `lines.join("\n")`, beside its
/// origin: the `origins` of an [`Extracted`] whose text is those lines.
pub(crate) fn line_origins<S: AsRef<str>>(lines: &[(S, Option<SourceRef>)]) -> Vec<(usize, SourceRef)> {
    let mut at = 0;
    let mut out = Vec::with_capacity(lines.len());
    for (line, origin) in lines {
        if let Some(o) = origin {
            out.push((at, o.clone()));
        }
        at += line.as_ref().chars().count() + 1;
    }
    out
}

/// Finds the format of `bytes` from their content.
pub fn detect(bytes: &[u8]) -> Format {
    let head = &bytes[..bytes.len().min(1024)];
    if head.windows(5).any(|w| w == b"%PDF-") {
        return Format::Pdf;
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return docx::zip_kind(bytes);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Format::LegacyOffice;
    }
    if html::looks_like_html(bytes) {
        return Format::Html;
    }
    Format::Text
}

/// Reads a document of any supported format; a PDF's pages that are images are refused
/// (no OCR engine).
pub fn extract(bytes: &[u8], limits: &Limits) -> Result<Extracted, ExtractError> {
    extract_with(bytes, limits, None)
}

/// Reads a document of any supported format; a PDF's pages that are images go through
/// `ocr` when one is given.
pub fn extract_with(bytes: &[u8], limits: &Limits, ocr: Option<&dyn Ocr>) -> Result<Extracted, ExtractError> {
    let format = detect(bytes);
    // A dependency that panics on hostile input (a parser's unreachable branch) costs that
    // file, not the process.
    // (An OCR engine is a program run per image: a panic leaves no state of it behind.)
    let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match format {
        Format::Text => text(bytes),
        Format::Html => html::extract(bytes),
        Format::Docx => docx::extract(bytes, limits),
        Format::Pdf => pdf::extract(bytes, ocr),
        Format::Ofd => Err(ExtractError::Unsupported("OFD is not read yet: export it as DOCX or text first".into())),
        Format::LegacyOffice => Err(ExtractError::Unsupported(
            "a Word 97–2003 (.doc), WPS or other compound-file document: save it as DOCX first".into(),
        )),
        Format::OtherZip => Err(ExtractError::Unsupported("a zip archive that is not a Word document (DOCX)".into())),
    }));
    match read {
        Ok(result) => result,
        Err(_) => Err(ExtractError::Damaged { format: format.name(), reason: "its reader failed on it".into() }),
    }
}

fn text(bytes: &[u8]) -> Result<Extracted, ExtractError> {
    let decoded = decode(bytes)?;
    let mut notes = Vec::new();
    if decoded.encoding != "UTF-8" {
        notes.push(Note::new(WarningKind::Decoded, format!("decoded from {}", decoded.encoding)));
    }
    let meta = DocumentMeta { format: "text".into(), ..meta::from_text(&decoded.text) };
    Ok(Extracted { format: Format::Text, text: decoded.text, title: None, meta, notes, page_starts: Vec::new(), origins: Vec::new() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_comes_from_the_content() {
        assert_eq!(detect("第一条 为了规范……".as_bytes()), Format::Text);
        assert_eq!(detect(b"<!DOCTYPE html><html><body><p>x</p></body></html>"), Format::Html);
        assert_eq!(detect(b"\xef\xbb\xbf  <html lang=\"zh\">"), Format::Html);
        assert_eq!(detect(b"%PDF-1.7\n..."), Format::Pdf);
        assert_eq!(detect(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0]), Format::LegacyOffice);
        // A text that merely mentions a tag is text.
        assert_eq!(detect("网页中的<p>标签表示段落".as_bytes()), Format::Text);
    }

    #[test]
    fn refusals_name_the_format_and_what_to_do() {
        let l = Limits::default();
        assert!(extract(b"%PDF-1.4 ...", &l).unwrap_err().to_string().starts_with("the PDF file is damaged"));
        let doc = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0];
        assert!(extract(&doc, &l).unwrap_err().to_string().contains("save it as DOCX"));
        assert_eq!(extract(b"", &l).unwrap_err(), ExtractError::Decode(DecodeError::Empty));
    }

    /// A zip archive (stored, uncompressed) holding the named parts.
    fn zip_of(names: &[&str]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        for n in names {
            w.start_file(*n, opts).unwrap();
            std::io::Write::write_all(&mut w, b"<x/>").unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn zips_that_are_no_word_file_are_refused_by_what_they_are() {
        let l = Limits::default();
        let ofd = zip_of(&["OFD.xml", "Doc_0/Document.xml"]);
        assert_eq!(detect(&ofd), Format::Ofd);
        assert_eq!(extract(&ofd, &l).unwrap_err().to_string(), "OFD is not read yet: export it as DOCX or text first");
        let xlsx = zip_of(&["xl/workbook.xml"]);
        assert_eq!(detect(&xlsx), Format::OtherZip);
        assert_eq!(extract(&xlsx, &l).unwrap_err().to_string(), "a zip archive that is not a Word document (DOCX)");
        let no_body = zip_of(&["word/document.xml"]);
        assert_eq!(extract(&no_body, &l).unwrap_err().to_string(), "the DOCX file is damaged: word/document.xml has no body");
    }
}
