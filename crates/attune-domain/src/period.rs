//! Calendar arithmetic for metric buckets: days since the Unix epoch, in UTC.

use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month, OffsetDateTime, macros::format_description};

use crate::Invalid;

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;

/// The UTC day (days since 1970-01-01) an instant falls on.
pub fn day_of_ms(ms: i64) -> i64 {
    ms.div_euclid(DAY_MS)
}

/// Milliseconds since the epoch of an instant.
pub fn ms_of(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

/// The instant of a number of milliseconds since the epoch (clamped to the representable range).
pub fn time_of_ms(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// The calendar date of an epoch day.
pub fn date_of_day(day: i64) -> Date {
    let epoch = Date::from_calendar_date(1970, Month::January, 1).unwrap_or(Date::MIN);
    epoch.checked_add(Duration::days(day)).unwrap_or(Date::MAX)
}

/// The epoch day of a calendar date.
pub fn day_of_date(date: Date) -> i64 {
    i64::from(date.to_julian_day()) - 2_440_588
}

/// Parses `2026-01-31` or an RFC 3339 instant into epoch milliseconds.
pub fn parse_instant(field: &str, raw: &str) -> Result<i64, Invalid> {
    let raw = raw.trim();
    if let Ok(t) = OffsetDateTime::parse(raw, &time::format_description::well_known::Rfc3339) {
        return Ok(ms_of(t));
    }
    if let Ok(d) = Date::parse(raw, format_description!("[year]-[month]-[day]")) {
        return Ok(day_of_date(d) * DAY_MS);
    }
    Err(Invalid::one(
        field,
        format!("`{raw}` is not a date (2026-01-31) or an RFC 3339 time (2026-01-31T09:30:00Z)"),
    ))
}

/// Parses a calendar day `2026-01-31` into days since 1970-01-01.
pub fn parse_day(field: &str, raw: &str) -> Result<i64, Invalid> {
    let raw = raw.trim();
    Date::parse(raw, format_description!("[year]-[month]-[day]"))
        .map(day_of_date)
        .map_err(|_| Invalid::one(field, format!("`{raw}` is not a date such as 2026-01-31")))
}

/// Formats epoch milliseconds as RFC 3339.
pub fn format_ms(ms: i64) -> String {
    time_of_ms(ms)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Formats an epoch day as `YYYY-MM-DD`.
pub fn format_day(day: i64) -> String {
    let d = date_of_day(day);
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The width of a trend bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Interval {
    /// One UTC day.
    Day,
    /// ISO week, starting Monday.
    Week,
    /// Calendar month.
    Month,
    /// Calendar quarter.
    Quarter,
}

impl Interval {
    /// Parses `day`, `week`, `month` or `quarter`.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw {
            "day" => Ok(Self::Day),
            "week" => Ok(Self::Week),
            "month" => Ok(Self::Month),
            "quarter" => Ok(Self::Quarter),
            other => Err(Invalid::one(
                "interval",
                format!("`{other}` is not an interval: use day, week, month or quarter"),
            )),
        }
    }

    /// The first epoch day of the bucket holding `day`.
    pub fn bucket_start(self, day: i64) -> i64 {
        match self {
            Self::Day => day,
            // 1970-01-01 was a Thursday, so Monday-based weeks are offset by 3 days.
            Self::Week => day - (day + 3).rem_euclid(7),
            Self::Month | Self::Quarter => {
                let d = date_of_day(day);
                let month = u8::from(d.month());
                let first_month = if self == Self::Month {
                    month
                } else {
                    (month - 1) / 3 * 3 + 1
                };
                let month = Month::try_from(first_month).unwrap_or(Month::January);
                Date::from_calendar_date(d.year(), month, 1)
                    .map(day_of_date)
                    .unwrap_or(day)
            }
        }
    }

    /// The first day of the bucket after the one starting at `start`.
    pub fn next_start(self, start: i64) -> i64 {
        match self {
            Self::Day => start + 1,
            Self::Week => self.bucket_start(start) + 7,
            // Any month is at most 31 days and any quarter at most 92, so these land inside the
            // next bucket.
            Self::Month => self.bucket_start(self.bucket_start(start) + 31),
            Self::Quarter => self.bucket_start(self.bucket_start(start) + 92),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_through_dates() {
        for day in [-400, -1, 0, 1, 19_000, 20_600] {
            assert_eq!(day_of_date(date_of_day(day)), day);
        }
        assert_eq!(format_day(0), "1970-01-01");
        assert_eq!(
            day_of_ms(-1),
            -1,
            "an instant before the epoch is on the day before"
        );
    }

    #[test]
    fn buckets_start_on_monday_first_of_month_and_quarter() {
        let day = parse_instant("t", "2026-11-19").unwrap() / DAY_MS; // a Thursday
        assert_eq!(format_day(Interval::Day.bucket_start(day)), "2026-11-19");
        assert_eq!(format_day(Interval::Week.bucket_start(day)), "2026-11-16");
        assert_eq!(format_day(Interval::Month.bucket_start(day)), "2026-11-01");
        assert_eq!(
            format_day(Interval::Quarter.bucket_start(day)),
            "2026-10-01"
        );
        assert_eq!(
            format_day(Interval::Month.next_start(Interval::Month.bucket_start(day))),
            "2026-12-01"
        );
        assert_eq!(
            format_day(Interval::Quarter.next_start(Interval::Quarter.bucket_start(day))),
            "2027-01-01"
        );
        assert_eq!(format_day(Interval::Week.next_start(day)), "2026-11-23");
        let monday = parse_instant("t", "2026-11-16").unwrap() / DAY_MS;
        assert_eq!(Interval::Week.bucket_start(monday), monday);
    }

    #[test]
    fn instants_parse_from_dates_and_rfc3339() {
        assert_eq!(parse_instant("from", "1970-01-02").unwrap(), DAY_MS);
        assert_eq!(
            parse_instant("from", "1970-01-01T01:00:00+01:00").unwrap(),
            0
        );
        let err = parse_instant("from", "yesterday").unwrap_err();
        assert_eq!(err.0[0].field, "from");
    }
}
