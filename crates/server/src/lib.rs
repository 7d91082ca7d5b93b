//! The HTTP service. The only crate that knows HTTP and the JSON wire formats: it turns
//! requests into calls on the answer pipeline, the retriever and the indexer, and their
//! results and errors into responses (`{"error": {"code", "message"}}` for every failure).
//!
//! Routes: `POST /v1/ask` (JSON, or server-sent events with `"stream": true` or
//! `Accept: text/event-stream`), `POST /v1/search`, `GET /v1/passages/{id}`,
//! `GET|POST /v1/documents`, `DELETE /v1/documents/{id}`, `POST /v1/chat/completions`
//! (OpenAI-compatible, citations in an extra field), `GET /healthz`, `GET /readyz`,
//! `GET /metrics`, `GET /openapi.json`, and the widget: `GET /` (demo page), `GET /widget.js`.

mod api;
mod chat_completions;
mod documents;
pub mod error;
mod metrics;
mod openapi;

use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, Method, StatusCode};
use axum::response::{Html, IntoResponse};
use axum::routing::{delete, get, post};
use axum::Router;
use policyqa_answer::{AnswerConfig, Answerer, Prompts};
use policyqa_core::{ChatModel, Embedder, PassageStore};
use policyqa_index::Indexer;
use policyqa_retrieval::{Lexicon, RetrievalConfig, Retriever};
use tower_http::compression::CompressionLayer;
use tower_http::cors::{Any, CorsLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use error::ApiError;
pub use metrics::Metrics;

const WIDGET_JS: &str = include_str!("../assets/widget.js");
const DEMO_PAGE: &str = include_str!("../assets/index.html");

#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Largest request body (JSON or an uploaded file).
    pub max_body_bytes: usize,
    /// Longest a request may take to produce its response head (streams then run on).
    pub request_timeout: Duration,
    /// Where uploaded documents are kept (they are indexed from there, like any file).
    pub uploads_dir: PathBuf,
    /// Endpoints `/readyz` checks: (what, base URL).
    pub dependencies: Vec<(String, String)>,
}

impl ServerConfig {
    pub fn new(uploads_dir: PathBuf) -> Self {
        ServerConfig { max_body_bytes: 8 * 1024 * 1024, request_timeout: Duration::from_secs(150), uploads_dir, dependencies: vec![] }
    }
}

/// What the handlers share. The answerer is rebuilt when documents are added or removed
/// (the retriever's catalogue of document names changes with them).
pub struct AppState {
    pub store: Arc<dyn PassageStore>,
    pub embedder: Option<Arc<dyn Embedder>>,
    pub chat: Option<Arc<dyn ChatModel>>,
    pub prompts: Prompts,
    pub answer_config: AnswerConfig,
    pub indexer: Indexer,
    pub config: ServerConfig,
    pub metrics: Metrics,
    answerer: RwLock<Arc<Answerer>>,
    /// Document uploads and removals one at a time.
    writes: tokio::sync::Mutex<()>,
}

impl AppState {
    pub async fn new(
        store: Arc<dyn PassageStore>,
        embedder: Option<Arc<dyn Embedder>>,
        chat: Option<Arc<dyn ChatModel>>,
        prompts: Prompts,
        answer_config: AnswerConfig,
        config: ServerConfig,
    ) -> Result<Arc<Self>, ApiError> {
        let answerer = build_answerer(&store, &embedder, &chat, &prompts, &answer_config).await?;
        let indexer = Indexer {
            chunker: policyqa_chunker::ClauseChunker::default(),
            store: store.clone(),
            embedder: embedder.clone(),
            segmenter: policyqa_index::ChineseSegmenter::default(),
        };
        Ok(Arc::new(AppState {
            store,
            embedder,
            chat,
            prompts,
            answer_config,
            indexer,
            config,
            metrics: Metrics::default(),
            answerer: RwLock::new(Arc::new(answerer)),
            writes: tokio::sync::Mutex::new(()),
        }))
    }

    pub fn answerer(&self) -> Arc<Answerer> {
        self.answerer.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// After the documents changed: a retriever that knows the new catalogue.
    async fn refresh(&self) -> Result<(), ApiError> {
        let fresh = build_answerer(&self.store, &self.embedder, &self.chat, &self.prompts, &self.answer_config).await?;
        *self.answerer.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(fresh);
        Ok(())
    }
}

async fn build_answerer(
    store: &Arc<dyn PassageStore>,
    embedder: &Option<Arc<dyn Embedder>>,
    chat: &Option<Arc<dyn ChatModel>>,
    prompts: &Prompts,
    config: &AnswerConfig,
) -> Result<Answerer, ApiError> {
    let retriever = Retriever::open(store.clone(), embedder.clone(), Lexicon::builtin(), RetrievalConfig::default()).await?;
    Ok(Answerer::new(Arc::new(retriever), chat.clone(), prompts.clone(), config.clone()))
}

pub fn router(state: Arc<AppState>) -> Router {
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST, Method::DELETE])
        .allow_headers([header::CONTENT_TYPE, header::ACCEPT, header::AUTHORIZATION]);
    let limit = state.config.max_body_bytes;
    let timeout = state.config.request_timeout;
    Router::new()
        .route("/", get(|| async { Html(DEMO_PAGE) }))
        .route("/widget.js", get(widget))
        .route("/healthz", get(api::healthz))
        .route("/readyz", get(api::readyz))
        .route("/metrics", get(metrics::render))
        .route("/openapi.json", get(openapi::document))
        .route("/v1/ask", post(api::ask))
        .route("/v1/search", post(api::search))
        .route("/v1/passages/{id}", get(api::passage))
        .route("/v1/documents", get(documents::list).post(documents::add))
        .route("/v1/documents/{id}", delete(documents::remove))
        .route("/v1/chat/completions", post(chat_completions::complete))
        .fallback(|| async { ApiError::not_found("no such route") })
        .method_not_allowed_fallback(|| async { ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "this route does not take that method") })
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(DefaultBodyLimit::max(limit))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(StatusCode::GATEWAY_TIMEOUT, timeout))
        .layer(cors)
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn widget() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=300")], WIDGET_JS)
}

/// Serves until `shutdown` resolves; in-flight requests finish first.
pub async fn serve(listener: tokio::net::TcpListener, state: Arc<AppState>, shutdown: impl std::future::Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown).await
}
