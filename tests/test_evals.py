"""The evaluation harness: its ground truth holds up against the corpus, and it scores right."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from app.settings import Settings
from evals import metrics, run, truth

DIRECT = truth.Question("d", "direct", "What is the deductible?", "plans.pdf#page=2", "$1,000")
NONE = truth.Question("u", "unanswerable", "What is the stock ticker?", None, None)


def _page_texts(index_dir: Path) -> dict[str, str]:
    with sqlite3.connect(index_dir / "index.sqlite3") as db:
        texts: dict[str, str] = {}
        for page, content in db.execute("SELECT sourcepage, content FROM chunks"):
            texts[page] = texts.get(page, "") + "\n" + " ".join(content.casefold().split())
    return texts


def test_the_ground_truth_is_true_of_the_sample_corpus(sample_index: Path) -> None:
    questions = truth.load(run.QUESTIONS)
    kinds = Counter(q.kind for q in questions)
    assert len(questions) >= 40
    assert kinds["paraphrased"] >= 10
    assert kinds["unanswerable"] >= 5
    pages = _page_texts(sample_index)
    for question in questions:
        if question.fact is None:
            continue
        fact = " ".join(question.fact.casefold().split())
        assert question.source in pages, question.id
        holding = {page for page, text in pages.items() if fact in text}
        assert holding == {question.source}, (question.id, holding)


def test_a_malformed_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    rows = [
        {"id": "a", "kind": "direct", "question": "q?", "source": "s", "fact": "f"},
        {"id": "b", "kind": "unanswerable", "question": "q?", "source": "s", "fact": None},
    ]
    path.write_text("\n".join(json.dumps(row) for row in rows))
    with pytest.raises(ValueError, match=r"q.jsonl:2: an unanswerable question has no source"):
        truth.load(path)
    path.write_text(json.dumps({**rows[0], "kind": "easy"}))
    with pytest.raises(ValueError, match=r"q.jsonl:1: kind must be one of"):
        truth.load(path)


def test_scores_rank_citations_fact_and_refusal() -> None:
    retrieved = ["intro.md", "plans.pdf#page=2", "plans.pdf#page=2", "faq.txt"]
    right = metrics.score(DIRECT, "It is $1,000 a year. [plans.pdf#page=2]", retrieved)
    assert (right.rank, right.citations_valid, right.citations_correct) == (2, True, True)
    assert (right.fact_in_answer, right.refused) == (True, False)
    assert right.retrieved == ["intro.md", "plans.pdf#page=2", "faq.txt"]
    invented = metrics.score(DIRECT, "$1,000 [plans.pdf#page=2] [other.pdf]", retrieved)
    assert (invented.citations_valid, invented.citations_correct) == (False, False)
    wrong_page = metrics.score(DIRECT, "$1, 000 [faq.txt]", retrieved[:1])
    assert (wrong_page.rank, wrong_page.citations_correct, wrong_page.fact_in_answer) == (
        None,
        False,
        False,
    )
    # A quoted checklist's boxes are brackets, not citations (the UI does not link them).
    checklist = metrics.score(
        DIRECT, "Day 1: [ ] Sign in. [x] $1,000 [plans.pdf#page=2]", retrieved
    )
    assert (checklist.cited, checklist.citations_valid) == (["plans.pdf#page=2"], True)
    refused = metrics.score(NONE, metrics.REFUSALS[0], [])
    assert (refused.refused, refused.rank, refused.fact_in_answer) == (True, None, None)


def test_the_summary_counts_each_kind_against_its_target() -> None:
    retrieved = ["plans.pdf#page=2"]
    scores = [
        metrics.score(DIRECT, "$1,000 [plans.pdf#page=2]", retrieved),
        metrics.score(DIRECT, "no idea", ["faq.txt", "plans.pdf#page=2"]),
        metrics.score(NONE, "I could not find anything about that in the indexed documents.", []),
        metrics.score(NONE, "It is XYZ. [faq.txt]", ["faq.txt"]),
    ]
    figures = metrics.summarize(scores)
    assert (figures["questions"], figures["answerable"], figures["unanswerable"]) == (4, 2, 2)
    assert (figures["hit_at_1"], figures["hit_at_5"], figures["mrr"]) == (0.5, 1.0, 0.75)
    assert (figures["fact_in_answer"], figures["unanswerable_refused"]) == (0.5, 0.5)
    assert figures["citations_valid"] == 1.0
    assert figures["targets"]["hit_at_1"] == {"target": 0.9, "met": False}


async def test_a_run_asks_the_offline_app_and_writes_its_report(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings(chat_history="browser")
    questions = truth.load(run.QUESTIONS)[:3]
    scores = await run.ask_all(settings, questions)
    assert [s.id for s in scores] == [q.id for q in questions]
    assert all(s.retrieved for s in scores)
    figures = run.write_results(tmp_path, "offline", settings, scores)
    saved = json.loads((tmp_path / "offline.json").read_text())
    assert saved["figures"] == figures
    assert len(saved["questions"]) == 3
    report = (tmp_path / "offline.md").read_text()
    assert "| retrieval hit@1 (answerable) |" in report
    assert (tmp_path / "offline.png").stat().st_size > 1000
