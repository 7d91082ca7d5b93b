//! Ask, search, passages, health.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use policyqa_answer::{Answer, AnswerEvent, AskRequest, Turn};
use serde::Deserialize;
use tokio_stream::wrappers::ReceiverStream;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::AppState;

/// `Json` whose rejections are API errors: malformed JSON 400, a body over the limit 413,
/// a missing content type 415.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

pub fn json_rejection(r: JsonRejection) -> ApiError {
    match r.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", "the request body is over the size limit"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "send JSON with content-type: application/json")
        }
        _ => ApiError::new(StatusCode::BAD_REQUEST, "malformed_json", format!("the body is not the expected JSON: {}", r.body_text())),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TurnBody {
    /// "user" or "assistant".
    pub role: String,
    pub content: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AskBody {
    pub question: String,
    pub top_k: Option<usize>,
    /// Earlier turns, oldest first, for follow-up questions.
    #[serde(default)]
    pub history: Vec<TurnBody>,
    /// Server-sent events instead of one JSON answer.
    #[serde(default)]
    pub stream: bool,
}

pub fn turns(history: Vec<TurnBody>) -> Result<Vec<Turn>, ApiError> {
    history
        .into_iter()
        .map(|t| match t.role.as_str() {
            "user" | "assistant" => Ok(Turn { role: t.role, content: t.content }),
            other => Err(ApiError::unprocessable(format!("history: role {other:?} is neither \"user\" nor \"assistant\""))),
        })
        .collect()
}

fn wants_stream(headers: &HeaderMap, asked: bool) -> bool {
    asked || headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/event-stream"))
}

#[utoipa::path(post, path = "/v1/ask", request_body = AskBody,
    responses((status = 200, description = "The answer (application/json), or server-sent events retrieval, delta, citation, done, error (text/event-stream)"),
              (status = 400, description = "Malformed JSON"), (status = 413, description = "Body over the limit"), (status = 422, description = "Empty or over-long question")))]
pub async fn ask(State(state): State<Arc<AppState>>, headers: HeaderMap, ApiJson(body): ApiJson<AskBody>) -> Result<Response, ApiError> {
    let stream = wants_stream(&headers, body.stream);
    let request = AskRequest { question: body.question, history: turns(body.history)?, top_k: check_top_k(body.top_k)? };
    validate(&request.question)?;
    if !stream {
        let answer = state.answerer().ask(&request, None).await?;
        observe(&state, &answer);
        return Ok(Json(answer).into_response());
    }
    Ok(ask_stream(state, request).into_response())
}

/// `top_k` within 1..=[`policyqa_retrieval::MAX_TOP_K`], said plainly otherwise.
pub fn check_top_k(k: Option<usize>) -> Result<Option<usize>, ApiError> {
    match k {
        Some(n) if n == 0 || n > policyqa_retrieval::MAX_TOP_K => {
            Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_top_k", format!("top_k is {n}; it must be between 1 and {}", policyqa_retrieval::MAX_TOP_K)))
        }
        k => Ok(k),
    }
}

/// Errors a stream could only report as an `error` event are caught before it starts.
pub fn validate(question: &str) -> Result<(), ApiError> {
    let n = question.trim().chars().count();
    if n == 0 {
        return Err(ApiError::unprocessable("the question is empty"));
    }
    if n > policyqa_retrieval::MAX_QUERY_CHARS {
        return Err(ApiError::unprocessable(format!("the question is {n} characters long; the limit is {}", policyqa_retrieval::MAX_QUERY_CHARS)));
    }
    Ok(())
}

fn observe(state: &AppState, a: &Answer) {
    state.metrics.retrieval.observe(a.timings.retrieval_ms / 1000.0);
    state.metrics.generation.observe(a.timings.generation_ms / 1000.0);
}

/// Runs one answer in the background and turns its events into SSE: `retrieval`, `delta`…,
/// `citation`…, then `done` (the whole answer, as the JSON response) or `error`.
pub fn ask_stream(state: Arc<AppState>, request: AskRequest) -> impl IntoResponse {
    let (out, rx) = tokio::sync::mpsc::channel::<Result<Event, Infallible>>(64);
    let active = state.metrics.stream_started();
    tokio::spawn(async move {
        let _active = active;
        let (tx, mut events) = tokio::sync::mpsc::unbounded_channel::<AnswerEvent>();
        let forward_out = out.clone();
        let forward = tokio::spawn(async move {
            while let Some(e) = events.recv().await {
                if !send_or_give_up(&forward_out, sse_event(&e)).await {
                    break;
                }
            }
        });
        let answerer = state.answerer();
        let result = answerer.ask(&request, Some(&tx)).await;
        drop(tx);
        let _ = forward.await;
        let last = match result {
            Ok(answer) => {
                observe(&state, &answer);
                Event::default().event("done").data(serde_json::to_string(&answer).unwrap_or_default())
            }
            Err(e) => {
                let e: ApiError = e.into();
                Event::default().event("error").data(e.body().to_string())
            }
        };
        send_or_give_up(&out, last).await;
    });
    Sse::new(ReceiverStream::new(rx)).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

/// How long a stream waits for a client that has stopped reading before it gives up on it:
/// the answer's task then ends instead of waiting on a full buffer for ever.
pub const STALLED_CLIENT: Duration = Duration::from_secs(30);

/// Sends one event; false when the client is gone or has not read for [`STALLED_CLIENT`].
pub async fn send_or_give_up(out: &tokio::sync::mpsc::Sender<Result<Event, Infallible>>, event: Event) -> bool {
    matches!(tokio::time::timeout(STALLED_CLIENT, out.send(Ok(event))).await, Ok(Ok(())))
}

fn sse_event(e: &AnswerEvent) -> Event {
    let (name, data) = match e {
        AnswerEvent::Retrieval(p) => ("retrieval", serde_json::json!({ "passages": p })),
        AnswerEvent::Delta(t) => ("delta", serde_json::json!({ "text": t })),
        AnswerEvent::Citation(c) => ("citation", serde_json::to_value(c).unwrap_or_default()),
    };
    Event::default().event(name).data(data.to_string())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SearchBody {
    pub query: String,
    pub top_k: Option<usize>,
}

#[utoipa::path(post, path = "/v1/search", request_body = SearchBody,
    responses((status = 200, description = "{query, passages, clause_lookup?} as `policyqa search --json`"), (status = 422, description = "Empty or over-long query")))]
pub async fn search(State(state): State<Arc<AppState>>, ApiJson(body): ApiJson<SearchBody>) -> Result<Response, ApiError> {
    validate(&body.query)?;
    let r = state.answerer().retriever().search(&body.query, check_top_k(body.top_k)?.unwrap_or(10)).await?;
    state.metrics.retrieval.observe(r.millis / 1000.0);
    Ok(Json(serde_json::json!({ "query": r.query, "passages": r.passages, "clause_lookup": r.clause_lookup, "warnings": r.warnings })).into_response())
}

#[utoipa::path(get, path = "/v1/passages/{id}", params(("id" = String, Path, description = "Passage id")),
    responses((status = 200, description = "The passage"), (status = 404, description = "No such passage")))]
pub async fn passage(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> Result<Response, ApiError> {
    if id.len() > 64 || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(ApiError::not_found(format!("no passage {id:?}")));
    }
    match state.store.get(std::slice::from_ref(&id)).await?.pop() {
        Some(p) => Ok(Json(p).into_response()),
        None => Err(ApiError::not_found(format!("no passage {id}"))),
    }
}

pub async fn healthz() -> impl IntoResponse {
    Json(serde_json::json!({ "status": "ok" }))
}

/// Ready: the index opens and answers; the chat and embeddings endpoints, when configured,
/// answer HTTP.
pub async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    let mut checks = serde_json::Map::new();
    let mut ready = true;
    match state.store.count().await {
        Ok(n) => {
            checks.insert("index".into(), serde_json::json!({ "ok": true, "passages": n }));
        }
        Err(e) => {
            ready = false;
            tracing::warn!("readyz: index: {e}");
            checks.insert("index".into(), serde_json::json!({ "ok": false }));
        }
    }
    let client = reqwest::Client::builder().timeout(Duration::from_secs(3)).build();
    for (what, url) in &state.config.dependencies {
        let ok = match &client {
            Ok(c) => c.get(format!("{}/models", url.trim_end_matches('/'))).send().await.is_ok_and(|r| !r.status().is_server_error()),
            Err(_) => false,
        };
        ready &= ok;
        checks.insert(what.clone(), serde_json::json!({ "ok": ok }));
    }
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(serde_json::json!({ "ready": ready, "checks": checks }))).into_response()
}
