//! `policyqa eval` against a running server (`--url`) and with `--baseline`, and a short
//! `policyqa bench` run (loopback, bounded): what the reports and bench.json hold.

use std::path::Path;
use std::process::Output;

mod support;
use support::Served;

fn policyqa(data: &Path, args: &[&str]) -> Output {
    support::policyqa(data).args(args).output().expect("runs")
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).unwrap()
}

#[test]
fn eval_against_a_server_matches_in_process_and_a_baseline_lists_the_changes() {
    let data = tempfile::tempdir().unwrap();
    let server = Served::start(data.path());
    let url = server.url.clone();

    let reports = tempfile::tempdir().unwrap();
    let (over_http, in_process) = (reports.path().join("http"), reports.path().join("local"));
    let out = policyqa(data.path(), &["eval", "--dataset", "eval/datasets/seed_dev.jsonl", "--url", &url, "--report", over_http.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let scratch = tempfile::tempdir().unwrap();
    let out = policyqa(scratch.path(), &["eval", "--dataset", "eval/datasets/seed_dev.jsonl", "--corpus", "corpus", "--report", in_process.to_str().unwrap(), "--baseline", over_http.join("report.json").to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));

    let http = json(&over_http.join("report.json"));
    let local = json(&in_process.join("report.json"));
    assert_eq!(http["target"], url.as_str());
    assert_eq!(local["target"], "in-process");
    // The same pipeline either way: the same ranks and the same answers.
    for (field, within) in [("retrieval", "overall"), ("answers", "overall")] {
        for metric in ["recall_at_5", "mrr_at_10", "citation_precision", "fact_recall", "refusal_accuracy"] {
            let (a, b) = (&http["datasets"][0][field][within][metric], &local["datasets"][0][field][within][metric]);
            assert_eq!(a, b, "{field}.{metric}");
        }
    }
    let q = &local["datasets"][0]["answers"]["questions"][0];
    assert!(q["answer"].as_str().is_some_and(|a| !a.is_empty()) && q["millis"].as_f64().is_some(), "{q}");
    assert!(local["datasets"][0]["retrieval"]["questions"][0]["retrieved"][0]["text"].as_str().is_some_and(|t| !t.is_empty()));
    // The baseline: every metric compared, no question moved.
    let c = &local["baseline"]["datasets"][0];
    assert_eq!(c["metrics"].as_array().map(Vec::len), Some(9), "{c}");
    assert_eq!(c["worse"].as_array().map(Vec::len), Some(0), "{c}");
    assert!(text.contains("change since") && text.contains("citation precision"), "{text}");
    for f in ["report.md", "report.html"] {
        assert!(in_process.join(f).metadata().is_ok_and(|m| m.len() > 1000), "{f}");
    }
    assert!(std::fs::read_to_string(in_process.join("report.md")).unwrap().contains("Change since"));

    // A report of another format is refused before the run, by name.
    let bad = reports.path().join("bad.json");
    std::fs::write(&bad, r#"{"version": 1}"#).unwrap();
    let out = policyqa(scratch.path(), &["eval", "--dataset", "eval/datasets/seed_dev.jsonl", "--corpus", "corpus", "--baseline", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a policyqa eval report"), "{}", String::from_utf8_lossy(&out.stderr));
    // --judge needs a chat model, and says which setting.
    let out = policyqa(scratch.path(), &["eval", "--dataset", "eval/datasets/seed_dev.jsonl", "--corpus", "corpus", "--judge"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--judge needs a chat model: set POLICYQA_CHAT_MODEL"), "{}", String::from_utf8_lossy(&out.stderr));
    // A URL that is not http(s) is refused as such.
    let out = policyqa(scratch.path(), &["eval", "--dataset", "eval/datasets/seed_dev.jsonl", "--url", "127.0.0.1:8080"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--url 127.0.0.1:8080: expected http://host:port"), "{}", String::from_utf8_lossy(&out.stderr));
    // A server that is not there is named.
    let out = policyqa(scratch.path(), &["eval", "--dataset", "eval/datasets/seed_dev.jsonl", "--url", "http://127.0.0.1:9"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot reach http://127.0.0.1:9"), "{}", String::from_utf8_lossy(&out.stderr));
}

/// The bench end to end on the seed page, small: ingest, in-process search, the server under
/// oha at two concurrencies, the peer, and bench.json. (scripts/test installs oha.)
#[test]
fn a_short_bench_writes_every_figure() {
    let scratch = tempfile::tempdir().unwrap();
    let out_path = scratch.path().join("bench.json");
    let out = policyqa(
        scratch.path(),
        &["bench", "--corpus", "seed=corpus:eval/datasets/seed_dev.jsonl", "--concurrency", "1,4", "--requests", "100", "--rounds", "1", "--out", out_path.to_str().unwrap()],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("ours/peer"), "{text}");
    let b = json(&out_path);
    let c = &b["corpora"][0];
    assert_eq!(c["ingest"]["passages"], 34);
    assert!(c["ingest"]["index_bytes"].as_u64().is_some_and(|n| n > 0));
    assert!(c["server"]["peak_rss_mb"].as_f64().is_some_and(|m| m > 1.0 && m < 300.0), "{}", c["server"]);
    let http = c["http"].as_array().unwrap();
    assert_eq!(http.len(), 4, "two endpoints at two concurrencies");
    for h in http {
        assert_eq!(h["requests"], 100, "{h}");
        assert_eq!(h["success_rate"], 1.0, "{h}");
        assert!(h["p99_ms"].as_f64().is_some_and(|p| p > 0.0), "{h}");
    }
    assert!(c["peer"]["recall_at_5"].as_f64().is_some_and(|r| r > 0.0));
    assert!(c["ratios"]["recall_at_5"].as_f64().is_some_and(|r| r >= 1.0), "ours at least the peer's: {}", c["ratios"]);
    assert!(b["machine"]["cpus"].as_u64().is_some_and(|n| n >= 1));

    // A corpus given in the wrong shape, and a load generator that is not installed, are named.
    let out = policyqa(scratch.path(), &["bench", "--corpus", "corpus", "--out", out_path.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--corpus corpus: expected NAME=DIR:QUESTIONS"), "{}", String::from_utf8_lossy(&out.stderr));
    let out = policyqa(scratch.path(), &["bench", "--oha", "no-such-oha", "--out", out_path.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("the load generator `no-such-oha` is not installed: `cargo install oha --locked`"), "{}", String::from_utf8_lossy(&out.stderr));
}
