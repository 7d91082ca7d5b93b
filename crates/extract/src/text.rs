//! Character classes and comparison the readers share.

/// A Chinese character (CJK unified ideographs, extension A, compatibility ideographs).
pub fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{f900}'..='\u{faff}')
}

/// Chinese characters and full-width punctuation: a line break next to them is no space.
pub fn is_wide(c: char) -> bool {
    is_han(c) || matches!(c, '\u{3000}'..='\u{303f}' | '\u{ff00}'..='\u{ffef}' | '“' | '”' | '‘' | '’' | '—' | '…' | '·')
}

/// A text without white space (全角空格 included), for comparing lines and titles.
pub fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_and_squash() {
        assert!(is_han('条') && !is_han('，') && is_wide('，') && !is_wide('a'));
        assert_eq!(squash("第一条\u{3000}为了 规范\n"), "第一条为了规范");
    }
}
