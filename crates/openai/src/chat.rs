//! Any OpenAI-compatible chat endpoint through async-openai, streamed.
//!
//! async-openai's retry layer retries 429, 5xx and connection failures before the stream
//! starts (three times, exponential backoff, `Retry-After` honoured); other 4xx are refused
//! at once. On top of that: a deadline for the first piece of text, one for the silence
//! between pieces, and one for the whole answer, so a stalled model cannot hold a request.

use std::time::{Duration, Instant};

use async_openai::config::OpenAIConfig;
use async_openai::types::chat::{
    ChatCompletionRequestAssistantMessage, ChatCompletionRequestMessage, ChatCompletionRequestSystemMessage,
    ChatCompletionRequestUserMessage, CreateChatCompletionRequest,
};
use async_openai::Client;
use async_trait::async_trait;
use futures::StreamExt;
use policyqa_core::{ChatError, ChatModel, ChatRequest, ChatRole, TextStream};

#[derive(Debug, Clone)]
pub struct ChatConfig {
    pub base_url: String,
    pub api_key: String,
    pub model: String,
    /// Until the first piece of text (covers connecting, retries and the model's first token).
    pub first_token_timeout: Duration,
    /// Longest silence between two pieces.
    pub idle_timeout: Duration,
    /// The whole answer.
    pub total_timeout: Duration,
    pub max_tokens: u32,
    pub temperature: f32,
}

impl ChatConfig {
    pub fn new(base_url: impl Into<String>, api_key: impl Into<String>, model: impl Into<String>) -> Self {
        ChatConfig {
            base_url: base_url.into(),
            api_key: api_key.into(),
            model: model.into(),
            first_token_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(20),
            total_timeout: Duration::from_secs(120),
            max_tokens: 800,
            temperature: 0.1,
        }
    }
}

pub struct OpenAiChat {
    client: Client<OpenAIConfig>,
    config: ChatConfig,
}

impl OpenAiChat {
    pub fn new(config: ChatConfig) -> Result<Self, ChatError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| ChatError::Refused(format!("cannot build the HTTP client: {e}")))?;
        let client =
            Client::with_config(OpenAIConfig::new().with_api_base(&config.base_url).with_api_key(&config.api_key)).with_http_client(http);
        Ok(OpenAiChat { client, config })
    }

    pub fn config(&self) -> &ChatConfig {
        &self.config
    }
}

fn message(role: ChatRole, content: &str) -> ChatCompletionRequestMessage {
    match role {
        ChatRole::System => ChatCompletionRequestSystemMessage::from(content).into(),
        ChatRole::User => ChatCompletionRequestUserMessage::from(content).into(),
        ChatRole::Assistant => ChatCompletionRequestAssistantMessage::from(content).into(),
    }
}

#[async_trait]
impl ChatModel for OpenAiChat {
    fn model(&self) -> &str {
        &self.config.model
    }

    async fn stream(&self, request: &ChatRequest) -> Result<TextStream, ChatError> {
        let url = self.config.base_url.clone();
        #[allow(deprecated)] // max_tokens: what OpenAI-compatible servers (llama.cpp, vLLM) all read
        let body = CreateChatCompletionRequest {
            model: self.config.model.clone(),
            messages: request.messages.iter().map(|m| message(m.role, &m.content)).collect(),
            max_tokens: Some(request.max_tokens.unwrap_or(self.config.max_tokens)),
            temperature: Some(request.temperature.unwrap_or(self.config.temperature)),
            stream: Some(true),
            ..Default::default()
        };
        let started = Instant::now();
        let first = self.config.first_token_timeout;
        let inner = tokio::time::timeout(first, self.client.chat().create_stream(body))
            .await
            .map_err(|_| ChatError::Timeout(format!("{url}: no answer within {} s", first.as_secs_f32())))?
            .map_err(|e| ChatError::from(crate::failure(e, &url)))?;
        let idle = self.config.idle_timeout;
        let total = self.config.total_timeout;
        // Each step waits for the next chunk under the tighter of the deadlines; a chunk with no
        // text (role announcements, finish reasons) is skipped, a chunk that does not parse
        // ends the stream with an error.
        let state = (inner, url, false, false);
        let stream = futures::stream::unfold(state, move |(mut inner, url, mut got_text, done)| async move {
            if done {
                return None;
            }
            loop {
                let limit = if got_text { idle } else { first };
                let left = total.saturating_sub(started.elapsed());
                let wait = limit.min(left);
                match tokio::time::timeout(wait, inner.next()).await {
                    Err(_) => {
                        let what = if left <= limit { "the answer took too long" } else { "the model stopped sending" };
                        return Some((Err(ChatError::Timeout(format!("{url}: {what}"))), (inner, url, got_text, true)));
                    }
                    Ok(None) => return None,
                    Ok(Some(Err(e))) => return Some((Err(ChatError::from(crate::failure(e, &url))), (inner, url, got_text, true))),
                    Ok(Some(Ok(chunk))) => {
                        let text: String = chunk.choices.into_iter().filter_map(|c| c.delta.content).collect();
                        if text.is_empty() {
                            continue;
                        }
                        got_text = true;
                        return Some((Ok(text), (inner, url, got_text, false)));
                    }
                }
            }
        });
        Ok(Box::pin(stream))
    }
}
