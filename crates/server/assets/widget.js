/* policyqa chat widget: vanilla JS (ES2019), no dependencies, no build step.
 * <script src="https://HOST/widget.js" data-api-base="https://HOST" data-lang="zh"
 *   data-title="政策问答" data-placeholder="…" data-accent="#c0392b" data-open="false"
 *   data-key="ASK_ROLE_KEY"></script>
 * data-key: the server's `ask` key when it requires keys (public by nature: it can only ask).
 * Everything lives in an open Shadow DOM (hooks: #pq-launcher, #pq-panel, #pq-input, #pq-send,
 * #pq-messages, .pq-msg.pq-assistant[data-state], .pq-cite, #pq-detail, .pq-retry, #pq-new).
 * Server text only ever reaches the page through textContent / text nodes. */
(function () {
  "use strict";
  var W = window, D = document;
  if (W.PolicyQAWidget) return;

  var script = D.currentScript || (function () {
    var s = D.querySelectorAll("script[src]");
    for (var i = s.length - 1; i >= 0; i--) if (/widget\.js([?#]|$)/.test(s[i].src)) return s[i];
    return null;
  })();
  var ds = (script && script.dataset) || {};
  var base = ds.apiBase;
  if (!base) { try { base = new URL(script.src, location.href).origin; } catch (e) { base = location.origin; } }
  base = String(base).replace(/\/+$/, "");
  var EN = /^en/i.test(ds.lang || "");
  var T = EN ? {
    title: "Policy Q&A", ph: "Ask about the policy documents…", send: "Send", open: "Open policy Q&A",
    close: "Close", nw: "New conversation", cite: "Citation ", cited: "Cited", cons: "Consulted",
    para: function (n) { return "¶" + n; }, part: function (n) { return "part " + n; },
    wait: "Searching…", found: function (n) { return "Found " + n + " clauses, answering…"; },
    net: "Cannot reach the service", busy: "Too many requests, please try again later",
    srv: "Service error", http: "Request failed", cut: "The answer was interrupted", retry: "Retry",
    hello: "Ask a question about the policy documents. Answers cite the clauses they rely on.",
    written: "written ", published: "published ", effective: "in force from ", src: "Source"
  } : {
    title: "政策问答", ph: "请输入关于政策文件的问题…", send: "发送", open: "打开政策问答",
    close: "关闭", nw: "新对话", cite: "引用 ", cited: "引用", cons: "参考",
    para: function (n) { return "第" + n + "段"; }, part: function (n) { return "第" + n + "部分"; },
    wait: "正在检索…", found: function (n) { return "已检索到 " + n + " 条条款，正在作答…"; },
    net: "无法连接服务", busy: "请求过于频繁，请稍后再试",
    srv: "服务出错", http: "请求失败", cut: "回答中断", retry: "重试",
    hello: "您好！请提出关于政策文件的问题，回答会注明所依据的条款。",
    written: "成文日期 ", published: "发布日期 ", effective: "施行日期 ", src: "原文"
  };
  var title = ds.title || T.title, ph = ds.placeholder || T.ph;
  var accent = ds.accent || "";
  if (!/^[#\w(),.%\s-]+$/.test(accent) || !(W.CSS && CSS.supports && CSS.supports("color", accent))) accent = "#c0392b";
  var KEY = "policyqa-widget:" + base;
  var RE = /\[(\d{1,3}(?:\s*[,，、]\s*\d{1,3})*)\]/g;

  var CSS_TEXT =
    ":host{all:initial!important;display:block!important;position:fixed!important;z-index:2147483000!important;" +
    "top:auto!important;left:auto!important;bottom:0!important;right:0!important;width:0!important;height:0!important;" +
    "font-size:14px!important;line-height:1.5!important;color:#222!important;--a:" + accent + "!important;" +
    "font-family:system-ui,-apple-system,'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',sans-serif!important}" +
    "*{box-sizing:border-box;margin:0;padding:0;font:inherit;color:inherit;letter-spacing:normal;text-transform:none}" +
    "[hidden]{display:none!important}button{cursor:pointer;border:0;background:none;text-align:inherit}" +
    "button:focus-visible,textarea:focus-visible{outline:2px solid var(--a);outline-offset:2px}" +
    "#pq-launcher{position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;background:var(--a);color:#fff;" +
    "display:flex;align-items:center;justify-content:center;box-shadow:0 4px 14px rgba(0,0,0,.25)}" +
    "#pq-launcher svg{width:26px;height:26px;fill:currentColor}" +
    "#pq-panel{position:fixed;right:20px;bottom:88px;width:380px;height:600px;max-height:calc(100vh - 108px);background:#fff;" +
    "border-radius:12px;box-shadow:0 8px 32px rgba(0,0,0,.28);display:flex;flex-direction:column;overflow:hidden}" +
    ".pq-head{display:flex;align-items:center;gap:6px;padding:10px 12px;background:var(--a);color:#fff}" +
    ".pq-head h2{flex:1;font-size:16px;font-weight:600;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}" +
    ".pq-hb{padding:4px 8px;border-radius:6px;font-size:13px}.pq-hb:hover{background:rgba(255,255,255,.2)}" +
    ".pq-x{font-size:20px;line-height:1;padding:2px 6px;border-radius:6px}" +
    "#pq-messages{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:10px;overscroll-behavior:contain}" +
    ".pq-hello,.pq-status{color:#666}" +
    ".pq-msg{max-width:92%;padding:8px 12px;border-radius:10px;white-space:pre-wrap;overflow-wrap:anywhere}" +
    ".pq-user{align-self:flex-end;background:var(--a);color:#fff}" +
    ".pq-assistant{align-self:flex-start;background:#f2f3f5}" +
    ".pq-assistant[data-state=refused]{background:#fafafa;border:1px dashed #ccc;color:#666}" +
    ".pq-cite{color:var(--a);font-size:12px;font-weight:600;vertical-align:super;line-height:1;padding:0 1px;border-radius:3px}" +
    ".pq-cite:hover{text-decoration:underline}" +
    ".pq-src{margin-top:8px;font-size:12px;white-space:normal}.pq-src-h{font-weight:600;color:#555}.pq-src ul{list-style:none}" +
    ".pq-src-i{color:#1a4f8b;padding:2px 0}.pq-src-i:hover{text-decoration:underline}.pq-consulted .pq-src-i{color:#555}.pq-part{margin-left:6px;font-size:12px}.pq-doc{color:#888}" +
    ".pq-err{margin-top:6px;color:#b00020;display:flex;gap:8px;align-items:center;flex-wrap:wrap;white-space:normal}" +
    ".pq-retry{border:1px solid currentColor;border-radius:6px;padding:2px 10px}" +
    "#pq-detail{position:absolute;left:0;right:0;bottom:0;max-height:65%;overflow-y:auto;background:#fff;" +
    "border-top:3px solid var(--a);box-shadow:0 -6px 20px rgba(0,0,0,.15);padding:12px}" +
    ".pq-detail-head{display:flex;gap:8px;align-items:flex-start}.pq-detail-label{flex:1;font-weight:600}" +
    ".pq-detail-doc,.pq-detail-meta{color:#777;font-size:12px}.pq-detail-meta a{color:var(--a);text-decoration:underline}.pq-detail-text{margin-top:8px;white-space:pre-wrap;overflow-wrap:anywhere}" +
    "mark.pq-quote{background:#ffe98a;color:inherit;padding:0 1px}" +
    ".pq-form{display:flex;gap:8px;padding:10px;border-top:1px solid #e5e5e5;align-items:flex-end}" +
    "#pq-input{flex:1;resize:none;border:1px solid #ccc;border-radius:8px;padding:8px;min-height:38px;max-height:120px;background:#fff;color:#222}" +
    "#pq-send{background:var(--a);color:#fff;border-radius:8px;padding:0 14px;height:38px;white-space:nowrap}" +
    "#pq-send:disabled{opacity:.5;cursor:default}" +
    "@media (max-width:479px){#pq-panel{top:0;left:0;right:0;bottom:0;width:auto;height:auto;max-height:none;border-radius:0}" +
    "#pq-panel:not([hidden])+#pq-launcher{display:none}#pq-input{font-size:16px}}";

  function h(tag, props, kids) {
    var e = D.createElement(tag);
    for (var k in props || {}) {
      var v = props[k];
      if (v == null || v === false) continue;
      if (k === "text") e.textContent = v;
      else if (k === "click") e.addEventListener("click", v);
      else e.setAttribute(k, v === true ? "" : v);
    }
    (kids || []).forEach(function (c) { if (c != null) e.appendChild(typeof c === "string" ? D.createTextNode(c) : c); });
    return e;
  }

  // ---- state ----
  var msgs = load(), busy = null, isOpen = false, dFrom = null;

  function load() {
    try {
      var a = JSON.parse(sessionStorage.getItem(KEY) || "[]");
      return Array.isArray(a) ? a.filter(function (m) { return m && typeof m.content === "string"; }).map(function (m) {
        if (m.state === "streaming") { m.state = "error"; m.error = T.cut; }
        return m;
      }) : [];
    } catch (e) { return []; }
  }
  function save() {
    try { sessionStorage.setItem(KEY, JSON.stringify(msgs.slice(-40), function (k, v) { return k === "el" ? undefined : v; })); } catch (e) { /* storage off or full */ }
  }
  // Finished exchanges before message index `end`, as the API's history (last 10 turns).
  function history(end) {
    var out = [];
    for (var i = 1; i < end; i++) {
      var a = msgs[i], u = msgs[i - 1];
      if (a.role === "assistant" && u.role === "user" && (a.state === "done" || a.state === "refused") && a.content)
        out.push({ role: "user", content: u.content }, { role: "assistant", content: a.content });
    }
    return out.slice(-10);
  }

  // ---- DOM ----
  var host = h("policyqa-widget", { id: "policyqa-widget" });
  var root = host.attachShadow({ mode: "open" });
  var svg = D.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  var path = D.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6v2h2V9zm4 0v2h2V9zm4 0v2h2V9z");
  svg.appendChild(path);
  var launcher = h("button", { id: "pq-launcher", type: "button", "aria-expanded": "false", "aria-controls": "pq-panel",
    "aria-label": T.open, title: title, click: function () { if (isOpen) close(); else open(true); } }, [svg]);
  var list = h("div", { id: "pq-messages", "aria-live": "polite", "aria-busy": "false" });
  var dLabel = h("div", { "class": "pq-detail-label" }), dDoc = h("div", { "class": "pq-detail-doc" });
  var dMeta = h("div", { "class": "pq-detail-meta" });
  var dText = h("div", { "class": "pq-detail-text" });
  var dClose = h("button", { type: "button", "class": "pq-x", "aria-label": T.close, text: "×", click: closeDetail });
  var detail = h("div", { id: "pq-detail", role: "region", "aria-label": T.cite.trim(), hidden: true },
    [h("div", { "class": "pq-detail-head" }, [dLabel, dClose]), dDoc, dMeta, dText]);
  var input = h("textarea", { id: "pq-input", rows: "1", placeholder: ph, "aria-label": ph });
  var send = h("button", { id: "pq-send", type: "submit", text: T.send });
  var form = h("form", { "class": "pq-form" }, [input, send]);
  var panel = h("div", { id: "pq-panel", role: "dialog", "aria-modal": "true", "aria-label": title, hidden: true }, [
    h("div", { "class": "pq-head" }, [
      h("h2", { text: title }),
      h("button", { id: "pq-new", type: "button", "class": "pq-hb", text: T.nw, click: newConversation }),
      h("button", { id: "pq-close", type: "button", "class": "pq-x", "aria-label": T.close, text: "×", click: close })
    ]), list, detail, form
  ]);
  root.appendChild(h("style", { text: CSS_TEXT }));
  root.appendChild(panel);
  root.appendChild(launcher);

  form.addEventListener("submit", function (e) { e.preventDefault(); submit(); });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) { e.preventDefault(); submit(); }
  });
  input.addEventListener("input", grow);
  root.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && isOpen) {
      e.preventDefault(); e.stopPropagation();
      if (!detail.hidden) closeDetail(); else close();
    } else if (e.key === "Tab" && isOpen && panel.contains(root.activeElement)) {
      var f = Array.prototype.filter.call(panel.querySelectorAll("button,textarea,[tabindex]"), function (x) {
        return !x.disabled && x.tabIndex >= 0 && x.getClientRects().length;
      });
      var i = f.indexOf(root.activeElement);
      if (!f.length) return;
      if (e.shiftKey && i <= 0) { e.preventDefault(); f[f.length - 1].focus(); }
      else if (!e.shiftKey && (i < 0 || i === f.length - 1)) { e.preventDefault(); f[0].focus(); }
    }
  });

  function grow() { input.style.height = "auto"; input.style.height = Math.min(input.scrollHeight + 2, 120) + "px"; }
  function scroll() { list.scrollTop = list.scrollHeight; }
  function setBusy() { send.disabled = !!busy; list.setAttribute("aria-busy", busy ? "true" : "false"); }

  function open(focus) {
    isOpen = true; panel.hidden = false; launcher.setAttribute("aria-expanded", "true");
    scroll();
    if (focus) input.focus();
  }
  function close() {
    if (!isOpen) return;
    isOpen = false; detail.hidden = true; panel.hidden = true; launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  // ---- rendering ----
  function renderAll() {
    list.textContent = "";
    if (!msgs.length) list.appendChild(h("p", { "class": "pq-hello", text: T.hello }));
    msgs.forEach(function (m) { list.appendChild(m.el = h("div", { "class": "pq-msg pq-" + m.role })); update(m); });
    scroll();
  }
  function cit(m, n) {
    return (m.citations || []).filter(function (c) { return +c.marker === +n; })[0];
  }
  function update(m) {
    var el = m.el;
    el.textContent = "";
    if (m.role === "user") { el.textContent = m.content; return; }
    el.setAttribute("data-state", m.state);
    var body = h("div", { "class": "pq-body" });
    if (m.content) answerText(body, m);
    else if (m.state === "streaming") body.appendChild(h("span", { "class": "pq-status", text: m.passages ? T.found(m.passages.length) : T.wait }));
    el.appendChild(body);
    if (m.state === "error") {
      el.appendChild(h("div", { "class": "pq-err" }, [h("span", { text: m.error || T.srv }),
        h("button", { type: "button", "class": "pq-retry", text: T.retry, click: function () { retry(m); } })]));
    } else if (m.state === "done" || m.state === "refused") sources(el, m);
  }
  function answerText(body, m) {
    var s = m.content, last = 0, x;
    RE.lastIndex = 0;
    while ((x = RE.exec(s))) {
      var nums = x[1].split(/\s*[,，、]\s*/);
      if (m.state !== "streaming" && !nums.every(function (n) { return cit(m, n); })) continue;
      body.appendChild(D.createTextNode(s.slice(last, x.index)));
      nums.forEach(function (n) {
        n = +n;
        body.appendChild(h("button", { type: "button", "class": "pq-cite", "data-marker": n, "aria-label": T.cite + n,
          text: "[" + n + "]", click: function (e) { var c = cit(m, n); if (c) openDetail(c, e.currentTarget); } }));
      });
      last = RE.lastIndex;
    }
    body.appendChild(D.createTextNode(s.slice(last)));
  }
  function sources(el, m) {
    var seen = {}, ids = {}, cited = [];
    (m.citations || []).forEach(function (c) { if (!seen[c.marker]) { seen[c.marker] = 1; cited.push(c); } ids[c.id] = 1; });
    var cons = (m.passages || []).filter(function (p) { return !ids[p.id]; });
    if (cited.length) el.appendChild(group("pq-cited", T.cited, cited, true));
    if (cons.length) el.appendChild(consulted(cons));
  }
  // Consulted passages, one entry per label: a news piece's paragraphs (or a long clause's
  // parts) are one entry with their numbers, each opening its own text.
  function consulted(items) {
    var groups = [], by = {};
    items.forEach(function (p) {
      var k = p.label || p.id || "";
      if (!by[k]) { by[k] = []; groups.push(k); }
      by[k].push(p);
    });
    return h("div", { "class": "pq-src pq-consulted" }, [h("div", { "class": "pq-src-h", text: T.cons }), h("ul", null, groups.map(function (k) {
      var ps = by[k].slice().sort(function (a, b) { return (a.start || 0) - (b.start || 0); }), first = ps[0], doc = docOf(first);
      var parts = ps.length > 1 ? ps.map(function (p, i) {
        var n = p.part || i + 1, what = p.kind === "paragraph" ? T.para(n) : T.part(n);
        return h("button", { type: "button", "class": "pq-src-i pq-part", "data-part": n, text: what, click: function (e) { openDetail(p, e.currentTarget); } });
      }) : [];
      return h("li", null, [h("button", { type: "button", "class": "pq-src-i", click: function (e) { openDetail(first, e.currentTarget); } },
        [k, doc ? h("span", { "class": "pq-doc", text: " · " + doc }) : null])].concat(parts));
    }))]);
  }
  function group(cls, name, items, marked) {
    return h("div", { "class": "pq-src " + cls }, [h("div", { "class": "pq-src-h", text: name }), h("ul", null, items.map(function (c) {
      var doc = docOf(c);
      return h("li", null, [h("button", { type: "button", "class": "pq-src-i", click: function (e) { openDetail(c, e.currentTarget); } },
        [(marked ? "[" + c.marker + "] " : "") + (c.label || c.id || "") + pageOf(c), doc ? h("span", { "class": "pq-doc", text: " · " + doc }) : null])]);
    }))]);
  }
  function docOf(c) { return c.doc_title && String(c.label || "").indexOf(c.doc_title) < 0 ? c.doc_title : ""; }
  // A clause of a PDF says which page(s) it is on: " 第3页", " 第3–4页".
  function pageOf(c) { return c.page ? " 第" + c.page + (c.page_end && c.page_end !== c.page ? "–" + c.page_end : "") + "页" : ""; }

  function openDetail(c, from) {
    dFrom = from;
    dLabel.textContent = (c.label || c.id || "") + pageOf(c);
    dDoc.textContent = docOf(c);
    showMeta(c.metadata || {});
    dText.textContent = "";
    var t = String(c.text || c.quote || ""), q = c.quote, s = c.quote_start, e = c.quote_end, mid = "", pre, post;
    var ch = Array.from(t);
    if (typeof s === "number" && typeof e === "number" && s >= 0 && s < e && e <= ch.length) {
      pre = ch.slice(0, s).join(""); mid = ch.slice(s, e).join(""); post = ch.slice(e).join("");
    } else if (q && (s = t.indexOf(q)) >= 0) {
      pre = t.slice(0, s); mid = q; post = t.slice(s + q.length);
    }
    var mark = mid ? h("mark", { "class": "pq-quote", text: mid }) : null;
    if (mark) dText.append(pre, mark, post); else dText.textContent = t;
    detail.hidden = false;
    dClose.focus();
    if (mark && mark.scrollIntoView) mark.scrollIntoView({ block: "nearest" });
  }
  // What the clause's document states about itself: 国办发〔2025〕8号 · 国务院办公厅 · 发布日期 …,
  // and a link to where it was published (http(s) only).
  function showMeta(m) {
    var parts = [m.doc_number, m.issuer, m.written && T.written + m.written, m.published && T.published + m.published,
      m.effective && T.effective + m.effective].filter(function (x) { return x; }).map(String);
    dMeta.textContent = parts.join(" · ");
    var url = /^https?:\/\//i.test(String(m.url || "")) ? String(m.url) : "";
    if (url) dMeta.append(parts.length ? " · " : "", h("a", { href: url, target: "_blank", rel: "noopener noreferrer", text: T.src }));
    dMeta.hidden = !parts.length && !url;
  }
  function closeDetail() {
    detail.hidden = true;
    (dFrom && dFrom.isConnected ? dFrom : input).focus();
  }

  // ---- talking to the API ----
  function submit() {
    var q = input.value;
    if (!q.trim() || busy) return;
    input.value = ""; grow();
    ask(q);
  }
  function ask(q) {
    q = String(q == null ? "" : q).trim();
    if (!q || busy) return Promise.resolve(null);
    if (!msgs.length) list.textContent = "";
    detail.hidden = true; // a new question: the open citation would cover its answer
    var u = { role: "user", content: q }, m = { role: "assistant", content: "", state: "streaming", q: q };
    [u, m].forEach(function (x) { msgs.push(x); list.appendChild(x.el = h("div", { "class": "pq-msg pq-" + x.role })); update(x); });
    scroll();
    return run(m);
  }
  function retry(m) {
    if (busy) return;
    m.content = ""; m.citations = m.passages = m.error = undefined; m.state = "streaming";
    update(m);
    run(m);
  }
  function fail(m, text) {
    if (m.state !== "streaming") return;
    m.state = "error"; m.error = text; update(m);
  }
  function onEvent(m, ev, d) {
    if (m.state !== "streaming" || !d) return;
    if (ev === "retrieval") m.passages = d.passages || [];
    else if (ev === "delta") m.content += d.text || "";
    else if (ev === "citation") (m.citations = m.citations || []).push(d);
    else if (ev === "done") {
      m.content = d.answer || ""; m.citations = d.citations || []; m.passages = d.passages || m.passages || [];
      m.state = d.refused ? "refused" : "done";
    } else if (ev === "error") { m.state = "error"; m.error = (d.error && d.error.message) || T.srv; }
    else return;
    var stick = list.scrollHeight - list.scrollTop - list.clientHeight < 60;
    update(m);
    if (stick) scroll();
  }
  function run(m) {
    var ctl = W.AbortController ? new AbortController() : null, tok = { c: ctl };
    busy = tok; setBusy(); save();
    var hdrs = { "content-type": "application/json", accept: "text/event-stream" };
    if (ds.key) hdrs.authorization = "Bearer " + ds.key;
    return fetch(base + "/v1/ask", {
      method: "POST",
      headers: hdrs,
      body: JSON.stringify({ question: m.q, history: history(msgs.indexOf(m) - 1), stream: true }),
      signal: ctl ? ctl.signal : undefined
    }).then(function (res) {
      if (!res.ok) {
        return res.json().catch(function () { return null; }).then(function (j) {
          throw { msg: res.status === 429 ? T.busy : res.status >= 500 ? T.srv
            : (j && j.error && j.error.message) || T.http + " (" + res.status + ")" };
        });
      }
      if (!res.body || (res.headers.get("content-type") || "").indexOf("event-stream") < 0)
        return res.json().then(function (j) { onEvent(m, "done", j); });
      return read(res.body.getReader(), m);
    }).then(function () {
      fail(m, T.cut);
    }, function (e) {
      if (!(ctl && ctl.signal.aborted)) fail(m, (e && e.msg) || T.net);
    }).then(function () {
      if (busy === tok) { busy = null; setBusy(); save(); }
      return m;
    });
  }
  // Server-sent events: "event: NAME\ndata: JSON\n\n", data may span lines, ":" lines are comments.
  function read(reader, m) {
    var dec = new TextDecoder(), buf = "";
    function block(b) {
      var ev = "message", data = [];
      b.split("\n").forEach(function (l) {
        if (!l || l[0] === ":") return;
        var c = l.indexOf(":"), f = c < 0 ? l : l.slice(0, c), v = c < 0 ? "" : l.slice(c + 1);
        if (v[0] === " ") v = v.slice(1);
        if (f === "event") ev = v; else if (f === "data") data.push(v);
      });
      if (!data.length) return;
      var d;
      try { d = JSON.parse(data.join("\n")); } catch (e) { return; }
      onEvent(m, ev, d);
    }
    function flush(end) {
      var tail = !end && buf.slice(-1) === "\r" ? "\r" : "", i;
      buf = buf.slice(0, buf.length - tail.length).replace(/\r\n?/g, "\n");
      while ((i = buf.indexOf("\n\n")) >= 0) { block(buf.slice(0, i)); buf = buf.slice(i + 2); }
      if (end && buf.trim()) block(buf);
      buf += tail;
    }
    function pump() {
      return reader.read().then(function (r) {
        if (r.done) { buf += dec.decode(); flush(true); return; }
        buf += dec.decode(r.value, { stream: true });
        flush(false);
        if (m.state !== "streaming") { reader.cancel().catch(function () {}); return; }
        return pump();
      });
    }
    return pump();
  }
  function newConversation() {
    if (busy && busy.c) busy.c.abort();
    busy = null; setBusy();
    msgs = []; save();
    detail.hidden = true;
    renderAll();
    input.focus();
  }

  function mount() {
    D.body.appendChild(host);
    renderAll();
    if (ds.open === "true") open(false);
  }
  if (D.body) mount(); else D.addEventListener("DOMContentLoaded", mount);

  W.PolicyQAWidget = {
    open: function () { open(true); },
    close: close,
    ask: function (q) { open(false); return ask(q); }
  };
})();
