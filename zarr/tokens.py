"""Cheap, data-free tokens that name an array's current content to dask.

dask names the graph of ``dask.array.from_array(z)`` by a token of ``z``.
Without ``__dask_tokenize__`` it would pickle the array (an in-memory array
pickles as all its compressed chunks: hundreds of milliseconds for 400 MB).
Instead each array carries a *version*, moved on before every change of its
data or shape (``Array._check_writable`` is called by every write, resize and
append before it changes anything), and its token is

- in memory: a random identifier of the array object (never reused, unlike
  ``id()``) and its version;
- in a store: where it is (the real path of a directory), shape, dtype, chunks
  and version, so that two objects opened on the same unchanged array give the
  same token.

Versions come from one process-wide counter, so a new version is a number the
array never had before, even when threads write at once. The token follows
writes made through this array object; writes by another object or process to
the same directory are not seen (as with any path-based token).

Examples
--------
>>> import zarr
>>> z = zarr.zeros(10, chunks=5)
>>> before = z.__dask_tokenize__()
>>> z.__dask_tokenize__() == before
True
>>> z[3] = 1
>>> z.__dask_tokenize__() == before
False
"""

import itertools
import uuid

_versions = itertools.count(1)


def new_version():
    """A number no array in this process had as its version before."""
    return next(_versions)  # atomic: itertools.count is implemented in C


def memory_token(array):
    """The token of an in-memory array: its object's identifier and version."""
    state = array.__dict__
    uid = state.get("_token_uid")
    if uid is None:
        uid = state.setdefault("_token_uid", uuid.uuid4().hex)  # one winner under threads
    return ("zarr", type(array).__name__, uid, array._version)


def persistent_token(array):
    """The token of an array in a store: where it is (its store's lock namespace,
    the real path of a directory, and its path in the store), its layout and
    version."""
    return ("zarr-store", array._lock_ident, array.shape, repr(array.dtype), array.chunks,
            array._version)
