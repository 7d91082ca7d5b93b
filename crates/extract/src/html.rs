//! Web pages (saved from a browser, or uploaded): the main content found by the publishers'
//! conventions (gov.cn's `#UCAP-CONTENT` / `.pages_content`, npc.gov.cn's `#Zoom`, the TRS
//! editor's `.TRS_Editor`, `.article-content`…) with a paragraph-density fallback for
//! unknown layouts; navigation, scripts, share bars, footers and related links left out;
//! paragraphs, line breaks, headings and table rows kept as lines. The charset comes from the
//! page's declaration, else from the bytes (GBK pages are common). Metadata from the meta
//! tags (ArticleTitle, PubDate, the canonical link) and a publisher's metadata table.

use std::collections::{HashMap, HashSet};

use ego_tree::{NodeId, NodeRef};
use policyqa_core::{DocumentMeta, SourceRef, WarningKind};
use scraper::{ElementRef, Html, Node, Selector};

use crate::meta;
use crate::text::{is_han, is_wide, squash};
use crate::{Extracted, ExtractError, Format, Note};

/// Whether the bytes are a web page: they open with markup (after a BOM and white space),
/// and an `<html>`, `<head>` or `<body>` tag or a doctype is near the start.
pub fn looks_like_html(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let start = head.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(head.len());
    if head.get(start) != Some(&b'<') {
        return false;
    }
    let lower = head.to_ascii_lowercase();
    [&b"<!doctype html"[..], b"<html", b"<head", b"<body", b"<meta "].iter().any(|tag| lower.windows(tag.len()).any(|w| w == *tag))
}

/// Where publishers put the document, most specific first.
const CONTENT_SELECTORS: &[&str] = &[
    "#UCAP-CONTENT",
    ".pages_content",
    "#Zoom",
    "#zoom",
    ".TRS_Editor",
    ".trs_editor",
    ".article-content",
    ".article_content",
    "#articleContent",
    ".zw",
    "#zw",
    ".view",
    "#content",
    ".content",
    "article",
    "main",
];

/// Elements never part of a document's text.
const SKIPPED_TAGS: &[&str] = &["script", "style", "noscript", "iframe", "form", "button", "nav", "footer", "aside", "select", "input", "textarea", "svg", "object", "embed", "template", "head"];

/// Class or id words of page chrome inside a content area.
const CHROME_WORDS: &[&str] = &["share", "nav", "menu", "footer", "breadcrumb", "crumb", "related", "relevant", "print", "toolbar", "sidebar", "advert", "banner", "comment", "qrcode", "erweima", "fontsize", "zihao", "pagination", "bdshare", "jiathis", "social"];

const BLOCK_TAGS: &[&str] = &[
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "section", "article", "blockquote", "pre", "table", "tbody", "thead", "center", "header", "main", "figure", "figcaption", "hr", "address", "caption",
];

pub fn extract(bytes: &[u8]) -> Result<Extracted, ExtractError> {
    let (source, encoding) = decode_page(bytes)?;
    let page = Html::parse_document(&source);
    let mut notes = Vec::new();
    if encoding != "UTF-8" {
        notes.push(Note::new(WarningKind::Decoded, format!("decoded from {encoding}")));
    }
    let mut meta = DocumentMeta { format: "html".into(), ..Default::default() };
    let mut title: Option<String> = None;
    // The metadata table (gov.cn: 索引号 / 主题分类 / 发文机关 / 成文日期 / 标题 / 发文字号 /
    // 发布日期), wherever it sits on the page: what a reader sees comes first, the meta tags
    // fill what it does not state.
    // Only the table rows and list items are read for it: walking the whole page twice
    // halved the throughput.
    if let Some(rows) = selector("tr") {
        for row in page.select(&rows) {
            let cells: Vec<String> = row
                .children()
                .filter_map(ElementRef::wrap)
                .filter(|c| matches!(c.value().name(), "td" | "th"))
                .map(|c| clean_inline(&c.text().collect::<String>()))
                .filter(|c| !c.is_empty())
                .collect();
            meta::read_labelled_row(&cells, &mut meta, &mut title);
        }
    }
    // Lists of "label：value" (a city portal's <li><span>索引号：</span>…</li>).
    if let Some(items) = selector("li") {
        for item in page.select(&items) {
            let line = clean_inline(&item.text().collect::<String>());
            if let Some((label, value)) = line.split_once(['：', ':'])
                && meta::is_label(label)
            {
                meta::set_labelled(&mut meta, &mut title, label, value);
            }
        }
    }
    title = title.or_else(|| meta_content(&page, &["ArticleTitle", "articletitle", "title"]));
    meta.published = meta.published.or_else(|| meta_content(&page, &["PubDate", "pubdate", "firstpublishedtime", "publishdate", "publishtime"]));
    meta.url = select_first(&page, "link[rel=canonical]")
        .and_then(|e| e.value().attr("href").map(str::to_string))
        .or_else(|| select_first(&page, r#"meta[property="og:url"]"#).and_then(|e| e.value().attr("content").map(str::to_string)))
        .filter(|u| u.starts_with("http"));

    let (content, found_by) = main_content(&page);
    let mut lines = Lines::default();
    let mut dropped = Dropped::default();
    walk(*content, &mut lines, &mut dropped);
    lines.flush();
    // A metadata table inside the content area is not the document's text.
    let mut text_lines: Vec<(String, Option<NodeId>)> = lines.lines.into_iter().filter(|(l, _)| !meta::is_metadata_row(l)).collect();
    match found_by {
        Some(sel) => notes.push(Note::new(WarningKind::Extracted, format!("main content found by {sel}"))),
        None => notes.push(Note::new(WarningKind::Extracted, "main content found by paragraph density (no known publisher layout)")),
    }
    if !dropped.items.is_empty() {
        notes.push(Note::new(WarningKind::RemovedWebChrome, format!("left out of the page: {}", dropped.describe())));
    }

    // The title: the page's own statement, else its first heading, else <title> without the
    // site's name.
    let title = title
        .or_else(|| heading(&page))
        .or_else(|| select_first(&page, "title").map(|t| meta::site_title(&t.text().collect::<String>())))
        .map(|t| clean_inline(&t))
        .filter(|t| t.chars().any(is_han) || t.chars().count() >= 4);
    if let Some(t) = &title {
        let same = |l: &(String, Option<NodeId>)| squash(&l.0) == squash(t);
        // The content often repeats the title (an <h1> or a centred first paragraph): the
        // title takes its place at the top, and its element.
        let at = match text_lines.iter().take(3).position(same) {
            Some(i) => text_lines.remove(i).1,
            None => None,
        };
        text_lines.insert(0, (t.clone(), at));
    }
    // Elements by their position in the document, for the lines' origins.
    let wanted: HashSet<NodeId> = text_lines.iter().filter_map(|(_, id)| *id).collect();
    let order: HashMap<NodeId, (usize, &str)> = page
        .root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
        .enumerate()
        .filter(|(_, e)| wanted.contains(&e.id()))
        .map(|(i, e)| (e.id(), (i, e.value().name())))
        .collect();
    let origins = crate::line_origins(
        &text_lines
            .iter()
            .map(|(l, id)| (l.as_str(), id.and_then(|id| order.get(&id)).map(|(index, tag)| SourceRef::Element { index: *index, tag: tag.to_string() })))
            .collect::<Vec<_>>(),
    );
    let text = text_lines.into_iter().map(|(l, _)| l).collect::<Vec<_>>().join("\n");
    if !text.chars().any(|c| c.is_alphanumeric()) {
        return Err(ExtractError::NoText("HTML"));
    }
    let stated = meta::from_text(&text);
    meta.doc_number = meta.doc_number.or(stated.doc_number);
    meta.effective = meta.effective.or(stated.effective);
    Ok(Extracted { format: Format::Html, text, title, meta, notes, page_starts: Vec::new(), origins })
}

/// The page's text and the encoding it was read as: a BOM, else the declared charset (a
/// `<meta charset>` or `http-equiv` in the first bytes), else what the bytes decode as.
fn decode_page(bytes: &[u8]) -> Result<(String, &'static str), ExtractError> {
    if encoding_rs::Encoding::for_bom(bytes).is_none()
        && let Some(enc) = declared_charset(bytes)
    {
        // GB2312 and GBK pages often hold characters only GB18030 has: read them as it.
        let enc = if enc == encoding_rs::GBK { encoding_rs::GB18030 } else { enc };
        let (text, had_errors) = enc.decode_without_bom_handling(bytes);
        if !had_errors {
            return Ok((text.into_owned(), enc.name()));
        }
    }
    let decoded = crate::decode(bytes)?;
    Ok((decoded.text, decoded.encoding))
}

fn declared_charset(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_ascii_lowercase();
    let at = head.find("charset=")?;
    let rest = head[at + 8..].trim_start_matches(['"', '\'', ' ']);
    let label: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
    encoding_rs::Encoding::for_label(label.as_bytes())
}

fn selector(s: &str) -> Option<Selector> {
    Selector::parse(s).ok()
}

fn select_first<'a>(page: &'a Html, s: &str) -> Option<ElementRef<'a>> {
    page.select(&selector(s)?).next()
}

fn meta_content(page: &Html, names: &[&str]) -> Option<String> {
    names.iter().find_map(|n| {
        let e = select_first(page, &format!(r#"meta[name="{n}"]"#))?;
        e.value().attr("content").map(str::trim).filter(|c| !c.is_empty()).map(str::to_string)
    })
}

/// The first heading with Chinese in it.
fn heading(page: &Html) -> Option<String> {
    for s in ["h1", ".article-title", ".tit", ".title", r#"[class*="title"]"#, "h2"] {
        if let Some(sel) = selector(s) {
            for e in page.select(&sel) {
                let t = clean_inline(&e.text().collect::<String>());
                if t.chars().filter(|c| is_han(*c)).count() >= 4 {
                    return Some(t);
                }
            }
        }
    }
    None
}

/// The content element: the first publisher selector that holds text, else the element
/// whose own paragraphs hold the most Chinese.
fn main_content(page: &Html) -> (ElementRef<'_>, Option<&'static str>) {
    for s in CONTENT_SELECTORS {
        let Some(sel) = selector(s) else { continue };
        if let Some(e) = page.select(&sel).find(|e| cjk_count(e) >= 20) {
            return (e, Some(s));
        }
    }
    // Each paragraph (a <p>, or text written straight into a block) counts its Chinese for
    // the element holding it and half for the one above (readability's rule), so a body
    // whose articles sit partly in <p>s and partly in an inner <div> is taken whole.
    let mut scores: HashMap<NodeId, usize> = HashMap::new();
    for node in page.root_element().descendants() {
        let n = match node.value() {
            Node::Text(t) if node.parent().and_then(ElementRef::wrap).is_some_and(|p| p.value().name() != "p") => t.chars().filter(|c| is_han(*c)).count(),
            Node::Element(e) if e.name() == "p" => ElementRef::wrap(node).map_or(0, |p| cjk_count(&p)),
            _ => 0,
        };
        if n == 0 || node.ancestors().filter_map(ElementRef::wrap).any(|a| is_chrome(&a) || SKIPPED_TAGS.contains(&a.value().name())) {
            continue;
        }
        if let Some(parent) = node.parent() {
            *scores.entry(parent.id()).or_default() += 2 * n;
            if let Some(grand) = parent.parent() {
                *scores.entry(grand.id()).or_default() += n;
            }
        }
    }
    let best = scores
        .into_iter()
        .filter_map(|(id, score)| Some((score, ElementRef::wrap(page.tree.get(id)?)?)))
        .filter(|(_, e)| matches!(e.value().name(), "div" | "td" | "section" | "article" | "main" | "body" | "center" | "font"))
        .max_by_key(|(score, e)| (*score, std::cmp::Reverse(e.id())));
    match best {
        Some((n, e)) if n > 0 => (e, None),
        _ => (select_first(page, "body").unwrap_or_else(|| page.root_element()), None),
    }
}

fn cjk_count(e: &ElementRef) -> usize {
    e.text().flat_map(str::chars).filter(|c| is_han(*c)).count()
}


fn is_chrome(e: &ElementRef) -> bool {
    let v = e.value();
    let words = v.id().into_iter().chain(v.classes()).map(|w| w.to_ascii_lowercase()).collect::<Vec<_>>();
    words.iter().any(|w| CHROME_WORDS.iter().any(|c| w.contains(c)))
        || matches!(v.attr("style").map(|s| s.replace(' ', "").to_ascii_lowercase()), Some(s) if s.contains("display:none"))
}

/// What was left out, counted by kind.
#[derive(Default)]
struct Dropped {
    items: Vec<(String, usize)>,
}

impl Dropped {
    fn add(&mut self, what: String) {
        match self.items.iter_mut().find(|(w, _)| *w == what) {
            Some((_, n)) => *n += 1,
            None => self.items.push((what, 1)),
        }
    }

    fn describe(&self) -> String {
        self.items.iter().map(|(w, n)| if *n > 1 { format!("{w} ×{n}") } else { w.clone() }).collect::<Vec<_>>().join(", ")
    }
}

/// Lines of text as a browser lays them out: a block starts a line, `<br>` breaks one, the
/// cells of a table row share a line. Each line keeps the element its text starts in.
#[derive(Default)]
struct Lines {
    lines: Vec<(String, Option<NodeId>)>,
    current: String,
    origin: Option<NodeId>,
}

impl Lines {
    fn push_text(&mut self, t: &str, element: Option<NodeId>) {
        if self.current.trim().is_empty() && !t.trim().is_empty() {
            self.origin = element;
        }
        self.current.push_str(t);
    }

    fn flush(&mut self) {
        let line = clean_inline(&self.current);
        self.current.clear();
        if !line.is_empty() {
            self.lines.push((line, self.origin.take()));
        }
    }
}

/// Inline text cleaned: runs of white space become one space, or none between Chinese
/// characters (a line break in the markup is not a space in Chinese); the paragraph's
/// indentation (全角空格, &nbsp;) trimmed.
fn clean_inline(s: &str) -> String {
    let mut out = String::new();
    // A run of white space: whether it held a space the author typed (全角空格, &nbsp;),
    // which stays as one 全角空格 ("第一条　为了…"), or only the markup's line breaks.
    let (mut pending, mut typed) = (false, false);
    for c in s.chars() {
        if c.is_whitespace() || c == '\u{a0}' || c == '\u{200b}' {
            pending = !out.is_empty();
            typed |= matches!(c, '\u{3000}' | '\u{a0}');
            continue;
        }
        if pending {
            let prev = out.chars().last().unwrap_or(' ');
            if typed {
                out.push('\u{3000}');
            } else if !(is_wide(prev) || is_wide(c)) {
                out.push(' ');
            }
        }
        (pending, typed) = (false, false);
        out.push(c);
    }
    out
}



fn walk(node: NodeRef<'_, Node>, out: &mut Lines, dropped: &mut Dropped) {
    match node.value() {
        Node::Text(t) => out.push_text(t, node.parent().map(|p| p.id())),
        Node::Element(e) => {
            let name = e.name();
            if SKIPPED_TAGS.contains(&name) {
                if name != "head" {
                    dropped.add(format!("<{name}>"));
                }
                return;
            }
            if let Some(el) = ElementRef::wrap(node) && is_chrome(&el) {
                let what = el.value().id().map(|i| format!("#{i}")).or_else(|| el.value().classes().next().map(|c| format!(".{c}"))).unwrap_or_else(|| format!("<{name}>"));
                dropped.add(what);
                return;
            }
            match name {
                "br" => out.flush(),
                "tr" => {
                    out.flush();
                    let mut cells = Vec::new();
                    for child in node.children() {
                        if let Some(cell) = ElementRef::wrap(child).filter(|c| matches!(c.value().name(), "td" | "th")) {
                            let mut inner = Lines::default();
                            walk(child, &mut inner, dropped);
                            inner.flush();
                            let _ = cell;
                            cells.push(inner.lines.into_iter().map(|(l, _)| l).collect::<Vec<_>>().join(" "));
                        }
                    }
                    let cells: Vec<String> = cells.into_iter().filter(|c| !c.is_empty()).collect();
                    if !cells.is_empty() {
                        out.lines.push((cells.join("　"), Some(node.id())));
                    }
                }
                _ if BLOCK_TAGS.contains(&name) => {
                    out.flush();
                    for child in node.children() {
                        walk(child, out, dropped);
                    }
                    out.flush();
                }
                _ => {
                    for child in node.children() {
                        walk(child, out, dropped);
                    }
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_white_space_as_chinese_reads_it() {
        assert_eq!(clean_inline("\u{3000}\u{3000}第一条\u{3000}为了规范\n   工作，制定 本办法。"), "第一条\u{3000}为了规范工作，制定本办法。");
        assert_eq!(clean_inline("第二条&nbsp;".replace("&nbsp;", "\u{a0}").as_str()), "第二条");
        assert_eq!(clean_inline("Qdrant  server 2024年"), "Qdrant server 2024年");
    }
}
