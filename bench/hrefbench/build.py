"""The release binaries the suite runs: built with cargo, or (with --skip-build) found where
an earlier build left them."""

import glob
import json
import os
import shutil
import time

from .util import BenchError, log, run

# name -> (cargo arguments, the artifact's target name, where --skip-build looks, relative to
# a release directory)
ARTIFACTS = {
    "hrefdex": (["build", "--release", "-p", "hrefdex", "--bin", "hrefdex"], "hrefdex", ["hrefdex"]),
    "load": (["build", "--release", "-p", "hrefdex-server", "--example", "load"], "load",
             ["examples/load"]),
    "pagerank_bench": (["build", "--release", "-p", "hrefdex-rank", "--bin", "pagerank_bench"],
                       "pagerank_bench", ["pagerank_bench"]),
    "crawl_bench": (["build", "--release", "-p", "hrefdex-crawl", "--features", "test-web", "--bin",
                     "crawl_bench"], "crawl_bench", ["crawl_bench"]),
    "extract_bench": (["bench", "--no-run", "-p", "hrefdex-extract", "--bench", "extract"], "extract",
                      ["deps/extract-*"]),
    "latency_bench": (["bench", "--no-run", "-p", "hrefdex-query", "--bench", "latency"], "latency",
                      ["deps/latency-*"]),
}

# Which measurement needs which binaries.
NEEDS = {
    "extract": ["extract_bench"],
    "pagerank": ["pagerank_bench"],
    "crawl": ["crawl_bench"],
    "index": ["hrefdex"],
    "latency": ["hrefdex"],  # plus latency_bench when --hrefdex-latency is bench or auto
    "server": ["hrefdex", "load"],
}

ENV_OVERRIDE = {
    "hrefdex": "HREFDEX_BIN",
    "load": "HREFDEX_LOAD_BIN",
    "pagerank_bench": "HREFDEX_PAGERANK_BIN",
    "crawl_bench": "HREFDEX_CRAWL_BIN",
    "extract_bench": "HREFDEX_EXTRACT_BENCH_BIN",
    "latency_bench": "HREFDEX_LATENCY_BENCH_BIN",
}


def _executable(path):
    return os.path.isfile(path) and os.access(path, os.X_OK) and not path.endswith(".d")


def _describe(path, built):
    st = os.stat(path)
    return {"path": path, "built_by_suite": built,
            "mtime": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(st.st_mtime))}


def find(name, release_dirs):
    """An existing binary: the environment override, else the newest match in the release
    directories."""
    env = ENV_OVERRIDE[name]
    if os.environ.get(env):
        path = os.environ[env]
        if not _executable(path):
            raise BenchError(f"{env}={path} is not an executable file")
        return path
    found = []
    for d in release_dirs:
        for pattern in ARTIFACTS[name][2]:
            found.extend(p for p in glob.glob(os.path.join(d, pattern)) if _executable(p))
    if not found:
        return None
    return max(found, key=os.path.getmtime)


def executable(messages, target):
    """The executable of `target` in cargo's --message-format=json output (the last one)."""
    exe = None
    for line in messages.splitlines():
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        if (msg.get("reason") == "compiler-artifact" and msg.get("executable")
                and msg["target"]["name"] == target):
            exe = msg["executable"]
    return exe


def build(name, repo, target_dir):
    """Build one artifact with cargo in release and return its executable's path."""
    if shutil.which("cargo") is None:
        raise BenchError("cargo is not on PATH: install Rust (https://rustup.rs) or pass "
                         "--skip-build with existing release binaries (HREFDEX_BIN=...)")
    args, target, _ = ARTIFACTS[name]
    log(f"build: cargo {' '.join(args)}")
    res = run(["cargo", *args, "--message-format=json-render-diagnostics"], f"build-{name}",
              cwd=repo, env={"CARGO_TARGET_DIR": target_dir}, check=False, echo=True)
    if not res.ok:
        raise BenchError(f"building {name} failed: {res.failure()}")
    exe = executable(res.out, target)
    if not exe:
        raise BenchError(f"cargo built {name} but did not name its executable; see {res.log}")
    log(f"build: {name} -> {exe} ({res.seconds:.0f} s)")
    return exe


def binaries(names, *, repo, target_dir, skip_build):
    """Paths (and facts) of the binaries named, building them unless skip_build."""
    release_dirs = []
    if os.environ.get("HREFDEX_BIN"):
        release_dirs.append(os.path.dirname(os.path.abspath(os.environ["HREFDEX_BIN"])))
    release_dirs.append(os.path.join(target_dir, "release"))
    out = {}
    for name in names:
        if skip_build or os.environ.get(ENV_OVERRIDE[name]):
            path = find(name, release_dirs)
            if path is None:
                out[name] = None
                continue
            out[name] = _describe(path, False)
        else:
            out[name] = _describe(build(name, repo, target_dir), True)
    return out
