"""The ground truth: one question per line of a JSONL file, checked as it is read."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

Kind = Literal["direct", "paraphrased", "unanswerable"]
KINDS: tuple[str, ...] = get_args(Kind)


@dataclass(frozen=True, slots=True)
class Question:
    """A question, the page that answers it and the fact the answer must hold (none for an
    unanswerable question)."""

    id: str
    kind: Kind
    question: str
    source: str | None
    fact: str | None

    @property
    def answerable(self) -> bool:
        return self.kind != "unanswerable"


def load(path: Path) -> list[Question]:
    """Every question of `path`; a malformed line raises ValueError naming the line and field."""
    questions: list[Question] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path.name}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{where}: not JSON ({exc.msg})") from None
        question = _question(row, where)
        if question.id in seen:
            raise ValueError(f"{where}: id {question.id!r} is used twice")
        seen.add(question.id)
        questions.append(question)
    if not questions:
        raise ValueError(f"{path.name}: no questions")
    return questions


def _question(row: object, where: str) -> Question:
    if not isinstance(row, dict):
        raise ValueError(f"{where}: each line must be a JSON object")
    for field in ("id", "question"):
        if not isinstance(row.get(field), str) or not row[field].strip():
            raise ValueError(f"{where}: {field} must be a non-empty string")
    kind = row.get("kind")
    if kind not in KINDS:
        raise ValueError(f"{where}: kind must be one of {', '.join(KINDS)}")
    source, fact = row.get("source"), row.get("fact")
    if kind == "unanswerable":
        if source is not None or fact is not None:
            raise ValueError(f"{where}: an unanswerable question has no source and no fact")
    else:
        for field, value in (("source", source), ("fact", fact)):
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"{where}: {field} must be a non-empty string")
    return Question(row["id"], kind, row["question"], source, fact)
