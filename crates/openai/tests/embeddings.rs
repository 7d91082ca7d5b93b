//! The embeddings client against a scripted OpenAI-compatible server on a loopback port:
//! retries with backoff on 429 and 5xx, refuses other 4xx at once, rejects malformed
//! answers, times out on a server that never answers.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use policyqa_core::{EmbedError, Embedder};
use policyqa_openai::{EmbedConfig, OpenAiEmbedder};

/// Serves the scripted responses in order (the last one repeats); returns the URL and the
/// number of requests seen. `None` means: accept and never answer.
fn scripted(responses: Vec<Option<(u16, String)>>) -> (String, Arc<Mutex<usize>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(0usize));
    let counter = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let n = {
                let mut c = counter.lock().unwrap();
                *c += 1;
                *c
            };
            match responses.get(n - 1).or(responses.last()).cloned().flatten() {
                Some((status, body)) => {
                    let _ = write!(
                        stream,
                        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                }
                None => std::thread::sleep(Duration::from_secs(30)),
            }
        }
    });
    (url, seen)
}

fn ok_body(n: usize) -> String {
    let data: Vec<String> = (0..n).map(|i| format!(r#"{{"object":"embedding","index":{i},"embedding":[0.1,0.2,0.3]}}"#)).collect();
    format!(r#"{{"object":"list","model":"m","data":[{}],"usage":{{"prompt_tokens":1,"total_tokens":1}}}}"#, data.join(","))
}

fn error_body(msg: &str) -> String {
    format!(r#"{{"error":{{"message":"{msg}","type":"x","param":null,"code":null}}}}"#)
}

fn embedder(url: &str) -> OpenAiEmbedder {
    let mut c = EmbedConfig::new(url, "k", "m");
    c.timeout = Duration::from_secs(1);
    OpenAiEmbedder::new(c).unwrap()
}

#[tokio::test]
async fn retries_429_and_5xx_then_succeeds() {
    let (url, seen) = scripted(vec![Some((429, error_body("slow down"))), Some((503, error_body("busy"))), Some((200, ok_body(2)))]);
    let v = embedder(&url).embed_passages(&["甲".into(), "乙".into()]).await.unwrap();
    assert_eq!(v, vec![vec![0.1, 0.2, 0.3]; 2]);
    assert_eq!(*seen.lock().unwrap(), 3);
}

#[tokio::test]
async fn gives_up_after_the_retries() {
    let (url, seen) = scripted(vec![Some((500, error_body("down")))]);
    let err = embedder(&url).embed_query("甲").await.unwrap_err();
    assert!(matches!(err, EmbedError::Unavailable(_)), "{err:?}");
    assert_eq!(*seen.lock().unwrap(), 4, "one try and three retries");
}

#[tokio::test]
async fn other_4xx_are_refused_at_once() {
    let (url, seen) = scripted(vec![Some((401, error_body("bad key")))]);
    let err = embedder(&url).embed_query("甲").await.unwrap_err();
    assert!(matches!(err, EmbedError::Refused(_)), "{err:?}");
    assert!(err.to_string().contains("bad key"), "{err}");
    assert_eq!(*seen.lock().unwrap(), 1);
}

#[tokio::test]
async fn malformed_answers_are_errors() {
    let (url, _) = scripted(vec![Some((200, "not json".into()))]);
    assert!(matches!(embedder(&url).embed_query("甲").await.unwrap_err(), EmbedError::Malformed(_)));
    let (url, _) = scripted(vec![Some((200, ok_body(1)))]);
    let err = embedder(&url).embed_passages(&["甲".into(), "乙".into()]).await.unwrap_err();
    assert!(matches!(err, EmbedError::Malformed(_)), "one vector for two texts: {err:?}");
}

#[tokio::test]
async fn a_silent_server_times_out() {
    let (url, _) = scripted(vec![None]);
    let mut c = EmbedConfig::new(&url, "k", "m");
    c.timeout = Duration::from_millis(300);
    let started = Instant::now();
    let err = OpenAiEmbedder::new(c).unwrap().embed_query("甲").await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    assert!(err.to_string().contains("timed out"), "{err}");
}
