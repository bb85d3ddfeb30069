"""Logging with a request id on every line, as text for people or JSON for log collectors."""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar
from typing import Literal, TextIO

from pythonjsonlogger.json import JsonFormatter

request_id: ContextVar[str] = ContextVar("request_id", default="-")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
# Libraries that log every call they make at INFO: the Azure SDKs each request's and response's
# headers (two multi-line records per search), httpx2 a line per model call. At INFO, the
# default, that is most of the log and a share of the CPU per answer; DEBUG keeps them.
CHATTY = ("azure.core.pipeline.policies.http_logging_policy", "httpx2", "httpx")


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


def configure_logging(level: str, log_format: Literal["text", "json"] = "text") -> None:
    """Log to stderr with the request id; safe to call more than once."""
    root = logging.getLogger()
    root.setLevel(level)
    for name in CHATTY:
        logging.getLogger(name).setLevel(logging.NOTSET if level == "DEBUG" else logging.WARNING)
    if any(getattr(h, "_ragchat", False) for h in root.handlers):
        return
    root.addHandler(log_handler(log_format))


def log_handler(
    log_format: Literal["text", "json"], stream: TextIO | None = None
) -> logging.Handler:
    """A stderr (or `stream`) handler that stamps each record with the request id."""
    handler = logging.StreamHandler(stream)
    handler._ragchat = True  # type: ignore[attr-defined]
    handler.addFilter(_RequestIdFilter())
    if log_format == "json":
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                rename_fields={"levelname": "level", "asctime": "time", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(logging.Formatter(_TEXT_FORMAT))
    return handler


def new_request_id(incoming: str | None) -> str:
    """Keep a caller's well-formed X-Request-ID, or make a new one."""
    if incoming and _SAFE_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex
