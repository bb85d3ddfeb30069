"""The OpenAPI spec at `/openapi.json`, told truthfully.

quart-schema documents request and response models; this adds what it cannot know: the
error answers each route gives (every one is `{"error": ...}`), the NDJSON stream of the
answer routes, a plain 200 for routes without a response model, and leaves the single-page
app's static routes out. Routes declare their errors with `@errors(...)`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from quart_schema.conversion import model_schema
from quart_schema.openapi import OpenAPIProvider
from werkzeug.routing import Rule

from app.schemas import ErrorResponse, StreamLine

_F = TypeVar("_F", bound=Callable[..., Any])
_ERRORS = "_ragchat_errors"
_STREAM = "_ragchat_ndjson"

# What each error status means on this server; a route lists the ones it can give.
ERROR_MEANINGS = {
    400: "The request is not valid: the message names the field or the problem.",
    401: "Sign-in needed: no valid bearer token (with `WWW-Authenticate`).",
    403: "Signed in, but this server cannot serve the account.",
    404: "Not found, or not readable by the caller.",
    409: "A per-user limit was reached (uploads, saved conversations).",
    413: "The request body is larger than this route accepts.",
    415: "The body is not of a type this route accepts.",
    429: "The model or search service is rate limiting this server; retry later.",
    502: "The model or search service answered with an error, or broke off.",
    503: "The model or search service could not be reached.",
    504: "The model or search service did not answer in time.",
}
UPSTREAM = (429, 502, 503, 504)


def errors(*statuses: int) -> Callable[[_F], _F]:
    """Document the error statuses a route can answer with."""
    unknown = set(statuses) - set(ERROR_MEANINGS)
    if unknown:
        raise ValueError(f"no meaning documented for status {sorted(unknown)}")

    def decorate(func: _F) -> _F:
        setattr(func, _ERRORS, tuple(sorted(set(statuses))))
        return func

    return decorate


def ndjson_stream(func: _F) -> _F:
    """Document a route's 200 as an NDJSON stream of `StreamLine` objects."""
    setattr(func, _STREAM, True)
    return func


class Provider(OpenAPIProvider):
    """quart-schema's provider, plus errors, the stream, and no static routes."""

    def schema(self) -> dict[str, Any]:
        """The whole spec, with the shared error and stream-line schemas as components."""
        spec = super().schema()
        components = spec["components"]["schemas"]
        for model in (ErrorResponse, StreamLine):
            definitions = model_schema(model, schema_mode="serialization")
            components.update(definitions.pop("$defs", {}))
            components[model.__name__] = definitions  # its $refs point at the components
        return spec

    def generate_rules(self) -> Any:
        """Every rule but the SPA's and quart-schema's own pages."""
        for rule in super().generate_rules():
            if not rule.endpoint.startswith("spa."):
                yield rule

    def build_paths(self, rule: Rule) -> tuple[dict[str, Any], dict[str, Any]]:
        """quart-schema's operations, each with a 200 and its documented errors."""
        paths, components = super().build_paths(rule)
        func = self._app.view_functions[rule.endpoint]
        for operations in paths.values():
            for name, operation in list(operations.items()):
                responses = dict(operation["responses"])
                if getattr(func, _STREAM, False):
                    responses[200] = _stream_response()
                elif not any(200 <= int(code) < 300 for code in responses):
                    responses[200] = {"description": operation.get("summary") or "OK"}
                for status in getattr(func, _ERRORS, ()):
                    responses[status] = _error_response(status)
                operations[name] = {**operation, "responses": responses}
        return paths, components


def _error_response(status: int) -> dict[str, Any]:
    return {
        "description": ERROR_MEANINGS[status],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}},
    }


def _stream_response() -> dict[str, Any]:
    return {
        "description": (
            "NDJSON, one object per line: the context first, then the answer in pieces, the "
            "follow-up questions if asked for, and an `error` line if the answer failed after "
            "it started. `Server-Timing` says where the time before the first byte went."
        ),
        "content": {
            "application/x-ndjson": {"schema": {"$ref": "#/components/schemas/StreamLine"}}
        },
    }
