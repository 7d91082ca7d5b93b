//! What the end-to-end tests of the `policyqa` binary share: the repository root, the binary
//! run hermetically (no Qdrant server, chat model or embeddings endpoint from the
//! environment), and `policyqa serve` on a free loopback port, stopped when dropped.
#![allow(dead_code)] // each test binary uses part of it

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `policyqa ARGS` in the repository root over the data folder `data`.
pub fn policyqa(data: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_policyqa"));
    cmd.current_dir(repo()).env("POLICYQA_DATA_DIR", data).env_remove("QDRANT_URL").env_remove("POLICYQA_CHAT_MODEL").env_remove("POLICYQA_EMBED_MODEL").env_remove("POLICYQA_OCR");
    cmd
}

/// A running `policyqa serve` (it ingests the bundled corpus into an empty data folder).
pub struct Served {
    child: Child,
    pub url: String,
}

impl Served {
    pub fn start(data: &Path) -> Self {
        Self::start_with(data, &[])
    }

    /// With these settings in its environment (a chat model, say).
    pub fn start_with(data: &Path, env: &[(&str, &str)]) -> Self {
        let mut cmd = policyqa(data);
        cmd.envs(env.iter().copied());
        let mut child = cmd.args(["serve", "--addr", "127.0.0.1:0"]).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("policyqa serve starts");
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let url = line.trim().strip_prefix("policyqa listening on ").unwrap_or_else(|| panic!("unexpected first line: {line:?}")).to_string();
        Served { child, url }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
