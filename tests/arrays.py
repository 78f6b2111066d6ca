"""The kinds of array that the behaviour tests run against, and strategies for them."""

import atexit
import collections
import itertools
import os
import shutil
import tempfile

import numpy as np
from hypothesis import strategies as st

import zarr

_ROOT = tempfile.mkdtemp(prefix="zarr-arrays-")
atexit.register(shutil.rmtree, _ROOT, ignore_errors=True)
_names = itertools.count()


def new_path():
    """A fresh directory name under a root removed when the tests end."""
    return os.path.join(_ROOT, "a%d.zarr" % next(_names))


def memory(shape, dtype="f8", chunks=None, **kwargs):
    return zarr.create(shape, dtype=dtype, chunks=chunks, synchronized=False, **kwargs)


def synchronized_memory(shape, dtype="f8", chunks=None, **kwargs):
    return zarr.create(shape, dtype=dtype, chunks=chunks, synchronized=True, **kwargs)


def directory(shape, dtype="f8", chunks=None, **kwargs):
    return zarr.open(new_path(), mode="w", shape=shape, dtype=dtype, chunks=chunks,
                     synchronized=False, **kwargs)


def synchronized_directory(shape, dtype="f8", chunks=None, **kwargs):
    return zarr.open(new_path(), mode="w", shape=shape, dtype=dtype, chunks=chunks, **kwargs)


def nested_directory(shape, dtype="f8", chunks=None, **kwargs):
    return zarr.open(new_path(), mode="w", shape=shape, dtype=dtype, chunks=chunks,
                     dimension_separator="/", **kwargs)


def lazy(shape, dtype="f8", chunks=None, **kwargs):
    return zarr.open(new_path(), mode="w", shape=shape, dtype=dtype, chunks=chunks,
                     synchronized=False, lazy=True, **kwargs)


def synchronized_lazy(shape, dtype="f8", chunks=None, **kwargs):
    return zarr.open(new_path(), mode="w", shape=shape, dtype=dtype, chunks=chunks, lazy=True,
                     **kwargs)


class CountingStore(zarr.storage.WrapperStore):
    """A wrapper store that counts what is asked of it, by method."""

    def __init__(self, store):
        super().__init__(store)
        self.calls = collections.Counter()
        self.ranged_bytes = 0

    def get(self, key, *args):
        self.calls["get"] += 1
        return super().get(key, *args)

    def get_ranges(self, key, ranges):
        self.calls["get_ranges"] += 1
        parts = super().get_ranges(key, ranges)
        self.ranged_bytes += sum(len(p) for p in parts)
        return parts

    def set(self, key, value):
        self.calls["set"] += 1
        return super().set(key, value)

    def delete(self, key):
        self.calls["delete"] += 1
        return super().delete(key)


#: The names of metadata keys, for RecordingStore.metadata_calls.
METADATA_NAMES = (".zarray", ".zgroup", ".zattrs", ".zmetadata", "zarr.json")


class RecordingStore(zarr.storage.WrapperStore):
    """A wrapper store that counts its calls by (method, key or prefix): reads,
    listings and writes."""

    def __init__(self, store):
        zarr.storage.WrapperStore.__init__(self, store)
        self.calls = collections.Counter()

    def _get(self, key):
        self.calls["get", key] += 1
        return zarr.storage.WrapperStore._get(self, key)

    def get_ranges(self, key, ranges):
        self.calls["get_ranges", key] += 1
        return zarr.storage.WrapperStore.get_ranges(self, key, ranges)

    def getsize(self, key):
        self.calls["getsize", key] += 1
        return zarr.storage.WrapperStore.getsize(self, key)

    def stamp(self, key):
        self.calls["stamp", key] += 1
        return zarr.storage.WrapperStore.stamp(self, key)

    def _list(self, start):
        self.calls["list", start] += 1
        return zarr.storage.WrapperStore._list(self, start)

    def list_dir(self, prefix=""):
        self.calls["list_dir", prefix] += 1
        return zarr.storage.WrapperStore.list_dir(self, prefix)

    def contains_prefix(self, prefix):
        self.calls["contains_prefix", prefix] += 1
        return zarr.storage.WrapperStore.contains_prefix(self, prefix)

    def _set(self, key, value):
        self.calls["set", key] += 1
        return zarr.storage.WrapperStore._set(self, key, value)

    def metadata_calls(self):
        """The calls that read metadata, or list."""
        return {call: n for call, n in self.calls.items()
                if call[0].startswith("list") or call[0] == "contains_prefix"
                or call[1].rpartition("/")[2] in METADATA_NAMES}


def dict_store(shape, dtype="f8", chunks=None, **kwargs):
    """An array in a plain dict."""
    return zarr.open({}, mode="w", shape=shape, dtype=dtype, chunks=chunks, **kwargs)


def memory_store(shape, dtype="f8", chunks=None, **kwargs):
    """An array opened in a MemoryStore, at a path below its top."""
    return zarr.open(zarr.storage.MemoryStore(), mode="w", shape=shape, dtype=dtype,
                     chunks=chunks, path="group/array", **kwargs)


def counting_store(shape, dtype="f8", chunks=None, **kwargs):
    """An array in a counting wrapper around a directory store, with '/' keys."""
    store = CountingStore(zarr.storage.LocalStore(new_path()))
    return zarr.open(store, mode="w", shape=shape, dtype=dtype, chunks=chunks,
                     dimension_separator="/", **kwargs)


def sharded(shape, dtype="f8", chunks=None, **kwargs):
    """An array in a ShardedStore: its chunks in HDF5 containers."""
    return zarr.open(zarr.storage.ShardedStore(new_path()), mode="w", shape=shape, dtype=dtype,
                     chunks=chunks, **kwargs)


def fsspec_memory(shape, dtype="f8", chunks=None, **kwargs):
    """An array in an FsspecStore over fsspec's memory filesystem, nested keys."""
    store = zarr.storage.FsspecStore.from_url("memory://" + new_path())
    return zarr.open(store, mode="w", shape=shape, dtype=dtype, chunks=chunks,
                     dimension_separator="/", **kwargs)


def fsspec_local(shape, dtype="f8", chunks=None, **kwargs):
    """An array in an FsspecStore over fsspec's local filesystem, at a path below its top."""
    import fsspec
    store = zarr.storage.FsspecStore(fsspec.filesystem("file"), new_path())
    return zarr.open(store, mode="w", shape=shape, dtype=dtype, chunks=chunks,
                     path="group/array", **kwargs)


#: Every kind of array: name -> function(shape, dtype, chunks, **options) -> empty array.
KINDS = {
    "memory": memory,
    "synchronized-memory": synchronized_memory,
    "directory": directory,
    "synchronized-directory": synchronized_directory,
    "nested-directory": nested_directory,
    "lazy": lazy,
    "synchronized-lazy": synchronized_lazy,
    "dict-store": dict_store,
    "memory-store": memory_store,
    "counting-store": counting_store,
    "sharded": sharded,
    "fsspec-memory": fsspec_memory,
    "fsspec-local": fsspec_local,
}


@st.composite
def shapes_and_chunks(draw, max_dims=4, max_side=12):
    """A shape of 0 to max_dims dimensions (empty ones included) and a chunk shape."""
    ndim = draw(st.integers(0, max_dims))
    shape = tuple(draw(st.integers(0, max_side)) for _ in range(ndim))
    chunks = tuple(draw(st.integers(1, max(1, n) + 2)) for n in shape)
    return shape, chunks


@st.composite
def basic_selections(draw, shape):
    """A numpy basic selection of shape: ints, slices with any step, maybe an Ellipsis."""
    parts = []
    for n in shape:
        kinds = ["slice", "all"] + (["int"] if n > 0 else [])
        kind = draw(st.sampled_from(kinds))
        if kind == "int":
            parts.append(draw(st.integers(-n, n - 1)))
        elif kind == "all":
            parts.append(slice(None))
        else:
            bound = st.one_of(st.none(), st.integers(-n - 3, n + 3))
            step = st.one_of(st.none(), st.integers(-5, 5).filter(bool))
            parts.append(slice(draw(bound), draw(bound), draw(step)))
    return draw(selection_forms(parts))


@st.composite
def selection_forms(draw, parts):
    """The index of ``parts`` (one per dimension) as a user may write it:
    trailing ones left out, a run replaced by an Ellipsis, a lone index bare."""
    form = draw(st.sampled_from(["full", "short", "ellipsis"]))
    if form == "short" and parts:
        parts = parts[:draw(st.integers(0, len(parts)))]
    elif form == "ellipsis":
        i = draw(st.integers(0, len(parts)))
        j = draw(st.integers(i, len(parts)))
        parts = parts[:i] + [Ellipsis] + parts[j:]
    if len(parts) == 1 and draw(st.booleans()):
        return parts[0]
    return tuple(parts)


def reference(shape, dtype="f8", seed=0):
    """Distinct values of a dtype in an array of shape."""
    n = int(np.prod(shape))
    values = np.random.default_rng(seed).permutation(max(n, 1))[:n] + 1
    return values.astype(dtype).reshape(shape)
