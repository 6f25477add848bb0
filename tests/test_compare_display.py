"""How the comparison's tables read: one unit per row at that unit's precision, coded values
as words in the report's language, and the test behind each p named in a footnote."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cipsurvey.analysis import tables as T
from cipsurvey.report.display import shown


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


def test_each_row_in_its_own_unit_with_words_and_named_tests():
    s = shown(T.CHANGE, change_frame(), "sv")
    rows = [dict(zip(s.columns, r, strict=True)) for r in s.rows]
    assert rows[0]["unit"] == "medelvärde" and rows[1]["unit"] == "procentenheter"
    assert (rows[0]["base"], rows[0]["linked_change"]) == ("6,38", "1,75")
    assert (rows[1]["base"], rows[1]["linked_change"], rows[1]["mde"]) == ("70,1", "7,3",
                                                                            "6,9")
    heads = dict(zip(s.columns, s.headings, strict=True))
    assert heads["linked_p"].endswith("ᵇ") and heads["whole_p"].endswith("ᶜ")
    linked = next(f for f in s.footnotes if f.startswith("ᵇ"))
    assert "t-test för parade observationer" in linked and "McNemars exakta test" in linked
    assert any(f.startswith("ᶜ") and "GEE" in f for f in s.footnotes)
    english = shown(T.CHANGE, change_frame(), "en")
    assert dict(zip(english.columns, english.rows[1], strict=True))["unit"] == "% points"
