"""Many sketches merged at once with numpy, for stats queries (the write path and the CLI's
start never import numpy: only these reads and the migration that rebuilds rollups do)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from intentls.history.sketch import value

PAIRS = np.dtype([("bucket", "<u2"), ("count", "<u4")])
"""A sketch blob's layout (sketch.py)."""

Counts = npt.NDArray[np.int64]
"""Dense counts by bucket (index = bucket)."""


def totals(blobs: Sequence[bytes], groups: Sequence[int] | None = None, width: int = 1) -> Counts:
    """Many blobs merged in one pass: a (width x buckets) array, row `groups[i]` of blob `i`
    (all in row 0 without `groups`)."""
    pairs = np.frombuffer(b"".join(blobs), dtype=PAIRS)
    if groups is None:
        rows = np.zeros(len(pairs), dtype=np.int64)
    else:
        lengths = np.fromiter((len(b) // PAIRS.itemsize for b in blobs), np.int64, len(blobs))
        rows = np.repeat(np.asarray(groups, dtype=np.int64), lengths)
    size = int(pairs["bucket"].max()) + 1 if len(pairs) else 1
    flat = np.bincount(
        rows * size + pairs["bucket"], weights=pairs["count"], minlength=width * size
    )
    return flat.reshape(width, size).astype(np.int64)


def percentiles(counts: Counts, pcts: Sequence[int]) -> list[int]:
    """Nearest-rank percentiles (ms) of one row of dense counts; 0 for no data."""
    cumulative = np.cumsum(counts)
    total = int(cumulative[-1]) if len(cumulative) else 0
    if total == 0:
        return [0 for _ in pcts]
    ranks = [max(1, -(-pct * total // 100)) for pct in pcts]
    found = np.searchsorted(cumulative, ranks, side="left")
    return [round(value(int(i))) for i in found]
