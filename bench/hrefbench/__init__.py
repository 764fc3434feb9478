"""hrefdex's benchmark suite (bench/run)."""
