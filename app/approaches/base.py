"""The one answer flow: search query, retrieval, then a streamed answer with citations.

`Approach.run` yields typed events. Everything up to the first event (query rewriting,
embedding, search, and opening the model's stream) happens before the route sends a byte, so
those failures still get a real HTTP status; later failures become the stream's error line.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass
from time import perf_counter
from typing import Literal

from app.approaches.history import trim_history
from app.auth import User
from app.errors import AppError, BadRequestError, is_service_error, to_app_error
from app.events import ContextEvent, DeltaEvent, Event, FollowupEvent
from app.models import AnswerPrompt, ChatModel
from app.models.embeddings import Embedder
from app.models.prompts import source_text
from app.schemas import ChatRequest, DataPoints, Message, Overrides, Thought
from app.search import Retriever, SearchHit, SearchOptions
from app.search.base import RetrievalMode

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ApproachConfig:
    """Server-side limits on what a request may ask for."""

    history_token_budget: int = 3000
    allow_prompt_template: bool = False
    semantic_ranker_available: bool = False


class Approach:
    """Retrieve, then answer; `ChatApproach` and `AskApproach` differ only in their inputs."""

    kind: Literal["chat", "ask"]

    def __init__(
        self,
        *,
        retriever: Retriever,
        model: ChatModel,
        embedder: Embedder | None = None,
        config: ApproachConfig | None = None,
    ) -> None:
        self._retriever = retriever
        self._model = model
        self._embedder = embedder
        self._config = config or ApproachConfig()

    async def search_query(self, messages: Sequence[Message]) -> str:
        """The text to search for; `messages` are the turns the answer sees (`history`) and
        the question."""
        raise NotImplementedError

    def history(self, messages: Sequence[Message]) -> list[Message]:
        """The earlier turns the model sees."""
        raise NotImplementedError

    async def run(self, request: ChatRequest, *, user: User | None) -> AsyncGenerator[Event, None]:
        """Yield the context, then the answer's pieces, then follow-up questions if asked.

        Only what `user` (None: anonymous) may read is searched, cited or shown in thoughts.
        """
        overrides = request.context.overrides
        self._check(overrides)
        started = perf_counter()
        # The rewrite sees the same trimmed history as the answer, counted once: not the whole
        # conversation (a long one made the rewrite the slowest call on a small local model).
        history = self.history(request.messages)
        query, rewrite_note = await self._query([*history, request.messages[-1]])
        options, notes = await self._search_options(query, overrides)
        if rewrite_note:
            notes.insert(0, rewrite_note)
        searching = perf_counter()
        hits = await self._retriever.search(options, user=user)
        searched = perf_counter()
        prompt = AnswerPrompt(
            kind=self.kind,
            question=request.messages[-1].content,
            history=history,
            sources=hits,
            use_captions=options.semantic_captions,
            temperature=overrides.temperature,
            seed=overrides.seed,
            prompt_template=overrides.prompt_template,
            language=overrides.language,
            max_tokens=overrides.max_tokens,
        )
        opened = await self._model.open_answer(prompt)
        stream, answer_thought, prompt = opened.stream, opened.thought, opened.prompt
        context = ContextEvent(
            # The sources the model was given: the budget may have left the last ones out.
            data_points=_data_points(prompt.sources, use_captions=options.semantic_captions),
            thoughts=[_search_thought(options, notes), _results_thought(hits), answer_thought],
            session_state=request.session_state,
            timings=_timings(started, searching, searched, perf_counter()),
        )
        # Past the context line an open stream needs only its connection to the model, and
        # the prompt only for follow-up questions: let go of the request, the hits and the
        # prompt's text, which are most of what a stream holds (thousands stream at once).
        followups = prompt if overrides.suggest_followup_questions else None
        del request, overrides, options, notes, hits, prompt, answer_thought, opened, history
        pieces: list[str] = []
        try:
            yield context
            del context
            async for piece in stream:
                if followups is not None:
                    pieces.append(piece)
                yield DeltaEvent(piece)
        finally:
            await stream.aclose()
        yield stream.end
        if followups is not None:
            yield await self._followups(followups, "".join(pieces))

    async def _query(self, messages: Sequence[Message]) -> tuple[str, str | None]:
        """The search query; when the model cannot write it, the question as asked, and a
        note saying why (the answer is still worth having)."""
        try:
            return await self.search_query(messages), None
        except Exception as exc:
            error = _optional_step_failed(exc, "query rewrite failed, searching the question")
            return messages[-1].content, (
                f"the model could not write the search query ({error.message}), so the "
                "question was searched as asked"
            )

    async def _followups(self, prompt: AnswerPrompt, answer: str) -> FollowupEvent:
        """Follow-up questions; when the model cannot suggest them, none, and a note why."""
        try:
            return FollowupEvent(await self._model.followup_questions(prompt, answer))
        except Exception as exc:
            error = _optional_step_failed(exc, "follow-up questions failed, leaving them out")
            note = Thought(
                title="Follow-up questions",
                description=f"Left out: the model could not suggest them. {error.message}",
            )
            return FollowupEvent([], note=note)

    def _check(self, overrides: Overrides) -> None:
        if overrides.prompt_template and not self._config.allow_prompt_template:
            raise BadRequestError(
                "context.overrides.prompt_template: this server does not allow custom prompts"
            )
        if overrides.retrieval_mode == "vectors" and self._embedder is None:
            raise BadRequestError(
                "context.overrides.retrieval_mode: 'vectors' needs an embedding model, "
                "and this server has none configured; use 'text'"
            )

    async def _search_options(
        self, query: str, overrides: Overrides
    ) -> tuple[SearchOptions, list[str]]:
        notes: list[str] = []
        if unknown := overrides.unknown_keys():
            notes.append("overrides this server does not use, ignored: " + ", ".join(unknown))
        mode: RetrievalMode = overrides.retrieval_mode or ("hybrid" if self._embedder else "text")
        if mode == "hybrid" and self._embedder is None:
            mode = "text"
            notes.append("hybrid search fell back to text: no embedding model is configured")
        semantic = bool(overrides.semantic_ranker) and self._config.semantic_ranker_available
        if overrides.semantic_ranker and not semantic:
            notes.append("the semantic ranker is not available on this search backend")
        vector = None
        if mode != "text" and self._embedder is not None:
            vector = (await self._embedder.embed([query]))[0]
        options = SearchOptions(
            query=query,
            mode=mode,
            vector=vector,
            top=overrides.top,
            semantic_ranker=semantic,
            semantic_captions=semantic and overrides.semantic_captions,
            minimum_search_score=overrides.minimum_search_score,
            minimum_reranker_score=overrides.minimum_reranker_score,
            include_category=overrides.include_category,
            exclude_category=overrides.exclude_category,
        )
        return options, notes


class ChatApproach(Approach):
    """A conversation: the model rewrites it into a search query and sees trimmed history."""

    kind = "chat"

    async def search_query(self, messages: Sequence[Message]) -> str:
        """The model's search query for the last question, in context."""
        return await self._model.search_query(messages)

    def history(self, messages: Sequence[Message]) -> list[Message]:
        """Earlier turns, newest first, cut to the token budget."""
        return trim_history(messages[:-1], self._config.history_token_budget)


class AskApproach(Approach):
    """One question: searched for as asked, answered without history."""

    kind = "ask"

    async def search_query(self, messages: Sequence[Message]) -> str:
        """The question itself."""
        return messages[-1].content

    def history(self, messages: Sequence[Message]) -> list[Message]:
        """No history."""
        return []


def _optional_step_failed(exc: Exception, what: str) -> AppError:
    """The safe error of a failed optional step, logged; a failure that is not a service's
    (a bug) is raised again instead."""
    if not is_service_error(exc):
        raise exc
    log.warning("%s: %r", what, exc)
    return to_app_error(exc)


def _timings(
    started: float, searching: float, searched: float, opened: float
) -> tuple[tuple[str, float], ...]:
    """Milliseconds spent on the search query (rewriting, embedding), the search, and
    opening the model's answer stream."""
    return (
        ("query", round((searching - started) * 1000, 3)),
        ("search", round((searched - searching) * 1000, 3)),
        ("model", round((opened - searched) * 1000, 3)),
    )


def _data_points(hits: Sequence[SearchHit], *, use_captions: bool) -> DataPoints:
    citations = list(dict.fromkeys(hit.sourcepage for hit in hits))
    text = [f"{hit.sourcepage}: {source_text(hit, use_captions=use_captions)}" for hit in hits]
    return DataPoints(text=text, citations=citations)


def _search_thought(options: SearchOptions, notes: list[str]) -> Thought:
    props: dict[str, object] = {
        "retrieval_mode": options.mode,
        "top": options.top,
        "semantic_ranker": options.semantic_ranker,
        "semantic_captions": options.semantic_captions,
        "include_category": options.include_category,
        "exclude_category": options.exclude_category,
        "minimum_search_score": options.minimum_search_score,
        "minimum_reranker_score": options.minimum_reranker_score,
    }
    if notes:
        props["notes"] = notes
    return Thought(title="Search query", description=options.query, props=props)


def _results_thought(hits: Sequence[SearchHit]) -> Thought:
    return Thought(
        title="Search results",
        description=[
            {
                "id": hit.id,
                "sourcepage": hit.sourcepage,
                "category": hit.category,
                "score": hit.score,
                "reranker_score": hit.reranker_score,
            }
            for hit in hits
        ],
        props={"count": len(hits)},
    )
