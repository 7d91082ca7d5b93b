#!/usr/bin/env python3
"""Build html/*.html from texts/*.txt (standard library only).

Each page wraps the text of texts/NAME.txt in the chrome of one publisher shape.
Run from eval/corpus/formats/:  python3 build_html.py
"""
import html
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def lines(name):
    with open(os.path.join(HERE, "texts", name + ".txt"), encoding="utf-8") as f:
        return [l.rstrip("\n") for l in f if l.strip()]


def e(s):
    return html.escape(s, quote=False)


def write(name, text, encoding="utf-8"):
    path = os.path.join(HERE, "html", name + ".html")
    with open(path, "w", encoding=encoding, newline="\n") as f:
        f.write(text)
    print("wrote", path)


# --------------------------------------------------------------------------
# 1. gov.cn 国务院文件 policy-library page
# --------------------------------------------------------------------------
def govcn():
    L = lines("govcn")
    title, wenhao = L[0], L[1]
    salutation, body = L[2], L[3:-3]
    signer, date, note = L[-3], L[-2], L[-1]
    url = "https://www.gov.cn/zhengce/content/202502/content_7003518.htm"
    paras = []
    paras.append('<p style="text-indent: 2em; text-align: center;">%s</p>' % e(wenhao))
    paras.append('<p>%s</p>' % e(salutation))
    for p in body:
        paras.append('<p style="text-indent: 2em;">%s</p>' % e(p))
    paras.append('<p style="text-indent: 2em; text-align: right;">%s</p>' % e(signer))
    paras.append('<p style="text-indent: 2em; text-align: right;">%s</p>' % e(date))
    paras.append('<p style="text-indent: 2em;">%s</p>' % e(note))
    content = "\n".join(paras)
    page = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge,chrome=1">
<meta name="viewport" content="width=device-width, initial-scale=1.0, maximum-scale=1.0, user-scalable=0">
<title>{e(title)}_国务院文件_中国政府网</title>
<meta name="keywords" content="老年助餐,养老服务,民政">
<meta name="description" content="{e(title)}">
<meta name="SiteName" content="中国政府网">
<meta name="SiteDomain" content="www.gov.cn">
<meta name="SiteIDCode" content="bm01000001">
<meta name="ColumnName" content="国务院文件">
<meta name="ColumnDescription" content="国务院文件">
<meta name="ColumnKeywords" content="国务院文件">
<meta name="ColumnType" content="国务院办公厅文件">
<meta name="ArticleTitle" content="{e(title)}">
<meta name="PubDate" content="2025-02-25 17:00">
<meta name="ContentSource" content="中国政府网">
<meta name="Keywords" content="老年助餐;养老服务">
<meta name="Author" content="国务院办公厅">
<meta name="Description" content="{e(title)}">
<meta name="Url" content="{url}">
<link rel="canonical" href="{url}">
<link rel="stylesheet" href="/images/2023gov.css">
<link rel="stylesheet" href="/govscripts/policyLibrary/css/detail.css">
<style type="text/css">
  .pages_content p {{ font-size: 18px; line-height: 2; margin: 0 0 20px; }}
  .policyLibraryOverview_header table td {{ border: 1px solid #dadada; padding: 8px 10px; }}
  .BreadcrumbNav a {{ color: #666; }}
  .mhide {{ }}
</style>
<script type="text/javascript" src="/govscripts/jquery.min.js"></script>
<script type="text/javascript" src="/govscripts/gov-mobile.js"></script>
<script type="text/javascript">
  var _hmt = _hmt || [];
  (function () {{
    var hm = document.createElement("script");
    hm.src = "https://hm.baidu.com/hm.js?0000000000000000000000000000gov";
    var s = document.getElementsByTagName("script")[0];
    s.parentNode.insertBefore(hm, s);
  }})();
  function doZoom(size) {{
    document.getElementById("UCAP-CONTENT").style.fontSize = size + "px";
  }}
</script>
</head>
<body>
<!--头部开始-->
<div class="header">
  <div class="header_top">
    <div class="w1200">
      <div class="fl"><a href="https://www.gov.cn/" target="_blank">中国政府网</a></div>
      <div class="fr">
        <a href="https://big5.www.gov.cn/">繁体</a> |
        <a href="https://english.www.gov.cn/">English</a> |
        <a href="https://www.gov.cn/home/login.htm">登录</a> |
        <a href="javascript:void(0)" id="wza">无障碍</a>
      </div>
    </div>
  </div>
  <div class="logo w1200"><a href="https://www.gov.cn/"><img src="/images/logo.png" alt="中华人民共和国中央人民政府"></a>
    <form class="search" action="https://sousuo.www.gov.cn/sousuo/search.shtml" method="get">
      <input type="text" name="searchWord" placeholder="请输入关键词"><button type="submit">搜索</button>
    </form>
  </div>
  <div class="nav">
    <ul class="w1200">
      <li><a href="https://www.gov.cn/">首页</a></li>
      <li><a href="https://www.gov.cn/yaowen/">要闻</a></li>
      <li><a href="https://www.gov.cn/zhengce/">政策</a></li>
      <li><a href="https://www.gov.cn/hudong/">互动</a></li>
      <li><a href="https://www.gov.cn/fuwu/">服务</a></li>
      <li><a href="https://www.gov.cn/shuju/">数据</a></li>
      <li><a href="https://www.gov.cn/guoqing/">国情</a></li>
      <li><a href="https://www.gov.cn/guowuyuan/">国务院</a></li>
    </ul>
  </div>
</div>
<!--头部结束-->
<div class="w1200 main">
  <div class="BreadcrumbNav">
    <a href="https://www.gov.cn/">首页</a>&nbsp;&gt;&nbsp;<a href="https://www.gov.cn/zhengce/">政策</a>&nbsp;&gt;&nbsp;<a href="https://www.gov.cn/zhengce/xxgk/">国务院政策文件库</a>&nbsp;&gt;&nbsp;<a href="https://www.gov.cn/zhengce/zhengcewjk/">国务院文件</a>
  </div>
  <div class="policyLibraryOverview_header">
    <table class="bd1" cellspacing="0" cellpadding="0" width="100%" border="0">
      <tbody>
        <tr>
          <td width="108"><b>索<span style="padding-left:0.5em;"></span>引<span style="padding-left:0.5em;"></span>号：</b></td>
          <td width="273">000014349/2025-00019</td>
          <td width="108"><b>主题分类：</b></td>
          <td width="273">劳动、人事、监察\\社会保障\\其他</td>
        </tr>
        <tr>
          <td><b>发文机关：</b></td>
          <td>国务院办公厅</td>
          <td><b>成文日期：</b></td>
          <td>2025年02月18日</td>
        </tr>
        <tr>
          <td><b>标　　题：</b></td>
          <td colspan="3">{e(title)}</td>
        </tr>
        <tr>
          <td><b>发文字号：</b></td>
          <td>{e(wenhao)}</td>
          <td><b>发布日期：</b></td>
          <td>2025年02月25日</td>
        </tr>
      </tbody>
    </table>
  </div>
  <div class="pages_content mhide" id="UCAP-CONTENT">
{content}
  </div>
  <!--微信分享图功能-->
  <div style="display:none"><img src="/images/wxshare.jpg" alt="中国政府网"></div>
  <div class="pages_print">
    <div class="fontsize">【字体：<a href="javascript:doZoom(20)">大</a> <a href="javascript:doZoom(18)">中</a> <a href="javascript:doZoom(16)">小</a>】</div>
    <div class="print"><a href="javascript:window.print()">【打印】</a>&nbsp;<a href="javascript:window.close()">【关闭】</a></div>
    <div class="share">分享到：<a class="wx" href="javascript:void(0)" title="微信">微信</a> <a class="wb" href="javascript:void(0)" title="微博">微博</a> <a class="qq" href="javascript:void(0)" title="QQ空间">QQ空间</a></div>
    <div class="editor">责任编辑：王某某</div>
  </div>
  <div class="jiedu-blk related">
    <h3>相关稿件</h3>
    <ul>
      <li><a href="https://www.gov.cn/zhengce/202502/content_7003520.htm">民政部有关负责人就老年助餐服务政策答记者问</a><span>2025-02-25</span></li>
      <li><a href="https://www.gov.cn/zhengce/202501/content_6999871.htm">国务院关于推进基本养老服务体系建设的意见</a><span>2025-01-14</span></li>
      <li><a href="https://www.gov.cn/yaowen/202502/content_7003611.htm">多地社区食堂开门迎客 老年人吃饭更方便</a><span>2025-02-26</span></li>
    </ul>
  </div>
</div>
<!--底部开始-->
<div class="footer">
  <div class="w1200">
    <p><a href="https://www.gov.cn/home/about.htm">关于本网</a> | <a href="https://www.gov.cn/home/contact.htm">网站声明</a> | <a href="https://www.gov.cn/home/map.htm">联系我们</a> | <a href="https://www.gov.cn/home/error.htm">网站纠错</a></p>
    <p>主办单位：国务院办公厅　运行维护单位：中国政府网运行中心</p>
    <p>版权所有：中国政府网　中文域名：中国政府网.政务</p>
    <p>网站标识码bm01000001　京ICP备05070218号　<img src="/images/gongan.png" alt="">京公网安备11010202000001号</p>
  </div>
</div>
<!--底部结束-->
<script type="text/javascript" src="/govscripts/share.js"></script>
<script type="text/javascript">
  $(function () {{ if (window.innerWidth < 768) {{ $(".mhide").addClass("mobile"); }} }});
</script>
</body>
</html>
"""
    write("govcn", page)


# --------------------------------------------------------------------------
# 2. npc.gov.cn 中国人大网 page
# --------------------------------------------------------------------------
def npc():
    L = lines("npc")
    title, passed, articles = L[0], L[1], L[2:]
    nb = "&nbsp;" * 4
    paras = ['<p align="center">%s</p>' % e(passed)]
    for a in articles:
        paras.append("<p>%s%s</p>" % (nb, e(a)))
    content = "\n".join(paras)
    page = f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>{e(title)}_中国人大网</title>
<meta name="keywords" content="自动体外除颤器,AED,急救,决定" />
<meta name="description" content="{e(title)}" />
<meta name="ArticleTitle" content="{e(title)}" />
<meta name="PubDate" content="2025-03-12 09:30" />
<meta name="ContentSource" content="中国人大网" />
<link href="/npc/c2/static/css/common.css" rel="stylesheet" type="text/css" />
<link href="/npc/c2/static/css/article.css" rel="stylesheet" type="text/css" />
<script type="text/javascript" src="/npc/c2/static/js/jquery-1.8.3.min.js"></script>
<script type="text/javascript">
function fontZoom(size) {{
  document.getElementById('Zoom').style.fontSize = size + 'px';
}}
</script>
</head>
<body>
<div class="topbar">
  <div class="w1000">
    <span class="fl">全国人民代表大会</span>
    <span class="fr"><a href="http://www.npc.gov.cn/englishnpc/">English</a>&nbsp;|&nbsp;<a href="javascript:void(0)">无障碍浏览</a>&nbsp;|&nbsp;<a href="http://www.npc.gov.cn/npc/c2/wzdt/">网站地图</a></span>
  </div>
</div>
<div class="head w1000"><a href="http://www.npc.gov.cn/"><img src="/npc/c2/static/images/logo.png" alt="中国人大网" /></a>
  <div class="search"><input type="text" id="kw" value="请输入关键字" /><a href="javascript:void(0)">搜索</a></div>
</div>
<div class="menu">
  <ul class="w1000">
    <li><a href="http://www.npc.gov.cn/">首页</a></li>
    <li><a href="http://www.npc.gov.cn/npc/c2/kgfb/">权威发布</a></li>
    <li><a href="http://www.npc.gov.cn/npc/c2/c30834/">立法</a></li>
    <li><a href="http://www.npc.gov.cn/npc/c2/c183/">监督</a></li>
    <li><a href="http://www.npc.gov.cn/npc/c2/c12435/">代表</a></li>
    <li><a href="http://www.npc.gov.cn/npc/c2/c30841/">理论</a></li>
    <li><a href="http://www.npc.gov.cn/npc/c2/c12478/">图片</a></li>
    <li><a href="https://flk.npc.gov.cn/">国家法律法规数据库</a></li>
  </ul>
</div>
<div class="w1000 clearfix">
  <div class="position">当前位置：<a href="http://www.npc.gov.cn/">首页</a>&nbsp;&gt;&nbsp;<a href="http://www.npc.gov.cn/npc/c2/c30834/">立法</a>&nbsp;&gt;&nbsp;<a href="http://www.npc.gov.cn/npc/c2/c30834/c30852/">决定</a></div>
  <div class="fl w680">
    <div class="tit">
      <h1>{e(title)}</h1>
    </div>
    <div class="fontsize">
      <span class="fl">来源：中国人大网　2025年03月12日</span>
      <span class="fr">字号：<a href="javascript:fontZoom(18)">大</a>&nbsp;<a href="javascript:fontZoom(16)">中</a>&nbsp;<a href="javascript:fontZoom(14)">小</a>&nbsp;&nbsp;<a href="javascript:window.print();">打印本页</a>&nbsp;&nbsp;<a href="javascript:window.close();">关闭窗口</a></span>
    </div>
    <div id="Zoom">
{content}
    </div>
    <div class="share">
      <span>分享到：</span><a href="javascript:void(0)" class="share-wx">微信</a><a href="javascript:void(0)" class="share-wb">微博</a>
    </div>
    <div class="editor">责任编辑：李某某</div>
  </div>
  <div class="fr w300">
    <div class="side-box">
      <h3>相关文章</h3>
      <ul>
        <li><a href="http://www.npc.gov.cn/npc/c2/c30834/202503/t20250311_443210.html">关于《全国人民代表大会常务委员会关于加强公共场所自动体外除颤器配置和使用的决定（草案）》的说明</a></li>
        <li><a href="http://www.npc.gov.cn/npc/c2/c30834/202503/t20250311_443211.html">十四届全国人大常委会第十五次会议在京闭幕</a></li>
        <li><a href="http://www.npc.gov.cn/npc/c2/c30834/202502/t20250224_442876.html">常委会组成人员分组审议公共场所急救设施决定草案</a></li>
      </ul>
    </div>
  </div>
</div>
<div class="footer">
  <p><a href="http://www.npc.gov.cn/npc/c2/gywm/">关于我们</a> | <a href="http://www.npc.gov.cn/npc/c2/lxwm/">联系我们</a></p>
  <p>全国人大常委会办公厅版权所有　未经书面授权禁止复制或建立镜像</p>
  <p>网站标识码：bm02000001　京ICP备05054510号　<a href="http://www.beian.gov.cn/">京公网安备 11010102000001号</a></p>
</div>
<script type="text/javascript" src="/npc/c2/static/js/share.js"></script>
</body>
</html>
"""
    write("npc", page)


# --------------------------------------------------------------------------
# 3. ministry page (TRS CMS), GBK bytes
# --------------------------------------------------------------------------
def ministry():
    L = lines("ministry")
    title = L[0]
    out = []
    span = '<span style="font-family: 仿宋_GB2312; font-size: 16pt">%s</span>'
    i = 1
    table_rows = []
    for idx, l in enumerate(L[1:], start=1):
        if "\t" in l:
            table_rows.append(l.split("\t"))
            continue
        if table_rows:
            out.append(table_html(table_rows))
            table_rows = []
        if idx == 1:  # 文号
            out.append('<p align="center" style="text-align: center" class="MsoNormal">%s</p>' % (span % e(l)))
        elif idx == 2:  # 主送
            out.append('<p class="MsoNormal">%s</p>' % (span % e(l)))
        elif len(l) < 12 and l[1:2] == "、":  # 一、 heading
            out.append('<p style="text-indent: 2em" class="MsoNormal"><strong><span style="font-family: 黑体; font-size: 16pt">%s</span></strong></p>' % e(l))
        elif l in ("人力资源社会保障部办公厅", "2025年3月5日"):
            out.append('<p align="right" style="text-align: right" class="MsoNormal">%s</p>' % (span % e(l)))
        else:
            out.append('<p style="text-indent: 2em" class="MsoNormal">%s</p>' % (span % e(l)))
    content = "\n".join(out)
    page = f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<title>{e(title)}_通知公告_中华人民共和国人力资源和社会保障部</title>
<meta name="SiteName" content="中华人民共和国人力资源和社会保障部" />
<meta name="SiteDomain" content="www.mohrss.gov.cn" />
<meta name="SiteIDCode" content="bm15000001" />
<meta name="ColumnName" content="通知公告" />
<meta name="ArticleTitle" content="{e(title)}" />
<meta name="PubDate" content="2025-03-07 10:15" />
<meta name="ContentSource" content="职业能力建设司" />
<link href="/SYrlzyhshbzb/images/style.css" rel="stylesheet" type="text/css" />
<script language="javascript" src="/SYrlzyhshbzb/images/jquery.js"></script>
<script language="javascript">
function changeSize(s) {{ var o = document.getElementById("insMainConTxt"); if (o) o.style.fontSize = s + "px"; }}
</script>
</head>
<body>
<div class="topNav">
  <div class="wrap">
    <span class="date">今天是：<script>document.write(new Date().toLocaleDateString());</script></span>
    <a href="/SYrlzyhshbzb/">首页</a> | <a href="/SYrlzyhshbzb/zwgk/">政务公开</a> | <a href="javascript:void(0)">无障碍</a> | <a href="/english/">English</a>
  </div>
</div>
<div class="header wrap"><img src="/SYrlzyhshbzb/images/logo.png" alt="中华人民共和国人力资源和社会保障部" /></div>
<div class="mainNav">
  <ul class="wrap">
    <li><a href="/SYrlzyhshbzb/">首页</a></li>
    <li><a href="/SYrlzyhshbzb/zwgk/">政务公开</a></li>
    <li><a href="/SYrlzyhshbzb/fwyd/">办事服务</a></li>
    <li><a href="/SYrlzyhshbzb/hdjl/">互动交流</a></li>
    <li><a href="/SYrlzyhshbzb/jiuye/">就业创业</a></li>
    <li><a href="/SYrlzyhshbzb/shehuibaozhang/">社会保障</a></li>
    <li><a href="/SYrlzyhshbzb/rencaiduiwujianshe/">人才人事</a></li>
  </ul>
</div>
<div class="wrap insMain">
  <div class="insMainNav">您当前的位置：<a href="/SYrlzyhshbzb/">首页</a> &gt; <a href="/SYrlzyhshbzb/zwgk/">政务公开</a> &gt; <a href="/SYrlzyhshbzb/zwgk/szrs/tzgg/">通知公告</a></div>
  <div class="insMainCon">
    <div class="insMainConTitle">
      <div class="insMainConTitle_b">{e(title)}</div>
      <div class="insMainConTitle_c">
        <span>发布日期：2025-03-07</span>&nbsp;&nbsp;<span>来源：职业能力建设司</span>&nbsp;&nbsp;
        <span>【字体：<a href="javascript:changeSize(18)">大</a> <a href="javascript:changeSize(16)">中</a> <a href="javascript:changeSize(14)">小</a>】</span>
      </div>
    </div>
    <div class="insMainConTxt" id="insMainConTxt">
      <div class="TRS_Editor"><style type="text/css">
.TRS_Editor P{{margin-top:0px;margin-bottom:12px;line-height:2;font-family:仿宋_GB2312;font-size:16pt;}}.TRS_Editor DIV{{margin-top:0px;margin-bottom:12px;line-height:2;font-family:仿宋_GB2312;font-size:16pt;}}.TRS_Editor TD{{margin-top:0px;margin-bottom:12px;line-height:2;font-family:仿宋_GB2312;font-size:12pt;}}
</style>
<div class="Section0">
{content}
</div>
      </div>
    </div>
    <div class="insMainConBtn">
      <a href="javascript:window.print()">[打印本页]</a>&nbsp;&nbsp;<a href="javascript:window.close()">[关闭窗口]</a>
      <span class="share">分享：<a href="javascript:void(0)">微信</a> <a href="javascript:void(0)">微博</a></span>
    </div>
    <div class="insMainConRelated">
      <p class="t">相关链接：</p>
      <ul>
        <li><a href="/SYrlzyhshbzb/zwgk/szrs/tzgg/202502/t20250210_532101.html">人力资源社会保障部 财政部关于实施职业技能提升行动的通知</a></li>
        <li><a href="/SYrlzyhshbzb/zwgk/szrs/tzgg/202501/t20250115_531877.html">关于公布2025年国家职业技能标准目录的通知</a></li>
      </ul>
    </div>
  </div>
</div>
<div class="footer">
  <div class="wrap">
    <p>主办：中华人民共和国人力资源和社会保障部　版权所有</p>
    <p>地址：北京市东城区和平里中街12号　邮编：100716</p>
    <p>网站标识码：bm15000001　京ICP备05008015号　京公网安备 11010102001234号</p>
  </div>
</div>
<script language="javascript" src="/SYrlzyhshbzb/images/stat.js"></script>
</body>
</html>
"""
    write("ministry", page, encoding="gbk")


def table_html(rows):
    cell = '<td style="border: 1px solid windowtext; padding: 0cm 5.4pt" valign="center"><p align="center" style="text-align: center" class="MsoNormal"><span style="font-family: 仿宋_GB2312; font-size: 12pt">%s</span></p></td>'
    head = '<td style="border: 1px solid windowtext; padding: 0cm 5.4pt" valign="center"><p align="center" style="text-align: center" class="MsoNormal"><b><span style="font-family: 黑体; font-size: 12pt">%s</span></b></p></td>'
    trs = []
    for n, r in enumerate(rows):
        tpl = head if n == 0 else cell
        trs.append("<tr>" + "".join(tpl % e(c) for c in r) + "</tr>")
    return ('<table cellspacing="0" cellpadding="0" border="1" align="center" class="MsoNormalTable" style="border-collapse: collapse">\n<tbody>\n'
            + "\n".join(trs) + "\n</tbody>\n</table>")


# --------------------------------------------------------------------------
# 4. city portal, unknown layout
# --------------------------------------------------------------------------
def city():
    L = lines("city")
    title, wenhao, salutation, notice = L[0], L[1], L[2], L[3]
    signer, date, subtitle = L[4], L[5], L[6]
    arts = L[7:]
    first, rest = arts[:6], arts[6:]
    ind = "　　"
    br_block = "<br><br>\n".join(ind + e(a) for a in first)
    rest_html = "\n".join('<p>%s%s</p>' % (ind, e(a)) for a in rest)
    page = f"""<!doctype html>
<html>
<head>
<meta charset="utf-8">
<meta name="renderer" content="webkit">
<title>{e(title)} - 江州市人民政府门户网站</title>
<meta name="Keywords" content="加装电梯,既有住宅,实施办法">
<meta name="Description" content="{e(title)}">
<link rel="stylesheet" href="/static/css/base.css?v=20240901">
<link rel="stylesheet" href="/static/css/xxgk.css?v=20240901">
<style>
  .detail-body {{ font-size: 16px; line-height: 32px; }}
  .side-nav li a {{ display: block; padding: 6px 10px; }}
  .fz-btn a.on {{ color: #c00; }}
</style>
<script src="/static/js/jquery-3.6.0.min.js"></script>
</head>
<body>
<div class="site-top">
  <div class="container">
    <span class="welcome">欢迎访问江州市人民政府门户网站</span>
    <span class="links"><a href="/jzsrmzf/wap/">手机版</a> | <a href="/jzsrmzf/zfwz/">政务微博</a> | <a href="javascript:void(0)" class="aria">无障碍阅读</a> | <a href="javascript:void(0)" class="elder">长者模式</a></span>
  </div>
</div>
<div class="site-header container">
  <a class="logo" href="/"><img src="/static/img/logo.png" alt="江州市人民政府"></a>
  <div class="search-box"><input type="text" placeholder="搜索站内信息"><a href="javascript:void(0)" class="btn">搜索</a></div>
</div>
<div class="site-menu">
  <div class="container">
    <a href="/">首页</a><a href="/jzsrmzf/zwdt/">政务动态</a><a href="/jzsrmzf/xxgk/" class="cur">政府信息公开</a><a href="/jzsrmzf/zwfw/">政务服务</a><a href="/jzsrmzf/hdjl/">互动交流</a><a href="/jzsrmzf/zjjz/">走进江州</a>
  </div>
</div>
<div class="container crumbs">当前位置：<a href="/">首页</a> &gt;&gt; <a href="/jzsrmzf/xxgk/">政府信息公开</a> &gt;&gt; <a href="/jzsrmzf/xxgk/zcwj/">政策文件</a> &gt;&gt; <a href="/jzsrmzf/xxgk/zcwj/szfbgswj/">市政府办公室文件</a></div>
<div class="container clearfix">
  <div class="left-col">
    <div class="side-nav">
      <h4>政府信息公开</h4>
      <ul>
        <li><a href="/jzsrmzf/xxgk/zn/">信息公开指南</a></li>
        <li><a href="/jzsrmzf/xxgk/zd/">信息公开制度</a></li>
        <li><a href="/jzsrmzf/xxgk/zcwj/szfwj/">市政府文件</a></li>
        <li><a href="/jzsrmzf/xxgk/zcwj/szfbgswj/" class="on">市政府办公室文件</a></li>
        <li><a href="/jzsrmzf/xxgk/zcjd/">政策解读</a></li>
        <li><a href="/jzsrmzf/xxgk/ndbg/">信息公开年报</a></li>
      </ul>
    </div>
    <div class="side-hot">
      <h4>热点专题</h4>
      <ul>
        <li><a href="/jzsrmzf/ztzl/lxxq/">老旧小区改造进行时</a></li>
        <li><a href="/jzsrmzf/ztzl/yshj/">优化营商环境</a></li>
        <li><a href="/jzsrmzf/ztzl/12345/">12345政务服务便民热线</a></li>
      </ul>
    </div>
  </div>
  <div class="right-col">
    <div class="xxgk_detail">
      <div class="meta-box">
        <ul>
          <li><span>索引号：</span>11330800002123456A/2025-00031</li>
          <li><span>发布机构：</span>江州市人民政府办公室</li>
          <li><span>成文日期：</span>2025-01-20</li>
          <li><span>公开方式：</span>主动公开</li>
          <li><span>文号：</span>{e(wenhao)}</li>
          <li><span>有效性：</span>有效</li>
        </ul>
      </div>
      <div class="detail-title">{e(title)}</div>
      <div class="fz-btn">字号：<a href="javascript:void(0)" data-size="18">大</a><a href="javascript:void(0)" data-size="16" class="on">中</a><a href="javascript:void(0)" data-size="14">小</a>　<a href="javascript:window.print()">打印</a>　<a href="javascript:window.close()">关闭</a></div>
      <div class="detail-body">
        <p style="text-align:center">{e(wenhao)}</p>
        <p>{e(salutation)}</p>
        <p>{ind}{e(notice)}</p>
        <p style="text-align:right">{e(signer)}</p>
        <p style="text-align:right">{e(date)}</p>
        <script>var docid = "2025-00031"; if (window.jzStat) jzStat.view(docid);</script>
        <p style="text-align:center"><strong>{e(subtitle)}</strong></p>
        <div>
{br_block}
        </div>
{rest_html}
      </div>
      <div class="detail-share">分享到：<a href="javascript:void(0)">微信</a> <a href="javascript:void(0)">微博</a> <a href="javascript:void(0)">QQ</a></div>
      <div class="detail-related">
        <h4>相关解读</h4>
        <ul>
          <li><a href="/jzsrmzf/xxgk/zcjd/202501/t20250122_998765.html">图解：江州市既有住宅加装电梯实施办法</a></li>
          <li><a href="/jzsrmzf/xxgk/zcjd/202501/t20250123_998801.html">市住房城乡建设局负责人解读既有住宅加装电梯政策</a></li>
        </ul>
      </div>
    </div>
  </div>
</div>
<div class="site-footer">
  <div class="container">
    <p><a href="/jzsrmzf/wzdt/">网站地图</a> | <a href="/jzsrmzf/lxwm/">联系我们</a> | <a href="/jzsrmzf/wzsm/">网站声明</a></p>
    <p>主办：江州市人民政府办公室　承办：江州市大数据发展管理局</p>
    <p>网站标识码：3308000001　浙ICP备12345678号-1　浙公网安备 33080202000123号</p>
    <p><a href="https://zfwzzc.www.gov.cn/" target="_blank"><img src="/static/img/jiucuo.png" alt="政府网站找错"></a></p>
  </div>
</div>
<script src="/static/js/fontsize.js"></script>
<script>
  $(".fz-btn a[data-size]").on("click", function () {{ $(".detail-body").css("font-size", $(this).data("size") + "px"); }});
</script>
</body>
</html>
"""
    write("city", page)


if __name__ == "__main__":
    govcn()
    npc()
    ministry()
    city()
