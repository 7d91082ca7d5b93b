//! PDFs whose pages are images (eval/corpus/formats/scanned: the LibreOffice PDFs rendered at
//! 150 dpi in grey, turned a little, speckled, JPEG at quality 60, one image a page) read by
//! Tesseract when OCR is configured, and refused by name when it is not. Needs Debian's
//! `tesseract-ocr` and `tesseract-ocr-chi-sim`, which the test command installs: a missing
//! engine fails these tests, it does not skip them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use policyqa_chunker::{ChunkOutput, ClauseChunker, ExtractError};
use policyqa_core::{Ocr, OcrError, OcrLine, OcrWord};
use policyqa_ocr::Tesseract;

fn formats() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../eval/corpus/formats")
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(formats().join(rel)).unwrap()
}

fn tesseract() -> Arc<dyn Ocr> {
    let t = Tesseract::new("tesseract", "chi_sim");
    t.check().expect("the test command installs tesseract-ocr and tesseract-ocr-chi-sim");
    Arc::new(t)
}

fn chunk_with(ocr: Arc<dyn Ocr>, rel: &str) -> ChunkOutput {
    ClauseChunker::default().with_ocr(Some(ocr)).chunk_file(rel, &read(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// How much of `want`'s text `got` holds: the share of its character pairs (white space
/// left out) found in `got`, each as often as it occurs.
fn bigram_recall(want: &str, got: &str) -> f64 {
    let pairs = |s: &str| {
        let c: Vec<char> = s.chars().filter(|c| !c.is_whitespace() && *c != '\u{3000}').collect();
        let mut m: HashMap<(char, char), usize> = HashMap::new();
        for w in c.windows(2) {
            *m.entry((w[0], w[1])).or_default() += 1;
        }
        m
    };
    let (w, g) = (pairs(want), pairs(got));
    let total: usize = w.values().sum();
    let found: usize = w.iter().map(|(k, n)| (*n).min(g.get(k).copied().unwrap_or(0))).sum();
    found as f64 / total.max(1) as f64
}

fn all_text(out: &ChunkOutput) -> String {
    out.passages.iter().map(|p| p.text.as_str()).collect::<Vec<_>>().join("\n")
}

#[test]
fn a_scanned_decision_is_read_by_tesseract_into_its_articles() {
    let out = chunk_with(tesseract(), "scanned/npc.pdf");
    let text = ClauseChunker::default().chunk_file("texts/npc.txt", &read("texts/npc.txt")).unwrap();
    // Every article found, in order, on its page (the decision runs over two).
    let articles: Vec<(u32, Option<u32>)> = out.passages.iter().filter(|p| p.label.ends_with('条')).filter_map(|p| p.number.map(|n| (n, p.page))).collect();
    assert_eq!(articles.iter().map(|a| a.0).collect::<Vec<_>>(), (1..=12).collect::<Vec<_>>(), "{articles:?}");
    assert!(articles.iter().all(|(_, page)| matches!(page, Some(1) | Some(2))), "{articles:?}");
    assert_eq!(articles.first().unwrap().1, Some(1));
    assert_eq!(articles.last().unwrap().1, Some(2));
    // The running header is furniture on the scan too; the text is the text version's but
    // for the characters Tesseract misreads.
    assert!(out.passages.iter().all(|p| !p.text.contains("— 1 —") && !p.text.starts_with("全国人民代表大会常务委员会\n")));
    let recall = bigram_recall(&all_text(&text), &all_text(&out));
    assert!(recall >= 0.95, "character pairs of the text version read off the scan: {recall:.3}");
    assert_eq!(out.documents[0].meta.effective.as_deref(), Some("2025年7月1日"));
    assert!(out.warnings.iter().any(|w| w.message.starts_with("read 2 page(s) without a text layer by OCR (tesseract chi_sim)")), "{:?}", out.warnings);
}

#[test]
fn without_ocr_a_scan_is_refused_by_name() {
    let err = ClauseChunker::default().chunk_file("scanned/npc.pdf", &read("scanned/npc.pdf")).unwrap_err();
    assert!(matches!(err, ExtractError::Scanned(_)), "{err}");
    assert!(err.to_string().contains("POLICYQA_OCR=tesseract"), "{err}");
}

/// An engine that answers from a script and notes what it was handed.
#[derive(Debug, Default)]
struct Scripted {
    answer: Option<Vec<OcrLine>>,
    images: Mutex<Vec<usize>>,
}

impl Ocr for Scripted {
    fn name(&self) -> String {
        "scripted".into()
    }
    fn read_image(&self, png: &[u8]) -> Result<Vec<OcrLine>, OcrError> {
        assert!(png.starts_with(b"\x89PNG"), "the engine is handed PNG images");
        self.images.lock().unwrap().push(png.len());
        self.answer.clone().ok_or_else(|| OcrError::Failed("scripted failure".into()))
    }
}

fn line(words: &[(&str, u32)], top: u32) -> OcrLine {
    OcrLine { words: words.iter().map(|(t, left)| OcrWord { text: t.to_string(), left: *left, top, width: 33 * t.chars().count() as u32, height: 33 }).collect() }
}

#[test]
fn what_the_engine_reads_becomes_lines_and_its_failures_are_named() {
    // A failing engine: the scan is refused with the engine's reason, per page.
    let failing = Arc::new(Scripted::default());
    let err = ClauseChunker::default().with_ocr(Some(failing.clone())).chunk_file("scanned/city.pdf", &read("scanned/city.pdf")).unwrap_err();
    assert_eq!(err.to_string(), "no text layer: a scanned PDF (its pages are images); OCR (scripted) found no text: page 1: OCR failed: scripted failure");
    assert_eq!(failing.images.lock().unwrap().len(), 1, "one page, one image");
    // Words come back spaced as a 公文 prints them, ASCII punctuation beside Chinese made
    // full-width, and a numbered item starts its own paragraph.
    let reading = Arc::new(Scripted {
        answer: Some(vec![
            line(&[("江州市既有住宅加装电梯实施办法", 300)], 100),
            line(&[("第一条", 150), ("为改善既有住宅居住条件,方便居民生活,", 300)], 200),
            line(&[("制定本办法。", 150)], 250),
            line(&[("(一)", 150), ("适用范围:", 300)], 300),
            line(&[("第二条", 150), ("本办法自2025年3月1日起施行。", 300)], 350),
        ]),
        ..Default::default()
    });
    let out = chunk_with(reading, "scanned/city.pdf");
    let first = out.passages.iter().find(|p| p.label.ends_with("第一条")).unwrap_or_else(|| panic!("{:?}", out.passages.iter().map(|p| (&p.label, &p.text)).collect::<Vec<_>>()));
    assert!(first.text.starts_with("第一条\u{3000}为改善既有住宅居住条件，方便居民生活，"), "{}", first.text);
    assert!(out.passages.iter().any(|p| p.text.contains("（一）") && p.text.contains("适用范围：")), "{:?}", out.passages);
    assert_eq!(out.documents[0].title, "江州市既有住宅加装电梯实施办法");
}
