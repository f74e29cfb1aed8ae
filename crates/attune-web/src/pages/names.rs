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

/// An interaction's kind, in words.
pub(crate) fn interaction(t: &Tr, k: attune_domain::customer::InteractionKind) -> String {
    use attune_domain::customer::InteractionKind as K;
    t.get(match k {
        K::Call => Msg::KindCall,
        K::Meeting => Msg::KindMeeting,
        K::Email => Msg::KindEmail,
        K::Note => Msg::KindNote,
        K::Visit => Msg::KindVisit,
    })
}

/// A role at a customer, in words.
pub(crate) fn role(t: &Tr, r: attune_domain::customer::MembershipRole) -> String {
    use attune_domain::customer::MembershipRole as R;
    t.get(match r {
        R::DecisionMaker => Msg::RoleDecisionMaker,
        R::Champion => Msg::RoleChampion,
        R::ExecutiveSponsor => Msg::RoleExecutiveSponsor,
        R::User => Msg::RoleUser,
        R::Billing => Msg::RoleBilling,
    })
}

/// Roles, in words, joined by commas.
pub(crate) fn roles(t: &Tr, r: attune_domain::customer::Roles) -> String {
    r.iter().map(|x| role(t, x)).collect::<Vec<_>>().join(", ")
}

/// What a customer timeline entry records, in words (an interaction by its kind).
pub(crate) fn timeline(t: &Tr, e: &attune_storage::model::TimelineEntry) -> String {
    use attune_storage::model::{TimelineDetail, TimelineKind as K};
    if let TimelineDetail::Interaction { kind, .. } = &e.detail {
        return interaction(t, *kind);
    }
    t.get(match e.kind {
        K::Response => Msg::TimelineResponse,
        K::CaseOpened => Msg::TimelineCaseOpened,
        K::CaseResolved => Msg::TimelineCaseResolved,
        K::Interaction => Msg::KindNote,
        K::SubscriptionStarted => Msg::TimelineSubscriptionStarted,
        K::SubscriptionEnded => Msg::TimelineSubscriptionEnded,
        K::MembershipStarted => Msg::TimelineMembershipStarted,
        K::MembershipEnded => Msg::TimelineMembershipEnded,
        K::OwnerChanged => Msg::TimelineOwnerChanged,
        K::Merged => Msg::TimelineMerged,
        K::MergeUndone => Msg::TimelineMergeUndone,
    })
}

/// A contact channel, in words.
pub(crate) fn contact_channel(
    t: &Tr,
    c: attune_domain::customer::preferences::ContactChannel,
) -> String {
    use attune_domain::customer::preferences::ContactChannel as C;
    t.get(match c {
        C::Email => Msg::ContactEmail,
        C::Phone => Msg::ContactPhone,
        C::Sms => Msg::ContactSms,
        C::InPerson => Msg::ContactInPerson,
    })
}

/// An accessibility need, in words.
pub(crate) fn access_need(t: &Tr, n: attune_domain::customer::preferences::AccessNeed) -> String {
    use attune_domain::customer::preferences::AccessNeed as A;
    t.get(match n {
        A::LargePrint => Msg::AccessLargePrint,
        A::ScreenReader => Msg::AccessScreenReader,
        A::SignLanguageInterpreter => Msg::AccessSignLanguage,
        A::EasyRead => Msg::AccessEasyRead,
        A::Captions => Msg::AccessCaptions,
        A::StepFreeAccess => Msg::AccessStepFree,
    })
}
