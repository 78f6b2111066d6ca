"""HDF5 files as containers of chunk values.

A container holds each value as one dataset of opaque bytes in its root
group, named by the part of the chunk's key it holds (``1.2``), as h5py
writes ``f.create_dataset(name, data=numpy.void(value))``. h5py (and any
HDF5 reader) reads these files; this module reads and writes them itself,
with no HDF5 library, so that a value costs a ``pread`` and a change of a
container never puts what it held at risk:

- a change is appended: the new values, their dataset headers and a new
  root group (local heap, symbol table nodes, B-tree node, object header)
  go past the end of the file, and only then does one write of the 96-byte
  superblock at offset 0 make them the file's content. Until that write the
  file reads as it was; after it, as it is. A writer killed in between
  leaves bytes past the superblock's end of file, cut off by the next writer.
- values and dataset headers that do not change are not written again;
  what a change leaves unreachable is counted (:attr:`Index.garbage`) so
  that the store can rewrite a container aside when it is mostly garbage.

The layout written is HDF5's original one (superblock version 0, version 1
object headers, a group's names in a local heap, its entries in symbol table
nodes under one B-tree node). Files in other layouts (written by h5py with
``libver='latest'``, say) are read through h5py (:func:`read_index_h5py`)
and rewritten in this layout by their first change.

Examples
--------
>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "0.h5")
>>> fd = os.open(path, os.O_RDWR | os.O_CREAT)
>>> index = commit(fd, empty_index(), {"1.2": b"abc", "0.0": b"de"})
>>> sorted(index.entries), read_value(fd, index, "1.2")
(['0.0', '1.2'], b'abc')
>>> os.close(fd)
"""

import os
import struct

from zarr.errors import CorruptChunkError

SIGNATURE = b"\x89HDF\r\n\x1a\n"
SUPERBLOCK_SIZE = 96
UNDEFINED = 0xFFFFFFFFFFFFFFFF
HEAP_FREE_NONE = 1  # HDF5's "no free block" in a local heap's free list
LEAF_K = 32  # a symbol table node holds up to 2 * LEAF_K entries
MIN_INTERNAL_K = 16
MAX_INTERNAL_K = 32767
MAX_ENTRIES = 2 * LEAF_K * 2 * MAX_INTERNAL_K
MAX_VALUE = 2**32 - 1  # an opaque type's size is 32 bits
DATASET_HEADER_SIZE = 96
_MAX_TREE_DEPTH = 8

_MSG_NIL, _MSG_DATASPACE, _MSG_DATATYPE, _MSG_FILL_OLD, _MSG_FILL = 0, 1, 3, 4, 5
_MSG_LAYOUT, _MSG_CONTINUATION, _MSG_SYMBOL_TABLE = 8, 0x10, 0x11
_MSG_MTIME, _MSG_MTIME_NEW = 0x0E, 0x12


class ForeignLayout(Exception):
    """A valid-looking HDF5 file in a layout this module does not read."""


class Index:
    """What a container holds, as read from one version of its file.

    ``entries`` maps a name to ``(header address, value offset, nbytes)``;
    ``inline`` maps the names whose values are not plain byte ranges (read
    through h5py) to their bytes. ``superblock`` is the 96 bytes that name
    this version; ``end`` is where the next change may write; ``garbage``
    counts the bytes no version reaches any more. ``bad`` maps the names
    that are not a chunk's bytes (a group, a dataset of another type) to
    ``(header address, why)``: reading one raises, the others stay readable,
    and a change keeps them as they are.
    """

    __slots__ = ("entries", "inline", "superblock", "end", "garbage", "ours", "identity", "bad")

    def __init__(self, entries=None, inline=None, superblock=b"", end=0, garbage=0, ours=True):
        self.entries = entries if entries is not None else {}
        self.inline = inline if inline is not None else {}
        self.superblock = superblock
        self.end = end
        self.garbage = garbage
        self.ours = ours
        self.identity = None  # (device, inode) of the file read
        self.bad = {}

    def names(self):
        """Every name held, sorted."""
        return sorted(set(self.entries) | set(self.inline) | set(self.bad))

    def size_of(self, name):
        """The length of the value of ``name``; KeyError when there is none."""
        if name in self.bad:
            raise CorruptChunkError(self.bad[name][1])
        if name in self.inline:
            return len(self.inline[name])
        return self.entries[name][2]

    def live(self):
        """The bytes of values and dataset headers this version reaches."""
        return sum(n + DATASET_HEADER_SIZE for _, _, n in self.entries.values())


def empty_index():
    """The index of a file not written yet."""
    return Index()


# Writing.

def _message(kind, data, flags=0):
    pad = -len(data) % 8
    return struct.pack("<HHB3x", kind, len(data) + pad, flags) + data + b"\0" * pad


def _header(messages):
    body = b"".join(messages)
    return struct.pack("<BBHII4x", 1, 0, len(messages), 1, len(body)) + body


def dataset_header(offset, nbytes):
    """The object header of a scalar opaque dataset of ``nbytes`` at ``offset``
    (an empty value, which no opaque type can hold, is a 1-d uint8 dataset
    of no elements)."""
    if nbytes == 0:
        return _header([
            _message(_MSG_DATASPACE, struct.pack("<BBBB4xQ", 1, 1, 0, 0, 0)),
            _message(_MSG_DATATYPE, struct.pack("<BBBBIHH", 0x10, 0, 0, 0, 1, 0, 8), flags=1),
            _message(_MSG_FILL, bytes([2, 2, 2, 1, 0, 0, 0, 0]), flags=1),
            _message(_MSG_LAYOUT, struct.pack("<BBQQ", 3, 1, UNDEFINED, 0)),
        ])
    return _header([
        _message(_MSG_DATASPACE, struct.pack("<BBBB4x", 1, 0, 0, 0)),
        _message(_MSG_DATATYPE, struct.pack("<B3xI", 0x15, nbytes), flags=1),
        _message(_MSG_FILL, bytes([2, 2, 2, 1, 0, 0, 0, 0]), flags=1),
        _message(_MSG_LAYOUT, struct.pack("<BBQQ", 3, 1, offset, nbytes)),
    ])


def _group(entries, base):
    """The root group of ``entries`` (name -> header address) laid out from
    ``base``: (bytes, root header address, B-tree address, heap address, K
    of the B-tree node)."""
    names = sorted(entries, key=lambda s: s.encode())
    if len(names) > MAX_ENTRIES:
        raise ValueError("a container holds at most %d values, not %d" % (MAX_ENTRIES, len(names)))
    heap_data = bytearray(8)  # offset 0: the empty name
    offsets = {}
    for name in names:
        offsets[name] = len(heap_data)
        raw = name.encode() + b"\0"
        heap_data += raw + b"\0" * (-len(raw) % 8)
    groups = [names[i:i + 2 * LEAF_K] for i in range(0, len(names), 2 * LEAF_K)]
    internal_k = max(MIN_INTERNAL_K, -(-len(groups) // 2))
    snod_size = 8 + 2 * LEAF_K * 40
    tree_size = 24 + (2 * internal_k + 1) * 8 + 2 * internal_k * 8

    root_addr = base
    root_size = 16 + 24
    heap_addr = root_addr + root_size
    tree_addr = heap_addr + 32 + len(heap_data)
    snod_addr = tree_addr + tree_size

    out = bytearray()
    out += _header([_message(_MSG_SYMBOL_TABLE, struct.pack("<QQ", tree_addr, heap_addr))])
    out += b"HEAP" + struct.pack("<B3xQQQ", 0, len(heap_data), HEAP_FREE_NONE, heap_addr + 32)
    out += heap_data
    tree = bytearray(b"TREE" + struct.pack("<BBHQQ", 0, 0, len(groups), UNDEFINED, UNDEFINED))
    tree += struct.pack("<Q", 0)
    for i, group in enumerate(groups):
        tree += struct.pack("<QQ", snod_addr + i * snod_size, offsets[group[-1]])
    tree += b"\0" * (tree_size - len(tree))
    out += tree
    for group in groups:
        node = bytearray(b"SNOD" + struct.pack("<BBH", 1, 0, len(group)))
        for name in group:
            node += struct.pack("<QQII16x", offsets[name], entries[name], 0, 0)
        node += b"\0" * (snod_size - len(node))
        out += node
    return bytes(out), root_addr, tree_addr, heap_addr, internal_k


def _superblock(end, root_addr, tree_addr, heap_addr, internal_k):
    return (SIGNATURE + bytes([0, 0, 0, 0, 0, 8, 8, 0])
            + struct.pack("<HHI", LEAF_K, internal_k, 0)
            + struct.pack("<QQQQ", 0, UNDEFINED, end, UNDEFINED)
            + struct.pack("<QQII", 0, root_addr, 1, 0)
            + struct.pack("<QQ", tree_addr, heap_addr))


def _write_all(fd, data, offset):
    view = memoryview(data)
    while view:
        n = os.pwrite(fd, view, offset)
        view = view[n:]
        offset += n


def _write_pieces(fd, pieces, offset):
    """Write ``pieces`` one after the other from ``offset``, without joining them."""
    for i in range(0, len(pieces), _IOV_BATCH):
        batch = pieces[i:i + _IOV_BATCH]
        total = sum(len(p) for p in batch)
        n = os.pwritev(fd, batch, offset)
        if n != total:  # a short write: the rest one piece at a time
            _write_all(fd, b"".join(batch)[n:], offset + n)
        offset += total


_IOV_BATCH = 512


def commit(fd, index, puts, removes=(), fsync=False):
    """Make the file at ``fd`` (open for reading and writing, holding the
    version ``index`` describes, or empty) hold ``puts`` (name -> bytes) too,
    and no longer the names in ``removes``; the new version's index.

    Only ``index.ours`` files are changed in place (see the module's
    docstring); give any other file's index to :func:`rewrite` instead.
    """
    if not index.ours:
        raise ValueError("only containers in this module's layout change in place")
    start = max(index.end, SUPERBLOCK_SIZE)
    entries = dict(index.entries)
    bad = {name: why for name, why in index.bad.items()
           if name not in puts and name not in removes}
    garbage = garbage_after(index, puts, removes)
    for name in removes:
        entries.pop(name, None)
    pos = start
    pieces = []
    for name, value in puts.items():
        if not isinstance(name, str) or not name or "/" in name:
            raise ValueError("invalid dataset name %r" % (name,))
        n = len(value)
        if n > MAX_VALUE:
            raise ValueError("a container's value is at most %d bytes, not %d" % (MAX_VALUE, n))
        pieces.append(value)
        header = dataset_header(pos, n)
        entries[name] = (pos + n, pos, n)
        pieces.append(header)
        pos += n + len(header)
    headers = {name: e[0] for name, e in entries.items()}
    headers.update((name, why[0]) for name, why in bad.items())
    group, root, tree, heap, k = _group(headers, pos)
    pieces.append(group)
    end = pos + len(group)
    if os.fstat(fd).st_size > start:
        os.ftruncate(fd, start)  # what a killed writer left past the end goes
    _write_pieces(fd, pieces, start)
    if fsync:
        os.fsync(fd)
    superblock = _superblock(end, root, tree, heap, k)
    _write_all(fd, superblock, 0)
    if fsync:
        os.fsync(fd)
    new = Index(entries, {}, superblock, end, garbage, True)
    new.identity = index.identity
    new.bad = bad
    return new


def garbage_after(index, puts, removes=()):
    """The bytes no version reaches once ``puts`` and ``removes`` are
    committed in place over the version ``index`` describes."""
    garbage = index.garbage
    for name in set(puts).union(removes):
        old = index.entries.get(name)
        if old is not None:
            garbage += old[2] + DATASET_HEADER_SIZE
    if index.superblock:
        garbage += _group_size(len(index.entries) + len(index.inline) + len(index.bad))
    return garbage


def live_after(index, puts, removes=()):
    """The bytes of values and dataset headers the version reaches once
    ``puts`` and ``removes`` are committed over the version ``index`` describes."""
    gone = set(puts).union(removes)
    kept = sum(n + DATASET_HEADER_SIZE for name, (_, _, n) in index.entries.items()
               if name not in gone)
    return kept + sum(len(value) + DATASET_HEADER_SIZE for value in puts.values())


def _group_size(count):
    groups = -(-count // (2 * LEAF_K))
    k = max(MIN_INTERNAL_K, -(-groups // 2))
    return 40 + 32 + 8 + 16 * count + 24 + (4 * k + 1) * 8 + groups * (8 + 2 * LEAF_K * 40)


def rewrite(fd, index, read, puts, removes=(), fsync=False):
    """Write into the empty file at ``fd`` every value of ``index`` (whose
    bytes ``read(name)`` gives) but ``removes``, with ``puts`` over them: a
    compacted copy, in this module's layout; its index."""
    values = {}
    kept = set(index.bad) - set(puts) - set(removes)
    if kept:
        raise CorruptChunkError("container file: %s; it is not changed (remove or replace %s "
                                "first)" % (index.bad[min(kept)][1], ", ".join(sorted(kept))))
    for name in index.names():
        if name not in puts and name not in removes:
            values[name] = read(name)
    values.update(puts)
    new = commit(fd, empty_index(), values, fsync=fsync)
    return new


# Reading.

class _Reader:
    def __init__(self, fd, size, path):
        self.fd, self.size, self.path = fd, size, path

    def bad(self, why):
        return CorruptChunkError("container file %s is not a valid HDF5 file: %s" % (self.path, why))

    def read(self, offset, length, what):
        if offset < 0 or length < 0 or offset + length > self.size:
            raise self.bad("%s at %d..%d is past the end of the file (%d bytes)"
                           % (what, offset, offset + length, self.size))
        data = os.pread(self.fd, length, offset)
        if len(data) != length:
            raise self.bad("%s at %d: the file ended while it was read" % (what, offset))
        return data

    def header(self, address, what):
        """The messages (kind, data) of the version 1 object header at address."""
        prefix = self.read(address, 16, what)
        if prefix[0] != 1:
            raise ForeignLayout("object header version %d" % prefix[0])
        count, size = struct.unpack_from("<HxxxxI", prefix, 2)
        body = self.read(address + 16, size, what)
        messages, pos = [], 0
        while pos + 8 <= size and len(messages) < count:
            kind, length, _ = struct.unpack_from("<HHB", body, pos)
            if pos + 8 + length > size:
                raise self.bad("%s: a message runs past its header" % what)
            if kind == _MSG_CONTINUATION:
                raise ForeignLayout("object header continuation")
            messages.append((kind, body[pos + 8:pos + 8 + length]))
            pos += 8 + length
        return messages


def read_index(fd, path="container"):
    """The index of the container open at ``fd``: CorruptChunkError naming
    ``path`` when it is not a valid file of this layout's kind,
    :class:`ForeignLayout` when it is HDF5 in another layout."""
    st = os.fstat(fd)
    r = _Reader(fd, st.st_size, path)
    if st.st_size < SUPERBLOCK_SIZE:
        raise r.bad("%d bytes, shorter than a superblock" % st.st_size)
    superblock = os.pread(fd, SUPERBLOCK_SIZE, 0)
    if superblock[:8] != SIGNATURE:
        raise ForeignLayout("no signature at 0")
    if superblock[8] != 0 or superblock[13] != 8 or superblock[14] != 8:
        raise ForeignLayout("superblock version %d" % superblock[8])
    leaf_k, internal_k = struct.unpack_from("<HH", superblock, 16)
    base, _, end, _ = struct.unpack_from("<QQQQ", superblock, 24)
    root = struct.unpack_from("<Q", superblock, 64)[0]
    if base != 0 or leaf_k < 1 or internal_k < 1:
        raise ForeignLayout("base address or node sizes")
    if end > st.st_size:
        raise r.bad("the superblock's end of file (%d) is past the file's %d bytes"
                    % (end, st.st_size))
    tree = heap = None
    for kind, data in r.header(root, "the root group's header"):
        if kind == _MSG_SYMBOL_TABLE and len(data) >= 16:
            tree, heap = struct.unpack_from("<QQ", data)
    if tree is None:
        raise ForeignLayout("the root group has no symbol table")
    heap_head = r.read(heap, 32, "the local heap")
    if heap_head[:4] != b"HEAP":
        raise r.bad("no local heap at %d" % heap)
    heap_size, _, heap_data_addr = struct.unpack_from("<QQQ", heap_head, 8)
    names_data = r.read(heap_data_addr, heap_size, "the local heap's names")
    found = []
    _walk_tree(r, tree, leaf_k, internal_k, names_data, found, 0)
    if len(found) > MAX_ENTRIES:
        raise r.bad("%d entries" % len(found))
    entries, bad = {}, {}
    for name, address in found:
        if name in entries or name in bad:
            raise r.bad("two entries named %r" % name)
        try:
            offset, nbytes = _dataset(r, address, name)
        except CorruptChunkError as e:
            bad[name] = (address, str(e))
            continue
        entries[name] = (address, offset, nbytes)
    index = Index(entries, {}, superblock, end, 0, True)
    index.bad = bad
    live = index.live() + _group_size(len(entries)) + SUPERBLOCK_SIZE
    index.garbage = max(0, end - live)
    index.identity = (st.st_dev, st.st_ino)
    return index


def _walk_tree(r, address, leaf_k, internal_k, names, found, depth):
    if depth > _MAX_TREE_DEPTH:
        raise r.bad("a B-tree deeper than %d levels" % _MAX_TREE_DEPTH)
    size = 24 + (2 * internal_k + 1) * 8 + 2 * internal_k * 8
    node = r.read(address, size, "a B-tree node")
    if node[:4] != b"TREE" or node[4] != 0:
        raise r.bad("no group B-tree node at %d" % address)
    level, used = node[5], struct.unpack_from("<H", node, 6)[0]
    if used > 2 * internal_k:
        raise r.bad("a B-tree node with %d children, more than %d" % (used, 2 * internal_k))
    for i in range(used):
        child = struct.unpack_from("<Q", node, 24 + 8 + 16 * i)[0]
        if level:
            _walk_tree(r, child, leaf_k, internal_k, names, found, depth + 1)
            continue
        snod = r.read(child, 8 + 2 * leaf_k * 40, "a symbol table node")
        if snod[:4] != b"SNOD":
            raise r.bad("no symbol table node at %d" % child)
        count = struct.unpack_from("<H", snod, 6)[0]
        if count > 2 * leaf_k:
            raise r.bad("a symbol table node with %d entries" % count)
        for j in range(count):
            name_at, header = struct.unpack_from("<QQ", snod, 8 + 40 * j)
            stop = names.find(b"\0", name_at)
            if name_at >= len(names) or stop < 0:
                raise r.bad("a name outside the local heap")
            try:
                name = names[name_at:stop].decode("ascii")
            except UnicodeDecodeError:
                raise r.bad("a name that is not ASCII") from None
            if not name or "/" in name or name in (".", ".."):
                raise r.bad("an entry named %r" % name)
            found.append((name, header))
        if len(found) > MAX_ENTRIES:
            raise r.bad("more than %d entries" % MAX_ENTRIES)


def _dataset(r, address, name):
    """(offset, nbytes) of the value of the dataset ``name`` at address."""
    rank = dims = kind = size = layout = None
    for msg, data in r.header(address, "the header of %r" % name):
        if msg == _MSG_DATASPACE and len(data) >= 8:
            rank = data[1]
            if data[0] == 1 and rank == 1 and len(data) >= 16:
                dims = struct.unpack_from("<Q", data, 8)[0]
            elif data[0] == 2 and len(data) >= 4:
                if data[3] == 0:
                    rank = 0
                elif rank == 1 and len(data) >= 12:
                    dims = struct.unpack_from("<Q", data, 4)[0]
        elif msg == _MSG_DATATYPE and len(data) >= 8:
            kind, size = data[0] & 0x0F, struct.unpack_from("<I", data, 4)[0]
        elif msg == _MSG_LAYOUT and len(data) >= 2:
            layout = data
        elif msg == _MSG_SYMBOL_TABLE:
            raise CorruptChunkError("container file %s: %r is a group, not a dataset"
                                    % (r.path, name))
        elif msg not in (_MSG_NIL, _MSG_FILL, _MSG_FILL_OLD, _MSG_MTIME, _MSG_MTIME_NEW):
            raise ForeignLayout("message %d in a dataset" % msg)
    if rank is None or kind is None or layout is None:
        raise CorruptChunkError("container file %s: %r is not a dataset" % (r.path, name))
    if rank == 0 and kind == 5:
        nbytes = size
    elif rank == 1 and kind == 0 and size == 1 and dims is not None:
        nbytes = dims
    else:
        raise CorruptChunkError("container file %s: the dataset %r is not a chunk's bytes "
                                "(opaque scalar or 1-d bytes)" % (r.path, name))
    if layout[0] != 3 or layout[1] != 1 or len(layout) < 18:
        raise ForeignLayout("a layout other than contiguous")
    offset, stored = struct.unpack_from("<QQ", layout, 2)
    if nbytes == 0 and stored == 0:
        return 0, 0  # no storage for no bytes
    if stored != nbytes or offset == UNDEFINED or offset + nbytes > r.size:
        raise CorruptChunkError("container file %s: the bytes of %r (%d at %d) are not all in "
                                "the file (%d bytes)" % (r.path, name, stored, offset, r.size))
    return offset, nbytes


class _H5pyValue:
    """A value stored otherwise than as a byte range (chunked, filtered), read
    through h5py only when asked for."""

    __slots__ = ("path", "name", "nbytes")

    def __init__(self, path, name, nbytes):
        self.path, self.name, self.nbytes = path, name, nbytes

    def __len__(self):
        return self.nbytes

    def read(self, limit):
        if self.nbytes > limit:
            raise CorruptChunkError("container file %s: the dataset %r holds %d bytes, more "
                                    "than any chunk (%d); not read"
                                    % (self.path, self.name, self.nbytes, limit))
        import h5py
        try:
            with h5py.File(self.path, "r", locking=False) as f:
                return f[self.name][()].tobytes()
        except Exception as e:
            raise CorruptChunkError("container file %s: %r cannot be read: %s"
                                    % (self.path, self.name, e)) from None


#: No value read through h5py is larger (a chunk's bound is checked by its reader).
MAX_H5PY_VALUE = (1 << 31) - 1


def read_index_h5py(path):
    """The index of an HDF5 file at ``path`` in any layout, read through h5py:
    values that are byte ranges of the file as such, others read whole."""
    try:
        import h5py
    except ImportError:
        raise CorruptChunkError("container file %s is HDF5 in a layout that needs h5py to be "
                                "read: install h5py" % path) from None
    import numpy as np
    entries, inline, bad = {}, {}, {}
    try:
        with h5py.File(path, "r", locking=False) as f:
            for name in f:
                item = f.get(name)
                if not isinstance(item, h5py.Dataset):
                    bad[name] = (None, "container file %s: %r is not a dataset" % (path, name))
                    continue
                dt = item.dtype
                if not ((item.shape == () and dt.kind == "V" and dt.fields is None)
                        or (item.ndim == 1 and dt in (np.uint8, np.int8))):
                    bad[name] = (None, "container file %s: the dataset %r is not a chunk's "
                                 "bytes (%s %s)" % (path, name, item.shape, dt))
                    continue
                nbytes = dt.itemsize if item.shape == () else item.shape[0]
                offset = item.id.get_offset()
                if offset is not None and item.id.get_storage_size() == nbytes:
                    entries[name] = (None, offset, nbytes)
                else:
                    inline[name] = _H5pyValue(path, name, nbytes)
    except CorruptChunkError:
        raise
    except Exception as e:  # h5py raises OSError, RuntimeError, ValueError, KeyError...
        raise CorruptChunkError("container file %s cannot be read as HDF5: %s" % (path, e)) from None
    size = os.stat(path).st_size
    for name, (_, offset, nbytes) in entries.items():
        if offset + nbytes > size:
            raise CorruptChunkError("container file %s: the bytes of %r are past its end"
                                    % (path, name))
    index = Index(entries, inline, b"", size, 0, False)
    index.bad = bad
    return index


def value_range(index, name):
    """``(offset, nbytes)`` of the value of ``name`` in the version ``index``
    describes, when it is a plain range of the file; else None (missing, not
    a chunk's bytes, or read through h5py: :func:`read_value` says which)."""
    entry = index.entries.get(name)
    if entry is None or name in index.bad or name in index.inline:
        return None
    return entry[1], entry[2]


def read_value(fd, index, name, ranges=None):
    """The bytes of ``name`` (or of its ``(start, length)`` ranges, a list)
    in the version of the file ``index`` describes; KeyError when absent."""
    if name in index.bad:
        raise CorruptChunkError(index.bad[name][1])
    if name in index.inline:
        value = index.inline[name]
        if isinstance(value, _H5pyValue):
            value = value.read(MAX_H5PY_VALUE)
        if ranges is None:
            return value
        return [value[s:s + n] for s, n in ranges]
    _, offset, nbytes = index.entries[name]
    if ranges is None:
        data = os.pread(fd, nbytes, offset)
        if len(data) != nbytes:
            raise CorruptChunkError("container: the value of %r was cut short" % name)
        return data
    out = []
    for start, length in ranges:
        start = min(max(start, 0), nbytes)
        length = max(0, min(length, nbytes - start))
        out.append(os.pread(fd, length, offset + start) if length else b"")
    return out
