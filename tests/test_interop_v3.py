"""Zarr v3 arrays each way round, against zarr-python 3 and TensorStore in the
interop environment.

One subprocess of its python (tests/interop/peer_v3.py, isolated from this
project) reads our v3 arrays (every data type, both chunk key encodings,
every codec, NaN fill values) with both peers, and writes v3 arrays with
both, which we then read. numpy values computed here are the oracle.
"""

import json
import math
from pathlib import Path

import numpy as np
import pytest

import zarr
from conftest import run_checked

PEER = Path(__file__).resolve().parent / "interop" / "peer_v3.py"
PEER_TIMEOUT = 300
LIBS = ("zarr-python", "tensorstore")


def sample(dtype, shape, seed=0):
    rng = np.random.default_rng(seed)
    dtype = np.dtype(dtype)
    n = math.prod(shape)
    if dtype.kind == "b":
        out = rng.integers(0, 2, n) == 1
    elif dtype.kind in "iu":
        info = np.iinfo(dtype)
        out = rng.integers(info.min, info.max, n, dtype=dtype.newbyteorder("="),
                           endpoint=True)
    elif dtype.kind == "c":
        out = rng.normal(size=n) + 1j * rng.normal(size=n)
    else:
        out = rng.normal(size=n) * 100
    return out.astype(dtype).reshape(shape)


STRINGS = np.array(["", "a", "déjà vu", "日本語" * 7, "x" * 33] * 7, object)
BLOSC = {"name": "blosc", "configuration": {"cname": "zstd", "clevel": 3,
                                            "shuffle": "bitshuffle"}}
CODECS = {
    "blosc": None,  # our default: bytes, then blosc
    "zstd": [{"name": "bytes", "configuration": {"endian": "little"}},
             {"name": "zstd", "configuration": {"level": 5, "checksum": True}}],
    "gzip-big": [{"name": "bytes", "configuration": {"endian": "big"}},
                 {"name": "gzip", "configuration": {"level": 3}}],
    "transpose-blosc-crc32c": [{"name": "transpose", "configuration": {"order": [1, 0]}},
                               {"name": "bytes", "configuration": {"endian": "little"}},
                               BLOSC, {"name": "crc32c"}],
    "none": [{"name": "bytes", "configuration": {"endian": "little"}}],
}

#: Our arrays, read by both peers: name -> (kwargs, value, region written).
OURS = {}
for _dtype in ("bool", "i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8", "f2", "f4", "f8", "c8",
               "c16"):
    OURS["dtype-" + _dtype] = (dict(dtype=_dtype, chunks=(6, 5)), sample(_dtype, (14, 12)),
                               (slice(0, 10), slice(2, 12)))
for _name, _codecs in CODECS.items():
    OURS["codecs-" + _name] = (dict(dtype="f8", chunks=(7, 4), codecs=_codecs, fill_value=np.nan),
                               sample("f8", (15, 9)), (slice(3, 15), slice(0, 9)))
OURS["keys-dot"] = (dict(dtype="i4", chunks=(4, 4), dimension_separator="."),
                    sample("i4", (9, 9)), (slice(None), slice(None)))
OURS["keys-v2"] = (dict(dtype="i4", chunks=(4, 4), chunk_key_encoding="v2"),
                   sample("i4", (9, 9)), (slice(None), slice(None)))
OURS["fill-inf"] = (dict(dtype="f4", chunks=(4, 4), fill_value=-np.inf), sample("f4", (8, 8)),
                    (slice(0, 4), slice(0, 8)))
OURS["scalar"] = (dict(dtype="i2", chunks=()), np.array(-7, "i2"), ())
OURS["strings"] = (dict(dtype=str, chunks=(6,), compressor=zarr.Zstd()), STRINGS,
                   (slice(0, 30),))

OURS["sharded"] = (dict(dtype="f4", chunks=(4, 3), shards=(8, 6), fill_value=np.nan),
                   sample("f4", (19, 13)), (slice(2, 19), slice(0, 10)))
OURS["sharded-zstd-start"] = (
    dict(dtype="i8", chunks=(6, 5), codecs=[{"name": "sharding_indexed", "configuration": {
        "chunk_shape": [3, 5], "codecs": CODECS["zstd"],
        "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
        "index_location": "start"}}]),
    sample("i8", (13, 11)), (slice(0, 7), slice(1, 11)))

#: What TensorStore does not read, and the error it gives.
GAPS = {("strings", "tensorstore"): "data_type"}

#: Arrays the peers write: name -> (lib, data_type, codecs, chunks, fill, key encoding, value).
THEIRS = {
    "zp-zstd": ("zarr-python", "int32",
                [{"name": "bytes", "configuration": {"endian": "little"}},
                 {"name": "zstd", "configuration": {"level": 2, "checksum": False}}],
                [5, 6], 7, {"name": "default"}, sample("i4", (12, 13))),
    "zp-transpose-gzip-crc": ("zarr-python", "float32",
                              [{"name": "transpose", "configuration": {"order": [1, 0]}},
                               {"name": "bytes", "configuration": {"endian": "big"}},
                               {"name": "gzip", "configuration": {"level": 1}},
                               {"name": "crc32c"}],
                              [4, 5], "NaN", {"name": "v2", "configuration": {"separator": "."}},
                              sample("f4", (9, 11))),
    "ts-blosc": ("tensorstore", "uint16",
                 [{"name": "bytes", "configuration": {"endian": "little"}},
                  {"name": "blosc", "configuration": {"cname": "lz4", "clevel": 5,
                                                      "shuffle": "shuffle", "typesize": 2,
                                                      "blocksize": 0}}],
                 [8, 3], 65535, {"name": "default", "configuration": {"separator": "."}},
                 sample("u2", (10, 10))),
    "ts-crc-complex": ("tensorstore", "complex64",
                       [{"name": "bytes", "configuration": {"endian": "little"}},
                        {"name": "zstd", "configuration": {"level": 1, "checksum": True}},
                        {"name": "crc32c"}],
                       [3, 3], ["NaN", 1.0], {"name": "default"}, sample("c8", (7, 5))),
    "zp-sharded": ("zarr-python", "float64",
                   [{"name": "sharding_indexed", "configuration": {
                       "chunk_shape": [2, 3],
                       "codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                                  {"name": "gzip", "configuration": {"level": 1}}],
                       "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                                        {"name": "crc32c"}],
                       "index_location": "end"}}],
                   [4, 6], "NaN", {"name": "default"}, sample("f8", (11, 14))),
    "ts-sharded-start": ("tensorstore", "int16",
                         [{"name": "sharding_indexed", "configuration": {
                             "chunk_shape": [3, 2],
                             "codecs": [{"name": "bytes",
                                         "configuration": {"endian": "little"}}],
                             "index_codecs": [{"name": "bytes",
                                               "configuration": {"endian": "little"}},
                                              {"name": "crc32c"}],
                             "index_location": "start"}}],
                         [6, 4], -1, {"name": "default"}, sample("i2", (10, 9))),
}
WRITTEN = (slice(0, 6), slice(1, None))


def load(path):
    path = str(path)
    if path.endswith(".json"):
        doc = json.loads(Path(path).read_text())
        out = np.empty(len(doc["items"]), object)
        out[:] = doc["items"]
        return out.reshape(doc["shape"])
    return np.load(path)


def expected_ours(name):
    kwargs, value, region = OURS[name]
    z_fill = kwargs.get("fill_value")
    if value.dtype.hasobject:
        want = np.full(value.shape, "", object)
    else:
        want = np.full(value.shape, 0 if z_fill is None else z_fill, value.dtype)
    want[region] = value[region]
    return want


def make_tree(path):
    """A v3 hierarchy of ours: groups, arrays (one sharded) and attributes."""
    g = zarr.open_group(path, mode="w", zarr_format=3)
    g.attrs["title"] = "tree"
    g.create_group("empty")
    sub = g.create_group("a/b")
    sub.attrs.update(level=2, names=["x", "y"])
    g.array("a/x", np.arange(12, dtype="i4").reshape(3, 4), chunks=(2, 2))
    z = sub.zeros("s", shape=(10, 10), chunks=(2, 5), shards=(4, 10), dtype="f8")
    z[...] = 0.5
    z.attrs["units"] = "m"
    return {"": ("group", {"title": "tree"}), "empty": ("group", {}), "a": ("group", {}),
            "a/b": ("group", {"level": 2, "names": ["x", "y"]}),
            "a/x": ("array", {}, [3, 4], 66.0), "a/b/s": ("array", {"units": "m"}, [10, 10],
                                                        50.0)}


@pytest.fixture(scope="module")
def exchange(interop_python, tmp_path_factory):
    root = tmp_path_factory.mktemp("interop-v3")
    manifest = {"read": [], "write": []}
    for name, (kwargs, value, region) in OURS.items():
        path = root / "ours" / name
        z = zarr.open(path, mode="w", shape=value.shape, zarr_format=3, **kwargs)
        z[region] = value[region]
        for lib in LIBS:
            suffix = ".json" if value.dtype.hasobject else ".npy"
            manifest["read"].append({"id": "%s/%s" % (name, lib), "lib": lib, "path": str(path),
                                     "out": str(root / ("read-%s-%s%s" % (name, lib, suffix)))})
    for name, (lib, data_type, codecs, chunks, fill, encoding, value) in THEIRS.items():
        np.save(root / (name + ".in.npy"), value)
        manifest["write"].append({"id": name, "lib": lib, "path": str(root / "theirs" / name),
                                  "data": str(root / (name + ".in.npy")), "chunks": chunks,
                                  "data_type": data_type, "codecs": codecs, "fill_value": fill,
                                  "chunk_key_encoding": encoding,
                                  "region": [[0, 6], [1, value.shape[1]]]})
    make_tree(root / "tree")
    manifest["tree"] = [{"id": "tree", "path": str(root / "tree")}]
    (root / "manifest.json").write_text(json.dumps(manifest))
    run_checked([str(interop_python), "-I", str(PEER), str(root / "manifest.json"),
                 str(root / "results.json")], PEER_TIMEOUT, cwd=str(root))
    results = json.loads((root / "results.json").read_text())
    results["manifest"] = manifest
    results["root"] = root
    return results


def test_peers_are_zarr_python_3_and_tensorstore(exchange):
    assert exchange["versions"]["zarr"].startswith("3."), exchange["versions"]
    assert ".venv-interop" in exchange["zarr_file"], exchange["zarr_file"]


@pytest.mark.parametrize("lib", LIBS)
@pytest.mark.parametrize("name", OURS)
def test_peer_reads_our_v3_array(exchange, name, lib):
    result = exchange["read"]["%s/%s" % (name, lib)]
    if (name, lib) in GAPS and not result["ok"]:
        assert GAPS[name, lib] in result["error"], result["error"]
        return
    assert result["ok"], result.get("traceback")
    item = next(i for i in exchange["manifest"]["read"] if i["id"] == "%s/%s" % (name, lib))
    got, want = load(item["out"]), expected_ours(name)
    if want.dtype.hasobject:
        assert got.tolist() == want.tolist()
        return
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(zarr.open(item["path"], mode="r")[...], want)


@pytest.mark.parametrize("name", THEIRS)
def test_we_read_peer_v3_array(exchange, name):
    result = exchange["write"][name]
    assert result["ok"], result.get("traceback")
    lib, data_type, codecs, chunks, fill, encoding, value = THEIRS[name]
    z = zarr.open(exchange["root"] / "theirs" / name, mode="r")
    assert z.zarr_format == 3
    if codecs[0]["name"] == "sharding_indexed":
        assert z.shards == tuple(chunks)
        assert z.chunks == tuple(codecs[0]["configuration"]["chunk_shape"])
    else:
        assert z.chunks == tuple(chunks)
    decoded_fill = {"NaN": np.nan}.get(fill, fill) if not isinstance(fill, list) else \
        complex(np.nan, fill[1])
    want = np.full(value.shape, decoded_fill, value.dtype)
    want[WRITTEN] = value[WRITTEN]
    np.testing.assert_array_equal(z[...], want)
    np.testing.assert_array_equal(z[5, 1:4], want[5, 1:4])
    assert [c["name"] for c in result["zarr_json"]["codecs"]] == [c["name"] for c in codecs]


def test_zarr_python_reads_our_v3_hierarchy(exchange, tmp_path):
    result = exchange["tree"]["tree"]
    assert result["ok"], result.get("traceback")
    want = make_tree(tmp_path / "again")
    got = result["members"]
    assert set(got) == set(want)
    for name, spec in want.items():
        assert got[name]["kind"] == spec[0], name
        assert got[name]["attrs"] == spec[1], name
        if spec[0] == "array":
            assert got[name]["shape"] == spec[2] and got[name]["sum"] == spec[3], name
