"""numcodecs and zarr-python on this project's codecs, for tests/test_interop_codecs.py.

Run by the python of the interop environment, isolated (``python -I``):

    python -I peer_codecs.py manifest.json results.json

The manifest holds:

``decode``: {"id", "config", "data", "dtype", "shape", "out"} -- decode the
bytes at ``data`` (written by this project) with numcodecs' codec of
``config`` and save the value to ``out`` (.npy; .json for object codecs).

``read``: {"id", "path", "out"} -- open the Zarr v2 array at ``path`` (written
by this project) with zarr-python and save its whole value to ``out``.

``write``: {"id", "path", "data", "chunks", "compressor", "filters"} --
create a Zarr v2 array at ``path`` with zarr-python (``compressor``
"default" for zarr-python's own choice) holding the value at ``data``.

Each outcome goes to results.json as {"ok", "error", "traceback", ...}.
"""

import importlib.metadata
import json
import sys
import traceback

import numcodecs
import numpy as np
import zarr


def _save(value, out):
    if value.dtype.hasobject or value.dtype.kind == "T":
        items = [v.tolist() if isinstance(v, np.ndarray) else
                 list(v) if isinstance(v, bytes) else v for v in value.ravel().tolist()]
        with open(out, "w") as f:
            json.dump(items, f, ensure_ascii=False)
    else:
        np.save(out, value)


def do_decode(item):
    with open(item["data"], "rb") as f:
        data = f.read()
    codec = numcodecs.get_codec(item["config"])
    if item["dtype"] == "|O":
        value = codec.decode(data)
    else:
        out = np.empty(item["shape"], item["dtype"])
        codec.decode(data, out=out)
        value = out
    _save(np.asarray(value) if not isinstance(value, np.ndarray) else value, item["out"])
    return {}


def do_read(item):
    a = zarr.open_array(item["path"], mode="r")
    value = np.asarray(a[...])
    _save(value, item["out"])
    return {"dtype": str(value.dtype), "shape": list(value.shape)}


def do_write(item):
    data = np.load(item["data"], allow_pickle=True)
    kwargs = {}
    if item["compressor"] != "default":
        kwargs["compressors"] = (None if item["compressor"] is None
                                 else numcodecs.get_codec(item["compressor"]))
    if item["filters"]:
        kwargs["filters"] = [numcodecs.get_codec(f) for f in item["filters"]]
    z = zarr.create_array(item["path"], shape=data.shape, chunks=tuple(item["chunks"]),
                          dtype=data.dtype, zarr_format=2, overwrite=True, **kwargs)
    z[...] = data
    with open(item["path"] + "/.zarray") as f:
        return {"zarray": json.load(f)}


def main():
    manifest_path, results_path = sys.argv[1:3]
    with open(manifest_path) as f:
        manifest = json.load(f)
    results = {"versions": {name: importlib.metadata.version(name)
                            for name in ("zarr", "numcodecs", "numpy")},
               "zarr_file": zarr.__file__}
    for kind, action in (("decode", do_decode), ("write", do_write), ("read", do_read)):
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
