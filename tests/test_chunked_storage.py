"""zarr.chunked's storages and their registry, and its progress bar.

Every function's result in every storage ('mem', 'tmp', 'dir', the HDF5
ones), storage objects and keyword arguments handed to them, the
registry's default, errors; temporary storages leave nothing behind (when
their arrays are collected and at interpreter exit); the progress bar.
"""

import gc
import io
import operator
import os
import subprocess
import sys
import tempfile
import textwrap

import h5py
import numpy as np
import pytest

import zarr
from zarr import chunked, progress
from zarr.chunked import storage_registry
from zarr.chunked.storage import (DirStorage, HDF5MemStorage, HDF5TmpStorage, MemStorage,
                                  TmpStorage, get_storage)
from zarr.chunked.wrappers import ChunkedArrayWrapper

#: The registry as shipped: name -> (kind of result, HDF5 compression).
SHIPPED = {
    "mem": ("zarr-memory", None),
    "tmp": ("zarr-directory", None),
    "hdf5mem": ("hdf5-memory", None),
    "hdf5tmp": ("hdf5-file", None),
    "hdf5mem_zlib1": ("hdf5-memory", ("gzip", 1)),
    "hdf5tmp_zlib1": ("hdf5-file", ("gzip", 1)),
    "hdf5mem_lzf": ("hdf5-memory", ("lzf", None)),
    "hdf5tmp_lzf": ("hdf5-file", ("lzf", None)),
}

X = (np.arange(17 * 6, dtype="i4").reshape(17, 6) * 7) % 23 - 5
COND = X[:, 0] % 2 == 0


def calls():
    """name -> (function of (source, **kwargs) making an array, numpy's answer)."""
    y = X[::-1].copy()
    return {
        "copy": (lambda s, **kw: chunked.copy(s, **kw), X),
        "copy_part": (lambda s, **kw: chunked.copy(s, 3, 11, **kw), X[3:11]),
        "map_blocks": (lambda s, **kw: chunked.map_blocks(s, lambda b: b[b[:, 1] > 0], **kw),
                       X[X[:, 1] > 0]),
        "map_blocks_rows": (lambda s, **kw: chunked.map_blocks(s, lambda b: b.sum(axis=1), **kw),
                            X.sum(axis=1)),
        "amax1": (lambda s, **kw: chunked.amax(s, axis=1, **kw), X.max(axis=1)),
        "amin1": (lambda s, **kw: chunked.amin(s, axis=-1, **kw), X.min(axis=1)),
        "asum1": (lambda s, **kw: chunked.asum(s, axis=1, **kw), X.sum(axis=1)),
        "count_nonzero1": (lambda s, **kw: chunked.count_nonzero(s, axis=1, **kw),
                           np.count_nonzero(X, axis=1)),
        "compress0": (lambda s, **kw: chunked.compress(COND, s, **kw), X[COND]),
        "compress1": (lambda s, **kw: chunked.compress([True, False, True], s, axis=1, **kw),
                      X[:, [0, 2]]),
        "take0": (lambda s, **kw: chunked.take(s, [16, 0, 0, 5, -1], **kw), X[[16, 0, 0, 5, -1]]),
        "take1": (lambda s, **kw: chunked.take(s, [5, 1], axis=1, **kw), X[:, [5, 1]]),
        "subset": (lambda s, **kw: chunked.subset(s, [2, 9, 9], [True, False, True], **kw),
                   X[[2, 9, 9]][:, [0, 2]]),
        "concatenate0": (lambda s, **kw: chunked.concatenate([s, y.astype("f4")], **kw),
                         np.concatenate([X, y.astype("f4")])),
        "concatenate1": (lambda s, **kw: chunked.concatenate([s, y[:, :2]], axis=1, **kw),
                         np.concatenate([X, y[:, :2]], axis=1)),
        "binary_op": (lambda s, **kw: chunked.binary_op(s, operator.sub, y, **kw), X - y),
        "binary_op_scalar": (lambda s, **kw: chunked.binary_op(s, operator.truediv,
                                                               np.float64(2), **kw), X / 2),
    }


CALL_NAMES = sorted(calls())


def source(kind="memory"):
    return zarr.array(X, chunks=(4, 4)) if kind == "memory" else X


def check_result(r, expected):
    assert not isinstance(r, np.ndarray)
    assert tuple(r.shape) == expected.shape
    got = np.asarray(r[...])
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)


def check_kind(r, kind, compression=None):
    if kind == "zarr-memory":
        assert isinstance(r, zarr.Array) and not isinstance(r, zarr.PersistentArray)
    elif kind == "zarr-directory":
        assert isinstance(r, zarr.PersistentArray)
        assert os.path.isdir(r.path)
    else:
        assert isinstance(r, h5py.Dataset)
        if kind == "hdf5-memory":
            assert r.file.driver == "core"
        else:
            assert r.file.driver == "sec2"
            assert os.path.isfile(r.file.filename)
        if compression is None:
            assert r.compression is None
        else:
            assert (r.compression, r.compression_opts) == compression


@pytest.fixture
def registry():
    """storage_registry, restored as it was after the test."""
    saved = dict(storage_registry)
    yield storage_registry
    storage_registry.clear()
    storage_registry.update(saved)


# Every function into every storage.


def test_the_registry_as_shipped():
    assert storage_registry["default"] == "mem"
    assert set(storage_registry) == set(SHIPPED) | {"default", "dir"}
    assert isinstance(get_storage(), MemStorage)
    assert get_storage(None) is storage_registry["mem"]
    assert isinstance(get_storage("tmp"), TmpStorage)
    assert isinstance(get_storage("dir"), DirStorage)
    assert isinstance(get_storage("hdf5mem_lzf"), HDF5MemStorage)
    assert isinstance(get_storage("hdf5tmp_zlib1"), HDF5TmpStorage)
    s = MemStorage()
    assert get_storage(s) is s


@pytest.mark.parametrize("name", sorted(SHIPPED))
@pytest.mark.parametrize("src_kind", ["memory", "numpy"])
def test_every_function_into_every_storage(name, src_kind):
    kind, compression = SHIPPED[name]
    results = []
    for call_name, (call, expected) in calls().items():
        for blen in (None, 3) if src_kind == "memory" else (None,):
            r = call(source(src_kind), storage=name, blen=blen)
            check_kind(r, kind, compression)
            check_result(r, expected)
            results.append((r, expected))
    gc.collect()   # results are still whole once what made them is collected
    for r, expected in results:
        check_result(r, expected)


def test_every_function_into_dir(tmp_path):
    for call_name, (call, expected) in calls().items():
        path = tmp_path / (call_name + ".zarr")
        r = call(source(), storage="dir", path=path)
        check_kind(r, "zarr-directory")
        assert os.path.samefile(r.path, path)
        check_result(r, expected)
        # On disk: opened afresh, it holds the same.
        check_result(zarr.open(str(path), mode="r"), expected)


def test_result_chunks_follow_the_source_in_every_storage(tmp_path):
    z = zarr.array(X, chunks=(4, 5))
    for name in sorted(SHIPPED):
        assert tuple(chunked.copy(z, storage=name).chunks) == (4, 5), name
        assert tuple(chunked.asum(z, axis=1, storage=name).chunks) == (4,), name
    assert tuple(chunked.copy(z, storage="dir", path=tmp_path / "a").chunks) == (4, 5)


def test_copy_of_chunks_larger_than_the_shape_into_hdf5():
    # Our arrays may have chunks larger than their shape; HDF5's fixed axes may not.
    z = zarr.array(X, chunks=(4, 10))
    for name in ("hdf5mem", "hdf5tmp_lzf"):
        check_result(chunked.copy(z, storage=name), X)
        check_result(chunked.amax(zarr.array(X.reshape(17, 3, 2), chunks=(4, 8, 8)), axis=2,
                                  storage=name), X.reshape(17, 3, 2).max(axis=2))


# Storage objects and keyword arguments.


def test_storage_objects_passed_directly(tmp_path):
    r = chunked.copy(source(), storage=MemStorage(cname="lz4"))
    assert r.cname == "lz4"
    check_result(r, X)
    r = chunked.asum(source(), axis=1, storage=MemStorage(cname="zstd", clevel=9), clevel=2)
    assert (r.cname, r.clevel) == ("zstd", 2)    # the call's options win
    r = chunked.map_blocks(source(), lambda b: b, storage=TmpStorage(cname="lz4hc"))
    assert r.cname == "lz4hc" and isinstance(r, zarr.PersistentArray)
    check_result(r, X)
    r = chunked.take(source(), [1, 2], storage=DirStorage(path=tmp_path / "d.zarr"))
    assert os.path.samefile(r.path, tmp_path / "d.zarr")
    check_result(r, X[[1, 2]])
    r = chunked.copy(source(), storage=HDF5MemStorage(compression="gzip", compression_opts=4))
    assert (r.compression, r.compression_opts) == ("gzip", 4)
    check_result(r, X)
    r = chunked.compress(COND, source(), storage=HDF5TmpStorage(compression="lzf"))
    assert r.compression == "lzf"
    check_result(r, X[COND])


def test_keyword_arguments_go_to_the_storage(tmp_path):
    src = source()
    for name in ("mem", "tmp"):
        r = chunked.copy(src, storage=name, chunks=(5, 6), cname="zstd", clevel=1)
        assert (r.chunks, r.cname, r.clevel) == ((5, 6), "zstd", 1)
        check_result(r, X)
        r = chunked.map_blocks(src, lambda b: b * 2, storage=name, chunks=(3, 6), cname="lz4")
        assert (r.chunks, r.cname) == ((3, 6), "lz4")
        check_result(r, X * 2)
        r = chunked.asum(src, axis=1, storage=name, chunks=7, shuffle=0)
        assert (r.chunks, r.shuffle) == ((7,), 0)
        r = chunked.compress(COND, src, storage=name, chunks=(2, 2), cname=None)
        assert r.chunks == (2, 2) and r.cname is None
        check_result(r, X[COND])
        r = chunked.concatenate([src, src], axis=1, storage=name, fill_value=3, chunks=(9, 9))
        assert (r.chunks, r.fill_value) == ((9, 9), 3)
    r = chunked.take(src, [3, 4], storage="dir", path=tmp_path / "t.zarr", cname="lz4",
                     chunks=(1, 6))
    assert (r.cname, r.chunks) == ("lz4", (1, 6))
    r = chunked.copy(src, storage="hdf5mem", chunks=(5, 6), compression="gzip",
                     compression_opts=3, shuffle=True)
    assert (r.chunks, r.compression, r.compression_opts, r.shuffle) == ((5, 6), "gzip", 3, True)
    r = chunked.binary_op(src, operator.add, 1, storage="hdf5mem_zlib1", compression_opts=9)
    assert (r.compression, r.compression_opts) == ("gzip", 9)
    # What a storage does not know is an error of the storage.
    with pytest.raises(TypeError):
        chunked.copy(src, storage="mem", nonsense=1)
    with pytest.raises(ValueError, match="compressor"):
        chunked.copy(src, storage="mem", cname="nope")


class RecordingStorage:
    """A storage of our own: anything with a create method will do."""

    def __init__(self):
        self.calls = []

    def create(self, shape, dtype, chunks=None, **kwargs):
        self.calls.append((tuple(shape), np.dtype(dtype), chunks, kwargs))
        return zarr.create(shape, dtype=dtype, chunks=chunks)


def test_any_object_with_create_is_a_storage():
    s = RecordingStorage()
    src = source()
    check_result(chunked.copy(src, storage=s, colour="blue"), X)
    assert s.calls[-1] == ((17, 6), np.dtype("i4"), (4, 4), {"colour": "blue"})
    check_result(chunked.asum(src, axis=1, storage=s, size=3), X.sum(axis=1))
    assert s.calls[-1][3] == {"size": 3}
    check_result(chunked.take(src, [0], storage=s, chunks=(9, 9), tag=1), X[[0]])
    assert s.calls[-1][2:] == ((9, 9), {"tag": 1})


def test_changing_the_default_storage(registry, tmp_path):
    src = source()
    registry["default"] = "tmp"
    r = chunked.copy(src)
    check_kind(r, "zarr-directory")
    check_result(r, X)
    r = ChunkedArrayWrapper(src) + np.int32(1)       # operators too
    check_kind(r.values, "zarr-directory")
    registry["default"] = "hdf5mem_lzf"
    for call_name, (call, expected) in calls().items():
        r = call(src)
        check_kind(r, "hdf5-memory", ("lzf", None))
        check_result(r, expected)
    registry["default"] = MemStorage(cname="zstd")   # an object, not a name
    r = chunked.asum(src, axis=1)
    assert r.cname == "zstd"
    registry["default"] = "mine"
    registry["mine"] = DirStorage(path=tmp_path / "mine.zarr")
    r = chunked.copy(src)
    assert os.path.samefile(r.path, tmp_path / "mine.zarr")
    # An explicit storage still wins over the default.
    check_kind(chunked.copy(src, storage="mem"), "zarr-memory")


def test_registering_names_and_aliases(registry):
    registry["lz4"] = MemStorage(cname="lz4")
    registry["scratch"] = "tmp"
    registry["scratch2"] = "scratch"
    assert chunked.copy(source(), storage="lz4").cname == "lz4"
    r = chunked.copy(source(), storage="scratch2")
    check_kind(r, "zarr-directory")
    assert get_storage("scratch") is registry["tmp"]


def test_unknown_storage_names_list_the_known_ones(registry):
    registry["extra"] = MemStorage()
    for bad in ("nope", "MEM", "", "hdf5", "memory"):
        for call_name, (call, expected) in calls().items():
            with pytest.raises(ValueError) as info:
                call(source(), storage=bad)
            message = str(info.value)
            assert repr(bad) in message
            for known in registry:
                assert known in message
    registry["loop"] = "loop"
    with pytest.raises(ValueError, match="loop"):
        chunked.copy(source(), storage="loop")
    registry["default"] = "gone"
    with pytest.raises(ValueError, match="gone"):
        chunked.copy(source())


def test_storages_that_are_not_storages():
    for bad in (42, object(), ["mem"], b"mem"):
        with pytest.raises(TypeError, match="storage"):
            chunked.copy(source(), storage=bad)


# 'dir'.


def test_dir_without_a_path_is_a_clear_error():
    for call_name, (call, expected) in calls().items():
        with pytest.raises(TypeError, match="path"):
            call(source(), storage="dir")
    with pytest.raises(TypeError, match="path"):
        DirStorage().create((3,), "i4")


def test_dir_refuses_an_existing_array_and_leaves_it_unchanged(tmp_path):
    path = tmp_path / "a.zarr"
    first = chunked.copy(source(), storage="dir", path=path, cname="lz4")
    before = sorted(os.listdir(path))
    meta = (path / ".zarray").read_text()
    for call_name, (call, expected) in calls().items():
        with pytest.raises(FileExistsError):
            call(np.ones((17, 6), "f8"), storage="dir", path=path)
    assert sorted(os.listdir(path)) == before
    assert (path / ".zarray").read_text() == meta
    again = zarr.open(str(path), mode="r")
    assert (again.shape, again.dtype, again.chunks, again.cname) == ((17, 6), X.dtype, (4, 4),
                                                                     "lz4")
    check_result(again, X)
    check_result(first, X)
    # A storage given the path refuses the second time.
    s = DirStorage(path=tmp_path / "b.zarr")
    chunked.copy(source(), storage=s)
    with pytest.raises(FileExistsError):
        chunked.copy(source(), storage=s)
    # Asked to, it replaces.
    r = chunked.copy(X[:3] * 0, storage="dir", path=path, mode="w")
    check_result(zarr.open(str(path), mode="r"), X[:3] * 0)
    check_result(r, X[:3] * 0)


# Temporary storages leave nothing behind.


def test_tmp_directory_is_removed_when_the_array_is_collected():
    r = chunked.copy(source(), storage="tmp")
    root = os.path.dirname(r.path)
    assert os.path.basename(root).startswith("zarr-tmp-")
    assert os.path.samefile(os.path.dirname(root), tempfile.gettempdir())
    assert os.listdir(r.path)
    del r
    gc.collect()
    assert not os.path.exists(root)


def test_tmp_of_every_function_leaves_nothing(tmp_path):
    where = tmp_path / "tmp"
    where.mkdir()
    for name in ("tmp", "hdf5tmp", "hdf5tmp_lzf", "hdf5tmp_zlib1"):
        results = [call(source(), storage=name, dir=str(where))
                   for call, expected in calls().values()]
        assert len(os.listdir(where)) == len(results)
        del results
        gc.collect()
        assert os.listdir(where) == [], name
    # Through a wrapper: the wrapped result keeps it, until the wrapper goes.
    w = ChunkedArrayWrapper(source()).copy(storage="tmp", dir=str(where))
    assert len(os.listdir(where)) == 1
    del w
    gc.collect()
    assert os.listdir(where) == []


def test_hdf5tmp_file_is_removed_when_the_dataset_is_collected():
    r = chunked.copy(source(), storage="hdf5tmp")
    filename = r.file.filename
    assert os.path.basename(filename).startswith("zarr-tmp-")
    assert os.path.isfile(filename)
    gc.collect()
    check_result(r, X)
    del r
    gc.collect()
    assert not os.path.exists(filename)


def test_hdf5mem_writes_no_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    results = [call(source(), storage="hdf5mem_zlib1") for call, expected in calls().values()]
    assert os.listdir(tmp_path) == []
    for r, (call, expected) in zip(results, calls().values()):
        check_result(r, expected)


def test_temporary_storages_take_a_directory(tmp_path):
    # As an option of the storage object, as of the call.
    for storage in (TmpStorage(dir=str(tmp_path)), HDF5TmpStorage(dir=str(tmp_path)),
                    HDF5TmpStorage(dir=str(tmp_path), compression="lzf")):
        r = chunked.copy(source(), storage=storage)
        check_result(r, X)
        assert len(os.listdir(tmp_path)) == 1
        del r
        gc.collect()
        assert os.listdir(tmp_path) == []


def test_failed_creation_leaves_nothing(tmp_path):
    for name, bad in [("tmp", {"cname": "nope"}), ("tmp", {"chunks": (0, 1)}),
                      ("hdf5tmp", {"maxshape": (1, 1)}), ("hdf5tmp", {"compression": "nope"}),
                      ("hdf5tmp_lzf", {"maxshape": (1, 1)})]:
        with pytest.raises((ValueError, TypeError)):
            chunked.copy(source(), storage=name, dir=str(tmp_path), **bad)
        gc.collect()
        assert os.listdir(tmp_path) == [], (name, bad)


def test_a_failing_call_drops_its_tmp_result(tmp_path):
    def f(b):
        if b[0, 0] == X[8, 0]:
            raise RuntimeError("boom")
        return b

    for name in ("tmp", "hdf5tmp"):
        with pytest.raises(RuntimeError):
            chunked.map_blocks(source(), f, blen=4, storage=name, dir=str(tmp_path), threads=1)
        with pytest.raises(RuntimeError):
            chunked.asum(source(), axis=1, mapper=f, blen=4, storage=name, dir=str(tmp_path))
        gc.collect()
        assert os.listdir(tmp_path) == [], name


EXIT_SCRIPT = textwrap.dedent("""
    import sys
    import numpy as np
    from zarr import chunked

    where = sys.argv[1]
    x = np.arange(120).reshape(20, 6)
    kept = []
    for name in ("tmp", "hdf5tmp", "hdf5tmp_lzf", "hdf5tmp_zlib1"):
        for kwargs in ({}, {"dir": where}):
            r = chunked.copy(x, storage=name, blen=7, **kwargs)
            kept.append(r)
            print(r.path if hasattr(r, "path") else r.file.filename, flush=True)
    # One more held only by a reference cycle, and one by a module global.
    class Holder:
        pass
    h = Holder()
    h.me = h
    h.array = chunked.map_blocks(x, lambda b: b[::2], storage="tmp", blen=4)
    print(h.array.path, flush=True)
    sys.modules["__main__"].held = chunked.asum(x, axis=1, storage="tmp", dir=where)
    print(held.path, flush=True)
    assert all(r[...].sum() == x.sum() for r in kept)
    if sys.argv[2] == "raise":
        raise SystemExit(3)
    if sys.argv[2] == "error":
        raise RuntimeError("an uncaught error")
""")


@pytest.mark.parametrize("how", ["normal", "raise", "error"])
def test_tmp_arrays_alive_at_exit_are_removed(tmp_path, how):
    where = tmp_path / "where"
    where.mkdir()
    proc = subprocess.run([sys.executable, "-c", EXIT_SCRIPT, str(where), how],
                          capture_output=True, text=True, timeout=120, cwd=str(tmp_path))
    assert proc.returncode == {"normal": 0, "raise": 3, "error": 1}[how], proc.stderr
    paths = proc.stdout.split()
    assert len(paths) == 10, proc.stdout + proc.stderr
    for p in paths:
        assert os.path.basename(p) == "data.zarr" or p.endswith(".h5"), p
        gone = os.path.dirname(p) if p.endswith("data.zarr") else p
        assert os.path.basename(gone).startswith("zarr-tmp-"), p
        assert not os.path.exists(gone), p
    assert os.listdir(where) == []
    assert sorted(os.listdir(tmp_path)) == ["where"]


# Unsynchronized outputs: no two blocks may write to one chunk.


def test_blocks_never_share_an_output_chunk_of_unsynchronized_arrays():
    x = np.arange(20000).reshape(-1, 10)
    z = zarr.array(x, chunks=(7, 10))
    cond = np.arange(2000) % 3 != 0
    for _ in range(5):
        # Output chunks other than the source's, blocks of the source's chunks.
        check_result(chunked.copy(z, storage="mem", synchronized=False, chunks=(64, 10),
                                  threads=2), x)
        check_result(chunked.binary_op(z, operator.add, 1, storage="mem", synchronized=False,
                                       chunks=(64, 10), threads=2), x + 1)
        # compress writes blocks of the result at offsets of its own.
        check_result(chunked.compress(cond, z, storage="mem", synchronized=False, threads=2),
                     x[cond])
        # A blen that is no multiple of the output's chunks.
        check_result(chunked.copy(x, blen=7, storage="mem", synchronized=False,
                                  chunks=(64, 10), threads=2), x)


# The progress bar.


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True

    def clear(self):
        self.seek(0)
        self.truncate(0)


def quick_calls():
    x = np.arange(200).reshape(100, 2)
    return [lambda **kw: chunked.copy(x, blen=10, **kw),
            lambda **kw: chunked.map_blocks(x, lambda b: b, blen=10, **kw),
            lambda **kw: chunked.asum(x, blen=10, **kw),
            lambda **kw: chunked.amax(x, axis=1, blen=10, **kw),
            lambda **kw: chunked.compress(x[:, 0] % 3 == 0, x, blen=10, **kw),
            lambda **kw: chunked.take(x, [5, 50, 99], blen=1, **kw),
            lambda **kw: chunked.subset(x, [5, 50, 99], [1], blen=1, **kw),
            lambda **kw: chunked.concatenate([x, x], blen=10, **kw),
            lambda **kw: chunked.binary_op(x, operator.add, x, blen=10, **kw)]


def test_progress_true_shows_a_bar(capsys):
    for call in quick_calls():
        call(progress=True)
        out, err = capsys.readouterr()
        assert "block" in err and "|" in err, err
        assert out == ""
    chunked.copy(np.arange(100), blen=20, progress=True)
    assert "/5" in capsys.readouterr().err    # five blocks


def test_the_finished_bar_stays_with_its_count(capsys, monkeypatch):
    # A log (stderr to a file) keeps the last state of the bar: the blocks done.
    for call in quick_calls():
        call(progress=True)
        err = capsys.readouterr().err
        last = [part for part in err.replace("\r", "\n").split("\n") if part.strip()][-1]
        done = last.split("|")[-1].split("[")[0].strip()   # "n/n" after the bar
        n, total = done.split("/")
        assert n == total and int(total) > 0, err
    # A bar nested in another's blocks goes when it is done; the outer one stays.
    x = np.arange(100)
    chunked.map_blocks(x, lambda b: chunked.asum(b, blen=2, progress=True) + b, blen=20,
                       progress=True, threads=1)
    final = capsys.readouterr().err.split("\r")[-1]
    assert final.startswith("map_blocks: 100%") and "| 5/5 [" in final, final


def test_progress_off_by_default_in_tests(capfd):
    for call in quick_calls():
        call()
        call(progress=False)
    assert capfd.readouterr() == ("", "")


def as_terminal(monkeypatch):
    """stderr as a terminal, the environment without ZARR_PROGRESS. (In the test
    itself: pytest sets its own sys.stderr again between fixtures and test.)"""
    monkeypatch.delenv("ZARR_PROGRESS", raising=False)
    fake = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", fake)
    return fake


def test_default_progress_on_a_terminal_after_a_delay(monkeypatch):
    terminal = as_terminal(monkeypatch)
    # Quick calls show nothing even on a terminal.
    for call in quick_calls():
        call()
    assert terminal.getvalue() == ""
    # Calls that last longer than the delay show a bar.
    monkeypatch.setattr(progress, "PROGRESS_DELAY", 0.2)

    def slow(b):
        import time
        time.sleep(0.05)
        return b

    chunked.map_blocks(np.arange(100), slow, blen=10, threads=1)
    assert "map_blocks" in terminal.getvalue()
    terminal.clear()
    chunked.asum(np.arange(100), mapper=slow, blen=10, threads=1)
    assert "block" in terminal.getvalue()


@pytest.mark.parametrize("value", ["0", "off", "no", "false", "OFF"])
def test_zarr_progress_0_turns_the_default_off(monkeypatch, value):
    terminal = as_terminal(monkeypatch)
    monkeypatch.setattr(progress, "PROGRESS_DELAY", 0)
    for call in quick_calls():
        call()
    assert "block" in terminal.getvalue()    # on, on a terminal, without the variable
    terminal.clear()
    monkeypatch.setenv("ZARR_PROGRESS", value)
    for call in quick_calls():
        call()
        call(progress=False)
    assert terminal.getvalue() == ""
    chunked.copy(np.arange(10), blen=2, progress=True)   # asked for, it still shows
    assert "block" in terminal.getvalue()


def test_progress_false_on_a_terminal(monkeypatch):
    terminal = as_terminal(monkeypatch)
    monkeypatch.setattr(progress, "PROGRESS_DELAY", 0)
    for call in quick_calls():
        call(progress=False)
    assert terminal.getvalue() == ""


def test_progress_true_without_tqdm_raises(monkeypatch):
    terminal = as_terminal(monkeypatch)
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    for call in quick_calls():
        with pytest.raises(ImportError, match="tqdm"):
            call(progress=True)
    # The default just goes without.
    monkeypatch.setattr(progress, "PROGRESS_DELAY", 0)
    for call in quick_calls():
        call()
    assert terminal.getvalue() == ""
