"""A store around another store, or around any mutable mapping of bytes."""

from collections.abc import MutableMapping

from zarr.storage.base import Store
from zarr.storage.memory import copied_from_live_process, copy_refuses, this_process


class WrapperStore(Store):
    """The keys of ``store``, which may be a :class:`Store` or any
    ``MutableMapping`` from string keys to bytes (a ``dict``, a ``shelve``).

    Around a store, every method passes through, so a subclass can watch or
    change what the arrays ask of it (count calls, add latency, refuse keys).
    Around a mapping, a value that is not bytes-like raises a TypeError that
    names its key; ``set`` is as atomic as the mapping's ``__setitem__``
    (a ``dict``'s is); ``rename`` copies then deletes. Around a ``dict``,
    a pickled copy is a copy of the dict, which refuses writes as a
    :class:`MemoryStore`'s copy does while the original's process runs.

    Examples
    --------
    >>> d = {}
    >>> store = WrapperStore(d)
    >>> store["0.0"] = b"abc"
    >>> d, store.get_ranges("0.0", [(1, 2)])
    ({'0.0': b'abc'}, [b'bc'])
    """

    _origin = None  # the process of the original dict, for a copy that refuses writes

    def __init__(self, store):
        if not isinstance(store, MutableMapping):
            raise TypeError("a store wraps a store or a MutableMapping, not %s"
                            % type(store).__name__)
        self._store = store

    @property
    def store(self):
        """The wrapped store or mapping."""
        return self._store

    @property
    def _inner_store(self):
        return self._store if isinstance(self._store, Store) else None

    @property
    def read_only(self):
        inner = self._inner_store
        return inner.read_only if inner is not None else self._read_only

    _read_only = False  # around a mapping: the flag of with_read_only

    def with_read_only(self, read_only=True):
        """This wrapper over the same keys, refusing writes (or not)."""
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__)
        inner = self._inner_store
        if inner is not None:
            copy._store = inner.with_read_only(read_only)
        else:
            copy._read_only = bool(read_only)
        return copy

    @property
    def supports_partial_reads(self):
        inner = self._inner_store
        return inner.supports_partial_reads if inner is not None else False

    @property
    def supports_rename(self):
        inner = self._inner_store
        return inner.supports_rename if inner is not None else False

    @property
    def supports_deletes(self):
        inner = self._inner_store
        return inner.supports_deletes if inner is not None else True

    @property
    def process_local(self):
        inner = self._inner_store
        return inner.process_local if inner is not None else isinstance(self._store, dict)

    @property
    def io_threads(self):
        inner = self._inner_store
        return inner.io_threads if inner is not None else 1

    @property
    def list_sizes(self):
        """The wrapped store's one-listing ``list_sizes``; AttributeError when it has none."""
        inner = self._inner_store
        if inner is None:
            raise AttributeError("list_sizes")
        return inner.list_sizes

    def _check_writable(self, key):
        if self._origin is not None:
            raise copy_refuses(self, self._origin)
        Store._check_writable(self, key)

    def __getstate__(self):
        state = dict(self.__dict__)
        if self._inner_store is None and isinstance(self._store, dict):
            state["_origin"] = self._origin or this_process()
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        if not copied_from_live_process(self._origin):
            self._origin = None

    def _get(self, key):
        return self._store[key]

    def get_ranges(self, key, ranges):
        inner = self._inner_store
        if inner is not None:
            return inner.get_ranges(key, ranges)
        return Store.get_ranges(self, key, ranges)

    def _set(self, key, value):
        inner = self._inner_store
        if inner is not None:
            inner.set(key, value)
        else:
            self._store[key] = value if isinstance(value, bytes) else bytes(value)

    def _delete(self, key):
        del self._store[key]

    def _list(self, start):
        inner = self._inner_store
        if inner is not None:
            return inner._list(start)
        return [k for k in list(self._store.keys()) if isinstance(k, str) and k.startswith(start)]

    def list_dir(self, prefix=""):
        inner = self._inner_store
        if inner is not None:
            return inner.list_dir(prefix)
        return Store.list_dir(self, prefix)

    def getsize(self, key):
        inner = self._inner_store
        if inner is not None:
            return inner.getsize(key)
        return Store.getsize(self, key)

    def delete_prefix(self, prefix):
        inner = self._inner_store
        if inner is not None:
            return inner.delete_prefix(prefix)
        return Store.delete_prefix(self, prefix)

    def rename(self, source, dest):
        inner = self._inner_store
        if inner is not None:
            return inner.rename(source, dest)
        return Store.rename(self, source, dest)

    def stamp(self, key):
        inner = self._inner_store
        if inner is not None:
            return inner.stamp(key)
        try:
            value = self._store[key]
        except KeyError:
            return None
        return value if type(value) is bytes else bytes(memoryview(value))

    def contains_prefix(self, prefix):
        inner = self._inner_store
        if inner is not None:
            return inner.contains_prefix(prefix)
        return Store.contains_prefix(self, prefix)

    def set_if_absent(self, key, value):
        inner = self._inner_store
        if inner is not None and hasattr(inner, "set_if_absent"):
            return inner.set_if_absent(key, value)
        if key in self:
            return False
        self.set(key, value)
        return True

    def prune(self, prefix=""):
        inner = self._inner_store
        if inner is not None:
            inner.prune(prefix)

    def sweep_partials(self, prefix="", budget=None, refuse_links=False):
        """The inner store's ``sweep_partials`` (a directory's), else nothing to do."""
        sweep = getattr(self._inner_store, "sweep_partials", None)
        return sweep(prefix, budget, refuse_links) if sweep is not None else []

    def describe_key(self, key):
        inner = self._inner_store
        if inner is not None:
            return inner.describe_key(key)
        return "key %r of a %s" % (key, type(self._store).__name__)

    def lock_identity(self, key):
        inner = self._inner_store
        if inner is not None:
            return inner.lock_identity(key)
        return ("mapping", id(self._store), key)

    def close(self):
        inner = self._inner_store
        if inner is not None:
            inner.close()

    def __eq__(self, other):
        return type(other) is type(self) and other._store is self._store

    def __hash__(self):
        return hash((type(self), id(self._store)))

    def __repr__(self):
        return "%s(%s)" % (type(self).__name__, repr(self._store) if self._inner_store
                           else type(self._store).__name__)
