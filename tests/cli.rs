//! End-to-end tests of the `policyqa` binary (built by cargo for this test).

use std::path::Path;
use std::process::{Command, Output};

mod support;
use support::repo;

fn policyqa(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_policyqa")).args(args).current_dir(repo()).output().expect("runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn chunk_json_lines_carry_every_field() {
    let out = policyqa(&["chunk", "corpus/000_99d6042c77b000db.txt", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object a line"))
        .collect();
    let clauses: Vec<_> = lines.iter().filter(|p| p["kind"] == "clause").collect();
    assert_eq!(clauses.len(), 22, "（六）…（二十七）");
    let ten = clauses.iter().find(|p| p["number"] == 10).unwrap();
    for field in ["id", "doc_id", "doc_title", "address", "label", "number", "text", "source", "start", "end", "spans"] {
        assert!(!ten[field].is_null(), "{field}");
    }
    assert_eq!(ten["label"], "《中共中央国务院关于深化产业工人队伍建设改革的意见》（十）");
    assert_eq!(ten["source"], "corpus/000_99d6042c77b000db.txt");
    // Offsets are characters of the decoded source: the span holds the clause's own text.
    let source: Vec<char> = std::fs::read_to_string(repo().join("corpus/000_99d6042c77b000db.txt")).unwrap().chars().collect();
    let (s, e) = (ten["start"].as_u64().unwrap() as usize, ten["end"].as_u64().unwrap() as usize);
    let span: String = source[s..e].iter().collect();
    assert_eq!(span, ten["text"].as_str().unwrap());
    let warnings = stderr(&out);
    assert!(warnings.contains("moved 5 paragraph(s)"), "{warnings}");
    assert!(warnings.contains("1 file(s), 4 document(s)"), "{warnings}");
}

#[test]
fn chunk_table_is_readable() {
    let out = policyqa(&["chunk", "corpus/000_99d6042c77b000db.txt", "--quiet"]);
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout.clone()).unwrap();
    let mut lines = table.lines();
    // Each document's title and format head its passages.
    assert_eq!(lines.next(), Some("== 《中共中央国务院关于深化产业工人队伍建设改革的意见》 [text]"));
    let first = lines.next().unwrap();
    assert!(first.starts_with("《中共中央国务院关于深化产业工人队伍建设改革的意见》（六）\t"), "{first}");
    assert!(!stderr(&out).contains("warning:"), "--quiet prints no warnings");
}

#[test]
fn unreadable_files_are_named_and_the_rest_still_processed() {
    let out = policyqa(&["chunk", "eval/corpus/bad", "eval/corpus/policies/02_measures_jineng_peixun_butie_utf8.txt", "no/such/file.txt", "--json"]);
    assert!(out.status.success(), "one file was read, so the command succeeds");
    let err = stderr(&out);
    assert!(err.contains("error: eval/corpus/bad/empty.txt: the file is empty"), "{err}");
    assert!(err.contains("error: eval/corpus/bad/binary.txt: the file is binary, not text (PNG image)"), "{err}");
    assert!(err.contains("no/such/file.txt: cannot read"), "{err}");
    assert!(err.contains("1 file(s), 1 document(s), 27 passage(s)"), "{err}");
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 27);
}

#[test]
fn no_readable_file_is_a_failure() {
    let out = policyqa(&["chunk", "eval/corpus/bad"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("0 file(s)"));
}

#[test]
fn gbk_files_are_decoded_and_say_so() {
    let out = policyqa(&["chunk", "eval/corpus/policies/01_notice_wenjiuye_gb18030_crlf.txt", "--json"]);
    assert!(out.status.success());
    assert!(stderr(&out).contains("decoded from gb18030"));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("《国务院办公厅关于进一步做好稳就业工作的通知》（十）"));
}

fn policyqa_in(data: &Path, args: &[&str]) -> Output {
    support::policyqa(data).args(args).output().expect("runs")
}

#[test]
fn ingest_docs_search_rm() {
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    let out = policyqa_in(d, &["search", "劳动"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("is empty; run `policyqa ingest PATH...` first"), "{}", stderr(&out));

    let out = policyqa_in(d, &["ingest", "corpus", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((summary["indexed"].as_u64(), summary["documents"].as_u64(), summary["passages"].as_u64()), (Some(1), Some(4), Some(34)));

    let out = policyqa_in(d, &["ingest", "corpus"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 indexed, 1 unchanged"));

    let out = policyqa_in(d, &["docs", "--json"]);
    let docs: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(docs.len(), 4);
    for field in ["id", "title", "source", "passages"] {
        assert!(!docs[0][field].is_null(), "{field}");
    }

    let out = policyqa_in(d, &["search", "意见第十四条讲了什么", "--json", "--top-k", "3"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["query"], "意见第十四条讲了什么");
    let first = &r["passages"][0];
    assert_eq!(first["rank"], 1);
    assert_eq!(first["label"], "《中共中央国务院关于深化产业工人队伍建设改革的意见》（十四）");
    for field in ["score", "id", "doc_title", "address", "label", "number", "text", "source", "start", "end"] {
        assert!(!first[field].is_null(), "{field}");
    }

    let out = policyqa_in(d, &["search", ""]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("the question is empty"));
    let long = "问".repeat(2001);
    let out = policyqa_in(d, &["search", &long]);
    assert!(stderr(&out).contains("the limit is 2000"));

    // ask: readable, and JSON with every field of the contract.
    let out = policyqa_in(d, &["ask", "公司提的职工培训经费，最少得拿出几成花在一线工人身上？"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("60%") && text.contains("[1]") && text.contains("引用：") && text.contains("（十）"), "{text}");
    let out = policyqa_in(d, &["ask", "意见第三条说了什么", "--json"]);
    let a: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(a["refused"], true);
    assert!(a["answer"].as_str().unwrap().contains("（六）–（二十七）"));
    let out = policyqa_in(d, &["ask", "意见第十四条讲了什么", "--json"]);
    let a: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for field in ["question", "answer", "refused", "mode", "citations", "passages", "warnings"] {
        assert!(!a[field].is_null(), "{field}");
    }
    assert_eq!(a["mode"], "extractive");
    let c = &a["citations"][0];
    for field in ["marker", "id", "label", "doc_title", "address", "quote", "text", "source", "start", "end"] {
        assert!(!c[field].is_null(), "{field}");
    }
    assert!(c["text"].as_str().unwrap().contains(c["quote"].as_str().unwrap()));
    let history = d.join("history.json");
    std::fs::write(&history, r#"[{"role":"user","content":"意见第十四条讲了什么"},{"role":"assistant","content":"提高产业工人经济收入[1]。"}]"#).unwrap();
    let bad = d.join("bad-history.json");
    std::fs::write(&bad, "[{\"role\": \"user\"").unwrap();
    let out = policyqa_in(d, &["ask", "那第十五条呢？", "--history", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("bad-history.json: expected [{\"role\", \"content\"}"), "{}", stderr(&out));
    let out = policyqa_in(d, &["ask", "  "]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("the question is empty"), "{}", stderr(&out));
    let out = policyqa_in(d, &["ask", "那第十五条呢？", "--json", "--history", history.to_str().unwrap()]);
    let a: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(a["citations"][0]["label"].as_str().unwrap().ends_with("（十五）"), "{a}");

    let news = docs.iter().find(|x| x["title"].as_str().unwrap().starts_with("以改革促开放")).unwrap();
    let out = policyqa_in(d, &["rm", news["id"].as_str().unwrap()]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("removed 《以改革促开放 以开放谋发展》"));
    let out = policyqa_in(d, &["docs", "--json"]);
    assert_eq!(serde_json::from_slice::<Vec<serde_json::Value>>(&out.stdout).unwrap().len(), 3);
}

/// The passages the index at `data` holds, as `policyqa docs` reports them; panics when the
/// index does not open.
fn passages_held(data: &Path) -> u64 {
    let out = policyqa_in(data, &["docs"]);
    let err = stderr(&out);
    assert!(out.status.success(), "the index opens after the kill: {err}");
    let held = err.split("the index holds ").nth(1).and_then(|rest| rest.split(' ').next()).and_then(|n| n.parse().ok());
    held.unwrap_or_else(|| panic!("docs prints the passages the index holds: {err}"))
}

/// When a kill counts as landing mid-ingest.
#[derive(Clone, Copy)]
enum Landing {
    /// While passages are being written: some of this many durable, not all.
    Writing { total: u64 },
    /// Anywhere before the ingest finished (its file record not written).
    BeforeTheEnd,
}

/// Starts `policyqa ingest PATH` on a fresh data folder and kills it (SIGKILL) where
/// `landing` says. Where that falls in a run depends on the machine and on how warm its
/// caches are, so the moment is searched for, not assumed: an attempt that came too late
/// (the ingest had finished, or written every passage) is repeated earlier, one too early
/// (nothing written yet) later, halving the interval between the two. Returns the data
/// folder and the passages it held after the kill.
fn kill_mid_ingest(path: &str, landing: Landing, first_delay: std::time::Duration) -> (tempfile::TempDir, u64) {
    let (mut early, mut late) = (std::time::Duration::ZERO, None::<std::time::Duration>);
    let mut delay = first_delay;
    for _ in 0..8 {
        let data = tempfile::tempdir().unwrap();
        let mut child = support::policyqa(data.path()).args(["ingest", path]).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).spawn().unwrap();
        std::thread::sleep(delay);
        let finished = match child.try_wait().unwrap() {
            Some(status) => {
                assert!(status.success(), "the ingest of {path} failed on its own: {status}");
                true
            }
            None => {
                child.kill().unwrap(); // SIGKILL
                // It may have ended between the look and the kill.
                child.wait().unwrap().success()
            }
        };
        let held = if finished { None } else { Some(passages_held(data.path())) };
        match (held, landing) {
            (None, _) => late = Some(delay),
            (Some(n), Landing::BeforeTheEnd) => return (data, n),
            (Some(0), Landing::Writing { .. }) => early = delay,
            (Some(n), Landing::Writing { total }) if n < total => return (data, n),
            (Some(_), Landing::Writing { .. }) => late = Some(delay),
        }
        delay = match late {
            Some(late) => (early + late) / 2,
            None => delay * 2,
        };
    }
    panic!("no kill of `policyqa ingest {path}` landed mid-ingest (first try at {first_delay:?}, too early at {early:?}, too late at {late:?})");
}

/// `kill -9` in the middle of an ingest: the index opens and answers, and the next ingest
/// completes it with exactly the passages of a clean ingest (no orphan, no duplicate).
#[test]
fn a_killed_ingest_is_completed_by_the_next() {
    let (data, held) = kill_mid_ingest("eval/corpus/laws", Landing::Writing { total: 26188 }, std::time::Duration::from_millis(3500));
    let d = data.path();
    assert!(held < 26188, "{held}");
    let out = policyqa_in(d, &["search", "试用期最长多久"]);
    assert!(out.status.success(), "{}", stderr(&out));

    let out = policyqa_in(d, &["ingest", "eval/corpus/laws", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = policyqa_in(d, &["docs"]);
    let err = stderr(&out);
    assert!(err.contains("378 document(s), 26188 passage(s); the index holds 26188 passage(s)"), "{err}");
    let out = policyqa_in(d, &["search", "试用期最长多久", "--json"]);
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(r["passages"].as_array().unwrap().iter().any(|p| p["text"].as_str().unwrap().contains("试用期最长不得超过六个月")));
}

/// `kill -9` while a PDF is being indexed: as for text, the index opens, and the next ingest
/// completes it with exactly a clean ingest's passages. Its 1,433 passages go to the store in
/// one batch (a few milliseconds of a run of most of a second: measured, 0 passages held at
/// 806 ms, the ingest finished at 813 ms), so the kill lands anywhere before the file's
/// record, most often in the reading; the first comes at three fifths of a clean run's time.
#[test]
fn a_killed_pdf_ingest_is_completed_by_the_next() {
    let pdf = "eval/corpus/formats/bench/laws_100p.pdf";
    let clean = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let out = policyqa_in(clean.path(), &["ingest", pdf]);
    let took = started.elapsed();
    assert!(out.status.success(), "{}", stderr(&out));
    let out = policyqa_in(clean.path(), &["docs"]);
    let want = stderr(&out).lines().find(|l| l.contains("passage(s); the index holds")).map(str::to_string).expect("docs prints its totals");
    assert!(want.contains("1433 passage(s); the index holds 1433 passage(s)"), "{want}");

    let (data, _) = kill_mid_ingest(pdf, Landing::BeforeTheEnd, took * 3 / 5);
    let d = data.path();
    let out = policyqa_in(d, &["ingest", pdf]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = policyqa_in(d, &["docs"]);
    assert!(stderr(&out).contains(&want), "{}", stderr(&out));
    let out = policyqa_in(d, &["search", "试用期最长多久", "--json"]);
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let found = r["passages"].as_array().unwrap();
    assert!(!found.is_empty() && found.iter().all(|p| p["page"].as_u64().is_some()), "{r}");
}

#[test]
fn an_unreachable_qdrant_server_is_named_quickly() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");
    let started = std::time::Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_policyqa"))
        .args(["search", "试用期"])
        .current_dir(repo())
        .env("QDRANT_URL", &url)
        .output()
        .unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains(&url) && err.contains("cannot connect"), "{err}");
}

/// Without keys the server stays on loopback unless told `--insecure`; with keys it listens
/// where asked; a malformed key list is named by position; no key reaches the log.
#[test]
fn serve_binds_open_only_to_loopback_and_never_logs_a_key() {
    use std::io::{BufRead, BufReader};
    let data = tempfile::tempdir().unwrap();
    let serve = |extra: &[&str], keys: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_policyqa"));
        cmd.args(["serve"]).args(extra).current_dir(repo()).env("POLICYQA_DATA_DIR", data.path()).env("POLICYQA_LOG", "debug").env("NO_COLOR", "1").env_remove("QDRANT_URL").env_remove("POLICYQA_API_KEYS");
        if let Some(k) = keys {
            cmd.env("POLICYQA_API_KEYS", k);
        }
        cmd
    };
    let out = serve(&["--addr", "0.0.0.0:0"], None).output().unwrap();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("no API keys configured") && err.contains("--insecure"), "{err}");
    let out = serve(&["--addr", "127.0.0.1:0"], Some("ask:short")).output().unwrap();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("entry 1") && !err.contains("short\n") && !err.contains("ask:short"), "{err}");

    let key = "widget-key-9f8e7d6c5b4a";
    let mut child = serve(&["--addr", "0.0.0.0:0"], Some(&format!("ask:{key},admin:admin-key-1a2b3c4d5e6f"))).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let port = line.trim().rsplit(':').next().unwrap().to_string();
    assert!(line.starts_with("policyqa listening on http://0.0.0.0:"), "{line}");
    let ask = |auth: Option<&str>| {
        let mut c = Command::new("curl");
        c.args(["-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-H", "content-type: application/json", "-d", r#"{"query":"技能"}"#]);
        if let Some(a) = auth {
            c.args(["-H", &format!("authorization: Bearer {a}")]);
        }
        String::from_utf8(c.arg(format!("http://127.0.0.1:{port}/v1/search")).output().unwrap().stdout).unwrap()
    };
    assert_eq!(ask(Some(key)), "200");
    assert_eq!(ask(Some("wrong-key-0000000000000")), "401");
    assert_eq!(ask(None), "401");
    child.kill().unwrap();
    let mut log = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut log).unwrap();
    child.wait().unwrap();
    assert!(log.contains("/v1/search"), "the debug log saw the requests: {log}");
    assert!(!log.contains(key) && !log.contains("wrong-key") && !log.contains("admin-key"), "a key in the log: {log}");
}

/// A malformed value in the environment stops the program at start, naming the variable
/// and what it expects, whatever the command; it never falls back to the default silently.
#[test]
fn malformed_environment_values_are_named() {
    let data = tempfile::tempdir().unwrap();
    for (var, value, expected) in [
        ("POLICYQA_MIN_EVIDENCE", "abc", "a number between 0 and 1"),
        ("POLICYQA_RATE_LIMIT", "many", "a whole number"),
        ("POLICYQA_CHAT_TIMEOUT", "soon", "a duration in seconds"),
        ("QDRANT_URL", "qdrant:6334", "an http:// or https:// URL"),
        ("POLICYQA_API_KEYS", "reader:0123456789abcdef", "entry 1"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_policyqa")).args(["search", "技能"]).current_dir(repo()).env("POLICYQA_DATA_DIR", data.path()).env(var, value).output().unwrap();
        assert!(!out.status.success(), "{var}={value} was accepted");
        let err = stderr(&out);
        assert!(err.contains(var) && err.contains(expected), "{var}={value}: {err}");
    }
    // The server's own settings, read through its flags.
    for (var, value) in [("POLICYQA_ADDR", "nonsense"), ("POLICYQA_MAX_BODY_BYTES", "8MB")] {
        let out = Command::new(env!("CARGO_BIN_EXE_policyqa")).args(["serve"]).current_dir(repo()).env("POLICYQA_DATA_DIR", data.path()).env(var, value).output().unwrap();
        assert!(!out.status.success(), "{var}={value} was accepted");
        let err = stderr(&out);
        assert!(err.contains(var) && err.contains("expected"), "{var}={value}: {err}");
    }
}

/// Tuning runs' own arguments: a knob that does not exist, one without a value and a half
/// that is neither are refused with what is expected, before anything is indexed.
#[test]
fn malformed_tuning_arguments_are_named() {
    let data = tempfile::tempdir().unwrap();
    for (args, expected) in [
        (vec!["--knob", "nope=1"], "nope: expected expansion_weight, scope_boost, focus_weight, character_weight or bigram_weight"),
        (vec!["--knob", "scope_boost"], "--knob scope_boost: expected NAME=VALUE"),
        (vec!["--knob", "scope_boost=much"], "scope_boost=much: expected a number"),
        (vec!["--half", "middle"], "expected tune or test"),
        (vec!["--without", "magic"], "--without magic: expected lexicon, cleanup, scope or characters"),
    ] {
        let out = support::policyqa(data.path()).args(["eval", "--dataset", "eval/datasets/seed_dev.jsonl", "--retrieval-only"]).args(&args).output().unwrap();
        assert!(!out.status.success(), "{args:?} was accepted");
        let err = stderr(&out);
        assert!(err.contains(expected), "{args:?}: {err}");
    }
    // Two files joined with + are one set; a missing one is named.
    let out = support::policyqa(data.path()).args(["eval", "--retrieval-only", "--dataset", "eval/datasets/seed_dev.jsonl+eval/datasets/no_such.jsonl"]).output().unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("no_such.jsonl: cannot read"), "{}", stderr(&out));
}

/// `policyqa verify`: a draft's citations of the seed page's 意见, read from standard input,
/// each resolved or reported; the exit status says whether any was not found or not borne out.
#[test]
fn verify_reports_each_citation_of_a_draft() {
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    assert!(policyqa_in(d, &["ingest", "corpus"]).status.success());
    let draft = "《中共中央国务院关于深化产业工人队伍建设改革的意见》（十）要求落实企业培养产业工人的责任。《中共中央国务院关于深化产业工人队伍建设改革的意见》（三十）另有规定。";
    let mut child = support::policyqa(d)
        .args(["verify", "-", "--json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), draft.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "a citation not found fails: {}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = v["citations"].as_array().unwrap();
    assert_eq!(c.len(), 2, "{v}");
    assert_eq!((c[0]["outcome"].as_str(), c[0]["clause"]["label"].as_str()), (Some("found"), Some("《中共中央国务院关于深化产业工人队伍建设改革的意见》（十）")), "{v}");
    assert_eq!(c[0]["support"]["supported"], true, "{v}");
    assert_eq!(c[1]["outcome"], "no_such_article", "{v}");
    assert!(c[1]["range"].as_str().unwrap().contains("（二十七）"), "{v}");
    // A draft saved as GBK reads as the chunker reads files; an empty one is named.
    let gbk = d.join("draft-gbk.txt");
    std::fs::write(&gbk, encoding_rs::GBK.encode(draft).0).unwrap();
    let out = policyqa_in(d, &["verify", gbk.to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", stderr(&out)));
    assert_eq!(v["citations"].as_array().unwrap().len(), 2, "{v}");
    assert_eq!(v["citations"][0]["outcome"], "found", "{v}");
    let empty = d.join("empty.txt");
    std::fs::write(&empty, b"").unwrap();
    let out = policyqa_in(d, &["verify", empty.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("empty.txt: the file is empty"), "{}", stderr(&out));
    // A malformed date is named.
    let out = policyqa_in(d, &["verify", "-", "--as-of", "2024-02-30"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--as-of"), "{}", stderr(&out));
}

/// `search` and `ask` take the document filters and the date as flags; a malformed value is
/// named by its flag.
#[test]
fn search_and_ask_take_filters_by_flag() {
    let data = tempfile::tempdir().unwrap();
    let d = data.path();
    let out = policyqa_in(d, &["ingest", "corpus"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = policyqa_in(d, &["search", "职工教育经费", "--type", "意见", "--as-of", "2026-01-01", "--top-k", "10", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let labels: Vec<&str> = r["passages"].as_array().unwrap().iter().map(|p| p["label"].as_str().unwrap()).collect();
    assert!(!labels.is_empty() && labels.iter().all(|l| l.starts_with("《中共中央国务院关于深化产业工人队伍建设改革的意见》")), "{labels:?}");
    let out = policyqa_in(d, &["search", "职工教育经费", "--issuer", "外交部"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("warning: no indexed document meets the filters"), "{}", stderr(&out));
    let out = policyqa_in(d, &["search", "职工教育经费", "--as-of", "2024-13-01"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--as-of: \"2024-13-01\" is not a date (YYYY-MM-DD)"), "{}", stderr(&out));
    let out = policyqa_in(d, &["ask", "职工教育经费怎么用", "--status", "abolished"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--status: \"abolished\": expected in_force"), "{}", stderr(&out));
    let out = policyqa_in(d, &["ask", "职工教育经费怎么用", "--type", "意见", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let a: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!a["citations"].as_array().unwrap().is_empty(), "{a}");
}
