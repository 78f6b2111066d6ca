"""Wrappers that give any chunked array or table the block-wise functions as methods."""

import operator

import numpy as np

from zarr.chunked import core, reductions, selection, tables
from zarr.chunked.blocks import check_array_like
from zarr.util import Sized

__all__ = ["ChunkedArrayWrapper", "ChunkedTableWrapper"]


def _wrap(result):
    """Array results of the storages come back wrapped; numpy values as they are."""
    if isinstance(result, np.ndarray) or np.isscalar(result) or isinstance(result, np.generic):
        return result
    return ChunkedArrayWrapper(result)


def _unwrap(x):
    return x.values if isinstance(x, (ChunkedArrayWrapper, ChunkedTableWrapper)) else x


class ChunkedArrayWrapper(Sized):
    """Any array-like with ``shape``, ``dtype`` and slicing (this package's
    arrays, numpy arrays, h5py datasets, dask arrays) with the functions of
    :mod:`zarr.chunked` as methods; each takes their keyword arguments
    (``blen``, ``storage``, ``threads``...). Array results are wrapped again;
    numpy results are returned as they are.

    Examples
    --------
    >>> w = ChunkedArrayWrapper(np.arange(12).reshape(4, 3))
    >>> w.max(axis=0).tolist()
    [9, 10, 11]
    >>> (w * 2).sum(axis=1)[...].tolist()
    [6, 24, 42, 60]
    """

    def __init__(self, data):
        self.values = check_array_like(_unwrap(data))

    # The array-like itself.

    @property
    def shape(self):
        return tuple(self.values.shape)

    @property
    def dtype(self):
        return np.dtype(self.values.dtype)

    @property
    def chunks(self):
        return getattr(self.values, "chunks", None)

    def __len__(self):
        return self.shape[0]

    def __getitem__(self, item):
        return self.values[item]

    def __array__(self, dtype=None, copy=None):
        a = np.asarray(self.values[...])
        return a if dtype is None else a.astype(dtype, copy=False)

    def __repr__(self):
        return "ChunkedArrayWrapper(%s, %s, chunks=%s, of %s)" % (
            self.shape, self.dtype, self.chunks, type(self.values).__name__)

    # Block-wise functions.

    def copy(self, start=0, stop=None, **kwargs):
        return _wrap(core.copy(self.values, start, stop, **kwargs))

    def store(self, arr, start=0, stop=None, offset=0, **kwargs):
        core.store(self.values, _unwrap(arr), start, stop, offset, **kwargs)
        return arr

    def map_blocks(self, f, **kwargs):
        return _wrap(core.map_blocks(self.values, f, **kwargs))

    def reduce_axis(self, reducer, block_reducer, mapper=None, axis=None, **kwargs):
        return _wrap(reductions.reduce_axis(self.values, reducer, block_reducer, mapper, axis,
                                            **kwargs))

    def max(self, axis=None, **kwargs):
        return _wrap(reductions.amax(self.values, axis=axis, **kwargs))

    def min(self, axis=None, **kwargs):
        return _wrap(reductions.amin(self.values, axis=axis, **kwargs))

    def sum(self, axis=None, **kwargs):
        return _wrap(reductions.asum(self.values, axis=axis, **kwargs))

    def count_nonzero(self, axis=None, **kwargs):
        return _wrap(reductions.count_nonzero(self.values, axis=axis, **kwargs))

    def compress(self, condition, axis=0, **kwargs):
        return _wrap(selection.compress(_unwrap(condition), self.values, axis=axis, **kwargs))

    def take(self, indices, axis=0, **kwargs):
        return _wrap(selection.take(self.values, indices, axis=axis, **kwargs))

    def subset(self, sel0=None, sel1=None, **kwargs):
        return _wrap(selection.subset(self.values, sel0, sel1, **kwargs))

    def concatenate(self, others, axis=0, **kwargs):
        if not isinstance(others, (list, tuple)):
            others = (others,)
        arrays = (self.values,) + tuple(_unwrap(o) for o in others)
        return _wrap(core.concatenate(arrays, axis=axis, **kwargs))

    def binary_op(self, op, other, **kwargs):
        return _wrap(core.binary_op(self.values, op, _unwrap(other), **kwargs))

    # Operators, block-wise into the default storage. numpy values on the left
    # defer to these too, rather than reading the whole array through __array__.

    __array_ufunc__ = None

    def _unary(ufunc):
        def method(self):
            return self.binary_op(lambda a, b: ufunc(a), 0)
        return method

    __neg__, __pos__ = _unary(np.negative), _unary(np.positive)
    __abs__, __invert__ = _unary(np.absolute), _unary(np.invert)
    del _unary

    def _op(op):
        def method(self, other):
            return self.binary_op(op, other)
        method.__name__ = "__%s__" % op.__name__.strip("_")
        return method

    def _rop(op):
        def method(self, other):
            return self.binary_op(lambda a, b: op(b, a), other)
        return method

    __add__, __radd__ = _op(operator.add), _rop(operator.add)
    __sub__, __rsub__ = _op(operator.sub), _rop(operator.sub)
    __mul__, __rmul__ = _op(operator.mul), _rop(operator.mul)
    __truediv__, __rtruediv__ = _op(operator.truediv), _rop(operator.truediv)
    __floordiv__, __rfloordiv__ = _op(operator.floordiv), _rop(operator.floordiv)
    __mod__, __rmod__ = _op(operator.mod), _rop(operator.mod)
    __pow__, __rpow__ = _op(operator.pow), _rop(operator.pow)
    __and__, __rand__ = _op(operator.and_), _rop(operator.and_)
    __or__, __ror__ = _op(operator.or_), _rop(operator.or_)
    __xor__, __rxor__ = _op(operator.xor), _rop(operator.xor)
    __lt__, __le__ = _op(operator.lt), _op(operator.le)
    __gt__, __ge__ = _op(operator.gt), _op(operator.ge)
    __eq__, __ne__ = _op(operator.eq), _op(operator.ne)
    __hash__ = None
    del _op, _rop


class ChunkedTableWrapper:
    """Any table-like (a :class:`zarr.Table`, a group, a dict of columns, a
    record array, an h5py group, a DataFrame) with the table functions of
    :mod:`zarr.chunked` as methods.

    ``w['name']`` is a column, wrapped; ``w[['a', 'b']]`` a table of those
    columns; ``w[i]``, ``w[a:b]`` rows as a numpy record array.

    Examples
    --------
    >>> w = ChunkedTableWrapper({"a": np.arange(4), "b": np.arange(4) * 1.5})
    >>> w.names, len(w)
    (['a', 'b'], 4)
    >>> w.compress("a % 2 == 1")["b"][...].tolist()
    [1.5, 4.5]
    >>> w[1:3].tolist()
    [(1, 1.5), (2, 3.0)]
    """

    def __init__(self, data, names=None):
        data = _unwrap(data)
        self.names, self._columns = tables.table_columns(data, names)
        self.values = data if names is None else {n: self._columns[n] for n in self.names}

    def __len__(self):
        return next(iter(self._columns.values())).shape[0]

    @property
    def shape(self):
        return (len(self), len(self.names))

    def __repr__(self):
        return "ChunkedTableWrapper(%d rows, columns %s, of %s)" % (
            len(self), self.names, type(self.values).__name__)

    def __getitem__(self, item):
        if isinstance(item, str):
            return self.column(item)
        if isinstance(item, (list, tuple)) and item and all(isinstance(i, str) for i in item):
            return ChunkedTableWrapper(self._columns, names=list(item))
        if isinstance(item, (int, np.integer, slice)):
            return self._records(item)
        raise TypeError("a table is indexed by a column name, a list of names, a row or a "
                        "slice of rows, not %r" % (item,))

    def column(self, label):
        """The column ``label`` (of any type: ``w[3]`` would be a row), wrapped."""
        if label not in self._columns:
            raise KeyError(label)
        return ChunkedArrayWrapper(self._columns[label])

    def _records(self, rows):
        values = [np.asarray(self._columns[n][rows]) for n in self.names]
        dtype = [(str(n), v.dtype, v.shape[1:] if isinstance(rows, slice) else v.shape)
                 for n, v in zip(self.names, values)]
        if isinstance(rows, slice):
            out = np.empty(len(values[0]), dtype=dtype)
        else:
            out = np.empty((), dtype=dtype)
        for n, v in zip(self.names, values):
            out[str(n)] = v
        return out.view(np.recarray) if isinstance(rows, slice) else out[()]

    def _table(self):
        return {n: self._columns[n] for n in self.names}

    def copy(self, start=0, stop=None, **kwargs):
        return ChunkedTableWrapper(tables.copy_table(self._table(), start, stop, **kwargs))

    def compress(self, condition, **kwargs):
        return ChunkedTableWrapper(tables.compress_table(_unwrap(condition), self._table(),
                                                         **kwargs))

    def take(self, indices, **kwargs):
        return ChunkedTableWrapper(tables.take_table(self._table(), indices, **kwargs))

    def concatenate(self, others, **kwargs):
        if not isinstance(others, (list, tuple)):
            others = (others,)
        tup = [self._table()] + [_unwrap(o) for o in others]
        return ChunkedTableWrapper(tables.concatenate_table(tup, **kwargs))

    def eval(self, expression, **kwargs):
        return _wrap(tables.eval_table(self._table(), expression, **kwargs))

    def query(self, expression, **kwargs):
        """The rows where ``expression`` holds: :meth:`compress` with an expression."""
        return self.compress(expression, **kwargs)
