//! The HTTP service. The only crate that knows HTTP and the JSON wire formats: it turns
//! requests into calls on the answer pipeline, the retriever and the indexer, and their
//! results and errors into responses (`{"error": {"code", "message"}}` for every failure).
//!
//! Routes: `POST /v1/ask` (JSON, or server-sent events with `"stream": true` or
//! `Accept: text/event-stream`), `POST /v1/search`, `GET /v1/passages/{id}`,
//! `GET|POST /v1/documents`, `DELETE /v1/documents/{id}`, `POST /v1/chat/completions`
//! and `GET /v1/models`, `GET /v1/models/{id}` (OpenAI-compatible, citations in an extra
//! field), `/mcp` (the MCP tools over Streamable HTTP: [`mcp`]), `GET /healthz`, `GET /readyz`, `GET /metrics`, `GET /openapi.json`, and the
//! widget: `GET /` (demo page, with an upload form: `GET /demo.js`), `GET /widget.js`. Every body is a struct of [`wire`].

pub mod access;
mod api;
mod chat_completions;
mod documents;
pub mod error;
pub mod mcp;
mod metrics;
mod models;
mod openapi;
mod stream;
pub mod wire;

use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{Html, IntoResponse};
use axum::routing::{delete, get, post};
use axum::Router;
use policyqa_pipeline::Pipeline;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, Any, CorsLayer};
use tower_http::trace::TraceLayer;

pub use error::ApiError;
pub use metrics::Metrics;

const WIDGET_JS: &str = include_str!("../assets/widget.js");
const DEMO_JS: &str = include_str!("../assets/demo.js");
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
    /// API keys and their roles; none: every route open (the binary then binds loopback only).
    pub access: access::Access,
    /// Requests per minute per key (per client IP without keys) on the `/v1/` routes.
    pub rate_limit_per_minute: Option<u32>,
    /// Browser origins allowed to call the API (CORS); `None`: any origin.
    pub widget_origins: Option<Vec<String>>,
    /// The model id OpenAI-compatible clients see (`GET /v1/models`, `model` of completions).
    pub model_name: String,
    /// Host names (`host` or `host:port`) `/mcp` accepts in the `Host` header besides the
    /// loopback names: DNS-rebinding protection for MCP clients.
    pub mcp_hosts: Vec<String>,
}

impl ServerConfig {
    pub fn new(uploads_dir: PathBuf) -> Self {
        ServerConfig {
            max_body_bytes: 8 * 1024 * 1024,
            request_timeout: Duration::from_secs(150),
            uploads_dir,
            dependencies: vec![],
            access: access::Access::open(),
            rate_limit_per_minute: None,
            widget_origins: None,
            model_name: "policyqa".into(),
            mcp_hosts: vec![],
        }
    }
}

/// What the handlers share. The pipeline is reopened when documents are added or removed
/// (the retriever's catalogue of document names changes with them).
pub struct AppState {
    pub config: ServerConfig,
    pub metrics: Metrics,
    rate_limits: Option<access::RateLimits>,
    pipeline: RwLock<Arc<Pipeline>>,
    /// Document uploads and removals one at a time.
    writes: tokio::sync::Mutex<()>,
}

impl AppState {
    pub fn new(pipeline: Pipeline, config: ServerConfig) -> Arc<Self> {
        Arc::new(AppState {
            rate_limits: config.rate_limit_per_minute.and_then(access::RateLimits::per_minute),
            config,
            metrics: Metrics::default(),
            pipeline: RwLock::new(Arc::new(pipeline)),
            writes: tokio::sync::Mutex::new(()),
        })
    }

    /// The pipeline as it is now; a request keeps the one it started with.
    pub fn pipeline(&self) -> Arc<Pipeline> {
        self.pipeline.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// After the documents changed: a retriever that knows the new catalogue.
    async fn refresh(&self) -> Result<(), ApiError> {
        let fresh = self.pipeline().reopen().await?;
        *self.pipeline.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(fresh);
        Ok(())
    }
}

pub fn router(state: Arc<AppState>) -> Router {
    let origins = match &state.config.widget_origins {
        None => AllowOrigin::from(Any),
        Some(list) => AllowOrigin::list(list.iter().filter_map(|o| HeaderValue::from_str(o).ok())),
    };
    let cors = CorsLayer::new()
        .allow_origin(origins)
        .allow_methods([Method::GET, Method::POST, Method::DELETE])
        .allow_headers([header::CONTENT_TYPE, header::ACCEPT, header::AUTHORIZATION])
        .expose_headers([header::RETRY_AFTER]);
    let limit = state.config.max_body_bytes;
    let timeout = state.config.request_timeout;
    Router::new()
        .route("/", get(|| async { Html(DEMO_PAGE) }))
        .route("/widget.js", get(widget))
        .route("/demo.js", get(demo_js))
        .route("/healthz", get(api::healthz))
        .route("/readyz", get(api::readyz))
        .route("/metrics", get(metrics::render))
        .route("/openapi.json", get(openapi::document))
        .route("/v1/ask", post(api::ask))
        .route("/v1/search", post(api::search))
        .route("/v1/verify", post(api::verify))
        .route("/v1/passages/{id}", get(api::passage))
        .route("/v1/documents", get(documents::list).post(documents::add))
        .route("/v1/documents/{id}", delete(documents::remove))
        .route("/v1/chat/completions", post(chat_completions::complete))
        .route("/v1/models", get(models::list))
        .route("/v1/models/{id}", get(models::get))
        .route_service("/mcp", tower::ServiceBuilder::new().layer(axum::middleware::from_fn(mcp::refusals_in_api_shape)).service(mcp::http_service(state.clone())))
        .fallback(|| async { ApiError::not_found("no such route") })
        .method_not_allowed_fallback(|| async { ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "this route does not take that method") })
        .layer(axum::middleware::from_fn_with_state(state.clone(), access::guard))
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(DefaultBodyLimit::max(limit))
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn(move |req, next| deadline(timeout, req, next)))
        .layer(cors)
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// The per-request deadline for the response head (a stream, once started, runs on under
/// its own checks), answered in the API's error shape.
async fn deadline(limit: Duration, req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(r) => r,
        Err(_) => ApiError::new(StatusCode::GATEWAY_TIMEOUT, "timeout", format!("no answer within {} s; try again", limit.as_secs_f64())).into_response(),
    }
}

async fn widget() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=300")], WIDGET_JS)
}

/// The demo page's upload form.
async fn demo_js() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=300")], DEMO_JS)
}

/// Serves until `shutdown` resolves; in-flight requests finish first. Handlers see the
/// client's address (the rate limit without keys is per IP).
pub async fn serve(listener: tokio::net::TcpListener, state: Arc<AppState>, shutdown: impl std::future::Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
    axum::serve(listener, router(state).into_make_service_with_connect_info::<std::net::SocketAddr>()).with_graceful_shutdown(shutdown).await
}
