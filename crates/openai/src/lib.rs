//! The OpenAI-compatible endpoints policyqa talks to, through async-openai: a streamed chat
//! model ([`OpenAiChat`], the `ChatModel` of answers, follow-ups and the judge) and an
//! embeddings client ([`OpenAiEmbedder`], the `Embedder` of dense retrieval). Both read a
//! failed call the same way ([`failure`]): what is worth retrying is decided once.

pub mod chat;
pub mod embed;

use async_openai::error::OpenAIError;
use policyqa_core::{ChatError, EmbedError};

pub use chat::{ChatConfig, OpenAiChat};
pub use embed::{EmbedConfig, OpenAiEmbedder};

/// How a call to an OpenAI-compatible endpoint failed, whichever endpoint it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Unreachable or overloaded (a connection failure, 429 or 5xx after the retries).
    Unavailable(String),
    /// No answer in time.
    Timeout(String),
    /// The endpoint refused the request (4xx other than 429): retrying will not help.
    Refused(String),
    /// An answer that is not what the protocol says.
    Malformed(String),
}

/// The one reading of an async-openai error (async-openai has already retried what it
/// retries); `url` names the endpoint in the message.
pub fn failure(e: OpenAIError, url: &str) -> Failure {
    match e {
        OpenAIError::ApiError(r) if r.status_code.as_u16() == 429 || r.status_code.is_server_error() => Failure::Unavailable(format!("{url}: {r}")),
        OpenAIError::ApiError(r) => Failure::Refused(format!("{url}: {r}")),
        OpenAIError::Reqwest(r) if r.is_timeout() => Failure::Timeout(format!("{url}: timed out")),
        OpenAIError::Reqwest(r) => Failure::Unavailable(format!("{url}: {r}")),
        OpenAIError::JSONDeserialize(err, _) => Failure::Malformed(format!("{url}: {err}")),
        OpenAIError::StreamError(err) => Failure::Malformed(format!("{url}: {err}")),
        other => Failure::Refused(format!("{url}: {other}")),
    }
}

impl From<Failure> for ChatError {
    fn from(f: Failure) -> Self {
        match f {
            Failure::Unavailable(m) => ChatError::Unavailable(m),
            Failure::Timeout(m) => ChatError::Timeout(m),
            Failure::Refused(m) => ChatError::Refused(m),
            Failure::Malformed(m) => ChatError::Malformed(m),
        }
    }
}

impl From<Failure> for EmbedError {
    fn from(f: Failure) -> Self {
        match f {
            Failure::Unavailable(m) => EmbedError::Unavailable(m),
            Failure::Timeout(m) => EmbedError::Timeout(m),
            Failure::Refused(m) => EmbedError::Refused(m),
            Failure::Malformed(m) => EmbedError::Malformed(m),
        }
    }
}
