"""The sharded store against the directory store, in two builds side by side.

Each build runs the same child script in its own process (the project's
.venv, and the python given by --before, a build of another commit in a
worktree of its own), the two alternating run after run; each figure is
the median over the runs of each run's median. Reads (default): the seed
array (int32 10000x1000, chunks 1000x100) read whole, into an existing
array, in slices, single elements, rows and points, from a ShardedStore and
from a nested-key directory; the ratio sharded ÷ directory of each build.
Writes (--writes): the seed and the 400 MB 1-D walk written over and over,
their time and the bytes stored after.

    .venv/bin/python bench/bench_sharded.py --before /work/before/.venv/bin/python
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

READS = r'''
import json, statistics, tempfile, time
import numpy as np, zarr
from zarr.storage import ShardedStore
a = np.arange(10_000_000, dtype="i4").reshape(10000, 1000)
d = tempfile.mkdtemp()
for path, store in ((d + "/s", ShardedStore(d + "/s")), (d + "/d", d + "/d")):
    zarr.open(store, mode="w", shape=a.shape, chunks=(1000, 100), dtype=a.dtype)[:] = a
zs, zd = zarr.open(ShardedStore(d + "/s"), mode="r"), zarr.open(d + "/d", mode="r")
out = np.empty_like(a)
rng = np.random.default_rng(0)
rows = np.sort(rng.choice(10000, 1000, replace=False))
pi, pj = rng.integers(0, 10000, 10000), rng.integers(0, 1000, 10000)
ops = {
    "read (new array)": (lambda z: z[...], 11),
    "read into an existing array": (lambda z: z.get_basic_selection(out=out), 21),
    "z[:100]": (lambda z: z[:100], 101),
    "z[:, :100]": (lambda z: z[:, :100], 101),
    "one element": (lambda z: z[5000, 500], 1001),
    "10x10 box": (lambda z: z[5000:5010, 500:510], 1001),
    "1,000 rows": (lambda z: z.oindex[rows, :], 11),
    "10,000 points": (lambda z: z.vindex[pi, pj], 11),
}
res = {}
for name, (f, n) in ops.items():
    times = {"s": [], "d": []}
    for _ in range(n):
        for k, z in (("s", zs), ("d", zd)):
            t0 = time.perf_counter()
            f(z)
            times[k].append(time.perf_counter() - t0)
    res[name] = [statistics.median(times["s"]), statistics.median(times["d"])]
print(json.dumps(res))
'''

WRITES = r'''
import json, os, shutil, statistics, tempfile, time
import numpy as np, zarr
from zarr.storage import ShardedStore
def stored(p):
    return sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(p) for f in fs)
d = tempfile.mkdtemp()
seed = np.arange(10_000_000, dtype="i4").reshape(10000, 1000)
walk = np.cumsum(np.random.default_rng(0).standard_normal(50_000_000))
res = {}
for name, a, chunks, n in (("seed", seed, (1000, 100), 15), ("walk 1-D", walk, (1048576,), 5)):
    for kind in ("sharded", "directory"):
        p = os.path.join(d, name + kind)
        z = zarr.open(ShardedStore(p) if kind == "sharded" else p, mode="w", shape=a.shape,
                      chunks=chunks, dtype=a.dtype)
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            z[...] = a
            times.append(time.perf_counter() - t0)
        res[name + ", " + kind] = [statistics.median(times), stored(p) / 1e6]
shutil.rmtree(d)
print(json.dumps(res))
'''


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="the python of the other build")
    parser.add_argument("--writes", action="store_true", help="writes instead of reads")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    builds = {"before": args.before, "after": os.path.join(ROOT, ".venv", "bin", "python")}
    child = WRITES if args.writes else READS
    runs = {k: [] for k in builds}
    for r in range(args.runs):
        for k in (list(builds) if r % 2 == 0 else list(builds)[::-1]):
            # From /, so that no build imports the package of the directory it runs in.
            done = subprocess.run([builds[k], "-c", child], capture_output=True, text=True,
                                  check=True, cwd="/")
            runs[k].append(json.loads(done.stdout))
    if args.writes:
        print("| write | before (ms, MB) | after (ms, MB) |\n|---|---|---|")
        for op in runs["after"][0]:
            cells = ["%.1f, %.2f" % (1e3 * statistics.median(x[op][0] for x in runs[k]),
                                     statistics.median(x[op][1] for x in runs[k]))
                     for k in builds]
            print("| %s | %s |" % (op, " | ".join(cells)))
        return
    print("| read | before: sharded, directory (ms), ratio | after: sharded, directory (ms), "
          "ratio |\n|---|---|---|")
    for op in runs["after"][0]:
        cells = []
        for k in builds:
            s = statistics.median(x[op][0] for x in runs[k])
            d = statistics.median(x[op][1] for x in runs[k])
            ratio = statistics.median(x[op][0] / x[op][1] for x in runs[k])
            cells.append("%.4g, %.4g, %.2f" % (1e3 * s, 1e3 * d, ratio))
        print("| %s | %s |" % (op, " | ".join(cells)))


if __name__ == "__main__":
    sys.exit(main())
