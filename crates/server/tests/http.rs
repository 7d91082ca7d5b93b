//! The HTTP service on a loopback port (port 0), over an embedded index of the seed page in
//! a temporary folder: every route, the streamed ask in order, the OpenAI-compatible
//! endpoint (also through the official `openai` Python client), documents in and out, and
//! each error status with its JSON body.

use serde_json::{json, Value};

mod support;
use support::{assert_error, events, repo, start as start_server, with_config, Server};

async fn start(max_body_bytes: usize) -> Server {
    start_server(with_config(move |c, _| c.max_body_bytes = max_body_bytes)).await
}

async fn start_with(max_body_bytes: usize, dependencies: Vec<(String, String)>) -> Server {
    start_server(with_config(move |c, _| {
        c.max_body_bytes = max_body_bytes;
        c.dependencies = dependencies;
    }))
    .await
}

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

async fn post(s: &Server, path: &str, body: Value) -> (u16, Value) {
    let r = client().post(format!("{}{path}", s.url)).json(&body).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}


const TRAINING: &str = "公司提的职工培训经费，最少得拿出几成花在一线工人身上？";

#[tokio::test]
async fn ask_answers_with_citations() {
    let s = start(1 << 20).await;
    let (status, a) = post(&s, "/v1/ask", json!({"question": TRAINING})).await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(a["refused"], false);
    assert_eq!(a["mode"], "extractive");
    assert!(a["answer"].as_str().unwrap().contains("60%"));
    let c = &a["citations"][0];
    assert!(c["label"].as_str().unwrap().ends_with("（十）"));
    assert!(c["text"].as_str().unwrap().contains(c["quote"].as_str().unwrap()));
    assert!(a["passages"].as_array().unwrap().len() >= 3);
    // A follow-up with history.
    let (_, a) = post(&s, "/v1/ask", json!({"question": "那第十五条呢？", "history": [
        {"role": "user", "content": "意见第十四条讲了什么"}, {"role": "assistant", "content": "提高产业工人经济收入[1]。"}]})).await;
    assert!(a["citations"][0]["label"].as_str().unwrap().ends_with("（十五）"), "{a}");
    s.stop().await;
}

#[tokio::test]
async fn the_streamed_ask_sends_retrieval_deltas_citations_done_in_order() {
    let s = start(1 << 20).await;
    for (body, accept) in [(json!({"question": TRAINING, "stream": true}), None), (json!({"question": TRAINING}), Some("text/event-stream"))] {
        let mut req = client().post(format!("{}/v1/ask", s.url)).json(&body);
        if let Some(a) = accept {
            req = req.header("accept", a);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
        let ev = events(&r.text().await.unwrap());
        let names: Vec<&str> = ev.iter().map(|(e, _)| e.as_str()).collect();
        assert_eq!(names.first(), Some(&"retrieval"), "{names:?}");
        assert_eq!(names.last(), Some(&"done"), "{names:?}");
        let first_delta = names.iter().position(|n| *n == "delta").unwrap();
        let first_citation = names.iter().position(|n| *n == "citation").unwrap();
        assert!(first_delta < first_citation, "{names:?}");
        let done: Value = serde_json::from_str(&ev.last().unwrap().1).unwrap();
        let streamed: String = ev.iter().filter(|(e, _)| e == "delta").map(|(_, d)| serde_json::from_str::<Value>(d).unwrap()["text"].as_str().unwrap().to_string()).collect();
        assert_eq!(streamed.trim(), done["answer"].as_str().unwrap());
        assert_eq!(ev.iter().filter(|(e, _)| e == "citation").count(), done["citations"].as_array().unwrap().len());
    }
    s.stop().await;
}

#[tokio::test]
async fn search_and_passages() {
    let s = start(1 << 20).await;
    let (status, r) = post(&s, "/v1/search", json!({"query": TRAINING, "top_k": 3})).await;
    assert_eq!(status, 200);
    assert_eq!(r["passages"].as_array().unwrap().len(), 3);
    let first = &r["passages"][0];
    assert!(first["label"].as_str().unwrap().ends_with("（十）"));
    let (_, r) = post(&s, "/v1/search", json!({"query": "意见第三条"})).await;
    assert_eq!(r["clause_lookup"]["found"], false);
    // Filters and the date statuses are read on.
    let (status, r) = post(&s, "/v1/search", json!({"query": TRAINING, "top_k": 10, "filters": {"type": ["意见"]}, "as_of": "2026-01-01"})).await;
    assert_eq!(status, 200, "{r}");
    let labels: Vec<&str> = r["passages"].as_array().unwrap().iter().map(|p| p["label"].as_str().unwrap()).collect();
    assert!(!labels.is_empty() && labels.iter().all(|l| l.starts_with("《中共中央国务院关于深化产业工人队伍建设改革的意见》")), "{labels:?}");
    let (status, r) = post(&s, "/v1/search", json!({"query": TRAINING, "filters": {"issuer": "外交部"}})).await;
    assert_eq!(status, 200, "{r}");
    assert!(r["passages"].as_array().unwrap().is_empty() && r["warnings"][0].as_str().unwrap().contains("no indexed document meets the filters"), "{r}");
    for (body, field) in [
        (json!({"query": TRAINING, "filters": {"published_from": "2024-13-01"}}), "filters.published_from: \"2024-13-01\" is not a date"),
        (json!({"query": TRAINING, "filters": {"status": ["abolished"]}}), "filters.status: \"abolished\": expected in_force"),
        (json!({"query": TRAINING, "as_of": "yesterday"}), "as_of: \"yesterday\" is not a date"),
    ] {
        let (status, r) = post(&s, "/v1/search", body).await;
        assert_error(status, &r, 422, "invalid_filter");
        assert!(r["error"]["message"].as_str().unwrap().starts_with(field), "{r}");
    }
    let (status, r) = post(&s, "/v1/ask", json!({"question": TRAINING, "filters": {"effective_to": "2020-02-30"}})).await;
    assert_error(status, &r, 422, "invalid_filter");
    assert!(r["error"]["message"].as_str().unwrap().starts_with("filters.effective_to"), "{r}");
    let (status, r) = post(&s, "/v1/search", json!({"query": TRAINING, "filters": {"colour": "red"}})).await;
    assert_error(status, &r, 400, "malformed_json");
    assert!(r["error"]["message"].as_str().unwrap().contains("colour"), "{r}");
    let (status, r) = post(&s, "/v1/ask", json!({"question": TRAINING, "filters": {"type": 7}})).await;
    assert_error(status, &r, 400, "malformed_json");
    // One value stands for a list of one.
    let (status, r) = post(&s, "/v1/ask", json!({"question": TRAINING, "filters": {"type": "意见"}})).await;
    assert_eq!(status, 200, "{r}");
    assert!(r["citations"].as_array().unwrap().iter().all(|c| c["label"].as_str().unwrap().starts_with("《中共中央国务院关于深化产业工人队伍建设改革的意见》")), "{r}");
    let id = first["id"].as_str().unwrap();
    let p: Value = client().get(format!("{}/v1/passages/{id}", s.url)).send().await.unwrap().json().await.unwrap();
    assert_eq!(p["id"], id);
    assert_eq!(p["text"], first["text"]);
    let r = client().get(format!("{}/v1/passages/00000000000000ff", s.url)).send().await.unwrap();
    let status = r.status().as_u16();
    assert_error(status, &r.json().await.unwrap(), 404, "not_found");
    s.stop().await;
}

#[tokio::test]
async fn documents_can_be_added_listed_asked_and_removed() {
    let s = start(1 << 20).await;
    let docs: Vec<Value> = client().get(format!("{}/v1/documents", s.url)).send().await.unwrap().json().await.unwrap();
    assert_eq!(docs.len(), 4);
    let text = "第一条 为了规范职工疗休养，制定本办法。\n\n第二条 职工每年可以参加一次疗休养，时间不超过七天。\n";
    let (status, added) = post(&s, "/v1/documents", json!({"title": "职工疗休养管理办法", "text": text})).await;
    assert_eq!(status, 201, "{added}");
    assert_eq!(added["documents"][0]["title"], "职工疗休养管理办法");
    assert_eq!(added["passages"].as_array().unwrap().len(), 2);
    // The new document is known by name at once.
    let (_, a) = post(&s, "/v1/ask", json!({"question": "职工疗休养管理办法第二条"})).await;
    assert!(a["answer"].as_str().unwrap().contains("七天"), "{a}");
    let id = added["documents"][0]["id"].as_str().unwrap().to_string();
    let r = client().delete(format!("{}/v1/documents/{id}", s.url)).send().await.unwrap();
    assert_eq!(r.status(), 204);
    let r = client().delete(format!("{}/v1/documents/{id}", s.url)).send().await.unwrap();
    let status = r.status().as_u16();
    assert_error(status, &r.json().await.unwrap(), 404, "not_found");
    let docs: Vec<Value> = client().get(format!("{}/v1/documents", s.url)).send().await.unwrap().json().await.unwrap();
    assert_eq!(docs.len(), 4);
    s.stop().await;
}

/// The listing says whether each document is in force today, with the clause that says so:
/// a notice that replaces its predecessor, and the predecessor it repeals.
#[tokio::test]
async fn the_document_list_says_what_is_in_force_and_why() {
    let s = start(1 << 20).await;
    let old = "第一条 为了规范职工疗休养，制定本办法。\n\n第二条 职工每年可以参加一次疗休养。\n";
    let (status, _) = post(&s, "/v1/documents", json!({"title": "职工疗休养暂行办法", "text": old})).await;
    assert_eq!(status, 201);
    let new = "第一条 为了规范职工疗休养，制定本办法。\n\n第二条 职工每年可以参加一次疗休养，时间不超过七天。\n\n第三条 本办法自2020年1月1日起施行，《职工疗休养暂行办法》同时废止。\n";
    let (status, _) = post(&s, "/v1/documents", json!({"title": "职工疗休养管理办法", "text": new})).await;
    assert_eq!(status, 201);
    let docs: Vec<Value> = client().get(format!("{}/v1/documents", s.url)).send().await.unwrap().json().await.unwrap();
    let find = |title: &str| docs.iter().find(|d| d["title"] == title).unwrap_or_else(|| panic!("{title} listed: {docs:?}")).clone();
    let current = find("职工疗休养管理办法");
    let v = &current["validity"];
    assert_eq!((v["status"].as_str(), v["status_zh"].as_str(), v["since"].as_str()), (Some("in_force"), Some("在施行"), Some("2020-01-01")), "{current}");
    assert_eq!(v["effective"], "2020-01-01");
    assert_eq!(v["repeals"], json!(["职工疗休养暂行办法"]));
    assert_eq!(v["evidence"][0]["label"], "《职工疗休养管理办法》第三条", "{current}");
    let repealed = find("职工疗休养暂行办法");
    let v = &repealed["validity"];
    assert_eq!((v["status"].as_str(), v["status_zh"].as_str(), v["since"].as_str()), (Some("repealed"), Some("已废止"), Some("2020-01-01")), "{repealed}");
    assert_eq!(v["successor"], current["id"]);
    assert_eq!(v["successor_title"], "职工疗休养管理办法");
    assert!(v["evidence"][0]["quote"].as_str().unwrap().contains("同时废止"), "{repealed}");
    // An answer quoting the repealed one says so; one quoting the one in force does not.
    let (_, a) = post(&s, "/v1/ask", json!({"question": "职工疗休养暂行办法第二条"})).await;
    // The repeal first (the current 办法's 第三条), then the old clause as it stood.
    assert_eq!(a["citations"][0]["label"], "《职工疗休养管理办法》第三条", "{a}");
    assert!(a["citations"][1]["label"].as_str().unwrap().contains("暂行办法"), "{a}");
    let warned: Vec<&str> = a["warnings"].as_array().unwrap().iter().filter_map(|w| w.as_str()).filter(|w| w.contains("not in force")).collect();
    assert_eq!(warned.len(), 1, "{a}");
    assert!(warned[0].contains("《职工疗休养暂行办法》自2020-01-01已废止，见《职工疗休养管理办法》"), "{warned:?}");
    let (_, a) = post(&s, "/v1/ask", json!({"question": "职工疗休养管理办法第二条"})).await;
    assert!(!a["warnings"].to_string().contains("not in force"), "{a}");
    s.stop().await;
}

/// `POST /v1/verify` over the same two documents: a citation found and borne out, one to a
/// repealed document with its successor, a made-up article with the document's range, a
/// figure the clause lacks flagged; a malformed date and an over-long text refused.
#[tokio::test]
async fn the_verifier_reports_each_citation_of_a_text() {
    let s = start(16 << 20).await;
    let old = "第一条 为了规范职工疗休养，制定本办法。\n\n第二条 职工每年可以参加一次疗休养。\n";
    let new = "第一条 为了规范职工疗休养，制定本办法。\n\n第二条 职工每年可以参加一次疗休养，时间不超过七天。\n\n第三条 本办法自2020年1月1日起施行，《职工疗休养暂行办法》同时废止。\n";
    for (title, text) in [("职工疗休养暂行办法", old), ("职工疗休养管理办法", new)] {
        let (status, _) = post(&s, "/v1/documents", json!({"title": title, "text": text})).await;
        assert_eq!(status, 201);
    }
    let text = "《职工疗休养暂行办法》第二条也有规定。依照《职工疗休养管理办法》第二条，职工每年可以参加一次疗休养，时间不超过七天。本办法第九条规定了补贴。根据职工疗休养管理办法第二条，疗休养时间不超过十天。";
    let (status, v) = post(&s, "/v1/verify", json!({"text": text, "as_of": "2024-05-01"})).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["as_of"], "2024-05-01");
    let c = v["citations"].as_array().unwrap();
    let outcomes: Vec<(&str, &str)> = c.iter().map(|c| (c["text"].as_str().unwrap(), c["outcome"].as_str().unwrap())).collect();
    assert_eq!(
        outcomes,
        vec![("《职工疗休养暂行办法》第二条", "repealed"), ("《职工疗休养管理办法》第二条", "found"), ("本办法第九条", "no_such_article"), ("职工疗休养管理办法第二条", "found")],
        "{v}"
    );
    assert_eq!(c[1]["support"]["supported"], true, "{v}");
    assert_eq!(c[1]["clause"]["label"], "《职工疗休养管理办法》第二条");
    assert_eq!(c[0]["repealed"]["successor_title"], "职工疗休养管理办法", "{v}");
    assert_eq!(c[0]["repealed"]["since"], "2020-01-01");
    assert_eq!(c[2]["range"], "第一条–第三条", "{v}");
    assert_eq!(c[3]["support"]["supported"], false, "{v}");
    assert!(c[3]["support"]["missing"].to_string().contains("十天"), "{v}");
    assert_eq!((v["found"].as_u64(), v["repealed"].as_u64(), v["no_such_article"].as_u64(), v["unsupported"].as_u64()), (Some(2), Some(1), Some(1), Some(1)), "{v}");
    let typed: policyqa_server::wire::Verification = serde_json::from_value(v.clone()).unwrap();
    assert_eq!(typed.citations.len(), 4);
    // Before the new notice took effect, the old one was in force.
    let (_, then) = post(&s, "/v1/verify", json!({"text": "《职工疗休养暂行办法》第二条", "as_of": "2019-06-01"})).await;
    assert_eq!(then["citations"][0]["outcome"], "found", "{then}");
    let (status, e) = post(&s, "/v1/verify", json!({"text": text, "as_of": "2024-13-45"})).await;
    assert_eq!((status, e["error"]["code"].as_str()), (422, Some("invalid_date")), "{e}");
    let (status, e) = post(&s, "/v1/verify", json!({"text": "第".repeat(2 << 20)})).await;
    assert_eq!((status, e["error"]["code"].as_str()), (422, Some("text_too_long")), "{e}");
    s.stop().await;
}

#[tokio::test]
async fn uploads_are_decoded_and_bad_files_refused() {
    let s = start(1 << 20).await;
    // GBK bytes of a small notice.
    let gbk: &[u8] = &[0x23, 0x20, 0xb2, 0xe2, 0xca, 0xd4, 0xb0, 0xec, 0xb7, 0xa8, 0x0a, 0x0a, 0xb5, 0xda, 0xd2, 0xbb, 0xcc, 0xf5, 0x20, 0xb1, 0xbe, 0xb0, 0xec, 0xb7, 0xa8, 0xd7, 0xd4, 0xb9, 0xab, 0xb2, 0xbc, 0xd6, 0xae, 0xc8, 0xd5, 0xc6, 0xf0, 0xca, 0xa9, 0xd0, 0xd0, 0xa1, 0xa3, 0x0a];
    let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(gbk.to_vec()).file_name("notice-gbk.txt"));
    let r = client().post(format!("{}/v1/documents", s.url)).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let added: Value = r.json().await.unwrap();
    assert_eq!(added["documents"][0]["title"], "测试办法", "{added}");
    assert!(added["passages"][0]["text"].as_str().unwrap().contains("本办法自公布之日起施行"), "{added}");

    let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(vec![0u8, 1, 2, 3, 0, 0, 255, 254, 0, 7]).file_name("x.bin"));
    let r = client().post(format!("{}/v1/documents", s.url)).multipart(form).send().await.unwrap();
    let status = r.status().as_u16();
    assert_error(status, &r.json().await.unwrap(), 422, "unreadable_document");
    let (status, body) = post(&s, "/v1/documents", json!({"text": "   \n"})).await;
    assert_error(status, &body, 422, "unreadable_document");
    s.stop().await;
}

/// With OCR configured, an uploaded scan passes the pre-check and is read by the engine
/// (Tesseract, installed by the test command) at the ingest: its articles on their pages.
#[tokio::test]
async fn an_uploaded_scan_is_read_by_ocr_when_it_is_configured() {
    let tesseract = policyqa_ocr::Tesseract::new("tesseract", "chi_sim");
    tesseract.check().expect("the test command installs tesseract-ocr and tesseract-ocr-chi-sim");
    let s = start_server(support::Setup { ocr: Some(std::sync::Arc::new(tesseract)), ..Default::default() }).await;
    let scan = std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../eval/corpus/formats/scanned/npc.pdf")).unwrap();
    let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(scan).file_name("decision.pdf"));
    let r = client().post(format!("{}/v1/documents", s.url)).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let added: Value = r.json().await.unwrap();
    let passages = added["passages"].as_array().unwrap();
    assert_eq!(passages.iter().filter(|p| p["label"].as_str().unwrap().ends_with('条')).count(), 12, "{added}");
    assert!(passages.iter().all(|p| p["page"].as_u64().is_some_and(|n| (1..=2).contains(&n))), "{added}");
    s.stop().await;
}

#[tokio::test]
async fn web_pages_word_files_and_pdfs_are_read_by_their_content() {
    let s = start(1 << 20).await;
    let fixture = |rel: &str| std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../eval/corpus/formats").join(rel)).unwrap();
    // A saved gov.cn page uploaded under a name that says nothing: its own title, its
    // metadata, its clauses, no markup.
    let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(fixture("html/govcn.html")).file_name("gov"));
    let r = client().post(format!("{}/v1/documents", s.url)).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let added: Value = r.json().await.unwrap();
    assert_eq!(added["documents"][0]["title"], "国务院办公厅关于进一步推进老年助餐服务发展的通知", "{added}");
    assert_eq!(added["documents"][0]["format"], "html");
    assert_eq!(added["documents"][0]["metadata"]["doc_number"], "国办发〔2025〕8号");
    let passages = added["passages"].as_array().unwrap();
    assert!(passages.iter().any(|p| p["label"].as_str().unwrap().ends_with("第三部分")), "{added}");
    assert!(passages.iter().all(|p| !p["text"].as_str().unwrap().contains('<')), "{added}");
    let docs: Vec<Value> = client().get(format!("{}/v1/documents", s.url)).send().await.unwrap().json().await.unwrap();
    assert!(docs.iter().any(|d| d["metadata"]["issuer"] == "国务院办公厅"), "{docs:?}");
    // A Word file with automatic numbering.
    let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(fixture("docx/npc.docx")).file_name("decision.docx"));
    let r = client().post(format!("{}/v1/documents", s.url)).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let (_, a) = post(&s, "/v1/ask", json!({"question": "关于加强公共场所自动体外除颤器配置和使用的决定第九条"})).await;
    assert!(a["citations"][0]["label"].as_str().unwrap().ends_with("第九条"), "{a}");
    // A PDF: its passages and citations carry their pages.
    let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(fixture("pdf/ministry.pdf")).file_name("notice.pdf"));
    let r = client().post(format!("{}/v1/documents", s.url)).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let added: Value = r.json().await.unwrap();
    assert_eq!(added["documents"][0]["format"], "pdf", "{added}");
    assert!(added["passages"].as_array().unwrap().iter().all(|p| p["page"].as_u64() >= Some(1)), "{added}");
    // Each knows where in the file it starts: the page's line.
    assert!(added["passages"].as_array().unwrap().iter().all(|p| p["origin"]["kind"] == "line" && p["origin"]["page"] == p["page"]), "{added}");
    let (_, a) = post(&s, "/v1/ask", json!({"question": "技能人才培训补贴，同一个人一年能申领几次？"})).await;
    assert!(a["citations"].as_array().unwrap().iter().any(|c| c["page"] == 1), "{a}");
    // A Word 97 file renamed .docx, a zip bomb and a scan: refused with the reason, nothing kept.
    for (rel, says) in [("bad/renamed.docx", "save it as DOCX"), ("bad/bomb.docx", "zip bomb"), ("bad/scanned.pdf", "no text layer")] {
        let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(fixture(rel)).file_name("x.docx"));
        let r = client().post(format!("{}/v1/documents", s.url)).multipart(form).send().await.unwrap();
        let status = r.status().as_u16();
        let body: Value = r.json().await.unwrap();
        assert_error(status, &body, 422, "unreadable_document");
        assert!(body["error"]["message"].as_str().unwrap().contains(says), "{body}");
    }
    let docs: Vec<Value> = client().get(format!("{}/v1/documents", s.url)).send().await.unwrap().json().await.unwrap();
    assert_eq!(docs.len(), 7, "the four documents, the page, the Word file and the PDF");
    s.stop().await;
}

#[tokio::test]
async fn every_error_is_json_with_its_status() {
    let s = start(64 * 1024).await;
    // Malformed JSON.
    let r = client().post(format!("{}/v1/ask", s.url)).header("content-type", "application/json").body("{\"question\": ").send().await.unwrap();
    let status = r.status().as_u16();
    assert_error(status, &r.json().await.unwrap(), 400, "malformed_json");
    // A field of the wrong type is malformed too.
    let (status, body) = post(&s, "/v1/ask", json!({"question": 42})).await;
    assert_error(status, &body, 400, "malformed_json");
    // Over the body limit.
    let big = "问".repeat(40 * 1024);
    let (status, body) = post(&s, "/v1/ask", json!({"question": big})).await;
    assert_error(status, &body, 413, "body_too_large");
    // Empty and over-long questions.
    let (status, body) = post(&s, "/v1/ask", json!({"question": "  "})).await;
    assert_error(status, &body, 422, "invalid_question");
    let (status, body) = post(&s, "/v1/ask", json!({"question": "问".repeat(2001)})).await;
    assert_error(status, &body, 422, "invalid_question");
    let (status, body) = post(&s, "/v1/search", json!({"query": ""})).await;
    assert_error(status, &body, 422, "invalid_question");
    let (status, body) = post(&s, "/v1/ask", json!({"question": "问", "history": [{"role": "robot", "content": "x"}]})).await;
    assert_error(status, &body, 422, "invalid_question");
    // The streamed ask refuses before streaming.
    let (status, body) = post(&s, "/v1/ask", json!({"question": "", "stream": true})).await;
    assert_error(status, &body, 422, "invalid_question");
    // Unknown route, unknown id, wrong method, no content type.
    let r = client().get(format!("{}/v2/nothing", s.url)).send().await.unwrap();
    let status = r.status().as_u16();
    assert_error(status, &r.json().await.unwrap(), 404, "not_found");
    let r = client().get(format!("{}/v1/ask", s.url)).send().await.unwrap();
    let status = r.status().as_u16();
    assert_error(status, &r.json().await.unwrap(), 405, "method_not_allowed");
    let r = client().post(format!("{}/v1/ask", s.url)).body("question").send().await.unwrap();
    let status = r.status().as_u16();
    assert_error(status, &r.json().await.unwrap(), 415, "unsupported_media_type");
    let (status, body) = post(&s, "/v1/chat/completions", json!({"messages": [{"role": "assistant", "content": "hi"}]})).await;
    assert_error(status, &body, 422, "invalid_question");
    let (status, body) = post(&s, "/v1/chat/completions", json!({"messages": [{"role": "robot", "content": "hi"}]})).await;
    assert_error(status, &body, 400, "bad_request");
    assert!(body["error"]["message"].as_str().unwrap().contains("robot"), "{body}");
    // A multipart upload without its `file` field.
    let form = reqwest::multipart::Form::new().text("title", "x");
    let r = client().post(format!("{}/v1/documents", s.url)).multipart(form).send().await.unwrap();
    let status = r.status().as_u16();
    let body: Value = r.json().await.unwrap();
    assert_error(status, &body, 400, "bad_request");
    assert!(body["error"]["message"].as_str().unwrap().contains("`file`"), "{body}");
    s.stop().await;
}

#[tokio::test]
async fn chat_completions_carry_citations_streamed_or_not() {
    let s = start(1 << 20).await;
    let (status, c) = post(&s, "/v1/chat/completions", json!({"model": "policyqa", "messages": [
        {"role": "system", "content": "ignored"}, {"role": "user", "content": [{"type": "text", "text": TRAINING}]}]})).await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["object"], "chat.completion");
    let m = &c["choices"][0]["message"];
    assert!(m["content"].as_str().unwrap().contains("60%"));
    assert!(m["citations"][0]["label"].as_str().unwrap().ends_with("（十）"));

    let r = client().post(format!("{}/v1/chat/completions", s.url)).json(&json!({"stream": true, "messages": [{"role": "user", "content": TRAINING}]})).send().await.unwrap();
    let ev = events(&r.text().await.unwrap());
    assert_eq!(ev.last().unwrap().1, "[DONE]");
    let chunks: Vec<Value> = ev[..ev.len() - 1].iter().map(|(_, d)| serde_json::from_str(d).unwrap()).collect();
    assert!(chunks.iter().all(|c| c["object"] == "chat.completion.chunk"));
    let text: String = chunks.iter().filter_map(|c| c["choices"][0]["delta"]["content"].as_str()).collect();
    assert!(text.contains("60%"), "{text}");
    let last = chunks.last().unwrap();
    assert_eq!(last["choices"][0]["finish_reason"], "stop");
    assert!(last["citations"][0]["quote"].as_str().unwrap().contains("60%"), "{last}");
    s.stop().await;
}

#[tokio::test]
async fn health_metrics_openapi_and_the_widget() {
    let s = start(1 << 20).await;
    let get = |p: &str| client().get(format!("{}{p}", s.url)).send();
    assert_eq!(get("/healthz").await.unwrap().json::<Value>().await.unwrap()["status"], "ok");
    let ready: Value = get("/readyz").await.unwrap().json().await.unwrap();
    assert_eq!(ready["ready"], true);
    assert_eq!(ready["checks"]["index"]["passages"], 34);
    let _ = post(&s, "/v1/ask", json!({"question": TRAINING})).await;
    let metrics = get("/metrics").await.unwrap().text().await.unwrap();
    for name in ["policyqa_http_requests_total{", "policyqa_http_request_duration_seconds_bucket", "policyqa_retrieval_duration_seconds", "policyqa_generation_duration_seconds", "policyqa_active_streams"] {
        assert!(metrics.contains(name), "{name} missing from\n{metrics}");
    }
    assert!(metrics.contains("route=\"/v1/ask\""), "{metrics}");
    let api: Value = get("/openapi.json").await.unwrap().json().await.unwrap();
    for path in ["/v1/ask", "/v1/search", "/v1/passages/{id}", "/v1/documents", "/v1/documents/{id}", "/v1/chat/completions"] {
        assert!(!api["paths"][path].is_null(), "{path}");
    }
    let js = get("/widget.js").await.unwrap();
    assert!(js.headers()["content-type"].to_str().unwrap().starts_with("text/javascript"));
    assert!(js.text().await.unwrap().contains("attachShadow"));
    let page = get("/").await.unwrap().text().await.unwrap();
    assert!(page.contains("/widget.js"));
    // The widget is embedded on other sites: the API answers cross-origin requests.
    let r = client().request(reqwest::Method::OPTIONS, format!("{}/v1/ask", s.url)).header("origin", "https://example.org").header("access-control-request-method", "POST").send().await.unwrap();
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    s.stop().await;
}

/// The official `openai` Python client (installed by the test command) against the
/// OpenAI-compatible endpoint, streamed and not.
#[tokio::test]
async fn the_openai_python_client_gets_answers_with_citations() {
    let s = start(1 << 20).await;
    let script = repo().join("tests/openai_client.py");
    let url = format!("{}/v1", s.url);
    let out = tokio::process::Command::new("python3").arg(&script).arg(&url).output().await.expect("python3 runs");
    assert!(out.status.success(), "{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("non-streamed: ok") && stdout.contains("streamed: ok"), "{stdout}");
    s.stop().await;
}

#[tokio::test]
async fn not_ready_while_a_configured_endpoint_is_down() {
    // Nothing listens on port 9 of the loopback.
    let s = start_with(1 << 20, vec![("chat".into(), "http://127.0.0.1:9/v1".into())]).await;
    let r = client().get(format!("{}/readyz", s.url)).send().await.unwrap();
    assert_eq!(r.status(), 503);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["ready"], false);
    assert_eq!(body["checks"]["chat"]["ok"], false);
    assert_eq!(body["checks"]["index"]["ok"], true);
    // Alive all the same.
    assert_eq!(client().get(format!("{}/healthz", s.url)).send().await.unwrap().status(), 200);
    s.stop().await;
}

/// An id that is not 16 hex digits names no passage: 404 like any unknown id, not a failure
/// of the index.
#[tokio::test]
async fn malformed_passage_ids_are_not_found() {
    let s = start(1 << 20).await;
    for id in ["does-not-exist", "ZZZZZZZZZZZZZZZZ", "0123456789ABCDEF", "12345", &"a".repeat(200), "%E4%B8%AD%E6%96%87"] {
        let r = client().get(format!("{}/v1/passages/{id}", s.url)).send().await.unwrap();
        let status = r.status().as_u16();
        assert_error(status, &r.json().await.unwrap(), 404, "not_found");
    }
    s.stop().await;
}

/// Every response parses as the server's own wire structs, strictly (what the eval's client
/// reads): the JSON answer, the search, the documents, a passage and each streamed event.
#[tokio::test]
async fn responses_are_the_documented_wire_structs() {
    use policyqa_server::wire;
    let s = start(1 << 20).await;
    let (_, a) = post(&s, "/v1/ask", json!({"question": TRAINING})).await;
    let a: wire::Answer = serde_json::from_value(a).unwrap();
    assert!(!a.refused && a.mode == wire::Mode::Extractive && !a.citations.is_empty());
    let (_, r) = post(&s, "/v1/search", json!({"query": "意见第三条"})).await;
    let r: wire::Search = serde_json::from_value(r).unwrap();
    assert_eq!(r.clause_lookup.map(|c| c.found), Some(false));
    let docs: Vec<wire::Document> = client().get(format!("{}/v1/documents", s.url)).send().await.unwrap().json().await.unwrap();
    assert_eq!(docs.len(), 4);
    let p: wire::Passage = client().get(format!("{}/v1/passages/{}", s.url, a.citations[0].id)).send().await.unwrap().json().await.unwrap();
    assert_eq!(p.label, a.citations[0].label);
    let text = client().post(format!("{}/v1/ask", s.url)).json(&json!({"question": TRAINING, "stream": true})).send().await.unwrap().text().await.unwrap();
    for (event, data) in events(&text) {
        match event.as_str() {
            "retrieval" => drop(serde_json::from_str::<wire::RetrievalEvent>(&data).unwrap()),
            "delta" => drop(serde_json::from_str::<wire::DeltaEvent>(&data).unwrap()),
            "citation" => drop(serde_json::from_str::<wire::Citation>(&data).unwrap()),
            "done" => assert_eq!(serde_json::from_str::<wire::Answer>(&data).unwrap().answer, a.answer),
            other => panic!("unexpected event {other}: {data}"),
        }
    }
    let ready: wire::Ready = client().get(format!("{}/readyz", s.url)).send().await.unwrap().json().await.unwrap();
    assert!(ready.ready && ready.checks["index"].passages == Some(34));
    s.stop().await;
}

/// OpenAI-compatible clients list the models when a user adds a provider.
#[tokio::test]
async fn the_models_route_lists_the_one_model() {
    let s = start_server(with_config(|c, _| c.model_name = "policyqa-laws".into())).await;
    let list: Value = client().get(format!("{}/v1/models", s.url)).send().await.unwrap().json().await.unwrap();
    assert_eq!(list["object"], "list");
    assert_eq!(list["data"][0]["id"], "policyqa-laws");
    assert_eq!(list["data"][0]["object"], "model");
    let one: Value = client().get(format!("{}/v1/models/policyqa-laws", s.url)).send().await.unwrap().json().await.unwrap();
    assert_eq!(one["id"], "policyqa-laws");
    let r = client().get(format!("{}/v1/models/gpt-4o", s.url)).send().await.unwrap();
    let status = r.status().as_u16();
    assert_error(status, &r.json().await.unwrap(), 404, "not_found");
    // Completions carry the configured name too.
    let (_, c) = post(&s, "/v1/chat/completions", json!({"model": "policyqa-laws", "messages": [{"role": "user", "content": TRAINING}]})).await;
    assert_eq!(c["model"], "policyqa-laws");
    let api: Value = client().get(format!("{}/openapi.json", s.url)).send().await.unwrap().json().await.unwrap();
    assert!(!api["paths"]["/v1/models"].is_null() && !api["components"]["schemas"]["Answer"].is_null(), "{}", api["paths"]);
    s.stop().await;

    // The official openai Python client: models.list() and models.retrieve().
    let s = start(1 << 20).await;
    let out = tokio::process::Command::new("python3").arg(repo().join("tests/openai_models.py")).arg(format!("{}/v1", s.url)).output().await.expect("python3 runs");
    assert!(out.status.success(), "{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("models: ok"), "{}", String::from_utf8_lossy(&out.stdout));
    s.stop().await;
}
