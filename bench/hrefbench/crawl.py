"""Crawler: crawl_bench on the generated loopback web (politeness off), pages/s. No peer."""

import re

from .util import BenchError, log, run, summary

LINE = re.compile(r"pages (\d+) .*?, ([\d.]+) s, ([\d.]+) pages/s, WARC ([\d.]+) MB")


def measure(ctx):
    args = ["--hosts", "10", "--pages", "100"] if ctx.quick else []
    bench = ctx.bins["crawl_bench"]["path"]
    rows = []
    for r in range(ctx.rounds):
        res = run([bench, *args], f"crawl-r{r}")
        m = LINE.search(res.out)
        if m is None:
            raise BenchError(f"crawl_bench printed no pages/s line; see {res.log}")
        rows.append({"pages": int(m.group(1)), "seconds": float(m.group(2)),
                     "pages_s": float(m.group(3)), "warc_mb": float(m.group(4))})
        log(f"crawl round {r + 1}/{ctx.rounds}: {rows[-1]['pages_s']:.0f} pages/s")
    return {"args": args or ["(defaults: 50 hosts x 400 pages, concurrency 64, 4 per host)"],
            "rounds": rows, "pages_s": summary([x["pages_s"] for x in rows]),
            "pages": rows[-1]["pages"], "warc_mb": rows[-1]["warc_mb"]}
