"""Whole chunks that are not one contiguous run of the array they belong to.

A chunk of (1000, 100) in an array of (10000, 1000) is 1000 pieces of 400
bytes, 4000 bytes apart. Copying such chunks one at a time between the array
and a chunk buffer reads or writes the array in scattered pieces. Instead,
the chunks side by side along the last axis (a *band*) are moved together:
the array is read or written row after row, and the chunk buffers, a few
megabytes in all, stay in cache. The copy itself runs in ``zarr.ext`` without
the GIL. Each run of chunks is one task, so that the runs of one call can go
to several threads, each with scratch buffers of its own.
"""

import threading
from functools import partial

import numpy as np

from zarr.ext import copy_strided

#: The most bytes of chunk buffers a band holds at once.
BAND_BYTES = 8 << 20


def copy(dst, src):
    """``dst[...] = src`` for two arrays of one shape, by ``copy_strided`` when
    their dtypes agree, else by numpy with its casting."""
    if dst.dtype != src.dtype or dst.dtype.hasobject:
        np.copyto(dst, src, casting="unsafe")
        return
    if dst.dtype.kind in "mM":
        dst, src = dst.view("i8"), src.view("i8")
    copy_strided(dst, src)


class Bands:
    """Collects whole chunks by band, then moves each band at once.

    Parameters
    ----------
    chunks : tuple of int
        The chunk shape.
    dtype : numpy dtype
        The chunks' dtype.
    """

    def __init__(self, chunks, dtype):
        self.chunks = chunks
        self.dtype = dtype
        self.max_run = max(1, BAND_BYTES // (int(np.prod(chunks)) * dtype.itemsize))
        self.bands = {}
        self._local = threading.local()

    def add(self, key, osel, chunk):
        """Add a whole chunk at grid index ``key`` whose place in the array is ``osel``."""
        band = self.bands.get(key[:-1])
        if band is None:
            band = self.bands[key[:-1]] = (osel[:-1], [])
        band[1].append((osel[-1].start, chunk))

    def runs(self):
        """Yield (leading selection, start on the last axis, chunks) for runs of
        adjacent chunks, at most ``max_run`` long."""
        c = self.chunks[-1]
        for lead, items in self.bands.values():
            items.sort(key=lambda item: item[0])
            start, run = None, []
            for p, chunk in items:
                if run and (p != start + len(run) * c or len(run) == self.max_run):
                    yield lead, start, run
                    run = []
                if not run:
                    start = p
                run.append(chunk)
            if run:
                yield lead, start, run

    def _buffers(self, n):
        """n chunk buffers, this thread's own."""
        scratch = getattr(self._local, "scratch", None)
        if scratch is None or len(scratch) < n:
            scratch = self._local.scratch = np.empty((max(n, 1),) + self.chunks, self.dtype)
        return scratch[:n]

    def _band_view(self, array, lead, start, n):
        """The part of ``array`` that n chunks from ``start`` cover, as (..., n, c)."""
        c = self.chunks[-1]
        part = array[lead + (slice(start, start + n * c),)]
        return part.reshape(part.shape[:-1] + (n, c))

    def _scatter_run(self, out, lead, start, run):
        buffers = self._buffers(len(run))
        for chunk, buf in zip(run, buffers):
            chunk.read(Ellipsis, buf)
        copy(self._band_view(out, lead, start, len(run)), np.moveaxis(buffers, 0, -2))

    def _gather_run(self, value, lead, start, run):
        buffers = self._buffers(len(run))
        copy(np.moveaxis(buffers, 0, -2), self._band_view(value, lead, start, len(run)))
        for chunk, buf in zip(run, buffers):
            chunk.write(Ellipsis, buf)

    def scatter_tasks(self, out):
        """Tasks that decompress every band into ``out``, one a run."""
        return [partial(self._scatter_run, out, lead, start, run)
                for lead, start, run in self.runs()]

    def gather_tasks(self, value):
        """Tasks that compress every band's part of ``value`` into its chunks."""
        return [partial(self._gather_run, value, lead, start, run)
                for lead, start, run in self.runs()]

    def scatter(self, out):
        """Decompress every band into ``out``, in this thread."""
        for task in self.scatter_tasks(out):
            task()

    def gather(self, value):
        """Compress every band's part of ``value`` into its chunks, in this thread."""
        for task in self.gather_tasks(value):
            task()
