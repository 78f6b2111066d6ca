"""Where the results of block-wise functions go: storages, and their registry.

A storage makes the new arrays and tables that block-wise functions fill.
Functions take ``storage=`` as a name from :data:`storage_registry` or as a
storage object; ``None`` means the registry's ``'default'`` entry, itself
the name of another entry (``'mem'`` unless changed).
"""

import json
import os
import shutil
import tempfile
import uuid
import weakref

import numpy as np

from zarr.attrs import json_value
from zarr.creation import create as create_in_memory
from zarr.hierarchy import open_group
from zarr.opening import open as open_in_directory

__all__ = ["MemStorage", "TmpStorage", "DirStorage", "HDF5MemStorage", "HDF5TmpStorage",
           "storage_registry", "get_storage"]


#: The attribute of an HDF5 table holding its columns' labels and dataset names, in order.
HDF5_COLUMNS = "zarr_table_columns"


class Storage:
    """What a storage does: make an empty array or table, of a given shape and dtype,
    that block-wise functions then fill by rows."""

    def create(self, shape, dtype, chunks=None, **kwargs):
        """A new array of ``shape`` and ``dtype`` with nothing written."""
        raise NotImplementedError

    def create_table(self, columns, length, chunks=None, **kwargs):
        """A new table: ``columns`` maps each name to (dtype, shape of a row)."""
        raise NotImplementedError


class ZarrStorage(Storage):
    """Arrays of this package, in memory or in directories; tables are groups."""

    def __init__(self, **defaults):
        self.defaults = defaults

    def _options(self, kwargs):
        options = dict(self.defaults)
        options.update(kwargs)
        return options

    def create_table(self, columns, length, chunks=None, **kwargs):
        from zarr.table import Table, member_name
        group = self._new_group(kwargs)
        members = []
        for i, (label, (dtype, row_shape)) in enumerate(columns.items()):
            members.append(member_name(label, i, members))
            self._create_member(group, members[-1], (length,) + tuple(row_shape), dtype,
                                None if chunks is None else (chunks,) + tuple(row_shape),
                                kwargs)
        return Table.from_group(group, members, labels=list(columns))

    def _create_member(self, group, name, shape, dtype, chunks, kwargs):
        options = self._options(kwargs)
        options.pop("path", None)
        return group.create(name, shape, dtype=dtype, chunks=chunks, **options)


class MemStorage(ZarrStorage):
    """Synchronized arrays in memory (:func:`zarr.create`); options as it takes them.

    Examples
    --------
    >>> MemStorage(cname="lz4").create((10, 10), "i4", chunks=5)
    zarr.SynchronizedArray((10, 10), int32, chunks=(5, 5))
      cname: lz4; clevel: 5; shuffle: 1 (BYTESHUFFLE)
      nbytes: 400; cbytes: 0; initialized: 0/4
    """

    def create(self, shape, dtype, chunks=None, **kwargs):
        return create_in_memory(shape, dtype=dtype, chunks=chunks, **self._options(kwargs))

    def _new_group(self, kwargs):
        from zarr.hierarchy import group
        return group()


class DirStorage(ZarrStorage):
    """Arrays (tables: groups) in the directory ``path``, given to each call
    or to the storage; ``mode`` is 'w-' unless given, so nothing is replaced
    by accident. Other options as :func:`zarr.open` takes them.

    Examples
    --------
    >>> import tempfile
    >>> path = tempfile.mkdtemp() + "/out.zarr"
    >>> DirStorage().create(100, "f8", path=path).path == path
    True
    """

    def _path(self, kwargs):
        path = kwargs.get("path", self.defaults.get("path"))
        if path is None:
            raise TypeError("storage 'dir' needs a path: pass path=... to the function "
                            "or to DirStorage(path=...)")
        return os.fspath(path)

    def create(self, shape, dtype, chunks=None, **kwargs):
        options = self._options(kwargs)
        path = self._path(options)
        options.pop("path", None)
        options.setdefault("mode", "w-")
        return open_in_directory(path, shape=shape, dtype=dtype, chunks=chunks, **options)

    def _new_group(self, kwargs):
        options = self._options(kwargs)
        return open_group(self._path(options), mode=options.get("mode", "w-"))

    def create_table(self, columns, length, chunks=None, **kwargs):
        path = self._path(self._options(kwargs))
        existed = os.path.lexists(path)
        try:
            return ZarrStorage.create_table(self, columns, length, chunks, **kwargs)
        except BaseException:
            if not existed:  # a table half made: its group and first columns
                shutil.rmtree(path, ignore_errors=True)
            raise

    def _create_member(self, group, name, shape, dtype, chunks, kwargs):
        options = self._options(kwargs)
        for key in ("path", "mode"):
            options.pop(key, None)
        return group.create(name, shape, dtype=dtype, chunks=chunks, **options)


class TmpStorage(DirStorage):
    """Arrays in temporary directories (under ``dir``, default the system's),
    each removed when its array or table is collected, or when the
    interpreter exits.

    Examples
    --------
    >>> z = TmpStorage().create(1000, "i2")
    >>> path = z.path
    >>> os.path.isdir(path)
    True
    >>> del z
    >>> import gc; _ = gc.collect()
    >>> os.path.exists(path)
    False
    """

    def __init__(self, dir=None, **defaults):
        DirStorage.__init__(self, **defaults)
        self.dir = dir

    def _in_temporary(self, make, kwargs):
        """``make(options)`` in a new temporary directory, removed with what it
        returns, or at once if it fails."""
        options = self._options(kwargs)
        root = tempfile.mkdtemp(prefix="zarr-tmp-", dir=options.pop("dir", self.dir))
        options["path"] = os.path.join(root, "data.zarr")
        try:
            result = make(options)
        except BaseException:
            shutil.rmtree(root, ignore_errors=True)
            raise
        keeper = result
        if hasattr(result, "group"):
            # A table: the directory lives while the table, its group or any
            # column array taken from it does, each holding the keeper.
            keeper = result.group._nodes.keeper = _Keeper()
        weakref.finalize(keeper, shutil.rmtree, root, ignore_errors=True)
        return result

    def create(self, shape, dtype, chunks=None, **kwargs):
        return self._in_temporary(
            lambda options: DirStorage.create(self, shape, dtype, chunks, **options), kwargs)

    def create_table(self, columns, length, chunks=None, **kwargs):
        return self._in_temporary(
            lambda options: DirStorage.create_table(self, columns, length, chunks, **options),
            kwargs)


class _Keeper:
    """Held by everything that needs a temporary directory; its collection removes it."""


# HDF5, when h5py is installed.

def _h5py():
    try:
        import h5py
    except ImportError:
        raise ImportError("the HDF5 storages need h5py: pip install h5py") from None
    return h5py


class HDF5Storage(Storage):
    """Datasets in HDF5 files, made by h5py; ``compression`` and
    ``compression_opts`` as h5py takes them. Each array is the dataset
    ``'data'`` of a file of its own, resizable along its first axis."""

    def __init__(self, compression=None, compression_opts=None, **defaults):
        self.defaults = dict(defaults, compression=compression,
                             compression_opts=compression_opts)

    def _dataset_options(self, shape, chunks, kwargs):
        options = dict(self.defaults)
        options.update(kwargs)
        if chunks is not None:
            chunks = tuple(chunks) if np.iterable(chunks) else (chunks,) + tuple(shape[1:])
            # HDF5 wants chunks no bigger than fixed dimensions (and none of 0).
            options["chunks"] = (max(1, int(chunks[0])),) + tuple(
                max(1, min(int(c), n)) for c, n in zip(chunks[1:], shape[1:]))
        else:
            options["chunks"] = True
        options.setdefault("maxshape", (None,) + tuple(shape[1:]))
        if options.get("compression") is None:
            options.pop("compression", None)
            options.pop("compression_opts", None)
        return options

    def create(self, shape, dtype, chunks=None, **kwargs):
        shape = tuple(int(n) for n in (shape if np.iterable(shape) else (shape,)))
        h5file = self._open_file(kwargs)
        try:
            dataset = h5file.create_dataset("data", shape=shape, dtype=dtype,
                                            **self._dataset_options(shape, chunks, kwargs))
        except BaseException:
            self._discard(h5file)
            raise
        return self._keep(h5file, dataset)

    def create_table(self, columns, length, chunks=None, **kwargs):
        from zarr.table import member_name
        h5file = self._open_file(kwargs)
        try:
            members = []
            for i, (label, (dtype, row_shape)) in enumerate(columns.items()):
                members.append(member_name(label, i, members))
                shape = (length,) + tuple(row_shape)
                h5file.create_dataset(members[-1], shape=shape, dtype=dtype,
                                      **self._dataset_options(shape, chunks, kwargs))
            h5file.attrs[HDF5_COLUMNS] = json.dumps(json_value(
                [[label, member] for label, member in zip(columns, members)], "columns"))
        except BaseException:
            self._discard(h5file)
            raise
        return self._keep(h5file, h5file)

    def _keep(self, h5file, obj):
        return obj

    def _discard(self, h5file):
        h5file.close()


class HDF5MemStorage(HDF5Storage):
    """HDF5 files in memory (h5py's 'core' driver, never written to disk)."""

    def _open_file(self, kwargs):
        h5py = _h5py()
        return h5py.File("%s.h5" % uuid.uuid4().hex, mode="w", driver="core",
                         backing_store=False, track_order=True)


class HDF5TmpStorage(HDF5Storage):
    """HDF5 files in temporary files (under ``dir``, default the system's),
    each removed when its dataset or file object is collected or the
    interpreter exits."""

    def __init__(self, compression=None, compression_opts=None, dir=None, **defaults):
        HDF5Storage.__init__(self, compression, compression_opts, **defaults)
        self.dir = dir

    def _open_file(self, kwargs):
        h5py = _h5py()
        fd, path = tempfile.mkstemp(prefix="zarr-tmp-", suffix=".h5",
                                    dir=kwargs.pop("dir", self.dir))
        os.close(fd)
        try:
            return h5py.File(path, mode="w", track_order=True)
        except BaseException:
            _remove_file(path)
            raise

    def _keep(self, h5file, obj):
        """Remove the file once ``obj`` is collected (HDF5 then closes it)."""
        weakref.finalize(obj, _remove_file, h5file.filename)
        return obj

    def _discard(self, h5file):
        path = h5file.filename
        h5file.close()
        _remove_file(path)


def _remove_file(path):
    try:
        os.remove(path)
    except OSError:
        pass


#: The storages by name; ``'default'`` names the one used when none is given.
storage_registry = {
    "default": "mem",
    "mem": MemStorage(),
    "tmp": TmpStorage(),
    "dir": DirStorage(),
    "hdf5mem": HDF5MemStorage(),
    "hdf5tmp": HDF5TmpStorage(),
    "hdf5mem_zlib1": HDF5MemStorage(compression="gzip", compression_opts=1),
    "hdf5tmp_zlib1": HDF5TmpStorage(compression="gzip", compression_opts=1),
    "hdf5mem_lzf": HDF5MemStorage(compression="lzf"),
    "hdf5tmp_lzf": HDF5TmpStorage(compression="lzf"),
}


def get_storage(storage=None):
    """The storage object that ``storage`` names (None: the default).

    Examples
    --------
    >>> get_storage("tmp")
    <zarr.chunked.storage.TmpStorage object at ...>
    >>> get_storage("nope")
    Traceback (most recent call last):
    ...
    ValueError: unknown storage 'nope'; known: default, dir, hdf5mem, ...
    """
    if storage is None:
        storage = storage_registry["default"]
    if isinstance(storage, str):
        seen = []
        while isinstance(storage, str):
            if storage in seen:
                raise ValueError("the storage names %s refer to each other in a loop"
                                 % " -> ".join(map(repr, seen + [storage])))
            if storage not in storage_registry:
                raise ValueError("unknown storage %r; known: %s"
                                 % (storage, ", ".join(sorted(storage_registry))))
            seen.append(storage)
            storage = storage_registry[storage]
        if isinstance(storage, HDF5Storage):
            _h5py()
    if not hasattr(storage, "create"):
        raise TypeError("a storage must be a name in zarr.chunked.storage_registry or an "
                        "object with a create method, not %r" % (storage,))
    return storage
