//! Tango's score interval for the difference of two shares of one multinomial sample.
//!
//! Rocks (2016), "Interval Estimation for the Net Promoter Score", The American Statistician
//! 70:4, recommends it for NPS: detractors, passives and promoters are one trinomial sample and
//! NPS is the promoter share minus the detractor share.

/// Bisection steps; far more than the ~60 halvings needed to reach adjacent `f64`s on [−1, 1].
const MAX_BISECTIONS: u32 = 200;

/// Tango score interval for promoter share minus detractor share, in NPS points ([−100, 100]).
///
/// `None` when there is no data (`n == 0`), when `detractors + promoters > n`, or when `z` is
/// negative or not finite. An end that the data pin to the boundary is exact: the upper end is
/// 100 when every response is a promoter, the lower end −100 when every one is a detractor.
pub fn tango_interval(detractors: u64, promoters: u64, n: u64, z: f64) -> Option<(f64, f64)> {
    let classified = detractors.checked_add(promoters)?;
    if n == 0 || classified > n || !z.is_finite() || z < 0.0 {
        return None;
    }
    let (b, c, nf) = (detractors as f64, promoters as f64, n as f64);
    let estimate = net_share(detractors, promoters, n);
    let inside = |delta: f64| score(b, c, nf, delta).abs() <= z;
    // The score statistic falls monotonically in Δ and is 0 at the estimate, so each end is
    // the single crossing between the estimate and the matching boundary. The boundary itself
    // is outside (|Z| = ∞) unless every response sits there, which is handled exactly.
    let lo = if detractors == n {
        -1.0
    } else {
        bisect(&inside, estimate, -1.0)
    };
    let hi = if promoters == n {
        1.0
    } else {
        bisect(&inside, estimate, 1.0)
    };
    Some((100.0 * lo, 100.0 * hi))
}

/// The observed promoter share minus detractor share, as a proportion in [−1, 1].
// Shared with the NPS point estimate so the interval's anchor and the reported NPS are the
// same float, keeping "the interval contains the estimate" exact rather than approximate.
pub(crate) fn net_share(detractors: u64, promoters: u64, n: u64) -> f64 {
    (promoters as f64 - detractors as f64) / n as f64
}

/// Narrows `[inside, outside]` to adjacent floats and returns the last point known inside.
fn bisect(is_inside: &impl Fn(f64) -> bool, mut inside: f64, mut outside: f64) -> f64 {
    for _ in 0..MAX_BISECTIONS {
        let mid = inside + (outside - inside) / 2.0;
        if mid == inside || mid == outside {
            break;
        }
        if is_inside(mid) {
            inside = mid;
        } else {
            outside = mid;
        }
    }
    inside
}

/// Tango's score statistic Z(Δ) for `b` detractors and `c` promoters out of `n`.
fn score(b: f64, c: f64, n: f64, delta: f64) -> f64 {
    let numerator = c - b - n * delta;
    let q = constrained_detractor_share(b / n, c / n, delta);
    let variance = n * (2.0 * q + delta * (1.0 - delta));
    if variance > 0.0 {
        numerator / variance.sqrt()
    } else if numerator == 0.0 {
        // Zero variance with a zero numerator is the estimate of a degenerate sample (all
        // passives at Δ = 0, or Δ = ±1 reached by every response): perfectly consistent.
        0.0
    } else {
        // Zero variance but a miss: Δ is impossible for this sample, so it is outside.
        f64::INFINITY.copysign(numerator)
    }
}

/// The detractor share maximising the trinomial likelihood subject to promoter − detractor = Δ.
///
/// `beta` and `gamma` are the observed detractor and promoter shares. This is the brief's
/// 2n·q² + (−b − c + (2n − c + b)·Δ)·q − b·Δ·(1 − Δ) = 0 divided by n, i.e.
/// 2q² + (2Δ − u − v)·q − u·Δ = 0 with u = β(1 − Δ), v = γ(1 + Δ), and we take the larger
/// root. For Δ ≥ 0 the roots have opposite signs, so that is the positive one; for Δ < 0 both
/// can be positive, but the quadratic is ≤ 0 at q = −Δ (it equals γ·Δ·(1 + Δ) there), so only
/// the larger root keeps the promoter share q + Δ non-negative.
fn constrained_detractor_share(beta: f64, gamma: f64, delta: f64) -> f64 {
    let u = beta * (1.0 - delta);
    let v = gamma * (1.0 + delta);
    let linear = 2.0 * delta - u - v;
    let constant = -u * delta;
    // The discriminant B² − 8C rewritten as (2Δ + u − v)² + 4uv: a sum of non-negative terms.
    // The textbook form cancels catastrophically near a double root (e.g. nearly all
    // detractors with Δ near −1), which cost ~1e-9 NPS points of accuracy.
    let skew = 2.0 * delta + u - v;
    let root = (skew * skew + 4.0 * u * v).sqrt();
    // Pick the algebraically equal form that avoids subtracting nearly equal numbers.
    let q = if linear > 0.0 {
        -2.0 * constant / (linear + root)
    } else {
        (root - linear) / 4.0
    };
    q.max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Z95;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn rejects_no_data_and_bad_input() {
        assert_eq!(tango_interval(0, 0, 0, Z95), None);
        assert_eq!(tango_interval(6, 5, 10, Z95), None);
        assert_eq!(tango_interval(u64::MAX, 1, u64::MAX, Z95), None);
        assert_eq!(tango_interval(1, 1, 3, f64::INFINITY), None);
        assert_eq!(tango_interval(1, 1, 3, -0.5), None);
    }

    #[test]
    fn worked_example_needs_the_exact_quantile() {
        let (lo, hi) = tango_interval(10, 70, 100, Z95).unwrap();
        assert!(
            close(lo, 45.2167, 1e-4) && close(hi, 71.2768, 1e-4),
            "({lo}, {hi})"
        );
        // z = 1.96 lands ≈ 3e-4 away at the lower end, outside the example's 1e-4: the
        // example was computed with Φ⁻¹(0.975), not the rounded 1.96.
        let (lo196, _) = tango_interval(10, 70, 100, 1.96).unwrap();
        assert!(!close(lo196, 45.2167, 1e-4), "{lo196}");
    }

    #[test]
    fn all_promoters_has_closed_form_lower_end() {
        // With c = n the score equation reduces to Δ = (n − z²) / (n + z²).
        for n in [1_u64, 2, 7, 30, 1000] {
            let (lo, hi) = tango_interval(0, n, n, Z95).unwrap();
            let nf = n as f64;
            let want = 100.0 * (nf - Z95 * Z95) / (nf + Z95 * Z95);
            assert_eq!(hi, 100.0);
            assert!(close(lo, want, 1e-9), "n = {n}: {lo} vs {want}");
        }
    }

    #[test]
    fn all_passives_has_closed_form_half_width() {
        // With b = c = 0 the interval is |Δ| ≤ z² / (n + z²).
        for n in [1_u64, 5, 50, 12_345] {
            let (lo, hi) = tango_interval(0, 0, n, Z95).unwrap();
            let want = 100.0 * Z95 * Z95 / (n as f64 + Z95 * Z95);
            assert!(
                close(hi, want, 1e-9) && close(lo, -want, 1e-9),
                "n = {n}: ({lo}, {hi})"
            );
        }
    }

    #[test]
    fn zero_quantile_collapses_to_the_estimate() {
        let (lo, hi) = tango_interval(10, 70, 100, 0.0).unwrap();
        assert!(
            close(lo, 60.0, 1e-9) && close(hi, 60.0, 1e-9),
            "({lo}, {hi})"
        );
    }

    #[test]
    fn score_is_finite_or_signed_infinity_at_the_boundaries() {
        for (b, c, n) in [
            (0.0, 0.0, 5.0),
            (1.0, 3.0, 5.0),
            (5.0, 0.0, 5.0),
            (0.0, 5.0, 5.0),
        ] {
            for delta in [-1.0, -0.5, 0.0, 0.5, 1.0] {
                assert!(
                    !score(b, c, n, delta).is_nan(),
                    "b={b} c={c} n={n} Δ={delta}"
                );
            }
        }
        assert_eq!(score(1.0, 3.0, 5.0, 1.0), f64::NEG_INFINITY);
        assert_eq!(score(1.0, 3.0, 5.0, -1.0), f64::INFINITY);
        assert_eq!(score(0.0, 5.0, 5.0, 1.0), 0.0);
    }

    #[test]
    fn constrained_share_is_feasible() {
        // q ≥ max(0, −Δ) and the passive share 1 − 2q − Δ ≥ 0, up to rounding.
        for (b, c) in [(0.1, 0.7), (0.0, 1.0), (0.4, 0.0), (0.5, 0.5), (1.0, 0.0)] {
            for i in -99..=99 {
                let delta = f64::from(i) / 100.0;
                let q = constrained_detractor_share(b, c, delta);
                assert!(
                    q >= (-delta).max(0.0) - 1e-12,
                    "b={b} c={c} Δ={delta} q={q}"
                );
                assert!(
                    1.0 - 2.0 * q - delta >= -1e-12,
                    "b={b} c={c} Δ={delta} q={q}"
                );
            }
        }
    }
}
