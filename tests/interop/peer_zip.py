"""Read our zip archives and write zip archives with zarr-python 3, for
tests/test_interop_zip.py.

Run by the python of the interop virtual environment, never with this
project on sys.path (``python -I``), so ``import zarr`` is zarr-python:

    python -I peer_zip.py work_dir

``work_dir/manifest.json`` holds ``read``: archives written by the tests,
each opened with ``zarr.storage.ZipStore(path, mode='r')`` and
``zarr.open_group(store, mode='r', zarr_format=2)``, every array's value
saved as ``<out>/<n>.npy``; and ``write``: archives made here with
``ZipStore(path, mode='w', compression=...)``, a group (with attributes) and
the arrays listed, each written from a .npy over ``region`` (a list of
[start, stop], or null for all). What happened goes to
``work_dir/results.json``.
"""

import importlib.metadata
import json
import os
import sys
import traceback
import zipfile

import numcodecs
import numpy as np
import zarr


def do_read(item):
    os.makedirs(item["out"], exist_ok=True)
    store = zarr.storage.ZipStore(item["path"], mode="r")
    root = zarr.open_group(store, mode="r", zarr_format=2)
    nodes = {"": {"kind": "group", "attrs": root.attrs.asdict()}}
    for n, (path, member) in enumerate(sorted(root.members(max_depth=None))):
        if isinstance(member, zarr.Group):
            nodes[path] = {"kind": "group", "attrs": member.attrs.asdict()}
            continue
        out = os.path.join(item["out"], "%d.npy" % n)
        np.save(out, np.asarray(member[...]))
        nodes[path] = {"kind": "array", "attrs": member.attrs.asdict(), "out": out,
                       "dtype": member.dtype.str, "chunks": list(member.chunks)}
    store.close()
    return {"nodes": nodes}


def do_write(item):
    compression = {"stored": zipfile.ZIP_STORED, "deflated": zipfile.ZIP_DEFLATED}
    store = zarr.storage.ZipStore(item["path"], mode="w",
                                  compression=compression[item["compression"]])
    root = zarr.open_group(store, mode="w", zarr_format=2, attributes=item["attrs"])
    for node in item["arrays"]:
        data = np.load(node["data"])
        parent, _, name = node["path"].rpartition("/")
        where = root.require_group(parent) if parent else root
        compressor = node["compressor"]
        a = where.create_array(
            name, shape=data.shape, dtype=data.dtype, chunks=tuple(node["chunks"]),
            compressors=None if compressor is None else numcodecs.get_codec(compressor),
            fill_value=node["fill"],
            chunk_key_encoding={"name": "v2", "separator": node["separator"]})
        region = node["region"]
        sel = Ellipsis if region is None else tuple(slice(a0, b0) for a0, b0 in region)
        a[sel] = data[sel]
    store.close()
    with zipfile.ZipFile(item["path"]) as zf:
        methods = sorted({i.compress_type for i in zf.infolist()})
        return {"names": zf.namelist(), "methods": methods}


def main():
    work = sys.argv[1]
    with open(os.path.join(work, "manifest.json")) as f:
        manifest = json.load(f)
    results = {"zarr": importlib.metadata.version("zarr"), "zarr_file": zarr.__file__}
    for kind, run in (("read", do_read), ("write", do_write)):
        for item in manifest[kind]:
            try:
                results[item["id"]] = dict(run(item), ok=True)
            except Exception as e:
                results[item["id"]] = {"ok": False, "error": "%s: %s" % (type(e).__name__, e),
                                       "traceback": traceback.format_exc()}
    with open(os.path.join(work, "results.json"), "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main()
