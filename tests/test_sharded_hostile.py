"""Hostile cases for zarr.storage.ShardedStore, found by trying to break it:
prefixes inside containers, container files as keys, empty values, damaged
and crafted containers, a container replaced by another process, a writer
racing a consolidation."""

import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import zarr
from zarr.errors import CorruptChunkError
from zarr.storage import ShardedStore, shards

import h5py

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _array(store, path="", shape=(20, 20, 20), chunks=(10, 10, 10), value=1, **kw):
    z = zarr.open(store, path=path or None, mode="w", shape=shape, chunks=chunks, dtype="i4",
                  **kw)
    z[:] = value
    return z


def _chunks(store, prefix=""):
    return [k for k in store.list(prefix) if not k.rpartition("/")[2].startswith(".")]


def _run(code, *args):
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], env=env, check=True,
                          capture_output=True, text=True).stdout


# Store protocol.

def test_delete_prefix_of_a_container_removes_its_chunks(tmp_path):
    s = ShardedStore(tmp_path)
    _array(s)
    s.delete_prefix("0")  # every chunk 0/*/* is in 0.h5; there is no directory 0
    assert _chunks(s, "0") == []


def test_delete_prefix_of_a_prefix_inside_a_container(tmp_path):
    s = ShardedStore(tmp_path)
    _array(s)
    s.delete_prefix("1/0")
    assert _chunks(s, "1/0") == []
    assert len(_chunks(s)) == 6


def test_delete_prefix_of_a_chunk_key_removes_the_chunk(tmp_path):
    s = ShardedStore(tmp_path)
    _array(s)
    s.delete_prefix("1/1/1")  # Store.delete_prefix: "prefix itself too, if a key"
    assert "1/1/1" not in s


def test_delete_chunk_of_array_below_the_root(tmp_path):
    # The plain file's directory g/a/0/0 is missing: LocalStore._delete goes
    # through nofollow.open_directory, which closes a descriptor twice
    # (OSError EBADF, and in a threaded process it may close another's file).
    s = ShardedStore(tmp_path)
    _array(s, "g/a")
    s.delete("g/a/0/0/0")
    assert "g/a/0/0/0" not in s


def test_resize_shrinking_array_below_the_root(tmp_path):
    s = ShardedStore(tmp_path)
    a = np.arange(8000, dtype="i4").reshape(20, 20, 20)
    z = zarr.open(s, path="g/a", mode="w", shape=a.shape, chunks=(10, 10, 10), dtype="i4")
    z[:] = a
    z.resize(10, 10, 10)
    assert _chunks(s, "g/a") == ["g/a/0/0/0"]
    z.resize(20, 20, 20)
    assert (z[:10, :10, :10] == a[:10, :10, :10]).all() and (z[10:] == 0).all()


def test_container_files_are_not_keys(tmp_path):
    # list() hides 0.h5, but `in`, get and set reach it as a plain key: a set
    # of "0.h5" replaces every chunk of the container.
    s = ShardedStore(tmp_path)
    _array(s)
    assert ("0.h5" in s) == ("0.h5" in s.list())


# Containers h5py must read.

def test_h5py_reads_a_container_holding_an_empty_value(tmp_path):
    # An empty value is written as an opaque type of size 0, which HDF5
    # does not allow: h5py then fails on the dataset.
    s = ShardedStore(tmp_path)
    zarr.open(s, mode="w", shape=(4, 4, 4), chunks=2, dtype="u1")
    s["0/0/0"] = b""
    s["0/0/1"] = b"abc"
    with h5py.File(tmp_path / "0.h5", "r") as f:
        assert {n: f[n][()].tobytes() for n in f} == {"0.0": b"", "0.1": b"abc"}


def test_h5py_empty_uint8_dataset_reads_as_empty_value(tmp_path):
    # h5py (default layout) gives an empty dataset the undefined address;
    # read with libver='latest' it works, in the original layout it raises.
    s = ShardedStore(tmp_path)
    zarr.open(s, mode="w", shape=(4, 4, 4), chunks=2, dtype="u1")
    with h5py.File(tmp_path / "0.h5", "w") as f:
        f.create_dataset("0.0", data=np.zeros(0, "u1"))
        f.create_dataset("0.1", data=np.frombuffer(b"abc", "u1"))
    assert s["0/0/1"] == b"abc"
    assert s["0/0/0"] == b""


# Corrupt containers.

def test_corrupt_superblock_read_through_h5py_raises_corrupt_chunk_error(tmp_path):
    s = ShardedStore(tmp_path)
    _array(s, shape=(10, 20, 20), compressor=None)
    data = bytearray((tmp_path / "0.h5").read_bytes())
    data[24] ^= 1  # base address: not ours, so h5py reads it and raises RuntimeError
    (tmp_path / "0.h5").write_bytes(bytes(data))
    shards._registry.clear()
    with pytest.raises(CorruptChunkError, match="0/0/1") as info:
        ShardedStore(tmp_path)["0/0/1"]
    assert str(tmp_path / "0.h5") in str(info.value)


def test_name_with_a_slash_is_corrupt_not_missing(tmp_path):
    # A flipped bit turns the name "0.1" into "0/1", which HDF5 does not allow
    # in a name; the chunk silently reads as missing (fill values).
    s = ShardedStore(tmp_path)
    _array(s, shape=(10, 20, 20), compressor=None)
    data = (tmp_path / "0.h5").read_bytes()
    at = data.rfind(b"\x000.1\x00")
    assert at > 0
    (tmp_path / "0.h5").write_bytes(data[:at + 2] + b"/" + data[at + 3:])
    shards._registry.clear()
    with pytest.raises(CorruptChunkError):
        ShardedStore(tmp_path)["0/0/1"]


_BOUNDED = r"""
import resource, sys
from zarr.storage import ShardedStore
resource.setrlimit(resource.RLIMIT_AS, (1500 << 20, 1500 << 20))
try:
    print(len(ShardedStore(sys.argv[1])["0/0/0"]))
except Exception as e:
    print(type(e).__name__)
"""


def test_tiny_container_does_not_exhaust_memory(tmp_path):
    # A 2 KB h5py file with a compressed 2 GiB dataset beside the chunk read:
    # the index read through h5py reads every such value whole.
    s = ShardedStore(tmp_path)
    _array(s, shape=(10, 20, 20))
    value = s["0/0/0"]
    os.unlink(tmp_path / "0.h5")
    with h5py.File(tmp_path / "0.h5", "w") as f:
        f.create_dataset("0.0", data=np.void(value))
        f.create_dataset("0.1", shape=(2**31,), dtype="u1", chunks=(2**20,), compression="gzip")
    assert os.path.getsize(tmp_path / "0.h5") < 100_000
    out = _run(_BOUNDED, tmp_path).split()
    assert out in ([str(len(value))], ["CorruptChunkError"])


# Caching.

_REWRITE = r"""
import sys, zarr
from zarr.storage import ShardedStore
z = zarr.open(ShardedStore(sys.argv[1]), mode="w", shape=(2, 2, 2), chunks=1, dtype="i4",
              compressor=None)
z[0, 0, int(sys.argv[2])] = int(sys.argv[3])
"""


def test_reader_sees_container_replaced_by_another_process(tmp_path):
    # Another process overwrites the array (mode 'w'): the new 0.h5 reuses the
    # freed inode and, holding one value of the same size, has the same
    # superblock bytes; the cached index maps the old names to its values.
    _run(_REWRITE, tmp_path, 0, 111)
    z = zarr.open(ShardedStore(tmp_path), mode="r")
    assert z[0, 0].tolist() == [111, 0]
    _run(_REWRITE, tmp_path, 1, 222)
    assert zarr.open(ShardedStore(tmp_path), mode="r")[0, 0].tolist() == [0, 222]


# Consolidation.

def test_plain_writer_survives_concurrent_consolidate(tmp_path):
    # write_direct=False writes files; consolidate() prunes the directories it
    # empties, and the writer's directory vanishes under it (FileNotFoundError).
    a = np.zeros((4, 4, 40), "i4")
    zarr.open(str(tmp_path), mode="w", shape=a.shape, chunks=(1, 1, 4), dtype="i4",
              dimension_separator="/")[:] = 0
    errors = []

    def writer():
        z = zarr.open(ShardedStore(tmp_path, write_direct=False), mode="r+")
        rnd = np.random.default_rng(0)
        try:
            for _ in range(300):
                x, y, c, v = rnd.integers(4), rnd.integers(4), rnd.integers(10), rnd.integers(1, 99)
                z[x, y, c * 4:c * 4 + 4] = v
                a[x, y, c * 4:c * 4 + 4] = v
        except Exception as e:
            errors.append(e)

    t = threading.Thread(target=writer)
    t.start()
    store = ShardedStore(tmp_path)
    while t.is_alive():
        store.consolidate(threads=2)
    t.join()
    assert errors == []
    assert (zarr.open(ShardedStore(tmp_path), mode="r")[:] == a).all()
