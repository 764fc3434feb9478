"""PageRank of LAW cnr-2000: hrefdex-rank's pagerank_bench (default solver, L1 < 1e-12)
against python-igraph's PRPACK (crates/rank/bench/prpack_cnr2000.py, OMP_NUM_THREADS=1, its
best configuration on a shared 2-core machine)."""

import os

from . import kv
from .util import BenchError, log, rotate, run, summary


# hrefdex's solver settings measured, each against the same PRPACK rounds; "hrefdex" (the
# default) is the one the goal is judged on.
VARIANTS = {
    "hrefdex": ("hrefdex Gauss–Seidel per SCC, 1 block (default), L1 < 1e-12", []),
    "hrefdex_blocks2": ("hrefdex, 2 parallel blocks, L1 < 1e-12", ["--blocks", "2"]),
    "hrefdex_tol10": ("hrefdex default at L1 < 1e-10 (PRPACK's tolerance)", ["--tolerance", "1e-10"]),
}


def measure(ctx):
    base = os.path.join(ctx.data, "webgraph-cnr-2000", "cnr-2000")
    edges, reference = base + ".arcs.tsv.gz", base + ".pagerank-alpha0.85.tsv.gz"
    for f in (edges, reference):
        if not os.path.exists(f):
            raise BenchError(f"{f} is missing (the cnr-2000 graph of ../shared/data)")
    peer = os.path.join(ctx.repo, "crates", "rank", "bench", "prpack_cnr2000.py")
    bench = ctx.bins["pagerank_bench"]["path"]
    runs = str(ctx.pagerank_runs)
    rows = {side: [] for side in [*VARIANTS, "prpack"]}
    for r in range(ctx.rounds):
        for side in rotate(list(rows), r):
            if side in VARIANTS:
                res = run([bench, "--runs", runs, *VARIANTS[side][1], edges, reference],
                          f"pagerank-{side}-r{r}")
            else:
                res = run([ctx.py, peer, ctx.data, runs], f"pagerank-prpack-r{r}",
                          env={"OMP_NUM_THREADS": "1"})
            arcs = kv.after(res.out, r"nodes, ")
            median = kv.after(res.out, r"s, median")
            if median is None:
                raise BenchError(f"no median time in the {side} output; see {res.log}")
            rows[side].append({
                "median_s": median, "min_s": kv.after(res.out, r"runs, min"),
                "arcs": arcs, "sweeps": kv.after(res.out, r"s, (?=\d+ sweeps)"),
                "max_abs_diff": kv.after(res.out, r"max abs difference vs [^\n]*[: ]"),
            })
        log(f"pagerank round {r + 1}/{ctx.rounds}: hrefdex {rows['hrefdex'][-1]['median_s']:.3f} s, "
            f"PRPACK {rows['prpack'][-1]['median_s']:.3f} s (median of {runs} runs each)")
    out = {"runs_per_round": ctx.pagerank_runs, "rounds": rows,
           "variants": {k: v[0] for k, v in VARIANTS.items()}}
    for side, rs in rows.items():
        out[side] = {"seconds": summary([x["median_s"] for x in rs]),
                     "arcs": rs[-1]["arcs"], "max_abs_diff": rs[-1]["max_abs_diff"],
                     "sweeps": rs[-1]["sweeps"]}
    return out
