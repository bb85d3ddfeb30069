"""Spans around model calls, with the GenAI semantic-convention attributes.

The openai SDK sends through httpx2, which the httpx instrumentation cannot wrap, and the
OpenAI instrumentation would replace the raw streaming response the chat model reads; so each
model call is recorded here. Without a configured SDK (app/telemetry.py), spans are no-ops.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

tracer = trace.get_tracer("ragchat")


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
