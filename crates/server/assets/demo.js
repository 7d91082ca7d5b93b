/* The demo page's upload form: the file goes to POST /v1/documents as multipart; the
 * result (the documents it became, or the server's error message) is shown as text. */
(function () {
  "use strict";
  var form = document.getElementById("upload"), out = document.getElementById("upload-result");
  var file = document.getElementById("upload-file"), key = document.getElementById("upload-key"), send = document.getElementById("upload-send");
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (!file.files.length) return;
    var body = new FormData();
    body.append("file", file.files[0], file.files[0].name);
    var headers = {};
    if (key.value.trim()) headers.Authorization = "Bearer " + key.value.trim();
    send.disabled = true;
    out.textContent = "正在读取和索引 " + file.files[0].name + " …";
    fetch("/v1/documents", { method: "POST", body: body, headers: headers })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); })
      .then(function (r) {
        if (!r.ok) { out.textContent = "未能加入：" + ((r.body.error && r.body.error.message) || "请求失败"); return; }
        var docs = r.body.documents || [];
        out.textContent = "已加入 " + docs.map(function (d) {
          var m = d.metadata || {};
          return "《" + d.title + "》（" + [d.format, m.doc_number, d.passages + " 条"].filter(Boolean).join("，") + "）";
        }).join("、") + "。现在可以在问答窗口中提问。";
      })
      .catch(function () { out.textContent = "未能加入：无法连接服务"; })
      .then(function () { send.disabled = false; });
  });
})();
