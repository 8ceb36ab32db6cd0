//! The context a check runs in (contract §2): council, account mode, role flags, local clock,
//! configured election dates and whether the composer holds an attachment.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
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
    /// Called for every rule and ground on every check, so it compares without allocating.
    pub fn has(&self, name: &str) -> bool {
        let is = |canon: &str| {
            name.len() == canon.len()
                && name.bytes().zip(canon.bytes()).all(|(a, b)| a == b || (a == b'-' && b == b'_'))
        };
        if is(FLAG_NAMES[0]) {
            self.politically_restricted
        } else if is(FLAG_NAMES[1]) {
            self.works_with_vulnerable
        } else {
            false
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
serde_via_str!(TimeOfDay);

/// A day of the week. Serde: `"mon"` … `"sun"` (the managed `workingHours.days` spelling).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    /// Monday first.
    pub const ALL: [Weekday; 7] =
        [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];

    /// The day of the week of `date` (proleptic Gregorian; 1970-01-01 was a Thursday).
    pub fn of(date: Date) -> Weekday {
        Weekday::ALL[(date.days_since_epoch() + 3).rem_euclid(7) as usize]
    }
}

/// A local wall-clock time of day, `"HH:MM"` (24-hour, 00:00–23:59).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeOfDay {
    /// 0–23
    pub hour: u8,
    /// 0–59
    pub minute: u8,
}

impl FromStr for TimeOfDay {
    type Err = String;
    /// Parses exactly `HH:MM`.
    fn from_str(s: &str) -> Result<TimeOfDay, String> {
        let err = || format!("bad time \"{s}\" (expected HH:MM, 24-hour)");
        let (h, m) = s.split_once(':').ok_or_else(err)?;
        if h.len() != 2 || m.len() != 2 {
            return Err(err());
        }
        let hour = parse_num(h, "hour").map_err(|_| err())?;
        let minute = parse_num(m, "minute").map_err(|_| err())?;
        if hour > 23 || minute > 59 {
            return Err(err());
        }
        Ok(TimeOfDay { hour: hour as u8, minute: minute as u8 })
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour, self.minute)
    }
}

/// The council's working hours (the managed `workingHours` policy, same shape): on `days`, from
/// `start` (inclusive) to `end` (exclusive), local wall-clock time. During them, in personal mode,
/// the engine raises the whole-post `working-time` reminder where the council's profile grounds it.
///
/// JSON: `{"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "17:00"}`.
/// Errors: an unknown day, a time not `HH:MM`, no days, or `start` not before `end`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawWorkingHours")]
pub struct WorkingHours {
    /// Days the hours apply, Monday first, no repeats (at least one).
    pub days: Vec<Weekday>,
    /// Local time the working day starts (inclusive).
    pub start: TimeOfDay,
    /// Local time it ends (exclusive); after `start`.
    pub end: TimeOfDay,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWorkingHours {
    days: Vec<Weekday>,
    start: TimeOfDay,
    end: TimeOfDay,
}

impl TryFrom<RawWorkingHours> for WorkingHours {
    type Error = String;
    fn try_from(r: RawWorkingHours) -> Result<WorkingHours, String> {
        if r.days.is_empty() {
            return Err("working hours: days must name at least one day (mon … sun)".into());
        }
        if r.start >= r.end {
            return Err(format!("working hours: start {} must be before end {}", r.start, r.end));
        }
        let days = Weekday::ALL.into_iter().filter(|d| r.days.contains(d)).collect();
        Ok(WorkingHours { days, start: r.start, end: r.end })
    }
}

impl WorkingHours {
    /// Whether the local wall-clock `now` falls in these hours.
    pub fn contains(&self, now: LocalDateTime) -> bool {
        let t = TimeOfDay { hour: now.hour, minute: now.minute };
        self.days.contains(&Weekday::of(now.date)) && self.start <= t && t < self.end
    }
}

/// A council's per-category severity override (the managed `severity` policy).
/// Serde: `"block"` | `"warn"` | `"info"` | `"off"` (`off`: the category is never reported).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SeverityOverride {
    Block,
    Warn,
    Info,
    Off,
}

impl SeverityOverride {
    /// The severity findings of the category get, or `None` for `off`.
    pub fn severity(self) -> Option<crate::Severity> {
        match self {
            SeverityOverride::Block => Some(crate::Severity::Block),
            SeverityOverride::Warn => Some(crate::Severity::Warn),
            SeverityOverride::Info => Some(crate::Severity::Info),
            SeverityOverride::Off => None,
        }
    }
}

/// Everything a check needs besides the text (contract §2).
///
/// JSON: `{"council": "barnsley", "mode": "personal", "flags": ["politically_restricted"],
/// "now": "2026-05-01T12:00", "elections": ["2026-05-07"], "attachments": false,
/// "working_hours": {"days": ["mon", "fri"], "start": "09:00", "end": "17:00"},
/// "severity": {"profanity": "block", "images": "off"}}`; every key but `council` optional
/// (`workingHours` is accepted for `working_hours`). Unknown keys are ignored (so a corpus line
/// deserialises directly); a category id in `severity` that names no category is ignored too.
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
    /// The council's working hours (managed `workingHours`). When `now` falls in them and the
    /// mode is personal, the engine raises the whole-post `working-time` finding (if the
    /// council's profile grounds that category). Absent: the reminder is off.
    #[serde(default, alias = "workingHours", skip_serializing_if = "Option::is_none")]
    pub working_hours: Option<WorkingHours>,
    /// Per-category severity overrides (managed `severity`): category id → block | warn | info |
    /// off. They win over the profile's and the rule's severity; `off` drops the category.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub severity: BTreeMap<String, SeverityOverride>,
}

/// Length of the pre-election ("purdah") window, in days before polling day (six weeks).
pub const ELECTION_WINDOW_DAYS: i64 = 42;

impl Context {
    /// A personal-mode context for `council` with no flags, clock, elections or attachments.
    pub fn new(council: &str) -> Context {
        Context { council: council.to_string(), ..Context::default() }
    }

    /// True when `now` is known and falls in `working_hours` (false when either is absent).
    pub fn in_working_hours(&self) -> bool {
        match (&self.working_hours, self.now) {
            (Some(w), Some(now)) => w.contains(now),
            _ => false,
        }
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
    fn has_accepts_both_spellings_and_nothing_else() {
        let f = Flags { politically_restricted: true, works_with_vulnerable: false };
        assert!(f.has("politically_restricted") && f.has("politically-restricted"));
        assert!(!f.has("works_with_vulnerable") && !f.has("works-with-vulnerable"));
        let g = Flags { politically_restricted: false, works_with_vulnerable: true };
        assert!(g.has("works-with-vulnerable") && !g.has("politically_restricted"));
        assert!(!f.has("politically_restricte") && !f.has("politically_restricted_") && !f.has("politically restricted"));
        assert!(!f.has("politically_restricted".to_uppercase().as_str()) && !f.has(""));
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
    fn working_hours_and_severity() {
        let c: Context = serde_json::from_str(
            r#"{"council":"x","now":"2026-05-01T09:00",
               "workingHours":{"days":["fri","mon","fri"],"start":"09:00","end":"17:30"},
               "severity":{"profanity":"off","images":"block"}}"#,
        )
        .unwrap();
        let w = c.working_hours.clone().unwrap();
        assert_eq!(w.days, vec![Weekday::Mon, Weekday::Fri]);
        assert!(c.in_working_hours(), "2026-05-01 is a Friday, 09:00 is the start");
        assert_eq!(c.severity.get("profanity"), Some(&SeverityOverride::Off));
        assert_eq!(SeverityOverride::Block.severity(), Some(crate::Severity::Block));
        for (now, inside) in [("2026-05-01T17:29", true), ("2026-05-01T17:30", false), ("2026-05-01T08:59", false), ("2026-05-02T12:00", false), ("2026-05-04T12:00", true)] {
            let mut c = c.clone();
            c.now = Some(now.parse().unwrap());
            assert_eq!(c.in_working_hours(), inside, "{now}");
        }
        let mut c2 = c.clone();
        c2.now = None;
        assert!(!c2.in_working_hours());
        assert_eq!(Weekday::of(Date::new(1970, 1, 1).unwrap()), Weekday::Thu);
        assert_eq!(Weekday::of(Date::new(2024, 2, 29).unwrap()), Weekday::Thu);
        // round trip with the snake_case key
        let back: Context = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
        assert_eq!(back, c);
        for bad in [
            r#"{"council":"x","working_hours":{"days":["monday"],"start":"09:00","end":"17:00"}}"#,
            r#"{"council":"x","working_hours":{"days":["mon"],"start":"9:00","end":"17:00"}}"#,
            r#"{"council":"x","working_hours":{"days":["mon"],"start":"17:00","end":"09:00"}}"#,
            r#"{"council":"x","working_hours":{"days":[],"start":"09:00","end":"17:00"}}"#,
            r#"{"council":"x","severity":{"profanity":"loud"}}"#,
        ] {
            assert!(serde_json::from_str::<Context>(bad).is_err(), "{bad}");
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
