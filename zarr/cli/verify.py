"""``zarr verify``: read and check every stored chunk of an array or of a
hierarchy, on all cores, and report what is wrong by array and key; and
``--checksum``, a digest of each array's values that does not depend on
how or where they are stored."""

import hashlib
import json
import os

import numpy as np

from zarr.cli.locations import describe_error
from zarr.cli.summary import walk
from zarr.core import Array
from zarr.parallel import get_threads, map_ordered
from zarr.progress import Progress
from zarr.storage import LocalStore
from zarr.storage.keys import chunk_key
from zarr.storage.partials import partial_writer, writer_is_gone

#: The most bytes of values one block of a checksum holds.
CHECKSUM_BLOCK_BYTES = 32 << 20


class Finding:
    """A problem found: where (array path, key or file) and what."""

    def __init__(self, array, kind, message, key=None, fails=True):
        self.array, self.kind, self.message, self.key, self.fails = \
            array, kind, message, key, fails

    def as_dict(self):
        return {"array": self.array, "key": self.key, "kind": self.kind,
                "message": self.message, "fails": self.fails}

    def __str__(self):
        where = self.array + ("" if self.key is None else " " + self.key)
        return "%s: %s: %s" % (self.kind, where, self.message)


def _chunk_kind(error):
    text = str(error).lower()
    if isinstance(error, OSError) and not isinstance(error, FileNotFoundError) \
            and "corrupt" not in text:
        return "unreadable"
    if "truncat" in text or "short" in text or "too small" in text or "empty" in text:
        return "truncated"
    return "corrupt"


def _region(index, grid):
    return tuple(slice(i * c, (i + 1) * c) for i, c in zip(index, grid))


def check_array(path, z, stored, threads, bar):
    """The findings of the stored chunks of ``z`` at the grid indices
    ``stored``, each read and decoded."""
    grid = z.shards or z.chunks
    prefix = z.key_prefix

    def check(i):
        index = stored[i]
        try:
            z.get_basic_selection(_region(index, grid), threads=1)
        except Exception as e:  # every failure of a chunk is a finding
            key = chunk_key(index, z._separator, z._key_leading)
            key = prefix + "/" + key if prefix else key
            return Finding(path, _chunk_kind(e), describe_error(e), key)
        return None

    findings = []
    for finding in map_ordered(check, len(stored), threads=threads):
        bar.update(1)
        if finding is not None:
            findings.append(finding)
    return len(stored), findings


def temporary_files(path, z):
    """Findings for the temporary files of writes left in an array's directory."""
    store = z.store
    if not isinstance(store, LocalStore):
        return []
    found = []
    for top, dirs, names in os.walk(store.directory(z.key_prefix)):
        for name in names:
            if partial_writer(name) is None:
                continue
            full = os.path.join(top, name)
            if writer_is_gone(name):
                found.append(Finding(path, "temporary", "a write's temporary file left by a "
                                     "writer that is gone: %s" % full))
            else:
                found.append(Finding(path, "in-progress", "a write in progress (or by "
                                     "another host): %s" % full, fails=False))
    return found


def c_order_blocks(shape, itemsize, budget=CHECKSUM_BLOCK_BYTES, chunks=None):
    """Selections that cover ``shape`` in C order, each of at most ``budget``
    bytes (but for one element larger than that), aligned to ``chunks``
    where a block holds several.

    Examples
    --------
    >>> [b for b in c_order_blocks((4, 3), 8, budget=48)]
    [(slice(0, 2, None), slice(None, None, None)), (slice(2, 4, None), slice(None, None, None))]
    """
    ndim = len(shape)
    if ndim == 0:
        yield ()
        return
    inner, axis = itemsize, ndim
    while axis > 0 and inner * shape[axis - 1] <= budget:
        inner *= shape[axis - 1]
        axis -= 1
    if axis == 0:
        yield (slice(None),) * ndim
        return
    split = axis - 1
    step = max(1, budget // inner)
    if chunks is not None and step > chunks[split]:
        step -= step % chunks[split]
    tail = (slice(None),) * (ndim - axis)
    for outer in np.ndindex(*shape[:split]):
        for start in range(0, shape[split], step):
            yield tuple(outer) + (slice(start, start + step),) + tail


def _object_bytes(values):
    parts = []
    for v in values.ravel():
        if isinstance(v, str):
            data, tag = v.encode("utf-8", "surrogatepass"), b"s"
        elif isinstance(v, bytes):
            data, tag = v, b"b"
        else:
            data, tag = repr(v).encode("utf-8", "backslashreplace"), b"r"
        parts.append(tag + len(data).to_bytes(8, "little") + data)
    return b"".join(parts)


def checksum(z, threads):
    """sha256 of the array's shape, dtype and values in C order (little-endian):
    equal for equal values however they are chunked, compressed or stored."""
    dtype = z.dtype
    canonical = dtype if dtype.hasobject else dtype.newbyteorder("<")
    digest = hashlib.sha256(json.dumps({"shape": list(z.shape), "dtype": canonical.str},
                                       sort_keys=True).encode())
    itemsize = max(dtype.itemsize, 1)
    blocks = list(c_order_blocks(z.shape, itemsize, chunks=z.shards or z.chunks))

    def read(i):
        values = np.asarray(z[blocks[i]])
        if dtype.hasobject:
            return _object_bytes(values)
        return np.ascontiguousarray(values, dtype=canonical).tobytes()

    for data in map_ordered(read, len(blocks), threads=threads, ahead=threads):
        digest.update(data)
    return digest.hexdigest()


def verify(node, with_checksum=False, threads=None, progress=None, label="/"):
    """(report, findings): a line a array and the problems found, over ``node``
    and every node below it."""
    threads = threads or get_threads()
    findings, arrays = [], []
    nodes = list(walk(node))
    stored = {path: [index for index, _ in member._stored_chunks()]
              for path, member, _ in nodes if isinstance(member, Array)}
    with Progress(sum(map(len, stored.values())), progress, desc="verify") as bar:
        for path, member, error in nodes:
            name = path or label
            if error is not None:
                findings.append(Finding(name, "metadata", describe_error(error)))
                continue
            try:
                member.attrs.asdict()
            except Exception as e:
                findings.append(Finding(name, "metadata", describe_error(e)))
            if not isinstance(member, Array):
                continue
            checked, found = check_array(name, member, stored[path], threads, bar)
            found += temporary_files(name, member)
            facts = {"path": name, "chunks_checked": checked,
                     "problems": sum(f.fails for f in found)}
            if with_checksum:
                facts["checksum"] = None if facts["problems"] else checksum(member, threads)
            findings += found
            arrays.append(facts)
    return arrays, findings
