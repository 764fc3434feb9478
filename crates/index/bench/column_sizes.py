#!/usr/bin/env python3
"""Compressed bytes per row of each column of Parquet files (from their footers).

    python3 crates/index/bench/column_sizes.py hrefdex-data/links_in/*.parquet

Needs pyarrow. Shows where a table's bytes go, largest column first.
"""
import collections
import sys

import pyarrow.parquet as pq


def main(paths):
    for path in paths:
        metadata = pq.ParquetFile(path).metadata
        sizes = collections.Counter()
        for g in range(metadata.num_row_groups):
            group = metadata.row_group(g)
            for c in range(group.num_columns):
                column = group.column(c)
                sizes[column.path_in_schema] += column.total_compressed_size
        rows = max(metadata.num_rows, 1)
        print(f"{path}: {metadata.num_rows} rows, {sum(sizes.values()) / rows:.1f} bytes per row")
        for name, size in sizes.most_common():
            print(f"  {name:24s} {size / rows:8.2f}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
