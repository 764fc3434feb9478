"""bench/run: the one-command benchmark suite (issue #8). See bench/README.md."""

import argparse
import datetime
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
import traceback

from . import build, carry, crawl, extract, index, latency, pagerank, report, server, venv
from .util import BenchError, log, parse_size, read_json, set_logs, size_label, write_json

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
STEPS = ["extract", "pagerank", "crawl", "index", "latency", "server"]


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="bench/run",
        description="Measure hrefdex against its peers (A/B interleaved) and rewrite the "
                    "generated block of BENCHMARKS.md from the results.")
    ap.add_argument("--sizes", help="index sizes in links, comma-separated (default 1M,10M; "
                                    "--quick: 20k,60k)")
    ap.add_argument("--quick", action="store_true",
                    help="tiny sizes and few rounds, to test the suite itself; never writes "
                         "BENCHMARKS.md (the block goes to the run directory)")
    ap.add_argument("--only", help=f"comma-separated subset of {','.join(STEPS)}")
    ap.add_argument("--skip-build", action="store_true",
                    help="use existing release binaries (HREFDEX_BIN=path for hrefdex; the others "
                         "are looked up next to it and in the target directory)")
    ap.add_argument("--target-dir", default=os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target")),
                    help="cargo target directory (default $CARGO_TARGET_DIR or ./target)")
    ap.add_argument("--results-dir", default="/tmp/hrefdex-bench",
                    help="results, generated webs, indexes and the peers' venv (default /tmp/hrefdex-bench)")
    ap.add_argument("--venv", help="the peers' virtualenv (default RESULTS_DIR/venv)")
    ap.add_argument("--fresh-venv", action="store_true", help="recreate the peers' virtualenv")
    ap.add_argument("--data", default=os.path.join(REPO, "..", "shared", "data"),
                    help="the shared data folder (default ../shared/data)")
    ap.add_argument("--rounds", type=int, help="interleaved rounds for extraction, PageRank and "
                                                "the crawler (default 5; --quick 2)")
    ap.add_argument("--latency-rounds", type=int, help="interleaved latency rounds (default 3)")
    ap.add_argument("--iterations", type=int, help="timed lookups per cell and round (default 100)")
    ap.add_argument("--cell-seconds", type=float,
                    help="stop a peer's or the server method's cell after this long (at least 5 "
                         "lookups; default 2)")
    ap.add_argument("--hrefdex-latency", choices=["auto", "bench", "cli", "server"],
                    default="auto",
                    help="how hrefdex's latency is measured: crates/query/benches/latency.rs "
                         "(bench), `hrefdex query --repeat N` (cli), one request at a time to "
                         "hrefdex serve (server), or bench when its binary is there and cli "
                         "otherwise (auto)")
    ap.add_argument("--server-seconds", type=int, help="measured seconds per server run (default 20)")
    ap.add_argument("--server-rounds", type=int, default=1, help="server runs per answer-cache setting")
    ap.add_argument("--connections", type=int, default=32, help="load generator connections")
    ap.add_argument("--max-rss-gb", type=float,
                    help="stop any measured command whose memory goes above this (default: 90%% "
                         "of the memory available at start), so that an import too large for the "
                         "machine fails alone instead of waking the kernel's OOM killer")
    ap.add_argument("--no-write", action="store_true", help="leave BENCHMARKS.md alone")
    ap.add_argument("--report", metavar="RESULTS", nargs="?", const="latest",
                    help="measure nothing: regenerate the markdown (and plot) from a saved "
                         "results.json or run directory (default: the latest run)")
    args = ap.parse_args(argv)
    q = args.quick
    try:
        args.sizes = [parse_size(s) for s in (args.sizes or ("20k,60k" if q else "1M,10M")).split(",")]
    except BenchError as e:
        ap.error(str(e))
    args.only = set(args.only.split(",")) if args.only else set(STEPS)
    unknown = args.only - set(STEPS)
    if unknown:
        ap.error(f"--only: unknown {', '.join(sorted(unknown))} (expected {', '.join(STEPS)})")
    if args.only & {"latency", "server"}:
        args.only.add("index")
    args.rounds = args.rounds or (2 if q else 5)
    args.latency_rounds = args.latency_rounds or (2 if q else 3)
    args.iterations = args.iterations or (20 if q else 100)
    args.cell_seconds = args.cell_seconds or (0.5 if q else 2.0)
    args.server_seconds = args.server_seconds or (3 if q else 20)
    args.server_warmup = {"off": 1, "on": 2} if q else {"off": 3, "on": 25}
    args.pagerank_runs = 1 if q else 5
    args.venv = args.venv or os.path.join(args.results_dir, "venv")
    return args


class Context:
    """Everything a measurement module reads."""

    def __init__(self, args, run_dir):
        self.__dict__.update(vars(args))
        self.repo = REPO
        self.data = os.path.abspath(args.data)
        self.shared = os.path.dirname(self.data)
        self.run_dir = run_dir
        self.inputs = os.path.join(args.results_dir, "inputs")
        os.makedirs(self.inputs, exist_ok=True)
        self.py = venv.python(args.venv)
        self.peer_sql = os.path.join(HERE, "peer_sql.py")
        self.bins = {}
        self.hrefdex = None
        avail = _meminfo().get("MemAvailable", 0)
        self.max_rss_kib = int(args.max_rss_gb * 2**20) if args.max_rss_gb else int(avail * 0.9) or None


def _meminfo():
    try:
        with open("/proc/meminfo") as f:
            return {line.split(":")[0]: int(line.split()[1]) for line in f}
    except OSError:
        return {}


def _cmd(cmd, cwd=REPO):
    try:
        return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def machine_facts():
    cpu = None
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), None)
    except OSError:
        pass
    dirty = _cmd(["git", "status", "--porcelain", "--", "crates", "src", "Cargo.toml", "Cargo.lock"])
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(), "cpu": cpu,
        "memory_gib": round(_meminfo().get("MemTotal", 0) / 2**20, 1),
        "kernel": platform.release(), "os": platform.platform(terse=True),
        "python": platform.python_version(),
        "rustc": _cmd(["rustc", "--version"]), "cargo": _cmd(["cargo", "--version"]),
        "commit": _cmd(["git", "rev-parse", "--short=10", "HEAD"]),
        "commit_subject": _cmd(["git", "log", "-1", "--format=%s"]),
        "source_dirty": bool(dirty),
        "load_average_start": os.getloadavg(),
    }


def _step(container, key, save, fn, *a):
    """Run one measurement into container[key]; a failure is recorded and the suite goes on."""
    started = time.monotonic()
    try:
        container[key] = fn(*a)
    except BenchError as e:
        log(f"{key}: FAILED: {e}")
        container[key] = {"error": str(e)}
    except Exception as e:  # a bug or an unexpected output: keep the other measurements
        log(f"{key}: FAILED: {e!r}")
        container[key] = {"error": repr(e), "traceback": traceback.format_exc()}
    container[key]["step_seconds"] = round(time.monotonic() - started, 1)
    save()


def _missing(ctx, step):
    """Why a step cannot run (its binaries are not there), or None."""
    gone = [b for b in build.NEEDS[step] if not ctx.bins.get(b)]
    if not gone:
        return None
    return (f"no release binary for {', '.join(gone)} (--skip-build looks in "
            f"{ctx.target_dir}/release and next to HREFDEX_BIN); build without --skip-build, or "
            "point to it with " + ", ".join(build.ENV_OVERRIDE[g] + "=PATH" for g in gone))


def measure(args):
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    run_dir = os.path.join(args.results_dir, "runs", stamp + ("-quick" if args.quick else ""))
    os.makedirs(run_dir, exist_ok=True)
    set_logs(run_dir)
    latest = os.path.join(args.results_dir, "runs", "latest")
    if os.path.islink(latest) or not os.path.exists(latest):
        if os.path.islink(latest):
            os.remove(latest)
        os.symlink(os.path.basename(run_dir), latest)
    path = os.path.join(run_dir, "results.json")
    log(f"results: {run_dir}")
    ctx = Context(args, run_dir)
    results = {"quick": args.quick, "argv": sys.argv[1:], "machine": machine_facts(),
               "sizes": args.sizes, "settings": {
                   k: getattr(args, k) for k in ("rounds", "latency_rounds", "iterations",
                                                 "cell_seconds", "server_seconds", "server_rounds",
                                                 "server_warmup", "connections", "pagerank_runs")},
               "max_rss_gib": round(ctx.max_rss_kib / 2**20, 1) if ctx.max_rss_kib else None}
    write_json(path, results)
    load1 = os.getloadavg()[0]
    if load1 > 0.5:
        log(f"warning: load average {load1:.1f} before starting: other work shares the "
            f"{os.cpu_count()} cores, so the numbers will be noisy (recorded in the report)")

    if args.only & {"extract", "pagerank"} and not os.path.isdir(ctx.data):
        raise BenchError(f"{ctx.data} is missing: extraction and PageRank read the shared data "
                         f"(pass --data DIR, or --only crawl,index,latency,server)")
    needs = sorted({b for s in args.only for b in build.NEEDS[s]})
    if "latency" in args.only and args.hrefdex_latency in ("auto", "bench"):
        needs.append("latency_bench")
    ctx.bins = build.binaries(needs, repo=REPO, target_dir=os.path.abspath(args.target_dir),
                              skip_build=args.skip_build)
    if "latency" in args.only:
        if args.hrefdex_latency == "bench" and not ctx.bins.get("latency_bench"):
            raise BenchError("--hrefdex-latency bench: no latency bench binary (build it, or "
                             "HREFDEX_LATENCY_BENCH_BIN=PATH)")
        if args.hrefdex_latency in ("cli", "server"):
            ctx.hrefdex_latency = args.hrefdex_latency
        else:
            ctx.hrefdex_latency = "bench" if ctx.bins.get("latency_bench") else "cli"
        if ctx.hrefdex_latency == "cli" and args.hrefdex_latency == "auto":
            log("latency: no crates/query latency bench binary; hrefdex is timed with "
                "`hrefdex query --repeat`")
    if "index" in args.only and _missing(ctx, "index"):
        raise BenchError(_missing(ctx, "index"))
    ctx.hrefdex = ctx.bins.get("hrefdex", {}) and ctx.bins["hrefdex"]["path"]
    results["binaries"] = ctx.bins
    results["hrefdex_latency_method"] = getattr(ctx, "hrefdex_latency", None)
    results["peers"] = venv.ensure(args.venv, args.fresh_venv)
    write_json(path, results)

    def save():
        write_json(path, results)

    for step, mod in (("extract", extract), ("pagerank", pagerank), ("crawl", crawl)):
        if step in args.only:
            why = _missing(ctx, step)
            if why:
                log(f"{step}: SKIPPED: {why}")
                results[step] = {"error": why}
                continue
            log(f"{step}: {args.rounds} interleaved rounds")
            _step(results, step, save, mod.measure, ctx)

    if "index" in args.only:
        why = _missing(ctx, "server") if "server" in args.only else None
        results["by_size"] = {}
        for links in args.sizes:
            entry = results["by_size"][size_label(links)] = {}
            _step(entry, "index", save, index.build, ctx, links)
            ix = entry["index"]
            if "error" in ix:
                continue
            if "latency" in args.only:
                _step(entry, "latency", save, latency.measure, ctx, ix)
            if "server" in args.only:
                if why:
                    entry["server"] = {"error": why}
                else:
                    _step(entry, "server", save, server.measure, ctx, ix)
            save()
            shutil.rmtree(os.path.join(args.results_dir, "work"), ignore_errors=True)

    results["machine"]["load_average_end"] = os.getloadavg()
    results["finished"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    if args.only != set(STEPS) and not args.quick:
        earlier = carry.previous_results(os.path.join(args.results_dir, "runs"), run_dir)
        if earlier:
            results["carried"] = carry.carry_over(results, earlier)
            if results["carried"]:
                log(f"--only: carried over from {earlier['run_dir']}: {', '.join(results['carried'])}")
    write_json(path, results)
    return run_dir


def _interrupt(signum, frame):
    raise KeyboardInterrupt  # SIGTERM too: stop the child and any server before leaving


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        if args.report:
            src = args.report
            if src == "latest":
                src = os.path.join(args.results_dir, "runs", "latest")
            run_dir = os.path.dirname(src) if src.endswith(".json") else src
            run_dir = os.path.realpath(run_dir)
        else:
            run_dir = measure(args)
        results = read_json(os.path.join(run_dir, "results.json"))
        report.write(results, run_dir=run_dir, repo=REPO, py=venv.python(args.venv),
                     write_repo=not (args.no_write or results.get("quick")))
    except BenchError as e:
        log(f"error: {e}")
        return 2
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    failed = _failures(results)
    if failed:
        log("finished with failures: " + "; ".join(failed))
        return 1
    log("done")
    return 0


def _failures(results):
    """This run's failed measurements (a part carried over from an earlier run is not one)."""
    def failed(part):
        return "error" in part and "carried_from" not in part
    out = [k for k in ("extract", "pagerank", "crawl") if failed(results.get(k, {}))]
    for label, entry in results.get("by_size", {}).items():
        out += [f"{label} {k}" for k, v in entry.items() if failed(v)]
    return out
