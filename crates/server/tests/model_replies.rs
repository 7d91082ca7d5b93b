//! What a chat model writes, and what the service ships (issue 15): replies of the real
//! llama.cpp server with the Gemma 3 270M model (the prompt echoed back; recorded in
//! crates/answer/tests/fixtures/recorded_replies.json) and written ones (an uncited claim
//! beside a cited one, a good answer), replayed by a scripted OpenAI-compatible server, each
//! through `/v1/ask` as JSON and as server-sent events and through `/v1/chat/completions`
//! streamed and not: the same outcome on every route, and nothing streamed that was not
//! served.

use std::io::{Read, Write};
use std::sync::Arc;
use std::time::Duration;

use policyqa_core::ChatModel;
use policyqa_openai::{ChatConfig, OpenAiChat};
use serde_json::{json, Value};

mod support;
use support::{events, repo, start, Setup};

const TRAINING: &str = "企业职工教育经费至少要有多少用于一线职工？";

/// Streams `pieces` to every chat request.
fn replaying(pieces: Vec<String>) -> Arc<dyn ChatModel> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let pieces = pieces.clone();
            std::thread::spawn(move || {
                let mut buf = vec![0u8; 65536];
                let mut got = Vec::new();
                loop {
                    let n = stream.read(&mut buf).unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    got.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&got);
                    if let Some(end) = text.find("\r\n\r\n") {
                        let len = text[..end].lines().find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap_or(0))).unwrap_or(0);
                        if got.len() >= end + 4 + len {
                            break;
                        }
                    }
                }
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n");
                for p in pieces {
                    let chunk = json!({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "gemma", "choices": [{"index": 0, "delta": {"content": p}, "finish_reason": null}]});
                    if stream.write_all(format!("data: {chunk}\n\n").as_bytes()).is_err() {
                        return; // the service stopped reading: an echo is cut short
                    }
                }
                let _ = stream.write_all(b"data: [DONE]\n\n");
            });
        }
    });
    let mut c = ChatConfig::new(url, "none", "gemma");
    c.first_token_timeout = Duration::from_secs(5);
    c.total_timeout = Duration::from_secs(20);
    Arc::new(OpenAiChat::new(c).unwrap())
}

/// What each route served and streamed for one question.
struct Served {
    json: Value,
    sse_done: Value,
    sse_deltas: String,
    chat: String,
    chat_streamed: String,
}

async fn serve(url: &str, question: &str) -> Served {
    let client = reqwest::Client::new();
    let json: Value = client.post(format!("{url}/v1/ask")).json(&json!({"question": question})).send().await.unwrap().json().await.unwrap();
    let text = client.post(format!("{url}/v1/ask")).json(&json!({"question": question, "stream": true})).send().await.unwrap().text().await.unwrap();
    let ev = events(&text);
    let sse_done: Value = serde_json::from_str(&ev.iter().find(|(e, _)| e == "done").expect("a done event").1).unwrap();
    let sse_deltas = ev.iter().filter(|(e, _)| e == "delta").map(|(_, d)| serde_json::from_str::<Value>(d).unwrap()["text"].as_str().unwrap().to_string()).collect();
    let c: Value = client.post(format!("{url}/v1/chat/completions")).json(&json!({"messages": [{"role": "user", "content": question}]})).send().await.unwrap().json().await.unwrap();
    let chat = c["choices"][0]["message"]["content"].as_str().unwrap().to_string();
    let text = client.post(format!("{url}/v1/chat/completions")).json(&json!({"stream": true, "messages": [{"role": "user", "content": question}]})).send().await.unwrap().text().await.unwrap();
    let chat_streamed = events(&text).iter().filter(|(_, d)| d != "[DONE]").filter_map(|(_, d)| serde_json::from_str::<Value>(d).ok()?["choices"][0]["delta"]["content"].as_str().map(str::to_string)).collect();
    Served { json, sse_done, sse_deltas, chat, chat_streamed }
}

const PROMPT_MARKS: [&str; 5] = ["<<<", "条文1开始", "问题：", "可依据的条文", "请依据以上条文"];

#[tokio::test]
async fn the_real_models_echo_of_the_prompt_is_served_on_no_route() {
    let (question, pieces) = recorded("echo_of_the_prompt");
    let s = start(Setup { chat: Some(replaying(pieces)), ..Default::default() }).await;
    let served = serve(&s.url, &question).await;
    for answer in [&served.json, &served.sse_done] {
        assert_eq!(answer["mode"], "extractive", "{answer}");
        assert_eq!(answer["fallback"], "echoed_prompt", "{answer}");
        assert!(answer["warnings"].to_string().contains("reproduces the prompt"), "{answer}");
        assert!(!answer["citations"].as_array().unwrap().is_empty(), "{answer}");
    }
    for text in [served.json["answer"].as_str().unwrap(), &served.sse_deltas, &served.chat, &served.chat_streamed] {
        for mark in PROMPT_MARKS {
            assert!(!text.contains(mark), "{mark} in {text}");
        }
        assert!(text.contains("新八级工"), "the extractive answer: {text}");
    }
    assert_eq!(served.json["answer"], served.sse_done["answer"], "streamed and not agree");
    let metrics = s.state.metrics.encode();
    assert!(metrics.contains("policyqa_answer_fallbacks_total{reason=\"echoed_prompt\"}"), "{metrics}");
    s.stop().await;
}

#[tokio::test]
async fn an_uncited_claim_is_dropped_on_every_route_and_never_streamed() {
    let pieces = vec!["企业按规定足额提取和使用职工教育经费，确保60%以上用于一线职工教育和培训[1]。".to_string(), "各地对此都高度重视并出台了配套细则。".to_string()];
    let s = start(Setup { chat: Some(replaying(pieces)), ..Default::default() }).await;
    let served = serve(&s.url, TRAINING).await;
    for answer in [&served.json, &served.sse_done] {
        assert_eq!(answer["mode"], "llm", "{answer}");
        assert_eq!(answer["dropped_sentences"], 1, "{answer}");
        assert!(answer["flags"][0]["reason"].as_str().unwrap().starts_with("dropped: cites no clause"), "{answer}");
        assert!(answer.get("fallback").is_none(), "{answer}");
    }
    for text in [served.json["answer"].as_str().unwrap(), &served.sse_deltas, &served.chat, &served.chat_streamed] {
        assert!(text.contains("60%") && !text.contains("配套细则"), "{text}");
    }
    assert_eq!(served.sse_deltas.trim(), served.sse_done["answer"].as_str().unwrap(), "a delta only for a sentence that passed");
    let metrics = s.state.metrics.encode();
    assert!(metrics.contains("policyqa_answer_dropped_sentences_total 4"), "one for each of the four answers: {metrics}");
    s.stop().await;
}

/// One recorded reply of the real server: the question it is replayed for and its pieces.
fn recorded(name: &str) -> (String, Vec<String>) {
    let text = std::fs::read_to_string(repo().join("crates/answer/tests/fixtures/recorded_replies.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let r = &v["replies"][name];
    assert!(r.is_object(), "no recorded reply {name}");
    (r["question"].as_str().unwrap().to_string(), r["pieces"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_string()).collect())
}

/// What one recorded reply must come to.
enum Outcome {
    /// Served as the model wrote it, citing the clause with this label fragment.
    Shipped(&'static str),
    /// Its claims dropped and the extractive answer served instead, for this reason.
    FellBack(&'static str),
    /// Served as a refusal.
    Refused,
}

#[tokio::test]
async fn every_recorded_reply_of_the_real_model_comes_to_its_outcome_on_every_route() {
    // name, outcome, words of the model's reply that must reach no reader (empty: none).
    let cases: [(&str, Outcome, &[&str]); 5] = [
        ("invented_article", Outcome::FellBack("unsupported"), &["劳动合同法", "第十九条", "百分之八十"]),
        ("figure_not_in_the_clause", Outcome::FellBack("unsupported"), &["30%"]),
        ("uncited_claim", Outcome::FellBack("uncited"), &["至少要60%以上"]),
        ("refusal_in_other_words", Outcome::Refused, &["条文中没有提到"]),
        ("good_cited_answer", Outcome::Shipped("（十）"), &[]),
    ];
    for (name, outcome, banned) in cases {
        let (question, pieces) = recorded(name);
        let reply = pieces.concat();
        let s = start(Setup { chat: Some(replaying(pieces)), ..Default::default() }).await;
        let served = serve(&s.url, &question).await;
        // The model was asked, and what was judged is its reply as recorded.
        let debug: Value = reqwest::Client::new().post(format!("{}/v1/ask", s.url)).json(&json!({"question": question, "debug": true})).send().await.unwrap().json().await.unwrap();
        assert_eq!(debug["model_answer_raw"], reply.as_str(), "{name}: {debug}");
        for answer in [&served.json, &served.sse_done] {
            match outcome {
                Outcome::Shipped(label) => {
                    assert_eq!(answer["mode"], "llm", "{name}: {answer}");
                    assert!(answer.get("fallback").is_none(), "{name}: {answer}");
                    assert_eq!(answer["dropped_sentences"], 0, "{name}: {answer}");
                    assert_eq!(answer["answer"], reply.as_str(), "{name}: served as written");
                    assert_eq!(answer["supported_share"], 1.0, "{name}: every claim passed: {answer}");
                    assert!(answer["citations"][0]["label"].as_str().unwrap().contains(label), "{name}: {answer}");
                }
                Outcome::FellBack(reason) => {
                    assert_eq!(answer["mode"], "extractive", "{name}: {answer}");
                    assert_eq!(answer["fallback"], reason, "{name}: {answer}");
                    // The share is read where the model cited; an answer citing nothing has none.
                    match reason {
                        "unsupported" => assert!(answer["supported_share"].as_f64().unwrap() < 0.5, "{name}: {answer}"),
                        _ => assert!(answer.get("supported_share").is_none(), "{name}: {answer}"),
                    }
                    assert!(answer["dropped_sentences"].as_u64().unwrap() >= 1, "{name}: {answer}");
                    assert!(answer["flags"][0]["reason"].as_str().unwrap().starts_with("dropped: "), "{name}: {answer}");
                    assert!(!answer["citations"].as_array().unwrap().is_empty(), "{name}: the extractive answer cites: {answer}");
                    assert_eq!(answer["refused"], false, "{name}: {answer}");
                }
                Outcome::Refused => {
                    assert_eq!(answer["refused"], true, "{name}: {answer}");
                    assert!(answer["citations"].as_array().unwrap().is_empty(), "{name}: {answer}");
                }
            }
        }
        for text in [served.json["answer"].as_str().unwrap(), &served.sse_deltas, &served.chat, &served.chat_streamed] {
            for word in banned {
                assert!(!text.contains(word), "{name}: {word} reached a reader: {text}");
            }
        }
        assert_eq!(served.json["answer"], served.sse_done["answer"], "{name}: streamed and not agree");
        assert_eq!(served.chat, served.json["answer"].as_str().unwrap(), "{name}: /v1/chat/completions serves the same answer");
        assert_eq!(served.chat_streamed, served.chat, "{name}: streamed and not agree on /v1/chat/completions");
        if let Outcome::Shipped(_) = outcome {
            assert_eq!(served.sse_deltas.trim(), reply, "{name}: a good answer is streamed as it passes");
        }
        s.stop().await;
    }
}
