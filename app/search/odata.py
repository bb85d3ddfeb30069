"""OData filter expressions for Azure AI Search, with every value escaped."""

from __future__ import annotations


def quote(value: str) -> str:
    """An OData string literal: single quotes doubled, the whole wrapped in quotes."""
    return "'" + value.replace("'", "''") + "'"


def category_filter(include: str | None, exclude: str | None) -> str | None:
    """`category eq '…'` and/or `category ne '…'`, or None when neither is asked for."""
    clauses = []
    if include:
        clauses.append(f"category eq {quote(include)}")
    if exclude:
        clauses.append(f"category ne {quote(exclude)}")
    return " and ".join(clauses) or None
