"""Arrays in directories written by several processes at once.

Unaligned regions share chunks, so processes race on read-modify-write:
with a process synchronizer (file locks) no update is lost. Chunk-aligned
writes need no lock. Arrays travel to pool workers by pickle, under the
"fork" and "spawn" start methods.
"""

import math
import multiprocessing
import os
import pickle

import numpy as np
import pytest

import _fault_workers as workers
import zarr
from zarr.errors import ReadOnlyError
from zarr.persistent import SynchronizedLazyPersistentArray, SynchronizedPersistentArray
from zarr.sync import ProcessSynchronizer

CI = os.environ.get("HYPOTHESIS_PROFILE") == "ci"
PROCS = 8
REGIONS = 80  # 10 per process
SIZE = 1000
N = REGIONS * SIZE
#: Rounds of each racing test (a race is likely in each, not certain).
ROUNDS = 5 if CI else 2


def run_processes(ctx, target, args_list, kwargs):
    """Start one process per args, all released together by a barrier; each must exit 0."""
    barrier = ctx.Barrier(len(args_list))
    procs = [ctx.Process(target=target, args=tuple(args) + (barrier,), kwargs=kwargs)
             for args in args_list]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    for p in procs:
        if p.is_alive():
            p.kill()
            p.join()
    assert [p.exitcode for p in procs] == [0] * len(procs)


def interleaved(p):
    """The regions of process p: p, p + 8, p + 16, ... so that neighbours race."""
    return list(range(p, REGIONS, PROCS))


def chunk_files(path):
    return sorted(os.path.relpath(os.path.join(root, n), path)
                  for root, _, names in os.walk(path) for n in names if not n.startswith("."))


SYNC_KINDS = ["process_sync", "synchronizer", "lazy-process_sync"]


def _sync_options(kind, path):
    if kind == "synchronizer":
        return {"synchronizer": ProcessSynchronizer(path + ".locks")}
    return {"process_sync": True, "lazy": kind.startswith("lazy")}


@pytest.mark.parametrize("kind", SYNC_KINDS)
def test_unaligned_regions_from_8_processes_lose_nothing(tmp_path, kind):
    """8 processes write 1000-element regions over chunks of 999: each chunk
    boundary is written by two processes at about the same time."""
    ctx = multiprocessing.get_context("fork")
    for round_ in range(ROUNDS):
        path = str(tmp_path / ("r%d.zarr" % round_))
        zarr.open(path, mode="w", shape=N, dtype="i8", chunks=999, fill_value=-1)
        options = _sync_options(kind, path)
        run_processes(ctx, workers.write_regions,
                      [(path, interleaved(p), SIZE) for p in range(PROCS)], options)
        z = zarr.open(path, mode="r")
        np.testing.assert_array_equal(z[...], np.arange(N))
        # The locks live beside the array, never among its chunks.
        nchunks = math.ceil(N / 999)
        assert z.nchunks_initialized == nchunks
        assert len(chunk_files(path)) == nchunks
        locks = path + (".locks" if kind == "synchronizer" else ".sync")
        assert len([n for n in os.listdir(locks) if n.endswith(".lock")]) == nchunks


@pytest.mark.parametrize("kind", SYNC_KINDS)
def test_appends_from_8_processes_all_land(tmp_path, kind):
    """8 processes append 10 blocks of 1000 each, onto chunks of 999."""
    ctx = multiprocessing.get_context("fork")
    for round_ in range(ROUNDS):
        path = str(tmp_path / ("r%d.zarr" % round_))
        zarr.open(path, mode="w", shape=0, dtype="i8", chunks=999, fill_value=-1)
        options = _sync_options(kind, path)
        run_processes(ctx, workers.append_blocks,
                      [(path, interleaved(p), SIZE) for p in range(PROCS)], options)
        z = zarr.open(path, mode="r")
        assert z.shape == (N,)
        data = z[...]
        np.testing.assert_array_equal(np.sort(data), np.arange(N))
        # Each append landed whole, and each process's appends in its order.
        blocks = data.reshape(REGIONS, SIZE)
        order = blocks[:, 0] // SIZE
        np.testing.assert_array_equal(blocks, order[:, None] * SIZE + np.arange(SIZE))
        for p in range(PROCS):
            mine = [b for b in order.tolist() if b % PROCS == p]
            assert mine == interleaved(p)
        assert z.nchunks_initialized == math.ceil(N / 999)


@pytest.mark.parametrize("lazy", [False, True])
@pytest.mark.parametrize("region_chunks", [1, 3])
def test_chunk_aligned_writes_need_no_lock(tmp_path, lazy, region_chunks):
    """Regions made of whole chunks: no two processes write one chunk, so even
    unsynchronized arrays without any lock end exactly right."""
    ctx = multiprocessing.get_context("fork")
    chunk = SIZE
    size = chunk * region_chunks
    path = str(tmp_path / "a.zarr")
    zarr.open(path, mode="w", shape=REGIONS * size, dtype="i8", chunks=chunk, fill_value=-1,
              synchronized=False)
    run_processes(ctx, workers.write_regions,
                  [(path, interleaved(p), size) for p in range(PROCS)],
                  {"synchronized": False, "lazy": lazy})
    z = zarr.open(path, mode="r")
    np.testing.assert_array_equal(z[...], np.arange(REGIONS * size))
    assert not os.path.exists(path + ".sync")
    assert z.nchunks_initialized == REGIONS * size // chunk


@pytest.mark.parametrize("method", ["fork", "spawn"])
@pytest.mark.parametrize("lazy", [False, True])
def test_pickled_arrays_in_a_pool(tmp_path, method, lazy):
    ctx = multiprocessing.get_context(method)
    path = str(tmp_path / "a.zarr")
    regions = 24
    z = zarr.open(path, mode="w", shape=regions * SIZE, dtype="i8", chunks=999, fill_value=-1,
                  process_sync=True, lazy=lazy)
    with ctx.Pool(4) as pool:
        seen = pool.starmap(workers.write_region_of, [(z, i, SIZE) for i in range(regions)])
        expected_class = SynchronizedLazyPersistentArray if lazy else SynchronizedPersistentArray
        assert set(seen) == {(expected_class.__name__, "r+", path, True)}
        # The parent sees the workers' writes, through the array it already had.
        np.testing.assert_array_equal(z[...], np.arange(regions * SIZE))
        # A read-only array stays read-only on the other side.
        r = zarr.open(path, mode="r", lazy=lazy)
        outcomes = pool.map(workers.try_to_write, [r] * 4)
        assert outcomes == [("r", "ReadOnlyError", True)] * 4
    np.testing.assert_array_equal(zarr.open(path, mode="r")[...], np.arange(regions * SIZE))
    again = pickle.loads(pickle.dumps(r))
    assert again.mode == "r" and isinstance(again, expected_class)
    with pytest.raises(ReadOnlyError):
        again[0] = 1


def test_a_pickled_writable_array_reopens_as_r_plus(tmp_path):
    """Mode 'w' must not travel: unpickling would otherwise wipe the array."""
    path = str(tmp_path / "a.zarr")
    z = zarr.open(path, mode="w", shape=10, dtype="i4", chunks=5)
    z[:] = np.arange(10)
    again = pickle.loads(pickle.dumps(z))
    assert again.mode == "r+"
    np.testing.assert_array_equal(again[...], np.arange(10))


def test_resize_with_process_sync_starts_from_the_shape_on_disk(tmp_path):
    # Two openings of one array stand for two processes: the second appends,
    # then the first shrinks; the part cut off must read as fill when regrown.
    path = str(tmp_path / "a.zarr")
    first = zarr.open(path, mode="w", shape=(10,), dtype="i4", chunks=(4,), process_sync=True)
    first[...] = 1
    second = zarr.open(path, mode="r+", process_sync=True)
    second.append(np.full(6, 2, "i4"))
    first.resize(13)
    first.resize(16)
    np.testing.assert_array_equal(zarr.open(path, mode="r")[...],
                                  [1] * 10 + [2] * 3 + [0] * 3)
