//! The context a check runs in (contract §2): council, account mode, role flags, local clock,
//! configured election dates and whether the composer holds an attachment.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// Account mode. `personal` (own account, the default) or `official` (posting for the council).
/// Serde: `"personal"` | `"official"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    #[default]
    Personal,
    Official,
}

impl Mode {
    /// The serde / profile spelling: `"personal"` or `"official"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Personal => "personal",
            Mode::Official => "official",
        }
    }
}

impl FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "personal" => Ok(Mode::Personal),
            "official" => Ok(Mode::Official),
            _ => Err(format!("unknown mode \"{s}\" (expected personal or official)")),
        }
    }
}

/// Role flags. Deserialises from a JSON array of flag names; each name is accepted in
/// snake_case or kebab-case (`"politically_restricted"` / `"politically-restricted"`,
/// `"works_with_vulnerable"` / `"works-with-vulnerable"`). Unknown names are an error.
/// Serialises back to the snake_case array.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flags {
    /// Holder of a politically restricted post (Local Government and Housing Act 1989 s.2).
    pub politically_restricted: bool,
    /// Position of trust with children or vulnerable adults.
    pub works_with_vulnerable: bool,
}

/// The flag names, in profile spelling (snake_case).
pub const FLAG_NAMES: [&str; 2] = ["politically_restricted", "works_with_vulnerable"];

impl Flags {
    /// Sets the named flag (snake_case or kebab-case). Errors on an unknown name.
    pub fn set(&mut self, name: &str) -> Result<(), String> {
        match name.replace('-', "_").as_str() {
            "politically_restricted" => self.politically_restricted = true,
            "works_with_vulnerable" => self.works_with_vulnerable = true,
            _ => {
                return Err(format!(
                    "unknown flag \"{name}\" (expected politically_restricted or works_with_vulnerable)"
                ))
            }
        }
        Ok(())
    }
    /// Whether the named flag (snake_case or kebab-case) is set; unknown names are `false`.
    pub fn has(&self, name: &str) -> bool {
        match name.replace('-', "_").as_str() {
            "politically_restricted" => self.politically_restricted,
            "works_with_vulnerable" => self.works_with_vulnerable,
            _ => false,
        }
    }
}

impl<'de> Deserialize<'de> for Flags {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let names: Vec<String> = Vec::deserialize(d)?;
        let mut f = Flags::default();
        for n in &names {
            f.set(n).map_err(serde::de::Error::custom)?;
        }
        Ok(f)
    }
}

impl Serialize for Flags {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut v = Vec::new();
        if self.politically_restricted {
            v.push("politically_restricted");
        }
        if self.works_with_vulnerable {
            v.push("works_with_vulnerable");
        }
        v.serialize(s)
    }
}

/// A calendar date (proleptic Gregorian), parsed from `"YYYY-MM-DD"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    /// 1–12
    pub month: u8,
    /// 1–31, valid for the month (leap years honoured)
    pub day: u8,
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 => {
            if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 {
                29
            } else {
                28
            }
        }
        _ => 0,
    }
}

fn parse_num(s: &str, what: &str) -> Result<u32, String> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("bad {what} \"{s}\""));
    }
    s.parse::<u32>().map_err(|_| format!("bad {what} \"{s}\""))
}

impl Date {
    /// Builds a date, checking month and day ranges.
    pub fn new(year: i32, month: u8, day: u8) -> Result<Date, String> {
        if !(1..=12).contains(&month) {
            return Err(format!("month {month} out of range"));
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(format!("day {day} out of range for {year:04}-{month:02}"));
        }
        Ok(Date { year, month, day })
    }

    /// Days since 1970-01-01 (negative before). Howard Hinnant's `days_from_civil`.
    pub fn days_since_epoch(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let d = i64::from(self.day);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146097 + doe - 719468
    }
}

impl FromStr for Date {
    type Err = String;
    /// Parses exactly `YYYY-MM-DD`.
    fn from_str(s: &str) -> Result<Date, String> {
        let err = || format!("bad date \"{s}\" (expected YYYY-MM-DD)");
        let parts: Vec<&str> = s.split('-').collect();
        if parts.len() != 3 || parts[0].len() != 4 || parts[1].len() != 2 || parts[2].len() != 2 {
            return Err(err());
        }
        let y = parse_num(parts[0], "year").map_err(|_| err())? as i32;
        let m = parse_num(parts[1], "month").map_err(|_| err())? as u8;
        let d = parse_num(parts[2], "day").map_err(|_| err())? as u8;
        Date::new(y, m, d).map_err(|e| format!("bad date \"{s}\": {e}"))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A local wall-clock time, parsed from `"YYYY-MM-DDTHH:MM"` (a trailing `:SS` is accepted and ignored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalDateTime {
    pub date: Date,
    /// 0–23
    pub hour: u8,
    /// 0–59
    pub minute: u8,
}

impl FromStr for LocalDateTime {
    type Err = String;
    fn from_str(s: &str) -> Result<LocalDateTime, String> {
        let err = || format!("bad date-time \"{s}\" (expected YYYY-MM-DDTHH:MM)");
        let (d, t) = s.split_once(['T', ' ']).ok_or_else(err)?;
        let date: Date = d.parse().map_err(|_| err())?;
        let tp: Vec<&str> = t.split(':').collect();
        if !(tp.len() == 2 || tp.len() == 3) || tp.iter().any(|p| p.len() != 2) {
            return Err(err());
        }
        let hour = parse_num(tp[0], "hour").map_err(|_| err())?;
        let minute = parse_num(tp[1], "minute").map_err(|_| err())?;
        if tp.len() == 3 {
            let sec = parse_num(tp[2], "second").map_err(|_| err())?;
            if sec > 59 {
                return Err(err());
            }
        }
        if hour > 23 || minute > 59 {
            return Err(err());
        }
        Ok(LocalDateTime { date, hour: hour as u8, minute: minute as u8 })
    }
}

impl fmt::Display for LocalDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}T{:02}:{:02}", self.date, self.hour, self.minute)
    }
}

macro_rules! serde_via_str {
    ($t:ty) => {
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
    };
}
serde_via_str!(Date);
serde_via_str!(LocalDateTime);

/// Everything a check needs besides the text (contract §2).
///
/// JSON: `{"council": "barnsley", "mode": "personal", "flags": ["politically_restricted"],
/// "now": "2026-05-01T12:00", "elections": ["2026-05-07"], "attachments": false}`; every key but
/// `council` optional. Unknown keys are ignored (so a corpus line deserialises directly).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Context {
    /// Profile id, e.g. `"barnsley"`.
    pub council: String,
    #[serde(default)]
    pub mode: Mode,
    #[serde(default)]
    pub flags: Flags,
    /// Local clock at posting time. Without it, the pre-election window never applies.
    #[serde(default)]
    pub now: Option<LocalDateTime>,
    /// Configured election (polling) dates.
    #[serde(default)]
    pub elections: Vec<Date>,
    /// Whether the composer holds an image or video.
    #[serde(default)]
    pub attachments: bool,
}

/// Length of the pre-election ("purdah") window, in days before polling day (six weeks).
pub const ELECTION_WINDOW_DAYS: i64 = 42;

impl Context {
    /// A personal-mode context for `council` with no flags, clock, elections or attachments.
    pub fn new(council: &str) -> Context {
        Context { council: council.to_string(), ..Context::default() }
    }

    /// True when `now` is 0–42 days (inclusive, by calendar date) before one of `elections`
    /// (Chelmsford Appendix A, "Pre-election period or 'Purdah'": six weeks before polling day).
    pub fn in_election_window(&self) -> bool {
        let Some(now) = self.now else { return false };
        let today = now.date.days_since_epoch();
        self.elections.iter().any(|e| {
            let d = e.days_since_epoch() - today;
            (0..=ELECTION_WINDOW_DAYS).contains(&d)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_context_json() {
        let c: Context = serde_json::from_str(
            r#"{"council":"barnsley","mode":"official","flags":["politically-restricted","works_with_vulnerable"],
               "now":"2026-05-01T12:00","elections":["2026-05-07"],"attachments":true,"extra":1}"#,
        )
        .unwrap();
        assert_eq!(c.mode, Mode::Official);
        assert!(c.flags.politically_restricted && c.flags.works_with_vulnerable);
        assert!(c.in_election_window());
        let c: Context = serde_json::from_str(r#"{"council":"x"}"#).unwrap();
        assert_eq!(c.mode, Mode::Personal);
        assert!(!c.in_election_window());
        assert!(serde_json::from_str::<Context>(r#"{"council":"x","flags":["nope"]}"#).is_err());
        assert!(serde_json::from_str::<Context>(r#"{"council":"x","now":"2026-02-30T10:00"}"#).is_err());
    }

    #[test]
    fn window_bounds() {
        let mut c = Context::new("x");
        c.elections = vec!["2024-07-04".parse().unwrap()];
        for (now, inside) in [
            ("2024-07-04T23:00", true),
            ("2024-05-23T00:00", true),
            ("2024-05-22T23:59", false),
            ("2024-07-05T08:00", false),
        ] {
            c.now = Some(now.parse().unwrap());
            assert_eq!(c.in_election_window(), inside, "{now}");
        }
    }

    #[test]
    fn days() {
        assert_eq!(Date::new(1970, 1, 1).unwrap().days_since_epoch(), 0);
        assert_eq!(Date::new(2000, 3, 1).unwrap().days_since_epoch(), 11017);
        assert!("2024-02-29".parse::<Date>().is_ok());
        assert!("2023-02-29".parse::<Date>().is_err());
        assert!("2023-2-01".parse::<Date>().is_err());
    }
}
