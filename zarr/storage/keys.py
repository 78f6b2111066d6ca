"""The keys of the Zarr layouts (v2, and v3's ``zarr.json`` and ``c/``
chunk keys): metadata keys and chunk keys."""

import json

from zarr.storage.base import join_key

ARRAY_META = ".zarray"
ATTRS = ".zattrs"
GROUP_META = ".zgroup"
#: The metadata of a Zarr v3 node.
V3_META = "zarr.json"
#: The consolidated metadata of a hierarchy (zarr-python's layout).
CONSOLIDATED_META = ".zmetadata"


def chunk_key(index, separator=".", leading=None):
    """The key of a chunk: grid indices joined by the separator ("0" for 0-d);
    with ``leading`` (the v3 format's "c"), that name first.

    Examples
    --------
    >>> chunk_key((2, 0)), chunk_key((2, 0), "/"), chunk_key(())
    ('2.0', '2/0', '0')
    >>> chunk_key((2, 0), "/", "c"), chunk_key((), "/", "c")
    ('c/2/0', 'c')
    """
    if leading is not None:
        return separator.join((leading,) + tuple(map(str, index)))
    return separator.join(map(str, index)) if index else "0"


def _parse_index(name):
    if not (name.isascii() and name.isdigit()) or (len(name) > 1 and name[0] == "0"):
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


def node_format(store, prefix):
    """What is at ``prefix`` in ``store`` and in which format: ('array', 2),
    ('group', 2), ('array', 3), ('group', 3) (a ``zarr.json``, whose
    ``node_type`` is read), or (None, None). A ``zarr.json`` that is not a
    v3 node's reads as (None, 3)."""
    kind = node_kind(store, prefix)
    if kind is not None:
        return kind, 2
    key = join_key(prefix, V3_META)
    if key not in store:  # as node_kind: a file in the way of the directory is no node
        return None, None
    try:
        data = store.get(key)
    except KeyError:
        return None, None
    try:
        doc = json.loads(bytes(memoryview(data)).decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None, 3
    kind = doc.get("node_type") if isinstance(doc, dict) and doc.get("zarr_format") == 3 \
        else None
    return (kind if kind in ("array", "group") else None), 3


def iter_chunk_keys(store, prefix, ndim, separator=".", leading=None):
    """Yield (grid index, size in bytes) for each chunk stored under ``prefix``
    (keys as :func:`chunk_key` makes them with ``separator`` and ``leading``).

    Only names that are chunk keys count: metadata, temporary files of
    interrupted writes and anything else are ignored. A store that lists a
    whole prefix at once (``list_sizes``, object storage) is listed once,
    not once per directory of nested keys.
    """
    flat = getattr(store, "list_sizes", None)
    if flat is not None:
        yield from _iter_flat(flat(prefix), ndim, separator, leading)
        return
    if leading is not None:
        yield from _iter_leading(store, prefix, ndim, separator, leading)
        return
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


def _iter_flat(entries, ndim, separator, leading):
    start = "" if leading is None else leading if ndim == 0 else leading + separator
    for name, size in entries:
        if not name.startswith(start) or size is None:
            continue
        rest = name[len(start):]
        if ndim == 0:
            if rest == ("" if leading is not None else "0"):
                yield (), size
            continue
        index = tuple(_parse_index(p) for p in rest.split(separator))
        if len(index) == ndim and None not in index:
            yield index, size


def _iter_leading(store, prefix, ndim, separator, leading):
    if ndim == 0:
        key = join_key(prefix, leading)
        try:
            yield (), store.getsize(key)
        except KeyError:
            pass
        return
    if separator == "/":
        yield from _iter_nested(store, join_key(prefix, leading), ndim, ())
        return
    start = leading + separator
    for name, size in _entries(store, prefix):
        if not name.startswith(start):
            continue
        index = tuple(_parse_index(p) for p in name[len(start):].split(separator))
        if len(index) != ndim or None in index:
            continue
        if size is None:
            try:
                size = store.getsize(join_key(prefix, name))
            except KeyError:
                continue
        yield index, size


def _entries(store, prefix):
    sized = getattr(store, "list_dir_sizes", None)
    if sized is not None:
        return sized(prefix)
    return [(name, None) for name in store.list_dir(prefix)]


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
