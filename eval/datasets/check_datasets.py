#!/usr/bin/env python3
"""Verify the policyqa datasets against the corpus (standard library only).

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

laws_wide.jsonl (ids lawsw-NNN, drawn with draw_laws_wide.py) gets the checks above plus:
  * kinds: scenario, colloquial, numeric, which_article, unanswerable (the new kinds
    scenario / colloquial / which_article are accepted for every laws set);
  * 1-2 gold spans of 8-30 characters, all inside ONE article of a current law, and none
    of them found in a 历史版本 file of that law;
  * colloquial questions share no run of >= PARAPHRASE_MAX_OVERLAP characters with the
    answer article (same rule as paraphrase); scenario and which_article questions share no
    run of >= WIDE_MAX_OVERLAP characters with it;
  * scenario questions are 60-150 characters; which_article questions name no article
    number; numeric questions have a fact holding a figure;
  * unanswerable questions that name an article name a known law, and the article is absent;
    the others have WIDE_ABSENT patterns (what an answer would have to contain) that match no
    paragraph of a current law;
  * no question repeats a laws_dev.jsonl question (a reused dev gold span is a warning);
  * per-file minimum counts per kind, at most a quarter of scenario questions name a law,
    at least a third use 根据法律规定 / 有关规定 / 按照规定 (or similar).
Warnings (non-fatal) for laws_wide: a gold span found in more than one current paragraph.
"""
import json
import os
import re
import sys
import unicodedata
from collections import Counter

KINDS = ["lookup", "paraphrase", "numeric", "clause_ref", "multi", "news", "unanswerable"]
LAWS_EXTRA_KINDS = ["scenario", "colloquial", "which_article"]  # accepted for the laws sets
WIDE_KINDS = ["scenario", "colloquial", "numeric", "which_article", "unanswerable"]
WIDE_MIN = {"scenario": 45, "colloquial": 40, "numeric": 30, "which_article": 30, "unanswerable": 40}
WIDE_MIN_ANSWERABLE = 150
WIDE_MAX_OVERLAP = 10  # scenario / which_article: a common run of this many chars is a failure
WIDE_GOLD_LEN = (8, 30)
WIDE_SCENARIO_LEN = (60, 150)
RULE_PHRASES = ["根据法律规定", "按照法律规定", "有关规定", "按照规定", "根据规定", "依照规定"]
FIGURE = re.compile(r"[0-9零〇一二两三四五六七八九十百千万亿半]")
WIDE_N = "[0-9零〇一二两三四五六七八九十百千万]+"
# laws_wide unanswerable questions that name no article: what an answer would have to say, as regular
# expressions (over NFKC-normalised paragraphs without white space). None may match a current law.
WIDE_ABSENT = {
    "lawsw-004": [r"每亩", r"休耕.{0,40}" + WIDE_N + "元"],
    "lawsw-010": [r"出口许可证.{0,30}有效期", r"有效期.{0,30}出口许可"],
    "lawsw-011": [r"加急费", r"加急.{0,30}" + WIDE_N + "元", r"身份证工本费.{0,10}" + WIDE_N + "元"],
    "lawsw-012": [r"随军未就业.{0,60}" + WIDE_N + "元"],
    "lawsw-016": [r"投标保证金", r"保证金.{0,40}(百分之|%|％)"],
    "lawsw-017": [r"摇号", r"购车指标"],
    "lawsw-023": [r"摊位费"],
    "lawsw-028": [r"无障碍设施.{0,10}改造.{0,60}" + WIDE_N + "元"],
    "lawsw-029": [r"积分", r"落户.{0,20}" + WIDE_N + "分"],
    "lawsw-035": [r"辅警", r"警务辅助人员"],
    "lawsw-043": [r"退捕.{0,60}" + WIDE_N + "元", r"禁渔.{0,30}十年"],
    "lawsw-051": [r"个人信息保护负责人.{0,80}(工作经验|工作经历|" + WIDE_N + "年以上)"],
    "lawsw-054": [r"消防救援衔.{0,60}(工资|薪)", r"晋升.{0,40}工资.{0,20}" + WIDE_N + "元"],
    "lawsw-057": [r"误工补贴.{0,40}" + WIDE_N + "元", r"补贴标准.{0,10}" + WIDE_N + "元"],
    "lawsw-061": [r"代表.{0,40}补贴.{0,40}" + WIDE_N + "元"],
    "lawsw-067": [r"抗震加固.{0,60}(补贴|补助)"],
    "lawsw-069": [r"能效.{0,60}(补贴|补助)", r"空调.{0,40}(补贴|补助)"],
    "lawsw-075": [r"免签.{0,40}" + WIDE_N + "(天|日)", r"免签.{0,20}国家(名单|清单)"],
    "lawsw-084": [r"(摄氏度|℃).{0,60}(停止|露天|户外)", r"(高温|气温).{0,30}" + WIDE_N + "(度|℃)"],
    "lawsw-087": [r"赡养老人.{0,80}" + WIDE_N + "元"],
    "lawsw-097": [r"(举报|间谍).{0,80}奖(金|励).{0,30}" + WIDE_N + "元"],
    "lawsw-100": [r"国家安全教育日.{0,60}(放假|休假|假期)"],
    "lawsw-113": [r"可可西里", r"自然保护区.{0,40}门票.{0,20}" + WIDE_N + "元", r"提前" + WIDE_N + "(天|日).{0,10}预约"],
    "lawsw-114": [r"地力保护补贴", r"每亩"],
    "lawsw-119": [r"出口管制.{0,100}稀土", r"稀土.{0,100}出口管制"],
    "lawsw-127": [r"(年休假|带薪休假|年假).{0,40}" + WIDE_N + "(天|日)"],
    "lawsw-140": [r"居民身份证.{0,80}有效期(满|届满)前", r"提前.{0,10}" + WIDE_N + "(个月|日|天).{0,20}换领"],
    "lawsw-142": [r"(犬只|养犬)登记.{0,40}(登记费|收费|" + WIDE_N + "元)", r"狗证"],
    "lawsw-143": [r"电话卡.{0,40}" + WIDE_N + "张", r"不得超过" + WIDE_N + "张"],
    "lawsw-167": [r"最低缴费基数", r"灵活就业.{0,80}缴费基数.{0,30}" + WIDE_N + "元", r"缴费基数.{0,30}" + WIDE_N + "元"],
    "lawsw-174": [r"非京籍", r"入学.{0,60}社会保险.{0,20}" + WIDE_N + "年", r"社保"],
    "lawsw-178": [r"身高", r"厘米.{0,30}(报考|招收)"],
    "lawsw-181": [r"(高考|考生|录取).{0,60}加" + WIDE_N + "分(?!之)", r"少数民族.{0,60}加分"],
    "lawsw-182": [r"(申报出生|出生登记).{0,80}罚款", r"户口登记条例.{0,40}" + WIDE_N + "元"],
}
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


def history_texts(files):
    """base title -> normalised texts of its 历史版本 files."""
    out = {}
    for name, text in files.items():
        if "历史版本" in name:
            base = re.sub(r"（历史版本[^）]*）", "", name[:-4])
            out.setdefault(base, []).append(norm(text))
    return out


def check_file(path, prefix, corpus, kind_of_corpus, errors, warnings, wide=False, earlier=None):
    counts = Counter()
    shorts = law_short_names(corpus.files) if kind_of_corpus == "laws" else {}
    if wide:
        allowed = WIDE_KINDS
    elif kind_of_corpus == "laws":
        allowed = KINDS + LAWS_EXTRA_KINDS
    else:
        allowed = KINDS
    history = history_texts(corpus.files) if wide else {}
    scen_named, scen_phrase = [], 0
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
        if kind not in allowed:
            errors.append(f"{where}: unknown kind {kind!r}")
        counts[kind] += 1
        if not isinstance(question, str) or not question.strip():
            errors.append(f"{where}: empty question")
            continue
        if norm(question) in seen_q:
            errors.append(f"{where}: duplicate question")
        seen_q.add(norm(question))
        if wide and earlier and norm(question) in earlier["questions"]:
            errors.append(f"{where}: repeats question {earlier['questions'][norm(question)]}")
        if not (isinstance(gold, list) and all(isinstance(g, str) and g.strip() for g in gold)):
            errors.append(f"{where}: gold must be a list of non-empty strings")
            continue
        if not (isinstance(facts, list) and all(isinstance(x, str) and x.strip() for x in facts)):
            errors.append(f"{where}: facts must be a list of non-empty strings")
            continue

        num = clause_number(question)
        law = named_law(question, shorts) if kind_of_corpus == "laws" else None

        if wide and kind == "scenario":
            qlen = len(norm(question))
            if not WIDE_SCENARIO_LEN[0] <= qlen <= WIDE_SCENARIO_LEN[1]:
                errors.append(f"{where}: scenario question has {qlen} chars, needs "
                              f"{WIDE_SCENARIO_LEN[0]}-{WIDE_SCENARIO_LEN[1]}")
            if law:
                scen_named.append(qid)
            if any(ph in question for ph in RULE_PHRASES):
                scen_phrase += 1
        if wide and kind == "which_article" and num is not None:
            errors.append(f"{where}: which_article question names an article number (that is clause_ref)")
        if wide and kind == "numeric" and not any(FIGURE.search(x) for x in facts):
            errors.append(f"{where}: numeric question has no fact holding a figure")
        if wide and kind == "unanswerable" and num is not None and law is None:
            errors.append(f"{where}: unanswerable question names article {num} but no known law")
        if wide and kind == "unanswerable" and num is None:
            pats = WIDE_ABSENT.get(qid)
            if not pats:
                errors.append(f"{where}: unanswerable question names no article and has no WIDE_ABSENT patterns")
            for pat in pats or []:
                rx = re.compile(pat)
                found = [(fn, lab) for (fn, p, lab) in corpus.paras if "历史版本" not in fn and rx.search(p)]
                if found:
                    fn, lab = found[0]
                    errors.append(f"{where}: absence pattern {pat!r} matches {fn} article {lab}")

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
        if wide and len(gold) > 2:
            errors.append(f"{where}: needs 1-2 gold spans, has {len(gold)}")
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
            if wide and earlier and norm(g) in earlier["gold"]:
                warnings.append(f"{where}: gold span {g!r} also used in {earlier['gold'][norm(g)]}")
            if wide:
                current = [(fn, lab) for (fn, _, lab) in hits if "历史版本" not in fn]
                if not WIDE_GOLD_LEN[0] <= glen <= WIDE_GOLD_LEN[1]:
                    errors.append(f"{where}: gold span {g!r} has {glen} chars, needs "
                                  f"{WIDE_GOLD_LEN[0]}-{WIDE_GOLD_LEN[1]}")
                if not current:
                    errors.append(f"{where}: gold span {g!r} occurs only in 历史版本 files")
                elif len(current) > 1:
                    warnings.append(f"{where}: gold span {g!r} occurs in {len(current)} current paragraphs")
                for fn in {fn for (fn, _) in current}:
                    if any(norm(g) in h for h in history.get(fn[:-4], [])):
                        errors.append(f"{where}: gold span {g!r} also occurs in a 历史版本 file of {fn}")
            if kind_of_corpus == "seed" and len(hits) > 1:
                warnings.append(f"{where}: gold span {g!r} occurs in {len(hits)} paragraphs")
            if kind_of_corpus == "laws":
                current = {fn for (fn, _, _) in hits if "历史版本" not in fn}
                if len(current) > 1:
                    warnings.append(f"{where}: gold span {g!r} occurs in {len(current)} current laws")

        for fact in facts:
            if not any(norm(fact) in p for (_, p, _) in gold_paras):
                errors.append(f"{where}: fact {fact!r} not inside a gold passage")

        if wide and gold:
            per_span = [{(fn, p) for (fn, p, _) in corpus.find(g) if "历史版本" not in fn} for g in gold]
            if per_span and not set.intersection(*per_span):
                errors.append(f"{where}: gold spans do not lie in one common article")

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

        if kind in ("paraphrase", "colloquial") and gold_paras:
            qn = norm(question)
            worst = max(longest_common_run(qn, p) for (_, p, _) in gold_paras)
            if worst >= PARAPHRASE_MAX_OVERLAP:
                errors.append(f"{where}: {kind} question copies a {worst}-char run from the answer passage")
        if kind in ("scenario", "which_article") and gold_paras:
            qn = norm(question)
            worst = max(longest_common_run(qn, p) for (_, p, _) in gold_paras)
            if worst >= WIDE_MAX_OVERLAP:
                errors.append(f"{where}: {kind} question copies a {worst}-char run from the answer article")

    if wide:
        name = os.path.basename(path)
        for k, n in WIDE_MIN.items():
            if counts.get(k, 0) < n:
                errors.append(f"{name}: {k}={counts.get(k, 0)}, needs at least {n}")
        answerable = sum(v for k, v in counts.items() if k != "unanswerable")
        if answerable < WIDE_MIN_ANSWERABLE:
            errors.append(f"{name}: {answerable} answerable questions, needs at least {WIDE_MIN_ANSWERABLE}")
        n_scen = counts.get("scenario", 0)
        if n_scen:
            if 4 * len(scen_named) > n_scen:
                errors.append(f"{name}: {len(scen_named)} of {n_scen} scenario questions name a law "
                              f"(at most a quarter may): {', '.join(scen_named)}")
            if 3 * scen_phrase < n_scen:
                errors.append(f"{name}: only {scen_phrase} of {n_scen} scenario questions use a "
                              f"根据法律规定 / 有关规定 / 按照规定 phrase (at least a third should)")
            print(f"{name}: scenario questions naming a law: {len(scen_named)}/{n_scen} "
                  f"({', '.join(scen_named)}); using a 规定 phrase: {scen_phrase}/{n_scen}")
    return counts, len(lines)


def main(argv):
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    seed_dir = argv[1] if len(argv) > 1 else os.path.join(repo, "corpus")
    laws_dir = argv[2] if len(argv) > 2 else os.path.join(repo, "eval", "corpus", "laws")
    here = os.path.dirname(os.path.abspath(__file__))
    errors, warnings = [], []
    summary = []
    corpora = {}
    for fname, prefix, d, kind, wide in [("seed_dev.jsonl", "seed", seed_dir, "seed", False),
                                         ("laws_dev.jsonl", "laws", laws_dir, "laws", False),
                                         ("laws_wide.jsonl", "lawsw", laws_dir, "laws", True)]:
        if (d, kind) not in corpora:
            corpora[(d, kind)] = Corpus(load_dir(d), kind)
        corpus = corpora[(d, kind)]
        earlier = None
        if wide:  # questions / gold spans of the dev set on the same corpus
            earlier = {"questions": {}, "gold": {}}
            with open(os.path.join(here, "laws_dev.jsonl"), encoding="utf-8") as f:
                for ln in f:
                    if ln.strip():
                        q = json.loads(ln)
                        earlier["questions"].setdefault(norm(q["question"]), q["id"])
                        for g in q["gold"]:
                            earlier["gold"].setdefault(norm(g), q["id"])
        counts, n = check_file(os.path.join(here, fname), prefix, corpus, kind, errors, warnings,
                               wide=wide, earlier=earlier)
        shown = WIDE_KINDS if wide else KINDS
        shown = shown + sorted(k for k in counts if k not in shown)
        summary.append(f"{fname}: {n} questions; " + ", ".join(f"{k}={counts.get(k, 0)}" for k in shown))
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
