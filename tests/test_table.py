"""Tables (zarr.table): DataFrames as groups of column arrays, with pandas as the oracle."""

import datetime
import decimal
import json
import os
import threading

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal, assert_index_equal

import zarr
import zarr.table
from zarr.columns import range_append

N = 11


def every_dtype(n=N):
    """A frame with a column of every kind a table stores, missing values included."""
    i = np.arange(n)
    some = ["a", None, "ß", ""] + ["b%d" % k for k in range(n)]
    return pd.DataFrame({
        "i1": i.astype("i1"), "i8": i * -(2**40), "u8": i.astype("u8") + 2**63,
        "f2": i.astype("f2") / 2, "f8": np.where(i % 3 == 0, np.nan, i / 7), "c16": i * (1 - 2j),
        "b": i % 2 == 0,
        "M8[ns]": pd.Series(pd.date_range("2001-02-03", periods=n, freq="37min", unit="ns"))
        .where(i != 1),
        "M8[s]": pd.date_range("1900-01-01", periods=n, freq="D", unit="s").to_numpy(),
        "tz": pd.Series(pd.date_range("2020-03-29", periods=n, freq="h", tz="Europe/Paris"))
        .where(i != 2),
        "tz utc": pd.date_range("2020-01-01", periods=n, freq="s", tz="UTC", unit="ms"),
        "m8": pd.Series(pd.to_timedelta(i * 1.5, unit="s")).where(i != 3),
        "o str": pd.Series(["s%d" % k for k in i], dtype=object),
        "o mixed": pd.Series(([None, 1, 2.5, "x", b"\x00y", True, np.nan, -3, 2**64 - 1, "", "é"]
                              * n)[:n], dtype=object),
        "o bytes": pd.Series([b"b%d" % k for k in i], dtype=object),
        "str": pd.Series(some[:n], dtype=pd.StringDtype("python", na_value=np.nan)),
        "string": pd.Series(some[:n], dtype="string"),
        "Int8": pd.array([None if k % 4 == 1 else k % 100 for k in i], dtype="Int8"),
        "Int64": pd.array([None if k % 4 == 2 else k * 10**12 for k in i], dtype="Int64"),
        "UInt16": pd.array([None if k == 0 else k % 60000 for k in i], dtype="UInt16"),
        "Float32": pd.array([None if k == 3 else k / 4 for k in i], dtype="Float32"),
        "Float64": pd.array([None if k == 4 else k / 3 for k in i], dtype="Float64"),
        "boolean": pd.array([None if k % 3 == 0 else bool(k % 2) for k in i], dtype="boolean"),
        "cat": pd.Categorical(["x", "y", None, "z"] * n)[:n],
        "cat ordered": pd.Categorical(([3, 1, 2] * n)[:n], categories=[3, 2, 1], ordered=True),
        "cat dates": pd.Categorical(pd.to_datetime(["2000-01-01", "1999-12-31"] * n)[:n]),
        "cat object": pd.Categorical(pd.Series(["p", "q"] * n, dtype=object)[:n]),
    })


def make_target(kind, tmp_path):
    return zarr.group() if kind == "memory" else str(tmp_path / "t.zarr")


def reopen(t, kind, tmp_path):
    """The table as another reader finds it: the same group, or the directory reopened."""
    return zarr.Table(t.group) if kind == "memory" else zarr.open_table(tmp_path / "t.zarr")


def arrays_of(group):
    return {name: (z.shape, z.dtype, repr(z[...].tolist())) for name, z in group.arrays()}


@pytest.fixture(params=["memory", "directory"])
def kind(request):
    return request.param


# Round trips.

@pytest.mark.parametrize("chunks", [None, 1, 4, N, 100])
def test_every_dtype_round_trips(kind, tmp_path, chunks):
    df = every_dtype()
    t = zarr.from_pandas(df, make_target(kind, tmp_path), chunks=chunks)
    for r in (t, reopen(t, kind, tmp_path)):
        assert_frame_equal(r.to_pandas(), df)
        assert len(r) == N and r.shape == (N, df.shape[1]) and r.columns == list(df.columns)
        pd.testing.assert_series_equal(r.dtypes, df.dtypes)
    for name, z in t.group.arrays():
        assert z.ndim == 1
        if chunks is not None:
            assert z.chunks == (chunks,)


def test_members_are_plain_arrays_other_readers_can_use(tmp_path):
    df = every_dtype()
    path = tmp_path / "t.zarr"
    zarr.from_pandas(df, path, chunks=4)
    meta = json.loads((path / "o str" / ".zarray").read_text())
    assert meta["filters"][0]["id"] == "vlen-utf8" and meta["shape"] == [N]
    assert json.loads((path / "o mixed" / ".zarray").read_text())["filters"][0]["id"] \
        == "msgpack2"
    assert json.loads((path / "str" / ".zarray").read_text())["filters"][0]["id"] == "vlen-utf8"
    z = zarr.open(path / "f8", mode="r")
    np.testing.assert_array_equal(z[...], df["f8"].to_numpy())
    assert zarr.open(path / "M8[s]", mode="r").dtype == np.dtype("M8[s]")
    np.testing.assert_array_equal(zarr.open(path / "tz", mode="r")[...],
                                  df["tz"].dt.tz_convert(None).to_numpy())
    assert zarr.open(path / "__str_mask__", mode="r")[...].tolist() == df["str"].isna().tolist()
    np.testing.assert_array_equal(zarr.open(path / "cat", mode="r")[...], df["cat"].cat.codes)
    assert zarr.open(path / "__cat ordered_categories__", mode="r")[...].tolist() == [3, 2, 1]
    # The index is a RangeIndex: no array.
    assert not [name for name in zarr.open_group(path, "r") if "index" in name]


@pytest.mark.parametrize("n", [0, 1, 2, 4, 5, 9])
def test_lengths_at_chunk_edges(kind, tmp_path, n):
    df = every_dtype(n) if n else every_dtype(3).iloc[:0]
    t = zarr.from_pandas(df, make_target(kind, tmp_path), chunks=4)
    assert_frame_equal(reopen(t, kind, tmp_path).to_pandas(), df)
    assert t["f8"].nchunks == -(-n // 4)


def test_empty_frames(kind, tmp_path):
    for df in [pd.DataFrame(), pd.DataFrame(index=pd.Index(["a", "b"], name="k")),
               pd.DataFrame(index=range(5)), pd.DataFrame(columns=["a", "b"]),
               pd.DataFrame({"a": np.zeros(0, "f4"), "b": pd.Series([], dtype="str")})]:
        t = zarr.from_pandas(df, make_target(kind, tmp_path), mode="w")
        assert_frame_equal(reopen(t, kind, tmp_path).to_pandas(), df)
        assert len(t) == len(df)


INDEXES = [
    pd.RangeIndex(10, 10 + 3 * N, 3, name="r"),
    pd.RangeIndex(N, 0, -1),
    pd.Index(np.arange(N) ** 2, name="squares"),
    pd.Index(np.linspace(0, 1, N), name=0),
    pd.Index(["k%d" % i for i in range(N)]),
    pd.Index(["k%d" % i for i in range(N)], dtype=object, name="o"),
    pd.date_range("2000-01-01", periods=N, freq="D", name="day"),
    pd.date_range("2000-01-01", periods=N, freq="15min", tz="America/New_York"),
    pd.DatetimeIndex(pd.to_datetime(["2000-01-01", "2000-01-03"] * 6)[:N]),
    pd.timedelta_range(0, periods=N, freq="s"),
    pd.CategoricalIndex(list("abcabcabcab"), name="c"),
    pd.Index(pd.array(list(range(N - 1)) + [None], dtype="Int64")),
    pd.MultiIndex.from_arrays([list("aabbccddeef"), np.arange(N) % 3,
                               pd.date_range("2000", periods=N, tz="UTC")],
                              names=["x", None, 5]),
]


@pytest.mark.parametrize("index", INDEXES, ids=lambda i: type(i).__name__ + str(i.dtype))
def test_indexes_round_trip(kind, tmp_path, index):
    df = every_dtype()[["f8", "str", "cat"]].set_axis(index)
    t = zarr.from_pandas(df, make_target(kind, tmp_path), chunks=3)
    r = reopen(t, kind, tmp_path)
    assert_frame_equal(r.to_pandas(), df)
    assert_index_equal(r.index, df.index)
    for rows in (slice(2, 7), slice(None, None, 2), slice(None, None, -3), slice(5, 6),
                 slice(8, 2)):
        assert_frame_equal(r[rows], df.iloc[rows])
    stored = [name for name in t.group if name.startswith("__index_level_")]
    if isinstance(index, pd.RangeIndex):
        assert stored == []
    else:
        assert "__index_level_%d__" % (index.nlevels - 1) in stored


def test_column_labels_that_are_not_member_names(kind, tmp_path):
    df = pd.DataFrame({0: [1, 2], "a/b": [3, 4], "": [5, 6], ".x": [7, 8], "__s__": [9, 10],
                       1.5: [1.0, 2.0], None: ["p", "q"], True: [0, 1], "ok": [0, 0],
                       "a\\b": [1, 1]})
    t = zarr.from_pandas(df, make_target(kind, tmp_path))
    r = reopen(t, kind, tmp_path)
    assert_frame_equal(r.to_pandas(), df)
    assert r.columns == list(df.columns)
    assert sorted(t.group) == sorted(["__column_%d__" % i for i in (0, 1, 2, 3, 4, 5, 6, 7, 9)]
                                     + ["__column_6_mask__", "ok"])
    assert r[0][...].tolist() == [1, 2] and r[True][...].tolist() == [0, 1]
    assert r[1.5][...].tolist() == [1.0, 2.0] and r[None][...].tolist() == ["p", "q"]
    assert_frame_equal(r[["a/b", None]].to_pandas(), df.iloc[:, [1, 6]])


@pytest.mark.parametrize("label", ["x" * 1000, "\u00e9" * 128, "\u20ac" * 85, "x" * 129,
                                   "\U0001f600" * 33, "bad \ud800 surrogate"],
                         ids=["1000 chars", "256 bytes in 128 chars", "255 bytes in 85 chars",
                              "129 bytes", "132 bytes in 33 chars", "a lone surrogate"])
def test_labels_too_long_for_a_file_name_are_column_names(kind, tmp_path, label):
    df = pd.DataFrame({label: pd.Categorical(["a", "b"]), "n": pd.array([1, None], "Int64"),
                       "\u00e9" * 64: [1.5, 2.5]})   # 128 bytes: a name
    t = zarr.from_pandas(df, make_target(kind, tmp_path))
    assert "__column_0__" in t.group and "__column_0_categories__" in t.group
    assert "\u00e9" * 64 in t.group and label not in list(t.group)
    r = reopen(t, kind, tmp_path)
    assert_frame_equal(r.to_pandas(), df)
    assert r[label][...].tolist() == [0, 1]
    r = zarr.Table(r.group) if kind == "memory" else zarr.open_table(tmp_path / "t.zarr", "r+")
    r.append(pd.DataFrame({label: pd.Categorical(["b"], categories=["a", "b"]),
                           "n": pd.array([3], "Int64"), "\u00e9" * 64: [3.5]}, index=[2]))
    assert_frame_equal(r.to_pandas(), pd.concat([df, df.iloc[[1]].set_axis([2])]).assign(
        n=pd.array([1, None, 3], "Int64"), **{"\u00e9" * 64: [1.5, 2.5, 3.5]}))


@pytest.mark.parametrize("mode", ["r", "r+", "a"])
def test_zarr_open_of_a_table_is_the_table(tmp_path, mode):
    df = every_dtype()
    path = tmp_path / "t.zarr"
    zarr.from_pandas(df, path)
    t = zarr.open(path, mode=mode)
    assert isinstance(t, zarr.Table), type(t)
    assert t.read_only == (mode == "r")
    assert_frame_equal(t.to_pandas(), df)
    assert t.columns == list(df.columns)
    # In a store, and a member group holding a table, the same; open_group still gives the group.
    store = zarr.storage.MemoryStore()
    zarr.from_pandas(df, store)
    assert isinstance(zarr.open(store, mode=mode), zarr.Table)
    g = zarr.open_group(tmp_path / "g.zarr", mode="w")
    zarr.from_pandas(df, g, name="sub/t")
    assert isinstance(zarr.open(tmp_path / "g.zarr", path="sub/t", mode=mode), zarr.Table)
    assert isinstance(zarr.open(tmp_path / "g.zarr", mode=mode), zarr.Group)
    assert type(zarr.open_group(path, mode=mode)) is zarr.Group


def test_zarr_open_of_a_group_with_another_table_attribute_is_the_group(tmp_path):
    g = zarr.open_group(tmp_path / "g.zarr", mode="w")
    g.attrs["table"] = "a user's attribute"
    assert type(zarr.open(tmp_path / "g.zarr")) is zarr.Group


def test_column_index_kinds_round_trip(kind, tmp_path):
    for df in [pd.DataFrame(np.arange(12.0).reshape(3, 4)),
               pd.DataFrame(np.ones((2, 2)), columns=pd.Index([10, 20], name="cols")),
               pd.DataFrame([[1, 2]], columns=pd.Index(["a", "b"], dtype=object))]:
        t = zarr.from_pandas(df, make_target(kind, tmp_path), mode="w")
        back = reopen(t, kind, tmp_path).to_pandas()
        assert_frame_equal(back, df)
        assert_index_equal(back.columns, df.columns, exact=True)


# What cannot be stored: a clear error, and nothing written.

UNSUPPORTED = [
    ("decimal", pd.Series([decimal.Decimal(1)] * 3), "Decimal"),
    ("objects", pd.Series([datetime.date(2000, 1, 1)] * 3), "date"),
    ("lists", pd.Series([[1], [2], [3]]), "list"),
    ("numpy ints", pd.Series([np.int64(1)] * 3, dtype=object), "int64"),
    ("huge int", pd.Series([2**64, 1, 2], dtype=object), "too big"),
    ("period", pd.Series(pd.period_range("2000", periods=3, freq="D")), "period"),
    ("interval", pd.Series(pd.interval_range(0, 3)), "interval"),
    ("sparse", pd.Series(pd.arrays.SparseArray([0.0, 1.0, 0.0])), "Sparse"),
    ("dateutil tz", pd.Series(pd.date_range("2000", periods=3, tz="dateutil/Europe/Paris")),
     "does not come back"),
]


@pytest.mark.parametrize("name, column, words", UNSUPPORTED, ids=[u[0] for u in UNSUPPORTED])
def test_unsupported_columns_raise_and_write_nothing(tmp_path, name, column, words):
    df = pd.DataFrame({"fine": [1.0, 2.0, 3.0], name: column})
    g = zarr.group()
    g.attrs["keep"] = 1
    with pytest.raises(TypeError, match="column %r.*%s" % (name, words)):
        zarr.from_pandas(df, g)
    assert len(g) == 0 and g.attrs.asdict() == {"keep": 1}
    with pytest.raises(TypeError, match=name):
        zarr.from_pandas(df, tmp_path / "t.zarr")
    assert not (tmp_path / "t.zarr").exists()


@pytest.mark.parametrize("index", [pd.Index([decimal.Decimal(1)] * 3),
                                   pd.period_range("2000", periods=3, freq="D"),
                                   pd.interval_range(0, 3)], ids=lambda i: str(i.dtype))
def test_unsupported_indexes_raise_and_write_nothing(tmp_path, index):
    with pytest.raises(TypeError, match="index level 0"):
        zarr.from_pandas(pd.DataFrame({"a": [1, 2, 3]}, index=index), tmp_path / "t.zarr")
    assert not (tmp_path / "t.zarr").exists()


def test_bad_labels_and_options_raise_and_write_nothing(tmp_path):
    path = tmp_path / "t.zarr"
    bad = [
        (pd.DataFrame({"__index_level_0__": [1]}), ValueError, "reserved"),
        (pd.DataFrame([[1, 2]], columns=["a", "a"]), ValueError, "unique"),
        (pd.DataFrame([[1, 2]], columns=pd.MultiIndex.from_tuples([("a", 1), ("a", 2)])),
         TypeError, "2 levels"),
        (pd.DataFrame([[1, 2]], columns=pd.to_datetime(["2000", "2001"])), TypeError,
         "column labels"),
        (pd.DataFrame({"a": [1]}).rename_axis(datetime.date(2000, 1, 1)), TypeError,
         "cannot be stored"),
    ]
    for df, error, words in bad:
        with pytest.raises(error, match=words):
            zarr.from_pandas(df, path)
        assert not path.exists()
    df = pd.DataFrame({"a": [1.0]})
    for kwargs, error in [({"chunks": 0}, ValueError), ({"chunks": 2.5}, ValueError),
                          ({"cname": "nope"}, ValueError), ({"clevel": 11}, ValueError),
                          ({"fill_value": 3}, TypeError), ({"mode": "a"}, ValueError)]:
        with pytest.raises(error):
            zarr.from_pandas(df, path, **kwargs)
        assert not path.exists()
    with pytest.raises(TypeError, match="dimension_separator"):
        zarr.from_pandas(df, zarr.group(), dimension_separator="/")
    with pytest.raises(TypeError, match="DataFrame"):
        zarr.from_pandas(df["a"], zarr.group())


def test_options_reach_the_arrays(tmp_path):
    df = every_dtype()[["f8", "str"]]
    t = zarr.from_pandas(df, tmp_path / "t.zarr", chunks=(5,), cname="zstd", clevel=3,
                         shuffle=2, dimension_separator="/")
    for _, z in t.group.arrays():
        assert (z.cname, z.clevel, z.shuffle, z.chunks) == ("zstd", 3, 2, (5,))
        assert z.dimension_separator == "/"
    assert (tmp_path / "t.zarr" / "f8" / "2").is_file()


def test_modes_and_targets(tmp_path):
    df = pd.DataFrame({"a": [1, 2]})
    path = tmp_path / "t.zarr"
    zarr.from_pandas(df, path)
    with pytest.raises(zarr.ContainsGroupError):
        zarr.from_pandas(df, path, mode="w-")
    assert_frame_equal(zarr.open_table(path).to_pandas(), df)
    df2 = pd.DataFrame({"b": [1.5]})
    zarr.from_pandas(df2, path, mode="w")  # 'w' replaces the table, members and all
    assert_frame_equal(zarr.open_table(path).to_pandas(), df2)
    assert sorted(zarr.open_group(path, "r")) == ["b"]
    # Into a member group, beside other members.
    g = zarr.open_group(path, "r+")
    t = zarr.from_pandas(df, g, name="sub/table")
    assert t.group.name == "/sub/table"
    assert_frame_equal(zarr.Table(zarr.open_group(path, "r")["sub/table"]).to_pandas(), df)
    assert_frame_equal(zarr.open_table(path).to_pandas(), df2)
    with pytest.raises(zarr.ContainsGroupError):
        zarr.from_pandas(df, g, name="sub/table", mode="w-")
    # Into a group itself: 'w-' refuses one with members.
    g = zarr.group()
    g.zeros("other", shape=3)
    with pytest.raises(zarr.ContainsGroupError):
        zarr.from_pandas(df, g, mode="w-")
    assert list(g) == ["other"]
    zarr.from_pandas(df, g, mode="w")
    assert list(g) == ["a"]
    assert_frame_equal(zarr.Table(g).to_pandas(), df)


def snapshot(where):
    """Every key of a store, or every file and directory under a path, with its bytes."""
    if isinstance(where, (str, os.PathLike)):
        found = {}
        for root, dirs, names in os.walk(where):
            for name in dirs:
                found[os.path.relpath(os.path.join(root, name), where)] = None
            for name in names:
                with open(os.path.join(root, name), "rb") as f:
                    found[os.path.relpath(os.path.join(root, name), where)] = f.read()
        return found
    return {key: bytes(where[key]) for key in where.list()}


@pytest.mark.parametrize("how", ["path", "group", "named", "memory", "memory-named",
                                 "store"])
def test_the_default_mode_refuses_what_is_there_and_leaves_it(tmp_path, how):
    df = pd.DataFrame({"a": [1, 2]})
    path = str(tmp_path / "t.zarr")
    memory = how in ("memory", "memory-named", "store")
    root = zarr.group() if memory else zarr.open_group(path, mode="w")
    where, name = (path if how == "path" else root.store if how == "store" else root), None
    if how in ("named", "memory-named"):
        name = "sub/t"
    # A group with a member, one with attributes only, an existing table, an array.
    for fill in ("member", "attrs", "table", "array"):
        node = root.require_group(name) if name else root
        for member in list(node):
            del node[member]
        node.attrs.clear()
        if fill == "member":
            node.zeros("other", shape=3)
        elif fill == "attrs":
            node.attrs["keep"] = 1
        elif fill == "table":
            zarr.from_pandas(pd.DataFrame(), where, name=name, mode="w")
        elif name:
            del root[name]
            root.zeros(name, shape=3)
        elif how == "path":
            zarr.open(path, mode="w", shape=3)
        else:
            continue
        before = snapshot(root.store if memory else str(tmp_path))
        error = zarr.ContainsArrayError if fill == "array" else zarr.ContainsGroupError
        with pytest.raises(error, match="mode 'w-'"):
            zarr.from_pandas(df, where, name=name)
        assert snapshot(root.store if memory else str(tmp_path)) == before
    # 'w' replaces it; an empty group is written into.
    t = zarr.from_pandas(df, where, name=name, mode="w")
    assert_frame_equal(t.to_pandas(), df)
    if name:
        del root[name]
        root.create_group(name)
    else:
        where = zarr.group() if memory else str(tmp_path / "empty.zarr")
        if how == "group":
            where = zarr.open_group(where, mode="w")
        elif how == "store":
            where = where.store
    assert_frame_equal(zarr.from_pandas(df, where, name=name).to_pandas(), df)


def test_a_table_made_meanwhile_is_not_replaced(tmp_path, monkeypatch):
    df = pd.DataFrame({"a": [1, 2]})
    for g, name in [(zarr.group(), "t"), (zarr.open_group(tmp_path / "g.zarr", "w"), "t"),
                    (None, None)]:
        where = str(tmp_path / "t.zarr") if g is None else g
        other = pd.DataFrame({"b": [1.5]})

        def meanwhile(tasks, threads=None, real=zarr.table.run_tasks):
            monkeypatch.undo()
            zarr.from_pandas(other, where, name=name)
            real(tasks, threads)

        monkeypatch.setattr(zarr.table, "run_tasks", meanwhile)
        with pytest.raises(zarr.ContainsGroupError, match="meanwhile"):
            zarr.from_pandas(df, where, name=name)
        reopened = zarr.open_table(where) if g is None else zarr.Table(g[name])
        assert_frame_equal(reopened.to_pandas(), other)
    hidden = [n for root, dirs, names in os.walk(str(tmp_path)) for n in dirs + names
              if n.startswith(".") and n not in (".zarray", ".zgroup", ".zattrs")]
    assert hidden == []


def test_tables_at_the_top_of_a_store(monkeypatch):
    df, new = pd.DataFrame({"a": [1, 2]}), pd.DataFrame({"b": [1.5], "c": [True]})
    store = zarr.storage.MemoryStore()
    zarr.from_pandas(df, store)
    assert_frame_equal(zarr.Table(zarr.open_group(store)).to_pandas(), df)
    # A failure while the members are swapped in undoes the moves done.
    before = snapshot(store)
    real, calls = zarr.storage.MemoryStore.rename, []

    def failing(self, source, dest):
        calls.append(source)
        if len(calls) == 2:
            raise OSError("rename failed")
        return real(self, source, dest)

    monkeypatch.setattr(zarr.storage.MemoryStore, "rename", failing)
    with pytest.raises(OSError, match="rename failed"):
        zarr.from_pandas(new, store, mode="w")
    monkeypatch.undo()
    assert snapshot(store) == before
    t = zarr.from_pandas(new, store, mode="w")
    assert_frame_equal(t.to_pandas(), new)
    assert sorted(store) == [".zattrs", ".zgroup", "b/.zarray", "b/.zattrs", "b/0",
                             "c/.zarray", "c/.zattrs", "c/0"]
    # An array at the top is replaced, its chunks too.
    d = {}
    zarr.open(d, mode="w", shape=(4, 4), chunks=(2, 2), dtype="i4")[...] = 1
    zarr.from_pandas(df, d, mode="w")
    assert sorted(d) == [".zattrs", ".zgroup", "a/.zarray", "a/.zattrs", "a/0"]
    assert_frame_equal(zarr.Table(zarr.open_group(d)).to_pandas(), df)


def test_a_name_under_a_path(tmp_path):
    df = pd.DataFrame({"a": [1, 2]})
    t = zarr.from_pandas(df, tmp_path / "g.zarr", name="sub/t")
    assert t.group.name == "/sub/t"
    assert_frame_equal(zarr.Table(zarr.open_group(tmp_path / "g.zarr", "r")["sub/t"])
                       .to_pandas(), df)


def test_one_lock_a_table_however_it_is_opened(tmp_path):
    zarr.from_pandas(pd.DataFrame({"a": [1]}), tmp_path / "t.zarr")
    zarr.from_pandas(pd.DataFrame({"a": [1]}), tmp_path / "u.zarr")
    lock = zarr.table._table_lock
    parent = zarr.open_group(tmp_path, mode="a")
    assert lock(zarr.open_table(tmp_path / "t.zarr").group) is lock(parent["t.zarr"])
    assert lock(zarr.open_group(tmp_path / "t.zarr")) is lock(
        zarr.open_group(str(tmp_path / "t.zarr") + "/"))
    g = zarr.group()
    assert lock(g) is lock(zarr.hierarchy.Group(g._nodes, ""))


def test_a_failed_write_removes_what_it_wrote(monkeypatch):
    df = every_dtype(50)
    g = zarr.group()
    calls = []
    original = zarr.Array.set_basic_selection

    def failing(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 7:
            raise OSError("disk full")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(zarr.Array, "set_basic_selection", failing)
    with pytest.raises(OSError, match="disk full"):
        zarr.from_pandas(df, g, chunks=10, threads=1)
    assert len(g) == 0 and "table" not in g.attrs


# The Table's interface.

def test_columns_rows_and_views(kind, tmp_path):
    df = every_dtype(23).set_axis(pd.Index(np.arange(23) * 10, name="id"))
    t = reopen(zarr.from_pandas(df, make_target(kind, tmp_path), chunks=4), kind, tmp_path)
    for rows in (slice(None), slice(3, 17), slice(-5, None), slice(None, 4), slice(1, 22, 5),
                 slice(None, None, -1), slice(20, 3, -4), slice(30, 40), slice(-100, 2)):
        assert_frame_equal(t[rows], df.iloc[rows])
        assert_frame_equal(t.to_pandas(rows=rows, columns=["cat", "f8"]),
                           df.iloc[rows][["cat", "f8"]])
    view = t[["tz", "Int64", "str"]]
    assert isinstance(view, zarr.Table) and view.columns == ["tz", "Int64", "str"]
    assert view.shape == (23, 3) and "tz" in view and "f8" not in view and "f8" in t
    assert_frame_equal(view.to_pandas(), df[["tz", "Int64", "str"]])
    assert_frame_equal(view[2:9], df[["tz", "Int64", "str"]].iloc[2:9])
    assert_frame_equal(view[["str"]].to_pandas(), df[["str"]])
    assert_frame_equal(t[[]].to_pandas(), df[[]])
    with pytest.raises(KeyError):
        view[["f8"]]
    with pytest.raises(KeyError):
        t["nope"]
    with pytest.raises(ValueError, match="twice"):
        t[["f8", "f8"]]
    assert_frame_equal(t.to_pandas(rows=[1, 2]), df.iloc[[1, 2]])
    with pytest.raises(TypeError, match="slice"):
        t.to_pandas(rows=2)
    assert list(t) == list(df.columns)
    assert_index_equal(t.index, df.index)
    # t[label]: the array as stored.
    np.testing.assert_array_equal(t["f8"][...], df["f8"].to_numpy())
    assert t["cat"][...].tolist() == df["cat"].cat.codes.tolist()
    unit = df["tz"].dtype.unit
    assert t["tz"].dtype == np.dtype("M8[%s]" % unit)
    assert repr(t).startswith("zarr.Table(23 rows, %d columns: 'i1' int8, 'i8' int64"
                              % df.shape[1])
    assert "'tz' datetime64[%s, Europe/Paris]" % unit in repr(t[["tz"]])


def test_empty_row_selections_are_empty_tables_as_pandas(kind, tmp_path):
    df = every_dtype(7)
    t = reopen(zarr.from_pandas(df, make_target(kind, tmp_path), chunks=4), kind, tmp_path)
    for rows in ([], np.array([], int), np.array([], np.uint8), [False] * 7,
                 np.zeros(7, bool), slice(3, 3)):
        assert_frame_equal(t.iloc[rows], df.iloc[rows])
        assert_frame_equal(t.to_pandas(rows=rows), df.iloc[rows])
    for rows in ([7], [True] * 6, np.array([], bool)):
        with pytest.raises(IndexError):
            df.iloc[rows]
        with pytest.raises(IndexError):
            t.iloc[rows]


def test_from_group(kind, tmp_path):
    g = zarr.group() if kind == "memory" else zarr.open_group(tmp_path / "g.zarr", "w")
    g.array("a", np.arange(5), chunks=2)
    g.array("v", np.arange(10.0).reshape(5, 2), chunks=(2, 2))
    g.array("s", np.array(list("abcde"), dtype=object), object_codec="vlen-utf8")
    t = zarr.Table.from_group(g, ["s", "a", "v"])
    if kind == "directory":
        t = zarr.Table(zarr.open_group(tmp_path / "g.zarr", "r+"))
    assert t.names == t.columns == ["s", "a", "v"] and len(t) == 5
    assert t.column("v")[...].tolist() == np.arange(10.0).reshape(5, 2).tolist()
    expected = pd.DataFrame({"s": pd.Series(list("abcde"), dtype=object), "a": np.arange(5)})
    assert_frame_equal(t[["s", "a"]].to_pandas(), expected)
    assert_frame_equal(t[["s", "a"]][1:4], expected.iloc[1:4])
    with pytest.raises(TypeError, match="column 'v' has rows of shape \\(2,\\)"):
        t.to_pandas()
    with pytest.raises(TypeError, match="shape"):
        t.append(expected.assign(v=1.0))
    assert len(t) == 5 and t.column("a").shape == (5,)
    assert sorted(zarr.Table.from_group(g).names) == ["a", "s", "v"]
    g.array("short", np.arange(3))
    with pytest.raises(ValueError, match="differ in length"):
        zarr.Table.from_group(g, ["a", "short"])


def test_read_only(tmp_path):
    df = pd.DataFrame({"a": [1, 2]})
    path = tmp_path / "t.zarr"
    zarr.from_pandas(df, path)
    t = zarr.open_table(path)
    assert t.read_only
    with pytest.raises(zarr.ReadOnlyError):
        t.append(df)
    with pytest.raises(zarr.ReadOnlyError):
        t["a"][0] = 5
    assert_frame_equal(zarr.Table(path, mode="r").to_pandas(), df)
    assert_frame_equal(t.to_pandas(), df)
    t = zarr.Table(path, mode="r+")
    t.append(df)
    assert len(zarr.open_table(path)) == 4
    with pytest.raises(ValueError, match="mode"):
        zarr.Table(path, mode="w")
    with pytest.raises(ValueError, match="no table"):
        zarr.Table(zarr.group())
    with pytest.raises(FileNotFoundError):
        zarr.open_table(tmp_path / "missing")


def test_pandas_is_needed_only_by_tables():
    code = ("import sys; sys.modules['pandas'] = None; import zarr; "
            "g = zarr.group(); g.zeros('x', shape=3)\n"
            "try:\n    zarr.from_pandas(None, g)\nexcept ImportError as e:\n    print(e)")
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert "zarr tables need pandas" in out


# Appending.

def test_append_equals_concat(kind, tmp_path):
    df = every_dtype(13)
    t = zarr.from_pandas(df.iloc[:5], make_target(kind, tmp_path), chunks=4)
    expected = df.iloc[:5]
    for part in (df.iloc[5:6], df.iloc[6:6], df.iloc[6:13], df.iloc[::-1]):
        t.append(part)
        expected = pd.concat([expected, part])
        assert_frame_equal(reopen(t, kind, tmp_path).to_pandas(), expected)
    assert len(t) == len(expected)


def test_append_columns_in_another_order_and_safe_casts(kind, tmp_path):
    df = pd.DataFrame({"a": np.arange(3, dtype="i8"), "b": np.ones(3), "c": ["x", "y", "z"]})
    t = zarr.from_pandas(df, make_target(kind, tmp_path), chunks=2)
    more = pd.DataFrame({"c": ["w"], "b": np.array([2], "i4"), "a": np.array([7], "u1")},
                        index=[3])
    t.append(more)
    expected = pd.concat([df, more[["a", "b", "c"]].astype({"a": "i8", "b": "f8"})])
    assert_frame_equal(reopen(t, kind, tmp_path).to_pandas(), expected)


def test_append_keeps_ranges_and_stores_other_indexes(kind, tmp_path):
    df = pd.DataFrame({"a": np.arange(4.0)})
    t = zarr.from_pandas(df, make_target(kind, tmp_path), chunks=3)
    t.append(df.set_axis(range(4, 8)))
    assert t.group.attrs["table"]["index"]["kind"] == "range"
    t.append(df)  # 0..3 again: the index becomes an array
    expected = pd.concat([df, df.set_axis(range(4, 8)), df])
    assert_frame_equal(reopen(t, kind, tmp_path).to_pandas(), expected)
    assert "__index_level_0__" in t.group
    t.append(df.set_axis(pd.Index([-1, 5, 5, 9])))
    expected = pd.concat([expected, df.set_axis(pd.Index([-1, 5, 5, 9]))])
    assert_frame_equal(reopen(t, kind, tmp_path).to_pandas(), expected)


def test_append_other_objects_to_strings(kind, tmp_path):
    df = pd.DataFrame({"s": pd.Series(["a", "b", "c"], dtype=object), "x": [1, 2, 3]}) \
        .set_axis(pd.Index(["i", "j", "k"], dtype=object))
    t = zarr.from_pandas(df, make_target(kind, tmp_path), chunks=2)
    assert t.group.attrs["table"]["specs"][0]["codec"] == "vlen-utf8"
    more = pd.DataFrame({"s": pd.Series([None, 5, "e"], dtype=object), "x": [4, 5, 6]}) \
        .set_axis(pd.Index([None, "l", "m"], dtype=object))
    t.append(more)  # the strings' arrays are rewritten as msgpack2
    r = reopen(t, kind, tmp_path)

    def concat(*frames):  # pandas' concat makes a str index of object ones; a table keeps them
        return pd.concat(frames).set_axis(pd.Index(sum((f.index.tolist() for f in frames), []),
                                                   dtype=object))
    assert_frame_equal(r.to_pandas(), concat(df, more))
    assert sorted(t.group) == ["__index_level_0___msgpack2", "s_msgpack2", "x"]
    assert t["s"].dtype == object and r.group.attrs["table"]["specs"][0]["codec"] == "msgpack2"
    t.append(df)
    assert_frame_equal(reopen(t, kind, tmp_path).to_pandas(), concat(df, more, df))


def test_append_to_stored_indexes(kind, tmp_path):
    for index, more in [
            (pd.Index(["a", "b"], name="k"), pd.Index(["c"], name="k")),
            (pd.date_range("2000", periods=3, freq="D", name="d"),
             pd.date_range("2000-01-04", periods=2, freq="D", name="d")),
            (pd.date_range("2000", periods=3, freq="D"), pd.date_range("2001", periods=2)),
            (pd.MultiIndex.from_arrays([["a", "b"], [1, 2]], names=["x", "y"]),
             pd.MultiIndex.from_arrays([["c"], [3]], names=["x", "y"])),
            (pd.MultiIndex.from_arrays([["a", "b"], pd.date_range("2000", periods=2)]),
             pd.MultiIndex.from_arrays([["c"], pd.date_range("2000-01-03", periods=1)])),
            (pd.MultiIndex.from_arrays([["a", "b"], pd.date_range("2000", periods=2)]),
             pd.MultiIndex.from_arrays([["c"], pd.date_range("2000-01-05", periods=1)]))]:
        df = pd.DataFrame({"v": np.arange(len(index))}, index=index)
        add = pd.DataFrame({"v": np.arange(len(more))}, index=more)
        t = zarr.from_pandas(df, make_target(kind, tmp_path), chunks=2, mode="w")
        t.append(add)
        assert_frame_equal(reopen(t, kind, tmp_path).to_pandas(), pd.concat([df, add]))


def test_append_mismatches_raise_and_change_nothing(kind, tmp_path):
    df = every_dtype(6)
    t = zarr.from_pandas(df, make_target(kind, tmp_path), chunks=4)
    before, members = arrays_of(t.group), sorted(t.group)
    attrs = t.group.attrs.asdict()
    cases = [
        (df.drop(columns="f8"), ValueError, "lack the columns \\['f8'\\]"),
        (df.assign(extra=1), ValueError, "'extra'"),
        (df.astype({"i8": "f8"}), TypeError, "column 'i8': rows of dtype float64"),
        (df.astype({"f8": "str"}), TypeError, "column 'f8'"),
        (df.assign(u8=np.arange(6)), TypeError, "column 'u8'"),
        (df.astype({"b": "i8"}), TypeError, "column 'b'"),
        (df.astype({"M8[ns]": "M8[s]"}), TypeError, "column 'M8\\[ns\\]'"),
        (df.assign(tz=df["tz"].dt.tz_convert("UTC")), TypeError, "column 'tz'"),
        (df.assign(cat=df["cat"].cat.add_categories("new")), TypeError, "column 'cat'"),
        (df.assign(**{"cat ordered": df["cat ordered"].cat.as_unordered()}), TypeError,
         "cat ordered"),
        (df.astype({"Int64": "Int32"}), TypeError, "column 'Int64'"),
        (df.astype({"str": "string"}), TypeError, "column 'str'"),
        (df.assign(**{"o mixed": [decimal.Decimal(0)] * 6}), TypeError, "Decimal"),
        (df.set_axis(list("abcdef")), TypeError, "the index"),
        (df.rename_axis("named"), ValueError, "index names"),
        (df.set_axis(range(df.shape[1]), axis=1), ValueError, "lack the columns"),
    ]
    for bad, error, words in cases:
        with pytest.raises(error, match=words):
            t.append(bad)
        assert arrays_of(t.group) == before and sorted(t.group) == members
        assert t.group.attrs.asdict() == attrs
    assert_frame_equal(reopen(t, kind, tmp_path).to_pandas(), df)
    with pytest.raises(ValueError, match="whole table"):
        t[["f8"]].append(df[["f8"]])


def test_a_failed_append_cuts_every_column_back(kind, tmp_path, monkeypatch):
    df = every_dtype(10).set_axis(pd.Index(np.arange(10) * 2))
    t = zarr.from_pandas(df, make_target(kind, tmp_path), chunks=4)
    before, attrs = arrays_of(t.group), t.group.attrs.asdict()
    shapes = {name: z.shape for name, z in t.group.arrays()}
    calls = []
    original = zarr.Array.set_basic_selection

    def failing(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 12:
            raise OSError("disk full")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(zarr.Array, "set_basic_selection", failing)
    with pytest.raises(OSError, match="disk full"):
        t.append(df.set_axis(pd.Index(np.arange(10) + 100)), threads=1)
    monkeypatch.undo()
    assert len(calls) == 12
    assert {name: z.shape for name, z in t.group.arrays()} == shapes
    assert arrays_of(t.group) == before and t.group.attrs.asdict() == attrs
    assert_frame_equal(reopen(t, kind, tmp_path).to_pandas(), df)
    # A failure while the RangeIndex becomes an array removes that array too.
    t = zarr.from_pandas(df.reset_index(drop=True), make_target(kind, tmp_path), chunks=4,
                         mode="w")
    calls.clear()
    monkeypatch.setattr(zarr.Array, "set_basic_selection", failing)
    with pytest.raises(OSError):
        t.append(df, threads=1)
    monkeypatch.undo()
    assert "__index_level_0__" not in t.group
    assert_frame_equal(reopen(t, kind, tmp_path).to_pandas(), df.reset_index(drop=True))
    # And while strings become msgpack2: the new array goes, the old one stays.
    before, members = arrays_of(t.group), sorted(t.group)
    calls.clear()
    monkeypatch.setattr(zarr.Array, "set_basic_selection", failing)
    with pytest.raises(OSError):
        t.append(df.reset_index(drop=True).assign(**{"o str": None}).set_axis(range(10, 20)),
                 threads=1)
    monkeypatch.undo()
    assert sorted(t.group) == members and arrays_of(t.group) == before


def test_reads_and_writes_in_parallel_give_the_same():
    df = every_dtype(1000)
    one = zarr.from_pandas(df, zarr.group(), chunks=7, threads=1)
    many = zarr.from_pandas(df, zarr.group(), chunks=7, threads=4)
    assert arrays_of(one.group) == arrays_of(many.group)
    assert_frame_equal(many.to_pandas(threads=3), one.to_pandas(threads=1))


# Properties, with pandas as the oracle.

def frames(draw, n):
    ints = draw(st.lists(st.integers(-2**63, 2**63 - 1), min_size=n, max_size=n))
    floats = draw(st.lists(st.floats(), min_size=n, max_size=n))
    text = draw(st.lists(st.text(max_size=5), min_size=n, max_size=n))
    maybe = draw(st.lists(st.none() | st.text(max_size=3), min_size=n, max_size=n))
    nullable = draw(st.lists(st.none() | st.integers(-5, 5), min_size=n, max_size=n))
    cats = draw(st.lists(st.sampled_from(["p", "q", None]), min_size=n, max_size=n))
    mixed = draw(st.lists(st.none() | st.booleans() | st.integers(-2**63, 2**64 - 1)
                          | st.floats() | st.binary(max_size=3) | st.text(max_size=3),
                          min_size=n, max_size=n))
    return pd.DataFrame({"i": np.array(ints, "i8"), "f": np.array(floats, "f8"),
                         "t": pd.Series(text, dtype=object), "s": pd.Series(maybe, dtype="str"),
                         "n": pd.array(nullable, dtype="Int64"),
                         "c": pd.Categorical(cats, categories=["q", "p"]),
                         "m": pd.Series(mixed, dtype=object)})


@given(st.data(), st.integers(0, 30), st.integers(1, 8))
def test_round_trip_and_slices_property(data, n, chunks):
    df = frames(data.draw, n)
    t = zarr.from_pandas(df, zarr.group(), chunks=chunks)
    assert_frame_equal(t.to_pandas(), df)
    rows = slice(data.draw(st.none() | st.integers(-40, 40)),
                 data.draw(st.none() | st.integers(-40, 40)),
                 data.draw(st.none() | st.integers(-5, 5).filter(bool)))
    cols = data.draw(st.permutations(list(df.columns)))[:data.draw(st.integers(0, 7))]
    assert_frame_equal(t.to_pandas(rows=rows, columns=cols), df.iloc[rows][cols])


@given(st.data(), st.lists(st.integers(0, 9), min_size=1, max_size=4), st.integers(1, 6))
def test_appends_equal_concat_property(data, sizes, chunks):
    parts = []
    start = 0
    for n in sizes:
        df = frames(data.draw, n)
        if data.draw(st.booleans()):  # another part of the range, or an index of its own
            df.index = pd.RangeIndex(start, start + n)
        else:
            df.index = pd.Index(data.draw(st.lists(st.integers(-3, 3), min_size=n, max_size=n)),
                                dtype="i8")
        start += n
        parts.append(df)
    t = zarr.from_pandas(parts[0], zarr.group(), chunks=chunks)
    for part in parts[1:]:
        t.append(part)
    assert_frame_equal(t.to_pandas(), pd.concat(parts))


ranges = st.builds(lambda start, n, step: pd.RangeIndex(start, start + n * step, step),
                   st.integers(-5, 5), st.integers(0, 4), st.integers(-3, 3).filter(bool))


@given(ranges, ranges)
def test_range_append_is_pandas_concat(a, b):
    expected = pd.concat([pd.Series(0, index=a), pd.Series(0, index=b)]).index
    got = range_append(a.start, a.step, len(a), b)
    assert (got is not None) == isinstance(expected, pd.RangeIndex)
    if got is not None:
        start, step = got
        assert list(range(start, start + step * len(expected), step)) == list(expected)


@pytest.mark.parametrize("how", ["path", "group", "named", "memory", "memory-named"])
def test_a_failed_replacing_write_keeps_the_old_table(tmp_path, monkeypatch, how):
    old = pd.DataFrame({"a": np.arange(10), "s": list("abcdefghij")})
    new = pd.DataFrame({"b": np.arange(5.0)})
    path = str(tmp_path / "t.zarr")
    if how == "path":
        where, name = path, None
    elif how in ("group", "named"):
        where, name = zarr.open_group(path, mode="w"), ("sub/t" if how == "named" else None)
    else:
        where, name = zarr.group(), ("t" if how == "memory-named" else None)
    zarr.from_pandas(old, where, name=name)

    def reopen():
        if how == "path":
            return zarr.open_table(path)
        return zarr.Table(where[name] if name else where)

    def failing(tasks, threads=None):
        raise RuntimeError("disk full")

    before = snapshot(where.store if how in ("memory", "memory-named") else str(tmp_path))
    monkeypatch.setattr(zarr.table, "run_tasks", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        zarr.from_pandas(new, where, name=name, mode="w")
    monkeypatch.undo()
    pd.testing.assert_frame_equal(reopen().to_pandas(), old)
    assert snapshot(where.store if how in ("memory", "memory-named") else str(tmp_path)) \
        == before
    if how not in ("memory", "memory-named"):
        hidden = [n for root, dirs, names in os.walk(str(tmp_path)) for n in dirs + names
                  if n.startswith(".") and n not in (".zarray", ".zgroup", ".zattrs")]
        assert hidden == []
    # And a write that succeeds replaces it.
    zarr.from_pandas(new, where, name=name, mode="w")
    pd.testing.assert_frame_equal(reopen().to_pandas(), new)


def test_from_pandas_refuses_a_read_only_group(tmp_path):
    path = str(tmp_path / "t.zarr")
    zarr.from_pandas(pd.DataFrame({"a": [1, 2]}), path)
    with pytest.raises(zarr.ReadOnlyError):
        zarr.from_pandas(pd.DataFrame({"b": [1.0]}), zarr.open_group(path, mode="r"))
    pd.testing.assert_frame_equal(zarr.open_table(path).to_pandas(), pd.DataFrame({"a": [1, 2]}))


@pytest.mark.parametrize("where", ["memory", "directory"])
def test_appends_from_threads_all_land(tmp_path, where):
    target = zarr.group() if where == "memory" else str(tmp_path / "t.zarr")
    t = zarr.from_pandas(pd.DataFrame({"a": [0], "b": [0.0]}), target, chunks=3)

    def work(k):
        for i in range(10):
            t.append(pd.DataFrame({"a": [k * 100 + i], "b": [float(k)]}, index=[0]))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    got = t.to_pandas()
    assert len(got) == 41
    assert sorted(got["a"].tolist()) == sorted([0] + [k * 100 + i for k in range(4)
                                                      for i in range(10)])


def test_appending_categories_in_another_order_recodes():
    t = zarr.from_pandas(pd.DataFrame({"c": pd.Categorical(["a", "b"])}), zarr.group())
    t.append(pd.DataFrame({"c": pd.Categorical(["b", "b", "a"], categories=["b", "a"])},
                          index=[2, 3, 4]))
    assert t.to_pandas()["c"].tolist() == ["a", "b", "b", "b", "a"]


# Rows by position: integer arrays and boolean masks, through advanced indexing.

def test_rows_by_positions_and_masks_are_pandas_iloc():
    df = pd.DataFrame({"a": np.arange(10), "b": list("abcdefghij"),
                       "c": pd.Categorical(list("xyxyxyxyxy"))},
                      index=pd.date_range("2020", periods=10, freq="D", name="when"))
    t = zarr.from_pandas(df, zarr.group(), chunks=3)
    for rows in ([3, 1, 2, -1, 3], np.array([], int), df["a"].values % 3 == 0, [9]):
        pd.testing.assert_frame_equal(t.to_pandas(rows=rows), df.iloc[rows], check_freq=False)
        pd.testing.assert_frame_equal(t.iloc[rows], df.iloc[rows], check_freq=False)
    mask = df["a"].values > 4
    pd.testing.assert_frame_equal(t[mask], df[mask], check_freq=False)
    pd.testing.assert_frame_equal(t[["b"]].iloc[[2, 0]], df[["b"]].iloc[[2, 0]],
                                  check_freq=False)
    t2 = zarr.from_pandas(df.reset_index(drop=True), zarr.group(), chunks=4)
    pd.testing.assert_frame_equal(t2.iloc[[7, 2]], df.reset_index(drop=True).iloc[[7, 2]])
    for bad, error in (([10], IndexError), ([True, False], IndexError), ([1.5], IndexError),
                       (3, TypeError)):
        with pytest.raises(error):
            t.iloc[bad]
