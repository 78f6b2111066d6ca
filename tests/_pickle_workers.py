"""What the processes of tests/test_pickled_sync.py run: module-level
functions, so that the "spawn" start method and dask's workers import them."""

import pickle


def write_elements(z, start, step, stop):
    """Write z[i] = i, one element at a time, for i in range(start, stop, step),
    into an array received by pickle; what it was received as."""
    for i in range(start, stop, step):
        z[i:i + 1] = i
    return type(z).__name__, repr(z.synchronizer)


def received(z):
    """What an array received by pickle is: its class and synchronizer."""
    return type(z).__name__, repr(z.synchronizer)


def try_to_write(z):
    """(the sum of z read, the error a write raised as (type name, message), or None)."""
    total = float(z[...].sum())
    try:
        z[0] = 5
    except Exception as e:  # noqa: BLE001 - the outcome is what is returned
        return total, (type(e).__name__, str(e))
    return total, None


def dump(z, path):
    """Pickle z to a file, from this process."""
    with open(path, "wb") as f:
        pickle.dump(z, f)


def make_and_dump(path):
    """Make an in-memory array here and pickle it to a file, then end."""
    import zarr
    z = zarr.zeros(10, dtype="i4", chunks=5)
    z[:] = 3
    dump(z, path)
