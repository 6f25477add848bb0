"""Count models chosen by the data: dispersion checked before a model is fitted.

A count with no upper limit starts as Poisson; its dispersion (Pearson χ² / residual df)
decides: above ``threshold`` the negative binomial (NB2), unless its α sits at the bound;
below 1 / ``threshold`` the Poisson model stays, with a note that its standard errors are
conservative. A count with a known maximum (the number of "yes" among 14 template contents)
is a number of successes out of that many trials: a binomial GLM (logit link), with the
quasi-binomial standard errors (scaled by the Pearson dispersion) when the binomial
variance is too small for the data.

Every model table says its n and its reference categories (:func:`reference_levels`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._util import levels
from .regression import (
    COEF_COLUMNS,
    GLM_TOL,
    RegressionResult,
    check_design,
    design,
    distinct_rows,
    empty_result,
    negative_binomial,
    poisson,
)

BINOMIAL_MODEL = ["n", "trials", "log_likelihood", "deviance", "pearson_chi2", "df_resid",
                  "dispersion", "scale", "method", "note"]
CHECK_COLUMNS = ["model", "measure", "value", "note"]
DISPERSION_THRESHOLD = 1.5


@dataclass
class CountModelChoice:
    """The model chosen for a count, why, and the checks that decided it."""

    result: RegressionResult
    chosen: str
    checks: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def reference_levels(data: pd.DataFrame, outcome: str, predictors: Sequence[str],
                     categorical: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Each categorical predictor's reference level and how many of the model's cases
    hold it.

    Returns
    -------
    DataFrame
        ``predictor, reference, n_reference, n`` (``n``: the model's complete cases).
    """
    categorical = dict(categorical or {})
    y, x = design(data, outcome, predictors, categorical)
    rows = []
    for pred in predictors:
        if pred not in categorical:
            continue
        values = data.loc[x.index, pred]
        ref = categorical[pred] if categorical[pred] is not None else levels(values)[0]
        rows.append({"predictor": pred, "reference": ref,
                     "n_reference": int((values == ref).sum()), "n": len(y)})
    return pd.DataFrame(rows, columns=["predictor", "reference", "n_reference", "n"])


def binomial_count(data: pd.DataFrame, outcome: str, predictors: Sequence[str],
                   categorical: Mapping[str, Any] | None = None, *, trials: int,
                   quasi: bool | None = None, threshold: float = DISPERSION_THRESHOLD,
                   conf: float = 0.95) -> RegressionResult:
    """A bounded count (0 to ``trials``) as successes out of ``trials``: binomial GLM.

    Parameters
    ----------
    trials : int
        The count's maximum (the number of items counted).
    quasi : bool or None
        Scale the standard errors by the Pearson dispersion (quasi-binomial); None: when
        the dispersion exceeds ``threshold``.

    Returns
    -------
    RegressionResult
        ``coefficients`` with ``exp_estimate`` = odds ratio and its Wald CI (z for the
        binomial, t on the residual df for the quasi-binomial, as R's ``summary.glm``);
        ``model``: ``n, trials, log_likelihood, deviance, pearson_chi2, df_resid,
        dispersion, scale, method, note``.

    References
    ----------
    McCullagh, P., & Nelder, J. A. (1989). Generalized linear models (2nd ed.). Chapman &
        Hall. Section 4.5 (over-dispersion).
    """
    from . import _sm as sm

    categorical = dict(categorical or {})
    y, x = design(data, outcome, predictors, categorical)
    yu, xu, w = distinct_rows(y, x)
    problem = check_design(y, x, xu)
    if not problem and ((y < 0).any() or (y > trials).any() or (y != np.round(y)).any()):
        problem = f"counts outside 0-{trials}: not a bounded count"
    if problem:
        return empty_result(problem, BINOMIAL_MODEL, len(y))
    endog = np.column_stack([yu, trials - yu])
    fit = sm.GLM(endog, xu, family=sm.families.Binomial(), freq_weights=w).fit(**GLM_TOL)
    mu = fit.mu * trials
    pearson = float((w * (yu - mu) ** 2 / (mu * (1 - fit.mu))).sum())
    k = x.shape[1]
    df_resid = len(y) - k
    dispersion = pearson / df_resid
    if quasi is None:
        quasi = dispersion > threshold
    scale = dispersion if quasi else 1.0
    se = fit.bse.to_numpy() * math.sqrt(scale)
    b = fit.params.to_numpy()
    if quasi:
        stat = b / se
        p = 2 * stats.t.sf(np.abs(stat), df_resid)
        q = stats.t.ppf(0.5 + conf / 2, df_resid)
        method = "quasi-binomial GLM (logit), SEs scaled by the Pearson dispersion"
    else:
        stat = b / se
        p = 2 * stats.norm.sf(np.abs(stat))
        q = stats.norm.ppf(0.5 + conf / 2)
        method = "binomial GLM (logit)"
    rows = []
    for i, term in enumerate(x.columns):
        lo, hi = b[i] - q * se[i], b[i] + q * se[i]
        rows.append({"term": term, "estimate": b[i], "se": se[i], "statistic": stat[i],
                     "df": df_resid if quasi else np.nan, "p": p[i], "conf_low": lo,
                     "conf_high": hi, "exp_estimate": math.exp(b[i]),
                     "exp_conf_low": math.exp(lo), "exp_conf_high": math.exp(hi),
                     "method": method, "note": ""})
    notes = []
    if not fit.converged:
        notes.append("did not converge")
    if not quasi and dispersion > threshold:
        notes.append(f"over-dispersed for a binomial count (dispersion {dispersion:.2f})")
    model = {"n": len(y), "trials": trials, "log_likelihood": fit.llf,
             "deviance": fit.deviance, "pearson_chi2": pearson, "df_resid": df_resid,
             "dispersion": dispersion, "scale": scale, "method": method,
             "note": "; ".join(notes)}
    return RegressionResult(pd.DataFrame(rows).reindex(columns=COEF_COLUMNS),
                            pd.DataFrame([model]).reindex(columns=BINOMIAL_MODEL))


def count_model(data: pd.DataFrame, outcome: str, predictors: Sequence[str],
                categorical: Mapping[str, Any] | None = None, *, trials: int | None = None,
                threshold: float = DISPERSION_THRESHOLD,
                conf: float = 0.95) -> CountModelChoice:
    """Fit the count model that the data support, after checking dispersion.

    Parameters
    ----------
    trials : int or None
        The count's maximum when it has one (a bounded count → binomial family).
    threshold : float
        Dispersion above this is over-dispersion (below its inverse, under-dispersion).

    Returns
    -------
    CountModelChoice
        ``result`` (the chosen model's tables), ``chosen`` ("poisson", "negative_binomial",
        "binomial" or "quasi_binomial"), ``checks`` (``model, measure, value, note``: the
        dispersions and the negative binomial α that decided) and ``notes`` (why, and any
        convergence or boundary problem).

    References
    ----------
    Cameron, A. C., & Trivedi, P. K. (2013). Regression analysis of count data (2nd ed.).
        Cambridge University Press. Sections 3.4, 5.2.
    """
    pois = poisson(data, outcome, predictors, categorical, conf=conf)
    pm = pois.model.iloc[0]
    checks = [{"model": "Poisson", "measure": "Pearson chi2 / df", "value": pm["dispersion"],
               "note": pm["note"]}]
    notes: list[str] = []
    if not np.isfinite(pm["dispersion"]):
        return CountModelChoice(pois, "poisson", pd.DataFrame(checks, columns=CHECK_COLUMNS),
                                [pm["note"]])
    if trials is not None:
        binom = binomial_count(data, outcome, predictors, categorical, trials=trials,
                               threshold=threshold, conf=conf)
        bm = binom.model.iloc[0]
        checks.append({"model": "binomial", "measure": "Pearson chi2 / df",
                       "value": bm["dispersion"], "note": bm["note"]})
        quasi = bm["scale"] != 1.0
        notes.append(f"a count of 0-{trials}: binomial model"
                     + (f"; over-dispersed for a binomial (dispersion {bm['dispersion']:.2f}):"
                        " quasi-binomial standard errors" if quasi else ""))
        if bm["note"]:
            notes.append(bm["note"])
        return CountModelChoice(binom, "quasi_binomial" if quasi else "binomial",
                                pd.DataFrame(checks, columns=CHECK_COLUMNS), notes)
    if pm["dispersion"] > threshold:
        nb = negative_binomial(data, outcome, predictors, categorical, conf=conf)
        nm = nb.model.iloc[0]
        checks.append({"model": "negative binomial", "measure": "alpha", "value": nm["alpha"],
                       "note": nm["note"]})
        checks.append({"model": "negative binomial", "measure": "LR test of alpha = 0, p",
                       "value": nm["p_alpha"], "note": ""})
        if not nm["note"]:
            notes.append(f"over-dispersed (Poisson dispersion {pm['dispersion']:.2f}): "
                         "negative binomial model")
            return CountModelChoice(nb, "negative_binomial",
                                    pd.DataFrame(checks, columns=CHECK_COLUMNS), notes)
        notes.append(f"over-dispersed, but the negative binomial model failed ({nm['note']}):"
                     " Poisson model, standard errors too small")
    elif pm["dispersion"] < 1 / threshold:
        notes.append(f"under-dispersed (Poisson dispersion {pm['dispersion']:.2f}): Poisson "
                     "standard errors are conservative; a count with a maximum is better "
                     "modelled as a bounded count")
    else:
        notes.append(f"Poisson dispersion {pm['dispersion']:.2f}: Poisson model")
    return CountModelChoice(pois, "poisson", pd.DataFrame(checks, columns=CHECK_COLUMNS),
                            notes)
