//! Faithfulness as judged by a chat model (`policyqa eval --judge`): the model reads an
//! answer and the clauses it cites and says which share of its sentences they support. It is
//! a second opinion beside the deterministic citation checks, labelled model-judged wherever
//! it is shown: a model can be wrong, and a small one often is.

use std::sync::Arc;

use futures::StreamExt;
use policyqa_answer::Prompts;
use policyqa_core::{ChatMessage, ChatModel, ChatRequest, ChatRole};

use crate::AnsweredCitation;

pub struct Judge {
    chat: Arc<dyn ChatModel>,
    prompts: Prompts,
}

/// The model's verdict on one answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// Share of the answer's sentences the cited clauses support, 0–1.
    pub score: f32,
    pub unsupported: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum JudgeError {
    #[error("the judge model failed: {0}")]
    Model(#[from] policyqa_core::ChatError),
    #[error("the judge's reply is not a verdict: {0}")]
    Malformed(String),
    #[error(transparent)]
    Prompt(#[from] policyqa_answer::PromptError),
}

impl Judge {
    pub fn new(chat: Arc<dyn ChatModel>, prompts: Prompts) -> Self {
        Judge { chat, prompts }
    }

    pub fn model(&self) -> &str {
        self.chat.model()
    }

    pub async fn judge(&self, question: &str, answer: &str, citations: &[AnsweredCitation]) -> Result<Verdict, JudgeError> {
        let cited: Vec<(usize, String, String)> = citations.iter().map(|c| (c.marker, c.label.clone(), c.text.clone())).collect();
        let p = self.prompts.render_judge(question, answer, &cited)?;
        let request = ChatRequest {
            messages: vec![ChatMessage { role: ChatRole::System, content: p.system }, ChatMessage { role: ChatRole::User, content: p.user }],
            max_tokens: Some(400),
            temperature: Some(0.0),
        };
        let mut stream = self.chat.stream(&request).await?;
        let mut reply = String::new();
        while let Some(piece) = stream.next().await {
            reply.push_str(&piece?);
        }
        parse_verdict(&reply)
    }
}

/// The first `{…}` of the reply, read as `{"score": 0–1, "unsupported": [..]}` (models wrap
/// JSON in prose or code fences; a score outside 0–1 is not a verdict).
pub fn parse_verdict(reply: &str) -> Result<Verdict, JudgeError> {
    let bad = || JudgeError::Malformed(reply.chars().take(120).collect());
    let (start, end) = (reply.find('{').ok_or_else(bad)?, reply.rfind('}').ok_or_else(bad)?);
    if end < start {
        return Err(bad());
    }
    let v: serde_json::Value = serde_json::from_str(&reply[start..=end]).map_err(|_| bad())?;
    let score = v.get("score").and_then(|s| s.as_f64()).filter(|s| (0.0..=1.0).contains(s)).ok_or_else(bad)? as f32;
    let unsupported = v.get("unsupported").and_then(|u| u.as_array()).map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect()).unwrap_or_default();
    Ok(Verdict { score, unsupported })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_are_read_out_of_prose_and_fences_and_nonsense_is_refused() {
        assert_eq!(parse_verdict(r#"{"score": 0.75, "unsupported": ["第二句。"]}"#).unwrap(), Verdict { score: 0.75, unsupported: vec!["第二句。".into()] });
        assert_eq!(parse_verdict("判断如下：\n```json\n{\"score\": 1}\n```").unwrap().score, 1.0);
        for bad in ["很忠实", r#"{"score": 7}"#, r#"{"score": "high"}"#, "} {", ""] {
            assert!(matches!(parse_verdict(bad), Err(JudgeError::Malformed(_))), "{bad}");
        }
    }
}
