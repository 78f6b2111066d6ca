"""Delayed arrays over TileDB arrays (zarr.delayed.tiledb), against numpy and scipy."""

import numpy as np
import pytest
import scipy.sparse

from zarr.delayed import TileDBArray, tiledb
from zarr.delayed.files import _tiledb

tdb = _tiledb()  # tiledb, leaving numpy's print options as they are

DENSE = np.random.default_rng(6).random((40, 50))


def dense_array(uri, data=DENSE, attr="a", start=0):
    dims = [tdb.Dim(name="rows", domain=(start, start + data.shape[0] - 1), tile=10,
                    dtype=np.int64),
            tdb.Dim(name="cols", domain=(start, start + data.shape[1] - 1), tile=25,
                    dtype=np.int64)]
    tdb.Array.create(uri, tdb.ArraySchema(domain=tdb.Domain(*dims),
                                          attrs=[tdb.Attr(name=attr, dtype=data.dtype)]))
    with tdb.open(uri, "w") as a:
        a[:] = data
    return uri


@pytest.mark.parametrize("start", [0, 7])
def test_a_dense_array(tmp_path, start):
    uri = dense_array(str(tmp_path / "dense"), start=start)
    arr = tiledb(uri, "a")
    assert arr.shape == (40, 50) and arr.chunks == (10, 25) and arr.dtype == np.float64
    scaling = np.linspace(0.5, 1, 50)
    t = np.log1p(arr / scaling)
    np.testing.assert_allclose(t.compute(), np.log1p(DENSE / scaling))
    np.testing.assert_allclose(t[[30, 2, 2], ::-7].compute(),
                               np.log1p(DENSE / scaling)[[30, 2, 2]][:, ::-7])
    np.testing.assert_allclose(t.sum(axis=0), np.log1p(DENSE / scaling).sum(axis=0))
    np.testing.assert_array_equal(TileDBArray(uri)[3, 5:40:5], DENSE[3, 5:40:5])


def sparse_array(uri, matrix, attr=""):
    dims = [tdb.Dim(name="rows", domain=(0, matrix.shape[0] - 1), tile=100, dtype=np.int64),
            tdb.Dim(name="cols", domain=(0, matrix.shape[1] - 1), tile=50, dtype=np.int64)]
    tdb.Array.create(uri, tdb.ArraySchema(domain=tdb.Domain(*dims), sparse=True,
                                          attrs=[tdb.Attr(name=attr, dtype=matrix.dtype)]))
    coo = matrix.tocoo()
    with tdb.open(uri, "w") as a:
        a[coo.row.astype(np.int64), coo.col.astype(np.int64)] = coo.data
    return uri


def test_a_sparse_array(tmp_path):
    m = scipy.sparse.random(1000, 200, density=0.05, format="coo", random_state=2)
    uri = sparse_array(str(tmp_path / "sparse"), m)
    dense = m.toarray()
    seed = TileDBArray(uri)
    assert seed.sparse and seed.shape == (1000, 200) and seed.chunks == (100, 50)
    part = seed[0:300, [2, 3, 3, 150]]
    assert scipy.sparse.issparse(part)
    np.testing.assert_array_equal(part.toarray(), dense[0:300][:, [2, 3, 3, 150]])
    coords, values = seed.extract_sparse((slice(0, 2), [2, 3]))
    want = dense[0:2][:, [2, 3]]
    np.testing.assert_array_equal(coords[0], np.nonzero(want)[0])
    np.testing.assert_array_equal(coords[1], np.nonzero(want)[1])
    np.testing.assert_array_equal(values, want[np.nonzero(want)])
    np.testing.assert_array_equal(seed[5], dense[5])
    d = tiledb(uri)
    np.testing.assert_allclose((np.sqrt(d) * 2)[100:400:3, ::-1].compute(),
                               (np.sqrt(dense) * 2)[100:400:3, ::-1])
    np.testing.assert_allclose(d.sum(axis=1), dense.sum(axis=1))
    with pytest.raises(TypeError, match="dense"):
        TileDBArray(dense_array(str(tmp_path / "dense"))).extract_sparse(slice(None))


def test_importing_tiledb_leaves_numpy_printing_alone():
    assert np.get_printoptions()["legacy"] is False
    assert repr(np.float64(2.5)) == "np.float64(2.5)"


def test_bad_input(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope"):
        tiledb(str(tmp_path / "nope"))
    uri = dense_array(str(tmp_path / "dense"))
    with pytest.raises(KeyError, match="no attribute 'b'.*'a'"):
        tiledb(uri, "b")
    dims = [tdb.Dim(name="x", domain=(0.0, 1.0), tile=0.5, dtype=np.float64)]
    tdb.Array.create(str(tmp_path / "floats"), tdb.ArraySchema(
        domain=tdb.Domain(*dims), sparse=True, attrs=[tdb.Attr(name="v", dtype=np.int32)]))
    with pytest.raises(TypeError, match="integer dimensions"):
        tiledb(str(tmp_path / "floats"))
    with pytest.raises(IndexError):
        TileDBArray(uri)[40]
