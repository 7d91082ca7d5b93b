//! Configuration from the environment (and a .env file): the only place policyqa reads it.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use policyqa_core::Embedder;
use policyqa_index::{EmbedConfig, OpenAiEmbedder};

#[derive(Debug, Clone)]
pub struct Settings {
    pub data_dir: PathBuf,
    /// Dense embeddings, when `POLICYQA_EMBED_MODEL` is set.
    pub embed: Option<EmbedConfig>,
}

impl Settings {
    pub fn from_env() -> Self {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let embed = var("POLICYQA_EMBED_MODEL").map(|model| {
            let base = var("POLICYQA_EMBED_BASE_URL").or_else(|| var("OPENAI_BASE_URL")).unwrap_or_else(|| "https://api.openai.com/v1".into());
            let key = var("POLICYQA_EMBED_API_KEY").or_else(|| var("OPENAI_API_KEY")).unwrap_or_else(|| "none".into());
            EmbedConfig::new(base, key, model)
        });
        Settings { data_dir: var("POLICYQA_DATA_DIR").map_or_else(|| PathBuf::from("data"), PathBuf::from), embed }
    }

    pub fn embedder(&self) -> anyhow::Result<Option<Arc<dyn Embedder>>> {
        match &self.embed {
            None => Ok(None),
            Some(c) => Ok(Some(Arc::new(OpenAiEmbedder::new(c.clone()).context("embeddings endpoint")?))),
        }
    }
}
