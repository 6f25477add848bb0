"""Full-precision cell values from a GNU PSPP ``.spv`` output, for the tests only.

PSPP's CSV output rounds most statistics to two decimals. The ``.spv`` (a zip) keeps every
number as a double: in each ``*_lightTableData.bin`` member a numeric cell is stored as its
display format (int32, little endian) followed by the value (float64). ``pspp-output
dump-light-table`` lists the table's dimensions and, for each cell, its index, format and the
value to six significant digits, in the order the cells are stored. This reader takes the
structure from that dump and the exact doubles from the binary, scanning forward for each
cell's format followed by a double that prints the same.

Cell coordinates: the last dimension varies fastest in the cell index.
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Cell:
    labels: tuple[str, ...]  # one leaf label per dimension, dimension 0 first
    value: float


@dataclass
class Table:
    title: str
    dims: list[list[str]]
    cells: list[Cell]

    def get(self, *labels: str) -> float:
        """The value whose labels contain every one given (each matched exactly)."""
        hits = [c for c in self.cells if all(lab in c.labels for lab in labels)]
        if len(hits) != 1:
            raise KeyError(f"{self.title}: {labels} matches {len(hits)} cells")
        return hits[0].value

    def find(self, *labels: str) -> list[Cell]:
        return [c for c in self.cells if all(lab in c.labels for lab in labels)]


def _tree(text: str) -> dict:
    """The dump's indented 'key: value' lines as nested dicts; 'k[i]' keys become lists."""
    root: dict = {}
    stack: list[tuple[int, dict]] = [(-1, root)]
    for line in text.splitlines():
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        key, _, value = line.strip().partition(":")
        value = value.strip()
        while stack[-1][0] >= indent:
            stack.pop()
        parent = stack[-1][1]
        node: dict | str = {} if value == "" else value
        m = re.fullmatch(r"(.+)\[(\d+)\]", key)
        if m:
            parent.setdefault(m.group(1), []).append(node)
        elif key not in parent:
            parent[key] = node
        if isinstance(node, dict):
            stack.append((indent, node))
    return root


def _text(value) -> str:
    if not isinstance(value, dict):
        return str(value)
    if value.get("type") == "2":  # a variable's value: its label, else the value itself
        label = str(value.get("value-label", "")).strip('"')
        return label or str(value.get("x", ""))
    for key in ("local", "c", "id", "value-label", "var-name"):
        got = value.get(key)
        if isinstance(got, str) and got.strip('"'):
            return got.strip('"')
    x = value.get("x")
    return str(x) if x is not None else ""


def _leaves(category: dict, out: list[tuple[int, str]]) -> None:
    leaf = category.get("leaf")
    if isinstance(leaf, dict) and "leaf-index" in leaf:
        out.append((int(leaf["leaf-index"]), _text(category.get("name", {}))))
    group = category.get("group")
    if isinstance(group, dict):
        for sub in group.get("subcategories", []):
            _leaves(sub, out)


def read_spv(path: Path) -> list[Table]:
    exe = shutil.which("pspp-output")
    if exe is None:
        raise RuntimeError("pspp-output (from the pspp package) is needed")
    dump = subprocess.run([exe, "dump-light-table", str(path)], capture_output=True, text=True,
                          check=True, timeout=120).stdout
    tree = _tree(dump)
    archive = zipfile.ZipFile(path)
    tables = []
    for member, table in sorted(tree.items()):
        if not member.endswith("lightTableData.bin") or not isinstance(table, dict):
            continue
        raw = archive.read(member)
        title = _text(table.get("titles", {}).get("title", {}))
        dims = []
        for dim in table.get("dimensions", {}).get("dims", []):
            found: list[tuple[int, str]] = []
            for category in dim.get("categories", []):
                _leaves(category, found)
            dims.append([label for _, label in sorted(found)])
        sizes = [len(d) for d in dims]
        cells = []
        pos = 0
        for cell in table.get("cells", {}).get("cells", []):
            value = cell.get("value", {})
            if value.get("type") not in ("1", "2"):
                continue
            pattern = struct.pack("<i", int(value["format"]))
            shown = value["x"]
            while True:
                j = raw.find(pattern, pos)
                if j < 0:
                    raise ValueError(f"{path}: {title}: value {shown} not found")
                (x,) = struct.unpack_from("<d", raw, j + 4)
                if f"{x:g}" == shown or (shown in ("nan", "-nan") and x != x):
                    pos = j + 12
                    break
                pos = j + 1
            rest = int(cell["index"])
            coords = []
            for size in reversed(sizes):
                coords.append(rest % size)
                rest //= size
            coords.reverse()
            labels = tuple(dims[k][i] for k, i in enumerate(coords))
            cells.append(Cell(labels, x))
        tables.append(Table(title, dims, cells))
    return tables


def by_title(tables: list[Table], title: str) -> list[Table]:
    return [t for t in tables if t.title.startswith(title)]
