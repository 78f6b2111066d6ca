"""zarr.storage.ZipStore: the store protocol over one zip archive, arrays and
groups in it against numpy, what may and may not change it, and bad archives.

Python's zipfile is the second reader of every archive written here, and the
writer of the archives of others read here.
"""

import gc
import os
import pickle
import signal
import struct
import subprocess
import sys
import threading
import tracemalloc
import warnings
import zipfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import zarr
from arrays import basic_selections, reference, shapes_and_chunks
from zarr.errors import MetadataError, ReadOnlyError
from zarr.storage import (ZipDuplicateWarning, ZipFormatError, ZipInUseError, ZipStore,
                          zipformat)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_python(code, *args, check=True):
    """Run ``code`` in another python process with this project importable."""
    env = dict(os.environ, PYTHONPATH=ROOT)
    proc = subprocess.run([sys.executable, "-c", code] + [str(a) for a in args],
                          capture_output=True, text=True, timeout=120, env=env)
    if check and proc.returncode != 0:
        pytest.fail("subprocess failed (%d):\n%s\n%s" % (proc.returncode, proc.stdout,
                                                         proc.stderr))
    return proc


def archive(tmp_path, items, name="a.zip"):
    """A closed archive written by a ZipStore holding ``items``, and its path."""
    path = str(tmp_path / name)
    with ZipStore(path, "w") as store:
        for key, value in items.items():
            store[key] = value
    return path


ITEMS = {".zgroup": b'{"zarr_format": 2}', "x/.zarray": b"{}", "x/0.0": bytes(range(256)) * 3,
         "x/0.1": b"", "x/sub/1": b"z" * 1000, "\u00e9t\u00e9/0": b"utf-8 name"}


# The protocol.

def test_keys_values_and_listings(tmp_path):
    path = archive(tmp_path, ITEMS)
    with ZipStore(path) as store:
        assert store.read_only and store.supports_partial_reads and not store.supports_deletes
        assert store.list() == sorted(ITEMS) and list(store) == sorted(ITEMS)
        assert {k: store[k] for k in store} == ITEMS and len(store) == len(ITEMS)
        assert store.list("x") == ["x/.zarray", "x/0.0", "x/0.1", "x/sub/1"]
        assert store.list_dir() == [".zgroup", "x", "\u00e9t\u00e9"]
        assert store.list_dir("x/") == [".zarray", "0.0", "0.1", "sub"]
        assert sorted(store.list_dir_sizes("x")) == [(".zarray", 2), ("0.0", 768), ("0.1", 0)]
        assert store.getsize("x/sub/1") == 1000 and "x/0.1" in store and "x" not in store
        assert store.contains_prefix("x/sub") and not store.contains_prefix("y")
        assert store.get("nope", None) is None
        with pytest.raises(KeyError):
            store["x/0.2"]
        with pytest.raises(ValueError, match="invalid store key"):
            store["../x"]
        assert store.stamp("x/0.0") is not None and store.stamp("nope") is None
        assert store.describe_key("x/0.0") == "entry 'x/0.0' of %s" % path
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        assert [i.filename for i in zf.infolist()] == list(ITEMS)
        assert {i.compress_type for i in zf.infolist()} == {zipfile.ZIP_STORED}
        assert {i.filename: zf.read(i) for i in zf.infolist()} == ITEMS


def test_get_ranges_reads_only_the_bytes_asked(tmp_path, monkeypatch):
    path = archive(tmp_path, ITEMS)
    value = ITEMS["x/0.0"]
    with ZipStore(path) as store:
        store.get_ranges("x/0.0", [])  # its local header, read once
        reads = []
        pread = os.pread

        def counting(fd, n, offset):
            reads.append(n)
            return pread(fd, n, offset)
        monkeypatch.setattr(os, "pread", counting)
        ranges = [(0, 4), (100, 10), (760, 100), (5000, 3), (7, 0)]
        assert store.get_ranges("x/0.0", ranges) == [value[s:s + n] for s, n in ranges]
        assert reads == [4, 10, 8]
        monkeypatch.setattr(os, "pread", pread)
        with pytest.raises(ValueError, match="not negative"):
            store.get_ranges("x/0.0", [(-1, 2)])
        with pytest.raises(KeyError):
            store.get_ranges("x/9", [(0, 1)])


def test_closed_stores_and_the_context_manager(tmp_path):
    path = str(tmp_path / "c.zip")
    with ZipStore(path, "w") as store:
        store["a"] = b"1"
        assert not store.closed
    assert store.closed
    for call in (lambda: store["a"], lambda: store.list(), lambda: store.set("b", b"2"),
                 lambda: store.getsize("a"), lambda: store.get_ranges("a", [(0, 1)])):
        with pytest.raises(ValueError, match="closed"):
            call()
    store.close()  # again: nothing
    assert zipfile.ZipFile(path).read("a") == b"1"


def test_set_if_absent(tmp_path):
    with ZipStore(tmp_path / "s.zip", "w") as store:
        assert store.set_if_absent("k", b"1") and not store.set_if_absent("k", b"2")
        assert store["k"] == b"1" and store.list() == ["k"]
    assert zipfile.ZipFile(tmp_path / "s.zip").namelist() == ["k"]


def test_nothing_is_deleted_or_renamed(tmp_path):
    path = archive(tmp_path, ITEMS)
    before = open(path, "rb").read()
    with ZipStore(path, "a") as store:
        for call in (lambda: store.delete("x/0.0"), lambda: store.delete_prefix("x"),
                     lambda: store.delete_prefix(""), lambda: store.rename("x", "y")):
            with pytest.raises(NotImplementedError, match="cannot be removed or renamed"):
                call()
        with pytest.raises(KeyError):
            store.delete("x/9")
        with pytest.raises(KeyError):
            store.rename("nothing", "y")
        store.delete_prefix("nothing")  # nothing there: nothing to do
        assert store.list() == sorted(ITEMS)
    assert open(path, "rb").read() == before


def test_writing_a_key_again_appends_and_the_last_one_wins(tmp_path):
    path = str(tmp_path / "d.zip")
    with ZipStore(path, "w") as store:
        store["k"] = b"old"
        with pytest.warns(ZipDuplicateWarning, match="'k' written again"):
            store["k"] = b"new"
        assert store["k"] == b"new" and store.list() == ["k"]
    with zipfile.ZipFile(path) as zf:
        assert zf.namelist() == ["k", "k"] and zf.read("k") == b"new"
    with ZipStore(path) as store:
        assert store["k"] == b"new" and len(store) == 1
    with ZipStore(path, "a") as store:
        with pytest.warns(ZipDuplicateWarning):
            store["k"] = b"newest"
    with zipfile.ZipFile(path) as zf:
        assert zf.namelist() == ["k"] * 3 and zf.read("k") == b"newest"
    # A warning turned into an error writes nothing.
    with ZipStore(path, "a") as store:
        size = os.path.getsize(path)
        with warnings.catch_warnings():
            warnings.simplefilter("error", ZipDuplicateWarning)
            with pytest.raises(ZipDuplicateWarning):
                store["k"] = b"refused"
        assert store["k"] == b"newest" and os.path.getsize(path) == size


def test_mode_a_adds_to_an_archive_and_keeps_what_it_held(tmp_path):
    path = str(tmp_path / "t.zip")
    with zipfile.ZipFile(path, "w") as zf:
        info = zipfile.ZipInfo("theirs", (2020, 1, 2, 3, 4, 6))
        info.comment = b"kept"
        zf.writestr(info, b"x" * 5000, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("dir/", b"")
        zf.comment = b"archive comment"
    with ZipStore(path, "a") as store:
        assert store.list() == ["theirs"]  # a directory entry is no key
        store["ours"] = b"y"
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        assert zf.namelist() == ["theirs", "dir/", "ours"]
        assert zf.getinfo("theirs").comment == b"kept"
        assert zf.getinfo("theirs").date_time == (2020, 1, 2, 3, 4, 6)
        assert zf.read("theirs") == b"x" * 5000 and zf.read("ours") == b"y"
    # Opened in mode 'a' and only read: nothing changes.
    before = open(path, "rb").read()
    with ZipStore(path, "a") as store:
        assert store["ours"] == b"y"
    assert open(path, "rb").read() == before


def test_mode_w_replaces_and_mode_a_creates(tmp_path):
    path = archive(tmp_path, ITEMS)
    with ZipStore(path, "w") as store:
        assert store.list() == []
    assert zipfile.ZipFile(path).namelist() == []
    os.remove(path)
    with ZipStore(path, "a") as store:
        store["k"] = b"v"
    assert zipfile.ZipFile(path).namelist() == ["k"]
    with pytest.raises(FileNotFoundError):
        ZipStore(tmp_path / "missing.zip")
    assert not os.path.exists(tmp_path / "missing.zip")
    with pytest.raises(ValueError, match="mode"):
        ZipStore(path, "r+")


def test_mode_r_refuses_every_change_and_changes_nothing(tmp_path):
    path = archive(tmp_path, ITEMS)
    before, stat = open(path, "rb").read(), os.stat(path)
    with ZipStore(path) as store:
        for call in (lambda: store.set("new", b"1"), lambda: store.set("x/0.0", b"1"),
                     lambda: store.delete("x/0.0"), lambda: store.delete_prefix("x"),
                     lambda: store.rename("x", "y"), lambda: store.set_if_absent("n", b"")):
            with pytest.raises(ReadOnlyError):
                call()
        with pytest.raises(ReadOnlyError):
            store.flush()
        assert store.list() == sorted(ITEMS)
    g = zarr.open_group(path, mode="r")
    assert g.store.mode == "r"
    with pytest.raises(ReadOnlyError):
        g.attrs["a"] = 1
    g.store.close()
    after = os.stat(path)
    assert open(path, "rb").read() == before
    assert (after.st_mtime_ns, after.st_size, after.st_ino) == \
        (stat.st_mtime_ns, stat.st_size, stat.st_ino)


def test_pickles_read_only_and_not_for_writing(tmp_path):
    path = archive(tmp_path, ITEMS)
    with ZipStore(path) as store:
        copy = pickle.loads(pickle.dumps(store))
        assert copy is not store and copy.mode == "r" and copy["x/0.0"] == ITEMS["x/0.0"]
        copy.close()
    with ZipStore(path, "a") as store:
        with pytest.raises(TypeError, match="open for writing and does not pickle"):
            pickle.dumps(store)


def test_zip64_records_are_written_and_read(tmp_path, monkeypatch):
    # The limits lowered, so that small values take the records of large ones.
    monkeypatch.setattr(zipformat, "LIMIT32", 100)
    monkeypatch.setattr(zipformat, "LIMIT16", 3)
    path = archive(tmp_path, ITEMS)
    monkeypatch.undo()
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        assert {i.filename: zf.read(i) for i in zf.infolist()} == ITEMS
    with ZipStore(path) as store:
        assert {k: store[k] for k in store} == ITEMS
    theirs = str(tmp_path / "theirs.zip")
    with zipfile.ZipFile(theirs, "w") as zf:
        for key, value in ITEMS.items():
            with zf.open(key, "w", force_zip64=True) as f:
                f.write(value)
    with ZipStore(theirs) as store:
        assert {k: store[k] for k in store} == ITEMS


def test_an_archive_of_more_than_65535_entries(tmp_path):
    path = str(tmp_path / "many.zip")
    with ZipStore(path, "w") as store:
        for i in range(70000):
            store["%d" % i] = b"%d" % i
    with zipfile.ZipFile(path) as zf:
        assert len(zf.infolist()) == 70000 and zf.read("69999") == b"69999"
    with ZipStore(path) as store:
        assert len(store) == 70000 and store["12345"] == b"12345"


def test_archives_of_pythons_zipfile_are_read(tmp_path):
    path = str(tmp_path / "py.zip")
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("s", b"stored" * 100)
        zf.writestr("d", b"deflated" * 1000, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("e", b"", compress_type=zipfile.ZIP_DEFLATED)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            zf.writestr("s", b"again")
        zf.comment = b"c" * 1000
    with ZipStore(path) as store:
        assert store["s"] == b"again" and store["d"] == b"deflated" * 1000 and store["e"] == b""
        assert store.get_ranges("d", [(8, 8), (7990, 100)]) == [b"deflated", b"eddeflated"]
        assert store.getsize("d") == 8000


# Arrays and groups, against numpy.

def zip_array(path, data, chunks, **kwargs):
    with ZipStore(path, "w") as store:
        z = zarr.open(store, mode="w", shape=data.shape, dtype=data.dtype, chunks=chunks,
                      path="g/a", **kwargs)
        z[...] = data
        assert z[...].tolist() == data.tolist()


@settings(max_examples=40)
@given(st.data())
def test_arrays_read_any_selection(tmp_path_factory, data):
    shape, chunks = data.draw(shapes_and_chunks(max_dims=3))
    separator = data.draw(st.sampled_from([".", "/"]))
    a = reference(shape, "i4")
    path = str(tmp_path_factory.mktemp("z") / "a.zip")
    zip_array(path, a, chunks, dimension_separator=separator)
    with ZipStore(path) as store:
        z = zarr.open(store, mode="r", path="g/a")
        sel = data.draw(basic_selections(shape))
        np.testing.assert_array_equal(z[sel], a[sel])
        np.testing.assert_array_equal(z[...], a)


@pytest.mark.parametrize("dtype", ["i1", "<u8", ">f4", "c16", "M8[ns]", "U3", "S2", "?",
                                   object])
def test_arrays_of_each_kind_of_dtype(tmp_path, dtype):
    a = reference((30, 7), "i4").astype("U3").astype(dtype) if dtype in ("U3", "S2", object) \
        else reference((30, 7), "i4").astype(dtype)
    path = str(tmp_path / "d.zip")
    zip_array(path, a, (8, 3), **({"object_codec": "vlen-utf8"} if dtype is object else {}))
    z = zarr.open(path, mode="r", path="g/a")
    np.testing.assert_array_equal(z[...], a)
    assert z.dtype == a.dtype
    z.store.close()


def test_a_hierarchy_with_the_creation_functions(tmp_path):
    path = str(tmp_path / "h.zip")
    a = np.arange(1000, dtype="f8").reshape(20, 50)
    with ZipStore(path, "w") as store:
        root = zarr.open_group(store, mode="w")
        root.attrs.update({"title": "t"})
        sub = root.create_group("sub")
        sub.zeros("z", shape=(10,), chunks=(4,), dtype="i2")
        sub.array("a", a, chunks=(7, 9))
        zarr.create((5,), dtype="u1", chunks=(2,), store=store, path="c", fill_value=3)
        z = zarr.open(store, mode="a", path="sub/a")
        with pytest.warns(ZipDuplicateWarning, match="'sub/a/0.[1-4]' written again"):
            z[3:5, 10:40] = -1
    a[3:5, 10:40] = -1
    g = zarr.open(path, mode="r")
    assert isinstance(g, zarr.Group) and g.attrs.asdict() == {"title": "t"}
    assert sorted(g) == ["c", "sub"] and sorted(g["sub"]) == ["a", "z"]
    np.testing.assert_array_equal(g["sub/a"][...], a)
    assert g["sub/z"][...].tolist() == [0] * 10 and g["c"][...].tolist() == [3] * 5
    g.store.close()


def test_a_chunk_written_twice_reads_its_last_value(tmp_path):
    path = str(tmp_path / "p.zip")
    with ZipStore(path, "w") as store:
        z = zarr.open(store, mode="w", shape=(10,), chunks=(10,), dtype="i4")
        z[:5] = 1
        with pytest.warns(ZipDuplicateWarning, match="'0' written again"):
            z[5:] = 2
    z = zarr.open(path, mode="r")
    assert z[...].tolist() == [1] * 5 + [2] * 5
    z.store.close()
    assert zipfile.ZipFile(path).namelist().count("0") == 2


def test_changes_that_remove_chunks_are_refused_and_change_nothing(tmp_path):
    path = str(tmp_path / "r.zip")
    with ZipStore(path, "w") as store:
        z = zarr.open(store, mode="w", shape=(10,), chunks=(2,), dtype="i4")
        z[:] = np.arange(10)
        with pytest.raises(NotImplementedError, match="cannot delete"):
            z.resize(4)
        with pytest.raises(NotImplementedError, match="cannot write a table"):
            zarr.from_pandas(pytest.importorskip("pandas").DataFrame({"a": [1]}),
                             zarr.open_group(store, mode="a", path="t"))
    z = zarr.open(path, mode="r")
    assert z.shape == (10,) and z[...].tolist() == list(range(10))
    z.store.close()


def test_threads_write_one_archive(tmp_path):
    path = str(tmp_path / "threads.zip")
    errors = []
    with ZipStore(path, "w") as store:
        def work(t):
            try:
                for i in range(200):
                    store["t%d/%d" % (t, i)] = bytes([t]) * (i * 37 % 5000)
                    assert store["t%d/%d" % (t, i)] == bytes([t]) * (i * 37 % 5000)
            except BaseException as e:
                errors.append(e)
        threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        z = zarr.open(store, mode="w", path="arr", shape=(400, 300), chunks=(50, 30),
                      dtype="i8", threads=4)
        a = np.arange(120000).reshape(400, 300)
        z[...] = a
    assert not errors
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None and len(zf.namelist()) == 1600 + 80 + 2
        assert zf.read("t7/199") == b"\x07" * (199 * 37 % 5000)
    z = zarr.open(path, mode="r", path="arr")
    np.testing.assert_array_equal(z[...], a)
    z.store.close()


# One writer: other processes, other stores of this process, forked children.

OPEN_IN_CHILD = """
import sys
from zarr.storage import ZipStore, ZipInUseError
try:
    ZipStore(sys.argv[1], sys.argv[2]).close()
except ZipInUseError as e:
    print("refused:", e)
else:
    print("opened")
"""


def test_a_second_process_may_not_write_nor_read_while_one_writes(tmp_path):
    path = archive(tmp_path, ITEMS)
    before = open(path, "rb").read()
    with ZipStore(path, "a") as store:
        for mode in ("a", "w", "r"):
            out = run_python(OPEN_IN_CHILD, path, mode).stdout
            assert out.startswith("refused:") and "another process" in out, (mode, out)
        assert open(path, "rb").read() == before  # mode 'w' refused: nothing truncated
        store["more"] = b"1"
    assert run_python(OPEN_IN_CHILD, path, "a").stdout == "opened\n"
    with ZipStore(path) as reader:
        out = run_python(OPEN_IN_CHILD, path, "r").stdout
        assert out == "opened\n"  # readers share it
        out = run_python(OPEN_IN_CHILD, path, "a").stdout
        assert out.startswith("refused:") and "one writer" in out
        assert reader["more"] == b"1"


def test_a_second_store_of_this_process_is_refused_saying_so(tmp_path):
    path = archive(tmp_path, ITEMS)
    with ZipStore(path, "a"):
        with pytest.raises(ZipInUseError, match="another ZipStore of this process .mode 'a'"):
            ZipStore(path, "a")
        with pytest.raises(ZipInUseError, match="open for writing by another ZipStore"):
            zarr.open_group(path, mode="r")
    with ZipStore(path):
        with pytest.raises(ZipInUseError, match="this process .mode 'r'"):
            ZipStore(path, "w")
    assert zipfile.ZipFile(path).testzip() is None


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_forked_child_may_not_write(tmp_path):
    path = str(tmp_path / "f.zip")
    with ZipStore(path, "w") as store:
        store["parent"] = b"1"
        pid = os.fork()
        if pid == 0:  # the child: a write must fail, and its exit must write nothing
            try:
                store["child"] = b"2"
                code = 1
            except ZipInUseError:
                code = 0 if store["parent"] == b"1" else 2
            store.close()
            os._exit(code)
        assert os.waitpid(pid, 0)[1] == 0
        store["parent2"] = b"3"
    with zipfile.ZipFile(path) as zf:
        assert zf.namelist() == ["parent", "parent2"] and zf.testzip() is None


# Finishing: on close, on collection, at exit; and what a kill leaves.

WRITE_IN_CHILD = """
import os, signal, sys
from zarr.storage import ZipStore
store = ZipStore(sys.argv[1], "w")
for i in range(50):
    store["k%d" % i] = bytes([i]) * (1000 * i)
store.flush() if sys.argv[2] == "flush" else None
store["last"] = b"L" * 100
if sys.argv[2] == "kill":
    os.kill(os.getpid(), signal.SIGKILL)
# else: exit without closing, the store still referenced
"""


def expected_child_items(last=True):
    items = {"k%d" % i: bytes([i]) * (1000 * i) for i in range(50)}
    if last:
        items["last"] = b"L" * 100
    return items


def test_an_unclosed_store_is_finished_at_exit(tmp_path):
    path = str(tmp_path / "exit.zip")
    run_python(WRITE_IN_CHILD, path, "exit")
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        assert {i.filename: zf.read(i) for i in zf.infolist()} == expected_child_items()


def test_a_collected_store_is_finished(tmp_path):
    path = str(tmp_path / "gc.zip")
    store = ZipStore(path, "w")
    z = zarr.open(store, mode="w", shape=(6,), chunks=(3,), dtype="i4")
    z[:] = 4
    del store, z
    gc.collect()
    assert zipfile.ZipFile(path).testzip() is None
    z = zarr.open(path, mode="r")
    assert z[...].tolist() == [4] * 6
    z.store.close()


def test_a_killed_writer_leaves_an_archive_that_mode_a_recovers(tmp_path):
    path = str(tmp_path / "kill.zip")
    proc = run_python(WRITE_IN_CHILD, path, "kill", check=False)
    assert proc.returncode == -signal.SIGKILL
    before = open(path, "rb").read()
    with pytest.raises(zipfile.BadZipFile):
        zipfile.ZipFile(path)
    with pytest.raises(ZipFormatError, match="open it in mode 'a' to recover"):
        ZipStore(path)
    assert open(path, "rb").read() == before
    with pytest.warns(UserWarning, match="51 entries recovered, the 0 bytes"):
        store = ZipStore(path, "a")
    assert {k: store[k] for k in store} == expected_child_items()
    store.close()
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        assert {i.filename: zf.read(i) for i in zf.infolist()} == expected_child_items()


def test_an_entry_cut_short_is_dropped_on_recovery(tmp_path):
    path = str(tmp_path / "cut.zip")
    proc = run_python(WRITE_IN_CHILD, path, "kill", check=False)
    assert proc.returncode == -signal.SIGKILL
    size = os.path.getsize(path)
    for cut in (size - 1, size - 100, size - 120, size - 134):  # in the last entry or its header
        with open(path, "r+b") as f:
            f.truncate(cut)
        with pytest.warns(UserWarning, match="50 entries recovered"):
            with ZipStore(path, "a") as store:
                assert {k: store[k] for k in store} == expected_child_items(last=False)
                store["last"] = b"again"
        assert zipfile.ZipFile(path).read("last") == b"again"
        proc = run_python(WRITE_IN_CHILD, path, "kill", check=False)


def test_flush_makes_the_archive_whole_until_the_next_write(tmp_path):
    path = str(tmp_path / "flush.zip")
    proc = run_python(WRITE_IN_CHILD, path, "flush", check=False)
    assert proc.returncode == 0
    with ZipStore(path, "w") as store:
        store["a"] = b"1"
        store.flush()
        assert zipfile.ZipFile(path).namelist() == ["a"]
        store["b"] = b"2"
        store.flush()
        store.flush()
        assert zipfile.ZipFile(path).namelist() == ["a", "b"]
        store["c"] = b"3"
    assert zipfile.ZipFile(path).namelist() == ["a", "b", "c"]


def test_archiving_a_store_in_one_pass(tmp_path):
    source = str(tmp_path / "src.zarr")
    g = zarr.open_group(source, mode="w")
    g.attrs["k"] = [1, 2]
    a = np.arange(600, dtype="i4").reshape(20, 30)
    g.array("x", a, chunks=(6, 7))
    g.create_group("s").array("y", a.T.copy(), chunks=(5, 5), dimension_separator="/")
    keys = sorted(g.store.list())
    path = str(tmp_path / "a.zip")
    assert ZipStore.from_store(source, path) == len(keys)
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == keys
        assert {i.compress_type for i in zf.infolist()} == {zipfile.ZIP_STORED}
    z = zarr.open_group(path, mode="r")
    np.testing.assert_array_equal(z["x"][...], a)
    np.testing.assert_array_equal(z["s/y"][...], a.T)
    assert z.attrs["k"] == [1, 2]
    z.store.close()
    with pytest.raises(FileExistsError):
        ZipStore.from_store(source, path)
    assert ZipStore.from_store({"k": b"v"}, path, overwrite=True) == 1
    assert zipfile.ZipFile(path).read("k") == b"v"
    # A failure on the way leaves what was there, and nothing beside it.
    class Failing(dict):
        def __getitem__(self, key):
            if key == "b":
                raise OSError("a read failed")
            return dict.__getitem__(self, key)
    with pytest.raises(OSError, match="a read failed"):
        ZipStore.from_store(Failing(a=b"1", b=b"2"), path, overwrite=True)
    assert zipfile.ZipFile(path).namelist() == ["k"]
    assert sorted(os.listdir(tmp_path)) == ["a.zip", "src.zarr"]
    with pytest.raises(FileNotFoundError):
        ZipStore.from_store(str(tmp_path / "none"), str(tmp_path / "none.zip"))
    with pytest.raises(TypeError):
        ZipStore.from_store(3, str(tmp_path / "n.zip"))


# Bad archives: an error naming the file (and the entry), nothing read past it.

def good_archive(tmp_path):
    return archive(tmp_path, {"x/.zarray": b"{}", "x/0": b"chunk bytes" * 10, "y": b"yy"},
                   "good.zip")


def _patched(path, out, offset, fmt, value, *more):
    """A copy of ``path`` at ``out`` with ``value`` packed as ``fmt`` at
    ``offset`` (and so on for each further triple in ``more``)."""
    data = bytearray(open(path, "rb").read())
    patches = [(offset, fmt, value)] + [more[i:i + 3] for i in range(0, len(more), 3)]
    for at, f, v in patches:
        struct.pack_into(f, data, at, v)
    with open(out, "wb") as f:
        f.write(data)
    return out


@pytest.mark.parametrize("content", [b"", b"not a zip at all", b"PK\x03\x04" + b"\0" * 10,
                                     b"\0" * 100000])
def test_what_is_not_an_archive(tmp_path, content):
    path = tmp_path / "bad.zip"
    path.write_bytes(content)
    for mode in ("r", "a"):
        if mode == "a" and not content:
            continue  # an empty file is a new archive in mode 'a'
        with pytest.raises(ZipFormatError, match=str(path)):
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # no recovery of what was no archive
                ZipStore(path, mode)
        assert path.read_bytes() == content
    os.mkdir(tmp_path / "dir.zip")
    with pytest.raises(OSError):
        ZipStore(tmp_path / "dir.zip")


def test_every_truncation_is_an_error_naming_the_file(tmp_path):
    path = good_archive(tmp_path)
    data = open(path, "rb").read()
    cut = str(tmp_path / "cut.zip")
    for n in range(len(data)):
        with open(cut, "wb") as f:
            f.write(data[:n])
        with pytest.raises(ZipFormatError, match=cut):
            ZipStore(cut)


def test_crafted_records_are_refused_without_reading_or_allocating(tmp_path):
    path = good_archive(tmp_path)
    data = open(path, "rb").read()
    cd = data.index(b"PK\x01\x02")
    end = data.rindex(b"PK\x05\x06")
    out = str(tmp_path / "crafted.zip")
    cases = [
        (cd + 20, "<I", 0x7FFFFFF0, "overlaps"),           # compressed size of entry 1
        (cd + 42, "<I", len(data) * 10, "runs into"),      # its local header offset
        (end + 8, "<H", 60000, "cannot fit", end + 10, "<H", 60000),  # entries
        (end + 12, "<I", 0x7FFFFFF0, "does not end"),      # the directory's size
        (end + 16, "<I", 3, "does not end"),               # the directory's offset
        (cd, "<I", 0, "no signature"),
        (end + 4, "<H", 1, "split over several"),
        (end + 20, "<H", 5, "no end of central directory"),  # a comment past the end
    ]
    tracemalloc.start()
    try:
        for offset, fmt, value, message, *more in cases:
            _patched(path, out, offset, fmt, value, *more)
            with pytest.raises(ZipFormatError, match=message) as info:
                ZipStore(out)
            assert out in str(info.value)
        assert tracemalloc.get_traced_memory()[1] < 10 * 2**20
    finally:
        tracemalloc.stop()


def test_a_bad_entry_is_an_error_naming_it_when_read(tmp_path):
    path = good_archive(tmp_path)
    data = open(path, "rb").read()
    out = str(tmp_path / "e.zip")
    first = data.index(b"PK\x01\x02")
    second = data.index(b"PK\x01\x02", first + 1)
    local = data.index(b"x/0chunk") - 30
    # The CRC-32 of entry 'x/0', the bytes of 'x/0', its method, its local header.
    for message, offset, fmt, value, *more in [
            ("'x/0': CRC-32 mismatch", second + 16, "<I", 1234),
            ("'x/0': CRC-32 mismatch", data.index(b"chunk bytes"), "<B", 0),
            ("'x/0' is compressed with method 12", second + 10, "<H", 12, local + 8, "<H", 12),
            ("'x/0': its local header", second + 10, "<H", 8),
            ("'x/0' is encrypted", second + 8, "<H", 1),
            ("'x/0': its local header", local, "<I", 0)]:
        _patched(path, out, offset, fmt, value, *more)
        with ZipStore(out) as store:
            assert store["y"] == b"yy"
            with pytest.raises(ZipFormatError, match=message) as info:
                store["x/0"]
            assert out in str(info.value)
            if "CRC" not in message:
                with pytest.raises(ZipFormatError):
                    store.get_ranges("x/0", [(0, 2)])
    # Through an array: an error naming the entry, never the fill value.
    a_path = str(tmp_path / "arr.zip")
    zip_array(a_path, np.arange(20, dtype="i4"), (10,))
    data = open(a_path, "rb").read()
    at = data.index(b"g/a/1") + len("g/a/1") + 20
    with open(a_path, "r+b") as f:
        f.seek(at)
        f.write(bytes([data[at] ^ 0xFF]))
    z = zarr.open(a_path, mode="r", path="g/a")
    assert z[:10].tolist() == list(range(10))
    with pytest.raises(ZipFormatError, match="'g/a/1'"):
        z[...]
    z.store.close()


def test_deflated_entries_that_lie_about_their_sizes(tmp_path):
    path = str(tmp_path / "z.zip")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bomb", b"\0" * 2**20)
        zf.writestr("small", b"abc" * 100)
    data = open(path, "rb").read()
    cd = data.index(b"PK\x01\x02")
    second = data.index(b"PK\x01\x02", cd + 1)
    out = str(tmp_path / "lie.zip")
    tracemalloc.start()
    try:
        for entry, usize, message in [(cd, 2**40, "more than deflate can give"),
                                      (cd, 2**20 - 1, "does not inflate to"),
                                      (cd, 2**20 + 1, "does not inflate to"),
                                      (second, 0, "does not inflate to")]:
            _patched(path, out, entry + 24, "<I", usize & 0xFFFFFFFF if usize < 2**32
                     else 0xFFFFFFFF)
            if usize >= 2**32:  # no room for a ZIP64 field: the extra field is missing
                with pytest.raises(ZipFormatError, match="ZIP64 sizes or offset are missing"):
                    ZipStore(out)
                _patched(path, out, entry + 24, "<I", 0x7FFFFFFF)
            with ZipStore(out) as store:
                with pytest.raises(ZipFormatError, match=message if usize < 2**32 else
                                   "more than deflate|does not inflate") as info:
                    store["small" if entry == second else "bomb"]
                assert out in str(info.value)
        assert tracemalloc.get_traced_memory()[1] < 8 * 2**20
    finally:
        tracemalloc.stop()
    corrupt = bytearray(data)
    corrupt[data.index(b"bomb") + 4 + 3] ^= 0xFF
    with open(out, "wb") as f:
        f.write(corrupt)
    with ZipStore(out) as store:
        with pytest.raises(ZipFormatError, match="'bomb'"):
            store["bomb"]


def test_a_metadata_entry_over_the_limit_is_refused_unread(tmp_path, monkeypatch):
    path = archive(tmp_path, {".zarray": b"{" + b" " * 5000 + b"}", "0": b"12345678"})
    monkeypatch.setattr(zarr.storage.zipped, "MAX_METADATA_SIZE", 1000)
    with ZipStore(path) as store:
        with pytest.raises(MetadataError, match="'.zarray' of .*over the limit"):
            store[".zarray"]
        assert store["0"] == b"12345678"


def test_names_that_are_no_keys_are_kept_and_not_listed(tmp_path):
    path = str(tmp_path / "names.zip")
    with zipfile.ZipFile(path, "w") as zf:
        for name in ("../evil", "/abs", "a//b", "ok", "dir/"):
            zf.writestr(name, b"x")
    with ZipStore(path, "a") as store:
        assert store.list() == ["ok"]
        store["new"] = b"y"
    assert zipfile.ZipFile(path).namelist() == ["../evil", "/abs", "a//b", "ok", "dir/", "new"]

