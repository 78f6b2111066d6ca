"""Delayed chains over an array on disk: zarr.delayed against dask.array over
the same array, blosc2's lazy expressions over the same values in a .b2nd
file, and numpy with the array in memory.

The array is a 2-D random walk, 20000x2500 float64 (400 MB; 2500x2500 with
--quick), its absolute value (so that log1p and sqrt are defined), in 1000-row
chunks (20 MB), blosc lz4 level 5 with byte shuffle for ours and blosc2
alike. Each contender runs in a process of its own: it opens the array
(untimed), then computes each chain --repeats times; the figure is the
median, and the memory is the growth of the process's peak resident size
(``VmHWM``, reset by ``/proc/self/clear_refs`` once the array is open) over
its resident size then.

    .venv/bin/python bench/bench_delayed.py [--quick]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import zarr  # noqa: E402
from bench.peers import environment  # noqa: E402

CHAINS = {
    "log1p(x / scaling).sum(axis=0)": "np.log1p(x / scaling).sum(axis=0)",
    "sqrt(x * 2 + 1).mean()": "np.sqrt(x * 2 + 1).mean()",
}

CHILD = r'''
import json, statistics, sys, time
import numpy as np
kind, path, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
chains = json.loads(sys.argv[4])
scaling = np.linspace(1, 2, %(ncol)d)
if kind == "ours":
    import zarr
    from zarr.delayed import DelayedArray
    x = DelayedArray(zarr.open(path, mode="r"))
    run = lambda expr: np.asarray(eval(expr))
elif kind == "dask":
    import dask, dask.array as da, zarr
    z = zarr.open(path, mode="r")
    x = da.from_array(z, chunks=z.chunks)
    run = lambda expr: np.asarray(eval(expr).compute())
elif kind == "numpy":
    import zarr
    x = zarr.open(path, mode="r")[...]
    run = lambda expr: np.asarray(eval(expr))
else:
    import blosc2
    x = blosc2.open(path)
    def run(expr):
        out = eval(expr.replace("np.", "blosc2."))
        return np.asarray(out[()] if hasattr(out, "compute") else out)
def status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
start = status("VmRSS")
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # the peak resident size starts again from here
times, values = {}, {}
for name, expr in chains.items():
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        value = run(expr)
        ts.append(time.perf_counter() - t0)
    times[name] = statistics.median(ts)
    values[name] = np.asarray(value, dtype="f8").ravel()[:5].tolist()
print(json.dumps({"times": times, "values": values, "start_mb": start,
                  "growth_mb": status("VmHWM") - start}))
'''

WRITE_B2ND = r'''
import sys
import numpy as np, blosc2
data = np.load(sys.argv[1], mmap_mode="r")
blosc2.asarray(np.ascontiguousarray(data), urlpath=sys.argv[2], mode="w", chunks=(1000, data.shape[1]),
               cparams={"codec": blosc2.Codec.LZ4, "clevel": 5})
'''


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "delayed"))
    args = parser.parse_args()
    nrow, ncol = (2500, 2500) if args.quick else (20000, 2500)
    work = tempfile.mkdtemp(prefix="bench-delayed-")
    try:
        rng = np.random.default_rng(0)
        data = np.abs(np.cumsum(rng.standard_normal((nrow, ncol)), axis=0))
        zpath = os.path.join(work, "walk.zarr")
        z = zarr.open(zpath, mode="w", shape=data.shape, chunks=(1000, ncol), dtype="f8",
                      cname="lz4", clevel=5, shuffle=1)
        z[...] = data
        npy = os.path.join(work, "walk.npy")
        np.save(npy, data)
        want = {name: np.asarray(eval(expr, {"np": np, "x": data,
                                             "scaling": np.linspace(1, 2, ncol)}),
                                 dtype="f8").ravel()[:5]
                for name, expr in CHAINS.items()}
        del data
        bench_python, status = environment.ensure()
        b2nd = os.path.join(work, "walk.b2nd")
        contenders = {"ours": (sys.executable, zpath), "dask": (sys.executable, zpath),
                      "numpy": (sys.executable, zpath)}
        if status.get("blosc2") == "installed":
            subprocess.run([bench_python, "-c", WRITE_B2ND, npy, b2nd], check=True, cwd="/")
            contenders["blosc2"] = (bench_python, b2nd)
        os.unlink(npy)
        child = CHILD % {"ncol": ncol}
        results = {}
        for kind, (python, path) in contenders.items():
            done = subprocess.run([python, "-c", child, kind, path, str(args.repeats),
                                   json.dumps(CHAINS)], capture_output=True, text=True, cwd="/")
            if done.returncode:
                results[kind] = {"error": done.stderr.strip().splitlines()[-1]}
                continue
            results[kind] = json.loads(done.stdout)
            for name in CHAINS:
                got = np.asarray(results[kind]["values"][name])
                if not np.allclose(got, want[name], rtol=1e-9):
                    results[kind]["error"] = "%s: %s, expected %s" % (name, got, want[name])
            print(kind, json.dumps(results[kind]), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    size_mb = nrow * ncol * 8 / 1e6
    lines = ["Delayed chains over a %dx%d float64 array (%.0f MB) on disk, medians of %d; "
             "each figure is followed by its ratio to ours." % (nrow, ncol, size_mb,
                                                                args.repeats), "",
             "| chain | " + " | ".join(results) + " |", "|---|" + "---|" * len(results)]
    ours = results.get("ours", {}).get("times", {})
    for name in CHAINS:
        cells = []
        for kind, r in results.items():
            if "error" in r:
                cells.append("error: " + r["error"][:60])
                continue
            t = r["times"][name]
            cells.append("%.3f s" % t + ("" if kind == "ours" or name not in ours
                                         else " (%.2f)" % (t / ours[name])))
        lines.append("| %s | %s |" % (name, " | ".join(cells)))
    lines.append("| peak memory growth (MB) | " + " | ".join(
        "%.0f" % r["growth_mb"] if "growth_mb" in r else "" for r in results.values()) + " |")
    text = "\n".join(lines) + "\n"
    print(text)
    with open(args.out + ".md", "w") as f:
        f.write(text)
    with open(args.out + ".json", "w") as f:
        json.dump({"shape": [nrow, ncol], "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
