"""The selections of an array beyond integers and slices: numpy's advanced
indexing, orthogonal, point, mask and block selections.

:class:`Selections` is a part of :class:`zarr.Array`: it turns each kind of
selection into a :class:`zarr.advanced.Plan`, then reads or writes the
chunks the plan touches, each once, on the array's threads. Within a chunk
only the box spanned by its selected elements is read (so only the blosc
blocks of that box are decompressed).
"""

import math
import threading
from functools import partial

import numpy as np

from zarr.advanced import (POINT, block_selection, coordinate_plan, mask_plan, numpy_plan,
                           orthogonal_plan)
from zarr.grouping import chunk_parts
from zarr.parallel import run_tasks
from zarr.util import check_out


class Selections:
    """The selection methods of an array (see :class:`zarr.Array`)."""

    # The ways in.

    @property
    def oindex(self):
        """Orthogonal selection: ``z.oindex[rows, cols]`` applies each index to
        its own dimension, as ``numpy.ix_`` does.

        Examples
        --------
        >>> import zarr
        >>> z = zarr.array(np.arange(20).reshape(4, 5), chunks=2)
        >>> z.oindex[[0, 3], [4, 0]].tolist()
        [[4, 0], [19, 15]]
        """
        return _Accessor(self, self.get_orthogonal_selection, self.set_orthogonal_selection)

    @property
    def vindex(self):
        """Point selection: ``z.vindex[i, j]`` picks the elements at (i[k], j[k]);
        a boolean array of the array's shape picks where it is True.

        Examples
        --------
        >>> import zarr
        >>> z = zarr.array(np.arange(20).reshape(4, 5), chunks=2)
        >>> z.vindex[[0, 3], [4, 0]].tolist()
        [4, 15]
        """
        return _Accessor(self, self._get_points, self._set_points)

    @property
    def blocks(self):
        """Block selection: ``z.blocks[i, j]`` is the chunk at grid index (i, j)
        (edge chunks cut to the shape); slices of step 1 select runs of chunks.

        Examples
        --------
        >>> import zarr
        >>> z = zarr.array(np.arange(10), chunks=4)
        >>> z.blocks[-1].tolist()
        [8, 9]
        """
        return _Accessor(self, self.get_block_selection, self.set_block_selection)

    def _get_points(self, selection):
        if _is_mask(selection, self.ndim):
            return self.get_mask_selection(selection)
        return self.get_coordinate_selection(selection)

    def _set_points(self, selection, value):
        if _is_mask(selection, self.ndim):
            return self.set_mask_selection(selection, value)
        return self.set_coordinate_selection(selection, value)

    def get_orthogonal_selection(self, selection, out=None, threads=None):
        """Read an orthogonal selection: per dimension an integer, a slice, an
        integer array or a boolean array, each applied to its dimension alone.

        Examples
        --------
        >>> import zarr
        >>> z = zarr.array(np.arange(12).reshape(3, 4), chunks=2)
        >>> z.get_orthogonal_selection(([2, 0], [True, False, False, True])).tolist()
        [[8, 11], [0, 3]]
        """
        return self._read_plan(orthogonal_plan, selection, out, threads)

    def set_orthogonal_selection(self, selection, value, threads=None):
        """Write an orthogonal selection (see :meth:`get_orthogonal_selection`).

        Examples
        --------
        >>> import zarr
        >>> z = zarr.zeros((3, 4), dtype="i4", chunks=2)
        >>> z.set_orthogonal_selection(([0, 2], [1, 3]), 7)
        >>> int(z[...].sum())
        28
        """
        self._write_plan(orthogonal_plan, selection, value, threads)

    def get_coordinate_selection(self, selection, out=None, threads=None):
        """Read the points at the coordinates given: one integer array per
        dimension, broadcast together; the result has their shape.

        Examples
        --------
        >>> import zarr
        >>> z = zarr.array(np.arange(12).reshape(3, 4), chunks=2)
        >>> z.get_coordinate_selection(([2, 0, 2], [3, 1, 3])).tolist()
        [11, 1, 11]
        """
        return self._read_plan(coordinate_plan, selection, out, threads)

    def set_coordinate_selection(self, selection, value, threads=None):
        """Write the points at the coordinates given (see
        :meth:`get_coordinate_selection`); a point given twice keeps the
        last value, as in numpy.

        Examples
        --------
        >>> import zarr
        >>> z = zarr.zeros((3, 4), dtype="i4", chunks=2)
        >>> z.set_coordinate_selection(([0, 2], [1, 3]), [5, 6])
        >>> int(z[0, 1]), int(z[2, 3])
        (5, 6)
        """
        self._write_plan(coordinate_plan, selection, value, threads)

    def get_mask_selection(self, mask, out=None, threads=None):
        """Read the elements where ``mask``, a boolean array of the array's
        shape, is True, in C order (as ``a[mask]``).

        Examples
        --------
        >>> import zarr
        >>> z = zarr.array(np.arange(6).reshape(2, 3), chunks=2)
        >>> z.get_mask_selection(z[...] % 2 == 1).tolist()
        [1, 3, 5]
        """
        return self._read_plan(mask_plan, mask, out, threads)

    def set_mask_selection(self, mask, value, threads=None):
        """Write the elements where ``mask`` is True (see :meth:`get_mask_selection`).

        Examples
        --------
        >>> import zarr
        >>> z = zarr.zeros((2, 3), dtype="i4", chunks=2)
        >>> z.set_mask_selection(np.eye(2, 3, dtype=bool), 1)
        >>> z[...].tolist()
        [[1, 0, 0], [0, 1, 0]]
        """
        self._write_plan(mask_plan, mask, value, threads)

    def get_block_selection(self, selection, out=None, threads=None):
        """Read whole chunks by their grid index: integers and slices of step 1
        in chunk units, negative ones counted from the end.

        Examples
        --------
        >>> import zarr
        >>> z = zarr.array(np.arange(12).reshape(3, 4), chunks=2)
        >>> z.get_block_selection((1, slice(0, 1))).tolist()
        [[8, 9]]
        """
        self._metadata_current()  # the grid of the stored shape
        sel = block_selection(selection, self._shape, self._chunks)
        return self.get_basic_selection(sel, out=out, threads=threads)

    def set_block_selection(self, selection, value, threads=None):
        """Write whole chunks by their grid index (see :meth:`get_block_selection`).

        Examples
        --------
        >>> import zarr
        >>> z = zarr.zeros((3, 4), dtype="i4", chunks=2)
        >>> z.set_block_selection((0, 1), 1)
        >>> int(z[...].sum())
        4
        """
        self._metadata_current()
        sel = block_selection(selection, self._shape, self._chunks)
        self.set_basic_selection(sel, value, threads=threads)

    # numpy's indexing with arrays, None and booleans (from __getitem__).

    def _get_numpy(self, selection):
        return self._read_plan(numpy_plan, selection, None, None)

    def _set_numpy(self, selection, value):
        self._write_plan(numpy_plan, selection, value, None)

    # Reading and writing a plan, against the stored shape: another handle
    # may have resized the array, or removed it (see Array._metadata_current).

    def _read_plan(self, make_plan, selection, out, threads, check=True):
        try:
            plan = make_plan(selection, self._shape)
        except IndexError:
            if not check or self._metadata_current():
                raise
            return self._read_plan(make_plan, selection, out, threads, False)
        if out is None and plan.npoints is None and \
                not any(isinstance(d, np.ndarray) for d in plan.dims):
            # Integers and slices (and new axes): the basic read, then its new axes.
            res = self._get(tuple(plan.dims), None, threads, check)
            return _scalar_if_0d(plan.arrange(_element_array(res, self._dtype)))
        result, firsts = self._read_canonical(plan, out, threads)
        # A part that reads the fill value may be a chunk that is gone.
        if check and any(self._is_fill(result[f]) for f in firsts) and \
                not self._metadata_current():
            return self._read_plan(make_plan, selection, out, threads, False)
        arranged = plan.arrange(result)
        if out is None:
            return _scalar_if_0d(arranged)
        out[...] = arranged
        return out

    def _read_canonical(self, plan, out, threads):
        """The plan's result in the canonical layout, and the index of the first
        element of each chunk's part of it."""
        shape = plan.shape
        if out is not None:
            check_out(out, shape, self._dtype)
        result = np.empty(plan.canonical_shape(), self._dtype)
        tasks = []
        firsts = []
        lead = plan.npoints == 1 and not plan.points
        itemsize = self._dtype.itemsize
        for key, within, where in chunk_parts(plan, self._chunks):
            chunk = self._existing_chunk(key)
            box, inner = _box(plan, within, self._chunks)
            index = _result_index(where)
            firsts.append(tuple(w.start or 0 if isinstance(w, slice) else int(w[0])
                                for w in where))
            if inner and hasattr(chunk, "read_items") and \
                    _sparse_in_box(box, where, self._chunks, itemsize):
                flat = _flat_positions(plan, within, self._chunks)
                tasks.append(partial(_read_items, chunk, flat, result, index, lead))
            else:
                tasks.append(partial(_read_part, chunk, box, inner, result, index, lead))
        with self._store.read_batch():
            run_tasks(tasks, self._threads_for(threads))
        return result, firsts

    def _write_plan(self, make_plan, selection, value, threads):
        self._metadata_current()
        plan = make_plan(selection, self._shape)
        value = self._prepare_value(value, plan.shape)
        self._check_writable()
        canonical = plan.unarrange(value)
        tasks = []
        for key, within, where in chunk_parts(plan, self._chunks):
            part = canonical[_result_index(where)]
            if plan.npoints == 1 and not plan.points:
                part = part[0]  # the length-1 axis of 0-d booleans has no place in the chunk
            tasks.append(partial(self._chunk(key).write,
                                 _chunk_index(plan, within, self._chunks), part))
        run_tasks(tasks, self._threads_for(threads))


def _scalar_if_0d(result):
    """One element as a scalar, as numpy's indexing gives it."""
    return result[()] if result.ndim == 0 else result


class _Accessor:
    """``z.oindex``, ``z.vindex``, ``z.blocks``: a selection by ``[...]``."""

    __slots__ = ("array", "get", "set")

    def __init__(self, array, get, set):
        self.array, self.get, self.set = array, get, set

    def __getitem__(self, selection):
        return self.get(selection)

    def __setitem__(self, selection, value):
        self.set(selection, value)


def _is_mask(selection, ndim):
    """Whether a point selection is one boolean array (numpy's, ours, a list)."""
    if type(selection) is tuple and len(selection) == 1:
        selection = selection[0]
    if isinstance(selection, list):
        selection = np.asarray(selection)
    return getattr(selection, "dtype", None) == bool and hasattr(selection, "__array__") and \
        np.ndim(selection) == ndim


def _fancy_axes(plan, within):
    """Per dimension of the chunk: (kind, index) where kind is 'int', 'slice',
    'array' (an orthogonal index array) or 'point'."""
    out = []
    for d, w in zip(plan.dims, within):
        if d is POINT:
            out.append(("point", w))
        elif type(w) is slice:
            out.append(("slice", w))
        elif isinstance(w, np.ndarray):
            out.append(("array", w))
        else:
            out.append(("int", w))
    return out


def _box(plan, within, chunks):
    """The basic selection of the box of a chunk that holds a part (slices
    spanning index arrays), and the index within that box giving the part in
    the canonical layout. A box of over a quarter of the chunk (and no
    integer) is the whole chunk, which decompresses straight into a buffer."""
    axes = _fancy_axes(plan, within)
    spans = []
    for (kind, w), c in zip(axes, chunks):
        if kind in ("point", "array"):
            spans.append((int(w.min()), int(w.max()) + 1))
        elif kind == "slice":
            spans.append(None)
    whole = len(spans) == len(chunks) and \
        math.prod(c if sp is None else sp[1] - sp[0] for sp, c in zip(spans, chunks)) * 4 >= \
        math.prod(chunks)
    box = []
    rel = []
    for (kind, w), c in zip(axes, chunks):
        if kind in ("point", "array"):
            lo = 0 if whole else int(w.min())
            box.append(slice(None) if whole else slice(lo, int(w.max()) + 1))
            rel.append((kind, w - lo if lo else w))
        elif kind == "slice":
            if whole:
                box.append(slice(None))
                rel.append(("slice", w))
            else:
                box.append(w)
                rel.append(("slice", slice(0, len(range(*w.indices(c))))))
        else:
            box.append(w)
            rel.append(("int", w))
    return tuple(box), _ix(rel, chunks)


def _chunk_index(plan, within, chunks):
    """The index within the chunk that selects a part in the canonical layout."""
    axes = _fancy_axes(plan, within)
    if all(kind in ("int", "slice") for kind, _ in axes):
        return tuple(w for _, w in axes)
    return _ix(axes, chunks, keep_ints=True)


#: A part is read item by item (only the blosc blocks its items lie in)
#: when its box is this many bytes or more and holds SPARSE_RATIO times its
#: items; denser parts touch most blocks, and the box is read whole.
SPARSE_BOX_BYTES = 1 << 18
SPARSE_RATIO = 64


def _sparse_in_box(box, where, chunks, itemsize):
    size = 1
    for s, c in zip(box, chunks):
        if type(s) is slice:
            size *= len(range(*s.indices(c)))
    if size * itemsize < SPARSE_BOX_BYTES:
        return False
    count = 1
    for w in where:
        count *= len(w) if not isinstance(w, slice) else w.stop - (w.start or 0)
    return count * SPARSE_RATIO <= size


def _flat_positions(plan, within, chunks):
    """The flat (C order) positions in the chunk of a part's elements, in the
    part's canonical shape."""
    index = _ix(_fancy_axes(plan, within), chunks, keep_ints=True, always=True)
    flat = 0
    stride = 1
    for w, c in zip(reversed(index), reversed(chunks)):
        flat = flat + np.asarray(w) * stride
        stride *= c
    return np.asarray(flat, np.intp)


def _ix(axes, chunks, keep_ints=False, always=False):
    """An index whose result is laid out canonically: the points' axis first,
    then one axis per slice or orthogonal array, in order (each entry an
    array, with ``always``)."""
    if not always and not any(kind in ("point", "array") for kind, _ in axes):
        return tuple(w for kind, w in axes if keep_ints or kind != "int")
    if not keep_ints:
        kept = [i for i, (kind, _) in enumerate(axes) if kind != "int"]
        axes, chunks = [axes[i] for i in kept], [chunks[i] for i in kept]
    arrays = [kind for kind, _ in axes if kind == "array"]
    points = any(kind == "point" for kind, _ in axes)
    if not always and len(arrays) == 1 and not points and \
            not any(kind == "int" for kind, _ in axes):
        return tuple(w for _, w in axes)  # one array among slices stays in place
    m = (1 if points else 0) + sum(1 for kind, _ in axes if kind in ("slice", "array"))
    index = []
    j = 1 if points else 0
    for (kind, w), c in zip(axes, chunks):
        if kind == "point":
            index.append(w.reshape((-1,) + (1,) * (m - 1)))
        elif kind == "int":
            index.append(w)
        else:
            if kind == "slice":
                w = np.arange(*w.indices(c))
            shape = [1] * m
            shape[j] = len(w)
            index.append(w.reshape(shape))
            j += 1
    return tuple(index)


def _result_index(where):
    """The index of a part in the canonical result (slices and position arrays)."""
    arrays = [w for w in where if not isinstance(w, slice)]
    if len(arrays) <= 1:
        return tuple(where)
    m = len(where)
    index = []
    for j, w in enumerate(where):
        if isinstance(w, slice):
            w = np.arange(w.start or 0, w.stop)
        shape = [1] * m
        shape[j] = len(w)
        index.append(w.reshape(shape))
    return tuple(index)


def _read_items(chunk, flat, result, where, lead):
    flat1 = flat.reshape(-1)
    if len(flat1) < 2 or (flat1[1:] > flat1[:-1]).all():
        part = chunk.read_items(flat1).reshape(flat.shape)
    else:
        wanted, inverse = np.unique(flat1, return_inverse=True)
        part = chunk.read_items(wanted)[inverse].reshape(flat.shape)
    result[where] = part[None] if lead else part


def _read_part(chunk, box, inner, result, where, lead):
    if inner and not result.dtype.hasobject:
        # The box is only gathered from: decompress it into this thread's
        # scratch buffer rather than a new array (page faults and all).
        shape = tuple(len(range(*s.indices(c))) for s, c in zip(box, chunk.shape)
                      if type(s) is slice)
        part = chunk.read(box, out=_scratch(shape, result.dtype))[inner]
    else:
        part = chunk.read(box)
        if inner:
            part = part[inner]
    if lead:
        part = _element_array(part, result.dtype)[None]
    result[where] = part


def _element_array(value, dtype):
    """value as an array of dtype: itself if it is one, else a 0-d array
    holding it (a list held as one object, a str not cut to its length)."""
    if isinstance(value, np.ndarray):
        return value
    res = np.empty((), dtype)
    res[()] = value
    return res


_local = threading.local()


def _scratch(shape, dtype):
    """An array of shape and dtype over this thread's scratch buffer (kept
    between calls, grown as needed)."""
    nbytes = math.prod(shape) * dtype.itemsize
    buf = getattr(_local, "buffer", None)
    if buf is None or len(buf) < nbytes:
        buf = _local.buffer = np.empty(max(nbytes, 1), np.uint8)
    return buf[:nbytes].view(dtype).reshape(shape)
