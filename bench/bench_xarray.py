"""xarray's Zarr I/O on this engine against xarray on zarr-python 3, in one run.

The dataset holds one variable, ``var``: a 2-D random walk, 20000x2500
float64 (400 MB; 2500x2500 with --quick), in 1000-row chunks (20 MB), blosc
lz4 level 5 with byte shuffle, in both Zarr formats. Each engine runs in a
process of its own, in its own venv: this checkout in ``.venv-peers`` (which
the tests make: xarray 2026.9, dask), zarr-python 3.1 in ``.venv-bench-xarray``
(made here, with the same xarray and dask). A process of each engine, in
turn, three rounds (the order alternating), makes the dataset in memory and
then, --repeats times:

- write: ``ds.to_zarr(path, mode="w", zarr_format=F, encoding=...)`` (the
  previous copy removed untimed);
- read: ``xr.open_zarr(path)["var"].mean().compute()`` (dask's threads).

The first of each process's repeats (imports, thread pools) is left out.
The figures are medians; the ratio is zarr-python's time over ours (above 1:
ours is faster). Both engines' means must agree.

    .venv/bin/python bench/bench_xarray.py [--quick] [--repeats N]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "bench", "results")
OURS = os.path.join(ROOT, ".venv-peers", "bin", "python")
PEER_VENV = os.path.join(ROOT, ".venv-bench-xarray")
PEER = os.path.join(PEER_VENV, "bin", "python")
PEER_REQUIREMENTS = ["xarray==2026.9.*", "zarr>=3.1,<3.2", "dask[array]", "numcodecs"]
OURS_REQUIREMENTS = ["xarray==2026.9.*", "dask[array]", "numcodecs", "msgpack", "fsspec"]

CHILD = r'''
import json, shutil, sys, time, warnings
import numpy as np, xarray as xr, zarr
warnings.simplefilter("ignore")
path, fmt, rows, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
data = np.abs(np.cumsum(np.random.default_rng(0).normal(size=(rows, 2500)), axis=0))
ds = xr.Dataset({"var": (("t", "x"), data)})
if fmt == 3:
    codec = zarr.codecs.BloscCodec(cname="lz4", clevel=5, shuffle="shuffle")
else:
    import numcodecs
    codec = numcodecs.Blosc(cname="lz4", clevel=5, shuffle=1)
encoding = {"var": {"chunks": (1000, 2500), "compressors": (codec,)}}
writes, reads = [], []
for i in range(repeats):
    shutil.rmtree(path, ignore_errors=True)  # untimed
    t0 = time.perf_counter()
    ds.to_zarr(path, mode="w", zarr_format=fmt, encoding=encoding)
    writes.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    value = float(xr.open_zarr(path, zarr_format=fmt)["var"].mean().compute())
    reads.append(time.perf_counter() - t0)
print(json.dumps({"write": writes, "read": reads, "mean": value}))
'''


def ensure_venv(root, requirements, then=None):
    python = os.path.join(root, "bin", "python")
    stamp = os.path.join(root, ".bench-requirements")
    wanted = "\n".join(requirements)
    if os.path.exists(python) and os.path.exists(stamp) and open(stamp).read() == wanted:
        return python
    subprocess.run([sys.executable, "-m", "venv", root], check=True)
    subprocess.run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
                   + requirements, check=True)
    if then is not None:
        then(python)
    with open(stamp, "w") as f:
        f.write(wanted)
    return python


def _put_checkout_on_path(python):
    purelib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()"
                              "['purelib'])"], check=True, capture_output=True,
                             text=True).stdout.strip()
    with open(os.path.join(purelib, "zarr-engine-checkout.pth"), "w") as f:
        f.write(ROOT + "\n")


def run(python, path, fmt, rows, repeats):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    proc = subprocess.run([python, "-c", CHILD, path, str(fmt), str(rows), str(repeats)], cwd="/",
                          env=env, capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError("%s failed:\n%s" % (python, proc.stderr[-3000:]))
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2500 rows, 3 repeats, one round")
    parser.add_argument("--repeats", type=int, default=None)
    args = parser.parse_args()
    rows = 2500 if args.quick else 20000
    repeats = args.repeats or (3 if args.quick else 6)
    rounds = 1 if args.quick else 3
    engines = {"ours": ensure_venv(os.path.join(ROOT, ".venv-peers"), OURS_REQUIREMENTS,
                                   _put_checkout_on_path),
               "zarr-python": ensure_venv(PEER_VENV, PEER_REQUIREMENTS)}
    which = subprocess.run([engines["ours"], "-c", "import zarr; print(zarr.__file__)"],
                           cwd="/", capture_output=True, text=True, check=True).stdout.strip()
    assert os.path.realpath(which).startswith(os.path.realpath(ROOT)), which
    tmp = tempfile.mkdtemp(prefix="bench-xarray-")
    times = {(e, op, f): [] for e in engines for op in ("write", "read") for f in (2, 3)}
    means = {}
    try:
        for i in range(rounds):
            order = list(engines) if i % 2 == 0 else list(engines)[::-1]
            for fmt in (2, 3):
                for engine in order:
                    path = os.path.join(tmp, "%s-%d.zarr" % (engine, fmt))
                    got = run(engines[engine], path, fmt, rows, repeats)
                    for op in ("write", "read"):
                        times[engine, op, fmt].extend(got[op][1:])  # the first is cold
                    means[engine, fmt] = got["mean"]
                    shutil.rmtree(path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for fmt in (2, 3):
        a, b = means["ours", fmt], means["zarr-python", fmt]
        assert abs(a - b) <= 1e-9 * abs(b), (fmt, a, b)
    rows_out = []
    print("%-8s %-6s %10s %12s %7s" % ("format", "op", "ours", "zarr-python", "ratio"))
    for fmt in (2, 3):
        for op in ("write", "read"):
            ours = statistics.median(times["ours", op, fmt])
            peer = statistics.median(times["zarr-python", op, fmt])
            rows_out.append({"format": fmt, "op": op, "ours": ours, "zarr-python": peer,
                             "ratio": peer / ours, "ours_all": times["ours", op, fmt],
                             "zarr-python_all": times["zarr-python", op, fmt]})
            print("%-8d %-6s %9.3fs %11.3fs %7.2f" % (fmt, op, ours, peer, peer / ours))
    os.makedirs(RESULTS, exist_ok=True)
    name = "xarray-quick.json" if args.quick else "xarray.json"
    with open(os.path.join(RESULTS, name), "w") as f:
        json.dump({"rows": rows, "repeats": repeats, "rounds": rounds, "results": rows_out}, f,
                  indent=2)


if __name__ == "__main__":
    main()
