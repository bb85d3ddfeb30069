"""A streamed answer is read at a pace: the chunks that arrive while it waits go out as one
piece, so a client gets fewer, larger writes than the model sent chunks, and the first piece
is never held back."""

from __future__ import annotations

from fakes.openai_server import FakeOpenAI

from app import clients
from app.models.base import AnswerPrompt
from app.models.openai import PACE, OpenAIChatModel
from app.settings import Settings


async def test_chunks_that_arrive_during_the_pace_go_out_together() -> None:
    chunks, gap = 20, 0.01  # a chunk every 10 ms, a third of the pace
    assert gap < PACE
    async with FakeOpenAI(chunks=chunks, chunk_delay=gap) as fake:
        settings = Settings(
            chat_provider="openai",
            openai_base_url=fake.base_url,
            openai_api_key="k",
            openai_chat_model="m",
        )
        client = clients.openai_client(settings, "openai", None)
        model = OpenAIChatModel(
            client=client,
            model="m",
            provider_label="test",
            timeout=60,
        )
        prompt = AnswerPrompt(kind="ask", question="q?", history=[], sources=[])
        stream = (await model.open_answer(prompt)).stream
        pieces = [piece async for piece in stream]
        await client.close()  # the model's maker closes its client
    assert pieces[0] == "piece0 "  # sent as soon as it came
    assert "".join(pieces) == "".join(f"piece{i} " for i in range(chunks))  # nothing lost
    # Unpaced, each 10 ms chunk is its own read and its own piece; a slower machine only
    # gathers more chunks per read.
    assert len(pieces) <= chunks // 2
