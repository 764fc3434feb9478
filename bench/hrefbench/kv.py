"""Parsing the `key=value` and `key value` lines the benchmark binaries print."""

import re

NUMBER = r"[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?"


def pairs(line):
    """`threads=1 records=1171 MB/s=94.0` -> {'threads': 1.0, 'records': 1171.0, 'MB/s': 94.0}."""
    return {k: float(v) for k, v in re.findall(rf"([A-Za-z_/]+)=({NUMBER})", line)}


def after(text, label):
    """The number that follows `label` (a regular expression) in text, or None."""
    m = re.search(rf"{label}\s*[:=]?\s*({NUMBER})", text)
    return float(m.group(1)) if m else None
