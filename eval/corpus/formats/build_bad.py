#!/usr/bin/env python3
"""Build bad/{truncated,bomb,notzip}.docx and variants/npc_chinesecounting.docx.

bad/renamed.docx is made with soffice (see README.md), not here.
Run from eval/corpus/formats/ after the .docx files exist:  python3 build_bad.py
"""
import os
import random
import re
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
BAD = os.path.join(HERE, "bad")
DOCX = os.path.join(HERE, "docx")


def truncated():
    src = open(os.path.join(DOCX, "npc.docx"), "rb").read()
    with open(os.path.join(BAD, "truncated.docx"), "wb") as f:
        f.write(src[: len(src) // 2])
    print("truncated.docx: %d of %d bytes" % (len(src) // 2, len(src)))


CT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"""
RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"""
DOC_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            '<w:body><w:p><w:r><w:t>')
DOC_TAIL = "</w:t></w:r></w:p></w:body></w:document>"


def bomb(total=300 * 1024 * 1024):
    """A well-formed DOCX whose document.xml is one <w:t> of ~300 MB of 政."""
    path = os.path.join(BAD, "bomb.docx")
    chunk = ("政" * (1024 * 1024 // 3)).encode("utf-8")  # ~1 MiB
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", CT)
        z.writestr("_rels/.rels", RELS)
        with z.open("word/document.xml", "w") as f:
            f.write(DOC_HEAD.encode())
            written = len(DOC_HEAD)
            while written + len(chunk) <= total - len(DOC_TAIL):
                f.write(chunk)
                written += len(chunk)
            f.write(DOC_TAIL.encode())
            written += len(DOC_TAIL)
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("word/document.xml")
    print("bomb.docx: %d bytes on disk, word/document.xml %d bytes uncompressed (%d compressed)"
          % (os.path.getsize(path), info.file_size, info.compress_size))


def notzip():
    rnd = random.Random(20250312)
    data = bytes(rnd.getrandbits(8) for _ in range(8192))
    if data[:2] == b"PK":
        data = b"\x00" + data[1:]
    with open(os.path.join(BAD, "notzip.docx"), "wb") as f:
        f.write(data)
    print("notzip.docx: %d random bytes (seed 20250312)" % len(data))


def chinese_counting_variant():
    """Copy of npc.docx with numFmt chineseCountingThousand -> chineseCounting (as WPS writes)."""
    src = os.path.join(DOCX, "npc.docx")
    dst = os.path.join(HERE, "variants", "npc_chinesecounting.docx")
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "word/numbering.xml":
                s = data.decode("utf-8")
                s, n = re.subn(r'w:numFmt w:val="chineseCountingThousand"', 'w:numFmt w:val="chineseCounting"', s)
                assert n == 1, n
                data = s.encode("utf-8")
            zout.writestr(info, data)
    print("npc_chinesecounting.docx written")


if __name__ == "__main__":
    os.makedirs(BAD, exist_ok=True)
    truncated()
    notzip()
    chinese_counting_variant()
    bomb()
