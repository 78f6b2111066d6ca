"""The codecs of the Zarr v2 format: zarr.codecs against numcodecs.

zstd, lz4, zlib and gzip at numcodecs' default options (and zstd at level
3), encoding and decoding 1 MB chunks of three kinds of data, one thread:
ours here, numcodecs' in a subprocess of the interop environment
(.venv-interop, which the tests make), on the same chunks saved to a file.
Decoding writes into an existing array on both sides (``decode(buf, out)``).
Prints the medians and ours / numcodecs (below 1: ours faster), and writes
them to bench/results/codecs.json.

    python bench/bench_codecs.py [--quick]
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
INTEROP_PYTHON = os.path.join(ROOT, ".venv-interop", "bin", "python")
CHUNK = 1 << 20

#: name -> (numcodecs id, options): both sides make the codec from these.
CODECS = {
    "zstd level 0": ("zstd", {"level": 0}),
    "zstd level 3": ("zstd", {"level": 3}),
    "lz4": ("lz4", {"acceleration": 1}),
    "zlib level 1": ("zlib", {"level": 1}),
    "gzip level 1": ("gzip", {"level": 1}),
}


def datasets(nchunks):
    """Realistic chunks: a float64 random walk (a measurement), an int16
    sensor signal with noise, and an int32 index column (sorted with gaps)."""
    rng = np.random.default_rng(7)
    n = nchunks * CHUNK
    walk = np.cumsum(rng.normal(0, 1, n // 8))
    t = np.arange(n // 2)
    sensor = (1000 * np.sin(t / 500.0) + rng.normal(0, 20, n // 2)).astype("<i2")
    index = np.cumsum(rng.integers(0, 4, n // 4)).astype("<i4")
    return {"f8 random walk": walk.reshape(nchunks, -1),
            "i2 noisy sensor": sensor.reshape(nchunks, -1),
            "i4 sorted index": index.reshape(nchunks, -1)}


def median_times(fns, repeat):
    for fn in fns.values():
        fn()
    times = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(ts) for name, ts in times.items()}


def measure(make, data, repeat):
    """{data: {codec: {encode, decode, ratio}}} for codecs made by make(id, options)."""
    results = {}
    for dname, chunks in data.items():
        out = np.empty_like(chunks)
        results[dname] = {}
        for cname, (cid, options) in CODECS.items():
            codec = make(cid, options)
            frames = [codec.encode(c) for c in chunks]

            def encode():
                for c in chunks:
                    codec.encode(c)

            def decode():
                for f, o in zip(frames, out):
                    codec.decode(f, o)

            times = median_times({"encode": encode, "decode": decode}, repeat)
            decode()
            assert np.array_equal(out, chunks)
            times["ratio"] = chunks.nbytes / sum(len(memoryview(f).cast("B")) for f in frames)
            results[dname][cname] = times
    return results


def peer(data_path, out_path, repeat):
    """The numcodecs side (run by the interop python, isolated)."""
    import numcodecs
    with np.load(data_path) as f:
        data = {name.replace("_", " "): f[name] for name in f.files}
    results = measure(lambda cid, options: numcodecs.get_codec(dict(options, id=cid)), data,
                      repeat)
    results["versions"] = {"numcodecs": numcodecs.__version__, "numpy": np.__version__}
    with open(out_path, "w") as f:
        json.dump(results, f)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--peer", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.peer:
        peer(args.peer[0], args.peer[1], int(args.peer[2]))
        return
    sys.path.insert(0, ROOT)
    import zarr
    from zarr.codecs import get_codec

    nchunks, repeat = (8, 3) if args.quick else (32, 5)
    data = datasets(nchunks)
    ours = measure(lambda cid, options: get_codec(dict(options, id=cid)), data, repeat)
    theirs = None
    if os.path.exists(INTEROP_PYTHON):
        with tempfile.TemporaryDirectory() as tmp:
            data_path = os.path.join(tmp, "data.npz")
            np.savez(data_path, **{name.replace(" ", "_"): a for name, a in data.items()})
            out_path = os.path.join(tmp, "numcodecs.json")
            subprocess.run([INTEROP_PYTHON, "-I", os.path.abspath(__file__), "--peer",
                            data_path, out_path, str(repeat)], check=True, cwd=tmp)
            with open(out_path) as f:
                theirs = json.load(f)
    else:
        print("no %s: numcodecs' side not measured (the interop tests make it)"
              % INTEROP_PYTHON)
    rows = []
    print("%d chunks of 1 MB, medians of %d, one thread; ratio = ours / numcodecs"
          % (nchunks, repeat))
    print("| data | codec | compression ratio | encode ours (ms) | encode numcodecs (ms) | "
          "ratio | decode ours (ms) | decode numcodecs (ms) | ratio |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for dname in data:
        for cname in CODECS:
            o = ours[dname][cname]
            t = theirs[dname][cname] if theirs else None
            row = {"data": dname, "codec": cname, "compression": o["ratio"],
                   "encode": o["encode"], "decode": o["decode"]}
            cells = ["%.2f" % o["ratio"], "%.1f" % (1e3 * o["encode"])]
            if t:
                row.update(numcodecs_encode=t["encode"], numcodecs_decode=t["decode"],
                           numcodecs_compression=t["ratio"])
                cells += ["%.1f" % (1e3 * t["encode"]), "%.2f" % (o["encode"] / t["encode"])]
            else:
                cells += ["-", "-"]
            cells.append("%.1f" % (1e3 * o["decode"]))
            if t:
                cells += ["%.1f" % (1e3 * t["decode"]), "%.2f" % (o["decode"] / t["decode"])]
            else:
                cells += ["-", "-"]
            print("| %s | %s | %s |" % (dname, cname, " | ".join(cells)))
            rows.append(row)
    result = {"machine": platform.machine(), "python": platform.python_version(),
              "zarr": zarr.__engine_version__, "quick": args.quick, "nchunks": nchunks,
              "repeat": repeat, "peer": theirs.get("versions") if theirs else None,
              "rows": rows}
    if not args.quick:
        with open(os.path.join(HERE, "results", "codecs.json"), "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
