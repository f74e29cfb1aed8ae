//! Every message key the code uses, as the [`Msg`] enum: `Msg::ALL` lets a test check each one
//! against the catalogues, so a key cannot be used without being written down.

macro_rules! messages {
    ($($variant:ident = $id:literal,)*) => {
        /// A message of the catalogue (`locales/<lang>/*.ftl`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub(crate) enum Msg {
            $(
                #[doc = $id]
                $variant,
            )*
        }

        impl Msg {
            /// Every key, for the catalogue tests.
            #[cfg(test)]
            pub(crate) const ALL: &[Msg] = &[$(Msg::$variant,)*];

            /// The key in the `.ftl` files.
            pub(crate) fn id(self) -> &'static str {
                match self {
                    $(Msg::$variant => $id,)*
                }
            }
        }
    };
}

messages! {
    // The frame of every staff page (nav.html, base.html).
    AppName = "app-name",
    NavDashboard = "nav-dashboard",
    NavFeedback = "nav-feedback",
    NavInsights = "nav-insights",
    NavCases = "nav-cases",
    NavLoop = "nav-loop",
    NavRetention = "nav-retention",
    NavLoopSettings = "nav-loop-settings",
    NavLogOut = "nav-log-out",
    // Error pages, page refusals and busy pages.
    ErrorBadRequest = "error-bad-request",
    ErrorInvalidInput = "error-invalid-input",
    ErrorCorrectAndRetry = "error-correct-and-retry",
    ErrorNotFoundHeading = "error-not-found-heading",
    ErrorNotFoundText = "error-not-found-text",
    ErrorForbiddenHeading = "error-forbidden-heading",
    ErrorForbiddenText = "error-forbidden-text",
    ErrorTooManyHeading = "error-too-many-heading",
    ErrorTooManyText = "error-too-many-text",
    ErrorInternalHeading = "error-internal-heading",
    ErrorInternalText = "error-internal-text",
    ErrorUnavailableHeading = "error-unavailable-heading",
    ErrorUnavailableText = "error-unavailable-text",
    ErrorOtherHeading = "error-other-heading",
    ErrorOtherText = "error-other-text",
    ErrorHome = "error-home",
    // The login page (login.html, login.rs).
    LoginTitle = "login-title",
    LoginHeading = "login-heading",
    LoginEmail = "login-email",
    LoginPassword = "login-password",
    LoginSubmit = "login-submit",
    LoginExpired = "login-expired",
    LoginWrong = "login-wrong",
    LoginTooManyNetwork = "login-too-many-network",
    LoginTooManyEmail = "login-too-many-email",
    LoginWaitSeconds = "login-wait-seconds",
    LoginWaitUntil = "login-wait-until",
    // The queue (cases.html, queue.rs).
    QueueTitle = "queue-title",
    QueueMine = "queue-mine",
    QueueAll = "queue-all",
    QueueShowAll = "queue-show-all",
    QueueShowMine = "queue-show-mine",
    QueueDue = "queue-due",
    QueueCase = "queue-case",
    QueueState = "queue-state",
    QueuePriority = "queue-priority",
    QueueOwner = "queue-owner",
    QueueOverdue = "queue-overdue",
    QueueBreached = "queue-breached",
    QueueEmpty = "queue-empty",
    QueueUnassigned = "queue-unassigned",
    // Loop metrics (loop.html, loop_overview.rs).
    LoopTitle = "loop-title",
    LoopHeading = "loop-heading",
    LoopFrom = "loop-from",
    LoopTo = "loop-to",
    LoopShow = "loop-show",
    LoopCasesOpened = "loop-cases-opened",
    LoopWithin = "loop-within",
    LoopMedianFirst = "loop-median-first",
    LoopMedianResolution = "loop-median-resolution",
    LoopRecurrence = "loop-recurrence",
    LoopRecovery = "loop-recovery",
    LoopRootCauses = "loop-root-causes",
    LoopParetoLabel = "loop-pareto-label",
    LoopNoRootCause = "loop-no-root-cause",
    LoopBreaches = "loop-breaches",
    LoopOwner = "loop-owner",
    LoopTeam = "loop-team",
    LoopBreachedCases = "loop-breached-cases",
    LoopNone = "loop-none",
    LoopShare = "loop-share",
    LoopNoData = "loop-no-data",
    LoopDays = "loop-days",
    LoopHours = "loop-hours",
    // The public survey page (respondent.ftl, in every language).
    SurveySend = "survey-send",
    SurveyThanksHeading = "survey-thanks-heading",
    SurveyThanksText = "survey-thanks-text",
    SurveyInvitationUsed = "survey-invitation-used",
    SurveyNpsLow = "survey-nps-low",
    SurveyNpsHigh = "survey-nps-high",
    SurveyTooMany = "survey-too-many",
    SurveyInvitationOnlyHeading = "survey-invitation-only-heading",
    SurveyInvitationOnlyText = "survey-invitation-only-text",
    SurveyAlreadyAnswered = "survey-already-answered",
    SurveySendAgain = "survey-send-again",
    // Respondent pages in English only so far (staff.ftl).
    SurveyInvalidLinkHeading = "survey-invalid-link-heading",
    SurveyInvalidLinkText = "survey-invalid-link-text",
    SurveyNotFoundHeading = "survey-not-found-heading",
    SurveyNotFoundText = "survey-not-found-text",
}
