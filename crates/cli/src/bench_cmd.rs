//! `bench`: one run, per corpus (the laws and the seed page), of what the service costs and
//! how it compares with the peer. Every measured program runs as its own process so that its
//! time and peak memory are its own: `policyqa ingest`, `policyqa serve`, the `oha` load
//! generator (on loopback, bounded in requests and time) and the peer (`eval/bm25_peer.py`).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use policyqa_eval::{peer, percentile, EvalTarget, InProcess};
use policyqa_pipeline::{Backends, Pipeline, StoreLocation};
use serde::Serialize;

use crate::settings::Settings;

#[derive(clap::Args)]
pub struct BenchArgs {
    /// Corpora to run, as NAME=CORPUS_DIR:QUESTIONS.jsonl.
    #[arg(long = "corpus", default_values_t = ["laws=eval/corpus/laws:eval/datasets/laws_dev.jsonl".to_string(), "seed=corpus:eval/datasets/seed_dev.jsonl".to_string()])]
    corpora: Vec<String>,
    /// Concurrency levels of the HTTP load.
    #[arg(long, value_delimiter = ',', default_values_t = [1usize, 8, 32])]
    concurrency: Vec<usize>,
    /// Requests per HTTP load run (each run also stops after --load-seconds).
    #[arg(long, default_value_t = 2000)]
    requests: usize,
    /// Longest an HTTP load run may take (it is stopped, and the bench fails, past this).
    #[arg(long, default_value_t = 60)]
    load_seconds: u64,
    /// Rounds of the dev questions for the in-process search latency.
    #[arg(long, default_value_t = 5)]
    rounds: usize,
    /// Skip the peer.
    #[arg(long)]
    no_peer: bool,
    /// The load generator.
    #[arg(long, env = "POLICYQA_OHA", default_value = "oha")]
    oha: PathBuf,
    /// Where to write the figures.
    #[arg(long, default_value = "bench.json")]
    out: PathBuf,
    /// The documents whose reading is timed per format (their html/, docx/, pdf/ and
    /// pdf_browser/ folders), and whose `bench/` PDF is indexed whole; skipped when missing.
    #[arg(long, default_value = "eval/corpus/formats")]
    formats: PathBuf,
}

#[derive(Serialize)]
struct Bench {
    generated_at: String,
    machine: Machine,
    corpora: Vec<CorpusBench>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    extraction: Vec<ExtractionFigures>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pdf_ingest: Option<PdfIngest>,
}

/// Reading one folder of documents of one format, in process, repeated for at least a
/// second.
#[derive(Serialize)]
struct ExtractionFigures {
    format: String,
    files: usize,
    bytes: u64,
    pages: usize,
    seconds_per_round: f64,
    mb_per_s: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pages_per_s: Option<f64>,
}

/// `policyqa ingest` of one long PDF into an empty index, as a child process.
#[derive(Serialize)]
struct PdfIngest {
    file: String,
    pages: usize,
    seconds: f64,
    peak_rss_mb: f64,
}

#[derive(Serialize)]
struct Machine {
    cpu: String,
    cpus: usize,
    memory_gib: f64,
    os: String,
}

#[derive(Serialize)]
struct CorpusBench {
    name: String,
    corpus: String,
    questions: String,
    ingest: IngestFigures,
    search_in_process: SearchFigures,
    server: ServerFigures,
    http: Vec<LoadFigures>,
    #[serde(skip_serializing_if = "Option::is_none")]
    peer: Option<PeerBench>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ratios: Option<Ratios>,
}

#[derive(Serialize)]
struct IngestFigures {
    seconds: f64,
    documents: usize,
    passages: usize,
    passages_per_s: f64,
    index_bytes: u64,
    peak_rss_mb: f64,
}

#[derive(Serialize)]
struct SearchFigures {
    queries: usize,
    median_ms: f64,
    p99_ms: f64,
    recall_at_1: f64,
    recall_at_5: f64,
}

#[derive(Serialize)]
struct ServerFigures {
    rss_after_start_mb: f64,
    peak_rss_mb: f64,
}

#[derive(Serialize)]
struct LoadFigures {
    endpoint: String,
    concurrency: usize,
    requests: u64,
    success_rate: f64,
    requests_per_s: f64,
    p50_ms: f64,
    p99_ms: f64,
}

#[derive(Serialize)]
struct PeerBench {
    index_build_s: f64,
    median_ms: f64,
    p99_ms: f64,
    recall_at_1: f64,
    recall_at_5: f64,
    peak_rss_mb: f64,
}

/// Ours over the peer's: above 1 is better for recall, and "times faster" for latency.
#[derive(Serialize)]
struct Ratios {
    recall_at_5: f64,
    recall_at_1: f64,
    /// Peer's per-query time over our in-process search median.
    search_in_process_speedup: f64,
    /// Peer's per-query time over our `/v1/search` median at concurrency 1 (a round trip).
    http_search_speedup: f64,
    /// Peer's peak RSS over our server's.
    memory: f64,
}

pub async fn bench(settings: &Settings, args: BenchArgs) -> anyhow::Result<ExitCode> {
    let exe = std::env::current_exe().context("cannot find the policyqa binary")?;
    if !args.oha.is_absolute() && which(&args.oha).is_none() {
        bail!("the load generator `{}` is not installed: `cargo install oha --locked` (scripts/bench does it)", args.oha.display());
    }
    let mut corpora = Vec::new();
    for spec in &args.corpora {
        let (name, rest) = spec.split_once('=').with_context(|| format!("--corpus {spec}: expected NAME=DIR:QUESTIONS"))?;
        let (dir, questions) = rest.rsplit_once(':').with_context(|| format!("--corpus {spec}: expected NAME=DIR:QUESTIONS"))?;
        eprintln!("== {name}: {dir}, questions {questions}");
        corpora.push(bench_corpus(settings, &exe, name, Path::new(dir), Path::new(questions), &args).await?);
    }
    let extraction = bench_extraction(&args.formats)?;
    let pdf_ingest = bench_pdf_ingest(&exe, &args.formats)?;
    let bench = Bench { generated_at: jiff::Timestamp::now().round(jiff::Unit::Second).map(|t| t.to_string()).unwrap_or_default(), machine: machine(), corpora, extraction, pdf_ingest };
    print_table(&bench);
    std::fs::write(&args.out, serde_json::to_string_pretty(&bench)?).with_context(|| format!("cannot write {}", args.out.display()))?;
    println!("figures: {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}

async fn bench_corpus(settings: &Settings, exe: &Path, name: &str, corpus: &Path, questions_path: &Path, args: &BenchArgs) -> anyhow::Result<CorpusBench> {
    let data = tempfile::tempdir()?;
    let questions = policyqa_eval::load(questions_path)?;

    // 1. Ingest, in its own process.
    let mut cmd = policyqa(exe, data.path());
    cmd.args(["ingest", "--json"]).arg(corpus);
    let run = measure(cmd, None)?;
    if !run.success {
        bail!("policyqa ingest {} failed: {}", corpus.display(), run.stderr.trim());
    }
    let summary: serde_json::Value = serde_json::from_str(run.stdout.lines().last().unwrap_or("{}")).context("policyqa ingest --json printed no summary")?;
    let passages = summary["passages"].as_u64().unwrap_or(0) as usize;
    let ingest = IngestFigures {
        seconds: run.seconds,
        documents: summary["documents"].as_u64().unwrap_or(0) as usize,
        passages,
        passages_per_s: passages as f64 / run.seconds.max(1e-9),
        index_bytes: dir_size(&data.path().join("index")),
        peak_rss_mb: run.peak_rss_mb,
    };
    eprintln!("   ingest {:.2} s, {} passages, {:.1} MB on disk, peak RSS {:.0} MB", ingest.seconds, ingest.passages, ingest.index_bytes as f64 / 1e6, ingest.peak_rss_mb);

    // 2. In-process search over the dev questions; the index closed again before the server
    // opens it.
    let search_in_process = {
        // Hermetic like the processes: the embedded index, no endpoint.
        let store = StoreLocation::Embedded(data.path().to_path_buf()).open().await?;
        let backends = Backends { prompts: settings.prompts()?, ..Backends::default() };
        let pipeline = Pipeline::open(store, backends, settings.pipeline_config()).await?;
        let target = InProcess::new(&pipeline);
        let report = policyqa_eval::evaluate(&target, name, &questions, 10).await?;
        let mut lat = Vec::new();
        for _ in 0..args.rounds.max(1) {
            for q in &questions {
                lat.push(target.search(&q.question, 10, &q.filters).await?.millis);
            }
        }
        lat.sort_by(|a, b| a.total_cmp(b));
        SearchFigures { queries: lat.len(), median_ms: percentile(&lat, 0.5), p99_ms: percentile(&lat, 0.99), recall_at_1: report.overall.recall_at_1, recall_at_5: report.overall.recall_at_5 }
    };
    eprintln!("   search in process: median {:.2} ms, p99 {:.2} ms over {} queries", search_in_process.median_ms, search_in_process.p99_ms, search_in_process.queries);

    // 3. The server under load.
    let server = Server::start(exe, data.path())?;
    let rss_after_start_mb = server.rss_mb("VmRSS");
    let question = questions.iter().find(|q| !q.gold.is_empty()).map(|q| q.question.clone()).unwrap_or_else(|| "职业技能等级".into());
    let mut http = Vec::new();
    for (endpoint, body) in [("/v1/search", serde_json::json!({ "query": question })), ("/v1/ask", serde_json::json!({ "question": question }))] {
        for &c in &args.concurrency {
            let f = load(&args.oha, &format!("{}{endpoint}", server.url), &body.to_string(), c, args.requests, args.load_seconds)?;
            eprintln!("   {endpoint} c={c}: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, success {:.3}", f.requests_per_s, f.p50_ms, f.p99_ms, f.success_rate);
            http.push(LoadFigures { endpoint: endpoint.into(), concurrency: c, ..f });
        }
    }
    let server_figures = ServerFigures { rss_after_start_mb, peak_rss_mb: server.rss_mb("VmHWM") };
    server.stop();

    // 4. The peer on the same corpus and questions.
    let peer = if args.no_peer {
        None
    } else {
        let copy = peer::utf8_copy(corpus)?;
        let run = measure(peer::command(copy.path(), questions_path), None)?;
        if !run.success {
            bail!("the peer failed: {}", run.stderr.lines().last().unwrap_or(""));
        }
        let f = peer::parse(&run.stdout);
        let build = peer::build_seconds(&run.stdout);
        eprintln!("   peer: build {build:.1} s, median {:.2} ms, Recall@5 {:.3}, peak RSS {:.0} MB", f.latency_median_ms, f.recall_at_5, run.peak_rss_mb);
        Some(PeerBench { index_build_s: build, median_ms: f.latency_median_ms, p99_ms: f.latency_p99_ms, recall_at_1: f.recall_at_1, recall_at_5: f.recall_at_5, peak_rss_mb: run.peak_rss_mb })
    };
    let ratios = peer.as_ref().map(|p| {
        let http_search = http.iter().find(|h| h.endpoint == "/v1/search" && h.concurrency == 1).map_or(f64::NAN, |h| h.p50_ms);
        Ratios {
            recall_at_5: search_in_process.recall_at_5 / p.recall_at_5.max(1e-9),
            recall_at_1: search_in_process.recall_at_1 / p.recall_at_1.max(1e-9),
            search_in_process_speedup: p.median_ms / search_in_process.median_ms.max(1e-9),
            http_search_speedup: p.median_ms / http_search.max(1e-9),
            memory: p.peak_rss_mb / server_figures.peak_rss_mb.max(1e-9),
        }
    });
    Ok(CorpusBench {
        name: name.into(),
        corpus: corpus.display().to_string(),
        questions: questions_path.display().to_string(),
        ingest,
        search_in_process,
        server: server_figures,
        http,
        peer,
        ratios,
    })
}

/// `policyqa` on a data folder, with nothing from the environment that would change what is
/// measured (a Qdrant server, an embeddings or chat endpoint).
fn policyqa(exe: &Path, data: &Path) -> Command {
    let mut cmd = Command::new(exe);
    cmd.env("POLICYQA_DATA_DIR", data);
    for v in ["QDRANT_URL", "POLICYQA_EMBED_MODEL", "POLICYQA_CHAT_MODEL", "OPENAI_BASE_URL", "POLICYQA_API_KEYS", "POLICYQA_RATE_LIMIT"] {
        cmd.env_remove(v);
    }
    cmd
}

struct Measured {
    success: bool,
    stdout: String,
    stderr: String,
    seconds: f64,
    peak_rss_mb: f64,
}

/// Runs a program to its end, sampling its peak resident memory (VmHWM, which only rises)
/// every 10 ms while it runs.
fn measure(mut cmd: Command, deadline: Option<Duration>) -> anyhow::Result<Measured> {
    let started = Instant::now();
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().with_context(|| format!("cannot start {:?}", cmd.get_program()))?;
    let (mut out, mut err) = (child.stdout.take().expect("piped"), child.stderr.take().expect("piped"));
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut out, &mut s).ok();
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut err, &mut s).ok();
        s
    });
    let mut peak = 0.0f64;
    let status = loop {
        if let Some(kb) = proc_status_kb(child.id(), "VmHWM") {
            peak = peak.max(kb / 1024.0);
        }
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if deadline.is_some_and(|d| started.elapsed() > d) {
            let _ = child.kill();
            let _ = child.wait();
            bail!("{:?} ran longer than {:?} and was stopped", cmd.get_program(), deadline.unwrap_or_default());
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Ok(Measured {
        success: status.success(),
        stdout: out_reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
        seconds: started.elapsed().as_secs_f64(),
        peak_rss_mb: peak,
    })
}

/// Per format: the folder's files read again and again (extraction only, no chunking) for at
/// least a second; MB/s of input, and pages/s for PDFs.
fn bench_extraction(formats: &Path) -> anyhow::Result<Vec<ExtractionFigures>> {
    let mut out = Vec::new();
    for format in ["html", "docx", "pdf", "pdf_browser"] {
        let dir = formats.join(format);
        let Ok(files) = policyqa_index::ingest::collect_files(std::slice::from_ref(&dir)) else { continue };
        let docs: Vec<Vec<u8>> = files.iter().filter_map(|f| std::fs::read(f).ok()).collect();
        if docs.is_empty() {
            continue;
        }
        let bytes: u64 = docs.iter().map(|d| d.len() as u64).sum();
        let limits = policyqa_chunker::Limits::default();
        let pages: usize = docs.iter().filter_map(|d| policyqa_chunker::extract(d, &limits).ok()).map(|x| x.page_starts.len()).sum();
        let started = Instant::now();
        let mut rounds = 0u32;
        while rounds < 3 || started.elapsed() < Duration::from_secs(1) {
            for d in &docs {
                let _ = std::hint::black_box(policyqa_chunker::extract(d, &limits));
            }
            rounds += 1;
        }
        let per_round = started.elapsed().as_secs_f64() / rounds as f64;
        let figures = ExtractionFigures {
            format: format.to_string(),
            files: docs.len(),
            bytes,
            pages,
            seconds_per_round: per_round,
            mb_per_s: bytes as f64 / 1e6 / per_round,
            pages_per_s: (pages > 0).then(|| pages as f64 / per_round),
        };
        eprintln!("   extraction {format}: {} files, {:.2} MB/s{}", figures.files, figures.mb_per_s, figures.pages_per_s.map(|p| format!(", {p:.0} pages/s")).unwrap_or_default());
        out.push(figures);
    }
    Ok(out)
}

/// `policyqa ingest` of the long PDF under `formats/bench/` into an empty index.
fn bench_pdf_ingest(exe: &Path, formats: &Path) -> anyhow::Result<Option<PdfIngest>> {
    let Ok(files) = policyqa_index::ingest::collect_files(&[formats.join("bench")]) else { return Ok(None) };
    let Some(pdf) = files.into_iter().find(|f| f.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf"))) else { return Ok(None) };
    let bytes = std::fs::read(&pdf)?;
    let pages = policyqa_chunker::extract(&bytes, &policyqa_chunker::Limits::default()).map(|x| x.page_starts.len()).unwrap_or(0);
    let data = tempfile::tempdir()?;
    let mut cmd = policyqa(exe, data.path());
    cmd.arg("ingest").arg(&pdf);
    let m = measure(cmd, Some(Duration::from_secs(120)))?;
    if !m.success {
        bail!("ingest of {} failed: {}", pdf.display(), m.stderr.trim());
    }
    eprintln!("   ingest of {} ({pages} pages): {:.2} s, peak RSS {:.0} MB", pdf.display(), m.seconds, m.peak_rss_mb);
    Ok(Some(PdfIngest { file: pdf.display().to_string(), pages, seconds: m.seconds, peak_rss_mb: m.peak_rss_mb }))
}

/// A field of /proc/PID/status, in kB.
fn proc_status_kb(pid: u32, field: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

struct Server {
    child: Child,
    url: String,
}

impl Server {
    /// `policyqa serve` on a free loopback port; returns once it answers /healthz.
    fn start(exe: &Path, data: &Path) -> anyhow::Result<Self> {
        let mut cmd = policyqa(exe, data);
        cmd.args(["serve", "--addr", "127.0.0.1:0"]).env("RUST_LOG", "warn").stdout(Stdio::piped()).stderr(Stdio::null());
        let mut child = cmd.spawn().context("cannot start policyqa serve")?;
        let stdout = child.stdout.take().expect("piped");
        let mut lines = BufReader::new(stdout).lines();
        let url = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(url) = line.strip_prefix("policyqa listening on ") {
                        break url.trim().to_string();
                    }
                }
                _ => {
                    let _ = child.kill();
                    bail!("policyqa serve exited before listening");
                }
            }
        };
        // Keep reading stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        let server = Server { child, url };
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(server.url.trim_start_matches("http://")).is_ok() {
                return Ok(server);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        bail!("policyqa serve did not accept connections within 30 s")
    }

    fn rss_mb(&self, field: &str) -> f64 {
        proc_status_kb(self.child.id(), field).unwrap_or(0.0) / 1024.0
    }

    fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One oha run: `requests` POSTs of `body` at concurrency `c`; stopped (and the bench failed)
/// when it takes longer than `seconds`: oha takes a count or a duration, not both.
fn load(oha: &Path, url: &str, body: &str, c: usize, requests: usize, seconds: u64) -> anyhow::Result<LoadFigures> {
    let mut cmd = Command::new(oha);
    cmd.args(["--no-tui", "--output-format", "json", "-m", "POST", "-H", "content-type: application/json", "-t", "30s"])
        .args(["-c", &c.to_string(), "-n", &requests.to_string(), "-d", body, url]);
    let run = measure(cmd, Some(Duration::from_secs(seconds)))?;
    if !run.success {
        bail!("oha failed: {}", run.stderr.trim());
    }
    let v: serde_json::Value = serde_json::from_str(&run.stdout).context("oha printed no JSON")?;
    let f = |p: &str| v.pointer(p).and_then(|x| x.as_f64()).unwrap_or(f64::NAN);
    let ok: u64 = v["statusCodeDistribution"].as_object().map_or(0, |m| m.iter().filter(|(k, _)| k.starts_with('2')).map(|(_, n)| n.as_u64().unwrap_or(0)).sum());
    let all: u64 = v["statusCodeDistribution"].as_object().map_or(0, |m| m.values().map(|n| n.as_u64().unwrap_or(0)).sum::<u64>())
        + v["errorDistribution"].as_object().map_or(0, |m| m.values().map(|n| n.as_u64().unwrap_or(0)).sum::<u64>());
    Ok(LoadFigures {
        endpoint: String::new(),
        concurrency: c,
        requests: all,
        success_rate: if all == 0 { 0.0 } else { ok as f64 / all as f64 },
        requests_per_s: f("/summary/requestsPerSec"),
        p50_ms: f("/latencyPercentiles/p50") * 1000.0,
        p99_ms: f("/latencyPercentiles/p99") * 1000.0,
    })
}

/// Bytes the folder takes on disk (allocated blocks: the embedded index's files are sparse,
/// their lengths overstate it).
fn dir_size(dir: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.blocks() * 512,
            Err(_) => 0,
        })
        .sum()
}

fn which(program: &Path) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| std::env::split_paths(&paths).map(|p| p.join(program)).find(|p| p.is_file()))
}

fn machine() -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo.lines().find_map(|l| l.strip_prefix("model name")).map(|l| l.trim_start_matches([' ', '\t', ':']).to_string()).unwrap_or_default();
    let memory_gib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| m.lines().find(|l| l.starts_with("MemTotal")).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok()))
        .map_or(0.0, |kb| (kb / 1024.0 / 1024.0 * 10.0).round() / 10.0);
    let os = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|s| s.lines().find_map(|l| l.strip_prefix("PRETTY_NAME=").map(|v| v.trim_matches('"').to_string())))
        .unwrap_or_else(|| std::env::consts::OS.into());
    Machine { cpu, cpus: std::thread::available_parallelism().map_or(1, |n| n.get()), memory_gib, os }
}

fn print_table(b: &Bench) {
    println!("\npolicyqa bench, {} ({} CPUs, {} GiB, {})", b.machine.cpu, b.machine.cpus, b.machine.memory_gib, b.machine.os);
    if !b.extraction.is_empty() {
        println!("\nreading documents (extraction only)");
        for x in &b.extraction {
            let pages = x.pages_per_s.map(|p| format!("  {p:>6.0} pages/s")).unwrap_or_default();
            println!("  {:<12} {:>3} files {:>8.2} MB  {:>7.2} MB/s{pages}", x.format, x.files, x.bytes as f64 / 1e6, x.mb_per_s);
        }
    }
    if let Some(p) = &b.pdf_ingest {
        println!("  ingest of a {}-page PDF  {:.2} s  peak RSS {:.0} MB  ({})", p.pages, p.seconds, p.peak_rss_mb, p.file);
    }
    for c in &b.corpora {
        println!("\n{} ({}: {} documents, {} passages)", c.name, c.corpus, c.ingest.documents, c.ingest.passages);
        println!("  ingest            {:>8.2} s  {:>8.0} passages/s  index {:.1} MB  peak RSS {:.0} MB", c.ingest.seconds, c.ingest.passages_per_s, c.ingest.index_bytes as f64 / 1e6, c.ingest.peak_rss_mb);
        println!("  search in-process median {:.2} ms  p99 {:.2} ms  Recall@1 {:.3}  Recall@5 {:.3}", c.search_in_process.median_ms, c.search_in_process.p99_ms, c.search_in_process.recall_at_1, c.search_in_process.recall_at_5);
        println!("  server            RSS after start {:.0} MB, peak {:.0} MB", c.server.rss_after_start_mb, c.server.peak_rss_mb);
        println!("  {:<11} {:>3} {:>9} {:>10} {:>9} {:>9} {:>8}", "HTTP", "c", "requests", "req/s", "p50 ms", "p99 ms", "success");
        for h in &c.http {
            println!("  {:<11} {:>3} {:>9} {:>10.0} {:>9.2} {:>9.2} {:>8.3}", h.endpoint, h.concurrency, h.requests, h.requests_per_s, h.p50_ms, h.p99_ms, h.success_rate);
        }
        if let (Some(p), Some(r)) = (&c.peer, &c.ratios) {
            println!("  peer              build {:.1} s  median {:.2} ms  p99 {:.2} ms  Recall@1 {:.3}  Recall@5 {:.3}  peak RSS {:.0} MB", p.index_build_s, p.median_ms, p.p99_ms, p.recall_at_1, p.recall_at_5, p.peak_rss_mb);
            println!(
                "  ours/peer         Recall@5 {:.2}x  Recall@1 {:.2}x  search {:.1}x faster in process, {:.1}x faster over HTTP (/v1/search p50, c=1)  {:.1}x less memory",
                r.recall_at_5, r.recall_at_1, r.search_in_process_speedup, r.http_search_speedup, r.memory
            );
        }
    }
}
