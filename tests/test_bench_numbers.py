"""The benchmark's arithmetic, without running it: Server-Timing parsing, the core-speed
flags, and the targets of the local shape and of the multi-core rounds."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
# bench/ is not an installed package (the benchmark runs from the checkout).
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import comparisons, host, targets  # noqa: E402
from bench.loadgen import server_timing  # noqa: E402
from bench.plan import Workload  # noqa: E402


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("search;dur=1.5", 0.0015),
        ("query;dur=0.2, search;dur=12, model;dur=500", 0.012),
        ('search;desc="local";dur=0.75', 0.00075),
        ("searching;dur=3, model;dur=4", math.nan),
        ("search", math.nan),
        ("search;dur=abc", math.nan),
    ],
)
def test_server_timing_reads_the_search_metric_in_seconds(header: str, seconds: float) -> None:
    found = server_timing(header, "search")
    assert found == pytest.approx(seconds) if not math.isnan(seconds) else math.isnan(found)


def test_levels_on_a_slow_core_are_marked_and_a_wide_spread_warns() -> None:
    summary = host.speed_summary([1000.0, 1010.0, None, 990.0, 800.0])
    assert (summary["median"], summary["min"], summary["max"]) == (995.0, 800.0, 1010.0)
    levels: list[dict[str, Any]] = [{"app_core_speed": 1000.0}, {"app_core_speed": 800.0}, {}]
    assert host.mark_slow(levels, summary["median"]) == 1
    assert [level["slow_core"] for level in levels] == [False, True, False]
    assert host.spread_warning(summary) is not None
    assert host.spread_warning(host.speed_summary([1000.0, 900.0])) is None


def _level(system: str, rps: float, p99: float, **extra: Any) -> dict[str, Any]:
    limit = 100 / 1.49
    return {
        "system": system,
        "mode": "closed",
        "path": "/ask/stream",
        "concurrency": 100,
        "errors": 0,
        "completed": 600,
        "throughput_rps": rps,
        "ideal_latency_s": 1.49,
        "little_limit_rps": round(limit, 2),
        "little_fraction": round(rps / limit, 3),
        "total_ms": {"p50": 1495.0, "p99": p99},
        "app_added_ttft_ms": {"p50": 3.0, "p99": 9.0},
        "app_cpu_ms_per_answer": 4.5,
        **extra,
    }


def test_local_targets_use_the_models_time_and_the_servers_search_time() -> None:
    search = {"p50": 1.2, "p90": 2.0, "p99": 6.0, "max": 9.0, "count": 600}
    results = {
        "levels": [
            _level("app-local-gunicorn", 67.0, 1500.0),
            _level("app-local10k-gunicorn", 60.0, 1800.0, search_ms=search),
        ]
    }
    rows = {(t["key"], t["system"]): t for t in targets.targets(results, Workload())}
    assert rows["little", "app-local-gunicorn"]["met"] is True
    assert rows["latency", "app-local-gunicorn"]["met"] is True  # 1.50 s <= 1.15 x 1.49 s
    assert rows["latency", "app-local10k-gunicorn"]["met"] is False  # 1.80 s > 1.71 s
    assert rows["cpu", "app-local10k-gunicorn"]["met"] is True
    assert rows["search", "app-local10k-gunicorn"]["met"] is False  # p99 6 ms >= 5 ms

    del results["levels"][1]["search_ms"]  # a server that sends no Server-Timing
    rows = {(t["key"], t["system"]): t for t in targets.targets(results, Workload())}
    assert rows["search", "app-local10k-gunicorn"]["met"] is None


def test_the_scaling_target_is_the_median_of_the_undisturbed_rounds() -> None:
    def level(rps: float, other: float) -> dict[str, Any]:
        return _level(
            "x",
            rps,
            1600.0,
            concurrency=1000,
            little_limit_rps=671.1,
            worker_recycled=False,
            app_cpu_util=1.0,
            loadgen_cpu_util=0.2,
            fakes_cpu_util=0.3,
            interference={"machine_other": other, "machine_busy": 1.5},
        )

    rounds = [
        comparisons.scaling_round(1, level(250.0, 0.0), level(450.0, 0.0)),
        comparisons.scaling_round(2, level(250.0, 0.5), level(300.0, 0.0)),  # disturbed
        comparisons.scaling_round(3, level(250.0, 0.01), level(475.0, 0.02)),
    ]
    summary = comparisons.scaling_summary(rounds, 60.0, cores=2)
    assert (summary["rounds"], summary["clean_rounds"]) == (3, 2)
    assert summary["ratio"] == pytest.approx((1.8 + 1.9) / 2)
    assert summary["ratio_bound"] == pytest.approx(671.1 / 250.0, rel=1e-3)
    (row,) = targets.targets({"levels": [], "scaling_summary": summary}, Workload())
    assert (row["key"], row["met"]) == ("scaling", True)
