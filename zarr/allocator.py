"""The C allocator's thresholds for the compressed frames of chunks.

A chunk is compressed into a buffer of the worst-case size, then shrunk to
the frame's length. With glibc's default thresholds, a buffer over 128 KiB
(and, once large blocks have been freed, over the largest freed block, up to
32 MiB) is mapped fresh from the kernel, whose pages fault in one by one as
the codec writes them: for chunks of tens of MiB that costs more than the
compression itself. With the mmap threshold at 32 MiB, the ceiling of
glibc's own adjustment, such buffers come from malloc's heaps and reuse the
memory of the frames they replace; chunks of more than 32 MiB still get
fresh pages.

Importing zarr applies :data:`MMAP_THRESHOLD` and :data:`TRIM_THRESHOLD`
once, for the whole process, unless the environment variable
``ZARR_TUNE_MALLOC`` is ``0``. Elsewhere than glibc nothing changes.
"""

import os

from zarr.ext import set_malloc_thresholds

__all__ = ["MMAP_THRESHOLD", "TRIM_THRESHOLD", "tune_malloc"]

#: Blocks up to this many bytes come from malloc's heaps.
MMAP_THRESHOLD = 32 << 20

#: Free memory at a heap's top above this many bytes goes back to the kernel.
TRIM_THRESHOLD = 64 << 20


def tune_malloc(environ=os.environ):
    """Apply the thresholds unless ``ZARR_TUNE_MALLOC=0``; whether they were applied.

    Examples
    --------
    >>> tune_malloc({"ZARR_TUNE_MALLOC": "0"})
    False
    """
    if environ.get("ZARR_TUNE_MALLOC", "1").strip() == "0":
        return False
    return set_malloc_thresholds(MMAP_THRESHOLD, TRIM_THRESHOLD)


#: Whether importing zarr set the thresholds.
TUNED = tune_malloc()
