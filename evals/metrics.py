"""Scores of one answer against its ground truth, and of a run against the targets.

An answer is what `POST /chat` returns: its text, whose `[citations]` name sources, and the
retrieved sources in `context.data_points.citations`, best first. Per question:

* hit@1, hit@5 and the reciprocal rank of the expected source among the retrieved pages;
* citations valid: every citation in the text is among the retrieved sources; correct: valid,
  and the page that holds the fact is cited;
* the fact in the answer (case and spacing aside);
* refused: the answer says the documents do not hold it (`REFUSALS`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from app.history.export import cited as cited_in
from app.models.extractive import NO_MATCH, NO_SOURCES
from evals.truth import Question

# How an answer says the documents do not hold what was asked: the extractive answerer's two
# sentences, and what a language model told to answer only from the sources says.
REFUSALS = (
    NO_SOURCES.lower(),
    NO_MATCH.lower(),
    "not found in the documents",
    "could not find",
    "couldn't find",
    "i don't know",
    "i do not know",
    "not in the sources",
    "the sources do not",
)
# The targets, offline on the sample corpus.
TARGETS = {
    "hit_at_1": 0.90,
    "citations_correct": 1.00,
    "fact_in_answer": 0.90,
    "paraphrased_hit_at_5": 0.90,
    "unanswerable_refused": 0.80,
}


@dataclass(frozen=True, slots=True)
class Score:
    """How one answer did; retrieval and fact fields are None for unanswerable questions."""

    id: str
    kind: str
    retrieved: list[str]
    cited: list[str]
    rank: int | None  # of the expected source among the retrieved pages, from 1
    citations_valid: bool
    citations_correct: bool | None
    fact_in_answer: bool | None
    refused: bool
    answer: str  # the first 600 characters, to read why

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def citations(text: str, retrieved: Sequence[str] = ()) -> list[str]:
    """The sources an answer cites, in order, each once, found as the UI finds them: a
    retrieved source or a file name in brackets (a quoted checklist's `[ ]` is no citation)."""
    return cited_in(text, list(retrieved))


def score(question: Question, answer: str, retrieved: Sequence[str]) -> Score:
    """Score `answer` (its text) and `retrieved` (the sources, best first) for `question`."""
    pages = _unique(retrieved)
    cited = citations(answer, pages)
    valid = all(c in pages for c in cited)
    text = _normal(answer)
    refused = any(phrase in text for phrase in REFUSALS)
    source, fact = question.source, question.fact
    if source is None or fact is None:
        return Score(
            question.id, question.kind, pages, cited, None, valid, None, None, refused, answer[:600]
        )
    rank = pages.index(source) + 1 if source in pages else None
    return Score(
        question.id,
        question.kind,
        pages,
        cited,
        rank,
        valid,
        valid and source in cited,
        _normal(fact) in text,
        refused,
        answer[:600],
    )


def summarize(scores: Sequence[Score]) -> dict[str, Any]:
    """The run's figures, overall and per kind, each with its count, and the targets met."""
    answerable = [s for s in scores if s.fact_in_answer is not None]
    paraphrased = [s for s in answerable if s.kind == "paraphrased"]
    unanswerable = [s for s in scores if s.fact_in_answer is None]
    figures = {
        "questions": len(scores),
        "answerable": len(answerable),
        "hit_at_1": _share(answerable, lambda s: s.rank == 1),
        "hit_at_5": _share(answerable, lambda s: s.rank is not None and s.rank <= 5),
        "mrr": round(sum(1 / s.rank for s in answerable if s.rank) / len(answerable), 3)
        if answerable
        else None,
        "citations_valid": _share(scores, lambda s: s.citations_valid),
        "citations_correct": _share(answerable, lambda s: bool(s.citations_correct)),
        "fact_in_answer": _share(answerable, lambda s: bool(s.fact_in_answer)),
        "paraphrased": len(paraphrased),
        "paraphrased_hit_at_5": _share(paraphrased, lambda s: s.rank is not None and s.rank <= 5),
        "paraphrased_fact_in_answer": _share(paraphrased, lambda s: bool(s.fact_in_answer)),
        "unanswerable": len(unanswerable),
        "unanswerable_refused": _share(unanswerable, lambda s: s.refused),
        "answerable_refused": _share(answerable, lambda s: s.refused),
    }
    figures["targets"] = {
        name: {"target": target, "met": figures[name] is not None and figures[name] >= target}
        for name, target in TARGETS.items()
    }
    return figures


def _share(scores: Sequence[Score], test: Any) -> float | None:
    return round(sum(1 for s in scores if test(s)) / len(scores), 3) if scores else None


def _normal(text: str) -> str:
    return " ".join(text.casefold().split())


def _unique(items: Any) -> list[str]:
    return list(dict.fromkeys(items))
