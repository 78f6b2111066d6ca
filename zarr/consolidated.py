"""Consolidated metadata: every ``.zarray``, ``.zgroup`` and ``.zattrs`` of a
hierarchy in one key, ``.zmetadata``, so that the hierarchy opens with one read.

The layout is zarr-python's (version 2, and 3 for ``zarr_format=2``)::

    {"zarr_consolidated_format": 1,
     "metadata": {".zgroup": {...}, ".zattrs": {...}, "a/x/.zarray": {...}, ...}}

the keys relative to the group consolidated, each value the JSON document of
that key. :func:`open_consolidated` opens the hierarchy over a
:class:`zarr.storage.ConsolidatedStore`, which answers metadata from that
document and passes chunks through to the store; the arrays and groups read
it with the parsers they always use.
"""

import errno
import json

from zarr.errors import ContainsArrayError, MetadataError
from zarr.hierarchy import open_group_at
from zarr.meta import load_json, parse_array_metadata
from zarr.names import node_path
from zarr.storage import (ARRAY_META, ATTRS, CONSOLIDATED_META, GROUP_META, ConsolidatedStore,
                          as_store, describe_node, join_key, node_format, node_kind,
                          normalize_key)
from zarr.storage.files import MAX_METADATA_SIZE

#: The version of the layout of ``.zmetadata`` that is written and read.
CONSOLIDATED_FORMAT = 1

_NAMES = (ARRAY_META, GROUP_META, ATTRS)


def _canonical(doc):
    return json.dumps(doc, sort_keys=True)


def _json_object(data, where):
    doc = load_json(data, where)
    if not isinstance(doc, dict):
        raise MetadataError("%s: expected a JSON object, not %s" % (where, type(doc).__name__))
    return doc


def _gather(store, path):
    """The metadata of every node of the hierarchy of groups at ``path``, by
    key relative to it; each ``.zarray`` checked as opening its array would."""
    metadata = {}
    pending = [""]
    while pending:
        rel = pending.pop()
        prefix = join_key(path, rel) if rel else path
        kind = node_kind(store, prefix)
        if kind is None:
            continue  # a directory that is no node, or a member removed meanwhile
        for name in (ARRAY_META if kind == "array" else GROUP_META, ATTRS):
            key = join_key(prefix, name)
            try:
                data = store.get(key)
            except KeyError:
                continue
            where = store.describe_key(key)
            if name == ARRAY_META:
                parse_array_metadata(data, where)
            metadata[join_key(rel, name)] = _json_object(data, where)
        if kind == "group":
            pending.extend(join_key(rel, name) for name in store.list_dir(prefix)
                           if not name.startswith("."))
    return metadata


def consolidate_metadata(store, path=None, storage_options=None, zarr_format=None):
    """Write the metadata of the hierarchy of the group at ``path`` into its
    ``.zmetadata``, in zarr-python's layout, and open it consolidated.

    Every ``.zgroup``, ``.zarray`` and ``.zattrs`` of the group and of the
    groups and arrays below it is read (each ``.zarray`` checked, a bad one
    raising a MetadataError that names it, with nothing written) and the whole
    is written in one ``set`` of the store, atomic as the store's writes are:
    a reader sees the old ``.zmetadata`` or the new one. Changes made to the
    hierarchy later are not in it until this runs again.

    Parameters
    ----------
    store : str, path-like, store or MutableMapping
        As :func:`zarr.open_group` takes it.
    path : str, optional
        Where in the store the group is (its top by default).
    storage_options : dict, optional
        For a URL (``s3://bucket/a.zarr``): the options of its fsspec
        filesystem (:meth:`zarr.storage.FsspecStore.from_url`).
    zarr_format : {None, 2}
        zarr-python 3's argument: consolidated metadata is of the v2 format
        (ValueError for another).

    Returns
    -------
    zarr.Group
        The group, as :func:`open_consolidated` opens it in mode 'r+'.

    Raises
    ------
    FileNotFoundError
        When there is no group at ``path`` (ContainsArrayError for an array).
    MetadataError
        For a metadata file that is not valid, or a ``.zmetadata`` over
        :data:`zarr.storage.files.MAX_METADATA_SIZE` bytes (it could not be read).

    Examples
    --------
    >>> import json, tempfile, zarr
    >>> path = tempfile.mkdtemp() + "/example.zarr"
    >>> g = zarr.open_group(path, mode="w")
    >>> _ = g.zeros("a/x", shape=(4, 4), chunks=2, dtype="i4")
    >>> g = zarr.consolidate_metadata(path)
    >>> sorted(json.load(open(path + "/.zmetadata"))["metadata"])
    ['.zgroup', 'a/.zgroup', 'a/x/.zarray', 'a/x/.zattrs']
    >>> g["a/x"].shape
    (4, 4)
    """
    if zarr_format not in (None, 2):
        raise ValueError("consolidated metadata is of the Zarr v2 format, not of format %r"
                         % (zarr_format,))
    store = as_store(store, storage_options=storage_options)
    path = node_path(path)
    kind, found = node_format(store, path)
    if kind != "group" or found != 2:
        where = describe_node(store, path)
        if found == 3:
            raise ValueError("consolidated metadata is of the Zarr v2 format; the Zarr v3 "
                             "%s at %s is not consolidated by this version (a v3 group is "
                             "opened by listing its members)" % (kind or "node", where))
        if kind == "array":
            raise ContainsArrayError(errno.EEXIST, "an array, not a group, is at", where)
        raise FileNotFoundError(errno.ENOENT, "no group (no %s) at" % GROUP_META, where)
    metadata = _gather(store, path)
    text = json.dumps({"zarr_consolidated_format": CONSOLIDATED_FORMAT, "metadata": metadata},
                      indent=4, sort_keys=True, ensure_ascii=True) + "\n"
    key = join_key(path, CONSOLIDATED_META)
    if len(text) > MAX_METADATA_SIZE:
        raise MetadataError("%s: the metadata of the hierarchy takes %d bytes, over the limit of "
                            "%d bytes of a metadata file (zarr.storage.files.MAX_METADATA_SIZE); "
                            "nothing written" % (store.describe_key(key), len(text),
                                                 MAX_METADATA_SIZE))
    store.set(key, text.encode("ascii"))
    return _open_over(store, path, metadata, "r+", True, False, None)


def _read(store, path):
    """The metadata documents of the ``.zmetadata`` of the group at ``path``."""
    key = join_key(path, CONSOLIDATED_META)
    try:
        data = store.get(key)
    except KeyError:
        where = describe_node(store, path)
        if node_kind(store, path) is None and not store.contains_prefix(path):
            raise FileNotFoundError(errno.ENOENT, "nothing (no group, no %s) at"
                                    % CONSOLIDATED_META, where) from None
        raise ValueError("no consolidated metadata (no %s) at %s: open it with "
                         "zarr.open_group, or write it with zarr.consolidate_metadata"
                         % (CONSOLIDATED_META, where)) from None
    where = store.describe_key(key)
    doc = _json_object(data, where)
    version = doc.get("zarr_consolidated_format")
    if type(version) is not int or version != CONSOLIDATED_FORMAT:
        raise MetadataError("%s: zarr_consolidated_format %r is not supported (only %d)"
                            % (where, version, CONSOLIDATED_FORMAT))
    found = doc.get("metadata")
    if not isinstance(found, dict):
        raise MetadataError("%s: 'metadata' must be a JSON object of metadata keys, not %r"
                            % (where, found))
    metadata = {}
    for name, value in found.items():
        try:
            name = normalize_key(name)
        except (TypeError, ValueError) as e:
            raise MetadataError("%s: %s" % (where, e)) from None
        if name.rpartition("/")[2] not in _NAMES:
            continue  # not the metadata of a Zarr v2 node: nothing reads it
        if not isinstance(value, dict):
            raise MetadataError("%s: the document of %r must be a JSON object, not %s"
                                % (where, name, type(value).__name__))
        metadata[name] = value
    if ARRAY_META in metadata:
        raise ContainsArrayError(errno.EEXIST, "%s: an array, not a group, is at" % where,
                                 describe_node(store, path))
    if GROUP_META not in metadata:
        raise MetadataError("%s: no %s for the group at its top" % (where, GROUP_META))
    return metadata


def _check_arrays(store, path, metadata):
    """MetadataError, naming the key, for a ``.zarray`` of the consolidated
    metadata that is not the one in the store (missing or different)."""
    for name in sorted(metadata):
        if name.rpartition("/")[2] != ARRAY_META:
            continue
        key = join_key(path, name)
        where = store.describe_key(key)
        try:
            stored = _json_object(store.get(key), where)
        except KeyError:
            raise MetadataError("%s lists an array at %r whose %s is gone (%s): the consolidated "
                                "metadata is stale; run zarr.consolidate_metadata again"
                                % (CONSOLIDATED_META, name.rpartition("/")[0] or "/",
                                   ARRAY_META, where)) from None
        ours = metadata[name]
        if _canonical(stored) != _canonical(ours):
            fields = sorted(k for k in set(stored) | set(ours)
                            if _canonical(stored.get(k)) != _canonical(ours.get(k)))
            raise MetadataError("%s: %r in %s disagrees with it (%s differ): the consolidated "
                                "metadata is stale; run zarr.consolidate_metadata again "
                                "(mode 'r' reads the consolidated view as it is)"
                                % (where, name, CONSOLIDATED_META, ", ".join(fields)))


def _open_over(store, path, metadata, mode, synchronized, lazy, threads):
    encoded = {name: json.dumps(doc).encode("utf-8") for name, doc in metadata.items()}
    overlay = ConsolidatedStore(store, encoded, root=path, writable=mode == "r+")
    return open_group_at(overlay, path, mode, synchronized, lazy, False, False, threads)


def open_consolidated(store, mode="r", path=None, synchronized=True, lazy=False, fsync=False,
                      threads=None, storage_options=None, zarr_format=None):
    """Open the hierarchy of the group at ``path`` from its consolidated
    metadata (``.zmetadata``, see :func:`consolidate_metadata`): one read.

    The groups, their members, the arrays' shapes and options and every
    node's attributes are answered from that one document, with no other
    metadata read; chunks are read from the store as always. What is not in
    ``.zmetadata`` (a member added since it was written) is not seen.

    Parameters
    ----------
    store : str, path-like, store or MutableMapping
        As :func:`zarr.open_group` takes it.
    mode : {'r', 'r+'}
        'r' (the default) refuses every change. 'r+' lets the arrays' data be
        written (chunks), and refuses every change of metadata (attributes,
        resize and append, members made, removed or moved) with
        :class:`zarr.ReadOnlyError`, before anything is changed. In 'r+' each
        ``.zarray`` of the document is first compared with the one in the
        store (one read per array): chunks written against a stale shape or
        encoding would be wrong, so a difference raises.
    path : str, optional
        Where in the store the group is (its top by default).
    synchronized, lazy, fsync, threads
        How the group opens its arrays, as :func:`zarr.open_group` takes them.
    storage_options : dict, optional
        For a URL (``s3://bucket/a.zarr``): the options of its fsspec
        filesystem (:meth:`zarr.storage.FsspecStore.from_url`).

    Returns
    -------
    zarr.Group
        Over a :class:`zarr.storage.ConsolidatedStore` wrapping the store.

    Raises
    ------
    FileNotFoundError
        When nothing is at ``path`` (no directory, no keys).
    ValueError
        When something is there, but no ``.zmetadata``.
    MetadataError
        Naming ``.zmetadata``, for one that is not valid JSON, of another
        ``zarr_consolidated_format`` than 1, of another layout, or without
        the ``.zgroup`` of its top; in mode 'r+', naming the key, for a
        ``.zarray`` in the store that is missing or differs from the
        document. (In mode 'r' the document is used as it is: a stale one
        gives the arrays the shapes it holds.)

    Examples
    --------
    >>> import tempfile, zarr
    >>> path = tempfile.mkdtemp() + "/example.zarr"
    >>> g = zarr.open_group(path, mode="w")
    >>> g.attrs["title"] = "consolidated"
    >>> g.array("a/x", np.arange(6).reshape(2, 3), chunks=(1, 3))[...].sum()
    np.int64(15)
    >>> _ = zarr.consolidate_metadata(path)
    >>> g = zarr.open_consolidated(path)
    >>> g.attrs["title"], g["a/x"][1].tolist()
    ('consolidated', [3, 4, 5])
    >>> g = zarr.open_consolidated(path, mode="r+")
    >>> g["a/x"][0] = 9
    >>> g["a/x"].resize(4, 3)
    Traceback (most recent call last):
    ...
    zarr.errors.ReadOnlyError: cannot change 'a/x/.zarray': the metadata of the hierarchy ...
    """
    if mode not in ("r", "r+"):
        raise ValueError("open_consolidated opens in mode 'r' or 'r+', not %r (to change "
                         "metadata, use zarr.open_group, then zarr.consolidate_metadata)" % (mode,))
    if zarr_format not in (None, 2):
        raise ValueError("consolidated metadata is of the Zarr v2 format, not of format %r"
                         % (zarr_format,))
    store = as_store(store, read_only=mode == "r", fsync=fsync, storage_options=storage_options)
    path = node_path(path)
    metadata = _read(store, path)
    if mode == "r+":
        _check_arrays(store, path, metadata)
    return _open_over(store, path, metadata, mode, synchronized, lazy, threads)
