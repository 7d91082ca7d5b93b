//! The same four documents as text, as publishers' web pages, as Word files and as PDFs
//! (eval/corpus/formats, made by LibreOffice and written without this code in view): the same
//! passages from every format, the metadata each states, no markup or page furniture in any
//! passage, and a clear refusal for every bad file.

use std::path::{Path, PathBuf};

use policyqa_chunker::{ChunkOutput, ClauseChunker};
use policyqa_core::Passage;

fn formats() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../eval/corpus/formats")
}

fn chunk(rel: &str) -> ChunkOutput {
    let path = formats().join(rel);
    ClauseChunker::default().chunk_file(rel, &std::fs::read(&path).unwrap()).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace() && *c != '\u{3000}').collect()
}

/// A passage as the reader sees it: its label and its text without white space (a table's
/// cells are apart by a TAB in the text file and by a 全角空格 in the others).
fn seen(p: &Passage) -> (String, String) {
    (p.label.clone(), squash(&p.text))
}

const DOCUMENTS: [&str; 4] = ["govcn", "npc", "ministry", "city"];

#[test]
fn every_format_gives_the_passages_of_the_text_version() {
    for name in DOCUMENTS {
        let text = chunk(&format!("texts/{name}.txt"));
        let want: Vec<_> = text.passages.iter().map(seen).collect();
        assert!(want.len() >= 6, "{name}: {} passages", want.len());
        for rel in [format!("html/{name}.html"), format!("docx/{name}.docx"), format!("pdf/{name}.pdf")] {
            let out = chunk(&rel);
            let got: Vec<_> = out.passages.iter().map(seen).collect();
            assert_eq!(got, want, "{rel}");
            let titles = |o: &ChunkOutput| o.documents.iter().map(|d| d.title.clone()).collect::<Vec<_>>();
            assert_eq!(titles(&out), titles(&text), "{rel}");
            for p in &out.passages {
                // The invariant: a passage's text is made of the extracted text its spans cover.
                assert!(!p.spans.is_empty() && p.start < p.end, "{rel}: {}", p.label);
                for furniture in ["<", ">", "&nbsp;", "&gt;", "分享到", "打印", "关闭窗口", "网站标识码", "ICP", "当前位置", "— 1 —", "—1—", "function", "var "] {
                    assert!(!p.text.contains(furniture), "{rel}: {furniture:?} in {}: {}", p.label, p.text);
                }
            }
        }
    }
}

#[test]
fn pdf_passages_know_their_pages_and_lose_the_page_furniture() {
    // npc.pdf: two pages, each with the running header 全国人民代表大会常务委员会 and a
    // "— N —" footer; 第六条 runs from page 1 onto page 2.
    let out = chunk("pdf/npc.pdf");
    assert_eq!(out.documents[0].title, "全国人民代表大会常务委员会关于加强公共场所自动体外除颤器配置和使用的决定");
    let article = |n: &str| out.passages.iter().find(|p| p.label.ends_with(n)).unwrap_or_else(|| panic!("{n}"));
    assert_eq!((article("第一条").page, article("第一条").page_end), (Some(1), Some(1)));
    assert_eq!((article("第六条").page, article("第六条").page_end), (Some(1), Some(2)));
    assert_eq!((article("第十二条").page, article("第十二条").page_end), (Some(2), Some(2)));
    // A line broken at the page edge is joined without a space.
    assert!(article("第六条").text.contains("每月至少检查一次"), "{}", article("第六条").text);
    for p in &out.passages {
        assert!(!p.text.contains("全国人民代表大会常务委员会\n") && !p.text.contains("—"), "{}", p.text);
    }
    assert!(out.warnings.iter().any(|w| w.message.contains("running header, footer and page-number")), "{:?}", out.warnings);
    // Text, web pages and Word files have no pages.
    assert!(chunk("docx/npc.docx").passages.iter().all(|p| p.page.is_none()));
    // A PDF whose owner forbids copying (no password to open) is read.
    assert_eq!(chunk("variants/govcn_restricted.pdf").passages.len(), chunk("pdf/govcn.pdf").passages.len());
}

#[test]
fn a_web_page_printed_to_pdf_by_chromium_loses_the_sites_chrome() {
    // pdf_browser/*.pdf: the html/ pages printed by headless Chromium with its own header
    // (date, title) and footer (address, 1/2) and the site's menu, breadcrumb, related links
    // and footer inside the page.
    for name in ["govcn", "npc", "ministry", "city"] {
        let want: Vec<_> = chunk(&format!("texts/{name}.txt")).passages.iter().map(seen).collect();
        let out = chunk(&format!("pdf_browser/{name}.pdf"));
        assert_eq!(out.passages.iter().map(seen).collect::<Vec<_>>(), want, "pdf_browser/{name}.pdf");
        assert!(out.warnings.iter().any(|w| w.message.contains("printed web page")), "{name}: {:?}", out.warnings);
        assert!(!out.warnings.iter().any(|w| w.message.contains("look garbled")), "{name}: {:?}", out.warnings);
    }
    // Chromium draws govcn's ideographs with Type 3 fonts that map them to radicals (⼈ for
    // 人) and says what they are in marked-content ActualText: read as text, not as bytes.
    // Its title stands only in the page's metadata table, whose fields are the document's.
    let out = chunk("pdf_browser/govcn.pdf");
    assert_eq!(out.documents[0].title, "国务院办公厅关于进一步推进老年助餐服务发展的通知");
    let meta = &out.documents[0].meta;
    assert_eq!(meta.doc_number.as_deref(), Some("国办发〔2025〕8号"));
    assert_eq!(meta.issuer.as_deref(), Some("国务院办公厅"));
    assert_eq!(meta.written.as_deref(), Some("2025年02月18日"));
    assert_eq!(meta.published.as_deref(), Some("2025年02月25日"));
    assert_eq!(meta.index_number.as_deref(), Some("000014349/2025-00019"));
}

#[test]
fn automatic_numbering_makes_the_articles() {
    // 第一条…第十二条 of npc.docx are Word list numbering (chineseCountingThousand, "第%1条"),
    // and in the variant WPS writes (chineseCounting); the （一）–（三） between them do not
    // interrupt the count.
    for rel in ["docx/npc.docx", "variants/npc_chinesecounting.docx"] {
        let out = chunk(rel);
        let articles: Vec<u32> = out.passages.iter().filter_map(|p| p.number.filter(|_| p.label.ends_with('条'))).collect();
        assert_eq!(articles, (1..=12).collect::<Vec<_>>(), "{rel}");
        assert!(out.passages.iter().any(|p| p.label.ends_with("第五条") && p.text.starts_with("第五条")), "{rel}");
        assert!(out.warnings.iter().any(|w| w.message == "automatic numbering rebuilt for 12 paragraphs"), "{rel}: {:?}", out.warnings);
        assert!(out.warnings.iter().any(|w| w.message.contains("header, footer")), "{rel}");
    }
}

#[test]
fn each_document_states_its_metadata() {
    let meta = |rel: &str| chunk(rel).documents[0].meta.clone();
    let gov = meta("html/govcn.html");
    assert_eq!(gov.format, "html");
    assert_eq!(gov.doc_number.as_deref(), Some("国办发〔2025〕8号"));
    assert_eq!(gov.issuer.as_deref(), Some("国务院办公厅"));
    assert!(gov.index_number.is_some() && gov.subject.is_some() && gov.written.is_some() && gov.published.is_some(), "{gov:?}");
    assert!(gov.url.as_deref().is_some_and(|u| u.starts_with("https://www.gov.cn/")), "{gov:?}");
    let npc = meta("html/npc.html");
    assert!(npc.effective.is_some() && npc.published.is_some(), "{npc:?}");
    let ministry = chunk("html/ministry.html");
    assert!(ministry.warnings.iter().any(|w| w.message == "decoded from gb18030"), "{:?}", ministry.warnings);
    assert_eq!(ministry.documents[0].meta.doc_number.as_deref(), Some("人社厅发〔2025〕15号"));
    let city = meta("html/city.html");
    assert_eq!(city.doc_number.as_deref(), Some("江政办发〔2025〕6号"));
    assert_eq!(city.issuer.as_deref(), Some("江州市人民政府办公室"));
    assert_eq!(meta("docx/govcn.docx").doc_number.as_deref(), Some("国办发〔2025〕8号"));
    assert_eq!(meta("docx/govcn.docx").format, "docx");
    assert_eq!(meta("texts/govcn.txt").doc_number.as_deref(), Some("国办发〔2025〕8号"));
}

#[test]
fn bad_files_are_refused_with_the_reason() {
    let refusal = |rel: &str| {
        let bytes = std::fs::read(formats().join(rel)).unwrap();
        ClauseChunker::default().chunk_file(rel, &bytes).map(|_| ()).unwrap_err().to_string()
    };
    assert!(refusal("bad/bomb.docx").contains("refused as a possible zip bomb"), "{}", refusal("bad/bomb.docx"));
    assert!(refusal("bad/renamed.docx").contains("save it as DOCX"), "{}", refusal("bad/renamed.docx"));
    assert!(refusal("bad/truncated.docx").starts_with("the DOCX file is damaged"), "{}", refusal("bad/truncated.docx"));
    assert!(refusal("bad/notzip.docx").contains("binary"), "{}", refusal("bad/notzip.docx"));
    assert_eq!(refusal("bad/scanned.pdf"), "no text layer: a scanned PDF (its pages are images); OCR it first, or turn OCR on (POLICYQA_OCR=tesseract)");
    assert!(refusal("bad/encrypted.pdf").contains("needs a password"), "{}", refusal("bad/encrypted.pdf"));
    assert!(refusal("bad/truncated.pdf").starts_with("the PDF file is damaged"), "{}", refusal("bad/truncated.pdf"));
}
