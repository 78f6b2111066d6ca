"""Consolidated metadata: zarr.consolidate_metadata and zarr.open_consolidated
(zarr/consolidated.py), over zarr.storage.ConsolidatedStore."""

import json
import os
import pickle

import numpy as np
import pytest

import zarr
import zarr.consolidated
from arrays import RecordingStore
from trees import snapshot
from zarr.errors import ContainsArrayError, MetadataError, ReadOnlyError
from zarr.storage import ConsolidatedStore, LocalStore, MemoryStore


def build(store):
    """A hierarchy of groups, arrays and attributes in ``store``: the numpy value of
    each array by path, and the attributes of each node by path ('' the root)."""
    g = zarr.open_group(store, mode="w")
    values = {
        "a/x": np.arange(60, dtype="i4").reshape(6, 10),
        "a/b/y": np.linspace(-1, 1, 17),
        "a/b/nested": np.arange(24, dtype="u2").reshape(2, 3, 4),
        "z": np.array(3.5, dtype="f4"),
        "empty": np.zeros((0, 4), dtype="i8"),
        "partial": np.full((7, 5), np.nan),
    }
    g.array("a/x", values["a/x"], chunks=(4, 3))
    g.array("a/b/y", values["a/b/y"], chunks=5, compressor=None)
    g.array("a/b/nested", values["a/b/nested"], chunks=(1, 2, 3), dimension_separator="/")
    g.array("z", values["z"])
    g.array("empty", values["empty"], chunks=(2, 2))
    p = g.full("partial", shape=(7, 5), chunks=(3, 3), fill_value=np.nan, dtype="f8")
    p[:2, :2] = 1.0
    values["partial"][:2, :2] = 1.0
    g.create_group("c/d")
    attrs = {"": {"title": "root", "nan": float("nan")}, "a": {"level": 1},
             "a/x": {"units": "m", "scale": [1, 2]}, "c/d": {"deep": {"k": None}}}
    for path, value in attrs.items():
        (g[path] if path else g).attrs.update(value)
    return values, attrs


def same_attrs(got, want):
    assert json.dumps(got, sort_keys=True) == json.dumps(want, sort_keys=True)


@pytest.fixture
def hierarchy(tmp_path):
    path = str(tmp_path / "h.zarr")
    values, attrs = build(path)
    zarr.consolidate_metadata(path)
    return path, values, attrs


def walk(group, values, attrs):
    """Everything a reader asks of the hierarchy but the data: members, kinds,
    attributes, shapes, dtypes, chunks; checked against what was written."""
    seen = {}
    group.visititems(lambda path, node: seen.__setitem__(path, node))
    assert sorted(p for p, n in seen.items() if isinstance(n, zarr.Group)) == \
        ["a", "a/b", "c", "c/d"]
    assert sorted(p for p, n in seen.items() if not isinstance(n, zarr.Group)) == sorted(values)
    for path, want in values.items():
        z = seen[path]
        assert (z.shape, z.dtype) == (want.shape, want.dtype)
        assert len(z.chunks) == want.ndim
    for path, want in attrs.items():
        same_attrs((seen[path] if path else group).attrs.asdict(), want)
    assert group.group_keys() == ["a", "c"] and "a/b/y" in group and "nope" not in group
    assert group.get("a/nope") is None
    assert seen["a/x"].fill_value == 0 and np.isnan(seen["partial"].fill_value)
    assert "x (6, 10) int32" in str(group.tree())


# Writing .zmetadata.

def test_zmetadata_holds_every_metadata_file_in_zarr_python_layout(hierarchy):
    path, values, attrs = hierarchy
    with open(os.path.join(path, ".zmetadata")) as f:
        doc = json.load(f)
    assert set(doc) == {"zarr_consolidated_format", "metadata"}
    assert doc["zarr_consolidated_format"] == 1
    on_disk = {}
    for root, dirs, names in os.walk(path):
        for name in names:
            if name in (".zarray", ".zgroup", ".zattrs"):
                key = os.path.relpath(os.path.join(root, name), path).replace(os.sep, "/")
                with open(os.path.join(root, name)) as f:
                    on_disk[key] = json.load(f)
    assert sorted(doc["metadata"]) == sorted(on_disk)
    for key, value in on_disk.items():
        assert json.dumps(doc["metadata"][key], sort_keys=True) == \
            json.dumps(value, sort_keys=True), key
    assert "a/x/.zarray" in on_disk and "c/d/.zgroup" in on_disk and "a/x/0.0" not in doc


def test_consolidate_writes_one_key_and_returns_the_group_consolidated(tmp_path):
    store = RecordingStore(MemoryStore())
    values, attrs = build(store)
    store.calls.clear()
    g = zarr.consolidate_metadata(store)
    sets = [call for call in store.calls if call[0] == "set"]
    assert sets == [("set", ".zmetadata")] and store.calls["set", ".zmetadata"] == 1
    assert isinstance(g, zarr.Group) and isinstance(g.store, ConsolidatedStore)
    assert not g.read_only  # mode 'r+': data may be written
    np.testing.assert_array_equal(g["a/x"][...], values["a/x"])
    with pytest.raises(ReadOnlyError):
        g.attrs["new"] = 1


def test_consolidate_a_member_group_with_keys_relative_to_it(tmp_path):
    path = str(tmp_path / "h.zarr")
    values, attrs = build(path)
    zarr.consolidate_metadata(path, path="a")
    assert not os.path.exists(os.path.join(path, ".zmetadata"))
    with open(os.path.join(path, "a", ".zmetadata")) as f:
        keys = sorted(json.load(f)["metadata"])
    assert keys == [".zattrs", ".zgroup", "b/.zgroup", "b/nested/.zarray", "b/nested/.zattrs",
                    "b/y/.zarray", "b/y/.zattrs", "x/.zarray", "x/.zattrs"]
    g = zarr.open_consolidated(path, path="a")
    plain = zarr.open_group(path, path="a", mode="r")
    assert (g.name, g.key_prefix) == (plain.name, plain.key_prefix) == ("/a", "a")
    assert sorted(g) == ["b", "x"]
    np.testing.assert_array_equal(g["b/nested"][...], values["a/b/nested"])
    with pytest.raises(ValueError, match=r"no consolidated metadata \(no \.zmetadata\)"):
        zarr.open_consolidated(path)


def test_consolidate_again_replaces_the_document(hierarchy):
    path, values, attrs = hierarchy
    zarr.open_group(path)["a/x"].attrs["units"] = "km"
    assert zarr.open_consolidated(path)["a/x"].attrs["units"] == "m"  # the old view
    zarr.consolidate_metadata(path)
    assert zarr.open_consolidated(path)["a/x"].attrs["units"] == "km"


# Reading through it.

@pytest.mark.parametrize("kind", ["directory", "dict", "memory"])
def test_arrays_and_attributes_read_as_written(tmp_path, kind):
    store = {"directory": str(tmp_path / "h.zarr"), "dict": {}, "memory": MemoryStore()}[kind]
    values, attrs = build(store)
    zarr.consolidate_metadata(store)
    for mode in ("r", "r+"):
        g = zarr.open_consolidated(store, mode=mode)
        walk(g, values, attrs)
        for path, want in values.items():
            got = g[path][...]
            assert got.dtype == want.dtype
            np.testing.assert_array_equal(got, want)
        np.testing.assert_array_equal(g["a/x"][1:5:2, ::3], values["a/x"][1:5:2, ::3])
        np.testing.assert_array_equal(g["a/x"].oindex[[0, 5], [1, 9]],
                                      values["a/x"][np.ix_([0, 5], [1, 9])])


def test_opening_and_walking_reads_metadata_once(hierarchy):
    path, values, attrs = hierarchy
    store = RecordingStore(LocalStore(path))
    g = zarr.open_consolidated(store)
    walk(g, values, attrs)
    for name in ("a", "c/d"):
        g[name].attrs.asdict()
    assert store.metadata_calls() == {("get", ".zmetadata"): 1}
    # Reading data reads chunks and nothing else.
    store.calls.clear()
    for path, want in values.items():
        np.testing.assert_array_equal(g[path][...], want)
    assert store.metadata_calls() == {}
    assert store.calls and all(call[0] in ("get", "get_ranges") for call in store.calls)


def test_writing_chunks_in_r_plus_reads_no_metadata_after_the_check(hierarchy):
    path, values, attrs = hierarchy
    store = RecordingStore(LocalStore(path))
    g = zarr.open_consolidated(store, mode="r+")
    # The check of mode 'r+': one read of each .zarray, besides .zmetadata.
    assert store.metadata_calls() == dict([(("get", ".zmetadata"), 1)] + [
        (("get", p + "/.zarray"), 1) for p in values])
    store.calls.clear()
    x = g["a/x"]
    x[:, :] = -values["a/x"]
    g["a/b/nested"][1] = 7
    assert store.metadata_calls() == {}
    np.testing.assert_array_equal(zarr.open_group(path, mode="r")["a/x"][...], -values["a/x"])
    want = values["a/b/nested"].copy()
    want[1] = 7
    np.testing.assert_array_equal(zarr.open(path + "/a/b/nested", mode="r")[...], want)


def test_an_array_pickles_with_its_consolidated_view(hierarchy):
    path, values, attrs = hierarchy
    z = zarr.open_consolidated(path)["a/x"]
    copy = pickle.loads(pickle.dumps(z))
    assert isinstance(copy.store, ConsolidatedStore) and copy.mode == "r"
    np.testing.assert_array_equal(copy[...], values["a/x"])


def test_paths_name_the_directories(hierarchy):
    path, values, attrs = hierarchy
    g = zarr.open_consolidated(path)
    assert g.path == path and g["a"].path == os.path.join(path, "a")
    assert g["a/x"].path == os.path.join(path, "a", "x")


def test_a_member_made_after_consolidation_is_not_seen(hierarchy):
    path, values, attrs = hierarchy
    zarr.open_group(path).zeros("later", shape=3)
    g = zarr.open_consolidated(path)
    assert "later" not in g and "later" not in list(g)
    with pytest.raises(KeyError):
        g["later"]


# What each mode refuses.

def metadata_changes(g):
    """Every kind of change of metadata, each a callable."""
    return {
        "set an attribute": lambda: g.attrs.__setitem__("k", 1),
        "remove an attribute": lambda: g.attrs.__delitem__("title"),
        "set an array's attribute": lambda: g["a/x"].attrs.update(k=2),
        "put attributes": lambda: g["a"].attrs.put({}),
        "grow an array": lambda: g["a/x"].resize(12, 10),
        "shrink an array": lambda: g["a/x"].resize(2, 2),
        "append": lambda: g["a/b/y"].append(np.ones(3)),
        "create a group": lambda: g.create_group("new"),
        "require a new group": lambda: g.require_group("a/new"),
        "create an array": lambda: g.zeros("new", shape=3),
        "overwrite an array": lambda: g.array("a/x", np.ones(3), overwrite=True),
        "set a member": lambda: g.__setitem__("z", np.ones(2)),
        "remove an array": lambda: g.__delitem__("a/x"),
        "remove a group": lambda: g.__delitem__("c"),
        "move": lambda: g.move("a/x", "moved"),
        "write .zattrs through the store": lambda: g.store.set("a/.zattrs", b"{}"),
        "delete .zarray through the store": lambda: g.store.delete("a/x/.zarray"),
        "delete the root through the store": lambda: g.store.delete_prefix(""),
    }


def test_r_plus_refuses_every_metadata_change_and_changes_nothing(hierarchy):
    path, values, attrs = hierarchy
    g = zarr.open_consolidated(path, mode="r+")
    before = snapshot(path)
    for what, change in metadata_changes(g).items():
        with pytest.raises(ReadOnlyError, match="consolidated") as info:
            change()
        assert "chunks may be written" in str(info.value) or "read-only" in str(info.value), what
        assert snapshot(path) == before, what
    walk(zarr.open_group(path, mode="r"), values, attrs)


def test_r_refuses_every_change(hierarchy):
    path, values, attrs = hierarchy
    g = zarr.open_consolidated(path)
    assert g.read_only and g["a/x"].mode == "r"
    before = snapshot(path)
    changes = dict(metadata_changes(g))
    changes["write data"] = lambda: g["a/x"].__setitem__(0, 1)
    changes["write a chunk through the store"] = lambda: g.store.set("a/x/0.0", b"x")
    changes["delete a chunk through the store"] = lambda: g.store.delete("a/x/0.0")
    for what, change in changes.items():
        with pytest.raises(ReadOnlyError):
            change()
        assert snapshot(path) == before, what


def test_r_plus_writes_data_where_the_store_has_no_chunk_yet(hierarchy):
    path, values, attrs = hierarchy
    g = zarr.open_consolidated(path, mode="r+")
    z = g["partial"]
    assert z.nchunks_initialized == 1
    z[6, 4] = 2.0
    z[:2, :2] = np.nan
    want = np.full((7, 5), np.nan)
    want[6, 4] = 2.0
    np.testing.assert_array_equal(zarr.open(path + "/partial", mode="r")[...], want)
    assert z.nchunks_initialized == 2


@pytest.mark.parametrize("mode", ["w", "a", "w-", "x"])
def test_other_modes_are_refused(hierarchy, mode):
    path, values, attrs = hierarchy
    before = snapshot(path)
    with pytest.raises(ValueError, match="mode 'r' or 'r\\+'"):
        zarr.open_consolidated(path, mode=mode)
    assert snapshot(path) == before


# Bad input.

def test_no_zmetadata_is_a_value_error(tmp_path):
    path = str(tmp_path / "h.zarr")
    build(path)
    with pytest.raises(ValueError, match=r"no consolidated metadata \(no \.zmetadata\)") as info:
        zarr.open_consolidated(path)
    assert not isinstance(info.value, FileNotFoundError)
    assert path in str(info.value)
    with pytest.raises(ValueError, match="no .zmetadata"):
        zarr.open_consolidated(path, path="a")  # a group without one


@pytest.mark.parametrize("where", ["missing directory", "empty dict", "member"])
def test_nothing_there_is_file_not_found(tmp_path, where):
    if where == "missing directory":
        store, path = str(tmp_path / "nothing.zarr"), None
    elif where == "empty dict":
        store, path = {}, None
    else:
        store, path = str(tmp_path / "h.zarr"), "no/such"
        build(store)
        zarr.consolidate_metadata(store)
    with pytest.raises(FileNotFoundError):
        zarr.open_consolidated(store, path=path)
    if where == "missing directory":
        assert not os.path.exists(store)


def write_zmetadata(path, content):
    with open(os.path.join(path, ".zmetadata"), "wb") as f:
        f.write(content if isinstance(content, bytes) else json.dumps(content).encode())


def current_document(path):
    with open(os.path.join(path, ".zmetadata")) as f:
        return json.load(f)


@pytest.mark.parametrize("content, message", [
    (b"{not json", "not valid JSON"),
    (b"\xff\xfe", "not UTF-8"),
    (b"[" * 100000, "nested too deeply"),
    (b"[]", "expected a JSON object"),
    ({"metadata": {}}, "zarr_consolidated_format None is not supported"),
    ({"zarr_consolidated_format": 2, "metadata": {}}, "zarr_consolidated_format 2 is not"),
    ({"zarr_consolidated_format": True, "metadata": {}}, "zarr_consolidated_format True"),
    ({"zarr_consolidated_format": "1", "metadata": {}}, "zarr_consolidated_format '1'"),
    ({"zarr_consolidated_format": 1}, "'metadata' must be a JSON object"),
    ({"zarr_consolidated_format": 1, "metadata": []}, "'metadata' must be a JSON object"),
    ({"zarr_consolidated_format": 1, "metadata": {".zgroup": [2]}},
     "the document of '.zgroup' must be a JSON object"),
    ({"zarr_consolidated_format": 1, "metadata": {".zgroup": {}, "a/../../x/.zarray": {}}},
     "a component is '..'"),
    ({"zarr_consolidated_format": 1, "metadata": {".zgroup": {}, "/abs/.zarray": {}}},
     "invalid store key"),
    ({"zarr_consolidated_format": 1, "metadata": {".zattrs": {}}}, "no .zgroup"),
])
def test_a_bad_zmetadata_raises_naming_it(hierarchy, content, message):
    path, values, attrs = hierarchy
    write_zmetadata(path, content)
    before = snapshot(path)
    for mode in ("r", "r+"):
        with pytest.raises(MetadataError, match=message) as info:
            zarr.open_consolidated(path, mode=mode)
        assert os.path.join(path, ".zmetadata") in str(info.value)
    assert snapshot(path) == before


def test_a_zmetadata_of_an_array_is_refused(hierarchy):
    path, values, attrs = hierarchy
    x = os.path.join(path, "a", "x")
    with open(os.path.join(x, ".zarray")) as f:
        meta = json.load(f)
    write_zmetadata(x, {"zarr_consolidated_format": 1, "metadata": {".zarray": meta}})
    with pytest.raises(ContainsArrayError, match="an array, not a group"):
        zarr.open_consolidated(x)


def test_a_bad_zarray_inside_is_named_when_its_array_opens(hierarchy):
    path, values, attrs = hierarchy
    doc = current_document(path)
    doc["metadata"]["a/x/.zarray"]["dtype"] = "not a dtype"
    write_zmetadata(path, doc)
    g = zarr.open_consolidated(path)
    np.testing.assert_array_equal(g["a/b/y"][...], values["a/b/y"])
    with pytest.raises(MetadataError, match=r"a/x/\.zarray.*dtype 'not a dtype'"):
        g["a/x"]


def test_unknown_keys_of_the_document_are_ignored(hierarchy):
    path, values, attrs = hierarchy
    doc = current_document(path)
    doc["metadata"]["a/notes.txt"] = "anything"
    doc["extra"] = {"x": 1}
    write_zmetadata(path, doc)
    g = zarr.open_consolidated(path)
    walk(g, values, attrs)


def test_a_stale_zarray_is_reported_in_r_plus_and_used_in_r(hierarchy):
    path, values, attrs = hierarchy
    zarr.open_group(path)["a/x"].resize(3, 10)
    with pytest.raises(MetadataError, match=r"a/x/\.zarray.*disagrees.*\(shape differ\)") as info:
        zarr.open_consolidated(path, mode="r+")
    assert os.path.join(path, "a", "x", ".zarray") in str(info.value)
    # Mode 'r' reads the consolidated view as it is: the shape it holds, the
    # chunks still stored; the rows the resize dropped read as fill values.
    z = zarr.open_consolidated(path)["a/x"]
    assert z.shape == (6, 10)
    want = values["a/x"].copy()
    want[3:] = 0
    np.testing.assert_array_equal(z[...], want)


def test_a_removed_array_is_reported_in_r_plus(hierarchy):
    path, values, attrs = hierarchy
    del zarr.open_group(path)["a/b/y"]
    with pytest.raises(MetadataError, match=r"array at 'a/b/y' whose \.zarray is gone"):
        zarr.open_consolidated(path, mode="r+")
    z = zarr.open_consolidated(path)["a/b/y"]  # the document's view: all fill values
    np.testing.assert_array_equal(z[...], np.zeros(17))


def test_a_zarray_rewritten_in_another_form_but_equal_passes_r_plus(hierarchy):
    path, values, attrs = hierarchy
    key = os.path.join(path, "a", "x", ".zarray")
    with open(key) as f:
        meta = json.load(f)
    with open(key, "w") as f:
        json.dump(dict(reversed(list(meta.items()))), f)  # other order, no indentation
    g = zarr.open_consolidated(path, mode="r+")
    g["a/x"][0, 0] = 5
    assert zarr.open(os.path.dirname(key), mode="r")[0, 0] == 5


def test_consolidating_nothing_or_an_array_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="no group"):
        zarr.consolidate_metadata(str(tmp_path / "nothing.zarr"))
    assert not os.path.exists(tmp_path / "nothing.zarr")
    path = str(tmp_path / "x.zarr")
    zarr.open(path, mode="w", shape=3)
    with pytest.raises(ContainsArrayError, match="an array, not a group"):
        zarr.consolidate_metadata(path)
    assert not os.path.exists(os.path.join(path, ".zmetadata"))


def test_consolidating_a_bad_zarray_writes_nothing(hierarchy):
    path, values, attrs = hierarchy
    with open(os.path.join(path, "a", "b", "y", ".zarray"), "w") as f:
        f.write('{"zarr_format": 2, "shape": [-1]}')
    before = snapshot(path)
    with pytest.raises(MetadataError, match=r"y/\.zarray: missing required key"):
        zarr.consolidate_metadata(path)
    assert snapshot(path) == before


def test_consolidating_more_than_a_metadata_file_may_hold_writes_nothing(hierarchy, monkeypatch):
    path, values, attrs = hierarchy
    monkeypatch.setattr(zarr.consolidated, "MAX_METADATA_SIZE", 1000)
    before = snapshot(path)
    with pytest.raises(MetadataError, match="over the limit of 1000 bytes.*nothing written"):
        zarr.consolidate_metadata(path)
    assert snapshot(path) == before


def test_consolidating_a_read_only_store_is_refused(hierarchy):
    path, values, attrs = hierarchy
    before = snapshot(path)
    with pytest.raises(ReadOnlyError):
        zarr.consolidate_metadata(LocalStore(path, read_only=True))
    assert snapshot(path) == before


# The store itself.

def test_the_store_answers_metadata_from_the_document_only():
    inner = MemoryStore({".zgroup": b'{"zarr_format": 2}', "a/.zattrs": b'{"on": "disk"}',
                         "a/.zgroup": b"{}", "a/stray": b"s", "x/.zarray": b"{}", "x/0": b"c"})
    store = ConsolidatedStore(inner, {".zgroup": b"{}", "a/.zgroup": b"{}", "x/.zarray": b"{}",
                                      "x/.zattrs": b'{"k": 1}'})
    assert ".zattrs" not in store and store.get("a/.zattrs", None) is None
    assert store["x/.zattrs"] == b'{"k": 1}' and store.getsize("x/.zattrs") == 8
    assert store.list_dir("") == [".zgroup", "a", "x"]
    assert store.list_dir("a") == [".zgroup"]  # a group of the hierarchy: the document
    assert store.list_dir("x") == [".zarray", ".zattrs", "0"]
    assert store.list() == sorted([".zgroup", "a/.zgroup", "a/stray", "x/.zarray",
                                   "x/.zattrs", "x/0"])
    assert store.get_ranges("x/.zattrs", [(1, 3)]) == [b'"k"']
    assert store.stamp("x/.zattrs") == b'{"k": 1}' and store.stamp("a/.zattrs") is None
    assert store.read_only


def test_the_store_under_a_root_passes_other_keys_through():
    inner = MemoryStore({"other/.zattrs": b'{"o": 1}', "g/.zgroup": b"{}"})
    store = ConsolidatedStore(inner, {".zgroup": b'{"zarr_format": 2}'}, root="g", writable=True)
    assert store["other/.zattrs"] == b'{"o": 1}' and store["g/.zgroup"] == b'{"zarr_format": 2}'
    store["other/.zattrs"] = b"{}"  # outside the consolidated hierarchy
    assert inner["other/.zattrs"] == b"{}"
    for call in (lambda: store.delete_prefix("g"), lambda: store.delete_prefix(""),
                 lambda: store.rename("g", "h"), lambda: store.set("g/a/.zattrs", b"{}"),
                 lambda: store.set_if_absent("g/.zattrs", b"{}")):
        with pytest.raises(ReadOnlyError, match="consolidated"):
            call()
    store["g/x/0"] = b"chunk"
    assert inner["g/x/0"] == b"chunk"
    store.delete_prefix("g/x")  # no metadata under it
    assert "g/x/0" not in inner


def test_the_store_offers_what_the_inner_one_offers(tmp_path):
    over_dir = ConsolidatedStore(LocalStore(str(tmp_path)), {})
    assert over_dir.file_path("x/0") == os.path.join(str(tmp_path), "x", "0")
    assert over_dir.directory("a") == os.path.join(str(tmp_path), "a")
    over_memory = ConsolidatedStore(MemoryStore(), {})
    for name in ("file_path", "file_prefix", "directory", "list_dir_sizes"):
        assert getattr(over_memory, name, None) is None
    with pytest.raises(TypeError, match="wraps a store"):
        ConsolidatedStore({}, {})
    with pytest.raises(TypeError, match="not bytes"):
        ConsolidatedStore(MemoryStore(), {".zgroup": {}})
