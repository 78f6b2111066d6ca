"""Stores from a dask.distributed cluster of worker processes (on 127.0.0.1,
started and stopped here): a synchronized directory array keeps every update
of writes that cut across its chunks; an in-memory array refuses them."""

import logging

import numpy as np
import pytest

import zarr
from zarr.errors import ReadOnlyError

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

SHAPE = (1500, 2400)


@pytest.fixture(scope="module")
def client():
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
