"""A synchronized array sent to other processes (pickled) keeps its promise
there: in a directory its chunk locks become process locks, in the copies and
in the handle that was pickled; an in-memory array's copy in another process
refuses writes that would never reach the original."""

import copy
import multiprocessing
import os
import pickle
import socket
import time

import numpy as np
import pytest

import _pickle_workers as workers
import zarr
from zarr.errors import ReadOnlyError
from zarr.storage import LocalStore, MemoryStore, WrapperStore

from arrays import KINDS

#: Rounds of each racing test: a lost update is likely in each, not certain.
ROUNDS = 3
N = 600


@pytest.fixture(scope="module", params=["fork", "spawn"])
def pool(request):
    ctx = multiprocessing.get_context(request.param)
    with ctx.Pool(2) as p:
        p.map(abs, [1, 2])  # the workers are up before the tests race them
        yield p


def test_a_pickled_synchronized_directory_array_loses_no_update(tmp_path, pool):
    """Two workers and the parent write single elements that share chunks of
    7: with thread locks only, read-modify-writes of one chunk would race."""
    for round_ in range(ROUNDS):
        path = str(tmp_path / ("r%d.zarr" % round_))
        z = zarr.open(path, mode="w", shape=N, dtype="i8", chunks=7, fill_value=-1)
        assert repr(z.synchronizer) == "ThreadSynchronizer()"
        jobs = pool.starmap_async(workers.write_elements, [(z, 0, 3, N), (z, 1, 3, N)])
        # The handle that was pickled (by the pool's thread, soon) locks
        # across processes from then on.
        deadline = time.monotonic() + 60
        while z.synchronizer != zarr.ProcessSynchronizer(path + ".sync"):
            assert time.monotonic() < deadline
            time.sleep(0.001)
        for i in range(2, N, 3):
            z[i:i + 1] = i
        seen = jobs.get(120)
        assert seen == [("SynchronizedPersistentArray",
                         "ProcessSynchronizer(%r)" % (path + ".sync"))] * 2
        np.testing.assert_array_equal(zarr.open(path, mode="r")[...], np.arange(N),
                                      err_msg="round %d" % round_)


@pytest.mark.parametrize("lazy", [False, True])
def test_unsynchronized_and_read_only_arrays_travel_as_they_are(tmp_path, pool, lazy):
    path = str(tmp_path / "a.zarr")
    plain = zarr.open(path, mode="w", shape=10, chunks=3, synchronized=False, lazy=lazy)
    ro = zarr.open(path, mode="r", lazy=lazy)
    got = pool.map(workers.received, [plain, ro])
    name = "LazyPersistentArray" if lazy else "PersistentArray"
    assert got == [(name, "None"), ("Synchronized" + name, "ThreadSynchronizer()")]
    assert plain.synchronizer is None and repr(ro.synchronizer) == "ThreadSynchronizer()"
    assert not os.path.exists(path + ".sync")


def test_a_copy_in_a_store_that_cannot_lock_across_processes_promises_no_locks(
        tmp_path, pool):
    store = WrapperStore(LocalStore(str(tmp_path / "a.zarr")))
    z = zarr.open(store, mode="w", shape=10, chunks=3)
    assert pool.map(workers.received, [z]) == [("PersistentArray", "None")]
    # In this process a copy keeps its thread locks, and the original is unchanged.
    assert repr(pickle.loads(pickle.dumps(z)).synchronizer) == "ThreadSynchronizer()"
    assert repr(z.synchronizer) == "ThreadSynchronizer()"


MEMORY_KINDS = ["memory", "synchronized-memory", "memory-store", "dict-store"]


@pytest.mark.parametrize("kind", MEMORY_KINDS)
def test_an_in_memory_copy_in_another_process_refuses_writes(pool, kind):
    z = KINDS[kind]((10,), "f8", (4,))
    z[:] = 2.0
    [(total, error)] = pool.map(workers.try_to_write, [z])
    assert total == 20.0  # reads work
    assert error is not None and error[0] == "ReadOnlyError"
    assert "copy" in error[1] and "directory" in error[1] and str(os.getpid()) in error[1]
    assert z[0] == 2.0


@pytest.mark.parametrize("kind", MEMORY_KINDS)
def test_an_in_memory_copy_in_this_process_is_writable(kind):
    z = KINDS[kind]((10,), "f8", (4,))
    z[:] = 2.0
    for again in (pickle.loads(pickle.dumps(z)), copy.deepcopy(z)):
        again[0] = 7.0
        assert again[0] == 7.0 and z[0] == 2.0


def test_an_in_memory_copy_loaded_after_its_process_ended_is_writable(tmp_path):
    path = str(tmp_path / "z.pickle")
    ctx = multiprocessing.get_context("spawn")
    p = ctx.Process(target=workers.make_and_dump, args=(path,))
    p.start()
    p.join(60)
    assert p.exitcode == 0
    with open(path, "rb") as f:
        z = pickle.load(f)
    z[0] = 9
    assert z[:3].tolist() == [9, 3, 3]


def test_a_refusing_copy_says_how_to_get_a_writable_one(pool):
    z = zarr.zeros(10, dtype="i4", chunks=5)
    [(_, error)] = pool.map(workers.try_to_write, [z])
    assert "zarr.array(copy)" in error[1]


def copy_from_a_live_process(store):
    """store as a copy unpickled here from the parent process (which runs)."""
    state = store.__getstate__()
    origin = (socket.gethostname(), os.getppid())
    if isinstance(store, WrapperStore):
        state["_origin"] = origin
    else:
        state["origin"] = origin
    again = type(store).__new__(type(store))
    again.__setstate__(state)
    return again


@pytest.mark.parametrize("make", [MemoryStore, dict])
def test_a_refusing_copy_changes_nothing(make):
    store = zarr.storage.as_store(make())
    z = zarr.open(store, mode="w", shape=10, dtype="i4", chunks=5, path="g/x")
    z[:] = 4
    z.attrs["a"] = 1
    copied = copy_from_a_live_process(store)
    before = {k: bytes(copied[k]) for k in copied}
    c = zarr.open(copied, mode="r+", path="g/x")
    changes = [lambda: c.__setitem__(0, 1), lambda: c.__setitem__(slice(None), 1),
               lambda: c.resize(20), lambda: c.append([1]), lambda: c.attrs.update(b=2),
               lambda: copied.set("k", b"v"), lambda: copied.delete("g/x/0"),
               lambda: copied.delete_prefix("g"), lambda: copied.rename("g", "h"),
               lambda: zarr.open(copied, mode="w", shape=3, path="y")]
    for change in changes:
        with pytest.raises(ReadOnlyError, match="copy"):
            change()
    assert {k: bytes(copied[k]) for k in copied} == before
    assert c[...].tolist() == [4] * 10
    # Pickled again here, it is still a copy of the live original.
    again = pickle.loads(pickle.dumps(copied))
    with pytest.raises(ReadOnlyError, match="copy"):
        again.set("k", b"v")
    # A copy of a process that is gone is a store of its own.
    state = store.__getstate__()
    assert state.get("origin", state.get("_origin"))[1] == os.getpid()
