"""An open answer stream keeps only what it still needs once its context line is out.

Thousands of answers stream at once on one worker, each for seconds: whatever the answer's
generator still references then (the request, the hits, the prompt with every source's text)
is held that long, per stream.
"""

from __future__ import annotations

from pathlib import Path

from app.approaches.base import AskApproach
from app.events import ContextEvent, DeltaEvent, FollowupEvent
from app.models.extractive import ExtractiveChatModel
from app.schemas import ChatRequest
from app.search.base import Chunk
from app.search.local import LocalIndex

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
