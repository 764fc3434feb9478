"""DuckDB running the SQL equivalent of hrefdex's single-target lookups, on the same rows.

Usage: python duckdb_latency.py TARGETS.json [--iterations 200] [--db FILE]

TARGETS.json is written by `cargo bench -p hrefdex-query --bench latency -- --index DIR
--targets-out TARGETS.json`: the `links_in` Parquet files of the index version measured
and the targets with their SURT key ranges. DuckDB gets its best configuration for a
range lookup: the rows loaded into its own table sorted by the key (so its zone maps prune
like hrefdex's row-group statistics), in a database file, warmed up before timing. Each
lookup fetches its result as Arrow, the way an in-process engine hands rows over.
"""

import argparse
import json
import os
import statistics
import tempfile
import time

import duckdb

LIVE = "lost_at IS NULL AND NOT internal"

BACKLINK_COLUMNS = (
    "url_from, url_to, ahrefs_rank, domain_rating, ahrefs_top, ip_from, links_internal, "
    "links_external, page_size, encoding, language, title, first_seen, last_visited, "
    "prev_visited, original, link_type, redirect, nofollow, alt, anchor, text_pre, text_post, "
    "http_code, url_from_first_seen"
)


def range_sql(ranges):
    parts = []
    for r in ranges:
        if "exact" in r:
            parts.append("to_key = " + quote(r["exact"]))
        else:
            parts.append(f"(to_key >= {quote(r['lower'])} AND to_key < {quote(r['upper'])})")
    return "(" + " OR ".join(parts) + ")"


def quote(s):
    return "'" + s.replace("'", "''") + "'"


def lookups(ranges):
    live = f"{range_sql(ranges)} AND {LIVE}"
    return {
        "backlinks": [
            f"SELECT {BACKLINK_COLUMNS} FROM links_in WHERE {live} "
            "ORDER BY ahrefs_rank DESC, url_from, url_to LIMIT 1000"
        ],
        "refdomains": [
            f"SELECT from_domain AS refdomain, count(*) AS backlinks, count(DISTINCT url_from) AS refpages, "
            f"min(first_seen), max(last_visited), max(domain_rating) AS dr FROM links_in WHERE {live} "
            "GROUP BY from_domain ORDER BY dr DESC, refdomain LIMIT 1000",
            f"SELECT count(DISTINCT from_domain), count(DISTINCT nullif(ip_from, '')), "
            f"count(DISTINCT CASE WHEN ip_from <> '' THEN regexp_replace(ip_from, '\\.[0-9]+$', '') END) "
            f"FROM links_in WHERE {live}",
        ],
        "anchors": [
            f"SELECT anchor, count(*) AS backlinks, count(DISTINCT url_from), count(DISTINCT from_domain), "
            f"min(first_seen), max(last_visited) FROM links_in WHERE {live} GROUP BY anchor ORDER BY anchor LIMIT 1000",
            f"SELECT count(*), count(DISTINCT url_from) FROM links_in WHERE {live}",
        ],
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("targets")
    ap.add_argument("--iterations", type=int, default=200)
    ap.add_argument("--db", help="DuckDB database file (default: a temporary one)")
    args = ap.parse_args()
    doc = json.load(open(args.targets))

    tmp = None
    db = args.db
    if db is None:
        tmp = tempfile.TemporaryDirectory()
        db = os.path.join(tmp.name, "links.duckdb")
    con = duckdb.connect(db)
    con.sql("SET threads = 2")
    started = time.perf_counter()
    files = ", ".join(quote(f) for f in doc["links_in_files"])
    con.sql(f"CREATE OR REPLACE TABLE links_in AS SELECT * FROM read_parquet([{files}]) ORDER BY to_key")
    rows = con.sql("SELECT count(*) FROM links_in").fetchall()[0][0]
    print(f"duckdb {duckdb.__version__}: {rows} rows loaded sorted by to_key in "
          f"{time.perf_counter() - started:.1f} s; {args.iterations} iterations per cell, times in ms")
    print("| target | backlinks | table | rows | p50 | p99 | min | max |")
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    for t in doc["targets"]:
        for name, queries in lookups(t["ranges"]).items():
            n = 0
            for _ in range(3):
                n = con.sql(queries[0]).to_arrow_table().num_rows
                for q in queries[1:]:
                    con.sql(q).to_arrow_table()
            times = []
            for _ in range(args.iterations):
                s = time.perf_counter()
                for q in queries:
                    con.sql(q).to_arrow_table()
                times.append((time.perf_counter() - s) * 1e3)
            times.sort()
            p99 = times[min(len(times) - 1, round((len(times) - 1) * 0.99))]
            print(f"| {t['label']} ({t['target']}) | {t['backlinks']} | {name} | {n} | "
                  f"{statistics.median(times):.2f} | {p99:.2f} | {times[0]:.2f} | {times[-1]:.2f} |")
    con.close()


if __name__ == "__main__":
    main()
