"""The positions a delayed array reads along each of its dimensions.

Along each dimension a subset keeps either a regular run of positions (a
:class:`Run`: start, step, count, as a slice keeps them) or any list of
them (an int64 array, as an index list or a mask keeps them). Runs stay
runs when composed with slices, so that a subset of a subset of a
petabyte array holds three numbers a dimension, not its positions.
"""

import numbers

import numpy as np


class Run:
    """The positions ``start + step * i`` for ``i`` in ``range(count)``.

    Examples
    --------
    >>> r = Run(10, 2, 5)
    >>> r.take(slice(1, None, 2)), r.take(np.array([4, 0])).tolist()
    (Run(12, 4, 2), [18, 10])
    """

    __slots__ = ("start", "step", "count")

    def __init__(self, start, step, count):
        self.start, self.step, self.count = int(start), int(step), int(count)

    def __len__(self):
        return self.count

    def __repr__(self):
        return "Run(%d, %d, %d)" % (self.start, self.step, self.count)

    def __eq__(self, other):
        return isinstance(other, Run) and (self.start, self.step, self.count) == \
            (other.start, other.step, other.count)

    def take(self, sel):
        """The positions of ``sel`` (a slice or an int64 array) of these."""
        if isinstance(sel, slice):
            start, stop, step = sel.indices(self.count)
            return Run(self.start + self.step * start, self.step * step,
                       len(range(start, stop, step)))
        return self.start + self.step * sel

    def positions(self):
        return self.start + self.step * np.arange(self.count, dtype=np.int64)

    def as_slice(self):
        """The slice of these positions, when its step is positive."""
        return slice(self.start, self.start + self.step * self.count, self.step)


def full(n):
    """Every position of a dimension of length ``n``."""
    return Run(0, 1, n)


def take(kept, sel):
    """The positions of ``sel`` (a slice, a Run or an int64 array) of the
    positions ``kept`` (a Run or an array)."""
    if isinstance(sel, Run):
        if isinstance(kept, Run):
            return Run(kept.start + kept.step * sel.start, kept.step * sel.step, sel.count)
        return kept[sel.as_slice()] if sel.step > 0 else kept[sel.positions()]
    if isinstance(kept, Run):
        return kept.take(sel)
    return kept[sel]


def as_run(positions):
    """``positions`` as a Run when they are one (evenly spaced, increasing), else as they are."""
    if isinstance(positions, Run) or len(positions) == 0:
        return positions if isinstance(positions, Run) else Run(0, 1, 0)
    if len(positions) == 1:
        return Run(positions[0], 1, 1)
    steps = np.diff(positions)
    if steps[0] > 0 and (steps == steps[0]).all():
        return Run(positions[0], steps[0], len(positions))
    return positions


def normalize(selection, shape):
    """``selection`` (anything numpy takes as an orthogonal selection: ints,
    slices, ``Ellipsis``, ``None`` is refused, 1-d int or bool lists) as one
    entry a dimension: an int (a dimension dropped), a :class:`Run` or an
    int64 array of positions in range.

    Examples
    --------
    >>> normalize((1, [0, -1]), (3, 4))
    (1, array([0, 3]))
    >>> normalize((Ellipsis, slice(None, None, -2)), (2, 3))
    (Run(0, 1, 2), Run(2, -2, 2))
    """
    if not isinstance(selection, tuple):
        selection = (selection,)
    if any(s is None for s in selection):
        raise IndexError("a delayed array takes no new axes (None) in a selection")
    n_ellipsis = sum(1 for s in selection if s is Ellipsis)
    if n_ellipsis > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    if n_ellipsis:
        i = next(i for i, s in enumerate(selection) if s is Ellipsis)
        fill = len(shape) - (len(selection) - 1)
        selection = selection[:i] + (slice(None),) * max(fill, 0) + selection[i + 1:]
    if len(selection) > len(shape):
        raise IndexError("too many indices for an array of %d dimensions: %d"
                         % (len(shape), len(selection)))
    selection = selection + (slice(None),) * (len(shape) - len(selection))
    return tuple(_one(s, n, dim) for dim, (s, n) in enumerate(zip(selection, shape)))


def _one(sel, n, dim):
    if isinstance(sel, np.ndarray) and sel.ndim == 0 and sel.dtype.kind in "iu":
        sel = sel[()]  # numpy takes a 0-d integer array as that integer
    if isinstance(sel, slice):
        start, stop, step = sel.indices(n)
        return Run(start, step, len(range(start, stop, step)))
    if isinstance(sel, (numbers.Integral, np.integer)) and not isinstance(sel, (bool, np.bool_)):
        i = int(sel)
        if not -n <= i < n:
            raise IndexError("index %d is out of bounds for axis %d with size %d" % (i, dim, n))
        return i % n
    arr = np.asarray(sel)
    if arr.dtype == bool:
        if arr.ndim != 1 or len(arr) != n:
            raise IndexError("boolean index of shape %s does not match axis %d of size %d"
                             % (arr.shape, dim, n))
        return np.flatnonzero(arr).astype(np.int64)
    if arr.ndim != 1 or not (arr.dtype.kind in "iu" or arr.size == 0):
        raise IndexError("axis %d: only integers, slices, ellipsis and 1-d integer or boolean "
                         "lists are valid indices of a delayed array, not %r" % (dim, sel))
    arr = arr.astype(np.int64)
    if arr.size and (arr.min() < -n or arr.max() >= n):
        bad = arr[(arr < -n) | (arr >= n)][0]
        raise IndexError("index %d is out of bounds for axis %d with size %d" % (bad, dim, n))
    return np.where(arr < 0, arr + n, arr)
