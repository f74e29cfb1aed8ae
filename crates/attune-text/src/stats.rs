//! Statistics for keyword tests: the chi-square survival function, the 2×2 test and the
//! Benjamini–Hochberg adjustment. The chi-square survival function is `attune_domain`'s;
//! everything here is pinned against scipy (`tools/oracles/text_stats.py`).

/// P(X ≥ x) for X ~ χ²(df): `scipy.stats.chi2.sf(x, df)` (shared with the churn audit).
pub fn chi_square_sf(x: f64, df: f64) -> f64 {
    attune_domain::metrics::gamma::chi2_sf(x, df)
}

/// A 2×2 table: `a` focus documents with the term, `b` without; `c` background documents with
/// it, `d` without.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Table {
    /// Focus documents containing the term.
    pub a: u64,
    /// Focus documents without the term.
    pub b: u64,
    /// Background documents containing the term.
    pub c: u64,
    /// Background documents without the term.
    pub d: u64,
}

impl Table {
    /// Pearson's chi-square with Yates' continuity correction (conservative for the small
    /// counts keyword tables have), and its p-value on 1 degree of freedom.
    pub fn chi_square(&self) -> (f64, f64) {
        let (a, b, c, d) = (self.a as f64, self.b as f64, self.c as f64, self.d as f64);
        let n = a + b + c + d;
        let rows = (a + b) * (c + d);
        let cols = (a + c) * (b + d);
        if n == 0.0 || rows == 0.0 || cols == 0.0 {
            return (0.0, 1.0);
        }
        let diff = ((a * d - b * c).abs() - n / 2.0).max(0.0);
        let stat = n * diff * diff / (rows * cols);
        (stat, chi_square_sf(stat, 1.0))
    }

    /// The log odds ratio with 0.5 added to every cell (Haldane–Anscombe), and its 95% Wald
    /// confidence interval.
    pub fn log_odds_ratio(&self) -> (f64, f64, f64) {
        let [a, b, c, d] = [self.a, self.b, self.c, self.d].map(|v| v as f64 + 0.5);
        let lor = (a * d / (b * c)).ln();
        let se = (1.0 / a + 1.0 / b + 1.0 / c + 1.0 / d).sqrt();
        (
            lor,
            lor - 1.959_963_984_540_054 * se,
            lor + 1.959_963_984_540_054 * se,
        )
    }
}

/// Benjamini–Hochberg adjusted p-values (q-values), in the input order.
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let n = p.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| p[j].total_cmp(&p[i]));
    let mut q = vec![1.0; n];
    let mut running = 1.0f64;
    for (k, &i) in order.iter().enumerate() {
        let rank = (n - k) as f64;
        running = running.min(p[i] * n as f64 / rank);
        q[i] = running.min(1.0);
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chi_square_of_a_worked_table() {
        // 30/100 focus documents vs 10/100 background: Yates chi-square
        // = 200 * (|30*90 - 70*10| - 100)^2 / (100*100*40*160) = 11.28125.
        let t = Table {
            a: 30,
            b: 70,
            c: 10,
            d: 90,
        };
        let (stat, p) = t.chi_square();
        assert!((stat - 11.28125).abs() < 1e-12);
        assert!(p < 0.001 && p > 0.0007, "{p}");
        let (lor, lo, hi) = t.log_odds_ratio();
        assert!(lo < lor && lor < hi && lo > 0.0);
    }

    #[test]
    fn benjamini_hochberg_of_a_worked_list() {
        let q = benjamini_hochberg(&[0.01, 0.04, 0.03, 0.5]);
        let want = [0.04, 0.04 * 4.0 / 3.0, 0.04 * 4.0 / 3.0, 0.5];
        for (got, want) in q.iter().zip(want) {
            assert!((got - want).abs() < 1e-12, "{q:?}");
        }
    }
}
