"""FsspecStore: the store protocol over fsspec filesystems (memory, local files),
errors of a service raised as such, and the S3 API of moto's server on the
loopback interface: arrays and groups by URL, the requests each read, write
and open makes, and a missing bucket that never reads as fill values."""

import collections
import pickle
import subprocess
import sys

import fsspec
import numpy as np
import pytest
from fsspec.implementations.memory import MemoryFileSystem

import zarr
from zarr.errors import ReadOnlyError
from zarr.storage import FsspecStore, FSStore, LocalStore, as_store

from arrays import new_path


@pytest.fixture
def mem_store():
    store = FsspecStore.from_url("memory://" + new_path())
    yield store
    store.delete_prefix("")


def test_the_protocol_over_the_memory_filesystem(mem_store):
    s = mem_store
    with pytest.raises(KeyError):
        s.get("a/0.0")
    assert s.get("a/0.0", None) is None
    s["a/0.0"] = b"0123456789"
    s["a/b/.zarray"] = memoryview(b"{}")
    s["c"] = bytearray(b"xyz")
    assert s["a/0.0"] == b"0123456789"
    assert s.get_ranges("a/0.0", [(2, 3), (8, 10), (20, 5)]) == [b"234", b"89", b""]
    assert s.list() == ["a/0.0", "a/b/.zarray", "c"]
    assert s.list("a") == ["a/0.0", "a/b/.zarray"]
    assert s.list_dir("") == ["a", "c"]
    assert s.list_dir("a") == ["0.0", "b"]
    assert s.list_dir_sizes("a") == [("0.0", 10), ("b", None)]
    assert s.list_sizes("a") == [("0.0", 10), ("b/.zarray", 2)]
    assert s.getsize("a/0.0") == 10 and "a/0.0" in s and "a" not in s and "nope" not in s
    with pytest.raises(KeyError):
        s.getsize("a")  # a prefix holds no value
    assert s.contains_prefix("a") and not s.contains_prefix("x")
    with pytest.raises(KeyError):
        s.delete("a/missing")
    s.delete("c")
    assert "c" not in s
    s.delete_prefix("a/b")
    assert s.list() == ["a/0.0"]
    with pytest.raises(ValueError):
        s["../escape"] = b""
    with pytest.raises(TypeError):
        s["x"] = "text"


def test_read_only_refuses_every_change_and_changes_nothing(mem_store):
    mem_store["k"] = b"v"
    ro = mem_store.with_read_only()
    for change in (lambda: ro.set("k", b"w"), lambda: ro.delete("k"),
                   lambda: ro.delete_prefix(""), lambda: ro.set("new", b"")):
        with pytest.raises(ReadOnlyError):
            change()
    assert mem_store.list() == ["k"] and mem_store["k"] == b"v"
    z = zarr.open(FsspecStore(mem_store.fs, mem_store.path + "/z"), mode="w", shape=4, chunks=2)
    z[:] = 1
    zr = zarr.open(FsspecStore(mem_store.fs, mem_store.path + "/z", read_only=True), mode="r")
    with pytest.raises(ReadOnlyError):
        zr[0] = 5
    assert zr[:].tolist() == [1, 1, 1, 1]


def test_urls_mappers_and_the_v2_name():
    url = "memory://" + new_path()
    z = zarr.open(url, mode="w", shape=(20, 30), chunks=(7, 8), dtype="i8")
    a = np.arange(600).reshape(20, 30)
    z[...] = a
    assert isinstance(z.store, FsspecStore) and FSStore is FsspecStore
    assert np.array_equal(zarr.open(url, mode="r")[...], a)
    mapper = fsspec.get_mapper(url)
    store = as_store(mapper)
    assert isinstance(store, FsspecStore) and store.url() == z.store.url()
    assert np.array_equal(zarr.open(mapper, mode="r")[3:9, ::4], a[3:9, ::4])
    g = zarr.open_group("memory://" + new_path(), mode="w")
    g.zeros("x/y", shape=5, chunks=2)
    assert g["x/y"].store == g.store
    # file:// is the directory itself
    path = new_path()
    zl = zarr.open("file://" + path, mode="w", shape=3, chunks=2)
    assert isinstance(zl.store, LocalStore) and zl.store.root == path
    with pytest.raises(ValueError, match="storage_options"):
        zarr.open(path, mode="r", storage_options={"anon": True})
    with pytest.raises(TypeError, match="storage_options"):
        FsspecStore.from_url(url, storage_options="anon")
    with pytest.raises(TypeError, match="fsspec filesystem"):
        FsspecStore({}, "x")


def test_a_local_filesystem_write_replaces_the_file_whole(tmp_path):
    fs = fsspec.filesystem("file")
    store = FsspecStore(fs, str(tmp_path / "a.zarr"))
    z = zarr.open(store, mode="w", shape=(100,), chunks=(10,), dtype="f8")
    z[:] = np.arange(100.0)
    written = sorted(p.name for p in (tmp_path / "a.zarr").iterdir())
    assert written == sorted([".zarray", ".zattrs"] + [str(i) for i in range(10)])
    # the same bytes a directory store reads
    assert np.array_equal(zarr.open(str(tmp_path / "a.zarr"), mode="r")[:], np.arange(100.0))


class _Failing(MemoryFileSystem):
    """A memory filesystem whose reads and listings fail as a service's do."""

    protocol = ("failing",)
    error = None

    def cat_file(self, path, *args, **kwargs):
        if self.error is not None:
            raise self.error
        return super().cat_file(path, *args, **kwargs)

    def cat_ranges(self, paths, starts, ends, **kwargs):
        if self.error is not None:
            return [self.error] * len(paths)
        return super().cat_ranges(paths, starts, ends, **kwargs)

    def find(self, path, *args, **kwargs):
        if self.error is not None:
            raise self.error
        return super().find(path, *args, **kwargs)


@pytest.mark.parametrize("error", [PermissionError(13, "Access Denied"),
                                   TimeoutError("read timed out"),
                                   ConnectionError("connection reset")])
def test_errors_of_the_service_raise_as_such_naming_the_url_and_key(error):
    fs = _Failing(skip_instance_cache=True)
    store = FsspecStore(fs, new_path())
    z = zarr.open(store, mode="w", shape=(1000,), chunks=(100,), dtype="i4",
                  blocksize=64)
    z[:] = np.arange(1000)
    fs.error = error
    for read in (lambda: z[:], lambda: z[5], lambda: z.nchunks_initialized):
        with pytest.raises(type(error)) as info:
            read()
        assert store.path in str(info.value)
    with pytest.raises(type(error), match=r"key '3'"):
        store.get("3")
    fs.error = None
    assert np.array_equal(z[:], np.arange(1000))


def test_a_memory_filesystem_store_goes_to_another_process_as_a_copy(mem_store):
    z = zarr.open(mem_store, mode="w", shape=4, chunks=2)
    z[:] = 7
    blob = pickle.dumps(z)
    same = pickle.loads(blob)  # this process: the same bytes
    assert same.store == z.store
    z[0] = 8
    assert same[:].tolist() == [8, 7, 7, 7]
    code = ("import pickle, sys\n"
            "z = pickle.loads(sys.stdin.buffer.read())\n"
            "print(type(z.store).__name__, z[:].tolist())\n"
            "try:\n    z[0] = 1\n"
            "except Exception as e:\n    print(type(e).__name__, e)\n"
            "else:\n    print('written')\n")
    out = subprocess.run([sys.executable, "-c", code], input=blob, capture_output=True,
                         timeout=120, check=True).stdout.decode().splitlines()
    assert out[0] == "MemoryStore [7.0, 7.0, 7.0, 7.0]"
    assert out[1].startswith("ReadOnlyError") and "is a copy" in out[1]
    assert z[:].tolist() == [8, 7, 7, 7]


# S3: moto's server on 127.0.0.1 (tests/s3server.py).


class Counted:
    """The S3 operations of one s3fs filesystem, counted as (operation, ranged)."""

    def __init__(self, fs):
        self.calls = collections.Counter()
        call = fs._call_s3

        async def counting(method, *args, **kwargs):
            self.calls[method, "Range" in kwargs] += 1
            return await call(method, *args, **kwargs)

        fs._call_s3 = counting

    def take(self):
        calls, self.calls = dict(self.calls), collections.Counter()
        return calls


def test_arrays_and_groups_by_s3_url(s3_server, s3_bucket):
    opts = s3_server.storage_options
    url = "s3://%s/seed.zarr" % s3_bucket
    a = np.arange(200 * 300, dtype="i4").reshape(200, 300)
    z = zarr.open(url, mode="w", shape=a.shape, chunks=(50, 70), dtype="i4",
                  storage_options=opts)
    z[...] = a
    z[10:20, 65:75] = -1
    a[10:20, 65:75] = -1
    z2 = zarr.open(url, mode="r", storage_options=opts)
    assert np.array_equal(z2[...], a)
    assert np.array_equal(z2.oindex[[3, 150], [0, 299]], a[np.ix_([3, 150], [0, 299])])
    assert z2[199, 299] == a[199, 299]
    gurl = "s3://%s/g.zarr" % s3_bucket
    g = zarr.open_group(gurl, mode="w", storage_options=opts)
    g.attrs["title"] = "on s3"
    g.array("sub/x", np.linspace(0, 1, 50), chunks=20)
    zarr.consolidate_metadata(gurl, storage_options=opts)
    gc = zarr.open_consolidated(gurl, storage_options=opts)
    assert gc.attrs["title"] == "on s3"
    assert np.array_equal(gc["sub/x"][...], np.linspace(0, 1, 50))
    v3 = zarr.open("s3://%s/v3.zarr" % s3_bucket, mode="w", shape=(40, 40), chunks=(10, 10),
                   shards=(20, 20), zarr_format=3, dtype="f4", storage_options=opts)
    v3[...] = np.eye(40)
    assert np.array_equal(zarr.open("s3://%s/v3.zarr" % s3_bucket, mode="r",
                                    storage_options=opts)[...], np.eye(40, dtype="f4"))


def test_the_requests_of_reads_writes_and_opens(s3_server, s3_bucket):
    fs = s3_server.filesystem()
    count = Counted(fs)
    store = FsspecStore(fs, s3_bucket + "/a.zarr")
    a = np.random.default_rng(0).normal(size=(400, 4000))
    z = zarr.open(store, mode="w", shape=a.shape, chunks=(100, 1000), dtype="f8",
                  blocksize=8192)
    count.take()
    z[...] = a
    calls = count.take()
    assert calls[("put_object", False)] == 16  # one whole-object PUT per chunk
    assert not any(op in ("create_multipart_upload", "upload_part") for op, _ in calls)

    z = zarr.open(store, mode="r")
    opened = count.take()
    assert sum(opened.values()) <= 4 and not any(ranged for _, ranged in opened)
    assert z[123, 3456] == a[123, 3456]
    calls = count.take()
    # one element: the header and block table, then the block; never the chunk
    assert calls == {("get_object", True): 2}, calls
    assert np.array_equal(z[...], a)
    calls = count.take()
    assert calls == {("get_object", False): 16}, calls

    # a 3.6 PB lazy array opens with the requests of a small one, and counts
    # its chunks with one listing
    big = FsspecStore(fs, s3_bucket + "/big.zarr")
    lz = zarr.open(big, mode="w", shape=(10 ** 9, 10 ** 6), chunks=(10 ** 4, 10 ** 4),
                   dtype="f4", lazy=True)
    lz[5, 5] = 1.0
    lz[-1, -1] = 2.0
    count.take()
    lz = zarr.open(big, mode="r", lazy=True)
    assert count.take() == opened
    assert lz.nchunks_initialized == 2
    assert count.take() == {("list_objects_v2", False): 1}
    assert lz[5, 5] == 1.0 and lz[-1, -1] == 2.0


def test_a_consolidated_hierarchy_opens_with_one_request(s3_server, s3_bucket):
    fs = s3_server.filesystem()
    store = FsspecStore(fs, s3_bucket + "/h.zarr")
    g = zarr.open_group(store, mode="w")
    for name in ("a/x", "a/y", "b/c/z"):
        g.zeros(name, shape=(10, 10), chunks=(5, 5))
        g[name].attrs["name"] = name
    zarr.consolidate_metadata(store)
    count = Counted(fs)
    gc = zarr.open_consolidated(FsspecStore(fs, s3_bucket + "/h.zarr"))
    tree = [(name, gc[name].shape, gc[name].attrs["name"]) for name in ("a/x", "a/y", "b/c/z")]
    assert tree == [("a/x", (10, 10), "a/x"), ("a/y", (10, 10), "a/y"),
                    ("b/c/z", (10, 10), "b/c/z")]
    assert count.take() == {("get_object", False): 1}


def test_a_missing_bucket_raises_and_never_reads_as_fill_values(s3_server, s3_bucket):
    opts = s3_server.storage_options
    url = "s3://%s/a.zarr" % s3_bucket
    z = zarr.open(url, mode="w", shape=(10,), chunks=(5,), dtype="i4", storage_options=opts)
    z[:] = 3
    fs = s3_server.filesystem()
    fs.rm(s3_bucket, recursive=True)
    with pytest.raises(FileNotFoundError, match=s3_bucket):
        z[:]
    with pytest.raises(FileNotFoundError, match=s3_bucket):
        z.nchunks_initialized
    with pytest.raises(FileNotFoundError, match=s3_bucket):
        z[:] = 4
    with pytest.raises(FileNotFoundError):
        zarr.open("s3://no-such-bucket-here/a.zarr", mode="r", storage_options=opts)


def test_access_denied_raises_as_such_naming_the_url(tmp_path):
    from s3server import MotoServer
    # The first few requests go unchecked (the server's probe, the bucket made).
    server = MotoServer(INITIAL_NO_AUTH_ACTION_COUNT="6")
    try:
        bucket = server.new_bucket()
        fs = server.filesystem()
        for _ in range(10):  # the unchecked rest used up: every request from now is refused
            try:
                fs.invalidate_cache()
                fs.ls(bucket, refresh=True)
            except PermissionError:
                break
        else:
            raise AssertionError("the server never refused a request")
        url = "s3://%s/a.zarr" % bucket
        for make in (lambda: zarr.open(url, mode="r", storage_options=server.storage_options),
                     lambda: zarr.open(url, mode="w", shape=4, chunks=2,
                                       storage_options=server.storage_options)):
            with pytest.raises(PermissionError, match=url):
                make()
    finally:
        server.stop()
