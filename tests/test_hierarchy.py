"""Groups in memory and in directories: members, paths, modes, the files on disk, bad input."""

import json
import os
import pathlib
import pickle
import threading

import numpy as np
import pytest

import zarr
from zarr.core import Array, SynchronizedArray
from zarr.errors import ContainsArrayError, ContainsGroupError, ReadOnlyError
from zarr.persistent import (
    LazyPersistentArray,
    PersistentArray,
    SynchronizedLazyPersistentArray,
    SynchronizedPersistentArray,
)

from threads import run_in_threads
from trees import hidden_leftovers, snapshot

# Helpers.


def describe(group):
    """The whole hierarchy below a group: names, kinds, shapes, dtypes, data, attributes."""
    out = {".attrs": group.attrs.asdict()}
    for name in group:
        member = group[name]
        if isinstance(member, zarr.Group):
            out[name] = describe(member)
        else:
            out[name] = ("array", member.shape, str(member.dtype), member[...].tobytes(),
                         member.attrs.asdict())
    return out


def state(group):
    """What a test compares to say 'nothing changed': the logical hierarchy, and for a
    directory every file's bytes and modification time as well."""
    if group.path is None:
        return describe(group)
    return describe(group), snapshot(group.path)


def zgroup(path):
    with open(os.path.join(path, ".zgroup")) as f:
        return json.load(f)


def check_disk(group):
    """For a directory group: every member group is a subdirectory holding a valid
    .zgroup, every member array one holding .zarray, and no hidden leftovers."""
    if group.path is None:
        return
    assert zgroup(group.path) == {"zarr_format": 2}
    assert not os.path.exists(os.path.join(group.path, ".zarray"))
    assert hidden_leftovers(group.path) == []
    for name in group:
        where = os.path.join(group.path, name)
        assert os.path.isdir(where)
        member = group[name]
        if isinstance(member, zarr.Group):
            assert member.path == where
            check_disk(member)
        else:
            assert member.path == where
            assert os.path.isfile(os.path.join(where, ".zarray"))
            assert not os.path.exists(os.path.join(where, ".zgroup"))


def reopen(group, mode="a"):
    """The same hierarchy opened afresh (a directory), or the group itself (memory)."""
    if group.path is None:
        return group
    return zarr.open_group(group.path, mode=mode)


@pytest.fixture(params=["memory", "directory", "dict", "store-path"])
def g(request, tmp_path):
    """A new group: in memory, in a directory, in a plain dict, and below the
    top of a memory store."""
    if request.param == "memory":
        return zarr.group()
    if request.param == "dict":
        return zarr.open_group({}, mode="w")
    if request.param == "store-path":
        return zarr.open_group(zarr.storage.MemoryStore(), mode="w", path="top/g")
    return zarr.open_group(str(tmp_path / "g.zarr"), mode="w")


@pytest.fixture
def dg(tmp_path):
    """A directory group."""
    return zarr.open_group(str(tmp_path / "g.zarr"), mode="w")


def under(g, path):
    """The name of the node at ``path`` below the group ``g``: its path in the store."""
    return g.name.rstrip("/") + "/" + path


def populate(g):
    """A small hierarchy: x (array), a (group) holding b (group) holding y (array)."""
    x = g.array("x", np.arange(10, dtype="i4"), chunks=3)
    g.create_group("a")
    y = g.zeros("a/b/y", shape=(2, 3), chunks=(1, 2), dtype="f8")
    y[...] = [[1, 2, 3], [4, 5, 6]]
    g.attrs["title"] = "populated"
    return x, y


# A new group.


def test_new_group_is_empty(g):
    assert len(g) == 0
    assert list(g) == [] and g.keys() == []
    assert g.array_keys() == [] and g.group_keys() == []
    assert list(g.arrays()) == [] and list(g.groups()) == []
    assert g.values() == [] and g.items() == []
    assert g.name == "/" + g.key_prefix and g.basename == ""
    assert g.read_only is False
    assert g.attrs.asdict() == {}
    assert "x" not in g
    check_disk(g)


def test_memory_group_has_no_path():
    g = zarr.group()
    assert g.path is None
    assert "members=0" in repr(g)


def test_directory_group_files(tmp_path):
    path = str(tmp_path / "g.zarr")
    g = zarr.open_group(path, mode="w")
    assert g.path == path
    assert sorted(os.listdir(path)) == [".zgroup"]
    with open(os.path.join(path, ".zgroup")) as f:
        text = f.read()
    assert json.loads(text) == {"zarr_format": 2}
    assert repr(g) == "zarr.Group('/', members=0, path=%r)" % path


def test_open_group_takes_path_like(tmp_path):
    g = zarr.open_group(tmp_path / "g.zarr", mode="w")
    assert isinstance(g.path, str)
    g.zeros("x", shape=3)
    assert zarr.open_group(pathlib.Path(g.path), mode="r").keys() == ["x"]


# Making groups.


def test_create_group(g):
    a = g.create_group("a")
    assert isinstance(a, zarr.Group)
    assert a.name == under(g, "a") and a.basename == "a"
    assert "a" in g and len(g) == 1 and g.keys() == ["a"]
    assert g["a"] == a and hash(g["a"]) == hash(a)
    assert len(a) == 0
    check_disk(g)


def test_create_group_nested_makes_what_is_missing(g):
    d = g.create_group("a/b/c/d")
    assert d.name == under(g, "a/b/c/d") and d.basename == "d"
    assert g.keys() == ["a"]
    assert g["a"].keys() == ["b"]
    assert g["a/b"].keys() == ["c"]
    assert g["a/b/c"].keys() == ["d"]
    for path in ["a", "a/b", "a/b/c", "a/b/c/d"]:
        assert path in g
        assert isinstance(g[path], zarr.Group)
        assert g[path].name == under(g, path)
    assert g["a"]["b/c"] == g["a/b/c"]
    assert g["a"]["b"]["c"]["d"] == d
    # A group on the way that already exists keeps its members.
    g.zeros("a/x", shape=2)
    g.create_group("a/e")
    assert g["a"].keys() == ["b", "e", "x"]
    check_disk(g)
    if g.path is not None:
        for path in ["a", "a/b", "a/b/c", "a/b/c/d", "a/e"]:
            assert zgroup(os.path.join(g.path, *path.split("/"))) == {"zarr_format": 2}


def test_create_group_in_a_subgroup(g):
    a = g.create_group("a")
    c = a.create_group("b/c")
    assert c.name == under(g, "a/b/c")
    assert "a/b/c" in g and "b/c" in a
    assert a.keys() == ["b"]
    if g.path is not None:
        assert a.path == os.path.join(g.path, "a")
        assert c.path == os.path.join(g.path, "a", "b", "c")
        assert os.path.isfile(os.path.join(c.path, ".zgroup"))


def test_create_group_where_a_group_is(g):
    a = g.create_group("a")
    a.zeros("x", shape=3)
    before = state(g)
    with pytest.raises(ContainsGroupError, match="/a"):
        g.create_group("a")
    assert state(g) == before
    again = g.create_group("a", overwrite=True)
    assert again.keys() == [] and g.keys() == ["a"]
    check_disk(g)


def test_require_group(g):
    a = g.require_group("a")
    a.zeros("x", shape=3)
    again = g.require_group("a")
    assert again == a and again.keys() == ["x"]
    deep = g.require_group("a/b/c")
    assert deep.name == under(g, "a/b/c")
    assert g["a"].keys() == ["b", "x"]
    p, q = g.require_groups("p", "a")
    assert p.name == under(g, "p") and q == a
    check_disk(g)


# Making arrays.


def test_creation_methods(g):
    z = g.zeros("zeros", shape=(4, 5), chunks=(2, 2), dtype="i4")
    o = g.ones("ones", shape=6, chunks=4, dtype="u1")
    e = g.empty("empty", shape=3, dtype="f4")
    f = g.full("full", shape=(2, 2), fill_value=7.5)
    a = g.array("array", np.arange(12).reshape(3, 4), chunks=(2, 2))
    c = g.create("create", shape=(3,), dtype="i2", chunks=2, fill_value=-1)
    np.testing.assert_array_equal(z[...], np.zeros((4, 5), "i4"))
    assert z.chunks == (2, 2) and z.dtype == np.dtype("i4") and z.fill_value == 0
    np.testing.assert_array_equal(o[...], np.ones(6, "u1"))
    assert o.chunks == (4,) and o.fill_value == 1
    np.testing.assert_array_equal(e[...], np.zeros(3, "f4"))
    assert e.dtype == np.dtype("f4")
    np.testing.assert_array_equal(f[...], np.full((2, 2), 7.5))
    assert f.dtype == np.dtype("f8") and f.fill_value == 7.5
    np.testing.assert_array_equal(a[...], np.arange(12).reshape(3, 4))
    assert a.chunks == (2, 2) and a.dtype == np.arange(1).dtype
    np.testing.assert_array_equal(c[...], [-1, -1, -1])
    assert c.dtype == np.dtype("i2") and c.chunks == (2,)
    # Nothing is written for the arrays made empty.
    assert z.nchunks_initialized == 0 and f.nchunks_initialized == 0
    assert a.nchunks_initialized == 4
    assert g.keys() == ["array", "create", "empty", "full", "ones", "zeros"]
    assert g.array_keys() == g.keys() and g.group_keys() == []
    for name in g:
        assert isinstance(g[name], Array)
    check_disk(g)


def test_zeros_and_ones_take_no_fill_value(g):
    before = state(g)
    with pytest.raises(TypeError, match="fill_value"):
        g.zeros("x", shape=3, fill_value=2)
    with pytest.raises(TypeError, match="fill_value"):
        g.ones("x", shape=3, fill_value=2)
    assert state(g) == before


def test_array_from_lists_and_array_likes(g):
    a = g.array("list", [[1, 2], [3, 4]])
    np.testing.assert_array_equal(a[...], [[1, 2], [3, 4]])
    b = g.array("typed", [1, 2, 3], dtype="f4")
    assert b.dtype == np.dtype("f4")
    source = zarr.array(np.arange(20, dtype="i2"), chunks=7)
    c = g.array("from_zarr", source)
    assert c.chunks == (7,)  # the source's chunks are kept
    np.testing.assert_array_equal(c[...], np.arange(20, dtype="i2"))
    d = g.array("rechunked", source, chunks=5)
    assert d.chunks == (5,)
    np.testing.assert_array_equal(d[...], np.arange(20, dtype="i2"))
    s = g.array("scalar", np.float32(2.5))
    assert s.shape == () and s[...] == np.float32(2.5)


def test_arrays_at_nested_paths_make_their_groups(g):
    x = g.zeros("a/b/x", shape=(3, 3), chunks=2, dtype="i4")
    x[...] = 5
    assert g.keys() == ["a"] and g.group_keys() == ["a"]
    assert g["a"].keys() == ["b"]
    assert g["a/b"].array_keys() == ["x"]
    np.testing.assert_array_equal(g["a/b/x"][...], np.full((3, 3), 5))
    np.testing.assert_array_equal(g["a"]["b/x"][...], np.full((3, 3), 5))
    np.testing.assert_array_equal(g["a"]["b"]["x"][...], np.full((3, 3), 5))
    g["a"].array("b/y", [1, 2])
    assert g["a/b"].keys() == ["x", "y"]
    check_disk(g)


def test_create_where_a_member_is(g):
    g.zeros("x", shape=3)
    g.create_group("grp")
    before = state(g)
    with pytest.raises(ContainsArrayError, match="/x"):
        g.zeros("x", shape=3)
    with pytest.raises(ContainsArrayError):
        g.array("x", [1, 2])
    with pytest.raises(ContainsGroupError, match="/grp"):
        g.create("grp", shape=3)
    with pytest.raises(ContainsGroupError):
        g.array("grp", [1])
    assert state(g) == before
    # FileExistsError is what a caller may catch for either.
    with pytest.raises(FileExistsError):
        g.empty("x", shape=1)


def test_overwrite_replaces_an_array(g):
    x = g.array("x", np.arange(10), chunks=3)
    x.attrs["old"] = True
    new = g.zeros("x", shape=(2, 2), dtype="f4", overwrite=True)
    assert new.shape == (2, 2) and new.dtype == np.dtype("f4")
    again = g["x"]
    assert again.shape == (2, 2)
    np.testing.assert_array_equal(again[...], np.zeros((2, 2)))
    assert dict(again.attrs) == {}
    if g.path is not None:
        # No chunk file of the old array is left.
        assert sorted(os.listdir(os.path.join(g.path, "x"))) == [".zarray", ".zattrs"]
    check_disk(g)


def test_overwrite_replaces_a_group_by_an_array_and_back(g):
    g.zeros("m/inner/deep", shape=2)
    g["m"].attrs["kind"] = "group"
    arr = g.array("m", np.arange(4), overwrite=True)
    np.testing.assert_array_equal(arr[...], np.arange(4))
    assert g.array_keys() == ["m"] and g.group_keys() == []
    assert isinstance(g["m"], Array)
    assert "m/inner" not in g and "m/inner/deep" not in g
    assert dict(g["m"].attrs) == {}
    if g.path is not None:
        assert sorted(os.listdir(os.path.join(g.path, "m"))) == [".zarray", ".zattrs", "0"]
    check_disk(g)
    grp = g.create_group("m", overwrite=True)
    assert isinstance(g["m"], zarr.Group) and grp.keys() == []
    assert g.group_keys() == ["m"] and g.array_keys() == []
    assert dict(g["m"].attrs) == {}
    if g.path is not None:
        assert sorted(os.listdir(os.path.join(g.path, "m"))) == [".zgroup"]
    check_disk(g)


def test_options_are_passed_through(g):
    z = g.create("x", shape=(10, 10), chunks=(3, 4), dtype="i2", cname="zstd", clevel=7,
                 shuffle=2, fill_value=42)
    assert (z.chunks, z.cname, z.clevel, z.shuffle, z.fill_value) == ((3, 4), "zstd", 7, 2, 42)
    z[...] = np.arange(100).reshape(10, 10)
    again = reopen(g)["x"]
    assert (again.chunks, again.cname, again.clevel, again.shuffle, again.fill_value) == \
        ((3, 4), "zstd", 7, 2, 42)
    np.testing.assert_array_equal(again[...], np.arange(100).reshape(10, 10))
    u = g.create("u", shape=4, dtype="f4", cname=None)
    u[...] = 1.5
    assert reopen(g)["u"].cname is None
    np.testing.assert_array_equal(reopen(g)["u"][...], np.full(4, 1.5))


def test_directory_options_are_passed_through(dg):
    z = dg.full("x", shape=(4, 4), fill_value=3, dtype="i2", chunks=2, cname="lz4",
                dimension_separator="/")
    z[:2, :2] = 1
    with open(os.path.join(dg.path, "x", ".zarray")) as f:
        meta = json.load(f)
    assert meta["chunks"] == [2, 2] and meta["fill_value"] == 3
    assert meta["compressor"]["cname"] == "lz4"
    assert meta["dimension_separator"] == "/"
    assert os.path.isfile(os.path.join(dg.path, "x", "0", "0"))
    assert z.dimension_separator == "/"
    again = zarr.open_group(dg.path, mode="r")["x"]
    assert again.dimension_separator == "/"
    expected = np.full((4, 4), 3)
    expected[:2, :2] = 1
    np.testing.assert_array_equal(again[...], expected)
    # A nested chunk directory is not a member.
    assert dg.keys() == ["x"]


def test_group_options_choose_the_kind_of_array(tmp_path):
    assert type(zarr.group().zeros("x", shape=3)) is SynchronizedArray
    plain = zarr.group(synchronized=False).zeros("x", shape=3)
    assert type(plain) is Array
    path = str(tmp_path / "g.zarr")
    assert type(zarr.open_group(path, mode="w").zeros("x", shape=3)) is \
        SynchronizedPersistentArray
    assert type(zarr.open_group(path, synchronized=False)["x"]) is PersistentArray
    assert type(zarr.open_group(path, lazy=True)["x"]) is SynchronizedLazyPersistentArray
    lazy = zarr.open_group(path, lazy=True, synchronized=False)
    assert type(lazy["x"]) is LazyPersistentArray
    assert type(lazy.zeros("y", shape=3)) is LazyPersistentArray


def test_threads_option_is_passed_to_arrays(tmp_path):
    assert zarr.group(threads=2).zeros("x", shape=3).threads == 2
    g = zarr.open_group(str(tmp_path / "g.zarr"), mode="w", threads=3)
    assert g.zeros("x", shape=3).threads == 3
    assert g["x"].threads == 3


def test_memory_group_refuses_directory_options():
    with pytest.raises(TypeError, match="lazy"):
        zarr.group(lazy=True)


def test_bad_array_options_write_nothing(g):
    populate(g)
    before = state(g)
    bad = [dict(cname="nope"), dict(shape=-1), dict(shape=(3, -2)), dict(dtype="nope"),
           dict(chunks=(2, 2)), dict(clevel=99), dict(shuffle=7), dict(fill_value="x"),
           dict(blocksize=-5), dict(bogus=1)]
    for options in bad:
        kwargs = dict(shape=10, dtype="i4")
        kwargs.update(options)
        for name in ["new", "p/q/new", "a/new", "a/b/c/new"]:
            with pytest.raises((TypeError, ValueError)):
                g.create(name, **kwargs)
            assert state(g) == before, (name, options)
            assert "p" not in g and "a/b/c" not in g
    with pytest.raises(ValueError, match="nope"):
        g.zeros("p/new", shape=3, cname="nope")
    with pytest.raises(ValueError):
        g.array("p/new", np.arange(3), cname="nope")
    with pytest.raises(ValueError):
        g.create("x", shape=3, cname="nope", overwrite=True)  # the old array is kept
    assert state(g) == before


def test_bad_directory_options_write_nothing(dg):
    populate(dg)
    before = state(dg)
    with pytest.raises(ValueError, match="dimension_separator"):
        dg.zeros("p/new", shape=3, dimension_separator="-")
    with pytest.raises(ValueError):
        dg.zeros("p/new", shape=3, dtype=object, object_codec="nah")
    assert state(dg) == before


def test_require_array(g):
    x = g.require_array("x", shape=10, dtype="i4", chunks=5)
    x[...] = np.arange(10)
    assert x.chunks == (5,)
    same = g.require_array("x", shape=(10,), dtype="i4")
    np.testing.assert_array_equal(same[...], np.arange(10))
    assert g.require_array("x", shape=10).dtype == np.dtype("i4")
    # A dtype that casts safely to the array's is fine, unless exact.
    assert g.require_array("x", shape=10, dtype="i2").dtype == np.dtype("i4")
    assert g.require_dataset("x", shape=10, dtype="u1").dtype == np.dtype("i4")
    before = state(g)
    with pytest.raises(TypeError, match="dtype"):
        g.require_array("x", shape=10, dtype="f8")
    with pytest.raises(TypeError, match="dtype"):
        g.require_array("x", shape=10, dtype="i8")
    with pytest.raises(TypeError, match="dtype"):
        g.require_array("x", shape=10, dtype="i2", exact=True)
    with pytest.raises(TypeError, match="shape"):
        g.require_array("x", shape=11, dtype="i4")
    with pytest.raises(TypeError, match="shape"):
        g.require_array("x", shape=(10, 1), dtype="i4")
    with pytest.raises(TypeError, match="shape"):
        g.require_dataset("x", shape=9)
    g.create_group("grp")
    with pytest.raises(ContainsGroupError):
        g.require_array("grp", shape=10)
    with pytest.raises(ContainsGroupError):
        g.require_dataset("grp", shape=10)
    assert g.require_array("x", shape=10, dtype="i4", exact=True).dtype == np.dtype("i4")
    g.require_group("grp")
    del g["grp"]
    assert state(g) == before
    # Missing: made, at a nested path too.
    y = g.require_array("p/y", shape=(2, 2), dtype="f4", fill_value=1.5)
    np.testing.assert_array_equal(y[...], np.full((2, 2), 1.5, "f4"))
    assert "p/y" in g
    check_disk(g)


def test_create_dataset_and_require_dataset(g):
    a = g.create_dataset("a", shape=(3, 3), dtype="i4", chunks=2)
    np.testing.assert_array_equal(a[...], np.zeros((3, 3), "i4"))
    assert a.chunks == (2, 2)
    b = g.create_dataset("b", data=np.arange(6).reshape(2, 3), chunks=(1, 3))
    np.testing.assert_array_equal(b[...], np.arange(6).reshape(2, 3))
    assert b.chunks == (1, 3)
    c = g.create_dataset("c", shape=(2, 3), data=np.ones((2, 3)), dtype="f4")
    assert c.dtype == np.dtype("f4")
    np.testing.assert_array_equal(c[...], np.ones((2, 3)))
    before = state(g)
    with pytest.raises(ValueError, match="shape"):
        g.create_dataset("d", shape=(3, 3), data=np.ones((2, 3)))
    with pytest.raises(ContainsArrayError):
        g.create_dataset("a", shape=3)
    assert state(g) == before
    d = g.require_dataset("d/e", shape=4, dtype="u2")
    assert d.shape == (4,) and "d/e" in g
    assert g.require_dataset("d/e", shape=4, dtype="u2").shape == (4,)
    check_disk(g)


def test_setitem(g):
    g["x"] = np.arange(5)
    np.testing.assert_array_equal(g["x"][...], np.arange(5))
    g["x"] = np.ones((2, 2), dtype="f4")  # replaces
    assert g["x"].shape == (2, 2) and g["x"].dtype == np.dtype("f4")
    np.testing.assert_array_equal(g["x"][...], np.ones((2, 2)))
    g["a/b/y"] = [[1, 2], [3, 4]]
    assert g["a/b"].keys() == ["y"]
    np.testing.assert_array_equal(g["a/b/y"][...], [[1, 2], [3, 4]])
    g["a"] = [7]  # a group is replaced by the array
    assert isinstance(g["a"], Array) and g.group_keys() == []
    np.testing.assert_array_equal(g["a"][...], [7])
    check_disk(g)


def test_like_methods(g):
    source = zarr.create((6, 8), dtype="i2", chunks=(3, 4), cname="zstd", clevel=3, shuffle=2,
                         fill_value=9)
    e = g.empty_like("e", source)
    assert (e.shape, e.dtype, e.chunks, e.cname, e.clevel, e.shuffle, e.fill_value) == \
        ((6, 8), np.dtype("i2"), (3, 4), "zstd", 3, 2, 9)
    np.testing.assert_array_equal(e[...], np.full((6, 8), 9))
    z = g.zeros_like("z", source)
    np.testing.assert_array_equal(z[...], np.zeros((6, 8)))
    assert z.chunks == (3, 4) and z.cname == "zstd"
    o = g.ones_like("o", source, chunks=(2, 2))
    np.testing.assert_array_equal(o[...], np.ones((6, 8)))
    assert o.chunks == (2, 2)
    f = g.full_like("f", np.zeros((2, 5), dtype="f4"), 2.5)
    assert f.shape == (2, 5) and f.dtype == np.dtype("f4")
    np.testing.assert_array_equal(f[...], np.full((2, 5), 2.5))
    n = g.zeros_like("nested/n", np.arange(3))
    assert n.shape == (3,) and "nested/n" in g
    before = state(g)
    with pytest.raises(ContainsArrayError):
        g.empty_like("e", source)
    assert state(g) == before
    again = g.ones_like("e", np.zeros(2), overwrite=True)
    np.testing.assert_array_equal(again[...], [1, 1])
    check_disk(g)


def test_zeros_like_and_ones_like_refuse_fill_value_as_zarr_does(g):
    # zarr.zeros_like refuses a fill_value; so does g.zeros: g.zeros_like should too
    # rather than silently dropping it.
    with pytest.raises(TypeError):
        zarr.zeros_like(np.zeros(3), fill_value=5)
    before = state(g)
    with pytest.raises(TypeError, match="fill_value"):
        g.zeros_like("z", np.zeros(3), fill_value=5)
    with pytest.raises(TypeError, match="fill_value"):
        g.ones_like("o", np.zeros(3), fill_value=5)
    assert state(g) == before


# Reading members.


def test_getitem(g):
    x, y = populate(g)
    np.testing.assert_array_equal(g["x"][...], np.arange(10))
    np.testing.assert_array_equal(g["a/b/y"][...], [[1, 2, 3], [4, 5, 6]])
    assert isinstance(g["a"], zarr.Group) and g["a"].name == under(g, "a")
    assert isinstance(g["a/b"], zarr.Group) and g["a/b"].name == under(g, "a/b")
    for missing in ["missing", "a/missing", "a/b/y/z", "x/anything", "a/b/missing/deeper"]:
        with pytest.raises(KeyError):
            g[missing]
        assert g.get(missing) is None
        assert g.get(missing, 5) == 5
        assert missing not in g
    assert g.get("x").shape == (10,)
    assert g.get("a") == g["a"]


def test_contains(g):
    populate(g)
    for name in ["x", "a", "a/b", "a/b/y"]:
        assert name in g
    assert "b" in g["a"] and "b/y" in g["a"] and "y" in g["a/b"]
    for name in ["y", "b", "a/x", "a/b/y/z", "x/y", "A"]:
        assert name not in g


def test_iteration_is_sorted(g):
    for name in ["b", "a", "c", "10", "9", "B", "_", "z.zarr"]:
        if name in ("a", "B"):
            g.create_group(name)
        else:
            g.zeros(name, shape=1)
    expected = sorted(["b", "a", "c", "10", "9", "B", "_", "z.zarr"])
    assert expected == ["10", "9", "B", "_", "a", "b", "c", "z.zarr"]
    assert list(g) == expected and g.keys() == expected
    assert len(g) == 8
    assert g.group_keys() == ["B", "a"]
    assert g.array_keys() == ["10", "9", "_", "b", "c", "z.zarr"]
    assert [name for name, _ in g.arrays()] == g.array_keys()
    assert [name for name, _ in g.groups()] == g.group_keys()
    assert all(isinstance(a, Array) for _, a in g.arrays())
    assert all(isinstance(s, zarr.Group) for _, s in g.groups())
    assert [group.name for _, group in g.groups()] == [under(g, "B"), under(g, "a")]
    assert [name for name, _ in g.items()] == expected
    assert [type(v) is zarr.Group for v in g.values()] == \
        [name in ("a", "B") for name in expected]
    assert reopen(g).keys() == expected


def test_visit_and_visititems(g):
    populate(g)
    g.create_group("c")
    seen = []
    assert g.visit(seen.append) is None
    assert seen == ["a", "a/b", "a/b/y", "c", "x"]
    items = []
    g.visititems(lambda path, member: items.append((path, type(member).__name__ == "Group")))
    assert items == [("a", True), ("a/b", True), ("a/b/y", False), ("c", True), ("x", False)]
    # Paths are relative to the group visited.
    sub = []
    g["a"].visit(sub.append)
    assert sub == ["b", "b/y"]
    # The first value that is not None stops the visit and is returned.
    calls = []

    def find(path):
        calls.append(path)
        return path.upper() if path.endswith("y") else None
    assert g.visit(find) == "A/B/Y"
    assert calls == ["a", "a/b", "a/b/y"]
    found = g.visititems(lambda path, m: m if isinstance(m, Array) else None)
    np.testing.assert_array_equal(found[...], [[1, 2, 3], [4, 5, 6]])
    assert g.visit(lambda path: 0 if path == "c" else None) == 0  # falsy but not None


TREE = """\
/
 ├── a
 │   └── x (2, 3) float32
 ├── b
 │   └── c
 │       └── y (4,) int16
 └── z (3,) int64"""


def test_tree(g):
    assert str(g.tree()) == "/"
    g.zeros("a/x", shape=(2, 3), dtype="f4")
    g.create_group("b")
    g.zeros("b/c/y", shape=4, dtype="i2")
    g.array("z", np.arange(3, dtype="i8"))
    tree = g.tree()
    assert isinstance(tree, str)
    assert str(tree) == TREE
    assert repr(tree) == TREE
    assert str(reopen(g).tree()) == TREE
    assert str(g["b"].tree()) == "b\n └── c\n     └── y (4,) int16"
    assert str(g["b/c"].tree()) == "c\n └── y (4,) int16"
    assert str(g.tree(level=1)) == "/\n ├── a\n ├── b\n └── z (3,) int64"
    assert str(g.tree(level=0)) == "/"
    assert str(g.tree(level=2)) == "\n".join(TREE.splitlines()[:5] + [TREE.splitlines()[-1]])


def test_tree_of_a_scalar_array(g):
    g.array("s", np.float64(1))
    assert str(g.tree()) == "/\n └── s () float64"


def test_group_equality(g):
    a = g.create_group("a")
    assert g["a"] == a and a != g and g["a"] != g.create_group("b")
    assert len({g["a"], a, g["a"]}) == 1
    assert a != "a"
    if g.path is not None:
        # Another opening of the directory is another hierarchy object.
        assert reopen(g)["a"] != a


# Removing.


def test_delitem(g):
    populate(g)
    del g["x"]
    assert "x" not in g and g.keys() == ["a"]
    with pytest.raises(KeyError):
        g["x"]
    del g["a/b/y"]
    assert g["a/b"].keys() == []
    del g["a"]  # a group and all below it
    assert g.keys() == [] and "a/b" not in g
    for missing in ["x", "a", "nope", "a/b"]:
        with pytest.raises(KeyError):
            del g[missing]
    check_disk(g)
    if g.path is not None:
        assert sorted(os.listdir(g.path)) == [".zattrs", ".zgroup"]


def test_delitem_removes_the_files(dg):
    x, _ = populate(dg)
    x_dir = os.path.join(dg.path, "x")
    a_dir = os.path.join(dg.path, "a")
    assert os.path.isdir(x_dir) and os.listdir(x_dir)
    del dg["x"]
    assert not os.path.exists(x_dir)
    del dg["a"]
    assert not os.path.exists(a_dir)
    assert sorted(os.listdir(dg.path)) == [".zattrs", ".zgroup"]
    assert hidden_leftovers(dg.path) == []
    assert zarr.open_group(dg.path, mode="r").keys() == []


def test_delitem_in_a_subgroup(g):
    populate(g)
    g["a"].zeros("z", shape=2)
    del g["a"]["b"]
    assert g["a"].keys() == ["z"]
    assert "a/b" not in g and "a/b/y" not in g
    check_disk(g)


def test_recreate_after_delete(g):
    g.array("x", np.arange(5))
    del g["x"]
    x = g.zeros("x", shape=3)
    np.testing.assert_array_equal(x[...], [0, 0, 0])
    np.testing.assert_array_equal(g["x"][...], [0, 0, 0])
    check_disk(g)


# Moving.


def test_move(g):
    populate(g)
    g.move("x", "renamed")
    assert "x" not in g and g.keys() == ["a", "renamed"]
    np.testing.assert_array_equal(g["renamed"][...], np.arange(10))
    g.move("a", "p/q/moved")  # makes the groups on the way
    assert g.keys() == ["p", "renamed"]
    assert g["p"].keys() == ["q"] and g["p/q"].keys() == ["moved"]
    np.testing.assert_array_equal(g["p/q/moved/b/y"][...], [[1, 2, 3], [4, 5, 6]])
    g.move("p/q/moved/b/y", "y")  # out of nested groups
    assert g.keys() == ["p", "renamed", "y"]
    assert g["p/q/moved/b"].keys() == []
    check_disk(g)
    again = reopen(g)
    assert again.keys() == ["p", "renamed", "y"]
    np.testing.assert_array_equal(again["y"][...], [[1, 2, 3], [4, 5, 6]])


def test_move_in_a_subgroup(g):
    populate(g)
    a = g["a"]
    a.move("b", "c")
    assert a.keys() == ["c"] and "a/c/y" in g and "a/b" not in g
    a.move("c/y", "y")
    assert a.keys() == ["c", "y"]
    check_disk(g)


def test_move_keeps_attributes(g):
    populate(g)
    g["x"].attrs["units"] = "m"
    g["a"].attrs["n"] = 1
    g.move("x", "x2")
    g.move("a", "a2")
    assert g["x2"].attrs.asdict() == {"units": "m"}
    assert g["a2"].attrs.asdict() == {"n": 1}


def test_move_renames_directories(dg):
    populate(dg)
    x_dir = os.path.join(dg.path, "x")
    files = sorted(os.listdir(x_dir))
    dg.move("x", "n/x")
    assert not os.path.exists(x_dir)
    assert sorted(os.listdir(os.path.join(dg.path, "n", "x"))) == files
    assert zgroup(os.path.join(dg.path, "n")) == {"zarr_format": 2}
    dg.move("a", "b")
    assert not os.path.exists(os.path.join(dg.path, "a"))
    assert os.path.isfile(os.path.join(dg.path, "b", "b", "y", ".zarray"))
    assert sorted(os.listdir(dg.path)) == [".zattrs", ".zgroup", "b", "n"]
    assert hidden_leftovers(dg.path) == []


def test_move_refuses_bad_moves(g):
    populate(g)
    g.create_group("empty")
    before = state(g)
    with pytest.raises(KeyError):
        g.move("missing", "somewhere")
    with pytest.raises(ContainsGroupError):
        g.move("x", "a")  # onto an existing group
    with pytest.raises(ContainsArrayError):
        g.move("a", "x")  # onto an existing array
    with pytest.raises(ContainsArrayError):
        g.move("empty", "a/b/y")
    with pytest.raises(ContainsGroupError):
        g.move("x", "empty")
    with pytest.raises(FileExistsError):
        g.move("x", "x")  # onto itself
    with pytest.raises(ValueError, match="itself"):
        g.move("a", "a/inside")
    with pytest.raises(ValueError, match="itself"):
        g.move("a", "a/b/deeper/inside")
    with pytest.raises(ContainsArrayError):
        g.move("empty", "x/inside")  # into an array
    with pytest.raises(ContainsArrayError):
        g.move("empty", "a/b/y/inside")
    assert state(g) == before


# Data in directories.


def test_arrays_keep_their_data_after_reopening(tmp_path):
    path = str(tmp_path / "g.zarr")
    g = zarr.open_group(path, mode="w")
    rng = np.random.default_rng(1)
    data = {
        "ints": rng.integers(-1000, 1000, size=(20, 30)).astype("i4"),
        "sub/floats": rng.random((7, 5, 3)),
        "sub/deep/bools": rng.random(50) > 0.5,
        "sub/deep/text": np.array(["a", "bc", "def"]),
    }
    for name, values in data.items():
        g.array(name, values, chunks=tuple(max(1, n // 3) for n in values.shape))
    g["sub"].attrs["note"] = "kept"
    g.full("filled", shape=(3, 3), fill_value=-7, dtype="i8")
    del g
    for mode in ["r", "r+", "a"]:
        again = zarr.open_group(path, mode=mode)
        assert again.keys() == ["filled", "ints", "sub"]
        for name, values in data.items():
            z = again[name]
            assert z.dtype == values.dtype and z.shape == values.shape
            np.testing.assert_array_equal(z[...], values)
        np.testing.assert_array_equal(again["filled"][...], np.full((3, 3), -7))
        assert again["sub"].attrs["note"] == "kept"
    opened = zarr.open(os.path.join(path, "sub", "floats"), mode="r")
    np.testing.assert_array_equal(opened[...], data["sub/floats"])


def test_writes_through_a_member_are_seen_by_the_group(g):
    x = g.zeros("x", shape=6, chunks=2, dtype="i4")
    x[2:4] = 9
    np.testing.assert_array_equal(g["x"][...], [0, 0, 9, 9, 0, 0])
    g["x"][0] = 1
    np.testing.assert_array_equal(reopen(g)["x"][...], [1, 0, 9, 9, 0, 0])


def test_members_are_only_zarr_directories(dg):
    populate(dg)
    os.mkdir(os.path.join(dg.path, "plain_dir"))
    with open(os.path.join(dg.path, "plain_dir", "file.txt"), "w") as f:
        f.write("not zarr")
    with open(os.path.join(dg.path, "file.txt"), "w") as f:
        f.write("not zarr")
    os.mkdir(os.path.join(dg.path, ".hidden"))
    with open(os.path.join(dg.path, ".hidden", ".zgroup"), "w") as f:
        f.write('{"zarr_format": 2}')
    assert dg.keys() == ["a", "x"] and len(dg) == 2
    assert "plain_dir" not in dg and "file.txt" not in dg
    with pytest.raises(KeyError):
        dg["plain_dir"]


def test_process_sync_lock_directories_are_not_members(tmp_path):
    path = str(tmp_path / "g.zarr")
    g = zarr.open_group(path, mode="w", process_sync=True)
    x = g.zeros("x", shape=10, chunks=2, dtype="i4")
    x[...] = 1
    x.append(np.arange(3))
    assert os.path.isdir(os.path.join(path, "x.sync"))
    assert g.keys() == ["x"]
    g.move("x", "y")
    assert not os.path.exists(os.path.join(path, "x.sync"))
    assert g.keys() == ["y"]
    np.testing.assert_array_equal(g["y"][...], [1] * 10 + [0, 1, 2])
    del g["y"]
    assert sorted(os.listdir(path)) == [".zgroup"]


def test_removing_a_member_keeps_a_member_named_like_its_lock_directory(dg):
    # 'x.sync' is a valid name; removing or moving 'x' must not touch the member 'x.sync'.
    dg.create_group("x.sync").zeros("keep", shape=3)
    dg.zeros("x", shape=3)
    dg.create_group("y.sync")
    dg.zeros("y", shape=3)
    del dg["x"]
    assert dg.keys() == ["x.sync", "y", "y.sync"]
    assert dg["x.sync"].keys() == ["keep"]
    dg.move("y", "w")
    assert dg.keys() == ["w", "x.sync", "y.sync"]


def test_concurrent_creation_in_one_group(g):
    def work(i):
        for j in range(5):
            g.zeros("shared/sub/x%d_%d" % (i, j), shape=4, dtype="i4")[...] = i
            g.require_group("shared/groups/g%d" % i)
    run_in_threads(work, 8)
    assert len(g["shared/sub"]) == 40
    assert g["shared/groups"].keys() == ["g%d" % i for i in range(8)]
    for i in range(8):
        np.testing.assert_array_equal(g["shared/sub/x%d_4" % i][...], [i] * 4)
    check_disk(g)


# Modes of directory groups.


def test_mode_r_reads(tmp_path):
    path = str(tmp_path / "g.zarr")
    populate(zarr.open_group(path, mode="w"))
    g = zarr.open_group(path, mode="r")
    assert g.read_only
    assert g.keys() == ["a", "x"]
    np.testing.assert_array_equal(g["x"][...], np.arange(10))
    assert g["x"].mode == "r" and g["a/b/y"].mode == "r"
    assert g["a"].read_only and g["a/b"].read_only
    assert g.attrs["title"] == "populated"
    assert g.attrs.read_only and g["x"].attrs.read_only and g["a"].attrs.read_only
    assert str(g.tree()).splitlines()[0] == "/"
    assert g.require_group("a") == g["a"]  # existing: nothing to write
    assert g.require_array("x", shape=10).shape == (10,)


MUTATIONS = {
    "create_group": lambda g: g.create_group("new"),
    "create_group_overwrite": lambda g: g.create_group("a", overwrite=True),
    "create_group_existing": lambda g: g.create_group("a"),
    "require_group": lambda g: g.require_group("new"),
    "require_group_nested": lambda g: g.require_group("a/new"),
    "zeros": lambda g: g.zeros("new", shape=3),
    "zeros_overwrite": lambda g: g.zeros("x", shape=3, overwrite=True),
    "ones": lambda g: g.ones("new", shape=3),
    "empty": lambda g: g.empty("new", shape=3),
    "full": lambda g: g.full("new", shape=3, fill_value=1.0),
    "array": lambda g: g.array("new", [1, 2]),
    "create": lambda g: g.create("new", shape=3),
    "require_array": lambda g: g.require_array("new", shape=3),
    "create_dataset": lambda g: g.create_dataset("new", shape=3),
    "create_dataset_data": lambda g: g.create_dataset("new", data=[1, 2]),
    "require_dataset": lambda g: g.require_dataset("new", shape=3),
    "setitem_new": lambda g: g.__setitem__("new", [1, 2, 3]),
    "setitem_existing": lambda g: g.__setitem__("x", np.arange(10)),
    "empty_like": lambda g: g.empty_like("new", np.zeros(3)),
    "zeros_like": lambda g: g.zeros_like("new", np.zeros(3)),
    "ones_like": lambda g: g.ones_like("new", np.zeros(3)),
    "full_like": lambda g: g.full_like("new", np.zeros(3), 2),
    "delitem_array": lambda g: g.__delitem__("x"),
    "delitem_group": lambda g: g.__delitem__("a"),
    "delitem_nested": lambda g: g.__delitem__("a/b/y"),
    "move": lambda g: g.move("x", "moved"),
    "move_nested": lambda g: g.move("a/b", "b"),
    "subgroup_create_group": lambda g: g["a"].create_group("new"),
    "subgroup_zeros": lambda g: g["a"].zeros("new", shape=3),
    "subgroup_delitem": lambda g: g["a"].__delitem__("b"),
    "attrs_set": lambda g: g.attrs.__setitem__("k", 1),
    "attrs_update": lambda g: g.attrs.update(k=1),
    "attrs_del": lambda g: g.attrs.__delitem__("title"),
    "attrs_pop": lambda g: g.attrs.pop("title"),
    "attrs_clear": lambda g: g.attrs.clear(),
    "attrs_put": lambda g: g.attrs.put({"k": 1}),
    "attrs_setdefault": lambda g: g.attrs.setdefault("k", 1),
    "subgroup_attrs_set": lambda g: g["a"].attrs.__setitem__("k", 1),
    "array_attrs_set": lambda g: g["x"].attrs.__setitem__("k", 1),
    "array_write": lambda g: g["x"].__setitem__(0, 5),
    "array_write_all": lambda g: g["x"].__setitem__(Ellipsis, 0),
    "array_resize": lambda g: g["x"].resize(20),
    "array_append": lambda g: g["x"].append(np.arange(3)),
    "nested_array_write": lambda g: g["a/b/y"].__setitem__((0, 0), 1.0),
}


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_mode_r_refuses_every_change(tmp_path, mutation):
    path = str(tmp_path / "g.zarr")
    populate(zarr.open_group(path, mode="w"))
    before = snapshot(path)
    g = zarr.open_group(path, mode="r")
    with pytest.raises(ReadOnlyError):
        MUTATIONS[mutation](g)
    assert snapshot(path) == before
    # The same through zarr.open.
    g = zarr.open(path, mode="r")
    assert isinstance(g, zarr.Group)
    with pytest.raises(ReadOnlyError):
        MUTATIONS[mutation](g)
    assert snapshot(path) == before


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_mode_r_plus_allows_every_change(tmp_path, mutation):
    path = str(tmp_path / "g.zarr")
    populate(zarr.open_group(path, mode="w"))
    g = zarr.open_group(path, mode="r+")
    assert not g.read_only
    if mutation == "create_group_existing":
        with pytest.raises(ContainsGroupError):
            MUTATIONS[mutation](g)
    else:
        MUTATIONS[mutation](g)
    check_disk(zarr.open_group(path, mode="r"))


@pytest.mark.parametrize("mode", ["r", "r+"])
def test_modes_r_and_r_plus_need_a_group(tmp_path, mode):
    path = str(tmp_path / "missing.zarr")
    with pytest.raises(FileNotFoundError, match="zgroup"):
        zarr.open_group(path, mode=mode)
    assert not os.path.exists(path)
    os.mkdir(path)  # an empty directory is not a group either
    with pytest.raises(FileNotFoundError):
        zarr.open_group(path, mode=mode)
    assert os.listdir(path) == []


def test_mode_a_creates_or_opens(tmp_path):
    path = str(tmp_path / "deep" / "g.zarr")
    g = zarr.open_group(path)  # 'a' is the default
    assert zgroup(path) == {"zarr_format": 2}
    populate(g)
    before = snapshot(path)
    again = zarr.open_group(path, mode="a")
    assert again.keys() == ["a", "x"]
    assert snapshot(path) == before  # opening writes nothing
    # An empty existing directory becomes a group.
    empty = str(tmp_path / "empty")
    os.mkdir(empty)
    assert zarr.open_group(empty, mode="a").keys() == []
    assert sorted(os.listdir(empty)) == [".zgroup"]


def test_mode_w_replaces(tmp_path):
    path = str(tmp_path / "g.zarr")
    populate(zarr.open_group(path, mode="w"))
    g = zarr.open_group(path, mode="w")
    assert g.keys() == [] and g.attrs.asdict() == {}
    assert sorted(os.listdir(path)) == [".zgroup"]
    # An array is replaced by a group.
    arr = str(tmp_path / "arr.zarr")
    zarr.open(arr, mode="w", shape=10, chunks=2)[...] = 1
    g = zarr.open_group(arr, mode="w")
    assert sorted(os.listdir(arr)) == [".zgroup"]
    assert isinstance(zarr.open(arr), zarr.Group)


def test_mode_w_refuses_a_directory_that_is_not_zarr(tmp_path):
    path = tmp_path / "precious"
    path.mkdir()
    (path / "thesis.tex").write_text("years of work")
    before = snapshot(str(path))
    with pytest.raises(FileExistsError):
        zarr.open_group(str(path), mode="w")
    assert snapshot(str(path)) == before


def test_mode_w_minus(tmp_path):
    path = str(tmp_path / "g.zarr")
    g = zarr.open_group(path, mode="w-")
    assert zgroup(path) == {"zarr_format": 2}
    populate(g)
    before = snapshot(path)
    with pytest.raises(ContainsGroupError):
        zarr.open_group(path, mode="w-")
    assert snapshot(path) == before
    arr = str(tmp_path / "arr.zarr")
    zarr.open(arr, mode="w", shape=3)
    before = snapshot(arr)
    with pytest.raises(ContainsArrayError):
        zarr.open_group(arr, mode="w-")
    assert snapshot(arr) == before


def test_bad_mode(tmp_path):
    with pytest.raises(ValueError, match="mode"):
        zarr.open_group(str(tmp_path / "g.zarr"), mode="x")
    assert not os.path.exists(tmp_path / "g.zarr")


@pytest.mark.parametrize("mode", ["r", "r+", "a", "w-"])
def test_open_group_on_an_array(tmp_path, mode):
    path = str(tmp_path / "arr.zarr")
    zarr.open(path, mode="w", shape=5, chunks=2)[...] = 3
    before = snapshot(path)
    with pytest.raises(ContainsArrayError):
        zarr.open_group(path, mode=mode)
    assert snapshot(path) == before


@pytest.mark.parametrize("mode", ["a", "w", "w-"])
def test_open_group_on_a_file(tmp_path, mode):
    path = tmp_path / "file"
    path.write_bytes(b"data")
    with pytest.raises(FileExistsError):
        zarr.open_group(str(path), mode=mode)
    assert path.read_bytes() == b"data"


def test_group_function_with_a_path(tmp_path):
    path = str(tmp_path / "g.zarr")
    g = zarr.group(path)
    populate(g)
    assert zarr.group(path).keys() == ["a", "x"]  # mode 'a'
    assert zarr.group(path, overwrite=True).keys() == []  # mode 'w'
    assert zarr.group(path, lazy=True).zeros("l", shape=3).__class__ is \
        SynchronizedLazyPersistentArray


# zarr.open on groups.


@pytest.mark.parametrize("mode", ["r", "r+", "a"])
def test_open_opens_a_group(tmp_path, mode):
    path = str(tmp_path / "g.zarr")
    populate(zarr.open_group(path, mode="w"))
    before = snapshot(path)
    g = zarr.open(path, mode=mode)
    assert isinstance(g, zarr.Group)
    assert g.read_only == (mode == "r")
    assert g.keys() == ["a", "x"]
    np.testing.assert_array_equal(g["x"][...], np.arange(10))
    assert snapshot(path) == before
    # And arrays still open as arrays, in the group or alone.
    z = zarr.open(os.path.join(path, "x"), mode=mode)
    assert isinstance(z, PersistentArray)
    np.testing.assert_array_equal(z[...], np.arange(10))


def test_open_default_mode_opens_a_group(tmp_path):
    path = str(tmp_path / "g.zarr")
    zarr.open_group(path, mode="w").zeros("x", shape=2)
    g = zarr.open(path)
    assert isinstance(g, zarr.Group) and g.keys() == ["x"]


@pytest.mark.parametrize("given", [dict(shape=10), dict(dtype="i4"), dict(chunks=5),
                                   dict(shape=10, dtype="i4", chunks=5)])
@pytest.mark.parametrize("mode", ["r", "r+", "a"])
def test_open_refuses_array_arguments_for_a_group(tmp_path, given, mode):
    path = str(tmp_path / "g.zarr")
    populate(zarr.open_group(path, mode="w"))
    before = snapshot(path)
    with pytest.raises(ContainsGroupError, match="group"):
        zarr.open(path, mode=mode, **given)
    assert snapshot(path) == before


@pytest.mark.parametrize("given", [dict(cname="zstd"), dict(fill_value=3), dict(clevel=1),
                                   dict(shuffle=0)])
def test_open_refuses_compression_arguments_for_a_group(tmp_path, given):
    # An array option given for what is a group is a mistake, as shape is.
    path = str(tmp_path / "g.zarr")
    populate(zarr.open_group(path, mode="w"))
    before = snapshot(path)
    with pytest.raises(ContainsGroupError):
        zarr.open(path, mode="a", **given)
    assert snapshot(path) == before


def test_open_w_minus_on_a_group(tmp_path):
    path = str(tmp_path / "g.zarr")
    populate(zarr.open_group(path, mode="w"))
    before = snapshot(path)
    with pytest.raises(ContainsGroupError):
        zarr.open(path, mode="w-", shape=3)
    assert snapshot(path) == before


def test_open_w_replaces_a_group_by_an_array(tmp_path):
    path = str(tmp_path / "g.zarr")
    populate(zarr.open_group(path, mode="w"))
    z = zarr.open(path, mode="w", shape=4, dtype="i4", chunks=2)
    assert isinstance(z, PersistentArray)
    assert sorted(os.listdir(path)) == [".zarray", ".zattrs"]
    assert isinstance(zarr.open(path), PersistentArray)
    with pytest.raises(ContainsArrayError):
        zarr.open_group(path)


def test_open_without_shape_on_an_empty_path_says_how_to_make_a_group(tmp_path):
    with pytest.raises(TypeError, match="open_group"):
        zarr.open(str(tmp_path / "nothing.zarr"))


# Pickling.


@pytest.mark.parametrize("mode", ["a", "r"])
def test_directory_groups_pickle(tmp_path, mode):
    path = str(tmp_path / "g.zarr")
    populate(zarr.open_group(path, mode="w"))
    g = zarr.open_group(path, mode=mode)
    again = pickle.loads(pickle.dumps(g))
    assert isinstance(again, zarr.Group)
    assert again.path == path and again.read_only == (mode == "r")
    assert again.keys() == ["a", "x"]
    np.testing.assert_array_equal(again["a/b/y"][...], [[1, 2, 3], [4, 5, 6]])
    sub = pickle.loads(pickle.dumps(g["a/b"]))
    assert sub.name == "/a/b" and sub.keys() == ["y"]
    if mode == "r":
        with pytest.raises(ReadOnlyError):
            again.create_group("new")
    else:
        again.create_group("new")
        assert "new" in g


# Bad names.

BAD_NAMES = ["/x", "x/", "/", "", "..", "../x", "a/../b", "a/..", ".", "./x", ".hidden",
             "a/.hidden", ".zarray", "a//b", "a\\b", "..\\x", "a\x00b"]
NOT_STRINGS = [None, 1, b"x", ("a",), 1.0]

NAMED = {
    "create_group": lambda g, n: g.create_group(n),
    "create_group_overwrite": lambda g, n: g.create_group(n, overwrite=True),
    "require_group": lambda g, n: g.require_group(n),
    "require_groups": lambda g, n: g.require_groups(n, "fine"),
    "zeros": lambda g, n: g.zeros(n, shape=3),
    "ones": lambda g, n: g.ones(n, shape=3),
    "empty": lambda g, n: g.empty(n, shape=3),
    "full": lambda g, n: g.full(n, shape=3, fill_value=2),
    "array": lambda g, n: g.array(n, [1, 2, 3]),
    "array_overwrite": lambda g, n: g.array(n, [1, 2, 3], overwrite=True),
    "create": lambda g, n: g.create(n, shape=3),
    "require_array": lambda g, n: g.require_array(n, shape=3),
    "create_dataset": lambda g, n: g.create_dataset(n, data=[1]),
    "require_dataset": lambda g, n: g.require_dataset(n, shape=3),
    "setitem": lambda g, n: g.__setitem__(n, [1, 2]),
    "empty_like": lambda g, n: g.empty_like(n, np.zeros(2)),
    "full_like": lambda g, n: g.full_like(n, np.zeros(2), 1),
    "getitem": lambda g, n: g[n],
    "delitem": lambda g, n: g.__delitem__(n),
    "move_source": lambda g, n: g.move(n, "dest"),
    "move_dest": lambda g, n: g.move("x", n),
    "subgroup_zeros": lambda g, n: g["a"].zeros(n, shape=3),
    "subgroup_create_group": lambda g, n: g["a"].create_group(n),
    "subgroup_getitem": lambda g, n: g["a"][n],
}


@pytest.mark.parametrize("method", sorted(NAMED))
@pytest.mark.parametrize("name", BAD_NAMES, ids=repr)
def test_bad_names_raise_and_write_nothing(g, method, name):
    populate(g)
    before = state(g)
    with pytest.raises(ValueError) as info:
        NAMED[method](g, name)
    message = str(info.value)
    assert "name" in message
    if name:
        assert repr(name) in message
    assert state(g) == before
    assert "fine" not in g and "dest" not in g


@pytest.mark.parametrize("method", sorted(NAMED))
@pytest.mark.parametrize("name", NOT_STRINGS, ids=repr)
def test_names_that_are_not_strings_raise_and_write_nothing(g, method, name):
    populate(g)
    before = state(g)
    with pytest.raises(TypeError, match="must be a string"):
        NAMED[method](g, name)
    assert state(g) == before


@pytest.mark.parametrize("name", BAD_NAMES + NOT_STRINGS, ids=repr)
def test_contains_with_a_bad_name_is_false(g, name):
    populate(g)
    assert (name in g) is False
    assert (name in g["a"]) is False


def test_names_that_escape_the_root_never_reach_outside(tmp_path):
    root = tmp_path / "root"
    g = zarr.open_group(str(root / "g.zarr"), mode="w")
    sub = g.create_group("sub")
    outside_before = sorted(os.listdir(tmp_path))
    for name in ["../escaped", "../../escaped", "a/../../escaped", "/tmp/escaped",
                 "..", "sub/../.."]:
        for make in (lambda n: g.create_group(n), lambda n: sub.zeros(n, shape=2),
                     lambda n: sub.array(n, [1]), lambda n: g.move("sub", n)):
            with pytest.raises(ValueError):
                make(name)
    assert sorted(os.listdir(tmp_path)) == outside_before
    assert sorted(os.listdir(root)) == ["g.zarr"]
    assert g.keys() == ["sub"] and sub.keys() == []
    assert not os.path.exists(os.path.join(os.sep, "tmp", "escaped"))


# Clashes between arrays and groups.


CLASHES = [
    # (what, the error, the call)
    ("group where an array is", ContainsArrayError, lambda g: g.create_group("x")),
    ("require_group where an array is", ContainsArrayError, lambda g: g.require_group("x")),
    ("array where a group is", ContainsGroupError, lambda g: g.zeros("a", shape=3)),
    ("array() where a group is", ContainsGroupError, lambda g: g.array("a", [1])),
    ("require_array where a group is", ContainsGroupError,
     lambda g: g.require_array("a", shape=3)),
    ("array where an array is", ContainsArrayError, lambda g: g.create("x", shape=3)),
    ("group where a group is", ContainsGroupError, lambda g: g.create_group("a")),
    ("group inside an array", ContainsArrayError, lambda g: g.create_group("x/y")),
    ("group deep inside an array", ContainsArrayError, lambda g: g.create_group("x/y/z")),
    ("group inside an array, overwriting", ContainsArrayError,
     lambda g: g.create_group("x/y", overwrite=True)),
    ("require_group inside an array", ContainsArrayError, lambda g: g.require_group("x/y")),
    ("array inside an array", ContainsArrayError, lambda g: g.zeros("x/y", shape=3)),
    ("array() inside an array", ContainsArrayError, lambda g: g.array("x/y", [1, 2])),
    ("array inside an array, overwriting", ContainsArrayError,
     lambda g: g.zeros("x/y", shape=3, overwrite=True)),
    ("setitem inside an array", ContainsArrayError, lambda g: g.__setitem__("x/y", [1])),
    ("require_array inside an array", ContainsArrayError,
     lambda g: g.require_array("x/y", shape=3)),
    ("array inside a nested array", ContainsArrayError, lambda g: g.zeros("a/b/y/z", shape=3)),
    ("subgroup: array inside an array", ContainsArrayError,
     lambda g: g["a"].zeros("b/y/z", shape=3)),
    ("move into an array", ContainsArrayError, lambda g: g.move("a", "x/a")),
    ("move onto an array", ContainsArrayError, lambda g: g.move("a", "x")),
    ("move onto a group", ContainsGroupError, lambda g: g.move("x", "a")),
    ("move onto a nested array", ContainsArrayError, lambda g: g.move("x", "a/b/y")),
    ("like where a group is", ContainsGroupError, lambda g: g.zeros_like("a", np.zeros(2))),
]


@pytest.mark.parametrize("what, error, call", CLASHES, ids=[c[0] for c in CLASHES])
def test_clashes_raise_and_write_nothing(g, what, error, call):
    populate(g)
    before = state(g)
    with pytest.raises(error):
        call(g)
    assert state(g) == before


def test_clash_errors_are_file_exists_errors_naming_the_member(g):
    populate(g)
    with pytest.raises(FileExistsError) as info:
        g.create_group("x/y")
    assert "/x" in str(info.value)
    with pytest.raises(FileExistsError) as info:
        g.zeros("a", shape=1)
    assert "/a" in str(info.value)


# A failing copy of data.


class FailingData:
    """An array-like whose reads fail after the first ``good`` rows."""

    def __init__(self, n=10, good=4):
        self.shape = (n,)
        self.dtype = np.dtype("i4")
        self.good = good
        self.reads = 0

    def __getitem__(self, key):
        self.reads += 1
        stop = self.shape[0]
        if isinstance(key, slice) and key.stop is not None:
            stop = min(key.stop, stop)
        if stop > self.good:
            raise RuntimeError("read failed")
        return np.arange(self.shape[0], dtype="i4")[key]


@pytest.mark.parametrize("name", ["y", "new/y", "a/new/deeper/y", "a/b/z"])
def test_a_failing_copy_leaves_nothing(g, name):
    populate(g)
    before = state(g)
    data = FailingData()
    with pytest.raises(RuntimeError, match="read failed"):
        g.array(name, data, chunks=2)
    assert data.reads >= 2  # some chunks were written before the failure
    assert name not in g
    assert state(g) == before
    if g.path is not None:
        assert hidden_leftovers(g.path) == []
    with pytest.raises(RuntimeError):
        g[name] = FailingData()
    assert state(g) == before
    # The name is free afterwards.
    np.testing.assert_array_equal(g.array(name, np.arange(3))[...], [0, 1, 2])


def test_a_failing_copy_keeps_the_member_it_would_replace_in_memory():
    g = zarr.group()
    populate(g)
    before = state(g)
    with pytest.raises(RuntimeError):
        g.array("x", FailingData(), chunks=2, overwrite=True)
    with pytest.raises(RuntimeError):
        g["a"] = FailingData()
    assert state(g) == before


@pytest.mark.parametrize("name", ["x", "a"])
def test_a_failing_overwriting_copy_in_a_directory_keeps_the_old_member(dg, name):
    # The new array is written under a hidden name and swapped in only once whole.
    populate(dg)
    before = describe(dg)
    files_before = snapshot(dg.path)
    with pytest.raises(RuntimeError):
        dg.array(name, FailingData(), chunks=2, overwrite=True)
    assert describe(dg) == before
    assert snapshot(dg.path) == files_before
    assert hidden_leftovers(dg.path) == []
    check_disk(dg)


def test_an_overwriting_copy_in_a_directory_swaps_in_whole(dg):
    populate(dg)
    old = dg["x"]
    new = dg.array("x", np.arange(7), chunks=3, overwrite=True)
    assert new.path == os.path.join(dg.path, "x")
    np.testing.assert_array_equal(new[...], np.arange(7))
    np.testing.assert_array_equal(zarr.open(new.path, mode="r")[...], np.arange(7))
    new[0] = 5  # the array returned writes where the member is
    assert dg["x"][0] == 5
    assert old.path == new.path
    assert hidden_leftovers(dg.path) == []
    check_disk(dg)


# Odds and ends.


def test_copy_a_member_into_another(g):
    g.array("x", np.arange(10), chunks=3)
    c = g.array("copy/x", g["x"])
    assert c.chunks == (3,)
    np.testing.assert_array_equal(c[...], np.arange(10))
    g["x"][0] = 99  # a copy, not the same array
    assert g["copy/x"][0] == 0
    check_disk(g)


def test_mode_r_with_process_sync_writes_nothing(tmp_path):
    path = str(tmp_path / "g.zarr")
    populate(zarr.open_group(path, mode="w"))
    before = snapshot(path)
    outside = sorted(os.listdir(tmp_path))
    g = zarr.open_group(path, mode="r", process_sync=True, lazy=True)
    np.testing.assert_array_equal(g["x"][...], np.arange(10))
    g["a/b/y"][...]
    assert snapshot(path) == before
    assert sorted(os.listdir(tmp_path)) == outside


def _stale_reads(sub):
    out = []
    for read in (lambda: list(sub), lambda: len(sub), lambda: sub.keys(),
                 lambda: sub.attrs.asdict(), lambda: str(sub.tree())):
        try:
            out.append(read())
        except KeyError:
            out.append("KeyError")
    return out


def test_a_handle_on_a_removed_group_reads_as_empty_or_raises_key_error(g):
    # After `del g['a']` an old handle on 'a' must not fail with an internal error
    # (AttributeError on None); a directory reads it as an empty group.
    sub = g.create_group("a")
    sub.zeros("z", shape=2)
    sub.attrs["k"] = 1
    del g["a"]
    reads = _stale_reads(sub)
    assert reads[0] in ([], "KeyError") and reads[1] in (0, "KeyError")
    assert reads[3] in ({}, "KeyError")
    assert "z" not in sub


def test_removing_a_linked_member_removes_the_link_alone(tmp_path):
    target = zarr.open(str(tmp_path / "elsewhere.zarr"), mode="w", shape=4, dtype="i4")
    target[...] = [1, 2, 3, 4]
    g = zarr.open_group(str(tmp_path / "g.zarr"), mode="w")
    os.symlink(str(tmp_path / "elsewhere.zarr"), str(tmp_path / "g.zarr" / "link"))
    assert g.array_keys() == ["link"]
    del g["link"]
    assert list(g) == [] and hidden_leftovers(g.path) == []
    np.testing.assert_array_equal(zarr.open(target.path, mode="r")[...], [1, 2, 3, 4])
    os.symlink(str(tmp_path / "elsewhere.zarr"), str(tmp_path / "g.zarr" / "link"))
    g.array("link", np.zeros(2), overwrite=True)  # replaced: the link goes, its target stays
    assert not os.path.islink(os.path.join(g.path, "link"))
    assert hidden_leftovers(g.path) == []
    np.testing.assert_array_equal(zarr.open(target.path, mode="r")[...], [1, 2, 3, 4])


@pytest.mark.parametrize("where", ["memory", "directory"])
def test_two_threads_creating_one_member_do_not_both_succeed(tmp_path, where):
    for trial in range(20):
        if where == "memory":
            g = zarr.group()
        else:
            g = zarr.open_group(str(tmp_path / ("g%d.zarr" % trial)), mode="w")
        barrier = threading.Barrier(2)
        outcomes = []

        def make(value):
            barrier.wait()
            try:
                g.array("a/x", np.full(1000, value), chunks=100)
                outcomes.append(value)
            except FileExistsError:  # ContainsArrayError, or the other's directory
                outcomes.append(None)

        threads = [threading.Thread(target=make, args=(v,)) for v in (1, 2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        made = [v for v in outcomes if v is not None]
        assert len(made) == 1
        np.testing.assert_array_equal(g["a/x"][...], np.full(1000, made[0]))
        assert g.group_keys() == ["a"]
