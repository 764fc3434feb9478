"""Single-target query latency at one index size: hrefdex against DuckDB and ClickHouse
(chDB) on the same rows, A/B interleaved in rounds (each engine goes first in turn).

hrefdex is measured by crates/query/benches/latency.rs when its release binary is there
(in process, the way the server runs a request). Without it (`auto`), by `hrefdex query
--repeat N` (`cli`: also in process, one cached session, no HTTP); or (`server`) by timing
one request at a time against
`hrefdex serve` over a loopback keep-alive connection with the answer cache off: that adds
HTTP, the token check and the SQLite charge (a fraction of a millisecond) to each answer."""

import http.client
import json
import re
import os
import shutil
import statistics
import time
import urllib.parse

from . import index as index_mod
from .server import Server
from .util import BenchError, log, percentile, rotate, run, summary

TABLES = {
    "backlinks": "from=backlinks&limit=1000",
    "refdomains": "from=refdomains&limit=1000",
    "anchors": "from=anchors&limit=1000",
    "metrics": "from=metrics",
}
ENGINES = ["hrefdex", "duckdb", "clickhouse"]


def targets(ctx, ix, work):
    """The targets JSON the peers read: table files, and the huge/median/small targets with
    their SURT key ranges (from `hrefdex explain`, so that every engine reads the same)."""
    doc = {}
    for table in ("links_in", "links_out", "pages"):
        doc[f"{table}_files"] = index_mod.table_files(ix["index"], table, ix["tables"][table]["version"])
    path = os.path.join(work, "targets.json")
    with open(path, "w") as f:
        json.dump(doc, f)
    run([ctx.py, ctx.peer_sql, "targets", path], "pick-targets")
    doc = json.load(open(path))
    for t in doc["targets"]:
        res = run([ctx.hrefdex, "explain", f"from=backlinks&target={t['target']}&mode=domain"],
                  f"explain-{t['label']}")
        ranges = []
        for r in json.loads(res.out)["key_ranges"]:
            if r["range"]["kind"] == "exact":
                ranges.append({"exact": r["range"]["key"]})
            else:
                ranges.append({"lower": r["lower"], "upper": r["upper_exclusive"]})
        t["ranges"] = ranges
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
    return path, doc


def load_peers(ctx, label, targets_path):
    out = {}
    for engine in ("duckdb", "clickhouse"):
        db = os.path.join(ctx.results_dir, "work", f"{engine}-{label}")
        if engine == "duckdb":
            db += ".duckdb"
            for p in (db, db + ".wal"):
                if os.path.exists(p):
                    os.remove(p)
        else:
            shutil.rmtree(db, ignore_errors=True)
        log(f"size {label}: loading the same rows into {engine}")
        res = run([ctx.py, ctx.peer_sql, "load", engine, db, targets_path], f"load-{engine}-{label}",
                  max_rss_kib=ctx.max_rss_kib)
        info = json.loads(res.out.strip().splitlines()[-1])
        info["db"] = db
        out[engine] = info
        log(f"size {label}: {engine} {info['version']} holds links_in, links_out and pages in "
            f"{info['bytes'] / 1e6:.1f} MB (loaded in {info['seconds']:.1f} s)")
    return out


def _bench_cells(ctx, ix, label, r, targets_doc):
    """crates/query/benches/latency.rs: one process, its markdown table parsed."""
    out_path = os.path.join(ctx.results_dir, "work", f"bench-targets-{label}.json")
    res = run([ctx.bins["latency_bench"]["path"], "--index", ix["index"], "--iterations",
               str(ctx.iterations), "--targets-out", out_path], f"latency-hrefdex-{label}-r{r}",
              max_rss_kib=ctx.max_rss_kib)
    cells = parse_bench_table(res.out, ctx.iterations)
    picked = {t["label"]: t["target"] for t in json.load(open(out_path))["targets"]}
    ours = {t["label"]: t["target"] for t in targets_doc["targets"]}
    if picked != ours:
        raise BenchError(f"the latency bench picked {picked}, the suite {ours}: the rule differs")
    return cells


def parse_bench_table(text, iterations):
    """The rows `| huge (dom.com) | 123 | backlinks | 1000 | p50 | p99 | min | max |` that
    crates/query/benches/latency.rs prints."""
    cells = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.strip().strip("|").split("|")]
        if len(parts) != 8 or parts[2] not in TABLES:
            continue
        label, _, target = parts[0].partition(" (")
        cells.append({"label": label, "target": target.rstrip(")"), "backlinks": int(parts[1]),
                      "table": parts[2], "rows": int(parts[3]),
                      "check": int(parts[3]) if parts[2] != "metrics" else None,
                      "p50": float(parts[4]), "p99": float(parts[5]), "min": float(parts[6]),
                      "max": float(parts[7]), "n": iterations})
    return cells


REPEAT = re.compile(r"latency over (\d+) repeats: min ([\d.]+) ms, p50 ([\d.]+) ms, "
                    r"p99 ([\d.]+) ms, max ([\d.]+) ms")


def parse_repeat_line(text):
    """`hrefdex query --repeat N`'s stderr line: n, min, p50, p99, max (ms), or None."""
    m = REPEAT.search(text)
    if not m:
        return None
    n, lo, p50, p99, hi = m.groups()
    return {"n": int(n), "min": float(lo), "p50": float(p50), "p99": float(p99), "max": float(hi)}


def _cli_cells(ctx, ix, label, r, targets_doc):
    """`hrefdex query --repeat N`: in process, one cached session on one runtime (the
    server's code path without HTTP), the first answer excluded."""
    cells = []
    for t in targets_doc["targets"]:
        for table, q in TABLES.items():
            query = f"{q}&target={t['target']}&mode=domain&output=json"
            res = run([ctx.hrefdex, "query", "--index", ix["index"], "--repeat",
                       str(ctx.iterations), query], f"latency-hrefdex-{label}-{t['label']}-{table}-r{r}",
                      max_rss_kib=ctx.max_rss_kib, check=False)
            cell = {"label": t["label"], "target": t["target"], "backlinks": t["backlinks"],
                    "table": table}
            timing = parse_repeat_line(res.err)
            try:
                doc = json.loads(res.out or "{}")
            except json.JSONDecodeError:
                doc = {"error": res.out[:200]}
            if timing is None or "error" in doc:
                cell["error"] = (res.err.strip().splitlines() or [str(doc.get("error"))])[-1][:200]
                cells.append(cell)
                continue
            if table == "metrics":
                rows, check = 1, doc.get("metrics", {}).get("backlinks")
            else:
                rows = next((len(v) for v in doc.values() if isinstance(v, list)), 0)
                check = rows
            cell.update(timing, rows=rows, check=check)
            cells.append(cell)
    return cells


def _server_cells(ctx, server, targets_doc):
    """One request at a time over a keep-alive connection to `hrefdex serve`."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    cells = []
    for t in targets_doc["targets"]:
        for table, q in TABLES.items():
            url = (f"/?token={server.token}&{q}&target={urllib.parse.quote(t['target'])}"
                   "&mode=domain&output=json")

            def get():
                conn.request("GET", url)
                resp = conn.getresponse()
                body = resp.read()
                return resp, body

            resp, body = None, b""
            for _ in range(3):
                resp, body = get()
            cell = {"label": t["label"], "target": t["target"], "backlinks": t["backlinks"],
                    "table": table}
            doc = json.loads(body or b"{}")
            if resp.status != 200 or resp.getheader("x-status") or "error" in doc:
                cell["error"] = f"HTTP {resp.status}: {body[:200].decode(errors='replace')}"
                cells.append(cell)
                continue
            times = []
            deadline = time.perf_counter() + ctx.cell_seconds
            while len(times) < ctx.iterations and (len(times) < 5 or time.perf_counter() < deadline):
                s = time.perf_counter()
                get()
                times.append((time.perf_counter() - s) * 1e3)
            times.sort()
            if table == "metrics":
                rows, check = 1, doc.get("metrics", {}).get("backlinks")
            else:
                rows = next((len(v) for v in doc.values() if isinstance(v, list)), 0)
                check = rows
            cell.update({"rows": rows, "check": check, "n": len(times),
                         "p50": statistics.median(times), "p99": percentile(times, 0.99),
                         "min": times[0], "max": times[-1]})
            cells.append(cell)
    conn.close()
    return cells


def _peer_cells(ctx, engine, db, targets_path, label, r):
    res = run([ctx.py, ctx.peer_sql, "measure", engine, db, targets_path, str(ctx.iterations),
               str(ctx.cell_seconds)], f"latency-{engine}-{label}-r{r}", max_rss_kib=ctx.max_rss_kib)
    return json.loads(res.out.strip().splitlines()[-1])["cells"]


def measure(ctx, ix):
    label = ix["label"]
    work = os.path.join(ctx.run_dir, f"size-{label}")
    os.makedirs(work, exist_ok=True)
    targets_path, targets_doc = targets(ctx, ix, work)
    log(f"size {label}: targets " + ", ".join(
        f"{t['label']} {t['target']} ({t['backlinks']:,} backlinks)" for t in targets_doc["targets"]))
    peers = load_peers(ctx, label, targets_path)
    method = ctx.hrefdex_latency
    server = None
    if method == "server":
        server = Server(ctx, ix["index"], answer_cache_mb=0)
    per_round = []
    try:
        for r in range(ctx.latency_rounds):
            for engine in rotate(ENGINES, r):
                if engine == "hrefdex":
                    if method == "bench":
                        cells = _bench_cells(ctx, ix, label, r, targets_doc)
                    elif method == "cli":
                        cells = _cli_cells(ctx, ix, label, r, targets_doc)
                    else:
                        cells = _server_cells(ctx, server, targets_doc)
                else:
                    cells = _peer_cells(ctx, engine, peers[engine]["db"], targets_path, label, r)
                for c in cells:
                    c.update(engine=engine, round=r)
                per_round.extend(cells)
                med = [c for c in cells if c["table"] == "backlinks" and c["label"] == "median"]
                p50 = f"{med[0]['p50']:.2f} ms" if med and "p50" in med[0] else "n/a"
                log(f"size {label} latency round {r + 1}/{ctx.latency_rounds}: {engine} done "
                    f"(median target backlinks p50 {p50})")
    finally:
        if server:
            server.stop()
    return {"method": method, "targets": targets_doc["targets"], "peers": peers,
            "raw": per_round, "cells": combine(per_round)}


def combine(raw):
    """Per (target, table, engine): the rounds' p50 as median/min/max, the median p99."""
    groups = {}
    for c in raw:
        groups.setdefault((c["label"], c["table"], c["engine"]), []).append(c)
    out = []
    for (label, table, engine), cs in groups.items():
        ok = [c for c in cs if "p50" in c]
        cell = {"label": label, "table": table, "engine": engine, "target": cs[0]["target"],
                "backlinks": cs[0]["backlinks"]}
        if not ok:
            cell["error"] = cs[0].get("error", "no measurement")
        else:
            cell.update({"p50": summary([c["p50"] for c in ok]),
                         "p99": statistics.median(c["p99"] for c in ok),
                         "rows": ok[-1]["rows"], "check": ok[-1].get("check"),
                         "iterations": sum(c["n"] for c in ok)})
        out.append(cell)
    return out
