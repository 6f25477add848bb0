"""Build the synthetic demo waves: 705 staff at baseline, about 70 % of them a year later.

SYNTHETIC DATA. Nothing here comes from the study's respondents: the answers are invented so
that their aggregates reproduce what Källmén, Hed & Elgán (2017) print (see ``calibration``
and ``docs/demo-data.md``). The construction is deterministic: a fixed seed, fixed totals,
and no network.

Every respondent-level choice is written so that the counts behind the paper's tables come out
exactly: the cross-table of gender and work area, who was ever involved in a CIP, who answered
which question. Where the paper contradicts itself, one resolution is followed and named in
``docs/demo-data.md``.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd

from .calibration import AGE_TOTALS, TABLE2, TABLE2_TOTALS, YEARS_TOTALS
from .histogram import expand, solve_histogram

SEED = 20170301
NAN = np.nan
SS, PC, SUT, OH = 1, 2, 3, 4
THREE = (SS, PC, SUT)
WOMAN, MAN = 1, 2

# course occasions (the paper: ten occasions, November 2014 to March 2015, 797 invited)
COURSE_DATES = ["2014-11-06", "2014-11-20", "2014-12-04", "2014-12-11", "2015-01-22",
                "2015-02-05", "2015-02-12", "2015-02-26", "2015-03-12", "2015-03-26"]
INVITED = [85, 72, 90, 64, 88, 77, 95, 70, 82, 74]
RESPONDED = [76, 64, 79, 57, 78, 68, 84, 61, 73, 65]   # 705 in all (88.5 % per occasion on av.)
PAPER = [7, 5, 8, 5, 7, 6, 8, 6, 6, 5]                 # 63 paper forms, 642 web answers

# Table 1: gender x work area (area NaN = not answered); the two respondents without gender
# are one in social services (Table 5's N = 363 against Table 1's 362) and one without area.
CELLS = [(WOMAN, SS, 295), (WOMAN, PC, 136), (WOMAN, SUT, 106), (WOMAN, OH, 24),
         (WOMAN, NAN, 2), (MAN, SS, 67), (MAN, PC, 39), (MAN, SUT, 29), (MAN, OH, 5),
         (NAN, SS, 1), (NAN, NAN, 1)]
EDUCATION = {WOMAN: [0, 30, 2, 518, 12], MAN: [1, 6, 1, 126, 6]}  # one woman did not answer
EVER = {SS: 239, PC: 132, SUT: 106, OH: 16, "missing": 1}        # 494 ever involved
# meets clients needing a CIP, among those never involved: (no, not answered) per area
MEETS_NO = {SS: (24, 1), PC: (9, 0), SUT: (7, 0), OH: (4, 0), "missing": (1, 1)}

# template question among the ever involved: (answered, exists, none, not aware)
TEMPLATE = {SS: (238, 148, 55, 35), PC: (130, 101, 2, 27), SUT: (105, 90, 14, 1),
            "rest": (17, 7, 4, 6)}
# Table 3: item -> (answered, yes, no, don't know); long-term goals 234 yes (printed 324)
TABLE3 = {
    "tc_personal_data": (342, 326, 0, 16), "tc_date_established": (341, 324, 2, 15),
    "tc_participants": (341, 321, 3, 17), "tc_measures": (340, 319, 5, 16),
    "tc_responsible_party": (340, 316, 4, 20), "tc_support_needs": (341, 314, 5, 22),
    "tc_follow_up_time": (341, 304, 12, 25), "tc_coordination_responsibility": (340, 293, 14, 33),
    "tc_client_wishes": (339, 261, 41, 37), "tc_long_term_goals": (340, 234, 57, 49),
    "tc_short_term_goals": (340, 215, 71, 54), "tc_housing": (340, 153, 133, 54),
    "tc_follow_up_how": (340, 146, 115, 79), "tc_occupation": (339, 135, 142, 62),
}
# Table 4: item -> (answered, yes)
TABLE4 = {
    "cq_responsibilities_clarified": (467, 433), "cq_client_influence": (469, 404),
    "cq_adequate_support": (470, 391), "cq_coordination": (468, 389),
    "cq_more_interventions": (470, 387), "cq_easier_care": (468, 382),
    "cq_more_investigations": (468, 332),
}
PARTNERS = ["social_services", "psychiatric_care", "sut_services", "social_insurance_agency",
            "employment_services", "correctional_treatment", "primary_healthcare"]
# Table 5: answering respondents and the count choosing each partner (own area: none)
TABLE5 = {
    SS: (237, [0, 170, 119, 31, 28, 31, 19]),
    PC: (131, [99, 0, 51, 39, 34, 7, 21]),
    SUT: (94, [74, 55, 0, 17, 17, 32, 6]),
}
# easiest and most difficult partner: (answered, {partner code: count})
EASIEST = {SS: (236, {2: 117, 3: 71, 4: 10, 5: 9, 6: 14, 7: 15}),
           PC: (120, {1: 85, 3: 17, 4: 7, 5: 6, 7: 5}),
           SUT: (94, {1: 78, 2: 9, 4: 2, 5: 2, 6: 2, 7: 1})}
HARDEST = {SS: (236, {2: 112, 3: 38, 4: 44, 5: 25, 6: 6, 7: 11}),
           PC: (120, {1: 32, 3: 28, 4: 30, 5: 17, 6: 5, 7: 8}),
           SUT: (86, {1: 14, 2: 40, 4: 19, 5: 8, 6: 2, 7: 3})}
ABSTAINED = {SS: 38, PC: 15, SUT: 13, OH: 3, "missing": 0}    # 69 of the 494
COUNT_SETS = {  # answered: participated 30 d, self 30 d, participated 6 m, self 6 m (Table 2)
    SS: (209, 147, 207, 148), PC: (117, 87, 117, 88), SUT: (83, 72, 82, 71),
}
COMMENTS = [
    "Bra att kursen samlar alla parter.", "Svårt att få tid till SIP-möten.",
    "Vi behöver en gemensam mall med socialtjänsten.", "Klienterna uppskattar SIP.",
    "Oklart vem som ska kalla till möte.", "Mer stöd från chefer behövs.",
    "Samverkan fungerar bättre med beroendevården än med psykiatrin.",
    "Ser fram emot kursen.", "Journalsystemen pratar inte med varandra.",
    "SIP borde följas upp oftare.", "Hög personalomsättning försvårar samverkan.",
    "Skulle vilja ha fler exempel på bra planer.",
]


def _area_key(area: float) -> object:
    return "missing" if pd.isna(area) else int(area)


class _Builder:
    def __init__(self, seed: int = SEED, histograms: dict | None = None) -> None:
        self.rng = np.random.default_rng(seed)
        self.histograms = histograms if histograms is not None else {}

    # ------------------------------------------------------------------ helpers
    def pick(self, index: pd.Index | np.ndarray, k: int) -> np.ndarray:
        index = np.asarray(index)
        if k > len(index):
            raise ValueError(f"cannot pick {k} of {len(index)}")
        return self.rng.permutation(index)[:k]

    def histogram(self, key: str, n: int, total: int, total_sq: int, **kw) -> np.ndarray:
        """Sorted values for one calibrated group (solved once, then cached)."""
        if key not in self.histograms:
            counts = solve_histogram(n, total, total_sq, **kw)
            self.histograms[key] = {"low": int(kw.get("low", 0)), "counts": counts.tolist()}
        h = self.histograms[key]
        return expand(np.array(h["counts"]), h["low"])

    # ------------------------------------------------------------------ baseline
    def baseline(self) -> pd.DataFrame:
        rows = []
        for gender, area, n in CELLS:
            rows += [{"gender": gender, "work_area": area}] * n
        df = pd.DataFrame(rows, dtype=float)
        df = df.iloc[self.rng.permutation(len(df))].reset_index(drop=True)
        self._ever(df)
        self._background(df)
        self._meets(df)
        self._counts(df)
        self._abstention(df)
        self._template(df)
        self._consequences(df)
        self._partners(df)
        self._climate_and_rest(df)
        self._admin(df)
        return df

    def _ever(self, df: pd.DataFrame) -> None:
        df["ever_cip"] = 2.0
        for key, n in EVER.items():
            pool = df.index[df["work_area"].map(_area_key) == key]
            pool = pool[df.loc[pool, "gender"].notna()]  # the two without gender: never
            df.loc[self.pick(pool, n), "ever_cip"] = 1.0

    def _background(self, df: pd.DataFrame) -> None:
        never = df["ever_cip"] == 2
        df["age"] = NAN
        df["years_at_workplace"] = NAN
        df["education"] = NAN
        for g, key in ((WOMAN, "woman"), (MAN, "man")):
            members = df.index[df["gender"] == g]
            n_age = AGE_TOTALS[key][0]
            n_years = YEARS_TOTALS[key][0]
            # the few without age or years are among those never involved, so the regression
            # on CIP counts keeps every involved respondent
            candidates = df.index[(df["gender"] == g) & never]
            no_age = self.pick(candidates, len(members) - n_age)
            no_years = self.pick(candidates, len(members) - n_years)
            with_age = members.difference(no_age)
            with_years = members.difference(no_years)
            ages = self.histogram(f"age_{key}", *AGE_TOTALS[key], low=20, high=67)
            years = self.histogram(f"years_{key}", *YEARS_TOTALS[key], low=0, high=45)
            df.loc[self.rng.permutation(with_age), "age"] = ages
            self._pair_years(df, with_years, years)
            edu = np.repeat(np.arange(1, 6), EDUCATION[g]).astype(float)
            no_edu = self.pick(candidates, len(members) - len(edu))
            df.loc[self.rng.permutation(members.difference(no_edu)), "education"] = edu
        df["profession"] = [self._profession(a) for a in df["work_area"]]

    def _pair_years(self, df: pd.DataFrame, who: pd.Index, years: np.ndarray) -> None:
        """Give longer tenures to older staff (a rank correlation of about .5)."""
        age = df.loc[who, "age"].fillna(df["age"].mean()).to_numpy()
        score = (age - age.mean()) / age.std() + self.rng.normal(0, 1.0, len(age))
        order = np.argsort(score, kind="stable")
        values = np.sort(years)
        assigned = np.empty(len(who))
        assigned[order] = values
        # nobody has worked longer at the workplace than since age 18
        for _ in range(1000):
            bad = np.nonzero(assigned > age - 18)[0]
            if not len(bad):
                break
            i = bad[0]
            ok = np.nonzero((assigned < assigned[i]) & (assigned[i] <= age - 18)
                            & (assigned <= age[i] - 18))[0]
            j = ok[np.argmin(np.abs(age[ok] - age[i]))]
            assigned[i], assigned[j] = assigned[j], assigned[i]
        df.loc[who, "years_at_workplace"] = assigned

    def _profession(self, area: float) -> float:
        weights = {SS: [0.80, 0.02, 0.01, 0.0, 0.03, 0.10, 0.04],
                   PC: [0.12, 0.38, 0.20, 0.08, 0.12, 0.06, 0.04],
                   SUT: [0.20, 0.25, 0.08, 0.05, 0.07, 0.30, 0.05],
                   OH: [0.10, 0.45, 0.05, 0.15, 0.05, 0.05, 0.15]}
        w = weights.get(area)
        if w is None:
            return NAN
        w = np.array(w) / np.sum(w)
        return float(self.rng.choice(np.arange(1, 8), p=w))

    def _meets(self, df: pd.DataFrame) -> None:
        df["meets_clients_needing_cip"] = 1.0
        for key, (no, missing) in MEETS_NO.items():
            pool = df.index[(df["work_area"].map(_area_key) == key) & (df["ever_cip"] == 2)]
            chosen = self.pick(pool, no + missing)
            df.loc[chosen[:no], "meets_clients_needing_cip"] = 2.0
            df.loc[chosen[no:], "meets_clients_needing_cip"] = NAN

    # ------------------------------------------------------------------ Table 2 counts
    def _counts(self, df: pd.DataFrame) -> None:
        for col in ("n_part_30d", "n_self_30d", "n_part_6m", "n_self_6m",
                    "n_part_12m", "n_self_12m"):
            df[col] = NAN
        for a_i, area in enumerate(THREE):
            involved = self.rng.permutation(df.index[(df["work_area"] == area)
                                                     & (df["ever_cip"] == 1)])
            n_p30, n_s30, n_p6, n_s6 = COUNT_SETS[area]
            p30 = involved[:n_p30]
            p6 = np.concatenate([p30[: n_p6 - 2], involved[n_p30:n_p30 + 2]])
            s30 = p30[:n_s30]
            s6 = p6[:n_s6]
            values = {}
            for col in TABLE2:
                target = TABLE2[col]
                total, total_sq = TABLE2_TOTALS[col][a_i]
                n = target.n[a_i]
                high = int(min(300, target.mean[a_i] + 12 * target.sd[a_i]))
                values[col] = self.histogram(f"{col}_{area}", n, total, total_sq,
                                             median=target.median[a_i], high=high)
            df.loc[p6, "n_part_6m"] = self._decorrelate(df, p6, values["n_part_6m"])
            self._follow(df, p6, "n_part_6m", s6, "n_self_6m", values["n_self_6m"], 0.6)
            self._follow(df, p6, "n_part_6m", p30, "n_part_30d", values["n_part_30d"], 0.5)
            self._follow(df, p30, "n_part_30d", s30, "n_self_30d", values["n_self_30d"], 0.6)
            self._repair_order(df, p30, "n_part_30d", "n_part_6m")
            self._repair_order(df, s30, "n_self_30d", "n_self_6m")
        others = df.index[(df["ever_cip"] == 1) & ~df["work_area"].isin(THREE)]
        for i in others:  # involved staff outside the three areas (not in Table 2)
            p6 = float(self.rng.negative_binomial(1.2, 0.15))
            df.loc[i, "n_part_6m"] = p6
            df.loc[i, "n_part_30d"] = float(min(p6, self.rng.binomial(int(p6), 0.2)))
            df.loc[i, "n_self_6m"] = float(self.rng.binomial(int(p6), 0.5))
            df.loc[i, "n_self_30d"] = float(min(df.loc[i, "n_self_6m"],
                                                df.loc[i, "n_part_30d"]))
        involved = df["ever_cip"] == 1
        for six, twelve in (("n_part_6m", "n_part_12m"), ("n_self_6m", "n_self_12m")):
            base = df.loc[involved, six]
            extra = self.rng.poisson(np.clip(base.fillna(2).to_numpy(), 0, None) * 0.8 + 0.3)
            df.loc[involved, twelve] = np.where(base.notna(), base + extra, NAN)
            missing12 = self.pick(df.index[involved & df[twelve].notna()], 9)
            df.loc[missing12, twelve] = NAN
        df["n_part_12m"] = df["n_part_12m"].clip(upper=600)
        df["n_self_12m"] = df["n_self_12m"].clip(upper=600)

    def _decorrelate(self, df: pd.DataFrame, who: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Order ``values`` over ``who`` so that they hardly correlate with gender, age and
        years at the workplace (the paper's regression finds none of them significant)."""
        x = df.loc[who, ["gender", "age", "years_at_workplace"]].to_numpy(dtype=float)
        x = (x - x.mean(axis=0)) / x.std(axis=0)
        y = self.rng.permutation(values.astype(float))

        def cost(v: np.ndarray) -> float:
            c = (x * ((v - v.mean()) / v.std())[:, None]).mean(axis=0)
            return float((c**2).sum())

        best = cost(y)
        for _ in range(4000):
            i, j = self.rng.integers(0, len(y), 2)
            if y[i] == y[j]:
                continue
            y[i], y[j] = y[j], y[i]
            new = cost(y)
            if new <= best:
                best = new
            else:
                y[i], y[j] = y[j], y[i]
        return y

    def _follow(self, df: pd.DataFrame, lead_who: np.ndarray, lead: str, who: np.ndarray,
                col: str, values: np.ndarray, noise: float) -> None:
        """Assign sorted ``values`` to ``who`` in the order of their ``lead`` answer plus noise,
        so related counts go together (rank correlation about .7-.8)."""
        lead_values = df.loc[who, lead]
        ranks = lead_values.rank(pct=True).fillna(0.5).to_numpy()
        score = ranks + self.rng.normal(0, noise * 0.35, len(who))
        order = np.argsort(score, kind="stable")
        assigned = np.empty(len(who))
        assigned[order] = np.sort(values)
        df.loc[who, col] = assigned

    def _repair_order(self, df: pd.DataFrame, who: np.ndarray, short: str, long: str) -> None:
        """A count over 30 days cannot exceed the count over six months: swap values until
        none does (swaps keep every group's totals)."""
        idx = np.asarray(who)
        for _ in range(10_000):
            s = df.loc[idx, short].to_numpy()
            lng = df.loc[idx, long].to_numpy()
            bad = np.nonzero(np.nan_to_num(s) > np.where(np.isnan(lng), np.inf, lng))[0]
            if not len(bad):
                return
            i = bad[0]
            cand = np.nonzero((s < s[i]) & (s[i] <= np.where(np.isnan(lng), np.inf, lng))
                              & (np.nan_to_num(s) <= lng[i]))[0]
            if not len(cand):
                raise RuntimeError(f"cannot order {short} below {long}")
            j = cand[np.argmax(s[cand])]
            a, b = idx[i], idx[j]
            df.loc[a, short], df.loc[b, short] = s[j], s[i]
        raise RuntimeError("ordering did not converge")  # pragma: no cover

    # ------------------------------------------------------------------ abstention
    def _abstention(self, df: pd.DataFrame) -> None:
        involved = df["ever_cip"] == 1
        df["abstained_6m"] = np.where(involved, 2.0, NAN)
        abst: list[int] = []
        for key, n in ABSTAINED.items():
            pool = df.index[involved & (df["work_area"].map(_area_key) == key)]
            abst += list(self.pick(pool, n))
        abst_arr = self.rng.permutation(np.array(abst))
        df.loc[abst_arr, "abstained_6m"] = 1.0
        reasons = {name: np.zeros(len(abst_arr)) for name in
                   ("difficult_collaboration", "lack_of_time", "no_client_consent", "other")}
        reasons["difficult_collaboration"][0:33] = 1    # 33/69 = 47.8 %
        reasons["lack_of_time"][30:54] = 1              # 24/69 = 34.8 %
        reasons["no_client_consent"][51:67] = 1         # 16/69 = 23.2 %
        reasons["other"][[67, 68, 10, 40]] = 1          # two with no listed reason, two more
        for name, flags in reasons.items():
            col = f"abstain_reasons_{name}"
            df[col] = NAN
            df.loc[abst_arr, col] = flags
        df["abstain_reason_other"] = pd.Series(np.nan, index=df.index, dtype=object)
        texts = ["Klienten flyttade", "Väntade på utredning", "Annan plan fanns redan",
                 "Chefen prioriterade annat"]
        others = abst_arr[reasons["other"] == 1]
        for k, i in enumerate(others):
            df.loc[i, "abstain_reason_other"] = texts[k % len(texts)]
        df["abstained_times_6m"] = NAN
        df.loc[abst_arr, "abstained_times_6m"] = 1.0 + self.rng.poisson(0.9, len(abst_arr))

    # ------------------------------------------------------------------ template
    def _template(self, df: pd.DataFrame) -> None:
        involved = df["ever_cip"] == 1
        df["template_exists"] = NAN
        for key, (answered, exists, none, unaware) in TEMPLATE.items():
            if key == "rest":
                pool = df.index[involved & ~df["work_area"].isin(THREE)]
            else:
                pool = df.index[involved & (df["work_area"] == key)]
            chosen = self.pick(pool, answered)
            codes = np.repeat([1.0, 2.0, 3.0], [exists, none, unaware])
            df.loc[chosen, "template_exists"] = codes
        has = df.index[df["template_exists"] == 1]
        src = []
        for i in has:
            w = [0.25, 0.6, 0.15] if df.loc[i, "work_area"] == SS else [0.85, 0.1, 0.05]
            src.append(float(self.rng.choice([1, 2, 3], p=w)))
        df["template_source"] = NAN
        df.loc[has, "template_source"] = src
        knowledge = pd.Series(self.rng.normal(0, 1, len(has)), index=has)
        for item, (answered, _yes, no, dk) in TABLE3.items():
            df[item] = NAN
            who = self.pick(has, answered)
            score = knowledge[who] + self.rng.normal(0, 0.6, len(who))
            ranked = score.sort_values(kind="stable").index
            dont_know = ranked[:dk]
            rest = self.rng.permutation(ranked[dk:])
            df.loc[dont_know, item] = 3.0
            df.loc[rest[:no], item] = 2.0
            df.loc[rest[no:], item] = 1.0

    def _consequences(self, df: pd.DataFrame) -> None:
        involved = df.index[df["ever_cip"] == 1]
        positive = pd.Series(self.rng.normal(0, 1, len(involved)), index=involved)
        for item, (answered, yes) in TABLE4.items():
            df[item] = NAN
            who = self.pick(involved, answered)
            score = positive[who] + self.rng.normal(0, 0.8, len(who))
            ranked = score.sort_values(ascending=False, kind="stable").index
            df.loc[ranked[:yes], item] = 1.0
            df.loc[ranked[yes:], item] = 2.0
        df["client_present"] = NAN
        df.loc[involved, "client_present"] = self.rng.choice(
            [1.0, 2.0, 3.0], size=len(involved), p=[0.56, 0.30, 0.14])

    # ------------------------------------------------------------------ partners
    def _partners(self, df: pd.DataFrame) -> None:
        cols = [f"partners_12m_{p}" for p in PARTNERS]
        for col in cols:
            df[col] = NAN
        involved = df["ever_cip"] == 1
        for area, (answered, counts) in TABLE5.items():
            pool = df.index[involved & (df["work_area"] == area)]
            who = self.pick(pool, answered)
            self._choose_sets(df, who, cols, counts)
        rest = df.index[involved & ~df["work_area"].isin(THREE)]
        who = self.pick(rest, 12)
        self._choose_sets(df, who, cols, [8, 6, 5, 3, 3, 2, 6])
        df["easiest_partner"] = NAN
        df["most_difficult_partner"] = NAN
        for col, table in (("easiest_partner", EASIEST), ("most_difficult_partner", HARDEST)):
            for area, (answered, counts) in table.items():
                assert sum(counts.values()) == answered
                pool = df.index[involved & (df["work_area"] == area)]
                who = self.pick(pool, answered)
                values = np.repeat(list(counts), list(counts.values())).astype(float)
                df.loc[who, col] = self.rng.permutation(values)
            for i in self.pick(rest, 10):  # other areas have no partner of their own kind
                df.loc[i, col] = float(self.rng.choice(np.arange(1, 8)))

    def _choose_sets(self, df: pd.DataFrame, who: np.ndarray, cols: list[str],
                     counts: list[int]) -> None:
        """Each respondent ticks at least one partner; each partner is ticked ``counts``
        times (the most common partners first, preferring respondents with none yet)."""
        ticks = pd.DataFrame(0.0, index=who, columns=cols)
        for k in np.argsort(counts, kind="stable")[::-1]:
            need = counts[k]
            if not need:
                continue
            uncovered = ticks.index[ticks.sum(axis=1) == 0]
            covered = ticks.index[ticks.sum(axis=1) > 0]
            first = self.rng.permutation(uncovered)[:need]
            rest = self.rng.permutation(covered)[: need - len(first)]
            ticks.loc[np.concatenate([first, rest]), cols[k]] = 1.0
        if (ticks.sum(axis=1) == 0).any():  # pragma: no cover - counts always suffice here
            raise RuntimeError("a respondent ticked no partner")
        df.loc[who, cols] = ticks.to_numpy()

    # ------------------------------------------------------------------ the rest
    def _climate_and_rest(self, df: pd.DataFrame) -> None:
        factor = self.rng.normal(0, 1, len(df))
        items = ["climate_trust", "climate_contacts", "climate_roles", "climate_manager",
                 "climate_time", "climate_overall"]
        centre = [3.2, 3.6, 2.9, 3.8, 2.6, 3.1]
        for item, c in zip(items, centre, strict=True):
            raw = c + 0.85 * factor + self.rng.normal(0, 0.75, len(df))
            values = np.clip(np.rint(raw), 1, 5)
            values[self.rng.random(len(df)) < 0.012] = NAN
            df[item] = values
        df["written_routines"] = self.rng.choice([1.0, 2.0, 3.0], size=len(df),
                                                 p=[0.42, 0.23, 0.35])
        df["comments"] = pd.Series(np.nan, index=df.index, dtype=object)
        chosen = self.pick(df.index, 42)
        for k, i in enumerate(chosen):
            df.loc[i, "comments"] = COMMENTS[k % len(COMMENTS)]

    def _admin(self, df: pd.DataFrame) -> None:
        occasion = np.repeat(np.arange(1, 11), RESPONDED).astype(float)
        df["course_occasion"] = self.rng.permutation(occasion)
        df["mode"] = 1.0
        for k, n_paper in enumerate(PAPER, start=1):
            pool = df.index[df["course_occasion"] == k]
            df.loc[self.pick(pool, n_paper), "mode"] = 2.0
        dates = []
        for occ, mode in zip(df["course_occasion"], df["mode"], strict=True):
            course = dt.date.fromisoformat(COURSE_DATES[int(occ) - 1])
            lag = 0 if mode == 2 else int(self.rng.integers(1, 17))
            dates.append(pd.Timestamp(course - dt.timedelta(days=lag)))
        df["response_date"] = dates
        ids = set()
        out = []
        while len(out) < len(df):
            candidate = f"S{int(self.rng.integers(16**6, 16**7)):07X}"
            if candidate not in ids:
                ids.add(candidate)
                out.append(candidate)
        df["resp_id"] = out

    # ------------------------------------------------------------------ follow-up
    def followup(self, base: pd.DataFrame) -> pd.DataFrame:
        """The same staff one year later: about 70 % answer, with documented changes."""
        rng = self.rng
        answer = np.zeros(len(base), dtype=bool)
        answer[rng.permutation(len(base))[:494]] = True   # 494 of 705 = 70.1 %
        fu = base.loc[answer].copy().reset_index(drop=True)
        newcomers = self.baseline_like(18)  # invited course participants who skipped baseline
        fu = pd.concat([fu, newcomers], ignore_index=True)
        fu["age"] = fu["age"] + 1
        moved = rng.random(len(fu)) < 0.12                # changed workplace: tenure restarts
        fu["years_at_workplace"] = np.where(moved, 0.0, fu["years_at_workplace"] + 1)
        # after the course more staff have taken part in a CIP
        never = fu.index[fu["ever_cip"] == 2]
        converts = never[rng.random(len(never)) < 0.30]
        fu.loc[converts, "ever_cip"] = 1.0
        fu.loc[converts, "meets_clients_needing_cip"] = 1.0
        rate = {SS: 1.45, PC: 1.10, SUT: 1.10, OH: 1.05}  # social services catch up
        involved = fu["ever_cip"] == 1
        for col, base_mean in (("n_part_30d", 1.0), ("n_self_30d", 0.8), ("n_part_6m", 4.5),
                               ("n_self_6m", 3.0), ("n_part_12m", 8.0), ("n_self_12m", 5.5)):
            mult = fu["work_area"].map(rate).fillna(1.0).to_numpy()
            old = fu[col].to_numpy()
            fresh = rng.poisson(base_mean * mult)
            new = np.where(np.isnan(old), fresh, rng.poisson(np.nan_to_num(old) * mult))
            fu[col] = np.where(involved, new.astype(float), NAN)
        for shorter, longer in (("n_part_30d", "n_part_6m"), ("n_part_6m", "n_part_12m"),
                                ("n_self_30d", "n_self_6m"), ("n_self_6m", "n_self_12m")):
            fu[longer] = np.fmax(fu[longer], fu[shorter])
        for col in ("n_part_30d", "n_self_30d", "n_part_6m", "n_self_6m"):
            gone = fu.index[involved][rng.random(involved.sum()) < 0.04]
            fu.loc[gone, col] = NAN
        fu["n_part_12m"] = fu["n_part_12m"].clip(upper=600)
        fu["n_self_12m"] = fu["n_self_12m"].clip(upper=600)
        fu["n_part_30d"] = fu["n_part_30d"].clip(upper=100)
        fu["n_self_30d"] = fu["n_self_30d"].clip(upper=100)
        fu["n_part_6m"] = fu["n_part_6m"].clip(upper=300)
        fu["n_self_6m"] = fu["n_self_6m"].clip(upper=300)
        self._followup_answers(fu, involved)
        fu["response_date"] = [d + pd.DateOffset(years=1) for d in fu["response_date"]]
        fu["mode"] = np.where(rng.random(len(fu)) < 0.05, 2.0, 1.0)
        return fu

    def baseline_like(self, n: int) -> pd.DataFrame:
        """A few staff answering only the follow-up (drawn from a fresh baseline)."""
        other = _Builder(seed=SEED + 1, histograms=self.histograms).baseline()
        picked = other.iloc[self.rng.permutation(len(other))[:n]].copy()
        picked["resp_id"] = [f"N{int(self.rng.integers(16**6, 16**7)):07X}" for _ in range(n)]
        return picked.reset_index(drop=True)

    def _followup_answers(self, fu: pd.DataFrame, involved: pd.Series) -> None:
        rng = self.rng
        # abstaining a little less often
        fu["abstained_6m"] = np.where(involved, np.where(rng.random(len(fu)) < 0.11, 1.0, 2.0),
                                      NAN)
        reason_cols = [c for c in fu.columns if c.startswith("abstain_reasons_")]
        abst = fu["abstained_6m"] == 1
        probs = {"abstain_reasons_difficult_collaboration": 0.42,
                 "abstain_reasons_lack_of_time": 0.40, "abstain_reasons_no_client_consent": 0.22,
                 "abstain_reasons_other": 0.06}
        for col in reason_cols:
            fu[col] = np.where(abst, (rng.random(len(fu)) < probs[col]).astype(float), NAN)
        none = abst & (fu[reason_cols].sum(axis=1) == 0)
        fu.loc[none, "abstain_reasons_lack_of_time"] = 1.0
        fu["abstained_times_6m"] = np.where(abst, 1.0 + rng.poisson(0.7, len(fu)), NAN)
        fu["abstain_reason_other"] = np.where(abst & (fu["abstain_reasons_other"] == 1),
                                              "Klienten flyttade", None)
        fu["abstain_reason_other"] = fu["abstain_reason_other"].astype(object).where(
            fu["abstain_reason_other"].notna(), np.nan)
        # the course spread knowledge of the template, above all in social services
        aware = {SS: 0.74, PC: 0.84, SUT: 0.88, OH: 0.70}
        p_exists = fu["work_area"].map(aware).fillna(0.7).to_numpy()
        draw = rng.random(len(fu))
        code = np.where(draw < p_exists, 1.0, np.where(draw < p_exists + 0.12, 2.0, 3.0))
        fu["template_exists"] = np.where(involved & (rng.random(len(fu)) > 0.01), code, NAN)
        has = fu["template_exists"] == 1
        fu["template_source"] = np.where(
            has, np.where(fu["work_area"] == SS, rng.choice([1.0, 2.0, 3.0], len(fu),
                                                            p=[0.4, 0.5, 0.1]),
                          rng.choice([1.0, 2.0, 3.0], len(fu), p=[0.85, 0.1, 0.05])), NAN)
        for item, (n, yes, _no, dk) in TABLE3.items():
            p_yes = min(0.98, yes / n + 0.04)
            p_dk = max(0.02, dk / n - 0.02)
            d = rng.random(len(fu))
            value = np.where(d < p_yes, 1.0, np.where(d < p_yes + p_dk, 3.0, 2.0))
            fu[item] = np.where(has & (rng.random(len(fu)) > 0.015), value, NAN)
        for item, (n, yes) in TABLE4.items():
            p = min(0.97, yes / n + 0.02)
            value = np.where(rng.random(len(fu)) < p, 1.0, 2.0)
            fu[item] = np.where(involved & (rng.random(len(fu)) > 0.05), value, NAN)
        fu["client_present"] = np.where(involved, rng.choice([1.0, 2.0, 3.0], len(fu),
                                                             p=[0.66, 0.24, 0.10]), NAN)
        partner_p = {SS: [0, 0.75, 0.55, 0.15, 0.13, 0.14, 0.10],
                     PC: [0.80, 0, 0.42, 0.30, 0.27, 0.06, 0.17],
                     SUT: [0.82, 0.62, 0, 0.19, 0.19, 0.34, 0.08]}
        cols = [f"partners_12m_{p}" for p in PARTNERS]
        answered = involved & (rng.random(len(fu)) < 0.9)
        for k, col in enumerate(cols):
            p = fu["work_area"].map(lambda a, k=k: partner_p.get(a, [0.5] * 7)[k]).to_numpy()
            fu[col] = np.where(answered, (rng.random(len(fu)) < p).astype(float), NAN)
        empty = answered & (fu[cols].sum(axis=1) == 0)
        fu.loc[empty, "partners_12m_social_services"] = np.where(
            fu.loc[empty, "work_area"] == SS, 0.0, 1.0)
        fu.loc[empty & (fu["work_area"] == SS), "partners_12m_psychiatric_care"] = 1.0
        for col in ("easiest_partner", "most_difficult_partner"):
            prev = fu[col].to_numpy()
            keep = rng.random(len(fu)) < 0.7
            fresh = rng.choice(np.arange(1.0, 8.0), len(fu))
            fu[col] = np.where(involved & (rng.random(len(fu)) < 0.93),
                               np.where(keep & ~np.isnan(prev), prev, fresh), NAN)
            own = fu["work_area"].map({SS: 1.0, PC: 2.0, SUT: 3.0})
            clash = fu[col] == own
            fu.loc[clash, col] = np.where(fu.loc[clash, "work_area"] == SS, 2.0, 1.0)
        for item in ("climate_trust", "climate_contacts", "climate_roles", "climate_manager",
                     "climate_time", "climate_overall"):
            shift = rng.random(len(fu)) < 0.25
            fu[item] = np.where(fu[item].notna() & shift, np.clip(fu[item] + 1, 1, 5), fu[item])
        fu["written_routines"] = np.where(rng.random(len(fu)) < 0.5, 1.0, fu["written_routines"])
        fu["meets_clients_needing_cip"] = fu["meets_clients_needing_cip"].where(
            fu["ever_cip"] == 2, 1.0)


def build(histograms: dict | None = None) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The baseline and follow-up waves (codes, NaN where unanswered or skipped)."""
    builder = _Builder(SEED, histograms)
    base = builder.baseline()
    fu = builder.followup(base)
    return base, fu, builder.histograms


def load_histograms(path: Path) -> dict | None:
    """The calibrated histograms saved beside the generator, or None."""
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    return None
