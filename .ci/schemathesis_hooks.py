# Schemathesis hooks for `.ci/schemathesis` (loaded through SCHEMATHESIS_HOOKS).
#
# Every check stays on. This drops one kind of failure only: a schema-valid request refused
# with a 422 (ST202) whose refusal is a rule the OpenAPI document states in words but JSON
# Schema cannot express:
#   - a value that must name something stored in the organisation (a user, a team, an SLA
#     policy, an account, a custom attribute, a question of the survey, a cursor this server
#     issued), or a state a stored case must be in;
#   - a relation between two values of one request (from before to, opening before closing,
#     min below max, end not before start, keys unique, the default language among the
#     wordings);
#   - a length in bytes or in graphemes where JSON Schema counts characters.
# A failure is dropped only when EVERY field the 422 names matches a rule listed for that
# operation (field and message as regular expressions, the message matched from its start;
# special characters of a plain message are escaped); any other refusal, any
# other status and every other check still fail the run.

import re

import schemathesis

# JSON Schema counts 4.0 as an integer; the server reads integers as JSON integers and refuses
# a number written with a fraction (422 naming the field). Any operation.
INTEGER_WRITTEN_AS_FLOAT = re.compile(
    r"invalid type: floating point `-?[0-9]+(\.0)?(e[0-9]+)?`, expected [iu][0-9]+"
)

RETENTION_SPEC = {
    "to": "must be after from",
    "from": ("a custom period needs from and to", "covers more than"),
}

# Operation label -> {field regex: message prefix or prefixes}.
CROSS_VALUE_RULES = {
    "GET /api/v1/cases": {
        "cursor": "is not a cursor from this list",
        "owner": "no user",
    },
    "GET /api/v1/feedback": {"cursor": "is not a cursor from this feed"},
    "GET /api/v1/surveys/{id}/responses": {"cursor": "is not a cursor from this feed"},
    "GET /api/v1/loop/metrics": {"from": "must be before `to`"},
    "GET /api/v1/metrics/{kind}": {"by": "`", "question": "no question"},
    "GET /api/v1/text/drivers": {
        "survey": "has no NPS or CSAT question",
        "question": ("is not a question of this survey", "must be an NPS or CSAT question"),
    },
    "GET /api/v1/retention/summary": RETENTION_SPEC,
    "GET /api/v1/retention/cohorts": RETENTION_SPEC,
    "GET /api/v1/retention/survival": RETENTION_SPEC,
    "GET /api/v1/retention/audit": {
        **RETENTION_SPEC,
        "attribute": "is not an attribute",
        "period_start": "is not the first day of a period",
    },
    # which= decides which of the other parameters a drill-down needs.
    "GET /api/v1/retention/members": {
        **RETENTION_SPEC,
        "period_start": ("is required", "is not the first day of a period"),
        "attribute": "is required for which=",
        "outcome": "must be",
    },
    "PATCH /api/v1/cases/{id}": {
        "": "nothing to change",
        "state": "a case that is",
        "owner": ("no user", "no such user", "must be a user id"),
        "root_cause": r"`.*` is not in the organisation's root-cause taxonomy",
    },
    "POST /api/v1/accounts": {
        "owner_email": "no user of this organisation has that e-mail",
        "parent": (
            "no account with that id or external id",
            "that account is this one or belongs to it",
            "the chain of parent accounts",
        ),
    },
    # A batch: its rows name accounts of the organisation or of the batch itself.
    "POST /api/v1/customers/sync": {
        "accounts": "at most 1000 accounts and people in one call",
        r"accounts\[\d+\]\.owner_email": "no user of this organisation has that e-mail",
        r"accounts\[\d+\]\.parent": (
            "no account has the id or external id",
            "that account is this one or belongs to it",
            "the chain of parent accounts",
        ),
        r"people\[\d+\]\.memberships": "no account has the id or external id",
        r"people\[\d+\]\.memberships\[\d+\]\.to": "is before `from`",
    },
    "GET /api/v1/relationship-flags": {
        "owner": "no user of this organisation has that e-mail",
        # White space around the colon is trimmed away.
        "attribute": "must be key:value",
    },
    # Unicode white space (e.g. U+0085) that JSON Schema's \S accepts is trimmed away.
    "GET /api/v1/customers/search": {"q": "must hold 1 to 200 characters"},
    "POST /api/v1/accounts/{id}/merge": {
        "merge": (
            "no account with that id or external id",
            "a record cannot be merged into itself",
            "already merged into",
            "one account belongs to the other's group",
        ),
        "survivor": "already merged into",
    },
    "POST /api/v1/people/{id}/merge": {
        "merge": (
            "no person with that id or e-mail",
            "a record cannot be merged into itself",
            "already merged into",
        ),
        "survivor": "already merged into",
    },
    "GET /api/v1/accounts/{id}/timeline": {"after": "is not the `next` of a timeline page"},
    "GET /api/v1/people/{id}/timeline": {"after": "is not the `next` of a timeline page"},
    "POST /api/v1/people": {
        "memberships": "a membership names no account",
        r"memberships\[\d+\]\.to": "is before `from`",
        "contact.quiet_hours": "must be two different times",
    },
    # Feedback heard is checked against its survey's questions like any answer.
    "POST /api/v1/interactions": {
        "account": "no account with that id or external id",
        r"people\[\d+\]": "no person with that id or e-mail",
        r"staff\[\d+\]": "no user of this organisation has that e-mail",
        "occurred_at": "is more than a day in the future",
        "feedback": "an internal note is not a conversation with the customer",
        "feedback.survey": "no such survey",
        r"feedback\..*": "",
    },
    "PUT /api/v1/accounts/{id}/owner": {"owner": "no user of this organisation has that e-mail"},
    "PUT /api/v1/accounts/{id}/team": {r"team\[\d+\]\.user": "no user of this organisation has that e-mail"},
    "POST /api/v1/contacts": {"account": "no account with that id or external id"},
    "POST /api/v1/teams": {
        r"owner|lead_user_id|members\[\d+\]": ("no such user", "no user of this organisation")
    },
    "POST /api/v1/rules": {
        r"actions\.(team_id|sla_policy_id)": "no such",
        r"conditions\[\d+\]": "values must be non-empty and at most 500 bytes",
    },
    "PUT /api/v1/rules/{id}": {
        r"actions\.(team_id|sla_policy_id)": "no such",
        r"conditions\[\d+\]": "values must be non-empty and at most 500 bytes",
    },
    "POST /api/v1/sla-policies": {
        r"business_hours\.days(\.[a-z]+)?": ("must be [\"HH:MM\", \"HH:MM\"] with opening before closing", "at least one day must be open"),
        "resolution_minutes": "must not be shorter than the first-response target",
    },
    "PUT /api/v1/sla-policies/{id}": {
        r"business_hours\.days(\.[a-z]+)?": ("must be [\"HH:MM\", \"HH:MM\"] with opening before closing", "at least one day must be open"),
        "resolution_minutes": "must not be shorter than the first-response target",
    },
    "POST /api/v1/subscriptions": {r"\[\d+\]\.end_date": "must not be before start_date"},
    "POST /api/v1/surveys": {
        r"questions\[\d+\]\.key": r"`.*` is used twice",
        r"questions\[\d+\]\.text": "needs wording in the default language",
        r"questions\[\d+\]\.scale": "needs min < max",
        r"questions\[\d+\]\.choices\[\d+\]": r"`.*` is used twice",
        r"questions\[\d+\]\.text\..*": "must be at most",
    },
    # Answers are checked against the survey's questions (keys, types, scales, choices,
    # required ones), which the document cannot know.
    "POST /api/v1/surveys/{id}/responses": {
        r"answers(\..*)?": "",
        "submitted_at": "must not be in the future",
        "metadata": "must be at most 16 KiB of JSON",
    },
    # Webhooks may not call into the server's own network unless it is configured so.
    "POST /api/v1/webhooks": {"url": "points inside this server's network"},
}


def _rule_covers(rules, field, message):
    if INTEGER_WRITTEN_AS_FLOAT.search(message):
        return True
    for pattern, prefix in rules.items():
        prefixes = prefix if isinstance(prefix, tuple) else (prefix,)
        if re.fullmatch(pattern, field, re.DOTALL) and any(
            re.match(p if p.startswith("`.*") else re.escape(p), message, re.DOTALL) for p in prefixes
        ):
            return True
    return False


@schemathesis.hook
def filter_failure(ctx, failure, case, response):
    if failure.code != "ST202" or response.status_code != 422:
        return True
    rules = CROSS_VALUE_RULES.get(case.operation.label, {})
    try:
        fields = response.json()["error"]["fields"]
    except (ValueError, KeyError, TypeError):
        return True
    if not fields:
        return True
    covered = all(_rule_covers(rules, f.get("field", ""), f.get("message", "")) for f in fields)
    return not covered
