//! Answering with validated clause citations: prompts, generation through any `ChatModel`
//! (the OpenAI-compatible one is `policyqa-openai`), the extractive answerer, evidence and refusal,
//! follow-up resolution, and the citation checks both kinds of answer go through.

pub mod answerer;
pub mod citations;
pub mod evidence;
pub mod extractive;
pub mod followup;
pub mod limit;
pub mod prompt;
pub mod repealed;
pub mod text;
pub mod verify;

pub use answerer::{Answer, AnswerConfig, AnswerEvent, Answerer, AskError, AskRequest, Fallback, GenerationError, Mode, Timings, DEFAULT_MIN_SUPPORTED_SHARE};
pub use limit::LimitedChat;
pub use citations::{check_answer, Citation, CitationChecker, SentenceFlag};
pub use verify::{verify, Outcome, Verification, VerifiedCitation, VerifyError, MAX_VERIFY_BYTES};
pub use prompt::{PromptError, Prompts, RenderedPrompt, Turn, REFUSAL};
