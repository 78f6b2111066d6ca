"""The shards of a sharded Zarr v3 array (the ``sharding_indexed`` codec).

A shard is one cell of the array's chunk grid, stored as one value: its
inner chunks, each encoded by the inner codecs (or absent when it holds only
the fill value), and an index of ``(offset, nbytes)`` pairs, one per inner
chunk in C order (2^64-1 twice for an absent one), as little-endian uint64,
followed by its CRC-32C when the index codecs say so; at the end of the
value or at its start. :class:`ShardChunk` is a chunk of the array (the
interface of :class:`zarr.ext.StoreChunk`) over one shard.

A read of part of a shard costs its index and the inner chunks it touches
(ranged reads through the store's ``get_ranges``); a write reads the shard,
merges the new values into the inner chunks it touches, and stores the
whole shard again in one ``set`` (atomic in every store), holding the
shard's lock, so that threads, and processes with a process synchronizer,
writing inner chunks of one shard lose no update.

Examples
--------
>>> import numpy as np
>>> from zarr.storage import MemoryStore
>>> codecs = [{"name": "bytes", "configuration": {"endian": "little"}}]
>>> shard = ShardChunk(MemoryStore(), "c/0", (8,), np.dtype("i2"), 0, (2,), codecs)
>>> shard[3:5] = [7, 8]
>>> shard[...].tolist(), len(shard.get_cdata())  # two inner chunks of 4 bytes, 4 pairs, crc
([0, 0, 0, 7, 8, 0, 0, 0], 76)
"""

import itertools
import math

import numpy as np

from zarr.codecs.v3 import Pipeline
from zarr.ext import MAX_BUFFERSIZE, CorruptChunkError, crc32c

#: The offset and size of an inner chunk that is not stored.
EMPTY = 2**64 - 1
#: A shard touching at most this share of its inner chunks is read in ranges.
RANGED_SHARE = 0.5
#: The most inner chunks a shard may hold (an index of 256 MiB).
MAX_INNER_CHUNKS = 2**24


class _Locked:
    def __init__(self, lock):
        self.lock = lock

    def __enter__(self):
        if self.lock is not None:
            self.lock.__enter__()

    def __exit__(self, *exc):
        if self.lock is not None:
            self.lock.__exit__(*exc)


def _box(sel, shape):
    """The bounding box a basic selection touches, as (start, stop) per
    dimension, and the selection relative to the box; (None, sel) for a
    selection of another kind (the whole shard is its box). The empty
    selection of a 0-d shard is kept: it selects a scalar."""
    if sel is Ellipsis or (isinstance(sel, tuple) and not sel):
        return tuple((0, n) for n in shape), Ellipsis if shape or sel is Ellipsis else ()
    if not isinstance(sel, tuple):
        sel = (sel,)
    if len(sel) != len(shape):
        return None, sel
    box, local = [], []
    for s, n in zip(sel, shape):
        if isinstance(s, (int, np.integer)) and not isinstance(s, bool):
            i = int(s) + n if s < 0 else int(s)
            if not 0 <= i < n:
                raise IndexError("index %d is out of bounds for a shard of %d" % (s, n))
            box.append((i, i + 1))
            local.append(0)
        elif isinstance(s, slice):
            start, stop, step = s.indices(n)
            if step < 0:
                return None, sel
            if stop <= start:
                box.append((start, start))
                local.append(slice(0, 0))
                continue
            last = start + (stop - start - 1) // step * step
            box.append((start, last + 1))
            local.append(slice(0, last + 1 - start, step))
        else:
            return None, sel
    return tuple(box), tuple(local)


class ShardChunk:
    """The shard at ``key`` in ``store``: an array of ``shape`` and ``dtype``
    (native order) in inner chunks of ``inner_shape`` encoded by the v3 codec
    list ``inner_codecs``; ``checksum`` whether the index ends with its
    CRC-32C, ``location`` where the index is ('end' or 'start'). With
    ``lock``, each write holds it across its read, merge and store."""

    def __init__(self, store, key, shape, dtype, fill_value, inner_shape, inner_codecs,
                 checksum=True, location="end", lock=None):
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.inner_shape = tuple(inner_shape)
        self.inner_codecs = inner_codecs
        self.pipeline = Pipeline(inner_codecs, self.inner_shape, self.dtype)
        self.fill_value = np.array(fill_value, self.dtype)[()]
        self.checksum, self.location = checksum, location
        if location not in ("start", "end"):
            raise ValueError("index_location must be 'start' or 'end', not %r" % (location,))
        if len(self.inner_shape) != len(self.shape) or any(
                c <= 0 or s % c for s, c in zip(self.shape, self.inner_shape)):
            raise ValueError("the shard shape %s is not a multiple of the inner chunk shape %s"
                             % (self.shape, self.inner_shape))
        self.grid = tuple(s // c for s, c in zip(self.shape, self.inner_shape))
        self.ncells = math.prod(self.grid)
        if self.ncells > MAX_INNER_CHUNKS:
            raise ValueError("a shard of shape %s holds %d inner chunks of shape %s, over the "
                             "limit of %d (zarr.shards.MAX_INNER_CHUNKS): choose larger inner "
                             "chunks or smaller shards" % (self.shape, self.ncells,
                                                          self.inner_shape, MAX_INNER_CHUNKS))
        if math.prod(self.inner_shape) > MAX_BUFFERSIZE // self.dtype.itemsize:
            raise ValueError("an inner chunk of shape %s and dtype %s is over blosc's limit of "
                             "%d bytes a buffer: choose smaller chunks"
                             % (self.inner_shape, self.dtype, MAX_BUFFERSIZE))
        self.index_nbytes = 16 * self.ncells + (4 if checksum else 0)
        self.inner_nbytes = math.prod(self.inner_shape) * self.dtype.itemsize
        self.inner_bound = self.pipeline.max_encoded_size(self.inner_nbytes)
        self.nbytes = math.prod(self.shape) * self.dtype.itemsize
        self._fill_item = np.array(self.fill_value, self.dtype).tobytes()
        self._fill_inner = []  # an inner chunk of the fill value, once a write needs it
        self.store, self.key, self.lock = store, key, lock

    def _fill_bytes(self):
        """The bytes of an inner chunk of the fill value, made once for this
        shard and every one :meth:`at` made from it."""
        if not self._fill_inner:
            self._fill_inner.append(self._fill_item * math.prod(self.inner_shape))
        return self._fill_inner[0]

    #: A shard never stores an inner chunk of fill values, nor a shard of
    #: them only, whatever ``zarr.Array.write_empty_chunks`` says.
    write_empty = True

    def at(self, store, key, lock=None):
        """A shard like this one at another key."""
        c = object.__new__(ShardChunk)
        c.__dict__.update(self.__dict__)
        c.store, c.key, c.lock = store, key, lock
        return c

    def _context(self):
        describe = getattr(self.store, "describe_key", None)
        return "shard %s" % (describe(self.key) if describe is not None else self.key)

    def _corrupt(self, reason):
        return CorruptChunkError("%s: invalid shard: %s" % (self._context(), reason))

    # The index.

    def _parse_index(self, raw, size):
        """The (ncells, 2) uint64 index from its bytes ``raw``, checked against
        a shard of ``size`` bytes: every stored inner chunk inside the data
        part and no larger than its codecs can make it."""
        if len(raw) != self.index_nbytes:
            raise self._corrupt("%d bytes, shorter than its index of %d"
                                % (size, self.index_nbytes))
        body = raw[:16 * self.ncells]
        if self.checksum and crc32c(body) != int.from_bytes(raw[-4:], "little"):
            raise self._corrupt("the index's crc32c does not match")
        index = np.frombuffer(body, "<u8").reshape(self.ncells, 2)
        offsets, sizes = index[:, 0], index[:, 1]
        empty = offsets == EMPTY
        if not np.array_equal(empty, sizes == EMPTY):
            raise self._corrupt("an index entry with only one of offset and nbytes unset")
        lo, hi = (self.index_nbytes, size) if self.location == "start" else \
            (0, size - self.index_nbytes)
        stored_off, stored_size = offsets[~empty], sizes[~empty]
        if stored_size.size:
            if int(stored_size.max()) > self.inner_bound:
                raise self._corrupt("an inner chunk of %d bytes, over the %d its codecs can "
                                    "make" % (int(stored_size.max()), self.inner_bound))
            if int(stored_size.min()) == 0:
                raise self._corrupt("an inner chunk of 0 bytes")
            lo, hi = np.uint64(lo), np.uint64(hi)
            # offset + nbytes may wrap in uint64: compared as nbytes > hi - offset.
            if bool(np.any((stored_off < lo) | (stored_off > hi)
                           | (stored_size > hi - np.minimum(stored_off, hi)))):
                raise self._corrupt("an inner chunk outside the shard's %d bytes of data"
                                    % (hi - lo))
        return index

    def _check_disjoint(self, index):
        stored = index[index[:, 0] != EMPTY]
        order = np.argsort(stored[:, 0], kind="stable")
        starts, sizes = stored[order, 0], stored[order, 1]
        if starts.size > 1 and np.any(starts[1:] < starts[:-1] + sizes[:-1]):
            raise self._corrupt("inner chunks overlap")

    def _load_whole(self):
        """(index, shard bytes), or None when the shard is not stored."""
        try:
            data = self.store.get(self.key)
        except KeyError:
            return None
        data = memoryview(data).cast("B")
        size = len(data)
        if size < self.index_nbytes:
            raise self._corrupt("%d bytes, shorter than its index of %d"
                                % (size, self.index_nbytes))
        raw = data[:self.index_nbytes] if self.location == "start" else \
            data[size - self.index_nbytes:]
        index = self._parse_index(bytes(raw), size)
        self._check_disjoint(index)
        return index, data

    def _load_cells(self, cells):
        """{cell number: encoded bytes or None} for the inner chunks ``cells``,
        with ranged reads of the index and of those chunks alone; None when
        the shard is not stored.

        Each ranged read also reads the shard's last byte and one past it
        (one byte back: the size is the same) and, with the inner chunks,
        their index entries again: a shard replaced between the reads (by
        a writer of another inner chunk) is read again whole, in one get."""
        try:
            size = self.store.getsize(self.key)
        except KeyError:
            return None
        if size < self.index_nbytes:
            raise self._corrupt("%d bytes, shorter than its index of %d"
                                % (size, self.index_nbytes))
        start = 0 if self.location == "start" else size - self.index_nbytes
        probe = (size - 1, 2)
        try:
            raw, end = self.store.get_ranges(self.key, [(start, self.index_nbytes), probe])
        except KeyError:
            return self._load_cells_whole(cells)
        if len(end) != 1:
            return self._load_cells_whole(cells)
        raw = bytes(raw)
        index = self._parse_index(raw, size)
        wanted = [n for n in cells if index[n, 0] != EMPTY]
        pieces = dict.fromkeys(cells)
        if wanted:
            ranges = [(int(index[n, 0]), int(index[n, 1])) for n in wanted]
            entries = [(start + 16 * n, 16) for n in wanted]
            try:
                got = self.store.get_ranges(self.key, ranges + entries + [probe])
            except KeyError:
                return self._load_cells_whole(cells)
            again = got[len(wanted):-1]
            if len(got[-1]) != 1 or any(bytes(e) != raw[16 * n:16 * n + 16]
                                        for n, e in zip(wanted, again)):
                return self._load_cells_whole(cells)
            for n, (_, length), piece in zip(wanted, ranges, got):
                if len(piece) != length:
                    raise self._corrupt("the shard changed while it was read")
                pieces[n] = piece
        return pieces

    def _load_cells_whole(self, cells):
        loaded = self._load_whole()
        if loaded is None:
            return None
        index, data = loaded
        return {n: None if index[n, 0] == EMPTY else
                data[int(index[n, 0]):int(index[n, 0] + index[n, 1])] for n in cells}

    # Cells: inner chunks by grid index and by number (C order).

    def _cells_in(self, box):
        ranges = [range(a // c, -(-b // c)) for (a, b), c in zip(box, self.inner_shape)]
        return list(itertools.product(*ranges))

    def _number(self, cell):
        n = 0
        for i, g in zip(cell, self.grid):
            n = n * g + i
        return n

    def _decode_into(self, piece, out):
        if piece is None:
            out[...] = self.fill_value
            return
        try:
            self.pipeline.decode(piece, out)
        except CorruptChunkError as e:
            raise self._corrupt("inner chunk: %s" % e) from None
        except ValueError as e:
            raise self._corrupt("inner chunk: %s" % e) from None

    def _read_box(self, box, cells, pieces, buf=None):
        """The values of ``box`` (cell-aligned or not) from the inner chunks,
        into ``buf`` when given (an array of the box's shape)."""
        if buf is None:
            buf = np.empty(tuple(b - a for a, b in box), self.dtype)
        scratch = None
        for cell in cells:
            lo = [i * c for i, c in zip(cell, self.inner_shape)]
            region = tuple(slice(max(a, l), min(b, l + c))
                           for (a, b), l, c in zip(box, lo, self.inner_shape))
            dest = buf[tuple(slice(r.start - a, r.stop - a) for r, (a, _) in zip(region, box))
                       + (Ellipsis,)]
            piece = pieces[self._number(cell)]
            if dest.shape == self.inner_shape:
                self._decode_into(piece, dest)
                continue
            if piece is None:
                dest[...] = self.fill_value
                continue
            if scratch is None:
                scratch = np.empty(self.inner_shape, self.dtype)
            self._decode_into(piece, scratch)
            dest[...] = scratch[tuple(slice(r.start - l, r.stop - l)
                                      for r, l in zip(region, lo))]
        return buf

    # Reading.

    @property
    def cbytes(self):
        try:
            return self.store.getsize(self.key)
        except KeyError:
            return 0

    @property
    def is_initialized(self):
        return self.cbytes > 0

    def read(self, sel=Ellipsis, out=None):
        """The values of ``sel`` (into ``out`` when given)."""
        box, local = _box(sel, self.shape)
        if box is None:
            box, local = tuple((0, n) for n in self.shape), sel
        if any(a == b for a, b in box):
            res = np.empty(tuple(b - a for a, b in box), self.dtype)[local]
        else:
            cells = self._cells_in(box)
            numbers = [self._number(cell) for cell in cells]
            if len(cells) <= RANGED_SHARE * self.ncells:
                pieces = self._load_cells(numbers)
            else:
                pieces = self._load_cells_whole(numbers)
            if pieces is None:
                if out is not None:
                    out[...] = self.fill_value
                    return out
                res = np.full(tuple(b - a for a, b in box), self.fill_value, self.dtype)[local]
            elif (local is Ellipsis and isinstance(out, np.ndarray) and out.dtype == self.dtype
                  and out.shape == tuple(b - a for a, b in box)):
                return self._read_box(box, cells, pieces, out)  # straight into out
            else:
                res = self._read_box(box, cells, pieces)[local]
        if out is None:
            return res
        out[...] = res
        return out

    __getitem__ = read

    # Writing.

    def _encode(self, part):
        part = np.ascontiguousarray(part)
        flat = part.reshape(-1).view(np.uint8)
        itemsize = self.dtype.itemsize
        # Most inner chunks of data differ from the fill value in their first item.
        if flat[:itemsize].tobytes() == self._fill_item and \
                flat.tobytes() == self._fill_bytes():
            return None
        data = self.pipeline.encode(part)
        return data if isinstance(data, bytes) else bytes(data)

    def _store_pieces(self, pieces):
        """Store the shard of the encoded inner chunks ``pieces`` (None for
        an absent one), or remove it when every one is absent."""
        if all(p is None for p in pieces):
            try:
                self.store.delete(self.key)
            except KeyError:
                pass
            return
        index = np.full((self.ncells, 2), EMPTY, "<u8")
        offset = self.index_nbytes if self.location == "start" else 0
        for n, p in enumerate(pieces):
            if p is not None:
                index[n] = offset, len(p)
                offset += len(p)
        raw = index.tobytes()
        if self.checksum:
            raw += crc32c(raw).to_bytes(4, "little")
        body = [p for p in pieces if p is not None]
        parts = [raw] + body if self.location == "start" else body + [raw]
        self.store.set(self.key, b"".join(parts))

    def write(self, sel, value):
        """Write ``value`` (broadcast) into ``sel`` of the shard."""
        value = np.asarray(value)
        with _Locked(self.lock):
            box, local = _box(sel, self.shape)
            if box is None:
                box, local = tuple((0, n) for n in self.shape), sel
                covering = False
            else:
                covering = local is Ellipsis or all(
                    isinstance(s, int) or s.step == 1 for s in local)
            if any(a == b for a, b in box):
                return
            cells = self._cells_in(box)
            # The cell-aligned box around the touched inner chunks.
            aligned = tuple((min(c[d] for c in cells) * self.inner_shape[d],
                             (max(c[d] for c in cells) + 1) * self.inner_shape[d])
                            for d in range(len(self.shape)))
            whole_box = all(a == a2 and b == b2 for (a, b), (a2, b2) in zip(box, aligned))
            loaded = None
            if not (covering and whole_box and len(cells) == self.ncells):
                loaded = self._load_whole()
            pieces = [None] * self.ncells
            if loaded is not None:
                index, data = loaded
                for n in range(self.ncells):
                    if index[n, 0] != EMPTY:
                        pieces[n] = data[int(index[n, 0]):int(index[n, 0] + index[n, 1])]
            box_shape = tuple(b - a for a, b in aligned)
            if covering and whole_box and local is Ellipsis and value.dtype == self.dtype:
                buf = np.broadcast_to(value, box_shape)  # encoded from the value itself
            else:
                if covering and whole_box:
                    buf = np.empty(box_shape, self.dtype)
                else:
                    buf = self._read_box(aligned, cells, pieces)
                inner = tuple(slice(a - a2, b - a2) for (a, b), (a2, _) in zip(box, aligned))
                target = buf[inner + (Ellipsis,)]
                target[local] = value
            for cell in cells:
                lo = [i * c - a for i, c, (a, _) in zip(cell, self.inner_shape, aligned)]
                part = buf[tuple(slice(l, l + c) for l, c in zip(lo, self.inner_shape))
                           + (Ellipsis,)]
                pieces[self._number(cell)] = self._encode(part)
            self._store_pieces(pieces)

    __setitem__ = write

    def clear(self):
        with _Locked(self.lock):
            try:
                self.store.delete(self.key)
            except KeyError:
                pass

    def get_cdata(self):
        try:
            data = self.store.get(self.key)
        except KeyError:
            return None
        return bytes(memoryview(data)) if not isinstance(data, bytes) else data

    def set_cdata(self, cdata):
        """Store the shard's bytes ``cdata`` (None: remove it), checked first:
        its index and every inner chunk decode."""
        if cdata is None:
            self.clear()
            return
        cdata = bytes(cdata)
        probe = self.at(_OneValue(cdata), "shard")
        probe.read()
        with _Locked(self.lock):
            self.store.set(self.key, cdata)


class _OneValue:
    """A store of one value, to check a shard's bytes before they are stored."""

    def __init__(self, value):
        self.value = value

    def get(self, key):
        return self.value

    def getsize(self, key):
        return len(self.value)

    def get_ranges(self, key, ranges):
        return [self.value[a:a + n] for a, n in ranges]
