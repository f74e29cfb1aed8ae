"""Independent oracles for attune-retention, computed with lifelines, pandas, scipy and
statsmodels from the real data in ../shared/data/retention/.

Each metric is computed here straight from PRODUCT.md's definitions (see the comments), with
library routines wherever one exists, not by porting the Rust code. The results are written as
JSON to crates/attune-retention/tests/fixtures/, which the crate's tests match to 1e-6.

Re-run from the workspace root with:

    python3 -m pip install pandas lifelines scipy statsmodels
    python3 tools/oracles/retention_fixtures.py

Fixtures:
  telco_km.json       Kaplan–Meier on the Telco churn data (tenure months, Churn = Yes is the
                      event), all customers and per contract: survival, Greenwood sum, the 95%
                      log-log interval (lifelines' default) and the log interval (R survival's
                      default, built here from lifelines' variance), median, restricted means.
  cdnow_cohorts.json  monthly cohorts of the CDNOW purchases (first-purchase month; share of the
                      cohort with a purchase in month k; revenue in month k).
  saas_summary.json   per-period S, E, N, lost, lost_new, reactivated, CRR, MRR₀, expansion,
                      contraction, churned MRR, GRR and NRR on the two simulated subscription
                      sets and on seeded synthetic rows with gaps (stored in the fixture),
                      monthly (grace 0, 7, 40 days) and quarterly, with the account ids of S, E,
                      N and lost, and the logo and revenue cohort tables.
  telco_audit.json    the churn audit of six Telco attributes (shares, lift, Wilson intervals,
                      chi-square or Fisher p-values; minimum support 10, which the rare tenures
                      and monthly charges fall below or near, so Fisher runs too).
  stats.json          scipy values of the chi-square survival function and Fisher's exact test.
"""

import json
import math
import pathlib

import lifelines
import numpy as np
import pandas as pd
import scipy
import statsmodels
from lifelines import KaplanMeierFitter
from lifelines.utils import restricted_mean_survival_time
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "retention"
OUT = ROOT / "crates" / "attune-retention" / "tests" / "fixtures"
Z = stats.norm.ppf(0.975)
EPOCH = pd.Timestamp("1970-01-01")


def day(ts):
    """Days since 1970-01-01 of a timestamp (the crate's day numbers)."""
    return int((pd.Timestamp(ts) - EPOCH).days)


def num(x):
    """JSON-safe float: None for NaN/inf (the crate's "undefined")."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def versions():
    return {
        "pandas": pd.__version__,
        "lifelines": lifelines.__version__,
        "scipy": scipy.__version__,
        "statsmodels": statsmodels.__version__,
        "numpy": np.__version__,
    }


# --- 1. Kaplan–Meier on Telco ---------------------------------------------------------------


def km_fixture(df, label):
    kmf = KaplanMeierFitter(alpha=0.05)
    kmf.fit(df["tenure"], event_observed=df["Churn"] == "Yes")
    et = kmf.event_table
    # Greenwood's sum Σ d / (n (n − d)), straight from the event table ...
    d = et["observed"].astype(float)
    n = et["at_risk"].astype(float)
    greenwood = (d / (n * (n - d))).cumsum()
    # ... which must be the variance of log S lifelines used for its interval.
    assert np.allclose(greenwood.values, kmf._cumulative_sq_.values, rtol=1e-12, atol=0)
    s = kmf.survival_function_.iloc[:, 0]
    ci = kmf.confidence_interval_
    se = np.sqrt(greenwood)
    # R survival, conf.type = "log" (its default): exp(log S ± z·se), upper end capped at 1.
    log_lo = s * np.exp(-Z * se)
    log_hi = np.minimum(s * np.exp(Z * se), 1.0)
    rows = []
    for t in et.index:
        if et.loc[t, "removed"] == 0:
            continue  # lifelines' extra row at t = 0 when nobody has tenure 0
        rows.append(
            {
                "time": float(t),
                "at_risk": int(et.loc[t, "at_risk"]),
                "events": int(et.loc[t, "observed"]),
                "censored": int(et.loc[t, "censored"]),
                "survival": float(s.loc[t]),
                "greenwood": float(greenwood.loc[t]),
                "ci_log": [num(log_lo.loc[t]), num(log_hi.loc[t])],
                "ci_log_log": [num(ci.iloc[:, 0].loc[t]), num(ci.iloc[:, 1].loc[t])],
            }
        )
    median = kmf.median_survival_time_
    return {
        "group": label,
        "n": int(len(df)),
        "steps": rows,
        "median": num(median),
        "restricted_mean": [
            {"horizon": h, "value": float(restricted_mean_survival_time(kmf, t=h))}
            for h in (6.0, 12.5, 36.0, 72.0)
        ],
    }


def telco_km():
    df = pd.read_csv(DATA / "telco-customer-churn.csv")
    groups = [km_fixture(df, "all")]
    for contract in ["Month-to-month", "One year", "Two year"]:
        groups.append(km_fixture(df[df["Contract"] == contract], contract))
    return {"source": "telco-customer-churn.csv", "z": Z, "versions": versions(), "groups": groups}


# --- 2. CDNOW monthly cohorts ---------------------------------------------------------------


def cdnow_cohorts():
    df = pd.read_csv(
        DATA / "cdnow-purchases.txt",
        sep=r"\s+",
        dtype={"customer_id": str, "date": str},
    )
    df["month"] = pd.to_datetime(df["date"], format="%Y%m%d").dt.to_period("M")
    df["cohort"] = df.groupby("customer_id")["month"].transform("min")
    df["k"] = (df["month"] - df["cohort"]).apply(lambda off: off.n)
    size = df.groupby("cohort")["customer_id"].nunique()
    active = df.groupby(["cohort", "k"])["customer_id"].nunique().unstack(fill_value=0)
    revenue = df.groupby(["cohort", "k"])["dollar_value"].sum().unstack(fill_value=0.0)
    months = pd.period_range("1997-01", "1998-06", freq="M")
    rows = []
    for c_idx, cohort in enumerate(months):
        cells = len(months) - c_idx
        act = [int(active.loc[cohort].get(k, 0)) if cohort in active.index else 0 for k in range(cells)]
        rev = [float(revenue.loc[cohort].get(k, 0.0)) if cohort in revenue.index else 0.0 for k in range(cells)]
        sz = int(size.get(cohort, 0))
        rows.append(
            {
                "cohort": str(cohort),
                "start_day": day(cohort.start_time),
                "size": sz,
                "active": act,
                "share": [a / sz if sz else None for a in act],
                "revenue": rev,
                "revenue_share": [r / rev[0] if rev[0] else None for r in rev],
            }
        )
    return {
        "source": "cdnow-purchases.txt",
        "as_of": day("1998-06-30"),
        "from": day("1997-01-01"),
        "to": day("1998-07-01"),
        "versions": versions(),
        "cohorts": rows,
    }


# --- 3. Subscription summary on the simulated SaaS data -------------------------------------


def spells_of(rows, grace):
    """PRODUCT.md "Active": an account's intervals [start, end), gaps shorter than the grace
    period (and touching or overlapping intervals) merged into one active period."""
    out = []
    for s, e in sorted(rows):
        if out and (out[-1][1] - s) > -max(grace, 1):
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return out


def synthetic_subscriptions(n_accounts=400, seed=7):
    """Rows with gaps of every length, overlaps, open ends and MRR changes, which the simulated
    data sets lack (they have no gaps, so no reactivations)."""
    rng = np.random.default_rng(seed)
    rows = []
    for a in range(n_accounts):
        t = day("2022-01-01") + int(rng.integers(-60, 400))
        for _ in range(int(rng.integers(1, 6))):
            length = int(rng.integers(1, 120))
            open_end = rng.random() < 0.1
            rows.append(
                {
                    "account_id": a,
                    "start": t,
                    "end": math.inf if open_end else float(t + length),
                    "mrr": float(rng.integers(0, 50) * 10 + rng.choice([0, 0.5])),
                }
            )
            t += length + int(rng.choice([-20, 0, 0, 3, 6, 7, 8, 30, 90]))
    return pd.DataFrame(rows)


def subscription_summary(name, as_of, grace, periods):
    if name == "synthetic":
        subs = synthetic_subscriptions()
        n_accounts = int(subs["account_id"].max()) + 1
    else:
        subs = pd.read_csv(DATA / f"simulated-{name}-subscriptions.csv", parse_dates=["start_date", "end_date"])
        accounts = pd.read_csv(DATA / f"simulated-{name}-accounts.csv")
        n_accounts = int(accounts["account_id"].max()) + 1
        subs["start"] = (subs["start_date"] - EPOCH).dt.days
        subs["end"] = (subs["end_date"] - EPOCH).dt.days.astype(float)
    rows = [
        [int(r.account_id), int(r.start), None if math.isinf(r.end) else int(r.end), int(round(r.mrr * 100))]
        for r in subs.itertuples()
    ]
    # Known on as_of: rows not started yet are unknown, rows ending later still run.
    subs = subs[subs["start"] <= as_of].copy()
    subs.loc[subs["end"] > as_of, "end"] = math.inf
    subs = subs[subs["end"] > subs["start"]]
    subs["mrr_cents"] = (subs["mrr"] * 100).round().astype(np.int64)
    spells = {
        a: spells_of(list(zip(g["start"], g["end"])), grace) for a, g in subs.groupby("account_id")
    }

    def active(a, d):
        return any(s <= d < e for s, e in spells.get(a, []))

    def mrr(d):
        """Recurring revenue per account on day d: all its rows running that day."""
        running = subs[(subs["start"] <= d) & (d < subs["end"])]
        return running.groupby("account_id")["mrr_cents"].sum()

    out = []
    for start, end in periods:
        if start > as_of:
            break
        s_day = start - 1  # the day before the period
        e_day = min(end - 1, as_of)  # its last day, or as_of
        S = {a for a in spells if active(a, s_day)}
        E = {a for a in spells if active(a, e_day)}
        in_period = lambda d: start <= d <= e_day  # noqa: E731
        N = {a for a, sp in spells.items() if a not in S and any(in_period(s) for s, _ in sp)}
        react = {a for a, sp in spells.items() if any(in_period(s) for s, _ in sp[1:])}
        lost = S - E
        lost_new = N - E
        m0, m1 = mrr(s_day), mrr(e_day)
        mrr0 = int(sum(m0.get(a, 0) for a in S))
        churned = int(sum(m0.get(a, 0) for a in lost))
        delta = [int(m1.get(a, 0) - m0.get(a, 0)) for a in S & E]
        expansion = sum(x for x in delta if x > 0)
        contraction = -sum(x for x in delta if x < 0)
        out.append(
            {
                "start": int(start),
                "end": int(end),
                "complete": bool(end - 1 <= as_of),
                "S": len(S),
                "E": len(E),
                "N": len(N),
                "lost": len(lost),
                "lost_new": len(lost_new),
                "reactivated": len(react),
                "crr": (len(E) - len(N)) / len(S) if S else None,
                "retained_share": len(S & E) / len(S) if S else None,
                "churn_rate": len(lost) / len(S) if S else None,
                "mrr0": mrr0,
                "mrr_end": int(sum(m1.get(a, 0) for a in E)),
                "expansion": int(expansion),
                "contraction": int(contraction),
                "churned_mrr": churned,
                "grr": (mrr0 - churned - contraction) / mrr0 if mrr0 else None,
                "nrr": (mrr0 + expansion - contraction - churned) / mrr0 if mrr0 else None,
                "members": {
                    "start": sorted(int(a) for a in S),
                    "end": sorted(int(a) for a in E),
                    "new": sorted(int(a) for a in N),
                    "lost": sorted(int(a) for a in lost),
                },
            }
        )
    # Cohorts (PRODUCT.md "Cohort retention"): customers by the period of their first start;
    # active in period c + k when any of their active periods shares a day with it; revenue in
    # it = the cohort's MRR on its last day; unfinished periods empty.
    started = [(s, e) for s, e in periods if s <= as_of]
    first = {a: sp[0][0] for a, sp in spells.items()}
    end_mrr = [mrr(e - 1) for _, e in started]
    cohorts = []
    for c, (cs, ce) in enumerate(started):
        members = [a for a in spells if cs <= first[a] < ce]
        active, revenue = [], []
        for k in range(len(started) - c):
            ps, pe = started[c + k]
            if pe - 1 > as_of:
                active.append(None)
                revenue.append(None)
                continue
            active.append(sum(1 for a in members if any(s < pe and ps < e for s, e in spells[a])))
            revenue.append(int(sum(end_mrr[c + k].get(a, 0) for a in members)))
        cohorts.append({"start": int(cs), "size": len(members), "active": active, "revenue": revenue})
    return {
        "dataset": name,
        "n_accounts": n_accounts,
        "cohorts": cohorts,
        "as_of": as_of,
        "grace_days": grace,
        "rows": rows if name == "synthetic" else None,
        "periods": out,
    }


def grid(freq, first, last):
    ps = pd.period_range(first, last, freq=freq)
    return [(day(p.start_time), day((p + 1).start_time)) for p in ps]


def saas_summary():
    cases = []
    for name, as_of, first, last in [
        # as_of inside the data: later rows are unknown, running ones are open, and the last
        # quarter is unfinished.
        ("saas", day("2023-03-15"), "2022-01", "2023-03"),
        ("social", day("2020-07-31"), "2020-01", "2020-07"),
        ("synthetic", day("2023-02-10"), "2021-11", "2023-03"),
    ]:
        for grace in (7, 0, 40):
            cases.append({"unit": "month", **subscription_summary(name, as_of, grace, grid("M", first, last))})
        cases.append({"unit": "quarter", **subscription_summary(name, as_of, 7, grid("Q", first, last))})
    return {"versions": versions(), "cases": cases}


# --- 4. Churn audit on Telco ----------------------------------------------------------------


def telco_audit(min_support=10):
    df = pd.read_csv(DATA / "telco-customer-churn.csv", dtype=str)
    churn = df["Churn"] == "Yes"
    C, R = int(churn.sum()), int((~churn).sum())
    out = []
    for attr in ["Contract", "PaymentMethod", "InternetService", "SeniorCitizen", "tenure", "MonthlyCharges"]:
        rows = []
        for value in pd.unique(df[attr]):
            has = df[attr] == value
            c, r = int((has & churn).sum()), int((has & ~churn).sum())
            table = np.array([[c, C - c], [r, R - r]])
            below = c + r < min_support
            row = {
                "value": value,
                "churned": c,
                "retained": r,
                "below_support": bool(below),
                "share_churned": c / C,
                "share_retained": r / R,
                "churn_rate": c / (c + r),
            }
            if not below:
                row["lift"] = (c / C) / (r / R) if r else None
                row["share_churned_ci"] = list(proportion_confint(c, C, alpha=0.05, method="wilson"))
                row["churn_rate_ci"] = list(proportion_confint(c, c + r, alpha=0.05, method="wilson"))
                if stats.contingency.expected_freq(table).min() >= 5:
                    chi2, p, _, _ = stats.chi2_contingency(table, correction=False)
                    row["test"] = {"test": "chi_square", "statistic": float(chi2), "p_value": float(p)}
                else:
                    row["test"] = {"test": "fisher", "p_value": float(stats.fisher_exact(table).pvalue)}
            rows.append(row)
        out.append({"attribute": attr, "rows": rows})
    return {"min_support": min_support, "churned": C, "retained": R, "versions": versions(), "attributes": out}


# --- 5. Special functions -------------------------------------------------------------------


def stats_fixture():
    chi2 = [
        {"x": x, "df": df, "sf": float(stats.chi2.sf(x, df))}
        for df in (1, 2, 3, 5, 10, 30)
        for x in (1e-4, 0.1, 0.5, 1.0, 3.841458820694124, 7.0, 15.0, 40.0, 120.0, 400.0)
    ]
    rng = np.random.default_rng(20261123)
    tables = [[3, 1, 1, 3], [0, 5, 5, 0], [1, 9, 11, 3], [0, 0, 3, 4], [7, 0, 0, 1], [2, 30, 40, 500]]
    for _ in range(40):
        size = int(rng.choice([5, 20, 100, 2000]))
        tables.append([int(v) for v in rng.integers(0, size, 4)])
    fisher = [{"table": t, "p": float(stats.fisher_exact(np.array(t).reshape(2, 2)).pvalue)} for t in tables]
    chi_square = []
    for t in tables:
        a = np.array(t).reshape(2, 2)
        if (a.sum(0) > 0).all() and (a.sum(1) > 0).all():
            stat, p, _, _ = stats.chi2_contingency(a, correction=False)
            chi_square.append({"table": t, "statistic": float(stat), "p": float(p)})
    lgamma = [{"x": x, "ln_gamma": float(scipy.special.gammaln(x))} for x in (0.5, 1.5, 3.3, 10.0, 171.5, 1e4, 2e6)]
    return {"versions": versions(), "chi2_sf": chi2, "fisher": fisher, "chi_square": chi_square, "ln_gamma": lgamma}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for name, build in [
        ("telco_km", telco_km),
        ("cdnow_cohorts", cdnow_cohorts),
        ("saas_summary", saas_summary),
        ("telco_audit", telco_audit),
        ("stats", stats_fixture),
    ]:
        path = OUT / f"{name}.json"
        path.write_text(json.dumps(build(), indent=1) + "\n")
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
