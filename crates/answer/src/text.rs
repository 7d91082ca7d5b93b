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
    fn labels_are_stripped() {
        assert_eq!(strip_leading_label("（十四）提高收入。"), "提高收入。");
        assert_eq!(strip_leading_label("第十九条　劳动合同"), "劳动合同");
        assert_eq!(strip_leading_label("提高收入。"), "提高收入。");
    }
}
