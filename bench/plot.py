"""The benchmark's figure: throughput and p99 latency against C, every system, as a PNG.

A colour per server (Gunicorn blues, Hypercorn cyans, the references their own) and a line
style per shape: solid for the Azure-shaped runs and the references, dashed on the sample
local index, dash-dot on the 10,000-chunk one. The legend sits below both panels, once.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

Results = dict[str, Any]
# system: (colour, line style, marker)
STYLES = {
    "app-gunicorn": ("tab:blue", "-", "o"),
    "app-hypercorn": ("tab:cyan", "-", "o"),
    "app-gunicorn-history": ("tab:purple", "-", "o"),
    "app-local-gunicorn": ("tab:blue", "--", "s"),
    "app-local-hypercorn": ("tab:cyan", "--", "s"),
    "app-local10k-gunicorn": ("navy", "-.", "^"),
    "app-local10k-hypercorn": ("darkcyan", "-.", "^"),
    "quart-minimal": ("tab:green", "-", "o"),
    "quart-minimal-sdk": ("tab:olive", "-", "o"),
    "flask-sync": ("tab:red", "-", "o"),
}


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
    work = results["meta"]["workload"]
    ideal, model = work["ideal_latency_s"], work["model_seconds_s"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 6.4))
    levels = sorted({lv["concurrency"] for lv in closed})
    if levels and ideal > 0:
        left.plot(
            levels,
            [c / ideal for c in levels],
            linestyle=":",
            color="gray",
            label=f"left: C / {ideal:.2f} s, Little's law limit; right: {ideal:.2f} s, the "
            f"upstream time (local shape: {model:.2f} s, the model's)",
        )
        right.axhline(ideal, linestyle=":", color="gray")
    for system in systems:
        rows = sorted(
            (lv for lv in closed if lv["system"] == system), key=lambda lv: lv["concurrency"]
        )
        xs = [lv["concurrency"] for lv in rows]
        color, style, marker = STYLES.get(system, (None, "-", "o"))
        line = {"color": color, "linestyle": style, "marker": marker, "markersize": 4}
        label = labels.get(system, system)
        left.plot(xs, [lv["throughput_rps"] for lv in rows], label=label, **line)
        p99 = [(lv["total_ms"]["p99"] or math.nan) / 1000 for lv in rows]
        right.plot(xs, p99, **line)
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
    handles, names = left.get_legend_handles_labels()
    fig.legend(handles, names, loc="lower center", ncol=2, fontsize=8, frameon=False)
    fig.suptitle(
        f"One search ({work['search_delay'] * 1000:.0f} ms on the fake Azure AI Search; local: "
        f"SQLite in the app) + a streamed answer of {work['chunks']} chunks "
        f"({work['first_token_delay']:.1f} s to first token, {work['tokens_per_second']:g} "
        "chunks/s); server on 1 core",
        fontsize=10,
    )
    fig.tight_layout(rect=(0, 0.03 * math.ceil(len(handles) / 2) + 0.01, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
