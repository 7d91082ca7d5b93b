//! Prometheus metrics: requests by route, method and status; latency histograms; retrieval
//! and generation time; active answer streams. A registry per server (no global state, so
//! tests can run several servers in one process).

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use crate::AppState;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DeniedLabels {
    reason: String,
}

fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.0005, 2.0, 18))
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    pub retrieval: Histogram,
    pub generation: Histogram,
    pub active_streams: Gauge,
    denied: Family<DeniedLabels, Counter>,
    fallbacks: Family<DeniedLabels, Counter>,
    dropped_sentences: Counter,
}

/// One answer being streamed, for as long as the value lives: the gauge goes back down
/// however the stream ends (finished, client gone, task aborted or panicked).
pub struct ActiveStream(Gauge);

impl Drop for ActiveStream {
    fn drop(&mut self) {
        self.0.dec();
    }
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("policyqa");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(latency_histogram as fn() -> Histogram);
        let retrieval = latency_histogram();
        let generation = latency_histogram();
        let active_streams = Gauge::default();
        registry.register("http_requests", "HTTP requests by route, method and status", requests.clone());
        registry.register("http_request_duration_seconds", "Time to the response head, by route", latency.clone());
        registry.register("retrieval_duration_seconds", "Retrieval time per answer", retrieval.clone());
        registry.register("generation_duration_seconds", "Answer generation time (model or extractive)", generation.clone());
        registry.register("active_streams", "Answers being streamed", active_streams.clone());
        let denied = Family::<DeniedLabels, Counter>::default();
        registry.register("denied_requests", "Requests refused before a handler: unauthorized, forbidden, rate_limited", denied.clone());
        let fallbacks = Family::<DeniedLabels, Counter>::default();
        registry.register("answer_fallbacks", "Chat-model answers not used (the extractive answer served instead), by reason: model_failed, echoed_prompt, uncited, unsupported", fallbacks.clone());
        let dropped_sentences = Counter::default();
        registry.register("answer_dropped_sentences", "Sentences of chat-model answers left out because their citations did not bear them out", dropped_sentences.clone());
        Metrics { registry, requests, latency, retrieval, generation, active_streams, denied, fallbacks, dropped_sentences }
    }
}

impl Metrics {
    pub fn stream_started(&self) -> ActiveStream {
        self.active_streams.inc();
        ActiveStream(self.active_streams.clone())
    }

    /// An answer's retrieval and generation time.
    /// An answer's retrieval and generation time, and what of a model's answer was not used.
    pub fn answered(&self, a: &policyqa_answer::Answer) {
        self.retrieval.observe(a.timings.retrieval_ms / 1000.0);
        self.generation.observe(a.timings.generation_ms / 1000.0);
        if let Some(f) = a.fallback {
            self.fallbacks.get_or_create(&DeniedLabels { reason: f.as_str().into() }).inc();
        }
        self.dropped_sentences.inc_by(a.dropped_sentences as u64);
    }

    pub fn denied(&self, reason: &str) {
        self.denied.get_or_create(&DeniedLabels { reason: reason.into() }).inc();
    }

    pub fn encode(&self) -> String {
        let mut out = String::new();
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

pub async fn track(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = req.method().to_string();
    let started = Instant::now();
    let res = next.run(req).await;
    state.metrics.latency.get_or_create(&RouteLabels { route: route.clone() }).observe(started.elapsed().as_secs_f64());
    state.metrics.requests.get_or_create(&RequestLabels { route, method, status: res.status().as_u16() }).inc();
    res
}

pub async fn render(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], state.metrics.encode())
}
