"""Reads from a ShardedStore: where a chunk's bytes are (open_value), and the
snapshot one read of many chunks shares (zarr.storage.shard_reads)."""

import os

import h5py
import numpy as np
import pytest

import zarr
from zarr.errors import CorruptChunkError
from zarr.storage import ShardedStore, shards


def open_fds():
    return len(os.listdir("/proc/self/fd"))


def release(found):
    """Close the file of an open_value answer, unless it is the store's."""
    if len(found) == 3:
        os.close(found[0])


@pytest.fixture
def versions(monkeypatch):
    """The container versions opened, counted as they are."""
    count = [0]
    open_version = shards.ContainerFile.open_version

    def counting(self):
        count[0] += 1
        return open_version(self)
    monkeypatch.setattr(shards.ContainerFile, "open_version", counting)
    return count


def seed_like(path, mode="w"):
    """A 2-d array of 100 chunks, ten to a container (sharded on axis 0)."""
    z = zarr.open(ShardedStore(path), mode=mode, shape=(100, 100), chunks=(10, 10), dtype="i4")
    data = np.arange(10000, dtype="i4").reshape(100, 100)
    if mode == "w":
        z[...] = data
    return z, data


def test_open_value_of_a_chunk_in_its_container(tmp_path):
    z, _ = seed_like(tmp_path)
    fd, offset, size = z.store.open_value("3/4")
    try:
        assert os.pread(fd, size, offset) == z.store["3/4"]
        assert offset > 0 and size == len(z.store["3/4"])
    finally:
        os.close(fd)


def test_open_value_of_a_plain_file_a_missing_key_and_a_container(tmp_path):
    z, _ = seed_like(tmp_path)
    plain = ShardedStore(tmp_path, write_direct=False)
    plain["3/4"] = b"newer"  # a plain file is looked up before its container
    fd, offset, size = plain.open_value("3/4")
    try:
        assert (offset, size, os.pread(fd, 100, 0)) == (0, 5, b"newer")
    finally:
        os.close(fd)
    assert plain.open_value("3/99") is None
    assert plain.open_value("3.h5") is None  # a container is not a key


def test_open_value_of_a_held_write_is_its_bytes(tmp_path):
    z, _ = seed_like(tmp_path)
    with z.store.write_batch():
        z.store["3/4"] = b"held"
        assert z.store.open_value("3/4") == b"held"
    fd, offset, size = z.store.open_value("3/4")
    os.close(fd)
    assert size == 4


def test_open_value_of_a_container_written_by_h5py(tmp_path):
    z, data = seed_like(tmp_path)
    value = z.store["7/5"]
    with h5py.File(tmp_path / "7.h5", "w", libver="latest") as f:
        f.create_dataset("5", data=np.void(value))
    found = z.store.open_value("7/5")  # read through h5py: its range, or its bytes
    if isinstance(found, tuple):
        fd, offset, size = found
        found = os.pread(fd, size, offset)
        os.close(fd)
    assert found == value
    np.testing.assert_array_equal(z[70:80, 50:60], data[70:80, 50:60])
    assert (z[70:80, :50] == 0).all()  # the other chunks of the file are gone


def test_a_read_of_many_chunks_opens_each_container_once(tmp_path, versions):
    z, data = seed_like(tmp_path)
    z = zarr.open(z.store, mode="r", threads=1)  # on more, two may open one at once
    before = versions[0]
    np.testing.assert_array_equal(z[...], data)
    assert versions[0] - before == 10
    before = versions[0]
    np.testing.assert_array_equal(z.oindex[[1, 2, 55], :], data[[1, 2, 55], :])
    assert versions[0] - before == 2
    np.testing.assert_array_equal(z.get_basic_selection(threads=2), data)


def test_reads_leave_no_file_open(tmp_path):
    z, data = seed_like(tmp_path)
    before = open_fds()
    for threads in (1, 2):
        z.get_basic_selection(threads=threads)
        z[5, 5], z[3:7, 3:7], z[:, 5], z.vindex[[1, 50], [2, 60]]
    assert open_fds() == before
    with open(tmp_path / "4.h5", "r+b") as f:
        f.truncate(os.path.getsize(tmp_path / "4.h5") // 2)
    with pytest.raises(CorruptChunkError, match="4.h5"):
        z.get_basic_selection(threads=2)
    assert open_fds() == before


def test_a_chunk_committed_during_a_read_is_not_missed(tmp_path):
    z, data = seed_like(tmp_path)
    other = ShardedStore(tmp_path)  # as another process would write
    del z.store["5/5"]
    before = open_fds()
    with z.store.read_batch():
        assert len(z.store.open_value("5/4")) == 4  # the container's version is kept
        other["5/5"] = z.store["5/4"]
        found = z.store.open_value("5/5")  # not in the kept version: looked up afresh
        assert found is not None
        release(found)
    assert open_fds() == before
    np.testing.assert_array_equal(z[50:60, 50:60], data[50:60, 40:50])


def test_a_chunk_moved_into_its_container_during_a_read_is_not_missed(tmp_path):
    path = tmp_path / "a"
    plain = zarr.open(ShardedStore(path, write_direct=False), mode="w", shape=(100, 100),
                      chunks=(10, 10), dtype="i4")
    data = np.arange(10000, dtype="i4").reshape(100, 100)
    plain[...] = data
    store = ShardedStore(path)
    with store.read_batch():
        found = store.open_value("5/4")  # its plain file, seen
        release(found)
        assert found[1] == 0
        store.consolidate()
        assert not os.path.exists(path / "5")
        found = store.open_value("5/5")
        assert found is not None and found[1] > 0  # in the container now
        release(found)
    np.testing.assert_array_equal(zarr.open(store, mode="r")[...], data)


def test_a_remade_array_is_routed_afresh_after_a_read(tmp_path):
    z, data = seed_like(tmp_path)
    z[...]
    zarr.open(ShardedStore(tmp_path), mode="w", shape=(100, 100, 10), chunks=(10, 10, 10),
              dtype="i4")[...] = 3
    assert (zarr.open(z.store, mode="r")[...] == 3).all()
