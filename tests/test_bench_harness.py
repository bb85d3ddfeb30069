"""The load benchmark's machinery at tiny scale: `python -m bench.load --smoke`.

Fake upstreams in their own process, the app under Hypercorn against them, a closed loop at
C=2, an open loop, a few held streams, then the app under Gunicorn with CHAT_HISTORY=local
whose clients save the conversation after every answer (C=2), then the app under Hypercorn in
the default shape (SEARCH_BACKEND=local on the sample index, built by `python -m app.ingest
data`) at C=2, the table, the JSON and the plot. No timing is asserted (the numbers belong to
the machine); only that every stream and every save completed, the server's search time
(`Server-Timing`) was read, and the results have their shape.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATS = {"p50", "p90", "p99", "max"}


def test_smoke_run_completes_every_stream(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COV_CORE_", "COVERAGE_"))}
    done = subprocess.run(  # noqa: S603 - our own harness, fixed arguments
        [sys.executable, "-m", "bench.load", "--smoke", "--out", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "| app-hypercorn | C=2 |" in done.stdout
    assert "| app-gunicorn-history | C=2 |" in done.stdout
    assert "| app-local-hypercorn | C=2 |" in done.stdout

    results = json.loads((tmp_path / "load.json").read_text())
    assert results["meta"]["workload"]["chunks"] == 5
    closed, opened, saving, local = results["levels"]
    assert (closed["system"], closed["mode"]) == ("app-hypercorn", "closed")
    assert closed["concurrency"] == 2
    assert (opened["mode"], opened["rate_rps"]) == ("open", 5.0)
    assert (saving["system"], saving["mode"], saving["concurrency"]) == (
        "app-gunicorn-history",
        "closed",
        2,
    )
    # Every answer was followed by its save (201, in the browser's own cookie jar).
    assert set(saving["save_ms"]) >= STATS
    assert saving["save_ms"]["p50"] is not None
    assert saving["save_body_kb"]["max"] > saving["save_body_kb"]["mean"] > 0
    assert set(saving["worker_threads_cpu_ms_per_answer"]) == {"event_loop", "other_threads"}
    # The default shape: the local index, no wait on a fake search.
    assert (local["system"], local["mode"], local["concurrency"]) == (
        "app-local-hypercorn",
        "closed",
        2,
    )
    assert local["ideal_latency_s"] == 0
    assert set(local["search_ms"]) >= STATS | {"count"}
    assert local["search_ms"]["count"] == local["completed"]
    for level in (closed, opened, saving, local):
        assert level["completed"] > 0
        assert level["errors"] == 0, level["error_kinds"]
        for key in ("ttfb_ms", "ttft_ms", "total_ms", "app_added_ttft_ms", "healthz_ms"):
            assert set(level[key]) >= STATS
            assert level[key]["p50"] is not None
        assert level["app_cpu_ms_per_answer"] is not None
        assert level["worker_rss_mb"] > 0
        assert level["app_core_speed"] > 0
        assert level["slow_core"] in (True, False)
    assert [row["system"] for row in results["rss"]] == [
        "app-hypercorn",
        "app-gunicorn-history",
        "app-local-hypercorn",
    ]
    assert results["meta"]["app_core_speed_summary"]["count"] >= 4

    (hold,) = results["hold"]
    assert hold["streams"] == hold["peak_open"] == hold["completed"] == 4
    assert hold["errors"] == 0
    assert results["targets"]
    assert all("met" in target for target in results["targets"])
    assert (tmp_path / "load.png").stat().st_size > 10_000
