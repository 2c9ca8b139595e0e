"""A mergeable duration sketch: DDSketch's logarithmic buckets, stored as SQLite blobs.

A duration of `x` ms > 0 falls in bucket `ceil(log(x) / log(gamma)) + 1` (0 ms in bucket 0),
with `gamma = (1 + a) / (1 - a)`; every value of bucket `i` is within `a` of its representative
`2 gamma^(i-1) / (gamma + 1)`. So a percentile read from the counts (nearest rank) is within
`RELATIVE_ERROR` of the exact percentile of the same values, however many sketches were merged,
and merging is adding counts. A blob is the sorted sparse pairs (bucket uint16, count uint32),
little-endian: a day's runs of one intent usually fill a few dozen buckets.

Written here rather than taken from the `ddsketch` package because the rollups need two things
it does not give: a blob that SQLite merges inside one upsert (`merge`, an SQL function), and
thousands of blobs merged at once with numpy (`totals`); the package merges bucket by bucket in
Python and serialises through protobuf.
"""

from __future__ import annotations

import math
import struct
import sys
from bisect import bisect_left
from collections.abc import Iterable

RELATIVE_ERROR = 0.01
"""a: every percentile read from a sketch is within 1 % of the exact one (then rounded to ms)."""

GAMMA = (1 + RELATIVE_ERROR) / (1 - RELATIVE_ERROR)
_LOG_GAMMA = math.log(GAMMA)
_PAIR = struct.Struct("<HI")


def bucket(ms: float) -> int:
    return 0 if ms <= 0 else math.ceil(math.log(ms) / _LOG_GAMMA) + 1


def value(index: int) -> float:
    """The representative duration (ms) of a bucket."""
    return 0.0 if index == 0 else 2 * GAMMA ** (index - 1) / (GAMMA + 1)


def encode(counts: dict[int, int]) -> bytes:
    return b"".join(_PAIR.pack(b, n) for b, n in sorted(counts.items()) if n)


def decode(blob: bytes) -> dict[int, int]:
    return dict(_PAIR.iter_unpack(blob))


def of(durations: Iterable[float]) -> bytes:
    counts: dict[int, int] = {}
    for ms in durations:
        b = bucket(ms)
        counts[b] = counts.get(b, 0) + 1
    return encode(counts)


def merge(a: bytes | None, b: bytes | None) -> bytes:
    """Two blobs as one (the SQL function `sketch_merge`). A run's write merges a one-value blob
    into a period's blob of a hundred buckets or more: the smaller blob's buckets are found by
    binary search in the larger one's and patched in place, not both decoded and re-encoded."""
    if not a or not b:
        return a or b or b""
    if len(a) < len(b):
        a, b = b, a
    if sys.byteorder != "little":
        return encode(_added(decode(a), b))
    out = bytearray(a)
    buckets = memoryview(a).cast("H")[::3]  # a pair is three uint16: bucket, count low, high
    inserted = 0
    for index, n in _PAIR.iter_unpack(b):
        i = bisect_left(buckets, index)
        at = (i + inserted) * _PAIR.size
        if i < len(buckets) and buckets[i] == index:
            _PAIR.pack_into(out, at, index, _PAIR.unpack_from(out, at)[1] + n)
        else:
            out[at:at] = _PAIR.pack(index, n)
            inserted += 1
    return bytes(out)


def _added(counts: dict[int, int], blob: bytes) -> dict[int, int]:
    for index, n in _PAIR.iter_unpack(blob):
        counts[index] = counts.get(index, 0) + n
    return counts


def percentile(blob: bytes, pct: int) -> int:
    """Nearest-rank percentile (ms) of one blob, without numpy (a few blobs: estimates)."""
    pairs = list(_PAIR.iter_unpack(blob))
    rank = max(1, -(-pct * sum(n for _, n in pairs) // 100))
    seen = 0
    for index, n in pairs:
        seen += n
        if seen >= rank:
            return round(value(index))
    return 0
