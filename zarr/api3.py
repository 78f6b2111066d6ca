"""The calls of zarr-python 3's API that dask and xarray make for their Zarr
I/O, on this package's own functions: :func:`create_array`,
:func:`open_array` and :func:`open_group` (with ``use_consolidated``).

zarr-python 3 takes its keyword arguments (``store=``, ``name=``,
``compressors=``, ``overwrite=``...), its defaults (:mod:`zarr.config`:
Zarr v3, ``write_empty_chunks=False``) and gives back this package's
arrays. What this package cannot do raises NotImplementedError naming the
argument, never a silent substitute.
"""

import errno

from zarr import config as zarr_config
from zarr.api3_nodes import api3_config, creation_options, default_format, shape_of
from zarr.codecs import DEFAULT
from zarr.errors import ContainsGroupError
from zarr.consolidated import open_consolidated
from zarr.hierarchy import open_group as open_plain_group
from zarr.opening import open as open_node
from zarr.storage import MemoryStore, as_store, describe_node, node_format
from zarr.names import node_path


def _above(store, path):
    """What is above ``path``, with one look-up a prefix: the format of the
    nearest group above it (for ``''``, the node there), or None; and the
    prefixes above it that hold no node, the top first."""
    parts = path.split("/")[:-1] if path else None
    prefixes = [""] if parts is None else ["/".join(parts[:i]) for i in range(len(parts) + 1)]
    nearest, missing = None, []
    for prefix in prefixes:
        kind, found = node_format(store, prefix)
        if kind is None:
            missing.append(prefix)
        elif kind == "group":
            nearest = found
    return nearest, ([] if parts is None else missing)


def _make_parents(store, path, zarr_format, missing=None):
    """Groups at each prefix above ``path`` that holds no node yet, the top
    included (``missing``, when :func:`_above` gave them already)."""
    for prefix in _above(store, path)[1] if missing is None else missing:
        open_plain_group(store, mode="a", path=prefix, zarr_format=zarr_format)


def _format_for_new_node(store, path):
    """The format of a new node at ``path``: its hierarchy's (that of the
    nearest group above it), else zarr.config's default."""
    return _above(store, path)[0] or default_format(None)


def create_array(store=None, *, name=None, shape=None, dtype=None, data=None, chunks="auto",
                 shards=None, filters="auto", compressors="auto", serializer="auto",
                 fill_value=DEFAULT, order=None, zarr_format=None, attributes=None,
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
    ``fill_value`` defaults to zero; None gives a Zarr v2 array no fill
    value (``null``: chunks never written read as zeros, and
    ``fill_value`` is None), a v3 array zero.

    Examples
    --------
    >>> import zarr
    >>> z = zarr.create_array(shape=(100, 100), chunks=(10, 10), dtype="i4", fill_value=0)
    >>> z[...] = 1
    >>> int(z[...].sum()), z.zarr_format
    (10000, 3)
    """
    shape, dtype, data = shape_of(shape, dtype, data)
    options = creation_options(shape, dtype, chunks, shards, filters, compressors, serializer,
                               fill_value, order, zarr_format, chunk_key_encoding,
                               dimension_names, config)
    store = MemoryStore() if store is None else as_store(
        store, mode="w" if overwrite else "w-", storage_options=storage_options)
    path = node_path(name)
    if not overwrite and node_format(store, path)[0] is not None:
        raise FileExistsError(errno.EEXIST, "a node is at", describe_node(store, path))
    _make_parents(store, path, options["zarr_format"])
    z = open_node(store, mode="w" if overwrite else "w-", path=path, **options)
    z._apply_settings({"string_dtype": True})
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
    kwargs["config"] = api3_config(kwargs.get("config"))
    if zarr_format is None and kwargs.get("shape") is not None and (
            mode == "w" or mode in ("a", "w-") and node_format(store, path)[0] is None):
        zarr_format = _format_for_new_node(store, path)
    z = open_node(store, mode=mode, path=path, zarr_format=zarr_format, **kwargs)
    z._apply_settings({"string_dtype": True})
    return z


def open_group(store=None, mode="a", synchronized=True, lazy=False, fsync=False,
               process_sync=False, threads=None, path=None, zarr_format=None,
               storage_options=None, use_consolidated=None):
    """:func:`zarr.hierarchy.open_group`, with zarr-python 3's
    ``use_consolidated``: True opens from the consolidated metadata
    (:func:`zarr.open_consolidated`, modes 'r' and 'r+'); None and False
    list the members as they are stored. (zarr-python 3 takes None as "the
    consolidated metadata if there is some", which hides the members made
    since it was written: here that takes asking.) A new group is made
    in ``zarr_format``, by default :mod:`zarr.config`'s
    ``default_zarr_format`` (3, as zarr-python 3), with groups above it
    where there are none;
    :func:`zarr.hierarchy.open_group` and :func:`zarr.group`, this
    package's own, make Zarr v2 groups unless told.

    Examples
    --------
    >>> import zarr
    >>> store = zarr.storage.MemoryStore()
    >>> _ = zarr.open_group(store, mode="w", zarr_format=2).zeros("x", shape=3, chunks=2)
    >>> _ = zarr.consolidate_metadata(store)
    >>> type(zarr.open_group(store, mode="r", use_consolidated=True).store).__name__
    'ConsolidatedStore'
    """
    if isinstance(path, str) and path.startswith("/") and not path.startswith("//"):
        path = path[1:]  # zarr-python 3 takes '/a/b' for 'a/b', and '/' for the top
    if mode in ("w", "w-", "a"):
        store = as_store(store, mode=mode, fsync=fsync, storage_options=storage_options)
        storage_options = None
        key = node_path(path)
        if mode == "w" or node_format(store, key)[0] is None:  # a new group
            nearest, missing = _above(store, key)
            zarr_format = zarr_format or nearest or default_format(None)
            _make_parents(store, key, zarr_format, missing)
    if use_consolidated:
        group = open_consolidated(store, mode=mode, path=path, synchronized=synchronized,
                                  lazy=lazy, fsync=fsync, threads=threads,
                                  storage_options=storage_options, zarr_format=zarr_format)
    else:
        group = open_plain_group(store, mode, synchronized, lazy, fsync, process_sync, threads,
                                 path, zarr_format, storage_options)
    group._nodes.array_settings = {"write_empty_chunks": zarr_config.get(
        "array.write_empty_chunks"), "string_dtype": True}
    return group
