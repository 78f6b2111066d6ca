"""Cutting an array-like into blocks of rows, and running work over the blocks."""

import threading

import numpy as np

from zarr.parallel import check_threads, get_threads, map_ordered, run_tasks
from zarr.progress import Progress

#: Without chunks to align to, a block is about this many bytes.
BLOCK_TARGET = 1 << 22

def check_array_like(data, what="data"):
    """``data`` if it has ``shape``, ``dtype`` and slicing; a list or tuple
    becomes a numpy array; anything else raises TypeError."""
    if isinstance(data, (list, tuple)):
        return np.asarray(data)
    if not (hasattr(data, "shape") and hasattr(data, "dtype") and hasattr(data, "__getitem__")):
        raise TypeError("%s must be an array-like with shape, dtype and slicing, not %s"
                        % (what, type(data).__name__))
    if len(data.shape) == 0:
        raise ValueError("%s must have at least one dimension" % what)
    return data


def chunk_rows(data):
    """The number of rows in the first chunk of ``data``, or None when it has no chunks
    (zarr arrays and h5py datasets have a tuple of ints, dask arrays a tuple of tuples)."""
    chunks = getattr(data, "chunks", None)
    if isinstance(chunks, tuple) and chunks:
        first = chunks[0]
        if isinstance(first, tuple):
            first = first[0] if first else None
        if isinstance(first, (int, np.integer)) and first > 0:
            return int(first)
    return None


def get_blen(data, blen=None, out=None):
    """The block length (rows per block): ``blen`` if given, else the rows of a
    chunk of ``data``, else about :data:`BLOCK_TARGET` bytes of rows, made a
    multiple of the rows of a chunk of ``out`` (the array the blocks are
    written to) so that no two blocks write to one chunk.

    Examples
    --------
    >>> import zarr
    >>> get_blen(zarr.zeros((10000, 10), chunks=(1000, 10)))
    1000
    >>> get_blen(np.zeros((10000, 100)))
    5242
    >>> get_blen(np.zeros((10000, 100)), out=zarr.zeros((10000, 100), chunks=(1000, 100)))
    5000
    """
    if blen is not None:
        if isinstance(blen, bool) or not isinstance(blen, (int, np.integer)) or blen < 1:
            raise ValueError("blen must be a positive integer, not %r" % (blen,))
        return int(blen)
    rows = chunk_rows(data)
    if rows is not None:
        return rows
    row_bytes = max(1, int(np.prod(data.shape[1:], dtype=np.int64))
                    * np.dtype(data.dtype).itemsize)
    blen = max(1, BLOCK_TARGET // row_bytes)
    out_rows = None if out is None else chunk_rows(out)
    if out_rows is not None:
        blen = max(1, round(blen / out_rows)) * out_rows
    return blen


def block_ranges(start, stop, blen):
    """(start, stop) of each block of ``blen`` rows from ``start`` to ``stop``.

    Examples
    --------
    >>> block_ranges(0, 10, 4)
    [(0, 4), (4, 8), (8, 10)]
    """
    return [(i, min(i + blen, stop)) for i in range(start, stop, blen)]


_scratch = threading.local()


def scratch(shape, dtype, slot=0):
    """This thread's reusable array of ``shape`` and ``dtype``: reading blocks
    into it spares a fresh allocation (and its page faults) per block. What
    is read there must be used up before the thread's next block."""
    key = (tuple(shape), np.dtype(dtype), slot, getattr(_scratch, "depth", 0))
    buffers = getattr(_scratch, "buffers", None)
    if buffers is None:
        buffers = _scratch.buffers = {}
    buf = buffers.get(key)
    if buf is None:
        if len(buffers) >= 8:
            buffers.clear()
        buf = buffers[key] = np.empty(key[0], key[1])
    return buf


def read_block_scratch(data, start, stop, slot=0):
    """Rows ``start:stop`` of ``data``, read into this thread's scratch array
    where that spares an allocation; a view for numpy arrays."""
    if isinstance(data, np.ndarray):
        return data[start:stop]
    shape = (stop - start,) + tuple(data.shape[1:])
    if hasattr(data, "get_basic_selection") and not np.dtype(data.dtype).hasobject:
        out = scratch(shape, data.dtype, slot)
        return data.get_basic_selection(slice(start, stop), out=out)
    if hasattr(data, "read_direct") and not np.dtype(data.dtype).hasobject and stop > start:
        out = scratch(shape, data.dtype, slot)
        data.read_direct(out, np.s_[start:stop])
        return out
    return np.asarray(data[start:stop])


class RowWriter:
    """Writes blocks of rows into ``out`` from many threads without losing any.

    An array of this package that is not synchronized would lose one of two
    writes to one chunk made at once, so for those the rows of a block that
    share a chunk with other blocks (its first and last partial chunks) are
    written under a lock; whole chunks, which only this block writes, are
    written without one. Other arrays (synchronized ones, numpy arrays, h5py
    datasets, which h5py serializes) are written directly.

    Examples
    --------
    >>> import zarr
    >>> out = zarr.zeros(10, chunks=4, synchronized=False)
    >>> RowWriter(out).write(3, 9, np.ones(6))
    >>> out[...].tolist()
    [0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0]
    """

    def __init__(self, out):
        self.out = out
        self._rows = None
        if getattr(out, "_synchronized", True) is False:
            self._rows = chunk_rows(out)
        self._lock = threading.Lock()

    def write(self, start, stop, values):
        out, rows = self.out, self._rows
        if rows is None:
            out[start:stop] = values
            return
        head = min(stop, -(-start // rows) * rows)  # the end of start's chunk
        tail = max(head, stop // rows * rows)       # the start of stop's chunk
        if head > start:
            with self._lock:
                out[start:head] = values[:head - start]
        if tail > head:
            out[head:tail] = values[head - start:tail - start]
        if stop > tail:
            with self._lock:
                out[tail:stop] = values[tail - start:]


def threads_for(threads):
    return get_threads() if threads is None else check_threads(threads)


def run_blocks(func, ranges, threads=None, progress=None, desc=None):
    """Call ``func(i, *ranges[i])`` for each block (``ranges[i]`` is usually
    its start and stop), on the pool; return the results by block.

    Blocks run in any order and at once, so ``func`` writes its output where
    no other block writes (its own rows of an output array).
    """
    results = [None] * len(ranges)
    with Progress(len(ranges), progress, desc) as bar:
        def task(i):
            def run():
                # A block function called from inside another's block (in a
                # mapper, say) reads into scratch arrays of its own.
                depth = getattr(_scratch, "depth", 0)
                _scratch.depth = depth + 1
                try:
                    results[i] = func(i, *ranges[i])
                finally:
                    _scratch.depth = depth
                bar.update()
            return run
        run_tasks([task(i) for i in range(len(ranges))], threads_for(threads))
    return results


def map_blocks_ordered(func, ranges, threads=None, progress=None, desc=None):
    """Yield ``func(i, start, stop)`` for each block in order, computed ahead on the pool."""
    with Progress(len(ranges), progress, desc) as bar:
        for result in map_ordered(lambda i: func(i, *ranges[i]), len(ranges),
                                  threads_for(threads)):
            bar.update()
            yield result

