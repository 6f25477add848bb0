"""The tables of a wave comparison, as tidy frames at full precision, from the indicators of a
``compare`` section. Every statistic comes from ``cipsurvey.stats``; nothing here names an
item of any instrument.

Shares are in percent and their changes in percentage points; means and their changes in the
item's unit. Labels are in the report's language (``lang``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .. import stats as st
from ..instrument import Instrument, ItemType
from ..lang import text
from ..stats import longitudinal, power, weights
from ..wave.compare_section import CompareSection, Indicator

WAVE = "_wave"
KEY = "_key"
GROUP = "_group"


# --------------------------------------------------------------------------- values


def indicator_values(data: pd.DataFrame, ind: Indicator, inst: Instrument) -> pd.Series:
    """The indicator's value per respondent: the number (count, number), the scale score,
    1/0 for a share (NaN where the question was not answered), or the answer code."""
    if ind.kind == "scale":  # reversed items within each one's own answer range
        return st.scale_scores(data, list(ind.items), min_items=ind.min_items,
                               reverse={i: inst.item_map[i].answer_range for i in ind.reverse})
    x = data[ind.column].astype(float)
    if ind.kind == "share":
        return pd.Series(np.where(x.isna(), np.nan, x.isin(ind.yes).astype(float)),
                         index=data.index)
    return x


def share_of(x: pd.Series, codes: tuple[float, ...]) -> pd.Series:
    """1/0 for answering one of ``codes`` (NaN where not answered)."""
    return pd.Series(np.where(x.isna(), np.nan, x.isin(codes).astype(float)), index=x.index)


@dataclass
class Waves:
    """The waves' data reduced to what the comparison needs: per wave a frame with the
    respondent key (``_key``) and one column per indicator, and beside it (same rows) the
    context: the traits, the grouping and the cohort as answered. ``long`` stacks the
    waves (``_wave`` = the wave's position)."""

    ids: list[str]
    frames: dict[str, pd.DataFrame]
    context: dict[str, pd.DataFrame]
    keyed: bool
    pairs: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    def long(self, waves: list[str] | None = None) -> pd.DataFrame:
        """The chosen waves (default: all) stacked, with the wave's position as a column."""
        chosen = waves or self.ids
        return pd.concat([self.frames[w].assign(**{WAVE: float(self.ids.index(w))})
                          for w in chosen], ignore_index=True)

    def with_columns(self, columns: dict[str, Any]) -> Waves:
        """The same waves with more columns: ``columns`` maps a name to a function of a
        wave's frame."""
        frames = {w: f.assign(**{c: fn(f) for c, fn in columns.items()})
                  for w, f in self.frames.items()}
        return Waves(self.ids, frames, self.context, self.keyed, self.pairs)

    def linked(self, base: str, follow: str, columns: list[str],
               baseline_only: list[str] = ()) -> pd.DataFrame:
        """One row per person in both waves (their first answer where someone answered a
        wave twice): ``columns`` suffixed ``_0`` and ``_1``, ``baseline_only`` from the
        baseline, and the key."""
        if (base, follow) not in self.pairs:
            self.pairs[(base, follow)] = _pair_rows(self.frames[base][KEY],
                                                    self.frames[follow][KEY])
        i0, i1 = self.pairs[(base, follow)]
        w0, w1 = self.frames[base], self.frames[follow]
        out = {KEY: w0[KEY].to_numpy()[i0]}
        for c in columns:
            out[f"{c}_0"] = w0[c].to_numpy()[i0]
            out[f"{c}_1"] = w1[c].to_numpy()[i1]
        for c in baseline_only:
            out[c] = self.context[base][c].to_numpy()[i0]
        return pd.DataFrame(out)


def _pair_rows(k0: pd.Series, k1: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Row positions of the people in both waves (first occurrence of each key)."""
    first0 = k0.dropna().drop_duplicates()
    first1 = k1.dropna().drop_duplicates()
    pos0 = pd.Series(np.arange(len(k0)), index=k0.index)[first0.index]
    pos1 = pd.Series(np.arange(len(k1)), index=k1.index)[first1.index]
    a = pd.DataFrame({"key": first0.to_numpy(), "i0": pos0.to_numpy()})
    b = pd.DataFrame({"key": first1.to_numpy(), "i1": pos1.to_numpy()})
    m = a.merge(b, on="key")
    return m["i0"].to_numpy(), m["i1"].to_numpy()


def reduce_waves(datasets: dict[str, pd.DataFrame], indicators: list[Indicator],
                 inst: Instrument, key: str | None, extra: list[str]) -> Waves:
    """Each wave's data reduced to the indicators (and the ``extra`` columns), with the
    respondent key where every wave has one."""
    frames, context = {}, {}
    keyed = bool(key) and all(key in d and d[key].notna().any() for d in datasets.values())
    for wave, data in datasets.items():
        ids = data[key] if keyed else pd.Series(np.nan, index=data.index)
        cols = {KEY: ids}
        for ind in indicators:
            cols[ind.id] = indicator_values(data, ind, inst)
        frames[wave] = pd.DataFrame(cols, index=data.index).reset_index(drop=True)
        context[wave] = pd.DataFrame({KEY: ids, **{name: data[name] for name in extra
                                                   if name in data}},
                                     index=data.index).reset_index(drop=True)
    return Waves(list(datasets), frames, context, keyed)


# --------------------------------------------------------------------------- change


def _label(ind: Indicator, lang: str) -> str:
    return ind.label.get(lang)


def _mean_block(v0: pd.Series, v1: pd.Series) -> dict[str, Any]:
    a, b = v0.dropna(), v1.dropna()
    return {"n_base": len(a), "base": a.mean() if len(a) else np.nan,
            "n_follow": len(b), "follow": b.mean() if len(b) else np.nan}


def change_rows(ind: Indicator, waves: Waves, base: str, follow: str,
                section: CompareSection, resp: weights.ResponseWeights | None,
                lang: str, conf: float, alpha: float) -> tuple[list[dict], list[dict]]:
    """The change rows of one indicator (one per answer of a categorical indicator) and,
    for a categorical indicator with linked respondents, its tests of the whole
    distribution."""
    if ind.kind == "categorical":
        rows, joint = [], []
        for code, answer in ind.categories:
            col = f"{ind.id}={code:g}"
            view = waves.with_columns(
                {col: lambda f, code=code: share_of(f[ind.id], (code,))})
            row = _one_change(ind, col, answer.get(lang), "share", view, base, follow,
                              section, resp, lang, conf, alpha)
            rows.append({**row, "code": code, "focus": code in ind.focus})
        if waves.keyed:
            m = waves.linked(base, follow, [ind.id])
            with warnings.catch_warnings():  # a singular table is said in the note
                warnings.simplefilter("ignore")
                mh = st.marginal_homogeneity(m, f"{ind.id}_0", f"{ind.id}_1")
            for _, r in mh.iterrows():
                note = r["note"] or ("" if np.isfinite(r["p"]) else
                                     text("compare.singular", lang))
                joint.append({"indicator": ind.id, "indicator_label": _label(ind, lang),
                              "test": r["test"], "statistic": r["statistic"], "df": r["df"],
                              "p": r["p"], "n": r["n"], "method": r["method"],
                              "note": note})
        return rows, joint
    answer = ind.answer.get(lang) if ind.answer is not None else ""
    unit = "mean" if ind.is_mean else "share"
    return [_one_change(ind, ind.id, answer, unit, waves, base, follow, section, resp, lang,
                        conf, alpha)], []


def _one_change(ind: Indicator, col: str, answer: str, unit: str, waves: Waves, base: str,
                follow: str, section: CompareSection, resp: weights.ResponseWeights | None,
                lang: str, conf: float, alpha: float) -> dict[str, Any]:
    w0, w1 = waves.frames[base], waves.frames[follow]
    scale = 1.0 if unit == "mean" else 100.0
    row: dict[str, Any] = {"indicator": ind.id, "indicator_label": _label(ind, lang),
                           "answer": answer,
                           "kind": ind.kind, "unit": "mean" if unit == "mean" else "points"}
    values = _mean_block(w0[col], w1[col])
    row.update(n_base=values["n_base"], base=scale * values["base"],
               n_follow=values["n_follow"], follow=scale * values["follow"])
    # ---- linked: the people in both waves
    if waves.keyed:
        m = waves.linked(base, follow, [col]).dropna(subset=[f"{col}_0", f"{col}_1"])
        row["linked_n"] = len(m)
        if unit == "mean":
            pt = st.paired_t(m, f"{col}_1", f"{col}_0", conf=conf).iloc[0]
            row.update(linked_base=m[f"{col}_0"].mean(), linked_follow=m[f"{col}_1"].mean(),
                       linked_change=pt["estimate"], linked_low=pt["conf_low"],
                       linked_high=pt["conf_high"], linked_p=pt["p"],
                       linked_test=text("compare.test_paired_t", lang), d_z=pt["d_z"],
                       linked_note=note_text(pt["note"], lang))
            sd_diff = pt["sd"]
        else:
            ps = longitudinal.paired_share_change(m, f"{col}_0", f"{col}_1", conf=conf).iloc[0]
            row.update(linked_base=100 * ps["before"], linked_follow=100 * ps["after"],
                       linked_change=100 * ps["estimate"], linked_low=100 * ps["conf_low"],
                       linked_high=100 * ps["conf_high"], linked_p=ps["p"],
                       linked_test=text("compare.test_mcnemar", lang),
                       linked_note=note_text(ps["note"], lang))
            discordant = (ps["b"] + ps["c"]) / ps["n"] if ps["n"] else 0.0
            row["linked_discordant"] = discordant
    # ---- whole sample: every response, the respondent as cluster
    spec = section.whole_sample
    method = spec.method if unit == "mean" else "gee"
    long = waves.long([base, follow])
    order = [float(waves.ids.index(base)), float(waves.ids.index(follow))]
    model = longitudinal.wave_change(long, col, WAVE, KEY if waves.keyed else None,
                                     order=sorted(order), reference=order[0], method=method,
                                     correlation=spec.correlation, conf=conf)
    ch = model[model["term"] == "change"].iloc[0]
    row.update(whole_n=ch["n_obs"], whole_people=ch["n_clusters"],
               whole_change=scale * ch["estimate"], whole_low=scale * ch["conf_low"],
               whole_high=scale * ch["conf_high"], whole_p=ch["p"],
               whole_test=whole_text(section, lang, unit),
               whole_note=note_text(ch["note"], lang))
    # ---- weighted for attrition (the linked, weighted by 1 / P(response))
    if resp is not None and waves.keyed:
        wts = resp.weights.dropna()
        m = waves.linked(base, follow, [col])
        m = m[m[KEY].isin(wts.index)]
        w = m[KEY].map(wts)
        follow_w = weights.weighted_mean(m[f"{col}_1"], w, conf).iloc[0]
        change_w = weights.weighted_mean(m[f"{col}_1"] - m[f"{col}_0"], w, conf).iloc[0]
        z = change_w["estimate"] / change_w["se"] if change_w["se"] > 0 else np.nan
        row.update(weighted_n=change_w["n"], weighted_ess=change_w["ess"],
                   weighted_follow=scale * follow_w["estimate"],
                   weighted_change=scale * change_w["estimate"],
                   weighted_low=scale * change_w["conf_low"],
                   weighted_high=scale * change_w["conf_high"],
                   weighted_p=2 * _norm_sf(abs(z)) if np.isfinite(z) else np.nan,
                   weighted_test=text("compare.test_weighted", lang))
    # ---- the primary test, and what it could detect when it found nothing
    primary = "linked" if waves.keyed else "whole"
    row["primary"] = primary
    row["p"] = row.get(f"{primary}_p", np.nan)
    row["significant"] = bool(np.isfinite(row["p"]) and row["p"] < alpha)
    plan = section.planning
    change = row.get(f"{primary}_change", np.nan)
    direction = -1 if np.isfinite(change) and change < 0 else 1
    mde = np.nan
    if primary == "linked" and row["linked_n"] >= 2:
        if unit == "mean":
            mde = power.mde_means(row["linked_n"], paired=True, sd=sd_diff, alpha=alpha,
                                  power=plan.power)["mde"].iloc[0] * direction
        else:
            mde = 100 * power.mde_shares(row["linked_base"] / 100, row["linked_n"], paired=True,
                                         discordant=discordant, direction=direction,
                                         alpha=alpha, power=plan.power)["mde"].iloc[0]
    elif primary == "whole" and min(row["n_base"], row["n_follow"]) >= 2:
        if unit == "mean":
            a, b = w0[col].dropna(), w1[col].dropna()
            pooled = np.sqrt(((len(a) - 1) * a.var() + (len(b) - 1) * b.var())
                             / (len(a) + len(b) - 2))
            mde = power.mde_means(len(a), len(b), sd=pooled, alpha=alpha,
                                  power=plan.power)["mde"].iloc[0] * direction
        else:
            mde = 100 * power.mde_shares(values["base"], row["n_base"], row["n_follow"],
                                         direction=direction, alpha=alpha,
                                         power=plan.power)["mde"].iloc[0]
    row["mde_all"] = mde
    row["mde"] = mde if not row["significant"] else np.nan
    return row


def note_text(note: str, lang: str) -> str:
    """A note of the statistics functions in the report's language ("" stays "")."""
    if not note:
        return ""
    if "admissible range" in note:
        return text("compare.note_fallback", lang)
    if "did not converge" in note or "convergence problem" in note:
        return text("compare.note_convergence", lang)
    if "no one changed" in note or "all differences equal" in note:
        return text("compare.note_no_change", lang)
    return text("compare.note_no_test", lang)


def whole_text(section: CompareSection, lang: str, unit: str = "mean") -> str:
    """The name of the whole-sample model of a row (shares always by GEE)."""
    spec = section.whole_sample
    if spec.method == "mixed" and unit == "mean":
        return text("compare.whole_mixed", lang)
    return text("compare.whole_gee_exchangeable" if spec.correlation == "exchangeable"
                else "compare.whole_gee_independence", lang)


def _norm_sf(z: float) -> float:
    from scipy import stats

    return float(stats.norm.sf(z))


# --------------------------------------------------------------------------- across waves


def across_waves(ind: Indicator, waves: Waves, section: CompareSection, lang: str,
                 conf: float, labels: dict[str, str]) -> tuple[list[dict], list[dict]]:
    """Each wave's value with its CI (t for means, Wilson for shares), and from one model
    over all waves the joint test and the trend per wave step."""
    cols: list[tuple[str, str, str]] = []
    if ind.kind == "categorical":
        for code, answer in ind.categories:
            cols.append((f"{ind.id}={code:g}", answer.get(lang), "share"))
    else:
        cols.append((ind.id, ind.answer.get(lang) if ind.answer else "",
                     "mean" if ind.is_mean else "share"))
    values, models = [], []
    long = waves.long()
    for col, answer, unit in cols:
        if col != ind.id:
            code = float(col.split("=", 1)[1])
            long[col] = share_of(long[ind.id], (code,))
        scale = 1.0 if unit == "mean" else 100.0
        for k, wave in enumerate(waves.ids):
            x = long.loc[long[WAVE] == k, col].dropna()
            if unit == "mean":
                d = st.describe(pd.DataFrame({"x": x}), "x", conf=conf).iloc[0]
                est, lo, hi = d["mean"], d["conf_low"], d["conf_high"]
            else:
                est = x.mean() if len(x) else np.nan
                lo, hi = st.wilson(int(x.sum()), len(x), conf)
            values.append({"indicator": ind.id, "indicator_label": _label(ind, lang),
                           "answer": answer,
                           "unit": "mean" if unit == "mean" else "percent",
                           "wave_id": wave, "wave": labels[wave],
                           "n": len(x), "estimate": scale * est, "conf_low": scale * lo,
                           "conf_high": scale * hi})
        spec = section.whole_sample
        method = spec.method if unit == "mean" else "gee"
        model = longitudinal.wave_change(long, col, WAVE, KEY if waves.keyed else None,
                                         order=[float(k) for k in range(len(waves.ids))],
                                         method=method, correlation=spec.correlation,
                                         conf=conf)
        for _, r in model[model["term"].isin(["joint", "trend"])].iterrows():
            trend = r["term"] == "trend"
            models.append({"indicator": ind.id, "indicator_label": _label(ind, lang),
                           "answer": answer,
                           "unit": "mean" if unit == "mean" else "points", "term": r["term"],
                           "estimate": scale * r["estimate"] if trend else np.nan,
                           "conf_low": scale * r["conf_low"] if trend else np.nan,
                           "conf_high": scale * r["conf_high"] if trend else np.nan,
                           "statistic": r["statistic"], "df": r["df"], "p": r["p"],
                           "n": r["n_obs"], "people": r["n_clusters"], "method": r["method"],
                           "note": r["note"]})
    return values, models


# --------------------------------------------------------------------------- response


def response_rates(datasets: dict[str, Any], invited: pd.DataFrame | None,
                   cohort: str | None, cohort_labels: dict[float, str],
                   files: dict[str, list[tuple[str, int]]], conf: float,
                   labels: dict[str, str]) -> pd.DataFrame:
    """Responses / invited per wave, per file and per cohort, with Wilson CIs (``wave``:
    the wave's label, ``wave_id`` its id)."""
    rows = []
    for wave, data in datasets.items():
        inv = invited[invited["wave"] == wave] if invited is not None else None
        total = int(inv["invited"].sum()) if inv is not None else None

        def row(level: str, group: str, n: int, of: int | None,
                wave: str = wave) -> dict[str, Any]:
            lo, hi = st.wilson(n, of, conf) if of else (np.nan, np.nan)
            return {"wave_id": wave, "wave": labels[wave], "level": level, "group": group,
                    "responded": n,
                    "invited": of, "percent": 100 * n / of if of else np.nan,
                    "conf_low": 100 * lo if of else np.nan,
                    "conf_high": 100 * hi if of else np.nan, "method": "Wilson"}

        rows.append(row("wave", "", len(data), total))
        for name, kept in files[wave]:
            rows.append(row("file", name, kept, None))
        if cohort and inv is not None:
            for _, r in inv.iterrows():
                n = int((data[cohort] == r["cohort"]).sum())
                rows.append(row("cohort", cohort_labels.get(r["cohort"], f"{r['cohort']:g}"),
                                n, int(r["invited"])))
    return pd.DataFrame(rows)


def linkage(w0: pd.DataFrame, w1: pd.DataFrame) -> pd.DataFrame:
    """People in both waves, in one only, and answers given twice in one wave."""
    ids0, ids1 = set(w0[KEY].dropna()), set(w1[KEY].dropna())
    return pd.DataFrame([
        {"group": "both", "n": len(ids0 & ids1)},
        {"group": "base_only", "n": len(ids0 - ids1)},
        {"group": "follow_only", "n": len(ids1 - ids0)},
        {"group": "twice_base", "n": int(w0[KEY].dropna().duplicated().sum())},
        {"group": "twice_follow", "n": int(w1[KEY].dropna().duplicated().sum())},
        {"group": "no_key_base", "n": int(w0[KEY].isna().sum())},
        {"group": "no_key_follow", "n": int(w1[KEY].isna().sum())},
    ])


def trait_kinds(traits: list[str], inst: Instrument) -> dict[str, str]:
    """``number`` for count and number items, ``category`` for the rest."""
    out = {}
    for t in traits:
        item = inst.item_map.get(t)
        numeric = item is not None and item.type in (ItemType.count, ItemType.number)
        out[t] = "number" if numeric else "category"
    return out


def _level_label(inst: Instrument, trait: str, level: float, lang: str) -> str:
    item = inst.item_map.get(trait)
    found = item.label(level, lang) if item is not None else None
    if found is None and trait in inst.derived_map:
        found = next((c.label.get(lang) for c in inst.derived_map[trait].choices
                      if c.code == level), None)
    return found or f"{level:g}"


def attrition(base: pd.DataFrame, followed_ids: set, traits: list[str], inst: Instrument,
              lang: str) -> pd.DataFrame:
    """Baseline traits of those who answered the follow-up and those who did not: a test
    and a standardized difference each (Welch t and Cohen's d for numbers, Pearson χ² and
    Cohen's h for each category)."""
    frame = base.dropna(subset=[KEY]).drop_duplicates(KEY).copy()
    frame["_followed"] = frame[KEY].isin(followed_ids).map({True: 1.0, False: 2.0})
    kinds = trait_kinds(traits, inst)
    rows = []
    for trait in traits:
        if trait not in frame:
            continue
        label = trait_label(inst, trait, lang)
        stayed = frame.loc[frame["_followed"] == 1, trait]
        left = frame.loc[frame["_followed"] == 2, trait]
        if kinds[trait] == "number":
            t = st.ttest(frame, trait, "_followed", order=[1.0, 2.0]).iloc[1]
            d = st.cohens_d(frame, trait, "_followed", order=[1.0, 2.0]).iloc[0]
            rows.append({"trait": trait, "trait_label": label, "level": np.nan,
                         "level_label": "", "unit": "mean", "n_followed": stayed.notna().sum(),
                         "n_lost": left.notna().sum(), "followed": stayed.mean(),
                         "lost": left.mean(), "smd": d["estimate"], "smd_kind": "d",
                         "statistic": t["statistic"], "df": t["df"], "p": t["p"],
                         "method": text("compare.test_welch", lang)})
            continue
        pearson = st.chi2_tests(frame, trait, "_followed").iloc[0]
        for level in sorted(frame[trait].dropna().unique()):
            p1 = (stayed.dropna() == level).mean()
            p0 = (left.dropna() == level).mean()
            h = 2 * np.arcsin(np.sqrt(p1)) - 2 * np.arcsin(np.sqrt(p0))
            rows.append({"trait": trait, "trait_label": label, "level": level,
                         "level_label": _level_label(inst, trait, level, lang),
                         "unit": "percent", "n_followed": stayed.notna().sum(),
                         "n_lost": left.notna().sum(), "followed": 100 * p1,
                         "lost": 100 * p0, "smd": h, "smd_kind": "h",
                         "statistic": pearson["statistic"], "df": pearson["df"],
                         "p": pearson["p"],
                         "method": text("compare.test_pearson", lang)})
    return pd.DataFrame(rows)


def trait_label(inst: Instrument, trait: str, lang: str) -> str:
    """The question text of an item or derived variable; the name itself otherwise."""
    if trait in inst.item_map:
        return inst.item_map[trait].text.get(lang)
    if trait in inst.derived_map:
        return inst.derived_map[trait].text.get(lang)
    return trait


def attrition_weights(base: pd.DataFrame, followed_ids: set, traits: list[str],
                      section: CompareSection, inst: Instrument,
                      conf: float) -> weights.ResponseWeights | None:
    """Inverse-probability-of-response weights for those in the baseline with a key,
    indexed by the key."""
    frame = base.dropna(subset=[KEY]).drop_duplicates(KEY).set_index(KEY)
    frame["_responded"] = frame.index.isin(followed_ids).astype(float)
    if frame["_responded"].nunique() < 2:
        return None
    kinds = trait_kinds(traits, inst)
    present = [t for t in traits if t in frame]
    return weights.response_weights(
        frame, "_responded", present, categorical=[t for t in present
                                                   if kinds[t] == "category"],
        trim=section.weights.trim, extreme=section.weights.extreme, conf=conf)


def weight_notes(resp: weights.ResponseWeights, inst: Instrument, lang: str,
                 count: Any = lambda name, n: str(n)) -> list[str]:
    """What the response model assumed or left out, in the report's language (each count
    through ``count(name, n)``, which the disclosure control replaces)."""
    out = [text("compare.weights_missing", lang, trait=trait_label(inst, t, lang),
                n=count(f"missing:{t}", n)) for t, n in resp.missing.items()]
    if resp.left_out:
        names = []
        for col in resp.left_out:
            trait, _, level = col.partition("=")
            names.append(f"{trait_label(inst, trait, lang)} ("
                         + (text("compare.no_answer", lang) if level == "missing" else
                            _level_label(inst, trait, float(level), lang)) + ")")
        out.append(text("compare.weights_left_out", lang, columns=", ".join(names)))
    if not resp.converged:
        out.append(text("compare.weights_not_converged", lang))
    trimmed = int(resp.diagnostics["n_trimmed"].iloc[0])
    if trimmed:
        out.append(text("compare.weights_trimmed", lang, n=count("trimmed", trimmed)))
    return out


# --------------------------------------------------------------------------- by group


def change_by_group(indicators: list[Indicator], waves: Waves, base: str, follow: str,
                    by: str, levels: tuple[float, ...], inst: Instrument, lang: str,
                    alpha: float, power_level: float) -> pd.DataFrame:
    """Change among the linked per group (mean change score with its t CI), whether it
    differs between groups (Kruskal-Wallis on the change scores, ANOVA beside) and the
    effect (Cohen's f) that ANOVA could detect with these groups."""
    rows = []
    for ind in indicators:
        view = waves
        if ind.kind == "categorical":
            if not ind.share_codes:
                continue
            view = waves.with_columns(
                {ind.id: lambda f, ind=ind: share_of(f[ind.id], ind.share_codes)})
        m = view.linked(base, follow, [ind.id], baseline_only=[by])
        m = m.dropna(subset=[f"{ind.id}_0", f"{ind.id}_1", by])
        if levels:
            m = m[m[by].isin(levels)]
        scale = 1.0 if ind.is_mean else 100.0
        m["delta"] = scale * (m[f"{ind.id}_1"] - m[f"{ind.id}_0"])
        kw = st.kruskal(m, "delta", by).iloc[0]
        an = st.anova(m, "delta", by).iloc[0]
        k = m[by].nunique()
        f_mde = power.mde_groups(k, len(m), alpha=alpha, power=power_level)["effect"].iloc[0]
        answer = ind.answer.get(lang) if ind.answer is not None else ""
        for group, part in m.groupby(by):
            d = st.describe(part, "delta").iloc[0]
            rows.append({"indicator": ind.id, "indicator_label": _label(ind, lang),
                         "answer": answer,
                         "unit": "mean" if ind.is_mean else "points", "group": group,
                         "group_label": _level_label(inst, by, group, lang), "n": d["n"],
                         "change": d["mean"], "conf_low": d["conf_low"],
                         "conf_high": d["conf_high"], "statistic": kw["statistic"],
                         "df": kw["df"], "p": kw["p"], "p_anova": an["p"], "mde_f": f_mde,
                         "method": text("compare.test_kruskal", lang)})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- cohorts


def cohorts(indicators: list[Indicator], waves: Waves, cohort: str, inst: Instrument,
            lang: str, conf: float,
            labels: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each cohort indicator per course occasion in each wave (share with a Wilson CI, mean
    with a t CI) and a heterogeneity test across occasions (Pearson χ², Kruskal-Wallis)."""
    rows, tests = [], []
    for wave in waves.ids:
        if cohort not in waves.context[wave]:
            continue
        w = waves.frames[wave].assign(**{GROUP: waves.context[wave][cohort]})
        if w[GROUP].notna().sum() == 0:
            continue
        for ind in indicators:
            label = _label(ind, lang)
            if ind.is_mean:
                d = st.describe(w, ind.id, GROUP, conf=conf)
                for _, r in d[d["group"] != "Total"].iterrows():
                    rows.append({"wave_id": wave, "wave": labels[wave], "indicator": ind.id,
                                 "indicator_label": label,
                                 "group": r["group"],
                                 "group_label": _level_label(inst, cohort, r["group"], lang),
                                 "n": r["n"], "estimate": r["mean"], "conf_low": r["conf_low"],
                                 "conf_high": r["conf_high"], "unit": "mean"})
                kw = st.kruskal(w, ind.id, GROUP).iloc[0]
                tests.append({"wave_id": wave, "wave": labels[wave], "indicator": ind.id,
                              "indicator_label": label,
                              "test": "Kruskal-Wallis", "statistic": kw["statistic"],
                              "df": kw["df"], "p": kw["p"],
                              "method": text("compare.test_kruskal", lang),
                              "note": kw["note"]})
                continue
            col = "_share"
            frame = w[[GROUP]].assign(**{col: share_of(w[ind.id], ind.share_codes)
                                          if ind.kind == "categorical" else w[ind.id]})
            f = st.frequencies(frame, col, GROUP, labels={1.0: "1", 0.0: "0"}, conf=conf)
            for _, r in f[f["level"] == 1.0].iterrows():
                rows.append({"wave_id": wave, "wave": labels[wave], "indicator": ind.id,
                             "indicator_label": label,
                             "group": r["group"],
                             "group_label": _level_label(inst, cohort, r["group"], lang),
                             "n": r["n"], "estimate": r["percent"],
                             "conf_low": 100 * r["conf_low"], "conf_high": 100 * r["conf_high"],
                             "unit": "percent"})
            pearson = st.chi2_tests(frame, GROUP, col).iloc[0]
            tests.append({"wave_id": wave, "wave": labels[wave], "indicator": ind.id,
                          "indicator_label": label,
                          "test": "χ²", "statistic": pearson["statistic"],
                          "df": pearson["df"], "p": pearson["p"],
                          "method": text("compare.test_pearson", lang),
                          "note": pearson["note"]})
    return pd.DataFrame(rows), pd.DataFrame(tests)


# --------------------------------------------------------------------------- planning


def planning(change: pd.DataFrame, by_group: pd.DataFrame | None, section: CompareSection,
             alpha: float) -> pd.DataFrame:
    """What the next wave could detect and what it needs: the minimum detectable effect of
    the paired, whole-sample and group comparisons at the median n of the indicators, and
    the sample needed for the section's effects (``d`` for means, ``points`` for shares; a
    share at 50 %, where it varies most; for groups Cohen's f = d / 2, that of two groups d
    apart).

    Returns
    -------
    DataFrame
        ``design`` (paired, independent, groups), ``unit`` (standardized or points),
        ``what`` (mde or n_needed) and the columns of :mod:`cipsurvey.stats.power`.
    """
    plan = section.planning
    rows = []
    points = plan.points / 100

    def add(frame: pd.DataFrame, design: str, what: str, unit: str, scale: float = 1.0) -> None:
        r = frame.iloc[0].to_dict()
        r["mde"] = scale * r["mde"]
        rows.append({**r, "design": design, "what": what, "unit": unit})

    shares = change[change["unit"] == "points"]
    if "linked_n" in change and change["linked_n"].notna().any():
        n = int(change["linked_n"].median())
        add(power.mde_means(n, paired=True, alpha=alpha, power=plan.power), "paired", "mde",
            "standardized")
        add(power.sample_size(plan.d, design="paired", alpha=alpha, power=plan.power),
            "paired", "n_needed", "standardized")
        psi = shares["linked_discordant"].median() if len(shares) else np.nan
        if np.isfinite(psi) and psi > points**2:
            add(power.mde_shares(0.5, n, paired=True, discordant=psi, alpha=alpha,
                                 power=plan.power), "paired", "mde", "points", 100)
            dz = power.dz_paired_shares(points, psi)
            add(power.sample_size(dz, design="paired", alpha=alpha, power=plan.power),
                "paired", "n_needed", "points")
    n0, n1 = int(change["n_base"].median()), int(change["n_follow"].median())
    add(power.mde_means(n0, n1, alpha=alpha, power=plan.power), "independent", "mde",
        "standardized")
    add(power.sample_size(plan.d, design="independent", alpha=alpha, power=plan.power),
        "independent", "n_needed", "standardized")
    add(power.mde_shares(0.5, n0, n1, alpha=alpha, power=plan.power), "independent", "mde",
        "points", 100)
    w = power.w_two_shares(0.5, 0.5 + points, 0.5)
    add(power.sample_size(w, design="chi2", k=2, alpha=alpha, power=plan.power),
        "independent", "n_needed", "points")
    if by_group is not None and len(by_group):
        first = by_group[by_group["indicator"] == by_group["indicator"].iloc[0]]
        k, n = first["group"].nunique(), int(first["n"].sum())
        add(power.mde_groups(k, n, alpha=alpha, power=plan.power), "groups", "mde",
            "standardized")
        add(power.sample_size(plan.d / 2, design="anova", k=k, alpha=alpha, power=plan.power),
            "groups", "n_needed", "standardized")
    return pd.DataFrame(rows)


def plan_group_power(analyses: list[Any], data: pd.DataFrame, inst: Instrument, lang: str,
                     alpha: float, power_level: float) -> pd.DataFrame:
    """The minimum detectable effect of each group comparison of the analysis plan (t tests,
    ANOVAs, crosstabs) with the group sizes of ``data`` (the latest wave): Cohen's d for two
    groups, f for several, w for a crosstab.

    ``analyses`` are the plan's analyses (with ``kind``, ``variables``/``by``/``levels`` or
    ``rows``/``columns``, ``subset`` and ``title``); a subset is applied as the report does.
    """
    from ..instrument import expr

    rows = []
    variables = inst.variables()
    for a in analyses:
        if a.kind not in ("ttest", "anova", "crosstab"):
            continue
        frame = data
        if a.subset:
            mask = expr.bind(a.subset, variables).evaluate(data).fillna(False)
            frame = data[mask.to_numpy(dtype=bool)]
        outcomes = a.variables if a.kind != "crosstab" else [a.rows]
        group = a.by if a.kind != "crosstab" else a.columns
        for outcome in outcomes:
            both = frame[[outcome, group]].dropna()
            if a.kind == "ttest" and a.levels:
                both = both[both[group].isin(a.levels)]
            sizes = both[group].value_counts()
            base = {"analysis": a.id, "title": a.title.get(lang), "variable": outcome,
                    "groups": len(sizes), "n": int(sizes.sum())}
            if len(sizes) < 2:
                continue
            if a.kind == "ttest" and len(sizes) == 2:
                r = power.mde_means(int(sizes.iloc[0]), int(sizes.iloc[1]), alpha=alpha,
                                    power=power_level)
            elif a.kind in ("ttest", "anova"):
                r = power.mde_groups(len(sizes), int(sizes.sum()), alpha=alpha,
                                     power=power_level)
            else:
                dof = (both[outcome].nunique() - 1) * (len(sizes) - 1)
                r = power.mde_groups(len(sizes), int(sizes.sum()), test="chi2", dof=dof,
                                     alpha=alpha, power=power_level)
            r = r.iloc[0]
            rows.append({**base, "effect_name": r["effect_name"], "effect": r["effect"],
                         "power": power_level, "method": r["method"]})
    return pd.DataFrame(rows)
