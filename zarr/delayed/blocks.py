"""A delayed array computed block by block: the blocks, and the results
that are built from them (the whole array, reductions over axes)."""

import contextvars
import threading

import numpy as np

from zarr.delayed.indices import Run
from zarr.parallel import run_tasks

#: A block is grown from the seed's chunks (or cut from one, along its first
#: dimensions) until it holds about this many bytes: what a computation holds
#: a few times over on each thread. :func:`buffer_size` sets it for a context.
BLOCK_BYTES = 2 << 20

_block_bytes = contextvars.ContextVar("zarr_delayed_block_bytes", default=None)


class buffer_size:
    """A context in which delayed arrays are computed in blocks of about
    ``nbytes`` bytes (in this thread, and the package's threads working for
    it), instead of :data:`BLOCK_BYTES`.

    Examples
    --------
    >>> from zarr.delayed import DelayedArray
    >>> with buffer_size(64 << 20):
    ...     block_shape((20000, 2500), (1000, 2500), 8)
    (2000, 2500)
    """

    def __init__(self, nbytes):
        if isinstance(nbytes, bool) or not isinstance(nbytes, int) or nbytes < 1:
            raise ValueError("a buffer size is a positive number of bytes, not %r" % (nbytes,))
        self.nbytes = nbytes
        self._token = None

    def __enter__(self):
        self._token = _block_bytes.set(self.nbytes)
        return self

    def __exit__(self, *exc):
        _block_bytes.reset(self._token)
        return False


def block_shape(shape, chunks, itemsize, target=None, cut=True):
    """Whole multiples of ``chunks`` (or whole dimensions) of about ``target``
    bytes (the context's :class:`buffer_size`, else :data:`BLOCK_BYTES`), grown along the last dimensions first; a chunk larger than that
    is cut along its first dimensions (its rows are read from the blosc
    blocks that hold them, not the whole chunk) unless ``cut`` is False (the
    blocks are written into a chunked array: each whole chunks of it, so that
    no two threads write one chunk).

    Examples
    --------
    >>> block_shape((10000, 1000), (1000, 100), 4, target=4 << 20)
    (1000, 800)
    >>> block_shape((20000, 2500), (1000, 2500), 8)
    (100, 2500)
    """
    if target is None:
        target = _block_bytes.get() or BLOCK_BYTES
    block = [min(max(c, 1), max(n, 1)) for c, n in zip(chunks, shape)]
    for d in range(len(block) if cut else 0):
        parts = 1
        while int(np.prod(block)) * itemsize > target and block[d] > 1:
            parts += 1
            block[d] = -(-min(chunks[d], shape[d]) // parts)
    for d in range(len(block) - 1, -1, -1):
        while block[d] < shape[d] and int(np.prod(block)) * itemsize * 2 <= target:
            block[d] = min(shape[d], block[d] * 2)
        if block[d] < shape[d]:
            break
    return tuple(block)


#: The blocks run at a time: a list of them, not of every block of an
#: array of a billion blocks, is what a computation holds.
BATCH = 256


class _Spans:
    """The (start, stop) of the blocks of ``step`` along a dimension of ``n``,
    made when asked for: those smaller than a ``chunk`` start anew at each
    chunk's start.

    Examples
    --------
    >>> [_Spans(10, 3, 4)[i] for i in range(len(_Spans(10, 3, 4)))]
    [(0, 3), (3, 4), (4, 7), (7, 8), (8, 10)]
    """

    def __init__(self, n, step, chunk):
        self.n, self.step, self.chunk = n, step, chunk
        if step >= chunk:
            self.per = None
            self.count = -(-n // step)
        else:
            self.per = -(-chunk // step)  # blocks in a whole chunk
            whole, rest = divmod(n, chunk)
            self.count = whole * self.per + -(-rest // step)

    def __len__(self):
        return self.count

    def __getitem__(self, i):
        if self.per is None:
            start = i * self.step
            return start, min(start + self.step, self.n)
        chunk, k = divmod(i, self.per)
        start = chunk * self.chunk + k * self.step
        return start, min(start + self.step, (chunk + 1) * self.chunk, self.n)


def run_blocks(make_task, each_block, threads):
    """``make_task(slices, index)()`` for each block ``each_block`` yields, on
    the package's threads, :data:`BATCH` blocks at a time."""
    batch = []
    for slices, index in each_block:
        batch.append(make_task(slices, index))
        if len(batch) == BATCH:
            run_tasks(batch, threads)
            batch = []
    if batch:
        run_tasks(batch, threads)


def _grid_indices(lengths):
    """The indices of a grid of ``lengths`` in C order, made one at a time."""
    if not lengths:
        yield ()
        return
    for i in range(lengths[0]):
        for rest in _grid_indices(lengths[1:]):
            yield (i,) + rest


def blocks(shape, block, chunks=None):
    """(the slices, the Run index) of each block of ``block`` shape in ``shape``,
    none across a border of ``chunks``."""
    chunks = block if chunks is None else chunks
    grid = [_Spans(n, b, max(c, 1)) for n, b, c in zip(shape, block, chunks)]
    for starts in _grid_indices([len(g) for g in grid]):
        slices = tuple(slice(*grid[d][i]) for d, i in enumerate(starts))
        yield slices, tuple(Run(s.start, 1, s.stop - s.start) for s in slices)


def compute(node, threads=None):
    """The values of ``node``, an ndarray, computed a block at a time."""
    out = np.empty(node.shape, node.dtype)
    if out.size == 0:
        return out
    if not node.shape:
        return np.asarray(node.read(()), node.dtype).reshape(())
    return write_into(node, out, threads)


def write_into(node, array, threads=None):
    """Write the values of ``node`` into ``array`` (of its shape: an ndarray, or
    an array of this package, in blocks of its whole chunks); ``array``."""
    if tuple(array.shape) != node.shape:
        raise ValueError("values of shape %s do not fit an array of shape %s"
                         % (node.shape, tuple(array.shape)))
    if 0 in node.shape:
        return array
    if not node.shape:
        array[()] = node.read(())
        return array
    chunks = getattr(array, "chunks", None)
    block = block_shape(node.shape, chunks or node.chunks, max(node.dtype.itemsize, 1),
                        cut=chunks is None)
    chunks = chunks or node.chunks

    def task(slices, index):
        def run():
            array[slices] = node.read(index)
        return run
    run_blocks(task, blocks(node.shape, block, chunks), threads)
    return array


def _axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    out = tuple(sorted(_axis(a, ndim) for a in axes))
    if len(set(out)) != len(out):
        raise ValueError("duplicate value in 'axis'")
    return out


def _axis(a, ndim):
    if not isinstance(a, (int, np.integer)) or isinstance(a, bool):
        raise TypeError("an axis is an int, not %r" % (a,))
    if not -ndim <= a < ndim:
        raise np.exceptions.AxisError(int(a), ndim)
    return int(a) % ndim


#: Each reduction: (the partial of a block, how two partials combine).
_SIMPLE = {
    "sum": (lambda x, axes, dtype: np.sum(x, axis=axes, keepdims=True, dtype=dtype), np.add),
    "prod": (lambda x, axes, dtype: np.prod(x, axis=axes, keepdims=True, dtype=dtype),
             np.multiply),
    "min": (lambda x, axes, dtype: np.min(x, axis=axes, keepdims=True), np.minimum),
    "max": (lambda x, axes, dtype: np.max(x, axis=axes, keepdims=True), np.maximum),
    "any": (lambda x, axes, dtype: np.any(x, axis=axes, keepdims=True), np.logical_or),
    "all": (lambda x, axes, dtype: np.all(x, axis=axes, keepdims=True), np.logical_and),
    "count_nonzero": (lambda x, axes, dtype: np.count_nonzero(x, axis=axes, keepdims=True)
                      .astype(np.intp), np.add),
}

REDUCTIONS = tuple(_SIMPLE) + ("mean", "var", "std")


def _result_dtype(kind, dtype, wanted):
    sample = np.zeros((1,), dtype)
    with np.errstate(all="ignore"):
        if kind in ("sum", "prod", "mean"):
            return getattr(np, kind)(sample, dtype=wanted).dtype
        if kind in ("var", "std"):
            return getattr(np, kind)(sample, dtype=wanted).dtype
        if kind == "count_nonzero":
            return np.dtype(np.intp)
        return getattr(np, kind)(sample).dtype


def reduce(node, kind, axis=None, dtype=None, keepdims=False, ddof=0, threads=None):
    """``numpy.<kind>(values of node, axis=axis, ...)``, read a block at a time."""
    if kind not in REDUCTIONS:
        raise ValueError("no reduction %r; the reductions are %s" % (kind, ", ".join(REDUCTIONS)))
    axes = _axes(axis, node.ndim)
    if dtype is not None and kind in ("min", "max", "any", "all", "count_nonzero"):
        raise TypeError("%s takes no dtype" % kind)
    out_dtype = _result_dtype(kind, node.dtype, dtype)
    if kind in ("min", "max") and any(node.shape[a] == 0 for a in axes):
        raise ValueError("zero-size array to reduction operation %s which has no identity"
                         % {"min": "minimum", "max": "maximum"}[kind])
    kept_shape = tuple(1 if d in axes else n for d, n in enumerate(node.shape))
    lock = threading.Lock()
    state = {}
    block = block_shape(node.shape, node.chunks, max(node.dtype.itemsize, 1)) \
        if node.shape else ()
    moments = kind in ("mean", "var", "std")
    acc = np.dtype(np.complex128 if node.dtype.kind == "c" else np.float64) \
        if moments else (out_dtype if kind in ("sum", "prod") else None)

    def task(slices, index):
        where = tuple(slice(0, 1) if d in axes else s for d, s in enumerate(slices))

        def run():
            x = node.read(index)
            if moments:
                n = np.prod([x.shape[a] for a in axes], dtype=np.int64)
                total = np.sum(x, axis=axes, keepdims=True, dtype=acc)
                mean = total / max(n, 1)
                m2 = np.sum(np.abs(x - mean) ** 2, axis=axes, keepdims=True, dtype=np.float64)
                with lock:
                    _combine_moments(state, where, n, total, mean, m2, kept_shape, acc)
                return
            part, combine = _SIMPLE[kind]
            value = part(x, axes, acc)
            with lock:
                if "value" not in state:
                    state["value"] = np.empty(kept_shape, value.dtype)
                    state["seen"] = np.zeros(kept_shape, bool)
                # The blocks share one grid: a region of the result is seen
                # whole or not at all, and its first block is stored as it is.
                if state["seen"][where].all():
                    state["value"][where] = combine(state["value"][where], value)
                else:
                    state["value"][where] = value
                state["seen"][where] = True
        return run
    if 0 in node.shape:
        result = _empty_reduction(kind, kept_shape, out_dtype)
    else:
        run_blocks(task, blocks(node.shape, block, node.chunks), threads)
        result = _finish(kind, state, ddof, out_dtype)
    if not keepdims:
        result = result.reshape(tuple(n for d, n in enumerate(node.shape) if d not in axes))
    return result[()] if result.ndim == 0 else result


def _combine_moments(state, where, n, block_sum, mean, m2, kept_shape, acc):
    if "n" not in state:
        state["n"] = np.zeros(kept_shape, np.int64)
        state["sum"] = np.zeros(kept_shape, acc)
        state["mean"] = np.zeros(kept_shape, acc)
        state["m2"] = np.zeros(kept_shape, np.float64)
    na = state["n"][where]
    ma = state["mean"][where]
    total = na + n
    delta = mean - ma
    state["sum"][where] = state["sum"][where] + block_sum
    state["mean"][where] = ma + delta * (n / total)
    state["m2"][where] = state["m2"][where] + m2 + np.abs(delta) ** 2 * (na * n / total)
    state["n"][where] = total


def _finish(kind, state, ddof, out_dtype):
    if kind in _SIMPLE:
        return state["value"].astype(out_dtype, copy=False)
    with np.errstate(all="ignore"):
        if kind == "mean":  # numpy's: the sum over the count (an infinite value gives inf)
            return (state["sum"] / state["n"]).astype(out_dtype)
        var = state["m2"] / np.maximum(state["n"] - ddof, 0)
        return (np.sqrt(var) if kind == "std" else var).astype(out_dtype)


def _empty_reduction(kind, kept_shape, out_dtype):
    """What numpy gives for a reduction over no elements (no warning: a nan
    says it)."""
    if 0 in kept_shape:
        return np.empty(kept_shape, out_dtype)
    value = {"sum": 0, "prod": 1, "any": False, "all": True, "count_nonzero": 0}.get(kind, np.nan)
    return np.full(kept_shape, value, out_dtype)
