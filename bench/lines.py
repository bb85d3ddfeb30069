"""Reading one line of an answer stream (NDJSON, or an SSE event's data) as the load
generator does: the JSON object in it, or what is wrong with it."""

from __future__ import annotations

import json
from typing import Any


def json_object(raw: bytes, what: str) -> tuple[dict[str, Any] | None, str | None]:
    """(the object, None), or (None, why the line is not a usable one); `what` names the
    line in that message ("NDJSON line", "event data")."""
    try:
        obj = json.loads(raw)
    except ValueError:
        return None, f"invalid {what}"
    if not isinstance(obj, dict):
        return None, f"{what} is not an object"
    if "error" in obj:
        return None, f"error in the {what}: {str(obj['error'])[:80]}"
    return obj, None
