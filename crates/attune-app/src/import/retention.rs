//! Subscription, activity and account files: columns found by their canonical names or
//! mapped (`field=column`), every row checked (line and column in each error), then stored in
//! one write transaction and the retention snapshots rebuilt.

use std::collections::HashMap;

use attune_retention::Day;
use attune_storage::Store;
use attune_storage::model::{AccountUpsert, ImportOutcome};
use attune_storage::retention::{NewActivity, NewSubscription};

use super::{Kind, RowError, Table, parse_date};
use crate::AppResult;
use crate::retention::parse_cents;

/// Most problems reported for one file.
const MAX_ERRORS: usize = 50;

/// Rows parsed from a file of one kind.
#[derive(Debug, Clone, PartialEq)]
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

/// Which column feeds each field, and whether subscriptions come as tenures.
struct Plan<'a> {
    columns: HashMap<&'static str, (usize, String)>,
    tenure_mode: bool,
    table: &'a Table,
}

fn header_error(message: String) -> RowError {
    RowError {
        line: 1,
        column: None,
        message,
    }
}

/// Checks the header against the fields and the mappings.
fn plan<'a>(
    kind: Kind,
    table: &'a Table,
    maps: &HashMap<String, String>,
) -> Result<Plan<'a>, Vec<RowError>> {
    let index: HashMap<&str, usize> = table
        .header
        .iter()
        .enumerate()
        .map(|(i, h)| (h.as_str(), i))
        .collect();
    let mut errors = Vec::new();
    for k in maps.keys() {
        if !kind.fields().contains(&k.as_str()) {
            errors.push(header_error(format!(
                "`--map {k}=…`: `{k}` is not one of {}",
                kind.fields().join(", ")
            )));
        }
    }
    let has = |f: &str| index.contains_key(maps.get(f).map_or(f, String::as_str));
    let tenure_mode = kind == Kind::Subscriptions && has("tenure_months");
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
    let mut columns = HashMap::new();
    for f in kind.fields() {
        let col = maps.get(*f).cloned().unwrap_or_else(|| (*f).to_owned());
        let required = kind.required().contains(f) && !(tenure_mode && *f == "start_date");
        match index.get(col.as_str()) {
            Some(&i) => {
                columns.insert(*f, (i, col));
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
    if errors.is_empty() {
        Ok(Plan {
            columns,
            tenure_mode,
            table,
        })
    } else {
        Err(errors)
    }
}

/// One record being checked: its cells and the problems found so far.
struct Row<'p, 'e> {
    line: u64,
    cells: &'p [String],
    plan: &'p Plan<'p>,
    errors: &'e mut Vec<RowError>,
}

impl Row<'_, '_> {
    fn cell(&self, f: &str) -> Option<&str> {
        self.plan
            .columns
            .get(f)
            .map(|(i, _)| self.cells[*i].trim())
            .filter(|s| !s.is_empty())
    }

    fn owned(&self, f: &str) -> Option<String> {
        self.cell(f).map(str::to_owned)
    }

    fn problem(&mut self, f: &str, message: String) {
        self.errors.push(RowError {
            line: self.line,
            column: self.plan.columns.get(f).map(|(_, c)| c.clone()),
            message,
        });
    }

    fn date(&mut self, f: &str, required: bool) -> Option<Day> {
        match self.owned(f) {
            Some(s) => {
                let d = parse_date(&s);
                if d.is_none() {
                    self.problem(f, format!("`{s}` is not a date (YYYY-MM-DD)"));
                }
                d
            }
            None => {
                if required {
                    self.problem(f, "is empty".into());
                }
                None
            }
        }
    }

    fn account(&mut self) -> String {
        match self.owned("account_external_id") {
            Some(a) if a.chars().count() <= 200 => a,
            Some(_) => {
                self.problem(
                    "account_external_id",
                    "is longer than 200 characters".into(),
                );
                String::new()
            }
            None => {
                self.problem("account_external_id", "is empty".into());
                String::new()
            }
        }
    }

    /// Start and end counted back from `as_of`: `tenure_months` before it, ending on it when
    /// the customer churned.
    fn tenure(&mut self, as_of: Day) -> (Option<Day>, Option<Day>) {
        let tenure = match self.owned("tenure_months").map(|s| (s.parse::<u32>(), s)) {
            Some((Ok(n), _)) if n <= 12_000 => Some(n),
            Some((_, s)) => {
                self.problem(
                    "tenure_months",
                    format!("`{s}` is not a whole number of months"),
                );
                None
            }
            None => {
                self.problem("tenure_months", "is empty".into());
                None
            }
        };
        let churned = match self.owned("churned") {
            None => false,
            Some(s) => parse_churned(&s).unwrap_or_else(|| {
                self.problem("churned", format!("`{s}` is not yes or no"));
                false
            }),
        };
        (
            tenure.map(|n| attune_retention::calendar::months_before(as_of, n)),
            churned.then_some(as_of),
        )
    }

    fn subscription(&mut self, account: String, as_of: Day) -> NewSubscription {
        let (start, end) = if self.plan.tenure_mode {
            self.tenure(as_of)
        } else {
            (self.date("start_date", true), self.date("end_date", false))
        };
        if let (Some(s), Some(e)) = (start, end)
            && e < s
        {
            self.problem("end_date", "is before start_date".into());
        }
        let mrr = match self.owned("mrr") {
            None => 0,
            Some(s) => match parse_cents(&s) {
                Some(c) if c >= 0 => c,
                _ => {
                    self.problem("mrr", format!("`{s}` is not an amount such as 49.90"));
                    0
                }
            },
        };
        let quantity = match self.owned("quantity") {
            None => None,
            Some(s) => match s.parse::<f64>() {
                Ok(q) if q.fract() == 0.0 && q.abs() < 1e15 => Some(q as i64),
                _ => {
                    self.problem("quantity", format!("`{s}` is not a whole number"));
                    None
                }
            },
        };
        NewSubscription {
            account_external_id: account,
            product: self.owned("product").unwrap_or_default(),
            start: start.unwrap_or(0),
            end,
            mrr_cents: mrr,
            quantity,
            billing_period: self.owned("billing_period"),
            cancellation_reason: self.owned("cancellation_reason"),
        }
    }

    fn activity(&mut self, account: String) -> NewActivity {
        let day = self.date("date", true);
        let value = match self.owned("value") {
            None => 0,
            Some(s) => parse_cents(&s).unwrap_or_else(|| {
                self.problem("value", format!("`{s}` is not an amount such as 11.77"));
                0
            }),
        };
        NewActivity {
            account_external_id: account,
            day: day.unwrap_or(0),
            value_cents: value,
        }
    }

    /// Every column no field reads becomes a custom attribute.
    fn account_row(&self, account: String) -> AccountUpsert {
        let used: Vec<usize> = self.plan.columns.values().map(|(i, _)| *i).collect();
        let attributes = self
            .plan
            .table
            .header
            .iter()
            .enumerate()
            .filter(|(i, _)| !used.contains(i))
            .filter(|(i, _)| !self.cells[*i].trim().is_empty())
            .map(|(i, h)| (h.clone(), serde_json::Value::from(self.cells[i].trim())))
            .collect();
        AccountUpsert {
            name: self.owned("name").unwrap_or_else(|| account.clone()),
            external_id: account,
            plan: self.owned("plan"),
            size_band: self.owned("size_band"),
            industry: self.owned("industry"),
            region: self.owned("region"),
            owner_user_id: None,
            attributes,
            ..AccountUpsert::default()
        }
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
    let plan = plan(kind, table, maps)?;
    let mut errors = Vec::new();
    let mut parsed = match kind {
        Kind::Subscriptions => Parsed::Subscriptions(Vec::new()),
        Kind::Activity => Parsed::Activity(Vec::new()),
        Kind::Accounts => Parsed::Accounts(Vec::new()),
    };
    for (line, cells) in &table.rows {
        let before = errors.len();
        if cells.len() != table.header.len() {
            errors.push(RowError {
                line: *line,
                column: None,
                message: format!(
                    "{} cells, the header has {}",
                    cells.len(),
                    table.header.len()
                ),
            });
            if errors.len() >= MAX_ERRORS {
                break;
            }
            continue;
        }
        let mut row = Row {
            line: *line,
            cells,
            plan: &plan,
            errors: &mut errors,
        };
        let account = row.account();
        match &mut parsed {
            Parsed::Subscriptions(v) => v.push(row.subscription(account, as_of)),
            Parsed::Activity(v) => v.push(row.activity(account)),
            Parsed::Accounts(v) => v.push(row.account_row(account)),
        }
        if errors.len() > before && errors.len() >= MAX_ERRORS {
            break;
        }
    }
    if errors.is_empty() {
        Ok(parsed)
    } else {
        Err(errors)
    }
}

/// Stores checked rows in one write transaction (all or nothing); `progress` gets the rows
/// stored so far.
#[tracing::instrument(skip_all, fields(org.id = %org_id, rows = parsed.len()))]
pub async fn store_rows(
    store: &dyn Store,
    org_id: &str,
    parsed: &Parsed,
    now_ms: i64,
    progress: &(dyn Fn(u64) + Send + Sync),
) -> AppResult<ImportOutcome> {
    Ok(match parsed {
        Parsed::Subscriptions(rows) => {
            store
                .import_subscriptions(org_id, rows, now_ms, progress)
                .await?
        }
        Parsed::Activity(rows) => {
            store
                .import_activity(org_id, rows, now_ms, progress)
                .await?
        }
        Parsed::Accounts(rows) => {
            store
                .import_accounts(org_id, rows, now_ms, progress)
                .await?
        }
    })
}

/// Rebuilds the organisation's packed retention snapshots, so the first report after an
/// import is fast; returns how many were built.
#[tracing::instrument(skip_all, fields(org.id = %org_id))]
pub async fn refresh_snapshots(store: &dyn Store, org_id: &str) -> AppResult<u64> {
    Ok(store.retention_refresh(Some(org_id)).await?)
}

#[cfg(test)]
mod tests {
    use super::super::{Delimiter, read_table};
    use super::*;
    use attune_retention::calendar::format_day;
    use attune_retention::parse_day;

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
