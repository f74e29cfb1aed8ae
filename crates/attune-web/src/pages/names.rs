//! The names pages show for the domain's closed sets (case states, priorities, timeline
//! events, channels, NPS bands): each from the catalogue, so they translate with the page.

use attune_domain::closed_loop::case::CaseState;
use attune_domain::closed_loop::rules::Priority;
use attune_domain::closed_loop::timeline::EventKind;
use attune_domain::metrics::NpsBand;
use attune_domain::response::Channel;

use crate::i18n::{Msg, Tr};

/// A case state, in words.
pub(crate) fn state(t: &Tr, s: CaseState) -> String {
    t.get(match s {
        CaseState::Open => Msg::CaseStateOpen,
        CaseState::InProgress => Msg::CaseStateInProgress,
        CaseState::Waiting => Msg::CaseStateWaiting,
        CaseState::Resolved => Msg::CaseStateResolved,
        CaseState::Closed => Msg::CaseStateClosed,
    })
}

/// A case priority, in words.
pub(crate) fn priority(t: &Tr, p: Priority) -> String {
    t.get(match p {
        Priority::Low => Msg::PriorityLow,
        Priority::Normal => Msg::PriorityNormal,
        Priority::High => Msg::PriorityHigh,
        Priority::Urgent => Msg::PriorityUrgent,
    })
}

/// What a timeline entry records, in words.
pub(crate) fn event(t: &Tr, k: EventKind) -> String {
    t.get(match k {
        EventKind::Opened => Msg::EventOpened,
        EventKind::State => Msg::EventState,
        EventKind::Note => Msg::EventNote,
        EventKind::FirstResponse => Msg::EventFirstResponse,
        EventKind::Assigned => Msg::EventAssigned,
        EventKind::Priority => Msg::EventPriority,
        EventKind::RootCause => Msg::EventRootCause,
        EventKind::Resolution => Msg::EventResolution,
        EventKind::ClockResumed => Msg::EventClockResumed,
        EventKind::Warned => Msg::EventWarned,
        EventKind::Breached => Msg::EventBreached,
        EventKind::Escalated => Msg::EventEscalated,
    })
}

/// Where a response came from, in words.
pub(crate) fn channel(t: &Tr, c: Channel) -> String {
    t.get(match c {
        Channel::Api => Msg::ChannelApi,
        Channel::Link => Msg::ChannelLink,
        Channel::Email => Msg::ChannelEmail,
        Channel::Widget => Msg::ChannelWidget,
        Channel::Import => Msg::ChannelImport,
        Channel::Staff => Msg::ChannelStaff,
    })
}

/// An NPS band, in words.
pub(crate) fn band(t: &Tr, b: NpsBand) -> String {
    t.get(match b {
        NpsBand::Detractor => Msg::BandDetractor,
        NpsBand::Passive => Msg::BandPassive,
        NpsBand::Promoter => Msg::BandPromoter,
    })
}
