"""The project's exceptions, each a subclass of the builtin a caller would catch."""

from zarr.ext import CodecError, CorruptChunkError, NotAFileError


class ReadOnlyError(PermissionError):
    """A write to an array opened read-only (mode 'r')."""


class MetadataError(ValueError):
    """A metadata file (``.zarray``, ``.zattrs``) that is not valid JSON, is
    over the size limit, or holds impossible values."""


class ContainsArrayError(FileExistsError):
    """An array is where something else was to be made or opened (mode 'w-', a
    group's member, a group's path)."""


class ContainsGroupError(FileExistsError):
    """A group is where something else was to be made or opened."""


__all__ = ["CodecError", "CorruptChunkError", "NotAFileError", "ReadOnlyError", "MetadataError",
           "ContainsArrayError", "ContainsGroupError"]
