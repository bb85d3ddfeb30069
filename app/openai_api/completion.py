"""One answer as a Chat Completion: its id, the request's cut-off, why it ended, the usage, and
the events of the answer flow collected into a `chat.completion` (`stream: false`)."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Sequence

from app.events import ContextEvent, DeltaEvent, EndEvent, Event, FollowupEvent
from app.openai_api.cutoff import Cutoff
from app.openai_api.responses import ChatCompletion, Choice, CompletionMessage, FinishReason
from app.openai_api.usage import Usage, estimated_usage, prompt_tokens, reported_usage
from app.schemas import AnswerContext, Message, Thought

# A model's finish reasons that are not plain `stop` (tools are refused, so no `tool_calls`).
_MODEL_REASONS: dict[str, FinishReason] = {"length": "length", "content_filter": "content_filter"}


class Completion:
    """What one answer's chunks or body share: id, time, model, cut-off and token counts.

    `turns` are the messages the answerer sees, for the prompt's token estimate (None: usage
    is not wanted); `note` is a thought added to the approach's (the ignored fields).
    """

    def __init__(
        self,
        *,
        model: str,
        cutoff: Cutoff,
        turns: Sequence[Message] | None = None,
        note: Thought | None = None,
    ) -> None:
        self.id = "chatcmpl-" + uuid.uuid4().hex
        self.created = int(time.time())
        self.model = model
        self.cutoff = cutoff
        self._turns = turns
        self._note = note
        self._prompt_tokens = 0
        self._end: EndEvent | None = None

    def thoughts(self, context: ContextEvent) -> list[Thought]:
        """The context's thoughts with the note; counts the prompt's tokens if usage is wanted."""
        if self._turns is not None:
            self._prompt_tokens = prompt_tokens(self._turns, context.data_points)
        return [*context.thoughts, self._note] if self._note else context.thoughts

    def ended(self, end: EndEvent) -> None:
        """Keep the approach's word on why the answer ended, and the model's usage."""
        self._end = end

    @property
    def finish_reason(self) -> FinishReason:
        """The cut-off's reason if it ended the answer, else the model's (`stop` if none)."""
        if self.cutoff.finish_reason is not None:
            return self.cutoff.finish_reason
        reason = self._end.finish_reason if self._end is not None else "stop"
        return _MODEL_REASONS.get(reason, "stop")

    def usage(self) -> Usage:
        """The usage as the model reported it, else as estimated here so far."""
        reported = self._end.usage if self._end is not None else None
        if reported is not None and not reported.estimated:
            return reported_usage(reported)
        return estimated_usage(self._prompt_tokens, self.cutoff.tokens)


async def collect_completion(
    completion: Completion, events: AsyncIterator[Event]
) -> tuple[ChatCompletion, ContextEvent]:
    """The whole answer as a `chat.completion`, with the context event (its timings go in a
    header); stops reading once the cut-off ends the answer."""
    cutoff = completion.cutoff
    context: ContextEvent | None = None
    thoughts: list[Thought] = []
    pieces: list[str] = []
    followups: list[str] | None = None
    async for event in events:
        if isinstance(event, DeltaEvent):
            pieces.append(cutoff.feed(event.content))
            if cutoff.finish_reason is not None:
                break
        elif isinstance(event, ContextEvent):
            context, thoughts = event, completion.thoughts(event)
        elif isinstance(event, EndEvent):
            completion.ended(event)
        elif isinstance(event, FollowupEvent):
            followups = event.questions
    pieces.append(cutoff.flush())
    if context is None:  # pragma: no cover - every approach yields its context first
        raise RuntimeError("approach ended without a context event")
    message = CompletionMessage(
        content="".join(pieces),
        context=AnswerContext(
            data_points=context.data_points, thoughts=thoughts, followup_questions=followups
        ),
    )
    answer = ChatCompletion(
        id=completion.id,
        created=completion.created,
        model=completion.model,
        choices=[Choice(message=message, finish_reason=completion.finish_reason)],
        usage=completion.usage(),
    )
    return answer, context
