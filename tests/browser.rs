//! The chat widget in headless Chromium: starts `policyqa serve` on a free port over a fresh
//! data folder (it ingests the bundled corpus), then runs tests/browser/widget.mjs
//! (playwright-core driving Debian's /usr/bin/chromium): the demo page, a page with hostile
//! CSS, a 360 px viewport. Screenshots go to test-artifacts/browser/ (or
//! $POLICYQA_TEST_ARTIFACTS). The test command installs Chromium and the npm package.

use std::path::PathBuf;
use std::process::Command;

mod support;
use support::{policyqa, repo, Served};

#[test]
fn the_widget_answers_in_chromium() {
    let data = tempfile::tempdir().unwrap();
    let server = Served::start(data.path());
    let url = server.url.clone();
    let artifacts = std::env::var_os("POLICYQA_TEST_ARTIFACTS").map_or_else(|| repo().join("test-artifacts/browser"), PathBuf::from);
    let out = Command::new("node")
        .arg(repo().join("tests/browser/widget.mjs"))
        .arg(&url)
        .arg(&artifacts)
        .current_dir(repo().join("tests/browser"))
        .output()
        .expect("node runs");
    drop(server);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("browser tests: all passed"), "{stdout}");
    for shot in ["demo.png", "hostile-css.png", "mobile-360.png"] {
        assert!(artifacts.join(shot).metadata().is_ok_and(|m| m.len() > 10_000), "{shot} missing");
    }
}

/// `policyqa eval --report DIR` over the bundled corpus, then tests/browser/report.mjs: the
/// report page in Chromium makes no request but for itself, draws every chart, has its misses
/// table. A full-page screenshot goes to report.png in the artifacts folder.
#[test]
fn the_eval_report_renders_in_chromium() {
    let data = tempfile::tempdir().unwrap();
    let reports = tempfile::tempdir().unwrap();
    let out = policyqa(data.path())
        .args(["eval", "--dataset", "eval/datasets/seed_dev.jsonl", "--corpus", "corpus", "--report"])
        .arg(reports.path())
        .output()
        .expect("policyqa eval runs");
    assert!(out.status.success(), "policyqa eval failed\n{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    for file in ["report.json", "report.md", "report.html"] {
        assert!(reports.path().join(file).metadata().is_ok_and(|m| m.len() > 0), "{file} was not written");
    }
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(reports.path().join("report.json")).unwrap()).expect("report.json parses");
    let recall5 = json["datasets"][0]["retrieval"]["overall"]["recall_at_5"].as_f64().expect("datasets[0].retrieval.overall.recall_at_5 is a number");
    assert!(recall5 > 0.9, "Recall@5 on seed_dev is {recall5}");
    let html = std::fs::read_to_string(reports.path().join("report.html")).unwrap();
    let answered = !json["datasets"][0]["answers"].is_null();
    assert_eq!(html.contains("data-chart=\"answers\""), answered, "the answers chart is there exactly when answers were evaluated");

    let artifacts = std::env::var_os("POLICYQA_TEST_ARTIFACTS").map_or_else(|| repo().join("test-artifacts/browser"), PathBuf::from);
    std::fs::create_dir_all(&artifacts).unwrap();
    let shot = artifacts.join("report.png");
    let _ = std::fs::remove_file(&shot);
    let out = Command::new("node")
        .arg(repo().join("tests/browser/report.mjs"))
        .arg(reports.path().join("report.html"))
        .arg(&shot)
        .current_dir(repo().join("tests/browser"))
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("report page: all passed"), "{stdout}");
    assert!(shot.metadata().is_ok_and(|m| m.len() > 10_000), "{} missing", shot.display());
}
