//! Schemas written as JSON: what the server accepts where the derive cannot say it (patterns
//! of newtypes, `anyOf`, `oneOf` by a tag, `propertyNames`). `openapi::finish` puts them in
//! the document in place of the derive's placeholders.
use utoipa::ToSchema;

// What text the server accepts, as patterns (ECMA-262, as JSON Schema reads them). Rust's
// `trim` removes White_Space (`WS`); `char::is_control` is Unicode Cc (U+0000–U+001F,
// U+007F–U+009F). A name is trimmed and must then be non-empty with no control character; a
// text (note, resolution, message body) has its control characters removed and must keep
// something that is not white space. Lengths count graphemes on the server, code points here.

/// White space as Rust's `trim` reads it (Unicode White_Space), inside a character class.
const WS: &str = r"\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";
/// Neither white space nor a control character, inside a negated character class.
const NOT_VISIBLE: &str =
    r"\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";
/// A control character, inside a character class.
const CONTROL: &str = r"\u0000-\u001f\u007f-\u009f";

/// A schema written as JSON (for what the derive cannot say: patterns of newtypes, `anyOf`).
fn from_json(v: serde_json::Value) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    serde_json::from_value(v).unwrap_or_else(|_| utoipa::openapi::RefOr::T(Default::default()))
}

/// `YYYY-MM-DD`.
fn day() -> serde_json::Value {
    serde_json::json!({"type": "string", "format": "date",
        "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"})
}

/// An RFC 3339 date-time.
fn date_time() -> serde_json::Value {
    serde_json::json!({"type": "string", "format": "date-time",
        "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"})
}

/// The values of a rule condition's `any`: 1 to 100, each not blank and at most 500 bytes
/// (JSON Schema counts characters: 500 is the most a value can have).
fn condition_values(item: serde_json::Value) -> serde_json::Value {
    serde_json::json!({"type": "array", "minItems": 1, "maxItems": 100, "items": item})
}

/// One condition of a rule, by `type`.
fn rule_condition() -> serde_json::Value {
    let value =
        serde_json::json!({"type": "string", "maxLength": 500, "pattern": format!("[^{WS}]")});
    let word = serde_json::json!({"type": "string", "maxLength": 500,
        "pattern": format!("[^{NOT_VISIBLE}\\u200b\\u202a-\\u202e\\u2066-\\u2069\\ufeff]")});
    let variant = |kind: &str, required: &[&str], properties: serde_json::Value| {
        let mut props = properties;
        props["type"] = serde_json::json!({"const": kind});
        let mut req = vec!["type"];
        req.extend_from_slice(required);
        serde_json::json!({"type": "object", "additionalProperties": false,
            "required": req, "properties": props})
    };
    let mut score = variant(
        "score",
        &["op", "value"],
        serde_json::json!({
            "qtype": {"type": ["string", "null"], "enum": ["nps", "csat", "ces", "rating", null], "description": "any question of this type"},
            "question": {"type": ["string", "null"], "description": "the question with this key"},
            "op": {"type": "string", "enum": ["lte", "gte", "eq"]},
            "value": {"type": "integer", "minimum": -1000, "maximum": 1000}
        }),
    );
    score["anyOf"] = serde_json::json!([
        {"required": ["qtype"], "properties": {"qtype": {"type": "string"}}},
        {"required": ["question"], "properties": {"question": {"type": "string"}}}
    ]);
    serde_json::json!({
        "description": "A condition of a rule, by `type`: `score` (`qtype` or `question`, `op`, `value`), `band`, `survey` (ids), `channel`, `language` (tags), `account` (`attribute` and its values), `comment` (words or phrases, in any script).",
        "oneOf": [
            score,
            variant("band", &["band"], serde_json::json!({"band": {"type": "string", "enum": ["promoter", "passive", "detractor"]}})),
            variant("survey", &["any"], serde_json::json!({"any": condition_values(value.clone())})),
            variant("channel", &["any"], serde_json::json!({"any": {"type": "array", "minItems": 1,
                "items": {"type": "string", "enum": ["api", "link", "email", "widget", "import", "staff"]}}})),
            variant("language", &["any"], serde_json::json!({"any": condition_values(value.clone())})),
            variant("account", &["attribute", "any"], serde_json::json!({
                "attribute": {"type": "string", "pattern": format!("[^{WS}]")},
                "any": condition_values(value)})),
            variant("comment", &["any"], serde_json::json!({"any": condition_values(word)}))
        ]
    })
}

/// An amount of money: a number, or a decimal string (e.g. `49.90`; rounded to cents), or
/// blank for 0.
fn amount(signed: bool) -> serde_json::Value {
    let (min, sign) = if signed {
        (-1e12, "[+-]?")
    } else {
        (0.0, "[+]?")
    };
    serde_json::json!({
        "description": "An amount of money: a number or a decimal string such as `49.90` (rounded to cents); blank is 0.",
        "anyOf": [
            {"type": "number", "minimum": min, "maximum": 1e12},
            {"type": "string", "pattern": format!("^[{WS}]*({sign}([0-9]{{1,12}}(\\.[0-9]*)?|\\.[0-9]+))?[{WS}]*$")}
        ]
    })
}

/// An origin allowed to frame a survey page: `http(s)://host[:port]` or
/// `https://*.name.tld[:port]`, ASCII.
fn origin_pattern() -> String {
    let label = "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
    let tld = "[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
    let octet = "(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";
    let port = "(:([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?";
    format!(
        "^[{WS}]*([Hh][Tt][Tt][Pp][Ss]?://(({label}\\.)*{tld}|({octet}\\.){{3}}{octet})|[Hh][Tt][Tt][Pp][Ss]://\\*\\.({label}\\.)+{tld}){port}[{WS}]*$"
    )
}

/// A question of a survey as received, by type: scored (`nps`; `csat`, `ces` and `rating`
/// with an optional scale), choices (`single_choice`, `multi_choice`: at least two) or `text`.
fn question_input() -> serde_json::Value {
    let key = serde_json::json!({"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"});
    let text = serde_json::json!({
        "type": "object", "minProperties": 1,
        "description": "Wording per language tag; the survey's default language among them.",
        "propertyNames": {"pattern": format!("^[{WS}]*[A-Za-z]{{2,3}}([-_][A-Za-z0-9]{{1,8}})*[{WS}]*$")},
        "additionalProperties": {"type": "string", "maxLength": 1000, "pattern": name_pattern(false)}
    });
    let scale = serde_json::json!({
        "type": ["object", "null"], "additionalProperties": false, "required": ["min", "max"],
        "description": "min < max, at least three points, within -100..100.",
        "properties": {"min": {"type": "integer", "minimum": -100, "maximum": 98},
            "max": {"type": "integer", "minimum": -98, "maximum": 100}}
    });
    let choice = serde_json::json!({"anyOf": [
        key.clone(),
        {"type": "object", "required": ["key"], "properties": {"key": key.clone(),
            "label": {"type": "object", "additionalProperties": {"type": "string"}}}}
    ]});
    let variant = |types: &[&str], extra: serde_json::Value, required: &[&str]| {
        let mut props = serde_json::json!({
            "key": key.clone(), "type": {"type": "string", "enum": types}, "text": text.clone(),
            "required": {"type": "boolean", "default": false}
        });
        if let (Some(p), Some(e)) = (props.as_object_mut(), extra.as_object()) {
            p.extend(e.clone());
        }
        let mut req = vec!["key", "type", "text"];
        req.extend_from_slice(required);
        serde_json::json!({"type": "object", "additionalProperties": false,
            "required": req, "properties": props})
    };
    serde_json::json!({
        "description": "A question as received, by `type`: `nps`; `csat`, `ces`, `rating` (optional `scale`); `single_choice`, `multi_choice` (at least two `choices`, keys unique); `text`. Keys are unique within the survey.",
        "oneOf": [
            variant(&["nps", "text"], serde_json::json!({"scale": {"type": "null"}, "choices": {"type": "array", "maxItems": 0}}), &[]),
            variant(&["csat", "ces", "rating"], serde_json::json!({"scale": scale, "choices": {"type": "array", "maxItems": 0}}), &[]),
            variant(&["single_choice", "multi_choice"], serde_json::json!({"scale": {"type": "null"},
                "choices": {"type": "array", "minItems": 2, "items": choice}}), &["choices"])
        ]
    })
}

/// A filter with a closed set of values; blank is no filter.
fn blank_or(description: &str, values: &[&str]) -> serde_json::Value {
    serde_json::json!({
        "description": format!("{description}; blank is no filter."),
        "type": "string",
        "anyOf": [{"enum": values}, {"pattern": format!("^[{WS}]*$")}]
    })
}

/// The pattern of a trimmed name: visible at both ends, no control character inside.
fn name_pattern(optional: bool) -> String {
    let q = if optional { "?" } else { "" };
    format!("^[{WS}]*([^{NOT_VISIBLE}]([^{CONTROL}]*[^{NOT_VISIBLE}])?){q}[{WS}]*$")
}

/// Declares schema components written as JSON: utoipa's schema model has no `anyOf` beside a
/// type and no `propertyNames`, so the derive's placeholder (a plain string or object, which
/// keeps every `$ref` resolving) is replaced by the JSON in `openapi::finish`
/// ([`json_components`]).
macro_rules! json_schemas {
    ($($(#[$doc:meta])* $name:ident => $value:expr;)*) => {
        $(
            $(#[$doc])*
            pub(crate) struct $name;

            impl utoipa::PartialSchema for $name {
                fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                    from_json($value)
                }
            }

            impl ToSchema for $name {}
        )*

        /// The components written as JSON, by name, as the document must carry them.
        pub(crate) fn json_components() -> Vec<(&'static str, serde_json::Value)> {
            vec![$((stringify!($name), $value)),*]
        }
    };
}

json_schemas! {
    /// An NPS band filter.
    BandFilter => blank_or("An NPS band", &["promoter", "passive", "detractor"]);

    /// A channel filter.
    ChannelFilter => blank_or("How the response reached Attune", &["api", "link", "email", "widget", "import", "staff"]);

    /// How the words of `q` must match.
    MatchFilter => blank_or("`all` words of `q` (the default) or `any` of them", &["all", "any"]);

    /// A case state filter.
    CaseStateFilter => blank_or("A case state", &["open", "in_progress", "waiting", "resolved", "closed"]);

    /// Which cases by state.
    StatusFilter => blank_or("`active` (open, in progress or waiting) or `all`", &["active", "all"]);

    /// A question of a survey as received.
    QuestionInput => question_input();

    /// An origin allowed to frame a survey page.
    EmbedOrigin => serde_json::json!({
        "description": "scheme://host[:port], no path: `https://shop.example.com`, `http://10.0.0.5:8080`, or `https://*.example.com` (a wildcard only with https and a name of two labels or more); ASCII (international names in their xn-- form).",
        "type": "string", "pattern": origin_pattern(), "example": "https://shop.example.com"
    });

    /// A row's required text: trimmed, then 1 to 200 characters.
    RowText => serde_json::json!({"type": "string", "maxLength": 200, "pattern": format!("[^{WS}]"),
        "description": "Trimmed, then 1 to 200 characters."});

    /// A row's optional text: blank is none; at most 200 characters.
    OptionalRowText => serde_json::json!({"type": "string", "maxLength": 200,
        "description": "Blank is none; else trimmed, at most 200 characters."});

    /// `YYYY-MM-DD`.
    Day => day();

    /// A billing period: text (`month`, `year`) or a number of months.
    BillingPeriod => serde_json::json!({
        "description": "`month`, `year`, or a number of months; blank is none.",
        "anyOf": [{"type": "string", "maxLength": 200}, {"type": "number"}]
    });

    /// `YYYY-MM-DD`, or blank for none.
    DayOrBlank => serde_json::json!({"anyOf": [day(), {"type": "string", "pattern": format!("^[{WS}]*$")}]});

    /// An amount of money, at least 0 (monthly recurring revenue).
    Amount => amount(false);

    /// An amount of money, possibly negative (a refund).
    SignedAmount => amount(true);

    /// A condition of a rule, by `type`.
    RuleCondition => rule_condition();

    /// What a rule does when it matches; it must open a case (the default), notify an e-mail
    /// address or notify webhooks.
    RuleActions => serde_json::json!({
        "description": "What a rule does when it matches: it must open a case (`open_case`, the default), notify an e-mail address or notify webhooks.",
        "type": "object", "additionalProperties": false,
        "properties": {
            "open_case": {"type": "boolean", "default": true},
            "priority": {"$ref": "#/components/schemas/Priority", "default": "normal"},
            "team_id": {"type": ["string", "null"], "description": "a team of the organisation (cases are shared round-robin among its members)"},
            "sla_policy_id": {"type": ["string", "null"], "description": "an SLA policy of the organisation (default: the default policy)"},
            "notify_emails": {"type": "array", "maxItems": 100, "items": {"type": "string", "format": "email"}},
            "notify_webhooks": {"type": "boolean", "default": false}
        },
        "anyOf": [
            {"not": {"required": ["open_case"]}},
            {"properties": {"open_case": {"const": true}}},
            {"required": ["notify_emails"], "properties": {"notify_emails": {"minItems": 1}}},
            {"required": ["notify_webhooks"], "properties": {"notify_webhooks": {"const": true}}}
        ]
    });

    /// A name: trimmed, then 1 to 200 characters, no control characters.
    Name => serde_json::json!({
        "description": "Trimmed, then 1 to 200 characters, no control characters.",
        "type": "string", "minLength": 1, "maxLength": 200, "pattern": name_pattern(false)
    });

    /// An optional name: blank (empty or white space only) is none; else as `Name`.
    OptionalName => serde_json::json!({
        "description": "Blank (empty or white space only) is none; else trimmed, at most 200 characters, no control characters.",
        "type": "string", "maxLength": 200, "pattern": name_pattern(true)
    });

    /// A subject line: as `Name`, at most 300 characters.
    Subject => serde_json::json!({
        "description": "Trimmed, then 1 to 300 characters, no control characters.",
        "type": "string", "minLength": 1, "maxLength": 300, "pattern": name_pattern(false)
    });

    /// A text (a note, a resolution, a message body).
    Text => serde_json::json!({
        "description": "Control characters other than line breaks and tabs are removed; what is left must hold something that is not white space; at most 10,000 characters.",
        "type": "string", "minLength": 1, "maxLength": 10000,
        "pattern": format!("[^{NOT_VISIBLE}\\u202a-\\u202e\\u2066-\\u2069]")
    });

    /// A day (`2026-01-31`) or an RFC 3339 instant (`2026-01-31T09:30:00Z`).
    Instant => serde_json::json!({
        "description": "A day (`2026-01-31`) or an RFC 3339 instant (`2026-01-31T09:30:00Z`).",
        "type": "string", "anyOf": [day(), date_time()],
        "example": "2026-01-31"
    });

    /// A filter's day or instant (see `Instant`); blank is no filter.
    InstantFilter => serde_json::json!({
        "description": "A day (`2026-01-31`) or an RFC 3339 instant (`2026-01-31T09:30:00Z`); blank is no filter.",
        "type": "string",
        "anyOf": [day(), date_time(), {"type": "string", "pattern": format!("^[{WS}]*$")}],
        "example": "2026-01-31"
    });

    /// A language tag such as `en`, `pt-BR` or `zh-Hans`.
    LanguageTag => serde_json::json!({
        "description": "A language tag such as `en`, `pt-BR` or `zh-Hans`: 2 or 3 letters, then subtags of 1 to 8 letters or digits after `-` (or `_`).",
        "type": "string",
        "pattern": format!("^[{WS}]*[A-Za-z]{{2,3}}([-_][A-Za-z0-9]{{1,8}})*[{WS}]*$"),
        "example": "en"
    });

    /// A filter's language tag (see `LanguageTag`); blank is no filter.
    LanguageFilter => serde_json::json!({
        "description": "A language tag such as `en` or `pt-BR`; blank is no filter.",
        "type": "string",
        "pattern": format!("^[{WS}]*([A-Za-z]{{2,3}}([-_][A-Za-z0-9]{{1,8}})*[{WS}]*)?$"),
        "example": "en"
    });

    /// Opening hours per weekday.
    OpeningDays => serde_json::json!({
        "description": "Opening hours per weekday: `mon` … `sun` → `[\"HH:MM\", \"HH:MM\"]`, opening before closing (`24:00` closes at midnight); days left out are closed; at least one day is open.",
        "type": "object",
        "minProperties": 1,
        "propertyNames": {"enum": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]},
        "additionalProperties": {
            "type": "array", "minItems": 2, "maxItems": 2,
            "items": {"type": "string", "pattern": "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"}
        }
    });

    /// A web domain of an account.
    WebDomain => serde_json::json!({
        "description": "A web domain such as `example.com` (a URL is reduced to its domain, `www.` dropped, lower-cased; an international name is kept in its xn-- form).",
        "type": "string", "maxLength": 253,
        "pattern": "^(https?://)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}\\.?(/[!-~]*)?$",
        "example": "example.com"
    });

    /// An account's ids in other systems.
    SourceIds => serde_json::json!({
        "description": "Ids in other systems by source (`crm`, `billing`, `hubspot`: 1 to 40 letters, digits, `_` or `-`, lower-cased); `null` removes a source's id; sources left out are kept.",
        "type": "object", "maxProperties": 20,
        "propertyNames": {"pattern": "^[A-Za-z0-9_-]{1,40}$"},
        "additionalProperties": {"anyOf": [
            {"type": "string", "minLength": 1, "maxLength": 200, "pattern": name_pattern(false)},
            {"type": "null"}
        ]}
    });

    /// An IANA time zone.
    TimeZone => serde_json::json!({
        "description": "An IANA time-zone name such as `Asia/Karachi`, `America/Argentina/Buenos_Aires` or `UTC`.",
        "type": "string",
        "pattern": format!("^[{WS}]*(UTC|GMT|Etc/UTC|[A-Za-z][A-Za-z0-9_+-]{{0,29}}(/[A-Za-z][A-Za-z0-9_+-]{{0,29}}){{1,2}})[{WS}]*$"),
        "example": "Asia/Karachi"
    });

    /// A short text (a follow-up).
    ShortText => serde_json::json!({
        "description": "Control characters other than line breaks and tabs are removed; what is left must hold something that is not white space; at most 1,000 characters.",
        "type": "string", "minLength": 1, "maxLength": 1000,
        "pattern": format!("[^{NOT_VISIBLE}\\u202a-\\u202e\\u2066-\\u2069]")
    });

    /// Kinds of timeline entries, comma-separated.
    TimelineKinds => serde_json::json!({
        "description": "Comma-separated kinds of entries; empty: all.",
        "type": "string",
        "pattern": "^((response|case_opened|case_resolved|interaction|subscription_started|subscription_ended|membership_started|membership_ended|owner_changed|merged|merge_undone)(,(response|case_opened|case_resolved|interaction|subscription_started|subscription_ended|membership_started|membership_ended|owner_changed|merged|merge_undone))*)?$",
        "example": "response,interaction"
    });
}
