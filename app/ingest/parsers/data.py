"""CSV and JSON: records become pipe tables (the splitter cuts them into row groups that
repeat the header); other JSON becomes `path: value` lines."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from app.ingest.parsers.base import Page, ParseError, decode_text
from app.ingest.parsers.tables import pipe_table


def parse_csv(data: bytes) -> list[Page]:
    """The rows of a CSV (or TSV) file as one table."""
    text = decode_text(data)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], ",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        rows = list(reader)
    except csv.Error:
        raise ParseError(f"malformed CSV (line {reader.line_num})") from None
    table = pipe_table(rows)
    return [Page(table)] if table else []


def parse_json(data: bytes) -> list[Page]:
    """A list of flat records as a table; anything else as `path: value` lines."""
    try:
        value = json.loads(decode_text(data))
    except json.JSONDecodeError as exc:
        raise ParseError(f"invalid JSON (line {exc.lineno})") from None
    if _is_records(value):
        keys = list(dict.fromkeys(key for record in value for key in record))
        rows = [keys] + [[_scalar(record.get(key)) for key in keys] for record in value]
        text = pipe_table(rows)
    else:
        text = "\n".join(f"{path}: {leaf}" for path, leaf in _leaves(value, ""))
    return [Page(text)] if text.strip() else []


def _is_records(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(item, dict) for item in value)
        and all(not isinstance(v, dict | list) for item in value for v in item.values())
    )


def _scalar(value: Any) -> str:
    return "" if value is None else str(value)


def _leaves(value: Any, path: str) -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [
            leaf
            for key, item in value.items()
            for leaf in _leaves(item, f"{path}.{key}" if path else str(key))
        ]
    if isinstance(value, list):
        return [leaf for i, item in enumerate(value) for leaf in _leaves(item, f"{path}[{i}]")]
    return [(path or "value", _scalar(value))]
