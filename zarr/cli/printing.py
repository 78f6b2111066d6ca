"""``zarr cat``: a selection parsed from text (never evaluated), and values
printed as numpy prints them, reading only what is printed."""

import ast
import math
import sys

import numpy as np

from zarr.cli.locations import UsageError

#: The longest selection text parsed.
MAX_SELECTION = 10000


def _integer(node, text):
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _integer(node.operand, text)
        return -value if isinstance(node.op, ast.USub) else value
    raise UsageError("bad selection %r: %s is not an integer" % (text, ast.unparse(node)))


def _item(node, text):
    if isinstance(node, ast.Slice):
        parts = [None if n is None else _integer(n, text)
                 for n in (node.lower, node.upper, node.step)]
        if parts[2] == 0:
            raise UsageError("bad selection %r: a slice step cannot be zero" % text)
        return slice(*parts)
    if isinstance(node, ast.Constant) and node.value is Ellipsis:
        return Ellipsis
    if isinstance(node, ast.List):
        return [_integer(n, text) for n in node.elts]
    return _integer(node, text)


def parse_selection(text):
    """The selection that ``text`` writes (``'[0:5, ::10]'``, ``'3, ...'``,
    ``'[[1, 4], :]'``) as a tuple of ints, slices, lists of ints and Ellipsis.

    Examples
    --------
    >>> parse_selection("[0:5, ::10]")
    (slice(0, 5, None), slice(None, None, 10))
    >>> parse_selection("-1, ..., [2, 3]")
    (-1, Ellipsis, [2, 3])
    """
    text = text.strip()
    if len(text) > MAX_SELECTION:
        raise UsageError("a selection of more than %d characters" % MAX_SELECTION)
    if not text:
        return ()
    body = text[1:-1] if text.startswith("[") and text.endswith("]") and \
        _balanced(text[1:-1]) else text
    if not body.strip():
        return ()
    try:
        tree = ast.parse("_[%s]" % body, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise UsageError("bad selection %r: write it as numpy does, e.g. '[0:5, ::10]'"
                         % text) from None
    node = tree.body
    if not isinstance(node, ast.Subscript):
        raise UsageError("bad selection %r" % text)
    sl = node.slice
    items = sl.elts if isinstance(sl, ast.Tuple) else [sl]
    return tuple(_item(n, text) for n in items)


def _balanced(text):
    depth = 0
    for c in text:
        depth += {"[": 1, "]": -1}.get(c, 0)
        if depth < 0:
            return False
    return depth == 0


def axis_indices(selection, shape):
    """Per axis of ``shape``: an int (an axis dropped) or a list or range of
    indices; IndexError for an index out of bounds."""
    if sum(item is Ellipsis for item in selection) > 1:
        raise UsageError("a selection holds at most one '...'")
    items = list(selection)
    if Ellipsis in items:
        at = items.index(Ellipsis)
        items[at:at + 1] = [slice(None)] * (len(shape) - len(items) + 1)
    if len(items) > len(shape):
        raise UsageError("too many indices: %d for an array of %d dimensions"
                         % (len(items), len(shape)))
    items += [slice(None)] * (len(shape) - len(items))
    out = []
    for axis, (item, n) in enumerate(zip(items, shape)):
        if isinstance(item, slice):
            out.append(range(*item.indices(n)))
            continue
        values = item if isinstance(item, list) else [item]
        for v in values:
            if not -n <= v < n:
                raise IndexError("index %d is out of bounds for axis %d with size %d"
                                 % (v, axis, n))
        values = [v % n for v in values]
        out.append(values if isinstance(item, list) else values[0])
    return out


def _corners(indices, edge):
    """The indices numpy shows of an axis it summarises, and one of those it
    hides (which numpy replaces by '...')."""
    if len(indices) <= 2 * edge:
        return list(indices)
    return list(indices[:edge]) + [indices[edge]] + list(indices[len(indices) - edge:])


def read_for_printing(z, selection, full=False):
    """(values, summarised) of ``z[selection]``: the values whole, or, when
    numpy would summarise them (more than its print threshold), only the
    corners that it prints, with one hidden element of each long axis."""
    options = np.get_printoptions()
    per_axis = axis_indices(selection, z.shape)
    if sum(isinstance(ix, list) for ix in per_axis) > 1:
        raise UsageError("a selection holds at most one list (numpy pairs the values of "
                         "several lists; select with one list at a time)")
    size = math.prod(len(ix) for ix in per_axis if not isinstance(ix, int))
    summarise = not full and size > options["threshold"]
    if not summarise and not any(isinstance(item, list) for item in selection):
        return np.asarray(z[selection if selection else Ellipsis]), False
    key = tuple(ix if isinstance(ix, int) else np.asarray(
        _corners(ix, options["edgeitems"]) if summarise else list(ix), dtype=np.intp)
        for ix in per_axis)
    values = np.asarray(z.oindex[key])
    return _as_numpy_places(values, per_axis), summarise


def _as_numpy_places(values, per_axis):
    """``values`` read by outer indexing, with the axes where numpy puts
    them: a list apart from the integers (a slice between them) goes first."""
    lists = [axis for axis, ix in enumerate(per_axis) if isinstance(ix, list)]
    advanced = [axis for axis, ix in enumerate(per_axis) if not isinstance(ix, range)]
    if lists and advanced[-1] - advanced[0] + 1 != len(advanced):
        at = sum(isinstance(ix, range) for ix in per_axis[:lists[0]])
        values = np.moveaxis(values, at, 0)
    return values


def format_values(values, summarised, full=False):
    """What numpy prints of ``values`` (read by :func:`read_for_printing`)."""
    if values.ndim == 0:
        return str(values[()])
    if summarised or full:
        with np.printoptions(threshold=0 if summarised else sys.maxsize):
            return str(values)
    return str(values)


def print_options(args):
    """numpy's print options that the command's arguments set."""
    options = {}
    for name in ("precision", "threshold", "edgeitems", "linewidth"):
        value = getattr(args, name)
        if value is not None:
            if value < 0:
                raise UsageError("--%s must not be negative" % name)
            options[name] = value
    if args.suppress:
        options["suppress"] = True
    return options


__all__ = ["parse_selection", "read_for_printing", "format_values", "print_options"]
