"""Who may read a chunk: access lists, and the filters that apply them inside each search.

A chunk carries the user ids (`oids`) and group ids (`groups`) that may read it; a chunk with
neither is public. A caller reads public chunks, chunks listing their id, and chunks listing
one of their groups. The filters for both retrievers are built here, and only here, with every
value escaped, so that no search can return a hit its caller may not read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from app.auth import User
from app.search.odata import quote

# `search.in` splits its value list on a delimiter and has no escape: pick one that no value holds.
_DELIMITERS = "|,;~^"


@dataclass(frozen=True, slots=True)
class AccessList:
    """Who may read a document; empty on both sides means anyone."""

    oids: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()

    @classmethod
    def of(cls, oids: Iterable[str] = (), groups: Iterable[str] = ()) -> AccessList:
        """A normalised list: no blanks, no duplicates, sorted (so equal lists compare equal)."""
        return cls(_normal(oids), _normal(groups))

    @property
    def is_public(self) -> bool:
        """Whether anyone may read."""
        return not self.oids and not self.groups

    def fingerprint(self) -> str:
        """A stable text for hashing: a changed list makes ingestion re-index the file."""
        return json.dumps({"oids": self.oids, "groups": self.groups}, separators=(",", ":"))


def _normal(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({value.strip() for value in values if value.strip()}))


def odata_filter(user: User | None) -> str:
    """The Azure AI Search filter for what `user` may read (fields `oids` and `groups`)."""
    public = "(not oids/any() and not groups/any())"
    if user is None:
        return public
    clauses = [f"oids/any(o: o eq {quote(user.oid)})"]
    if user.groups:
        clauses.append(f"groups/any(g: {_search_in('g', user.groups)})")
    return "(" + " or ".join([public, *clauses]) + ")"


def _search_in(variable: str, values: tuple[str, ...]) -> str:
    for delimiter in _DELIMITERS:
        if not any(delimiter in value for value in values):
            listed = quote(delimiter.join(values))
            return f"search.in({variable}, {listed}, {quote(delimiter)})"
    # Values holding every delimiter: compare one by one (slower on the service, still exact).
    return "(" + " or ".join(f"{variable} eq {quote(value)}" for value in values) + ")"


def sql_filter(user: User | None, alias: str = "c") -> tuple[str, list[str]]:
    """The SQLite condition (and its parameters) for what `user` may read.

    The local index keeps each list as a JSON array column, NULL when empty.
    """
    public = f"({alias}.oids IS NULL AND {alias}.groups IS NULL)"
    if user is None:
        return public, []
    # Only the alias and placeholders are formatted in; every value is a parameter.
    sql = f"({public} OR EXISTS (SELECT 1 FROM json_each({alias}.oids) WHERE value = ?)"  # noqa: S608
    params = [user.oid]
    if user.groups:
        marks = ",".join("?" * len(user.groups))
        sql += f" OR EXISTS (SELECT 1 FROM json_each({alias}.groups) WHERE value IN ({marks}))"  # noqa: S608
        params.extend(user.groups)
    return sql + ")", params


def json_column(values: tuple[str, ...]) -> str | None:
    """How the local index stores one side of an access list."""
    return json.dumps(list(values)) if values else None
