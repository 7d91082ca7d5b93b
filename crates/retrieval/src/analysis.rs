//! What a question asks for: a clause by its number (意见第十四条, 《劳动合同法》第十九条,
//! （十三）), a document by its name or a short form of it, and the content words, with
//! question scaffolding ("文件里有什么规定", "请问", "吗") taken out.

use std::sync::LazyLock;

use policyqa_chunker::lines::fold;
use policyqa_chunker::numerals::parse_number;
use policyqa_core::DocumentInfo;
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

/// Names and short forms of the indexed documents.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// (alias, doc id, is a current version), longest alias first.
    aliases: Vec<(String, String, bool)>,
    /// Every alias, found in one pass over the question.
    matcher: Option<aho_corasick::AhoCorasick>,
    pub documents: Vec<DocumentInfo>,
    /// Historical versions of documents whose current version is also indexed: left out of
    /// retrieval unless a question names them.
    pub superseded: Vec<String>,
}

static PARENTHETICAL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[（(][^）)]*[）)]\s*$").expect("valid"));
static DOC_TYPE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(法典|法|条例|规定|办法|细则|规则|意见|通知|决定|方案|纲要|规划|指引|指南|措施|解释|答复|决议)$").expect("valid")
});

impl Catalog {
    pub fn new(documents: Vec<DocumentInfo>) -> Self {
        let mut aliases: Vec<(String, String, bool)> = Vec::new();
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
            let mut names = vec![title.clone(), base.clone()];
            for prefix in ["中华人民共和国", "中共中央国务院关于", "中共中央办公厅国务院办公厅关于", "国务院办公厅关于", "国务院关于", "全国人民代表大会常务委员会关于", "关于"] {
                if let Some(rest) = base.strip_prefix(prefix) {
                    names.push(rest.to_string());
                    // 关于深化…改革的意见 → 深化…改革意见
                    names.push(rest.replacen("的", "", 1));
                }
            }
            if let Some(pos) = base.find("关于") {
                names.push(base[pos + "关于".len()..].to_string());
            }
            // A document type that only one indexed document has stands for it: "意见".
            if let Some(t) = DOC_TYPE.captures(&base).map(|c| c[1].to_string())
                && type_count.get(&t) == Some(&1) && t.chars().count() >= 2 {
                    names.push(t);
                }
            for n in names {
                if n.chars().count() >= 2 && !aliases.iter().any(|(a, id, _)| a == &n && id == &d.id) {
                    aliases.push((n, d.id.clone(), current));
                }
            }
        }
        aliases.sort_by(|a, b| b.0.chars().count().cmp(&a.0.chars().count()).then(b.2.cmp(&a.2)));
        let current: std::collections::HashSet<String> =
            documents.iter().filter(|d| !d.title.contains("历史版本")).map(|d| d.title.clone()).collect();
        let superseded = documents
            .iter()
            .filter(|d| d.title.contains("历史版本") && current.contains(PARENTHETICAL.replace(&d.title, "").trim()))
            .map(|d| d.id.clone())
            .collect();
        let matcher = aho_corasick::AhoCorasick::new(aliases.iter().map(|(a, _, _)| a)).ok();
        Catalog { aliases, matcher, documents, superseded }
    }

    /// Documents named in the (folded) question; a current version wins over historical ones
    /// of the same name unless the question names the historical one in full.
    fn find(&self, q: &str) -> (Vec<String>, Vec<String>) {
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
        for (alias, id, current) in present.into_iter().map(|i| &self.aliases[i]) {
            let Some(at) = q.find(alias.as_str()) else { continue };
            if covered[at..at + alias.len()].iter().any(|c| *c) {
                // Another document of the same name and length (a historical version).
                if !*current || !mentions.contains(alias) {
                    continue;
                }
            }
            if mentions.contains(alias) && !*current {
                continue;
            }
            covered[at..at + alias.len()].iter_mut().for_each(|c| *c = true);
            if mentions.contains(alias) {
                continue;
            }
            ids.push(id.clone());
            mentions.push(alias.clone());
        }
        (ids, mentions)
    }
}

pub fn analyse(question: &str, catalog: &Catalog) -> Analysis {
    let folded = fold(question).replace(['《', '》', '〈', '〉'], "");
    let (doc_ids, doc_mentions) = catalog.find(&folded);
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
        DocumentInfo { id: id.into(), title: title.into(), source: "s".into(), passages: 1 }
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
    fn scaffolding_goes_content_stays() {
        let a = analyse("请问文件里有什么规定？企业职工教育经费要用多少在一线职工身上", &catalog());
        assert_eq!(a.content, "企业职工教育经费要用多少在一线职工身上");
        let a = analyse("爷爷去世前我爸已经不在了，我还能继承爷爷的遗产吗？", &catalog());
        assert!(a.content.contains("继承爷爷的遗产"), "{}", a.content);
        assert!(a.clause_refs.is_empty() && a.doc_ids.is_empty());
    }
}
