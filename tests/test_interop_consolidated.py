"""Consolidated metadata with zarr-python 3 (``zarr_format=2``), each way round.

zarr-python's ``open_consolidated`` reads a hierarchy we consolidated, and
reads it from ``.zmetadata`` (an attribute changed after consolidating is
not seen); we open with :func:`zarr.open_consolidated` a hierarchy that
zarr-python consolidated, with one metadata read, in modes 'r' and 'r+'. The
peer is ``tests/interop/peer_consolidated.py`` in the interop environment
(see ``interop_python`` in conftest.py).
"""

import json
from pathlib import Path

import numpy as np
import zarr
from arrays import RecordingStore
from conftest import run_checked
from zarr.storage import LocalStore

PEER = Path(__file__).resolve().parent / "interop" / "peer_consolidated.py"
PEER_TIMEOUT = 300

VALUES = {
    "x": np.arange(35, dtype="i4").reshape(5, 7),
    "g/y": np.linspace(0, 1, 11),
    "g/h/nested": np.arange(60, dtype="u2").reshape(3, 4, 5),
    "g/h/raw": np.array([-1, 0, 1, 127], dtype="i1"),
}
OPTIONS = {
    "x": {"chunks": [2, 3], "compressor": {"id": "blosc", "cname": "zstd", "clevel": 3,
                                           "shuffle": 2, "blocksize": 0}, "separator": "."},
    "g/y": {"chunks": [4], "compressor": {"id": "blosc", "cname": "lz4", "clevel": 5,
                                          "shuffle": 1, "blocksize": 0}, "separator": "."},
    "g/h/nested": {"chunks": [2, 2, 3], "compressor": {"id": "blosc", "cname": "blosclz",
                                                       "clevel": 9, "shuffle": 1,
                                                       "blocksize": 0}, "separator": "/"},
    "g/h/raw": {"chunks": [3], "compressor": None, "separator": "."},
}
GROUPS = ["g", "g/h", "empty"]
ATTRS = {"": {"title": "consolidated \u00e9t\u00e9", "n": 3},
         "g": {"nested": {"a": [1, 2.5, None, True]}},
         "x": {"units": "m"}, "g/h/raw": {"scale": 0.5}}


def peer(interop_python, command, where):
    run_checked([str(interop_python), "-I", str(PEER), command, str(where)], PEER_TIMEOUT,
                cwd=str(where))


def test_zarr_python_reads_ours_from_zmetadata(interop_python, tmp_path):
    path = str(tmp_path / "ours.zarr")
    root = zarr.open_group(path, mode="w")
    for name in GROUPS:
        root.require_group(name)
    for name, data in VALUES.items():
        o = OPTIONS[name]
        codec = None if o["compressor"] is None else zarr.Blosc(
            o["compressor"]["cname"], o["compressor"]["clevel"], o["compressor"]["shuffle"])
        root.array(name, data, chunks=o["chunks"], compressor=codec,
                   dimension_separator=o["separator"])
    for name, attrs in ATTRS.items():
        (root[name] if name else root).attrs.update(attrs)
    zarr.consolidate_metadata(path)
    root["x"].attrs["after"] = "not consolidated"  # in x/.zattrs, not in .zmetadata
    peer(interop_python, "read", tmp_path)
    with open(tmp_path / "out.json") as f:
        seen = json.load(f)
    assert seen["consolidated"] is True
    nodes = seen["nodes"]
    assert sorted(nodes) == sorted([""] + GROUPS + list(VALUES))
    for name in GROUPS:
        assert nodes[name]["kind"] == "group"
    for name, attrs in ATTRS.items():
        assert nodes[name]["attrs"] == attrs, name  # x's "after" is not seen
    got = np.load(tmp_path / "out.npz")
    for name, data in VALUES.items():
        entry = nodes[name]
        assert entry["kind"] == "array"
        assert (tuple(entry["shape"]), entry["dtype"], entry["chunks"]) == \
            (data.shape, str(data.dtype), OPTIONS[name]["chunks"])
        assert got[name].dtype == data.dtype
        np.testing.assert_array_equal(got[name], data)


def test_we_read_theirs_with_one_metadata_read(interop_python, tmp_path):
    with open(tmp_path / "spec.json", "w") as f:
        json.dump({"groups": GROUPS, "arrays": OPTIONS, "attrs": ATTRS}, f)
    np.savez(tmp_path / "in.npz", **VALUES)
    peer(interop_python, "write", tmp_path)
    path = str(tmp_path / "theirs.zarr")
    store = RecordingStore(LocalStore(path))
    g = zarr.open_consolidated(store)
    members = {}
    g.visititems(lambda name, node: members.__setitem__(name, node))
    assert sorted(members) == sorted(GROUPS + list(VALUES))
    for name, attrs in ATTRS.items():
        assert (members[name] if name else g).attrs.asdict() == attrs, name
    for name, data in VALUES.items():
        assert (members[name].shape, members[name].dtype) == (data.shape, data.dtype)
        assert list(members[name].chunks) == OPTIONS[name]["chunks"]
    assert store.metadata_calls() == {("get", ".zmetadata"): 1}
    for name, data in VALUES.items():
        np.testing.assert_array_equal(members[name][...], data)
    # Mode r+ finds their .zarray files as .zmetadata has them, and writes chunks.
    g = zarr.open_consolidated(path, mode="r+")
    g["g/h/nested"][1, :, :] = 9
    want = VALUES["g/h/nested"].copy()
    want[1] = 9
    np.testing.assert_array_equal(zarr.open_group(path, mode="r")["g/h/nested"][...], want)
