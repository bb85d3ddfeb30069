"""Async RAG chat: streamed answers grounded in your own documents, with citations.

`create_app()` is the ASGI entry point (`hypercorn 'app:create_app()'`). It is loaded on first
use, so `python -m app.ingest` does not pay for importing the web stack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.factory import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from app.factory import create_app

        return create_app
    raise AttributeError(f"module 'app' has no attribute {name!r}")
