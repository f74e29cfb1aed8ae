//! Service-level deadlines: a first-response and a resolution target, counted in wall-clock
//! time or in business hours (weekly opening hours in a fixed UTC offset, minus holidays).
//!
//! While a case waits on the customer its clock is paused: on resumption each deadline that
//! had not yet passed moves by the working time the pause took ([`shift`]).

use serde::{Deserialize, Serialize};

use crate::error::{Invalid, Problems};
use crate::period::{DAY_MS, day_of_date};
use crate::text::parse_name;

const MINUTE_MS: i64 = 60_000;
/// Days searched for working time before giving up (a policy with no open day is refused).
const HORIZON_DAYS: i64 = 3_660;

/// Weekly opening hours in a fixed offset from UTC, and days off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessHours {
    /// Offset of local time from UTC, in minutes (e.g. 330 for India).
    pub utc_offset_minutes: i32,
    /// Opening minutes of each weekday, Monday first: `[start, end)` in minutes after local
    /// midnight, or `None` when closed.
    pub week: [Option<(u16, u16)>; 7],
    /// Local days (days since 1970-01-01) that are holidays.
    pub holidays: Vec<i64>,
}

/// Monday = 0 … Sunday = 6 for a day number (1970-01-01 was a Thursday).
pub fn weekday(day: i64) -> usize {
    (day + 3).rem_euclid(7) as usize
}

impl BusinessHours {
    fn window(&self, day: i64) -> Option<(i64, i64)> {
        if self.holidays.binary_search(&day).is_ok() {
            return None;
        }
        self.week[weekday(day)].map(|(s, e)| {
            (
                day * DAY_MS + i64::from(s) * MINUTE_MS,
                day * DAY_MS + i64::from(e) * MINUTE_MS,
            )
        })
    }

    fn offset_ms(&self) -> i64 {
        i64::from(self.utc_offset_minutes) * MINUTE_MS
    }

    /// The instant `duration_ms` of working time after `start_ms`.
    pub fn add(&self, start_ms: i64, duration_ms: i64) -> i64 {
        let off = self.offset_ms();
        let mut local = start_ms + off;
        let mut left = duration_ms.max(0);
        let first_day = local.div_euclid(DAY_MS);
        for day in first_day..first_day + HORIZON_DAYS {
            if let Some((open, close)) = self.window(day)
                && local < close
            {
                let from = local.max(open);
                if left <= close - from {
                    return from + left - off;
                }
                left -= close - from;
            }
            local = local.max((day + 1) * DAY_MS);
        }
        // Unreachable for a parsed policy (it has an open day); stay finite regardless.
        start_ms + duration_ms
    }

    /// Working time between two instants (0 when `to <= from`).
    pub fn between(&self, from_ms: i64, to_ms: i64) -> i64 {
        if to_ms <= from_ms {
            return 0;
        }
        let off = self.offset_ms();
        let (a, b) = (from_ms + off, to_ms + off);
        let mut total = 0;
        let last = b
            .div_euclid(DAY_MS)
            .min(a.div_euclid(DAY_MS) + HORIZON_DAYS);
        for day in a.div_euclid(DAY_MS)..=last {
            if let Some((open, close)) = self.window(day) {
                total += (close.min(b) - open.max(a)).max(0);
            }
        }
        total
    }
}

/// Targets for a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaPolicy {
    /// Display name.
    pub name: String,
    /// First response within this many minutes.
    pub first_response_minutes: u32,
    /// Resolution within this many minutes.
    pub resolution_minutes: u32,
    /// Business hours; wall-clock time when absent.
    pub business_hours: Option<BusinessHours>,
}

impl Default for SlaPolicy {
    /// First response within 24 hours, resolution within 72, around the clock.
    fn default() -> Self {
        Self {
            name: "Standard: first response within 24 hours".into(),
            first_response_minutes: 24 * 60,
            resolution_minutes: 72 * 60,
            business_hours: None,
        }
    }
}

/// Deadlines of a case: when the owner is warned (75 %) and when the deadline passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Deadlines {
    /// Warning before the first response is due.
    pub first_response_warn_at: i64,
    /// First response due.
    pub first_response_due_at: i64,
    /// Warning before the resolution is due.
    pub resolution_warn_at: i64,
    /// Resolution due.
    pub resolution_due_at: i64,
}

impl SlaPolicy {
    /// Adds working time under this policy.
    pub fn add(&self, start_ms: i64, duration_ms: i64) -> i64 {
        match &self.business_hours {
            Some(h) => h.add(start_ms, duration_ms),
            None => start_ms + duration_ms,
        }
    }

    /// Working time between two instants under this policy.
    pub fn between(&self, from_ms: i64, to_ms: i64) -> i64 {
        match &self.business_hours {
            Some(h) => h.between(from_ms, to_ms),
            None => (to_ms - from_ms).max(0),
        }
    }

    /// Deadlines of a case opened at `opened_ms`; warnings fall at 75 % of each target.
    pub fn deadlines(&self, opened_ms: i64) -> Deadlines {
        let first = i64::from(self.first_response_minutes) * MINUTE_MS;
        let resolve = i64::from(self.resolution_minutes) * MINUTE_MS;
        Deadlines {
            first_response_warn_at: self.add(opened_ms, first * 3 / 4),
            first_response_due_at: self.add(opened_ms, first),
            resolution_warn_at: self.add(opened_ms, resolve * 3 / 4),
            resolution_due_at: self.add(opened_ms, resolve),
        }
    }

    /// Deadline `at_ms` after a pause from `paused_ms` to `resumed_ms`: the working time that
    /// was left when the pause began is counted again from the resumption. Deadlines that had
    /// already passed when the pause began stay where they were.
    pub fn shift(&self, at_ms: i64, paused_ms: i64, resumed_ms: i64) -> i64 {
        if at_ms <= paused_ms {
            return at_ms;
        }
        self.add(resumed_ms, self.between(paused_ms, at_ms))
    }
}

/// A policy as the API receives it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlaPolicyInput {
    /// Display name.
    pub name: String,
    /// First response target in minutes.
    pub first_response_minutes: u32,
    /// Resolution target in minutes.
    pub resolution_minutes: u32,
    /// Optional business hours.
    #[serde(default)]
    pub business_hours: Option<BusinessHoursInput>,
}

/// Business hours as the API receives them: `{"utc_offset_minutes": 60, "days": {"mon":
/// ["09:00", "17:00"], …}, "holidays": ["2026-12-25"]}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusinessHoursInput {
    /// Offset from UTC in minutes.
    #[serde(default)]
    pub utc_offset_minutes: i32,
    /// Opening hours per weekday (`mon` … `sun`); missing days are closed.
    pub days: std::collections::BTreeMap<String, [String; 2]>,
    /// Holidays as `YYYY-MM-DD`.
    #[serde(default)]
    pub holidays: Vec<String>,
}

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn parse_clock(raw: &str) -> Option<u16> {
    let (h, m) = raw.split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    if h == 24 && m == 0 {
        return Some(1440);
    }
    (h < 24 && m < 60).then_some(h * 60 + m)
}

impl SlaPolicy {
    /// Checks a policy, reporting every problem.
    pub fn parse(input: SlaPolicyInput) -> Result<Self, Invalid> {
        let mut p = Problems::default();
        let name = p.take(parse_name("name", &input.name, 200));
        let year = 366 * 24 * 60;
        if !(1..=year).contains(&input.first_response_minutes) {
            p.push(
                "first_response_minutes",
                "must be from 1 minute to one year",
            );
        }
        if !(1..=year).contains(&input.resolution_minutes) {
            p.push("resolution_minutes", "must be from 1 minute to one year");
        } else if input.resolution_minutes < input.first_response_minutes {
            p.push(
                "resolution_minutes",
                "must not be shorter than the first-response target",
            );
        }
        let hours = input.business_hours.map(|h| {
            if !(-14 * 60..=14 * 60).contains(&h.utc_offset_minutes) {
                p.push(
                    "business_hours.utc_offset_minutes",
                    "must be between -840 and 840",
                );
            }
            let mut week = [None; 7];
            for (day, [open, close]) in &h.days {
                let field = format!("business_hours.days.{day}");
                let Some(i) = WEEKDAYS.iter().position(|d| d == day) else {
                    p.push(field, "must be one of mon, tue, wed, thu, fri, sat, sun");
                    continue;
                };
                match (parse_clock(open), parse_clock(close)) {
                    (Some(o), Some(c)) if o < c => week[i] = Some((o, c)),
                    _ => p.push(
                        field,
                        "must be [\"HH:MM\", \"HH:MM\"] with opening before closing",
                    ),
                }
            }
            if week.iter().all(Option::is_none)
                && h.days.keys().all(|d| WEEKDAYS.contains(&d.as_str()))
            {
                p.push("business_hours.days", "at least one day must be open");
            }
            let mut holidays = Vec::new();
            for (i, d) in h.holidays.iter().enumerate() {
                let format = time::macros::format_description!("[year]-[month]-[day]");
                match time::Date::parse(d, format) {
                    Ok(date) => holidays.push(day_of_date(date)),
                    Err(_) => p.push(
                        format!("business_hours.holidays[{i}]"),
                        "must be YYYY-MM-DD",
                    ),
                }
            }
            holidays.sort_unstable();
            holidays.dedup();
            BusinessHours {
                utc_offset_minutes: h.utc_offset_minutes,
                week,
                holidays,
            }
        });
        p.finish(())?;
        Ok(Self {
            name: name.unwrap_or_default(),
            first_response_minutes: input.first_response_minutes,
            resolution_minutes: input.resolution_minutes,
            business_hours: hours,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::period::parse_instant;

    fn at(s: &str) -> i64 {
        parse_instant("t", s).unwrap()
    }

    fn office() -> SlaPolicy {
        let input: SlaPolicyInput = serde_json::from_value(serde_json::json!({
            "name": "Office hours",
            "first_response_minutes": 8 * 60,
            "resolution_minutes": 16 * 60,
            "business_hours": {
                "utc_offset_minutes": 60,
                "days": {"mon": ["09:00", "17:00"], "tue": ["09:00", "17:00"],
                         "wed": ["09:00", "17:00"], "thu": ["09:00", "17:00"],
                         "fri": ["09:00", "17:00"]},
                "holidays": ["2026-12-25"]
            }
        }))
        .unwrap();
        SlaPolicy::parse(input).unwrap()
    }

    #[test]
    fn default_policy_is_24_hours_around_the_clock() {
        let p = SlaPolicy::default();
        let opened = at("2026-11-20T10:00:00Z");
        let d = p.deadlines(opened);
        assert_eq!(d.first_response_due_at, at("2026-11-21T10:00:00Z"));
        assert_eq!(d.first_response_warn_at, at("2026-11-21T04:00:00Z"));
        assert_eq!(d.resolution_due_at, at("2026-11-23T10:00:00Z"));
    }

    #[test]
    fn business_hours_skip_nights_weekends_and_holidays() {
        let p = office();
        // Friday 16:00 local (15:00 UTC): one hour on Friday, seven on Monday → Monday 16:00.
        let d = p.deadlines(at("2026-11-20T15:00:00Z"));
        assert_eq!(d.first_response_due_at, at("2026-11-23T15:00:00Z"));
        // 75 % of 8 h = 6 h: one hour Friday, five Monday → Monday 14:00 local.
        assert_eq!(d.first_response_warn_at, at("2026-11-23T13:00:00Z"));
        // Opened on Saturday: the clock starts Monday 09:00 local.
        let d = p.deadlines(at("2026-11-21T12:00:00Z"));
        assert_eq!(d.first_response_due_at, at("2026-11-23T16:00:00Z"));
        // Christmas (a Friday) is a holiday: Thursday 16:00 + 8 h → Monday 16:00.
        let d = p.deadlines(at("2026-12-24T15:00:00Z"));
        assert_eq!(d.first_response_due_at, at("2026-12-28T15:00:00Z"));
    }

    #[test]
    fn between_inverts_add() {
        let p = office();
        let start = at("2026-11-18T07:13:00Z");
        for minutes in [0, 1, 59, 480, 481, 2000, 10_000] {
            let end = p.add(start, minutes * MINUTE_MS);
            assert_eq!(p.between(start, end), minutes * MINUTE_MS, "{minutes}");
        }
    }

    #[test]
    fn a_pause_moves_deadlines_that_had_not_passed() {
        let p = SlaPolicy::default();
        let opened = at("2026-11-20T10:00:00Z");
        let due = p.deadlines(opened).resolution_due_at;
        // Waiting on the customer for five hours moves the deadline by five hours.
        let shifted = p.shift(due, at("2026-11-20T12:00:00Z"), at("2026-11-20T17:00:00Z"));
        assert_eq!(shifted, due + 5 * 3_600_000);
        // A deadline that had already passed does not move.
        assert_eq!(p.shift(opened, opened + 1, opened + 10), opened);
        // Under business hours a pause over the weekend costs only working time.
        let o = office();
        let due = at("2026-11-23T15:00:00Z"); // Monday 16:00 local
        let moved = o.shift(due, at("2026-11-20T15:00:00Z"), at("2026-11-23T08:00:00Z"));
        // Left when paused: 1 h Friday + 7 h Monday = 8 h; from Monday 09:00 → 17:00 local.
        assert_eq!(moved, at("2026-11-23T16:00:00Z"));
    }

    #[test]
    fn bad_policies_are_refused_with_every_reason() {
        let input: SlaPolicyInput = serde_json::from_value(serde_json::json!({
            "name": "",
            "first_response_minutes": 0,
            "resolution_minutes": 10,
            "business_hours": {"days": {"mon": ["17:00", "09:00"], "funday": ["09:00", "10:00"]},
                               "holidays": ["tomorrow"]}
        }))
        .unwrap();
        let err = SlaPolicy::parse(input).unwrap_err();
        let fields: Vec<&str> = err.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "name",
                "first_response_minutes",
                "business_hours.days.funday",
                "business_hours.days.mon",
                "business_hours.holidays[0]"
            ]
        );
    }
}
