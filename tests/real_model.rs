//! The chat-model path against a real OpenAI-compatible server: llama.cpp's
//! (`python -m llama_cpp.server`) with the Gemma 3 270M base model, the kind of small local
//! model that misbehaves (it echoes the prompt back). Over the seed dev set, through
//! `policyqa serve`, as JSON and as a stream: no served answer holds a clause delimiter, a
//! line of the prompt or a claim after its last marker; the stream's sentences are the
//! answer it ends with; JSON and stream agree. The test command installs llama-cpp-python
//! and assembles the model once per machine (`POLICYQA_TEST_GGUF` is its path).

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

mod support;
use support::{repo, Served};

/// What of the prompt must never be served.
const PROMPT_MARKS: [&str; 6] = ["<<<", "条文1开始", "问题：", "可依据的条文", "请依据以上条文", "编号即引用标记"];

struct Llama(std::process::Child);

impl Drop for Llama {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Server-sent events of a body: (event, data).
fn events(text: &str) -> Vec<(String, String)> {
    text.split("\n\n")
        .filter(|b| !b.trim().is_empty())
        .map(|block| {
            let mut event = String::new();
            let mut data = Vec::new();
            for line in block.lines() {
                if let Some(e) = line.strip_prefix("event:") {
                    event = e.trim().to_string();
                } else if let Some(d) = line.strip_prefix("data:") {
                    data.push(d.trim_start().to_string());
                }
            }
            (event, data.join("\n"))
        })
        .collect()
}

/// The text after an answer's last marker states nothing (every claim ends a cited run).
fn ends_cited(answer: &str) -> bool {
    let tail = answer.rfind(']').map_or(answer, |i| &answer[i + 1..]);
    tail.chars().filter(|c| c.is_alphanumeric()).count() < 6
}

#[tokio::test(flavor = "multi_thread")]
async fn a_small_real_model_never_gets_the_prompt_or_an_uncited_claim_served() {
    let gguf = std::env::var("POLICYQA_TEST_GGUF").expect("POLICYQA_TEST_GGUF: the Gemma 3 270M GGUF (scripts/test installs llama-cpp-python and assembles it)");
    let port = free_port();
    let llama = Llama(
        Command::new("python3")
            .args(["-m", "llama_cpp.server", "--model", &gguf, "--chat_format", "gemma", "--host", "127.0.0.1", "--port", &port.to_string(), "--n_ctx", "4096"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 -m llama_cpp.server starts"),
    );
    let base = format!("http://127.0.0.1:{port}/v1");
    let client = reqwest::Client::builder().timeout(Duration::from_secs(180)).build().unwrap();
    let started = Instant::now();
    while client.get(format!("{base}/models")).send().await.map(|r| !r.status().is_success()).unwrap_or(true) {
        assert!(started.elapsed() < Duration::from_secs(120), "llama.cpp's server did not come up");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    let data = tempfile::tempdir().unwrap();
    let server = Served::start_with(data.path(), &[("POLICYQA_CHAT_MODEL", "gemma"), ("POLICYQA_CHAT_BASE_URL", &base), ("POLICYQA_CHAT_MAX_TOKENS", "120")]);
    let questions: Vec<Value> = std::fs::read_to_string(repo().join("eval/datasets/seed_dev.jsonl")).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let (mut shipped, mut fallbacks, mut refused) = (0, std::collections::BTreeMap::<String, usize>::new(), 0);
    for q in &questions {
        let question = q["question"].as_str().unwrap();
        // Two clauses: a short prompt keeps the model's time per question near 3 s on 2 cores.
        let body = json!({"question": question, "top_k": 2});
        let plain: Value = client.post(format!("{}/v1/ask", server.url)).json(&body).send().await.unwrap().json().await.unwrap();
        let mut streamed = body.clone();
        streamed["stream"] = json!(true);
        let text = client.post(format!("{}/v1/ask", server.url)).json(&streamed).send().await.unwrap().text().await.unwrap();
        let ev = events(&text);
        let done: Value = serde_json::from_str(&ev.iter().find(|(e, _)| e == "done").unwrap_or_else(|| panic!("{question}: no done event in {text}")).1).unwrap();
        let deltas: String = ev.iter().filter(|(e, _)| e == "delta").map(|(_, d)| serde_json::from_str::<Value>(d).unwrap()["text"].as_str().unwrap().to_string()).collect();
        for (how, a) in [("json", &plain), ("stream", &done)] {
            let answer = a["answer"].as_str().unwrap_or_else(|| panic!("{question} ({how}): {a}"));
            for mark in PROMPT_MARKS {
                assert!(!answer.contains(mark), "{question} ({how}): {mark} served in {answer}");
            }
            if a["refused"] == false {
                assert!(!a["citations"].as_array().unwrap().is_empty(), "{question} ({how}): uncited {a}");
                assert!(ends_cited(answer), "{question} ({how}): a claim after the last marker in {answer}");
            }
        }
        for mark in PROMPT_MARKS {
            assert!(!deltas.contains(mark), "{question}: {mark} streamed in {deltas}");
        }
        if done["mode"] == "llm" && done["refused"] == false {
            // What streamed is the model's sentences that passed: the answer the stream ends with.
            assert_eq!(deltas.trim(), done["answer"].as_str().unwrap(), "{question}");
        }
        // The model samples, so two asks may get two answers; whether it was used, and the
        // answer whenever it was not, agree.
        assert_eq!(plain["refused"], done["refused"], "{question}");
        if plain["mode"] == "extractive" && done["mode"] == "extractive" && plain["fallback"] == done["fallback"] {
            assert_eq!(plain["answer"], done["answer"], "{question}");
        }
        match (&done["refused"], done["fallback"].as_str()) {
            (Value::Bool(true), _) => refused += 1,
            (_, Some(f)) => *fallbacks.entry(f.to_string()).or_default() += 1,
            _ => shipped += 1,
        }
    }
    eprintln!("real model over {} questions (streamed): {shipped} model answers shipped, {refused} refused, fallbacks {fallbacks:?}", questions.len());
    drop(server);
    drop(llama);
}
