//! `attune report retention`: the period summary of one organisation as a table, CSV or JSON,
//! computed by the same code as `/api/v1/retention/summary`.

use attune_storage::Store;
use attune_web::retention::{RetentionParams, Spec, day_of_ms, with_report};
use serde_json::Value;

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

fn cell(key: &str, v: &Value, pretty: bool) -> String {
    match v {
        Value::Null => if pretty { "–" } else { "" }.to_owned(),
        Value::Number(n) if key.ends_with("_cents") => n.as_i64().map_or_else(
            || n.to_string(),
            |c| format!("{}.{:02}", c / 100, (c % 100).abs()),
        ),
        Value::Number(n) if pretty && n.is_f64() => {
            format!("{:.2}%", n.as_f64().unwrap_or(0.0) * 100.0)
        }
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Renders the summary JSON.
pub fn render(summary: &Value, format: Format) -> String {
    let periods = summary["periods"].as_array().cloned().unwrap_or_default();
    match format {
        Format::Json => serde_json::to_string_pretty(summary).unwrap_or_default(),
        Format::Csv => {
            let mut out = String::new();
            let header: Vec<&str> = COLUMNS.iter().map(|(h, _)| *h).collect();
            out.push_str(&header.join(","));
            out.push('\n');
            for p in &periods {
                let row: Vec<String> = COLUMNS
                    .iter()
                    .map(|(_, k)| cell(k, &p[*k], false))
                    .collect();
                out.push_str(&row.join(","));
                out.push('\n');
            }
            out
        }
        Format::Table => {
            let mut grid: Vec<Vec<String>> =
                vec![COLUMNS.iter().map(|(h, _)| (*h).to_owned()).collect()];
            for p in &periods {
                grid.push(COLUMNS.iter().map(|(_, k)| cell(k, &p[*k], true)).collect());
            }
            let widths: Vec<usize> = (0..COLUMNS.len())
                .map(|c| grid.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
                .collect();
            let mut out = format!(
                "retention as of {} ({} basis, {} accounts)\n",
                cell("", &summary["as_of"], true),
                cell("", &summary["basis"], true),
                summary["n_accounts"]
            );
            for row in grid {
                let line: Vec<String> = row
                    .iter()
                    .zip(&widths)
                    .map(|(s, w)| format!("{s:>w$}"))
                    .collect();
                out.push_str(line.join("  ").trim_end());
                out.push('\n');
            }
            out.push_str(
                "CRR = (E − N) / S; retained share = (S − lost) / S. They differ by lost_new / S:\n\
                 customers who joined and left within one period count in N but not in E.\n",
            );
            out
        }
    }
}

/// Computes the summary for the organisation.
pub async fn summary(
    store: &dyn Store,
    org_id: &str,
    params: &RetentionParams,
    now_ms: i64,
) -> anyhow::Result<Value> {
    let spec = Spec::parse(
        params,
        day_of_ms(now_ms),
        attune_retention::PeriodUnit::Quarter,
    )
    .map_err(|e| {
        anyhow::anyhow!(
            "{}",
            e.0.iter()
                .map(|f| format!("--{}: {}", f.field.replace('_', "-"), f.message))
                .collect::<Vec<_>>()
                .join("; ")
        )
    })?;
    with_report(store, org_id, spec, |r| Ok(r.summary_json()))
        .await
        .map_err(|e| anyhow::anyhow!("computing the report: {e:?}"))
}
