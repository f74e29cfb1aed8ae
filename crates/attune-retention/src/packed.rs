//! A compact byte encoding of an organisation's retention inputs, so that storage can keep a
//! ready-made snapshot of them and a report reads a few blobs instead of millions of rows.
//!
//! Three kinds of snapshot, each starting with a 5-byte header (`b"ATR"`, a kind letter, a
//! format version) and the number of accounts:
//!
//! - subscriptions (`S`): rows sorted by account, start, end and MRR; each row is the account
//!   as a delta from the previous row's, the start day as a delta from the previous row of the
//!   same account (absolute for an account's first row), the length (`0` = still running) and
//!   the MRR, all as LEB128 varints (signed ones zig-zag encoded);
//! - activity (`A`): events sorted by account, day and value, the same way;
//! - attributes (`T`): per attribute, its name, its distinct values and one code per account.
//!
//! Five million subscription rows take about 40 MB and decode in tens of milliseconds.
//! Decoding is total: damaged input gives a [`PackedError`], never a panic or an allocation
//! larger than the input justifies.

use crate::audit::AttributeColumn;
use crate::calendar::Day;
use crate::ledger::{ActivityEvent, Subscription};

const MAGIC: &[u8; 3] = b"ATR";
const VERSION: u8 = 1;
const SUBSCRIPTIONS: u8 = b'S';
const ACTIVITY: u8 = b'A';
const ATTRIBUTES: u8 = b'T';

/// Why bytes are not a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PackedError {
    /// It does not start like one, or is another kind.
    #[error("not a retention snapshot of this kind")]
    NotASnapshot,
    /// A format this build does not read.
    #[error("snapshot format version {0} is not supported")]
    Version(u8),
    /// It ends too early.
    #[error("the snapshot is truncated")]
    Truncated,
    /// A number is longer than 64 bits.
    #[error("the snapshot holds an over-long number")]
    Overlong,
    /// A value outside its range.
    #[error("the snapshot holds an impossible {0}")]
    OutOfRange(&'static str),
    /// A name or value that is not UTF-8.
    #[error("the snapshot holds text that is not UTF-8")]
    Utf8,
    /// Bytes after the end.
    #[error("the snapshot has bytes after its end")]
    Trailing,
}

fn put_u64(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_i64(out: &mut Vec<u8>, v: i64) {
    put_u64(out, ((v << 1) ^ (v >> 63)) as u64);
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_u64(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

fn header(kind: u8, n_accounts: usize, count: usize, capacity: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(capacity + 16);
    out.extend_from_slice(MAGIC);
    out.push(kind);
    out.push(VERSION);
    put_u64(&mut out, n_accounts as u64);
    put_u64(&mut out, count as u64);
    out
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn open(bytes: &'a [u8], kind: u8) -> Result<(Reader<'a>, usize), PackedError> {
        if bytes.len() < 5 || &bytes[..3] != MAGIC || bytes[3] != kind {
            return Err(PackedError::NotASnapshot);
        }
        if bytes[4] != VERSION {
            return Err(PackedError::Version(bytes[4]));
        }
        let mut r = Reader { bytes, at: 5 };
        let n_accounts = r.len("number of accounts", u32::MAX as u64 + 1)?;
        Ok((r, n_accounts))
    }

    fn u64(&mut self) -> Result<u64, PackedError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *self.bytes.get(self.at).ok_or(PackedError::Truncated)?;
            self.at += 1;
            let bits = u64::from(b & 0x7f);
            if shift == 63 && bits > 1 {
                return Err(PackedError::Overlong);
            }
            v |= bits << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(PackedError::Overlong)
    }

    fn i64(&mut self) -> Result<i64, PackedError> {
        let v = self.u64()?;
        Ok(((v >> 1) as i64) ^ -((v & 1) as i64))
    }

    fn len(&mut self, what: &'static str, max: u64) -> Result<usize, PackedError> {
        let v = self.u64()?;
        if v > max {
            return Err(PackedError::OutOfRange(what));
        }
        usize::try_from(v).map_err(|_| PackedError::OutOfRange(what))
    }

    /// A count of items that take at least `min_bytes` each: bounded by what is left.
    fn count(&mut self, what: &'static str, min_bytes: usize) -> Result<usize, PackedError> {
        let left = (self.bytes.len() - self.at) / min_bytes.max(1);
        self.len(what, left as u64)
    }

    fn str(&mut self) -> Result<&'a str, PackedError> {
        let n = self.len("text length", (self.bytes.len() - self.at) as u64)?;
        let s = &self.bytes[self.at..self.at + n];
        self.at += n;
        std::str::from_utf8(s).map_err(|_| PackedError::Utf8)
    }

    fn finish(self) -> Result<(), PackedError> {
        if self.at == self.bytes.len() {
            Ok(())
        } else {
            Err(PackedError::Trailing)
        }
    }
}

fn day(v: i64) -> Result<Day, PackedError> {
    Day::try_from(v).map_err(|_| PackedError::OutOfRange("day"))
}

fn account(v: u64, n_accounts: usize) -> Result<u32, PackedError> {
    match u32::try_from(v) {
        Ok(a) if (a as usize) < n_accounts => Ok(a),
        _ => Err(PackedError::OutOfRange("account")),
    }
}

/// Packs subscription rows of accounts `0..n_accounts` (their order does not matter).
pub fn pack_subscriptions(n_accounts: usize, rows: &[Subscription]) -> Vec<u8> {
    let mut sorted = rows.to_vec();
    sorted.sort_unstable_by_key(|s| {
        (
            s.account,
            s.start,
            s.end.map_or(i64::MAX, i64::from),
            s.mrr_cents,
        )
    });
    let mut out = header(SUBSCRIPTIONS, n_accounts, sorted.len(), sorted.len() * 8);
    let (mut prev_account, mut prev_start) = (0u32, 0i64);
    for (i, s) in sorted.iter().enumerate() {
        let same = i > 0 && s.account == prev_account;
        put_u64(
            &mut out,
            u64::from(s.account - if i > 0 { prev_account } else { 0 }),
        );
        let start = i64::from(s.start);
        put_i64(&mut out, if same { start - prev_start } else { start });
        match s.end {
            None => put_u64(&mut out, 0),
            Some(end) => {
                let len = i64::from(end) - start;
                put_u64(&mut out, ((len << 1) ^ (len >> 63)) as u64 + 1);
            }
        }
        put_i64(&mut out, s.mrr_cents);
        (prev_account, prev_start) = (s.account, start);
    }
    out
}

/// Unpacks [`pack_subscriptions`]: the number of accounts and the rows, sorted.
pub fn unpack_subscriptions(bytes: &[u8]) -> Result<(usize, Vec<Subscription>), PackedError> {
    let (mut r, n_accounts) = Reader::open(bytes, SUBSCRIPTIONS)?;
    let count = r.count("number of rows", 4)?;
    let mut rows = Vec::with_capacity(count);
    let (mut prev_account, mut prev_start) = (0u64, 0i64);
    for i in 0..count {
        let a = prev_account
            .checked_add(r.u64()?)
            .ok_or(PackedError::OutOfRange("account"))?;
        let delta = r.i64()?;
        let start = if i > 0 && a == prev_account {
            prev_start
                .checked_add(delta)
                .ok_or(PackedError::OutOfRange("day"))?
        } else {
            delta
        };
        let end = match r.u64()? {
            0 => None,
            v => {
                let v = v - 1;
                let len = ((v >> 1) as i64) ^ -((v & 1) as i64);
                Some(day(start
                    .checked_add(len)
                    .ok_or(PackedError::OutOfRange("day"))?)?)
            }
        };
        rows.push(Subscription {
            account: account(a, n_accounts)?,
            start: day(start)?,
            end,
            mrr_cents: r.i64()?,
        });
        (prev_account, prev_start) = (a, start);
    }
    r.finish()?;
    Ok((n_accounts, rows))
}

/// Packs activity events of accounts `0..n_accounts` (their order does not matter).
pub fn pack_activity(n_accounts: usize, events: &[ActivityEvent]) -> Vec<u8> {
    let mut sorted = events.to_vec();
    sorted.sort_unstable_by_key(|e| (e.account, e.day, e.value_cents));
    let mut out = header(ACTIVITY, n_accounts, sorted.len(), sorted.len() * 5);
    let (mut prev_account, mut prev_day) = (0u32, 0i64);
    for (i, e) in sorted.iter().enumerate() {
        let same = i > 0 && e.account == prev_account;
        put_u64(
            &mut out,
            u64::from(e.account - if i > 0 { prev_account } else { 0 }),
        );
        let d = i64::from(e.day);
        put_i64(&mut out, if same { d - prev_day } else { d });
        put_i64(&mut out, e.value_cents);
        (prev_account, prev_day) = (e.account, d);
    }
    out
}

/// Unpacks [`pack_activity`]: the number of accounts and the events, sorted.
pub fn unpack_activity(bytes: &[u8]) -> Result<(usize, Vec<ActivityEvent>), PackedError> {
    let (mut r, n_accounts) = Reader::open(bytes, ACTIVITY)?;
    let count = r.count("number of events", 3)?;
    let mut events = Vec::with_capacity(count);
    let (mut prev_account, mut prev_day) = (0u64, 0i64);
    for i in 0..count {
        let a = prev_account
            .checked_add(r.u64()?)
            .ok_or(PackedError::OutOfRange("account"))?;
        let delta = r.i64()?;
        let d = if i > 0 && a == prev_account {
            prev_day
                .checked_add(delta)
                .ok_or(PackedError::OutOfRange("day"))?
        } else {
            delta
        };
        events.push(ActivityEvent {
            account: account(a, n_accounts)?,
            day: day(d)?,
            value_cents: r.i64()?,
        });
        (prev_account, prev_day) = (a, d);
    }
    r.finish()?;
    Ok((n_accounts, events))
}

/// Packs attribute columns; each covers `n_accounts` accounts (shorter ones are padded with
/// no value, longer ones cut).
pub fn pack_attributes(n_accounts: usize, columns: &[AttributeColumn]) -> Vec<u8> {
    let mut out = header(
        ATTRIBUTES,
        n_accounts,
        columns.len(),
        columns.len() * n_accounts * 2,
    );
    for c in columns {
        put_str(&mut out, &c.name);
        put_u64(&mut out, c.values().len() as u64);
        for v in c.values() {
            put_str(&mut out, v);
        }
        for a in 0..n_accounts {
            put_u64(&mut out, c.code_of(a).map_or(0, |code| u64::from(code) + 1));
        }
    }
    out
}

/// Unpacks [`pack_attributes`]: the number of accounts and the columns.
pub fn unpack_attributes(bytes: &[u8]) -> Result<(usize, Vec<AttributeColumn>), PackedError> {
    let (mut r, n_accounts) = Reader::open(bytes, ATTRIBUTES)?;
    let count = r.count("number of attributes", n_accounts.max(1))?;
    let mut columns = Vec::with_capacity(count);
    for _ in 0..count {
        let name = r.str()?.to_owned();
        let n_values = r.count("number of values", 1)?;
        let mut values = Vec::with_capacity(n_values);
        for _ in 0..n_values {
            values.push(r.str()?.to_owned());
        }
        if n_accounts > r.bytes.len() - r.at {
            return Err(PackedError::Truncated);
        }
        let mut codes = Vec::with_capacity(n_accounts);
        for _ in 0..n_accounts {
            codes.push(match r.u64()? {
                0 => None,
                v if v <= n_values as u64 => Some((v - 1) as u32),
                _ => return Err(PackedError::OutOfRange("attribute value")),
            });
        }
        columns.push(AttributeColumn::from_codes(name, values, &codes));
    }
    r.finish()?;
    Ok((n_accounts, columns))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sub(account: u32, start: Day, end: Option<Day>, mrr_cents: i64) -> Subscription {
        Subscription {
            account,
            start,
            end,
            mrr_cents,
        }
    }

    #[test]
    fn subscriptions_round_trip_sorted() {
        let rows = vec![
            sub(2, 19_000, None, 5_000),
            sub(0, 18_500, Some(18_530), 0),
            sub(0, 18_400, Some(18_300), -7),
            sub(2, i32::MIN, Some(i32::MAX), i64::MIN),
            sub(1, i32::MAX, None, i64::MAX),
        ];
        let (n, back) = unpack_subscriptions(&pack_subscriptions(3, &rows)).unwrap();
        assert_eq!(n, 3);
        let mut expected = rows.clone();
        expected.sort_by_key(|s| (s.account, s.start));
        assert_eq!(back, expected);
    }

    #[test]
    fn kinds_and_versions_are_checked() {
        let packed = pack_activity(1, &[]);
        assert_eq!(
            unpack_subscriptions(&packed),
            Err(PackedError::NotASnapshot)
        );
        let mut other = packed.clone();
        other[4] = 9;
        assert_eq!(unpack_activity(&other), Err(PackedError::Version(9)));
        let mut trailing = packed;
        trailing.push(0);
        assert_eq!(unpack_activity(&trailing), Err(PackedError::Trailing));
    }

    #[test]
    fn an_account_out_of_range_is_refused() {
        let packed = pack_subscriptions(5, &[sub(4, 1, None, 1)]);
        // The same bytes claiming only 4 accounts.
        let mut lying = packed.clone();
        lying[5] = 4;
        assert_eq!(
            unpack_subscriptions(&lying),
            Err(PackedError::OutOfRange("account"))
        );
    }

    #[test]
    fn a_huge_count_does_not_allocate() {
        let mut bytes = b"ATRS\x01\x01".to_vec();
        put_u64(&mut bytes, u64::MAX >> 1);
        assert_eq!(
            unpack_subscriptions(&bytes),
            Err(PackedError::OutOfRange("number of rows"))
        );
    }

    #[test]
    fn attributes_round_trip() {
        let plan = AttributeColumn::from_pairs("plan", 4, [(0, "pro"), (2, "free"), (3, "pro")]);
        let region = AttributeColumn::from_pairs("région", 4, [(1, "ਪੰਜਾਬ"), (3, "ລາວ")]);
        let (n, back) =
            unpack_attributes(&pack_attributes(4, &[plan.clone(), region.clone()])).unwrap();
        assert_eq!(n, 4);
        assert_eq!(back, vec![plan, region]);
    }

    fn subscriptions() -> impl Strategy<Value = (usize, Vec<Subscription>)> {
        (1usize..50).prop_flat_map(|n| {
            let row = (
                0..n as u32,
                any::<i32>(),
                proptest::option::of(any::<i32>()),
                any::<i64>(),
            )
                .prop_map(|(a, s, e, m)| sub(a, s, e, m));
            (Just(n), proptest::collection::vec(row, 0..200))
        })
    }

    proptest! {
        #[test]
        fn any_subscriptions_round_trip((n, rows) in subscriptions()) {
            let (m, back) = unpack_subscriptions(&pack_subscriptions(n, &rows)).unwrap();
            prop_assert_eq!(m, n);
            let mut expected = rows.clone();
            expected.sort_unstable_by_key(|s| (s.account, s.start, s.end.map_or(i64::MAX, i64::from), s.mrr_cents));
            prop_assert_eq!(back, expected);
        }

        #[test]
        fn any_activity_round_trips(
            n in 1usize..50,
            raw in proptest::collection::vec((0u32..50, any::<i32>(), any::<i64>()), 0..200),
        ) {
            let events: Vec<ActivityEvent> = raw
                .into_iter()
                .map(|(a, day, value_cents)| ActivityEvent { account: a % n as u32, day, value_cents })
                .collect();
            let (m, back) = unpack_activity(&pack_activity(n, &events)).unwrap();
            prop_assert_eq!(m, n);
            let mut expected = events;
            expected.sort_unstable_by_key(|e| (e.account, e.day, e.value_cents));
            prop_assert_eq!(back, expected);
        }

        #[test]
        fn damaged_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300), kind in 0u8..3) {
            let mut input = b"ATR".to_vec();
            input.push([SUBSCRIPTIONS, ACTIVITY, ATTRIBUTES][kind as usize]);
            input.push(VERSION);
            input.extend(bytes);
            let _ = unpack_subscriptions(&input);
            let _ = unpack_activity(&input);
            let _ = unpack_attributes(&input);
        }

        #[test]
        fn cut_snapshots_are_errors((n, rows) in subscriptions(), cut in any::<prop::sample::Index>()) {
            let packed = pack_subscriptions(n, &rows);
            let at = cut.index(packed.len());
            prop_assert!(unpack_subscriptions(&packed[..at]).is_err());
        }
    }
}
