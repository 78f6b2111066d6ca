"""The codecs each way round, against numcodecs and zarr-python 3 in the interop environment.

One subprocess of its python (tests/interop/peer_codecs.py, isolated from
this project) decodes our encoding of every codec with numcodecs, reads our
arrays made with each compressor and filter chain with zarr-python, and
writes arrays with zarr-python's default compressor (zstd) and each codec,
which we then read. numpy values computed here are the oracle.
"""

import json
from pathlib import Path

import numpy as np
import pytest

import zarr
from zarr.codecs import (CRC32, LZ4, Adler32, Blosc, Delta, FixedScaleOffset, GZip, Shuffle,
                         VLenArray, Zlib, Zstd)
from zarr.ext import encode_vlen
from conftest import run_checked

PEER = Path(__file__).resolve().parent / "interop" / "peer_codecs.py"
PEER_TIMEOUT = 300


def smooth(n, dtype, seed=0):
    rng = np.random.default_rng(seed)
    return (np.cumsum(rng.integers(-3, 4, n)) % 1000).astype(dtype)


def walk(n, seed=1):
    return np.cumsum(np.random.default_rng(seed).normal(0, 0.01, n)) + 1000.0


def ragged(n):
    out = np.empty(n, object)
    for i in range(n):
        out[i] = (np.arange(i % 6, dtype="<i2") - 3) * i
    return out


I4, F8 = smooth(5000, "<i4"), walk(2000)
STRS = np.array(["", "a", "déjà vu", "日本語" * 20] * 9, object)

#: Our encodings, decoded by numcodecs: name -> (codec, value).
ENCODINGS = {
    "zstd": (Zstd(), I4), "zstd-5-checksum": (Zstd(5, True), F8), "zstd-negative": (Zstd(-3), I4),
    "lz4": (LZ4(), I4), "lz4-acceleration": (LZ4(20), F8),
    "zlib": (Zlib(), I4), "zlib-9": (Zlib(9), F8), "gzip": (GZip(), I4), "gzip-9": (GZip(9), F8),
    "blosc-zstd": (Blosc("zstd", 3, 2), I4), "blosc-typesize": (Blosc("lz4", 5, 1, typesize=2), I4),
    "delta": (Delta("<i4", "<i2"), I4), "fixedscaleoffset": (FixedScaleOffset(1000, 100, "<f8",
                                                                               "<u2"), F8),
    "shuffle": (Shuffle(8), F8), "crc32": (CRC32(), I4), "crc32-end": (CRC32("end"), I4),
    "adler32": (Adler32(), F8),
    "vlen-array": (VLenArray("<i2"), ragged(30)),
}

#: Our arrays, read by zarr-python: name -> (kwargs, value).
COMPRESSORS = {"zstd": Zstd(), "zstd-checksum": Zstd(3, True), "lz4": LZ4(), "zlib": Zlib(4),
               "gzip": GZip(), "blosc": Blosc("lz4", 5, 2), "crc32": CRC32(),
               "adler32": Adler32(), "none": None}
OURS = {"i8-" + name: (dict(dtype="<i8", chunks=(7, 9), compressor=c),
                       smooth(600, "<i8").reshape(20, 30)) for name, c in COMPRESSORS.items()}
OURS.update({
    "i4-delta-zstd": (dict(dtype="<i4", chunks=(64,), compressor=Zstd(),
                           filters=[Delta("<i4")]), I4[:1000]),
    "i4-delta-i2-shuffle-lz4": (dict(dtype="<i4", chunks=(100,), compressor=LZ4(),
                                     filters=[Delta("<i4", "<i2"), Shuffle(2)]), I4[:1000]),
    "f8-fixedscaleoffset-gzip": (dict(dtype="<f8", chunks=(77,), compressor=GZip(),
                                      filters=[FixedScaleOffset(1000, 1000, "<f8", "<u2")]),
                                 np.clip(F8[:500], 999, 1001)),
    "f8-shuffle-crc32-zlib": (dict(dtype="<f8", chunks=(50,), compressor=Zlib(),
                                   filters=[Shuffle(8), CRC32()]), F8[:400]),
    "str-zstd": (dict(dtype=str, chunks=(5,), compressor=Zstd()), STRS),
    "ragged-lz4": (dict(dtype=object, chunks=(4,), compressor=LZ4(),
                        object_codec=VLenArray("<i2")), ragged(21)),
})

#: Arrays zarr-python writes: name -> (compressor config or "default", filters, value, chunks).
THEIRS = {
    "default": ("default", None, smooth(1000, "<i4").reshape(40, 25), (16, 10)),
    "zstd-checksum": ({"id": "zstd", "level": 9, "checksum": True}, None, F8[:900], (100,)),
    "lz4": ({"id": "lz4", "acceleration": 3}, None, I4[:800], (99,)),
    "zlib": ({"id": "zlib", "level": 2}, None, I4[:800], (99,)),
    "gzip-delta": ({"id": "gzip", "level": 4}, [{"id": "delta", "dtype": "<i4"}], I4[:700],
                   (64,)),
    "blosc-auto": ({"id": "blosc", "cname": "zstd", "clevel": 3, "shuffle": -1, "blocksize": 0},
                   None, smooth(900, "|u1"), (128,)),
    "fso-shuffle-adler": ({"id": "adler32"}, [{"id": "fixedscaleoffset", "offset": 1000,
                                               "scale": 10, "dtype": "<f8", "astype": "<i4"},
                                              {"id": "shuffle", "elementsize": 4}],
                          F8[:300], (50,)),
}


def expected_decoding(codec, value):
    """What decoding our encoding must give: the value (fixedscaleoffset rounds)."""
    if isinstance(codec, FixedScaleOffset):
        return codec.decode(codec.encode(value))
    return value


def load_result(out):
    if out.endswith(".json"):
        return json.loads(Path(out).read_text())
    return np.load(out, allow_pickle=True)


@pytest.fixture(scope="module")
def exchange(interop_python, tmp_path_factory):
    root = tmp_path_factory.mktemp("interop-codecs")
    manifest = {"decode": [], "read": [], "write": []}
    for name, (codec, value) in ENCODINGS.items():
        data = root / (name + ".bin")
        data.write_bytes(bytes(np.asarray(codec.encode(value)).view("u1").ravel()
                               if not isinstance(codec.encode(value), bytes)
                               else codec.encode(value)))
        obj = value.dtype.hasobject
        manifest["decode"].append({"id": name, "config": codec.get_config(), "data": str(data),
                                   "dtype": value.dtype.str, "shape": list(value.shape),
                                   "out": str(root / (name + (".json" if obj else ".npy")))})
    for name, (kwargs, value) in OURS.items():
        path = root / "ours" / name
        z = zarr.open(path, mode="w", shape=value.shape, **kwargs)
        z[...] = value
        obj = z.dtype.hasobject
        manifest["read"].append({"id": name, "path": str(path),
                                 "out": str(root / ("read-" + name + (".json" if obj
                                                                      else ".npy")))})
    for name, (compressor, filters, value, chunks) in THEIRS.items():
        np.save(root / (name + ".in.npy"), value)
        manifest["write"].append({"id": name, "path": str(root / "theirs" / name),
                                  "data": str(root / (name + ".in.npy")), "chunks": chunks,
                                  "compressor": compressor, "filters": filters})
    (root / "manifest.json").write_text(json.dumps(manifest))
    run_checked([str(interop_python), "-I", str(PEER), str(root / "manifest.json"),
                 str(root / "results.json")], PEER_TIMEOUT, cwd=str(root))
    results = json.loads((root / "results.json").read_text())
    results["manifest"] = manifest
    results["root"] = root
    return results


def test_peer_is_numcodecs_and_zarr_python_3(exchange):
    assert exchange["versions"]["zarr"].startswith("3."), exchange["versions"]
    assert "wt-" not in exchange["zarr_file"] or ".venv-interop" in exchange["zarr_file"]


@pytest.mark.parametrize("name", ENCODINGS)
def test_numcodecs_decodes_our_encoding(exchange, name):
    result = exchange["decode"][name]
    assert result["ok"], result.get("traceback")
    codec, value = ENCODINGS[name]
    item = next(i for i in exchange["manifest"]["decode"] if i["id"] == name)
    got = load_result(item["out"])
    if value.dtype.hasobject:
        assert got == [v.tolist() for v in value]
        return
    want = expected_decoding(codec, value)
    np.testing.assert_array_equal(got, want)
    assert got.tobytes() == np.asarray(want).tobytes()


#: What zarr-python 3.1 does not read, and the error it gives: it has no data
#: type for vlen-array (numcodecs decodes our vlen-array chunks, above).
GAPS = {"ragged-lz4": "No Zarr data type found that matches"}


@pytest.mark.parametrize("name", OURS)
def test_zarr_python_reads_our_arrays(exchange, name):
    result = exchange["read"][name]
    if name in GAPS and not result["ok"]:
        assert GAPS[name] in result["error"], result["error"]
        return
    assert result["ok"], result.get("traceback")
    kwargs, value = OURS[name]
    item = next(i for i in exchange["manifest"]["read"] if i["id"] == name)
    got = load_result(item["out"])
    want = zarr.open(item["path"], mode="r")[...]  # what we read, itself checked below
    if isinstance(got, list):
        assert got == [v.tolist() if isinstance(v, np.ndarray) else v for v in value]
        return
    filters = kwargs.get("filters") or []
    if any(isinstance(f, FixedScaleOffset) for f in filters):
        value = np.around((value - 1000) * 1000).astype("<u2") / 1000 + 1000
    np.testing.assert_array_equal(want, value)
    np.testing.assert_array_equal(got, value)


@pytest.mark.parametrize("name", THEIRS)
def test_we_read_zarr_python_arrays(exchange, name):
    result = exchange["write"][name]
    assert result["ok"], result.get("traceback")
    compressor, filters, value, chunks = THEIRS[name]
    z = zarr.open(exchange["root"] / "theirs" / name, mode="r")
    if compressor == "default":
        assert result["zarray"]["compressor"]["id"] == "zstd"
        assert isinstance(z.compressor, Zstd)
    if filters and filters[0]["id"] == "fixedscaleoffset":
        value = np.around((value - 1000) * 10).astype("<i4") / 10 + 1000
    np.testing.assert_array_equal(z[...], value)
    assert z.chunks == chunks
