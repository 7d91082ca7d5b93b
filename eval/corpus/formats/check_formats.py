#!/usr/bin/env python3
"""Check the format fixtures (standard library only).

1. For each html/NAME.html: the title element plus the text of the content
   container, with <script>/<style> dropped, equals texts/NAME.txt line by line
   (after NFKC and removal of all white space within each line; table rows are
   compared cell by cell).
2. questions.jsonl: 40 rows, ids fmt-001..fmt-040, every gold span occurs
   verbatim in texts/DOC.txt inside one line (and in no other of the four
   texts), 8-30 characters, with no tab and no typed 第N条 (npc.docx has
   automatic numbering); every fact occurs in one of the gold lines;
   paraphrase/colloquial questions share no 6-character run with the answer
   line.

3. docx/govcn.docx and docx/npc.docx: paragraph text equals the text file
   (npc: without the typed 第N条, which is list numbering there), one header
   and one footer part, npc numbering is chineseCountingThousand / 第%1条.

Run from anywhere:  python3 eval/corpus/formats/check_formats.py
"""
import json
import os
import re
import sys
import unicodedata
import zipfile
from html.parser import HTMLParser

HERE = os.path.dirname(os.path.abspath(__file__))

# (title selector, content selector, encoding); a selector is (tag, attr, value)
PAGES = {
    "govcn": (("td", None, None, "标　　题："), ("div", "id", "UCAP-CONTENT"), "utf-8"),
    "npc": (("h1", None, None, None), ("div", "id", "Zoom"), "utf-8"),
    "ministry": (("div", "class", "insMainConTitle_b", None), ("div", "class", "TRS_Editor"), "gbk"),
    "city": (("div", "class", "detail-title", None), ("div", "class", "detail-body"), "utf-8"),
}
BLOCK = {"p", "div", "tr", "br", "h1", "h2", "h3", "h4", "li", "table"}
VOID = {"br", "img", "input", "meta", "link", "hr"}


class Grab(HTMLParser):
    """Collect the text inside the first element matching (tag, attr, value)."""

    def __init__(self, tag, attr, value):
        super().__init__(convert_charrefs=True)
        self.want = (tag, attr, value)
        self.depth = 0
        self.done = False
        self.skip = 0
        self.buf = []
        self.in_row = False

    def handle_starttag(self, tag, attrs):
        if self.done:
            return
        a = dict(attrs)
        if self.depth == 0:
            t, k, v = self.want
            if tag == t and (k is None or v in (a.get(k) or "").split() or a.get(k) == v):
                self.depth = 1
            return
        if tag in ("script", "style"):
            self.skip += 1
        if tag == "tr":
            self.in_row = True
        if tag in BLOCK and not (self.in_row and tag != "tr"):
            self.buf.append("\n")
        if tag == "td":
            self.buf.append("\t")
        if tag not in VOID:
            self.depth += 1

    def handle_endtag(self, tag):
        if self.done or self.depth == 0:
            return
        if tag in ("script", "style"):
            self.skip -= 1
        if tag in VOID:
            return
        self.depth -= 1
        if tag == "tr":
            self.in_row = False
        if tag in BLOCK and not (self.in_row and tag != "tr"):
            self.buf.append("\n")
        if self.depth == 0:
            self.done = True

    def handle_data(self, data):
        if self.depth and not self.skip and not self.done:
            self.buf.append(data)

    def lines(self):
        text = "".join(self.buf)
        out = []
        for l in text.split("\n"):
            cells = [norm(c) for c in l.split("\t")]
            cells = [c for c in cells if c]
            if cells:
                out.append("\t".join(cells))
        return out


def norm(s):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


def text_lines(name):
    with open(os.path.join(HERE, "texts", name + ".txt"), encoding="utf-8") as f:
        return ["\t".join(norm(c) for c in l.split("\t")) for l in f if l.strip()]


def title_of(page, sel):
    tag, attr, value, label = sel
    if label:  # the <td> after the label cell
        m = re.search(re.escape(label) + r"</b></td>\s*<td[^>]*>(.*?)</td>", page, re.S)
        return norm(re.sub(r"<[^>]+>", "", m.group(1))) if m else ""
    g = Grab(tag, attr, value)
    g.feed(page)
    return "".join(g.lines())


def check_html():
    bad = 0
    for name, (tsel, csel, enc) in PAGES.items():
        with open(os.path.join(HERE, "html", name + ".html"), encoding=enc) as f:
            page = f.read()
        g = Grab(*csel)
        g.feed(page)
        got = [title_of(page, tsel)] + g.lines()
        want = text_lines(name)
        if got != want:
            bad += 1
            print("FAIL html/%s.html" % name)
            for i, (a, b) in enumerate(zip(got, want)):
                if a != b:
                    print("  line %d\n   page: %s\n   text: %s" % (i + 1, a, b))
                    break
            print("  page lines %d, text lines %d" % (len(got), len(want)))
        else:
            print("ok   html/%s.html (%d lines)" % (name, len(got)))
    return bad


def check_questions():
    bad = 0
    path = os.path.join(HERE, "questions.jsonl")
    rows = [json.loads(l) for l in open(path, encoding="utf-8") if l.strip()]
    texts = {}
    kinds = {}
    docs = {}
    if len(rows) != 40:
        print("FAIL questions: %d rows, want 40" % len(rows))
        bad += 1
    for n, r in enumerate(rows, start=1):
        rid = r.get("id")
        if rid != "fmt-%03d" % n:
            print("FAIL %s: id out of order" % rid)
            bad += 1
        if set(r) != {"id", "question", "gold", "facts", "kind", "doc"}:
            print("FAIL %s: keys %s" % (rid, sorted(r)))
            bad += 1
        if r["kind"] not in ("lookup", "numeric", "paraphrase", "colloquial"):
            print("FAIL %s: kind %s" % (rid, r["kind"]))
            bad += 1
        kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
        docs[r["doc"]] = docs.get(r["doc"], 0) + 1
        if r["doc"] not in texts:
            texts[r["doc"]] = open(os.path.join(HERE, "texts", r["doc"] + ".txt"), encoding="utf-8").read().splitlines()
        tl = texts[r["doc"]]
        gold_lines = []
        if not r["gold"]:
            print("FAIL %s: no gold" % rid)
            bad += 1
        for g in r["gold"]:
            hits = [l for l in tl if g in l]
            if not hits:
                print("FAIL %s: gold not in texts/%s.txt: %s" % (rid, r["doc"], g))
                bad += 1
            if not 8 <= len(g) <= 30:
                print("FAIL %s: gold length %d: %s" % (rid, len(g), g))
                bad += 1
            if len(hits) > 1:
                print("WARN %s: gold occurs in %d lines: %s" % (rid, len(hits), g))
            gold_lines += hits
        for fct in r["facts"]:
            if not any(fct in l for l in gold_lines):
                print("FAIL %s: fact not in gold line: %s" % (rid, fct))
                bad += 1
        for g in r["gold"]:
            if "\t" in g or re.search(r"第[一二三四五六七八九十]+条", g):
                print("FAIL %s: gold crosses a table cell or holds a typed article number: %s" % (rid, g))
                bad += 1
        if r["kind"] in ("paraphrase", "colloquial"):
            q = r["question"]
            for l in gold_lines:
                runs = [q[i:i + 6] for i in range(len(q) - 5) if q[i:i + 6] in l]
                if runs:
                    print("FAIL %s: %s question shares a 6-character run with the answer line: %s" % (rid, r["kind"], runs[0]))
                    bad += 1
        if r["question"] in "".join(tl):
            print("FAIL %s: question copied from text" % rid)
            bad += 1
    every = {}
    for n in ("govcn", "npc", "ministry", "city"):
        every[n] = open(os.path.join(HERE, "texts", n + ".txt"), encoding="utf-8").read()
    for r in rows:
        for g in r["gold"]:
            others = [n for n, t in every.items() if g in t and n != r["doc"]]
            if others:
                print("FAIL %s: gold also occurs in %s: %s" % (r["id"], others, g))
                bad += 1
    print("questions: %d rows, kinds %s, docs %s" % (len(rows), kinds, docs))
    return bad


def check_docx():
    """docx/NAME.docx paragraphs == texts/NAME.txt lines; in npc.docx the typed
    第N条 is absent (automatic numbering), so it is stripped from the text side."""
    bad = 0
    for name in ("govcn", "npc"):
        with zipfile.ZipFile(os.path.join(HERE, "docx", name + ".docx")) as z:
            doc = z.read("word/document.xml").decode("utf-8")
            numbering = z.read("word/numbering.xml").decode("utf-8")
            parts = [n for n in z.namelist() if re.match(r"word/(header|footer)\d*\.xml$", n)]
        paras = []
        for p in re.findall(r"<w:p[ >].*?</w:p>", doc, re.S):
            t = norm("".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", p)))
            if t:
                paras.append(t)
        want = text_lines(name)
        if name == "npc":
            want = [re.sub(r"^第[一二三四五六七八九十]+条", "", l) for l in want]
            ok_num = 'w:numFmt w:val="chineseCountingThousand"' in numbering and 'w:lvlText w:val="第%1条"' in numbering
            n_numbered = doc.count("<w:numPr>")
            if not ok_num or n_numbered != 12:
                print("FAIL docx/npc.docx numbering: chineseCountingThousand/第%%1条 %s, numbered paragraphs %d" % (ok_num, n_numbered))
                bad += 1
        if sorted(parts) != ["word/footer1.xml", "word/header1.xml"]:
            print("FAIL docx/%s.docx header/footer parts: %s" % (name, parts))
            bad += 1
        if paras != want:
            bad += 1
            print("FAIL docx/%s.docx body differs from texts/%s.txt" % (name, name))
        else:
            print("ok   docx/%s.docx (%d paragraphs)" % (name, len(paras)))
    return bad


if __name__ == "__main__":
    bad = check_html() + check_docx() + check_questions()
    print("FAILED: %d" % bad if bad else "all checks passed")
    sys.exit(1 if bad else 0)
