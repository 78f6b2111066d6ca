"""Timing helpers shared by the benchmarks."""

import statistics
import threading
import time


def median_times(fns, repeat):
    """Median wall time of each function, run in alternation so that the
    machine's noise falls on all of them alike."""
    for fn in fns.values():
        fn()  # warm up: page faults, caches
    times = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
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
