"""The project's exceptions, each a subclass of the builtin a caller would catch."""

from zarr.ext import CodecError, CorruptChunkError


class ReadOnlyError(PermissionError):
    """A write to an array opened read-only (mode 'r')."""


class MetadataError(ValueError):
    """A ``.zarray`` that is not valid JSON or holds impossible values."""


class ContainsArrayError(FileExistsError):
    """Mode 'w-' on a path where an array already exists."""


__all__ = ["CodecError", "CorruptChunkError", "ReadOnlyError", "MetadataError",
           "ContainsArrayError"]
