"""zarr.chunked's table functions against numpy and pandas, over every kind of table.

Tables: dicts of numpy columns and of this package's arrays, numpy structured
and record arrays, h5py groups of datasets, zarr.Table (from_pandas, in
memory and in a directory), groups of this package's arrays and pandas
DataFrames; columns of ints, floats, bools and datetimes (and strings, rows
of a shape); lengths that are not multiples of the chunks or of ``blen``
(edge blocks), zero rows. Results in every storage: zarr.Table for
'mem', 'tmp' and 'dir', h5py files for the HDF5 storages. Also: eval_table's
virtual machines, ChunkedTableWrapper, temporary storage left behind, and
blocks of the columns on the pool's threads.
"""

import gc
import itertools
import os
import sys
import threading

import h5py
import numpy as np
import pandas as pd
import pytest

import zarr
from zarr import chunked
from zarr.chunked import tables as table_functions
from zarr.chunked.wrappers import ChunkedArrayWrapper, ChunkedTableWrapper

N = 23       # rows: not a multiple of the chunks (5) nor of blen 4
CHUNKS = 5
BLENS = (None, 4)

KINDS = ["dict", "dict_zarr", "structured", "recarray", "hdf5", "table_mem", "table_dir",
         "group", "dataframe"]
STORAGES = ["mem", "tmp", "dir", "hdf5mem", "hdf5tmp", "hdf5mem_zlib1"]
ZARR_STORAGES = ["mem", "tmp", "dir"]
HDF5_STORAGES = ["hdf5mem", "hdf5tmp", "hdf5mem_zlib1"]


def columns(n=N, seed=0):
    """Columns of several dtypes, named out of alphabetical order."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2024-01-01T00:00:00", "ns")
    return {
        "id": (np.arange(n) * 3 - 7).astype("i4"),
        "x": rng.standard_normal(n),
        "count": rng.integers(-50, 50, n).astype("i8"),
        "flag": rng.integers(0, 2, n).astype(bool),
        "f32": rng.standard_normal(n).astype("f4"),
        "when": start + rng.integers(0, 10 ** 12, n).astype("m8[ns]"),
    }


def is_hdf5(storage):
    return storage.startswith("hdf5")


def usable(cols, kind=None, storage=None):
    """The columns a kind of source and a storage can hold: HDF5 has no datetime64."""
    if kind == "hdf5" or (storage is not None and is_hdf5(storage)):
        return {k: v for k, v in cols.items() if v.dtype.kind != "M"}
    return dict(cols)


class Sources:
    """Makes a table of each kind from a dict of numpy columns; the names it
    reports in order come with it."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.files = []
        self.count = itertools.count()

    def make(self, kind, cols, chunks=CHUNKS):
        n = next(self.count)
        names = list(cols)
        if kind == "dict":
            return dict(cols), names
        if kind == "dict_zarr":
            return {k: zarr.array(v, chunks=(chunks,) + v.shape[1:])
                    for k, v in cols.items()}, names
        if kind in ("structured", "recarray"):
            rec = np.empty(len(next(iter(cols.values()))),
                           dtype=[(k, v.dtype, v.shape[1:]) for k, v in cols.items()])
            for k, v in cols.items():
                rec[k] = v
            return (rec.view(np.recarray) if kind == "recarray" else rec), names
        if kind == "hdf5":
            f = h5py.File("src%d.h5" % n, "w", driver="core", backing_store=False)
            self.files.append(f)
            g = f.create_group("table")
            for k, v in cols.items():
                g.create_dataset(k, data=v, chunks=(chunks,) + v.shape[1:],
                                 maxshape=(None,) + v.shape[1:])
            g.create_group("not_a_column")     # groups inside are not columns
            return g, sorted(names)
        if kind in ("table_mem", "table_dir"):
            where = zarr.group() if kind == "table_mem" else str(self.tmp_path / ("t%d.zarr" % n))
            return zarr.from_pandas(pd.DataFrame(cols), where, chunks=chunks), names
        if kind == "group":
            g = zarr.group()
            for k, v in cols.items():
                g.array(k, v, chunks=(chunks,) + v.shape[1:])
            g.create_group("not_a_column")
            return g, sorted(names)
        if kind == "dataframe":
            return pd.DataFrame(cols), names
        raise AssertionError(kind)

    def close(self):
        for f in self.files:
            f.close()


@pytest.fixture
def sources(tmp_path):
    s = Sources(tmp_path)
    yield s
    s.close()


class Outputs:
    """The keyword arguments a storage takes in a test: a fresh path for 'dir',
    tmp_path as the root of temporary storage."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.count = itertools.count()
        self.root = tmp_path / "tmproot"
        self.root.mkdir()

    def __call__(self, storage):
        if storage == "dir":
            return {"storage": "dir", "path": str(self.tmp_path / ("out%d.zarr"
                                                                   % next(self.count)))}
        if storage in ("tmp", "hdf5tmp"):
            return {"storage": storage, "dir": str(self.root)}
        return {"storage": storage}


@pytest.fixture
def outputs(tmp_path):
    return Outputs(tmp_path)


def read_table(out):
    """The names in order and the columns as numpy of a table a storage made."""
    if isinstance(out, zarr.Table):
        return list(out.names), {n: out.column(n)[...] for n in out.names}
    assert isinstance(out, h5py.File), type(out)
    return list(out.keys()), {n: out[n][...] for n in out.keys()}


def assert_table(out, storage, names, expected):
    """``out`` is a table of ``storage`` holding the numpy columns ``expected``
    under ``names`` in order, dtypes included."""
    if is_hdf5(storage):
        assert isinstance(out, h5py.File), type(out)
        # HDF5 lists names alphabetically: the order is its own test.
        assert sorted(out.keys()) == sorted(names)
        for n in names:
            assert isinstance(out[n], h5py.Dataset)
            if storage == "hdf5mem_zlib1":
                assert out[n].compression == "gzip" and out[n].compression_opts == 1
    else:
        assert isinstance(out, zarr.Table), type(out)
        assert list(out.names) == list(names)
        if storage == "dir":
            assert out.group.path is not None and os.path.isdir(out.group.path)
    _, got = read_table(out)
    for n in names:
        e = np.asarray(expected[n])
        assert got[n].dtype == e.dtype, (n, got[n].dtype, e.dtype)
        assert got[n].shape == e.shape, (n, got[n].shape, e.shape)
        np.testing.assert_array_equal(got[n], e, err_msg=n)
    if not is_hdf5(storage) and all(np.ndim(expected[n]) == 1 for n in names):
        # Strings come back as pandas chooses to hold them: compared by value.
        df = out.to_pandas()
        assert list(df.columns) == list(names)
        strings = [n for n in names if np.asarray(expected[n]).dtype.kind in "SU"]
        for n in strings:
            assert df[n].tolist() == np.asarray(expected[n]).tolist(), n
        rest = [n for n in names if n not in strings]
        pd.testing.assert_frame_equal(df[rest], pd.DataFrame({n: expected[n] for n in rest}))


def assert_stored_array(r, storage, expected):
    """An array of the storage (not numpy) holding ``expected``, dtype included."""
    expected = np.asarray(expected)
    assert not isinstance(r, np.ndarray)
    if is_hdf5(storage):
        assert isinstance(r, h5py.Dataset)
    else:
        assert isinstance(r, zarr.Array)
    assert tuple(r.shape) == expected.shape
    got = np.asarray(r[...])
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    np.testing.assert_array_equal(got, expected)


def select(cols, rows):
    return {k: v[rows] for k, v in cols.items()}


# Every function over every kind of table, into every storage.


@pytest.fixture(params=KINDS)
def kind(request):
    return request.param


@pytest.fixture(params=STORAGES)
def storage(request):
    return request.param


def test_copy_table(sources, outputs, kind, storage):
    cols = usable(columns(), kind, storage)
    tbl, names = sources.make(kind, cols)
    for blen in BLENS:
        out = chunked.copy_table(tbl, blen=blen, **outputs(storage))
        assert_table(out, storage, names, cols)
    out = chunked.copy_table(tbl, 3, 19, blen=4, **outputs(storage))
    assert_table(out, storage, names, select(cols, slice(3, 19)))


def test_compress_table(sources, outputs, kind, storage):
    cols = usable(columns(), kind, storage)
    tbl, names = sources.make(kind, cols)
    keep = cols["x"] > 0.2
    assert 0 < keep.sum() < N
    for blen in BLENS:
        out = chunked.compress_table(keep, tbl, blen=blen, **outputs(storage))
        assert_table(out, storage, names, select(cols, keep))
    out = chunked.compress_table("(count > 0) & flag", tbl, blen=4, **outputs(storage))
    assert_table(out, storage, names, select(cols, (cols["count"] > 0) & cols["flag"]))


def test_take_table(sources, outputs, kind, storage):
    cols = usable(columns(), kind, storage)
    tbl, names = sources.make(kind, cols)
    indices = [22, 0, 5, 5, -1, 13, 4, 9, -23, 21, 20, 3]
    for blen in BLENS:
        out = chunked.take_table(tbl, indices, blen=blen, **outputs(storage))
        assert_table(out, storage, names, select(cols, np.array(indices)))


def test_concatenate_table(sources, outputs, kind, storage):
    cols = usable(columns(), kind, storage)
    more = usable(columns(7, seed=1), kind, storage)
    tbl, names = sources.make(kind, cols)
    other, _ = sources.make(kind, more)
    reordered = {k: more[k] for k in reversed(list(more))}     # another order, a dict
    expected = {k: np.concatenate([cols[k], more[k], more[k], cols[k][:0]]) for k in cols}
    for blen in BLENS:
        out = chunked.concatenate_table([tbl, other, reordered, select(cols, slice(0, 0))],
                                        blen=blen, **outputs(storage))
        assert_table(out, storage, names, expected)


def test_eval_table(sources, outputs, kind, storage):
    cols = usable(columns(), kind, storage)
    tbl, names = sources.make(kind, cols)
    x, count, f32 = cols["x"], cols["count"], cols["f32"]
    for blen in BLENS:
        for vm in ("numexpr", "python", None):
            r = chunked.eval_table(tbl, "x * 2 + count", vm=vm, blen=blen, **outputs(storage))
            assert_stored_array(r, storage, x * 2 + count)
            r = chunked.eval_table(tbl, "(f32 > 0) & flag | (id < 3)", vm=vm, blen=blen,
                                   **outputs(storage))
            assert_stored_array(r, storage, (f32 > 0) & cols["flag"] | (cols["id"] < 3))


# Zero rows, and columns of other dtypes and shapes.


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("storage", ["mem", "hdf5mem"])
def test_zero_row_tables(sources, outputs, kind, storage):
    cols = usable(columns(0), kind, storage)
    tbl, names = sources.make(kind, cols)
    empty = select(cols, slice(0, 0))
    assert_table(chunked.copy_table(tbl, **outputs(storage)), storage, names, empty)
    assert_table(chunked.compress_table(np.zeros(0, bool), tbl, **outputs(storage)), storage,
                 names, empty)
    assert_table(chunked.compress_table("x > 0", tbl, **outputs(storage)), storage, names,
                 empty)
    assert_table(chunked.take_table(tbl, [], **outputs(storage)), storage, names, empty)
    assert_table(chunked.concatenate_table([tbl, tbl], **outputs(storage)), storage, names,
                 empty)
    for vm in ("numexpr", "python"):
        assert_stored_array(chunked.eval_table(tbl, "x + count", vm=vm, **outputs(storage)),
                            storage, np.zeros(0, "f8"))
    # Rows taken from an empty table, or a table compressed to none.
    with pytest.raises(IndexError):
        chunked.take_table(tbl, [0])
    full, _ = sources.make(kind, usable(columns(), kind, storage))
    assert_table(chunked.compress_table(np.zeros(N, bool), full, **outputs(storage)), storage,
                 names, empty)
    assert_table(chunked.copy_table(full, 10, 10, **outputs(storage)), storage, names, empty)


@pytest.mark.parametrize("storage", STORAGES)
def test_fixed_string_columns(outputs, storage):
    n = 11
    cols = {"s": np.array([b"b%d" % (i * 7) for i in range(n)]),      # S3
            "k": np.arange(n, dtype="u2")}
    if not is_hdf5(storage):
        cols["u"] = np.array(["\u00e9t\u00e9 %d" % i for i in range(n)])  # U6, not ASCII
    keep = cols["k"] % 3 != 1
    for tbl in (cols, np.rec.fromarrays(list(cols.values()), names=list(cols)),
                {k: zarr.array(v, chunks=3) for k, v in cols.items()}):
        names = list(cols)
        assert_table(chunked.copy_table(tbl, blen=4, **outputs(storage)), storage, names, cols)
        assert_table(chunked.compress_table(keep, tbl, blen=4, **outputs(storage)), storage,
                     names, select(cols, keep))
        assert_table(chunked.take_table(tbl, [10, 0, 3, 3], blen=4, **outputs(storage)),
                     storage, names, select(cols, [10, 0, 3, 3]))
    # Strings of two lengths join as the longer.
    shorter = {k: v[:3].astype(v.dtype.kind + "1") if v.dtype.kind in "SU" else v[:3]
               for k, v in cols.items()}
    out = chunked.concatenate_table([shorter, cols], blen=4, **outputs(storage))
    assert_table(out, storage, list(cols),
                 {k: np.concatenate([shorter[k], cols[k]]) for k in cols})


@pytest.mark.parametrize("storage", ZARR_STORAGES)
def test_datetime_and_other_dtypes(outputs, storage):
    n = 17
    cols = {"t": np.arange(n).astype("M8[s]") + np.timedelta64(10 ** 9, "s"),
            "d": (np.arange(n) * 1500).astype("m8[ms]"),
            "u8": np.arange(n, dtype="u8") * (2 ** 60 // n),
            "c": np.arange(n) * (1 - 2j),
            "i1": (np.arange(n) - 8).astype("i1")}
    names = list(cols)
    assert_table(chunked.copy_table(cols, blen=4, **outputs(storage)), storage, names, cols)
    idx = [16, 2, 2, -3]
    assert_table(chunked.take_table(cols, idx, blen=4, **outputs(storage)), storage, names,
                 select(cols, np.array(idx)))
    keep = cols["t"] > cols["t"][8]
    assert_table(chunked.compress_table(keep, cols, blen=4, **outputs(storage)), storage,
                 names, select(cols, keep))
    out = chunked.concatenate_table([cols, select(cols, slice(5, 9))], blen=4,
                                    **outputs(storage))
    assert_table(out, storage, names, {k: np.concatenate([v, v[5:9]]) for k, v in cols.items()})
    r = chunked.eval_table(cols, "c * 2 + i1", vm="numexpr", blen=4, **outputs(storage))
    assert_stored_array(r, storage, cols["c"] * 2 + cols["i1"])


@pytest.mark.parametrize("storage", ["mem", "dir", "hdf5mem"])
def test_columns_with_rows_of_a_shape(outputs, storage):
    n = 14
    cols = {"v": np.arange(n * 6, dtype="f4").reshape(n, 2, 3), "k": np.arange(n)}
    names = list(cols)
    rec = np.rec.fromarrays([cols["v"], cols["k"]], dtype=[("v", "f4", (2, 3)), ("k", "i8")])
    for tbl in (cols, rec):
        assert_table(chunked.copy_table(tbl, blen=4, **outputs(storage)), storage, names, cols)
        keep = cols["k"] % 4 == 1
        assert_table(chunked.compress_table(keep, tbl, blen=4, **outputs(storage)), storage,
                     names, select(cols, keep))
        assert_table(chunked.take_table(tbl, [13, 0, 0, 7], blen=3, **outputs(storage)),
                     storage, names, select(cols, [13, 0, 0, 7]))
        assert_table(chunked.concatenate_table([tbl, tbl], blen=5, **outputs(storage)), storage,
                     names, {k: np.concatenate([v, v]) for k, v in cols.items()})
    r = chunked.eval_table(cols, "v * 2", vm="python", blen=4, **outputs(storage))
    assert_stored_array(r, storage, cols["v"] * 2)
    if not is_hdf5(storage):
        with pytest.raises(TypeError, match="shape"):
            chunked.copy_table(cols, **outputs(storage)).to_pandas()
    # Rows of different shapes cannot be joined.
    with pytest.raises(ValueError, match="shape"):
        chunked.concatenate_table([cols, {"v": np.zeros((2, 3, 2), "f4"), "k": [1, 2]}])


def test_chunks_of_the_result(outputs):
    cols = columns()
    out = chunked.copy_table(cols, chunks=4)
    assert [out.column(n).chunks for n in out.names] == [(4,)] * len(cols)
    out = chunked.take_table(usable(cols, storage="hdf5mem"), [1, 2, 3], chunks=2,
                             storage="hdf5mem")
    assert {out[n].chunks for n in out} == {(2,)}
    r = chunked.eval_table(cols, "x + 1", chunks=6)
    assert r.chunks == (6,)
    np.testing.assert_array_equal(r[...], cols["x"] + 1)


# The functions one by one.


@pytest.mark.parametrize("start, stop", [(0, None), (None, None), (3, 17), (-5, None),
                                         (-100, 5), (0, 100), (10, 3), (23, None),
                                         (-1, -1), (4, -4)])
def test_copy_table_start_stop(start, stop):
    cols = columns()
    rows = slice(start, stop)
    for blen in (None, 1, 4, 50):
        out = chunked.copy_table(cols, start, stop, blen=blen)
        assert_table(out, "mem", list(cols), select(cols, rows))


def test_compress_table_conditions(sources):
    cols = columns()
    tbl, names = sources.make("table_mem", cols)
    keep = (cols["count"] % 3 == 0) | (cols["id"] > 50)
    expected = select(cols, keep)
    conditions = {"numpy": keep, "list": keep.tolist(),
                  "zarr": zarr.array(keep, chunks=3),
                  "hdf5": sources.make("hdf5", {"c": keep})[0]["c"],
                  "expression": "(count % 3 == 0) | (id > 50)"}
    for what, condition in conditions.items():
        for blen in (None, 1, 3, 100):
            out = chunked.compress_table(condition, tbl, blen=blen)
            assert_table(out, "mem", names, expected)
    assert_table(chunked.compress_table(np.ones(N, bool), tbl), "mem", names, cols)
    assert_table(chunked.compress_table("x == x", tbl, axis=0), "mem", names, cols)


def test_compress_table_bad_conditions():
    cols = columns()
    for condition in (np.ones(N + 1, bool), np.ones(N - 1, bool), zarr.ones(N - 5, dtype=bool),
                      np.zeros(0, bool)):
        with pytest.raises(ValueError, match="%d" % condition.shape[0]):
            chunked.compress_table(condition, cols)
    for condition in (np.ones(N, "i4"), np.ones((N, 1), bool), np.ones(N, "f8")):
        with pytest.raises(TypeError, match="condition"):
            chunked.compress_table(condition, cols)
    with pytest.raises(TypeError):
        chunked.compress_table("x + 1", cols)            # not boolean
    with pytest.raises(NameError, match="nope"):
        chunked.compress_table("nope > 1", cols)
    with pytest.raises(ValueError, match="axis"):
        chunked.compress_table(np.ones(N, bool), cols, axis=1)
    with pytest.raises(TypeError):
        chunked.compress_table(5, cols)


@pytest.mark.parametrize("mode", ["raise", "wrap", "clip"])
def test_take_table_modes(mode):
    cols = columns()
    indices = np.array([22, 0, 5, 5, -1, 13, 4, 9, -23, 0, 22])
    if mode != "raise":
        indices = np.concatenate([indices, [23, 30, -24, -100, 1000]])
    for blen in (None, 1, 4, 100):
        out = chunked.take_table(cols, indices, mode=mode, blen=blen)
        assert_table(out, "mem", list(cols),
                     {k: np.take(v, indices, mode=mode) for k, v in cols.items()})


def test_take_table_errors():
    cols = columns()
    for bad in ([23], [-24], [0, 1, 100]):
        with pytest.raises(IndexError):
            chunked.take_table(cols, bad)
    with pytest.raises(ValueError, match="mode"):
        chunked.take_table(cols, [0], mode="nope")
    with pytest.raises(ValueError):
        chunked.take_table(cols, [[0, 1]])
    with pytest.raises(TypeError):
        chunked.take_table(cols, [0.5, 1.0])
    with pytest.raises(ValueError, match="axis"):
        chunked.take_table(cols, [0], axis=1)
    # Nothing to take from an empty table, whatever the mode.
    for mode in ("raise", "wrap", "clip"):
        with pytest.raises(IndexError):
            chunked.take_table(select(cols, slice(0, 0)), [0], mode=mode)


def test_concatenate_table_promotes_dtypes():
    a = {"i": np.arange(5, dtype="i4"), "f": np.linspace(0, 1, 5).astype("f4"),
         "b": np.arange(5) % 2 == 0, "t": np.arange(5).astype("M8[s]"),
         "u": np.arange(5, dtype="u1")}
    b = {"u": np.arange(3, dtype="i1") - 1, "t": np.arange(3).astype("M8[ms]"),
         "b": np.arange(3, dtype="i2") - 1, "f": np.arange(3, dtype="i8") * 10 ** 10,
         "i": np.array([0.5, 1.5, 2.5], "f4")}
    for storage in ("mem", "hdf5mem"):
        names = list(a) if storage == "mem" else [k for k in a if k != "t"]
        first = {k: a[k] for k in names}
        second = {k: b[k] for k in b if k in names}
        expected = {k: np.concatenate([a[k], b[k]]) for k in names}
        assert {k: v.dtype for k, v in expected.items()} == {
            k: np.result_type(a[k].dtype, b[k].dtype) for k in names}
        rec = np.rec.fromarrays(list(second.values()), names=list(second))
        for other in (second, rec, pd.DataFrame(second)):
            out = chunked.concatenate_table([first, other], blen=2, storage=storage)
            assert_table(out, storage, names, expected)


def test_concatenate_table_errors():
    a = {"x": np.arange(3), "y": np.ones(3)}
    with pytest.raises(ValueError, match="cannot be joined"):
        chunked.concatenate_table([a, {"x": np.arange(2), "z": np.ones(2)}])
    with pytest.raises(ValueError, match="cannot be joined"):
        chunked.concatenate_table([a, {"x": np.arange(2)}])
    with pytest.raises(ValueError, match="cannot be joined"):
        chunked.concatenate_table([a, dict(a, z=np.ones(3))])
    with pytest.raises(ValueError):
        chunked.concatenate_table([])
    with pytest.raises(TypeError):       # no common dtype
        chunked.concatenate_table([a, {"x": np.arange(2).astype("M8[s]"), "y": np.ones(2)}])
    with pytest.raises(TypeError):
        chunked.concatenate_table([a, np.arange(3)])


def test_concatenate_one_table_and_mixed_kinds(sources):
    cols = columns()
    assert_table(chunked.concatenate_table([cols], blen=4), "mem", list(cols), cols)
    parts = [sources.make(kind, cols)[0] for kind in KINDS if kind not in ("hdf5", "group")]
    expected = {k: np.concatenate([v] * len(parts)) for k, v in cols.items()}
    for blen in BLENS:
        assert_table(chunked.concatenate_table(parts, blen=blen), "mem", list(cols), expected)
    # h5py groups and groups list their columns by name; the first table's order is kept.
    plain = usable(cols, "hdf5")
    parts = [plain] + [sources.make(kind, plain)[0] for kind in ("hdf5", "group")]
    assert_table(chunked.concatenate_table(parts), "mem", list(plain),
                 {k: np.concatenate([v] * 3) for k, v in plain.items()})


def test_table_columns_and_not_tables(sources):
    cols = columns()
    for kind in KINDS:
        tbl, names = sources.make(kind, usable(cols, kind))
        got_names, got = table_functions.table_columns(tbl)
        assert got_names == names, kind
        for n in names:
            np.testing.assert_array_equal(np.asarray(got[n][...]), cols[n])
        got_names, got = table_functions.table_columns(tbl, ["x", "id"])
        assert got_names == ["x", "id"] and list(got) == ["x", "id"]
        with pytest.raises(KeyError, match="nope"):
            table_functions.table_columns(tbl, ["x", "nope"])
    # A view of some columns of a Table is a table of those.
    t, _ = sources.make("table_mem", cols)
    assert_table(chunked.copy_table(t[["flag", "id"]]), "mem", ["flag", "id"],
                 {"flag": cols["flag"], "id": cols["id"]})
    for bad in (np.arange(5), 5, "abc", None, [1, 2, 3], object()):
        with pytest.raises(TypeError):
            chunked.copy_table(bad)
    with pytest.raises(ValueError, match="length"):
        chunked.copy_table({"a": np.arange(3), "b": np.arange(4)})
    with pytest.raises(ValueError, match="column"):
        chunked.copy_table({})
    with pytest.raises(TypeError):
        chunked.copy_table({"a": 5})
    with pytest.raises(ValueError):
        chunked.copy_table({"a": np.array(5)})


@pytest.mark.parametrize("create", ["array", None, "TABLE", 1])
def test_bad_create(create):
    cols = columns()
    for call in (lambda c: chunked.copy_table(cols, create=c),
                 lambda c: chunked.compress_table("flag", cols, create=c),
                 lambda c: chunked.take_table(cols, [0], create=c),
                 lambda c: chunked.concatenate_table([cols], create=c)):
        with pytest.raises(ValueError, match="create"):
            call(create)
        assert call("table") is not None
    if create != "array":
        with pytest.raises(ValueError, match="create"):
            chunked.eval_table(cols, "x", create=create)
    with pytest.raises(ValueError, match="create"):
        chunked.eval_table(cols, "x", create="table")


def test_dir_storage_needs_a_path_and_replaces_nothing(tmp_path):
    cols = columns()
    with pytest.raises(TypeError, match="path"):
        chunked.copy_table(cols, storage="dir")
    path = str(tmp_path / "out.zarr")
    out = chunked.copy_table(cols, storage="dir", path=path)
    with pytest.raises(FileExistsError):
        chunked.take_table(cols, [0], storage="dir", path=path)
    reopened = zarr.open_table(path)
    assert reopened.names == list(cols)
    pd.testing.assert_frame_equal(reopened.to_pandas(), pd.DataFrame(cols))
    assert_table(out, "dir", list(cols), cols)


def test_non_string_labels():
    df = pd.DataFrame({"a": np.arange(6), 3: np.arange(6) * 0.5})
    out = chunked.copy_table(df, blen=4)
    assert out.names == ["a", 3]
    np.testing.assert_array_equal(out.column(3)[...], np.arange(6) * 0.5)
    pd.testing.assert_frame_equal(out.to_pandas(), df)
    # HDF5 names its datasets by text: a label that is not a usable name is kept
    # beside its dataset's name in the file's attributes, and read back as it was.
    out = chunked.copy_table(df, blen=4, storage="hdf5mem")
    assert list(out.keys()) == ["a", "__column_1__"]
    np.testing.assert_array_equal(out["__column_1__"][...], np.arange(6) * 0.5)
    again = ChunkedTableWrapper(out)
    assert again.names == ["a", 3]
    np.testing.assert_array_equal(again.column(3)[...], np.arange(6) * 0.5)
    assert again[3].tolist() == (3, 1.5)  # an int is a row
    back = chunked.copy_table(out, blen=4)
    pd.testing.assert_frame_equal(back.to_pandas(), df)


def test_hdf5_results_keep_the_column_order():
    cols = usable(columns(), storage="hdf5mem")
    names = list(cols)
    assert names != sorted(names)
    out = chunked.copy_table(cols, storage="hdf5mem")
    assert list(out.keys()) == names
    # So a table made from it has the columns in order again.
    assert ChunkedTableWrapper(cols).copy(storage="hdf5mem").names == names


# eval_table: virtual machines and expressions.


def test_eval_table_python_reaches_numpy():
    cols = {"a": np.arange(11, dtype="f8"), "b": np.arange(11) - 5}
    for expression, expected in [("np.sqrt(a)", np.sqrt(cols["a"])),
                                 ("numpy.abs(b) * 2", np.abs(cols["b"]) * 2),
                                 ("np.where(b > 0, a, -a)", np.where(cols["b"] > 0, cols["a"],
                                                                     -cols["a"])),
                                 ("abs(b) + np.floor(a / 2)",
                                  np.abs(cols["b"]) + np.floor(cols["a"] / 2))]:
        for blen in (None, 3):
            r = chunked.eval_table(cols, expression, vm="python", blen=blen)
            assert_stored_array(r, "mem", expected)


def test_eval_table_numexpr_functions():
    cols = {"a": np.arange(11, dtype="f8"), "b": np.arange(11) - 5}
    for expression, expected in [("sqrt(a)", np.sqrt(cols["a"])),
                                 ("where(b > 0, a, -a)", np.where(cols["b"] > 0, cols["a"],
                                                                  -cols["a"])),
                                 ("sin(a) ** 2 + cos(a) ** 2", np.ones(11))]:
        r = chunked.eval_table(cols, expression, vm="numexpr", blen=4)
        np.testing.assert_allclose(r[...], expected)


def test_eval_table_numexpr_matches_numexpr():
    import numexpr
    cols = columns()
    cols = {k: v for k, v in cols.items() if k != "when"}
    for expression in ("x * 2 + count", "f32 / (id + 0.5)", "(count > 0) & ~flag",
                       "count ** 2 - id", "x < f32"):
        expected = numexpr.evaluate(expression, local_dict=cols)
        for blen in (None, 1, 5):
            assert_stored_array(chunked.eval_table(cols, expression, vm="numexpr", blen=blen),
                                "mem", expected)
            python = chunked.eval_table(cols, expression, vm="python", blen=blen)[...]
            np.testing.assert_allclose(python, expected, rtol=1e-6)


def test_eval_table_default_vm_is_numexpr(monkeypatch):
    import numexpr
    calls = []
    evaluate = numexpr.evaluate

    def recording(expression, *args, **kwargs):
        calls.append((expression, kwargs))
        return evaluate(expression, *args, **kwargs)

    monkeypatch.setattr(numexpr, "evaluate", recording)
    cols = {"a": np.arange(10.0), "b": np.ones(10)}
    r = chunked.eval_table(cols, "a + b", blen=4)
    np.testing.assert_array_equal(r[...], cols["a"] + 1)
    assert [c[0] for c in calls] == ["a + b"] * 3          # one call a block
    calls.clear()
    chunked.eval_table(cols, "a + b", vm="python", blen=4)
    assert calls == []
    chunked.eval_table(cols, "a + b", vm="numexpr", blen=20,
                       vm_kwargs={"optimization": "moderate"})
    assert calls == [("a + b", {"local_dict": calls[0][1]["local_dict"],
                                "optimization": "moderate"})]
    assert set(calls[0][1]["local_dict"]) == {"a", "b"}
    calls.clear()
    # Only the columns named are read and handed over.
    chunked.eval_table(dict(cols, c=np.zeros(10)), "a * 2", blen=20)
    assert set(calls[0][1]["local_dict"]) == {"a"}


def test_eval_table_default_vm_without_numexpr(monkeypatch):
    monkeypatch.setitem(sys.modules, "numexpr", None)       # import numexpr fails
    cols = {"a": np.arange(10.0)}
    r = chunked.eval_table(cols, "a // 2 + a ** 2", blen=3)
    assert_stored_array(r, "mem", cols["a"] // 2 + cols["a"] ** 2)
    r = chunked.compress_table("a % 3 == 0", cols, blen=3)
    np.testing.assert_array_equal(r.column("a")[...], [0.0, 3.0, 6.0, 9.0])
    with pytest.raises(ImportError):
        chunked.eval_table(cols, "a", vm="numexpr")


def test_eval_table_errors():
    cols = {"a": np.arange(10.0), "b": np.ones(10)}
    for vm in ("numexpr", "python", None):
        with pytest.raises(NameError, match="'nope'"):
            chunked.eval_table(cols, "a + nope", vm=vm)
        with pytest.raises(ValueError, match="expression"):
            chunked.eval_table(cols, "a +", vm=vm)
        with pytest.raises(ValueError, match="expression"):
            chunked.eval_table(cols, "a = 1", vm=vm)
    for vm in ("nope", "NUMEXPR", 1, "numpy"):
        with pytest.raises(ValueError, match="vm"):
            chunked.eval_table(cols, "a", vm=vm)
    # The first block giving another number of rows is an error.
    with pytest.raises(ValueError, match="values for a block"):
        chunked.eval_table(cols, "a[:2]", vm="python", blen=4)


def test_eval_table_checks_the_rows_of_every_block():
    # Blocks after the first that give another number of values (one broadcasts
    # silently into the block's rows) are errors too.
    a = np.array([0, 1, 2, 3, 4, 10, 10, 10, 0, 1], float)
    for blen in (4, 3):
        with pytest.raises(ValueError):
            r = chunked.eval_table({"a": a}, "a[a < 5]", vm="python", blen=blen)
            print(r[...])


def test_eval_table_python_has_no_builtins(tmp_path):
    cols = {"a": np.arange(5.0)}
    target = tmp_path / "pwned"
    for expression in ("__import__('os')",
                       "__import__('os').mkdir(%r)" % str(target),
                       "open(%r, 'w')" % str(target),
                       "len(a)", "eval('1')", "a.astype('i4')", "a.tofile(%r)" % str(target),
                       "np.savetxt(%r, a)" % str(target), "np.ctypeslib.ctypes.CDLL(None)",
                       "np.load(%r)" % str(target), "np.sqrt.__call__(a)",
                       "__builtins__",
                       "a.__class__.__mro__[-1].__subclasses__()",
                       # numpy's module and attributes do not lead to the builtins either.
                       "np.__builtins__['__import__']('os').mkdir(%r) or 1" % str(target),
                       "[c for c in ().__class__.__base__.__subclasses__() if c.__name__ == "
                       "'catch_warnings'][0]()._module.__builtins__['__import__']('os')"
                       ".mkdir(%r) or 1" % str(target),
                       "a.__class__.__mro__[-1].__subclasses__()[0].__name__ == 'type'"):
        with pytest.raises(Exception):
            chunked.eval_table(cols, expression, vm="python")
        assert not target.exists(), expression
    # Even a column named like a builtin does not bring the builtins back.
    with pytest.raises(Exception):
        chunked.eval_table({"__import__": np.arange(3)}, "__import__('os')", vm="python")


def test_eval_table_scalar_expressions():
    cols = {"a": np.arange(10.0), "b": np.ones(10, "i4")}
    for vm in ("numexpr", "python", None):
        for blen in (None, 3):
            r = chunked.eval_table(cols, "1", vm=vm, blen=blen)
            assert tuple(r.shape) == (10,)
            np.testing.assert_array_equal(r[...], np.ones(10))
            assert np.asarray(r[...]).dtype.kind == "i"
            r = chunked.eval_table(cols, "2.5", vm=vm, blen=blen)
            np.testing.assert_array_equal(r[...], np.full(10, 2.5))
    r = chunked.eval_table(cols, "True", vm="python", blen=3)
    assert_stored_array(r, "mem", np.ones(10, bool))
    r = chunked.eval_table(select(cols, slice(0, 0)), "1", vm="python")
    assert tuple(r.shape) == (0,)


def test_eval_table_threads_and_progress():
    cols = columns(2000)
    expected = cols["x"] * cols["count"] - cols["id"]
    for threads in (1, 2, 4):
        for storage in ("mem", "hdf5mem"):
            r = chunked.eval_table(cols, "x * count - id", blen=37, threads=threads,
                                   storage=storage, progress=False)
            np.testing.assert_array_equal(r[...], expected)


# Results do not depend on the threads, blocks across output chunks included.


@pytest.mark.parametrize("storage", ["mem", "tmp", "dir", "hdf5mem"])
def test_results_do_not_depend_on_threads(outputs, storage):
    n = 1201
    cols = usable(columns(n), storage=storage)
    names = list(cols)
    keep = cols["x"] > -0.5
    idx = np.random.default_rng(5).integers(-n, n, 1000)
    for threads in (1, 2, 4):
        kw = dict(blen=37, chunks=40, threads=threads)
        assert_table(chunked.copy_table(cols, **kw, **outputs(storage)), storage, names, cols)
        assert_table(chunked.compress_table(keep, cols, **kw, **outputs(storage)), storage,
                     names, select(cols, keep))
        assert_table(chunked.take_table(cols, idx, **kw, **outputs(storage)), storage, names,
                     select(cols, idx))
        assert_table(chunked.concatenate_table([cols, cols], **kw, **outputs(storage)),
                     storage, names, {k: np.concatenate([v, v]) for k, v in cols.items()})


# Blocks of the columns on the pool's threads.


class Recording:
    """A numpy column behind an array-like with chunks that records the threads
    reading it, and calls ``hook`` on reads of two rows or more."""

    def __init__(self, x, chunks=None, hook=None):
        self.x = np.asarray(x)
        self.shape = self.x.shape
        self.dtype = self.x.dtype
        if chunks is not None:
            self.chunks = tuple(chunks)
        self.hook = hook
        self.threads = set()
        self.lock = threading.Lock()

    def __getitem__(self, item):
        out = self.x[item]
        with self.lock:
            self.threads.add(threading.get_ident())
        if self.hook is not None and np.ndim(out) and len(out) >= 2:
            self.hook()
        return out


def meet(skip=0):
    """A function whose calls ``skip`` and ``skip + 1`` wait for each other (ten
    seconds at most): it returns only if two threads read blocks at once."""
    barrier = threading.Barrier(2, timeout=10)
    calls = itertools.count()
    lock = threading.Lock()

    def wait():
        with lock:
            i = next(calls)
        if skip <= i < skip + 2:
            barrier.wait()
    return wait


def test_table_blocks_run_on_two_threads():
    n = 40
    a, b = np.arange(n) * 2, np.linspace(0, 1, n)
    expected = {"a": a, "b": b}
    calls = {
        "copy_table": (lambda t: chunked.copy_table(t, blen=4, threads=2), expected),
        "compress_table": (lambda t: chunked.compress_table(a % 4 != 2, t, blen=4, threads=2),
                           select(expected, a % 4 != 2)),
        "compress_table_expr": (lambda t: chunked.compress_table("a % 4 != 2", t, blen=4,
                                                                 threads=2),
                                select(expected, a % 4 != 2)),
        "take_table": (lambda t: chunked.take_table(t, [0, 1, 8, 9, 16, 17, 24, 25, 30, 31],
                                                    blen=2, threads=2),
                       select(expected, [0, 1, 8, 9, 16, 17, 24, 25, 30, 31])),
        "concatenate_table": (lambda t: chunked.concatenate_table([t, expected], blen=4,
                                                                  threads=2),
                              {k: np.concatenate([v, v]) for k, v in expected.items()}),
    }
    for name, (call, want) in calls.items():
        skip = 1 if name == "compress_table_expr" else 0   # the expression reads block 0 first
        tbl = {"a": Recording(a, chunks=(4,), hook=meet(skip)), "b": Recording(b, chunks=(4,))}
        out = call(tbl)
        assert len(tbl["a"].threads) >= 2, name
        assert_table(out, "mem", ["a", "b"], want)
    # eval_table works out its first block in the caller, then the rest side by side.
    tbl = {"a": Recording(a, chunks=(4,), hook=meet(skip=1)), "b": Recording(b, chunks=(4,))}
    r = chunked.eval_table(tbl, "a + b", blen=4, threads=2)
    assert len(tbl["a"].threads) >= 2
    np.testing.assert_array_equal(r[...], a + b)
    # The wrapper's methods too.
    tbl = {"a": Recording(a, chunks=(4,), hook=meet()), "b": Recording(b, chunks=(4,))}
    assert_table(ChunkedTableWrapper(tbl).copy(threads=2).values, "mem", ["a", "b"], expected)
    assert len(tbl["a"].threads) >= 2


def test_one_thread_reads_in_the_caller():
    n = 40
    me = threading.get_ident()
    tbl = {"a": Recording(np.arange(n), chunks=(4,)), "b": Recording(np.ones(n), chunks=(4,))}
    for call in (lambda: chunked.copy_table(tbl, threads=1),
                 lambda: chunked.compress_table("a > 3", tbl, threads=1),
                 lambda: chunked.take_table(tbl, [5, 30, 1], threads=1),
                 lambda: chunked.concatenate_table([tbl, tbl], threads=1),
                 lambda: chunked.eval_table(tbl, "a * b", threads=1)):
        for column in tbl.values():
            column.threads.clear()
        call()
        assert tbl["a"].threads == {me}


# Temporary storage leaves nothing behind.


def leftovers(root):
    return sorted(os.listdir(root))


@pytest.mark.parametrize("storage", ["tmp", "hdf5tmp"])
def test_temporary_tables_are_removed_when_collected(tmp_path, storage):
    root = str(tmp_path)
    cols = usable(columns(), storage=storage)
    calls = [lambda: chunked.copy_table(cols, storage=storage, dir=root),
             lambda: chunked.compress_table("x > 0", cols, storage=storage, dir=root),
             lambda: chunked.take_table(cols, [3, 1], storage=storage, dir=root),
             lambda: chunked.concatenate_table([cols, cols], storage=storage, dir=root),
             lambda: chunked.eval_table(cols, "x + 1", storage=storage, dir=root)]
    for call in calls:
        out = call()
        made = leftovers(root)
        assert len(made) == 1 and made[0].startswith("zarr-tmp-"), made
        if storage == "tmp":
            assert os.path.isdir(os.path.join(root, made[0]))
        del out
        gc.collect()
        assert leftovers(root) == []
    # A wrapper keeps its table while it lives.
    w = ChunkedTableWrapper(cols).copy(storage=storage, dir=root)
    gc.collect()
    assert len(leftovers(root)) == 1
    np.testing.assert_array_equal(w["x"][...], cols["x"])
    del w
    gc.collect()
    assert leftovers(root) == []


@pytest.mark.parametrize("storage", ["tmp", "hdf5tmp"])
def test_failed_temporary_tables_leave_nothing(tmp_path, storage):
    root = str(tmp_path)
    bad = {"a": np.arange(3), "o": np.array([object(), 1, "x"], dtype=object)}
    with pytest.raises(Exception):
        chunked.copy_table(bad, storage=storage, dir=root)
    gc.collect()
    assert leftovers(root) == []
    if storage == "tmp":
        with pytest.raises(TypeError, match="'v'"):
            chunked.copy_table({"a": np.arange(3), "v": np.zeros(3, "V4")}, storage=storage,
                               dir=root)
        gc.collect()
        assert leftovers(root) == []


def test_failed_table_in_a_directory_leaves_nothing(tmp_path):
    # A table that cannot be made leaves nothing where it was to be.
    path = tmp_path / "out.zarr"
    with pytest.raises(TypeError, match="'v'"):
        chunked.copy_table({"a": np.arange(3), "v": np.zeros(3, "V4")}, storage="dir",
                           path=str(path))
    assert not path.exists()


def test_columns_of_a_temporary_table_outlive_it(tmp_path):
    # A column taken from a temporary table keeps its data, whether or not the
    # table itself is still referenced.
    cols = columns()
    col = chunked.copy_table(cols, storage="tmp", dir=str(tmp_path)).column("x")
    gc.collect()
    np.testing.assert_array_equal(col[...], cols["x"])
    col = ChunkedTableWrapper(cols).copy(storage="tmp", dir=str(tmp_path))["count"]
    gc.collect()
    np.testing.assert_array_equal(col[...], cols["count"])
    del col
    gc.collect()


# ChunkedTableWrapper.


def test_wrapper_basics(sources):
    cols = columns()
    rec = sources.make("structured", cols)[0]
    for kind in KINDS:
        tbl, names = sources.make(kind, usable(cols, kind))
        w = ChunkedTableWrapper(tbl)
        assert w.names == names, kind
        assert len(w) == N and w.shape == (N, len(names))
        text = repr(w)
        assert "ChunkedTableWrapper" in text and "%d rows" % N in text
        assert type(tbl).__name__ in text
        for name in names:
            c = w[name]
            assert isinstance(c, ChunkedArrayWrapper)
            assert c.dtype == cols[name].dtype and c.shape == (N,)
            np.testing.assert_array_equal(np.asarray(c), cols[name])
        with pytest.raises(KeyError):
            w["nope"]
        sub = w[["x", "id"]]
        assert isinstance(sub, ChunkedTableWrapper)
        assert sub.names == ["x", "id"] and sub.shape == (N, 2)
        assert ChunkedTableWrapper(w, names=("flag", "x")).names == ["flag", "x"]
        with pytest.raises(KeyError):
            w[["x", "nope"]]
        # Rows: a record, and slices of them as record arrays, as numpy has them.
        expected = rec[names]
        for i in (0, 7, N - 1, -1, -N, np.int64(3)):
            row = w[i]
            assert tuple(row.tolist() if hasattr(row, "tolist") else row) == \
                tuple(expected[i].tolist()), (kind, i)
            assert row.dtype.names == tuple(names)
        for rows in (slice(2, 9), slice(None), slice(-4, None), slice(5, 5), slice(20, 100),
                     slice(None, None, 3), slice(1, 15, 4)):
            got = w[rows]
            assert isinstance(got, np.recarray)
            assert got.dtype.names == tuple(names)
            assert len(got) == len(expected[rows])
            for name in names:
                assert got[name].dtype == cols[name].dtype
                np.testing.assert_array_equal(got[name], expected[rows][name])
        for bad in (N, -N - 1):
            with pytest.raises(IndexError):
                w[bad]
        for bad in (1.5, None, [1, 2], []):
            with pytest.raises(TypeError):
                w[bad]


def test_wrapper_methods(sources):
    cols = columns()
    names = list(cols)
    w = ChunkedTableWrapper(sources.make("table_mem", cols)[0])
    keep = cols["x"] > 0
    idx = [22, 0, 0, -1, 7]
    checks = [
        (w.copy(), cols),
        (w.copy(2, 9, blen=3), select(cols, slice(2, 9))),
        (w.compress(keep), select(cols, keep)),
        (w.compress(zarr.array(keep, chunks=4)), select(cols, keep)),
        (w.compress(ChunkedArrayWrapper(keep)), select(cols, keep)),
        (w.compress("x > 0", blen=4), select(cols, keep)),
        (w.query("x > 0"), select(cols, keep)),
        (w.query("(count > 0) & flag"), select(cols, (cols["count"] > 0) & cols["flag"])),
        (w.take(idx), select(cols, np.array(idx))),
        (w.take([30, -30], mode="clip"), {k: np.take(v, [30, -30], mode="clip")
                                          for k, v in cols.items()}),
        (w.concatenate(cols), {k: np.concatenate([v, v]) for k, v in cols.items()}),
        (w.concatenate(ChunkedTableWrapper(cols)),
         {k: np.concatenate([v, v]) for k, v in cols.items()}),
        (w.concatenate([cols, select(cols, slice(0, 4))], blen=6),
         {k: np.concatenate([v, v, v[:4]]) for k, v in cols.items()}),
    ]
    for result, expected in checks:
        assert isinstance(result, ChunkedTableWrapper)
        assert result.names == names
        assert isinstance(result.values, zarr.Table)
        assert_table(result.values, "mem", names, expected)
    e = w.eval("x * 2 + count")
    assert isinstance(e, ChunkedArrayWrapper)
    np.testing.assert_array_equal(np.asarray(e), cols["x"] * 2 + cols["count"])
    e = w.eval("x ** 2 - count", vm="python", blen=4, storage="hdf5mem")
    assert isinstance(e.values, h5py.Dataset)
    np.testing.assert_array_equal(np.asarray(e), cols["x"] ** 2 - cols["count"])
    # A wrapper of some columns works on those alone.
    sub = w[["flag", "x"]]
    out = sub.compress("x > 0")
    assert out.names == ["flag", "x"]
    assert_table(out.values, "mem", ["flag", "x"], select({"flag": cols["flag"],
                                                          "x": cols["x"]}, keep))
    with pytest.raises(NameError, match="count"):
        sub.eval("count + 1")
    # Results to other storages (HDF5 has no datetime64: the others).
    plain = [n for n in names if n != "when"]
    out = w[plain].take(idx, storage="hdf5mem")
    assert isinstance(out.values, h5py.File)
    assert sorted(out.names) == sorted(plain)
    assert_table(out.values, "hdf5mem", plain, select({n: cols[n] for n in plain},
                                                      np.array(idx)))


def test_query_and_compress_take_the_vm(monkeypatch):
    # An expression's condition is evaluated as eval_table does: by the vm asked for.
    import numexpr
    calls = []
    evaluate = numexpr.evaluate
    monkeypatch.setattr(numexpr, "evaluate",
                        lambda *a, **k: calls.append(a) or evaluate(*a, **k))
    cols = {"a": np.arange(10.0), "b": np.arange(10) % 2 == 0}
    expected = select(cols, cols["b"] & (cols["a"] > 3))
    w = ChunkedTableWrapper(cols)
    for out in (chunked.compress_table("b & (a > 3)", cols, vm="python"),
                w.query("b & (a > 3)", vm="python").values,
                w.compress("b & (a > 3)", vm="python", blen=3).values):
        assert_table(out, "mem", ["a", "b"], expected)
    assert calls == []
    out = chunked.compress_table("b & (a > 3)", cols, vm="numexpr", blen=4)
    assert_table(out, "mem", ["a", "b"], expected)
    assert len(calls) == 3


def test_wrapper_over_an_h5py_group(sources):
    cols = usable(columns(), "hdf5")
    g, names = sources.make("hdf5", cols)
    w = ChunkedTableWrapper(g)
    assert w.names == sorted(cols) and len(w) == N
    assert "Group" in repr(w)
    np.testing.assert_array_equal(np.asarray(w["x"]), cols["x"])
    assert isinstance(w["x"].values, h5py.Dataset)
    assert w[4]["count"] == cols["count"][4]
    np.testing.assert_array_equal(w[3:11]["f32"], cols["f32"][3:11])
    keep = cols["count"] > 0
    for storage in ("mem", "hdf5mem"):
        assert_table(w.compress("count > 0", storage=storage).values, storage, names,
                     select(cols, keep))
        assert_table(w.take([5, 1, -2], storage=storage).values, storage, names,
                     select(cols, [5, 1, -2]))
        assert_table(w.copy(4, 20, storage=storage).values, storage, names,
                     select(cols, slice(4, 20)))
        assert_table(w.concatenate(g, storage=storage).values, storage, names,
                     {k: np.concatenate([cols[k]] * 2) for k in names})
    r = w.eval("x - f32", storage="hdf5mem")
    assert isinstance(r.values, h5py.Dataset)
    np.testing.assert_array_equal(np.asarray(r), cols["x"] - cols["f32"])
    # Its results are tables to wrap and work on again.
    again = w.copy(storage="hdf5mem").compress("flag")
    assert_table(again.values, "mem", names, select(cols, cols["flag"]))


def test_unsynchronized_outputs_lose_no_rows():
    # Blocks of 997 rows into chunks of 1000: neighbouring blocks share chunks.
    a = np.arange(60000)
    cond = a % 3 != 0
    kw = dict(blen=997, chunks=1000, synchronized=False, threads=2)
    for _ in range(3):
        t = chunked.compress_table(cond, {"a": a, "b": a * 2.0}, **kw)
        np.testing.assert_array_equal(t.column("a")[...], a[cond])
        np.testing.assert_array_equal(t.column("b")[...], a[cond] * 2.0)
        t = chunked.copy_table({"a": a}, **kw)
        np.testing.assert_array_equal(t.column("a")[...], a)
        t = chunked.take_table({"a": a}, a[::-1][:30000], **kw)
        np.testing.assert_array_equal(t.column("a")[...], a[::-1][:30000])
        t = chunked.concatenate_table([{"a": a[:29999]}, {"a": a[29999:]}], **kw)
        np.testing.assert_array_equal(t.column("a")[...], a)
        r = chunked.eval_table({"a": a}, "a * 2", vm="python", **kw)
        np.testing.assert_array_equal(r[...], a * 2)
