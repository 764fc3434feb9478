"""Hermetic checks of the suite's own logic (no binaries, no network, no peers):

    python3 -m unittest discover -s bench/tests
"""

import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from hrefbench import build, carry, index, kv, latency, report, util  # noqa: E402
from hrefbench.util import BenchError  # noqa: E402

DOC = "# Benchmarks\n\nHand-written intro.\n\n## PageRank\n\nnumbers\n"


def s(*values):
    return util.summary(list(values))


def cells(engine, p50):
    return [{"engine": engine, "table": t, "label": g, "target": "dom.com", "backlinks": 10,
             "p50": s(p50), "p99": p50 * 2, "rows": 10, "check": 10}
            for t in report.TABLES for g in report.TARGETS]


RESULTS = {
    "machine": {"date": "2026-12-01 10:00 UTC", "cores": 2, "cpu": "x", "memory_gib": 23.5,
                "commit": "abc", "load_average_start": [0.5, 0, 0], "load_average_end": [0.7, 0, 0]},
    "peers": {"duckdb": "2.0.1", "clickhouse": "26.9"},
    "argv": ["--sizes", "1M,10M"], "settings": {"latency_rounds": 3},
    "extract": {"input_bytes": 1e6, "rounds": {"peer": [1]},
                "peer": {"mb_s": s(50.0), "records_s": s(300.0), "seconds": s(3.0), "records": 1171,
                         "links": 5, "payload_mb": 174.6, "threads": 1},
                "hrefdex_1": {"mb_s": s(150.0, 140.0, 160.0), "records_s": s(900.0), "seconds": s(1.1),
                              "records": 1171, "links": 6, "payload_mb": 172.8, "threads": 1},
                "hrefdex_all": {"mb_s": s(250.0), "records_s": s(1500.0), "seconds": s(0.7),
                                "records": 1171, "links": 6, "payload_mb": 172.8, "threads": 2}},
    "by_size": {
        "1M": {"index": {"links": 1_049_747, "gen": {"warc_bytes": 1.2e8}, "import_s": 2.0,
                         "links_per_s": 524_873, "import_peak_rss_bytes": 2**30, "bytes_total": 3.9e7,
                         "bytes_per_link": 37.2, "tables": {"links_in": {"bytes": 2e7}},
                         "phases": [["extract", 1.25], ["merge", 0.5]]},
               "latency": {"cells": cells("hrefdex", 1.5) + cells("duckdb", 9.0) + cells("clickhouse", 6.0),
                           "peers": {"duckdb": {"bytes": 8e7}}}},
        "10M": {"index": {"error": "import failed: killed by SIGKILL", "gen": {"pages": 700000}}},
    },
}


class Markers(unittest.TestCase):
    def test_first_time_goes_under_the_title(self):
        out = report.replace_block(DOC, report.placeholder())
        self.assertTrue(out.startswith("# Benchmarks\n\n" + report.BEGIN))
        self.assertIn(report.END + "\n\nHand-written intro.", out)
        self.assertTrue(out.endswith("## PageRank\n\nnumbers\n"))

    def test_replacing_keeps_everything_outside(self):
        once = report.replace_block(DOC, report.placeholder())
        twice = report.replace_block(once, report.render(RESULTS))
        self.assertEqual(twice.count(report.BEGIN), 1)
        self.assertNotIn("Not yet run", twice)
        self.assertEqual(once.split(report.END)[1], twice.split(report.END)[1])
        self.assertEqual(once.split(report.BEGIN)[0], twice.split(report.BEGIN)[0])
        self.assertEqual(report.replace_block(twice, report.placeholder()), once)

    def test_a_lone_marker_is_refused(self):
        with self.assertRaises(BenchError):
            report.replace_block(DOC + report.BEGIN, report.placeholder())


class Render(unittest.TestCase):
    def test_goals(self):
        md = report.render(RESULTS)
        self.assertIn("| #3 | extraction ≥ 2.5× FastWARC + Resiliparse per core | 3.00×", md)
        self.assertIn("524,873 links/s (1,049,747 links) | **met** |", md)
        self.assertIn("37.2 bytes/link", md)
        self.assertIn("no index of ≥ 10M links (10M: import failed: killed by SIGKILL)", md)
        self.assertIn("PageRank ≤ ½ of PRPACK's time | — | not measured |", md)

    def test_latency_rows_and_ratio(self):
        md = report.render(RESULTS)
        self.assertIn("| huge dom.com (10) | backlinks | 10 | 1.50 | 3.00 | 9.00 | 18.00 | 6.00 | 12.00 | 6.0× | 4.0× |", md)
        self.assertIn("| 10M | — (700,000 pages)", md)
        self.assertIn("Import time by phase: 1M: extract 1.2 s, merge 0.5 s.", md)

    def test_goal_5_at_10m(self):
        r = dict(RESULTS, by_size={"10M": dict(RESULTS["by_size"]["1M"])})
        r["by_size"]["10M"]["index"] = dict(r["by_size"]["10M"]["index"], links=10_500_000)
        md = report.render(r)
        self.assertIn("| #5 | backlinks p50 ≤ 2 ms at 10M links | huge / median / small: 1.50 / 1.50 / 1.50 ms at 10,500,000 links | **met** |", md)
        self.assertIn("| #5 | backlinks ≥ 5× faster than DuckDB | DuckDB p50 ÷ hrefdex p50: 6.0× / 6.0× / 6.0×", md)


class CarryOver(unittest.TestCase):
    """A `--only` run keeps the sections it did not measure, each naming its origin."""

    def earlier(self):
        return json.loads(json.dumps(dict(RESULTS, run_dir="/runs/A/results.json")))

    def test_unmeasured_parts_come_from_the_earlier_run_and_say_so(self):
        current = {"machine": {"date": "2026-12-02 09:00 UTC", "commit": "def", "cores": 2},
                   "by_size": {"1M": {"index": dict(RESULTS["by_size"]["1M"]["index"],
                                                    bytes_per_link=30.0)}}}
        carried = carry.carry_over(current, self.earlier())
        self.assertEqual(carried, ["extract", "1M latency", "10M index"])
        self.assertEqual(current["by_size"]["1M"]["index"]["bytes_per_link"], 30.0)
        self.assertNotIn("carried_from", current["by_size"]["1M"]["index"])
        origin = current["extract"]["carried_from"]
        self.assertEqual((origin["date"], origin["commit"]), ("2026-12-01 10:00 UTC", "abc"))
        md = report.render(current)
        self.assertIn("**Not measured by this run** (`--only`), shown from earlier runs: extraction,"
                      " 1M latency, 10M import and size from the run of 2026-12-01 10:00 UTC"
                      " (commit `abc`, `/runs/A/results.json`).", md)
        self.assertIn("| hrefdex-extract, 1 thread |", md)

    def test_the_time_a_run_took_counts_only_what_it_measured(self):
        earlier = self.earlier()
        earlier["extract"]["step_seconds"] = 1000.0
        current = {"machine": {"date": "2026-12-02 09:00 UTC", "commit": "def", "cores": 2},
                   "by_size": {"1M": {"index": dict(RESULTS["by_size"]["1M"]["index"],
                                                    step_seconds=60.0)}}}
        carry.carry_over(current, earlier)
        self.assertEqual(sum(report.step_seconds(current)), 60.0)
        self.assertIn("the measurements took 1 min.", report.render(current))

    def test_carried_latency_keeps_the_method_it_was_timed_with(self):
        earlier = dict(self.earlier(), hrefdex_latency_method="cli")
        current = {"machine": {"date": "2026-12-02 09:00 UTC", "commit": "def", "cores": 2},
                   "hrefdex_latency_method": "auto"}
        carry.carry_over(current, earlier)
        self.assertEqual(current["hrefdex_latency_method"], "cli")
        self.assertIn("`hrefdex query --repeat N`", report.render(current))

    def test_a_part_carried_twice_keeps_its_first_origin(self):
        middle = {"machine": {"date": "2026-12-02 09:00 UTC", "commit": "def"},
                  "run_dir": "/runs/B/results.json"}
        carry.carry_over(middle, self.earlier())
        latest = {"machine": {"date": "2026-12-03 09:00 UTC", "commit": "0a1"}}
        carry.carry_over(latest, middle)
        self.assertEqual(latest["extract"]["carried_from"]["commit"], "abc")

    def test_a_full_run_carries_nothing(self):
        full = self.earlier()
        self.assertEqual(carry.carry_over(full, self.earlier()), [])
        self.assertEqual(report.carried_note(full), [])

    def test_the_previous_run_is_the_newest_full_one(self):
        with tempfile.TemporaryDirectory() as runs:
            for name, quick in (("20261201T080000Z", False), ("20261201T090000Z", True),
                                ("20261201T100000Z", False)):
                os.makedirs(os.path.join(runs, name))
                with open(os.path.join(runs, name, "results.json"), "w") as f:
                    json.dump({"quick": quick, "machine": {"commit": name}}, f)
            os.makedirs(os.path.join(runs, "20261201T110000Z"))  # the current run
            found = carry.previous_results(runs, os.path.join(runs, "20261201T110000Z"))
            self.assertEqual(found["machine"]["commit"], "20261201T100000Z")
            found = carry.previous_results(runs, os.path.join(runs, "20261201T100000Z"))
            self.assertEqual(found["machine"]["commit"], "20261201T080000Z")
            self.assertIsNone(carry.previous_results(os.path.join(runs, "none"), runs))


class Parsing(unittest.TestCase):
    def test_sizes(self):
        self.assertEqual(util.parse_size("10M"), 10_000_000)
        self.assertEqual(util.parse_size("250k"), 250_000)
        self.assertEqual(util.size_label(1_500_000), "1.5M")
        with self.assertRaises(BenchError):
            util.parse_size("lots")

    def test_bench_table(self):
        text = ("| target | backlinks | table | rows | p50 | p99 | min | max |\n|---|---:|\n"
                "| median (a.co.uk) | 4321 | refdomains | 17 | 1.25 | 3.50 | 1.00 | 9.00 |\n")
        [c] = latency.parse_bench_table(text, 50)
        self.assertEqual((c["label"], c["target"], c["table"], c["p50"], c["n"]),
                         ("median", "a.co.uk", "refdomains", 1.25, 50))

    def test_query_repeat_line(self):
        line = ("latency over 100 repeats: min 7.476 ms, p50 10.641 ms, p99 12.908 ms, "
                "max 16.887 ms (first answer 377.246 ms)\n")
        t = latency.parse_repeat_line("noise\n" + line)
        self.assertEqual((t["n"], t["p50"], t["p99"], t["max"]), (100, 10.641, 12.908, 16.887))
        self.assertIsNone(latency.parse_repeat_line("hrefdex: error"))

    def test_key_values(self):
        p = kv.pairs("threads=1 records=1171 payloadMB=172.8 secs=1.657 rec/s=707 MB/s=104.3")
        self.assertEqual((p["threads"], p["MB/s"], p["rec/s"]), (1, 104.3, 707))

    def test_cargo_executable(self):
        lines = "\n".join([
            '{"reason":"compiler-artifact","target":{"name":"hrefdex_rank"},"executable":null}',
            'Compiling ...',
            '{"reason":"compiler-artifact","target":{"name":"latency"},"executable":"/t/release/deps/latency-ab"}',
            '{"reason":"build-finished","success":true}'])
        self.assertEqual(build.executable(lines, "latency"), "/t/release/deps/latency-ab")
        self.assertIsNone(build.executable(lines, "load"))

    def test_delta_log_replay(self):
        with tempfile.TemporaryDirectory() as d:
            log_dir = os.path.join(d, "links_in", "_delta_log")
            os.makedirs(log_dir)
            commits = [[{"add": {"path": "a.parquet"}}, {"add": {"path": "b%20c.parquet"}}],
                       [{"remove": {"path": "a.parquet"}}, {"add": {"path": "d.parquet"}}]]
            for v, actions in enumerate(commits):
                with open(os.path.join(log_dir, f"{v:020d}.json"), "w") as f:
                    f.write("\n".join(json.dumps(a) for a in [{"commitInfo": {}}, *actions]))
            files = [os.path.basename(p) for p in index.table_files(d, "links_in", 1)]
            self.assertEqual(files, ["b c.parquet", "d.parquet"])
            self.assertEqual(len(index.table_files(d, "links_in", 0)), 2)
            with self.assertRaises(BenchError):
                index.table_files(d, "links_in", 2)

    def test_interleave_rotates(self):
        self.assertEqual([util.rotate(["a", "b", "c"], r)[0] for r in range(4)], ["a", "b", "c", "a"])


if __name__ == "__main__":
    unittest.main()
