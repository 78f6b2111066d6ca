"""Arrays in stores that outlive them (directories, mappings): the persistent
kinds, and the modes that open or create them."""

import errno
import os

import numpy as np

from zarr.codecs import DEFAULT, codec_of, filters_of
from zarr.core import Array, SynchronizedArray
from zarr.options import (metadata_of, new_metadata, new_metadata_v3, read_metadata,
                          write_new_metadata)
from zarr.errors import ContainsArrayError, ContainsGroupError, MetadataError
from zarr.meta import dumps
from zarr.meta3 import dumps_v3
from zarr.objects import object_options
from zarr.parallel import check_threads
from zarr.storage import (ARRAY_META, ATTRS, GROUP_META, V3_META, LocalStore, MemoryStore,
                          describe_node, join_key, node_format, node_kind)
from zarr.storage.memory import this_process
from zarr.sync import ProcessSynchronizer, cluster_synchronizer
from zarr.tokens import persistent_token
from zarr.util import normalize_chunks, normalize_resize, normalize_shape

MODES = ("r", "r+", "a", "w", "w-")

#: How many directory entries the sweep on opening an array looks at, at most.
OPEN_SWEEP_BUDGET = 256


def sweep_cheaply(store, path):
    """Remove the temporary files that killed writers left in the array's
    directories, if they are small (see :meth:`zarr.storage.LocalStore.sweep_partials`):
    at most :data:`OPEN_SWEEP_BUDGET` entries are looked at, and failing
    never stops the caller."""
    sweep = getattr(store, "sweep_partials", None)
    if sweep is not None and not store.read_only:
        try:
            sweep(path, budget=OPEN_SWEEP_BUDGET)
        except OSError:
            pass


class PersistentArray(Array):
    """An array whose chunks are values of a store: in a directory (one file
    per chunk, the Zarr v2 format), or any store of :mod:`zarr.storage`.

    Every write is in the store when the call returns: there is nothing to
    close. Open one with :func:`zarr.open`.

    Examples
    --------
    >>> import tempfile, zarr
    >>> path = tempfile.mkdtemp() + "/example.zarr"
    >>> z = zarr.open(path, mode="w", shape=(100, 10), dtype="i4", chunks=(10, 10))
    >>> z[:] = 1
    >>> int(zarr.open(path, mode="r")[...].sum())
    1000
    """

    @property
    def path(self):
        """The array's directory in a directory store, else its path in the store."""
        directory = getattr(self._store, "directory", None)
        return directory(self._key_prefix) if directory is not None else self._key_prefix

    @property
    def mode(self):
        return self._mode

    def _summary_lines(self):
        where = ("path: %s" % self.path if isinstance(self._store, LocalStore)
                 else "store: %r; path: %r" % (self._store, self._key_prefix))
        return Array._summary_lines(self) + ["  mode: %s; %s" % (self._mode, where)]

    def _describe(self):
        return "at %s" % self.path if isinstance(self._store, LocalStore) else \
            Array._describe(self)

    def resize(self, *shape):
        """Change the shape; see :meth:`zarr.Array.resize`.

        In a directory, the temporary files that writers killed mid-write
        left are removed too (see :meth:`zarr.storage.LocalStore.sweep_partials`):
        all of them when the array shrinks (whose chunks are listed anyway);
        as on opening when it grows. A shrink that would delete through a
        symbolic link to a directory inside the array raises first.
        """
        sweep = getattr(self._store, "sweep_partials", None)
        if sweep is not None and not self._store.read_only and self._mode != "r":
            new = normalize_resize(shape, self.ndim)
            if any(n < o for n, o in zip(new, self._shape)):
                sweep(self._key_prefix, refuse_links=True)
            else:
                sweep_cheaply(self._store, self._key_prefix)
        return Array.resize(self, *shape)

    def __dask_tokenize__(self):
        return persistent_token(self)

    def __reduce__(self):
        # A pickle holds the store, the path and the synchronizer, and
        # reopens the array (in mode 'r' if it was read-only, else 'r+'). A
        # synchronized array's copies go to other processes (dask's workers,
        # multiprocessing), so its thread locks become process locks, in this
        # handle too, so that its own writes and its copies' exclude each other:
        # file locks in a directory store, else the cluster's locks when this
        # process is part of a dask.distributed cluster.
        sync = self._synchronizer
        if (sync is not None and not getattr(sync, "across_processes", False)
                and self._mode != "r" and not self._store.process_local):
            lock_dir = process_lock_directory(self._store, self._key_prefix)
            wider = ProcessSynchronizer(lock_dir) if lock_dir is not None else \
                cluster_synchronizer()
            if wider is not None:
                sync = self._synchronizer = wider
                self.__dict__.pop("_attrs", None)  # its lock changes too
        return _reopen, (type(self), self._store, self._key_prefix,
                         "r" if self._mode == "r" else "r+", sync, self._threads,
                         this_process(), self._settings())


class SynchronizedPersistentArray(PersistentArray):
    """A :class:`PersistentArray` whose chunks lock across each read-modify-write:
    threads always, processes too with a :class:`ProcessSynchronizer`.

    Pickled (to be sent to other processes: dask's workers, a
    multiprocessing pool; ``copy.deepcopy`` too), an array in a directory takes a
    :class:`ProcessSynchronizer` with its lock files in ``<path>.sync``
    beside the array, as ``process_sync=True`` gives, unless it has one: the
    copies lock chunks across processes, and so does the handle that was
    pickled, from then on (other handles opened on the array in this process
    do not: open them with ``process_sync=True``). An array in another store
    (object storage), pickled in a process of a dask.distributed cluster (a
    client's or a worker's), takes a :class:`zarr.DistributedSynchronizer`
    the same way. Elsewhere such an array
    cannot lock across processes: a copy unpickled in another process is a
    :class:`PersistentArray` (or :class:`LazyPersistentArray`), which
    promises no locks, and writes that share chunks with other processes'
    can lose updates there. A store in memory refuses writes in such copies
    (see :class:`zarr.storage.MemoryStore`). Read-only arrays travel as they
    are.
    """

    _synchronized = True


class LazyPersistentArray(PersistentArray):
    """A :class:`PersistentArray` for arrays of very many chunks: it keeps no
    state per chunk (no array here does), so an array of 10^9 chunks opens at
    once in constant memory; ``nchunks_initialized`` lists the stored chunks.

    Examples
    --------
    >>> import tempfile, zarr
    >>> z = zarr.open(tempfile.mkdtemp() + "/big.zarr", mode="w", shape=(1e8, 1e7), dtype="i4",
    ...               chunks=(1000, 1000), lazy=True)
    >>> print(repr(z).splitlines()[2])
      nbytes: 3.6P; cbytes: 0; initialized: 0/1000000000
    """


class SynchronizedLazyPersistentArray(LazyPersistentArray):
    """A :class:`LazyPersistentArray` with the locks of :class:`SynchronizedPersistentArray`:
    its chunk locks come from the process's fixed table of locks."""

    _synchronized = True


def _reopen(cls, store, path, mode, synchronizer, threads, origin=None, settings=None):
    try:
        z = _reopened(cls, store, path, mode, synchronizer, threads, origin)
    except Exception as exc:
        # Raised here, while unpickling, the error would never reach the caller
        # of a dask.distributed computation (a worker that fails to unpickle a
        # task loses its scheduler's connection, and the computation waits).
        return UnopenedArray((cls, store, path, mode, synchronizer, threads, origin,
                              settings), exc)
    z._apply_settings(settings)
    return z


class UnopenedArray:
    """What a pickled array unpickles as when it cannot be reopened (its
    metadata gone or unreadable, its store refusing): every use raises the
    error of the reopening, of its own type, and a pickle of it tries the
    reopening again where it lands.

    Examples
    --------
    >>> import pickle, shutil, tempfile, zarr
    >>> path = tempfile.mkdtemp() + "/gone.zarr"
    >>> blob = pickle.dumps(zarr.open(path, mode="w", shape=4, chunks=2))
    >>> shutil.rmtree(path)
    >>> z = pickle.loads(blob)
    >>> z[0]  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    FileNotFoundError: ...
    """

    def __init__(self, args, error):
        self.__dict__["_args"] = args
        self.__dict__["_error"] = error
        self.__dict__["_traceback"] = error.__traceback__

    def _raise(self, *args, **kwargs):
        # The reopening's traceback each time: a raise of the same error adds frames to it.
        raise self.__dict__["_error"].with_traceback(self.__dict__["_traceback"])

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        self._raise()

    __getitem__ = __setitem__ = __array__ = __len__ = __iter__ = _raise

    def __setattr__(self, name, value):
        self._raise()

    def __reduce__(self):
        return _reopen, self.__dict__["_args"]

    def __repr__(self):
        error = self.__dict__["_error"]
        return "<zarr array not reopened: %s: %s>" % (type(error).__name__, error)


def _reopened(cls, store, path, mode, synchronizer, threads, origin):
    if (synchronizer is not None and not getattr(synchronizer, "across_processes", False)
            and mode != "r" and origin is not None and tuple(origin) != this_process()
            and not store.process_local):
        # Thread locks here would not exclude the other processes' writes.
        cls, synchronizer = _UNSYNCHRONIZED.get(cls, cls), None
    return cls._over(store, path, mode, read_metadata(store, path), synchronizer, threads)


_UNSYNCHRONIZED = {SynchronizedPersistentArray: PersistentArray,
                   SynchronizedLazyPersistentArray: LazyPersistentArray}


def array_class(store, synchronized, lazy):
    """The kind of array over ``store``: in memory, or persistent (lazy or not)."""
    if isinstance(store, MemoryStore):
        return SynchronizedArray if synchronized else Array
    if lazy:
        return SynchronizedLazyPersistentArray if synchronized else LazyPersistentArray
    return SynchronizedPersistentArray if synchronized else PersistentArray


def default_synchronizer(store, path, synchronized, process_sync, synchronizer):
    """The synchronizer an array opened with these options gets."""
    if synchronizer is not None:
        if not synchronized:
            raise ValueError("a synchronizer needs synchronized=True")
        if not all(callable(getattr(synchronizer, name, None))
                   for name in ("chunk_lock", "array_lock")):
            raise TypeError("a synchronizer gives chunk_lock and array_lock (a "
                            "zarr.ThreadSynchronizer or zarr.ProcessSynchronizer), not %r"
                            % (synchronizer,))
        return synchronizer
    if process_sync:
        if not synchronized:
            raise ValueError("a process synchronizer needs synchronized=True")
        lock_dir = process_lock_directory(store, path)
        if lock_dir is None:
            raise ValueError("process_sync=True keeps lock files beside an array in a "
                             "directory; give a zarr.ProcessSynchronizer(path) for %r" % (store,))
        return ProcessSynchronizer(lock_dir)
    return None


def process_lock_directory(store, path):
    """Where the process locks of the array at ``path`` live: ``<directory>.sync``
    beside it in a directory store; None in any other store."""
    if not isinstance(store, LocalStore):
        return None
    return store.directory(path).rstrip("/" + os.sep) + ".sync"



def refuse_v3(store, path, kind):
    """ContainsGroupError for a Zarr v3 node (``zarr.json``) at ``path``, which
    this version neither reads nor writes into, in every mode."""
    if kind is None and join_key(path, V3_META) in store:
        raise ContainsGroupError(errno.EEXIST, "a Zarr v3 node (zarr.json), which this "
                                 "version does not read or write, is at",
                                 describe_node(store, path))


def check_given(meta, where, shape, dtype, chunks, options):
    """A ValueError when arguments given to open contradict an existing array."""
    problems = []
    if shape is not None and normalize_shape(shape) != meta["shape"]:
        problems.append("shape %s, not %s" % (meta["shape"], normalize_shape(shape)))
    if dtype is not None and np.dtype(dtype) != meta["dtype"]:
        problems.append("dtype %s, not %s" % (meta["dtype"], np.dtype(dtype)))
    if chunks is not None:
        given = normalize_chunks(chunks, meta["shape"], meta["dtype"].itemsize)
        have = meta.get("inner_chunks") or meta["chunks"]
        if given != have:
            problems.append("chunks %s, not %s" % (have, given))
    codec = meta["compressor"]
    have_options = {"cname": getattr(codec, "cname", None),
                    "clevel": getattr(codec, "clevel", 0),
                    "shuffle": getattr(codec, "shuffle", 0),
                    "compressor": codec, "fill_value": meta["fill_value"],
                    "filters": list(meta.get("filters", ())) or None}
    for name, value in options.items():
        have = have_options[name]
        same = (have == value or (isinstance(have, float) and isinstance(value, float)
                                  and np.isnan(have) and np.isnan(value)))
        if not same:
            problems.append("%s %r, not %r" % (name, have, value))
    if problems:
        raise ValueError("the array at %s has %s" % (where, "; ".join(problems)))


def clear_node(store, path):
    """Remove the array or group at ``path``, refusing anything else that is there."""
    names = store.list_dir(path)
    ours = {ARRAY_META, GROUP_META, ATTRS, V3_META}
    if names and not (ARRAY_META in names or GROUP_META in names or V3_META in names
                      or set(names) <= ours):
        raise FileExistsError(errno.EEXIST, "not empty nor an array or group: refusing to "
                              "overwrite", describe_node(store, path))
    if names:
        store.delete_prefix(path)


def _check_nothing_in_the_way(store, path):
    if path and path in store:
        raise FileExistsError(errno.EEXIST, "a value is in the way", describe_node(store, path))
    if isinstance(store, LocalStore):
        where = store.directory(path)
        if os.path.lexists(where) and not os.path.isdir(where):
            raise FileExistsError(errno.EEXIST, "a file is in the way", where)


def create_array(store, path, mode, shape, dtype=None, chunks=None, compressor=None,
                 fill_value=None, dimension_separator=None, object_codec=None, filters=(),
                 zarr_format=2, codecs=None, chunk_key_encoding=None, dimension_names=None,
                 shards=None):
    """Write the metadata of a new array at ``path`` in mode 'w' (replacing an
    array or group there) or 'w-' (refusing anything there); its options.

    Every option is checked before anything is written. In mode 'w-', of
    creators racing for one path exactly one goes on (the ``.zarray`` or
    ``zarr.json`` is stored only if absent), and nothing another creator
    made is removed. ``zarr_format=3`` makes a v3 array (``codecs``,
    ``chunk_key_encoding``, ``dimension_names`` and ``shards`` are its options).
    """
    dtype, object_codec, fill_value = object_options(dtype, object_codec, fill_value)
    meta = _new_options(store, shape, dtype, chunks, compressor, fill_value,
                        dimension_separator, object_codec, filters, zarr_format, codecs,
                        chunk_key_encoding, dimension_names, shards)
    _check_nothing_in_the_way(store, path)
    if mode == "w":
        clear_node(store, path)
        write_new_metadata(store, path, meta)
        return meta
    kind, found = node_format(store, path)
    if kind == "array":
        raise ContainsArrayError(errno.EEXIST, "an array (Zarr v%d) exists at" % found,
                                 describe_node(store, path))
    if kind == "group":
        raise ContainsGroupError(errno.EEXIST, "a group (Zarr v%d) is at" % found,
                                 describe_node(store, path))
    if set(store.list_dir(path)) - {ATTRS}:
        raise FileExistsError(errno.EEXIST, "not empty: refusing to create an array in it "
                              "(mode 'w-')", describe_node(store, path))
    if meta.get("zarr_format") == 3:
        key, text = join_key(path, V3_META), dumps_v3(metadata_of(meta)).encode()
    else:
        store.set(join_key(path, ATTRS), b"{}\n")
        key, text = join_key(path, ARRAY_META), dumps(metadata_of(meta)).encode()
    claim = getattr(store, "set_if_absent", None)
    if claim is not None:
        if not claim(key, text):
            raise ContainsArrayError(errno.EEXIST, "an array was made meanwhile at",
                                     describe_node(store, path))
    else:
        store.set(key, text)
    return meta


def _new_options(store, shape, dtype, chunks, compressor, fill_value, dimension_separator,
                 object_codec, filters, zarr_format, codecs, chunk_key_encoding,
                 dimension_names, shards):
    if zarr_format not in (2, 3):
        raise ValueError("zarr_format must be 2 or 3, not %r" % (zarr_format,))
    if zarr_format == 2:
        given = [name for name, value in (("codecs", codecs),
                                          ("chunk_key_encoding", chunk_key_encoding),
                                          ("dimension_names", dimension_names),
                                          ("shards", shards))
                 if value is not None]
        if given:
            raise TypeError("%s: options of Zarr v3 arrays (give zarr_format=3)"
                            % ", ".join(given))
        if dimension_separator is None:
            dimension_separator = getattr(store, "dimension_separator", ".")
        return new_metadata(shape, dtype, chunks, compressor, fill_value, dimension_separator,
                            object_codec, filters)
    if filters:
        raise TypeError("a Zarr v3 array has no filters: give its codecs (codecs=)")
    if dimension_separator is not None:
        # The separator of the encoding named (default: "default").
        if isinstance(chunk_key_encoding, dict):
            raise TypeError("give chunk_key_encoding as a dict or dimension_separator, not "
                            "both")
        chunk_key_encoding = {"name": chunk_key_encoding or "default", "configuration":
                              {"separator": dimension_separator}}
    if codecs is not None and compressor is not None:
        raise TypeError("give codecs or a compressor, not both")
    return new_metadata_v3(shape, dtype, chunks, compressor, fill_value, object_codec, codecs,
                           chunk_key_encoding, dimension_names, shards)


def open_array(store, path="", mode="a", shape=None, dtype=None, chunks=None, cname=DEFAULT,
               clevel=DEFAULT, shuffle=DEFAULT, fill_value=DEFAULT, synchronized=True,
               lazy=False, blocksize=DEFAULT, dimension_separator=None, process_sync=False,
               synchronizer=None, object_codec=None, threads=None, compressor=DEFAULT,
               filters=None, zarr_format=None, codecs=None, chunk_key_encoding=None,
               dimension_names=None, shards=None):
    """The array at ``path`` in ``store``, opened or created as ``mode`` says;
    the options of :func:`zarr.open`, but for a group at ``path``.

    The compression, filter and fill options given must match an existing
    array. An existing array is opened in the format it is stored in;
    ``zarr_format`` (2, the default for a new array, or 3), when given, must
    be that format.
    """
    if mode not in MODES:
        raise ValueError("mode must be one of %s, not %r" % (", ".join(MODES), mode))
    threads = check_threads(threads)
    sync = default_synchronizer(store, path, synchronized, process_sync, synchronizer)
    kind, found = node_format(store, path)
    if found is not None and kind is None:
        raise MetadataError("%s: a zarr.json that is not the metadata of a Zarr v3 array or "
                            "group" % describe_node(store, join_key(path, V3_META)))
    if kind == "array" and zarr_format not in (None, found) and mode != "w":
        raise ContainsArrayError(errno.EEXIST, "a Zarr v%d array, not v%d (zarr_format=%d), "
                                 "is at" % (found, zarr_format, zarr_format),
                                 describe_node(store, path))
    if mode in ("r", "r+") and kind != "array":
        raise FileNotFoundError(errno.ENOENT, "no array (no %s nor %s) at"
                                % (ARRAY_META, V3_META), describe_node(store, path))
    if mode == "w-" and kind == "array":
        raise ContainsArrayError(errno.EEXIST, "an array exists at", describe_node(store, path))
    if kind == "array" and mode not in ("w", "w-"):
        meta = read_metadata(store, path)
        given = {name: value for name, value in (("cname", cname), ("clevel", clevel),
                                                 ("shuffle", shuffle),
                                                 ("fill_value", fill_value),
                                                 ("compressor", compressor))
                 if value is not DEFAULT}
        if "compressor" in given:
            given["compressor"] = codec_of(compressor)
        if filters is not None:
            given["filters"] = list(filters_of(filters)) or None
        check_given(meta, describe_node(store, path), shape, object_options(dtype)[0], chunks,
                    given)
        if mode != "r":
            sweep_cheaply(store, path)
    else:
        if shape is None:
            raise TypeError("shape is required to create an array at %s (zarr.open_group "
                            "makes a group)" % describe_node(store, path))
        codec = None if codecs is not None and compressor is DEFAULT and all(
            v is DEFAULT for v in (cname, clevel, shuffle, blocksize)) else \
            codec_of(compressor, cname, clevel, shuffle, blocksize)
        meta = create_array(store, path, "w" if mode == "w" else "w-", shape, dtype, chunks,
                            codec, None if fill_value is DEFAULT else fill_value,
                            dimension_separator, object_codec, filters_of(filters),
                            2 if zarr_format is None else zarr_format, codecs,
                            chunk_key_encoding, dimension_names, shards)
    cls = array_class(store, synchronized, lazy)
    return cls._over(store, path, mode, meta, sync, threads)
