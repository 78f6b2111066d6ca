"""Frozen bytes of other writers: numcodecs' encodings of each codec
(fixtures/numcodecs) and Zarr v2 arrays zarr-python wrote with them
(fixtures/zarr-v2-codecs), made once by fixtures/make_numcodecs.py in the
interop environment. Today's code must decode every one to its recorded value."""

import json
from pathlib import Path

import numpy as np
import pytest

import zarr
from zarr.codecs import get_codec
from zarr.ext import decode_vlen

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CODECS = json.loads((FIXTURES / "numcodecs" / "MANIFEST.json").read_text())
ARRAYS = json.loads((FIXTURES / "zarr-v2-codecs" / "MANIFEST.json").read_text())


def expected(base, dtype):
    if dtype != "|O":
        return np.load(str(base) + ".npy")
    return json.loads(Path(str(base) + ".json").read_text())


def test_every_codec_of_the_issue_has_a_fixture():
    ids = {entry["config"]["id"] for entry in CODECS["codecs"].values()}
    assert ids == {"zstd", "lz4", "zlib", "gzip", "blosc", "delta", "fixedscaleoffset",
                   "shuffle", "crc32", "adler32", "vlen-utf8", "vlen-bytes", "vlen-array"}
    shuffles = {e["config"]["shuffle"] for e in CODECS["codecs"].values()
                if e["config"]["id"] == "blosc"}
    assert -1 in shuffles


@pytest.mark.parametrize("name", sorted(CODECS["codecs"]))
def test_we_decode_numcodecs_bytes(name):
    entry = CODECS["codecs"][name]
    config, dtype, shape = entry["config"], entry["dtype"], tuple(entry["shape"])
    data = (FIXTURES / "numcodecs" / (name + ".bin")).read_bytes()
    want = expected(FIXTURES / "numcodecs" / entry["values"], dtype)
    n = int(np.prod(shape))
    if config["id"] in ("vlen-utf8", "vlen-bytes"):
        got = decode_vlen(data, n, config["id"] == "vlen-utf8").tolist()
        assert got == (want if config["id"] == "vlen-utf8" else [bytes(b) for b in want])
        return
    codec = get_codec(config, np.dtype(dtype).itemsize)
    if config["id"] == "vlen-array":
        assert [x.tolist() for x in codec.decode(data, n)] == want
        return
    out = np.empty(shape, dtype)
    codec.decode(data, out)
    np.testing.assert_array_equal(out, want)
    assert out.tobytes() == want.tobytes()
    unsized = codec.decode(data)
    assert bytes(np.asarray(unsized).view("u1").ravel() if isinstance(unsized, np.ndarray)
                 else unsized) == want.tobytes()


@pytest.mark.parametrize("name", sorted(ARRAYS["arrays"]))
def test_we_read_zarr_python_arrays_with_each_codec(name):
    meta = ARRAYS["arrays"][name]
    want = expected(FIXTURES / "zarr-v2-codecs" / name, meta["dtype"])
    z = zarr.open(FIXTURES / "zarr-v2-codecs" / name, mode="r")
    assert z.compressor.get_config() == dict({"checksum": False}, **meta["compressor"]) \
        if meta["compressor"]["id"] == "zstd" else z.compressor.get_config() == \
        meta["compressor"]
    if z.dtype.hasobject:
        assert z[...].tolist() == want
        return
    assert [f.get_config() for f in z.filters or []] == (meta["filters"] or [])
    np.testing.assert_array_equal(z[...], want)
    sel = tuple(slice(1, None, 3) for _ in range(z.ndim))
    np.testing.assert_array_equal(z[sel], want[sel])


def test_zarr_python_default_zstd_array_opens():
    """zarr-python 3 writes v2 arrays with zstd by default: they open here."""
    meta = ARRAYS["arrays"]["i4_zstd_default"]
    assert meta["compressor"] == {"id": "zstd", "level": 0}
    z = zarr.open(FIXTURES / "zarr-v2-codecs" / "i4_zstd_default", mode="r")
    assert z.compressor == zarr.Zstd(level=0)
    np.testing.assert_array_equal(z[...], np.load(FIXTURES / "zarr-v2-codecs" /
                                                  "i4_zstd_default.npy"))
