//! Integration tests for `attune_domain::metrics`: the brief's worked examples, edge cases,
//! oracle fixtures from `tools/oracles/` and property tests.

use attune_domain::metrics::{
    CesSummary, CsatCounts, NpsBand, NpsCounts, Scale, Z95, tango_interval, wilson_interval,
};
use proptest::prelude::*;
use serde::Deserialize;

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

fn nps(promoters: u64, passives: u64, detractors: u64) -> NpsCounts {
    NpsCounts {
        promoters,
        passives,
        detractors,
    }
}

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

// ---------------------------------------------------------------------------------------------
// Worked examples and edge cases
// ---------------------------------------------------------------------------------------------

#[test]
fn nps_worked_example() {
    let s = nps(70, 20, 10).summary().unwrap();
    assert_eq!(
        (s.n, s.promoters, s.passives, s.detractors),
        (100, 70, 20, 10)
    );
    assert!(close(s.nps, 60.0, 1e-12), "nps = {}", s.nps);
    assert!(close(s.se, 6.6332, 1e-4), "se = {}", s.se);
    assert!(close(s.ci95.0, 45.2167, 1e-4), "lo = {}", s.ci95.0);
    assert!(close(s.ci95.1, 71.2768, 1e-4), "hi = {}", s.ci95.1);
}

#[test]
fn nps_worked_example_built_from_scores() {
    let mut counts = NpsCounts::default();
    for (score, count) in [(0, 4), (6, 6), (7, 15), (8, 5), (9, 30), (10, 40), (11, 99)] {
        counts.add(score, count);
    }
    assert_eq!(counts, nps(70, 20, 10));
}

#[test]
fn no_data_is_none_everywhere() {
    assert_eq!(NpsCounts::default().summary(), None);
    assert_eq!(tango_interval(0, 0, 0, Z95), None);
    assert_eq!(wilson_interval(0, 0, Z95), None);
    assert_eq!(CsatCounts::default().summary(), None);
    assert_eq!(
        CsatCounts::from_histogram(Scale::CSAT_DEFAULT, &[]).summary(),
        None
    );
    assert_eq!(CesSummary::from_histogram(Scale::CES_DEFAULT, &[]), None);
}

#[test]
fn all_promoters_pins_upper_end_to_100() {
    for n in [1, 2, 10, 500] {
        let s = nps(n, 0, 0).summary().unwrap();
        assert_eq!(s.nps, 100.0);
        assert_eq!(s.se, 0.0);
        assert_eq!(s.ci95.1, 100.0);
        assert!(
            s.ci95.0 < 100.0 && s.ci95.0 > -100.0,
            "n = {n}: {:?}",
            s.ci95
        );
    }
}

#[test]
fn all_detractors_pins_lower_end_to_minus_100() {
    for n in [1, 2, 10, 500] {
        let s = nps(0, 0, n).summary().unwrap();
        assert_eq!(s.nps, -100.0);
        assert_eq!(s.ci95.0, -100.0);
        assert!(
            s.ci95.1 > -100.0 && s.ci95.1 < 100.0,
            "n = {n}: {:?}",
            s.ci95
        );
    }
}

#[test]
fn single_response_of_each_band() {
    let z2 = Z95 * Z95;
    // One promoter: lower end (1 − z²)/(1 + z²); one passive: ±z²/(1 + z²).
    let promoter = nps(1, 0, 0).summary().unwrap();
    assert_eq!((promoter.nps, promoter.ci95.1), (100.0, 100.0));
    assert!(close(
        promoter.ci95.0,
        100.0 * (1.0 - z2) / (1.0 + z2),
        1e-9
    ));
    let detractor = nps(0, 0, 1).summary().unwrap();
    assert_eq!((detractor.nps, detractor.ci95.0), (-100.0, -100.0));
    assert!(close(
        detractor.ci95.1,
        -100.0 * (1.0 - z2) / (1.0 + z2),
        1e-9
    ));
    let passive = nps(0, 1, 0).summary().unwrap();
    assert_eq!((passive.nps, passive.se), (0.0, 0.0));
    assert!(
        close(passive.ci95.1, 100.0 * z2 / (1.0 + z2), 1e-9),
        "{:?}",
        passive.ci95
    );
    assert!(
        close(passive.ci95.0, -100.0 * z2 / (1.0 + z2), 1e-9),
        "{:?}",
        passive.ci95
    );
}

#[test]
fn nps_band_names_round_trip() {
    assert_eq!(NpsBand::of(6).map(NpsBand::as_str), Some("detractor"));
    assert_eq!(NpsBand::of(8).map(NpsBand::as_str), Some("passive"));
    assert_eq!(NpsBand::of(9).map(NpsBand::as_str), Some("promoter"));
    assert_eq!(NpsBand::parse("passive"), Some(NpsBand::Passive));
    assert_eq!(NpsBand::parse("neutral"), None);
    assert_eq!(NpsBand::Promoter.score_range(), (9, 10));
}

#[test]
fn nps_summary_serialises_flat() {
    let json = serde_json::to_value(nps(1, 0, 0).summary().unwrap()).unwrap();
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for key in [
        "n",
        "promoters",
        "passives",
        "detractors",
        "nps",
        "se",
        "ci95",
    ] {
        assert!(keys.contains(&key), "missing {key} in {json}");
    }
    assert_eq!(json["ci95"][1], 100.0);
}

#[test]
fn csat_on_default_scale() {
    let hist = [(1, 3), (2, 2), (3, 5), (4, 20), (5, 10), (0, 50), (6, 50)];
    let counts = CsatCounts::from_histogram(Scale::CSAT_DEFAULT, &hist);
    assert_eq!(
        counts,
        CsatCounts {
            n: 40,
            satisfied: 30
        }
    );
    let s = counts.summary().unwrap();
    assert_eq!((s.n, s.satisfied, s.csat), (40, 30, 75.0));
    // statsmodels proportion_confint(30, 40, method="wilson") × 100.
    assert!(
        close(s.ci95.0, 59.806_038_579_231_966, 1e-9),
        "{:?}",
        s.ci95
    );
    assert!(close(s.ci95.1, 85.812_881_360_903_7, 1e-9), "{:?}", s.ci95);
}

#[test]
fn csat_on_a_ten_point_scale_counts_nine_and_ten() {
    let scale = Scale::new(1, 10).unwrap();
    let hist = [(1, 1), (7, 2), (8, 2), (9, 3), (10, 2), (11, 100), (0, 7)];
    let counts = CsatCounts::from_histogram(scale, &hist);
    assert_eq!(
        counts,
        CsatCounts {
            n: 10,
            satisfied: 5
        }
    );
    let s = counts.summary().unwrap();
    assert_eq!(s.csat, 50.0);
    // statsmodels proportion_confint(5, 10, method="wilson") × 100.
    assert!(
        close(s.ci95.0, 23.659_309_051_256_393, 1e-9),
        "{:?}",
        s.ci95
    );
    assert!(close(s.ci95.1, 76.340_690_948_743_6, 1e-9), "{:?}", s.ci95);
    // The same answers on the default 1–5 scale would count 4 and 5 instead.
    let narrow = CsatCounts::from_histogram(Scale::CSAT_DEFAULT, &[(4, 2), (5, 1), (3, 1)]);
    assert_eq!(narrow, CsatCounts { n: 4, satisfied: 3 });
}

#[test]
fn ces_example() {
    let hist = [
        (1, 2),
        (2, 1),
        (3, 1),
        (4, 2),
        (5, 4),
        (6, 6),
        (7, 4),
        (9, 100),
    ];
    let s = CesSummary::from_histogram(Scale::CES_DEFAULT, &hist).unwrap();
    assert_eq!((s.n, s.easy), (20, 14));
    assert!(close(s.mean, 4.95, 1e-12), "mean = {}", s.mean);
    assert!(close(s.share_easy, 70.0, 1e-12), "share = {}", s.share_easy);
}

// ---------------------------------------------------------------------------------------------
// Oracle fixtures (regenerate with the scripts in tools/oracles/)
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
struct WilsonFixture {
    z: f64,
    cases: Vec<WilsonCase>,
}

#[derive(Deserialize)]
struct WilsonCase {
    successes: u64,
    n: u64,
    lo: f64,
    hi: f64,
}

#[test]
fn wilson_matches_statsmodels() {
    let fx: WilsonFixture = serde_json::from_str(&fixture("wilson.json")).unwrap();
    // statsmodels' quantile is norm.isf(0.025), 2 ulp from Z95; immaterial at 1e-9.
    assert!(close(fx.z, Z95, 1e-15), "fixture z = {}", fx.z);
    assert!(fx.cases.len() >= 20);
    for case in &fx.cases {
        let (lo, hi) = wilson_interval(case.successes, case.n, Z95).unwrap();
        let what = format!(
            "{} of {}: ({lo}, {hi}) vs ({}, {})",
            case.successes, case.n, case.lo, case.hi
        );
        assert!(
            close(lo, case.lo, 1e-9) && close(hi, case.hi, 1e-9),
            "{what}"
        );
    }
}

#[derive(Deserialize)]
struct TangoFixture {
    z: f64,
    cases: Vec<TangoCase>,
}

#[derive(Deserialize)]
struct TangoCase {
    detractors: u64,
    promoters: u64,
    n: u64,
    lo: f64,
    hi: f64,
}

#[test]
fn tango_matches_independent_python() {
    let fx: TangoFixture = serde_json::from_str(&fixture("tango.json")).unwrap();
    assert_eq!(fx.z, Z95);
    assert!(fx.cases.len() >= 10);
    for case in &fx.cases {
        let (lo, hi) = tango_interval(case.detractors, case.promoters, case.n, Z95).unwrap();
        let what = format!(
            "b={} c={} n={}: ({lo}, {hi}) vs ({}, {})",
            case.detractors, case.promoters, case.n, case.lo, case.hi
        );
        assert!(
            close(lo, case.lo, 1e-6) && close(hi, case.hi, 1e-6),
            "{what}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

/// A count that is usually survey-sized but sometimes large.
fn count() -> impl Strategy<Value = u64> {
    prop_oneof![4 => 0_u64..=50, 3 => 0_u64..=5_000, 1 => 0_u64..=10_000_000_000]
}

/// Counts with at least one response.
fn nps_counts() -> impl Strategy<Value = NpsCounts> {
    (count(), count(), count())
        .prop_filter("needs a response", |&(p, a, d)| p + a + d > 0)
        .prop_map(|(p, a, d)| nps(p, a, d))
}

proptest! {
    #[test]
    fn nps_and_its_interval_are_in_range(counts in nps_counts()) {
        let s = counts.summary().unwrap();
        prop_assert!((-100.0..=100.0).contains(&s.nps), "nps = {}", s.nps);
        prop_assert!(s.se.is_finite() && s.se >= 0.0, "se = {}", s.se);
        let (lo, hi) = s.ci95;
        prop_assert!(-100.0 <= lo && lo <= hi && hi <= 100.0, "{:?}", s.ci95);
        prop_assert!(lo <= s.nps && s.nps <= hi, "{} not in {:?}", s.nps, s.ci95);
    }

    #[test]
    fn swapping_promoters_and_detractors_mirrors_the_interval(counts in nps_counts()) {
        let s = counts.summary().unwrap();
        let m = nps(counts.detractors, counts.passives, counts.promoters).summary().unwrap();
        prop_assert!(close(m.nps, -s.nps, 1e-12));
        prop_assert!(close(m.se, s.se, 1e-12));
        prop_assert!(close(m.ci95.0, -s.ci95.1, 1e-9), "{:?} vs {:?}", m.ci95, s.ci95);
        prop_assert!(close(m.ci95.1, -s.ci95.0, 1e-9), "{:?} vs {:?}", m.ci95, s.ci95);
    }

    #[test]
    fn more_of_the_same_data_narrows_the_interval(
        (p, a, d) in (0_u64..=300, 0_u64..=300, 0_u64..=300).prop_filter("nonempty", |t| t.0 + t.1 + t.2 > 0),
        k in 2_u64..=50,
    ) {
        // Z scales by √k when every count does, so the k-fold interval nests inside.
        let base = tango_interval(d, p, p + a + d, Z95).unwrap();
        let more = tango_interval(k * d, k * p, k * (p + a + d), Z95).unwrap();
        prop_assert!(base.0 <= more.0 + 1e-9 && more.1 <= base.1 + 1e-9, "{:?} ⊄ {:?}", more, base);
    }

    #[test]
    fn wilson_is_within_unit_and_contains_the_share(
        (successes, n) in (1_u64..=10_000_000_000).prop_flat_map(|n| (0..=n, Just(n))),
        z in 0.0_f64..6.0,
    ) {
        let (lo, hi) = wilson_interval(successes, n, z).unwrap();
        let share = successes as f64 / n as f64;
        prop_assert!(0.0 <= lo && lo <= hi && hi <= 1.0, "({lo}, {hi})");
        prop_assert!(lo <= share && share <= hi, "{share} not in ({lo}, {hi})");
    }

    #[test]
    fn csat_is_a_percentage_inside_its_interval(
        hist in proptest::collection::vec((-2_i64..=8, count()), 0..8),
    ) {
        let counts = CsatCounts::from_histogram(Scale::CSAT_DEFAULT, &hist);
        let on_scale: u64 = hist.iter().filter(|(s, _)| (1..=5).contains(s)).map(|(_, c)| c).sum();
        prop_assert_eq!(counts.n, on_scale);
        match counts.summary() {
            None => prop_assert_eq!(on_scale, 0),
            Some(s) => {
                prop_assert!((0.0..=100.0).contains(&s.csat), "csat = {}", s.csat);
                prop_assert!(s.ci95.0 <= s.csat && s.csat <= s.ci95.1, "{} not in {:?}", s.csat, s.ci95);
            }
        }
    }

    #[test]
    fn ces_mean_stays_on_the_scale(
        hist in proptest::collection::vec((0_i64..=8, count()), 0..8),
    ) {
        if let Some(s) = CesSummary::from_histogram(Scale::CES_DEFAULT, &hist) {
            prop_assert!((1.0..=7.0 + 1e-9).contains(&s.mean), "mean = {}", s.mean);
            prop_assert!((0.0..=100.0).contains(&s.share_easy));
            prop_assert!(s.easy <= s.n);
        }
    }
}
