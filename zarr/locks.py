"""The thread locks of the package: one table, renewed in a forked child.

Locks are found by what they guard, never made per object: two array objects
opened on the same chunks (``zarr.open`` twice, a group's member taken in
each thread) get the same lock, and the number of locks stays fixed however
many chunks an array has. Each purpose ('chunk', 'attrs', 'table', 'array')
has its own part of the table, so that holding one lock of a purpose never
blocks on another purpose's lock by a collision of hashes.

Examples
--------
>>> thread_lock("chunk", ("local", "/data/x.zarr"), "0.0") is thread_lock(
...     "chunk", ("local", "/data/x.zarr"), "0.0")
True
"""

import os
import threading

#: How many locks each purpose has.
STRIPES = {"chunk": 4096, "attrs": 64, "table": 64, "array": 64}

_table = {}


def _renew():
    """Fresh locks: in a forked child, a lock held by a parent's thread would
    never be released."""
    for purpose, n in STRIPES.items():
        _table[purpose] = [threading.Lock() for _ in range(n)]


_renew()

if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_renew)


def thread_lock(purpose, *ident):
    """The lock of ``purpose`` that guards what ``ident`` names (hashable values)."""
    locks = _table[purpose]
    return locks[hash(ident) % len(locks)]
