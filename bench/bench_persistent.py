"""Persistent-array benchmark: arrays in directories against the same arrays in memory.

Whole-array write and read of the seed array (int32 arange 10000x1000 in
1000x100 chunks) and of 400 MB of float64 (a smooth random walk) in 1 MB
chunks, to a temporary directory and in memory, in one run; the file system
work alone (the same compressed chunks written with ``write_file_atomic`` as
chunk files are, and read back with ``read_file``), so that the difference
can be named; opening the lazy 3.6 PB array; 50 appends of 1000 rows. One
thread. Prints medians and ratios and writes them to
bench/results/persistent.json.

    python bench/bench_persistent.py [--quick] [--dir DIR]
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import tempfile
import time

import numpy as np

import zarr
import zarr.ext as ext
from timing import median_times, seed_and_walk

HERE = os.path.dirname(os.path.abspath(__file__))


def bench_one(name, a, chunks, root, repeat):
    path = os.path.join(root, "a.zarr")
    z = zarr.open(path, mode="w", shape=a.shape, dtype=a.dtype, chunks=chunks, threads=1)
    m = zarr.create(a.shape, dtype=a.dtype, chunks=chunks, threads=1)
    z[...] = a
    m[...] = a
    into = np.empty_like(a)
    # The same frames, as files alone: what the file system costs.
    frames = [m._chunk(key).get_cdata() for key in np.ndindex(*m.cdata_shape)]
    files_dir = os.path.join(root, "frames")
    os.makedirs(files_dir, exist_ok=True)
    names = [os.path.join(files_dir, str(i)) for i in range(len(frames))]

    def write_files():
        for name_, frame in zip(names, frames):
            ext.write_file_atomic(name_, frame, exchange=True)

    def read_files():
        for name_ in names:
            ext.read_file(name_)

    def write_disk():
        z[...] = a

    def write_memory():
        m[...] = a

    fns = {
        "memory write": write_memory,
        "disk write": write_disk,
        "files write": write_files,
        "memory read into": lambda: m.get_basic_selection(Ellipsis, out=into),
        "disk read into": lambda: z.get_basic_selection(Ellipsis, out=into),
        "files read": read_files,
        "memory read": lambda: m[...],
        "disk read": lambda: z[...],
    }
    row = {"workload": name, "nbytes": a.nbytes, "cbytes": z.cbytes, "nchunks": z.nchunks}
    row.update(median_times(fns, repeat))
    np.testing.assert_array_equal(zarr.open(path, mode="r")[...], a)
    shutil.rmtree(path)
    shutil.rmtree(files_dir)
    return row


def bench_lazy_open(root, repeat):
    path = os.path.join(root, "big.zarr")
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        z = zarr.open(path, mode="w", shape=(1e8, 1e7), dtype="i4", chunks=(1000, 1000),
                      lazy=True)
        times.append(time.perf_counter() - t)
    z[0, 0] = 1
    reopen = []
    for _ in range(repeat):
        t = time.perf_counter()
        z = zarr.open(path, mode="r", lazy=True)
        n = z.nchunks_initialized
        reopen.append(time.perf_counter() - t)
    assert n == 1 and "nbytes: 3.6P" in repr(z)
    shutil.rmtree(path)
    return {"lazy create": statistics.median(times),
            "lazy reopen and count": statistics.median(reopen)}


def bench_appends(root, repeat):
    """50 appends of 1000 rows of the seed's width, in memory and on disk."""
    rows = np.arange(1000 * 1000, dtype="i4").reshape(1000, 1000)
    result = {}
    for where in ("memory", "disk"):
        times = []
        for i in range(repeat):
            if where == "memory":
                z = zarr.create((0, 1000), dtype="i4", chunks=(1000, 100))
            else:
                z = zarr.open(os.path.join(root, "app%d.zarr" % i), mode="w", shape=(0, 1000),
                              dtype="i4", chunks=(1000, 100))
            t = time.perf_counter()
            for _ in range(50):
                z.append(rows)
            times.append(time.perf_counter() - t)
            assert z.shape == (50000, 1000)
        result["50 appends " + where] = statistics.median(times)
    return result


def report(rows, extra):
    lines = [
        "| workload | ratio | write memory / disk (s) | disk ÷ memory | files alone (s) "
        "| read into memory / disk (s) | disk ÷ memory | files alone (s) "
        "| read new memory / disk (s) |",
        "|" + "---|" * 9,
    ]
    for r in rows:
        lines.append(
            "| %s | %.1f | %.4f / %.4f | %.2f | %.4f | %.4f / %.4f | %.2f | %.4f "
            "| %.4f / %.4f |" % (
                r["workload"], r["nbytes"] / r["cbytes"], r["memory write"], r["disk write"],
                r["disk write"] / r["memory write"], r["files write"],
                r["memory read into"], r["disk read into"],
                r["disk read into"] / r["memory read into"], r["files read"],
                r["memory read"], r["disk read"]))
    lines.append("")
    lines.append("| lazy 3.6 PB create (ms) | lazy reopen and count (ms) "
                 "| 50 appends of 1000 rows, memory / disk (s) |")
    lines.append("|---|---|---|")
    lines.append("| %.2f | %.2f | %.3f / %.3f |" % (
        extra["lazy create"] * 1e3, extra["lazy reopen and count"] * 1e3,
        extra["50 appends memory"], extra["50 appends disk"]))
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller array, fewer repeats")
    parser.add_argument("--dir", default=None, help="where to make the temporary directory")
    args = parser.parse_args()
    repeat = 3 if args.quick else 9
    root = tempfile.mkdtemp(prefix="zarr-bench-", dir=args.dir)
    try:
        rows = []
        for name, a, chunks in seed_and_walk(args.quick):
            rows.append(bench_one(name, a, chunks, root, repeat))
            print(name, "done", flush=True)
        extra = bench_lazy_open(root, repeat)
        extra.update(bench_appends(root, 3 if args.quick else 5))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print()
    print("Medians of %d runs, one thread, in %s; disk ÷ memory at most 1.3 meets the target."
          % (repeat, args.dir or tempfile.gettempdir()))
    print(report(rows, extra))
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "persistent.json"), "w") as f:
        json.dump({"machine": platform.machine(), "cpus": os.cpu_count(),
                   "dir": args.dir or tempfile.gettempdir(),
                   "blosc": ext.BLOSC_VERSION, "zarr": zarr.__engine_version__, "quick": args.quick,
                   "rows": rows, "lazy and appends": extra}, f, indent=1)


if __name__ == "__main__":
    main()
