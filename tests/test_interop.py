"""Interoperability with zarr-python 3 and TensorStore, each way round.

A virtual environment beside the project, ``.venv-interop``, holds zarr-python,
numcodecs, msgpack and TensorStore; the tests create it once and reuse it
while its recorded requirements are unchanged. One subprocess of its python,
``tests/interop/peer.py``, run isolated from this project (``python -I``,
another working directory), writes the arrays of THEIRS with zarr-python and
TensorStore and reads every array of OURS (written here) with both; the tests
then compare everything with numpy values computed here.

What does not interoperate, and the error each library gives, is listed in
GAPS: those reads must fail with that error or return the right values,
never anything else.
"""

import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import zarr
from conftest import INTEROP_VENV as VENV
from conftest import ROOT
from conftest import run_checked as _run
from dtypes import sample

PEER = Path(__file__).resolve().parent / "interop" / "peer.py"
LIBS = ("zarr-python", "tensorstore")

PEER_TIMEOUT = 300


# Values.

def values(dtype, shape, seed=0):
    """Deterministic data of ``dtype`` with the extremes of its kind in it."""
    dtype = np.dtype(dtype)
    data = sample(dtype, shape, seed)
    flat = data.reshape(-1)
    if dtype.fields is None and flat.size >= 4:
        if dtype.kind in "iu":
            flat[:2] = np.iinfo(dtype).min, np.iinfo(dtype).max
        elif dtype.kind in "fc":
            flat[:4] = np.nan, np.inf, -np.inf, -0.0
        elif dtype.kind in "mM":
            flat[0] = np.array("NaT", dtype)
            flat[1] = np.array(np.iinfo("i8").max, "i8").view(dtype)
    return data


#: The region of an array that is not written at all.
UNWRITTEN = "unwritten"


def selection(region):
    """The numpy selection of a region: a list of (start, stop), or None for all."""
    return Ellipsis if region is None else tuple(slice(a, b) for a, b in region)


def expected(shape, dtype, fill, data, region):
    out = np.zeros(shape, dtype)
    if fill is not None or dtype.hasobject:
        out[...] = fill
    if region != UNWRITTEN:
        out[selection(region)] = data[selection(region)]
    return out


def assert_same(got, want):
    """Equal values and dtype; for numbers, equal bytes too (NaN payloads, -0.0)."""
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert got.shape == want.shape, (got.shape, want.shape)
    if want.dtype.hasobject:
        assert [type(v) for v in got.ravel()] == [type(v) for v in want.ravel()]
        np.testing.assert_array_equal(got, want)
    elif want.dtype.fields:
        for name in want.dtype.names:
            np.testing.assert_array_equal(got[name], want[name])
        assert got.tobytes() == want.tobytes()
    else:
        np.testing.assert_array_equal(got, want)
        assert got.tobytes() == want.tobytes()


# Arrays that we write and they read: name -> (open arguments, data, region).

OURS = {}


def ours(name, dtype, shape, chunks, region=None, data=None, **kwargs):
    data = values(dtype, shape, len(OURS)) if data is None else np.asarray(data, dtype)
    OURS[name] = (dict(shape=shape, dtype=dtype, chunks=chunks, **kwargs), data, region)


STRUCT = [("a", "<i4"), ("b", "<f8"), ("c", "S3")]
STRUCT_SUBARRAY = [("x", "<f8", (4,)), ("y", "u1")]

for _dt in ["?", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4", "f8", "c8", "c16",
            "M8[D]", "M8[ns]", "m8[s]", "m8[ms]", "S7", "U5", ">i4", ">u2", ">f8", ">c16"]:
    ours("dtype-" + np.dtype(_dt).str.replace("|", "").replace("<", "").replace(">", "be-"),
         _dt, (23, 9), (5, 4))
ours("dtype-struct", STRUCT, (23,), (5,))
ours("dtype-struct-subarray", STRUCT_SUBARRAY, (11,), (4,))

CNAMES = ("blosclz", "lz4", "lz4hc", "zlib", "zstd")
for _cname in CNAMES:
    for _shuffle in (0, 1, 2):
        ours("blosc-%s-shuffle%d" % (_cname, _shuffle), "f4", (31, 17), (8, 8), cname=_cname,
             shuffle=_shuffle, clevel=7)
ours("blosc-clevel0", "i8", (40,), (16,), clevel=0)
ours("blosc-clevel9-u2", "u2", (40,), (16,), cname="zstd", clevel=9, shuffle=2)
ours("blosc-blocksize", "f8", (3000,), (1024,), blocksize=2048, cname="lz4")

ours("null-1d", "i4", (50,), (16,), cname=None)
ours("null-2d-nested", "f8", (13, 11), (4, 5), cname=None, dimension_separator="/")
ours("null-partial-nan", "f4", (13, 11), (4, 5), cname=None, fill_value=math.nan,
     region=[(0, 4), (5, 10)])

ours("nested-1d", "u4", (30,), (7,), dimension_separator="/")
ours("nested-2d", "i2", (9, 14), (4, 4), dimension_separator="/")
ours("nested-3d", "f8", (5, 6, 7), (2, 3, 4), dimension_separator="/")
ours("flat-3d", "f8", (5, 6, 7), (2, 3, 4))
ours("nested-3d-partial", "i4", (5, 6, 7), (2, 3, 4), dimension_separator="/", fill_value=-7,
     region=[(1, 3), (0, 3), (4, 7)])
ours("zero-d", "f8", (), (), data=2.5)
ours("zero-d-null", "i4", (), (), data=-3, cname=None)
ours("zero-d-unwritten", "f8", (), (), data=0.0, fill_value=math.inf, region=UNWRITTEN)
ours("empty-1d", "f8", (0,), (5,))
ours("chunk-bigger-than-array", "i4", (3, 4), (10, 10))

ours("fill-nan", "f8", (20, 10), (6, 4), fill_value=math.nan, region=[(0, 6), (0, 10)])
ours("fill-inf", "f4", (20,), (6,), fill_value=math.inf, region=[(3, 9)])
ours("fill-minus-inf", "f2", (20,), (6,), fill_value=-math.inf, region=[(3, 9)])
ours("fill-int", "i2", (100,), (15,), fill_value=-1, region=[(20, 50)])
ours("fill-u8-max", "u8", (100,), (15,), fill_value=2 ** 64 - 1, region=[(20, 50)])
ours("fill-complex", "c16", (20,), (6,), fill_value=1 - 2j, region=[(0, 7)])
ours("fill-complex-nan", "c8", (20,), (6,), fill_value=complex(math.nan, 1), region=[(0, 7)])
ours("fill-bool", "?", (20,), (6,), fill_value=True, region=[(0, 7)])
ours("fill-datetime", "M8[s]", (20,), (6,), fill_value=np.datetime64("2001-02-03T04:05:06"),
     region=[(0, 7)])
ours("fill-nat", "M8[ns]", (20,), (6,), fill_value=np.datetime64("NaT"), region=[(0, 7)])
ours("fill-bytes", "S4", (20,), (6,), fill_value=b"ab", region=[(0, 7)])
ours("fill-unicode", "U3", (20,), (6,), fill_value="\u00e9t\u00e9", region=[(0, 7)])

_WORDS = ["", "a", "z\u00e9ro", "\U0001f600 emoji", "x" * 300, "tab\tnew\nline"]
_STRINGS = np.array([_WORDS[i % len(_WORDS)] for i in range(35)], object)
ours("object-msgpack2", object, (35,), (6,), data=_STRINGS)
ours("object-vlen-utf8", object, (35,), (6,), data=_STRINGS, object_codec="vlen-utf8")
ours("object-vlen-utf8-partial", object, (35,), (6,), data=_STRINGS, object_codec="vlen-utf8",
     fill_value="", region=[(5, 20)])
ours("object-vlen-utf8-null", object, (35,), (6,), data=_STRINGS, object_codec="vlen-utf8",
     cname=None)
ours("object-vlen-bytes", object, (35,), (6,), object_codec="vlen-bytes",
     data=np.array([w.encode("utf-8") + b"\x00\xff" * (i % 3) for i, w in enumerate(_STRINGS)],
                   object))
ours("object-vlen-bytes-partial", object, (35,), (6,), object_codec="vlen-bytes",
     fill_value=b"ab", region=[(5, 20)], data=OURS["object-vlen-bytes"][1])
ours("object-2d-vlen-utf8", object, (7, 5), (3, 2), data=_STRINGS.reshape(7, 5),
     object_codec="vlen-utf8", dimension_separator="/")


def _fill_of(kwargs):
    dtype = np.dtype(kwargs["dtype"])
    fill = kwargs.get("fill_value")
    if fill is not None:
        return fill
    return None if dtype.hasobject else np.zeros((), dtype)[()]


# What the other libraries do not read, with the error they give:
# (case name prefix, library) -> substring of the error.
_TS_DTYPE = "Unsupported zarr dtype"
GAPS = {
    ("dtype-struct-subarray", "zarr-python"):
        "No Zarr data type found that matches {'name': [['x', '<f8', [4]], ['y', '|u1']]",
    ("object-msgpack2", "zarr-python"):
        "No Zarr data type found that matches {'name': '|O', 'object_codec_id': 'msgpack2'}",
    ("object-", "tensorstore"): _TS_DTYPE + ": \"|O\"",
    ("dtype-M8", "tensorstore"): _TS_DTYPE + ": \"<M8[",
    ("dtype-m8", "tensorstore"): _TS_DTYPE + ": \"<m8[",
    ("fill-datetime", "tensorstore"): _TS_DTYPE + ": \"<M8[",
    ("fill-nat", "tensorstore"): _TS_DTYPE + ": \"<M8[",
    ("dtype-U5", "tensorstore"): _TS_DTYPE + ": \"<U5\"",
    ("fill-unicode", "tensorstore"): _TS_DTYPE + ": \"<U3\"",
}

# TensorStore opens |S<n> as its "char" dtype with one more dimension of n, but
# its conversion to numpy gives zero-width |S0 items: the bytes are lost (and
# peer.py leaves such fields of a structured dtype zero). TensorStore must at
# least have parsed our metadata to that dtype and shape.


def _char_gap(name, want, result, got):
    """True when ``got`` is TensorStore's reading of |S data, checked as far as it goes."""
    if want.dtype.fields is None:
        if want.dtype.kind != "S" or got.dtype.itemsize:
            return False
        assert result["native"] == "char %s" % (list(want.shape) + [want.dtype.itemsize])
        return True
    native = result["native"].split("; ")
    assert len(native) == len(want.dtype.names), native
    for field, description in zip(want.dtype.names, native):
        sub = want.dtype[field]
        if sub.base.kind == "S":
            assert description == "%s: char %s" % (
                field, list(want.shape) + list(sub.shape) + [sub.base.itemsize])
        else:
            np.testing.assert_array_equal(got[field], want[field])
            assert description.startswith("%s: %s " % (field, sub.base.name)), description
    return True


def _gap(name, lib):
    for (prefix, gap_lib), message in GAPS.items():
        if lib == gap_lib and name.startswith(prefix):
            return message
    return None


# Arrays that they write and we read: name -> (writer's manifest entry, data, expected).

THEIRS = {}


def zp(name, dtype, shape, chunks, compressor, separator=".", fill=None, region=None,
       data=None):
    """An array written by zarr-python (zarr_format=2)."""
    np_dtype = np.dtype(object if dtype in ("vlen-utf8", "vlen-bytes")
                        else dtype if isinstance(dtype, str) else [tuple(f) for f in dtype])
    data = values(np_dtype, shape, 100 + len(THEIRS)) if data is None else data
    if region is not None:
        assert fill is not None, "a partly written array needs its fill value given"
    entry = {"lib": "zarr-python", "dtype": dtype, "chunks": list(chunks),
             "compressor": compressor, "separator": separator, "region": region,
             "fill": None if fill is None else np.asarray(fill, np_dtype)}
    THEIRS[name] = (entry, data, expected(shape, np_dtype, fill, data, region))


def tsw(name, metadata, fill=None, region=None, data=None):
    """An array written by TensorStore; ``fill`` is the numpy value of metadata's fill_value."""
    dtype = np.dtype(metadata["dtype"])
    shape = tuple(metadata["shape"])
    data = values(dtype, shape, 200 + len(THEIRS)) if data is None else data
    if fill is None:
        fill = np.zeros((), dtype)[()]
    metadata = dict({"zarr_format": 2, "order": "C", "filters": None}, **metadata)
    entry = {"lib": "tensorstore", "metadata": metadata, "region": region}
    THEIRS[name] = (entry, data, expected(shape, dtype, fill, data, region))


def blosc(cname="lz4", clevel=5, shuffle=1, blocksize=0):
    return {"id": "blosc", "cname": cname, "clevel": clevel, "shuffle": shuffle,
            "blocksize": blocksize}


for _dt in ["?", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4", "f8", "c8", "c16",
            "M8[D]", "M8[ns]", "m8[s]", "S5", "U4", ">i4", ">f8"]:
    zp("zp-dtype-" + np.dtype(_dt).str.replace("|", "").replace("<", "").replace(">", "be-"),
       _dt, (19, 7), (6, 3), blosc())
zp("zp-dtype-struct", STRUCT, (23,), (5,), blosc())
for _cname in CNAMES:
    for _shuffle in (-1, 0, 1, 2):
        zp("zp-blosc-%s-shuffle%d" % (_cname, _shuffle), "i4", (40, 9), (16, 4),
           blosc(_cname, 6, _shuffle))
zp("zp-blosc-auto-u1", "u1", (500,), (128,), blosc("zstd", 3, -1))
zp("zp-blosc-blocksize", "f8", (3000,), (1000,), blosc("lz4", 5, 1, 1024))
zp("zp-null", "f8", (12, 12), (5, 5), None)
zp("zp-null-nested-partial", "i8", (12, 12, 3), (5, 5, 2), None, "/", -9,
   [(0, 5), (3, 12), (0, 3)])
zp("zp-nested-1d", "f4", (50,), (7,), blosc("zstd", 1, 2), "/")
zp("zp-nested-2d", "u2", (17, 5), (4, 4), blosc(), "/")
zp("zp-nested-3d", "i8", (5, 6, 7), (2, 3, 4), blosc("blosclz"), "/")
zp("zp-flat-3d", "i8", (5, 6, 7), (2, 3, 4), blosc("blosclz"), ".")
zp("zp-fill-nan", "f8", (20, 10), (6, 4), blosc(), ".", math.nan, [(0, 6), (2, 10)])
zp("zp-fill-minus-inf", "f4", (30,), (8,), blosc(), ".", -math.inf, [(8, 16)])
zp("zp-fill-int", "i2", (100,), (15,), blosc(), "/", -1, [(0, 40)])
zp("zp-fill-complex", "c8", (20,), (6,), blosc(), ".", 1 + 2j, [(6, 12)])
zp("zp-fill-bool", "?", (20,), (6,), blosc(), ".", True, [(0, 6)])
zp("zp-fill-datetime", "M8[D]", (20,), (6,), blosc(), ".", np.datetime64("2000-01-01"),
   [(0, 6)])
zp("zp-fill-nat", "M8[ns]", (20,), (6,), blosc(), ".", np.datetime64("NaT"), [(0, 6)])
zp("zp-fill-bytes", "S3", (20,), (6,), blosc(), ".", b"ab", [(0, 6)])
zp("zp-fill-unicode", "U3", (20,), (6,), blosc(), ".", "\u00e9t", [(0, 6)])
zp("zp-zero-d", "f8", (), (), blosc(), data=np.array(4.5))
zp("zp-zero-d-null", "u4", (), (), None, data=np.array(7, "u4"))
zp("zp-vlen-utf8", "vlen-utf8", (35,), (6,), blosc(), data=_STRINGS)
zp("zp-vlen-utf8-partial", "vlen-utf8", (35,), (6,), blosc("zstd"), ".", "", [(6, 20)],
   data=_STRINGS)
zp("zp-vlen-utf8-null", "vlen-utf8", (7, 5), (3, 2), None, "/", data=_STRINGS.reshape(7, 5))
zp("zp-vlen-bytes", "vlen-bytes", (35,), (6,), blosc(),
   data=np.array([w.encode("utf-8") + b"\xff" * (i % 3) for i, w in enumerate(_STRINGS)],
                 object))
zp("zp-vlen-bytes-partial", "vlen-bytes", (35,), (6,), blosc("zstd"), ".", b"", [(6, 20)],
   data=THEIRS["zp-vlen-bytes"][1])

tsw("ts-i4-2d", {"dtype": "<i4", "shape": [23, 9], "chunks": [5, 4],
                 "compressor": blosc("lz4", 5, 1), "fill_value": 0})
tsw("ts-u1-bitshuffle", {"dtype": "|u1", "shape": [300], "chunks": [64],
                         "compressor": blosc("zstd", 3, 2), "fill_value": 0})
tsw("ts-f8-nested-nan", {"dtype": "<f8", "shape": [5, 6, 7], "chunks": [2, 3, 4],
                         "compressor": blosc("zlib", 4, 1), "fill_value": "NaN",
                         "dimension_separator": "/"},
    fill=math.nan, region=[(0, 2), (3, 6), (0, 7)])
tsw("ts-f4-inf-partial", {"dtype": "<f4", "shape": [40], "chunks": [16],
                          "compressor": blosc("lz4hc", 9, 0), "fill_value": "Infinity"},
    fill=math.inf, region=[(16, 32)])
tsw("ts-f2", {"dtype": "<f2", "shape": [30], "chunks": [8],
              "compressor": blosc("blosclz", 5, 2), "fill_value": 0})
tsw("ts-c16-fill", {"dtype": "<c16", "shape": [20], "chunks": [6],
                    "compressor": blosc(), "fill_value": [1.5, -2.0]},
    fill=1.5 - 2j, region=[(0, 6)])
tsw("ts-bool", {"dtype": "|b1", "shape": [7, 9], "chunks": [3, 3],
                "compressor": blosc(), "fill_value": False})
tsw("ts-be-i8", {"dtype": ">i8", "shape": [20], "chunks": [6],
                 "compressor": blosc("zstd"), "fill_value": -3}, fill=-3, region=[(0, 10)])
tsw("ts-null", {"dtype": "<u8", "shape": [10, 10], "chunks": [4, 4],
                "compressor": None, "fill_value": 1}, fill=1, region=[(0, 4), (0, 8)])
tsw("ts-null-nested", {"dtype": "<i2", "shape": [10, 10], "chunks": [4, 4],
                       "compressor": None, "fill_value": 0, "dimension_separator": "/"})
tsw("ts-zero-d", {"dtype": "<f8", "shape": [], "chunks": [], "compressor": blosc(),
                  "fill_value": 0}, data=np.array(-1.25))


# The exchange: one subprocess of the interop environment does all of it.

@pytest.fixture(scope="module")
def exchange(interop_python, tmp_path_factory):
    root = tmp_path_factory.mktemp("interop")
    manifest = {"read": [], "write": []}
    for name, (kwargs, data, region) in OURS.items():
        path = root / "ours" / name
        z = zarr.open(path, mode="w", **kwargs)
        if region != UNWRITTEN:
            z[selection(region)] = data[selection(region)]
        for lib in LIBS:
            manifest["read"].append({"id": "%s/%s" % (lib, name), "lib": lib, "path": str(path),
                                     "out": str(root / "read" / lib / (name + ".npy"))})
    for lib in LIBS:
        (root / "read" / lib).mkdir(parents=True)
    (root / "inputs").mkdir()
    for name, (entry, data, _) in THEIRS.items():
        entry = dict(entry, id=name, path=str(root / "theirs" / name),
                     data=str(root / "inputs" / (name + ".npy")))
        np.save(entry["data"], data, allow_pickle=True)
        if entry.get("fill") is not None:
            entry["fill"] = str(root / "inputs" / (name + ".fill.npy"))
            np.save(entry["fill"], THEIRS[name][0]["fill"], allow_pickle=True)
        manifest["write"].append(entry)
    (root / "manifest.json").write_text(json.dumps(manifest))
    start = time.monotonic()
    _run([str(interop_python), "-I", str(PEER), str(root / "manifest.json"),
          str(root / "results.json")], PEER_TIMEOUT, cwd=str(root))
    results = json.loads((root / "results.json").read_text())
    results["seconds"] = time.monotonic() - start
    results["root"] = root
    return results


def test_peer_runs_zarr_python_3_from_its_own_environment(exchange):
    assert exchange["versions"]["zarr"].startswith("3.1."), exchange["versions"]
    zarr_file = Path(exchange["zarr_file"]).resolve()
    assert VENV.resolve() in zarr_file.parents, zarr_file
    assert ROOT / "zarr" not in zarr_file.parents
    sys.stderr.write("interop peer: %s, %.1f s\n" % (exchange["versions"], exchange["seconds"]))


@pytest.mark.parametrize("name", OURS)
@pytest.mark.parametrize("lib", LIBS)
def test_they_read_ours(exchange, lib, name):
    kwargs, data, region = OURS[name]
    want = expected(kwargs["shape"], np.dtype(kwargs["dtype"]), _fill_of(kwargs), data, region)
    # Our own reading first: the oracle must hold for us before it is asked of them.
    assert_same(zarr.open(exchange["root"] / "ours" / name, mode="r")[...], want)
    result = exchange["read"]["%s/%s" % (lib, name)]
    gap = _gap(name, lib)
    if not result["ok"]:
        assert gap is not None, result["traceback"]
        assert gap in result["error"], result["error"]
        return
    got = np.load(exchange["root"] / "read" / lib / (name + ".npy"), allow_pickle=True)
    if lib == "tensorstore" and _char_gap(name, want, result, got):
        return
    if lib == "tensorstore" and want.dtype.byteorder == ">":
        want = want.astype(want.dtype.newbyteorder("="))  # TensorStore returns native order
    assert_same(got, want)


@pytest.mark.parametrize("name", THEIRS)
def test_we_read_theirs(exchange, name):
    result = exchange["write"][name]
    assert result["ok"], result.get("traceback")
    want = THEIRS[name][2]
    z = zarr.open(exchange["root"] / "theirs" / name, mode="r")
    assert z.shape == want.shape
    assert z.chunks == tuple(result["zarray"]["chunks"])
    assert_same(z[...], want)
    # and through partial, chunk-crossing selections too
    if want.ndim:
        sel = tuple(slice(1, None, 2) for _ in range(want.ndim))
        assert_same(z[sel], want[sel])
