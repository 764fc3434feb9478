"""Extraction: hrefdex-extract's bench against FastWARC + Resiliparse on the same WARC of the
real pages of ../shared/data/html-* (built by ../shared/bench/peers/mkwarc.py)."""

import os

from . import kv
from .util import BenchError, log, rotate, run, summary


# Timed passes per side and round, the fastest kept: a single pass pays one-time costs
# (a fresh process's first touch of its memory, cold caches) that vary by 20-30 % from
# run to run on this machine, and both sides get the same treatment.
BEST_OF = 3


def measure(ctx):
    peers = os.path.join(ctx.shared, "bench", "peers")
    for f in ("mkwarc.py", "fastwarc_links.py"):
        if not os.path.exists(os.path.join(peers, f)):
            raise BenchError(f"{peers}/{f} is missing (the shared peer scripts)")
    if not any(os.path.isdir(os.path.join(ctx.data, d)) for d in os.listdir(ctx.data)
               if d.startswith("html-")):
        raise BenchError(f"no {ctx.data}/html-* folders: the real pages are the extraction input")
    warc = os.path.join(ctx.inputs, "real.warc.gz")
    if not os.path.exists(warc):
        log(f"extract: building {warc} from {ctx.data}/html-* (mkwarc.py)")
        run([ctx.py, os.path.join(peers, "mkwarc.py"), ctx.data, warc + ".part"], "mkwarc")
        os.replace(warc + ".part", warc)
    bench = ctx.bins["extract_bench"]["path"]
    rounds = {"hrefdex_1": [], "hrefdex_all": [], "peer": []}
    for r in range(ctx.rounds):
        for side in rotate(["hrefdex", "peer"], r):
            if side == "hrefdex":
                # The bench times BEST_OF passes in one process and prints the fastest.
                res = run([bench, warc, str(BEST_OF)], f"extract-hrefdex-r{r}")
                for line in res.out.splitlines():
                    p = kv.pairs(line)
                    if "threads" in p:
                        key = "hrefdex_1" if p["threads"] == 1 else "hrefdex_all"
                        rounds[key].append(_row(p))
            else:
                # The peer script times one pass: run it BEST_OF times, keep the fastest.
                runs = [_row(kv.pairs(run([ctx.py, os.path.join(peers, "fastwarc_links.py"), warc],
                                          f"extract-peer-r{r}-{k}",
                                          env={"OMP_NUM_THREADS": "1"}).out))
                        for k in range(BEST_OF)]
                rounds["peer"].append(min(runs, key=lambda row: row["seconds"]))
        log(f"extract round {r + 1}/{ctx.rounds}: hrefdex 1 thread "
            f"{rounds['hrefdex_1'][-1]['mb_s']:.1f} MB/s, all threads "
            f"{rounds['hrefdex_all'][-1]['mb_s']:.1f} MB/s, FastWARC+Resiliparse "
            f"{rounds['peer'][-1]['mb_s']:.1f} MB/s")
    out = {"input": warc, "input_bytes": os.path.getsize(warc), "rounds": rounds}
    for key, rows in rounds.items():
        out[key] = {m: summary([row[m] for row in rows]) for m in ("mb_s", "records_s", "seconds")}
        out[key]["records"] = rows[-1]["records"]
        out[key]["links"] = rows[-1]["links"]
        out[key]["payload_mb"] = rows[-1]["payload_mb"]
        out[key]["threads"] = rows[-1]["threads"]
    return out


def _row(p):
    if "MB/s" not in p:
        raise BenchError(f"unexpected extraction output: {p}")
    return {"records": p["records"], "links": p["links"], "payload_mb": p["payloadMB"],
            "seconds": p["secs"], "records_s": p["rec/s"], "mb_s": p["MB/s"],
            "threads": p.get("threads", 1)}
