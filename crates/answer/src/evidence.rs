//! How strongly the retrieved clauses bear on a question: the share of the question's
//! weighted content words (rare words weigh more) that the top clauses contain, a word's
//! official synonyms counting nearly as much as the word. A question whose informative words
//! appear in no retrieved clause is not answered from them.

use std::sync::LazyLock;

use policyqa_core::Passage;
use regex::Regex;
use policyqa_retrieval::WeightedTerm;

use crate::text::{answers_figure, has_figure, sentences, term_coverage, FigureKind, NormText, TRIMMED_CREDIT};

/// How many top clauses the evidence is read from.
pub const EVIDENCE_CLAUSES: usize = 3;

/// Below this evidence strength the answer is the refusal. Calibrated on the dev sets'
/// answerable and unanswerable questions (`policyqa eval --calibrate` prints the sweep).
pub const DEFAULT_MIN_EVIDENCE: f32 = 0.05;

/// Evidence strength in [0, 1]: the weighted share of the question's words found in the top
/// clauses taken together (a question may need two clauses).
pub fn strength(terms: &[WeightedTerm], passages: &[Passage]) -> f32 {
    let total: f32 = terms.iter().map(|t| t.weight).sum();
    if total <= 0.0 {
        return 0.0;
    }
    let texts: Vec<NormText> = passages.iter().take(EVIDENCE_CLAUSES).map(|p| NormText::new(&p.text)).collect();
    terms.iter().map(|t| t.weight * texts.iter().map(|x| term_coverage(t, x)).fold(0.0, f32::max)).sum::<f32>() / total
}

/// For a question that asks for a figure (多少, 几天, 比例): whether some sentence of the
/// top clauses holds a figure together with one of the question's specific words, in full,
/// and, when the question names the kind of figure (多少钱, 几成, 几年), a figure of that
/// kind. "女职工产假能休几天" against a page whose only figures are about training budgets:
/// no; "公积金贷款的利率是多少" against a clause that gives only a term of years: no.
pub fn figure_supported(terms: &[WeightedTerm], passages: &[Passage], asked: Option<FigureKind>) -> bool {
    let key: Vec<&WeightedTerm> = terms
        .iter()
        .filter(|t| t.specific && !t.term.chars().all(|c| c.is_ascii_digit()))
        .collect();
    // Sentence, not clause: measured at clause level, the laws set refused more answerable
    // questions (false refusals 0.132 → 0.208).
    passages.iter().take(EVIDENCE_CLAUSES).any(|p| {
        sentences(&p.text).into_iter().any(|(a, b)| {
            let s = NormText::new(&p.text[a..b]);
            let figure = match asked {
                Some(kind) => answers_figure(&s.text, kind),
                None => has_figure(&s.text),
            };
            let covered = |t: &WeightedTerm| term_coverage(t, &s) >= TRIMMED_CREDIT || t.alternatives.iter().any(|x| s.text.contains(x.as_str()));
            figure && key.iter().any(|t| covered(t))
        })
    })
}

/// Provinces, regions and the largest cities: a question about one of their own rules
/// ("北京的灵活就业人员交社保有什么补贴") is not answered by a document that never names it.
const PLACES: &str = "北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门|深圳|广州|杭州|南京|武汉|成都|西安|苏州|厦门|青岛|大连|宁波|郑州|长沙|沈阳|济南|合肥|福州|昆明|哈尔滨|长春|石家庄|太原|南昌|南宁|贵阳|兰州|银川|西宁|乌鲁木齐|拉萨|呼和浩特|海口|无锡|佛山|东莞";

/// A place that is the subject of the question: the question's first word ("北京小客车指标
/// 摇号怎么申请", "浙江省为…出了哪些措施"), or a sentence's first followed by what it has or
/// says ("…。上海的…", "深圳对…有什么", "北京市规定…"); not one the asker only happens to be
/// in ("我在北京上班，…").
static PLACE_TOPIC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"^({PLACES})|[，,。？?！!；;\s]({PLACES})(?:市|省|区|自治区|特别行政区)?(?:的|对|有没有|有什么|有哪些|规定|是怎么|是如何|怎么)")).expect("valid")
});

/// The place a question asks about that none of the top clauses (nor their documents'
/// titles) names: the question is about another region's rules.
pub fn place_not_covered(question: &str, passages: &[Passage]) -> Option<String> {
    place_not_named(question, passages.iter().take(EVIDENCE_CLAUSES))
}

/// The place a question asks about that none of the given clauses (nor their documents'
/// titles) names. Run on the clauses an answer cites: a clause that only happens to name the
/// place ("中华人民共和国首都是北京" for "北京小客车指标摇号怎么申请") may be among the
/// top three without being the one the answer quotes.
pub fn place_not_named<'a>(question: &str, passages: impl Iterator<Item = &'a Passage> + Clone) -> Option<String> {
    let q = crate::text::norm(question);
    PLACE_TOPIC.captures_iter(&q).filter_map(|c| c.get(1).or(c.get(2)).map(|m| m.as_str().to_string())).find(|place| {
        !passages.clone().any(|p| p.text.contains(place.as_str()) || p.doc_title.contains(place.as_str()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use policyqa_core::PassageKind;

    fn clause(title: &str, text: &str) -> Passage {
        Passage {
            id: "0123456789abcdef".into(),
            doc_id: "d".into(),
            doc_title: title.into(),
            address: vec![],
            label: format!("《{title}》"),
            number: Some(1),
            part: None,
            parts: None,
            kind: PassageKind::Clause,
            text: text.into(),
            source: "s".into(),
            start: 0,
            end: text.chars().count(),
            spans: vec![],
            page: None,
            page_end: None,
            origin: None,
            doc_meta: None,
        }
    }

    #[test]
    fn a_question_about_another_regions_rules_is_not_answered_by_a_document_that_never_names_it() {
        let national = [clause("关于支持多渠道灵活就业的实施意见", "对就业困难人员灵活就业后缴纳社会保险费的，给予一定的社会保险补贴。")];
        assert_eq!(place_not_covered("北京的灵活就业人员交社保有什么补贴？", &national).as_deref(), Some("北京"));
        assert_eq!(place_not_covered("上海市规定的补贴标准是多少", &national).as_deref(), Some("上海"));
        assert_eq!(place_not_covered("北京小客车指标摇号怎么申请？", &national).as_deref(), Some("北京"));
        assert_eq!(place_not_covered("我有个问题。上海的补贴标准是多少", &national).as_deref(), Some("上海"));
        // A place the asker is only in, or one the clause names, is no reason.
        assert_eq!(place_not_covered("我在北京送外卖，交社保有补贴吗？", &national), None);
        let local = [clause("北京市灵活就业社会保险补贴办法", "补贴标准为每人每月300元。")];
        assert_eq!(place_not_covered("北京的灵活就业人员交社保有什么补贴？", &local), None);
    }
}