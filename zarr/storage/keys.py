"""The keys of the Zarr v2 layout: metadata keys and chunk keys."""

from zarr.storage.base import join_key

ARRAY_META = ".zarray"
ATTRS = ".zattrs"
GROUP_META = ".zgroup"
#: The metadata of a Zarr v3 node.
V3_META = "zarr.json"
#: The consolidated metadata of a hierarchy (zarr-python's layout).
CONSOLIDATED_META = ".zmetadata"


def chunk_key(index, separator="."):
    """The key of a chunk: grid indices joined by the separator ("0" for 0-d).

    Examples
    --------
    >>> chunk_key((2, 0)), chunk_key((2, 0), "/"), chunk_key(())
    ('2.0', '2/0', '0')
    """
    return separator.join(map(str, index)) if index else "0"


def _parse_index(name):
    if not name.isdigit() or (len(name) > 1 and name[0] == "0"):
        return None
    return int(name)


def node_kind(store, prefix):
    """What is at ``prefix`` in ``store`` in the Zarr v2 format: 'array'
    (``.zarray``), 'group' (``.zgroup``) or None."""
    if join_key(prefix, ARRAY_META) in store:  # one getsize each: nothing is read
        return "array"
    if join_key(prefix, GROUP_META) in store:
        return "group"
    return None


def iter_chunk_keys(store, prefix, ndim, separator="."):
    """Yield (grid index, size in bytes) for each chunk stored under ``prefix``.

    Only names that are chunk keys count: metadata, temporary files of
    interrupted writes and anything else are ignored.
    """
    if separator == "/" and ndim > 1:
        yield from _iter_nested(store, prefix, ndim, ())
        return
    sized = getattr(store, "list_dir_sizes", None)
    if sized is not None:
        entries = sized(prefix)
    else:
        entries = [(name, None) for name in store.list_dir(prefix)]
    for name, size in entries:
        parts = name.split(".") if ndim else [name]
        if len(parts) != max(ndim, 1):
            continue
        index = tuple(_parse_index(p) for p in parts)
        if None in index or (ndim == 0 and index != (0,)):
            continue
        if size is None:
            try:
                size = store.getsize(join_key(prefix, name))
            except KeyError:
                continue
        yield (index if ndim else ()), size


def _iter_nested(store, prefix, ndim, index):
    last = len(index) == ndim - 1
    sized = getattr(store, "list_dir_sizes", None) if last else None
    entries = sized(prefix) if sized is not None else \
        [(name, None) for name in store.list_dir(prefix)]
    for name, size in entries:
        i = _parse_index(name)
        if i is None:
            continue
        key = join_key(prefix, name)
        if not last:
            yield from _iter_nested(store, key, ndim, index + (i,))
            continue
        if size is None:
            try:
                size = store.getsize(key)
            except KeyError:
                continue
        yield index + (i,), size


def describe_node(store, path):
    """How messages name the node at ``path``: its directory in a directory
    store, else its path and the store."""
    directory = getattr(store, "directory", None)
    if directory is not None:
        return directory(path)
    return "%r in %r" % (path, store)
