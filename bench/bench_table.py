"""Table benchmark: a DataFrame written with from_pandas against its columns
written one by one as arrays.

The workload: 10,000,000 rows by 10 float64 columns, each a smooth random
walk (seeded cumulative sums of normal steps, as the other benchmarks' walk),
in chunks of 131,072 rows (1 MB), in memory and in a temporary directory.
``from_pandas`` writes the ten columns side by side on the shared thread
pool; the one-by-one baseline writes each column with ``zarr.array`` (in
memory) or ``zarr.open`` and ``z[...] = column`` (on disk), each of those
writes using the pool within its column. Reads likewise: ``to_pandas``
against ``z[...]`` of each array. Default threads (the machine's cores).
Prints medians and ratios and writes them to bench/results/table.json.

    python bench/bench_table.py [--quick] [--dir DIR]
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
import pandas as pd

import zarr
import zarr.ext as ext

HERE = os.path.dirname(os.path.abspath(__file__))
CHUNKS = 131072


def frame(nrows, ncols):
    rng = np.random.default_rng(42)
    return pd.DataFrame({"c%d" % i: np.cumsum(rng.normal(0, 1, nrows)) for i in range(ncols)})


def median_times_fresh(cases, repeat):
    """Median wall time of each case's run(), in alternation, the order
    reversed every other round so that neither always follows the other;
    each case's setup() (clearing the last output) runs before, untimed."""
    for setup, run in cases.values():
        setup()
        run()  # warm up: page faults, caches
    times = {name: [] for name in cases}
    names = list(cases)
    for i in range(repeat):
        for name in names if i % 2 == 0 else names[::-1]:
            setup, run = cases[name]
            setup()
            t = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - t)
    return {name: statistics.median(ts) for name, ts in times.items()}


def bench(df, root, repeat):
    columns = [df[name].to_numpy() for name in df.columns]
    out = {}

    def memory_table():
        out["memory table"] = zarr.from_pandas(df, zarr.group(), chunks=CHUNKS)

    def memory_arrays():
        out["memory arrays"] = [zarr.array(c, chunks=CHUNKS) for c in columns]

    table_path = os.path.join(root, "table.zarr")
    arrays_path = os.path.join(root, "arrays")

    def disk_table():
        out["disk table"] = zarr.from_pandas(df, table_path, chunks=CHUNKS)

    def disk_arrays():
        arrays = []
        for name, c in zip(df.columns, columns):
            z = zarr.open(os.path.join(arrays_path, name), mode="w", shape=c.shape,
                          dtype=c.dtype, chunks=CHUNKS)
            z[...] = c
            arrays.append(z)
        out["disk arrays"] = arrays

    def clear(path):
        def setup():
            out.clear()
            shutil.rmtree(path, ignore_errors=True)
            os.sync()  # the last run's write-back, and the removal, fall on no timed run
        return setup

    def clear_memory():
        out.clear()

    # Memory and disk apart: the disk runs' write-back would slow the memory runs after them.
    writes = median_times_fresh({
        "memory from_pandas": (clear_memory, memory_table),
        "memory one by one": (clear_memory, memory_arrays),
    }, repeat)
    writes.update(median_times_fresh({
        "disk from_pandas": (clear(table_path), disk_table),
        "disk one by one": (clear(arrays_path), disk_arrays),
    }, repeat))

    memory_table()
    memory_arrays()
    disk_table()
    disk_arrays()
    reopened = zarr.open_table(table_path)
    pd.testing.assert_frame_equal(reopened.to_pandas(), df)
    for z, c in zip(out["memory arrays"], columns):
        np.testing.assert_array_equal(z[...], c)

    def read_arrays(arrays):
        return lambda: [z[...] for z in arrays]

    os.sync()
    reads = median_times_fresh({
        "memory to_pandas": (lambda: None, out["memory table"].to_pandas),
        "memory one by one": (lambda: None, read_arrays(out["memory arrays"])),
    }, repeat)
    reads.update(median_times_fresh({
        "disk to_pandas": (lambda: None, reopened.to_pandas),
        "disk one by one": (lambda: None, read_arrays(out["disk arrays"])),
    }, repeat))
    cbytes = sum(z.cbytes for z in out["memory arrays"])
    return writes, reads, cbytes


def report(writes, reads, nbytes, cbytes):
    lines = ["| where | write: from_pandas / one by one (s) | ratio "
             "| read: to_pandas / one by one (s) | ratio |", "|---|---|---|---|---|"]
    for where in ("memory", "disk"):
        w = (writes[where + " from_pandas"], writes[where + " one by one"])
        r = (reads[where + " to_pandas"], reads[where + " one by one"])
        lines.append("| %s | %.3f / %.3f | %.2f | %.3f / %.3f | %.2f |"
                     % (where, w[0], w[1], w[0] / w[1], r[0], r[1], r[0] / r[1]))
    lines.append("")
    lines.append("%.0f MB of float64, stored in %.0f MB (ratio %.2f)."
                 % (nbytes / 1e6, cbytes / 1e6, nbytes / cbytes))
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the rows, fewer repeats")
    parser.add_argument("--dir", default=None, help="where to make the temporary directory")
    args = parser.parse_args()
    nrows = 1_000_000 if args.quick else 10_000_000
    repeat = 3 if args.quick else 15
    df = frame(nrows, 10)
    root = tempfile.mkdtemp(prefix="zarr-bench-", dir=args.dir)
    try:
        writes, reads, cbytes = bench(df, root, repeat)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    nbytes = int(df.memory_usage(index=False).sum())
    print("%d rows x 10 float64 columns (random walks), chunks of %d rows; medians of %d runs, "
          "%d threads, in %s; from_pandas / one by one at most 1 meets the target."
          % (nrows, CHUNKS, repeat, zarr.get_threads(), args.dir or tempfile.gettempdir()))
    print(report(writes, reads, nbytes, cbytes))
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "table.json"), "w") as f:
        json.dump({"machine": platform.machine(), "cpus": os.cpu_count(),
                   "threads": zarr.get_threads(), "dir": args.dir or tempfile.gettempdir(),
                   "blosc": ext.BLOSC_VERSION, "zarr": zarr.__engine_version__,
                   "pandas": pd.__version__, "quick": args.quick, "rows": nrows, "columns": 10,
                   "chunks": CHUNKS, "repeat": repeat, "nbytes": nbytes, "cbytes": cbytes,
                   "write": writes, "read": reads}, f, indent=1)


if __name__ == "__main__":
    main()
