"""Numbers derived from several levels: with vs without history, one vs two workers.

Per round of `bench.rounds`, whether it was undisturbed (nothing else used the cores, no
worker was replaced), and over the rounds, medians taken over the undisturbed ones (over all
of them when none was).
"""

from __future__ import annotations

from typing import Any

from bench.specs import HISTORY_BASE, HISTORY_SYSTEM

Results = dict[str, Any]
DISTURBED = 0.05  # share of a core used by other processes that makes a level suspect


def other_use(level: dict[str, Any]) -> float | None:
    """What other processes used of the app's core (pinned) or of the machine (unpinned)."""
    seen = level.get("interference") or {}
    return seen.get("app_core_other", seen.get("machine_other"))


def undisturbed(*levels: dict[str, Any]) -> bool:
    """Nothing else used the cores, and no worker was replaced, during these levels."""
    return all(
        (other := other_use(lv)) is not None and other < DISTURBED and not lv["worker_recycled"]
        for lv in levels
    )


def median(values: list[float | None]) -> float | None:
    """The median of the known values; None when there is none."""
    known = sorted(v for v in values if v is not None)
    if not known:
        return None
    middle = len(known) // 2
    return known[middle] if len(known) % 2 else (known[middle - 1] + known[middle]) / 2


def _rounded(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def _of(rows: list[dict[str, Any]], side: str, *keys: str) -> float | None:
    """The median of `row[side][keys[0]][keys[1]]...` over the rows, rounded."""
    values = []
    for row in rows:
        value: Any = row[side]
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        values.append(value)
    return _rounded(median(values))


def _sides(rows: list[dict[str, Any]], sides: tuple[str, str], *keys: str) -> dict[str, Any]:
    return {side: _of(rows, side, *keys) for side in sides}


def history_comparison(results: Results) -> list[dict[str, Any]]:
    """Per C: throughput with a save after every answer vs the same server without history.

    Also written into each history level as `throughput_vs_no_history`.
    """

    def levels(system: str) -> dict[int, dict[str, Any]]:
        return {
            lv["concurrency"]: lv
            for lv in results["levels"]
            if lv["system"] == system
            and lv["mode"] == "closed"
            and lv.get("path", "/ask/stream") == "/ask/stream"
        }

    base, history = levels(HISTORY_BASE), levels(HISTORY_SYSTEM)
    rows = []
    for concurrency in sorted(set(base) & set(history)):
        without, with_ = base[concurrency], history[concurrency]
        ratio = (
            with_["throughput_rps"] / without["throughput_rps"]
            if without["throughput_rps"]
            else None
        )
        with_["throughput_vs_no_history"] = None if ratio is None else round(ratio, 4)
        means = without.get("mean_total_ms"), with_.get("mean_total_ms")
        by_latency = means[0] / means[1] if means[0] and means[1] else None
        rows.append(
            {
                "concurrency": concurrency,
                "without_rps": without["throughput_rps"],
                "with_rps": with_["throughput_rps"],
                "ratio": None if ratio is None else round(ratio, 4),
                # The same from the mean time per request (C / mean is a closed loop's
                # throughput): no counting noise, so it shows how far the count is from it.
                "ratio_by_mean_time": None if by_latency is None else round(by_latency, 4),
                "save_ms": with_.get("save_ms"),
                "save_body_kb": with_.get("save_body_kb"),
                "total_p99_ms": {
                    "without": without["total_ms"]["p99"],
                    "with": with_["total_ms"]["p99"],
                },
                "app_cpu_ms_per_answer": {
                    "without": without["app_cpu_ms_per_answer"],
                    "with": with_["app_cpu_ms_per_answer"],
                },
                "app_cpu_util": {"without": without["app_cpu_util"], "with": with_["app_cpu_util"]},
                "worker_threads_cpu_ms_per_answer": {
                    "without": without.get("worker_threads_cpu_ms_per_answer"),
                    "with": with_.get("worker_threads_cpu_ms_per_answer"),
                },
                "errors": {"without": without["errors"], "with": with_["errors"]},
                "app_core_other": {
                    "without": (without.get("interference") or {}).get("app_core_other"),
                    "with": (with_.get("interference") or {}).get("app_core_other"),
                },
            }
        )
    return rows


def history_round(number: int, without: dict[str, Any], with_: dict[str, Any]) -> dict[str, Any]:
    """One round of the back-to-back comparison: both levels, their ratios, and whether
    anything else used the app core meanwhile."""
    means = without.get("mean_total_ms"), with_.get("mean_total_ms")
    return {
        "round": number,
        "concurrency": with_["concurrency"],
        "ratio": round(with_["throughput_rps"] / without["throughput_rps"], 4)
        if without["throughput_rps"]
        else None,
        "ratio_by_mean_time": round(means[0] / means[1], 4) if means[0] and means[1] else None,
        "clean": undisturbed(without, with_),
        "without": without,
        "with": with_,
    }


def _ratios(rounds: list[dict[str, Any]], seconds: float) -> tuple[list[dict[str, Any]], Results]:
    """The rounds the medians are over, and the summary's common part."""
    clean = [row for row in rounds if row["clean"]]
    used = clean or rounds
    ratios = [row["ratio"] for row in used if row["ratio"] is not None]
    return used, {
        "concurrency": rounds[0]["concurrency"] if rounds else None,
        "rounds": len(rounds),
        "clean_rounds": len(clean),
        "medians_over": "undisturbed rounds" if clean else "all rounds (none undisturbed)",
        "seconds": seconds,
        "ratio": _rounded(median([row["ratio"] for row in used]), 4),
        "ratio_min": min(ratios, default=None),
        "ratio_max": max(ratios, default=None),
    }


def history_summary(rounds: list[dict[str, Any]], seconds: float) -> dict[str, Any]:
    """The history rounds' medians."""
    used, summary = _ratios(rounds, seconds)
    sides = ("without", "with")
    return summary | {
        "ratio_by_mean_time": _rounded(median([row["ratio_by_mean_time"] for row in used]), 4),
        "without_rps": _of(used, "without", "throughput_rps"),
        "with_rps": _of(used, "with", "throughput_rps"),
        "save_ms_p50": _of(used, "with", "save_ms", "p50"),
        "save_ms_p99": _of(used, "with", "save_ms", "p99"),
        "app_cpu_ms_per_answer": _sides(used, sides, "app_cpu_ms_per_answer"),
        "app_cpu_util": _sides(used, sides, "app_cpu_util"),
        "healthz_p99_ms": _sides(used, sides, "healthz_ms", "p99"),
        "total_p99_ms": _sides(used, sides, "total_ms", "p99"),
        "worker_threads_cpu_ms_per_answer_with": {
            "event_loop": _of(used, "with", "worker_threads_cpu_ms_per_answer", "event_loop"),
            "other_threads": _of(used, "with", "worker_threads_cpu_ms_per_answer", "other_threads"),
        },
    }


def scaling_round(number: int, one: dict[str, Any], two: dict[str, Any]) -> dict[str, Any]:
    """One round of one worker vs two: the throughput ratio, and whether anything else used
    the machine meanwhile."""
    return {
        "round": number,
        "concurrency": two["concurrency"],
        "ratio": round(two["throughput_rps"] / one["throughput_rps"], 4)
        if one["throughput_rps"]
        else None,
        "clean": undisturbed(one, two),
        "one": one,
        "two": two,
    }


def scaling_summary(rounds: list[dict[str, Any]], seconds: float, cores: int) -> dict[str, Any]:
    """The scaling rounds' medians, with what each side used of the machine's `cores`.

    `ratio_bound` is the most two workers could show at this C: a closed loop cannot beat
    C / the ideal latency (Little's law), however many workers serve it.
    """
    used, summary = _ratios(rounds, seconds)
    sides = ("one", "two")
    one_rps = _of(used, "one", "throughput_rps")
    limit = rounds[0]["one"]["little_limit_rps"] if rounds else None
    return summary | {
        "cores": cores,
        "one_rps": one_rps,
        "two_rps": _of(used, "two", "throughput_rps"),
        "little_limit_rps": limit,
        "ratio_bound": round(limit / one_rps, 3) if limit and one_rps else None,
        "app_cpu_util": _sides(used, sides, "app_cpu_util"),
        "loadgen_cpu_util": _sides(used, sides, "loadgen_cpu_util"),
        "fakes_cpu_util": _sides(used, sides, "fakes_cpu_util"),
        "machine_busy": _sides(used, sides, "interference", "machine_busy"),
        "app_cpu_ms_per_answer": _sides(used, sides, "app_cpu_ms_per_answer"),
        "total_p99_ms": _sides(used, sides, "total_ms", "p99"),
        "search_p99_ms": _sides(used, sides, "search_ms", "p99"),
    }
