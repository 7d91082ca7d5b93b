//! Configuration from the environment (and a .env file): the only place policyqa reads it.
//! Every value is checked when the program starts: a malformed one is an error that names
//! the variable and what it expects, never a silent fallback to the default.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use policyqa_answer::{AnswerConfig, LimitedChat, Prompts};
use policyqa_core::{ChatModel, Embedder, Ocr};
use policyqa_index::RemoteConfig;
use policyqa_ocr::Tesseract;
use policyqa_openai::{ChatConfig, EmbedConfig, OpenAiChat, OpenAiEmbedder};
use policyqa_pipeline::{Backends, Pipeline, PipelineConfig, StoreLocation};
use policyqa_retrieval::RetrievalConfig;
use policyqa_server::access::Access;

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
    /// Share of a chat model's claims that must pass the citation checks for its answer to be
    /// used (`POLICYQA_MIN_SUPPORTED_SHARE`).
    pub min_supported_share: Option<f32>,
    /// Concurrent calls to the chat model (`POLICYQA_CHAT_CONCURRENCY`, default 4); past it a
    /// call waits up to 5 s, then the answer is extractive.
    pub chat_concurrency: usize,
    /// `POLICYQA_API_KEYS`: `role:key,...` (roles `ask`, `admin`); open without.
    pub access: Access,
    /// `POLICYQA_RATE_LIMIT`: requests per minute per key (per client IP without keys).
    pub rate_limit: Option<u32>,
    /// `POLICYQA_WIDGET_ORIGINS`: the origins allowed to call the API from a browser.
    pub widget_origins: Option<Vec<String>>,
    /// `POLICYQA_MODEL_NAME`: the model id OpenAI-compatible clients see (default `policyqa`).
    pub model_name: String,
    /// `POLICYQA_MCP_HOSTS`: the names (`host` or `host:port`) clients reach `/mcp` by, besides
    /// the loopback names: the `Host` header is checked against them (DNS rebinding).
    pub mcp_hosts: Vec<String>,
    /// `POLICYQA_OCR=tesseract`: a PDF's pages that are images read by Tesseract, in the
    /// languages of `POLICYQA_OCR_LANGUAGES` (default `chi_sim`).
    pub ocr: Option<Tesseract>,
}

/// The environment, one variable at a time, each checked against what it must be.
struct Env<'a> {
    get: &'a dyn Fn(&str) -> Option<String>,
}

impl Env<'_> {
    /// Set and not blank.
    fn var(&self, k: &str) -> Option<String> {
        (self.get)(k).filter(|v| !v.trim().is_empty()).map(|v| v.trim().to_string())
    }

    /// A whole number of at least `min`.
    fn number<T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy>(&self, k: &str, min: T) -> anyhow::Result<Option<T>> {
        match self.var(k) {
            None => Ok(None),
            Some(v) => match v.parse::<T>() {
                Ok(n) if n >= min => Ok(Some(n)),
                _ => bail!("{k}={v:?}: expected a whole number of at least {min}"),
            },
        }
    }

    /// A number of seconds above zero (decimals allowed).
    fn seconds(&self, k: &str) -> anyhow::Result<Option<Duration>> {
        match self.var(k) {
            None => Ok(None),
            Some(v) => match v.trim_end_matches('s').parse::<f64>() {
                Ok(s) if s.is_finite() && s > 0.0 && s < 1e9 => Ok(Some(Duration::from_secs_f64(s))),
                _ => bail!("{k}={v:?}: expected a duration in seconds above 0, such as 30 or 2.5"),
            },
        }
    }

    /// A fraction in [0, 1].
    fn fraction(&self, k: &str) -> anyhow::Result<Option<f32>> {
        match self.var(k) {
            None => Ok(None),
            Some(v) => match v.parse::<f32>() {
                Ok(x) if (0.0..=1.0).contains(&x) => Ok(Some(x)),
                _ => bail!("{k}={v:?}: expected a number between 0 and 1, such as 0.10"),
            },
        }
    }

    /// An http(s) URL with a host.
    fn url(&self, k: &str) -> anyhow::Result<Option<String>> {
        match self.var(k) {
            None => Ok(None),
            Some(v) => {
                check_url(&v).with_context(|| format!("{k}={v:?}: expected an http:// or https:// URL such as http://127.0.0.1:8081/v1"))?;
                Ok(Some(v))
            }
        }
    }
}

/// A host name or address, with a port or not: `example.gov.cn`, `10.0.0.5:8080`, `[::1]:8080`.
fn is_host(v: &str) -> bool {
    let (host, port) = match v.strip_prefix('[') {
        Some(rest) => match rest.split_once(']') {
            Some((h, tail)) => (h, tail.strip_prefix(':')),
            None => return false,
        },
        None => match v.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (v, None),
        },
    };
    let host_ok = !host.is_empty() && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || (v.starts_with('[') && c == ':'));
    host_ok && port.is_none_or(|p| p.parse::<u16>().is_ok())
}

fn check_url(v: &str) -> anyhow::Result<()> {
    let u = reqwest::Url::parse(v)?;
    if !matches!(u.scheme(), "http" | "https") {
        bail!("the scheme is {}", u.scheme());
    }
    if u.host_str().is_none_or(str::is_empty) {
        bail!("no host");
    }
    Ok(())
}

impl Settings {
    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_vars(&|k| std::env::var(k).ok())
    }

    fn from_vars(get: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let env = Env { get };
        // Every value is checked whether or not what it configures is turned on.
        let openai_base = env.url("OPENAI_BASE_URL")?;
        let embed_base = env.url("POLICYQA_EMBED_BASE_URL")?;
        let chat_base = env.url("POLICYQA_CHAT_BASE_URL")?;
        let shards = env.number("POLICYQA_QDRANT_SHARDS", 1u32)?;
        let replicas = env.number("POLICYQA_QDRANT_REPLICAS", 1u32)?;
        let chat_timeout = env.seconds("POLICYQA_CHAT_TIMEOUT")?;
        let first_token_timeout = env.seconds("POLICYQA_CHAT_FIRST_TOKEN_TIMEOUT")?;
        let max_tokens = env.number("POLICYQA_CHAT_MAX_TOKENS", 1u32)?;
        let embed = match env.var("POLICYQA_EMBED_MODEL") {
            None => None,
            Some(model) => {
                let base = embed_base.or_else(|| openai_base.clone()).unwrap_or_else(|| "https://api.openai.com/v1".into());
                let key = env.var("POLICYQA_EMBED_API_KEY").or_else(|| env.var("OPENAI_API_KEY")).unwrap_or_else(|| "none".into());
                Some(EmbedConfig::new(base, key, model))
            }
        };
        let qdrant = env.url("QDRANT_URL")?.map(|url| RemoteConfig {
            url,
            api_key: env.var("QDRANT_API_KEY"),
            collection: env.var("POLICYQA_COLLECTION").unwrap_or_else(|| "policyqa".into()),
            shards,
            replicas,
            timeout: Duration::from_secs(30),
        });
        let chat = match env.var("POLICYQA_CHAT_MODEL") {
            None => None,
            Some(model) => {
                let base = chat_base.or_else(|| openai_base.clone()).unwrap_or_else(|| "https://api.openai.com/v1".into());
                let key = env.var("POLICYQA_CHAT_API_KEY").or_else(|| env.var("OPENAI_API_KEY")).unwrap_or_else(|| "none".into());
                let mut c = ChatConfig::new(base, key, model);
                if let Some(t) = chat_timeout {
                    c.total_timeout = t;
                    c.first_token_timeout = c.first_token_timeout.min(t);
                    c.idle_timeout = c.idle_timeout.min(t);
                }
                if let Some(t) = first_token_timeout {
                    c.first_token_timeout = t;
                }
                if let Some(n) = max_tokens {
                    c.max_tokens = n;
                }
                Some(c)
            }
        };
        let access = match env.var("POLICYQA_API_KEYS") {
            // The parser names the variable and the entry by position, never the key.
            Some(spec) => Access::parse(&spec)?,
            None => Access::open(),
        };
        let widget_origins = match env.var("POLICYQA_WIDGET_ORIGINS") {
            None => None,
            Some(v) => {
                let list: Vec<String> = v.split(',').map(|o| o.trim().trim_end_matches('/').to_string()).filter(|o| !o.is_empty()).collect();
                for o in &list {
                    check_url(o).with_context(|| format!("POLICYQA_WIDGET_ORIGINS: {o:?}: expected origins such as https://www.example.gov.cn, separated by commas"))?;
                }
                Some(list)
            }
        };
        let mut mcp_hosts = Vec::new();
        for h in env.var("POLICYQA_MCP_HOSTS").unwrap_or_default().split(',').map(str::trim).filter(|h| !h.is_empty()) {
            if !is_host(h) {
                bail!("POLICYQA_MCP_HOSTS: {h:?}: expected host names such as policyqa.example.gov.cn or policyqa.example.gov.cn:8443, separated by commas");
            }
            mcp_hosts.push(h.to_ascii_lowercase());
        }
        let languages = env.var("POLICYQA_OCR_LANGUAGES");
        if let Some(l) = &languages
            && !l.split('+').all(|x| !x.is_empty() && x.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        {
            bail!("POLICYQA_OCR_LANGUAGES: {l:?}: expected Tesseract language names joined by +, such as chi_sim or chi_sim+eng");
        }
        let ocr = match env.var("POLICYQA_OCR").map(|v| v.to_ascii_lowercase()) {
            None => None,
            Some(v) if v == "off" || v == "none" => None,
            Some(v) if v == "tesseract" => Some(Tesseract::new("tesseract", languages.unwrap_or_else(|| "chi_sim".into()))),
            Some(v) => bail!("POLICYQA_OCR: {v:?}: expected tesseract (or off)"),
        };
        Ok(Settings {
            data_dir: env.var("POLICYQA_DATA_DIR").map_or_else(|| PathBuf::from("data"), PathBuf::from),
            embed,
            qdrant,
            chat,
            prompts_dir: env.var("POLICYQA_PROMPTS_DIR").map(PathBuf::from),
            min_evidence: env.fraction("POLICYQA_MIN_EVIDENCE")?,
            min_supported_share: env.fraction("POLICYQA_MIN_SUPPORTED_SHARE")?,
            chat_concurrency: env.number("POLICYQA_CHAT_CONCURRENCY", 1usize)?.unwrap_or(4),
            access,
            rate_limit: env.number("POLICYQA_RATE_LIMIT", 1u32)?,
            widget_origins,
            model_name: env.var("POLICYQA_MODEL_NAME").unwrap_or_else(|| "policyqa".into()),
            mcp_hosts,
            ocr,
        })
    }

    /// Where the index lives: the Qdrant server when `QDRANT_URL` is set, else the embedded
    /// index under the data folder.
    pub fn store_location(&self) -> StoreLocation {
        match &self.qdrant {
            Some(remote) => StoreLocation::Remote(remote.clone()),
            None => StoreLocation::Embedded(self.data_dir.clone()),
        }
    }

    pub fn chat(&self) -> anyhow::Result<Option<Arc<dyn ChatModel>>> {
        match &self.chat {
            None => Ok(None),
            Some(c) => {
                let chat: Arc<dyn ChatModel> = Arc::new(OpenAiChat::new(c.clone()).context("chat endpoint")?);
                Ok(Some(Arc::new(LimitedChat::new(chat, self.chat_concurrency, Duration::from_secs(5)))))
            }
        }
    }

    pub fn prompts(&self) -> anyhow::Result<Prompts> {
        match &self.prompts_dir {
            Some(dir) => Prompts::load(dir).context("POLICYQA_PROMPTS_DIR"),
            None => Ok(Prompts::builtin()),
        }
    }

    pub fn embedder(&self) -> anyhow::Result<Option<Arc<dyn Embedder>>> {
        match &self.embed {
            None => Ok(None),
            Some(c) => Ok(Some(Arc::new(OpenAiEmbedder::new(c.clone()).context("embeddings endpoint")?))),
        }
    }

    /// How the pipeline retrieves and answers, as configured.
    pub fn pipeline_config(&self) -> PipelineConfig {
        let mut answer = AnswerConfig::default();
        if let Some(m) = self.min_evidence {
            answer.min_evidence = m;
        }
        if let Some(m) = self.min_supported_share {
            answer.min_supported_share = m;
        }
        PipelineConfig { retrieval: RetrievalConfig::default(), answer }
    }

    /// The OCR engine, checked to run and to have its languages.
    pub fn ocr(&self) -> anyhow::Result<Option<Arc<dyn Ocr>>> {
        match &self.ocr {
            None => Ok(None),
            Some(t) => {
                t.check().context("POLICYQA_OCR=tesseract")?;
                Ok(Some(Arc::new(t.clone())))
            }
        }
    }

    /// The configured endpoints, prompts and OCR engine.
    pub fn backends(&self) -> anyhow::Result<Backends> {
        Ok(Backends { embedder: self.embedder()?, chat: self.chat()?, prompts: self.prompts()?, ocr: self.ocr()? })
    }

    /// The pipeline on the configured index, endpoints and prompts.
    pub async fn pipeline(&self) -> anyhow::Result<Pipeline> {
        let store = self.store_location().open().await?;
        Ok(Pipeline::open(store, self.backends()?, self.pipeline_config()).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(vars: &[(&str, &str)]) -> anyhow::Result<Settings> {
        let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Settings::from_vars(&move |k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
    }

    fn error(vars: &[(&str, &str)]) -> String {
        format!("{:#}", settings(vars).expect_err("a malformed value is an error"))
    }

    #[test]
    fn defaults_without_variables() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.data_dir, PathBuf::from("data"));
        assert!(s.chat.is_none() && s.embed.is_none() && s.qdrant.is_none() && s.access.is_open());
        assert_eq!(s.chat_concurrency, 4);
        assert_eq!(s.model_name, "policyqa");
    }

    #[test]
    fn well_formed_values_are_read() {
        let s = settings(&[
            ("POLICYQA_MIN_EVIDENCE", "0.2"),
            ("POLICYQA_MIN_SUPPORTED_SHARE", "0.7"),
            ("POLICYQA_RATE_LIMIT", "60"),
            ("POLICYQA_CHAT_MODEL", "m"),
            ("POLICYQA_CHAT_BASE_URL", "http://127.0.0.1:9/v1"),
            ("POLICYQA_CHAT_TIMEOUT", "2.5"),
            ("QDRANT_URL", "http://qdrant:6334"),
            ("POLICYQA_QDRANT_SHARDS", "3"),
            ("POLICYQA_API_KEYS", "ask:0123456789abcdef"),
            ("POLICYQA_WIDGET_ORIGINS", "https://www.example.gov.cn/, https://m.example.gov.cn"),
        ])
        .unwrap();
        assert_eq!(s.min_evidence, Some(0.2));
        assert_eq!(s.pipeline_config().answer.min_supported_share, 0.7);
        assert_eq!(s.rate_limit, Some(60));
        assert_eq!(s.chat.as_ref().unwrap().total_timeout, Duration::from_millis(2500));
        assert_eq!(s.qdrant.as_ref().unwrap().shards, Some(3));
        assert!(!s.access.is_open());
        assert_eq!(s.widget_origins.unwrap(), ["https://www.example.gov.cn", "https://m.example.gov.cn"]);
    }

    #[test]
    fn a_malformed_number_names_the_variable() {
        for (k, v) in [("POLICYQA_MIN_EVIDENCE", "abc"), ("POLICYQA_MIN_EVIDENCE", "1.5"), ("POLICYQA_MIN_SUPPORTED_SHARE", "half"), ("POLICYQA_MIN_SUPPORTED_SHARE", "2"), ("POLICYQA_RATE_LIMIT", "-3"), ("POLICYQA_CHAT_CONCURRENCY", "0"), ("POLICYQA_RATE_LIMIT", "ten")] {
            let e = error(&[(k, v)]);
            assert!(e.contains(k) && e.contains(v) && e.contains("expected"), "{k}={v}: {e}");
        }
        let e = error(&[("POLICYQA_QDRANT_REPLICAS", "two")]);
        assert!(e.contains("POLICYQA_QDRANT_REPLICAS") && e.contains("whole number"), "{e}");
        let e = error(&[("POLICYQA_CHAT_MODEL", "m"), ("POLICYQA_CHAT_MAX_TOKENS", "lots")]);
        assert!(e.contains("POLICYQA_CHAT_MAX_TOKENS"), "{e}");
    }

    #[test]
    fn a_malformed_duration_names_the_variable() {
        for v in ["soon", "0", "-1", "inf"] {
            let e = error(&[("POLICYQA_CHAT_MODEL", "m"), ("POLICYQA_CHAT_TIMEOUT", v)]);
            assert!(e.contains("POLICYQA_CHAT_TIMEOUT") && e.contains("seconds"), "{v}: {e}");
        }
        let e = error(&[("POLICYQA_CHAT_MODEL", "m"), ("POLICYQA_CHAT_FIRST_TOKEN_TIMEOUT", "1m")]);
        assert!(e.contains("POLICYQA_CHAT_FIRST_TOKEN_TIMEOUT"), "{e}");
    }

    #[test]
    fn a_malformed_url_names_the_variable() {
        for (k, v) in [("QDRANT_URL", "qdrant:6334"), ("OPENAI_BASE_URL", "localhost:8080/v1"), ("QDRANT_URL", "ftp://q")] {
            let e = error(&[(k, v)]);
            assert!(e.contains(k) && e.contains("http://"), "{k}={v}: {e}");
        }
        let e = error(&[("POLICYQA_EMBED_MODEL", "e5"), ("POLICYQA_EMBED_BASE_URL", "not a url")]);
        assert!(e.contains("POLICYQA_EMBED_BASE_URL"), "{e}");
        let e = error(&[("POLICYQA_WIDGET_ORIGINS", "https://ok.example, example.org")]);
        assert!(e.contains("POLICYQA_WIDGET_ORIGINS") && e.contains("example.org"), "{e}");
        for bad in ["https://policyqa.example.gov.cn", "policyqa.example:port", "a b", "[::1"] {
            let e = error(&[("POLICYQA_MCP_HOSTS", bad)]);
            assert!(e.contains("POLICYQA_MCP_HOSTS") && e.contains(bad), "{bad}: {e}");
        }
        let s = settings(&[("POLICYQA_MCP_HOSTS", "Policyqa.Example.gov.cn, 10.0.0.5:8080, [::1]:8080")]).unwrap();
        assert_eq!(s.mcp_hosts, ["policyqa.example.gov.cn", "10.0.0.5:8080", "[::1]:8080"]);
    }

    #[test]
    fn a_malformed_key_list_names_the_variable_not_the_key() {
        let e = error(&[("POLICYQA_API_KEYS", "ask:0123456789abcdef,reader:fedcba9876543210")]);
        assert!(e.contains("POLICYQA_API_KEYS") && e.contains("entry 2") && !e.contains("fedcba9876543210"), "{e}");
        let e = error(&[("POLICYQA_API_KEYS", "admin:short")]);
        assert!(e.contains("POLICYQA_API_KEYS") && e.contains("16") && !e.contains("short"), "{e}");
    }

    #[test]
    fn ocr_is_configured_by_name_and_checked_when_built() {
        assert!(settings(&[]).unwrap().ocr.is_none());
        assert!(settings(&[("POLICYQA_OCR", "off")]).unwrap().ocr.is_none());
        let s = settings(&[("POLICYQA_OCR", "Tesseract"), ("POLICYQA_OCR_LANGUAGES", "chi_sim+eng")]).unwrap();
        assert_eq!(s.ocr.as_ref().map(|t| t.languages.as_str()), Some("chi_sim+eng"));
        let e = error(&[("POLICYQA_OCR", "paddle")]);
        assert!(e.contains("POLICYQA_OCR") && e.contains("paddle") && e.contains("expected tesseract"), "{e}");
        let e = error(&[("POLICYQA_OCR", "tesseract"), ("POLICYQA_OCR_LANGUAGES", "chi sim")]);
        assert!(e.contains("POLICYQA_OCR_LANGUAGES") && e.contains("chi_sim"), "{e}");
        // Language data that is not installed: an error when the pipeline is built, naming
        // the variable and the package.
        let mut s = settings(&[("POLICYQA_OCR", "tesseract"), ("POLICYQA_OCR_LANGUAGES", "xyz_nonexistent")]).unwrap();
        let e = format!("{:#}", s.ocr().unwrap_err());
        assert!(e.contains("POLICYQA_OCR=tesseract") && e.contains("xyz_nonexistent"), "{e}");
        s.ocr.as_mut().unwrap().program = "/nonexistent/tesseract".into();
        let e = format!("{:#}", s.ocr().unwrap_err());
        assert!(e.contains("apt-get install tesseract-ocr"), "{e}");
    }
}
