"""DelayedArray: numpy operations over an array too big for memory, computed
only when a result is asked for, and then a block at a time."""

import numbers

import numpy as np

from zarr.delayed import blocks as _blocks
from zarr.delayed.indices import normalize
from zarr.delayed.nodes import (UFUNC_KWARGS, Cast, Concatenate, Elementwise, Node, Seed,
                                Subset, Transpose)
from zarr.delayed.operators import install
from zarr.util import Sized


def _operand(value, name):
    """A DelayedArray's node, a numpy array or a scalar as an operand; None
    for anything else (numpy then tries the other operand's methods)."""
    if isinstance(value, DelayedArray):
        return value._node
    if isinstance(value, (numbers.Number, np.generic, str, bytes)):
        return value
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, (list, tuple)):
        return np.asarray(value)
    return None


class DelayedArray(Sized):
    """An array whose values are those of ``seed`` (anything with ``shape``,
    ``dtype`` and numpy-style slicing: this package's arrays, ``h5py``
    datasets, numpy arrays, another DelayedArray) through the operations
    applied to it, computed only when asked for.

    numpy's element-wise functions (ufuncs) and operators, subsets
    (``d[rows, cols]`` with slices, index lists and masks), ``astype``,
    ``T``, ``transpose``, ``round``, ``clip``, ``where``, ``concatenate`` and
    ``stack`` give new delayed arrays, reading nothing. A result reads what it
    needs a block at a time, on the package's threads: ``np.asarray(d)``,
    ``d.compute()``, ``d[...]`` of a 0-d array, and the reductions (``sum``,
    ``mean``, ``min``, ``max``, ``var``, ``std``, ``any``, ``all``,
    ``count_nonzero``, as methods and as numpy functions).

    Examples
    --------
    >>> import numpy as np, zarr
    >>> from zarr.delayed import DelayedArray
    >>> z = zarr.array(np.arange(40 * 50, dtype="f8").reshape(40, 50), chunks=(10, 10))
    >>> d = np.log1p(DelayedArray(z) / np.arange(1, 51))
    >>> d
    <40 x 50> DelayedArray object of type 'float64'
    ...
    >>> float(np.round(d.sum(), 3)), d[2:4, [0, 49]].compute().shape
    (7380.574, (2, 2))
    """

    __array_priority__ = 20

    def __init__(self, seed):
        if isinstance(seed, DelayedArray):
            seed = seed._node
        self._node = seed if isinstance(seed, Node) else Seed(seed)

    # What it is.

    @property
    def shape(self):
        return self._node.shape

    @property
    def dtype(self):
        return self._node.dtype

    @property
    def chunks(self):
        """The block shape its values are computed in (the seed's chunks)."""
        return self._node.chunks

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of a 0-d delayed array")
        return self.shape[0]

    # numpy's protocols.

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method != "__call__":
            raise TypeError("numpy.%s.%s is not element-wise: a delayed array takes ufuncs "
                            "called element by element, and reductions as functions "
                            "(numpy.sum) or methods" % (ufunc.__name__, method))
        if "out" in kwargs:
            raise TypeError("numpy.%s with out=: a delayed array computes nothing in place; "
                            "use the result instead" % ufunc.__name__)
        if kwargs.get("where", False) is True:
            del kwargs["where"]  # numpy's default: every element
        if "where" in kwargs:
            raise TypeError("numpy.%s with where=: leaves values undefined; use numpy.where "
                            "on the result" % ufunc.__name__)
        if ufunc.signature is not None:
            raise TypeError("numpy.%s works on whole core dimensions (signature %s), not "
                            "element by element: compute the arrays first"
                            % (ufunc.__name__, ufunc.signature))
        unknown = set(kwargs) - UFUNC_KWARGS
        if unknown:
            raise TypeError("numpy.%s: a delayed array does not take %s"
                            % (ufunc.__name__, ", ".join(sorted(unknown))))
        operands = [_operand(x, ufunc.__name__) for x in inputs]
        if any(op is None for op in operands):
            return NotImplemented
        if ufunc.nout == 1:
            return DelayedArray(Elementwise(ufunc, operands, kwargs))
        return tuple(DelayedArray(Elementwise(ufunc, operands, kwargs, output=i))
                     for i in range(ufunc.nout))

    def __array_function__(self, func, types, args, kwargs):
        handler = _FUNCTIONS.get(func)
        if handler is None:
            raise TypeError("numpy.%s is not among a delayed array's operations (they are "
                            "%s); compute the array first (numpy.asarray) to use it"
                            % (func.__name__, ", ".join(sorted(f.__name__ for f in _FUNCTIONS))))
        return handler(*args, **kwargs)

    def __array__(self, dtype=None, copy=None):
        if copy is False:
            raise ValueError("a delayed array is computed: it cannot be viewed without a copy")
        out = self.compute()
        return out if dtype is None else out.astype(dtype, copy=False)

    # Results.

    def compute(self, threads=None):
        """The values, as an ndarray (read and computed a block at a time)."""
        return _blocks.compute(self._node, threads)

    def __getitem__(self, selection):
        if selection is Ellipsis or (isinstance(selection, tuple) and selection == ()):
            if not self.shape:
                return self.compute()[()]
        if isinstance(selection, DelayedArray):
            raise IndexError("a delayed array is not an index: compute it first")
        return DelayedArray(Subset(self._node, normalize(selection, self.shape)))

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __bool__(self):
        if self.size != 1:
            raise ValueError("the truth value of a delayed array with more than one element "
                             "is ambiguous; use any() or all()")
        return bool(self.compute().reshape(()))

    def __float__(self):
        return float(self.compute().reshape(()))

    def __int__(self):
        return int(self.compute().reshape(()))

    def to_zarr(self, store, chunks=None, mode="w-", threads=None, **kwargs):
        """Write the values into a new array of this package at ``store`` (a
        path or a store), block by block, and return it. ``chunks`` defaults to
        the seed's; ``mode`` and the other keywords are :func:`zarr.open`'s
        (``'w-'``: an array already there is an error, never overwritten).

        Examples
        --------
        >>> import tempfile
        >>> d = np.sqrt(DelayedArray(np.arange(20.0).reshape(4, 5)))
        >>> z = d.to_zarr(tempfile.mkdtemp() + "/a.zarr", chunks=(2, 2))
        >>> z.chunks, round(float(z[3, 4] ** 2), 6)
        ((2, 2), 19.0)
        """
        import zarr
        chunks = self.chunks if chunks is None else chunks
        z = zarr.open(store, mode=mode, shape=self.shape, chunks=chunks, dtype=self.dtype,
                      **kwargs)
        _blocks.write_into(self._node, z, threads)
        return z

    def store(self, storage=None, threads=None, **kwargs):
        """Write the values into a new array of the storage named by ``storage``
        (see :data:`zarr.chunked.storage_registry`: ``'mem'``, ``'tmp'``, ``'dir'``,
        ``'hdf5tmp'``...), a block of rows at a time; the keywords
        go to the storage (``chunks``, ``cname``...).

        Examples
        --------
        >>> z = (DelayedArray(np.arange(10)) * 3).store(storage="mem")
        >>> z[...].tolist()[-3:]
        [21, 24, 27]
        """
        import zarr
        if not self.shape:
            raise ValueError("a 0-d delayed array has no rows to store; compute it")
        return zarr.chunked.copy(_Rows(self), storage=storage, threads=threads, **kwargs)

    def to_dask(self):
        """A dask array of these values, in blocks of the seed's chunks; each
        block reads and computes only its part.

        Examples
        --------
        >>> x = (DelayedArray(np.arange(12).reshape(3, 4)) + 1).to_dask()
        >>> x.chunks, int(x.sum().compute())
        (((3,), (4,)), 78)
        """
        import uuid

        import dask.array as da
        return da.from_array(_Rows(self), chunks=self.chunks or (), asarray=True,
                             name="delayed-%s" % uuid.uuid4().hex,
                             meta=np.empty((0,) * self.ndim, self.dtype))

    # Operations that give delayed arrays.

    def astype(self, dtype, casting="unsafe"):
        """The values cast to ``dtype`` (``ndarray.astype``'s rules)."""
        return DelayedArray(Cast(self._node, dtype, casting))

    def transpose(self, *axes):
        """The array with its dimensions reversed, or in the order ``axes``."""
        if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (tuple, list))):
            axes = axes[0]
        if not axes:
            axes = tuple(range(self.ndim))[::-1]
        axes = tuple(_blocks._axis(a, self.ndim) for a in axes)
        if sorted(axes) != list(range(self.ndim)):
            raise ValueError("axes %s don't match an array of %d dimensions" % (axes, self.ndim))
        return DelayedArray(Transpose(self._node, axes))

    @property
    def T(self):
        return self.transpose()

    def round(self, decimals=0):
        return _round(self, decimals)

    def clip(self, a_min=None, a_max=None):
        return _clip(self, a_min, a_max)

    # Reductions.

    def _reduce(self, kind, axis=None, dtype=None, out=None, keepdims=False, ddof=0, **rest):
        if out is not None:
            raise TypeError("%s with out=: a delayed array's reduction returns its result"
                            % kind)
        if rest.pop("where", True) is not True or rest:
            raise TypeError("%s: a delayed array does not take %s"
                            % (kind, ", ".join(sorted(rest) or ["where"])))
        return _blocks.reduce(self._node, kind, axis, dtype, keepdims, ddof)

    def sum(self, axis=None, dtype=None, out=None, keepdims=False, **kw):
        return self._reduce("sum", axis, dtype, out, keepdims, **kw)

    def prod(self, axis=None, dtype=None, out=None, keepdims=False, **kw):
        return self._reduce("prod", axis, dtype, out, keepdims, **kw)

    def mean(self, axis=None, dtype=None, out=None, keepdims=False, **kw):
        return self._reduce("mean", axis, dtype, out, keepdims, **kw)

    def var(self, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kw):
        return self._reduce("var", axis, dtype, out, keepdims, ddof, **kw)

    def std(self, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kw):
        return self._reduce("std", axis, dtype, out, keepdims, ddof, **kw)

    def min(self, axis=None, out=None, keepdims=False, **kw):
        return self._reduce("min", axis, None, out, keepdims, **kw)

    def max(self, axis=None, out=None, keepdims=False, **kw):
        return self._reduce("max", axis, None, out, keepdims, **kw)

    def any(self, axis=None, out=None, keepdims=False, **kw):
        return self._reduce("any", axis, None, out, keepdims, **kw)

    def all(self, axis=None, out=None, keepdims=False, **kw):
        return self._reduce("all", axis, None, out, keepdims, **kw)

    def count_nonzero(self, axis=None, keepdims=False):
        return self._reduce("count_nonzero", axis, None, None, keepdims)

    # The summary.

    def __repr__(self):
        from zarr.delayed.summary import summary
        return summary(self)


class _Rows:
    """A delayed array as an array-like whose slices are computed ndarrays
    (for zarr.chunked and dask, which read their blocks so)."""

    def __init__(self, array):
        self.array = array
        self.shape, self.dtype, self.ndim = array.shape, array.dtype, array.ndim
        self.chunks = array.chunks

    def __len__(self):
        return self.shape[0]

    def __getitem__(self, selection):
        part = self.array[selection]
        if not isinstance(part, DelayedArray):  # a 0-d array's d[()]: its value
            return np.asarray(part)
        return part.compute() if part.shape else np.asarray(part.compute())[()]


install(DelayedArray)


def _delayed(value):
    if isinstance(value, DelayedArray):
        return value
    if isinstance(value, np.ndarray) or hasattr(value, "shape"):
        return DelayedArray(value)
    return DelayedArray(np.asarray(value))


def _where(condition, x=None, y=None):
    if x is None and y is None:
        raise TypeError("numpy.where with one argument gives positions: compute the "
                        "condition first")
    operands = [_operand(v, "where") for v in (condition, x, y)]
    if any(op is None for op in operands):
        raise TypeError("numpy.where: operands must be delayed arrays, numpy arrays or scalars")
    return DelayedArray(Elementwise(np.where, operands, name="where"))


def _clip(a, a_min=None, a_max=None, **kwargs):
    if kwargs:
        raise TypeError("clip: a delayed array does not take %s" % ", ".join(sorted(kwargs)))
    if a_min is None and a_max is None:
        raise ValueError("One of max or min must be given")
    # numpy.clip itself, block by block: its dtypes, and its bounds beyond the
    # array's integer type (np.clip(int8, -300, 300)), which maximum refuses.
    operands = [_delayed(a)._node] + [_operand(v, "clip") for v in (a_min, a_max)]
    if any(op is None for op, v in zip(operands[1:], (a_min, a_max)) if v is not None):
        raise TypeError("clip: bounds must be delayed arrays, numpy arrays or scalars")
    return DelayedArray(Elementwise(np.clip, operands, name="clip"))


def _round(a, decimals=0, out=None):
    if out is not None:
        raise TypeError("round with out=: a delayed array computes nothing in place")
    return DelayedArray(Elementwise(np.round, [_delayed(a)._node],
                                    {"decimals": int(decimals)}, name="round"))


def _concatenate(arrays, axis=0, **kwargs):
    if kwargs:
        raise TypeError("concatenate: a delayed array does not take %s"
                        % ", ".join(sorted(kwargs)))
    nodes = [_delayed(a)._node for a in arrays]
    if not nodes:
        raise ValueError("need at least one array to concatenate")
    if axis is None:
        raise TypeError("concatenate with axis=None flattens: reshape is not a delayed "
                        "operation; give an axis")
    return DelayedArray(Concatenate(nodes, _blocks._axis(axis, nodes[0].ndim)))


def _stack(arrays, axis=0, **kwargs):
    if kwargs:
        raise TypeError("stack: a delayed array does not take %s" % ", ".join(sorted(kwargs)))
    arrays = [_delayed(a) for a in arrays]
    if not arrays:
        raise ValueError("need at least one array to stack")
    shapes = {a.shape for a in arrays}
    if len(shapes) != 1:
        raise ValueError("all input arrays must have the same shape: %s"
                         % " and ".join(str(s) for s in sorted(shapes)))
    ndim = arrays[0].ndim + 1
    axis = _blocks._axis(axis, ndim)
    # A new axis of length 1 in each, then concatenated along it.
    order = list(range(1, ndim))
    order.insert(axis, 0)
    lifted = [DelayedArray(Transpose(_Lift(a._node), tuple(order))) for a in arrays]
    return _concatenate(lifted, axis)


class _Lift(Node):
    """``node`` with a first dimension of length 1."""

    def __init__(self, node):
        self.node = node
        self.shape = (1,) + node.shape
        self.chunks = (1,) + node.chunks
        self.dtype = node.dtype

    def read(self, index):
        # Every position along the new dimension is 0, perhaps repeated (d[[0, 0]]).
        data = self.node.read(index[1:])
        return np.repeat(data[np.newaxis], len(index[0]), axis=0)


def _reduction(kind):
    def handler(a, *args, **kwargs):
        return getattr(_delayed(a), kind)(*args, **kwargs)
    return handler


_FUNCTIONS = {
    np.sum: _reduction("sum"), np.prod: _reduction("prod"), np.mean: _reduction("mean"),
    np.var: _reduction("var"), np.std: _reduction("std"), np.min: _reduction("min"),
    np.max: _reduction("max"), np.amin: _reduction("min"), np.amax: _reduction("max"),
    np.any: _reduction("any"), np.all: _reduction("all"),
    np.count_nonzero: lambda a, axis=None, keepdims=False:
        _delayed(a).count_nonzero(axis, keepdims),
    np.transpose: lambda a, axes=None: _delayed(a).transpose(axes),
    np.round: _round, np.around: _round, np.clip: _clip, np.where: _where,
    np.concatenate: _concatenate, np.stack: _stack,
    np.shape: lambda a: _delayed(a).shape, np.ndim: lambda a: _delayed(a).ndim,
    np.size: lambda a, axis=None: _delayed(a).size if axis is None else _delayed(a).shape[axis],
}
