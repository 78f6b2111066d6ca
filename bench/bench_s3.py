"""Zarr arrays on an S3 API served by moto on 127.0.0.1: ours against
zarr-python 3.1 and TensorStore, in one run; then a dask sum on a
``distributed`` cluster of one and of two worker processes.

One moto server (``tests/s3server.py``'s ``MotoServer``) serves the whole
run; every contender gets a new bucket for every workload, and runs in a
subprocess of its own python: ours in the project's ``.venv`` (this
checkout's ``zarr`` first on its path), zarr-python (``FsspecStore.from_url``,
Zarr format 2, numcodecs' Blosc blosclz 5 with byte shuffle, the bytes ours
writes) and TensorStore (its ``zarr`` driver over its own ``s3`` kvstore,
credentials from the environment) in ``.venv-interop``, from ``/tmp``.

The workloads are the seed (int32 ``arange(10_000_000)`` as 10000x1000 in
1000x100 chunks) and 100 MB of float64 random walk (2500x5000 in 250x1000
chunks). For each: the whole write, the open of the stored array, the whole
read (a new array object each time, opened outside the timing) and the read
of one random element (a new element each time); and the open with a new
client ("cold open": a new s3fs filesystem, a new TensorStore context),
where the others reuse fsspec's cached filesystem: medians of 5 repeats after
a warm-up, and the HTTP requests of one of each (counted in the client:
aiobotocore's requests for the s3fs-based two, TensorStore's own metrics).
Every read is checked against the data written, outside the timing.

The dask part stores 400 MB of float64 random walk (10000x5000 in
1000x1000 chunks) in a local directory with ours, and times
``da.from_array(z, chunks=z.chunks).sum().compute()`` on a
``distributed.LocalCluster`` of 1 and of 2 single-threaded worker processes
(the cluster started outside the timing), next to the sum of
``dask.array.ones`` of the same shape and chunks: the cluster's own cost.

Run from the checkout's root::

    .venv/bin/python bench/bench_s3.py [--quick] [--contenders NAME ...] [--no-dask]

It writes ``bench/results/s3.json`` and ``s3.md`` (the tables, also printed);
``--quick`` (smaller arrays, 1 repeat) and partial runs write ``s3-quick.*``
and ``s3-partial.*`` instead.
"""

import argparse
import datetime
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
RESULTS = os.path.join(HERE, "results")
OURS_PYTHON = os.path.join(ROOT, ".venv", "bin", "python")
INTEROP_PYTHON = os.path.join(ROOT, ".venv-interop", "bin", "python")
CONTENDERS = ["ours", "zarr-python", "tensorstore"]
WORKLOADS = ["seed", "walk"]
OPS = ["write", "open", "cold open", "read", "element"]
REPEAT = 5
RUN_TIMEOUT = 1800


# The measures, run in each contender's python.

def workload(name, quick):
    """The data and chunks of a workload."""
    if name == "seed":
        n = 1_000_000 if quick else 10_000_000
        return np.arange(n, dtype="i4").reshape(-1, 1000), (1000, 100)
    rows = 250 if quick else 2500
    walk = np.cumsum(np.random.default_rng(42).normal(0, 1, rows * 5000))
    return walk.reshape(rows, 5000), (250, 1000)


class Ours:
    """Our arrays, by ``s3://`` URL."""

    def __init__(self, job):
        import zarr
        self.zarr, self.url, self.opts = zarr, job["url"], job["storage_options"]
        self.version = {"zarr (ours)": zarr.__file__}

    def create(self, data, chunks):
        return self.zarr.open(self.url, mode="w", shape=data.shape, chunks=chunks,
                              dtype=data.dtype, cname="blosclz", clevel=5, shuffle=1,
                              storage_options=self.opts)

    def write(self, z, data):
        z[...] = data

    def open(self, cold=False):
        opts = dict(self.opts, skip_instance_cache=True) if cold else self.opts
        return self.zarr.open(self.url, mode="r", storage_options=opts)

    def read(self, z, index=Ellipsis):
        return z[index]


class ZarrPython(Ours):
    """zarr-python 3 in the Zarr v2 format, over its FsspecStore."""

    def __init__(self, job):
        import numcodecs
        import zarr
        self.zarr, self.url, self.opts = zarr, job["url"], job["storage_options"]
        self.blosc = numcodecs.Blosc(cname="blosclz", clevel=5, shuffle=1)
        self.version = {"zarr-python": zarr.__version__, "numcodecs": numcodecs.__version__}

    def store(self, read_only, cold=False):
        opts = dict(self.opts, skip_instance_cache=True) if cold else self.opts
        return self.zarr.storage.FsspecStore.from_url(
            self.url, storage_options=opts, read_only=read_only)

    def create(self, data, chunks):
        return self.zarr.create_array(self.store(False), shape=data.shape, chunks=chunks,
                                      dtype=data.dtype, zarr_format=2, compressors=self.blosc,
                                      fill_value=0, overwrite=True)

    def open(self, cold=False):
        return self.zarr.open_array(self.store(True, cold), mode="r")


class TensorStore:
    """TensorStore's zarr driver over its s3 kvstore."""

    def __init__(self, job):
        import tensorstore as ts
        self.ts = ts
        self.kvstore = {"driver": "s3", "bucket": job["bucket"], "path": job["prefix"] + "/",
                        "endpoint": job["endpoint"], "aws_region": "us-east-1",
                        "aws_credentials": {"type": "environment"}}
        from importlib.metadata import version
        self.version = {"tensorstore": version("tensorstore")}

    def create(self, data, chunks):
        blosc = {"id": "blosc", "cname": "blosclz", "clevel": 5, "shuffle": 1}
        metadata = {"shape": list(data.shape), "chunks": list(chunks), "fill_value": 0,
                    "dtype": data.dtype.str, "compressor": blosc, "order": "C"}
        return self.ts.open({"driver": "zarr", "kvstore": self.kvstore, "metadata": metadata},
                            create=True, delete_existing=True).result()

    def write(self, t, data):
        t.write(data).result()

    def open(self, cold=False):
        context = self.ts.Context() if cold else None
        return self.ts.open({"driver": "zarr", "kvstore": self.kvstore}, open=True,
                            read=True, context=context).result()

    def read(self, t, index=Ellipsis):
        return t[index].read().result()


class Requests:
    """HTTP requests of one operation, as {kind: count}, counted in the client."""

    def __init__(self, contender):
        self.ts = getattr(contender, "ts", None)
        self.counts = {}
        if self.ts is None:
            from aiobotocore.endpoint import AioEndpoint
            send, counts = AioEndpoint._send, self.counts

            async def counted(endpoint, request):
                kind = request.method + (" list" if "list-type=" in request.url else "")
                counts[kind] = counts.get(kind, 0) + 1
                return await send(endpoint, request)
            AioEndpoint._send = counted

    def snapshot(self):
        if self.ts is None:
            return dict(self.counts)
        metrics = self.ts.experimental_collect_matching_metrics("/tensorstore/kvstore/s3/")
        return {m["name"].rsplit("/", 1)[1]: m["values"][0]["value"] for m in metrics
                if m["name"].rsplit("/", 1)[1] in ("read", "write", "list", "delete_range")}

    def of(self, fn):
        before = self.snapshot()
        fn()
        after = self.snapshot()
        return {k: v - before.get(k, 0) for k, v in after.items() if v - before.get(k, 0)}


def median_time(fn, setup=lambda: None, repeat=REPEAT):
    """Median wall time of fn(setup()) over repeat runs, after a warm-up;
    setup is not timed."""
    times = []
    for i in range(repeat + 1):
        arg = setup()
        t = time.perf_counter()
        fn(arg)
        if i:
            times.append(time.perf_counter() - t)
    return statistics.median(times)


def measure(job):
    """The figures of one contender on one workload."""
    contender = {"ours": Ours, "zarr-python": ZarrPython, "tensorstore": TensorStore}[
        job["contender"]](job)
    requests = Requests(contender)
    data, chunks = workload(job["workload"], job["quick"])
    repeat = 1 if job["quick"] else REPEAT
    rng = np.random.default_rng(7)
    z = contender.create(data, chunks)
    times = {"write": median_time(lambda _: contender.write(z, data), repeat=repeat)}
    times["open"] = median_time(lambda _: contender.open(), repeat=repeat)
    times["cold open"] = median_time(lambda _: contender.open(cold=True), repeat=repeat)
    times["read"] = median_time(lambda a: contender.read(a), contender.open, repeat=repeat)
    points = [tuple(int(rng.integers(n)) for n in data.shape) for _ in range(repeat + 2)]
    times["element"] = median_time(lambda a: contender.read(a[0], a[1]),
                                   lambda: (contender.open(), points.pop()), repeat=repeat)
    # The checks, and one of each operation counted.
    counts = {"write": requests.of(lambda: contender.write(z, data))}
    counts["open"] = requests.of(lambda: contender.open())
    counts["cold open"] = requests.of(lambda: contender.open(cold=True))
    z = contender.open()
    out = {}
    counts["read"] = requests.of(lambda: out.update(all=contender.read(z)))
    assert out["all"].dtype == data.dtype and np.array_equal(out["all"], data)
    point = points.pop()
    counts["element"] = requests.of(lambda: out.update(one=contender.read(z, point)))
    assert out["one"] == data[point], (out["one"], data[point])
    return {"times": times, "requests": counts, "versions": contender.version,
            "shape": list(data.shape), "chunks": list(chunks), "MB": data.nbytes / 1e6}


def dask_sum(job):
    """The dask sum of 400 MB stored by ours in a directory, on 1 and on 2
    worker processes: {workers: median seconds}."""
    import dask
    import dask.array as da
    import zarr
    from distributed import Client, LocalCluster
    rows = 2000 if job["quick"] else 10000
    walk = np.cumsum(np.random.default_rng(42).normal(0, 1, rows * 5000)).reshape(rows, 5000)
    repeat = 1 if job["quick"] else REPEAT
    out = {"versions": {"dask": dask.__version__, "zarr (ours)": zarr.__file__},
           "MB": walk.nbytes / 1e6, "times": {}, "cluster cost": {}}
    with tempfile.TemporaryDirectory(prefix="bench-s3-dask-", dir="/tmp") as tmp:
        z = zarr.open(os.path.join(tmp, "walk.zarr"), mode="w", shape=walk.shape,
                      chunks=(1000, 1000), dtype="f8")
        z[...] = walk
        expected = walk.sum()
        del walk
        for n in job["workers"]:
            with LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                              host="127.0.0.1", dashboard_address=None) as cluster, \
                    Client(cluster):
                total = da.from_array(z, chunks=z.chunks).sum().compute()
                assert np.isclose(total, expected), (total, expected)
                out["times"][str(n)] = median_time(
                    lambda _: da.from_array(z, chunks=z.chunks).sum().compute(), repeat=repeat)
                ones = da.ones(z.shape, chunks=z.chunks)
                out["cluster cost"][str(n)] = median_time(lambda _: ones.sum().compute(),
                                                          repeat=repeat)
    return out


def worker(job_file):
    with open(job_file) as f:
        job = json.load(f)
    result = dask_sum(job) if job["contender"] == "dask" else measure(job)
    with open(job["out"], "w") as f:
        json.dump(result, f)


# The run, in the project's python.

def run(job, python, env):
    """Run one job in a subprocess of python: its result, or {"error": ...}."""
    with tempfile.TemporaryDirectory(prefix="bench-s3-", dir="/tmp") as cwd:
        job = dict(job, out=os.path.join(cwd, "result.json"))
        with open(os.path.join(cwd, "job.json"), "w") as f:
            json.dump(job, f)
        try:
            proc = subprocess.run([python, os.path.abspath(__file__), "--worker", "job.json"],
                                  cwd=cwd, env=env, capture_output=True, text=True,
                                  timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            return {"error": "timed out after %d s" % RUN_TIMEOUT}
        if proc.returncode != 0 or not os.path.exists(job["out"]):
            return {"error": "exit %d: %s" % (proc.returncode, proc.stderr[-1500:])}
        with open(job["out"]) as f:
            return json.load(f)


def environments(s3_env):
    """{contender: (python, env)}: ours with this checkout first on its path,
    the peers in the interop venv with no path of ours."""
    base = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    base.update(s3_env)
    ours = (OURS_PYTHON if os.path.exists(OURS_PYTHON) else sys.executable,
            dict(base, PYTHONPATH=ROOT))
    peer = (INTEROP_PYTHON, base)
    return {"ours": ours, "dask": ours, "zarr-python": peer, "tensorstore": peer}


def fmt(seconds):
    return "error" if seconds is None else ("%.4f" % seconds if seconds < 0.1 else "%.3f" % seconds)


def report(results):
    """The tables in Markdown: medians, ratios peer ÷ ours and requests."""
    lines = ["Run of %s; %s, %d CPUs; moto %s." % (
        results["date"], results["machine"]["cpu"], results["machine"]["cpus"],
        results["moto"]), ""]
    peers = [c for c in results["contenders"] if c != "ours"]
    for name, by in results["workloads"].items():
        first = next((r for r in by.values() if "times" in r), {})
        lines += ["### %s %s, chunks %s (%.0f MB)" % (
            name, "x".join(map(str, first.get("shape", []))),
            "x".join(map(str, first.get("chunks", []))), first.get("MB", 0)), ""]
        head = ["operation"] + ["%s (s)" % c for c in results["contenders"]] + \
            ["%s ÷ ours" % p for p in peers]
        lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for op in OPS:
            t = {c: by[c]["times"][op] if "times" in by[c] else None for c in by}
            row = [op] + [fmt(t[c]) for c in results["contenders"]]
            row += ["%.2f" % (t[p] / t["ours"]) if t[p] and t.get("ours") else "-"
                    for p in peers]
            lines.append("| " + " | ".join(row) + " |")
        lines += ["", "Requests of one operation:", "",
                  "| operation | " + " | ".join(results["contenders"]) + " |",
                  "|" + "---|" * (len(results["contenders"]) + 1)]
        for op in OPS:
            row = [", ".join("%s %d" % kv for kv in sorted(by[c]["requests"][op].items()))
                   if "requests" in by[c] else "error" for c in results["contenders"]]
            lines.append("| %s | %s |" % (op, " | ".join(row)))
        for c, r in by.items():
            if "error" in r:
                lines += ["", "%s failed: `%s`" % (c, r["error"].strip().splitlines()[-1])]
        lines.append("")
    d = results.get("dask")
    if d:
        lines += ["### dask sum of %.0f MB in a local directory (ours), distributed" % d.get(
            "MB", 0), ""]
        if "times" in d:
            lines += ["| sum of | 1 worker (s) | 2 workers (s) | speed-up |", "|---|---|---|---|"]
            for title, key in (("the stored array", "times"), ("dask's ones (no I/O)",
                                                               "cluster cost")):
                one, two = d[key]["1"], d[key]["2"]
                lines.append("| %s | %s | %s | %.2f |" % (title, fmt(one), fmt(two), one / two))
            lines.append("")
        else:
            lines += ["failed: `%s`" % d["error"].strip().splitlines()[-1], ""]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="small arrays, one repeat")
    parser.add_argument("--contenders", nargs="+", choices=CONTENDERS, default=CONTENDERS)
    parser.add_argument("--workloads", nargs="+", choices=WORKLOADS, default=WORKLOADS)
    parser.add_argument("--no-dask", action="store_true", help="leave the dask sum out")
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker)
    sys.path.insert(0, os.path.join(ROOT, "tests"))
    from s3server import S3_ENV, MotoServer
    import moto
    envs = environments(S3_ENV)
    results = {"date": datetime.datetime.now().isoformat(timespec="seconds"),
               "machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                           "cpu": next((line.split(":", 1)[1].strip()
                                        for line in open("/proc/cpuinfo")
                                        if line.startswith("model name")), "")
                           if os.path.exists("/proc/cpuinfo") else "",
                           "load at start": os.getloadavg()},
               "moto": moto.__version__, "quick": args.quick,
               "contenders": args.contenders, "workloads": {}}
    server = MotoServer()
    # fsspec's cache of filesystems on, as in ordinary use ("cold open" turns it off).
    options = {k: v for k, v in server.storage_options.items() if k != "skip_instance_cache"}
    try:
        for name in args.workloads:
            by = results["workloads"][name] = {}
            for contender in args.contenders:
                bucket = server.new_bucket()
                job = {"contender": contender, "workload": name, "quick": args.quick,
                       "bucket": bucket, "prefix": name + ".zarr",
                       "url": "s3://%s/%s.zarr" % (bucket, name),
                       "endpoint": server.endpoint, "storage_options": options}
                print("%s on %s ..." % (contender, name), flush=True)
                by[contender] = run(job, *envs[contender])
                if "error" in by[contender]:
                    print(by[contender]["error"], file=sys.stderr)
    finally:
        server.stop()
    if not args.no_dask:
        print("dask sum ...", flush=True)
        results["dask"] = run({"contender": "dask", "quick": args.quick, "workers": [1, 2]},
                              *envs["dask"])
    full = not args.quick and args.contenders == CONTENDERS and args.workloads == WORKLOADS \
        and not args.no_dask
    prefix = "s3" if full else ("s3-quick" if args.quick else "s3-partial")
    text = report(results)
    print(text)
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, prefix + ".json"), "w") as f:
        json.dump(results, f, indent=1)
    with open(os.path.join(RESULTS, prefix + ".md"), "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    main()
