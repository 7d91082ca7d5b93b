//! Follow-up questions ("那第十五条呢？", "这个比例是多少？") resolved against the earlier
//! turns before retrieval. Offline, by rules: carry over the document and the clause in focus
//! and, for a question that points back ("这个", "那", "其中"), the earlier question's words.
//! With a chat model configured the model rewrites the question instead (see `Answerer`),
//! and these rules are its fallback.

use std::sync::LazyLock;

use policyqa_retrieval::{analyse, Catalog};
use regex::Regex;

use crate::prompt::Turn;

static POINTS_BACK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:那|那么|还有|另外|此外|再问|接着|然后|同样)|这个|这条|这一条|这项|这些|该条|此条|上述|上面|前面|刚才|它|其中|那个|那条|那项|呢[？?]?\s*$").unwrap()
});

static LEADING_CONNECTIVE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(?:那么|那|还有|另外|此外|再问一下|再问|接着|然后)[，,、\s]*").unwrap());

/// The question made self-contained, or `None` when it already is (or there is no history).
pub fn resolve(question: &str, history: &[Turn], catalog: &Catalog) -> Option<String> {
    let previous: Vec<&Turn> = history.iter().rev().filter(|t| t.role == "user" && !t.content.trim().is_empty()).collect();
    let last = previous.first()?;
    let q = question.trim();
    let now = analyse(q, catalog);
    let content_chars = now.content.chars().filter(|c| c.is_alphanumeric()).count();
    let points_back = POINTS_BACK.is_match(q) || content_chars < 4;
    // Self-contained unless it points back or names a clause without its document.
    let clause_without_document = now.doc_ids.is_empty() && !now.clause_refs.is_empty();
    if !points_back && !clause_without_document {
        return None;
    }
    // The document in focus: the latest earlier question that named one.
    let focus_doc = previous.iter().map(|t| analyse(&t.content, catalog)).find(|a| !a.doc_mentions.is_empty()).map(|a| a.doc_mentions[0].clone());
    let body = LEADING_CONNECTIVE.replace(q, "").to_string();
    if !now.clause_refs.is_empty() {
        // "那第十五条呢？": the same document, another clause.
        return match (now.doc_ids.is_empty(), focus_doc) {
            (true, Some(doc)) => Some(format!("{doc}{body}")),
            _ => None,
        };
    }
    if !points_back {
        return None;
    }
    // "这个比例是多少？": the earlier question gives the subject (its clause and document
    // come with it).
    let mut resolved = last.content.trim().to_string();
    if let Some(doc) = focus_doc
        && !resolved.contains(doc.as_str())
    {
        resolved = format!("{doc}{resolved}");
    }
    Some(format!("{resolved} {body}"))
}
