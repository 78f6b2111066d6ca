"""Zarr v3 consolidated hierarchies with fixed-length strings (``U``, ``S``),
and codecs given as objects, with zarr-python 3, each way round.

zarr-python's ``open_consolidated(zarr_format=3)`` reads a v3 hierarchy we
consolidated (from the root's ``zarr.json``: an attribute changed after
consolidating is not seen); we open one that zarr-python consolidated with
one metadata read. The peer is ``tests/interop/peer_api3.py`` in the
interop environment (see ``interop_python`` in conftest.py).
"""

import base64
import json
from pathlib import Path

import numpy as np

import zarr
from arrays import RecordingStore
from conftest import run_checked
from zarr.storage import LocalStore

PEER = Path(__file__).resolve().parent / "interop" / "peer_api3.py"
PEER_TIMEOUT = 300

VALUES = {
    "names": np.array(["", "a", "déjà", "日本語x", "zzzzz"] * 3, "<U5"),
    "g/codes": np.array([b"", b"a", b"b\x00c", b"xyz"] * 4, "S3").reshape(4, 4),
    "g/h/depth": np.linspace(-1, 1, 11),
    "g/h/flags": np.array([True, False, True]),
}
FILLS = {"names": "?", "g/codes": base64.b64encode(b"-").decode(), "g/h/depth": None,
         "g/h/flags": None}


def peer(interop_python, command, where):
    run_checked([str(interop_python), "-I", str(PEER), command, str(where)], PEER_TIMEOUT,
                cwd=str(where))


def test_zarr_python_reads_our_consolidated_v3_hierarchy(interop_python, tmp_path):
    path = str(tmp_path / "ours.zarr")
    with zarr.config.set(default_zarr_format=3):
        root = zarr.open_group(path, mode="w")
    assert root.metadata.zarr_format == 3
    blosc = zarr.codecs.BloscCodec(cname="lz4", clevel=7, shuffle="bitshuffle")
    for name, data in VALUES.items():
        fill = FILLS[name]
        if fill is not None and data.dtype.kind == "S":
            fill = base64.b64decode(fill)
        a = root.create_array(name, shape=data.shape, dtype=data.dtype, chunks=(2,) * data.ndim,
                              fill_value=fill, compressors=blosc)
        a[...] = data
        a.attrs["name"] = name
    zarr.consolidate_metadata(path, zarr_format=3)
    root["names"].attrs["after"] = "not consolidated"
    peer(interop_python, "read", tmp_path)
    with open(tmp_path / "out.json") as f:
        seen = json.load(f)
    assert seen["consolidated"] is True
    nodes = seen["nodes"]
    assert sorted(nodes) == sorted(["g", "g/h"] + list(VALUES))
    got = np.load(tmp_path / "out.npz")
    for name, data in VALUES.items():
        entry = nodes[name]
        assert entry["attrs"] == {"name": name}  # "after" is not in the consolidated document
        assert np.dtype(entry["dtype"]) == data.dtype
        assert entry["compressors"] == [{"name": "blosc", "configuration": {
            "cname": "lz4", "clevel": 7, "shuffle": "bitshuffle", "blocksize": 0,
            "typesize": data.dtype.itemsize}}]
        if FILLS[name] is not None:
            assert entry["fill_value"] == FILLS[name]
        np.testing.assert_array_equal(got[name], data)


def test_we_read_their_consolidated_v3_hierarchy_with_one_metadata_read(interop_python,
                                                                        tmp_path):
    np.savez(tmp_path / "in.npz", **VALUES)
    with open(tmp_path / "fills.json", "w") as f:
        json.dump(FILLS, f)
    peer(interop_python, "write", tmp_path)
    path = str(tmp_path / "theirs.zarr")
    store = RecordingStore(LocalStore(path))
    g = zarr.open_consolidated(store, zarr_format=3)
    members = {}
    g.visititems(lambda name, node: members.__setitem__(name, node))
    assert sorted(members) == sorted(["g", "g/h"] + list(VALUES))
    for name, data in VALUES.items():
        a = members[name]
        assert (a.shape, a.dtype, a.attrs.asdict()) == (data.shape, data.dtype, {"name": name})
    assert store.metadata_calls() == {("get", "zarr.json"): 1}
    for name, data in VALUES.items():
        np.testing.assert_array_equal(members[name][...], data)
    assert members["names"].fill_value == "?"
    assert members["g/codes"].fill_value == b"-"
    # Their fill values read where nothing was written.
    z = zarr.open_group(path, mode="a")
    z["names"].resize(20)
    assert z["names"][15:].tolist() == ["?"] * 5
