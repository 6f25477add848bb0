"""The methods section as prose, written from what the report computed.

Each test or measure is named once, in a sentence about what it was used for; then the rule
for missing answers and the denominators of the percentages, the assumptions of the tests
that were run, the significance level and the software. Nothing is said about a method the
report did not use.
"""

from __future__ import annotations

from typing import Any

from ..analysis import tables as T
from ..lang import numbers as nb
from ..lang import text
from .publication import Context

#: which sentence names a method: family → methods, in the order the sentences come
FAMILIES: dict[str, tuple[str, ...]] = {
    "means": ("Student's t, pooled variance", "Welch's t, Satterthwaite df", "Welch's t",
              "paired t", "one-way ANOVA", "Welch's ANOVA", "Brown-Forsythe F* test",
              "Levene's test centred on the mean"),
    "posthoc": ("Scheffé", "Tukey", "Bonferroni", "Games-Howell"),
    "rank": ("Mann-Whitney U, normal approximation with tie correction",
             "Kruskal-Wallis H, tie-corrected, chi-square approximation",
             "Wilcoxon signed-rank, normal approximation with tie correction"),
    "categorical": ("Pearson chi-square, no continuity correction", "Pearson chi-square",
                    "likelihood-ratio chi-square (G2)",
                    "Mantel-Haenszel linear-by-linear, codes as scores",
                    "Yates's continuity correction (2x2 only)",
                    "Fisher's exact test, two-sided",
                    "Fisher-Freeman-Halton exact test (network algorithm)",
                    "Fisher-Freeman-Halton test, Monte Carlo",
                    "quasi-independence (structural zeros excluded), Poisson log-linear model",
                    "quasi-independence (structural zeros excluded), G2 of the Poisson "
                    "log-linear model"),
    "effect": ("pooled SD; CI by noncentral t inversion",
               "pooled SD; CI by noncentral t inversion; exact J correction",
               "Cramer's V; CI by noncentral chi-square inversion", "phi coefficient (signed)",
               "eta squared", "omega squared", "epsilon squared", "Cohen's d", "Hedges' g",
               "Cramer's V", "Phi", "phi coefficient, sqrt(chi-square / N)"),
    "models": ("OLS", "logistic regression (Wald)", "logistic regression",
               "negative binomial (NB2), maximum likelihood", "negative binomial (NB2)",
               "Poisson GLM", "binomial GLM (logit)",
               "OLS: regression and residual sums of squares",
               "quasi-binomial GLM (logit), SEs scaled by the Pearson dispersion"),
    "reliability": ("Cronbach's alpha; Feldt CI", "Cronbach's alpha"),
    "intervals": ("Wilson score interval",),
}


def used_methods(results: list[Any]) -> list[str]:
    """Every method string and effect-size measure the results carry, in order met."""
    seen: dict[str, None] = {}
    for r in results:
        for name, frame in r.tables.items():
            if name in (T.COUNT_CHECKS, T.SCORE):
                continue  # (a model's checks, a scale score's rule: said in their notes)
            for column in ("method", "measure"):
                if column in frame.columns:
                    seen.update((str(m), None) for m in frame[column].dropna() if str(m))
    return list(seen)


def _join(ctx: Context, names: list[str]) -> str:
    """"a, b and c" in the report's language."""
    if len(names) <= 1:
        return "".join(names)
    return ctx.text("and", first=", ".join(names[:-1]), last=names[-1])


def methods_text(ctx: Context, report: Any, *, invited: int | None, synthetic: bool,
                 software: dict[str, str], free_text: bool, min_cell: int,
                 people: int | None = None, own: str = "",
                 audited: bool = False) -> list[str]:
    """The methods section, paragraph by paragraph. ``people``: where the answers come from
    fewer people than there are answers (a person in two waves), how many people. ``own``:
    a paragraph the analysis wrote itself about its data and methods (a comparison of
    waves counts responses and people apart); it replaces the first three paragraphs.
    ``audited``: the protection pass ran and its audit held (the methods say what it checked)."""
    lang = ctx.lang
    if own:
        return [own, *_assumptions(ctx, used_methods(report.results)),
                *_closing(ctx, software, free_text, min_cell, audited)]
    acc = report.survey.account
    paragraphs: list[str] = []
    # the data
    n = acc.rows_kept
    files = [ctx.text("methods_file", n=nb.fmt(f.rows_kept, "count", lang),
                      format=ctx.text(f"format_{f.format}") if ctx.has(f"format_{f.format}")
                      else f.format) for f in acc.files]
    if people is not None and people != n:
        data = ctx.text("methods_data_people", n=nb.fmt(n, "count", lang),
                        people=nb.fmt(people, "count", lang), files=_join(ctx, files))
    else:
        data = ctx.text("methods_data", n=nb.fmt(n, "count", lang), files=_join(ctx, files))
    if invited:
        data += " " + ctx.text("methods_rate", invited=nb.fmt(invited, "count", lang),
                               rate=nb.percent_text(100 * n / invited, lang))
    excluded = acc.rows_excluded
    data += " " + (ctx.text("methods_excluded", n=nb.fmt(excluded, "count", lang))
                   if excluded else ctx.text("methods_none_excluded"))
    if synthetic:
        data += " " + ctx.text("methods_synthetic")
    paragraphs.append(data)
    # missing answers and denominators
    missing = [ctx.text("methods_missing")]
    everyone = [r.title for r in report.results
                if not r.error and getattr(ctx.analysis(r.id), "denominator", "") == "all"]
    if everyone:
        missing.append(ctx.text("methods_denominator_all",
                                results=_join(ctx, [ctx.text("quoted", text=t)
                                                    for t in everyone])))
    else:
        missing.append(ctx.text("methods_denominator"))
    for r in report.results:
        if r.kind == "scale" and not r.error and T.ALPHA in r.tables and T.SCORE in r.tables:
            a, s = r.tables[T.ALPHA].iloc[0], r.tables[T.SCORE].iloc[0]
            missing.append(ctx.text("methods_scale", title=r.title,
                                    n_score=nb.fmt(s["n"], "count", lang),
                                    n_alpha=nb.fmt(a["n"], "count", lang),
                                    k=nb.fmt(a["k"], "count", lang)))
    paragraphs.append(" ".join(missing))
    # the tests, each named once
    used = used_methods(report.results)
    sentences = []
    for family, members in FAMILIES.items():
        names = [n for n in dict.fromkeys(ctx.test(m)[0] for m in members if m in used) if n]
        if names:
            sentences.append(ctx.text(f"methods_{family}", names=_join(ctx, names)))
    known = {m for members in FAMILIES.values() for m in members}
    named = {ctx.test(m)[0] for m in used if m in known}
    others = [n for n in dict.fromkeys(ctx.test(m)[0] for m in used if m not in known)
              if n and n not in named]
    if others:
        sentences.append(ctx.text("methods_other", names=_join(ctx, others)))
    families = {r.tables[T.MULTIPLICITY]["family"].iloc[0] for r in report.results
                if r.kind == "multiplicity" and T.MULTIPLICITY in r.tables
                and len(r.tables[T.MULTIPLICITY])}
    adjustment = getattr(report.plan, "adjustment", "none")
    if families and adjustment != "none":
        sentences.append(ctx.text("methods_multiplicity", k=nb.fmt(len(families), "count", lang),
                                  method=ctx.text(f"adjustment_{adjustment}")))
    sentences.append(ctx.text("methods_alpha", alpha=nb.fmt(report.plan.alpha, "bounded", lang),
                              level=nb.number(100 * report.plan.conf, 0, lang)))
    paragraphs.append(" ".join(sentences))
    return (paragraphs + _assumptions(ctx, used)
            + _closing(ctx, software, free_text, min_cell, audited))


def _assumptions(ctx: Context, used: list[str]) -> list[str]:
    """The assumptions of the kinds of test that were run, as one paragraph (or none)."""
    said = [ctx.text(f"assume_{family}") for family, members in FAMILIES.items()
            if ctx.has(f"assume_{family}") and any(m in used for m in members)]
    return [" ".join(said)] if said else []


def _closing(ctx: Context, software: dict[str, str], free_text: bool,
             min_cell: int, audited: bool) -> list[str]:
    """What the report leaves out (ids, free text, small cells) and the software."""
    k = nb.fmt(min_cell, "count", ctx.lang)
    words = ("methods_no_free_text" if not free_text else "methods_free_text" if min_cell <= 1
             else "methods_free_text_protected")
    privacy = [ctx.text("methods_ids"), ctx.text(words, k=k)]
    if min_cell > 1:
        # the protection pass's audit held: say what it checked, not only the rule
        privacy.append(text("protect.methods", ctx.lang, k=k) if audited
                       else ctx.text("min_cell", k=k))
    return [" ".join(privacy), ctx.text("methods_software", software=", ".join(
        f"{k} {v}" for k, v in software.items()))]
