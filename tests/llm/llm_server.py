"""llama-cpp-python's OpenAI-compatible server in a subprocess, and what the tests ask of it.

Where it is comes from the environment `make test-llm` sets (tests/llm/setup.sh builds both):
RAGCHAT_LLM_PYTHON, an interpreter with `llama_cpp.server`, and RAGCHAT_LLM_GGUF, the model.
RAGCHAT_LLM_N_CTX (4,096) is the server's context window; RAGCHAT_LLM_MAX_TOKENS (256) is the
app's OPENAI_MAX_TOKENS, small so that a CPU answers in seconds.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

SERVER_PYTHON = os.environ.get("RAGCHAT_LLM_PYTHON")
GGUF = os.environ.get("RAGCHAT_LLM_GGUF")
N_CTX = int(os.environ.get("RAGCHAT_LLM_N_CTX", "4096"))
MAX_TOKENS = int(os.environ.get("RAGCHAT_LLM_MAX_TOKENS", "256"))
MODEL_ALIAS = "smollm2"
API_KEY = "llm-test-key-0123456789"
START_TIMEOUT = 120.0


@dataclass
class LlamaServer:
    """A running llama-cpp-python server and its log."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def prompt_tokens(self, messages: list[dict[str, str]]) -> int:
        """The tokens of `messages` in the model's own tokenizer and chat format (ChatML,
        SmolLM2's template), as the server counts a prompt."""
        chatml = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
        return self.count(chatml + "<|im_start|>assistant\n")

    def count(self, text: str) -> int:
        """Tokens of `text`, special tokens included, by the server's tokenizer."""
        request = urllib.request.Request(  # noqa: S310 - our own local server
            f"{self.url}/extras/tokenize/count",
            data=json.dumps({"input": text, "model": MODEL_ALIAS}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - local
            return int(json.load(response)["count"])

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:  # pragma: no cover - only if the server hangs
            self.process.kill()
            self.process.wait()


def start_llama_server(port: int, log: Path) -> LlamaServer:
    """Start the server on 127.0.0.1:`port`; wait until it answers `GET /v1/models`."""
    if not (SERVER_PYTHON and GGUF):
        raise RuntimeError("set RAGCHAT_LLM_PYTHON and RAGCHAT_LLM_GGUF (make test-llm does)")
    command = [
        SERVER_PYTHON,
        "-m",
        "llama_cpp.server",
        "--model",
        GGUF,
        "--model_alias",
        MODEL_ALIAS,
        "--n_ctx",
        str(N_CTX),
        "--n_threads",
        str(min(os.cpu_count() or 2, 4)),
        "--seed",
        "7",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    server = LlamaServer(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the model server exited:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{server.url}/v1/models", timeout=2):  # noqa: S310
                return server
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"the model server did not start in time:\n{log.read_text()}")
