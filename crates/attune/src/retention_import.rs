//! `attune import subscriptions|activity|accounts`: a delimited file checked whole before
//! anything is written (errors name the line and column), then stored in one transaction.
//! Columns are found by their canonical names or mapped with `--map field=column`; the
//! delimiter is detected from the header (comma, semicolon, tab, or runs of spaces) unless
//! `--delimiter` says.

use std::collections::HashMap;
use std::time::Instant;

use anyhow::Context;
use attune_retention::{Day, parse_day};
use attune_storage::Store;
use attune_storage::model::{AccountUpsert, ImportOutcome};
use attune_storage::retention::{NewActivity, NewSubscription};
use attune_web::retention::parse_cents;

use crate::import::{RowError, progress_bar};

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Subscription / contract rows.
    Subscriptions,
    /// Purchase / activity events.
    Activity,
    /// Account attributes (plan, size, region, …; other columns become custom attributes).
    Accounts,
}

impl Kind {
    /// The fields a file of this kind can fill, required ones first.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Kind::Subscriptions => &[
                "account_external_id",
                "start_date",
                "end_date",
                "mrr",
                "product",
                "quantity",
                "billing_period",
                "cancellation_reason",
                "tenure_months",
                "churned",
            ],
            Kind::Activity => &["account_external_id", "date", "value"],
            Kind::Accounts => &[
                "account_external_id",
                "name",
                "plan",
                "size_band",
                "industry",
                "region",
            ],
        }
    }

    fn required(self) -> &'static [&'static str] {
        match self {
            Kind::Subscriptions => &["account_external_id", "start_date"],
            Kind::Activity => &["account_external_id", "date"],
            Kind::Accounts => &["account_external_id"],
        }
    }
}

/// How cells are separated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delimiter {
    /// One byte (`,`, `;`, tab, …), CSV quoting rules.
    Byte(u8),
    /// Runs of spaces or tabs, no quoting (fixed-width exports such as CDNOW's).
    Whitespace,
}

impl Delimiter {
    /// Parses `--delimiter`: `,`, `;`, `tab`, `|`, or `space` / `whitespace`.
    pub fn parse(raw: &str) -> anyhow::Result<Delimiter> {
        Ok(match raw {
            "tab" | "\\t" | "\t" => Delimiter::Byte(b'\t'),
            "space" | "spaces" | "whitespace" | " " => Delimiter::Whitespace,
            s if s.len() == 1 => Delimiter::Byte(s.as_bytes()[0]),
            _ => anyhow::bail!("--delimiter must be one character, `tab` or `whitespace`"),
        })
    }

    /// Guesses from the header line: the first of comma, semicolon, tab present, else spaces.
    pub fn detect(header: &str) -> Delimiter {
        for b in [b',', b';', b'\t'] {
            if header.as_bytes().contains(&b) {
                return Delimiter::Byte(b);
            }
        }
        Delimiter::Whitespace
    }
}

/// The header and every record with its 1-based line number.
pub struct Table {
    /// Column names.
    pub header: Vec<String>,
    /// `(line, cells)`.
    pub rows: Vec<(u64, Vec<String>)>,
}

/// Splits a file's text into a header and records.
pub fn read_table(text: &str, delimiter: Option<Delimiter>) -> Result<Table, Vec<RowError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let err = |line: u64, message: String| RowError {
        line,
        column: None,
        message,
    };
    match delimiter.unwrap_or_else(|| Delimiter::detect(first)) {
        Delimiter::Whitespace => {
            let mut lines = text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty());
            let header = lines
                .next()
                .map(|(_, l)| l.split_whitespace().map(str::to_owned).collect())
                .unwrap_or_default();
            let rows = lines
                .map(|(i, l)| {
                    (
                        i as u64 + 1,
                        l.split_whitespace().map(str::to_owned).collect(),
                    )
                })
                .collect();
            Ok(Table { header, rows })
        }
        Delimiter::Byte(b) => {
            let mut rdr = csv::ReaderBuilder::new()
                .delimiter(b)
                .flexible(true)
                .from_reader(text.as_bytes());
            let header = match rdr.headers() {
                Ok(h) => h.iter().map(|s| s.trim().to_owned()).collect(),
                Err(e) => return Err(vec![err(1, format!("the header cannot be read: {e}"))]),
            };
            let mut rows = Vec::new();
            let mut errors = Vec::new();
            for record in rdr.records() {
                match record {
                    Ok(r) => {
                        let line = r.position().map_or(0, |p| p.line());
                        rows.push((line, r.iter().map(str::to_owned).collect()));
                    }
                    Err(e) => {
                        let line = e.position().map_or(0, |p| p.line());
                        errors.push(err(line, e.to_string()));
                        if errors.len() >= 50 {
                            break;
                        }
                    }
                }
            }
            if errors.is_empty() {
                Ok(Table { header, rows })
            } else {
                Err(errors)
            }
        }
    }
}

/// `YYYY-MM-DD`, also `YYYYMMDD` and `YYYY/MM/DD`.
pub fn parse_date(raw: &str) -> Option<Day> {
    let s = raw.trim();
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        return parse_day(&format!("{}-{}-{}", &s[..4], &s[4..6], &s[6..]));
    }
    parse_day(&s.replace('/', "-"))
}

/// Rows parsed from a file of one kind.
pub enum Parsed {
    /// Subscription rows.
    Subscriptions(Vec<NewSubscription>),
    /// Activity events.
    Activity(Vec<NewActivity>),
    /// Accounts.
    Accounts(Vec<AccountUpsert>),
}

impl Parsed {
    /// How many rows.
    pub fn len(&self) -> usize {
        match self {
            Parsed::Subscriptions(r) => r.len(),
            Parsed::Activity(r) => r.len(),
            Parsed::Accounts(r) => r.len(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Whether a cell says a customer churned: yes/no, true/false, 1/0, churned/active.
fn parse_churned(raw: &str) -> Option<bool> {
    match raw.trim().to_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "churned" => Some(true),
        "no" | "n" | "false" | "0" | "active" | "retained" => Some(false),
        _ => None,
    }
}

/// Checks every row of a table; returns the rows or every problem (up to 50).
///
/// Subscriptions come with dates (`start_date`, `end_date`) or, for exports that only know
/// how long each customer has stayed, with `tenure_months` and `churned` as of `as_of`: the
/// subscription starts `tenure_months` calendar months before `as_of` and ends on `as_of` when
/// the customer churned.
pub fn parse_rows(
    kind: Kind,
    table: &Table,
    maps: &HashMap<String, String>,
    as_of: Day,
) -> Result<Parsed, Vec<RowError>> {
    let index: HashMap<&str, usize> = table
        .header
        .iter()
        .enumerate()
        .map(|(i, h)| (h.as_str(), i))
        .collect();
    let mut errors = Vec::new();
    for k in maps.keys() {
        if !kind.fields().contains(&k.as_str()) {
            errors.push(RowError {
                line: 1,
                column: None,
                message: format!(
                    "`--map {k}=…`: `{k}` is not one of {}",
                    kind.fields().join(", ")
                ),
            });
        }
    }
    let has = |f: &str| index.contains_key(maps.get(f).map_or(f, String::as_str));
    let tenure_mode = kind == Kind::Subscriptions && has("tenure_months");
    let header_error = |message: String| RowError {
        line: 1,
        column: None,
        message,
    };
    if tenure_mode && (has("start_date") || has("end_date")) {
        errors.push(header_error(
            "give start_date and end_date, or tenure_months and churned, not both".into(),
        ));
    }
    if kind == Kind::Subscriptions && has("churned") && !tenure_mode {
        errors.push(header_error(
            "churned goes with tenure_months (with dates, an end_date says it)".into(),
        ));
    }
    let mut plan: HashMap<&str, (usize, String)> = HashMap::new();
    for f in kind.fields() {
        let col = maps.get(*f).cloned().unwrap_or_else(|| (*f).to_owned());
        let required = kind.required().contains(f) && !(tenure_mode && *f == "start_date");
        match index.get(col.as_str()) {
            Some(&i) => {
                plan.insert(f, (i, col));
            }
            None if maps.contains_key(*f) || required => errors.push(RowError {
                line: 1,
                column: Some(col.clone()),
                message: format!(
                    "no column `{col}` for {f} (the header has: {}); use --map {f}=COLUMN",
                    table.header.join(", ")
                ),
            }),
            None => {}
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let used: Vec<usize> = plan.values().map(|(i, _)| *i).collect();
    let mut subs = Vec::new();
    let mut events = Vec::new();
    let mut accounts = Vec::new();
    for (line, cells) in &table.rows {
        let line = *line;
        let before = errors.len();
        if cells.len() != table.header.len() {
            errors.push(RowError {
                line,
                column: None,
                message: format!(
                    "{} cells, the header has {}",
                    cells.len(),
                    table.header.len()
                ),
            });
            if errors.len() >= 50 {
                break;
            }
            continue;
        }
        let cell = |f: &str| -> Option<&str> {
            plan.get(f)
                .map(|(i, _)| cells[*i].trim())
                .filter(|s| !s.is_empty())
        };
        let mut problem = |f: &str, message: String| {
            errors.push(RowError {
                line,
                column: plan.get(f).map(|(_, c)| c.clone()),
                message,
            });
        };
        let account = match cell("account_external_id") {
            Some(a) if a.chars().count() <= 200 => a.to_owned(),
            Some(_) => {
                problem(
                    "account_external_id",
                    "is longer than 200 characters".into(),
                );
                String::new()
            }
            None => {
                problem("account_external_id", "is empty".into());
                String::new()
            }
        };
        let mut date = |f: &str, required: bool| -> Option<Day> {
            match cell(f) {
                Some(s) => {
                    let d = parse_date(s);
                    if d.is_none() {
                        problem(f, format!("`{s}` is not a date (YYYY-MM-DD)"));
                    }
                    d
                }
                None => {
                    if required {
                        problem(f, "is empty".into());
                    }
                    None
                }
            }
        };
        match kind {
            Kind::Subscriptions => {
                let (start, end) = if tenure_mode {
                    (None, None)
                } else {
                    (date("start_date", true), date("end_date", false))
                };
                let mut problem = |f: &str, message: String| {
                    errors.push(RowError {
                        line,
                        column: plan.get(f).map(|(_, c)| c.clone()),
                        message,
                    });
                };
                let (start, end) = if tenure_mode {
                    let tenure = match cell("tenure_months").map(|s| (s, s.parse::<u32>())) {
                        Some((_, Ok(n))) if n <= 12_000 => Some(n),
                        Some((s, _)) => {
                            problem(
                                "tenure_months",
                                format!("`{s}` is not a whole number of months"),
                            );
                            None
                        }
                        None => {
                            problem("tenure_months", "is empty".into());
                            None
                        }
                    };
                    let churned = match cell("churned") {
                        None => false,
                        Some(s) => parse_churned(s).unwrap_or_else(|| {
                            problem("churned", format!("`{s}` is not yes or no"));
                            false
                        }),
                    };
                    (
                        tenure.map(|n| attune_retention::calendar::months_before(as_of, n)),
                        churned.then_some(as_of),
                    )
                } else {
                    (start, end)
                };
                if let (Some(s), Some(e)) = (start, end)
                    && e < s
                {
                    problem("end_date", "is before start_date".into());
                }
                let mrr = match cell("mrr") {
                    None => 0,
                    Some(s) => match parse_cents(s) {
                        Some(c) if c >= 0 => c,
                        _ => {
                            problem("mrr", format!("`{s}` is not an amount such as 49.90"));
                            0
                        }
                    },
                };
                let quantity = match cell("quantity") {
                    None => None,
                    Some(s) => match s.parse::<f64>() {
                        Ok(q) if q.fract() == 0.0 && q.abs() < 1e15 => Some(q as i64),
                        _ => {
                            problem("quantity", format!("`{s}` is not a whole number"));
                            None
                        }
                    },
                };
                subs.push(NewSubscription {
                    account_external_id: account,
                    product: cell("product").unwrap_or_default().to_owned(),
                    start: start.unwrap_or(0),
                    end,
                    mrr_cents: mrr,
                    quantity,
                    billing_period: cell("billing_period").map(str::to_owned),
                    cancellation_reason: cell("cancellation_reason").map(str::to_owned),
                });
            }
            Kind::Activity => {
                let day = date("date", true);
                let value = match cell("value") {
                    None => 0,
                    Some(s) => parse_cents(s).unwrap_or_else(|| {
                        errors.push(RowError {
                            line,
                            column: plan.get("value").map(|(_, c)| c.clone()),
                            message: format!("`{s}` is not an amount such as 11.77"),
                        });
                        0
                    }),
                };
                events.push(NewActivity {
                    account_external_id: account,
                    day: day.unwrap_or(0),
                    value_cents: value,
                });
            }
            Kind::Accounts => {
                let attributes = table
                    .header
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !used.contains(i))
                    .filter(|(i, _)| !cells[*i].trim().is_empty())
                    .map(|(i, h)| (h.clone(), serde_json::Value::from(cells[i].trim())))
                    .collect();
                let opt = |f: &str| cell(f).map(str::to_owned);
                accounts.push(AccountUpsert {
                    name: opt("name").unwrap_or_else(|| account.clone()),
                    external_id: account,
                    plan: opt("plan"),
                    size_band: opt("size_band"),
                    industry: opt("industry"),
                    region: opt("region"),
                    owner_user_id: None,
                    attributes,
                });
            }
        }
        if errors.len() > before && errors.len() >= 50 {
            break;
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(match kind {
        Kind::Subscriptions => Parsed::Subscriptions(subs),
        Kind::Activity => Parsed::Activity(events),
        Kind::Accounts => Parsed::Accounts(accounts),
    })
}

/// Reads and checks a whole file, then stores it; prints progress to stderr.
#[expect(
    clippy::too_many_arguments,
    reason = "each is one flag of `attune import`; the CLI and the tests name them positionally"
)]
pub async fn import_file(
    store: &dyn Store,
    org_id: &str,
    kind: Kind,
    path: &std::path::Path,
    maps: &HashMap<String, String>,
    delimiter: Option<Delimiter>,
    as_of: Option<Day>,
    now_ms: i64,
) -> anyhow::Result<ImportOutcome> {
    let as_of = as_of.unwrap_or_else(|| attune_web::retention::day_of_ms(now_ms));
    let started = Instant::now();
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let parsed = read_table(&text, delimiter).and_then(|t| {
        eprintln!("checking {} rows…", t.rows.len());
        parse_rows(kind, &t, maps, as_of)
    });
    let parsed = match parsed {
        Ok(p) => p,
        Err(errors) => {
            let shown: Vec<String> = errors.iter().take(20).map(ToString::to_string).collect();
            anyhow::bail!(
                "{} problem(s) in {}; nothing was imported:\n  {}{}",
                errors.len(),
                path.display(),
                shown.join("\n  "),
                if errors.len() > 20 { "\n  …" } else { "" }
            );
        }
    };
    let total = parsed.len() as u64;
    eprintln!("storing {total} rows in one transaction…");
    let storing = Instant::now();
    let bar = move |done: u64| {
        eprint!(
            "\r{}",
            progress_bar(done, total, storing.elapsed().as_secs_f64())
        )
    };
    let outcome = match &parsed {
        Parsed::Subscriptions(rows) => store.import_subscriptions(org_id, rows, now_ms, &bar).await,
        Parsed::Activity(rows) => store.import_activity(org_id, rows, now_ms, &bar).await,
        Parsed::Accounts(rows) => store.import_accounts(org_id, rows, now_ms, &bar).await,
    }
    .context("storing the import (nothing was written)")?;
    eprintln!();
    let (stored, present) = match kind {
        Kind::Accounts => ("new", "updated"),
        _ => ("stored", "already present"),
    };
    eprintln!(
        "stored in {:.1}s: {} {stored}, {} {present}",
        started.elapsed().as_secs_f64(),
        outcome.inserted,
        outcome.duplicates
    );
    // The reports read a packed snapshot of the organisation's rows; build it now rather
    // than on the first report.
    let packing = Instant::now();
    eprintln!("preparing the retention reports…");
    let built = store
        .retention_refresh(Some(org_id))
        .await
        .context("preparing the retention reports (the import itself is stored)")?;
    eprintln!(
        "done in {:.1}s ({built} snapshot(s) built in {:.1}s)",
        started.elapsed().as_secs_f64(),
        packing.elapsed().as_secs_f64()
    );
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use attune_retention::calendar::format_day;

    #[test]
    fn delimiters_are_detected_from_the_header() {
        assert_eq!(Delimiter::detect("a,b,c"), Delimiter::Byte(b','));
        assert_eq!(Delimiter::detect("a;b"), Delimiter::Byte(b';'));
        assert_eq!(Delimiter::detect("a\tb"), Delimiter::Byte(b'\t'));
        assert_eq!(
            Delimiter::detect(" customer_id  date number_of_cds  dollar_value"),
            Delimiter::Whitespace
        );
    }

    #[test]
    fn compact_dates_are_read() {
        assert_eq!(parse_date("19970101"), parse_day("1997-01-01"));
        assert_eq!(parse_date("2022/01/11"), parse_day("2022-01-11"));
        assert_eq!(parse_date("19971301"), None);
    }

    #[test]
    fn whitespace_files_map_to_activity() {
        let t = read_table(
            " customer_id  date number_of_cds  dollar_value\n 00001 19970101  1   11.77\n",
            None,
        )
        .unwrap_or_else(|_| panic!("readable"));
        let maps = HashMap::from([
            ("account_external_id".to_owned(), "customer_id".to_owned()),
            ("value".to_owned(), "dollar_value".to_owned()),
        ]);
        match parse_rows(Kind::Activity, &t, &maps, 0) {
            Ok(Parsed::Activity(rows)) => {
                assert_eq!(rows.len(), 1);
                assert_eq!(rows[0].account_external_id, "00001");
                assert_eq!(rows[0].value_cents, 1_177);
            }
            _ => panic!("expected activity rows"),
        }
    }

    #[test]
    fn bad_rows_are_reported_by_line_and_column() {
        let t = read_table(
            "account_id,start_date,end_date,mrr\na,2024-01-01,,10\nb,2024-13-01,,x\n",
            None,
        )
        .unwrap_or_else(|_| panic!("readable"));
        let maps = HashMap::from([("account_external_id".to_owned(), "account_id".to_owned())]);
        let Err(errors) = parse_rows(Kind::Subscriptions, &t, &maps, 0) else {
            panic!("expected errors");
        };
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "line 3, column `start_date`: `2024-13-01` is not a date (YYYY-MM-DD)",
                "line 3, column `mrr`: `x` is not an amount such as 49.90",
            ]
        );
    }

    #[test]
    fn tenures_become_subscriptions_counted_back_from_as_of() {
        let as_of = parse_day("2024-03-31").unwrap_or_default();
        let t = read_table("id,tenure,Churn\na,1,Yes\nb,0,No\nc,25,no\n", None)
            .unwrap_or_else(|_| panic!("readable"));
        let maps = HashMap::from([
            ("account_external_id".to_owned(), "id".to_owned()),
            ("tenure_months".to_owned(), "tenure".to_owned()),
            ("churned".to_owned(), "Churn".to_owned()),
        ]);
        let Ok(Parsed::Subscriptions(rows)) = parse_rows(Kind::Subscriptions, &t, &maps, as_of)
        else {
            panic!("expected subscriptions");
        };
        let got: Vec<(String, Option<Day>)> =
            rows.iter().map(|r| (format_day(r.start), r.end)).collect();
        assert_eq!(
            got,
            [
                ("2024-02-29".to_owned(), Some(as_of)),
                ("2024-03-31".to_owned(), None),
                ("2022-02-28".to_owned(), None),
            ]
        );
    }

    #[test]
    fn tenure_files_say_what_is_wrong() {
        let messages = |text: &str, maps: &[(&str, &str)]| -> Vec<String> {
            let t = read_table(text, None).unwrap_or_else(|_| panic!("readable"));
            let maps = maps
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            match parse_rows(Kind::Subscriptions, &t, &maps, 19_000) {
                Err(errors) => errors.iter().map(ToString::to_string).collect(),
                Ok(_) => Vec::new(),
            }
        };
        assert_eq!(
            messages(
                "account_external_id,start_date,tenure_months\na,2024-01-01,3\n",
                &[]
            ),
            ["line 1: give start_date and end_date, or tenure_months and churned, not both"]
        );
        assert_eq!(
            messages(
                "account_external_id,start_date,churned\na,2024-01-01,yes\n",
                &[]
            ),
            ["line 1: churned goes with tenure_months (with dates, an end_date says it)"]
        );
        assert_eq!(
            messages(
                "account_external_id,tenure_months,churned\na,-3,maybe\nb,,no\n",
                &[]
            ),
            [
                "line 2, column `tenure_months`: `-3` is not a whole number of months",
                "line 2, column `churned`: `maybe` is not yes or no",
                "line 3, column `tenure_months`: is empty",
            ]
        );
    }
}
