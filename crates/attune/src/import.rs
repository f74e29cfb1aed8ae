//! `attune import responses`: a CSV file into one survey, checked whole before anything is
//! written, then stored in one transaction (all or nothing). Re-importing the same file stores
//! nothing twice: each row's dedup key is its `response_id` column, else a hash of the row.

use std::collections::HashMap;
use std::io::Read;
use std::time::Instant;

use anyhow::Context;
use attune_domain::response::{Channel, NewResponse, ResponseInput};
use attune_storage::Store;
use attune_storage::model::{ImportOutcome, Survey};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// Columns that are not answers, with the response field each fills.
const META: &[&str] = &[
    "submitted_at",
    "language",
    "channel",
    "email",
    "name",
    "account_external_id",
    "account_name",
    "response_id",
];

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

/// Parses `question=column` mappings.
pub fn parse_maps(maps: &[String]) -> anyhow::Result<HashMap<String, String>> {
    maps.iter()
        .map(|m| {
            m.split_once('=')
                .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                .filter(|(k, v)| !k.is_empty() && !v.is_empty())
                .with_context(|| format!("`--map {m}` must look like question=column"))
        })
        .collect()
}

/// Reads and checks every row. Returns the responses, or every row error (up to `max_errors`).
pub fn parse_csv(
    survey: &Survey,
    reader: impl Read,
    maps: &HashMap<String, String>,
    now_ms: i64,
    progress: &mut dyn FnMut(u64),
) -> anyhow::Result<Result<Vec<NewResponse>, Vec<RowError>>> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(reader);
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) if e.is_io_error() => return Err(e).context("reading the CSV header"),
        Err(e) => {
            return Ok(Err(vec![RowError {
                line: 1,
                column: None,
                message: format!("the header row cannot be read: {e}"),
            }]));
        }
    };
    let index: HashMap<&str, usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim(), i))
        .collect();
    let column_of = |field: &str| maps.get(field).cloned().unwrap_or_else(|| field.to_owned());
    // Which column feeds each question and meta field.
    let mut plan: Vec<(String, String, usize)> = Vec::new();
    let mut errors = Vec::new();
    for key in survey
        .definition
        .questions
        .iter()
        .map(|q| q.key.as_str())
        .chain(META.iter().copied())
    {
        let col = column_of(key);
        match index.get(col.as_str()) {
            Some(&i) => plan.push((key.to_owned(), col, i)),
            None if maps.contains_key(key) => errors.push(RowError {
                line: 1,
                column: Some(col.clone()),
                message: format!("`--map {key}={col}` names a column the file does not have"),
            }),
            None => {}
        }
    }
    for k in maps.keys() {
        if survey.definition.question(k).is_none() && !META.contains(&k.as_str()) {
            errors.push(RowError {
                line: 1,
                column: None,
                message: format!(
                    "`--map {k}=…`: `{k}` is neither a question of this survey nor one of {}",
                    META.join(", ")
                ),
            });
        }
    }
    if !plan
        .iter()
        .any(|(k, _, _)| survey.definition.question(k).is_some())
    {
        errors.push(RowError {
            line: 1,
            column: None,
            message: "no column matches a question key of this survey; use --map question=column"
                .into(),
        });
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let mut out = Vec::new();
    for (n, record) in rdr.records().enumerate() {
        let line = n as u64 + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(RowError {
                    line,
                    column: None,
                    message: e.to_string(),
                });
                if errors.len() >= 50 {
                    break;
                }
                continue;
            }
        };
        let mut answers = Map::new();
        let mut meta: HashMap<&str, String> = HashMap::new();
        for (key, _, i) in &plan {
            let cell = record.get(*i).unwrap_or_default().trim();
            if cell.is_empty() {
                continue;
            }
            if let Some(q) = survey.definition.question(key) {
                let v = match q.qtype {
                    attune_domain::survey::QuestionType::MultiChoice => Value::from(
                        cell.split(';')
                            .map(|s| s.trim().to_owned())
                            .collect::<Vec<_>>(),
                    ),
                    _ => Value::from(cell.to_owned()),
                };
                answers.insert(key.clone(), v);
            } else {
                meta.insert(key.as_str(), cell.to_owned());
            }
        }
        let external = meta.get("response_id").cloned();
        let dedup = external.clone().unwrap_or_else(|| {
            let mut h = Sha256::new();
            h.update(survey.id.as_bytes());
            for f in record.iter() {
                h.update([0x1f]);
                h.update(f.as_bytes());
            }
            h.finalize().iter().map(|b| format!("{b:02x}")).collect()
        });
        let input = ResponseInput {
            answers: Some(answers),
            language: meta.get("language").cloned(),
            channel: meta.get("channel").cloned(),
            contact: meta
                .get("email")
                .map(|e| attune_domain::response::ContactRef {
                    email: Some(e.clone()),
                    name: meta.get("name").cloned(),
                }),
            account: meta
                .get("account_external_id")
                .map(|a| attune_domain::response::AccountRef {
                    external_id: Some(a.clone()),
                    name: meta.get("account_name").cloned(),
                }),
            submitted_at: meta.get("submitted_at").cloned(),
            metadata: None,
            external_id: None,
        };
        match NewResponse::parse(&survey.definition, input, Channel::Import, now_ms) {
            Ok(mut r) => {
                r.dedup_key = Some(format!("import:{dedup}"));
                out.push(r);
            }
            Err(invalid) => {
                for e in invalid.0 {
                    let field = e.field.strip_prefix("answers.").unwrap_or(&e.field);
                    let field = match field {
                        "contact.email" => "email",
                        "account.external_id" => "account_external_id",
                        f => f,
                    };
                    let column = plan
                        .iter()
                        .find(|(k, _, _)| k == field)
                        .map(|(_, c, _)| c.clone());
                    errors.push(RowError {
                        line,
                        column,
                        message: e.message,
                    });
                }
                if errors.len() >= 50 {
                    break;
                }
            }
        }
        if line.is_multiple_of(10_000) {
            progress(line - 1);
        }
    }
    progress(out.len() as u64 + errors.len() as u64);
    Ok(if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    })
}

/// Checks and stores a whole file. Prints progress to stderr.
pub async fn import_file(
    store: &dyn Store,
    org_id: &str,
    survey: &Survey,
    path: &std::path::Path,
    maps: &HashMap<String, String>,
    now_ms: i64,
) -> anyhow::Result<ImportOutcome> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let started = Instant::now();
    let mut report = |rows: u64| {
        let secs = started.elapsed().as_secs_f64().max(1e-3);
        eprint!(
            "\rchecked {rows} rows ({:.0} rows/s)   ",
            rows as f64 / secs
        );
    };
    let parsed = parse_csv(
        survey,
        std::io::BufReader::new(file),
        maps,
        now_ms,
        &mut report,
    )?;
    eprintln!();
    let responses = match parsed {
        Ok(r) => r,
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
    eprintln!(
        "storing {} responses ({} bytes) in one transaction…",
        responses.len(),
        size
    );
    let total = responses.len() as u64;
    let storing = Instant::now();
    let bar = move |done: u64| {
        eprint!(
            "\r{}",
            progress_bar(done, total, storing.elapsed().as_secs_f64())
        )
    };
    let outcome = store
        .import_responses(org_id, survey, &responses, now_ms, &bar)
        .await
        .context("storing the import (nothing was written)")?;
    eprintln!();
    eprintln!(
        "done in {:.1}s: {} stored, {} already present",
        started.elapsed().as_secs_f64(),
        outcome.inserted,
        outcome.duplicates
    );
    Ok(outcome)
}

/// `[########            ]  40% 400000/1000000 (52000/s)`
pub fn progress_bar(done: u64, total: u64, secs: f64) -> String {
    const WIDTH: u64 = 30;
    let filled = (done.min(total) * WIDTH)
        .checked_div(total)
        .unwrap_or(WIDTH);
    let percent = (done.min(total) * 100).checked_div(total).unwrap_or(100);
    format!(
        "[{}{}] {percent:>3}% {done}/{total} ({:.0}/s)",
        "#".repeat(filled as usize),
        " ".repeat((WIDTH - filled) as usize),
        done as f64 / secs.max(1e-3)
    )
}

#[cfg(test)]
mod tests {
    use super::progress_bar;

    #[test]
    fn the_bar_fills_with_the_work() {
        assert_eq!(
            progress_bar(0, 10, 1.0),
            format!("[{}]   0% 0/10 (0/s)", " ".repeat(30))
        );
        assert!(progress_bar(5, 10, 1.0).starts_with(&format!(
            "[{}{}]  50%",
            "#".repeat(15),
            " ".repeat(15)
        )));
        assert!(progress_bar(10, 10, 2.0).ends_with("100% 10/10 (5/s)"));
        assert!(
            progress_bar(0, 0, 1.0).contains("100%"),
            "an empty import is complete"
        );
    }
}
