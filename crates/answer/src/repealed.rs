//! Questions about a repealed document ("合同法第四十四条是怎么规定的", "按照物权法，业主能不能
//! ……"): the answer says, citing the repealing clause, that it was repealed, and answers from
//! its successor, the document that repealed it. Where the index holds the repealed document
//! itself (环境保护法, repealed by the 生态环境法典) and the question asks for one of its
//! clauses, that clause is quoted as it stood and the successor is searched with its words:
//! the old article numbers mean nothing in the new law, its wording does.

use std::sync::LazyLock;

use policyqa_core::validity::Date;
use policyqa_retrieval::Catalog;
use policyqa_validity::{Repeal, Target};
use regex::Regex;

/// The words a document's name ends in.
static NAME_END: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"法典|法|条例|规定|办法|细则|规则|决定").expect("valid"));
/// A clause reference right after a name (第四十四条第二款, 第十条之一).
static ARTICLE_AFTER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^》?\s*(?:第\s*[零〇一二三四五六七八九十百千两0-9]+\s*条(?:之[一二三四五六七八九十]+)?(?:\s*第\s*[零〇一二三四五六七八九十百千两0-9]+\s*[款项])*)?").expect("valid"));
/// Clause numbers in a clause's text: its own heading and its references (本法第六十条).
static CLAUSE_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"第\s*[零〇一二三四五六七八九十百千两0-9]+\s*[条款项](?:之[一二三四五六七八九十]+)?").expect("valid"));
/// Names are at most this many characters.
const MAX_NAME_CHARS: usize = 40;

/// A question's mention of a repealed document.
#[derive(Debug, Clone)]
pub struct RepealedMention<'c> {
    pub repeal: &'c Repeal,
    /// The name as the question writes it.
    pub name: String,
    /// The repealed document, where the index holds it and the question asks for one of its
    /// clauses (第六条): that clause is quoted and its words put to the successor.
    pub indexed_clause: Option<IndexedClause>,
    /// The question with the name (and a clause number of it) put as the successor's title:
    /// the old law's article numbers mean nothing in the new one.
    pub redirected: String,
}

/// A clause of an indexed repealed document that the question asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexedClause {
    pub doc_id: String,
    /// The clause reference as asked (第六条, 第十条第二款).
    pub reference: String,
}

/// The first document the question names that an indexed document repealed by `date` (the
/// repealed one indexed or not; indexed, only when the question asks for a clause of it or
/// when the successor is indexed too). A name is the longest run ending in a type word (法, 条例…)
/// that is a repealed document's name; a run that names an indexed document (劳动合同法)
/// is that document, not the repealed one its ending names (合同法).
pub fn repealed_mention<'c>(question: &str, catalog: &'c Catalog, date: Date) -> Option<RepealedMention<'c>> {
    for end in NAME_END.find_iter(question) {
        let j = end.end();
        let starts: Vec<usize> = question[..end.start()].char_indices().map(|(i, _)| i).collect();
        let from = starts.len().saturating_sub(MAX_NAME_CHARS);
        for &i in &starts[from..] {
            let run = question[i..j].trim_start_matches('《');
            if run.chars().count() < 3 {
                continue;
            }
            let after = ARTICLE_AFTER.find(&question[j..]).map_or(0, |m| m.end());
            // An indexed document is that document: repealed only if a repeal names it, and
            // answered from its successor only where the index holds that too.
            if let Some(doc) = catalog.document_named(run) {
                let Some(repeal) = catalog.validity.repeal_of_indexed(&doc.id) else { break };
                if repeal.since.is_some_and(|s| s > date) || repeal.by_doc_id == doc.id || catalog.documents.iter().all(|d| d.id != repeal.by_doc_id) {
                    break;
                }
                let reference = question[j..j + after].trim_start_matches('》').trim();
                let indexed_clause = (!reference.is_empty()).then(|| IndexedClause { doc_id: doc.id.clone(), reference: reference.to_string() });
                return Some(mention(question, repeal, run, (i, j, after), indexed_clause));
            }
            let Some(repeal) = catalog.validity.repeal_of(run) else { continue };
            if !matches!(repeal.target, Target::Named { .. }) || repeal.since.is_some_and(|s| s > date) {
                break;
            }
            return Some(mention(question, repeal, run, (i, j, after), None));
        }
    }
    None
}

/// The mention of `repeal` by `question[i..j]` (a clause reference `after` bytes long after
/// it), with the question put to the successor.
fn mention<'c>(question: &str, repeal: &'c Repeal, run: &str, (i, j, after): (usize, usize, usize), indexed_clause: Option<IndexedClause>) -> RepealedMention<'c> {
    let start = if question[..i].ends_with('《') { i - '《'.len_utf8() } else { i };
    let redirected = format!("{}《{}》{}", &question[..start], repeal.by_title, &question[j + after..]);
    RepealedMention { repeal, name: run.to_string(), indexed_clause, redirected }
}

/// A repealed clause's words as a query for its successor: without clause numbers, which in
/// the successor would name its own, unrelated clauses (环境保护法 第六条 is the 生态环境法典's
/// 第七条).
pub fn clause_words(text: &str) -> String {
    CLAUSE_NUMBER.replace_all(text, "").trim().to_string()
}
