"""Limits on the answer routes: per-client rate limiting, the stream cap, and deadlines."""

from __future__ import annotations

import asyncio
import gc
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from fakes.openai_server import FakeOpenAI
from helpers import chat_body, fake_model_settings, post_stream, until
from issuer import Issuer, issuer, oidc_login
from pydantic import ValidationError
from quart.typing import TestClientProtocol as Client

from app.auth import User
from app.errors import RateLimitedError, ServerBusyError
from app.limits import RateLimiter, StreamSlots, answer_limits, client_key
from app.settings import Settings

__all__ = ["issuer"]  # the fixture, imported for the tests below


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_its_burst_then_refills_at_the_rate() -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute=6, burst=3, clock=clock)  # one token per 10 s
    for _ in range(3):
        limiter.take("a")
    with pytest.raises(RateLimitedError) as refused:
        limiter.take("a")
    assert refused.value.retry_after == 10
    assert refused.value.status == 429
    limiter.take("b")  # another client has a bucket of its own
    clock.now += 4
    with pytest.raises(RateLimitedError) as refused:
        limiter.take("a")
    assert refused.value.retry_after == 6  # 0.4 of a token back: 6 s to the next one
    clock.now += 6
    limiter.take("a")
    clock.now += 3600  # refills to the burst, never beyond
    for _ in range(3):
        limiter.take("a")
    with pytest.raises(RateLimitedError):
        limiter.take("a")


def test_refused_requests_do_not_spend_tokens() -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute=60, burst=1, clock=clock)
    limiter.take("a")
    for _ in range(100):
        with pytest.raises(RateLimitedError):
            limiter.take("a")
    clock.now += 1.0
    limiter.take("a")  # a client that kept knocking is not locked out for longer


def test_the_least_recently_seen_clients_are_forgotten_first() -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute=1, burst=1, max_clients=2, clock=clock)
    limiter.take("a")
    limiter.take("b")
    with pytest.raises(RateLimitedError):
        limiter.take("a")  # "a" is now the most recent
    limiter.take("c")  # evicts "b", the least recent
    assert len(limiter) == 2
    limiter.take("b")  # forgotten, so a full bucket again
    with pytest.raises(RateLimitedError):
        limiter.take("c")


def test_a_signed_in_user_is_keyed_by_id_wherever_they_come_from() -> None:
    assert client_key(User(oid="alice"), "203.0.113.9") == "user:alice"
    assert client_key(None, "203.0.113.9") == "address:203.0.113.9"
    assert client_key(None, None) == "address:unknown"


def test_a_slot_is_released_once_and_also_when_its_body_is_dropped() -> None:
    slots = StreamSlots(2)
    first = slots.acquire()
    slots.acquire()
    with pytest.raises(ServerBusyError) as busy:
        slots.acquire()
    assert (busy.value.status, busy.value.retry_after) == (503, 2)
    first.release()
    first.release()
    assert slots.open == 1

    async def never_started() -> AsyncIterator[bytes]:
        yield b""

    body = never_started()
    slots.acquire().release_with(body)
    assert slots.open == 2
    del body
    gc.collect()
    assert slots.open == 1


# Through the routes.


async def _ask(client: Client, peer: str = "127.0.0.1", **headers: str) -> Any:
    return await client.post(
        "/ask",
        json=chat_body("How many weeks of leave?"),
        headers=headers,
        scope_base={"client": (peer, 40000)},
    )


async def test_answer_routes_answer_429_with_retry_after_past_the_budget(
    serve: Callable[[Settings], Any], make_settings: Callable[..., Settings]
) -> None:
    client: Client = await serve(
        make_settings(rate_limit_per_minute=1, rate_limit_burst=2, forwarded_allow_ips="127.0.0.1")
    )
    assert (await _ask(client)).status_code == 200
    streamed = await client.post(
        "/chat/stream", json=chat_body("leave?"), scope_base={"client": ("127.0.0.1", 40001)}
    )
    assert streamed.status_code == 200  # one budget for all four answer routes
    refused = await _ask(client)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "faster than this server allows" in (await refused.get_json())["error"]
    refused = await client.post(
        "/chat/stream", json=chat_body("leave?"), scope_base={"client": ("127.0.0.1", 40002)}
    )
    assert refused.status_code == 429
    assert "error" in await refused.get_json()
    # Other routes are not limited.
    assert (await client.get("/config")).status_code == 200
    # Behind the trusted proxy, each forwarded client has a budget of its own; a client
    # that connects from elsewhere has its own too.
    assert (await _ask(client, **{"X-Forwarded-For": "198.51.100.7"})).status_code == 200
    assert (await _ask(client, **{"X-Forwarded-For": "198.51.100.7"})).status_code == 200
    assert (await _ask(client, **{"X-Forwarded-For": "198.51.100.7"})).status_code == 429
    assert (await _ask(client, peer="203.0.113.5")).status_code == 200


async def test_forwarded_for_from_an_untrusted_peer_does_not_buy_a_new_budget(
    serve: Callable[[Settings], Any], make_settings: Callable[..., Settings]
) -> None:
    client: Client = await serve(
        make_settings(rate_limit_per_minute=1, rate_limit_burst=1, forwarded_allow_ips="10.0.0.1")
    )
    assert (await _ask(client, peer="203.0.113.5")).status_code == 200
    for n in range(5):
        spoofed = await _ask(client, peer="203.0.113.5", **{"X-Forwarded-For": f"10.0.0.{n}"})
        assert spoofed.status_code == 429
    # Through the trusted proxy, read from the right: what a client writes in front of the
    # address the proxy appended cannot buy it a new budget either.
    behind = {"X-Forwarded-For": "203.0.113.5"}
    assert (await _ask(client, peer="10.0.0.1", **behind)).status_code == 429
    for n in range(5):
        forged = {"X-Forwarded-For": f"198.51.100.{n}, 203.0.113.5"}
        assert (await _ask(client, peer="10.0.0.1", **forged)).status_code == 429
    fresh = {"X-Forwarded-For": "198.51.100.200"}
    assert (await _ask(client, peer="10.0.0.1", **fresh)).status_code == 200


async def test_signed_in_users_have_budgets_of_their_own(
    serve: Callable[[Settings], Any], make_settings: Callable[..., Settings], issuer: Issuer
) -> None:
    client: Client = await serve(
        make_settings(rate_limit_per_minute=1, rate_limit_burst=1, **oidc_login(issuer.url))
    )

    def bearer(sub: str) -> str:
        return "Bearer " + issuer.token(sub=sub)

    assert (await _ask(client, Authorization=bearer("alice"))).status_code == 200
    assert (await _ask(client, Authorization=bearer("alice"))).status_code == 429
    # Same address, another user: not limited by alice's use, nor by the anonymous budget.
    assert (await _ask(client, Authorization=bearer("bob"))).status_code == 200
    assert (await _ask(client)).status_code == 200
    assert (await _ask(client)).status_code == 429


async def test_rate_limiting_is_off_unless_configured(
    serve: Callable[[Settings], Any], make_settings: Callable[..., Settings]
) -> None:
    client: Client = await serve(make_settings())
    for _ in range(30):
        assert (await _ask(client)).status_code == 200


@pytest.fixture
async def slow_model() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI(chunks=50, chunk_delay=0.05) as fake:
        yield fake


def _model_settings(model: FakeOpenAI, make_settings: Callable[..., Settings], **extra: Any) -> Any:
    return fake_model_settings(make_settings, model.base_url, **extra)


async def test_a_full_worker_answers_503_and_frees_the_slot_when_a_stream_ends(
    serve: Callable[[Settings], Any], make_settings: Callable[..., Settings], slow_model: FakeOpenAI
) -> None:
    client: Client = await serve(
        _model_settings(slow_model, make_settings, max_streams_per_worker=1)
    )
    async with client.request(
        "/ask/stream", method="POST", headers={"Content-Type": "application/json"}
    ) as connection:
        await connection.send(json.dumps(chat_body("leave?")).encode())
        await connection.send_complete()
        received = b""
        while b"piece0" not in received:
            received += await asyncio.wait_for(connection.receive(), timeout=10)
        busy = await _ask(client)
        assert busy.status_code == 503
        assert busy.headers["Retry-After"] == "2"
        assert "as many questions as it can" in (await busy.get_json())["error"]
        status, [line] = await post_stream(client, "/chat/stream", chat_body("leave?"))
        assert status == 503
        assert "error" in line
        await connection.disconnect()
    async with client.app.app_context():  # type: ignore[attr-defined]
        slots = answer_limits().slots
    await until(lambda: slots.open == 0)
    slow_model.chunk_delay = 0.0
    assert (await _ask(client)).status_code == 200
    assert slots.open == 0  # a collected answer gives its slot back too


async def test_failed_answers_give_their_slot_back(
    serve: Callable[[Settings], Any], make_settings: Callable[..., Settings], slow_model: FakeOpenAI
) -> None:
    client: Client = await serve(
        _model_settings(slow_model, make_settings, max_streams_per_worker=1)
    )
    # The chat routes call the model twice; the first call, the query rewrite, falls back to
    # the question when it fails, and the answer call then fails too.
    slow_model.fail_next("500", times=6)
    for path in ("/ask", "/ask/stream", "/chat", "/chat/stream"):
        response = await client.post(path, json=chat_body("leave?"))
        assert response.status_code == 502
    slow_model.chunk_delay = 0.0
    assert (await _ask(client)).status_code == 200


async def test_an_answer_longer_than_the_model_timeout_is_cut_with_a_message(
    serve: Callable[[Settings], Any], make_settings: Callable[..., Settings], slow_model: FakeOpenAI
) -> None:
    # 50 chunks 50 ms apart: the 0.5 s deadline passes in the middle of the answer.
    client: Client = await serve(
        _model_settings(slow_model, make_settings, model_timeout_seconds=0.5)
    )
    status, lines = await post_stream(client, "/ask/stream", chat_body("leave?"))
    assert status == 200
    assert any("delta" in line for line in lines)
    assert "longer than this server allows" in lines[-1]["error"]


async def test_a_model_that_never_answers_is_a_504_after_the_model_timeout(
    serve: Callable[[Settings], Any], make_settings: Callable[..., Settings], slow_model: FakeOpenAI
) -> None:
    client: Client = await serve(
        _model_settings(slow_model, make_settings, model_timeout_seconds=0.3)
    )
    slow_model.fail_next("hang", times=2, hang_seconds=30)  # the idle timeout is 60 s
    for path in ("/ask/stream", "/ask"):  # streamed or collected, the answer call hangs
        response = await client.post(path, json=chat_body("leave?"))
        assert response.status_code == 504
        assert "took too long" in (await response.get_json())["error"]


async def test_a_silent_model_is_stopped_by_the_idle_timeout(
    serve: Callable[[Settings], Any], make_settings: Callable[..., Settings], slow_model: FakeOpenAI
) -> None:
    client: Client = await serve(
        _model_settings(slow_model, make_settings, model_idle_timeout_seconds=0.3)
    )
    slow_model.fail_next("hang", after_chunks=3, hang_seconds=30)
    status, lines = await post_stream(client, "/ask/stream", chat_body("leave?"))
    assert status == 200
    assert "stopped sending the answer (timed out)" in lines[-1]["error"]


def test_believing_every_proxy_is_refused_with_the_reason() -> None:
    with pytest.raises(ValidationError, match="would believe the X-Forwarded-For of any client"):
        Settings(_env_file=None, forwarded_allow_ips="*")  # type: ignore[call-arg]
    settings = Settings(_env_file=None, forwarded_allow_ips="10.0.0.0/8, 192.168.1.1")  # type: ignore[call-arg]
    assert [str(n) for n in settings.forwarded_allow_ips] == ["10.0.0.0/8", "192.168.1.1/32"]
