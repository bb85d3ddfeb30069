"""The load benchmark's text output: progress lines while it runs, Markdown tables after.

Every level row carries the app core's speed measured just before it; a level measured more
than 15% below the run's median speed is marked "(slow core)" (see `bench.host`), and one
during which other processes used the app's core or the worker was replaced is marked too.
"""

from __future__ import annotations

import math
from typing import Any

from bench.comparisons import DISTURBED, other_use
from bench.targets import HISTORY_RATIO, SCALING_RATIO

Results = dict[str, Any]


def _ms(value: float | None, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:,.{digits}f}"


def _pair(stats: dict[str, Any], digits: int = 0) -> str:
    return f"{_ms(stats.get('p50'), digits)}/{_ms(stats.get('p99'), digits)}"


def _share(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:.{digits}%}"


def level_line(level: dict[str, Any]) -> str:
    """One line per level while the benchmark runs."""
    where = f"C={level['concurrency']}" if level["mode"] == "closed" else f"{level['rate_rps']}/s"
    path = "" if level.get("path", "/ask/stream") == "/ask/stream" else f" {level['path']}"
    return (
        f"{level['system']:<22} {where:>7}{path}: {level['throughput_rps']:7.1f} rps"
        f"  TTFT p50/p99 {_pair(level['ttft_ms'])} ms  total p99 {_ms(level['total_ms']['p99'])} ms"
        f"  added TTFT {_pair(level['app_added_ttft_ms'], 1)} ms"
        f"  CPU {_ms(level['app_cpu_ms_per_answer'], 2)} ms/answer ({level['app_cpu_util']:.0%})"
        f"  errors {level['errors']}  gen {level['loadgen_cpu_util']:.0%}"
        f" fakes {level['fakes_cpu_util']:.0%}{_search(level)}{_save(level)}"
        f"  core speed {_ms(level.get('app_core_speed'))}{_disturbed(level)}"
    )


def _search(level: dict[str, Any]) -> str:
    """The server's search time (Server-Timing), when it sent one."""
    if "search_ms" not in level:
        return ""
    return f"  search p50/p99 {_pair(level['search_ms'], 2)} ms"


def _save(level: dict[str, Any]) -> str:
    """The save's latency, for a level whose clients save the conversation."""
    if "save_ms" not in level:
        return ""
    return f"  save p50/p99 {_pair(level['save_ms'], 1)} ms"


def _disturbed(level: dict[str, Any]) -> str:
    """A warning when something else used the app's core, or the worker was replaced."""
    notes = []
    other = other_use(level) or 0.0
    if other >= DISTURBED:
        where = "app core" if level.get("pinned", True) else "machine"
        notes.append(f"{other:.0%} of the {where} used by other processes")
    if level.get("worker_recycled"):
        notes.append("worker recycled (max_requests)")
    if level.get("slow_core"):
        notes.append("slow core")
    return f"  [{'; '.join(notes)}]" if notes else ""


def hold_line(hold: dict[str, Any]) -> str:
    """The open-streams result in one line."""
    return (
        f"{hold['system']}: {hold['peak_open']}/{hold['streams']} streams open at once"
        f" (all open after {hold['all_open_after_s']} s), {hold['completed']} completed,"
        f" {hold['errors']} errors; RSS idle {hold['idle_rss_mb']} MB, with the streams"
        f" {hold['rss_at_peak_mb']} MB: {hold['rss_per_open_stream_kb']} KB per open stream"
    )


def _other(level: dict[str, Any]) -> str:
    other = other_use(level)
    text = "-" if other is None else f"{other:.0%}"
    if level.get("worker_recycled"):
        text += " (worker recycled)"
    return text


def _speed(level: dict[str, Any]) -> str:
    text = _ms(level.get("app_core_speed"))
    return text + " (slow core)" if level.get("slow_core") else text


def table(results: Results) -> str:
    """Every level as a Markdown table, then the held streams and the RSS per system."""
    levels = results["levels"]
    search = any("search_ms" in level for level in levels)
    header = (
        "| system | load | rps | % of C/latency | TTFB p50/p99 ms | TTFT p50/p99 ms | "
        "total p50/p99 ms | app-added TTFT p50/p99 ms | "
        + ("search p50/p99 ms | " if search else "")
        + "app CPU ms/answer | app CPU | healthz p99 ms | RSS MB | errors | generator CPU | "
        "fakes CPU | app core: other | app core speed |"
    )
    rows = [header, "|" + " --- |" * (header.count("|") - 1)]
    for level in levels:
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
        searched = f"{_pair(level.get('search_ms') or {}, 2)} | " if search else ""
        rows.append(
            f"| {level['system']} | {load} | {level['throughput_rps']:.1f} | {little} | "
            f"{_pair(level['ttfb_ms'])} | {_pair(level['ttft_ms'])} | "
            f"{_pair(level['total_ms'])} | {_pair(level['app_added_ttft_ms'], 1)} | {searched}"
            f"{_ms(level['app_cpu_ms_per_answer'], 2)} | {level['app_cpu_util']:.0%} | "
            f"{_ms(healthz.get('p99'), 1)} | {level['worker_rss_mb']:.0f} | {level['errors']} | "
            f"{level['loadgen_cpu_util']:.0%} | {level['fakes_cpu_util']:.0%} | "
            f"{_other(level)} | {_speed(level)} |"
        )
    lines = ["\n".join(rows)]
    if results.get("hold"):
        lines += ["", hold_table(results["hold"])]
    if results.get("rss"):
        lines += ["", rss_table(results["rss"])]
    return "\n".join(lines)


def hold_table(holds: list[dict[str, Any]]) -> str:
    """The held streams as a Markdown table."""
    lines = [
        "| open streams | peak open at once | completed | errors | idle RSS MB | "
        "RSS with streams MB | KB per open stream |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for hold in holds:
        lines.append(
            f"| {hold['system']}: {hold['streams']} | {hold['peak_open']} | "
            f"{hold['completed']} | {hold['errors']} | {hold['idle_rss_mb']} | "
            f"{hold['rss_at_peak_mb']} | {_ms(hold['rss_per_open_stream_kb'], 1)} |"
        )
    return "\n".join(lines)


def rss_table(rows: list[dict[str, Any]]) -> str:
    """Each system's worker RSS at its first and its last level."""
    lines = [
        "| system | worker RSS MB at the first level | at the last level | growth MB | "
        "servers started (a restart resets it) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        first, last = row["first"], row["last"]
        lines.append(
            f"| {row['system']} | {first['worker_rss_mb']:.0f} (C={first['concurrency']}) | "
            f"{last['worker_rss_mb']:.0f} (C={last['concurrency']}) | {row['growth_mb']:+.1f} | "
            f"{row['server_starts']} |"
        )
    return "\n".join(lines)


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
            f"| {row['round']}{_round_marks(row)} | "
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


def _round_marks(row: dict[str, Any]) -> str:
    """A round's notes: disturbed (by other processes, a recycled worker), slow core."""
    levels = [value for value in row.values() if isinstance(value, dict) and "system" in value]
    notes = [] if row["clean"] else ["disturbed"]
    if any(level.get("slow_core") for level in levels):
        notes.append("slow core")
    return f" ({', '.join(notes)})" if notes else ""


def scaling_line(row: dict[str, Any]) -> str:
    """One round of one worker vs two in one line."""
    one, two = row["one"], row["two"]
    return (
        f"round {row['round']}, C={row['concurrency']}, unpinned: 2 workers "
        f"{two['throughput_rps']:.1f} vs 1 worker {one['throughput_rps']:.1f} rps = "
        f"{_ms(row['ratio'], 2)}x; app CPU {two['app_cpu_util']:.2f} vs "
        f"{one['app_cpu_util']:.2f} cores, generator {two['loadgen_cpu_util']:.2f}/"
        f"{one['loadgen_cpu_util']:.2f}, fakes {two['fakes_cpu_util']:.2f}/"
        f"{one['fakes_cpu_util']:.2f}; others {_ms(other_use(two), 2)}/{_ms(other_use(one), 2)}"
        f"{'' if row['clean'] else ' [disturbed]'}"
    )


def scaling_table(rounds: list[dict[str, Any]], summary: dict[str, Any]) -> str:
    """The one-vs-two-workers rounds and their medians as a Markdown table, and what bounds
    them."""
    lines = [
        f"| round (C={summary['concurrency']}, unpinned) | rps 1 worker / 2 workers | ratio "
        f"(target >= {SCALING_RATIO:g}x) | app CPU cores 1/2 | load generator cores 1/2 | "
        "fakes cores 1/2 | machine busy cores 1/2 | total p99 ms 1/2 | search p99 ms 1/2 |",
        "|" + " --- |" * 9,
    ]

    def cells(one: dict[str, Any], two: dict[str, Any]) -> str:
        busy = [(lv.get("interference") or {}).get("machine_busy") for lv in (one, two)]
        search = [(lv.get("search_ms") or {}).get("p99") for lv in (one, two)]
        return (
            f"{one['app_cpu_util']:.2f}/{two['app_cpu_util']:.2f} | "
            f"{one['loadgen_cpu_util']:.2f}/{two['loadgen_cpu_util']:.2f} | "
            f"{one['fakes_cpu_util']:.2f}/{two['fakes_cpu_util']:.2f} | "
            f"{_ms(busy[0], 2)}/{_ms(busy[1], 2)} | "
            f"{_ms(one['total_ms']['p99'])}/{_ms(two['total_ms']['p99'])} | "
            f"{_ms(search[0], 2)}/{_ms(search[1], 2)} |"
        )

    for row in rounds:
        one, two = row["one"], row["two"]
        lines.append(
            f"| {row['round']}{_round_marks(row)} | "
            f"{one['throughput_rps']:.1f} / {two['throughput_rps']:.1f} | "
            f"{_ms(row['ratio'], 2)}x | {cells(one, two)}"
        )
    medians = {
        "app_cpu_util": summary["app_cpu_util"],
        "loadgen_cpu_util": summary["loadgen_cpu_util"],
        "fakes_cpu_util": summary["fakes_cpu_util"],
    }
    busy, p99, search = (
        summary["machine_busy"],
        summary["total_p99_ms"],
        summary["search_p99_ms"],
    )
    lines.append(
        f"| median of {summary['medians_over']} | {_ms(summary['one_rps'], 1)} / "
        f"{_ms(summary['two_rps'], 1)} | {_ms(summary['ratio'], 2)}x | "
        + " | ".join(
            f"{_ms(medians[key]['one'], 2)}/{_ms(medians[key]['two'], 2)}" for key in medians
        )
        + f" | {_ms(busy['one'], 2)}/{_ms(busy['two'], 2)} | {_ms(p99['one'])}/"
        f"{_ms(p99['two'])} | {_ms(search['one'], 2)}/{_ms(search['two'], 2)} |"
    )
    lines += [
        "",
        f"Every process unpinned on the machine's {summary['cores']} cores: the workers share "
        "them with the fake upstreams and the load generator (their CPU is in the table), so "
        "the ratio shows what this machine allows, not only what the app does. A closed loop "
        f"at C={summary['concurrency']} cannot beat C / the ideal latency, "
        f"{_ms(summary['little_limit_rps'], 1)} rps: at most "
        f"{_ms(summary['ratio_bound'], 2)}x over one worker here.",
    ]
    return "\n".join(lines)


def targets_table(rows: list[dict[str, Any]]) -> str:
    """The targets as a Markdown table."""
    lines = ["| target | system | measured | limit | met |", "| --- | --- | --- | --- | --- |"]
    for row in rows:
        met = {True: "met", False: "MISSED", None: "not measured"}[row["met"]]
        lines.append(
            f"| {row['target']} | {row['system']} | {row['measured']} | {row['limit']} | {met} |"
        )
    return "\n".join(lines)


def speed_line(summary: dict[str, Any], slow: int) -> str:
    """The app core's calibrations in one line."""
    if not summary.get("count"):
        return "app core speed: not measured"
    return (
        f"app core speed: median {summary['median']}, {summary['min']} to {summary['max']} "
        f"over {summary['count']} calibrations (spread {summary['spread']:.0%}); "
        f"{slow} level(s) measured more than 15% below the median"
    )
