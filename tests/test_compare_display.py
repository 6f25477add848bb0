"""How the comparison's tables read: one unit per row at that unit's precision, coded values
as words in the report's language, and the test behind each p named in a footnote."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from cipsurvey.analysis import tables as T
from cipsurvey.report import document as D


def change_frame() -> pd.DataFrame:
    return pd.DataFrame([
        {"indicator_label": "Number of CIPs", "answer": "", "unit": "mean", "n_base": 423,
         "base": 6.380615, "n_follow": 376, "follow": 7.989362, "linked_n": 279,
         "linked_change": 1.752688, "linked_low": 1.3288, "linked_high": 2.17655,
         "linked_p": 1.3e-14, "linked_test": "t-test för parade observationer",
         "whole_people": 520, "whole_change": 1.6087, "whole_low": 0.9, "whole_high": 2.3,
         "whole_p": 3.4e-9, "whole_test": "GEE med oberoende arbetskorrelation",
         "mde": np.nan},
        {"indicator_label": "Ever in a CIP", "answer": "Ja", "unit": "points", "n_base": 705,
         "base": 70.070922, "n_follow": 512, "follow": 76.953125, "linked_n": 494,
         "linked_change": 7.287449, "linked_low": 4.97, "linked_high": 9.66,
         "linked_p": 0.2, "linked_test": "McNemars exakta test", "whole_people": 723,
         "whole_change": 6.88, "whole_low": 4.1, "whole_high": 9.6, "whole_p": 0.04,
         "whole_test": "GEE med oberoende arbetskorrelation", "mde": 6.94},
    ])


def shown(frame: pd.DataFrame, lang: str):
    """The change table as the publication layer shapes it for every writer."""
    plan = SimpleNamespace(alpha=0.05, conf=0.95, analyses=lambda: [])
    report = SimpleNamespace(lang=lang, plan=plan,
                             survey=SimpleNamespace(instrument=SimpleNamespace()))
    table = D.generic(D.context_for(report), "change", T.CHANGE, frame, "Change")
    heads = [c.heading for c in table.columns]
    keys = [c for c in D.SHOWN[T.CHANGE] if c in frame.columns and frame[c].notna().any()]
    rows = [dict(zip(keys, (cell.text for cell in row.cells), strict=True))
            for row in table.rows]
    return dict(zip(keys, heads, strict=True)), rows, table.footnotes


def test_each_row_in_its_own_unit_with_words_and_named_tests():
    heads, rows, footnotes = shown(change_frame(), "sv")
    assert (heads["unit"], heads["linked_p"]) == ("Enhet", "p (länkade)")
    assert rows[0]["unit"] == "medelvärde" and rows[1]["unit"] == "procentenheter"
    assert (rows[0]["base"], rows[0]["linked_change"]) == ("6,38", "1,75")
    assert (rows[1]["base"], rows[1]["linked_change"], rows[1]["mde"]) == ("70,1", "7,3",
                                                                            "6,9")
    # each p carries the letter of its own test, and a footnote names that test
    letters = {f[0]: f for f in footnotes}
    paired, mcnemar = rows[0]["linked_p"][-1], rows[1]["linked_p"][-1]
    assert paired != mcnemar
    assert "t-test för parade observationer" in letters[paired]
    assert "McNemars exakta test" in letters[mcnemar]
    assert "GEE" in letters[rows[0]["whole_p"][-1]]
    _, english, _ = shown(change_frame(), "en")
    assert english[1]["unit"] == "% points"
