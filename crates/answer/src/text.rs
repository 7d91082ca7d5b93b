//! Text tools shared by the evidence, the extractive answerer and the citation checks:
//! sentences and their closing marks, normalised comparison, how much of a question's word a
//! text holds, character bigrams, figures and the facts a sentence must not invent.

use std::collections::HashSet;
use std::sync::LazyLock;

use policyqa_retrieval::WeightedTerm;
use regex::Regex;
use unicode_normalization::UnicodeNormalization;

/// Ends a sentence. A semicolon ends one too: policy clauses chain whole requirements with
/// `；`, and an answer quotes one of them, not the chain.
pub fn is_terminator(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '；' | '!' | '?' | ';' | '\n')
}

/// Closing marks that belong to the sentence before them.
pub fn is_closer(c: char) -> bool {
    matches!(c, '”' | '’' | '）' | ')' | '」' | '』' | '》' | '"' | '\'')
}

/// Sentences of a text as byte ranges (terminator and closing quotes included, surrounding
/// white space excluded). Every range is a slice of `text`.
pub fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if is_terminator(c) {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                if is_closer(d) || (d == c && c != '\n') {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            push_trimmed(text, start, end, &mut out);
            start = end;
        }
    }
    push_trimmed(text, start, text.len(), &mut out);
    out
}

fn push_trimmed(text: &str, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    let s = &text[start..end];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if lead + trail < s.len() {
        out.push((start + lead, end - trail));
    }
}

/// NFKC with white space removed: how texts are compared (full-width digits, spaces the
/// layout left inside a sentence, 〇/○ variants stay as they are).
pub fn norm(s: &str) -> String {
    s.nfkc().filter(|c| !c.is_whitespace()).collect()
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Character bigrams of the word characters of a normalised text (punctuation breaks runs).
pub fn bigrams(s: &str) -> HashSet<(char, char)> {
    let mut out = HashSet::new();
    let mut prev: Option<char> = None;
    for c in s.chars() {
        if is_word_char(c) {
            if let Some(p) = prev {
                out.insert((p, c));
            }
            prev = Some(c);
        } else {
            prev = None;
        }
    }
    out
}

/// Share of `claim`'s bigrams that occur in `source` (0 when the claim has none).
pub fn bigram_support(claim: &HashSet<(char, char)>, source: &HashSet<(char, char)>) -> f32 {
    if claim.is_empty() {
        return 0.0;
    }
    claim.iter().filter(|b| source.contains(b)).count() as f32 / claim.len() as f32
}

static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    // Arabic numbers with their decimal part and a percent sign; Chinese numbers followed by
    // a unit (六个月, 百分之二百 is caught by its own rule below), dates.
    Regex::new(
        r"(?x)
        百分之[零〇一二两三四五六七八九十百千]+
      | \d+(?:[.,]\d+)*\s*(?:%|‰)?
      | [零〇一二两三四五六七八九十百千万亿]{1,8}(?:个月|周年|年|月|日|天|周|倍|成|人|家|元|万|亿|岁|小时|次|项|条|级|个工作日)
    ",
    )
    .unwrap()
});

static QUOTED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"“([^”]{2,30})”|《([^》]{2,60})》|「([^」]{2,30})」").unwrap());

/// What a sentence must not invent: numbers, percentages, dates and quoted terms. Each is
/// returned normalised, for a `contains` test against the normalised clause.
pub fn checkable_facts(sentence: &str) -> Vec<String> {
    let n = norm(sentence);
    let mut out: Vec<String> = Vec::new();
    for m in NUMBER.find_iter(&n) {
        let s = m.as_str().trim_end_matches([',', '.']).to_string();
        // A lone 一 or 二 ("一是", "二要") is enumeration, not a figure.
        if s.chars().count() >= 1 && !out.contains(&s) && !(s.chars().all(|c| "一二两".contains(c))) {
            out.push(s);
        }
    }
    for c in QUOTED.captures_iter(&n) {
        if let Some(m) = c.get(1).or(c.get(2)).or(c.get(3)) {
            let s = m.as_str().to_string();
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}

/// A text normalised for matching (NFKC, no white space).
pub struct NormText {
    pub text: String,
}

impl NormText {
    pub fn new(s: &str) -> Self {
        NormText { text: norm(s) }
    }
}

/// 1 when the text holds the word, [`ALTERNATIVE_CREDIT`] when it holds one of its official
/// terms, 0 otherwise.
pub fn term_coverage(t: &WeightedTerm, text: &NormText) -> f32 {
    if text.text.contains(t.term.as_str()) {
        return 1.0;
    }
    // A merged run of characters may carry a verb in front or a particle behind (开网约车).
    let n = t.term.chars().count();
    if n >= 4 {
        let (first, last) = (t.term.chars().next().map_or(0, char::len_utf8), t.term.chars().last().map_or(0, char::len_utf8));
        if text.text.contains(&t.term[first..]) || text.text.contains(&t.term[..t.term.len() - last]) {
            return TRIMMED_CREDIT;
        }
    }
    let alternative = if t.alternatives.iter().any(|a| text.text.contains(a.as_str())) { ALTERNATIVE_CREDIT } else { 0.0 };
    let parts = if t.parts.is_empty() {
        0.0
    } else {
        PARTS_CREDIT * t.parts.iter().filter(|p| text.text.contains(p.as_str())).count() as f32 / t.parts.len() as f32
    };
    alternative.max(parts)
}

/// A synonym from the lexicon counts this much of the word it stands for.
const ALTERNATIVE_CREDIT: f32 = 0.5;
/// All the pieces of a compound word present count this much of the word.
const PARTS_CREDIT: f32 = 0.5;
/// A long word found without its first or last character.
pub const TRIMMED_CREDIT: f32 = 0.8;

/// Whether a (normalised) text holds a figure: digits, 百分之…, a Chinese number with a
/// unit; the same grammar as the facts a sentence must not invent ([`checkable_facts`]),
/// an ordinal (第十九条, 第三项) being a reference, not a figure.
pub fn has_figure(text: &str) -> bool {
    NUMBER.find_iter(text).any(|m| !text[..m.start()].ends_with('第'))
}

/// The kind of figure a question asks for, when its words say (多少钱, 几成, 几年).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FigureKind {
    /// A day, a month or a year (哪天, 哪一年).
    Date,
    Money,
    Share,
    Years,
    Months,
    Days,
    Hours,
    Age,
    People,
    Times,
}

static ASKED_KIND: LazyLock<Vec<(FigureKind, Regex)>> = LazyLock::new(|| {
    [
        (FigureKind::Date, r"哪天|哪一天|哪年|哪一年|哪个月|几月几[日号]|何年何月"),
        (FigureKind::Money, r"多少钱|几块钱|多少块|多少元|多少万元|(?:收费|补贴|补|罚款|罚|赔偿|赔|交|缴|发)多少钱?|多少费用|利息多少|金额是多少"),
        (FigureKind::Share, r"几成|多少成|百分之几|百分之多少|多少%|比例(?:是|为|有)?多少|多大比例|占比|利率|税率|费率"),
        (FigureKind::Years, r"几年|多少年"),
        (FigureKind::Months, r"几个月|多少个月"),
        (FigureKind::Days, r"几天|多少天|几日|多少日|几个工作日|多少个工作日"),
        (FigureKind::Hours, r"几个小时|多少小时|几小时|多少个小时"),
        (FigureKind::Age, r"多少岁|几岁|多大年纪|多大岁数"),
        (FigureKind::People, r"多少人|几个人|多少名"),
        (FigureKind::Times, r"几次|多少次"),
    ]
    .into_iter()
    .map(|(k, r)| (k, Regex::new(r).expect("valid")))
    .collect()
});

/// A thing a question asks for that has a shape of its own: a telephone number, a street
/// address, a web address. An answer without one answers something else (the channels of a
/// service for "办公地址在哪里", a policy on complaints for "打哪个电话投诉").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AskedShape {
    Phone,
    Address,
    WebAddress,
}

static ASKED_SHAPE: LazyLock<Vec<(AskedShape, Regex, Regex)>> = LazyLock::new(|| {
    [
        (AskedShape::Phone, r"(?:电话|热线|号码)(?:是|是多少|多少|号码)?[？?]?$|打哪个电话|拨打什么|什么电话|哪个电话|电话号码", r"\d{5,}|\d{3,4}-\d{7,8}"),
        (AskedShape::Address, r"地址|办公地点|在哪办公|地点在哪", r"(?:路|街|大道|巷|胡同|弄)\d+号|\d+号|大厦|大楼"),
        (AskedShape::WebAddress, r"网址|官网|官方网站|网站是|链接", r"https?://|www\.|\.(?:cn|com|org|net)(?:/|$|[^a-z])"),
    ]
    .into_iter()
    .map(|(k, q, a)| (k, Regex::new(q).expect("valid"), Regex::new(a).expect("valid")))
    .collect()
});

impl AskedShape {
    pub fn name(self) -> &'static str {
        match self {
            AskedShape::Phone => "a telephone number",
            AskedShape::Address => "an address",
            AskedShape::WebAddress => "a web address",
        }
    }
}

/// The shaped thing a (normalised) question asks for, if any.
pub fn asked_shape(question: &str) -> Option<AskedShape> {
    ASKED_SHAPE.iter().find(|(_, q, _)| q.is_match(question)).map(|(k, _, _)| *k)
}

/// Whether a (normalised) text holds a thing of that shape.
pub fn has_shape(text: &str, shape: AskedShape) -> bool {
    ASKED_SHAPE.iter().any(|(k, _, a)| *k == shape && a.is_match(text))
}

/// What kind of figure the question asks for, when it names one (多少钱 → money, 几年 →
/// years); `None` for a bare 多少 or 多久, which any figure may answer.
pub fn asked_figure(question: &str) -> Option<FigureKind> {
    let q = norm(question);
    ASKED_KIND.iter().find(|(_, r)| r.is_match(&q)).map(|(k, _)| *k)
}

static FIGURE_UNIT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\d+(?:[.,]\d+)*|[零〇一二两三四五六七八九十百千万亿]+)\s*(万元|亿元|元|块|倍|%|‰|成|周年|年|个月|月|个工作日|工作日|日|天|小时|周岁|岁|人|名|次)|百分之|分之").expect("valid")
});

/// Whether a (normalised) sentence holds a figure that can answer a question asking for
/// `kind`: of that kind or of its family, since "能返还多少钱" is answered by "30%" of the
/// fees and "几年" by "18个月" (amounts and shares; lengths of time).
pub fn answers_figure(text: &str, kind: FigureKind) -> bool {
    use FigureKind::*;
    let family: &[FigureKind] = match kind {
        Money | Share => &[Money, Share],
        Years | Months | Days | Hours => &[Years, Months, Days, Hours],
        other => return has_figure_of(text, other),
    };
    family.iter().any(|k| has_figure_of(text, *k))
}

/// Whether a (normalised) sentence holds a figure of that kind.
pub fn has_figure_of(text: &str, kind: FigureKind) -> bool {
    FIGURE_UNIT.captures_iter(text).any(|c| {
        let unit = c.get(1).map_or("%", |m| m.as_str());
        match kind {
            // A fine or a compensation is often a multiple of an amount ("一倍以上五倍以下").
            FigureKind::Date => matches!(unit, "年" | "月" | "日"),
            FigureKind::Money => matches!(unit, "万元" | "亿元" | "元" | "块" | "倍"),
            FigureKind::Share => matches!(unit, "%" | "‰" | "成"),
            FigureKind::Years => matches!(unit, "年" | "周年"),
            FigureKind::Months => matches!(unit, "个月" | "月"),
            FigureKind::Days => matches!(unit, "日" | "天" | "工作日" | "个工作日"),
            FigureKind::Hours => unit == "小时",
            FigureKind::Age => matches!(unit, "岁" | "周岁"),
            FigureKind::People => matches!(unit, "人" | "名"),
            FigureKind::Times => unit == "次",
        }
    })
}

static LEADING_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[（(][零〇一二两三四五六七八九十百]+[)）]|第[零〇一二两三四五六七八九十百千]+条|[一二三四五六七八九十]+、|\d+[.、．])\s*").unwrap()
});

/// A sentence without the clause label it opens with (`（十四）`, `第十九条`, `一、`): the
/// citation carries the label.
pub fn strip_leading_label(s: &str) -> &str {
    match LEADING_LABEL.find(s) {
        Some(m) => &s[m.end()..],
        None => s,
    }
}

/// Character offset of a byte offset.
pub fn char_offset(text: &str, byte: usize) -> usize {
    text[..byte].chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_keep_closers_and_cover_the_text() {
        let t = "他说：“好。”然后走了；再见\n  最后";
        let s: Vec<&str> = sentences(t).into_iter().map(|(a, b)| &t[a..b]).collect();
        assert_eq!(s, vec!["他说：“好。”", "然后走了；", "再见", "最后"]);
    }

    #[test]
    fn facts_are_numbers_dates_and_quoted_terms() {
        let f = checkable_facts("确保６０%以上用于“一线职工”，期限二个月，2024年起；一是加强培训。");
        assert!(f.contains(&"60%".to_string()), "{f:?}");
        assert!(f.contains(&"一线职工".to_string()), "{f:?}");
        assert!(f.contains(&"二个月".to_string()), "{f:?}");
        assert!(f.contains(&"2024".to_string()), "{f:?}");
        assert!(!f.iter().any(|x| x == "一"), "{f:?}");
    }

    #[test]
    fn the_asked_kind_of_figure_must_be_there() {
        assert_eq!(asked_figure("清河市公积金贷款的利率现在是多少？"), Some(FigureKind::Share));
        assert_eq!(asked_figure("试用期最长几个月"), Some(FigureKind::Months));
        assert_eq!(asked_figure("失业金一个月最多能发到多少"), None);
        assert_eq!(asked_figure("这份意见是哪天印发的？"), Some(FigureKind::Date));
        assert!(has_figure_of(&norm("2024年1月15日起施行"), FigureKind::Date));
        assert_eq!(asked_figure("高龄津贴每月发多少钱"), Some(FigureKind::Money));
        assert!(has_figure_of(&norm("补贴标准原则上不超过其实际缴费的2/3，每人每月300元"), FigureKind::Money));
        assert!(!has_figure_of(&norm("领取失业保险金的期限最长为12个月"), FigureKind::Money));
        assert!(has_figure_of(&norm("确保60%以上用于一线职工"), FigureKind::Share));
        assert!(has_figure_of(&norm("试用期不得超过六个月"), FigureKind::Months));
        assert!(has_figure_of(&norm("按照工程施工合同额的百分之三存储"), FigureKind::Share));
        // "能返还多少钱" is answered by a share of the fees, "几年" by months; a date is no length.
        assert!(answers_figure(&norm("按上年度实际缴纳失业保险费的30%返还"), FigureKind::Money));
        assert!(answers_figure(&norm("最长不超过18个月"), FigureKind::Years));
        assert!(!answers_figure(&norm("领取失业保险金的期限最长为12个月"), FigureKind::Money));
    }

    #[test]
    fn labels_are_stripped() {
        assert_eq!(strip_leading_label("（十四）提高收入。"), "提高收入。");
        assert_eq!(strip_leading_label("第十九条　劳动合同"), "劳动合同");
        assert_eq!(strip_leading_label("提高收入。"), "提高收入。");
    }
}
