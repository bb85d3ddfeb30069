"""What both reference servers share with the app: settings, prompt and NDJSON lines.

They read the same environment variables as the app (OPENAI_BASE_URL, OPENAI_API_KEY,
OPENAI_CHAT_MODEL, AZURE_SEARCH_ENDPOINT, AZURE_SEARCH_API_KEY, AZURE_SEARCH_INDEX), send the
model a prompt of the same shape (system prompt, question and sources) and stream the same
NDJSON lines: a context line first, then `{"delta":{"role":"assistant","content":...}}`.
"""

from __future__ import annotations

import json
import os
from typing import Any

OPENAI_BASE_URL = os.environ.get("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
OPENAI_API_KEY = os.environ.get("OPENAI_API_KEY", "x")
MODEL = os.environ.get("OPENAI_CHAT_MODEL", "fake")
SEARCH_ENDPOINT = os.environ.get("AZURE_SEARCH_ENDPOINT", "http://127.0.0.1:9")
SEARCH_KEY = os.environ.get("AZURE_SEARCH_API_KEY", "x")
SEARCH_INDEX = os.environ.get("AZURE_SEARCH_INDEX", "gptkbindex")
FIELDS = ["id", "content", "sourcepage", "sourcefile", "category"]
SYSTEM = (
    "You are an assistant that answers questions about the documents provided in <sources>. "
    "Answer ONLY with facts from those sources and cite each fact like [file.pdf#page=3]."
)


def answer_messages(question: str, hits: list[dict[str, Any]]) -> list[Any]:
    """System prompt, then the question with its sources (the SDK's message dicts)."""
    sources = "\n".join(
        f'<source name="{hit["sourcepage"]}">\n{hit["sourcepage"]}: {hit["content"]}\n</source>'
        for hit in hits
    )
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": f"{question}\n\n<sources>\n{sources}\n</sources>"},
    ]


def context_line(question: str, hits: list[dict[str, Any]], messages: list[Any]) -> bytes:
    """The first NDJSON line: data points and thoughts, like the app's."""
    body = {
        "delta": {"role": "assistant"},
        "context": {
            "data_points": {
                "text": [f"{hit['sourcepage']}: {hit['content']}" for hit in hits],
                "citations": [hit["sourcepage"] for hit in hits],
            },
            "thoughts": [
                {"title": "Search query", "description": question, "props": {}},
                {"title": "Prompt to generate answer", "description": messages, "props": {}},
            ],
        },
        "session_state": None,
    }
    return json.dumps(body, separators=(",", ":")).encode() + b"\n"


def delta_line(content: str) -> bytes:
    """One piece of the answer."""
    return b'{"delta":{"role":"assistant","content":' + json.dumps(content).encode() + b"}}\n"


def error_line(message: str) -> bytes:
    """The last line of a stream that failed after it started."""
    return json.dumps({"error": message}).encode() + b"\n"
