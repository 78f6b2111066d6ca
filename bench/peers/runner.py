"""Measure one contender on one workload, in memory and on disk, and write
its figures as JSON.

Run by bench/bench_peers.py in the contender's own python, isolated from the
project (``python -I`` from a temporary working directory), so that a peer's
``import zarr`` finds zarr-python, never ours:

    python -I bench/peers/runner.py --peer NAME --workload NAME [--quick] --out FILE
                                    [--ours-root DIR] [--indexing]

``--ours-root`` names the source directory of the build of ours that the
python imports, when it is not this checkout (another build of ours, such
as a worktree of an earlier commit, measured by the same contender code).
``--indexing`` measures the workload's selections by index arrays alone.
"""

import os
import sys

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(BENCH)
sys.path.insert(0, BENCH)  # for this package; bench/ holds no zarr

import argparse  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402

from peers import data  # noqa: E402
from peers.contenders import OURS, PEERS, RawCodec  # noqa: E402
from peers.measure import measure_array, measure_raw_codec  # noqa: E402


#: Single-element reads and boxes of each run.
FULL_COUNTS, QUICK_COUNTS = (2000, 500), (100, 25)


def settings_for(s, quick, indexing_only=False):
    """Repeats and counts of a run, the workload's positions and its
    selections by index arrays (alone, with indexing_only)."""
    nsingle, nbox = QUICK_COUNTS if quick else FULL_COUNTS
    return {
        "repeat": 2 if quick else 5,
        "appends": 5 if quick else 50,
        "budget": 0.3 if quick else 3.0,
        "append budget": 1.0 if quick else 5.0,
        "points": data.single_points(s["shape"], nsingle),
        "boxes": data.boxes(s["shape"], nbox),
        "halves": data.row_halves(s["shape"], s["chunks"]),
        "indexing": data.indexing(s),
        "indexing only": indexing_only,
    }


def prefault(nbytes):
    """Touch and free nbytes of fresh memory before timing: on this virtual
    machine a process's first passes over new memory cost several times more
    than later ones, which would fall on whichever operation ran first."""
    import numpy as np
    np.ones(nbytes // 8).sum()


def check_zarr_origin(peer, ours_root=ROOT):
    """Fail unless ``import zarr`` finds ours (the build in ours_root) for
    "ours" and never ours for a peer; where it was found."""
    import importlib.util
    found = importlib.util.find_spec("zarr")
    ours = found is not None and found.origin is not None and os.path.abspath(
        found.origin).startswith(os.path.join(os.path.abspath(ours_root), "zarr") + os.sep)
    if ours != (peer in OURS):
        raise RuntimeError("import zarr finds %s while measuring %s" % (
            found and found.origin, peer))
    return found and found.origin


def measure_storage(cls, storage, s, a, settings):
    """One contender in one storage, in a temporary directory removed after."""
    root = tempfile.mkdtemp(prefix="bench-peers-", dir="/tmp")
    start = time.monotonic()
    c = cls(storage, root, s["shape"], s["dtype"], s["chunks"])
    try:
        measure = measure_raw_codec if cls is RawCodec else measure_array
        row = measure(c, a, settings)
    except Exception:
        row = {"error": traceback.format_exc(limit=3)[-2000:]}
    finally:
        try:
            c.close()
        finally:
            shutil.rmtree(root, ignore_errors=True)
    row["title"] = c.title()
    row["seconds"] = round(time.monotonic() - start, 2)
    return row


def run(peer, workload, quick, ours_root=ROOT, indexing_only=False):
    """The result of one contender on one workload (its selections by index
    arrays alone, with indexing_only)."""
    cls, _ = PEERS[peer]
    s = data.spec(workload, quick)
    result = {"peer": peer, "label": cls.label, "workload": s, "quick": quick,
              "indexing only": indexing_only,
              "python": platform.python_version(), "executable": sys.executable,
              "load before": os.getloadavg()}
    result["zarr origin"] = check_zarr_origin(peer, ours_root)
    try:
        result["versions"] = cls.versions()
    except ImportError as e:
        result["not installed"] = "%s: %s" % (type(e).__name__, e)
        return result
    a = data.generate(s)
    prefault(4 * a.nbytes)
    settings = settings_for(s, quick, indexing_only)
    result["storages"] = {}
    for storage in cls.storages:
        result["storages"][storage] = measure_storage(cls, storage, s, a, settings)
        gc.collect()
    result["load after"] = os.getloadavg()
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peer", required=True, choices=sorted(PEERS))
    parser.add_argument("--workload", required=True, choices=sorted(data.WORKLOADS))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", required=True)
    parser.add_argument("--ours-root", default=ROOT,
                        help="the source directory of the build of ours (default: this checkout)")
    parser.add_argument("--indexing", action="store_true",
                        help="measure the selections by index arrays alone")
    args = parser.parse_args()
    result = run(args.peer, args.workload, args.quick, args.ours_root, args.indexing)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
