"""Compressed sparse matrices kept as three 1-d arrays (``data``, ``indices``,
``indptr``, the layout of 10X Genomics' HDF5 files), in an HDF5 group, a
group of this package or a mapping, read a part at a time.

scipy is needed (``pip install .[sparse]``); the package imports without it.

Examples
--------
>>> import numpy as np, scipy.sparse, zarr
>>> m = scipy.sparse.random(100, 20, density=0.1, format="csc", random_state=0)
>>> g = from_scipy(m, zarr.group())
>>> s = CompressedSparseMatrix(g, (100, 20), by_column=True)
>>> s
<100 x 20> CompressedSparseMatrix of type 'float64', by column, 200 stored values
>>> bool((s[5:50, [3, 1]].toarray() == m[5:50][:, [3, 1]].toarray()).all())
True
"""

import numbers

import numpy as np

#: Matrices of more elements than this are refused by ``numpy.asarray``.
MAX_DENSE = 1 << 27
#: The stored values read at a time by the checks and the sums.
BLOCK = 1 << 20
#: The elements of a block made dense by a computation over the matrix.
DENSE_BLOCK = 1 << 20


def _scipy_sparse():
    try:
        import scipy.sparse
    except ImportError:
        raise ImportError("sparse matrices need scipy: pip install scipy (or the package's "
                          "[sparse] extra)") from None
    return scipy.sparse


def _member(source, name):
    try:
        array = source[name]
    except KeyError:
        raise KeyError("no %r in %r: a compressed sparse matrix needs its data, indices and "
                       "indptr arrays" % (name, source)) from None
    if not hasattr(array, "shape") or len(array.shape) != 1:
        raise ValueError("%r of a compressed sparse matrix must be a 1-d array, not of shape %s"
                         % (name, getattr(array, "shape", None)))
    return array


class CompressedSparseMatrix:
    """The matrix of ``shape`` whose stored values ``data[indptr[j]:indptr[j + 1]]``
    are those of column ``j`` (``by_column``, CSC) or of row ``j`` (CSR), at
    the rows (columns) ``indices[indptr[j]:indptr[j + 1]]``.

    ``source`` is an ``h5py.Group``, a group of this package or a mapping of
    the three arrays (named ``data``, ``indices`` and ``indptr`` unless told).
    The shape and the orientation are given, since the layout does not say.
    Opening reads ``indptr`` and checks it (its length, its start at 0, never
    decreasing) and the lengths of ``data`` and ``indices``; the indices are
    checked to lie within the other dimension as they are read (all of them,
    a block at a time, by :meth:`check`). A subset ``m[rows, cols]`` reads
    only the stored values of the columns (rows) it selects.
    """

    def __init__(self, source, shape, by_column, data="data", indices="indices",
                 indptr="indptr"):
        if (not isinstance(shape, tuple) or len(shape) != 2
                or not all(_is_int(n) and n >= 0 for n in shape)):
            raise ValueError("shape must be a tuple of two counts, not %r" % (shape,))
        self.shape = (int(shape[0]), int(shape[1]))
        self.by_column = bool(by_column)
        self.data = _member(source, data)
        self.indices = _member(source, indices)
        pointers = np.asarray(_member(source, indptr)[...])
        major = self._major
        what = "column" if self.by_column else "row"
        if pointers.dtype.kind not in "iu":
            raise ValueError("indptr must hold integers, not %s" % pointers.dtype)
        if len(pointers) != major + 1:
            raise ValueError("indptr has %d entries; a matrix of %d %ss needs %d"
                             % (len(pointers), major, what, major + 1))
        pointers = pointers.astype(np.int64)
        if pointers[0] != 0:
            raise ValueError("indptr starts at %d, not 0" % pointers[0])
        steps = np.diff(pointers)
        if (steps < 0).any():
            j = int(np.argmax(steps < 0))
            raise ValueError("indptr decreases at %s %d (%d, then %d)"
                             % (what, j, pointers[j], pointers[j + 1]))
        self.indptr = pointers
        nnz = int(pointers[-1])
        for name, array in (("data", self.data), ("indices", self.indices)):
            if array.shape[0] != nnz:
                raise ValueError("%s has %d entries; indptr says the matrix stores %d"
                                 % (name, array.shape[0], nnz))
        if np.dtype(self.indices.dtype).kind not in "iu":
            raise ValueError("indices must hold integers, not %s" % self.indices.dtype)
        self.dtype = np.dtype(self.data.dtype)
        # Blocks of whole columns (rows) of at most DENSE_BLOCK elements, for
        # computations that make them dense (a DelayedArray over the matrix).
        span = max(1, min(major, DENSE_BLOCK // max(self._minor, 1)))
        self.chunks = (self.shape[0], span) if self.by_column else (span, self.shape[1])

    @property
    def _major(self):
        return self.shape[1] if self.by_column else self.shape[0]

    @property
    def _minor(self):
        return self.shape[0] if self.by_column else self.shape[1]

    @property
    def nnz(self):
        """The number of stored values."""
        return int(self.indptr[-1])

    @property
    def ndim(self):
        return 2

    def __repr__(self):
        return "<%d x %d> CompressedSparseMatrix of type '%s', by %s, %d stored values" % (
            self.shape[0], self.shape[1], self.dtype, "column" if self.by_column else "row",
            self.nnz)

    # Reading.

    def _checked(self, indices, start):
        if len(indices) and (indices.min() < 0 or indices.max() >= self._minor):
            bad = int(np.flatnonzero((indices < 0) | (indices >= self._minor))[0])
            raise ValueError("indices[%d] is %d, outside the %d %ss of the matrix"
                             % (start + bad, indices[bad], self._minor,
                                "row" if self.by_column else "column"))
        return indices

    def _ranges(self, majors):
        """(data, indices, indptr) of the ``majors`` (an int64 array), read as
        few runs of stored values as they make."""
        starts, stops = self.indptr[majors], self.indptr[majors + 1]
        counts = stops - starts
        pointers = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        datas, indexes = [], []
        i, n = 0, len(majors)
        while i < n:  # a run: majors whose stored values follow one another
            j = i + 1
            while j < n and starts[j] == stops[j - 1]:
                j += 1
            lo, hi = int(starts[i]), int(stops[j - 1])
            if hi > lo:
                datas.append(np.asarray(self.data[lo:hi]))
                indexes.append(self._checked(np.asarray(self.indices[lo:hi]), lo))
            i = j
        data = np.concatenate(datas) if datas else np.empty(0, self.dtype)
        indices = np.concatenate(indexes).astype(np.int64) if indexes else \
            np.empty(0, np.int64)
        return data, indices, pointers

    def __getitem__(self, key):
        if not isinstance(key, tuple):
            key = (key, slice(None))
        if len(key) != 2:
            raise IndexError("a sparse matrix takes two indices, not %d" % len(key))
        rows, cols = key
        major_key, minor_key = (cols, rows) if self.by_column else (rows, cols)
        majors = _positions(major_key, self._major)
        data, indices, pointers = self._ranges(majors)
        sparse = _scipy_sparse()
        kind = sparse.csc_matrix if self.by_column else sparse.csr_matrix
        shape = (self._minor, len(majors))
        part = kind((data, indices, pointers), shape=shape if self.by_column else shape[::-1])
        minors = _positions(minor_key, self._minor)
        if not (len(minors) == self._minor and (minors == np.arange(self._minor)).all()):
            part = part[minors, :] if self.by_column else part[:, minors]
        if all(_is_int(k) for k in key):  # one value, as scipy's m[i, j]
            return part[0, 0]
        return part  # an int index gives a 1 x n matrix, as scipy's do

    def to_scipy(self, format="csc"):
        """The whole matrix as a scipy sparse matrix of ``format``
        (``'csc'``, ``'csr'`` or ``'coo'``)."""
        if format not in ("csc", "csr", "coo"):
            raise ValueError("format must be 'csc', 'csr' or 'coo', not %r" % (format,))
        return self[:, :].asformat(format)

    def __array__(self, dtype=None, copy=None):
        if self.shape[0] * self.shape[1] > MAX_DENSE:
            raise ValueError("a %d x %d sparse matrix is too large to make dense (more than %d "
                             "elements): take a subset, or use to_scipy()"
                             % (self.shape + (MAX_DENSE,)))
        out = self.to_scipy().toarray()
        return out if dtype is None else out.astype(dtype, copy=False)

    def check(self):
        """Read every index, a block at a time; ValueError at the first outside
        the matrix."""
        for lo in range(0, self.nnz, BLOCK):
            self._checked(np.asarray(self.indices[lo:lo + BLOCK]), lo)

    def sum(self, axis=None):
        """The sum of the values (``axis=None``), of each column (``axis=0``) or
        of each row (``axis=1``), as numpy arrays, read a block at a time."""
        if isinstance(axis, tuple):  # scipy's: (0, 1) is every value
            if not axis or not all(_is_int(a) for a in axis):
                raise TypeError("axis must be an int, a tuple of ints or None, not %r" % (axis,))
            for a in axis:
                if not -2 <= a < 2:
                    raise np.exceptions.AxisError(int(a), 2)
            if len({a % 2 for a in axis}) != len(axis):
                raise ValueError("duplicate value in 'axis'")
            axis = axis[0] if len(axis) == 1 else None
        elif axis is not None and not _is_int(axis):
            raise TypeError("axis must be an int, a tuple of ints or None, not %r" % (axis,))
        if axis is not None and not -2 <= axis < 2:
            raise np.exceptions.AxisError(int(axis), 2)
        acc = np.sum(np.zeros(1, self.dtype)).dtype
        major_sums = np.zeros(self._major, acc)
        minor_sums = np.zeros(self._minor, acc)
        for lo in range(0, self.nnz, BLOCK):
            hi = min(lo + BLOCK, self.nnz)
            data = np.asarray(self.data[lo:hi])
            indices = self._checked(np.asarray(self.indices[lo:hi]).astype(np.int64), lo)
            owner = np.searchsorted(self.indptr, np.arange(lo, hi), side="right") - 1
            np.add.at(major_sums, owner, data)
            np.add.at(minor_sums, indices, data)
        if axis is None:
            return major_sums.sum()
        columns = major_sums if self.by_column else minor_sums
        rows = minor_sums if self.by_column else major_sums
        return columns if axis % 2 == 0 else rows


def _is_int(key):
    return (isinstance(key, (numbers.Integral, np.integer))
            and not isinstance(key, (bool, np.bool_)))


def _positions(key, n):
    """``key`` (an int, a slice, an index list or a mask along a dimension of
    ``n``) as int64 positions."""
    if isinstance(key, (numbers.Integral, np.integer)) and not isinstance(key, (bool, np.bool_)):
        if not -n <= key < n:
            raise IndexError("index %d is out of bounds for a dimension of %d" % (key, n))
        return np.array([int(key) % n], np.int64)
    if isinstance(key, slice):
        return np.arange(*key.indices(n), dtype=np.int64)
    arr = np.asarray(key)
    if arr.dtype == bool:
        if arr.shape != (n,):
            raise IndexError("a mask of shape %s along a dimension of %d" % (arr.shape, n))
        return np.flatnonzero(arr).astype(np.int64)
    if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
        raise IndexError("a sparse matrix takes ints, slices, 1-d index lists and masks, "
                         "not %r" % (key,))
    arr = arr.astype(np.int64)
    if arr.size and (arr.min() < -n or arr.max() >= n):
        raise IndexError("an index is out of bounds for a dimension of %d" % n)
    return np.where(arr < 0, arr + n, arr)


def from_scipy(matrix, group, chunks=None, **kwargs):
    """Write the scipy sparse ``matrix`` as the arrays ``data``, ``indices`` and
    ``indptr`` of ``group`` (a group of this package, a path for a new one,
    or an ``h5py.Group``), column by column for CSC, else row by row (CSR);
    the group. ``chunks`` and the other keywords go to each array's creation.

    Examples
    --------
    >>> import scipy.sparse, zarr
    >>> g = from_scipy(scipy.sparse.identity(3, format="csr"), zarr.group())
    >>> g["indptr"][...].tolist(), g.attrs["shape"], g.attrs["format"]
    ([0, 1, 2, 3], [3, 3], 'csr')
    """
    sparse = _scipy_sparse()
    if not sparse.issparse(matrix):
        raise TypeError("from_scipy takes a scipy sparse matrix, not %s" % type(matrix).__name__)
    if matrix.format not in ("csc", "csr"):
        matrix = matrix.tocsc()
    if isinstance(group, str):
        from zarr.hierarchy import open_group
        group = open_group(group, mode="w-")
    for name in ("data", "indices", "indptr"):
        values = np.ascontiguousarray(getattr(matrix, name))
        options = dict(kwargs)
        if chunks is not None:
            options["chunks"] = chunks
        group.create_dataset(name, data=values, **options)
    group.attrs["shape"] = list(matrix.shape)
    group.attrs["format"] = matrix.format
    return group
