"""Groups and attributes in the Zarr v2 format, with zarr-python 3, each way round.

Three hierarchies, each described here as a flat dict ``path -> node`` (the
root is path ''), a node being a group or an array with the attributes and
the value a correct reader sees:

OURS_TREE
    written here with our API (several ways of making groups, arrays and
    attributes, numpy values among the attributes); zarr-python reads it.
THEIRS_TREE
    written by zarr-python (zarr_format=2, Blosc or no compressor, strings
    as vlen-utf8); we read it with ``zarr.open_group`` and ``zarr.open``.
MODIFIED_TREE
    a copy of theirs that we change in mode 'a' (attributes set and removed,
    an array rewritten in part, groups and arrays added, a member removed);
    zarr-python reads it back.

One subprocess of the interop environment (see ``interop_python`` in
conftest.py), ``tests/interop/peer_groups.py``, writes theirs and reads ours
and theirs; a second one reads the modified copy. Attributes come back with
the type of every value and the bits of every float (``typed``), so NaN,
-0.0 and the difference between 1 and 1.0 are all compared.
"""

import json
import math
import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import zarr
from conftest import INTEROP_VENV, ROOT, run_checked
from dtypes import sample

PEER = Path(__file__).resolve().parent / "interop" / "peer_groups.py"
PEER_TIMEOUT = 300


def typed(value):
    """As tests/interop/peer_groups.py: [type name, value], floats as float.hex()."""
    name = type(value).__name__
    if isinstance(value, dict):
        return [name, {str(k): typed(v) for k, v in value.items()}]
    if isinstance(value, (list, tuple)):
        return [name, [typed(v) for v in value]]
    if isinstance(value, float):
        return [name, value.hex()]
    if value is None or isinstance(value, (bool, int, str)):
        return [name, value]
    return [name, repr(value)]


def assert_same(got, want):
    """Equal dtype, shape and values; for fixed-size items, equal bytes too.
    Strings read as numpy's StringDType (through zarr.open_group, as
    zarr-python 3 reads them) compare as the objects of str they hold."""
    if got.dtype.kind == "T" and want.dtype == object:
        got = got.astype(object)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert got.shape == want.shape, (got.shape, want.shape)
    if want.dtype.hasobject:
        assert [type(v) for v in got.ravel()] == [type(v) for v in want.ravel()]
        assert got.tolist() == want.tolist()
    else:
        np.testing.assert_array_equal(got, want)
        assert got.tobytes() == want.tobytes()


def expected(data, fill=None, region=None):
    """``data`` where ``region`` (a list of (start, stop)) is written, ``fill`` elsewhere."""
    if region is None:
        return data.copy()
    out = np.empty(data.shape, data.dtype)
    out[...] = fill
    sel = tuple(slice(a, b) for a, b in region)
    out[sel] = data[sel]
    return out


def group(attrs=None, make=None):
    return {"kind": "group", "attrs": {} if attrs is None else attrs, "make": make}


def array(want, chunks, attrs=None, make=None, **spec):
    return {"kind": "array", "want": want, "chunks": None if chunks is None else tuple(chunks),
            "attrs": {} if attrs is None else attrs, "make": make, **spec}


def children(tree, path, kind):
    prefix = path + "/" if path else ""
    return sorted(p[len(prefix):] for p, node in tree.items()
                  if p and p.startswith(prefix) and "/" not in p[len(prefix):]
                  and node["kind"] == kind)


_WORDS = ["", "a", "z\u00e9ro", "\U0001f600 emoji", "x" * 300, "tab\tnew\nline"]
STRINGS = np.array([_WORDS[i % len(_WORDS)] for i in range(35)], object)


# Ours. Each node's ``make(root_group, root_directory)`` writes it; groups
# without one are made on the way to their members.

#: Attributes as given to us (numpy values among them) and as JSON holds them.
OURS_ROOT_ATTRS_IN = {
    "title": "ours \u00e9t\u00e9 \U0001f600",
    "empty": "",
    "int": 42, "negative": -7, "i8-max": 2 ** 63 - 1, "i8-min": -2 ** 63, "beyond-u8": 2 ** 64 + 1,
    "float": 0.1, "denormal": 5e-324, "max": 1.7976931348623157e308, "negative-zero": -0.0,
    "nan": math.nan, "inf": math.inf, "-inf": -math.inf,
    "true": True, "false": False, "none": None,
    "list": [1, 2.5, "x", None, True, [], {}],
    "nested": {"a": {"b": [1, {"c": [math.nan, -0.0, "deep"]}]}, "d\u00e9": "v"},
    "tuple": (1, "two", 3.0),
    "key.with/odd chars \u00e9": 1,
    "np-int64": np.int64(-3), "np-uint8": np.uint8(255), "np-uint64": np.uint64(2 ** 64 - 1),
    "np-float32": np.float32(0.1), "np-float16": np.float16(1.5), "np-nan": np.float64(math.nan),
    "np-bool": np.bool_(True), "np-str": np.str_("s\u00e9"),
    "np-i4-2d": np.arange(6, dtype="i4").reshape(2, 3),
    "np-f8": np.array([1.5, np.nan, -np.inf, -0.0]),
    "np-bool-array": np.array([True, False]),
    "np-str-array": np.array(["a", "b\u00e9"]),
    "np-empty": np.zeros(0),
    "np-0d": np.array(2.5),
    "in-list": [np.int16(2), np.float32(0.5), {"x": np.arange(2, dtype="u1")}],
}
OURS_ROOT_ATTRS = {
    "title": "ours \u00e9t\u00e9 \U0001f600",
    "empty": "",
    "int": 42, "negative": -7, "i8-max": 2 ** 63 - 1, "i8-min": -2 ** 63, "beyond-u8": 2 ** 64 + 1,
    "float": 0.1, "denormal": 5e-324, "max": 1.7976931348623157e308, "negative-zero": -0.0,
    "nan": math.nan, "inf": math.inf, "-inf": -math.inf,
    "true": True, "false": False, "none": None,
    "list": [1, 2.5, "x", None, True, [], {}],
    "nested": {"a": {"b": [1, {"c": [math.nan, -0.0, "deep"]}]}, "d\u00e9": "v"},
    "tuple": [1, "two", 3.0],
    "key.with/odd chars \u00e9": 1,
    "np-int64": -3, "np-uint8": 255, "np-uint64": 2 ** 64 - 1,
    "np-float32": 0.10000000149011612, "np-float16": 1.5, "np-nan": math.nan,
    "np-bool": True, "np-str": "s\u00e9",
    "np-i4-2d": [[0, 1, 2], [3, 4, 5]],
    "np-f8": [1.5, math.nan, -math.inf, -0.0],
    "np-bool-array": [True, False],
    "np-str-array": ["a", "b\u00e9"],
    "np-empty": [],
    "np-0d": 2.5,
    "in-list": [2, 0.5, {"x": [0, 1]}],
}


def _make_root(g, root):
    g.attrs.update(OURS_ROOT_ATTRS_IN)
    g.attrs["temporary"] = 1
    del g.attrs["temporary"]


def _make_group(attrs_in, how="create"):
    def make(g, root, path):
        sub = g.create_group(path) if how == "create" else g.require_group(path)
        if attrs_in:
            sub.attrs.put(attrs_in)
    return make


def _ours(dtype, shape, chunks, attrs_in=None, attrs=None, how="create", fill=None, region=None,
          data=None, seed=0, **kwargs):
    """An array of ours: made with Group.create (then written in ``region``),
    Group.array, Group.__setitem__, Group.zeros or zarr.open by path inside the group."""
    data = sample(dtype, shape, seed) if data is None else np.asarray(data, dtype)
    if how == "zeros":
        want = np.zeros(shape, dtype)
    else:
        want = expected(data, fill, region)
    if fill is not None:
        kwargs["fill_value"] = fill

    def make(g, root, path):
        if how == "create":
            z = g.create(path, shape=shape, dtype=dtype, chunks=chunks, **kwargs)
            z[tuple(slice(a, b) for a, b in region) if region else Ellipsis] = \
                data[tuple(slice(a, b) for a, b in region) if region else Ellipsis]
        elif how == "array":
            z = g.array(path, data, chunks=chunks, **kwargs)
        elif how == "setitem":
            g[path] = data
            z = g[path]
        elif how == "zeros":
            z = g.zeros(path, shape=shape, dtype=dtype, chunks=chunks, **kwargs)
        elif how == "open":
            z = zarr.open(os.path.join(root, *path.split("/")), mode="w", shape=shape,
                          dtype=dtype, chunks=chunks, **kwargs)
            z[...] = data
        if attrs_in:
            z.attrs.update(attrs_in)
    return array(want, chunks, attrs, make)


def _str_by_default(g, root, path):
    """dtype=str and no object_codec: vlen-utf8, filled with '' (written in part)."""
    z = g.create(path, shape=(35,), dtype=str, chunks=(6,))
    z[:20] = STRINGS[:20]


def _str_by_open(g, root, path):
    z = zarr.open(os.path.join(root, *path.split("/")), mode="w", shape=(7, 5), chunks=(3, 2),
                  dtype=str, dimension_separator="/")
    z[...] = STRINGS.reshape(7, 5)


BYTES = np.array([("b%d\x00\xff" % i).encode("latin-1") * (i % 3) for i in range(12)], object)

OURS_TREE = {
    "": group(OURS_ROOT_ATTRS, _make_root),
    "a": group({"units": "m", "scale": 2.5},
               _make_group({"units": "m", "scale": np.float64(2.5)})),
    "a/b": group(),  # made on the way to a/b/c
    "a/b/c": group({"deep": True, "level": 3},
                   _make_group({"deep": np.bool_(True), "level": np.int8(3)})),
    "empty": group(make=_make_group(None, "require")),
    "attrs-only": group({"only": ["attrs"]}, _make_group({"only": ("attrs",)}, "require")),
    "a/i4": _ours("i4", (23, 9), (5, 4), {"long_name": "counts", "valid": np.array([0, 999])},
                  {"long_name": "counts", "valid": [0, 999]}, seed=1),
    "a/b/c/f8-nan-partial": _ours(
        "f8", (13, 7), (5, 3), {"_FillValue": np.float64("nan")}, {"_FillValue": math.nan},
        fill=math.nan, region=[(0, 5), (3, 7)], dimension_separator="/", seed=2),
    "strings": _ours(object, (35,), (6,), {"encoding": "utf-8"}, {"encoding": "utf-8"},
                     how="array", data=STRINGS, object_codec="vlen-utf8"),
    "a/strings-2d-partial": _ours(
        object, (7, 5), (3, 2), {"n": np.uint16(35)}, {"n": 35}, fill="",
        region=[(0, 4), (0, 5)], data=STRINGS.reshape(7, 5), object_codec="vlen-utf8",
        dimension_separator="/"),
    "a/c16": _ours("c16", (20,), (6,), how="array", seed=3, cname="zstd", shuffle=0),
    "a/bool": _ours("?", (9, 9), (4, 4), {"flags": [True, np.bool_(False)]},
                    {"flags": [True, False]}, seed=4),
    "a/M8-ns": _ours("M8[ns]", (15,), (4,), {"calendar": "proleptic_gregorian"},
                     {"calendar": "proleptic_gregorian"}, how="array", seed=5),
    "a/U5": _ours("U5", (12,), (5,), seed=6),
    "a/S4": _ours("S4", (12,), (5,), seed=7, cname="lz4", shuffle=2),
    "a/be-f8": _ours(">f8", (8, 5), (3, 3), {"byteorder": ">"}, {"byteorder": ">"}, seed=8),
    "zero-d": _ours("f8", (), (), {"value": np.float64(2.5)}, {"value": 2.5}, data=2.5),
    "raw-u2": _ours("u2", (40,), (16,), seed=9, cname=None),
    "setitem-i8": _ours("i8", (5, 10), None, {"via": "setitem"}, {"via": "setitem"},
                        how="setitem", data=np.arange(50).reshape(5, 10) - 25),
    "a/b/zeros": _ours("f4", (6, 6), (4, 4), how="zeros"),
    "a/b/via-open": _ours("f4", (10, 3), (4, 3), {"opened": "by path"}, {"opened": "by path"},
                          how="open", seed=10),
    # Object arrays made with the defaults: all str (or all bytes) is vlen, which
    # zarr-python reads; one msgpack2 array would make the whole group unreadable there.
    "defaults": group(),  # made on the way to its members
    "defaults/strings": _ours(object, (35,), (6,), how="array", data=STRINGS),
    "defaults/str-by-open": array(STRINGS.reshape(7, 5), (3, 2), make=_str_by_open),
    "defaults/str-dtype": array(expected(STRINGS, "", [(0, 20)]), (6,), make=_str_by_default),
    "defaults/bytes": _ours(object, (12,), (5,), how="array", data=BYTES),
}


def make_ours(directory):
    g = zarr.open_group(directory, mode="w")
    for path, node in OURS_TREE.items():
        if node["make"] is None:
            continue
        if path == "":
            node["make"](g, directory)
        else:
            node["make"](g, directory, path)
    return g


# Theirs: written by zarr-python from these nodes (the "write" entries of the manifest).

THEIRS_ROOT_ATTRS = {
    "title": "theirs \u00e9t\u00e9 \U0001f600",
    "empty": "",
    "int": 42, "i8-max": 2 ** 63 - 1, "i8-min": -2 ** 63, "beyond-u8": 2 ** 64 + 1,
    "float": 0.1, "one-point-zero": 1.0, "denormal": 5e-324, "negative-zero": -0.0,
    "nan": math.nan, "inf": math.inf, "-inf": -math.inf,
    "true": True, "false": False, "none": None,
    "list": [1, 2.5, "x", None, False, [], {}],
    "nested": {"a": {"b": [1, {"c": [math.nan, -0.0, "deep"]}]}, "d\u00e9": "v"},
    "key.with/odd chars \u00e9": [[1, 2], [3, 4]],
}


def _theirs(dtype, shape, chunks, compressor, attrs=None, separator=".", fill=None,
            region=None, data=None, seed=0):
    np_dtype = np.dtype(object if dtype == "vlen-utf8" else dtype)
    data = sample(np_dtype, shape, 100 + seed) if data is None else np.asarray(data, np_dtype)
    if region is not None:
        assert fill is not None, "a partly written array needs its fill value given"
    return array(expected(data, fill, region), chunks, attrs, data=data, dtype=dtype,
                 compressor=compressor, separator=separator, fill=fill, region=region)


def blosc(cname="lz4", clevel=5, shuffle=1, blocksize=0):
    return {"id": "blosc", "cname": cname, "clevel": clevel, "shuffle": shuffle,
            "blocksize": blocksize}


THEIRS_TREE = {
    "": group(THEIRS_ROOT_ATTRS),
    "sub": group({"units": "m"}),
    "sub/deep": group(),
    "sub/deep/er": group({"level": 3, "names": ["a", "b"]}),
    "empty": group(),
    "sub/x": _theirs("i4", (10,), (4,), blosc("zstd"), {"scale": 2.5},
                     data=np.arange(10, dtype="i4")),
    "sub/deep/strings": _theirs("vlen-utf8", (35,), (6,), blosc(), {"encoding": "utf-8"},
                                data=STRINGS),
    "strings-2d": _theirs("vlen-utf8", (7, 5), (3, 2), blosc("zstd", 3, 0), separator="/",
                          data=STRINGS.reshape(7, 5)),
    "f8-nan-partial": _theirs("f8", (20, 10), (6, 4), blosc("lz4", 5, 2),
                              {"_FillValue": math.nan}, "/", math.nan, [(0, 6), (2, 10)],
                              seed=1),
    "sub/c16": _theirs("c16", (20,), (6,), blosc("blosclz", 5, 0), seed=2),
    "bool": _theirs("?", (9, 9), (4, 4), blosc(), {"flags": [True, False]}, seed=3),
    "M8-D": _theirs("M8[D]", (15,), (4,), blosc(), {"calendar": "standard"}, seed=4),
    "U4": _theirs("U4", (12,), (5,), blosc("zlib"), seed=5),
    "S3": _theirs("S3", (12,), (5,), blosc("lz4hc"), seed=6),
    "sub/be-i8": _theirs(">i8", (8, 5), (3, 3), blosc(), seed=7),
    "zero-d": _theirs("f8", (), (), blosc(), {"value": 4.5}, data=4.5),
    "raw-u2": _theirs("u2", (40,), (16,), None, seed=8),
}


# Modified: a copy of theirs, changed by us in mode 'a'.

MODIFIED_X = np.arange(10, dtype="i4")
MODIFIED_X[2:5] = -1
ADDED_F4 = sample("f4", (9, 4), 300)
ADDED_STRINGS = np.array(["added", "", "\u00e9\U0001f600"] * 4, object)[:10]
ADDED_BY_OPEN = np.arange(12, dtype="u8").reshape(3, 4) * 1000


def modify_theirs(directory):
    """Change theirs in mode 'a', through zarr.open_group and zarr.open."""
    g = zarr.open_group(directory, mode="a")
    assert isinstance(g, zarr.Group) and not g.read_only
    g.attrs["title"] = "changed by us"
    g.attrs.update({"added": {"by": "us", "values": np.arange(3)}, "np-nan": np.float32("nan")})
    del g.attrs["none"]
    g["sub"].attrs["units"] = "km"
    x = g["sub/x"]
    x[2:5] = -1
    x.attrs["scale"] = np.float32(0.25)
    new = g.create_group("ours/new")
    new.attrs["made_by"] = "us"
    new.array("f4", ADDED_F4, chunks=(4, 4)).attrs["n"] = np.int32(36)
    s = g.create("sub/deep/added-strings", shape=(10,), dtype=object, chunks=(4,),
                 object_codec="vlen-utf8")
    s[...] = ADDED_STRINGS
    del g["empty"]
    h = zarr.open(directory)  # mode 'a': the group
    assert isinstance(h, zarr.Group) and not h.read_only
    h.array("via-open", ADDED_BY_OPEN, chunks=(2, 3), cname="zstd")
    h.attrs["opened_with"] = "zarr.open"


def _modified_tree():
    tree = {path: dict(node) for path, node in THEIRS_TREE.items()}
    attrs = dict(THEIRS_ROOT_ATTRS, title="changed by us", added={"by": "us", "values": [0, 1, 2]},
                 opened_with="zarr.open")
    attrs["np-nan"] = math.nan
    del attrs["none"]
    tree[""] = group(attrs)
    tree["sub"] = group({"units": "km"})
    tree["sub/x"] = array(MODIFIED_X, (4,), {"scale": 0.25})
    tree["ours"] = group()
    tree["ours/new"] = group({"made_by": "us"})
    tree["ours/new/f4"] = array(ADDED_F4, (4, 4), {"n": 36})
    tree["sub/deep/added-strings"] = array(ADDED_STRINGS, (4,))
    del tree["empty"]
    tree["via-open"] = array(ADDED_BY_OPEN, (2, 3))
    return tree


MODIFIED_TREE = _modified_tree()


# The exchanges with zarr-python.

def _peer(python, root, manifest, name):
    (root / (name + ".json")).write_text(json.dumps(manifest))
    start = time.monotonic()
    run_checked([str(python), "-I", str(PEER), str(root / (name + ".json")),
                 str(root / (name + "-results.json"))], PEER_TIMEOUT, cwd=str(root))
    results = json.loads((root / (name + "-results.json")).read_text())
    results["seconds"] = time.monotonic() - start
    return results


def _write_manifest(root, path, tree):
    inputs = root / "inputs"
    inputs.mkdir()
    nodes = []
    for n, (p, node) in enumerate(sorted(tree.items())):  # parents before children
        entry = {"path": p, "kind": node["kind"], "attrs": node["attrs"]}
        if node["kind"] == "array":
            entry.update(dtype=node["dtype"], chunks=list(node["chunks"]),
                         compressor=node["compressor"], separator=node["separator"],
                         region=node["region"], data=str(inputs / ("%d.npy" % n)), fill=None)
            np.save(entry["data"], node["data"], allow_pickle=True)
            if node["fill"] is not None:
                entry["fill"] = str(inputs / ("%d.fill.npy" % n))
                np.save(entry["fill"], np.asarray(node["fill"], node["want"].dtype),
                        allow_pickle=True)
        nodes.append(entry)
    return {"id": "theirs", "path": str(path), "nodes": nodes}


@pytest.fixture(scope="module")
def exchange(interop_python, tmp_path_factory):
    """Ours written here; then one peer run writes theirs and reads ours and theirs."""
    root = tmp_path_factory.mktemp("interop-groups")
    make_ours(root / "ours")
    manifest = {
        "write": [_write_manifest(root, root / "theirs", THEIRS_TREE)],
        "read": [{"id": "ours", "path": str(root / "ours"), "out": str(root / "read-ours")},
                 {"id": "theirs", "path": str(root / "theirs"),
                  "out": str(root / "read-theirs")}],
    }
    results = _peer(interop_python, root, manifest, "exchange")
    results["root"] = root
    return results


@pytest.fixture(scope="module")
def modified(exchange, interop_python):
    """A copy of theirs changed by us, then read by a second peer run."""
    root = exchange["root"]
    assert exchange["write"]["theirs"]["ok"], exchange["write"]["theirs"]["traceback"]
    shutil.copytree(root / "theirs", root / "modified")
    modify_theirs(root / "modified")
    manifest = {"read": [{"id": "modified", "path": str(root / "modified"),
                          "out": str(root / "read-modified")}]}
    results = _peer(interop_python, root, manifest, "modified")
    results["root"] = root
    return results


# Checks.

def check_we_read(root, tree, path):
    """What our API sees of the node at ``path`` of the group ``root``."""
    node = tree[path]
    member = root if path == "" else root[path]
    if path:
        # the same member reached step by step
        step = root
        for part in path.split("/"):
            step = step[part]
        assert type(step) is type(member)
    assert member.attrs.asdict() == json.loads(json.dumps(member.attrs.asdict()))
    assert typed(member.attrs.asdict()) == typed(node["attrs"]), path
    assert sorted(member.attrs) == sorted(node["attrs"])
    if node["kind"] == "group":
        assert isinstance(member, zarr.Group), (path, member)
        assert member.name == "/" + path
        assert member.keys() == sorted(children(tree, path, "group")
                                       + children(tree, path, "array"))
        assert member.group_keys() == children(tree, path, "group")
        assert member.array_keys() == children(tree, path, "array")
        assert len(member) == len(member.keys())
    else:
        assert isinstance(member, zarr.Array), (path, member)
        assert member.shape == node["want"].shape
        if node["chunks"] is not None:
            assert member.chunks == node["chunks"]
        assert_same(member[...], node["want"])
        if member.ndim:
            sel = tuple(slice(1, None, 2) for _ in range(member.ndim))
            assert_same(member[sel], node["want"][sel])
    return member


def check_they_read(results, name, tree, path, ours_root=None):
    """What zarr-python reported of the node at ``path`` of the hierarchy ``name``."""
    result = results["read"][name]
    assert result["ok"], result["traceback"]
    node = tree[path]
    assert path in result["nodes"], (path, sorted(result["nodes"]))
    got = result["nodes"][path]
    assert got["kind"] == node["kind"]
    assert got["attrs"] == typed(node["attrs"]), path
    if node["kind"] == "group":
        assert got["group_keys"] == children(tree, path, "group")
        assert got["array_keys"] == children(tree, path, "array")
        return
    assert got["shape"] == list(node["want"].shape)
    chunks = node["chunks"]
    if chunks is None:  # chosen by us: as we read them
        chunks = zarr.open(os.path.join(ours_root, *path.split("/")), mode="r").chunks
    assert got["chunks"] == list(chunks)
    value = np.load(got["out"], allow_pickle=True)
    if node["want"].dtype.hasobject:  # zarr-python 3's strings, or objects of bytes
        bytes_ = all(isinstance(v, bytes) for v in node["want"].ravel())
        assert got["native"] == ("object" if bytes_ else "StringDType()"), got["native"]
    assert_same(value, node["want"])


def _param_paths(tree):
    return pytest.mark.parametrize("path", list(tree), ids=["/" + p for p in tree])


def _snapshot(directory):
    return sorted((os.path.relpath(os.path.join(d, f), directory),
                   os.stat(os.path.join(d, f)).st_mtime_ns, os.stat(os.path.join(d, f)).st_size)
                  for d, _, files in os.walk(directory) for f in files)


def test_peer_runs_zarr_python_3_from_its_own_environment(exchange):
    assert exchange["versions"]["zarr"].startswith("3.1."), exchange["versions"]
    zarr_file = Path(exchange["zarr_file"]).resolve()
    assert INTEROP_VENV.resolve() in zarr_file.parents, zarr_file
    assert ROOT / "zarr" not in zarr_file.parents
    sys.stderr.write("interop groups peer: %s, %.1f s\n"
                     % (exchange["versions"], exchange["seconds"]))


# (a) Ours, read by zarr-python.

def test_ours_on_disk_is_zarr_v2(exchange):
    """Every group has .zgroup, every array .zarray, attributes are in .zattrs."""
    root = exchange["root"] / "ours"
    for path, node in OURS_TREE.items():
        where = root.joinpath(*path.split("/")) if path else root
        meta = ".zgroup" if node["kind"] == "group" else ".zarray"
        assert json.loads((where / meta).read_text())["zarr_format"] == 2
        if node["attrs"]:
            assert typed(json.loads((where / ".zattrs").read_text())) == typed(node["attrs"])


def test_they_list_our_members(exchange):
    result = exchange["read"]["ours"]
    assert result["ok"], result["traceback"]
    assert result["open"] == "Group"
    assert result["members"] == sorted([p, n["kind"]] for p, n in OURS_TREE.items() if p)


@_param_paths(OURS_TREE)
def test_they_read_ours(exchange, path):
    ours_root = exchange["root"] / "ours"
    # Our own reading first: the oracle must hold for us before it is asked of them.
    check_we_read(zarr.open_group(ours_root, mode="r"), OURS_TREE, path)
    check_they_read(exchange, "ours", OURS_TREE, path, ours_root)


# (b) Theirs, read by us.

def test_theirs_written(exchange):
    result = exchange["write"]["theirs"]
    assert result["ok"], result["traceback"]
    # zarr-python wrote the v2 format: .zgroup for every group, .zarray for every array
    files = set(result["files"])
    for path, node in THEIRS_TREE.items():
        meta = ".zgroup" if node["kind"] == "group" else ".zarray"
        assert (os.path.join(*path.split("/"), meta) if path else meta) in files


@_param_paths(THEIRS_TREE)
def test_they_read_theirs(exchange, path):
    """The expectations, checked against zarr-python reading its own writing."""
    check_they_read(exchange, "theirs", THEIRS_TREE, path)


@_param_paths(THEIRS_TREE)
def test_we_read_theirs(exchange, path):
    assert exchange["write"]["theirs"]["ok"], exchange["write"]["theirs"]["traceback"]
    g = zarr.open_group(exchange["root"] / "theirs", mode="r")
    assert g.read_only
    check_we_read(g, THEIRS_TREE, path)


@_param_paths(THEIRS_TREE)
def test_we_open_theirs_by_path(exchange, path):
    """zarr.open on a member's directory: a Group for a group, an array for an array."""
    assert exchange["write"]["theirs"]["ok"], exchange["write"]["theirs"]["traceback"]
    root = exchange["root"] / "theirs"
    where = root.joinpath(*path.split("/")) if path else root
    member = zarr.open(where, mode="r")
    node = THEIRS_TREE[path]
    assert isinstance(member, zarr.Group if node["kind"] == "group" else zarr.Array), member
    assert typed(member.attrs.asdict()) == typed(node["attrs"])
    if node["kind"] == "array":
        assert_same(member[...], node["want"])
    else:
        sub = {p[len(path) + 1:] if path else p: n for p, n in THEIRS_TREE.items()
               if p != path and (not path or p.startswith(path + "/"))}
        assert member.keys() == sorted(children(THEIRS_TREE, path, "group")
                                       + children(THEIRS_TREE, path, "array"))
        assert member.group_keys() == children(THEIRS_TREE, path, "group")
        for p, n in sub.items():
            if n["kind"] == "array":
                assert_same(member[p][...], n["want"])


def test_we_open_theirs_in_mode_a_without_writing(exchange):
    """zarr.open(path) (mode 'a') gives the group, sees everything, and changes no file."""
    assert exchange["write"]["theirs"]["ok"], exchange["write"]["theirs"]["traceback"]
    root = exchange["root"] / "theirs"
    before = _snapshot(root)
    g = zarr.open(root)
    assert isinstance(g, zarr.Group) and not g.read_only
    seen = []
    g.visititems(lambda p, m: seen.append([p, "group" if isinstance(m, zarr.Group)
                                           else "array"]) and None)
    assert sorted(seen) == sorted([p, n["kind"]] for p, n in THEIRS_TREE.items() if p)
    for path in THEIRS_TREE:
        check_we_read(g, THEIRS_TREE, path)
    assert _snapshot(root) == before


# (b') Theirs, modified by us in mode 'a', read back by zarr-python.

def test_they_list_members_after_our_changes(modified):
    result = modified["read"]["modified"]
    assert result["ok"], result["traceback"]
    assert result["open"] == "Group"
    assert result["members"] == sorted([p, n["kind"]] for p, n in MODIFIED_TREE.items() if p)


@_param_paths(MODIFIED_TREE)
def test_they_read_our_changes(modified, path):
    check_we_read(zarr.open_group(modified["root"] / "modified", mode="r"), MODIFIED_TREE, path)
    check_they_read(modified, "modified", MODIFIED_TREE, path)
