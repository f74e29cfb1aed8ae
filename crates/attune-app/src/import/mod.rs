//! Reading delimited files whole: the header, every record with its line, and each problem
//! with its line and column. Nothing is stored until every row is checked.

use attune_retention::{Day, parse_day};
use attune_storage::model::ImportOutcome;
use serde::Serialize;
use utoipa::ToSchema;

use crate::{AppError, AppResult};

mod crm_layouts;
pub mod customers;
pub mod responses;
pub mod retention;

/// How an import (a file, or rows sent to the API) went.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct ImportReport {
    /// Rows stored (accounts: created).
    pub inserted: u64,
    /// Rows already stored (accounts: updated).
    pub duplicates: u64,
}

impl From<ImportOutcome> for ImportReport {
    fn from(o: ImportOutcome) -> Self {
        ImportReport {
            inserted: o.inserted,
            duplicates: o.duplicates,
        }
    }
}

/// A problem with one cell or row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// 1-based line in the file (the header is line 1).
    pub line: u64,
    /// The column at fault, when known.
    pub column: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.column {
            Some(c) => write!(f, "line {}, column `{c}`: {}", self.line, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

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

    pub(crate) fn required(self) -> &'static [&'static str] {
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
    /// Parses `,`, `;`, `tab`, `|`, or `space` / `whitespace`; a 422 naming `delimiter`
    /// otherwise.
    pub fn parse(raw: &str) -> AppResult<Delimiter> {
        Ok(match raw {
            "tab" | "\\t" | "\t" => Delimiter::Byte(b'\t'),
            "space" | "spaces" | "whitespace" | " " => Delimiter::Whitespace,
            s if s.len() == 1 => Delimiter::Byte(s.as_bytes()[0]),
            _ => {
                return Err(AppError::invalid(
                    "delimiter",
                    "must be one character, `tab` or `whitespace`",
                ));
            }
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
#[derive(Debug, Clone, PartialEq, Eq)]
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
