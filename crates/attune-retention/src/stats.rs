//! The statistical functions the churn audit needs: Pearson's chi-square test and Fisher's exact
//! test for 2×2 tables, on the gamma functions shared through `attune_domain::metrics::gamma`.

pub use attune_domain::metrics::gamma::{chi2_sf, gamma_q, ln_gamma};

/// ln n!, exact by summation for small n.
pub fn ln_factorial(n: u64) -> f64 {
    if n < 32 {
        (2..=n).map(|k| (k as f64).ln()).sum()
    } else {
        ln_gamma(n as f64 + 1.0)
    }
}

/// Pearson's chi-square test of independence for the 2×2 table [[a, b], [c, d]], without
/// continuity correction (scipy's `chi2_contingency(..., correction=False)`): the statistic
/// and its p-value, or `None` when a row or column is empty.
pub fn chi_square_2x2(a: u64, b: u64, c: u64, d: u64) -> Option<(f64, f64)> {
    let (a, b, c, d) = (a as f64, b as f64, c as f64, d as f64);
    let n = a + b + c + d;
    let margins = (a + b) * (c + d) * (a + c) * (b + d);
    if margins == 0.0 {
        return None;
    }
    let diff = a * d - b * c;
    let stat = n * diff * diff / margins;
    Some((stat, chi2_sf(stat, 1.0)))
}

/// The smallest expected cell count of the 2×2 table under independence.
pub fn min_expected_2x2(a: u64, b: u64, c: u64, d: u64) -> f64 {
    let n = (a + b + c + d) as f64;
    if n == 0.0 {
        return 0.0;
    }
    ((a + b).min(c + d) as f64) * ((a + c).min(b + d) as f64) / n
}

/// Fisher's exact test, two-sided, for [[a, b], [c, d]]: the probability under the
/// hypergeometric null of a table at most as likely as the observed one (with R's relative
/// tolerance of 1e-7 for ties).
pub fn fisher_exact(a: u64, b: u64, c: u64, d: u64) -> f64 {
    let (r1, r2, c1) = (a + b, c + d, a + c);
    let n = r1 + r2;
    let ln_choose = |n: u64, k: u64| ln_factorial(n) - ln_factorial(k) - ln_factorial(n - k);
    let base = ln_choose(n, c1);
    let ln_pmf = |x: u64| ln_choose(r1, x) + ln_choose(r2, c1 - x) - base;
    let observed = ln_pmf(a);
    let limit = observed + (1.0f64 + 1e-7).ln();
    let lo = c1.saturating_sub(r2);
    let hi = r1.min(c1);
    let p: f64 = (lo..=hi)
        .map(ln_pmf)
        .filter(|&lp| lp <= limit)
        .map(f64::exp)
        .sum();
    p.min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_gamma_at_known_points() {
        assert!(ln_gamma(1.0).abs() < 1e-14);
        assert!(ln_gamma(2.0).abs() < 1e-14);
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-14);
        assert!((ln_gamma(11.0) - 3_628_800f64.ln()).abs() < 1e-12);
        assert!((ln_factorial(40) - ln_gamma(41.0)).abs() < 1e-10);
    }

    #[test]
    fn chi_square_one_df_is_the_normal_tail() {
        // P(χ²₁ ≥ 1.959963984540054²) = 0.05.
        let z = 1.959_963_984_540_054f64;
        assert!((chi2_sf(z * z, 1.0) - 0.05).abs() < 1e-13);
        // χ²₂ has survival exp(−x/2).
        assert!((chi2_sf(3.0, 2.0) - (-1.5f64).exp()).abs() < 1e-14);
        assert_eq!(chi2_sf(0.0, 1.0), 1.0);
    }

    #[test]
    fn fisher_on_the_tea_tasting_table() {
        // Fisher's lady tasting tea: [[3, 1], [1, 3]], two-sided p = 34/70.
        assert!((fisher_exact(3, 1, 1, 3) - 34.0 / 70.0).abs() < 1e-14);
        assert_eq!(fisher_exact(0, 0, 0, 0), 1.0);
        assert_eq!(chi_square_2x2(1, 0, 1, 0), None);
    }
}
