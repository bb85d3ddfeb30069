"""Log a failure with the request id, and hand back what the client may see."""

from __future__ import annotations

import logging

from app.errors import AppError, UpstreamError

logger = logging.getLogger("app.errors")


def report(error: AppError, exc: BaseException, request_id: str) -> AppError:
    """Log `exc` (details stay in the log) and return `error`, whose message is safe to show."""
    if type(error) is AppError:
        logger.error("unhandled error (request %s)", request_id, exc_info=exc)
    elif isinstance(error, UpstreamError):
        logger.warning(
            "upstream failure -> %s (request %s): %r", error.status, request_id, exc, exc_info=exc
        )
    else:
        logger.info("request refused -> %s (request %s): %s", error.status, request_id, error)
    return error
