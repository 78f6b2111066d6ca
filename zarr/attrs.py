"""User attributes of arrays and groups: a dict stored as JSON in ``.zattrs``."""

import errno
import json
from collections.abc import MutableMapping

import numpy as np

from zarr.errors import MetadataError, ReadOnlyError
from zarr.locks import thread_lock
from zarr.meta import load_json
from zarr.storage import ATTRS, MemoryStore

#: The most elements a numpy array may have to be stored as an attribute.
MAX_ARRAY_ELEMENTS = 65536


def json_value(value, key):
    """``value`` as plain JSON types (dict, list, str, int, float, bool, None).

    numpy scalars become Python numbers and strings; numpy arrays of up to
    :data:`MAX_ARRAY_ELEMENTS` numbers, booleans or strings become nested
    lists; tuples become lists. Anything else raises a TypeError naming ``key``.

    Examples
    --------
    >>> json_value({"n": np.int64(3), "xy": np.arange(2.0)}, "params")
    {'n': 3, 'xy': [0.0, 1.0]}
    """
    if value is None or type(value) is bool:
        return value
    if isinstance(value, str):
        return str(value)  # np.str_ and other subclasses become plain strings
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, int):
        return int(value)  # an IntEnum or a bool subclass becomes a plain int
    if isinstance(value, float):
        return float(value)
    if isinstance(value, np.generic):
        kind = value.dtype.kind
        if kind in "iu":
            return int(value)
        if kind == "f":
            return float(value)  # a longdouble too, which .item() would keep
        raise _not_json(value, key)
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biufU":
            raise _not_json(value, key)
        if value.size > MAX_ARRAY_ELEMENTS:
            raise TypeError("attribute %r: an array of %d elements is too big for an attribute "
                            "(at most %d); store it as an array" % (key, value.size,
                                                                   MAX_ARRAY_ELEMENTS))
        if value.dtype.kind == "f" and value.dtype.itemsize > 8:
            value = value.astype(np.float64)
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [json_value(v, key) for v in value]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError("attribute %r: dict keys must be strings for JSON, not %r"
                                % (key, k))
            out[str(k)] = json_value(v, key)
        return out
    raise _not_json(value, key)


def _not_json(value, key):
    return TypeError("attribute %r: a value of type %s cannot be stored as JSON"
                     % (key, type(value).__name__))


def _check_key(key):
    if not isinstance(key, str):
        raise TypeError("attribute names must be strings, not %r" % (key,))
    return key


class Attributes(MutableMapping):
    """The user attributes of an array or a group: a dict of JSON values.

    They are the value at ``key`` (``.zattrs``) in ``store``; every read
    reads it and every change rewrites it (atomically, in every store of
    :mod:`zarr.storage`), so other processes see a whole old or a whole new
    set. Values are converted as :func:`json_value` says, all of them before
    anything is written: a value JSON cannot hold raises a TypeError naming
    its key and changes nothing. In mode 'r' changes raise
    :class:`zarr.ReadOnlyError`. A change holds the thread lock of the key
    (shared by every object on it in this process) and, with ``lock``
    (a context manager factory: a process synchronizer's), that lock too.

    Examples
    --------
    >>> import zarr
    >>> z = zarr.zeros(10)
    >>> z.attrs["units"] = "m/s"
    >>> z.attrs.update(scale=np.float32(0.5), shape=np.array([2, 5]))
    >>> z.attrs.asdict()
    {'units': 'm/s', 'scale': 0.5, 'shape': [2, 5]}
    """

    def __init__(self, store=None, key=ATTRS, read_only=False, lock=None, node=None):
        self._store = MemoryStore() if store is None else store
        self._key = key
        # The metadata key of the array or group the attributes belong to:
        # a change refuses to recreate the attributes of a removed node.
        self._node = node
        self._read_only = read_only
        self._thread_lock = thread_lock("attrs", self._store.lock_identity(key))
        # Held across a read-modify-write: a context manager factory (a
        # process lock), or None for the thread lock alone.
        self._process_lock = lock

    @property
    def read_only(self):
        return self._read_only

    def _where(self):
        describe = getattr(self._store, "describe_key", None)
        return describe(self._key) if describe is not None else self._key

    def _load(self):
        try:
            data = self._store.get(self._key)
        except KeyError:
            return {}
        data = load_json(data, self._where())
        if not isinstance(data, dict):
            raise MetadataError("%s: attributes must be a JSON object, not %s"
                                % (self._where(), type(data).__name__))
        return data

    def _store_data(self, data):
        self._store.set(self._key, dumps_attributes(data).encode("utf-8"))

    def _change(self, change):
        if self._read_only:
            raise ReadOnlyError("the attributes at %s are read-only (mode 'r')" % self._where())
        with self._thread_lock:
            if self._process_lock is None:
                return self._apply(change)
            with self._process_lock():
                return self._apply(change)

    def _apply(self, change):
        if self._node is not None and self._node not in self._store:
            raise FileNotFoundError(errno.ENOENT, "the node of these attributes is gone (no "
                                    "%s): not writing its attributes at"
                                    % self._node.rpartition("/")[2], self._where())
        data = dict(self._load())
        change(data)
        self._store_data(data)

    # Reading.

    def asdict(self):
        """A copy of the attributes as a plain dict."""
        return json.loads(json.dumps(self._load()))

    def __getitem__(self, key):
        return self._load()[key]

    def __contains__(self, key):
        return key in self._load()

    def __iter__(self):
        return iter(list(self._load()))

    def __len__(self):
        return len(self._load())

    def __repr__(self):
        return "Attributes(%r)" % (self._load(),)

    # Pickling: the locks stay behind (a process lock travels as its factory).

    def __getstate__(self):
        state = dict(self.__dict__)
        del state["_thread_lock"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._thread_lock = thread_lock("attrs", self._store.lock_identity(self._key))

    # Writing.

    def __setitem__(self, key, value):
        self.update({key: value})

    def __delitem__(self, key):
        def remove(data):
            del data[key]
        self._change(remove)

    def update(self, *args, **kwargs):
        """Set several attributes in one write (arguments as ``dict.update``)."""
        new = dict(*args, **kwargs)
        converted = {_check_key(k): json_value(v, k) for k, v in new.items()}
        self._change(lambda data: data.update(converted))

    def put(self, d):
        """Replace all attributes by those of ``d``, in one write."""
        converted = {_check_key(k): json_value(v, k) for k, v in dict(d).items()}

        def replace(data):
            data.clear()
            data.update(converted)
        self._change(replace)

    def clear(self):
        self._change(dict.clear)


class NodeAttributes(Attributes):
    """The attributes of a Zarr v3 node: the ``attributes`` member of its
    ``zarr.json`` at ``key``. A change rewrites the document stored then
    with the new member, everything else in it as it was, under the same
    locks as :class:`Attributes`; it refuses a node that is gone.

    Examples
    --------
    >>> import zarr
    >>> z = zarr.open(zarr.storage.MemoryStore(), shape=4, zarr_format=3)
    >>> z.attrs["units"] = "m"
    >>> json.loads(z.store.get("zarr.json"))["attributes"]
    {'units': 'm'}
    """

    def __init__(self, store, key, read_only=False, lock=None):
        Attributes.__init__(self, store, key, read_only, lock, node=key)

    def _document(self):
        data = self._store.get(self._key)
        doc = load_json(data, self._where())
        if not isinstance(doc, dict) or not isinstance(doc.get("attributes", {}), dict):
            raise MetadataError("%s: attributes must be a JSON object" % self._where())
        return doc

    def _load(self):
        try:
            return self._document().get("attributes", {})
        except KeyError:
            return {}

    def _store_data(self, data):
        doc = self._document()
        doc["attributes"] = data
        self._store.set(self._key, (json.dumps(doc, indent=2, ensure_ascii=True,
                                               allow_nan=False) + "\n").encode("utf-8"))


def dumps_attributes(data):
    """Attributes as the text of a ``.zattrs`` file. NaN and infinities are
    written as JSON's common extension (``NaN``, ``Infinity``), as zarr-python does."""
    return json.dumps(data, indent=4, ensure_ascii=True) + "\n"

