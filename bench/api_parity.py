"""Issue 14's targets: the same answers streamed through OpenAI's API (`/v1/chat/completions`,
server-sent chunks) cost no more than through `/chat/stream` (NDJSON): at C=100 on
app-gunicorn, throughput at least 90% of it and app CPU per answer at most 110% of it.

The sweep runs the two back to back in rounds, alternating which goes first (bench/sweep.py):
on a shared host two levels minutes apart can differ by more than the margin. The medians of
each route's levels are compared.
"""

from __future__ import annotations

from typing import Any

from bench import chat_completions
from bench.comparisons import median

SYSTEM = "app-gunicorn"
CONCURRENCY = 100
MARGIN = 0.10
BASE_PATH = "/chat/stream"


def parity_targets(levels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The throughput and CPU targets, when the run has levels of both routes."""
    base, ours = (_levels(levels, path) for path in (BASE_PATH, chat_completions.PATH))
    rps, base_rps = _median(ours, "throughput_rps"), _median(base, "throughput_rps")
    if rps is None or not base_rps:
        return []
    rounds = f"median of {len(ours)} and {len(base)} levels"
    out = [
        _target(
            "api_throughput",
            f"throughput through {chat_completions.PATH} vs {BASE_PATH}, C={CONCURRENCY}",
            f"{rps:.1f} vs {base_rps:.1f} rps = {rps / base_rps:.1%} ({rounds})",
            f">= {1 - MARGIN:.0%}",
            rps / base_rps >= 1 - MARGIN,
        )
    ]
    cpu, base_cpu = _median(ours, "app_cpu_ms_per_answer"), _median(base, "app_cpu_ms_per_answer")
    if cpu is not None and base_cpu:
        out.append(
            _target(
                "api_cpu",
                f"app CPU per answer through {chat_completions.PATH} vs {BASE_PATH}, "
                f"C={CONCURRENCY}",
                f"{cpu:.2f} vs {base_cpu:.2f} ms = {cpu / base_cpu:.1%} ({rounds})",
                f"<= {1 + MARGIN:.0%}",
                cpu / base_cpu <= 1 + MARGIN,
            )
        )
    return out


def _levels(levels: list[dict[str, Any]], path: str) -> list[dict[str, Any]]:
    return [
        lv
        for lv in levels
        if lv["mode"] == "closed"
        and lv["system"] == SYSTEM
        and lv["concurrency"] == CONCURRENCY
        and lv.get("path") == path
        and lv["errors"] == 0
    ]


def _median(levels: list[dict[str, Any]], key: str) -> float | None:
    return median([lv[key] for lv in levels])


def _target(key: str, name: str, measured: str, limit: str, met: bool) -> dict[str, Any]:
    return {
        "key": key,
        "target": name,
        "system": SYSTEM,
        "measured": measured,
        "limit": limit,
        "met": met,
    }
