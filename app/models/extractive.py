"""The built-in answerer for when no language model is configured.

It quotes whole sentences of the retrieved sources, each followed by its `[source]` citation,
and says plainly that no language model wrote the answer. Sentences are ranked two ways and
the ranks fused (reciprocal rank fusion, as hybrid search does):

* by words: those sharing the most (and the rarest) words with the question, closest
  together, with a number when the question asks how much or how many;
* by meaning, when an embedding model is configured (`EMBED_PROVIDER=local` offline): the
  cosine of the sentence's vector and the question's, so a question asked in other words
  than the document's still finds its sentence.

When neither finds a sentence close enough, the answer says that no passage answers the
question directly, then quotes the closest ones.
"""

from __future__ import annotations

import logging
import math
import re
from collections import OrderedDict
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from app.events import EndEvent
from app.models.base import AnswerPrompt, OpenedAnswer
from app.models.sentences import sections, units_in
from app.schemas import Message, Thought
from app.text import keywords, stem, stems

if TYPE_CHECKING:
    from app.models.embeddings import Embedder

NOTICE = (
    "*No language model is configured, so this answer quotes the passages of your documents "
    "that best match the question.*"
)
NO_SOURCES = "I could not find anything about that in the indexed documents."
NO_MATCH = "No passage answers this directly. The closest I found:"
MAX_SENTENCES = 4
# A question is taken as answered when a sentence is this close in meaning (cosine of
# all-MiniLM-L6-v2 vectors) or scores this much by words; below both, NO_MATCH. Measured on
# evals/questions.jsonl: the unanswerable questions' best sentences lie at 0.43-0.58, and so
# do many paraphrased answers', so the floor is low and refuses only the clearest misses
# (at 0.52, 50% of unanswerable questions are refused, and 17% of answerable ones).
# A refusal still quotes the closest sentences: they often hold the answer after all.
MEANING_FLOOR = 0.46
WORDS_FLOOR = 6.0
RRF_K = 5  # small: the first few ranks of each ordering count most
log = logging.getLogger(__name__)
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
_BY_WORDS = Thought(
    title="Answer method",
    description=(
        "No language model is configured (CHAT_PROVIDER=extractive). The answer quotes "
        "the sentences of the sources that share the most words with the question."
    ),
    props={"max_sentences": MAX_SENTENCES},
)
_BY_MEANING = Thought(
    title="Answer method",
    description=(
        "No language model is configured (CHAT_PROVIDER=extractive). The answer quotes "
        "the sentences of the sources closest to the question, in their words and in their "
        "meaning (embeddings), ranked together."
    ),
    props={"max_sentences": MAX_SENTENCES, "meaning_floor": MEANING_FLOOR},
)


@dataclass(frozen=True, slots=True)
class _Candidate:
    text: str
    source: str
    score: float


class ExtractiveChatModel:
    """Answers by quoting the best-matching sentences of the sources, with citations; by
    their meaning too when given an embedder."""

    description = "extractive (no language model configured)"
    is_language_model = False

    def __init__(self, embedder: Embedder | None = None) -> None:
        self._closeness = None if embedder is None else Closeness(embedder)

    async def search_query(self, conversation: Sequence[Message]) -> str:
        """Keywords of the last question, plus the previous question's when it is short."""
        questions = [m.content for m in conversation if m.role == "user"]
        words = keywords(questions[-1])
        if len(words) < 3 and len(questions) > 1:
            words += [w for w in keywords(questions[-2]) if w not in words]
        return " ".join(words) or questions[-1]

    async def open_answer(self, prompt: AnswerPrompt) -> OpenedAnswer:
        """Pick the sentences now; stream them line by line; say how they were picked."""
        if self._closeness is None or not prompt.sources:
            return OpenedAnswer(_Lines(compose_answer(prompt)), _BY_WORDS, prompt)
        candidates = _rank(prompt)
        try:
            closeness = await self._closeness.of(prompt.question, [c.text for c in candidates])
        except Exception as exc:  # a remote embedder that failed: words alone still answer
            log.warning("sentence embeddings failed, choosing by words only: %r", exc)
            return OpenedAnswer(_Lines(compose_answer(prompt)), _BY_WORDS, prompt)
        return OpenedAnswer(_Lines(answer_lines(candidates, closeness)), _BY_MEANING, prompt)

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


def _as_question(title: str) -> str:
    title = title.rstrip(" ?:.")
    words = title.split()
    if words[0].lower() in _QUESTION_WORDS:
        return title + "?"
    if words[0][1:].islower() and all(not w[:1].isupper() for w in words[1:]):
        title = title[0].lower() + title[1:]  # sentence case: "Sick leave" -> "sick leave"
    return f"What about {title}?"


def compose_answer(prompt: AnswerPrompt) -> list[str]:
    """The lines of the answer by words alone: the notice, then quoted sentences."""
    if not prompt.sources:
        return [NOTICE, "\n\n", NO_SOURCES]
    return answer_lines(_rank(prompt), None)


def answer_lines(candidates: list[_Candidate], closeness: Sequence[float] | None) -> list[str]:
    """The notice, then the chosen sentences with citations; `candidates` are ranked by words
    and `closeness` is each one's closeness in meaning to the question (None: not known)."""
    lines = [NOTICE, "\n\n"]
    if closeness is None:
        best = [c for c in candidates if c.score > 0][:MAX_SENTENCES]
        answered = bool(best)
    else:
        fused = _fuse(len(candidates), closeness)
        best = [candidates[i] for i in fused[:MAX_SENTENCES]]
        top_words = candidates[0].score if candidates else 0.0
        answered = max(closeness, default=0.0) >= MEANING_FLOOR or top_words >= WORDS_FLOOR
    if not answered:
        lines.append(NO_MATCH + "\n\n")
        best = best or candidates[:1]
    lines += [f"- {c.text} [{c.source}]\n" for c in best]
    return lines


def _fuse(count: int, closeness: Sequence[float]) -> list[int]:
    """Candidate positions by reciprocal rank fusion of their order by words (the order they
    are in) and their order by meaning. Sentences that share no word keep their place by
    words too, which is their source's place in the search results: measured, dropping it
    loses a third of the paraphrased answers (evals/)."""
    fused = [1.0 / (RRF_K + rank) for rank in range(count)]
    by_meaning = sorted(range(count), key=lambda i: closeness[i], reverse=True)
    for rank, i in enumerate(by_meaning):
        fused[i] += 1.0 / (RRF_K + rank)
    return sorted(range(count), key=lambda i: fused[i], reverse=True)


class Closeness:
    """How close in meaning sentences are to a question: the cosine of their embeddings.

    Sentence vectors are kept (the most recent `keep`): related questions bring back the same
    sources, so most of an answer's sentences are embedded once (~2 ms a sentence here).
    """

    def __init__(self, embedder: Embedder, keep: int = 8192) -> None:
        self._embedder = embedder
        self._keep = keep
        self._vectors: OrderedDict[str, npt.NDArray[np.float32]] = OrderedDict()

    async def of(self, question: str, texts: Sequence[str]) -> list[float]:
        """The closeness of each of `texts` to `question`, in order (-1 to 1)."""
        missing = [text for text in dict.fromkeys(texts) if text not in self._vectors]
        vectors = await self._embedder.embed([question, *missing])
        asked = _unit(vectors[0])
        for text, vector in zip(missing, vectors[1:], strict=True):
            self._vectors[text] = _unit(vector)
        scores = []
        for text in texts:
            self._vectors.move_to_end(text)
            scores.append(float(self._vectors[text] @ asked))
        while len(self._vectors) > self._keep:
            self._vectors.popitem(last=False)
        return scores


def _unit(vector: Sequence[float]) -> npt.NDArray[np.float32]:
    array = np.asarray(vector, dtype=np.float32)
    return array / max(float(np.linalg.norm(array)), 1e-12)


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
