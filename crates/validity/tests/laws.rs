//! The validity graph of the shipped laws corpus (378 documents): what 民法典's repeal clause
//! says, the versions of one law as one family, and how many laws state when they take effect.

use std::path::Path;
use std::sync::LazyLock;

use policyqa_chunker::ClauseChunker;
use policyqa_validity::{read, Date, Effective, Graph, Status, Target};

/// Every law of the corpus, chunked as ingest chunks it, read.
static LAWS: LazyLock<Graph> = LazyLock::new(|| {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../eval/corpus/laws");
    let chunker = ClauseChunker::default();
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == "txt")).collect();
    files.sort();
    let mut docs = Vec::new();
    for f in files {
        let out = chunker.chunk_file(&f.display().to_string(), &std::fs::read(&f).unwrap()).unwrap();
        for d in &out.documents {
            let passages: Vec<_> = out.passages.iter().filter(|p| p.doc_id == d.id).cloned().collect();
            docs.push(read(&d.id, &d.title, Some(&d.meta), &passages));
        }
    }
    Graph::new(docs)
});

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

fn id_of(title: &str) -> String {
    LAWS.documents().iter().find(|d| d.title == title).unwrap_or_else(|| panic!("{title} indexed")).doc_id.clone()
}

#[test]
fn the_civil_codes_repeal_clause_repeals_nine_laws_on_2021_01_01() {
    let by_code: Vec<_> = LAWS.repeals().iter().filter(|r| r.by_title == "中华人民共和国民法典").collect();
    let names: Vec<&str> = by_code.iter().map(|r| r.name.as_str()).collect();
    for law in ["婚姻法", "继承法", "民法通则", "收养法", "担保法", "合同法", "物权法", "侵权责任法", "民法总则"] {
        assert!(names.contains(&format!("中华人民共和国{law}").as_str()), "{law} in {names:?}");
    }
    assert_eq!(by_code.len(), 9, "{names:?}");
    for r in &by_code {
        assert_eq!(r.since, Some(date("2021-01-01")), "{r:?}");
        assert_eq!(r.evidence.label, "《中华人民共和国民法典》第一千二百六十条");
        assert!(r.evidence.quote.contains("同时废止"));
    }
    // Known by its short name too, as a question or a draft writes it.
    let contract = LAWS.repeal_of("合同法").expect("合同法 repealed");
    assert_eq!(contract.by_title, "中华人民共和国民法典");
    assert!(matches!(contract.target, Target::Named { .. } | Target::Indexed { .. }));
}

#[test]
fn a_law_and_its_historical_versions_are_one_family_served_by_date() {
    let historical: Vec<_> = LAWS.documents().iter().filter(|d| d.version_date.is_some()).collect();
    assert_eq!(historical.len(), 11);
    for h in &historical {
        let versions = LAWS.versions(&h.doc_id);
        assert!(versions.len() >= 2 || !LAWS.documents().iter().any(|d| d.title == h.family), "{}: {:?}", h.title, versions.iter().map(|v| &v.title).collect::<Vec<_>>());
        assert!(versions.iter().all(|v| v.family == h.family));
    }
    // 仲裁法: the 2017 version applied in 2019; the revision taking effect on 2026-03-01 after.
    let old = id_of("中华人民共和国仲裁法（历史版本 2017-09-01）");
    let current = id_of("中华人民共和国仲裁法");
    assert_eq!(LAWS.version_in_force(&current, date("2019-06-01")).unwrap().doc_id, old);
    assert_eq!(LAWS.status(&old, date("2019-06-01")).unwrap().status, Status::InForce);
    assert_eq!(LAWS.status(&current, date("2019-06-01")).unwrap().status, Status::NotYetInForce);
    let later = LAWS.status(&old, date("2026-12-01")).unwrap();
    assert_eq!((later.status, later.since, later.successor.as_deref()), (Status::Superseded, Some(date("2026-03-01")), Some(current.as_str())));
    assert_eq!(LAWS.status(&current, date("2026-12-01")).unwrap().status, Status::InForce);
    assert!(LAWS.status(&current, date("2026-12-01")).unwrap().evidence[0].quote.contains("2026年3月1日"));
}

#[test]
fn nearly_every_law_states_when_it_takes_effect() {
    let laws: Vec<_> = LAWS.documents().iter().filter(|d| d.family.ends_with('法')).collect();
    let unread: Vec<&str> = laws.iter().filter(|d| d.effective.is_none()).map(|d| d.title.as_str()).collect();
    let dated = laws.iter().filter(|d| matches!(d.effective.as_ref().map(|e| e.value), Some(Effective::On(_)))).count();
    let share = 1.0 - unread.len() as f64 / laws.len() as f64;
    println!("施行日期 read for {}/{} laws ({share:.3}), a date for {dated}; not stated in the text: {unread:?}", laws.len() - unread.len(), laws.len());
    assert!(share >= 0.95, "{share}: {unread:?}");
    // The evidence is the law's own clause.
    let code = LAWS.document(&id_of("中华人民共和国民法典")).unwrap();
    let e = code.effective.as_ref().unwrap();
    assert_eq!((e.value, e.evidence.label.as_str()), (Effective::On(date("2021-01-01")), "《中华人民共和国民法典》第一千二百六十条"));
}

#[test]
fn every_repeal_clause_of_the_corpus_names_documents() {
    // No repeal of nothing, none of itself; each indexed target is another family.
    for r in LAWS.repeals() {
        assert!(!r.name.is_empty());
        if let Target::Indexed { doc_ids } = &r.target {
            assert!(!doc_ids.contains(&r.by_doc_id), "{r:?}");
        }
    }
    let by: std::collections::BTreeSet<&str> = LAWS.repeals().iter().map(|r| r.by_title.as_str()).collect();
    println!("{} repeals in {} documents", LAWS.repeals().len(), by.len());
    assert!(by.len() >= 30, "{by:?}");
}
