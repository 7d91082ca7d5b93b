#!/usr/bin/env python3
"""Verify the policyqa dev datasets against the corpus (standard library only).

Usage:
    python3 eval/datasets/check_datasets.py [SEED_DIR] [LAWS_DIR]

Defaults (relative to the repo root): the project's own copies, corpus/ and eval/corpus/laws.
Exits non-zero if any check fails.

Checks per question:
  * exact key set, id format/sequence, known kind, list types;
  * unanswerable -> gold == [] and facts == []; otherwise 1+ gold spans and 1-3 facts;
  * every gold span, after NFKC + removal of all white space, occurs inside ONE
    paragraph (text between blank lines = one clause / article / news paragraph)
    of the matching corpus;
  * every fact occurs inside a paragraph that holds one of the question's gold spans;
  * clause_ref questions: the gold lies in the clause / article the question names
    (seed: clause （N） of the 意见; laws: article N of the named law);
  * unanswerable questions that name a clause / article: that clause / article is
    really absent;
  * paraphrase questions share no run of >= PARAPHRASE_MAX_OVERLAP characters with
    the answer paragraph (they must be worded away from the text).
Warnings (non-fatal): gold spans that occur in several paragraphs / laws.
"""
import json
import os
import re
import sys
import unicodedata
from collections import Counter

KINDS = ["lookup", "paraphrase", "numeric", "clause_ref", "multi", "news", "unanswerable"]
KEYS = {"id", "question", "gold", "facts", "kind"}
PARAPHRASE_MAX_OVERLAP = 6  # a common run of this many chars is a failure
WS = re.compile(r"\s+", re.UNICODE)
BLANK = re.compile(r"\n[ \t\u3000\r]*\n")
CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}


def norm(s):
    return WS.sub("", unicodedata.normalize("NFKC", s))


def cn2int(s):
    if s.isdigit():
        return int(s)
    total, cur = 0, 0
    for ch in s:
        if ch in CN_DIGITS:
            cur = CN_DIGITS[ch]
        elif ch in CN_UNITS:
            total += (cur or 1) * CN_UNITS[ch]
            cur = 0
        else:
            raise ValueError(s)
    return total + cur


NUM = r"([0-9]+|[零一二三四五六七八九十百千两]+)"
REF_ARTICLE = re.compile(r"第\s*[(（]?\s*" + NUM + r"\s*[)）]?\s*条")
REF_PAREN = re.compile(r"[(（]\s*([零一二三四五六七八九十百]+)\s*[)）]")


def clause_number(question):
    m = REF_ARTICLE.search(question) or REF_PAREN.search(question)
    return cn2int(m.group(1)) if m else None


def paragraphs(text):
    return [p for p in BLANK.split(text.replace("\r\n", "\n")) if p.strip()]


def load_dir(d):
    files = {}
    for name in sorted(os.listdir(d)):
        if name.endswith(".txt"):
            with open(os.path.join(d, name), encoding="utf-8") as f:
                files[name] = f.read()
    if not files:
        raise SystemExit(f"no .txt files in {d}")
    return files


def longest_common_run(a, b):
    best = 0
    prev = [0] * (len(b) + 1)
    for i in range(1, len(a) + 1):
        cur = [0] * (len(b) + 1)
        for j in range(1, len(b) + 1):
            if a[i - 1] == b[j - 1]:
                cur[j] = prev[j - 1] + 1
                if cur[j] > best:
                    best = cur[j]
        prev = cur
    return best


class Corpus:
    """Paragraph index. Each entry: (file, normalised paragraph, label)."""

    def __init__(self, files, kind):
        self.paras = []
        self.files = files
        for name, text in files.items():
            label = None
            for p in paragraphs(text):
                n = norm(p)
                if kind == "seed":
                    m = re.match(r"^\(([零一二三四五六七八九十百]+)\)", n)
                    if m:
                        label = cn2int(m.group(1))
                    elif n.startswith("#") or n.startswith("新华社"):
                        label = None
                else:
                    m = re.match(r"^第([零一二三四五六七八九十百千]+)条", n)
                    label = cn2int(m.group(1)) if m else None
                self.paras.append((name, n, label))

    def find(self, span):
        s = norm(span)
        return [(f, p, lab) for (f, p, lab) in self.paras if s in p]

    def in_whole_file(self, span):
        s = norm(span)
        return any(s in norm(t) for t in self.files.values())


def law_short_names(files):
    out = {}
    for name in files:
        if "历史版本" in name:
            continue
        title = name[:-4]
        short = title.replace("中华人民共和国", "", 1) if title.startswith("中华人民共和国") else title
        out[short] = name
    return out


def named_law(question, shorts):
    hits = [s for s in shorts if len(s) >= 2 and s in question]
    return shorts[max(hits, key=len)] if hits else None


def check_file(path, prefix, corpus, kind_of_corpus, errors, warnings):
    counts = Counter()
    shorts = law_short_names(corpus.files) if kind_of_corpus == "laws" else {}
    seen_q = set()
    with open(path, encoding="utf-8") as f:
        lines = [ln for ln in f.read().split("\n") if ln.strip()]
    for i, line in enumerate(lines, 1):
        where = f"{os.path.basename(path)}:{i}"
        try:
            q = json.loads(line)
        except json.JSONDecodeError as e:
            errors.append(f"{where}: bad JSON: {e}")
            continue
        if set(q) != KEYS:
            errors.append(f"{where}: keys {sorted(q)} != {sorted(KEYS)}")
            continue
        qid, kind, gold, facts, question = q["id"], q["kind"], q["gold"], q["facts"], q["question"]
        where = f"{where} {qid}"
        if qid != f"{prefix}-{i:03d}":
            errors.append(f"{where}: id should be {prefix}-{i:03d}")
        if kind not in KINDS:
            errors.append(f"{where}: unknown kind {kind!r}")
        counts[kind] += 1
        if not isinstance(question, str) or not question.strip():
            errors.append(f"{where}: empty question")
            continue
        if norm(question) in seen_q:
            errors.append(f"{where}: duplicate question")
        seen_q.add(norm(question))
        if not (isinstance(gold, list) and all(isinstance(g, str) and g.strip() for g in gold)):
            errors.append(f"{where}: gold must be a list of non-empty strings")
            continue
        if not (isinstance(facts, list) and all(isinstance(x, str) and x.strip() for x in facts)):
            errors.append(f"{where}: facts must be a list of non-empty strings")
            continue

        num = clause_number(question)
        law = named_law(question, shorts) if kind_of_corpus == "laws" else None

        if kind == "unanswerable":
            if gold or facts:
                errors.append(f"{where}: unanswerable must have gold == [] and facts == []")
            if num is not None:
                if kind_of_corpus == "seed":
                    present = {lab for (_, _, lab) in corpus.paras if lab is not None}
                    if num in present:
                        errors.append(f"{where}: clause ({num}) IS on the page")
                elif law:
                    present = {lab for (fn, _, lab) in corpus.paras if fn == law and lab is not None}
                    if num in present:
                        errors.append(f"{where}: article {num} exists in {law}")
            continue

        if not gold:
            errors.append(f"{where}: answerable question needs gold spans")
        if not 1 <= len(facts) <= 3:
            errors.append(f"{where}: needs 1-3 facts, has {len(facts)}")

        gold_paras = []
        for g in gold:
            hits = corpus.find(g)
            if not hits:
                why = "crosses a paragraph/clause boundary" if corpus.in_whole_file(g) else "not in corpus"
                errors.append(f"{where}: gold span {g!r} {why}")
                continue
            glen = len(norm(g))
            if glen < 6 or glen > 45:
                warnings.append(f"{where}: gold span {g!r} has {glen} chars")
            gold_paras.extend(hits)
            if kind_of_corpus == "seed" and len(hits) > 1:
                warnings.append(f"{where}: gold span {g!r} occurs in {len(hits)} paragraphs")
            if kind_of_corpus == "laws":
                current = {fn for (fn, _, _) in hits if "历史版本" not in fn}
                if len(current) > 1:
                    warnings.append(f"{where}: gold span {g!r} occurs in {len(current)} current laws")

        for fact in facts:
            if not any(norm(fact) in p for (_, p, _) in gold_paras):
                errors.append(f"{where}: fact {fact!r} not inside a gold passage")

        if kind == "clause_ref":
            if num is None:
                errors.append(f"{where}: clause_ref question names no clause/article number")
            elif kind_of_corpus == "seed":
                if not any(lab == num for (_, _, lab) in gold_paras):
                    errors.append(f"{where}: gold not inside clause ({num})")
            else:
                if law is None:
                    errors.append(f"{where}: clause_ref question names no known law")
                elif not any(fn == law and lab == num for (fn, _, lab) in gold_paras):
                    errors.append(f"{where}: gold not inside article {num} of {law}")

        if kind == "paraphrase" and gold_paras:
            qn = norm(question)
            worst = max(longest_common_run(qn, p) for (_, p, _) in gold_paras)
            if worst >= PARAPHRASE_MAX_OVERLAP:
                errors.append(f"{where}: paraphrase question copies a {worst}-char run from the answer passage")
    return counts, len(lines)


def main(argv):
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    seed_dir = argv[1] if len(argv) > 1 else os.path.join(repo, "corpus")
    laws_dir = argv[2] if len(argv) > 2 else os.path.join(repo, "eval", "corpus", "laws")
    here = os.path.dirname(os.path.abspath(__file__))
    errors, warnings = [], []
    summary = []
    for fname, prefix, d, kind in [("seed_dev.jsonl", "seed", seed_dir, "seed"),
                                   ("laws_dev.jsonl", "laws", laws_dir, "laws")]:
        corpus = Corpus(load_dir(d), kind)
        counts, n = check_file(os.path.join(here, fname), prefix, corpus, kind, errors, warnings)
        summary.append(f"{fname}: {n} questions; " + ", ".join(f"{k}={counts.get(k, 0)}" for k in KINDS))
    for w in warnings:
        print("WARN ", w)
    for e in errors:
        print("FAIL ", e)
    for s in summary:
        print(s)
    if errors:
        print(f"{len(errors)} failure(s)")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
