//! The MCP server, driven by the official MCP Python SDK (PyPI `mcp`, installed by the test
//! command) through `tests/mcp_client.py`: `policyqa mcp` over stdio and `/mcp` of
//! `policyqa serve` over Streamable HTTP, on the seed page.

mod support;

use std::io::{Read, Write};
use std::process::Stdio;

use serde_json::Value;
use support::{policyqa, repo, Served};

const ASK_KEY: &str = "ask-key-for-mcp-0123456789";
const ADMIN_KEY: &str = "admin-key-for-mcp-0123456789";

fn client(args: &[&str]) -> Value {
    let out = std::process::Command::new("python3").arg(repo().join("tests/mcp_client.py")).args(args).current_dir(repo()).output().expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "mcp_client.py {args:?} failed\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_str(stdout.lines().last().unwrap_or_default()).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

fn structured<'a>(out: &'a Value, step: &str) -> &'a Value {
    let r = &out[step]["result"];
    assert!(r.is_object(), "{step}: no result: {}", out[step]);
    assert_ne!(r["isError"], true, "{step}: {r}");
    &r["structuredContent"]
}

fn text(out: &Value, step: &str) -> String {
    out[step]["result"]["content"][0]["text"].as_str().unwrap_or_default().to_string()
}

/// What both transports must give: every tool listed with a schema and a description in
/// Chinese and English, each tool's result on the seed page, a resource, and the errors.
fn assert_tools_work(out: &Value) {
    let tools = out["tools"].as_object().unwrap();
    let mut names: Vec<&str> = tools.keys().map(String::as_str).collect();
    names.sort();
    assert_eq!(names, ["ask", "get_clause", "list_documents", "search_clauses", "verify_citations"]);
    for (name, t) in tools {
        let d = t["description"].as_str().unwrap();
        assert!(d.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) && d.contains("the "), "{name}: a description in Chinese and English: {d}");
        assert_eq!(t["schema"]["type"], "object", "{name}");
    }
    assert_eq!(tools["search_clauses"]["schema"]["required"], serde_json::json!(["query"]));
    assert!(tools["search_clauses"]["schema"]["properties"]["filters"].is_object());

    // search_clauses: the clause that answers first, labelled, with id and score.
    let s = structured(out, "search");
    let first = &s["passages"][0];
    assert_eq!(first["label"], "《中共中央国务院关于深化产业工人队伍建设改革的意见》（十）");
    assert!(first["id"].as_str().unwrap().len() == 16 && first["score"].as_f64().unwrap() > 0.0, "{first}");
    assert!(s["passages"].as_array().unwrap().len() <= 3);
    assert!(text(out, "search").starts_with("1. 《中共中央国务院关于深化产业工人队伍建设改革的意见》（十）"), "{}", text(out, "search"));
    assert_eq!(structured(out, "search_filtered")["passages"][0]["label"], first["label"], "a type filter that admits the 意见");

    // get_clause: by short label, by id, and a missing one naming what exists.
    let c = structured(out, "clause");
    assert_eq!(c["found"], true);
    assert_eq!(c["passages"][0]["label"], first["label"]);
    assert!(c["passages"][0]["text"].as_str().unwrap().contains("60%以上用于一线职工"));
    assert_eq!(structured(out, "clause_by_id")["passages"][0]["id"], first["id"]);
    let missing = structured(out, "clause_missing");
    assert_eq!(missing["found"], false);
    assert!(missing["message"].as_str().unwrap().contains("（六）–（二十七）"), "{missing}");

    // ask: the cited answer; a question the page does not answer is refused.
    let a = structured(out, "ask");
    assert_eq!(a["refused"], false);
    assert!(a["answer"].as_str().unwrap().contains("60%") && a["answer"].as_str().unwrap().contains("[1]"), "{a}");
    assert_eq!(a["citations"][0]["label"], first["label"]);
    assert!(text(out, "ask").contains("参考") && text(out, "ask").contains("（十）"), "{}", text(out, "ask"));
    assert_eq!(structured(out, "ask_refused")["refused"], true, "{}", out["ask_refused"]);

    // list_documents and verify_citations: the HTTP API's shapes.
    let docs = structured(out, "documents").as_array().unwrap();
    assert_eq!(docs.len(), 4);
    assert!(docs.iter().any(|d| d["title"] == "中共中央国务院关于深化产业工人队伍建设改革的意见" && d["validity"]["status"].is_string()), "{docs:?}");
    let v = structured(out, "verify");
    assert_eq!(v["found"], 1, "{v}");
    assert_eq!(v["citations"][0]["outcome"], "found");

    // Resources: each document, its clauses in order.
    let uris = out["resources"].as_array().unwrap();
    assert_eq!(uris.len(), 4);
    assert!(uris.iter().all(|u| u.as_str().unwrap().starts_with("policyqa://documents/")));
    let body = out["resource"]["contents"][0]["text"].as_str().unwrap();
    assert!(body.starts_with('#'), "{body}");
    if body.contains("（六）") {
        assert!(body.find("（六）").unwrap() < body.find("（二十七）").unwrap(), "clauses in the document's order");
    }
    assert!(out["resource_missing"]["message"].as_str().unwrap().contains("no document"), "{}", out["resource_missing"]);

    // Errors: an unknown tool is a protocol error; unusable arguments are error results
    // saying what to change.
    assert!(out["unknown_tool"]["error"]["message"].as_str().unwrap().contains("not found"), "{}", out["unknown_tool"]);
    for (step, says) in [("malformed", "expected a string"), ("empty", "the question is empty"), ("bad_filter", "filters.written_from"), ("unknown_argument", "colour")] {
        let r = &out[step]["result"];
        assert_eq!(r["isError"], true, "{step}: {}", out[step]);
        assert!(r["content"][0]["text"].as_str().unwrap().contains(says), "{step}: {r}");
    }
}

#[test]
fn the_stdio_server_serves_every_tool_and_resource_to_the_python_sdk() {
    let data = tempfile::tempdir().unwrap();
    let binary = env!("CARGO_BIN_EXE_policyqa");
    let corpus = repo().join("corpus");
    let out = client(&["stdio", binary, corpus.to_str().unwrap(), data.path().to_str().unwrap()]);
    assert_tools_work(&out);
}

fn served_with_keys(data: &std::path::Path) -> Served {
    let keys = format!("ask:{ASK_KEY},admin:{ADMIN_KEY}");
    Served::start_with(data, &[("POLICYQA_API_KEYS", &keys), ("POLICYQA_WIDGET_ORIGINS", "http://localhost:5173")])
}

#[test]
fn mcp_over_http_needs_a_key_and_a_known_origin_and_host() {
    let data = tempfile::tempdir().unwrap();
    let served = served_with_keys(data.path());
    let out = client(&["http", &format!("{}/mcp", served.url), ASK_KEY]);
    assert_eq!(out["no_key"]["status"], 401, "{}", out["no_key"]);
    assert!(out["no_key"]["body"].as_str().unwrap().contains("unauthorized"));
    assert_eq!(out["wrong_key"]["status"], 401);
    assert_eq!(out["foreign_origin"]["status"], 403, "{}", out["foreign_origin"]);
    let refusal: Value = serde_json::from_str(out["foreign_origin"]["body"].as_str().unwrap()).expect("the API's error shape");
    assert_eq!(refusal["error"]["code"], "forbidden");
    assert!(refusal["error"]["message"].as_str().unwrap().contains("Origin"), "{refusal}");
    assert!(matches!(out["foreign_host"]["status"].as_u64(), Some(400 | 403)), "{}", out["foreign_host"]);
    // The ask key, from a configured origin: every tool.
    assert_tools_work(&out);
}

#[test]
fn a_scripted_chat_model_uses_the_tools_through_an_agent_loop() {
    let data = tempfile::tempdir().unwrap();
    let served = served_with_keys(data.path());
    let out = client(&["agent", &format!("{}/mcp", served.url), ASK_KEY]);
    assert_eq!(out["model_saw_tools"], serde_json::json!(["ask", "get_clause", "list_documents", "search_clauses", "verify_citations"]));
    let calls = out["calls"].as_array().unwrap();
    assert_eq!(calls.iter().map(|c| c["name"].as_str().unwrap()).collect::<Vec<_>>(), ["search_clauses", "get_clause"], "{calls:?}");
    assert!(calls.iter().all(|c| c["is_error"] == false), "{calls:?}");
    assert_eq!(calls[1]["arguments"]["label_or_id"], "《中共中央国务院关于深化产业工人队伍建设改革的意见》（十）");
    let answer = out["answer"].as_str().unwrap();
    assert!(answer.starts_with("依据《中共中央国务院关于深化产业工人队伍建设改革的意见》（十）：") && answer.contains("落实企业培养产业工人的责任"), "{answer}");
}

/// A desktop agent reads stdout as the protocol: not a byte of anything else, even with
/// every log level on (the logs go to stderr).
#[test]
fn policyqa_mcp_writes_nothing_but_protocol_on_stdout() {
    let data = tempfile::tempdir().unwrap();
    let mut child = policyqa(data.path()).args(["mcp"]).env("POLICYQA_LOG", "debug").stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let messages = [
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#,
        r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
        r#"{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{}}"#,
        r#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"search_clauses","arguments":{"query":"职工教育经费"}}}"#,
    ];
    for m in messages {
        writeln!(stdin, "{m}").unwrap();
    }
    stdin.flush().unwrap();
    // Replies to the three requests, then close stdin: the server ends.
    let mut stdout = child.stdout.take().unwrap();
    let mut got = String::new();
    let mut buf = [0u8; 65536];
    while got.lines().filter(|l| !l.trim().is_empty()).count() < 3 {
        let n = stdout.read(&mut buf).unwrap();
        assert!(n > 0, "stdout closed early: {got}");
        got.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    drop(stdin);
    stdout.read_to_string(&mut got).unwrap();
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    assert!(status.success(), "{stderr}");
    let lines: Vec<Value> = got.lines().filter(|l| !l.trim().is_empty()).map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON-RPC on stdout ({e}): {l:?}"))).collect();
    assert!(lines.iter().all(|l| l["jsonrpc"] == "2.0"), "{lines:?}");
    assert_eq!(lines.iter().map(|l| l["id"].as_u64().unwrap()).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(lines[0]["result"]["serverInfo"]["name"], "policyqa");
    assert!(lines[2]["result"]["content"][0]["text"].as_str().unwrap().contains("（十）"), "{}", lines[2]);
    assert!(stderr.contains("ingesting") && stderr.contains("DEBUG"), "the logs went to stderr: {stderr}");
}
