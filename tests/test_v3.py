"""Zarr v3 arrays: frozen arrays zarr-python 3 wrote (fixtures/zarr-v3) read
to their recorded values; arrays made here round-trip against numpy, with
their zarr.json, chunk keys, attributes and resizes; bad metadata raises
naming what is wrong."""

import base64
import json
import math
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

import zarr
from zarr.errors import ContainsArrayError, MetadataError
from zarr.ext import CorruptChunkError
from zarr.storage import MemoryStore

ZARR_V3 = Path(__file__).resolve().parent / "fixtures" / "zarr-v3"
MANIFEST = json.loads((ZARR_V3 / "MANIFEST.json").read_text())
BYTES = {"name": "bytes", "configuration": {"endian": "little"}}


def expected(name):
    npy = ZARR_V3 / (name + ".npy")
    if npy.exists():
        return np.load(npy)
    doc = json.loads((ZARR_V3 / (name + ".json")).read_text())
    out = np.empty(len(doc["items"]), object)
    out[:] = doc["items"]
    return out.reshape(doc["shape"])


@pytest.mark.parametrize("name", sorted(MANIFEST["arrays"]))
def test_reads_zarr_python_v3_fixture(name):
    z = zarr.open(ZARR_V3 / name, mode="r")
    want = expected(name)
    assert z.zarr_format == 3
    got = z[...]
    assert got.shape == want.shape
    if want.dtype.hasobject:
        assert got.tolist() == want.tolist()
    else:
        assert got.dtype == want.dtype.newbyteorder("=")
        np.testing.assert_array_equal(got, want)  # NaN equals NaN here
    # Element by element through the chunk path too, on the array's edges.
    for index in [tuple(n - 1 for n in want.shape), tuple(0 for _ in want.shape)]:
        if want.dtype.hasobject:
            assert z[index] == want[index]
        else:
            np.testing.assert_array_equal(z[index], want[index])


def test_fixture_options():
    z = zarr.open(ZARR_V3 / "attrs_names", mode="r")
    assert z.attrs.asdict() == {"units": "m", "n": [1, 2]}
    assert z.dimension_names == ("y", None)
    assert isinstance(zarr.open(ZARR_V3 / "i4_default", mode="r").compressor, zarr.Zstd)
    assert math.isnan(zarr.open(ZARR_V3 / "f8_nan_blosc_v2keys", mode="r").fill_value)
    c = zarr.open(ZARR_V3 / "c16_uncompressed", mode="r").fill_value
    assert math.isnan(c.real) and c.imag == 1
    assert zarr.open(ZARR_V3 / "i4_default", mode="r").nchunks_initialized == 4  # c/0/0..c/1/1


def test_fixture_written_back_reads_the_same(tmp_path):
    """Writing into a copy of their array (r+) keeps what they wrote and is
    read back: the chunk key encodings and codecs each way."""
    for name in ("f8_nan_blosc_v2keys", "f4_big_transpose_gzip", "u2_crc32c_dotkeys",
                 "str_vlen"):
        path = tmp_path / name
        shutil.copytree(ZARR_V3 / name, path)
        z = zarr.open(path, mode="r+")
        want = expected(name)
        want[-1:] = want[:1]
        z[-1:] = want[:1]
        assert zarr.open(path, mode="r")[...].tolist() == want.tolist() or \
            np.testing.assert_array_equal(zarr.open(path, mode="r")[...], want) is None


DTYPES = ["bool", "i1", "u1", "i2", "u2", "<i4", ">i4", "u4", "i8", "u8", "f2", "f4", ">f8",
          "c8", "c16"]


def sample(dtype, shape, seed=0):
    rng = np.random.default_rng(seed)
    n = math.prod(shape)
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return (rng.integers(0, 2, n) == 1).reshape(shape)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return rng.integers(info.min, info.max, n, dtype=dtype.newbyteorder("="),
                            endpoint=True).astype(dtype).reshape(shape)
    if dtype.kind == "c":
        return (rng.normal(size=n) + 1j * rng.normal(size=n)).astype(dtype).reshape(shape)
    return rng.normal(size=n).astype(dtype).reshape(shape)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("codecs", ["default", "zstd", "gzip", "none", "transpose-crc32c"])
def test_round_trip_against_numpy(tmp_path, dtype, codecs):
    value = sample(dtype, (13, 11))
    kwargs = {"default": {}, "zstd": {"compressor": zarr.Zstd(2, True)},
              "gzip": {"compressor": zarr.GZip(4)}, "none": {"compressor": None},
              "transpose-crc32c": {"codecs": [
                  {"name": "transpose", "configuration": {"order": [1, 0]}},
                  {"name": "bytes", "configuration": {"endian": "big"}},
                  {"name": "blosc", "configuration": {"cname": "zstd", "clevel": 1,
                                                      "shuffle": "bitshuffle"}},
                  {"name": "crc32c"}]}}[codecs]
    z = zarr.open(tmp_path / "a", mode="w", shape=value.shape, dtype=dtype, chunks=(5, 4),
                  zarr_format=3, **kwargs)
    z[2:, 1:] = value[2:, 1:]
    want = value.copy()
    want[:2] = 0
    want[:, :1] = 0
    r = zarr.open(tmp_path / "a", mode="r")
    np.testing.assert_array_equal(r[...], want)
    np.testing.assert_array_equal(r[3:9, 5], want[3:9, 5])
    assert r.dtype == np.dtype(dtype).newbyteorder("=")
    doc = json.loads((tmp_path / "a" / "zarr.json").read_text())
    assert doc["zarr_format"] == 3 and doc["node_type"] == "array"
    if codecs == "transpose-crc32c":
        assert [c["name"] for c in doc["codecs"]] == ["transpose", "bytes", "blosc", "crc32c"]


def test_keys_of_each_encoding(tmp_path):
    value = np.arange(60, dtype="i2").reshape(6, 10)
    for encoding, sep, keys in [("default", None, {"c/0/0", "c/1/2"}),
                                ("default", ".", {"c.0.0", "c.1.2"}),
                                ("v2", None, {"0.0", "1.2"})]:
        store = MemoryStore()
        kwargs = {} if sep is None else {"dimension_separator": sep}
        z = zarr.open(store, shape=value.shape, dtype="i2", chunks=(3, 4), zarr_format=3,
                      chunk_key_encoding=encoding, **kwargs)
        z[...] = value
        stored = {k for k in store.keys() if k != "zarr.json"}
        assert keys <= stored and len(stored) == 6, (encoding, stored)
        assert z.nchunks_initialized == 6
        np.testing.assert_array_equal(zarr.open(store, mode="r")[...], value)
    store = MemoryStore()
    z = zarr.open(store, shape=(), dtype="f4", zarr_format=3)
    z[...] = 2.5
    assert set(store.keys()) == {"zarr.json", "c"}
    assert zarr.open(store, mode="r")[...] == 2.5


def test_fill_values_in_zarr_json(tmp_path):
    for dtype, fill, stored in [("f4", np.nan, "NaN"), ("f8", -np.inf, "-Infinity"),
                                ("f8", 1.5, 1.5), ("c8", complex(np.inf, 2), ["Infinity", 2.0]),
                                ("u8", 2**64 - 1, 2**64 - 1), ("bool", True, True),
                                ("i2", -3, -3)]:
        store = MemoryStore()
        z = zarr.open(store, shape=4, dtype=dtype, fill_value=fill, zarr_format=3)
        assert json.loads(store.get("zarr.json"))["fill_value"] == stored
        np.testing.assert_array_equal(zarr.open(store, mode="r")[...],
                                      np.full(4, fill, dtype))
        del z


def test_strings_and_bytes(tmp_path):
    words = np.array(["", "α", "beta", "γγγ" * 30] * 4, object)
    z = zarr.open(tmp_path / "s", shape=words.shape, dtype=str, chunks=5, zarr_format=3,
                  compressor=zarr.Zstd())
    z[:] = words
    assert zarr.open(tmp_path / "s", mode="r")[:].tolist() == words.tolist()
    assert json.loads((tmp_path / "s" / "zarr.json").read_text())["data_type"] == "string"
    blobs = np.array([b"", b"\x00\xff", b"abc" * 9], object)
    z = zarr.open(tmp_path / "b", shape=3, dtype=bytes, zarr_format=3)
    z[:] = blobs
    assert zarr.open(tmp_path / "b", mode="r")[:].tolist() == blobs.tolist()
    with pytest.raises(ValueError, match="holds str .*or bytes"):
        zarr.open(tmp_path / "o", shape=3, dtype=object, zarr_format=3)


def test_attributes_and_resize_share_zarr_json(tmp_path):
    z = zarr.open(tmp_path / "a", shape=(4, 4), chunks=(2, 2), dtype="i4", zarr_format=3,
                  dimension_names=["y", "x"])
    z[:] = 1
    z.attrs["units"] = "K"
    z.resize(6, 3)
    z.attrs.update(more=[1, 2])
    doc = json.loads((tmp_path / "a" / "zarr.json").read_text())
    assert doc["shape"] == [6, 3] and doc["attributes"] == {"units": "K", "more": [1, 2]}
    assert doc["dimension_names"] == ["y", "x"]
    assert not (tmp_path / "a" / ".zattrs").exists()
    r = zarr.open(tmp_path / "a", mode="r")
    np.testing.assert_array_equal(r[...], np.pad(np.ones((4, 3), "i4"), ((0, 2), (0, 0))))
    assert r.attrs["units"] == "K" and r.dimension_names == ("y", "x")
    with pytest.raises(zarr.ReadOnlyError):
        r.attrs["x"] = 1
    z.append(np.full((2, 3), 5, "i4"))
    assert zarr.open(tmp_path / "a", mode="r").shape == (8, 3)
    assert json.loads((tmp_path / "a" / "zarr.json").read_text())["attributes"]["units"] == "K"


def test_formats_do_not_mix(tmp_path):
    zarr.open(tmp_path / "v3", shape=4, zarr_format=3)
    with pytest.raises(ContainsArrayError, match="Zarr v3 array, not v2"):
        zarr.open(tmp_path / "v3", mode="a", zarr_format=2)
    with pytest.raises(ContainsArrayError, match="v3"):
        zarr.open(tmp_path / "v3", mode="w-", shape=4)
    zarr.open(tmp_path / "v2", shape=4)
    with pytest.raises(ContainsArrayError, match="Zarr v2 array, not v3"):
        zarr.open(tmp_path / "v2", mode="r", zarr_format=3)
    assert zarr.open(tmp_path / "v2", mode="r").zarr_format == 2
    # Mode 'w' replaces the node, whatever its format.
    z = zarr.open(tmp_path / "v3", mode="w", shape=5, dtype="i1")
    assert z.zarr_format == 2 and sorted(os.listdir(tmp_path / "v3")) == [".zarray", ".zattrs"]


def test_v3_options_refused_for_v2(tmp_path):
    with pytest.raises(TypeError, match="zarr_format=3"):
        zarr.open(tmp_path / "a", shape=4, dimension_names=["x"])
    with pytest.raises(ValueError, match="zarr_format must be 2 or 3"):
        zarr.open(tmp_path / "a", shape=4, zarr_format=4)
    with pytest.raises(TypeError, match="no filters"):
        zarr.open(tmp_path / "a", shape=4, zarr_format=3, filters=[zarr.Delta("f8")])
    with pytest.raises(ValueError, match="dimension_names"):
        zarr.open(tmp_path / "a", shape=4, zarr_format=3, dimension_names=["x", "y"])
    with pytest.raises(ValueError, match="no Zarr v3"):
        zarr.open(tmp_path / "a", shape=4, zarr_format=3, dtype="M8[s]")
    assert not (tmp_path / "a").exists() or not os.listdir(tmp_path / "a")


def _doc(**changes):
    doc = {"zarr_format": 3, "node_type": "array", "shape": [10], "data_type": "int32",
           "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [5]}},
           "chunk_key_encoding": {"name": "default"}, "fill_value": 0,
           "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}]}
    doc.update(changes)
    return {k: v for k, v in doc.items() if v is not None}


@pytest.mark.parametrize("changes, message", [
    (dict(data_type="int128"), "unknown data_type 'int128'"),
    (dict(codecs=[{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "lzma"}]),
     "lzma"),
    (dict(chunk_grid={"name": "rectilinear", "configuration": {}}), "rectilinear"),
    (dict(storage_transformers=[{"name": "sharding"}]), "storage_transformers"),
    (dict(chunk_key_encoding={"name": "hash"}), "hash"),
    (dict(fill_value=None), "fill_value"),
    (dict(fill_value=2**40), "out of the range"),
    (dict(data_type="float32", fill_value=10**400), "out of the range"),
    (dict(data_type="complex128", fill_value=[0, -10**400]), "out of the range"),
    (dict(shape=None), "missing shape"),
    (dict(codecs=[{"name": "zstd"}]), "before the array-to-bytes"),
    (dict(future={"must_understand": True}), "unknown member 'future'"),
    (dict(chunk_grid={"name": "regular", "configuration": {"chunk_shape": [5, 5]}}),
     "does not match"),
])
def test_bad_metadata_raises_naming_it(changes, message):
    store = MemoryStore()
    store.set("zarr.json", json.dumps(_doc(**changes)).encode())
    with pytest.raises(MetadataError, match=message):
        zarr.open(store, mode="r")


def test_unknown_member_that_need_not_be_understood_is_read():
    store = MemoryStore()
    store.set("zarr.json", json.dumps(_doc(extra={"must_understand": False})).encode())
    assert zarr.open(store, mode="r").shape == (10,)


def test_corrupt_chunk_raises(tmp_path):
    z = zarr.open(tmp_path / "a", shape=10, chunks=5, dtype="i4", zarr_format=3,
                  codecs=[{"name": "bytes", "configuration": {"endian": "little"}},
                          {"name": "zstd", "configuration": {"level": 1}}, {"name": "crc32c"}])
    z[:] = np.arange(10)
    chunk = tmp_path / "a" / "c" / "1"
    data = bytearray(chunk.read_bytes())
    data[3] ^= 0xFF
    chunk.write_bytes(bytes(data))
    r = zarr.open(tmp_path / "a", mode="r")
    np.testing.assert_array_equal(r[:5], np.arange(5))
    with pytest.raises(CorruptChunkError, match="crc32c"):
        r[...]
    chunk.write_bytes(bytes(data[:2]))
    with pytest.raises(CorruptChunkError):
        r[...]


# Groups.

def test_reads_zarr_python_v3_hierarchy(tmp_path):
    spec = MANIFEST["groups"]["group_tree"]
    root = zarr.open(ZARR_V3 / "group_tree", mode="r")
    assert isinstance(root, zarr.Group)
    found = {"": root}
    root.visititems(lambda name, node: found.__setitem__(name, node))
    assert set(found) == set(spec)
    for name, want in spec.items():
        node = found[name]
        assert isinstance(node, zarr.Group if want["kind"] == "group" else zarr.Array), name
        assert node.attrs.asdict() == want["attrs"], name
        if want["kind"] == "array":
            assert node.zarr_format == 3
            np.testing.assert_array_equal(node[...], np.array(want["values"]))
    # Changed in a copy: new members are v3 too, and attributes stay in zarr.json.
    shutil.copytree(ZARR_V3 / "group_tree", tmp_path / "t")
    g = zarr.open_group(tmp_path / "t", mode="a")
    g.attrs["added"] = True
    g["sub"].zeros("z", shape=3)
    assert json.loads((tmp_path / "t" / "zarr.json").read_text())["attributes"] == \
        {"title": "tree", "version": 3, "added": True}
    assert json.loads((tmp_path / "t" / "sub" / "z" / "zarr.json").read_text())[
        "node_type"] == "array"
    assert not list((tmp_path / "t").rglob(".z*"))


def test_v3_group_round_trip(tmp_path):
    g = zarr.open_group(tmp_path / "g", mode="w", zarr_format=3)
    g.create_group("a/b").attrs["k"] = [1, 2]
    z = g.array("a/x", np.arange(6).reshape(2, 3), chunks=(1, 3))
    assert z.zarr_format == 3
    g.zeros("s", shape=(8, 8), chunks=(2, 2), shards=(4, 8), dtype="u1")
    names = sorted(p.relative_to(tmp_path / "g").as_posix()
                   for p in (tmp_path / "g").rglob("zarr.json"))
    assert names == ["a/b/zarr.json", "a/x/zarr.json", "a/zarr.json", "s/zarr.json",
                     "zarr.json"]
    r = zarr.open(tmp_path / "g", mode="r")
    assert sorted(r) == ["a", "s"] and sorted(r["a"]) == ["b", "x"]
    assert r["a/b"].attrs["k"] == [1, 2] and r["s"].shards == (4, 8)
    np.testing.assert_array_equal(r["a/x"][...], np.arange(6).reshape(2, 3))
    del g["a/x"]
    assert sorted(zarr.open_group(tmp_path / "g", mode="r")["a"]) == ["b"]
    m = zarr.group(zarr_format=3)
    m.create_group("q").ones("w", shape=2)
    assert m["q/w"].zarr_format == 3 and m["q/w"][...].tolist() == [1.0, 1.0]


def test_hierarchies_do_not_mix(tmp_path):
    g3 = zarr.open_group(tmp_path / "g3", zarr_format=3)
    with pytest.raises(zarr.ContainsGroupError, match="Zarr v3 group, not v2"):
        zarr.open_group(tmp_path / "g3", mode="a", zarr_format=2)
    with pytest.raises(zarr.ContainsGroupError, match="v3"):
        zarr.open_group(tmp_path / "g3", mode="w-")
    assert sorted(os.listdir(tmp_path / "g3")) == ["zarr.json"]  # no .zgroup written into it
    # A v2 node inside a v3 hierarchy is not a member, and nothing is made over it.
    zarr.open_group(tmp_path / "g3" / "old", zarr_format=2)
    zarr.open(tmp_path / "g3" / "arr2", shape=3)
    assert list(g3) == []
    for action in (lambda: g3["old"], lambda: g3.create_group("old"),
                   lambda: g3.zeros("arr2", shape=3), lambda: g3.require_group("old")):
        with pytest.raises((zarr.ContainsGroupError, zarr.ContainsArrayError),
                           match="Zarr v2 .* in a Zarr v3 hierarchy"):
            action()
    assert sorted(os.listdir(tmp_path / "g3" / "old")) == [".zgroup"]
    with pytest.raises(ValueError, match="not mixed"):
        g3.zeros("new", shape=3, zarr_format=2)
    # And the other way round.
    g2 = zarr.open_group(tmp_path / "g2")
    zarr.open_group(tmp_path / "g2" / "new3", zarr_format=3)
    assert list(g2) == []
    with pytest.raises(zarr.ContainsGroupError, match="Zarr v3 group, in a Zarr v2"):
        g2.create_group("new3")
    assert zarr.open_group(tmp_path / "g2", mode="r").zeros is not None


def test_bad_group_documents_raise(tmp_path):
    (tmp_path / "g").mkdir()
    for doc, message in [({"zarr_format": 3, "node_type": "group", "attributes": []},
                          "attributes"),
                         ({"zarr_format": 3, "node_type": "group", "x": 1}, "unknown member"),
                         ({"zarr_format": 3, "node_type": "tree"}, "not the metadata")]:
        (tmp_path / "g" / "zarr.json").write_text(json.dumps(doc))
        with pytest.raises(MetadataError, match=message):
            zarr.open_group(tmp_path / "g", mode="r")
        assert json.loads((tmp_path / "g" / "zarr.json").read_text()) == doc


def test_copies_between_formats_and_chains_reencode():
    """An array copied into one of another format or codec chain is decoded
    and encoded again, never given the other's stored bytes."""
    value = np.arange(60).reshape(10, 6)
    v2 = zarr.array(value, chunks=(2, 3), compressor=zarr.Zstd())
    transposed = [{"name": "transpose", "configuration": {"order": [1, 0]}},
                  {"name": "bytes", "configuration": {"endian": "little"}}, {"name": "zstd"}]
    for target in (zarr.create(value.shape, chunks=(2, 3), dtype=value.dtype, zarr_format=3,
                               codecs=transposed),
                   zarr.create(value.shape, chunks=(2, 3), shards=(4, 6), dtype=value.dtype,
                               zarr_format=3, compressor=zarr.Zstd()),
                   zarr.create(value.shape, chunks=(2, 3), dtype=value.dtype, zarr_format=3,
                               compressor=zarr.Zstd())):
        zarr.creation.copy_into(target, v2)
        np.testing.assert_array_equal(target[...], value)
        back = zarr.create(value.shape, chunks=(2, 3), dtype=value.dtype, compressor=zarr.Zstd())
        zarr.creation.copy_into(back, target)
        np.testing.assert_array_equal(back[...], value)


def test_like_a_v3_array_is_v3():
    a = zarr.create((10, 6), chunks=(2, 3), shards=(4, 6), dtype="i4", zarr_format=3,
                    dimension_names=["t", "x"], fill_value=3)
    b = zarr.zeros_like(a)
    assert (b.zarr_format, b.shards, b.chunks, b.dimension_names) == (3, (4, 6), (2, 3),
                                                                      ("t", "x"))
    assert b[...].sum() == 0
    c = zarr.empty_like(a, compressor=zarr.GZip())
    assert c.zarr_format == 3 and isinstance(c.compressor, zarr.GZip)
    assert zarr.empty_like(a, zarr_format=2).zarr_format == 2


def test_v3_hierarchies_consolidate_into_the_groups_zarr_json(tmp_path):
    path = str(tmp_path / "g")
    g = zarr.open_group(path, zarr_format=3)
    g.attrs["title"] = "root"
    g.zeros("x", shape=3, chunks=2)[...] = [1, 2, 3]
    g.create_group("a/b").attrs["deep"] = True
    g["a"].array("y", np.arange(4.0), chunks=2)
    zarr.consolidate_metadata(path)
    assert sorted(os.listdir(path)) == ["a", "x", "zarr.json"]  # no .zmetadata
    with open(os.path.join(path, "zarr.json")) as f:
        doc = json.load(f)
    inline = doc["consolidated_metadata"]
    assert inline["kind"] == "inline" and inline["must_understand"] is False
    assert sorted(inline["metadata"]) == ["a", "a/b", "a/y", "x"]
    assert inline["metadata"]["a/b"]["attributes"] == {"deep": True}
    g.zeros("later", shape=1)
    for opened in (zarr.open_consolidated(path), zarr.open_consolidated(path, zarr_format=3),
                   zarr.open_group(path, mode="r", use_consolidated=True)):
        assert sorted(opened) == ["a", "x"]  # "later" is not in the document
        assert opened.attrs["title"] == "root" and opened["a/b"].attrs["deep"] is True
        assert opened["x"][...].tolist() == [1, 2, 3]
        assert opened["a/y"][...].tolist() == [0.0, 1.0, 2.0, 3.0]
    assert sorted(zarr.open_group(path, mode="r")) == ["a", "later", "x"]
    with pytest.raises(ValueError, match="format"):
        zarr.consolidate_metadata(path, zarr_format=2)
    with pytest.raises(ValueError):
        zarr.open_consolidated(path, zarr_format=2)  # no .zmetadata


def test_a_v3_group_without_consolidated_metadata(tmp_path):
    g = zarr.open_group(str(tmp_path / "g"), zarr_format=3)
    g.zeros("x", shape=3)
    with pytest.raises(ValueError, match="no consolidated metadata"):
        zarr.open_consolidated(str(tmp_path / "g"))
    with pytest.raises(FileNotFoundError):
        zarr.open_consolidated(str(tmp_path / "none"), zarr_format=3)
    with pytest.raises(zarr.ContainsArrayError):
        zarr.open_consolidated(str(tmp_path / "g"), path="x")


@pytest.mark.parametrize("inline", [
    {"kind": "remote", "metadata": {}},
    {"kind": "inline", "metadata": []},
    {"kind": "inline", "metadata": {"x": {"zarr_format": 2}}},
    {"kind": "inline", "metadata": {"../x": {"zarr_format": 3, "node_type": "group"}}},
])
def test_bad_v3_consolidated_metadata_raises_naming_it(tmp_path, inline):
    g = zarr.open_group(str(tmp_path / "g"), zarr_format=3)
    doc = json.loads(g.store.get("zarr.json"))
    doc["consolidated_metadata"] = dict(inline, must_understand=False)
    g.store.set("zarr.json", json.dumps(doc).encode())
    with pytest.raises(zarr.MetadataError, match="zarr.json"):
        zarr.open_consolidated(str(tmp_path / "g"))


@pytest.mark.parametrize("dtype, values, fill", [
    ("<U4", ["", "a", "déjà", "日本語x"[:4]], "?"),
    ("U1", ["a", "", "é", "z"], None),
    ("S3", [b"", b"a\x00", b"xyz", b"\x00\x01"], b"-"),
])
def test_fixed_length_strings_round_trip_as_zarr_python_31_names_them(tmp_path, dtype, values,
                                                                     fill):
    data = np.array(values * 3, dtype)
    path = str(tmp_path / "s.zarr")
    z = zarr.open(path, mode="w", shape=(15,), chunks=(4,), dtype=dtype, zarr_format=3,
                  **({} if fill is None else {"fill_value": fill}))
    z[:12] = data
    back = zarr.open(path, mode="r")
    assert back.dtype == np.dtype(dtype)
    want = np.full(15, fill if fill is not None else "" if "U" in dtype else b"", dtype)
    want[:12] = data
    np.testing.assert_array_equal(back[...], want)
    with open(os.path.join(path, "zarr.json")) as f:
        doc = json.load(f)
    kind = np.dtype(dtype).kind
    assert doc["data_type"] == {
        "name": "fixed_length_utf32" if kind == "U" else "null_terminated_bytes",
        "configuration": {"length_bytes": np.dtype(dtype).itemsize}}
    if fill is not None:
        assert doc["fill_value"] == (fill if kind == "U" else base64.b64encode(fill).decode())


@pytest.mark.parametrize("data_type, fill", [
    ({"name": "fixed_length_utf32", "configuration": {"length_bytes": 6}}, ""),
    ({"name": "fixed_length_utf32", "configuration": {"length_bytes": 0}}, ""),
    ({"name": "fixed_length_utf32", "configuration": {"length_bytes": 2 ** 40}}, ""),
    ({"name": "fixed_length_utf32", "configuration": {}}, ""),
    ({"name": "fixed_length_utf32", "configuration": {"length_bytes": 4}}, "ab"),
    ({"name": "fixed_length_utf32", "configuration": {"length_bytes": 4}}, 3),
    ({"name": "null_terminated_bytes", "configuration": {"length_bytes": 2}}, "not base64!"),
    ({"name": "null_terminated_bytes", "configuration": {"length_bytes": 2}}, "AAAA"),
    ({"name": "null_terminated_bytes", "configuration": {"length_bytes": True}}, ""),
])
def test_bad_fixed_length_types_raise(data_type, fill):
    doc = _hostile_doc([4], [2], [BYTES], data_type)
    doc["fill_value"] = fill
    with pytest.raises(MetadataError):
        zarr.open(MemoryStore({"zarr.json": json.dumps(doc).encode()}), mode="r")


def _hostile_doc(shape, chunks, codecs, data_type="int32"):
    return {"zarr_format": 3, "node_type": "array", "shape": shape, "data_type": data_type,
            "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": chunks}},
            "chunk_key_encoding": {"name": "default"}, "fill_value": 0, "codecs": codecs}


def _sharding(inner, **config):
    return [{"name": "sharding_indexed", "configuration": dict(
        {"chunk_shape": inner, "codecs": [BYTES]}, **config)}]


@pytest.mark.parametrize("doc, message", [
    # Inner chunks over a buffer's limit: refused before one is made.
    (_hostile_doc([2**50], [2**50], _sharding([2**50])), "over blosc's limit"),
    (_hostile_doc([2**31], [2**31], _sharding([2**31])), "over blosc's limit"),
    # Shards of so many inner chunks that their index alone is gigabytes.
    (_hostile_doc([10**9], [10**9], _sharding([1])), "inner chunks"),
    (_hostile_doc([10**6, 10**6], [10**6, 10**6], _sharding([1, 1])), "inner chunks"),
    # Index codecs and codec options of the wrong type.
    (_hostile_doc([8], [8], _sharding([4], index_codecs=[
        {"name": "bytes", "configuration": [1]}])), "index_codecs"),
    (_hostile_doc([8], [8], _sharding([4], index_codecs=[
        {"name": "bytes", "configuration": None}])), "index_codecs"),
    (_hostile_doc([8], [8], [BYTES, {"name": "blosc", "configuration": {
        "typesize": True, "shuffle": "shuffle"}}]), "typesize"),
    (_hostile_doc([8], [8], [BYTES, {"name": "blosc", "configuration": {"clevel": "x"}}]),
     "clevel"),
    (_hostile_doc([8], [8], [BYTES, {"name": "zstd", "configuration": {"level": 10**30}}]),
     "level"),
])
def test_hostile_zarr_json_raises_metadata_error(doc, message):
    store = MemoryStore()
    store.set("zarr.json", json.dumps(doc).encode())
    with pytest.raises(MetadataError, match=message):
        zarr.open(store, mode="r")


def test_shards_of_too_many_inner_chunks_are_refused_at_creation():
    with pytest.raises(ValueError, match="inner chunks"):
        zarr.open(MemoryStore(), mode="w", shape=(10**9,), chunks=1, shards=10**9, dtype="u1",
                  zarr_format=3)


def test_a_sharding_codec_list_is_checked_at_creation_as_when_read():
    sharding = {"name": "sharding_indexed", "configuration": {"chunk_shape": [4],
                                                              "codecs": [BYTES]}}
    store = MemoryStore()
    z = zarr.open(store, mode="w", shape=8, chunks=8, dtype="i4", zarr_format=3,
                  codecs=[sharding])  # the index codecs and location filled in
    z[...] = np.arange(8)
    (codec,) = json.loads(store.get("zarr.json"))["codecs"]
    assert codec["configuration"]["index_location"] == "end"
    assert [c["name"] for c in codec["configuration"]["index_codecs"]] == ["bytes", "crc32c"]
    np.testing.assert_array_equal(zarr.open(store, mode="r")[...], np.arange(8))
    for codecs, message in [([sharding, {"name": "crc32c"}], "after sharding_indexed"),
                            ([{"name": "transpose", "configuration": {"order": [0]}}, sharding],
                             "before sharding_indexed")]:
        with pytest.raises(ValueError, match=message) as info:
            zarr.open(MemoryStore(), mode="w", shape=8, chunks=8, dtype="i4", zarr_format=3,
                      codecs=codecs)
        assert not isinstance(info.value, MetadataError)


@pytest.mark.parametrize("name", ["zarr.json", "x/zarr.json", "zarr.json/x"])
def test_a_v3_member_may_not_be_named_zarr_json(tmp_path, name):
    for store in (MemoryStore(), str(tmp_path / "g")):
        g = zarr.open_group(store, mode="w", zarr_format=3)
        before = sorted(g.store)
        for action in (lambda: g.zeros(name, shape=3), lambda: g.create_group(name),
                       lambda: g[name]):
            with pytest.raises(ValueError, match="zarr.json"):
                action()
        assert sorted(g.store) == before
