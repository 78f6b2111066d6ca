"""Zarr v3 hierarchies, consolidated, with fixed-length strings, written and
read by zarr-python 3, for tests/test_interop_api3.py.

Run by the python of the interop virtual environment, never with this
project on sys.path (``python -I``), so ``import zarr`` is zarr-python:

    python -I peer_api3.py write DIR
    python -I peer_api3.py read DIR

``write`` makes ``DIR/theirs.zarr``: a v3 group holding the arrays of
``DIR/in.npz`` (by path, their parents groups), each with the fill value of
``DIR/fills.json`` (null for the default) and the attribute
``{"name": path}``, then consolidates its metadata.

``read`` opens ``DIR/ours.zarr`` with ``zarr.open_consolidated(zarr_format=3)``
and writes ``DIR/out.json`` (whether the group holds consolidated metadata,
and each member's kind, attributes, and for arrays dtype, fill value, and
the compressors' JSON) and the arrays' values in ``DIR/out.npz``.
"""

import base64
import json
import os
import sys
import warnings

import numpy as np
import zarr

warnings.simplefilter("ignore")  # zarr-python's notes on unstable data types


def write(where):
    values = np.load(os.path.join(where, "in.npz"))
    with open(os.path.join(where, "fills.json")) as f:
        fills = json.load(f)
    path = os.path.join(where, "theirs.zarr")
    root = zarr.open_group(path, mode="w", zarr_format=3)
    for name in values.files:
        data = values[name]
        fill = fills.get(name)
        if fill is not None and data.dtype.kind == "S":
            fill = base64.b64decode(fill)
        parent, _, base = name.rpartition("/")
        group = root.require_group(parent) if parent else root
        a = group.create_array(base, shape=data.shape, dtype=data.dtype,
                               chunks=tuple(max(1, n // 2) for n in data.shape),
                               fill_value=fill)
        a[...] = data
        a.attrs["name"] = name
    zarr.consolidate_metadata(path, zarr_format=3)


def _fill(value):
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value.item() if hasattr(value, "item") else value


def read(where):
    g = zarr.open_consolidated(os.path.join(where, "ours.zarr"), mode="r", zarr_format=3)
    seen = {"consolidated": g.metadata.consolidated_metadata is not None, "nodes": {}}
    values = {}
    for name, node in g.members(max_depth=None):
        entry = {"kind": "array" if isinstance(node, zarr.Array) else "group",
                 "attrs": dict(node.attrs)}
        if entry["kind"] == "array":
            entry.update(dtype=str(node.dtype), fill_value=_fill(node.fill_value),
                         compressors=[c.to_dict() for c in node.compressors])
            values[name] = node[...]
        seen["nodes"][name] = entry
    with open(os.path.join(where, "out.json"), "w") as f:
        json.dump(seen, f)
    np.savez(os.path.join(where, "out.npz"), **values)


if __name__ == "__main__":
    {"write": write, "read": read}[sys.argv[1]](sys.argv[2])
