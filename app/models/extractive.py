"""The built-in answerer for when no language model is configured.

It quotes the sentences of the retrieved sources that share the most (and the rarest) words
with the question, each followed by its `[source]` citation, and says plainly that no
language model wrote the answer.
"""

from __future__ import annotations

import math
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from app.events import EndEvent
from app.models.base import AnswerPrompt, OpenedAnswer
from app.models.sentences import sections, units_in
from app.schemas import Message, Thought
from app.text import keywords, stem, stems

NOTICE = (
    "*No language model is configured, so this answer quotes the passages of your documents "
    "that best match the question.*"
)
NO_SOURCES = "I could not find anything about that in the indexed documents."
NO_MATCH = "No passage answers this directly. The closest one I found:"
MAX_SENTENCES = 4
_QUESTION_WORDS = frozenset(("what", "how", "who", "when", "where", "which", "why", "can", "do"))
# "How many weeks...", "what is the limit...": sentences with a number answer these better.
_QUANTITY = re.compile(
    r"\b(how (many|much|long|often|soon)|limit|rate|cost|price|amount|deductible|match|"
    r"maximum|minimum|percent|days?|weeks?|hours?)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d")
# Sentences longer than this are more likely run-on extraction noise than an answer.
_LONG_SENTENCE = 400
_METHOD = Thought(
    title="Answer method",
    description=(
        "No language model is configured (CHAT_PROVIDER=extractive). The answer quotes "
        "the sentences of the sources that share the most words with the question."
    ),
    props={"max_sentences": MAX_SENTENCES},
)


@dataclass(frozen=True, slots=True)
class _Candidate:
    text: str
    source: str
    score: float


class ExtractiveChatModel:
    """Answers by quoting the best-matching sentences of the sources, with citations."""

    description = "extractive (no language model configured)"
    is_language_model = False

    async def search_query(self, conversation: Sequence[Message]) -> str:
        """Keywords of the last question, plus the previous question's when it is short."""
        questions = [m.content for m in conversation if m.role == "user"]
        words = keywords(questions[-1])
        if len(words) < 3 and len(questions) > 1:
            words += [w for w in keywords(questions[-2]) if w not in words]
        return " ".join(words) or questions[-1]

    async def open_answer(self, prompt: AnswerPrompt) -> OpenedAnswer:
        """Pick the sentences now; stream them line by line; say how they were picked."""
        return OpenedAnswer(_Lines(compose_answer(prompt)), _METHOD, prompt)

    async def followup_questions(self, prompt: AnswerPrompt, answer: str) -> list[str]:
        """Questions about sections of the sources that the answer did not quote from."""
        asked = stems(prompt.question)
        quoted = [line[2:].rsplit(" [", 1)[0] for line in answer.splitlines() if line[:2] == "- "]
        questions: list[str] = []
        for hit in prompt.sources:
            for title, body in sections(hit.content):
                question = _as_question(title)
                answered = stems(title) <= asked or any(q in " ".join(body.split()) for q in quoted)
                if not answered and question not in questions:
                    questions.append(question)
        return questions[:3]

    async def close(self) -> None:
        """Nothing to release."""


def _as_question(title: str) -> str:
    title = title.rstrip(" ?:.")
    words = title.split()
    if words[0].lower() in _QUESTION_WORDS:
        return title + "?"
    if words[0][1:].islower() and all(not w[:1].isupper() for w in words[1:]):
        title = title[0].lower() + title[1:]  # sentence case: "Sick leave" -> "sick leave"
    return f"What about {title}?"


def compose_answer(prompt: AnswerPrompt) -> list[str]:
    """The lines of the answer: the notice, then quoted sentences with citations."""
    if not prompt.sources:
        return [NOTICE, "\n\n", NO_SOURCES]
    candidates = _rank(prompt)
    best = [c for c in candidates if c.score > 0][:MAX_SENTENCES]
    lines = [NOTICE, "\n\n"]
    if not best:
        lines.append(NO_MATCH + "\n\n")
        best = candidates[:1]
    lines += [f"- {c.text} [{c.source}]\n" for c in best]
    return lines


def _rank(prompt: AnswerPrompt) -> list[_Candidate]:
    query = stems(prompt.question)
    wants_number = bool(_QUANTITY.search(prompt.question))
    units = []
    own_text: list[str] = []
    context_stems: list[set[str]] = []
    for rank, hit in enumerate(prompt.sources):
        for piece in units_in(hit.content):
            if len(piece.text) <= _LONG_SENTENCE:
                units.append((piece.text, hit.sourcepage, rank))
                own_text.append(piece.words)
                context_stems.append(stems(piece.context))
    unit_words = [[stem(word) for word in keywords(text)] for text in own_text]
    unit_stems = [set(words) for words in unit_words]
    # Inverse document frequency over the candidate sentences: rare shared words count more.
    idf = {
        term: math.log(1 + len(units) / (1 + sum(term in s for s in unit_stems))) for term in query
    }
    candidates = []
    seen: set[str] = set()
    for i, ((unit, source, rank), words, terms) in enumerate(
        zip(units, unit_words, unit_stems, strict=True)
    ):
        if unit in seen:
            continue
        seen.add(unit)
        overlap = sum(idf[t] for t in query & terms)
        # Half credit for question words in the section heading or in the sentence before, from
        # the same source: "It costs $750." answers a question about what came just before.
        context = context_stems[i]
        if i and units[i - 1][1:] == (source, rank):
            context = context | unit_stems[i - 1]
        overlap += 0.5 * sum(idf[t] for t in (query & context) - terms)
        # Prefer sentences from better-ranked sources, and a little, shorter ones.
        score = overlap * (1.0 - 0.05 * rank) / (1.0 + len(terms) / 60)
        score *= 1.0 + _closeness(words, query & terms)
        if wants_number and _NUMBER.search(unit):
            score *= 1.5  # "how much", "how many": a sentence without a number rarely answers
        if unit.endswith(":"):
            score *= 0.3  # a lead-in ("Follow these steps:") says nothing on its own
        elif unit[-1:] not in ".!?)\"'":
            score *= 0.6  # a fragment (a caption, a label) rather than a sentence
        candidates.append(_Candidate(unit, source, score))
    candidates.sort(key=lambda c: c.score, reverse=True)
    return candidates


def _closeness(words: list[str], matched: set[str]) -> float:
    """Up to 0.5 when the matched words stand close together ("14 weeks of parental leave")."""
    if len(matched) < 2:
        return 0.0
    best = len(words)
    last_seen: dict[str, int] = {}
    for position, word in enumerate(words):
        if word in matched:
            last_seen[word] = position
            if len(last_seen) == len(matched):
                best = min(best, position - min(last_seen.values()) + 1)
    return 0.5 * len(matched) / best


class _Lines:
    """The answer's lines, as a stream; it always ends by itself, and counts no tokens."""

    end = EndEvent()

    def __init__(self, lines: list[str]) -> None:
        self._lines = lines

    async def __aiter__(self) -> AsyncIterator[str]:
        for line in self._lines:
            yield line

    async def aclose(self) -> None:
        """Nothing to release."""
