"""The workloads: their arrays, generated alike in every subprocess from a
seed, and the seeded positions of the small reads and of the indexing.

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

#: Rows of the row selections, points of the point selection, the step of
#: the strided read and the share of elements the mask selects.
ROWS, POINTS, STEP, MASK_SHARE = 1000, 10_000, 512, 0.01


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


def random_rows(n, count):
    """count distinct seeded random rows of n in increasing order, and the
    same rows in a seeded random order."""
    rng = np.random.default_rng(POSITION_SEED + 2)
    rows = np.sort(rng.choice(n, count, replace=False))
    return rows, rng.permutation(rows)


def random_points(shape, count):
    """count seeded random positions in the array (repeats possible), as one
    index array per dimension."""
    rng = np.random.default_rng(POSITION_SEED + 3)
    return tuple(rng.integers(0, n, count) for n in shape)


def random_mask(shape, share):
    """A boolean array of shape, True at a seeded random round(share * size)
    of its elements."""
    n = math.prod(shape)
    rng = np.random.default_rng(POSITION_SEED + 4)
    mask = np.zeros(n, bool)
    mask[rng.choice(n, round(share * n), replace=False)] = True
    return mask.reshape(shape)


def indexing(s):
    """The workload's indexing operations: {name: (kind, argument, count)},
    kind "rows" (an index array of rows, every column), "points" (one index
    array per dimension), "mask" (a boolean array of the array's shape) or
    "basic" (a basic selection); ``a[argument]`` is numpy's answer to each;
    count is the number of rows, points or elements selected. The seed has
    the row and point selections, the 1-D walk a strided read, the 2-D walk
    the mask."""
    shape = s["shape"]
    if s["name"] == "seed":
        rows, shuffled = random_rows(shape[0], ROWS)
        return {"sorted rows": ("rows", rows, ROWS),
                "unsorted rows": ("rows", shuffled, ROWS),
                "points": ("points", random_points(shape, POINTS), POINTS)}
    if s["name"] == "walk 1-D":
        return {"z[::%d]" % STEP: ("basic", slice(None, None, STEP),
                                   len(range(0, shape[0], STEP)))}
    if s["name"] == "walk 2-D":
        mask = random_mask(shape, MASK_SHARE)
        return {"mask": ("mask", mask, int(mask.sum()))}
    return {}
