"""Arrays in directories: modes, the files they write, resize, lazy arrays, object arrays."""

import json
import os
import pickle
import threading
import tracemalloc

import numpy as np
import pytest

import zarr
from zarr import ext
from zarr.errors import ReadOnlyError
from zarr.persistent import (
    LazyPersistentArray,
    PersistentArray,
    SynchronizedLazyPersistentArray,
    SynchronizedPersistentArray,
)
from zarr.storage import chunk_key
from trees import iter_chunk_files
from zarr.storage.files import PARTIAL_SUFFIX


def files(path):
    """Every file under path, relative, sorted."""
    out = []
    for root, _, names in os.walk(path):
        out.extend(os.path.relpath(os.path.join(root, n), path) for n in names)
    return sorted(out)


def snapshot(path):
    """Names, bytes and modification times of every file under path."""
    result = {}
    for name in files(path):
        full = os.path.join(path, name)
        with open(full, "rb") as f:
            result[name] = (f.read(), os.stat(full).st_mtime_ns)
    return result


def zarray(path):
    with open(os.path.join(path, ".zarray")) as f:
        return json.load(f)


# Modes.


def test_open_creates_then_reopens(tmp_path):
    path = str(tmp_path / "example.zarr")
    z = zarr.open(path, shape=(100, 10), dtype="i4", chunks=(10, 10))
    assert isinstance(z, SynchronizedPersistentArray)
    z[:] = np.arange(1000).reshape(100, 10)
    again = zarr.open(path)
    assert again.mode == "a" and again.shape == (100, 10) and again.chunks == (10, 10)
    np.testing.assert_array_equal(again[...], np.arange(1000).reshape(100, 10))


@pytest.mark.parametrize("mode", ["r", "r+"])
def test_missing_array_is_file_not_found(tmp_path, mode):
    with pytest.raises(FileNotFoundError, match="zarray"):
        zarr.open(str(tmp_path / "missing.zarr"), mode=mode)
    assert not (tmp_path / "missing.zarr").exists()


def test_w_minus_refuses_an_existing_array(tmp_path):
    path = str(tmp_path / "a.zarr")
    z = zarr.open(path, mode="w-", shape=10, dtype="i4", chunks=5)
    z[:] = 1
    before = snapshot(path)
    with pytest.raises(FileExistsError):
        zarr.open(path, mode="w-", shape=10, dtype="i4", chunks=5)
    assert snapshot(path) == before


def test_w_replaces_an_array(tmp_path):
    path = str(tmp_path / "a.zarr")
    z = zarr.open(path, mode="w", shape=10, dtype="i4", chunks=5)
    z[:] = 7
    z = zarr.open(path, mode="w", shape=4, dtype="f8", chunks=2)
    assert z.nchunks_initialized == 0
    assert files(path) == [".zarray", ".zattrs"]
    np.testing.assert_array_equal(z[...], np.zeros(4))


def test_w_refuses_a_directory_that_is_not_an_array(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "precious.txt").write_text("keep me")
    with pytest.raises(FileExistsError, match="refusing"):
        zarr.open(str(tmp_path / "data"), mode="w", shape=3, dtype="i4")
    assert (tmp_path / "data" / "precious.txt").read_text() == "keep me"


def test_a_file_in_the_way(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(FileExistsError):
        zarr.open(str(tmp_path / "f"), mode="w", shape=3, dtype="i4")


def test_bad_mode(tmp_path):
    with pytest.raises(ValueError, match="mode must be one of"):
        zarr.open(str(tmp_path / "a.zarr"), mode="x", shape=3)


def test_shape_is_required_to_create(tmp_path):
    with pytest.raises(TypeError, match="shape is required"):
        zarr.open(str(tmp_path / "a.zarr"), mode="a")
    assert not (tmp_path / "a.zarr").exists()


def test_bad_options_write_nothing(tmp_path):
    path = tmp_path / "a.zarr"
    with pytest.raises(ValueError):
        zarr.open(str(path), mode="w", shape=10, dtype="i4", cname="nope")
    with pytest.raises(ValueError):
        zarr.open(str(path), mode="w", shape=10, dtype="i4", clevel=12)
    with pytest.raises(ValueError, match="dimension_separator"):
        zarr.open(str(path), mode="w", shape=10, dtype="i4", dimension_separator=":")
    assert not path.exists()


@pytest.mark.parametrize("given, message", [
    ({"shape": (11,)}, "shape"),
    ({"dtype": "f8"}, "dtype"),
    ({"chunks": 3}, "chunks"),
    ({"cname": "zstd"}, "cname"),
    ({"clevel": 1}, "clevel"),
    ({"shuffle": 2}, "shuffle"),
    ({"fill_value": 3}, "fill_value"),
])
@pytest.mark.parametrize("mode", ["r", "r+", "a"])
def test_contradicting_arguments(tmp_path, given, message, mode):
    path = str(tmp_path / "a.zarr")
    zarr.open(path, mode="w", shape=10, dtype="i4", chunks=5, fill_value=1)
    before = snapshot(path)
    with pytest.raises(ValueError, match=message):
        zarr.open(path, mode=mode, **given)
    assert snapshot(path) == before


def test_agreeing_arguments_are_fine(tmp_path):
    path = str(tmp_path / "a.zarr")
    zarr.open(path, mode="w", shape=10, dtype="f8", chunks=5, fill_value=np.nan)
    z = zarr.open(path, mode="r+", shape=10, dtype="f8", chunks=(5,), fill_value=np.nan,
                  cname="blosclz", clevel=5, shuffle=1)
    assert np.isnan(z[0])


def test_mode_r_refuses_writes_and_changes_nothing(tmp_path):
    path = str(tmp_path / "a.zarr")
    z = zarr.open(path, mode="w", shape=(10, 10), dtype="i4", chunks=(3, 3))
    z[:5] = 1
    before = snapshot(path)
    r = zarr.open(path, mode="r")
    for write in (lambda: r.__setitem__(0, 5), lambda: r.__setitem__(Ellipsis, 5),
                  lambda: r.resize(20, 20), lambda: r.resize(1, 1),
                  lambda: r.append(np.ones((3, 10), "i4"))):
        with pytest.raises(ReadOnlyError, match="read-only"):
            write()
    assert snapshot(path) == before
    assert r.shape == (10, 10)
    np.testing.assert_array_equal(r[:5], 1)


def test_summary(tmp_path):
    path = str(tmp_path / "example.zarr")
    z = zarr.open(path, mode="w", shape=(10000, 1000), dtype="i4", chunks=(1000, 100))
    z[:] = np.arange(10_000_000, dtype="i4").reshape(10000, 1000)
    lines = repr(z).splitlines()
    assert lines[0] == "zarr.SynchronizedPersistentArray((10000, 1000), int32, chunks=(1000, 100))"
    assert "initialized: 100/100" in lines[2]
    assert lines[3] == "  mode: w; path: %s" % path
    assert repr(zarr.open(path, mode="r")).splitlines()[3] == "  mode: r; path: %s" % path
    # cbytes of a persistent array is the size of its chunk files
    assert z.cbytes == sum(os.path.getsize(os.path.join(path, chunk_key(k)))
                           for k in np.ndindex(10, 10))


@pytest.mark.parametrize("synchronized, lazy, cls", [
    (False, False, PersistentArray), (True, False, SynchronizedPersistentArray),
    (False, True, LazyPersistentArray), (True, True, SynchronizedLazyPersistentArray)])
def test_classes(tmp_path, synchronized, lazy, cls):
    z = zarr.open(str(tmp_path / "a.zarr"), mode="w", shape=5, synchronized=synchronized,
                  lazy=lazy)
    assert type(z) is cls


def test_path_like(tmp_path):
    z = zarr.open(tmp_path / "a.zarr", mode="w", shape=5, dtype="i2")
    z[:] = 3
    assert z.path == str(tmp_path / "a.zarr")
    np.testing.assert_array_equal(zarr.open(tmp_path / "a.zarr", mode="r")[...], 3)


# Each write is on disk when the call returns.


def test_writes_are_visible_to_another_opening_at_once(tmp_path):
    path = str(tmp_path / "a.zarr")
    w = zarr.open(path, mode="w", shape=(20, 20), dtype="f4", chunks=(7, 7))
    r = zarr.open(path, mode="r")
    expected = np.zeros((20, 20), "f4")
    rng = np.random.default_rng(0)
    for _ in range(20):
        i, j = rng.integers(0, 20, 2)
        w[i:, :j] = i * j
        expected[i:, :j] = i * j
        np.testing.assert_array_equal(r[...], expected)


# The format.


def test_zarray_document(tmp_path):
    path = str(tmp_path / "a.zarr")
    zarr.open(path, mode="w", shape=(10, 25), dtype="<f8", chunks=(4, 10), cname="lz4",
              clevel=3, shuffle=2, fill_value=np.nan)
    assert zarray(path) == {
        "zarr_format": 2, "shape": [10, 25], "chunks": [4, 10], "dtype": "<f8",
        "compressor": {"id": "blosc", "cname": "lz4", "clevel": 3, "shuffle": 2,
                       "blocksize": 0},
        "fill_value": "NaN", "order": "C", "filters": None, "dimension_separator": ".",
    }
    with open(os.path.join(path, ".zattrs")) as f:
        assert json.load(f) == {}
    with open(os.path.join(path, ".zarray")) as f:
        text = f.read()
    assert text == json.dumps(zarray(path), indent=4, sort_keys=True) + "\n" or \
        json.loads(text) == zarray(path)


@pytest.mark.parametrize("value, encoded", [
    (np.inf, "Infinity"), (-np.inf, "-Infinity"), (1.5, 1.5), (0.0, 0.0)])
def test_float_fill_values_in_zarray(tmp_path, value, encoded):
    path = str(tmp_path / "a.zarr")
    z = zarr.open(path, mode="w", shape=5, dtype="f4", fill_value=value)
    assert zarray(path)["fill_value"] == encoded
    np.testing.assert_array_equal(zarr.open(path, mode="r")[...], np.full(5, value, "f4"))
    assert z.nchunks_initialized == 0


def test_raw_chunks(tmp_path):
    path = str(tmp_path / "a.zarr")
    z = zarr.open(path, mode="w", shape=(10, 10), dtype="<i2", chunks=(4, 4), cname=None)
    assert zarray(path)["compressor"] is None
    data = np.arange(100, dtype="<i2").reshape(10, 10)
    z[...] = data
    # edge chunks are stored at full chunk size, C order, the fill value in the padding
    with open(os.path.join(path, "2.2"), "rb") as f:
        raw = f.read()
    assert len(raw) == 4 * 4 * 2
    edge = np.frombuffer(raw, "<i2").reshape(4, 4)
    np.testing.assert_array_equal(edge[:2, :2], data[8:, 8:])
    np.testing.assert_array_equal(edge[2:], 0)
    np.testing.assert_array_equal(zarr.open(path, mode="r")[...], data)


def test_compressed_edge_chunks_hold_a_full_chunk(tmp_path):
    path = str(tmp_path / "a.zarr")
    z = zarr.open(path, mode="w", shape=(10,), dtype="i4", chunks=(4,), fill_value=-1)
    z[...] = np.arange(10)
    with open(os.path.join(path, "2"), "rb") as f:
        frame = f.read()
    assert ext.cbuffer_sizes(frame)[0] == 16
    out = np.empty(4, "i4")
    ext.decompress(frame, out)
    np.testing.assert_array_equal(out, [8, 9, -1, -1])


@pytest.mark.parametrize("separator", [".", "/"])
def test_chunk_keys(tmp_path, separator):
    path = str(tmp_path / "a.zarr")
    z = zarr.open(path, mode="w", shape=(5, 5, 5), dtype="u1", chunks=(2, 3, 5),
                  dimension_separator=separator)
    assert zarray(path)["dimension_separator"] == separator
    z[4, 4, 0] = 1
    z[0, 0, 0] = 1
    assert files(path) == sorted([".zarray", ".zattrs", os.path.join(*"0.0.0".split(".")) if
                                  separator == "/" else "0.0.0",
                                  os.path.join("2", "1", "0") if separator == "/" else "2.1.0"])
    again = zarr.open(path, mode="r")
    assert again.dimension_separator == separator and again.nchunks_initialized == 2
    assert again[4, 4, 0] == 1 and again[0, 0, 0] == 1 and again[...].sum() == 2


def test_zero_dimensional(tmp_path):
    path = str(tmp_path / "a.zarr")
    z = zarr.open(path, mode="w", shape=(), dtype="f8")
    z[...] = 2.5
    assert files(path) == [".zarray", ".zattrs", "0"]
    assert zarr.open(path, mode="r")[()] == 2.5


def test_no_temporary_files_remain(tmp_path):
    path = str(tmp_path / "a.zarr")
    z = zarr.open(path, mode="w", shape=(100,), dtype="i8", chunks=(10,))
    for i in range(10):
        z[i * 10:(i + 1) * 10 + 5] = i
    z.resize(50)
    z.append(np.arange(7))
    assert not [n for n in files(path) if n.endswith(PARTIAL_SUFFIX) or "partial" in n]


def test_partial_files_are_ignored(tmp_path):
    path = str(tmp_path / "a.zarr")
    z = zarr.open(path, mode="w", shape=(10,), dtype="i4", chunks=(5,))
    z[:5] = 1
    with open(os.path.join(path, ".1.12345.0" + PARTIAL_SUFFIX), "wb") as f:
        f.write(b"torn")
    again = zarr.open(path, mode="r")
    assert again.nchunks_initialized == 1
    np.testing.assert_array_equal(again[...], [1] * 5 + [0] * 5)


def test_foreign_files_are_not_chunks(tmp_path):
    path = str(tmp_path / "a.zarr")
    z = zarr.open(path, mode="w", shape=(10,), dtype="i4", chunks=(5,))
    for name in ("notes.txt", "01", "1.0", "-1", "x"):
        (tmp_path / "a.zarr" / name).write_bytes(b"garbage")
    assert z.nchunks_initialized == 0
    assert list(iter_chunk_files(path, 1)) == []


# Resize and append rewrite .zarray and delete what falls outside.


@pytest.mark.parametrize("separator", [".", "/"])
def test_shrink_deletes_chunk_files_and_regrowing_reads_fill(tmp_path, separator):
    path = str(tmp_path / "a.zarr")
    z = zarr.open(path, mode="w", shape=(10, 10), dtype="i4", chunks=(3, 3), fill_value=-1,
                  dimension_separator=separator)
    z[...] = 5
    assert z.nchunks_initialized == 16
    z.resize(4, 4)
    assert zarray(path)["shape"] == [4, 4]
    chunk_files = [n for n in files(path) if not n.startswith(".")]
    expected = {chunk_key(k, separator).replace("/", os.sep) for k in np.ndindex(2, 2)}
    assert set(chunk_files) == expected
    if separator == "/":
        assert sorted(os.listdir(path)) == [".zarray", ".zattrs", "0", "1"]
    z.resize(10, 10)
    expected_data = np.full((10, 10), -1, "i4")
    expected_data[:4, :4] = 5
    np.testing.assert_array_equal(z[...], expected_data)
    np.testing.assert_array_equal(zarr.open(path, mode="r")[...], expected_data)


def test_append_rewrites_zarray(tmp_path):
    path = str(tmp_path / "a.zarr")
    z = zarr.open(path, mode="w", shape=(0, 3), dtype="f8", chunks=(4, 3))
    expected = np.empty((0, 3))
    for i in range(5):
        block = np.full((3, 3), i, "f8")
        z.append(block)
        expected = np.concatenate([expected, block])
        assert zarray(path)["shape"] == [3 * (i + 1), 3]
    np.testing.assert_array_equal(zarr.open(path, mode="r")[...], expected)
    z.append(np.ones((15, 2)), axis=1)
    assert zarray(path)["shape"] == [15, 5]


def test_other_opening_sees_new_shape_after_reopen(tmp_path):
    path = str(tmp_path / "a.zarr")
    z = zarr.open(path, mode="w", shape=(4,), dtype="i4", chunks=(2,))
    z.append(np.arange(4))
    assert zarr.open(path, mode="r").shape == (8,)


# Lazy arrays.


def test_lazy_petabyte_array_opens_at_once_in_constant_memory(tmp_path):
    path = str(tmp_path / "big.zarr")
    tracemalloc.start()
    try:
        z = zarr.open(path, mode="w", shape=(1e8, 1e7), dtype="i4", chunks=(1000, 1000),
                      lazy=True)
        text = repr(z)
        opening = tracemalloc.get_traced_memory()[1]
        z[0, 0] = 1
        z[99_999_999, 9_999_999] = 2
        z[5000:5002, 0:2] = 3
        writing = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # a fixed table of locks to open; a write holds a chunk (4 MB) and its frame
    assert opening < 500_000
    assert writing < 3 * 4_000_000
    assert "nbytes: 3.6P; cbytes: 0; initialized: 0/1000000000" in text
    again = zarr.open(path, mode="r", lazy=True)
    assert again.nchunks_initialized == 3
    assert repr(again).splitlines()[2].endswith("initialized: 3/1000000000")
    assert again[0, 0] == 1 and again[99_999_999, 9_999_999] == 2 and again[5001, 1] == 3
    assert sorted(n for n in os.listdir(path) if not n.startswith(".")) == \
        ["0.0", "5.0", "99999.9999"]


def test_lazy_reads_of_unwritten_regions_create_no_files(tmp_path):
    path = str(tmp_path / "a.zarr")
    z = zarr.open(path, mode="w", shape=(1000, 1000), dtype="f8", chunks=(10, 10),
                  fill_value=np.nan, lazy=True)
    assert np.isnan(z[:, :]).all() and np.isnan(z[500, 500])
    assert files(path) == [".zarray", ".zattrs"]


def test_lazy_counts_chunks_without_opening_them(tmp_path, monkeypatch):
    path = str(tmp_path / "a.zarr")
    z = zarr.open(path, mode="w", shape=(100, 100), dtype="i4", chunks=(10, 10), lazy=True)
    z[:30, :20] = 1
    opened = []
    real_open = open

    def spy(name, *args, **kwargs):
        opened.append(name)
        return real_open(name, *args, **kwargs)

    again = zarr.open(path, mode="r", lazy=True)
    monkeypatch.setattr("builtins.open", spy)
    assert again.nchunks_initialized == 6
    assert again.cbytes == sum(os.path.getsize(os.path.join(path, n))
                               for n in os.listdir(path) if not n.startswith("."))
    assert opened == []


@pytest.mark.parametrize("lazy", [False, True])
def test_arrays_hold_no_chunk_objects(tmp_path, lazy):
    z = zarr.open(str(tmp_path / "a.zarr"), mode="w", shape=(100, 100), chunks=(10, 10),
                  lazy=lazy)
    state = dict(vars(z))
    z[...] = 1
    assert z[...].sum() == 10000
    # Touching all 100 chunks left nothing behind but the version of the data.
    assert {k: v for k, v in vars(z).items() if k != "_version"} == state


@pytest.mark.parametrize("synchronized", [False, True])
def test_lazy_resize_deletes_files(tmp_path, synchronized):
    path = str(tmp_path / "a.zarr")
    z = zarr.open(path, mode="w", shape=(100,), dtype="i4", chunks=(10,), lazy=True,
                  synchronized=synchronized)
    z[...] = 1
    z.resize(25)
    assert sorted(n for n in os.listdir(path) if not n.startswith(".")) == ["0", "1", "2"]
    z.resize(100)
    np.testing.assert_array_equal(z[...], [1] * 25 + [0] * 75)


# Object arrays.


@pytest.mark.parametrize("values", [
    ["a", "bb", "", "ünïcode", "x" * 1000, "z"],
    [b"a", b"", b"\x00\xff", b"bytes" * 50, b"q", b"r"],
    [[1, 2], [], [3.5, "mixed"], [None], [[1], [2, 3]], [0]],
])
@pytest.mark.parametrize("lazy", [False, True])
def test_object_arrays_persist(tmp_path, values, lazy):
    path = str(tmp_path / "a.zarr")
    z = zarr.open(path, mode="w", shape=(6,), dtype=object, chunks=(4,), lazy=lazy)
    data = np.empty(6, dtype=object)
    data[:] = values
    z[...] = data
    meta = zarray(path)
    assert meta["dtype"] == "|O"
    assert [f["id"] for f in meta["filters"]] == ["msgpack2"]
    got = zarr.open(path, mode="r")[...]
    assert got.dtype == object and got.tolist() == data.tolist()
    z[1] = values[0]
    assert zarr.open(path, mode="r")[1] == values[0]


def test_object_array_unwritten_reads_fill(tmp_path):
    path = str(tmp_path / "a.zarr")
    z = zarr.open(path, mode="w", shape=(5,), dtype=object, chunks=(2,), fill_value="")
    z[4] = "end"
    assert zarr.open(path, mode="r")[...].tolist() == ["", "", "", "", "end"]


def test_fixed_width_strings_need_no_filter(tmp_path):
    path = str(tmp_path / "a.zarr")
    z = zarr.open(path, mode="w", shape=(4,), dtype="U5", chunks=(3,))
    z[...] = ["ab", "cdefg", "", "ü"]
    assert zarray(path)["filters"] is None and zarray(path)["dtype"] == "<U5"
    assert zarr.open(path, mode="r")[...].tolist() == ["ab", "cdefg", "", "ü"]


# Pickle and open_like.


@pytest.mark.parametrize("lazy", [False, True])
def test_pickle_reopens_the_directory(tmp_path, lazy):
    path = str(tmp_path / "a.zarr")
    z = zarr.open(path, mode="w", shape=(10,), dtype="i4", chunks=(3,), lazy=lazy)
    z[...] = np.arange(10)
    b = pickle.loads(pickle.dumps(z))
    assert type(b) is type(z) and b.path == path and b.mode == "r+"
    b[0] = 100
    assert z[0] == 100
    r = pickle.loads(pickle.dumps(zarr.open(path, mode="r")))
    assert r.mode == "r"
    with pytest.raises(ReadOnlyError):
        r[0] = 1


def test_open_like(tmp_path):
    a = zarr.full((50, 20), 7, chunks=(10, 5), dtype="u2", cname="zstd", clevel=2)
    z = zarr.open_like(a, str(tmp_path / "b.zarr"))
    assert (z.shape, z.chunks, z.dtype, z.cname, z.clevel, z.fill_value) == \
        ((50, 20), (10, 5), np.dtype("u2"), "zstd", 2, 7)
    z2 = zarr.open_like(np.ones((3, 4), "f4"), str(tmp_path / "c.zarr"), chunks=(2, 2))
    assert (z2.shape, z2.chunks, z2.dtype) == ((3, 4), (2, 2), np.dtype("f4"))
    z3 = zarr.open_like(z, str(tmp_path / "d.zarr"), shape=(5, 5))
    assert z3.shape == (5, 5) and z3.chunks == (10, 5)


def test_array_from_persistent_array(tmp_path):
    z = zarr.open(str(tmp_path / "a.zarr"), mode="w", shape=(30, 30), chunks=(7, 7))
    z[...] = np.arange(900).reshape(30, 30)
    m = zarr.array(z)
    np.testing.assert_array_equal(m[...], z[...])


# Threads on one directory array.


def test_threads_writing_unaligned_regions(tmp_path):
    path = str(tmp_path / "a.zarr")
    z = zarr.open(path, mode="w", shape=(8000,), dtype="i8", chunks=(999,))

    def work(i):
        z[i * 1000:(i + 1) * 1000] = np.arange(i * 1000, (i + 1) * 1000)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    np.testing.assert_array_equal(zarr.open(path, mode="r")[...], np.arange(8000))


@pytest.mark.parametrize("lazy", [False, True])
def test_objects_opened_apart_on_one_directory_share_chunk_locks(tmp_path, lazy):
    # Each thread opens its own object on the same array, as a group's g["x"] does;
    # their writes to one chunk must all land.
    path = str(tmp_path / "a.zarr")
    zarr.open(path, mode="w", shape=400, chunks=400, dtype="i4", lazy=lazy)

    def work(k):
        for i in range(k, 400, 4):
            zarr.open(path, mode="r+", lazy=lazy)[i] = i + 1

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    np.testing.assert_array_equal(zarr.open(path, mode="r")[...], np.arange(1, 401))


def test_an_array_opened_by_path_and_through_its_group_shares_chunk_locks(tmp_path):
    # One directory as the top of a store, and below the top of its group's:
    # the same chunks, the same locks.
    root = str(tmp_path / "g.zarr")
    g = zarr.open_group(root, mode="w")
    g.zeros("x", shape=400, chunks=400, dtype="i4")
    openers = [lambda: zarr.open_group(root, mode="r+")["x"],
               lambda: zarr.open(os.path.join(root, "x"), mode="r+"),
               lambda: zarr.open(zarr.storage.LocalStore(root), mode="r+", path="x")]

    def work(k):
        for i in range(k, 400, 3):
            openers[k]()[i] = i + 1

    threads = [threading.Thread(target=work, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    np.testing.assert_array_equal(g["x"][...], np.arange(1, 401))
    assert openers[0]()._lock_ident == openers[1]()._lock_ident == openers[2]()._lock_ident
