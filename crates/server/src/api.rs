//! Ask, search, passages, health.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::Event;
use axum::response::{IntoResponse, Response};
use axum::Json;
use policyqa_answer::{AnswerEvent, AskRequest, Turn};
use policyqa_core::DocumentFilter;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::stream::{answer_stream, StreamItem};
use crate::{wire, AppState};

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

#[derive(Debug, Deserialize, ToSchema, schemars::JsonSchema)]
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
    /// Add the chat model's text as it came, before any check (`model_answer_raw`).
    #[serde(default)]
    pub debug: bool,
    /// Answer from these documents only.
    #[serde(default)]
    pub filters: Option<FiltersBody>,
    /// Read statuses on this date (YYYY-MM-DD) and answer from the versions in force then;
    /// today in China by default.
    #[serde(default)]
    pub as_of: Option<String>,
}

/// Which documents to draw on: every condition given must hold. Without `status`, the
/// documents in force on `as_of` (or today) are served, and any the question names.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FiltersBody {
    /// Document ids, as `GET /v1/documents` lists them (a list, or one id).
    #[serde(default, deserialize_with = "one_or_many")]
    #[schema(value_type = Vec<String>)]
    #[schemars(with = "OneOrMany")]
    pub doc_ids: Vec<String>,
    /// 发文机关 containing this text ("国务院" matches 国务院办公厅 too).
    #[serde(default)]
    pub issuer: Option<String>,
    /// Document types, the type word a title ends in: 意见, 通知, 办法, 条例, 决定, 法, 法典…;
    /// 法律 means 法 and 法典.
    #[serde(default, rename = "type", deserialize_with = "one_or_many")]
    #[schema(value_type = Vec<String>)]
    #[schemars(with = "OneOrMany")]
    pub types: Vec<String>,
    /// Statuses on `as_of`: in_force, repealed, superseded, not_yet_in_force, unknown (or
    /// 在施行, 已废止, 已被修订, 尚未施行).
    #[serde(default, deserialize_with = "one_or_many")]
    #[schema(value_type = Vec<String>)]
    #[schemars(with = "OneOrMany")]
    pub status: Vec<String>,
    /// 成文日期, 发布日期, 施行日期 ranges (YYYY-MM-DD, both ends included; a document that
    /// states no such date meets no range).
    #[serde(default)]
    pub written_from: Option<String>,
    #[serde(default)]
    pub written_to: Option<String>,
    #[serde(default)]
    pub published_from: Option<String>,
    #[serde(default)]
    pub published_to: Option<String>,
    #[serde(default)]
    pub effective_from: Option<String>,
    #[serde(default)]
    pub effective_to: Option<String>,
}

/// A list of strings, or one string for a list of one (also how such a field is described to
/// MCP clients, as JSON Schema).
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

/// A request's filters and date as the pipeline takes them; a malformed value is a 422
/// naming its field.
pub fn document_filter(filters: Option<FiltersBody>, as_of: Option<String>) -> Result<DocumentFilter, ApiError> {
    let f = filters.unwrap_or_default();
    let mut out = DocumentFilter::default();
    let lists = [("doc_id", f.doc_ids), ("type", f.types), ("status", f.status)];
    let single = [
        ("issuer", f.issuer),
        ("written_from", f.written_from),
        ("written_to", f.written_to),
        ("published_from", f.published_from),
        ("published_to", f.published_to),
        ("effective_from", f.effective_from),
        ("effective_to", f.effective_to),
    ];
    // The message starts with the field's name: inside `filters` but for `as_of`.
    let set = |out: &mut DocumentFilter, name: &str, value: &str| {
        let within = if name == "as_of" { "" } else { "filters." };
        out.set(name, value).map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_filter", format!("{within}{e}")))
    };
    for (name, values) in lists {
        for v in values {
            set(&mut out, name, &v)?;
        }
    }
    for (name, value) in single.into_iter().chain([("as_of", as_of)]) {
        if let Some(v) = value {
            set(&mut out, name, &v)?;
        }
    }
    Ok(out)
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
    responses((status = 200, description = "The answer (application/json), or server-sent events retrieval (RetrievalEvent), delta (DeltaEvent), citation (Citation), done (Answer), error (ErrorBody) (text/event-stream)", body = wire::Answer),
              (status = 400, description = "Malformed JSON", body = wire::ErrorBody), (status = 413, description = "Body over the limit", body = wire::ErrorBody),
              (status = 422, description = "Empty or over-long question, or a malformed filter or date (`invalid_filter`, naming the field)", body = wire::ErrorBody)))]
pub async fn ask(State(state): State<Arc<AppState>>, headers: HeaderMap, ApiJson(body): ApiJson<AskBody>) -> Result<Response, ApiError> {
    let stream = wants_stream(&headers, body.stream);
    let request = ask_request(body.question, body.history, body.top_k, body.filters, body.as_of)?;
    let request = AskRequest { debug: body.debug, ..request };
    if !stream {
        let answer = state.pipeline().answerer().ask(&request, None).await?;
        state.metrics.answered(&answer);
        return Ok(Json(wire::Answer::from(answer)).into_response());
    }
    Ok(answer_stream(state, request, vec![], ask_event).into_response())
}

/// An ask as the answerer takes it, every part checked (for `/v1/ask` and the MCP `ask`).
pub fn ask_request(question: String, history: Vec<TurnBody>, top_k: Option<usize>, filters: Option<FiltersBody>, as_of: Option<String>) -> Result<AskRequest, ApiError> {
    let filter = document_filter(filters, as_of)?;
    let request = AskRequest { question, history: turns(history)?, top_k: check_top_k(top_k)?, debug: false, filter };
    validate(&request.question)?;
    Ok(request)
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

/// `/v1/ask`'s events: `retrieval`, `delta`…, `citation`…, then `done` (the whole answer, as
/// the JSON response) or `error`.
fn ask_event(item: StreamItem) -> Vec<Event> {
    fn event(name: &str, data: &impl serde::Serialize) -> Event {
        Event::default().event(name).data(serde_json::to_string(data).unwrap_or_default())
    }
    vec![match item {
        StreamItem::Event(AnswerEvent::Retrieval(p)) => event("retrieval", &wire::RetrievalEvent { passages: p.into_iter().map(Into::into).collect() }),
        StreamItem::Event(AnswerEvent::Delta(text)) => event("delta", &wire::DeltaEvent { text }),
        StreamItem::Event(AnswerEvent::Citation(c)) => event("citation", &wire::Citation::from(*c)),
        StreamItem::Done(a) => event("done", &wire::Answer::from(*a)),
        StreamItem::Failed(e) => event("error", &e.body()),
    }]
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SearchBody {
    pub query: String,
    pub top_k: Option<usize>,
    /// Search these documents only.
    #[serde(default)]
    pub filters: Option<FiltersBody>,
    /// Read statuses on this date (YYYY-MM-DD) and search the versions in force then; today
    /// in China by default.
    #[serde(default)]
    pub as_of: Option<String>,
}

#[utoipa::path(post, path = "/v1/search", request_body = SearchBody,
    responses((status = 200, description = "The ranked passages (as `policyqa search --json`)", body = wire::Search),
              (status = 422, description = "Empty or over-long query, or a malformed filter or date (`invalid_filter`, naming the field)", body = wire::ErrorBody)))]
pub async fn search(State(state): State<Arc<AppState>>, ApiJson(body): ApiJson<SearchBody>) -> Result<Json<wire::Search>, ApiError> {
    Ok(Json(run_search(&state, body).await?))
}

/// A search, checked and run (for `/v1/search` and the MCP `search_clauses`).
pub async fn run_search(state: &AppState, body: SearchBody) -> Result<wire::Search, ApiError> {
    validate(&body.query)?;
    let filter = document_filter(body.filters, body.as_of)?;
    let r = state.pipeline().retriever().search_filtered(&body.query, check_top_k(body.top_k)?.unwrap_or(10), &filter).await?;
    state.metrics.retrieval.observe(r.millis / 1000.0);
    Ok(r.into())
}

/// `POST /v1/verify`: a text whose citations to check.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyBody {
    /// Any text: a draft, another model's answer (at most 4 MiB).
    pub text: String,
    /// Read statuses on this date (YYYY-MM-DD: the text's date); today in China by default.
    #[serde(default)]
    pub as_of: Option<String>,
}

#[utoipa::path(post, path = "/v1/verify", request_body = VerifyBody,
    responses((status = 200, description = "Each citation of the text: found (its clause), no such article (the document's range), not indexed, or repealed (by what, since when, the clause that says so); the document's status on `as_of`; whether the clause bears out the sentence citing it (as `policyqa verify --json`)", body = wire::Verification),
              (status = 422, description = "Over-long text or a malformed date", body = wire::ErrorBody)))]
pub async fn verify(State(state): State<Arc<AppState>>, ApiJson(body): ApiJson<VerifyBody>) -> Result<Json<wire::Verification>, ApiError> {
    Ok(Json(run_verify(&state, body).await?))
}

/// A text's citations checked on its date (for `/v1/verify` and the MCP `verify_citations`).
pub async fn run_verify(state: &AppState, body: VerifyBody) -> Result<wire::Verification, ApiError> {
    let date = match body.as_of.as_deref() {
        Some(d) => d.parse().map_err(|_| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_date", format!("as_of: {:?} is not a date (YYYY-MM-DD)", d.chars().take(32).collect::<String>())))?,
        None => policyqa_validity::date_in_china(std::time::SystemTime::now()).ok_or_else(|| ApiError::internal("reading the clock", &"before 1970"))?,
    };
    let v = policyqa_answer::verify(state.pipeline().retriever(), &body.text, date).await.map_err(|e| match e {
        policyqa_answer::VerifyError::TooLong(_) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "text_too_long", e.to_string()),
        policyqa_answer::VerifyError::Search(s) => s.into(),
    })?;
    Ok(v.into())
}

#[utoipa::path(get, path = "/v1/passages/{id}", params(("id" = String, Path, description = "Passage id")),
    responses((status = 200, description = "The passage", body = wire::Passage), (status = 404, description = "No such passage", body = wire::ErrorBody)))]
pub async fn passage(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> Result<Json<wire::Passage>, ApiError> {
    // Ids are 16 hex digits; anything else names no passage (and is not echoed at length).
    if !policyqa_core::is_passage_id(&id) {
        let shown: String = id.chars().take(64).collect();
        return Err(ApiError::not_found(format!("no passage {shown:?}")));
    }
    match state.pipeline().store().get(std::slice::from_ref(&id)).await?.pop() {
        Some(p) => Ok(Json(p.into())),
        None => Err(ApiError::not_found(format!("no passage {id}"))),
    }
}

#[utoipa::path(get, path = "/healthz", responses((status = 200, description = "The process is up", body = wire::Health)))]
pub async fn healthz() -> Json<wire::Health> {
    Json(wire::Health { status: "ok".into() })
}

/// Ready: the index opens and answers; the chat and embeddings endpoints, when configured,
/// answer HTTP.
#[utoipa::path(get, path = "/readyz", responses((status = 200, description = "Ready", body = wire::Ready), (status = 503, description = "A dependency is down", body = wire::Ready)))]
pub async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    let mut checks = std::collections::BTreeMap::new();
    let mut ready = true;
    match state.pipeline().store().count().await {
        Ok(n) => {
            checks.insert("index".to_string(), wire::Check { ok: true, passages: Some(n) });
        }
        Err(e) => {
            ready = false;
            tracing::warn!("readyz: index: {e}");
            checks.insert("index".to_string(), wire::Check { ok: false, passages: None });
        }
    }
    let client = reqwest::Client::builder().timeout(Duration::from_secs(3)).build();
    for (what, url) in &state.config.dependencies {
        let ok = match &client {
            Ok(c) => c.get(format!("{}/models", url.trim_end_matches('/'))).send().await.is_ok_and(|r| !r.status().is_server_error()),
            Err(_) => false,
        };
        ready &= ok;
        checks.insert(what.clone(), wire::Check { ok, passages: None });
    }
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(wire::Ready { ready, checks })).into_response()
}
