"""OpenTelemetry: Azure Monitor export when configured, and spans around model calls.

With APPLICATIONINSIGHTS_CONNECTION_STRING set, the Azure Monitor distro exports traces, logs
and metrics; the ASGI app and aiohttp (the transport of the Azure SDKs, which also emit their
own spans) are instrumented. The openai SDK sends through httpx2, which the httpx
instrumentation cannot wrap, and the OpenAI instrumentation would replace the raw streaming
response the chat model reads; so `model_span` records each model call itself, with the
GenAI semantic-convention attributes. Without a configured SDK, spans are no-ops.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from quart import Quart

from app.settings import Settings

logger = logging.getLogger(__name__)
tracer = trace.get_tracer("ragchat")


def configure_telemetry(app: Quart, settings: Settings) -> bool:
    """Export to Application Insights when a connection string is set; True if it is."""
    secret = settings.applicationinsights_connection_string
    if secret is None:
        return False
    from azure.monitor.opentelemetry import configure_azure_monitor
    from opentelemetry.instrumentation.aiohttp_client import AioHttpClientInstrumentor

    configure_azure_monitor(connection_string=secret.get_secret_value())
    AioHttpClientInstrumentor().instrument()
    instrument_asgi(app)
    logger.info("telemetry: exporting to Application Insights")
    return True


def instrument_asgi(app: Quart) -> None:
    """Wrap the ASGI app so each request is a server span."""
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    app.asgi_app = OpenTelemetryMiddleware(app.asgi_app)  # type: ignore[method-assign,assignment]


def start_model_span(operation: str, model: str, **attributes: Any) -> Span:
    """A client span for one model call; the caller ends it (a stream ends it when closed)."""
    return tracer.start_span(
        f"{operation} {model}",
        kind=SpanKind.CLIENT,
        attributes={
            "gen_ai.operation.name": operation,
            "gen_ai.request.model": model,
            **{f"gen_ai.request.{k}": v for k, v in attributes.items() if v is not None},
        },
    )


def end_span(span: Span, error: BaseException | None = None) -> None:
    """End a span, marking it failed when `error` is given."""
    if error is not None:
        span.record_exception(error)
        span.set_status(Status(StatusCode.ERROR, type(error).__name__))
    span.end()


@contextmanager
def model_span(operation: str, model: str, **attributes: Any) -> Iterator[Span]:
    """`start_model_span` as a context manager, for calls that are not streamed."""
    span = start_model_span(operation, model, **attributes)
    try:
        yield span
    except BaseException as exc:
        end_span(span, exc)
        raise
    end_span(span)
