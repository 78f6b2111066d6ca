"""The store protocol: where the bytes of a hierarchy's keys live.

A store maps string keys in the Zarr layout (``.zarray``, ``.zattrs``,
``.zgroup``, ``0.0`` or ``0/0``, ``group/array/0.0``) to bytes. Arrays,
groups and attributes read and write through it and nothing else, so an
array works the same in memory, in a directory, or in any store written to
this protocol.

To write a store, subclass :class:`Store` and give it ``get``, ``set``,
``delete`` and ``list``; the other methods have defaults built on those
(``get_ranges`` slices ``get``, ``list_dir`` filters ``list``, ``rename``
copies then deletes). A store that can do better says so: ``get_ranges``
cheaper than ``get`` (``supports_partial_reads``), an atomic ``rename``
(``supports_rename``).
"""

import contextlib
from collections.abc import MutableMapping

from zarr.errors import ReadOnlyError

_MISSING = object()


def normalize_key(key):
    """``key`` checked: a string of components joined by ``/``, none of them
    empty, ``.`` or ``..``, and no backslash or NUL, so that no key escapes
    its store. ValueError (TypeError for a key that is not a string)
    otherwise, before any I/O.

    Examples
    --------
    >>> normalize_key("group/array/0.0")
    'group/array/0.0'
    >>> normalize_key("../x")
    Traceback (most recent call last):
    ...
    ValueError: invalid store key '../x': a component is '..'
    """
    if (type(key) is str and key and key[0] not in "./" and key[-1] != "/" and "//" not in key
            and "/." not in key and "\\" not in key and "\x00" not in key):
        return key  # no component empty or beginning with '.': the keys of chunks
    if not isinstance(key, str):
        raise TypeError("store keys are strings, not %r" % (key,))
    key = str.__str__(key)  # a plain str: a subclass's methods are not asked
    if not key:
        raise ValueError("invalid store key '': empty")
    if "\\" in key or "\x00" in key:
        raise ValueError("invalid store key %r: holds a backslash or NUL" % key)
    for part in key.split("/"):
        if part in ("", ".", ".."):
            why = "an empty component (a '/' at an end, or '//')" if not part else \
                "a component is %r" % part
            raise ValueError("invalid store key %r: %s" % (key, why))
    return key


def normalize_prefix(prefix):
    """A listing prefix: ``''`` (the whole store) or a key, a trailing ``/`` allowed."""
    if prefix is None or prefix == "":
        return ""
    if not isinstance(prefix, str):
        raise TypeError("store prefixes are strings, not %r" % (prefix,))
    return normalize_key(prefix[:-1] if prefix.endswith("/") else prefix)


def join_key(prefix, name):
    """``prefix/name``, or ``name`` when the prefix is empty."""
    return prefix + "/" + name if prefix else name


def check_value(key, value):
    """``value`` as bytes (or a bytes-like object of one contiguous byte
    buffer); TypeError naming the key otherwise."""
    if isinstance(value, bytes):
        return value
    try:
        view = memoryview(value)
    except TypeError:
        raise TypeError("a store's values are bytes: the value for %r is %s"
                        % (key, type(value).__name__)) from None
    if not view.contiguous:
        raise TypeError("the value for %r is not a contiguous buffer" % key)
    return view.cast("B") if view.format != "B" or view.ndim != 1 else view


class Store(MutableMapping):
    """The protocol every store follows, with defaults for the optional methods.

    Keys are checked by :func:`normalize_key`; values are bytes. ``get`` of
    a missing key raises KeyError (or returns ``default`` when one is
    given); only a missing key is missing: any other failure raises.

    Attributes
    ----------
    read_only : bool
        Whether ``set``, ``delete`` and ``rename`` raise :class:`zarr.ReadOnlyError`.
    supports_partial_reads : bool
        Whether ``get_ranges`` costs less than ``get`` (a chunk read that
        needs few blosc blocks then asks for ranges).
    supports_rename : bool
        Whether ``rename`` moves a node in one step.
    supports_deletes : bool
        Whether ``delete``, ``delete_prefix`` and ``rename`` can remove what
        is stored (a zip archive cannot).
    process_local : bool
        Whether the bytes live in this process's memory, so that a pickled
        copy of the store is a copy of them, not another view of the same
        bytes.
    io_threads : int
        How many requests of a read or write of many chunks the store serves
        best at once: the threads such a call uses at least, unless the call
        or the array sets ``threads`` (a store over a network: more than the
        cores, as each request mostly waits).
    """

    read_only = False
    supports_partial_reads = False
    supports_rename = False
    supports_deletes = True
    process_local = False
    io_threads = 1

    # The methods a store implements.

    def _get(self, key):
        raise NotImplementedError

    def _set(self, key, value):
        raise NotImplementedError

    def _delete(self, key):
        raise NotImplementedError

    def _list(self, prefix):
        """Every key that starts with ``prefix`` (a plain string prefix)."""
        raise NotImplementedError

    # The protocol.

    def get(self, key, default=_MISSING):
        """The bytes at ``key``; KeyError when there are none (``default`` if given)."""
        try:
            return self._get(normalize_key(key))
        except KeyError:
            if default is _MISSING:
                raise
            return default

    def get_ranges(self, key, ranges):
        """The bytes of several ``(start, length)`` ranges of the value at
        ``key``, in one call: a list of bytes, each shorter than asked where
        the value ends first. KeyError when there is no value."""
        value = self.get(key)
        return [bytes(value[start:start + length]) for start, length in ranges]

    def set(self, key, value):
        """Store ``value`` (bytes-like) at ``key``: a reader sees the old value or
        the new one, never part of either."""
        key = normalize_key(key)
        value = check_value(key, value)
        self._check_writable(key)
        self._set(key, value)

    def read_batch(self):
        """A context in which a read of many values may share what it finds
        once (the files they live in), where the store can do that for less;
        here it shares nothing."""
        return contextlib.nullcontext()

    def write_batch(self, threads=None):
        """A context in which the writes of its caller may be held and stored
        together when it ends, where the store can do that for less (a
        container of many chunks); here it holds nothing. Every value is
        stored once the context ends."""
        return contextlib.nullcontext()

    def delete(self, key):
        """Remove the value at ``key``; KeyError when there is none."""
        key = normalize_key(key)
        self._check_writable(key)
        self._delete(key)

    def list(self, prefix=""):
        """The keys under ``prefix`` (a key taken as a directory: ``'a'`` lists
        ``a/...``), sorted; every key for ``''``."""
        prefix = normalize_prefix(prefix)
        start = prefix + "/" if prefix else ""
        return sorted(self._list(start))

    def list_dir(self, prefix=""):
        """The names directly under ``prefix``: keys, and the first components of
        longer keys, sorted."""
        prefix = normalize_prefix(prefix)
        start = prefix + "/" if prefix else ""
        return sorted({key[len(start):].partition("/")[0] for key in self._list(start)})

    def getsize(self, key):
        """The length in bytes of the value at ``key``; KeyError when there is none."""
        return len(self.get(key))

    def delete_prefix(self, prefix):
        """Remove every key under ``prefix`` (``prefix`` itself too, if a key)."""
        prefix = normalize_prefix(prefix)
        self._check_writable(prefix)
        if not prefix:
            for key in list(self._list("")):
                try:
                    self._delete(key)
                except KeyError:
                    pass
            return
        for key in list(self._list(prefix + "/")):
            try:
                self._delete(key)
            except KeyError:
                pass
        try:
            self._delete(prefix)
        except KeyError:
            pass

    def rename(self, source, dest):
        """Move every key under ``source`` to the same place under ``dest``.

        By default copied then deleted (not in one step: ``supports_rename``
        says whether a store does better). FileExistsError if a key is under
        ``dest`` already; KeyError if nothing is under ``source``."""
        source, dest = normalize_prefix(source), normalize_prefix(dest)
        self._check_writable(dest)
        if self._list(dest + "/"):
            raise FileExistsError("store keys exist under %r" % dest)
        keys = list(self._list(source + "/"))
        if not keys:
            raise KeyError(source)
        for key in keys:
            self._set(dest + key[len(source):], self._get(key))
        for key in keys:
            self._delete(key)

    def stamp(self, key):
        """A value that changes whenever the value at ``key`` is replaced, or
        None when there is none: what a handle compares to learn, cheaply,
        whether its array's metadata changed or went. By default the value
        itself (compared by equality); a store that can tell a change for less
        than a read says so (a directory: one ``stat``).

        Examples
        --------
        >>> from zarr.storage import MemoryStore
        >>> store = MemoryStore({"x": b"1"})
        >>> before = store.stamp("x")
        >>> store["x"] = b"2"
        >>> store.stamp("x") != before, store.stamp("y")
        (True, None)
        """
        try:
            value = self.get(key)
        except KeyError:
            return None
        return value if type(value) is bytes else bytes(memoryview(value))

    def contains_prefix(self, prefix):
        """Whether any key is under ``prefix``."""
        prefix = normalize_prefix(prefix)
        return any(True for _ in self._list(prefix + "/" if prefix else ""))

    def prune(self, prefix=""):
        """Tidy what listing does not see (empty directories); a no-op by default."""

    def describe_key(self, key):
        """How error messages name the value at ``key``."""
        return "key %r of %r" % (key, self)

    def lock_identity(self, key):
        """What names the node or value at ``key`` for the locks of a
        synchronizer: equal for two store objects over the same bytes."""
        return ("object", id(self), key)

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def check_writable(self, key):
        """Raise :class:`zarr.ReadOnlyError` if a change of ``key`` would be
        refused: what a caller that changes other keys first asks before it
        begins (a resize, which drops chunks before it writes ``.zarray``)."""
        self._check_writable(normalize_key(key))

    def _check_writable(self, key):
        if self.read_only:
            raise ReadOnlyError("cannot change %r: the store is read-only" % (key,))

    # The MutableMapping interface.

    def __getitem__(self, key):
        return self.get(key)

    def __setitem__(self, key, value):
        self.set(key, value)

    def __delitem__(self, key):
        self.delete(key)

    def __iter__(self):
        return iter(self.list())

    def __len__(self):
        return sum(1 for _ in self._list(""))

    def __contains__(self, key):
        try:
            self.getsize(key)
        except KeyError:
            return False
        return True

    def keys(self):
        return self.list()

    def with_read_only(self, read_only=True):
        """This store's keys through a handle that refuses writes (or not), as
        zarr-python 3's stores give one."""
        if bool(read_only) == bool(self.read_only):
            return self
        raise NotImplementedError("%s gives no handle with read_only=%r"
                                  % (type(self).__name__, read_only))

    # Equal when over the same bytes (never by comparing every value).

    def __eq__(self, other):
        return self is other

    def __hash__(self):
        return id(self)
