"""zarr-python 3 and TensorStore on Zarr v3 arrays, for tests/test_interop_v3.py.

Run by the python of the interop environment, isolated (``python -I``):

    python -I peer_v3.py manifest.json results.json

The manifest holds:

``read``: {"id", "lib": "zarr-python" | "tensorstore", "path", "out"} -- open
the v3 array at ``path`` (written by this project) and save its whole value
to ``out`` (.npy; .json with {"shape", "items"} for string and bytes arrays).

``write``: {"id", "lib", "path", "data", "chunks", "codecs", "fill_value",
"chunk_key_encoding", "region"} -- create a v3 array at ``path`` with those
``zarr.json`` members (JSON as the format writes them) and write the value at
``data`` into ``region`` (a list of [start, stop], or null for all of it).

``tree``: {"id", "path"} -- open the v3 group at ``path`` (written by this
project) with zarr-python and report every member's kind, its attributes,
and each array's shape and sum.

Each outcome goes to results.json as {"ok", "error", "traceback", ...}.
"""

import importlib.metadata
import json
import sys
import traceback

import numpy as np
import tensorstore as ts
import zarr


def _save(value, out):
    if out.endswith(".json"):
        items = [list(v) if isinstance(v, bytes) else v for v in value.ravel().tolist()]
        with open(out, "w") as f:
            json.dump({"shape": list(value.shape), "items": items}, f, ensure_ascii=False)
    else:
        np.save(out, value)


def _spec(path, **extra):
    return dict({"driver": "zarr3", "kvstore": {"driver": "file", "path": path}}, **extra)


def do_read(item):
    if item["lib"] == "zarr-python":
        value = np.asarray(zarr.open_array(item["path"], mode="r")[...])
    else:
        value = np.asarray(ts.open(_spec(item["path"]), open=True).result().read().result())
    if value.dtype.kind == "T":
        value = value.astype(object)
    _save(value, item["out"])
    return {"dtype": str(value.dtype), "shape": list(value.shape)}


def _region(item, shape):
    if item.get("region") is None:
        return tuple(slice(None) for _ in shape)
    return tuple(slice(a, b) for a, b in item["region"])


def do_write(item):
    data = np.load(item["data"], allow_pickle=True)
    where = _region(item, data.shape)
    if item["lib"] == "zarr-python":
        codecs = item["codecs"]
        names = [c["name"] for c in codecs]
        serializer = codecs[names.index("sharding_indexed" if "sharding_indexed" in names
                                        else "bytes")]
        position = codecs.index(serializer)
        z = zarr.create_array(item["path"], shape=data.shape, chunks=tuple(item["chunks"]),
                              dtype=data.dtype, zarr_format=3, fill_value=item["fill_value"],
                              filters=codecs[:position], serializer=serializer,
                              compressors=codecs[position + 1:],
                              chunk_key_encoding=item["chunk_key_encoding"])
        z[where] = data[where]
    else:
        metadata = {"shape": list(data.shape), "data_type": item["data_type"],
                    "chunk_grid": {"name": "regular",
                                   "configuration": {"chunk_shape": item["chunks"]}},
                    "chunk_key_encoding": item["chunk_key_encoding"],
                    "fill_value": item["fill_value"], "codecs": item["codecs"]}
        t = ts.open(_spec(item["path"], metadata=metadata), create=True).result()
        t[where].write(data[where]).result()
    with open(item["path"] + "/zarr.json") as f:
        return {"zarr_json": json.load(f)}


def do_tree(item):
    root = zarr.open_group(item["path"], mode="r")
    members = {"": {"kind": "group", "attrs": dict(root.attrs)}}
    for name, node in root.members(max_depth=None):
        entry = {"kind": "array" if isinstance(node, zarr.Array) else "group",
                 "attrs": dict(node.attrs)}
        if entry["kind"] == "array":
            entry["shape"] = list(node.shape)
            entry["sum"] = float(np.asarray(node[...]).sum())
        members[name] = entry
    return {"members": members}


def main():
    manifest_path, results_path = sys.argv[1:3]
    with open(manifest_path) as f:
        manifest = json.load(f)
    results = {"versions": {name: importlib.metadata.version(name)
                            for name in ("zarr", "tensorstore", "numpy")},
               "zarr_file": zarr.__file__}
    for kind, action in (("write", do_write), ("read", do_read), ("tree", do_tree)):
        results[kind] = {}
        for item in manifest.get(kind, []):
            try:
                outcome = dict(ok=True, **action(item))
            except Exception as e:  # reported per item; the test decides
                outcome = {"ok": False, "error": "%s: %s" % (type(e).__name__, e),
                           "traceback": traceback.format_exc()}
            results[kind][item["id"]] = outcome
    with open(results_path, "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
