//! How and when a person wants to be contacted, and what they need to be served well. Every
//! part of Attune that contacts a person asks [`ContactRules::allows`] first.

use serde::{Deserialize, Serialize};

use crate::error::{Invalid, Problems};

/// A way to reach a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactChannel {
    /// E-mail.
    Email,
    /// A phone call.
    Phone,
    /// A text message.
    Sms,
    /// In person.
    InPerson,
}

/// Hours in the person's own time zone when they must not be contacted; `from` after `to`
/// wraps midnight (21:00–08:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuietHours {
    /// Minutes after local midnight the quiet begins.
    pub from_minute: u16,
    /// Minutes after local midnight it ends.
    pub to_minute: u16,
}

impl QuietHours {
    /// Parses `HH:MM` pairs (`24:00` allowed as an end).
    pub fn parse(field: &str, from: &str, to: &str) -> Result<Self, Invalid> {
        let minute = |s: &str| -> Option<u16> {
            let (h, m) = s.trim().split_once(':')?;
            let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
            (h < 24 && m < 60 && h.to_string().len() <= 2 && m.to_string().len() <= 2)
                .then_some(h * 60 + m)
                .or((h == 24 && m == 0).then_some(1440))
        };
        match (minute(from), minute(to)) {
            (Some(f), Some(t)) if f != t && f < 1440 => Ok(Self {
                from_minute: f,
                to_minute: t,
            }),
            _ => Err(Invalid::one(
                field,
                "must be two different times HH:MM, e.g. 21:00 and 08:00",
            )),
        }
    }

    /// Whether `minute` (after local midnight) falls in the quiet hours.
    pub fn contains(self, minute: u16) -> bool {
        if self.from_minute < self.to_minute {
            (self.from_minute..self.to_minute).contains(&minute)
        } else {
            minute >= self.from_minute || minute < self.to_minute
        }
    }

    /// `HH:MM` of a minute.
    pub fn hhmm(minute: u16) -> String {
        format!("{:02}:{:02}", minute / 60, minute % 60)
    }
}

/// A person asked not to be contacted (on one channel, or at all), with when and how consent
/// was withdrawn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptOut {
    /// The channel, or every channel when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<ContactChannel>,
    /// When (ms since the epoch).
    pub at_ms: i64,
    /// How it was said, e.g. "asked on a call", "unsubscribe link".
    pub how: String,
}

/// How and when a person wants to be contacted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactRules {
    /// Preferred channels, best first.
    #[serde(default)]
    pub channels: Vec<ContactChannel>,
    /// When not to contact them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quiet_hours: Option<QuietHours>,
    /// At most this many contacts (invitations, messages) a month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_per_month: Option<u8>,
    /// Withdrawn consent.
    #[serde(default)]
    pub opt_outs: Vec<OptOut>,
}

impl ContactRules {
    /// Whether the person may be contacted on `channel` at all (no opt-out of it or of
    /// everything).
    pub fn allows(&self, channel: ContactChannel) -> bool {
        !self
            .opt_outs
            .iter()
            .any(|o| o.channel.is_none_or(|c| c == channel))
    }

    /// Checks what a user gave (`field` names the input).
    pub fn check(self, field: &str) -> Result<Self, Invalid> {
        let mut p = Problems::default();
        if self.channels.len() > 4 {
            p.push(format!("{field}.channels"), "at most the four channels");
        }
        if self.max_per_month.is_some_and(|m| m == 0 || m > 31) {
            p.push(
                format!("{field}.max_per_month"),
                "must be from 1 to 31 (opt out instead of 0)",
            );
        }
        for (i, o) in self.opt_outs.iter().enumerate() {
            if o.how.trim().is_empty() || o.how.chars().count() > 200 {
                p.push(
                    format!("{field}.opt_outs[{i}].how"),
                    "must say how consent was withdrawn, in at most 200 characters",
                );
            }
        }
        if self.opt_outs.len() > 20 {
            p.push(format!("{field}.opt_outs"), "at most 20");
        }
        p.finish(self)
    }
}

/// Something a person needs to be served well.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessNeed {
    /// Large print.
    LargePrint,
    /// Uses a screen reader.
    ScreenReader,
    /// Needs a sign-language interpreter.
    SignLanguageInterpreter,
    /// Easy-read documents.
    EasyRead,
    /// Captions on video.
    Captions,
    /// Step-free access on site.
    StepFreeAccess,
}

impl AccessNeed {
    /// Every need.
    pub const ALL: [Self; 6] = [
        Self::LargePrint,
        Self::ScreenReader,
        Self::SignLanguageInterpreter,
        Self::EasyRead,
        Self::Captions,
        Self::StepFreeAccess,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_hours_wrap_midnight() {
        let q = QuietHours::parse("q", "21:00", "08:00").unwrap();
        assert!(
            q.contains(22 * 60)
                && q.contains(7 * 60 + 59)
                && !q.contains(8 * 60)
                && !q.contains(12 * 60)
        );
        let day = QuietHours::parse("q", "12:00", "13:30").unwrap();
        assert!(day.contains(12 * 60 + 5) && !day.contains(13 * 60 + 30));
        assert_eq!(
            QuietHours::parse("q", "22:00", "24:00").unwrap().to_minute,
            1440
        );
        for (f, t) in [
            ("9", "10:00"),
            ("10:00", "10:00"),
            ("25:00", "01:00"),
            ("24:00", "08:00"),
            ("08:60", "09:00"),
        ] {
            assert!(QuietHours::parse("q", f, t).is_err(), "{f}-{t}");
        }
    }

    #[test]
    fn an_opt_out_stops_its_channel_or_every_channel() {
        let mut r = ContactRules::default();
        assert!(r.allows(ContactChannel::Email));
        r.opt_outs.push(OptOut {
            channel: Some(ContactChannel::Sms),
            at_ms: 0,
            how: "asked".into(),
        });
        assert!(r.allows(ContactChannel::Email) && !r.allows(ContactChannel::Sms));
        r.opt_outs.push(OptOut {
            channel: None,
            at_ms: 1,
            how: "unsubscribe link".into(),
        });
        assert!(!r.allows(ContactChannel::Email));
        assert!(
            ContactRules {
                max_per_month: Some(0),
                ..ContactRules::default()
            }
            .check("c")
            .is_err()
        );
    }
}
