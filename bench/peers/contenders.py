"""Each contender's array behind one small interface, in memory and on disk.

A contender wraps one library's array of one workload in one storage
("memory" or "disk") and does what a user of that library would do for each
operation the benchmark times: write or read the whole array, read a
selection, append rows (natively, or by resizing and writing where the
library has no append), give dask a source, select rows, points or a mask
by index arrays (each library's own way: ``oindex`` and ``vindex`` where
it has them, numpy's fancy indexing where it takes that). Libraries are imported when a
contender is made, so that the runner imports only the one it measures.
"""

import importlib
import importlib.metadata
import os

import numpy as np

#: The codec settings every compressed contender uses (blosclz, level 5, byte shuffle).
CNAME, CLEVEL, SHUFFLE = "blosclz", 5, 1
#: The zstd level of the zstd contenders: zarr-python's default for v3 (0: zstd's own default).
ZSTD_LEVEL = 0


def shard_shape(chunks):
    """The shards of the sharded v3 contenders: 4 chunks along a 1-D array,
    2 x 2 (x 1...) chunks of an N-D one."""
    if len(chunks) == 1:
        return (4 * chunks[0],)
    return tuple(c * (2 if i < 2 else 1) for i, c in enumerate(chunks))


def v3_blosc_json(itemsize):
    return {"name": "blosc", "configuration": {"cname": CNAME, "clevel": CLEVEL,
                                               "shuffle": "shuffle", "typesize": itemsize,
                                               "blocksize": 0}}

def disk_files(path):
    """Files at path: 1 for a file, else those in the directory walked whole."""
    if os.path.isfile(path):
        return 1
    return sum(len(files) for _, _, files in os.walk(path))


def disk_bytes(path):
    """Bytes in the files at path (a file, or a directory walked whole)."""
    if os.path.isfile(path):
        return os.path.getsize(path)
    total = 0
    for top, _, files in os.walk(path):
        total += sum(os.path.getsize(os.path.join(top, f)) for f in files)
    return total


def module_version(module, distribution=None):
    """The installed version of a module (imported, so that a missing one
    raises ImportError), from its distribution's metadata."""
    importlib.import_module(module)
    return importlib.metadata.version(distribution or module)


class Contender:
    """One library's array of one workload in one storage.

    Subclasses create the array in ``create`` and define the operations;
    ``read_into`` is None where the library cannot read into an existing
    array. The selections by index arrays default to zarr-python's way
    (``oindex``, ``vindex``, ``get_mask_selection``); ``unsupported`` names
    the kinds of selection ("rows", "points", "mask") the library has no way
    to make, and why; ``way`` says how it makes one otherwise than the
    others do."""

    label = None
    storages = ("memory", "disk")
    read_into = None
    unsupported = {}

    def __init__(self, storage, root, shape, dtype, chunks):
        self.storage = storage
        self.root = root
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.chunks = tuple(chunks)
        self.path = os.path.join(root, "array")

    def title(self):
        """The contender's name in the tables."""
        return self.label

    def read_rows(self, lo, hi):
        """Rows lo:hi as a new array."""
        return self.get(slice(lo, hi))

    def write_rows(self, a, lo, hi):
        """Write rows lo:hi of a into the same rows."""
        self.z[lo:hi] = a[lo:hi]

    def get(self, selection):
        """A basic selection, as the library returns it."""
        return self.z[selection]

    def select_rows(self, rows):
        """Whole rows by an index array, in its order: an orthogonal selection."""
        return self.z.oindex[rows, :]

    def select_points(self, coords):
        """The elements at coords, one index array per dimension."""
        return self.z.vindex[coords]

    def select_mask(self, mask):
        """The elements where mask (a boolean array of the shape) is True, in C order."""
        return self.z.get_mask_selection(mask)

    def way(self, kind, argument):
        """How the selection of this kind and argument is made, where that
        is not the library's own selection of it (None: it is)."""
        return None

    def write(self, a):
        """Write the whole array."""
        self.z[...] = a

    def read(self):
        """The whole array, as the library returns it."""
        return self.z[...]

    def dask_source(self):
        """What the user hands to ``dask.array.from_array``."""
        return self.z

    def stored_bytes(self):
        """The compressed size: bytes on disk or in the memory store."""
        return disk_bytes(self.path)

    def stored_files(self):
        """The files the array is stored in on disk; None in memory."""
        return disk_files(self.path) if self.storage == "disk" else None

    def finish(self):
        """Complete the writes so far (timed with them): a no-op but where
        the library defers them."""

    def close(self):
        """Release what the array holds open."""


class Ours(Contender):
    """This project's arrays: ``zarr.create`` in memory, ``zarr.open(mode='w')``
    in a directory; synchronized (the default). Rows by ``z.oindex``, points
    by ``z.vindex``, the mask as numpy users write it, ``z[mask]``."""

    label = "ours"

    def create(self):
        import zarr
        options = dict(shape=self.shape, dtype=self.dtype, chunks=self.chunks, cname=CNAME,
                       clevel=CLEVEL, shuffle=SHUFFLE)
        if self.storage == "memory":
            self.z = zarr.create(**options)
        else:
            self.z = zarr.open(self.path, mode="w", **options)

    def read_into(self, out):
        self.z.get_basic_selection(Ellipsis, out=out)

    def select_mask(self, mask):
        return self.z[mask]

    def append(self, rows):
        self.z.append(rows)

    def set_shape(self, shape):
        self.z.resize(*shape)

    def stored_bytes(self):
        return self.z.cbytes if self.storage == "memory" else disk_bytes(self.path)

    @staticmethod
    def versions():
        import zarr
        import zarr.ext
        return {"zarr (ours)": zarr.__version__, "c-blosc": zarr.ext.BLOSC_VERSION}


class OursV3(Ours):
    """This project's arrays in the Zarr v3 format (``zarr_format=3``):
    ``bytes`` then blosc(blosclz, 5, shuffle), chunk keys ``c/...``; in a
    ``MemoryStore`` or a directory."""

    label = "ours v3"
    options = {}

    def codec_options(self):
        import zarr
        return {"compressor": zarr.Blosc(CNAME, CLEVEL, SHUFFLE)}

    def create(self):
        import zarr
        store = zarr.storage.MemoryStore() if self.storage == "memory" else self.path
        self.z = zarr.open(store, mode="w", shape=self.shape, dtype=self.dtype,
                           chunks=self.chunks, zarr_format=3, **self.codec_options(),
                           **self.options)

    def stored_bytes(self):
        return self.z.cbytes if self.storage == "memory" else disk_bytes(self.path)


class OursV3Zstd(OursV3):
    """As ``ours v3``, with zstd (level 0) as zarr-python's v3 default."""

    label = "ours v3 zstd"

    def codec_options(self):
        import zarr
        return {"compressor": zarr.Zstd(ZSTD_LEVEL)}


class OursV3Sharded(OursV3):
    """As ``ours v3``, sharded (``shards=``, :func:`shard_shape`)."""

    label = "ours v3 sharded"

    def create(self):
        self.options = {"shards": shard_shape(self.chunks)}
        OursV3.create(self)


class OursZip(Ours):
    """This project's arrays in one zip archive (``zarr.storage.ZipStore``),
    on disk only. An entry cannot be replaced in place, so every timed write
    makes a new archive, as a user archiving an array does; ``finish``
    closes it (writing its central directory, timed with the write) and
    opens it again read-only for the reads. Appends are not measured: their
    runs shrink the array back between runs, which would remove chunks."""

    label = "ours (zip)"
    storages = ("disk",)
    unsupported = {"appends": "a zip archive cannot remove the chunks that shrinking the "
                              "array back between runs drops"}

    def create(self):
        import threading
        self.zip_path = self.path + ".zip"
        self._lock = threading.Lock()
        self._new_archive()

    def _new_archive(self):
        import zarr
        if getattr(self, "z", None) is not None:
            self.z.store.close()
        if os.path.exists(self.zip_path):
            os.remove(self.zip_path)  # a new archive, as archiving to a new path makes
        store = zarr.storage.ZipStore(self.zip_path, "w")
        self.z = zarr.open(store, mode="w", shape=self.shape, dtype=self.dtype,
                           chunks=self.chunks, cname=CNAME, clevel=CLEVEL, shuffle=SHUFFLE)

    def write(self, a):
        with self._lock:
            self._new_archive()
        self.z[...] = a

    def write_rows(self, a, lo, hi):
        with self._lock:  # the first of the threads makes the new archive
            if self.z.store.read_only:
                self._new_archive()
        self.z[lo:hi] = a[lo:hi]

    def finish(self):
        import zarr
        with self._lock:
            if not self.z.store.read_only:
                self.z.store.close()
                self.z = zarr.open(zarr.storage.ZipStore(self.zip_path, "r"), mode="r")

    def stored_bytes(self):
        return os.path.getsize(self.zip_path)

    def stored_files(self):
        return disk_files(self.zip_path)

    def close(self):
        if getattr(self, "z", None) is not None:
            self.z.store.close()


class OursSharded(Ours):
    """This project's arrays in a ``zarr.storage.ShardedStore`` (written
    directly into its HDF5 containers, the default depth of 3; chunk keys
    nested, the store's default), on disk only.

    It also measures consolidation in place: the same array written as a
    nested directory (``LocalStore``, ``dimension_separator='/'``), then
    ``ShardedStore(path).consolidate()`` with its default threads."""

    label = "ours (sharded)"
    storages = ("disk",)

    def create(self):
        import zarr
        self.z = zarr.open(zarr.storage.ShardedStore(self.path), mode="w", shape=self.shape,
                           dtype=self.dtype, chunks=self.chunks, cname=CNAME, clevel=CLEVEL,
                           shuffle=SHUFFLE)
        self.nested = os.path.join(self.root, "nested")

    def make_nested(self, a):
        """Write a into a new nested directory (untimed set-up of a consolidation)."""
        import shutil
        import zarr
        shutil.rmtree(self.nested, ignore_errors=True)
        z = zarr.open(zarr.storage.LocalStore(self.nested), mode="w", shape=self.shape,
                      dtype=self.dtype, chunks=self.chunks, cname=CNAME, clevel=CLEVEL,
                      shuffle=SHUFFLE, dimension_separator="/")
        z[...] = a

    def consolidate(self):
        """Move the nested directory's chunk files into containers, in place."""
        import zarr
        return zarr.storage.ShardedStore(self.nested).consolidate()

    def read_nested(self):
        """The consolidated array, read back through a ShardedStore."""
        import zarr
        return zarr.open(zarr.storage.ShardedStore(self.nested), mode="r")[...]


class Numpy(Contender):
    """numpy: an ndarray in memory, an ``np.memmap`` of a file on disk. Views
    are copied, so that every read returns data of its own as the others do;
    appends resize (ndarray.resize in memory; the file, then a new memmap, on
    disk) and write the rows. Selections by index arrays are numpy's fancy
    indexing (``a[rows]``, ``a[i, j]``, ``a[mask]``), whose results are copies."""

    label = "numpy"

    def title(self):
        return "numpy" if self.storage == "memory" else "np.memmap"

    def create(self):
        if self.storage == "memory":
            self.z = np.zeros(self.shape, self.dtype)
        else:
            self.z = np.memmap(self.path, self.dtype, "w+", shape=self.shape)

    def write(self, a):
        np.copyto(self.z, a)

    def read(self):
        return np.array(self.z)

    def read_into(self, out):
        np.copyto(out, self.z)

    def get(self, selection):
        return np.array(self.z[selection])

    def select_rows(self, rows):
        return self.z[rows]

    def select_points(self, coords):
        return self.z[coords]

    def select_mask(self, mask):
        return self.z[mask]

    def _reshape_file(self, shape):
        """Resize the memmap's file to shape and map it anew (no flush: no
        other contender syncs its writes to disk)."""
        del self.z
        with open(self.path, "r+b") as f:
            f.truncate(int(np.prod(shape)) * self.dtype.itemsize)
        self.z = np.memmap(self.path, self.dtype, "r+", shape=shape)

    def set_shape(self, shape):
        shape = tuple(shape)
        if self.z.shape == shape:
            return
        if self.storage == "memory":
            self.z.resize(shape, refcheck=False)
        else:
            self._reshape_file(shape)

    def append(self, rows):
        old = self.z.shape[0]
        self.set_shape((old + rows.shape[0],) + self.z.shape[1:])
        self.z[old:] = rows

    def stored_bytes(self):
        return self.z.nbytes if self.storage == "memory" else disk_bytes(self.path)

    def close(self):
        self.z = None

    @staticmethod
    def versions():
        return {"numpy": np.__version__}


class ZarrPython(Contender):
    """zarr-python 3.1 in a MemoryStore or a LocalStore: Zarr v2 format with
    Blosc(blosclz, 5, byte shuffle), or (``v3``) its v3 defaults. Rows by
    ``z.oindex``, points by ``z.vindex``, the mask by ``get_mask_selection``."""

    label = "zarr-python v2"
    format = 2

    def create(self):
        import zarr
        from numcodecs import Blosc
        store = (zarr.storage.MemoryStore() if self.storage == "memory"
                 else zarr.storage.LocalStore(self.path))
        options = {}
        if self.format == 2:
            options = dict(zarr_format=2, fill_value=0,
                           compressors=Blosc(cname=CNAME, clevel=CLEVEL, shuffle=Blosc.SHUFFLE))
        self.store = store
        self.z = zarr.create_array(store, shape=self.shape, chunks=self.chunks,
                                   dtype=self.dtype, **options)

    def read_into(self, out):
        from zarr.core.buffer import default_buffer_prototype
        buffer = default_buffer_prototype().nd_buffer.from_numpy_array(out)
        self.z.get_basic_selection(Ellipsis, out=buffer)

    def append(self, rows):
        self.z.append(rows)

    def set_shape(self, shape):
        self.z.resize(tuple(shape))

    def stored_bytes(self):
        if self.storage == "memory":
            return sum(len(v) for v in self.store._store_dict.values())
        return disk_bytes(self.path)

    @staticmethod
    def versions():
        return {"zarr-python": module_version("zarr"), "numcodecs": module_version("numcodecs")}


class ZarrPythonV3(ZarrPython):
    """zarr-python 3.1 with the Zarr v3 format and its default codecs."""

    label = "zarr-python v3"
    format = 3


class ZarrPythonV3Blosc(ZarrPython):
    """zarr-python 3.1, Zarr v3 with blosc(blosclz, 5, shuffle)."""

    label = "zarr-python v3 blosc"
    format = 3
    shards = False

    def create(self):
        import zarr
        from zarr.codecs import BloscCodec
        store = (zarr.storage.MemoryStore() if self.storage == "memory"
                 else zarr.storage.LocalStore(self.path))
        self.store = store
        options = {"shards": shard_shape(self.chunks)} if self.shards else {}
        self.z = zarr.create_array(store, shape=self.shape, chunks=self.chunks,
                                   dtype=self.dtype, zarr_format=3, fill_value=0,
                                   compressors=BloscCodec(cname=CNAME, clevel=CLEVEL,
                                                          shuffle="shuffle"), **options)


class ZarrPythonV3Sharded(ZarrPythonV3Blosc):
    """zarr-python 3.1, Zarr v3 with blosc, sharded (:func:`shard_shape`)."""

    label = "zarr-python v3 sharded"
    shards = True


class Blosc2(Contender):
    """blosc2 NDArray with blosclz 5 and byte shuffle, our chunks, default
    blocks; on disk a ``.b2nd`` file. Appends resize and write. Selections by
    index arrays are its numpy-style fancy indexing (``b[rows, :]``,
    ``b[i, j]``, ``b[mask]``): its ``oindex`` takes no slices."""

    label = "blosc2"

    def create(self):
        import blosc2
        cparams = blosc2.CParams(codec=blosc2.Codec.BLOSCLZ, clevel=CLEVEL,
                                 filters=[blosc2.Filter.SHUFFLE], filters_meta=[0])
        options = {}
        if self.storage == "disk":
            self.path += ".b2nd"
            options = dict(urlpath=self.path, mode="w")
        self.z = blosc2.empty(self.shape, dtype=self.dtype, chunks=self.chunks,
                              cparams=cparams, **options)

    def select_rows(self, rows):
        return self.z[rows, :]

    def select_points(self, coords):
        return self.z[coords]

    def select_mask(self, mask):
        return self.z[mask]

    def append(self, rows):
        old = self.z.shape[0]
        self.z.resize((old + rows.shape[0],) + self.z.shape[1:])
        self.z[old:] = rows

    def set_shape(self, shape):
        self.z.resize(tuple(shape))

    def stored_bytes(self):
        return self.z.cbytes if self.storage == "memory" else disk_bytes(self.path)

    @staticmethod
    def versions():
        import blosc2
        return {"blosc2": blosc2.__version__, "c-blosc2": blosc2.VERSION_STRING}


class H5py(Contender):
    """h5py with hdf5plugin's Blosc filter (blosclz, 5, byte shuffle), our
    chunks; in memory the core driver without a backing store. Datasets are
    resizable along the rows; appends resize and write. Rows by ``d[rows,
    :]``, which takes only increasing indices: other rows are read as an h5py
    user reads them, the distinct rows in increasing order (``np.unique``),
    then put in the order asked with numpy. h5py selects by one index array
    only, so points (two arrays) have no h5py way; the mask is ``d[mask]``."""

    label = "h5py"
    serial = 0
    unsupported = {"points": "h5py selects by one index array at a time; it has no point "
                             "selection by one array per dimension"}

    def create(self):
        import h5py
        import hdf5plugin
        if self.storage == "memory":
            H5py.serial += 1
            self.f = h5py.File("memory-%d.h5" % H5py.serial, "w", driver="core",
                               backing_store=False)
        else:
            self.path += ".h5"
            self.f = h5py.File(self.path, "w")
        blosc = hdf5plugin.Blosc(cname=CNAME, clevel=CLEVEL, shuffle=hdf5plugin.Blosc.SHUFFLE)
        self.z = self.f.create_dataset("a", shape=self.shape, dtype=self.dtype,
                                       chunks=self.chunks, maxshape=(None,) + self.shape[1:],
                                       **blosc)

    def read_into(self, out):
        self.z.read_direct(out)

    @staticmethod
    def _increasing(rows):
        return len(rows) < 2 or bool((rows[1:] > rows[:-1]).all())

    def select_rows(self, rows):
        if self._increasing(rows):
            return self.z[rows, :]
        distinct, back = np.unique(rows, return_inverse=True)
        return self.z[distinct, :][back]

    def way(self, kind, argument):
        if kind == "rows" and not self._increasing(argument):
            return ("the distinct rows read in increasing order (np.unique), then put in the "
                    "order asked with numpy: h5py takes increasing indices only")
        return None

    def select_mask(self, mask):
        return self.z[mask]

    def finish(self):
        """Flush HDF5's chunk cache (8 MiB by default in HDF5 2.0, so it can
        hold a whole chunk of 1,048,576 float64 and defer its compression)."""
        self.f.flush()

    def append(self, rows):
        old = self.z.shape[0]
        self.z.resize(old + rows.shape[0], axis=0)
        self.z[old:] = rows

    def set_shape(self, shape):
        self.z.resize(tuple(shape))

    def stored_bytes(self):
        if self.storage == "memory":
            return self.z.id.get_storage_size()
        self.f.flush()
        return disk_bytes(self.path)

    def close(self):
        self.f.close()

    @staticmethod
    def versions():
        import h5py
        import hdf5plugin
        return {"h5py": h5py.__version__, "HDF5": h5py.version.hdf5_version,
                "hdf5plugin": hdf5plugin.version}


class TensorStore(Contender):
    """TensorStore's zarr driver (Zarr v2, blosc blosclz 5 shuffle 1) over the
    memory or the file kvstore, default context. Reads into an existing array
    write the store into ``ts.array(out)``; appends resize and write. Rows by
    ``z.oindex``, points and the mask by ``z.vindex``, each ``.read().result()``."""

    label = "TensorStore"

    def create(self):
        import tensorstore as ts
        kvstore = ({"driver": "memory"} if self.storage == "memory"
                   else {"driver": "file", "path": self.path})
        metadata = {"shape": list(self.shape), "chunks": list(self.chunks),
                    "dtype": self.dtype.str, "order": "C", "fill_value": 0,
                    "compressor": {"id": "blosc", "cname": CNAME, "clevel": CLEVEL,
                                   "shuffle": SHUFFLE}}
        self.ts = ts
        self.z = ts.open({"driver": "zarr", "kvstore": kvstore, "metadata": metadata},
                         create=True, delete_existing=True).result()

    def write(self, a):
        self.z.write(a).result()

    def write_rows(self, a, lo, hi):
        self.z[lo:hi].write(a[lo:hi]).result()

    def read(self):
        return self.z.read().result()

    def read_into(self, out):
        self.ts.array(out, copy=False, write=True).write(self.z).result()

    def get(self, selection):
        return self.z[selection].read().result()

    def select_rows(self, rows):
        return self.z.oindex[rows, :].read().result()

    def select_points(self, coords):
        return self.z.vindex[coords].read().result()

    def select_mask(self, mask):
        return self.z.vindex[mask].read().result()

    def append(self, rows):
        old = self.z.shape[0]
        self.z = self.z.resize(exclusive_max=[old + rows.shape[0]] + list(self.z.shape[1:])
                               ).result()
        self.z[old:].write(rows).result()

    def set_shape(self, shape):
        self.z = self.z.resize(exclusive_max=list(shape)).result()

    def stored_bytes(self):
        if self.storage == "disk":
            return disk_bytes(self.path)
        kvstore = self.z.kvstore
        return sum(len(kvstore.read(key).result().value) for key in kvstore.list().result())

    def dask_source(self):
        return TensorStoreForDask(self.z)

    @staticmethod
    def versions():
        return {"tensorstore": module_version("tensorstore")}


class TensorStoreV3(TensorStore):
    """TensorStore's zarr3 driver: ``bytes`` then blosc(blosclz, 5, shuffle)."""

    label = "TensorStore v3"
    sharded = False

    def codecs(self):
        return [{"name": "bytes", "configuration": {"endian": "little"}},
                v3_blosc_json(self.dtype.itemsize)]

    def create(self):
        import tensorstore as ts
        kvstore = ({"driver": "memory"} if self.storage == "memory"
                   else {"driver": "file", "path": self.path})
        codecs, grid = self.codecs(), list(self.chunks)
        if self.sharded:
            grid = list(shard_shape(self.chunks))
            codecs = [{"name": "sharding_indexed", "configuration": {
                "chunk_shape": list(self.chunks), "codecs": codecs,
                "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                                 {"name": "crc32c"}], "index_location": "end"}}]
        metadata = {"shape": list(self.shape), "data_type": self.dtype.name,
                    "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": grid}},
                    "chunk_key_encoding": {"name": "default"}, "fill_value": 0,
                    "codecs": codecs}
        self.ts = ts
        self.z = ts.open({"driver": "zarr3", "kvstore": kvstore, "metadata": metadata},
                         create=True, delete_existing=True).result()


class TensorStoreV3Zstd(TensorStoreV3):
    """TensorStore's zarr3 driver with ``bytes`` then zstd (level 0)."""

    label = "TensorStore v3 zstd"

    def codecs(self):
        return [{"name": "bytes", "configuration": {"endian": "little"}},
                {"name": "zstd", "configuration": {"level": ZSTD_LEVEL, "checksum": False}}]


class TensorStoreV3Sharded(TensorStoreV3):
    """TensorStore's zarr3 driver with blosc, sharded (:func:`shard_shape`)."""

    label = "TensorStore v3 sharded"
    sharded = True


class TensorStoreForDask:
    """What ``dask.array.from_array`` needs of a TensorStore (shape, a numpy
    dtype, ``__getitem__`` returning numpy arrays): a TensorStore's own dtype
    is not a numpy dtype, which dask rejects."""

    def __init__(self, store):
        self.store = store
        self.shape = tuple(store.shape)
        self.ndim = store.ndim
        self.dtype = store.dtype.numpy_dtype

    def __getitem__(self, selection):
        return self.store[selection].read().result()


class RawCodec(Contender):
    """The raw codec, python-blosc on the same chunks cut out beforehand as
    contiguous buffers (edge chunks padded): compress each, decompress each
    (into new bytes, or into existing buffers). Two threads are timed two
    ways: c-blosc's own 2 threads in one call (``set_nthreads(2)``), and two
    Python threads over the two halves of the chunks, each calling with the
    GIL released (``set_releasegil(True)``) and one blosc thread."""

    label = "raw codec"
    storages = ("memory",)

    def create(self):
        import blosc
        self.blosc = blosc
        self.frames = None

    def cut(self, a):
        """The chunks of a as contiguous, padded buffers (untimed set-up)."""
        grid = [-(-n // c) for n, c in zip(self.shape, self.chunks)]
        self.blocks = []
        for key in np.ndindex(*grid):
            part = a[tuple(slice(k * c, (k + 1) * c) for k, c in zip(key, self.chunks))]
            block = np.zeros(self.chunks, a.dtype)
            block[tuple(slice(0, m) for m in part.shape)] = part
            self.blocks.append(block)
        self.outs = [np.empty_like(b) for b in self.blocks]
        # The first half of the chunks in grid order is the first half of the rows.
        row_chunks = grid[0]
        self.mid = -(-row_chunks // 2) * int(np.prod(grid[1:], dtype=int))

    def _configure(self, nthreads, releasegil):
        self.blosc.set_nthreads(nthreads)
        self.blosc.set_releasegil(releasegil)

    def compress(self, blocks):
        """Compress blocks; their frames."""
        b = self.blosc
        return [b.compress_ptr(x.ctypes.data, x.size, x.itemsize, CLEVEL, b.SHUFFLE, CNAME)
                for x in blocks]

    def decompress(self, frames):
        """Decompress frames into new bytes objects."""
        return [self.blosc.decompress(f) for f in frames]

    def decompress_into(self, frames, outs):
        """Decompress frames into existing buffers."""
        for f, o in zip(frames, outs):
            self.blosc.decompress_ptr(f, o.ctypes.data)

    def write(self, a=None):
        self._configure(1, False)
        self.frames = self.compress(self.blocks)

    def read(self):
        self._configure(1, False)
        return self.decompress(self.frames)

    def read_into(self, out=None):
        self._configure(1, False)
        self.decompress_into(self.frames, self.outs)

    def stored_bytes(self):
        return sum(len(f) for f in self.frames)

    @staticmethod
    def versions():
        import blosc
        return {"python-blosc": blosc.__version__, "c-blosc": blosc.blosclib_version}


#: Peer name (as the runner takes it) -> (class, install group).
PEERS = {
    "ours": (Ours, None),
    "ours-zip": (OursZip, None),
    "ours-sharded": (OursSharded, None),
    "ours-v3": (OursV3, None),
    "ours-v3-zstd": (OursV3Zstd, None),
    "ours-v3-sharded": (OursV3Sharded, None),
    "numpy": (Numpy, None),
    "blosc": (RawCodec, None),
    "zarr-v2": (ZarrPython, "zarr-python"),
    "zarr-v3": (ZarrPythonV3, "zarr-python"),
    "zarr-v3-blosc": (ZarrPythonV3Blosc, "zarr-python"),
    "zarr-v3-sharded": (ZarrPythonV3Sharded, "zarr-python"),
    "blosc2": (Blosc2, "blosc2"),
    "h5py": (H5py, "h5py"),
    "tensorstore": (TensorStore, "tensorstore"),
    "tensorstore-v3": (TensorStoreV3, "tensorstore"),
    "tensorstore-v3-zstd": (TensorStoreV3Zstd, "tensorstore"),
    "tensorstore-v3-sharded": (TensorStoreV3Sharded, "tensorstore"),
}

#: The contenders that measure our package, run in a build of ours.
OURS = ("ours", "ours-zip", "ours-sharded", "ours-v3", "ours-v3-zstd", "ours-v3-sharded")
