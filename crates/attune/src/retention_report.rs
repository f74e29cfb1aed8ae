//! `attune report retention`: one part of an organisation's retention report (the period
//! summary, the cohort table, the survival curve or the churn audit) as a table, CSV or JSON,
//! computed by the same code as `/api/v1/retention/…`.

use attune_app::AppError;
use attune_app::retention::output::{
    AuditReport, CohortsReport, ReportHead, SummaryReport, SurvivalReport,
};
use attune_app::retention::{self, AuditOptions, Spec, SpecText, SurvivalOptions, day_of_ms};
use attune_domain::csv::Cell;
use attune_retention::Median;
use attune_storage::Store;

/// Which part of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Show {
    /// Per period: S, E, N, lost, CRR, …
    Summary,
    /// Cohorts by starting period.
    Cohorts,
    /// Kaplan–Meier survival.
    Survival,
    /// The churn audit of one attribute.
    Audit,
}

impl Show {
    /// Parses `summary`, `cohorts`, `survival` or `audit`.
    pub fn parse(raw: &str) -> anyhow::Result<Show> {
        Ok(match raw {
            "summary" => Show::Summary,
            "cohorts" => Show::Cohorts,
            "survival" => Show::Survival,
            "audit" => Show::Audit,
            _ => anyhow::bail!("--show must be summary, cohorts, survival or audit"),
        })
    }
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Aligned columns for a terminal.
    Table,
    /// Comma-separated, one row a period.
    Csv,
    /// The API's JSON.
    Json,
}

impl Format {
    /// Parses `table`, `csv` or `json`.
    pub fn parse(raw: &str) -> anyhow::Result<Format> {
        Ok(match raw {
            "table" => Format::Table,
            "csv" => Format::Csv,
            "json" => Format::Json,
            _ => anyhow::bail!("--format must be table, csv or json"),
        })
    }
}

/// One part of the report, as the API gives it.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    /// Per period.
    Summary(SummaryReport),
    /// Cohorts.
    Cohorts(CohortsReport),
    /// Kaplan–Meier.
    Survival(SurvivalReport),
    /// Churn audit.
    Audit(AuditReport),
}

impl Part {
    fn head(&self) -> &ReportHead {
        match self {
            Part::Summary(r) => &r.head,
            Part::Cohorts(r) => &r.head,
            Part::Survival(r) => &r.head,
            Part::Audit(r) => &r.head,
        }
    }

    fn json(&self) -> serde_json::Result<serde_json::Value> {
        match self {
            Part::Summary(r) => serde_json::to_value(r),
            Part::Cohorts(r) => serde_json::to_value(r),
            Part::Survival(r) => serde_json::to_value(r),
            Part::Audit(r) => serde_json::to_value(r),
        }
    }
}

/// The header of the summary table and CSV.
const SUMMARY_HEADER: &[&str] = &[
    "start",
    "end",
    "S",
    "E",
    "N",
    "lost",
    "lost_new",
    "reactivated",
    "crr",
    "retained_share",
    "churn_rate",
    "mrr0",
    "expansion",
    "contraction",
    "churned_mrr",
    "grr",
    "nrr",
    "complete",
];

/// Money in cents as a decimal number of units (`-0.50`, `12.34`).
fn cents(c: i64) -> String {
    let sign = if c < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", (c / 100).abs(), (c % 100).abs())
}

/// An undefined value: a dash in a table, empty in CSV.
fn blank(pretty: bool) -> Cell {
    Cell::text(if pretty { "–" } else { "" })
}

/// A fraction as JSON writes it (`1.0`, `0.25`), or as a percentage with two decimals in a
/// table.
fn ratio(v: Option<f64>, pretty: bool) -> Cell {
    match v {
        None => blank(pretty),
        Some(x) if pretty => Cell::text(format!("{:.2}%", x * 100.0)),
        Some(x) => json_number(x),
    }
}

/// A float written the way JSON writes it (`3.0`, not `3`).
fn json_number(x: f64) -> Cell {
    serde_json::Number::from_f64(x).map_or_else(|| Cell::text(""), Cell::number)
}

/// A fraction as a percentage with one decimal in a table, the plain number in CSV.
fn percent(v: Option<f64>, pretty: bool) -> Cell {
    match v {
        None => blank(pretty),
        Some(x) if pretty => Cell::text(format!("{:.1}%", x * 100.0)),
        Some(x) => Cell::number(x),
    }
}

/// Lays out rows as aligned columns (table) or comma-separated values (CSV through
/// `attune_domain::csv`: formulas neutralised, quoted where needed).
fn layout(header: &[String], rows: &[Vec<Cell>], format: Format) -> String {
    if format == Format::Csv {
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        return attune_domain::csv::document(&header, rows);
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            rows.iter()
                .map(|r| r.get(c).map_or(0, |s| s.raw().chars().count()))
                .chain([header[c].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<&str>| {
        cells
            .iter()
            .zip(&widths)
            .map(|(s, w)| format!("{s:>w$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    let mut out = line(header.iter().map(String::as_str).collect());
    out.push('\n');
    for r in rows {
        out.push_str(&line(r.iter().map(Cell::raw).collect()));
        out.push('\n');
    }
    out
}

fn owned(h: &[&str]) -> Vec<String> {
    h.iter().map(|s| (*s).to_owned()).collect()
}

/// Header, rows and footer of one part.
type Laid = (Vec<String>, Vec<Vec<Cell>>, String);

fn summary_rows(r: &SummaryReport, pretty: bool) -> Laid {
    let rows = r
        .periods
        .iter()
        .map(|p| {
            vec![
                Cell::text(p.start.clone()),
                Cell::text(p.end.clone()),
                Cell::number(p.S),
                Cell::number(p.E),
                Cell::number(p.N),
                Cell::number(p.lost),
                Cell::number(p.lost_new),
                Cell::number(p.reactivated),
                ratio(p.crr, pretty),
                ratio(p.retained_share, pretty),
                ratio(p.churn_rate, pretty),
                Cell::Number(cents(p.mrr0_cents)),
                Cell::Number(cents(p.expansion_cents)),
                Cell::Number(cents(p.contraction_cents)),
                Cell::Number(cents(p.churned_mrr_cents)),
                ratio(p.grr, pretty),
                ratio(p.nrr, pretty),
                Cell::text(p.complete.to_string()),
            ]
        })
        .collect();
    (
        owned(SUMMARY_HEADER),
        rows,
        "CRR = (E − N) / S; retained share = (S − lost) / S. They differ by lost_new / S:\n\
         customers who joined and left within one period count in N but not in E.\n"
            .to_owned(),
    )
}

/// Wide: one row a cohort, the share still active k periods later.
fn cohort_table(r: &CohortsReport) -> Laid {
    let width = r.cohorts.iter().map(|c| c.active.len()).max().unwrap_or(0);
    let mut header = owned(&["cohort", "size"]);
    header.extend((0..width).map(|k| format!("k={k}")));
    let rows = r
        .cohorts
        .iter()
        .map(|c| {
            let mut row = vec![Cell::text(c.start.clone()), Cell::number(c.size)];
            for k in 0..width {
                row.push(c.share.get(k).map_or(Cell::text(""), |v| percent(*v, true)));
            }
            row
        })
        .collect();
    (
        header,
        rows,
        "share of each cohort still active k periods after it started\n".to_owned(),
    )
}

/// Long: one row a cohort and k.
fn cohort_csv(r: &CohortsReport) -> Laid {
    let header = owned(&[
        "cohort",
        "size",
        "k",
        "active",
        "share",
        "revenue",
        "revenue_share",
    ]);
    let flat = |v: Option<&Option<f64>>| v.copied().flatten();
    let rows = r
        .cohorts
        .iter()
        .flat_map(|c| {
            (0..c.active.len()).map(move |k| {
                vec![
                    Cell::text(c.start.clone()),
                    Cell::number(c.size),
                    Cell::number(k),
                    c.active[k].map_or(Cell::text(""), Cell::number),
                    percent(flat(c.share.get(k)), false),
                    c.revenue_cents
                        .get(k)
                        .copied()
                        .flatten()
                        .map_or(Cell::text(""), |v| Cell::Number(cents(v))),
                    percent(flat(c.revenue_share.get(k)), false),
                ]
            })
        })
        .collect();
    (header, rows, String::new())
}

fn survival_rows(r: &SurvivalReport, pretty: bool) -> Laid {
    let header = owned(&[
        "time", "at_risk", "events", "censored", "survival", "ci_low", "ci_high",
    ]);
    let rows = r
        .steps
        .iter()
        .map(|s| {
            vec![
                json_number(s.time),
                Cell::number(s.at_risk),
                Cell::number(s.events),
                Cell::number(s.censored),
                percent(Some(s.survival), pretty),
                percent(s.ci95.map(|c| c[0]), pretty),
                percent(s.ci95.map(|c| c[1]), pretty),
            ]
        })
        .collect();
    // The median is written as the table writes every fraction (kept as it always was).
    let median = match r.median.0 {
        Median::At(t) => ratio(Some(t), true).raw().to_owned(),
        Median::NotReached => "not reached".to_owned(),
    };
    let unit = match r.unit {
        attune_retention::TimeUnit::Day => "day",
        attune_retention::TimeUnit::Month => "month",
    };
    let footer = format!(
        "{} customers, {} churned; median lifetime {median} {unit}s; restricted mean {:.2} up to {}\n",
        r.n,
        r.events,
        r.restricted_mean,
        json_number(r.horizon).raw(),
    );
    (header, rows, footer)
}

fn audit_rows(r: &AuditReport, pretty: bool) -> Laid {
    let header = owned(&[
        "value",
        "churned",
        "retained",
        "share_churned",
        "share_retained",
        "lift",
        "churn_rate",
        "test",
        "p_value",
    ]);
    let rows = r
        .rows
        .iter()
        .map(|row| {
            vec![
                Cell::text(row.value.as_deref().unwrap_or("(none)")),
                Cell::number(row.churned),
                Cell::number(row.retained),
                percent(row.share_churned, pretty),
                percent(row.share_retained, pretty),
                row.lift.map_or(Cell::text(""), |l| {
                    if pretty {
                        Cell::text(format!("{l:.2}"))
                    } else {
                        Cell::number(l)
                    }
                }),
                percent(row.churn_rate, pretty),
                Cell::text(row.test.map_or("", |t| t.name())),
                row.test.map_or(Cell::text(""), |t| {
                    let p = t.p_value();
                    if pretty {
                        Cell::text(format!("{p:.3e}"))
                    } else {
                        Cell::Number(format!("{p:e}"))
                    }
                }),
            ]
        })
        .collect();
    let footer = format!(
        "attribute {}; values with fewer than {} customers show counts only\n",
        r.attribute, r.min_support
    );
    (header, rows, footer)
}

/// Renders one part of the report.
pub fn render(part: &Part, format: Format) -> String {
    if format == Format::Json {
        // Through a `Value`, whose keys are sorted, as the command has always printed them.
        return part
            .json()
            .and_then(|v| serde_json::to_string_pretty(&v))
            .unwrap_or_default();
    }
    let pretty = format == Format::Table;
    let head = part.head();
    let basis = match head.basis {
        retention::output::BasisOut::Subscription { .. } => "subscription",
        retention::output::BasisOut::Activity { .. } => "activity",
    };
    let title = format!(
        "retention as of {} ({basis} basis, {} accounts)\n",
        head.as_of, head.n_accounts
    );
    let (header, rows, footer) = match part {
        Part::Summary(r) => summary_rows(r, pretty),
        Part::Cohorts(r) if pretty => cohort_table(r),
        Part::Cohorts(r) => cohort_csv(r),
        Part::Survival(r) => survival_rows(r, pretty),
        Part::Audit(r) => audit_rows(r, pretty),
    };
    let body = layout(&header, &rows, format);
    if pretty {
        format!("{title}{body}{footer}")
    } else {
        body
    }
}

/// The report's range and basis as given on the command line.
#[derive(Debug, Clone, Default)]
pub struct Range {
    /// `month`, `quarter`, `year` or `custom`.
    pub period: Option<String>,
    /// First day covered.
    pub from: Option<String>,
    /// First day not covered.
    pub to: Option<String>,
    /// The day the data is known as of.
    pub as_of: Option<String>,
    /// `subscription` or `activity`.
    pub basis: String,
    /// Subscription basis: gaps shorter than this merge.
    pub grace_days: Option<u32>,
    /// Activity basis: days a purchase keeps a customer active.
    pub window_days: Option<u32>,
}

/// What the CLI asks for beyond the shared parameters.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Survival unit (`day`, `month`).
    pub unit: Option<String>,
    /// Survival interval (`log`, `loglog`).
    pub ci: Option<String>,
    /// Audit attribute.
    pub attribute: Option<String>,
    /// Audit minimum support.
    pub min_support: u64,
}

/// A use case's error in the command's words: field problems name the flags.
fn flags(e: AppError) -> anyhow::Error {
    match e.fields() {
        Some(fields) => anyhow::anyhow!(
            "{}",
            fields
                .iter()
                .map(|f| format!("--{}: {}", f.field.replace('_', "-"), f.message))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        None => anyhow::anyhow!("computing the report: {e:?}"),
    }
}

/// Computes one part of the report for the organisation.
pub async fn compute(
    store: &dyn Store,
    org_id: &str,
    show: Show,
    range: &Range,
    options: &Options,
    now_ms: i64,
) -> anyhow::Result<Part> {
    let default_unit = match show {
        Show::Summary => attune_retention::PeriodUnit::Quarter,
        _ => attune_retention::PeriodUnit::Month,
    };
    let text = SpecText {
        period: range.period.as_deref(),
        from: range.from.as_deref(),
        to: range.to.as_deref(),
        as_of: range.as_of.as_deref(),
        basis: Some(&range.basis),
    };
    let spec = Spec::from_flags(
        text,
        range.grace_days,
        range.window_days,
        day_of_ms(now_ms),
        default_unit,
    )
    .map_err(flags)?;
    let part = match show {
        Show::Summary => Part::Summary(
            retention::summary(store, org_id, spec)
                .await
                .map_err(flags)?,
        ),
        Show::Cohorts => Part::Cohorts(
            retention::cohorts(store, org_id, spec)
                .await
                .map_err(flags)?,
        ),
        Show::Survival => {
            let opts = SurvivalOptions::parse(options.unit.as_deref(), options.ci.as_deref())
                .map_err(flags)?;
            Part::Survival(
                retention::survival(store, org_id, spec, opts)
                    .await
                    .map_err(flags)?,
            )
        }
        Show::Audit => {
            let attribute = options
                .attribute
                .clone()
                .ok_or_else(|| anyhow::anyhow!("--show audit needs --attribute NAME"))?;
            let opts = AuditOptions {
                attribute,
                min_support: options.min_support,
                period_start: None,
            };
            Part::Audit(
                retention::audit(store, org_id, spec, &opts)
                    .await
                    .map_err(flags)?,
            )
        }
    };
    Ok(part)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_where_needed_and_tables_aligned() {
        let header = vec!["value".to_owned(), "n".to_owned()];
        let rows = vec![
            vec![Cell::text("a, \"b\""), Cell::number(1)],
            vec![Cell::text("ລາວ"), Cell::number(22)],
            vec![Cell::text("=SUM(1)"), Cell::number(-3.5)],
        ];
        assert_eq!(
            layout(&header, &rows, Format::Csv),
            "value,n\n\"a, \"\"b\"\"\",1\nລາວ,22\n\"'=SUM(1)\",-3.5\n"
        );
        assert_eq!(
            layout(&header, &rows, Format::Table),
            "  value     n\n a, \"b\"     1\n    ລາວ    22\n=SUM(1)  -3.5\n"
        );
    }

    #[test]
    fn cents_keep_their_sign() {
        assert_eq!(cents(-50), "-0.50");
        assert_eq!(cents(-1234), "-12.34");
        assert_eq!(cents(705), "7.05");
    }

    #[test]
    fn parts_and_formats_are_named() {
        assert_eq!(Show::parse("audit").ok(), Some(Show::Audit));
        assert!(Show::parse("everything").is_err());
        assert!(Format::parse("xml").is_err());
    }
}
