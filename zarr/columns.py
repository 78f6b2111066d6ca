"""The columns of tables: how a pandas column or index becomes arrays and back.

:mod:`zarr.table` keeps a table as a group in a store; this module says
what its arrays hold, how they are made, and the chunk-aligned tasks that
write and read them. A column (a Series) or an index level is stored as one
or a few 1-D arrays and a spec, a JSON dict kept in the table's attribute
that says how to rebuild it:

- numbers, bools, datetime64 and timedelta64: an array of the same dtype;
  tz-aware datetimes as datetime64 in UTC, with the time zone's name.
- object columns: an object array, ``vlen-utf8`` when every value is a str
  and ``vlen-bytes`` when every one is bytes (as zarr-python writes them),
  else ``msgpack2``, which holds str, bytes, int, float, bool and None.
  Appending other values to such a column rewrites it as ``msgpack2``.
- pandas strings (``str``, ``string``) and nullable integers, floats and
  booleans (``Int64``, ``Float64``, ``boolean``...): the values and a bool
  array ``__<name>_mask__``, True where a value is missing.
- categoricals: the integer codes, and the categories as a short column of
  their own, ``__<name>_categories__``; ``ordered`` in the spec.

A column whose label is not a usable member name (not a str, holding ``/``,
empty, beginning with ``.``, of the form ``__x__``, or longer than
:data:`MAX_NAME_BYTES` in UTF-8) is stored as ``__column_<position>__``. A RangeIndex is kept as numbers in the attribute;
any other index (named, datetime, string, MultiIndex) as one array a level,
``__index_level_0__``, ``__index_level_1__``... (pyarrow's names), which no
column label may take.

pandas is imported only when a frame is encoded or decoded.

Examples
--------
>>> import pandas as pd
>>> column = encode(pd.Series(pd.array([1, None], dtype="Int64")), "column 'n'")
>>> [(member, values.tolist()) for member, values, _ in column.name("n", lambda m: m)]
[('n', [1, 0]), ('__n_mask__', [False, True])]
>>> column.spec
{'kind': 'masked', 'dtype': 'Int64', 'array': 'n', 'mask': '__n_mask__'}
>>> decode(column.spec, {"array": np.array([1, 0]), "mask": np.array([False, True])})
<IntegerArray>
[1, <NA>]
Length: 2, dtype: Int64
>>> member_name("x", 0), member_name(7, 1), member_name("a/b", 2)
('x', '__column_1__', '__column_2__')
"""

import re
from functools import partial
from itertools import zip_longest

import numpy as np

from zarr.attrs import json_value
from zarr.core import Array
from zarr.errors import MetadataError
from zarr.names import split_name
from zarr.objects import object_options

__all__ = ["member_name", "unique_name"]

#: Rows a chunk holds when ``chunks`` is not given: about this many bytes.
CHUNK_BYTES = 1 << 20
#: The bytes an element of an object column is reckoned at when choosing chunks.
OBJECT_ITEMSIZE = 64
#: A write or read task covers whole chunks of one array, at least this many bytes.
TASK_BYTES = 4 << 20
#: The options of a table's arrays.
ARRAY_OPTIONS = ("cname", "clevel", "shuffle", "blocksize", "dimension_separator")
_MASKED = {"Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64",
           "Float32", "Float64", "boolean"}
_MSGPACK_TYPES = (str, bytes, int, float, type(None))
_INDEX_LEVEL = re.compile(r"__index_level_\d+__\Z")
#: The longest label a member is named by, in UTF-8 bytes: the names made from it
#: (``__<name>_categories__``, ``<name>_msgpack2_1``, ``.<name>.removing.<pid>.<n>``
#: while it is replaced) stay within the 255 bytes of a file name.
MAX_NAME_BYTES = 128
#: The roles of a column's row arrays, in the order they are listed.
ROLES = ("array", "mask")


def pandas():
    """The pandas module; ImportError saying how to install it if it is missing."""
    try:
        import pandas
    except ImportError:
        raise ImportError("zarr tables need pandas: pip install 'zarr-engine[pandas]'") from None
    return pandas


# A Series or an Index as stored, and back.

class Column:
    """A Series or Index as stored: its spec (JSON, for the attribute), its row
    arrays by role ('array', and 'mask' where values may be missing), and, for
    a categorical, its categories as another Column."""

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


def encode(v, where):
    """How ``v`` (a Series or an Index) is stored; TypeError naming ``where`` if it cannot be."""
    pd = pandas()
    dtype = v.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return Column({"kind": "categorical", "ordered": bool(dtype.ordered)},
                      {"array": np.asarray(v.array.codes)},
                      encode(dtype.categories, where + " (categories)"))
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
        return Column({"kind": "numpy", "dtype": dtype.str}, {"array": v.to_numpy()})
    elif isinstance(dtype, np.dtype) and dtype.kind == "O":
        values = v.to_numpy()
        return Column({"kind": "object", "codec": _object_codec(values, where)},
                      {"array": values})
    else:
        raise TypeError("%s: dtype %s cannot be stored in a table" % (where, dtype))
    try:
        same = pandas_dtype(spec) == dtype
    except Exception:  # a time zone pandas does not know by its name
        same = False
    if not same:
        raise TypeError("%s: dtype %s cannot be stored in a table (it does not come back "
                        "from its name)" % (where, dtype))
    return Column(spec, arrays)


def _object_codec(values, where):
    codec = object_options(values.dtype, data=values)[1]
    if codec != "msgpack2":
        return codec
    types = set(map(type, values))
    bad = sorted({t.__name__ for t in types if not issubclass(t, _MSGPACK_TYPES)})
    if bad:
        raise TypeError("%s: values of type %s cannot be stored (an object column holds "
                        "str, bytes, int, float, bool and None)" % (where, ", ".join(bad)))
    if any(issubclass(t, int) and t is not bool for t in types):
        big = [x for x in values if isinstance(x, int) and not -2**63 <= x < 2**64]
        if big:
            raise TypeError("%s: the integer %d is too big to be stored" % (where, big[0]))
    return codec


def encode_like(spec, expected, v, where):
    """The row arrays of ``v`` stored as the column ``spec`` of pandas dtype
    ``expected``, and the object codec they need; TypeError if they cannot be
    stored so (numbers that cast safely are cast)."""
    if "shape" in spec:
        raise TypeError("%s has rows of shape %s: a DataFrame cannot append to it"
                        % (where, tuple(spec["shape"])))
    have = v.dtype
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
    column = encode(v, where)
    return [column.arrays[role] for role in ROLES if role in column.arrays], \
        column.spec.get("codec")


def pandas_dtype(spec, categories=None):
    """The pandas dtype of a stored column (a categorical's from its categories)."""
    pd = pandas()
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


def decode(spec, arrays, categories=None):
    """A column's values for pandas from its row arrays (and its decoded categories)."""
    pd = pandas()
    dtype = pandas_dtype(spec, None if categories is None else as_index(categories))
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


def as_index(values, name=None):
    return pandas().Index(values, dtype=values.dtype, name=name, copy=False)


def row_members(spec):
    """The members holding a column's rows, in the order of :data:`ROLES`."""
    return [spec["array"]] + ([spec["mask"]] if "mask" in spec else [])


def dtype_name(spec):
    """How a column's dtype is shown (as pandas shows it), without reading its categories."""
    kind = spec["kind"]
    if kind == "numpy":
        return np.dtype(spec["dtype"]).name
    if kind == "datetimetz":
        return "datetime64[%s, %s]" % (spec["unit"], spec["tz"])
    if kind == "string":
        return "str" if spec["na"] == "nan" else "string"
    return {"object": "object", "categorical": "category"}.get(kind, spec.get("dtype"))


def array_spec(member, label, z):
    """The spec of a column stored as the plain array ``z`` (member ``member``)."""
    check_label(label)
    spec = {"kind": "numpy", "dtype": z.dtype.str, "array": member}
    if z.dtype.hasobject:
        spec = {"kind": "object", "codec": z._object_codec, "array": member}
    elif z.dtype.kind not in "biufcmMSU":
        raise TypeError("column %r: dtype %s cannot be a column" % (label, z.dtype))
    if z.ndim > 1:
        spec["shape"] = list(z.shape[1:])
    return spec


# The arrays of a column.

def check_options(chunks, options, directory):
    """``chunks`` (rows a chunk, or None) as an int, checked with the array
    options (``directory``: whether the arrays are in a directory); ValueError
    or TypeError before anything is made."""
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


def create_array(group, member, n, dtype, codec, chunks, options):
    """The member array of a column's n rows (chunks of about CHUNK_BYTES by default)."""
    if chunks is None:
        chunks = max(1, CHUNK_BYTES // (OBJECT_ITEMSIZE if dtype.hasobject else dtype.itemsize))
    kwargs = dict(options) if codec is None else dict(options, object_codec=codec)
    return group.create(member, shape=(n,), dtype=dtype, chunks=chunks, **kwargs)


# Writing and reading a column's arrays: a task a chunk-aligned slab of one
# array, no two tasks on one chunk, the arrays' tasks in turn.

def slabs(z, start, stop):
    """Chunk-aligned pieces [a, b) of rows start..stop of z, of TASK_BYTES or more each."""
    rows = z.chunks[0]
    step = rows * max(1, TASK_BYTES // (rows * z.dtype.itemsize * int(np.prod(z.chunks[1:]))))
    a = start
    while a < stop:
        b = min(stop, (a // step + 1) * step)
        yield a, b
        a = b


def write_tasks(z, start, values):
    """The tasks writing ``values`` to rows start.. of z."""
    return [partial(z.set_basic_selection, slice(a, b), values[a - start:b - start], threads=1)
            for a, b in slabs(z, start, start + len(values))]


def interleave(lists):
    """The tasks of several arrays taken in turn, one of each, so that threads
    running side by side work on different arrays (directories, on disk)."""
    return [task for row in zip_longest(*lists) for task in row if task is not None]


def read_task(z, rows, tasks):
    """An array to receive z[rows] (a range of positive step, or an array of
    positions); ``tasks`` gets the list of the reads that fill it."""
    out = np.empty((len(rows),) + z.shape[1:], z.dtype)
    if isinstance(rows, np.ndarray):
        if len(rows):
            tasks.append([partial(z.get_orthogonal_selection, (rows,), out=out, threads=1)])
    elif rows.step == 1:
        tasks.append([partial(z.get_basic_selection, slice(a, b), threads=1,
                              out=out[a - rows.start:b - rows.start])
                      for a, b in slabs(z, rows.start, rows.stop)])
    elif len(rows):
        tasks.append([partial(z.get_basic_selection, slice(rows.start, rows.stop, rows.step),
                              out=out, threads=1)])
    return out


def copy_rows(dest, a, b, old, n, new):
    """Write rows a..b of dest: those below n from the array old, the others from new."""
    rows = [old.get_basic_selection(slice(a, min(b, n)), threads=1)] if a < n else []
    if b > n:
        rows.append(new[max(a, n) - n:b - n])
    dest.set_basic_selection(slice(a, b), np.concatenate(rows), threads=1)


# Column labels and member names.

def check_label(label):
    if isinstance(label, str) and _INDEX_LEVEL.match(label):
        raise ValueError("the column label %r is reserved for the index's arrays" % label)


def labels_spec(columns):
    """The column labels as JSON, checked to come back as the same Index."""
    if columns.nlevels > 1:
        raise TypeError("columns with %d levels cannot be stored in a table; join them into "
                        "single labels first" % columns.nlevels)
    if not columns.is_unique:
        raise ValueError("column labels must be unique; repeated: %r"
                         % sorted(set(columns[columns.duplicated()].tolist()), key=repr))
    for label in columns:
        check_label(label)
    try:
        spec = json_value({"labels": columns.tolist(), "dtype": str(columns.dtype),
                           "name": columns.name}, "columns")
    except TypeError as e:
        raise TypeError("column labels of dtype %s cannot be stored in a table: %s"
                        % (columns.dtype, e)) from None
    if isinstance(columns, pandas().RangeIndex):
        spec["range"] = [columns.start, columns.stop, columns.step]
    rebuilt = columns_index(spec)
    if rebuilt.dtype != columns.dtype or not rebuilt.equals(columns):
        raise TypeError("column labels of dtype %s cannot be stored in a table" % columns.dtype)
    return spec


def columns_index(spec):
    """The column labels' Index from their spec."""
    pd = pandas()
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
    return unique_name(label if usable(label) else "__column_%d__" % position, taken)


def unique_name(name, taken):
    """``name``, or ``name_1``, ``name_2``... the first not in ``taken``.

    Examples
    --------
    >>> unique_name("x", {"x", "x_1"})
    'x_2'
    """
    base, i = name, 1
    while name in taken:
        name, i = "%s_%d" % (base, i), i + 1
    return name


def usable(label):
    """Whether the column label ``label`` can be its member's name."""
    if not isinstance(label, str) or label.startswith("__") and label.endswith("__"):
        return False
    try:
        return len(label.encode("utf-8")) <= MAX_NAME_BYTES and len(split_name(label)) == 1
    except ValueError:  # UnicodeEncodeError (a lone surrogate) too
        return False


# A whole frame.

def encode_frame(df):
    """What the DataFrame ``df`` is stored as: the table attribute's
    ``columns``, ``index`` and ``specs``, and [(member, values, object codec)]
    to write. Raises TypeError or ValueError naming what cannot be stored,
    having made nothing."""
    pd = pandas()
    meta = {"columns": labels_spec(df.columns)}
    members = [label if usable(label) else None for label in df.columns]
    used = set(m for m in members if m is not None)

    def fresh(member):
        member = unique_name(member, used)
        used.add(member)
        return member

    columns = [encode(df.iloc[:, i], "column %r" % (label,))
               for i, label in enumerate(df.columns)]
    parts = []
    if isinstance(df.index, pd.RangeIndex):
        meta["index"] = range_spec(df.index.start, df.index.step, df.index.name)
    else:
        meta["index"] = levels_spec(df.index.names, isinstance(df.index, pd.MultiIndex))
        for k in range(df.index.nlevels):
            values = df.index.get_level_values(k)
            level = encode(values, "index level %d" % k)
            parts += level.name(fresh("__index_level_%d__" % k), fresh)
            set_freq(level.spec, values)
            meta["index"]["levels"].append(level.spec)
    for i, column in enumerate(columns):
        parts += column.name(members[i] or fresh("__column_%d__" % i), fresh)
    meta["specs"] = [column.spec for column in columns]
    return meta, parts


def decode_frame(meta, selected, read, rows):
    """The DataFrame of the rows ``rows`` (a slice, or an array of positions)
    of a table. ``read`` holds, for each column at the positions ``selected``
    then each index level, its row arrays by role (those rows, in increasing
    order for a slice) and its categories' arrays (or None)."""
    pd = pandas()
    n, ispec = meta["nrows"], meta["index"]
    levels = ispec["levels"] if ispec["kind"] == "levels" else []
    positions = isinstance(rows, np.ndarray)
    backward = not positions and range(n)[rows].step < 0
    values = []
    for spec, (arrays, categories) in zip([meta["specs"][i] for i in selected] + levels, read):
        if backward:
            arrays = {role: a[::-1] for role, a in arrays.items()}
        if categories is not None:
            categories = decode(spec["categories"], categories)
        values.append(decode(spec, arrays, categories))
    if ispec["kind"] == "range":
        start, step = ispec["start"], ispec["step"]
        index = pd.RangeIndex(start, start + step * n, step, name=ispec["name"])[rows]
    else:
        step = None if positions else rows.step
        index = [level(spec, v, step, name, not positions) for spec, v, name in
                 zip(levels, values[len(selected):], ispec["names"])]
        index = pd.MultiIndex.from_arrays(index) if ispec["multi"] else index[0]
    count = len(rows) if positions else len(range(n)[rows])
    df = pd.DataFrame({i: pd.Series(v, dtype=v.dtype, copy=False)
                       for i, v in enumerate(values[:len(selected)])},
                      index=pd.RangeIndex(count), copy=False)
    df.index = index
    df.columns = columns_index(meta["columns"])[selected]
    return df


def encode_rows(meta, df, encode_like, fresh, tail):
    """What appending the rows of ``df`` to the table of attribute ``meta``
    writes: [(spec, (row arrays, object codec))] for each column and index
    level, and {member: rows so far} for an index array to make (a RangeIndex
    the rows do not continue). ``meta`` gets the new index and length.

    ``encode_like(spec, v, where)`` encodes rows as a column is stored,
    ``fresh(member)`` names a new member, ``tail()`` is the index of the
    table's last row. Raises ValueError or TypeError naming a mismatch.
    """
    n = meta["nrows"]
    columns = columns_index(meta["columns"])
    if not df.columns.is_unique:
        raise ValueError("column labels must be unique")
    where = df.columns.get_indexer(columns)
    missing = [label for label, i in zip(columns, where) if i < 0]
    extra = [label for label in df.columns if columns.get_indexer([label])[0] < 0]
    if missing or extra:
        raise ValueError("the rows to append lack the columns %r and have columns %r "
                         "the table has not" % (missing, extra))
    # (spec, (the new rows' arrays, object codec)); the write may rename a spec's array.
    parts = [(spec, encode_like(spec, df.iloc[:, i], "column %r" % (label,)))
             for spec, i, label in zip(meta["specs"], where, columns)]
    made = {}
    index, names = meta["index"], list(df.index.names)
    have = [index["name"]] if index["kind"] == "range" else index["names"]
    if names != have:
        raise ValueError("the rows to append have index names %r, the table %r"
                         % (names, have))
    if index["kind"] == "range":
        new = as_range(df.index)
        new = new if new is None else range_append(index["start"], index["step"], n, new)
        if new is not None:
            meta["index"] = range_spec(new[0], new[1], index["name"])
        else:  # the index becomes an array
            spec = {"kind": "numpy", "dtype": "<i8", "array": fresh("__index_level_0__")}
            parts.append((spec, encode_like(spec, df.index, "the index")))
            made[spec["array"]] = index["start"] + index["step"] * np.arange(n)
            meta["index"] = dict(levels_spec(names, False), levels=[spec])
    else:
        for k, spec in enumerate(index["levels"]):
            parts.append((spec, encode_like(spec, df.index.get_level_values(k),
                                            "index level %d" % k)))
        if any("freq" in spec for spec in index["levels"]):
            # pandas keeps a frequency that the new rows continue
            last = tail()
            for k, spec in enumerate(index["levels"]):
                set_freq(spec, last.get_level_values(k).append(df.index.get_level_values(k)))
    meta["nrows"] = n + len(df)
    return parts, made


def arrays_meta(names, labels, arrays):
    """The table attribute (but its format) of the arrays ``arrays`` (members
    ``names``) as columns of labels ``labels``, with a RangeIndex."""
    if len(labels) != len(names):
        raise ValueError("%d labels for %d arrays" % (len(labels), len(names)))
    lengths = {len(z) for z in arrays}
    if len(lengths) > 1:
        raise ValueError("the arrays %r differ in length: %s" % (names, sorted(lengths)))
    return {"nrows": lengths.pop() if lengths else 0,
            "columns": {"labels": list(labels), "dtype": None, "name": None},
            "chunks": None, "options": {}, "index": range_spec(0, 1, None),
            "specs": [array_spec(name, label, z) for name, label, z in zip(names, labels, arrays)]}


# The index.

def range_spec(start, step, name):
    return {"kind": "range", "start": int(start), "step": int(step), "name": name}


def levels_spec(names, multi):
    return {"kind": "levels", "names": list(names), "multi": bool(multi), "levels": []}


def as_range(index):
    """``index`` as a RangeIndex if it is one or holds int64 in steps of one size, else None."""
    pd = pandas()
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


def range_append(start, step, n, new):
    """(start, step) of the n rows of a range followed by the RangeIndex ``new``
    when they make a range again, as pandas' concat finds it; else None.

    Examples
    --------
    >>> import pandas as pd
    >>> range_append(0, 1, 3, pd.RangeIndex(3, 5)), range_append(0, 1, 3, pd.RangeIndex(4, 6))
    ((0, 1), None)
    """
    if n == 0:
        return new.start, new.step
    if len(new) == 0:
        return start, step
    if n == 1:
        step = new.start - start
    if step != 0 and new.start == start + step * n and (len(new) == 1 or new.step == step):
        return start, step
    return None


def set_freq(spec, level):
    """Keep in ``spec`` the frequency of a datetime or timedelta index level, if
    it has one that comes back from its name."""
    spec.pop("freq", None)
    freq = getattr(level, "freq", None)
    if freq is not None and pandas().tseries.frequencies.to_offset(freq.freqstr) == freq:
        spec["freq"] = freq.freqstr


def level(spec, values, step, name, keep_freq=True):
    """An index level; a slice with a step has step times the frequency, as in
    pandas; rows picked by position (``keep_freq`` False) have none."""
    index = as_index(values, name)
    if "freq" in spec and keep_freq:
        freq = pandas().tseries.frequencies.to_offset(spec["freq"])
        index = type(index)(values, freq=freq if step is None else freq * step, name=name)
    return index
