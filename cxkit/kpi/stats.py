"""Intervals, tests, corrections and power (KPIS.md "Surveys", "Why it moved"): adjusted Wald
for NPS, Wilson and Newcombe, t and Welch, Holm and Benjamini-Hochberg, chi-square, sample sizes.

Pure Python on counts: these run once per group, never per row.
"""

from __future__ import annotations

import math
from functools import lru_cache
from statistics import NormalDist
from typing import NamedTuple


def z_value(confidence: float) -> float:
    """Two-sided critical value: 0.95 -> 1.95996..."""
    return NormalDist().inv_cdf(1 - (1 - confidence) / 2)


def clip(x: float, lo: float, hi: float) -> float:
    return float(max(lo, min(hi, x)))


def nps_adjusted(promoters: int, detractors: int, n: int) -> tuple[float, float]:
    """Adjusted-Wald NPS (Rocks 2016): returns (A, SE') on the -100..100 scale.

    n' = n + 3, p' = (P + 3/4) / n', d' = (D + 3/4) / n',
    var' = p' + d' - (p' - d')^2, SE' = 100 * sqrt(var' / n'), A = 100 * (p' - d').
    """
    n_adj = n + 3
    p = (promoters + 0.75) / n_adj
    d = (detractors + 0.75) / n_adj
    var = p + d - (p - d) ** 2
    return 100 * (p - d), 100 * math.sqrt(var / n_adj)


def nps_interval(promoters: int, detractors: int, n: int, z: float) -> tuple[float, float]:
    a, se = nps_adjusted(promoters, detractors, n)
    return clip(a - z * se, -100, 100), clip(a + z * se, -100, 100)


def nps_differ(a: tuple[int, int, int], b: tuple[int, int, int], z: float) -> tuple[float, bool]:
    """(z statistic, significant) for two (promoters, detractors, n) triples."""
    a1, se1 = nps_adjusted(*a)
    a2, se2 = nps_adjusted(*b)
    stat = abs(a1 - a2) / math.sqrt(se1**2 + se2**2)
    return stat, stat > z


def wilson(k: int, n: int, z: float) -> tuple[float, float]:
    """Wilson score interval for k successes out of n, in percent."""
    if n == 0:
        return 0.0, 100.0
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return 100 * clip(centre - half, 0, 1), 100 * clip(centre + half, 0, 1)


def proportions_differ(k1: int, n1: int, k2: int, n2: int, z: float) -> tuple[float, bool]:
    """Two-proportion z test with the pooled proportion."""
    if n1 == 0 or n2 == 0:
        return 0.0, False
    pooled = (k1 + k2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 0.0, False
    stat = abs(k1 / n1 - k2 / n2) / se
    return stat, stat > z


def mean_sd(total: float, total_sq: float, n: int) -> tuple[float | None, float | None]:
    if n == 0:
        return None, None
    mean = total / n
    if n < 2:
        return mean, None
    var = max(0.0, (total_sq - total * total / n) / (n - 1))
    return mean, math.sqrt(var)


def t_interval(mean: float, sd: float | None, n: int, confidence: float) -> tuple[float, float]:
    if sd is None or n < 2:
        return mean, mean
    half = t_quantile(1 - (1 - confidence) / 2, n - 1) * sd / math.sqrt(n)
    return mean - half, mean + half


def means_differ(m1, s1, n1, m2, s2, n2, confidence: float) -> tuple[float, bool]:
    """Welch's t test; significant when |t| exceeds the two-sided critical value."""
    if n1 < 2 or n2 < 2 or s1 is None or s2 is None:
        return 0.0, False
    v1, v2 = s1 * s1 / n1, s2 * s2 / n2
    if v1 + v2 == 0:
        return 0.0, False
    stat = abs(m1 - m2) / math.sqrt(v1 + v2)
    df = (v1 + v2) ** 2 / ((v1 * v1) / (n1 - 1) + (v2 * v2) / (n2 - 1))
    return stat, stat > t_quantile(1 - (1 - confidence) / 2, df)


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction for the incomplete beta function (Numerical Recipes 6.4)."""
    qab, qap, qam = a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1 / (d if abs(d) > 1e-300 else 1e-300)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1 + aa * d
        d = 1 / (d if abs(d) > 1e-300 else 1e-300)
        c = 1 + aa / c if abs(1 + aa / c) > 1e-300 else 1e-300
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1 + aa * d
        d = 1 / (d if abs(d) > 1e-300 else 1e-300)
        c = 1 + aa / c if abs(1 + aa / c) > 1e-300 else 1e-300
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-14:
            break
    return h


def _betai(a: float, b: float, x: float) -> float:
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    lbeta = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    front = math.exp(lbeta + a * math.log(x) + b * math.log(1 - x))
    if x < (a + 1) / (a + b + 2):
        return front * _betacf(a, b, x) / a
    return 1 - front * _betacf(b, a, 1 - x) / b


def t_cdf(t: float, df: float) -> float:
    x = df / (df + t * t)
    tail = 0.5 * _betai(df / 2, 0.5, x)
    return 1 - tail if t > 0 else tail


@lru_cache(maxsize=4096)
def t_quantile(p: float, df: float) -> float:
    """Inverse Student t CDF (df > 0); t_quantile(0.975, 10) = 2.2281...

    Exact formulas for df 1 and 2; the Cornish-Fisher expansion (Abramowitz & Stegun 26.7.5)
    for df >= 1000; between, that expansion polished by Newton steps on `t_cdf`: about 3
    evaluations instead of the ~40 of a bisection, which made the intervals of a few hundred
    groups cost seconds. Cached: the same df (n - 1) comes back for many groups."""
    if df == 1:
        return math.tan(math.pi * (p - 0.5))
    if df == 2:
        return (2 * p - 1) / math.sqrt(2 * p * (1 - p))
    z = NormalDist().inv_cdf(p)
    z2 = z * z
    t = z + (z2 * z + z) / (4 * df) + (5 * z2 * z2 * z + 16 * z2 * z + 3 * z) / (96 * df ** 2) \
        + (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / (384 * df ** 3) \
        + (79 * z ** 9 + 776 * z ** 7 + 1482 * z ** 5 - 1920 * z ** 3 - 945 * z) / (92160 * df ** 4)
    if df >= 1000:  # the next term is below 1e-13 here, and the CDF too flat for Newton
        return t
    log_norm = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    for _ in range(50):
        density = math.exp(log_norm - (df + 1) / 2 * math.log1p(t * t / df))
        if not density > 0:
            break
        step = (t_cdf(t, df) - p) / density
        t -= step
        if not math.isfinite(t):
            break
        if abs(step) <= 1e-12 * max(1.0, abs(t)):
            return t
    return _t_quantile_bisect(p, df)


def _t_quantile_bisect(p: float, df: float) -> float:
    """The slow, sure way, when Newton does not settle."""
    lo, hi = -1e3, 1e3
    for _ in range(200):
        mid = (lo + hi) / 2
        if t_cdf(mid, df) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12:
            break
    return (lo + hi) / 2


# --- differences, corrections, power (KPIS.md "Why it moved") ---------------------------------


class Difference(NamedTuple):
    """A difference new - base in the KPI's unit, its interval, two-sided p and standard error."""

    diff: float
    ci: tuple[float, float]
    p: float
    se: float


def p_normal(stat: float) -> float:
    """Two-sided p-value of a z statistic: erfc(|z| / sqrt 2), exact far in the tail too."""
    return math.erfc(abs(stat) / math.sqrt(2))


def p_t(stat: float, df: float) -> float:
    """Two-sided p-value of a t statistic with df degrees of freedom: I_{df/(df+t^2)}(df/2, 1/2)."""
    if not math.isfinite(df) or df > 1e7:
        return p_normal(stat)
    return _betai(df / 2, 0.5, df / (df + stat * stat))


def nps_diff(base: tuple[int, int, int], new: tuple[int, int, int], z: float) -> Difference:
    """Adjusted-Wald NPS difference (Rocks 2016) of two (promoters, detractors, n) triples:
    A_new - A_base, interval +- z * sqrt(SE_base'^2 + SE_new'^2), p of the z test."""
    a1, se1 = nps_adjusted(*base)
    a2, se2 = nps_adjusted(*new)
    diff, se = a2 - a1, math.hypot(se1, se2)
    return Difference(diff, (clip(diff - z * se, -200, 200), clip(diff + z * se, -200, 200)),
                      p_normal(diff / se), se)


def newcombe(k1: int, n1: int, k2: int, n2: int, z: float) -> tuple[float, float]:
    """Newcombe's hybrid score interval (1998, method 10) for p2 - p1, in percentage points,
    from the two Wilson intervals: d -+ sqrt((p - l)^2 + (u - p)^2) of the two sides."""
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = (x / 100 for x in wilson(k1, n1, z))
    l2, u2 = (x / 100 for x in wilson(k2, n2, z))
    d = p2 - p1
    lo = d - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    hi = d + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    return 100 * lo, 100 * hi


def proportion_diff(k1: int, n1: int, k2: int, n2: int, z: float) -> Difference:
    """p2 - p1 in points: Newcombe interval, pooled two-proportion z test; se unpooled (for MDE)."""
    p1, p2 = k1 / n1, k2 / n2
    pooled = (k1 + k2) / (n1 + n2)
    se0 = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    p = p_normal((p2 - p1) / se0) if se0 > 0 else 1.0  # se0 = 0: both sides all 0 or all 1
    se = 100 * math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    return Difference(100 * (p2 - p1), newcombe(k1, n1, k2, n2, z), p, se)


def welch_diff(m1: float, s1: float, n1: int, m2: float, s2: float, n2: int,
               confidence: float) -> Difference:
    """m2 - m1 with Welch's t: interval +- t(df) * se, Welch-Satterthwaite df, two-sided p."""
    v1, v2 = s1 * s1 / n1, s2 * s2 / n2
    diff, se = m2 - m1, math.sqrt(v1 + v2)
    if se == 0:  # no spread on either side: the difference is exact
        return Difference(diff, (diff, diff), 1.0 if diff == 0 else 0.0, 0.0)
    df = (v1 + v2) ** 2 / ((v1 * v1) / (n1 - 1) + (v2 * v2) / (n2 - 1))
    half = t_quantile(1 - (1 - confidence) / 2, df) * se
    return Difference(diff, (diff - half, diff + half), p_t(diff / se, df), se)


def p_adjust(ps: list[float | None], method: str = "holm") -> list[float | None]:
    """Holm (1979) or Benjamini-Hochberg (1995) adjusted p-values, as R's `p.adjust` computes
    them; None entries stay None and do not count in the family. method: holm, bh or none."""
    idx = [i for i, p in enumerate(ps) if p is not None]
    out: list[float | None] = list(ps)
    m = len(idx)
    if method == "none" or m == 0:
        return out
    order = sorted(idx, key=lambda i: ps[i])  # type: ignore[arg-type, return-value]
    if method == "holm":  # cummax((m - i + 1) * p_(i)), capped at 1
        running = 0.0
        for rank, i in enumerate(order):
            running = max(running, (m - rank) * ps[i])  # type: ignore[operator]
            out[i] = min(1.0, running)
    elif method == "bh":  # from the largest down: cummin(m / i * p_(i)), capped at 1
        running = 1.0
        for rank in range(m - 1, -1, -1):
            i = order[rank]
            running = min(running, m / (rank + 1) * ps[i])  # type: ignore[operator]
            out[i] = min(1.0, running)
    else:
        raise ValueError(f"unknown correction {method!r}")
    return out


def mde(se: float, confidence: float, power: float = 0.8) -> float:
    """Minimum detectable effect at the observed sizes: (z_{1-alpha/2} + z_power) * SE."""
    return (z_value(confidence) + NormalDist().inv_cdf(power)) * se


def _gamma_series(a: float, x: float) -> float:
    """Regularised lower incomplete gamma P(a, x) by its series (x < a + 1; NR 6.2)."""
    term = total = 1 / a
    ap = a
    for _ in range(1000):
        ap += 1
        term *= x / ap
        total += term
        if abs(term) < abs(total) * 1e-16:
            break
    return total * math.exp(-x + a * math.log(x) - math.lgamma(a))


def _gamma_fraction(a: float, x: float) -> float:
    """Regularised upper incomplete gamma Q(a, x) by Lentz's continued fraction (x >= a + 1)."""
    tiny = 1e-300
    b = x + 1 - a
    c, d = 1 / tiny, 1 / b
    h = d
    for i in range(1, 1000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = 1 / (d if abs(d) > tiny else tiny)
        c = b + an / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-16:
            break
    return h * math.exp(-x + a * math.log(x) - math.lgamma(a))


def chi2_sf(x: float, df: float) -> float:
    """P(X > x) for chi-square with df degrees of freedom: Q(df/2, x/2)."""
    if x <= 0:
        return 1.0
    a, half = df / 2, x / 2
    if half < a + 1:
        return max(0.0, 1 - _gamma_series(a, half))
    return _gamma_fraction(a, half)


def srm_test(observed: list[int], shares: list[float]) -> tuple[float, int, float]:
    """Sample-ratio check: Pearson chi-square of the group sizes against the expected shares
    (any positive numbers, normalised): (chi2, df, p)."""
    total, weight = sum(observed), sum(shares)
    expected = [total * s / weight for s in shares]
    chi2 = sum((o - e) ** 2 / e for o, e in zip(observed, expected, strict=True) if e > 0)
    df = len(observed) - 1
    return chi2, df, chi2_sf(chi2, df)


def sample_size(sd: float, mde_: float, confidence: float, power: float,
                shares: list[float], control: int = 0) -> list[int]:
    """Answers per group so that every group vs the control detects `mde_` with `power`:
    N = max_i (z_{1-a/2} + z_power)^2 * sd^2 * (1/s_control + 1/s_i) / mde^2 over the total,
    n_i = ceil(N * s_i) (shares normalised). Two equal groups: n = 2 (z + z_b)^2 sd^2 / mde^2."""
    weight = sum(shares)
    s = [x / weight for x in shares]
    k = (z_value(confidence) + NormalDist().inv_cdf(power)) ** 2 * sd * sd / (mde_ * mde_)
    total = max(k * (1 / s[control] + 1 / si) for i, si in enumerate(s) if i != control)
    return [math.ceil(total * si - 1e-9) for si in s]
