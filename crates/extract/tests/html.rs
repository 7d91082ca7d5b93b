//! Web pages: charset, main content, chrome, metadata (mechanics, on pages built here; the
//! publishers' shapes are tested on the fixtures of eval/corpus/formats in tests/formats.rs).

use policyqa_extract::{extract, Format, Limits};

fn page(body: &str, head: &str) -> String {
    format!("<!DOCTYPE html>\n<html><head>{head}</head><body>{body}</body></html>")
}

#[test]
fn a_gbk_page_is_read_by_its_declared_charset() {
    let html = page("<div id=\"zoom\"><p>第一条　为了规范工资支付行为，保障劳动者获得劳动报酬的权利，制定本条例。</p></div>", r#"<meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>工资支付条例_某省人民政府</title>"#);
    let (bytes, _, bad) = encoding_rs::GBK.encode(&html);
    assert!(!bad);
    let x = extract(&bytes, &Limits::default()).unwrap();
    assert_eq!(x.format, Format::Html);
    assert!(x.text.contains("第一条　为了规范工资支付行为"), "{}", x.text);
    assert_eq!(x.title.as_deref(), Some("工资支付条例"));
    assert!(x.notes.iter().any(|n| n.message.contains("gb18030")), "{:?}", x.notes);
}

#[test]
fn an_unknown_layout_falls_back_to_the_densest_paragraphs_and_leaves_chrome_out() {
    let nav: String = (0..30).map(|i| format!("<li><a href=\"/{i}\">栏目链接第{i}项政策文件</a></li>")).collect();
    let body = format!(
        r#"<div class="top"><ul>{nav}</ul></div>
        <div class="wrap"><div class="detail-body">
          <p>一、总体要求</p>
          <p>（一）坚持就业优先。把促进就业作为经济社会发展的优先目标。</p>
          <p>（二）坚持分类施策。对重点群体实施精准帮扶，<br>确保政策落地见效。</p>
          <div class="share-bar">分享到：微信 微博 QQ空间</div>
          <script>document.write("<p>脚本里的字</p>")</script>
          <p style="display:none">隐藏的字</p>
        </div></div>
        <div class="foot">版权所有：某市人民政府办公室 网站标识码1234567890</div>"#
    );
    let x = extract(page(&body, "<meta charset=\"utf-8\"><title>关于促进就业的实施意见 - 某市人民政府</title>").as_bytes(), &Limits::default()).unwrap();
    assert!(x.text.contains("（一）坚持就业优先。"), "{}", x.text);
    for absent in ["栏目链接", "分享到", "脚本里的字", "隐藏的字", "网站标识码", "<", ">"] {
        assert!(!x.text.contains(absent), "{absent} in {}", x.text);
    }
    // A <br> inside a paragraph ends a line; the chunker rejoins the sentence.
    assert!(x.text.contains("实施精准帮扶，\n确保政策落地见效。"), "{}", x.text);
    assert_eq!(x.text.lines().next(), Some("关于促进就业的实施意见"));
    assert!(x.notes.iter().any(|n| n.message.contains("paragraph density")), "{:?}", x.notes);
    assert!(x.notes.iter().any(|n| n.message.contains(".share-bar")), "{:?}", x.notes);
}

#[test]
fn a_metadata_table_gives_the_fields_and_stays_out_of_the_text() {
    let body = r#"<table><tr><td>索 引 号：</td><td>000014349/2025-00012</td><td>主题分类：</td><td>劳动、人事、监察\就业</td></tr>
      <tr><td>发文机关：</td><td>国务院办公厅</td><td>成文日期：</td><td>2025年03月10日</td></tr>
      <tr><td>标　　题：</td><td>国务院办公厅关于做好测试工作的通知</td></tr>
      <tr><td>发文字号：</td><td>国办发〔2025〕8号</td><td>发布日期：</td><td>2025年03月12日</td></tr></table>
      <div id="UCAP-CONTENT"><p>各省、自治区、直辖市人民政府：</p><p>一、明确目标</p><p>（一）每年投入不低于500万元，自2025年4月1日起施行。</p></div>"#;
    let x = extract(page(body, r#"<meta charset="utf-8"><meta name="PubDate" content="2025-03-12 10:00"><link rel="canonical" href="https://www.gov.cn/zhengce/content/1.htm">"#).as_bytes(), &Limits::default()).unwrap();
    let m = &x.meta;
    assert_eq!(x.title.as_deref(), Some("国务院办公厅关于做好测试工作的通知"));
    assert_eq!(m.index_number.as_deref(), Some("000014349/2025-00012"));
    assert_eq!(m.subject.as_deref(), Some("劳动、人事、监察\\就业"));
    assert_eq!(m.issuer.as_deref(), Some("国务院办公厅"));
    assert_eq!(m.written.as_deref(), Some("2025年03月10日"));
    assert_eq!(m.doc_number.as_deref(), Some("国办发〔2025〕8号"));
    assert_eq!(m.published.as_deref(), Some("2025年03月12日"), "the table a reader sees before the meta tag");
    assert_eq!(m.effective.as_deref(), Some("2025年4月1日"));
    assert_eq!(m.url.as_deref(), Some("https://www.gov.cn/zhengce/content/1.htm"));
    assert!(!x.text.contains("索 引 号") && !x.text.contains("000014349"), "{}", x.text);
}

#[test]
fn a_page_without_text_is_refused() {
    let err = extract(page("<div><img src=a.png><script>x()</script></div>", "").as_bytes(), &Limits::default()).unwrap_err();
    assert_eq!(err.to_string(), "the HTML file holds no text");
}
