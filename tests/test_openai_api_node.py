"""`/v1` driven by the `openai` npm package from Node (tests/services/openai_node/client.mjs),
against the app served on a socket with the offline answerer: what a Node program gets."""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import Callable
from pathlib import Path

from served import served
from services.node_service import node_for

from app.settings import Settings

CLIENT_DIR = Path(__file__).resolve().parent / "services" / "openai_node"
KEY = "node-key-0123456789abcdef"
QUESTION = "How many weeks of parental leave do I get?"


async def test_the_npm_sdk_reads_answers_sources_usage_and_errors(
    make_settings: Callable[..., Settings],
) -> None:
    node = node_for("openai npm client", CLIENT_DIR, "openai")
    async with served(make_settings(api_keys=KEY)) as url:
        env = {**os.environ, "OPENAI_BASE_URL": f"{url}/v1", "OPENAI_API_KEY": KEY}
        process = await asyncio.create_subprocess_exec(
            node,
            "client.mjs",
            QUESTION,
            cwd=CLIENT_DIR,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode()
    got = json.loads(out)

    assert got["models"] == ["ragchat", "ragchat-ask"]
    message = got["collected"]["choices"][0]["message"]
    assert "14 weeks" in message["content"]
    cited = set(re.findall(r"\[([^\]]+)\]", message["content"]))
    assert cited
    assert cited <= set(message["context"]["data_points"]["citations"])
    assert got["collected"]["usage"]["estimated"] is True

    first, *_, usage = got["chunks"]
    assert (
        first["choices"][0]["delta"]["context"]["data_points"]
        == (message["context"]["data_points"])
    )
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in got["chunks"][:-1])
    assert text == message["content"]
    assert got["chunks"][-2]["choices"][0]["finish_reason"] == "stop"
    assert usage["choices"] == []
    assert usage["usage"] == got["collected"]["usage"]

    assert got["refused"] == {
        "name": "NotFoundError",
        "status": 404,
        "code": "model_not_found",
        "param": "model",
    }
