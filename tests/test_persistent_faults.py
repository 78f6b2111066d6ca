"""Arrays in directories under faults: corrupt chunk files, bad metadata, read-only
modes and directories, writers killed mid-write, I/O errors, a full disk, fsync
and the temporary files of interrupted writes.

Only a missing chunk file reads as fill values; anything else that goes wrong
raises an error naming the file, and leaves what was stored as it was.
"""

import errno
import json
import os
import random
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import traceback

import numpy as np
import numpy.testing  # noqa: F401 - loaded before a child drops privileges (it may not read it)
import pytest

import _fault_garbage as garbage
import zarr
from zarr import ext
from zarr.errors import CorruptChunkError, MetadataError, ReadOnlyError
from zarr.storage import files as store_files
from zarr.storage.files import PARTIAL_SUFFIX
from zarr.storage.partials import HOST
from trees import iter_chunk_files

CI = os.environ.get("HYPOTHESIS_PROFILE") == "ci"
IS_ROOT = os.geteuid() == 0
NOBODY = 65534


# Helpers.


def snapshot(path, dir_times=True):
    """Every entry under path (hidden ones too): kind, bytes, mode and mtime.

    With dir_times, directories' modification times are part of it, so that a
    file created and removed again shows.
    """
    result = {}
    for root, dirs, names in os.walk(path):
        for name in dirs + names:
            full = os.path.join(root, name)
            st = os.lstat(full)
            rel = os.path.relpath(full, path)
            if stat.S_ISLNK(st.st_mode):
                result[rel] = ("link", os.readlink(full))
            elif stat.S_ISDIR(st.st_mode):
                result[rel] = ("dir", st.st_mode) + ((st.st_mtime_ns,) if dir_times else ())
            else:
                with open(full, "rb") as f:
                    result[rel] = ("file", f.read(), st.st_mode, st.st_mtime_ns)
    st = os.stat(path)
    result["."] = ("dir", st.st_mode) + ((st.st_mtime_ns,) if dir_times else ())
    return result


def file_snapshot(path):
    """The files of snapshot(path) only: a failed write into a new nested chunk
    may leave the (empty) directory it made."""
    return {k: v for k, v in snapshot(path).items() if v[0] != "dir"}


def partial_files(path):
    return sorted(os.path.relpath(os.path.join(root, n), path)
                  for root, _, names in os.walk(path) for n in names
                  if n.endswith(PARTIAL_SUFFIX))


def chunk_files(path):
    """The chunk files under path, found without zarr: every file but the
    metadata and the temporary files."""
    return sorted(os.path.relpath(os.path.join(root, n), path)
                  for root, _, names in os.walk(path) for n in names
                  if not n.startswith("."))


@pytest.fixture
def world_dir():
    """A directory that an unprivileged user can enter and read (tmp_path cannot be)."""
    d = tempfile.mkdtemp(prefix="zarr-faults-")
    os.chmod(d, 0o755)
    yield d
    for root, dirs, _ in os.walk(d):
        for name in dirs:
            os.chmod(os.path.join(root, name), 0o755)
    shutil.rmtree(d, ignore_errors=True)


def run_in_child(fn):
    """Run fn in a forked child; an exception there (its traceback reported)
    or any other exit fails the test."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            os.close(r)
            fn()
            code = 0
        except BaseException:
            os.write(w, traceback.format_exc().encode())
        finally:
            os._exit(code)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        report = f.read().decode()
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, (
        "child failed (status %#x):\n%s" % (status, report))


def run_unprivileged(fn):
    """Run fn where file permissions bind: as root, in a forked child that has
    become nobody (root reads and writes whatever the mode bits say); otherwise
    in this process. Assertion failures in the child fail the test."""
    if not IS_ROOT:
        fn()
        return

    def as_nobody():
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)
        assert os.geteuid() == NOBODY
        fn()

    run_in_child(as_nobody)


def make_read_only(path):
    """Take write permission away from every directory under path (done as root
    too: dropping privileges then makes it bind)."""
    for root, dirs, _ in os.walk(path):
        for name in dirs:
            os.chmod(os.path.join(root, name), 0o555)
    os.chmod(path, 0o555)


# Corrupt chunk files.


def _expect_corrupt(z, path, sels=garbage.SELECTIONS):
    for sel in sels:
        with pytest.raises(CorruptChunkError) as info:
            z[sel]
        assert isinstance(info.value, ValueError)
        assert path in str(info.value), (sel, str(info.value))


def _check_bad_chunk(tmp_path, name, data, dtype="i4", cname="blosclz", **kwargs):
    path = str(tmp_path / "a.zarr")
    z = garbage.make_array(path, dtype, cname, **kwargs)
    chunk = os.path.join(path, "1")
    with open(chunk, "wb") as f:
        f.write(data)
    for lazy in (False, True):
        _expect_corrupt(zarr.open(path, mode="r", lazy=lazy), chunk)
    # The other chunks read, and a write into the bad chunk that must read it
    # first fails and leaves the file alone.
    values = garbage.expected(dtype)
    got = z[20:]
    if kwargs.get("object_codec") == "vlen-bytes":
        got = np.array([b.decode() for b in got], object)
    np.testing.assert_array_equal(got, values[20:])
    first = values[0].encode() if kwargs.get("object_codec") == "vlen-bytes" else values[0]
    with pytest.raises(CorruptChunkError):
        z[15] = first
    with open(chunk, "rb") as f:
        assert f.read() == data
    # Writing the whole chunk replaces it.
    whole = np.empty(10, object) if z.dtype.hasobject else np.arange(10, dtype=dtype)
    if z.dtype.hasobject:
        whole[:] = [b"new"] * 10 if kwargs.get("object_codec") == "vlen-bytes" else ["new"] * 10
    z[10:20] = whole
    np.testing.assert_array_equal(z[10:20], whole)


@pytest.fixture(scope="module")
def case_dir():
    d = tempfile.mkdtemp(prefix="zarr-garbage-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


def _case_names(cases):
    with tempfile.TemporaryDirectory(prefix="zarr-names-") as d:
        return sorted(cases(d))


NUMERIC = _case_names(garbage.numeric_cases)
RAW = _case_names(garbage.raw_cases)
OBJECT_KINDS = [(codec, cname) for codec in ("msgpack2", "vlen-utf8", "vlen-bytes")
                for cname in ("blosclz", None)]


@pytest.mark.parametrize("name", NUMERIC)
def test_garbage_compressed_chunk_raises_naming_the_file(tmp_path, case_dir, name):
    _check_bad_chunk(tmp_path, name, garbage.numeric_cases(case_dir)[name])


@pytest.mark.parametrize("name", RAW)
def test_raw_chunk_of_wrong_length_raises_naming_the_file(tmp_path, case_dir, name):
    data = garbage.raw_cases(case_dir)[name]
    _check_bad_chunk(tmp_path, name, data, cname=None)
    z = zarr.open(str(tmp_path / "a.zarr"), mode="r")
    with open(os.path.join(z.path, "1"), "wb") as f:
        f.write(data)
    with pytest.raises(CorruptChunkError, match="raw chunk of %d bytes, expected 40" % len(data)):
        z[11]


@pytest.mark.parametrize("codec,cname", OBJECT_KINDS)
def test_garbage_object_chunk_raises_naming_the_file(tmp_path, case_dir, codec, cname):
    cases = garbage.object_cases(case_dir, codec, cname)
    for name, data in sorted(cases.items()):
        sub = tmp_path / name
        sub.mkdir()
        _check_bad_chunk(sub, name, data, dtype=object, cname=cname, object_codec=codec)


def test_empty_chunk_file_is_not_a_missing_one(tmp_path):
    """Zero bytes are not "no chunk": they raise, where a missing file reads as fill."""
    z = garbage.make_array(str(tmp_path / "a.zarr"), "i4", "blosclz")
    os.remove(os.path.join(z.path, "2"))
    np.testing.assert_array_equal(z[20:30], np.zeros(10, "i4"))
    open(os.path.join(z.path, "2"), "wb").close()
    _expect_corrupt(z, os.path.join(z.path, "2"), [slice(20, 30), 25])


def test_garbage_never_crashes_the_interpreter(tmp_path, case_dir):
    """Every garbage case, and byte flips of valid chunks, read in a fresh
    interpreter: it exits normally (no signal), each case as CorruptChunkError."""
    cases = []

    def add(name, data, dtype, cname, **kwargs):
        path = str(tmp_path / ("%d.zarr" % len(cases)))
        garbage.make_array(path, dtype, cname, **kwargs)
        with open(os.path.join(path, "1"), "wb") as f:
            f.write(data)
        cases.append((path, name))

    for name, data in garbage.numeric_cases(case_dir).items():
        add(name, data, "i4", "blosclz")
    for name, data in garbage.raw_cases(case_dir).items():
        add(name, data, "i4", None)
    for codec, cname in OBJECT_KINDS:
        for name, data in garbage.object_cases(case_dir, codec, cname).items():
            add(name, data, object, cname, object_codec=codec)
    fuzz = []
    for dtype, cname, kwargs in [("i4", "blosclz", {}), ("f8", "lz4", {}), ("i2", "zstd", {}),
                                 (object, "blosclz", {"object_codec": "msgpack2"})]:
        path = str(tmp_path / ("fuzz%d.zarr" % len(fuzz)))
        garbage.make_array(path, dtype, cname, **kwargs)
        fuzz.append(path)
    manifest = str(tmp_path / "manifest.json")
    with open(manifest, "w") as f:
        json.dump({"cases": [p for p, _ in cases], "fuzz": fuzz,
                   "fuzz_n": 1500 if CI else 200}, f)
    proc = subprocess.run([sys.executable, garbage.__file__, manifest], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-3000:])
    result = json.loads(proc.stdout)
    for path, name in cases:
        outcomes = result["cases"][path]
        assert len(outcomes) == len(garbage.SELECTIONS)
        for sel, error, message in outcomes:
            assert error == "CorruptChunkError", (name, sel, error, message)
            assert os.path.join(path, "1") in message, (name, message)
    for path in fuzz:
        counts = result["fuzz"][path]
        assert set(counts) <= {"None", "CorruptChunkError"}, (path, counts)
        assert counts.get("CorruptChunkError", 0) > 0


# Bad .zarray files.


def _good_meta():
    return {"zarr_format": 2, "shape": [100], "chunks": [10], "dtype": "<i4",
            "compressor": {"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1,
                           "blocksize": 0},
            "fill_value": 0, "order": "C", "filters": None, "dimension_separator": "."}


def _with(**changes):
    return lambda m: dict(m, **changes)


def _without(key):
    return lambda m: {k: v for k, v in m.items() if k != key}


def _blosc(**changes):
    return lambda m: dict(m, compressor=dict(m["compressor"], **changes))


BAD_METADATA = {
    "empty-file": b"",
    "not-json": b"{",
    "truncated-json": json.dumps(_good_meta()).encode()[:40],
    "binary": b"\xff\xfe\x00{\x80",
    "a-list": b"[]",
    "null": b"null",
    "a-number": b"2",
    "bare-NaN": b"NaN",
    "missing-zarr_format": _without("zarr_format"),
    "missing-shape": _without("shape"),
    "missing-chunks": _without("chunks"),
    "missing-dtype": _without("dtype"),
    "missing-compressor": _without("compressor"),
    "missing-fill_value": _without("fill_value"),
    "missing-order": _without("order"),
    "missing-filters": _without("filters"),
    "zarr_format-3": _with(zarr_format=3),
    "zarr_format-1": _with(zarr_format=1),
    "zarr_format-string": _with(zarr_format="2"),
    "zarr_format-float": _with(zarr_format=2.0),
    "zarr_format-null": _with(zarr_format=None),
    "shape-negative": _with(shape=[-1]),
    "shape-string": _with(shape="100"),
    "shape-float": _with(shape=[100.0]),
    "shape-bool": _with(shape=[True]),
    "shape-null": _with(shape=None),
    "shape-over-int64": _with(shape=[2**70]),
    "chunks-zero": _with(chunks=[0]),
    "chunks-negative": _with(chunks=[-10]),
    "chunks-empty": _with(chunks=[]),
    "chunks-too-many": _with(chunks=[10, 10]),
    "chunks-over-blosc-limit": _with(chunks=[2**40]),
    "chunks-over-int64": _with(chunks=[2**64]),
    "dtype-unknown": _with(dtype="<q9"),
    "dtype-null": _with(dtype=None),
    "dtype-number": _with(dtype=4),
    "dtype-object-without-filter": _with(dtype="|O"),
    "dtype-size-zero": _with(dtype="<U0"),
    "dtype-bad-fields": _with(dtype=[["a"]]),
    "dtype-fields-as-string": _with(dtype=["ab"]),
    "compressor-unknown-id": _with(compressor={"id": "bz2", "level": 1}),
    "compressor-string": _with(compressor="blosc"),
    "compressor-unknown-cname": _blosc(cname="snappy"),
    "compressor-no-cname": lambda m: dict(m, compressor={"id": "blosc", "clevel": 5}),
    "compressor-clevel-12": _blosc(clevel=12),
    "compressor-clevel-bool": _blosc(clevel=True),
    "compressor-clevel-string": _blosc(clevel="5"),
    "compressor-shuffle-7": _blosc(shuffle=7),
    "compressor-blocksize-negative": _blosc(blocksize=-1),
    "fill_value-string": _with(fill_value="abc"),
    "fill_value-fraction": _with(fill_value=1.5),
    "fill_value-out-of-range": _with(fill_value=2**40),
    "fill_value-over-int64": _with(fill_value=2**70),
    "fill_value-list": _with(fill_value=[1]),
    "fill_value-object": _with(fill_value={}),
    "fill_value-NaN-for-int": _with(fill_value="NaN"),
    "order-F": _with(order="F"),
    "order-null": _with(order=None),
    "order-number": _with(order=1),
    "dimension_separator-dash": _with(dimension_separator="-"),
    "dimension_separator-empty": _with(dimension_separator=""),
    "dimension_separator-number": _with(dimension_separator=1),
    "dimension_separator-list": _with(dimension_separator=["."]),
    "filters-unknown": _with(filters=[{"id": "quantize", "digits": 2, "dtype": "<f8"}]),
    "filters-delta-bad-dtype": _with(filters=[{"id": "delta", "dtype": "<q9"}]),
    "filters-delta-option": _with(filters=[{"id": "delta", "dtype": "<i4", "order": 2}]),
    "filters-shuffle-uneven": _with(filters=[{"id": "shuffle", "elementsize": 3}]),
    "filters-a-compressor": _with(filters=[{"id": "zstd", "level": 1}]),
    "compressor-zstd-level-string": _with(compressor={"id": "zstd", "level": "3"}),
    "compressor-gzip-level-10": _with(compressor={"id": "gzip", "level": 10}),
    "compressor-blosc-typesize-0": _blosc(typesize=0),
    "filters-string": _with(filters="msgpack2"),
}


@pytest.mark.parametrize("name", sorted(BAD_METADATA))
@pytest.mark.parametrize("mode", ["r", "r+", "a"])
def test_bad_zarray_raises_metadata_error_naming_the_file(tmp_path, name, mode):
    path = str(tmp_path / "a.zarr")
    z = zarr.open(path, mode="w", shape=100, dtype="i4", chunks=10, cname="lz4")
    z[:] = np.arange(100)
    where = os.path.join(path, ".zarray")
    with open(where) as f:
        assert json.load(f) == _good_meta()  # the edits start from what open writes
    bad = BAD_METADATA[name]
    data = bad if isinstance(bad, bytes) else json.dumps(bad(_good_meta())).encode()
    with open(where, "wb") as f:
        f.write(data)
    before = snapshot(path)
    for lazy in (False, True):
        with pytest.raises(MetadataError) as info:
            zarr.open(path, mode=mode, lazy=lazy)
        assert isinstance(info.value, ValueError)
        assert where in str(info.value)
    assert snapshot(path) == before


def test_an_array_replaced_by_bad_metadata_fails_on_reopen_and_on_pickle(tmp_path):
    import pickle

    path = str(tmp_path / "a.zarr")
    z = zarr.open(path, mode="w", shape=100, dtype="i4", chunks=10)
    blob = pickle.dumps(z)
    with open(os.path.join(path, ".zarray"), "w") as f:
        f.write("{")
    copy = pickle.loads(blob)  # an UnopenedArray: the error comes at its first use
    for use in (lambda: copy[0], lambda: copy.shape, lambda: copy.__setitem__(0, 1)):
        with pytest.raises(MetadataError, match=os.path.join(path, ".zarray")):
            use()


# Mode 'r': every write refused, nothing touched.


READ_ONLY_KINDS = {
    "plain": dict(dtype="i4"),
    "raw": dict(dtype="i4", cname=None),
    "unsynchronized": dict(dtype="i4", synchronized=False),
    "lazy": dict(dtype="i4", lazy=True),
    "nested": dict(dtype="i4", dimension_separator="/"),
    "process-sync": dict(dtype="i4", process_sync=True),
    "lazy-process-sync": dict(dtype="i4", lazy=True, process_sync=True),
    "object": dict(dtype=object),
}

WRITES = {
    "whole-chunk": lambda z: z.__setitem__((slice(0, 4), slice(0, 5)), 7),
    "partial-chunk": lambda z: z.__setitem__((1, slice(1, 3)), 7),
    "scalar": lambda z: z.__setitem__((0, 0), 7),
    "unwritten-chunk": lambda z: z.__setitem__((slice(8, 12), slice(10, 15)), 7),
    "everything": lambda z: z.__setitem__(Ellipsis, 7),
    "set_basic_selection": lambda z: z.set_basic_selection((slice(None), 2), 7),
    "resize-grow": lambda z: z.resize(20, 20),
    "resize-shrink": lambda z: z.resize(3, 3),
    "resize-same": lambda z: z.resize(10, 15),
    "append-axis-0": lambda z: z.append(np.full((3, 15), 7)),
    "append-axis-1": lambda z: z.append(np.full((10, 3), 7), axis=1),
}


@pytest.mark.parametrize("kind", sorted(READ_ONLY_KINDS))
def test_mode_r_refuses_every_write_and_leaves_every_byte(tmp_path, kind):
    options = dict(READ_ONLY_KINDS[kind])
    dtype = options.pop("dtype")
    path = str(tmp_path / "a.zarr")
    w = zarr.open(path, mode="w", shape=(10, 15), dtype=dtype, chunks=(4, 5), **options)
    values = np.arange(150).reshape(10, 15)
    if w.dtype.hasobject:
        values = values.astype(object)
    w[:8] = values[:8]
    before = snapshot(str(tmp_path))  # the array and anything beside it (a .sync directory)
    z = zarr.open(path, mode="r", **{k: v for k, v in options.items() if k != "cname"})
    assert z.mode == "r"
    for name, write in WRITES.items():
        with pytest.raises(ReadOnlyError) as info:
            write(z)
        assert isinstance(info.value, PermissionError)
        assert path in str(info.value)
        assert z.shape == (10, 15), name
        assert snapshot(str(tmp_path)) == before, name
    expected = values.copy()
    expected[8:] = None if z.dtype.hasobject else 0
    np.testing.assert_array_equal(z[...], expected)
    assert z.nchunks_initialized == 6
    assert snapshot(str(tmp_path)) == before


# A writer killed at random points: every chunk file holds a whole version.


ROWS, WIDTH = 6, 500

KILL_CONFIGS = [
    dict(dtype="i4", cname="blosclz", dimension_separator="."),
    dict(dtype="i4", cname=None, dimension_separator="/", lazy=True),
    dict(dtype="i8", cname="lz4", dimension_separator=".", synchronized=False),
    dict(dtype="i4", cname="zstd", dimension_separator="/", process_sync=True),
    dict(dtype=object, cname="blosclz", dimension_separator="."),
]


def _writer(path, options, ready):
    """In a forked child: write versions 1, 2, 3... until killed. Each version v:
    (1) chunk row 0 whole; (2) chunk rows 1 to 4 in one multi-chunk write;
    (3) the first half of chunk row 5; (4) its second half (read-modify-writes)."""
    z = zarr.open(path, mode="r+", lazy=options.get("lazy", False),
                  synchronized=options.get("synchronized", True),
                  process_sync=options.get("process_sync", False))
    os.write(ready, b"r")
    half = WIDTH // 2
    for v in range(1, 10**9):
        z[0] = v
        z[1:5] = v
        z[5, :half] = v
        z[5, half:] = v


def _versions(z):
    """The version in each cell, in the order the writer writes them:
    row 0, rows 1-4 (as max and min: their order within one write is free),
    the halves of row 5. A cell holding two values is a torn write."""
    data = np.asarray(z[...])
    half = WIDTH // 2
    cells = [data[0]] + [data[r] for r in range(1, 5)] + [data[5, :half], data[5, half:]]
    versions = []
    for cell in cells:
        distinct = set(cell.tolist())
        assert len(distinct) == 1, "a torn chunk: %s" % sorted(distinct)[:5]
        versions.append(int(distinct.pop()))
    middle = versions[1:5]
    return [versions[0], max(middle), min(middle), versions[5], versions[6]]


def test_writer_killed_at_random_points_leaves_whole_versions(tmp_path):
    trials = 200 if CI else 30
    rng = random.Random(20261123)
    root = str(tmp_path)
    progressed = leftovers = 0
    for trial in range(trials):
        options = KILL_CONFIGS[trial % len(KILL_CONFIGS)]
        path = os.path.join(root, "t%d.zarr" % trial)
        zarr.open(path, mode="w", shape=(ROWS, WIDTH), dtype=options["dtype"],
                  chunks=(1, WIDTH), cname=options["cname"], fill_value=0,
                  dimension_separator=options["dimension_separator"])
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            try:
                os.close(r)
                _writer(path, options, w)
            finally:
                os._exit(0)
        os.close(w)
        assert os.read(r, 1) == b"r"
        os.close(r)
        time.sleep(rng.uniform(0, 0.03))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        context = "trial %d, %r" % (trial, options)

        partials = partial_files(path)
        leftovers += bool(partials)
        z = zarr.open(path, mode="r", lazy=options.get("lazy", False))
        versions = _versions(z)
        # A prefix of the writer's sequence of atomic writes: versions never
        # rise along it and differ by one at most.
        assert versions == sorted(versions, reverse=True), (context, versions)
        assert versions[0] - versions[-1] <= 1, (context, versions)
        progressed += versions[0] > 0
        # Temporary files are not chunks: not counted, not listed, not read.
        files = chunk_files(path)
        assert not any(f.endswith(PARTIAL_SUFFIX) for f in files)
        assert z.nchunks_initialized == len(files), (context, files, partials)
        listed = sorted(key for key, _ in iter_chunk_files(path, 2,
                                                             options["dimension_separator"]))
        assert len(listed) == len(files) and all(k[1] == 0 and k[0] < ROWS for k in listed)
        assert z.cbytes == sum(os.path.getsize(os.path.join(path, f)) for f in files)
        assert partial_files(path) == partials  # reading removes nothing
        # Opening to write removes what the killed writer left; later writes
        # to every chunk succeed.
        z = zarr.open(path, mode="r+", lazy=options.get("lazy", False))
        assert partial_files(path) == [], context
        z[...] = 10**6
        z[5, :3] = 7
        expected = np.full((ROWS, WIDTH), 10**6)
        expected[5, :3] = 7
        np.testing.assert_array_equal(np.asarray(z[...], dtype="i8"), expected, err_msg=context)
        assert z.nchunks_initialized == ROWS
        assert partial_files(path) == []
        shutil.rmtree(path)
    # The kills landed while writing: most trials got past the first version.
    assert progressed >= trials // 2, (progressed, trials)
    assert leftovers > 0, "no kill landed inside a write: the test saw no temporary file"
    print("killed writers: %d trials, %d past version 0, %d left temporary files"
          % (trials, progressed, leftovers))


# Permissions and I/O errors: they raise; only a missing file reads as fill.


def test_writing_into_a_read_only_directory_raises_and_changes_nothing(world_dir):
    for separator in (".", "/"):
        path = os.path.join(world_dir, "a%s.zarr" % ("dot" if separator == "." else "slash"))
        z = zarr.open(path, mode="w", shape=(10, 10), dtype="i4", chunks=(4, 4),
                      dimension_separator=separator)
        z[:4] = np.arange(40).reshape(4, 10)
        make_read_only(path)

        def attempt():
            a = zarr.open(path, mode="r+")
            before = snapshot(path)
            writes = {"existing chunk, whole": ((slice(0, 4), slice(0, 4)), 1),
                      "existing chunk, part": ((0, 0), 1),
                      "new chunk": ((slice(8, 10), slice(8, 10)), 1),
                      "resize": None,
                      "append": None}
            for name, write in writes.items():
                with pytest.raises(PermissionError) as info:
                    if name == "resize":
                        a.resize(20, 20)
                    elif name == "append":
                        a.append(np.ones((2, 10), "i4"))
                    else:
                        a[write[0]] = write[1]
                assert not isinstance(info.value, ReadOnlyError)
                assert info.value.errno == errno.EACCES, name
                assert path in str(info.value), name
                assert a.shape == (10, 10), name
                assert snapshot(path) == before, name
            expected = np.zeros((10, 10), "i4")
            expected[:4] = np.arange(40).reshape(4, 10)
            np.testing.assert_array_equal(a[...], expected)
            assert zarr.open(path, mode="r").shape == (10, 10)

        run_unprivileged(attempt)


def test_unreadable_chunk_file_raises_permission_error(world_dir):
    for dtype in ("i4", object):
        path = os.path.join(world_dir, "a-%s.zarr" % np.dtype(dtype).kind)
        z = garbage.make_array(path, dtype, "blosclz")
        chunk = os.path.join(path, "1")
        os.chmod(chunk, 0)
        try:
            def attempt():
                for lazy in (False, True):
                    a = zarr.open(path, mode="r", lazy=lazy)
                    for sel in (Ellipsis, slice(10, 20), 15, slice(12, 14)):
                        with pytest.raises(PermissionError) as info:
                            a[sel]
                        assert info.value.filename == chunk
                    # Still a chunk: it is there, only unreadable.
                    assert a.nchunks_initialized == 10
                    np.testing.assert_array_equal(a[20:], garbage.expected(dtype)[20:])

            run_unprivileged(attempt)
        finally:
            os.chmod(chunk, 0o644)
        np.testing.assert_array_equal(z[...], garbage.expected(dtype))


def test_a_directory_in_place_of_a_chunk_raises(tmp_path):
    for dtype in ("i4", object):
        path = str(tmp_path / ("a-%s.zarr" % np.dtype(dtype).kind))
        z = garbage.make_array(path, dtype, "blosclz")
        chunk = os.path.join(path, "1")
        os.remove(chunk)
        os.mkdir(chunk)
        assert z.nchunks_initialized == 9
        for sel in (Ellipsis, slice(10, 20), 15):
            with pytest.raises(IsADirectoryError) as info:
                z[sel]
            assert info.value.filename == chunk
        # A whole-chunk write cannot replace a directory either; it leaves no temporary file.
        with pytest.raises(IsADirectoryError):
            z[10:20] = garbage.expected(dtype)[:10]
        assert os.path.isdir(chunk) and partial_files(path) == []


def test_an_io_error_raises_naming_the_file(tmp_path):
    """A real EIO: reading /proc/self/mem at offset 0 fails so (address 0 is not mapped)."""
    for dtype in ("i4", object):
        path = str(tmp_path / ("a-%s.zarr" % np.dtype(dtype).kind))
        z = garbage.make_array(path, dtype, "blosclz")
        chunk = os.path.join(path, "1")
        os.remove(chunk)
        os.symlink("/proc/self/mem", chunk)
        for sel in (Ellipsis, slice(10, 20), 15):
            with pytest.raises(OSError) as info:
                z[sel]
            assert info.value.errno == errno.EIO
            assert info.value.filename == chunk
        np.testing.assert_array_equal(z[20:], garbage.expected(dtype)[20:])


def test_a_symlink_loop_raises(tmp_path):
    z = garbage.make_array(str(tmp_path / "a.zarr"), "i4", "blosclz")
    chunk = os.path.join(z.path, "1")
    os.remove(chunk)
    os.symlink("1", chunk)
    with pytest.raises(OSError) as info:
        z[10:20]
    assert info.value.errno == errno.ELOOP and info.value.filename == chunk


@pytest.mark.parametrize("err", [errno.EIO, errno.EACCES, errno.ENOMEM, errno.ESTALE])
def test_errors_of_the_file_reader_are_never_fill_values(tmp_path, monkeypatch, err):
    """Whatever opening a chunk file raises reaches the caller, in every kind of array."""
    real = os.open
    paths = []

    def failing(path, flags, *args, **kwargs):
        if os.path.basename(path) == "1" and not flags & (os.O_WRONLY | os.O_RDWR):
            paths.append(path)
            raise OSError(err, os.strerror(err), path)
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", failing)
    for dtype, lazy in [("i4", False), ("i4", True), (object, False)]:
        path = str(tmp_path / ("a-%s-%s.zarr" % (np.dtype(dtype).kind, lazy)))
        z = garbage.make_array(path, dtype, "blosclz", lazy=lazy)
        for sel in (Ellipsis, slice(10, 20), 15):
            with pytest.raises(OSError) as info:
                z[sel]
            assert info.value.errno == err
        # A partial write must read first: it fails and leaves the chunk as it was.
        before = snapshot(path, dir_times=False)
        with pytest.raises(OSError):
            z[15] = garbage.expected(dtype)[0]
        assert snapshot(path, dir_times=False) == before
        np.testing.assert_array_equal(z[20:], garbage.expected(dtype)[20:])
    assert paths  # the hook was on the read path


def test_only_a_missing_chunk_file_reads_as_fill(tmp_path):
    z = zarr.open(str(tmp_path / "a.zarr"), mode="w", shape=30, dtype="f8", chunks=10,
                  fill_value=-1.5)
    z[:] = np.arange(30)
    os.remove(os.path.join(z.path, "1"))
    expected = np.arange(30.0)
    expected[10:20] = -1.5
    np.testing.assert_array_equal(z[...], expected)
    assert z[15] == -1.5 and z.nchunks_initialized == 2


# A full disk.


def _fd_path(fd):
    return os.readlink("/proc/self/fd/%d" % fd)


@pytest.fixture
def full_disk(monkeypatch):
    """os.write fails with ENOSPC on files under the directories given to
    ``full_disk.under``, after ``full_disk.allow`` bytes (a short write first)."""
    real_write = os.write

    class Disk:
        under = []
        allow = 0
        failures = 0

        def write(self, fd, data):
            if any(_fd_path(fd).startswith(d + os.sep) for d in self.under):
                n = min(len(data), self.allow)
                self.allow -= n
                if n:
                    return real_write(fd, bytes(data[:n]))
                self.failures += 1
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return real_write(fd, data)

    disk = Disk()
    monkeypatch.setattr(os, "write", disk.write)
    return disk


@pytest.mark.parametrize("allow", [0, 7])
@pytest.mark.parametrize("dtype,separator", [("i4", "."), ("i4", "/"), (object, ".")])
def test_enospc_keeps_the_old_chunk_and_leaves_no_temporary_file(tmp_path, full_disk, allow,
                                                                 dtype, separator):
    path = str(tmp_path / "a.zarr")
    z = zarr.open(path, mode="w", shape=(4, 30), dtype=dtype, chunks=(2, 10),
                  dimension_separator=separator)
    values = np.arange(120).reshape(4, 30).astype(dtype)
    z[:2] = values[:2]
    before = file_snapshot(path)
    full_disk.under.append(path)
    new = np.full((4, 30), 99).astype(dtype)
    writes = {"whole chunk": (slice(0, 2), slice(0, 10)),
              "part of a chunk": (1, slice(3, 5)),
              "scalar": (0, 0),
              "new chunk": (slice(2, 4), slice(0, 10)),
              "many chunks": Ellipsis}
    for name, sel in writes.items():
        full_disk.allow = allow
        with pytest.raises(OSError) as info:
            z[sel] = new[sel]
        assert info.value.errno == errno.ENOSPC, name
        assert path in str(info.value), name
        assert partial_files(path) == [], name
        assert file_snapshot(path) == before, name
    assert full_disk.failures == len(writes)
    full_disk.under.clear()
    expected = values.copy()
    expected[2:] = None if z.dtype.hasobject else 0
    np.testing.assert_array_equal(z[...], expected)
    assert z.nchunks_initialized == 3
    z[...] = new
    np.testing.assert_array_equal(z[...], new)


def test_enospc_on_metadata_keeps_the_shape(tmp_path, full_disk):
    path = str(tmp_path / "a.zarr")
    z = zarr.open(path, mode="w", shape=20, dtype="i4", chunks=10)
    z[:] = np.arange(20)
    before = snapshot(path, dir_times=False)
    full_disk.under.append(path)
    for change in (lambda: z.resize(35), lambda: z.append(np.arange(5, dtype="i4"))):
        with pytest.raises(OSError) as info:
            change()
        assert info.value.errno == errno.ENOSPC
        assert z.shape == (20,)
        assert snapshot(path, dir_times=False) == before
        assert partial_files(path) == []
    full_disk.under.clear()
    assert zarr.open(path, mode="r").shape == (20,)
    np.testing.assert_array_equal(z[...], np.arange(20))


def test_a_real_write_failure_file_size_limit(tmp_path):
    """Without any patching: RLIMIT_FSIZE makes the kernel refuse to grow a file
    (EFBIG after a short write), in a forked child."""
    path = str(tmp_path / "a.zarr")
    z = zarr.open(path, mode="w", shape=4000, dtype="u1", chunks=2000, cname=None)
    z[:2000] = 1
    before = snapshot(path, dir_times=False)
    def limited_writer():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1000, resource.RLIM_INFINITY))
        a = zarr.open(path, mode="r+")
        for sel in (slice(0, 2000), slice(2000, 4000)):
            try:
                a[sel] = 2
            except OSError as e:
                assert e.errno == errno.EFBIG and path in str(e), e
            else:
                raise AssertionError("the write went through")

    run_in_child(limited_writer)
    assert snapshot(path, dir_times=False) == before
    assert partial_files(path) == []
    np.testing.assert_array_equal(z[...], np.repeat(np.array([1, 0], "u1"), 2000))


# fsync.


@pytest.fixture
def fsyncs(monkeypatch):
    """Record each os.fsync as (is a directory, inode)."""
    real = os.fsync
    calls = []

    def recording(fd):
        st = os.fstat(fd)
        calls.append((stat.S_ISDIR(st.st_mode), st.st_ino))
        return real(fd)

    monkeypatch.setattr(os, "fsync", recording)
    return calls


@pytest.mark.parametrize("dtype,separator", [("i4", "."), ("i4", "/"), (object, ".")])
def test_fsync_syncs_the_file_then_its_directory(tmp_path, fsyncs, dtype, separator):
    path = str(tmp_path / "a.zarr")
    z = zarr.open(path, mode="w", shape=(10, 10), dtype=dtype, chunks=(5, 5), fsync=True,
                  dimension_separator=separator)
    ino = lambda p: os.stat(p).st_ino  # noqa: E731
    # Creating the array synced .zattrs, then .zarray, each followed by the directory.
    assert fsyncs == [(False, ino(os.path.join(path, ".zattrs"))), (True, ino(path)),
                      (False, ino(os.path.join(path, ".zarray"))), (True, ino(path))]
    fsyncs.clear()
    z[0, 0] = 1
    chunk = os.path.join(path, "0" + separator + "0")
    assert fsyncs == [(False, ino(chunk)), (True, ino(os.path.dirname(chunk)))]
    fsyncs.clear()
    # four chunks, each synced with its directory (in order on one thread)
    z.set_basic_selection(Ellipsis, 2, threads=1)
    assert len(fsyncs) == 8
    assert [d for d, _ in fsyncs] == [False, True] * 4
    assert {i for d, i in fsyncs if not d} == {
        ino(os.path.join(path, "%d%s%d" % (i, separator, j))) for i in (0, 1) for j in (0, 1)}
    fsyncs.clear()
    z.set_basic_selection(Ellipsis, 3, threads=4)  # the same on several threads
    assert sorted(d for d, _ in fsyncs) == [False] * 4 + [True] * 4
    assert {i for d, i in fsyncs if not d} == {
        ino(os.path.join(path, "%d%s%d" % (i, separator, j))) for i in (0, 1) for j in (0, 1)}
    fsyncs.clear()
    z.resize(12, 10)  # the new .zarray
    assert fsyncs == [(False, ino(os.path.join(path, ".zarray"))), (True, ino(path))]
    fsyncs.clear()
    import pickle

    again = pickle.loads(pickle.dumps(z))  # the option travels with the array
    again[9, 9] = 3
    assert len(fsyncs) == 2


def test_without_fsync_nothing_is_synced(tmp_path, fsyncs):
    for dtype in ("i4", object):
        z = zarr.open(str(tmp_path / ("a%s.zarr" % np.dtype(dtype).kind)), mode="w",
                      shape=(10, 10), dtype=dtype, chunks=(5, 5))
        z[:] = 1
        z.resize(20, 20)
        assert zarr.open(z.path, fsync=True)[0, 0] == 1  # opening syncs nothing
    assert fsyncs == []


# Temporary files of interrupted writes are never chunks.


def _plant_partials(path, separator, rng):
    """Garbage temporary files of the names writes use, beside and among the
    chunks: of a live writer (this process), as this version and earlier ones
    name them, and names that are not a writer's."""
    planted = []
    dirs = [path]
    if separator == "/":
        dirs += [os.path.join(path, d) for d in sorted(os.listdir(path))
                 if os.path.isdir(os.path.join(path, d))]
    me = os.getpid()
    for d in dirs:
        for name in (".0.%d@%s.0" % (me, HOST), ".1.%d.7" % me, ".zarray.%d@%s.0" % (me, HOST),
                     "3", "0", ".0.1234@another-host.0"):
            full = os.path.join(d, name + PARTIAL_SUFFIX)
            with open(full, "wb") as f:
                f.write(rng.randbytes(rng.randrange(0, 300)))
            planted.append(os.path.relpath(full, path))
    return sorted(planted)


@pytest.mark.parametrize("separator", [".", "/"])
@pytest.mark.parametrize("lazy", [False, True])
def test_leftover_partial_files_are_ignored(tmp_path, separator, lazy):
    rng = random.Random(7)
    path = str(tmp_path / "a.zarr")
    z = zarr.open(path, mode="w", shape=(10, 10), dtype="i4", chunks=(3, 3), lazy=lazy,
                  dimension_separator=separator)
    values = np.arange(100, dtype="i4").reshape(10, 10)
    z[:5] = values[:5]
    planted = _plant_partials(path, separator, rng)
    assert partial_files(path) == planted
    expected = values.copy()
    expected[5:] = 0
    z = zarr.open(path, mode="r+", lazy=lazy)
    np.testing.assert_array_equal(z[...], expected)
    np.testing.assert_array_equal(z[4:7, 2:9], expected[4:7, 2:9])
    assert z.nchunks_initialized == 8
    real = [f for f in chunk_files(path) if not f.endswith(PARTIAL_SUFFIX)]
    assert z.cbytes == sum(os.path.getsize(os.path.join(path, f)) for f in real)
    keys = sorted(key for key, _ in iter_chunk_files(path, 2, separator))
    assert keys == [(i, j) for i in range(2) for j in range(4)]
    # Writes, shrinking and growing see only the real chunks.
    z[9, 9] = 5
    assert z.nchunks_initialized == 9
    z.resize(2, 10)
    assert z.nchunks_initialized == 4
    z.resize(10, 10)
    expected[2:] = 0
    np.testing.assert_array_equal(z[...], expected)
    assert zarr.open(path, mode="r").nchunks_initialized == 4
    # The leftovers of live writers, or of another host, are not removed by
    # anything above.
    assert set(planted) <= set(partial_files(path))


def test_writes_leave_no_partial_files(tmp_path):
    for separator in (".", "/"):
        z = zarr.open(str(tmp_path / ("a%d.zarr" % len(separator))), mode="w",
                      shape=(20, 20), dtype="f8", chunks=(3, 7), fsync=True,
                      dimension_separator=separator)
        z[:] = np.random.default_rng(0).random((20, 20))
        z[5:9, 1:13] = 0
        z.append(np.ones((3, 20)))
        z.resize(5, 5)
        assert partial_files(z.path) == []


@pytest.mark.parametrize("fsync", [False, True])
def test_writes_without_fsync_leave_no_partial_files(tmp_path, fsync):
    z = zarr.open(str(tmp_path / "a.zarr"), mode="w", shape=(20, 20), dtype="f8",
                  chunks=(3, 7), fsync=fsync)
    for _ in range(2):  # the second round replaces every chunk file
        z[:] = np.random.default_rng(0).random((20, 20))
    z[5:9, 1:13] = 0
    z.append(np.ones((3, 20)))
    assert partial_files(z.path) == []
    assert z.nchunks_initialized == z.nchunks


@pytest.mark.parametrize("fsync", [False, True])
def test_a_replaced_chunk_file_is_a_new_file_and_open_readers_keep_the_old(tmp_path, fsync):
    z = zarr.open(str(tmp_path / "a.zarr"), mode="w", shape=(100,), chunks=(50,),
                  dtype="i8", fsync=fsync)
    z[:] = np.arange(100)
    chunk = os.path.join(z.path, "0")
    old, inode = open(chunk, "rb").read(), os.stat(chunk).st_ino
    with open(chunk, "rb") as reader:
        z[:50] = -np.arange(50)
        assert reader.read() == old
    assert os.stat(chunk).st_ino != inode
    assert open(chunk, "rb").read() != old
    np.testing.assert_array_equal(z[:], np.r_[-np.arange(50), np.arange(50, 100)])
    assert partial_files(z.path) == []


@pytest.mark.parametrize("exchange", [False, True])
def test_write_file_atomic_creates_replaces_and_leaves_nothing_else(tmp_path, exchange):
    path = str(tmp_path / "d" / "x")
    store_files.write_file_atomic(path, b"first", exchange=exchange)
    store_files.write_file_atomic(path, memoryview(b"second"), exchange=exchange)
    assert open(path, "rb").read() == b"second"
    # A symlink in the way is replaced by the file; its target is left alone.
    target = tmp_path / "target"
    target.write_bytes(b"target")
    os.remove(path)
    os.symlink(target, path)
    store_files.write_file_atomic(path, b"third", exchange=exchange)
    assert not os.path.islink(path) and open(path, "rb").read() == b"third"
    assert target.read_bytes() == b"target"
    assert os.listdir(tmp_path / "d") == ["x"]


@pytest.mark.parametrize("exchange", [False, True])
def test_write_file_atomic_never_replaces_a_directory(tmp_path, exchange):
    path = tmp_path / "x"
    path.mkdir()
    (path / "inside").write_bytes(b"kept")
    with pytest.raises(IsADirectoryError) as info:
        store_files.write_file_atomic(str(path), b"new", exchange=exchange)
    assert info.value.filename == str(path)
    assert (path / "inside").read_bytes() == b"kept"
    assert sorted(os.listdir(tmp_path)) == ["x"]


def test_read_file_reads_whole_files_of_any_size(tmp_path):
    for n in (0, 1, 65536, 3 << 20):
        path = tmp_path / ("f%d" % n)
        data = os.urandom(n)
        path.write_bytes(data)
        assert store_files.read_file(str(path)) == data
    assert store_files.read_file(str(tmp_path / "missing")) is None
    # A file whose size the kernel reports as 0 is read to its end.
    assert store_files.read_file("/proc/self/status").startswith(b"Name:")


def test_an_empty_chunk_file_is_cleared_by_writing_the_whole_chunk(tmp_path):
    """What a power loss without fsync may leave: reads and partial writes
    raise, a write of the whole chunk replaces it."""
    z = zarr.open(str(tmp_path / "a.zarr"), mode="w", shape=(20,), chunks=(10,), dtype="i4")
    z[:] = np.arange(20)
    chunk = os.path.join(z.path, "0")
    open(chunk, "wb").close()
    with pytest.raises(CorruptChunkError):
        z[3]
    with pytest.raises(CorruptChunkError):
        z[3:5] = 0
    assert os.path.getsize(chunk) == 0
    z[0:10] = -np.arange(10)
    np.testing.assert_array_equal(z[:], np.r_[-np.arange(10), np.arange(10, 20)])
