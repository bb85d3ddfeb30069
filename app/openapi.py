"""The OpenAPI spec at `/openapi.json`, told truthfully.

quart-schema documents request and response models; this adds what it cannot know: the
error answers each route gives (every one is `{"error": ...}`), the NDJSON stream of the
answer routes, success answers that are not one JSON model (`@success(...)`: another status,
no body, a file, a download), links between operations (`@links(...)`), that a documented
request body is required, what this server refuses of what the models allow, a plain 200 for
routes without a response model, and leaves the single-page app's static routes out. Routes
declare their errors with `@errors(...)`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel
from quart_schema.conversion import model_schema
from quart_schema.openapi import OpenAPIProvider
from quart_schema.validation import DataSource
from werkzeug.routing import Rule

from app.schemas import ErrorResponse, StreamLine
from app.services import EXTENSION_KEY, Services, get_services

_F = TypeVar("_F", bound=Callable[..., Any])
_ERRORS = "_ragchat_errors"
_ERROR_BODY = "_ragchat_error_body"
_STREAM = "_ragchat_ndjson"
_SUCCESS = "_ragchat_success"
_LINKS = "_ragchat_links"

# What `@success` takes for a media type: a model, models of which the body is one (`anyOf`),
# or a JSON Schema.
Body = type[BaseModel] | tuple[type[BaseModel], ...] | dict[str, Any]
BINARY: dict[str, Any] = {"type": "string", "format": "binary"}
TEXT: dict[str, Any] = {"type": "string"}

# What each error status means on this server; a route lists the ones it can give.
ERROR_MEANINGS = {
    400: "The request is not valid: the message names the field or the problem.",
    401: "Sign-in needed: no valid bearer token (with `WWW-Authenticate`).",
    403: "Signed in, but this server cannot serve the account.",
    404: "Not found, or not readable by the caller.",
    409: "A per-user limit was reached (uploads, saved conversations).",
    413: "The request body is larger than this route accepts.",
    415: "The body is not of a type this route accepts.",
    429: (
        "Too many requests: this client used up its rate limit (`RATE_LIMIT_PER_MINUTE`, with "
        "`Retry-After`), or the model or search service is rate limiting this server."
    ),
    502: "The model or search service answered with an error, or broke off.",
    503: (
        "This worker is serving as many answers as it may (`MAX_STREAMS_PER_WORKER`, with "
        "`Retry-After`), or the model or search service could not be reached."
    ),
    504: "The model or search service did not answer in time.",
}
UPSTREAM = (429, 502, 503, 504)


def errors(*statuses: int, body: type[BaseModel] = ErrorResponse) -> Callable[[_F], _F]:
    """Document the error statuses a route can answer with, and their body (`/v1` has
    OpenAI's)."""
    unknown = set(statuses) - set(ERROR_MEANINGS)
    if unknown:
        raise ValueError(f"no meaning documented for status {sorted(unknown)}")

    def decorate(func: _F) -> _F:
        setattr(func, _ERRORS, tuple(sorted(set(statuses))))
        setattr(func, _ERROR_BODY, body)
        return func

    return decorate


def success(
    status: int, description: str, content: Mapping[str, Body] | None = None
) -> Callable[[_F], _F]:
    """Document a success answer that is not one JSON model: its status, and its media types
    with their schemas (none: no body)."""

    def decorate(func: _F) -> _F:
        setattr(func, _SUCCESS, (*getattr(func, _SUCCESS, ()), (status, description, content)))
        return func

    return decorate


def links(status: int, **targets: Mapping[str, Any]) -> Callable[[_F], _F]:
    """Document the OpenAPI links of a success: by name, the operation (`operationId`) that its
    answer's values (runtime expressions such as `$response.body#/id`) can be used with."""

    def decorate(func: _F) -> _F:
        setattr(func, _LINKS, {**getattr(func, _LINKS, {}), status: dict(targets)})
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
            _schema(model, components)
        if EXTENSION_KEY in self._app.extensions:  # serving, not `quart schema`
            _fit_overrides(components["Overrides"]["properties"], get_services())
        return spec

    def generate_rules(self) -> Any:
        """Every rule but the SPA's and quart-schema's own pages."""
        for rule in super().generate_rules():
            if not rule.endpoint.startswith("spa."):
                yield rule

    def build_request_body(
        self, model: type[Any], source: DataSource
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """quart-schema's request body, marked required: every route that has one refuses a
        request without it."""
        body, components = super().build_request_body(model, source)
        return {**body, "required": True}, components

    def build_paths(self, rule: Rule) -> tuple[dict[str, Any], dict[str, Any]]:
        """quart-schema's operations, each with its successes and its documented errors."""
        paths, components = super().build_paths(rule)
        func = self._app.view_functions[rule.endpoint]
        for operations in paths.values():
            for name, operation in list(operations.items()):
                responses = dict(operation["responses"])
                for status, description, content in getattr(func, _SUCCESS, ()):
                    responses[status] = _success_response(description, content, components)
                if getattr(func, _STREAM, False):
                    responses[200] = _stream_response()
                elif not any(200 <= int(code) < 300 for code in responses):
                    responses[200] = {"description": operation.get("summary") or "OK"}
                for status, targets in getattr(func, _LINKS, {}).items():
                    responses[status] = {**responses[status], "links": targets}
                for status in getattr(func, _ERRORS, ()):
                    body = _schema(getattr(func, _ERROR_BODY), components)
                    responses[status] = _error_response(status, body)
                operations[name] = {**operation, "responses": responses}
        return paths, components


def _fit_overrides(overrides: dict[str, Any], services: Services) -> None:
    """What this server refuses (400) of what `Overrides` allows: a custom prompt unless
    ALLOW_PROMPT_TEMPLATE, vector search without an embedding model (as `/config` says)."""
    if not services.settings.allow_prompt_template:
        overrides["prompt_template"] = {
            "anyOf": [{"const": ""}, {"type": "null"}],
            "default": None,
            "description": "Not on this server: it does not allow custom prompts.",
        }
    if services.embedder is None:
        mode = overrides["retrieval_mode"]["anyOf"][0]
        mode["enum"] = [name for name in mode["enum"] if name != "vectors"]
        overrides["retrieval_mode"]["description"] = (
            "`vectors` needs an embedding model, and this server has none."
        )


def _success_response(
    description: str, content: Mapping[str, Body] | None, components: dict[str, Any]
) -> dict[str, Any]:
    if not content:
        return {"description": description}
    media = {
        media_type: {"schema": _schema(body, components)} for media_type, body in content.items()
    }
    return {"description": description, "content": media}


def _schema(body: Body, components: dict[str, Any]) -> dict[str, Any]:
    """The JSON Schema of `body`; models go into `components` and are referred to."""
    if isinstance(body, dict):
        return body
    if isinstance(body, tuple):
        return {"anyOf": [_schema(model, components) for model in body]}
    definitions = model_schema(body, schema_mode="serialization")
    components.update(definitions.pop("$defs", {}))
    components[body.__name__] = definitions
    return {"$ref": f"#/components/schemas/{body.__name__}"}


# Sent with the 429 and 503 of this server's own limits, not with an upstream's.
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again (this server's own limits).",
        "required": False,
        "schema": {"type": "integer", "minimum": 1},
    }
}


def _error_response(status: int, body: dict[str, Any]) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": ERROR_MEANINGS[status],
        "content": {"application/json": {"schema": body}},
    }
    if status in (429, 503):
        response["headers"] = RETRY_AFTER
    return response


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
