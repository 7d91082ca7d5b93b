//! The report for people: `report.md` (tables) and `report.html` (one self-contained page
//! with inline SVG charts and no external request).
//!
//! Both are pure functions of an [`EvalReport`]. Every piece of text that comes from a dataset,
//! a document or an answer is untrusted: the HTML escapes it everywhere (text and attributes),
//! the Markdown keeps it from breaking a table (`|` and line breaks).

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use crate::report::{Comparison, DatasetReport, EvalReport, MetricChange};
use crate::{AnswerMetrics, AnswerResult, QuestionResult};

/// Writing to a `String` cannot fail.
macro_rules! w {
    ($out:expr, $($arg:tt)*) => {{
        let _ = write!($out, $($arg)*);
    }};
}

// ---------------------------------------------------------------------------------------------
// Shared: formatting, misses and why they missed.
// ---------------------------------------------------------------------------------------------

fn f3(x: f64) -> String {
    format!("{x:.3}")
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 { format!("1 {what}") } else { format!("{n} {what}s") }
}

fn ms(x: f64) -> String {
    format!("{x:.2}")
}

/// `ours / peer` as "1.05×"; "—" when the peer figure is zero.
fn times(ours: f64, peer: f64) -> String {
    if peer.abs() < 1e-12 || !ours.is_finite() || !peer.is_finite() { "—".into() } else { format!("{:.2}×", ours / peer) }
}

/// White space (line breaks included) collapsed to single spaces, cut to `max` characters
/// with an ellipsis.
fn shorten(s: &str, max: usize) -> String {
    let flat = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        let mut cut: String = flat.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

/// The file name of a dataset path, for legends.
fn short_name(name: &str) -> String {
    std::path::Path::new(name).file_name().map_or_else(|| name.to_string(), |f| f.to_string_lossy().into_owned())
}

fn is_ms_metric(metric: &str) -> bool {
    metric.contains("ms")
}

fn metric_value(metric: &str, x: f64) -> String {
    if is_ms_metric(metric) { ms(x) } else { f3(x) }
}

/// The signed delta with ▲ (better) / ▼ (worse) from [`MetricChange::direction`].
fn delta_text(m: &MetricChange) -> String {
    let d = m.delta();
    let v = if is_ms_metric(&m.metric) { format!("{d:+.2}") } else { format!("{d:+.3}") };
    match m.direction() {
        Ordering::Greater => format!("{v} ▲"),
        Ordering::Less => format!("{v} ▼"),
        Ordering::Equal => format!("{v} ="),
    }
}

/// A retrieval miss: a question with gold whose first gold passage is not in the top 5.
fn retrieval_miss(q: &QuestionResult) -> bool {
    !q.gold.is_empty() && q.rank.is_none_or(|r| r > 5)
}

/// One question that went wrong in retrieval, in its answer, or both.
struct Miss<'a> {
    id: &'a str,
    kind: &'a str,
    question: &'a str,
    retrieval: Option<&'a QuestionResult>,
    answer: Option<&'a AnswerResult>,
    why: Vec<String>,
}

/// The misses of a dataset in dataset order: retrieval misses and wrong answers.
fn misses(d: &DatasetReport) -> Vec<Miss<'_>> {
    let answers: HashMap<&str, &AnswerResult> = d.answers.iter().flat_map(|a| a.questions.iter()).map(|a| (a.id.as_str(), a)).collect();
    let top_k = d.retrieval.top_k;
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for q in &d.retrieval.questions {
        seen.insert(q.id.as_str());
        let a = answers.get(q.id.as_str()).copied();
        let answer_wrong = a.is_some_and(|a| !a.is_right());
        if retrieval_miss(q) || answer_wrong {
            out.push(Miss { id: &q.id, kind: &q.kind, question: &q.question, retrieval: Some(q), answer: a, why: why(Some(q), a.filter(|_| answer_wrong), top_k) });
        }
    }
    for a in d.answers.iter().flat_map(|a| a.questions.iter()) {
        if !seen.contains(a.id.as_str()) && !a.is_right() {
            out.push(Miss { id: &a.id, kind: &a.kind, question: &a.question, retrieval: None, answer: Some(a), why: why(None, Some(a), top_k) });
        }
    }
    out
}

/// Why a question is a miss, in words.
fn why(q: Option<&QuestionResult>, wrong_answer: Option<&AnswerResult>, top_k: usize) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(q) = q.filter(|q| !q.gold.is_empty()) {
        match q.rank {
            None => out.push(format!("gold not in top {top_k}")),
            Some(r) if r > 5 => out.push(format!("gold not in top 5 (rank {r})")),
            _ => {}
        }
    }
    if let Some(a) = wrong_answer {
        if a.kind == "unanswerable" {
            if !a.refused {
                out.push("should have refused".into());
            }
        } else if a.refused {
            out.push("refused an answerable question".into());
        } else {
            for c in a.citations.iter().filter(|c| !c.has_gold) {
                out.push(format!("cited clause without gold: {}", c.label));
            }
            for f in &a.facts_missing {
                out.push(format!("fact missing: {f}"));
            }
        }
        if out.is_empty() {
            out.push("answer judged wrong".into());
        }
    }
    out
}

/// The answer metrics as (label, value) rows.
fn answer_rows(m: &AnswerMetrics) -> Vec<(&'static str, String)> {
    let mut rows = vec![
        ("answerable questions", m.answerable.to_string()),
        ("unanswerable questions", m.unanswerable.to_string()),
        ("citation precision", f3(m.citation_precision)),
        ("fact recall", f3(m.fact_recall)),
        ("refusal accuracy", f3(m.refusal_accuracy)),
        ("false-refusal rate (lower is better)", f3(m.false_refusal_rate)),
        ("answers with a citation", f3(m.answers_with_citation)),
        ("quotes found in their clause", f3(m.quotes_in_clause)),
        ("flagged sentences", m.flagged_sentences.to_string()),
        ("median ms", ms(m.latency_median_ms)),
        ("p99 ms", ms(m.latency_p99_ms)),
    ];
    if let Some(f) = m.faithfulness_model_judged {
        rows.push(("faithfulness, MODEL-JUDGED (not measured)", format!("{} over {} answers", f3(f), m.judged)));
    }
    rows
}

// ---------------------------------------------------------------------------------------------
// report.md
// ---------------------------------------------------------------------------------------------

/// Text safe in a Markdown table cell: `|` escaped, line breaks turned to spaces.
fn md_cell(s: &str) -> String {
    s.replace("\r\n", " ").replace(['\n', '\r'], " ").replace('|', "\\|")
}

/// Text safe on one Markdown line (a list item).
fn md_line(s: &str) -> String {
    s.replace("\r\n", " ").replace(['\n', '\r'], " ")
}

/// `report.md`.
pub fn markdown(report: &EvalReport) -> String {
    let mut o = String::new();
    w!(o, "# policyqa evaluation\n\n");
    w!(o, "- generated: {}\n", md_line(&report.generated_at));
    w!(o, "- target: {}\n", md_line(&report.target));
    w!(o, "- retrieval: {}\n", md_line(&report.retrieval_mode));
    w!(o, "- answers: {}\n", report.answer_mode.as_deref().map_or_else(|| "not evaluated (retrieval only)".to_string(), md_line));
    w!(o, "- datasets: {}\n", report.datasets.len());
    for d in &report.datasets {
        md_dataset(&mut o, d);
    }
    if let Some(c) = &report.baseline {
        md_comparison(&mut o, c);
    }
    o
}

fn md_dataset(o: &mut String, d: &DatasetReport) {
    let r = &d.retrieval;
    w!(o, "\n## {}\n\n", md_line(&d.name));
    w!(o, "### Retrieval\n\n");
    w!(o, "{}, {} with gold; top {}.\n\n", plural(r.questions.len(), "question"), r.overall.questions, r.top_k);
    w!(o, "| | Recall@1 | Recall@5 | MRR@10 | median ms | p99 ms |\n|---|---:|---:|---:|---:|---:|\n");
    let m = &r.overall;
    w!(o, "| policyqa | {} | {} | {} | {} | {} |\n", f3(m.recall_at_1), f3(m.recall_at_5), f3(m.mrr_at_10), ms(r.latency_median_ms), ms(r.latency_p99_ms));
    if let Some(p) = &d.peer {
        w!(o, "| peer (jieba + rank_bm25) | {} | {} | {} | {} | {} |\n", f3(p.recall_at_1), f3(p.recall_at_5), f3(p.mrr_at_10), ms(p.latency_median_ms), ms(p.latency_p99_ms));
        w!(
            o,
            "| policyqa / peer | {} | {} | {} | {} | {} |\n",
            times(m.recall_at_1, p.recall_at_1),
            times(m.recall_at_5, p.recall_at_5),
            times(m.mrr_at_10, p.mrr_at_10),
            times(r.latency_median_ms, p.latency_median_ms),
            times(r.latency_p99_ms, p.latency_p99_ms)
        );
    }
    w!(o, "\n### Per kind\n\n");
    if r.per_kind.is_empty() {
        w!(o, "_No per-kind figures._\n");
    } else {
        w!(o, "| kind | questions | Recall@1 | Recall@5 | MRR@10 |\n|---|---:|---:|---:|---:|\n");
        for (kind, km) in &r.per_kind {
            w!(o, "| {} | {} | {} | {} | {} |\n", md_cell(kind), km.questions, f3(km.recall_at_1), f3(km.recall_at_5), f3(km.mrr_at_10));
        }
    }
    if let Some(a) = &d.answers {
        w!(o, "\n### Answers\n\n| metric | value |\n|---|---:|\n");
        for (label, value) in answer_rows(&a.overall) {
            w!(o, "| {label} | {value} |\n");
        }
        let right = a.questions.iter().filter(|q| q.is_right()).count();
        w!(o, "\n{right} of {} answers right.\n", a.questions.len());
    }
    let ms_ = misses(d);
    w!(o, "\n### Misses ({})\n\n", ms_.len());
    if ms_.is_empty() {
        w!(o, "_None._\n");
        return;
    }
    w!(o, "| id | question | gold span | top retrieved | answer | why |\n|---|---|---|---|---|---|\n");
    for m in &ms_ {
        let gold = m.retrieval.map_or(String::new(), |q| q.gold.join(" / "));
        let top = m.retrieval.and_then(|q| q.retrieved.first()).map_or("—".to_string(), |p| p.label.clone());
        let answer = match m.answer {
            None => "—".to_string(),
            Some(a) if a.refused => format!("(refused) {}", shorten(&a.answer, 110)),
            Some(a) => shorten(&a.answer, 120),
        };
        w!(
            o,
            "| {} | {} | {} | {} | {} | {} |\n",
            md_cell(m.id),
            md_cell(m.question),
            if gold.is_empty() { "—".to_string() } else { md_cell(&shorten(&gold, 120)) },
            md_cell(&top),
            md_cell(&answer),
            md_cell(&m.why.join("; "))
        );
    }
}

fn md_comparison(o: &mut String, c: &Comparison) {
    w!(o, "\n## Change since {}\n\n", md_line(&c.path));
    w!(o, "Baseline generated {}. ▲ better, ▼ worse.\n", md_line(&c.generated_at));
    if c.datasets.is_empty() {
        w!(o, "\n_No dataset in common with the baseline._\n");
    }
    for d in &c.datasets {
        w!(o, "\n### {}\n\n| metric | before | after | delta |\n|---|---:|---:|---:|\n", md_line(&d.name));
        for m in &d.metrics {
            w!(o, "| {} | {} | {} | {} |\n", md_cell(&m.metric), metric_value(&m.metric, m.before), metric_value(&m.metric, m.after), delta_text(m));
        }
        for (title, list) in [("Better", &d.better), ("Worse", &d.worse)] {
            w!(o, "\n**{title} ({})**\n\n", list.len());
            if list.is_empty() {
                w!(o, "_None._\n");
            }
            for q in list {
                w!(o, "- `{}` {}: {}\n", q.id.replace('`', "'"), md_line(&q.change), md_line(&q.question));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// report.html
// ---------------------------------------------------------------------------------------------

/// Text safe in HTML text and in quoted attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One colour per dataset, by its index in the report.
const PALETTE: [&str; 8] = ["#2563eb", "#ea580c", "#059669", "#9333ea", "#dc2626", "#0891b2", "#ca8a04", "#db2777"];

fn colour(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// A figure for a chart coordinate: finite, one decimal.
fn c(x: f64) -> String {
    format!("{:.1}", if x.is_finite() { x } else { 0.0 })
}

/// A ratio for a chart: clamped to 0..=1.
fn unit(x: f64) -> f64 {
    if x.is_finite() { x.clamp(0.0, 1.0) } else { 0.0 }
}

const CSS: &str = r#"
:root { --fg:#1f2937; --muted:#6b7280; --line:#e5e7eb; --bg:#f6f7f9; --card:#ffffff; --good:#047857; --good-bg:#ecfdf5; --bad:#b91c1c; --bad-bg:#fef2f2; --accent:#2563eb; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans CJK SC", "WenQuanYi Zen Hei", "Microsoft YaHei", sans-serif; }
.container { max-width: 1120px; margin: 0 auto; padding: 28px 24px 48px; }
h1 { font-size: 26px; margin: 0 0 6px; letter-spacing: -0.01em; }
h2 { font-size: 20px; margin: 36px 0 12px; padding-bottom: 6px; border-bottom: 2px solid var(--line); }
h3 { font-size: 16px; margin: 22px 0 8px; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 10px 0 0; color: var(--muted); font-size: 14px; }
.meta dt { font-weight: 600; color: var(--fg); }
.meta dd { margin: 0; overflow-wrap: anywhere; }
nav.toc { margin: 16px 0 0; font-size: 14px; }
nav.toc a { margin-right: 14px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 16px 18px; margin: 12px 0; }
/* Columns, not a grid: a tall chart (many kinds) leaves no hole beside a short one. */
.charts { columns: 2 460px; column-gap: 14px; }
figure { margin: 0 0 14px; break-inside: avoid; background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px 14px 10px; }
figcaption { font-weight: 600; font-size: 14px; margin-bottom: 6px; }
figcaption span { font-weight: 400; color: var(--muted); }
svg.chart { display: block; width: 100%; height: auto; }
svg.chart text { font-size: 12px; fill: #374151; font-family: inherit; }
svg.chart .axis { stroke: #9ca3af; stroke-width: 1; }
svg.chart .grid { stroke: #eef0f3; stroke-width: 1; }
svg.chart .frame { fill: #fcfcfd; }
svg.chart .muted { fill: var(--muted); }
svg.chart .small { font-size: 10.5px; }
svg.chart .title { font-weight: 600; }
svg.chart .mark:hover { opacity: 0.75; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 14px; background: var(--card); }
th, td { border-bottom: 1px solid var(--line); padding: 6px 10px; text-align: left; vertical-align: top; }
th { background: #f3f4f6; font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.peer td { color: var(--muted); }
tr.ratio td { font-style: italic; }
table.misses { font-size: 13px; }
table.misses td { overflow-wrap: anywhere; }
table.misses td.kind { white-space: nowrap; font-size: 12px; }
table.misses td.id { white-space: nowrap; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; }
table.misses col.c-q { width: 17%; } table.misses col.c-g { width: 14%; } table.misses col.c-r { width: 22%; } table.misses col.c-a { width: 21%; } table.misses col.c-w { width: 14%; }
.snippet { color: var(--muted); font-size: 12px; margin-top: 2px; }
ol.retrieved { margin: 0; padding-left: 18px; }
ul.why, ul.cites { margin: 0; padding-left: 16px; }
ul.why li { color: var(--bad); }
.gold { color: var(--good); font-weight: 600; }
.bad { color: var(--bad); }
.badge { display: inline-block; font-size: 11px; padding: 0 6px; border-radius: 9px; background: #fee2e2; color: var(--bad); font-weight: 600; margin-right: 4px; }
.badge.ok { background: #d1fae5; color: var(--good); }
.delta.good { color: var(--good); background: var(--good-bg); font-weight: 600; }
.delta.bad { color: var(--bad); background: var(--bad-bg); font-weight: 600; }
.delta.same { color: var(--muted); }
.lists { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 14px; }
.lists ul { margin: 4px 0 0; padding-left: 18px; font-size: 14px; }
.lists h4 { margin: 8px 0 0; font-size: 14px; }
.lists h4.good { color: var(--good); } .lists h4.bad { color: var(--bad); }
.empty { color: var(--muted); font-style: italic; }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 0.92em; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
@media print { body { background: #fff; } .charts { columns: 1; } figure, .card { break-inside: avoid; } }
"#;

/// `report.html`.
pub fn html(report: &EvalReport) -> String {
    let mut o = String::new();
    w!(o, "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    w!(o, "<title>policyqa evaluation · {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main class=\"container\">\n", esc(&report.generated_at));

    // Header and run information.
    w!(o, "<header>\n<h1>policyqa evaluation</h1>\n<dl class=\"meta\">");
    let answers_mode = report.answer_mode.as_deref().unwrap_or("not evaluated (retrieval only)");
    for (k, v) in [("generated", report.generated_at.as_str()), ("target", report.target.as_str()), ("retrieval", report.retrieval_mode.as_str()), ("answers", answers_mode)] {
        w!(o, "<dt>{k}</dt><dd>{}</dd>", esc(v));
    }
    w!(o, "</dl>\n<nav class=\"toc\"><a href=\"#charts\">Charts</a><a href=\"#summary\">Summary</a>");
    for (i, d) in report.datasets.iter().enumerate() {
        w!(o, "<a href=\"#dataset-{}\">{}</a>", i + 1, esc(&short_name(&d.name)));
    }
    if report.baseline.is_some() {
        w!(o, "<a href=\"#change\">Change</a>");
    }
    w!(o, "</nav>\n</header>\n");

    // Charts.
    w!(o, "<section id=\"charts\">\n<h2>Charts</h2>\n<div class=\"charts\">\n");
    let top = report.datasets.iter().map(|d| d.retrieval.recall_curve.len()).max().unwrap_or(0);
    w!(o, "<figure><figcaption>Recall@k <span>· share of questions with gold in the top k, k = 1…{}</span></figcaption>\n", top.max(1));
    chart_recall_curve(&mut o, report);
    w!(o, "</figure>\n<figure><figcaption>Recall per question kind <span>· Recall@1 (light) and Recall@5 (solid)</span></figcaption>\n");
    chart_per_kind(&mut o, report);
    w!(o, "</figure>\n");
    if report.datasets.iter().any(|d| d.answers.is_some()) {
        w!(o, "<figure><figcaption>Answers <span>· higher is better, except the false-refusal rate</span></figcaption>\n");
        chart_answers(&mut o, report);
        w!(o, "</figure>\n");
    }
    w!(o, "<figure><figcaption>Latency <span>· questions per time bin (ms, log-scaled bins)</span></figcaption>\n");
    chart_latency(&mut o, report);
    w!(o, "</figure>\n</div>\n</section>\n");

    // Summary over all datasets.
    html_summary(&mut o, report);

    for (i, d) in report.datasets.iter().enumerate() {
        html_dataset(&mut o, i, d);
    }
    if let Some(c) = &report.baseline {
        html_comparison(&mut o, c);
    }
    w!(o, "<footer>Written by <code>policyqa eval</code>. This page makes no network request.</footer>\n</main>\n</body>\n</html>\n");
    o
}

fn html_summary(o: &mut String, report: &EvalReport) {
    w!(o, "<section id=\"summary\">\n<h2>Summary</h2>\n");
    if report.datasets.is_empty() {
        w!(o, "<p class=\"empty\">No dataset was evaluated.</p>\n</section>\n");
        return;
    }
    w!(o, "<div class=\"table-wrap\"><table class=\"summary\"><thead><tr><th>dataset</th><th class=\"num\">questions</th><th class=\"num\">Recall@1</th><th class=\"num\">Recall@5</th><th class=\"num\">MRR@10</th><th class=\"num\">search median ms</th><th class=\"num\">answers right</th><th class=\"num\">misses</th></tr></thead><tbody>\n");
    for (i, d) in report.datasets.iter().enumerate() {
        let r = &d.retrieval;
        let right = d.answers.as_ref().map_or("—".to_string(), |a| format!("{} / {}", a.questions.iter().filter(|q| q.is_right()).count(), a.questions.len()));
        w!(
            o,
            "<tr><td><a href=\"#dataset-{}\">{}</a></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
            i + 1,
            esc(&d.name),
            r.questions.len(),
            f3(r.overall.recall_at_1),
            f3(r.overall.recall_at_5),
            f3(r.overall.mrr_at_10),
            ms(r.latency_median_ms),
            right,
            misses(d).len()
        );
    }
    w!(o, "</tbody></table></div>\n</section>\n");
}

fn html_dataset(o: &mut String, i: usize, d: &DatasetReport) {
    let r = &d.retrieval;
    w!(o, "<section id=\"dataset-{}\">\n<h2><span style=\"color:{}\">■</span> {}</h2>\n", i + 1, colour(i), esc(&d.name));
    w!(o, "<h3>Retrieval</h3>\n<p>{}, {} with gold; top {}.</p>\n", plural(r.questions.len(), "question"), r.overall.questions, r.top_k);
    w!(o, "<div class=\"table-wrap\"><table class=\"retrieval\"><thead><tr><th></th><th class=\"num\">Recall@1</th><th class=\"num\">Recall@5</th><th class=\"num\">MRR@10</th><th class=\"num\">median ms</th><th class=\"num\">p99 ms</th></tr></thead><tbody>\n");
    let m = &r.overall;
    let row = |o: &mut String, class: &str, label: &str, cells: [String; 5]| {
        w!(o, "<tr class=\"{class}\"><td>{}</td>", esc(label));
        for cell in cells {
            w!(o, "<td class=\"num\">{}</td>", esc(&cell));
        }
        w!(o, "</tr>\n");
    };
    row(o, "ours", "policyqa", [f3(m.recall_at_1), f3(m.recall_at_5), f3(m.mrr_at_10), ms(r.latency_median_ms), ms(r.latency_p99_ms)]);
    if let Some(p) = &d.peer {
        row(o, "peer", "peer (jieba + rank_bm25)", [f3(p.recall_at_1), f3(p.recall_at_5), f3(p.mrr_at_10), ms(p.latency_median_ms), ms(p.latency_p99_ms)]);
        row(
            o,
            "ratio",
            "policyqa / peer",
            [
                times(m.recall_at_1, p.recall_at_1),
                times(m.recall_at_5, p.recall_at_5),
                times(m.mrr_at_10, p.mrr_at_10),
                times(r.latency_median_ms, p.latency_median_ms),
                times(r.latency_p99_ms, p.latency_p99_ms),
            ],
        );
    }
    w!(o, "</tbody></table></div>\n<h3>Per kind</h3>\n");
    if r.per_kind.is_empty() {
        w!(o, "<p class=\"empty\">No per-kind figures.</p>\n");
    } else {
        w!(o, "<div class=\"table-wrap\"><table class=\"per-kind\"><thead><tr><th>kind</th><th class=\"num\">questions</th><th class=\"num\">Recall@1</th><th class=\"num\">Recall@5</th><th class=\"num\">MRR@10</th></tr></thead><tbody>\n");
        for (kind, km) in &r.per_kind {
            w!(
                o,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
                esc(kind),
                km.questions,
                f3(km.recall_at_1),
                f3(km.recall_at_5),
                f3(km.mrr_at_10)
            );
        }
        w!(o, "</tbody></table></div>\n");
    }
    if let Some(a) = &d.answers {
        let right = a.questions.iter().filter(|q| q.is_right()).count();
        w!(o, "<h3>Answers</h3>\n<p>{right} of {} answers right.</p>\n", a.questions.len());
        w!(o, "<div class=\"table-wrap\"><table class=\"answers\"><thead><tr><th>metric</th><th class=\"num\">value</th></tr></thead><tbody>\n");
        for (label, value) in answer_rows(&a.overall) {
            w!(o, "<tr><td>{}</td><td class=\"num\">{}</td></tr>\n", esc(label), esc(&value));
        }
        w!(o, "</tbody></table></div>\n");
    }
    let list = misses(d);
    w!(o, "<h3>Misses ({})</h3>\n", list.len());
    w!(o, "<div class=\"table-wrap\"><table class=\"misses\"><colgroup><col class=\"c-id\"><col class=\"c-k\"><col class=\"c-q\"><col class=\"c-g\"><col class=\"c-r\"><col class=\"c-a\"><col class=\"c-w\"></colgroup>");
    w!(o, "<thead><tr><th>id</th><th>kind</th><th>question</th><th>gold span</th><th>retrieved</th><th>answered</th><th>why</th></tr></thead><tbody>\n");
    if list.is_empty() {
        w!(o, "<tr><td colspan=\"7\" class=\"empty\">No misses: every question with gold has it in the top 5{}.</td></tr>\n", if d.answers.is_some() { " and every answer is right" } else { "" });
    }
    for m in &list {
        w!(o, "<tr><td class=\"id\">{}</td><td class=\"kind\">{}</td><td>{}</td><td>", esc(m.id), esc(m.kind), esc(m.question));
        match m.retrieval {
            Some(q) if !q.gold.is_empty() => {
                for (j, g) in q.gold.iter().enumerate() {
                    w!(o, "{}{}", if j > 0 { "<br>" } else { "" }, esc(&shorten(g, 160)));
                }
            }
            _ => w!(o, "<span class=\"empty\">none (unanswerable)</span>"),
        }
        w!(o, "</td><td>");
        match m.retrieval {
            Some(q) if !q.retrieved.is_empty() => {
                w!(o, "<ol class=\"retrieved\">");
                for (j, p) in q.retrieved.iter().take(3).enumerate() {
                    let gold = q.rank == Some(j + 1);
                    w!(o, "<li{}>{}", if gold { " class=\"gold\" title=\"holds a gold span\"" } else { "" }, esc(&shorten(&p.label, 80)));
                    if j == 0 {
                        w!(o, "<div class=\"snippet\">{}</div>", esc(&shorten(&p.text, 100)));
                    }
                    w!(o, "</li>");
                }
                w!(o, "</ol>");
                if let Some(r) = q.rank.filter(|&r| r > 3) {
                    w!(o, "<div class=\"snippet\">gold at rank {r}</div>");
                }
            }
            Some(_) => w!(o, "<span class=\"empty\">nothing</span>"),
            None => w!(o, "<span class=\"empty\">—</span>"),
        }
        w!(o, "</td><td>");
        match m.answer {
            None => w!(o, "<span class=\"empty\">not answered</span>"),
            Some(a) => {
                if a.refused {
                    w!(o, "<span class=\"badge\">refused</span>");
                } else if a.is_right() {
                    w!(o, "<span class=\"badge ok\">right</span>");
                }
                w!(o, "{}", esc(&shorten(&a.answer, 160)));
                if !a.citations.is_empty() {
                    w!(o, "<ul class=\"cites\">");
                    for c in &a.citations {
                        let wrong = !c.has_gold && a.kind != "unanswerable";
                        w!(
                            o,
                            "<li{}>[{}] {}{}{}</li>",
                            if wrong { " class=\"bad\" title=\"cited clause holds no gold span\"" } else { "" },
                            c.marker,
                            esc(&shorten(&c.label, 60)),
                            if wrong { " ✗" } else { "" },
                            if c.quote_in_clause { "" } else { " <span class=\"bad\">(quote not in clause)</span>" }
                        );
                    }
                    w!(o, "</ul>");
                }
            }
        }
        w!(o, "</td><td><ul class=\"why\">");
        for reason in &m.why {
            w!(o, "<li>{}</li>", esc(reason));
        }
        w!(o, "</ul></td></tr>\n");
    }
    w!(o, "</tbody></table></div>\n</section>\n");
}

fn html_comparison(o: &mut String, c: &Comparison) {
    w!(o, "<section id=\"change\">\n<h2>Change since {}</h2>\n", esc(&c.path));
    w!(o, "<p>Baseline generated {}. <span class=\"delta good\">▲ better</span> <span class=\"delta bad\">▼ worse</span></p>\n", esc(&c.generated_at));
    if c.datasets.is_empty() {
        w!(o, "<p class=\"empty\">No dataset in common with the baseline.</p>\n");
    }
    for d in &c.datasets {
        w!(o, "<h3>{}</h3>\n", esc(&d.name));
        w!(o, "<div class=\"table-wrap\"><table class=\"change\"><thead><tr><th>metric</th><th class=\"num\">before</th><th class=\"num\">after</th><th class=\"num\">delta</th></tr></thead><tbody>\n");
        for m in &d.metrics {
            let class = match m.direction() {
                Ordering::Greater => "good",
                Ordering::Less => "bad",
                Ordering::Equal => "same",
            };
            w!(
                o,
                "<tr><td>{}{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num delta {class}\">{}</td></tr>\n",
                esc(&m.metric),
                if m.higher_is_better { "" } else { " <span class=\"empty\">(lower is better)</span>" },
                metric_value(&m.metric, m.before),
                metric_value(&m.metric, m.after),
                esc(&delta_text(m))
            );
        }
        w!(o, "</tbody></table></div>\n<div class=\"lists\">");
        for (title, class, list) in [("Better", "good", &d.better), ("Worse", "bad", &d.worse)] {
            w!(o, "<div><h4 class=\"{class}\">{title} ({})</h4>", list.len());
            if list.is_empty() {
                w!(o, "<p class=\"empty\">None.</p>");
            } else {
                w!(o, "<ul class=\"{}\">", if class == "good" { "better" } else { "worse" });
                for q in list {
                    w!(o, "<li><code>{}</code> {}: {}</li>", esc(&q.id), esc(&q.change), esc(&q.question));
                }
                w!(o, "</ul>");
            }
            w!(o, "</div>");
        }
        w!(o, "</div>\n");
    }
    w!(o, "</section>\n");
}

// ---------------------------------------------------------------------------------------------
// Charts: inline SVG, drawn by hand. Data marks have the class `mark`.
// ---------------------------------------------------------------------------------------------

/// The width of every chart's view box: about its size on screen in a two-column grid, so
/// 12 px text stays 12 px.
const W: f64 = 520.0;

fn svg_open(o: &mut String, name: &str, height: f64, title: &str) {
    w!(
        o,
        "<svg class=\"chart\" data-chart=\"{name}\" viewBox=\"0 0 {W} {h}\" width=\"{W}\" height=\"{h}\" role=\"img\" aria-label=\"{t}\" preserveAspectRatio=\"xMidYMid meet\"><title>{t}</title>\n",
        h = c(height),
        t = esc(title)
    );
}

/// A legend row of colour swatches, laid out left to right (wrapping), from (x, y).
/// Returns the height used.
fn legend(o: &mut String, x0: f64, y0: f64, items: &[(String, &str, f64)]) -> f64 {
    let (mut x, mut y) = (x0, y0);
    for (label, fill, opacity) in items {
        let text = shorten(label, 40);
        // A rough width: CJK characters are about twice as wide as Latin ones.
        let width = 22.0 + text.chars().map(|ch| if ch.is_ascii() { 6.8 } else { 12.5 }).sum::<f64>() + 18.0;
        if x + width > W - 10.0 && x > x0 {
            x = x0;
            y += 20.0;
        }
        w!(o, "<rect x=\"{}\" y=\"{}\" width=\"14\" height=\"10\" rx=\"2\" fill=\"{fill}\" fill-opacity=\"{opacity}\"/>", c(x), c(y + 1.0));
        w!(o, "<text x=\"{}\" y=\"{}\">{}</text>\n", c(x + 20.0), c(y + 10.5), esc(&text));
        x += width;
    }
    if items.is_empty() { 0.0 } else { y - y0 + 20.0 }
}

/// Horizontal grid lines and labels for a 0..=1 y axis.
fn unit_y_axis(o: &mut String, left: f64, right: f64, top: f64, height: f64) {
    for i in 0..=4 {
        let v = i as f64 / 4.0;
        let y = top + height - v * height;
        w!(o, "<line class=\"grid\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>", c(left), c(y), c(right), c(y));
        w!(o, "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" class=\"muted\">{}</text>\n", c(left - 6.0), c(y + 4.0), if i == 0 { "0".to_string() } else { format!("{v:.2}") });
    }
    w!(o, "<line class=\"axis\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>", c(left), c(top), c(left), c(top + height));
    w!(o, "<line class=\"axis\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n", c(left), c(top + height), c(right), c(top + height));
}

fn no_data(o: &mut String, x: f64, y: f64, what: &str) {
    w!(o, "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"muted\">{}</text>\n", c(x), c(y), esc(what));
}

/// 1. Recall@k per dataset.
fn chart_recall_curve(o: &mut String, report: &EvalReport) {
    let k_max = report.datasets.iter().map(|d| d.retrieval.recall_curve.len()).max().unwrap_or(0);
    let (left, right, top, ph) = (56.0, W - 20.0, 14.0, 220.0);
    let pw = right - left;
    let items: Vec<(String, &str, f64)> = report.datasets.iter().enumerate().map(|(i, d)| (short_name(&d.name), colour(i), 1.0)).collect();
    // Measure the legend by drawing it into a scratch buffer.
    let legend_h = legend(&mut String::new(), left, 0.0, &items);
    let height = top + ph + 46.0 + legend_h;
    svg_open(o, "recall-curve", height, "Recall@k per dataset");
    w!(o, "<rect class=\"frame\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>\n", c(left), c(top), c(pw), c(ph));
    unit_y_axis(o, left, right, top, ph);
    let x_of = |k: usize| if k_max <= 1 { left + pw / 2.0 } else { left + (k - 1) as f64 / (k_max - 1) as f64 * pw };
    let y_of = |v: f64| top + ph - unit(v) * ph;
    if k_max == 0 {
        no_data(o, left + pw / 2.0, top + ph / 2.0, "no recall figures");
    } else {
        let step = k_max.div_ceil(20);
        for k in (1..=k_max).filter(|k| (k - 1) % step == 0 || *k == k_max) {
            let x = x_of(k);
            w!(o, "<line class=\"axis\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>", c(x), c(top + ph), c(x), c(top + ph + 4.0));
            w!(o, "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"muted\">{k}</text>\n", c(x), c(top + ph + 17.0));
        }
        if k_max >= 5 {
            let x = x_of(5);
            w!(o, "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#9ca3af\" stroke-dasharray=\"4 3\"/>", c(x), c(top), c(x), c(top + ph));
            w!(o, "<text x=\"{}\" y=\"{}\" class=\"muted small\">k = 5</text>\n", c(x + 4.0), c(top + ph - 6.0));
        }
        for (i, d) in report.datasets.iter().enumerate() {
            let curve = &d.retrieval.recall_curve;
            if curve.is_empty() {
                continue;
            }
            let name = short_name(&d.name);
            let points: Vec<String> = curve.iter().enumerate().map(|(j, v)| format!("{},{}", c(x_of(j + 1)), c(y_of(*v)))).collect();
            w!(o, "<g class=\"series\"><title>{}</title>", esc(&name));
            w!(o, "<polyline class=\"mark\" points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2.2\" stroke-linejoin=\"round\"/>", points.join(" "), colour(i));
            for (j, v) in curve.iter().enumerate() {
                w!(
                    o,
                    "<circle class=\"mark\" cx=\"{}\" cy=\"{}\" r=\"3.6\" fill=\"#fff\" stroke=\"{}\" stroke-width=\"2\"><title>{}: Recall@{} = {}</title></circle>",
                    c(x_of(j + 1)),
                    c(y_of(*v)),
                    colour(i),
                    esc(&name),
                    j + 1,
                    f3(*v)
                );
            }
            w!(o, "</g>\n");
        }
    }
    w!(o, "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"muted\">k (passages retrieved)</text>\n", c(left + pw / 2.0), c(top + ph + 34.0));
    w!(o, "<text transform=\"translate(14 {}) rotate(-90)\" text-anchor=\"middle\" class=\"muted\">Recall@k</text>\n", c(top + ph / 2.0));
    legend(o, left, top + ph + 44.0, &items);
    w!(o, "</svg>\n");
}

/// 2. Recall@1 and Recall@5 per kind, per dataset: horizontal bars, one row per kind.
fn chart_per_kind(o: &mut String, report: &EvalReport) {
    enum Row<'a> {
        Heading(usize, &'a str),
        Bars(usize, String, usize, f64, f64),
        Empty,
    }
    let mut rows = Vec::new();
    for (i, d) in report.datasets.iter().enumerate() {
        rows.push(Row::Heading(i, &d.name));
        let m = &d.retrieval.overall;
        rows.push(Row::Bars(i, "all kinds".into(), m.questions, m.recall_at_1, m.recall_at_5));
        for (kind, km) in &d.retrieval.per_kind {
            rows.push(Row::Bars(i, kind.clone(), km.questions, km.recall_at_1, km.recall_at_5));
        }
    }
    if rows.is_empty() {
        rows.push(Row::Empty);
    }
    let (left, right, top) = (150.0, W - 44.0, 34.0);
    let pw = right - left;
    let (heading_h, row_h) = (24.0, 30.0);
    let ph: f64 = rows.iter().map(|r| if matches!(r, Row::Heading(..)) { heading_h } else { row_h }).sum();
    let height = top + ph + 36.0;
    svg_open(o, "per-kind", height, "Recall@1 and Recall@5 per question kind");
    legend(o, left, 8.0, &[("Recall@1".into(), "#6b7280", 0.4), ("Recall@5".into(), "#6b7280", 1.0)]);
    w!(o, "<rect class=\"frame\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>\n", c(left), c(top), c(pw), c(ph));
    for i in 0..=4 {
        let v = i as f64 / 4.0;
        let x = left + v * pw;
        w!(o, "<line class=\"grid\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>", c(x), c(top), c(x), c(top + ph));
        w!(o, "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"muted\">{}</text>\n", c(x), c(top + ph + 16.0), if i == 0 { "0".to_string() } else { format!("{v:.2}") });
    }
    w!(o, "<line class=\"axis\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>", c(left), c(top), c(left), c(top + ph));
    w!(o, "<line class=\"axis\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n", c(left), c(top + ph), c(right), c(top + ph));
    w!(o, "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"muted\">recall</text>\n", c(left + pw / 2.0), c(top + ph + 31.0));
    let mut y = top;
    for row in &rows {
        match row {
            Row::Heading(i, name) => {
                w!(o, "<text x=\"8\" y=\"{}\" class=\"title\" fill=\"{}\" style=\"fill:{}\">{}</text>\n", c(y + 16.0), colour(*i), colour(*i), esc(&shorten(&short_name(name), 60)));
                y += heading_h;
            }
            Row::Bars(i, kind, n, r1, r5) => {
                let label = format!("{} · {n}", shorten(kind, 16));
                w!(o, "<text x=\"{}\" y=\"{}\" text-anchor=\"end\"><title>{} ({n} questions)</title>{}</text>\n", c(left - 8.0), c(y + row_h / 2.0 + 4.0), esc(kind), esc(&label));
                for (j, (metric, v, opacity)) in [("Recall@1", *r1, 0.4), ("Recall@5", *r5, 1.0)].into_iter().enumerate() {
                    let by = y + 4.0 + j as f64 * 11.0;
                    let bw = unit(v) * pw;
                    w!(
                        o,
                        "<rect class=\"mark\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"10\" fill=\"{}\" fill-opacity=\"{opacity}\"><title>{} · {}: {metric} = {}</title></rect>",
                        c(left),
                        c(by),
                        c(bw),
                        colour(*i),
                        esc(&short_name(&report.datasets[*i].name)),
                        esc(kind),
                        f3(v)
                    );
                    w!(o, "<text x=\"{}\" y=\"{}\" class=\"muted small\">{}</text>\n", c(left + bw + 4.0), c(by + 9.0), f3(v));
                }
                y += row_h;
            }
            Row::Empty => {
                no_data(o, left + pw / 2.0, y + row_h / 2.0 + 4.0, "no dataset");
                y += row_h;
            }
        }
    }
    w!(o, "</svg>\n");
}

/// 3. Answer quality per dataset: grouped bars per metric.
fn chart_answers(o: &mut String, report: &EvalReport) {
    type Get = fn(&AnswerMetrics) -> f64;
    let metrics: [(&str, &str, Get); 4] = [
        ("citation precision", "", |m| m.citation_precision),
        ("fact recall", "", |m| m.fact_recall),
        ("refusal accuracy", "", |m| m.refusal_accuracy),
        ("false-refusal rate", "(lower is better)", |m| m.false_refusal_rate),
    ];
    let with: Vec<(usize, &DatasetReport, &AnswerMetrics)> = report.datasets.iter().enumerate().filter_map(|(i, d)| d.answers.as_ref().map(|a| (i, d, &a.overall))).collect();
    let (left, right, top, ph) = (56.0, W - 16.0, 16.0, 200.0);
    let pw = right - left;
    let items: Vec<(String, &str, f64)> = with.iter().map(|(i, d, _)| (short_name(&d.name), colour(*i), 1.0)).collect();
    let legend_h = legend(&mut String::new(), left, 0.0, &items);
    let height = top + ph + 48.0 + legend_h;
    svg_open(o, "answers", height, "Answer quality per dataset");
    w!(o, "<rect class=\"frame\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>\n", c(left), c(top), c(pw), c(ph));
    let group_w = pw / metrics.len() as f64;
    // The lower-is-better group is shaded.
    w!(o, "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#fef2f2\"><title>lower is better</title></rect>\n", c(left + 3.0 * group_w), c(top), c(group_w), c(ph));
    unit_y_axis(o, left, right, top, ph);
    let n = with.len().max(1) as f64;
    let bar_w = ((group_w * 0.7) / n).min(44.0);
    for (g, (label, note, get)) in metrics.iter().enumerate() {
        let gx = left + g as f64 * group_w;
        let x0 = gx + (group_w - bar_w * n) / 2.0;
        for (j, (i, d, m)) in with.iter().enumerate() {
            let v = get(m);
            let h = unit(v) * ph;
            let x = x0 + j as f64 * bar_w;
            w!(
                o,
                "<rect class=\"mark\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}: {label} = {}</title></rect>",
                c(x + 1.0),
                c(top + ph - h),
                c((bar_w - 2.0).max(1.0)),
                c(h),
                colour(*i),
                esc(&short_name(&d.name)),
                f3(v)
            );
            if bar_w >= 28.0 {
                w!(o, "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"small\">{:.2}</text>", c(x + bar_w / 2.0), c(top + ph - h - 4.0), unit(v));
            }
            w!(o, "\n");
        }
        w!(o, "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"small\">{label}</text>", c(gx + group_w / 2.0), c(top + ph + 16.0));
        if !note.is_empty() {
            w!(o, "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"small\" style=\"fill:#b91c1c\">↓ {note}</text>", c(gx + group_w / 2.0), c(top + ph + 31.0));
        }
        w!(o, "\n");
    }
    legend(o, left, top + ph + 40.0, &items);
    w!(o, "</svg>\n");
}

/// Bin edges in ms for the latency histogram: 1-2-5 steps from 0.01 ms to 50 s.
const LATENCY_EDGES: [f64; 22] = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0, 10000.0, 20000.0, 50000.0, 100000.0];

fn edge_label(x: f64) -> String {
    if x >= 1000.0 {
        format!("{}k", x / 1000.0)
    } else {
        format!("{x}")
    }
}

/// A "nice" step (1, 2 or 5 × 10^n) for about `ticks` ticks up to `max`.
fn nice_step(max: f64, ticks: f64) -> f64 {
    let raw = (max / ticks).max(1.0);
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let nice = if f <= 1.0 { 1.0 } else if f <= 2.0 { 2.0 } else if f <= 5.0 { 5.0 } else { 10.0 };
    nice * mag
}

/// 4. Per-question latency: search and answer times in log-scaled bins.
fn chart_latency(o: &mut String, report: &EvalReport) {
    let bin = |v: f64| LATENCY_EDGES.iter().filter(|e| v >= **e).count();
    let nbins = LATENCY_EDGES.len() + 1;
    let search: Vec<f64> = report.datasets.iter().flat_map(|d| d.retrieval.questions.iter().map(|q| q.millis)).filter(|v| v.is_finite()).collect();
    let answer: Vec<f64> = report.datasets.iter().flat_map(|d| d.answers.iter().flat_map(|a| a.questions.iter().map(|q| q.millis))).filter(|v| v.is_finite()).collect();
    let mut series: Vec<(&str, &str, Vec<usize>, usize)> = Vec::new();
    for (name, fill, values) in [("search", "#2563eb", &search), ("answer", "#ea580c", &answer)] {
        if values.is_empty() && name == "answer" {
            continue;
        }
        let mut counts = vec![0usize; nbins];
        for v in values.iter() {
            counts[bin(*v)] += 1;
        }
        series.push((name, fill, counts, values.len()));
    }
    // The bins from the first to the last holding a question, at least 4 wide.
    let used: Vec<usize> = (0..nbins).filter(|b| series.iter().any(|s| s.2[*b] > 0)).collect();
    let (mut lo, mut hi) = (used.first().copied().unwrap_or(6), used.last().copied().unwrap_or(9));
    while hi - lo < 3 {
        lo = lo.saturating_sub(1);
        if hi - lo < 3 && hi + 1 < nbins {
            hi += 1;
        }
    }
    let max_count = series.iter().flat_map(|s| s.2[lo..=hi].iter().copied()).max().unwrap_or(0);
    let step = nice_step(max_count as f64, 4.0);
    let y_max = ((max_count as f64 / step).ceil() * step).max(step);

    let (left, right, top, ph) = (56.0, W - 16.0, 34.0, 200.0);
    let pw = right - left;
    let height = top + ph + 46.0;
    svg_open(o, "latency", height, "Per-question latency histogram");
    let items: Vec<(String, &str, f64)> = series.iter().map(|(name, fill, _, n)| (format!("{name} ({n} questions)"), *fill, 1.0)).collect();
    legend(o, left, 8.0, &items);
    w!(o, "<rect class=\"frame\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>\n", c(left), c(top), c(pw), c(ph));
    let mut t = 0.0;
    while t <= y_max + 1e-9 {
        let y = top + ph - t / y_max * ph;
        w!(o, "<line class=\"grid\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>", c(left), c(y), c(right), c(y));
        w!(o, "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" class=\"muted\">{t}</text>\n", c(left - 6.0), c(y + 4.0));
        t += step;
    }
    w!(o, "<line class=\"axis\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>", c(left), c(top), c(left), c(top + ph));
    w!(o, "<line class=\"axis\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n", c(left), c(top + ph), c(right), c(top + ph));
    let bins = hi - lo + 1;
    let bin_w = pw / bins as f64;
    let edge = |b: usize| if b == 0 { "0".to_string() } else { edge_label(LATENCY_EDGES[b - 1]) };
    for b in lo..=hi {
        let bx = left + (b - lo) as f64 * bin_w;
        let range = if b == nbins - 1 { format!("≥ {} ms", edge(b)) } else { format!("{}–{} ms", edge(b), edge_label(LATENCY_EDGES[b])) };
        let inner = bin_w * 0.8;
        let bw = inner / series.len().max(1) as f64;
        for (j, (name, fill, counts, _)) in series.iter().enumerate() {
            let h = counts[b] as f64 / y_max * ph;
            w!(
                o,
                "<rect class=\"mark\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\"><title>{name}: {} question(s) in {}</title></rect>",
                c(bx + bin_w * 0.1 + j as f64 * bw),
                c(top + ph - h),
                c((bw - 1.0).max(1.0)),
                c(h),
                counts[b],
                esc(&range)
            );
        }
        w!(o, "<line class=\"axis\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>", c(bx), c(top + ph), c(bx), c(top + ph + 4.0));
        w!(o, "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"muted small\">{}</text>\n", c(bx), c(top + ph + 16.0), esc(&edge(b)));
    }
    let last = if hi == nbins - 1 { "∞".to_string() } else { edge_label(LATENCY_EDGES[hi]) };
    w!(o, "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"muted small\">{}</text>\n", c(right), c(top + ph + 16.0), esc(&last));
    if max_count == 0 {
        no_data(o, left + pw / 2.0, top + ph / 2.0, "no latency figures");
    }
    w!(o, "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"muted\">milliseconds per question</text>\n", c(left + pw / 2.0), c(top + ph + 34.0));
    w!(o, "<text transform=\"translate(14 {}) rotate(-90)\" text-anchor=\"middle\" class=\"muted\">questions</text>\n", c(top + ph / 2.0));
    w!(o, "</svg>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{DatasetComparison, PeerFigures, QuestionChange, REPORT_VERSION};
    use crate::{AnswerReport, CitedClause, Metrics, RetrievalReport, RetrievedPassage};
    use std::collections::BTreeMap;

    const HOSTILE: &str = "<script>alert(1)</script> 工资|奖金 \"引号\" 'x' & y";

    fn passage(id: &str, label: &str, text: &str) -> RetrievedPassage {
        RetrievedPassage { id: id.into(), label: label.into(), text: text.into() }
    }

    fn question(id: &str, kind: &str, text: &str, gold: &[&str], rank: Option<usize>, millis: f64) -> QuestionResult {
        QuestionResult {
            id: id.into(),
            kind: kind.into(),
            question: text.into(),
            gold: gold.iter().map(|g| g.to_string()).collect(),
            rank,
            millis,
            retrieved: vec![
                passage("p1", "《关于提高技术工人待遇的意见》（三）", "健全技能导向的薪酬分配制度。\n强化工资收入分配的技能价值激励导向，确保60%以上用于一线职工。"),
                passage("p2", "《意见》（四）", "第二段"),
                passage("p3", "《意见》（五）", "第三段"),
                passage("p4", "《意见》（六）", "第四段"),
            ],
            clause_found: None,
        }
    }

    fn metrics(n: usize, r1: f64, r5: f64, mrr: f64) -> Metrics {
        Metrics { questions: n, recall_at_1: r1, recall_at_5: r5, mrr_at_10: mrr }
    }

    fn retrieval(name: &str, top_k: usize, questions: Vec<QuestionResult>, per_kind: BTreeMap<String, Metrics>) -> RetrievalReport {
        RetrievalReport {
            dataset: name.into(),
            top_k,
            overall: metrics(questions.iter().filter(|q| !q.gold.is_empty()).count(), 0.5, 0.75, 0.6),
            recall_curve: (1..=top_k).map(|k| (0.5 + 0.05 * k as f64).min(1.0)).collect(),
            per_kind,
            latency_median_ms: 0.8,
            latency_p99_ms: 3.5,
            questions,
        }
    }

    fn answer(id: &str, kind: &str, text: &str, refused: bool, citations: Vec<CitedClause>, missing: &[&str], millis: f64) -> AnswerResult {
        AnswerResult {
            id: id.into(),
            kind: kind.into(),
            question: format!("问题 {id}"),
            answer: text.into(),
            refused,
            mode: "extractive".into(),
            fallback: None,
            supported_share: None,
            warnings: vec![],
            evidence: 0.5,
            citations,
            facts_found: vec![],
            facts_missing: missing.iter().map(|f| f.to_string()).collect(),
            flags: 0,
            millis,
            faithfulness_model_judged: None,
            judge_notes: vec![],
        }
    }

    fn cite(label: &str, has_gold: bool) -> CitedClause {
        CitedClause { marker: 1, label: label.into(), quote: "确保60%".into(), has_gold, quote_in_clause: true }
    }

    fn full_report() -> EvalReport {
        let mut kinds = BTreeMap::new();
        kinds.insert("lookup".to_string(), metrics(2, 0.5, 1.0, 0.75));
        kinds.insert("paraphrase".to_string(), metrics(1, 0.0, 0.0, 0.0));
        let seed = DatasetReport {
            name: "eval/datasets/seed_dev.jsonl".into(),
            retrieval: retrieval(
                "seed_dev",
                10,
                vec![
                    question("s1", "lookup", "职工培训经费最少用于一线的比例？", &["确保60%以上用于一线职工"], Some(1), 0.4),
                    question("s2", "lookup", HOSTILE, &["金|额\n第二行"], Some(7), 1.2),
                    question("s3", "paraphrase", "没找到的问题", &["不存在的金句"], None, 25.0),
                    question("s4", "unanswerable", "火星上的补贴是多少？", &[], None, 0.3),
                ],
                kinds,
            ),
            answers: Some(AnswerReport {
                dataset: "seed_dev".into(),
                overall: AnswerMetrics {
                    answerable: 3,
                    unanswerable: 1,
                    citation_precision: 0.667,
                    fact_recall: 0.5,
                    refusal_accuracy: 0.0,
                    false_refusal_rate: 0.333,
                    answers_with_citation: 1.0,
                    quotes_in_clause: 1.0,
                    flagged_sentences: 1,
                    latency_median_ms: 2.0,
                    latency_p99_ms: 40.0,
                    faithfulness_model_judged: Some(0.875),
                    judged: 2,
                    ..Default::default()
                },
                questions: vec![
                    answer("s1", "lookup", "确保60%以上用于一线职工[1]。", false, vec![cite("《意见》（三）", true)], &[], 1.5),
                    answer("s2", "lookup", &format!("{HOSTILE}[1]"), false, vec![cite("《无关通知》（九）", false)], &["奖金"], 2.0),
                    answer("s3", "paraphrase", "资料中没有找到。", true, vec![], &["金句"], 0.9),
                    answer("s4", "unanswerable", &"很长的回答。".repeat(60), false, vec![cite("《意见》（三）", false)], &[], 40.0),
                ],
            }),
            peer: Some(PeerFigures { recall_at_1: 0.4, recall_at_5: 0.7, mrr_at_10: 0.5, latency_median_ms: 8.0, latency_p99_ms: 25.0, ..Default::default() }),
        };
        let laws = DatasetReport {
            name: "eval/datasets/laws_dev.jsonl".into(),
            retrieval: retrieval("laws_dev", 5, vec![question("l1", "clause_ref", "劳动法第三条？", &["劳动者享有平等就业"], Some(2), 0.6)], BTreeMap::new()),
            answers: None,
            peer: None,
        };
        let m = |metric: &str, before: f64, after: f64, higher_is_better: bool| MetricChange { metric: metric.into(), before, after, higher_is_better };
        EvalReport {
            version: REPORT_VERSION,
            generated_at: "2026-05-01T08:00:00Z".into(),
            target: "in-process".into(),
            retrieval_mode: "BM25".into(),
            answer_mode: Some("extractive".into()),
            half: None,
            datasets: vec![seed, laws],
            baseline: Some(Comparison {
                path: "old/report.json".into(),
                generated_at: "2026-04-01T08:00:00Z".into(),
                datasets: vec![DatasetComparison {
                    name: "eval/datasets/seed_dev.jsonl".into(),
                    metrics: vec![m("Recall@1", 0.4, 0.5, true), m("Recall@5", 0.8, 0.75, true), m("search median ms", 0.8, 0.8, false), m("false-refusal rate", 0.5, 0.333, false)],
                    better: vec![QuestionChange { id: "s1".into(), question: "职工培训经费最少用于一线的比例？".into(), change: "rank 3 → rank 1".into() }],
                    worse: vec![QuestionChange { id: "s2".into(), question: HOSTILE.into(), change: "answer right → wrong".into() }],
                }],
            }),
        }
    }

    /// Every `<tag` has its `</tag>` (for the container elements the page uses).
    fn balanced(html: &str) {
        for tag in ["svg", "table", "section", "figure", "tr", "td", "ul", "ol", "li", "g", "text", "title", "div", "main", "style"] {
            let open = html.matches(&format!("<{tag}>")).count() + html.matches(&format!("<{tag} ")).count();
            let close = html.matches(&format!("</{tag}>")).count();
            assert_eq!(open, close, "<{tag}> opened {open} times, closed {close} times");
        }
    }

    fn no_external_reference(html: &str) {
        assert!(!html.contains("http://") && !html.contains("https://"), "a URL in the page");
        assert!(!html.contains("src="), "a src attribute");
        assert!(!html.contains("url("), "a CSS url()");
        assert!(!html.contains("@import"), "a CSS import");
        for (i, _) in html.match_indices("href=") {
            assert!(html[i..].starts_with("href=\"#"), "an href to something other than an anchor: {}", &html[i..(i + 40).min(html.len())]);
        }
    }

    fn charts(html: &str) -> Vec<String> {
        html.match_indices("<svg ")
            .map(|(i, _)| {
                let tag = &html[i..i + html[i..].find('>').unwrap()];
                assert!(tag.contains("class=\"chart\""), "{tag}");
                let from = tag.find("data-chart=\"").expect("data-chart") + 12;
                tag[from..from + tag[from..].find('"').unwrap()].to_string()
            })
            .collect()
    }

    #[test]
    fn html_has_the_four_charts_escapes_everything_and_requests_nothing() {
        let report = full_report();
        let page = html(&report);
        assert!(page.starts_with("<!doctype html>"));
        assert!(page.contains("<meta charset=\"utf-8\">"));
        assert!(page.contains("\"Noto Sans CJK SC\",\"WenQuanYi Zen Hei\"") || page.contains("\"Noto Sans CJK SC\", \"WenQuanYi Zen Hei\""));
        assert_eq!(charts(&page), ["recall-curve", "per-kind", "answers", "latency"]);
        no_external_reference(&page);
        balanced(&page);
        assert!(!page.contains("<script"), "no script at all, and the question's is escaped");
        assert!(!page.contains("alert(1)</"));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; 工资|奖金 &quot;引号&quot; &#39;x&#39; &amp; y"));
        // A polyline per dataset, a point per k.
        assert_eq!(page.matches("<polyline class=\"mark\"").count(), 2);
        assert!(page.contains("Recall@10 = "));
        // The misses table: the rank-7 question, the never-found one, the wrong answers.
        assert_eq!(page.matches("<table class=\"misses\"").count(), 2);
        for why in [
            "gold not in top 5 (rank 7)",
            "gold not in top 10",
            "cited clause without gold: 《无关通知》（九）",
            "fact missing: 奖金",
            "should have refused",
            "refused an answerable question",
        ] {
            assert!(page.contains(&esc(why)), "{why}");
        }
        assert!(page.contains("<span class=\"badge\">refused</span>"));
        assert!(page.contains("class=\"bad\" title=\"cited clause holds no gold span\""));
        // The peer and the ratio.
        assert!(page.contains("peer (jieba + rank_bm25)") && page.contains("1.25×"));
        // The change since the baseline, with coloured deltas and the question lists.
        assert!(page.contains("Change since old/report.json"));
        assert!(page.contains("delta good\">+0.100 ▲") && page.contains("delta bad\">-0.050 ▼") && page.contains("delta same\">+0.00 ="));
        assert!(page.contains("delta good\">-0.167 ▲"), "a lower false-refusal rate is better");
        assert!(page.contains("rank 3 → rank 1") && page.contains("answer right → wrong"));
    }

    #[test]
    fn html_charts_cope_with_one_dataset_no_answers_no_kinds_and_nothing_at_all() {
        let mut report = full_report();
        report.datasets.remove(0);
        report.baseline = None;
        report.answer_mode = None;
        let page = html(&report);
        assert_eq!(charts(&page), ["recall-curve", "per-kind", "latency"], "no answers chart without answers");
        assert!(!page.contains("Change since"));
        no_external_reference(&page);
        balanced(&page);
        assert!(page.contains("No per-kind figures."));
        assert!(page.contains("<table class=\"misses\""), "the misses table is there even when empty");

        // Three datasets, one with top_k 1 and no questions at all.
        let mut three = full_report();
        let mut empty = three.datasets[1].clone();
        empty.name = "empty.jsonl".into();
        empty.retrieval = retrieval("empty", 1, vec![], BTreeMap::new());
        three.datasets.push(empty);
        let html3 = html(&three);
        assert_eq!(charts(&html3), ["recall-curve", "per-kind", "answers", "latency"]);
        assert_eq!(html3.matches("<polyline class=\"mark\"").count(), 3);
        balanced(&html3);

        // No dataset at all: still a page, with charts that say so.
        let mut none = full_report();
        none.datasets.clear();
        none.baseline = None;
        let html0 = html(&none);
        assert_eq!(charts(&html0), ["recall-curve", "per-kind", "latency"]);
        assert!(html0.contains("no recall figures") && html0.contains("no latency figures"));
        assert!(!html0.contains("NaN") && !html0.contains("=\"inf"));
        balanced(&html0);
        assert!(markdown(&none).contains("- datasets: 0"));
    }

    #[test]
    fn markdown_has_the_tables_the_misses_and_the_baseline() {
        let md = markdown(&full_report());
        assert!(md.starts_with("# policyqa evaluation\n"));
        assert!(md.contains("- generated: 2026-05-01T08:00:00Z\n- target: in-process\n- retrieval: BM25\n- answers: extractive\n"));
        assert!(md.contains("## eval/datasets/seed_dev.jsonl\n"));
        assert!(md.contains("| faithfulness, MODEL-JUDGED (not measured) | 0.875 over 2 answers |"), "{md}");
        assert!(md.contains("| | Recall@1 | Recall@5 | MRR@10 | median ms | p99 ms |\n|---|---:|---:|---:|---:|---:|\n| policyqa | 0.500 | 0.750 | 0.600 | 0.80 | 3.50 |\n"));
        assert!(md.contains("| peer (jieba + rank_bm25) | 0.400 | 0.700 | 0.500 | 8.00 | 25.00 |\n"));
        assert!(md.contains("| policyqa / peer | 1.25× | 1.07× | 1.20× | 0.10× | 0.14× |\n"));
        assert!(md.contains("| lookup | 2 | 0.500 | 1.000 | 0.750 |\n"));
        assert!(md.contains("_No per-kind figures._"), "laws has no kinds");
        assert!(md.contains("| citation precision | 0.667 |"));
        assert_eq!(md.matches("| id | question | gold span | top retrieved | answer | why |").count(), 1);
        assert!(md.contains("### Misses (3)") && md.contains("### Misses (0)\n\n_None._"));
        // The hostile question: its pipe escaped, the gold span's line break gone.
        assert!(md.contains("| s2 | <script>alert(1)</script> 工资\\|奖金 \"引号\" 'x' & y | 金\\|额 第二行 | 《关于提高技术工人待遇的意见》（三） |"));
        // The long answer is shortened.
        let s4 = md.lines().find(|l| l.starts_with("| s4 |")).unwrap();
        assert!(s4.contains("…") && s4.chars().count() < 400, "{s4}");
        assert!(s4.contains("should have refused"));
        assert!(md.contains("(refused) 资料中没有找到。"));
        // Every table row has as many cells as its header.
        for line in md.lines().filter(|l| l.starts_with("| s") && l.as_bytes()[3].is_ascii_digit()) {
            assert_eq!(line.replace("\\|", "").matches('|').count(), 7, "{line}");
        }
        // The baseline.
        assert!(md.contains("## Change since old/report.json\n"));
        assert!(md.contains("| Recall@1 | 0.400 | 0.500 | +0.100 ▲ |"));
        assert!(md.contains("| Recall@5 | 0.800 | 0.750 | -0.050 ▼ |"));
        assert!(md.contains("| search median ms | 0.80 | 0.80 | +0.00 = |"));
        assert!(md.contains("**Better (1)**\n\n- `s1` rank 3 → rank 1: 职工培训经费最少用于一线的比例？"));
        assert!(md.contains("**Worse (1)**\n\n- `s2` answer right → wrong: "));
    }
}
