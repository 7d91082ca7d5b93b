#!/usr/bin/env python3
"""Check eval/datasets/seed_wide.jsonl and policies_wide.jsonl (standard library only).

Usage:
    python3 eval/datasets/check_wide.py [SEED_DIR] [POLICIES_DIR]

Defaults (relative to the repo root): corpus/ (the seed page) and eval/corpus/policies/.
Paragraph / passage splitting and normalisation are imported from check_datasets.py
(seed: text between blank lines) and check_policies.py (policies: one clause per passage,
files decoded as utf-8-sig falling back to gb18030). Exits non-zero on any failure.

Checks per question:
  * exact key set {id, question, gold, facts, kind}; ids seedw-001.. / polw-001.. in order;
    kind in {colloquial, numeric, scenario, unanswerable}; question a non-empty string;
  * no duplicate inside the file or across the two files, and no duplicate (exact after
    normalisation, or character-bigram Dice >= NEAR_DUP) of a question in eval/datasets/*_dev.jsonl;
  * unanswerable -> gold == [] and facts == []; the question is verified against the corpus:
    a clause it names (seed: （N） of the 意见) is really absent, and every pattern listed for it in
    ABSENT below (what an answer would have to say) matches nowhere in the normalised corpus;
    every unanswerable question must be covered by one of the two;
  * answerable -> 1-2 gold spans, each 8-30 characters, all inside ONE paragraph (seed) / ONE line
    of ONE passage (policies), occurring in no other paragraph / passage, and not touching a broken
    sentence of the page layout (seed: the tail of a paragraph cut mid-sentence and the head of its
    continuation; policies: the split “农民工工资专 / 用账户”); 1-3 facts, each inside the gold passage;
  * colloquial: one line, at most two sentences, shares no run of >= 6 characters with the gold passage;
  * numeric: shares no run of >= 10 characters with the gold passage;
  * scenario: 2-3 sentences ending with a question, shares no run of >= 10 characters with the
    gold passage.
Prints counts per kind for each file.
"""
import glob
import json
import os
import re
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import check_datasets as cd  # noqa: E402  (paragraphs, norm, clause numbers, seed corpus)
import check_policies as cp  # noqa: E402  (decode, passages)

KINDS = ["colloquial", "numeric", "scenario", "unanswerable"]
KEYS = {"id", "question", "gold", "facts", "kind"}
COLLOQUIAL_MAX_RUN = 6   # a common run of this many characters is a failure
COPY_MAX_RUN = 10        # scenario / numeric: a common run of this many characters is a failure
NEAR_DUP = 0.7           # bigram Dice coefficient counted as a duplicate of a dev question
MIN_EACH = 30            # answerable and unanswerable questions per file
SENT_END = re.compile(r"[。！？!?]+")
TERMINAL = "。！？!?”）)…."

# Heads of paragraphs that continue a sentence the page layout cut (seed) or split by a blank
# line (policies). Text from the paragraph start up to its first full stop is off limits for gold.
SEED_BROKEN_HEADS = ["制。引导企业", "程的技术革新", "工人队伍。加强", "险制度建设的基础上",
                     "市场化运行机制", "的支持下,沈鼓集团", "至今年6月,人保财险", "的资料积累时间", "行为。"]
POLICY_BROKEN = [("农民工工资专", "tail"), ("用账户，专项用于", "head"), ("的通知。", "whole")]

# Unanswerable questions: regular expressions (matched against the NFKC-normalised corpus with all
# white space removed) for what an answer would have to contain. None may match.
ABSENT = {
    # seed page
    'seedw-068': [r'指导思想', r'总体要求'],
    'seedw-069': [r'2035'],
    'seedw-070': [r'公积金'],
    'seedw-071': [r'购房', r'住房补贴'],
    'seedw-072': [r'所得税', r'个税', r'起征'],
    'seedw-073': [r'产假', r'陪产', r'陪护假', r'护理假'],
    'seedw-074': [r'报销'],
    'seedw-075': [r'积分'],
    'seedw-076': [r'特级技师', r'首席技师', r'学徒工'],
    'seedw-077': [r'年薪.{0,12}[0-9]', r'年薪.{0,12}万'],
    'seedw-078': [r'工资总额', r'提取.{0,6}[0-9.]+%'],
    'seedw-079': [r'提示函', r'意见书', r'建议书'],
    'seedw-080': [r'[7七]个?省', r'试点省'],
    'seedw-081': [r'疗养.{0,15}[0-9一二三四五六七八九十]+[天日]', r'休养.{0,15}[天日]'],
    'seedw-082': [r'奖金', r'奖励.{0,6}元'],
    'seedw-083': [r'深圳'],
    'seedw-084': [r'上海(?!国际再保险中心)'],
    'seedw-085': [r'浙江'],
    'seedw-086': [r'最低工资'],
    'seedw-087': [r'用工总量', r'劳务派遣.{0,20}%'],
    'seedw-088': [r'新增.{0,10}(万|亿)', r'技能中国行动.{0,20}(万|亿)'],
    'seedw-089': [r'所得税', r'税收优惠'],
    'seedw-090': [r'北京(经开区|亦庄).{0,30}(亿元|万亿)'],
    'seedw-091': [r'保费'],
    'seedw-092': [r'理赔'],
    'seedw-093': [r'缴费基数', r'缴费档次', r'养老保险.{0,8}元'],
    'seedw-094': [r'负责解释', r'解释权'],
    'seedw-095': [r'第九次全国职工队伍状况调查.{0,6}年', r'调查.{0,4}(于|在)[0-9]{4}年'],
    'seedw-096': [r'(?i)app', r'小程序', r'公众号'],
    'seedw-097': [r'报名'],
    'seedw-098': [r'论文'],
    'seedw-099': [r'工作室.{0,10}[0-9]+(个|家)'],
    'seedw-100': [r'12333', r'12345', r'热线', r'投诉电话'],
    'seedw-101': [r'月均收入', r'月平均(收入|工资)', r'农民工.{0,10}收入.{0,8}元'],
    'seedw-102': [r'经开区.{0,20}就业', r'带动.{0,10}就业'],
    'seedw-103': [r'(十四五|十五五)'],
    # policies corpus
    'polw-099': [r'公积金贷款.{0,10}利率', r'贷款利率.{0,6}[0-9.]+%'],
    'polw-100': [r'首付'],
    'polw-101': [r'小时最低工资标准.{0,8}[0-9]', r'元/小时', r'每小时.{0,4}元'],
    'polw-102': [r'最低生活保障标准.{0,8}[0-9]', r'低保标准.{0,8}[0-9]'],
    'polw-103': [r'北京'],
    'polw-104': [r'杭州', r'租房补贴'],
    'polw-105': [r'广州'],
    'polw-106': [r'生育津贴', r'生育保险'],
    'polw-107': [r'产假'],
    'polw-108': [r'所得税', r'专项附加扣除', r'个税'],
    'polw-109': [r'医疗保险.{0,20}[0-9]+元', r'医疗保险费.{0,10}[0-9.]+%'],
    'polw-110': [r'按单缴费.{0,12}[0-9]', r'每单'],
    'polw-111': [r'护理员.{0,10}(工资|薪酬)', r'月工资.{0,4}不低于'],
    'polw-112': [r'高龄津贴', r'90周岁'],
    'polw-113': [r'养老.{0,12}收费', r'床位费'],
    'polw-114': [r'中级职称'],
    'polw-115': [r'生活费补贴', r'培训期间.{0,10}生活'],
    'polw-116': [r'减免.{0,12}[0-9.]+%', r'减免.{0,12}[一二三四五六七八九十]成'],
    'polw-117': [r'存储上限.{0,10}[0-9]', r'上限为'],
    'polw-118': [r'交通补助.{0,12}[0-9]+元'],
    'polw-119': [r'见习补贴.{0,20}[0-9]+元', r'见习补贴标准'],
    'polw-120': [r'失业补助金.{0,20}[0-9]+元', r'失业补助金.{0,20}%'],
    'polw-121': [r'运营补贴.{0,20}[0-9]+元'],
    'polw-122': [r'信用修复', r'提前移出'],
    'polw-123': [r'利息', r'存款利率'],
    'polw-124': [r'转移接续', r'转移手续'],
    'polw-125': [r'人才公寓', r'人才住房'],
    'polw-126': [r'技能中国行.{0,10}报名', r'报名'],
    'polw-127': [r'地址', r'办公地点'],
    'polw-128': [r'周末', r'工作时间', r'节假日'],
    'polw-129': [r'补办', r'遗失'],
    'polw-130': [r'断缴', r'停保'],
    'polw-131': [r'床位.{0,12}[0-9]+元', r'建设补贴'],
    'polw-132': [r'养老保险费', r'养老保险.{0,10}(代缴|失业保险基金)'],
    'polw-133': [r'育儿补贴', r'每孩'],
    'polw-134': [r'牵头单位', r'责任单位', r'完成时限'],
    'polw-135': [r'分值', r'打分', r'扣分'],
}


def longest_common_run(a, b):
    return cd.longest_common_run(a, b)


def bigrams(s):
    return Counter(s[i:i + 2] for i in range(len(s) - 1))


def dice(a, b):
    ba, bb = bigrams(a), bigrams(b)
    total = sum(ba.values()) + sum(bb.values())
    return 2 * sum((ba & bb).values()) / total if total else 0.0


def sentences(q):
    return [s for s in SENT_END.split(q) if s.strip()]


def find_all(hay, needle):
    out, start = [], 0
    while True:
        k = hay.find(needle, start)
        if k < 0:
            return out
        out.append(k)
        start = k + 1


# ---------------------------------------------------------------- corpora

class SeedCorpus:
    """Paragraphs of the seed page; each has a label (clause number or None) and forbidden ranges."""

    def __init__(self, d, errors):
        self.base = cd.Corpus(cd.load_dir(d), "seed")
        self.paras = [p for (_, p, _) in self.base.paras]
        self.labels = [lab for (_, _, lab) in self.base.paras]
        self.whole = "".join(self.paras)
        self.forbidden = [[] for _ in self.paras]
        for i, p in enumerate(self.paras):
            # a paragraph cut mid-sentence: its tail after the last terminal mark is a fragment
            if p.startswith("#") or p.startswith("新华社") or p[-1] in TERMINAL:
                continue
            cut = max(p.rfind(ch) for ch in "。！？!?") + 1
            self.forbidden[i].append((cut, len(p)))
            if i + 1 < len(self.paras):
                self._forbid_head(i + 1)
        for head in SEED_BROKEN_HEADS:
            hits = [i for i, p in enumerate(self.paras) if p.startswith(cd.norm(head))]
            if len(hits) != 1:
                errors.append(f"seed: broken-sentence head {head!r} starts {len(hits)} paragraphs (expected 1)")
            for i in hits:
                self._forbid_head(i)

    def _forbid_head(self, i):
        p = self.paras[i]
        ends = [k for k in (p.find(ch) for ch in "。！？!?") if k >= 0]
        self.forbidden[i].append((0, (min(ends) + 1) if ends else len(p)))

    def clauses(self):
        return {lab for lab in self.labels if lab is not None}

    def locate(self, span):
        """[(paragraph index, [offsets])] of the paragraphs holding the span."""
        s = cd.norm(span)
        return [(i, find_all(p, s)) for i, p in enumerate(self.paras) if s in p]

    def touches_broken(self, i, offsets, n):
        return any(a < k + n and k < b for k in offsets for (a, b) in self.forbidden[i])


class PolicyCorpus:
    """Passages of the policies corpus (check_policies.passages), one entry per passage."""

    def __init__(self, d, errors):
        self.passages = []  # (file, label, [normalised lines])
        for name in sorted(os.listdir(d)):
            if name.lower() == "readme.md":
                continue
            with open(os.path.join(d, name), "rb") as f:
                text, _ = cp.decode(f.read())
            for label, lines in cp.passages(text):
                self.passages.append((name, label, lines))
        if len({n for n, _, _ in self.passages}) != 8:
            errors.append(f"policies: expected 8 files in {d}")
        self.texts = ["".join(lines) for _, _, lines in self.passages]
        self.whole = "".join(self.texts)
        self.broken = []  # (passage index, line index, forbidden (start, end))
        for frag, where in POLICY_BROKEN:
            f = cd.norm(frag)
            hits = [(pi, li) for pi, (_, _, lines) in enumerate(self.passages)
                    for li, l in enumerate(lines)
                    if (l.endswith(f) if where == "tail" else l.startswith(f) if where == "head" else l == f)]
            if len(hits) != 1:
                errors.append(f"policies: broken fragment {frag!r} found {len(hits)} times (expected 1)")
            for pi, li in hits:
                line = self.passages[pi][2][li]
                if where == "tail":
                    cut = max(line.rfind(ch) for ch in "。！？；;") + 1
                    rng = (cut, len(line))
                elif where == "head":
                    rng = (0, line.find("。") + 1 if "。" in line else len(line))
                else:
                    rng = (0, len(line))
                self.broken.append((pi, li, rng))

    def locate(self, span):
        """[(passage index, line index, [offsets])] of the lines holding the span."""
        s = cd.norm(span)
        out = []
        for pi, (_, _, lines) in enumerate(self.passages):
            for li, l in enumerate(lines):
                if s in l:
                    out.append((pi, li, find_all(l, s)))
        return out

    def touches_broken(self, pi, li, offsets, n):
        return any(pi == bp and li == bl and a < k + n and k < b
                   for (bp, bl, (a, b)) in self.broken for k in offsets)


# ---------------------------------------------------------------- dataset checks

def load_dev_questions():
    out = []
    for path in sorted(glob.glob(os.path.join(HERE, "*_dev.jsonl"))):
        with open(path, encoding="utf-8") as f:
            for ln in f:
                if ln.strip():
                    out.append((os.path.basename(path), json.loads(ln)["question"]))
    return out


def check_file(path, prefix, corpus, which, dev, seen_global, errors, warnings):
    counts = Counter()
    with open(path, encoding="utf-8") as f:
        lines = [ln for ln in f.read().split("\n") if ln.strip()]
    dev_norm = [(fn, cd.norm(q)) for fn, q in dev]
    dev_gold = set()
    for fn in glob.glob(os.path.join(HERE, "*_dev.jsonl")):
        with open(fn, encoding="utf-8") as f:
            for ln in f:
                if ln.strip():
                    dev_gold.update(cd.norm(g) for g in json.loads(ln)["gold"])
    for i, line in enumerate(lines, 1):
        where = f"{os.path.basename(path)}:{i}"
        try:
            q = json.loads(line)
        except json.JSONDecodeError as e:
            errors.append(f"{where}: bad JSON: {e}")
            continue
        if not isinstance(q, dict) or set(q) != KEYS:
            errors.append(f"{where}: keys {sorted(q) if isinstance(q, dict) else q!r} != {sorted(KEYS)}")
            continue
        qid, question, gold, facts, kind = q["id"], q["question"], q["gold"], q["facts"], q["kind"]
        where = f"{where} {qid}"
        if qid != f"{prefix}-{i:03d}":
            errors.append(f"{where}: id should be {prefix}-{i:03d}")
        if kind not in KINDS:
            errors.append(f"{where}: unknown kind {kind!r}")
        counts[kind] += 1
        if not isinstance(question, str) or not question.strip():
            errors.append(f"{where}: empty question")
            continue
        qn = cd.norm(question)
        if qn in seen_global:
            errors.append(f"{where}: duplicate of {seen_global[qn]}")
        seen_global.setdefault(qn, qid)
        for fn, dq in dev_norm:
            if qn == dq:
                errors.append(f"{where}: duplicates a question of {fn}: {dq}")
            elif dice(qn, dq) >= NEAR_DUP:
                errors.append(f"{where}: near-duplicate (Dice {dice(qn, dq):.2f}) of a question of {fn}: {dq}")
        if not (isinstance(gold, list) and all(isinstance(g, str) and g.strip() for g in gold)
                and isinstance(facts, list) and all(isinstance(x, str) and x.strip() for x in facts)):
            errors.append(f"{where}: gold/facts must be lists of non-empty strings")
            continue

        if kind == "unanswerable":
            if gold or facts:
                errors.append(f"{where}: unanswerable must have gold == [] and facts == []")
            verified = False
            num = cd.clause_number(question) if which == "seed" else None
            if num is not None:
                verified = True
                if num in corpus.clauses():
                    errors.append(f"{where}: clause ({num}) IS on the page")
            pats = ABSENT.get(qid)
            if pats:
                verified = True
                for pat in pats:
                    m = re.search(pat, corpus.whole)
                    if m:
                        errors.append(f"{where}: pattern {pat!r} occurs in the corpus: "
                                      f"...{corpus.whole[max(0, m.start() - 15):m.end() + 15]}...")
            if not verified:
                errors.append(f"{where}: unanswerable question names no absent clause and has no ABSENT patterns")
            continue

        if qid in ABSENT:
            errors.append(f"{where}: ABSENT patterns listed for an answerable question")
        if not 1 <= len(gold) <= 2:
            errors.append(f"{where}: needs 1-2 gold spans, has {len(gold)}")
        if not 1 <= len(facts) <= 3:
            errors.append(f"{where}: needs 1-3 facts, has {len(facts)}")
        passage_ids = set()
        for g in gold:
            if not 8 <= len(g) <= 30:
                errors.append(f"{where}: gold span has {len(g)} characters (8-30): {g!r}")
            ng = cd.norm(g)
            if ng in dev_gold:
                warnings.append(f"{where}: gold span also used in a *_dev.jsonl question: {g!r}")
            if which == "seed":
                hits = corpus.locate(g)
                if not hits:
                    why = "crosses a paragraph boundary" if ng in cd.norm(corpus.whole) else "not on the page"
                    errors.append(f"{where}: gold {g!r} {why}")
                    continue
                if len(hits) > 1:
                    errors.append(f"{where}: gold {g!r} occurs in {len(hits)} paragraphs")
                if any(corpus.touches_broken(pi, offs, len(ng)) for pi, offs in hits):
                    errors.append(f"{where}: gold {g!r} touches a broken sentence")
                passage_ids.update(pi for pi, _ in hits)
            else:
                hits = corpus.locate(g)
                if not hits:
                    why = "crosses a line / passage boundary" if ng in corpus.whole else "not in the corpus"
                    errors.append(f"{where}: gold {g!r} {why}")
                    continue
                if len({pi for pi, _, _ in hits}) > 1 or len(hits) > 1:
                    errors.append(f"{where}: gold {g!r} occurs in {len(hits)} lines/passages")
                if any(corpus.touches_broken(pi, li, offs, len(ng)) for pi, li, offs in hits):
                    errors.append(f"{where}: gold {g!r} touches a broken sentence")
                passage_ids.update(pi for pi, _, _ in hits)
        if len(passage_ids) > 1:
            errors.append(f"{where}: gold spans lie in {len(passage_ids)} different paragraphs/passages")
        texts = [corpus.paras[k] if which == "seed" else corpus.texts[k] for k in sorted(passage_ids)]
        for fact in facts:
            if len(fact) > 20:
                errors.append(f"{where}: fact longer than 20 characters: {fact!r}")
            if not any(cd.norm(fact) in t for t in texts):
                errors.append(f"{where}: fact {fact!r} not inside the gold passage")
        if not texts:
            continue
        run = max(longest_common_run(qn, t) for t in texts)
        if kind == "colloquial":
            if "\n" in question or "\r" in question:
                errors.append(f"{where}: colloquial question spans several lines")
            if len(sentences(question)) > 2:
                errors.append(f"{where}: colloquial question has more than two sentences")
            if run >= COLLOQUIAL_MAX_RUN:
                errors.append(f"{where}: colloquial question copies a {run}-char run from the gold passage")
        elif kind == "scenario":
            n = len(sentences(question))
            if not 2 <= n <= 3:
                errors.append(f"{where}: scenario has {n} sentences (2-3)")
            if not question.rstrip().endswith(("？", "?")):
                errors.append(f"{where}: scenario does not end with a question")
            if run >= COPY_MAX_RUN:
                errors.append(f"{where}: scenario copies a {run}-char run from the gold passage")
        elif kind == "numeric":
            if run >= COPY_MAX_RUN:
                errors.append(f"{where}: numeric question copies a {run}-char run from the gold passage")
    answerable = sum(v for k, v in counts.items() if k != "unanswerable")
    if answerable < MIN_EACH:
        errors.append(f"{os.path.basename(path)}: {answerable} answerable questions, need {MIN_EACH}+")
    if counts["unanswerable"] < MIN_EACH:
        errors.append(f"{os.path.basename(path)}: {counts['unanswerable']} unanswerable questions, need {MIN_EACH}+")
    for k in ("colloquial", "numeric", "scenario"):
        if not counts[k]:
            errors.append(f"{os.path.basename(path)}: no {k} questions")
    return counts, len(lines)


def coverage(path, corpus, which):
    """Which seed clauses / policy files the answerable gold touches."""
    hit = set()
    with open(path, encoding="utf-8") as f:
        for ln in f:
            if not ln.strip():
                continue
            q = json.loads(ln)
            for g in q["gold"]:
                if which == "seed":
                    for pi, _ in corpus.locate(g):
                        lab = corpus.labels[pi]
                        hit.add(lab if lab is not None else "news")
                else:
                    for pi, _, _ in corpus.locate(g):
                        hit.add(corpus.passages[pi][0][:2])
    return hit


def main(argv):
    seed_dir = argv[1] if len(argv) > 1 else os.path.join(REPO, "corpus")
    pol_dir = argv[2] if len(argv) > 2 else os.path.join(REPO, "eval", "corpus", "policies")
    errors, warnings, summary = [], [], []
    seed = SeedCorpus(seed_dir, errors)
    pol = PolicyCorpus(pol_dir, errors)
    dev = load_dev_questions()
    seen = {}
    for fname, prefix, corpus, which in [("seed_wide.jsonl", "seedw", seed, "seed"),
                                         ("policies_wide.jsonl", "polw", pol, "policies")]:
        path = os.path.join(HERE, fname)
        counts, n = check_file(path, prefix, corpus, which, dev, seen, errors, warnings)
        cov = coverage(path, corpus, which)
        if which == "seed":
            missing = sorted(corpus.clauses() - cov)
            if missing:
                errors.append(f"{fname}: no answerable question on clause(s) {missing}")
            if "news" not in cov:
                errors.append(f"{fname}: no answerable question on the news pieces")
            covtxt = f"clauses {len(cov & corpus.clauses())}/{len(corpus.clauses())}" + (" + news" if "news" in cov else "")
        else:
            files = {n[:2] for n, _, _ in corpus.passages}
            if files - cov:
                errors.append(f"{fname}: no answerable question on file(s) {sorted(files - cov)}")
            covtxt = f"files {len(cov & files)}/{len(files)}"
        summary.append(f"{fname}: {n} questions; " + ", ".join(f"{k}={counts.get(k, 0)}" for k in KINDS)
                       + f"; answerable={n - counts.get('unanswerable', 0)}; covers {covtxt}")
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
