"""Block-wise work over tables: equal-length columns under names.

A table may be this package's :class:`zarr.Table`, a group of arrays, a dict
of array-likes, a numpy structured (record) array, an h5py group of
datasets, or a pandas DataFrame. The columns of a :class:`zarr.Table` are
taken as they are stored (a categorical's codes, the values of a nullable
column without its mask). Results that are tables go to
``storage.create_table``: :class:`zarr.Table` groups of this package's
arrays, or HDF5 files of one dataset a column.
"""

import ast
import json
from collections.abc import Mapping

import numpy as np

from zarr.chunked.blocks import (RowWriter, block_ranges, check_array_like, get_blen,
                                 run_blocks, threads_for)
from zarr.chunked.core import check_create, new_array, normalize_range
from zarr.chunked.selection import _gather_rows, _indices
from zarr.chunked.storage import HDF5_COLUMNS, get_storage

__all__ = ["copy_table", "compress_table", "take_table", "concatenate_table", "eval_table",
           "table_columns"]


def table_columns(tbl, names=None):
    """The names and columns of a table-like, as (list of names, dict of array-likes),
    after checking that the columns are 1-D or more and of equal length.

    Examples
    --------
    >>> names, columns = table_columns(np.array([(1, 2.0)], dtype=[("a", "i4"), ("b", "f8")]))
    >>> names, columns["b"].tolist()
    (['a', 'b'], [2.0])
    """
    columns = _columns_of(tbl)
    if names is None:
        names = list(columns)
    else:
        names = list(names)
        missing = [n for n in names if n not in columns]
        if missing:
            raise KeyError("no column %s in the table (it has %s)"
                           % (", ".join(map(repr, missing)), ", ".join(map(repr, columns))))
    if not names:
        raise ValueError("a table needs at least one column")
    out = {}
    for name in names:
        column = check_array_like(columns[name], "column %r" % (name,))
        out[name] = column
    lengths = {name: column.shape[0] for name, column in out.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError("the columns differ in length: %s"
                         % ", ".join("%s: %d" % item for item in lengths.items()))
    return names, out


def _columns_of(tbl):
    if isinstance(tbl, np.ndarray):
        if tbl.dtype.names is None:
            raise TypeError("a numpy array is a table only with named fields (a record array)")
        return {name: tbl[name] for name in tbl.dtype.names}
    if hasattr(tbl, "to_pandas") and hasattr(tbl, "names"):  # this package's Table
        return {name: tbl.column(name) for name in tbl.names}
    if type(tbl).__module__.startswith("pandas"):
        return {name: tbl[name].to_numpy() for name in tbl.columns}
    if hasattr(tbl, "array_keys"):  # a group of this package
        return {name: tbl[name] for name in tbl.array_keys()}
    if hasattr(tbl, "visititems") and hasattr(tbl, "keys"):  # an h5py group
        labels = _hdf5_labels(tbl)
        if labels is not None:
            return {label: tbl[member] for label, member in labels}
        return {name: tbl[name] for name in tbl.keys() if hasattr(tbl[name], "shape")}
    if isinstance(tbl, Mapping):
        return dict(tbl)
    raise TypeError("not a table: %s (a Table, a group, a dict of columns, a record array, "
                    "an h5py group or a DataFrame)" % type(tbl).__name__)


def _hdf5_labels(h5group):
    """The (label, dataset name) of the columns of a table an HDF5 storage made."""
    text = h5group.attrs.get(HDF5_COLUMNS)
    if text is None:
        return None
    return [tuple(pair) for pair in json.loads(text)]


def _column_of(out, label):
    """The writable column ``label`` of a table made by a storage."""
    if hasattr(out, "column"):
        return out.column(label)
    return out[dict(_hdf5_labels(out))[label]]


def _writers(out, names):
    """A :class:`RowWriter` for each column of a new table, by name."""
    return {name: RowWriter(_column_of(out, name)) for name in names}


def _length(columns):
    return next(iter(columns.values())).shape[0]


def _new_table(storage, columns, names, length, kwargs, dtypes=None):
    """A new table of the storage with the columns' dtypes and row shapes, in order."""
    spec = {}
    for name in names:
        column = columns[name]
        dtype = np.dtype(column.dtype) if dtypes is None else dtypes[name]
        spec[name] = (dtype, tuple(column.shape[1:]))
    return get_storage(storage).create_table(spec, length, **kwargs)


def _column_tasks(names, columns, ranges):
    return [(name, columns[name], i, a, b) for name in names for i, (a, b) in enumerate(ranges)]


def copy_table(tbl, start=0, stop=None, blen=None, storage=None, create="table", threads=None,
               progress=None, **kwargs):
    """A new table holding rows ``start:stop`` of every column of ``tbl``, copied
    block-wise, every column's blocks side by side.

    Examples
    --------
    >>> t = copy_table({"a": np.arange(5), "b": np.ones(5)}, 1, 3)
    >>> t.names, t.column("a")[...].tolist()
    (['a', 'b'], [1, 2])
    """
    check_create(create, "table")
    names, columns = table_columns(tbl)
    start, stop = normalize_range(columns[names[0]], start, stop)
    out = _new_table(storage, columns, names, stop - start, kwargs)
    writers = _writers(out, names)
    blen = get_blen(columns[names[0]], blen)
    ranges = block_ranges(start, stop, blen)

    def copy_block(i, name, column, j, a, b):
        writers[name].write(a - start, b - start, np.asarray(column[a:b]))
    run_blocks(copy_block, _column_tasks(names, columns, ranges), threads, progress,
               "copy_table")
    return out


def _condition_blocks(condition, tbl_length, ranges, threads):
    if len(condition.shape) != 1 or np.dtype(condition.dtype) != np.bool_:
        raise TypeError("condition must be a 1-D boolean array-like or an expression")
    if condition.shape[0] != tbl_length:
        raise ValueError("condition has %d elements, the table %d rows"
                         % (condition.shape[0], tbl_length))
    return run_blocks(lambda i, a, b: np.asarray(condition[a:b]), ranges, threads)


def compress_table(condition, tbl, axis=None, out=None, blen=None, storage=None,
                   create="table", threads=None, progress=None, vm=None, vm_kwargs=None,
                   **kwargs):
    """A new table of the rows of ``tbl`` where ``condition`` is True.

    ``condition`` is a 1-D boolean array-like, or an expression over the
    columns evaluated block-wise as :func:`eval_table` does (with ``vm``
    and ``vm_kwargs``).

    Examples
    --------
    >>> t = compress_table("a > 2", {"a": np.arange(5), "b": np.arange(5) * 10})
    >>> t.column("b")[...].tolist()
    [30, 40]
    """
    check_create(create, "table")
    if axis not in (None, 0):
        raise ValueError("tables are compressed along their rows (axis 0), not axis %r"
                         % (axis,))
    names, columns = table_columns(tbl)
    n = _length(columns)
    blen = get_blen(columns[names[0]], blen)
    ranges = block_ranges(0, n, blen)
    if isinstance(condition, str):
        condition = eval_table(columns, condition, vm=vm, blen=blen, storage="mem",
                               vm_kwargs=vm_kwargs, threads=threads)
    else:
        condition = check_array_like(condition, "condition")
    masks = _condition_blocks(condition, n, ranges, threads)
    counts = [int(np.count_nonzero(m)) for m in masks]
    offsets = np.concatenate([[0], np.cumsum(counts, dtype=np.int64)])
    if out is None:
        out = _new_table(storage, columns, names, int(offsets[-1]), kwargs)
    writers = _writers(out, names)

    def select(i, name, column, j, a, b):
        if counts[j]:
            rows = np.flatnonzero(masks[j])
            lo, hi = a + int(rows[0]), a + int(rows[-1]) + 1
            span = np.asarray(column[lo:hi])
            writers[name].write(int(offsets[j]), int(offsets[j + 1]),
                                span[masks[j][lo - a:hi - a]])
    run_blocks(select, _column_tasks(names, columns, ranges), threads, progress,
               "compress_table")
    return out


def take_table(tbl, indices, axis=None, out=None, mode="raise", blen=None, storage=None,
               create="table", threads=None, progress=None, **kwargs):
    """A new table of the rows of ``tbl`` at ``indices`` (any order, repeats allowed).

    Examples
    --------
    >>> take_table({"a": np.arange(5) * 2}, [4, 0, 0]).column("a")[...].tolist()
    [8, 0, 0]
    """
    check_create(create, "table")
    if axis not in (None, 0):
        raise ValueError("rows of tables are taken along axis 0, not axis %r" % (axis,))
    names, columns = table_columns(tbl)
    indices = _indices(indices, _length(columns), mode)
    if out is None:
        out = _new_table(storage, columns, names, len(indices), kwargs)
    writers = _writers(out, names)
    source_blen = get_blen(columns[names[0]], blen)
    ranges = block_ranges(0, len(indices), source_blen)

    def gather(i, name, column, j, a, b):
        writers[name].write(a, b, _gather_rows(column, indices[a:b], source_blen))
    run_blocks(gather, _column_tasks(names, columns, ranges), threads, progress, "take_table")
    return out


def concatenate_table(tup, blen=None, storage=None, create="table", threads=None,
                      progress=None, **kwargs):
    """A new table of the rows of each table of ``tup`` in turn; they must have the
    same column names (the first table's order is kept).

    Examples
    --------
    >>> t = concatenate_table([{"a": [1, 2]}, {"a": np.array([3.5])}])
    >>> t.column("a")[...].tolist()
    [1.0, 2.0, 3.5]
    """
    check_create(create, "table")
    tables = [table_columns(t) for t in tup]
    if not tables:
        raise ValueError("need at least one table to concatenate")
    names, first = tables[0]
    for other_names, _ in tables[1:]:
        if sorted(other_names) != sorted(names):
            raise ValueError("tables with columns %s and %s cannot be joined"
                             % (names, other_names))
    dtypes = {}
    for name in names:
        shapes = {tuple(cols[name].shape[1:]) for _, cols in tables}
        if len(shapes) > 1:
            raise ValueError("column %r has rows of shapes %s" % (name, sorted(shapes)))
        dtypes[name] = np.result_type(*[np.dtype(cols[name].dtype) for _, cols in tables])
    total = sum(_length(cols) for _, cols in tables)
    out = _new_table(storage, first, names, total, kwargs, dtypes)
    writers = _writers(out, names)
    pieces, offset = [], 0
    for _, cols in tables:
        n = _length(cols)
        for a, b in block_ranges(0, n, get_blen(cols[names[0]], blen)):
            for name in names:
                pieces.append((name, cols[name], a, b, offset + a))
        offset += n

    def copy_piece(i, name, column, a, b, at):
        writers[name].write(at, at + b - a, np.asarray(column[a:b]))
    run_blocks(copy_piece, pieces, threads, progress, "concatenate_table")
    return out


# Expressions over columns.

#: The functions an expression may call, by name or as ``np.<name>``: numpy's
#: element-wise functions and a few like them, nothing that reaches files,
#: modules or memory.
FUNCTIONS = {name: getattr(np, name) for name in (
    "abs", "absolute", "negative", "sign", "sqrt", "cbrt", "square", "exp", "exp2", "expm1",
    "log", "log2", "log10", "log1p", "sin", "cos", "tan", "arcsin", "arccos", "arctan",
    "arctan2", "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh", "hypot", "floor",
    "ceil", "trunc", "rint", "round", "minimum", "maximum", "fmin", "fmax", "clip", "where",
    "isnan", "isinf", "isfinite", "power", "mod", "fmod", "remainder", "floor_divide",
    "real", "imag", "conj", "angle", "logical_and", "logical_or", "logical_not",
    "logical_xor", "bitwise_and", "bitwise_or", "bitwise_xor", "invert", "nan_to_num")}

_MODULE_NAMES = ("np", "numpy")

#: The syntax an expression may use: arithmetic, comparisons, boolean
#: operators, subscripts, numbers and the calls above.
_ALLOWED_NODES = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.Name,
                  ast.Load, ast.Constant, ast.Call, ast.Attribute, ast.Subscript, ast.Slice,
                  ast.Tuple, ast.IfExp, ast.operator, ast.unaryop, ast.boolop, ast.cmpop)


class _Functions:
    """What ``np`` means inside an expression: the allowed functions alone."""

    def __init__(self):
        self.__dict__.update(FUNCTIONS)


_NAMESPACE = {"np": _Functions(), "numpy": _Functions(), **FUNCTIONS}


def _have_numexpr():
    try:
        import numexpr  # noqa: F401
    except ImportError:
        return False
    return True


def _expression_names(expression, names, vm):
    """The columns an expression reads, after checking it.

    Only the syntax of :data:`_ALLOWED_NODES` is accepted, calls only of
    :data:`FUNCTIONS` (by name or as ``np.<name>``; numexpr's own functions
    by name with numexpr), no other attribute: anything else raises
    ValueError, so that an expression cannot reach beyond its columns. A
    name that is not a column raises NameError.
    """
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError as e:
        raise ValueError("bad expression %r: %s" % (expression, e.msg)) from None

    def refuse(what):
        raise ValueError("the expression %r uses %s, which expressions may not" % (expression,
                                                                                 what))
    callees = set()
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            refuse(type(node).__name__)
        if isinstance(node, ast.Call):
            if node.keywords:
                refuse("keyword arguments")
            func = node.func
            if isinstance(func, ast.Name) and (func.id in FUNCTIONS or vm == "numexpr"):
                callees.add(id(func))
            elif (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                  and func.value.id in _MODULE_NAMES and func.attr in FUNCTIONS):
                callees.update((id(func), id(func.value)))
            else:
                refuse("a call of %s" % ast.unparse(func))
        if isinstance(node, ast.Attribute) and id(node) not in callees:
            refuse("the attribute %r" % node.attr)
    used = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and id(node) not in callees and node.id not in used:
            used.append(node.id)
    unknown = [n for n in used if n not in names]
    if unknown:
        raise NameError("the expression %r names %s, not a column of the table (%s)"
                        % (expression, ", ".join(map(repr, unknown)),
                           ", ".join(map(repr, names))))
    return used


def _evaluator(expression, vm, vm_kwargs):
    if vm == "numexpr":
        import numexpr

        def evaluate(namespace):
            return numexpr.evaluate(expression, local_dict=namespace, **vm_kwargs)
        return evaluate
    if vm == "python":
        code = compile(expression, "<expression>", "eval")

        def evaluate(namespace):
            return eval(code, {"__builtins__": {}, **_NAMESPACE}, namespace)
        return evaluate
    raise ValueError("vm must be 'numexpr', 'python' or None (numexpr when installed), "
                     "not %r" % (vm,))


def eval_table(tbl, expression, vm=None, blen=None, storage=None, create="array",
               vm_kwargs=None, threads=None, progress=None, **kwargs):
    """A new array of ``expression`` evaluated over the columns of ``tbl``, block-wise.

    Parameters
    ----------
    expression : str
        An expression over column names, such as ``"(a + b) / 2 > c"``:
        arithmetic, comparisons, ``and``/``or``/``not``, subscripts,
        constants and calls of numpy's element-wise functions of
        :data:`FUNCTIONS` (``sqrt(a)`` or ``np.sqrt(a)``); with numexpr, its
        own functions. Anything else (other attributes, other calls) raises
        ValueError before any block is read.
    vm : {None, 'numexpr', 'python'}
        What evaluates each block: numexpr, or numpy through Python's
        ``eval`` (with no builtins, and ``np`` holding only the functions
        allowed). None (default) takes numexpr when it is installed.
    vm_kwargs : dict, optional
        Handed to ``numexpr.evaluate``.

    Examples
    --------
    >>> t = {"a": np.arange(5), "b": np.arange(5) * 10}
    >>> eval_table(t, "a + b > 20", vm="python")[...].tolist()
    [False, False, True, True, True]
    """
    check_create(create)
    names, columns = table_columns(tbl)
    if vm is None:
        vm = "numexpr" if _have_numexpr() else "python"
    used = _expression_names(expression, names, vm)
    evaluate = _evaluator(expression, vm, dict(vm_kwargs or {}))
    n = _length(columns)
    blen = get_blen(columns[names[0]], blen)

    def block(a, b):
        namespace = {name: np.asarray(columns[name][a:b]) for name in used}
        result = np.asarray(evaluate(namespace))
        if result.ndim == 0:
            result = np.broadcast_to(result, (b - a,))
        if result.shape[:1] != (b - a,):
            raise ValueError("the expression %r gives %s values for a block of %d rows"
                             % (expression, result.shape, b - a))
        return result
    first = block(0, min(n, blen))
    out = new_array(storage, (n,) + first.shape[1:], first.dtype, kwargs.pop("chunks", None),
                    kwargs)
    writer = RowWriter(out)
    writer.write(0, len(first), first)

    def compute(i, a, b):
        writer.write(a, b, block(a, b))
    run_blocks(compute, block_ranges(len(first), n, blen), threads_for(threads), progress,
               "eval_table")
    return out

