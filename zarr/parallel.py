"""Running the chunk work of one read or write on several threads.

The codec calls in ``zarr.ext`` release the GIL, so a read or write that
spans many chunks runs their compression and decompression (and their file
reads and writes) side by side on a pool of threads. How many threads a call
uses is decided, in order, by the call's ``threads`` argument, the array's
``threads`` attribute, and the global default set by :func:`set_threads`
(the number of cores this process may run on).
"""

import contextvars
import operator
from collections import deque
import os
import threading
from concurrent.futures import ThreadPoolExecutor

__all__ = ["get_threads", "set_threads", "run_tasks", "map_ordered"]

#: Fewer tasks than this run in the calling thread: a pool costs more than it gains.
MIN_TASKS = 3


def _cores():
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


_default_threads = _cores()
_pool = None
_pool_size = 0
_pool_lock = threading.Lock()
_in_worker = threading.local()


def check_threads(threads):
    """``threads`` as an int >= 1, or None (meaning: the next default down).

    Examples
    --------
    >>> check_threads(2), check_threads(None)
    (2, None)
    """
    if threads is None:
        return None
    if isinstance(threads, bool):
        raise TypeError("threads must be an int, not bool")
    try:
        threads = operator.index(threads)
    except TypeError:
        raise TypeError("threads must be an int, not %s" % type(threads).__name__) from None
    if threads < 1:
        raise ValueError("threads must be at least 1, not %d" % threads)
    return threads


def get_threads():
    """The number of threads a read or write uses when neither the call nor
    the array says otherwise.

    Examples
    --------
    >>> import zarr
    >>> zarr.get_threads() >= 1
    True
    """
    return _default_threads


def set_threads(threads):
    """Set the default number of threads of reads and writes; returns the old one.

    ``None`` restores the number of cores. ``1`` runs every call in the
    calling thread.

    Examples
    --------
    >>> import zarr
    >>> old = zarr.set_threads(1)
    >>> zarr.get_threads()
    1
    >>> _ = zarr.set_threads(old)
    """
    global _default_threads
    old = _default_threads
    threads = check_threads(threads)
    _default_threads = _cores() if threads is None else threads
    return old


def _get_pool(workers):
    """The shared pool, grown to at least ``workers`` threads."""
    global _pool, _pool_size
    with _pool_lock:
        if _pool is None or _pool_size < workers:
            old = _pool
            _pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="zarr",
                                       initializer=_mark_worker)
            _pool_size = workers
            if old is not None:
                old.shutdown(wait=False)
        return _pool


def _mark_worker():
    _in_worker.active = True


def _forget_pool():
    """In a forked child: the pool's threads did not come along; start afresh."""
    global _pool, _pool_size, _pool_lock
    _pool, _pool_size, _pool_lock = None, 0, threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def run_tasks(tasks, threads=None):
    """Call each of ``tasks`` (functions of no argument), on up to ``threads``
    threads, the calling one included; return when all are done.

    Few tasks, one thread, or a call made from a pool thread run in the
    calling thread. Threads take tasks in order, one at a time, so a slow
    task does not hold up the others. If a task raises, no further tasks are
    started and the first exception is raised once the running ones finish.

    Examples
    --------
    >>> out = [0] * 10
    >>> def task(i):
    ...     def f():
    ...         out[i] = i * i
    ...     return f
    >>> run_tasks([task(i) for i in range(10)], threads=2)
    >>> out[9]
    81
    """
    threads = _default_threads if threads is None else threads
    n = len(tasks)
    if threads <= 1 or n < MIN_TASKS or getattr(_in_worker, "active", False):
        for task in tasks:
            task()
        return
    workers = min(threads, n)
    lock = threading.Lock()
    state = {"next": 0, "error": None}

    def work():
        while True:
            with lock:
                i = state["next"]
                if i >= n or state["error"] is not None:
                    return
                state["next"] = i + 1
            try:
                tasks[i]()
            except BaseException as e:  # noqa: B902 - re-raised in the caller
                with lock:
                    if state["error"] is None:
                        state["error"] = e
                return

    pool = _get_pool(workers - 1)
    # Each pool thread runs in a copy of the caller's context: what a task asks
    # of it (the dask.distributed worker it runs for) is the caller's.
    futures = [pool.submit(contextvars.copy_context().run, work) for _ in range(workers - 1)]
    # The calling thread works too: what its tasks call runs inline, as in the pool.
    _in_worker.active = True
    try:
        work()
    finally:
        _in_worker.active = False
    for f in futures:
        f.result()
    if state["error"] is not None:
        raise state["error"]


def map_ordered(func, n, threads=None, ahead=None):
    """Yield ``func(0)``, ..., ``func(n - 1)`` in order, while the pool computes
    up to ``ahead`` (default twice ``threads``) of the next ones.

    For work whose results must be consumed in order (appended to an
    output, say) with a bounded number held at once. Run inline, like
    :func:`run_tasks`, with one thread, few items, or from a pool thread. If
    ``func`` raises, the exception is raised where its result was due and
    the items not yet started are dropped.

    Examples
    --------
    >>> list(map_ordered(lambda i: i * i, 5, threads=2))
    [0, 1, 4, 9, 16]
    """
    threads = _default_threads if threads is None else threads
    if threads <= 1 or n < MIN_TASKS or getattr(_in_worker, "active", False):
        for i in range(n):
            yield func(i)
        return
    pool = _get_pool(threads)
    ahead = max(1, ahead or 2 * threads)
    pending = deque()
    started = 0
    try:
        while pending or started < n:
            while started < n and len(pending) < ahead:
                pending.append(pool.submit(contextvars.copy_context().run, func, started))
                started += 1
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()
