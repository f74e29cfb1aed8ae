//! The churn audit: for each value of a customer attribute, how over- or under-represented it
//! is among churned customers compared with retained ones.
//!
//! Attribute values are interned once into small integer codes per account, so the audit is a
//! counting pass over integers, whatever the number of accounts.

use std::collections::HashMap;

use attune_domain::metrics::{Z95, wilson_interval};
use serde::Serialize;

use crate::calendar::Period;
use crate::ledger::{Ledger, active_on};
use crate::stats::{chi_square_2x2, fisher_exact, min_expected_2x2};
use crate::summary::ratio;

/// The code of an account without a value.
const MISSING: u32 = u32::MAX;

/// One attribute (plan, company size, region, …) with each account's value interned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttributeColumn {
    /// The attribute's name.
    pub name: String,
    values: Vec<String>,
    codes: Vec<u32>,
}

impl AttributeColumn {
    /// Builds the column of `n_accounts` accounts from `(account, value)` pairs; accounts not
    /// named, or named with an empty value, have none. A later pair for an account wins;
    /// pairs naming an account outside `0..n_accounts` are ignored.
    pub fn from_pairs<'a>(
        name: impl Into<String>,
        n_accounts: usize,
        pairs: impl IntoIterator<Item = (u32, &'a str)>,
    ) -> AttributeColumn {
        let mut dict: HashMap<&'a str, u32> = HashMap::new();
        let mut values = Vec::new();
        let mut codes = vec![MISSING; n_accounts];
        for (account, value) in pairs {
            let Some(slot) = codes.get_mut(account as usize) else {
                continue;
            };
            let value = value.trim();
            if value.is_empty() {
                *slot = MISSING;
                continue;
            }
            *slot = *dict.entry(value).or_insert_with(|| {
                values.push(value.to_owned());
                (values.len() - 1) as u32
            });
        }
        AttributeColumn {
            name: name.into(),
            values,
            codes,
        }
        .in_value_order()
    }

    /// The same column with its values sorted, so that a column is the same whatever order
    /// its pairs came in (the rows of a database table have none).
    pub(crate) fn in_value_order(mut self) -> AttributeColumn {
        if self.values.is_sorted() {
            return self;
        }
        let mut order: Vec<u32> = (0..self.values.len() as u32).collect();
        order.sort_by(|&a, &b| self.values[a as usize].cmp(&self.values[b as usize]));
        let mut renumber = vec![MISSING; order.len()];
        for (new, &old) in order.iter().enumerate() {
            renumber[old as usize] = new as u32;
        }
        let mut values = std::mem::take(&mut self.values);
        let mut sorted: Vec<String> = order
            .iter()
            .map(|&old| std::mem::take(&mut values[old as usize]))
            .collect();
        std::mem::swap(&mut self.values, &mut sorted);
        for c in &mut self.codes {
            if *c != MISSING {
                *c = renumber[*c as usize];
            }
        }
        self
    }

    /// A column from its distinct values and each account's index into them (`None`: no
    /// value); an index past the values counts as no value.
    pub fn from_codes(
        name: impl Into<String>,
        values: Vec<String>,
        codes: &[Option<u32>],
    ) -> AttributeColumn {
        let n = values.len();
        AttributeColumn {
            name: name.into(),
            values,
            codes: codes
                .iter()
                .map(|c| c.filter(|&c| (c as usize) < n).unwrap_or(MISSING))
                .collect(),
        }
    }

    /// The same column over `n_accounts` accounts: accounts beyond its end have no value.
    pub fn with_len(mut self, n_accounts: usize) -> AttributeColumn {
        self.codes.resize(n_accounts, MISSING);
        self
    }

    /// Sets the value of each account in `changes` (`None` or empty: none); accounts outside
    /// the column are ignored.
    pub(crate) fn set_all<'a>(
        &mut self,
        changes: impl IntoIterator<Item = (u32, Option<&'a str>)>,
    ) {
        let mut dict: HashMap<String, u32> = self
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| (v.clone(), i as u32))
            .collect();
        for (account, value) in changes {
            let Some(slot) = self.codes.get_mut(account as usize) else {
                continue;
            };
            *slot = match value.map(str::trim).filter(|v| !v.is_empty()) {
                None => MISSING,
                Some(v) => *dict.entry(v.to_owned()).or_insert_with(|| {
                    self.values.push(v.to_owned());
                    (self.values.len() - 1) as u32
                }),
            };
        }
    }

    /// The same column without the values no account holds (the rest keep their order).
    pub(crate) fn without_unused_values(mut self) -> AttributeColumn {
        let mut used = vec![false; self.values.len()];
        for &c in &self.codes {
            if c != MISSING {
                used[c as usize] = true;
            }
        }
        if used.iter().all(|&u| u) {
            return self;
        }
        let mut renumber = vec![MISSING; self.values.len()];
        let mut kept = Vec::new();
        for (i, value) in std::mem::take(&mut self.values).into_iter().enumerate() {
            if used[i] {
                renumber[i] = kept.len() as u32;
                kept.push(value);
            }
        }
        for c in &mut self.codes {
            if *c != MISSING {
                *c = renumber[*c as usize];
            }
        }
        self.values = kept;
        self
    }

    /// The index of an account's value in [`AttributeColumn::values`].
    pub fn code_of(&self, account: usize) -> Option<u32> {
        self.codes.get(account).copied().filter(|&c| c != MISSING)
    }

    /// The distinct values, sorted (a column from [`AttributeColumn::from_codes`] keeps the
    /// order it was given).
    pub fn values(&self) -> &[String] {
        &self.values
    }

    /// An account's value.
    pub fn value_of(&self, account: u32) -> Option<&str> {
        let code = *self.codes.get(account as usize)?;
        self.values.get(code as usize).map(String::as_str)
    }

    /// The number of accounts the column covers.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// Whether the column covers no account.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }
}

/// Where an account stands in the audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Not part of the audited population.
    Excluded,
    /// Stayed.
    Retained,
    /// Left.
    Churned,
}

impl Ledger {
    /// Every account ever active by `as_of`: churned when no longer active on `as_of`.
    pub fn outcomes_at_as_of(&self) -> Vec<Outcome> {
        (0..self.n_accounts())
            .map(|a| {
                let spells = self.spells_of(a);
                if spells.is_empty() {
                    Outcome::Excluded
                } else if active_on(spells, self.as_of) {
                    Outcome::Retained
                } else {
                    Outcome::Churned
                }
            })
            .collect()
    }

    /// The customers of S for `period`: churned when not in E (the period's lost customers).
    pub fn outcomes_over(&self, period: Period) -> Vec<Outcome> {
        let start = period.start - 1;
        let end = period.last_day().min(self.as_of);
        (0..self.n_accounts())
            .map(|a| {
                let spells = self.spells_of(a);
                if !active_on(spells, start) {
                    Outcome::Excluded
                } else if active_on(spells, end) {
                    Outcome::Retained
                } else {
                    Outcome::Churned
                }
            })
            .collect()
    }
}

/// The significance test run on a value's 2×2 table (value or not × churned or retained).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "test")]
pub enum SignificanceTest {
    /// Pearson's chi-square without continuity correction, when every expected count is ≥ 5.
    ChiSquare {
        /// The statistic (1 degree of freedom).
        statistic: f64,
        /// Its p-value.
        p_value: f64,
    },
    /// Fisher's exact test (two-sided), when some expected count is below 5.
    Fisher {
        /// Its p-value.
        p_value: f64,
    },
}

impl SignificanceTest {
    /// The p-value, whichever test it came from.
    pub fn p_value(&self) -> f64 {
        match *self {
            Self::ChiSquare { p_value, .. } | Self::Fisher { p_value } => p_value,
        }
    }
}

/// One attribute value in the audit. Shares and rates are fractions; intervals are Wilson 95%.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditRow {
    /// The value; `None` for accounts without one.
    pub value: Option<String>,
    /// Churned customers with the value.
    pub churned: u64,
    /// Retained customers with the value.
    pub retained: u64,
    /// Fewer customers with the value than the minimum support: no lift, interval or test.
    pub below_support: bool,
    /// Its share among all churned customers.
    pub share_churned: Option<f64>,
    /// Its share among all retained customers.
    pub share_retained: Option<f64>,
    /// share_churned / share_retained: above 1, over-represented among the churned.
    pub lift: Option<f64>,
    /// Wilson interval of `share_churned`.
    pub share_churned_ci: Option<(f64, f64)>,
    /// The churn rate among customers with the value.
    pub churn_rate: Option<f64>,
    /// Wilson interval of `churn_rate`.
    pub churn_rate_ci: Option<(f64, f64)>,
    /// Value versus every other value (missing included), churned versus retained.
    pub test: Option<SignificanceTest>,
}

/// The audit of one attribute over the accounts' outcomes (indexed by account; accounts beyond
/// either slice are excluded). Values with fewer than `min_support` audited customers are
/// reported with counts only. Rows come in the column's value order (sorted, for columns from
/// pairs), then "no value".
pub fn churn_audit(
    column: &AttributeColumn,
    outcomes: &[Outcome],
    min_support: u64,
) -> Vec<AuditRow> {
    let k = column.values.len();
    // Slot k counts accounts without a value.
    let mut churned = vec![0u64; k + 1];
    let mut retained = vec![0u64; k + 1];
    for (&code, &outcome) in column.codes.iter().zip(outcomes) {
        let slot = if code == MISSING { k } else { code as usize };
        match outcome {
            Outcome::Churned => churned[slot] += 1,
            Outcome::Retained => retained[slot] += 1,
            Outcome::Excluded => {}
        }
    }
    let total_c: u64 = churned.iter().sum();
    let total_r: u64 = retained.iter().sum();
    (0..=k)
        .filter(|&i| i < k || churned[i] + retained[i] > 0)
        .map(|i| {
            let (c, r) = (churned[i], retained[i]);
            let below_support = c + r < min_support.max(1);
            let share_churned = ratio(c as f64, total_c as f64);
            let share_retained = ratio(r as f64, total_r as f64);
            let full = |x: Option<f64>| x.filter(|_| !below_support);
            let test = (!below_support)
                .then(|| test_2x2(c, total_c - c, r, total_r - r))
                .flatten();
            AuditRow {
                value: column.values.get(i).cloned(),
                churned: c,
                retained: r,
                below_support,
                share_churned,
                share_retained,
                lift: full(
                    share_churned
                        .zip(share_retained)
                        .and_then(|(a, b)| ratio(a, b)),
                ),
                share_churned_ci: wilson_interval(c, total_c, Z95).filter(|_| !below_support),
                churn_rate: ratio(c as f64, (c + r) as f64),
                churn_rate_ci: wilson_interval(c, c + r, Z95).filter(|_| !below_support),
                test,
            }
        })
        .collect()
}

/// Chi-square when every expected count is at least 5, Fisher's exact test otherwise.
fn test_2x2(a: u64, b: u64, c: u64, d: u64) -> Option<SignificanceTest> {
    if min_expected_2x2(a, b, c, d) >= 5.0 {
        let (statistic, p_value) = chi_square_2x2(a, b, c, d)?;
        Some(SignificanceTest::ChiSquare { statistic, p_value })
    } else {
        Some(SignificanceTest::Fisher {
            p_value: fisher_exact(a, b, c, d),
        })
    }
}

/// The accounts with `value` (`None`: without one) and the given outcome, in account order.
pub fn audit_members(
    column: &AttributeColumn,
    outcomes: &[Outcome],
    value: Option<&str>,
    outcome: Outcome,
) -> Vec<u32> {
    (0..column.codes.len().min(outcomes.len()) as u32)
        .filter(|&a| outcomes[a as usize] == outcome && column.value_of(a) == value)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_represented_value_has_lift_above_one() {
        // Accounts 0–5 on plan "basic", 6–9 on "pro"; 0–3 churned, the rest retained.
        let plans: Vec<(u32, &str)> = (0..10u32)
            .map(|a| (a, if a < 6 { "basic" } else { "pro" }))
            .collect();
        let col = AttributeColumn::from_pairs("plan", 11, plans);
        let mut outcomes: Vec<Outcome> = (0..10)
            .map(|a| {
                if a < 4 {
                    Outcome::Churned
                } else {
                    Outcome::Retained
                }
            })
            .collect();
        outcomes.push(Outcome::Excluded);
        let rows = churn_audit(&col, &outcomes, 1);
        assert_eq!(
            rows.len(),
            2,
            "no row for 'no value' when nobody audited lacks one"
        );
        let basic = &rows[0];
        assert_eq!(basic.value.as_deref(), Some("basic"));
        assert_eq!((basic.churned, basic.retained), (4, 2));
        assert_eq!(basic.share_churned, Some(1.0));
        assert_eq!(basic.share_retained, Some(2.0 / 6.0));
        assert_eq!(basic.lift, Some(3.0));
        assert!(matches!(basic.test, Some(SignificanceTest::Fisher { .. })));
        assert_eq!(rows[1].lift, Some(0.0));
        let few = churn_audit(&col, &outcomes, 7);
        assert!(
            few.iter()
                .all(|r| r.below_support && r.test.is_none() && r.lift.is_none())
        );
        assert_eq!(
            audit_members(&col, &outcomes, Some("basic"), Outcome::Retained),
            [4, 5]
        );
    }
}
