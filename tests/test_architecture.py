"""The package's shape: no import cycle between its modules, and each folder importing only
its own folder and the folders below it (the layer order is written once, in ``LAYERS``).

Every module is parsed with ``ast``; every import counts, at module level, inside functions
and under ``TYPE_CHECKING``, relative or absolute. See docs/architecture.md.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "cipsurvey"

# bottom to top: a module may import modules of its own layer and of the layers below it.
# ``stats`` imports nothing of cipsurvey's, so it sits at the bottom; ``io`` knows nothing of
# instruments (it turns bytes into raw tables), so it sits below ``instrument``; "base" is the
# modules at the top of the package (errors, files, parallel, version); "root" is the package
# itself, cipsurvey/__init__.py.
LAYERS = ["stats", "base", "lang", "io", "instrument", "wave", "analysis", "report", "demo",
          "app", "cli", "root"]


def module_name(path: Path, package: Path = PACKAGE) -> str:
    """``cipsurvey.wave.survey`` for cipsurvey/wave/survey.py; packages by their folder."""
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(package: Path = PACKAGE) -> dict[str, Path]:
    """Every module of the package by dotted name."""
    return {module_name(p, package): p for p in sorted(package.rglob("*.py"))}


def imports(path: Path, name: str, known: set[str]) -> set[str]:
    """The package's modules that ``path`` (module ``name``) imports, anywhere in it.

    ``from a import b`` counts as an import of ``a.b`` when that is a module, else of ``a``.
    """
    is_package = path.name == "__init__.py"
    here = name.split(".") if is_package else name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            targets = [f"{target}.{alias.name}" if f"{target}.{alias.name}" in known
                       else target for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:  # (import a.b.c: the module a.b.c, or a.b)
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Module → the package's modules it imports."""
    mods = modules(package)
    known = set(mods)
    return {name: imports(path, name, known) for name, path in mods.items()}


def layer(module: str, edges: dict[str, set[str]]) -> str:
    """The layer a module belongs to: its folder, "base" (a module at the top of the
    package) or "root" (the package itself); ``edges``: the graph, to tell folders."""
    parts = module.split(".")
    if len(parts) == 1:
        return "root"
    if len(parts) == 2 and not any(m.startswith(module + ".") for m in edges):
        return "base"
    return parts[1]


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def upward(edges: dict[str, set[str]]) -> list[str]:
    """Every import of a module in a higher layer (or in a folder not in ``LAYERS``)."""
    bad = []
    for a, targets in sorted(edges.items()):
        for b in sorted(targets):
            la, lb = layer(a, edges), layer(b, edges)
            if la not in LAYERS or lb not in LAYERS:
                bad.append(f"{a} -> {b}: folder not in LAYERS ({la}, {lb})")
            elif LAYERS.index(lb) > LAYERS.index(la):
                bad.append(f"{a} ({la}) imports {b} ({lb}), a layer above it")
    return bad


def folder_arrows(edges: dict[str, set[str]]) -> set[tuple[str, str]]:
    """Distinct imports between different layers."""
    return {(layer(a, edges), layer(b, edges)) for a, targets in edges.items()
            for b in targets if layer(a, edges) != layer(b, edges)}


def test_no_import_cycle():
    found = cycles(graph())
    assert not found, "import cycles: " + "; ".join(" <-> ".join(c) for c in found)


def test_each_folder_imports_only_its_own_and_lower_layers():
    bad = upward(graph())
    assert not bad, "\n".join(bad)


def test_every_folder_has_a_layer():
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders <= set(LAYERS), folders - set(LAYERS)


def test_io_knows_no_instrument_and_stats_nothing_of_cipsurvey():
    edges = graph()
    for module, targets in edges.items():
        if layer(module, edges) == "stats":
            assert {layer(t, edges) for t in targets} <= {"stats"}, (module, targets)
        if layer(module, edges) == "io":
            assert {layer(t, edges) for t in targets} <= {"io", "base"}, (module, targets)


def test_no_private_name_used_from_another_module():
    """``from .x import _name`` or ``x._name`` across modules: make the name public, or move
    it. (A package's private modules, such as stats/_util.py, are its own business.)"""
    mods = modules()
    known = set(mods)
    bad = []
    for name, path in mods.items():
        is_package = path.name == "__init__.py"
        here = name.split(".") if is_package else name.split(".")[:-1]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module_names: set[str] = set()  # names bound to one of the package's modules
        for node in ast.walk(tree):
            if not (isinstance(node, ast.ImportFrom) and (node.level or (
                    node.module or "").startswith("cipsurvey"))):
                continue
            base = here[: len(here) - (node.level - 1)] if node.level else []
            target = ".".join([*base, node.module] if node.module else base) if node.level \
                else str(node.module)
            for alias in node.names:
                if f"{target}.{alias.name}" in known:
                    module_names.add(alias.asname or alias.name)
                elif _private(alias.name):
                    bad.append(f"{name}: from {target} import {alias.name}")
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in module_names and _private(node.attr)):
                bad.append(f"{name}: {node.value.id}.{node.attr}")
    assert not bad, "\n".join(bad)


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


# ---------------------------------------------------------------- the checks can fail


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "cipsurvey"
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_a_planted_cycle_is_found(tmp_path):
    root = _tree(tmp_path, {
        "__init__.py": "",
        "wave/__init__.py": "",
        "wave/a.py": "from . import b\n",
        "wave/b.py": "def f():\n    from .a import g\n",  # inside a function
        "wave/c.py": "import cipsurvey.wave.a\n",
    })
    found = cycles(graph(root))
    assert found == [["cipsurvey.wave.a", "cipsurvey.wave.b"]]


@pytest.mark.parametrize("source", [
    "from ..report.display import shown\n",
    "def f():\n    from cipsurvey.report import display\n",
    "from ..report import display\n",
    "import cipsurvey.report.display\n",
])
def test_a_planted_upward_import_is_found(tmp_path, source):
    root = _tree(tmp_path, {
        "__init__.py": "",
        "wave/__init__.py": "",
        "wave/a.py": source,
        "report/__init__.py": "",
        "report/display.py": "",
    })
    edges = graph(root)
    assert edges["cipsurvey.wave.a"] == {"cipsurvey.report.display"}
    assert len(upward(edges)) == 1
