"""Block-wise reductions: sums, extremes and counts over chunked array-likes.

A reduction over the first axis (or over all axes) reduces each block, then
combines the blocks' results in order: the answer is a numpy value. A
reduction over other axes only maps each block to its rows of the result,
which goes to a new array of the storage.
"""

import numpy as np

from zarr.chunked.blocks import (RowWriter, block_ranges, check_array_like, get_blen,
                                 read_block_scratch, run_blocks)
from zarr.chunked.core import check_create, new_array

__all__ = ["reduce_axis", "amax", "amin", "asum", "count_nonzero"]


def _axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    out = []
    for a in axes:
        if isinstance(a, bool) or not isinstance(a, (int, np.integer)):
            raise TypeError("axis must be an int or a tuple of ints, not %r" % (axis,))
        if not -ndim <= a < ndim:
            raise np.exceptions.AxisError(int(a), ndim)
        a = int(a) % ndim
        if a in out:
            raise ValueError("repeated axis %d" % a)
        out.append(a)
    return tuple(sorted(out))


def reduce_axis(data, reducer, block_reducer, mapper=None, axis=None, blen=None, storage=None,
                create="array", threads=None, progress=None, **kwargs):
    """Reduce ``data`` over ``axis`` block by block.

    Parameters
    ----------
    data : array-like
        Anything with ``shape``, ``dtype`` and slicing.
    reducer : function
        ``reducer(block, axis=axes)`` reduces one block, as ``numpy.sum``.
    block_reducer : function
        ``block_reducer(x, y)`` combines two blocks' results, as ``numpy.add``.
    mapper : function, optional
        Applied to each block before ``reducer``.
    axis : None, int or tuple of ints
        The axes to reduce (None: all).
    blen, storage, create, threads, progress, kwargs
        As for the other block-wise functions; ``storage`` holds the result
        only when ``axis`` leaves out the first axis.

    Returns
    -------
    numpy value, or an array of the storage

    Examples
    --------
    >>> x = np.arange(12).reshape(4, 3)
    >>> reduce_axis(x, np.sum, np.add, axis=0, blen=3).tolist()
    [18, 22, 26]
    >>> reduce_axis(x, np.max, np.maximum, axis=1, blen=3)[...].tolist()
    [2, 5, 8, 11]
    """
    check_create(create)
    data = check_array_like(data)
    axes = _axes(axis, len(data.shape))
    ranges = block_ranges(0, data.shape[0], get_blen(data, blen))
    if 0 in axes:
        def reduce_block(i, a, b):
            block = read_block_scratch(data, a, b)
            if mapper is not None:
                block = mapper(block)
            result = reducer(block, axis=axes)
            if isinstance(result, np.ndarray) and np.may_share_memory(result, block):
                result = result.copy()  # the scratch array is this thread's next block
            return result
        if not ranges:
            empty = np.asarray(data[0:0])
            out = reducer(empty if mapper is None else mapper(empty), axis=axes)
        else:
            results = run_blocks(reduce_block, ranges, threads, progress, "reduce")
            out = results[0]
            for r in results[1:]:
                out = block_reducer(out, r)
        if isinstance(out, np.ndarray) and out.ndim == 0:
            out = out[()]  # every axis reduced: a scalar, as numpy gives
        return out

    def rows_of(block):
        if mapper is not None:
            block = mapper(block)
        return np.asarray(reducer(block, axis=axes))
    probe = rows_of(np.asarray(data[0:min(1, data.shape[0])]))
    shape = (data.shape[0],) + probe.shape[1:]
    chunks = kwargs.pop("chunks", None)
    source_chunks = getattr(data, "chunks", None)
    if chunks is None and isinstance(source_chunks, tuple) and source_chunks and \
            isinstance(source_chunks[0], (int, np.integer)):
        chunks = (int(source_chunks[0]),) + tuple(
            c for d, c in enumerate(source_chunks) if d and d not in axes)
        if len(chunks) != len(shape):  # a mapper changed the dimensions
            chunks = (int(source_chunks[0]),) + tuple(shape[1:])
    out = new_array(storage, shape, probe.dtype, chunks, kwargs)

    writer = RowWriter(out)

    def reduce_rows(i, a, b):
        writer.write(a, b, rows_of(read_block_scratch(data, a, b)))
    ranges = block_ranges(0, data.shape[0], get_blen(data, blen, out))
    run_blocks(reduce_rows, ranges, threads, progress, "reduce")
    return out


def amax(data, axis=None, mapper=None, blen=None, storage=None, create="array", threads=None,
         progress=None, **kwargs):
    """The maximum of ``data`` over ``axis``, block-wise (NaN wins, as in numpy).

    Examples
    --------
    >>> amax(np.array([[1, 5], [7, 2]]), axis=0).tolist()
    [7, 5]
    """
    return reduce_axis(data, np.amax, np.maximum, mapper, axis, blen, storage, create, threads,
                       progress, **kwargs)


def amin(data, axis=None, mapper=None, blen=None, storage=None, create="array", threads=None,
         progress=None, **kwargs):
    """The minimum of ``data`` over ``axis``, block-wise (NaN wins, as in numpy).

    Examples
    --------
    >>> amin(np.array([[1, 5], [7, 2]]))
    np.int64(1)
    """
    return reduce_axis(data, np.amin, np.minimum, mapper, axis, blen, storage, create, threads,
                       progress, **kwargs)


def asum(data, axis=None, mapper=None, blen=None, storage=None, create="array", threads=None,
         progress=None, **kwargs):
    """The sum of ``data`` over ``axis``, block-wise, in numpy's result dtype.

    Floating sums add the blocks' sums in order, so they may differ from
    numpy's in the last bits.

    Examples
    --------
    >>> asum(np.arange(10, dtype="i4"), blen=3)
    np.int64(45)
    """
    return reduce_axis(data, _sum, np.add, mapper, axis, blen, storage, create, threads,
                       progress, **kwargs)


def _sum(block, axis):
    return np.sum(block, axis=axis)


def count_nonzero(data, axis=None, mapper=None, blen=None, storage=None, create="array",
                  threads=None, progress=None, **kwargs):
    """How many elements of ``data`` are not zero, over ``axis``, block-wise.

    Examples
    --------
    >>> count_nonzero(np.array([[0, 1], [2, 0], [3, 4]]), axis=0).tolist()
    [2, 2]
    """
    return reduce_axis(data, _count_nonzero, np.add, mapper, axis, blen, storage, create,
                       threads, progress, **kwargs)


def _count_nonzero(block, axis):
    return np.asarray(np.count_nonzero(block, axis=axis), dtype=np.intp)
