"""The app's request class: body limits per route, and JSON that cannot be read as a 400.

Body limits: MAX_REQUEST_BYTES everywhere, more on the routes that take a file or a whole
conversation. Quart fixes a request's body limit when it creates the request, from
MAX_CONTENT_LENGTH, so a per-route limit has to be chosen there, by a class that knows the paths.

JSON: Quart decodes the body before its own error handling, and Python's parser recurses, so
invalid UTF-8 and very deep nesting would escape as 500s; here they are 400s that say why.
"""

from __future__ import annotations

from typing import Any

from quart import Request

from app.errors import BadRequestError
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


class JsonRequest(Request):
    """A request whose unreadable JSON body is a BadRequestError, not a 500."""

    async def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        """The parsed body; BadRequestError for a body that is not UTF-8 or is nested too deep."""
        try:
            return await super().get_json(force=force, silent=silent, cache=cache)
        except UnicodeDecodeError:
            if silent:
                return None
            raise BadRequestError("The request body is not valid UTF-8 text.") from None
        except RecursionError:
            if silent:
                return None
            raise BadRequestError(
                "The request body is nested too deeply (JSON arrays or objects inside each "
                "other more than a few hundred levels)."
            ) from None

    def on_json_loading_failed(self, error: Exception) -> Any:
        """Malformed JSON is a 400; a number Python will not read (over 4,300 digits) says so,
        rather than calling valid JSON invalid."""
        if isinstance(error, ValueError) and "integer string conversion" in str(error):
            raise BadRequestError(
                "A number in the request body has more than 4,300 digits; no field takes one "
                "that long."
            ) from None
        return super().on_json_loading_failed(error)


def request_class(settings: Settings) -> type[Request]:
    """The request class for an app with `settings`."""
    limits = body_limits(settings)
    if not limits:
        return JsonRequest

    class LimitedRequest(JsonRequest):
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
