//! The citation verifier over the shipped laws corpus (378 laws), on answers written here:
//! real citations resolved and borne out, a made-up article reported with the law's range,
//! a repealed law's citation reported with its successor, a figure the clause lacks flagged.

use std::collections::HashMap;
use std::path::Path;
use std::sync::LazyLock;

use policyqa_answer::verify::{cited_documents, verify_text, Outcome, Verification};
use policyqa_chunker::ClauseChunker;
use policyqa_core::validity::{Date, Status};
use policyqa_core::{DocumentInfo, Passage};
use policyqa_retrieval::Catalog;

/// Every law chunked as ingest chunks it, its validity read as ingest reads it.
static LAWS: LazyLock<(Catalog, HashMap<String, Vec<Passage>>)> = LazyLock::new(|| {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../eval/corpus/laws");
    let chunker = ClauseChunker::default();
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == "txt")).collect();
    files.sort();
    let mut docs: Vec<DocumentInfo> = Vec::new();
    let mut clauses: HashMap<String, Vec<Passage>> = HashMap::new();
    for f in files {
        let out = chunker.chunk_file(&f.display().to_string(), &std::fs::read(&f).unwrap()).unwrap();
        for d in &out.documents {
            let passages: Vec<Passage> = out.passages.iter().filter(|p| p.doc_id == d.id).cloned().collect();
            docs.push(DocumentInfo { validity: Some(policyqa_validity::read(&d.id, &d.title, Some(&d.meta), &passages)), ..d.clone() });
            clauses.insert(d.id.clone(), passages);
        }
    }
    (Catalog::new(docs), clauses)
});

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

fn check(text: &str, on: &str) -> Verification {
    let (catalog, all) = &*LAWS;
    let on = date(on);
    // Only the cited documents' clauses are handed over, as the retriever hands them.
    let needed: HashMap<String, Vec<Passage>> = cited_documents(text, catalog, on).into_iter().map(|id| (id.clone(), all[&id].clone())).collect();
    verify_text(text, catalog, on, &needed)
}

#[test]
fn real_citations_resolve_to_their_clause_and_are_borne_out() {
    let v = check("根据《中华人民共和国劳动合同法》第十九条，劳动合同期限三个月以上不满一年的，试用期不得超过一个月。", "2026-12-01");
    assert_eq!(v.citations.len(), 1, "{v:#?}");
    let c = &v.citations[0];
    assert_eq!(c.text, "《中华人民共和国劳动合同法》第十九条");
    assert_eq!(c.outcome, Outcome::Found, "{c:#?}");
    assert_eq!(c.status, Some(Status::InForce));
    let clause = c.clause.as_ref().unwrap();
    assert_eq!(clause.label, "《中华人民共和国劳动合同法》第十九条");
    assert!(clause.text.contains("试用期不得超过一个月"), "{clause:?}");
    let s = c.support.as_ref().unwrap();
    assert!(s.supported && s.missing.is_empty(), "{s:?}");
    assert!(s.quote.contains("试用期不得超过一个月"), "{s:?}");
}

#[test]
fn a_sentence_whose_figure_differs_from_its_clause_is_flagged() {
    let v = check("依照劳动合同法第十九条，劳动合同期限一年以上不满三年的，试用期不得超过四个月。", "2026-12-01");
    let c = &v.citations[0];
    assert_eq!(c.text, "劳动合同法第十九条", "the lead-in 依照 is not part of the name");
    assert_eq!(c.outcome, Outcome::Found);
    let s = c.support.as_ref().unwrap();
    assert!(!s.supported, "{s:?}");
    assert!(s.missing.iter().any(|m| m.contains("四个月") || m.contains('4')), "{s:?}");
    assert_eq!(v.unsupported, 1);
}

#[test]
fn a_made_up_article_is_not_found_and_the_laws_range_is_given() {
    let v = check("《劳动合同法》第九百九十九条规定，用人单位可以随时解除劳动合同。", "2026-12-01");
    let c = &v.citations[0];
    assert_eq!(c.outcome, Outcome::NoSuchArticle, "{c:#?}");
    assert_eq!(c.doc_title.as_deref(), Some("中华人民共和国劳动合同法"));
    assert_eq!(c.range.as_deref(), Some("第一条–第九十八条"), "{c:#?}");
    assert!(c.message.contains("第九百九十九条"), "{}", c.message);
    // A paragraph the article does not have, likewise.
    let v = check("劳动合同法第十九条第九款。", "2026-12-01");
    assert_eq!(v.citations[0].outcome, Outcome::NoSuchArticle, "{:#?}", v.citations[0]);
}

#[test]
fn a_repealed_laws_citation_comes_back_repealed_with_its_successor_and_the_clause_that_says_so() {
    let v = check("依照《合同法》第四十四条，依法成立的合同，自成立时生效。", "2026-12-01");
    let c = &v.citations[0];
    assert_eq!(c.outcome, Outcome::Repealed, "{c:#?}");
    let r = c.repealed.as_ref().unwrap();
    assert_eq!(r.since, Some(date("2021-01-01")));
    assert_eq!(r.successor_title.as_deref(), Some("中华人民共和国民法典"));
    assert_eq!(r.evidence[0].label, "《中华人民共和国民法典》第一千二百六十条");
    // Unbracketed and by its full name alike.
    for text in ["按照中华人民共和国物权法第三十九条，所有权人享有占有、使用、收益和处分的权利。", "婚姻法第二十一条"] {
        let v = check(text, "2026-12-01");
        assert_eq!(v.citations.len(), 1, "{text}: {v:#?}");
        assert_eq!(v.citations[0].outcome, Outcome::Repealed, "{text}: {:#?}", v.citations[0]);
    }
}

#[test]
fn a_document_nobody_indexed_is_reported_as_not_indexed() {
    let v = check("根据《物业管理条例》第十条，业主大会由全体业主组成。另据某某市养犬管理规定第五条，养犬须登记。", "2026-12-01");
    let outcomes: Vec<(&str, Outcome)> = v.citations.iter().map(|c| (c.document.as_str(), c.outcome)).collect();
    assert_eq!(outcomes, vec![("物业管理条例", Outcome::NotIndexed), ("某某市养犬管理规定", Outcome::NotIndexed)], "{v:#?}");
    assert_eq!(v.not_indexed, 2);
}

#[test]
fn back_references_and_lists_cite_the_last_named_law() {
    let text = "《中华人民共和国劳动合同法》第十九条、第二十条对试用期作了规定。本法第二十一条规定，在试用期中，除劳动者有本法第三十九条和第四十条第一项、第二项规定的情形外，用人单位不得解除劳动合同。";
    let v = check(text, "2026-12-01");
    let cited: Vec<(&str, u32)> = v.citations.iter().map(|c| (c.text.as_str(), c.article)).collect();
    assert_eq!(
        cited,
        vec![("《中华人民共和国劳动合同法》第十九条", 19), ("第二十条", 20), ("本法第二十一条", 21), ("本法第三十九条", 39), ("第四十条第一项", 40)],
        "{v:#?}"
    );
    assert!(v.citations.iter().all(|c| c.outcome == Outcome::Found && c.doc_title.as_deref() == Some("中华人民共和国劳动合同法")), "{v:#?}");
    // Offsets are characters of the text.
    for c in &v.citations {
        assert_eq!(text.chars().skip(c.start).take(c.end - c.start).collect::<String>(), c.text);
    }
}

#[test]
fn a_cited_paragraph_is_checked_against_that_paragraph() {
    let v = check("劳动合同法第十九条第二款规定，同一用人单位与同一劳动者只能约定一次试用期。", "2026-12-01");
    let c = &v.citations[0];
    assert_eq!(c.outcome, Outcome::Found, "{c:#?}");
    assert_eq!(c.clause.as_ref().unwrap().text, "同一用人单位与同一劳动者只能约定一次试用期。");
    assert!(c.support.as_ref().unwrap().supported);
}

#[test]
fn the_status_is_read_on_the_texts_date_and_the_version_then_in_force_is_cited() {
    let then = check("仲裁法第一条", "2019-06-01");
    let now = check("仲裁法第一条", "2026-12-01");
    let (a, b) = (&then.citations[0], &now.citations[0]);
    assert_eq!(a.outcome, Outcome::Found);
    assert!(a.doc_title.as_deref().unwrap().contains("历史版本"), "{a:#?}");
    assert!(!b.doc_title.as_deref().unwrap().contains("历史版本"), "{b:#?}");
    assert_eq!(a.status, Some(Status::InForce));
}

#[test]
fn a_back_reference_follows_a_law_named_without_an_article() {
    let v = check("《中华人民共和国劳动合同法》对试用期有专门规定。本法第十九条规定，劳动合同期限三个月以上不满一年的，试用期不得超过一个月。", "2026-12-01");
    assert_eq!(v.citations.len(), 1, "{v:#?}");
    assert_eq!(v.citations[0].text, "本法第十九条");
    assert_eq!(v.citations[0].doc_title.as_deref(), Some("中华人民共和国劳动合同法"));
    assert!(v.citations[0].support.as_ref().unwrap().supported);
}
