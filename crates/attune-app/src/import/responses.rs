//! Survey responses from CSV: one row a response, a column per question key (or mapped), the
//! optional columns of [`META`]. Checked whole before anything is written, then stored all or
//! nothing. Each row's dedup key is its `response_id` column, else a hash of the row, so
//! re-importing a file stores nothing twice.

use std::collections::HashMap;
use std::io::Read;

use attune_domain::response::{Channel, NewResponse, ResponseInput};
use attune_storage::Store;
use attune_storage::model::{ImportOutcome, Survey};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::RowError;
use crate::{AppError, AppResult};

/// Columns that are not answers, with the response field each fills.
pub const META: &[&str] = &[
    "submitted_at",
    "language",
    "channel",
    "email",
    "name",
    "account_external_id",
    "account_name",
    "response_id",
];

/// Most problems reported for one file.
const MAX_ERRORS: usize = 50;

/// `(field, column, index)`: which column feeds each question and meta field.
type Plan = Vec<(String, String, usize)>;

fn header_problem(column: Option<String>, message: String) -> RowError {
    RowError {
        line: 1,
        column,
        message,
    }
}

/// Matches the header against the survey's questions, [`META`] and the mappings.
fn plan(
    survey: &Survey,
    headers: &csv::StringRecord,
    maps: &HashMap<String, String>,
) -> Result<Plan, Vec<RowError>> {
    let index: HashMap<&str, usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim(), i))
        .collect();
    let column_of = |field: &str| maps.get(field).cloned().unwrap_or_else(|| field.to_owned());
    let mut plan = Vec::new();
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
            None if maps.contains_key(key) => errors.push(header_problem(
                Some(col.clone()),
                format!("`--map {key}={col}` names a column the file does not have"),
            )),
            None => {}
        }
    }
    for k in maps.keys() {
        if survey.definition.question(k).is_none() && !META.contains(&k.as_str()) {
            errors.push(header_problem(
                None,
                format!(
                    "`--map {k}=…`: `{k}` is neither a question of this survey nor one of {}",
                    META.join(", ")
                ),
            ));
        }
    }
    if !plan
        .iter()
        .any(|(k, _, _)| survey.definition.question(k).is_some())
    {
        errors.push(header_problem(
            None,
            "no column matches a question key of this survey; use --map question=column".into(),
        ));
    }
    if errors.is_empty() {
        Ok(plan)
    } else {
        Err(errors)
    }
}

/// The response a record describes, or its problems (each with its column).
fn row_response(
    survey: &Survey,
    plan: &Plan,
    record: &csv::StringRecord,
    line: u64,
    now_ms: i64,
) -> Result<NewResponse, Vec<RowError>> {
    let mut answers = Map::new();
    let mut meta: HashMap<&str, String> = HashMap::new();
    for (key, _, i) in plan {
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
    // A name alone cannot say which account it is (names repeat and change): refuse it here,
    // before anything is stored, rather than drop it and make the corrected file a re-import.
    if meta.contains_key("account_name") && !meta.contains_key("account_external_id") {
        let column = plan
            .iter()
            .find(|(k, _, _)| k == "account_name")
            .map(|(_, c, _)| c.clone());
        return Err(vec![RowError {
            line,
            column,
            message: "an account name needs the account's id (an `account_external_id` column) \
                      to say which account it is"
                .into(),
        }]);
    }
    let dedup = meta.get("response_id").cloned().unwrap_or_else(|| {
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
            Ok(r)
        }
        Err(invalid) => Err(invalid
            .0
            .into_iter()
            .map(|e| {
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
                RowError {
                    line,
                    column,
                    message: e.message,
                }
            })
            .collect()),
    }
}

/// Reads and checks every row. Returns the responses, or every row error (up to 50); an
/// error reading the input itself is the outer error.
pub fn parse_csv(
    survey: &Survey,
    reader: impl Read,
    maps: &HashMap<String, String>,
    now_ms: i64,
    progress: &mut dyn FnMut(u64),
) -> AppResult<Result<Vec<NewResponse>, Vec<RowError>>> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(reader);
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) if e.is_io_error() => {
            return Err(AppError::Internal(format!("reading the CSV header: {e}")));
        }
        Err(e) => {
            return Ok(Err(vec![header_problem(
                None,
                format!("the header row cannot be read: {e}"),
            )]));
        }
    };
    let plan = match plan(survey, &headers, maps) {
        Ok(p) => p,
        Err(errors) => return Ok(Err(errors)),
    };
    let mut out = Vec::new();
    let mut errors = Vec::new();
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
                if errors.len() >= MAX_ERRORS {
                    break;
                }
                continue;
            }
        };
        match row_response(survey, &plan, &record, line, now_ms) {
            Ok(r) => out.push(r),
            Err(mut e) => {
                errors.append(&mut e);
                if errors.len() >= MAX_ERRORS {
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

/// Stores checked responses, all or nothing (chunked transactions, invisible until the last);
/// `progress` gets the rows stored so far.
#[tracing::instrument(skip_all, fields(org.id = %org_id, survey.id = %survey.id, rows = responses.len()))]
pub async fn store_responses(
    store: &dyn Store,
    org_id: &str,
    survey: &Survey,
    responses: &[NewResponse],
    now_ms: i64,
    progress: &(dyn Fn(u64) + Send + Sync),
) -> AppResult<ImportOutcome> {
    Ok(store
        .import_responses(org_id, survey, responses, now_ms, progress)
        .await?)
}
