"""Block-size benchmark: what blosc's block size costs and buys.

Whole-array write and read (one thread) and single-element reads of 400 MB
of float64 (a random walk) in 1 MB chunks, in memory, for blosc's own block
size and for smaller ones. Small blocks make a small read decompress less;
they make whole-array work dearer. Prints medians and writes them to
bench/results/blocks.json.

    python bench/bench_blocks.py [--quick]
"""

import argparse
import json
import os
import platform

import numpy as np

import zarr
import zarr.ext as ext
from timing import median_latency, median_times

HERE = os.path.dirname(os.path.abspath(__file__))

#: blocksize values as blosc takes them: for float64 with the byte shuffle,
#: blosc multiplies them by the item size (16384 gives 128 KB blocks).
BLOCKSIZES = (0, 16384, 32768, 65536)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller array, fewer repeats")
    args = parser.parse_args()
    n = 12_500_000 if args.quick else 50_000_000
    repeat = 3 if args.quick else 7
    walk = np.cumsum(np.random.default_rng(42).normal(0, 1, n))
    into = np.empty_like(walk)
    rng = np.random.default_rng(7)
    points = [(int(i),) for i in rng.integers(0, n, 2000)]
    runs = [slice(int(i), int(i) + 100) for i in rng.integers(0, n - 100, 500)]
    rows = []
    for blocksize in BLOCKSIZES:
        z = zarr.create(walk.shape, dtype=walk.dtype, chunks=(131072,), blocksize=blocksize)
        z[...] = walk
        frame = z._chunk((0,)).get_cdata()
        row = {"blocksize": blocksize, "block bytes": ext.cbuffer_sizes(frame)[2],
               "ratio": z.nbytes / z.cbytes}
        row.update(median_times({
            "write": lambda: z.set_basic_selection(Ellipsis, walk, threads=1),
            "read": lambda: z.get_basic_selection(Ellipsis, out=into, threads=1)}, repeat))
        row["one element"] = median_latency(z.__getitem__, points)
        row["100-element run"] = median_latency(z.__getitem__, runs)
        np.testing.assert_array_equal(z[...], walk)
        rows.append(row)
        print("blocksize", blocksize, "done", flush=True)
    base = rows[0]
    print()
    print("Medians, %d MB float64 walk in 1 MB chunks, one thread." % (walk.nbytes // 10**6))
    print("| blocksize | block | ratio | write (s) | read (s) | write / read ÷ blosc's choice "
          "| one element (µs) | 100-element run (µs) |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print("| %d | %d KB | %.3f | %.4f | %.4f | %.2f / %.2f | %.1f | %.1f |" % (
            r["blocksize"], r["block bytes"] // 1024, r["ratio"], r["write"], r["read"],
            r["write"] / base["write"], r["read"] / base["read"], r["one element"] * 1e6,
            r["100-element run"] * 1e6))
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "blocks.json"), "w") as f:
        json.dump({"machine": platform.machine(), "cpus": os.cpu_count(),
                   "blosc": ext.BLOSC_VERSION, "zarr": zarr.__engine_version__, "quick": args.quick,
                   "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
