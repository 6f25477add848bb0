"""Confidence intervals for standardized effects by inverting noncentral distributions.

The method of R's MBESS and effectsize packages (Steiger & Fouladi, 1997; Steiger, 2004;
Smithson, 2003): the limits of the noncentrality parameter at which the observed statistic is
the 1 - α/2 and α/2 point of its distribution.

- χ² (Cramér's V): scipy's ``special.chndtrinc``, which agrees with a root search on
  ``stats.ncx2`` to 1e-13 in every case measured.
- F (η², ω²): written here. scipy's ``special.ncfdtrinc``, which statsmodels'
  ``stats.oneway.confint_noncentrality`` calls, stops its search early: at F = 14.6 on
  (2, 157) df (tests/reference data) its lower limit is 10.39648 where the root is 10.39999
  (3.4e-4 relative; R's uniroot on ``pf`` agrees with this module to 1e-7), at F = 900 on
  (2, 119,997) df it is 8e-4 low, and statsmodels' docstring says it "does not yet handle
  non-negativity constraint on nc". Here: brentq on ``stats.ncf`` to 1e-12.
- t (Cohen's d, Hedges' g, d_z): written here. scipy's ``special.nctdtrinc`` (cdflib's
  search, scipy 1.17) finds the root to about 1e-7 relative (upper limit 7.8620313 at t = 5
  on 10 df, where the root is 7.8620302; 3e-7 at t = 150 on 119,998 df), while R's uniroot
  reference and this module agree to 1e-8 (tests/test_stats_r.py). scipy/scipy#25115 moves
  it to Boost; with that, this can go. Cost here: about 5 ms an interval.

Both hand-written searches fall back on the limiting distributions where scipy's noncentral
t and F give NaN (large noncentrality, as in waves of 100,000 respondents).

References
----------
Steiger, J. H., & Fouladi, R. T. (1997). Noncentrality interval estimation and the evaluation
    of statistical models. In What if there were no significance tests? Erlbaum.
Steiger, J. H. (2004). Beyond the F test: effect size confidence intervals and tests of close
    fit in the analysis of variance and contrast analysis. Psychological Methods, 9, 164-182.
Smithson, M. (2003). Confidence intervals. Sage.
"""

from __future__ import annotations

import math

from scipy import optimize, special, stats


def _solve(f, lo: float, hi: float) -> float:
    flo, fhi = f(lo), f(hi)
    if flo * fhi > 0:
        return math.nan
    return optimize.brentq(f, lo, hi, xtol=1e-12, rtol=1e-12, maxiter=500)


def _bracket(f, centre: float, width: float) -> float:
    """Root of a decreasing f near ``centre``: widen the bracket until its ends differ in
    sign (the noncentral CDFs turn NaN far out, so the bracket grows step by step)."""
    lo, hi = centre - width, centre + width
    for _ in range(60):
        flo, fhi = f(lo), f(hi)
        if math.isfinite(flo) and math.isfinite(fhi) and flo * fhi <= 0:
            return optimize.brentq(f, lo, hi, xtol=1e-12, rtol=1e-12, maxiter=500)
        if not math.isfinite(flo) or flo < 0:
            lo = centre - (centre - lo) * 0.6 if not math.isfinite(flo) else lo - width
        else:
            lo -= width
        if not math.isfinite(fhi) or fhi > 0:
            hi = centre + (hi - centre) * 0.6 if not math.isfinite(fhi) else hi + width
        else:
            hi += width
    return math.nan


def ncp_t(t: float, df: float, conf: float = 0.95) -> tuple[float, float]:
    """Limits of the noncentrality parameter of a t statistic (two-sided)."""
    if not (math.isfinite(t) and df > 0):
        return math.nan, math.nan
    alpha = 1 - conf
    width = 4 * math.sqrt(1 + t * t / (2 * df))

    def cdf(d: float) -> float:
        value = stats.nct.cdf(t, df, d)
        if math.isfinite(value):
            return value
        # scipy's noncentral t gives NaN far out (huge samples): its normal limit
        return stats.norm.cdf((t - d) / math.sqrt(1 + d * d / (2 * df)))

    lower = _bracket(lambda d: cdf(d) - (1 - alpha / 2), t, width)
    upper = _bracket(lambda d: cdf(d) - alpha / 2, t, width)
    return lower, upper


def _nonnegative_limits(cdf, stat: float, conf: float, top: float) -> tuple[float, float]:
    """Limits of a noncentrality λ >= 0 where cdf(stat; λ) = 1 - α/2 and α/2 (a limit is 0
    when even λ = 0 puts the statistic below that point)."""
    alpha = 1 - conf

    def at(lam: float, p: float) -> float:
        return cdf(stat, lam) - p

    while at(top, alpha / 2) > 0:
        top *= 4
    limits = []
    for p in (1 - alpha / 2, alpha / 2):
        limits.append(0.0 if at(0.0, p) <= 0 else _solve(lambda x, p=p: at(x, p), 0.0, top))
    return limits[0], limits[1]


def ncp_f(f: float, df1: float, df2: float, conf: float = 0.95) -> tuple[float, float]:
    """Limits of the noncentrality parameter of an F statistic (two-sided, >= 0)."""
    if not (math.isfinite(f) and df1 > 0 and df2 > 0):
        return math.nan, math.nan

    def cdf(x: float, lam: float) -> float:
        value = stats.ncf.cdf(x, df1, df2, lam) if lam > 0 else stats.f.cdf(x, df1, df2)
        if math.isfinite(value):
            return value
        # scipy's noncentral F gives NaN at large noncentrality (huge samples): use the
        # noncentral chi-square limit of df1·F, then its normal approximation
        return _ncx2_cdf(x * df1, df1, lam)

    return _nonnegative_limits(cdf, f, conf, max(100.0, 20 * f * df1))


def ncp_chi2(x2: float, df: float, conf: float = 0.95) -> tuple[float, float]:
    """Limits of the noncentrality parameter of a chi-square statistic (two-sided, >= 0):
    scipy's ``chndtrinc``, and 0 where even no noncentrality puts ``x2`` below the limit's
    point (there ``chndtrinc`` returns NaN or a subnormal number)."""
    if not (math.isfinite(x2) and df > 0):
        return math.nan, math.nan
    alpha = 1 - conf
    central = stats.chi2.cdf(x2, df)
    lower, upper = (0.0 if central <= p else float(special.chndtrinc(x2, df, p))
                    for p in (1 - alpha / 2, alpha / 2))
    return lower, upper


def _ncx2_cdf(x: float, df: float, lam: float) -> float:
    value = stats.ncx2.cdf(x, df, lam)
    if math.isfinite(value):
        return value
    return stats.norm.cdf((x - (df + lam)) / math.sqrt(2 * (df + 2 * lam)))
