"""A bad option writes nothing: no ``.zarray`` that never opens, and in mode
'w' the array that was there stays as it was."""

import os

import numpy as np
import pytest

import zarr
from zarr.storage import LocalStore, MemoryStore

#: One bad option of each kind, given to zarr.open(mode='w', shape=(10,), ...).
BAD = {
    "subarray dtype": dict(dtype="(2,)i4"),
    "subarray field nested": dict(dtype=[("a", "i4"), ("b", [("c", "f4"), ("d", "u1")])]),
    "padded fields": dict(dtype=np.dtype({"names": ["a", "b"], "formats": ["u1", "i4"],
                                          "offsets": [0, 4]})),
    "empty items": dict(dtype="V0"),
    "unknown dtype": dict(dtype="nonsense"),
    "negative shape": dict(shape=-1),
    "fractional shape": dict(shape=2.5),
    "zero chunks": dict(chunks=0),
    "chunks of other rank": dict(chunks=(2, 2)),
    "chunk over blosc's limit": dict(shape=2**31, chunks=2**31, dtype="u1"),
    "cname": dict(cname="nope"),
    "clevel": dict(clevel=10),
    "shuffle": dict(shuffle=5),
    "blocksize": dict(blocksize=-1),
    "compressor": dict(compressor="blosc"),
    "fill_value of another kind": dict(fill_value="x"),
    "fill_value out of range": dict(dtype="i4", fill_value=2**40),
    "fill_value not a scalar": dict(fill_value=[1, 2]),
    "dimension_separator": dict(dimension_separator="-"),
    "object_codec": dict(dtype=object, object_codec="nope"),
    "threads": dict(threads=0),
    "synchronizer": dict(synchronizer="not a synchronizer"),
    "synchronizer without synchronized": dict(synchronizer=zarr.ThreadSynchronizer(),
                                              synchronized=False),
    "mode": dict(mode="x"),
}


def bad_options(name):
    options = dict(mode="w", shape=(10,))
    options.update(BAD[name])
    return options


def snapshot(store):
    """Every key and its bytes, and for a directory every entry under it."""
    keys = {key: bytes(store[key]) for key in store.list()}
    if isinstance(store, LocalStore):
        entries = sorted(os.path.relpath(os.path.join(d, n), store.root)
                         for d, dirs, files in os.walk(store.root) for n in dirs + files)
        return keys, entries
    return keys, None


STORES = ["directory", "nested-directory", "dict", "memory-store"]


def make_store(kind, tmp_path):
    if kind in ("directory", "nested-directory"):
        return LocalStore(str(tmp_path / "a.zarr"))
    return {} if kind == "dict" else MemoryStore()


def existing(kind, tmp_path):
    """A store holding an array with data, at a path below the top in a memory store."""
    store = make_store(kind, tmp_path)
    path = "g/x" if kind == "memory-store" else None
    z = zarr.open(store, mode="w", shape=(7, 3), dtype="f4", chunks=(2, 2), path=path,
                  dimension_separator="/" if kind == "nested-directory" else ".",
                  fill_value=-1)
    z[:5] = np.arange(15).reshape(5, 3)
    z.attrs["units"] = "m"
    return z.store, path


@pytest.mark.parametrize("name", sorted(BAD))
@pytest.mark.parametrize("kind", STORES)
def test_a_bad_option_leaves_an_existing_array_intact(tmp_path, kind, name):
    store, path = existing(kind, tmp_path)
    before = snapshot(store)
    with pytest.raises((ValueError, TypeError, OverflowError)):
        zarr.open(store, path=path, **bad_options(name))
    assert snapshot(store) == before
    z = zarr.open(store, mode="r", path=path)
    np.testing.assert_array_equal(z[:5], np.arange(15).reshape(5, 3))
    assert z.attrs["units"] == "m" and z.shape == (7, 3)


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_bad_option_makes_no_directory(tmp_path, name):
    path = str(tmp_path / "new.zarr")
    with pytest.raises((ValueError, TypeError, OverflowError)):
        zarr.open(path, **bad_options(name))
    assert not os.path.lexists(path)
    assert not os.path.lexists(path + ".sync")


@pytest.mark.parametrize("name", sorted(set(BAD) - {"mode"}))
def test_a_bad_option_leaves_a_group_member_intact(tmp_path, name):
    g = zarr.open_group(str(tmp_path / "g.zarr"), mode="w")
    g.array("x", np.arange(10), chunks=4)
    before = snapshot(g.store)
    options = bad_options(name)
    del options["mode"]
    with pytest.raises((ValueError, TypeError, OverflowError)):
        g.create("x", overwrite=True, **options)
    assert snapshot(g.store) == before
    np.testing.assert_array_equal(g["x"][...], np.arange(10))


def test_a_subarray_dtype_says_what_to_give_instead(tmp_path):
    with pytest.raises(ValueError, match=r"shape \(2,\).*dtype int32"):
        zarr.open(str(tmp_path / "a.zarr"), mode="w", shape=10, dtype="(2,)i4")
    with pytest.raises(ValueError, match="subarray|arrays of shape"):
        zarr.zeros(10, dtype="(2,)i4")


def test_padded_and_nested_fields_are_refused_in_memory_too():
    # Their .zarray would read back as another dtype (a pickled copy would).
    for option in ("subarray field nested", "padded fields"):
        with pytest.raises(ValueError, match="cannot be stored"):
            zarr.zeros(10, **{k: v for k, v in BAD[option].items()})
    # Sub-array fields are stored as they are.
    z = zarr.zeros(3, dtype=[("a", "i4", (2, 3))])
    z[1] = np.ones((), z.dtype)
    assert z[1]["a"].tolist() == [[1] * 3] * 2
