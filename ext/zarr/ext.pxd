# The declarations of the module zarr.ext are in ext/ext.pxd.
#
# Cython looks for a module's own .pxd by the module's full name, zarr.ext:
# as zarr/ext.pxd under the source's root directory (ext/) or the include
# path, never as ext.pxd next to ext.pyx, which it would silently ignore.
# cythonize's check for a stale ext.c, though, watches only ext.pxd next to
# ext.pyx. Hence this file, found by the first lookup, holding the one next
# to ext.pyx, watched by the second.

include "../ext.pxd"
