"""Independent cross-check of attune-domain's Tango score interval for NPS.

Rocks (2016), "Interval Estimation for the Net Promoter Score", The American
Statistician 70:4, applies Tango's score method: with b detractors, c
promoters and n responses, a candidate Δ = p_promoter - p_detractor is inside
the 95% interval when |Z(Δ)| <= z, where

    Z(Δ) = (c - b - nΔ) / sqrt(n (2q + Δ(1 - Δ)))

and q is the detractor share that maximises the multinomial likelihood under
the constraint p_promoter - p_detractor = Δ.

This script deliberately takes a different route from the Rust code: q is the
root of the brief's quadratic (found with numpy.roots, not a closed form)
that lies in the feasible region [max(0, -Δ), (1 - Δ)/2] and has the higher
likelihood, rather than "the larger root"; the quadratic itself is first
checked against a direct numerical maximisation of the constrained
log-likelihood on a grid; and the ends are found with scipy's brentq instead
of bisection. It also asserts the brief's worked example (10 detractors, 70
promoters of 100 -> (45.2167, 71.2768)) and prints what z = 1.96 would give. It writes crates/attune-domain/tests/fixtures/tango.json (ends in
NPS points), which tests/metrics.rs matches to 1e-6. Re-run from the
workspace root with:

    python3 -m venv /tmp/oracle-venv
    /tmp/oracle-venv/bin/pip install statsmodels scipy
    /tmp/oracle-venv/bin/python tools/oracles/tango_check.py
"""

import json
import math
import pathlib

import numpy as np
import scipy
from scipy.optimize import brentq, minimize_scalar
from scipy.stats import norm

OUT = (
    pathlib.Path(__file__).resolve().parents[2]
    / "crates/attune-domain/tests/fixtures/tango.json"
)

Z95 = float(norm.ppf(0.975))

# (detractors, promoters, n)
CASES = [
    (10, 70, 100),  # the brief's worked example
    (0, 0, 1),  # single passive
    (0, 1, 1),  # single promoter
    (1, 0, 1),  # single detractor
    (0, 0, 50),  # all passives
    (0, 30, 30),  # all promoters
    (30, 0, 30),  # all detractors
    (5, 5, 20),
    (3, 1, 4),
    (40, 25, 200),
    (0, 12, 40),  # no detractors, not all promoters
    (9, 0, 10),  # no promoters, one passive
    (123, 456, 1000),
    (7000, 2500, 12000),
]


def loglik(b: int, c: int, n: int, d: float, q: float) -> float:
    total = 0.0
    for count, p in ((b, q), (c, q + d), (n - b - c, 1.0 - 2.0 * q - d)):
        if count:
            total += count * math.log(max(p, 1e-300))
    return total


def feasible_q(b: int, c: int, n: int, d: float) -> float:
    """The root of the brief's quadratic that is the constrained MLE.

    Roots are clamped into the feasible region; when both are feasible (e.g.
    c = 0 makes q = -Δ a root on the boundary) the likelier one wins.
    """
    lo, hi = max(0.0, -d), (1.0 - d) / 2.0
    roots = np.roots([2.0 * n, -b - c + (2.0 * n - c + b) * d, -b * d * (1.0 - d)])
    candidates = [
        min(max(float(r.real), lo), hi)
        for r in roots
        if abs(r.imag) < 1e-9 and lo - 1e-9 <= r.real <= hi + 1e-9
    ]
    assert candidates, (b, c, n, d, roots)
    return max(candidates, key=lambda q: loglik(b, c, n, d, q))


def mle_q(b: int, c: int, n: int, d: float) -> float:
    """The constrained MLE found by brute-force maximisation."""
    lo, hi = max(0.0, -d), (1.0 - d) / 2.0

    def nll(q: float) -> float:
        return -loglik(b, c, n, d, q)

    res = minimize_scalar(nll, bounds=(lo, hi), method="bounded", options={"xatol": 1e-13})
    return float(res.x)


def z_stat(b: int, c: int, n: int, d: float) -> float:
    q = feasible_q(b, c, n, d)
    var = n * (2.0 * q + d * (1.0 - d))
    num = c - b - n * d
    if var <= 0.0:
        # Only at the MLE of a degenerate sample (all passives at Δ = 0).
        return 0.0 if num == 0.0 else math.copysign(math.inf, num)
    return num / math.sqrt(var)


def interval(b: int, c: int, n: int, z: float) -> tuple[float, float]:
    est = (c - b) / n
    eps = 1e-12
    if b == n:
        lo = -1.0
    else:
        lo = brentq(lambda d: z_stat(b, c, n, d) - z, -1.0 + eps, est, xtol=1e-15, rtol=1e-15)
    if c == n:
        hi = 1.0
    else:
        hi = brentq(lambda d: z_stat(b, c, n, d) + z, est, 1.0 - eps, xtol=1e-15, rtol=1e-15)
    return 100.0 * lo, 100.0 * hi


def main() -> None:
    # The brief's quadratic must really give the constrained MLE; check it on
    # a grid before trusting it for the fixture.
    for b, c, n in CASES:
        for d in np.linspace(-0.99, 0.99, 45):
            q_root, q_mle = feasible_q(b, c, n, d), mle_q(b, c, n, d)
            assert abs(q_root - q_mle) < 1e-6, (b, c, n, d, q_root, q_mle)

    lo, hi = interval(10, 70, 100, Z95)
    assert abs(lo - 45.2167) < 1e-4 and abs(hi - 71.2768) < 1e-4, (lo, hi)
    # z = 1.96 misses the worked example at 1e-4; Z95 is what it needs.
    lo196, hi196 = interval(10, 70, 100, 1.96)
    print(f"worked example: Z95 -> ({lo:.6f}, {hi:.6f}); z=1.96 -> ({lo196:.6f}, {hi196:.6f})")

    cases = []
    for b, c, n in CASES:
        lo, hi = interval(b, c, n, Z95)
        cases.append({"detractors": b, "promoters": c, "n": n, "lo": lo, "hi": hi})
    doc = {
        "source": "tools/oracles/tango_check.py (numpy.roots + scipy brentq); ends in NPS points",
        "scipy_version": scipy.__version__,
        "numpy_version": np.__version__,
        "z": Z95,
        "cases": cases,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(doc, indent=2) + "\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
