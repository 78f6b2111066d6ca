"""FsspecStore under hostile use: stores at a filesystem's root, ranges that
are empty or past a value's end on S3, names that look like keys or chunk keys
and are not (S3 'folder' objects, temporary files, non-ASCII digits), what a
deletion leaves, the lock names of a cluster, an array that was not reopened."""

import fsspec
import numpy as np
import pytest

import zarr
from zarr.storage import FsspecStore, MemoryStore

from arrays import new_path


@pytest.fixture
def root_memory():
    """fsspec's memory filesystem, emptied: a store at its root sees every key."""
    fs = fsspec.filesystem("memory")
    saved = dict(fs.store)
    fs.store.clear()
    yield fs
    fs.store.clear()
    fs.store.update(saved)


@pytest.mark.parametrize("url", ["memory://", "memory:///"])
def test_a_store_at_the_root_of_memory_lists_its_keys_as_written(root_memory, url):
    store = FsspecStore.from_url(url)
    store["a/0"] = b"x"
    store["b"] = b"yz"
    assert store.list() == ["a/0", "b"]
    assert store.list_dir() == ["a", "b"]
    assert store.list_sizes() == [("a/0", 1), ("b", 2)]
    assert store.list("a") == ["a/0"]
    z = zarr.open(store, mode="w", path="arr", shape=(4,), chunks=(2,), dtype="i4")
    z[:3] = 1
    assert z.nchunks_initialized == 2
    store.delete_prefix("")
    assert store.list() == [] and not root_memory.store
    root = zarr.open(store, mode="w", shape=(4,), chunks=(2,), dtype="i4")
    root[:] = 2
    assert root.nchunks_initialized == 2
    assert np.array_equal(zarr.open(store, mode="r")[:], [2, 2, 2, 2])


def _ranges_oracle(value, ranges):
    return MemoryStore({"k": value}).get_ranges("k", ranges)


RANGES = [[(0, 0)], [(5, 0)], [(10, 0)], [(8, 5)], [(10, 3)], [(20, 3)],
          [(0, 10), (3, 2), (9, 0), (12, 1)]]


@pytest.mark.parametrize("ranges", RANGES)
def test_ranges_empty_or_past_the_end_read_as_a_slice_does_on_memory(ranges):
    store = FsspecStore.from_url("memory://" + new_path())
    store["k"] = b"0123456789"
    assert store.get_ranges("k", ranges) == _ranges_oracle(b"0123456789", ranges)
    with pytest.raises(KeyError):
        store.get_ranges("missing", ranges)
    store.delete_prefix("")


def test_ranges_empty_or_past_the_end_read_as_a_slice_does_on_s3(s3_server, s3_bucket):
    store = FsspecStore(s3_server.filesystem(), s3_bucket + "/r")
    store["k"] = b"0123456789"
    store["e"] = b""
    for ranges in RANGES:
        assert store.get_ranges("k", ranges) == _ranges_oracle(b"0123456789", ranges), ranges
        assert store.get_ranges("e", ranges) == _ranges_oracle(b"", ranges), ranges
        with pytest.raises(KeyError):
            store.get_ranges("missing", ranges)


def test_a_negative_range_is_refused():
    store = FsspecStore.from_url("memory://" + new_path())
    store["k"] = b"0123456789"
    with pytest.raises(ValueError, match="ranges"):
        store.get_ranges("k", [(-2, 1)])
    with pytest.raises(ValueError, match="ranges"):
        store.get_ranges("k", [(0, -1)])
    store.delete_prefix("")


def test_lock_names_sent_to_a_scheduler_hold_no_credentials(s3_server, s3_bucket):
    from zarr.sync import DistributedSynchronizer
    fs = s3_server.filesystem()
    store = FsspecStore(fs, s3_bucket + "/locks")
    name = DistributedSynchronizer.lock_name(store.lock_identity("a"), "0.0")
    secret = s3_server.storage_options["secret"] + "-unguessable"
    other = type(fs)(**dict(s3_server.storage_options, secret=secret))
    name2 = DistributedSynchronizer.lock_name(FsspecStore(other, s3_bucket + "/locks")
                                              .lock_identity("a"), "0.0")
    assert secret not in name2 and "secret" not in name
    assert s3_bucket + "/locks/a" in name
    # The same service and options name the same lock; other options another one.
    assert name == DistributedSynchronizer.lock_name(
        FsspecStore(s3_server.filesystem(), s3_bucket + "/locks/").lock_identity("a"), "0.0")
    assert name2 != name


def test_temporary_files_of_local_writes_are_never_listed_as_keys(tmp_path):
    from zarr.storage import LocalStore
    store = FsspecStore(fsspec.filesystem("file"), str(tmp_path))
    z = zarr.open(store, mode="w", shape=(4,), chunks=(2,), dtype="i4", path="a")
    z[:] = 1
    (tmp_path / "a" / ".0.4242@elsewhere.0.partial").write_bytes(b"left by a killed writer")
    (tmp_path / ".zgroup.4242.3.partial").write_bytes(b"{")
    assert store.list() == LocalStore(str(tmp_path)).list() == ["a/.zarray", "a/.zattrs",
                                                                  "a/0", "a/1"]
    assert store.list_dir() == ["a"] and store.list_dir("a") == [".zarray", ".zattrs", "0", "1"]
    assert store.list_sizes("a") == [(k, store.getsize("a/" + k))
                                     for k in [".zarray", ".zattrs", "0", "1"]]
    store.delete_prefix("a")
    assert not (tmp_path / "a").exists() or not any((tmp_path / "a").iterdir())


@pytest.mark.parametrize("flat", [True, False])
@pytest.mark.parametrize("junk", ["\u0663", "\u00b2", "1.\u0663", "c/\u0663"])
def test_names_of_digits_other_than_ascii_are_no_chunks(flat, junk):
    """'\u0663' (ARABIC-INDIC DIGIT THREE) is no chunk key; int() of it is 3, of
    '\u00b2' (SUPERSCRIPT TWO) a ValueError."""
    store = FsspecStore.from_url("memory://" + new_path()) if flat else MemoryStore()
    fmt = 3 if junk.startswith("c/") else 2
    z = zarr.open(store, mode="w", shape=(8,) if "." not in junk else (8, 8), chunks=2,
                  dtype="i4", zarr_format=fmt)
    z[(slice(0, 2),) * z.ndim] = 1
    store[junk] = b"not a chunk"
    assert z.nchunks_initialized == 1
    if flat:
        store.delete_prefix("")


def test_folder_objects_of_s3_tools_are_no_keys(s3_server, s3_bucket):
    """The AWS console's 'Create folder' (and rclone, Cyberduck...) puts an empty
    object whose name ends in '/'; it listed as a key that no read finds, as
    chunk 3 of a 1-d array, and delete_prefix left it."""
    fs = s3_server.filesystem()
    store = FsspecStore(fs, s3_bucket + "/f.zarr")
    z = zarr.open(store, mode="w", shape=(8,), chunks=(2,), dtype="i4", fill_value=-1)
    z[:2] = 1
    for key in ["f.zarr/", "f.zarr/3/", "f.zarr/c/1/", "f.zarr/sub/"]:
        fs.call_s3("put_object", Bucket=s3_bucket, Key=key, Body=b"")
    fs.invalidate_cache()
    assert store.list() == [".zarray", ".zattrs", "0"]
    assert store.list_sizes() == [(k, store.getsize(k)) for k in store.list()]
    assert z.nchunks_initialized == 1
    assert zarr.open(store, mode="r", zarr_format=2).nchunks_initialized == 1
    store.delete_prefix("")
    assert store.list() == [] and store.list_dir() == []
    left = [o["Key"] for o in fs.call_s3("list_objects_v2", Bucket=s3_bucket)["Contents"]]
    assert left == ["f.zarr/"]  # the store's own folder
    z = zarr.open(store, mode="w", shape=(2,), dtype="i4")
    assert z.nchunks_initialized == 0


def test_an_array_at_a_stores_root_has_the_locks_of_the_same_array_below_another_root():
    """Two handles on one array's chunks must take the same locks (LocalStore's
    are by real path): 'g/a' at the root of one store, 'a' below 'g' in another."""
    from zarr.sync import DistributedSynchronizer
    root = "memory://" + new_path()
    top = FsspecStore.from_url(root + "/g")
    below = FsspecStore.from_url(root + "/g/a")
    assert below.lock_identity("") == top.lock_identity("a")
    assert below.lock_identity("0.0") == top.lock_identity("a/0.0")
    zarr.open(top, mode="w", path="a", shape=(4,), chunks=(2,), dtype="i4",
              synchronizer=DistributedSynchronizer())
    names = {DistributedSynchronizer.lock_name(zarr.open(s, mode="r+", path=p)._lock_ident, "0")
             for s, p in [(top, "a"), (below, "")]}
    assert len(names) == 1, names
    top.delete_prefix("")


def test_an_unopened_array_raises_with_the_traceback_of_the_reopening_alone(tmp_path):
    """Raised again and again (a worker's retries), the one error's traceback grew
    by the frames of every use, and held them."""
    import pickle
    import shutil
    import traceback
    path = str(tmp_path / "gone.zarr")
    blob = pickle.dumps(zarr.open(path, mode="w", shape=4, chunks=2))
    shutil.rmtree(path)
    z = pickle.loads(blob)
    lengths = []
    for _ in range(3):
        with pytest.raises(FileNotFoundError) as info:
            z[0]
        lengths.append(len(traceback.extract_tb(info.value.__traceback__)))
    assert lengths[0] == lengths[1] == lengths[2], lengths
    assert "_reopen" in "".join(traceback.format_tb(info.value.__traceback__))


def test_a_node_deleted_from_local_files_leaves_no_directory_in_the_way(tmp_path):
    store = FsspecStore(fsspec.filesystem("file"), str(tmp_path / "s"))
    g = zarr.open_group(store, mode="w")
    a = g.zeros("a", shape=(4, 4), chunks=(2, 2), dimension_separator="/")
    a[:] = 1
    del g["a"]
    assert store.list_dir() == [".zgroup"] and list(g) == []
    g.zeros("a", shape=(2,))  # the name is free again
    store.delete_prefix("")
    assert store.list_dir() == [] and (tmp_path / "s").is_dir()
    z = zarr.open(store, mode="w", shape=3)
    z[:] = 5
    assert np.array_equal(zarr.open(store, mode="r")[:], [5, 5, 5])


def test_lock_names_are_the_same_in_every_process_for_options_holding_objects(s3_server,
                                                                                s3_bucket):
    """An option that is an object (botocore's Config) named the lock by its repr,
    which holds its address: each process of a cluster took other locks."""
    import subprocess
    import sys
    code = (
        "import sys; sys.path[:0] = %r\n"
        "import botocore.config, s3fs\n"
        "from zarr.storage import FsspecStore\n"
        "opts = %r\n"
        "junk = [object() for _ in range(int(sys.argv[1]))]\n"
        "opts['client_kwargs']['config'] = botocore.config.Config(retries={'max_attempts': 2})\n"
        "fs = s3fs.S3FileSystem(**opts)\n"
        "print(FsspecStore(fs, %r).lock_identity('a'))\n"
        % (sys.path, s3_server.storage_options, s3_bucket + "/x"))
    names = {subprocess.run([sys.executable, "-c", code, str(n)], capture_output=True,
                            text=True, check=True).stdout for n in (0, 1000)}
    assert len(names) == 1, names
