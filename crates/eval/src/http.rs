//! The eval's client of a running policyqa server: the questions go to its public API
//! (`/v1/search`, `/v1/ask`) and the answers are read as the server's own wire structs,
//! strictly: a response that lacks a field the server documents is an error naming it, not
//! a zero in the figures.

use std::time::{Duration, Instant};

use policyqa_server::wire;
use serde::de::DeserializeOwned;

use crate::{Answered, AnsweredCitation, EvalError, EvalTarget, Filters, Retrieved, RetrievedPassage};

/// A running policyqa server, asked over its public API. Latencies are round trips.
pub struct HttpTarget {
    base: String,
    key: Option<String>,
    client: reqwest::Client,
}

impl HttpTarget {
    /// `url` as given on the command line (`--url`), e.g. `http://127.0.0.1:8080`.
    pub fn new(url: &str, key: Option<String>) -> Result<Self, EvalError> {
        let base = url.trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(EvalError::InvalidTarget(format!("--url {url}: expected http://host:port")));
        }
        let client = reqwest::Client::builder().timeout(Duration::from_secs(180)).build().map_err(|e| EvalError::InvalidTarget(format!("cannot build the HTTP client: {e}")))?;
        Ok(HttpTarget { base, key, client })
    }

    /// Fails early, with the server's answer, when it is not up.
    pub async fn check(&self) -> Result<(), EvalError> {
        let r = self.client.get(format!("{}/healthz", self.base)).send().await.map_err(|e| EvalError::Unavailable(format!("cannot reach {}: {e}", self.base)))?;
        if !r.status().is_success() {
            return Err(EvalError::Unavailable(format!("{}/healthz answered {}", self.base, r.status())));
        }
        Ok(())
    }

    async fn post<T: DeserializeOwned>(&self, path: &str, body: serde_json::Value) -> Result<(T, f64), EvalError> {
        let started = Instant::now();
        let mut req = self.client.post(format!("{}{path}", self.base)).json(&body);
        if let Some(k) = &self.key {
            req = req.bearer_auth(k);
        }
        let r = req.send().await.map_err(|e| EvalError::Unavailable(format!("{path}: {e}")))?;
        let status = r.status();
        let text = r.text().await.map_err(|e| EvalError::Unavailable(format!("{path}: {e}")))?;
        let millis = started.elapsed().as_secs_f64() * 1000.0;
        if status.is_server_error() || status.as_u16() == 429 {
            return Err(EvalError::Unavailable(format!("{path}: {status}: {text}")));
        }
        if !status.is_success() {
            return Err(EvalError::Failed(format!("{path}: {status}: {text}")));
        }
        Ok((parse(path, &text)?, millis))
    }
}

/// A question's filters as the API takes them: `as_of` beside the question, the rest in
/// `filters` (the dataset's `doc_id` is the API's `doc_ids`).
fn with_filters(body: &mut serde_json::Value, filters: &Filters) {
    let mut within = serde_json::Map::new();
    for (field, value) in filters {
        let v = serde_json::to_value(value).unwrap_or_default();
        match field.as_str() {
            "as_of" => body["as_of"] = v,
            "doc_id" | "doc_ids" => {
                within.insert("doc_ids".into(), serde_json::json!(value.values()));
            }
            "type" | "status" => {
                within.insert(field.clone(), serde_json::json!(value.values()));
            }
            _ => {
                within.insert(field.clone(), v);
            }
        }
    }
    if !within.is_empty() {
        body["filters"] = serde_json::Value::Object(within);
    }
}

/// A response body as the wire struct the route documents.
pub fn parse<T: DeserializeOwned>(path: &str, text: &str) -> Result<T, EvalError> {
    serde_json::from_str(text).map_err(|e| EvalError::Failed(format!("{path}: the response is not the server's documented {}: {e}", std::any::type_name::<T>().rsplit("::").next().unwrap_or("shape"))))
}

impl EvalTarget for HttpTarget {
    fn describe(&self) -> String {
        self.base.clone()
    }

    async fn search(&self, question: &str, top_k: usize, filters: &Filters) -> Result<Retrieved, EvalError> {
        let mut body = serde_json::json!({ "query": question, "top_k": top_k });
        with_filters(&mut body, filters);
        let (r, millis): (wire::Search, f64) = self.post("/v1/search", body).await?;
        Ok(Retrieved {
            passages: r.passages.into_iter().map(|p| RetrievedPassage { id: p.passage.id, label: p.passage.label, text: p.passage.text }).collect(),
            millis,
            clause_found: r.clause_lookup.map(|c| c.found),
        })
    }

    async fn ask(&self, question: &str, filters: &Filters) -> Result<Answered, EvalError> {
        let mut body = serde_json::json!({ "question": question });
        with_filters(&mut body, filters);
        let (a, millis): (wire::Answer, f64) = self.post("/v1/ask", body).await?;
        Ok(Answered {
            answer: a.answer,
            refused: a.refused,
            mode: crate::mode_name(a.mode),
            fallback: a.fallback,
            supported_share: a.supported_share,
            evidence: a.evidence,
            citations: a.citations.into_iter().map(|c| AnsweredCitation { marker: c.marker, label: c.label, text: c.text, quote: c.quote }).collect(),
            flags: a.flags.len(),
            warnings: a.warnings,
            millis,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_response_missing_a_required_field_is_refused_by_name() {
        let e = parse::<wire::Answer>("/v1/ask", r#"{"question": "q", "answer": "a", "mode": "extractive", "citations": [], "passages": [], "flags": [], "warnings": [], "evidence": 0.4, "timings": {"retrieval_ms": 1, "generation_ms": 0, "total_ms": 1}}"#).unwrap_err();
        let m = e.to_string();
        assert!(m.contains("/v1/ask") && m.contains("missing field `refused`") && m.contains("Answer"), "{m}");
        let e = parse::<wire::Search>("/v1/search", r#"{"query": "q", "passages": [{"rank": 1, "score": 2.0, "id": "0123456789abcdef"}], "clause_lookup": null, "warnings": []}"#).unwrap_err();
        assert!(e.to_string().contains("missing field"), "{e}");
    }
}
