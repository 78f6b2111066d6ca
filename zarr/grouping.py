"""Which chunks a selection's plan (:mod:`zarr.advanced`) touches, and which
part of the result each holds.

Indices are sorted by chunk once per dimension (or once per point group)
with numpy, so that the work done in Python is per chunk, not per element.
"""

import itertools

import numpy as np

from zarr.advanced import POINT
from zarr.indexing import dim_projections


def _runs(ids):
    """The runs of equal chunk ids: (the stable order that sorts ids, or None
    when they are sorted already; the sorted ids; each run's start and stop)."""
    if len(ids) > 1 and (ids[1:] < ids[:-1]).any():
        order = np.argsort(ids, kind="stable")
        ids = ids[order]
    else:
        order = None
    cuts = np.flatnonzero(ids[1:] != ids[:-1]) + 1
    return (order, ids, np.concatenate(([0], cuts)).tolist(),
            np.concatenate((cuts, [len(ids)])).tolist())


def dim_groups(idx, c):
    """The chunks an index array touches along one dimension of chunk length c.

    Returns
    -------
    list of (int, ndarray or slice, ndarray or slice)
        Per chunk touched: its index, the indices within it, and where they
        go in the result (positions in ``idx``); slices where they are runs.

    Examples
    --------
    >>> dim_groups(np.array([7, 1, 2, 8]), 5)
    [(0, slice(1, 3, None), array([1, 2])), (1, slice(2, 4, None), array([0, 3]))]
    """
    if len(idx) == 0:
        return []
    order, sck, starts, stops = _runs(idx // c)
    ks = sck[starts].tolist()
    groups = []
    for k, a, b in zip(ks, starts, stops):
        if order is None:
            pos = slice(a, b)
            local = idx[a:b] - k * c
        else:
            pos = order[a:b]
            local = idx[pos] - k * c
        groups.append((k, as_run(local), pos))
    return groups


def as_run(local):
    """local (1-D integers) as a slice when it is a run of step 1, else itself."""
    n = len(local)
    first = int(local[0])
    if int(local[-1]) - first == n - 1 and (n < 3 or (np.diff(local) == 1).all()):
        return slice(first, first + n)
    return local


def point_groups(points, chunks):
    """The chunks a point group touches.

    Parameters
    ----------
    points : list of ndarray
        One index array per dimension of the group, all of one length.
    chunks : list of int
        The chunk length of each of those dimensions.

    Returns
    -------
    list of (tuple, list of ndarray, ndarray or slice)
        Per chunk touched: its index in the group's dimensions, the points'
        indices within it (one array per dimension) and their positions in
        the result.
    """
    n = len(points[0])
    if n == 0:
        return []
    cks = [p // c for p, c in zip(points, chunks)]
    grid = [int(k.max()) + 1 for k in cks]
    order, sids, starts, stops = _runs(np.ravel_multi_index(cks, grid) if len(cks) > 1
                                       else cks[0])
    keys = np.array(np.unravel_index(sids[starts], grid)).T.tolist() if len(cks) > 1 else \
        [[k] for k in sids[starts].tolist()]
    groups = []
    for key, a, b in zip(keys, starts, stops):
        pos = slice(a, b) if order is None else order[a:b]
        local = [p[pos] - k * c for p, k, c in zip(points, key, chunks)]
        groups.append((tuple(key), local, pos))
    return groups


def chunk_parts(plan, chunks):
    """Every chunk a plan touches, with its part of the canonical result.

    Yields
    ------
    (key, within, where)
        The chunk's grid index; per dimension its part in the chunk (an
        int, a slice, a 1-D array for an orthogonal dimension, or for the
        point dimensions the points' 1-D index arrays); and per canonical
        axis the part of the result (slices or 1-D position arrays).
    """
    shape = plan.array_shape
    per_dim = []
    for axis, (d, n, c) in enumerate(zip(plan.dims, shape, chunks)):
        if d is POINT:
            continue
        if isinstance(d, np.ndarray):
            per_dim.append((axis, dim_groups(d, c)))
        else:
            per_dim.append((axis, [(k, within, out) for k, within, out, _ in
                                   dim_projections(d, n, c)]))
    point_axes = [axis for axis, d in enumerate(plan.dims) if d is POINT]
    if plan.points:
        pgroups = point_groups(plan.points, [chunks[a] for a in point_axes])
    elif plan.npoints == 0:
        return
    elif plan.npoints == 1:
        pgroups = [((), [], slice(0, 1))]  # 0-d booleans only: one point of no dimension
    else:
        pgroups = [((), [], None)]
    ndim = len(shape)
    for pkey, plocal, ppos in pgroups:
        for combo in itertools.product(*(groups for _, groups in per_dim)):
            key = [0] * ndim
            within = [None] * ndim
            where = [] if ppos is None else [ppos]
            for a, k, local in zip(point_axes, pkey, plocal):
                key[a] = k
                within[a] = local
            for (axis, _), (k, w, out) in zip(per_dim, combo):
                key[axis] = k
                within[axis] = w
                if out is not None:
                    where.append(out)
            yield tuple(key), within, where
