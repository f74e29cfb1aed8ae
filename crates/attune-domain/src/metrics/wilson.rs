//! The Wilson score interval for a binomial proportion.

/// The two-sided 95% normal quantile, Φ⁻¹(0.975), as scipy's `norm.ppf(0.975)` gives it.
pub const Z95: f64 = 1.959963984540054;

/// Wilson score interval for `successes` out of `n` at normal quantile `z`, as proportions in [0, 1].
///
/// `None` when there is no data (`n == 0`), when `successes > n`, or when `z` is negative or
/// not finite. The lower end is exactly 0 when `successes == 0`, the upper exactly 1 when
/// `successes == n`. Uses the same arrangement of the formula as statsmodels' `proportion_confint`
/// so the oracle fixture can be matched tightly.
pub fn wilson_interval(successes: u64, n: u64, z: f64) -> Option<(f64, f64)> {
    if n == 0 || successes > n || !z.is_finite() || z < 0.0 {
        return None;
    }
    let nf = n as f64;
    let p = successes as f64 / nf;
    let z2 = z * z;
    let denom = 1.0 + z2 / nf;
    let center = (p + z2 / (2.0 * nf)) / denom;
    let dist = z * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt() / denom;
    // At p̂ = 0 (or 1) the lower (upper) end is exactly 0 (1), but center ∓ dist can miss it
    // by an ulp either way; pin it, and clamp the rest into [0, 1] for the same reason.
    let lo = if successes == 0 {
        0.0
    } else {
        (center - dist).clamp(0.0, 1.0)
    };
    let hi = if successes == n {
        1.0
    } else {
        (center + dist).clamp(0.0, 1.0)
    };
    Some((lo, hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_no_data_and_bad_input() {
        assert_eq!(wilson_interval(0, 0, Z95), None);
        assert_eq!(wilson_interval(3, 2, Z95), None);
        assert_eq!(wilson_interval(1, 2, f64::NAN), None);
        assert_eq!(wilson_interval(1, 2, -1.0), None);
    }

    #[test]
    fn edges_are_exact() {
        let (lo, hi) = wilson_interval(0, 10, Z95).unwrap();
        assert_eq!(lo, 0.0);
        assert!(hi > 0.0 && hi < 1.0);
        let (lo, hi) = wilson_interval(10, 10, Z95).unwrap();
        assert_eq!(hi, 1.0);
        assert!(lo > 0.0 && lo < 1.0);
    }

    #[test]
    fn one_of_one_matches_closed_form() {
        // For 1 of 1 the lower end is 1 / (1 + z²).
        let (lo, hi) = wilson_interval(1, 1, Z95).unwrap();
        assert!((lo - 1.0 / (1.0 + Z95 * Z95)).abs() < 1e-15);
        assert_eq!(hi, 1.0);
    }

    #[test]
    fn zero_quantile_collapses_to_the_estimate() {
        assert_eq!(wilson_interval(1, 4, 0.0), Some((0.25, 0.25)));
    }

    #[test]
    fn half_is_symmetric() {
        let (lo, hi) = wilson_interval(50, 100, Z95).unwrap();
        assert!((lo + hi - 1.0).abs() < 1e-15);
        assert!((hi - 0.596_168_469_634_004).abs() < 1e-9, "hi = {hi}");
    }
}
