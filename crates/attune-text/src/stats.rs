//! Statistics for keyword tests: the chi-square survival function, the 2×2 test and the
//! Benjamini–Hochberg adjustment. Written here rather than pulled from a statistics crate: three
//! small functions, pinned against scipy (`tools/oracles/text_stats.py`).

/// P(X ≥ x) for X ~ χ²(df): `scipy.stats.chi2.sf(x, df)`.
pub fn chi_square_sf(x: f64, df: f64) -> f64 {
    if x.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 1.0;
    }
    gamma_q(df / 2.0, x / 2.0)
}

/// ln Γ(z) for z > 0, by the Lanczos approximation (g = 7, nine terms; ~15 digits).
fn ln_gamma(z: f64) -> f64 {
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
    if z < 0.5 {
        // Reflection: Γ(z)Γ(1−z) = π / sin(πz).
        let pi = std::f64::consts::PI;
        return (pi / (pi * z).sin()).ln() - ln_gamma(1.0 - z);
    }
    let z = z - 1.0;
    let mut sum = C[0];
    for (i, c) in C.iter().enumerate().skip(1) {
        sum += c / (z + i as f64);
    }
    let t = z + G + 0.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (z + 0.5) * t.ln() - t + sum.ln()
}

/// The regularised upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a).
fn gamma_q(a: f64, x: f64) -> f64 {
    let log_prefactor = -x + a * x.ln() - ln_gamma(a);
    if x < a + 1.0 {
        // Series for P(a, x); Q = 1 − P is not small here, so no cancellation to fear.
        let mut term = 1.0 / a;
        let mut sum = term;
        let mut ap = a;
        for _ in 0..1000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * 1e-16 {
                break;
            }
        }
        (1.0 - sum * log_prefactor.exp()).clamp(0.0, 1.0)
    } else {
        // Continued fraction for Q(a, x), evaluated by the modified Lentz method.
        const TINY: f64 = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / TINY;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..1000 {
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
        (log_prefactor.exp() * h).clamp(0.0, 1.0)
    }
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
    fn ln_gamma_matches_factorials() {
        for (n, fact) in [(1u32, 1.0f64), (5, 24.0), (11, 3_628_800.0)] {
            assert!((ln_gamma(f64::from(n)) - fact.ln()).abs() < 1e-12);
        }
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-13);
    }

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
