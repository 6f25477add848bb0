"""Figures from result tables, with seaborn and one colour-blind-safe theme.

Each figure is drawn from a result's ``data`` table (computed by the runner) and comes with
alt text that says what it shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis import tables as T
from ..analysis.results import Result
from ..lang import confidence_level, text

PALETTE = "colorblind"


@dataclass
class Figure:
    """A drawn figure: its files, title and alt text."""

    id: str
    title: str
    alt: str
    png: Path
    svg: Path


@dataclass
class NotDrawn:
    """A figure that could not be drawn, with the note that says why (in the report's
    language): shown in its place in the HTML and Word reports."""

    note: str


def setup_plotting():
    """matplotlib (Agg) and seaborn with the report's theme; returns (plt, sns)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import seaborn as sns

    sns.set_theme(style="whitegrid", palette=PALETTE, context="notebook")
    plt.rcParams.update({"svg.hashsalt": "cipsurvey", "svg.fonttype": "none",
                         "figure.dpi": 100})
    return plt, sns


def draw(result: Result, out_dir: Path, lang: str) -> Figure | None:
    """Draw one figure result into ``out_dir`` as PNG and SVG; None if it has no data."""
    if result.error or T.DATA not in result.tables or result.tables[T.DATA].empty:
        return None
    import warnings

    plt, sns = setup_plotting()
    data = result.tables[T.DATA]
    with warnings.catch_warnings():  # seaborn 0.13 passes matplotlib's deprecated `vert`
        warnings.filterwarnings("ignore", message=".*vert: bool was deprecated.*")
        return _draw(plt, sns, result, data, out_dir, lang)


def _draw(plt, sns, result: Result, data: pd.DataFrame, out_dir: Path, lang: str) -> Figure:
    kind = result.figure
    if kind == "dumbbell":
        fig, alt = _dumbbell(plt, sns, data, lang)
    elif kind == "cohorts":
        fig, alt = _cohorts(plt, sns, data, lang, result.conf)
    elif kind == "counts_by_group":
        fig, alt = _counts(plt, sns, data, result.tables[T.BOXES], lang)
    elif kind == "stacked_grid":
        fig, alt = _stacked(plt, sns, data, lang)
    elif kind == "yes_bars":
        fig, alt = _yes_bars(plt, sns, data, lang, result.conf)
    elif kind == "mr_heatmap":
        fig, alt = _heatmap(plt, sns, data, lang)
    elif kind == "likert":
        fig, alt = likert_bars(plt, sns, data, lang)
    else:
        fig, alt = _mr_bars(plt, sns, data, lang, result.conf)
    fig.tight_layout()  # (no title in the picture: the report's caption gives it)
    from ..files import atomic_write

    png, svg = out_dir / f"{result.id}.png", out_dir / f"{result.id}.svg"
    atomic_write(png, lambda tmp: fig.savefig(tmp, format="png", dpi=150,
                                              metadata={"Software": None}))
    atomic_write(svg, lambda tmp: fig.savefig(tmp, format="svg",
                                              metadata={"Date": None, "Creator": None}))
    plt.close(fig)
    return Figure(result.id, result.title, alt, png, svg)


def _counts(plt, sns, data: pd.DataFrame, boxes: pd.DataFrame, lang: str):
    variables = list(dict.fromkeys(data["variable_label"]))
    fig, axes = plt.subplots(1, len(variables), figsize=(3.2 * len(variables), 4.2),
                             squeeze=False)
    order = boxes.sort_values("group", kind="stable")["group_label"].drop_duplicates().tolist()
    colours = sns.color_palette(PALETTE, len(order))
    every_point = data.groupby("variable_label", sort=False)["count"].sum().max() <= 5000
    for ax, var in zip(axes[0], variables, strict=True):
        box = boxes[boxes["variable_label"] == var].set_index("group_label").reindex(order)
        stats = [{"label": g, "q1": r["q1"], "med": r["median"], "q3": r["q3"],
                  "whislo": r["whisker_low"], "whishi": r["whisker_high"], "fliers": []}
                 for g, r in box.iterrows()]
        parts = ax.bxp(stats, positions=range(len(order)), widths=0.6, patch_artist=True,
                       showfliers=False, medianprops={"color": "0.15"})
        for patch, colour in zip(parts["boxes"], colours, strict=True):
            patch.set_facecolor(colour)
        sub = data[(data["variable_label"] == var) & data["count"].notna()]  # (suppressed)
        xs = sub["group_label"].map({g: i for i, g in enumerate(order)}).to_numpy(dtype=float)
        if every_point:  # one dot per answer, with a fixed jitter (the same on every run)
            rng = np.random.default_rng(0)
            reps = sub["count"].to_numpy(dtype=np.int64)
            xs, ys = np.repeat(xs, reps), np.repeat(sub["value"].to_numpy(), reps)
            ax.scatter(xs + rng.uniform(-0.25, 0.25, len(xs)), ys, s=4, color="0.25",
                       alpha=0.35, linewidths=0)
        else:  # too many to show one by one: one dot per answer given, beside its box,
            size = 4 + 120 * sub["count"].to_numpy() / sub["count"].max()  # area by how many
            ax.scatter(xs + 0.42, sub["value"], s=size, color="0.25", alpha=0.35,
                       linewidths=0)
        ax.set_title(_wrap(var, 34), fontsize=9)
        ax.set_xlabel("")
        ax.set_ylabel(text("figure.number", lang))
        ax.set_xticks(range(len(order)), [_wrap(o, 14) for o in order], fontsize=8)
    groups = ", ".join(order)
    shown = text("figure.individual_answers" if every_point else "figure.answers_per_value",
                 lang)
    alt = text("figure.counts_alt", lang, shown=shown, n=len(variables), groups=groups)
    return fig, alt


def _stacked(plt, sns, data: pd.DataFrame, lang: str):
    data = data.assign(item_label=_strip_common_prefix(data["item_label"]))
    wide = data.pivot_table(index="item_label", columns="label", values="percent",
                            sort=False)
    order = data.drop_duplicates("label")["label"].tolist()
    wide = wide[order].iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.38 * len(wide) + 1.5))
    wide.plot(kind="barh", stacked=True, ax=ax, width=0.8,
              color=sns.color_palette(PALETTE, len(order)))
    ax.set_xlabel(text("figure.percent", lang))
    ax.set_ylabel("")
    ax.set_xlim(0, 100)
    ax.tick_params(axis="y", labelsize=8)
    ax.legend(title="", ncol=len(order), loc="lower center", bbox_to_anchor=(0.5, 1.0),
              frameon=False)
    top = wide.iloc[-1]
    alt = text("figure.stacked_alt", lang, n=len(wide), top=wide.index[-1],
               percent=f"{top.iloc[0]:.0f}")
    return fig, alt


def _yes_bars(plt, sns, data: pd.DataFrame, lang: str, conf: float):
    first = data.drop_duplicates("label")["label"].iloc[0]
    data = data.assign(item_label=_strip_common_prefix(data["item_label"]))
    yes = data[data["label"] == first].sort_values("percent")
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(yes) + 1.2))
    ax.barh(yes["item_label"], yes["percent"], color=sns.color_palette(PALETTE)[0])
    ax.errorbar(yes["percent"], yes["item_label"],
                xerr=[yes["percent"] - yes["conf_low"], yes["conf_high"]
                      - yes["percent"]], fmt="none", ecolor="0.2", capsize=3)
    ax.set_xlim(0, 100)
    ax.set_xlabel(f"% {first}")
    ax.tick_params(axis="y", labelsize=8)
    alt = text("figure.yes_bars_alt", lang, answer=first, n=len(yes),
               level=confidence_level(conf, lang),
               low=f"{yes['percent'].min():.0f}", high=f"{yes['percent'].max():.0f}")
    return fig, alt


def _heatmap(plt, sns, data: pd.DataFrame, lang: str):
    wide = data.pivot_table(index="group_label", columns="label", values="pct_of_respondents",
                            sort=False)
    fig, ax = plt.subplots(figsize=(9, 3.6))
    sns.heatmap(wide, annot=True, fmt=".0f", cmap="viridis", vmin=0, vmax=100, ax=ax,
                cbar_kws={"label": text("figure.percent_of_respondents", lang)})
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    for label in ax.get_xticklabels():
        label.set_horizontalalignment("right")
    alt = text("figure.heatmap_alt", lang, groups=len(wide), options=wide.shape[1])
    return fig, alt


def _mr_bars(plt, sns, data: pd.DataFrame, lang: str, conf: float):
    d = data.sort_values("pct_of_respondents")
    fig, ax = plt.subplots(figsize=(7, 0.5 * len(d) + 1.2))
    ax.barh(d["label"], d["pct_of_respondents"], color=sns.color_palette(PALETTE)[1])
    ax.errorbar(d["pct_of_respondents"], d["label"],
                xerr=[d["pct_of_respondents"] - d["conf_low"],
                      d["conf_high"] - d["pct_of_respondents"]],
                fmt="none", ecolor="0.2", capsize=3)
    ax.set_xlim(0, 100)
    ax.set_xlabel(text("figure.percent_of_respondents", lang))
    n = int(d["n_respondents"].iloc[0])
    alt = text("figure.mr_bars_alt", lang, n=n, top=d["label"].iloc[-1],
               level=confidence_level(conf, lang),
               percent=f"{d['pct_of_respondents'].iloc[-1]:.0f}")
    return fig, alt


def _dumbbell(plt, sns, data: pd.DataFrame, lang: str):
    """Baseline and follow-up per indicator: percentages left, means right."""
    data = data.assign(indicator_label=[f"{lab}: {ans}" if ans else lab for lab, ans in zip(
        data["indicator_label"], data["answer"], strict=True)],
                       value_0=data["base"], value_1=data["follow"])
    pct = data[data["unit"] != "mean"].iloc[::-1]
    means = data[data["unit"] == "mean"].iloc[::-1]
    colours = sns.color_palette(PALETTE, 2)
    fig, axes = plt.subplots(1, 2, figsize=(11, 0.32 * len(pct) + 1.8),
                             gridspec_kw={"width_ratios": [3, 2]})
    for ax, part, unit in ((axes[0], pct, "%"), (axes[1], means, "")):
        labels = [_wrap(str(x), 45) for x in part["indicator_label"]]
        y = np.arange(len(part))
        ax.hlines(y, part["value_0"], part["value_1"], color="0.6", lw=2)
        ax.scatter(part["value_0"], y, color=colours[0], zorder=3,
                   label=text("figure.baseline", lang))
        ax.scatter(part["value_1"], y, color=colours[1], zorder=3,
                   label=text("figure.follow_up", lang))
        ax.set_yticks(y, labels, fontsize=7)
        ax.set_xlabel(unit or text("figure.mean", lang))
    axes[0].legend(loc="lower left", fontsize=8, frameon=False)
    up = int((data["value_1"] > data["value_0"]).sum())
    alt = text("figure.dumbbell_alt", lang, n=len(data), up=up)
    return fig, alt


def _cohorts(plt, sns, data: pd.DataFrame, lang: str, conf: float):
    """Each indicator per course occasion, with its intervals, side by side."""
    indicators = list(dict.fromkeys(data["indicator_label"]))
    fig, axes = plt.subplots(1, len(indicators), figsize=(3.2 * len(indicators), 3.6),
                             squeeze=False)
    colour = sns.color_palette(PALETTE, 1)[0]
    for ax, ind in zip(axes[0], indicators, strict=True):
        part = data[data["indicator_label"] == ind]
        x = part["group"].astype(float).to_numpy()
        ax.errorbar(x, part["estimate"], yerr=[part["estimate"] - part["conf_low"],
                                               part["conf_high"] - part["estimate"]],
                    fmt="o", color=colour, capsize=2)
        # the panel is named by the indicator's label, never by its variable name
        ax.set_title(_wrap(str(ind), 34), fontsize=9)
        ax.set_xticks(x)
        ax.set_xlabel(text("figure.course_occasion", lang))
        unit = part["unit"].iloc[0]
        ax.set_ylabel("%" if unit in ("percent", "%") else text("figure.mean", lang))
    alt = text("figure.cohorts_alt", lang, n=len(indicators), level=confidence_level(conf, lang),
               occasions=data["group"].nunique())
    return fig, alt


def likert_bars(plt, sns, data: pd.DataFrame, lang: str):
    """Diverging stacked bars of a Likert scale (Robbins & Heiberger, 2011): per item, each
    answer's percent; the answers below the middle of the scale to the left of zero, those
    above to the right, the middle answer centred on zero. ColorBrewer's PuOr palette
    (distinct under the common colour-vision deficiencies), the middle answer grey.

    ``data``: the item-by-answer table (``item, item_label, level, label, side, percent``,
    answers in scale order), as :func:`cipsurvey.stats.likert_distribution` gives it.
    """
    levels = list(dict.fromkeys(data["level"]))
    first = data.drop_duplicates("level").set_index("level")
    colours = sns.color_palette("PuOr", len(levels))
    colours = [(0.75, 0.75, 0.75) if first.loc[lv, "side"] == "middle" else c
               for lv, c in zip(levels, colours, strict=True)]
    items = list(dict.fromkeys(data["item"]))
    names = _strip_common_prefix(data.drop_duplicates("item").set_index("item")
                                 .loc[items, "item_label"])
    fig, ax = plt.subplots(figsize=(10, 0.55 * len(items) + 1.9))
    ys = np.arange(len(items))[::-1]
    above = {}
    reach = 0.0  # the longest bar end on either side, for a symmetric axis around 0
    for y, item in zip(ys, items, strict=True):
        part = data[data["item"] == item].set_index("level")
        pct = part["percent"].reindex(levels).fillna(0.0)  # (a suppressed cell draws as 0)
        side = part["side"].reindex(levels)
        left = -(pct[side == "below"].sum() + pct[side == "middle"].sum() / 2)
        reach = max(reach, -left, left + pct.sum())
        for lv, colour in zip(levels, colours, strict=True):
            ax.barh(y, pct[lv], left=left, color=colour, edgecolor="white", height=0.7,
                    label=first.loc[lv, "label"] if y == ys[0] else None)
            left += pct[lv]
        above[item] = pct[side == "above"].sum()
    ax.axvline(0, color="0.2", lw=0.8)
    ax.set_yticks(ys, [_wrap(n, 45) for n in names], fontsize=8)
    ax.set_xlabel(text("figure.likert_axis", lang))
    limit = 10 * np.ceil(reach / 10)
    ticks = np.arange(-limit, limit + 1, 20 if limit > 40 else 10)
    ax.set_xlim(-limit, limit)
    ax.set_xticks(ticks, [f"{abs(t):.0f}" for t in ticks])
    ax.legend(ncol=len(levels), loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False,
              fontsize=7.5, handlelength=1.2, columnspacing=1.0)
    top = max(above, key=above.get)
    alt = text("figure.likert_alt", lang, n=len(items),
               top=names.iloc[items.index(top)], percent=f"{above[top]:.0f}")
    return fig, alt


def _strip_common_prefix(labels: pd.Series) -> pd.Series:
    """Grid rows share their question stem ("Does the template contain: ..."): drop it."""
    values = labels.astype(str).tolist()
    prefix = values[0] if values else ""
    for v in values[1:]:  # the common leading characters of every label
        while not v.startswith(prefix):
            prefix = prefix[:-1]
    cut = prefix.rfind(":") + 1 if ":" in prefix else 0
    if cut <= 0:
        return labels
    return pd.Series([v[cut:].strip().rstrip("?").capitalize() for v in values],
                     index=labels.index)


def _wrap(label: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(label, width))
