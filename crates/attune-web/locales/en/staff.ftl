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

## Respondent pages without translations yet (served in English to every respondent)

survey-invalid-link-heading = Invalid link
survey-invalid-link-text = This survey link is not valid. Please use the link from your invitation.
survey-not-found-heading = Not found
survey-not-found-text = There is no survey at this address.
