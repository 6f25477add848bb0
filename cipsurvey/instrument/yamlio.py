"""Read YAML safely and remember the line of every value, for error messages.

Only the safe loader is used (libyaml's ``CSafeLoader`` where PyYAML was built with it, else
the pure-Python ``SafeLoader``; both construct plain data, never Python objects). The document
is composed into a node tree once; the tree gives the line of each key and list entry, deep
nesting and oversized files are refused from it, and only then is the data built from it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from ..errors import CipsurveyError

MAX_BYTES = 5_000_000
MAX_DEPTH = 40
MAX_NODES = 200_000
# libyaml parses about ten times faster than the pure-Python parser (0.2 s of the demo report)
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Path_ = tuple[str | int, ...]


class YamlDocument:
    """A parsed YAML mapping plus the line (1-based) where each path starts."""

    def __init__(self, data: Any, lines: dict[Path_, int], file: Path | None) -> None:
        self.data = data
        self.lines = lines
        self.file = file

    def line_of(self, path: Path_) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int], depth: int, count: list[int],
          file: Path | None) -> None:
    count[0] += 1
    if depth > MAX_DEPTH:
        raise CipsurveyError(
            f"YAML nested more than {MAX_DEPTH} levels deep", file=file,
            line=node.start_mark.line + 1,
            hint="instruments and plans need only a few levels; check the indentation",
        )
    if count[0] > MAX_NODES:
        raise CipsurveyError(f"YAML has more than {MAX_NODES} values (alias expansion?)", file=file)
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            key_name = key.value if isinstance(key, yaml.ScalarNode) else str(key.start_mark)
            child = (*path, key_name)
            lines[child] = key.start_mark.line + 1
            _walk(value, child, lines, depth + 1, count, file)
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            _walk(value, (*path, i), lines, depth + 1, count, file)


def load_yaml(source: str | Path, *, text: str | None = None) -> YamlDocument:
    """Load one YAML document with the safe loader and a path-to-line map."""
    file = Path(source) if text is None else (Path(source) if source else None)
    if text is None:
        try:
            raw = Path(source).read_bytes()
        except FileNotFoundError:
            raise CipsurveyError("file not found", file=source) from None
        except OSError as exc:
            raise CipsurveyError(f"cannot read file: {exc.strerror}", file=source) from None
        if len(raw) > MAX_BYTES:
            raise CipsurveyError(f"YAML file larger than {MAX_BYTES} bytes", file=source)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CipsurveyError(
                f"YAML file is not UTF-8 (byte {exc.start})", file=source,
                hint="save the file as UTF-8",
            ) from None
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise CipsurveyError(f"invalid YAML: {exc.problem or exc}", file=file, line=line) from None
    except yaml.YAMLError as exc:
        raise CipsurveyError(f"invalid YAML: {exc}", file=file) from None
    except RecursionError:
        raise CipsurveyError("YAML nested too deeply to read", file=file) from None
    if node is None:
        raise CipsurveyError("YAML file is empty", file=file)
    lines: dict[Path_, int] = {}
    _walk(node, (), lines, 0, [0], file)
    try:
        data = yaml.SafeLoader("").construct_document(node)
    except yaml.YAMLError as exc:  # e.g. a malformed timestamp or an unknown tag
        mark = getattr(exc, "problem_mark", None)
        raise CipsurveyError(f"invalid YAML: {getattr(exc, 'problem', None) or exc}", file=file,
                             line=mark.line + 1 if mark is not None else None) from None
    except (ValueError, TypeError, AttributeError) as exc:  # e.g. the date 2001-13-45
        raise CipsurveyError(f"invalid YAML value: {exc}", file=file,
                             hint="quote values that are not meant as dates or numbers") from None
    except RecursionError:
        raise CipsurveyError("YAML nested too deeply to read", file=file) from None
    return YamlDocument(data, lines, file)


class Problem(BaseModel):
    """One problem in an instrument or plan file, with its YAML line."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        return f"{where} ({self.path}): {self.message}" if self.path else f"{where}: {self.message}"


def path_text(path: tuple[Any, ...]) -> str:
    """A path in a document as text: ``items[3].choices[0].label``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
