"""Stores: where the bytes of arrays and groups live.

A store maps string keys in the Zarr layout to bytes (see
:mod:`zarr.storage.base` for the protocol and how to write one):

- :class:`MemoryStore`: a dict in this process;
- :class:`LocalStore` (also :data:`DirectoryStore`): one file per key under a
  directory, written atomically;
- :class:`WrapperStore`: around another store, or any ``MutableMapping``
  (a plain ``dict`` given where a store is expected is wrapped in one);
- :class:`ConsolidatedStore`: around another store, with the metadata of a
  hierarchy fixed (what :func:`zarr.open_consolidated` opens over).
- :class:`ShardedStore`: a directory whose nested chunks live many to a
  file, in HDF5 containers;
- :class:`ZipStore`: the entries of one zip archive, as zarr-python lays
  them out (a path ending in ``.zip`` opens one).
- :class:`FsspecStore` (also :data:`FSStore`): the objects under a path of
  any fsspec filesystem, object storage among them (a URL such as
  ``s3://bucket/a.zarr`` opens one).

Examples
--------
>>> import numpy as np, zarr
>>> d = {}
>>> z = zarr.open(d, mode="w", shape=(4, 4), chunks=(2, 2), dtype="i4")
>>> z[:2, :2] = 1
>>> sorted(d)
['.zarray', '.zattrs', '0.0']
"""

import os
from collections.abc import MutableMapping

from zarr.storage.base import Store, join_key, normalize_key, normalize_prefix
from zarr.storage.consolidated import ConsolidatedStore
from zarr.storage.fsspec_store import FSStore, FsspecStore
from zarr.storage.keys import (ARRAY_META, ATTRS, CONSOLIDATED_META, GROUP_META, V3_META, chunk_key,
                               describe_node, node_format, node_kind)
from zarr.storage.local import DirectoryStore, LocalStore
from zarr.storage.memory import MemoryStore
from zarr.storage.sharded import ShardedStore
from zarr.storage.wrapper import WrapperStore
from zarr.storage.zipformat import ZipFormatError
from zarr.storage.zipped import ZipDuplicateWarning, ZipInUseError, ZipStore

# An HDF5 file begins with this signature at 0, or at 512, 1024, 2048... after a user block.
_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def _is_hdf5(path):
    """Whether the regular file at ``path`` holds HDF5's signature where HDF5 puts it."""
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            offset = 0
            while offset + len(_HDF5_SIGNATURE) <= size:
                f.seek(offset)
                if f.read(len(_HDF5_SIGNATURE)) == _HDF5_SIGNATURE:
                    return True
                offset = offset * 2 if offset else 512
    except OSError:
        return False
    return False


def is_url(path):
    """Whether ``path`` is an fsspec URL (``s3://...``, ``simplecache::s3://...``)."""
    scheme, sep, _ = path.partition("://")
    return "::" in path or (bool(sep) and scheme.isidentifier() and len(scheme) > 1)


def as_store(where, read_only=False, fsync=False, mode=None, storage_options=None):
    """The store ``where`` names: a path (a :class:`LocalStore`; a
    :class:`ZipStore` for a path ending in ``.zip`` that is not a
    directory), a URL (``s3://bucket/a.zarr``, ``memory://x``: an
    :class:`FsspecStore` with ``storage_options``; ``file://`` without
    options is a :class:`LocalStore`), a :class:`Store` (itself), an fsspec
    mapper (an :class:`FsspecStore` over its filesystem), or a
    ``MutableMapping`` (wrapped).

    ``mode`` is that of the opening (:func:`zarr.open`): a zip archive opens
    in mode 'r' for 'r' (or ``read_only``), in mode 'w' (a new archive) for
    'w', else in mode 'a'; nothing else is created. ValueError for an HDF5
    file, and for ``storage_options`` given with anything but a URL.

    Examples
    --------
    >>> as_store("/tmp/x.zarr")
    LocalStore('/tmp/x.zarr')
    """
    if isinstance(where, (str, os.PathLike)) and is_url(os.fspath(where)):
        url = os.fspath(where)
        if url.startswith("file://") and not storage_options:
            where = url[len("file://"):]
        else:
            return FsspecStore.from_url(url, storage_options, read_only=read_only)
    if storage_options:
        raise ValueError("storage_options are for URLs (s3://...), not for %r" % (where,))
    if isinstance(where, Store):
        return where
    if isinstance(where, (str, os.PathLike)):
        path = os.fspath(where)
        if (path.lower().endswith(".zip") and not path.endswith(("/", os.sep))
                and not os.path.isdir(path)):
            zip_mode = "r" if read_only or mode == "r" else "w" if mode == "w" else "a"
            return ZipStore(path, zip_mode)
        if os.path.isfile(path) and _is_hdf5(path):
            raise ValueError("%r is an HDF5 file, not a Zarr directory: read it with h5py "
                             "(zarr.array(h5py.File(path)[name]) copies a dataset)" % path)
        return LocalStore(path, read_only=read_only, fsync=fsync)
    if type(where).__name__ == "FSMap" and hasattr(where, "fs") and hasattr(where, "root"):
        return FsspecStore(where.fs, where.root, read_only=read_only or bool(
            getattr(where, "readonly", False)))
    if isinstance(where, MutableMapping):
        return WrapperStore(where)
    raise TypeError("expected a path, a store or a MutableMapping, not %s"
                    % type(where).__name__)


__all__ = ["ARRAY_META", "ATTRS", "CONSOLIDATED_META", "ConsolidatedStore", "DirectoryStore",
           "FSStore", "FsspecStore", "GROUP_META", "LocalStore", "MemoryStore", "ShardedStore", "Store", "V3_META", "WrapperStore",
           "ZipDuplicateWarning", "ZipFormatError", "ZipInUseError", "ZipStore", "as_store",
           "chunk_key", "describe_node", "join_key", "node_format", "node_kind", "normalize_key",
           "normalize_prefix"]
