//! Configuration from the environment (and a .env file): the only place policyqa reads it.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use policyqa_answer::{AnswerConfig, ChatConfig, LimitedChat, OpenAiChat, Prompts};
use policyqa_core::{ChatModel, Embedder};
use policyqa_index::{EmbedConfig, OpenAiEmbedder, RemoteConfig};

#[derive(Debug, Clone)]
pub struct Settings {
    pub data_dir: PathBuf,
    /// Dense embeddings, when `POLICYQA_EMBED_MODEL` is set.
    pub embed: Option<EmbedConfig>,
    /// A Qdrant server or cluster instead of the embedded index, when `QDRANT_URL` is set.
    pub qdrant: Option<RemoteConfig>,
    /// A chat model for answers, when `POLICYQA_CHAT_MODEL` is set.
    pub chat: Option<ChatConfig>,
    /// Prompt templates from this folder instead of the built-in ones.
    pub prompts_dir: Option<PathBuf>,
    /// Evidence strength below which answers are refusals.
    pub min_evidence: Option<f32>,
    /// Concurrent calls to the chat model (`POLICYQA_CHAT_CONCURRENCY`, default 4); past it a
    /// call waits up to 5 s, then the answer is extractive.
    pub chat_concurrency: usize,
    /// `POLICYQA_API_KEYS`: `role:key,...` (roles `ask`, `admin`), unparsed.
    pub api_keys: Option<Redacted>,
    /// `POLICYQA_RATE_LIMIT`: requests per minute per key (per client IP without keys).
    pub rate_limit: Option<u32>,
    /// `POLICYQA_WIDGET_ORIGINS`: the origins allowed to call the API from a browser.
    pub widget_origins: Option<Vec<String>>,
}

/// A secret: printed as `***` by `Debug`, so no log of the settings shows it.
#[derive(Clone)]
pub struct Redacted(pub String);

impl std::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
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
        let seconds = |k: &str| var(k).and_then(|v| v.parse::<f64>().ok()).filter(|s| *s > 0.0).map(std::time::Duration::from_secs_f64);
        let chat = var("POLICYQA_CHAT_MODEL").map(|model| {
            let base = var("POLICYQA_CHAT_BASE_URL").or_else(|| var("OPENAI_BASE_URL")).unwrap_or_else(|| "https://api.openai.com/v1".into());
            let key = var("POLICYQA_CHAT_API_KEY").or_else(|| var("OPENAI_API_KEY")).unwrap_or_else(|| "none".into());
            let mut c = ChatConfig::new(base, key, model);
            if let Some(t) = seconds("POLICYQA_CHAT_TIMEOUT") {
                c.total_timeout = t;
                c.first_token_timeout = c.first_token_timeout.min(t);
                c.idle_timeout = c.idle_timeout.min(t);
            }
            if let Some(t) = seconds("POLICYQA_CHAT_FIRST_TOKEN_TIMEOUT") {
                c.first_token_timeout = t;
            }
            if let Some(n) = var("POLICYQA_CHAT_MAX_TOKENS").and_then(|v| v.parse().ok()) {
                c.max_tokens = n;
            }
            c
        });
        Settings {
            data_dir: var("POLICYQA_DATA_DIR").map_or_else(|| PathBuf::from("data"), PathBuf::from),
            embed,
            qdrant,
            chat,
            prompts_dir: var("POLICYQA_PROMPTS_DIR").map(PathBuf::from),
            min_evidence: var("POLICYQA_MIN_EVIDENCE").and_then(|v| v.parse().ok()),
            chat_concurrency: var("POLICYQA_CHAT_CONCURRENCY").and_then(|v| v.parse().ok()).unwrap_or(4),
            api_keys: var("POLICYQA_API_KEYS").map(Redacted),
            rate_limit: number("POLICYQA_RATE_LIMIT"),
            widget_origins: var("POLICYQA_WIDGET_ORIGINS").map(|v| v.split(',').map(|o| o.trim().trim_end_matches('/').to_string()).filter(|o| !o.is_empty()).collect()),
        }
    }

    pub fn chat(&self) -> anyhow::Result<Option<Arc<dyn ChatModel>>> {
        match &self.chat {
            None => Ok(None),
            Some(c) => {
                let chat: Arc<dyn ChatModel> = Arc::new(OpenAiChat::new(c.clone()).context("chat endpoint")?);
                Ok(Some(Arc::new(LimitedChat::new(chat, self.chat_concurrency, std::time::Duration::from_secs(5)))))
            }
        }
    }

    pub fn prompts(&self) -> anyhow::Result<Prompts> {
        match &self.prompts_dir {
            Some(dir) => Prompts::load(dir).context("POLICYQA_PROMPTS_DIR"),
            None => Ok(Prompts::builtin()),
        }
    }

    pub fn answer_config(&self) -> AnswerConfig {
        let mut c = AnswerConfig::default();
        if let Some(m) = self.min_evidence {
            c.min_evidence = m;
        }
        c
    }

    pub fn embedder(&self) -> anyhow::Result<Option<Arc<dyn Embedder>>> {
        match &self.embed {
            None => Ok(None),
            Some(c) => Ok(Some(Arc::new(OpenAiEmbedder::new(c.clone()).context("embeddings endpoint")?))),
        }
    }
}
