"""The OData ``$filter`` subset FakeAzureSearch evaluates on its stored documents.

The search body's ``filter`` is parsed by a small recursive-descent parser (no ``eval``) for
this subset of Azure AI Search's OData, lowest precedence first::

    filter     := or
    or         := and ('or' and)*
    and        := unary ('and' unary)*
    unary      := 'not' unary | primary          # precedence: not > and > or
    primary    := '(' or ')' | path op constant | constant op path | path | 'true' | 'false'
                | 'search.in(' path ',' string (',' string)? ')'
                | path '/any()' | path '/any(' var ':' or ')' | path '/all(' var ':' or ')'
    op         := 'eq' | 'ne'
    constant   := string | integer | float | 'true' | 'false' | 'null'
    path       := identifier ('/' identifier)*   # a field, or a range variable and sub-fields

Strings are single-quoted with ``''`` for a quote; keywords are lower-case, as in OData 4.0.
Like the service, ``not`` binds tighter than comparisons, so ``not a eq 'x'`` is rejected
(write ``not (a eq 'x')``), and inside a lambda only the range variables may be referenced.

Evaluation on a stored document: a missing field is ``null``; ``eq`` is exact (strings are
case-sensitive, ``null`` equals only ``null``, booleans never equal numbers, ``1`` equals ``1.0``);
``ne`` is its negation, so it matches documents without the field, like the service. A bare
path is true when the field is ``true``. ``search.in(x, 'a, b')`` splits its list on every
character of the delimiters (default space *and* comma, per the service docs; ``'|'`` etc. when
given) and drops empty pieces, so ``'g1, g2'`` means ``g1`` or ``g2``. A collection field that is
missing or ``null`` is empty: ``any()`` is false, ``any(x: ...)`` is false, ``all(x: ...)`` is
true, so ``not oids/any()`` matches documents without ``oids``.

A filter outside this subset raises :class:`ODataFilterError`; the fake answers it with 400.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


def unquote(value: str) -> str:
    """The text of an OData string literal's body: ``''`` is one quote."""
    return value.replace("''", "'")


# A recursive-descent parser for the OData subset Azure AI Search accepts in `$filter`
# (https://learn.microsoft.com/azure/search/search-query-odata-syntax-reference), reduced to
# what the fake evaluates; the grammar is in the module docstring. Parsing builds a small tree
# of nodes whose `test(document, env)` says whether a stored document matches; `env` maps the
# range variables of the enclosing lambdas to the collection element being tested.

_TOKEN = re.compile(
    r"(?P<string>'(?:[^']|'')*')"
    r"|(?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(?![A-Za-z0-9_.])"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)"
    r"|(?P<punct>[():,/])"
)
_WHITESPACE = re.compile(r"\s*")
_COMPARISONS = frozenset({"eq", "ne"})
_RANGE_COMPARISONS = frozenset({"gt", "ge", "lt", "le"})
_KEYWORDS = frozenset({"and", "or", "not", "true", "false", "null"}) | _COMPARISONS
_KEYWORDS |= _RANGE_COMPARISONS
# search.in's default delimiters, per the service docs: "space and comma".
_SEARCH_IN_DELIMITERS = " ,"


class ODataFilterError(ValueError):
    """A ``$filter`` the fake cannot parse or evaluate; the fake answers it with 400."""


@dataclass(frozen=True)
class _Token:
    kind: str  # "string", "number", "word", "punct" or "end"
    text: str
    pos: int


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = _WHITESPACE.match(text, 0).end()  # type: ignore[union-attr]
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            what = "unterminated string literal" if text[pos] == "'" else f"character {text[pos]!r}"
            raise ODataFilterError(
                f"Invalid expression: unexpected {what} at position {pos} in '{text}'."
            )
        kind = str(match.lastgroup)
        tokens.append(_Token(kind, match.group(), pos))
        pos = _WHITESPACE.match(text, match.end()).end()  # type: ignore[union-attr]
    tokens.append(_Token("end", "", len(text)))
    return tokens


@dataclass(frozen=True)
class _Path:
    """A field path (``variable`` None) or a range variable with optional sub-field names."""

    variable: str | None
    names: tuple[str, ...]

    def resolve(self, document: dict[str, Any], env: dict[str, Any]) -> Any:
        value: Any = document if self.variable is None else env[self.variable]
        for name in self.names:
            value = value.get(name) if isinstance(value, dict) else None
        return value

    def __str__(self) -> str:
        return "/".join(((self.variable,) if self.variable else ()) + self.names)


def _equal(left: Any, right: Any) -> bool:
    """OData ``eq``: null equals only null; booleans never equal numbers; strings are exact."""
    if left is None or right is None:
        return left is None and right is None
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, int | float) and isinstance(right, int | float):
        return left == right
    return type(left) is type(right) and bool(left == right)


class _Node:
    def test(self, document: dict[str, Any], env: dict[str, Any]) -> bool:
        raise NotImplementedError


@dataclass(frozen=True)
class _Or(_Node):
    parts: tuple[_Node, ...]

    def test(self, document: dict[str, Any], env: dict[str, Any]) -> bool:
        return any(part.test(document, env) for part in self.parts)


@dataclass(frozen=True)
class _And(_Node):
    parts: tuple[_Node, ...]

    def test(self, document: dict[str, Any], env: dict[str, Any]) -> bool:
        return all(part.test(document, env) for part in self.parts)


@dataclass(frozen=True)
class _Not(_Node):
    operand: _Node

    def test(self, document: dict[str, Any], env: dict[str, Any]) -> bool:
        return not self.operand.test(document, env)


@dataclass(frozen=True)
class _Constant(_Node):
    value: bool

    def test(self, document: dict[str, Any], env: dict[str, Any]) -> bool:
        return self.value


@dataclass(frozen=True)
class _IsTrue(_Node):
    """A bare boolean field or range variable."""

    path: _Path

    def test(self, document: dict[str, Any], env: dict[str, Any]) -> bool:
        return self.path.resolve(document, env) is True


@dataclass(frozen=True)
class _Compare(_Node):
    path: _Path
    op: str
    value: Any

    def test(self, document: dict[str, Any], env: dict[str, Any]) -> bool:
        equal = _equal(self.path.resolve(document, env), self.value)
        return equal if self.op == "eq" else not equal


@dataclass(frozen=True)
class _SearchIn(_Node):
    path: _Path
    values: frozenset[str]

    def test(self, document: dict[str, Any], env: dict[str, Any]) -> bool:
        value = self.path.resolve(document, env)
        return isinstance(value, str) and value in self.values


@dataclass(frozen=True)
class _Lambda(_Node):
    """``path/any()``, ``path/any(v: body)`` or ``path/all(v: body)``."""

    path: _Path
    kind: str
    variable: str | None = None
    body: _Node | None = None

    def test(self, document: dict[str, Any], env: dict[str, Any]) -> bool:
        items = self.path.resolve(document, env)
        if items is None:  # a collection missing from the document is empty
            items = []
        if not isinstance(items, list):
            raise ODataFilterError(
                f"Invalid expression: '{self.path}' is not a collection "
                f"(found {type(items).__name__}), so it cannot be used with '{self.kind}'."
            )
        if self.body is None or self.variable is None:
            return bool(items)
        results = (self.body.test(document, {**env, self.variable: item}) for item in items)
        return any(results) if self.kind == "any" else all(results)


@dataclass(frozen=True)
class ODataFilter:
    """A parsed ``$filter``; :meth:`matches` evaluates it on one stored document."""

    text: str
    root: _Node

    def matches(self, document: dict[str, Any]) -> bool:
        """Whether ``document`` passes the filter (raises ODataFilterError if it cannot say)."""
        return self.root.test(document, {})


def parse_filter(text: str) -> ODataFilter:
    """Parse an OData ``$filter``; raises :class:`ODataFilterError` with a service-like message."""
    return ODataFilter(text, _FilterParser(text).parse())


class _FilterParser:
    """``or`` < ``and`` < ``not`` < comparisons / calls / lambdas / parentheses."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._tokens = _tokenize(text)
        self._index = 0

    # -- token helpers

    def _peek(self, offset: int = 0) -> _Token:
        return self._tokens[min(self._index + offset, len(self._tokens) - 1)]

    def _next(self) -> _Token:
        token = self._peek()
        self._index = min(self._index + 1, len(self._tokens) - 1)
        return token

    def _at(self, kind: str, text: str | None = None, offset: int = 0) -> bool:
        token = self._peek(offset)
        return token.kind == kind and (text is None or token.text == text)

    def _fail(self, detail: str, token: _Token | None = None) -> ODataFilterError:
        pos = (token or self._peek()).pos
        return ODataFilterError(
            f"Invalid expression: {detail} at position {pos} in '{self._text}'."
        )

    def _describe(self, token: _Token) -> str:
        return "end of input" if token.kind == "end" else f"'{token.text}'"

    def _expect(self, kind: str, text: str, what: str) -> _Token:
        if not self._at(kind, text):
            raise self._fail(f"expected {what}, found {self._describe(self._peek())}")
        return self._next()

    def _identifier(self, what: str) -> str:
        token = self._peek()
        if token.kind != "word" or "." in token.text or token.text in _KEYWORDS:
            raise self._fail(f"expected {what}, found {self._describe(token)}")
        return self._next().text

    # -- grammar

    def parse(self) -> _Node:
        node = self._or(frozenset())
        if not self._at("end"):
            raise self._fail(f"unexpected {self._describe(self._peek())}")
        return node

    def _or(self, scope: frozenset[str]) -> _Node:
        parts = [self._and(scope)]
        while self._at("word", "or"):
            self._next()
            parts.append(self._and(scope))
        return parts[0] if len(parts) == 1 else _Or(tuple(parts))

    def _and(self, scope: frozenset[str]) -> _Node:
        parts = [self._unary(scope, comparison=True)]
        while self._at("word", "and"):
            self._next()
            parts.append(self._unary(scope, comparison=True))
        return parts[0] if len(parts) == 1 else _And(tuple(parts))

    def _unary(self, scope: frozenset[str], *, comparison: bool) -> _Node:
        if self._at("word", "not"):
            self._next()
            # OData's `not` binds tighter than `eq`: `not a eq 'x'` is `(not a) eq 'x'`,
            # which the service rejects; `not (a eq 'x')` is what was meant.
            return _Not(self._unary(scope, comparison=False))
        return self._primary(scope, comparison=comparison)

    def _primary(self, scope: frozenset[str], *, comparison: bool) -> _Node:
        token = self._peek()
        if self._at("punct", "("):
            self._next()
            node = self._or(scope)
            self._expect("punct", ")", "')'")
            return self._no_comparison_after(node)
        if token.kind == "word" and token.text == "search.in":
            return self._no_comparison_after(self._search_in(scope))
        if token.kind == "word" and "." in token.text:
            raise self._fail(f"FakeAzureSearch does not support the function '{token.text}'")
        if token.kind in ("string", "number") or token.text in ("true", "false", "null"):
            constant = self._constant()
            if self._comparison_follows():
                op = self._comparison_operator(comparison)
                path = self._variable(scope, "a field path after the comparison operator")
                return _Compare(path, op, constant)
            if isinstance(constant, bool):
                return _Constant(constant)
            raise self._fail(f"expected a boolean expression, found {self._describe(token)}")
        if token.kind == "word" and token.text not in _KEYWORDS:
            node = self._path_or_lambda(scope)
            if isinstance(node, _Lambda):
                return self._no_comparison_after(node)
            if self._comparison_follows():
                op = self._comparison_operator(comparison)
                return _Compare(node, op, self._constant())
            return _IsTrue(node)
        raise self._fail(f"expected a boolean expression, found {self._describe(token)}")

    def _comparison_follows(self) -> bool:
        token = self._peek()
        return token.kind == "word" and token.text in _COMPARISONS | _RANGE_COMPARISONS

    def _comparison_operator(self, allowed: bool) -> str:
        token = self._peek()
        if not allowed:
            raise self._fail(
                f"'not' binds tighter than '{token.text}'; write not (a {token.text} b)"
            )
        if token.text in _RANGE_COMPARISONS:
            raise self._fail(f"FakeAzureSearch does not support the operator '{token.text}'")
        return self._next().text

    def _no_comparison_after(self, node: _Node) -> _Node:
        if self._comparison_follows():
            raise self._fail(f"'{self._peek().text}' must compare a field with a constant")
        return node

    def _constant(self) -> Any:
        token = self._next()
        if token.kind == "string":
            return unquote(token.text[1:-1])
        if token.kind == "number":
            is_float = any(c in token.text for c in ".eE")
            return float(token.text) if is_float else int(token.text)
        if token.kind == "word" and token.text in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[token.text]
        raise self._fail(f"expected a constant, found {self._describe(token)}", token)

    def _string(self, what: str) -> str:
        if not self._at("string"):
            raise self._fail(f"expected {what}, found {self._describe(self._peek())}")
        return unquote(self._next().text[1:-1])

    def _path_or_lambda(self, scope: frozenset[str]) -> _Path | _Lambda:
        start = self._peek()
        names = [self._identifier("a field path")]
        while self._at("punct", "/"):
            self._next()
            if (
                self._at("word")
                and self._peek().text in ("any", "all")
                and self._at("punct", "(", 1)
            ):
                kind = self._next().text
                self._next()
                return self._lambda(self._bind(names, scope, start), kind, scope)
            names.append(self._identifier("a field name after '/'"))
        return self._bind(names, scope, start)

    def _bind(self, names: list[str], scope: frozenset[str], start: _Token) -> _Path:
        if names[0] in scope:
            return _Path(names[0], tuple(names[1:]))
        if scope:
            raise self._fail(
                f"'{'/'.join(names)}' is not the range variable; only bound field references "
                "are supported inside lambda expressions ('any' or 'all')",
                start,
            )
        return _Path(None, tuple(names))

    def _variable(self, scope: frozenset[str], what: str) -> _Path:
        if not self._at("word") or self._peek().text in _KEYWORDS:
            raise self._fail(f"expected {what}, found {self._describe(self._peek())}")
        node = self._path_or_lambda(scope)
        if isinstance(node, _Lambda):
            raise self._fail(f"expected {what}, found a lambda expression")
        return node

    def _lambda(self, path: _Path, kind: str, scope: frozenset[str]) -> _Lambda:
        if self._at("punct", ")"):
            if kind == "all":
                raise self._fail("'all' needs a lambda expression")
            self._next()
            return _Lambda(path, kind)
        variable = self._identifier("a range variable")
        self._expect("punct", ":", "':' after the range variable")
        body = self._or(scope | {variable})
        self._expect("punct", ")", "')' closing the lambda expression")
        return _Lambda(path, kind, variable, body)

    def _search_in(self, scope: frozenset[str]) -> _SearchIn:
        self._next()
        self._expect("punct", "(", "'(' after search.in")
        path = self._variable(scope, "a field path or range variable")
        self._expect("punct", ",", "',' after the first argument of search.in")
        listed = self._string("a string literal list of values")
        delimiters = _SEARCH_IN_DELIMITERS
        if self._at("punct", ","):
            self._next()
            delimiters = self._string("a string literal of delimiters")
            if not delimiters:
                raise self._fail("the delimiters of search.in must not be empty")
        self._expect("punct", ")", "')' closing search.in")
        # Every delimiter character splits the list; empty pieces (as in 'a, b') are dropped.
        pieces = re.split("[" + re.escape(delimiters) + "]", listed)
        return _SearchIn(path, frozenset(piece for piece in pieces if piece))
