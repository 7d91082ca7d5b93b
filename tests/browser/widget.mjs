// The chat widget in headless Chromium (Debian's /usr/bin/chromium through playwright-core;
// no browser is downloaded). Usage: node widget.mjs http://127.0.0.1:PORT ARTIFACT_DIR
// Run by tests/browser.rs against a `policyqa serve` it started. Three pages:
//   1. the demo page (GET /): ask about the seed page, wait for the streamed answer, click a
//      citation marker, check the clause text with its highlighted quote;
//   2. a page on another origin with hostile CSS (all: unset !important, giant fonts, z-index
//      wars) embedding the widget by its script tag: the same flow;
//   3. the demo page on a 360 px wide viewport;
//   4. a page embedding the widget with data-key: its asks carry the bearer key;
//   5. the demo page's upload form: a web page printed to PDF goes in, and a citation of it
//      shows its page (第N页) and what the document states (文号, 发文机关, dates).
// Screenshots of each go to ARTIFACT_DIR.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const [base, artifacts] = process.argv.slice(2);
if (!base || !artifacts) {
  console.error("usage: node widget.mjs BASE_URL ARTIFACT_DIR");
  process.exit(2);
}
mkdirSync(artifacts, { recursive: true });
const QUESTION = "公司提的职工培训经费，最少得拿出几成花在一线工人身上？";

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
});

function check(cond, what) {
  if (!cond) throw new Error("check failed: " + what);
  console.log("ok:", what);
}

async function flow(page, name, { open }) {
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  if (open) await page.click("#pq-launcher");
  await page.waitForSelector("#pq-panel", { state: "visible", timeout: 10000 });
  await page.fill("#pq-input", QUESTION);
  await page.press("#pq-input", "Enter");
  const answer = page.locator(".pq-msg.pq-assistant").last();
  await page.waitForSelector('.pq-msg.pq-assistant[data-state="done"]', { timeout: 20000 });
  const text = await answer.innerText();
  check(text.includes("60%"), `${name}: the streamed answer arrived (${text.slice(0, 40)}…)`);
  const cite = answer.locator(".pq-cite").first();
  check((await cite.innerText()).trim() === "[1]", `${name}: the answer carries citation marker [1]`);
  await cite.click();
  await page.waitForSelector("#pq-detail .pq-detail-text", { state: "visible", timeout: 5000 });
  const label = await page.locator("#pq-detail .pq-detail-label").innerText();
  const quote = await page.locator("#pq-detail mark.pq-quote").innerText();
  check(label.includes("（十）"), `${name}: the citation opens its clause (${label})`);
  check(quote.includes("60%"), `${name}: the supporting quote is highlighted (${quote})`);
  const box = await page.locator("#pq-panel").boundingBox();
  check(box && box.width > 200 && box.height > 200, `${name}: the panel is laid out (${box && Math.round(box.width)}x${box && Math.round(box.height)})`);
  const foreign = requests.filter((u) => !u.startsWith(base) && !u.startsWith("data:"));
  check(foreign.length === 0, `${name}: no request to any other host (${foreign.join(", ")})`);
  await page.screenshot({ path: `${artifacts}/${name}.png` });
  return box;
}

try {
  // 1. The demo page, desktop.
  {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(base + "/");
    await flow(page, "demo", { open: false });
    // A server error shows plainly with a retry that works.
    await page.route(base + "/v1/ask", (route) => route.fulfill({ status: 503, contentType: "application/json", body: '{"error":{"code":"index_unavailable","message":"x"}}' }), { times: 1 });
    await page.fill("#pq-input", "意见第十四条讲了什么");
    await page.press("#pq-input", "Enter");
    await page.waitForSelector('.pq-msg.pq-assistant[data-state="error"]', { timeout: 10000 });
    const failed = await page.locator('.pq-msg.pq-assistant[data-state="error"]').last().innerText();
    check(failed.includes("服务出错"), `a 5xx is shown plainly (${failed.trim().slice(0, 30)})`);
    await page.locator(".pq-retry").last().click();
    await page.waitForFunction(() => {
      const m = [...document.querySelector("#policyqa-widget").shadowRoot.querySelectorAll(".pq-msg.pq-assistant")].pop();
      return m && m.dataset.state === "done" && m.innerText.includes("经济收入");
    }, null, { timeout: 20000 });
    check(true, "retry asks again and the answer arrives");
    // The consulted sources list each passage's label once: a news piece's paragraphs are one
    // entry with a button per paragraph.
    await page.fill("#pq-input", "巨灾保险这几年有什么进展？");
    await page.press("#pq-input", "Enter");
    await page.waitForFunction(() => {
      const m = [...document.querySelector("#policyqa-widget").shadowRoot.querySelectorAll(".pq-msg.pq-assistant")].pop();
      return m && (m.dataset.state === "done" || m.dataset.state === "refused") && m.querySelector(".pq-consulted");
    }, null, { timeout: 20000 });
    const entries = await page.locator(".pq-msg.pq-assistant").last().locator(".pq-consulted li > .pq-src-i:first-child").allInnerTexts();
    const labels = entries.map((t) => t.split(" · ")[0].trim());
    check(labels.length > 0 && new Set(labels).size === labels.length, `each consulted label appears once (${labels.join(" | ")})`);
    const parts = await page.locator(".pq-msg.pq-assistant").last().locator(".pq-consulted .pq-part").allInnerTexts();
    check(parts.length >= 2 && parts.every((t) => /^第\d+段$/.test(t)), `a piece's paragraphs are one entry with their numbers (${parts.join(" ")})`);
    // Esc closes and gives focus back to the launcher.
    await page.focus("#pq-input");
    await page.keyboard.press("Escape");
    await page.waitForSelector("#pq-panel", { state: "hidden", timeout: 5000 });
    const focused = await page.evaluate(() => document.querySelector("#policyqa-widget").shadowRoot.activeElement?.id);
    check(focused === "pq-launcher", "Esc closes the panel and focuses the launcher");
    await page.close();
  }
  // 2. Hostile CSS. The page is injected by the browser at a path of the server's origin:
  //    Chromium's local-network-access rules block any other origin from loading a loopback
  //    script without a permission prompt (cross-origin API use is checked by the CORS test
  //    in crates/server/tests/http.rs).
  {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const hostile = `<!doctype html><html><head><meta charset="utf-8"><style>
      * { all: unset !important; }
      html, body { font-size: 64px !important; line-height: 5 !important; }
      div, button, textarea, section { z-index: 2147483647 !important; position: relative !important; color: red !important; }
      .cover { position: fixed !important; inset: 0 !important; z-index: 2147483647 !important; pointer-events: none !important; }
    </style></head><body><h1>一个样式很乱的页面</h1><p>${"正文".repeat(200)}</p><div class="cover"></div>
    <script src="/widget.js" data-title="政策问答"></script></body></html>`;
    await page.route(base + "/__hostile.html", (route) => route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: hostile }));
    await page.goto(base + "/__hostile.html");
    const box = await flow(page, "hostile-css", { open: true });
    check(box.width < 700, "hostile CSS does not blow the panel up");
    await page.close();
  }
  // 3. A 360 px wide phone.
  {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    await page.goto(base + "/");
    const box = await flow(page, "mobile-360", { open: false });
    check(box.x >= -1 && box.x + box.width <= 361, "the panel fits a 360 px viewport");
    await page.close();
  }
  // 4. A page embedding the widget with data-key (a server with POLICYQA_API_KEYS): every
  //    ask carries `Authorization: Bearer KEY` (the server's side of keys is tested in Rust).
  {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const key = "ask-key-from-the-page-0123";
    await page.route(base + "/__keyed.html", (route) => route.fulfill({ status: 200, contentType: "text/html; charset=utf-8",
      body: `<!doctype html><meta charset="utf-8"><p>带密钥的页面</p><script src="/widget.js" data-key="${key}"></script>` }));
    const seen = [];
    await page.route(base + "/v1/ask", (route) => { seen.push(route.request().headers()["authorization"]); route.continue(); });
    await page.goto(base + "/__keyed.html");
    await flow(page, "keyed", { open: true });
    check(seen.length > 0 && seen.every((h) => h === "Bearer " + key), `the widget sends its data-key (${seen.length} ask(s))`);
    await page.close();
  }
  // 5. Upload through the demo page, then ask about what was uploaded.
  {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(base + "/");
    const pdf = fileURLToPath(new URL("../../eval/corpus/formats/pdf_browser/govcn.pdf", import.meta.url));
    await page.setInputFiles("#upload-file", pdf);
    await page.click("#upload-send");
    await page.waitForFunction(() => /已加入|未能加入/.test(document.querySelector("#upload-result").textContent), null, { timeout: 30000 });
    const result = await page.locator("#upload-result").innerText();
    check(result.includes("已加入") && result.includes("国务院办公厅关于进一步推进老年助餐服务发展的通知") && result.includes("pdf"), `the upload form indexes a PDF (${result.slice(0, 60)}…)`);
    await page.fill("#pq-input", "老年助餐上门送餐的半径原则上不超过多少公里？");
    await page.press("#pq-input", "Enter");
    const answer = page.locator(".pq-msg.pq-assistant").last();
    await page.waitForSelector('.pq-msg.pq-assistant[data-state="done"]', { timeout: 20000 });
    await answer.locator(".pq-cite").first().click();
    await page.waitForSelector("#pq-detail .pq-detail-text", { state: "visible", timeout: 5000 });
    const label = await page.locator("#pq-detail .pq-detail-label").innerText();
    const meta = await page.locator("#pq-detail .pq-detail-meta").innerText();
    check(/第\d+(–\d+)?页$/.test(label.trim()) && label.includes("第二部分"), `the citation of a PDF names its page (${label})`);
    check(meta.includes("国办发〔2025〕8号") && meta.includes("国务院办公厅") && meta.includes("发布日期 2025年02月25日"), `the citation view shows the document's metadata (${meta})`);
    await page.screenshot({ path: `${artifacts}/upload-cite.png` });
    await page.close();
  }
  console.log("browser tests: all passed");
} catch (e) {
  console.error(e);
  process.exitCode = 1;
} finally {
  await browser.close();
}
