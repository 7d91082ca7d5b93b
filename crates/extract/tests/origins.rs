//! Every line of extracted text keeps where it came from in its file: a web page's element
//! (in document order), a Word file's body paragraph, a PDF page's line. Checked against the
//! files themselves (read here by scraper, zip + roxmltree, not by the extractor's code) over
//! the four documents of eval/corpus/formats.

use std::io::Read;
use std::path::{Path, PathBuf};

use policyqa_core::SourceRef;
use policyqa_extract::{extract, Extracted, Limits};

fn formats() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../eval/corpus/formats")
}

fn read(rel: &str) -> (Vec<u8>, Extracted) {
    let bytes = std::fs::read(formats().join(rel)).unwrap();
    let x = extract(&bytes, &Limits::default()).unwrap_or_else(|e| panic!("{rel}: {e}"));
    (bytes, x)
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace() && *c != '\u{3000}' && *c != '\u{a0}').collect()
}

/// Each line of the text with its origin and the character offset it starts at.
fn lines_at(x: &Extracted) -> Vec<(String, SourceRef, usize)> {
    let mut at = 0;
    let mut out = Vec::new();
    for line in x.text.split('\n') {
        if let Some(o) = x.origin_of(at) {
            out.push((line.to_string(), o.clone(), at));
        }
        at += line.chars().count() + 1;
    }
    out
}

fn lines_with_origins(x: &Extracted) -> Vec<(String, SourceRef)> {
    lines_at(x).into_iter().map(|(l, o, _)| (l, o)).collect()
}

const DOCUMENTS: [&str; 4] = ["govcn", "npc", "ministry", "city"];

#[test]
fn a_web_pages_lines_name_their_elements() {
    for name in DOCUMENTS {
        let (bytes, x) = read(&format!("html/{name}.html"));
        let decoded = if name == "ministry" { encoding_rs::GB18030.decode(&bytes).0.into_owned() } else { String::from_utf8(bytes).unwrap() };
        let page = scraper::Html::parse_document(&decoded);
        let elements: Vec<scraper::ElementRef> = page.root_element().descendants().filter_map(scraper::ElementRef::wrap).collect();
        let lines = lines_with_origins(&x);
        assert!(lines.len() >= x.text.lines().count() - 1, "{name}: nearly every line has an origin");
        for (line, origin) in lines {
            let SourceRef::Element { index, tag } = origin else { panic!("{name}: {origin:?}") };
            let e = elements[index];
            assert_eq!(e.value().name(), tag, "{name}: {line}");
            // The element holds the line's first characters (a table row: its first cell).
            let head: String = squash(&line).chars().take(6).collect();
            assert!(squash(&e.text().collect::<String>()).contains(&head), "{name}: <{tag}> #{index} does not hold {line:?}");
        }
    }
}

/// The text of each body paragraph of a DOCX, in order (tables' paragraphs included).
fn docx_paragraphs(bytes: &[u8]) -> Vec<String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml").unwrap().read_to_string(&mut xml).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    doc.descendants()
        .filter(|n| n.tag_name().name() == "p")
        .map(|p| p.descendants().filter(|n| n.tag_name().name() == "t").filter_map(|t| t.text()).collect())
        .collect()
}

#[test]
fn a_word_files_lines_name_their_paragraphs() {
    for name in DOCUMENTS {
        let (bytes, x) = read(&format!("docx/{name}.docx"));
        let paragraphs = docx_paragraphs(&bytes);
        let lines = lines_with_origins(&x);
        assert_eq!(lines.len(), x.text.lines().count(), "{name}: every line has an origin");
        for (line, origin) in lines {
            let SourceRef::Paragraph { index } = origin else { panic!("{name}: {origin:?}") };
            // An automatic number (第五条) is not in the paragraph's text; the rest is.
            let own = squash(&paragraphs[index]);
            assert!(!own.is_empty() && squash(&line).contains(&own.chars().take(8).collect::<String>()), "{name}: paragraph {index} {own:?} is not {line:?}");
        }
    }
}

#[test]
fn a_pdfs_lines_name_their_page_and_height() {
    for name in DOCUMENTS {
        let (_, x) = read(&format!("pdf/{name}.pdf"));
        let lines = lines_at(&x);
        assert_eq!(lines.len(), x.text.lines().count(), "{name}: every line has an origin");
        let mut last: Option<(u32, u32)> = None;
        for (line, origin, at) in lines {
            let SourceRef::Line { page, y } = origin else { panic!("{name}: {origin:?}") };
            assert_eq!(Some(page), x.page_of(at), "{name}: {line}");
            // Down an A4 page (842 points high), page after page.
            assert!(y > 0 && y < 842, "{name}: {line} at {y}");
            if let Some((p, prev)) = last {
                assert!(page > p || (page == p && y < prev), "{name}: {line} at page {page} y {y} after page {p} y {prev}");
            }
            last = Some((page, y));
        }
    }
}
