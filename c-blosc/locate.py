"""Find c-blosc's header and static library for the build of zarr.ext.

The library comes from the ``blosc`` wheel on PyPI (a build requirement),
which installs ``include/blosc.h`` and ``lib64/libblosc.a`` as data files.
Under pip's build isolation those land in pip's overlay prefix rather than in
``sys.prefix``, so they are located through the distribution's file list,
which is right in every kind of build (isolated, not isolated, ``python -m
build``).

Setting ``ZARR_BLOSC=system`` links a system c-blosc dynamically instead
(Debian's libblosc-dev, say); its static archive is not position-independent,
so the dynamic route is the only one there.
"""

import os
from importlib import metadata
from pathlib import Path


class BloscNotFound(RuntimeError):
    pass


def _wheel_files(name="blosc"):
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        raise BloscNotFound(
            "the 'blosc' package (a build requirement, blosc==1.11.4) is not "
            "installed in the build environment; build with pip, which "
            "installs it, or set ZARR_BLOSC=system to link a system c-blosc"
        ) from None
    return dist, dist.files or []


def locate_static():
    """Return (include_dir, path to libblosc.a) from the blosc wheel."""
    dist, files = _wheel_files()
    header = archive = None
    for f in files:
        p = str(f).replace("\\", "/")
        if p.endswith("include/blosc.h"):
            header = Path(dist.locate_file(f)).resolve()
        elif p.endswith("/libblosc.a") or p == "libblosc.a":
            archive = Path(dist.locate_file(f)).resolve()
    if header is None or archive is None or not header.exists() or not archive.exists():
        raise BloscNotFound(
            "the installed 'blosc' package does not provide include/blosc.h "
            "and lib64/libblosc.a (found header=%s, archive=%s)" % (header, archive)
        )
    return str(header.parent), str(archive)


def build_options():
    """Keyword arguments for setuptools.Extension to compile against c-blosc."""
    if os.environ.get("ZARR_BLOSC", "static") == "system":
        # A system c-blosc links the codecs' own libraries; ext/ calls them too.
        return dict(libraries=["blosc", "zstd", "lz4", "z"])
    include_dir, archive = locate_static()
    return dict(
        include_dirs=[include_dir],
        extra_objects=[archive],
        libraries=["pthread"],
        extra_link_args=["-Wl,--exclude-libs,ALL"],
    )
