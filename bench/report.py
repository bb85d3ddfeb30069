"""The load benchmark's output: progress lines, the table, the targets, the plot, profiles."""

from __future__ import annotations

import math
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

Results = dict[str, Any]
PRIMARY = ("app-gunicorn", "app-hypercorn")
# The same server as app-gunicorn with CHAT_HISTORY=local and a save after every answer.
HISTORY_SYSTEM = "app-gunicorn-history"
HISTORY_BASE = "app-gunicorn"
HISTORY_RATIO = 0.95  # issue 10: at C=100, at least 95% of the throughput without history
DISTURBED = 0.05  # share of the app core used by other processes that makes a level suspect
COLORS = {
    "app-gunicorn": "tab:blue",
    "app-hypercorn": "tab:cyan",
    HISTORY_SYSTEM: "tab:purple",
    "quart-minimal": "tab:green",
    "quart-minimal-sdk": "tab:olive",
    "flask-sync": "tab:red",
}


def _ms(value: float | None, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:,.{digits}f}"


def _pair(stats: dict[str, Any], digits: int = 0) -> str:
    return f"{_ms(stats.get('p50'), digits)}/{_ms(stats.get('p99'), digits)}"


def level_line(level: dict[str, Any]) -> str:
    """One line per level while the benchmark runs."""
    where = f"C={level['concurrency']}" if level["mode"] == "closed" else f"{level['rate_rps']}/s"
    path = "" if level.get("path", "/ask/stream") == "/ask/stream" else f" {level['path']}"
    return (
        f"{level['system']:<14} {where:>7}{path}: {level['throughput_rps']:7.1f} rps"
        f"  TTFT p50/p99 {_pair(level['ttft_ms'])} ms  total p99 {_ms(level['total_ms']['p99'])} ms"
        f"  added TTFT {_pair(level['app_added_ttft_ms'], 1)} ms"
        f"  CPU {_ms(level['app_cpu_ms_per_answer'], 2)} ms/answer ({level['app_cpu_util']:.0%})"
        f"  errors {level['errors']}  gen {level['loadgen_cpu_util']:.0%}"
        f" fakes {level['fakes_cpu_util']:.0%}{_save(level)}{_disturbed(level)}"
    )


def _save(level: dict[str, Any]) -> str:
    """The save's latency, for a level whose clients save the conversation."""
    if "save_ms" not in level:
        return ""
    return f"  save p50/p99 {_pair(level['save_ms'], 1)} ms"


def _disturbed(level: dict[str, Any]) -> str:
    """A warning when something else used the app's core, or the worker was replaced."""
    notes = []
    other = (level.get("interference") or {}).get("app_core_other", 0.0)
    if other >= DISTURBED:
        notes.append(f"{other:.0%} of the app core used by other processes")
    if level.get("worker_recycled"):
        notes.append("worker recycled (max_requests)")
    return f"  [{'; '.join(notes)}]" if notes else ""


def hold_line(hold: dict[str, Any]) -> str:
    """The open-streams result in one line."""
    return (
        f"{hold['system']}: {hold['peak_open']}/{hold['streams']} streams open at once"
        f" (all open after {hold['all_open_after_s']} s), {hold['completed']} completed,"
        f" {hold['errors']} errors; RSS idle {hold['idle_rss_mb']} MB, with the streams"
        f" {hold['rss_at_peak_mb']} MB: {hold['rss_per_open_stream_kb']} KB per open stream"
    )


HEADER = (
    "| system | load | rps | % of C/latency | TTFB p50/p99 ms | TTFT p50/p99 ms | "
    "total p50/p99 ms | app-added TTFT p50/p99 ms | app CPU ms/answer | app CPU | "
    "healthz p99 ms | RSS MB | errors | generator CPU | fakes CPU | app core: other |"
)


def table(results: Results) -> str:
    """Every level as a Markdown table."""
    rows = [HEADER, "|" + " --- |" * (HEADER.count("|") - 1)]
    for level in results["levels"]:
        if level["mode"] == "closed":
            load = f"C={level['concurrency']}"
            if level.get("path", "/ask/stream") != "/ask/stream":
                load += f" {level['path']}"
            fraction = level["little_fraction"]
            little = "-" if fraction is None else f"{fraction:.0%}"
        else:
            load = f"open {level['rate_rps']:g}/s"
            little = "-"
        healthz = level.get("healthz_ms") or {}
        rows.append(
            f"| {level['system']} | {load} | {level['throughput_rps']:.1f} | {little} | "
            f"{_pair(level['ttfb_ms'])} | {_pair(level['ttft_ms'])} | "
            f"{_pair(level['total_ms'])} | {_pair(level['app_added_ttft_ms'], 1)} | "
            f"{_ms(level['app_cpu_ms_per_answer'], 2)} | {level['app_cpu_util']:.0%} | "
            f"{_ms(healthz.get('p99'), 1)} | {level['worker_rss_mb']:.0f} | {level['errors']} | "
            f"{level['loadgen_cpu_util']:.0%} | {level['fakes_cpu_util']:.0%} | "
            f"{_other(level)} |"
        )
    lines = ["\n".join(rows)]
    if results.get("hold"):
        lines.append("")
        lines.append(
            "| open streams | peak open at once | completed | errors | idle RSS MB | "
            "RSS with streams MB | KB per open stream |"
        )
        lines.append("| --- | --- | --- | --- | --- | --- | --- |")
        for hold in results["hold"]:
            lines.append(
                f"| {hold['system']}: {hold['streams']} | {hold['peak_open']} | "
                f"{hold['completed']} | {hold['errors']} | {hold['idle_rss_mb']} | "
                f"{hold['rss_at_peak_mb']} | {_ms(hold['rss_per_open_stream_kb'], 1)} |"
            )
    return "\n".join(lines)


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


def history_table(rows: list[dict[str, Any]]) -> str:
    """The history comparison as a Markdown table."""
    lines = [
        f"| load | rps without history | rps with a save per answer | ratio (target >= "
        f"{HISTORY_RATIO:.0%} at C=100) | ratio by mean time per request | save p50/p99 ms | "
        "saved body KB mean/max | "
        "total p99 ms without/with | app CPU ms/answer without/with | app CPU without/with | "
        "event loop + other threads ms/answer with | app core: other without/with |",
        "|" + " --- |" * 12,
    ]
    for row in rows:
        ratio = row["ratio"]
        mark = ""
        if ratio is not None and row["concurrency"] == 100:
            mark = " met" if ratio >= HISTORY_RATIO else " MISSED"
        body = row["save_body_kb"] or {}
        threads = row["worker_threads_cpu_ms_per_answer"]["with"] or {}
        cpu, util, other = row["app_cpu_ms_per_answer"], row["app_cpu_util"], row["app_core_other"]
        lines.append(
            f"| C={row['concurrency']} | {row['without_rps']:.1f} | {row['with_rps']:.1f} | "
            f"{_share(ratio, 1)}{mark} | {_share(row['ratio_by_mean_time'], 1)} | "
            f"{_pair(row['save_ms'] or {}, 1)} | "
            f"{_ms(body.get('mean'), 1)}/{_ms(body.get('max'), 1)} | "
            f"{_ms(row['total_p99_ms']['without'])}/{_ms(row['total_p99_ms']['with'])} | "
            f"{_ms(cpu['without'], 2)}/{_ms(cpu['with'], 2)} | "
            f"{util['without']:.0%}/{util['with']:.0%} | "
            f"{_ms(threads.get('event_loop'), 2)} + {_ms(threads.get('other_threads'), 2)} | "
            f"{_share(other['without'])}/{_share(other['with'])} |"
        )
    return "\n".join(lines)


def history_round(number: int, without: dict[str, Any], with_: dict[str, Any]) -> dict[str, Any]:
    """One round of the back-to-back comparison: both levels, their ratios, and whether
    anything else used the app core meanwhile."""
    others = [(lv.get("interference") or {}).get("app_core_other") for lv in (without, with_)]
    means = without.get("mean_total_ms"), with_.get("mean_total_ms")
    return {
        "round": number,
        "concurrency": with_["concurrency"],
        "ratio": round(with_["throughput_rps"] / without["throughput_rps"], 4)
        if without["throughput_rps"]
        else None,
        "ratio_by_mean_time": round(means[0] / means[1], 4) if means[0] and means[1] else None,
        "clean": all(other is not None and other < DISTURBED for other in others)
        and not without["worker_recycled"]
        and not with_["worker_recycled"],
        "without": without,
        "with": with_,
    }


def round_line(row: dict[str, Any]) -> str:
    """One round of the back-to-back comparison in one line."""
    without, with_ = row["without"], row["with"]
    save = with_.get("save_ms") or {}
    others = "/".join(
        _share((lv.get("interference") or {}).get("app_core_other")) for lv in (without, with_)
    )
    return (
        f"round {row['round']}, C={row['concurrency']}: {with_['throughput_rps']:.1f} vs "
        f"{without['throughput_rps']:.1f} rps = {_share(row['ratio'], 1)} (by mean time "
        f"{_share(row['ratio_by_mean_time'], 1)}); save p50/p99 {_pair(save, 1)} ms; CPU "
        f"{_ms(with_['app_cpu_ms_per_answer'], 2)} vs {_ms(without['app_cpu_ms_per_answer'], 2)}"
        f" ms/answer; app core used by others {others}{'' if row['clean'] else ' [disturbed]'}"
    )


def history_summary(rounds: list[dict[str, Any]], seconds: float) -> dict[str, Any]:
    """The rounds' medians: over the undisturbed rounds, or over all when none was."""
    clean = [row for row in rounds if row["clean"]]
    used = clean or rounds

    def median(values: list[float | None]) -> float | None:
        known = sorted(v for v in values if v is not None)
        if not known:
            return None
        middle = len(known) // 2
        return known[middle] if len(known) % 2 else (known[middle - 1] + known[middle]) / 2

    def of(side: str, *keys: str) -> float | None:
        values = []
        for row in used:
            value: Any = row[side]
            for key in keys:
                value = value.get(key) if isinstance(value, dict) else None
            values.append(value)
        found = median(values)
        return None if found is None else round(found, 3)

    return {
        "concurrency": rounds[0]["concurrency"] if rounds else None,
        "rounds": len(rounds),
        "clean_rounds": len(clean),
        "medians_over": "undisturbed rounds" if clean else "all rounds (none undisturbed)",
        "seconds": seconds,
        "ratio": median([row["ratio"] for row in used]),
        "ratio_min": min((row["ratio"] for row in used if row["ratio"] is not None), default=None),
        "ratio_max": max((row["ratio"] for row in used if row["ratio"] is not None), default=None),
        "ratio_by_mean_time": median([row["ratio_by_mean_time"] for row in used]),
        "without_rps": of("without", "throughput_rps"),
        "with_rps": of("with", "throughput_rps"),
        "save_ms_p50": of("with", "save_ms", "p50"),
        "save_ms_p99": of("with", "save_ms", "p99"),
        "app_cpu_ms_per_answer": {
            "without": of("without", "app_cpu_ms_per_answer"),
            "with": of("with", "app_cpu_ms_per_answer"),
        },
        "app_cpu_util": {
            "without": of("without", "app_cpu_util"),
            "with": of("with", "app_cpu_util"),
        },
        "healthz_p99_ms": {
            "without": of("without", "healthz_ms", "p99"),
            "with": of("with", "healthz_ms", "p99"),
        },
        "total_p99_ms": {
            "without": of("without", "total_ms", "p99"),
            "with": of("with", "total_ms", "p99"),
        },
        "worker_threads_cpu_ms_per_answer_with": {
            "event_loop": of("with", "worker_threads_cpu_ms_per_answer", "event_loop"),
            "other_threads": of("with", "worker_threads_cpu_ms_per_answer", "other_threads"),
        },
    }


def rounds_table(rounds: list[dict[str, Any]], summary: dict[str, Any]) -> str:
    """The back-to-back rounds and their medians as a Markdown table."""
    lines = [
        f"| round (C={summary['concurrency']}) | rps without / with history | ratio | ratio by "
        "mean time per request | save p50/p99 ms | app CPU ms/answer without/with | "
        "healthz p99 ms without/with | app core: other without/with |",
        "|" + " --- |" * 8,
    ]
    for row in rounds:
        without, with_ = row["without"], row["with"]
        others = [(lv.get("interference") or {}).get("app_core_other") for lv in (without, with_)]
        healthz = [(lv.get("healthz_ms") or {}).get("p99") for lv in (without, with_)]
        cpu = [lv["app_cpu_ms_per_answer"] for lv in (without, with_)]
        lines.append(
            f"| {row['round']}{'' if row['clean'] else ' (disturbed)'} | "
            f"{without['throughput_rps']:.1f} / {with_['throughput_rps']:.1f} | "
            f"{_share(row['ratio'], 1)} | {_share(row['ratio_by_mean_time'], 1)} | "
            f"{_pair(with_.get('save_ms') or {}, 1)} | "
            f"{_ms(cpu[0], 2)}/{_ms(cpu[1], 2)} | "
            f"{_ms(healthz[0], 1)}/{_ms(healthz[1], 1)} | {_share(others[0])}/{_share(others[1])} |"
        )
    median_cpu, median_healthz = summary["app_cpu_ms_per_answer"], summary["healthz_p99_ms"]
    lines.append(
        f"| median of {summary['medians_over']} | {_ms(summary['without_rps'], 1)} / "
        f"{_ms(summary['with_rps'], 1)} | {_share(summary['ratio'], 1)} | "
        f"{_share(summary['ratio_by_mean_time'], 1)} | {_ms(summary['save_ms_p50'], 1)}/"
        f"{_ms(summary['save_ms_p99'], 1)} | "
        f"{_ms(median_cpu['without'], 2)}/{_ms(median_cpu['with'], 2)} | "
        f"{_ms(median_healthz['without'], 1)}/{_ms(median_healthz['with'], 1)} | |"
    )
    return "\n".join(lines)


def _share(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:.{digits}%}"


def _other(level: dict[str, Any]) -> str:
    other = (level.get("interference") or {}).get("app_core_other")
    text = "-" if other is None else f"{other:.0%}"
    if level.get("worker_recycled"):
        text += " (worker recycled)"
    return text


# ---------------------------------------------------------------------- targets


def _target(
    key: str, name: str, system: str, measured: str, limit: str, met: bool | None
) -> dict[str, Any]:
    return {
        "key": key,
        "target": name,
        "system": system,
        "measured": measured,
        "limit": limit,
        "met": met,
    }


def targets(results: Results, workload: Any) -> list[dict[str, Any]]:
    """The issue's targets, each with the measured value and whether it is met."""
    closed = [
        level
        for level in results["levels"]
        if level["mode"] == "closed" and level.get("path", "/ask/stream") == "/ask/stream"
    ]

    def at(system: str, concurrency: int) -> dict[str, Any] | None:
        return next(
            (lv for lv in closed if lv["system"] == system and lv["concurrency"] == concurrency),
            None,
        )

    out: list[dict[str, Any]] = []
    flask = [lv for lv in closed if lv["system"] == "flask-sync" and lv["completed"]]
    for system in PRIMARY:
        c100, c50 = at(system, 100), at(system, 50)
        if c100 is not None and c100["app_cpu_ms_per_answer"] is not None:
            cpu = c100["app_cpu_ms_per_answer"]
            out.append(
                _target(
                    "cpu",
                    f"app CPU per streamed answer ({workload.chunks} chunks, incl. retrieval), "
                    "C=100",
                    system,
                    f"{cpu:.2f} ms",
                    "<= 5 ms",
                    cpu <= 5.0,
                )
            )
        if c100 is not None and c100["little_fraction"] is not None:
            out.append(
                _target(
                    "little",
                    f"throughput at C=100, {workload.ideal_latency:.2f} s answers, vs C/latency",
                    system,
                    f"{c100['throughput_rps']:.1f} rps = {c100['little_fraction']:.1%} of "
                    f"{c100['little_limit_rps']:.1f}",
                    ">= 90%",
                    c100["little_fraction"] >= 0.9,
                )
            )
        if c50 is not None and c50["app_added_ttft_ms"]["p50"] is not None:
            p50, p99 = c50["app_added_ttft_ms"]["p50"], c50["app_added_ttft_ms"]["p99"]
            out.append(
                _target(
                    "ttft",
                    "app-added time to first token at C=50, p50 / p99",
                    system,
                    f"{p50:.1f} / {p99:.1f} ms",
                    "<= 10 / 50 ms",
                    p50 <= 10.0 and p99 <= 50.0,
                )
            )
        ours = [lv for lv in closed if lv["system"] == system and lv["errors"] == 0]
        if flask and ours:
            # Flask's best point: its lowest p99 among levels within 10% of its top throughput
            # (more clients than workers only add queueing, so p99 grows, throughput does not).
            top = max(lv["throughput_rps"] for lv in flask)
            base = min(
                (lv for lv in flask if lv["throughput_rps"] >= 0.9 * top),
                key=lambda lv: lv["total_ms"]["p99"],
            )
            p99 = base["total_ms"]["p99"]
            fit = [
                lv
                for lv in ours
                if lv["total_ms"]["p99"] is not None and lv["total_ms"]["p99"] <= p99
            ]
            best = max(fit, key=lambda lv: lv["throughput_rps"]) if fit else None
            ratio = best["throughput_rps"] / base["throughput_rps"] if best else 0.0
            measured = (
                f"{ratio:.1f}x ({best['throughput_rps']:.0f} rps at C={best['concurrency']}, "
                f"p99 {best['total_ms']['p99'] / 1000:.2f} s, vs Flask "
                f"{base['throughput_rps']:.1f} rps at C={base['concurrency']}, "
                f"p99 {p99 / 1000:.2f} s)"
                if best
                else "no level with p99 as good as Flask's"
            )
            out.append(
                _target(
                    "flask",
                    "throughput vs the Flask baseline at equal or better p99",
                    system,
                    measured,
                    ">= 15x",
                    ratio >= 15.0,
                )
            )
        for hold in results.get("hold", []):
            if hold["system"] != system:
                continue
            per = hold["rss_per_open_stream_kb"]
            all_open = hold["peak_open"] == hold["streams"]
            out.append(
                _target(
                    "streams",
                    f"{hold['streams']} concurrent open streams on one worker: 0 errors, "
                    "<= 60 KB RSS each",
                    system,
                    f"{hold['peak_open']} open at once, {hold['errors']} errors, "
                    f"{_ms(per, 1)} KB per open stream",
                    f"{hold['streams']} open, 0 errors, <= 60 KB",
                    bool(all_open and hold["errors"] == 0 and per is not None and per <= 60),
                )
            )
    out.extend(_history_target(results, at(HISTORY_BASE, 100), at(HISTORY_SYSTEM, 100)))
    return out


def _history_target(
    results: Results, without: dict[str, Any] | None, with_: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """Issue 10's target: from the back-to-back rounds' median when there are rounds, else
    from the sweep's two C=100 levels."""
    name = (
        "throughput at C=100 with CHAT_HISTORY=local and a save after every answer, "
        "vs without history"
    )
    summary = results.get("history_summary")
    if summary and summary.get("concurrency") == 100 and summary["ratio"] is not None:
        cpu = summary["app_cpu_ms_per_answer"]
        measured = (
            f"{summary['ratio']:.1%} (median of {summary['rounds']} back-to-back rounds"
            f"{'' if summary['clean_rounds'] else ', all disturbed'}: {summary['with_rps']:.1f}"
            f" vs {summary['without_rps']:.1f} rps; range {summary['ratio_min']:.1%} to "
            f"{summary['ratio_max']:.1%}); save p50/p99 {_ms(summary['save_ms_p50'], 1)}/"
            f"{_ms(summary['save_ms_p99'], 1)} ms; app CPU {_ms(cpu['with'], 2)} vs "
            f"{_ms(cpu['without'], 2)} ms/answer"
        )
        ratio = float(summary["ratio"])
    elif without is not None and with_ is not None and without["throughput_rps"]:
        ratio = with_["throughput_rps"] / without["throughput_rps"]
        save = with_.get("save_ms") or {}
        measured = (
            f"{with_['throughput_rps']:.1f} vs {without['throughput_rps']:.1f} rps = "
            f"{ratio:.1%}; save p50/p99 {_pair(save, 1)} ms; app CPU "
            f"{_ms(with_['app_cpu_ms_per_answer'], 2)} vs "
            f"{_ms(without['app_cpu_ms_per_answer'], 2)} ms/answer"
        )
    else:
        return []
    return [
        _target(
            "history",
            name,
            HISTORY_SYSTEM,
            measured,
            f">= {HISTORY_RATIO:.0%}",
            ratio >= HISTORY_RATIO,
        )
    ]


def targets_table(rows: list[dict[str, Any]]) -> str:
    """The targets as a Markdown table."""
    lines = ["| target | system | measured | limit | met |", "| --- | --- | --- | --- | --- |"]
    for row in rows:
        met = "met" if row["met"] else "MISSED"
        lines.append(
            f"| {row['target']} | {row['system']} | {row['measured']} | {row['limit']} | {met} |"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------------- plot


def plot(results: Results, path: Path) -> None:
    """Throughput and p99 latency against C for every system, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    closed = [
        lv
        for lv in results["levels"]
        if lv["mode"] == "closed" and lv.get("path", "/ask/stream") == "/ask/stream"
    ]
    systems = list(dict.fromkeys(lv["system"] for lv in closed))
    labels: dict[str, str] = results["meta"].get("systems", {})
    ideal = results["meta"]["workload"]["ideal_latency_s"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5.2))
    levels = sorted({lv["concurrency"] for lv in closed})
    if levels and ideal > 0:
        left.plot(
            levels,
            [c / ideal for c in levels],
            linestyle=":",
            color="gray",
            label=f"C / {ideal:.2f} s (Little's law limit)",
        )
        right.axhline(ideal, linestyle=":", color="gray", label=f"upstream time {ideal:.2f} s")
    for system in systems:
        rows = sorted(
            (lv for lv in closed if lv["system"] == system), key=lambda lv: lv["concurrency"]
        )
        xs = [lv["concurrency"] for lv in rows]
        color = COLORS.get(system)
        label = labels.get(system, system)
        left.plot(xs, [lv["throughput_rps"] for lv in rows], marker="o", color=color, label=label)
        p99 = [(lv["total_ms"]["p99"] or math.nan) / 1000 for lv in rows]
        right.plot(xs, p99, marker="o", color=color, label=label)
        for lv, y in zip(rows, p99, strict=True):
            if lv["errors"]:
                right.annotate(f"{lv['errors']} err", (lv["concurrency"], y), fontsize=7)
    plain = FuncFormatter(lambda value, _: f"{value:g}")
    for axis in (left, right):
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.yaxis.set_major_formatter(plain)
        axis.yaxis.set_minor_formatter(plain)
        axis.tick_params(axis="y", which="minor", labelsize=7)
        axis.set_xlabel("concurrent clients C (closed loop)")
        axis.grid(True, which="both", alpha=0.3)
        axis.set_xticks(levels, [str(c) for c in levels])
    left.set_ylabel("answers per second")
    left.set_title("Throughput")
    right.set_ylabel("p99 time to the end of the answer (s)")
    right.set_title("p99 latency")
    left.legend(fontsize=8)
    right.legend(fontsize=8)
    work = results["meta"]["workload"]
    fig.suptitle(
        f"One search ({work['search_delay'] * 1000:.0f} ms) + a streamed answer of "
        f"{work['chunks']} chunks ({work['first_token_delay']:.1f} s to first token, "
        f"{work['tokens_per_second']:g} chunks/s); server on 1 core",
        fontsize=10,
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


# ---------------------------------------------------------------------- profiles

_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")


# py-spy names files relative to their sys.path entry: "quart/app.py", "core/pipeline/...".
_PACKAGES = {"documents": "azure.search.documents", "core": "azure.core", "app": "app (ours)"}
# Native frames (py-spy --native), by file or library.
_NATIVE = {
    "loop.c": "uvloop (C)",
    "_json.c": "stdlib json (C)",
    "_asynciomodule.c": "stdlib asyncio (C)",
    "_http_parser.c": "aiohttp parser (C)",
    "libpython": "CPython interpreter (C)",
    "object.h": "CPython interpreter (C)",
}
_SYSCALLS = {"write", "writev", "send", "sendmsg", "read", "recv", "recvmsg", "epoll_pwait",
             "epoll_wait", "epoll_ctl", "close", "accept4", "connect", "getpid"}  # fmt: skip
# The event loop's own frames: what runs below them is one callback or task step.
_LOOP_FRAMES = {
    "Runner.run", "BaseEventLoop.run_forever", "BaseEventLoop._run_once", "Handle._run",
    "run_until_complete", "run_forever", "uv_run", "Loop__on_idle", "Handle__run", "task_step",
    "task_step_impl", "task_wakeup", "uv__io_poll", "uv__run_idle", "loop_cb_idle_callback",
}  # fmt: skip
# The first frame of a stack recorded with `py-spy --threads`: "thread (1234): MainThread".
_THREAD = re.compile(r"^thread \(\d+\): (?P<name>.*)$")
# A thread waiting for work (the default executor's idle threads), not CPU.
_IDLE = ("PyThread_acquire_lock_timed", "_queue_SimpleQueue_get", "pthread_cond_")


def _where(function: str, file: str) -> str:
    """A short package (or native library) name for a frame as py-spy prints it."""
    if file.startswith("lib") and ".so" in file:
        if file.startswith("libc.") and function in _SYSCALLS:
            return "system calls (read/write/epoll)"
        return next((v for k, v in _NATIVE.items() if file.startswith(k)), file.split(".so")[0])
    if file.endswith((".c", ".h")) or file in _NATIVE:
        return _NATIVE.get(file, "CPython interpreter (C)" if file.endswith(".h") else file)
    if ".so" in file:
        return file.split("/", 1)[0] + " (C)"
    first = file.split("/", 1)[0].removesuffix(".py")
    if first in _PACKAGES:
        return _PACKAGES[first]
    if first in sys.stdlib_module_names:
        return f"stdlib {first}"
    return first


def summarize_profile(path: Path, top: int = 25) -> dict[str, Any]:
    """Top functions (self and inclusive) and packages from py-spy's collapsed stacks.

    Inclusive counts start below the event loop's frames, so they show which callbacks and
    task steps the time goes to; time in the loop itself (uvloop is C) is one entry. A profile
    recorded with `--threads` also gets the samples of each thread (by name: "MainThread" is
    the event loop, "Thread (_connection_worker_thread)" is aiosqlite's).
    """
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    packages: Counter[str] = Counter()
    threads: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [frame for frame in stack.split(";") if frame]
        thread = None
        if frames and (named := _THREAD.match(frames[0])):
            thread = re.sub(r"-\d+\b", "", named["name"])
            frames = frames[1:]
        if any(marker in frame for frame in frames for marker in _IDLE):
            continue
        if thread is not None:
            threads[thread] += count
        names = []
        for frame in frames:
            match = _FRAME.match(frame.strip())
            if match is None:
                names.append((frame.strip(), "?"))
                continue
            file = match["file"]
            names.append((f"{match['func']} ({file})", _where(match["func"], file)))
        if not names:
            continue
        total += count
        loop = max(
            (i for i, (name, _) in enumerate(names) if name.split(" (")[0] in _LOOP_FRAMES),
            default=-1,
        )
        leaf, package = names[-1]
        if loop == len(names) - 1:
            leaf, package = "(in the event loop, no deeper frame)", "event loop (C)"
        own[leaf] += count
        packages[package] += count
        for name in {name for name, _ in names[loop + 1 :] if ".py)" in name}:
            inclusive[name] += count

    def share(counter: Counter[str]) -> list[dict[str, Any]]:
        return [
            {"name": name, "samples": n, "share": round(n / total, 4)}
            for name, n in counter.most_common(top)
        ]

    return {
        "samples": total,
        "self": share(own),
        "inclusive": share(inclusive),
        "packages": share(packages),
        **({"threads": share(threads)} if threads else {}),
    }


def summarize_memory(busy: Any, idle: Any, streams: int, top: int = 20) -> dict[str, Any]:
    """What grew between two tracemalloc snapshots, per open stream: by line and by file."""
    by_file = busy.compare_to(idle, "filename")
    total = sum(stat.size_diff for stat in by_file)

    def rows(stats: list[Any], with_line: bool) -> list[dict[str, Any]]:
        out = []
        for stat in stats[:top]:
            frame = stat.traceback[0]
            where = _short(frame.filename) + (f":{frame.lineno}" if with_line else "")
            out.append(
                {
                    "where": where,
                    "kb_per_stream": round(stat.size_diff / streams / 1024, 2),
                    "blocks_per_stream": round(stat.count_diff / streams, 1),
                    "share": round(stat.size_diff / total, 3) if total else None,
                }
            )
        return out

    tracebacks = [
        {
            "kb_per_stream": round(stat.size_diff / streams / 1024, 2),
            "stack": [f"{_short(f.filename)}:{f.lineno}" for f in stat.traceback],
        }
        for stat in busy.compare_to(idle, "traceback")[:10]
    ]
    return {
        "python_kb_per_stream": round(total / streams / 1024, 1),
        "by_file": rows(by_file, with_line=False),
        "by_line": rows(busy.compare_to(idle, "lineno"), with_line=True),
        "top_tracebacks": tracebacks,
    }


def _short(path: str) -> str:
    """A path from its package folder on: ".../site-packages/quart/app.py" -> "quart/app.py"."""
    for marker in ("site-packages/", "/lib/python3", "/work/main/"):
        if marker in path:
            rest = path.split(marker, 1)[1]
            return rest.split("/", 1)[1] if marker == "/lib/python3" else rest
    return path
