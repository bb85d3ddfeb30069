"""Logging with a request id on every line, and the id itself."""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

request_id: ContextVar[str] = ContextVar("request_id", default="-")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


def configure_logging(level: str) -> None:
    """Log to stderr with the request id; safe to call more than once."""
    root = logging.getLogger()
    root.setLevel(level)
    if any(getattr(h, "_ragchat", False) for h in root.handlers):
        return
    handler = logging.StreamHandler()
    handler._ragchat = True  # type: ignore[attr-defined]
    handler.addFilter(_RequestIdFilter())
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s")
    )
    root.addHandler(handler)


def new_request_id(incoming: str | None) -> str:
    """Keep a caller's well-formed X-Request-ID, or make a new one."""
    if incoming and _SAFE_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex
