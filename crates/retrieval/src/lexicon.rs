//! The colloquial ↔ official lexicon: everyday words people type (老板, 辞退, 外卖骑手) and
//! the terms the texts use (用人单位, 解除劳动合同, 新就业形态劳动者). Shipped as a data file
//! built from the domain (labour, social security, civil, administrative, consumer…), not
//! from any question set; its later sections were written law by law over the 378 laws of
//! the laws corpus (every official term occurs in a law's text), without any question set
//! in view.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, MatchKind};

/// The lexicon shipped with policyqa.
pub const BUILTIN: &str = include_str!("../../index/data/lexicon.tsv");

#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    entries: Vec<(String, Vec<String>)>,
    /// All colloquial keys, matched in one pass, longest first at each position.
    matcher: Option<AhoCorasick>,
}

impl Lexicon {
    /// Parses `colloquial<TAB>official|official…` lines; `#` starts a comment.
    pub fn parse(text: &str) -> Self {
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((key, terms)) = line.split_once('\t') else { continue };
            let terms: Vec<String> = terms.split('|').map(str::trim).filter(|t| !t.is_empty()).map(str::to_string).collect();
            if !key.trim().is_empty() && !terms.is_empty() {
                map.entry(key.trim().to_string()).or_default().extend(terms);
            }
        }
        let mut entries: Vec<_> = map.into_iter().collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        // Leftmost-longest, so 外卖骑手 wins over 骑手.
        let matcher = AhoCorasick::builder().match_kind(MatchKind::LeftmostLongest).build(entries.iter().map(|(k, _)| k)).ok();
        Lexicon { entries, matcher }
    }

    pub fn builtin() -> Self {
        Self::parse(BUILTIN)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Official terms for the colloquial words found in `query` (a word inside a longer
    /// matched word is not matched again).
    pub fn expand(&self, query: &str) -> Vec<(String, String)> {
        let Some(matcher) = &self.matcher else { return Vec::new() };
        let mut out = Vec::new();
        for m in matcher.find_iter(query) {
            let (key, terms) = &self.entries[m.pattern().as_usize()];
            for t in terms {
                if !query.contains(t.as_str()) && !out.iter().any(|(_, x)| x == t) {
                    out.push((key.clone(), t.clone()));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_parses_and_expands() {
        let l = Lexicon::builtin();
        assert!(l.len() > 1500, "{}", l.len());
        let e = l.expand("老板不给加班费怎么办");
        assert!(e.iter().any(|(k, t)| k == "老板" && t == "用人单位"), "{e:?}");
        // The sections written law by law over the laws corpus.
        let e = l.expand("老公打我怎么办");
        assert!(e.iter().any(|(_, t)| t == "人身安全保护令"), "{e:?}");
        let e = Lexicon::parse("骑手\t配送\n外卖骑手\t新就业形态劳动者\n").expand("我是外卖骑手");
        assert_eq!(e, [("外卖骑手".to_string(), "新就业形态劳动者".to_string())]);
    }
}
