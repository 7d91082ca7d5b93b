#!/usr/bin/env python3
"""Draw the law articles that laws_wide.jsonl is written for (standard library only).

Usage:
    python3 eval/datasets/draw_laws_wide.py [LAWS_DIR] [--full]

LAWS_DIR defaults to eval/corpus/laws (relative to the repo root). The draw is deterministic:
one random.Random(20261201) drives everything, and it does not depend on which articles were
later skipped, so re-running the script always prints the same list.

What is drawn
  * Only current laws: files whose name contains 历史版本 are never drawn from. Files named
    修正案 or 关于修改…的决定 are left out too (every article of them amends another law).
  * An article is a paragraph that starts with 第N条 (the corpus has one article per paragraph).
  * Eligible articles: body (text after 第N条) of at least MIN_CHARS characters after removal of
    white space; not a commencement article (本法自…起施行 / …同时废止); not an article that amends
    or repeals other laws (修改为, 删去, 增加一条/款, 予以废止); and not an article whose text also
    occurs unchanged in a 历史版本 file of the same law (no gold span of it could be distinctive).
  * numeric slots draw only among eligible articles that contain a figure: Arabic digits, 百分之…,
    or a Chinese numeral followed by a unit (日/天/月/年/周岁/岁/倍/元/小时/公里/…).
  * Each draw is two-stage: a law chosen uniformly among the current laws that have an eligible
    article, then an article chosen uniformly inside that law (so the 1260 articles of 民法典 do not
    crowd out the small laws). No article is drawn twice.

Output
  The schedule is a shuffled list of style slots (SLOTS below). Every style has its own stream of
  candidates, drawn up front in a fixed order, so skipping one candidate only moves that style's
  later slots onto the next candidate of the same stream. Slot k is question lawsw-k.
  unanswerable slots get a "topic anchor" (a random current law with its article count and last
  article); the question is written near that law's topic but must not be answered by any law.
  Skipped candidates are listed in SKIPPED with the reason, and are printed as such.
"""
import os
import random
import re
import sys
import unicodedata

SEED = 20261201
MIN_CHARS = 40
# style -> number of slots (lawsw-001 ... in the shuffled order of these slots)
SLOTS = {"scenario": 48, "colloquial": 42, "numeric": 32, "which_article": 32, "unanswerable": 42}
STREAM_LEN = 3  # candidates drawn per slot (reserve for skips)

# (file, article number) -> why it was skipped; the next candidate of the same style is used instead.
SKIPPED = {
    ("中华人民共和国社会救助法.txt", 77):
        "boilerplate penalty clause (违反本法规定，构成违反治安管理行为的…依法追究刑事责任) that occurs word for word "
        "in 39 current laws: no distinctive gold span exists",
    ("中华人民共和国各级人民代表大会常务委员会监督法.txt", 41):
        "the whole article (司法解释 自公布之日起三十日内 报全国人大常委会备案) occurs word for word inside "
        "立法法第一百一十九条: no distinctive gold span exists",
}

WS = re.compile(r"\s+", re.UNICODE)
BLANK = re.compile(r"\n[ \t\u3000\r]*\n")
ART = re.compile(r"^第([零一二三四五六七八九十百千]+)条")
CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUM = "[零〇一二两三四五六七八九十百千万亿]+"
FIGURE = re.compile(
    r"[0-9]|百分之" + CN_NUM + "|" + CN_NUM +
    r"(?:个工作日|个月|日|天|月|年|周岁|岁|倍|元|万元|亿元|小时|分钟|公里|千米|米|公斤|千克|吨|平方米|公顷|亩|分之)")
COMMENCE = re.compile(r"^本(?:法|条例|规定|决定|办法|解释)(?:自|于).{0,60}(?:施行|生效)")
AMENDS = re.compile(r"修改为|删去|增加一条|增加一款|增加一项|予以废止|同时废止")


def norm(s):
    return WS.sub("", unicodedata.normalize("NFKC", s))


def cn2int(s):
    total, cur = 0, 0
    for ch in s:
        if ch in CN_DIGITS:
            cur = CN_DIGITS[ch]
        else:
            total += (cur or 1) * CN_UNITS[ch]
            cur = 0
    return total + cur


def base_title(name):
    return re.sub(r"（历史版本[^）]*）", "", name[:-4])


def load(laws_dir):
    """-> (articles per current law, article count per current law)."""
    texts = {}
    for name in sorted(os.listdir(laws_dir)):
        if name.endswith(".txt"):
            with open(os.path.join(laws_dir, name), encoding="utf-8") as f:
                texts[name] = f.read().replace("\r\n", "\n")
    history = {}
    for name, text in texts.items():
        if "历史版本" in name:
            history.setdefault(base_title(name), []).append(norm(text))
    eligible, counts = {}, {}
    for name, text in texts.items():
        if "历史版本" in name:
            continue
        arts = []
        for p in BLANK.split(text):
            m = ART.match(norm(p))
            if m:
                arts.append((cn2int(m.group(1)), p.strip()))
        if not arts:
            continue
        counts[name] = (len(arts), max(n for n, _ in arts))
        if "修正案" in name or "关于修改" in name:
            continue
        old = history.get(base_title(name), [])
        keep = []
        for num, p in arts:
            body = ART.sub("", norm(p), count=1)
            if len(body) < MIN_CHARS or COMMENCE.match(body) or AMENDS.search(body):
                continue
            if any(body in h for h in old):
                continue
            keep.append((num, p))
        if keep:
            eligible[name] = keep
    return eligible, counts


def has_figure(text):
    return bool(FIGURE.search(ART.sub("", norm(text), count=1)))


def draw(eligible, counts):
    rng = random.Random(SEED)
    slots = [style for style, n in SLOTS.items() for _ in range(n)]
    rng.shuffle(slots)
    laws = sorted(eligible)
    numeric_laws = sorted(n for n in laws if any(has_figure(p) for _, p in eligible[n]))
    used = set()
    streams = {}
    for style in SLOTS:  # fixed order: scenario, colloquial, numeric, which_article, unanswerable
        stream = []
        if style == "unanswerable":
            names = sorted(counts)
            for _ in range(SLOTS[style] * STREAM_LEN):
                stream.append((rng.choice(names), None, None))
        else:
            pool_laws = numeric_laws if style == "numeric" else laws
            while len(stream) < SLOTS[style] * STREAM_LEN:
                law = rng.choice(pool_laws)
                arts = [a for a in eligible[law] if style != "numeric" or has_figure(a[1])]
                num, text = rng.choice(arts)
                if (law, num) in used:
                    continue
                used.add((law, num))
                stream.append((law, num, text))
        streams[style] = stream
    pos = {style: 0 for style in SLOTS}
    out = []
    for k, style in enumerate(slots, 1):
        skipped = []
        while True:
            law, num, text = streams[style][pos[style]]
            pos[style] += 1
            if (law, num) in SKIPPED:
                skipped.append((law, num, SKIPPED[(law, num)]))
                continue
            break
        out.append((k, style, law, num, text, skipped))
    return out


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    full = "--full" in argv
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    laws_dir = args[0] if args else os.path.join(repo, "eval", "corpus", "laws")
    eligible, counts = load(laws_dir)
    n_art = sum(len(v) for v in eligible.values())
    print(f"# seed {SEED}; {len(eligible)} current laws with {n_art} eligible articles")
    for k, style, law, num, text, skipped in draw(eligible, counts):
        for s_law, s_num, why in skipped:
            print(f"lawsw-{k:03d} {style:13s} SKIPPED {s_law} 第{s_num}条: {why}")
        if style == "unanswerable":
            n, last = counts[law]
            print(f"lawsw-{k:03d} {style:13s} anchor {law} ({n} articles, last 第{last}条)")
            continue
        print(f"lawsw-{k:03d} {style:13s} {law} 第{num}条")
        body = text if full else (text if len(text) <= 300 else text[:300] + "…")
        for line in body.split("\n"):
            print("    " + line)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
