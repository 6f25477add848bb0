"""Planning the next wave: the minimum detectable effect (MDE) of a comparison with the sample
it has, and the sample a chosen effect needs, with pingouin's power functions.

Each MDE is given as a standardized effect (Cohen's d, d_z, f or w) and, where the comparison
has a unit, in that unit: a difference of means, or of proportions (0-1; multiply by 100 for
percentage points). Two-sided tests throughout; power counts both rejection regions, as
pingouin does and as R's ``power.t.test(strict = TRUE)``.

- means, two independent samples: ``pingouin.power_ttest2n`` (t test with pooled SD);
- means, paired: ``pingouin.power_ttest(contrast="paired")`` (d_z; the MDE in the unit is
  d_z × the SD of the differences);
- shares, two independent samples: ``pingouin.power_chi2`` with one degree of freedom gives
  Cohen's w for Pearson's χ² at this n; the share at follow-up that produces that w is then
  solved for (brentq);
- shares, paired: the McNemar comparison as a paired t on the differences (-1, 0, 1) with
  the observed share of people who changed their answer (ψ): a change δ has
  d_z = δ / √(ψ - δ²), so δ = d_z √ψ / √(1 + d_z²);
- k groups: ``pingouin.power_anova`` (η² at n per group; Cohen's f = √(η² / (1 - η²))),
  and ``pingouin.power_chi2`` for a crosstab (w at its degrees of freedom).

Checked against R 4.2 (``power.t.test``, ``power.anova.test`` and the noncentral t and χ²
distributions, tests/reference/r_compare.R).

References
----------
Cohen, J. (1988). Statistical Power Analysis for the Behavioral Sciences (2nd ed.). Erlbaum.
Connor, R. J. (1987). Sample size for testing differences in proportions for the
    paired-sample design. Biometrics, 43, 207-211.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import optimize

COLUMNS = ["comparison", "n", "alpha", "power", "effect_name", "effect", "mde", "unit",
           "method", "note"]
# pingouin returns NaN where its search range holds no answer: no d up to 10 reaches the power
# (two or three people), or no n between its bounds gives exactly the power asked for
NO_EFFECT = ("no effect up to d = 10 (the end of pingouin's search) reaches this power: too "
             "few to detect any plausible effect")
NO_SAMPLE = ("no sample within pingouin's search (up to 10 million) reaches exactly this power: "
             "the effect is too large or too small to plan a sample for")
# paired shares: the mean change of the differences (+1, 0, -1) cannot exceed the share psi
# of pairs whose answer changed
BEYOND_DISCORDANT = ("the change this power needs is larger than the share of pairs that change "
                     "(psi): no change is detectable with so few changing pairs")


def _pg():
    import pingouin

    return pingouin


def _unsolved(value: float, note: str) -> str:
    """The note of a row whose ``value`` pingouin solved for: empty, or ``note`` (NaN)."""
    return "" if np.isfinite(value) else note


def _whole(n: float) -> float:
    """A sample size rounded up to whole people; NaN (no solution) stays NaN."""
    return math.ceil(n) if np.isfinite(n) else np.nan


def _row(**values: object) -> pd.DataFrame:
    row = {c: np.nan for c in COLUMNS}
    row["note"] = ""
    row.update(values)
    return pd.DataFrame([row], columns=COLUMNS)


def mde_means(n1: int, n2: int | None = None, *, sd: float = 1.0, paired: bool = False,
              alpha: float = 0.05, power: float = 0.8) -> pd.DataFrame:
    """Minimum detectable difference of two means.

    Parameters
    ----------
    n1, n2 : int
        Group sizes; for ``paired`` only ``n1`` (the number of pairs).
    sd : float
        The pooled SD (unpaired) or the SD of the differences (paired): the MDE in the unit
        is the standardized effect times ``sd``.
    paired : bool
        A paired t test (d_z) instead of two independent samples (d).

    Returns
    -------
    DataFrame
        One row: ``comparison, n, alpha, power, effect_name, effect, mde, unit, method,
        note``.
    """
    pg = _pg()
    if paired:
        if n1 < 2:
            return _row(comparison="paired", n=n1, alpha=alpha, power=power, effect_name="d_z",
                        note="fewer than two pairs")
        d = pg.power_ttest(n=n1, power=power, alpha=alpha, contrast="paired")
        return _row(comparison="paired", n=n1, alpha=alpha, power=power, effect_name="d_z",
                    effect=d, mde=d * sd, unit="mean", method="paired t (pingouin)",
                    note=_unsolved(d, NO_EFFECT))
    if n2 is None or min(n1, n2) < 2:
        return _row(comparison="independent", n=n1 + (n2 or 0), alpha=alpha, power=power,
                    effect_name="d", note="fewer than two in a group")
    d = pg.power_ttest2n(nx=n1, ny=n2, power=power, alpha=alpha)
    return _row(comparison="independent", n=n1 + n2, alpha=alpha, power=power,
                effect_name="d", effect=d, mde=d * sd, unit="mean",
                method="two-sample t (pingouin)", note=_unsolved(d, NO_EFFECT))


def w_two_shares(p0: float, p1: float, q0: float) -> float:
    """Cohen's w of a 2 × 2 table: share ``p0`` in the first group (a fraction ``q0`` of
    everyone) and ``p1`` in the second."""
    q1 = 1 - q0
    pbar = q0 * p0 + q1 * p1
    if pbar <= 0 or pbar >= 1:
        return 0.0
    return math.sqrt(q0 * q1 * (p1 - p0) ** 2 / (pbar * (1 - pbar)))


def mde_shares(p0: float, n0: int, n1: int | None = None, *, paired: bool = False,
               discordant: float | None = None, direction: int = 1, alpha: float = 0.05,
               power: float = 0.8) -> pd.DataFrame:
    """Minimum detectable change of a share.

    Parameters
    ----------
    p0 : float
        The share at baseline (0-1).
    n0, n1 : int
        Independent samples: both waves' n. Paired: ``n0`` pairs.
    paired : bool
        People in both waves (McNemar's design).
    discordant : float
        Paired only: the share of pairs whose answer changed (ψ, observed or expected).
    direction : {1, -1}
        An increase or a decrease from ``p0``.

    Returns
    -------
    DataFrame
        One row; ``effect`` is w (independent) or d_z (paired) and ``mde`` the change in the
        share (a proportion, signed by ``direction``); NaN with a note when no change within
        0-1 is detectable.

    Raises
    ------
    ValueError
        When ``direction`` is neither 1 nor -1.
    """
    if direction not in (1, -1):
        raise ValueError(f"direction must be 1 (an increase) or -1 (a decrease), not "
                         f"{direction!r}")
    pg = _pg()
    if paired:
        if n0 < 2 or not discordant:
            return _row(comparison="paired", n=n0, alpha=alpha, power=power, effect_name="d_z",
                        unit="proportion", note="no pairs that changed: no estimate")
        dz = pg.power_ttest(n=n0, power=power, alpha=alpha, contrast="paired")
        delta = dz * math.sqrt(discordant) / math.sqrt(1 + dz**2)
        note = _unsolved(dz, NO_EFFECT)
        if delta > discordant:  # a change larger than the share of pairs that change
            delta, note = math.nan, BEYOND_DISCORDANT
        return _row(comparison="paired", n=n0, alpha=alpha, power=power, effect_name="d_z",
                    effect=dz, mde=direction * delta, unit="proportion",
                    method="McNemar as a paired t on the differences (pingouin)", note=note)
    if n1 is None or min(n0, n1) < 1:
        return _row(comparison="independent", n=n0 + (n1 or 0), alpha=alpha, power=power,
                    effect_name="w", unit="proportion", note="an empty wave")
    n = n0 + n1
    w = pg.power_chi2(dof=1, n=n, power=power, alpha=alpha)
    q0 = n0 / n
    edge = 1.0 if direction == 1 else 0.0
    f = lambda p1: w_two_shares(p0, p1, q0) - w  # noqa: E731
    if f(edge) < 0 or p0 == edge:
        return _row(comparison="independent", n=n, alpha=alpha, power=power, effect_name="w",
                    effect=w, unit="proportion", method="Pearson chi-square (pingouin)",
                    note="no change within 0-100 % is detectable in this direction")
    p1 = optimize.brentq(f, p0, edge, xtol=1e-14)
    return _row(comparison="independent", n=n, alpha=alpha, power=power, effect_name="w",
                effect=w, mde=p1 - p0, unit="proportion",
                method="Pearson chi-square (pingouin)")


def mde_groups(k: int, n: int, *, test: str = "anova", dof: int | None = None,
               alpha: float = 0.05, power: float = 0.8) -> pd.DataFrame:
    """Minimum detectable effect of a comparison of ``k`` groups with ``n`` people in all.

    ``test="anova"``: Cohen's f of a one-way ANOVA (pingouin's η² at n / k per group, the
    noncentrality f² n being the same with unequal groups); ``test="chi2"``: Cohen's w of a
    crosstab with ``dof`` degrees of freedom (default k - 1).
    """
    pg = _pg()
    if test == "anova":
        if k < 2 or n <= k:
            return _row(comparison=f"{k} groups", n=n, alpha=alpha, power=power,
                        effect_name="f", note="too few people or groups")
        eta2 = pg.power_anova(k=k, n=n / k, power=power, alpha=alpha)
        return _row(comparison=f"{k} groups", n=n, alpha=alpha, power=power, effect_name="f",
                    effect=math.sqrt(eta2 / (1 - eta2)), method="one-way ANOVA (pingouin)")
    if test == "chi2":
        df = dof if dof is not None else k - 1
        w = pg.power_chi2(dof=df, n=n, power=power, alpha=alpha)
        return _row(comparison=f"{k} groups", n=n, alpha=alpha, power=power, effect_name="w",
                    effect=w, method=f"Pearson chi-square, df = {df} (pingouin)")
    raise ValueError(f"test must be 'anova' or 'chi2', not {test!r}")


def sample_size(effect: float, *, design: str, alpha: float = 0.05, power: float = 0.8,
                k: int = 2, dof: int | None = None, ratio: float = 1.0) -> pd.DataFrame:
    """The sample needed to detect a standardized ``effect`` with the given power.

    Parameters
    ----------
    effect : float
        d (``"independent"``), d_z (``"paired"``), f (``"anova"``) or w (``"chi2"``).
    design : {"independent", "paired", "anova", "chi2"}
    k, dof : int
        Groups (ANOVA) and degrees of freedom (χ²; default k - 1).
    ratio : float
        Independent samples: n2 / n1.

    Returns
    -------
    DataFrame
        One row: ``comparison, n`` (in all, rounded up; pairs for ``"paired"``), ``alpha,
        power, effect_name, effect, mde`` (NaN), ``unit, method, note``.
    """
    pg = _pg()
    if design == "paired":
        n = pg.power_ttest(d=effect, power=power, alpha=alpha, contrast="paired")
        return _row(comparison="paired", n=_whole(n), alpha=alpha, power=power,
                    effect_name="d_z", effect=effect, method="paired t (pingouin)",
                    note=_unsolved(n, NO_SAMPLE))
    if design == "independent":
        if ratio == 1.0:
            n1 = pg.power_ttest(d=effect, power=power, alpha=alpha)
        else:
            # from two people in the smaller group (and one more, as pingouin starts above 2)
            lo = 2.0 / min(1.0, ratio) + 1
            gap = lambda m: pg.power_ttest2n(nx=m, ny=ratio * m, d=effect,  # noqa: E731
                                             alpha=alpha) - power
            # a power reached exactly at either end of the search is an answer (brentq
            # returns that end)
            n1 = (optimize.brentq(gap, lo, 1e7, xtol=1e-9) if gap(lo) <= 0 <= gap(1e7)
                  else np.nan)
        n1 = _whole(n1)
        return _row(comparison="independent", n=n1 + _whole(ratio * n1), alpha=alpha,
                    power=power, effect_name="d", effect=effect,
                    method="two-sample t (pingouin)",
                    note=_unsolved(n1, NO_SAMPLE))
    if design == "anova":
        eta2 = effect**2 / (1 + effect**2)
        per = pg.power_anova(eta_squared=eta2, k=k, power=power, alpha=alpha)
        return _row(comparison=f"{k} groups", n=k * _whole(per), alpha=alpha, power=power,
                    effect_name="f", effect=effect, method="one-way ANOVA (pingouin)",
                    note=_unsolved(per, NO_SAMPLE))
    if design == "chi2":
        df = dof if dof is not None else k - 1
        n = pg.power_chi2(dof=df, w=effect, power=power, alpha=alpha)
        return _row(comparison=f"{k} groups", n=_whole(n), alpha=alpha, power=power,
                    effect_name="w", effect=effect,
                    method=f"Pearson chi-square, df = {df} (pingouin)",
                    note=_unsolved(n, NO_SAMPLE))
    raise ValueError(f"design must be independent, paired, anova or chi2, not {design!r}")


def dz_paired_shares(delta: float, discordant: float) -> float:
    """d_z of a paired change ``delta`` in a share when a share ``discordant`` of the pairs
    change their answer (for :func:`sample_size` with ``design="paired"``)."""
    return delta / math.sqrt(discordant - delta**2)
