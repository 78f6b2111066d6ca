"""The command line (zarr/cli), run as a subprocess: ``python -m zarr``."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import _fault_garbage as garbage
import zarr
from conftest import ROOT, clean_env
from zarr.cli.printing import parse_selection
from zarr.cli.verify import checksum
from zarr.storage import ZipStore
from zarr.storage.partials import HOST
from zarr.storage.sharded import ShardedStore

h5py = pytest.importorskip("h5py")

STORES = ["directory", "nested", "sharded", "zip", "s3"]


def cli(*args, timeout=300):
    """(exit status, stdout, stderr) of ``python -m zarr ARGS``."""
    proc = subprocess.run([sys.executable, "-m", "zarr", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, env=clean_env(), cwd=ROOT)
    return proc.returncode, proc.stdout, proc.stderr


def ok(*args):
    rc, out, err = cli(*args)
    assert rc == 0, (args, rc, out, err)
    return out


def as_json(*args):
    return json.loads(ok(*args, "--json"))


def values():
    rng = np.random.default_rng(7)
    strings = np.empty(30, object)
    strings[:] = ["s%d-%s" % (i, "é" * (i % 3)) for i in range(30)]
    return {
        "a": np.cumsum(rng.integers(-5, 6, size=(120, 70)), axis=0).astype("f8"),
        "sub/b": np.arange(1000, dtype="i4"),
        "sub/s": strings,
        "c": np.zeros((50, 50), "u2"),  # half initialized
    }


def write_hierarchy(store, nested=False):
    sep = "/" if nested else "."
    g = zarr.open_group(store, mode="w")
    g.attrs["title"] = "the test hierarchy"
    v = values()
    a = g.create("a", shape=v["a"].shape, chunks=(25, 20), dtype="f8", dimension_separator=sep)
    a[...] = v["a"]
    a.attrs["units"] = "m"
    b = g.create("sub/b", shape=(1000,), chunks=(64,), dtype="i4", dimension_separator=sep)
    b[...] = v["sub/b"]
    s = g.create("sub/s", shape=(30,), chunks=(7,), dtype=str, dimension_separator=sep)
    s[...] = v["sub/s"]
    c = g.create("c", shape=(50, 50), chunks=(10, 10), dtype="u2", fill_value=0,
                 dimension_separator=sep)
    c[:20] = 0  # stored chunks of zeros for half of it
    return g


@pytest.fixture
def stored(request, tmp_path):
    """(PATH, storage options as JSON or None) of the test hierarchy in the store
    kind of the test's parameter."""
    kind = request.param
    if kind == "s3":
        server = request.getfixturevalue("s3_server")
        bucket = server.new_bucket()
        url = "s3://%s/h.zarr" % bucket
        g = zarr.open_group(url, mode="w", storage_options=server.storage_options)
        write_hierarchy(g.store)
        return url, json.dumps(server.storage_options)
    path = tmp_path / "h.zarr"
    write_hierarchy(str(path), nested=kind in ("nested", "sharded"))
    if kind == "sharded":
        assert ShardedStore(str(path)).consolidate()
        assert any(n.endswith(".h5") for _, _, names in os.walk(path) for n in names)
    if kind == "zip":
        ZipStore.from_store(str(path), str(tmp_path / "h.zip"))
        return tmp_path / "h.zip", None
    return path, None


def opts(so):
    return ["--storage-options", so] if so else []


def node(path, so, name=""):
    return "%s/%s" % (path, name) if name else str(path)


def expected_checksum(a):
    return checksum(zarr.array(a, chunks=max(1, a.shape[0] // 3)), 1)


@pytest.mark.parametrize("stored", STORES, indirect=True)
def test_every_reading_command_on_every_store(stored):
    path, so = stored
    v = values()
    info = as_json("info", path, "--attrs", *opts(so))
    assert info["node_type"] == "group" and info["attributes"] == {"title": "the test hierarchy"}
    assert info["members"] == {"a": "array", "c": "array", "sub": "group"}
    a = as_json("info", node(path, so, "a"), "--attrs", *opts(so))
    assert (a["shape"], a["dtype"], a["chunks"]) == ([120, 70], "float64", [25, 20])
    assert a["nchunks"] == 5 * 4 and a["nchunks_initialized"] == 20
    assert a["attributes"] == {"units": "m"} and a["nbytes"] == v["a"].nbytes
    assert 0 < a["nbytes_stored"] < v["a"].nbytes and a["ratio"] > 1
    c = as_json("info", node(path, so, "c"), *opts(so))
    assert c["nchunks_initialized"] == 10 and c["nchunks"] == 25
    text = ok("info", node(path, so, "a"), *opts(so))
    assert "(120, 70)" in text and "float64" in text and "initialized: 20/20" in text

    tree = ok("tree", path, *opts(so))
    assert "a (120, 70) float64" in tree and "b (1000,) int32" in tree and "s (30,) object" in tree
    assert "b (1000,)" not in ok("tree", path, "--depth", "1", *opts(so))
    t = as_json("tree", path, *opts(so))
    sub = [m for m in t["members"] if m["name"] == "sub"][0]
    assert [m["name"] for m in sub["members"]] == ["b", "s"]

    assert ok("ls", path, *opts(so)).split() == ["a", "c", "sub/"]
    long = ok("ls", "-l", node(path, so, "sub"), *opts(so)).splitlines()
    assert long[0].startswith("array  b  (1000,) int32  chunks (64,)") and "16/16 chunks" in long[0]
    entries = as_json("ls", "-l", node(path, so, "sub"), *opts(so))
    assert [e["nchunks_initialized"] for e in entries] == [16, 5]

    du = as_json("du", path, *opts(so))
    rows = {r["path"]: r for r in du["arrays"]}
    assert set(rows) == {"a", "c", "sub/b", "sub/s"}
    assert rows["a"]["nbytes"] == v["a"].nbytes and rows["a"]["files"] >= 1
    assert du["total"]["nbytes_stored"] == sum(r["nbytes_stored"] for r in rows.values())

    assert ok("cat", node(path, so, "a"), "[3:6, ::17]", *opts(so)).strip() == \
        str(v["a"][3:6, ::17])
    assert ok("cat", node(path, so, "sub/s"), "[[0, 29, 4]]", *opts(so)).strip() == \
        str(v["sub/s"][[0, 29, 4]])

    rc, out, err = cli("verify", path, "--checksum", *opts(so))
    assert rc == 0, err
    lines = dict(line.split(": ", 1) for line in out.splitlines())
    assert set(lines) == {"a", "c", "sub/b", "sub/s"}
    report = as_json("verify", path, "--checksum", *opts(so))
    assert report["ok"] and report["problems"] == []
    sums = {r["path"]: r["checksum"] for r in report["arrays"]}
    for name, data in v.items():
        want = data.copy()
        if name == "c":
            want = np.zeros_like(data)
        assert sums[name] == expected_checksum(want), name


@pytest.mark.parametrize("selection", [
    "", "[0:5, ::10]", "[::-7, 3]", "[[1, 5, 119], 60:]", "-1, ...", "[5]", "[:, [0, 69]]",
    "[..., 2]", "[100:10:-9, -3:]"])
def test_cat_prints_what_numpy_prints(tmp_path, selection):
    a = np.random.default_rng(3).random((2000, 1500))[:120, :70] * 1000
    big = np.random.default_rng(4).random((3000, 700))
    path = tmp_path / "a.zarr"
    zarr.open(str(path), mode="w", shape=a.shape, chunks=(16, 16), dtype="f8")[...] = a
    sel = parse_selection(selection)
    oracle = a[tuple(np.asarray(s) if isinstance(s, list) else s for s in sel)]
    assert ok("cat", path, selection).rstrip("\n") == str(oracle)
    # A summary (more values than numpy's threshold) prints as numpy prints it.
    bpath = tmp_path / "b.zarr"
    zarr.open(str(bpath), mode="w", shape=big.shape, chunks=(100, 100), dtype="f8")[...] = big
    assert ok("cat", bpath, "--precision", "3").rstrip("\n") == \
        np.array2string(big, precision=3)
    assert ok("cat", bpath, "[10, :]", "--edgeitems", "2").rstrip("\n") == \
        np.array2string(big[10], edgeitems=2)
    assert ok("cat", bpath, "[5:9, 3]").rstrip("\n") == str(big[5:9, 3])


def test_cat_full_prints_every_value(tmp_path):
    a = np.arange(3000, dtype="i8")
    path = tmp_path / "a.zarr"
    zarr.open(str(path), mode="w", shape=a.shape, chunks=(100,), dtype="i8")[...] = a
    with np.printoptions(threshold=sys.maxsize):
        assert ok("cat", path, "--full").rstrip("\n") == str(a)
    assert "..." in ok("cat", path)
    assert ok("cat", path, "7").strip() == "7"


@pytest.mark.parametrize("kind", ["directory", "nested", "sharded", "zip", "hdf5", "s3"])
def test_copy_round_trips_with_rechunking_and_recompression(tmp_path, kind, request):
    src = tmp_path / "src.zarr"
    write_hierarchy(str(src))
    v = values()
    before = as_json("verify", src, "--checksum")
    sums = {r["path"]: r["checksum"] for r in before["arrays"]}
    extra, so = [], None
    if kind == "s3":
        server = request.getfixturevalue("s3_server")
        dst = "s3://%s/copy.zarr" % server.new_bucket()
        so = json.dumps(server.storage_options)
        extra = ["--storage-options", so]
    else:
        dst = tmp_path / {"zip": "copy.zip", "hdf5": "copy.h5"}.get(kind, "copy.zarr")
    flags = {"nested": ["--nested"], "sharded": ["--sharded"]}.get(kind, [])
    cname = ["--cname", "gzip"] if kind == "hdf5" else ["--cname", "zstd", "--shuffle", "bit"]
    rc, out, err = cli("copy", src, dst, "--chunks", "40,30", "--clevel", "3", *cname, *flags,
                       *extra)
    assert rc == 0, err
    assert "--chunks 40,30 leaves its chunks" in err  # the 1-d arrays keep theirs
    if kind == "hdf5":
        with h5py.File(dst, "r") as f:
            assert f["a"].chunks == (40, 30) and f["a"].compression == "gzip"
            np.testing.assert_array_equal(f["a"][...], v["a"])
            np.testing.assert_array_equal(f["sub/b"][...], v["sub/b"])
            assert list(f["sub/s"].asstr()[...]) == list(v["sub/s"])
            assert f.attrs["title"] == "the test hierarchy" and f["a"].attrs["units"] == "m"
        back = tmp_path / "back.zarr"
        ok("copy", dst, back)
        dst = back
    else:
        store = dst if kind != "sharded" else ShardedStore(str(dst))
        g = zarr.open_group(store, mode="r", storage_options=json.loads(so) if so else None)
        assert g["a"].chunks == (40, 30) and g["sub/b"].chunks == (64,)
        assert g["a"].compressor.cname == "zstd" and g["a"].compressor.shuffle == 2
        assert g.attrs["title"] == "the test hierarchy" and g["a"].attrs["units"] == "m"
        for name, data in v.items():
            np.testing.assert_array_equal(g[name][...], data if name != "c" else 0 * data)
        if kind == "nested":
            assert (dst / "a" / "0" / "0").is_file()
        if kind == "sharded":
            assert (dst / "a" / "0.h5").is_file()
    after = as_json("verify", dst, "--checksum", *extra)
    assert {r["path"]: r["checksum"] for r in after["arrays"]} == sums
    if kind not in ("s3",):
        assert not [n for n in os.listdir(tmp_path) if ".zcopy." in n]


def test_copy_of_an_array_to_npy_and_back(tmp_path):
    a = np.arange(60000, dtype=">i4").reshape(300, 200)
    src = tmp_path / "a.zarr"
    zarr.open(str(src), mode="w", shape=a.shape, chunks=(64, 64), dtype=">i4")[...] = a
    ok("copy", src, tmp_path / "a.npy")
    np.testing.assert_array_equal(np.load(tmp_path / "a.npy"), a)
    ok("copy", tmp_path / "a.npy", tmp_path / "b.zarr", "--chunks", "100,100")
    z = zarr.open(str(tmp_path / "b.zarr"), mode="r")
    assert z.chunks == (100, 100)
    np.testing.assert_array_equal(z[...], a)
    # The digest is of the values: byte order, chunks and store do not change it.
    s1 = as_json("verify", src, "--checksum")["arrays"][0]["checksum"]
    s2 = as_json("verify", tmp_path / "b.zarr", "--checksum")["arrays"][0]["checksum"]
    assert s1 == s2 == expected_checksum(a.astype("<i4"))
    zarr.open(str(tmp_path / "b.zarr"), mode="r+")[0, 0] = 1
    assert as_json("verify", tmp_path / "b.zarr", "--checksum")["arrays"][0]["checksum"] != s1


def test_copy_without_changes_copies_the_stored_chunks(tmp_path):
    src = tmp_path / "src.zarr"
    write_hierarchy(str(src))
    ok("copy", src, tmp_path / "dst.zarr")
    for name in ("a", "sub/b", "sub/s"):
        for chunk in os.listdir(src / name):
            if not chunk.startswith("."):
                assert (src / name / chunk).read_bytes() == \
                    (tmp_path / "dst.zarr" / name / chunk).read_bytes()


def test_copy_refuses_to_replace_without_overwrite(tmp_path):
    src = tmp_path / "src.zarr"
    write_hierarchy(str(src))
    dst = tmp_path / "dst.zarr"
    z = zarr.open(str(dst), mode="w", shape=(5,), chunks=(5,), dtype="i1")
    z[...] = 9
    before = sorted(os.listdir(dst))
    rc, out, err = cli("copy", src, dst)
    assert rc == 1 and "exists" in err and "--overwrite" in err
    assert sorted(os.listdir(dst)) == before and list(zarr.open(str(dst), mode="r")[...]) == [9] * 5
    ok("copy", src, dst, "--overwrite")
    assert as_json("info", dst)["node_type"] == "group"
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".dst.zarr")]


def test_an_interrupted_copy_leaves_nothing_that_looks_whole(tmp_path):
    src = tmp_path / "src.zarr"
    a = np.random.default_rng(1).random((4000, 4000))
    zarr.open(str(src), mode="w", shape=a.shape, chunks=(100, 100), dtype="f8")[...] = a
    dst = tmp_path / "dst.zarr"
    proc = subprocess.Popen([sys.executable, "-m", "zarr", "copy", str(src), str(dst), "--cname",
                             "zstd", "--clevel", "9", "--chunks", "50,50", "--threads", "1"],
                            cwd=ROOT, env=clean_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not [n for n in os.listdir(tmp_path) if n.startswith(".dst.zarr.zcopy")]:
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.01)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (out, err)
    assert "interrupted" in err
    assert not dst.exists()
    assert not [n for n in os.listdir(tmp_path) if n != "src.zarr"]


def test_bad_input_gives_a_message_and_its_exit_status(tmp_path):
    src = tmp_path / "a.zarr"
    zarr.open(str(src), mode="w", shape=(10,), chunks=(5,), dtype="i4")[...] = 1
    (tmp_path / "empty").mkdir()
    (tmp_path / "text.txt").write_text("hello")
    cases = [
        (["info", tmp_path / "missing.zarr"], 1, "no such file or directory"),
        (["info", tmp_path / "empty"], 1, "no Zarr array or group"),
        (["tree", tmp_path / "text.txt"], 1, "not a Zarr array or group"),
        (["cat", src, "[0:5"], 2, "bad selection"),
        (["cat", src, "__import__('os').system('true')"], 2, "bad selection"),
        (["cat", src, "[20]"], 2, "out of bounds"),
        (["cat", src, "[1, 2]"], 2, "too many indices"),
        (["cat", tmp_path], 1, "no Zarr array or group"),
        (["frobnicate", src], 2, "invalid choice"),
        (["info"], 2, "required"),
        (["copy", src, tmp_path / "b.zarr", "--chunks", "0"], 2, "not a chunk shape"),
        (["copy", src, tmp_path / "b.zarr", "--clevel", "12"], 2, "--clevel"),
        (["copy", src, tmp_path / "b.zarr", "--shuffle", "sideways"], 2, "--shuffle"),
        (["copy", src, tmp_path / "b.zarr", "--cname", "snappy"], 1, "snappy"),
        (["copy", src, tmp_path / "b.h5", "--cname", "zstd"], 2, "gzip"),
        (["info", src, "--storage-options", "{"], 2, "JSON"),
        (["verify", src, "--threads", "0"], 2, "--threads"),
        (["consolidate-metadata", src], 1, "is an array"),
    ]
    for args, status, message in cases:
        rc, out, err = cli(*args)
        assert rc == status, (args, rc, out, err)
        assert message in err, (args, err)
        assert "Traceback" not in err, (args, err)
    assert not (tmp_path / "b.zarr").exists() and not (tmp_path / "b.h5").exists()
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".")]


def test_help_on_every_command():
    for command in ("", "info", "tree", "ls", "cat", "verify", "copy", "consolidate",
                    "consolidate-metadata", "du"):
        rc, out, err = cli(*([command] if command else []), "--help")
        assert rc == 0 and out.startswith("usage: zarr"), (command, err)
    script = subprocess.run([os.path.join(os.path.dirname(sys.executable), "zarr"), "--help"],
                            capture_output=True, text=True, env=clean_env())
    assert script.returncode == 0 and script.stdout.startswith("usage: zarr")


def _garbage_hierarchy(root):
    """A group of arrays whose chunk 1 holds each kind of garbage that
    tests/test_persistent_faults.py makes: name -> (array path, chunk key)."""
    g = zarr.open_group(str(root), mode="w")
    made = {}
    scratch = str(root) + "-scratch"
    os.mkdir(scratch)
    kinds = [("num", "i4", "blosclz", {}, garbage.numeric_cases(scratch)),
             ("raw", "i4", None, {}, garbage.raw_cases(scratch))]
    for codec in ("msgpack2", "vlen-utf8", "vlen-bytes"):
        kinds.append(("obj-" + codec, object, "lz4", {"object_codec": codec},
                      garbage.object_cases(scratch, codec, "lz4")))
    for prefix, dtype, cname, kwargs, cases in kinds:
        for name, data in cases.items():
            path = "%s/%s" % (prefix, name)
            g.require_group(prefix)
            garbage.make_array(str(root / prefix / name), dtype, cname, **kwargs)
            with open(root / prefix / name / "1", "wb") as f:
                f.write(data)
            made[path] = path + "/1"
    return made


def test_verify_finds_every_kind_of_corrupt_chunk(tmp_path):
    from test_persistent_faults import BAD_METADATA, _good_meta
    root = tmp_path / "bad.zarr"
    made = _garbage_hierarchy(root)
    # Chunks that decode though they are not what was written (a frame of the
    # right size and type from another array) are no corruption a reader can see.
    undetectable = {"num/raw-bytes-of-right-size", "num/other-dtype-i2-same-nbytes"}
    good = root / "good"
    zarr.open(str(good), mode="w", shape=(100,), chunks=(10,), dtype="i4")[...] = 1
    for name, meta in BAD_METADATA.items():
        data = meta if isinstance(meta, bytes) else json.dumps(meta(_good_meta())).encode()
        (root / "meta" / name).mkdir(parents=True)
        (root / "meta" / name / ".zarray").write_bytes(data)
    (root / "meta" / ".zgroup").write_text('{"zarr_format": 2}')
    left = good / (".0.999999999@%s.0.partial" % HOST)
    left.write_bytes(b"half a chunk")
    rc, out, err = cli("verify", root, "--json")
    assert rc == 1
    report = json.loads(out)
    assert not report["ok"]
    found = {(p["array"], p["key"]) for p in report["problems"] if p["kind"] != "metadata"}
    for path, key in made.items():
        if path in undetectable:
            continue
        assert (path, key) in found, path
    meta = {p["array"] for p in report["problems"] if p["kind"] == "metadata"}
    assert meta == {"meta/" + name for name in BAD_METADATA}
    temporary = [p for p in report["problems"] if p["kind"] == "temporary"]
    assert len(temporary) == 1 and str(left) in temporary[0]["message"]
    checked = {a["path"]: a for a in report["arrays"]}
    assert checked["good"]["chunks_checked"] == 10 and checked["good"]["problems"] == 1
    # Text output: one line an array on stdout, one a problem on stderr.
    rc, out, err = cli("verify", root)
    assert rc == 1 and "num/truncated-half/1" in err and "good: 10 chunks checked" in out
    # A clean array verifies once the temporary file is gone.
    left.unlink()
    assert cli("verify", good)[0] == 0


def test_consolidate_moves_chunks_into_containers(tmp_path):
    path = tmp_path / "n.zarr"
    a = np.arange(40 * 40 * 40, dtype="u2").reshape(40, 40, 40)
    zarr.open(str(path), mode="w", shape=a.shape, chunks=(10, 10, 10), dtype="u2",
              dimension_separator="/")[...] = a
    before = as_json("verify", path, "--checksum")["arrays"][0]["checksum"]
    facts = as_json("consolidate", path)
    assert facts["moved"] == 64
    assert sorted(n for n in os.listdir(path)) == [".zarray", ".zattrs", "0.h5", "1.h5", "2.h5",
                                                    "3.h5"]
    assert as_json("verify", path, "--checksum")["arrays"][0]["checksum"] == before
    assert as_json("du", path)["arrays"][0]["files"] == 6
    rc, out, err = cli("consolidate", tmp_path / "missing")
    assert rc == 1 and "no such directory" in err


@pytest.mark.parametrize("stored", STORES, indirect=True)
def test_consolidate_metadata_on_every_store(stored):
    path, so = stored
    assert as_json("consolidate-metadata", path, *opts(so))["consolidated"]
    options = json.loads(so) if so else None
    where = str(path) if not str(path).endswith(".zip") else ZipStore(str(path))
    if isinstance(path, os.PathLike) and os.path.isdir(path) and \
            any(n.endswith(".h5") for _, _, names in os.walk(path) for n in names):
        where = ShardedStore(str(path))
    g = zarr.open_consolidated(where, storage_options=options)
    assert sorted(g) == ["a", "c", "sub"]
    np.testing.assert_array_equal(g["sub/b"][...], values()["sub/b"])
