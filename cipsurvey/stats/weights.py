"""Attrition weights: inverse-probability-of-response weights from what the people invited to
a follow-up answered at baseline, their diagnostics, and weighted estimates.

The response model is a logistic regression (statsmodels ``GLM``, binomial family). A weighted
mean and its standard error are the intercept of a weighted least-squares fit with the HC1
sandwich covariance (statsmodels ``WLS``): that is exactly the linearisation variance of
R's ``svymean`` for a design with one stage and these weights (``svydesign(ids = ~1,
weights = ~w)``), against which the tests check it.

Libraries looked at and not used: Meta's ``balance`` (0.23) pins numpy < 2 and scipy < 1.14
on Python 3.11 and pulls in scikit-learn, IPython and plotly, and its ``ipw`` fits a
cross-validated lasso rather than the declared response model an evaluation report needs to
state; ``samplics`` (0.6) adjusts for non-response within weighting classes rather than
from a response model, and computes its estimates through polars, a second data-frame
library, for what the WLS fit above gives.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ._util import frame, nan_row

DIAGNOSTIC_COLUMNS = ["n", "sum", "mean", "min", "median", "max", "max_to_min", "cv",
                      "ess", "design_effect", "extreme_threshold", "n_extreme", "n_trimmed"]
MEAN_COLUMNS = ["n", "sum_weights", "ess", "estimate", "se", "conf_low", "conf_high",
                "method", "note"]
BALANCE_COLUMNS = ["trait", "level", "target", "respondents", "weighted", "smd_unweighted",
                   "smd_weighted"]


@dataclass
class ResponseWeights:
    """The result of :func:`response_weights`.

    Attributes
    ----------
    weights : Series
        1 / estimated probability of response for each respondent (after trimming, if
        asked); NaN for those who did not respond. Same index as the input.
    propensity : Series
        The estimated probability of response of everyone invited.
    model : DataFrame
        The response model: ``term, estimate (log odds), se, statistic (z), p, conf_low,
        conf_high``, with ``n`` and the number of responses.
    diagnostics : DataFrame
        One row from :func:`weight_diagnostics`.
    balance : DataFrame
        Each trait (each level of a categorical trait) among everyone invited (the target),
        among the respondents, and among the respondents weighted, with the standardized
        differences from the target before and after weighting.
    notes : list of str
        What was assumed or went wrong (missing traits, convergence), in words.
    missing : dict
        Trait → how many had no answer and were kept as a category of their own.
    left_out : list of str
        Model columns left out: the same for everyone, or separating the outcome.
    converged : bool
        Whether the response model converged without a warning.
    """

    weights: pd.Series
    propensity: pd.Series
    model: pd.DataFrame
    diagnostics: pd.DataFrame
    balance: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    missing: dict[str, int] = field(default_factory=dict)
    left_out: list[str] = field(default_factory=list)
    converged: bool = True


def _design(data: pd.DataFrame, traits: Sequence[str], categorical: Sequence[str],
            ) -> tuple[pd.DataFrame, dict[str, str], list[tuple[str, str]]]:
    """The model matrix: a categorical trait as indicators of each level but the first (and
    of a missing answer where there is one), a numeric trait as its value with a missing
    answer set to the mean and flagged by an indicator."""
    columns: dict[str, np.ndarray] = {}
    notes: dict[str, str] = {}
    origin: list[tuple[str, str]] = []
    for trait in traits:
        values = data[trait]
        missing = values.isna().to_numpy()
        if trait in categorical:
            found = sorted(values.dropna().unique())
            for level in found[1:]:
                columns[f"{trait}={level:g}" if isinstance(level, float) else
                        f"{trait}={level}"] = (values == level).to_numpy(dtype=float)
                origin.append((trait, level))
        else:
            x = values.to_numpy(dtype=float)
            columns[trait] = np.where(missing, np.nanmean(x) if (~missing).any() else 0.0, x)
            origin.append((trait, ""))
        if missing.any() and not missing.all():
            columns[f"{trait}=missing"] = missing.astype(float)
            origin.append((trait, "missing"))
            notes[f"{trait}=missing"] = (
                f"{trait}: {int(missing.sum())} without an answer kept in the response model "
                "as a category of their own"
                + ("" if trait in categorical else " (value set to the mean)"))
    x = pd.DataFrame(columns, index=data.index)
    x.insert(0, "const", 1.0)
    return x, notes, origin


def response_weights(data: pd.DataFrame, responded: str, traits: Sequence[str], *,
                     categorical: Sequence[str] = (), trim: float | None = None,
                     extreme: float = 5.0, conf: float = 0.95) -> ResponseWeights:
    """Inverse-probability-of-response weights from a logistic model of response on
    baseline traits.

    Parameters
    ----------
    data : DataFrame
        One row per person invited to the follow-up, with their baseline answers.
    responded : str
        1 if the person answered the follow-up, 0 if not.
    traits : sequence of str
        The baseline answers that predict response.
    categorical : sequence of str
        Those of ``traits`` that are categories (the rest are numbers).
    trim : float, optional
        Cap the weights at ``trim`` times their mean, then rescale them to their sum before
        the cap (no trimming by default; the diagnostics show the extreme weights).
    extreme : float
        A weight above ``extreme`` times the mean weight counts as extreme.
    conf : float
        Confidence level of the model's coefficients.

    Returns
    -------
    ResponseWeights

    References
    ----------
    Little, R. J. A., & Vartivarian, S. (2005). Does weighting for nonresponse increase the
        variance of survey means? Survey Methodology, 31, 161-168.
    Seaman, S. R., & White, I. R. (2013). Review of inverse probability weighting for dealing
        with missing data. Statistical Methods in Medical Research, 22, 278-295.
    """
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

    y = data[responded].to_numpy(dtype=float)
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError(f"{responded} must be 1 (responded) or 0 (did not)")
    x, missing_notes, origin = _design(data, traits, categorical)
    notes: list[str] = []
    # a level nobody (or everybody) has cannot be estimated, and one whose members all
    # answered (or none did) separates the outcome: left out, so those people count with
    # the reference level (or, for a missing number, with the mean), with a note
    constant = [c for c in x.columns[1:] if x[c].nunique() < 2]
    if constant:
        notes.append("left out of the response model (the same for everyone): "
                     + ", ".join(constant))
    separated = [c for c in x.columns[1:] if c not in constant
                 and set(np.unique(x[c])) <= {0.0, 1.0}
                 and len(set(y[x[c].to_numpy() == 1])) < 2]
    if separated:
        notes.append("left out of the response model because everyone in it answered the "
                     "same way (these people count with the reference level): "
                     + ", ".join(separated))
    dropped = set(constant) | set(separated)
    notes[:0] = [note for col, note in missing_notes.items() if col not in dropped]
    missing = {col.split("=")[0]: int(x[col].sum()) for col in missing_notes
               if col not in dropped}
    if dropped:
        origin = [o for o, c in zip(origin, x.columns[1:], strict=True) if c not in dropped]
        x = x.drop(columns=sorted(dropped))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = GLM(y, x, family=families.Binomial()).fit()
    converged = not any(issubclass(w.category, ConvergenceWarning | PerfectSeparationWarning)
                        for w in caught)
    if not converged:
        notes.append("the response model did not converge cleanly (separation?): "
                     "read the weights with care")
    z = stats.norm.ppf(0.5 + conf / 2)
    model = pd.DataFrame({"term": x.columns, "estimate": res.params.to_numpy(),
                          "se": res.bse.to_numpy()})
    model["statistic"] = model["estimate"] / model["se"]
    model["p"] = 2 * stats.norm.sf(model["statistic"].abs())
    model["conf_low"] = model["estimate"] - z * model["se"]
    model["conf_high"] = model["estimate"] + z * model["se"]
    model["n"] = len(y)
    model["n_responded"] = int(y.sum())
    propensity = pd.Series(np.asarray(res.fittedvalues), index=data.index, name="propensity")
    raw = np.where(y == 1, 1.0 / propensity.to_numpy(), np.nan)
    trimmed = 0
    if trim is not None:
        cap = trim * np.nanmean(raw)
        trimmed = int((raw > cap).sum())
        total = np.nansum(raw)
        raw = np.minimum(raw, cap)
        raw = raw * total / np.nansum(raw)
        if trimmed:
            notes.append(f"{trimmed} weights capped at {trim:g} times the mean weight")
    weights = pd.Series(raw, index=data.index, name="weight")
    diagnostics = weight_diagnostics(weights.dropna().to_numpy(), extreme=extreme)
    diagnostics["n_trimmed"] = trimmed
    balance = _balance(x.iloc[:, 1:], origin, y == 1, np.nan_to_num(raw))
    return ResponseWeights(weights, propensity, model, diagnostics, balance, notes, missing,
                           sorted(dropped), converged)


def _balance(x: pd.DataFrame, origin: list[tuple[str, str]], responded: np.ndarray,
             w: np.ndarray) -> pd.DataFrame:
    """Standardized differences of each model column from everyone invited (the target),
    among the respondents before and after weighting (SD of the target)."""
    rows = []
    for (trait, level), col in zip(origin, x.columns, strict=True):
        v = x[col].to_numpy(dtype=float)
        target, sd = v.mean(), v.std(ddof=1)
        plain = v[responded].mean()
        weighted = np.average(v[responded], weights=w[responded])
        rows.append({"trait": trait, "level": level, "target": target, "respondents": plain,
                     "weighted": weighted,
                     "smd_unweighted": (plain - target) / sd if sd > 0 else np.nan,
                     "smd_weighted": (weighted - target) / sd if sd > 0 else np.nan})
    return frame(rows, BALANCE_COLUMNS)


def weight_diagnostics(weights: np.ndarray, extreme: float = 5.0) -> pd.DataFrame:
    """How much the weights vary and what they cost in precision.

    Returns
    -------
    DataFrame
        One row: ``n, sum, mean, min, median, max, max_to_min, cv`` (SD / mean, population
        SD), ``ess`` (Kish's effective sample size, (Σw)² / Σw²), ``design_effect`` (Kish's,
        n / ess = 1 + cv²), ``extreme_threshold`` (``extreme`` × mean) and ``n_extreme`` (the
        weights above it), ``n_trimmed`` (0 here).

    References
    ----------
    Kish, L. (1965). Survey Sampling. Wiley, section 11.7.
    """
    w = np.asarray(weights, dtype=float)
    w = w[np.isfinite(w)]
    if len(w) == 0:
        return frame([nan_row(DIAGNOSTIC_COLUMNS, "no weights", n=0)], DIAGNOSTIC_COLUMNS)
    mean = w.mean()
    ess = w.sum() ** 2 / (w**2).sum()
    return frame([{"n": len(w), "sum": w.sum(), "mean": mean, "min": w.min(),
                   "median": float(np.median(w)), "max": w.max(),
                   "max_to_min": w.max() / w.min() if w.min() > 0 else np.inf,
                   "cv": w.std(ddof=0) / mean, "ess": ess, "design_effect": len(w) / ess,
                   "extreme_threshold": extreme * mean,
                   "n_extreme": int((w > extreme * mean).sum()), "n_trimmed": 0}],
                 DIAGNOSTIC_COLUMNS)


def weighted_mean(values: np.ndarray | pd.Series, weights: np.ndarray | pd.Series,
                  conf: float = 0.95) -> pd.DataFrame:
    """A weighted mean (of a yes/no coded 1/0: a weighted proportion) with its design-based
    standard error and a normal-theory interval.

    Rows missing the value or the weight are left out.

    Returns
    -------
    DataFrame
        One row: ``n, sum_weights, ess, estimate, se, conf_low, conf_high, method, note``.

    References
    ----------
    Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley, ch. 2 (``svymean``
        with ``svydesign(ids = ~1, weights = ~w)``, the reference in the tests).
    """
    from statsmodels.regression.linear_model import WLS

    method = "weighted mean, linearisation SE (WLS with HC1)"
    y = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    keep = np.isfinite(y) & np.isfinite(w)
    y, w = y[keep], w[keep]
    n = len(y)
    if n < 2:
        return frame([nan_row(MEAN_COLUMNS, "fewer than two weighted answers", n=n,
                              method=method)], MEAN_COLUMNS)
    fit = WLS(y, np.ones((n, 1)), weights=w).fit(cov_type="HC1")
    est, se = float(fit.params[0]), float(fit.bse[0])
    half = stats.norm.ppf(0.5 + conf / 2) * se
    return frame([{"n": n, "sum_weights": w.sum(), "ess": w.sum() ** 2 / (w**2).sum(),
                   "estimate": est, "se": se, "conf_low": est - half, "conf_high": est + half,
                   "method": method, "note": ""}], MEAN_COLUMNS)
