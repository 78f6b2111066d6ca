"""Write and read consolidated Zarr v2 hierarchies with zarr-python 3, for
tests/test_interop_consolidated.py.

Run by the python of the interop virtual environment, never with this
project on sys.path (``python -I``), so ``import zarr`` is zarr-python:

    python -I peer_consolidated.py write DIR
    python -I peer_consolidated.py read DIR

``write`` makes ``DIR/theirs.zarr`` from ``DIR/spec.json`` (``groups``: a list
of group paths, parents first; ``arrays``: path -> {"chunks", "compressor"
(a numcodecs config or null), "separator"}; ``attrs``: path -> attributes)
and the values in ``DIR/in.npz`` (by array path), with
``zarr.open_group(zarr_format=2)``, then runs ``zarr.consolidate_metadata``.

``read`` opens ``DIR/ours.zarr`` with ``zarr.open_consolidated(zarr_format=2)``
and writes what zarr-python sees: ``DIR/out.json`` (whether the group holds
consolidated metadata, and for each member its kind, attributes, and for
arrays shape, dtype and chunks) and the values in ``DIR/out.npz``.
"""

import json
import os
import sys

import numcodecs
import numpy as np
import zarr


def write(where):
    with open(os.path.join(where, "spec.json")) as f:
        spec = json.load(f)
    values = np.load(os.path.join(where, "in.npz"))
    path = os.path.join(where, "theirs.zarr")
    root = zarr.open_group(path, mode="w", zarr_format=2)
    for name in spec["groups"]:
        root.require_group(name)
    for name, options in spec["arrays"].items():
        data = values[name]
        parent, _, base = name.rpartition("/")
        group = root[parent] if parent else root
        config = options["compressor"]
        a = group.create_array(
            base, shape=data.shape, chunks=tuple(options["chunks"]), dtype=data.dtype,
            compressors=None if config is None else numcodecs.get_codec(config),
            chunk_key_encoding={"name": "v2", "separator": options["separator"]},
            fill_value=0)
        a[...] = data
    for name, attrs in spec["attrs"].items():
        (root[name] if name else root).attrs.update(attrs)
    zarr.consolidate_metadata(path, zarr_format=2)


def read(where):
    g = zarr.open_consolidated(os.path.join(where, "ours.zarr"), mode="r", zarr_format=2)
    seen = {"consolidated": g.metadata.consolidated_metadata is not None,
            "nodes": {"": {"kind": "group", "attrs": dict(g.attrs)}}}
    values = {}
    for name, node in g.members(max_depth=None):
        entry = {"attrs": dict(node.attrs)}
        if isinstance(node, zarr.Group):
            entry["kind"] = "group"
        else:
            entry.update(kind="array", shape=list(node.shape), dtype=str(node.dtype),
                         chunks=list(node.chunks))
            values[name] = node[...]
        seen["nodes"][name] = entry
    with open(os.path.join(where, "out.json"), "w") as f:
        json.dump(seen, f)
    np.savez(os.path.join(where, "out.npz"), **values)


if __name__ == "__main__":
    {"write": write, "read": read}[sys.argv[1]](sys.argv[2])
