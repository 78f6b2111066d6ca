"""Read and write Zarr v2 arrays with zarr-python and TensorStore, for tests/test_interop.py.

Run by the python of the interop virtual environment, never with this
project on sys.path (``python -I``), so ``import zarr`` is zarr-python:

    python -I peer.py manifest.json results.json

The manifest holds two lists, each processed in one go so that the libraries
are imported once:

``read``: {"id", "lib": "zarr-python" | "tensorstore", "path", "out"} -- open the
array at ``path``, save its whole value to ``out`` (.npy) and report its dtype
and shape, or the error raised.

``write``: {"id", "lib", "path", "data", "region"} and, for zarr-python,
"dtype", "chunks", "compressor" (a numcodecs config or null), "filters",
"separator", "fill" (a .npy of the fill value, or null); for TensorStore,
"metadata" (the .zarray to create with). Writes ``data`` (.npy) into
``region`` (a list of [start, stop], or null for the whole array).

Each outcome goes to results.json as {"ok", "error", ...}; an error in one
array never stops the others.
"""

import importlib.metadata
import json
import os
import sys
import traceback

import numcodecs
import numpy as np
import tensorstore as ts
import zarr


def _region(spec, ndim):
    if spec is None:
        return (Ellipsis,)
    assert len(spec) == ndim
    return tuple(slice(a, b) for a, b in spec)


def _error(e):
    return "%s: %s" % (type(e).__name__, e)


def _ts_spec(path, **extra):
    spec = {"driver": "zarr", "kvstore": {"driver": "file", "path": path}}
    spec.update(extra)
    return spec


def read_zarr_python(path):
    a = zarr.open_array(path, mode="r")
    value = np.asarray(a[...])
    native = str(value.dtype)
    if value.dtype.kind == "T":  # numpy's StringDType: saved as object to compare
        value = value.astype(object)
    return value, native


def read_tensorstore(path):
    with open(os.path.join(path, ".zarray")) as f:
        meta = json.load(f)
    if isinstance(meta["dtype"], list):  # structured: TensorStore opens one field at a time
        dtype = np.dtype([tuple(f[:2]) + ((tuple(f[2]),) if len(f) > 2 else ())
                          for f in meta["dtype"]])
        value = np.zeros(meta["shape"], dtype)
        native = []
        for name in dtype.names:
            t = ts.open(_ts_spec(path, field=name), open=True).result()
            native.append("%s: %s %s" % (name, t.dtype.name, list(t.shape)))
            field = np.asarray(t.read().result())
            if field.dtype.itemsize:  # TensorStore's char reads as zero-width |S0
                value[name] = field
        return value, "; ".join(native)
    t = ts.open(_ts_spec(path), open=True).result()
    value = t.read().result()
    return np.asarray(value), "%s %s" % (t.dtype.name, list(t.shape))


def do_read(item):
    reader = read_zarr_python if item["lib"] == "zarr-python" else read_tensorstore
    value, native = reader(item["path"])
    np.save(item["out"], value, allow_pickle=True)
    return {"dtype": value.dtype.str if value.dtype.fields is None else repr(value.dtype),
            "native": native, "shape": list(value.shape)}


def do_write(item):
    data = np.load(item["data"], allow_pickle=True)
    sel = _region(item["region"], data.ndim)
    if item["lib"] == "zarr-python":
        fill = None if item["fill"] is None else np.load(item["fill"], allow_pickle=True)[()]
        dtype = item["dtype"]
        if dtype == "vlen-utf8":
            dtype = str
        elif dtype == "vlen-bytes":
            dtype = zarr.dtype.VariableLengthBytes()
        else:
            dtype = np.dtype(dtype if isinstance(dtype, str) else [tuple(f) for f in dtype])
        compressor = item["compressor"]
        z = zarr.create_array(
            item["path"], shape=data.shape, chunks=tuple(item["chunks"]), dtype=dtype,
            compressors=None if compressor is None else numcodecs.get_codec(compressor),
            fill_value=fill, zarr_format=2, overwrite=True,
            chunk_key_encoding={"name": "v2", "separator": item["separator"]})
        z[sel] = data[sel]
    else:
        t = ts.open(_ts_spec(item["path"], metadata=item["metadata"]), create=True,
                    delete_existing=True).result()
        t[sel].write(data[sel]).result()
    with open(os.path.join(item["path"], ".zarray")) as f:
        return {"zarray": json.load(f)}


def main():
    manifest_path, results_path = sys.argv[1:3]
    with open(manifest_path) as f:
        manifest = json.load(f)
    results = {
        "versions": {name: importlib.metadata.version(name)
                     for name in ("zarr", "numcodecs", "tensorstore", "numpy", "msgpack")},
        "zarr_file": zarr.__file__,
        "read": {}, "write": {},
    }
    for kind, action in (("write", do_write), ("read", do_read)):
        for item in manifest.get(kind, []):
            try:
                outcome = dict(ok=True, **action(item))
            except Exception as e:  # reported per array; the test decides what is expected
                outcome = {"ok": False, "error": _error(e), "traceback": traceback.format_exc()}
            results[kind][item["id"]] = outcome
    with open(results_path, "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
