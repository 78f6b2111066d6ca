"""Build of zarr.ext against c-blosc (see c-blosc/locate.py for where it comes from)."""

import importlib.util
import os

from Cython.Build import cythonize
from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))


def _load_locator():
    spec = importlib.util.spec_from_file_location(
        "blosc_locate", os.path.join(HERE, "c-blosc", "locate.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


options = _load_locator().build_options()
# complibs.h: the prototypes of the zstd, lz4 and zlib functions ext/ calls.
options["include_dirs"] = options.get("include_dirs", []) + [os.path.join(HERE, "c-blosc")]

ext = Extension(
    "zarr.ext",
    sources=["ext/ext.pyx"],
    depends=["c-blosc/complibs.h"],
    extra_compile_args=["-O3"],
    **options,
)

setup(
    ext_modules=cythonize(
        [ext],
        include_path=["c-blosc", "ext"],
        compiler_directives={"language_level": "3"},
    ),
)
