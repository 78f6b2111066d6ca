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
(the ratios to ours).

    python bench/bench_peers.py [--quick] [--peers NAME ...] [--workloads NAME ...]
"""

import argparse
import datetime
import glob
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

from peers import data, environment, report
from peers.contenders import PEERS
from peers.runner import FULL_COUNTS, QUICK_COUNTS

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, "results")
RUNNER = os.path.join(HERE, "peers", "runner.py")
CHART = os.path.join(HERE, "peers", "chart.py")
RUN_TIMEOUT = 900


def our_python():
    """The python of the project's .venv (where our package is installed)."""
    python = os.path.join(environment.ROOT, ".venv", "bin", "python")
    return python if os.path.exists(python) else sys.executable


def our_code():
    """The commit of the working tree, its changed files under zarr/ and ext/
    and when the extension was built: what "ours" was measured with (other
    work may change it meanwhile)."""
    def git(*args):
        proc = subprocess.run(["git"] + list(args), cwd=environment.ROOT, capture_output=True,
                              text=True)
        return proc.stdout.strip() if proc.returncode == 0 else None
    built = [os.path.getmtime(p) for p in glob.glob(os.path.join(environment.ROOT, "zarr", "*.so"))]
    return {"commit": git("rev-parse", "--short", "HEAD"),
            "changed": git("status", "--porcelain", "--", "zarr", "ext"),
            "extension built": max(built, default=None)}


def machine():
    """What the figures were measured on."""
    model = ""
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo") as f:
            model = next((line.split(":", 1)[1].strip() for line in f
                          if line.startswith("model name")), "")
    return {"platform": platform.platform(), "cpu": model, "cpus": os.cpu_count(),
            "python": platform.python_version(), "load at start": os.getloadavg()}


def run_one(python, peer, workload, quick):
    """Run the runner for one contender and one workload; its result."""
    with tempfile.TemporaryDirectory(prefix="bench-peers-run-", dir="/tmp") as cwd:
        out = os.path.join(cwd, "result.json")
        args = [python, "-I", RUNNER, "--peer", peer, "--workload", workload, "--out", out]
        if quick:
            args.append("--quick")
        try:
            proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True,
                                  timeout=RUN_TIMEOUT, env=environment._clean_env())
        except subprocess.TimeoutExpired:
            return {"error": "timed out after %d s" % RUN_TIMEOUT}
        if proc.returncode != 0 or not os.path.exists(out):
            return {"error": "exit %d: %s" % (proc.returncode, proc.stderr[-2000:])}
        with open(out) as f:
            return json.load(f)


def run_all(peers, workloads, quick, bench_python, status):
    """Every contender on every workload, the contenders of one workload one
    after another; the list of results."""
    runs = []
    for workload in workloads:
        spec = data.spec(workload, quick)
        for peer in peers:
            cls, group = PEERS[peer]
            start = time.monotonic()
            if group and status.get(group, "installed") != "installed":
                result = {"not installed": status[group]}
            else:
                python = our_python() if peer == "ours" else bench_python
                result = run_one(python, peer, workload, quick)
            result.setdefault("peer", peer)
            result.setdefault("label", cls.label)
            result.setdefault("workload", spec)
            runs.append(result)
            print("%-9s %-12s %5.1f s%s" % (workload, peer, time.monotonic() - start,
                                            "  (%s)" % (result.get("error") or result.get(
                                                "not installed"))[:200]
                                            if "error" in result or "not installed" in result
                                            else ""), flush=True)
    return runs


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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="50 MB instead of 400 MB, 2 repeats, fewer small reads")
    parser.add_argument("--peers", nargs="+", choices=list(PEERS), default=list(PEERS))
    parser.add_argument("--workloads", nargs="+", choices=list(data.WORKLOADS),
                        default=list(data.WORKLOADS))
    args = parser.parse_args()
    start = time.monotonic()
    bench_python, status = environment.ensure()
    print("peers' environment: %s" % "; ".join("%s %s" % kv for kv in status.items()))
    results = {"quick": args.quick, "date": datetime.date.today().isoformat(),
               "repeat": 2 if args.quick else 5, "machine": machine(), "install": status,
               "planned": dict(zip(("one element", "box"),
                                   QUICK_COUNTS if args.quick else FULL_COUNTS)),
               "workloads": [data.spec(w, args.quick) for w in args.workloads]}
    results["our code at start"] = our_code()
    results["runs"] = run_all(args.peers, args.workloads, args.quick, bench_python, status)
    results["our code at end"] = our_code()
    results["versions"] = versions(results["runs"])
    results["machine"]["load at end"] = os.getloadavg()
    results["seconds"] = round(time.monotonic() - start, 1)
    os.makedirs(RESULTS, exist_ok=True)
    json_path = os.path.join(RESULTS, "peers.json")
    with open(json_path, "w") as f:
        json.dump(results, f, indent=1)
    text = report.markdown(results)
    print()
    print(text)
    with open(os.path.join(RESULTS, "peers.md"), "w") as f:
        f.write(text)
    error = draw_chart(bench_python, json_path, os.path.join(RESULTS, "peers.png"))
    print("chart: %s" % ("bench/results/peers.png" if error is None else "failed: " + error))
    print("%.0f s in all" % (time.monotonic() - start))


if __name__ == "__main__":
    main()
