"""Server throughput: `hrefdex serve` under load from a separate process
(crates/server/examples/load.rs) with the URL list of crates/server/bench/urls.py, with the
answer cache off (every request runs its plan) and on (warm). No peer."""

import os
import re
import signal
import socket
import subprocess
import time
import urllib.request

from .util import BenchError, log, run, summary


class Server:
    """`hrefdex serve` on a free loopback port, with a fresh token; rate limit off."""

    def __init__(self, ctx, index, answer_cache_mb):
        res = run([ctx.hrefdex, "token", "create", "--index", index, "--rows", "1000000000000000",
                   "--name", "bench"], "token-create")
        self.token = res.out.strip().splitlines()[-1].strip()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.log_path = os.path.join(ctx.run_dir, "logs", f"serve-{self.port}-cache{answer_cache_mb}.log")
        self.log_file = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [ctx.hrefdex, "serve", "--index", index, "--listen", f"127.0.0.1:{self.port}",
             "--rate-limit", "0", "--answer-cache-mb", str(answer_cache_mb)],
            stdout=self.log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"hrefdex serve exited with {self.proc.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.base + "/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise BenchError(f"hrefdex serve did not answer /health within 120 s; see {self.log_path}")

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log_file.close()


LOAD_LINE = re.compile(r"requests (\d+)\s+seconds ([\d.]+)\s+req/s (\d+)\s+errors (\d+)")
LAT_LINE = re.compile(r"p50 ([\d.]+)\s+p90 ([\d.]+)\s+p99 ([\d.]+)\s+max ([\d.]+)")


def _load(ctx, urls, seconds, name):
    res = run([ctx.bins["load"]["path"], urls, str(ctx.connections), str(seconds)], name)
    a, b = LOAD_LINE.search(res.out), LAT_LINE.search(res.out)
    if not (a and b):
        raise BenchError(f"unexpected output of the load generator; see {res.log}")
    return {"requests": int(a.group(1)), "seconds": float(a.group(2)), "req_s": float(a.group(3)),
            "errors": int(a.group(4)), "p50_ms": float(b.group(1)), "p90_ms": float(b.group(2)),
            "p99_ms": float(b.group(3)), "max_ms": float(b.group(4))}


CONFIGS = [("off", 0), ("on", 256)]


def measure(ctx, ix):
    label = ix["label"]
    truth = os.path.join(ix["web"], "truth.json")
    urls_py = os.path.join(ctx.repo, "crates", "server", "bench", "urls.py")
    rows = {name: [] for name, _ in CONFIGS}
    url_count = 0
    for r in range(ctx.server_rounds):
        for name, cache_mb in CONFIGS:
            server = Server(ctx, ix["index"], cache_mb)
            try:
                urls = os.path.join(ctx.run_dir, f"size-{label}", "urls.txt")
                os.makedirs(os.path.dirname(urls), exist_ok=True)
                res = run(["python3", urls_py, truth, server.base, server.token], "urls")
                with open(urls, "w") as f:
                    f.write(res.out)
                url_count = len(res.out.splitlines())
                warm = ctx.server_warmup[name]
                log(f"size {label} server, answer cache {name}: {warm} s warm-up, "
                    f"{ctx.server_seconds} s measured, {ctx.connections} connections, {url_count} URLs")
                _load(ctx, urls, warm, f"load-warm-{label}-{name}-r{r}")
                m = _load(ctx, urls, ctx.server_seconds, f"load-{label}-{name}-r{r}")
            finally:
                server.stop()
            rows[name].append(m)
            log(f"size {label} server, answer cache {name}: {m['req_s']:.0f} req/s, p50 "
                f"{m['p50_ms']:.1f} ms, p99 {m['p99_ms']:.1f} ms, {m['errors']} errors")
    out = {"urls": url_count, "connections": ctx.connections, "seconds": ctx.server_seconds,
           "warmup": ctx.server_warmup, "rounds": rows}
    for name, rs in rows.items():
        out[name] = {k: summary([x[k] for x in rs]) for k in ("req_s", "p50_ms", "p99_ms")}
        out[name]["errors"] = sum(x["errors"] for x in rs)
    return out
