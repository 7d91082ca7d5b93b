//! The eval's client of a running server reads the server's wire structs strictly: a
//! response that lacks a documented field fails the run with an error naming the field,
//! instead of counting as a retrieval that found nothing.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;

use policyqa_eval::http::HttpTarget;
use policyqa_eval::{EvalError, EvalTarget, Question};

/// A server that answers every request with `status` and `body`.
fn serve(status: u16, body: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
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
            let mut body_in = vec![0; length];
            let _ = reader.read_exact(&mut body_in);
            let _ = write!(stream, "HTTP/1.1 {status} OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len());
        }
    });
    url
}

fn questions() -> Vec<Question> {
    vec![Question { id: "q-1".into(), question: "职工教育经费怎么用".into(), gold: vec!["职工教育经费".into()], facts: vec![], kind: "lookup".into(), filters: Default::default() }]
}

#[tokio::test]
async fn a_response_without_a_required_field_fails_the_run_by_name() {
    // A search response whose passages lack their `label` (say, a server that renamed it).
    let url = serve(200, r#"{"query":"q","passages":[{"rank":1,"score":3.2,"id":"0123456789abcdef","doc_id":"d","doc_title":"t","address":[],"number":null,"part":null,"parts":null,"kind":"clause","text":"职工教育经费","source":"s","start":0,"end":6,"spans":[[0,6]]}],"clause_lookup":null,"warnings":[]}"#);
    let target = HttpTarget::new(&url, None).unwrap();
    let err = policyqa_eval::evaluate(&target, "set", &questions(), 5).await.unwrap_err();
    assert!(matches!(err, EvalError::Failed(_)), "{err:?}");
    let m = err.to_string();
    assert!(m.contains("/v1/search") && m.contains("missing field `label`"), "{m}");

    let url = serve(200, r#"{"question":"q","answer":"a","refused":false,"citations":[],"passages":[],"flags":[],"warnings":[],"evidence":0.4,"timings":{"retrieval_ms":1,"generation_ms":0,"total_ms":1}}"#);
    let err = HttpTarget::new(&url, None).unwrap().ask("职工教育经费怎么用", &Default::default()).await.unwrap_err();
    assert!(err.to_string().contains("missing field `mode`"), "{err}");
}

#[tokio::test]
async fn a_well_formed_response_is_read() {
    let url = serve(200, r#"{"query":"q","passages":[{"rank":1,"score":3.2,"id":"0123456789abcdef","doc_id":"d","doc_title":"t","address":[],"label":"《t》（十）","number":10,"part":null,"parts":null,"kind":"clause","text":"职工教育经费","source":"s","start":0,"end":6,"spans":[[0,6]]}],"clause_lookup":null,"warnings":[]}"#);
    let target = HttpTarget::new(&url, None).unwrap();
    let report = policyqa_eval::evaluate(&target, "set", &questions(), 5).await.unwrap();
    assert_eq!(report.questions[0].rank, Some(1));
    assert_eq!(report.questions[0].retrieved[0].label, "《t》（十）");
}
