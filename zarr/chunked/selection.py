"""Block-wise selections of rows and columns: compress, take, subset."""

import numpy as np

from zarr.chunked.blocks import (RowWriter, block_ranges, check_array_like, get_blen,
                                 read_block_scratch, run_blocks)
from zarr.chunked.core import check_create, new_array, output_chunks
from zarr.util import check_out_dtype

__all__ = ["compress", "take", "subset"]


def _axis(axis, ndim):
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError("axis must be an int, not %r" % (axis,))
    if not -ndim <= axis < ndim:
        raise np.exceptions.AxisError(int(axis), ndim)
    return int(axis) % ndim


def _condition(condition, length):
    """A 1-D boolean condition no longer than ``length`` (numpy reads a shorter one
    as False beyond its end)."""
    if not hasattr(condition, "shape"):
        condition = np.asarray(condition)
        if condition.size == 0:
            condition = condition.astype(bool)
    if len(condition.shape) != 1:
        raise ValueError("condition must be 1-D, not of shape %s" % (tuple(condition.shape),))
    if np.dtype(condition.dtype) != np.bool_:
        raise TypeError("condition must be boolean, not %s" % np.dtype(condition.dtype))
    if condition.shape[0] > length:
        raise ValueError("condition of length %d is longer than the %d it selects from"
                         % (condition.shape[0], length))
    return condition


def _output(out, storage, data, shape, dtype, kwargs):
    if out is None:
        return new_array(storage, shape, dtype, output_chunks(data, shape, kwargs), kwargs)
    if tuple(out.shape) != tuple(shape):
        raise ValueError("out has shape %s, the result %s" % (tuple(out.shape), shape))
    check_out_dtype(out, dtype)
    return out


def compress(condition, data, axis=0, out=None, blen=None, storage=None, create="array",
             threads=None, progress=None, **kwargs):
    """The slices of ``data`` along ``axis`` where ``condition`` is True, as
    ``numpy.compress``, block-wise.

    Along the first axis the condition is counted block by block first, so
    that every block then writes its rows of the result at once.

    Examples
    --------
    >>> x = np.arange(12).reshape(6, 2)
    >>> compress([True, False, True, False, False, True], x, blen=4)[...].tolist()
    [[0, 1], [4, 5], [10, 11]]
    >>> compress([False, True], x, axis=1)[...].ravel().tolist()
    [1, 3, 5, 7, 9, 11]
    """
    check_create(create)
    data = check_array_like(data)
    axis = _axis(axis, len(data.shape))
    condition = _condition(condition, data.shape[axis])
    if axis != 0:
        keep = np.zeros(data.shape[axis], bool)
        keep[:condition.shape[0]] = np.asarray(condition[...])
        shape = list(data.shape)
        shape[axis] = int(keep.sum())
        result = _output(out, storage, data, tuple(shape), data.dtype, kwargs)
        writer = RowWriter(result)

        where = np.flatnonzero(keep)

        def select(i, a, b):
            writer.write(a, b, _along(data, a, b, axis, where))
        run_blocks(select, block_ranges(0, data.shape[0], get_blen(data, blen, result)),
                   threads, progress, "compress")
        return result

    ranges = block_ranges(0, condition.shape[0], get_blen(data, blen))
    counts = run_blocks(lambda i, a, b: int(np.count_nonzero(np.asarray(condition[a:b]))),
                        ranges, threads, progress, "count")
    offsets = np.concatenate([[0], np.cumsum(counts, dtype=np.int64)])
    shape = (int(offsets[-1]),) + tuple(data.shape[1:])
    result = _output(out, storage, data, shape, data.dtype, kwargs)
    writer = RowWriter(result)

    def select(i, a, b):
        if counts[i] == 0:
            return
        keep = np.asarray(condition[a:b])
        rows = np.flatnonzero(keep)
        if hasattr(data, "get_orthogonal_selection"):
            part = data.get_orthogonal_selection((rows + a,), threads=1)
        else:
            lo, hi = a + int(rows[0]), a + int(rows[-1]) + 1
            part = read_block_scratch(data, lo, hi)[keep[lo - a:hi - a]]
        writer.write(int(offsets[i]), int(offsets[i + 1]), part)
    run_blocks(select, ranges, threads, progress, "compress")
    return result


def _indices(indices, length, mode):
    indices = np.asarray(indices)
    if indices.ndim != 1:
        raise ValueError("indices must be 1-D, not of shape %s" % (indices.shape,))
    if indices.size and not np.issubdtype(indices.dtype, np.integer):
        raise TypeError("indices must be integers, not %s" % indices.dtype)
    if indices.dtype.kind == "u" and indices.size and indices.max() > np.iinfo(np.int64).max:
        # Beyond int64: never read as the negative number its bits are.
        if mode == "raise" or length == 0:
            raise IndexError("index %d is out of bounds for axis of size %d"
                             % (indices.max(), length))
        if mode == "wrap":
            return (indices % np.uint64(length)).astype(np.int64)
        if mode == "clip":
            return np.minimum(indices, np.uint64(length - 1)).astype(np.int64)
    indices = indices.astype(np.int64, copy=False)
    if mode == "raise":
        if indices.size and (indices.min() < -length or indices.max() >= length):
            bad = indices[(indices < -length) | (indices >= length)][0]
            raise IndexError("index %d is out of bounds for axis of size %d" % (bad, length))
        return np.where(indices < 0, indices + length, indices)
    if mode == "wrap":
        if length == 0 and indices.size:
            raise IndexError("cannot take from an empty axis")
        return np.mod(indices, length) if length else indices
    if mode == "clip":
        if length == 0 and indices.size:
            raise IndexError("cannot take from an empty axis")
        return np.clip(indices, 0, max(length - 1, 0))
    raise ValueError("mode must be 'raise', 'wrap' or 'clip', not %r" % (mode,))


def _along(data, a, b, axis, indices):
    """``np.take(data[a:b], indices, axis)``: by the array's orthogonal
    selection when it has one (only the chunks and blocks wanted are read)."""
    if hasattr(data, "get_orthogonal_selection"):
        sel = (slice(a, b),) + (slice(None),) * (axis - 1) + (indices,)
        return data.get_orthogonal_selection(sel, threads=1)
    return np.take(read_block_scratch(data, a, b), indices, axis=axis)


def _gather_rows(data, rows, source_blen, columns=None):
    """``data[rows]`` (rows: any order, repeats allowed), reading for each block
    of the source only the span of rows wanted there."""
    if hasattr(data, "get_orthogonal_selection"):
        sel = (rows,) if columns is None else (rows, columns)
        return data.get_orthogonal_selection(sel, threads=1)
    if not len(rows):
        empty = np.asarray(data[0:0])
        return empty if columns is None else empty[:, columns]
    wanted, where = np.unique(rows, return_inverse=True)
    parts = []
    block_of = wanted // source_blen
    edges = np.flatnonzero(np.diff(block_of)) + 1
    for group in np.split(wanted, edges):
        lo, hi = int(group[0]), int(group[-1]) + 1
        span = np.asarray(data[lo:hi])
        part = span[group - lo]
        if columns is not None:
            part = part[:, columns]
        parts.append(part)
    gathered = np.concatenate(parts) if parts else np.asarray(data[0:0])
    return gathered[where.reshape(-1)]


def take(data, indices, axis=0, out=None, mode="raise", blen=None, storage=None,
         create="array", threads=None, progress=None, **kwargs):
    """``numpy.take(data, indices, axis)`` for 1-D ``indices``, block-wise.

    Along the first axis, each block of the result reads, from each block of
    ``data`` its indices fall in, only the span of rows they need; indices
    may come in any order and repeat.

    Examples
    --------
    >>> x = np.arange(10) * 10
    >>> take(x, [7, 1, 1, -1], blen=3)[...].tolist()
    [70, 10, 10, 90]
    """
    check_create(create)
    data = check_array_like(data)
    axis = _axis(axis, len(data.shape))
    indices = _indices(indices, data.shape[axis], mode)
    shape = list(data.shape)
    shape[axis] = len(indices)
    shape = tuple(shape)
    result = _output(out, storage, data, shape, data.dtype, kwargs)
    writer = RowWriter(result)
    source_blen = get_blen(data, blen)
    if axis != 0:
        def select(i, a, b):
            writer.write(a, b, _along(data, a, b, axis, indices))
        run_blocks(select, block_ranges(0, data.shape[0], get_blen(data, blen, result)),
                   threads, progress, "take")
        return result

    def gather(i, a, b):
        writer.write(a, b, _gather_rows(data, indices[a:b], source_blen))
    run_blocks(gather, block_ranges(0, len(indices), source_blen), threads, progress, "take")
    return result


def _selection(sel, length, what):
    """A selection along one axis as sorted-or-not integer indices."""
    if sel is None:
        return None
    sel = np.asarray(sel)
    if sel.dtype == np.bool_:
        if sel.ndim != 1 or sel.shape[0] > length:
            raise ValueError("%s: a boolean selection must be 1-D and at most %d long"
                             % (what, length))
        return np.flatnonzero(sel)
    return _indices(sel, length, "raise")


def subset(data, sel0=None, sel1=None, blen=None, storage=None, create="array", threads=None,
           progress=None, **kwargs):
    """``data[sel0][:, sel1]``: rows and columns selected by booleans or indices,
    block-wise (None keeps all).

    Examples
    --------
    >>> x = np.arange(20).reshape(4, 5)
    >>> subset(x, [0, 3], [True, False, False, False, True])[...].tolist()
    [[0, 4], [15, 19]]
    """
    check_create(create)
    data = check_array_like(data)
    if len(data.shape) < 2 and sel1 is not None:
        raise ValueError("sel1 selects columns: data must have at least 2 dimensions")
    rows = _selection(sel0, data.shape[0], "sel0")
    columns = _selection(sel1, data.shape[1], "sel1") if len(data.shape) > 1 else None
    if rows is None:
        if columns is None:
            from zarr.chunked.core import copy
            return copy(data, blen=blen, storage=storage, threads=threads, progress=progress,
                        **kwargs)
        return take(data, columns, axis=1, blen=blen, storage=storage, threads=threads,
                    progress=progress, **kwargs)
    shape = (len(rows),) + ((len(columns),) if columns is not None else
                            tuple(data.shape[1:2])) + tuple(data.shape[2:])
    result = _output(None, storage, data, shape, data.dtype, kwargs)
    writer = RowWriter(result)
    source_blen = get_blen(data, blen)

    def gather(i, a, b):
        writer.write(a, b, _gather_rows(data, rows[a:b], source_blen, columns))
    run_blocks(gather, block_ranges(0, len(rows), source_blen), threads, progress, "subset")
    return result
