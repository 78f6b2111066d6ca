"""Block-wise reductions against dask: zarr.chunked.asum and amax over 400 MB
of float64 on disk, beside ``dask.array.from_array(z).sum()`` with the
threaded scheduler (dask's own chunking, and the array's chunks), and beside
reading the whole array and summing it with numpy.

Prints medians and ratios and writes bench/results/chunked.json.

    python bench/bench_chunked.py [--quick] [--dir DIR]
"""

import argparse
import json
import os
import platform
import shutil
import tempfile

import dask
import dask.array as da
import numpy as np

import zarr
from zarr import chunked
from timing import median_times

HERE = os.path.dirname(os.path.abspath(__file__))


def walk(n):
    return np.cumsum(np.random.default_rng(42).normal(0, 1, n))


def bench_one(name, a, chunks, root, repeat):
    path = os.path.join(root, "walk.zarr")
    z = zarr.open(path, mode="w", shape=a.shape, dtype=a.dtype, chunks=chunks)
    z[...] = a
    want_sum, want_max = a.sum(), a.max()
    fns = {
        "chunked.asum": lambda: chunked.asum(z),
        "dask sum (from_array chunks)": lambda: da.from_array(z).sum().compute(),
        "dask sum (the array's chunks)": lambda: da.from_array(z, chunks=z.chunks).sum()
        .compute(),
        "chunked.amax": lambda: chunked.amax(z),
        "dask max (the array's chunks)": lambda: da.from_array(z, chunks=z.chunks).max()
        .compute(),
        "read all, numpy sum": lambda: z[...].sum(),
    }
    for label, fn in fns.items():
        got = fn()
        want = want_max if "max" in label else want_sum
        assert np.isclose(got, want, rtol=1e-9), (label, got, want)
    row = {"workload": name}
    row.update(median_times(fns, repeat))
    shutil.rmtree(path)
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 MB and fewer repeats")
    parser.add_argument("--dir", default=None, help="where the array is written")
    args = parser.parse_args()
    dask.config.set(scheduler="threads")
    n = 12_500_000 if args.quick else 50_000_000
    repeat = 3 if args.quick else 7
    a = walk(n)
    root = tempfile.mkdtemp(dir=args.dir, prefix="bench-chunked-")
    rows = []
    try:
        for chunks in [(1_000_000,), (131072,)]:
            name = "%d MB f8 walk on disk, chunks of %d" % (a.nbytes // 10**6, chunks[0])
            rows.append(bench_one(name, a, chunks, root, repeat))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    for row in rows:
        print(row["workload"])
        base = row["chunked.asum"]
        for key, value in row.items():
            if key == "workload":
                continue
            print("  %-32s %8.4f s  %5.2fx chunked.asum" % (key, value, value / base))
    result = {"machine": platform.machine(), "cores": os.cpu_count(),
              "threads": zarr.get_threads(), "quick": args.quick, "rows": rows}
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "chunked.json"), "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
