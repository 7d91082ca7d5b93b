//! The facts about a document's validity that are stored with it (read by
//! `policyqa-validity` at ingest): when it takes effect, when it ends, what it repeals, which
//! version it is; each with the clause that states it.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A calendar date (no time zone: the documents give none). Written 2021-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => 29,
            2 => 28,
            _ => return None,
        };
        (1900..=2200).contains(&year).then_some(())?;
        (1..=days).contains(&day).then_some(Date { year, month, day })
    }

    /// The civil date of a day counted from 1970-01-01 (a clock's seconds / 86400), by
    /// Howard Hinnant's days-to-civil algorithm.
    pub fn from_unix_days(days: i64) -> Option<Date> {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date::new(u16::try_from(year).ok()?, month as u8, day as u8)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl From<Date> for String {
    fn from(d: Date) -> String {
        d.to_string()
    }
}

impl TryFrom<String> for Date {
    type Error = String;
    fn try_from(s: String) -> Result<Date, String> {
        s.parse()
    }
}

impl std::str::FromStr for Date {
    type Err = String;
    /// 2021-01-01.
    fn from_str(s: &str) -> Result<Date, String> {
        let bad = || format!("{s:?}: expected a date such as 2021-01-01");
        let mut parts = s.trim().splitn(3, '-').map(|p| p.parse::<u32>().ok());
        let (Some(Some(y)), Some(Some(m)), Some(Some(d))) = (parts.next(), parts.next(), parts.next()) else { return Err(bad()) };
        Date::new(u16::try_from(y).map_err(|_| bad())?, u8::try_from(m).map_err(|_| bad())?, u8::try_from(d).map_err(|_| bad())?).ok_or_else(bad)
    }
}

/// The clause that says so: where a fact about a document was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub passage_id: String,
    /// The clause's citation label (《中华人民共和国民法典》第一千二百六十条).
    pub label: String,
    /// The sentence of the clause that states it.
    pub quote: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stated<T> {
    pub value: T,
    pub evidence: Evidence,
}

/// When a document takes effect, as it says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "date", rename_all = "snake_case")]
pub enum Effective {
    /// 自2021年1月1日起施行.
    On(Date),
    /// 自公布之日起施行 (自发布之日起): the publication date when the document states one.
    OnPublication(Option<Date>),
}

impl Effective {
    pub fn date(self) -> Option<Date> {
        match self {
            Effective::On(d) => Some(d),
            Effective::OnPublication(d) => d,
        }
    }
}

/// What one document says about its own validity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentValidity {
    pub doc_id: String,
    pub title: String,
    /// The title without a version mark: the versions of one document share it.
    pub family: String,
    /// A historical version's date, from its title (`（历史版本 2017-09-01）`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_date: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective: Option<Stated<Effective>>,
    /// The end of validity it states (有效期至…, or 有效期N年 from its effective date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<Stated<Date>>,
    /// The documents it repeals, by name as written (without 《》).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repeals: Vec<Stated<String>>,
}

/// A document's standing on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 在施行.
    InForce,
    /// 已废止: repealed by another document, or past its stated end of validity.
    Repealed,
    /// 已被修订: a later version of the same document has taken its place.
    Superseded,
    /// 尚未施行.
    NotYetInForce,
    /// Nothing indexed says.
    Unknown,
}

impl Status {
    /// Its name in JSON: `in_force`, `repealed`, `superseded`, `not_yet_in_force`, `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::InForce => "in_force",
            Status::Repealed => "repealed",
            Status::Superseded => "superseded",
            Status::NotYetInForce => "not_yet_in_force",
            Status::Unknown => "unknown",
        }
    }

    pub const ALL: [Status; 5] = [Status::InForce, Status::Repealed, Status::Superseded, Status::NotYetInForce, Status::Unknown];

    pub fn chinese(self) -> &'static str {
        match self {
            Status::InForce => "在施行",
            Status::Repealed => "已废止",
            Status::Superseded => "已被修订",
            Status::NotYetInForce => "尚未施行",
            Status::Unknown => "unknown",
        }
    }
}

impl std::str::FromStr for Status {
    type Err = String;
    /// Its JSON name (`in_force`) or its Chinese one (在施行).
    fn from_str(s: &str) -> Result<Status, String> {
        let s = s.trim();
        Status::ALL.into_iter().find(|st| st.as_str() == s || (st.chinese() == s && *st != Status::Unknown)).ok_or_else(|| {
            format!("{:?}: expected in_force, repealed, superseded, not_yet_in_force or unknown (在施行, 已废止, 已被修订, 尚未施行)", s.chars().take(40).collect::<String>())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_and_come_from_a_clock() {
        let d: Date = "2021-01-01".parse().unwrap();
        assert_eq!(serde_json::to_string(&d).unwrap(), "\"2021-01-01\"");
        assert_eq!(serde_json::from_str::<Date>("\"2021-01-01\"").unwrap(), d);
        assert!(serde_json::from_str::<Date>("\"2021-02-30\"").is_err());
        assert_eq!(Date::from_unix_days(0), Date::new(1970, 1, 1));
        assert_eq!(Date::from_unix_days(18_628), Some(d));
        assert_eq!(Date::from_unix_days(20_423), Date::new(2025, 12, 1));
    }

    #[test]
    fn statuses_are_read_by_either_name() {
        for s in Status::ALL {
            assert_eq!(s.as_str().parse::<Status>(), Ok(s));
        }
        assert_eq!("已废止".parse::<Status>(), Ok(Status::Repealed));
        assert!("abolished".parse::<Status>().unwrap_err().contains("expected in_force"));
    }
}
