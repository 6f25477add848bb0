"""Every public function, class and method of the package says what it does."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "cipsurvey"


def undocumented(package: Path = PACKAGE) -> list[str]:
    """``file:line name`` of each public function, class or method without a docstring:
    module-level functions and classes, and the methods of public classes (names without a
    leading underscore; functions nested in functions are the enclosing one's business)."""
    missing = []

    def visit(body: list[ast.stmt], path: Path, prefix: str) -> None:
        for node in body:
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                continue
            if node.name.startswith("_"):
                continue
            if ast.get_docstring(node) is None:
                missing.append(f"{path.relative_to(package.parent)}:{node.lineno} "
                               f"{prefix}{node.name}")
            if isinstance(node, ast.ClassDef):
                visit(node.body, path, f"{prefix}{node.name}.")

    for path in sorted(package.rglob("*.py")):
        visit(ast.parse(path.read_text(encoding="utf-8")).body, path, "")
    return missing


def test_every_public_function_and_class_has_a_docstring():
    missing = undocumented()
    assert not missing, f"{len(missing)} without a docstring:\n" + "\n".join(missing)
