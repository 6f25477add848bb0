"""The key findings on a report's first page: one sentence per main result, each with its
number, its test and its n, in words that describe and never explain (no "because", no
"effect of", no "led to": a survey at one time point shows differences, not causes).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..analysis import tables as T
from ..lang import numbers as nb
from .publication import Context

#: at most this many findings: the summary fits one page
MOST = 12


def findings(ctx: Context, results: list[Any]) -> list[str]:
    """One sentence per result the plan reports (the paper's own before the additions)."""
    ordered = [r for r in results if not r.addition] + [r for r in results if r.addition]
    out: list[str] = []
    for r in ordered:
        if r.error or r.kind == "figure":
            continue
        sentence = _sentence(ctx, r)
        if sentence:
            out.append(sentence)
        if len(out) == MOST:
            break
    return out


def _p(ctx: Context, p: Any) -> str:
    return nb.p_text(p, ctx.lang, alpha=ctx.alpha)


def _f(ctx: Context, value: Any, kind: str, places: int | None = None) -> str:
    return nb.fmt(value, kind, ctx.lang, places=places)


def _sentence(ctx: Context, r: Any) -> str | None:
    t = r.tables
    if r.kind == "frequencies" and T.FREQUENCIES in t and len(t[T.FREQUENCIES]):
        row = t[T.FREQUENCIES].iloc[0]
        return ctx.text("finding_share", title=r.title, answer=row["label"],
                        pct=nb.percent_text(row["percent"], ctx.lang),
                        k=_f(ctx, row["count"], "count"), n=_f(ctx, row["n"], "count"))
    if r.kind == "crosstab" and T.TESTS in t and len(t[T.TESTS]):
        row = t[T.TESTS].iloc[0]
        v = t.get(T.ASSOCIATION)
        effect = ""
        if v is not None and len(v):
            effect = ctx.text("finding_v", v=_f(ctx, v["estimate"].iloc[0], "bounded"))
        return ctx.text("finding_chi2", title=r.title, test=ctx.test(str(row["method"]))[0],
                        df=_f(ctx, row["df"], "df"), n=_f(ctx, row["n"], "count"),
                        chi2=_f(ctx, row["statistic"], "statistic"), p=_p(ctx, row["p"]),
                        effect=effect)
    if r.kind == "ttest" and T.TTEST in t and len(t[T.TTEST]):
        row = t[T.TTEST].iloc[0]
        return ctx.text("finding_t", title=r.title, g1=row["group1_label"],
                        m1=_f(ctx, row["mean1"], "descriptive"), g2=row["group2_label"],
                        m2=_f(ctx, row["mean2"], "descriptive"),
                        test=ctx.test(str(row["method"]))[0], df=_f(ctx, row["df"], "df"),
                        t=_f(ctx, row["statistic"], "statistic"), p=_p(ctx, row["p"]),
                        n1=_f(ctx, row["n1"], "count"), n2=_f(ctx, row["n2"], "count"))
    if r.kind == "anova" and T.ANOVA in t:
        a = t[T.ANOVA]
        between = a[a["statistic"].notna()]
        if not len(between):
            return None
        parts = []
        for _, row in between.iterrows():
            within = a[(a["variable"] == row["variable"]) & (a["source"] == "Within Groups")]
            df2 = within["df"].iloc[0] if len(within) else None
            parts.append(ctx.text("finding_f_part", label=row["variable_label"],
                                  df1=_f(ctx, row["df"], "df"), df2=_f(ctx, df2, "df"),
                                  F=_f(ctx, row["statistic"], "statistic"),
                                  p=_p(ctx, row["p"]),
                                  n=_f(ctx, row.get("n"), "count")))
        return ctx.text("finding_anova", title=r.title, test=ctx.test(
            str(between["method"].iloc[0]))[0], parts="; ".join(parts))
    if r.kind == "grid" and T.GRID in t and len(t[T.GRID]):
        g = t[T.GRID]
        first = g[g["level"] == g["level"].iloc[0]].sort_values("percent", ascending=False)
        top, low = first.iloc[0], first.iloc[-1]
        return ctx.text("finding_grid", title=r.title, answer=top["label"],
                        top=top["item_label"], top_pct=nb.percent_text(top["percent"],
                                                                       ctx.lang),
                        top_n=_f(ctx, top["n"], "count"), low=low["item_label"],
                        low_pct=nb.percent_text(low["percent"], ctx.lang),
                        low_n=_f(ctx, low["n"], "count"))
    if r.kind == "multiple_response" and T.MULTIPLE_RESPONSE in t:
        m = t[T.MULTIPLE_RESPONSE]
        if "group" in m.columns and m["group"].astype(str).ne("Total").any():
            return None
        top = m.sort_values("pct_of_respondents", ascending=False).iloc[0]
        return ctx.text("finding_mr", title=r.title, option=top["label"],
                        pct=nb.percent_text(top["pct_of_respondents"], ctx.lang),
                        n=_f(ctx, top["n_respondents"], "count"))
    if r.kind == "regression" and T.MODEL in t and len(t[T.MODEL]):
        m = t[T.MODEL].iloc[0]
        if "r_squared" in m and pd.notna(m.get("r_squared")):
            return ctx.text("finding_ols", title=r.title, r2=_f(ctx, m["r_squared"], "bounded"),
                            df1=_f(ctx, m["df1"], "df"), df2=_f(ctx, m["df2"], "df"),
                            F=_f(ctx, m["statistic"], "statistic"), p=_p(ctx, m["p"]),
                            n=_f(ctx, m["n"], "count"))
        return None
    if r.kind == "scale" and T.ALPHA in t and len(t[T.ALPHA]):
        a = t[T.ALPHA].iloc[0]
        return ctx.text("finding_alpha", title=r.title, alpha=_f(ctx, a["estimate"], "bounded"),
                        k=_f(ctx, a["k"], "count"), n=_f(ctx, a["n"], "count"))
    return None
