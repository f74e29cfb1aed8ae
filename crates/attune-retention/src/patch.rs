//! Bringing a snapshot of the retention inputs up to date without reading every row: a change
//! lists the accounts it touched, and their current rows replace the snapshot's rows of those
//! accounts. The result holds exactly the rows a full read would give (in the order
//! [`crate::packed`] keeps: by account).

use crate::audit::AttributeColumn;
use crate::ledger::{ActivityEvent, Subscription};

/// A row that belongs to one account.
pub trait AccountRow: Copy {
    /// Its dense account number.
    fn account(&self) -> u32;
}

impl AccountRow for Subscription {
    fn account(&self) -> u32 {
        self.account
    }
}

impl AccountRow for ActivityEvent {
    fn account(&self) -> u32 {
        self.account
    }
}

/// Which of `0..=max` accounts are in `touched`.
fn marks(touched: &[u32]) -> Vec<bool> {
    let len = touched.iter().max().map_or(0, |&m| m as usize + 1);
    let mut marks = vec![false; len];
    for &a in touched {
        marks[a as usize] = true;
    }
    marks
}

/// `base` (sorted by account) with every row of the accounts in `touched` replaced by `fresh`,
/// the current rows of those accounts (any order; rows of other accounts in it are ignored).
/// Untouched accounts keep their rows and their order; the result stays sorted by account.
pub fn replace_accounts<R: AccountRow>(base: Vec<R>, touched: &[u32], fresh: Vec<R>) -> Vec<R> {
    let marks = marks(touched);
    let is_touched = |a: u32| marks.get(a as usize).copied().unwrap_or(false);
    let mut fresh: Vec<R> = fresh
        .into_iter()
        .filter(|r| is_touched(r.account()))
        .collect();
    fresh.sort_by_key(AccountRow::account);
    let mut out = Vec::with_capacity(base.len() + fresh.len());
    let mut incoming = fresh.into_iter().peekable();
    for row in base {
        if is_touched(row.account()) {
            continue;
        }
        while let Some(f) = incoming.next_if(|f| f.account() < row.account()) {
            out.push(f);
        }
        out.push(row);
    }
    out.extend(incoming);
    out
}

impl AttributeColumn {
    /// The column over `n_accounts` accounts with the value of each account in `changes`
    /// replaced (`None` or an empty value: none). Values no account holds any more are dropped
    /// and the rest sorted, so the column equals one built from the current pairs.
    pub fn patched<'a>(
        self,
        n_accounts: usize,
        changes: impl IntoIterator<Item = (u32, Option<&'a str>)>,
    ) -> AttributeColumn {
        let mut column = self.with_len(n_accounts);
        column.set_all(changes);
        column.without_unused_values().in_value_order()
    }

    /// Whether any account has a value.
    pub fn has_values(&self) -> bool {
        (0..self.len()).any(|a| self.code_of(a).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sub(account: u32, start: i32) -> Subscription {
        Subscription {
            account,
            start,
            end: None,
            mrr_cents: i64::from(start),
        }
    }

    #[test]
    fn touched_accounts_get_their_current_rows_in_place() {
        let base = vec![sub(0, 1), sub(1, 2), sub(1, 3), sub(3, 4)];
        let fresh = vec![sub(2, 9), sub(1, 7), sub(4, 5), sub(0, 99)];
        let out = replace_accounts(base, &[1, 2, 4], fresh);
        assert_eq!(
            out,
            vec![sub(0, 1), sub(1, 7), sub(2, 9), sub(3, 4), sub(4, 5)]
        );
    }

    #[test]
    fn an_account_whose_rows_are_gone_loses_them() {
        let out = replace_accounts(vec![sub(0, 1), sub(1, 2)], &[1], Vec::new());
        assert_eq!(out, vec![sub(0, 1)]);
    }

    #[test]
    fn a_patched_column_forgets_values_no_one_holds() {
        let column = AttributeColumn::from_pairs("plan", 3, [(0, "gold"), (1, "free")]);
        let patched = column.patched(4, [(0, Some("silver")), (3, Some("free")), (1, None)]);
        assert_eq!(patched.value_of(0), Some("silver"));
        assert_eq!(patched.value_of(1), None);
        assert_eq!(patched.value_of(3), Some("free"));
        assert_eq!(patched.len(), 4);
        assert_eq!(patched.values(), ["free", "silver"]);
        assert!(patched.has_values());
        assert!(!AttributeColumn::from_pairs("x", 2, []).has_values());
    }

    fn rows() -> impl Strategy<Value = Vec<Subscription>> {
        prop::collection::vec((0u32..12, 0i32..50), 0..40)
            .prop_map(|v| v.into_iter().map(|(a, s)| sub(a, s)).collect())
    }

    fn sorted(mut v: Vec<Subscription>) -> Vec<Subscription> {
        v.sort_by_key(|s| (s.account, s.start));
        v
    }

    proptest! {
        /// Patching the old rows with the touched accounts' new rows gives the new rows.
        #[test]
        fn patching_equals_reading_everything(
            old in rows(),
            new in rows(),
            touched in prop::collection::btree_set(0u32..12, 0..12),
        ) {
            let touched: Vec<u32> = touched.into_iter().collect();
            let is = |a: u32| touched.contains(&a);
            // The current rows: the new rows of touched accounts, the old ones of the rest.
            let current: Vec<Subscription> = old.iter().filter(|s| !is(s.account))
                .chain(new.iter().filter(|s| is(s.account))).copied().collect();
            let patched = replace_accounts(sorted(old), &touched, new);
            prop_assert!(patched.windows(2).all(|w| w[0].account <= w[1].account));
            prop_assert_eq!(sorted(patched), sorted(current));
        }

        #[test]
        fn a_patched_column_equals_one_built_from_the_current_values(
            old in prop::collection::vec(prop::option::of(0u8..4), 0..10),
            new in prop::collection::vec(prop::option::of(0u8..4), 0..14),
            touched in prop::collection::btree_set(0u32..14, 0..14),
        ) {
            let name = |v: &Option<u8>| v.map(|v| format!("v{v}"));
            let old_values: Vec<Option<String>> = old.iter().map(name).collect();
            let new_values: Vec<Option<String>> = new.iter().map(name).collect();
            let n = new.len();
            let current: Vec<Option<String>> = (0..n).map(|a| {
                if touched.contains(&(a as u32)) { new_values[a].clone() }
                else { old_values.get(a).cloned().flatten() }
            }).collect();
            let column = AttributeColumn::from_pairs("x", old.len(), old_values.iter().enumerate()
                .filter_map(|(a, v)| Some((a as u32, v.as_deref()?))));
            let patched = column.patched(n, touched.iter().filter(|&&a| (a as usize) < n)
                .map(|&a| (a, new_values[a as usize].as_deref())));
            let built = AttributeColumn::from_pairs("x", n, current.iter().enumerate()
                .filter_map(|(a, v)| Some((a as u32, v.as_deref()?))));
            for a in 0..n as u32 {
                prop_assert_eq!(patched.value_of(a), built.value_of(a));
            }
            prop_assert_eq!(patched, built, "the same values in the same order, the same codes");
        }
    }
}
