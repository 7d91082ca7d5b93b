//! What a question asks for: a clause by its number (意见第十四条, 《劳动合同法》第十九条,
//! （十三）), a document by its name or a short form of it, and the content words, with
//! question scaffolding ("文件里有什么规定", "请问", "吗") taken out.

use std::sync::LazyLock;

use policyqa_chunker::lines::fold;
use policyqa_chunker::numerals::parse_number;
use policyqa_core::{DocumentInfo, DocumentMeta};
use policyqa_index::ChineseSegmenter;
use regex::Regex;

/// A clause the question names by number.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ClauseRef {
    pub number: u32,
    /// As written: "第十四条", "（十三）", "第(十三)条".
    pub text: String,
}

static CLAUSE_REF: LazyLock<Regex> = LazyLock::new(|| {
    let n = "[零〇一二三四五六七八九十百千两0-9]+";
    Regex::new(&format!(
        r"第\s*[(（]?\s*({n})\s*[)）]?\s*条|[(（]\s*([零〇一二三四五六七八九十百千两]+)\s*[)）](?:\s*条)?|第\s*({n})\s*(?:项|款|点|部分)"
    ))
    .expect("valid")
});

/// Phrases that frame a question but carry no content.
static SCAFFOLDING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"请问一下|请问|想问一下|想问|问一下|我想知道|想了解一下|想了解|能不能告诉我|告诉我|麻烦|",
        r"(?:文件|意见|通知|法律|法规|规定|条文|文件里|里面|中|里)(?:有什么|有哪些|是怎么|是如何|怎么)(?:规定|要求|说法|说的|讲的)?|",
        r"(?:讲了|说了|规定了|写了|提到了|提了)(?:什么|啥|哪些)|(?:的|具体)?内容(?:是什么)?|是什么意思|",
        r"怎么说的?|怎么规定的?|怎么办|咋办|怎么弄|有没有|是不是|能不能|可不可以|会不会|",
        r"[吗呢吧啊呀嘛哦]+(?:[？?！!。]|$)|[？?！!。，,]"
    ))
    .expect("valid")
});

/// Words that carry no content in a question (removed from the query vector, never from the
/// documents: in legal text 规定/应当/不得 matter).
pub const QUERY_STOPWORDS: &[&str] = &[
    "我", "我们", "你", "你们", "他", "她", "他们", "咱们", "咱", "自己", "人家", "的", "了", "吗", "呢", "吧", "啊", "呀", "嘛", "哦",
    "是", "有", "在", "和", "与", "或", "还", "也", "都", "就", "又", "才", "很", "太", "被", "把", "让", "给", "对", "要", "会", "能",
    "可以", "怎么", "怎么样", "怎样", "如何", "什么", "啥", "哪些", "哪个", "哪", "多少", "几", "多久", "谁", "为什么", "为啥",
    "这个", "那个", "这", "那", "这样", "那样", "一下", "一个", "些", "一些", "现在", "已经", "还是", "还能", "就是", "然后",
    "请问", "问", "想", "知道", "说", "讲", "规定", "文件", "里", "里面", "上面", "中", "条", "内容", "东西", "情况", "问题",
    "吗", "么", "不", "没", "没有", "得", "着", "过", "个", "能不能", "可不可以", "是不是", "有没有", "到底", "究竟",
    "国家", "政府", "有关", "相关", "方面", "这种", "那种", "类似", "好多", "很多", "大概", "一般", "平时", "老是", "经常",
];

/// Result of analysing one question.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Analysis {
    /// The question with full-width forms folded and scaffolding removed.
    pub content: String,
    pub clause_refs: Vec<ClauseRef>,
    /// Documents the question names (ids).
    pub doc_ids: Vec<String>,
    /// How the documents were named, as written.
    pub doc_mentions: Vec<String>,
}

/// How a name stands for its document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AliasKind {
    /// The title, or a short form of it (劳动合同法, 深化产业工人队伍建设改革意见): a name.
    Name,
    /// A document type only one indexed document has (意见, 规定, 决定): also a common word
    /// ("根据法律规定", "公司决定"), so it names the document only on evidence (see
    /// [`names_document`]).
    TypeWord,
}

/// One name of a document.
#[derive(Debug, Clone)]
struct Alias {
    text: String,
    doc_id: String,
    current: bool,
    kind: AliasKind,
}

/// The documents not in force on a date, kept for the last date asked (filled by
/// `Catalog::eligible`).
pub(crate) type NotInForce = std::sync::Arc<std::sync::Mutex<Option<(policyqa_core::validity::Date, std::sync::Arc<Vec<String>>)>>>;

/// Names and short forms of the indexed documents.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// Longest first.
    aliases: Vec<Alias>,
    /// Every alias, found in one pass over the question.
    matcher: Option<aho_corasick::AhoCorasick>,
    pub documents: Vec<DocumentInfo>,
    /// Historical versions of documents whose current version is also indexed: left out of
    /// retrieval unless a question names them.
    pub superseded: Vec<String>,
    /// What the documents' own clauses say about which of them are in force (built once).
    pub validity: policyqa_validity::Graph,
    /// Each name (title or short form, not a type word) → its document, the current version
    /// first: a citation's name is looked up whole, not searched for.
    by_name: std::collections::HashMap<String, String>,
    segmenter: ChineseSegmenter,
    /// The documents not in force on a date, for the last date asked (nearly every request
    /// reads today's): see [`Catalog::eligible`].
    pub(crate) not_in_force: NotInForce,
}

pub(crate) static PARENTHETICAL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[（(][^）)]*[）)]\s*$").expect("valid"));
pub(crate) static DOC_TYPE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(法典|法|条例|规定|办法|细则|规则|意见|通知|决定|方案|纲要|规划|指引|指南|措施|解释|答复|决议)$").expect("valid")
});

impl Catalog {
    /// What a document states about itself, when it states anything.
    pub fn meta_of(&self, doc_id: &str) -> Option<DocumentMeta> {
        self.documents.iter().find(|d| d.id == doc_id).map(|d| d.meta.clone()).filter(|m| *m != DocumentMeta::default())
    }

    pub fn new(documents: Vec<DocumentInfo>) -> Self {
        let mut aliases: Vec<Alias> = Vec::new();
        let mut type_count: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for d in &documents {
            let base = PARENTHETICAL.replace(&d.title, "").trim().to_string();
            if let Some(t) = DOC_TYPE.captures(&base).map(|c| c[1].to_string()) {
                *type_count.entry(t).or_default() += 1;
            }
        }
        for d in &documents {
            let current = !d.title.contains("历史版本");
            let title = fold(&d.title);
            let base = PARENTHETICAL.replace(&title, "").trim().to_string();
            let mut names = vec![(title.clone(), AliasKind::Name), (base.clone(), AliasKind::Name)];
            for prefix in ["中华人民共和国", "中共中央国务院关于", "中共中央办公厅国务院办公厅关于", "国务院办公厅关于", "国务院关于", "全国人民代表大会常务委员会关于", "关于"] {
                if let Some(rest) = base.strip_prefix(prefix) {
                    names.push((rest.to_string(), AliasKind::Name));
                    // 关于深化…改革的意见 → 深化…改革意见
                    names.push((rest.replacen("的", "", 1), AliasKind::Name));
                }
            }
            if let Some(pos) = base.find("关于") {
                names.push((base[pos + "关于".len()..].to_string(), AliasKind::Name));
            }
            // A document type that only one indexed document has may stand for it: "意见".
            if let Some(t) = DOC_TYPE.captures(&base).map(|c| c[1].to_string())
                && type_count.get(&t) == Some(&1)
                && t.chars().count() >= 2
            {
                names.push((t, AliasKind::TypeWord));
            }
            for (n, kind) in names {
                if n.chars().count() >= 2 && !aliases.iter().any(|a| a.text == n && a.doc_id == d.id) {
                    aliases.push(Alias { text: n, doc_id: d.id.clone(), current, kind });
                }
            }
        }
        aliases.sort_by(|a, b| b.text.chars().count().cmp(&a.text.chars().count()).then(b.current.cmp(&a.current)));
        let current: std::collections::HashSet<String> =
            documents.iter().filter(|d| !d.title.contains("历史版本")).map(|d| d.title.clone()).collect();
        let superseded = documents
            .iter()
            .filter(|d| d.title.contains("历史版本") && current.contains(PARENTHETICAL.replace(&d.title, "").trim()))
            .map(|d| d.id.clone())
            .collect();
        let matcher = aho_corasick::AhoCorasick::new(aliases.iter().map(|a| &a.text)).ok();
        let validity = policyqa_validity::Graph::from_documents(&documents);
        let mut by_name = std::collections::HashMap::new();
        for a in aliases.iter().filter(|a| a.kind == AliasKind::Name) {
            by_name.entry(a.text.clone()).or_insert_with(|| a.doc_id.clone());
        }
        Catalog { aliases, matcher, documents, superseded, validity, by_name, segmenter: ChineseSegmenter::default(), not_in_force: Default::default() }
    }

    /// The document a name stands for on its own, written whole: its title or a short form
    /// of it ("劳动合同法", "中华人民共和国劳动合同法"), never a type word; the current version
    /// unless the name is a historical version's full title.
    pub fn document_named(&self, name: &str) -> Option<&DocumentInfo> {
        let name = fold(name);
        let name = name.trim();
        let id = self.by_name.get(name).or_else(|| name.strip_prefix("中华人民共和国").and_then(|n| self.by_name.get(n)))?;
        self.documents.iter().find(|d| &d.id == id)
    }

    /// Documents named in the (folded) question; a current version wins over historical ones
    /// of the same name unless the question names the historical one in full. `bracketed`:
    /// what the question put between 《》.
    fn find(&self, q: &str, bracketed: &[String]) -> (Vec<String>, Vec<String>) {
        let mut covered = vec![false; q.len()];
        let mut ids = Vec::new();
        let mut mentions = Vec::new();
        // The aliases that occur at all (one pass), then in the longest-first order.
        let mut present: Vec<usize> = match &self.matcher {
            Some(m) => m.find_overlapping_iter(q).map(|x| x.pattern().as_usize()).collect(),
            None => Vec::new(),
        };
        present.sort_unstable();
        present.dedup();
        if present.is_empty() {
            return (ids, mentions);
        }
        let bounds = self.segmenter.word_boundaries(q);
        for alias in present.into_iter().map(|i| &self.aliases[i]) {
            let (text, id, current) = (&alias.text, &alias.doc_id, alias.current);
            // The first occurrence that names the document (a type word may occur as a
            // common word first: "按规定…意见里").
            // On word boundaries only: "公司法务" names no law.
            let on_words = |i: usize| bounds.binary_search(&i).is_ok() && bounds.binary_search(&(i + text.len())).is_ok();
            let Some(at) = q.match_indices(text.as_str()).map(|(i, _)| i).find(|&i| on_words(i) && (alias.kind == AliasKind::Name || names_document(q, i, text, bracketed))) else {
                continue;
            };
            if covered[at..at + text.len()].iter().any(|c| *c) {
                // Another document of the same name and length (a historical version).
                if !current || !mentions.contains(text) {
                    continue;
                }
            }
            if mentions.contains(text) && !current {
                continue;
            }
            covered[at..at + text.len()].iter_mut().for_each(|c| *c = true);
            if mentions.contains(text) {
                continue;
            }
            ids.push(id.clone());
            mentions.push(text.clone());
        }
        (ids, mentions)
    }
}

/// Before a type word used as a name: the start, a break, a demonstrative, or a preposition
/// that introduces a source ("该意见", "根据意见", "在意见里").
static NAME_BEFORE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|[\s，,。；;：:？?！!、“”\(\)（）]|这个|这份|这部|那个|那份|该|本|此|上述|按|按照|根据|依据|依照|对照|在|从|看)$").expect("valid"));
/// After a type word used as a name: where it is read from or what it says ("意见里",
/// "意见提出", "意见第十条", "意见是怎么要求的").
static NAME_AFTER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:里|中|上|第|[(（]|要|提出|提到|指出|明确|强调|规定了|说|讲|写|是怎么|是如何|怎么|对|针对|关于|有没有|有哪些|有什么)").expect("valid"));

/// Whether the type word at byte `at` of `q` is used as the name of the one document of that
/// type, not as the common word it also is: the question put it between 《》, or it stands on
/// its own (not the end of a longer phrase: "法律规定", "有关规定", "公司决定") and is read
/// from or speaks ("意见里", "意见提出", "意见第十四条"). "根据法律规定", "按照规定，",
/// "有关规定" name nothing.
fn names_document(q: &str, at: usize, word: &str, bracketed: &[String]) -> bool {
    if bracketed.iter().any(|b| b == word) {
        return true;
    }
    NAME_BEFORE.is_match(&q[..at]) && NAME_AFTER.is_match(&q[at + word.len()..])
}

static BRACKETED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[《〈]([^》〉]{1,80})[》〉]").expect("valid"));

pub fn analyse(question: &str, catalog: &Catalog) -> Analysis {
    let folded = fold(question);
    let bracketed: Vec<String> = BRACKETED.captures_iter(&folded).map(|c| c[1].trim().to_string()).collect();
    let folded = folded.replace(['《', '》', '〈', '〉'], "");
    let (doc_ids, doc_mentions) = catalog.find(&folded, &bracketed);
    let mut clause_refs = Vec::new();
    for c in CLAUSE_REF.captures_iter(&folded) {
        let n = c.get(1).or(c.get(2)).or(c.get(3)).and_then(|m| parse_number(m.as_str()));
        if let Some(number) = n {
            clause_refs.push(ClauseRef { number, text: c[0].to_string() });
        }
    }
    let mut content = folded.clone();
    for m in &doc_mentions {
        content = content.replace(m.as_str(), " ");
    }
    let content = CLAUSE_REF.replace_all(&content, " ");
    let content = SCAFFOLDING.replace_all(&content, " ");
    let content = content.split_whitespace().collect::<Vec<_>>().join(" ");
    Analysis { content, clause_refs, doc_ids, doc_mentions }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: &str, title: &str) -> DocumentInfo {
        DocumentInfo { id: id.into(), title: title.into(), source: "s".into(), passages: 1, ..Default::default() }
    }

    fn catalog() -> Catalog {
        Catalog::new(vec![
            doc("yj", "中共中央国务院关于深化产业工人队伍建设改革的意见"),
            doc("ldht", "中华人民共和国劳动合同法"),
            doc("ldht07", "中华人民共和国劳动合同法（历史版本 2007-06-29）"),
            doc("grxx", "中华人民共和国个人信息保护法"),
            doc("mfd", "中华人民共和国民法典"),
            doc("news", "持续提升巨灾保险保障水平"),
        ])
    }

    #[test]
    fn clause_references_in_every_form() {
        let c = catalog();
        for (q, n, docs) in [
            ("意见第十四条的内容", 14, vec!["yj"]),
            ("意见第(十三)条", 13, vec!["yj"]),
            ("第十四条讲了什么", 14, vec![]),
            ("《劳动合同法》第十九条", 19, vec!["ldht"]),
            ("个人信息保护法第13条讲什么", 13, vec!["grxx"]),
            ("民法典第三条", 3, vec!["mfd"]),
            ("（二十二）是关于什么的", 22, vec![]),
            ("意见里第17条怎么说的", 17, vec!["yj"]),
        ] {
            let a = analyse(q, &c);
            assert_eq!(a.clause_refs.iter().map(|r| r.number).collect::<Vec<_>>(), [n], "{q}");
            assert_eq!(a.doc_ids, docs, "{q}");
        }
    }

    #[test]
    fn a_type_word_names_its_document_only_when_used_as_a_name() {
        let c = Catalog::new(vec![
            doc("yj", "中共中央国务院关于深化产业工人队伍建设改革的意见"),
            doc("xj", "全国人民代表大会常务委员会关于县级以下人民代表大会代表直接选举的若干规定"),
            doc("jd", "中共中央关于进一步全面深化改革的决定"),
            doc("ldht", "中华人民共和国劳动合同法"),
            doc("gsf", "中华人民共和国公司法"),
        ]);
        for (q, docs) in [
            // Common words: provisions of law, a company's decision, an opinion someone has.
            ("某公司拖欠工资三个月，根据法律规定，员工可以怎么办？", vec![]),
            ("按照有关规定，单位应当为职工缴纳社会保险吗", vec![]),
            ("按照规定，试用期最长多久？", vec![]),
            ("相关规定里对加班费是怎么算的", vec![]),
            ("公司决定把我调岗，我不同意怎么办", vec![]),
            ("我对单位的处理有意见，可以申请仲裁吗", vec![]),
            // Names: read from, speaking, a clause of it, between 《》, a full short form.
            ("意见里提到要健全的新八级工是什么制度？", vec!["yj"]),
            ("意见第十四条的内容", vec!["yj"]),
            ("对劳务派遣用工，意见是怎么要求的？", vec!["yj"]),
            ("学习《决定》的问答里是怎么提的？", vec!["jd"]),
            ("规定第三条说了什么", vec!["xj"]),
            ("根据劳动合同法规定，试用期最长多久", vec!["ldht"]),
            // A name inside a longer word names nothing.
            ("公司法务想了解劳动合同法第十九条", vec!["ldht"]),
        ] {
            assert_eq!(analyse(q, &c).doc_ids, docs, "{q}");
        }
    }

    #[test]
    fn scaffolding_goes_content_stays() {
        let a = analyse("请问文件里有什么规定？企业职工教育经费要用多少在一线职工身上", &catalog());
        assert_eq!(a.content, "企业职工教育经费要用多少在一线职工身上");
        let a = analyse("爷爷去世前我爸已经不在了，我还能继承爷爷的遗产吗？", &catalog());
        assert!(a.content.contains("继承爷爷的遗产"), "{}", a.content);
        assert!(a.clause_refs.is_empty() && a.doc_ids.is_empty());
    }
}
