"""The extractive answerer choosing sentences by meaning (embeddings) as well as by words."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from app.models import AnswerPrompt
from app.models.extractive import (
    NO_MATCH,
    Closeness,
    ExtractiveChatModel,
    _Candidate,
    answer_lines,
)
from app.models.local_embed.embedder import load_local_embedder
from app.search import SearchHit

LIFE = """## Life insurance

Cairnwood provides basic life insurance at no cost to you. The benefit is two times your annual
salary, up to a maximum of $500,000. You can buy more coverage for your spouse and children.

## Time off

Employees receive 15 vacation days a year. Unused days roll over, up to five.
"""
# No word in common with the sentence that answers it (nor with the others).
PARAPHRASE = "What is the cap on the no-charge payout my loved ones would receive if I pass away?"


def prompt(question: str) -> AnswerPrompt:
    hit = SearchHit(id="1", content=LIFE, sourcepage="benefits.md", sourcefile="benefits.md")
    return AnswerPrompt(kind="chat", question=question, history=[], sources=[hit])


class ConceptEmbedder:
    """Vectors by hand, one axis per concept (and one for none), so closeness is known
    exactly; records what it was asked to embed."""

    CONCEPTS = (("payout", "$500,000"), ("insurance",), ("vacation", "days"), ("gym",))

    def __init__(self, fail: bool = False) -> None:
        self.calls: list[list[str]] = []
        self.fail = fail

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls.append(list(texts))
        if self.fail:
            raise ConnectionError("embeddings service down")
        vectors = []
        for text in texts:
            axes = [float(sum(word in text.lower() for word in axis)) for axis in self.CONCEPTS]
            vectors.append([*axes, 0.0 if any(axes) else 1.0])
        return vectors


async def answer(model: ExtractiveChatModel, question: str) -> tuple[str, str]:
    opened = await model.open_answer(prompt(question))
    return "".join([piece async for piece in opened.stream]), opened.thought.description


def test_a_sentence_second_by_words_and_first_by_meaning_is_quoted_first() -> None:
    candidates = [_Candidate(f"Sentence {n}.", "a.md", score) for n, score in enumerate((3, 2, 0))]
    lines = answer_lines(candidates, [0.1, 0.9, 0.2])
    assert lines[2:] == [
        "- Sentence 1. [a.md]\n",
        "- Sentence 0. [a.md]\n",
        "- Sentence 2. [a.md]\n",
    ]
    assert NO_MATCH not in "".join(lines)
    # By words alone, the order by words, and only sentences that share a word.
    assert answer_lines(candidates, None)[2:] == [
        "- Sentence 0. [a.md]\n",
        "- Sentence 1. [a.md]\n",
    ]


async def test_the_model_says_it_chose_by_meaning() -> None:
    text, method = await answer(ExtractiveChatModel(ConceptEmbedder()), "How large is the payout?")
    assert "$500,000" in text
    assert "meaning" in str(method)


async def test_sentences_far_in_meaning_and_in_words_are_a_no_match() -> None:
    model = ExtractiveChatModel(ConceptEmbedder())
    text, _ = await answer(model, "Is there a gym?")
    assert NO_MATCH in text
    assert text.count("\n- ") >= 1  # the closest still quoted, after saying so


async def test_sentence_vectors_are_embedded_once() -> None:
    embedder = ConceptEmbedder()
    model = ExtractiveChatModel(embedder)
    await answer(model, "How big is the insurance payout?")
    await answer(model, "How many vacation days?")
    first, second = embedder.calls
    assert len(first) > 3
    assert second == ["How many vacation days?"]  # the sentences' vectors were kept


async def test_a_failing_embedder_falls_back_to_words() -> None:
    model = ExtractiveChatModel(ConceptEmbedder(fail=True))
    text, method = await answer(model, "How many vacation days do employees receive?")
    assert "15 vacation days" in text
    assert "share the most words" in str(method)


async def test_closeness_keeps_only_the_most_recent_vectors() -> None:
    embedder = ConceptEmbedder()
    closeness = Closeness(embedder, keep=2)
    scores = await closeness.of("payout?", ["the payout", "insurance", "vacation days"])
    assert scores == pytest.approx([1.0, 0.0, 0.0])
    await closeness.of("payout?", ["insurance", "the payout"])
    assert embedder.calls[-1] == ["payout?", "the payout"]  # pushed out: embedded again


async def test_the_real_model_answers_a_paraphrase_that_shares_no_words() -> None:
    embedder = load_local_embedder(Path.home() / ".cache" / "ragchat" / "models")
    text, _ = await answer(ExtractiveChatModel(embedder), PARAPHRASE)
    assert "$500,000" in text
    words_only, _ = await answer(ExtractiveChatModel(), PARAPHRASE)
    assert "$500,000" not in words_only
