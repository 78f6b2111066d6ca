"""Tables: pandas DataFrames kept as groups of equal-length column arrays.

A table is a :class:`zarr.Group` whose member arrays are its columns, all of
one length, in memory or in a directory of the Zarr v2 format, where
zarr-python and other readers see the columns as plain 1-D arrays. The
group's attribute ``"table"`` holds what pandas needs to rebuild the frame:
the column labels in order, each column's dtype and arrays, and the index.
pandas is needed only by what takes or makes DataFrames: ``import zarr``
works without it.

How a column is stored:

- numbers, bools, datetime64 and timedelta64: an array of the same dtype;
  tz-aware datetimes as datetime64 in UTC, with the time zone's name.
- object columns: an object array, ``vlen-utf8`` when every value is a str
  (as zarr-python writes strings), else ``msgpack2``, which holds str,
  bytes, int, float, bool and None. Appending other values to a column of
  strings rewrites it as ``msgpack2``.
- pandas strings (``str``, ``string``) and nullable integers, floats and
  booleans (``Int64``, ``Float64``, ``boolean``...): the values and a bool
  array ``__<name>_mask__``, True where a value is missing.
- categoricals: the integer codes, and the categories as a short column of
  their own, ``__<name>_categories__``; ``ordered`` in the attribute.

A column whose label is not a usable member name (not a str, holding ``/``,
empty, beginning with ``.``, or of the form ``__x__``) is stored as
``__column_<position>__``. A RangeIndex is kept as numbers in the attribute;
any other index (named, datetime, string, MultiIndex) as one array a level,
``__index_level_0__``, ``__index_level_1__``... (pyarrow's names), which no
column label may take.

Columns are written and read in parallel, a few chunks of one column a task,
the columns' tasks in turn, on the threads of :func:`zarr.parallel.run_tasks`.

Examples
--------
>>> import pandas as pd, zarr
>>> df = pd.DataFrame({"x": np.arange(5.0), "s": pd.array(list("abcde"), dtype="string"),
...                    3: np.arange(5) % 2 == 0})
>>> t = zarr.from_pandas(df, zarr.group(), chunks=2)
>>> t
zarr.Table(5 rows, 3 columns: 'x' float64, 's' string, 3 bool)
>>> sorted(t.group)
['__column_2__', '__s_mask__', 's', 'x']
>>> t[1:3]
     x  s      3
1  1.0  b  False
2  2.0  c   True
>>> t.append(df.set_axis(range(5, 10)))
>>> len(t), t["x"][...].tolist()[-3:]
(10, [2.0, 3.0, 4.0])
"""

import errno
import itertools
import json
import os
import re
import shutil
import threading
from functools import partial
from itertools import zip_longest

import numpy as np

from zarr.attrs import json_value
from zarr.core import Array
from zarr.errors import ContainsGroupError, MetadataError, ReadOnlyError
from zarr.hierarchy import Group, open_group
from zarr.names import split_name
from zarr.parallel import run_tasks
from zarr.storage import directory_kind

__all__ = ["Table", "from_pandas", "open_table"]

FORMAT = 1
#: Rows a chunk holds when ``chunks`` is not given: about this many bytes.
CHUNK_BYTES = 1 << 20
#: The bytes an element of an object column is reckoned at when choosing chunks.
OBJECT_ITEMSIZE = 64
#: A write or read task covers whole chunks of one array, at least this many bytes.
TASK_BYTES = 4 << 20
ARRAY_OPTIONS = ("cname", "clevel", "shuffle", "blocksize", "dimension_separator")
_MASKED = {"Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64",
           "Float32", "Float64", "boolean"}
_MSGPACK_TYPES = (str, bytes, int, float, type(None))
_INDEX_LEVEL = re.compile(r"__index_level_\d+__\Z")


def _pandas():
    try:
        import pandas
    except ImportError:
        raise ImportError("zarr tables need pandas: pip install 'zarr-engine[pandas]'") from None
    return pandas


# A Series or an Index as stored, and back.

class _Column:
    """A Series or Index as stored: its spec (JSON, for the attribute), its row
    arrays by role ('array', and 'mask' where values may be missing), and, for
    a categorical, its categories as another _Column."""

    def __init__(self, spec, arrays, categories=None):
        self.spec, self.arrays, self.categories = spec, arrays, categories

    def name(self, member, fresh):
        """Name the column's arrays; return [(member, values, object codec)] to write."""
        self.spec["array"] = member
        codec = "vlen-utf8" if self.spec["kind"] == "string" else self.spec.get("codec")
        parts = [(member, self.arrays["array"], codec)]
        stem = member.strip("_")
        if "mask" in self.arrays:
            self.spec["mask"] = fresh("__%s_mask__" % stem)
            parts.append((self.spec["mask"], self.arrays["mask"], None))
        if self.categories is not None:
            parts += self.categories.name(fresh("__%s_categories__" % stem), fresh)
            self.spec["categories"] = self.categories.spec
        return parts


def _encode(v, where):
    """How ``v`` (a Series or an Index) is stored; TypeError naming ``where`` if it cannot be."""
    pd = _pandas()
    dtype = v.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return _Column({"kind": "categorical", "ordered": bool(dtype.ordered)},
                       {"array": np.asarray(v.array.codes)},
                       _encode(dtype.categories, where + " (categories)"))
    if isinstance(dtype, pd.DatetimeTZDtype):
        spec = {"kind": "datetimetz", "unit": dtype.unit, "tz": str(dtype.tz)}
        arrays = {"array": pd.DatetimeIndex(v).tz_convert(None).to_numpy()}
    elif isinstance(dtype, pd.StringDtype):
        spec = {"kind": "string", "storage": dtype.storage,
                "na": "NA" if dtype.na_value is pd.NA else "nan"}
        arrays = {"array": v.to_numpy(dtype=object, na_value=""), "mask": np.asarray(v.isna())}
    elif str(dtype) in _MASKED:
        spec = {"kind": "masked", "dtype": str(dtype)}
        na = False if dtype.numpy_dtype.kind == "b" else 0
        arrays = {"array": v.to_numpy(dtype=dtype.numpy_dtype, na_value=na),
                  "mask": np.asarray(v.isna())}
    elif isinstance(dtype, np.dtype) and dtype.kind in "biufcmM":
        return _Column({"kind": "numpy", "dtype": dtype.str}, {"array": v.to_numpy()})
    elif isinstance(dtype, np.dtype) and dtype.kind == "O":
        values = v.to_numpy()
        return _Column({"kind": "object", "codec": _object_codec(values, where)},
                       {"array": values})
    else:
        raise TypeError("%s: dtype %s cannot be stored in a table" % (where, dtype))
    try:
        same = _pandas_dtype(spec) == dtype
    except Exception:  # a time zone pandas does not know by its name
        same = False
    if not same:
        raise TypeError("%s: dtype %s cannot be stored in a table (it does not come back "
                        "from its name)" % (where, dtype))
    return _Column(spec, arrays)


def _object_codec(values, where):
    types = set(map(type, values))
    if types == {str}:
        return "vlen-utf8"
    bad = sorted({t.__name__ for t in types if not issubclass(t, _MSGPACK_TYPES)})
    if bad:
        raise TypeError("%s: values of type %s cannot be stored (an object column holds "
                        "str, bytes, int, float, bool and None)" % (where, ", ".join(bad)))
    if any(issubclass(t, int) and t is not bool for t in types):
        big = [x for x in values if isinstance(x, int) and not -2**63 <= x < 2**64]
        if big:
            raise TypeError("%s: the integer %d is too big to be stored" % (where, big[0]))
    return "msgpack2"


def _pandas_dtype(spec, categories=None):
    """The pandas dtype of a stored column (a categorical's from its categories)."""
    pd = _pandas()
    kind = spec["kind"]
    if kind == "numpy":
        return np.dtype(spec["dtype"])
    if kind == "object":
        return np.dtype(object)
    if kind == "datetimetz":
        return pd.DatetimeTZDtype(spec["unit"], spec["tz"])
    if kind == "string":
        if spec["na"] == "NA":
            return pd.StringDtype(spec["storage"])
        try:
            return pd.StringDtype(spec["storage"], na_value=np.nan)
        except TypeError:  # pandas before 2.3 names this dtype by its storage alone
            return pd.StringDtype(spec["storage"])
    if kind == "masked":
        return pd.api.types.pandas_dtype(spec["dtype"])
    if kind == "categorical":
        return pd.CategoricalDtype(categories, ordered=spec["ordered"])
    raise MetadataError("unknown column kind %r in a table" % (kind,))


def _decode(spec, arrays, categories=None):
    """A column's values for pandas from its row arrays (and its decoded categories)."""
    pd = _pandas()
    dtype = _pandas_dtype(spec, None if categories is None else _as_index(categories))
    values, kind = arrays["array"], spec["kind"]
    if kind == "datetimetz":
        return pd.DatetimeIndex(values).tz_localize("UTC").tz_convert(dtype.tz).array
    if kind == "string":
        values[arrays["mask"]] = dtype.na_value
        return pd.array(values, dtype=dtype)
    if kind == "masked":
        return dtype.construct_array_type()(values, arrays["mask"])
    if kind == "categorical":
        return pd.Categorical.from_codes(values, dtype=dtype)
    return values


def _as_index(values, name=None):
    return _pandas().Index(values, dtype=values.dtype, name=name, copy=False)


def _row_members(spec):
    return [spec["array"]] + ([spec["mask"]] if "mask" in spec else [])


def _dtype_name(spec):
    kind = spec["kind"]
    if kind == "numpy":
        return np.dtype(spec["dtype"]).name
    if kind == "datetimetz":
        return "datetime64[%s, %s]" % (spec["unit"], spec["tz"])
    if kind == "string":
        return "str" if spec["na"] == "nan" else "string"
    return {"object": "object", "categorical": "category"}.get(kind, spec.get("dtype"))


# Column labels and the index.

def _labels_spec(columns):
    """The column labels as JSON, checked to come back as the same Index."""
    if columns.nlevels > 1:
        raise TypeError("columns with %d levels cannot be stored in a table; join them into "
                        "single labels first" % columns.nlevels)
    if not columns.is_unique:
        raise ValueError("column labels must be unique; repeated: %r"
                         % sorted(set(columns[columns.duplicated()].tolist()), key=repr))
    for label in columns:
        if isinstance(label, str) and _INDEX_LEVEL.match(label):
            raise ValueError("the column label %r is reserved for the index's arrays" % label)
    try:
        spec = json_value({"labels": columns.tolist(), "dtype": str(columns.dtype),
                           "name": columns.name}, "columns")
    except TypeError as e:
        raise TypeError("column labels of dtype %s cannot be stored in a table: %s"
                        % (columns.dtype, e)) from None
    if isinstance(columns, _pandas().RangeIndex):
        spec["range"] = [columns.start, columns.stop, columns.step]
    rebuilt = _columns_index(spec)
    if rebuilt.dtype != columns.dtype or not rebuilt.equals(columns):
        raise TypeError("column labels of dtype %s cannot be stored in a table" % columns.dtype)
    return spec


def _columns_index(spec):
    pd = _pandas()
    if "range" in spec:
        return pd.RangeIndex(*spec["range"], name=spec["name"])
    return pd.Index(spec["labels"], dtype=spec["dtype"], name=spec["name"])


def member_name(label, position, taken=()):
    """The member name of the column ``label`` at ``position``: the label itself
    when it can be one, else ``__column_<position>__``.

    Examples
    --------
    >>> member_name("x", 0), member_name(7, 1), member_name("a/b", 2)
    ('x', '__column_1__', '__column_2__')
    """
    return unique_name(label if _usable(label) else "__column_%d__" % position, taken)


def unique_name(name, taken):
    """``name``, or ``name_1``, ``name_2``... the first not in ``taken``."""
    base, i = name, 1
    while name in taken:
        name, i = "%s_%d" % (base, i), i + 1
    return name


def _usable(label):
    if not isinstance(label, str) or label.startswith("__") and label.endswith("__"):
        return False
    try:
        return len(split_name(label)) == 1
    except ValueError:
        return False


def _range_spec(start, step, name):
    return {"kind": "range", "start": int(start), "step": int(step), "name": name}


def _levels_spec(names, multi):
    return {"kind": "levels", "names": list(names), "multi": bool(multi), "levels": []}


def _as_range(index):
    """``index`` as a RangeIndex if it is one or holds int64 in steps of one size, else None."""
    pd = _pandas()
    if isinstance(index, pd.RangeIndex):
        return index
    if index.nlevels != 1 or index.dtype != np.int64:
        return None
    v = index.to_numpy()
    if not len(v):
        return pd.RangeIndex(0)
    step = int(v[1] - v[0]) if len(v) > 1 else 1
    if step == 0 or (np.diff(v) != step).any():
        return None
    return pd.RangeIndex(int(v[0]), int(v[0]) + step * len(v), step)


def _range_append(start, step, n, new):
    """(start, step) of the n rows of a range followed by the RangeIndex ``new``
    when they make a range again, as pandas' concat finds it; else None."""
    if n == 0:
        return new.start, new.step
    if len(new) == 0:
        return start, step
    if n == 1:
        step = new.start - start
    if step != 0 and new.start == start + step * n and (len(new) == 1 or new.step == step):
        return start, step
    return None


def _set_freq(spec, level):
    """Keep in ``spec`` the frequency of a datetime or timedelta index level, if
    it has one that comes back from its name."""
    spec.pop("freq", None)
    freq = getattr(level, "freq", None)
    if freq is not None and _pandas().tseries.frequencies.to_offset(freq.freqstr) == freq:
        spec["freq"] = freq.freqstr


def _level(spec, values, step, name):
    """An index level; a slice with a step has step times the frequency, as in pandas."""
    index = _as_index(values, name)
    if "freq" in spec:
        freq = _pandas().tseries.frequencies.to_offset(spec["freq"])
        index = type(index)(values, freq=freq if step is None else freq * step, name=name)
    return index


# Reading and writing arrays: a task a chunk-aligned slab of one array, no two
# tasks on one chunk, the arrays' tasks in turn.

def _slabs(z, start, stop):
    """Chunk-aligned pieces [a, b) of rows start..stop of z, of TASK_BYTES or more each."""
    rows = z.chunks[0]
    step = rows * max(1, TASK_BYTES // (rows * z.dtype.itemsize * int(np.prod(z.chunks[1:]))))
    a = start
    while a < stop:
        b = min(stop, (a // step + 1) * step)
        yield a, b
        a = b


def _write_tasks(z, start, values):
    return [partial(z.set_basic_selection, slice(a, b), values[a - start:b - start], threads=1)
            for a, b in _slabs(z, start, start + len(values))]


def _interleave(lists):
    """The tasks of several arrays taken in turn, one of each, so that threads
    running side by side work on different arrays (directories, on disk)."""
    return [task for row in zip_longest(*lists) for task in row if task is not None]


def _read_task(z, rows, tasks):
    """An array to receive z[rows] (a range of positive step); ``tasks`` gets the
    list of the reads that fill it."""
    out = np.empty((len(rows),) + z.shape[1:], z.dtype)
    if rows.step == 1:
        tasks.append([partial(z.get_basic_selection, slice(a, b), threads=1,
                              out=out[a - rows.start:b - rows.start])
                      for a, b in _slabs(z, rows.start, rows.stop)])
    elif len(rows):
        tasks.append([partial(z.get_basic_selection, slice(rows.start, rows.stop, rows.step),
                              out=out, threads=1)])
    return out


def _copy_rows(dest, a, b, old, n, new):
    """Write rows a..b of dest: those below n from the array old, the others from new."""
    rows = [old.get_basic_selection(slice(a, min(b, n)), threads=1)] if a < n else []
    if b > n:
        rows.append(new[max(a, n) - n:b - n])
    dest.set_basic_selection(slice(a, b), np.concatenate(rows), threads=1)


def _check_options(chunks, options, directory):
    if isinstance(chunks, tuple) and len(chunks) == 1:
        chunks = chunks[0]
    rows = isinstance(chunks, (int, np.integer)) and not isinstance(chunks, bool)
    if chunks is not None and not (rows and chunks >= 1):
        raise ValueError("chunks must be a number of rows (an int >= 1) or None, not %r"
                         % (chunks,))
    unknown = sorted(set(options) - set(ARRAY_OPTIONS))
    if unknown:
        raise TypeError("unknown array options: %s (a table's arrays take %s)"
                        % (", ".join(unknown), ", ".join(ARRAY_OPTIONS)))
    if "dimension_separator" in options and not directory:
        raise TypeError("dimension_separator is an option of arrays in directories")
    Array((1,), "f8", 1, **{k: v for k, v in options.items() if k != "dimension_separator"})
    return None if chunks is None else int(chunks)


def _create(group, member, n, dtype, codec, chunks, options):
    if chunks is None:
        chunks = max(1, CHUNK_BYTES // (OBJECT_ITEMSIZE if dtype.hasobject else dtype.itemsize))
    kwargs = dict(options) if codec is None else dict(options, object_codec=codec)
    return group.create(member, shape=(n,), dtype=dtype, chunks=chunks, **kwargs)


# Writing a frame.

def from_pandas(df, where, chunks=None, mode="w", name=None, threads=None, **array_options):
    """Write a DataFrame as a table: a group holding one array a column.

    Every column and the index are converted and checked before anything is
    written: a dtype that cannot be stored raises a TypeError naming the
    column, and nothing is written. The columns are then written in
    parallel; if a write fails, the arrays written so far are removed.

    Parameters
    ----------
    df : pandas.DataFrame
    where : str, path-like or zarr.Group
        A directory (opened as a group with ``mode``), or a group to write
        into: itself, or its member group ``name``.
    chunks : int, optional
        Rows a chunk; by default about 1 MB of each column's dtype.
    mode : {'w', 'w-'}
        'w' replaces what is at ``where`` (a group's members too); 'w-'
        fails if a group or an array is there, or if the group has members.
    name : str, optional
        Write into the member group ``name`` of ``where``.
    threads : int, optional
        Threads writing the columns (default :func:`zarr.get_threads`).
    **array_options
        ``cname``, ``clevel``, ``shuffle``, ``blocksize`` and, in a
        directory, ``dimension_separator``, for every array.

    Returns
    -------
    Table

    Examples
    --------
    >>> import pandas as pd, tempfile, zarr
    >>> df = pd.DataFrame({"t": pd.date_range("2024-01-01", periods=3, tz="UTC"),
    ...                    "n": pd.array([1, None, 3], dtype="Int64")})
    >>> path = tempfile.mkdtemp() + "/frame.zarr"
    >>> t = zarr.from_pandas(df, path, cname="zstd")
    >>> zarr.open_table(path).to_pandas().equals(df)
    True
    """
    pd = _pandas()
    if not isinstance(df, pd.DataFrame):
        raise TypeError("from_pandas takes a DataFrame, not %s" % type(df).__name__)
    if mode not in ("w", "w-"):
        raise ValueError("mode must be 'w' or 'w-', not %r" % (mode,))
    chunks = _check_options(chunks, array_options,
                            not isinstance(where, Group) or where.path is not None)
    meta = {"format": FORMAT, "nrows": len(df), "columns": _labels_spec(df.columns),
            "chunks": chunks, "options": array_options, "pandas": pd.__version__}
    members = [label if _usable(label) else None for label in df.columns]
    used = set(m for m in members if m is not None)

    def fresh(member):
        member = unique_name(member, used)
        used.add(member)
        return member

    columns = [_encode(df.iloc[:, i], "column %r" % (label,))
               for i, label in enumerate(df.columns)]
    parts = []
    if isinstance(df.index, pd.RangeIndex):
        meta["index"] = _range_spec(df.index.start, df.index.step, df.index.name)
    else:
        meta["index"] = _levels_spec(df.index.names, isinstance(df.index, pd.MultiIndex))
        for k in range(df.index.nlevels):
            values = df.index.get_level_values(k)
            level = _encode(values, "index level %d" % k)
            parts += level.name(fresh("__index_level_%d__" % k), fresh)
            _set_freq(level.spec, values)
            meta["index"]["levels"].append(level.spec)
    for i, column in enumerate(columns):
        parts += column.name(members[i] or fresh("__column_%d__" % i), fresh)
    meta["specs"] = [column.spec for column in columns]
    try:
        meta = json.loads(json.dumps(json_value(meta, "table")))
    except TypeError as e:
        raise TypeError("the index's names cannot be stored: %s" % e) from None

    target = _Target(where, mode, name)
    group = target.group
    try:
        tasks = []
        for member, values, codec in parts:
            z = _create(group, member, len(values), values.dtype, codec, chunks, array_options)
            tasks.append(_write_tasks(z, 0, values))
        run_tasks(_interleave(tasks), threads)
        group.attrs["table"] = meta
    except BaseException:
        target.discard()
        raise
    return Table(target.commit())


#: Appends to one table from several threads take turns on one of these locks.
_table_locks = [threading.Lock() for _ in range(64)]


def _table_lock(group):
    """The lock of the table in ``group`` in this process (appends in other
    processes are not serialized: one process appends at a time)."""
    key = os.path.realpath(group.path) if group.path is not None else \
        (id(group._nodes), group.name)
    return _table_locks[hash(key) % len(_table_locks)]


class _Target:
    """Where from_pandas writes: a new group, made aside when it replaces
    something (mode 'w'), and put in place by :meth:`commit` only once
    whole, so that a write that fails leaves what was there as it was."""

    def __init__(self, where, mode, name):
        self._swap = None
        if isinstance(where, Group) and where.read_only:
            raise ReadOnlyError("cannot write a table: the group %s is open read-only (mode 'r')"
                                % where.name)
        if isinstance(where, Group) and where.path is None:
            self._memory(where, mode, name)
            return
        if isinstance(where, Group):
            base = where
            if name is not None:
                parts = split_name(name)
                if len(parts) > 1:
                    base = where.require_group("/".join(parts[:-1]))
                self.final = os.path.join(base.path, parts[-1])
                self._reopen = lambda: where[name]
            else:
                self.final = where.path
                self._reopen = lambda: where
        else:
            self.final = os.fspath(where)
            self._reopen = lambda: open_group(self.final, mode="r+")
        kind = directory_kind(self.final)
        if mode == "w-":
            if kind == "array" or kind == "group" and (
                    len(os.listdir(self.final)) > 1 or name is None and isinstance(where, Group)
                    and (len(where) or "table" in where.attrs)):
                raise ContainsGroupError(errno.EEXIST, "something is already at (mode 'w-')",
                                         self.final)
        if kind is None and not os.path.lexists(self.final):
            self.group, self._made = open_group(self.final, mode="w-"), self.final
            return
        if kind is None and os.listdir(self.final):
            raise FileExistsError(errno.EEXIST, "not an array nor a group: refusing to "
                                  "overwrite", self.final)
        parent, base_name = os.path.split(self.final.rstrip(os.sep))
        self._made = os.path.join(parent, ".%s.creating.%d.%d" % (base_name, os.getpid(),
                                                                 next(_asides)))
        self.group, self._swap = open_group(self._made, mode="w-"), self.final

    def _memory(self, where, mode, name):
        from zarr.hierarchy import group as memory_group
        if name is None and mode == "w-" and (len(where) or "table" in where.attrs):
            raise ContainsGroupError("the group %s is not empty (mode 'w-')" % where.name)
        if name is not None and mode == "w-" and name in where:
            raise ContainsGroupError("something is already at %s (mode 'w-')" % name)
        options = where._nodes.array_options
        self.group, self._made = memory_group(**options), None
        self._where, self._name = where, name

    def discard(self):
        if self._made is not None:
            shutil.rmtree(self._made, ignore_errors=True)

    def commit(self):
        """The group written, in its place."""
        if self._made is None:  # in memory: graft the new group's members in
            where, name = self._where, self._name
            if name is not None:
                target = where.create_group(name, overwrite=True)
            else:
                target = where
            node = target._nodes._node(target._path)
            built = self.group._nodes._node("")
            node.members, node.attrs = built.members, built.attrs
            return target
        if self._swap is not None:
            parent, base_name = os.path.split(self._swap.rstrip(os.sep))
            old = os.path.join(parent, ".%s.removing.%d.%d" % (base_name, os.getpid(),
                                                              next(_asides)))
            os.rename(self._swap, old)
            os.rename(self._made, self._swap)
            shutil.rmtree(old, ignore_errors=True)
        return self._reopen()


_asides = itertools.count()


def open_table(path, mode="r"):
    """The table in the directory ``path``, as ``Table(path, mode)``.

    Examples
    --------
    >>> import pandas as pd, tempfile, zarr
    >>> path = tempfile.mkdtemp() + "/t.zarr"
    >>> _ = zarr.from_pandas(pd.DataFrame({"a": [1, 2, 3]}), path)
    >>> zarr.open_table(path)[["a"]].to_pandas(rows=slice(1, None))["a"].tolist()
    [2, 3]
    """
    return Table(path, mode=mode)


class Table:
    """A table: a group of equal-length column arrays, read and written as DataFrames.

    Make one with :func:`from_pandas` (or :meth:`from_group`); open one with
    ``Table(group)``, or ``Table(path, mode)`` / :func:`open_table` for a
    directory (mode 'r', the default, reads only; 'r+' appends too).

    - ``len(t)``, ``t.shape``, ``t.columns`` or ``t.names`` (the labels in
      order), ``t.dtypes``, ``t.index``, ``label in t``, ``iter(t)``.
    - ``t[label]`` or ``t.column(label)``: the column's zarr array as stored
      (codes for a categorical, datetime64 in UTC for tz-aware datetimes,
      the values without their mask for nullable and string columns).
    - ``t[[label, ...]]``: a Table of those columns (a view; nothing is read).
    - ``t[start:stop:step]``: those rows as a DataFrame, as ``df.iloc``.
    - :meth:`to_pandas` (some rows and columns), :meth:`append` (rows).

    Examples
    --------
    >>> import pandas as pd, zarr
    >>> df = pd.DataFrame({"a": [1.5, 2.5, 3.5], "b": pd.Categorical(["x", "y", "x"])})
    >>> t = zarr.from_pandas(df, zarr.group())
    >>> t.columns, t.shape, t["b"][...].tolist()
    (['a', 'b'], (3, 2), [0, 1, 0])
    >>> t[["b"]].to_pandas()["b"].tolist()
    ['x', 'y', 'x']
    """

    def __init__(self, source, mode="r"):
        if isinstance(source, Group):
            group = source
        elif mode in ("r", "r+"):
            group = open_group(source, mode=mode)
        else:
            raise ValueError("a table opens in mode 'r' or 'r+', not %r (from_pandas makes one)"
                             % (mode,))
        self._group = group
        self._positions = None  # all columns; a view's are a list
        self._meta()

    @classmethod
    def from_group(cls, group, names=None, labels=None):
        """The table of the arrays ``names`` of ``group`` (all its arrays by default),
        in that order, with a RangeIndex: records the table's attribute.

        ``labels`` are the columns' labels, the member names by default.
        The arrays must have one length; arrays of more than one dimension
        (rows of a shape) are columns too, which :meth:`to_pandas` cannot read.

        Examples
        --------
        >>> import zarr
        >>> g = zarr.group()
        >>> _ = g.array("a", np.arange(3)), g.array("b", np.ones((3, 2)))
        >>> t = Table.from_group(g, ["b", "a"])
        >>> t.names, len(t), t[["a"]].to_pandas()["a"].tolist()
        (['b', 'a'], 3, [0, 1, 2])
        """
        names = group.array_keys() if names is None else list(names)
        labels = list(names) if labels is None else list(labels)
        if len(labels) != len(names):
            raise ValueError("%d labels for %d arrays" % (len(labels), len(names)))
        arrays = [group[name] for name in names]
        lengths = {len(z) for z in arrays}
        if len(lengths) > 1:
            raise ValueError("the arrays %r differ in length: %s" % (names, sorted(lengths)))
        specs = []
        for name, label, z in zip(names, labels, arrays):
            if isinstance(label, str) and _INDEX_LEVEL.match(label):
                raise ValueError("the column label %r is reserved for the index's arrays"
                                 % label)
            spec = {"kind": "numpy", "dtype": z.dtype.str, "array": name}
            if z.dtype.hasobject:
                spec = {"kind": "object", "codec": z._object_codec, "array": name}
            elif z.dtype.kind not in "biufcmMSU":
                raise TypeError("column %r: dtype %s cannot be a column" % (label, z.dtype))
            if z.ndim > 1:
                spec["shape"] = list(z.shape[1:])
            specs.append(spec)
        group.attrs["table"] = json_value({"format": FORMAT,
                                           "nrows": lengths.pop() if lengths else 0,
                                           "columns": {"labels": labels, "dtype": None,
                                                       "name": None},
                                           "chunks": None, "options": {},
                                           "index": _range_spec(0, 1, None), "specs": specs},
                                          "table")
        return cls(group)

    def _meta(self):
        meta = self._group.attrs.get("table")
        if meta is None:
            raise ValueError("no table in the group %s%s (no 'table' attribute)"
                             % (self._group.name, "" if self._group.path is None
                                else " at %s" % self._group.path))
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise MetadataError("the group %s holds a table of an unknown format"
                                % self._group.name)
        return json.loads(json.dumps(meta))  # a copy

    def _selected(self, meta):
        return list(range(len(meta["specs"]))) if self._positions is None else self._positions

    # What the table is.

    @property
    def group(self):
        """The group holding the table's arrays."""
        return self._group

    @property
    def read_only(self):
        return self._group.read_only

    @property
    def columns(self):
        """The column labels, in order."""
        meta = self._meta()
        return [meta["columns"]["labels"][i] for i in self._selected(meta)]

    names = columns

    def __len__(self):
        return self._meta()["nrows"]

    @property
    def shape(self):
        meta = self._meta()
        return meta["nrows"], len(self._selected(meta))

    def __iter__(self):
        return iter(self.columns)

    def __contains__(self, label):
        try:
            self._position(self._meta(), label)
        except KeyError:
            return False
        return True

    @property
    def dtypes(self):
        """The columns' pandas dtypes, as ``DataFrame.dtypes``."""
        meta = self._meta()
        selected = self._selected(meta)
        return _pandas().Series([self._dtype(meta["specs"][i]) for i in selected], dtype=object,
                                index=_columns_index(meta["columns"])[selected])

    @property
    def index(self):
        """The row labels, as a pandas Index."""
        return self.to_pandas(columns=[]).index

    def _dtype(self, spec):
        if spec["kind"] != "categorical":
            return _pandas_dtype(spec)
        tasks = []
        arrays = self._read_arrays(spec["categories"], None, tasks)[0]
        run_tasks(_interleave(tasks))
        return _pandas_dtype(spec, _as_index(_decode(spec["categories"], arrays)))

    def __repr__(self):
        meta = self._meta()
        selected = self._selected(meta)
        shown = ", ".join("%r %s" % (meta["columns"]["labels"][i], _dtype_name(meta["specs"][i]))
                          for i in selected[:8])
        more = ", ..." if len(selected) > 8 else ""
        where = "" if self._group.path is None else "; path=%r" % self._group.path
        return "zarr.Table(%d rows, %d columns: %s%s%s)" % (meta["nrows"], len(selected), shown,
                                                          more, where)

    # Columns and rows.

    def _position(self, meta, label):
        labels = meta["columns"]["labels"]
        matches = [i for i in self._selected(meta)
                   if labels[i] == label or labels[i] != labels[i] and label != label]  # NaN
        if not matches:
            raise KeyError(label)
        exact = [i for i in matches if type(labels[i]) is type(label)]  # 1 and True differ
        return (exact or matches)[0]

    def __getitem__(self, key):
        if isinstance(key, slice):
            return self.to_pandas(rows=key)
        meta = self._meta()
        if isinstance(key, (list, tuple, np.ndarray)):
            positions = [self._position(meta, label) for label in key]
            if len(set(positions)) < len(positions):
                raise ValueError("a column is selected twice in %r" % (key,))
            view = Table.__new__(Table)
            view._group, view._positions = self._group, positions
            return view
        return self._group[meta["specs"][self._position(meta, key)]["array"]]

    def column(self, label):
        """The zarr array of the column ``label``, as ``t[label]``."""
        return self[label]

    def to_pandas(self, rows=None, columns=None, threads=None):
        """The table, or some of its rows and columns, as a DataFrame.

        Parameters
        ----------
        rows : slice, optional
            Rows as ``df.iloc[rows]`` selects them; all by default.
        columns : list of labels, optional
            Columns, in this order; all (of this view) by default.
        threads : int, optional
            Threads reading the arrays (default :func:`zarr.get_threads`).

        Examples
        --------
        >>> import pandas as pd, zarr
        >>> df = pd.DataFrame({"a": range(6), "b": list("uvwxyz")}, index=list("pqrstu"))
        >>> zarr.from_pandas(df, zarr.group(), chunks=4).to_pandas(slice(-2, None), ["b"])
           b
        t  y
        u  z
        """
        pd = _pandas()
        if columns is not None:
            return self[list(columns)].to_pandas(rows, threads=threads)
        if rows is None:
            rows = slice(None)
        if not isinstance(rows, slice):
            raise TypeError("rows must be a slice, not %s" % type(rows).__name__)
        meta = self._meta()
        n, ispec, selected = meta["nrows"], meta["index"], self._selected(meta)
        specs = [meta["specs"][i] for i in selected]
        for i, spec in zip(selected, specs):
            if "shape" in spec:
                raise TypeError("column %r has rows of shape %s: a DataFrame cannot hold it"
                                % (meta["columns"]["labels"][i], tuple(spec["shape"])))
        levels = ispec["levels"] if ispec["kind"] == "levels" else []
        wanted = range(n)[rows]
        forward = wanted if wanted.step > 0 else wanted[::-1]
        tasks = []
        read = [self._read_arrays(spec, forward, tasks) for spec in specs + levels]
        run_tasks(_interleave(tasks), threads)
        values = []
        for spec, (arrays, categories) in zip(specs + levels, read):
            if forward is not wanted:
                arrays = {role: a[::-1] for role, a in arrays.items()}
            if categories is not None:
                categories = _decode(spec["categories"], categories)
            values.append(_decode(spec, arrays, categories))
        if ispec["kind"] == "range":
            start, step = ispec["start"], ispec["step"]
            index = pd.RangeIndex(start, start + step * n, step, name=ispec["name"])[rows]
        else:
            index = [_level(spec, v, rows.step, name) for spec, v, name in
                     zip(levels, values[len(specs):], ispec["names"])]
            index = pd.MultiIndex.from_arrays(index) if ispec["multi"] else index[0]
        df = pd.DataFrame({i: pd.Series(v, dtype=v.dtype, copy=False)
                           for i, v in enumerate(values[:len(specs)])},
                          index=pd.RangeIndex(len(wanted)), copy=False)
        df.index = index
        df.columns = _columns_index(meta["columns"])[selected]
        return df

    def _read_arrays(self, spec, rows, tasks):
        """Arrays to receive the column's rows (all with None), by role, and its
        categories' arrays or None; ``tasks`` gets the reads that fill them."""
        arrays = {}
        for role, member in zip(("array", "mask"), _row_members(spec)):
            z = self._group[member]
            arrays[role] = _read_task(z, range(len(z)) if rows is None else rows, tasks)
        categories = None
        if spec["kind"] == "categorical":
            categories = self._read_arrays(spec["categories"], None, tasks)[0]
        return arrays, categories

    # Appending.

    def append(self, df, threads=None):
        """Append the rows of ``df``, which must have the table's column labels
        (in any order) and dtypes, and an index of the same names and dtypes.

        Everything is converted and checked before anything is written: a
        column of another dtype (other than numbers that cast safely) raises
        a TypeError naming it. If a write fails, every column is cut back to
        its old length, leaving the table as it was. The index stays a
        RangeIndex while the rows continue it, as ``pandas.concat`` keeps it.
        Appends from several threads take turns; several processes must not
        append to one table at once.

        Examples
        --------
        >>> import pandas as pd, zarr
        >>> t = zarr.from_pandas(pd.DataFrame({"a": [1, 2]}), zarr.group())
        >>> t.append(pd.DataFrame({"a": [3]}, index=[2]))
        >>> t.to_pandas()["a"].tolist(), type(t.index).__name__
        ([1, 2, 3], 'RangeIndex')
        """
        with _table_lock(self._group):
            self._append(df, threads)

    def _append(self, df, threads):
        pd = _pandas()
        if self._positions is not None:
            raise ValueError("append to the whole table, not to a selection of its columns")
        if self.read_only:
            raise ReadOnlyError("cannot append: the table at %s is open read-only (mode 'r')"
                                % self._group.path)
        if not isinstance(df, pd.DataFrame):
            raise TypeError("append takes a DataFrame, not %s" % type(df).__name__)
        meta = self._meta()
        n, m = meta["nrows"], len(df)
        columns = _columns_index(meta["columns"])
        if not df.columns.is_unique:
            raise ValueError("column labels must be unique")
        where = df.columns.get_indexer(columns)
        missing = [label for label, i in zip(columns, where) if i < 0]
        extra = [label for label in df.columns if columns.get_indexer([label])[0] < 0]
        if missing or extra:
            raise ValueError("the rows to append lack the columns %r and have columns %r "
                             "the table has not" % (missing, extra))
        # (spec, (the new rows' arrays, object codec)); the write may rename a spec's array.
        parts = [(spec, self._encode_like(spec, df.iloc[:, i], "column %r" % (label,)))
                 for spec, i, label in zip(meta["specs"], where, columns)]
        made = {}
        index, names = meta["index"], list(df.index.names)
        have = [index["name"]] if index["kind"] == "range" else index["names"]
        if names != have:
            raise ValueError("the rows to append have index names %r, the table %r"
                             % (names, have))
        if index["kind"] == "range":
            new = _as_range(df.index)
            new = new if new is None else _range_append(index["start"], index["step"], n, new)
            if new is not None:
                meta["index"] = _range_spec(new[0], new[1], index["name"])
            else:  # the index becomes an array
                level = {"kind": "numpy", "dtype": "<i8",
                         "array": self._fresh("__index_level_0__")}
                parts.append((level, self._encode_like(level, df.index, "the index")))
                made[level["array"]] = index["start"] + index["step"] * np.arange(n)
                meta["index"] = dict(_levels_spec(names, False), levels=[level])
        else:
            for k, level in enumerate(index["levels"]):
                parts.append((level, self._encode_like(level, df.index.get_level_values(k),
                                                       "index level %d" % k)))
            if any("freq" in level for level in index["levels"]):
                # pandas keeps a frequency that the new rows continue
                tail = self.to_pandas(rows=slice(n - 1, None), columns=[]).index
                for k, level in enumerate(index["levels"]):
                    _set_freq(level, tail.get_level_values(k).append(
                        df.index.get_level_values(k)))
        meta["nrows"] = n + m
        self._write_rows(meta, parts, made, n, m, threads)

    def _encode_like(self, spec, v, where):
        """The row arrays of ``v`` stored as the column ``spec``, and the object
        codec they need; TypeError if they cannot be stored so."""
        if "shape" in spec:
            raise TypeError("%s has rows of shape %s: a DataFrame cannot append to it"
                            % (where, tuple(spec["shape"])))
        expected, have = self._dtype(spec), v.dtype
        if have != expected:
            if not (isinstance(have, np.dtype) and isinstance(expected, np.dtype)
                    and have.kind in "iufc" and expected.kind in "iufc"
                    and np.can_cast(have, expected, "safe")):
                raise TypeError("%s: rows of dtype %s cannot be appended to a column of dtype %s"
                                % (where, have, expected))
            v = v.astype(expected)
        elif spec["kind"] == "categorical":
            # Equal unordered categories may come in another order: recode to the table's.
            v = v.cat.set_categories(expected.categories)
        column = _encode(v, where)
        arrays = [column.arrays[role] for role in ("array", "mask") if role in column.arrays]
        return arrays, column.spec.get("codec")

    def _write_rows(self, meta, parts, made, n, m, threads):
        """Write the new rows of every column, then the metadata; if that fails,
        cut every column back to n rows and remove the arrays made for it."""
        group = self._group
        resized, created, replaced, tasks = [], [], [], []

        def create(member, dtype, codec):
            z = _create(group, member, n + m, dtype, codec, meta["chunks"], meta["options"])
            created.append(member)
            return z

        try:
            for spec, (arrays, codec) in parts:
                for role, values in zip(("array", "mask"), arrays):
                    member = spec[role]
                    if member in made:  # a RangeIndex becoming an array
                        z = create(member, values.dtype, None)
                        tasks.append(_write_tasks(z, 0, np.concatenate([made[member], values])))
                    elif role == "array" and spec.get("codec") == "vlen-utf8" and \
                            codec == "msgpack2" and m:
                        # Strings so far, other objects now: a msgpack2 copy replaces the array.
                        old = group[member]
                        z = create(self._fresh(member + "_msgpack2"), old.dtype, codec)
                        tasks.append([partial(_copy_rows, z, a, b, old, n, values)
                                      for a, b in _slabs(z, 0, n + m)])
                        replaced.append(member)
                        spec["array"], spec["codec"] = created[-1], codec
                    else:
                        z = group[member]
                        z.resize(n + m)
                        resized.append(z)
                        tasks.append(_write_tasks(z, n, values))
            run_tasks(_interleave(tasks), threads)
            group.attrs["table"] = meta
        except BaseException:
            for z in resized:
                z.resize(n)
            for member in created:
                del group[member]
            raise
        for member in replaced:
            del group[member]

    def _fresh(self, member):
        return unique_name(member, set(self._group))
