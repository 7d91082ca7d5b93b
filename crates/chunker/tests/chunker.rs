//! Chunker behaviour, data-driven: one fixture per structure family and per repair, rendered
//! and snapshot-tested; the seed page and the laws corpus checked against their acceptance
//! criteria; arbitrary and adversarial text property-tested for the invariants.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use policyqa_chunker::{ChunkOutput, ChunkerConfig, ClauseChunker, DecodeError, ExtractError};
use policyqa_core::{PassageKind, WarningKind};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn chunk(name: &str, text: &str) -> ChunkOutput {
    let out = ClauseChunker::default().chunk(name, text);
    check_invariants(text, &out);
    out
}

/// Compact, reviewable rendering of passages and warnings.
fn render(out: &ChunkOutput) -> String {
    let mut s = String::new();
    for p in &out.passages {
        let part = match (p.part, p.parts) {
            (Some(i), Some(n)) => format!(" [{i}/{n}]"),
            _ => String::new(),
        };
        let number = p.number.map(|n| format!(" #{n}")).unwrap_or_default();
        s += &format!("{}{part}{number} | {} | {:?}\n", p.label, p.address.join(" › "), p.spans);
        s += &format!("    {}\n", p.text.replace('\n', "⏎"));
    }
    for w in &out.warnings {
        s += &format!("! line {} {:?}: {}\n", w.line, w.kind, w.message);
    }
    s
}

/// Offsets inside the source, ids unique, text non-empty, and the text made of exactly the
/// source characters its spans cover (white space aside).
fn check_invariants(text: &str, out: &ChunkOutput) {
    let chars: Vec<char> = text.chars().collect();
    let mut ids = HashSet::new();
    for p in &out.passages {
        assert!(!p.text.trim().is_empty(), "empty passage {p:?}");
        assert!(ids.insert(p.id.clone()), "duplicate id {}", p.id);
        assert!(p.start < p.end && p.end <= chars.len(), "offsets {}..{} outside 0..{}", p.start, p.end, chars.len());
        assert!(!p.spans.is_empty());
        let mut from_source = String::new();
        for [s, e] in &p.spans {
            assert!(s < e && *e <= chars.len() && *s >= p.start && *e <= p.end, "span {s}..{e}");
            from_source.extend(&chars[*s..*e]);
        }
        let strip = |t: &str| t.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        assert_eq!(strip(&p.text), strip(&from_source), "text of {} is not what its spans cover", p.label);
    }
    for w in &out.warnings {
        assert!(w.offset <= chars.len() && w.line >= 1);
    }
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)).unwrap()
}

macro_rules! snapshot_fixtures {
    ($($name:ident => $file:literal),* $(,)?) => {$(
        #[test]
        fn $name() {
            let out = chunk($file, &fixture($file));
            insta::assert_snapshot!(stringify!($name), render(&out));
        }
    )*};
}

snapshot_fixtures! {
    law_markdown => "law_markdown.md",
    law_plain_web_copy => "law_plain_web.txt",
    opinion_sections_and_items => "opinion.txt",
    notice_numbering_restarts_and_two_documents => "notice_restart.txt",
    news_paragraphs => "news.md",
    web_chrome_and_table_of_contents => "web_chrome.txt",
    broken_sentences_fragments_and_page_marks => "repairs.txt",
    misplaced_paragraphs_go_home => "misplaced.txt",
    long_clause_split_at_kuan => "long_article.md",
}

#[test]
fn every_encoding_and_line_end_reads_the_same() {
    let text = fixture("opinion.txt");
    let reference = render_texts(&ClauseChunker::default().chunk_file("x", text.as_bytes()).unwrap());
    let variants: Vec<(&str, Vec<u8>)> = vec![
        ("utf-8 bom", [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat()),
        ("gbk", encoding_rs::GBK.encode(&text).0.into_owned()),
        ("gb18030", encoding_rs::GB18030.encode(&text).0.into_owned()),
        ("crlf", text.replace('\n', "\r\n").into_bytes()),
        ("cr", text.replace('\n', "\r").into_bytes()),
        ("gbk crlf", encoding_rs::GBK.encode(&text.replace('\n', "\r\n")).0.into_owned()),
    ];
    for (name, bytes) in variants {
        let out = ClauseChunker::default().chunk_file(name, &bytes).unwrap();
        assert_eq!(render_texts(&out), reference, "{name}");
        let decoded = policyqa_chunker::decode(&bytes).unwrap().text;
        check_invariants(&decoded, &out);
        let noted = out.warnings.iter().any(|w| w.kind == WarningKind::Decoded);
        assert_eq!(noted, name.starts_with("gb"), "{name}: decode warning");
    }
}

fn render_texts(out: &ChunkOutput) -> Vec<(String, String)> {
    out.passages.iter().map(|p| (p.label.clone(), p.text.clone())).collect()
}

#[test]
fn bad_files_get_a_clear_error() {
    let c = ClauseChunker::default();
    assert_eq!(c.chunk_file("empty.txt", b"").unwrap_err(), ExtractError::Decode(DecodeError::Empty));
    assert_eq!(c.chunk_file("blank.txt", b"\n \r\n\xe3\x80\x80\n").unwrap_err(), ExtractError::Decode(DecodeError::Blank));
    let png = std::fs::read(repo().join("eval/corpus/bad/binary.txt")).unwrap();
    assert!(matches!(c.chunk_file("binary.txt", &png).unwrap_err(), ExtractError::Decode(DecodeError::Binary(_))));
    assert_eq!(c.chunk_file("e.txt", b"").unwrap_err().to_string(), "the file is empty");
}

#[test]
fn cross_references_never_start_clauses() {
    let out = chunk("x.md", &fixture("law_markdown.md"));
    let labels: Vec<_> = out.passages.iter().map(|p| p.label.rsplit('》').next().unwrap().to_string()).collect();
    assert_eq!(labels, ["第一条", "第二条", "第三条", "第四条", "第五条", "第五条之一", "第六条"]);
    let third = &out.passages[2];
    assert!(third.text.ends_with("第三条规定的情形，由劳动争议仲裁机构确认。"), "{}", third.text);
}

#[test]
fn numbering_that_jumps_back_or_repeats_is_body_text() {
    let text = "# 示例法\n\n第一条 总则。\n\n第二条 定义。\n\n第一条 重复的编号。\n\n第二条 又一次。\n\n第三条 继续。\n";
    let out = chunk("x.md", text);
    let labels: Vec<_> = out.passages.iter().map(|p| p.number.unwrap()).collect();
    assert_eq!(labels, [1, 2, 3]);
    assert!(out.passages[1].text.contains("第一条 重复的编号。"));
}

/// A notice's attachment list is a passage of its own under 附件 (it ended the last clause
/// before), the signatories after it are under no heading, and a bare "附件一" heads the
/// annex text that follows it, even after a line that does not end a sentence.
#[test]
fn attachments_are_not_part_of_the_last_clause() {
    let notice = "关于做好稳就业工作的通知\n\n一、稳定岗位\n\n（一）扩大就业岗位。各地要落实稳岗扶持政策。\n\n（二）加强资金保障。各地要统筹用好就业补助资金。\n\n附件：1．重点任务分工及进度安排\n　　　2．零工市场建设规范\n\n江川省人力资源和社会保障厅\n";
    let out = chunk("notice.txt", notice);
    let by_label = |l: &str| out.passages.iter().find(|p| p.label.ends_with(l)).unwrap_or_else(|| panic!("{l}: {:?}", out.passages.iter().map(|p| &p.label).collect::<Vec<_>>()));
    assert!(by_label("（二）").text.ends_with("就业补助资金。"), "{}", by_label("（二）").text);
    let list = by_label("》附件");
    assert!(list.text.starts_with("附件：1．重点任务分工") && list.text.contains("2．零工市场建设规范"), "{}", list.text);
    assert_eq!(list.address.last().map(String::as_str), Some("附件"));
    let signed = out.passages.iter().find(|p| p.text.contains("江川省人力资源")).expect("the signatories");
    assert_eq!(signed.address.len(), 1, "{:?}", signed.address);

    let law = "# 示例法\n\n第一条 本法自公布之日起施行。列于本法附件一的决定予以废止：\n\n附件一\n\n下列决定予以废止：\n1.关于惩治走私罪的补充规定\n附件二\n\n下列决定予以保留：\n1.关于禁毒的决定\n";
    let out = chunk("law.md", law);
    let labels: Vec<_> = out.passages.iter().map(|p| p.label.rsplit('》').next().unwrap().to_string()).collect();
    assert_eq!(labels, ["第一条", "附件一", "附件二"], "{:?}", out.passages.iter().map(|p| &p.text).collect::<Vec<_>>());
    assert!(out.passages[1].text.contains("走私") && !out.passages[1].text.contains("禁毒"));
}

// ---------------------------------------------------------------- the seed page

const SEED: &str = "corpus/000_99d6042c77b000db.txt";
const OPINION: &str = "中共中央国务院关于深化产业工人队伍建设改革的意见";

fn seed() -> (String, ChunkOutput) {
    let text = std::fs::read_to_string(repo().join(SEED)).unwrap();
    let out = chunk(SEED, &text);
    (text, out)
}

#[test]
fn seed_has_one_clause_for_each_of_six_to_twenty_seven_with_its_section() {
    let (_, out) = seed();
    let clauses: Vec<_> = out.passages.iter().filter(|p| p.kind == PassageKind::Clause).collect();
    let numbers: Vec<u32> = clauses.iter().filter(|p| p.part.unwrap_or(1) == 1).map(|p| p.number.unwrap()).collect();
    assert_eq!(numbers, (6..=27).collect::<Vec<_>>());
    for p in &clauses {
        assert_eq!(p.doc_title, OPINION);
        assert!(p.label.starts_with(&format!("《{OPINION}》（")), "{}", p.label);
    }
    let ten = clauses.iter().find(|p| p.number == Some(10)).unwrap();
    assert_eq!(ten.label, format!("《{OPINION}》（十）"));
    assert_eq!(ten.address, [OPINION, "四、适应新型工业化发展需求,完善产业工人技能形成体系", "（十）"]);
    assert!(ten.text.starts_with("(十)落实企业培养产业工人的责任。"));
    // Every clause from （八） on sits under a numbered section heading.
    for p in clauses.iter().filter(|p| p.number.unwrap() >= 8) {
        assert!(p.address.len() == 3 && p.address[1].contains('、'), "{:?}", p.address);
    }
}

#[test]
fn seed_repairs_the_layout() {
    let (text, out) = seed();
    let thirteen = out.passages.iter().find(|p| p.number == Some(13)).unwrap();
    assert!(thirteen.text.contains("贯通产业工人横向发展机制。引导企业"), "{}", thirteen.text);
    assert!(out.passages.iter().all(|p| p.text.trim() != "行为。"));
    assert!(!out.passages.iter().any(|p| p.text.contains("上接第1版")));
    // The 巨灾保险 paragraphs the layout put inside the 经开区 article are back home.
    for needle in ["前段时间发布的保险业新“国十条”提出", "今年上半年,我国自然灾害导致的直接经济损失约932亿元", "在推动全国性巨灾保险制度建设的基础上"] {
        let p = out.passages.iter().find(|p| p.text.contains(needle)).unwrap_or_else(|| panic!("{needle}"));
        assert_eq!(p.doc_title, "持续提升巨灾保险保障水平", "{needle}");
    }
    assert!(out.passages.iter().filter(|p| p.doc_title.starts_with("以改革促开放")).all(|p| !p.text.contains("巨灾")));
    let docs: Vec<_> = out.documents.iter().map(|d| d.title.as_str()).collect();
    assert_eq!(docs, [OPINION, "以改革促开放 以开放谋发展", "持续提升巨灾保险保障水平", "学习《决定》每日问答"]);
    // The source file ships unmodified: repairs are the chunker's.
    let shared = repo().join("../shared/corpus/seed/000_99d6042c77b000db.txt");
    if let Ok(original) = std::fs::read_to_string(shared) {
        assert_eq!(original, text, "corpus/ must be a byte-for-byte copy of the seed page");
    }
    let kinds: HashSet<_> = out.warnings.iter().map(|w| w.kind).collect();
    for k in [WarningKind::JoinedBrokenSentence, WarningKind::DroppedDuplicateFragment, WarningKind::RemovedContinuationMark, WarningKind::MovedParagraphs] {
        assert!(kinds.contains(&k), "{k:?}");
    }
}

#[test]
fn seed_snapshot() {
    let (_, out) = seed();
    insta::assert_snapshot!("seed_page", render(&out));
}

#[test]
fn ids_are_stable_and_independent_of_path_and_other_files() {
    let (text, out) = seed();
    let again = ClauseChunker::default().chunk("elsewhere/other-name.txt", &text);
    let a: Vec<_> = out.passages.iter().map(|p| &p.id).collect();
    let b: Vec<_> = again.passages.iter().map(|p| &p.id).collect();
    assert_eq!(a, b);
    let other = chunk("law.md", &fixture("law_markdown.md"));
    assert!(other.passages.iter().all(|p| !a.contains(&&p.id)));
}

// ---------------------------------------------------------------- the laws corpus

#[test]
fn every_law_yields_one_passage_per_article_within_the_limit() {
    let dir = repo().join("eval/corpus/laws");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert_eq!(files.len(), 378);
    let chunker = ClauseChunker::default();
    let limit = ChunkerConfig::default().max_chars;
    let article = regex::Regex::new(r"(?m)^(第[零〇一二三四五六七八九十百千]+条(?:之[一二三四五六七八九十]+)?) ").unwrap();
    let (mut articles, mut matched, mut with_chapter, mut chaptered) = (0, 0, 0, 0);
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let out = chunker.chunk(&f.display().to_string(), &text);
        check_invariants(&text, &out);
        assert!(out.passages.iter().all(|p| p.text.chars().count() <= limit), "{}", f.display());
        let mut expected: Vec<&str> = article.captures_iter(&text).map(|c| c.get(1).unwrap().as_str()).collect();
        let mut got: Vec<String> = out
            .passages
            .iter()
            .filter(|p| p.kind == PassageKind::Clause && p.label.ends_with('条') && p.part.unwrap_or(1) == 1)
            .map(|p| p.label.rsplit('》').next().unwrap().to_string())
            .collect();
        articles += expected.len();
        expected.sort();
        got.sort();
        // Size of the multiset intersection.
        let (mut i, mut j) = (0, 0);
        while i < expected.len() && j < got.len() {
            match expected[i].cmp(got[j].as_str()) {
                std::cmp::Ordering::Equal => {
                    matched += 1;
                    i += 1;
                    j += 1;
                }
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
            }
        }
        for p in out.passages.iter().filter(|p| p.kind == PassageKind::Clause) {
            assert!(p.label.contains('条') || !text.contains("\n第一条 "), "{} in {}", p.label, f.display());
            if text.contains("\n## 第") {
                chaptered += 1;
                with_chapter += p.address.iter().any(|a| a.starts_with('第') && (a.contains('章') || a.contains('编'))) as usize;
            }
        }
    }
    // Amendments and decisions quote other laws' articles inside their own; those quotes stay
    // in the quoting clause. Everything else matches one for one.
    assert!(articles > 25_000);
    assert!(matched as f64 / articles as f64 > 0.995, "{matched}/{articles}");
    assert_eq!(with_chapter, chaptered, "every clause of a law with chapters has its chapter in its address");
}

// ---------------------------------------------------------------- property tests

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Lines a policy page is made of, to combine adversarially.
    fn line() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            "[一二三四五六七八九十]{1,3}".prop_map(|n| format!("第{n}条 规定内容。")),
            "[一二三四五六七八九十]{1,3}".prop_map(|n| format!("（{n}）事项")),
            "[一二三四五六七八九十]{1,2}".prop_map(|n| format!("{n}、标题")),
            "[0-9]{1,3}".prop_map(|n| format!("{n}.要点")),
            Just("# 标题".to_string()),
            Just("## ——副标题".to_string()),
            Just("(上接第1版)".to_string()),
            Just("新华社北京电".to_string()),
            Just("目  录".to_string()),
            Just("((（（》》【".to_string()),
            Just("第一条".to_string()),
            Just("行为。".to_string()),
            "[\\u4e00-\\u4e20，。]{0,80}",
            ".{0,40}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_text_never_panics(text in ".{0,400}") {
            let out = ClauseChunker::default().chunk("p.txt", &text);
            check_invariants(&text, &out);
        }

        #[test]
        fn adversarial_pages_keep_the_invariants(lines in proptest::collection::vec(line(), 0..60), crlf in any::<bool>()) {
            let text = lines.join(if crlf { "\r\n" } else { "\n" });
            let out = ClauseChunker::new(ChunkerConfig { max_chars: 50, paragraph_chars: 30 }).chunk("p.txt", &text);
            check_invariants(&text, &out);
            prop_assert!(out.passages.iter().all(|p| p.text.chars().count() <= 50));
        }

        #[test]
        fn arbitrary_bytes_decode_or_fail_cleanly(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = ClauseChunker::default().chunk_file("b.bin", &bytes);
        }
    }

    #[test]
    fn one_ten_megabyte_line() {
        let text = "产业工人技能形成体系，".repeat(1_000_000);
        assert!(text.len() > 10_000_000);
        let out = ClauseChunker::default().chunk("big.txt", &text);
        assert!(out.passages.len() > 1000);
        assert!(out.passages.iter().all(|p| p.text.chars().count() <= 600));
        check_invariants(&text, &out);
    }
}

#[test]
fn bold_markdown_labels_from_web_copies_still_count() {
    let text = "# 关于示例工作的通知\n\n## 一、总体要求\n\n**（一）加强组织领导。**各地要建立工作机制。\n\n**（二）强化督促检查。**定期通报进展。\n\n## 二、保障措施\n\n**第三条**\n\n**（三）加强经费保障。**所需经费列入预算。\n";
    let out = chunk("bold.md", text);
    let labels: Vec<_> = out.passages.iter().filter(|p| p.kind == PassageKind::Clause).map(|p| p.label.rsplit('》').next().unwrap().to_string()).collect();
    assert_eq!(labels, ["（一）", "（二）", "（三）"]);
    assert!(out.passages[0].text.starts_with("**（一）加强组织领导。**"));
}
