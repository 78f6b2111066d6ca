"""Write and read Zarr v2 groups with zarr-python 3, for tests/test_interop_groups.py.

Run by the python of the interop virtual environment, never with this
project on sys.path (``python -I``), so ``import zarr`` is zarr-python:

    python -I peer_groups.py manifest.json results.json

The manifest holds two lists, each processed in one go so that zarr-python is
imported once:

``write``: {"id", "path", "nodes"}: make a hierarchy at ``path`` with
``zarr.open_group(mode='w', zarr_format=2)``. ``nodes`` is a list, parents
before children, of {"path", "kind": "group", "attrs"} (the root is path "")
and {"path", "kind": "array", "attrs", "dtype" (a numpy dtype string, or
"vlen-utf8"), "chunks", "compressor" (a numcodecs config or null),
"separator", "fill" (a .npy of the fill value, or null), "data" (a .npy),
"region" (a list of [start, stop], or null for the whole array)}. Groups are
made with ``require_group`` and arrays with ``Group.create_array`` on their
parent group, so every group is one the manifest names.

``read``: {"id", "path", "out"}: open the group at ``path`` with
``zarr.open_group(mode='r', zarr_format=2)`` and report what zarr-python
sees: ``members(max_depth=None)``, and for each group and array its
attributes; for groups ``group_keys()`` and ``array_keys()``; for arrays
dtype, shape and chunks, the whole value saved as ``out/<n>.npy``.
``zarr.open(path, mode='r', zarr_format=2)`` must give a Group too.

Attributes are reported with the type of every value (see ``typed``), so
that the test sees exactly what zarr-python returns, NaN and -0.0 included.
Each outcome goes to results.json as {"ok", "error", "traceback", ...}; an
error in one hierarchy never stops the others.
"""

import importlib.metadata
import json
import os
import sys
import traceback

import numcodecs
import numpy as np
import zarr


def typed(value):
    """A JSON-safe image of ``value`` that keeps every type name and every float's bits:
    [type name, value], with floats as float.hex() and containers recursively."""
    name = type(value).__name__
    if isinstance(value, dict):
        return [name, {str(k): typed(v) for k, v in value.items()}]
    if isinstance(value, (list, tuple)):
        return [name, [typed(v) for v in value]]
    if isinstance(value, float):
        return [name, value.hex()]
    if value is None or isinstance(value, (bool, int, str)):
        return [name, value]
    return [name, repr(value)]


def _error(e):
    return "%s: %s" % (type(e).__name__, e)


def _region(spec, ndim):
    if spec is None:
        return (Ellipsis,)
    assert len(spec) == ndim
    return tuple(slice(a, b) for a, b in spec)


def _parent_and_name(path):
    head, _, tail = path.rpartition("/")
    return head, tail


def do_write(item):
    root = zarr.open_group(item["path"], mode="w", zarr_format=2)
    for node in item["nodes"]:
        path = node["path"]
        if node["kind"] == "group":
            group = root if path == "" else root.require_group(path)
            if node["attrs"]:
                group.attrs.update(node["attrs"])
            continue
        data = np.load(node["data"], allow_pickle=True)
        fill = None if node["fill"] is None else np.load(node["fill"], allow_pickle=True)[()]
        dtype = str if node["dtype"] == "vlen-utf8" else np.dtype(node["dtype"])
        compressor = node["compressor"]
        parent, name = _parent_and_name(path)
        where = root if parent == "" else root[parent]
        a = where.create_array(
            name, shape=data.shape, chunks=tuple(node["chunks"]), dtype=dtype,
            compressors=None if compressor is None else numcodecs.get_codec(compressor),
            fill_value=fill, chunk_key_encoding={"name": "v2", "separator": node["separator"]},
            attributes=node["attrs"] or None)
        sel = _region(node["region"], data.ndim)
        a[sel] = data[sel]
    return {"files": sorted(os.path.relpath(os.path.join(d, f), item["path"])
                            for d, _, files in os.walk(item["path"]) for f in files)}


def _array_report(a, out):
    value = np.asarray(a[...])
    native = str(value.dtype)
    if value.dtype.kind == "T":  # numpy's StringDType: saved as object to compare
        value = value.astype(object)
    np.save(out, value, allow_pickle=True)
    return {"kind": "array", "attrs": typed(a.attrs.asdict()), "native": native,
            "dtype": value.dtype.str if value.dtype.fields is None else repr(value.dtype),
            "shape": list(a.shape), "chunks": list(a.chunks), "out": out}


def _group_report(g):
    return {"kind": "group", "attrs": typed(g.attrs.asdict()),
            "group_keys": sorted(g.group_keys()), "array_keys": sorted(g.array_keys())}


def do_read(item):
    os.makedirs(item["out"], exist_ok=True)
    root = zarr.open_group(item["path"], mode="r", zarr_format=2)
    members = sorted(root.members(max_depth=None))
    nodes = {"": _group_report(root)}
    for n, (path, member) in enumerate(members):
        if isinstance(member, zarr.Group):
            nodes[path] = _group_report(member)
        else:
            nodes[path] = _array_report(member, os.path.join(item["out"], "%d.npy" % n))
    opened = zarr.open(item["path"], mode="r", zarr_format=2)
    return {"members": [[path, "group" if isinstance(m, zarr.Group) else "array"]
                        for path, m in members],
            "nodes": nodes, "open": type(opened).__name__}


def main():
    manifest_path, results_path = sys.argv[1:3]
    with open(manifest_path) as f:
        manifest = json.load(f)
    results = {
        "versions": {name: importlib.metadata.version(name)
                     for name in ("zarr", "numcodecs", "numpy")},
        "zarr_file": zarr.__file__,
        "read": {}, "write": {},
    }
    for kind, action in (("write", do_write), ("read", do_read)):
        for item in manifest.get(kind, []):
            try:
                outcome = dict(ok=True, **action(item))
            except Exception as e:  # reported per hierarchy; the test decides
                outcome = {"ok": False, "error": _error(e), "traceback": traceback.format_exc()}
            results[kind][item["id"]] = outcome
    with open(results_path, "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
