"""Delayed arrays over datasets of files that other programs may change:
each read opens the file anew."""

import errno
import os

import numpy as np

from zarr.delayed.array import DelayedArray


def _h5py():
    try:
        import h5py
    except ImportError:
        raise ImportError("HDF5 files need h5py: pip install h5py (or the package's [hdf5] "
                          "extra)") from None
    return h5py


class HDF5Dataset:
    """The dataset ``name`` of the HDF5 file at ``path``, as an array-like whose
    every read opens the file, reads and closes it (so that another program
    may write the file between reads); its shape, dtype and chunks are read
    once, when it is made.

    Examples
    --------
    >>> import h5py, numpy as np, os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "whee.h5")
    >>> with h5py.File(path, "w") as f:
    ...     _ = f.create_dataset("yay", data=np.arange(12).reshape(3, 4), chunks=(1, 4))
    >>> d = HDF5Dataset(path, "yay")
    >>> d.shape, d.chunks, d[1:, 2].tolist()
    ((3, 4), (1, 4), [6, 10])
    """

    def __init__(self, path, name):
        h5py = _h5py()
        self.path, self.name = os.fspath(path), str(name)
        if not os.path.isfile(self.path):
            raise FileNotFoundError(errno.ENOENT, "no HDF5 file", self.path)
        with h5py.File(self.path, "r") as f:
            node = f.get(self.name)
            if node is None:
                raise KeyError("no dataset %r in the HDF5 file %s" % (self.name, self.path))
            if not isinstance(node, h5py.Dataset):
                raise TypeError("%r in the HDF5 file %s is a group, not a dataset"
                                % (self.name, self.path))
            self.shape, self.dtype, self.chunks = node.shape, node.dtype, node.chunks

    def __getitem__(self, selection):
        with _h5py().File(self.path, "r") as f:
            return f[self.name][selection]

    def __repr__(self):
        return "HDF5Dataset(%r, %r)" % (self.path, self.name)


def hdf5(path, name, native_order=True):
    """A :class:`zarr.delayed.DelayedArray` over the dataset ``name`` of the HDF5
    file at ``path`` (see :class:`HDF5Dataset`), computed over the dataset's
    chunks; with ``native_order=False``, its dimensions reversed (the order
    in which a column-major reader sees them).

    Examples
    --------
    >>> import h5py, numpy as np, os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "whee.h5")
    >>> with h5py.File(path, "w") as f:
    ...     _ = f.create_dataset("yay", data=np.arange(2000.0).reshape(40, 50))
    >>> hdf5(path, "yay").shape, hdf5(path, "yay", native_order=False).shape
    ((40, 50), (50, 40))
    """
    array = DelayedArray(HDF5Dataset(path, name))
    return array if native_order else array.T


def _tiledb():
    """The tiledb package; numpy's print options as they were before its
    import (which sets numpy's printing to its 1.21 style for the process)."""
    options = np.get_printoptions()
    try:
        import tiledb as module
    except ImportError:
        raise ImportError("TileDB arrays need the tiledb package: pip install tiledb (or the "
                          "package's [tiledb] extra)") from None
    finally:
        np.set_printoptions(**options)
    return module


class TileDBArray:
    """The attribute ``attribute_name`` of the TileDB array at ``uri`` (dense
    or sparse, with integer dimensions), as an array-like whose every read
    opens the array: its shape is its domain's (positions counted from the
    domain's start), its chunks its tiles. A read of a sparse array gives a
    ``scipy.sparse`` COO matrix (2-d) or an ndarray; :meth:`extract_sparse`
    gives the coordinates and values a subset holds.

    Examples
    --------
    >>> import numpy as np, os, tempfile
    >>> tiledb = _tiledb()
    >>> uri = os.path.join(tempfile.mkdtemp(), "dense")
    >>> dims = [tiledb.Dim(name=n, domain=(0, 3), tile=2, dtype=np.int64) for n in "xy"]
    >>> tiledb.Array.create(uri, tiledb.ArraySchema(domain=tiledb.Domain(*dims),
    ...                     attrs=[tiledb.Attr(name="a", dtype=np.float64)]))
    >>> with tiledb.open(uri, "w") as a:
    ...     a[:] = np.arange(16.0).reshape(4, 4)
    >>> t = TileDBArray(uri)
    >>> t.shape, t.chunks, t.sparse, t[1:3, [0, 3]].tolist()
    ((4, 4), (2, 2), False, [[4.0, 7.0], [8.0, 11.0]])
    """

    def __init__(self, uri, attribute_name=""):
        module = _tiledb()
        self.uri = os.fspath(uri)
        try:
            with module.open(self.uri) as array:
                schema = array.schema
        except module.TileDBError as e:
            raise FileNotFoundError(errno.ENOENT, "no TileDB array (%s)" % e, self.uri) from None
        names = [schema.attr(i).name for i in range(schema.nattr)]
        if attribute_name == "" and "" not in names:
            if len(names) != 1:
                raise KeyError("the TileDB array %s has the attributes %s: name one"
                               % (self.uri, ", ".join(map(repr, names))))
            attribute_name = names[0]
        if attribute_name not in names:
            raise KeyError("no attribute %r in the TileDB array %s (it has %s)"
                           % (attribute_name, self.uri, ", ".join(map(repr, names))))
        self.attribute = attribute_name
        self.dtype = schema.attr(names.index(attribute_name)).dtype
        self.sparse = bool(schema.sparse)
        starts, shape, chunks = [], [], []
        for dim in schema.domain:
            if np.dtype(dim.dtype).kind not in "iu":
                raise TypeError("the TileDB array %s has a dimension %r of type %s: only "
                                "integer dimensions are read" % (self.uri, dim.name, dim.dtype))
            lo, hi = (int(v) for v in dim.domain)
            starts.append(lo)
            shape.append(hi - lo + 1)
            chunks.append(int(dim.tile) if dim.tile else hi - lo + 1)
        self.starts, self.shape, self.chunks = tuple(starts), tuple(shape), tuple(chunks)
        self._dimension_names = [dim.name for dim in schema.domain]

    def _covering(self, selection):
        """The half-open ranges of the domain that cover ``selection`` (one
        entry a dimension: an int, a slice or a list of positions), and what
        to take of the values read there."""
        if not isinstance(selection, tuple):
            selection = (selection,)
        selection = selection + (slice(None),) * (len(self.shape) - len(selection))
        ranges, takes = [], []
        for s, n, lo in zip(selection, self.shape, self.starts):
            if isinstance(s, slice):
                start, stop, step = s.indices(n)
                if step < 0 or stop <= start:
                    positions = np.arange(start, stop, step)
                    a, b = (int(positions.min()), int(positions.max()) + 1) if len(positions) \
                        else (0, 0)
                    ranges.append((a, b))
                    takes.append(positions - a)
                else:
                    ranges.append((start, stop))
                    takes.append(slice(None, None, step))
            elif isinstance(s, (int, np.integer)):
                i = int(s) % n if -n <= int(s) < n else None
                if i is None:
                    raise IndexError("index %d is out of bounds for a dimension of %d" % (s, n))
                ranges.append((i, i + 1))
                takes.append(0)
            else:
                positions = np.asarray(s, dtype=np.int64)
                a, b = (int(positions.min()), int(positions.max()) + 1) if len(positions) \
                    else (0, 0)
                ranges.append((a, b))
                takes.append(positions - a)
        return ranges, takes

    def __getitem__(self, selection):
        ranges, takes = self._covering(selection)
        module = _tiledb()
        domain = tuple(slice(lo + a, lo + b) for (a, b), lo in zip(ranges, self.starts))
        with module.open(self.uri) as array:
            got = array.query(attrs=[self.attribute])[domain] if all(b > a for a, b in ranges) \
                else None
        if not self.sparse:
            data = got[self.attribute] if got is not None else \
                np.zeros(tuple(b - a for a, b in ranges), self.dtype)
            return _take(data, takes)
        return self._sparse_result(got, ranges, takes)

    def _sparse_result(self, got, ranges, takes):
        box = tuple(b - a for a, b in ranges)
        if got is None:
            coords, values = [np.zeros(0, np.int64) for _ in box], np.zeros(0, self.dtype)
        else:
            values = np.asarray(got[self.attribute])
            coords = [np.asarray(got[name], dtype=np.int64) - lo - a
                      for name, (a, _), lo in zip(self._dimension_names, ranges, self.starts)]
        if len(box) == 2 and not any(isinstance(t, int) for t in takes):
            import scipy.sparse
            matrix = scipy.sparse.coo_matrix((values, tuple(coords)), shape=box).tocsr()
            return matrix[takes[0], :][:, takes[1]].tocoo()
        dense = np.zeros(box, self.dtype)
        dense[tuple(coords)] = values
        return _take(dense, takes)

    def extract_sparse(self, selection):
        """The coordinates (in the subset, one array a kept dimension) and the
        values of the cells of ``selection`` of a sparse array that are not
        zero."""
        if not self.sparse:
            raise TypeError("the TileDB array %s is dense: read it by slicing" % self.uri)
        part = self[selection]
        if hasattr(part, "tocoo"):
            part = part.tocoo()
            return [part.row.astype(np.int64), part.col.astype(np.int64)], part.data
        where = np.nonzero(part)
        return [w.astype(np.int64) for w in where], part[where]


def _take(data, takes):
    """``data`` (a box read) with each dimension's take applied, last first."""
    for axis in range(len(takes) - 1, -1, -1):
        index = [slice(None)] * data.ndim
        index[axis] = takes[axis]
        data = data[tuple(index)]
    return data


def tiledb(uri, attribute_name=""):
    """A :class:`zarr.delayed.DelayedArray` over the attribute of the TileDB
    array at ``uri`` (see :class:`TileDBArray`), computed over its tiles."""
    return DelayedArray(TileDBArray(uri, attribute_name))
