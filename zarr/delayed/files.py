"""Delayed arrays over datasets of files that other programs may change:
each read opens the file anew."""

import errno
import os

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
