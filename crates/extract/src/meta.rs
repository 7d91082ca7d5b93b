//! Metadata a 公文 states in its own text: the 文号 line under the title, "自…起施行", and the
//! labelled fields of a publisher's metadata table (索引号：…　主题分类：…).

use std::sync::LazyLock;

use policyqa_core::DocumentMeta;
use regex::Regex;

/// 国办发〔2024〕10号, 人社部发[2023]15号, 京政发（2024）3号: an issuer's prefix, the year in
/// brackets, the number.
static DOC_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[\p{Han}A-Za-z]{1,16}[〔\[［【(（]\s*(?:19|20)\d{2}\s*[〕\]］】)）]\s*第?\s*\d{1,5}\s*号$").expect("valid"));

static EFFECTIVE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"自((?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)(?:起)?(?:施行|实施|生效)").expect("valid"));

/// "关于……的通知_国务院文件_中国政府网" → "关于……的通知".
pub fn site_title(t: &str) -> String {
    let first = t.split(['_', '|', '—', '–']).map(str::trim).find(|s| !s.is_empty()).unwrap_or(t);
    // "…的通知-江州市人民政府门户网站": a hyphen before the site's name ("2024-2026年" stays).
    match first.rsplit_once('-') {
        Some((head, site)) if ["网", "网站", "门户", "政府", "部", "局", "厅", "委", "委员会", "办公室", "中心"].iter().any(|w| site.trim().ends_with(w)) => head.trim().to_string(),
        _ => first.to_string(),
    }
}

/// Whether a line is a 文号 line.
pub fn is_doc_number(line: &str) -> bool {
    DOC_NUMBER.is_match(line.trim())
}

/// What the first lines of a document's text state: its 文号 (a line of its own near the
/// top) and when it takes effect.
pub fn from_text(text: &str) -> DocumentMeta {
    let doc_number = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(12)
        .find(|l| is_doc_number(l))
        .map(|l| l.split_whitespace().collect::<String>());
    // One "自…起施行" only: a file of several documents (a newspaper page) may give each its own.
    let mut dates = EFFECTIVE.captures_iter(text).map(|c| c[1].split_whitespace().collect::<String>());
    let effective = match (dates.next(), dates.next()) {
        (Some(d), None) => Some(d),
        _ => None,
    };
    DocumentMeta { doc_number, effective, ..Default::default() }
}

/// A label of a publisher's metadata table (white space and the colon removed) → the field.
pub fn set_labelled(meta: &mut DocumentMeta, title: &mut Option<String>, label: &str, value: &str) -> bool {
    let label: String = label.chars().filter(|c| !c.is_whitespace() && !matches!(c, '：' | ':' | '\u{3000}' | '\u{a0}')).collect();
    let value = value.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}' || c == '\u{a0}').to_string();
    if value.is_empty() {
        return false;
    }
    let slot = match label.as_str() {
        "索引号" => &mut meta.index_number,
        "主题分类" | "主题词" | "分类" => &mut meta.subject,
        "发文机关" | "发布机构" | "发文单位" | "制发机关" | "公布机关" => &mut meta.issuer,
        "成文日期" | "成文时间" => &mut meta.written,
        "发文字号" | "文号" | "发文号" => &mut meta.doc_number,
        "发布日期" | "发布时间" | "公布日期" | "印发日期" => &mut meta.published,
        "施行日期" | "生效日期" | "实施日期" => &mut meta.effective,
        "标题" | "名称" => title,
        _ => return false,
    };
    if slot.is_none() {
        *slot = Some(value);
    }
    true
}

/// Every label `set_labelled` knows.
const LABELS: &[&str] = &[
    "索引号", "主题分类", "主题词", "分类", "发文机关", "发布机构", "发文单位", "制发机关", "公布机关", "成文日期", "成文时间", "发文字号", "文号", "发文号", "发布日期",
    "发布时间", "公布日期", "印发日期", "施行日期", "生效日期", "实施日期", "标题", "名称",
];

/// A label and its colon anywhere in a line, the label's characters spaced apart or not
/// ("标　　题：", "索 引 号:"): how a printed page's metadata table reads.
static LABEL_IN_LINE: LazyLock<Regex> = LazyLock::new(|| {
    let mut labels: Vec<String> = LABELS.iter().map(|l| l.chars().map(|c| regex::escape(&c.to_string())).collect::<Vec<_>>().join(r"[\s\u{3000}]*")).collect();
    // The longest first: 发文字号 before 文号.
    labels.sort_by_key(|l| std::cmp::Reverse(l.len()));
    Regex::new(&format!(r"({})[\s\u{{3000}}]*[：:]", labels.join("|"))).expect("valid")
});

/// Reads a line of label：value pairs ("发文机关：　国务院办公厅　成文日期：　2025年02月18日");
/// whether the line starts with a label.
pub fn read_labelled_line(line: &str, meta: &mut DocumentMeta, title: &mut Option<String>) -> bool {
    let line = line.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
    let found: Vec<regex::Match> = LABEL_IN_LINE.find_iter(line).collect();
    if found.first().is_none_or(|m| m.start() != 0) {
        return false;
    }
    for (k, m) in found.iter().enumerate() {
        let end = found.get(k + 1).map_or(line.len(), |n| n.start());
        set_labelled(meta, title, m.as_str(), &line[m.end()..end]);
    }
    true
}

/// Whether a table cell is one of those labels.
pub fn is_label(cell: &str) -> bool {
    let mut m = DocumentMeta::default();
    let mut t = None;
    let bare = cell.trim().trim_end_matches(['：', ':']);
    bare.chars().count() <= 8 && set_labelled(&mut m, &mut t, bare, "x")
}

/// "索 引 号：　000014349/2024-00051　主题分类：　劳动" read as labelled fields; a cell may
/// hold its label and value together ("发文字号：国办发〔2024〕10号").
pub fn read_labelled_row<S: AsRef<str>>(cells: &[S], meta: &mut DocumentMeta, title: &mut Option<String>) {
    let mut i = 0;
    while i < cells.len() {
        let cell = cells[i].as_ref().trim();
        if is_label(cell) {
            if let Some(value) = cells.get(i + 1).map(AsRef::as_ref).filter(|v| !is_label(v)) {
                set_labelled(meta, title, cell, value);
                i += 2;
                continue;
            }
        } else if let Some((label, value)) = cell.split_once(['：', ':'])
            && label.chars().count() <= 8
        {
            set_labelled(meta, title, label, value);
        }
        i += 1;
    }
}

/// A line of the metadata table ("索引号：…　主题分类：…", "发布机构：…").
pub fn is_metadata_row(line: &str) -> bool {
    let cells: Vec<&str> = line.split('　').collect();
    (cells.len() >= 2 && is_label(cells[0])) || line.split_once(['：', ':']).is_some_and(|(label, _)| is_label(label))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_numbers_and_effective_dates_are_read_from_the_text() {
        let m = from_text("国务院办公厅关于做好稳就业工作的通知\n国办发〔2024〕10号\n\n各省……\n本办法自2024年3月1日起施行。");
        assert_eq!(m.doc_number.as_deref(), Some("国办发〔2024〕10号"));
        assert_eq!(m.effective.as_deref(), Some("2024年3月1日"));
        assert!(is_doc_number("人社部发[2023]15号"));
        assert!(is_doc_number("京政发（2024）3号"));
        assert!(!is_doc_number("按照国办发〔2024〕10号文件要求，做好工作"));
        // Two documents, two dates: neither is the file's.
        assert_eq!(from_text("本办法自2024年3月1日起施行。\n本规定自2025年1月1日起施行。").effective, None);
    }

    #[test]
    fn a_page_title_without_the_sites_name() {
        assert_eq!(site_title("国务院办公厅关于进一步做好稳就业工作的通知_国务院文件_中国政府网"), "国务院办公厅关于进一步做好稳就业工作的通知");
        assert_eq!(site_title("关于印发实施办法的通知-江州市人民政府门户网站"), "关于印发实施办法的通知");
        assert_eq!(site_title("2024-2026年行动计划"), "2024-2026年行动计划");
    }

    #[test]
    fn labels_of_a_metadata_table() {
        let (mut m, mut t) = (DocumentMeta::default(), None);
        assert!(set_labelled(&mut m, &mut t, "索 引 号：", "000014349/2024-00051"));
        assert!(set_labelled(&mut m, &mut t, "标　　题：", "关于……的通知"));
        assert!(!set_labelled(&mut m, &mut t, "浏览次数", "12"));
        assert_eq!(m.index_number.as_deref(), Some("000014349/2024-00051"));
        assert_eq!(t.as_deref(), Some("关于……的通知"));
        assert!(is_label("发文字号："));
        assert!(!is_label("国办发〔2024〕10号"));
    }
}
