"""A tiny OpenAI-compatible server on 127.0.0.1 that streams its answer slowly.

The backend under test talks to it as to any OpenAI-compatible endpoint, so the browser sees a
real stream that is slow enough to stop midway; the server notes when the backend hangs up.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ANSWER_START = [
    "Cairnwood gives ",
    "14 weeks ",
    "of paid parental leave ",
    "[pto-leave-policy.html]. ",
]
FILLER = "More detail follows. "
FOLLOWUPS = "<<Who is eligible for parental leave?>>\n<<Can I take the leave in two blocks?>>"


@dataclass
class FakeOpenAI:
    """Serves `/v1/chat/completions`: quick JSON completions, a slow SSE stream for answers."""

    delay: float = 0.1
    filler_pieces: int = 300
    fail_next: int = 0
    streams_started: int = 0
    disconnected: threading.Event = field(default_factory=threading.Event)
    _stop: threading.Event = field(default_factory=threading.Event)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def start(self) -> FakeOpenAI:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with fake._lock:
                    failing = fake.fail_next > 0
                    fake.fail_next -= int(failing)
                if failing:
                    self._json(500, {"error": {"message": "fake failure", "type": "server_error"}})
                elif body.get("stream"):
                    self._stream()
                else:
                    system = body["messages"][0]["content"]
                    text = FOLLOWUPS if "follow-up" in system else "parental leave weeks"
                    self._json(200, _completion(text))

            def _json(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self) -> None:
                with fake._lock:
                    fake.streams_started += 1
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                pieces = ANSWER_START + [FILLER] * fake.filler_pieces
                try:
                    for index, piece in enumerate(pieces):
                        self._event(_chunk(piece))
                        # The opening arrives at once; the rest slowly, so it can be stopped.
                        if index >= len(ANSWER_START) - 1 and fake._stop.wait(fake.delay):
                            return
                    self._event(_chunk(None, finish_reason="stop"))
                    self.wfile.write(b"data: [DONE]\n\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    fake.disconnected.set()

            def _event(self, payload: dict[str, Any]) -> None:
                self.wfile.write(b"data: " + json.dumps(payload).encode() + b"\n\n")
                self.wfile.flush()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


def _chunk(content: str | None, finish_reason: str | None = None) -> dict[str, Any]:
    delta = {} if content is None else {"content": content}
    return {
        "id": "chatcmpl-e2e",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "fake-model",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }


def _completion(text: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-e2e",
        "object": "chat.completion",
        "created": 0,
        "model": "fake-model",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }
