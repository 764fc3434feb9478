"""Latency versus index size for hrefdex, DuckDB and ClickHouse (run in the peers' venv,
which has matplotlib): python plot.py RESULTS.json OUT.svg"""

import json
import sys

import matplotlib

matplotlib.use("Agg")
matplotlib.rcParams["svg.hashsalt"] = "hrefdex-bench"  # stable ids: the SVG diffs cleanly
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FormatStrFormatter, FuncFormatter, NullFormatter  # noqa: E402

TABLES = ["backlinks", "refdomains", "anchors", "metrics"]
ENGINES = {"hrefdex": ("hrefdex", "tab:red"), "duckdb": ("DuckDB", "tab:blue"),
           "clickhouse": ("ClickHouse (chDB)", "tab:green")}
TARGETS = {"huge": "-", "median": "--", "small": ":"}


def links_label(x, _pos=None):
    return f"{x / 1e6:.3g}M" if x >= 1e6 else f"{x / 1e3:.3g}k"


def series(results):
    """(table, engine, target) -> [(links, p50 median ms)] over the sizes measured."""
    out = {}
    for entry in results.get("by_size", {}).values():
        links = entry.get("index", {}).get("links")
        for c in entry.get("latency", {}).get("cells", []):
            if links and "p50" in c:
                key = (c["table"], c["engine"], c["label"])
                out.setdefault(key, []).append((links, c["p50"]["median"]))
    return {k: sorted(v) for k, v in out.items()}


def main(src, dst):
    results = json.load(open(src))
    data = series(results)
    sizes = sorted({x for pts in data.values() for x, _ in pts})
    fig, axes = plt.subplots(1, 4, figsize=(16, 4.2), sharey=True)
    for ax, table in zip(axes, TABLES):
        for engine, (name, color) in ENGINES.items():
            for target, style in TARGETS.items():
                pts = data.get((table, engine, target))
                if pts:
                    ax.plot([p[0] for p in pts], [p[1] for p in pts], style, color=color, marker="o",
                            markersize=3, label=f"{name}, {target} target")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(sizes)
        ax.xaxis.set_major_formatter(FuncFormatter(links_label))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.set_title(table)
        ax.set_xlabel("links in the index")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("p50 latency, ms (median of rounds)")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=8, frameon=False)
    m = results.get("machine", {})
    fig.suptitle(f"Single-target lookup latency vs index size ({m.get('cores')} cores, "
                 f"{m.get('date')}, commit {m.get('commit')})", fontsize=10)
    fig.tight_layout(rect=(0, 0.14, 1, 0.95))
    fig.savefig(dst, metadata={"Date": None})


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
