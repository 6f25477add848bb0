"""The filter (skip-logic) language, parsed into a small tree and never run as Python.

Grammar (lowest precedence first)::

    expr       := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | comparison
    comparison := operand (CMP operand | ["not"] "in" list)?
    operand    := NAME | NUMBER | STRING | FUNC "(" args ")" | "(" expr ")"
    list       := "[" literal ("," literal)* "]"
    CMP        := "==" | "!=" | "<" | "<=" | ">" | ">="
    FUNC       := "answered" | "selected"

``ever_cip == "yes"`` compares an item with one of its answers (by answer name, or label in any
language, or code); ``work_area in ["social_services", "psychiatric_care"]`` tests membership;
``answered(age)`` is true when an answer is present; ``selected(partners_12m, "primary_care")``
tests one option of a multiple-choice item; an item coded 0/1 may stand alone (1 is true).
Evaluation uses three-valued logic: a comparison with
a missing answer is unknown (NA), so an unanswered filter question neither demands nor forbids
the items behind it.

A hand-written recursive-descent parser is used because the language is tiny, the error
messages must point at a column of the expression, and no safe expression library on PyPI
gives both three-valued evaluation over pandas columns and that control.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

MAX_LENGTH = 2000
MAX_DEPTH = 50
FUNCTIONS = {"answered": 1, "selected": 2}
KEYWORDS = {"and", "or", "not", "in"}
COMPARATORS = {"==", "!=", "<", "<=", ">", ">="}


class ExpressionError(ValueError):
    """A filter expression that cannot be parsed or does not fit the instrument."""

    def __init__(self, message: str, text: str = "", position: int | None = None) -> None:
        self.message = message
        self.text = text
        self.position = position
        detail = message
        if text and position is not None:
            detail += f" (at character {position + 1} of {text!r})"
        elif text:
            detail += f" (in {text!r})"
        super().__init__(detail)


# --------------------------------------------------------------------------- tokens

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<number>-?\d+(?:\.\d+)?)
  | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>==|!=|<=|>=|<|>|\(|\)|\[|\]|,)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
    """A token of a filter expression: its kind, text and position."""

    kind: str  # number, string, name, keyword, op, end
    value: str
    pos: int


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``, ending with an ``end`` token."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            ch = text[pos]
            hint = " (use == to compare)" if ch == "=" else ""
            raise ExpressionError(f"unexpected character {ch!r}{hint}", text, pos)
        kind = m.lastgroup or ""
        value = m.group(kind)
        if kind == "name" and value in KEYWORDS:
            kind = "keyword"
        if kind != "ws":
            tokens.append(Token(kind, value, pos))
        pos = m.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


# --------------------------------------------------------------------------- tree


@dataclass(frozen=True)
class Name:
    """An item named in an expression."""

    name: str
    pos: int


@dataclass(frozen=True)
class Literal:
    """A number or a quoted answer."""

    value: str | float
    pos: int


@dataclass(frozen=True)
class Call:
    """``answered(item)`` or ``selected(item, option)``."""

    func: str
    args: tuple[Any, ...]
    pos: int


@dataclass(frozen=True)
class Compare:
    """``left op right`` with one of ``COMPARATORS``."""

    op: str
    left: Any
    right: Any
    pos: int


@dataclass(frozen=True)
class In:
    """``item in [a, b]`` (or ``not in``)."""

    operand: Any
    values: tuple[Literal, ...]
    negated: bool
    pos: int


@dataclass(frozen=True)
class Not:
    """``not operand``."""

    operand: Any
    pos: int


@dataclass(frozen=True)
class BoolOp:
    """Operands joined by ``and`` or ``or``."""

    op: str  # "and" | "or"
    operands: tuple[Any, ...]
    pos: int


Node = Name | Literal | Call | Compare | In | Not | BoolOp


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def fail(self, message: str, tok: Token | None = None) -> ExpressionError:
        tok = tok or self.tok
        return ExpressionError(message, self.text, tok.pos)

    def take(self, kind: str, value: str | None = None) -> Token:
        tok = self.tok
        if tok.kind != kind or (value is not None and tok.value != value):
            want = value or kind
            got = tok.value or "end of expression"
            raise self.fail(f"expected {want!r}, found {got!r}")
        self.i += 1
        return tok

    def at(self, kind: str, value: str | None = None) -> bool:
        return self.tok.kind == kind and (value is None or self.tok.value == value)

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(f"expression nested more than {MAX_DEPTH} levels deep")

    def parse(self) -> Node:
        node = self.or_expr()
        if not self.at("end"):
            raise self.fail(f"unexpected {self.tok.value!r}")
        return node

    def or_expr(self) -> Node:
        first = self.tok
        parts = [self.and_expr()]
        while self.at("keyword", "or"):
            self.i += 1
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else BoolOp("or", tuple(parts), first.pos)

    def and_expr(self) -> Node:
        first = self.tok
        parts = [self.not_expr()]
        while self.at("keyword", "and"):
            self.i += 1
            parts.append(self.not_expr())
        return parts[0] if len(parts) == 1 else BoolOp("and", tuple(parts), first.pos)

    def not_expr(self) -> Node:
        if self.at("keyword", "not"):
            tok = self.take("keyword", "not")
            self.enter()
            inner = self.not_expr()
            self.depth -= 1
            return Not(inner, tok.pos)
        return self.comparison()

    def comparison(self) -> Node:
        left = self.operand()
        tok = self.tok
        if tok.kind == "op" and tok.value in COMPARATORS:
            self.i += 1
            right = self.operand()
            return Compare(tok.value, left, right, tok.pos)
        negated = False
        if self.at("keyword", "not") and self.tokens[self.i + 1].value == "in":
            self.i += 1
            negated = True
        if self.at("keyword", "in"):
            self.i += 1
            return In(left, self.literal_list(), negated, tok.pos)
        if negated:  # pragma: no cover - guarded above
            raise self.fail("expected 'in' after 'not'")
        return left

    def literal_list(self) -> tuple[Literal, ...]:
        opener = self.tok
        if not (self.at("op", "[") or self.at("op", "(")):
            raise self.fail("expected a list such as [1, 2] after 'in'")
        closer = "]" if opener.value == "[" else ")"
        self.i += 1
        values = [self.literal()]
        while self.at("op", ","):
            self.i += 1
            values.append(self.literal())
        self.take("op", closer)
        return tuple(values)

    def literal(self) -> Literal:
        tok = self.tok
        if tok.kind == "number":
            self.i += 1
            return Literal(float(tok.value), tok.pos)
        if tok.kind == "string":
            self.i += 1
            return Literal(_unquote(tok.value), tok.pos)
        raise self.fail(f"expected a number or a quoted answer, found {tok.value or 'end'!r}")

    def operand(self) -> Node:
        tok = self.tok
        if tok.kind in {"number", "string"}:
            return self.literal()
        if tok.kind == "name":
            self.i += 1
            if self.at("op", "("):
                if tok.value not in FUNCTIONS:
                    allowed = ", ".join(sorted(FUNCTIONS))
                    raise ExpressionError(
                        f"unknown function {tok.value!r}; the language has only {allowed}",
                        self.text, tok.pos,
                    )
                self.i += 1
                args: list[Node] = []
                if not self.at("op", ")"):
                    args.append(self.operand())
                    while self.at("op", ","):
                        self.i += 1
                        args.append(self.operand())
                self.take("op", ")")
                if len(args) != FUNCTIONS[tok.value]:
                    raise ExpressionError(
                        f"{tok.value}() takes {FUNCTIONS[tok.value]} argument(s), got {len(args)}",
                        self.text, tok.pos,
                    )
                return Call(tok.value, tuple(args), tok.pos)
            return Name(tok.value, tok.pos)
        if self.at("op", "("):
            self.i += 1
            self.enter()
            inner = self.or_expr()
            self.depth -= 1
            self.take("op", ")")
            return inner
        got = tok.value or "end of expression"
        raise self.fail(f"expected an item, a number or a quoted answer, found {got!r}")


def _unquote(raw: str) -> str:
    body = raw[1:-1]
    return re.sub(r"\\(.)", r"\1", body)


def parse(text: str) -> Node:
    """Parse a filter expression into a tree; raise ``ExpressionError`` if it is malformed."""
    if not isinstance(text, str):
        raise ExpressionError("a filter expression must be text")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_LENGTH} characters")
    if not text.strip():
        raise ExpressionError("empty expression")
    return _Parser(text).parse()


def names(node: Node) -> set[str]:
    """Every item name the expression refers to."""
    found: set[str] = set()

    def visit(n: Any) -> None:
        if isinstance(n, Name):
            found.add(n.name)
        elif isinstance(n, Call):
            if n.args and isinstance(n.args[0], Name):
                found.add(n.args[0].name)
            for a in n.args[1:]:
                visit(a)
        elif isinstance(n, Compare):
            visit(n.left)
            visit(n.right)
        elif isinstance(n, In | Not):
            visit(n.operand)
        elif isinstance(n, BoolOp):
            for o in n.operands:
                visit(o)

    visit(node)
    return found


def to_text(node: Node) -> str:
    """Canonical text of a tree (parse(to_text(t)) == t up to positions)."""
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Literal):
        if isinstance(node.value, float):
            return str(int(node.value)) if node.value.is_integer() else repr(node.value)
        return '"' + node.value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(node, Call):
        return f"{node.func}({', '.join(to_text(a) for a in node.args)})"
    if isinstance(node, Compare):
        return f"{_wrap(node.left)} {node.op} {_wrap(node.right)}"
    if isinstance(node, In):
        values = ", ".join(to_text(v) for v in node.values)
        return f"{_wrap(node.operand)} {'not in' if node.negated else 'in'} [{values}]"
    if isinstance(node, Not):
        return f"not {_wrap(node.operand)}"
    if isinstance(node, BoolOp):
        return f" {node.op} ".join(_wrap(o) for o in node.operands)
    raise TypeError(node)  # pragma: no cover


def _wrap(node: Node) -> str:
    text = to_text(node)
    return f"({text})" if isinstance(node, BoolOp | Not | Compare | In) else text


# --------------------------------------------------------------------------- binding


@dataclass(frozen=True)
class Variable:
    """What the binder needs to know about an item to compile an expression against it."""

    name: str
    kind: str  # "choice", "multiple", "numeric", "text"
    answers: dict[str, float] = field(default_factory=dict)  # normalised name/label -> code
    options: dict[str, str] = field(default_factory=dict)  # normalised option -> column
    columns: tuple[str, ...] = ()


def normalise(text: str) -> str:
    """Text compared as a person would: spaces collapsed, case folded."""
    return " ".join(str(text).split()).casefold()


@dataclass(frozen=True)
class Bound:
    """An expression checked against an instrument, ready to evaluate on a wave."""

    text: str
    tree: Node
    variables: dict[str, Variable]

    def evaluate(self, frame: pd.DataFrame) -> pd.Series:
        """Nullable boolean Series: True, False, or NA where the answer is unknown."""
        import pandas as pd

        result = _eval(self.tree, frame, self.variables, self.text)
        if not isinstance(result, pd.Series):
            result = pd.Series(bool(result), index=frame.index)
        return result.astype("boolean")


def bind(text: str, variables: dict[str, Variable]) -> Bound:
    """Parse ``text`` and check every name, function and answer against ``variables``."""
    tree = parse(text)
    _check(tree, variables, text)
    return Bound(text, tree, variables)


def _check(node: Any, variables: dict[str, Variable], text: str, alone: bool = True) -> None:
    """Refuse what does not fit ``variables``; ``alone``: ``node`` is a condition by itself."""
    if isinstance(node, Name):
        if node.name not in variables:
            raise ExpressionError(f"unknown item {node.name!r}", text, node.pos)
        var = variables[node.name]
        if var.kind == "multiple":
            raise ExpressionError(
                f"{node.name!r} is a multiple-choice item: use selected({node.name}, \"option\")",
                text, node.pos,
            )
        if alone and not (var.kind == "choice" and var.answers
                          and set(var.answers.values()) <= {0.0, 1.0}):
            raise ExpressionError(
                f"{node.name!r} alone is a condition only when its answers are coded 0 and 1;"
                f" compare it with an answer ({node.name} == ...) or write answered({node.name})",
                text, node.pos,
            )
    elif isinstance(node, Call):
        target = node.args[0]
        if not isinstance(target, Name):
            raise ExpressionError(f"{node.func}() needs an item name first", text, node.pos)
        if target.name not in variables:
            raise ExpressionError(f"unknown item {target.name!r}", text, target.pos)
        if node.func == "selected":
            var = variables[target.name]
            option = node.args[1]
            if var.kind != "multiple":
                raise ExpressionError(
                    f"selected() needs a multiple-choice item; {target.name!r} is not one",
                    text, node.pos,
                )
            if not isinstance(option, Literal):
                raise ExpressionError(
                    f"selected() needs an option of {target.name!r} in quotes or its code as"
                    " its second argument", text, getattr(option, "pos", node.pos),
                )
            if option_column(var, option.value) is None:
                raise ExpressionError(f"{target.name!r} has no option {option.value!r}",
                                      text, option.pos)
    elif isinstance(node, Compare):
        _check(node.left, variables, text, alone=False)
        _check(node.right, variables, text, alone=False)
        _check_answer(node.left, node.right, variables, text)
        _check_answer(node.right, node.left, variables, text)
        if isinstance(node.left, Literal) and isinstance(node.right, Literal):
            raise ExpressionError("a comparison needs at least one item", text, node.pos)
        if node.op not in {"==", "!="}:
            for side in (node.left, node.right):
                if isinstance(side, Literal) and isinstance(side.value, str):
                    raise ExpressionError(
                        f"{node.op} needs numbers, not the answer {side.value!r}", text, side.pos
                    )
    elif isinstance(node, In):
        _check(node.operand, variables, text, alone=False)
        if not isinstance(node.operand, Name):
            raise ExpressionError("'in' needs an item on its left", text, node.pos)
        for value in node.values:
            _check_answer(node.operand, value, variables, text)
    elif isinstance(node, Not):
        _check(node.operand, variables, text)
    elif isinstance(node, BoolOp):
        for o in node.operands:
            _check(o, variables, text)


def answer_code(var: Variable, value: str | float) -> float | None:
    """The code of an answer written as a code or as an answer's name or label."""
    if isinstance(value, float):
        return value
    return var.answers.get(normalise(value))


def option_column(var: Variable, value: str | float) -> str | None:
    """The wave column of a multiple-choice option named by code, name or label."""
    key = normalise(str(int(value)) if isinstance(value, float) and value.is_integer() else value)
    return var.options.get(key)


def _check_answer(item: Any, value: Any, variables: dict[str, Variable], text: str) -> None:
    if not (isinstance(item, Name) and isinstance(value, Literal)):
        return
    var = variables[item.name]
    if var.kind == "choice":
        if answer_code(var, value.value) is None or (
            isinstance(value.value, float) and value.value not in set(var.answers.values())
        ):
            known = sorted({k for k in var.answers if not k.replace(".", "").isdigit()})
            raise ExpressionError(
                f"{item.name!r} has no answer {value.value!r}; known answers: {', '.join(known)}",
                text, value.pos,
            )
    elif var.kind == "numeric" and isinstance(value.value, str):
        raise ExpressionError(
            f"{item.name!r} is numeric; compare it with a number, not {value.value!r}",
            text, value.pos,
        )


def _operand(node: Any, frame: pd.DataFrame, variables: dict[str, Variable], other: Any,
             text: str):
    """Value of an operand: a Series for an item, a number or string for a literal."""
    if isinstance(node, Name):
        var = variables[node.name]
        if var.columns[0] not in frame.columns:
            import numpy as np
            import pandas as pd

            return pd.Series(np.nan, index=frame.index)
        return frame[var.columns[0]]
    if isinstance(node, Literal):
        if isinstance(other, Name) and variables[other.name].kind == "choice":
            return answer_code(variables[other.name], node.value)
        return node.value
    return _eval(node, frame, variables, text)


def _eval(node: Any, frame: pd.DataFrame, variables: dict[str, Variable], text: str):
    import numpy as np
    import pandas as pd

    if isinstance(node, BoolOp):
        result = _eval(node.operands[0], frame, variables, text).astype("boolean")
        for operand in node.operands[1:]:
            value = _eval(operand, frame, variables, text).astype("boolean")
            result = (result & value) if node.op == "and" else (result | value)
        return result
    if isinstance(node, Not):
        return ~_eval(node.operand, frame, variables, text).astype("boolean")
    if isinstance(node, Call):
        var = variables[node.args[0].name]
        present = [c for c in var.columns if c in frame.columns]
        if node.func == "answered":
            if not present:
                return pd.Series(False, index=frame.index, dtype="boolean")
            return frame[present].notna().any(axis=1).astype("boolean")
        column = option_column(var, node.args[1].value)
        if column not in frame.columns:
            return pd.Series(pd.NA, index=frame.index, dtype="boolean")
        values = frame[column].to_numpy(dtype=float, na_value=np.nan)
        return _nullable(values == 1, np.isnan(values), frame.index)
    if isinstance(node, Compare):
        left = _operand(node.left, frame, variables, node.right, text)
        right = _operand(node.right, frame, variables, node.left, text)
        return _compare(node.op, left, right, frame.index)
    if isinstance(node, In):
        series = _operand(node.operand, frame, variables, None, text)
        var = variables[node.operand.name]
        if var.kind == "choice":
            codes = [answer_code(var, v.value) for v in node.values]
        else:
            codes = [v.value for v in node.values]
        result = _nullable(series.isin(codes).to_numpy(dtype=bool),
                           series.isna().to_numpy(), frame.index)
        return ~result if node.negated else result
    if isinstance(node, Name):  # a 0/1 item alone (bind checks the coding): 1 is true
        values = _operand(node, frame, variables, None, text).to_numpy(dtype=float,
                                                                       na_value=np.nan)
        # a code other than 0 and 1 is unknown here; validation reports it on its cell
        return _nullable(values == 1, ~np.isin(values, (0.0, 1.0)), frame.index)
    raise ExpressionError("a literal alone is not a condition", text, getattr(node, "pos", None))


def _compare(op: str, left: Any, right: Any, index: Any):
    import operator

    import numpy as np
    import pandas as pd

    ops = {
        "==": operator.eq, "!=": operator.ne, "<": operator.lt,
        "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    }
    fn = ops[op]
    missing = None
    if isinstance(left, pd.Series):
        missing = left.isna().to_numpy()
    if isinstance(right, pd.Series):
        missing = right.isna().to_numpy() if missing is None else \
            (missing | right.isna().to_numpy())
    result = fn(left, right)
    if not isinstance(result, pd.Series):
        result = pd.Series(bool(result), index=index)
    values = result.to_numpy(dtype=bool, na_value=False)
    return _nullable(values, np.zeros(len(values), dtype=bool) if missing is None else missing,
                     index)


def _nullable(values: Any, missing: Any, index: Any):
    """A nullable boolean Series from plain arrays: ``values``, NA where ``missing``."""
    import numpy as np
    import pandas as pd

    return pd.Series(pd.arrays.BooleanArray(np.asarray(values, dtype=bool),
                                            np.asarray(missing, dtype=bool), copy=True),
                     index=index)
