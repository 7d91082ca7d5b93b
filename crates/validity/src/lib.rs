//! Whether a document is in force, read from the documents themselves (issue 16): the date a
//! document takes effect (本法自2021年1月1日起施行, 自公布之日起施行), an end of validity where
//! one is stated (有效期至…, 有效期五年), the documents it repeals (《中华人民共和国合同法》……同时
//! 废止, 原《…办法》同时废止), and the versions of one document (a title and its
//! `（历史版本 2017-09-01）` copies). Every fact carries its evidence, the clause that states it,
//! so a status can be cited like any other answer. Pure: passages in, facts out; the caller
//! gives the date ("today" is the binary's to read).

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

pub use policyqa_core::validity::{Date, DocumentValidity, Effective, Evidence, Stated, Status};
use policyqa_core::{DocumentInfo, DocumentMeta, Passage};
use regex::Regex;
use serde::Serialize;

/// A date as documents write it: 2021-01-01, 2021年1月1日, 2021年01月01日, 2021.1.1,
/// 二〇二一年一月一日.
pub fn parse_date(text: &str) -> Option<Date> {
    let digits: String = text.chars().filter(|c| !c.is_whitespace()).map(chinese_digit).collect();
    let caps = DATE.captures(&digits)?;
    let n = |i: usize| caps.get(i).map(|m| chinese_number(m.as_str()));
    Date::new(n(1)?? as u16, n(2)?? as u8, n(3)?? as u8)
}

/// The same day `years` later (29 February becomes 28 February).
fn plus_years(date: Date, years: u16) -> Date {
    Date::new(date.year + years, date.month, date.day).unwrap_or(Date { year: date.year + years, month: date.month, day: 28 })
}

/// 〇一二… as digits; 十 is kept for [`chinese_number`].
fn chinese_digit(c: char) -> char {
    match c {
        '〇' | '零' | 'Ｏ' | '○' => '0',
        '一' => '1',
        '二' => '2',
        '三' => '3',
        '四' => '4',
        '五' => '5',
        '六' => '6',
        '七' => '7',
        '八' => '8',
        '九' => '9',
        c if c.is_ascii_digit() => c,
        c if ('０'..='９').contains(&c) => char::from_digit(c as u32 - '０' as u32, 10).unwrap_or(c),
        c => c,
    }
}

/// "2021", "12", "1十2" (十二 after digit mapping), "十", "2十" (二十).
fn chinese_number(s: &str) -> Option<u32> {
    if let Some((tens, ones)) = s.split_once('十') {
        let tens = if tens.is_empty() { 1 } else { tens.parse().ok()? };
        let ones = if ones.is_empty() { 0 } else { ones.parse().ok()? };
        return Some(tens * 10 + ones);
    }
    s.parse().ok()
}

static DATE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(\d{4})\s*[年\-./]\s*(\d十\d?|十\d?|\d{1,2})\s*[月\-./]\s*(\d十\d?|十\d?|\d{1,2})").expect("valid"));

static VERSION_MARK: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\s*[（(]历史版本\s*([^）)]*)[）)]\s*$").expect("valid"));
/// Its own entry into force: the document speaking of itself (本法, 本决定, 本办法…).
static TAKES_EFFECT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"本(?:法|决定|规定|办法|条例|细则|解释|修正案|规则|意见|通知|方案|准则|规划|纲要|实施意见|实施方案)[^。；]{0,30}?自\s*([^。；，起]{4,20}?|公布之日|发布之日|印发之日|颁布之日)\s*起(?:施行|实施|生效)").expect("valid")
});
/// The document speaking of its own validity ("本办法有效期至…", "本通知自…起施行，有效期五年"),
/// not of a licence's or a registration's ("注册商标的有效期为十年").
static OWN_TERM: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"本(?:法|决定|规定|办法|条例|细则|意见|通知|方案|准则|规划|纲要|政策|措施|实施意见|实施方案)[^。；]{0,24}有效期").expect("valid"));
static VALID_UNTIL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"有效期(?:至|到)\s*([^。；，）)]{6,20}?日)").expect("valid"));
static VALID_YEARS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"有效期(?:为|是)?\s*([0-9一二三四五六七八九十]{1,2})\s*年").expect("valid"));
/// The words a sentence repealing the documents it named ends in.
static REPEAL_END: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?:废止|同时停止执行|同时失效)[。；！\s]*$").expect("valid"));
/// The document speaking of itself replacing others (本办法代替《…》, 本通知取代《…》).
static REPLACES: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"本(?:法|决定|规定|办法|条例|细则|规则|意见|通知|方案|准则|标准|规划|纲要|实施意见|实施方案)\s*(?:同时)?(?:代替|取代|替代)").expect("valid"));
static QUOTED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"《([^《》]{2,80})》").expect("valid"));

/// A title or a name as written, for matching: no 《》, no white space, no version mark.
pub fn family_of(title: &str) -> String {
    let t: String = title.chars().filter(|c| !c.is_whitespace() && *c != '《' && *c != '》').collect();
    VERSION_MARK.replace(&t, "").into_owned()
}

/// The sentences of a text with their quote-ready text (split after 。；！？ and line breaks).
fn sentences(text: &str) -> impl Iterator<Item = &str> {
    text.split_inclusive(['。', '；', '！', '？', '\n']).map(str::trim).filter(|s| !s.is_empty())
}

fn evidence(p: &Passage, sentence: &str) -> Evidence {
    Evidence { passage_id: p.id.clone(), label: p.label.clone(), quote: sentence.to_string() }
}

/// What a document's own clauses say about its validity. `passages` are the document's, in
/// order; the last statement of its entry into force wins (the 附则 come last).
pub fn read<'a>(doc_id: &str, title: &str, meta: Option<&DocumentMeta>, passages: impl IntoIterator<Item = &'a Passage>) -> DocumentValidity {
    let version_date = VERSION_MARK.captures(title).and_then(|c| parse_date(&c[1]));
    let published = meta.and_then(|m| m.published.as_deref().or(m.written.as_deref())).and_then(parse_date);
    let mut effective = None;
    let mut expires_at: Option<Stated<Date>> = None;
    let mut valid_years: Option<(u16, Evidence)> = None;
    let mut repeals: Vec<Stated<String>> = Vec::new();
    for p in passages {
        for s in sentences(&p.text) {
            if let Some(c) = TAKES_EFFECT.captures(s) {
                let when = &c[1];
                let value = if when.ends_with("之日") { Some(Effective::OnPublication(published)) } else { parse_date(when).map(Effective::On) };
                if let Some(value) = value {
                    effective = Some(Stated { value, evidence: evidence(p, s) });
                }
            }
            if !OWN_TERM.is_match(s) {
            } else if let Some(d) = VALID_UNTIL.captures(s).and_then(|c| parse_date(&c[1])) {
                expires_at = Some(Stated { value: d, evidence: evidence(p, s) });
            } else if let Some(n) = VALID_YEARS.captures(s).and_then(|c| chinese_number(&c[1].chars().map(chinese_digit).collect::<String>())) {
                valid_years = Some((n as u16, evidence(p, s)));
            }
            // A sentence ending in 废止 (停止执行, 同时失效) that names documents before it:
            // "《…》、《…》同时废止", "原《…办法》同时废止", "《…》自本法施行之日起废止",
            // "《…通知》同时停止执行"; or one that replaces documents named after it: "本办法
            // 代替《…》". Not "废止医师执业证书" (no name), nor a name after 废止.
            let replaced = REPEAL_END.find(s).map(|m| &s[..m.start()]).or_else(|| REPLACES.find(s).map(|m| &s[m.end()..]));
            for m in replaced.into_iter().flat_map(|names| QUOTED.captures_iter(names)) {
                let name = family_of(&m[1]);
                if !repeals.iter().any(|r| r.value == name) {
                    repeals.push(Stated { value: name, evidence: evidence(p, s) });
                }
            }
        }
    }
    let expires = expires_at.or_else(|| {
        let (years, evidence) = valid_years?;
        let start = effective.as_ref().and_then(|e: &Stated<Effective>| e.value.date())?;
        Some(Stated { value: plus_years(start, years), evidence })
    });
    DocumentValidity { doc_id: doc_id.to_string(), title: title.to_string(), family: family_of(title), version_date, effective, expires, repeals }
}

/// The document a repeal clause names: an indexed one, or only its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    Indexed { doc_ids: Vec<String> },
    Named { name: String },
}

/// One document repealed by another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Repeal {
    /// The name as the repealing clause writes it.
    pub name: String,
    pub target: Target,
    pub by_doc_id: String,
    pub by_title: String,
    /// When: the repealing document's entry into force (同时废止), where it is known.
    pub since: Option<Date>,
    pub evidence: Evidence,
}

/// A document's status on a date, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusReport {
    pub status: Status,
    /// Since when it has that status, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<Date>,
    /// The document that repealed it or took its place.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub successor: Option<String>,
    /// The clauses that say so.
    pub evidence: Vec<Evidence>,
}

/// The validity of every indexed document, and the relations between them.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    docs: Vec<DocumentValidity>,
    by_id: HashMap<String, usize>,
    /// Family → its versions, oldest first (historical by their dates, the unmarked title last).
    families: BTreeMap<String, Vec<usize>>,
    repeals: Vec<Repeal>,
}

impl Graph {
    pub fn new(docs: Vec<DocumentValidity>) -> Graph {
        let by_id = docs.iter().enumerate().map(|(i, d)| (d.doc_id.clone(), i)).collect();
        let mut families: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, d) in docs.iter().enumerate() {
            families.entry(d.family.clone()).or_default().push(i);
        }
        for versions in families.values_mut() {
            // The current version (no mark) last; historical ones by date.
            versions.sort_by_key(|&i| (docs[i].version_date.is_none(), docs[i].version_date));
        }
        let mut graph = Graph { docs, by_id, families, repeals: Vec::new() };
        let mut repeals = Vec::new();
        for d in &graph.docs {
            for r in &d.repeals {
                let target = match graph.family_named(&r.value) {
                    Some(f) if f != d.family => Target::Indexed { doc_ids: graph.families[&f].iter().map(|&i| graph.docs[i].doc_id.clone()).collect() },
                    Some(_) => continue,
                    None => Target::Named { name: r.value.clone() },
                };
                let since = d.effective.as_ref().and_then(|e| e.value.date());
                repeals.push(Repeal { name: r.value.clone(), target, by_doc_id: d.doc_id.clone(), by_title: d.title.clone(), since, evidence: r.evidence.clone() });
            }
        }
        graph.repeals = repeals;
        graph
    }

    pub fn documents(&self) -> &[DocumentValidity] {
        &self.docs
    }

    pub fn document(&self, doc_id: &str) -> Option<&DocumentValidity> {
        self.by_id.get(doc_id).map(|&i| &self.docs[i])
    }

    pub fn repeals(&self) -> &[Repeal] {
        &self.repeals
    }

    /// The versions of a document, oldest first (itself included).
    pub fn versions(&self, doc_id: &str) -> Vec<&DocumentValidity> {
        self.document(doc_id).map(|d| self.families[&d.family].iter().map(|&i| &self.docs[i]).collect()).unwrap_or_default()
    }

    /// The indexed family a name means: its title, with or without 中华人民共和国.
    fn family_named(&self, name: &str) -> Option<String> {
        let name = family_of(name);
        [name.clone(), format!("中华人民共和国{name}")].into_iter().find(|n| self.families.contains_key(n))
    }

    /// The indexed documents a document repeals, whenever the repeal takes effect.
    pub fn repealed_by<'g>(&'g self, doc_id: &'g str) -> impl Iterator<Item = &'g str> + 'g {
        self.repeals.iter().filter(move |r| r.by_doc_id == doc_id).flat_map(|r| match &r.target {
            Target::Indexed { doc_ids } => doc_ids.iter().map(String::as_str).collect::<Vec<_>>(),
            Target::Named { .. } => Vec::new(),
        })
    }

    /// The repeal of an indexed document, whenever it takes effect.
    pub fn repeal_of_indexed(&self, doc_id: &str) -> Option<&Repeal> {
        self.repeals.iter().find(|r| matches!(&r.target, Target::Indexed { doc_ids } if doc_ids.iter().any(|d| d == doc_id)))
    }

    /// What repealed a document known by name (indexed or not): "合同法", "《中华人民共和国合同法》".
    pub fn repeal_of(&self, name: &str) -> Option<&Repeal> {
        let name = family_of(name);
        let full = format!("中华人民共和国{name}");
        self.repeals.iter().find(|r| r.name == name || r.name == full || name == format!("中华人民共和国{}", r.name))
    }

    /// When a version began to apply: its own entry into force or its version date, whichever
    /// is later (a revised law keeps the first 施行 date in its text). A current version whose
    /// text gives no later date than the version before it began right after that one.
    fn start(&self, i: usize) -> Option<Date> {
        let d = &self.docs[i];
        let own = [d.effective.as_ref().and_then(|e| e.value.date()), d.version_date].into_iter().flatten().max();
        let versions = &self.families[&d.family];
        let pos = versions.iter().position(|&v| v == i).unwrap_or(0);
        let previous = (pos > 0).then(|| self.start(versions[pos - 1])).flatten();
        match (own, previous) {
            (Some(o), Some(p)) if o <= p => Some(p),
            (Some(o), _) => Some(o),
            (None, p) => p,
        }
    }

    /// A document's status on `date`, with its evidence.
    pub fn status(&self, doc_id: &str, date: Date) -> Option<StatusReport> {
        let &i = self.by_id.get(doc_id)?;
        let d = &self.docs[i];
        let own_evidence: Vec<Evidence> = d.effective.iter().map(|e| e.evidence.clone()).collect();
        // Repealed by another document in force by then (or whose date is unknown).
        if let Some(r) = self.repeals.iter().find(|r| matches!(&r.target, Target::Indexed { doc_ids } if doc_ids.contains(&d.doc_id)) && r.since.is_none_or(|s| s <= date)) {
            return Some(StatusReport { status: Status::Repealed, since: r.since, successor: Some(r.by_doc_id.clone()), evidence: vec![r.evidence.clone()] });
        }
        if let Some(e) = &d.expires
            && e.value < date
        {
            return Some(StatusReport { status: Status::Repealed, since: Some(e.value), successor: None, evidence: vec![e.evidence.clone()] });
        }
        let start = self.start(i);
        if let Some(s) = start
            && date < s
        {
            return Some(StatusReport { status: Status::NotYetInForce, since: None, successor: None, evidence: own_evidence });
        }
        // A later version that applies by then takes this one's place.
        let versions = &self.families[&d.family];
        let pos = versions.iter().position(|&v| v == i).unwrap_or(0);
        if let Some(&next) = versions[pos + 1..].iter().rev().find(|&&v| self.start(v).is_none_or(|s| s <= date)) {
            let evidence = self.docs[next].effective.iter().map(|e| e.evidence.clone()).collect();
            // Since the date the next version states, when it states a later one than this
            // version's (a start only inferred from the order of versions is no date).
            let since = self.start(next).filter(|s| start.is_none_or(|mine| *s > mine));
            return Some(StatusReport { status: Status::Superseded, since, successor: Some(self.docs[next].doc_id.clone()), evidence });
        }
        let status = if start.is_some() || d.effective.is_some() { Status::InForce } else { Status::Unknown };
        Some(StatusReport { status, since: start, successor: None, evidence: own_evidence })
    }

    /// The graph of listed documents (those read at ingest; older indexes hold none).
    pub fn from_documents(docs: &[DocumentInfo]) -> Graph {
        Graph::new(docs.iter().filter_map(|d| d.validity.clone()).collect())
    }

    pub fn standing(&self, doc_id: &str, date: Date) -> Option<Standing> {
        let d = self.document(doc_id)?;
        let report = self.status(doc_id, date)?;
        let versions = self.versions(doc_id);
        Some(Standing {
            status: report.status,
            status_zh: report.status.chinese(),
            as_of: date,
            since: report.since,
            successor_title: report.successor.as_deref().and_then(|id| self.document(id)).map(|s| s.title.clone()),
            successor: report.successor,
            effective: d.effective.as_ref().map(|e| e.value),
            expires: d.expires.as_ref().map(|e| e.value),
            repeals: d.repeals.iter().map(|r| r.value.clone()).collect(),
            versions: if versions.len() > 1 { versions.iter().map(|v| v.doc_id.clone()).collect() } else { vec![] },
            evidence: report.evidence,
        })
    }

    /// The version of a document's family in force on `date`, if any.
    pub fn version_in_force(&self, doc_id: &str, date: Date) -> Option<&DocumentValidity> {
        self.versions(doc_id).into_iter().find(|v| self.status(&v.doc_id, date).is_some_and(|s| s.status == Status::InForce))
    }
}

/// The date in China (UTC+8) at a time: statuses are read on today's by default (the caller
/// reads the clock: `date_in_china(SystemTime::now())`).
pub fn date_in_china(at: std::time::SystemTime) -> Option<Date> {
    let seconds = at.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    Date::from_unix_days(((seconds + 8 * 3600) / 86_400) as i64)
}

/// A document's validity on a date, as listed (`policyqa docs`, `GET /v1/documents`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Standing {
    pub status: Status,
    /// 在施行 / 已废止 / 已被修订 / 尚未施行 / unknown.
    pub status_zh: &'static str,
    /// The date it is read on.
    pub as_of: Date,
    pub since: Option<Date>,
    /// The document that repealed it or took its place, by id and title.
    pub successor: Option<String>,
    pub successor_title: Option<String>,
    /// Its entry into force, as it states it.
    pub effective: Option<Effective>,
    pub expires: Option<Date>,
    /// The documents it repeals, as named.
    pub repeals: Vec<String>,
    /// Its family's versions by id, oldest first (itself among them), when it has several.
    pub versions: Vec<String>,
    /// The clauses that say so.
    pub evidence: Vec<Evidence>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_as_documents_write_them() {
        let d = Date::new(2021, 1, 1).unwrap();
        for s in ["2021-01-01", "2021年1月1日", "2021年01月01日", "2021 年 1 月 1 日", "二〇二一年一月一日", "2021.1.1"] {
            assert_eq!(parse_date(s), Some(d), "{s}");
        }
        assert_eq!(parse_date("一九九四年十二月二十九日"), Date::new(1994, 12, 29));
        assert_eq!(parse_date("2023年2月30日"), None);
        assert_eq!(parse_date("本法"), None);
        assert_eq!(d.to_string(), "2021-01-01");
    }

    #[test]
    fn today_is_the_date_in_china() {
        let at = |s: u64| std::time::UNIX_EPOCH + std::time::Duration::from_secs(s);
        // 2020-12-31 15:59:59 and 16:00:00 UTC: 23:59:59 on 31 December and midnight in Beijing.
        assert_eq!(date_in_china(at(1_609_430_399)), Date::new(2020, 12, 31));
        assert_eq!(date_in_china(at(1_609_430_400)), Date::new(2021, 1, 1));
    }

    fn passage(id: &str, label: &str, text: &str) -> Passage {
        Passage {
            id: id.into(),
            doc_id: String::new(),
            doc_title: String::new(),
            address: vec![],
            label: label.into(),
            number: None,
            part: None,
            parts: None,
            kind: policyqa_core::PassageKind::Clause,
            text: text.into(),
            source: String::new(),
            start: 0,
            end: text.chars().count(),
            spans: vec![],
            page: None,
            page_end: None,
            origin: None,
            doc_meta: None,
        }
    }

    #[test]
    fn a_notice_that_replaces_its_predecessor_and_expires() {
        let new = read(
            "n2",
            "某市住房公积金提取管理办法",
            None,
            &[passage("p9", "《某市住房公积金提取管理办法》第二十条", "第二十条 本办法自2024年3月1日起施行，有效期五年。原《某市住房公积金提取管理办法（试行）》同时废止。")],
        );
        assert_eq!(new.effective.as_ref().unwrap().value, Effective::On(Date::new(2024, 3, 1).unwrap()));
        assert_eq!(new.expires.as_ref().unwrap().value, Date::new(2029, 3, 1).unwrap());
        assert_eq!(new.repeals[0].value, "某市住房公积金提取管理办法（试行）");
        let old = read("n1", "某市住房公积金提取管理办法（试行）", None, &[passage("p1", "《…（试行）》第一条", "第一条 为了规范提取，制定本办法。")]);
        let g = Graph::new(vec![old, new]);
        let before = Date::new(2024, 2, 1).unwrap();
        assert_eq!(g.status("n1", before).unwrap().status, Status::Unknown);
        assert_eq!(g.status("n2", before).unwrap().status, Status::NotYetInForce);
        let r = g.status("n1", Date::new(2024, 3, 1).unwrap()).unwrap();
        assert_eq!((r.status, r.successor.as_deref()), (Status::Repealed, Some("n2")));
        assert!(r.evidence[0].quote.contains("同时废止"), "{r:?}");
        assert_eq!(g.status("n2", Date::new(2030, 1, 1).unwrap()).unwrap().status, Status::Repealed, "past its 有效期");
    }

    #[test]
    fn documents_stopped_or_replaced_are_repealed_ones() {
        let stopped = read("s", "某省就业补助资金管理办法", None, &[passage("p", "《…》第三十条", "第三十条 本办法自2023年1月1日起施行。《某省就业补助资金管理暂行办法》（某财社〔2018〕12号）同时停止执行。")]);
        assert_eq!(stopped.repeals.iter().map(|r| r.value.as_str()).collect::<Vec<_>>(), ["某省就业补助资金管理暂行办法"]);
        let replaced = read("r", "某市公共租赁住房管理办法", None, &[passage("p", "《…》第四十条", "第四十条 本办法代替《某市公共租赁住房管理暂行办法》和《某市廉租住房保障办法》。")]);
        assert_eq!(replaced.repeals.iter().map(|r| r.value.as_str()).collect::<Vec<_>>(), ["某市公共租赁住房管理暂行办法", "某市廉租住房保障办法"]);
        let lapsed = read("l", "某市通知", None, &[passage("p", "《…》五", "五、本通知自印发之日起施行，《某市关于做好稳岗工作的通知》同时失效。")]);
        assert_eq!(lapsed.repeals.len(), 1);
        // Neither a name after 废止 nor a duty to stop something is a repeal of the document named.
        let neither = read("n", "某法", None, &[passage("p", "《某法》第九条", "第九条 有关部门应当依照《某条例》的规定，责令停止执行违法决定。"), passage("q", "《某法》第十条", "第十条 废止《某办法》的程序由国务院规定。")]);
        assert!(neither.repeals.is_empty(), "{:?}", neither.repeals);
    }

    #[test]
    fn a_registrations_term_is_not_the_documents() {
        let d = read("t", "商标法", None, &[passage("p", "《商标法》第三十九条", "第三十九条 注册商标的有效期为十年，自核准注册之日起计算。"), passage("q", "《商标法》第六十四条", "第六十四条 本法自1983年3月1日起施行。")]);
        assert_eq!(d.expires, None);
    }

    #[test]
    fn a_clause_that_cancels_a_licence_repeals_nothing() {
        let d = read("x", "医师法", None, &[passage("p", "《医师法》第十七条", "第十七条 医师注册后有下列情形之一的，注销注册，废止医师执业证书：")]);
        assert!(d.repeals.is_empty(), "{:?}", d.repeals);
    }
}
