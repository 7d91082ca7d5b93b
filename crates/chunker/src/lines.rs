//! Lines of the decoded source and what each one syntactically is: a Markdown heading, a
//! numbered marker (第十条, 一、, （十）, 1., （1）), web chrome, a page continuation mark, a
//! sign-off. Whether a marker really starts a clause is decided later, against the running
//! sequence (`structure`).

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use crate::numerals::parse_number;

/// A line of the source: its trimmed byte range and 1-based number.
#[derive(Debug, Clone)]
pub struct Line {
    pub no: usize,
    pub range: Range<usize>,
    /// Leading white-space characters: a centred title line has many.
    pub indent: usize,
}

/// White space at line edges, including the full-width space government texts indent with.
pub fn is_edge_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{3000}' | '\u{a0}' | '\u{feff}' | '\u{200b}')
}

/// Splits on LF, CRLF and lone CR; returns trimmed ranges (empty for blank lines).
pub fn split_lines(text: &str) -> Vec<Line> {
    let bytes = text.as_bytes();
    let mut lines = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let push = |start: usize, end: usize, lines: &mut Vec<Line>| {
        let raw = &text[start..end];
        let rest = raw.trim_start_matches(is_edge_space);
        let lead = raw.len() - rest.len();
        let indent = raw[..lead].chars().map(|c| if c == '\t' { 4 } else { 1 }).sum();
        let trimmed = rest.trim_end_matches(is_edge_space);
        let s = start + lead;
        lines.push(Line { no: lines.len() + 1, range: s..s + trimmed.len(), indent });
    };
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                push(start, i, &mut lines);
                start = i + 1;
            }
            b'\r' => {
                push(start, i, &mut lines);
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if start < bytes.len() {
        push(start, bytes.len(), &mut lines);
    }
    lines
}

/// Folds full-width ASCII variants to ASCII and the ideographic space to a space, one
/// character for one, so that （十） and (十), ： and :, １． and 1. match alike and a match
/// length in characters maps straight back onto the source.
pub fn fold(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

/// Numbering families, outermost first. The order is the nesting order used to restart
/// lower sequences when a higher marker appears.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// 第一编
    Part,
    /// 第一分编
    SubPart,
    /// 第一章
    Chapter,
    /// 第一节
    Division,
    /// 第一条 (laws, regulations, 办法)
    Article,
    /// 一、 (意见/通知 sections)
    Section,
    /// （一） (意见 items; 项 inside an article)
    Item,
    /// 1. (points; 目 inside an article)
    Point,
    /// （1）
    SubPoint,
}

impl Family {
    pub const ALL: [Family; 9] = [
        Family::Part,
        Family::SubPart,
        Family::Chapter,
        Family::Division,
        Family::Article,
        Family::Section,
        Family::Item,
        Family::Point,
        Family::SubPoint,
    ];
}

/// A numbered marker at the start of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    pub family: Family,
    pub number: u32,
    /// 之一 → 1 in 第一百二十条之一.
    pub sub: Option<u32>,
    /// Length in characters of the marker in the line (（十） → 4, 第十九条 → 4).
    pub chars: usize,
    /// Nothing but the marker on the line ("第一条" with the body on the next line).
    pub alone: bool,
    /// Set apart from its text by white space, or alone: "第十条 用人单位…".
    pub strong: bool,
}

impl Marker {
    /// The canonical citation form: 第十九条, 第一百二十条之一, （十）, 一、, 1., （1）.
    pub fn label(&self) -> String {
        use crate::numerals::to_chinese;
        let n = to_chinese(self.number);
        match self.family {
            Family::Part => format!("第{n}编"),
            Family::SubPart => format!("第{n}分编"),
            Family::Chapter => format!("第{n}章"),
            Family::Division => format!("第{n}节"),
            Family::Article => match self.sub {
                Some(s) => format!("第{n}条之{}", to_chinese(s)),
                None => format!("第{n}条"),
            },
            Family::Section => format!("{n}、"),
            Family::Item => format!("（{n}）"),
            Family::Point => format!("{}.", self.number),
            Family::SubPoint => format!("（{}）", self.number),
        }
    }
}

const CN: &str = "零〇一二三四五六七八九十百千两";

static HEADING_FAMILY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"^第\s*([{CN}0-9]+)\s*(分编|编|章|节)(?:\s+|$)")).unwrap()
});
static ARTICLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"^第\s*([{CN}0-9]+)\s*条(?:之([一二三四五六七八九十]+))?")).unwrap()
});
static SECTION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"^([{CN}]+)\s*[、.]")).unwrap());
static ITEM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"^[(（]\s*([{CN}]+)\s*[)）]")).unwrap());
static POINT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^([0-9]{1,3})\s*[.、]").unwrap());
static SUBPOINT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[(（]\s*([0-9]{1,3})\s*[)）]").unwrap());

/// Words that, right after 第N条, make it a cross reference in running text
/// ("第三条规定的情形", "第十条第二款", "第五条至第九条") rather than an article start.
const CROSS_REFERENCE_FOLLOWERS: &[&str] = &[
    "规定", "的", "所", "中", "至", "到", "、", "和", "与", "或", "及", "之规定", "第", "款", "项",
    "等", "以", "作出", "未", "没有", "有关", "关于", "，", ",", "。", "；",
];

/// Recognises a numbered marker at the start of a (folded) line.
pub fn marker(folded: &str) -> Option<Marker> {
    // Web copies converted to Markdown often bold the label: "**（一）加强组织领导。**…",
    // "**第一条** 为了…". The emphasis is not part of the label.
    let lead = folded.len() - folded.trim_start_matches(['*', '_']).len();
    let mut m = marker_plain(&folded[lead..])?;
    m.chars += lead;
    Some(m)
}

fn marker_plain(folded: &str) -> Option<Marker> {
    let alone_after = |end: usize| folded[end..].trim_matches(|c: char| c.is_whitespace() || c == '*' || c == '_').is_empty();
    if let Some(c) = HEADING_FAMILY.captures(folded) {
        let family = match &c[2] {
            "编" => Family::Part,
            "分编" => Family::SubPart,
            "章" => Family::Chapter,
            _ => Family::Division,
        };
        let m = c.get(0).unwrap();
        return Some(Marker {
            family,
            number: parse_number(&c[1])?,
            sub: None,
            chars: folded[..m.end()].trim_end().chars().count(),
            alone: alone_after(m.end()),
            strong: true,
        });
    }
    if let Some(c) = ARTICLE.captures(folded) {
        let m = c.get(0).unwrap();
        let rest = folded[m.end()..].trim_start_matches(['*', '_']);
        let rest_trim = rest.trim_start();
        // "第三条规定的…" is a cross reference unless the label is set apart by a space.
        if rest.len() == rest_trim.len()
            && CROSS_REFERENCE_FOLLOWERS.iter().any(|w| rest_trim.starts_with(w))
        {
            return None;
        }
        return Some(Marker {
            family: Family::Article,
            number: parse_number(&c[1])?,
            sub: c.get(2).and_then(|s| parse_number(s.as_str())),
            chars: folded[..m.end()].chars().count(),
            alone: rest_trim.is_empty(),
            strong: rest_trim.is_empty() || rest.len() != rest_trim.len(),
        });
    }
    let simple = |re: &Regex, family: Family| -> Option<Marker> {
        let c = re.captures(folded)?;
        let m = c.get(0).unwrap();
        let rest = &folded[m.end()..];
        // "1.5万亿元" and "一.5" are numbers, not points.
        if matches!(family, Family::Point | Family::Section)
            && rest.starts_with(|ch: char| ch.is_ascii_digit())
        {
            return None;
        }
        Some(Marker {
            family,
            number: parse_number(&c[1])?,
            sub: None,
            chars: folded[..m.end()].chars().count(),
            alone: rest.trim_matches(|c: char| c.is_whitespace() || c == '*' || c == '_').is_empty(),
            strong: false,
        })
    };
    simple(&ITEM, Family::Item)
        .or_else(|| simple(&SUBPOINT, Family::SubPoint))
        .or_else(|| simple(&SECTION, Family::Section))
        .or_else(|| simple(&POINT, Family::Point))
}

/// A Markdown ATX heading: level and the byte range of its text within the line.
pub fn markdown_heading(line: &str) -> Option<(u8, Range<usize>)> {
    let hashes = line.bytes().take_while(|&b| b == b'#').count();
    if !(1..=6).contains(&hashes) {
        return None;
    }
    let rest = &line[hashes..];
    if !rest.is_empty() && !rest.starts_with([' ', '\t', '\u{3000}']) {
        return None;
    }
    let text = rest.trim_matches(is_edge_space).trim_end_matches('#').trim_end_matches(is_edge_space);
    if text.is_empty() {
        return None;
    }
    let start = hashes + (rest.len() - rest.trim_start_matches(is_edge_space).len());
    Some((hashes as u8, start..start + text.len()))
}

static CHROME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:",
        // 来源：… 发布时间：… 浏览次数：…
        r"(?:信息|文章|稿件)?来源\s*:|发布(?:时间|日期|机构)\s*:|(?:浏览|阅读|点击|访问)(?:次数|量|数)?\s*:|",
        r"责任编辑\s*:|【?\s*字[号体]\s*[:：]?|[【\[]?\s*(?:打印|关闭|打印本页|关闭窗口|收藏|我要纠错|纠错)\s*[】\]]|",
        r"分享到|扫一扫|上一篇|下一篇|返回顶部|相关链接|相关文档|相关阅读",
        r")"
    ))
    .unwrap()
});
static BREADCRUMB: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:(?:当前位置|您的位置|您现在的位置|所在位置)\s*:|首页\s*[>»/›])").unwrap()
});
/// A newspaper page header: "江川日报 2024年1月8日 星期一 第1版 要闻".
static PAGE_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"第\s*[0-9一二三四五六七八九十]{1,3}\s*版.*|星期[一二三四五六日天].*第\s*[0-9一二三四五六七八九十]{1,3}\s*版").unwrap()
});
static PAGE_HEADER_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[0-9]{4}\s*年\s*[0-9]{1,2}\s*月\s*[0-9]{1,2}\s*日|星期[一二三四五六日天]").unwrap()
});
static CHROME_ANYWHERE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:字号\s*[:：]?\s*[【\[]?\s*大\s*[】\]]?\s*[【\[]?\s*中|浏览次数|【\s*打印\s*】|【\s*关闭\s*】|扫一扫在手机)").unwrap()
});

/// Web-page chrome: source/date/view-count lines, font-size switches, print/close/share
/// links, previous/next links. Only short lines qualify, so a sentence that mentions 来源
/// is never dropped.
pub fn is_web_chrome(folded: &str) -> bool {
    let n = folded.chars().count();
    n <= 120
        && (CHROME.is_match(folded)
            || CHROME_ANYWHERE.is_match(folded)
            || BREADCRUMB.is_match(folded)
            || (n <= 60 && !ends_sentence(folded) && PAGE_HEADER.is_match(folded) && PAGE_HEADER_DATE.is_match(folded)))
}

static CONTINUATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[(\[【]\s*(?:上接|下转|紧接|转)\s*(?:第\s*)?[0-9A-Za-z一二三四五六七八九十]{0,4}\s*(?:版|页|面)?\s*[)\]】]").unwrap()
});

/// A page continuation mark at the start of a line, "(上接第1版)", "（下转第3版）": its
/// length in characters.
pub fn continuation_mark(folded: &str) -> Option<usize> {
    CONTINUATION.find(folded).map(|m| folded[..m.end()].chars().count())
}

static END_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:新华社\S{0,8}电|\(\s*完\s*\)|\(此件\S{0,10}\)|本报\S{0,8}电)$").unwrap()
});
static DATE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"^(?:[0-9]{{4}}|[{CN}]{{4}})\s*年\s*[{CN}0-9]{{1,3}}\s*月\s*[{CN}0-9]{{1,3}}\s*日$")).unwrap()
});

/// A sign-off that ends an article or a document: "新华社北京电", "（完）", "（此件公开发布）".
pub fn is_end_marker(folded: &str) -> bool {
    END_MARKER.is_match(folded)
}

/// A date alone on its line, as under a document's signature: "2024年5月10日".
pub fn is_date_line(folded: &str) -> bool {
    DATE_LINE.is_match(folded)
}

static ATTACHMENT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^附\s*件\s*(?:[:：]|[0-9一二三四五六七八九十]+\s*[:：.．、]?|$)").unwrap());

/// The list of a notice's attachments after its body: "附件：重点任务分工及进度安排",
/// "附件:1．申请表", "附件2". Not part of the last clause, whose text it would otherwise end.
pub fn is_attachment_line(folded: &str) -> bool {
    ATTACHMENT.is_match(folded.trim_start())
}

static TOC: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^目\s*录$").unwrap());

pub fn is_toc_heading(folded: &str) -> bool {
    TOC.is_match(folded)
}

static TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:法|条例|规定|办法|细则|规则|意见|通知|通告|公告|方案|决定|纲要|规划|指引|指南|批复|决议|通报|措施|章程|准则|守则|函)(?:\s*\([^)]{1,30}\))?$").unwrap()
});

/// A line that reads like a document title: "关于进一步做好稳就业工作的通知",
/// "中华人民共和国劳动合同法", "某某管理办法（试行）". Position decides whether it is one.
pub fn looks_like_title(folded: &str) -> bool {
    let t = folded.trim_matches(|c| c == '《' || c == '》');
    let n = t.chars().count();
    (4..=80).contains(&n) && TITLE.is_match(t) && !ends_sentence(t) && marker(t).is_none()
}

/// Characters that end a sentence (or a clause that may stand at a paragraph end).
pub fn ends_sentence(s: &str) -> bool {
    let s = s.trim_end_matches(is_edge_space);
    let mut rev = s.chars().rev();
    match rev.next() {
        None => true,
        Some(c) if "。！？!?；;…:：".contains(c) => true,
        // A closing quote or bracket ends a sentence only after a terminal mark: 。” 。）
        Some(c) if "”’」』\"')）】]".contains(c) => {
            rev.next().is_some_and(|p| "。！？!?；;…".contains(p))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Option<(Family, u32, usize, bool)> {
        marker(&fold(s)).map(|m| (m.family, m.number, m.chars, m.alone))
    }

    #[test]
    fn recognises_markers_in_both_widths() {
        assert_eq!(m("第十九条 劳动合同期限"), Some((Family::Article, 19, 4, false)));
        assert_eq!(m("第一条"), Some((Family::Article, 1, 3, true)));
        assert_eq!(m("第 19 条　用人单位"), Some((Family::Article, 19, 6, false)));
        assert_eq!(m("（十）落实企业"), Some((Family::Item, 10, 3, false)));
        assert_eq!(m("(十)落实企业"), Some((Family::Item, 10, 3, false)));
        assert_eq!(m("四、适应新型工业化"), Some((Family::Section, 4, 2, false)));
        assert_eq!(m("1.加强领导"), Some((Family::Point, 1, 2, false)));
        assert_eq!(m("１．加强领导"), Some((Family::Point, 1, 2, false)));
        assert_eq!(m("（3）其他"), Some((Family::SubPoint, 3, 3, false)));
        assert_eq!(m("第二章 总则"), Some((Family::Chapter, 2, 3, false)));
        assert_eq!(m("第一分编 通则"), Some((Family::SubPart, 1, 4, false)));
        assert_eq!(m("第三节"), Some((Family::Division, 3, 3, true)));
        assert_eq!(m("**（一）加强组织领导。**各地要"), Some((Family::Item, 1, 5, false)));
        assert_eq!(m("**第一条** 为了规范"), Some((Family::Article, 1, 5, false)));
        assert_eq!(m("**第一条**"), Some((Family::Article, 1, 5, true)));
        let a = marker("第一百二十条之一 组织").unwrap();
        assert_eq!((a.number, a.sub, a.label()), (120, Some(1), "第一百二十条之一".into()));
    }

    #[test]
    fn cross_references_and_numbers_are_not_markers() {
        for s in ["第三条规定的情形", "第十条第二款", "第五条至第九条", "1.5万亿元", "2024年", "一是加强"] {
            assert_eq!(m(s), None, "{s}");
        }
    }

    #[test]
    fn chrome_and_marks() {
        for s in [
            "来源：人力资源社会保障部网站　　发布时间：2024-03-12",
            "字号：大 中 小",
            "【打印】【关闭】",
            "分享到：微信 微博",
            "扫一扫在手机打开当前页",
            "上一篇：关于做好工作的通知",
            "浏览字号：大 中 小",
            "当前位置：首页 > 信息公开 > 政策文件",
            "首页 > 政务公开 > 政策法规",
            "江川日报　　2024年1月8日　星期一　　第1版　要闻",
        ] {
            assert!(is_web_chrome(&fold(s)), "{s}");
        }
        assert!(!is_web_chrome(&fold("资金来源主要包括财政补贴、企业缴费和个人缴费。")));
        assert_eq!(continuation_mark(&fold("(上接第1版)")), Some(7));
        assert_eq!(continuation_mark(&fold("（下转第3版）")), Some(7));
        assert!(is_end_marker("新华社北京电"));
        assert!(is_date_line("2024年5月10日"));
        assert!(is_date_line("二〇二四年五月十日"));
    }

    #[test]
    fn titles_and_sentence_ends() {
        assert!(looks_like_title("关于进一步做好稳就业工作的通知"));
        assert!(looks_like_title("中华人民共和国劳动合同法"));
        assert!(looks_like_title(&fold("职业技能培训补贴管理办法（试行）")));
        assert!(!looks_like_title("（十）落实企业培养产业工人的责任办法"));
        assert!(ends_sentence("保障劳动者合法权益。"));
        assert!(ends_sentence("他说：“好。”"));
        assert!(!ends_sentence("在推动全国性巨灾保"));
        assert!(!ends_sentence("扩展（试点）"));
    }
}
