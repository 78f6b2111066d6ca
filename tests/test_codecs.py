"""zarr.codecs: the codecs of the Zarr v2 format as values, and arrays made with them.

numpy is the oracle: every array written with a codec (and filters) reads
back as the numpy array written, in memory and on disk, whole and in part.
"""

import json
import pickle
import zlib

import numpy as np
import pytest

import zarr
from zarr.codecs import (CRC32, LZ4, Adler32, Blosc, ChunkCodec, Delta, FixedScaleOffset, GZip,
                         Shuffle, VLenArray, Zlib, Zstd, codec_registry, get_codec)
from zarr.errors import MetadataError

CODECS = [Zstd(), Zstd(level=-3), Zstd(level=19, checksum=True), LZ4(), LZ4(acceleration=8),
          Zlib(), Zlib(level=9), GZip(), GZip(level=0), Blosc("zstd", 3, 2),
          Blosc("lz4", 5, 1, typesize=2), CRC32(), Adler32("end")]


@pytest.mark.parametrize("codec", CODECS, ids=repr)
def test_config_is_json_and_makes_the_codec_again(codec):
    config = codec.get_config()
    assert json.loads(json.dumps(config)) == config
    again = get_codec(config)
    assert again == codec and hash(again) == hash(codec) and repr(again) == repr(codec)
    assert pickle.loads(pickle.dumps(codec)) == codec


def test_the_numcodecs_ids_are_registered():
    assert {"blosc", "zstd", "lz4", "zlib", "gzip", "delta", "fixedscaleoffset", "shuffle",
            "crc32", "adler32", "vlen-array"} <= set(codec_registry)


@pytest.mark.parametrize("config,error,match", [
    ({"id": "zstd", "level": "3"}, TypeError, "zstd level must be an integer"),
    ({"id": "zstd", "level": 1, "checksum": 1}, TypeError, "checksum"),
    ({"id": "zstd", "levle": 1}, ValueError, "zstd has no option 'levle'"),
    ({"id": "lz4", "acceleration": 1.5}, TypeError, "acceleration"),
    ({"id": "zlib", "level": 10}, ValueError, "zlib level must be -1 to 9"),
    ({"id": "gzip", "level": -2}, ValueError, "gzip level"),
    ({"id": "delta"}, TypeError, "dtype"),
    ({"id": "delta", "dtype": "|O"}, ValueError, "numbers"),
    ({"id": "fixedscaleoffset", "offset": 0, "scale": 0, "dtype": "<f8"}, ValueError, "must not be 0"),
    ({"id": "fixedscaleoffset", "offset": "a", "scale": 1, "dtype": "<f8"}, TypeError, "offset"),
    ({"id": "shuffle", "elementsize": -1}, ValueError, "elementsize"),
    ({"id": "crc32", "location": "middle"}, ValueError, "location"),
    ({"id": "vlen-array", "dtype": "|O"}, ValueError, "fixed-size"),
    ({"id": "blosc", "cname": "lz4", "typesize": 256}, ValueError, "typesize"),
    ({"id": "bz2"}, KeyError, "no codec 'bz2'"),
])
def test_bad_configurations_are_clear_errors(config, error, match):
    with pytest.raises(error, match=match):
        get_codec(config)


def test_blosc_autoshuffle_and_typesize():
    assert get_codec({"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": -1}, 1).shuffle == 2
    assert get_codec({"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": -1}, 4).shuffle == 1
    codec = get_codec({"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1, "blocksize": 0,
                       "typesize": 4})
    assert codec.typesize == 4 and codec.get_config()["typesize"] == 4
    frame = codec.encode(np.arange(100, dtype="i8"))
    assert frame[3] == 4  # the header's typesize


def test_filters_match_numpy():
    a = (np.arange(1000) * 3 % 97).astype("<i4")
    enc = Delta("<i4", "<i2").encode(a)
    assert enc.dtype == np.dtype("<i2") and enc[0] == a[0]
    np.testing.assert_array_equal(enc[1:], np.diff(a))
    out = np.empty_like(a)
    Delta("<i4", "<i2").decode(enc.tobytes(), out)
    np.testing.assert_array_equal(out, a)
    x = np.linspace(1000, 1001, 11)
    fso = FixedScaleOffset(offset=1000, scale=100, dtype="<f8", astype="<u2")
    np.testing.assert_array_equal(fso.encode(x), np.around((x - 1000) * 100).astype("<u2"))
    np.testing.assert_allclose(fso.decode(fso.encode(x)), x, atol=0.005)
    b = np.arange(24, dtype="u1")
    np.testing.assert_array_equal(Shuffle(4).encode(b), b.reshape(6, 4).T.ravel())
    np.testing.assert_array_equal(Shuffle(4).decode(Shuffle(4).encode(b)), b)
    np.testing.assert_array_equal(Shuffle(1).encode(b), b)


def test_checksums_match_zlib():
    data = np.arange(1000, dtype="u1").tobytes()
    assert bytes(CRC32().encode(data))[:4] == zlib.crc32(data).to_bytes(4, "little")
    assert bytes(Adler32("end").encode(data))[-4:] == zlib.adler32(data).to_bytes(4, "little")
    assert zarr.ext.crc32(data[500:], zarr.ext.crc32(data[:500])) == zlib.crc32(data)


def test_chunk_codec_sizes_and_order():
    codec = ChunkCodec((Delta("<i8", "<i2"), CRC32()), Zstd(), 800)
    a = np.arange(100, dtype="<i8")
    frame = codec.encode(a)
    inner = Zstd().decode(frame)
    assert len(inner) == 204  # 100 items of 2 bytes, and the checksum
    assert CRC32().decode(inner) == Delta("<i8", "<i2").encode(a).tobytes()
    with pytest.raises(ValueError, match="no fixed size"):
        ChunkCodec((Zstd(),), None, 800)


# Arrays made with each codec.

COMPRESSORS = [Zstd(), Zstd(3, True), LZ4(), Zlib(5), GZip(1), Blosc("zstd", 1, 2),
               Blosc("lz4", 5, 1, typesize=4), CRC32(), Adler32(), None]
FILTERS = [None, [Delta("<i8")], [Delta("<i8", "<i4"), Shuffle(4)], [Shuffle(8), CRC32("end")]]


def data():
    return np.cumsum(np.random.default_rng(3).integers(-5, 6, (57, 41))).reshape(57, 41)


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: "none" if f is None else
                         "+".join(x.codec_id for x in f))
@pytest.mark.parametrize("compressor", COMPRESSORS, ids=repr)
def test_arrays_with_each_codec_read_back(tmp_path, compressor, filters):
    want = data()
    path = tmp_path / "a.zarr"
    z = zarr.open(path, mode="w", shape=want.shape, dtype="<i8", chunks=(10, 9),
                  compressor=compressor, filters=filters)
    z[:30] = want[:30]
    z[30:] = want[30:]
    z[5, 5] = want[5, 5] = -7
    meta = json.loads((path / ".zarray").read_text())
    assert meta["compressor"] == (None if compressor is None else compressor.get_config())
    assert meta["filters"] == (None if filters is None else [f.get_config() for f in filters])
    for reopened in (zarr.open(path, mode="r"), zarr.open(path, mode="r", lazy=True)):
        assert reopened.compressor == compressor and reopened.filters == filters
        np.testing.assert_array_equal(reopened[...], want)
        np.testing.assert_array_equal(reopened[3:17:2, 40], want[3:17:2, 40])
        np.testing.assert_array_equal(reopened.oindex[[1, 50], [0, 40]], want[[1, 50]][:, [0, 40]])
    mem = zarr.array(want, chunks=(10, 9), compressor=compressor, filters=filters)
    np.testing.assert_array_equal(mem[...], want)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(mem))[...], want)


def test_summary_names_the_codec():
    z = zarr.zeros(100, dtype="i4", chunks=10, compressor=Zstd(5), filters=[Delta("<i4")])
    assert "compressor: Zstd(level=5, checksum=False); filter: Delta(dtype='<i4', astype='<i4')" \
        in repr(z)
    assert z.cname is None and z.clevel == 0
    assert "cname: lz4" in repr(zarr.zeros(10, cname="lz4"))


def test_opening_with_other_codecs_than_stored_is_refused(tmp_path):
    path = tmp_path / "a.zarr"
    zarr.open(path, mode="w", shape=10, dtype="i4", compressor=Zstd(), filters=[Delta("<i4")])
    assert zarr.open(path, mode="r", compressor={"id": "zstd", "level": 0}).shape == (10,)
    with pytest.raises(ValueError, match="compressor"):
        zarr.open(path, mode="r", compressor=LZ4())
    with pytest.raises(ValueError, match="filters"):
        zarr.open(path, mode="r", filters=[Delta("<i2")])


def test_like_and_copies_keep_the_codecs(tmp_path):
    z = zarr.array(np.arange(100, dtype="i4"), chunks=10, compressor=GZip(3),
                   filters=[Delta("<i4")])
    for like in (zarr.zeros_like(z), zarr.open_like(z, tmp_path / "b.zarr")):
        assert like.compressor == GZip(3) and like.filters == [Delta("<i4")]
    np.testing.assert_array_equal(zarr.array(z)[...], np.arange(100))


@pytest.mark.parametrize("bad,error", [
    ({"compressor": "zstd"}, TypeError),
    ({"compressor": {"id": "nope"}}, KeyError),
    ({"filters": Delta("<i4")}, TypeError),
    ({"filters": [None]}, TypeError),
    ({"filters": [Zstd()]}, ValueError),
    ({"filters": [Shuffle(3)]}, ValueError),
    ({"compressor": Zstd(), "cname": "lz4"}, TypeError),
    ({"dtype": object, "filters": [Delta("<i4")]}, ValueError),
])
def test_bad_codec_options_write_nothing(tmp_path, bad, error):
    path = tmp_path / "a.zarr"
    kwargs = dict(dict(shape=10, dtype="i4", chunks=10), **bad)
    with pytest.raises(error):
        zarr.open(path, mode="w", **kwargs)
    assert not path.exists() or not list(path.iterdir())


def test_a_corrupt_chunk_of_a_zstd_array_names_the_chunk(tmp_path):
    path = tmp_path / "a.zarr"
    z = zarr.open(path, mode="w", shape=100, dtype="f8", chunks=10, compressor=Zstd())
    z[:] = np.arange(100.0)
    chunk = path / "3"
    chunk.write_bytes(chunk.read_bytes()[:-2])
    with pytest.raises(zarr.CorruptChunkError, match=r"3.*invalid zstd frame"):
        z[35]
    np.testing.assert_array_equal(z[:30], np.arange(30.0))
    (path / "4").write_bytes(b"\x00" * (2 * 80 + 65536 + 1))
    with pytest.raises(zarr.CorruptChunkError, match="largest frame"):
        z[45]


# Object arrays with other compressors and vlen-array.

@pytest.mark.parametrize("compressor", [Zstd(), LZ4(), GZip(), None], ids=repr)
def test_object_arrays_with_other_compressors(tmp_path, compressor):
    strs = np.array(["a", "bc", "", "déf"] * 10, object)
    z = zarr.open(tmp_path / "s.zarr", mode="w", shape=40, dtype=str, chunks=7,
                  compressor=compressor)
    z[...] = strs
    assert zarr.open(tmp_path / "s.zarr", mode="r")[...].tolist() == strs.tolist()


def ragged(n):
    out = np.empty(n, object)
    for i in range(n):
        out[i] = np.arange(i % 5, dtype="<i2") * i
    return out


def test_vlen_array_arrays(tmp_path):
    want = ragged(23)
    path = tmp_path / "r.zarr"
    z = zarr.open(path, mode="w", shape=23, dtype=object, chunks=5,
                  object_codec=VLenArray("<i2"), compressor=Zstd())
    z[...] = want
    meta = json.loads((path / ".zarray").read_text())
    assert meta["filters"] == [{"id": "vlen-array", "dtype": "<i2"}]
    got = zarr.open(path, mode="r")[...]
    assert [x.tolist() for x in got] == [x.tolist() for x in want]
    assert all(x.dtype == np.dtype("<i2") for x in got)
    before = (path / "0").read_bytes()
    with pytest.raises(ValueError, match="1-D"):
        z[0:10] = [np.zeros((2, 2))] * 10
    assert (path / "0").read_bytes() == before
    with pytest.raises(ValueError, match="has a dtype"):
        zarr.zeros(3, dtype=object, object_codec="vlen-array")
    assert zarr.zeros(3, dtype=object, object_codec={"id": "vlen-array", "dtype": "<f4"}) \
        ._object_codec == VLenArray("<f4")


def test_fixed_scale_offset_array_rounds_as_numcodecs(tmp_path):
    x = np.linspace(0, 1, 200)
    z = zarr.array(x, chunks=50, filters=[FixedScaleOffset(0, 1000, "<f8", "<u2")])
    np.testing.assert_array_equal(z[...], np.around(x * 1000).astype("<u2") / 1000)


def test_metadata_of_other_writers_with_filters_reads(tmp_path):
    path = tmp_path / "x.zarr"
    path.mkdir()
    meta = {"zarr_format": 2, "shape": [20], "chunks": [10], "dtype": "<i4",
            "compressor": {"id": "zlib", "level": 1}, "fill_value": 0, "order": "C",
            "filters": [{"id": "delta", "dtype": "<i4", "astype": "<i1"}]}
    (path / ".zarray").write_text(json.dumps(meta))
    enc = Delta("<i4", "<i1").encode(np.arange(10, dtype="<i4") + 5)
    (path / "0").write_bytes(zlib.compress(enc.tobytes()))
    np.testing.assert_array_equal(zarr.open(path, mode="r")[:10], np.arange(10) + 5)
    meta["filters"] = [{"id": "quantize", "digits": 2, "dtype": "<f8"}]
    (path / ".zarray").write_text(json.dumps(meta))
    with pytest.raises(MetadataError, match="filter .*quantize.* not supported"):
        zarr.open(path, mode="r")
