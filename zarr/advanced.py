"""Selections with index arrays: numpy's advanced indexing, orthogonal and
point selections, mapped onto a grid of chunks.

A selection is first brought to a :class:`Plan`: per dimension of the array
an integer (its axis dropped), a slice, or a 1-D array of non-negative
indices; and, for point selections, a group of dimensions whose index arrays
are read together, point by point. The plan says which chunks are touched
(:func:`zarr.grouping.chunk_parts`), and how the result, built in a canonical layout, is
rearranged into numpy's (:meth:`Plan.arrange`).

The canonical layout has one axis for the points, if any, first; then one
axis for each dimension that is a slice or an index array, in order.
"""

import numpy as np

from zarr.indexing import as_index


_VALID = ("only integers, slices (`:`), ellipsis (`...`), numpy.newaxis (`None`) and "
          "integer or boolean arrays are valid indices")


def index_array(obj):
    """An index that is a sequence or array as a numpy array of intp or
    bool, with numpy's errors for anything else."""
    if isinstance(obj, np.ndarray):
        arr = obj
    else:
        try:
            arr = np.asarray(obj)
        except ValueError as e:  # ragged, as numpy says
            raise ValueError("an index that is a ragged sequence: %s" % e) from None
        if arr.dtype.kind == "f" and arr.size == 0:
            arr = arr.astype(np.intp)  # numpy reads [] as an empty integer index
    if arr.dtype == bool:
        return arr
    if arr.dtype.kind not in "iu":
        raise IndexError("arrays used as indices must be of integer (or boolean) type")
    return arr


def bound_indices(arr, n, axis):
    """arr (integers) with negative indices counted from the end, as intp;
    IndexError as numpy's for an index out of bounds."""
    if arr.dtype.kind == "u" and arr.size and arr.max() > np.iinfo(np.intp).max:
        raise IndexError("index %d is out of bounds for axis %d with size %d"
                         % (arr.max(), axis, n))
    arr = arr.astype(np.intp, copy=False)
    if arr.size:
        lo, hi = int(arr.min()), int(arr.max())
        if lo < -n or hi >= n:
            bad = lo if lo < -n else hi
            raise IndexError("index %d is out of bounds for axis %d with size %d"
                             % (bad, axis, n))
        if lo < 0:
            arr = np.where(arr < 0, arr + n, arr)
    return arr


def nonzero(mask):
    """``np.nonzero(mask)`` as intp arrays; by flat positions, which numpy
    finds several times faster than the per-dimension indices of a 2-D mask."""
    if mask.ndim <= 1:
        return [np.flatnonzero(mask)]
    return [p.astype(np.intp, copy=False)
            for p in np.unravel_index(np.flatnonzero(mask), mask.shape)]


def check_bool(mask, shape, first, as_numpy=False):
    """IndexError as numpy's when a boolean array does not match the axes
    ``first``, ``first + 1``, ... of ``shape`` it indexes. ``as_numpy``:
    an axis of length 0 matches any, as in numpy's ``a[mask]``."""
    if first + mask.ndim > len(shape):
        raise IndexError("too many indices for array: array is %d-dimensional, but %d were "
                         "indexed" % (len(shape), first + mask.ndim))
    for i, m in enumerate(mask.shape):
        if m != shape[first + i] and not (as_numpy and m == 0):
            raise IndexError("boolean index did not match indexed array along axis %d; size "
                             "of axis is %d but size of corresponding boolean axis is %d"
                             % (first + i, shape[first + i], m))


class Plan:
    """What to read or write: one entry per dimension of the array, and how
    the canonical result becomes the one asked for.

    Attributes
    ----------
    dims : list
        Per dimension: an int, a slice, a 1-D intp array (orthogonal), or
        the marker :data:`POINT` for a dimension of the point group.
    points : list of ndarray
        The point group's index arrays, one per POINT dimension, all 1-D of
        one length.
    shape : tuple
        The shape of the result, as the caller sees it.
    """

    def __init__(self, dims, points, array_shape, npoints=None):
        self.dims = dims
        self.points = points
        self.npoints = len(points[0]) if points and npoints is None else npoints
        self.array_shape = array_shape
        self.steps = []  # ('reshape' | 'move' | 'expand', argument), in order

    def canonical_shape(self):
        shape = [] if self.npoints is None else [self.npoints]
        for d, n in zip(self.dims, self.array_shape):
            if type(d) is slice:
                shape.append(len(range(*d.indices(n))))
            elif isinstance(d, np.ndarray):
                shape.append(len(d))
        return tuple(shape)

    @property
    def shape(self):
        """The shape of the result as the caller sees it."""
        shape = self.canonical_shape()
        for step, arg in self.steps:
            shape = _step_shape(shape, step, arg)
        return shape

    def arrange(self, canonical):
        """The canonical result rearranged as the caller asked."""
        for step, arg in self.steps:
            if step == "reshape":
                axis, new = arg
                canonical = canonical.reshape(canonical.shape[:axis] + new +
                                              canonical.shape[axis + 1:])
            elif step == "move":
                canonical = np.moveaxis(canonical, arg[0], arg[1])
            else:
                canonical = np.expand_dims(canonical, arg)
        return canonical

    def unarrange(self, value):
        """A value of the caller's shape as the canonical layout (the inverse of arrange)."""
        for step, arg in reversed(self.steps):
            if step == "reshape":
                axis, new = arg
                value = value.reshape(value.shape[:axis] + (int(np.prod(new)),) +
                                      value.shape[axis + len(new):])
            elif step == "move":
                value = np.moveaxis(value, arg[1], arg[0])
            else:
                value = np.squeeze(value, arg)
        return value


POINT = "point"


def _step_shape(shape, step, arg):
    if step == "reshape":
        axis, new = arg
        return shape[:axis] + new + shape[axis + 1:]
    if step == "move":
        src, dst = arg
        src = [src] if isinstance(src, int) else list(src)
        dst = [dst] if isinstance(dst, int) else list(dst)
        order = [i for i in range(len(shape)) if i not in src]
        for d, s in sorted(zip(dst, src)):
            order.insert(d, s)
        return tuple(shape[i] for i in order)
    out = list(shape)
    for a in sorted(arg if isinstance(arg, tuple) else (arg,)):
        out.insert(a, 1)
    return tuple(out)


def _expand(selection, shape):
    """The entries of a numpy index with its Ellipsis replaced by full slices:
    a list of (kind, value, first axis consumed), kind one of 'int', 'slice',
    'newaxis', 'array', 'bool'."""
    if type(selection) is not tuple:
        selection = (selection,)
    entries = []
    ellipsis = None
    consumed = 0
    for s in selection:
        if s is Ellipsis:
            if ellipsis is not None:
                raise IndexError("an index can only have a single ellipsis ('...')")
            ellipsis = len(entries)
            entries.append(("ellipsis", None))
        elif s is None:
            entries.append(("newaxis", None))
        elif type(s) is slice:
            for part in (s.start, s.stop, s.step):
                if part is not None and as_index(part) is None:
                    raise TypeError("slice indices must be integers or None or have an "
                                    "__index__ method")
            entries.append(("slice", s))
            consumed += 1
        elif isinstance(s, (bool, np.bool_)):
            entries.append(("bool", np.asarray(s)))
        elif as_index(s) is not None:
            entries.append(("int", as_index(s)))
            consumed += 1
        elif isinstance(s, (list, tuple, np.ndarray)) or hasattr(s, "__array__"):
            arr = index_array(s)
            entries.append(("bool" if arr.dtype == bool else "array", arr))
            consumed += arr.ndim if arr.dtype == bool else 1
        else:
            raise IndexError(_VALID)
    ndim = len(shape)
    if consumed > ndim:
        raise IndexError("too many indices for array: array is %d-dimensional, but %d were "
                         "indexed" % (ndim, consumed))
    fill = [("slice", slice(None))] * (ndim - consumed)
    if ellipsis is None:
        entries.extend(fill)
    else:
        # The Ellipsis stays as a separator of advanced indices, as in numpy,
        # even where it stands for no dimension.
        entries[ellipsis:ellipsis + 1] = fill + [("ellipsis", None)]
    return entries


def numpy_plan(selection, shape):
    """The plan of ``a[selection]`` with numpy's rules for any index numpy takes.

    Examples
    --------
    >>> p = numpy_plan((slice(None), [2, 0]), (4, 3))
    >>> p.shape
    (4, 2)
    >>> numpy_plan(([0, 1], slice(None), [1, 2]), (3, 4, 5)).shape
    (2, 4)
    """
    entries = _expand(selection, shape)
    # Per entry: its axis of the array (None for a new axis), and what it is.
    dims = []           # per array axis: int, slice or int array (any shape)
    adv = []            # positions in ``items`` of the advanced indices
    axis = 0
    has_arrays = any(kind in ("array", "bool") for kind, _ in entries)
    items = []          # (kind, value, axis) with bools expanded
    for kind, value in entries:
        if kind == "bool":
            if value.ndim == 0:
                items.append(("boolaxis", bool(value), None))
                continue
            check_bool(value, shape, axis, as_numpy=True)
            for part in nonzero(value):
                items.append(("array", part, axis))
                axis += 1
            continue
        if kind in ("newaxis", "ellipsis"):
            items.append((kind, None, None))
            continue
        items.append((kind, value, axis))
        axis += 1
    arrays = {}
    for pos, (kind, value, ax) in enumerate(items):
        if kind == "int":
            n = shape[ax]
            if not -n <= value < n:
                raise IndexError("index %d is out of bounds for axis %d with size %d"
                                 % (value, ax, n))
            dims.append(value + n if value < 0 else value)
            if has_arrays:
                adv.append(pos)
        elif kind == "slice":
            dims.append(value)
        elif kind == "array":
            arrays[pos] = value
            dims.append(value)
            adv.append(pos)
        elif kind == "boolaxis":
            arrays[pos] = np.zeros(1 if value else 0, np.intp)
            adv.append(pos)
    if not arrays:
        # Basic indexing with new axes: the plain result, then axes of length 1.
        plan = Plan(dims, [], shape)
        out_axis = 0
        expand = []
        for kind, value, ax in items:
            if kind == "newaxis":
                expand.append(out_axis)
                out_axis += 1
            elif kind == "slice":
                out_axis += 1
        if expand:
            plan.steps.append(("expand", tuple(expand)))
        return plan
    try:
        bshape = np.broadcast_shapes(*(a.shape for a in arrays.values()))
    except ValueError:
        raise IndexError("shape mismatch: indexing arrays could not be broadcast together "
                         "with shapes %s" % " ".join(str(a.shape) for a in arrays.values())) \
            from None
    # numpy checks the bounds of the indices it uses: none when the broadcast is empty.
    for pos, arr in arrays.items():
        if items[pos][0] == "array":
            ax = items[pos][2]
            arr = bound_indices(arr, shape[ax], ax) if 0 not in bshape else \
                np.zeros(arr.shape, np.intp)
            arrays[pos] = dims[ax] = arr
    # Where the broadcast axes go: in place when the advanced indices are
    # side by side, else first.
    together = adv == list(range(adv[0], adv[-1] + 1))
    before = sum(1 for kind, _, _ in items[:adv[0]] if kind in ("slice", "newaxis"))
    target = before if together else 0
    real = [(pos, arr) for pos, arr in arrays.items() if items[pos][0] == "array"]
    plan_dims = [None if isinstance(d, np.ndarray) else d for d in dims]
    k = len(bshape)
    others = [kind for kind, _, _ in items if kind in ("slice", "newaxis")]
    if len(real) == 1 and len(real) == len(arrays) and real[0][1].shape == bshape:
        # One index array: an orthogonal selection of its dimension, whose
        # axis is where the broadcast axes go when they stay in place.
        pos, arr = real[0]
        ax = items[pos][2]
        plan_dims[ax] = arr.reshape(-1)
        plan = Plan(plan_dims, [], shape)
        at_slices = sum(1 for d in plan_dims[:ax] if type(d) is slice)
        at_others = sum(1 for kind, _, _ in items[:pos] if kind in ("slice", "newaxis"))
        plan.steps.append(("reshape", (at_slices, bshape)))
        _place(plan, others, at_others, k, target)
        return plan
    # Several index arrays (or 0-d booleans): points, read together, first.
    size = int(np.prod(bshape))
    points = []
    for pos, arr in real:
        plan_dims[items[pos][2]] = POINT
        points.append(np.broadcast_to(arr, bshape).reshape(-1))
    plan = Plan(plan_dims, points, shape, npoints=size)
    plan.steps.append(("reshape", (0, bshape)))
    _place(plan, others, 0, k, target)
    return plan


def _place(plan, others, at, k, target):
    """The steps that insert the new axes and move the k broadcast axes from
    ``at`` to ``target``, in a layout of the output dims ``others`` (slices
    and new axes, in order) with the broadcast axes among them."""
    expand = tuple(i if i < at else i + k for i, kind in enumerate(others)
                   if kind == "newaxis")
    if expand:
        plan.steps.append(("expand", expand))
    if at != target:
        plan.steps.append(("move", (tuple(range(at, at + k)),
                                    tuple(range(target, target + k)))))


def orthogonal_plan(selection, shape):
    """The plan of an orthogonal selection: per dimension an integer, a
    slice, an integer array or a boolean array, each applied on its own
    (as ``numpy.ix_``).

    Examples
    --------
    >>> orthogonal_plan(([0, 2], [1, 0, 1]), (3, 4)).shape
    (2, 3)
    """
    entries = _expand(selection, shape)
    dims = []
    axis = 0
    for kind, value in entries:
        if kind == "ellipsis":
            continue
        if kind == "newaxis":
            raise IndexError("an orthogonal selection takes no new axes (None)")
        n = shape[axis] if axis < len(shape) else 0
        if kind == "bool":
            if value.ndim != 1:
                raise IndexError("an orthogonal selection takes 1-D boolean arrays, one per "
                                 "dimension, not one of %d dimensions" % value.ndim)
            check_bool(value, shape, axis)
            dims.append(np.flatnonzero(value))
        elif kind == "array":
            if value.ndim != 1:
                raise IndexError("an orthogonal selection takes 1-D integer arrays, not one "
                                 "of shape %s" % (value.shape,))
            dims.append(bound_indices(value, n, axis))
        elif kind == "int":
            if not -n <= value < n:
                raise IndexError("index %d is out of bounds for axis %d with size %d"
                                 % (value, axis, n))
            dims.append(value + n if value < 0 else value)
        else:
            dims.append(value)
        axis += 1
    return Plan(dims, [], shape)


def coordinate_plan(selection, shape):
    """The plan of a point selection: one integer array per dimension, broadcast
    together; the result has their broadcast shape.

    Examples
    --------
    >>> coordinate_plan(([0, 2, 1], [1, 1, 0]), (3, 4)).shape
    (3,)
    """
    if type(selection) is not tuple:
        selection = (selection,)
    if len(selection) != len(shape):
        raise IndexError("a coordinate selection needs one integer array for each of the "
                         "array's %d dimensions, not %d" % (len(shape), len(selection)))
    arrays = []
    for axis, s in enumerate(selection):
        if type(s) is slice or s is Ellipsis or s is None:
            raise IndexError("a coordinate selection takes integer arrays, not %r" % (s,))
        arr = index_array(s) if as_index(s) is None else np.asarray(as_index(s))
        if arr.dtype == bool:
            raise IndexError("a coordinate selection takes integer arrays, not booleans "
                             "(see get_mask_selection)")
        arrays.append(bound_indices(arr, shape[axis], axis))
    try:
        bshape = np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError:
        raise IndexError("shape mismatch: indexing arrays could not be broadcast together "
                         "with shapes %s" % " ".join(str(a.shape) for a in arrays)) from None
    if not shape:
        raise IndexError("a 0-d array has no coordinates to select")
    points = [np.broadcast_to(a, bshape).reshape(-1) for a in arrays]
    plan = Plan([POINT] * len(shape), points, shape)
    plan.steps.append(("reshape", (0, bshape)))
    return plan


def mask_plan(mask, shape):
    """The plan of a selection by a boolean array of the array's shape.

    Examples
    --------
    >>> mask_plan(np.eye(3, dtype=bool), (3, 3)).shape
    (3,)
    """
    mask = np.asarray(mask)
    if mask.dtype != bool:
        raise IndexError("a mask selection takes a boolean array, not one of dtype %s"
                         % mask.dtype)
    if mask.shape != tuple(shape):
        raise IndexError("a mask selection takes a boolean array of the array's shape %s, "
                         "not %s" % (tuple(shape), mask.shape))
    if not shape:
        raise IndexError("a 0-d array takes no mask selection")
    return Plan([POINT] * len(shape), nonzero(mask), shape)


def block_selection(selection, shape, chunks):
    """A block selection (integers and unit-step slices in chunk units) as a
    basic selection of elements.

    Examples
    --------
    >>> block_selection((1, slice(-2, None)), (10, 10), (4, 3))
    (slice(4, 8, None), slice(6, 10, None))
    """
    if type(selection) is not tuple:
        selection = (selection,)
    grid = [-(-n // c) for n, c in zip(shape, chunks)]
    out = []
    n_given = sum(1 for s in selection if s is not Ellipsis)
    if len(selection) - n_given > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    if n_given > len(shape):
        raise IndexError("too many indices for a block selection: the array has %d "
                         "dimensions" % len(shape))
    for s in selection:
        if s is Ellipsis:
            out.extend([slice(None)] * (len(shape) - n_given))
            continue
        axis = len(out)
        g = grid[axis]
        i = as_index(s)
        if i is not None:
            if not -g <= i < g:
                raise IndexError("block index %d is out of bounds for axis %d with %d blocks"
                                 % (i, axis, g))
            out.append(i + g if i < 0 else i)
        elif type(s) is slice:
            start, stop, step = s.indices(g)
            if step != 1:
                raise IndexError("a block selection takes slices of step 1, not %r" % (s,))
            out.append(slice(start, max(start, stop)))
        else:
            raise IndexError("a block selection takes integers and slices, not %r" % (s,))
    out.extend([slice(None)] * (len(shape) - len(out)))
    result = []
    for s, n, c, g in zip(out, shape, chunks, grid):
        if type(s) is slice:
            start, stop, _ = s.indices(g)
            result.append(slice(start * c, min(stop * c, n)))
        else:
            result.append(slice(s * c, min((s + 1) * c, n)))
    return tuple(result)
