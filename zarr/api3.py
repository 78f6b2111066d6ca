"""The calls of zarr-python 3's API that dask makes for its Zarr I/O, on this
package's own functions: :func:`create_array` and :func:`open_array`.

zarr-python 3 takes its keyword arguments (``store=``, ``name=``,
``compressors=``, ``overwrite=``, ``zarr_format=`` defaulting to 3) and
gives back this package's arrays. What this package cannot do raises
NotImplementedError naming the argument, never a silent substitute.
"""

import errno

import numpy as np

from zarr.codecs import DEFAULT
from zarr.errors import ContainsGroupError
from zarr.hierarchy import open_group
from zarr.opening import open as open_node
from zarr.storage import MemoryStore, as_store, describe_node, node_format
from zarr.names import node_path

#: The format :func:`create_array` makes when none is given (zarr-python 3's).
DEFAULT_ZARR_FORMAT = 3


def _one_codec(value, what):
    """A codec of this package, or its configuration, for one codec of zarr-python's kinds."""
    if isinstance(value, (list, tuple)):
        if len(value) > 1:
            raise NotImplementedError("%s=%r: more than one %s in a chain"
                                      % (what, value, what.rstrip("s")))
        value = value[0] if value else None
    if value is None or isinstance(value, dict):
        return value
    if hasattr(value, "encode") and hasattr(value, "max_encoded_size"):
        return value  # one of ours
    config = getattr(value, "get_config", None)
    if callable(config):
        return dict(config())  # numcodecs' codecs describe themselves
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):  # zarr-python's v3 codec objects
        spec = to_dict()
        return dict(spec.get("configuration") or {}, id=spec.get("name"))
    raise TypeError("%s: expected a codec or its configuration, not %r" % (what, value))


def _filters(value):
    if value in ("auto", None) or (isinstance(value, (list, tuple)) and not value):
        return None
    if not isinstance(value, (list, tuple)):
        value = [value]
    return [_one_codec(f, "filters") for f in value]


def _make_parents(store, path, zarr_format):
    """Groups at each prefix above ``path`` that holds no node yet, the top included."""
    if not path:
        return
    parts = path.split("/")[:-1]
    for i in range(len(parts) + 1):
        prefix = "/".join(parts[:i])
        kind, _ = node_format(store, prefix)
        if kind is None:
            open_group(store, mode="a", path=prefix, zarr_format=zarr_format)


def create_array(store=None, *, name=None, shape=None, dtype=None, data=None, chunks="auto",
                 shards=None, filters="auto", compressors="auto", serializer="auto",
                 fill_value=None, order=None, zarr_format=DEFAULT_ZARR_FORMAT, attributes=None,
                 chunk_key_encoding=None, dimension_names=None, storage_options=None,
                 overwrite=False, config=None, write_data=True):
    """Create an array, as zarr-python 3's ``zarr.create_array`` does.

    ``store`` is what :func:`zarr.open` takes (a path, a URL with
    ``storage_options``, a store, a mapping; memory by default); ``name``
    is the array's path in it, whose parents become groups where nothing is.
    ``compressors`` is one codec (this package's, numcodecs', zarr-python's,
    or a configuration dict), ``'auto'`` for the default, or None for raw
    chunks; ``filters`` a list of them. ``overwrite=False`` refuses an
    existing node (FileExistsError). ``data`` is written if given.

    Examples
    --------
    >>> import zarr
    >>> z = zarr.create_array(shape=(100, 100), chunks=(10, 10), dtype="i4", fill_value=0)
    >>> z[...] = 1
    >>> int(z[...].sum()), z.zarr_format
    (10000, 3)
    """
    if data is not None:
        data = np.asarray(data)
        if shape is not None and tuple(shape) != data.shape:
            raise ValueError("shape %s given with data of shape %s" % (shape, data.shape))
        shape, dtype = data.shape, data.dtype if dtype is None else dtype
    if shape is None:
        raise TypeError("create_array needs shape= (or data=)")
    if serializer not in ("auto", None) and not (isinstance(serializer, dict)
                                                 and serializer.get("name") == "bytes"):
        raise NotImplementedError("serializer=%r: only the default serializer" % (serializer,))
    if order not in (None, "C"):
        raise NotImplementedError("order=%r: arrays are stored in C order" % (order,))
    config = dict(config or {})
    if config.pop("write_empty_chunks", True) is False:
        raise NotImplementedError("write_empty_chunks=False: chunks of fill values are stored")
    config.pop("order", None)
    if config:
        raise NotImplementedError("config=%r" % (config,))
    store = MemoryStore() if store is None else as_store(
        store, mode="w" if overwrite else "w-", storage_options=storage_options)
    path = node_path(name)
    if not overwrite and node_format(store, path)[0] is not None:
        raise FileExistsError(errno.EEXIST, "a node is at", describe_node(store, path))
    _make_parents(store, path, zarr_format)
    compressor = DEFAULT if compressors == "auto" else _one_codec(compressors, "compressors")
    z = open_node(store, mode="w" if overwrite else "w-", shape=shape, dtype=dtype,
                  chunks=None if chunks == "auto" else chunks, path=path,
                  fill_value=DEFAULT if fill_value is None else fill_value,
                  compressor=compressor, filters=_filters(filters), zarr_format=zarr_format,
                  shards=shards, chunk_key_encoding=chunk_key_encoding,
                  dimension_names=dimension_names)
    if attributes:
        z.attrs.update(attributes)
    if data is not None and write_data:
        z[...] = data
    return z


def open_array(store=None, *, path="", mode="a", zarr_format=None, storage_options=None,
               zarr_version=None, **kwargs):
    """Open (or, given ``shape``, create) the array at ``path``, as
    zarr-python 3's ``zarr.open_array`` does: :func:`zarr.open` for arrays
    only (ContainsGroupError for a group).

    Examples
    --------
    >>> import zarr
    >>> store = zarr.storage.MemoryStore()
    >>> _ = zarr.create_array(store, name="x", shape=(4,), dtype="f8", fill_value=1.5)
    >>> zarr.open_array(store, path="x", mode="r")[...]
    array([1.5, 1.5, 1.5, 1.5])
    """
    if zarr_version is not None:
        zarr_format = zarr_version
    store = MemoryStore() if store is None else as_store(
        store, read_only=mode == "r", mode=mode, storage_options=storage_options)
    path = node_path(path)
    if node_format(store, path)[0] == "group":
        raise ContainsGroupError(errno.EEXIST, "a group, not an array, is at",
                                 describe_node(store, path))
    return open_node(store, mode=mode, path=path, zarr_format=zarr_format, **kwargs)
