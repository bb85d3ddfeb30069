"""An open answer stream keeps only what it still needs once its context line is out.

Thousands of answers stream at once on one worker, each for seconds: whatever the answer's
generator still references then (the request, the hits, the prompt with every source's text)
is held that long, per stream.
"""

from __future__ import annotations

import gc
import tracemalloc
from pathlib import Path

from fakes.openai_server import FakeOpenAI

from app import clients
from app.approaches.base import AskApproach
from app.events import ContextEvent, DeltaEvent, FollowupEvent
from app.models.base import AnswerPrompt
from app.models.budget import TokenLimits
from app.models.extractive import ExtractiveChatModel
from app.models.openai import OpenAIChatModel
from app.schemas import ChatRequest
from app.search.base import Chunk, SearchHit
from app.search.local import LocalIndex
from app.settings import Settings

HELD_AFTER_CONTEXT = {"request", "overrides", "options", "notes", "hits", "prompt", "context"}


async def open_stream(tmp_path: Path, *, followups: bool) -> tuple[object, LocalIndex]:
    index = await LocalIndex.open(tmp_path / "index.sqlite3")
    await index.replace_file(
        "plans.md",
        "h",
        [
            Chunk(
                id="plans-1",
                content=(
                    "## Deductibles\n\nThe Plus plan has a deductible of 500 dollars.\n\n"
                    + "".join(
                        f"## {topic}\n\nAsk the office about {topic.lower()}.\n\n"
                        for topic in ("Vision care", "Dental care", "Pharmacy", "Travel", "Leave")
                    )
                ),
                sourcepage="plans.md",
                sourcefile="plans.md",
            )
        ],
    )
    approach = AskApproach(retriever=index, model=ExtractiveChatModel())
    request = ChatRequest.model_validate(
        {
            "messages": [{"role": "user", "content": "What is the deductible?"}],
            "context": {"overrides": {"suggest_followup_questions": followups}},
        }
    )
    return approach.run(request, user=None), index


async def test_past_the_context_line_the_stream_holds_no_hits_or_prompt(tmp_path: Path) -> None:
    events, index = await open_stream(tmp_path, followups=False)
    first = await anext(events)  # type: ignore[call-overload]
    assert isinstance(first, ContextEvent)
    assert first.data_points.citations == ["plans.md"]
    second = await anext(events)  # type: ignore[call-overload]
    assert isinstance(second, DeltaEvent)
    held = set(events.ag_frame.f_locals)  # type: ignore[attr-defined]
    assert not held & HELD_AFTER_CONTEXT
    assert held >= {"stream"}  # the connection to the model, still needed
    await events.aclose()  # type: ignore[attr-defined]
    await index.close()


async def test_follow_up_questions_keep_the_prompt_and_still_get_asked(tmp_path: Path) -> None:
    events, index = await open_stream(tmp_path, followups=True)
    seen = [event async for event in events]  # type: ignore[attr-defined]
    assert "500 dollars" in "".join(e.content for e in seen if isinstance(e, DeltaEvent))
    # Asked from the prompt's sources after the answer: sections it did not quote.
    assert isinstance(seen[-1], FollowupEvent)
    assert seen[-1].questions
    await index.close()


async def test_an_open_model_stream_does_not_keep_the_request_body() -> None:
    """The SDK's response keeps its request, and the request its body: the whole prompt,
    every source's text, for as long as the answer streams (about 4 KB a stream in the
    benchmark, 7.7 KB with the request's headers and objects)."""
    async with FakeOpenAI(chunks=3, chunk_delay=30) as fake:  # stays open: 30 s a chunk
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
            timeout=300,
            limits=TokenLimits(context_tokens=1_000_000),  # the 200 KB source fits
        )
        source = SearchHit(id="1", content="word " * 40_000, sourcepage="a.pdf", sourcefile="a.pdf")
        prompt = AnswerPrompt(kind="ask", question="q?", history=[], sources=[source])
        try:
            tracemalloc.start()
            stream = (await model.open_answer(prompt)).stream
            pieces = stream.__aiter__()
            assert await anext(pieces) == "piece0 "
            gc.collect()
            # What the SDK's JSON encoder made (the body) and is still alive; the fake's own
            # copy, in this process too, is made elsewhere.
            encoded = tracemalloc.take_snapshot().filter_traces(
                [tracemalloc.Filter(True, "*/openai/_utils/_json.py")]
            )
        finally:
            tracemalloc.stop()
        held = sum(stat.size for stat in encoded.statistics("filename"))
        await stream.aclose()
        await client.close()
    assert len(fake.requests[-1]["messages"][-1]["content"]) > 200_000  # it was sent...
    assert held < 10_000  # ...and not kept
