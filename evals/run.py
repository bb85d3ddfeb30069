"""`make eval` (`python -m evals.run`): ask the ground truth through the app, score, report.

The app is the one the environment configures (`.env` and variables, as `make run` reads
them): offline by default, or a language model and Azure AI Search when they are set. With
the local index, a fresh one of `data/` is built first, as `make run` builds it. Each
question is one `POST /chat` with `top` = 5, through the app's own HTTP contract. Results:
`evals/results/<label>.json` (figures, targets, every question's score) and
`evals/results/<label>.md` (a table and a chart, `<label>.png`).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app import create_app
from app.settings import Settings, SettingsError, load_settings
from evals import metrics, truth

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "evals" / "questions.jsonl"
RESULTS = ROOT / "evals" / "results"
TOP = 5


async def ask_all(settings: Settings, questions: Sequence[truth.Question]) -> list[metrics.Score]:
    """Ask each question of `questions` of the app `settings` describes, one at a time."""
    app = create_app(settings)
    scores = []
    async with app.test_app() as test_app:
        client = test_app.test_client()
        for question in questions:
            body = {
                "messages": [{"role": "user", "content": question.question}],
                "context": {"overrides": {"top": TOP}},
            }
            response = await client.post("/chat", json=body)
            payload = await response.get_json()
            if response.status_code != 200:
                raise RuntimeError(f"{question.id}: {response.status_code} {payload}")
            answer = payload["message"]["content"]
            retrieved = payload["context"]["data_points"]["citations"]
            scores.append(metrics.score(question, answer, retrieved))
    return scores


def build_index(folder: Path, corpus: Path) -> None:
    """`python -m app.ingest <corpus>` into `folder`, as `make run` indexes `data/`."""
    env = {**os.environ, "LOCAL_INDEX_DIR": str(folder)}
    done = subprocess.run(
        [sys.executable, "-m", "app.ingest", str(corpus)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"indexing {corpus} failed:\n{done.stderr[-3000:]}")


def label_of(settings: Settings) -> str:
    """`offline`, or the model and search backend that answered."""
    if settings.chat_provider == "extractive":
        return (
            "offline"
            if settings.search_backend == "local"
            else f"extractive-{settings.search_backend}"
        )
    return f"{settings.chat_provider}-{settings.search_backend}"


def write_results(
    out: Path, label: str, settings: Settings, scores: Sequence[metrics.Score]
) -> dict[str, Any]:
    """The JSON, the chart and the Markdown report of one run; returns the figures."""
    figures = metrics.summarize(scores)
    out.mkdir(parents=True, exist_ok=True)
    result = {
        "label": label,
        "date": datetime.date.today().isoformat(),
        "settings": {
            "chat_provider": settings.chat_provider,
            "search_backend": settings.search_backend,
            "embedding_provider": settings.embedding_provider,
            "top": TOP,
        },
        "figures": figures,
        "questions": [s.as_dict() for s in scores],
    }
    (out / f"{label}.json").write_text(json.dumps(result, indent=2) + "\n")
    chart = _chart(out / f"{label}.png", figures)
    (out / f"{label}.md").write_text(_report(label, figures, scores, chart))
    return figures


ROWS = [
    ("hit_at_1", "retrieval hit@1 (answerable)"),
    ("hit_at_5", "retrieval hit@5 (answerable)"),
    ("mrr", "MRR (answerable)"),
    ("citations_valid", "citations among the retrieved sources (all)"),
    ("citations_correct", "citations correct: valid, and the fact's page cited"),
    ("fact_in_answer", "fact in the answer (answerable)"),
    ("paraphrased_hit_at_5", "paraphrased questions: hit@5"),
    ("paraphrased_fact_in_answer", "paraphrased questions: fact in the answer"),
    ("unanswerable_refused", "unanswerable questions: said not found"),
    ("answerable_refused", "answerable questions: said not found (lower is better)"),
]


def _report(
    label: str, figures: dict[str, Any], scores: Sequence[metrics.Score], chart: str | None
) -> str:
    lines = [
        f"# Evaluation: {label}",
        "",
        f"{figures['questions']} questions: {figures['answerable']} answerable "
        f"({figures['paraphrased']} paraphrased), {figures['unanswerable']} unanswerable.",
        "",
        "| metric | value | target |",
        "| --- | --- | --- |",
    ]
    for key, name in ROWS:
        target = figures["targets"].get(key)
        goal = (
            ""
            if target is None
            else f">= {target['target']:.0%} ({'met' if target['met'] else 'missed'})"
        )
        value = figures[key]
        shown = "-" if value is None else (f"{value:.3f}" if key == "mrr" else f"{value:.0%}")
        lines.append(f"| {name} | {shown} | {goal} |")
    if chart:
        lines += ["", f"![{label}]({chart})"]
    lines += ["", "## Answerable questions not fully right", ""]
    lines += [
        f"- {s.id} ({s.kind}): rank {s.rank}, fact {'in' if s.fact_in_answer else 'not in'} the "
        f"answer, cited {', '.join(s.cited) or 'nothing'}"
        for s in scores
        if s.fact_in_answer is not None and (not s.fact_in_answer or s.rank != 1)
    ] or ["None."]
    return "\n".join(lines) + "\n"


def _chart(path: Path, figures: dict[str, Any]) -> str | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:  # matplotlib is a dev dependency: no chart without it
        return None
    keys = [key for key, _ in ROWS if key != "mrr" and figures[key] is not None]
    values = [figures[key] for key in keys]
    figure, axes = plt.subplots(figsize=(8, 3.6))
    axes.barh(keys[::-1], values[::-1], color="#4a7bd0")
    for key in keys:
        target = figures["targets"].get(key)
        if target:
            axes.plot(
                [target["target"]] * 2,
                [keys[::-1].index(key) - 0.4, keys[::-1].index(key) + 0.4],
                color="#c0392b",
            )
    axes.set_xlim(0, 1)
    axes.set_xlabel("share of questions (red: target)")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path.name


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--corpus", type=Path, default=ROOT / "data", help="indexed first (local)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    questions = truth.load(args.questions)
    with tempfile.TemporaryDirectory(prefix="ragchat-eval-") as folder:
        try:
            settings = load_settings(local_index_dir=Path(folder), chat_history="browser")
        except SettingsError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        if settings.search_backend == "local":
            build_index(Path(folder), args.corpus)
        scores = asyncio.run(ask_all(settings, questions))
    label = label_of(settings)
    figures = write_results(args.out, label, settings, scores)
    for key, name in ROWS:
        print(f"{name}: {figures[key]}")
    print(f"results: {args.out / (label + '.json')}, report: {args.out / (label + '.md')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
