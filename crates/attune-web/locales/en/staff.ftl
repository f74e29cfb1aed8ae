# The staff pages, in English. A new page adds its keys here and to `Msg` (src/i18n/keys.rs).

## The frame of every page

app-name = Attune
nav-dashboard = Dashboard
nav-feedback = Feedback
nav-insights = Insights
nav-cases = Cases
nav-loop = Loop
nav-retention = Retention
nav-loop-settings = Rules & SLA
nav-log-out = Log out

## Error pages

error-bad-request = Bad request
error-invalid-input = Invalid input
# $problem: what was wrong, as the server says it.
error-correct-and-retry = { $problem }. Please correct the address or the form and try again.
error-not-found-heading = Page not found
error-not-found-text = There is nothing at this address. Check the link, or start again from the dashboard.
error-forbidden-heading = Not allowed
error-forbidden-text = You may not do this, or the form has expired. Go back, reload the page and try again.
error-too-many-heading = Too many requests
error-too-many-text = Too many requests came from your network just now. Please wait a moment and try again.
error-internal-heading = Something went wrong
error-internal-text = The server could not complete this request. The problem has been logged; please try again later.
error-unavailable-heading = Busy — please try again shortly
error-unavailable-text = The server is busy with other reports just now. Please try again in a moment.
error-other-heading = The request could not be completed
error-other-text = Please go back and try again.
error-home = Go to the dashboard

## Log in

login-title = Log in — Attune
login-heading = Log in to Attune
login-email = E-mail
login-password = Password
login-submit = Log in
login-expired = The form expired. Please try again.
login-wrong = Wrong e-mail or password.
login-too-many-network = Too many log-in attempts from your network.
login-too-many-email = Too many failed log-ins for this e-mail.
# $why: one of the two messages above.
login-wait-seconds = { $why } Please try again in { $seconds } seconds.
# $until: a UTC minute, 2026-11-23 12:00.
login-wait-until = { $why } Please try again after { $until } UTC.

## The queue

queue-title = Cases — Attune
queue-mine = My queue
queue-all = All open cases
queue-show-all = Show every open case
queue-show-mine = Show only mine
queue-due = Due
queue-case = Case
queue-state = State
queue-priority = Priority
queue-owner = Owner
queue-overdue = overdue
queue-breached = (breached)
queue-empty = Nothing waiting. Every unhappy customer has been answered.
queue-unassigned = unassigned

## Loop metrics

loop-title = Closing the loop — Attune
loop-heading = Closing the loop
loop-from = From
loop-to = To
loop-show = Show
loop-cases-opened = Cases opened
loop-within = First response within deadline
loop-median-first = Median time to first response
loop-median-resolution = Median time to resolution
loop-recurrence = Recurrence (same root cause, same account, 90 days)
loop-recovery = Recovery (re-survey scored higher)
loop-root-causes = Root causes
loop-pareto-label = Root-cause Pareto
loop-no-root-cause = No resolved case has a root cause yet.
loop-breaches = Breaches
loop-owner = Owner
loop-team = Team
loop-breached-cases = Breached cases
loop-none = None
# $share: a whole percentage; $count of $of cases.
loop-share = { $share }% ({ $count } of { $of })
loop-no-data = no data
# $count: a number with one decimal, e.g. 1.5.
loop-days = { $count } days
loop-hours = { $count } hours

## The customer 360: accounts, an account, a person

nav-accounts = Accounts
accounts-title = Accounts — Attune
accounts-heading = Accounts
accounts-name = Name
accounts-external-id = Id in your systems
accounts-plan = Plan
accounts-owner = Owner
accounts-stage = Lifecycle stage
accounts-archived = archived
accounts-size-band = Size
accounts-industry = Industry
accounts-region = Region
accounts-filters = Filter and sort
accounts-relationship = Relationship (90 days)
accounts-flag-any = Any relationship
accounts-flag-flagged = Single-threaded or no contact
accounts-flag-no-contact = No contact
accounts-flag-multi = Not single-threaded
accounts-owner-any = Any owner
accounts-attribute = Attribute
accounts-attribute-any = Any attribute
accounts-value = Value
accounts-sort = Sort by
accounts-sort-flag = Relationship, no contact first
accounts-show = Show
accounts-shown =
    { $count ->
        [one] One account
       *[other] { $count } accounts
    }
accounts-shown-page =
    { $count ->
        [one] One account on this page
       *[other] { $count } accounts on this page
    }
accounts-next = Next accounts →
accounts-cell-single =
    Single-threaded: { $people ->
        [one] one person
       *[other] { $people } people
    }, { $touches ->
        [one] one touch
       *[other] { $touches } touches
    }
accounts-cell-multi =
    { $people } people, { $touches ->
        [one] one touch
       *[other] { $touches } touches
    }
# $api: the API path, shown as code.
accounts-none = No accounts yet. They are created by imports and answers that name an account, or with { $api }.
account-title = { $name } — Attune
account-owner = Owner
account-no-owner = nobody
account-ids = Ids
account-domains = Domains
account-parent = Part of
account-archived-on = Archived on { $date }
account-relationship = Relationship over the last { $days } days
account-handover-link = Handover view: what a new owner needs to know, and changing the owner
handover-title = Handover: { $name } — Attune
handover-heading = Handover: { $name }
handover-change = Give this account to someone else
handover-cases-rule = The previous owner's open cases
handover-rule-default = As the organisation's setting says
handover-rule-move = Move to the new owner
handover-rule-stay = Stay with the previous owner
handover-rule-round-robin = Share round-robin in the account team
handover-submit = Change owner
handover-promises = Promised in conversations and not yet done
handover-promises-none = No open promises.
handover-due = due { $date }
handover-people = Their people, how to reach them and what they prefer
handover-preferences = Preferences and needs
handover-conversations = Conversations and answers of the last 90 days
account-score-nps = NPS, { $survey }, last 12 months
account-score-csat = CSAT, { $survey }, last 12 months
account-score-nps-value = { $value } (95 % interval { $low } to { $high }; { $n ->
        [one] one answer
       *[other] { $n } answers
    })
account-score-csat-value = { $value } % (95 % interval { $low } to { $high } %; { $n ->
        [one] one answer
       *[other] { $n } answers
    })
account-no-contact = No contact: nobody here has talked with anyone at this customer, and nobody there has answered a survey.
account-single-threaded = Single-threaded
account-multi-threaded = Not single-threaded: { $people } people on their side, { $touches } touches.
reason-few-people =
    { $people ->
        [0] Nobody on their side was touched
        [one] Only one person on their side was touched
       *[other] Only { $people } people on their side were touched
    }; at least two are needed.
reason-one-person = { $name } holds { $touches } of the { $of } touches: more than 70 %.
reason-one-staff = Every conversation was with { $user }.
account-map-person = Person
account-map-roles = Roles
account-map-last-touch = Last touch
account-map-sentiment = Latest NPS
account-map-staff = Who of us talks with them
account-map-gap = nobody has talked with them
account-map-never = never
account-roles-missing = Roles whose people did not answer a survey: { $roles }
account-people = People
account-people-none = No people recorded.
account-left-on = left on { $date }
account-subscriptions = Subscriptions
account-mrr = Monthly recurring revenue now: { $amount }
account-subs-none = No subscriptions.
account-product = Product
account-start = Start
account-end = End
account-mrr-column = MRR
account-reason = Reason
account-open-cases = Open cases
account-cases-none = No open cases.
timeline-heading = Timeline
timeline-none = Nothing yet.
timeline-older = Older
timeline-internal = internal
timeline-response = Answered a survey
timeline-case-opened = Case opened
timeline-case-resolved = Case resolved
timeline-subscription-started = Subscription started
timeline-subscription-ended = Subscription ended
timeline-membership-started = Joined
timeline-membership-ended = Left
timeline-owner-changed = Owner changed
timeline-merged = Merged
timeline-merge-undone = Merge undone
timeline-merge-details = What moved
search-label = Find an account or a person by the start of a name, an e-mail address, a domain or an id
search-submit = Find
search-heading = Found
search-none = No account or person starts with that.
search-account = Account
search-person = Person
search-by-name = name
search-by-email = e-mail
search-by-domain = domain
search-by-id = id
merge-accounts-heading = Merged accounts
merge-people-heading = Merged people
merge-into = Kept everything:
merge-folded = Folded in (kept, pointing at the one above):
merge-when = Merged { $when }
merge-undone-when = undone { $when }
merge-moved-heading = What moved
merge-col-what = Records
merge-col-moved = Moved
merge-col-dropped = Already there
merge-nothing-moved = Nothing had to move.
merge-dropped-note = Where both had the same person, team member or participant, the surviving one was kept; undo brings the other back.
merge-undo-heading = Undo
merge-nothing-stays = Undo returns every moved record; nothing has been added since.
merge-stays = Undo returns every moved record. Added since the merge, these stay where they are:
merge-blocked = The surviving record has since been merged into another one: undo that merge first.
merge-undo-button = Undo this merge
merge-form-heading = Merge a duplicate into this one
merge-form-account = The duplicate account (id or external id)
merge-form-person = The duplicate person (id or e-mail address)
merge-form-help = Everything the duplicate has moves here; its page then points here. You can undo it.
merge-form-submit = Merge
merge-needs-duplicate = Name the duplicate to merge.
merge-what-responses = Answers
merge-what-cases = Cases
merge-what-interactions = Interactions
merge-what-memberships = Memberships
merge-what-team = Our team
merge-what-emails = E-mail addresses
merge-what-domains = Domains
merge-what-ids = Ids in other systems
merge-what-owner-changes = Owner changes
merge-what-invitations = Invitations
merge-what-other = Other links
merged-banner = This record was merged into another one.
merged-banner-link = Open it
log-heading = Log a call, meeting or note
log-kind = Kind
log-when = When
log-duration = Minutes
log-summary = What was said
log-people = Who took part
log-internal = Internal note: never counts as contact with the customer
log-score = Score they gave, 0 to 10 (optional)
log-survey = For the survey
log-comment = Their words
log-submit = Log it
kind-call = Call
kind-meeting = Meeting
kind-email = E-mail
kind-note = Note
kind-visit = Visit
role-decision-maker = decision maker
role-champion = champion
role-executive-sponsor = executive sponsor
role-user = user
role-billing = billing
person-title = { $name } — Attune
person-emails = E-mail
person-phone = Phone
person-language = Language
person-time-zone = Time zone
person-accounts = Accounts
person-preferences = Preferences
person-no-preferences = None recorded.
person-unnamed = (no name)
person-contact = How to contact them
person-channels = Preferred: { $channels }
person-quiet-hours = Not between { $from } and { $to } (their time)
person-max-per-month =
    { $count ->
        [one] At most one contact a month
       *[other] At most { $count } contacts a month
    }
person-opted-out = Opted out of { $channel } on { $date }: { $how }
person-opted-out-all = Opted out of all contact on { $date }: { $how }
person-no-rules = No rules recorded: any channel, any time.
person-accessibility = Accessibility needs
person-no-needs = None recorded.
person-sensitive-hidden = Accessibility needs and personal preferences are shown to members and admins only.
contact-email = e-mail
contact-phone = phone
contact-sms = text message
contact-in-person = in person
access-large-print = large print
access-screen-reader = uses a screen reader
access-sign-language = a sign-language interpreter
access-easy-read = easy-read documents
access-captions = captions on video
access-step-free = step-free access

## Respondent pages without translations yet (served in English to every respondent)

survey-invalid-link-heading = Invalid link
survey-invalid-link-text = This survey link is not valid. Please use the link from your invitation.
survey-not-found-heading = Not found
survey-not-found-text = There is no survey at this address.

## Shared by several pages

filter-all = All
filter-from = From
filter-to = To
filter-language = Language
date-placeholder = YYYY-MM-DD
save = Save
no-data = no data
band-promoter = promoter
band-passive = passive
band-detractor = detractor
case-state-open = open
case-state-in-progress = in progress
case-state-waiting = waiting
case-state-resolved = resolved
case-state-closed = closed
priority-low = low
priority-normal = normal
priority-high = high
priority-urgent = urgent
channel-api = api
channel-link = link
channel-email = email
channel-widget = widget
channel-import = import
channel-staff = staff

## The dashboard

dashboard-title = Dashboard — Attune
dashboard-heading = Customer experience
dashboard-intro = Last 12 months, all surveys. Intervals are 95% (Tango for NPS, Wilson for CSAT).
dashboard-nps = NPS
dashboard-csat = CSAT (% satisfied)
dashboard-ces = CES (mean effort score)
# $n: responses.
dashboard-detail = n = { $n }
# $lo, $hi: the 95% interval's ends.
dashboard-detail-ci = n = { $n } · 95% CI { $lo } to { $hi }
# $share: a percentage with one decimal.
dashboard-detail-ces = n = { $n } · { $share }% easy
dashboard-trend = NPS by month
dashboard-trend-empty = No NPS responses yet.
dashboard-trend-label = NPS by month with 95% intervals
# $month: 2026-11.
dashboard-point = { $month }: NPS { $nps } (95% CI { $lo } to { $hi }), n = { $n }
dashboard-point-n = n={ $n }
dashboard-month = Month
dashboard-n = n
dashboard-ci = 95% CI

## The feedback feed

feed-title = Feedback — Attune
feed-heading = Feedback
feed-search = Search
feed-band = Band
feed-filter = Filter
# $state: the case's state, as case-state-… says it.
feed-case = Case { $state }
feed-owner = owner
feed-empty = No feedback matches.
feed-older = Older feedback →

## Insights

insights-title = Insights — Attune
insights-heading = Insights
insights-intro = What customers write about: significant words and phrases in any language and script, tested against the organisation's own comments (chi-square, Benjamini–Hochberg q < 0.05).
insights-survey = Survey
insights-band = Band (themes)
insights-analyse = Analyse
insights-no-surveys = No surveys yet.
insights-themes = Themes
insights-themes-intro = { $focus ->
        [one] { $focus } selected comment
       *[other] { $focus } selected comments
    } against { $background ->
        [one] { $background } other comment
       *[other] { $background } other comments
    } of the organisation in the period.
insights-truncated = Only the newest comments were read.
# $share: a percentage with one decimal.
insights-theme-count = { $count ->
        [one] { $count } comment
       *[other] { $count } comments
    } ({ $share })
insights-nothing-to-compare = Every comment of the period is selected, so there is nothing to compare with: choose a language or a band, or a survey when there are several.
insights-no-themes = No significant themes: the selected comments read like the rest.
insights-drivers = Key drivers
# $focus, $background: the two groups, as insights-group-… say them.
insights-drivers-intro = Words over-represented among { $focus } ({ $focus_docs ->
        [one] { $focus_docs } comment
       *[other] { $focus_docs } comments
    }) against { $background } ({ $background_docs }).
insights-group-detractors = detractors
insights-group-promoters = promoters
insights-group-csat-low = csat_low
insights-group-csat-high = csat_high
insights-term = Term
insights-log-odds = Log odds ratio (95% CI)
insights-p = p
insights-q = q
insights-example = Example
# A statistic and its 95% interval.
insights-interval = { $value } ({ $low } to { $high })
insights-not-enough = Not enough scored comments to compare.

## One case

case-title = Case — Attune
case-back = ← Queue
case-state = State
case-clock-paused = (clock paused)
case-owner = Owner
case-priority = Priority
case-first-due = First response due
case-resolution-due = Resolution due
case-overdue = overdue
case-breached = breached
case-opened = Opened
case-said = What the customer said
case-anonymous = Anonymous
case-root-cause = Root cause:
case-resolution = Resolution:
case-act = Act
case-root-cause-label = Root cause (required to resolve)
case-resolution-label = What we did (required to resolve; the customer reads it)
case-resurvey = Ask the customer again after resolving
case-note-label = Add a note
case-add-note = Add note
case-timeline = Timeline
# Who did something when no person did.
case-system = system
event-opened = opened
event-state = state
event-note = note
event-first-response = first response
event-assigned = assigned
event-priority = priority
event-root-cause = root cause
event-resolution = resolution
event-clock-resumed = clock resumed
event-warned = warned
event-breached = breached
event-escalated = escalated

## Rules and SLA

settings-title = Rules and SLA — Attune
settings-heading = Rules and SLA
settings-rules = Alert rules
settings-rule = Rule
settings-when = When
settings-then = Then
settings-off = (off)
settings-turn-off = Turn off
settings-turn-on = Turn on
settings-new-rule = New rule
settings-name = Name
settings-kind-comment = the comment mentions (comma-separated words, any language)
settings-kind-band = the NPS band is (detractor, passive, promoter)
settings-kind-csat = CSAT is at most
settings-kind-ces = CES is at most
settings-kind-nps = NPS score is at most
settings-value = Value
settings-priority = Case priority
settings-add-rule = Add rule
settings-policies = SLA policies
settings-policy = Policy
settings-default = (default)
settings-business-hours = (business hours)
settings-first-hours = First response (hours)
settings-resolution-hours = Resolution (hours)
# $call: the API call, shown as code.
settings-policies-api = Business hours and holidays are set through the API ({ $call }).
settings-root-causes = Root causes
settings-root-causes-label = One per line (a case needs one of them to be resolved)
settings-save-root-causes = Save root causes
settings-old = Old feedback
settings-window-label = Rules act on a response submitted at most this many days before it arrives (0: any age). Older feedback, such as an import of last year's export, counts in every metric but opens no case.
settings-digest = Daily digest
settings-recipients = Recipients (comma-separated)
settings-hour = Hour (UTC)
settings-save-digest = Save digest
# What a rule looks at; $band as band-… says it.
settings-cond-band = NPS { $band }
settings-cond-survey = survey in { $list }
settings-cond-channel = channel in { $list }
settings-cond-language = language in { $list }
settings-cond-account = account { $attribute } in { $list }
# $list: words separated by " / ".
settings-cond-comment = comment mentions { $list }
# Two conditions that must both hold.
settings-cond-and = { $left } and { $right }
settings-every-response = every response
# $priority as priority-… says it.
settings-action-open = open a { $priority } case
settings-action-email = e-mail { $list }
settings-action-webhooks = webhooks
settings-need-hours = must be a number of hours, e.g. 24 or 0.5
settings-need-band = must be detractor, passive or promoter
settings-need-whole-number = must be a whole number
settings-need-kind = choose a condition
settings-need-hour = must be an hour from 0 to 23 (UTC)
settings-need-window = must be a number of days from 0 (any age) to { $max }
settings-need-root-cause = give at least one root cause

## Retention

retention-title = Retention — Attune
retention-heading = Retention
retention-period = Period
retention-period-month = month
retention-period-quarter = quarter
retention-period-year = year
retention-period-custom = custom
retention-to = To (not included)
retention-active-means = Active means
retention-basis-subscription = a running subscription
retention-basis-activity = a purchase in the last { $days ->
        [one] { $days } day
       *[other] { $days } days
    }
retention-as-of = As of
retention-show = Show
# Each variable is a command or an API path, shown as code.
retention-no-data = No retention data yet. Import subscriptions or purchases with { $subscriptions } or { $activity }, or post them to { $api }.
# $period as retention-period-… says it.
retention-per = Customers retained per { $period }
retention-explain = { $count ->
        [one] { $count } customer.
       *[other] { $count } customers.
    } S = customers at the start, E = at the end, N = new during the period.
    CRR = (E − N) / S is the usual formula; the retained share counts the customers of S still there at the end.
    They differ when new customers leave inside the same period (“lost new”): those are in N but not in E, so CRR comes out
    lower by lost new / S.
retention-lost-new-some = Here { $count ->
        [one] { $count } customer
       *[other] { $count } customers
    } joined and left inside one period.
retention-lost-new-none = Here no new customer left inside its first period, so the two agree.
retention-col-s = S
retention-col-e = E
retention-col-n = N
retention-col-lost = Lost
retention-col-lost-new = Lost new
retention-col-crr = CRR
retention-col-retained = Retained share
retention-col-churn = Churn
retention-col-grr = GRR
retention-col-nrr = NRR
retention-so-far = (so far)
# A rate that cannot be computed (nobody to divide by).
retention-undefined = undefined
# $period: 2026-07-01 – 2026-09-30.
retention-lost-in = Lost in { $period }
retention-lost-text = { $count ->
        [one] { $count } customer of S was no longer a customer at the end.
       *[other] { $count } customers of S were no longer customers at the end.
    }
# $api: the API path, shown as code.
retention-lost-text-some = { $count } customers of S were no longer customers at the end; the first { $shown } are listed (all of them: { $api }).
retention-survival = How long customers stay
# $median, $mean: retention-months or retention-median-not-reached, retention-mean.
retention-survival-text = Kaplan–Meier survival of { $count } customers' first lifetimes ({ $ended } ended; the rest are still customers and count as censored), with a 95% interval. Median lifetime: { $median }. Restricted mean lifetime: { $mean }.
retention-months = { $count ->
        [one] { $count } month
       *[other] { $count } months
    }
retention-days = { $count ->
        [one] { $count } day
       *[other] { $count } days
    }
retention-median-not-reached = not reached (over half are still customers)
# $mean: months with one decimal; $horizon: whole months.
retention-mean = { $mean } months over { $horizon }
retention-survival-label = Share of customers still active by months since they started
retention-survival-axis = months since start
retention-cohorts = Monthly cohorts
retention-cohorts-text = Each row is the customers who started in a month (with their number); each column, the share of them active k months later. Months not over yet stay empty. Select a cell to see its customers.
retention-cohorts-label = Cohort retention heat map
# One cell of the heat map; $share: a percentage with one decimal.
retention-cell = cohort { $month } (n = { $size }), { $k ->
        [one] { $k } period
       *[other] { $k } periods
    } later: { $share }% active ({ $active ->
        [one] { $active } customer
       *[other] { $active } customers
    })
retention-member-start = Customers at the start (S)
retention-member-end = Customers at the end (E)
retention-member-new = New customers (N)
retention-member-lost = Customers lost
retention-member-lost-new = New customers lost in the same period
retention-member-retained = Customers retained
retention-member-reactivated = Customers who came back
retention-member-expanded = Customers who spent more
retention-member-contracted = Customers who spent less
# $what: one of the retention-member-… texts.
retention-drill-period = { $what }, period from { $start }
retention-drill-cohort = Cohort of { $month }: customers active { $k ->
        [one] { $k } period
       *[other] { $k } periods
    } later
# $duration: retention-days or retention-months.
retention-drill-left = Customers who left after { $duration }
retention-drill-still = Customers still here after { $duration }
retention-drill-stayed = Customers who stayed at least { $duration }
retention-drill-retained = Retained customers with { $attribute } = { $value }
retention-drill-churned = Churned customers with { $attribute } = { $value }
# An attribute without a value.
retention-no-value = (none)
retention-members-title = Customers behind a number — Attune
retention-members-heading = Customers behind a number
retention-back = ← Retention
retention-members-count = { $count ->
        [one] { $count } customer.
       *[other] { $count } customers.
    }
# $api, $limit: shown as code.
retention-members-count-some = { $count } customers; { $shown } of them are listed, by name (all of them: { $api } with the same parameters and { $limit } up to 10,000).
retention-account = Account
retention-external-id = External id

## A timeline entry's details (the names of what an entry records, then yes and no)

detail-deadline = deadline
detail-due-at = due_at
detail-late-by-ms = late_by_ms
detail-to = to
detail-from = from
detail-text = text
detail-within-deadline = within_deadline
detail-paused-ms = paused_ms
detail-resolution-due-at = resolution_due_at
detail-first-response-due-at = first_response_due_at
detail-rule-id = rule_id
detail-rule = rule
detail-rules = rules
detail-owner = owner
detail-response-id = response_id
detail-true = true
detail-false = false
