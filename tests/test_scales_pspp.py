"""Scales with reversed items against GNU PSPP, for answer ranges 1-4, 1-5 and 0-10.

PSPP reverses each item itself (``COMPUTE r = min + max - x``, the item's own range written
into the syntax), runs ``RELIABILITY /SUMMARY=TOTAL`` on the reversed items and computes each
respondent's score with ``MEAN.n`` (the mean of the answered items when at least n are
answered), which it saves to a file read back here. cipsurvey gets the raw items and the
reversal as a mapping item -> (min, max) and must agree on α, every item-total statistic and
every respondent's score.

The 1-4 case is a real SPSS file (tests/corpus/surveys/EFC.sav, written by IBM SPSS 21; see
tests/corpus/SOURCES.md): the nine caregiver items c82cop1 ... c90cop9, of which three are
worded positively (coping well, supported, worthwhile) and six as burdens. PSPP reads the
file as it is, with its own user-missing codes (8, 9); pyreadstat's reading of the same file
treats those codes as missing as well.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from cipsurvey import stats as st

from conftest import require_pspp
from pspp_spv import by_title, read_spv

EFC = Path(__file__).parent / "corpus" / "surveys" / "EFC.sav"
REL = 1e-9


def synthetic(seed: int, n: int, k: int, lo: int, hi: int, reversed_: list[int]) -> pd.DataFrame:
    """k items driven by one trait, answered on lo..hi; the ``reversed_`` items are worded
    against the trait; about 6 % of answers missing, and some respondents answer only half."""
    rng = np.random.default_rng(seed)
    trait = rng.normal(size=n)
    mid, spread = (lo + hi) / 2, (hi - lo) / 4
    cols = {}
    for j in range(k):
        sign = -1.0 if j in reversed_ else 1.0
        x = np.clip(np.rint(mid + spread * (sign * trait + rng.normal(0, 0.8, n))), lo, hi)
        x[rng.random(n) < 0.06] = np.nan
        cols[f"q{j + 1}"] = x
    frame = pd.DataFrame(cols)
    half = rng.choice(n, size=n // 15, replace=False)
    frame.iloc[half, : k // 2] = np.nan
    return frame


def efc() -> tuple[pd.DataFrame, str]:
    frame, _ = pyreadstat.read_sav(str(EFC))  # user-missing codes read as missing
    return frame, str(EFC)


CASES = {
    # name: (items, reversed items, (min, max), MEAN.n)
    "efc_1_to_4": ([f"c8{i}cop{i - 1}" for i in range(2, 10)] + ["c90cop9"],
                   ["c82cop1", "c89cop8", "c90cop9"], (1, 4), 5),
    "likert_1_to_5": ([f"q{j}" for j in range(1, 7)], ["q2", "q5"], (1, 5), 4),
    "rating_0_to_10": ([f"q{j}" for j in range(1, 5)], ["q3"], (0, 10), 3),
}


def _data(name: str, tmp: Path) -> tuple[pd.DataFrame, str]:
    if name == "efc_1_to_4":
        return efc()
    if name == "likert_1_to_5":
        frame = synthetic(11, 420, 6, 1, 5, [1, 4])
    else:
        frame = synthetic(12, 350, 4, 0, 10, [2])
    path = tmp / "data.sav"
    pyreadstat.write_sav(frame, str(path))
    return frame, str(path)


def pspp_scale(tmp: Path, sav: str, items: list[str], reverse: dict[str, tuple[int, int]],
               need: int):
    """PSPP's reliability tables and saved scores for the items, reversed in PSPP syntax."""
    exe = require_pspp()
    used = [f"r_{i}" if i in reverse else i for i in items]
    flips = "".join(f"COMPUTE r_{i} = {lo} + {hi} - {i}.\n" for i, (lo, hi) in reverse.items())
    scores = tmp / "scores.sav"
    job = tmp / "job.sps"
    job.write_text(
        f"GET FILE='{sav}'.\n"
        "SET TVARS=NAMES.\n"
        f"{flips}"
        f"RELIABILITY /VARIABLES={' '.join(used)} /SUMMARY=TOTAL.\n"
        f"COMPUTE score = MEAN.{need}({', '.join(used)}).\n"
        f"SAVE OUTFILE='{scores}' /KEEP=score.\n", encoding="utf-8")
    spv = tmp / "out.spv"
    proc = subprocess.run([exe, "-o", str(spv), str(job)], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    saved, _ = pyreadstat.read_sav(str(scores))
    return read_spv(spv), dict(zip(items, used, strict=True)), saved["score"].to_numpy()


@pytest.mark.parametrize("name", list(CASES))
def test_reversed_scale_against_pspp(tmp_path, name):
    items, rev, (lo, hi), need = CASES[name]
    frame, sav = _data(name, tmp_path)
    reverse = {i: (lo, hi) for i in rev}
    tables, pspp_name, pspp_scores = pspp_scale(tmp_path, sav, items, reverse, need)

    alpha = st.cronbach_alpha(frame, items, reverse=reverse).iloc[0]
    r = by_title(tables, "Reliability Statistics")[0]
    assert alpha["estimate"] == pytest.approx(r.get("Cronbach's Alpha"), rel=REL)
    assert alpha["k"] == r.get("N of Items") == len(items)
    # the positively and negatively worded items pull the same way once reversed
    assert alpha["estimate"] > 0.5

    it = by_title(tables, "Item-Total Statistics")[0]
    ours = st.item_total(frame, items, reverse=reverse).set_index("item")
    for item in items:
        theirs = pspp_name[item]
        for col, head in (("scale_mean_if_deleted", "Scale Mean if Item Deleted"),
                          ("scale_var_if_deleted", "Scale Variance if Item Deleted"),
                          ("item_rest_r", "Corrected Item-Total Correlation"),
                          ("alpha_if_deleted", "Cronbach's Alpha if Item Deleted")):
            assert ours.loc[item, col] == pytest.approx(it.get(head, theirs), rel=REL), \
                (item, col)

    scores = st.scale_scores(frame, items, reverse=reverse, min_items=need).to_numpy()
    assert len(scores) == len(pspp_scores)
    assert np.array_equal(np.isnan(scores), np.isnan(pspp_scores))
    both = ~np.isnan(scores)
    assert both.sum() > 0.8 * len(scores)
    np.testing.assert_allclose(scores[both], pspp_scores[both], rtol=1e-12)


def test_reverse_needs_a_range_and_a_scale_item():
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [2.0, 2.0, 4.0]})
    with pytest.raises(TypeError, match="range"):
        st.scale_scores(frame, ["a", "b"], reverse=["a"])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not one of the scale's items"):
        st.cronbach_alpha(frame, ["a", "b"], reverse={"c": (1, 5)})
    with pytest.raises(ValueError, match="min < max"):
        st.item_total(frame, ["a", "b"], reverse={"a": (5, 5)})
