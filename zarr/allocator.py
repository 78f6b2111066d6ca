"""glibc malloc's thresholds, for processes that write chunks of many MiB.

A chunk is compressed into a buffer of the worst-case size, then shrunk to
the frame's length. With glibc's default thresholds, a buffer over 128 KiB
(and, once large blocks have been freed, over the largest freed block, up to
32 MiB) is mapped fresh from the kernel, whose pages fault in one by one as
the codec writes them: for chunks of tens of MiB that can cost more than the
compression itself. With the mmap threshold at 32 MiB, such buffers come from
malloc's heaps and reuse the memory of the frames they replace.

The thresholds hold for the whole process and every library in it: blocks up
to 32 MiB, numpy arrays included, then come from the heaps, where a small
block still in use can keep freed memory around it from going back to the
kernel (resident memory grew by 256 MiB against 32 MiB in a test that freed
24 arrays of 16 MiB from three threads). So they are not set unless asked
for: call :func:`tune_malloc`, or set the environment variable
``ZARR_TUNE_MALLOC=1`` before importing zarr. Elsewhere than glibc nothing
changes.
"""

import os

from zarr.ext import set_malloc_thresholds

__all__ = ["MMAP_THRESHOLD", "TRIM_THRESHOLD", "tune_malloc"]

#: Blocks up to this many bytes come from malloc's heaps.
MMAP_THRESHOLD = 32 << 20

#: Free memory at a heap's top above this many bytes goes back to the kernel.
TRIM_THRESHOLD = 64 << 20


def tune_malloc():
    """Set glibc's mmap threshold to :data:`MMAP_THRESHOLD` and its trim
    threshold to :data:`TRIM_THRESHOLD` for the process; whether they were set.

    Examples
    --------
    >>> import zarr.allocator
    >>> zarr.allocator.tune_malloc() in (True, False)
    True
    """
    return set_malloc_thresholds(MMAP_THRESHOLD, TRIM_THRESHOLD)


def _asked(environ=os.environ):
    """Whether the environment asks for the thresholds (``ZARR_TUNE_MALLOC=1``)."""
    return environ.get("ZARR_TUNE_MALLOC", "").strip() == "1"


#: Whether importing zarr set the thresholds (only with ``ZARR_TUNE_MALLOC=1``).
TUNED = tune_malloc() if _asked() else False
