"""The records of a zip file (PKWARE's APPNOTE), read with bounds checks and
written for :class:`zarr.storage.ZipStore`.

A zip file is its entries (a local header, then the entry's bytes), then the
central directory (one record per entry: its name, sizes, CRC-32 and where
its local header is), then the end record that says where the central
directory is. Archives of more than 65535 entries, or of sizes or offsets
past 2 GiB, carry the ZIP64 records and fields as well.

Nothing read from a file is trusted: every size and offset is checked
against the file's size before anything is allocated or read, and anything
that does not hold together is a :class:`ZipFormatError` naming the file
(and the entry).
"""

import os
import struct
import time
import zipfile
import zlib

_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_END64 = struct.Struct("<IQHHIIQQQQ")
_LOCATOR64 = struct.Struct("<IIQI")
_EXTRA = struct.Struct("<HH")

LOCAL_SIG, CENTRAL_SIG, END_SIG = 0x04034B50, 0x02014B50, 0x06054B50
END64_SIG, LOCATOR64_SIG = 0x06064B50, 0x07064B50
ZIP64_EXTRA = 0x0001

STORED, DEFLATED = 0, 8
FLAG_ENCRYPTED, FLAG_UTF8 = 0x0001, 0x0800

# Beyond this a size or offset goes in ZIP64 fields (as Python's zipfile does:
# some readers take the 32-bit fields as signed), and beyond this many entries
# the count goes in the ZIP64 end record.
LIMIT32 = (1 << 31) - 1
LIMIT16 = 0xFFFF - 1
# The most that deflate can expand: 1032 bytes out of one byte in, and a little.
DEFLATE_RATIO = 1032

_MAX_COMMENT = 0xFFFF


class ZipFormatError(zipfile.BadZipFile, ValueError):
    """A file that is not a zip archive, or not one that can be read safely: a
    truncated or corrupt file, an entry out of bounds, a CRC-32 mismatch.
    Also a ``zipfile.BadZipFile``."""


class MissingEndError(ZipFormatError):
    """A file with no end record at its end: not a zip archive, or one whose
    writer did not finish (killed before it wrote the central directory)."""


class Entry:
    """One entry of the central directory: its name and what its record says."""

    __slots__ = ("name", "raw_name", "method", "flags", "crc", "csize", "usize", "offset",
                 "time", "date", "attr", "data", "record")

    def __init__(self, name, raw_name, method, flags, crc, csize, usize, offset, time, date,
                 attr):
        self.name, self.raw_name = name, raw_name
        self.method, self.flags, self.crc = method, flags, crc
        self.csize, self.usize, self.offset = csize, usize, offset
        self.time, self.date, self.attr = time, date, attr
        self.data = -1  # where its bytes begin, once the local header was read
        self.record = None  # its central directory record as read, kept as it was

    @property
    def is_dir(self):
        return self.name.endswith("/")

    def min_end(self):
        """Where the entry's bytes end, at the least (the local header's extra
        field, unknown until read, adds to it)."""
        return self.offset + _LOCAL.size + len(self.raw_name) + self.csize


def _ext(value, limit):
    return value if value <= limit else 0xFFFFFFFF


def local_header(entry):
    """The local file header of ``entry`` (sizes and CRC-32 known)."""
    extra = b""
    csize, usize, version = entry.csize, entry.usize, 20
    if csize > LIMIT32 or usize > LIMIT32:
        extra = _EXTRA.pack(ZIP64_EXTRA, 16) + struct.pack("<QQ", usize, csize)
        csize = usize = 0xFFFFFFFF
        version = 45
    return _LOCAL.pack(LOCAL_SIG, version, entry.flags, entry.method, entry.time, entry.date,
                       entry.crc, csize, usize, len(entry.raw_name), len(extra)) + \
        entry.raw_name + extra


def dos_time(seconds=None):
    """(time, date) of the zip records: local time, to two seconds.

    Examples
    --------
    >>> import time
    >>> dos_time(time.mktime((2026, 12, 2, 10, 37, 41, 0, 0, -1)))
    (21684, 23938)
    """
    t = time.localtime(seconds)
    year = min(max(t.tm_year, 1980), 2107)
    return (t.tm_hour << 11 | t.tm_min << 5 | t.tm_sec // 2,
            (year - 1980) << 9 | t.tm_mon << 5 | t.tm_mday)


def new_entry(name, value, offset, when):
    """The entry of ``value`` (bytes-like) stored without compression under
    ``name`` at ``offset``; ``when`` is its :func:`dos_time`."""
    raw = name.encode("utf-8")
    flags = 0 if raw.isascii() else FLAG_UTF8
    size = memoryview(value).nbytes
    return Entry(name, raw, STORED, flags, zlib.crc32(value), size, size, offset, when[0],
                 when[1], 0o100644 << 16)


def central_record(entry):
    """The central directory record of ``entry`` (as read, for one read from a file)."""
    if entry.record is not None:
        return entry.record
    big = [v for v in (entry.usize, entry.csize, entry.offset) if v > LIMIT32]
    extra = b""
    version = 20
    if big:
        extra = _EXTRA.pack(ZIP64_EXTRA, 8 * len(big)) + struct.pack("<%dQ" % len(big), *big)
        version = 45
    return _CENTRAL.pack(CENTRAL_SIG, 0x0300 | version, version, entry.flags, entry.method,
                         entry.time, entry.date, entry.crc, _ext(entry.csize, LIMIT32),
                         _ext(entry.usize, LIMIT32), len(entry.raw_name), len(extra), 0, 0,
                         0, entry.attr, _ext(entry.offset, LIMIT32)) + entry.raw_name + extra


def end_records(count, cd_offset, cd_size):
    """The end records of a central directory of ``count`` records at
    ``cd_offset``: ZIP64's too when a value does not fit the plain one."""
    if count <= LIMIT16 and cd_offset <= LIMIT32 and cd_size <= LIMIT32:
        return _END.pack(END_SIG, 0, 0, count, count, cd_size, cd_offset, 0)
    end64 = cd_offset + cd_size
    return (_END64.pack(END64_SIG, _END64.size - 12, 45, 45, 0, 0, count, count, cd_size,
                        cd_offset)
            + _LOCATOR64.pack(LOCATOR64_SIG, 0, end64, 1)
            + _END.pack(END_SIG, 0, 0, min(count, 0xFFFF), min(count, 0xFFFF),
                        _ext(cd_size, LIMIT32), _ext(cd_offset, LIMIT32), 0))


def _pread_exact(fd, n, offset, path, what):
    data = os.pread(fd, n, offset)
    if len(data) != n:
        raise ZipFormatError("%s: truncated: %s (%d bytes at %d) is past the end of the file"
                             % (path, what, n, offset))
    return data


def _find_end(fd, size, path):
    """(offset of the end record, its fields): the last end record whose
    comment runs exactly to the end of the file."""
    if size < _END.size:
        raise MissingEndError("%s is not a zip file: %s" % (
            path, "it is empty" if size == 0 else "%d bytes, fewer than an end record" % size))
    tail_start = max(0, size - _END.size - _MAX_COMMENT)
    tail = _pread_exact(fd, size - tail_start, tail_start, path, "the end of the file")
    at = len(tail) - _END.size
    while at >= 0:
        at = tail.rfind(b"PK\x05\x06", 0, at + 4)
        if at < 0:
            break
        fields = _END.unpack_from(tail, at)
        if at + _END.size + fields[7] == len(tail):
            return tail_start + at, fields
        at -= 1
    raise MissingEndError("%s is not a zip file (or is truncated, or its writer did not "
                          "finish): no end of central directory record at its end" % path)


def _find_end64(fd, end_at, path):
    """(offset, fields) of the ZIP64 end record that the locator just before
    the end record at ``end_at`` points to; None when there is none."""
    if end_at < _LOCATOR64.size + _END64.size:
        return None
    sig, disk64, end64_at, disks = _LOCATOR64.unpack(
        _pread_exact(fd, _LOCATOR64.size, end_at - _LOCATOR64.size, path, "a record"))
    if sig != LOCATOR64_SIG or end64_at + _END64.size > end_at - _LOCATOR64.size:
        return None
    fields = _END64.unpack(_pread_exact(fd, _END64.size, end64_at, path, "a record"))
    if fields[0] != END64_SIG:
        return None
    disk = fields[4] if disk64 == 0 and disks == 1 else 1
    return end64_at, (disk,) + fields[5:]


def read_directory(fd, size, path):
    """(entries, offset of the central directory) of the zip file open at
    ``fd``, of ``size`` bytes: every record of the central directory, in its
    order, each checked to lie within the file before the central directory
    and to overlap no other. ZipFormatError for anything else."""
    end_at, (_, disk, cd_disk, on_disk, count, cd_size, cd_offset, _) = _find_end(fd, size,
                                                                                     path)
    end = end_at
    needs64 = 0xFFFF in (disk, cd_disk, on_disk, count) or 0xFFFFFFFF in (cd_size, cd_offset)
    found = _find_end64(fd, end_at, path)
    if found is None and needs64:
        raise ZipFormatError("%s: the end record asks for ZIP64 records, which are missing or "
                             "out of place" % path)
    if found is not None:
        end, (disk, cd_disk, on_disk, count, cd_size, cd_offset) = found
    if disk != 0 or cd_disk != 0 or on_disk != count:
        raise ZipFormatError("%s: an archive split over several files (disks) is not read"
                             % path)
    if cd_offset + cd_size != end:
        raise ZipFormatError("%s: the central directory (%d bytes at %d) does not end where "
                             "the end record is (%d): a truncated or corrupt file, or data "
                             "before the archive" % (path, cd_size, cd_offset, end))
    if count * _CENTRAL.size > cd_size:
        raise ZipFormatError("%s: %d entries cannot fit a central directory of %d bytes"
                             % (path, count, cd_size))
    directory = _pread_exact(fd, cd_size, cd_offset, path, "the central directory")
    entries = _parse_directory(directory, count, path)
    _check_layout(entries, cd_offset, path)
    return entries, cd_offset


def _parse_directory(buf, count, path):
    entries = []
    at = 0
    for i in range(count):
        if at + _CENTRAL.size > len(buf):
            raise ZipFormatError("%s: the central directory ends within record %d of %d"
                                 % (path, i, count))
        (sig, _, _, flags, method, mtime, mdate, crc, csize, usize, nlen, xlen, clen, disk, _,
         attr, offset) = _CENTRAL.unpack_from(buf, at)
        if sig != CENTRAL_SIG:
            raise ZipFormatError("%s: record %d of the central directory is corrupt (no "
                                 "signature)" % (path, i))
        begin, start = at, at + _CENTRAL.size
        at = start + nlen + xlen + clen
        if at > len(buf):
            raise ZipFormatError("%s: record %d of the central directory runs past its end"
                                 % (path, i))
        raw = bytes(buf[start:start + nlen])
        name = raw.decode("utf-8" if flags & FLAG_UTF8 else "cp437", "replace")
        if 0xFFFFFFFF in (usize, csize, offset) or disk == 0xFFFF:
            usize, csize, offset = _zip64_fields(buf[start + nlen:start + nlen + xlen],
                                                 usize, csize, offset, path, name)
        entry = Entry(name, raw, method, flags, crc, csize, usize, offset, mtime, mdate, attr)
        entry.record = bytes(buf[begin:at])
        entries.append(entry)
    if at != len(buf):
        raise ZipFormatError("%s: the central directory holds %d bytes more than its %d "
                             "records" % (path, len(buf) - at, count))
    return entries


def _zip64_fields(extra, usize, csize, offset, path, name):
    """The sizes and offset of an entry whose record puts them in its ZIP64
    extra field (those that are 0xFFFFFFFF there, in that order)."""
    at = 0
    while at + _EXTRA.size <= len(extra):
        tag, n = _EXTRA.unpack_from(extra, at)
        body = extra[at + _EXTRA.size:at + _EXTRA.size + n]
        at += _EXTRA.size + n
        if tag != ZIP64_EXTRA:
            continue
        values = [usize, csize, offset]
        j = 0
        for k in range(3):
            if values[k] == 0xFFFFFFFF:
                if j + 8 > len(body):
                    break
                values[k] = struct.unpack_from("<Q", body, j)[0]
                j += 8
        else:
            return tuple(values)
        break
    raise ZipFormatError("%s: entry %r: its ZIP64 sizes or offset are missing" % (path, name))


def _check_layout(entries, cd_offset, path):
    """Every entry before the central directory, none overlapping the next."""
    ordered = sorted(entries, key=lambda e: e.offset)
    for entry, after in zip(ordered, ordered[1:] + [None]):
        limit = cd_offset if after is None else after.offset
        if entry.min_end() > limit:
            raise ZipFormatError("%s: entry %r (%d bytes at %d) %s" % (
                path, entry.name, entry.csize, entry.offset,
                "runs into the central directory: a truncated or corrupt file"
                if after is None else "overlaps entry %r" % after.name))


def data_offset(fd, entry, cd_offset, path):
    """Where the bytes of ``entry`` begin: after its local header, which is
    checked against the entry's central directory record."""
    head = _pread_exact(fd, _LOCAL.size + len(entry.raw_name), entry.offset, path,
                        "the local header of %r" % entry.name)
    sig, _, _, method, _, _, _, _, _, nlen, xlen = _LOCAL.unpack_from(head)
    if sig != LOCAL_SIG or nlen != len(entry.raw_name) or \
            head[_LOCAL.size:] != entry.raw_name or method != entry.method:
        raise ZipFormatError("%s: entry %r: its local header (at %d) does not match its "
                             "central directory record" % (path, entry.name, entry.offset))
    start = entry.offset + _LOCAL.size + nlen + xlen
    if start + entry.csize > cd_offset:
        raise ZipFormatError("%s: entry %r (%d bytes at %d) runs into the central directory"
                             % (path, entry.name, entry.csize, start))
    return start


def check_readable(entry, path):
    """ZipFormatError unless the sizes and method of ``entry`` can be read."""
    if entry.flags & FLAG_ENCRYPTED:
        raise ZipFormatError("%s: entry %r is encrypted; not read" % (path, entry.name))
    if entry.method == STORED:
        if entry.csize != entry.usize:
            raise ZipFormatError("%s: entry %r is stored uncompressed but its sizes differ (%d "
                                 "and %d bytes): a corrupt record"
                                 % (path, entry.name, entry.csize, entry.usize))
    elif entry.method == DEFLATED:
        if entry.usize > entry.csize * DEFLATE_RATIO + 64:
            raise ZipFormatError("%s: entry %r claims %d bytes out of %d deflated ones, more "
                                 "than deflate can give: a corrupt record; not read"
                                 % (path, entry.name, entry.usize, entry.csize))
    else:
        raise ZipFormatError("%s: entry %r is compressed with method %d; only stored (0) and "
                             "deflated (8) entries are read" % (path, entry.name, entry.method))


def read_entry(fd, entry, path):
    """The bytes of ``entry`` (its data offset known), inflated if deflated,
    their length and CRC-32 checked against the entry's record."""
    check_readable(entry, path)
    raw = _pread_exact(fd, entry.csize, entry.data, path, "entry %r" % entry.name)
    if entry.method == STORED:
        data = raw
    else:
        inflater = zlib.decompressobj(-15)
        try:
            data = inflater.decompress(raw, max(entry.usize, 1))  # 0 would be no limit
            # What is left must be the end of the stream, and nothing more.
            extra = inflater.decompress(inflater.unconsumed_tail, 1)
        except zlib.error as e:
            raise ZipFormatError("%s: entry %r: its deflated bytes are corrupt (%s)"
                                 % (path, entry.name, e)) from None
        if len(data) != entry.usize or extra or not inflater.eof:
            raise ZipFormatError("%s: entry %r does not inflate to the %d bytes its record "
                                 "says" % (path, entry.name, entry.usize))
    if zlib.crc32(data) != entry.crc:
        raise ZipFormatError("%s: entry %r: CRC-32 mismatch (its bytes are corrupt)"
                             % (path, entry.name))
    return data


def _stream_crc(fd, entry, path, step=1 << 24):
    """The CRC-32 of the bytes of ``entry`` (inflated if deflated) and their
    length, read ``step`` bytes at a time; None if they do not inflate."""
    crc, n, at, end = 0, 0, entry.data, entry.data + entry.csize
    inflater = zlib.decompressobj(-15) if entry.method == DEFLATED else None
    while at < end:
        block = _pread_exact(fd, min(step, end - at), at, path, "entry %r" % entry.name)
        at += len(block)
        if inflater is None:
            crc, n = zlib.crc32(block, crc), n + len(block)
            continue
        try:
            while block:
                out = inflater.decompress(block, step)
                crc, n = zlib.crc32(out, crc), n + len(out)
                if n > entry.usize:
                    return None
                block = inflater.unconsumed_tail
        except zlib.error:
            return None
    if inflater is not None and not inflater.eof:
        return None
    return crc, n


def scan_entries(fd, size, path):
    """(entries, end): the entries whose local headers follow one another from
    the start of the file, each whole (its bytes within the file, their CRC-32
    and length as its header says), up to the first that is not; and where
    the last one ends. How an archive whose writer did not write its central
    directory is recovered. An entry whose header does not give its sizes (a
    data descriptor follows it) ends the scan."""
    entries, at = [], 0
    while at + _LOCAL.size <= size:
        (sig, _, flags, method, mtime, mdate, crc, csize, usize, nlen,
         xlen) = _LOCAL.unpack(os.pread(fd, _LOCAL.size, at))
        start = at + _LOCAL.size + nlen + xlen
        if sig != LOCAL_SIG or flags & 0x0008 or start > size:
            break
        tail = os.pread(fd, nlen + xlen, at + _LOCAL.size)
        raw = tail[:nlen]
        if 0xFFFFFFFF in (csize, usize):
            try:
                usize, csize, _ = _zip64_fields(tail[nlen:], usize, csize, 0, path, "")
            except ZipFormatError:
                break
        name = raw.decode("utf-8" if flags & FLAG_UTF8 else "cp437", "replace")
        entry = Entry(name, raw, method, flags, crc, csize, usize, at, mtime, mdate,
                      0o100644 << 16)
        entry.data = start
        if start + csize > size:
            break
        try:
            check_readable(entry, path)
        except ZipFormatError:
            break
        if _stream_crc(fd, entry, path) != (crc, usize):
            break
        entries.append(entry)
        at = start + csize
    return entries, at
