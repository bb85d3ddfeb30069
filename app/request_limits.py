"""Request body limits: MAX_REQUEST_BYTES everywhere, more on the routes that take a file or
a whole conversation.

Quart fixes a request's body limit when it creates the request, from MAX_CONTENT_LENGTH, so
a per-route limit has to be chosen there: by a request class that knows those paths.
"""

from __future__ import annotations

from typing import Any

from quart import Request

from app.history import HISTORY_PATH
from app.settings import Settings
from app.uploads import UPLOAD_PATH, upload_body_limit

_FRAMING = 64 * 1024  # the JSON around a conversation: id, title, punctuation


def body_limits(settings: Settings) -> dict[str, int]:
    """POST paths whose body may be larger than MAX_REQUEST_BYTES, with their limits."""
    limits = {}
    if settings.user_upload:
        limits[UPLOAD_PATH] = upload_body_limit(settings.user_upload_max_bytes)
    if settings.history_backend != "browser":
        limits[HISTORY_PATH] = settings.chat_history_max_bytes + _FRAMING
    return {path: limit for path, limit in limits.items() if limit > settings.max_request_bytes}


def request_class(settings: Settings) -> type[Request]:
    """The request class for an app with `settings`."""
    limits = body_limits(settings)
    if not limits:
        return Request

    class LimitedRequest(Request):
        """A request whose body limit is the route's own on the paths in `limits`."""

        def __init__(
            self,
            method: str,
            scheme: str,
            path: str,
            query_string: bytes,
            headers: Any,
            root_path: str,
            *args: Any,
            max_content_length: int | None = None,
            **kwargs: Any,
        ) -> None:
            own = limits.get(path.removeprefix(root_path)) if method == "POST" else None
            super().__init__(
                method,
                scheme,
                path,
                query_string,
                headers,
                root_path,
                *args,
                max_content_length=own or max_content_length,
                **kwargs,
            )
            if own is not None:
                self.max_content_length = own  # the form and JSON parsers check it too

    return LimitedRequest
