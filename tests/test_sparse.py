"""Compressed sparse matrices (zarr.sparse) against scipy."""

import h5py
import numpy as np
import pytest
import scipy.sparse

import zarr
from zarr.delayed import DelayedArray
from zarr.sparse import CompressedSparseMatrix, from_scipy

MATRIX = scipy.sparse.random(1000, 200, density=0.1, format="csc", random_state=1,
                             dtype=np.float64)


class Counting:
    """A 1-d array that counts the values read from it."""

    def __init__(self, array):
        self.array, self.shape, self.dtype = array, array.shape, array.dtype
        self.read = 0

    def __getitem__(self, selection):
        out = self.array[selection]
        self.read += np.size(out)
        return out


@pytest.fixture(params=["zarr", "h5py", "mapping"])
def stored(request, tmp_path):
    """The seed's matrix as three arrays of a group, by column."""
    if request.param == "zarr":
        return from_scipy(MATRIX, zarr.group(), chunks=1000)
    if request.param == "h5py":
        f = h5py.File(tmp_path / "sparse_whee.h5", "w")
        request.addfinalizer(f.close)
        return from_scipy(MATRIX, f.create_group("sparse_blah"), compression="gzip")
    return {"data": MATRIX.data, "indices": MATRIX.indices, "indptr": MATRIX.indptr}


def test_subsets_against_scipy(stored):
    m = CompressedSparseMatrix(stored, (1000, 200), by_column=True)
    assert m.nnz == MATRIX.nnz and m.dtype == MATRIX.dtype and m.shape == (1000, 200)
    dense = MATRIX.toarray()
    for rows, cols in [(slice(None), slice(0, 2)), (slice(10, 400, 3), [5, 199, 5, 0]),
                       (np.arange(1000) % 7 == 0, slice(None, None, -9)), (3, slice(None)),
                       ([999, 0], 17), (slice(None), [])]:
        got = m[rows, cols]
        assert scipy.sparse.issparse(got)
        want = dense[rows] if not isinstance(rows, int) else dense[[rows]]
        want = want[:, cols] if not isinstance(cols, int) else want[:, [cols]]
        np.testing.assert_array_equal(got.toarray(), want)
    for fmt in ("csc", "csr", "coo"):
        got = m.to_scipy(fmt)
        assert got.format == fmt
        np.testing.assert_array_equal(got.toarray(), dense)
    np.testing.assert_array_equal(np.asarray(m), dense)
    np.testing.assert_allclose(m.sum(axis=0), dense.sum(axis=0))
    np.testing.assert_allclose(m.sum(axis=1), dense.sum(axis=1))
    np.testing.assert_allclose(m.sum(), dense.sum())
    m.check()


def test_by_row():
    csr = MATRIX.tocsr()
    m = CompressedSparseMatrix(from_scipy(csr, zarr.group()), (1000, 200), by_column=False)
    np.testing.assert_array_equal(m[5:9, [1, 3]].toarray(), csr[5:9][:, [1, 3]].toarray())
    np.testing.assert_allclose(m.sum(axis=0), csr.toarray().sum(axis=0))


def test_a_subset_reads_only_its_columns():
    data, indices = Counting(MATRIX.data), Counting(MATRIX.indices)
    m = CompressedSparseMatrix({"data": data, "indices": indices, "indptr": MATRIX.indptr},
                               (1000, 200), by_column=True)
    m[:, 50:53]
    assert data.read == indices.read == MATRIX.indptr[53] - MATRIX.indptr[50]
    data.read = 0
    m[:, [7, 150]]
    assert data.read == np.diff(MATRIX.indptr)[[7, 150]].sum()


def test_bad_layouts_say_what_is_wrong():
    good = {"data": MATRIX.data, "indices": MATRIX.indices, "indptr": MATRIX.indptr}

    def opened(**change):
        return CompressedSparseMatrix(dict(good, **change), (1000, 200), by_column=True)
    with pytest.raises(ValueError, match="indptr has 201 entries; a matrix of 1000 columns "
                       "needs 1001"):
        CompressedSparseMatrix(good, (200, 1000), by_column=True)
    with pytest.raises(ValueError, match="starts at 5"):
        opened(indptr=MATRIX.indptr + 5)
    bad = MATRIX.indptr.copy()
    bad[10] = bad[12] + 1
    with pytest.raises(ValueError, match="decreases at column 10"):
        opened(indptr=bad)
    with pytest.raises(ValueError, match="data has"):
        opened(data=MATRIX.data[:-1])
    wrong = MATRIX.indices.copy()
    wrong[MATRIX.indptr[30]] = 1000
    m = opened(indices=wrong)
    with pytest.raises(ValueError, match=r"indices\[%d\] is 1000, outside the 1000 rows"
                       % MATRIX.indptr[30]):
        m[:, 30]
    with pytest.raises(ValueError, match="outside"):
        m.check()
    np.testing.assert_array_equal(m[:, 31].toarray(), MATRIX[:, 31].toarray())
    with pytest.raises(KeyError, match="indptr"):
        CompressedSparseMatrix({"data": MATRIX.data, "indices": MATRIX.indices}, (1000, 200),
                               True)
    with pytest.raises(ValueError, match="shape"):
        CompressedSparseMatrix(good, (1000,), True)
    with pytest.raises(IndexError):
        opened()[:, 200]
    huge = CompressedSparseMatrix({"data": np.zeros(0), "indices": np.zeros(0, "i4"),
                                   "indptr": np.zeros(100001, "i8")}, (100000, 100000), True)
    with pytest.raises(ValueError, match="too large to make dense"):
        np.asarray(huge)
    assert huge[:3, :3].nnz == 0


def test_delayed_operations_over_a_sparse_matrix(stored):
    m = CompressedSparseMatrix(stored, (1000, 200), by_column=True)
    d = np.log1p(DelayedArray(m) * 2)
    dense = np.log1p(MATRIX.toarray() * 2)
    np.testing.assert_allclose(d[100:300, [4, 8]].compute(), dense[100:300][:, [4, 8]])
    np.testing.assert_allclose(d.sum(axis=0), dense.sum(axis=0))


def test_from_scipy_refuses_what_is_not_sparse(tmp_path):
    with pytest.raises(TypeError, match="scipy sparse"):
        from_scipy(np.eye(3), zarr.group())
    g = from_scipy(MATRIX.tocoo(), str(tmp_path / "m.zarr"))  # written as CSC
    assert g.attrs["format"] == "csc"
    with pytest.raises(FileExistsError, match="already"):
        from_scipy(MATRIX, str(tmp_path / "m.zarr"))  # never over what is there
