# The exceptions that zarr.ext raises of its own.


class CodecError(ValueError):
    """A buffer could not be compressed or decompressed by blosc."""


class CorruptChunkError(CodecError):
    """A compressed buffer failed validation or decompression.

    Raised before any byte of an untrusted buffer reaches the decompressor
    whenever its header or block table is inconsistent with the buffer itself
    or with the chunk it is meant to hold.
    """


class NotAFileError(OSError):
    """A key's file that is not a regular file: a FIFO, a device, a socket.

    Refused unread, since a read of one may block or never end; its
    ``filename`` is the file, its ``errno`` EINVAL. (A directory in the way
    is an IsADirectoryError.)
    """

    def __str__(self):
        if self.filename is None:
            return OSError.__str__(self)
        return "%s %s" % (self.filename, self.strerror)
