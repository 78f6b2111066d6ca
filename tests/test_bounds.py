"""Hostile files and values are refused unread: chunks larger than any frame of
their chunk, files that are not regular files, metadata over its size limit or
nested too deeply."""

import json
import os
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import zarr
from arrays import KINDS
from zarr.errors import CorruptChunkError, MetadataError, NotAFileError
from zarr.storage import LocalStore, MemoryStore, WrapperStore
from zarr.storage.files import MAX_METADATA_SIZE

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

#: How long a guarded call may take: far more than any refusal, far less than a hang.
GUARD_SECONDS = 60


def guarded(code):
    """Run ``code`` (it prints its outcome) in a new interpreter, killed after
    GUARD_SECONDS: a read that blocks fails the test instead of hanging it."""
    env = dict(os.environ, PYTHONPATH=ROOT)
    try:
        done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env,
                              capture_output=True, text=True, timeout=GUARD_SECONDS)
    except subprocess.TimeoutExpired:
        pytest.fail("blocked for %d s: %s" % (GUARD_SECONDS, code))
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


OUTCOME = """
import zarr
def outcome(call):
    try:
        call()
    except Exception as e:
        print(type(e).__name__, e)
    else:
        print("no error")
"""

STORES = {
    "directory": lambda tmp_path: str(tmp_path / "a.zarr"),
    "memory": lambda tmp_path: MemoryStore(),
    "dict": lambda tmp_path: {},
}


@pytest.fixture(params=list(STORES))
def where(request, tmp_path):
    return STORES[request.param](tmp_path)


def put(where, key, data):
    """Write data raw at key of the store or directory where."""
    if isinstance(where, str):
        path = os.path.join(where, key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    else:
        where[key] = data


# Metadata nested deeper than the parser can go.

DEEP = b"[" * 100000 + b"]" * 100000
DEEP_OBJECT = b'{"a": ' * 100000 + b"1" + b"}" * 100000


@pytest.mark.parametrize("text", [DEEP, DEEP_OBJECT], ids=["lists", "objects"])
def test_deeply_nested_zarray_is_a_metadata_error(where, text):
    zarr.open(where, mode="w", shape=(4,), chunks=(2,), dtype="i4")
    put(where, ".zarray", text)
    with pytest.raises(MetadataError, match="nested too deeply") as info:
        zarr.open(where, mode="r")
    assert ".zarray" in str(info.value)


@pytest.mark.parametrize("text", [DEEP, DEEP_OBJECT], ids=["lists", "objects"])
def test_deeply_nested_zattrs_is_a_metadata_error(where, text):
    g = zarr.open_group(where, mode="w")
    z = g.zeros("x", shape=4, chunks=2, dtype="i4")
    put(where, ".zattrs", text)
    put(where, "x/.zattrs", text)
    for node, key in ((g, ".zattrs"), (z, "x/.zattrs")):
        for read in (dict, len, lambda a: a.asdict(), lambda a: "k" in a):
            with pytest.raises(MetadataError, match="nested too deeply") as info:
                read(node.attrs)
            assert key in str(info.value).replace(os.sep, "/")
        with pytest.raises(MetadataError, match="nested too deeply"):
            node.attrs["k"] = 1  # a change reads them first, and writes nothing
        assert bytes(g.store[key]) == text


# Metadata files over the size limit, in every store.

def test_metadata_over_the_size_limit_is_refused(where):
    z = zarr.open(where, mode="w", shape=(4,), chunks=(2,), dtype="i4")
    size = MAX_METADATA_SIZE + 1
    for name in (".zattrs", ".zarray"):
        if isinstance(where, str):
            os.truncate(os.path.join(where, name), size)  # sparse: costs no disk
        else:
            put(where, name, b" " * size)
    with pytest.raises(MetadataError, match="limit") as info:
        dict(z.attrs)
    assert ".zattrs" in str(info.value) and str(MAX_METADATA_SIZE) in str(info.value)
    with pytest.raises(MetadataError, match="limit") as info:
        zarr.open(where, mode="r")
    assert ".zarray" in str(info.value)


def test_metadata_at_the_size_limit_reads(tmp_path):
    z = zarr.open(str(tmp_path / "a.zarr"), mode="w", shape=(4,), chunks=(2,), dtype="i4")
    text = json.dumps({"x": "y" * (MAX_METADATA_SIZE - 100)})
    text += " " * (MAX_METADATA_SIZE - len(text))
    with open(os.path.join(z.store.root, ".zattrs"), "w") as f:
        f.write(text)
    assert len(z.attrs["x"]) == MAX_METADATA_SIZE - 100


# Chunk values larger than the largest frame of their chunk.

def _oversize_chunk(z, extra):
    """A size of extra bytes more than the largest frame a chunk of z can have."""
    nbytes = int(np.prod(z.chunks)) * z.dtype.itemsize
    bound = nbytes if z.compressor is None else nbytes + 16
    return bound + extra


@pytest.mark.parametrize("cname", ["blosclz", None])
def test_a_chunk_value_over_its_bound_is_corrupt(where, cname):
    z = zarr.open(where, mode="w", shape=(20, 20), chunks=(10, 10), dtype="f8", cname=cname)
    z[:] = 1.5
    size = _oversize_chunk(z, 1)
    put(where, "0.0", b"\0" * size)
    for sel in ((0, 0), (slice(0, 3), 0), Ellipsis, (slice(None), 5)):
        with pytest.raises(CorruptChunkError, match="%d bytes" % size) as info:
            z[sel]
        assert "0.0" in str(info.value)
    assert np.array_equal(z[10:, 10:], np.full((10, 10), 1.5))


@pytest.mark.parametrize("cname", ["blosclz", None])
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_an_oversize_chunk_is_corrupt_in_every_kind_of_array(kind, cname):
    z = KINDS[kind]((20, 20), "f8", (10, 10), cname=cname)
    z[:] = 1.5
    key = zarr.storage.join_key(z.key_prefix, zarr.storage.chunk_key((0, 0),
                                                                    z.dimension_separator))
    assert key in z.store
    size = _oversize_chunk(z, 1)
    z.store[key] = b"\1" * size
    for sel in ((0, 0), (slice(0, 3), 0), Ellipsis):
        with pytest.raises(CorruptChunkError, match="%d bytes" % size) as info:
            z[sel]
        assert key.rpartition("/")[2] in str(info.value)
    with pytest.raises(CorruptChunkError):
        z[0, 0] = 2.0  # a write of part of the chunk reads it first
    assert z.store[key] == b"\1" * size and z[15, 15] == 1.5


@pytest.mark.parametrize("cname", ["blosclz", None])
def test_a_sparse_8_gb_chunk_file_is_not_read(tmp_path, cname):
    path = str(tmp_path / "a.zarr")
    z = zarr.open(path, mode="w", shape=(20, 20), chunks=(10, 10), dtype="f8", cname=cname)
    z[:] = 1.5
    chunk = os.path.join(path, "0.0")
    os.truncate(chunk, 8 << 30)  # sparse: costs no disk, and no time unless read
    for sel in ((0, 0), (slice(0, 3), 0), Ellipsis):
        start = time.perf_counter()
        with pytest.raises(CorruptChunkError, match="8589934592 bytes") as info:
            z[sel]
        assert time.perf_counter() - start < 1.0  # a read of 8 GB takes seconds
        assert chunk in str(info.value)
    assert os.path.getsize(chunk) == 8 << 30


def test_a_frame_at_its_bound_still_reads(where):
    # Random bytes do not compress: blosc stores them as a copy, nbytes + 16.
    values = np.random.default_rng(1).integers(0, 256, (100, 100), dtype="u1")
    z = zarr.open(where, mode="w", shape=(100, 100), chunks=(100, 100), dtype="u1", shuffle=0)
    z[:] = values
    assert z.store.getsize("0.0") == 10000 + 16
    assert np.array_equal(z[:], values) and z[3, 4] == values[3, 4]
    assert np.array_equal(z[5:7, 1], values[5:7, 1])


# Files that are not regular files, in place of chunks and of metadata.

def test_a_link_to_dev_zero_as_a_chunk_is_refused(tmp_path):
    path = str(tmp_path / "a.zarr")
    for cname in ("blosclz", None):
        z = zarr.open(path, mode="w", shape=(20, 20), chunks=(10, 10), dtype="f8", cname=cname)
        z[:] = 1.5
        chunk = os.path.join(path, "0.0")
        os.remove(chunk)
        os.symlink("/dev/zero", chunk)
        for sel in ((0, 0), (slice(0, 3), 0), Ellipsis):
            with pytest.raises(NotAFileError, match="character device") as info:
                z[sel]
            assert info.value.filename == chunk and chunk in str(info.value)
        with pytest.raises(NotAFileError):
            z.store["0.0"]
        with pytest.raises(NotAFileError):
            z.store.get_ranges("0.0", [(0, 10)])


def test_a_link_to_dev_zero_as_metadata_is_refused(tmp_path):
    path = str(tmp_path / "a.zarr")
    z = zarr.open(path, mode="w", shape=(4,), chunks=(2,), dtype="i4")
    os.remove(os.path.join(path, ".zattrs"))
    os.symlink("/dev/zero", os.path.join(path, ".zattrs"))
    with pytest.raises(NotAFileError) as info:
        dict(z.attrs)
    assert info.value.filename == os.path.join(path, ".zattrs")
    os.remove(os.path.join(path, ".zarray"))
    os.symlink("/dev/zero", os.path.join(path, ".zarray"))
    with pytest.raises(NotAFileError):
        zarr.open(path, mode="r")


def test_a_fifo_as_a_chunk_is_refused_without_blocking(tmp_path):
    path = str(tmp_path / "a.zarr")
    out = guarded(OUTCOME + """
import os
path = %r
for cname in ("blosclz", None):
    z = zarr.open(path, mode="w", shape=(20, 20), chunks=(10, 10), dtype="f8", cname=cname)
    z[:] = 1.5
    os.remove(os.path.join(path, "0.0"))
    os.mkfifo(os.path.join(path, "0.0"))
    for sel in ((0, 0), (slice(0, 3), 0), Ellipsis):
        outcome(lambda: z[sel])
    outcome(lambda: z.store["0.0"])
    outcome(lambda: z.store.get_ranges("0.0", [(0, 10)]))
    print(z[10, 10])
""" % path)
    lines = out.splitlines()
    assert len(lines) == 12, out
    for line in lines[:5] + lines[6:11]:
        assert line.startswith("NotAFileError") and "FIFO" in line, line
        assert os.path.join(path, "0.0") in line
    assert lines[5] == lines[11] == "1.5"


def test_a_fifo_as_metadata_is_refused_without_blocking(tmp_path):
    path = str(tmp_path / "a.zarr")
    out = guarded(OUTCOME + """
import os
path = %r
z = zarr.open(path, mode="w", shape=(4,), chunks=(2,), dtype="i4")
for name in (".zattrs", ".zarray"):
    os.remove(os.path.join(path, name))
    os.mkfifo(os.path.join(path, name))
outcome(lambda: dict(z.attrs))
outcome(lambda: zarr.open(path, mode="r"))
os.mkdir(os.path.join(path, "g"))
os.mkfifo(os.path.join(path, "g", ".zattrs"))
open(os.path.join(path, "g", ".zgroup"), "w").write('{"zarr_format": 2}')
outcome(lambda: dict(zarr.open_group(os.path.join(path, "g"), mode="r").attrs))
os.remove(os.path.join(path, "g", ".zgroup"))
os.mkfifo(os.path.join(path, "g", ".zgroup"))
outcome(lambda: zarr.open_group(os.path.join(path, "g"), mode="r"))
""" % path)
    lines = out.splitlines()
    assert len(lines) == 4, out
    for line, name in zip(lines, (".zattrs", ".zarray", "g/.zattrs")):
        assert line.startswith("NotAFileError") and "FIFO" in line, line
        assert os.path.join(path, name) in line
    # A group's .zgroup is only looked for, never read: a FIFO there blocks nothing.
    assert lines[3] == "no error" or lines[3].startswith("NotAFileError"), lines[3]


def test_links_to_regular_files_still_read(tmp_path):
    path = str(tmp_path / "a.zarr")
    z = zarr.open(path, mode="w", shape=(20, 20), chunks=(10, 10), dtype="i4")
    z[:] = np.arange(400).reshape(20, 20)
    z.attrs["units"] = "m"
    outside = tmp_path / "outside"
    outside.mkdir()
    for name in ("0.0", ".zattrs", ".zarray"):
        os.rename(os.path.join(path, name), str(outside / name))
        os.symlink(str(outside / name), os.path.join(path, name))
    r = zarr.open(path, mode="r")
    assert np.array_equal(r[:], np.arange(400).reshape(20, 20))
    assert r[3, 4] == 64 and r.attrs["units"] == "m"
    assert r.store["0.0"] == (outside / "0.0").read_bytes()


def test_a_wrapped_directory_refuses_as_the_directory(tmp_path):
    path = str(tmp_path / "a.zarr")
    z = zarr.open(WrapperStore(LocalStore(path)), mode="w", shape=(20, 20), chunks=(10, 10),
                  dtype="f8")
    z[:] = 1.5
    # The wrapper's value is read whole, then its length checked; a link to a
    # device is refused by the directory store unread.
    with open(os.path.join(path, "0.0"), "ab") as f:
        f.write(b"\0" * (_oversize_chunk(z, 1) - os.path.getsize(os.path.join(path, "0.0"))))
    os.remove(os.path.join(path, "1.1"))
    os.symlink("/dev/zero", os.path.join(path, "1.1"))
    with pytest.raises(CorruptChunkError):
        z[0, 0]
    with pytest.raises(NotAFileError):
        z[15, 15]
    assert z[5, 15] == 1.5
