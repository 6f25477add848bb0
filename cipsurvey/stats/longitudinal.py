"""Repeated measurements of the same people: change between waves for the linked (paired) and
for everyone (a model with the respondent as cluster), and the trend over three or more waves.

- :func:`paired_share_change`: the change in a share among people who answered both waves,
  with Newcombe's hybrid score interval for a paired difference and the exact McNemar p.
- :func:`wave_change`: every response of every wave in one model with the respondent as the
  cluster, so the people who answered several waves are not treated as independent: a GEE
  with an exchangeable working correlation and robust (sandwich) standard errors
  (statsmodels ``GEE``), or a linear mixed model with a random intercept per respondent
  (statsmodels ``MixedLM``, REML). It gives the mean (or share) in each wave, the change of
  each wave against a reference wave, and, with three or more waves, a joint Wald test and
  the linear trend per wave step.

Change is always in the unit of the outcome: a difference of means, or of proportions
(0-1; multiply by 100 for percentage points). The identity link keeps it so; for a yes/no
outcome coded 0/1 the GEE is a linear probability model, whose working variance does not
bias the estimate and whose robust standard errors do not depend on it.

Checked against R: geepack 1.3.9 ``geeglm(corstr = "exchangeable")`` and lme4 1.1-31
``lmer(REML = TRUE)`` (tests/reference/r_longitudinal.R); Newcombe's interval against the
worked example of Fagerland, Lydersen & Laake (2017, Table 8.x, Cavo et al. 2012).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._util import frame, nan_row
from .frequencies import wilson
from .paired import mcnemar

PAIRED_SHARE_COLUMNS = ["n", "n_yes_before", "n_yes_after", "b", "c", "before", "after",
                        "estimate", "conf_low", "conf_high", "p", "method", "note"]
WAVE_COLUMNS = ["term", "wave", "reference", "estimate", "se", "conf_low", "conf_high",
                "statistic", "df", "p", "n_obs", "n_clusters", "n_repeated", "correlation",
                "method", "note"]
GEE_METHOD = "GEE, {} working correlation, robust SE (respondent as cluster)"
MIXED_METHOD = "linear mixed model, random intercept per respondent (REML)"


def paired_share_change(data: pd.DataFrame, before: str, after: str,
                        conf: float = 0.95) -> pd.DataFrame:
    """Change in a share among people who answered both waves.

    Parameters
    ----------
    data : DataFrame
        One row per person; ``before`` and ``after`` hold 1 (yes) or 0 (no); a row missing
        either is left out.
    before, after : str
        The columns of the earlier and the later wave.
    conf : float
        Confidence level of the interval.

    Returns
    -------
    DataFrame
        One row: ``n`` pairs, ``n_yes_before``, ``n_yes_after``, ``b`` (yes then no), ``c``
        (no then yes), ``before`` and ``after`` (proportions), ``estimate`` (after - before,
        a proportion), ``conf_low``, ``conf_high`` (Newcombe's hybrid score interval for
        paired data, his method 10), ``p`` (exact McNemar), ``method``, ``note``.

    References
    ----------
    Newcombe, R. G. (1998). Improved confidence intervals for the difference between
        binomial proportions based on paired data. Statistics in Medicine, 17, 2635-2650.
    Fagerland, M. W., Lydersen, S., & Laake, P. (2017). Statistical Analysis of Contingency
        Tables. CRC Press, ch. 8 (the worked example used in the tests).
    """
    method = "Newcombe hybrid score interval (paired); exact McNemar"
    clean = data[[before, after]].dropna()
    x0 = clean[before].to_numpy(dtype=float)
    x1 = clean[after].to_numpy(dtype=float)
    bad0, bad1 = ~np.isin(x0, (0.0, 1.0)), ~np.isin(x1, (0.0, 1.0))
    if bad0.any() or bad1.any():
        found = sorted(set(x0[bad0]) | set(x1[bad1]))
        raise ValueError(f"{before}/{after}: a share needs 0/1 values, found "
                         + ", ".join(f"{v:g}" for v in found[:3]))
    n = len(x0)
    if n == 0:
        return frame([nan_row(PAIRED_SHARE_COLUMNS, "no pairs", n=0, method=method)],
                     PAIRED_SHARE_COLUMNS)
    a = int(((x0 == 1) & (x1 == 1)).sum())
    b = int(((x0 == 1) & (x1 == 0)).sum())
    c = int(((x0 == 0) & (x1 == 1)).sum())
    d = n - a - b - c
    p0, p1 = (a + b) / n, (a + c) / n
    lo, hi = newcombe_paired(a, b, c, d, conf)
    mc = mcnemar(pd.DataFrame({"x": x0, "y": x1}), "x", "y").iloc[0]
    note = "" if b + c else "no one changed their answer: no test"
    return frame([{"n": n, "n_yes_before": a + b, "n_yes_after": a + c, "b": b, "c": c,
                   "before": p0, "after": p1, "estimate": p1 - p0, "conf_low": lo,
                   "conf_high": hi, "p": mc["p"] if b + c else np.nan, "method": method,
                   "note": note}], PAIRED_SHARE_COLUMNS)


def newcombe_paired(a: int, b: int, c: int, d: int, conf: float = 0.95) -> tuple[float, float]:
    """Newcombe's (1998) method 10 interval for p_after - p_before from a paired 2×2 table.

    ``a`` yes/yes, ``b`` yes then no, ``c`` no then yes, ``d`` no/no. The Wilson limits of
    the two margins are combined with the correlation φ of the table, with Newcombe's
    adjustment of its numerator (zero between 0 and n/2, reduced by n/2 above it).
    """
    n = a + b + c + d
    p_before, p_after = (a + b) / n, (a + c) / n
    l1, u1 = wilson(a + b, n, conf)
    l2, u2 = wilson(a + c, n, conf)
    margins = (a + b) * (c + d) * (a + c) * (b + d)
    cross = a * d - b * c
    numerator = cross - n / 2 if cross > n / 2 else (cross if cross < 0 else 0.0)
    phi = numerator / math.sqrt(margins) if margins > 0 else 0.0
    diff = p_after - p_before
    low = diff - math.sqrt(max(0.0, (p_after - l2) ** 2 - 2 * phi * (p_after - l2)
                               * (u1 - p_before) + (u1 - p_before) ** 2))
    high = diff + math.sqrt(max(0.0, (u2 - p_after) ** 2 - 2 * phi * (u2 - p_after)
                                * (p_before - l1) + (p_before - l1) ** 2))
    return max(-1.0, low), min(1.0, high)


def _clusters(ids: pd.Series) -> np.ndarray:
    """Cluster codes: a respondent's key, or a cluster of its own where the key is missing."""
    codes = pd.factorize(ids, use_na_sentinel=True)[0].astype(np.int64)
    missing = codes < 0
    codes[missing] = codes.max(initial=-1) + 1 + np.arange(missing.sum())
    return codes


def wave_change(data: pd.DataFrame, outcome: str, wave: str, cluster: str | None, *,
                order: Sequence[Any] | None = None, reference: Any = None,
                method: str = "gee", correlation: str = "exchangeable",
                conf: float = 0.95) -> pd.DataFrame:
    """Means per wave, change against a reference wave and the trend, from every response,
    with the respondent as the cluster.

    Parameters
    ----------
    data : DataFrame
        Long format: one row per response (a person who answered three waves has three rows).
    outcome : str
        The measurement (a count, a score, or a yes/no coded 1/0).
    wave : str
        Which wave the row belongs to.
    cluster : str or None
        The respondent key; a missing key (or ``None``: anonymous waves) makes the row a
        cluster of its own, which is then analysed as independent.
    order : sequence, optional
        The waves in time order (default: sorted). The trend is per step in this order.
    reference : optional
        The wave the others are compared with (default: the first in ``order``).
    method : {"gee", "mixed"}
        GEE (robust SE) or a linear mixed model with a
        random intercept per respondent (REML; model-based SE, (X' V⁻¹ X)⁻¹ at the REML
        variance components).
    correlation : {"exchangeable", "independence"}
        The GEE's working correlation. With ``"independence"`` the change is exactly the
        difference of the waves' means over everyone who answered, and only the standard
        error accounts for the people in several waves. An exchangeable correlation whose
        estimate leaves the admissible range (it is a moment estimate and can exceed 1 when
        the people in several waves vary more than the rest) is replaced by independence,
        with a note.
    conf : float
        Confidence level of the Wald intervals.

    Returns
    -------
    DataFrame
        Rows with ``term`` = ``"mean"`` (one per wave), ``"change"`` (each wave against
        ``reference``), and with three or more waves ``"joint"`` (Wald χ² that all waves have
        the same mean, df = waves - 1) and ``"trend"`` (linear change per wave step, from the
        same model with the wave as a number). Columns: ``term, wave, reference, estimate,
        se, conf_low, conf_high, statistic (z or Wald χ²), df, p, n_obs, n_clusters,
        n_repeated`` (clusters with more than one response), ``correlation`` (the working
        within-respondent correlation, or the intraclass correlation of the mixed model),
        ``method, note``.

    References
    ----------
    Liang, K.-Y., & Zeger, S. L. (1986). Longitudinal data analysis using generalized linear
        models. Biometrika, 73, 13-22.
    Halekoh, U., Højsgaard, S., & Yan, J. (2006). The R package geepack for generalized
        estimating equations. Journal of Statistical Software, 15(2).
    Bates, D., Mächler, M., Bolker, B., & Walker, S. (2015). Fitting linear mixed-effects
        models using lme4. Journal of Statistical Software, 67(1).
    """
    if method not in ("gee", "mixed"):
        raise ValueError(f"method must be 'gee' or 'mixed', not {method!r}")
    if correlation not in ("exchangeable", "independence"):
        raise ValueError(f"correlation must be 'exchangeable' or 'independence', "
                         f"not {correlation!r}")
    label = GEE_METHOD.format(correlation) if method == "gee" else MIXED_METHOD
    cols = [outcome, wave] + ([cluster] if cluster else [])
    clean = data[cols].dropna(subset=[outcome, wave]).copy()
    waves = list(order) if order is not None else sorted(clean[wave].unique())
    clean = clean[clean[wave].isin(waves)]
    present = [w for w in waves if (clean[wave] == w).any()]
    reference = present[0] if reference is None and present else reference
    groups = _clusters(clean[cluster] if cluster else pd.Series(np.nan, index=clean.index))
    clean["_g"] = groups
    clean["_pos"] = clean[wave].map({w: k for k, w in enumerate(waves)})
    clean = clean.sort_values(["_g", "_pos"], kind="stable")
    sizes = np.bincount(clean["_g"].to_numpy())
    base = {"n_obs": len(clean), "n_clusters": int((sizes > 0).sum()),
            "n_repeated": int((sizes > 1).sum()), "method": label}
    if len(present) < 2 or reference not in present:
        return frame([nan_row(WAVE_COLUMNS, "fewer than two waves with answers: no model",
                              term="change", **base)], WAVE_COLUMNS)
    others = [w for w in present if w != reference]
    y = clean[outcome].to_numpy(dtype=float)
    x = np.column_stack([np.ones(len(clean))]
                        + [(clean[wave] == w).to_numpy(dtype=float) for w in others])
    fit = _fit(y, x, clean["_g"].to_numpy(), method, correlation)
    if fit is None:
        return frame([nan_row(WAVE_COLUMNS, "the model did not converge", term="change",
                              **base)], WAVE_COLUMNS)
    params, cov, corr, note = fit
    z = stats.norm.ppf(0.5 + conf / 2)
    rows = []
    for k, w in enumerate([reference, *others]):
        vec = np.zeros(len(params))
        vec[0] = 1.0
        if k:
            vec[k] = 1.0
        rows.append(_wald_row("mean", w, None, vec @ params, _root(vec @ cov @ vec), z,
                              corr, base, note, test=False))
    for k, w in enumerate(others, start=1):
        rows.append(_wald_row("change", w, reference, params[k], _root(cov[k, k]), z, corr,
                              base, note))
    if len(present) >= 3:
        b = params[1:]
        v = cov[1:, 1:]
        if np.linalg.matrix_rank(v) < len(b):  # e.g. waves with no variation in the answer
            rows.append(nan_row(WAVE_COLUMNS, "the changes' covariance is singular (a wave "
                                "without variation): no joint test", term="joint",
                                reference=reference, correlation=corr, **base))
        else:
            chi = float(b @ np.linalg.solve(v, b))
            rows.append({**base, "term": "joint", "wave": None, "reference": reference,
                         "estimate": np.nan, "se": np.nan, "conf_low": np.nan,
                         "conf_high": np.nan, "statistic": chi, "df": len(b),
                         "p": stats.chi2.sf(chi, len(b)), "correlation": corr, "note": note})
        step = clean["_pos"].to_numpy(dtype=float)
        trend = _fit(y, np.column_stack([np.ones(len(clean)), step]),
                     clean["_g"].to_numpy(), method, correlation)
        if trend is None:
            rows.append(nan_row(WAVE_COLUMNS, "the trend model did not converge",
                                term="trend", **base))
        else:
            tp, tc, tcorr, tnote = trend
            rows.append(_wald_row("trend", None, None, tp[1], _root(tc[1, 1]), z, tcorr,
                                  base, tnote))
    return frame(rows, WAVE_COLUMNS)


def _root(variance: float) -> float:
    """A standard error from a variance the fit gave: a variance of zero can come back a
    rounding error below it (an answer without variation in any wave); a clearly negative
    one is no standard error at all (NaN)."""
    if variance >= 0:
        return math.sqrt(variance)
    return 0.0 if variance > -1e-12 else np.nan


def _wald_row(term: str, wave: Any, reference: Any, est: float, se: float, z: float,
              corr: float, base: dict[str, Any], note: str, test: bool = True) -> dict[str, Any]:
    stat = est / se if test and se > 0 else np.nan
    return {**base, "term": term, "wave": wave, "reference": reference, "estimate": est,
            "se": se, "conf_low": est - z * se, "conf_high": est + z * se, "statistic": stat,
            "df": np.nan, "p": 2 * stats.norm.sf(abs(stat)) if test and se > 0 else np.nan,
            "correlation": corr, "note": note}


def _fit(y: np.ndarray, x: np.ndarray, groups: np.ndarray, method: str,
         correlation: str) -> tuple[np.ndarray, np.ndarray, float, str] | None:
    """Fit the model; ``(params, covariance, correlation, note)`` or None when it fails."""
    fit = _fit_once(y, x, groups, method, correlation)
    if method == "gee" and correlation == "exchangeable" and fit is not None \
            and not _admissible(fit[2], groups):
        again = _fit_once(y, x, groups, method, "independence")
        if again is None:
            return None
        note = (f"the exchangeable working correlation was estimated at {fit[2]:.2f}, "
                "outside its admissible range: independence working correlation used")
        return again[0], again[1], np.nan, "; ".join(filter(None, [note, again[3]]))
    return fit


def _fit_once(y: np.ndarray, x: np.ndarray, groups: np.ndarray, method: str,
              correlation: str) -> tuple[np.ndarray, np.ndarray, float, str] | None:
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if method == "gee" and correlation == "independence":
                # the same estimates and sandwich SEs as GEE with an independence working
                # correlation (geepack's too), from OLS with cluster-robust covariance:
                # vectorised, where statsmodels' GEE loops over the clusters (0.33 s
                # against 0.01 s per fit for the demo study's 720 people)
                from statsmodels.regression.linear_model import OLS

                res = OLS(y, x).fit(cov_type="cluster", cov_kwds={
                    "groups": groups, "use_correction": False, "df_correction": False})
                params, cov = np.asarray(res.params), np.asarray(res.cov_params())
                corr = 0.0
            elif method == "gee":
                from statsmodels.genmod import cov_struct, families
                from statsmodels.genmod.generalized_estimating_equations import GEE

                model = GEE(y, x, groups=groups, family=families.Gaussian(),
                            cov_struct=cov_struct.Exchangeable())
                # ddof_scale=0: the scale as geepack estimates it (sum of squared
                # residuals over N), so the working correlation is geepack's too.
                res = model.fit(ddof_scale=0)
                params, cov = np.asarray(res.params), np.asarray(res.cov_params())
                corr = float(model.cov_struct.dep_params)
            else:
                from statsmodels.regression.mixed_linear_model import MixedLM

                res = MixedLM(y, x, groups=groups).fit(reml=True)
                params = np.asarray(res.fe_params)
                tau2, sigma2 = float(np.asarray(res.cov_re)[0, 0]), float(res.scale)
                cov = _gls_covariance(x, groups, tau2, sigma2)
                corr = tau2 / (tau2 + sigma2)
        except (np.linalg.LinAlgError, ValueError, ZeroDivisionError):
            return None
    if not np.all(np.isfinite(params)) or not np.all(np.isfinite(np.diag(cov))):
        return None
    note = ("the model reported a convergence problem"
            if any(issubclass(w.category, ConvergenceWarning) for w in caught) else "")
    return params, cov, corr, note


def _admissible(rho: float, groups: np.ndarray) -> bool:
    """An exchangeable correlation is a correlation matrix only for
    -1 / (largest cluster - 1) < ρ < 1."""
    largest = int(np.bincount(groups).max())
    return rho < 1 and (largest < 2 or rho > -1 / (largest - 1))


def _gls_covariance(x: np.ndarray, groups: np.ndarray, tau2: float,
                    sigma2: float) -> np.ndarray:
    """(X' V⁻¹ X)⁻¹ for a random intercept model, V_i = σ² I + τ² J: the covariance of the
    fixed effects given the variance components, as lme4 and SAS report it. (statsmodels'
    ``cov_params`` inverts the joint Hessian of the REML criterion instead, which differs
    by about 2e-4 relative in the tests' data.)"""
    sizes = np.bincount(groups)
    sums = np.zeros((len(sizes), x.shape[1]))
    np.add.at(sums, groups, x)
    shrink = tau2 / (sigma2 + sizes * tau2)
    info = (x.T @ x - (sums * shrink[:, None]).T @ sums) / sigma2
    return np.linalg.inv(info)
