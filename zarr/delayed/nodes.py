"""The operations a delayed array is made of, each a node that reads the
block of its values at given positions from the nodes under it.

Every node has ``shape``, ``dtype``, ``chunks`` (the block shape its
values are best computed in: the seed's chunks, carried through) and
``read(index)``: ``index`` holds one entry a dimension, a
:class:`zarr.delayed.indices.Run` or an int64 array of positions, and the
result is the ndarray of the values there, of shape ``(len(entry), ...)``.
Nothing is read until a read reaches the seed.

Examples
--------
>>> import numpy as np
>>> from zarr.delayed.indices import Run
>>> node = Elementwise(np.add, [Seed(np.arange(6).reshape(2, 3)), 10])
>>> node.shape, node.read((Run(1, 1, 1), np.array([2, 0]))).tolist()
((2, 3), [[15, 13]])
"""

import itertools
import numbers

import numpy as np

from zarr.delayed.indices import Run, full, take

#: The keyword arguments an element-wise ufunc call may carry into a delayed one.
UFUNC_KWARGS = {"dtype", "casting", "order", "subok", "signature"}


class Node:
    shape = ()
    dtype = np.dtype(float)
    chunks = ()

    @property
    def ndim(self):
        return len(self.shape)


def _chunks_of(seed, shape):
    chunks = getattr(seed, "chunks", None)
    if (isinstance(chunks, tuple) and len(chunks) == len(shape)
            and all(isinstance(c, (numbers.Integral, np.integer)) and c > 0 for c in chunks)):
        return tuple(int(c) for c in chunks)
    return tuple(max(n, 1) for n in shape)  # one block: np.ndarray, or a file without chunks


class Seed(Node):
    """The values of an array-like: anything with ``shape``, ``dtype`` and
    numpy-style slicing (this package's arrays, ``h5py.Dataset``, numpy)."""

    def __init__(self, seed):
        for attribute in ("shape", "dtype", "__getitem__"):
            if not hasattr(seed, attribute):
                raise TypeError("a delayed array's seed needs shape, dtype and slicing; %s "
                                "has no %s" % (type(seed).__name__, attribute))
        self.seed = seed
        self.shape = tuple(int(n) for n in seed.shape)
        self.dtype = np.dtype(seed.dtype)
        self.chunks = _chunks_of(seed, self.shape)

    def read(self, index):
        parts, flips = [], []
        for axis, p in enumerate(index):
            if isinstance(p, Run):
                if p.step < 0 and p.count:  # read forwards, then turn round
                    p = Run(p.start + p.step * (p.count - 1), -p.step, p.count)
                    flips.append(axis)
                parts.append(p.as_slice() if p.count else slice(0, 0))
            else:
                parts.append(p)
        if all(isinstance(p, slice) for p in parts):
            data = self.seed[tuple(parts)]
        elif isinstance(self.seed, np.ndarray):
            data = self.seed[np.ix_(*[np.arange(p.start, p.stop, p.step)
                                      if isinstance(p, slice) else p for p in parts])]
        elif hasattr(self.seed, "oindex"):
            data = self.seed.oindex[tuple(parts)]
        else:
            data = self._read_covering(parts)
        data = _dense(data)
        if flips:
            data = np.flip(data, tuple(flips))
        return data

    def _read_covering(self, parts):
        """Arrays of positions read by a seed that takes slices and one list
        (h5py takes one list, increasing): the dimension where a list saves
        the most is read as the sorted positions, the others as slices that
        cover them, and the positions are then taken here. Positions far
        apart are covered by several slices, each read on its own, so that
        what is read stays within a few times what is kept."""
        spans = [(int(p.max()) - int(p.min()) + 1 - len(np.unique(p)), axis)
                 for axis, p in enumerate(parts) if not isinstance(p, slice) and len(p)]
        listed = max(spans)[1] if spans else None
        out = None
        pieces = [_covers(p) if not isinstance(p, slice) and len(p) and axis != listed else [None]
                  for axis, p in enumerate(parts)]
        for covers in itertools.product(*pieces):
            selection, picks, where = [], [], []
            for axis, (p, cover) in enumerate(zip(parts, covers)):
                if isinstance(p, slice):
                    selection.append(p)
                    picks.append(None)
                    where.append(slice(None))
                elif len(p) == 0:
                    selection.append(slice(0, 0))
                    picks.append(None)
                    where.append(slice(None))
                elif axis == listed:
                    unique, inverse = np.unique(p, return_inverse=True)
                    selection.append(unique.tolist())
                    picks.append(inverse.ravel())
                    where.append(slice(None))
                else:
                    lo, hi = cover
                    mine = np.flatnonzero((p >= lo) & (p < hi))
                    selection.append(slice(lo, hi))
                    picks.append(p[mine] - lo)
                    where.append(mine)
            data = _dense(self.seed[tuple(selection)])
            for axis, pick in enumerate(picks):
                if pick is not None:
                    data = np.take(data, pick, axis=axis)
            if len(pieces) and all(len(c) == 1 for c in pieces):
                return data
            if out is None:
                out = np.empty(tuple(len(range(*p.indices(n))) if isinstance(p, slice) else len(p)
                                     for p, n in zip(parts, self.shape)), data.dtype)
            out[np.ix_(*[np.arange(out.shape[a]) if isinstance(w, slice) else w
                         for a, w in enumerate(where)])] = data
        return out


def _covers(positions, slack=64):
    """The (start, stop) of the slices that cover ``positions``: each at most
    twice as long as the distinct positions it holds, and ``slack`` more."""
    unique = np.unique(positions)
    covers, lo, count = [], int(unique[0]), 0
    for i, u in enumerate(unique.tolist()):
        if u - lo + 1 > 2 * (count + 1) + slack:
            covers.append((lo, int(unique[i - 1]) + 1))
            lo, count = u, 0
        count += 1
    covers.append((lo, int(unique[-1]) + 1))
    return covers


def _dense(data):
    """What a seed's subset gave, as an ndarray (a sparse seed's, made dense)."""
    if not isinstance(data, np.ndarray) and hasattr(data, "toarray"):
        return data.toarray()
    return np.asarray(data)


def _shape_of(operand):
    return operand.shape if isinstance(operand, (Node, np.ndarray)) else ()


def _sample(operand):
    """A stand-in of no elements with ``operand``'s type, to find a result's dtype."""
    if isinstance(operand, (Node, np.ndarray)) and operand.ndim:
        return np.empty((0,), operand.dtype)
    if isinstance(operand, Node):
        return np.empty((), operand.dtype)
    return operand  # a scalar, as numpy weighs it


class Elementwise(Node):
    """``func(*operands, **kwargs)`` element by element, with numpy's
    broadcasting; ``func`` is a ufunc (its output ``output`` of several) or
    any function that works element by element on broadcast arrays."""

    def __init__(self, func, operands, kwargs=None, output=None, name=None):
        self.func, self.operands, self.output = func, list(operands), output
        self.kwargs = dict(kwargs or {})
        self.name = name or getattr(func, "__name__", repr(func))
        shapes = [_shape_of(op) for op in self.operands]
        try:
            self.shape = tuple(np.broadcast_shapes(*shapes))
        except ValueError:
            raise ValueError("operands could not be broadcast together in %s: shapes %s"
                             % (self.name, " and ".join(str(tuple(s)) for s in shapes))) from None
        with np.errstate(all="ignore"):
            sample = func(*[_sample(op) for op in self.operands], **self.kwargs)
        if output is not None:
            sample = sample[output]
        self.dtype = np.asarray(sample).dtype
        self.chunks = self._chunks()

    def _chunks(self):
        chunks = list(self.shape)
        for op in self.operands:  # the first operand along a dimension gives its blocks
            if isinstance(op, Node):
                offset = len(self.shape) - op.ndim
                for d, (n, c) in enumerate(zip(op.shape, op.chunks)):
                    if n == self.shape[offset + d] and chunks[offset + d] == self.shape[offset + d]:
                        chunks[offset + d] = c
        return tuple(max(c, 1) for c in chunks)

    def read(self, index):
        args = []
        for op in self.operands:
            shape = _shape_of(op)
            if not shape:
                args.append(op.read(()) if isinstance(op, Node) else op)
                continue
            offset = len(self.shape) - len(shape)
            sub = tuple(Run(0, 1, 1) if n == 1 and self.shape[offset + d] != 1
                        else index[offset + d] for d, n in enumerate(shape))
            args.append(op.read(sub) if isinstance(op, Node) else read_constant(op, sub))
        result = self.func(*args, **self.kwargs)
        if self.output is not None:
            result = result[self.output]
        result = np.asarray(result)
        want = tuple(len(p) for p in index)
        if result.shape != want:  # every operand of size 1 along some dimension
            result = np.broadcast_to(result, want)
        return result


def read_constant(array, index):
    """The values of a numpy array at ``index`` (one entry a dimension)."""
    if all(isinstance(p, Run) and p.step > 0 for p in index):
        return array[tuple(p.as_slice() for p in index)]
    return array[np.ix_(*[p.positions() if isinstance(p, Run) else p for p in index])]


class Subset(Node):
    """The values of ``node`` at ``selection`` (one entry a dimension: an int,
    which drops the dimension, or a Run or an int64 array of positions)."""

    def __init__(self, node, selection):
        self.node = node
        self.kept = [Run(s, 1, 1) if isinstance(s, int) else take(full(n), s)
                     for s, n in zip(selection, node.shape)]
        self.keeps = [not isinstance(s, int) for s in selection]
        self.shape = tuple(len(k) for k, keep in zip(self.kept, self.keeps) if keep)
        self.dtype = node.dtype
        self.chunks = tuple(min(max(c, 1), max(len(k), 1)) for k, c, keep in
                            zip(self.kept, node.chunks, self.keeps) if keep)

    def read(self, index):
        positions = iter(index)
        parent = tuple(take(k, next(positions)) if keep else k
                       for k, keep in zip(self.kept, self.keeps))
        data = self.node.read(parent)
        return data.reshape(tuple(len(p) for p in index))


class Transpose(Node):
    """The values of ``node`` with its dimensions in the order ``axes``."""

    def __init__(self, node, axes):
        self.node, self.axes = node, tuple(axes)
        self.shape = tuple(node.shape[a] for a in self.axes)
        self.chunks = tuple(node.chunks[a] for a in self.axes)
        self.dtype = node.dtype

    def read(self, index):
        parent = [None] * len(self.axes)
        for p, a in zip(index, self.axes):
            parent[a] = p
        return np.transpose(self.node.read(tuple(parent)), self.axes)


class Concatenate(Node):
    """The values of ``nodes`` one after another along ``axis``."""

    def __init__(self, nodes, axis):
        first = nodes[0]
        for node in nodes[1:]:
            if node.ndim != first.ndim or any(
                    a != b for d, (a, b) in enumerate(zip(node.shape, first.shape)) if d != axis):
                raise ValueError("all the input array dimensions except for the concatenation "
                                 "axis must match exactly: shapes %s and %s"
                                 % (first.shape, node.shape))
        self.nodes, self.axis = list(nodes), axis
        self.starts = np.cumsum([0] + [n.shape[axis] for n in nodes])
        shape = list(first.shape)
        shape[axis] = int(self.starts[-1])
        self.shape = tuple(shape)
        self.dtype = np.result_type(*[n.dtype for n in nodes])
        self.chunks = first.chunks

    def read(self, index):
        p = index[self.axis]
        positions = p.positions() if isinstance(p, Run) else p
        which = np.searchsorted(self.starts, positions, side="right") - 1
        out = np.empty(tuple(len(q) for q in index), self.dtype)
        for i, node in enumerate(self.nodes):
            mine = np.flatnonzero(which == i)
            if not len(mine):
                continue
            sub = list(index)
            sub[self.axis] = positions[mine] - self.starts[i]
            where = [slice(None)] * len(index)
            where[self.axis] = mine
            out[tuple(where)] = node.read(tuple(sub))
        return out


class Cast(Node):
    """The values of ``node`` as ``dtype``, cast as ``ndarray.astype`` casts."""

    def __init__(self, node, dtype, casting="unsafe"):
        dtype = np.dtype(dtype)
        if not np.can_cast(node.dtype, dtype, casting):
            raise TypeError("cannot cast %s to %s under the rule %r" % (node.dtype, dtype, casting))
        self.node, self.dtype, self.casting = node, dtype, casting
        self.shape, self.chunks = node.shape, node.chunks

    def read(self, index):
        return self.node.read(index).astype(self.dtype, casting=self.casting)
