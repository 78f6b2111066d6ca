"""Frozen arrays on disk: written by zarr-python (fixtures/zarr-v2) and by this
project (fixtures/ours-v1). Today's code must read them to the recorded values,
and must write ours-v1 again byte for byte (any change is format drift)."""

import ast
import importlib.util
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

import zarr

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ZARR_V2 = FIXTURES / "zarr-v2"
OURS_V1 = FIXTURES / "ours-v1"

_spec = importlib.util.spec_from_file_location("make_ours", FIXTURES / "make_ours.py")
make_ours = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_ours)


def assert_same(got, want):
    """Equal dtype, shape and values; for fixed-size items, equal bytes too."""
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert got.shape == want.shape, (got.shape, want.shape)
    if want.dtype.hasobject:
        assert [type(v) for v in got.ravel()] == [type(v) for v in want.ravel()]
        assert got.tolist() == want.tolist()
    else:
        np.testing.assert_array_equal(got, want)
        assert got.tobytes() == want.tobytes()


def object_array(items):
    out = np.empty(len(items), object)
    for i, item in enumerate(items):
        out[i] = item
    return out


# Written by zarr-python: MANIFEST.md describes each array, <name>.npy or
# <name>.json holds its value.

def _manifest():
    rows = {}
    for line in (ZARR_V2 / "MANIFEST.md").read_text().splitlines():
        # cells are split on " | ", as a dtype such as |S5 holds a bar
        cells = [c.strip() for c in re.split(r"\s\|\s", line.strip()[1:-1])]
        if len(cells) != 8 or cells[0] in ("name", "---") or set(cells[0]) <= {"-"}:
            continue
        name, dtype, shape, chunks, compressor, separator, fill, partial = cells
        rows[name] = {"shape": ast.literal_eval(shape), "chunks": ast.literal_eval(chunks),
                      "compressor": compressor, "separator": separator, "fill": fill}
    return rows


MANIFEST = _manifest()
NPY = sorted(p.stem for p in ZARR_V2.glob("*.npy"))
JSON = sorted(p.stem for p in ZARR_V2.glob("*.json"))


def test_manifest_lists_every_fixture():
    assert len(NPY) == 15 and len(JSON) == 3
    assert set(MANIFEST) == set(NPY) | set(JSON) | {"group_with_attrs"}


def _check_metadata(z, name):
    row = MANIFEST[name]
    assert z.shape == row["shape"]
    assert z.chunks == row["chunks"]
    assert z.dimension_separator == row["separator"]
    if row["compressor"] == "None":
        assert z.cname is None
    elif row["compressor"].startswith("{"):
        blosc = ast.literal_eval(row["compressor"])
        assert (z.cname, z.clevel, z.shuffle) == (blosc["cname"], blosc["clevel"],
                                                    blosc["shuffle"])


@pytest.mark.parametrize("name", NPY)
def test_zarr_python_fixture(name):
    want = np.load(ZARR_V2 / (name + ".npy"))
    z = zarr.open(ZARR_V2 / name, mode="r")
    _check_metadata(z, name)
    assert_same(z[...], want)
    # chunk-crossing partial reads, from the end backwards
    sel = tuple(slice(None, None, -3) for _ in range(want.ndim))
    assert_same(z[sel], want[sel])


def test_zarr_python_fill_values():
    nan_fill = zarr.open(ZARR_V2 / "f8_nan_fill_partial", mode="r")
    assert math.isnan(nan_fill.fill_value)
    assert np.isnan(nan_fill[...]).any() and not np.isnan(nan_fill[...]).all()
    assert zarr.open(ZARR_V2 / "i2_fill_partial", mode="r").fill_value == -1
    assert zarr.open(ZARR_V2 / "S5_1d", mode="r").fill_value == b""


@pytest.mark.parametrize("name", JSON)
def test_zarr_python_object_fixture(name):
    want = object_array(json.loads((ZARR_V2 / (name + ".json")).read_text()))
    z = zarr.open(ZARR_V2 / name, mode="r")
    _check_metadata(z, name)
    assert z.dtype == object
    assert_same(z[...], want)
    assert_same(z[3:-2], want[3:-2])


def test_zarr_python_group_members():
    group = ZARR_V2 / "group_with_attrs"
    before = sorted((str(p.relative_to(group)), p.stat().st_mtime_ns) for p in group.rglob("*"))

    def zattrs(where):
        return json.loads((where / ".zattrs").read_text())

    # What MANIFEST.md says, and the .zattrs files hold exactly that.
    root_attrs = {"title": "fixture", "params": {"a": 1, "b": [1.5, None]}}
    assert zattrs(group) == root_attrs
    assert zattrs(group / "sub") == {"units": "m"}
    assert zattrs(group / "sub" / "x") == {"scale": 2.5}
    x_want = np.arange(10, dtype="<i4")

    for g in (zarr.open_group(group, mode="r"), zarr.open(group, mode="r")):
        assert isinstance(g, zarr.Group) and g.read_only
        assert (g.name, g.keys(), g.group_keys(), g.array_keys()) == ("/", ["sub"], ["sub"], [])
        assert g.attrs.asdict() == root_attrs
        assert type(g.attrs["params"]["b"][0]) is float and type(g.attrs["params"]["a"]) is int
        sub = g["sub"]
        assert isinstance(sub, zarr.Group) and sub.name == "/sub"
        assert (sub.keys(), sub.group_keys(), sub.array_keys()) == (["x"], [], ["x"])
        assert sub.attrs.asdict() == {"units": "m"}
        for x in (g["sub/x"], sub["x"]):
            assert isinstance(x, zarr.Array)
            assert (x.shape, x.chunks, x.dtype) == ((10,), (4,), np.dtype("<i4"))
            assert x.attrs.asdict() == {"scale": 2.5}
            assert_same(x[...], x_want)
            assert_same(x[3:9], x_want[3:9])
        seen = []
        g.visititems(lambda path, member: seen.append((path, type(member).__name__)) and None)
        assert [path for path, _ in seen] == ["sub", "sub/x"]
        assert "sub/x" in g and "x" not in g and "sub/y" not in g
        with pytest.raises(KeyError):
            g["nope"]
        # mode 'r' all the way down: nothing may change the fixture
        with pytest.raises(zarr.ReadOnlyError):
            g.attrs["title"] = "changed"
        with pytest.raises(zarr.ReadOnlyError):
            g["sub/x"].attrs["scale"] = 1.0
        with pytest.raises(zarr.ReadOnlyError):
            g.create_group("new")

    # the members' directories open as what they are
    sub = zarr.open(group / "sub", mode="r")
    assert isinstance(sub, zarr.Group) and sub.attrs.asdict() == {"units": "m"}
    assert sub.keys() == ["x"]
    x = zarr.open(group / "sub" / "x", mode="r")
    assert isinstance(x, zarr.Array) and x.attrs.asdict() == {"scale": 2.5}
    assert_same(x[...], x_want)
    assert sorted((str(p.relative_to(group)), p.stat().st_mtime_ns)
                  for p in group.rglob("*")) == before


# Ours: the values of make_ours.SPECS, computed here again independently.

def _filled(shape, dtype, fill, data, region):
    out = np.full(shape, fill, dtype)
    sel = tuple(slice(a, b) for a, b in region)
    out[sel] = data[sel]
    return out


def _ours_expected():
    words = ["", "a", "z\u00e9ro", "\U0001f600", "x" * 40]
    strings = object_array([words[i % 5] * (1 + (i // 5) % 2) for i in range(35)])
    struct = np.zeros(9, [("a", "<i4"), ("b", "<f8"), ("c", "S3")])
    struct["a"] = np.arange(9)
    struct["b"] = np.arange(9) / 4
    struct["c"] = [b"k%d" % i for i in range(9)]
    return {
        "i4_2d_blosclz": np.arange(37 * 23, dtype="i4").reshape(37, 23) - 400,
        "f8_3d_nested_lz4_bitshuffle": np.arange(210.0).reshape(5, 6, 7) / 7,
        "u1_zstd_noshuffle": (np.arange(1000) % 251).astype("u1"),
        "f4_zlib_nan_fill_partial": _filled((20, 10), "f4", np.nan,
                                            np.arange(200, dtype="f4").reshape(20, 10) / 2,
                                            [(0, 6), (2, 10)]),
        "i2_lz4hc_fill_partial": _filled((100,), "i2", -1, np.arange(100, dtype="i2") * -3,
                                         [(20, 50)]),
        "c16_no_compressor": (np.arange(144.0).reshape(12, 12)
                              + 1j * np.arange(144.0).reshape(12, 12)[::-1]),
        "bool_nested": np.arange(900).reshape(30, 30) % 3 == 0,
        "M8_s_1d": np.arange(0, 60 * 86399, 86399).astype("M8[s]"),
        "m8_ms_1d": _filled((50,), "m8[ms]", np.timedelta64(-1, "ms"),
                            np.arange(0, 50 * 1001, 1001).astype("m8[ms]"), [(0, 40)]),
        "S5_1d": np.array([b"ab" * (i % 3) + bytes([65 + i % 26]) for i in range(40)], "S5"),
        "U4_1d_fill": _filled((40,), "U4", "\u00e9", np.array(["x%d" % i for i in range(40)]),
                              [(0, 21)]),
        "f8_big_endian": (np.arange(40.0).reshape(8, 5) - 0.25).astype(">f8"),
        "struct_1d": struct,
        "f8_0d": np.array(-2.75),
        "object_str_msgpack2": strings,
        "object_str_vlenutf8_nested": strings.reshape(7, 5),
        "object_bytes_vlenbytes": object_array([bytes(range(i % 7)) * (i % 3)
                                                for i in range(20)]),
    }


OURS_EXPECTED = _ours_expected()


def test_ours_fixtures_are_complete_and_small():
    assert sorted(p.name for p in OURS_V1.iterdir()) == sorted(make_ours.SPECS)
    assert set(OURS_EXPECTED) == set(make_ours.SPECS)
    # Every fixture directory together (zarr-v2, the codecs', zarr-v3, ours)
    # stays small enough to ship in the repository: about 225 KB today.
    total = sum(f.stat().st_size for f in FIXTURES.rglob("*") if f.is_file())
    assert total < 300_000


@pytest.mark.parametrize("name", sorted(make_ours.SPECS))
def test_ours_fixture_reads(name):
    want = OURS_EXPECTED[name]
    z = zarr.open(OURS_V1 / name, mode="r")
    assert_same(z[...], want)
    if want.ndim:
        sel = tuple(slice(1, None, 2) for _ in range(want.ndim))
        assert_same(z[sel], want[sel])


def _files(root):
    return {str(p.relative_to(root)): p.read_bytes()
            for p in sorted(Path(root).rglob("*")) if p.is_file()}


@pytest.mark.parametrize("name", sorted(make_ours.SPECS))
def test_ours_fixture_rewrites_byte_identical(name, tmp_path):
    path = make_ours.write(name, str(tmp_path))
    frozen, today = _files(OURS_V1 / name), _files(path)
    assert sorted(today) == sorted(frozen)
    for key in frozen:
        assert today[key] == frozen[key], "%s/%s differs from the frozen file" % (name, key)
    assert ".zarray" in frozen and len(frozen) > 2  # metadata, attributes, chunks
