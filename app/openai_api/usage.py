"""Token usage of an answer: as the model reported it for the answer call (the approach's
EndEvent carries it), else estimated here, e.g. for the extractive answerer, which has no model.

The estimate's prompt tokens: what the answer was made from, i.e. the turns the answerer sees
and the text of the sources, with the chat format's overhead per message (not the server's
system prompt, nor the calls for the search query or follow-up questions). Its completion
tokens: the text sent (app/openai_api/cutoff.py counts them). All with the app's tokenizer
(cl100k_base). A model's report covers its answer call alone too.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field

from app.events import TokenUsage
from app.schemas import DataPoints, Message
from app.tokens import MESSAGE_OVERHEAD, REPLY_PRIMING, count_tokens


class Usage(BaseModel):
    """`usage` of a completion; `estimated` is this server's: true when counted here."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    estimated: bool = Field(
        default=True,
        description="True: counted by this server with cl100k_base; false: as the model said.",
    )


def prompt_tokens(turns: Sequence[Message], data_points: DataPoints) -> int:
    """Estimated tokens of the answer's prompt: the turns it sees and its sources."""
    messages = sum(count_tokens(turn.content) + MESSAGE_OVERHEAD for turn in turns)
    return messages + sum(count_tokens(text) for text in data_points.text) + REPLY_PRIMING


def estimated_usage(prompt: int, completion: int) -> Usage:
    """Usage with both counts estimated."""
    return Usage(
        prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion
    )


def reported_usage(usage: TokenUsage) -> Usage:
    """Usage as the model reported it."""
    return Usage(
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        total_tokens=usage.prompt_tokens + usage.completion_tokens,
        estimated=False,
    )
