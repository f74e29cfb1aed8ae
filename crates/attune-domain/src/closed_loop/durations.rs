//! Durations (times to first response, times to resolution) as the loop metrics gather them:
//! sorted runs — each day's maintained list — and loose values (the cases of a partial day, or
//! every case when the metrics are computed from their definition). The exact median is found
//! by counting, in each run, the values at or below a candidate (a binary search per run), so
//! a year of a million durations is never merged, copied or reordered.

use super::metrics::median;

/// A multiset of durations in ms.
#[derive(Debug, Clone, Default)]
pub struct Durations {
    runs: Vec<Vec<i64>>,
    loose: Vec<i64>,
}

impl Durations {
    /// Adds one value.
    pub fn push(&mut self, v: i64) {
        self.loose.push(v);
    }

    /// Adds a run of values sorted ascending (sorted here when it is not).
    pub fn add_sorted(&mut self, mut run: Vec<i64>) {
        if !run.is_sorted() {
            run.sort_unstable();
        }
        if !run.is_empty() {
            self.runs.push(run);
        }
    }

    /// How many values there are.
    pub fn len(&self) -> usize {
        self.loose.len() + self.runs.iter().map(Vec::len).sum::<usize>()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every value, sorted.
    pub fn sorted(&self) -> Vec<i64> {
        let mut all: Vec<i64> = self.runs.iter().flatten().copied().collect();
        all.extend(&self.loose);
        all.sort_unstable();
        all
    }

    /// The median, as [`median`] defines it (the mean of the middle two for an even count,
    /// rounded down).
    pub fn median(mut self) -> Option<i64> {
        if self.runs.is_empty() {
            return median(&mut self.loose);
        }
        let n = self.len();
        let loose = std::mem::take(&mut self.loose);
        self.add_sorted(loose);
        let mid = self.kth(n / 2);
        Some(if n % 2 == 1 {
            mid
        } else {
            let below = self.kth(n / 2 - 1);
            (below + mid).div_euclid(2)
        })
    }

    /// The `k`-th smallest value (from 0; `k` below the count): the least `x` with more than
    /// `k` values at or below it.
    fn kth(&self, k: usize) -> i64 {
        let at_or_below = |x: i64| -> usize {
            self.runs
                .iter()
                .map(|r| r.partition_point(|&v| v <= x))
                .sum()
        };
        let mut lo = self.runs.iter().map(|r| r[0]).min().unwrap_or(0);
        let mut hi = self.runs.iter().map(|r| r[r.len() - 1]).max().unwrap_or(0);
        while lo < hi {
            let mid = ((i128::from(lo) + i128::from(hi)).div_euclid(2)) as i64;
            if at_or_below(mid) > k {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        lo
    }
}

impl Extend<i64> for Durations {
    fn extend<T: IntoIterator<Item = i64>>(&mut self, iter: T) {
        self.loose.extend(iter);
    }
}

/// Equal when they hold the same values, however gathered.
impl PartialEq for Durations {
    fn eq(&self, other: &Self) -> bool {
        self.sorted() == other.sorted()
    }
}

impl Eq for Durations {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_median_of_runs_and_loose_values() {
        let mut d = Durations::default();
        assert_eq!(d.clone().median(), None);
        d.add_sorted(vec![1, 5, 9]);
        d.add_sorted(vec![2, 3]);
        d.push(7);
        // 1 2 3 5 7 9: (3 + 5) / 2.
        assert_eq!(d.clone().median(), Some(4));
        d.push(100);
        assert_eq!(d.median(), Some(5));
        let mut e = Durations::default();
        e.add_sorted(vec![3, 1]);
        e.extend([2]);
        assert_eq!(e.sorted(), vec![1, 2, 3]);
        let mut f = Durations::default();
        f.extend([-3, -4]);
        f.add_sorted(vec![-5]);
        assert_eq!(f.median(), Some(-4));
    }

    proptest! {
        /// However the values are split into runs and loose ones, the median is the one of
        /// all of them.
        #[test]
        fn runs_give_the_median_of_all_values(
            runs in prop::collection::vec(prop::collection::vec(-1_000_000i64..1_000_000_000, 0..30), 0..12),
            loose in prop::collection::vec(-1_000i64..5_000, 0..20),
            extreme in prop::option::of(prop_oneof![Just(i64::MIN / 2), Just(i64::MAX / 2)]),
        ) {
            let mut d = Durations::default();
            let mut all = loose.clone();
            for r in runs {
                all.extend(&r);
                let mut r = r;
                r.sort_unstable();
                d.add_sorted(r);
            }
            d.extend(loose);
            if let Some(x) = extreme {
                d.push(x);
                all.push(x);
            }
            prop_assert_eq!(d.len(), all.len());
            prop_assert_eq!(d.median(), median(&mut all));
        }
    }
}
