"""`python -m app.feedback export`: every rating in the store the server writes, as JSONL or CSV."""

from __future__ import annotations

import asyncio
import csv
import json
from pathlib import Path

import pytest

from app.feedback import __main__ as feedback_cli
from app.history.base import Feedback
from app.history.local import LocalHistoryStore


def _seed(index_dir: Path, count: int) -> None:
    async def seed() -> None:
        store = await LocalHistoryStore.open(index_dir / "history.sqlite3")
        for n in range(count):
            await store.put_feedback(
                Feedback(
                    id=f"f{n:02d}",
                    user_id=f"user-{n % 3}",
                    session_id=f"s{n}",
                    answer_index=0,
                    rating="down" if n % 2 else "up",
                    comment=f'comment {n}, with "quotes"\nand a new line',
                    question=f"question {n}",
                    answer=f"answer {n} [a.pdf#page={n}]",
                    citations=[f"a.pdf#page={n}"],
                    settings={"top": n},
                    timestamp=1000 + n,
                )
            )
        await store.close()

    asyncio.run(seed())


@pytest.fixture
def index_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LOCAL_INDEX_DIR", str(tmp_path))
    monkeypatch.setattr(feedback_cli, "PAGE", 4)  # several pages
    _seed(tmp_path, 11)
    return tmp_path


def test_jsonl_to_standard_output_has_every_rating_newest_first(
    index_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert feedback_cli.main(["export"]) == 0
    out, err = capsys.readouterr()
    rows = [json.loads(line) for line in out.splitlines()]
    assert [row["id"] for row in rows] == [f"f{n:02d}" for n in range(10, -1, -1)]
    assert rows[0]["settings"] == {"top": 10}
    assert rows[0]["citations"] == ["a.pdf#page=10"]
    assert "exported 11 ratings" in err


def test_csv_to_a_file_survives_commas_quotes_and_new_lines(index_dir: Path) -> None:
    output = index_dir / "feedback.csv"
    assert feedback_cli.main(["export", "--format", "csv", "--output", str(output)]) == 0
    with output.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 11
    assert rows[0]["comment"] == 'comment 10, with "quotes"\nand a new line'
    assert json.loads(rows[0]["settings"]) == {"top": 10}
    assert rows[0]["citations"] == "a.pdf#page=10"
    assert list(rows[0]) == feedback_cli.CSV_COLUMNS


def test_only_thumbs_down(index_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert feedback_cli.main(["export", "--rating", "down"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {row["rating"] for row in rows} == {"down"}
    assert len(rows) == 5


def test_bad_settings_are_reported_not_raised(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CHAT_HISTORY", "cosmos")  # without AZURE_COSMOSDB_ENDPOINT
    assert feedback_cli.main(["export"]) == 2
    assert "AZURE_COSMOSDB_ENDPOINT" in capsys.readouterr().err
