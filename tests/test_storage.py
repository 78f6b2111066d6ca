"""The store protocol, on every store; what arrays ask of a store."""

import os
import pickle
import threading

import numpy as np
import pytest

import zarr
from arrays import CountingStore
from zarr.errors import ReadOnlyError
from zarr.storage import (ConsolidatedStore, LocalStore, MemoryStore, Store, WrapperStore, as_store,
                          normalize_key)
from zarr.storage import ShardedStore
from zarr.storage.files import PARTIAL_SUFFIX


def _local(tmp_path):
    return LocalStore(str(tmp_path / "store"))


STORES = {
    "memory": lambda tmp_path: MemoryStore(),
    "local": _local,
    "dict": lambda tmp_path: WrapperStore({}),
    "wrapped-local": lambda tmp_path: WrapperStore(_local(tmp_path)),
    # Its metadata is fixed, under 'fixed' only: the other keys are the inner store's.
    "consolidated": lambda tmp_path: ConsolidatedStore(_local(tmp_path), {}, root="fixed",
                                                       writable=True),
    "sharded": lambda tmp_path: ShardedStore(str(tmp_path / "store")),
}


@pytest.fixture(params=list(STORES))
def store(request, tmp_path):
    return STORES[request.param](tmp_path)


def test_values_round_trip(store):
    store["a/b/0.0"] = b"\x00\x01"
    store.set(".zgroup", memoryview(b"{}"))
    store["a/.zattrs"] = bytearray(b"{}")
    assert store["a/b/0.0"] == b"\x00\x01" and bytes(store.get(".zgroup")) == b"{}"
    assert store.getsize("a/b/0.0") == 2
    assert "a/b/0.0" in store and "a/b" not in store and "nothing" not in store
    assert store.list() == [".zgroup", "a/.zattrs", "a/b/0.0"] == sorted(store)
    assert store.list("a") == ["a/.zattrs", "a/b/0.0"] == store.list("a/")
    assert store.list_dir() == [".zgroup", "a"]
    assert store.list_dir("a") == [".zattrs", "b"]
    assert store.list_dir("missing") == []
    store["a/b/0.0"] = b"new"
    assert store["a/b/0.0"] == b"new"
    del store["a/b/0.0"]
    assert "a/b/0.0" not in store


def test_missing_keys_raise_key_error(store):
    for call in (lambda: store["x"], lambda: store.get("x"), lambda: store.getsize("x"),
                 lambda: store.get_ranges("x", [(0, 1)]), lambda: store.delete("x")):
        with pytest.raises(KeyError):
            call()
    assert store.get("x", None) is None


def test_ranges_are_slices_of_the_value(store):
    data = bytes(range(256)) * 4
    store["k"] = data
    assert store.get_ranges("k", [(0, 16), (100, 3), (1020, 10), (2000, 5)]) == \
        [data[:16], data[100:103], data[1020:], b""]


@pytest.mark.parametrize("key", ["", "/a", "a/", "a//b", "../x", "a/../b", "./a", "a/.",
                                 "a\\b", "a\x00b"])
def test_keys_that_escape_raise_before_any_io(store, key, tmp_path):
    before = sorted(os.listdir(tmp_path))
    for call in (lambda: store.get(key), lambda: store.set(key, b"x"),
                 lambda: store.delete(key), lambda: store.getsize(key),
                 lambda: store.get_ranges(key, [(0, 1)])):
        with pytest.raises(ValueError, match="invalid store key"):
            call()
    assert sorted(os.listdir(tmp_path)) == before


def test_keys_that_are_not_strings_raise_type_error(store):
    with pytest.raises(TypeError):
        store.set(("a", "b"), b"x")


@pytest.mark.parametrize("value", [42, "text", [1, 2], None, np.arange(4)[::2]])
def test_values_that_are_not_bytes_raise_type_error_naming_the_key(store, value):
    with pytest.raises(TypeError, match="a/0.0"):
        store.set("a/0.0", value)
    assert "a/0.0" not in store


def test_a_mapping_holding_something_else_than_bytes_is_a_type_error_naming_the_key():
    z = zarr.open(d := {}, mode="w", shape=(4,), chunks=(2,), dtype="i4")
    d["0"] = "not bytes"
    with pytest.raises(TypeError, match="'0'"):
        z[...]
    assert d["0"] == "not bytes"


def test_delete_prefix_and_rename_move_whole_nodes(store):
    for key in ("a/.zarray", "a/0.0", "a/sub/.zgroup", "ab/.zgroup"):
        store[key] = key.encode()
    store.rename("a", "b/c")
    assert store.list() == ["ab/.zgroup", "b/c/.zarray", "b/c/0.0", "b/c/sub/.zgroup"]
    assert store["b/c/0.0"] == b"a/0.0"
    with pytest.raises(KeyError):
        store.rename("a", "x")
    store["x/.zgroup"] = b"{}"
    with pytest.raises(FileExistsError):
        store.rename("b", "x")
    store.delete_prefix("b")
    assert store.list() == ["ab/.zgroup", "x/.zgroup"]
    assert not store.contains_prefix("b") and store.contains_prefix("ab")


def test_set_if_absent_has_one_winner(store):
    wins = []
    barrier = threading.Barrier(8)

    def claim(i):
        barrier.wait()
        if store.set_if_absent("claimed", b"%d" % i):
            wins.append(i)
    threads = [threading.Thread(target=claim, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wins) == 1 and store["claimed"] == b"%d" % wins[0]


def test_read_only_stores_refuse_changes(tmp_path):
    for store in (MemoryStore({"k": b"v"}, read_only=True),
                  LocalStore(str(tmp_path), read_only=True)):
        for call in (lambda: store.set("k", b"x"), lambda: store.delete("k"),
                     lambda: store.delete_prefix("a"), lambda: store.rename("a", "b")):
            with pytest.raises(ReadOnlyError):
                call()
        with pytest.raises(ReadOnlyError):
            store.check_writable("k")
    MemoryStore().check_writable("k")


def test_stores_pickle(store):
    store["a/0"] = b"123"
    back = pickle.loads(pickle.dumps(store))
    assert back["a/0"] == b"123" and type(back) is type(store)


def test_local_store_keeps_its_promises(tmp_path):
    store = LocalStore(str(tmp_path / "s"))
    store["a/0.0"] = b"x" * 100
    # A file of an interrupted write is never a key, nor listed.
    with open(os.path.join(store.root, "a", ".0.1.123.4" + PARTIAL_SUFFIX), "wb") as f:
        f.write(b"torn")
    assert store.list() == ["a/0.0"] and store.list_dir("a") == ["0.0"]
    # Only a missing file is a missing key: a directory in the way is an error.
    os.makedirs(os.path.join(store.root, "a", "dir", "0"))
    with pytest.raises(IsADirectoryError):
        store["a/dir/0"]
    assert store.file_path("a/0.0") == os.path.join(store.root, "a", "0.0")
    assert as_store(store.root) == store and pickle.loads(pickle.dumps(store)) == store
    # A node linked in is removed as the link, not its target.
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep").write_bytes(b"keep")
    os.symlink(str(outside), os.path.join(store.root, "link"))
    store.delete_prefix("link")
    assert (outside / "keep").read_bytes() == b"keep"


def test_as_store_takes_paths_stores_and_mappings(tmp_path):
    assert isinstance(as_store(str(tmp_path)), LocalStore)
    assert isinstance(as_store(tmp_path), LocalStore)
    m = MemoryStore()
    assert as_store(m) is m
    assert isinstance(as_store({}), WrapperStore)
    with pytest.raises(TypeError):
        as_store(42)
    with pytest.raises(ValueError, match="storage_options are for URLs"):
        as_store(str(tmp_path), storage_options={"anon": True})


def test_normalize_key_examples():
    assert normalize_key("g/a/0.0") == "g/a/0.0"
    assert normalize_key(".zarray") == ".zarray"


# What arrays ask of a store.


def test_a_dict_is_a_store():
    d = {}
    z = zarr.open(d, mode="w", shape=(4, 4), chunks=(2, 2), dtype="i4")
    z[:2, :2] = 1
    assert sorted(d) == [".zarray", ".zattrs", "0.0"]
    again = zarr.open(d, mode="r")
    np.testing.assert_array_equal(again[...], np.pad(np.ones((2, 2), "i4"), ((0, 2), (0, 2))))


def test_a_read_of_one_element_asks_only_ranges_of_its_chunk(tmp_path):
    a = np.random.default_rng(1).normal(size=(200, 1000)).cumsum(axis=1)
    store = CountingStore(LocalStore(str(tmp_path / "a.zarr")))
    z = zarr.open(store, mode="w", shape=a.shape, chunks=(200, 1000), blocksize=16384)
    z[...] = a
    size = store.getsize("0.0")
    store.calls.clear()
    assert z[123, 456] == a[123, 456]
    assert store.calls["get"] == 0  # never the whole value
    assert 1 <= store.calls["get_ranges"] <= 2
    assert 0 < store.ranged_bytes < size / 8


def test_a_write_is_one_set_per_chunk_and_the_metadata_only_on_shape_changes(tmp_path):
    store = CountingStore(MemoryStore())
    z = zarr.open(store, mode="w", shape=(100,), chunks=(10,), dtype="i4")
    store.calls.clear()
    z[...] = np.arange(100)
    assert store.calls["set"] == 10
    store.calls.clear()
    z.append(np.arange(5))
    assert store.calls["set"] == 2  # the new chunk and .zarray
    assert sorted(k for k in store if not k.startswith(".")) == sorted(map(str, range(11)))


def test_arrays_and_groups_live_anywhere_in_a_store():
    store = MemoryStore()
    g = zarr.hierarchy.open_group(store, mode="w", path="top")  # zarr.open_group makes parents
    g.zeros("x/y", shape=(5,), chunks=2, dtype="u1")[1:3] = 7
    assert ".zgroup" not in store and "top/.zgroup" in store
    assert store.list("top/x/y") == ["top/x/y/.zarray", "top/x/y/.zattrs", "top/x/y/0",
                                     "top/x/y/1"]
    z = zarr.open(store, mode="r", path="top/x/y")
    assert z[...].tolist() == [0, 7, 7, 0, 0]
    assert isinstance(z, zarr.Array)  # an array in memory


def test_a_store_that_keeps_nothing_but_the_protocol(tmp_path):
    class Minimal(Store):
        """Only the four methods a store must have."""

        def __init__(self):
            self.d = {}

        def _get(self, key):
            return self.d[key]

        def _set(self, key, value):
            self.d[key] = bytes(value)

        def _delete(self, key):
            del self.d[key]

        def _list(self, prefix):
            return [k for k in self.d if k.startswith(prefix)]

    store = Minimal()
    g = zarr.open_group(store, mode="w")
    z = g.zeros("a/b", shape=(10, 10), chunks=(3, 3), dtype="f4")
    z[2:8, 2:8] = 1.5
    g.move("a", "c")
    assert sorted(g) == ["c"] and g["c/b"][...].sum() == 54.0
    assert z.store is store
    del g["c"]
    assert sorted(store.d) == [".zgroup"]


@pytest.mark.parametrize("mode", ["r", "r+", "a", "w-"])
def test_a_zarr_v3_group_opens_as_one_and_nothing_v2_is_written(tmp_path, mode):
    path = tmp_path / "v3.zarr"
    path.mkdir()
    (path / "zarr.json").write_text('{"zarr_format": 3, "node_type": "group"}')
    if mode == "w-":
        for call in (lambda: zarr.open_group(str(path), mode=mode),
                     lambda: zarr.open(str(path), mode=mode, shape=(3,)),
                     lambda: zarr.open(str(path), mode=mode)):
            with pytest.raises(zarr.ContainsGroupError, match="v3"):
                call()
    else:
        assert list(zarr.open_group(str(path), mode=mode)) == []
        assert isinstance(zarr.open(str(path), mode=mode), zarr.Group)
        with pytest.raises(zarr.ContainsGroupError, match="a group, not an array"):
            zarr.open(str(path), mode=mode, shape=(3,))
        with pytest.raises(zarr.ContainsGroupError, match="Zarr v3 group, not v2"):
            zarr.open_group(str(path), mode=mode, zarr_format=2)
    assert os.listdir(path) == ["zarr.json"]


def test_a_lock_directory_goes_with_its_array_only_when_it_holds_only_lock_files(tmp_path):
    root = str(tmp_path / "g.zarr")
    g = zarr.open_group(root, mode="w", process_sync=True)
    g.zeros("x", shape=(4,), chunks=2, dtype="i4")[:3] = 1  # writes x.sync/*.lock
    assert os.path.isdir(os.path.join(root, "x.sync"))
    g.zeros("y", shape=(4,), chunks=2, dtype="i4")
    os.makedirs(os.path.join(root, "y.sync"))
    with open(os.path.join(root, "y.sync", "notes.txt"), "w") as f:
        f.write("a user's file")
    del g["x"]
    del g["y"]
    assert not os.path.exists(os.path.join(root, "x.sync"))
    assert open(os.path.join(root, "y.sync", "notes.txt")).read() == "a user's file"


@pytest.mark.parametrize("parts", [[], ()])
def test_a_store_whose_get_ranges_gives_too_few_parts_is_a_clear_error(tmp_path, parts):
    class Lying(WrapperStore):
        def get_ranges(self, key, ranges):
            return parts

    a = np.arange(200 * 1000, dtype="f8").reshape(200, 1000)
    z = zarr.open(Lying(LocalStore(str(tmp_path / "a.zarr"))), mode="w", shape=a.shape,
                  chunks=a.shape, blocksize=16384)
    z[...] = a
    with pytest.raises(TypeError, match="get_ranges"):
        z[123, 456]


def test_ranges_torn_by_a_writer_fall_back_to_the_whole_value(tmp_path):
    a = np.arange(200 * 1000, dtype="f8").reshape(200, 1000)
    inner = LocalStore(str(tmp_path / "a.zarr"))

    class Racing(WrapperStore):
        """Replaces the chunk between a read's first and second request."""
        calls = 0

        def get_ranges(self, key, ranges):
            Racing.calls += 1
            if Racing.calls == 2:
                zarr.open(inner, mode="r+")[...] = a + 1
            return super().get_ranges(key, ranges)

    z = zarr.open(Racing(inner), mode="w", shape=a.shape, chunks=a.shape, blocksize=16384)
    z[...] = a
    Racing.calls = 0
    assert z[123, 456] in (a[123, 456], a[123, 456] + 1)


def test_mode_w_at_the_top_of_a_mapping_leaves_nothing_of_the_old_node():
    d = {}
    zarr.open(d, mode="w", shape=4, chunks=2, dtype="i4")[...] = [1, 2, 3, 4]
    assert zarr.open(d, mode="w", shape=4, chunks=2, dtype="i4")[...].tolist() == [0, 0, 0, 0]
    g = zarr.open_group(d, mode="w")
    g.zeros("x", shape=2)
    zarr.open(d, mode="w", shape=4, chunks=2, dtype="i4")
    assert sorted(d) == [".zarray", ".zattrs"]


@pytest.mark.parametrize("path", ["/", "//", "/x", ".zarray", "a/.zattrs", ".hidden", "a//b"])
def test_paths_in_a_store_are_names(path):
    store = MemoryStore()
    zarr.open(store, mode="w", shape=3, path="precious")
    before = dict(store._values)
    calls = [lambda: zarr.open(store, mode="w", shape=3, path=path),
             lambda: zarr.hierarchy.open_group(store, mode="w", path=path),
             lambda: zarr.create(3, store=store, path=path, overwrite=True)]
    if path not in ("/", "/x"):  # zarr-python 3's open_group takes those for '' and 'x'
        calls.append(lambda: zarr.open_group(store, mode="w", path=path))
    for call in calls:
        with pytest.raises(ValueError):
            call()
    assert store._values == before


def test_a_str_subclass_cannot_lead_a_key_out(tmp_path):
    class Sneaky(str):
        def split(self, *args):
            return ["fine"]

    store = LocalStore(str(tmp_path / "root"))
    with pytest.raises(ValueError):
        store[Sneaky("../escaped")] = b"x"
    assert not (tmp_path / "escaped").exists()


def test_a_name_too_long_for_a_file_is_a_missing_key(tmp_path):
    store = zarr.storage.LocalStore(str(tmp_path / "s"))
    g = zarr.open_group(store, mode="w")
    name = "x" * 300
    assert name not in g and g.get(name) is None
    assert ("x" * 300 + "/.zarray") not in store
    with pytest.raises(KeyError):
        store["x" * 300]
    with pytest.raises(KeyError):
        store.get_ranges("x" * 300, [(0, 1)])
    with pytest.raises(KeyError):
        g[name]
