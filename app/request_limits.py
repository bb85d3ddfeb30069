"""Request body limits: MAX_REQUEST_BYTES everywhere, a file's worth on the upload route.

Quart fixes a request's body limit when it creates the request, from MAX_CONTENT_LENGTH, so
a per-route limit has to be chosen there: by a request class that knows the upload path.
"""

from __future__ import annotations

from typing import Any

from quart import Request

from app.settings import Settings
from app.uploads import UPLOAD_PATH, upload_body_limit


def request_class(settings: Settings) -> type[Request]:
    """The request class for an app with `settings`."""
    if not settings.user_upload:
        return Request
    limit = upload_body_limit(settings.user_upload_max_bytes)

    class LimitedRequest(Request):
        """A request whose body limit is the upload limit on `POST /upload`."""

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
            is_upload = method == "POST" and path == root_path + UPLOAD_PATH
            super().__init__(
                method,
                scheme,
                path,
                query_string,
                headers,
                root_path,
                *args,
                max_content_length=limit if is_upload else max_content_length,
                **kwargs,
            )
            if is_upload:
                self.max_content_length = limit  # the multipart parser checks it too

    return LimitedRequest
