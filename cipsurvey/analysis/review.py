"""What a reviewing statistician adds to the plan's results (issue 21).

- Notes that say why a crosstab got the test it got (structural zeros, ordered categories,
  a sparse table and its exact test).
- The classical and the robust or rank-based tests compared at α, with a note where they
  disagree (:func:`agreement`).
- The test that fits a categorical answer beside an ANOVA or t-test on its answer codes
  (:func:`fitting_test`), marked as the paper's choice where it is one.
- The count model's choice and its problems in words; every model's reference categories.
- Multiplicity (:func:`adjust_families`): the headline p values of each family declared in
  the plan, adjusted together (Holm by default), both p values kept, and one summary table
  per family.

The statistics come from :mod:`cipsurvey.stats`; this module only chooses, compares and
words them (every text from the language catalog).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .. import stats as st
from ..instrument import Instrument, ItemType
from ..lang import localise_decimal, text
from . import tables as T
from .plan import Anova, Crosstab, MultipleResponse, Plan, Section, TTest
from .results import Result

# item types whose codes name categories, not amounts: an ANOVA on them is a misfit
NOMINAL = {ItemType.single_choice, ItemType.yes_no, ItemType.yes_no_dont_know}


def p_text(p: float, lang: str) -> str:
    """"p = .004" / "p < .001" in English (APA), "p = 0,004" / "p < 0,001" in Swedish."""
    if not np.isfinite(p):
        return "p = –"
    lead = localise_decimal("0.", lang) != "0."  # Swedish keeps the leading zero
    if p < 0.001:
        return "p < " + (localise_decimal("0.001", lang) if lead else ".001")
    value = f"{p:.3f}"
    return "p = " + (localise_decimal(value, lang) if lead else value[1:] if p < 1 else value)


def number(x: float, lang: str, digits: int = 2) -> str:
    """A number with the language's decimal mark."""
    return localise_decimal(f"{x:.{digits}f}", lang)


def alpha_text(alpha: float, lang: str) -> str:
    """α as p values are written: ".05" in English (APA), "0,05" in Swedish."""
    value = f"{alpha:g}"
    swedish = localise_decimal("0.", lang) != "0."  # (a leading zero and a comma)
    return localise_decimal(value, lang) if swedish else value.removeprefix("0")


def is_ordered(inst: Instrument, name: str) -> bool:
    """Whether an item's categories are ordered: a Likert item, or a derived variable cut
    into bins."""
    item = inst.item_map.get(name)
    if item is not None:
        return item.type == ItemType.likert
    derived = inst.derived_map.get(name)
    return derived is not None and derived.kind == "bins"


def is_nominal(inst: Instrument, name: str) -> bool:
    """Whether an item's answer codes name unordered categories."""
    item = inst.item_map.get(name)
    return item is not None and item.type in NOMINAL


# ---- crosstabs ----

def crosstab_tests(data: pd.DataFrame, a: Crosstab, inst: Instrument, conf: float,
                   lang: str) -> tuple[pd.DataFrame, pd.DataFrame | None, list[str]]:
    """The tests that fit a crosstab of the plan, the quasi-independence cells (or None)
    and the notes that say why."""
    ordered = a.ordered or (is_ordered(inst, a.rows) and is_ordered(inst, a.columns))
    zeros = [tuple(z) for z in a.structural_zeros]
    tests = st.crosstab_tests(data, a.rows, a.columns, ordered=ordered,
                              structural_zeros=zeros, exact=a.exact, conf=conf)
    # what the selection wrote in English is said below in the report's language
    chosen = tests["test"].str.startswith("Fisher-Freeman") | tests.attrs["structural"]
    tests["note"] = tests["note"].where(~chosen, "")
    notes: list[str] = []
    qi_cells = None
    if zeros:
        qi_tests, qi_cells = st.quasi_independence(data, a.rows, a.columns, zeros)
        cells = ", ".join(f"{r}×{c}" for r, c in zeros)
        notes.append(text("review.structural_zeros", lang, k=len(zeros), cells=cells))
        pct = float(qi_tests.attrs.get("pct_below_5", 0.0))
        if pct > 20:
            notes.append(text("review.sparse_structural", lang, percent=number(pct, lang, 1)))
        return tests, qi_cells, notes
    if not ordered:
        notes.append(text("review.not_ordered", lang))
    exact = tests[tests["primary"] & tests["test"].str.startswith("Fisher")]
    if len(exact):
        obs = st.crosstab_cells(data, a.rows, a.columns)
        pct = 100 * float((obs["expected"] < 5).mean())
        notes.append(text("review.sparse_exact", lang, percent=number(pct, lang, 1)))
        row = exact.iloc[0]
        if np.isfinite(row.get("n_resamples", np.nan)):
            notes.append(text("review.monte_carlo", lang, n=int(row["n_resamples"]),
                              seed=int(row["seed"]), low=number(row["p_conf_low"], lang, 4),
                              high=number(row["p_conf_high"], lang, 4)))
    return tests, qi_cells, notes


# ---- classical against robust ----

def _anova_name(test: str, lang: str) -> str:
    if test == "Welch":
        return text("review.test_welch", lang)
    if test == "Brown-Forsythe":
        return text("review.test_brown_forsythe", lang)
    if test == "Kruskal-Wallis":
        return text("review.test_kruskal", lang)
    return text("review.test_anova", lang)


def _ttest_name(test: str, lang: str) -> str:
    if test == "Welch":
        return text("review.test_welch_t", lang)
    if test == "Mann-Whitney":
        return text("review.test_mann_whitney", lang)
    return text("review.test_student", lang)


def agreement(data: pd.DataFrame, kind: str, variables: Sequence[str], by: str,
              order: list[float] | None, alpha: float, lang: str,
              name_of: Callable[[str], str]) -> tuple[pd.DataFrame, list[str]]:
    """The classical test of each variable (ANOVA F, or Student's t) beside its robust and
    rank-based alternatives (Welch, Brown-Forsythe, Kruskal-Wallis; Welch's t,
    Mann-Whitney), flagged where they fall on different sides of ``alpha``.

    Returns
    -------
    table : DataFrame
        ``variable, variable_label, test_classical, p_classical, test, p, disagree``.
    notes : list of str
        One per disagreement, naming both tests and both p values.
    """
    classical, robust = [], []
    for var in variables:
        if kind == "anova":
            f = st.anova(data, var, by)
            classical.append({"variable": var, "test": "ANOVA", "p": f["p"].iloc[0]})
            for _, row in st.robust_anova(data, var, by).iterrows():
                robust.append({"variable": var, "test": row["test"], "p": row["p"]})
            kw = st.kruskal(data, var, by).iloc[0]
            robust.append({"variable": var, "test": "Kruskal-Wallis", "p": kw["p"]})
            name = _anova_name
        else:
            t = st.ttest(data, var, by, order=order).set_index("test")
            classical.append({"variable": var, "test": "Student", "p": t.loc["Student", "p"]})
            robust.append({"variable": var, "test": "Welch", "p": t.loc["Welch", "p"]})
            mw = st.mann_whitney(data, var, by, order=order).iloc[0]
            robust.append({"variable": var, "test": "Mann-Whitney", "p": mw["p"]})
            name = _ttest_name
    table = st.disagreements(pd.DataFrame(classical), pd.DataFrame(robust), on=["variable"],
                             alpha=alpha)
    notes = [text("review.disagree", lang, variable=name_of(r.variable),
                  robust=name(r.test, lang), p_robust=p_text(r.p, lang),
                  classical=name(r.test_classical, lang),
                  p_classical=p_text(r.p_classical, lang), alpha=alpha_text(alpha, lang))
             for r in table.itertuples() if r.disagree]
    table.insert(1, "variable_label", [name_of(v) for v in table["variable"]])
    table["test_classical"] = [name(t, lang) for t in table["test_classical"]]
    table["test"] = [name(t, lang) for t in table["test"]]
    table["disagree"] = [text("choice.yes" if d else "choice.no", lang)
                         for d in table["disagree"]]
    return table, notes


def fitting_test(data: pd.DataFrame, a: Anova | TTest, inst: Instrument, conf: float,
                 lang: str) -> tuple[pd.DataFrame | None, list[str]]:
    """For an ANOVA or t-test on the codes of a categorical question: the crosstab tests
    of the answer by group (χ², or Fisher's exact test where sparse), and a note (the
    paper's choice where the analysis is the paper's). None for a numeric variable."""
    parts, notes = [], []
    for var in a.variables:
        if not is_nominal(inst, var):
            continue
        tests = st.crosstab_tests(data, a.by, var, conf=conf)
        tests["note"] = tests["note"].where(~tests["test"].str.startswith("Fisher-Freeman"), "")
        tests.insert(0, "variable", var)
        parts.append(tests)
    if not parts:
        return None, notes
    test = (_anova_name("ANOVA", lang) if isinstance(a, Anova)
            else _ttest_name("Student", lang))
    key_note = (text("review.categorical_codes", lang, test=test) if a.addition
                else text("review.paper_choice", lang, test=test))
    notes.append(key_note)
    return pd.concat(parts, ignore_index=True), notes


# ---- models ----

def count_notes(choice: st.CountModelChoice, trials: int | None, lang: str) -> list[str]:
    """The count model's choice in words."""
    checks = choice.checks.set_index(["model", "measure"])["value"]
    pois = number(float(checks[("Poisson", "Pearson chi2 / df")]), lang)
    if choice.chosen in ("binomial", "quasi_binomial"):
        disp = number(float(checks[("binomial", "Pearson chi2 / df")]), lang)
        return [text("review.count_quasi_binomial" if choice.chosen == "quasi_binomial"
                     else "review.count_binomial", lang, trials=trials, dispersion=disp)]
    if choice.chosen == "negative_binomial":
        return [text("review.count_negative_binomial", lang, dispersion=pois)]
    if ("negative binomial", "alpha") in checks.index:
        return [text("review.count_nb_failed", lang, dispersion=pois)]
    if float(checks[("Poisson", "Pearson chi2 / df")]) < 1 / st.countmodels.DISPERSION_THRESHOLD:
        return [text("review.count_under", lang, dispersion=pois)]
    return [text("review.count_poisson", lang, dispersion=pois)]


def count_checks(checks: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The dispersion checks with their model and measure named in the report language."""
    out = checks.copy()
    out["model"] = [text("review.model_poisson", lang) if m == "Poisson"
                    else text("review.model_binomial", lang) if m == "binomial"
                    else text("review.model_negative_binomial", lang) for m in out["model"]]
    out["measure"] = [text("review.check_dispersion", lang) if m == "Pearson chi2 / df"
                      else text("review.check_alpha", lang) if m == "alpha"
                      else text("review.check_lr", lang) for m in out["measure"]]
    return out


def model_notes(model: pd.DataFrame, lang: str) -> list[str]:
    """A fitted model's problems (α at its bound, no convergence, over-dispersion) in
    words, from the notes the statistics wrote."""
    note = str(model["note"].iloc[0]) if "note" in model.columns else ""
    notes = []
    if "lower bound" in note:
        notes.append(text("review.nb_boundary", lang))
    if "did not converge" in note:
        notes.append(text("review.not_converged", lang))
    if note.startswith("overdispersed"):
        notes.append(text("review.overdispersed", lang,
                          dispersion=number(float(model["dispersion"].iloc[0]), lang)))
    return notes


def references(data: pd.DataFrame, outcome: str, predictors: Sequence[str],
               categorical: dict[str, Any], label_of: Callable[[str, float], str],
               name_of: Callable[[str], str], lang: str) -> tuple[pd.DataFrame, str]:
    """Each categorical predictor's reference category with its n, and the note that
    states them with the model's n."""
    ref = st.reference_levels(data, outcome, predictors, categorical)
    ref.insert(1, "predictor_label", [name_of(p) for p in ref["predictor"]])
    ref.insert(3, "reference_label", [label_of(p, r) for p, r in
                                      zip(ref["predictor"], ref["reference"], strict=True)])
    n = int(ref["n"].iloc[0]) if len(ref) else len(st.design(data, outcome, predictors,
                                                             categorical)[0])
    if not len(ref):
        return ref, text("review.no_categorical", lang, n=n)
    listed = "; ".join(f"{p}: {r} (n = {k})" for p, r, k in
                       zip(ref["predictor_label"], ref["reference_label"], ref["n_reference"],
                           strict=True))
    return ref, text("review.references", lang, references=listed, n=n)


# ---- multiplicity ----

def _headline(result: Result, a: Any, lang: str) -> list[tuple[str, int, str]]:
    """The (table, row, test name) of each headline p value of a result: the primary test
    of a crosstab, each option's test, the ANOVA F (or Welch's F where the ANOVA is left out),
    Student's t."""
    tables = result.tables
    if isinstance(a, Crosstab) and T.TESTS in tables:
        frame = tables[T.TESTS]
        return [(T.TESTS, i, str(frame.loc[i, "test"]))
                for i in frame.index[frame["primary"].astype(bool)]]
    if isinstance(a, MultipleResponse) and T.TESTS in tables:
        frame = tables[T.TESTS]
        return [(T.TESTS, i, str(frame.loc[i, "method"])) for i in frame.index]
    if isinstance(a, Anova):
        if T.ANOVA in tables:
            frame = tables[T.ANOVA]
            return [(T.ANOVA, i, _anova_name("ANOVA", lang))
                    for i in frame.index[frame["source"] == "Between Groups"]]
        if T.ROBUST in tables:  # the robust tests alone (classical: false)
            frame = tables[T.ROBUST]
            return [(T.ROBUST, i, _anova_name("Welch", lang))
                    for i in frame.index[frame["test"] == "Welch"]]
    if isinstance(a, TTest) and T.TTEST in tables:
        frame = tables[T.TTEST]
        return [(T.TTEST, i, _ttest_name("Student", lang))
                for i in frame.index[frame["test"] == "Student"]]
    return []


def _what(result: Result, name: str, i: int) -> str:
    """What a headline row tests: its variable or option label, else the result title."""
    row = result.tables[name].loc[i]
    for col in ("variable_label", "option_label", "option"):
        if col in row.index and isinstance(row[col], str) and row[col]:
            return row[col]
    return result.title


def adjust_families(plan: Plan, todo: list[tuple[Section, Any]], results: list[Result],
                    lang: str) -> list[Result]:
    """Adjust the headline p values within each family declared in the plan.

    Each member table gains ``p_adjusted`` (on its headline rows), each member result a
    note naming the family, its size and the method (and whether the analysis is primary),
    and after the family's last member a result holding the family's table: analysis,
    what is tested, test, raw p, adjusted p, primary.

    Returns
    -------
    list of Result
        The results with the family tables inserted (the members are changed in place).
    """
    families: dict[str, list[tuple[int, str, int, str]]] = {}
    for i, ((_, a), result) in enumerate(zip(todo, results, strict=True)):
        family = getattr(a, "family", None)
        if family and not result.error:
            for name, row, test in _headline(result, a, lang):
                families.setdefault(family, []).append((i, name, row, test))
    if not families:
        return results
    method = plan.adjustment
    method_name = (text("review.method_holm", lang) if method == "holm"
                   else text("review.method_fdr_bh", lang))
    after: dict[int, list[Result]] = {}
    for family, members in families.items():
        name_of = plan.family_title(family, lang)
        raw = [float(results[i].tables[name].loc[row, "p"]) for i, name, row, _ in members]
        adjusted = st.adjust(raw, method) if method != "none" else np.asarray(raw)
        m = int(np.isfinite(raw).sum())
        rows = []
        for (i, name, row, test), p, q in zip(members, raw, adjusted, strict=True):
            frame = results[i].tables[name]
            if "p_adjusted" not in frame.columns:
                frame = frame.copy()
                frame.insert(frame.columns.get_loc("p") + 1, "p_adjusted", np.nan)
                results[i].tables[name] = frame
            frame.loc[row, "p_adjusted"] = q
            a = todo[i][1]
            rows.append({"analysis": results[i].title, "variable_label":
                         _what(results[i], name, row),
                         "test": test,
                         "p": p, "p_adjusted": q,
                         "primary": text("choice.yes" if a.primary else "choice.no", lang),
                         "family": family, "family_size": m})
        for i in dict.fromkeys(i for i, _, _, _ in members):
            result = results[i]
            if method != "none":
                result.notes.append(text("review.adjusted", lang, family=name_of, m=m,
                                         method=method_name))
            result.notes.append(text("review.primary" if todo[i][1].primary
                                     else "review.secondary", lang))
        last = max(i for i, _, _, _ in members)
        summary = Result(id=f"multiplicity_{family}", section=results[last].section,
                         kind="multiplicity",
                         title=text("review.multiplicity_title", lang, family=name_of),
                         addition=True, source=None, conf=plan.conf,
                         tables={T.MULTIPLICITY: pd.DataFrame(rows)})
        if method != "none":
            summary.notes.append(text("review.adjusted", lang, family=name_of, m=m,
                                      method=method_name))
        after.setdefault(last, []).append(summary)
    out: list[Result] = []
    for i, result in enumerate(results):
        out.append(result)
        out.extend(after.get(i, []))
    return out

