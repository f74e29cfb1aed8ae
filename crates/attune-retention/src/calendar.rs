//! Days, calendar arithmetic and period grids (months, quarters, years or custom ranges).
//!
//! Days are counted from 1970-01-01 like `attune_domain::period`, but stored as `i32`: the
//! retention data is the biggest table Attune holds, and half-width days halve its memory.

use serde::{Deserialize, Serialize};

/// A UTC calendar day as days since 1970-01-01.
pub type Day = i32;

/// The proleptic-Gregorian day number of a date (Howard Hinnant's `days_from_civil`).
pub fn day_from_civil(year: i32, month: u32, day: u32) -> Day {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((month + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    // Realistic dates fit easily; saturate rather than wrap for absurd ones.
    (era * 146_097 + doe - 719_468).clamp(i64::from(Day::MIN), i64::from(Day::MAX)) as Day
}

/// The (year, month 1–12, day 1–31) of a day number.
pub fn civil_from_day(day: Day) -> (i32, u32, u32) {
    let z = i64::from(day) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y as i32, m, d)
}

/// Parses `YYYY-MM-DD` into a day number; `None` for anything else or an impossible date.
pub fn parse_day(raw: &str) -> Option<Day> {
    let raw = raw.trim();
    let mut parts = raw.splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d): (i32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    if !(1..=12).contains(&m) || d == 0 {
        return None;
    }
    let day = day_from_civil(y, m, d);
    (civil_from_day(day) == (y, m, d)).then_some(day)
}

/// Formats a day number as `YYYY-MM-DD`.
pub fn format_day(day: Day) -> String {
    let (y, m, d) = civil_from_day(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Whole calendar months from `from` to `to` (a tenure: Jan 31 → Feb 28 is 0, → Mar 1 is 1).
pub fn whole_months(from: Day, to: Day) -> i32 {
    let (y1, m1, d1) = civil_from_day(from);
    let (y2, m2, d2) = civil_from_day(to);
    (y2 - y1) * 12 + (m2 as i32 - m1 as i32) - i32::from(d2 < d1)
}

/// The day `months` calendar months before `day`, on the same day of the month or, when that
/// month is shorter, its last day; so `whole_months(months_before(d, n), d) == n`.
pub fn months_before(day: Day, months: u32) -> Day {
    let (y, m, d) = civil_from_day(day);
    let index = i64::from(y) * 12 + i64::from(m) - 1 - i64::from(months);
    let (year, month) = (index.div_euclid(12), index.rem_euclid(12) as u32 + 1);
    let year = year.clamp(i64::from(i32::MIN / 2), i64::from(i32::MAX / 2)) as i32;
    let last = day_from_civil(if month == 12 { year + 1 } else { year }, month % 12 + 1, 1) - 1;
    day_from_civil(year, month, d).min(last)
}

/// The length of a calendar period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PeriodUnit {
    /// Calendar month.
    Month,
    /// Calendar quarter (January, April, July, October).
    Quarter,
    /// Calendar year.
    Year,
}

impl PeriodUnit {
    /// Parses `month`, `quarter` or `year`.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "month" => Some(Self::Month),
            "quarter" => Some(Self::Quarter),
            "year" => Some(Self::Year),
            _ => None,
        }
    }

    fn months(self) -> u32 {
        match self {
            Self::Month => 1,
            Self::Quarter => 3,
            Self::Year => 12,
        }
    }

    /// The first day of the period holding `day`.
    pub fn period_start(self, day: Day) -> Day {
        let (y, m, _) = civil_from_day(day);
        let k = self.months();
        day_from_civil(y, (m - 1) / k * k + 1, 1)
    }

    /// The first day of the period after the one holding `day`.
    pub fn next_start(self, day: Day) -> Day {
        let (y, m, _) = civil_from_day(self.period_start(day));
        let m0 = m - 1 + self.months();
        day_from_civil(y + (m0 / 12) as i32, m0 % 12 + 1, 1)
    }
}

/// A half-open range of days `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Period {
    /// First day in the period.
    pub start: Day,
    /// First day after the period.
    pub end: Day,
}

impl Period {
    /// The last day in the period.
    pub fn last_day(self) -> Day {
        self.end - 1
    }

    /// Whether `day` is in the period.
    pub fn contains(self, day: Day) -> bool {
        self.start <= day && day < self.end
    }
}

/// Why a custom grid was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GridError {
    /// A period does not end after it starts.
    #[error("period {index} ends ({end}) before or when it starts ({start})")]
    Empty {
        /// Position in the list.
        index: usize,
        /// Its start day.
        start: Day,
        /// Its end day.
        end: Day,
    },
    /// Periods must be in order and must not overlap, so that each day has at most one period.
    #[error("period {index} starts before the previous one ends")]
    Overlap {
        /// Position in the list.
        index: usize,
    },
    /// Day `Day::MAX` is reserved for "no end".
    #[error("period {index} reaches the largest representable day")]
    TooLate {
        /// Position in the list.
        index: usize,
    },
}

/// Periods in increasing order that do not overlap (gaps are allowed in custom grids).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grid {
    periods: Vec<Period>,
}

impl Grid {
    /// Consecutive calendar periods from the one holding `from` up to the one holding `to - 1`.
    pub fn calendar(unit: PeriodUnit, from: Day, to: Day) -> Grid {
        let mut periods = Vec::new();
        let mut start = unit.period_start(from);
        while start < to {
            let end = unit.next_start(start);
            periods.push(Period { start, end });
            start = end;
        }
        Grid { periods }
    }

    /// A custom list of `[start, end)` ranges, in order and not overlapping.
    pub fn custom(ranges: &[(Day, Day)]) -> Result<Grid, GridError> {
        let mut periods = Vec::with_capacity(ranges.len());
        for (index, &(start, end)) in ranges.iter().enumerate() {
            if end <= start {
                return Err(GridError::Empty { index, start, end });
            }
            if end == Day::MAX {
                return Err(GridError::TooLate { index });
            }
            if periods.last().is_some_and(|p: &Period| start < p.end) {
                return Err(GridError::Overlap { index });
            }
            periods.push(Period { start, end });
        }
        Ok(Grid { periods })
    }

    /// The periods, in order.
    pub fn periods(&self) -> &[Period] {
        &self.periods
    }

    /// The number of periods.
    pub fn len(&self) -> usize {
        self.periods.len()
    }

    /// Whether the grid has no period.
    pub fn is_empty(&self) -> bool {
        self.periods.is_empty()
    }

    /// The periods that had started by `as_of`.
    pub fn started_by(&self, as_of: Day) -> Grid {
        let n = self.periods.partition_point(|p| p.start <= as_of);
        Grid {
            periods: self.periods[..n].to_vec(),
        }
    }

    /// The index of the period holding `day`, if any.
    pub fn find(&self, day: Day) -> Option<usize> {
        let i = self.periods.partition_point(|p| p.start <= day);
        (i > 0 && day < self.periods[i - 1].end).then(|| i - 1)
    }

    /// The indices of the periods sharing at least one day with `[start, end)`.
    pub fn overlapping(&self, start: Day, end: Day) -> std::ops::Range<usize> {
        let lo = self.periods.partition_point(|p| p.end <= start);
        let hi = self.periods.partition_point(|p| p.start < end);
        lo..hi.max(lo)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use attune_domain::period::{Interval, date_of_day, day_of_date};

    #[test]
    fn civil_round_trips_and_agrees_with_the_domain_calendar() {
        for day in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_day(day);
            assert_eq!(day_from_civil(y, m, d), day);
            let date = date_of_day(i64::from(day));
            assert_eq!(
                (
                    date.year(),
                    u8::from(date.month()) as u32,
                    u32::from(date.day())
                ),
                (y, m, d)
            );
            assert_eq!(day_of_date(date), i64::from(day));
        }
        assert_eq!(parse_day("1970-01-01"), Some(0));
        assert_eq!(
            parse_day("2024-02-29").map(format_day).as_deref(),
            Some("2024-02-29")
        );
        assert_eq!(parse_day("2023-02-29"), None);
        assert_eq!(parse_day("2023-13-01"), None);
        assert_eq!(parse_day("23-01-01"), None);
    }

    #[test]
    fn month_and_quarter_periods_match_the_domain_intervals() {
        for day in (10_000..12_000).step_by(7) {
            for (unit, interval) in [
                (PeriodUnit::Month, Interval::Month),
                (PeriodUnit::Quarter, Interval::Quarter),
            ] {
                let start = interval.bucket_start(i64::from(day));
                assert_eq!(i64::from(unit.period_start(day)), start);
                assert_eq!(i64::from(unit.next_start(day)), interval.next_start(start));
            }
        }
    }

    #[test]
    fn years_start_on_january_first() {
        let d = parse_day("2023-07-15").unwrap();
        assert_eq!(format_day(PeriodUnit::Year.period_start(d)), "2023-01-01");
        assert_eq!(format_day(PeriodUnit::Year.next_start(d)), "2024-01-01");
        let g = Grid::calendar(PeriodUnit::Year, d, parse_day("2025-01-01").unwrap());
        let starts: Vec<String> = g.periods().iter().map(|p| format_day(p.start)).collect();
        assert_eq!(starts, ["2023-01-01", "2024-01-01"]);
    }

    #[test]
    fn whole_months_count_completed_months() {
        let m = |a: &str, b: &str| whole_months(parse_day(a).unwrap(), parse_day(b).unwrap());
        assert_eq!(m("2022-01-31", "2022-02-28"), 0);
        assert_eq!(m("2022-01-31", "2022-03-01"), 1);
        assert_eq!(m("2022-01-11", "2022-02-11"), 1);
        assert_eq!(m("2022-01-11", "2023-01-10"), 11);
    }

    #[test]
    fn grid_lookup_and_custom_validation() {
        let g = Grid::custom(&[(0, 10), (20, 30), (30, 31)]).unwrap();
        assert_eq!(g.find(-1), None);
        assert_eq!(g.find(0), Some(0));
        assert_eq!(g.find(9), Some(0));
        assert_eq!(g.find(10), None);
        assert_eq!(g.find(30), Some(2));
        assert_eq!(g.find(31), None);
        assert_eq!(g.overlapping(5, 21), 0..2);
        assert_eq!(g.overlapping(10, 20), 1..1);
        assert_eq!(g.overlapping(-5, 0), 0..0);
        assert_eq!(g.overlapping(25, Day::MAX), 1..3);
        assert_eq!(
            Grid::custom(&[(0, 0)]),
            Err(GridError::Empty {
                index: 0,
                start: 0,
                end: 0
            })
        );
        assert_eq!(
            Grid::custom(&[(0, 10), (9, 12)]),
            Err(GridError::Overlap { index: 1 })
        );
    }

    #[test]
    fn months_before_clamps_to_the_month_end() {
        let d = |s: &str| parse_day(s).unwrap();
        assert_eq!(months_before(d("2024-03-31"), 1), d("2024-02-29"));
        assert_eq!(months_before(d("2023-03-31"), 1), d("2023-02-28"));
        assert_eq!(months_before(d("2024-01-15"), 13), d("2022-12-15"));
        assert_eq!(months_before(d("2024-01-15"), 0), d("2024-01-15"));
    }

    proptest::proptest! {
        #[test]
        fn months_before_is_undone_by_whole_months(day in -200_000i32..200_000, n in 0u32..2_000) {
            let start = months_before(day, n);
            proptest::prop_assert_eq!(whole_months(start, day), n as i32);
            // A lifetime censored the day after is still n whole months.
            proptest::prop_assert_eq!(whole_months(start, day + 1), n as i32);
        }
    }
}
