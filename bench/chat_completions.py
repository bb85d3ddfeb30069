"""The `/v1/chat/completions` workload: the request an OpenAI client sends for a streamed
answer, and its server-sent events as the load generator reads them.

The same question as `/chat/stream`'s workload, with `model: ragchat` (the chat approach:
query rewrite, retrieval, answer), so the two differ only in the route and the serialisation.
An event is `data: {chat.completion.chunk}` and a blank line; the stream ends with
`data: [DONE]`. A failure after the stream started is a `data: {"error": ...}` event before
`[DONE]`: the answer then lacks pieces of the fake model's, which the generator counts.
"""

from __future__ import annotations

import json

from bench.lines import json_object

PATH = "/v1/chat/completions"
# The key the app is started with (API_KEYS) and the generator sends.
KEY = "bench-key-0123456789abcdef"
HEADERS = {"Content-Type": "application/json", "Authorization": f"Bearer {KEY}"}
DONE = b"data: [DONE]\n\n"
_DATA = b"data: "


def body(question: str) -> bytes:
    """A streamed Chat Completions request of one user message."""
    request = {
        "model": "ragchat",
        "messages": [{"role": "user", "content": question}],
        "stream": True,
    }
    return json.dumps(request).encode()


def content_of(line: bytes) -> tuple[bool, str | None]:
    """(is an answer token, error message) for one line of the event stream."""
    if not line or line == DONE[:-2]:
        return False, None  # the blank line after each event, and the end
    if not line.startswith(_DATA):
        return False, "not a data line"
    obj, error = json_object(line[len(_DATA) :], "event data")
    if obj is None:
        return False, error
    choices = obj.get("choices")
    delta = choices[0].get("delta") if isinstance(choices, list) and choices else None
    return bool(isinstance(delta, dict) and delta.get("content")), None
