"""The thread pool of reads and writes: settings, task runs, errors, fork."""

import os
import threading

import numpy as np
import pytest

import zarr
from zarr import parallel
from zarr.parallel import check_threads, run_tasks


@pytest.fixture
def default_threads():
    old = zarr.get_threads()
    yield
    zarr.set_threads(old)


def test_settings(default_threads):
    assert zarr.get_threads() >= 1
    assert zarr.set_threads(3) >= 1
    assert zarr.get_threads() == 3
    zarr.set_threads(None)
    assert zarr.get_threads() == len(os.sched_getaffinity(0))


@pytest.mark.parametrize("bad, error", [(0, ValueError), (-1, ValueError), (1.5, TypeError),
                                        ("2", TypeError), (True, TypeError)])
def test_bad_thread_counts(bad, error, tmp_path):
    with pytest.raises(error, match="threads"):
        check_threads(bad)
    with pytest.raises(error, match="threads"):
        zarr.set_threads(bad)
    with pytest.raises(error, match="threads"):
        zarr.zeros(10, threads=bad)
    with pytest.raises(error, match="threads"):
        zarr.open(str(tmp_path / "a.zarr"), mode="w", shape=10, threads=bad)
    assert not (tmp_path / "a.zarr").exists()
    z = zarr.zeros(10, chunks=2)
    with pytest.raises(error, match="threads"):
        z.threads = bad
    with pytest.raises(error, match="threads"):
        z.get_basic_selection(Ellipsis, threads=bad)
    with pytest.raises(error, match="threads"):
        z.set_basic_selection(Ellipsis, 1, threads=bad)
    assert z.nchunks_initialized == 0


def test_tasks_run_on_several_threads():
    seen = set()
    barrier = threading.Barrier(2, timeout=10)

    def task():
        seen.add(threading.get_ident())
        barrier.wait()  # only passes if two threads run tasks at once

    run_tasks([task] * 4, threads=2)
    assert len(seen) == 2


@pytest.mark.parametrize("threads", [1, 2, 4])
def test_every_task_runs_once(threads):
    counts = [0] * 50
    lock = threading.Lock()

    def task(i):
        def f():
            with lock:
                counts[i] += 1
        return f

    run_tasks([task(i) for i in range(50)], threads=threads)
    assert counts == [1] * 50


def test_few_tasks_or_one_thread_run_in_the_caller():
    me = threading.get_ident()
    where = []
    run_tasks([lambda: where.append(threading.get_ident())] * 2, threads=8)
    run_tasks([lambda: where.append(threading.get_ident())] * 10, threads=1)
    assert set(where) == {me}


def test_first_error_is_raised_and_stops_the_rest():
    ran = []

    def boom():
        raise KeyError("chunk 3")

    tasks = [lambda: ran.append(1)] * 3 + [boom] + [lambda: ran.append(1)] * 200
    with pytest.raises(KeyError, match="chunk 3"):
        run_tasks(tasks, threads=2)
    assert len(ran) < 203


def test_nested_calls_from_pool_threads_run_inline():
    inner = []

    def outer():
        run_tasks([lambda: inner.append(threading.get_ident())] * 5, threads=2)

    run_tasks([outer] * 4, threads=2)
    assert len(inner) == 20


def test_forked_child_gets_a_pool_of_its_own(tmp_path):
    z = zarr.array(np.arange(100000), chunks=1000, threads=2)
    assert z[...].sum() == np.arange(100000).sum()  # the pool's threads exist now
    assert parallel._pool is not None
    pid = os.fork()
    if pid == 0:  # the child reads and writes through a pool again
        try:
            z[...] = 1
            ok = int(z[...].sum()) == 100000
            os._exit(0 if ok else 1)
        except BaseException:
            os._exit(2)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("kind", ["memory", "directory", "lazy"])
def test_reads_and_writes_equal_numpy_whatever_the_threads(tmp_path, threads, kind):
    a = np.random.default_rng(1).normal(size=(97, 53))
    if kind == "memory":
        z = zarr.create(a.shape, chunks=(10, 7))
    else:
        z = zarr.open(str(tmp_path / "a.zarr"), mode="w", shape=a.shape, chunks=(10, 7),
                      lazy=kind == "lazy")
    z.set_basic_selection(Ellipsis, a, threads=threads)
    np.testing.assert_array_equal(z.get_basic_selection(Ellipsis, threads=threads), a)
    z.set_basic_selection((slice(3, 90, 2), slice(None, None, -1)), a[3:90:2, ::-1] * 2,
                          threads=threads)
    expected = a.copy()
    expected[3:90:2] = a[3:90:2] * 2
    np.testing.assert_array_equal(z.get_basic_selection(Ellipsis, threads=threads), expected)
    out = np.empty((97, 20))
    z.get_basic_selection((slice(None), slice(10, 30)), out=out, threads=threads)
    np.testing.assert_array_equal(out, expected[:, 10:30])
    z.threads = threads
    z[...] = 7.5  # a constant: one frame shared by every chunk
    np.testing.assert_array_equal(z[...], np.full(a.shape, 7.5))


def test_a_corrupt_chunk_among_many_raises(tmp_path):
    path = str(tmp_path / "a.zarr")
    z = zarr.open(path, mode="w", shape=(100,), chunks=(10,), threads=2)
    z[...] = np.arange(100)
    with open(os.path.join(path, "5"), "wb") as f:
        f.write(b"garbage" * 10)
    with pytest.raises(zarr.CorruptChunkError, match="5"):
        z[...]
