#!/usr/bin/env python3
"""Check eval/datasets/policies_dev.jsonl against eval/corpus/policies/.

Standard library only. Usage: python3 eval/datasets/check_policies.py

Each corpus file is decoded as utf-8-sig, falling back to gb18030. Text and
spans are NFKC-normalised and all whitespace is removed before matching.

The corpus is cut into passages (one clause each): in files with 第X条
articles a passage starts at every 第X条 line or chapter heading (an article
label alone on its line keeps its body); in other files a passage starts at
every （X）/(X) item line, every 一、 section line and after every blank line
(1./（1） sub-items and continuation lines stay with their item).

Checks per question (same conventions as check_datasets.py):
  * exact key set {id, question, gold, facts, kind}; ids pol-001.. in order;
    known kind; no duplicate questions;
  * unanswerable -> gold == [] and facts == []; otherwise 1+ gold spans and
    1-3 facts;
  * every gold span is 8-30 characters and occurs inside ONE line (so it
    crosses no line break, blank line or broken sentence) and one passage;
  * every fact occurs inside a passage that holds one of the gold spans;
  * clause_ref: the gold lies in the clause/article the question names;
  * paraphrase questions share no run of >= 6 characters with the answer passage.
Warnings (non-fatal): gold spans found in more than one passage.
Also checks the corpus itself (size, encodings, line ends) and the bad files.
"""
import json
import os
import re
import sys
import unicodedata
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.normpath(os.path.join(HERE, "..", "corpus", "policies"))
BAD = os.path.normpath(os.path.join(HERE, "..", "corpus", "bad"))
DATASET = os.path.join(HERE, "policies_dev.jsonl")
KINDS = ["lookup", "paraphrase", "numeric", "clause_ref", "multi", "unanswerable"]
KEYS = {"id", "question", "gold", "facts", "kind"}
PARAPHRASE_MAX_OVERLAP = 6
WS = re.compile(r"\s+")
CN = "零一二三四五六七八九十百"
CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100}
NUM = r"([0-9]+|[零一二三四五六七八九十百两]+)"
REF_ARTICLE = re.compile(r"第\s*[(（]?\s*" + NUM + r"\s*[)）]?\s*条")
REF_PAREN = re.compile(r"[(（]\s*([零一二三四五六七八九十百]+)\s*[)）]")
ARTICLE_LINE = re.compile(r"^第([%s]+)条" % CN)
CHAPTER_LINE = re.compile(r"^#*第[%s]+章" % CN)
ITEM_LINE = re.compile(r"^\(([%s]+)\)" % CN)
SECTION_LINE = re.compile(r"^[%s]+、" % CN)


def norm(s):
    return WS.sub("", unicodedata.normalize("NFKC", s))


def cn2int(s):
    if s.isdigit():
        return int(s)
    total, cur = 0, 0
    for ch in s:
        if ch in CN_DIGITS:
            cur = CN_DIGITS[ch]
        else:
            total += (cur or 1) * CN_UNITS[ch]
            cur = 0
    return total + cur


def clause_number(question):
    m = REF_ARTICLE.search(question) or REF_PAREN.search(question)
    return cn2int(m.group(1)) if m else None


def decode(raw):
    try:
        return raw.decode("utf-8-sig"), ("utf-8-bom" if raw.startswith(b"\xef\xbb\xbf") else "utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030"), "gb18030"


def line_ends(raw):
    crlf = raw.count(b"\r\n")
    cr = raw.count(b"\r") - crlf
    lf = raw.count(b"\n") - crlf
    return "+".join(k for k, n in (("CRLF", crlf), ("CR", cr), ("LF", lf)) if n) or "none"


def passages(text):
    """Return [(label, [normalised lines])]; label = article or item number."""
    lines = [norm(l) for l in re.split(r"\r\n|\r|\n", text)]
    articles = any(ARTICLE_LINE.match(l) for l in lines)
    out, cur, label = [], [], None

    def flush():
        if cur:
            out.append((label, list(cur)))
        cur.clear()

    for l in lines:
        if articles:
            m = ARTICLE_LINE.match(l)
            if m or CHAPTER_LINE.match(l):
                flush()
                label = cn2int(m.group(1)) if m else None
        else:
            m = ITEM_LINE.match(l)
            if not l or m or SECTION_LINE.match(l):
                flush()
                label = cn2int(m.group(1)) if m else None
        if l:
            cur.append(l)
    flush()
    return out


def longest_common_run(a, b):
    best, prev = 0, [0] * (len(b) + 1)
    for i in range(1, len(a) + 1):
        cur = [0] * (len(b) + 1)
        for j in range(1, len(b) + 1):
            if a[i - 1] == b[j - 1]:
                cur[j] = prev[j - 1] + 1
                best = max(best, cur[j])
        prev = cur
    return best


def load_corpus(errors):
    print("== corpus ==")
    paras, enc_count, nl_count = [], Counter(), Counter()
    for name in sorted(os.listdir(CORPUS)):
        if name.lower() == "readme.md":
            continue
        raw = open(os.path.join(CORPUS, name), "rb").read()
        text, enc = decode(raw)
        nl = line_ends(raw)
        enc_count[enc] += 1
        nl_count[nl] += 1
        cjk = len(re.findall(r"[\u4e00-\u9fff]", text))
        ps = passages(text)
        paras.extend((name, label, lines) for label, lines in ps)
        print(f"{name:48s} {enc:9s} {nl:5s} {cjk:5d} CJK chars {len(ps):3d} passages")
        if not 1500 <= cjk <= 5000:
            errors.append(f"{name}: {cjk} CJK chars, expected 1500-5000")
    print("encodings:", dict(enc_count), " line ends:", dict(nl_count))

    empty = os.path.join(BAD, "empty.txt")
    binary = os.path.join(BAD, "binary.txt")
    if not (os.path.isfile(empty) and os.path.getsize(empty) == 0):
        errors.append("bad/empty.txt missing or not 0 bytes")
    if not (os.path.isfile(binary) and b"\x00" in open(binary, "rb").read()):
        errors.append("bad/binary.txt missing or has no NUL bytes")
    return paras


def main():
    errors, warnings = [], []
    paras = load_corpus(errors)
    whole = "".join("".join(lines) for _, _, lines in paras)

    print("== dataset ==")
    kinds, seen_q, n = Counter(), set(), 0
    with open(DATASET, encoding="utf-8") as f:
        rows = [ln for ln in f.read().split("\n") if ln.strip()]
    for i, line in enumerate(rows, 1):
        n += 1
        where = f"line {i}"
        try:
            q = json.loads(line)
        except json.JSONDecodeError as e:
            errors.append(f"{where}: bad JSON: {e}")
            continue
        if set(q) != KEYS:
            errors.append(f"{where}: keys {sorted(q)} != {sorted(KEYS)}")
            continue
        qid, question, gold, facts, kind = q["id"], q["question"], q["gold"], q["facts"], q["kind"]
        where = f"{where} {qid}"
        if qid != f"pol-{i:03d}":
            errors.append(f"{where}: id should be pol-{i:03d}")
        if kind not in KINDS:
            errors.append(f"{where}: unknown kind {kind!r}")
        kinds[kind] += 1
        if norm(question) in seen_q:
            errors.append(f"{where}: duplicate question")
        seen_q.add(norm(question))
        if not (isinstance(gold, list) and all(isinstance(g, str) and g.strip() for g in gold)
                and isinstance(facts, list) and all(isinstance(x, str) and x.strip() for x in facts)):
            errors.append(f"{where}: gold/facts must be lists of non-empty strings")
            continue
        if kind == "unanswerable":
            if gold or facts:
                errors.append(f"{where}: unanswerable must have gold == [] and facts == []")
            continue
        if not gold:
            errors.append(f"{where}: answerable question needs gold spans")
        if not 1 <= len(facts) <= 3:
            errors.append(f"{where}: needs 1-3 facts, has {len(facts)}")

        gold_paras = []
        for g in gold:
            if not 8 <= len(g) <= 30:
                errors.append(f"{where}: gold length {len(g)} not in 8-30: {g}")
            ng = norm(g)
            hits = [(name, label, lines) for name, label, lines in paras
                    if any(ng in l for l in lines)]
            if not hits:
                if ng in whole:
                    errors.append(f"{where}: gold crosses a line break / passage boundary: {g}")
                else:
                    errors.append(f"{where}: gold not found: {g}")
                continue
            if len(hits) > 1:
                warnings.append(f"{where}: gold {g!r} occurs in {len(hits)} passages: "
                                + ", ".join(f"{h[0][:2]}/{h[1]}" for h in hits))
            gold_paras.extend(hits)
        texts = ["".join(lines) for _, _, lines in gold_paras]
        for fact in facts:
            if not any(norm(fact) in t for t in texts):
                errors.append(f"{where}: fact {fact!r} not inside a gold passage")
        if kind == "clause_ref" and gold_paras:
            num = clause_number(question)
            if num is None:
                errors.append(f"{where}: clause_ref question names no clause number")
            elif not any(label == num for _, label, _ in gold_paras):
                errors.append(f"{where}: gold not inside clause {num}")
        if kind == "paraphrase" and texts:
            worst = max(longest_common_run(norm(question), t) for t in texts)
            if worst >= PARAPHRASE_MAX_OVERLAP:
                errors.append(f"{where}: paraphrase copies a {worst}-char run from the answer passage")

    print(f"{n} questions; kinds: " + ", ".join(f"{k}={kinds.get(k, 0)}" for k in KINDS))
    if n < 30:
        errors.append(f"only {n} questions, expected 30+")
    for w in warnings:
        print("WARN ", w)
    for e in errors:
        print("FAIL ", e)
    if errors:
        print(f"{len(errors)} failure(s)")
        return 1
    print("OK: all gold spans and facts found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
