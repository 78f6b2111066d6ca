"""Block-wise copies, maps and element-wise operations over chunked array-likes.

Each function reads its input a block of rows at a time (``blen`` rows,
by default the rows of one chunk of the input), runs independent blocks
side by side on the package's thread pool, and writes its result to a new
array made by the storage (``storage=``, see :mod:`zarr.chunked.storage`),
to which the remaining keyword arguments are handed.
"""

import operator

import numpy as np

from zarr.chunked.blocks import (RowWriter, block_ranges, check_array_like, get_blen,
                                 map_blocks_ordered, read_block_scratch, run_blocks)
from zarr.chunked.storage import get_storage

__all__ = ["store", "copy", "map_blocks", "binary_op", "concatenate"]


def check_create(create, expected="array"):
    if create != expected:
        raise ValueError("create must be %r for this function, not %r" % (expected, create))


def output_chunks(data, shape, kwargs):
    """The chunks of a new array of ``shape`` made from ``data``: those of
    ``data`` when it has chunks and the rows are alike, else the storage's choice."""
    if "chunks" in kwargs:
        return kwargs.pop("chunks")
    chunks = getattr(data, "chunks", None)
    if (isinstance(chunks, tuple) and len(chunks) == len(shape)
            and all(isinstance(c, (int, np.integer)) for c in chunks)
            and tuple(shape[1:]) == tuple(data.shape[1:])):
        return tuple(int(c) for c in chunks)
    return None


def new_array(storage, shape, dtype, chunks, kwargs):
    return get_storage(storage).create(shape, dtype, chunks=chunks, **kwargs)


def normalize_range(data, start, stop):
    n = data.shape[0]
    start, stop, step = slice(start, stop).indices(n)
    return start, max(start, stop)


def store(data, arr, start=0, stop=None, offset=0, blen=None, threads=None, progress=None):
    """Copy rows ``start:stop`` of ``data`` into ``arr`` from row ``offset``, block-wise.

    Examples
    --------
    >>> import zarr
    >>> z = zarr.zeros(10, dtype="i8")
    >>> _ = store(np.arange(4), z, offset=3)
    >>> z[...].tolist()
    [0, 0, 0, 0, 1, 2, 3, 0, 0, 0]
    """
    data = check_array_like(data)
    start, stop = normalize_range(data, start, stop)
    if offset < 0 or offset + (stop - start) > arr.shape[0]:
        raise ValueError("rows %d:%d do not fit in an array of %d rows from offset %d"
                         % (start, stop, arr.shape[0], offset))
    if tuple(arr.shape[1:]) != tuple(data.shape[1:]):
        raise ValueError("rows of shape %s cannot go into rows of shape %s"
                         % (tuple(data.shape[1:]), tuple(arr.shape[1:])))
    ranges = block_ranges(start, stop, get_blen(data, blen, arr))
    writer = RowWriter(arr)

    def copy_block(i, a, b):
        writer.write(a - start + offset, b - start + offset, read_block_scratch(data, a, b))
    run_blocks(copy_block, ranges, threads, progress, "store")
    return arr


def copy(data, start=0, stop=None, blen=None, storage=None, create="array", threads=None,
         progress=None, **kwargs):
    """A new array holding rows ``start:stop`` of ``data``, copied block-wise.

    Examples
    --------
    >>> z = copy(np.arange(10000000), storage="mem")
    >>> z
    zarr.SynchronizedArray((10000000,), int64, chunks=(78125,))
      cname: blosclz; clevel: 5; shuffle: 1 (BYTESHUFFLE)
      nbytes: 76.3M; cbytes: ...; ratio: ...; initialized: 128/128
    """
    check_create(create)
    data = check_array_like(data)
    start, stop = normalize_range(data, start, stop)
    shape = (stop - start,) + tuple(data.shape[1:])
    out = new_array(storage, shape, data.dtype, output_chunks(data, shape, kwargs), kwargs)
    return store(data, out, start, stop, 0, blen, threads, progress)


def _append(out, block):
    if hasattr(out, "append"):
        out.append(block)
        return
    n = out.shape[0]
    out.resize((n + block.shape[0],) + tuple(out.shape[1:]))
    out[n:] = block


def map_blocks(data, f, blen=None, storage=None, create="array", threads=None, progress=None,
               **kwargs):
    """A new array of ``f(block)`` for each block of rows of ``data``, the
    results stacked along the first axis.

    ``f`` receives a numpy array and returns an array whose rows may differ
    in number from the block's (a filter, say) but whose other dimensions
    and dtype are the same for every block. Results are computed ahead on
    the pool and appended in order.

    Examples
    --------
    >>> z = map_blocks(np.arange(10), lambda b: b[b % 3 == 0] * 10, blen=4)
    >>> z[...].tolist()
    [0, 30, 60, 90]
    """
    check_create(create)
    data = check_array_like(data)
    ranges = block_ranges(0, data.shape[0], get_blen(data, blen))
    chunks = kwargs.pop("chunks", None)
    out = None
    if not ranges:
        first = np.asarray(f(np.asarray(data[0:0])))
        return new_array(storage, (0,) + first.shape[1:], first.dtype, chunks, kwargs)

    def compute(i, a, b):
        return np.asarray(f(np.asarray(data[a:b])))
    for block in map_blocks_ordered(compute, ranges, threads, progress, "map_blocks"):
        if block.ndim == 0:
            block = block.reshape(1)
        if out is None:
            if chunks is None:
                chunks = (output_chunks(data, block.shape, {})
                          or (ranges[0][1],) + block.shape[1:])
            out = new_array(storage, (0,) + block.shape[1:], block.dtype, chunks, kwargs)
        elif block.shape[1:] != tuple(out.shape[1:]):
            raise ValueError("f returned rows of shape %s after rows of shape %s"
                             % (block.shape[1:], tuple(out.shape[1:])))
        elif not np.can_cast(block.dtype, out.dtype, "safe"):
            raise TypeError("f returned %s after %s (the first block's dtype is the result's); "
                            "make f return one dtype" % (block.dtype, out.dtype))
        _append(out, block)
    return out


def _operand(other, data):
    """``other`` as either a whole numpy array broadcast against every block
    (scalars, fewer dimensions, one row), or an array-like read by rows."""
    if isinstance(other, (bool, int, float, complex)):
        return other, False  # a Python number keeps numpy's rules for weak scalars
    if not hasattr(other, "shape"):
        return np.asarray(other), False
    if len(other.shape) < len(data.shape) or other.shape[0] == 1:
        return np.asarray(other[...]), False
    if other.shape[0] != data.shape[0]:
        raise ValueError("operands of %d and %d rows cannot be combined"
                         % (data.shape[0], other.shape[0]))
    return other, True


def binary_op(data, op, other, blen=None, storage=None, create="array", threads=None,
              progress=None, **kwargs):
    """A new array of ``op(data, other)``, computed block-wise.

    ``op`` is a function of two arrays (``operator.add``, ``np.maximum``...);
    ``other`` is a scalar, an array broadcast against each block (fewer
    dimensions, or one row), or an array-like of as many rows as ``data``,
    read block by block beside it.

    Examples
    --------
    >>> import operator
    >>> z = binary_op(np.arange(6).reshape(3, 2), operator.mul, np.array([10, 100]))
    >>> z[...].tolist()
    [[0, 100], [20, 300], [40, 500]]
    """
    check_create(create)
    data = check_array_like(data)
    other, by_rows = _operand(other, data)
    other_shape = tuple(np.shape(other))
    try:
        shape = np.broadcast_shapes(tuple(data.shape), other_shape)
    except ValueError:
        raise ValueError("operands of shapes %s and %s do not broadcast"
                         % (tuple(data.shape), other_shape)) from None
    if shape != tuple(data.shape):
        raise ValueError("operands of shapes %s and %s give shape %s: block-wise, the result "
                         "must have the shape of data" % (tuple(data.shape), other_shape, shape))

    def operands(a, b):
        left = read_block_scratch(data, a, b)
        return left, (read_block_scratch(other, a, b, slot=1) if by_rows else other)

    def sample():
        left = np.asarray(data[0:0])
        right = np.asarray(other[0:0]) if by_rows else other
        return np.asarray(op(left, right))
    dtype = sample().dtype
    out = new_array(storage, shape, dtype, output_chunks(data, shape, kwargs), kwargs)

    writer = RowWriter(out)

    def compute(i, a, b):
        writer.write(a, b, op(*operands(a, b)))
    run_blocks(compute, block_ranges(0, data.shape[0], get_blen(data, blen, out)), threads,
               progress, "binary_op")
    return out


def concatenate(tup, axis=0, blen=None, storage=None, create="array", threads=None,
                progress=None, **kwargs):
    """A new array joining the array-likes of ``tup`` along ``axis``, as
    ``numpy.concatenate``.

    Examples
    --------
    >>> z = concatenate([np.ones((2, 2)), np.zeros((1, 2))])
    >>> z[...].tolist()
    [[1.0, 1.0], [1.0, 1.0], [0.0, 0.0]]
    """
    check_create(create)
    arrays = [check_array_like(a, "each array") for a in tup]
    if not arrays:
        raise ValueError("need at least one array to concatenate")
    ndim = len(arrays[0].shape)
    axis = operator.index(axis)
    if not -ndim <= axis < ndim:
        raise np.exceptions.AxisError(axis, ndim)
    axis %= ndim
    for a in arrays[1:]:
        if len(a.shape) != ndim or any(n != m for d, (n, m) in
                                       enumerate(zip(a.shape, arrays[0].shape)) if d != axis):
            raise ValueError("shapes %s and %s cannot be joined along axis %d"
                             % (tuple(arrays[0].shape), tuple(a.shape), axis))
    shape = list(arrays[0].shape)
    shape[axis] = sum(a.shape[axis] for a in arrays)
    shape = tuple(shape)
    dtype = np.result_type(*[np.dtype(a.dtype) for a in arrays])
    out = new_array(storage, shape, dtype, output_chunks(arrays[0], shape, kwargs), kwargs)
    writer = RowWriter(out)
    if axis == 0:
        pieces, offset = [], 0
        for a in arrays:
            for lo, hi in block_ranges(0, a.shape[0], get_blen(a, blen, out)):
                pieces.append((a, lo, hi, offset + lo))
            offset += a.shape[0]

        def copy_piece(i, a, lo, hi, at):
            writer.write(at, at + hi - lo, read_block_scratch(a, lo, hi))
        run_blocks(copy_piece, pieces, threads, progress, "concatenate")
    else:
        def join(i, lo, hi):
            writer.write(lo, hi, np.concatenate([np.asarray(a[lo:hi]) for a in arrays],
                                                 axis=axis))
        run_blocks(join, block_ranges(0, shape[0], get_blen(arrays[0], blen, out)), threads,
                   progress, "concatenate")
    return out
