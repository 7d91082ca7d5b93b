//! Dense vectors from any OpenAI-compatible embeddings endpoint, through async-openai:
//! batched, with a timeout. async-openai's own retry layer retries 429, 5xx and connection
//! failures three times with exponential backoff (100 ms doubling, `Retry-After` honoured);
//! other 4xx are refused at once.

use std::time::Duration;

use async_openai::config::OpenAIConfig;
use async_openai::types::embeddings::CreateEmbeddingRequestArgs;
use async_openai::Client;
use async_trait::async_trait;
use policyqa_core::{EmbedError, Embedder};

#[derive(Debug, Clone)]
pub struct EmbedConfig {
    pub base_url: String,
    pub api_key: String,
    pub model: String,
    pub timeout: Duration,
    pub batch: usize,
    /// Prepended to questions and to passages: e5 models expect "query: " / "passage: ".
    pub query_prefix: String,
    pub passage_prefix: String,
}

impl EmbedConfig {
    pub fn new(base_url: impl Into<String>, api_key: impl Into<String>, model: impl Into<String>) -> Self {
        let model: String = model.into();
        let e5 = model.to_lowercase().contains("e5");
        EmbedConfig {
            query_prefix: if e5 { "query: ".into() } else { String::new() },
            passage_prefix: if e5 { "passage: ".into() } else { String::new() },
            base_url: base_url.into(),
            api_key: api_key.into(),
            model,
            timeout: Duration::from_secs(60),
            batch: 32,
        }
    }
}

pub struct OpenAiEmbedder {
    client: Client<OpenAIConfig>,
    config: EmbedConfig,
}

impl OpenAiEmbedder {
    pub fn new(config: EmbedConfig) -> Result<Self, EmbedError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| EmbedError::Refused(format!("cannot build the HTTP client: {e}")))?;
        let client = Client::with_config(OpenAIConfig::new().with_api_base(&config.base_url).with_api_key(&config.api_key)).with_http_client(http);
        Ok(OpenAiEmbedder { client, config })
    }

    async fn embed_batch(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let request = CreateEmbeddingRequestArgs::default()
            .model(&self.config.model)
            .input(texts.to_vec())
            .build()
            .map_err(|e| EmbedError::Refused(e.to_string()))?;
        let resp = self.client.embeddings().create(request).await.map_err(|e| EmbedError::from(crate::failure(e, &self.config.base_url)))?;
        let mut data = resp.data;
        if data.len() != texts.len() {
            return Err(EmbedError::Malformed(format!("{} vectors for {} texts", data.len(), texts.len())));
        }
        data.sort_by_key(|d| d.index);
        let dim = data.first().map_or(0, |d| d.embedding.len());
        if dim == 0 || data.iter().any(|d| d.embedding.len() != dim) {
            return Err(EmbedError::Malformed("vectors of differing or zero dimension".into()));
        }
        Ok(data.into_iter().map(|d| d.embedding).collect())
    }
}

#[async_trait]
impl Embedder for OpenAiEmbedder {
    fn model(&self) -> &str {
        &self.config.model
    }

    async fn embed_passages(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let mut out = Vec::with_capacity(texts.len());
        for chunk in texts.chunks(self.config.batch.max(1)) {
            let prefixed: Vec<String> = chunk.iter().map(|t| format!("{}{t}", self.config.passage_prefix)).collect();
            out.extend(self.embed_batch(&prefixed).await?);
        }
        Ok(out)
    }

    async fn embed_query(&self, text: &str) -> Result<Vec<f32>, EmbedError> {
        let mut v = self.embed_batch(&[format!("{}{text}", self.config.query_prefix)]).await?;
        v.pop().ok_or_else(|| EmbedError::Malformed("no vector".into()))
    }
}
