"""Consolidated metadata: every ``.zarray``, ``.zgroup`` and ``.zattrs`` of a
hierarchy in one key, ``.zmetadata``, so that the hierarchy opens with one read.

The layout is zarr-python's (version 2, and 3 for ``zarr_format=2``)::

    {"zarr_consolidated_format": 1,
     "metadata": {".zgroup": {...}, ".zattrs": {...}, "a/x/.zarray": {...}, ...}}

the keys relative to the group consolidated, each value the JSON document of
that key. A Zarr v3 group holds its hierarchy's in its own ``zarr.json``, as
zarr-python 3 writes it::

    {"zarr_format": 3, "node_type": "group", "attributes": {...},
     "consolidated_metadata": {"kind": "inline", "must_understand": false,
                               "metadata": {"a": {...}, "a/x": {...}}}}

each value the ``zarr.json`` of the node at that path below the group.
:func:`open_consolidated` opens the hierarchy over a
:class:`zarr.storage.ConsolidatedStore`, which answers metadata from that
document and passes chunks through to the store; the arrays and groups read
it with the parsers they always use.
"""

import errno
import json

from zarr.errors import ContainsArrayError, MetadataError
from zarr.hierarchy import open_group_at
from zarr.meta import load_json, parse_array_metadata
from zarr.meta3 import parse_v3_metadata, read_node_document
from zarr.names import node_path
from zarr.storage import (ARRAY_META, ATTRS, CONSOLIDATED_META, GROUP_META, V3_META,
                          ConsolidatedStore, as_store, describe_node, join_key, node_format,
                          node_kind, normalize_key)
from zarr.storage.files import MAX_METADATA_SIZE

#: The version of the layout of ``.zmetadata`` that is written and read.
CONSOLIDATED_FORMAT = 1
#: The member of a v3 group's ``zarr.json`` that holds its hierarchy's metadata.
CONSOLIDATED_V3 = "consolidated_metadata"

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


def _gather_v3(store, path):
    """The ``zarr.json`` of every node below the v3 group at ``path``, by path
    relative to it; each array's checked as opening it would."""
    metadata = {}
    pending = [""]
    while pending:
        rel = pending.pop()
        for name in store.list_dir(join_key(path, rel) if rel else path):
            if name.startswith(".") or name == V3_META:
                continue
            child = join_key(rel, name)
            key = join_key(join_key(path, child), V3_META)
            try:
                data = store.get(key)
            except KeyError:
                continue  # a directory that is no node (an array's chunks)
            where = store.describe_key(key)
            doc = read_node_document(data, where)
            if doc["node_type"] == "array":
                parse_v3_metadata(data, where)
            else:
                doc.pop(CONSOLIDATED_V3, None)
                pending.append(child)
            metadata[child] = doc
    return metadata


def _consolidate_v3(store, path):
    key = join_key(path, V3_META)
    where = store.describe_key(key)
    root = read_node_document(store.get(key), where)
    root[CONSOLIDATED_V3] = {"kind": "inline", "must_understand": False,
                             "metadata": _gather_v3(store, path)}
    text = json.dumps(root, indent=2, sort_keys=True, ensure_ascii=True) + "\n"
    _check_size(store, key, text)
    store.set(key, text.encode("ascii"))
    return _v3_overlay(root)


def _check_size(store, key, text):
    if len(text) > MAX_METADATA_SIZE:
        raise MetadataError("%s: the metadata of the hierarchy takes %d bytes, over the limit of "
                            "%d bytes of a metadata file (zarr.storage.files.MAX_METADATA_SIZE); "
                            "nothing written" % (store.describe_key(key), len(text),
                                                 MAX_METADATA_SIZE))


def _v3_overlay(root, where="zarr.json"):
    """The metadata keys a ConsolidatedStore answers for the v3 group whose
    ``zarr.json`` is ``root``: its own and those of its consolidated nodes
    (nested groups' entries flattened, as zarr-python 3 may nest them)."""
    metadata = {V3_META: root}
    pending = [("", root)]
    while pending:
        prefix, doc = pending.pop()
        inline = doc.get(CONSOLIDATED_V3)
        if inline is None and prefix:
            continue
        if not isinstance(inline, dict) or inline.get("kind") != "inline" or \
                not isinstance(inline.get("metadata"), dict):
            raise MetadataError("%s: %s must be {'kind': 'inline', 'metadata': {...}}, not %r"
                                % (where, CONSOLIDATED_V3, inline))
        for name, child in inline["metadata"].items():
            try:
                rel = normalize_key(join_key(prefix, name))
            except (TypeError, ValueError) as e:
                raise MetadataError("%s: %s" % (where, e)) from None
            if not isinstance(child, dict) or child.get("zarr_format") != 3 or \
                    child.get("node_type") not in ("array", "group"):
                raise MetadataError("%s: the metadata of %r is not a Zarr v3 node's" % (where, rel))
            metadata[join_key(rel, V3_META)] = child
            if child["node_type"] == "group":
                pending.append((rel, child))
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
    zarr_format : {None, 2, 3}
        The format of the group (ValueError for a group of the other one):
        a v2 group's metadata goes into ``.zmetadata``, a v3 group's into
        its ``zarr.json``.

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
    >>> g = zarr.open_group(path, mode="w", zarr_format=2)
    >>> _ = g.zeros("a/x", shape=(4, 4), chunks=2, dtype="i4")
    >>> g = zarr.consolidate_metadata(path)
    >>> sorted(json.load(open(path + "/.zmetadata"))["metadata"])
    ['.zgroup', 'a/.zgroup', 'a/x/.zarray', 'a/x/.zattrs']
    >>> g["a/x"].shape
    (4, 4)
    """
    if zarr_format not in (None, 2, 3):
        raise ValueError("zarr_format must be 2 or 3, not %r" % (zarr_format,))
    store = as_store(store, storage_options=storage_options)
    path = node_path(path)
    kind, found = node_format(store, path)
    if kind != "group" or zarr_format not in (None, found):
        where = describe_node(store, path)
        if kind == "group":
            raise ValueError("the group at %s is of the Zarr v%d format, not %d (zarr_format)"
                             % (where, found, zarr_format))
        if kind == "array":
            raise ContainsArrayError(errno.EEXIST, "an array, not a group, is at", where)
        raise FileNotFoundError(errno.ENOENT, "no group (no %s nor %s) at"
                                % (GROUP_META, V3_META), where)
    if found == 3:
        return _open_over(store, path, _consolidate_v3(store, path), "r+", True, False, None)
    metadata = _gather(store, path)
    text = json.dumps({"zarr_consolidated_format": CONSOLIDATED_FORMAT, "metadata": metadata},
                      indent=4, sort_keys=True, ensure_ascii=True) + "\n"
    key = join_key(path, CONSOLIDATED_META)
    _check_size(store, key, text)
    store.set(key, text.encode("ascii"))
    return _open_over(store, path, metadata, "r+", True, False, None)


def _read(store, path, zarr_format=None):
    """The metadata keys of the consolidated metadata of the group at
    ``path``: its ``.zmetadata`` (v2), else the ``zarr.json`` of a v3 group."""
    if zarr_format != 3:
        try:
            return _read_v2(store, path, store.get(join_key(path, CONSOLIDATED_META)))
        except KeyError:
            pass
    root = _v3_group_document(store, path) if zarr_format != 2 else None
    if root is not None:
        return _read_v3(store, path, root)
    where = describe_node(store, path)
    if node_format(store, path)[0] is None and not store.contains_prefix(path):
        raise FileNotFoundError(errno.ENOENT, "no group, no consolidated metadata: the store "
                                "does not exist at", where)
    what = {2: CONSOLIDATED_META, 3: "Zarr v3 group"}.get(
        zarr_format, CONSOLIDATED_META + ") (nor a Zarr v3 group")
    raise ValueError("no consolidated metadata (no %s) at %s: open it with zarr.open_group, "
                     "or write it with zarr.consolidate_metadata" % (what, where))


def _read_v2(store, path, data):
    """The metadata documents of ``data``, the ``.zmetadata`` of the group at ``path``."""
    key = join_key(path, CONSOLIDATED_META)
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


def _v3_group_document(store, path):
    """The ``zarr.json`` of the v3 group at ``path`` (read once), or None
    when there is none there (a v2 node, or nothing)."""
    key = join_key(path, V3_META)
    try:
        data = store.get(key)
    except KeyError:
        return None
    doc = read_node_document(data, store.describe_key(key))
    if doc["node_type"] != "group":
        raise ContainsArrayError(errno.EEXIST, "an array (Zarr v3), not a group, is at",
                                 describe_node(store, path))
    return doc


def _read_v3(store, path, root):
    """The metadata keys of the consolidated metadata in ``root``, the
    ``zarr.json`` of the v3 group at ``path``."""
    where = store.describe_key(join_key(path, V3_META))
    if root.get(CONSOLIDATED_V3) is None:
        raise ValueError("no consolidated metadata (no %s in %s): open it with "
                         "zarr.open_group, or write it with zarr.consolidate_metadata"
                         % (CONSOLIDATED_V3, where))
    return _v3_overlay(root, where)


def _check_arrays(store, path, metadata):
    """MetadataError, naming the key, for a ``.zarray`` of the consolidated
    metadata that is not the one in the store (missing or different)."""
    for name in sorted(metadata):
        last = name.rpartition("/")[2]
        if not (last == ARRAY_META or last == V3_META and metadata[name].get("node_type")
                == "array"):
            continue
        key = join_key(path, name)
        where = store.describe_key(key)
        try:
            stored = _json_object(store.get(key), where)
        except KeyError:
            raise MetadataError("the consolidated metadata lists an array at %r whose %s is "
                                "gone (%s): it is stale; run zarr.consolidate_metadata again"
                                % (name.rpartition("/")[0] or "/", last, where)) from None
        ours = metadata[name]
        if _canonical(stored) != _canonical(ours):
            fields = sorted(k for k in set(stored) | set(ours)
                            if _canonical(stored.get(k)) != _canonical(ours.get(k)))
            raise MetadataError("%s: %r in the consolidated metadata disagrees with it (%s "
                                "differ): it is stale; run zarr.consolidate_metadata again "
                                "(mode 'r' reads the consolidated view as it is)"
                                % (where, name, ", ".join(fields)))


def _open_over(store, path, metadata, mode, synchronized, lazy, threads):
    encoded = {name: json.dumps(doc).encode("utf-8") for name, doc in metadata.items()}
    overlay = ConsolidatedStore(store, encoded, root=path, writable=mode == "r+")
    return open_group_at(overlay, path, mode, synchronized, lazy, False, False, threads)


def open_consolidated(store, mode="r", path=None, synchronized=True, lazy=False, fsync=False,
                      threads=None, storage_options=None, zarr_format=None):
    """Open the hierarchy of the group at ``path`` from its consolidated
    metadata (``.zmetadata``, or a v3 group's ``zarr.json``, see
    :func:`consolidate_metadata`): one read.

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
    zarr_format : {None, 2, 3}
        The format to look for: None tries ``.zmetadata``, then a v3
        group's ``zarr.json``.

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
    >>> g = zarr.open_group(path, mode="w", zarr_format=2)
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
    if zarr_format not in (None, 2, 3):
        raise ValueError("zarr_format must be 2 or 3, not %r" % (zarr_format,))
    store = as_store(store, read_only=mode == "r", fsync=fsync, storage_options=storage_options)
    path = node_path(path)
    metadata = _read(store, path, zarr_format)
    if mode == "r+":
        _check_arrays(store, path, metadata)
    return _open_over(store, path, metadata, mode, synchronized, lazy, threads)
