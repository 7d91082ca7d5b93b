#!/usr/bin/env python3
"""Build docx/govcn.fodt and docx/npc.fodt (flat ODF text) from texts/*.txt.

Layout follows GB/T 9704 公文 conventions loosely: A4, title in 小标宋 22pt
centred, 文号 / 通过 line centred, body 仿宋 16pt with a 2-character first-line
indent, sign-off right-aligned.  Running header = issuing body, footer =
"— N —" with a page-number field.

npc.fodt: 第一条…第十二条 are NOT typed; they come from the list style
"GW_Articles" (prefix 第, Chinese counting 一, 二, 三, ..., suffix 条).  The
（一）（二）（三） items of 第四条 are plain paragraphs between two <text:list>
blocks; the second block continues the numbering.

Run from eval/corpus/formats/:  python3 build_fodt.py
then convert with soffice (see README.md).

Note: the list level must name a character style (text:style-name); with no
character style LibreOffice 7.4 cannot see the zh-CN Asian language and
exports the level as w:numFmt="taiwaneseCountingThousand" instead of
"chineseCountingThousand".
"""
import os
import re
from xml.sax.saxutils import escape

HERE = os.path.dirname(os.path.abspath(__file__))

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
 xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
 xmlns:loext="urn:org:documentfoundation:names:experimental:office:xmlns:loext:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
 <office:meta>
  <dc:title>{title}</dc:title>
  <meta:initial-creator>{creator}</meta:initial-creator>
  <dc:creator>{creator}</dc:creator>
  <dc:language>zh-CN</dc:language>
 </office:meta>
 <office:font-face-decls>
  <style:font-face style:name="方正小标宋简体" svg:font-family="方正小标宋简体" style:font-family-generic="roman"/>
  <style:font-face style:name="仿宋_GB2312" svg:font-family="仿宋_GB2312" style:font-family-generic="roman"/>
  <style:font-face style:name="楷体_GB2312" svg:font-family="楷体_GB2312" style:font-family-generic="roman"/>
  <style:font-face style:name="黑体" svg:font-family="黑体" style:font-family-generic="swiss"/>
  <style:font-face style:name="宋体" svg:font-family="宋体" style:font-family-generic="roman"/>
  <style:font-face style:name="Times New Roman" svg:font-family="'Times New Roman'" style:font-family-generic="roman"/>
 </office:font-face-decls>
 <office:styles>
  <style:default-style style:family="paragraph">
   <style:paragraph-properties fo:line-height="28pt" style:writing-mode="lr-tb"/>
   <style:text-properties style:font-name="Times New Roman" style:font-name-asian="仿宋_GB2312" fo:font-size="16pt" style:font-size-asian="16pt" fo:language="zh" fo:country="CN" style:language-asian="zh" style:country-asian="CN"/>
  </style:default-style>
  <style:style style:name="Standard" style:family="paragraph" style:class="text"/>
  <style:style style:name="GW_Title" style:display-name="公文标题" style:family="paragraph" style:parent-style-name="Standard">
   <style:paragraph-properties fo:text-align="center" fo:line-height="36pt" fo:margin-bottom="14pt"/>
   <style:text-properties style:font-name-asian="方正小标宋简体" fo:font-size="22pt" style:font-size-asian="22pt"/>
  </style:style>
  <style:style style:name="GW_Wenhao" style:display-name="发文字号" style:family="paragraph" style:parent-style-name="Standard">
   <style:paragraph-properties fo:text-align="center" fo:margin-bottom="14pt"/>
  </style:style>
  <style:style style:name="GW_Passed" style:display-name="题注" style:family="paragraph" style:parent-style-name="Standard">
   <style:paragraph-properties fo:text-align="center" fo:margin-bottom="14pt"/>
   <style:text-properties style:font-name-asian="楷体_GB2312"/>
  </style:style>
  <style:style style:name="GW_Zhusong" style:display-name="主送机关" style:family="paragraph" style:parent-style-name="Standard"/>
  <style:style style:name="GW_Body" style:display-name="公文正文" style:family="paragraph" style:parent-style-name="Standard">
   <style:paragraph-properties fo:text-align="justify" fo:text-indent="32pt"/>
  </style:style>
  <style:style style:name="GW_Article" style:display-name="条文" style:family="paragraph" style:parent-style-name="GW_Body" style:list-style-name="GW_Articles"/>
  <style:style style:name="GW_Signer" style:display-name="发文机关署名" style:family="paragraph" style:parent-style-name="Standard">
   <style:paragraph-properties fo:text-align="end" fo:margin-right="64pt" fo:margin-top="28pt"/>
  </style:style>
  <style:style style:name="GW_Date" style:display-name="成文日期" style:family="paragraph" style:parent-style-name="Standard">
   <style:paragraph-properties fo:text-align="end" fo:margin-right="64pt"/>
  </style:style>
  <style:style style:name="GW_Note" style:display-name="附注" style:family="paragraph" style:parent-style-name="GW_Body"/>
  <style:style style:name="Header" style:family="paragraph" style:parent-style-name="Standard" style:class="extra">
   <style:paragraph-properties fo:text-align="center" fo:line-height="100%" fo:padding-bottom="2pt" fo:border-bottom="0.75pt solid #c00000"/>
   <style:text-properties fo:color="#c00000" style:font-name-asian="宋体" fo:font-size="10.5pt" style:font-size-asian="10.5pt"/>
  </style:style>
  <style:style style:name="Footer" style:family="paragraph" style:parent-style-name="Standard" style:class="extra">
   <style:paragraph-properties fo:text-align="center" fo:line-height="100%"/>
   <style:text-properties style:font-name="宋体" style:font-name-asian="宋体" fo:font-size="14pt" style:font-size-asian="14pt"/>
  </style:style>
  <style:style style:name="GW_Heading" style:display-name="一级标题" style:family="text">
   <style:text-properties style:font-name-asian="黑体"/>
  </style:style>
  <text:list-style style:name="GW_Articles" style:display-name="条文编号">
   <text:list-level-style-number text:level="1" text:style-name="GW_Heading" style:num-prefix="第" style:num-suffix="条" style:num-format="一, 二, 三, ...">
    <style:list-level-properties text:list-level-position-and-space-mode="label-alignment">
     <style:list-level-label-alignment text:label-followed-by="space" fo:text-indent="32pt" fo:margin-left="0pt"/>
    </style:list-level-properties>
   </text:list-level-style-number>
  </text:list-style>
 </office:styles>
 <office:automatic-styles>
  <style:page-layout style:name="pm1">
   <style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm" style:print-orientation="portrait" fo:margin-top="2.5cm" fo:margin-bottom="2cm" fo:margin-left="2.8cm" fo:margin-right="2.6cm"/>
   <style:header-style><style:header-footer-properties fo:min-height="0cm" fo:margin-bottom="0.8cm"/></style:header-style>
   <style:footer-style><style:header-footer-properties fo:min-height="0cm" fo:margin-top="0.8cm"/></style:footer-style>
  </style:page-layout>
 </office:automatic-styles>
 <office:master-styles>
  <style:master-page style:name="Standard" style:page-layout-name="pm1">
   <style:header><text:p text:style-name="Header">{header}</text:p></style:header>
   <style:footer><text:p text:style-name="Footer">— <text:page-number text:select-page="current">1</text:page-number> —</text:p></style:footer>
  </style:master-page>
 </office:master-styles>
 <office:body>
  <office:text>
"""
TAIL = """  </office:text>
 </office:body>
</office:document>
"""


def lines(name):
    with open(os.path.join(HERE, "texts", name + ".txt"), encoding="utf-8") as f:
        return [l.rstrip("\n") for l in f if l.strip()]


def p(style, text):
    return '   <text:p text:style-name="%s">%s</text:p>\n' % (style, escape(text))


def govcn():
    L = lines("govcn")
    out = [HEAD.format(title=escape(L[0]), creator="国务院办公厅", header="国务院办公厅")]
    out.append(p("GW_Title", L[0]))
    out.append(p("GW_Wenhao", L[1]))
    out.append(p("GW_Zhusong", L[2]))
    for l in L[3:-3]:
        m = re.match(r"^([一二三四五六七八九十]+、[^。]*。)(.*)$", l)
        if m:  # 一、 heading sentence in 黑体, rest of the paragraph in 仿宋
            out.append('   <text:p text:style-name="GW_Body"><text:span text:style-name="GW_Heading">%s</text:span>%s</text:p>\n'
                       % (escape(m.group(1)), escape(m.group(2))))
        else:
            out.append(p("GW_Body", l))
    out.append(p("GW_Signer", L[-3]))
    out.append(p("GW_Date", L[-2]))
    out.append(p("GW_Note", L[-1]))
    out.append(TAIL)
    write("govcn", "".join(out))


def npc():
    L = lines("npc")
    out = [HEAD.format(title=escape(L[0]), creator="全国人民代表大会常务委员会", header="全国人民代表大会常务委员会")]
    out.append(p("GW_Title", L[0]))
    out.append(p("GW_Passed", L[1]))
    in_list = False
    first_list = True
    for l in L[2:]:
        m = re.match(r"^第[一二三四五六七八九十]+条　(.*)$", l)
        if m:
            if not in_list:
                attrs = ' xml:id="articles1"' if first_list else ' text:continue-list="articles1"'
                out.append('   <text:list text:style-name="GW_Articles"%s>\n' % attrs)
                in_list, first_list = True, False
            out.append('    <text:list-item><text:p text:style-name="GW_Article">%s</text:p></text:list-item>\n' % escape(m.group(1)))
        else:
            if in_list:
                out.append("   </text:list>\n")
                in_list = False
            out.append(p("GW_Body", l))
    if in_list:
        out.append("   </text:list>\n")
    out.append(TAIL)
    write("npc", "".join(out))


def write(name, s):
    path = os.path.join(HERE, "docx", name + ".fodt")
    with open(path, "w", encoding="utf-8") as f:
        f.write(s)
    print("wrote", path)


if __name__ == "__main__":
    govcn()
    npc()
