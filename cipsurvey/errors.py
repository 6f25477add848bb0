"""Errors that the command line turns into one clear message and exit code 2."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class Location:
    """Where in the user's input a problem sits (all parts optional)."""

    file: str | Path | None = None
    row: int | None = None
    column: str | None = None
    line: int | None = None

    def describe(self) -> str:
        """The location as text: file, line, row and column, where known."""
        parts: list[str] = []
        if self.file is not None:
            parts.append(str(self.file))
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)


class CipsurveyError(Exception):
    """An input or usage problem the user can fix; never a bug in cipsurvey.

    The message names the file, and the row and column where they apply, and says what to do.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.location = Location(file=file, row=row, column=column, line=line)
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        """The message as shown: where, what, and the hint."""
        where = self.location.describe()
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class InputFileError(CipsurveyError):
    """A data file cannot be read at all (empty, truncated, not the format it claims)."""


class InstrumentError(CipsurveyError):
    """An instrument definition is invalid; ``problems`` lists every problem with its line."""

    def __init__(self, message: str, *, file: str | Path | None = None, problems=None) -> None:
        self.problems = list(problems or [])
        super().__init__(message, file=file)

    def render(self) -> str:
        """The message with every problem on a line of its own."""
        head = super().render()
        lines = [head]
        for p in self.problems:
            lines.append(f"  {p}")
        return "\n".join(lines)


class OutputError(CipsurveyError):
    """An output cannot be written (it would overwrite an input, or it exists without --force)."""
