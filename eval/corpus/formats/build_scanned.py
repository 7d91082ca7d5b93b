#!/usr/bin/env python3
"""Build scanned/*.pdf: the LibreOffice PDFs of pdf/ as a scanner makes them, one image per page.

Each page rendered by poppler's pdftoppm at 150 dpi in grey, turned a little (a sheet never
lies straight on the glass: 0.4 to 0.8 degrees), speckled, saved as JPEG at quality 60 and put
into a PDF by img2pdf (pip install img2pdf) without any text layer.
Run from eval/corpus/formats/:  python3 build_scanned.py
"""
import glob
import io
import os
import random
import subprocess
import tempfile

import img2pdf
from PIL import Image, ImageFilter

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "scanned")


def scan(page: Image.Image, rng: random.Random) -> bytes:
    angle = rng.choice([-1, 1]) * rng.uniform(0.4, 0.8)
    page = page.convert("L").rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=255)
    px = page.load()
    w, h = page.size
    for _ in range(w * h // 400):  # dust: dark specks on the white
        x, y = rng.randrange(w), rng.randrange(h)
        px[x, y] = rng.randrange(0, 120)
    page = page.filter(ImageFilter.GaussianBlur(0.5))
    buf = io.BytesIO()
    page.save(buf, "JPEG", quality=60, dpi=(150, 150))
    return buf.getvalue()


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(20251202)
    for src in sorted(glob.glob(os.path.join(HERE, "pdf", "*.pdf"))):
        name = os.path.splitext(os.path.basename(src))[0]
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(["pdftoppm", "-r", "150", "-gray", "-png", src, os.path.join(tmp, "p")], check=True)
            pages = [scan(Image.open(p), rng) for p in sorted(glob.glob(os.path.join(tmp, "p-*.png")))]
        with open(os.path.join(OUT, name + ".pdf"), "wb") as f:
            f.write(img2pdf.convert(pages, dpi=150))
        print("scanned/%s.pdf: %d page(s)" % (name, len(pages)))


if __name__ == "__main__":
    main()
