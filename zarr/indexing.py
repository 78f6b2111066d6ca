"""From a user's selection to per-chunk projections.

A selection (integers, slices with any step, Ellipsis) is first normalized to
one integer or slice per dimension. Each dimension then yields its
projections: the chunk index along that dimension, the selection within the
chunk, and where the selected elements go in the output. The product of the
dimensions' projections visits exactly the chunks that the selection touches.
"""

import itertools
import math
import operator

import numpy as np

_KINDS = "integers, slices (`:`) and ellipsis (`...`)"


class NotBasicSelection(IndexError):
    """A selection holding more than integers, slices and Ellipsis (index
    arrays, booleans, None): numpy's advanced indexing, not basic."""


def as_index(obj):
    """obj as a Python int if it is an integer index, else None."""
    if type(obj) is int:
        return obj
    if isinstance(obj, (bool, np.bool_)):
        return None
    try:
        return operator.index(obj)
    except TypeError:
        return None


def normalize_selection(selection, shape):
    """One int (non-negative, in bounds) or slice per dimension.

    Returns
    -------
    (tuple, bool)
        The selection, and whether it selects a single element (the result is
        then a scalar, as in numpy).

    Raises
    ------
    IndexError
        For an integer out of bounds, too many indices or two ellipses.
    NotBasicSelection
        For an index of another kind (float, list, array, None, ...).

    Examples
    --------
    >>> normalize_selection((-1, ...), (10, 20, 30))
    ((9, slice(None, None, None), slice(None, None, None)), False)
    """
    ndim = len(shape)
    if type(selection) is not tuple:
        selection = (selection,)
    n_ellipsis = 0
    n_dims = 0
    for s in selection:
        if s is Ellipsis:
            n_ellipsis += 1
        else:
            n_dims += 1
            if type(s) is not int and type(s) is not slice and as_index(s) is None:
                # Before any bound is checked: where an Ellipsis lands, and
                # what an integer indexes, depend on every entry.
                raise NotBasicSelection(
                    "a basic selection takes only %s, not %r of type %s (z[...] takes "
                    "numpy's advanced indices; see also z.oindex and z.vindex)"
                    % (_KINDS, s, type(s).__name__))
    if n_ellipsis > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    if n_dims > ndim:
        raise IndexError("too many indices for array: array is %d-dimensional, but %d were "
                         "indexed" % (ndim, n_dims))
    out = []
    scalar = n_ellipsis == 0 and n_dims == ndim
    for s in selection:
        if s is Ellipsis:
            out.extend([slice(None)] * (ndim - n_dims))
            continue
        axis = len(out)
        if type(s) is slice:
            scalar = False
            out.append(s)
            continue
        i = as_index(s)
        n = shape[axis]
        if i < -n or i >= n:
            raise IndexError("index %d is out of bounds for axis %d with size %d" % (i, axis, n))
        out.append(i + n if i < 0 else i)
    if len(out) < ndim:
        out.extend([slice(None)] * (ndim - len(out)))
    return tuple(out), scalar


def selection_shape(selection, shape):
    """The shape of the result of a normalized selection (integers drop their axis)."""
    return tuple(len(range(*s.indices(n))) for s, n in zip(selection, shape)
                 if type(s) is slice)


def one_chunk_selection(selection, shape, chunks):
    """(grid index, selection within the chunk) when a normalized selection
    with at least one slice lies in one chunk and selects something, else None.

    Examples
    --------
    >>> one_chunk_selection((12, slice(20, 25)), (100, 100), (10, 10))
    ((1, 2), (2, slice(0, 5, 1)))
    >>> one_chunk_selection((slice(5, 15),), (100,), (10,)) is None
    True
    """
    key = []
    within = []
    for s, n, c in zip(selection, shape, chunks):
        if type(s) is slice:
            start, stop, step = s.indices(n)
            length = len(range(start, stop, step))
            if length == 0:
                return None
            last = start + (length - 1) * step
            k = start // c
            if last // c != k:
                return None
            key.append(k)
            end = last - k * c + (1 if step > 0 else -1)
            within.append(slice(start - k * c, end if end >= 0 else None, step))
        else:
            k = s // c
            key.append(k)
            within.append(s - k * c)
    if not any(type(s) is slice for s in within):
        return None
    return tuple(key), tuple(within)


def dim_projections(s, n, c):
    """The projections of one dimension's index onto its chunks.

    Parameters
    ----------
    s : int or slice
        The normalized index of this dimension.
    n, c : int
        The dimension's length and its chunk length.

    Returns
    -------
    list of (int, int or slice, slice or None, bool)
        For each chunk touched: its index along the dimension, the selection
        within it, the selection in the output (None for an integer index,
        whose axis the output drops), and whether the chunk is covered whole
        in its stored order.

    Examples
    --------
    >>> dim_projections(slice(5, 25), 30, 10)
    [(0, slice(5, 10, 1), slice(0, 5, None), False), (1, slice(0, 10, 1), slice(5, 15, None), True), (2, slice(0, 5, 1), slice(15, 20, None), False)]
    """
    if type(s) is not slice:
        k = s // c
        return [(k, s - k * c, None, False)]
    start, stop, step = s.indices(n)
    count = len(range(start, stop, step))
    if count == 0:
        return []
    astep = abs(step)
    if step > 0:
        lo, hi = start, start + (count - 1) * step
    else:
        lo, hi = start + (count - 1) * step, start
    if astep >= c:
        # At most one element per chunk: visit the elements, not the chunks.
        firsts = range(lo, hi + 1, astep)
    else:
        firsts = None
    result = []
    for k in (range(lo // c, hi // c + 1) if firsts is None else (i // c for i in firsts)):
        o = k * c
        first = lo if lo >= o else lo + -(-(o - lo) // astep) * astep
        last = first + ((min(hi, o + c - 1) - first) // astep) * astep
        m = (last - first) // astep + 1
        p = (first - lo) // astep
        if step > 0:
            result.append((k, slice(first - o, last - o + 1, step), slice(p, p + m),
                           step == 1 and first == o and last == o + c - 1))
        else:
            below = first - o - 1
            result.append((k, slice(last - o, below if below >= 0 else None, step),
                           slice(count - p - m, count - p), False))
    return result


def chunk_projections(selection, shape, chunks):
    """Every chunk a normalized selection touches, with where its part goes.

    Yields
    ------
    (key, chunk_selection, out_selection, whole)
        The chunk's grid index, the selection in the chunk's coordinates,
        the selection in the output array, and whether the whole chunk is
        selected in its stored order.

    Examples
    --------
    >>> [key for key, *_ in chunk_projections((slice(3, 7), 1), (10, 10), (5, 5))]
    [(0, 0), (1, 0)]
    """
    per_dim = [dim_projections(s, n, c) for s, n, c in zip(selection, shape, chunks)]
    for combo in itertools.product(*per_dim):
        yield (tuple(p[0] for p in combo), tuple(p[1] for p in combo),
               tuple(p[2] for p in combo if p[2] is not None), all(p[3] for p in combo))


#: A change of shape that uncovers more chunk cells than this lists the
#: stored chunks instead of visiting each cell.
MAX_CELLS_VISITED = 4096


def cells_outside(grid, inner):
    """The chunk cells of ``grid`` outside ``inner`` (a grid no larger in any
    dimension), or None when there are more than MAX_CELLS_VISITED.

    Examples
    --------
    >>> cells_outside((3, 2), (2, 2))
    [(2, 0), (2, 1)]
    """
    total = math.prod(grid) - math.prod(inner)
    if total > MAX_CELLS_VISITED:
        return None
    cells = []
    # Disjoint slabs: index d past inner[d], the dimensions before it inside.
    for d in range(len(grid)):
        ranges = [range(inner[j]) for j in range(d)] + [range(inner[d], grid[d])] + \
            [range(grid[j]) for j in range(d + 1, len(grid))]
        cells.extend(itertools.product(*ranges))
    return cells
