//! Answering with validated clause citations. So far: the prompts.

pub mod prompt;

pub use prompt::{Prompts, PromptError, RenderedPrompt, Turn, REFUSAL};
