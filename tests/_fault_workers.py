"""What the child processes of tests/test_processes.py run.

Module-level functions, so that the "spawn" start method (a fresh
interpreter) can import them by name.
"""

import numpy as np

import zarr


def block(i, size):
    """The values of region i: the elements size*i .. size*(i+1) - 1 of arange."""
    return np.arange(i * size, (i + 1) * size, dtype="i8")


def write_regions(path, regions, size, barrier=None, **open_kwargs):
    """Open the array at path and write each region i as ``block(i, size)``."""
    z = zarr.open(path, mode="r+", **open_kwargs)
    if barrier is not None:
        barrier.wait()
    for i in regions:
        z[i * size:(i + 1) * size] = block(i, size)


def append_blocks(path, blocks, size, barrier=None, **open_kwargs):
    """Open the array at path and append ``block(b, size)`` for each b."""
    z = zarr.open(path, mode="r+", **open_kwargs)
    if barrier is not None:
        barrier.wait()
    for b in blocks:
        z.append(block(b, size))


def write_region_of(z, i, size):
    """Write region i into an array received by pickle; say what was received."""
    z[i * size:(i + 1) * size] = block(i, size)
    return type(z).__name__, z.mode, z.path, z.synchronizer is not None


def try_to_write(z):
    """Try to write into an array received by pickle: (its mode, the error's type
    name or None, whether the error is a PermissionError)."""
    try:
        z[0] = 12345
    except Exception as e:  # noqa: BLE001 - the outcome is what is returned
        return z.mode, type(e).__name__, isinstance(e, PermissionError)
    return z.mode, None, False
