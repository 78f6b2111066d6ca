"""Arrays on a dask.distributed cluster of worker processes (on 127.0.0.1,
started and stopped here): every kind of persistent array, the members of
groups and the columns of tables reopened on the workers and computed on
exactly; chunk-aligned stores without locks; unaligned stores from several
workers kept exact by file locks (directories) and by the cluster's locks
(object storage, on moto's S3 server); zarr.chunked run on the workers; an
in-memory array read there, and refused as a destination."""

import logging
import os

import numpy as np
import pytest

import zarr
from zarr import chunked
from zarr.errors import ReadOnlyError
from zarr.storage import FsspecStore

from s3server import S3_ENV

import dask
import dask.array as da
import distributed

SHAPE = (1500, 2400)


@pytest.fixture(scope="module")
def client():
    for name, value in S3_ENV.items():  # the workers' environment, for S3
        os.environ.setdefault(name, value)
    cluster = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                       host="127.0.0.1", dashboard_address=None,
                                       silence_logs=logging.ERROR)
    try:
        with distributed.Client(cluster) as c:
            yield c
    finally:
        cluster.close()


def source():
    return da.arange(SHAPE[0] * SHAPE[1], chunks=SHAPE[1] * 100).reshape(SHAPE)


def test_unaligned_store_into_a_synchronized_directory_array_is_exact(tmp_path, client):
    want = np.arange(SHAPE[0] * SHAPE[1]).reshape(SHAPE) + 1
    for rep in range(2):
        path = str(tmp_path / ("z%d.zarr" % rep))
        z = zarr.open(path, mode="w", shape=SHAPE, dtype="i8", chunks=(250, 500),
                      fill_value=-1)
        da.store(source().rechunk((333, 777)) + 1, z, lock=False)
        np.testing.assert_array_equal(zarr.open(path, mode="r")[...], want,
                                      err_msg="repetition %d" % rep)
        assert z.synchronizer == zarr.ProcessSynchronizer(path + ".sync")


def test_storing_into_an_in_memory_array_from_the_workers_raises(client):
    z = zarr.zeros(SHAPE, dtype="i8", chunks=(250, 500))
    with pytest.raises(ReadOnlyError, match="copy"):
        da.store(source().rechunk((333, 777)) + 1, z, lock=False)
    assert z.nchunks_initialized == 0


def _kinds(tmp_path):
    """(name, array) of the persistent kinds, filled with the same values."""
    a = np.arange(SHAPE[0] * SHAPE[1], dtype="i8").reshape(SHAPE)
    made = [
        ("directory", zarr.open(str(tmp_path / "d.zarr"), mode="w", shape=SHAPE,
                                chunks=(300, 700), dtype="i8")),
        ("nested", zarr.open(str(tmp_path / "n.zarr"), mode="w", shape=SHAPE,
                             chunks=(300, 700), dtype="i8", dimension_separator="/")),
        ("lazy", zarr.open(str(tmp_path / "l.zarr"), mode="w", shape=SHAPE,
                           chunks=(300, 700), dtype="i8", lazy=True)),
        ("sharded", zarr.open(zarr.storage.ShardedStore(str(tmp_path / "s")), mode="w",
                              shape=SHAPE, chunks=(300, 700), dtype="i8")),
        ("v3-shards", zarr.open(str(tmp_path / "v3.zarr"), mode="w", shape=SHAPE,
                                chunks=(300, 700), shards=(600, 1400), dtype="i8",
                                zarr_format=3)),
    ]
    g = zarr.open_group(str(tmp_path / "g.zarr"), mode="w")
    made.append(("group member", g.zeros("sub/x", shape=SHAPE, chunks=(300, 700), dtype="i8")))
    for _, z in made:
        z[...] = a
    return a, made


def test_every_kind_of_array_reopens_on_the_workers_and_computes_exactly(tmp_path, client):
    a, made = _kinds(tmp_path)
    for name, z in made:
        x = da.from_array(z, chunks=z.chunks)
        total, column_max, part = dask.compute(x.sum(), x.max(axis=0), x[17:1333:3, ::7])
        assert total == a.sum(), name
        np.testing.assert_array_equal(column_max, a.max(axis=0), err_msg=name)
        np.testing.assert_array_equal(part, a[17:1333:3, ::7], err_msg=name)


def test_the_columns_of_a_table_compute_on_the_workers(tmp_path, client):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"x": np.arange(100000, dtype="f8"), "n": np.arange(100000) % 7})
    t = zarr.from_pandas(df, str(tmp_path / "t.zarr"), chunks=10000)
    for label in ("x", "n"):
        column = t.column(label)
        got = da.from_array(column, chunks=column.chunks).sum().compute()
        assert got == df[label].sum()


def test_chunk_aligned_stores_need_no_lock(tmp_path, client):
    path = str(tmp_path / "a.zarr")
    z = zarr.open(path, mode="w", shape=SHAPE, dtype="i8", chunks=(300, 800),
                  synchronized=False)
    da.store(source().rechunk((300, 800)) * 2, z, lock=False)
    np.testing.assert_array_equal(zarr.open(path, mode="r")[...],
                                  np.arange(SHAPE[0] * SHAPE[1]).reshape(SHAPE) * 2)


def test_unaligned_stores_with_an_explicit_process_synchronizer(tmp_path, client):
    path = str(tmp_path / "p.zarr")
    sync = zarr.ProcessSynchronizer(str(tmp_path / "locks"))
    z = zarr.open(path, mode="w", shape=SHAPE, dtype="i8", chunks=(250, 500),
                  synchronizer=sync)
    da.store(source().rechunk((333, 777)) - 5, z, lock=False)
    np.testing.assert_array_equal(zarr.open(path, mode="r")[...],
                                  np.arange(SHAPE[0] * SHAPE[1]).reshape(SHAPE) - 5)
    assert os.listdir(str(tmp_path / "locks"))  # the workers took the file locks


@pytest.mark.parametrize("explicit", [True, False], ids=["given", "taken when pickled"])
def test_unaligned_stores_to_s3_keep_every_update_with_the_cluster_locks(
        s3_server, s3_bucket, client, explicit):
    store = FsspecStore.from_url("s3://%s/u.zarr" % s3_bucket,
                                 storage_options=s3_server.storage_options)
    options = {"synchronizer": zarr.DistributedSynchronizer(timeout=120)} if explicit else {}
    z = zarr.open(store, mode="w", shape=SHAPE, dtype="i8", chunks=(250, 500), fill_value=-1,
                  **options)
    da.store(source().rechunk((333, 777)) + 3, z, lock=False)
    assert isinstance(z.synchronizer, zarr.DistributedSynchronizer)
    np.testing.assert_array_equal(zarr.open(store, mode="r")[...],
                                  np.arange(SHAPE[0] * SHAPE[1]).reshape(SHAPE) + 3)


def test_zarr_chunked_runs_on_the_workers(tmp_path, client):
    a = np.arange(600000, dtype="i8").reshape(6000, 100)
    z = zarr.open(str(tmp_path / "c.zarr"), mode="w", shape=a.shape, chunks=(1000, 100),
                  dtype="i8")
    z[...] = a
    out = str(tmp_path / "out.zarr")
    total = client.submit(chunked.asum, z).result()
    copied = client.submit(chunked.copy, z, storage="dir", path=out).result()
    largest = client.submit(chunked.amax, z, axis=0).result()
    assert total == a.sum()
    np.testing.assert_array_equal(zarr.open(out, mode="r")[...], a)
    np.testing.assert_array_equal(copied[...], a)
    np.testing.assert_array_equal(np.asarray(largest), a.max(axis=0))


def test_an_in_memory_array_is_read_on_the_workers(client):
    a = np.arange(SHAPE[0] * SHAPE[1]).reshape(SHAPE)
    z = zarr.array(a, chunks=(250, 500))
    assert da.from_array(z, chunks=z.chunks).sum().compute() == a.sum()


def test_a_memory_filesystem_array_is_read_on_the_workers_and_refuses_their_writes(client):
    z = zarr.open("memory://distributed/m.zarr", mode="w", shape=SHAPE, chunks=(250, 500),
                  dtype="i8")
    z[...] = 5
    assert da.from_array(z, chunks=z.chunks).sum().compute() == 5 * SHAPE[0] * SHAPE[1]
    with pytest.raises(ReadOnlyError, match="copy"):
        da.store(source().rechunk((333, 777)), z, lock=False)
    assert (z[...] == 5).all()
    z.store.delete_prefix("")


def test_an_array_that_cannot_reopen_on_the_workers_raises_there(tmp_path, client):
    import shutil
    path = str(tmp_path / "gone.zarr")
    z = zarr.open(path, mode="w", shape=SHAPE, chunks=(500, 800), dtype="i8")
    x = da.from_array(z, chunks=z.chunks)
    shutil.rmtree(path)  # the workers unpickle an array whose metadata is gone
    with pytest.raises(FileNotFoundError):
        client.compute(x.sum()).result(timeout=120)


def _take(sync, ident, key):
    try:
        with sync.chunk_lock(ident, key):
            return "taken"
    except TimeoutError as e:
        return str(e)


def test_a_chunk_lock_held_elsewhere_on_the_cluster_is_waited_for_within_the_timeout(client):
    sync = zarr.DistributedSynchronizer(timeout=1)
    ident = ("test", "lock-wait")
    with sync.chunk_lock(ident, "0.0"):
        held = client.submit(_take, sync, ident, "0.0", pure=False).result(timeout=60)
        other = client.submit(_take, sync, ident, "0.1", pure=False).result(timeout=60)
    assert "was not given within 1 s" in held and other == "taken"
    assert client.submit(_take, sync, ident, "0.0", pure=False).result(timeout=60) == "taken"
