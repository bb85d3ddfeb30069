"""What the container runs: Gunicorn with the real config and Uvicorn workers, streaming answers.

The app runs in a subprocess with CHAT_PROVIDER=openai against a fake OpenAI server on
127.0.0.1, the production shape of a request.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest
from fakes.openai_server import FakeOpenAI
from helpers import chat_body, free_port

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
# Exactly the Dockerfile's CMD (checked below), with gunicorn from this venv.
COMMAND = ["gunicorn", "-c", "gunicorn.conf.py", "app:create_app()"]


@pytest.fixture
async def model() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI(chunks=20, chunk_delay=0.05) as fake:
        yield fake


Started = tuple[asyncio.subprocess.Process, str]


@pytest.fixture
async def start_gunicorn(
    model: FakeOpenAI, local_index_dir: Path
) -> AsyncIterator[Callable[..., Awaitable[Started]]]:
    """Start the container's command with these settings; each is stopped after the test."""
    processes: list[asyncio.subprocess.Process] = []

    async def start(**settings: str) -> Started:
        port = free_port()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_"))},
            "PORT": str(port),
            "WEB_CONCURRENCY": "2",
            "LOCAL_INDEX_DIR": str(local_index_dir),
            "CHAT_PROVIDER": "openai",
            "OPENAI_BASE_URL": model.base_url,
            "OPENAI_API_KEY": "test",
            "OPENAI_CHAT_MODEL": "fake-model",
            "LOG_FORMAT": "json",
            **settings,
        }
        process = await asyncio.create_subprocess_exec(
            str(GUNICORN),
            "-c",
            str(ROOT / "gunicorn.conf.py"),
            "app:create_app()",
            cwd=ROOT,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        processes.append(process)
        url = f"http://127.0.0.1:{port}"
        await _wait_healthy(process, url)
        return process, url

    yield start
    for process in processes:
        if process.returncode is None:
            process.terminate()
            await asyncio.wait_for(process.wait(), timeout=30)


async def _wait_healthy(process: asyncio.subprocess.Process, url: str) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(150):  # up to 15 s for the workers to boot
            try:
                async with session.get(f"{url}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            if process.returncode is not None:
                raise AssertionError((await process.stderr.read()).decode()[-2000:])  # type: ignore[union-attr]
            await asyncio.sleep(0.1)
    raise AssertionError("gunicorn did not become healthy")


@pytest.fixture
async def gunicorn(start_gunicorn: Callable[..., Awaitable[Started]]) -> Started:
    return await start_gunicorn()


async def test_gunicorn_streams_an_answer(gunicorn: Started) -> None:
    _, url = gunicorn
    arrivals: list[float] = []
    lines = []
    loop = asyncio.get_running_loop()
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{url}/chat/stream", json=chat_body("What is the deductible on the Plus plan?")
        ) as response,
    ):
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("application/x-ndjson")
        async for raw in response.content:
            lines.append(json.loads(raw))
            arrivals.append(loop.time())
    assert lines[0]["context"]["data_points"]["citations"]
    text = "".join(line["delta"].get("content", "") for line in lines[1:])
    assert text == "".join(f"piece{n} " for n in range(20))
    # Streamed, not buffered: the lines arrived spread over the model's 1 s, not all at once.
    assert len({round(t, 2) for t in arrivals}) > 5


async def test_sigterm_lets_open_streams_finish(gunicorn: Started, model: FakeOpenAI) -> None:
    process, url = gunicorn
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{url}/chat/stream", json=chat_body("deductible")) as response,
    ):
        lines = [json.loads(await response.content.readline())]
        lines.append(json.loads(await response.content.readline()))  # the model has started
        process.send_signal(signal.SIGTERM)  # what the platform sends on a deploy or scale-in
        async for raw in response.content:
            lines.append(json.loads(raw))
    assert "error" not in lines[-1]
    assert "".join(line["delta"].get("content", "") for line in lines[1:]).endswith("piece19 ")
    assert await asyncio.wait_for(process.wait(), timeout=30) == 0
    assert model.streams_finished == 1


@pytest.mark.parametrize(
    ("trusted", "forwarded", "statuses"),
    [
        # No proxy configured: X-Forwarded-For is the client's own word, and every request is
        # the one address the connection comes from.
        ("", ["203.0.113.1", "203.0.113.2", "203.0.113.3"], [200, 429, 429]),
        # Behind a trusted proxy, each forwarded address has its budget...
        ("127.0.0.1", ["203.0.113.1", "203.0.113.2", "203.0.113.3"], [200, 200, 200]),
        # ...and what a client writes to the left of what the proxy appended changes nothing.
        ("127.0.0.1", ["1.1.1.1, 203.0.113.9", "2.2.2.2, 203.0.113.9"], [200, 429]),
    ],
)
async def test_a_spoofed_x_forwarded_for_gets_no_new_rate_limit_budget(
    start_gunicorn: Callable[..., Awaitable[Started]],
    trusted: str,
    forwarded: list[str],
    statuses: list[int],
) -> None:
    """Tried from outside, as the container serves: one worker, a budget of one answer."""
    _, url = await start_gunicorn(
        WEB_CONCURRENCY="1",
        RATE_LIMIT_PER_MINUTE="1",
        RATE_LIMIT_BURST="1",
        FORWARDED_ALLOW_IPS=trusted,
    )
    got = []
    async with aiohttp.ClientSession() as session:
        for address in forwarded:
            headers = {"X-Forwarded-For": address}
            async with session.post(f"{url}/chat", json=chat_body("q"), headers=headers) as r:
                got.append(r.status)
                if r.status == 429:
                    assert int(r.headers["Retry-After"]) >= 1
    assert got == statuses


def test_the_image_runs_the_tested_command_as_a_non_root_user() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    instructions = [
        line.split(None, 1) for line in dockerfile.splitlines() if line and line[0].isupper()
    ]
    cmd = [rest for keyword, rest in instructions if keyword == "CMD"]
    assert [json.loads(c) for c in cmd] == [COMMAND]
    users = [rest for keyword, rest in instructions if keyword == "USER"]
    assert users == ["app"]
    images = [rest.split()[0] for keyword, rest in instructions if keyword == "FROM"]
    assert all(":" in image and any(ch.isdigit() for ch in image.split(":")[1]) for image in images)
    assert "/healthz" in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", ".git", ".env", "frontend/node_modules"} <= set(ignored)


async def test_gunicorn_reads_its_settings_as_the_app_does(
    start_gunicorn: Callable[..., Awaitable[Started]],
) -> None:
    """`LOG_LEVEL=info` (Gunicorn's own spelling) is accepted by both, and WEB_CONCURRENCY
    comes through Settings: one worker forked."""
    process, url = await start_gunicorn(LOG_LEVEL="info", WEB_CONCURRENCY="1")
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    assert len((await asyncio.to_thread(children.read_text)).split()) == 1
    async with aiohttp.ClientSession() as session, session.get(f"{url}/healthz") as response:
        assert response.status == 200


async def test_gunicorn_stops_on_a_bad_setting_before_forking(
    start_gunicorn: Callable[..., Awaitable[Started]],
) -> None:
    with pytest.raises(AssertionError, match="LOG_LEVEL"):
        await start_gunicorn(LOG_LEVEL="loud")
