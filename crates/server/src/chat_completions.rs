//! `POST /v1/chat/completions`, OpenAI-compatible, so OpenAI clients and chat front ends
//! work unchanged: the last user message is the question, the earlier user and assistant
//! messages its history (system messages are ignored: the rules are policyqa's). Citations
//! travel in an extra `citations` field of the message, and of the final streamed chunk,
//! where clients that do not know it keep it instead of dropping the answer's sources.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::State;
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use policyqa_answer::{AnswerEvent, AskRequest, Turn};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio_stream::wrappers::ReceiverStream;
use utoipa::ToSchema;

use crate::api::{send_or_give_up, validate, ApiJson};
use crate::error::ApiError;
use crate::AppState;

pub const MODEL: &str = "policyqa";

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
    Ok(AskRequest { question: last.content, history: turns, top_k: None })
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn completion_id() -> String {
    format!("chatcmpl-{:x}", SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos()))
}

#[utoipa::path(post, path = "/v1/chat/completions", request_body = ChatBody,
    responses((status = 200, description = "An OpenAI chat.completion (or chat.completion.chunk events with `stream`), with `citations`"),
              (status = 400, description = "Malformed request"), (status = 422, description = "No user question")))]
pub async fn complete(State(state): State<Arc<AppState>>, ApiJson(body): ApiJson<ChatBody>) -> Result<Response, ApiError> {
    let stream = body.stream;
    let request = request_of(body)?;
    if !stream {
        let a = state.answerer().ask(&request, None).await?;
        let citations = serde_json::to_value(&a.citations).unwrap_or_default();
        return Ok(Json(json!({
            "id": completion_id(),
            "object": "chat.completion",
            "created": now(),
            "model": MODEL,
            "choices": [{
                "index": 0,
                "message": {"role": "assistant", "content": a.answer, "refusal": null, "citations": citations},
                "finish_reason": "stop",
                "logprobs": null
            }],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
            "citations": citations,
            "refused": a.refused,
            "warnings": a.warnings,
        }))
        .into_response());
    }
    let (out, rx) = tokio::sync::mpsc::channel::<Result<Event, Infallible>>(64);
    let active = state.metrics.stream_started();
    tokio::spawn(async move {
        let _active = active;
        let id = completion_id();
        let created = now();
        let chunk = move |delta: Value, finish: Option<&str>, extra: Option<(&str, Value)>| {
            let mut v = json!({"id": id.clone(), "object": "chat.completion.chunk", "created": created, "model": MODEL,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": null}]});
            if let Some((k, x)) = extra {
                v[k] = x;
            }
            Event::default().data(v.to_string())
        };
        if !send_or_give_up(&out, chunk(json!({"role": "assistant", "content": ""}), None, None)).await {
            return;
        }
        let (tx, mut events) = tokio::sync::mpsc::unbounded_channel::<AnswerEvent>();
        let forward_out = out.clone();
        let forward_chunk = chunk.clone();
        let forward = tokio::spawn(async move {
            while let Some(e) = events.recv().await {
                if let AnswerEvent::Delta(text) = e
                    && !send_or_give_up(&forward_out, forward_chunk(json!({"content": text}), None, None)).await
                {
                    break;
                }
            }
        });
        let result = state.answerer().ask(&request, Some(&tx)).await;
        drop(tx);
        let _ = forward.await;
        match result {
            Ok(a) => {
                let citations = serde_json::to_value(&a.citations).unwrap_or_default();
                send_or_give_up(&out, chunk(json!({"citations": citations.clone()}), Some("stop"), Some(("citations", citations)))).await;
            }
            Err(e) => {
                let e: ApiError = e.into();
                send_or_give_up(&out, Event::default().data(e.body().to_string())).await;
            }
        }
        send_or_give_up(&out, Event::default().data("[DONE]")).await;
    });
    Ok(Sse::new(ReceiverStream::new(rx)).into_response())
}
