"""Codec benchmark: zarr.ext against the blosc package and a memory copy.

Times the compression and decompression of 1 MB chunks, one thread, and the
throughput of two threads working on separate chunks against one thread.
Prints medians and ratios, and writes them to bench/results/codec.json.

    python bench/bench_codec.py [--quick]
"""

import argparse
import json
import os
import platform

import numpy as np

import zarr.ext as ext
from timing import in_threads, median_times

try:
    import blosc
except ImportError:  # the bench extra installs it
    blosc = None

CHUNK = 1 << 20
HERE = os.path.dirname(os.path.abspath(__file__))


def datasets(nchunks):
    rng = np.random.default_rng(42)
    n = nchunks * CHUNK
    walk = np.cumsum(rng.normal(0, 1, n // 8))
    arange = np.arange(n // 4, dtype="i4")
    return {
        "random walk f8": walk.reshape(nchunks, -1),
        "arange i4": arange.reshape(nchunks, -1),
    }


def bench_one(name, chunks, cname, clevel, shuffle, repeat):
    itemsize = chunks.dtype.itemsize
    n = len(chunks)
    frames = [ext.compress(c, itemsize, cname, clevel, shuffle) for c in chunks]
    out = np.empty_like(chunks)
    row = {"data": name, "cname": cname, "clevel": clevel, "shuffle": shuffle,
           "ratio": chunks.nbytes / sum(map(len, frames)), "chunks": n}

    def ours_c():
        for c in chunks:
            ext.compress(c, itemsize, cname, clevel, shuffle)

    def ours_d():
        for f, o in zip(frames, out):
            ext.decompress(f, o)

    def copy():
        np.copyto(out, chunks)

    fns = {"zarr.ext compress": ours_c, "zarr.ext decompress": ours_d, "memory copy": copy}

    if blosc is not None:
        blosc.set_nthreads(1)
        bframes = [blosc.compress(c, itemsize, clevel, shuffle, cname) for c in chunks]

        def theirs_c():
            for c in chunks:
                blosc.compress(c, itemsize, clevel, shuffle, cname)

        def theirs_d():
            for f, o in zip(bframes, out):
                blosc.decompress_ptr(f, o.ctypes.data)

        fns["blosc compress"] = theirs_c
        fns["blosc decompress"] = theirs_d

    def part(i, k):
        return range(i * n // k, (i + 1) * n // k)

    def threads_c(k):
        def work(i, k):
            for j in part(i, k):
                ext.compress(chunks[j], itemsize, cname, clevel, shuffle)
        return lambda: in_threads(work, k)

    def threads_d(k):
        def work(i, k):
            for j in part(i, k):
                ext.decompress(frames[j], out[j])
        return lambda: in_threads(work, k)

    for k in (1, 2):
        fns["%d-thread compress" % k] = threads_c(k)
        fns["%d-thread decompress" % k] = threads_d(k)
    row.update(median_times(fns, repeat))
    return row


def report(rows):
    lines = []
    head = ("| data | codec | ratio | zarr.ext c / d (ms) | blosc pkg c / d (ms) | "
            "blosc pkg ÷ zarr.ext c / d | copy (ms) | 2 threads ÷ 1 c / d |")
    lines.append(head)
    lines.append("|" + "---|" * 8)
    for r in rows:
        per = 1e3 / r["chunks"]
        oc, od = r["zarr.ext compress"], r["zarr.ext decompress"]
        bc, bd = r.get("blosc compress"), r.get("blosc decompress")
        theirs = "%.3f / %.3f" % (bc * per, bd * per) if bc else "n/a"
        ratio = "%.2f / %.2f" % (bc / oc, bd / od) if bc else "n/a"
        sc = r["1-thread compress"] / r["2-thread compress"]
        sd = r["1-thread decompress"] / r["2-thread decompress"]
        lines.append("| %s | %s %d %s | %.2f | %.3f / %.3f | %s | %s | %.3f | %.2f / %.2f |" % (
            r["data"], r["cname"], r["clevel"], ext.SHUFFLE_NAMES[r["shuffle"]], r["ratio"],
            oc * per, od * per, theirs, ratio, r["memory copy"] * per, sc, sd))
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer chunks and repeats")
    args = parser.parse_args()
    nchunks, repeat = (32, 5) if args.quick else (256, 9)
    codecs = [("blosclz", 5, 1), ("lz4", 5, 1), ("zstd", 3, 1)]
    rows = []
    for name, chunks in datasets(nchunks).items():
        for cname, clevel, shuffle in codecs:
            rows.append(bench_one(name, chunks, cname, clevel, shuffle, repeat))
            print(rows[-1]["data"], cname, "done", flush=True)
    table = report(rows)
    print()
    print("Per 1 MB chunk, medians of %d runs over %d chunks; ratios above 1 mean "
          "zarr.ext is faster." % (repeat, nchunks))
    print(table)
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "codec.json"), "w") as f:
        json.dump({"machine": platform.machine(), "cpus": os.cpu_count(),
                   "blosc": ext.BLOSC_VERSION, "quick": args.quick, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
