//! `POST /v1/chat/completions`, OpenAI-compatible, so OpenAI clients and chat front ends
//! work unchanged: the last user message is the question, the earlier user and assistant
//! messages its history (system messages are ignored: the rules are policyqa's). Citations
//! travel in an extra `citations` field of the message, and of the final streamed chunk,
//! where clients that do not know it keep it instead of dropping the answer's sources.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::State;
use axum::response::sse::Event;
use axum::response::{IntoResponse, Response};
use axum::Json;
use policyqa_answer::{AnswerEvent, AskRequest, Turn};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::api::{validate, ApiJson};
use crate::error::ApiError;
use crate::stream::{answer_stream, StreamItem};
use crate::{wire, AppState};

#[derive(Debug, Deserialize, ToSchema)]
pub struct ChatBody {
    /// (`model` is accepted and ignored: every answer is policyqa's.)
    /// [{role: system|user|assistant, content: string or [{type: "text", text}]}]
    #[schema(value_type = Vec<Object>)]
    pub messages: Vec<Value>,
    #[serde(default)]
    pub stream: bool,
}

/// The text of a message's content: a string, or the text parts of a list.
fn content_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(parts) => parts.iter().filter_map(|p| p.get("text").and_then(Value::as_str)).collect::<Vec<_>>().join(""),
        _ => String::new(),
    }
}

fn request_of(body: ChatBody) -> Result<AskRequest, ApiError> {
    let mut turns: Vec<Turn> = Vec::new();
    for m in &body.messages {
        let role = m.get("role").and_then(Value::as_str).ok_or_else(|| ApiError::bad_request("every message needs a role"))?;
        match role {
            "user" | "assistant" => turns.push(Turn { role: role.into(), content: content_text(m.get("content").unwrap_or(&Value::Null)) }),
            "system" | "developer" | "tool" => {}
            other => return Err(ApiError::bad_request(format!("unknown message role {other:?}"))),
        }
    }
    let last = turns.pop().filter(|t| t.role == "user").ok_or_else(|| ApiError::unprocessable("the last message must be the user's question"))?;
    validate(&last.content)?;
    Ok(AskRequest { question: last.content, history: turns, ..Default::default() })
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn completion_id() -> String {
    format!("chatcmpl-{:x}", SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos()))
}

/// An OpenAI `chat.completion`, with the answer's citations beside the message.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Completion {
    pub id: String,
    /// `"chat.completion"`.
    pub object: String,
    pub created: u64,
    pub model: String,
    pub choices: Vec<Choice>,
    pub usage: Usage,
    pub citations: Vec<wire::Citation>,
    pub refused: bool,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Choice {
    pub index: u32,
    pub message: Message,
    pub finish_reason: String,
    /// Always `null`.
    #[schema(value_type = Option<Object>)]
    pub logprobs: Option<Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Message {
    /// `"assistant"`.
    pub role: String,
    pub content: String,
    /// Always `null`: a refusal is an answer saying what the documents lack.
    pub refusal: Option<String>,
    pub citations: Vec<wire::Citation>,
}

/// Token counts are not measured: zeros, as OpenAI clients expect the field.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct Usage {
    pub prompt_tokens: u32,
    pub completion_tokens: u32,
    pub total_tokens: u32,
}

/// One `chat.completion.chunk` of a streamed completion; the last carries the citations.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Chunk {
    pub id: String,
    /// `"chat.completion.chunk"`.
    pub object: String,
    pub created: u64,
    pub model: String,
    pub choices: Vec<ChunkChoice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citations: Option<Vec<wire::Citation>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChunkChoice {
    pub index: u32,
    pub delta: Delta,
    pub finish_reason: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub logprobs: Option<Value>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct Delta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citations: Option<Vec<wire::Citation>>,
}

#[utoipa::path(post, path = "/v1/chat/completions", request_body = ChatBody,
    responses((status = 200, description = "An OpenAI chat.completion (or chat.completion.chunk events with `stream`), with `citations`", body = Completion),
              (status = 400, description = "Malformed request", body = wire::ErrorBody), (status = 422, description = "No user question", body = wire::ErrorBody)))]
pub async fn complete(State(state): State<Arc<AppState>>, ApiJson(body): ApiJson<ChatBody>) -> Result<Response, ApiError> {
    let stream = body.stream;
    let request = request_of(body)?;
    let model = state.config.model_name.clone();
    if !stream {
        let a = state.pipeline().answerer().ask(&request, None).await?;
        state.metrics.answered(&a);
        let citations: Vec<wire::Citation> = a.citations.into_iter().map(Into::into).collect();
        return Ok(Json(Completion {
            id: completion_id(),
            object: "chat.completion".into(),
            created: now(),
            model,
            choices: vec![Choice {
                index: 0,
                message: Message { role: "assistant".into(), content: a.answer, refusal: None, citations: citations.clone() },
                finish_reason: "stop".into(),
                logprobs: None,
            }],
            usage: Usage::default(),
            citations,
            refused: a.refused,
            warnings: a.warnings,
        })
        .into_response());
    }
    let id = completion_id();
    let created = now();
    let chunk = move |delta: Delta, finish: Option<&str>, citations: Option<Vec<wire::Citation>>| {
        let c = Chunk {
            id: id.clone(),
            object: "chat.completion.chunk".into(),
            created,
            model: model.clone(),
            choices: vec![ChunkChoice { index: 0, delta, finish_reason: finish.map(String::from), logprobs: None }],
            citations,
        };
        Event::default().data(serde_json::to_string(&c).unwrap_or_default())
    };
    let opening = vec![chunk(Delta { role: Some("assistant".into()), content: Some(String::new()), citations: None }, None, None)];
    let done = || Event::default().data("[DONE]");
    // Sentences go out as content deltas; the citations come once, with the final chunk.
    let render = move |item: StreamItem| match item {
        StreamItem::Event(AnswerEvent::Delta(text)) => vec![chunk(Delta { content: Some(text), ..Default::default() }, None, None)],
        StreamItem::Event(_) => vec![],
        StreamItem::Done(a) => {
            let citations: Vec<wire::Citation> = a.citations.into_iter().map(Into::into).collect();
            vec![chunk(Delta { citations: Some(citations.clone()), ..Default::default() }, Some("stop"), Some(citations)), done()]
        }
        StreamItem::Failed(e) => vec![Event::default().data(serde_json::to_string(&e.body()).unwrap_or_default()), done()],
    };
    Ok(answer_stream(state, request, opening, render).into_response())
}
