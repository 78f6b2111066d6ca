"""``zarr copy``: an array or a hierarchy from one store to another, in
blocks (never the whole array in memory), rechunked and recompressed on the
way if asked.

The copy is written under a hidden name beside the destination and renamed
into place once whole, so that an interrupted copy never looks like a whole
one; on object storage, where nothing renames, a marker key
(:data:`INCOMPLETE_KEY`) says so until the copy is done.
"""

import json
import math
import os
import shutil
import sys

import numpy as np

import zarr
from zarr.cli.locations import Problem, UsageError, open_node, open_store
from zarr.core import Array
from zarr.creation import _like, _same_encoding
from zarr.hierarchy import Group, open_group
from zarr.progress import Progress
from zarr.storage import LocalStore, ZipStore, join_key
from zarr.storage.sharded import ShardedStore

#: The most bytes of values one block of a copy holds.
BLOCK_BYTES = 64 << 20
#: Marks a copy in progress on a store where nothing can be renamed.
INCOMPLETE_KEY = ".zcopy-incomplete"


def warn(message):
    print("zarr copy: warning: %s" % message, file=sys.stderr)


# Sources: zarr nodes, h5py objects and .npy files, seen the same way.

def open_source(loc, storage_options):
    if loc.kind == "hdf5":
        h5py = _h5py()
        try:
            f = h5py.File(loc.file, "r")
        except OSError as e:
            raise Problem("%s: not a readable HDF5 file (%s)" % (loc.file, e)) from None
        if loc.inner and loc.inner not in f:
            raise Problem("%s: no %r in the file" % (loc.file, loc.inner))
        return f[loc.inner or "/"]
    if loc.kind == "npy":
        try:
            return np.load(loc.file, mmap_mode="r", allow_pickle=False)
        except ValueError as e:
            raise Problem("%s: %s" % (loc.file, e)) from None
    return open_node(loc, storage_options)[0]


def _h5py():
    try:
        import h5py
    except ImportError:
        raise UsageError("HDF5 files need h5py: pip install h5py") from None
    return h5py


def _is_group(node):
    if isinstance(node, Group):
        return True
    h5py = sys.modules.get("h5py")
    return h5py is not None and isinstance(node, h5py.Group)


def _members(node):
    if isinstance(node, Group):
        return list(node)
    h5py = _h5py()
    return sorted(name for name in node.keys()
                  if isinstance(node.get(name), (h5py.Group, h5py.Dataset)))


def _json_value(value):
    if isinstance(value, np.ndarray):
        items = value.ravel() if value.dtype.hasobject else value
        return [_json_value(v) for v in items.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    return value


def source_attrs(node, where):
    if isinstance(node, (Array, Group)):
        return dict(node.attrs.asdict())
    if isinstance(node, np.ndarray):
        return {}
    attrs = {}
    for name, value in node.attrs.items():
        value = _json_value(value)
        try:
            json.dumps(value, allow_nan=True)
        except (TypeError, ValueError):
            warn("%s: attribute %r is not JSON; not copied" % (where, name))
            continue
        attrs[name] = value
    return attrs


def _reader(node):
    """What reads the source's values as numpy arrays (h5py strings as str)."""
    h5py = sys.modules.get("h5py")
    if h5py is not None and isinstance(node, h5py.Dataset) and \
            h5py.check_string_dtype(node.dtype) is not None:
        return node.asstr(), np.dtype(object)
    return node, node.dtype


# Destinations.

class Destination:
    """Where a copy is written: the final path, the hidden one it is built
    at, and how it is made whole (renamed) or thrown away."""

    def __init__(self, loc, options, overwrite, storage_options):
        self.loc, self.options, self.overwrite = loc, options, overwrite
        self.storage_options = storage_options
        self.kind = loc.kind if loc.kind != "file" else "directory"
        if loc.kind in ("zip", "hdf5", "npy") and loc.inner and os.path.lexists(loc.file):
            raise Problem("%s exists: a copy makes a new %s file; it cannot go into one "
                          "that is there" % (loc.file, loc.kind))
        if loc.kind == "npy" and loc.inner:
            raise UsageError("a .npy file holds one array: %s" % loc.text)
        self.final = loc.file
        self.building = None
        self.store = None
        self.h5file = None

    def exists(self):
        if self.kind == "url":
            store = open_store(self.loc, read_only=True, storage_options=self.storage_options)
            return store.contains_prefix(self.loc.inner) or any(
                join_key(self.loc.inner, name) in store for name in
                (".zarray", ".zgroup", "zarr.json"))
        return os.path.lexists(self.final)

    def begin(self):
        if self.exists() and not self.overwrite:
            raise Problem("%s exists: give --overwrite to replace it" % self.loc.text)
        if self.kind == "directory" and _foreign_directory(self.final):
            raise Problem("%s is a directory that holds no Zarr array or group: --overwrite "
                          "replaces only Zarr nodes (or an empty directory)" % self.loc.text)
        if self.kind == "url":
            self.store = open_store(self.loc, read_only=False,
                                    storage_options=self.storage_options)
            if self.overwrite:
                self.store.delete_prefix(self.loc.inner)
            self.store.set(join_key(self.loc.inner, INCOMPLETE_KEY), b"a copy is in progress")
            return
        parent = os.path.dirname(os.path.abspath(self.final))
        if not os.path.isdir(parent):
            raise Problem("%s: no such directory" % parent)
        self.building = LocalStore.hidden_name(os.path.abspath(self.final), "zcopy")
        if self.kind == "zip":
            self.store = ZipStore(self.building, "w")
        elif self.kind == "hdf5":
            self.h5file = _h5py().File(self.building, "w")
        elif self.kind == "directory":
            os.mkdir(self.building)
            self.store = ShardedStore(self.building) if self.options.get("sharded") else \
                LocalStore(self.building)

    def finish(self):
        if self.kind == "url":
            self.store.delete(join_key(self.loc.inner, INCOMPLETE_KEY))
            return
        if self.store is not None:
            self.store.close()
        if self.h5file is not None:
            self.h5file.close()
        old = None
        if os.path.lexists(self.final):
            old = LocalStore.hidden_name(os.path.abspath(self.final), "replaced")
            os.rename(self.final, old)
        os.rename(self.building, self.final)
        self.building = None
        if old is not None:
            _remove(old)

    def abandon(self):
        """Throw away what a copy that failed wrote; a message says what is left."""
        if self.kind == "url":
            return "%s holds an incomplete copy (marked by %s)" % (self.loc.text, INCOMPLETE_KEY)
        for closing in (self.store, self.h5file):
            try:
                if closing is not None:
                    closing.close()
            except Exception:
                pass
        if self.building is not None and os.path.lexists(self.building):
            try:
                _remove(self.building)
            except OSError as e:
                return "the incomplete copy is left at %s (%s)" % (self.building, e)
        return None


def _foreign_directory(path):
    """Whether ``path`` is a directory with entries but no Zarr metadata at its top."""
    if not os.path.isdir(path) or os.path.islink(path):
        return False
    names = set(os.listdir(path))
    return bool(names) and not names & {".zarray", ".zgroup", "zarr.json"}


def _remove(path):
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    else:
        os.unlink(path)


def copy_blocks(shape, chunks, itemsize, budget=BLOCK_BYTES):
    """The selections of a copy: blocks of whole chunks of ``chunks``
    (the destination's), C order, each of about ``budget`` bytes at most
    (one chunk at least).

    Examples
    --------
    >>> blocks = copy_blocks((10, 4), (3, 2), 8, budget=96)  # 3 rows of 4
    >>> len(blocks), blocks[0]
    (4, (slice(0, 3, None), slice(0, 4, None)))
    >>> len(copy_blocks((10, 4), (3, 2), 8, budget=64))  # a chunk at a time
    8
    """
    ndim = len(shape)
    if ndim == 0:
        return [()]
    block = [min(c, max(s, 1)) for c, s in zip(chunks, shape)]
    for axis in reversed(range(ndim)):
        per = math.prod(block) // block[axis] * itemsize
        fit = budget // max(per, 1)
        if fit >= shape[axis]:
            block[axis] = max(shape[axis], 1)
            continue
        block[axis] = max(block[axis], fit - fit % block[axis])
        break
    grid = [max(1, -(-s // b)) for s, b in zip(shape, block)]
    return [tuple(slice(i * b, (i + 1) * b) for i, b in zip(index, block))
            for index in np.ndindex(*grid)]


def _chunks_for(src, options):
    """--chunks for an array of as many dimensions, else None (with a warning)."""
    chunks = options.get("chunks")
    if chunks is not None and len(chunks) != len(src.shape):
        warn("%s has %d dimensions: --chunks %s leaves its chunks as they are"
             % (getattr(src, "name", None) or "an array", len(src.shape),
                ",".join(map(str, chunks))))
        return None
    if chunks is not None:  # a chunk longer than its axis holds no more
        chunks = tuple(min(c, max(s, 1)) for c, s in zip(chunks, src.shape))
    return chunks


def zarr_options(src, options):
    """The creation options of a zarr copy of ``src``."""
    given = {k: options[k] for k in ("cname", "clevel", "shuffle", "blocksize")
             if options.get(k) is not None}
    chunks = _chunks_for(src, options)
    if chunks is not None:
        given["chunks"] = chunks
    if options.get("nested") or options.get("sharded"):
        given["dimension_separator"] = "/"
    if isinstance(src, Array):
        like = _like(src, dict(given))
        like.pop("synchronized", None)
        shards = like.get("shards")
        if chunks is not None and shards is not None and any(
                s % c for s, c in zip(shards, chunks)):
            warn("%s: the shards %s are not whole chunks of %s: the copy is not sharded"
                 % (src.key_prefix or "/", shards, chunks))
            like["shards"] = None
        if "dimension_separator" not in like and src.zarr_format == 2:
            like["dimension_separator"] = src.dimension_separator
        return like
    reader, dtype = _reader(src)
    like = {"shape": src.shape, "dtype": dtype}
    chunks = getattr(src, "chunks", None)
    if isinstance(chunks, tuple) and len(chunks) == len(src.shape):
        like["chunks"] = chunks
    fill = getattr(src, "fillvalue", None)
    if fill is not None and dtype.kind not in "OSUV":
        like["fill_value"] = np.asarray(fill, dtype=dtype)[()]
    if dtype.hasobject:
        like["dtype"] = str
    like.update(given)
    return like


def h5_options(src, options):
    reader, dtype = _reader(src)
    opts = {}
    chunks = _chunks_for(src, options) or getattr(src, "chunks", None)
    if chunks is not None and len(src.shape) > 0 and 0 not in src.shape:
        opts["chunks"] = tuple(min(c, s) for c, s in zip(chunks, src.shape))
    cname = options.get("cname")
    if cname not in (None, "zlib", "gzip"):
        raise UsageError("an HDF5 file compresses with gzip only here: --cname %s is not "
                         "available (give --cname gzip or none)" % cname)
    clevel = options.get("clevel")
    clevel = 4 if clevel is None else clevel
    if clevel > 0 and len(src.shape) > 0 and 0 not in src.shape:
        opts.update(compression="gzip", compression_opts=min(clevel, 9))
        if options.get("shuffle", 1):
            opts["shuffle"] = True
    if dtype.kind in "Mm":
        raise Problem("HDF5 has no %s type: copy %s to a Zarr array or a .npy file"
                      % ("datetime64" if dtype.kind == "M" else "timedelta64",
                         getattr(src, "key_prefix", None) or "the array"))
    if dtype.hasobject or dtype.kind == "U":  # HDF5 has no UTF-32 text
        dtype = _h5py().string_dtype()
    return dtype, opts


class Copier:
    """Copies nodes to a :class:`Destination`, block by block."""

    def __init__(self, dest, options, threads, progress):
        self.dest, self.options, self.threads, self.progress = dest, options, threads, progress
        self.arrays = 0
        self.bytes = 0

    def copy(self, src):
        if self.dest.kind == "npy":
            if _is_group(src):
                raise UsageError("a .npy file holds one array, not a group")
            self._copy_array(src, "")
            return
        self._copy_node(src, self.dest.loc.inner if self.dest.kind != "directory" else "")

    def _copy_node(self, src, path):
        where = getattr(src, "name", None) or "/"
        attrs = source_attrs(src, where)
        if _is_group(src):
            self._make_group(path, attrs, src.metadata.zarr_format if isinstance(src, Group)
                             else None)
            for name in _members(src):
                self._copy_node(src[name], join_key(path, name))
            return
        self._copy_array(src, path, attrs)

    def _make_group(self, path, attrs, zarr_format=None):
        if self.dest.kind == "hdf5":
            g = self.dest.h5file.require_group(path or "/")
            _put_h5_attrs(g, attrs)
            return
        g = open_group(self.dest.store, mode="a", path=path or None, zarr_format=zarr_format)
        if attrs:
            g.attrs.put(attrs)

    def _copy_array(self, src, path, attrs=None):
        if src.dtype.hasobject and isinstance(src, np.ndarray):
            raise Problem("a .npy file of Python objects is not read (it would need pickle)")
        reader, _ = _reader(src)
        if self.dest.kind == "hdf5":
            dtype, opts = h5_options(src, self.options)
            out = self.dest.h5file.create_dataset(path or "data", shape=src.shape, dtype=dtype,
                                                  **opts)
            _put_h5_attrs(out, attrs or {})
            chunks = opts.get("chunks") or _row_chunks(src)
        elif self.dest.kind == "npy":
            if reader is not src or src.dtype.hasobject:
                raise UsageError("a .npy file holds no strings of variable length: copy them "
                                 "to a Zarr array")
            out = np.lib.format.open_memmap(self.dest.building, mode="w+", dtype=src.dtype,
                                            shape=src.shape)
            chunks = _row_chunks(src)
        else:
            like = zarr_options(src, self.options)
            out = zarr.open(self.dest.store, mode="w", path=path or None, **like)
            if attrs:
                out.attrs.put(attrs)
            chunks = out.shards or out.chunks
            if isinstance(src, Array) and _same_encoding(out, src):
                self._run(chunks, src, out, frames=True)
                return
        self._run(chunks, reader, out)
        if self.dest.kind == "npy":
            out.flush()
            del out

    def _run(self, chunks, reader, out, frames=False):
        self.arrays += 1
        self.bytes += math.prod(out.shape) * out.dtype.itemsize
        if frames:
            with Progress(1, self.progress, desc="copy") as bar:
                reader._copy_frames_to(out)
                bar.update(1)
            return
        itemsize = max(out.dtype.itemsize, 1)
        blocks = copy_blocks(out.shape, chunks, itemsize)
        # One buffer for every block read from an array: a fresh one each time
        # would have its pages zeroed by the kernel on first touch.
        buf = None
        if isinstance(reader, Array) and isinstance(out, Array) and out.shape:
            buf = np.empty([s.stop - s.start for s in blocks[0]], dtype=reader.dtype)
        with Progress(len(blocks), self.progress, desc="copy") as bar:
            for sel in blocks:
                if buf is not None:
                    sel = tuple(slice(s.start, min(s.stop, n)) for s, n in zip(sel, out.shape))
                    into = buf[tuple(slice(0, s.stop - s.start) for s in sel)]
                    reader.get_basic_selection(sel, out=into, threads=self.threads)
                    out.set_basic_selection(sel, into, threads=self.threads)
                elif isinstance(out, Array):
                    out.set_basic_selection(sel, np.asarray(reader[sel]), threads=self.threads)
                else:
                    out[sel] = reader[sel]
                bar.update(1)


def _row_chunks(src):
    shape = src.shape
    if not shape:
        return ()
    row = max(1, math.prod(shape[1:]) * max(src.dtype.itemsize, 1))
    return (max(1, min(shape[0], (8 << 20) // row)),) + tuple(shape[1:])


def _put_h5_attrs(obj, attrs):
    for name, value in attrs.items():
        if value is None or isinstance(value, dict) or (
                isinstance(value, list) and not _uniform(value)):
            obj.attrs[name] = json.dumps(value)
            warn("attribute %r of %s is stored as JSON text (HDF5 has no such value)"
                 % (name, obj.name))
        else:
            obj.attrs[name] = value


def _uniform(values):
    kinds = {type(v) for v in values}
    return len(kinds) == 1 and kinds <= {int, float, str, bool}


def copy(src_loc, dst_loc, options, overwrite=False, threads=None, progress=None,
         storage_options=None):
    """Copy ``src_loc`` to ``dst_loc``; returns the facts of the copy."""
    src = open_source(src_loc, storage_options if src_loc.kind == "url" else None)
    dest = Destination(dst_loc, options, overwrite,
                       storage_options if dst_loc.kind == "url" else None)
    if dest.kind == "npy" and _is_group(src):
        raise UsageError("a .npy file holds one array, not a group")
    dest.begin()
    copier = Copier(dest, options, threads, progress)
    try:
        copier.copy(src)
        dest.finish()
    except BaseException as e:
        left = dest.abandon()
        if left is not None and hasattr(e, "add_note"):  # Python 3.11 on
            e.add_note(left)
        raise
    return {"source": src_loc.text, "destination": dst_loc.text, "arrays": copier.arrays,
            "nbytes": copier.bytes}
