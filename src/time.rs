//! Dates and times: calendar dates ([`CivilDate`], what training sessions are dated by) and
//! times as text, from Unix time, in UTC (what the results database stamps and what an
//! imported session is dated). Days to and from a civil date by Howard Hinnant's algorithms,
//! so no date crate is needed for these formats.

/// Now, in UTC, as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn now_utc() -> String {
    utc_from_unix(unix_now())
}

/// A Unix time as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn utc_from_unix(secs: i64) -> String {
    let date = CivilDate::from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Today's date as `YYYY-MM-DD`: `SOURCE_DATE_EPOCH` when set (for reproducible output),
/// otherwise the clock's.
pub fn today() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or_else(unix_now);
    utc_from_unix(secs)[..10].to_string()
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// A calendar date (proleptic Gregorian), written `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct CivilDate {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl CivilDate {
    /// Parses `YYYY-MM-DD` strictly (a real calendar date).
    pub fn parse(s: &str) -> Option<CivilDate> {
        let s = s.trim();
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let digits = |r: std::ops::Range<usize>| -> Option<u32> {
            let part = &s[r];
            if part.bytes().all(|c| c.is_ascii_digit()) {
                part.parse().ok()
            } else {
                None
            }
        };
        let year = digits(0..4)? as i32;
        let (month, day) = (digits(5..7)?, digits(8..10)?);
        let date = CivilDate { year, month, day };
        ((1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month)).then_some(date)
    }

    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    pub fn days(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01 (`civil_from_days`).
    pub fn from_days(days: i64) -> CivilDate {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        CivilDate { year, month, day }
    }

    /// ISO weekday: 1 = Monday … 7 = Sunday.
    pub fn weekday(self) -> u32 {
        // 1970-01-01 was a Thursday.
        (self.days() + 3).rem_euclid(7) as u32 + 1
    }

    pub fn plus_days(self, n: i64) -> CivilDate {
        CivilDate::from_days(self.days() + n)
    }
}

impl std::fmt::Display for CivilDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(utc_from_unix(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_from_unix(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(utc_from_unix(1_735_689_599), "2024-12-31T23:59:59Z");
    }

    #[test]
    fn dates_parse_strictly_and_count_days() {
        let d = CivilDate::parse("2026-12-15").unwrap();
        assert_eq!(d.to_string(), "2026-12-15");
        assert_eq!(d.weekday(), 2, "2026-12-15 is a Tuesday");
        assert_eq!(d.plus_days(17).to_string(), "2027-01-01");
        assert_eq!(
            CivilDate::parse("2024-02-29")
                .unwrap()
                .plus_days(1)
                .to_string(),
            "2024-03-01"
        );
        assert_eq!(CivilDate::from_days(0).to_string(), "1970-01-01");
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-12-32",
            "2026-1-5",
            "26-12-05",
            "2026/12/05",
            "2026-12-0x",
        ] {
            assert_eq!(CivilDate::parse(bad), None, "{bad}");
        }
    }
}
