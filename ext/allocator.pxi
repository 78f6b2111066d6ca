# The C allocator's thresholds, which decide whether the large buffers of
# compressed frames come from fresh pages or from memory freed before.

cdef extern from *:
    """
    #if defined(__GLIBC__)
    #include <malloc.h>
    static int zarr_set_malloc_thresholds(int mmap_threshold, int trim_threshold) {
        return mallopt(M_MMAP_THRESHOLD, mmap_threshold) == 1
            && mallopt(M_TRIM_THRESHOLD, trim_threshold) == 1;
    }
    #else
    static int zarr_set_malloc_thresholds(int mmap_threshold, int trim_threshold) {
        (void)mmap_threshold; (void)trim_threshold;
        return 0;
    }
    #endif
    """
    int zarr_set_malloc_thresholds(int mmap_threshold, int trim_threshold) nogil


def set_malloc_thresholds(int mmap_threshold, int trim_threshold):
    """Set glibc malloc's mmap and trim thresholds, in bytes, for the process.

    Blocks up to ``mmap_threshold`` bytes are then served from malloc's heaps,
    where freed memory is reused, rather than by fresh pages from the kernel;
    free memory at the top of a heap is returned to the kernel once it
    exceeds ``trim_threshold``. Returns False where the C library is not
    glibc or refuses the values.

    Examples
    --------
    >>> set_malloc_thresholds(32 << 20, 64 << 20) in (True, False)
    True
    """
    if mmap_threshold < 0 or trim_threshold < 0:
        raise ValueError("thresholds must be >= 0, not %d and %d" % (mmap_threshold, trim_threshold))
    return bool(zarr_set_malloc_thresholds(mmap_threshold, trim_threshold))
