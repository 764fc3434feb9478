"""The SQL peers of the latency benchmark, run inside the peers' virtualenv:
DuckDB (a database file, each table sorted by its key so that zone maps prune) and
ClickHouse in process through chDB (MergeTree tables ORDER BY the key), on the same rows as
the hrefdex index version measured (its links_in, links_out and pages Parquet files).

    python peer_sql.py targets TARGETS.json          # pick the targets, add their files
    python peer_sql.py load ENGINE DB TARGETS.json   # load the rows; prints JSON
    python peer_sql.py measure ENGINE DB TARGETS.json ITERATIONS CELL_SECONDS

backlinks, refdomains and anchors are the SQL of crates/query/bench/duckdb_latency.py (one
definition, imported); it runs unchanged on ClickHouse. metrics is defined here: the three
reads hrefdex's `metrics` makes (live backlinks by kind, crawled pages, linked domains).
"""

import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "crates", "query", "bench"))

from duckdb_latency import LIVE, lookups, quote, range_sql  # noqa: E402

KEYS = {"links_in": "to_key", "links_out": "from_key", "pages": "url_key"}


def ranges_on(ranges, column):
    """range_sql's condition on another key column."""
    parts = []
    for r in ranges:
        if "exact" in r:
            parts.append(f"{column} = {quote(r['exact'])}")
        else:
            parts.append(f"({column} >= {quote(r['lower'])} AND {column} < {quote(r['upper'])})")
    return "(" + " OR ".join(parts) + ")"


def like_any(column, patterns):
    return "(" + " OR ".join(f"{column} LIKE {quote(p)}" for p in patterns) + ")"


def metrics_sql(ranges):
    """hrefdex's `metrics`: the kinds of crates/query/src/tables/kinds.rs as sums of CASEs;
    gov/edu as a label of the referring domain's suffix (gov, gouv; edu, ac)."""
    def n(pred):
        return f"sum(CASE WHEN {pred} THEN 1 ELSE 0 END)"

    gov = like_any("from_domain", ["%.gov", "%.gov.%", "%.gouv", "%.gouv.%"])
    edu = like_any("from_domain", ["%.edu", "%.edu.%", "%.ac", "%.ac.%"])
    kinds = [
        "link_type = 'href' AND NOT image", "image", "nofollow", "NOT nofollow",
        "link_type = 'redirect'", "link_type = 'canonical'", "link_type = 'rss'",
        "link_type = 'alternate'", "ugc", "sponsored", gov, edu, "sitewide", "NOT sitewide",
    ]
    links = (
        "SELECT count(*) AS backlinks, count(DISTINCT url_from), count(DISTINCT from_domain), "
        "count(DISTINCT nullif(ip_from, '')), "
        "count(DISTINCT CASE WHEN ip_from <> '' THEN regexp_replace(ip_from, '\\.[0-9]+$', '') END), "
        + ", ".join(n(k) for k in kinds)
        + f" FROM links_in WHERE {range_sql(ranges)} AND {LIVE}"
    )
    pages = (
        "SELECT count(*), " + n("http_code < 500") + ", "
        + n("content_type LIKE 'text/html%' OR content_type LIKE 'application/xhtml%'")
        + ", sum(links_internal), sum(links_external) FROM pages WHERE "
        + ranges_on(ranges, "url_key")
    )
    linked = (
        "SELECT count(DISTINCT to_domain) FROM links_out WHERE "
        + ranges_on(ranges, "from_key") + " AND lost_at IS NULL AND NOT internal"
    )
    return [links, pages, linked]


def all_lookups(ranges):
    out = lookups(ranges)
    out["metrics"] = metrics_sql(ranges)
    return out


class DuckDB:
    name = "duckdb"

    def __init__(self, db):
        import duckdb
        self.db = db
        self.con = duckdb.connect(db)
        self.con.sql("SET threads = 2")
        self.version = duckdb.__version__

    def load(self, table, files):
        files_sql = ", ".join(quote(f) for f in files)
        self.con.sql(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM read_parquet([{files_sql}]) "
                     f"ORDER BY {KEYS[table]}")

    def finish_load(self):
        self.con.sql("CHECKPOINT")
        return sum(os.path.getsize(p) for p in (self.db, self.db + ".wal") if os.path.exists(p))

    def rows(self, table):
        return self.con.sql(f"SELECT count(*) FROM {table}").fetchall()[0][0]

    def arrow(self, sql):
        return self.con.sql(sql).to_arrow_table()


class ClickHouse:
    name = "clickhouse"

    def __init__(self, db):
        import chdb
        from chdb import session
        self.session = session.Session(db)
        self.version = getattr(chdb, "engine_version", chdb.__version__)

    def load(self, table, files):
        self.session.query(f"DROP TABLE IF EXISTS {table}")
        first = quote(files[0])
        self.session.query(f"CREATE TABLE {table} ENGINE = MergeTree ORDER BY {KEYS[table]} "
                           f"EMPTY AS SELECT * FROM file({first}, Parquet)")
        for f in files:
            self.session.query(f"INSERT INTO {table} SELECT * FROM file({quote(f)}, Parquet)")
        self.session.query(f"OPTIMIZE TABLE {table} FINAL")

    def finish_load(self):
        out = self.session.query("SELECT sum(bytes_on_disk) FROM system.parts WHERE active AND "
                                 "database = currentDatabase()", "ArrowTable")
        return int(out.column(0)[0].as_py() or 0)

    def rows(self, table):
        return self.session.query(f"SELECT count() FROM {table}", "ArrowTable").column(0)[0].as_py()

    def arrow(self, sql):
        return self.session.query(sql + " SETTINGS max_threads = 2", "ArrowTable")


ENGINES = {"duckdb": DuckDB, "clickhouse": ClickHouse}


def pick_targets(doc):
    """huge, median and small targets by live external backlinks per registrable domain,
    the rule of crates/query/benches/latency.rs (count desc, then domain asc)."""
    import duckdb
    files = ", ".join(quote(f) for f in doc["links_in_files"])
    counts = duckdb.sql(
        f"SELECT to_domain, count(*) AS n FROM read_parquet([{files}]) WHERE {LIVE} "
        "GROUP BY to_domain ORDER BY n DESC, to_domain").fetchall()
    if not counts:
        raise SystemExit("the index has no live external backlinks")
    picks = [("huge", 0), ("median", len(counts) // 2), ("small", len(counts) - 1)]
    return [{"label": label, "target": counts[i][0], "backlinks": counts[i][1]} for label, i in picks]


def cmd_targets(path):
    doc = json.load(open(path))
    doc["targets"] = pick_targets(doc)
    json.dump(doc, open(path, "w"), indent=1)
    print(json.dumps(doc["targets"]))


def cmd_load(engine, db, path):
    doc = json.load(open(path))
    e = ENGINES[engine](db)
    out = {"engine": engine, "version": e.version, "tables": {}}
    started = time.perf_counter()
    for table in KEYS:
        t = time.perf_counter()
        e.load(table, doc[f"{table}_files"])
        out["tables"][table] = {"rows": e.rows(table), "seconds": time.perf_counter() - t}
    out["bytes"] = e.finish_load()
    out["seconds"] = time.perf_counter() - started
    print(json.dumps(out))


def cmd_measure(engine, db, path, iterations, cell_seconds):
    doc = json.load(open(path))
    e = ENGINES[engine](db)
    cells = []
    for t in doc["targets"]:
        for table, queries in all_lookups(t["ranges"]).items():
            first = None
            for _ in range(3):
                first = e.arrow(queries[0])
                for q in queries[1:]:
                    e.arrow(q)
            times = []
            deadline = time.perf_counter() + cell_seconds
            while len(times) < iterations and (len(times) < 5 or time.perf_counter() < deadline):
                s = time.perf_counter()
                for q in queries:
                    e.arrow(q)
                times.append((time.perf_counter() - s) * 1e3)
            times.sort()
            check = first.num_rows if table != "metrics" else first.column(0)[0].as_py()
            cells.append({
                "label": t["label"], "target": t["target"], "backlinks": t["backlinks"],
                "table": table, "rows": first.num_rows, "check": check, "n": len(times),
                "p50": statistics.median(times),
                "p99": times[min(len(times) - 1, round((len(times) - 1) * 0.99))],
                "min": times[0], "max": times[-1],
            })
    print(json.dumps({"engine": engine, "version": e.version, "cells": cells}))


def main(argv):
    cmd = argv[0] if argv else ""
    if cmd == "targets" and len(argv) == 2:
        cmd_targets(argv[1])
    elif cmd == "load" and len(argv) == 4:
        cmd_load(argv[1], argv[2], argv[3])
    elif cmd == "measure" and len(argv) == 6:
        cmd_measure(argv[1], argv[2], argv[3], int(argv[4]), float(argv[5]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
