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
    (lambda m: dict(m, compressor={"id": "zlib", "level": 1}), "compressor"),
    (lambda m: dict(m, compressor={"id": "blosc", "cname": "snappy", "clevel": 5,
                                   "shuffle": 1}), "not available"),
    (lambda m: dict(m, compressor={"id": "blosc", "cname": "lz4", "clevel": 12,
                                   "shuffle": 1}), "bad compressor.*clevel"),
    (lambda m: dict(m, filters=[{"id": "delta"}]), "filters"),
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
