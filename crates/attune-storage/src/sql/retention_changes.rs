//! The log of changes to an organisation's retention inputs: every write that changes its
//! subscription rows, activity events or account attributes bumps `retention_state.generation`
//! and records, in the same transaction, which accounts it touched (`retention_changes`). A
//! report holding an older snapshot reads the accounts touched since and patches the snapshot
//! with their current rows (`retention_snapshot.rs`); without a complete list it reads everything.

use sqlx::{AnyConnection, Row};

use crate::error::{Context, StoreResult};

/// Most accounts one change lists; a larger change makes the next report read every row (an
/// import that large builds the snapshots itself before it returns).
pub(crate) const MAX_LISTED: usize = 50_000;

/// What a change to the retention inputs touched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Touched {
    /// These accounts (their numbers, in any order).
    Accounts(Vec<u32>),
    /// More than can be listed, or not known.
    Unknown,
}

impl Touched {
    /// The accounts, listed when there are at most [`MAX_LISTED`].
    pub(crate) fn accounts(mut accounts: Vec<u32>) -> Touched {
        accounts.sort_unstable();
        accounts.dedup();
        if accounts.len() > MAX_LISTED {
            Touched::Unknown
        } else {
            Touched::Accounts(accounts)
        }
    }

    fn encode(&self) -> Option<Vec<u8>> {
        match self {
            Touched::Accounts(a) => Some(a.iter().flat_map(|x| x.to_le_bytes()).collect()),
            Touched::Unknown => None,
        }
    }
}

fn decode(bytes: &[u8]) -> Option<Vec<u32>> {
    if !bytes.len().is_multiple_of(4) {
        return None;
    }
    Some(
        bytes
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect(),
    )
}

/// Records, inside the caller's transaction, that the organisation's retention inputs change
/// and which accounts the change touches.
pub(crate) async fn bump_generation(
    conn: &mut AnyConnection,
    org_id: &str,
    touched: Touched,
) -> StoreResult<()> {
    let generation: i64 = sqlx::query(
        "INSERT INTO retention_state (org_id, generation) VALUES ($1, 1) \
         ON CONFLICT (org_id) DO UPDATE SET generation = retention_state.generation + 1 \
         RETURNING generation",
    )
    .bind(org_id)
    .fetch_one(&mut *conn)
    .await
    .context("recording a retention change")?
    .try_get(0)
    .context("recording a retention change")?;
    sqlx::query("INSERT INTO retention_changes (org_id, generation, accounts) VALUES ($1, $2, $3)")
        .bind(org_id)
        .bind(generation)
        .bind(touched.encode())
        .execute(&mut *conn)
        .await
        .context("recording a retention change")?;
    Ok(())
}

/// The accounts touched by the changes after generation `since` up to `until` (sorted,
/// distinct), or `None` when any of them is not listed (too large, damaged, or made before
/// changes were logged) or they are more than [`MAX_LISTED`] together.
pub(crate) async fn touched_since(
    conn: &mut AnyConnection,
    org_id: &str,
    since: i64,
    until: i64,
) -> StoreResult<Option<Vec<u32>>> {
    if since >= until {
        return Ok(Some(Vec::new()));
    }
    let rows = sqlx::query(
        "SELECT accounts FROM retention_changes \
         WHERE org_id = $1 AND generation > $2 AND generation <= $3",
    )
    .bind(org_id)
    .bind(since)
    .bind(until)
    .fetch_all(&mut *conn)
    .await
    .context("reading retention changes")?;
    if rows.len() as i64 != until - since {
        return Ok(None);
    }
    let mut all = Vec::new();
    for row in &rows {
        let bytes: Option<Vec<u8>> = row.try_get(0).context("reading retention changes")?;
        match bytes.as_deref().and_then(decode) {
            Some(accounts) => all.extend(accounts),
            None => return Ok(None),
        }
        if all.len() > 4 * MAX_LISTED {
            all.sort_unstable();
            all.dedup();
        }
    }
    all.sort_unstable();
    all.dedup();
    Ok((all.len() <= MAX_LISTED).then_some(all))
}

/// Forgets the changes every saved snapshot of the organisation already holds.
pub(crate) async fn forget_applied(conn: &mut AnyConnection, org_id: &str) -> StoreResult<()> {
    sqlx::query(
        "DELETE FROM retention_changes WHERE org_id = $1 AND generation <= \
         (SELECT MIN(generation) FROM retention_snapshots WHERE org_id = $1)",
    )
    .bind(org_id)
    .execute(&mut *conn)
    .await
    .context("forgetting applied retention changes")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_lists_its_accounts_once_and_a_huge_one_lists_none() {
        let t = Touched::accounts(vec![5, 1, 5, 3]);
        assert_eq!(t, Touched::Accounts(vec![1, 3, 5]));
        assert_eq!(t.encode().as_deref().and_then(decode), Some(vec![1, 3, 5]));
        assert_eq!(Touched::accounts(Vec::new()).encode(), Some(Vec::new()));
        let huge: Vec<u32> = (0..=MAX_LISTED as u32).collect();
        assert_eq!(Touched::accounts(huge), Touched::Unknown);
        assert_eq!(Touched::Unknown.encode(), None);
        assert_eq!(decode(&[1, 2, 3]), None, "damaged");
    }
}
