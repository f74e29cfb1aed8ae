//! Accounts and people from CSV files in the layouts CRMs export ([`super::crm_layouts`]) or
//! with Attune's field names: every row checked first (problems by line and column), then the
//! whole file stored in one transaction through the sync ([`crate::customers::sync`]), so a
//! file is all or nothing and importing it again changes nothing.

use std::collections::HashMap;

use attune_domain::Invalid;
use attune_domain::customer::{Domain, MembershipRole, Roles, parse_time_zone};
use attune_domain::period::parse_day;
use attune_domain::text::{Email, LanguageTag, parse_name};
use attune_storage::Store;
use attune_storage::model::{
    AccountRef, AccountSync, MembershipSync, PersonSync, SyncBatch, SyncList, SyncRefusal, User,
};

use super::crm_layouts::{
    ACCOUNT_FIELDS, PERSON_FIELDS, aliases, crm_role, detect, normalise, size_band,
};
pub use super::crm_layouts::{Layout, Target};
use super::{RowError, Table};
use crate::AppResult;
use crate::customers::sync::{SyncReport, sync};

const MAX_ERRORS: usize = 50;
const MAX_TEXT: usize = 200;
const DAY_MS: i64 = 86_400_000;

/// How `03/04/2024` is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    /// Month first (US).
    MonthFirst,
    /// Day first.
    DayFirst,
}

impl DateOrder {
    /// `mdy` or `dmy`.
    pub fn parse(raw: &str) -> Option<DateOrder> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "mdy" => Some(DateOrder::MonthFirst),
            "dmy" => Some(DateOrder::DayFirst),
            _ => None,
        }
    }
}

/// How to read a file.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The layout; detected from the header when `None`.
    pub layout: Option<Layout>,
    /// field → column, for columns with other names.
    pub maps: HashMap<String, String>,
    /// Columns kept as custom attributes of each account (accounts files only).
    pub attributes: Vec<String>,
    /// How slashed dates are read; ISO dates need none.
    pub date_order: Option<DateOrder>,
}

/// A checked file, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// The layout it was read in.
    pub layout: Layout,
    /// What to store.
    pub batch: SyncBatch,
    /// Each batch row's first line in the file.
    pub lines: Vec<u64>,
    /// Columns no field reads (left out of the import).
    pub ignored: Vec<String>,
    /// field → the header of the column it reads (the first, for fields that read several).
    columns: HashMap<&'static str, String>,
}

/// Which column(s) each field reads.
struct Plan {
    target: Target,
    layout: Layout,
    columns: HashMap<&'static str, Vec<usize>>,
    attributes: Vec<usize>,
}

fn header_error(column: Option<String>, message: String) -> RowError {
    RowError {
        line: 1,
        column,
        message,
    }
}

fn fields(target: Target) -> &'static [&'static str] {
    match target {
        Target::Accounts => ACCOUNT_FIELDS,
        Target::People => PERSON_FIELDS,
    }
}

fn plan(target: Target, table: &Table, opts: &Options) -> Result<Plan, Vec<RowError>> {
    let layout = opts.layout.unwrap_or_else(|| detect(target, &table.header));
    let mut errors = Vec::new();
    let find_exact = |col: &str| table.header.iter().position(|h| h == col);
    for k in opts.maps.keys() {
        if !fields(target).contains(&k.as_str()) {
            errors.push(header_error(
                None,
                format!(
                    "`--map {k}=…`: `{k}` is not one of {}",
                    fields(target).join(", ")
                ),
            ));
        }
    }
    let mut columns = HashMap::new();
    for &field in fields(target) {
        let found: Vec<usize> = match opts.maps.get(field) {
            Some(col) => match find_exact(col) {
                Some(i) => vec![i],
                None => {
                    errors.push(header_error(
                        Some(col.clone()),
                        format!(
                            "no column `{col}` for {field} (the header has: {})",
                            table.header.join(", ")
                        ),
                    ));
                    continue;
                }
            },
            None => {
                let own = normalise(field);
                let wanted: Vec<&str> = aliases(target, layout, field)
                    .iter()
                    .copied()
                    .chain(std::iter::once(own.as_str()))
                    .collect();
                let mut hits: Vec<usize> = Vec::new();
                for w in wanted {
                    for (i, h) in table.header.iter().enumerate() {
                        if normalise(h) == w && !hits.contains(&i) {
                            hits.push(i);
                        }
                    }
                }
                hits
            }
        };
        if !found.is_empty() {
            columns.insert(field, found);
        }
    }
    let mut attributes = Vec::new();
    for col in &opts.attributes {
        match (target, find_exact(col)) {
            (Target::People, _) => errors.push(header_error(
                Some(col.clone()),
                "--attribute is for accounts files: people have no custom attributes".into(),
            )),
            (Target::Accounts, Some(i)) => attributes.push(i),
            (Target::Accounts, None) => errors.push(header_error(
                Some(col.clone()),
                format!("no column `{col}` to keep as an attribute"),
            )),
        }
    }
    let required: &[&str] = match (target, layout) {
        (Target::Accounts, Layout::Attune) => &["external_id"],
        (Target::Accounts, _) => &["crm_id"],
        (Target::People, _) => &["email"],
    };
    for f in required {
        if !columns.contains_key(f) {
            errors.push(header_error(
                None,
                format!(
                    "no column for {f} in this {} file (the header has: {}); use --map {f}=COLUMN",
                    layout.as_str(),
                    table.header.join(", ")
                ),
            ));
        }
    }
    if errors.is_empty() {
        Ok(Plan {
            target,
            layout,
            columns,
            attributes,
        })
    } else {
        Err(errors)
    }
}

/// Reads a day from a CRM's date or date-time: ISO 8601 (`2024-03-15`, `2024-03-15 10:22`,
/// `2024-03-15T10:22:31.000Z`), `YYYY/MM/DD`, or `M/D/YYYY` and `D/M/YYYY` when the order is
/// given or the date can only be read one way.
pub fn parse_when(raw: &str, order: Option<DateOrder>) -> Result<i64, String> {
    let s = raw.trim();
    let date = s.split([' ', 'T']).next().unwrap_or_default();
    let bad = || {
        format!(
            "`{s}` is not a date (YYYY-MM-DD; M/D/YYYY or D/M/YYYY with --date-order mdy or dmy)"
        )
    };
    let iso = |y: &str, m: &str, d: &str| {
        parse_day("date", &format!("{y:0>4}-{m:0>2}-{d:0>2}")).map_err(|_| bad())
    };
    if date.len() == 10 && date.as_bytes()[4] == b'-' {
        return iso(&date[..4], &date[5..7], &date[8..]);
    }
    let parts: Vec<&str> = date.split('/').collect();
    let [a, b, c] = parts[..] else {
        return Err(bad());
    };
    if a.len() == 4 {
        return iso(a, b, c);
    }
    if c.len() != 4 {
        return Err(bad());
    }
    let (x, y): (u32, u32) = (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
    let order = match order {
        Some(o) => o,
        None if x > 12 => DateOrder::DayFirst,
        None if y > 12 => DateOrder::MonthFirst,
        None if x == y => DateOrder::MonthFirst,
        None => {
            return Err(format!(
                "`{s}` could be read as month/day or day/month: give --date-order mdy or dmy"
            ));
        }
    };
    match order {
        DateOrder::MonthFirst => iso(c, a, b),
        DateOrder::DayFirst => iso(c, b, a),
    }
}

/// One record being checked.
struct Row<'a> {
    line: u64,
    cells: &'a [String],
    plan: &'a Plan,
    header: &'a [String],
    errors: &'a mut Vec<RowError>,
}

impl<'a> Row<'a> {
    fn cells_of(&self, field: &str) -> Vec<(usize, &'a str)> {
        let cells: &'a [String] = self.cells;
        let plan: &'a Plan = self.plan;
        plan.columns
            .get(field)
            .map(|cols| {
                cols.iter()
                    .map(|&i| (i, cells[i].trim()))
                    .filter(|(_, c)| !c.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The first non-empty cell of the field's columns (a phone, else a mobile phone).
    fn cell(&self, field: &str) -> Option<(usize, &'a str)> {
        self.cells_of(field).into_iter().next()
    }

    fn problem(&mut self, col: usize, message: String) {
        self.errors.push(RowError {
            line: self.line,
            column: Some(self.header[col].clone()),
            message,
        });
    }

    fn take<T>(&mut self, col: usize, r: Result<T, Invalid>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(Invalid(problems)) => {
                for p in problems {
                    self.problem(col, p.message);
                }
                None
            }
        }
    }

    fn text(&mut self, field: &str) -> Option<String> {
        let (col, raw) = self.cell(field)?;
        let r = parse_name(field, raw, MAX_TEXT);
        self.take(col, r)
    }

    fn day(&mut self, field: &str, order: Option<DateOrder>) -> Option<i64> {
        let (col, raw) = self.cell(field)?;
        match parse_when(raw, order) {
            Ok(d) => Some(d),
            Err(m) => {
                self.problem(col, m);
                None
            }
        }
    }

    fn account_ref(&self, raw: &str) -> AccountRef {
        match self.plan.layout.source() {
            Some(source) => AccountRef::Source(source.to_owned(), raw.trim().to_owned()),
            None => AccountRef::Key(raw.trim().to_owned()),
        }
    }

    fn domains(&mut self) -> Option<Vec<String>> {
        let mut out = Vec::new();
        for (col, raw) in self.cells_of("domains") {
            for part in raw.split(';').map(str::trim).filter(|p| !p.is_empty()) {
                if let Some(d) = self.take(col, Domain::parse("domains", part)) {
                    out.push(d.as_str().to_owned());
                }
            }
        }
        out.sort();
        out.dedup();
        (!out.is_empty()).then_some(out)
    }

    fn size(&mut self) -> Option<String> {
        if let Some(band) = self.text("size_band") {
            return Some(band);
        }
        let (col, raw) = self.cell("employees")?;
        let digits: String = raw
            .chars()
            .filter(|c| !matches!(c, ',' | ' ' | '_'))
            .collect();
        let digits = digits.strip_suffix(".0").unwrap_or(&digits);
        match digits.parse::<u64>() {
            Ok(n) => Some(size_band(n).to_owned()),
            Err(_) => {
                self.problem(col, format!("`{raw}` is not a number of employees"));
                None
            }
        }
    }

    fn owner(&mut self, users: &HashMap<String, String>) -> Option<String> {
        let (col, raw) = self.cell("owner_email")?;
        match users.get(&raw.to_ascii_lowercase()) {
            Some(id) => Some(id.clone()),
            None => {
                self.problem(
                    col,
                    format!("no user of this organisation has the address `{raw}`"),
                );
                None
            }
        }
    }

    fn account(&mut self, opts: &Options, users: &HashMap<String, String>) -> AccountSync {
        let crm = self.cell("crm_id").map(|(_, c)| c.to_owned());
        let external_id = self.text("external_id");
        if crm.is_none() && external_id.is_none() {
            let key = if self.plan.layout == Layout::Attune {
                "external_id"
            } else {
                "crm_id"
            };
            let col = self.plan.columns.get(key).and_then(|c| c.first()).copied();
            self.errors.push(RowError {
                line: self.line,
                column: col.map(|c| self.header[c].clone()),
                message: "is empty: every account needs its id".into(),
            });
        }
        let mut attributes = serde_json::Map::new();
        if let Some(stage) = self.text("lifecycle_stage") {
            attributes.insert("lifecycle_stage".into(), stage.into());
        }
        for &i in &self.plan.attributes {
            let v = self.cells[i].trim();
            if !v.is_empty() {
                attributes.insert(self.header[i].trim().to_owned(), v.into());
            }
        }
        AccountSync {
            source_id: self
                .plan
                .layout
                .source()
                .zip(crm)
                .map(|(s, c)| (s.to_owned(), c)),
            external_id,
            name: self.text("name"),
            plan: self.text("plan"),
            size_band: self.size(),
            industry: self.text("industry"),
            region: self.text("region"),
            owner_user_id: self.owner(users),
            attributes,
            parent: self.cell("parent").map(|(_, p)| Some(self.account_ref(p))),
            other_ids: Vec::new(),
            domains: self.domains(),
            created_at: self.day("created", opts.date_order).map(|d| d * DAY_MS),
        }
    }

    fn roles(&mut self) -> Option<Roles> {
        let (col, raw) = self.cell("roles")?;
        let names = raw.split(';').map(str::trim).filter(|n| !n.is_empty());
        if self.plan.layout == Layout::Attune {
            let r = Roles::parse("roles", names);
            return self.take(col, r);
        }
        Some(
            names
                .filter_map(crm_role)
                .filter_map(MembershipRole::parse)
                .fold(Roles::NONE, Roles::with),
        )
    }

    fn person(&mut self, opts: &Options) -> Option<PersonSync> {
        let Some((col, raw)) = self.cell("email") else {
            let col = self.plan.columns["email"][0];
            self.problem(col, "is empty: every person needs an e-mail address".into());
            return None;
        };
        let email = self.take(col, Email::parse(raw))?.as_str().to_owned();
        let mut other_emails = Vec::new();
        if let Some((col, raw)) = self.cell("other_emails") {
            for part in raw.split(';').map(str::trim).filter(|p| !p.is_empty()) {
                if let Some(e) = self.take(col, Email::parse(part))
                    && !e.as_str().eq_ignore_ascii_case(&email)
                {
                    other_emails.push(e.as_str().to_owned());
                }
            }
        }
        let name = self.text("name").or_else(|| {
            let parts: Vec<String> = ["first_name", "last_name"]
                .into_iter()
                .filter_map(|f| self.text(f))
                .collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        });
        let language = self.cell("language").and_then(|(col, raw)| {
            let r = LanguageTag::parse(raw).map(|t| t.as_str().to_owned());
            self.take(col, r)
        });
        let time_zone = self.cell("time_zone").and_then(|(col, raw)| {
            let r = parse_time_zone("time_zone", raw);
            self.take(col, r)
        });
        let title = self.text("title");
        let roles = self.roles();
        let from_day = self.day("from", opts.date_order);
        let to_day = self.day("to", opts.date_order);
        if let (Some(f), Some(t), Some(col)) = (from_day, to_day, self.cell("to").map(|c| c.0))
            && t < f
        {
            self.problem(col, "is before the start date".into());
        }
        let accounts: Vec<String> = self
            .cell("accounts")
            .map(|(_, raw)| {
                raw.split(';')
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let memberships = accounts
            .iter()
            .map(|a| MembershipSync {
                account: self.account_ref(a),
                title: title.clone(),
                roles,
                from_day,
                to_day,
            })
            .collect();
        Some(PersonSync {
            email,
            other_emails,
            name,
            phone: self.text("phone"),
            language,
            time_zone,
            memberships,
        })
    }
}

/// Folds a later row of the same person into the first: what it gives wins, addresses and
/// memberships add up.
fn fold_person(into: &mut PersonSync, p: PersonSync) {
    into.name = p.name.or(into.name.take());
    into.phone = p.phone.or(into.phone.take());
    into.language = p.language.or(into.language.take());
    into.time_zone = p.time_zone.or(into.time_zone.take());
    for e in p.other_emails {
        if !into.other_emails.contains(&e) {
            into.other_emails.push(e);
        }
    }
    into.memberships.extend(p.memberships);
}

/// Checks every row of a table; returns what to store or every problem (up to 50).
pub fn check(
    target: Target,
    table: &Table,
    opts: &Options,
    users: &[User],
) -> Result<Checked, Vec<RowError>> {
    let plan = plan(target, table, opts)?;
    let users: HashMap<String, String> = users
        .iter()
        .map(|u| (u.email.to_ascii_lowercase(), u.id.clone()))
        .collect();
    let mut errors = Vec::new();
    let mut batch = SyncBatch::default();
    let mut lines = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (line, cells) in &table.rows {
        if errors.len() >= MAX_ERRORS {
            break;
        }
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
            continue;
        }
        let mut row = Row {
            line: *line,
            cells,
            plan: &plan,
            header: &table.header,
            errors: &mut errors,
        };
        match plan.target {
            Target::Accounts => {
                batch.accounts.push(row.account(opts, &users));
                lines.push(*line);
            }
            Target::People => {
                let Some(p) = row.person(opts) else { continue };
                match seen.get(&p.email.to_ascii_lowercase()) {
                    Some(&i) => fold_person(&mut batch.people[i], p),
                    None => {
                        seen.insert(p.email.to_ascii_lowercase(), batch.people.len());
                        batch.people.push(p);
                        lines.push(*line);
                    }
                }
            }
        }
    }
    if !errors.is_empty() {
        errors.truncate(MAX_ERRORS);
        return Err(errors);
    }
    let used: Vec<usize> = plan
        .columns
        .values()
        .flatten()
        .chain(&plan.attributes)
        .copied()
        .collect();
    let ignored = (0..table.header.len())
        .filter(|i| !used.contains(i))
        .map(|i| table.header[i].clone())
        .collect();
    let columns = plan
        .columns
        .iter()
        .map(|(f, cols)| (*f, table.header[cols[0]].clone()))
        .collect();
    Ok(Checked {
        layout: plan.layout,
        batch,
        lines,
        ignored,
        columns,
    })
}

/// The refused row as a problem with its line and column.
fn refusal_row(checked: &Checked, r: &SyncRefusal) -> RowError {
    let field = match (r.list, r.field) {
        (SyncList::Accounts, "source_id") => "crm_id",
        (SyncList::People, "memberships") => "accounts",
        (_, f) => f,
    };
    RowError {
        line: checked.lines.get(r.index).copied().unwrap_or(0),
        column: checked.columns.get(field).cloned(),
        message: r.message.clone(),
    }
}

/// Stores a checked file in one transaction; a row the database refuses (a domain of another
/// account, a company not imported yet) comes back as a problem with its line.
pub async fn store(
    store: &dyn Store,
    org_id: &str,
    checked: &Checked,
    now_ms: i64,
    progress: &(dyn Fn(u64) + Send + Sync),
) -> AppResult<Result<SyncReport, RowError>> {
    Ok(sync(store, org_id, &checked.batch, now_ms, progress)
        .await?
        .map_err(|r| refusal_row(checked, &r)))
}

#[cfg(test)]
mod tests {
    use super::super::read_table;
    use super::*;

    fn checked(target: Target, csv: &str) -> Result<Checked, Vec<RowError>> {
        let table = read_table(csv, None).expect("a table");
        check(target, &table, &Options::default(), &[])
    }

    #[test]
    fn dates_are_read_in_every_crm_form() {
        let d = parse_day("d", "2024-03-15").unwrap();
        assert_eq!(parse_when("2024-03-15", None), Ok(d));
        assert_eq!(parse_when("2024-03-15 10:22", None), Ok(d));
        assert_eq!(parse_when("2024-03-15T10:22:31.000Z", None), Ok(d));
        assert_eq!(parse_when("2024/03/15", None), Ok(d));
        assert_eq!(parse_when("3/15/2024", None), Ok(d));
        assert_eq!(parse_when("15/03/2024 10:22", None), Ok(d));
        assert_eq!(parse_when("03/15/2024", Some(DateOrder::MonthFirst)), Ok(d));
        assert!(
            parse_when("03/04/2024", None)
                .unwrap_err()
                .contains("--date-order")
        );
        assert_eq!(
            parse_when("03/04/2024", Some(DateOrder::DayFirst)),
            Ok(parse_day("d", "2024-04-03").unwrap())
        );
        assert!(parse_when("2024-02-30", None).is_err());
        assert!(parse_when("yesterday", None).is_err());
    }

    #[test]
    fn a_hubspot_contact_of_two_companies_gets_two_memberships() {
        let c = checked(
            Target::People,
            "Record ID,First Name,Last Name,Email,Job Title,Associated Company IDs\n\
             101,Ana,Lima,ana@x.example,CFO,9001;9002\n",
        )
        .unwrap();
        assert_eq!(c.layout, Layout::HubSpot);
        let p = &c.batch.people[0];
        assert_eq!(p.name.as_deref(), Some("Ana Lima"));
        let accounts: Vec<&AccountRef> = p.memberships.iter().map(|m| &m.account).collect();
        assert_eq!(
            accounts,
            [
                &AccountRef::Source("hubspot".into(), "9001".into()),
                &AccountRef::Source("hubspot".into(), "9002".into())
            ]
        );
        assert!(
            p.memberships
                .iter()
                .all(|m| m.title.as_deref() == Some("CFO"))
        );
        assert_eq!(c.ignored, ["Record ID"]);
    }

    #[test]
    fn rows_of_one_person_fold_into_one() {
        let c = checked(
            Target::People,
            "AccountId,Contact.Email,Roles,StartDate\n\
             001A,ana@x.example,Decision Maker;Influencer,2024-01-01\n\
             001B,ANA@x.example,Business User,\n",
        )
        .unwrap();
        assert_eq!(c.batch.people.len(), 1);
        let m = &c.batch.people[0].memberships;
        assert_eq!(m.len(), 2);
        let decision = Roles::NONE.with(MembershipRole::DecisionMaker);
        assert_eq!(m[0].roles, Some(decision));
        assert_eq!(m[1].roles, Some(Roles::NONE.with(MembershipRole::User)));
        assert_eq!(m[1].from_day, None);
    }

    #[test]
    fn problems_name_their_line_and_column() {
        let errors = checked(
            Target::Accounts,
            "Record ID,Company name,Company Domain Name,Number of Employees,Create Date\n\
             1,Acme,acme.example,lots,2024-01-01\n\
             ,Blank,blank.example,3,2024-13-01\n",
        )
        .unwrap_err();
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "line 2, column `Number of Employees`: `lots` is not a number of employees",
                "line 3, column `Record ID`: is empty: every account needs its id",
                "line 3, column `Create Date`: `2024-13-01` is not a date (YYYY-MM-DD; M/D/YYYY or D/M/YYYY with --date-order mdy or dmy)",
            ]
        );
    }

    #[test]
    fn a_missing_key_column_is_named_with_the_way_to_map_it() {
        let errors = checked(Target::People, "Name,Phone\nAna,1\n").unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].message.contains("--map email=COLUMN"),
            "{:?}",
            errors[0]
        );
    }
}
