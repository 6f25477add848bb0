"""The free-text appendix under a minimum cell size.

Free-text answers are words, not counts, and no audit can tell whether a sentence names its
writer: a person must read them before the report is published (docs/disclosure-control.md
says so). What the protection can make sure of is that the appendix adds nothing to the
numbers it audits:

- a question that fewer than K people answered in words is left out (its answers, and their
  number, would describe fewer than K people);
- no pseudonym is printed, so that one person's answers to different questions cannot be
  put together, and nothing ties an answer to a row of the data;
- the answers to each question are sorted by their text, so that their order says nothing of
  the order of the rows (which follows the files, and so the course occasion or the form).

:func:`check` is the attacker's side: it reads a published appendix and lists what breaks
these rules.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ...analysis import tables as T
from ...lang import text

__all__ = ["check", "protect_free_text"]


def protect_free_text(result: Any, k: int, lang: str) -> int:
    """Make the free-text result ``result`` publishable at threshold ``k``, in place; return
    how many questions were left out for having fewer than ``k`` answers."""
    table = result.tables.get(T.FREE_TEXT)
    if table is None or table.empty:
        return 0
    answered = table.groupby("item", sort=False)["answer"].transform("size")
    few = table.loc[answered < k, "item_label"].drop_duplicates().tolist()
    kept = table.loc[answered >= k, [c for c in table.columns if c != "respondent"]]
    order = kept.assign(_item=pd.Categorical(kept["item"], kept["item"].unique()),
                        _key=kept["answer"].str.casefold())
    result.tables[T.FREE_TEXT] = (order.sort_values(["_item", "_key", "answer"], kind="stable")
                                  .drop(columns=["_item", "_key"]).reset_index(drop=True))
    result.notes.append(text("protect.free_text", lang, k=k))
    if few:
        result.notes.append(text("protect.free_text_few", lang, k=k,
                                 questions="; ".join(few)))
    return len(few)


def check(tables: dict[str, pd.DataFrame], k: int) -> list[str]:
    """What a published free-text appendix shows that the rules above forbid (empty when it
    keeps them)."""
    table = tables.get(T.FREE_TEXT)
    if table is None or table.empty:
        return []
    leaks = []
    if "respondent" in table and table["respondent"].fillna("").astype(str).str.strip().any():
        leaks.append("free text: answers carry the respondent's pseudonym")
    for item, part in table.groupby("item", sort=False):
        if len(part) < k:
            leaks.append(f"free text, {item}: {len(part)} answers (fewer than {k})")
        keys = part["answer"].astype(str).str.casefold().tolist()
        if keys != sorted(keys):
            leaks.append(f"free text, {item}: answers in the order of the data rows")
    return leaks
