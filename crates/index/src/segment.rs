//! Chinese word segmentation for indexing and queries: one jieba dictionary per process.

use std::sync::{Arc, LazyLock};

use jieba_rs::Jieba;

static JIEBA: LazyLock<Arc<Jieba>> = LazyLock::new(|| Arc::new(Jieba::new()));

/// Segments Chinese text into search tokens: words and, for long words, their parts
/// ("劳动合同法" → 劳动, 合同, 劳动合同, 法…), so a query word matches inside a compound.
#[derive(Clone)]
pub struct ChineseSegmenter {
    jieba: Arc<Jieba>,
}

impl Default for ChineseSegmenter {
    fn default() -> Self {
        ChineseSegmenter { jieba: JIEBA.clone() }
    }
}

impl std::fmt::Debug for ChineseSegmenter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChineseSegmenter")
    }
}

impl ChineseSegmenter {
    /// Starts loading the dictionary (about 0.2 s) on a thread of its own, so that whatever
    /// the process does next (opening the index) overlaps it; the first use waits for it.
    pub fn preload() {
        std::thread::spawn(|| {
            LazyLock::force(&JIEBA);
        });
    }

    /// Tokens for search: lower-cased, punctuation and white space dropped.
    pub fn tokens(&self, text: &str) -> Vec<String> {
        self.jieba
            .cut_for_search(text, false)
            .into_iter()
            .filter(|t| t.chars().any(|c| c.is_alphanumeric()))
            .map(|t| t.to_lowercase())
            .collect()
    }

    /// Byte offsets where the words of `text` begin and end (jieba's precise cut, no HMM):
    /// a name found inside a question counts only on these ("公司法" is not in "公司法务").
    pub fn word_boundaries(&self, text: &str) -> Vec<usize> {
        let mut out = vec![0];
        let mut at = 0;
        for w in self.jieba.cut(text, false) {
            at += w.len();
            out.push(at);
        }
        out
    }

    /// How specific a word is in general Chinese, from the segmentation dictionary's own
    /// frequencies (no second dictionary): `ln(total / frequency)`, about 4 for 的, 7 for 起来,
    /// 15 for 产假; words the dictionary lacks count as rare.
    pub fn general_idf(&self, word: &str) -> f32 {
        const DICTIONARY_TOTAL: f64 = 60_101_964.0; // sum of the frequencies in jieba's dict.txt
        let freq = self.jieba.suggest_freq(word).max(1) as f64;
        (DICTIONARY_TOTAL / freq).ln() as f32
    }

    /// Loads the dictionary now rather than on the first query.
    pub fn warm_up(&self) {
        let _ = self.tokens("预热分词词典");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_laws_and_questions() {
        let s = ChineseSegmenter::default();
        let t = s.tokens("《中华人民共和国劳动合同法》第十九条：试用期不得超过六个月。");
        for w in ["劳动", "合同", "合同法", "试用期", "六个月", "第十九条"] {
            assert!(t.iter().any(|x| x == w), "{w} in {t:?}");
        }
        assert!(!t.iter().any(|x| x == "》" || x == "："));
        assert_eq!(s.tokens("RCEP 60%"), ["rcep", "60"]);
    }
}
