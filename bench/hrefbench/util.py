"""Shared helpers of the suite: progress lines, commands with saved logs and peak memory,
summary statistics, sizes. Standard library only (the driver runs on the system python3)."""

import json
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time

STARTED = time.monotonic()


class BenchError(Exception):
    """A prerequisite is missing or a step failed; the message says what to do."""


def log(msg):
    """One progress line on stderr, with the time since the suite started."""
    s = int(time.monotonic() - STARTED)
    print(f"[bench {s // 60:3d}:{s % 60:02d}] {msg}", file=sys.stderr, flush=True)


class Logs:
    """Where each command's output is kept: RUN_DIR/logs/NN-name.log."""

    def __init__(self, run_dir):
        self.dir = os.path.join(run_dir, "logs")
        os.makedirs(self.dir, exist_ok=True)
        self.n = 0

    def path(self, name):
        self.n += 1
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:60]
        return os.path.join(self.dir, f"{self.n:03d}-{safe}.log")


LOGS = None


def set_logs(run_dir):
    global LOGS
    LOGS = Logs(run_dir)


def _tree_rss_kib(pid):
    """Resident memory of a process and its descendants (KiB), from /proc."""
    total = 0
    todo = [pid]
    seen = set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            with open(f"/proc/{p}/task/{p}/children") as f:
                todo.extend(int(c) for c in f.read().split())
        except (OSError, ValueError):
            pass
    return total


class Result:
    def __init__(self, cmd, code, out, err, seconds, max_rss_kib, killed_for_memory, log_path):
        self.cmd = cmd
        self.code = code
        self.out = out
        self.err = err
        self.seconds = seconds
        self.max_rss_kib = max_rss_kib
        self.killed_for_memory = killed_for_memory
        self.log = log_path

    @property
    def ok(self):
        return self.code == 0

    def failure(self):
        if self.killed_for_memory:
            return (f"stopped by the suite at {self.max_rss_kib / 2**20:.1f} GiB resident "
                    f"(the --max-rss-gb limit); see {self.log}")
        if self.code is not None and self.code < 0:
            sig = signal.Signals(-self.code).name
            hint = " (the kernel's OOM killer?)" if sig == "SIGKILL" else ""
            return f"killed by {sig}{hint}; see {self.log}"
        tail = (self.err.strip().splitlines() or self.out.strip().splitlines() or [""])[-1]
        return f"exit status {self.code}: {tail[:300]}; see {self.log}"


def run(cmd, name, *, env=None, cwd=None, max_rss_kib=None, check=True, echo=False):
    """Run `cmd`, keep its stdout and stderr in a log file, measure wall time and the peak
    resident memory of its process tree. `max_rss_kib` stops the command (SIGKILL) when its
    tree goes above that, so that a too-large import cannot push the shared machine into
    the kernel's OOM killer. `echo` copies its stderr to ours as it comes (cargo's
    progress). With `check`, a failure raises BenchError."""
    log_path = LOGS.path(name) if LOGS else os.devnull
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=full_env,
                            cwd=cwd, stdin=subprocess.DEVNULL,
                            text=True, errors="replace", start_new_session=True)
    peak = [0]
    killed = [False]
    stop = threading.Event()

    def watch():
        while not stop.wait(0.2):
            rss = _tree_rss_kib(proc.pid)
            peak[0] = max(peak[0], rss)
            if max_rss_kib and rss > max_rss_kib:
                killed[0] = True
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except OSError:
                    pass
                return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    out_chunks, err_chunks = [], []

    def pump(stream, chunks, tee):
        for line in stream:
            chunks.append(line)
            if tee:
                sys.stderr.write("    " + line)
                sys.stderr.flush()

    t_out = threading.Thread(target=pump, args=(proc.stdout, out_chunks, False), daemon=True)
    t_err = threading.Thread(target=pump, args=(proc.stderr, err_chunks, echo), daemon=True)
    t_out.start()
    t_err.start()
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    except KeyboardInterrupt:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    proc.returncode = os.waitstatus_to_exitcode(status)
    t_out.join()
    t_err.join()
    stop.set()
    seconds = time.perf_counter() - started
    out, err = "".join(out_chunks), "".join(err_chunks)
    peak_kib = max(peak[0], usage.ru_maxrss if usage else 0)
    if log_path != os.devnull:
        with open(log_path, "w") as f:
            f.write(f"$ {' '.join(map(str, cmd))}\n# exit {proc.returncode}, {seconds:.2f} s, "
                    f"peak RSS {peak_kib} KiB\n--- stdout\n{out}\n--- stderr\n{err}")
    res = Result(cmd, proc.returncode, out, err, seconds, peak_kib, killed[0], log_path)
    if check and not res.ok:
        raise BenchError(f"{name}: {res.failure()}")
    return res


def summary(values):
    """Median, min and max of the per-round values (None when there are none)."""
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "n": len(values), "values": values}


def percentile(sorted_values, p):
    """The same nearest-rank rule as the Rust latency bench."""
    i = round((len(sorted_values) - 1) * p)
    return sorted_values[min(i, len(sorted_values) - 1)]


SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*$")


def parse_size(text):
    """'1M' -> 1000000, '250k' -> 250000, '30000' -> 30000 (links)."""
    m = SIZE.match(text)
    if not m:
        raise BenchError(f"size {text!r}: expected a number of links like 30000, 250k or 10M")
    n = float(m.group(1)) * {"": 1, "k": 1e3, "m": 1e6}[m.group(2).lower()]
    if n < 1000:
        raise BenchError(f"size {text!r}: at least 1k links")
    return int(n)


def size_label(n):
    if n >= 1e6 and n % 100_000 == 0:
        return f"{n / 1e6:g}M"
    if n >= 1e3 and n % 100 == 0:
        return f"{n / 1e3:g}k"
    return str(n)


def read_json(path):
    with open(path) as f:
        return json.load(f)


def write_json(path, doc):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
    os.replace(tmp, path)


def rotate(items, r):
    """The order of the A/B interleave in round r: each engine goes first in turn."""
    r %= len(items)
    return items[r:] + items[:r]
