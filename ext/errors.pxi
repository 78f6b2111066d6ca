# The exceptions that zarr.ext raises of its own.


class CodecError(ValueError):
    """A buffer could not be compressed or decompressed by blosc."""


class CorruptChunkError(CodecError):
    """A compressed buffer failed validation or decompression.

    Raised before any byte of an untrusted buffer reaches the decompressor
    whenever its header or block table is inconsistent with the buffer itself
    or with the chunk it is meant to hold.
    """
