"""Thread benchmark: how whole-array reads and writes scale with threads.

Two ways to put both cores to work are compared on the same chunks: the
array's own pool, which runs whole chunks side by side (``threads=``), and
blosc's internal threads, which split one chunk's blocks between threads
(``zarr.ext.compress(..., nthreads=)``, chunks one after another). Arrays in
memory and in a temporary directory; the seed array and 400 MB of float64.
Prints medians and speedups and writes them to bench/results/threads.json.

    python bench/bench_threads.py [--quick] [--dir DIR]
"""

import argparse
import json
import os
import platform
import shutil
import tempfile

import numpy as np

import zarr
import zarr.ext as ext
from timing import median_times, seed_and_walk

HERE = os.path.dirname(os.path.abspath(__file__))


def bench_one(name, a, chunks, root, repeat, counts):
    into = np.empty_like(a)
    row = {"workload": name}
    arrays = {"memory": zarr.array(a, chunks=chunks),
              "disk": zarr.open(os.path.join(root, "a.zarr"), mode="w", shape=a.shape,
                                dtype=a.dtype, chunks=chunks)}
    arrays["disk"][...] = a
    fns = {}
    for where, z in arrays.items():
        for n in counts:
            fns["%s write %d" % (where, n)] = (
                lambda z=z, n=n: z.set_basic_selection(Ellipsis, a, threads=n))
            fns["%s read %d" % (where, n)] = (
                lambda z=z, n=n: z.get_basic_selection(Ellipsis, out=into, threads=n))
    # blosc's internal threads: the chunks of a 1-D array one after another.
    if a.ndim == 1:
        z = arrays["memory"]
        blocks = [np.ascontiguousarray(a[i:i + chunks[0]]) for i in range(0, a.size, chunks[0])]
        blocks[-1] = np.resize(blocks[-1], chunks)
        frames = [ext.compress(b, 8, z.cname, z.clevel, z.shuffle, z.blocksize) for b in blocks]
        outs = [np.empty_like(b) for b in blocks]
        for n in (1, 2):
            fns["blosc compress nthreads %d" % n] = lambda n=n: [
                ext.compress(b, 8, z.cname, z.clevel, z.shuffle, z.blocksize, n) for b in blocks]
            fns["blosc decompress nthreads %d" % n] = lambda n=n: [
                ext.decompress(f, o, nthreads=n) for f, o in zip(frames, outs)]
    row.update(median_times(fns, repeat))
    np.testing.assert_array_equal(arrays["disk"][...], a)
    shutil.rmtree(os.path.join(root, "a.zarr"))
    return row


def report(rows, counts):
    lines = ["| workload | where | write (s) by threads %s | read (s) by threads %s "
             "| write / read speedup at 2 |" % ("/".join(map(str, counts)),
                                               "/".join(map(str, counts))),
             "|---|---|---|---|---|"]
    for r in rows:
        for where in ("memory", "disk"):
            w = [r["%s write %d" % (where, n)] for n in counts]
            d = [r["%s read %d" % (where, n)] for n in counts]
            lines.append("| %s | %s | %s | %s | %.2f / %.2f |" % (
                r["workload"], where, " / ".join("%.4f" % x for x in w),
                " / ".join("%.4f" % x for x in d), w[0] / w[1], d[0] / d[1]))
    for r in rows:
        if "blosc compress nthreads 1" in r:
            lines.append("")
            lines.append("blosc's internal threads, %s, chunk after chunk: compress %.4f s with 1, "
                         "%.4f s with 2; decompress %.4f s with 1, %.4f s with 2" % (
                             r["workload"], r["blosc compress nthreads 1"],
                             r["blosc compress nthreads 2"], r["blosc decompress nthreads 1"],
                             r["blosc decompress nthreads 2"]))
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller array, fewer repeats")
    parser.add_argument("--dir", default=None, help="where to make the temporary directory")
    args = parser.parse_args()
    repeat = 3 if args.quick else 9
    counts = (1, 2, 4)
    root = tempfile.mkdtemp(prefix="zarr-bench-", dir=args.dir)
    try:
        rows = []
        for name, a, chunks in seed_and_walk(args.quick):
            rows.append(bench_one(name, a, chunks, root, repeat, counts))
            print(name, "done", flush=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print()
    print("Medians of %d runs on %d cores, in %s." % (
        repeat, len(os.sched_getaffinity(0)), args.dir or tempfile.gettempdir()))
    print(report(rows, counts))
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "threads.json"), "w") as f:
        json.dump({"machine": platform.machine(), "cpus": os.cpu_count(),
                   "dir": args.dir or tempfile.gettempdir(), "blosc": ext.BLOSC_VERSION,
                   "zarr": zarr.__version__, "quick": args.quick, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
