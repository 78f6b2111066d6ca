"""The workloads: their arrays, generated alike in every subprocess from a
seed, and the seeded positions of the small reads.

Full runs use the seed array and 400 MB of float64 (a smooth random walk) as
1-D and as 2-D; ``--quick`` runs, a smoke check within two minutes, use the
seed and 50 MB of the same walk.
"""

import math

import numpy as np

WALK_SEED = 42
POSITION_SEED = 7

#: name -> (shape of a full run, shape of a quick run, chunks, dtype, what it is)
WORKLOADS = {
    "seed": ((10000, 1000), (10000, 1000), (1000, 100), "i4", "int32 arange"),
    "walk 1-D": ((50_000_000,), (6_250_000,), (1_048_576,), "f8", "float64 random walk"),
    "walk 2-D": ((20000, 2500), (2500, 2500), (1000, 2500), "f8", "float64 random walk"),
}


def spec(name, quick):
    """The workload's description: shape, chunks, dtype and a title."""
    full_shape, quick_shape, chunks, dtype, what = WORKLOADS[name]
    shape = quick_shape if quick else full_shape
    nbytes = math.prod(shape) * np.dtype(dtype).itemsize
    title = "%s %s %s, chunks %s (%d MB)" % (
        name, what, "x".join(map(str, shape)), "x".join(map(str, chunks)), round(nbytes / 1e6))
    return {"name": name, "shape": shape, "chunks": chunks, "dtype": dtype, "nbytes": nbytes,
            "title": title}


def generate(s):
    """The workload's array: arange for the seed, else a seeded cumulative sum
    of small normal steps."""
    n = math.prod(s["shape"])
    if s["name"] == "seed":
        return np.arange(n, dtype=s["dtype"]).reshape(s["shape"])
    steps = np.random.default_rng(WALK_SEED).normal(0, 1e-3, n)
    return np.cumsum(steps).astype(s["dtype"], copy=False).reshape(s["shape"])


def single_points(shape, count):
    """count seeded random positions in the array, as tuples of ints."""
    rng = np.random.default_rng(POSITION_SEED)
    starts = [rng.integers(0, n, count) for n in shape]
    return [tuple(int(s[i]) for s in starts) for i in range(count)]


def boxes(shape, count):
    """count seeded random selections: 10x10 boxes in 2-D, runs of 100
    elements in 1-D."""
    side = 10 if len(shape) == 2 else 100
    rng = np.random.default_rng(POSITION_SEED + 1)
    starts = [rng.integers(0, n - side + 1, count) for n in shape]
    return [tuple(slice(int(s[i]), int(s[i]) + side) for s in starts) for i in range(count)]


def row_halves(shape, chunks):
    """Two chunk-aligned row ranges (start, stop) that split the array."""
    rows, step = shape[0], chunks[0]
    mid = min(rows, math.ceil(math.ceil(rows / step) / 2) * step)
    return [(0, mid), (mid, rows)]
