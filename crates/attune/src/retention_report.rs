//! `attune report retention`: one part of an organisation's retention report (the period
//! summary, the cohort table, the survival curve or the churn audit) as a table, CSV or JSON,
//! computed by the same code as `/api/v1/retention/…`.

use attune_domain::csv::Cell;
use attune_storage::Store;
use attune_web::retention::{
    RetentionParams, Spec, audit_report, day_of_ms, survival_options, with_report,
};
use serde_json::Value;

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

/// The columns of the table and CSV, with their JSON keys.
const COLUMNS: &[(&str, &str)] = &[
    ("start", "start"),
    ("end", "end"),
    ("S", "S"),
    ("E", "E"),
    ("N", "N"),
    ("lost", "lost"),
    ("lost_new", "lost_new"),
    ("reactivated", "reactivated"),
    ("crr", "crr"),
    ("retained_share", "retained_share"),
    ("churn_rate", "churn_rate"),
    ("mrr0", "mrr0_cents"),
    ("expansion", "expansion_cents"),
    ("contraction", "contraction_cents"),
    ("churned_mrr", "churned_mrr_cents"),
    ("grr", "grr"),
    ("nrr", "nrr"),
    ("complete", "complete"),
];

/// Money in cents as a decimal number of units (`-0.50`, `12.34`).
fn cents(c: i64) -> String {
    let sign = if c < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", (c / 100).abs(), (c % 100).abs())
}

/// One JSON value as a cell: numbers stay numbers, strings are text (and so neutralised in
/// CSV when they start like a formula).
fn cell(key: &str, v: &Value, pretty: bool) -> Cell {
    match v {
        Value::Null => Cell::text(if pretty { "–" } else { "" }),
        Value::Number(n) if key.ends_with("_cents") => n
            .as_i64()
            .map_or_else(|| Cell::number(n), |c| Cell::Number(cents(c))),
        Value::Number(n) if pretty && n.is_f64() => {
            Cell::text(format!("{:.2}%", n.as_f64().unwrap_or(0.0) * 100.0))
        }
        Value::Number(n) => Cell::number(n),
        Value::String(s) => Cell::text(s.clone()),
        other => Cell::text(other.to_string()),
    }
}

/// Lays out rows as aligned columns (table) or comma-separated values (CSV through
/// `attune_domain::csv`: formulas neutralised, quoted where needed).
fn layout(header: &[String], rows: &[Vec<Cell>], format: Format) -> String {
    let mut out = String::new();
    match format {
        Format::Csv => {
            let header: Vec<&str> = header.iter().map(String::as_str).collect();
            out = attune_domain::csv::document(&header, rows);
        }
        _ => {
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
            out.push_str(&line(header.iter().map(String::as_str).collect()));
            out.push('\n');
            for r in rows {
                out.push_str(&line(r.iter().map(Cell::raw).collect()));
                out.push('\n');
            }
        }
    }
    out
}

fn percent(v: &Value, pretty: bool) -> Cell {
    match v.as_f64() {
        None => Cell::text(if pretty { "–" } else { "" }),
        Some(x) if pretty => Cell::text(format!("{:.1}%", x * 100.0)),
        Some(x) => Cell::number(x),
    }
}

/// Renders one part of the report (its JSON, as the API gives it).
pub fn render(show: Show, report: &Value, format: Format) -> String {
    if format == Format::Json {
        return serde_json::to_string_pretty(report).unwrap_or_default();
    }
    let pretty = format == Format::Table;
    let title = format!(
        "retention as of {} ({} basis, {} accounts)\n",
        cell("", &report["as_of"], true).raw(),
        cell("", &report["basis"], true).raw(),
        report["n_accounts"]
    );
    let items = |key: &str| report[key].as_array().cloned().unwrap_or_default();
    let owned = |h: &[&str]| -> Vec<String> { h.iter().map(|s| (*s).to_owned()).collect() };
    let (header, rows, footer): (Vec<String>, Vec<Vec<Cell>>, String) = match show {
        Show::Summary => (
            COLUMNS.iter().map(|(h, _)| (*h).to_owned()).collect(),
            items("periods")
                .iter()
                .map(|p| {
                    COLUMNS
                        .iter()
                        .map(|(_, k)| cell(k, &p[*k], pretty))
                        .collect()
                })
                .collect(),
            "CRR = (E − N) / S; retained share = (S − lost) / S. They differ by lost_new / S:\n\
             customers who joined and left within one period count in N but not in E.\n"
                .to_owned(),
        ),
        Show::Cohorts if pretty => {
            // Wide: one row a cohort, the share still active k periods later.
            let cohorts = items("cohorts");
            let width = cohorts
                .iter()
                .map(|c| c["active"].as_array().map_or(0, Vec::len))
                .max()
                .unwrap_or(0);
            let mut header = owned(&["cohort", "size"]);
            header.extend((0..width).map(|k| format!("k={k}")));
            let rows = cohorts
                .iter()
                .map(|c| {
                    let mut r = vec![cell("", &c["start"], true), cell("", &c["size"], false)];
                    for k in 0..width {
                        r.push(
                            c["share"]
                                .get(k)
                                .map_or(Cell::text(""), |v| percent(v, true)),
                        );
                    }
                    r
                })
                .collect();
            (
                header,
                rows,
                "share of each cohort still active k periods after it started\n".to_owned(),
            )
        }
        Show::Cohorts => (
            owned(&[
                "cohort",
                "size",
                "k",
                "active",
                "share",
                "revenue",
                "revenue_share",
            ]),
            items("cohorts")
                .iter()
                .flat_map(|c| {
                    let n = c["active"].as_array().map_or(0, Vec::len);
                    (0..n)
                        .map(|k| {
                            vec![
                                cell("", &c["start"], false),
                                cell("", &c["size"], false),
                                Cell::number(k),
                                cell("", &c["active"][k], false),
                                percent(&c["share"][k], false),
                                cell("revenue_cents", &c["revenue_cents"][k], false),
                                percent(&c["revenue_share"][k], false),
                            ]
                        })
                        .collect::<Vec<_>>()
                })
                .collect(),
            String::new(),
        ),
        Show::Survival => (
            owned(&[
                "time", "at_risk", "events", "censored", "survival", "ci_low", "ci_high",
            ]),
            items("steps")
                .iter()
                .map(|s| {
                    vec![
                        cell("", &s["time"], false),
                        cell("", &s["at_risk"], false),
                        cell("", &s["events"], false),
                        cell("", &s["censored"], false),
                        percent(&s["survival"], pretty),
                        percent(&s["ci95"][0], pretty),
                        percent(&s["ci95"][1], pretty),
                    ]
                })
                .collect(),
            format!(
                "{} customers, {} churned; median lifetime {} {}s; restricted mean {} up to {}\n",
                report["n"],
                report["events"],
                cell("", &report["median"], true).raw(),
                cell("", &report["unit"], true).raw(),
                report["restricted_mean"]
                    .as_f64()
                    .map_or("–".to_owned(), |m| format!("{m:.2}")),
                report["horizon"]
            ),
        ),
        Show::Audit => (
            owned(&[
                "value",
                "churned",
                "retained",
                "share_churned",
                "share_retained",
                "lift",
                "churn_rate",
                "test",
                "p_value",
            ]),
            items("rows")
                .iter()
                .map(|r| {
                    vec![
                        Cell::text(r["value"].as_str().unwrap_or("(none)")),
                        cell("", &r["churned"], false),
                        cell("", &r["retained"], false),
                        percent(&r["share_churned"], pretty),
                        percent(&r["share_retained"], pretty),
                        r["lift"].as_f64().map_or(Cell::text(""), |l| {
                            if pretty {
                                Cell::text(format!("{l:.2}"))
                            } else {
                                Cell::number(l)
                            }
                        }),
                        percent(&r["churn_rate"], pretty),
                        Cell::text(r["test"]["test"].as_str().unwrap_or("")),
                        r["test"]["p_value"].as_f64().map_or(Cell::text(""), |p| {
                            if pretty {
                                Cell::text(format!("{p:.3e}"))
                            } else {
                                Cell::Number(format!("{p:e}"))
                            }
                        }),
                    ]
                })
                .collect(),
            format!(
                "attribute {}; values with fewer than {} customers show counts only\n",
                cell("", &report["attribute"], true).raw(),
                report["min_support"]
            ),
        ),
    };
    let body = layout(&header, &rows, format);
    if pretty {
        format!("{title}{body}{footer}")
    } else {
        body
    }
}

/// What the CLI asks for beyond the shared parameters.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Survival unit (`day`, `month`) and interval (`log`, `loglog`).
    pub unit: Option<String>,
    /// Survival interval.
    pub ci: Option<String>,
    /// Audit attribute.
    pub attribute: Option<String>,
    /// Audit minimum support.
    pub min_support: u64,
}

/// Computes one part of the report for the organisation.
pub async fn compute(
    store: &dyn Store,
    org_id: &str,
    show: Show,
    params: &RetentionParams,
    options: &Options,
    now_ms: i64,
) -> anyhow::Result<Value> {
    let flags = |e: attune_domain::Invalid| {
        anyhow::anyhow!(
            "{}",
            e.0.iter()
                .map(|f| format!("--{}: {}", f.field.replace('_', "-"), f.message))
                .collect::<Vec<_>>()
                .join("; ")
        )
    };
    let default_unit = match show {
        Show::Summary => attune_retention::PeriodUnit::Quarter,
        _ => attune_retention::PeriodUnit::Month,
    };
    let spec = Spec::parse(params, day_of_ms(now_ms), default_unit).map_err(flags)?;
    let failed = |e: attune_web::ApiError| match e {
        attune_web::ApiError::Invalid(fields) => flags(attune_domain::Invalid(fields)),
        other => anyhow::anyhow!("computing the report: {other:?}"),
    };
    match show {
        Show::Summary => with_report(store, org_id, spec, |r| Ok(r.summary_json()))
            .await
            .map_err(failed),
        Show::Cohorts => with_report(store, org_id, spec, |r| Ok(r.cohorts_json()))
            .await
            .map_err(failed),
        Show::Survival => {
            let q = RetentionParams {
                unit: options.unit.clone(),
                ci: options.ci.clone(),
                ..RetentionParams::default()
            };
            let (unit, ci) = survival_options(&q).map_err(flags)?;
            with_report(store, org_id, spec, move |r| Ok(r.survival_json(unit, ci)))
                .await
                .map_err(failed)
        }
        Show::Audit => {
            let attribute = options
                .attribute
                .as_deref()
                .ok_or_else(|| anyhow::anyhow!("--show audit needs --attribute NAME"))?;
            audit_report(store, org_id, spec, attribute, None, options.min_support)
                .await
                .map_err(failed)
        }
    }
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
