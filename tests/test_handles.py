"""Open handles whose array changed under them: removed, or resized through
another handle. A handle never reads fill values for an array that is gone,
never writes chunks of one, and writes against the shape that is stored."""

import os
import shutil

import numpy as np
import pytest

import zarr
from zarr.errors import MetadataError
from zarr.storage import LocalStore, join_key

from arrays import KINDS

GONE = (FileNotFoundError, MetadataError)


@pytest.fixture(params=sorted(KINDS))
def kind(request):
    return KINDS[request.param]


def other_handle(z):
    """A second handle on the array of z, as another zarr.open would make."""
    return zarr.open(z.store, mode="r+", path=z.key_prefix or None)


def keys_of(z):
    return sorted(z.store.list(z.key_prefix))


def remove_array(z, how):
    if how == "rmtree":
        shutil.rmtree(z.path)
    elif how == "prefix":
        z.store.delete_prefix(z.key_prefix)
    else:
        z.store.delete(join_key(z.key_prefix, ".zarray"))


HOWS = ["prefix", "metadata"]


def hows_for(z):
    return HOWS + (["rmtree"] if isinstance(z.store, LocalStore) else [])


# A removed array.


@pytest.mark.parametrize("ndim", [1, 2])
def test_reads_of_a_removed_array_raise(kind, ndim):
    for how in hows_for(kind((1,))):
        shape, chunks = ((20,), (5,)) if ndim == 1 else ((8, 9), (3, 4))
        z = kind(shape, "i4", chunks)
        z[(0,) * ndim] = 1  # one chunk written: the others read as fill
        remove_array(z, how)
        last = tuple(n - 1 for n in shape)
        for sel in [last, (slice(None),) * ndim, tuple(slice(n - 2, n) for n in shape)]:
            with pytest.raises(GONE, match=r"\.zarray"):
                z[sel]
        with pytest.raises(GONE):
            z.get_basic_selection(Ellipsis, out=np.empty(shape, "i4"))


FILLS = [("f8", np.nan), ("f4", 0.0), ("c16", complex(np.nan, 1)), ("M8[s]", "NaT"),
         ("m8[s]", 3), ("i2", -1), ("u1", 7), ("?", True), ("U3", "ab"), ("S2", b"x"),
         ([("a", "i4"), ("b", "f8")], None), ("O", None)]


@pytest.mark.parametrize("dtype, fill", FILLS, ids=[str(d) for d, _ in FILLS])
@pytest.mark.parametrize("name", ["synchronized-memory", "directory", "dict-store"])
def test_a_removed_array_of_any_dtype_reads_no_fill(name, dtype, fill):
    # Whatever the fill value (NaN, NaT, fields, objects), a read of a missing
    # chunk looks for the metadata.
    z = KINDS[name]((20,), dtype, (5,), **({} if fill is None else {"fill_value": fill}))
    z[:5] = z[5:10]  # the first chunk is written (with fill values)
    remove_array(z, "metadata")
    for sel in [12, slice(11, 13), slice(None)]:
        with pytest.raises(GONE):
            z[sel]


def test_writes_to_a_removed_array_raise_and_write_nothing(kind):
    for how in hows_for(kind((1,))):
        z = kind((20,), "i4", (5,))
        z[:7] = 3
        remove_array(z, how)
        left = keys_of(z) if how != "rmtree" else None
        for write in [lambda: z.__setitem__(15, 1), lambda: z.__setitem__(slice(None), 2),
                      lambda: z.__setitem__(slice(3, 12), np.arange(9)),
                      lambda: z.resize(30), lambda: z.resize(3), lambda: z.append([1, 2])]:
            with pytest.raises(GONE, match=r"\.zarray"):
                write()
            if how == "rmtree":
                assert not os.path.lexists(z.path)
            else:
                assert keys_of(z) == left


def test_a_removed_array_made_anew_is_a_new_array(kind):
    # The old handle refuses the new array when its options differ.
    z = kind((20,), "i4", (5,))
    z[:] = 1
    store, path = z.store, z.key_prefix
    zarr.open(store, mode="w", shape=(20,), dtype="f8", chunks=(4,), path=path or None)
    with pytest.raises(MetadataError, match="replaced"):
        z[0] = 2
    with pytest.raises(MetadataError, match="replaced"):
        z[19]
    assert zarr.open(store, mode="r", path=path or None)[...].tolist() == [0.0] * 20


# A handle whose shape is out of date.


def test_a_stale_handle_writes_against_the_stored_shape(kind):
    a = kind((20,), "i4", (4,))
    a[:] = 1
    b = other_handle(a)
    a.resize(10)
    with pytest.raises(IndexError):
        b[15] = 7
    assert b.shape == (10,)
    with pytest.raises(IndexError):
        b[15]
    b[9] = 7
    a.resize(20)
    np.testing.assert_array_equal(a[...], [1] * 9 + [7] + [0] * 10)
    # Reads of stored chunks take the handle's shape; an index beyond it looks.
    assert b[12] == 0 and b.shape == (20,)
    np.testing.assert_array_equal(b[...], a[...])


def test_a_stale_handle_reads_against_the_stored_shape(kind):
    a = kind((20,), "i4", (4,))
    a[:] = 1
    b = other_handle(a)
    a.resize(10)
    with pytest.raises(IndexError):
        b[15]
    assert b.shape == (10,)
    a.resize(30)
    assert b[25] == 0 and b.shape == (30,)  # a missing chunk: the shape is checked
    np.testing.assert_array_equal(b[8:], [1, 1] + [0] * 20)


def test_a_stale_handle_appends_and_resizes_from_the_stored_shape(kind):
    a = kind((20,), "i4", (4,))
    a[:] = 1
    b = other_handle(a)
    a.resize(10)
    b.append(np.full(3, 2, "i4"))
    assert b.shape == (13,)
    np.testing.assert_array_equal(other_handle(a)[...], [1] * 10 + [2] * 3)
    c = other_handle(a)
    a.resize(5)
    c.resize(8)  # grows from 5, not from 13: what was cut off stays cut off
    np.testing.assert_array_equal(other_handle(a)[...], [1] * 5 + [0] * 3)


def test_a_stale_handle_selects_blocks_of_the_stored_grid(kind):
    a = kind((10,), "i4", (4,))
    a[...] = np.arange(10)
    b = other_handle(a)
    a.resize(14)
    a[10:] = [10, 11, 12, 13]
    np.testing.assert_array_equal(b.blocks[2], [8, 9, 10, 11])  # not the stale [8, 9]
    b.blocks[3] = -1  # the block the stored shape has
    np.testing.assert_array_equal(a[...], list(range(12)) + [-1, -1])
    a.resize(6)
    with pytest.raises(IndexError, match="block index 2"):
        b.blocks[2]
    with pytest.raises(IndexError, match="block index 2"):
        b.blocks[2] = 0
    np.testing.assert_array_equal(b.blocks[-1], [4, 5])


def test_a_stale_handle_of_two_dimensions(kind):
    a = kind((12, 12), "f8", (5, 5))
    a[:] = 1.0
    b = other_handle(a)
    a.resize(6, 12)
    with pytest.raises(IndexError):
        b[10, 0] = 2.0
    b[:, 11] = 3.0  # the whole column of the stored shape
    a.resize(12, 12)
    want = np.zeros((12, 12))
    want[:6] = 1.0
    want[:6, 11] = 3.0
    np.testing.assert_array_equal(a[...], want)


# The stamps handles compare.


class DictOnlyStore(zarr.storage.Store):
    """A store of the four methods a store must give: stamp is the default's."""

    def __init__(self):
        self.values = {}

    def _get(self, key):
        return self.values[key]

    def _set(self, key, value):
        self.values[key] = bytes(value)

    def _delete(self, key):
        del self.values[key]

    def _list(self, prefix):
        return [k for k in self.values if k.startswith(prefix)]


STORES = {
    "memory": lambda tmp_path: zarr.storage.MemoryStore(),
    "local": lambda tmp_path: LocalStore(str(tmp_path / "s")),
    "dict": lambda tmp_path: zarr.storage.WrapperStore({}),
    "wrapped-local": lambda tmp_path: zarr.storage.WrapperStore(LocalStore(str(tmp_path / "s"))),
    "default": lambda tmp_path: DictOnlyStore(),
}


@pytest.mark.parametrize("name", sorted(STORES))
def test_a_stamp_changes_with_every_replacement(tmp_path, name):
    store = STORES[name](tmp_path)
    key = "g/x/.zarray"
    assert store.stamp(key) is None
    seen = []
    for i in range(50):
        store[key] = b'{"shape": [%d]}' % (10 + i % 2)  # sizes repeat, as shapes' do
        stamp = store.stamp(key)
        assert stamp is not None and stamp == store.stamp(key)
        seen.append(stamp)
    assert all(a != b for a, b in zip(seen, seen[1:]))
    del store[key]
    assert store.stamp(key) is None


@pytest.mark.parametrize("name", sorted(KINDS))
def test_unchanged_metadata_costs_a_stamp_and_is_never_read(name, monkeypatch):
    z = KINDS[name]((100,), "i4", (10,))
    z[:50] = 1
    stamps = []
    store = z.store
    real = type(store).stamp
    monkeypatch.setattr(type(store), "stamp", lambda self, key: stamps.append(key) or
                        real(self, key))
    monkeypatch.setattr(zarr.core, "read_metadata", None)  # never called
    z[5] = 2
    z[3:17] = 3
    assert len(stamps) == 2  # one a write call
    z[5], z[3:17], z[...]
    assert len(stamps) == 3  # reads check only when they may have found a chunk missing
    z[60]
    assert len(stamps) == 4


# Resizes and appends from threads.

SYNCHRONIZED = sorted(k for k, make in KINDS.items() if make((1,))._synchronized)


@pytest.mark.parametrize("name", SYNCHRONIZED)
def test_appends_from_threads_and_handles_all_land(name):
    import threading
    z = KINDS[name]((0,), "i8", (5,))
    handles = [z, other_handle(z), other_handle(z), z]
    barrier = threading.Barrier(len(handles))
    errors = []

    def append(t, h):
        try:
            barrier.wait()
            for i in range(30):
                h.append(np.full(3, t * 1000 + i, "i8"))
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=append, args=(t, h)) for t, h in enumerate(handles)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    data = other_handle(z)[...]
    assert data.shape == (360,)
    blocks = data.reshape(120, 3)
    assert (blocks == blocks[:, :1]).all()  # each append landed whole
    want = sorted(t * 1000 + i for t in range(4) for i in range(30))
    assert sorted(blocks[:, 0].tolist()) == want


def test_attributes_of_a_removed_array_or_group_are_not_recreated(tmp_path):
    import shutil
    path = str(tmp_path / "a.zarr")
    z = zarr.open(path, mode="w", shape=4, dtype="i4")
    attrs = z.attrs
    attrs["x"] = 1
    g = zarr.open_group(str(tmp_path / "g.zarr"), mode="w")
    g.attrs["y"] = 2
    gattrs = g.attrs
    shutil.rmtree(path)
    shutil.rmtree(str(tmp_path / "g.zarr"))
    with pytest.raises(FileNotFoundError, match="gone"):
        attrs["x"] = 2
    with pytest.raises(FileNotFoundError, match="gone"):
        gattrs["y"] = 3
    assert not os.path.exists(path) and not os.path.exists(str(tmp_path / "g.zarr"))
