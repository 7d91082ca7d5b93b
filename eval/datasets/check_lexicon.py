"""The lexicon's sections written law by law over the laws corpus (after the first line
starting "# ===== 法律法规各领域"): every official term occurs verbatim in a law's text
(white space ignored), no key equals its own term, no key is shorter than 2 characters.
Run by scripts/test."""
import glob
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
corpus = re.sub(r"\s+", "", "".join(open(f, encoding="utf-8").read() for f in glob.glob(os.path.join(ROOT, "eval/corpus/laws/*.txt"))))
problems, entries, in_laws = [], 0, False
for n, line in enumerate(open(os.path.join(ROOT, "crates/index/data/lexicon.tsv"), encoding="utf-8"), 1):
    line = line.rstrip("\n")
    if line.startswith("# ===== 法律法规各领域"):
        in_laws = True
    if not in_laws or not line.strip() or line.startswith("#"):
        continue
    if "\t" not in line:
        problems.append(f"line {n}: no TAB")
        continue
    key, terms = line.split("\t", 1)
    entries += 1
    if len(key.strip()) < 2:
        problems.append(f"line {n}: key shorter than 2 characters: {key}")
    for t in (t.strip() for t in terms.split("|")):
        if t and t not in corpus:
            problems.append(f"line {n}: official term not in the laws corpus: {t}")
        if t == key.strip():
            problems.append(f"line {n}: the key is its own term: {key}")
for p in problems:
    print(p)
print(f"lexicon, laws sections: {entries} entries, {len(problems)} problems")
sys.exit(1 if problems or entries == 0 else 0)
