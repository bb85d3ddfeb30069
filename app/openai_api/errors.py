"""Errors on `/v1` in OpenAI's shape, which the OpenAI SDKs turn into their own exceptions:
`{"error": {"message", "type", "param", "code"}}`, as a response or as a stream event.

    AppError (app/errors.py)          any failure; the message is safe to show a person
    ├── InvalidParameterError         400 invalid_request_error, naming the `param`
    ├── ModelNotFoundError            404 invalid_request_error, code model_not_found
    └── ... every other AppError      its status; `type` and `code` from the table below

The SDKs pick their exception by status (400 BadRequestError, 401 AuthenticationError, 404
NotFoundError, 429 RateLimitError, 5xx InternalServerError) and raise APIError for an error
event in a stream; `type` and `code` let a program tell the cases apart.
"""

from __future__ import annotations

import json
from typing import Any

from quart import Response
from werkzeug.exceptions import HTTPException

from app.errors import (
    AppError,
    BadRequestError,
    ContentFilteredError,
    NotFoundError,
    PayloadTooLargeError,
    RetryLaterError,
    ServerBusyError,
    UnauthorizedError,
    UnsupportedTypeError,
    UpstreamConnectionLostError,
    UpstreamError,
    UpstreamTimeoutError,
    UpstreamUnavailableError,
)


class InvalidParameterError(BadRequestError):
    """A request field this server cannot take: `param` names it (`messages[0].content`)."""

    def __init__(self, message: str, *, param: str | None, code: str | None = None) -> None:
        super().__init__(message)
        self.param = param
        self.code = code


class ModelNotFoundError(NotFoundError):
    """A `model` that is none of the profiles `GET /v1/models` lists."""

    param = "model"
    code = "model_not_found"

    def __init__(self) -> None:
        super().__init__(
            "The model does not exist on this server; GET /v1/models lists the ones it has."
        )


# (class, type, code): the first that the error is an instance of applies.
_KINDS: tuple[tuple[type[AppError], str, str | None], ...] = (
    (ContentFilteredError, "invalid_request_error", "content_filter"),
    (UnauthorizedError, "invalid_request_error", "invalid_api_key"),
    (PayloadTooLargeError, "invalid_request_error", "request_too_large"),
    (UnsupportedTypeError, "invalid_request_error", "unsupported_media_type"),
    (ServerBusyError, "server_error", "server_busy"),
    (UpstreamTimeoutError, "server_error", "upstream_timeout"),
    (UpstreamUnavailableError, "server_error", "upstream_unavailable"),
    (UpstreamConnectionLostError, "server_error", "upstream_connection_lost"),
)
_BY_STATUS = {
    403: "permission_error",
    429: "rate_limit_error",
}

UNKNOWN_PATH = "Unknown API path: this server has GET /v1/models and POST /v1/chat/completions."
_HTTP_ERRORS: dict[int, tuple[type[AppError], str]] = {
    400: (BadRequestError, "We could not parse the JSON body of your request."),
    404: (NotFoundError, UNKNOWN_PATH),
    413: (PayloadTooLargeError, "The request body is too large."),
    415: (UnsupportedTypeError, "The body must be JSON (Content-Type: application/json)."),
}


class _RefusedError(AppError):
    """A framework refusal with no class of its own (405, ...): logged as a refusal."""

    def __init__(self, status: int) -> None:
        super().__init__("This request cannot be served on this path.")
        self.status = status


def from_http(exc: HTTPException) -> AppError:
    """What a framework error (unknown path, body too large, ...) is, as an AppError."""
    status = exc.code or 500
    if status in _HTTP_ERRORS:
        cls, message = _HTTP_ERRORS[status]
        return cls(message)
    return _RefusedError(status)


def error_object(error: AppError) -> dict[str, Any]:
    """The `error` object of OpenAI's error body."""
    kind, code = _kind(error)
    return {
        "message": error.message,
        "type": kind,
        "param": getattr(error, "param", None),
        "code": getattr(error, "code", None) or code,
    }


def _kind(error: AppError) -> tuple[str, str | None]:
    for cls, kind, code in _KINDS:
        if isinstance(error, cls):
            return kind, code
    if error.status == 429:
        return "rate_limit_error", "rate_limit_exceeded"
    if error.status >= 500:
        return "server_error", "upstream_error" if isinstance(error, UpstreamError) else None
    return _BY_STATUS.get(error.status, "invalid_request_error"), None


def error_response(error: AppError) -> Response:
    """The error as a JSON response, with `Retry-After` and `WWW-Authenticate` where due."""
    body = json.dumps({"error": error_object(error)})
    response = Response(body, status=error.status, content_type="application/json")
    if isinstance(error, RetryLaterError):
        response.headers["Retry-After"] = str(error.retry_after)
    if isinstance(error, UnauthorizedError):
        response.headers["WWW-Authenticate"] = error.www_authenticate
    return response


def error_event(error: AppError) -> bytes:
    """The error as a server-sent event: how a stream that already started says it failed."""
    return b"data: " + json.dumps({"error": error_object(error)}).encode() + b"\n\n"
