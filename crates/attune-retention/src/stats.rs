//! The few statistical functions the churn audit needs, written here to keep the crate free of
//! dependencies: log-gamma, the regularised incomplete gamma function, the chi-square survival
//! function, Pearson's chi-square test and Fisher's exact test for 2×2 tables.

/// ln Γ(x) for x > 0, by the Lanczos approximation (g = 7, 9 terms; ~15 significant digits).
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x) Γ(1 − x) = π / sin(πx).
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let t = x + G + 0.5;
    let sum = C[1..]
        .iter()
        .enumerate()
        .fold(C[0], |acc, (i, c)| acc + c / (x + i as f64 + 1.0));
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// ln n!, exact by summation for small n.
pub fn ln_factorial(n: u64) -> f64 {
    if n < 32 {
        (2..=n).map(|k| (k as f64).ln()).sum()
    } else {
        ln_gamma(n as f64 + 1.0)
    }
}

/// The regularised upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a), for a > 0.
pub fn gamma_q(a: f64, x: f64) -> f64 {
    if x.is_nan() || a.is_nan() || a <= 0.0 {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 1.0;
    }
    if x.is_infinite() {
        return 0.0;
    }
    let log_prefix = -x + a * x.ln() - ln_gamma(a);
    if x < a + 1.0 {
        // Series for P(a, x); Q is not small here, so 1 − P loses nothing that matters.
        let mut term = 1.0 / a;
        let mut sum = term;
        let mut ap = a;
        for _ in 0..10_000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * 1e-17 {
                break;
            }
        }
        (1.0 - sum * log_prefix.exp()).clamp(0.0, 1.0)
    } else {
        // Continued fraction for Q(a, x), evaluated by the modified Lentz method.
        const TINY: f64 = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / TINY;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..10_000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < TINY {
                d = TINY;
            }
            c = b + an / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < 1e-16 {
                break;
            }
        }
        (log_prefix.exp() * h).clamp(0.0, 1.0)
    }
}

/// P(X ≥ x) for X ~ χ²(df).
pub fn chi2_sf(x: f64, df: f64) -> f64 {
    gamma_q(df / 2.0, x / 2.0)
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
