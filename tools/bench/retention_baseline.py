#!/usr/bin/env python3
"""Baselines for `cargo bench -p attune --bench retention`: the same retention summary
(S, E, N, lost per monthly period, with grace merging) and monthly cohort sizes / active
counts, computed with pandas and with DuckDB over the subscription rows the benchmark wrote.

Usage: retention_baseline.py ROWS.csv AS_OF FROM TO GRACE
  ROWS.csv: account,start,end,mrr (days since 1970-01-01; empty end = still running)
  AS_OF, FROM, TO: days; monthly periods from the month of FROM up to TO (exclusive).
Prints one JSON object: timings in seconds and the results, for the benchmark to compare.
"""
import json
import os
import sys
import time

import duckdb
import numpy as np
import pandas as pd

OPEN = 2**31 - 1


def months(from_day, to_day):
    first = np.datetime64(int(from_day), "D").astype("datetime64[M]")
    last = np.datetime64(int(to_day) - 1, "D").astype("datetime64[M]")
    starts = np.arange(first, last + 1)
    ends = starts + 1
    day = lambda m: m.astype("datetime64[D]").astype(np.int64)
    return day(starts), day(ends)


def with_pandas(path, as_of, ps, pe, grace):
    t0 = time.perf_counter()
    df = pd.read_csv(path, dtype={"account": "int64", "start": "int64", "end": "float64", "mrr": "int64"})
    t1 = time.perf_counter()
    df = df[df["start"] <= as_of]
    end = df["end"].fillna(OPEN).to_numpy()
    end = np.where(end > as_of, OPEN, end).astype(np.int64)
    df = df.assign(end=end)
    df = df[df["start"] < df["end"]].sort_values(["account", "start"], kind="stable")
    acc = df["account"].to_numpy()
    start = df["start"].to_numpy()
    run_max = df.groupby("account", sort=False)["end"].cummax().to_numpy()
    prev = np.empty_like(run_max)
    prev[1:] = run_max[:-1]
    new = np.ones(len(df), dtype=bool)
    new[1:] = (acc[1:] != acc[:-1]) | (start[1:] - prev[1:] >= grace)
    spell = np.cumsum(new)
    spells = df.assign(spell=spell).groupby("spell", sort=False).agg(
        account=("account", "first"), s=("start", "min"), e=("end", "max"))
    a, s, e = spells["account"].to_numpy(), spells["s"].to_numpy(), spells["e"].to_numpy()
    summary = []
    for p0, p1 in zip(ps, pe):
        if p0 > as_of:
            break
        d0, d1 = p0 - 1, min(p1 - 1, as_of)
        in_s = a[(s <= d0) & (d0 < e)]
        in_e = a[(s <= d1) & (d1 < e)]
        started = np.unique(a[(s >= p0) & (s < p1)])
        summary.append({
            "start": int(p0), "S": int(len(in_s)), "E": int(len(in_e)),
            "N": int(len(np.setdiff1d(started, in_s, assume_unique=False))),
            "lost": int(len(np.setdiff1d(in_s, in_e))),
        })
    first = spells.groupby("account", sort=False)["s"].min()
    cohort = np.searchsorted(ps, first.to_numpy(), side="right") - 1
    valid = (cohort >= 0) & (first.to_numpy() < pe[-1])
    cohort_of = pd.Series(np.where(valid, cohort, -1), index=first.index)
    n = len(ps)
    sizes = np.bincount(cohort_of[cohort_of >= 0].to_numpy(), minlength=n)
    active = np.zeros((n, n), dtype=np.int64)
    acc_cohort = cohort_of.reindex(a).to_numpy()
    for q, (p0, p1) in enumerate(zip(ps, pe)):
        if p1 - 1 > as_of:
            break
        hit = np.unique(a[(s < p1) & (e > p0)])
        c = cohort_of.reindex(hit).to_numpy()
        c = c[(c >= 0) & (c <= q)]
        active[:, q] = np.bincount(c, minlength=n)
    del acc_cohort
    t2 = time.perf_counter()
    return {"load_s": t1 - t0, "compute_s": t2 - t1, "summary": summary,
            "cohort_sizes": sizes.tolist(), "active_total": int(active.sum())}


def with_duckdb(path, as_of, ps, pe, grace):
    parquet = os.path.splitext(path)[0] + ".parquet"
    con = duckdb.connect()
    con.execute(f"SET threads TO {os.cpu_count() or 2}")
    if not os.path.exists(parquet):
        con.execute(f"COPY (SELECT * FROM read_csv('{path}', header=true, columns={{'account':'BIGINT','start':'BIGINT','end':'BIGINT','mrr':'BIGINT'}})) TO '{parquet}' (FORMAT parquet)")
    t0 = time.perf_counter()
    con.execute(f"CREATE TABLE subs AS SELECT * FROM read_parquet('{parquet}')")
    t1 = time.perf_counter()
    con.execute("CREATE TABLE periods (ps BIGINT, pe BIGINT)")
    con.executemany("INSERT INTO periods VALUES (?, ?)", [(int(a), int(b)) for a, b in zip(ps, pe)])
    con.execute(f"""
        CREATE TABLE spells AS
        WITH r AS (
            SELECT account, start, CASE WHEN "end" IS NULL OR "end" > {as_of} THEN {OPEN} ELSE "end" END AS e
            FROM subs WHERE start <= {as_of}),
        m AS (
            SELECT account, start, e,
                   max(e) OVER (PARTITION BY account ORDER BY start, e
                                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev
            FROM r WHERE start < e),
        f AS (
            SELECT account, start, e,
                   sum(CASE WHEN prev IS NULL OR start - prev >= {grace} THEN 1 ELSE 0 END)
                       OVER (PARTITION BY account ORDER BY start, e ROWS UNBOUNDED PRECEDING) AS sp
            FROM m)
        SELECT account, min(start) AS s, max(e) AS e FROM f GROUP BY account, sp""")
    summary = con.execute(f"""
        WITH x AS (
            SELECT p.ps, sp.account,
                   bool_or(sp.s <= p.ps - 1 AND p.ps - 1 < sp.e) AS in_s,
                   bool_or(sp.s <= least(p.pe - 1, {as_of}) AND least(p.pe - 1, {as_of}) < sp.e) AS in_e,
                   bool_or(sp.s >= p.ps AND sp.s < p.pe) AS started
            FROM spells sp JOIN periods p ON sp.s < p.pe AND sp.e > p.ps - 1
            WHERE p.ps <= {as_of}
            GROUP BY p.ps, sp.account)
        SELECT ps, count(*) FILTER (in_s), count(*) FILTER (in_e),
               count(*) FILTER (started AND NOT in_s), count(*) FILTER (in_s AND NOT in_e)
        FROM x GROUP BY ps ORDER BY ps""").fetchall()
    cohorts = con.execute(f"""
        WITH first AS (SELECT account, min(s) AS f FROM spells GROUP BY account),
        c AS (SELECT f.account, p.ps AS cohort FROM first f JOIN periods p ON f.f >= p.ps AND f.f < p.pe),
        act AS (
            SELECT DISTINCT sp.account, p.ps
            FROM spells sp JOIN periods p ON sp.s < p.pe AND sp.e > p.ps
            WHERE p.pe - 1 <= {as_of})
        SELECT c.cohort, count(*) FROM act JOIN c USING (account) WHERE act.ps >= c.cohort
        GROUP BY c.cohort""").fetchall()
    sizes = dict(con.execute("""
        WITH first AS (SELECT account, min(s) AS f FROM spells GROUP BY account)
        SELECT p.ps, count(*) FROM first f JOIN periods p ON f.f >= p.ps AND f.f < p.pe GROUP BY p.ps""").fetchall())
    t2 = time.perf_counter()
    return {"load_s": t1 - t0, "compute_s": t2 - t1,
            "summary": [{"start": int(r[0]), "S": r[1], "E": r[2], "N": r[3], "lost": r[4]} for r in summary],
            "cohort_sizes": [int(sizes.get(int(p), 0)) for p in ps],
            "active_total": int(sum(r[1] for r in cohorts))}


def main():
    path, as_of, from_day, to_day, grace = sys.argv[1], *map(int, sys.argv[2:6])
    ps, pe = months(from_day, to_day)
    out = {"pandas_version": pd.__version__, "duckdb_version": duckdb.__version__,
           "pandas": with_pandas(path, as_of, ps, pe, grace),
           "duckdb": with_duckdb(path, as_of, ps, pe, grace)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
