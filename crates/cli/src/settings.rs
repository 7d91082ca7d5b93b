//! Configuration from the environment (and a .env file): the only place policyqa reads it.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use policyqa_core::Embedder;
use policyqa_index::{EmbedConfig, OpenAiEmbedder, RemoteConfig};

#[derive(Debug, Clone)]
pub struct Settings {
    pub data_dir: PathBuf,
    /// Dense embeddings, when `POLICYQA_EMBED_MODEL` is set.
    pub embed: Option<EmbedConfig>,
    /// A Qdrant server or cluster instead of the embedded index, when `QDRANT_URL` is set.
    pub qdrant: Option<RemoteConfig>,
}

impl Settings {
    pub fn from_env() -> Self {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let embed = var("POLICYQA_EMBED_MODEL").map(|model| {
            let base = var("POLICYQA_EMBED_BASE_URL").or_else(|| var("OPENAI_BASE_URL")).unwrap_or_else(|| "https://api.openai.com/v1".into());
            let key = var("POLICYQA_EMBED_API_KEY").or_else(|| var("OPENAI_API_KEY")).unwrap_or_else(|| "none".into());
            EmbedConfig::new(base, key, model)
        });
        let number = |k: &str| var(k).and_then(|v| v.parse::<u32>().ok());
        let qdrant = var("QDRANT_URL").map(|url| RemoteConfig {
            url,
            api_key: var("QDRANT_API_KEY"),
            collection: var("POLICYQA_COLLECTION").unwrap_or_else(|| "policyqa".into()),
            shards: number("POLICYQA_QDRANT_SHARDS"),
            replicas: number("POLICYQA_QDRANT_REPLICAS"),
            timeout: std::time::Duration::from_secs(30),
        });
        Settings { data_dir: var("POLICYQA_DATA_DIR").map_or_else(|| PathBuf::from("data"), PathBuf::from), embed, qdrant }
    }

    pub fn embedder(&self) -> anyhow::Result<Option<Arc<dyn Embedder>>> {
        match &self.embed {
            None => Ok(None),
            Some(c) => Ok(Some(Arc::new(OpenAiEmbedder::new(c.clone()).context("embeddings endpoint")?))),
        }
    }
}
