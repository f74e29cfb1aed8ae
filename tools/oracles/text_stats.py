"""Oracle for attune-text's statistics: chi-square survival function values from scipy.

Run (with scipy installed; 1.17.1 produced the committed file):
    python3 tools/oracles/text_stats.py > crates/attune-text/tests/fixtures/chi2_sf.tsv
The Rust test `chi_square_sf_matches_scipy` compares against the committed output.
"""

from scipy.stats import chi2

# (statistic, degrees of freedom): small, typical and far-tail values of the 2x2 test (df = 1)
# and a few other df, so both the series and the continued-fraction branches are pinned.
CASES = [
    (0.0001, 1), (0.01, 1), (0.5, 1), (1.0, 1), (2.0, 1), (3.841458820694124, 1), (5.0, 1),
    (6.634896601021214, 1), (10.0, 1), (20.0, 1), (50.0, 1), (100.0, 1), (300.0, 1),
    (0.5, 2), (3.0, 2), (10.0, 2), (1.0, 3), (7.5, 3), (4.0, 5), (11.07, 5), (30.0, 10),
    (0.1, 10), (120.0, 100), (80.0, 100),
]

print("x\tdf\tsf")
for x, df in CASES:
    print(f"{x!r}\t{df}\t{float(chi2.sf(x, df))!r}")
