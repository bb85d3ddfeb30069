"""The app factory: blueprints, lifespan, request ids and the one error handler.

`create_app()` is the ASGI entry point (`hypercorn 'app:create_app()'`).
"""

from __future__ import annotations

import gc
from collections.abc import AsyncGenerator
from contextlib import AsyncExitStack

from pydantic import ValidationError
from quart import Quart, Response, request
from quart_schema import Info, QuartSchema, RequestSchemaValidationError
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from app import limits
from app.auth import middleware as auth_middleware
from app.errors import (
    BadRequestError,
    RetryLaterError,
    UnauthorizedError,
)
from app.logs import configure_logging, new_request_id, request_id
from app.openapi import Provider
from app.reporting import failure
from app.request_class import request_class
from app.routes import (
    answers,
    auth_setup,
    content,
    feedback,
    history,
    meta,
    openai_api,
    spa,
    speech,
    uploads,
)
from app.schemas import ErrorResponse
from app.services import EXTENSION_KEY, get_services, open_services
from app.settings import Settings, load_settings
from app.telemetry import configure_telemetry

_HTTP_MESSAGES = {
    400: "The request body is not valid JSON.",
    404: "Not found.",
    405: "This method is not allowed here.",
    413: "The request body is too large.",
    415: "The request body must be JSON (Content-Type: application/json).",
}


def create_app(settings: Settings | None = None) -> Quart:
    """Build the app; services are created when serving starts and closed when it stops."""
    settings = settings or load_settings()
    configure_logging(settings.log_level, settings.log_format)
    app = Quart(__name__, static_folder=None)
    app.request_class = request_class(settings)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    app.url_map.merge_slashes = False  # "/content//etc/x" is a 404, not a redirect to try again
    app.config["QUART_SCHEMA_SWAGGER_JS_URL"] = spa.SWAGGER_JS_URL
    app.config["QUART_SCHEMA_SWAGGER_CSS_URL"] = spa.SWAGGER_CSS_URL
    QuartSchema(
        app,
        info=Info(title="RAG chat API", version="1"),
        redoc_ui_path=None,
        scalar_ui_path=None,
        swagger_ui_path="/docs",
        openapi_provider_class=Provider,
    )
    blueprints = (answers, meta, auth_setup, content, uploads, history, feedback, speech, spa)
    for module in blueprints:
        app.register_blueprint(module.bp)
    openai_api.install(app, settings)  # `/v1`, when it has callers (API keys or login)

    @app.while_serving
    async def lifespan() -> AsyncGenerator[None, None]:
        async with AsyncExitStack() as stack:
            app.extensions[EXTENSION_KEY] = await open_services(settings, stack)
            # What start-up made lives as long as the worker: keep it out of the collector's
            # way, so a full collection under load walks only what requests allocate (measured:
            # 151 ms -> 41 ms pauses with conversations being saved).
            gc.collect()
            gc.freeze()
            yield
            app.extensions.pop(EXTENSION_KEY, None)

    @app.before_request
    async def assign_request_id() -> None:
        request_id.set(new_request_id(request.headers.get("X-Request-ID")))

    auth_middleware.install(app, settings, lambda: get_services().authenticator)
    limits.install(app, settings)

    @app.after_request
    async def add_request_id(response: Response) -> Response:
        response.headers["X-Request-ID"] = request_id.get()
        return response

    app.register_error_handler(Exception, _error_response)
    if settings.forwarded_allow_ips:
        # The client's address and scheme as these proxies forward them (the first address
        # from the right that is not one of them), under any server. Gunicorn's Uvicorn
        # workers apply the same list first (gunicorn.conf.py); a second pass changes nothing.
        trusted = [str(network) for network in settings.forwarded_allow_ips]
        # (Uvicorn's and Quart's ASGI type aliases differ in name only.)
        proxied = ProxyHeadersMiddleware(app.asgi_app, trusted_hosts=trusted)  # type: ignore[arg-type]
        app.asgi_app = proxied  # type: ignore[assignment,method-assign]
    configure_telemetry(app, settings)
    return app


async def _error_response(exc: Exception) -> Response:
    """Every error becomes JSON `{"error": ...}` with a fitting status and no internals."""
    if isinstance(exc, HTTPException) and not isinstance(exc, RequestSchemaValidationError):
        status = exc.code or 500
        message = _HTTP_MESSAGES.get(status, exc.name)
    else:
        mapped = None
        if isinstance(exc, RequestSchemaValidationError):
            mapped = BadRequestError(_describe_invalid(exc.validation_error))
        error = failure(exc, mapped)
        status, message = error.status, error.message
    body = ErrorResponse(error=message).model_dump_json()
    response = Response(body, status=status, content_type="application/json")
    if isinstance(exc, RetryLaterError):
        response.headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, UnauthorizedError):
        response.headers["WWW-Authenticate"] = exc.www_authenticate
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        # RFC 9110: a 405 must say which methods the resource does take.
        response.headers["Allow"] = ", ".join(sorted(exc.valid_methods))
    return response


def _describe_invalid(exc: Exception) -> str:
    if not isinstance(exc, ValidationError):
        return "The request body is not valid."
    problems = []
    for item in exc.errors(include_input=False, include_url=False)[:5]:
        field = ".".join(str(part) for part in item["loc"]) or "body"
        problems.append(f"{field}: {str(item['msg']).removeprefix('Value error, ')}")
    return "Invalid request: " + "; ".join(problems)
