"""The peers' throwaway virtualenv (PyPI): DuckDB, chDB (ClickHouse in process), FastWARC +
Resiliparse, python-igraph, warcio for the extraction input, pyarrow, matplotlib for the
plot."""

import json
import os
import shutil
import subprocess
import sys

from .util import BenchError, log, run

# FastWARC/Resiliparse 2.x are ~100x slower here (attribute access from Python); 1.1.0 is the
# fair peer (../shared/bench/peers/README.md).
REQUIREMENTS = [
    "duckdb", "chdb", "pyarrow", "fastwarc==1.1.0", "resiliparse==1.1.0", "warcio", "igraph",
    "matplotlib",
]

VERSIONS = r"""
import json, importlib.metadata as m
out = {}
for p in ("duckdb", "chdb", "chdb-core", "pyarrow", "fastwarc", "resiliparse", "igraph", "warcio",
          "matplotlib"):
    try:
        out[p] = m.version(p)
    except m.PackageNotFoundError:
        out[p] = None
try:
    import chdb
    out["clickhouse"] = chdb.engine_version
except Exception:
    pass
print(json.dumps(out))
"""


def python(venv):
    return os.path.join(venv, "bin", "python")


def ensure(venv, fresh=False):
    """Create the virtualenv and install the peers unless it already has them; return the
    installed versions."""
    if fresh and os.path.isdir(venv):
        shutil.rmtree(venv)
    py = python(venv)
    if os.path.exists(py):
        versions = _versions(py)
        if versions and all(versions.get(p.split("==")[0]) for p in REQUIREMENTS):
            log(f"peers: reusing {venv}")
            return versions
    log(f"peers: creating {venv} and installing {' '.join(REQUIREMENTS)} from PyPI")
    try:
        subprocess.run([sys.executable, "-m", "venv", venv], check=True, capture_output=True)
    except subprocess.CalledProcessError as e:
        raise BenchError("python3 -m venv failed (on Debian/Ubuntu: apt-get install python3-venv): "
                         + e.stderr.decode(errors="replace").strip()[-300:])
    run([py, "-m", "pip", "install", "--quiet", "--upgrade", "pip"], "pip-upgrade")
    res = run([py, "-m", "pip", "install", "--quiet", *REQUIREMENTS], "pip-install", check=False)
    if not res.ok:
        raise BenchError(f"installing the peers from PyPI failed (network? wheels for this "
                         f"platform?): {res.failure()}")
    versions = _versions(py)
    if not versions:
        raise BenchError(f"the peers' virtualenv {venv} is broken; rerun with --fresh-venv")
    return versions


def _versions(py):
    try:
        out = subprocess.run([py, "-c", VERSIONS], check=True, capture_output=True, text=True)
        return json.loads(out.stdout)
    except (subprocess.CalledProcessError, ValueError, OSError):
        return None
