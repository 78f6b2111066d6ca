"""Benchmark against the peers: our arrays and the peer libraries on the same
workloads, each contender in a subprocess of its own python.

The peers (numpy, the raw codec through python-blosc, zarr-python 3.1 in the
Zarr v2 format with Blosc and with its v3 defaults, blosc2, h5py with
hdf5plugin's Blosc filter, TensorStore) run in .venv-bench, created here
once and reused while its requirements are unchanged; ours runs in the
project's .venv. Every contender is measured by the same script,
bench/peers/runner.py, in memory and on disk, on the seed array and 400 MB
of float64 as 1-D and 2-D (50 MB with --quick). Writes
bench/results/peers.json, peers.md (the tables, also printed) and peers.png
(the ratios to ours) after a full run of every contender on every workload;
other runs write peers-quick.* (--quick), peers-partial.* (some contenders or
workloads), peers-before-after.* (a full run with ours-before) or
peers-indexing.* and peers-indexing-quick.* (--indexing), so that they never
replace the last full results; --out PREFIX picks the name.

    python bench/bench_peers.py [--quick] [--indexing] [--peers NAME ...]
                                [--workloads NAME ...] [--ours PYTHON]
                                [--ours-before PYTHON] [--within RATIO] [--out PREFIX]

--indexing measures the selections by index arrays alone (after the write
that fills the array): of the seed, 1,000 random rows in increasing and in
random order and 10,000 random points; of the 1-D walk, ``z[::512]``; of
the 2-D walk, a random 1% of its elements by a boolean mask. The raw codec
has none, and is left out. A full run measures them too, with the rest.

Before and after, two builds of ours side by side: --ours-before PYTHON adds
the contender "ours-before", the same "ours" contender code of the runner
run in another build's python (and "ours" itself, if --peers left it out).
The two run back to back on each workload (their order swapped from one
workload to the next), and the report adds, per workload, a table of after
÷ before (ours ÷ ours-before) for every figure and checks each against
--within (1.10). To build the "before" code from a commit (here 9e25371)
in a worktree of its own, and compare it with the working tree:

    git worktree add --detach /work/before 9e25371
    python3 -m venv /work/before/.venv
    /work/before/.venv/bin/python -m pip install -U pip
    /work/before/.venv/bin/python -m pip install -e '/work/before[dask]' \\
        numpy==2.4.6 'dask[array]==2026.8.0'
    .venv/bin/python bench/bench_peers.py --peers ours ours-before \\
        --ours-before /work/before/.venv/bin/python

(dask is for the runner's "dask sum"; numpy and dask pinned to the
versions in .venv, for a like-for-like comparison.) That writes
bench/results/peers-before-after.*; add --quick --workloads seed for a smoke
check. --ours PYTHON measures "ours" in another python than the project's
.venv (its source directory found from its ``import zarr``).
"""

import argparse
import datetime
import glob
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

from peers import data, environment, report
from peers.contenders import OURS, PEERS
from peers.runner import FULL_COUNTS, QUICK_COUNTS

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, "results")
RUNNER = os.path.join(HERE, "peers", "runner.py")
CHART = os.path.join(HERE, "peers", "chart.py")
RUN_TIMEOUT = 900

#: The contender that runs the "ours" contender code in another build of ours.
BEFORE = "ours-before"


def our_python():
    """The python of the project's .venv (where our package is installed)."""
    python = os.path.join(environment.ROOT, ".venv", "bin", "python")
    return python if os.path.exists(python) else sys.executable


def our_code(root=environment.ROOT):
    """The commit of the working tree at root (this checkout unless told),
    its changed files under zarr/ and ext/ and when the extension was built:
    what a build of ours was measured with (other work may change it
    meanwhile)."""
    def git(*args):
        try:
            proc = subprocess.run(["git"] + list(args), cwd=root, capture_output=True, text=True)
        except OSError:
            return None
        return proc.stdout.strip() if proc.returncode == 0 else None
    built = [os.path.getmtime(p) for p in glob.glob(os.path.join(root, "zarr", "*.so"))]
    return {"commit": git("rev-parse", "--short", "HEAD"),
            "changed": git("status", "--porcelain", "--", "zarr", "ext"),
            "extension built": max(built, default=None), "source": root}


def source_of(python):
    """The source directory of the build of ours that python imports as
    ``zarr`` (the parent of its package directory), found without importing
    it, as the runner will be started (``-I``, from a temporary directory);
    SystemExit unless it is a checkout of ours."""
    code = ("import importlib.util; s = importlib.util.find_spec('zarr'); "
            "print(s.origin if s and s.origin else '')")
    with tempfile.TemporaryDirectory(prefix="bench-peers-find-", dir="/tmp") as cwd:
        try:
            proc = subprocess.run([python, "-I", "-c", code], cwd=cwd, capture_output=True,
                                  text=True, timeout=120, env=environment._clean_env())
        except (OSError, subprocess.TimeoutExpired) as e:
            sys.exit("cannot run %s: %s" % (python, e))
    origin = proc.stdout.strip()
    if proc.returncode != 0 or not origin:
        sys.exit("%s finds no zarr: %s" % (python, proc.stderr.strip()[-500:]))
    root = os.path.dirname(os.path.dirname(os.path.abspath(origin)))
    if not all(os.path.isdir(os.path.join(root, d)) for d in ("zarr", "ext", "c-blosc")):
        sys.exit("%s imports zarr from %s, which is not a checkout of ours" % (python, origin))
    return root


def ordered(peers, workload_index):
    """The contenders of one workload in the order they run: as given, but
    with ours and ours-before back to back (at the first one's place), ours
    first on even workloads and ours-before first on odd ones."""
    if not ("ours" in peers and BEFORE in peers):
        return list(peers)
    pair = ["ours", BEFORE] if workload_index % 2 == 0 else [BEFORE, "ours"]
    first = min(peers.index("ours"), peers.index(BEFORE))
    rest = [p for p in peers if p not in pair]
    return rest[:first] + pair + rest[first:]


def as_before(result):
    """A result of the "ours" contender code renamed as ours-before: its
    peer, label, column titles and version keys."""
    result["peer"] = result["label"] = BEFORE
    result["measured as"] = "ours"
    for row in result.get("storages", {}).values():
        row["title"] = BEFORE
    if "versions" in result:
        result["versions"] = {(k.replace("(ours)", "(%s)" % BEFORE) if "(ours)" in k
                               else "%s (%s)" % (k, BEFORE)): v
                              for k, v in result["versions"].items()}
    return result


def machine():
    """What the figures were measured on."""
    model = ""
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo") as f:
            model = next((line.split(":", 1)[1].strip() for line in f
                          if line.startswith("model name")), "")
    return {"platform": platform.platform(), "cpu": model, "cpus": os.cpu_count(),
            "python": platform.python_version(), "load at start": os.getloadavg()}


def run_one(python, peer, workload, quick, ours_root=None, indexing=False):
    """Run the runner for one contender and one workload (for "ours", the
    build whose source is ours_root, this checkout unless told; its
    selections by index arrays alone, with indexing); its result."""
    with tempfile.TemporaryDirectory(prefix="bench-peers-run-", dir="/tmp") as cwd:
        out = os.path.join(cwd, "result.json")
        args = [python, "-I", RUNNER, "--peer", peer, "--workload", workload, "--out", out]
        if quick:
            args.append("--quick")
        if ours_root:
            args += ["--ours-root", ours_root]
        if indexing:
            args.append("--indexing")
        try:
            proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True,
                                  timeout=RUN_TIMEOUT, env=environment._clean_env())
        except subprocess.TimeoutExpired:
            return {"error": "timed out after %d s" % RUN_TIMEOUT}
        if proc.returncode != 0 or not os.path.exists(out):
            return {"error": "exit %d: %s" % (proc.returncode, proc.stderr[-2000:])}
        with open(out) as f:
            return json.load(f)


def merge_rounds(results):
    """One result from the results of several rounds of one contender on one
    workload: each figure the median of the rounds' figures (each itself a
    median of repeats), the rounds' own figures kept under "round times"."""
    done = [r for r in results if "storages" in r]
    if len(done) < 2:
        return results[0]
    merged = dict(done[0])
    merged["rounds"] = len(done)
    merged["storages"] = {}
    for storage, first in done[0]["storages"].items():
        entry = dict(first)
        rounds = [r["storages"][storage]["times"] for r in done if storage in r["storages"]]
        entry["times"] = {op: statistics.median(t[op] for t in rounds if op in t)
                          for op in first["times"]}
        entry["round times"] = rounds
        merged["storages"][storage] = entry
    return merged


def run_all(peers, workloads, quick, bench_python, status, builds, rounds=1, indexing=False):
    """Every contender on every workload, the contenders of one workload one
    after another (ours and ours-before back to back); the list of results.
    builds: {"ours" or "ours-before": (python, source directory or None)}.
    With rounds > 1, the contenders of a workload run that many times, the
    order turned round each time, and each figure is the median of the rounds'.
    With indexing, the selections by index arrays alone."""
    runs = []
    for index, workload in enumerate(workloads):
        by_peer = {}
        for round_index in range(rounds):
            by_peer_round = _run_workload(peers, workload, index + round_index, quick,
                                          bench_python, status, builds, indexing)
            for peer, result in by_peer_round:
                by_peer.setdefault(peer, []).append(result)
        runs.extend(merge_rounds(results) for results in by_peer.values())
    return runs


def _run_workload(peers, workload, index, quick, bench_python, status, builds, indexing):
    """(peer, result) of every contender on one workload, in the order of ``index``."""
    spec = data.spec(workload, quick)
    out = []
    for peer in ordered(peers, index):
        cls, group = PEERS["ours" if peer == BEFORE else peer]
        start = time.monotonic()
        if group and status.get(group, "installed") != "installed":
            result = {"not installed": status[group]}
        elif peer in builds:
            python, root = builds[peer]
            result = run_one(python, "ours", workload, quick, root, indexing)
            if peer == BEFORE:
                result = as_before(result)
        elif peer in OURS:  # another contender of ours, in the build of "ours"
            python, root = builds["ours"]
            result = run_one(python, peer, workload, quick, root, indexing)
        else:
            result = run_one(bench_python, peer, workload, quick, indexing=indexing)
        result.setdefault("peer", peer)
        result.setdefault("label", BEFORE if peer == BEFORE else cls.label)
        result.setdefault("workload", spec)
        out.append((peer, result))
        print("%-9s %-12s %5.1f s%s" % (workload, peer, time.monotonic() - start,
                                        "  (%s)" % (result.get("error") or result.get(
                                            "not installed"))[:200]
                                        if "error" in result or "not installed" in result
                                        else ""), flush=True)
    return out


def versions(runs):
    """Every library's version, as the runs reported them."""
    found = {}
    for run in runs:
        found.update(run.get("versions", {}))
    return found


def draw_chart(bench_python, json_path, png_path):
    """Draw the chart in .venv-bench (which holds matplotlib); None or the error."""
    proc = subprocess.run([bench_python, "-I", CHART, json_path, png_path],
                          capture_output=True, text=True, env=environment._clean_env(),
                          cwd=RESULTS, timeout=300)
    return None if proc.returncode == 0 else proc.stderr[-1000:]


def out_prefix(args, peers, workloads):
    """Where the results go, without extension: --out, else results/peers
    for a full run of every contender on every workload and a name of its
    own for any other run, so that it never replaces the last full results."""
    if args.out:
        return os.path.abspath(args.out)
    if args.indexing:
        name = "peers-indexing-quick" if args.quick else "peers-indexing"
    elif args.quick:
        name = "peers-quick"
    elif set(workloads) != set(data.WORKLOADS) or (BEFORE not in peers
                                                   and not set(PEERS) <= set(peers)):
        name = "peers-partial"
    elif BEFORE in peers:
        name = "peers-before-after"
    else:
        name = "peers"
    return os.path.join(RESULTS, name)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="The docstring of bench/bench_peers.py shows a before/after comparison.")
    parser.add_argument("--quick", action="store_true",
                        help="50 MB instead of 400 MB, 2 repeats, fewer small reads")
    parser.add_argument("--indexing", action="store_true",
                        help="the selections by index arrays alone (rows, points, z[::512], "
                             "a mask); the raw codec, which has none, is left out")
    parser.add_argument("--peers", nargs="+", choices=list(PEERS) + [BEFORE],
                        help="the contenders (default: all; %s only with --ours-before)" % BEFORE)
    parser.add_argument("--workloads", nargs="+", choices=list(data.WORKLOADS),
                        default=list(data.WORKLOADS))
    parser.add_argument("--ours", metavar="PYTHON",
                        help="the python of the build of ours measured as \"ours\" "
                             "(default: the project's .venv)")
    parser.add_argument("--ours-before", metavar="PYTHON",
                        help="the python of another build of ours, measured as \"%s\" by "
                             "the same contender code, back to back with ours" % BEFORE)
    parser.add_argument("--within", type=float, default=1.10, metavar="RATIO",
                        help="the after ÷ before ratio each figure is checked against "
                             "(default 1.10)")
    parser.add_argument("--rounds", type=int, default=1, metavar="N",
                        help="run the contenders of each workload N times, the order turned "
                             "round each time; each figure is the median of the rounds'")
    parser.add_argument("--out", metavar="PREFIX",
                        help="write PREFIX.json, .md and .png (default: bench/results/peers "
                             "for a full run of all, else peers-quick, peers-partial or "
                             "peers-before-after)")
    args = parser.parse_args()
    peers = list(args.peers or PEERS)
    if args.ours_before:
        if args.peers is None:
            peers.append(BEFORE)
        for name in ("ours", BEFORE):
            if name not in peers:
                print("--ours-before: adding %s to the contenders" % name)
                peers.append(name)
    elif BEFORE in peers:
        parser.error("%s needs --ours-before PYTHON" % BEFORE)
    if args.indexing and "blosc" in peers:
        if args.peers is not None:
            print("--indexing: leaving out the raw codec (blosc), which has no indexing")
        peers.remove("blosc")
    builds = {"ours": (args.ours, source_of(args.ours)) if args.ours
              else (our_python(), None)}
    if args.ours_before:
        builds[BEFORE] = (args.ours_before, source_of(args.ours_before))
        ours_source = builds["ours"][1] or environment.ROOT
        if os.path.realpath(builds[BEFORE][1]) == os.path.realpath(ours_source):
            print("warning: ours and %s are the same build (%s)" % (BEFORE, ours_source))
    prefix = out_prefix(args, peers, args.workloads)
    start = time.monotonic()
    bench_python, status = environment.ensure()
    print("peers' environment: %s" % "; ".join("%s %s" % kv for kv in status.items()))
    results = {"quick": args.quick, "indexing only": args.indexing,
               "date": datetime.date.today().isoformat(),
               "repeat": 2 if args.quick else 5, "machine": machine(), "install": status,
               "planned": dict(zip(("one element", "box"),
                                   QUICK_COUNTS if args.quick else FULL_COUNTS)),
               "workloads": [data.spec(w, args.quick) for w in args.workloads]}
    roots = {name: root or environment.ROOT for name, (_, root) in builds.items()}
    if BEFORE in peers:
        results["within"] = args.within
    results["pythons"] = {name: python for name, (python, _) in builds.items()}
    results["our code at start"] = our_code(roots["ours"])
    if BEFORE in peers:
        results["ours-before code at start"] = our_code(roots[BEFORE])
    results["rounds"] = args.rounds
    results["runs"] = run_all(peers, args.workloads, args.quick, bench_python, status, builds,
                              args.rounds, args.indexing)
    results["our code at end"] = our_code(roots["ours"])
    if BEFORE in peers:
        results["ours-before code at end"] = our_code(roots[BEFORE])
    results["versions"] = versions(results["runs"])
    results["machine"]["load at end"] = os.getloadavg()
    results["seconds"] = round(time.monotonic() - start, 1)
    os.makedirs(os.path.dirname(prefix), exist_ok=True)
    json_path = prefix + ".json"
    with open(json_path, "w") as f:
        json.dump(results, f, indent=1)
    text = report.markdown(results)
    print()
    print(text)
    with open(prefix + ".md", "w") as f:
        f.write(text)
    error = draw_chart(bench_python, json_path, prefix + ".png")
    shown = os.path.relpath(prefix)
    shown = prefix if shown.startswith("..") else shown
    print("results: %s.json, .md" % shown)
    print("chart: %s" % (shown + ".png" if error is None else "failed: " + error))
    print("%.0f s in all" % (time.monotonic() - start))


if __name__ == "__main__":
    main()
