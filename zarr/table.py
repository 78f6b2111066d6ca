"""Tables: pandas DataFrames kept as groups of equal-length column arrays.

A table is a :class:`zarr.Group` whose member arrays are its columns, all of
one length, in any store (memory, a directory of the Zarr v2 format), where
zarr-python and other readers see the columns as plain 1-D arrays. The
group's attribute ``"table"`` holds what pandas needs to rebuild the frame:
the column labels in order, each column's dtype and arrays, and the index;
:mod:`zarr.columns` says how each column and the index are stored. pandas is
needed only by what takes or makes DataFrames: ``import zarr`` works without
it.

:func:`from_pandas` builds a table under a hidden name beside where it goes
and puts it there only once it is whole (:mod:`zarr.aside`), so a write that
fails leaves what was there as it was; by default (mode 'w-') it refuses to
replace anything. Columns are written and read in parallel, a few chunks of
one column a task, the columns' tasks in turn, on the threads of
:func:`zarr.parallel.run_tasks`.

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
import json
import os
from functools import partial

import numpy as np

from zarr.advanced import orthogonal_plan
from zarr.aside import aside_path, discard, hidden_sibling, swap_in
from zarr.attrs import json_value
from zarr.columns import (ROLES, arrays_meta, as_index, check_options, columns_index,
                          copy_rows, create_array, decode, decode_frame, dtype_name,
                          encode_frame, encode_like, encode_rows, interleave, member_name,
                          pandas, pandas_dtype, read_task, row_members, slabs, unique_name,
                          write_tasks)
from zarr.errors import ContainsArrayError, ContainsGroupError, MetadataError, ReadOnlyError
from zarr.hierarchy import Group, open_group, open_group_at
from zarr.meta import load_json
from zarr.locks import thread_lock
from zarr.names import split_name
from zarr.parallel import run_tasks
from zarr.storage import ATTRS, GROUP_META, LocalStore, as_store, join_key, node_kind

__all__ = ["Table", "from_pandas", "open_table", "member_name", "unique_name"]

FORMAT = 1


# Writing a frame.

def from_pandas(df, where, chunks=None, mode="w-", name=None, threads=None, **array_options):
    """Write a DataFrame as a table: a group holding one array a column.

    Every column and the index are converted and checked before anything is
    written: a dtype that cannot be stored raises a TypeError naming the
    column, and nothing is written. The table is then built under a hidden
    name beside its place, its columns written in parallel, and put in place
    only once whole: if a write fails, what was there is left as it was
    (byte for byte) and what was written is removed.

    Parameters
    ----------
    df : pandas.DataFrame
    where : str, path-like, store or zarr.Group
        A directory or a store (the table is its top group), or a group to
        write into: itself, or its member group ``name``.
    chunks : int, optional
        Rows a chunk; by default about 1 MB of each column's dtype.
    mode : {'w-', 'w'}
        'w-' (the default) refuses to replace anything: it raises
        :class:`zarr.ContainsGroupError` (:class:`zarr.ContainsArrayError`
        for an array) if an array is there, or a group with members or
        attributes, and changes nothing; an empty group is written into.
        'w' replaces what is there (a group's members and attributes too).
        Either refuses a directory or keys that are not an array nor a group.
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
    >>> zarr.from_pandas(df, path)
    Traceback (most recent call last):
    ...
    zarr.errors.ContainsGroupError: [Errno 17] a group with members or attributes is ...
    >>> len(zarr.from_pandas(df.iloc[:1], path, mode="w"))
    1
    """
    pd = pandas()
    if not isinstance(df, pd.DataFrame):
        raise TypeError("from_pandas takes a DataFrame, not %s" % type(df).__name__)
    if mode not in ("w", "w-"):
        raise ValueError("mode must be 'w' or 'w-', not %r" % (mode,))
    store = where.store if isinstance(where, Group) else as_store(where)
    chunks = check_options(chunks, array_options, isinstance(store, LocalStore))
    meta, parts = encode_frame(df)
    meta = dict(meta, format=FORMAT, nrows=len(df), chunks=chunks, options=array_options,
                pandas=pd.__version__)
    try:
        meta = json.loads(json.dumps(json_value(meta, "table")))
    except TypeError as e:
        raise TypeError("the index's names cannot be stored: %s" % e) from None

    target = _Target(where, store, mode, name)
    try:
        group = target.group
        tasks = []
        for member, values, codec in parts:
            z = create_array(group, member, len(values), values.dtype, codec, chunks, array_options)
            tasks.append(write_tasks(z, 0, values))
        run_tasks(interleave(tasks), threads)
        group.attrs["table"] = meta
        group = target.commit()
    except BaseException:
        target.discard()
        raise
    return Table(group)


def _table_lock(group):
    """The lock of the table in ``group`` in this process (appends in other
    processes are not serialized: one process appends at a time). A table in
    a directory has one lock however its group was opened."""
    return thread_lock("table", group.store.lock_identity(group.key_prefix))


class _Target:
    """Where from_pandas writes: a new group built under a hidden name beside
    the node it will be (:mod:`zarr.aside`), put in place by :meth:`commit`
    only once whole, so that a write that fails leaves what was there byte
    for byte. A directory's top (a path, a group at the top of a LocalStore)
    is built in the LocalStore of its parent directory, beside itself; the
    top of another store is built under a hidden name in it (:func:`_swap_top`).
    """

    def __init__(self, where, store, mode, name):
        if isinstance(where, Group) and where.read_only or store.read_only:
            raise ReadOnlyError("cannot write a table: %s is open read-only (mode 'r')"
                                % (where.name if isinstance(where, Group) else repr(store)))
        if not store.supports_deletes:
            raise NotImplementedError(
                "cannot write a table into %r: a table is built aside and moved into place, "
                "and this store cannot move or remove what it holds; write it into a "
                "directory (and archive that with ZipStore.from_store)" % (store,))
        if name is not None and not isinstance(where, Group):
            where = open_group(store, mode="a")
        if isinstance(where, Group):
            prefix, options = where.key_prefix, dict(where._nodes.array_options)
            parts = [] if name is None else split_name(name)
            prefix = join_key(prefix, "/".join(parts)) if parts else prefix
            self._reopen = (lambda: where) if name is None else (lambda: where[name])
        else:
            prefix, options, parts = "", {}, []
            self._reopen = partial(open_group, store, mode="r+")
        if not prefix and isinstance(store, LocalStore):
            parent, base = os.path.split(os.path.abspath(store.root))
            if base:
                store, prefix = LocalStore(parent, fsync=store.fsync), base
        self._store, self._prefix, self._mode = store, prefix, mode
        self._where = store.directory(prefix) if isinstance(store, LocalStore) else \
            "/%s in %r" % (prefix, store)
        self._existed = _check_target(store, prefix, mode, self._where)
        if len(parts) > 1:
            where.require_group("/".join(parts[:-1]))
        options["process_sync"] = False  # no other process sees the aside
        self._aside = aside_path(prefix or "table")
        self.group = open_group_at(store, self._aside, mode="w-", **options)

    def discard(self):
        discard(self._store, self._aside)

    def commit(self):
        """The group written, in its place."""
        store, aside, prefix = self._store, self._aside, self._prefix
        if not prefix:
            _swap_top(store, aside)
        elif self._existed or self._mode == "w":
            swap_in(store, aside, prefix)
        else:
            try:  # a rename that refuses a node made meanwhile
                store.rename(aside, prefix)
            except FileExistsError:
                raise ContainsGroupError(errno.EEXIST, "a node was made meanwhile at "
                                         "(mode 'w-')", self._where) from None
        return self._reopen()


def _check_target(store, prefix, mode, where):
    """Whether a node is at ``prefix`` to be replaced; raises if ``mode`` 'w-'
    refuses it, or if what is there is not a node of the Zarr v2 format."""
    kind = node_kind(store, prefix)
    if kind is None:
        if prefix and prefix in store:
            raise FileExistsError(errno.EEXIST, "a file is in the way", where)
        if isinstance(store, LocalStore):  # hidden files and directories count
            found = os.path.isdir(where) and os.listdir(where)
        else:
            found = store.list_dir(prefix)
        if found:
            raise FileExistsError(errno.EEXIST, "not an array nor a group: refusing to "
                                  "overwrite", where)
        return bool(prefix) and store.contains_prefix(prefix)
    if mode == "w-" and kind == "array":
        raise ContainsArrayError(errno.EEXIST, "an array is already at (mode 'w-'; mode 'w' "
                                 "replaces it)", where)
    if mode == "w-" and not _empty_group(store, prefix):
        raise ContainsGroupError(errno.EEXIST, "a group with members or attributes is already "
                                 "at (mode 'w-'; mode 'w' replaces it)", where)
    return True


def _empty_group(store, prefix):
    """Whether the group at ``prefix`` holds nothing: no member, no other key
    than its metadata and empty attributes (hidden names aside)."""
    names = [name for name in store.list_dir(prefix) if name == ATTRS or name[:1] != "."]
    if names != [ATTRS]:
        return not names
    key = join_key(prefix, ATTRS)
    try:
        return load_json(store.get(key), key) == {}
    except KeyError:
        return True
    except MetadataError:  # not JSON (or too deep, too large): something, kept
        return False


def _swap_top(store, aside):
    """Put the group built at ``aside`` at the top of ``store``: the old keys
    and members (but a group's ``.zgroup``) are moved under a hidden name, the
    new ones moved in, then the old ones removed. A reader meanwhile may see
    some of each; if a move fails, those done are undone, leaving the old."""
    old = hidden_sibling("table", "removing")

    def move(source, dest):
        if store.contains_prefix(source):
            store.rename(source, dest)
        else:
            store.set(dest, store.get(source))
            store.delete(source)

    keep = {GROUP_META} if node_kind(store, "") == "group" else set()
    moves = [(name, join_key(old, name)) for name in store.list_dir("") if name not in keep
             and not (name.startswith(".") and store.contains_prefix(name))]  # asides stay
    moves += [(join_key(aside, name), name) for name in store.list_dir(aside)
              if name not in keep]
    done = []
    try:
        for source, dest in moves:
            move(source, dest)
            done.append((source, dest))
    except BaseException:
        for source, dest in reversed(done):
            move(dest, source)
        raise
    store.delete_prefix(old)
    store.delete_prefix(aside)


def holds_table(group):
    """Whether ``group`` holds a table (its attribute ``table`` names a format)."""
    meta = group.attrs.get("table")
    return isinstance(meta, dict) and "format" in meta


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
        meta = arrays_meta(names, labels, [group[name] for name in names])
        group.attrs["table"] = json_value(dict(meta, format=FORMAT), "table")
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
        return pandas().Series([self._dtype(meta["specs"][i]) for i in selected], dtype=object,
                                index=columns_index(meta["columns"])[selected])

    @property
    def index(self):
        """The row labels, as a pandas Index."""
        return self.to_pandas(columns=[]).index

    def _dtype(self, spec):
        if spec["kind"] != "categorical":
            return pandas_dtype(spec)
        tasks = []
        arrays = self._read_arrays(spec["categories"], None, tasks)[0]
        run_tasks(interleave(tasks))
        return pandas_dtype(spec, as_index(decode(spec["categories"], arrays)))

    def __repr__(self):
        meta = self._meta()
        selected = self._selected(meta)
        shown = ", ".join("%r %s" % (meta["columns"]["labels"][i], dtype_name(meta["specs"][i]))
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
        if isinstance(key, slice) or _is_row_mask(key):
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

    @property
    def iloc(self):
        """Rows by position, as a DataFrame: ``t.iloc[rows]`` is
        ``t.to_pandas(rows)`` (a slice, integer positions or a boolean mask).

        Examples
        --------
        >>> import pandas as pd, zarr
        >>> t = zarr.from_pandas(pd.DataFrame({"a": [5, 6, 7, 8]}), zarr.group(), chunks=2)
        >>> t.iloc[[3, 0, 3]]["a"].tolist(), t[t["a"][...] > 6].index.tolist()
        ([8, 5, 8], [2, 3])
        """
        return _Rows(self)

    def column(self, label):
        """The zarr array of the column ``label``, as ``t[label]``."""
        return self[label]

    def to_pandas(self, rows=None, columns=None, threads=None):
        """The table, or some of its rows and columns, as a DataFrame.

        Parameters
        ----------
        rows : slice, integer array or boolean array, optional
            Rows as ``df.iloc[rows]`` selects them (positions in any order,
            repeated or negative; a mask of the table's length); all by
            default.
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
        if columns is not None:
            return self[list(columns)].to_pandas(rows, threads=threads)
        if rows is None:
            rows = slice(None)
        meta = self._meta()
        n, ispec, selected = meta["nrows"], meta["index"], self._selected(meta)
        if not isinstance(rows, slice):
            rows = row_positions(rows, n)
        specs = [meta["specs"][i] for i in selected]
        for i, spec in zip(selected, specs):
            if "shape" in spec:
                raise TypeError("column %r has rows of shape %s: a DataFrame cannot hold it"
                                % (meta["columns"]["labels"][i], tuple(spec["shape"])))
        levels = ispec["levels"] if ispec["kind"] == "levels" else []
        if isinstance(rows, slice):
            wanted = range(n)[rows]
            forward = wanted if wanted.step > 0 else wanted[::-1]
        else:
            forward = rows
        tasks = []
        read = [self._read_arrays(spec, forward, tasks) for spec in specs + levels]
        run_tasks(interleave(tasks), threads)
        return decode_frame(meta, selected, read, rows)

    def _read_arrays(self, spec, rows, tasks):
        """Arrays to receive the column's rows (all with None), by role, and its
        categories' arrays or None; ``tasks`` gets the reads that fill them."""
        arrays = {}
        for role, member in zip(ROLES, row_members(spec)):
            z = self._group[member]
            arrays[role] = read_task(z, range(len(z)) if rows is None else rows, tasks)
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
        if self._positions is not None:
            raise ValueError("append to the whole table, not to a selection of its columns")
        if self.read_only:
            raise ReadOnlyError("cannot append: the table at %s is open read-only (mode 'r')"
                                % self._group.path)
        if not isinstance(df, pandas().DataFrame):
            raise TypeError("append takes a DataFrame, not %s" % type(df).__name__)
        meta = self._meta()
        n, m = meta["nrows"], len(df)
        parts, made = encode_rows(
            meta, df, self._encode_like, self._fresh,
            lambda: self.to_pandas(rows=slice(n - 1, None), columns=[]).index)
        self._write_rows(meta, parts, made, n, m, threads)

    def _encode_like(self, spec, v, where):
        """The row arrays of ``v`` stored as the column ``spec``, and the object
        codec they need; TypeError if they cannot be stored so."""
        expected = None if "shape" in spec else self._dtype(spec)
        return encode_like(spec, expected, v, where)

    def _write_rows(self, meta, parts, made, n, m, threads):
        """Write the new rows of every column, then the metadata; if that fails,
        cut every column back to n rows and remove the arrays made for it."""
        group = self._group
        resized, created, replaced, tasks = [], [], [], []

        def create(member, dtype, codec):
            z = create_array(group, member, n + m, dtype, codec, meta["chunks"], meta["options"])
            created.append(member)
            return z

        try:
            for spec, (arrays, codec) in parts:
                for role, values in zip(ROLES, arrays):
                    member = spec[role]
                    if member in made:  # a RangeIndex becoming an array
                        z = create(member, values.dtype, None)
                        tasks.append(write_tasks(z, 0, np.concatenate([made[member], values])))
                    elif role == "array" and spec.get("codec") in ("vlen-utf8", "vlen-bytes") \
                            and codec != spec["codec"] and m:
                        # Strings (or bytes) so far, other objects now: a msgpack2 copy
                        # replaces the array.
                        old, codec = group[member], "msgpack2"
                        z = create(self._fresh(member + "_msgpack2"), old.dtype, codec)
                        tasks.append([partial(copy_rows, z, a, b, old, n, values)
                                      for a, b in slabs(z, 0, n + m)])
                        replaced.append(member)
                        spec["array"], spec["codec"] = created[-1], codec
                    else:
                        z = group[member]
                        z.resize(n + m)
                        resized.append(z)
                        tasks.append(write_tasks(z, n, values))
            run_tasks(interleave(tasks), threads)
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


class _Rows:
    """``t.iloc``: rows of a table by position."""

    __slots__ = ("table",)

    def __init__(self, table):
        self.table = table

    def __getitem__(self, rows):
        return self.table.to_pandas(rows=rows)


def _is_row_mask(key):
    """Whether a key of ``t[key]`` is a boolean array selecting rows (as in pandas)."""
    dtype = getattr(key, "dtype", None)
    return dtype is not None and getattr(key, "ndim", 0) == 1 and np.dtype(dtype) == bool


def row_positions(rows, n):
    """Row positions (intp, in bounds) of an integer array or a boolean mask of
    n rows, with numpy's errors.

    Examples
    --------
    >>> row_positions([2, -1], 4).tolist(), row_positions([True, False, True], 3).tolist()
    ([2, 3], [0, 2])
    """
    positions = orthogonal_plan((rows,), (n,)).dims[0] if np.ndim(rows) else None
    if not isinstance(positions, np.ndarray):
        raise TypeError("rows must be a slice, integer positions or a boolean mask, not %r"
                        % (rows,))
    return positions
