"""Parts of the benchmark a subset run (`--only`) did not measure, carried over from an
earlier run, so that the generated block never loses a section to a partial run. Every
carried part keeps the run it was measured in (`carried_from`), and the block names it.
"""

import os

from .util import read_json

TOP = ("extract", "pagerank", "crawl")
PER_SIZE = ("index", "latency", "server")


def origin(results):
    """Where a measurement of `results` comes from: its run, date and commit."""
    m = results.get("machine") or {}
    return {"run_dir": results.get("run_dir"), "date": m.get("date"), "commit": m.get("commit")}


def _carried(part, src):
    # A part the earlier run had carried itself keeps its first origin.
    return dict(part, carried_from=part.get("carried_from") or src)


def carry_over(current, previous):
    """Fills the parts `current` did not measure from `previous` (two results.json
    documents); returns the names of the parts carried, e.g. `extract`, `10M latency`.

    A size `current` measured keeps its own index; only the latency or server part it
    skipped is carried, and the block says it was measured on the earlier run's index."""
    src = origin(previous)
    carried = []
    for k in TOP:
        if k not in current and isinstance(previous.get(k), dict):
            current[k] = _carried(previous[k], src)
            carried.append(k)
    sizes = current.setdefault("by_size", {})
    for label, earlier in (previous.get("by_size") or {}).items():
        entry = sizes.setdefault(label, {})
        for part in PER_SIZE:
            if part not in entry and isinstance(earlier.get(part), dict):
                entry[part] = _carried(earlier[part], src)
                carried.append(f"{label} {part}")
    if not sizes:
        del current["by_size"]
    # The latency tables say how hrefdex was timed: carried tables keep their method (a
    # run that timed none records its unresolved `--hrefdex-latency`, `auto`, or nothing).
    timed = current.get("hrefdex_latency_method") in ("bench", "cli", "server")
    if any(c.endswith(" latency") for c in carried) and not timed:
        current["hrefdex_latency_method"] = previous.get("hrefdex_latency_method")
    return carried


def previous_results(runs_dir, current_run_dir):
    """The newest full-size (not `--quick`) results.json under `runs_dir` other than the
    current run's, or None."""
    try:
        names = sorted(os.listdir(runs_dir), reverse=True)
    except OSError:
        return None
    for name in names:
        run_dir = os.path.join(runs_dir, name)
        if name == "latest" or os.path.realpath(run_dir) == os.path.realpath(current_run_dir):
            continue
        path = os.path.join(run_dir, "results.json")
        if not os.path.isfile(path):
            continue
        try:
            doc = read_json(path)
        except (OSError, ValueError):
            continue
        if not doc.get("quick"):
            doc.setdefault("run_dir", path)
            return doc
    return None
