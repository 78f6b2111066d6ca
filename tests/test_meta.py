"""The .zarray metadata: dtypes and fill values as the Zarr v2 format writes them."""

import json
import math

import numpy as np
import pytest

from zarr.codecs import Blosc
from zarr.errors import MetadataError
from zarr.meta import (
    array_metadata,
    decode_dtype,
    decode_fill_value,
    dumps,
    encode_dtype,
    encode_fill_value,
    parse_array_metadata,
)


@pytest.mark.parametrize("dtype", ["<i4", ">f8", "|b1", "<M8[D]", "<m8[s]", "|S5", "<U4", "<c16",
                                   "|u1", [("a", "<i4"), ("b", "<f8", (2, 3))]])
def test_dtype_round_trip(dtype):
    dtype = np.dtype(dtype) if not isinstance(dtype, list) else np.dtype(
        [tuple(f) for f in dtype])
    encoded = encode_dtype(dtype)
    assert decode_dtype(json.loads(json.dumps(encoded))) == dtype


@pytest.mark.parametrize("dtype,value,encoded", [
    ("f8", math.nan, "NaN"), ("f4", math.inf, "Infinity"), ("f8", -math.inf, "-Infinity"),
    ("f8", 1.5, 1.5), ("i2", -1, -1), ("u8", 2**64 - 1, 2**64 - 1), ("b1", True, True),
    ("c16", complex(1, math.nan), [1.0, "NaN"]), ("U3", "ab", "ab"),
    ("S3", b"ab", "YWIA"), ("M8[D]", np.datetime64("1970-01-11"), 10),
    ("m8[s]", np.timedelta64("NaT"), -2**63), ("S5", b"", "AAAAAAA="),
    (">M8[D]", np.datetime64("1970-01-11"), 10), (">m8[s]", np.timedelta64(-3, "s"), -3),
])
def test_fill_value_encoding(dtype, value, encoded):
    dtype = np.dtype(dtype)
    assert encode_fill_value(value, dtype) == encoded
    text = json.dumps(encoded, allow_nan=False)  # valid JSON: no bare NaN
    back = decode_fill_value(json.loads(text), dtype)
    np.testing.assert_array_equal(np.asarray(back, dtype), np.asarray(value, dtype))


def test_fill_values_as_other_writers_write_them():
    assert decode_fill_value("", np.dtype("S5")) == b""
    assert decode_fill_value(0.0, np.dtype("i4")) == 0
    assert decode_fill_value(None, np.dtype("f8")) is None
    with pytest.raises(MetadataError):
        decode_fill_value("x", np.dtype("f8"))
    with pytest.raises(MetadataError):
        decode_fill_value(1.5, np.dtype("i4"))


def test_metadata_document():
    meta = array_metadata((10, 3), np.dtype("f8"), (4, 3), Blosc("lz4", 7, 2), math.nan, "/")
    assert meta == {"zarr_format": 2, "shape": [10, 3], "chunks": [4, 3], "dtype": "<f8",
                    "compressor": {"id": "blosc", "cname": "lz4", "clevel": 7, "shuffle": 2,
                                   "blocksize": 0},
                    "fill_value": "NaN", "order": "C", "filters": None,
                    "dimension_separator": "/"}
    parsed = parse_array_metadata(dumps(meta), ".zarray")
    assert parsed["shape"] == (10, 3) and parsed["compressor"] == Blosc("lz4", 7, 2) and math.isnan(
        parsed["fill_value"])
    raw = array_metadata((5,), np.dtype("i4"), (5,), None, 0, ".")
    assert raw["compressor"] is None
    obj = array_metadata((5,), np.dtype(object), (5,), Blosc("lz4"), None, ".", "msgpack2")
    assert obj["filters"] == [{"id": "msgpack2", "raw": False, "use_bin_type": True,
                               "use_single_float": False}]


@pytest.mark.parametrize("edit,match", [
    (lambda m: "{", "not valid JSON"),
    (lambda m: "[]", "JSON object"),
    (lambda m: dict(m, zarr_format=3), "zarr_format"),
    (lambda m: dict(m, shape=[-1, 3]), "non-negative"),
    (lambda m: dict(m, shape="10"), "list of integers"),
    (lambda m: dict(m, chunks=[0, 3]), "positive"),
    (lambda m: dict(m, chunks=[4]), "do not match"),
    (lambda m: dict(m, dtype="<q9"), "dtype"),
    (lambda m: dict(m, order="F"), "order"),
    (lambda m: dict(m, compressor={"id": "bz2", "level": 1}), "compressor 'bz2'|compressor.*bz2"),
    (lambda m: dict(m, compressor={"id": "blosc", "cname": "snappy", "clevel": 5,
                                   "shuffle": 1}), "not available"),
    (lambda m: dict(m, compressor={"id": "blosc", "cname": "lz4", "clevel": 12,
                                   "shuffle": 1}), "bad compressor.*clevel"),
    (lambda m: dict(m, filters=[{"id": "delta"}]), "bad filter .*delta"),
    (lambda m: dict(m, filters=[{"id": "quantize", "digits": 3}]), "filter .*quantize.* not supp"),
    (lambda m: dict(m, dimension_separator="-"), "dimension_separator"),
    (lambda m: dict(m, fill_value="abc"), "not a number"),
])
def test_bad_metadata_is_a_clear_error(edit, match):
    meta = array_metadata((10, 3), np.dtype("f8"), (4, 3), Blosc("lz4", 7, 2), 0.0, ".")
    edited = edit(meta)
    text = edited if isinstance(edited, str) else json.dumps(edited)
    with pytest.raises(MetadataError, match=match) as info:
        parse_array_metadata(text, "/data/x.zarr/.zarray")
    assert "/data/x.zarr/.zarray" in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("dtype,fill", [
    ("|S3", "!!!"), ("|S3", "YW=J"), ("|S3", 0), ("|S2", "YWJj"), ("|S3", "é"),
    ("|V4", "!!!!"), ("|V4", "AAAAAAA="), ([["a", "<i4"]], "AAAA!"), ([["a", "<i4"]], 0),
    ("<i4", "5"), ("<i4", True), ("<i4", 2.5), ("<i4", math.nan), ("<i4", [1]),
    ("<i2", 70000), ("|u1", -1), ("<i8", 2**63), ("<u8", 2**64), ("<i4", 1e30),
    ("<f4", 2**200), ("<f4", 1e300), ("<f2", 1e6), ("<f8", 2**2000), ("<f8", "nan"),
    ("<f8", "5"), ("<f8", True), ("<f8", [1.0]),
    ("|b1", "x"), ("|b1", "true"), ("|b1", 2), ("|b1", 0.5), ("|b1", [True]),
    ("<c8", "ab"), ("<c8", [1.0, 2.0, 3.0]), ("<c8", [1.0]), ("<c8", ["a", 0]),
    ("<c8", [2**200, 0]), ("<c16", 1.0), ("<c16", {"re": 1}),
    ("<M8[D]", "5"), ("<M8[D]", 2.5), ("<M8[D]", True), ("<m8[s]", 2**63), ("<M8[s]", "2020"),
    ("<U2", 5), ("<U2", "abc"), ("<U2", ["a"]),
])
def test_fill_values_that_do_not_fit_their_dtype(dtype, fill):
    meta = array_metadata((10,), np.dtype("f8"), (5,), None, 0.0, ".")
    meta["dtype"], meta["fill_value"] = dtype, fill
    with pytest.raises(MetadataError, match="fill_value") as info:
        parse_array_metadata(json.dumps(meta), "/data/x.zarr/.zarray")
    assert str(info.value).startswith("/data/x.zarr/.zarray: ")


@pytest.mark.parametrize("dtype,fill,value", [
    ("<f8", "NaN", math.nan), ("<f4", "Infinity", math.inf), ("<f2", "-Infinity", -math.inf),
    ("<f4", 0, 0.0), ("<f4", 3.4e38, 3.4e38), ("<f8", 1e308, 1e308), ("<f2", 65504, 65504.0),
    (">f8", -0.5, -0.5), ("<f4", 1e-50, 0.0),
    ("<i4", 5.0, 5), ("<i8", -2**63, -2**63), ("<u8", 2**64 - 1, 2**64 - 1), ("|i1", -128, -128),
    ("|b1", True, True), ("|b1", False, False), ("|b1", 0, False), ("|b1", 1, True),
    ("<c8", [1.0, "NaN"], complex(1, math.nan)), ("<c16", [0, -1], -1j),
    ("<c16", ["Infinity", "-Infinity"], complex(math.inf, -math.inf)),
    ("<M8[D]", 10, np.datetime64("1970-01-11")), ("<m8[s]", -2**63, np.timedelta64("NaT")),
    ("<M8[s]", "NaT", np.datetime64("NaT")), (">M8[D]", 10, np.datetime64("1970-01-11")),
    ("|S5", "", b""), ("|S5", "YWI=", b"ab"), ("|S5", "AAAAAAA=", b""), ("|S3", "YWJj", b"abc"),
    ("<U4", "", ""), ("<U4", "é", "é"), ("<U2", "ab", "ab"),
    ("|V2", "AAE=", b"\x00\x01"),
])
def test_every_valid_fill_value_encoding_reads(dtype, fill, value):
    meta = array_metadata((10,), np.dtype("f8"), (5,), None, 0.0, ".")
    meta["dtype"], meta["fill_value"] = dtype, fill
    got = parse_array_metadata(json.dumps(meta), ".zarray")["fill_value"]
    want = np.asarray(value).astype(np.dtype(dtype)) if dtype[1] != "V" else \
        np.frombuffer(value, dtype)[0]
    np.testing.assert_array_equal(np.asarray(got, np.dtype(dtype)), want)


@pytest.mark.parametrize("edit,match", [
    (lambda m: dict(m, zarr_format="2"), "zarr_format"),
    (lambda m: dict(m, zarr_format=2.0), "zarr_format"),
    (lambda m: dict(m, zarr_format=True), "zarr_format"),
    (lambda m: dict(m, shape=[True, 3]), "list of integers"),
    (lambda m: dict(m, shape=[10.0, 3]), "list of integers"),
    (lambda m: dict(m, shape=None), "list of integers"),
    (lambda m: dict(m, shape={"0": 10}), "list of integers"),
    (lambda m: dict(m, shape=[2**63, 3]), "too large"),
    (lambda m: dict(m, chunks=[4, False]), "list of integers"),
    (lambda m: dict(m, chunks=[-4, 3]), "positive"),
    (lambda m: dict(m, chunks=None), "list of integers"),
    (lambda m: dict(m, dtype=8), "dtype"),
    (lambda m: dict(m, dtype=None), "dtype"),
    (lambda m: dict(m, dtype="(2,)i4"), "dtype.*subarray"),
    (lambda m: dict(m, dtype=[["a", "<i4"], ["a", "<i4"]]), "dtype"),
    (lambda m: dict(m, dtype=[["a", 5]]), "dtype"),
    (lambda m: dict(m, dtype=[["a", "<i4", [-1]]]), "dtype"),
    (lambda m: dict(m, dtype=[["a", "<i4", "x"]]), "dtype"),
    (lambda m: dict(m, dtype=[["a", "<i4", [2, 3], 4]]), "dtype"),
    (lambda m: dict(m, dtype=[]), "dtype"),
    (lambda m: dict(m, order="K"), "order"),
    (lambda m: dict(m, order=None), "order"),
    (lambda m: dict(m, order=["C"]), "order"),
    (lambda m: dict(m, compressor="blosc"), "compressor"),
    (lambda m: dict(m, compressor=["blosc"]), "compressor"),
    (lambda m: dict(m, filters=False), "filters"),
    (lambda m: dict(m, filters="msgpack2"), "filters"),
    (lambda m: dict(m, filters={"id": "delta"}), "filters"),
    (lambda m: dict(m, dimension_separator=5), "dimension_separator"),
    (lambda m: dict(m, dimension_separator=["/"]), "dimension_separator"),
])
def test_wrongly_typed_fields_are_a_clear_error(edit, match):
    test_bad_metadata_is_a_clear_error(edit, match)


def test_an_object_array_needs_a_list_of_one_filter():
    meta = array_metadata((5,), np.dtype(object), (5,), Blosc("lz4"), None, ".", "msgpack2")
    for filters in (MSGPACK2_FILTERS := meta["filters"], [{"id": "vlen-utf8"}]):
        assert parse_array_metadata(json.dumps(dict(meta, filters=filters)), "x")
    for filters in ({"id": "vlen-utf8"}, "vlen-utf8", None, [], [{"id": "vlen-utf8"}] * 2):
        with pytest.raises(MetadataError, match="filters"):
            parse_array_metadata(json.dumps(dict(meta, filters=filters)), "x")
    assert MSGPACK2_FILTERS[0]["id"] == "msgpack2"


@pytest.mark.parametrize("text", ["[" * 100000 + "]" * 100000,
                                  '{"a": ' * 100000 + "1" + "}" * 100000])
def test_deeply_nested_metadata_is_a_metadata_error(text):
    with pytest.raises(MetadataError, match="nested too deeply") as info:
        parse_array_metadata(text, "/data/x.zarr/.zarray")
    assert "/data/x.zarr/.zarray" in str(info.value)
