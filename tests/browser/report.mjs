// The evaluation report (report.html written by `policyqa eval --report DIR`) in headless
// Chromium (Debian's /usr/bin/chromium through playwright-core; no browser is downloaded).
// Usage: node report.mjs REPORT_HTML SCREENSHOT_PNG
// Run by tests/browser.rs. Checks that:
//   - the page makes no request but the one for its own file (no font, CDN, image, script);
//   - no script error is raised;
//   - each chart (svg.chart) is laid out and draws its data (a rect, polyline, path or circle
//     of non-zero size among its marks), and the expected charts are there;
//   - the misses table is there, and the page does not overflow a 1280 px viewport;
// then takes a full-page screenshot.
import { chromium } from "playwright-core";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [reportPath, shotPath] = process.argv.slice(2);
if (!reportPath || !shotPath) {
  console.error("usage: node report.mjs REPORT_HTML SCREENSHOT_PNG");
  process.exit(2);
}
if (!existsSync(reportPath)) {
  console.error(`report page failed: ${reportPath} does not exist`);
  process.exit(1);
}
mkdirSync(dirname(resolve(shotPath)), { recursive: true });
const url = pathToFileURL(resolve(reportPath)).href;

function check(cond, what) {
  if (!cond) throw new Error("check failed: " + what);
  console.log("ok:", what);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
});

try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const requests = [];
  const errors = [];
  page.on("request", (r) => requests.push(r.url()));
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.goto(url, { waitUntil: "networkidle", timeout: 20000 });

  check(requests.includes(url), `the page itself was loaded (${url})`);
  const foreign = requests.filter((u) => u !== url);
  check(foreign.length === 0, `no request other than the report itself (${foreign.length ? foreign.join(", ") : "none"})`);
  check(errors.length === 0, `no script or console error (${errors.join("; ") || "none"})`);

  const charts = await page.$$eval("svg.chart", (els) =>
    els.map((el) => {
      const box = el.getBoundingClientRect();
      const shapes = [...el.querySelectorAll("rect, polyline, path, circle")];
      const sized = (s) => {
        const b = s.getBoundingClientRect();
        return b.width > 0 && b.height > 0;
      };
      return {
        name: el.getAttribute("data-chart"),
        width: box.width,
        height: box.height,
        shapes: shapes.filter(sized).length,
        marks: shapes.filter((s) => s.classList.contains("mark")).filter(sized).length,
      };
    }),
  );
  const names = charts.map((c) => c.name);
  for (const want of ["recall-curve", "per-kind", "latency"]) {
    check(names.includes(want), `chart ${want} is on the page (charts: ${names.join(", ")})`);
  }
  const hasAnswers = (await page.locator("table.answers").count()) > 0;
  check(names.includes("answers") === hasAnswers, `the answers chart is there exactly when answers were evaluated (${hasAnswers})`);
  for (const c of charts) {
    check(c.width > 100 && c.height > 50, `chart ${c.name} is laid out (${Math.round(c.width)}x${Math.round(c.height)})`);
    check(c.shapes > 0 && c.marks > 0, `chart ${c.name} draws its data (${c.marks} marks of non-zero size, ${c.shapes} shapes)`);
  }

  const misses = page.locator("table.misses");
  check((await misses.count()) > 0, `the misses table is there (${await misses.count()} table(s))`);
  const headers = await misses.first().locator("thead th").allInnerTexts();
  check(headers.length === 7 && headers[0] === "id" && headers[6] === "why", `the misses table has its columns (${headers.join(", ")})`);

  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 1, `nothing overflows the 1280 px viewport (by ${overflow} px)`);

  await page.screenshot({ path: shotPath, fullPage: true });
  check(existsSync(shotPath), `full-page screenshot written to ${shotPath}`);
  console.log("report page: all passed");
} catch (e) {
  console.error("report page failed:", e.message || e);
  process.exitCode = 1;
} finally {
  await browser.close();
}
