"""Results shaped into the tables of a publication, once, for every writer.

A result holds tidy frames at full precision. Here they become what a reader of a report
expects: a descriptive table by group (n (%) and *M* (*SD*) side by side, an overall column
and a *p* column whose test a footnote names), crosstabs as matrices, test tables whose
statistic column carries its symbol, a question's text once above its answers, labels rather
than codes, APA notes. The HTML, Word and Excel writers draw these tables as they are; none
of them formats a number or picks a column again.

Nothing is computed here: every number in a table is a value of the results (a crosstab's
margins come from the result's ``margins`` table, never from adding visible cells, which
would undo small-cell protection).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pandas as pd

from ..analysis import tables as T
from ..lang import numbers as nb
from ..lang.numbers import NBSP

SUPERSCRIPTS = "ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖ"


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class Num:
    """One number behind a cell, kept numeric for Excel with its kind and precision."""

    value: float | None
    kind: str
    places: int | None = None


@dataclass
class Cell:
    """What a table cell shows (``text``) and the numbers it shows (``nums``).

    ``paper`` is the value the reproduced paper prints for the same number, formatted alike.
    ``generated`` marks text the report wrote itself, whose statistical symbols the writers
    set in italics (never a respondent's or an instrument's words).
    """

    text: str = ""
    nums: tuple[Num, ...] = ()
    paper: str | None = None
    generated: bool = False


@dataclass
class Column:
    """A column: its heading, the headings of its numbers (a cell "518 (92.2)" is two
    numbers, two columns in Excel), and a spanner heading above a run of columns."""

    heading: str
    parts: tuple[str, ...] = ()
    spanner: str = ""
    text: bool = False


@dataclass
class Row:
    """A table row: its cells and how it stands (a block heading, indented, a total)."""

    cells: list[Cell]
    block: bool = False   # a question or variable: its first cell heads the rows below
    indent: bool = False  # an answer or group under a block row
    total: bool = False


@dataclass
class PubTable:
    """A table as published: number, title, columns, rows and the notes below it."""

    key: str
    title: str
    columns: list[Column]
    rows: list[Row]
    notes: list[str] = field(default_factory=list)      # the general note (Note. …)
    footnotes: list[str] = field(default_factory=list)  # specific notes, ᵃ …
    result: str = ""
    number: str = ""
    part: int = 0  # a table cut in parts for the page: 1, 2 … for the parts after the first

    @property
    def width(self) -> int:
        """The number of columns."""
        return len(self.columns)

    def spanner_runs(self) -> list[tuple[int, int, str]]:
        """The columns in runs under one spanner heading, left to right: ``(first, last,
        text)``, with each column without a spanner a run of its own (text empty)."""
        runs, k = [], 0
        while k < self.width:
            text = self.columns[k].spanner or ""
            j = k
            while j + 1 < self.width and text and self.columns[j + 1].spanner == text:
                j += 1
            runs.append((k, j, text))
            k = j + 1
        return runs


# --------------------------------------------------------------------------- vocabularies

#: the result tables shaped here; any other table is shown as it is (``document.generic``)
SHAPED = {T.DESCRIBE, T.FREQUENCIES, T.CELLS, T.MARGINS, T.TESTS, T.ASSOCIATION, T.TTEST,
          T.LEVENE, T.EFFECT_SIZE, T.MANN_WHITNEY, T.ANOVA, T.EFFECT_SIZES, T.PAIRWISE_D,
          T.POSTHOC, T.ROBUST, T.KRUSKAL, T.GRID, T.MULTIPLE_RESPONSE, T.COEFFICIENTS, T.MODEL,
          T.ALPHA, T.ITEMS, T.SCORE}

#: method string a statistic carries → catalog name (``test.*``), symbol of its statistic,
#: symbol of its exponentiated coefficient. A method the table lacks keeps its own words;
#: tests/test_report_language.py lists any the demo or comparison reports meet.
METHODS: dict[str, tuple[str, str, str]] = {
    "Student's t, pooled variance": ('student_t', 't', ''),
    "Welch's t, Satterthwaite df": ('welch_t', 't', ''),
    "Welch's t": ('welch_t', 't', ''),
    "paired t": ("paired_t", "t", ""),
    "Levene's test centred on the mean": ('levene', 'F', ''),
    "pooled SD; CI by noncentral t inversion": ("cohens_d", "d", ""),
    "pooled SD; CI by noncentral t inversion; exact J correction": ("hedges_g", "g", ""),
    "Mann-Whitney U, normal approximation with tie correction": ("mann_whitney", "z", ""),
    "Pearson chi-square, no continuity correction": ("pearson_chi2", "χ²", ""),
    "Pearson chi-square": ("pearson_chi2", "χ²", ""),
    "likelihood-ratio chi-square (G2)": ("likelihood_ratio", "χ²", ""),
    "Mantel-Haenszel linear-by-linear, codes as scores": ("linear_by_linear", "χ²", ""),
    "Yates's continuity correction (2x2 only)": ('yates', 'χ²', ''),
    "Fisher's exact test, two-sided": ('fisher', '', ''),
    "Cramer's V; CI by noncentral chi-square inversion": ('cramers_v', 'V', ''),
    "phi coefficient (signed)": ("phi", "φ", ""),
    "one-way ANOVA": ("anova", "F", ""),
    "Welch's ANOVA": ('welch_anova', 'F', ''),
    "Brown-Forsythe F* test": ("brown_forsythe", "F*", ""),
    "Kruskal-Wallis H, tie-corrected, chi-square approximation": ("kruskal_wallis", "H", ""),
    "eta squared": ("eta_squared", "η²", ""),
    "omega squared": ("omega_squared", "ω²", ""),
    "epsilon squared": ("epsilon_squared", "ε²", ""),
    "CI by noncentral F inversion": ("", "", ""),
    "Cohen's d": ('cohens_d', 'd', ''),
    "Hedges' g": ('hedges_g', 'g', ''),
    "Cramer's V": ('cramers_v', 'V', ''),
    "Cronbach's alpha": ('cronbach_alpha', 'α', ''),
    "Scheffé": ("scheffe", "", ""),
    "Tukey": ("tukey", "", ""),
    "Bonferroni": ("bonferroni", "", ""),
    "Games-Howell": ("games_howell", "", ""),
    "Wilson score interval": ("wilson", "", ""),
    "OLS": ("ols", "t", ""),
    "logistic regression (Wald)": ("logistic", "Wald χ²", "OR"),
    "logistic regression": ("logistic", "", ""),
    "logistic regression (Wald z)": ("logistic", "z", "OR"),
    "negative binomial (NB2), maximum likelihood": ("negative_binomial", "z", "IRR"),
    "negative binomial (NB2)": ("negative_binomial", "z", "IRR"),
    "Poisson GLM": ("poisson", "z", "IRR"),
    "Cronbach's alpha; Feldt CI": ('cronbach_alpha', 'α', ''),
    'Wilcoxon signed-rank, normal approximation with tie correction': ('wilcoxon', 'z', ''),
    'Wilcoxon signed-rank; paired t': ('wilcoxon_paired_t', 'z', ''),
    'McNemar (exact)': ('mcnemar_exact', '', ''),
    'McNemar': ('mcnemar', 'χ²', ''),
    'McNemar asymptotic': ('mcnemar', 'χ²', ''),
    'McNemar asymptotic (corrected)': ('mcnemar_corrected', 'χ²', ''),
    'McNemar exact': ('mcnemar_exact', '', ''),
    'Stuart-Maxwell; Bowker': ('stuart_maxwell', 'χ²', ''),
    'Pearson chi-square across occasions': ('chi2_occasions', 'χ²', ''),
    'Kruskal-Wallis on the change scores (ANOVA beside)': ('kruskal_change', 'H', ''),
    "Pearson chi-square; SMD = Cohen's h": ('chi2_smd_h', 'χ²', ''),
    "Welch's t; SMD = Cohen's d": ('welch_smd_d', 't', ''),
    'exact binomial, two-sided': ('exact_binomial', '', ''),
    'Dunn': ('dunn', 'z', ''),
    # the tests the statistics review chooses (issue 21), and the names its tables give them
    "phi coefficient, sqrt(chi-square / N)": ("phi", "φ", ""),
    "Phi": ("phi", "φ", ""),
    "OLS: regression and residual sums of squares": ("ols_anova", "F", ""),
    "Fisher-Freeman-Halton exact test (network algorithm)": ("fisher_freeman_halton", "", ""),
    "Fisher-Freeman-Halton exact test": ("fisher_freeman_halton", "", ""),
    "Fisher-Freeman-Halton": ("fisher_freeman_halton", "", ""),
    "Fisher-Freeman-Halton test, Monte Carlo": ("fisher_freeman_halton_mc", "", ""),
    "quasi-independence (structural zeros excluded), Poisson log-linear model":
        ("quasi_independence", "χ²", ""),
    "quasi-independence (structural zeros excluded), G2 of the Poisson log-linear model":
        ("quasi_independence_lr", "χ²", ""),
    "quasi-binomial GLM (logit), SEs scaled by the Pearson dispersion":
        ("quasi_binomial", "z", "OR"),
    "binomial GLM (logit)": ("binomial", "z", "OR"),
    "mean and SD of the answer codes (an addition)": ("likert_codes", "", ""),
    "Likelihood ratio": ("likelihood_ratio", "χ²", ""),
    "Pearson chi-square (asymptotic)": ("pearson_chi2", "χ²", ""),
    "Kruskal-Wallis": ("kruskal_wallis", "H", ""),
    "Brown-Forsythe": ("brown_forsythe", "F*", ""),
    "Welch": ("welch_anova", "F", ""),
    "Mann-Whitney U": ("mann_whitney", "z", ""),
    "Student's t": ("student_t", "t", ""),
    "Student": ("student_t", "t", ""),
    "Levene (mean)": ("levene", "F", ""),
    # the comparison of waves (stats/longitudinal.py, weights.py, power.py)
    "Stuart-Maxwell": ("stuart_maxwell_only", "χ²", ""),
    "Bowker": ("bowker", "χ²", ""),
    "Wilson": ("wilson", "", ""),
    "Newcombe hybrid score interval (paired); exact McNemar": ("newcombe", "", ""),
    "weighted mean, linearisation SE (WLS with HC1)": ("weighted_mean", "", ""),
    "GEE, independence working correlation, robust SE (respondent as cluster)":
        ("gee_independence", "z", ""),
    "GEE, exchangeable working correlation, robust SE (respondent as cluster)":
        ("gee_exchangeable", "z", ""),
    "linear mixed model, random intercept per respondent (REML)": ("mixed", "z", ""),
    "paired t (pingouin)": ("power_paired_t", "", ""),
    "two-sample t (pingouin)": ("power_two_sample_t", "", ""),
    "McNemar as a paired t on the differences (pingouin)": ("power_mcnemar", "", ""),
    "Pearson chi-square (pingouin)": ("power_chi2", "", ""),
    "one-way ANOVA (pingouin)": ("power_anova", "", ""),
}

#: method strings with a number in them → catalog name whose {fields} the groups fill
METHOD_PATTERNS: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(r"Pearson chi-square, df = (?P<df>\d+) \(pingouin\)"), "power_chi2_df", ""),
]

#: notes the statistics write (English, with numbers) → catalog note (``note.*``)
NOTES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?P<k>\d+) cells \((?P<pct>[\d.]+)%\) have expected count less than 5\. "
                r"The minimum expected count is (?P<min>[\d.]+)\."), "expected_small"),
    (re.compile(r"meaningful for ordered categories only"), "linear_by_linear"),
    (re.compile(r"a single category: no test"), "single_category"),
    (re.compile(r"no values"), "no_values"),
    (re.compile(r"one value: no SD"), "one_value"),
    (re.compile(r"no answers"), "no_answers"),
]
_NOTE_KINDS = {"k": "count", "pct": "percent", "min": "descriptive"}

#: what the numbers of a result column are (None: text), for tables shown as they are
COLUMN_KINDS: dict[str, str | None] = {
    "variable_label": None,
    "group_label": None,
    "group": None,
    "label": None,
    "item_label": None,
    "term_label": None,
    "indicator_label": None,
    "indicator": None,
    "test": None,
    "measure": None,
    "source": None,
    "wave": None,
    "level": None,
    "trait": None,
    "kind": None,
    "unit": None,
    "option": None,
    "unlinked_test": None,
    "linked_test": None,
    "n": "count",
    "count": "count",
    "observed": "count",
    "missing": "count",
    "responded": "count",
    "invited": "count",
    "n_0": "count",
    "n_1": "count",
    "linked_n": "count",
    "n1": "count",
    "n2": "count",
    "events": "count",
    "k": "count",
    "n_respondents": "count",
    "n_responses": "count",
    "percent": "percent",
    "row_percent": "percent",
    "col_percent": "percent",
    "total_percent": "percent",
    "pct_of_respondents": "percent",
    "pct_of_responses": "percent",
    "followed": "percent",
    "lost": "percent",
    "mean": "descriptive",
    "sd": "descriptive",
    "median": "descriptive",
    "q1": "descriptive",
    "q3": "descriptive",
    "min": "descriptive",
    "max": "descriptive",
    "expected": "descriptive",
    "adj_residual": "statistic",
    "std_residual": "statistic",
    "ss": "descriptive",
    "ms": "descriptive",
    "value_0": "descriptive",
    "value_1": "descriptive",
    "statistic": "statistic",
    "unlinked_statistic": "statistic",
    "linked_statistic": "statistic",
    "lr_chi2": "statistic",
    "df": "df",
    "df1": "df",
    "df2": "df",
    "df_resid": "df",
    "p": "p",
    "p_anova": "p",
    "linked_p": "p",
    "linked_p_t": "p",
    "linked_p_bowker": "p",
    "unlinked_p": "p",
    "unlinked_p_mw": "p",
    "p_alpha": "p",
    "estimate": "estimate",
    "change": "estimate",
    "linked_change": "estimate",
    "se": "estimate",
    "conf_low": "estimate",
    "conf_high": "estimate",
    "linked_conf_low": "estimate",
    "linked_conf_high": "estimate",
    "smd": "effect",
    "d_z": "effect",
    "cramers_v": "bounded",
    "epsilon_squared": "bounded",
    "r_squared": "bounded",
    "adj_r_squared": "bounded",
    "nagelkerke_r2": "bounded",
    "cox_snell_r2": "bounded",
    "item_rest_r": "bounded",
    "alpha_if_deleted": "bounded",
    "beta": "estimate",
    "minus2ll": "descriptive",
    "log_likelihood": "descriptive",
    "aic": "descriptive",
    "deviance": "descriptive",
    "pearson_chi2": "statistic",
    "dispersion": "descriptive",
    "alpha": "estimate",
    "sigma": "descriptive",
    "whisker_low": "descriptive",
    "whisker_high": "descriptive",
    # the statistics review's tables
    "layer_label": None,
    "row_label": None,
    "column_label": None,
    "mean_rank": "descriptive",
    "test_classical": None,
    "p_classical": "p",
    "disagree": None,
    "analysis": None,
    "p_adjusted": "p",
    "primary": None,
    "family": None,
    "family_size": "count",
    "model": None,
    "value": "descriptive",
    "predictor_label": None,
    "reference_label": None,
    "n_reference": "count",
    "trials": "count",
    "percent_below": "percent",
    "percent_middle": "percent",
    "percent_above": "percent",
    # the comparison's tables
    "wave_id": None,
    "trait_label": None,
    "level_label": None,
    "answer": None,
    "design": None,
    "what": None,
    "effect_name": None,
    "title": None,
    "n_followed": "count",
    "n_lost": "count",
    "n_responded": "count",
    "n_base": "count",
    "n_follow": "count",
    "whole_people": "count",
    "people": "count",
    "groups": "count",
    "n_extreme": "count",
    "n_trimmed": "count",
    "sum": "descriptive",
    "max_to_min": "descriptive",
    "cv": "descriptive",
    "ess": "descriptive",
    "weighted_ess": "descriptive",
    "design_effect": "descriptive",
    "extreme_threshold": "descriptive",
    "target": "descriptive",
    "respondents": "descriptive",
    "weighted": "descriptive",
    "smd_unweighted": "effect",
    "smd_weighted": "effect",
    "base": "estimate",
    "follow": "estimate",
    "linked_low": "estimate",
    "linked_high": "estimate",
    "whole_change": "estimate",
    "whole_low": "estimate",
    "whole_high": "estimate",
    "whole_p": "p",
    "weighted_follow": "estimate",
    "weighted_change": "estimate",
    "weighted_low": "estimate",
    "weighted_high": "estimate",
    "weighted_p": "p",
    "mde": "estimate",
    "effect": "effect",
    "power": "bounded",
}


def known_method(method: str) -> bool:
    """Whether the catalog names ``method`` (as it is, or by one of ``METHOD_PATTERNS``)."""
    return method in METHODS or any(p.fullmatch(method) for p, _, _ in METHOD_PATTERNS)


def method_name(method: str, names: dict[str, str]) -> tuple[str, str]:
    """A test's name (from the catalog's ``test.*`` texts ``names``) and its symbol; a
    method the catalog does not know keeps its own words (already in the report's language
    where the analysis wrote it from the catalog)."""
    slug, symbol, _ = METHODS.get(method, (None, "", ""))
    if slug is None:
        for pattern, key, sym in METHOD_PATTERNS:
            found = pattern.fullmatch(method)
            if found:
                return names[key].format(**found.groupdict()), sym
        return method, ""
    return (names[slug] if slug else ""), symbol


def note_text(raw: str, notes: dict[str, str], lang: str) -> str:
    """A note the statistics wrote, in ``lang`` (catalog ``note.*`` texts ``notes``) with its
    numbers formatted; a note already in the report's language passes unchanged."""
    for pattern, key in NOTES:
        found = pattern.fullmatch(raw.strip())
        if found:
            values = {k: nb.fmt(float(v), _NOTE_KINDS.get(k, "descriptive"), lang)
                      for k, v in found.groupdict().items()}
            return notes[key].format(**values)
    return raw


# --------------------------------------------------------------------------- context


@dataclass
class Context:
    """What shaping needs besides the results: the language, its words, the plan.

    ``text(key, **values)`` gives a catalog string (``report.*``); ``test(method)`` the name
    and symbol of a test from the method string a statistic carries (see ``METHODS``);
    ``note(text)`` a result's note in the report's language; ``paper(rid, table, column,
    **where)`` the paper's printed value for one cell of a result (value and printed
    decimals), if the report reproduces a paper; ``word(column, value)`` a coded cell in
    words (the catalog's ``cell.*``, "" for none); ``yes_no(flag)`` a true/false cell.
    """

    lang: str
    alpha: float
    conf: float
    text: Callable[..., str]
    test: Callable[[str], tuple[str, str]]
    note: Callable[[str], str]
    var_label: Callable[[str], str]
    value_label: Callable[[str, Any], str]
    analysis: Callable[[str], Any]
    heading: Callable[[str], str]
    kind_of: Callable[[str], str | None]
    source: Callable[[Any], str]
    has: Callable[[str], bool]
    problem_text: Callable[[str], str]
    paper: Callable[..., tuple[float, int] | None] = lambda *a, **k: None
    word: Callable[[str, Any], str] = lambda column, value: ""
    symbol: Callable[[str], str] = lambda method: ""
    yes_no: Callable[[bool], str] = lambda flag: str(flag)

    # ---- cells
    def num(self, value: Any, kind: str, places: int | None = None, *,
            signed: bool = False) -> Cell:
        """One number of a kind of statistic (``places`` overrides its precision)."""
        v = None if value is None or pd.isna(value) else float(value)
        if places is None and kind != "p":
            places = nb.decimals(kind, v)
        text = nb.fmt(v, kind, self.lang, places=places, alpha=self.alpha, signed=signed)
        return Cell(text, (Num(v, kind, places),))

    def p(self, value: Any, marker: str = "") -> Cell:
        """A p value, with the footnote letter of its test."""
        cell = self.num(value, "p")
        if cell.text and marker:
            cell.text += marker
        return cell

    def n_pct(self, n: Any, pct: Any) -> Cell:
        """A count and its percentage: "518 (92.2)", two numbers."""
        nv = None if n is None or pd.isna(n) else float(n)
        pv = None if pct is None or pd.isna(pct) else float(pct)
        text = nb.fmt_n_pct(nv, pv, self.lang).replace(" (", NBSP + "(")
        return Cell(text, (Num(nv, "count", nb.decimals("count", nv)),
                           Num(pv, "percent", 1)))

    def m_sd(self, mean: Any, sd: Any) -> Cell:
        """A mean and its SD: "44.25 (11.65)", two numbers."""
        mv = None if mean is None or pd.isna(mean) else float(mean)
        sv = None if sd is None or pd.isna(sd) else float(sd)
        text = nb.fmt_m_sd(mv, sv, self.lang).replace(" (", NBSP + "(")
        return Cell(text, (Num(mv, "descriptive", 2), Num(sv, "descriptive", 2)))

    def ci(self, low: Any, high: Any, places: int, kind: str = "estimate") -> Cell:
        """A confidence interval at ``places`` decimals: "[0.03, 0.40]", two numbers."""
        lo = None if low is None or pd.isna(low) else float(low)
        hi = None if high is None or pd.isna(high) else float(high)
        text = nb.fmt_ci(lo, hi, self.lang, places, kind).replace(" ", NBSP)
        return Cell(text, (Num(lo, kind, places), Num(hi, kind, places)))

    def est_ci(self, est: Any, low: Any, high: Any, kind: str) -> Cell:
        """An estimate with its interval in one cell: "0.21 [0.03, 0.40]"."""
        ev = None if est is None or pd.isna(est) else float(est)
        places = nb.decimals(kind, ev)
        head = nb.fmt(ev, kind, self.lang, places=places)
        interval = self.ci(low, high, places, kind)
        text = head + (NBSP + interval.text if interval.text else "")
        return Cell(text, (Num(ev, kind, places), *interval.nums))

    def label(self, text: Any) -> Cell:
        """A label from the data or the instrument, shown as it is."""
        return Cell("" if text is None or (isinstance(text, float) and pd.isna(text))
                    else str(text))

    def words(self, key: str, **values: Any) -> Cell:
        """A cell of the report's own words (their symbols set in italics)."""
        return Cell(self.text(key, **values), generated=True)

    def printed(self, rid: str, table: str, column: str, kind: str, /,
                **where: Any) -> str | None:
        """The paper's printed value of one cell, formatted like the cell, or None."""
        found = self.paper(rid, table, column, **where)
        if found is None:
            return None
        value, places = found
        # a p value as the paper prints it ("p = .02"), with the leading zero APA drops
        return nb.fmt(value, "bounded" if kind == "p" else kind, self.lang, places=places)

    def printed_n_pct(self, rid: str, table: str, n_col: str, pct_col: str, /,
                      **where: Any) -> str | None:
        """The paper's printed "n (%)" of one cell, or None."""
        n = self.printed(rid, table, n_col, "count", **where)
        pct = self.printed(rid, table, pct_col, "percent", **where)
        if n is None and pct is None:
            return None
        if pct is None:
            return n
        return f"{n or '–'}{NBSP}({pct})"

    # ---- headings
    def col(self, key: str, parts: Iterable[str] = (), **kw: Any) -> Column:
        """A column headed by a catalog text; ``parts`` head its numbers in Excel."""
        return Column(self.text(key), tuple(self.text(p) for p in parts), **kw)

    def ci_heading(self) -> str:
        """"95% CI" at the plan's confidence level."""
        return self.text("ci", level=nb.number(100 * self.conf, 0, self.lang))

    def ci_col(self, **kw: Any) -> Column:
        """A CI column: two numbers, lower and upper."""
        return Column(self.ci_heading(), (self.text("lower"), self.text("upper")), **kw)


# --------------------------------------------------------------------------- footnotes


class Markers:
    """Footnote letters for the tests behind a table's p values, one letter per test."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.names: dict[str, str] = {}

    def mark(self, method: Any) -> str:
        """The footnote letter of the test behind ``method`` ("" for none)."""
        if method is None or (isinstance(method, float) and pd.isna(method)) or not method:
            return ""
        name = self.ctx.test(str(method))[0]
        if name not in self.names:
            self.names[name] = SUPERSCRIPTS[len(self.names) % len(SUPERSCRIPTS)]
        return self.names[name]

    def footnotes(self) -> list[str]:
        """One footnote per test: "ᵃ p from Student's t test."."""
        return [f"{m} {self.ctx.text('p_from', test=name)}" for name, m in self.names.items()]


def _plain(footnotes: list[str]) -> list[str]:
    """Footnotes of a table where every p comes from one test: no letter to point with."""
    return [f[2:] for f in footnotes] if len(footnotes) == 1 else footnotes


def row_notes(ctx: Context, frame: pd.DataFrame, *extra: Any) -> list[str]:
    """The distinct notes a result's rows carry, in the report's language."""
    out: dict[str, None] = {}
    if "note" in frame.columns:
        for note in frame["note"].dropna():
            if str(note).strip():
                out[ctx.note(str(note))] = None
    for note in extra:
        if note:
            out[str(note)] = None
    return list(out)


def _has(frame: pd.DataFrame, column: str) -> bool:
    return column in frame.columns and frame[column].notna().any()


def _symbol_of(ctx: Context, methods: Iterable[Any], fallback: str = "statistic") -> str:
    """The heading of a statistic column: the test's symbol when all rows share one."""
    symbols = {ctx.test(str(m))[1] for m in methods if isinstance(m, str) and m}
    symbols.discard("")
    return symbols.pop() if len(symbols) == 1 else ctx.text(fallback)


# --------------------------------------------------------------------------- shapers


def describe(ctx: Context, rid: str, frame: pd.DataFrame, title: str) -> PubTable:
    """n, M, SD, Mdn and the CI of the mean; a variable's label once above its groups."""
    cols = [Column("", text=True), ctx.col("n"), ctx.col("M"), ctx.col("SD"),
            ctx.col("Mdn"), ctx.ci_col()]
    grouped = frame["group"].astype(str).ne("Total").any()
    rows: list[Row] = []
    for var, part in frame.groupby("variable", sort=False):
        label = part["variable_label"].iloc[0]
        if grouped:
            rows.append(Row([ctx.label(label)] + [Cell() for _ in cols[1:]], block=True))
        for _, r in part.iterrows():
            places = nb.decimals("descriptive")
            name = r["group_label"] if grouped else label
            if str(r["group"]) == "Total":
                name = ctx.text("total")
            cells = [ctx.label(name), ctx.num(r["n"], "count"),
                     ctx.num(r["mean"], "descriptive"), ctx.num(r["sd"], "descriptive"),
                     ctx.num(r["median"], "descriptive"),
                     ctx.ci(r["conf_low"], r["conf_high"], places)]
            _paper(ctx, rid, T.DESCRIBE, cells, r, {"variable": var, "group": r["group"]},
                   {"n": 1, "mean": 2, "sd": 3, "median": 4})
            rows.append(Row(cells, indent=grouped, total=str(r["group"]) == "Total"))
    notes = [ctx.text("note_describe", level=nb.number(100 * ctx.conf, 0, ctx.lang))]
    return PubTable(f"{rid}.describe", title, cols, rows, notes + row_notes(ctx, frame),
                    result=rid)


def frequencies(ctx: Context, rid: str, frame: pd.DataFrame, title: str,
                result_notes: list[str]) -> PubTable:
    """Answers under their question: n, %, and the CI of the percentage."""
    grouped = "group" in frame.columns and frame["group"].astype(str).ne("Total").any()
    if grouped:
        return _frequency_matrix(ctx, rid, frame, title, result_notes)
    cols = [Column("", text=True), ctx.col("n"), ctx.col("percent"), ctx.ci_col()]
    rows: list[Row] = []
    for var, part in frame.groupby("variable", sort=False):
        rows.append(Row([ctx.label(part["variable_label"].iloc[0]), Cell(), Cell(), Cell()],
                        block=True))
        for _, r in part.iterrows():
            cells = [ctx.label(r["label"]), ctx.num(r["count"], "count"),
                     ctx.num(r["percent"], "percent"),
                     ctx.ci(r["conf_low"], r["conf_high"], 1, "percent")]
            _paper(ctx, rid, T.FREQUENCIES, cells, r, {"variable": var, "level": r["level"]},
                   {"count": 1, "percent": 2})
            rows.append(Row(cells, indent=True))
        n = part["n"].iloc[0]
        rows.append(Row([ctx.words("total_answered"), ctx.num(n, "count"), Cell(), Cell()],
                        indent=True, total=True))
    notes = [ctx.note(n) for n in result_notes] or [ctx.text("note_percent_answered")]
    notes.append(ctx.text("note_ci_percent", level=nb.number(100 * ctx.conf, 0, ctx.lang),
                          method=ctx.test("Wilson score interval")[0]))
    return PubTable(f"{rid}.frequencies", title, cols, rows, notes + row_notes(ctx, frame),
                    result=rid)


def _frequency_matrix(ctx: Context, rid: str, frame: pd.DataFrame, title: str,
                      result_notes: list[str]) -> PubTable:
    groups = list(dict.fromkeys(frame["group_label"] if "group_label" in frame.columns
                                else frame["group"].astype(str)))
    cols = [Column("", text=True)] + [Column(str(g), (ctx.text("n"), ctx.text("percent")))
                                      for g in groups]
    rows: list[Row] = []
    for _, part in frame.groupby("variable", sort=False):
        rows.append(Row([ctx.label(part["variable_label"].iloc[0])]
                        + [Cell() for _ in groups], block=True))
        key = "group_label" if "group_label" in part.columns else "group"
        for _, answers in part.groupby("level", sort=False):
            by = {str(r[key]): r for _, r in answers.iterrows()}
            rows.append(Row([ctx.label(answers["label"].iloc[0])]
                            + [ctx.n_pct(by[g]["count"], by[g]["percent"]) if g in by
                               else Cell() for g in map(str, groups)], indent=True))
    notes = [ctx.note(n) for n in result_notes] or [ctx.text("note_percent_answered")]
    return PubTable(f"{rid}.frequencies", title, cols, rows, notes + row_notes(ctx, frame),
                    result=rid)


def crosstab_matrix(ctx: Context, rid: str, result: Any, title: str) -> PubTable:
    """Counts and the chosen percentage in a rows × columns matrix, with the margins."""
    cells = result.tables[T.CELLS]
    analysis = ctx.analysis(rid)
    direction = getattr(analysis, "percent", None) or "row"
    pct = {"row": "row_percent", "column": "col_percent", "total": "total_percent"}[direction]
    col_levels = list(dict.fromkeys(zip(cells["column"], cells["column_label"], strict=True)))
    row_levels = list(dict.fromkeys(zip(cells["row"], cells["row_label"], strict=True)))
    spanner = ctx.var_label(getattr(analysis, "columns", None))
    n_pct = (ctx.text("n"), ctx.text("percent"))
    cols = [Column(ctx.var_label(getattr(analysis, "rows", None)), text=True)]
    cols += [Column(str(label), n_pct, spanner=spanner) for _, label in col_levels]
    margins = result.tables.get(T.MARGINS)
    if margins is not None:
        cols.append(Column(ctx.text("total"), n_pct))
    by = {(r["row"], r["column"]): r for _, r in cells.iterrows()}
    rows: list[Row] = []
    for code, label in row_levels:
        row = [ctx.label(label)]
        for ccode, _ in col_levels:
            r = by.get((code, ccode))
            cell = ctx.n_pct(r["observed"], r[pct]) if r is not None else Cell()
            if r is not None:
                cell.paper = ctx.printed_n_pct(rid, T.CELLS, "observed", pct, row=code,
                                               column=ccode)
            row.append(cell)
        if margins is not None:
            m = margins[(margins["margin"] == "row") & (margins["level"] == code)]
            cell = ctx.n_pct(m["n"].iloc[0], m["percent"].iloc[0]) if len(m) else Cell()
            cell.paper = ctx.printed_n_pct(rid, T.MARGINS, "n", "percent", margin="row",
                                           level=code)
            row.append(cell)
        rows.append(Row(row))
    if margins is not None:
        total = [ctx.words("total")]
        for ccode, _ in col_levels:
            m = margins[(margins["margin"] == "column") & (margins["level"] == ccode)]
            total.append(ctx.n_pct(m["n"].iloc[0], m["percent"].iloc[0]) if len(m) else Cell())
        grand = margins[margins["margin"] == "total"]
        total.append(ctx.n_pct(grand["n"].iloc[0], None) if len(grand) else Cell())
        rows.append(Row(total, total=True))
    notes = [ctx.text(f"note_{direction}_percent")]
    return PubTable(f"{rid}.cells", title, cols, rows, notes, result=rid)


def tests_table(ctx: Context, rid: str, frame: pd.DataFrame, title: str,
                association: pd.DataFrame | None = None, *,
                label_of: Callable[[Any], str] | None = None) -> PubTable:
    """Tests of one kind of statistic: test (or option), the symbol's column, df, p."""
    marks = Markers(ctx)
    first = "test" if "test" in frame.columns else "option"
    symbol = _symbol_of(ctx, frame.get("method", pd.Series(dtype=object)))
    cols = [Column(ctx.text("test") if first == "test" else "", text=True),
            Column(symbol), ctx.col("df"), ctx.col("p")]
    extra = "cramers_v" if _has(frame, "cramers_v") else None
    if extra:
        cols.append(ctx.col("V"))
    rows = []
    for _, r in frame.iterrows():
        name = (ctx.test(str(r["method"]))[0] if first == "test" and "method" in frame.columns
                else (label_of(r[first]) if label_of else r[first]))
        cells = [Cell(str(name), generated=first == "test"), ctx.num(r["statistic"], "statistic"),
                 ctx.num(r["df"], "df"), ctx.p(r["p"], marks.mark(r.get("method")))]
        if first == "test":
            cells[3] = ctx.p(r["p"])
        if extra:
            cells.append(ctx.num(r[extra], "bounded"))
        if first == "test":
            _paper(ctx, rid, T.TESTS, cells, r, {"test": r["test"]},
                   {"statistic": 1, "df": 2, "p": 3})
        rows.append(Row(cells))
    notes = []
    if "n" in frame.columns and frame["n"].nunique() == 1:
        notes.append(ctx.text("note_n", n=nb.fmt(frame["n"].iloc[0], "count", ctx.lang)))
    if association is not None and len(association):
        a = association.iloc[0]
        notes.append(ctx.text("note_cramers_v",
                              value=ctx.est_ci(a["estimate"], a["conf_low"], a["conf_high"],
                                               "bounded").text,
                              level=nb.number(100 * ctx.conf, 0, ctx.lang)))
    table = PubTable(f"{rid}.tests", title, cols, rows, notes + row_notes(ctx, frame),
                     result=rid)
    if first != "test":
        table.footnotes = marks.footnotes()
    return table


def ttest(ctx: Context, rid: str, result: Any, title: str) -> list[PubTable]:
    """Student's and Welch's t side by side; Levene, Mann–Whitney and d in the notes; a
    table per variable where the analysis tests several."""
    tt = result.tables[T.TTEST]
    if "variable" in tt.columns and tt["variable"].nunique() > 1:
        out = []
        for var, part in tt.groupby("variable", sort=False):
            tables = {name: frame[frame["variable"] == var] if "variable" in frame.columns
                      else frame for name, frame in result.tables.items()}
            label = str(part["variable_label"].iloc[0]) if "variable_label" in part else var
            for table in ttest(ctx, rid, SimpleNamespace(tables=tables), f"{title}: {label}"):
                table.key = f"{table.key}.{var}"
                out.append(table)
        return out
    cols = [Column(ctx.text("test"), text=True), ctx.col("n1"), ctx.col("n2"),
            ctx.col("mean_difference"), ctx.ci_col(), ctx.col("t"), ctx.col("df"), ctx.col("p")]
    rows = []
    for _, r in tt.iterrows():
        places = nb.decimals("estimate", r["estimate"])
        rows.append(Row([Cell(ctx.test(str(r["method"]))[0], generated=True),
                         ctx.num(r["n1"], "count"), ctx.num(r["n2"], "count"),
                         ctx.num(r["estimate"], "estimate", places),
                         ctx.ci(r["conf_low"], r["conf_high"], places),
                         ctx.num(r["statistic"], "statistic"), ctx.num(r["df"], "df"),
                         ctx.p(r["p"])]))
        _paper(ctx, rid, T.TTEST, rows[-1].cells, r, {"test": r["test"]},
               {"statistic": 5, "df": 6, "p": 7})
    first = tt.iloc[0]
    notes = [ctx.text("note_difference", first=first["group1_label"],
                      second=first["group2_label"])]
    lev = result.tables.get(T.LEVENE)
    if lev is not None and len(lev):
        r = lev.iloc[0]
        notes.append(ctx.text("note_levene", test=ctx.test(str(r["method"]))[0],
                              df1=nb.fmt(r["df1"], "df", ctx.lang),
                              df2=nb.fmt(r["df2"], "df", ctx.lang),
                              F=nb.fmt(r["statistic"], "statistic", ctx.lang),
                              p=nb.p_text(r["p"], ctx.lang, alpha=ctx.alpha)))
    eff = result.tables.get(T.EFFECT_SIZE)
    if eff is not None and len(eff):
        parts = [f"{ctx.test(str(r['method']))[1]} = "
                 + ctx.est_ci(r["estimate"], r["conf_low"], r["conf_high"], "effect").text
                 for _, r in eff.iterrows()]
        notes.append(ctx.text("note_effect_sizes", values="; ".join(parts),
                              level=nb.number(100 * ctx.conf, 0, ctx.lang)))
    mw = result.tables.get(T.MANN_WHITNEY)
    if mw is not None and len(mw):
        r = mw.iloc[0]
        notes.append(ctx.text("note_mann_whitney", U=nb.fmt(r["u"], "rank_sum", ctx.lang),
                              z=nb.fmt(r["statistic"], "statistic", ctx.lang),
                              p=nb.p_text(r["p"], ctx.lang, alpha=ctx.alpha)))
    return [PubTable(f"{rid}.ttest", title, cols, rows, notes + row_notes(ctx, tt), result=rid)]


def anova(ctx: Context, rid: str, result: Any, title: str) -> list[PubTable]:
    """The ANOVA table per outcome with η² and ω²; post hoc pairs with d; robust tests."""
    out: list[PubTable] = []
    t = result.tables
    if T.ANOVA in t:
        out.append(_anova_table(ctx, rid, t[T.ANOVA], t.get(T.EFFECT_SIZES), title))
    if T.POSTHOC in t:
        for method, part in t[T.POSTHOC].groupby("method", sort=False):
            out.append(_posthoc_table(ctx, rid, part, t.get(T.PAIRWISE_D),
                                      ctx.text("posthoc_title", title=title,
                                               test=ctx.test(str(method))[0])))
    if T.ROBUST in t:
        out.append(_robust_table(ctx, rid, t[T.ROBUST], title))
    if T.KRUSKAL in t:
        out.append(_kruskal_table(ctx, rid, t[T.KRUSKAL], title))
    return out


def _anova_table(ctx: Context, rid: str, frame: pd.DataFrame, effects: pd.DataFrame | None,
                 title: str) -> PubTable:
    cols = [Column(ctx.text("source"), text=True), ctx.col("ss"), ctx.col("df"),
            ctx.col("ms"), ctx.col("F"), ctx.col("p")]
    measures = []
    if effects is not None and len(effects):
        measures = list(dict.fromkeys(effects["measure"]))
        cols += [Column(ctx.test(m)[1], (ctx.test(m)[1], ctx.text("lower"),
                                         ctx.text("upper"))) for m in measures]
    many = frame["variable"].nunique() > 1
    rows: list[Row] = []
    for var, part in frame.groupby("variable", sort=False):
        if many:
            rows.append(Row([ctx.label(part["variable_label"].iloc[0])]
                            + [Cell() for _ in cols[1:]], block=True))
        for _, r in part.iterrows():
            between = pd.notna(r["statistic"])
            cells = [ctx.words(_SOURCES.get(str(r["source"]), str(r["source"]))),
                     ctx.num(r["ss"], "descriptive"), ctx.num(r["df"], "df"),
                     ctx.num(r["ms"], "descriptive"), ctx.num(r["statistic"], "statistic"),
                     ctx.p(r["p"])]
            for m in measures:
                e = effects[(effects["variable"] == var) & (effects["measure"] == m)]
                cells.append(ctx.est_ci(e["estimate"].iloc[0], e["conf_low"].iloc[0],
                                        e["conf_high"].iloc[0], "bounded")
                             if between and len(e) else Cell())
            if between:
                _paper(ctx, rid, T.ANOVA, cells, r, {"variable": var, "source": r["source"]},
                       {"statistic": 4})
            rows.append(Row(cells, indent=many))
    notes = [ctx.text("note_anova", level=nb.number(100 * ctx.conf, 0, ctx.lang))]
    marks = Markers(ctx)
    for _, r in frame.iterrows():
        if pd.notna(r["p"]):
            marks.mark(r.get("method"))
    return PubTable(f"{rid}.anova", title, cols, rows, notes + row_notes(ctx, frame),
                    _plain(marks.footnotes()), result=rid)


_SOURCES = {"Between Groups": "between_groups", "Within Groups": "within_groups",
            "Total": "total"}


def _posthoc_table(ctx: Context, rid: str, frame: pd.DataFrame, pairwise: pd.DataFrame | None,
                   title: str) -> PubTable:
    cols = [Column(ctx.text("comparison"), text=True), ctx.col("mean_difference"),
            ctx.col("SE"), ctx.ci_col(), ctx.col("p")]
    with_d = pairwise is not None and len(pairwise) > 0
    if with_d:
        cols.append(Column(ctx.test(str(pairwise["measure"].iloc[0]))[1],
                           (ctx.text("d"), ctx.text("lower"), ctx.text("upper"))))
    many = frame["variable"].nunique() > 1
    rows: list[Row] = []
    for var, part in frame.groupby("variable", sort=False):
        if many:
            rows.append(Row([ctx.label(part["variable_label"].iloc[0])]
                            + [Cell() for _ in cols[1:]], block=True))
        for _, r in part.iterrows():
            places = nb.decimals("estimate", r["estimate"])
            cells = [ctx.label(f"{r['group1_label']} – {r['group2_label']}"),
                     ctx.num(r["estimate"], "estimate", places),
                     ctx.num(r["se"], "estimate", places),
                     ctx.ci(r["conf_low"], r["conf_high"], places), ctx.p(r["p"])]
            if with_d:
                d = pairwise[(pairwise["variable"] == var) & (pairwise["group1"] == r["group1"])
                             & (pairwise["group2"] == r["group2"])]
                cells.append(ctx.est_ci(d["estimate"].iloc[0], d["conf_low"].iloc[0],
                                        d["conf_high"].iloc[0], "effect") if len(d) else Cell())
                if len(d):
                    cells[-1].paper = ctx.printed(rid, T.PAIRWISE_D, "estimate", "effect",
                                                  variable=var, group1=r["group1"],
                                                  group2=r["group2"])
            rows.append(Row(cells, indent=many))
    notes = [ctx.text("note_posthoc")]
    marks = Markers(ctx)
    marks.mark(frame["method"].iloc[0] if "method" in frame.columns else None)
    return PubTable(f"{rid}.posthoc", title, cols, rows, notes + row_notes(ctx, frame),
                    _plain(marks.footnotes()), result=rid)


def _robust_table(ctx: Context, rid: str, frame: pd.DataFrame, title: str) -> PubTable:
    cols = [Column(ctx.text("test"), text=True), ctx.col("F"), ctx.col("df1"), ctx.col("df2"),
            ctx.col("p")]
    many = frame["variable"].nunique() > 1
    rows: list[Row] = []
    for _, part in frame.groupby("variable", sort=False):
        if many:
            rows.append(Row([ctx.label(part["variable_label"].iloc[0])]
                            + [Cell() for _ in cols[1:]], block=True))
        for _, r in part.iterrows():
            rows.append(Row([Cell(ctx.test(str(r["method"]))[0], generated=True),
                             ctx.num(r["statistic"], "statistic"), ctx.num(r["df1"], "df"),
                             ctx.num(r["df2"], "df"), ctx.p(r["p"])], indent=many))
    return PubTable(f"{rid}.robust", ctx.text("robust_title", title=title), cols, rows,
                    [ctx.text("note_robust"), *row_notes(ctx, frame)], result=rid)


def _kruskal_table(ctx: Context, rid: str, frame: pd.DataFrame, title: str) -> PubTable:
    cols = [Column("", text=True), ctx.col("n"), ctx.col("H"), ctx.col("df"), ctx.col("p"),
            Column(ctx.test("epsilon squared")[1])]
    rows = [Row([ctx.label(r["variable_label"]), ctx.num(r["n"], "count"),
                 ctx.num(r["statistic"], "statistic"), ctx.num(r["df"], "df"), ctx.p(r["p"]),
                 ctx.num(r["epsilon_squared"], "bounded")]) for _, r in frame.iterrows()]
    notes = [ctx.text("note_kruskal", test=ctx.test(str(frame["method"].iloc[0]))[0])]
    marks = Markers(ctx)
    marks.mark(frame["method"].iloc[0])
    return PubTable(f"{rid}.kruskal", ctx.text("kruskal_title", title=title), cols, rows,
                    notes + row_notes(ctx, frame), _plain(marks.footnotes()), result=rid)


def grid(ctx: Context, rid: str, frame: pd.DataFrame, title: str,
         result_notes: list[str]) -> PubTable:
    """Items as rows and answers as columns, n (%) in each cell: a matrix like the paper's."""
    answers = list(dict.fromkeys(zip(frame["level"], frame["label"], strict=True)))
    cols = [Column("", text=True), ctx.col("n")]
    cols += [Column(str(label), (ctx.text("n"), ctx.text("percent")),
                    spanner=ctx.text("answer")) for _, label in answers]
    rows = []
    for item, part in frame.groupby("item", sort=False):
        by = {r["level"]: r for _, r in part.iterrows()}
        cells = [ctx.label(part["item_label"].iloc[0]), ctx.num(part["n"].iloc[0], "count")]
        cells[1].paper = ctx.printed(rid, T.GRID, "n", "count", item=item)
        for level, _ in answers:
            r = by.get(level)
            cell = ctx.n_pct(r["count"], r["percent"]) if r is not None else Cell()
            if r is not None:
                cell.paper = ctx.printed_n_pct(rid, T.GRID, "count", "percent", item=item,
                                               level=level)
            cells.append(cell)
        rows.append(Row(cells))
    notes = [ctx.note(n) for n in result_notes] or [ctx.text("note_percent_answered")]
    notes.append(ctx.text("note_grid_ci"))
    return PubTable(f"{rid}.grid", title, cols, rows, notes + row_notes(ctx, frame), result=rid)


def multiple_response(ctx: Context, rid: str, result: Any, title: str) -> list[PubTable]:
    """Options chosen: a groups × options matrix (the paper's Table 5) or one list."""
    frame = result.tables[T.MULTIPLE_RESPONSE]
    options = list(dict.fromkeys(zip(frame["option"], frame["label"], strict=True)))
    label_of = dict(options)
    grouped = "group_label" in frame.columns and frame["group"].astype(str).ne("Total").any()
    out = []
    if grouped:
        analysis = ctx.analysis(rid)
        cols = [Column(ctx.var_label(getattr(analysis, "by", None)), text=True), ctx.col("n")]
        cols += [Column(str(label), (ctx.text("n"), ctx.text("percent")),
                        spanner=ctx.text("options_chosen")) for _, label in options]
        rows = []
        for group, part in frame.groupby("group", sort=False):
            by = {r["option"]: r for _, r in part.iterrows()}
            cells = [ctx.label(part["group_label"].iloc[0]),
                     ctx.num(part["n_respondents"].iloc[0], "count")]
            for option, _ in options:
                r = by.get(option)
                cell = (ctx.n_pct(r["count"], r["pct_of_respondents"]) if r is not None
                        else Cell())
                if r is not None:
                    cell.paper = ctx.printed_n_pct(rid, T.MULTIPLE_RESPONSE, "count",
                                                   "pct_of_respondents", group=group,
                                                   option=option)
                cells.append(cell)
            rows.append(Row(cells))
        notes = [ctx.text("note_mr_respondents")]
        out.append(PubTable(f"{rid}.multiple_response", title, cols, rows,
                            notes + row_notes(ctx, frame), result=rid))
    else:
        cols = [Column("", text=True), ctx.col("n"), ctx.col("pct_of_respondents"),
                ctx.col("pct_of_responses"), ctx.ci_col()]
        rows = []
        for _, r in frame.iterrows():
            cells = [ctx.label(r["label"]), ctx.num(r["count"], "count"),
                     ctx.num(r["pct_of_respondents"], "percent"),
                     ctx.num(r["pct_of_responses"], "percent"),
                     ctx.ci(r["conf_low"], r["conf_high"], 1, "percent")]
            _paper(ctx, rid, T.MULTIPLE_RESPONSE, cells, r, {"option": r["option"]},
                   {"pct_of_respondents": 2})
            rows.append(Row(cells))
        first = frame.iloc[0]
        notes = [ctx.text("note_mr", n=nb.fmt(first["n_respondents"], "count", ctx.lang),
                          responses=nb.fmt(first["n_responses"], "count", ctx.lang))]
        out.append(PubTable(f"{rid}.multiple_response", title, cols, rows,
                            notes + row_notes(ctx, frame), result=rid))
    if T.TESTS in result.tables:
        out.append(tests_table(ctx, rid, result.tables[T.TESTS],
                               ctx.text("tests_title", title=title),
                               label_of=lambda o: label_of.get(o, str(o))))
    return out


def regression(ctx: Context, rid: str, result: Any, title: str) -> list[PubTable]:
    """Coefficients with SE, the test's own statistic, p and CI; the model's fit in a note."""
    coef = result.tables[T.COEFFICIENTS]
    method = str(coef["method"].iloc[0]) if "method" in coef.columns else ""
    symbol = ctx.test(method)[1] or ctx.text("statistic")
    exp_name = METHODS.get(method, ("", "", ""))[2] if _has(coef, "exp_estimate") else ""
    cols = [Column("", text=True), ctx.col("B"), ctx.col("SE")]
    if _has(coef, "beta"):
        cols.append(ctx.col("beta"))
    cols += [Column(symbol), ctx.col("p"), ctx.ci_col()]
    if exp_name:
        cols.append(Column(exp_name, (exp_name, ctx.text("lower"), ctx.text("upper"))))
    rows = []
    for _, r in coef.iterrows():
        places = nb.decimals("estimate", r["estimate"])
        term = ctx.text("intercept") if r["term"] == "(Intercept)" else r["term_label"]
        cells = [ctx.label(term), ctx.num(r["estimate"], "estimate", places),
                 ctx.num(r["se"], "estimate", places)]
        if _has(coef, "beta"):
            cells.append(ctx.num(r["beta"], "estimate", 2))
        cells += [ctx.num(r["statistic"], "statistic"), ctx.p(r["p"]),
                  ctx.ci(r["conf_low"], r["conf_high"], places)]
        if exp_name:
            cells.append(ctx.est_ci(r["exp_estimate"], r["exp_conf_low"], r["exp_conf_high"],
                                    "estimate"))
        _paper(ctx, rid, T.COEFFICIENTS, cells, r, {"term": r["term"]},
               {"p": 4 + _has(coef, "beta")})
        rows.append(Row(cells))
    notes = [ctx.text("note_model", model=ctx.test(method)[0])]
    model = result.tables.get(T.MODEL)
    if model is not None and len(model):
        notes.append(_fit_sentence(ctx, model.iloc[0]))
    analysis = ctx.analysis(rid)
    if analysis is not None and getattr(analysis, "reference", None):
        refs = [f"{ctx.var_label(name)}: {ctx.value_label(name, code)}"
                for name, code in analysis.reference.items() if code is not None]
        if refs:
            notes.append(ctx.text("note_reference", references="; ".join(refs)))
    marks = Markers(ctx)
    marks.mark(method)
    return [PubTable(f"{rid}.coefficients", title, cols, rows,
                     notes + row_notes(ctx, coef) + (row_notes(ctx, model) if model is not None
                                                   else []), _plain(marks.footnotes()),
                     result=rid)]


def _fit_sentence(ctx: Context, m: pd.Series) -> str:
    lang = ctx.lang
    f = nb.fmt
    if "r_squared" in m and pd.notna(m.get("r_squared")):
        return ctx.text("fit_ols", n=f(m["n"], "count", lang), r2=f(m["r_squared"], "bounded",
                                                                     lang),
                        adj=f(m["adj_r_squared"], "bounded", lang),
                        df1=f(m["df1"], "df", lang), df2=f(m["df2"], "df", lang),
                        F=f(m["statistic"], "statistic", lang),
                        p=nb.p_text(m["p"], lang, alpha=ctx.alpha))
    if "nagelkerke_r2" in m and pd.notna(m.get("nagelkerke_r2")):
        return ctx.text("fit_logistic", n=f(m["n"], "count", lang),
                        events=f(m["events"], "count", lang),
                        ll=f(m["minus2ll"], "descriptive", lang),
                        r2=f(m["nagelkerke_r2"], "bounded", lang),
                        chi2=f(m["lr_chi2"], "statistic", lang), df=f(m["df"], "df", lang),
                        p=nb.p_text(m["p"], lang, alpha=ctx.alpha))
    return ctx.text("fit_count", n=f(m["n"], "count", lang),
                    aic=f(m.get("aic"), "descriptive", lang),
                    alpha=f(m.get("alpha"), "estimate", lang),
                    dispersion=f(m.get("dispersion"), "descriptive", lang))


def scale(ctx: Context, rid: str, result: Any, title: str) -> list[PubTable]:
    """The scale's items (M, SD, item–rest r, α if the item is left out); α and the score
    in the notes."""
    items = result.tables[T.ITEMS]
    cols = [Column("", text=True), ctx.col("M"), ctx.col("SD"), ctx.col("item_rest_r"),
            ctx.col("alpha_if_deleted")]
    rows = [Row([ctx.label(r["item_label"]), ctx.num(r["mean"], "descriptive"),
                 ctx.num(r["sd"], "descriptive"), ctx.num(r["item_rest_r"], "bounded"),
                 ctx.num(r["alpha_if_deleted"], "bounded")]) for _, r in items.iterrows()]
    notes = []
    a = result.tables.get(T.ALPHA)
    if a is not None and len(a):
        r = a.iloc[0]
        notes.append(ctx.text("note_alpha",
                              value=ctx.est_ci(r["estimate"], r["conf_low"], r["conf_high"],
                                               "bounded").text,
                              n=nb.fmt(r["n"], "count", ctx.lang),
                              k=nb.fmt(r["k"], "count", ctx.lang),
                              level=nb.number(100 * ctx.conf, 0, ctx.lang)))
    s = result.tables.get(T.SCORE)
    if s is not None and len(s):
        r = s.iloc[0]
        notes.append(ctx.text("note_score", n=nb.fmt(r["n"], "count", ctx.lang),
                              msd=ctx.m_sd(r["mean"], r["sd"]).text))
    return [PubTable(f"{rid}.items", title, cols, rows, notes, result=rid)]


# --------------------------------------------------------------------------- paper values


def _paper(ctx: Context, rid: str, table: str, cells: list[Cell], row: pd.Series,
           where: dict[str, Any], columns: dict[str, int]) -> None:
    """Set the paper's printed value on the cells it prints (column → cell index)."""
    for column, index in columns.items():
        kind = cells[index].nums[0].kind if cells[index].nums else "descriptive"
        cells[index].paper = ctx.printed(rid, table, column, kind, **where)
