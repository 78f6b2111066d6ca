"""Zip archives with zarr-python 3, each way round.

We write an archive with :class:`zarr.storage.ZipStore` (then add to it in
mode 'a', rewriting chunks, so that it holds entries that the last one of
their name overrides); zarr-python reads it through its own
``zarr.storage.ZipStore``. zarr-python writes archives, stored and deflated;
we read them. One subprocess of the interop environment (see
``interop_python`` in conftest.py), ``tests/interop/peer_zip.py``, does
zarr-python's part; every value is compared here with numpy.
"""

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

import zarr
from conftest import run_checked
from zarr.storage import ZipDuplicateWarning, ZipStore

PEER = Path(__file__).resolve().parent / "interop" / "peer_zip.py"

A = np.arange(1200, dtype="i4").reshape(40, 30) - 600
B = np.linspace(-1, 1, 100)
C = (np.arange(13 * 11 * 5) % 251).astype("u2").reshape(13, 11, 5)

OURS_ATTRS = {"by": "us", "n": [1, 2]}
THEIRS_ATTRS = {"by": "zarr-python"}


def write_ours(path):
    with ZipStore(path, "w") as store:
        root = zarr.open_group(store, mode="w")
        root.attrs.update(OURS_ATTRS)
        root.array("a", A, chunks=(7, 8))
        g = root.create_group("g")
        b = g.zeros("b", shape=B.shape, chunks=(16,), dtype="f8", compressor=None)
        b[10:90] = B[10:90]
        g.array("c", C, chunks=(4, 4, 4), dimension_separator="/")
    with ZipStore(path, "a") as store:
        c = zarr.open(store, mode="r+", path="g/c")
        with pytest.warns(ZipDuplicateWarning):
            c[:4, :4, :4] = 7
    b = np.zeros_like(B)
    b[10:90] = B[10:90]
    c = C.copy()
    c[:4, :4, :4] = 7
    return {"a": A, "g/b": b, "g/c": c}


THEIR_ARRAYS = [
    {"path": "a", "data": A, "chunks": [7, 8], "separator": ".", "fill": 0, "region": None,
     "compressor": {"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1}},
    {"path": "g/b", "data": B, "chunks": [16], "separator": "/", "fill": -1.0,
     "region": [[10, 90]], "compressor": None},
    {"path": "g/c", "data": C.astype("u1"), "chunks": [4, 4, 4], "separator": "/", "fill": 3,
     "region": [[0, 9], [2, 11], [0, 5]],
     "compressor": {"id": "blosc", "cname": "zstd", "clevel": 3, "shuffle": 2}},
]


def their_expected():
    out = {}
    for node in THEIR_ARRAYS:
        value = np.full(node["data"].shape, node["fill"], node["data"].dtype)
        sel = Ellipsis if node["region"] is None else tuple(slice(a, b) for a, b in node["region"])
        value[sel] = node["data"][sel]
        out[node["path"]] = value
    return out


@pytest.fixture(scope="module")
def exchange(interop_python, tmp_path_factory):
    work = tmp_path_factory.mktemp("zip-interop")
    expected_ours = write_ours(str(work / "ours.zip"))
    arrays = []
    for n, node in enumerate(THEIR_ARRAYS):
        np.save(work / ("in%d.npy" % n), node["data"])
        arrays.append(dict(node, data=str(work / ("in%d.npy" % n))))
    manifest = {
        "read": [{"id": "ours", "path": str(work / "ours.zip"), "out": str(work / "read")}],
        "write": [{"id": kind, "path": str(work / ("theirs-%s.zip" % kind)), "compression": kind,
                   "attrs": THEIRS_ATTRS, "arrays": arrays} for kind in ("stored", "deflated")],
    }
    (work / "manifest.json").write_text(json.dumps(manifest))
    run_checked([str(interop_python), "-I", str(PEER), str(work)], 300, cwd=str(work))
    results = json.loads((work / "results.json").read_text())
    return work, results, expected_ours


def test_the_peer_is_zarr_python_3(exchange):
    _, results, _ = exchange
    assert results["zarr"].startswith("3.") and "site-packages" in results["zarr_file"]
    assert str(Path(zarr.__file__).parent) not in results["zarr_file"]


def test_they_read_our_archive(exchange):
    work, results, expected = exchange
    got = results["ours"]
    assert got["ok"], got.get("traceback")
    nodes = got["nodes"]
    assert sorted(nodes) == ["", "a", "g", "g/b", "g/c"]
    assert nodes[""]["attrs"] == OURS_ATTRS and nodes["g"]["kind"] == "group"
    for path, value in expected.items():
        assert nodes[path]["kind"] == "array"
        read = np.load(nodes[path]["out"])
        assert read.dtype == value.dtype and read.shape == value.shape
        np.testing.assert_array_equal(read, value)  # the rewritten chunks' last entries
    assert zipfile.ZipFile(work / "ours.zip").testzip() is None


@pytest.mark.parametrize("kind", ["stored", "deflated"])
def test_we_read_their_archives(exchange, kind):
    work, results, _ = exchange
    got = results[kind]
    assert got["ok"], got.get("traceback")
    method = zipfile.ZIP_STORED if kind == "stored" else zipfile.ZIP_DEFLATED
    assert got["methods"] == [method]
    path = str(work / ("theirs-%s.zip" % kind))
    before = Path(path).read_bytes()
    root = zarr.open_group(path, mode="r")
    assert isinstance(root.store, ZipStore) and root.attrs.asdict() == THEIRS_ATTRS
    for name, value in their_expected().items():
        z = root[name]
        assert z.dtype == value.dtype and z.shape == value.shape
        np.testing.assert_array_equal(z[...], value)
        sel = tuple(slice(1, None, 3) for _ in value.shape)
        np.testing.assert_array_equal(z[sel], value[sel])
    root.store.close()
    assert Path(path).read_bytes() == before


def test_we_add_to_their_archive(exchange, tmp_path):
    work, _, _ = exchange
    path = tmp_path / "added.zip"
    path.write_bytes((work / "theirs-deflated.zip").read_bytes())
    with ZipStore(path, "a") as store:
        z = zarr.open(store, mode="r+", path="a")
        with pytest.warns(ZipDuplicateWarning):
            z[0, :] = 99
    expected = their_expected()["a"].copy()
    expected[0, :] = 99
    z = zarr.open(str(path), mode="r", path="a")
    np.testing.assert_array_equal(z[...], expected)
    z.store.close()
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        methods = {i.filename: i.compress_type for i in zf.infolist()}
        assert methods["a/0.0"] == zipfile.ZIP_STORED and methods[".zgroup"] == \
            zipfile.ZIP_DEFLATED
