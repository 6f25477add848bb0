"""When reading a file uses a second core: one threshold for every reader and checker.

Below ``THREADS_FROM`` rows (or cases) a second thread costs more than it saves: the .sav
decoder's transposition and number columns, the coding of a table's columns and the filter
checks beside the derived variables all run in one thread (docs/performance.md).
"""

from __future__ import annotations

import os

THREADS_FROM = 50_000  # rows; a smaller file is read in one thread


def two_threads(n: int) -> bool:
    """Whether ``n`` rows are worth two threads, and the machine has two cores."""
    return n >= THREADS_FROM and (os.cpu_count() or 1) >= 2
