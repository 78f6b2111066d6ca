"""Timing one contender on one workload, and checking once what it returns.

Whole-array operations are timed together, in alternation (one warm-up
call each, then medians over the repeats), and so are the selections by
index arrays; small reads one call at a time; appends as runs of appends
from the same starting shape; a consolidation in place (where the contender
makes one) as repeats of a nested directory written untimed and moved into
containers. Every operation's result is compared with the source once
(numpy's answer, for the selections): a contender that returns wrong data
gets an error in place of that operation's time.
"""

import statistics
import threading
from functools import partial
import time

import numpy as np

from peers.contenders import disk_bytes, disk_files


#: Rows of each append.
APPEND_ROWS = 1000


class Mismatch(AssertionError):
    """A contender returned data that differs from the source."""


def check_equal(got, want, what):
    """Raise Mismatch unless got equals want."""
    if not np.array_equal(np.asarray(got), want):
        raise Mismatch("%s differs from the source" % what)


def in_two_threads(fn, args):
    """Call fn(*args[0]) and fn(*args[1]) in two threads; their results.
    An exception in either thread is raised here."""
    results, errors = [None, None], []

    def work(i):
        try:
            results[i] = fn(*args[i])
        except BaseException as e:  # noqa: B036 - handed to the caller
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


def capped_latency(fn, args, budget):
    """Median time of fn(arg), each call timed alone, over args, or over as
    many of them (at least 20) as budget seconds allow; (median, count).
    The first five are also called once before, as a warm-up."""
    for arg in args[:5]:
        fn(arg)
    times = []
    start = time.perf_counter()
    for arg in args:
        t = time.perf_counter()
        fn(arg)
        times.append(time.perf_counter() - t)
        if t - start > budget and len(times) >= 20:
            break
    return statistics.median(times), len(times)


def timed_safely(row, fns, repeat):
    """Median times of the fns, run in alternation after one warm-up call
    each (as ``median_times`` of bench/timing.py does); a fn that fails its
    warm-up is recorded in row["errors"] instead."""
    working = {}
    for name, fn in fns.items():
        try:
            fn()
            working[name] = fn
        except Exception as e:
            row["errors"][name] = "%s: %s" % (type(e).__name__, e)
    times = {name: [] for name in working}
    for _ in range(repeat):
        for name, fn in working.items():
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    row["times"].update({name: statistics.median(ts) for name, ts in times.items()})


def guarded(row, name, fn):
    """Run fn(); an exception is recorded as the operation's error."""
    try:
        fn()
    except Exception as e:
        row["errors"][name] = "%s: %s" % (type(e).__name__, e)
        row["times"].pop(name, None)


def whole_array(row, c, a, settings):
    """Write, read, read into, and both with two threads over chunk-aligned
    halves of the rows; then check what the last timed reads returned (the
    whole array was last written by a timed write)."""
    halves = settings["halves"]
    out = np.empty_like(a)
    last = {}

    def keep(name, value):
        last[name] = value

    fns = {
        "write": lambda: (c.write(a), c.finish()),
        "read": lambda: keep("read", c.read()),
        "2-thread write": lambda: (in_two_threads(c.write_rows, [(a,) + h for h in halves]),
                                   c.finish()),
        "2-thread read": lambda: keep("2-thread read", in_two_threads(c.read_rows, halves)),
    }
    if c.read_into is not None:
        fns["read into"] = lambda: c.read_into(out)
    timed_safely(row, fns, settings["repeat"])

    def check_parts():
        parts = last.pop("2-thread read")
        check_equal(np.concatenate([np.asarray(p) for p in parts]), a, "2-thread read")
    guarded(row, "read", lambda: check_equal(last.pop("read"), a, "read"))
    guarded(row, "2-thread read", check_parts)
    if "read into" in fns:
        guarded(row, "read into", lambda: check_equal(out, a, "read into"))


def small_reads(row, c, a, settings):
    """The slices, single elements and boxes, each checked."""
    fns = {"z[:100]": lambda: c.get(slice(0, 100))}
    if a.ndim == 2:
        fns["z[:, :100]"] = lambda: c.get((slice(None), slice(0, 100)))
    timed_safely(row, fns, settings["repeat"])
    guarded(row, "z[:100]", lambda: check_equal(c.get(slice(0, 100)), a[:100], "z[:100]"))
    if a.ndim == 2:
        guarded(row, "z[:, :100]", lambda: check_equal(
            c.get((slice(None), slice(0, 100))), a[:, :100], "z[:, :100]"))
    for name, selections in (("one element", settings["points"]), ("box", settings["boxes"])):
        def run(name=name, selections=selections):
            median, count = capped_latency(c.get, selections, settings["budget"])
            row["times"][name], row["counts"][name] = median, count
            for sel in selections[:20]:
                check_equal(c.get(sel), a[sel], name)
        guarded(row, name, run)


def indexing(row, c, a, settings):
    """The workload's selections by index arrays (settings["indexing"], as
    ``data.indexing`` gives them), timed in alternation; then what the last
    timed call of each returned compared with numpy's ``a[argument]``. A
    kind of selection the library cannot make is recorded in
    row["unsupported"], one it makes another way (``c.way``) in row["ways"]."""
    select = {"rows": c.select_rows, "points": c.select_points, "mask": c.select_mask,
              "basic": c.get}
    last, fns = {}, {}

    def keep(name, fn, argument):
        last[name] = fn(argument)

    for name, (kind, argument, count) in settings["indexing"].items():
        row["counts"][name] = count
        if kind in c.unsupported:
            row["unsupported"][name] = c.unsupported[kind]
            continue
        if c.way(kind, argument):
            row["ways"][name] = c.way(kind, argument)
        fns[name] = partial(keep, name, select[kind], argument)
    timed_safely(row, fns, settings["repeat"])
    for name, (_, argument, _) in settings["indexing"].items():
        if name in last:
            guarded(row, name, partial(check_equal, last.pop(name), a[argument], name))


def dask_sum(row, c, a, settings):
    """``dask.array.from_array(z, chunks=z.chunks).sum()`` with the threaded
    scheduler; recorded as not installed where dask is missing."""
    try:
        import dask.array as da
    except ImportError as e:
        row["errors"]["dask sum"] = "dask not installed: %s" % e
        return

    def total():
        return da.from_array(c.dask_source(), chunks=c.chunks).sum().compute(
            scheduler="threads")
    timed_safely(row, {"dask sum": total}, settings["repeat"])

    def check():
        got, want = total(), a.sum()
        if not np.isclose(got, want, rtol=1e-9, atol=0):
            raise Mismatch("dask sum %r, numpy %r" % (got, want))
    guarded(row, "dask sum", check)


def appends(row, c, a, settings):
    """settings["appends"] appends of 1000 rows then ``finish``, from the
    workload's shape each run (restored untimed before each); one warm-up
    run, then settings["repeat"] timed runs, or as many (at least 2) as
    settings["append budget"] seconds allow; checked, then the shape restored."""
    if "appends" in c.unsupported:
        row["unsupported"]["appends"] = c.unsupported["appends"]
        return
    rows = np.ascontiguousarray(a[:APPEND_ROWS])
    count, shape = settings["appends"], a.shape

    def one_run():
        c.set_shape(shape)
        t = time.perf_counter()
        for _ in range(count):
            c.append(rows)
        c.finish()
        return time.perf_counter() - t

    def run():
        one_run()
        times, start = [], time.perf_counter()
        while len(times) < settings["repeat"]:
            times.append(one_run())
            if len(times) >= 2 and time.perf_counter() - start > settings["append budget"]:
                break
        row["times"]["appends"] = statistics.median(times)
        row["counts"]["appends"] = count
        row["counts"]["append runs"] = len(times)
        end = shape[0] + count * APPEND_ROWS
        check_equal(c.get(slice(end - APPEND_ROWS, end)), rows, "the last append")
        check_equal(c.get(slice(shape[0] - 5, shape[0])), a[-5:], "the rows before the appends")
        c.set_shape(shape)
    guarded(row, "appends", run)


def consolidation(row, c, a, settings):
    """Where the contender consolidates (``c.make_nested``): a nested
    directory of a written (untimed) and moved into containers in place
    (``c.consolidate``, timed), once as a warm-up, then settings["repeat"]
    times; the median, and the files and bytes before and after the last
    one, whose result is checked."""
    if not hasattr(c, "make_nested"):
        return

    def run():
        times = []
        for _ in range(settings["repeat"] + 1):
            c.make_nested(a)
            before = disk_files(c.nested), disk_bytes(c.nested)
            t = time.perf_counter()
            c.consolidate()
            times.append(time.perf_counter() - t)
        row["times"]["consolidate"] = statistics.median(times[1:])
        row["consolidation"] = {"files before": before[0], "bytes before": before[1],
                                "files after": disk_files(c.nested),
                                "bytes after": disk_bytes(c.nested)}
        check_equal(c.read_nested(), a, "the consolidated array")
    guarded(row, "consolidate", run)


def measure_array(c, a, settings):
    """Every operation of an array contender, or with settings["indexing
    only"] the selections by index arrays alone; the row of figures."""
    row = {"times": {}, "counts": {}, "errors": {}, "unsupported": {}, "ways": {}}
    c.create()
    c.write(a)
    c.finish()
    row["stored bytes, first write"] = c.stored_bytes()
    check_equal(c.read(), a, "the first write, read back,")
    if settings.get("indexing only"):
        row["stored bytes"] = c.stored_bytes()
        indexing(row, c, a, settings)
        return row
    whole_array(row, c, a, settings)
    row["stored bytes"] = c.stored_bytes()
    if c.stored_files() is not None:
        row["stored files"] = c.stored_files()
    small_reads(row, c, a, settings)
    indexing(row, c, a, settings)
    dask_sum(row, c, a, settings)
    appends(row, c, a, settings)
    consolidation(row, c, a, settings)
    return row


def measure_raw_codec(c, a, settings):
    """The raw codec: compress, decompress into new bytes and into existing
    buffers, one thread; then two threads both ways (c-blosc's threads, and
    two Python threads over halves of the chunks), the better of each kept
    as the 2-thread figure and named in row["notes"]."""
    row = {"times": {}, "counts": {}, "errors": {}, "notes": {}}
    c.create()
    c.cut(a)
    c.write()
    b, mid = c.blocks, c.mid

    def blosc_threads(fn, *args):
        c._configure(2, False)
        return fn(*args)

    def python_threads(fn, first, second):
        c._configure(1, True)
        return in_two_threads(fn, [first, second])

    fns = {
        "write": c.write,
        "read": c.read,
        "read into": c.read_into,
        "2-thread write, c-blosc threads": lambda: blosc_threads(c.compress, b),
        "2-thread write, Python threads": lambda: python_threads(
            c.compress, (b[:mid],), (b[mid:],)),
        "2-thread read, c-blosc threads": lambda: blosc_threads(
            c.decompress_into, c.frames, c.outs),
        "2-thread read, Python threads": lambda: python_threads(
            c.decompress_into, (c.frames[:mid], c.outs[:mid]), (c.frames[mid:], c.outs[mid:])),
    }
    timed_safely(row, fns, settings["repeat"])
    for op in ("2-thread write", "2-thread read"):
        ways = {way: row["times"]["%s, %s" % (op, way)] for way in
                ("c-blosc threads", "Python threads")}
        best = min(ways, key=ways.get)
        row["times"][op] = ways[best]
        row["notes"][op] = best
    row["stored bytes"] = c.stored_bytes()

    def check_read():
        for frame, block in zip(c.read(), b):
            check_equal(np.frombuffer(frame, block.dtype).reshape(block.shape), block, "read")

    def check_read_into():
        c.read_into()
        for out, block in zip(c.outs, b):
            check_equal(out, block, "read into")
    guarded(row, "read", check_read)
    guarded(row, "read into", check_read_into)
    c._configure(1, False)
    return row
