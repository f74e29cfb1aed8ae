//! The crate against the committed oracle fixtures, to 1e-6.

use attune_domain::metrics::Z95;
use attune_retention::stats::{chi_square_2x2, chi2_sf, fisher_exact, ln_gamma};
use attune_retention::{
    ActivityEvent, AttributeColumn, CiKind, CohortRow, Grid, KaplanMeier, Ledger, Median, Member,
    Outcome, PeriodSummary, PeriodUnit, SignificanceTest, Subscription, churn_audit, parse_day,
};
use serde_json::Value;

use crate::common::{Csv, close, close_opt, data_file, fixture};

const TOL: f64 = 1e-6;

fn pair(v: &Value) -> Option<(f64, f64)> {
    Some((v[0].as_f64()?, v[1].as_f64()?))
}

#[test]
fn kaplan_meier_matches_lifelines_on_telco() {
    let fx = fixture("telco_km.json");
    let Some(text) = data_file(
        "retention/telco-customer-churn.csv",
        "kaplan_meier_matches_lifelines_on_telco",
    ) else {
        return;
    };
    let csv = Csv::parse(&text);
    let (tenure, churn, contract) = (csv.col("tenure"), csv.col("Churn"), csv.col("Contract"));
    assert_eq!(fx["z"].as_f64().unwrap(), Z95);
    for group in fx["groups"].as_array().unwrap() {
        let label = group["group"].as_str().unwrap();
        let data: Vec<(f64, bool)> = csv
            .rows
            .iter()
            .filter(|r| label == "all" || r[contract] == label)
            .map(|r| (r[tenure].parse::<f64>().unwrap(), r[churn] == "Yes"))
            .collect();
        let km = KaplanMeier::fit(data);
        assert_eq!(km.n, group["n"].as_u64().unwrap(), "{label}");
        let steps = group["steps"].as_array().unwrap();
        assert_eq!(
            km.steps.len(),
            steps.len(),
            "{label}: one step per distinct tenure"
        );
        for (got, want) in km.steps.iter().zip(steps) {
            let t = want["time"].as_f64().unwrap();
            let what = format!("{label} t={t}");
            assert_eq!(got.time, t, "{what}");
            assert_eq!(
                got.at_risk,
                want["at_risk"].as_u64().unwrap(),
                "{what} at risk"
            );
            assert_eq!(
                got.events,
                want["events"].as_u64().unwrap(),
                "{what} events"
            );
            assert_eq!(
                got.censored,
                want["censored"].as_u64().unwrap(),
                "{what} censored"
            );
            close(got.survival, want["survival"].as_f64().unwrap(), TOL, &what);
            close(
                got.greenwood,
                want["greenwood"].as_f64().unwrap(),
                TOL,
                &what,
            );
            for (kind, key) in [(CiKind::Log, "ci_log"), (CiKind::LogLog, "ci_log_log")] {
                let (lo, hi) = got.interval(kind, Z95).expect("defined while S > 0");
                let (wlo, whi) = pair(&want[key]).expect("oracle interval");
                close(lo, wlo, TOL, &format!("{what} {key} lower"));
                close(hi, whi, TOL, &format!("{what} {key} upper"));
                assert!(
                    lo <= got.survival && got.survival <= hi,
                    "{what} {key} holds S"
                );
            }
        }
        match (km.median(), group["median"].as_f64()) {
            (Median::At(t), Some(w)) => assert_eq!(t, w, "{label} median"),
            (Median::NotReached, None) => {}
            (got, want) => panic!("{label} median: got {got:?}, lifelines {want:?}"),
        }
        for rm in group["restricted_mean"].as_array().unwrap() {
            let h = rm["horizon"].as_f64().unwrap();
            close(
                km.restricted_mean(h),
                rm["value"].as_f64().unwrap(),
                TOL,
                &format!("{label} RMST({h})"),
            );
        }
    }
}

#[test]
fn activity_cohorts_match_pandas_on_cdnow() {
    let fx = fixture("cdnow_cohorts.json");
    let Some(text) = data_file(
        "retention/cdnow-purchases.txt",
        "activity_cohorts_match_pandas_on_cdnow",
    ) else {
        return;
    };
    let mut events = Vec::new();
    let mut n_accounts = 0usize;
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 4 {
            continue;
        }
        let id: u32 = f[0].parse().unwrap();
        let d = f[1];
        let day = parse_day(&format!("{}-{}-{}", &d[..4], &d[4..6], &d[6..])).unwrap();
        let dollars: f64 = f[3].parse().unwrap();
        n_accounts = n_accounts.max(id as usize);
        events.push(ActivityEvent {
            account: id - 1,
            day,
            value_cents: (dollars * 100.0).round() as i64,
        });
    }
    assert_eq!(events.len(), 69_659);
    let as_of = fx["as_of"].as_i64().unwrap() as i32;
    let ledger = Ledger::from_activity(n_accounts, &events, as_of, 90).unwrap();
    let grid = Grid::calendar(
        PeriodUnit::Month,
        fx["from"].as_i64().unwrap() as i32,
        fx["to"].as_i64().unwrap() as i32,
    );
    let table = ledger.cohorts(&grid);
    let want = fx["cohorts"].as_array().unwrap();
    assert_eq!(table.rows.len(), want.len());
    for (row, w) in table.rows.iter().zip(want) {
        let name = w["cohort"].as_str().unwrap();
        assert_eq!(
            i64::from(row.cohort.start),
            w["start_day"].as_i64().unwrap(),
            "{name}"
        );
        assert_eq!(row.size, w["size"].as_u64().unwrap(), "{name} size");
        let active: Vec<u64> = row
            .active
            .iter()
            .map(|x| x.expect("all periods finished"))
            .collect();
        let want_active: Vec<u64> = w["active"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap())
            .collect();
        assert_eq!(active, want_active, "{name} active");
        for (k, (s, ws)) in row
            .share
            .iter()
            .zip(w["share"].as_array().unwrap())
            .enumerate()
        {
            close_opt(*s, ws, TOL, &format!("{name} share k={k}"));
        }
        for (k, (r, wr)) in row
            .revenue_cents
            .iter()
            .zip(w["revenue"].as_array().unwrap())
            .enumerate()
        {
            close(
                r.unwrap() as f64 / 100.0,
                wr.as_f64().unwrap(),
                TOL,
                &format!("{name} revenue k={k}"),
            );
        }
        for (k, (r, wr)) in row
            .revenue_share
            .iter()
            .zip(w["revenue_share"].as_array().unwrap())
            .enumerate()
        {
            close_opt(*r, wr, TOL, &format!("{name} revenue share k={k}"));
        }
    }
    // Drill-down agrees with the table.
    let c = &table.rows[2];
    assert_eq!(
        ledger.cohort_members(&grid, 2, 3).len() as u64,
        c.active[3].unwrap()
    );
}

fn subscriptions_of(case: &Value) -> Option<Vec<Subscription>> {
    let dataset = case["dataset"].as_str().unwrap();
    if dataset == "synthetic" {
        return Some(
            case["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| Subscription {
                    account: r[0].as_u64().unwrap() as u32,
                    start: r[1].as_i64().unwrap() as i32,
                    end: r[2].as_i64().map(|e| e as i32),
                    mrr_cents: r[3].as_i64().unwrap(),
                })
                .collect(),
        );
    }
    let text = data_file(
        &format!("retention/simulated-{dataset}-subscriptions.csv"),
        "revenue_retention_matches_pandas",
    )?;
    let csv = Csv::parse(&text);
    let (acct, start, end, mrr) = (
        csv.col("account_id"),
        csv.col("start_date"),
        csv.col("end_date"),
        csv.col("mrr"),
    );
    Some(
        csv.rows
            .iter()
            .map(|r| Subscription {
                account: r[acct].parse().unwrap(),
                start: parse_day(&r[start]).unwrap(),
                end: (!r[end].is_empty()).then(|| parse_day(&r[end]).unwrap()),
                mrr_cents: (r[mrr].parse::<f64>().unwrap() * 100.0).round() as i64,
            })
            .collect(),
    )
}

#[test]
fn revenue_retention_and_subscription_cohorts_match_pandas() {
    let fx = fixture("saas_summary.json");
    let mut checked = 0;
    for case in fx["cases"].as_array().unwrap() {
        let Some(subs) = subscriptions_of(case) else {
            continue;
        };
        let name = format!(
            "{} {} grace {}",
            case["dataset"].as_str().unwrap(),
            case["unit"].as_str().unwrap(),
            case["grace_days"]
        );
        let as_of = case["as_of"].as_i64().unwrap() as i32;
        let n = case["n_accounts"].as_u64().unwrap() as usize;
        let ledger = Ledger::from_subscriptions(
            n,
            &subs,
            as_of,
            case["grace_days"].as_u64().unwrap() as u32,
        )
        .unwrap();
        let want = case["periods"].as_array().unwrap();
        let unit = PeriodUnit::parse(case["unit"].as_str().unwrap()).unwrap();
        let first = want[0]["start"].as_i64().unwrap() as i32;
        let last = want.last().unwrap()["end"].as_i64().unwrap() as i32;
        let grid = Grid::calendar(unit, first, last);
        let summary = ledger.summary(&grid);
        assert_eq!(summary.len(), want.len(), "{name}");
        for (got, w) in summary.iter().zip(want) {
            check_period(&ledger, got, w, &name);
        }
        let table = ledger.cohorts(&grid);
        let want = case["cohorts"].as_array().unwrap();
        assert_eq!(table.rows.len(), want.len(), "{name} cohorts");
        for (row, w) in table.rows.iter().zip(want) {
            check_cohort(row, w, &name);
        }
        checked += 1;
    }
    assert!(checked >= 4, "at least the synthetic cases ran");
}

/// One period of the summary against pandas: counts, money, rates and member lists.
fn check_period(ledger: &Ledger, got: &PeriodSummary, w: &Value, name: &str) {
    let what = format!(
        "{name} {}",
        attune_retention::calendar::format_day(got.period.start)
    );
    assert_eq!(
        i64::from(got.period.start),
        w["start"].as_i64().unwrap(),
        "{what}"
    );
    assert_eq!(
        i64::from(got.period.end),
        w["end"].as_i64().unwrap(),
        "{what}"
    );
    assert_eq!(got.complete, w["complete"].as_bool().unwrap(), "{what}");
    let counts = [
        (got.s, "S"),
        (got.e, "E"),
        (got.n, "N"),
        (got.lost, "lost"),
        (got.lost_new, "lost_new"),
        (got.reactivated, "reactivated"),
    ];
    for (v, key) in counts {
        assert_eq!(v, w[key].as_u64().unwrap(), "{what} {key}");
    }
    let cents = [
        (got.mrr0_cents, "mrr0"),
        (got.mrr_end_cents, "mrr_end"),
        (got.expansion_cents, "expansion"),
        (got.contraction_cents, "contraction"),
        (got.churned_mrr_cents, "churned_mrr"),
    ];
    for (v, key) in cents {
        assert_eq!(v, w[key].as_i64().unwrap(), "{what} {key}");
    }
    close_opt(got.crr, &w["crr"], TOL, &format!("{what} crr"));
    close_opt(
        got.retained_share,
        &w["retained_share"],
        TOL,
        &format!("{what} retained share"),
    );
    close_opt(
        got.churn_rate,
        &w["churn_rate"],
        TOL,
        &format!("{what} churn rate"),
    );
    close_opt(got.grr, &w["grr"], TOL, &format!("{what} grr"));
    close_opt(got.nrr, &w["nrr"], TOL, &format!("{what} nrr"));
    for (which, key) in [
        (Member::Start, "start"),
        (Member::End, "end"),
        (Member::New, "new"),
        (Member::Lost, "lost"),
    ] {
        let ids: Vec<u64> = w["members"][key]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap())
            .collect();
        let got_ids: Vec<u64> = ledger
            .period_members(got.period, which)
            .into_iter()
            .map(u64::from)
            .collect();
        assert_eq!(got_ids, ids, "{what} members {key}");
    }
}

/// One cohort row against pandas: size, active accounts and revenue per period.
fn check_cohort(row: &CohortRow, w: &Value, name: &str) {
    let what = format!("{name} cohort {}", w["start"]);
    assert_eq!(
        i64::from(row.cohort.start),
        w["start"].as_i64().unwrap(),
        "{what}"
    );
    assert_eq!(row.size, w["size"].as_u64().unwrap(), "{what} size");
    let active: Vec<Option<u64>> = w["active"]
        .as_array()
        .unwrap()
        .iter()
        .map(Value::as_u64)
        .collect();
    assert_eq!(row.active, active, "{what} active");
    let revenue: Vec<Option<i64>> = w["revenue"]
        .as_array()
        .unwrap()
        .iter()
        .map(Value::as_i64)
        .collect();
    assert_eq!(row.revenue_cents, revenue, "{what} revenue");
}

#[test]
fn churn_audit_matches_scipy_and_statsmodels_on_telco() {
    let fx = fixture("telco_audit.json");
    let Some(text) = data_file(
        "retention/telco-customer-churn.csv",
        "churn_audit_matches_scipy_and_statsmodels_on_telco",
    ) else {
        return;
    };
    let csv = Csv::parse(&text);
    let churn = csv.col("Churn");
    let outcomes: Vec<Outcome> = csv
        .rows
        .iter()
        .map(|r| {
            if r[churn] == "Yes" {
                Outcome::Churned
            } else {
                Outcome::Retained
            }
        })
        .collect();
    let min_support = fx["min_support"].as_u64().unwrap();
    let (mut fisher, mut chi, mut below) = (0, 0, 0);
    for attr in fx["attributes"].as_array().unwrap() {
        let name = attr["attribute"].as_str().unwrap();
        let col_idx = csv.col(name);
        let column = AttributeColumn::from_pairs(
            name,
            csv.rows.len(),
            csv.rows
                .iter()
                .enumerate()
                .map(|(i, r)| (i as u32, r[col_idx].as_str())),
        );
        let rows = churn_audit(&column, &outcomes, min_support);
        let want = attr["rows"].as_array().unwrap();
        assert_eq!(
            rows.len(),
            want.len(),
            "{name}: one row per value, none missing"
        );
        for w in want {
            let value = w["value"].as_str().unwrap();
            let what = format!("{name}={value}");
            let got = rows
                .iter()
                .find(|r| r.value.as_deref() == Some(value))
                .expect(&what);
            assert_eq!(got.churned, w["churned"].as_u64().unwrap(), "{what}");
            assert_eq!(got.retained, w["retained"].as_u64().unwrap(), "{what}");
            assert_eq!(
                got.below_support,
                w["below_support"].as_bool().unwrap(),
                "{what}"
            );
            close_opt(got.share_churned, &w["share_churned"], TOL, &what);
            close_opt(got.share_retained, &w["share_retained"], TOL, &what);
            close_opt(got.churn_rate, &w["churn_rate"], TOL, &what);
            if got.below_support {
                below += 1;
                assert!(got.test.is_none() && got.lift.is_none(), "{what}");
                continue;
            }
            close_opt(got.lift, &w["lift"], TOL, &format!("{what} lift"));
            for (ci, key) in [
                (got.share_churned_ci, "share_churned_ci"),
                (got.churn_rate_ci, "churn_rate_ci"),
            ] {
                let (lo, hi) = ci.expect(&what);
                let (wlo, whi) = pair(&w[key]).unwrap();
                close(lo, wlo, TOL, &format!("{what} {key}"));
                close(hi, whi, TOL, &format!("{what} {key}"));
            }
            let wt = &w["test"];
            let p_rel = |p: f64, wp: f64, what: &str| {
                assert!(
                    (p - wp).abs() <= TOL * wp + 1e-300,
                    "{what}: p {p} vs scipy {wp}"
                );
            };
            match (got.test.unwrap(), wt["test"].as_str().unwrap()) {
                (SignificanceTest::ChiSquare { statistic, p_value }, "chi_square") => {
                    chi += 1;
                    close(statistic, wt["statistic"].as_f64().unwrap(), TOL, &what);
                    p_rel(p_value, wt["p_value"].as_f64().unwrap(), &what);
                }
                (SignificanceTest::Fisher { p_value }, "fisher") => {
                    fisher += 1;
                    p_rel(p_value, wt["p_value"].as_f64().unwrap(), &what);
                }
                (got, want) => panic!("{what}: ran {got:?}, scipy ran {want}"),
            }
        }
    }
    assert!(
        chi > 0 && fisher > 0 && below > 0,
        "both tests and the support rule exercised: {chi} {fisher} {below}"
    );
}

#[test]
fn special_functions_match_scipy() {
    let fx = fixture("stats.json");
    for c in fx["chi2_sf"].as_array().unwrap() {
        let (x, df, want) = (
            c["x"].as_f64().unwrap(),
            c["df"].as_f64().unwrap(),
            c["sf"].as_f64().unwrap(),
        );
        let got = chi2_sf(x, df);
        assert!(
            (got - want).abs() <= 1e-9 * want + 1e-300,
            "chi2.sf({x}, {df}) = {got}, scipy {want}"
        );
    }
    for c in fx["fisher"].as_array().unwrap() {
        let t: Vec<u64> = c["table"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap())
            .collect();
        let want = c["p"].as_f64().unwrap();
        let got = fisher_exact(t[0], t[1], t[2], t[3]);
        assert!(
            (got - want).abs() <= TOL * want + 1e-300,
            "fisher {t:?}: {got}, scipy {want}"
        );
    }
    for c in fx["chi_square"].as_array().unwrap() {
        let t: Vec<u64> = c["table"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap())
            .collect();
        let (stat, p) = chi_square_2x2(t[0], t[1], t[2], t[3]).expect("margins are positive");
        close(
            stat,
            c["statistic"].as_f64().unwrap(),
            1e-9,
            &format!("chi2 {t:?}"),
        );
        let want = c["p"].as_f64().unwrap();
        assert!(
            (p - want).abs() <= 1e-9 * want + 1e-300,
            "chi2 p {t:?}: {p}, scipy {want}"
        );
    }
    for c in fx["ln_gamma"].as_array().unwrap() {
        let x = c["x"].as_f64().unwrap();
        close(
            ln_gamma(x),
            c["ln_gamma"].as_f64().unwrap(),
            1e-12,
            &format!("lgamma({x})"),
        );
    }
}
