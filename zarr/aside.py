"""Build aside, then swap in: replacing a node so that a failure leaves the old one.

A replacement is written under a hidden name beside the node it replaces
(``parent/.name.creating.<pid>.<n>``), which listings of members never
show, and swapped in only once it is whole: the old node is renamed to a
hidden name, the new one renamed into place, the old one removed. In a store
whose ``rename`` is one step (directories, memory), readers see the old node
or the new one.
"""

import itertools
import os

from zarr.storage import join_key

_asides = itertools.count()


def hidden_sibling(path, what):
    """A hidden path beside ``path`` (``parent/.name.<what>.<pid>.<n>``).

    Examples
    --------
    >>> hidden_sibling("a/b", "creating").startswith("a/.b.creating.")
    True
    """
    parent, _, name = path.rpartition("/")
    return join_key(parent, ".%s.%s.%d.%d" % (name, what, os.getpid(), next(_asides)))


def aside_path(path):
    """Where a replacement of the node at ``path`` is built."""
    return hidden_sibling(path, "creating")


def swap_in(store, aside, path):
    """Put the node built at ``aside`` at ``path``, removing what was there."""
    old = None
    if store.contains_prefix(path) or path in store:
        old = hidden_sibling(path, "removing")
        store.rename(path, old)
    try:
        store.rename(aside, path)
    except BaseException:
        if old is not None:
            store.rename(old, path)
        raise
    if old is not None:
        store.delete_prefix(old)


def discard(store, aside):
    """Remove a replacement that will not be swapped in."""
    store.delete_prefix(aside)
