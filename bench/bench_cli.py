"""Command-line benchmark: ``python -m zarr copy`` against writing from memory
and against h5repack.

The 2-D float64 random walk of bench_peers.py (20000x2500, 400 MB; 2500x2500,
50 MB with --quick) in 1 MB chunks (250x500), in one run, medians of repeats
run in alternation:

1. the baseline: the array, already in memory, written into a directory
   array with 8 MB chunks (1000x1000), ``zarr.open(..., mode="w")`` then
   ``z[:] = data``, default compression, in this process (warm: its buffers
   and the pages it touches were used by the repeats before);
2. the same write in a fresh process (a child that loads the array from a
   ``.npy`` file untimed, then times the open and the write, as a script
   that has the array in memory does once): what a command, which also runs
   once in a fresh process, is compared with like for like;
3. ``python -m zarr copy SRC DST --chunks 1000,1000 --overwrite --no-progress``
   as a subprocess, SRC a directory array of the same data in 1 MB chunks:
   the child's wall time and peak RSS (``os.wait4`` in a small launcher);
4. the same copy without --chunks (the compressed frames copied as they are);
5. ``h5repack -l CHUNK=1000x1000 -f SHUF -f GZIP=1`` of the same data in an
   HDF5 file written by h5py (1 MB chunks, shuffle and gzip level 1, the
   filters HDF5 has built in; stated again so that the copy keeps them).
   h5repack comes from Debian's hdf5-tools, installed
   here with apt-get if missing; the row is skipped (and said) if it cannot be.

Before each run, untimed, its destination is removed, so that every run
writes into a new place and none deletes 300 MB of files in its time.
Also the start-up cost of the command (``python -m zarr --help``). Prints
the table and writes bench/results/cli.json and cli.md.

    python bench/bench_cli.py [--quick] [--dir DIR]
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

import zarr
import zarr.ext as ext
from peers import data
from timing import median_times

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SMALL, LARGE = (250, 500), (1000, 1000)  # 1 MB and 8 MB of float64


#: Runs a command and prints its wall time, peak RSS (KB) and exit status.
#: A child forked from this process would inherit the benchmark's own peak
#: RSS (Linux keeps ru_maxrss across fork and exec), so a small python starts it.
#: Writes the array of a .npy file (loaded untimed) and prints the time.
FRESH_WRITE = """import sys, time
import numpy as np, zarr
data = np.load(sys.argv[1])
t = time.perf_counter()
out = zarr.open(sys.argv[2], mode="w", shape=data.shape, chunks=(%d, %d), dtype=data.dtype)
out[:] = data
print(time.perf_counter() - t)
"""

LAUNCHER = """import os, subprocess, sys, time
t = time.perf_counter()
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(p.pid, 0)
print(time.perf_counter() - t, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def run_child(args, record):
    """Run args through the launcher; append (wall time, peak RSS in MB) to record."""
    proc = subprocess.run([sys.executable, "-I", "-c", LAUNCHER] + args, cwd=ROOT,
                          capture_output=True, text=True)
    wall, kb, code = proc.stdout.split()
    if proc.returncode != 0 or code != "0":
        raise RuntimeError("%s: exit %s: %s" % (" ".join(args), code, proc.stderr[-2000:]))
    record.append((float(wall), int(kb) / 1024))


def find_h5repack():
    """The path of h5repack, installed with apt-get if missing; (path, note)."""
    path = shutil.which("h5repack")
    if path:
        return path, None
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    if sudo and not shutil.which("sudo"):
        return None, "h5repack missing and no sudo to install hdf5-tools"
    try:
        proc = subprocess.run(sudo + ["apt-get", "install", "-y", "-q", "hdf5-tools"],
                              capture_output=True, text=True, timeout=600,
                              env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, "cannot install hdf5-tools: %s" % e
    path = shutil.which("h5repack")
    if path is None:
        return None, "apt-get install hdf5-tools failed: %s" % proc.stderr.strip()[-300:]
    return path, "hdf5-tools installed by this run"


def h5repack_version(path):
    proc = subprocess.run([path, "--version"], capture_output=True, text=True)
    return proc.stdout.strip().split()[-1] if proc.returncode == 0 else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller array, fewer repeats")
    parser.add_argument("--dir", default="/tmp", help="the file system to work in")
    args = parser.parse_args()
    repeat = 3 if args.quick else 5
    spec = data.spec("walk 2-D", args.quick)
    walk = data.generate(spec)
    python = sys.executable
    work = tempfile.mkdtemp(prefix="bench-cli-", dir=args.dir)
    try:
        src = os.path.join(work, "src.zarr")
        z = zarr.open(src, mode="w", shape=walk.shape, chunks=SMALL, dtype=walk.dtype)
        z[:] = walk
        src_bytes = sum(e.stat().st_size for e in os.scandir(src))
        base_path = os.path.join(work, "written.zarr")
        dst, plain = os.path.join(work, "copy.zarr"), os.path.join(work, "plain.zarr")
        rss = {"copy rechunked": [], "copy plain": [], "h5repack": [], "startup": []}

        def write():
            out = zarr.open(base_path, mode="w", shape=walk.shape, chunks=LARGE,
                            dtype=walk.dtype)
            out[:] = walk

        npy = os.path.join(work, "walk.npy")
        np.save(npy, walk)
        fresh_times = []

        def fresh_write():
            proc = subprocess.run([python, "-c", FRESH_WRITE % LARGE, npy, base_path],
                                  cwd=ROOT, capture_output=True, text=True, check=True)
            fresh_times.append(float(proc.stdout))

        copy = [python, "-m", "zarr", "copy", src, dst, "--chunks", "%d,%d" % LARGE,
                "--overwrite", "--no-progress"]
        fns = {
            "write from memory": write,
            "write fresh": fresh_write,
            "copy rechunked": lambda: run_child(copy, rss["copy rechunked"]),
            "copy plain": lambda: run_child([python, "-m", "zarr", "copy", src, plain,
                                             "--overwrite", "--no-progress"],
                                            rss["copy plain"]),
            "startup": lambda: run_child([python, "-m", "zarr", "--help"], rss["startup"]),
        }
        h5repack, note = find_h5repack()
        h5_bytes = None
        if h5repack:
            import h5py
            h5src, h5dst = os.path.join(work, "src.h5"), os.path.join(work, "dst.h5")
            with h5py.File(h5src, "w") as f:
                f.create_dataset("walk", data=walk, chunks=SMALL, compression="gzip",
                                 compression_opts=1, shuffle=True)
            h5_bytes = os.path.getsize(h5src)

            def repack():
                run_child([h5repack, "-l", "CHUNK=%dx%d" % LARGE, "-f", "SHUF", "-f", "GZIP=1",
                           h5src, h5dst], rss["h5repack"])
            fns["h5repack"] = repack
        else:
            print("h5repack row skipped:", note, flush=True)
        targets = {"write from memory": base_path, "write fresh": base_path,
                   "copy rechunked": dst, "copy plain": plain}
        if h5repack:
            targets["h5repack"] = h5dst

        def before(name):
            # Each run writes into a new place, its last output deleted just
            # before (untimed): the same for every row, where otherwise the
            # write from memory would delete its last output first (mode "w")
            # and the copy after (it replaces the destination once whole).
            path = targets.get(name)
            if path is not None and os.path.lexists(path):
                shutil.rmtree(path) if os.path.isdir(path) else os.unlink(path)

        times = median_times(fns, repeat, before)
        for name in [n for n in rss if n in fns]:  # the children's own times, no warm-up
            record = rss[name]
            times[name] = statistics.median(t for t, _ in record[1:])
        times["write fresh"] = statistics.median(fresh_times[1:])
        out = zarr.open(dst, mode="r")
        assert out.chunks == LARGE and np.array_equal(out[...], walk)
        assert zarr.open(plain, mode="r").chunks == SMALL
        if h5repack:
            with h5py.File(h5dst, "r") as f:
                d = f["walk"]
                assert d.chunks == LARGE and d.compression == "gzip" and d.shuffle
                assert np.array_equal(d[...], walk)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    base, fresh = times["write from memory"], times["write fresh"]
    rows = []
    for name, what in (("write from memory", "write from memory, 8 MB chunks (baseline)"),
                       ("write fresh", "the same write in a fresh process"),
                       ("copy rechunked", "`zarr copy --chunks %d,%d` (1 MB to 8 MB chunks)"
                        % LARGE),
                       ("copy plain", "`zarr copy` (same chunks: frames copied)"),
                       ("h5repack", "`h5repack -l CHUNK=%dx%d -f SHUF -f GZIP=1`" % LARGE),
                       ("startup", "`python -m zarr --help` (start-up)")):
        if name not in times:
            continue
        peaks = [m for _, m in rss.get(name, [])]
        peak = max(peaks) if peaks else None
        rows.append({"name": name, "what": what, "time": times[name],
                     "ratio": times[name] / base, "ratio fresh": times[name] / fresh,
                     "peak MB": peak,
                     "peak MB all": peaks})
    title = ("Medians of %d, %s float64 random walk %s (%d MB), 1 MB chunks %dx%d to 8 MB "
             "chunks %dx%d, in %s; zarr source %d MB, HDF5 source (gzip 1 + shuffle) %s MB."
             % (repeat, "quick:" if args.quick else "", "x".join(map(str, walk.shape)),
                walk.nbytes // 10**6, SMALL[0], SMALL[1], LARGE[0], LARGE[1], args.dir,
                src_bytes // 10**6, "-" if h5_bytes is None else h5_bytes // 10**6))
    lines = [title, "", "| operation | time (s) | ÷ write from memory | ÷ write in a fresh process "
             "| child's peak RSS (MB) |", "|---|---|---|---|---|"]
    for r in rows:
        lines.append("| %s | %.3f | %.2f | %.2f | %s |" % (
            r["what"], r["time"], r["ratio"], r["ratio fresh"],
            "" if r["peak MB"] is None else "%.0f" % r["peak MB"]))
    if note:
        lines += ["", note]
    print()
    print("\n".join(lines))
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "cli.json"), "w") as f:
        json.dump({"machine": platform.machine(), "cpus": os.cpu_count(),
                   "load at start": os.getloadavg(), "blosc": ext.BLOSC_VERSION,
                   "zarr": zarr.__engine_version__, "quick": args.quick, "repeat": repeat,
                   "shape": walk.shape, "chunks": [SMALL, LARGE], "dir": args.dir,
                   "h5repack": h5repack and h5repack_version(h5repack), "note": note,
                   "date": time.strftime("%Y-%m-%d %H:%M"), "rows": rows}, f, indent=1)
    with open(os.path.join(HERE, "results", "cli.md"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
