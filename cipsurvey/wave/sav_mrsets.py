"""Multiple-response sets written into an SPSS system file.

Why by hand: pyreadstat (ReadStat) reads a file's multiple-response sets but writes none,
and no maintained Python library writes them without IBM's proprietary I/O module. The
record itself is short text: this module walks the dictionary of a file that pyreadstat has
just written (to learn each variable's short name) and inserts one extension record (type 7,
subtype 7) before the dictionary's end, as the PSPP developers' guide describes it (System
File Format, "Multiple Response Sets Records"). GNU PSPP and pyreadstat both read the result
back in the tests.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class MrSet:
    """One multiple-response set: a dichotomy set (``counted`` is the value that means
    'ticked') or, with ``counted=None``, a category set."""

    name: str  # without the leading '$'
    label: str
    variables: tuple[str, ...]
    counted: int | None = 1


def _dictionary(buf: bytes) -> tuple[list[str], dict[str, str], int]:
    """Short names of the variables in order, long name -> short name, and the offset of
    the dictionary-termination record."""
    if buf[:4] not in (b"$FL2", b"$FL3"):
        raise ValueError("not an SPSS system file")
    (layout,) = struct.unpack_from("<i", buf, 64)
    if layout not in (2, 3):
        raise ValueError("big-endian system files are not supported")
    pos = 176
    shorts: list[str] = []
    long_names: dict[str, str] = {}
    while True:
        (rec,) = struct.unpack_from("<i", buf, pos)
        if rec == 2:
            vtype, has_label, n_missing = struct.unpack_from("<iii", buf, pos + 4)
            name = buf[pos + 24:pos + 32].decode("ascii", "replace").rstrip()
            pos += 32
            if has_label:
                (length,) = struct.unpack_from("<i", buf, pos)
                pos += 4 + (length + 3) // 4 * 4
            pos += abs(n_missing) * 8
            if vtype >= 0:  # -1: the continuation of a long string
                shorts.append(name)
        elif rec == 3:
            (count,) = struct.unpack_from("<i", buf, pos + 4)
            pos += 8
            for _ in range(count):
                length = buf[pos + 8]
                pos += 8 + (length + 1 + 7) // 8 * 8
            (_, n_vars) = struct.unpack_from("<ii", buf, pos)
            pos += 8 + 4 * n_vars
        elif rec == 6:
            (lines,) = struct.unpack_from("<i", buf, pos + 4)
            pos += 8 + 80 * lines
        elif rec == 7:
            subtype, size, count = struct.unpack_from("<iii", buf, pos + 4)
            body = pos + 16
            if subtype == 13:
                text = buf[body:body + size * count].decode("utf-8", "replace")
                for pair in text.split("\t"):
                    short, _, long_ = pair.partition("=")
                    if long_:
                        long_names[long_] = short
            pos = body + size * count
        elif rec == 999:
            return shorts, long_names, pos
        else:
            raise ValueError(f"unexpected record type {rec} in the dictionary")


def _counted(text: str) -> bytes:
    data = text.encode("utf-8")
    return f"{len(data)} ".encode("ascii") + data


def add_mr_sets(path: str | Path, sets: list[MrSet]) -> None:
    """Insert ``sets`` into the system file at ``path`` (rewritten in place)."""
    if not sets:
        return
    path = Path(path)
    buf = path.read_bytes()
    shorts, long_names, end = _dictionary(buf)
    known = {s.upper() for s in shorts}
    body = b""
    for s in sets:
        names = []
        for var in s.variables:
            short = long_names.get(var, var)
            if short.upper() not in known:
                raise ValueError(f"multiple-response set ${s.name}: no variable {var!r}")
            names.append(short.lower())
        kind = b"C " if s.counted is None else b"D" + _counted(str(s.counted)) + b" "
        body += (b"$" + s.name.encode("ascii") + b"=" + kind + _counted(s.label) + b" "
                 + " ".join(names).encode("ascii") + b"\n")
    record = struct.pack("<iiii", 7, 7, 1, len(body)) + body
    path.write_bytes(buf[:end] + record + buf[end:])
