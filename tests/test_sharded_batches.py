"""The writes of one array call into a ShardedStore, held and committed as
one version of each container (zarr.storage.shards.WriteBatch)."""

import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import zarr
from zarr.storage import ShardedStore, h5container, shards


@pytest.fixture
def commits(monkeypatch):
    """The number of versions committed to containers, counted as they are."""
    count = [0]
    commit = h5container.commit

    def counting(*args, **kwargs):
        count[0] += 1
        return commit(*args, **kwargs)
    monkeypatch.setattr(h5container, "commit", counting)
    return count


def seed_like(path, **kwargs):
    """A 2-d array of 100 chunks, ten to a container (sharded on axis 0)."""
    return zarr.open(ShardedStore(path), mode="w", shape=(100, 100), chunks=(10, 10),
                     dtype="i4", **kwargs)


def test_one_write_commits_each_container_once(tmp_path, commits):
    z = seed_like(tmp_path)
    data = np.arange(10000, dtype="i4").reshape(100, 100)
    before = commits[0]
    z[...] = data
    assert commits[0] - before == 10
    np.testing.assert_array_equal(zarr.open(ShardedStore(tmp_path), mode="r")[...], data)
    before = commits[0]
    z[5:15, :] = -1  # a partial write: read, changed, held, committed
    assert commits[0] - before == 2
    data[5:15, :] = -1
    np.testing.assert_array_equal(zarr.open(ShardedStore(tmp_path), mode="r")[...], data)


def test_under_a_process_synchronizer_each_chunk_is_committed_alone(tmp_path, commits):
    z = seed_like(tmp_path / "a", synchronizer=zarr.ProcessSynchronizer(tmp_path / "locks"),
                  threads=1)  # on more, waiting threads' chunks may share a version
    before = commits[0]
    z[...] = 7
    assert commits[0] - before == 100
    assert (zarr.open(ShardedStore(tmp_path / "a"), mode="r")[...] == 7).all()


def test_held_values_are_seen_by_every_thread_of_the_process(tmp_path):
    store = ShardedStore(tmp_path)
    z = zarr.open(store, mode="w", shape=(100, 100), chunks=(10, 10), dtype="i4")
    seen = {}
    reader = threading.Thread(target=lambda: seen.update(other=z[:20].copy()))
    with store.write_batch():
        z[:20] = 5
        assert shards.held_writes(store) is not None
        reader.start()  # a thread of its own context: the writes are not its
        reader.join()
        seen["here"] = z[:20]
        # Other processes see only what is committed.
        code = ("import zarr, sys; from zarr.storage import ShardedStore; "
                "print(int(zarr.open(ShardedStore(sys.argv[1]), mode='r')[:20].sum()))")
        out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True,
                             capture_output=True, text=True).stdout
        assert int(out) == 0
    assert (seen["other"] == 5).all() and (seen["here"] == 5).all()
    assert shards.held_writes(store) is None
    assert not any(c._held for c in shards._registry.values())
    assert int(zarr.open(ShardedStore(tmp_path), mode="r")[:20].sum()) == 5 * 2000


def test_synchronized_threads_lose_no_update_while_chunks_are_held(tmp_path):
    # Every write changes every chunk (read, change, hold): the chunk locks
    # are let go before the commit, so a thread must read the held values.
    z = zarr.open(ShardedStore(tmp_path), mode="w", shape=(40, 40), chunks=(10, 10),
                  dtype="i4")
    assert z.synchronizer is not None

    def write(t):
        for rnd in range(5):
            z[t::4, :] = t + 10 * rnd
    threads = [threading.Thread(target=write, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    expect = np.zeros((40, 40), "i4")
    for t in range(4):
        expect[t::4] = t + 40
    np.testing.assert_array_equal(zarr.open(ShardedStore(tmp_path), mode="r")[...], expect)


def test_over_budget_the_batch_commits_as_it_goes(tmp_path, commits, monkeypatch):
    monkeypatch.setattr(shards, "BATCH_BYTES", 3 * 400)  # three raw chunks
    z = zarr.open(ShardedStore(tmp_path), mode="w", shape=(100, 100), chunks=(10, 10),
                  dtype="i4", compressor=None)
    data = np.random.default_rng(1).integers(0, 99, (100, 100), dtype="i4")
    before = commits[0]
    z[...] = data
    assert commits[0] - before > 10  # more than one version a container
    np.testing.assert_array_equal(zarr.open(ShardedStore(tmp_path), mode="r")[...], data)


def test_a_failed_commit_raises_and_holds_nothing(tmp_path):
    z = seed_like(tmp_path)
    z[...] = 1
    os.unlink(tmp_path / "3.h5")
    os.mkdir(tmp_path / "3.h5")  # no file can be written there
    with pytest.raises(OSError):
        z[...] = 2
    assert not any(c._held for c in shards._registry.values())
    out = zarr.open(ShardedStore(tmp_path), mode="r")
    np.testing.assert_array_equal(out[:30], 2)
    np.testing.assert_array_equal(out[40:], 2)


def test_a_chunk_deleted_in_the_batch_stays_deleted(tmp_path):
    store = ShardedStore(tmp_path)
    z = zarr.open(store, mode="w", shape=(100, 100), chunks=(10, 10), dtype="i4")
    z[:10] = 3
    with store.write_batch():
        z[:10] = 4
        del store["0/0"]
        with pytest.raises(KeyError):
            store["0/0"]
    assert "0/0" not in store and store.get("0/1") is not None
    out = zarr.open(ShardedStore(tmp_path), mode="r")[:10]
    assert (out[:, :10] == 0).all() and (out[:, 10:] == 4).all()


def test_an_error_inside_the_batch_keeps_what_was_written(tmp_path):
    store = ShardedStore(tmp_path)
    z = zarr.open(store, mode="w", shape=(100, 100), chunks=(10, 10), dtype="i4")
    with pytest.raises(RuntimeError):
        with store.write_batch():
            z[:10] = 6
            raise RuntimeError("stop")
    assert (zarr.open(ShardedStore(tmp_path), mode="r")[:10] == 6).all()
