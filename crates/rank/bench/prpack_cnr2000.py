"""Peer side of the PageRank benchmark: python-igraph's PRPACK on LAW cnr-2000.

Usage (throwaway venv):
    python3 -m venv /tmp/prpack-venv && /tmp/prpack-venv/bin/pip install igraph
    /tmp/prpack-venv/bin/python crates/rank/bench/prpack_cnr2000.py [DATA_DIR] [RUNS]

Times only the Graph.pagerank(implementation="prpack") call (the graph is built once,
outside the timing), prints min/median seconds and the max abs difference from the
shipped reference PageRank.
"""

import gzip
import statistics
import sys
import time

import igraph

data = sys.argv[1] if len(sys.argv) > 1 else "../shared/data"
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 7
base = f"{data}/webgraph-cnr-2000/cnr-2000"

t = time.perf_counter()
with gzip.open(f"{base}.arcs.tsv.gz", "rt") as f:
    edges = [tuple(map(int, line.split())) for line in f if line.strip()]
n = max(max(e) for e in edges) + 1
g = igraph.Graph(n=n, edges=edges, directed=True)
print(f"graph: {g.vcount()} nodes, {g.ecount()} arcs, built in {time.perf_counter() - t:.2f} s")

with gzip.open(f"{base}.pagerank-alpha0.85.tsv.gz", "rt") as f:
    next(f)
    reference = [float(line.split("\t")[1]) for line in f]

times, cpu = [], []
for _ in range(runs):
    t, c = time.perf_counter(), time.process_time()
    pr = g.pagerank(damping=0.85, directed=True, implementation="prpack")
    times.append(time.perf_counter() - t)
    cpu.append(time.process_time() - c)
print("wall seconds per run:", " ".join(f"{x:.3f}" for x in times))
print("cpu seconds per run: ", " ".join(f"{x:.3f}" for x in cpu))
times.sort()
diff = max(abs(a - b) for a, b in zip(pr, reference))
print(
    f"prpack (igraph {igraph.__version__}): {runs} runs, min {times[0]:.4f} s, "
    f"median {statistics.median(times):.4f} s, {g.ecount() / statistics.median(times) / 1e6:.1f} M arcs/s, "
    f"max abs difference vs reference {diff:.3e}"
)
