//! Configuration from the environment (and a .env file): the only place policyqa reads it.

use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Settings {
    pub data_dir: PathBuf,
}

impl Settings {
    pub fn from_env() -> Self {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        Settings { data_dir: var("POLICYQA_DATA_DIR").map_or_else(|| PathBuf::from("data"), PathBuf::from) }
    }
}
