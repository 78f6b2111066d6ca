"""Array benchmark: in-memory zarr arrays against numpy and the raw codec.

Whole-array write and read, the seed's slices and single-element reads, for
the seed array (int32 arange 10000x1000 in 1000x100 chunks) and 400 MB of
float64 (a smooth random walk) in 1 MB chunks. The raw codec figures are
``zarr.ext.compress`` / ``decompress`` on the same chunks, already cut out
as contiguous buffers: what the array adds is the rest. One thread.
Prints medians and ratios and writes them to bench/results/array.json.

    python bench/bench_array.py [--quick]
"""

import argparse
import json
import os
import platform

import numpy as np

import zarr
import zarr.ext as ext
from timing import median_latency, median_times, seed_and_walk

HERE = os.path.dirname(os.path.abspath(__file__))


def workloads(quick):
    (seed_name, seed, seed_chunks), (walk_name, walk, walk_chunks) = seed_and_walk(quick)
    return [
        (seed_name, seed, seed_chunks, 0),
        (walk_name, walk, walk_chunks, 0),
        (walk_name + ", blocksize 65536", walk, walk_chunks, 65536),
    ]


def chunk_blocks(a, chunks):
    """Each chunk of a as its own C-contiguous buffer (edge chunks padded)."""
    grid = [range(-(-n // c)) for n, c in zip(a.shape, chunks)]
    blocks = []
    for key in np.ndindex(*[len(g) for g in grid]):
        part = a[tuple(slice(k * c, (k + 1) * c) for k, c in zip(key, chunks))]
        block = np.zeros(chunks, a.dtype)
        block[tuple(slice(0, m) for m in part.shape)] = part
        blocks.append(block)
    return blocks


def bench_one(name, a, chunks, blocksize, repeat, nsingle):
    z = zarr.array(a, chunks=chunks, blocksize=blocksize, threads=1)
    blocks = chunk_blocks(a, chunks)
    itemsize = a.itemsize
    frames = [ext.compress(b, itemsize, z.cname, z.clevel, z.shuffle, blocksize) for b in blocks]
    outs = [np.empty_like(b) for b in blocks]
    into = np.empty_like(a)
    row = {"workload": name, "nbytes": a.nbytes, "cbytes": z.cbytes,
           "chunks": list(chunks), "nchunks": z.nchunks, "blocksize": blocksize,
           "frame blocksize": ext.cbuffer_sizes(frames[0])[2]}

    def raw_compress():
        for b in blocks:
            ext.compress(b, itemsize, z.cname, z.clevel, z.shuffle, blocksize)

    def raw_decompress():
        for f, o in zip(frames, outs):
            ext.decompress(f, o)

    def write():
        z[...] = a

    fns = {
        "raw compress": raw_compress,
        "raw decompress": raw_decompress,
        "write": write,
        "read": lambda: z[...],
        "read into": lambda: z.get_basic_selection(Ellipsis, out=into),
        "numpy copy into": lambda: np.copyto(into, a),
        "numpy copy new": lambda: a.copy(),
        "z[:100]": lambda: z[:100],
    }
    if a.ndim == 2:
        fns["z[:, :100]"] = lambda: z[:, :100]
    row.update(median_times(fns, repeat))
    rng = np.random.default_rng(7)
    points = [tuple(int(rng.integers(0, n)) for n in a.shape) for _ in range(nsingle)]
    row["single element"] = median_latency(z.__getitem__, points)
    row["numpy single element"] = median_latency(a.__getitem__, points)
    np.testing.assert_array_equal(z[...], a)
    return row


def report(rows):
    lines = [
        "| workload | ratio | raw c / d (s) | write (s) | read new / into (s) | write ÷ raw c "
        "| read into ÷ raw d | read new ÷ raw d | numpy copy into / new (s) | z[:100] (ms) "
        "| z[:, :100] (ms) | one element (µs) |",
        "|" + "---|" * 12,
    ]
    for r in rows:
        lines.append(
            "| %s | %.1f | %.4f / %.4f | %.4f | %.4f / %.4f | %.2f | %.2f | %.2f | %.4f / %.4f "
            "| %.2f | %s | %.1f |" % (
                r["workload"], r["nbytes"] / r["cbytes"], r["raw compress"],
                r["raw decompress"], r["write"], r["read"], r["read into"],
                r["write"] / r["raw compress"], r["read into"] / r["raw decompress"],
                r["read"] / r["raw decompress"], r["numpy copy into"], r["numpy copy new"],
                r["z[:100]"] * 1e3,
                "%.2f" % (r["z[:, :100]"] * 1e3) if "z[:, :100]" in r else "",
                r["single element"] * 1e6))
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller array, fewer repeats")
    args = parser.parse_args()
    repeat = 3 if args.quick else 9
    rows = []
    for name, a, chunks, blocksize in workloads(args.quick):
        rows.append(bench_one(name, a, chunks, blocksize, repeat, 2000))
        print(name, "done", flush=True)
    print()
    print("Medians of %d runs, one thread; ratios below 1.15 meet the target." % repeat)
    print(report(rows))
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "array.json"), "w") as f:
        json.dump({"machine": platform.machine(), "cpus": os.cpu_count(),
                   "blosc": ext.BLOSC_VERSION, "zarr": zarr.__engine_version__, "quick": args.quick,
                   "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
