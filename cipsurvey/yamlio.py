"""Read YAML safely and remember the line of every value, for error messages.

Only ``yaml.SafeLoader`` is used: no Python objects can be constructed from a file. The
document is composed into a node tree first, which gives the line of each key and list entry;
deep nesting and oversized files are refused before anything is built from them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import CipsurveyError

MAX_BYTES = 5_000_000
MAX_DEPTH = 40
MAX_NODES = 200_000

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
        node = yaml.compose(text, Loader=yaml.SafeLoader)
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
        data = yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError) as exc:  # pragma: no cover - compose caught these
        raise CipsurveyError(f"invalid YAML: {exc}", file=file) from None
    return YamlDocument(data, lines, file)
