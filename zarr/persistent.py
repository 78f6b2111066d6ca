"""Arrays in directories of the Zarr v2 format, opened with :func:`open`."""

import errno
import os
import shutil
import threading

import numpy as np

from zarr.attrs import Attributes
from zarr.core import Array
from zarr.errors import ContainsArrayError, ContainsGroupError, MetadataError, ReadOnlyError
from zarr.ext import PersistentChunk, SynchronizedPersistentChunk
from zarr.parallel import check_threads
from zarr.meta import array_metadata, dumps, parse_array_metadata
from zarr.objects import ObjectChunk
from zarr.storage import (
    ARRAY_META,
    ATTRS,
    GROUP_META,
    ProcessSynchronizer,
    chunk_key,
    iter_chunk_files,
    read_text,
    remove_empty_dirs,
    write_text_atomic,
)
from zarr.tokens import persistent_token
from zarr.util import normalize_chunks, normalize_shape

MODES = ("r", "r+", "a", "w", "w-")

_UNSET = object()

#: The chunks of synchronized arrays in directories share this many thread
#: locks, by the array's real path and the chunk's key.
LOCK_STRIPES = 4096
_chunk_locks = [threading.Lock() for _ in range(LOCK_STRIPES)]


def _fresh_chunk_locks():
    """In a forked child: a lock held by a parent's thread would never be released."""
    _chunk_locks[:] = [threading.Lock() for _ in range(LOCK_STRIPES)]


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_fresh_chunk_locks)


class PersistentArray(Array):
    """An array whose chunks are files in a directory of the Zarr v2 format.

    Every write is on disk when the call returns: there is nothing to close.
    Open one with :func:`zarr.open`.

    Examples
    --------
    >>> import tempfile, zarr
    >>> path = tempfile.mkdtemp() + "/example.zarr"
    >>> z = zarr.open(path, mode="w", shape=(100, 10), dtype="i4", chunks=(10, 10))
    >>> z[:] = 1
    >>> int(zarr.open(path, mode="r")[...].sum())
    1000
    """

    _chunk_class = PersistentChunk

    def __init__(self, path, mode, meta, fsync=False, synchronizer=None, threads=None):
        try:
            Array.__init__(self, meta["shape"], meta["dtype"], meta["chunks"], meta["cname"],
                           meta["clevel"], meta["shuffle"], meta["fill_value"],
                           meta["blocksize"], meta["object_codec"] or "msgpack2", threads)
        except (TypeError, ValueError, OverflowError) as e:
            # Options read from a .zarray that no array can have (chunks over
            # blosc's limit, a fill value out of range...): name the file.
            raise MetadataError("%s: %s" % (os.path.join(path, ARRAY_META), e)) from None
        self._path = path
        self._mode = mode
        self._separator = meta["dimension_separator"]
        self._fsync = bool(fsync)
        self._synchronizer = synchronizer
        self._lock_root = os.path.realpath(path)

    @property
    def path(self):
        """The array's directory."""
        return self._path

    @property
    def mode(self):
        return self._mode

    @property
    def dimension_separator(self):
        return self._separator

    @property
    def synchronizer(self):
        return self._synchronizer

    def _new_attributes(self):
        sync = self._synchronizer
        return Attributes(os.path.join(self._path, ATTRS), read_only=self._mode == "r",
                          fsync=self._fsync, lock=None if sync is None else sync.array_lock)

    def _summary_lines(self):
        return Array._summary_lines(self) + ["  mode: %s; path: %s" % (self._mode, self._path)]

    # Chunks are files.

    def _chunk_path(self, key):
        return os.path.join(self._path, chunk_key(key, self._separator))

    def _lock_path(self, key):
        if self._synchronizer is None:
            return None
        return self._synchronizer.chunk_lock_path(chunk_key(key, self._separator))

    def _thread_lock(self, key):
        """The thread lock of a chunk of a synchronized array: shared, in this
        process, by every array object opened on the same directory (``zarr.open``
        twice, or a group's ``g['x']`` taken in each thread), so that none of
        them loses another's update; None for unsynchronized arrays."""
        if not self._synchronized:
            return None
        return _chunk_locks[hash((self._lock_root, key)) % LOCK_STRIPES]

    def _new_chunk(self, key):
        path = self._chunk_path(key)
        if self._dtype.hasobject:
            return ObjectChunk(self._chunks, self._cname, self._clevel, self._shuffle,
                               self._fill_value, self._blocksize, self._object_codec,
                               path=path, fsync=self._fsync, synchronized=self._synchronized,
                               lock_path=self._lock_path(key), lock=self._thread_lock(key))
        if self._synchronized:
            return SynchronizedPersistentChunk(path, self._chunks, self._dtype, self._cname,
                                               self._clevel, self._shuffle, self._fill_value,
                                               self._blocksize, self._fsync,
                                               self._lock_path(key), self._thread_lock(key))
        return PersistentChunk(path, self._chunks, self._dtype, self._cname, self._clevel,
                               self._shuffle, self._fill_value, self._blocksize, self._fsync)

    def _existing_chunk(self, key):
        return self._chunk(key)

    def _stored_chunks(self):
        grid = self.cdata_shape
        return [(key, size) for key, size in iter_chunk_files(self._path, self.ndim,
                                                              self._separator)
                if all(k < g for k, g in zip(key, grid))]

    def _drop_chunk(self, key):
        self._chunk(key).clear()
        self._grid.pop(key, None)

    # Writes.

    def _check_writable(self):
        if self._mode == "r":
            raise ReadOnlyError("the array at %s is open read-only (mode 'r')" % self._path)
        Array._check_writable(self)  # the version moves on

    def _metadata(self):
        return array_metadata(self._shape, self._dtype, self._chunks, self._cname, self._clevel,
                              self._shuffle, self._blocksize, self._fill_value, self._separator,
                              self._object_codec)

    def _shape_changed(self):
        write_text_atomic(os.path.join(self._path, ARRAY_META), dumps(self._metadata()),
                          self._fsync)
        if self._separator == "/":
            remove_empty_dirs(self._path)

    def _reload_shape(self):
        meta = _read_metadata(self._path)
        if meta["chunks"] != self._chunks or meta["dtype"] != self._dtype:
            raise MetadataError("%s: the array was replaced by another process" % self._path)
        self._shape = meta["shape"]

    def resize(self, *shape):
        if self._synchronizer is None:
            return Array.resize(self, *shape)
        self._check_writable()  # before the lock file is made
        with self._synchronizer.array_lock():
            self._reload_shape()  # another process may have appended
            return Array.resize(self, *shape)

    def append(self, data, axis=0):
        """Grow the array along ``axis`` by ``data``; see :meth:`zarr.Array.append`.

        With a process synchronizer, the current shape is read from disk under
        the array's lock, so appends from several processes all land.
        """
        if self._synchronizer is None:
            return Array.append(self, data, axis)
        self._check_writable()
        with self._synchronizer.array_lock():
            self._reload_shape()
            return Array.append(self, data, axis)

    def __dask_tokenize__(self):
        return persistent_token(self)

    def __reduce__(self):
        return _reopen, (type(self), self._path, "r" if self._mode == "r" else "r+",
                         self._fsync, self._synchronizer)


class SynchronizedPersistentArray(PersistentArray):
    """A :class:`PersistentArray` whose chunks lock across each read-modify-write:
    threads always, processes too with a :class:`ProcessSynchronizer`."""

    _chunk_class = SynchronizedPersistentChunk
    _synchronized = True


class LazyPersistentArray(PersistentArray):
    """A :class:`PersistentArray` that keeps no chunk objects: each access makes
    the one it needs, so an array of 10^9 chunks opens at once in constant
    memory; ``nchunks_initialized`` lists the chunk files.

    Examples
    --------
    >>> import tempfile, zarr
    >>> z = zarr.open(tempfile.mkdtemp() + "/big.zarr", mode="w", shape=(1e8, 1e7), dtype="i4",
    ...               chunks=(1000, 1000), lazy=True)
    >>> print(repr(z).splitlines()[2])
      nbytes: 3.6P; cbytes: 0; initialized: 0/1000000000
    """

    def _chunk(self, key):
        return self._new_chunk(key)

    def _drop_chunk(self, key):
        self._new_chunk(key).clear()


class SynchronizedLazyPersistentArray(LazyPersistentArray):
    """A :class:`LazyPersistentArray` with the locks of :class:`SynchronizedPersistentArray`.

    Its chunk objects are made afresh on each access and take their thread
    lock from the process's fixed table of locks: constant memory whatever
    the number of chunks.
    """

    _chunk_class = SynchronizedPersistentChunk
    _synchronized = True


def _class_for(synchronized, lazy):
    if lazy:
        return SynchronizedLazyPersistentArray if synchronized else LazyPersistentArray
    return SynchronizedPersistentArray if synchronized else PersistentArray


def _read_metadata(path):
    where = os.path.join(path, ARRAY_META)
    text = read_text(where)
    if text is None:
        raise FileNotFoundError(errno.ENOENT, "no array (no %s) at" % ARRAY_META, path)
    return parse_array_metadata(text, where)


def _reopen(cls, path, mode, fsync, synchronizer):
    meta = _read_metadata(path)
    return cls(path, mode, meta, fsync, synchronizer)


def _is_array_directory(path):
    return os.path.isfile(os.path.join(path, ARRAY_META))


#: The file a creation in mode 'w-' holds while it writes the metadata.
CLAIM = ".zarray.claim"


def _claim(path):
    """Claim the empty directory ``path`` for a new array (mode 'w-'): its claim
    file is made exclusively, so of creators racing for one path exactly one
    goes on; the others raise. The caller removes the claim once ``.zarray``
    is written."""
    claim = os.path.join(path, CLAIM)
    try:
        os.close(os.open(claim, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
    except FileExistsError:
        raise ContainsArrayError(errno.EEXIST, "an array is being made at", path) from None
    others = [name for name in os.listdir(path) if name != CLAIM]
    if others:
        os.remove(claim)
        if ARRAY_META in others:
            raise ContainsArrayError(errno.EEXIST, "an array exists at", path)
        raise FileExistsError(errno.EEXIST, "not an empty directory: refusing to create an "
                              "array in it (mode 'w-')", path)
    return claim


def _clear_directory(path):
    """Remove an array or group directory's content, refusing any other directory
    (a claim left by a creation that was killed counts as ours)."""
    names = os.listdir(path)
    others = [name for name in names if name != CLAIM]
    if others and not (ARRAY_META in others or GROUP_META in others):
        raise FileExistsError(errno.EEXIST, "not an empty directory nor an array or group: "
                              "refusing to overwrite", path)
    for name in names:
        full = os.path.join(path, name)
        if os.path.isdir(full) and not os.path.islink(full):
            shutil.rmtree(full)
        else:
            os.remove(full)


def _check_given(meta, path, shape, dtype, chunks, options):
    """A ValueError when arguments given to open contradict an existing array."""
    problems = []
    if shape is not None and normalize_shape(shape) != meta["shape"]:
        problems.append("shape %s, not %s" % (meta["shape"], normalize_shape(shape)))
    if dtype is not None and np.dtype(dtype) != meta["dtype"]:
        problems.append("dtype %s, not %s" % (meta["dtype"], np.dtype(dtype)))
    if chunks is not None:
        given = normalize_chunks(chunks, meta["shape"], meta["dtype"].itemsize)
        if given != meta["chunks"]:
            problems.append("chunks %s, not %s" % (meta["chunks"], given))
    for name, value in options.items():
        if value is _UNSET:
            continue
        have = meta[name]
        same = (have == value or (isinstance(have, float) and isinstance(value, float)
                                  and np.isnan(have) and np.isnan(value)))
        if not same:
            problems.append("%s %r, not %r" % (name, have, value))
    if problems:
        raise ValueError("the array at %s has %s" % (path, "; ".join(problems)))


def open(path, mode="a", shape=None, dtype=None, chunks=None, cname=_UNSET, clevel=_UNSET,
         shuffle=_UNSET, fill_value=_UNSET, synchronized=True, lazy=False, blocksize=None,
         dimension_separator=".", fsync=False, process_sync=False, synchronizer=None,
         object_codec="msgpack2", threads=None):
    """Open or create an array in a directory of the Zarr v2 format, or open a group.

    A directory holding a group (``.zgroup``) opens as a :class:`zarr.Group`
    in modes 'r', 'r+' and 'a' (see :func:`zarr.open_group`); mode 'w'
    replaces it with the new array.

    Parameters
    ----------
    path : str or path-like
        The array's directory.
    mode : {'r', 'r+', 'a', 'w', 'w-'}
        'r' read only and 'r+' read and write an existing array
        (FileNotFoundError when there is none); 'a' (the default) opens it or
        creates it; 'w' creates it, replacing what was there; 'w-' creates it
        and fails if it exists (FileExistsError).
    shape, dtype, chunks : optional
        Required to create; when opening, a value that contradicts the array
        raises ValueError.
    cname, clevel, shuffle, fill_value, blocksize
        Compression and fill options to create with ('blosclz', 5, 1, 0 of
        the dtype, blosc's block size); ``cname=None`` stores chunks
        uncompressed.
    synchronized : bool
        Lock each chunk across read-modify-write in threads (default True).
    lazy : bool
        Keep no chunk objects: for arrays of very many chunks.
    dimension_separator : {'.', '/'}
        How chunk keys join grid indices when creating ('/' nests directories).
    fsync : bool
        Sync each chunk and metadata file to disk before a write returns.
    process_sync : bool
        Lock chunks across processes too, with file locks in ``<path>.sync``
        beside the array; or pass a :class:`ProcessSynchronizer` as
        ``synchronizer``. Needed when several processes write regions that
        share chunks; chunk-aligned writes need none.
    object_codec : {'msgpack2', 'vlen-utf8', 'vlen-bytes'}
        How an object array encodes its elements when it is created.
    threads : int, optional
        How many threads a read or write of many chunks uses (compression
        and file work); None (default) follows :func:`zarr.get_threads`.

    Examples
    --------
    >>> import tempfile, zarr
    >>> path = tempfile.mkdtemp() + "/example.zarr"
    >>> z = zarr.open(path, shape=(10000, 1000), dtype="i4", chunks=(1000, 100))
    >>> z[:] = np.arange(10000000, dtype="i4").reshape(10000, 1000)
    >>> zarr.open(path, mode="r")[9999, -1]
    np.int32(9999999)
    """
    path = os.fspath(path)
    if mode not in MODES:
        raise ValueError("mode must be one of %s, not %r" % (", ".join(MODES), mode))
    threads = check_threads(threads)
    if synchronizer is None and process_sync:
        synchronizer = ProcessSynchronizer(path.rstrip("/" + os.sep) + ".sync")
    if synchronizer is not None and not synchronized:
        raise ValueError("a process synchronizer needs synchronized=True")
    if os.path.isfile(os.path.join(path, GROUP_META)) and mode != "w":
        given = [name for name, value in (("cname", cname), ("clevel", clevel),
                                          ("shuffle", shuffle), ("fill_value", fill_value))
                 if value is not _UNSET]
        return _open_existing_group(path, mode, shape, dtype, chunks, given, synchronized, lazy,
                                    fsync, process_sync, threads)
    exists = _is_array_directory(path)
    if mode in ("r", "r+") and not exists:
        raise FileNotFoundError(errno.ENOENT, "no array (no %s) at" % ARRAY_META, path)
    if mode == "w-" and exists:
        raise ContainsArrayError(errno.EEXIST, "an array exists at", path)
    if exists and mode != "w":
        meta = _read_metadata(path)
        _check_given(meta, path, shape, dtype, chunks,
                     {"cname": cname, "clevel": clevel, "shuffle": shuffle,
                      "fill_value": fill_value})
    else:
        if shape is None:
            raise TypeError("shape is required to create an array at %s (zarr.open_group "
                            "makes a group)" % path)
        if dimension_separator not in (".", "/"):
            raise ValueError("dimension_separator must be '.' or '/', not %r"
                             % (dimension_separator,))
        # An array in memory checks every option before anything is written.
        proto = Array(shape, dtype, chunks, "blosclz" if cname is _UNSET else cname,
                      5 if clevel is _UNSET else clevel, 1 if shuffle is _UNSET else shuffle,
                      None if fill_value is _UNSET else fill_value, blocksize, object_codec)
        meta = {"shape": proto.shape, "dtype": proto.dtype, "chunks": proto.chunks,
                "cname": proto.cname, "clevel": proto.clevel, "shuffle": proto.shuffle,
                "blocksize": proto.blocksize, "fill_value": proto.fill_value,
                "dimension_separator": dimension_separator, "object_codec": object_codec}
        if os.path.isdir(path):
            if mode != "w-":
                _clear_directory(path)
        elif os.path.exists(path):
            raise FileExistsError(errno.EEXIST, "a file is in the way", path)
        else:
            os.makedirs(path, exist_ok=True)
        claim = _claim(path) if mode == "w-" else None
        try:
            write_text_atomic(os.path.join(path, ATTRS), "{}\n", fsync)
            write_text_atomic(os.path.join(path, ARRAY_META),
                              dumps(array_metadata(meta["shape"], meta["dtype"], meta["chunks"],
                                                   meta["cname"], meta["clevel"],
                                                   meta["shuffle"], meta["blocksize"],
                                                   meta["fill_value"], dimension_separator,
                                                   object_codec)), fsync)
        finally:
            if claim is not None:
                os.remove(claim)
    return _class_for(synchronized, lazy)(path, mode, meta, fsync, synchronizer, threads)


def _open_existing_group(path, mode, shape, dtype, chunks, given, synchronized, lazy, fsync,
                         process_sync, threads):
    from zarr.hierarchy import open_group
    if mode == "w-":
        raise ContainsGroupError(errno.EEXIST, "a group is at", path)
    if shape is not None or dtype is not None or chunks is not None or given:
        raise ContainsGroupError(errno.EEXIST, "a group, not an array, is at", path)
    return open_group(path, mode, synchronized=synchronized, lazy=lazy, fsync=fsync,
                      process_sync=process_sync, threads=threads)


def open_like(a, path, mode="a", **kwargs):
    """Open or create an array at ``path`` with the shape, dtype, chunks and
    compression of ``a``; keyword arguments as :func:`open` override them.

    Examples
    --------
    >>> import tempfile, zarr
    >>> z = zarr.open_like(zarr.zeros((5, 5), chunks=2), tempfile.mkdtemp() + "/b.zarr")
    >>> z.chunks
    (2, 2)
    """
    like = {"shape": a.shape, "dtype": a.dtype}
    if isinstance(getattr(a, "chunks", None), tuple):
        like["chunks"] = a.chunks
    for name in ("cname", "clevel", "shuffle", "fill_value", "blocksize"):
        if hasattr(a, name):
            like[name] = getattr(a, name)
    like.update(kwargs)
    return open(path, mode, **like)
