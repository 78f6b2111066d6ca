"""zarr.storage.ShardedStore: where chunks go, reading what others wrote,
consolidation, writers of one container (threads, processes, kills), bad
containers."""

import glob
import json
import multiprocessing
import os
import pickle
import random
import re
import signal
import threading
import time

import h5py
import numpy as np
import pytest

import zarr
from conftest import run_checked
from zarr.errors import CorruptChunkError, ReadOnlyError
from zarr.storage import LocalStore, ShardedStore


def tree(root):
    """Every path under ``root``, relative, sorted (hidden files too)."""
    return sorted(os.path.relpath(p, root)
                  for p in glob.glob(os.path.join(root, "**"), recursive=True)
                  + glob.glob(os.path.join(root, "**", ".*"), recursive=True))


def chunk_files(root):
    return [p for p in tree(root) if os.path.isfile(os.path.join(root, p))
            and not os.path.basename(p).startswith(".") and not p.endswith(".h5")]


def h5_contents(path):
    with h5py.File(path, "r") as f:
        return {name: f[name][()].tobytes() for name in f}


A3 = np.arange(40 * 30 * 20, dtype="i4").reshape(40, 30, 20)


# Where chunks go.

@pytest.mark.parametrize("shape, chunks, depth, expect", [
    ((40, 30, 20), (10, 10, 10), 3, {"0.h5": ["0.0", "2.1"], "3.h5": ["2.1"]}),
    ((40, 30, 20, 4), (10, 10, 10, 2), 3, {"0/0.h5": ["0.0", "1.1"], "3/2.h5": ["1.1"]}),
    ((40, 30), (10, 10), 3, {"0.h5": ["0", "2"], "3.h5": ["2"]}),
    ((40, 30, 20), (10, 10, 10), 2, {"0/0.h5": ["0", "1"], "3/2.h5": ["1"]}),
    ((40, 30, 20, 4), (10, 10, 10, 2), 5, {"0.h5": ["0.0.0", "2.1.1"]}),
    ((2500,), (1,), 3, {"0.h5": ["0", "999"], "2.h5": ["2000", "2499"]}),
])
def test_layout_of_containers(tmp_path, shape, chunks, depth, expect):
    store = ShardedStore(tmp_path, consolidate_depth=depth)
    data = (np.arange(np.prod(shape)) % 251).astype("u1").reshape(shape)
    z = zarr.open(store, mode="w", shape=shape, chunks=chunks, dtype="u1")
    z[...] = data
    for container, names in expect.items():
        held = h5_contents(os.path.join(tmp_path, container))
        assert set(names) <= set(held)
    assert chunk_files(tmp_path) == []
    nchunks = int(np.prod([-(-s // c) for s, c in zip(shape, chunks)]))
    assert len(store.list("")) == nchunks + 2
    np.testing.assert_array_equal(zarr.open(ShardedStore(tmp_path, depth), mode="r")[...], data)
    assert zarr.open(ShardedStore(tmp_path, depth), mode="r").dimension_separator == "/"


def test_route(tmp_path):
    store = ShardedStore(tmp_path)
    zarr.open_group(store, mode="w").zeros("g/a", shape=(9, 9, 9), chunks=3)
    assert store.route("g/a/1/2/0") == ("g/a/1.h5", "2.0")
    assert store.route("g/a/1/2") is None            # not a chunk of a 3-d array
    assert store.route("g/a/.zarray") is None
    assert store.route("g/.zgroup") is None
    assert store.route("0/1/2") is None              # no array there
    zarr.open(store, path="flat", mode="w", shape=(9, 9), chunks=3, dimension_separator=".")
    assert store.route("flat/0.0") is None


def test_flat_arrays_and_other_files_stay_plain(tmp_path):
    store = ShardedStore(tmp_path)
    z = zarr.open(store, path="flat", mode="w", shape=(20, 20), chunks=10,
                  dimension_separator=".", dtype="i2")
    z[:] = 5
    store["notes/readme.h5"] = b"not a container"
    assert sorted(os.listdir(tmp_path / "flat")) == [".zarray", ".zattrs", "0.0", "0.1",
                                                     "1.0", "1.1"]
    assert store["notes/readme.h5"] == b"not a container"
    assert "notes/readme.h5" in store.list("")


def test_protocol(tmp_path):
    store = ShardedStore(tmp_path)
    zarr.open(store, path="a", mode="w", shape=(4, 4, 4), chunks=2, dtype="u1")
    store["a/0/1/1"] = b"abc"
    store["a/1/0/0"] = b"defg"
    assert store["a/0/1/1"] == b"abc" and store.getsize("a/1/0/0") == 4
    assert "a/0/1/1" in store and "a/0/1/0" not in store
    assert store.get_ranges("a/1/0/0", [(1, 2), (3, 10), (9, 1)]) == [b"ef", b"g", b""]
    assert store.list("a") == ["a/.zarray", "a/.zattrs", "a/0/1/1", "a/1/0/0"]
    assert store.list("a/0") == ["a/0/1/1"]
    assert store.list_dir("a") == [".zarray", ".zattrs", "0", "1"]
    assert store.list_dir("a/0") == ["1"] and store.list_dir("a/0/1") == ["1"]
    assert store.list_dir_sizes("a/1/0") == [("0", 4)]
    assert store.contains_prefix("a/0") and not store.contains_prefix("a/2")
    with pytest.raises(KeyError):
        store["a/0/0/0"]
    with pytest.raises(KeyError):
        store.get_ranges("a/0/0/0", [(0, 1)])
    store["a/0/1/1"] = b"xyz"
    assert store["a/0/1/1"] == b"xyz"
    del store["a/0/1/1"]
    assert "a/0/1/1" not in store and store.list("a/0") == []
    with pytest.raises(KeyError):
        del store["a/0/1/1"]
    assert h5_contents(tmp_path / "a" / "1.h5") == {"0.0": b"defg"}
    store.rename("a", "b")
    assert store["b/1/0/0"] == b"defg"
    store.delete_prefix("b")
    assert store.list("") == []


def test_pickle_and_read_only(tmp_path):
    store = ShardedStore(tmp_path, consolidate_depth=2, write_direct=False)
    back = pickle.loads(pickle.dumps(store))
    assert back == store and back.consolidate_depth == 2 and not back.write_direct
    z = zarr.open(store, mode="w", shape=(4, 4), chunks=2, dtype="u1")
    z[:] = 1
    ro = ShardedStore(tmp_path, read_only=True)
    before = {p: open(os.path.join(tmp_path, p), "rb").read() for p in chunk_files(tmp_path)}
    with pytest.raises(ReadOnlyError):
        ro["0/0"] = b"x"
    with pytest.raises(ReadOnlyError):
        ro.consolidate()
    assert {p: open(os.path.join(tmp_path, p), "rb").read()
            for p in chunk_files(tmp_path)} == before


@pytest.mark.parametrize("options", [{}, {"consolidate_depth": 2}, {"consolidate_depth": 7}])
def test_bad_options(tmp_path, options):
    ShardedStore(tmp_path, **options)
    with pytest.raises(ValueError, match="container"):
        ShardedStore(tmp_path, container="zip")
    for depth in (1, 0, 2.0, True, "3"):
        with pytest.raises(ValueError, match="consolidate_depth"):
            ShardedStore(tmp_path, consolidate_depth=depth)


# What others wrote.

def test_nested_directory_opens_as_it_is_and_write_direct_false_is_one(tmp_path):
    nested, sharded = tmp_path / "nested", tmp_path / "sharded"
    z = zarr.open(str(nested), mode="w", shape=A3.shape, chunks=(10, 10, 10), dtype="i4",
                  dimension_separator="/")
    z[:] = A3
    np.testing.assert_array_equal(zarr.open(ShardedStore(nested), mode="r")[:], A3)
    y = zarr.open(ShardedStore(sharded, write_direct=False), mode="w", shape=A3.shape,
                  chunks=(10, 10, 10), dtype="i4")
    y[:] = A3
    assert tree(nested) == tree(sharded)
    for p in chunk_files(nested):
        assert open(nested / p, "rb").read() == open(sharded / p, "rb").read()
    # A plain file is read first, and written again as one.
    s = ShardedStore(nested)
    zarr.open(s, mode="r+")[0:10, 0:10, 0:10] = -1
    assert chunk_files(nested) == chunk_files(sharded)
    assert glob.glob(str(nested / "*.h5")) == []


def seed_container(path, values, libver="latest"):
    """A container as the seed's package writes one, with h5py."""
    with h5py.File(path, "a", libver=libver) as f:
        for name, value in values.items():
            if name in f:
                del f[name]
            f.create_dataset(name, data=np.void(value))


@pytest.mark.parametrize("libver", ["latest", "earliest"])
def test_containers_written_by_h5py_read_and_change(tmp_path, libver):
    nested = tmp_path / "n"
    z = zarr.open(str(nested), mode="w", shape=(20, 20, 20), chunks=10, dtype="i4",
                  dimension_separator="/")
    z[:] = A3[:20, :20, :20]
    for c0 in ("0", "1"):
        values = {}
        for c1 in ("0", "1"):
            for c2 in ("0", "1"):
                f = nested / c0 / c1 / c2
                values["%s.%s" % (c1, c2)] = f.read_bytes()
                f.unlink()
        seed_container(str(nested / (c0 + ".h5")), values, libver)
    assert chunk_files(nested) == []
    store = ShardedStore(nested)
    np.testing.assert_array_equal(zarr.open(store, mode="r")[:], A3[:20, :20, :20])
    zarr.open(store, mode="r+")[0, 0, 0] = -5
    expect = A3[:20, :20, :20].copy()
    expect[0, 0, 0] = -5
    np.testing.assert_array_equal(zarr.open(ShardedStore(nested), mode="r")[:], expect)
    assert len(h5_contents(str(nested / "0.h5"))) == 4   # h5py reads it after our change
    # and h5py (as the seed's package) writes into ours again.
    seed_container(str(nested / "0.h5"), {"1.1": store["1/1/1"]})
    got = zarr.open(ShardedStore(nested), mode="r")[:]
    np.testing.assert_array_equal(got[:10, 10:, 10:], A3[10:20, 10:20, 10:20])
    np.testing.assert_array_equal(got[10:], expect[10:])


def test_our_containers_read_by_h5py(tmp_path):
    store = ShardedStore(tmp_path)
    rng = random.Random(1)
    truth = {}
    zarr.open(store, mode="w", shape=(100, 100, 100), chunks=10, dtype="u1")
    for step in range(300):
        key = "%d/%d/%d" % (rng.randrange(2), rng.randrange(10), rng.randrange(10))
        if truth and rng.random() < 0.2:
            key = rng.choice(sorted(truth))
            del store[key]
            del truth[key]
            continue
        truth[key] = os.urandom(rng.randrange(0, 3000))
        store[key] = truth[key]
    for c0 in ("0", "1"):
        held = h5_contents(str(tmp_path / (c0 + ".h5")))
        assert held == {k[2:].replace("/", "."): v for k, v in truth.items() if k[0] == c0}
    assert {k: store[k] for k in store.list("") if not k.startswith(".")} == truth


# Consolidation.

def nested_array(root, shape=(40, 30, 20), chunks=(10, 10, 10), path=None):
    z = zarr.open(str(root), mode="w", shape=shape, chunks=chunks, dtype="i4",
                  dimension_separator="/", path=path)
    data = np.arange(np.prod(shape), dtype="i4").reshape(shape)
    z[:] = data
    return data


def test_consolidate_a_hierarchy(tmp_path):
    g = zarr.open_group(str(tmp_path), mode="w")
    g.create_group("sub")
    a = nested_array(tmp_path, path="sub/a")
    b = nested_array(tmp_path, shape=(50, 50), chunks=(10, 10), path="b")
    c = nested_array(tmp_path, shape=(3000,), chunks=(10,), path="c")
    files = chunk_files(tmp_path)
    store = ShardedStore(tmp_path)
    moved = store.consolidate(threads=2)
    assert sorted(moved) == sorted(files) and len(moved) == 4 * 3 * 2 + 25 + 300
    assert chunk_files(tmp_path) == []
    assert not any(os.path.isdir(tmp_path / "sub" / "a" / d) for d in "0123")
    assert sorted(os.listdir(tmp_path / "c")) == [".zarray", ".zattrs", "0.h5"]
    for path, data in (("sub/a", a), ("b", b), ("c", c)):
        np.testing.assert_array_equal(zarr.open(ShardedStore(tmp_path), path=path,
                                                mode="r")[...], data)
    assert store.consolidate() == []


def test_consolidate_one_array_only(tmp_path):
    zarr.open_group(str(tmp_path), mode="w")
    nested_array(tmp_path, path="a")
    nested_array(tmp_path, path="b")
    moved = ShardedStore(tmp_path).consolidate("a")
    assert moved and all(k.startswith("a/") for k in moved)
    assert chunk_files(tmp_path) and all(p.startswith("b") for p in chunk_files(tmp_path))


def test_consolidate_with_a_copy_already_in_the_container(tmp_path):
    data = nested_array(tmp_path)
    # A killed consolidation's state: the file and the container hold a chunk,
    # the same bytes; another chunk differs (the file is newer: it wins).
    seed_container(str(tmp_path / "0.h5"), {"0.0": (tmp_path / "0" / "0" / "0").read_bytes(),
                                           "0.1": (tmp_path / "1" / "0" / "0").read_bytes()},
                   "earliest")
    store = ShardedStore(tmp_path)
    np.testing.assert_array_equal(zarr.open(store, mode="r")[:], data)
    store.consolidate()
    assert chunk_files(tmp_path) == []
    np.testing.assert_array_equal(zarr.open(store, mode="r")[:], data)


def test_consolidate_progress(tmp_path, capsys):
    nested_array(tmp_path)
    ShardedStore(tmp_path).consolidate(progress=True)
    assert "24/24" in capsys.readouterr().err


# Writers of one container.

def test_threads_lose_no_update(tmp_path):
    store = ShardedStore(tmp_path)
    zarr.open(store, mode="w", shape=(10, 100, 100), chunks=10, dtype="u1")
    expect = {}

    def write(t):
        for i in range(40):
            key = "0/%d/%d" % (t, i % 10)
            value = os.urandom(100 + i)
            store[key] = value
            if i >= 30:
                expect[key] = value
    threads = [threading.Thread(target=write, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {k: store[k] for k in store.list("0")} == expect
    assert len(h5_contents(str(tmp_path / "0.h5"))) == 80


def _process_writer(root, worker, n):
    store = ShardedStore(root)
    for i in range(n):
        store["0/%d/%d" % (worker, i)] = bytes([worker]) * (i + 1)


def test_processes_lose_no_update(tmp_path):
    store = ShardedStore(tmp_path)
    zarr.open(store, mode="w", shape=(10, 1000, 1000), chunks=10, dtype="u1")
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_process_writer, args=(str(tmp_path), w, 60)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    assert len(store.list("0")) == 240
    for w in range(4):
        for i in range(60):
            assert store["0/%d/%d" % (w, i)] == bytes([w]) * (i + 1)


def test_array_writes_from_threads(tmp_path):
    z = zarr.open(ShardedStore(tmp_path), mode="w", shape=(20, 200, 200), chunks=(10, 10, 10),
                  dtype="i4")
    data = np.random.default_rng(0).integers(0, 1000, z.shape, dtype="i4")

    def write(i):
        z[:, i * 25:(i + 1) * 25] = data[:, i * 25:(i + 1) * 25]
    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    np.testing.assert_array_equal(zarr.open(ShardedStore(tmp_path), mode="r")[:], data)


def _kill_at_random(child, rng, longest):
    """SIGKILL the child ``child`` (a (pid, ready pipe) pair) at a random time
    within ``longest`` seconds of its saying it is ready."""
    pid, ready = child
    os.read(ready, 1)
    os.close(ready)
    time.sleep(rng.random() * longest)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def _fork(work):
    """Run ``work(ready)`` in a forked child; ``ready()`` tells the parent it
    has started."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            work(lambda: os.write(w, b"x"))
        finally:
            os._exit(0)
    os.close(w)
    return pid, r


def test_killed_writers_leave_every_chunk_old_or_new(tmp_path):
    store = ShardedStore(tmp_path)
    zarr.open(store, mode="w", shape=(10, 100, 100), chunks=10, dtype="u1")
    rng = random.Random(7)
    others = {"0/%d/%d" % (i, j): os.urandom(200 + i * j) for i in range(5) for j in range(5)}
    for key, value in others.items():
        store[key] = value
    versions = {n: bytes([n]) * (300 + 7 * n) for n in range(256)}
    current = {versions[0]}
    store["0/9/9"] = versions[0]
    for trial in range(200):
        def work(ready):
            s = ShardedStore(tmp_path)
            n = 0
            s["0/9/9"] = versions[n]
            ready()
            while True:
                n = (n + 1) % 256
                s["0/9/9"] = versions[n]
                if n % 3 == 0:
                    s["0/8/%d" % (n % 10)] = versions[n]
        _kill_at_random(_fork(work), rng, 0.01)
        fresh = ShardedStore(tmp_path)
        assert fresh["0/9/9"] in versions.values()
        for key, value in others.items():
            assert fresh[key] == value
        current.add(fresh["0/9/9"])
    assert len(current) > 10  # the kills came at many points of the writes
    assert h5_contents(str(tmp_path / "0.h5"))["9.9"] == ShardedStore(tmp_path)["0/9/9"]


def test_killed_consolidation_loses_nothing(tmp_path):
    rng = random.Random(3)
    root = tmp_path / "a"
    zarr.open(str(root), mode="w", shape=(30, 40, 40), chunks=10, dtype="u1",
              dimension_separator="/")
    values = {"%d/%d/%d" % (i, j, k): os.urandom(rng.randrange(10, 2000))
              for i in range(3) for j in range(4) for k in range(4)}
    plain = LocalStore(root)
    finished = 0
    for trial in range(100):
        for key in list(ShardedStore(root).list("")):
            if not key.startswith("."):
                del ShardedStore(root)[key]
        for key, value in values.items():
            plain[key] = value
        def consolidate(ready):
            store = ShardedStore(root)
            ready()
            store.consolidate(threads=1)
        _kill_at_random(_fork(consolidate), rng, 0.03)
        store = ShardedStore(root)
        for key, value in values.items():
            where = []
            if (root / key).exists():
                where.append((root / key).read_bytes())
            routed = store.route(key)
            try:
                where.append(store._container(routed[0]).read(routed[1]))
            except KeyError:
                pass
            assert where and all(w == value for w in where), (trial, key)
        finished += not chunk_files(root)
        store.consolidate()
        assert chunk_files(root) == []
        assert {k: store[k] for k in values} == values
    assert finished < 100  # some kills came before the end


# Bad containers.

def bad_container(tmp_path, content):
    store = ShardedStore(tmp_path)
    z = zarr.open(store, mode="w", shape=(20, 20, 20), chunks=10, dtype="i4")
    z[:] = 1
    path = tmp_path / "0.h5"
    if callable(content):
        content(path)
    else:
        path.write_bytes(content)
    return ShardedStore(tmp_path)


@pytest.mark.parametrize("content", [b"", b"not HDF5 at all" * 10, b"\x89HDF\r\n\x1a\n" + b"\0" * 200])
def test_container_that_is_not_hdf5(tmp_path, content):
    store = bad_container(tmp_path, content)
    z = zarr.open(store, mode="r")
    if content == b"":
        np.testing.assert_array_equal(z[:10], 0)  # an empty file: nothing committed yet
        return
    with pytest.raises(CorruptChunkError, match=r"0\.h5") as e:
        z[0]
    assert re.search(r"chunk '0/[01]/[01]'", str(e.value))


def test_truncated_containers_raise(tmp_path):
    store = bad_container(tmp_path, lambda p: None)
    whole = (tmp_path / "0.h5").read_bytes()
    for n in sorted(set(range(1, len(whole), max(1, len(whole) // 300))) | {95, 96, 97}):
        (tmp_path / "0.h5").write_bytes(whole[:n])
        z = zarr.open(ShardedStore(tmp_path), mode="r")
        with pytest.raises(CorruptChunkError, match=r"0\.h5"):
            z[:10]


def test_wrong_dataset_under_a_chunk_name(tmp_path):
    def content(path):
        path.unlink()
        with h5py.File(path, "w") as f:
            f.create_dataset("0.0", data=np.arange(3.0))
            f.create_group("0.1")
    store = bad_container(tmp_path, content)
    z = zarr.open(store, mode="r")
    with pytest.raises(CorruptChunkError, match=r"'0\.0'.*0\.h5|0\.h5.*'0\.0'"):
        z[0, 0, 0]
    with pytest.raises(CorruptChunkError, match=r"0\.1"):
        z[0, 0, 10]
    np.testing.assert_array_equal(z[10:, 10:, 10:], 1)   # the other containers read
    del store["0/0/0"]  # h5py's original layout is ours: changed in place
    with h5py.File(tmp_path / "0.h5", "r") as f:
        assert set(f) == {"0.1"} and isinstance(f["0.1"], h5py.Group)


def test_a_bad_dataset_in_another_layout_refuses_changes(tmp_path):
    def content(path):
        path.unlink()
        with h5py.File(path, "w", libver="latest") as f:
            f.create_dataset("0.0", data=np.void(b"x" * 10))
            f.create_group("0.1")
    store = bad_container(tmp_path, content)
    # A change would have to copy what it cannot read: refused, the file unchanged.
    before = (tmp_path / "0.h5").read_bytes()
    with pytest.raises(CorruptChunkError, match=r"0\.1"):
        store["0/0/0"] = b"new"
    assert (tmp_path / "0.h5").read_bytes() == before


def test_bad_datasets_of_our_containers_are_kept_by_changes(tmp_path):
    store = ShardedStore(tmp_path)
    z = zarr.open(store, mode="w", shape=(20, 20, 20), chunks=10, dtype="i4")
    z[:] = 1
    with h5py.File(tmp_path / "0.h5", "a", libver="earliest") as f:
        del f["0.0"]
        f.create_dataset("0.0", data=np.arange(3.0))
    fresh = ShardedStore(tmp_path)
    z = zarr.open(fresh, mode="r+")
    z[0, 10, 0] = 5   # chunk 0/1/0, beside the bad one
    with pytest.raises(CorruptChunkError, match=r"'0/0/0'.*0\.h5"):
        z[0, 0, 0]
    assert int(z[0, 10, 0]) == 5
    del fresh["0/0/0"]
    assert "0/0/0" not in fresh and int(z[0, 0, 0]) == 0


def test_random_damage_never_crashes(tmp_path):
    store = bad_container(tmp_path, lambda p: None)
    whole = bytearray((tmp_path / "0.h5").read_bytes())
    rng = random.Random(5)
    outcomes = set()
    for trial in range(300):
        damaged = bytearray(whole)
        for _ in range(rng.randrange(1, 4)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        (tmp_path / "0.h5").write_bytes(bytes(damaged))
        try:
            got = zarr.open(ShardedStore(tmp_path), mode="r")[:10]
            outcomes.add("read")
            assert got.shape == (10, 20, 20)
        except (CorruptChunkError, ValueError) as e:
            outcomes.add(type(e).__name__)
    assert "CorruptChunkError" in outcomes


# Interop.

NESTED_BY_ZARR_PYTHON = """
import sys, numpy as np, zarr, numcodecs
z = zarr.create_array(sys.argv[1], shape=(40, 30, 20), chunks=(10, 10, 10), dtype="i4",
                      zarr_format=2, chunk_key_encoding={"name": "v2", "separator": "/"},
                      compressors=numcodecs.Blosc(cname="lz4", clevel=5, shuffle=1),
                      fill_value=0)
z[:] = np.arange(40 * 30 * 20, dtype="i4").reshape(40, 30, 20)
"""


def test_nested_directory_of_zarr_python_before_and_after_consolidation(tmp_path,
                                                                       interop_python):
    root = tmp_path / "theirs"
    run_checked([str(interop_python), "-I", "-c", NESTED_BY_ZARR_PYTHON, str(root)], 300)
    meta = json.loads((root / ".zarray").read_text())
    assert meta["dimension_separator"] == "/"
    files = chunk_files(root)
    assert len(files) == 24
    np.testing.assert_array_equal(zarr.open(ShardedStore(root), mode="r")[:], A3)
    assert sorted(ShardedStore(root).consolidate()) == sorted(files)
    assert chunk_files(root) == []
    np.testing.assert_array_equal(zarr.open(ShardedStore(root), mode="r")[:], A3)


def test_consolidated_metadata_over_containers_reads_the_chunks(tmp_path):
    # The wrapper of consolidated metadata reads chunks as its store does:
    # through get, not as files of their own (which a container's are not).
    root = str(tmp_path / "g")
    g = zarr.open_group(ShardedStore(root), mode="w")
    a = np.arange(4000, dtype="i4").reshape(40, 100)
    g.array("x", a, chunks=(10, 10))
    assert any(name.endswith(".h5") for name in os.listdir(os.path.join(root, "x")))
    zarr.consolidate_metadata(ShardedStore(root))
    c = zarr.open_consolidated(ShardedStore(root))
    np.testing.assert_array_equal(c["x"][...], a)
    assert c["x"][39, 99] == a[39, 99]
    assert c["x"].nchunks_initialized == 40
