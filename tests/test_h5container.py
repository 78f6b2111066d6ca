"""zarr.storage.h5container: HDF5 files of chunk values, written and read
without an HDF5 library; h5py is the oracle of what the files hold."""

import os
import random

import h5py
import numpy as np
import pytest

from zarr.errors import CorruptChunkError
from zarr.storage import h5container as hc


def h5py_contents(path):
    with h5py.File(path, "r") as f:
        return {name: f[name][()].tobytes() for name in f}


def test_random_changes_read_by_h5py_and_by_us(tmp_path):
    path = str(tmp_path / "c.h5")
    fd = os.open(path, os.O_RDWR | os.O_CREAT)
    index, truth, rng = hc.empty_index(), {}, random.Random(0)
    try:
        for step in range(40):
            puts = {"%d.%d" % (rng.randrange(30), rng.randrange(30)): os.urandom(rng.randrange(0, 3000))
                    for _ in range(rng.randrange(1, 40))}
            removes = set(rng.sample(sorted(truth), min(5, len(truth)))) - set(puts) \
                if step % 3 == 0 else set()
            index = hc.commit(fd, index, puts, removes)
            truth.update(puts)
            for name in removes:
                del truth[name]
            assert h5py_contents(path) == truth
            again = hc.read_index(fd, path)
            assert again.names() == sorted(truth) and again.superblock == index.superblock
            assert all(hc.read_value(fd, again, k) == v for k, v in truth.items())
        assert len(truth) > 2 * hc.LEAF_K  # more than one symbol table node
        assert index.garbage > 0
        # A compacted copy holds the same, with no garbage.
        copy = os.open(str(tmp_path / "d.h5"), os.O_RDWR | os.O_CREAT)
        compact = hc.rewrite(copy, index, lambda n: hc.read_value(fd, index, n), {"new": b"x"})
        assert compact.garbage == 0 and os.fstat(copy).st_size < os.fstat(fd).st_size
        assert h5py_contents(str(tmp_path / "d.h5")) == dict(truth, new=b"x")
        os.close(copy)
    finally:
        os.close(fd)


def test_ranges_and_missing_names(tmp_path):
    fd = os.open(str(tmp_path / "c.h5"), os.O_RDWR | os.O_CREAT)
    index = hc.commit(fd, hc.empty_index(), {"a": b"0123456789"})
    assert hc.read_value(fd, index, "a", [(2, 3), (8, 5), (20, 1), (-1, 2)]) == \
        [b"234", b"89", b"", b"01"]
    with pytest.raises(KeyError):
        hc.read_value(fd, index, "b")
    for bad in ("", "a/b", 3):
        with pytest.raises(ValueError):
            hc.commit(fd, index, {bad: b""})
    os.close(fd)


@pytest.mark.parametrize("libver", ["latest", "earliest"])
def test_files_of_h5py(tmp_path, libver):
    path = str(tmp_path / "h.h5")
    values = {"0.%d" % i: os.urandom(i * 7) for i in range(1, 100)}
    with h5py.File(path, "w", libver=libver) as f:
        for name, value in values.items():
            f.create_dataset(name, data=np.void(value))
        f.create_dataset("u8", data=np.frombuffer(b"bytes", "u1"))
        f.create_dataset("floats", data=np.arange(3.0))
        f.create_group("group")
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            index = hc.read_index(fd, path)
        except hc.ForeignLayout:
            index = hc.read_index_h5py(path)
        assert {n: hc.read_value(fd, index, n) for n in values} == values
        assert hc.read_value(fd, index, "u8") == b"bytes"
        for name in ("floats", "group"):
            with pytest.raises(CorruptChunkError, match="h.h5.*%s" % name):
                hc.read_value(fd, index, name)
    finally:
        os.close(fd)


def test_a_killed_commit_leaves_the_old_version(tmp_path):
    path = str(tmp_path / "c.h5")
    fd = os.open(path, os.O_RDWR | os.O_CREAT)
    index = hc.commit(fd, hc.empty_index(), {"a": b"old"})
    os.write(os.open(path, os.O_WRONLY | os.O_APPEND), b"half of a change" * 50)
    assert hc.read_index(fd, path).names() == ["a"]
    index = hc.commit(fd, hc.read_index(fd, path), {"b": b"new"})
    assert os.fstat(fd).st_size == index.end  # what the killed writer left is cut off
    assert h5py_contents(path) == {"a": b"old", "b": b"new"}
    os.close(fd)


def test_damaged_files_raise(tmp_path):
    path = str(tmp_path / "c.h5")
    fd = os.open(path, os.O_RDWR | os.O_CREAT)
    hc.commit(fd, hc.empty_index(), {"%d" % i: os.urandom(50) for i in range(200)})
    whole = open(path, "rb").read()
    os.close(fd)
    rng = random.Random(1)
    raised = 0
    for trial in range(500):
        damaged = bytearray(whole)
        if trial % 2:
            damaged = damaged[:rng.randrange(len(whole))]
        else:
            for _ in range(rng.randrange(1, 5)):
                damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        open(path, "wb").write(bytes(damaged))
        fd = os.open(path, os.O_RDONLY)
        try:
            index = hc.read_index(fd, path)
            for name in index.names():
                hc.read_value(fd, index, name)
        except (CorruptChunkError, hc.ForeignLayout, KeyError):
            raised += 1
        finally:
            os.close(fd)
    assert raised > 250
