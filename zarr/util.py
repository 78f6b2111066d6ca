"""Shapes, chunk shapes and human-readable sizes."""

import math
import numbers

import numpy as np

#: The size the library aims at when it picks a chunk shape (bytes).
CHUNK_TARGET = 1 << 20


def normalize_shape(shape):
    """A shape as a tuple of non-negative ints.

    Integral floats (``1e8``) are accepted, as they are easy to type for big shapes.

    Examples
    --------
    >>> normalize_shape(1e3)
    (1000,)
    >>> normalize_shape((10, 2.0))
    (10, 2)
    """
    if shape is None:
        raise TypeError("shape is required")
    if isinstance(shape, (numbers.Number, np.generic)) or not hasattr(shape, "__iter__"):
        shape = (shape,)
    return tuple(_dimension(n, "shape") for n in shape)


def _dimension(n, what):
    if isinstance(n, (bool, np.bool_)):
        raise TypeError("%s dimensions must be integers, not %r" % (what, n))
    if isinstance(n, (float, np.floating)):
        if not math.isfinite(n) or n != int(n):
            raise TypeError("%s dimensions must be integers, not %r" % (what, n))
        n = int(n)
    try:
        n = int(n.__index__()) if not isinstance(n, int) else n
    except (AttributeError, TypeError):
        raise TypeError("%s dimensions must be integers, not %r" % (what, n)) from None
    if n < 0:
        raise ValueError("%s dimensions must not be negative, not %d" % (what, n))
    return n


def guess_chunks(shape, itemsize, target=CHUNK_TARGET):
    """A chunk shape of about ``target`` bytes for an array.

    The longest dimension is halved until a chunk fits in ``target``; ties go
    to the first axis, so that rows stay whole as long as possible (whole rows
    make a chunk one contiguous run of the array).

    Examples
    --------
    >>> guess_chunks((10000, 1000), 4)
    (313, 500)
    >>> guess_chunks((100,), 8)
    (100,)
    """
    chunks = [max(1, n) for n in shape]
    while math.prod(chunks) * itemsize > target and max(chunks) > 1:
        i = chunks.index(max(chunks))
        chunks[i] = -(-chunks[i] // 2)
    return tuple(chunks)


def normalize_chunks(chunks, shape, itemsize):
    """A chunk shape as a tuple of positive ints, one per dimension.

    ``chunks`` may be None (a guess of about 1 MB), an int (every dimension),
    or a tuple whose None or -1 entries mean the whole dimension.

    Examples
    --------
    >>> normalize_chunks(100, (1000, 1000), 4)
    (100, 100)
    >>> normalize_chunks((10, None), (1000, 30), 4)
    (10, 30)
    """
    if chunks is None or chunks is True:
        return guess_chunks(shape, itemsize)
    if isinstance(chunks, (numbers.Number, np.generic)):
        chunks = (chunks,) * len(shape)
    chunks = tuple(chunks)
    if len(chunks) != len(shape):
        raise ValueError("chunks %r do not match the %d dimensions of shape %r"
                         % (chunks, len(shape), shape))
    out = []
    for c, n in zip(chunks, shape):
        if c is None or (not isinstance(c, float) and c == -1):
            out.append(max(1, n))
            continue
        c = _dimension(c, "chunk")
        if c == 0:
            raise ValueError("chunk dimensions must be positive, not %r" % (chunks,))
        out.append(c)
    return tuple(out)


def normalize_resize(args, ndim):
    """The new shape given to ``resize(*args)``: ints, or one tuple."""
    if len(args) == 1 and not isinstance(args[0], (numbers.Number, np.generic)):
        args = tuple(args[0])
    shape = normalize_shape(args)
    if len(shape) != ndim:
        raise ValueError("cannot resize an array of %d dimensions to shape %r"
                         % (ndim, shape))
    return shape


def human_readable_size(nbytes):
    """A size in powers of 1024, with one decimal and a suffix; bytes below 1024.

    Examples
    --------
    >>> human_readable_size(40000000), human_readable_size(4 * 10**15), human_readable_size(512)
    ('38.1M', '3.6P', '512')
    """
    if nbytes < 1024:
        return "%d" % nbytes
    size = float(nbytes)
    for suffix in "KMGTP":
        size /= 1024
        if round(size, 1) < 1024 or suffix == "P":
            return "%.1f%s" % (size, suffix)



def check_out(out, shape, dtype):
    """Refuse an ``out=`` that cannot receive a result of ``shape`` and
    ``dtype`` as it is: ValueError unless it is a writable numpy array of
    that shape, TypeError as :func:`check_out_dtype` says.

    Examples
    --------
    >>> check_out(np.empty(3, "f8"), (3,), np.dtype("i4"))
    >>> check_out(np.empty(2, "f8"), (3,), np.dtype("i4"))
    Traceback (most recent call last):
    ...
    ValueError: out must be a numpy array of shape (3,), not (2,)
    """
    if not isinstance(out, np.ndarray) or out.shape != tuple(shape):
        raise ValueError("out must be a numpy array of shape %s, not %r"
                         % (tuple(shape), getattr(out, "shape", type(out).__name__)))
    if not out.flags.writeable:
        raise ValueError("out is read-only")
    check_out_dtype(out, dtype)


def check_out_dtype(out, dtype):
    """TypeError unless ``dtype`` casts into the dtype of ``out`` by numpy's
    'safe' rule (``np.can_cast(dtype, out.dtype, "safe")``, as
    ``np.copyto(..., casting="safe")``): int32 into int64 or float64, not
    float64 into float32 or int64, nor objects into numbers. As in numpy,
    int64 into float64 counts as safe.

    Examples
    --------
    >>> check_out_dtype(np.empty(3, "f4"), np.dtype("f8"))
    Traceback (most recent call last):
    ...
    TypeError: out of dtype float32 cannot receive float64 values without loss
    """
    if not np.can_cast(dtype, out.dtype, "safe"):
        raise TypeError("out of dtype %s cannot receive %s values without loss"
                        % (out.dtype, np.dtype(dtype)))


class Sized:
    """``ndim``, ``size`` and ``nbytes`` of a class that has ``shape`` and ``dtype``.

    Examples
    --------
    >>> class A(Sized):
    ...     shape, dtype = (3, 4), np.dtype("f4")
    >>> A().ndim, A().size, A().nbytes
    (2, 12, 48)
    """

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def nbytes(self):
        return self.size * self.dtype.itemsize
