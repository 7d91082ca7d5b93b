//! The answer prompts: minijinja templates from `prompts/`, loaded once, rendered with the
//! question, the earlier turns and the numbered clauses. Document text is data: it goes
//! between delimiters it cannot forge, so instructions inside a document change nothing.

use std::path::Path;

use minijinja::{context, Environment};
use policyqa_core::Passage;
use serde::Serialize;

/// The fixed refusal sentence.
pub const REFUSAL: &str = "已收录的文件中没有找到相关规定。";

const SYSTEM: &str = "answer_system.jinja";
const USER: &str = "answer_user.jinja";
const FOLLOWUP_SYSTEM: &str = "followup_system.jinja";
const FOLLOWUP_USER: &str = "followup_user.jinja";
const JUDGE_SYSTEM: &str = "judge_system.jinja";
const JUDGE_USER: &str = "judge_user.jinja";

#[derive(Debug, thiserror::Error)]
pub enum PromptError {
    #[error("{path}: cannot read the prompt template: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("prompt template {name}: {message}")]
    Template { name: String, message: String },
}

/// One earlier turn of the conversation.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Turn {
    pub role: String,
    pub content: String,
}

/// What goes to the chat model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedPrompt {
    pub system: String,
    pub user: String,
}

#[derive(Debug, Clone)]
pub struct Prompts {
    env: Environment<'static>,
}

#[derive(Serialize)]
struct Numbered {
    n: usize,
    label: String,
    text: String,
}

/// Document text cannot close its own block or open another: the delimiter's marks are
/// replaced by look-alikes wherever a document contains them.
fn neutralise(text: &str) -> String {
    text.replace("<<<", "‹‹‹").replace(">>>", "›››")
}

impl Prompts {
    /// Loads the templates from a folder (the project's `prompts/` by default).
    pub fn load(dir: &Path) -> Result<Self, PromptError> {
        let mut env = Environment::new();
        env.set_trim_blocks(true);
        for name in [SYSTEM, USER, FOLLOWUP_SYSTEM, FOLLOWUP_USER, JUDGE_SYSTEM, JUDGE_USER] {
            let path = dir.join(name);
            let source = std::fs::read_to_string(&path).map_err(|source| PromptError::Read { path: path.display().to_string(), source })?;
            env.add_template_owned(name.to_string(), source)
                .map_err(|e| PromptError::Template { name: name.to_string(), message: e.to_string() })?;
        }
        Ok(Prompts { env })
    }

    /// The templates shipped in the project's `prompts/` folder, compiled in.
    pub fn builtin() -> Self {
        let mut env = Environment::new();
        env.set_trim_blocks(true);
        for (name, source) in [
            (SYSTEM, include_str!("../../../prompts/answer_system.jinja")),
            (USER, include_str!("../../../prompts/answer_user.jinja")),
            (FOLLOWUP_SYSTEM, include_str!("../../../prompts/followup_system.jinja")),
            (FOLLOWUP_USER, include_str!("../../../prompts/followup_user.jinja")),
            (JUDGE_SYSTEM, include_str!("../../../prompts/judge_system.jinja")),
            (JUDGE_USER, include_str!("../../../prompts/judge_user.jinja")),
        ] {
            env.add_template(name, source).expect("the shipped templates parse (tested)");
        }
        Prompts { env }
    }

    /// Renders both prompts; clause `n` is `passages[n - 1]`.
    pub fn render(&self, question: &str, history: &[Turn], passages: &[Passage]) -> Result<RenderedPrompt, PromptError> {
        let numbered: Vec<Numbered> = passages
            .iter()
            .enumerate()
            .map(|(i, p)| Numbered { n: i + 1, label: p.label.clone(), text: neutralise(&p.text) })
            .collect();
        let history: Vec<Turn> = history.iter().map(|t| Turn { role: t.role.clone(), content: neutralise(&t.content) }).collect();
        let ctx = context! { question => neutralise(question), history => history, passages => numbered, refusal => REFUSAL };
        Ok(RenderedPrompt { system: self.render_one(SYSTEM, &ctx)?, user: self.render_one(USER, &ctx)? })
    }

    /// The prompt that asks the model to make a follow-up question self-contained.
    pub fn render_followup(&self, question: &str, history: &[Turn]) -> Result<RenderedPrompt, PromptError> {
        let history: Vec<Turn> = history.iter().map(|t| Turn { role: t.role.clone(), content: neutralise(&t.content) }).collect();
        let ctx = context! { question => neutralise(question), history => history };
        Ok(RenderedPrompt { system: self.render_one(FOLLOWUP_SYSTEM, &ctx)?, user: self.render_one(FOLLOWUP_USER, &ctx)? })
    }

    /// The prompt that asks a model to judge whether an answer is faithful to the clauses it
    /// cites (`policyqa eval --judge`): `cited` is (marker, label, text) per citation.
    pub fn render_judge(&self, question: &str, answer: &str, cited: &[(usize, String, String)]) -> Result<RenderedPrompt, PromptError> {
        let numbered: Vec<Numbered> = cited.iter().map(|(n, label, text)| Numbered { n: *n, label: label.clone(), text: neutralise(text) }).collect();
        let ctx = context! { question => neutralise(question), answer => neutralise(answer), passages => numbered };
        Ok(RenderedPrompt { system: self.render_one(JUDGE_SYSTEM, &ctx)?, user: self.render_one(JUDGE_USER, &ctx)? })
    }

    fn render_one(&self, name: &str, ctx: &minijinja::Value) -> Result<String, PromptError> {
        self.env
            .get_template(name)
            .and_then(|t| t.render(ctx))
            .map_err(|e| PromptError::Template { name: name.to_string(), message: e.to_string() })
    }
}
