//! Chinese and Arabic clause numbers: 十九 → 19, 一百零一 → 101, ２３ → 23.

/// Parses a clause number written in Chinese numerals (with 〇/零/两) or ASCII digits.
/// Returns `None` for anything else, including zero.
pub fn parse_number(s: &str) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    if s.chars().all(|c| c.is_ascii_digit()) {
        return s.parse().ok().filter(|&n| n > 0 && n < 100_000);
    }
    let mut total: u32 = 0;
    let mut section: u32 = 0; // value below 万
    let mut digit: Option<u32> = None;
    for c in s.chars() {
        let d = match c {
            '零' | '〇' => Some(0),
            '一' => Some(1),
            '二' | '两' => Some(2),
            '三' => Some(3),
            '四' => Some(4),
            '五' => Some(5),
            '六' => Some(6),
            '七' => Some(7),
            '八' => Some(8),
            '九' => Some(9),
            _ => None,
        };
        if let Some(d) = d {
            // Positional style (一〇一) is rare in clause numbers but cheap to accept.
            digit = Some(match digit {
                Some(prev) if prev != 0 || d != 0 => prev * 10 + d,
                _ => d,
            });
            continue;
        }
        let unit = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            '万' => 10_000,
            _ => return None,
        };
        let n = digit.take().unwrap_or(if unit == 10 { 1 } else { 0 });
        if unit == 10_000 {
            total += (section + n) * unit;
            section = 0;
        } else {
            if n == 0 && unit != 10 {
                return None;
            }
            section += n * unit;
        }
    }
    let value = total + section + digit.unwrap_or(0);
    (value > 0).then_some(value)
}

/// Writes a number the way clause labels do: 19 → 十九, 101 → 一百零一, 110 → 一百一十.
pub fn to_chinese(n: u32) -> String {
    const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    if n == 0 {
        return "零".into();
    }
    if n >= 10_000 {
        return n.to_string();
    }
    let parts = [(n / 1000, '千'), ((n / 100) % 10, '百'), ((n / 10) % 10, '十'), (n % 10, ' ')];
    let mut out = String::new();
    let mut pending_zero = false;
    for (i, (d, unit)) in parts.iter().enumerate() {
        if *d == 0 {
            if !out.is_empty() {
                pending_zero = true;
            }
            continue;
        }
        if pending_zero {
            out.push('零');
            pending_zero = false;
        }
        // 十九, not 一十九, when the number starts at the tens.
        if !(i == 2 && *d == 1 && out.is_empty()) {
            out.push(DIGITS[*d as usize]);
        }
        if *unit != ' ' {
            out.push(*unit);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_chinese_and_arabic() {
        for (s, n) in [
            ("一", 1),
            ("十", 10),
            ("十九", 19),
            ("二十", 20),
            ("二十七", 27),
            ("一百", 100),
            ("一百零一", 101),
            ("一百一十", 110),
            ("一百二十三", 123),
            ("两百", 200),
            ("一千二百六十", 1260),
            ("一千零九", 1009),
            ("19", 19),
            ("一〇一", 101),
        ] {
            assert_eq!(parse_number(s), Some(n), "{s}");
        }
        for s in ["", "零", "0", "abc", "十x", "百"] {
            assert_eq!(parse_number(s), None, "{s}");
        }
    }

    #[test]
    fn round_trips() {
        for n in 1..=1300 {
            assert_eq!(parse_number(&to_chinese(n)), Some(n), "{n} {}", to_chinese(n));
        }
        assert_eq!(to_chinese(19), "十九");
        assert_eq!(to_chinese(101), "一百零一");
        assert_eq!(to_chinese(110), "一百一十");
        assert_eq!(to_chinese(1009), "一千零九");
    }
}
