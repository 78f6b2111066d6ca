"""The commands that describe what is stored: info, tree, ls and du.

Each returns ``(text, facts)``: what it prints, and the same as plain data
for ``--json``.
"""

import json
import math
import os

from zarr.core import Array
from zarr.hierarchy import Group
from zarr.storage import LocalStore, V3_META, join_key
from zarr.storage.keys import ARRAY_META, GROUP_META
from zarr.util import human_readable_size


def walk(node, path=""):
    """(path, node, error) of ``node`` and of every node below it, parents
    first, members in name order; a member that does not open gives its
    error instead of a node.

    Examples
    --------
    >>> import zarr
    >>> g = zarr.group()
    >>> _ = g.zeros("a/x", shape=(2,))
    >>> [path for path, _, _ in walk(g)]
    ['', 'a', 'a/x']
    """
    yield path, node, None
    if not isinstance(node, Group):
        return
    for name in node:
        below = name if not path else path + "/" + name
        try:
            member = node[name]
        except Exception as e:  # reported by the caller, by member
            yield below, None, e
            continue
        yield from walk(member, below)


def metadata_document(node):
    """The node's stored metadata (``.zarray``, ``.zgroup`` or ``zarr.json``) as JSON data."""
    prefix = node.key_prefix
    names = (V3_META,) if node.metadata.zarr_format == 3 else (
        (ARRAY_META,) if isinstance(node, Array) else (GROUP_META,))
    return json.loads(bytes(memoryview(node.store.get(join_key(prefix, names[0])))))


def attributes(node):
    return dict(node.attrs.asdict())


def stored_sizes(z):
    """(initialized chunks, their stored bytes) of an array."""
    stored = z._stored_chunks()
    return len(stored), sum(size for _, size in stored)


def array_facts(z, with_attrs=False):
    initialized, cbytes = stored_sizes(z)
    written = initialized * math.prod(z.chunks) * z.dtype.itemsize
    facts = {
        "node_type": "array",
        "zarr_format": z.metadata.zarr_format,
        "shape": list(z.shape),
        "dtype": str(z.dtype),
        "chunks": list(z.chunks),
        "shards": None if z.shards is None else list(z.shards),
        "compressor": None if z.compressor is None else repr(z.compressor),
        "filters": [repr(f) for f in z.filters or ()],
        "nbytes": z.nbytes,
        "nbytes_stored": cbytes,
        "ratio": (written / cbytes) if cbytes else None,
        "nchunks": z.nchunks,
        "nchunks_initialized": initialized,
        "store": repr(z.store),
        "metadata": metadata_document(z),
    }
    if with_attrs:
        facts["attributes"] = attributes(z)
    return facts


def group_facts(g, with_attrs=False):
    members = {}
    for name in g:
        try:
            members[name] = "group" if isinstance(g[name], Group) else "array"
        except Exception as e:
            members[name] = "error: %s" % e
    facts = {"node_type": "group", "zarr_format": g.metadata.zarr_format,
             "members": members, "store": repr(g.store), "metadata": metadata_document(g)}
    if with_attrs:
        facts["attributes"] = attributes(g)
    return facts


def _attrs_text(attrs):
    return "attributes:\n" + "\n".join(
        "  %s: %s" % (k, json.dumps(v, default=str)) for k, v in sorted(attrs.items())) \
        if attrs else "attributes: none"


def info(node, with_attrs=False):
    if isinstance(node, Group):
        facts = group_facts(node, with_attrs)
        lines = [repr(node), "  zarr_format: %d; store: %r" % (facts["zarr_format"], node.store)]
        lines += ["  %s: %s" % (kind, name) for name, kind in facts["members"].items()]
    else:
        facts = array_facts(node, with_attrs)
        lines = [repr(node)]
    if with_attrs:
        lines.append(_attrs_text(facts["attributes"]))
    return "\n".join(lines), facts


def _basename(node):
    """The last part of a node's path ('/' for the top of its store)."""
    return node.key_prefix.rstrip("/").rsplit("/", 1)[-1] or "/"


def _tree_facts(node, name, depth, level):
    if isinstance(node, Array):
        return {"name": name, "node_type": "array", "shape": list(node.shape),
                "dtype": str(node.dtype)}
    facts = {"name": name, "node_type": "group", "members": []}
    if level is None or depth < level:
        for member in node:
            facts["members"].append(_tree_facts(node[member], member, depth + 1, level))
    return facts


def tree(node, level=None):
    name = _basename(node)
    if isinstance(node, Array):
        return "%s %s %s" % (name, node.shape, node.dtype), _tree_facts(node, name, 0, level)
    return str(node.tree(level=level)), _tree_facts(node, name, 0, level)


def _member_facts(name, member):
    if isinstance(member, Group):
        return {"name": name, "node_type": "group", "members": len(member)}
    initialized, cbytes = stored_sizes(member)
    return {"name": name, "node_type": "array", "shape": list(member.shape),
            "dtype": str(member.dtype), "chunks": list(member.chunks),
            "nbytes": member.nbytes, "nbytes_stored": cbytes,
            "nchunks": member.nchunks, "nchunks_initialized": initialized}


def ls(node, long=False):
    if isinstance(node, Array):
        entries = [_member_facts(_basename(node), node)]
    else:
        entries = [_member_facts(name, node[name]) for name in node]
    lines = []
    for e in entries:
        if not long:
            lines.append(e["name"] + ("/" if e["node_type"] == "group" else ""))
        elif e["node_type"] == "group":
            lines.append("group  %s/  (%d members)" % (e["name"], e["members"]))
        else:
            lines.append("array  %s  %s %s  chunks %s  %s stored  %d/%d chunks" % (
                e["name"], tuple(e["shape"]), e["dtype"], tuple(e["chunks"]),
                human_readable_size(e["nbytes_stored"]), e["nchunks_initialized"],
                e["nchunks"]))
    return "\n".join(lines), entries


def _files_under(directory):
    """(files, bytes) of the regular files under a directory, links not followed."""
    files = size = 0
    for top, dirs, names in os.walk(directory):
        for name in names:
            try:
                st = os.lstat(os.path.join(top, name))
            except OSError:
                continue
            files += 1
            size += st.st_size
    return files, size


def _keys_under(store, prefix):
    files = size = 0
    for key in store.list(prefix + "/" if prefix else ""):
        files += 1
        size += store.getsize(key)
    return files, size


def _array_usage(path, z):
    store = z.store
    if isinstance(store, LocalStore):
        files, stored = _files_under(store.directory(z.key_prefix))
    else:
        files, stored = _keys_under(store, z.key_prefix)
    return {"path": path, "nbytes": z.nbytes, "nbytes_stored": stored,
            "ratio": (z.nbytes / stored) if stored else None, "files": files}


def du(node, exact=False, label="/"):
    size = str if exact else human_readable_size
    rows, errors = [], []
    for path, member, error in walk(node):
        if error is not None:
            errors.append((path, error))
        elif isinstance(member, Array):
            rows.append(_array_usage(path or label, member))
    lines = []
    for r in rows:
        ratio = "%.1f" % r["ratio"] if r["ratio"] else "-"
        lines.append("%10s  %10s  %6s  %7d  %s" % (size(r["nbytes_stored"]), size(r["nbytes"]),
                                                   ratio, r["files"], r["path"]))
    total = {"nbytes": sum(r["nbytes"] for r in rows),
             "nbytes_stored": sum(r["nbytes_stored"] for r in rows),
             "files": sum(r["files"] for r in rows)}
    if len(rows) > 1:
        lines.append("%10s  %10s  %6s  %7d  total" % (
            size(total["nbytes_stored"]), size(total["nbytes"]), "", total["files"]))
    header = "%10s  %10s  %6s  %7s  %s" % ("stored", "data", "ratio", "files", "array")
    return "\n".join([header] + lines), {"arrays": rows, "total": total}, errors


__all__ = ["walk", "info", "tree", "ls", "du", "array_facts", "group_facts"]
