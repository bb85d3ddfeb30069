"""The one error path: map a failure to what the client may see, and log it once.

The log handler stamps every line with the request id (`app.logs`), so messages here do
not repeat it.
"""

from __future__ import annotations

import logging

from app.errors import AppError, UpstreamError, to_app_error

logger = logging.getLogger("app.errors")


def failure(exc: BaseException, error: AppError | None = None) -> AppError:
    """Log `exc` (its details stay in the log) and return the error whose message is safe
    to show: `error` when the caller has mapped it already, else `to_app_error(exc)`."""
    if error is None:
        error = to_app_error(exc)
    if type(error) is AppError:
        logger.error("unhandled error", exc_info=exc)
    elif isinstance(error, UpstreamError):
        logger.warning("upstream failure -> %s: %r", error.status, exc, exc_info=exc)
    else:
        logger.info("request refused -> %s: %s", error.status, error)
    return error
