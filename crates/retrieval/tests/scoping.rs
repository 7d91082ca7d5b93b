//! Scoping only on evidence, over the catalogue of the 378 laws: a question is searched
//! within a document only when it names it (a title, a short form, a type word used as a
//! name), never because a common word ("规定" in "根据法律规定") happens to be the type of
//! one indexed document.

use std::path::Path;

use policyqa_core::DocumentInfo;
use policyqa_retrieval::{analyse, Catalog};

/// The laws' titles as the chunker reads them (each file's `# ` line).
fn laws() -> Catalog {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../eval/corpus/laws");
    let mut documents = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let title = text.lines().find_map(|l| l.strip_prefix("# ")).unwrap().trim().to_string();
        documents.push(DocumentInfo { id: title.clone(), title, source: path.display().to_string(), passages: 1, ..Default::default() });
    }
    Catalog::new(documents)
}

#[test]
fn common_words_name_no_law() {
    let c = laws();
    assert!(c.documents.iter().any(|d| d.title.ends_with("若干规定")), "the catalogue has a document of type 规定");
    for q in [
        "某公司拖欠员工三个月工资，根据法律规定，员工可以解除劳动合同并要求经济补偿吗？",
        "我在小区里养狗被物业罚款，有关规定允许物业罚款吗？",
        "按照规定，单位招用职工之后多久要签书面劳动合同？",
        "根据相关规定，网购的商品七天之内能无理由退货吗？",
        "公司决定把我调到外地，我不同意，依照法律规定该怎么办？",
        "我对派出所的处理决定有意见，按照规定可以申请行政复议吗？",
        "公司法务说签了竞业限制协议就不能跳槽，这符合法律规定吗？",
    ] {
        let a = analyse(q, &c);
        assert!(a.doc_ids.is_empty(), "{q}: scoped to {:?}", a.doc_mentions);
    }
}

#[test]
fn named_laws_are_still_found() {
    let c = laws();
    for (q, title) in [
        ("劳动合同法第十九条讲了什么", "中华人民共和国劳动合同法"),
        ("根据《中华人民共和国消费者权益保护法》，商家欺诈要赔几倍？", "中华人民共和国消费者权益保护法"),
        ("民法典第一千零七十九条", "中华人民共和国民法典"),
        ("按照个人信息保护法的规定，处理敏感个人信息要单独同意吗", "中华人民共和国个人信息保护法"),
    ] {
        let a = analyse(q, &c);
        assert!(a.doc_ids.iter().any(|id| id == title), "{q}: {:?}", a.doc_mentions);
    }
}
