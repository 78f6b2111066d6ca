"""A store in memory: a dict of bytes, and what becomes of one sent to
another process (a copy, which refuses writes while its original lives)."""

import os
import socket
import threading
import uuid

from zarr.errors import ReadOnlyError
from zarr.storage.base import Store, check_value, normalize_key, normalize_prefix


def this_process():
    """(host name, pid) of this process: where a pickle was made."""
    return socket.gethostname(), os.getpid()


def copied_from_live_process(origin):
    """Whether ``origin`` (a :func:`this_process` of the process that pickled
    a store) is another process, still running on this host: then the bytes
    unpickled here are a copy that the original will never see changed."""
    if origin is None:
        return False
    host, pid = origin
    if host != socket.gethostname() or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # running, as another user
    except OSError:
        return False
    return True


def copy_refuses(store, origin):
    """The ReadOnlyError of a write to ``store``, a copy of one in process ``origin``."""
    host, pid = origin
    return ReadOnlyError(
        "%r is a copy, unpickled in process %d, of a store in memory of process %d on %s, "
        "which is still running: writes to the copy would never reach the original. Arrays "
        "that several processes write belong in a directory (zarr.open(path, ...), "
        "synchronized across processes when pickled); for an in-memory array of this "
        "process's own, copy it (zarr.array(copy))." % (store, os.getpid(), pid, host))


class MemoryStore(Store):
    """Keys and their bytes in a dict, in this process.

    Every method holds the store's lock, so ``set`` is atomic and a
    ``rename`` moves a node in one step for every thread. Values are kept as
    immutable ``bytes``.

    A memory store pickles as its keys and values and the process that
    pickled it. Unpickled in the same process (``copy.deepcopy``), or after
    that process ended (a pickle file read later), or on another host, the
    copy is a store of its own. Unpickled in another process on this host
    while the original's process runs (a worker of multiprocessing or of
    dask), the copy refuses every change with :class:`zarr.ReadOnlyError`
    saying why: the writes would never reach the original.

    Parameters
    ----------
    store_dict : dict, optional
        Keys and values to start with (copied).
    read_only : bool
        Refuse every change with :class:`zarr.ReadOnlyError`.

    Examples
    --------
    >>> store = MemoryStore()
    >>> store["x/.zarray"] = b"{}"
    >>> store.list_dir(), store.getsize("x/.zarray")
    (['x'], 2)
    """

    supports_rename = True
    process_local = True

    def __init__(self, store_dict=None, read_only=False):
        self._origin = None  # the process of the original, for a copy that refuses writes
        self._values = {}
        self._lock = threading.RLock()
        self._uid = uuid.uuid4().hex
        self.read_only = bool(read_only)
        for key, value in (store_dict or {}).items():
            key = normalize_key(key)
            self._values[key] = bytes(check_value(key, value))

    def _get(self, key):
        return self._values[key]

    def _set(self, key, value):
        if type(value) is not bytes:
            value = bytes(value)
        self._values[key] = value

    def _delete(self, key):
        with self._lock:
            del self._values[key]

    def _list(self, start):
        with self._lock:
            keys = list(self._values)
        return [k for k in keys if k.startswith(start)]

    def getsize(self, key):
        return len(self._values[normalize_key(key)])

    def stamp(self, key):
        # The stored bytes object itself: a new value is a new object, and an
        # unchanged one compares by identity.
        return self._values.get(key)

    def set_if_absent(self, key, value):
        """Store ``value`` at ``key`` unless a value is there; whether it was stored."""
        key = normalize_key(key)
        value = check_value(key, value)
        self._check_writable(key)
        with self._lock:
            if key in self._values:
                return False
            self._set(key, value)
            return True

    def delete_prefix(self, prefix):
        prefix = normalize_prefix(prefix)
        self._check_writable(prefix)
        with self._lock:
            Store.delete_prefix(self, prefix) if prefix else self._values.clear()

    def rename(self, source, dest):
        with self._lock:
            Store.rename(self, source, dest)

    def describe_key(self, key):
        return "key %r of a MemoryStore" % key

    def with_read_only(self, read_only=True):
        """A store over the same keys (one dict, one lock), refusing writes
        (or not).

        Examples
        --------
        >>> store = MemoryStore()
        >>> reader = store.with_read_only()
        >>> store["a"] = b"1"
        >>> reader["a"], reader.read_only
        (b'1', True)
        """
        view = object.__new__(MemoryStore)
        view.__dict__.update(self.__dict__)
        view.read_only = bool(read_only)
        return view

    def lock_identity(self, key):
        return ("memory", self._uid, key)

    def copy_prefix(self, prefix):
        """A new MemoryStore holding the keys under ``prefix``, moved to the top."""
        prefix = normalize_prefix(prefix)
        start = prefix + "/" if prefix else ""
        with self._lock:
            items = [(k[len(start):], v) for k, v in self._values.items() if k.startswith(start)]
        store = MemoryStore()
        store._values.update(items)
        store._origin = self._origin
        return store

    def _check_writable(self, key):
        if self._origin is not None:
            raise copy_refuses(self, self._origin)
        Store._check_writable(self, key)

    def __repr__(self):
        return "MemoryStore(<%d keys>)" % len(self._values)

    def __getstate__(self):
        with self._lock:
            return {"values": dict(self._values), "read_only": self.read_only,
                    "origin": self._origin or this_process()}

    def __setstate__(self, state):
        self._values = state["values"]
        self.read_only = state["read_only"]
        origin = state.get("origin")
        self._origin = origin if copied_from_live_process(origin) else None
        self._lock = threading.RLock()
        self._uid = uuid.uuid4().hex
