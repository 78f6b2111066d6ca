"""Timing helpers shared by the benchmarks."""

import statistics
import threading
import time

import numpy as np


def median_times(fns, repeat, before=None):
    """Median wall time of each function, run in alternation so that the
    machine's noise falls on all of them alike; ``before(name)``, if given,
    runs untimed before each call."""
    for name, fn in fns.items():
        if before is not None:
            before(name)
        fn()  # warm up: page faults, caches
    times = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            if before is not None:
                before(name)
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    return {name: statistics.median(ts) for name, ts in times.items()}


def median_latency(fn, args):
    """Median time of fn(arg) over the args, each call timed on its own."""
    times = []
    for arg in args:
        t = time.perf_counter()
        fn(arg)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def in_threads(work, nthreads):
    """Run work(i, nthreads) in nthreads threads and wait for them all."""
    threads = [threading.Thread(target=work, args=(i, nthreads)) for i in range(nthreads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def seed_and_walk(quick):
    """The two arrays of the benchmarks, as (name, array, chunks): the seed
    (int32 arange 10000x1000 in 1000x100 chunks) and a float64 random walk of
    400 MB (100 MB with ``quick``) in 1 MB chunks."""
    n = 12_500_000 if quick else 50_000_000
    walk = np.cumsum(np.random.default_rng(42).normal(0, 1, n))
    seed = np.arange(10_000_000, dtype="i4").reshape(10000, 1000)
    return [
        ("seed i4 10000x1000, chunks 1000x100", seed, (1000, 100)),
        ("%d MB f8 walk, 1 MB chunks" % (walk.nbytes // 10**6), walk, (131072,)),
    ]
